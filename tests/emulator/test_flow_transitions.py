"""Flows pass through `enabling` / `disabling` / `updating` (knob `flow_transition_s`).

AEP's Flow Service answers an enable, disable or PATCH of a flow before the change has settled (Flow
Service API: https://developer.adobe.com/experience-platform-apis/references/flow-service/).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import FS, Api, build_chain, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT

TRANSITION_S = 1.0


def _code(response: requests.Response) -> str:
    body = response.json()
    assert response.status_code == 400, body
    assert body["type"].startswith("https://ns.adobe.com/aep/errors/FLOW-"), body
    assert body["status"] == 400 and body["title"] == "Invalid request"  # the catalogue's title
    assert body["report"]["request-id"] == response.headers["x-request-id"]
    assert body["errorMessage"] == body["report"]["detailed-message"]
    return str(body["type"].rsplit("FLOW-", 1)[1])


@pytest.fixture
def flow(emulator: EmulatorAdmin) -> dict[str, Any]:
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    chain["path"] = f"{FS}/flows/{chain['flow']['id']}"
    emulator.set_knobs(flow_transition_s=TRANSITION_S)
    return chain


def _item(api: Api, path: str) -> dict[str, Any]:
    item: dict[str, Any] = ok(api.get(path))["items"][0]
    return item


def _settle(api: Api, path: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        item = _item(api, path)
        if item["state"] in ("enabled", "disabled") or time.monotonic() > deadline:
            return item
        time.sleep(0.05)


def _rename(api: Api, path: str, name: str = "Renamed") -> requests.Response:
    etag = _item(api, path)["etag"]
    return api.patch(path, [{"op": "replace", "path": "/name", "value": name}], headers={"If-Match": etag})


def test_default_is_immediate(emulator: EmulatorAdmin) -> None:
    assert emulator.knobs()["flow_transition_s"] == 0.0
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    path = f"{FS}/flows/{chain['flow']['id']}"
    ok(api.post(f"{path}/action", params={"op": "DISABLE"}))
    item = _item(api, path)
    assert item["state"] == "disabled" and "status" not in item["lastOperation"]
    ok(_rename(api, path))
    assert _item(api, path)["state"] == "disabled"


def test_disable_passes_through_disabling(emulator: EmulatorAdmin, flow: dict[str, Any]) -> None:
    api = Api(emulator)
    path = flow["path"]
    started = time.monotonic()
    answer = ok(api.post(f"{path}/action", params={"op": "DISABLE"}))
    assert set(answer) == {"id", "etag"}
    item = _item(api, path)
    assert item["state"] == "disabling" and item["etag"] == answer["etag"]
    assert item["lastOperation"]["operation"] == "disable"
    assert item["lastOperation"]["status"] == {"value": "IN_PROGRESS"}
    listed = ok(api.get(f"{FS}/flows", params={"property": "state==disabling"}))["items"]
    assert [f["id"] for f in listed] == [flow["flow"]["id"]]

    # while disabling: PATCH -> 1420, DELETE -> 1416, another action -> 1422; nothing changes
    assert _code(_rename(api, path)) == "1420-400"
    assert _code(api.delete(path)) == "1416-400"
    assert _code(api.post(f"{path}/action", params={"op": "ENABLE"})) == "1422-400"
    assert _code(api.post(f"{path}/action", params={"op": "DISABLE"})) == "1422-400"

    item = _settle(api, path)
    assert time.monotonic() - started >= TRANSITION_S * 0.9
    assert item["state"] == "disabled" and item["name"] == "CIO flow"
    assert item["lastOperation"]["operation"] == "disable"
    assert item["lastOperation"]["status"] == {"value": "SUCCESS"}
    assert item["lastOperation"]["updated"] >= item["lastOperation"]["started"] + 900
    assert api.delete(path).status_code == 204


def test_enable_passes_through_enabling(emulator: EmulatorAdmin, flow: dict[str, Any]) -> None:
    api = Api(emulator)
    path = flow["path"]
    emulator.set_knobs(flow_transition_s=0)
    ok(api.post(f"{path}/action", params={"op": "DISABLE"}))
    emulator.set_knobs(flow_transition_s=TRANSITION_S)
    ok(api.post(f"{path}/action", params={"op": "ENABLE"}))
    item = _item(api, path)
    assert item["state"] == "enabling" and item["lastOperation"]["operation"] == "enable"
    # while enabling: the generic state error for PATCH and DELETE, 1422 for actions
    assert _code(_rename(api, path)) == "1416-400"
    assert _code(api.delete(path)) == "1416-400"
    assert _code(api.post(f"{path}/action", params={"op": "DISABLE"})) == "1422-400"
    assert _settle(api, path)["state"] == "enabled"
    ok(api.post(f"{path}/action", params={"op": "DISABLE"}))  # stable again: actions work


@pytest.mark.parametrize("stable", ["enabled", "disabled"])
def test_patch_passes_through_updating_and_returns(
    emulator: EmulatorAdmin, flow: dict[str, Any], stable: str
) -> None:
    api = Api(emulator)
    path = flow["path"]
    if stable == "disabled":
        emulator.set_knobs(flow_transition_s=0)
        ok(api.post(f"{path}/action", params={"op": "DISABLE"}))
        emulator.set_knobs(flow_transition_s=TRANSITION_S)
    patched = ok(_rename(api, path))
    item = _item(api, path)
    assert item["state"] == "updating" and item["etag"] == patched["etag"] and item["name"] == "Renamed"
    assert item["lastOperation"]["operation"] == "update"
    assert item["lastOperation"]["status"] == {"value": "IN_PROGRESS"}

    # while updating: PATCH -> 1421, DELETE -> 1416, actions -> 1422
    assert _code(_rename(api, path, "Again")) == "1421-400"
    assert _code(api.delete(path)) == "1416-400"
    other = "ENABLE" if stable == "disabled" else "DISABLE"
    assert _code(api.post(f"{path}/action", params={"op": other})) == "1422-400"

    item = _settle(api, path)
    assert item["state"] == stable and item["name"] == "Renamed"
    assert item["lastOperation"]["status"] == {"value": "SUCCESS"}
    ok(_rename(api, path, "Again"))


def test_enabling_flow_takes_no_data_but_a_disabling_one_still_does(
    emulator: EmulatorAdmin, flow: dict[str, Any]
) -> None:
    api = Api(emulator)
    path = flow["path"]
    url = f"{wait_for_inlet(api, flow['flow']['id'])}?x-adobe-flow-id={flow['flow']['id']}"
    ok(api.post(f"{path}/action", params={"op": "DISABLE"}))
    assert requests.post(url, json=SAMPLE_EVENT, timeout=10).status_code == 200
    _settle(api, path)
    assert requests.post(url, json=SAMPLE_EVENT, timeout=10).status_code == 400
    ok(api.post(f"{path}/action", params={"op": "ENABLE"}))
    refused = requests.post(url, json=SAMPLE_EVENT, timeout=10)
    assert refused.status_code == 400 and "enabling" in refused.text
    _settle(api, path)
    assert requests.post(url, json=SAMPLE_EVENT, timeout=10).status_code == 200
