"""Additive-only XDM evolution once a dataset of the schema holds ingested data (XDM-1527-400)."""

from __future__ import annotations

import copy
import urllib.parse
from typing import Any

import pytest
import requests

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import EXPERIENCE_EVENT, SR, Api, build_chain, fieldgroup_body, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT

BREAKING = "http://ns.adobe.com/aep/errors/XDM-1527-400"


def _path(kind: str, obj: dict[str, Any]) -> str:
    return f"{SR}/tenant/{kind}/{urllib.parse.quote(obj['$id'], safe='')}"


def _ingest(emulator: EmulatorAdmin, api: Api, chain: dict[str, Any]) -> None:
    flow_id = chain["flow"]["id"]
    url = f"{wait_for_inlet(api, flow_id)}?x-adobe-flow-id={flow_id}"
    ok(requests.post(url, json=SAMPLE_EVENT, timeout=10))
    assert len(emulator.records(chain["dataset_id"])) == 1


def _group_put_body(emulator: EmulatorAdmin, chain: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    body = fieldgroup_body(emulator.tenant_id, chain["fieldgroup"]["title"])
    body["definitions"]["cio"]["properties"][f"_{emulator.tenant_id}"]["properties"] = fields
    return body


def _fields(emulator: EmulatorAdmin, chain: dict[str, Any]) -> dict[str, Any]:
    ns = chain["fieldgroup"]["definitions"]["cio"]["properties"][f"_{emulator.tenant_id}"]
    return copy.deepcopy(ns["properties"])


@pytest.fixture
def chain(emulator: EmulatorAdmin) -> dict[str, Any]:
    return build_chain(Api(emulator), emulator.tenant_id)


def _assert_breaking(response: requests.Response, *words: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == BREAKING
    assert body["title"] == "Breaking change not allowed"
    assert body["status"] == 400
    assert body["detail"] == body["report"]["detailed-message"]
    for word in words:
        assert word in body["detail"], body["detail"]


def test_breaking_changes_are_allowed_before_ingestion(
    emulator: EmulatorAdmin, chain: dict[str, Any]
) -> None:
    api = Api(emulator)
    fields = _fields(emulator, chain)
    del fields["email"]
    fields["metric"] = {"type": "integer", "title": "Metric"}
    put = ok(api.put(_path("fieldgroups", chain["fieldgroup"]), _group_put_body(emulator, chain, fields)))
    assert put["version"] == "1.1"
    extra = ok(
        api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id, "Extra", ("x",))), 201
    )
    schema = chain["schema"]
    both = [{"$ref": EXPERIENCE_EVENT}, {"$ref": chain["fieldgroup"]["$id"]}, {"$ref": extra["$id"]}]
    ok(api.put(_path("schemas", schema), {"title": schema["title"], "type": "object", "allOf": both}))
    ok(api.put(_path("schemas", schema), {"title": schema["title"], "type": "object", "allOf": both[:2]}))


def test_field_removal_after_ingestion_is_rejected(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    _ingest(emulator, api, chain)
    fields = _fields(emulator, chain)
    del fields["email"]
    put = api.put(_path("fieldgroups", chain["fieldgroup"]), _group_put_body(emulator, chain, fields))
    _assert_breaking(
        put, f"removes field '_{emulator.tenant_id}.email'", chain["dataset_id"], chain["schema"]["$id"]
    )
    patch = api.patch(
        _path("fieldgroups", chain["fieldgroup"]),
        [{"op": "remove", "path": f"/definitions/cio/properties/_{emulator.tenant_id}/properties/email"}],
    )
    _assert_breaking(patch, f"'_{emulator.tenant_id}.email'")
    group = ok(
        api.get(
            _path("fieldgroups", chain["fieldgroup"]),
            headers={"Accept": "application/vnd.adobe.xed+json; version=1"},
        )
    )
    assert group["version"] == "1.0"
    assert "email" in group["definitions"]["cio"]["properties"][f"_{emulator.tenant_id}"]["properties"]


def test_type_change_after_ingestion_is_rejected(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    _ingest(emulator, api, chain)
    patch = api.patch(
        _path("fieldgroups", chain["fieldgroup"]),
        [
            {
                "op": "replace",
                "path": f"/definitions/cio/properties/_{emulator.tenant_id}/properties/metric/type",
                "value": "integer",
            }
        ],
    )
    _assert_breaking(
        patch, f"changes the type of field '_{emulator.tenant_id}.metric' from string to integer"
    )
    fields = _fields(emulator, chain)
    fields["metric"] = {"type": "string", "format": "date-time", "title": "metric"}
    put = api.put(_path("fieldgroups", chain["fieldgroup"]), _group_put_body(emulator, chain, fields))
    _assert_breaking(put, "from string to string (date-time)")


def test_field_group_removal_from_schema_after_ingestion_is_rejected(
    emulator: EmulatorAdmin, chain: dict[str, Any]
) -> None:
    api = Api(emulator)
    _ingest(emulator, api, chain)
    schema = chain["schema"]
    put = api.put(
        _path("schemas", schema),
        {"title": schema["title"], "type": "object", "allOf": [{"$ref": EXPERIENCE_EVENT}]},
    )
    _assert_breaking(put, f"removes field group '{chain['fieldgroup']['$id']}'", chain["dataset_id"])
    patch = api.patch(_path("schemas", schema), [{"op": "remove", "path": "/allOf/1"}])
    _assert_breaking(patch, "from 'allOf'")


def test_additive_changes_after_ingestion_succeed(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    _ingest(emulator, api, chain)
    fields = _fields(emulator, chain)
    fields["email"] = {"type": "string", "title": "E-mail address", "description": "Recipient"}
    fields["opened"] = {"type": "boolean", "title": "Opened"}
    body = _group_put_body(emulator, chain, fields)
    body["description"] = "Customer.io fields, now with opens"
    group = ok(api.put(_path("fieldgroups", chain["fieldgroup"]), body))
    assert group["version"] == "1.1"
    extra = ok(
        api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id, "Extra", ("x",))), 201
    )
    schema = chain["schema"]
    patched = ok(
        api.patch(
            _path("schemas", schema),
            [
                {"op": "add", "path": "/allOf/-", "value": {"$ref": extra["$id"]}},
                {"op": "replace", "path": "/title", "value": "Customer.io events (renamed)"},
            ],
        )
    )
    assert extra["$id"] in patched["meta:extends"]


def test_knob_off_allows_breaking_changes(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    assert emulator.knobs()["xdm_additive_only_after_ingest"] is True
    emulator.set_knobs(xdm_additive_only_after_ingest=False)
    api = Api(emulator)
    _ingest(emulator, api, chain)
    fields = _fields(emulator, chain)
    del fields["email"]
    fields["metric"] = {"type": "integer", "title": "Metric"}
    ok(api.put(_path("fieldgroups", chain["fieldgroup"]), _group_put_body(emulator, chain, fields)))
    ok(api.patch(_path("schemas", chain["schema"]), [{"op": "remove", "path": "/allOf/1"}]))


def test_other_schemas_and_deletes_are_unaffected(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api = Api(emulator)
    _ingest(emulator, api, chain)
    other = build_chain(api, emulator.tenant_id, suffix=" 2")  # no data ingested there
    fields = _fields(emulator, other)
    del fields["email"]
    ok(api.put(_path("fieldgroups", other["fieldgroup"]), _group_put_body(emulator, other, fields)))
    # Deleting the dataset drops its data: the schema may then change freely again.
    ok(api.delete(f"/data/foundation/catalog/dataSets/{chain['dataset_id']}"))
    fields = _fields(emulator, chain)
    del fields["email"]
    ok(api.put(_path("fieldgroups", chain["fieldgroup"]), _group_put_body(emulator, chain, fields)))
