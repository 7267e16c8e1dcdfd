"""Flow Service validations and error paths.

The behaviour follows the Flow Service API reference: https://developer.adobe.com/experience-platform-apis/references/flow-service/
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import (
    CIO_SOURCE_SPEC,
    DP,
    FS,
    Api,
    build_chain,
    default_mappings,
    ok,
    wait_for_inlet,
)


def _code(response: Any) -> str:
    body = response.json()
    assert body["type"].startswith("https://ns.adobe.com/aep/errors/FLOW-"), body
    assert body["status"] == response.status_code and body["title"]
    assert body["report"]["request-id"] == response.headers["x-request-id"]
    return str(body["type"].rsplit("FLOW-", 1)[1])


@pytest.fixture
def chain(emulator: EmulatorAdmin) -> dict[str, Any]:
    return build_chain(Api(emulator), emulator.tenant_id)


def test_state_not_allowed_on_create(emulator: EmulatorAdmin) -> None:
    response = Api(emulator).post(
        f"{FS}/sourceConnections",
        {
            "name": "x",
            "state": "enabled",
            "connectionSpec": {"id": CIO_SOURCE_SPEC, "version": "1.0"},
            "data": {"format": "json"},
        },
    )
    assert response.status_code == 400 and _code(response) == "1410-400"


def test_empty_and_invalid_bodies(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    assert _code(api.post(f"{FS}/flows", {})) == "1405-400"
    bad_format = api.post(
        f"{FS}/sourceConnections",
        {"name": "x", "connectionSpec": {"id": CIO_SOURCE_SPEC, "version": "1.0"}, "data": {"format": "csv"}},
    )
    assert bad_format.status_code == 400
    unknown_spec = api.post(
        f"{FS}/sourceConnections",
        {"name": "x", "connectionSpec": {"id": "nope", "version": "1.0"}, "data": {"format": "json"}},
    )
    assert unknown_spec.status_code == 400


def test_patch_needs_current_etag(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    path = f"{FS}/flows/{chain['flow']['id']}"
    rename = [{"op": "replace", "path": "/name", "value": "Renamed"}]
    missing = api.patch(path, rename)
    assert missing.status_code == 400 and _code(missing) == "1403-400"
    etag = ok(api.get(path))["items"][0]["etag"]
    assert etag == chain["flow"]["etag"] and etag.startswith('"')
    unquoted = api.patch(path, rename, headers={"If-Match": etag.strip('"')})
    assert unquoted.status_code == 412 and _code(unquoted) == "1404-412"
    first = ok(api.patch(path, rename, headers={"If-Match": etag}))
    assert first["etag"] != etag
    stale = api.patch(path, rename, headers={"If-Match": etag})
    assert stale.status_code == 412 and _code(stale) == "1404-412"
    assert ok(api.get(path))["items"][0]["name"] == "Renamed"
    emulator.set_knobs(accept_unquoted_etag=True)
    ok(api.patch(path, rename, headers={"If-Match": first["etag"].strip('"')}))


@pytest.mark.parametrize(
    ("op", "code"),
    [
        ({"op": "move", "from": "/name", "path": "/description"}, "1434-400"),
        ({"op": "replace", "path": "/flowSpec/id", "value": "x"}, "1455-400"),
        ({"op": "remove", "path": "/description/nope"}, "1455-400"),
    ],
)
def test_patch_validation(
    emulator: EmulatorAdmin, chain: dict[str, Any], op: dict[str, Any], code: str
) -> None:
    api = Api(emulator)
    response = api.patch(
        f"{FS}/flows/{chain['flow']['id']}", [op], headers={"If-Match": chain["flow"]["etag"]}
    )
    assert response.status_code == 400 and _code(response) == code


def test_connection_spec_is_immutable(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    source = chain["source"]
    response = Api(emulator).patch(
        f"{FS}/sourceConnections/{source['id']}",
        [{"op": "replace", "path": "/connectionSpec/id", "value": "x"}],
        headers={"If-Match": source["etag"]},
    )
    assert response.status_code == 400 and _code(response) == "1414-400"


def test_references_must_exist(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    body = {
        "name": "f",
        "flowSpec": {"id": "e77fde5a-22a8-11ed-861d-0242ac120002", "version": "1.0"},
        "sourceConnectionIds": [chain["source"]["id"]],
        "targetConnectionIds": [chain["target"]["id"]],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": chain["mapping"]["id"], "mappingVersion": 0}}
        ],
    }
    for key, value in (
        ("sourceConnectionIds", ["00000000-0000-4000-8000-000000000000"]),
        ("targetConnectionIds", ["00000000-0000-4000-8000-000000000000"]),
    ):
        assert api.post(f"{FS}/flows", {**body, key: value}).status_code == 400
    no_mapping = {**body, "transformations": [{"name": "Mapping", "params": {"mappingId": "0" * 32}}]}
    assert api.post(f"{FS}/flows", no_mapping).status_code == 400
    bad_version = {
        **body,
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": chain["mapping"]["id"], "mappingVersion": 7}}
        ],
    }
    assert _code(api.post(f"{FS}/flows", bad_version)) == "1412-400"
    string_version = {
        **body,
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": chain["mapping"]["id"], "mappingVersion": "0"}}
        ],
    }
    assert api.post(f"{FS}/flows", string_version).status_code == 201
    target = {
        "name": "t",
        "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"},
        "data": {"format": "json", "schema": {"id": chain["schema"]["$id"], "version": "x"}},
        "params": {"dataSetId": "0" * 24},
    }
    assert api.post(f"{FS}/targetConnections", target).status_code == 400


def test_mapping_schema_must_match_dataset(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    other = build_chain(api, emulator.tenant_id, suffix=" other")
    body = {
        "name": "f",
        "flowSpec": {"id": "e77fde5a-22a8-11ed-861d-0242ac120002", "version": "1.0"},
        "sourceConnectionIds": [chain["source"]["id"]],
        "targetConnectionIds": [chain["target"]["id"]],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": other["mapping"]["id"], "mappingVersion": 0}}
        ],
    }
    assert _code(api.post(f"{FS}/flows", body)) == "1425-400"


def test_in_use_deletes_and_cascade_switch(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    source_path = f"{FS}/sourceConnections/{chain['source']['id']}"
    in_use = api.delete(source_path)
    assert in_use.status_code == 400 and _code(in_use) == "1447-400"
    assert api.delete(f"{FS}/flows/{chain['flow']['id']}").status_code == 204
    assert api.delete(f"{FS}/flows/{chain['flow']['id']}").status_code == 404
    assert api.get(source_path).status_code == 200
    emulator.set_knobs(flow_delete_cascades=True)
    again = build_chain(api, emulator.tenant_id, suffix=" 2")
    assert api.delete(f"{FS}/flows/{again['flow']['id']}").status_code == 204
    assert api.get(f"{FS}/sourceConnections/{again['source']['id']}").status_code == 404


def test_enable_disable(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    flow_id = chain["flow"]["id"]
    assert _code(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "ENABLE"})) == "1422-400"
    disabled = ok(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "DISABLE"}))
    assert set(disabled) == {"id", "etag"}
    item = ok(api.get(f"{FS}/flows/{flow_id}"))["items"][0]
    assert item["state"] == "disabled" and item["lastOperation"]["operation"] == "disable"
    stale = api.post(f"{FS}/flows/{flow_id}/action", params={"op": "ENABLE"}, headers={"If-Match": '"old"'})
    assert stale.status_code == 412
    ok(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "ENABLE"}))
    assert _code(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "explode"})) == "1451-400"
    # the spec's enum is upper case; lower case only with the knob (Adobe's destination guide)
    assert _code(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "disable"})) == "1451-400"
    assert _code(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "PUBLISH"})) == "1402-400"
    sub = {"op": "DISABLE", "subOp": "PROGRESS"}
    assert _code(api.post(f"{FS}/flows/{flow_id}/action", params=sub)) == "1436-400"
    emulator.set_knobs(accept_lowercase_action_op=True)
    ok(api.post(f"{FS}/flows/{flow_id}/action", params={"op": "disable"}))


def test_lists_filters_and_paging(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    build_chain(api, emulator.tenant_id, suffix=" 2")
    flows = ok(api.get(f"{FS}/flows"))["items"]
    assert len(flows) == 2
    by_name = ok(api.get(f"{FS}/flows", params={"property": "name==CIO flow"}))["items"]
    assert [f["id"] for f in by_name] == [chain["flow"]["id"]]
    by_source = ok(
        api.get(f"{FS}/flows", params={"property": f"sourceConnectionIds[]=={chain['source']['id']}"})
    )
    assert [f["id"] for f in by_source["items"]] == [chain["flow"]["id"]]
    both = ok(
        api.get(
            f"{FS}/flows",
            params=[
                ("property", "state==enabled"),
                ("property", "inheritedAttributes.properties.isSourceFlow==true"),
            ],
        )
    )
    assert len(both["items"]) == 2
    assert ok(api.get(f"{FS}/flows", params={"count": "true"})) == {"count": 2}
    assert _code(api.get(f"{FS}/flows", params={"count": "true", "limit": 1})) == "1401-400"
    page = ok(api.get(f"{FS}/flows", params={"limit": 1}))
    assert len(page["items"]) == 1 and "continuationToken=" in page["_links"]["next"]["href"]


def test_mapping_update_follows_flow_patch(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    """PUT bumps the mapping version; the flow keeps version 0 until its transformation is patched."""
    api = Api(emulator)
    mapping_id = chain["mapping"]["id"]
    body = {
        "outputSchema": {
            "schemaRef": {
                "id": chain["schema"]["$id"],
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            }
        },
        "mappings": default_mappings(emulator.tenant_id)[:2],
    }
    updated = ok(api.put(f"{DP}/mappingSets/{mapping_id}", body))
    assert updated["id"] == mapping_id and updated["version"] == 1
    flow = ok(api.get(f"{FS}/flows/{chain['flow']['id']}"))["items"][0]
    assert flow["transformations"][0]["params"]["mappingVersion"] == 0
    patched = ok(
        api.patch(
            f"{FS}/flows/{flow['id']}",
            [
                {
                    "op": "replace",
                    "path": "/transformations/0",
                    "value": {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": 1}},
                }
            ],
            headers={"If-Match": flow["etag"]},
        )
    )
    flow = ok(api.get(f"{FS}/flows/{flow['id']}"))["items"][0]
    assert flow["etag"] == patched["etag"] and flow["transformations"][0]["params"]["mappingVersion"] == 1


def test_inlet_url_appears_after_delay(emulator: EmulatorAdmin) -> None:
    emulator.set_knobs(inlet_url_delay_s=1.0)
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    first = ok(api.get(f"{FS}/flows/{chain['flow']['id']}"))["items"][0]
    assert "inletUrl" not in first["options"]
    assert wait_for_inlet(api, chain["flow"]["id"]).startswith(emulator.base_url + "/collection/")


def test_lists_lag_behind_creates(emulator: EmulatorAdmin) -> None:
    emulator.set_knobs(list_lag_s=0.5)
    api = Api(emulator)
    created = ok(
        api.post(
            f"{FS}/sourceConnections",
            {
                "name": "lagging",
                "connectionSpec": {"id": CIO_SOURCE_SPEC, "version": "1.0"},
                "data": {"format": "json"},
            },
        ),
        201,
    )
    assert ok(api.get(f"{FS}/sourceConnections"))["items"] == []
    assert api.get(f"{FS}/sourceConnections/{created['id']}").status_code == 200
    time.sleep(0.6)
    assert [s["id"] for s in ok(api.get(f"{FS}/sourceConnections"))["items"]] == [created["id"]]
