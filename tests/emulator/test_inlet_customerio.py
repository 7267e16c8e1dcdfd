"""Streaming inlet behaviour and the Customer.io App API / event delivery."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulator.customerio.events import FAMILIES
from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import CAT, DP, FS, Api, build_chain, default_mappings, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT


@pytest.fixture
def live(emulator: EmulatorAdmin) -> dict[str, Any]:
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    chain["url"] = f"{wait_for_inlet(api, chain['flow']['id'])}?x-adobe-flow-id={chain['flow']['id']}"
    return chain


def test_inlet_maps_and_stores(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    response = requests.post(live["url"], json=SAMPLE_EVENT, timeout=10)
    body = ok(response)
    assert body["inletId"] == live["url"].split("/collection/")[1].split("?")[0]
    [record] = emulator.records(live["dataset_id"])
    t = f"_{emulator.tenant_id}"
    assert record["_id"] == SAMPLE_EVENT["event_id"]
    assert record["timestamp"] == "2021-02-11T17:04:49.000Z"
    assert record[t] == {
        "event_id": SAMPLE_EVENT["event_id"],
        "object_type": "customer",
        "metric": "subscribed",
        "id": "42",
        "email": "test@example.com",
        "cio_id": "d9c106000001",
    }
    assert record["_acp_system_metadata"]["xactionId"] == body["xactionId"]
    assert emulator.records(live["dataset_id"], sandbox="dev") == []
    api = Api(emulator)
    batches = ok(api.get(f"{CAT}/batches", params={"dataSet": live["dataset_id"], "limit": 1}))
    [batch_id] = batches
    dataset = ok(api.get(f"{CAT}/dataSets/{live['dataset_id']}"))[live["dataset_id"]]
    assert dataset["lastBatchId"] == batch_id
    assert ok(api.get(f"{CAT}/batches", params={"dataSet": "0" * 24})) == {}


def test_flow_id_header_works_too(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    bare = live["url"].split("?")[0]
    assert requests.post(bare, json=SAMPLE_EVENT, timeout=10).status_code == 400
    headers = {"x-adobe-flow-id": live["flow"]["id"]}
    assert requests.post(bare, json=SAMPLE_EVENT, headers=headers, timeout=10).status_code == 200


def test_invalid_records_fail_in_runs(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    api = Api(emulator)
    bad = {**SAMPLE_EVENT, "timestamp": "not a number"}
    assert requests.post(live["url"], json=bad, timeout=10).status_code == 200  # asynchronous, like AEP
    assert emulator.records(live["dataset_id"]) == []
    runs = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={live['flow']['id']}"}))["items"]
    summary = runs[0]["metrics"]
    assert summary["recordSummary"]["failedRecordCount"] == 1
    assert summary["statusSummary"]["status"] == "failed" and summary["statusSummary"]["errors"]
    sync = requests.post(live["url"] + "&syncValidation=true", json=bad, timeout=10)
    assert sync.status_code == 400 and sync.json()["report"]["errors"]


def test_inlet_rejections(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    api = Api(emulator)
    too_big = requests.post(
        live["url"],
        data=b'{"a":"' + b"x" * (1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert too_big.status_code == 413
    assert requests.post(live["url"], data=b"{not json", timeout=10).status_code == 400
    assert requests.post(live["url"], json=[1, 2], timeout=10).status_code == 400
    wrong_flow = live["url"].replace(live["flow"]["id"], "00000000-0000-4000-8000-000000000000")
    assert requests.post(wrong_flow, json=SAMPLE_EVENT, timeout=10).status_code == 400
    ok(api.post(f"{FS}/flows/{live['flow']['id']}/action", params={"op": "DISABLE"}))
    assert requests.post(live["url"], json=SAMPLE_EVENT, timeout=10).status_code == 400
    ok(api.post(f"{FS}/flows/{live['flow']['id']}/action", params={"op": "ENABLE"}))
    assert requests.post(live["url"], json=SAMPLE_EVENT, timeout=10).status_code == 200
    assert api.delete(f"{FS}/flows/{live['flow']['id']}").status_code == 204
    assert requests.post(live["url"], json=SAMPLE_EVENT, timeout=10).status_code == 404


def test_inlet_uses_the_flows_mapping_version(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    api = Api(emulator)
    t = f"_{emulator.tenant_id}"
    mappings = [m for m in default_mappings(emulator.tenant_id) if m["destination"] != f"{t}.metric"]
    body = {
        "outputSchema": {
            "schemaRef": {
                "id": live["schema"]["$id"],
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            }
        },
        "mappings": mappings,
    }
    ok(api.put(f"{DP}/mappingSets/{live['mapping']['id']}", body))
    ok(requests.post(live["url"], json=SAMPLE_EVENT, timeout=10))
    assert "metric" in emulator.records(live["dataset_id"])[-1][t]  # the flow still runs version 0


def test_webhook_crud_and_validation(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    assert api.cio("GET", "", key="wrong").status_code == 401
    body = {"name": "AEP", "endpoint": "https://example.com/x", "events": ["email_sent"]}
    created = ok(api.cio("POST", "", body))
    assert created == {
        "id": created["id"],
        "type": "webhook",
        "disabled": False,
        "full_resolution": False,
        "with_content": False,
        **body,
    }
    assert ok(api.cio("GET", ""))["reporting_webhooks"] == [created]
    assert ok(api.cio("GET", f"/{created['id']}")) == created
    assert api.cio("POST", "", {**body, "events": ["email_exploded"]}).status_code == 400
    assert api.cio("POST", "", {**body, "endpoint": "not a url"}).status_code == 400
    assert api.cio("POST", "", {"name": "x"}).status_code == 400
    assert api.cio("PUT", f"/{created['id']}", {"disabled": True}).status_code == 400  # full body required
    updated = ok(api.cio("PUT", f"/{created['id']}", {**body, "disabled": True}))
    assert updated["disabled"] is True
    emulator.set_knobs(cio_partial_put=True)
    assert ok(api.cio("PUT", f"/{created['id']}", {"disabled": False}))["name"] == "AEP"
    delete = api.cio("DELETE", f"/{created['id']}")
    assert delete.status_code == 200 and delete.content == b""
    assert api.cio("GET", f"/{created['id']}").status_code == 404
    assert api.cio("DELETE", f"/{created['id']}").status_code == 404


def test_delivery_goes_only_to_enabled_subscribers(emulator: EmulatorAdmin, live: dict[str, Any]) -> None:
    api = Api(emulator)
    subscribed = ok(api.cio("POST", "", {"name": "on", "endpoint": live["url"], "events": ["sms_sent"]}))
    ok(
        api.cio(
            "POST", "", {"name": "off", "endpoint": live["url"], "events": ["sms_sent"], "disabled": True}
        )
    )
    ok(api.cio("POST", "", {"name": "other", "endpoint": live["url"], "events": ["push_sent"]}))
    result = emulator.deliver("sms_sent", data={"identifiers": {"cio_id": None}})
    assert [(d["webhook_id"], d["status"]) for d in result["deliveries"]] == [(subscribed["id"], 200)]
    assert "cio_id" not in result["event"]["data"]["identifiers"]  # test mode sends no cio_id
    [record] = emulator.records(live["dataset_id"])
    assert record[f"_{emulator.tenant_id}"]["object_type"] == "sms"
    assert "cio_id" not in record[f"_{emulator.tenant_id}"]
    unreachable = ok(
        api.cio("POST", "", {"name": "dead", "endpoint": "http://127.0.0.1:9/x", "events": ["slack_sent"]})
    )
    failed = emulator.deliver("slack_sent")["deliveries"]
    assert failed[0]["webhook_id"] == unreachable["id"] and failed[0]["status"] is None and failed[0]["error"]


@pytest.mark.parametrize("family", ["customer", "email", "sms", "push", "in_app", "slack", "webhook"])
def test_every_family_lands_in_the_dataset(
    emulator: EmulatorAdmin, live: dict[str, Any], family: str
) -> None:
    events = [f"{family}_{metric}" for metric in FAMILIES[family]]
    ok(Api(emulator).cio("POST", "", {"name": family, "endpoint": live["url"], "events": events}))
    for event in events[:3]:
        result = emulator.deliver(event)
        payload = result["event"]
        assert set(payload) == {"event_id", "object_type", "metric", "timestamp", "data"}
        assert payload["object_type"] == family and isinstance(payload["timestamp"], int)
        assert payload["data"]["identifiers"]["id"] == "42"
        assert result["deliveries"][0]["status"] == 200
    assert len(emulator.records(live["dataset_id"])) == 3


def test_each_app_api_key_sees_only_its_own_workspace(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    body = {"name": "second", "endpoint": "https://example.com/hook", "events": ["email_sent"]}
    created = ok(api.cio("POST", "", body, key=emulator.cio_second_app_api_key))
    hook_id = created["id"]
    assert api.cio("GET", f"/{hook_id}").status_code == 404  # the first workspace's key
    assert ok(api.cio("GET", "", key=None))["reporting_webhooks"] == []
    assert ok(api.cio("GET", f"/{hook_id}", key=emulator.cio_second_app_api_key))["name"] == "second"
    assert api.cio("DELETE", f"/{hook_id}").status_code == 404
    state = emulator.state()["customerio"]
    assert state["webhooks"] == [] and [h["id"] for h in state["workspaces"]["workspace-2"]] == [hook_id]
    assert api.cio("GET", "", key="not-a-key").status_code == 401
