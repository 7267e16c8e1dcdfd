"""Knobs, fault injection, rate limiting and the admin API (request log, state, reset, edit)."""

from __future__ import annotations

import time

import pytest
import requests

from emulator.testing import AdminError, EmulatorAdmin
from tests.emulator.helpers import CIO_SOURCE_SPEC, FS, Api, build_chain, ok

SOURCE = {
    "name": "s",
    "connectionSpec": {"id": CIO_SOURCE_SPEC, "version": "1.0"},
    "data": {"format": "json"},
}


def test_request_log(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    start = emulator.last_seq()
    api.get(f"{FS}/flows")
    api.get(f"{FS}/flows/nope")
    log = emulator.requests(since=start)
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", f"{FS}/flows", 200),
        ("GET", f"{FS}/flows/nope", 404),
    ]
    assert log[0]["sandbox"] == "prod" and log[0]["operation"] == "flowservice.listFlows"
    assert log[0]["service"] == "flowservice" and log[0]["duration_ms"] >= 0
    assert emulator.requests(since=start - 1)[0]["path"] == "/ims/token/v3"
    assert emulator.requests(since=log[-1]["seq"]) == []
    emulator.clear_requests()
    assert emulator.requests() == []


def test_latency(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    emulator.set_knobs(latency_ms=200)
    began = time.monotonic()
    api.get(f"{FS}/flows")
    assert time.monotonic() - began >= 0.2


def test_fault_by_operation_with_count_and_retry_after(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    emulator.add_fault(operation="flowservice.createSourceConnection", status=503, count=2, retry_after=3)
    for _ in range(2):
        failed = api.post(f"{FS}/sourceConnections", SOURCE)
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "3"
        assert failed.json()["type"].startswith("https://ns.adobe.com/aep/errors/FLOW-")
    ok(api.post(f"{FS}/sourceConnections", SOURCE), 201)
    assert emulator.faults()[0]["hits"] == 2
    emulator.clear_faults()
    assert emulator.faults() == []


def test_fault_by_method_and_path_with_custom_body(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    emulator.add_fault(
        method="GET",
        path=r"/flows$",
        status=429,
        body={"error_code": "429050", "message": "Too many requests"},
    )
    limited = api.get(f"{FS}/flows")
    assert limited.status_code == 429 and limited.json()["error_code"] == "429050"
    assert api.get(f"{FS}/sourceConnections").status_code == 200


def test_probability_zero_never_fires(emulator: EmulatorAdmin) -> None:
    emulator.add_fault(operation="flowservice.listFlows", status=500, probability=0.0)
    assert all(Api(emulator).get(f"{FS}/flows").status_code == 200 for _ in range(5))


def test_timeout_after_commit_leaves_an_orphan(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    emulator.add_fault(
        operation="flowservice.createSourceConnection", after_commit=True, delay_s=1.0, status=504, count=1
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post(f"{FS}/sourceConnections", SOURCE, timeout=0.3)
    time.sleep(0.8)
    assert len(ok(api.get(f"{FS}/sourceConnections"))["items"]) == 1  # created although the client gave up


def test_dropped_connection_after_commit(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    emulator.add_fault(
        operation="flowservice.createSourceConnection", after_commit=True, drop_connection=True, count=1
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post(f"{FS}/sourceConnections", SOURCE)
    assert len(ok(api.get(f"{FS}/sourceConnections"))["items"]) == 1
    assert [e for e in emulator.requests() if e["dropped"]]


def test_rate_limit(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    api.get(f"{FS}/flows")  # fetch the token first
    emulator.set_knobs(rate_limit_per_s=3)
    statuses = [api.get(f"{FS}/flows").status_code for _ in range(6)]
    assert statuses.count(429) >= 2
    limited = api.get(f"{FS}/flows")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json() == {"error_code": "429050", "message": "Too many requests"}
    # each budget is counted on its own: the AEP org is over its limit, a Customer.io key is not
    hooks = f"{emulator.base_url}/v1/reporting_webhooks"
    auth = {"Authorization": f"Bearer {emulator.cio_app_api_key}"}
    assert [requests.get(hooks, headers=auth, timeout=10).status_code for _ in range(3)] == [200] * 3
    assert requests.get(hooks, headers=auth, timeout=10).status_code == 429


def test_knob_and_fault_validation(emulator: EmulatorAdmin) -> None:
    with pytest.raises(AdminError) as unknown:
        emulator.set_knobs(nope=1)
    assert unknown.value.status == 400
    with pytest.raises(AdminError):
        emulator.add_fault(status=500)  # matches nothing
    with pytest.raises(AdminError):
        emulator.add_fault(operation="x", probability=2)
    assert emulator.knobs()["inlet_url_delay_s"] == 0.2


def test_reset_state_and_edit(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    emulator.set_knobs(latency_ms=5)
    state = emulator.state()
    assert set(state["sandboxes"]) == {"prod", "dev", "stage"}
    assert [f["id"] for f in state["sandboxes"]["prod"]["flow"]] == [chain["flow"]["id"]]
    edited = emulator.edit(
        "flow", chain["flow"]["id"], patch=[{"op": "replace", "path": "/name", "value": "drift"}]
    )
    item = ok(api.get(f"{FS}/flows/{chain['flow']['id']}"))["items"][0]
    assert item["name"] == "drift" and item["etag"] == edited["etag"] != chain["flow"]["etag"]
    emulator.edit("schema", chain["schema"]["$id"], set={"description": "changed"})
    with pytest.raises(AdminError):
        emulator.edit("flow", "missing", set={"name": "x"})
    emulator.reset()
    assert emulator.state()["sandboxes"]["prod"] == {}
    assert emulator.knobs()["latency_ms"] == 0
