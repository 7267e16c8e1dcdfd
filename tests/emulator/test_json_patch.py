"""JSON Patch on Schema Registry, Catalog and Flow Service: an array index that RFC 6901 does not allow
(a leading zero, a non-ASCII digit, a sign, a fraction) is a 400 in the service's own error shape, is never
applied and never a 500."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from emulator.testing import AdminError, EmulatorAdmin
from tests.emulator.helpers import CAT, FS, SR, XED, Api, build_chain, ok

# "01": leading zero; "\u0661": ARABIC-INDIC DIGIT ONE; "\u00b2": SUPERSCRIPT TWO (both pass str.isdigit())
BAD_INDEXES = ["01", "00", "\u0661", "\u00b2", "\uff11", "-1", "+1", "1.0", " 1", "1e0"]


def _ops(array: str, index: str) -> list[list[dict[str, Any]]]:
    """One patch per operation that addresses `array[index]`."""
    path = f"{array}/{index}"
    return [
        [{"op": "remove", "path": path}],
        [{"op": "add", "path": path, "value": {"$ref": "x"}}],
        [{"op": "replace", "path": path, "value": {"$ref": "x"}}],
    ]


@pytest.fixture
def chain(emulator: EmulatorAdmin) -> dict[str, Any]:
    return build_chain(Api(emulator), emulator.tenant_id)


@pytest.mark.parametrize("index", BAD_INDEXES)
def test_schema_registry_refuses_bad_index(
    chain: dict[str, Any], emulator: EmulatorAdmin, index: str
) -> None:
    api = Api(emulator)
    path = f"{SR}/tenant/schemas/{urllib.parse.quote(chain['schema']['$id'], safe='')}"
    for operations in _ops("/allOf", index):
        response = api.patch(path, operations)
        assert response.status_code == 400, (operations, response.text)
        body = response.json()
        assert body["type"] == "http://ns.adobe.com/aep/errors/XDM-1000-400", body
        assert "Invalid JSON Patch" in body["detail"]
    schema = ok(api.get(path, headers={"Accept": XED}))
    assert schema["version"] == "1.0" and schema["allOf"] == chain["schema"]["allOf"]


@pytest.mark.parametrize("index", BAD_INDEXES)
def test_catalog_refuses_bad_index(chain: dict[str, Any], emulator: EmulatorAdmin, index: str) -> None:
    api = Api(emulator)
    dataset_id = chain["dataset_id"]
    path = f"{CAT}/dataSets/{dataset_id}"
    add_list = {"op": "add", "path": "/tags/list", "value": ["a", "b"]}
    for operations in _ops("/tags/list", index):
        response = api.patch(path, [add_list, *operations])
        assert response.status_code == 400, (operations, response.text)
        body = response.json()
        assert body["code"] == "err-badPatch" and body["requestId"] == response.headers["x-request-id"]
    assert "list" not in ok(api.get(path))[dataset_id].get("tags", {})


@pytest.mark.parametrize("index", BAD_INDEXES)
def test_flow_service_refuses_bad_index(chain: dict[str, Any], emulator: EmulatorAdmin, index: str) -> None:
    api = Api(emulator)
    flow = chain["flow"]
    path = f"{FS}/flows/{flow['id']}"
    for operations in _ops("/transformations", index):
        response = api.patch(path, operations, headers={"If-Match": flow["etag"]})
        assert response.status_code == 400, (operations, response.text)
        body = response.json()
        assert body["type"] == "https://ns.adobe.com/aep/errors/FLOW-1455-400", body
        assert body["errorMessage"].startswith("Error while validating patch instructions")
    item = ok(api.get(path))["items"][0]
    assert item["etag"] == flow["etag"] and len(item["transformations"]) == 1


def test_valid_index_still_applies(chain: dict[str, Any], emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    path = f"{CAT}/dataSets/{chain['dataset_id']}"
    patch = [
        {"op": "add", "path": "/tags/list", "value": ["a", "b"]},
        {"op": "remove", "path": "/tags/list/0"},
        {"op": "add", "path": "/tags/list/-", "value": "c"},
    ]
    ok(api.patch(path, patch))
    assert ok(api.get(path))[chain["dataset_id"]]["tags"]["list"] == ["b", "c"]


def test_catalog_patch_modes_follow_the_content_type(chain: dict[str, Any], emulator: EmulatorAdmin) -> None:
    """catalog.yaml patchDataset: application/json-patch+json = RFC 6902, application/json = fields."""
    api = Api(emulator)
    path = f"{CAT}/dataSets/{chain['dataset_id']}"
    as_json = {"Content-Type": "application/json"}
    ops = [{"op": "replace", "path": "/description", "value": "x"}]
    assert api.call("PATCH", path, ops, headers=as_json).status_code == 400  # an array is no field object
    ok(api.call("PATCH", path, {"description": "by fields"}, headers=as_json))
    assert ok(api.get(path))[chain["dataset_id"]]["description"] == "by fields"
    ok(api.patch(path, ops))
    assert ok(api.get(path))[chain["dataset_id"]]["description"] == "x"
    text = api.call("PATCH", path, data="{}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415


def test_admin_edit_refuses_bad_index(chain: dict[str, Any], emulator: EmulatorAdmin) -> None:
    with pytest.raises(AdminError) as raised:
        emulator.edit("flow", chain["flow"]["id"], patch=[{"op": "remove", "path": "/transformations/01"}])
    assert raised.value.status == 400 and "Invalid patch" in raised.value.body["error"]
