"""Schema Registry and Catalog: shapes, Accept rules, uniqueness, namespaces, versions, deletes."""

from __future__ import annotations

import urllib.parse

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import CAT, EXPERIENCE_EVENT, SR, XED, XED_FULL, Api, fieldgroup_body, ok


def test_stats_gives_tenant(emulator: EmulatorAdmin) -> None:
    stats = ok(Api(emulator).get(f"{SR}/stats"))
    assert stats["tenantId"] == emulator.tenant_id and stats["imsOrg"] == emulator.org_id


def test_fieldgroup_lifecycle(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    tenant = emulator.tenant_id
    group = ok(api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(tenant)), 201)
    assert group["$id"].startswith(f"https://ns.adobe.com/{tenant}/mixins/")
    assert group["meta:altId"] == f"_{tenant}.mixins.{group['$id'].rsplit('/', 1)[1]}"
    assert group["version"] == "1.0"
    encoded = urllib.parse.quote(group["$id"], safe="")
    for ref in (encoded, group["meta:altId"]):
        assert ok(api.get(f"{SR}/tenant/fieldgroups/{ref}", headers={"Accept": XED}))["$id"] == group["$id"]
    missing_accept = api.get(f"{SR}/tenant/fieldgroups/{encoded}")
    assert missing_accept.status_code == 400
    assert missing_accept.json()["type"] == "http://ns.adobe.com/aep/errors/XDM-1006-400"
    no_version = api.get(
        f"{SR}/tenant/fieldgroups/{encoded}", headers={"Accept": "application/vnd.adobe.xed+json"}
    )
    assert no_version.status_code == 400 and "XDM-100" in no_version.json()["type"]

    listed = ok(
        api.get(
            f"{SR}/tenant/fieldgroups",
            params={"property": f"title=={group['title']}"},
            headers={"Accept": "application/vnd.adobe.xed-id+json"},
        )
    )
    assert [r["$id"] for r in listed["results"]] == [group["$id"]]
    none = ok(
        api.get(
            f"{SR}/tenant/fieldgroups",
            params={"property": "title==nope"},
            headers={"Accept": "application/vnd.adobe.xed-id+json"},
        )
    )
    assert none["results"] == []

    patched = ok(
        api.patch(
            f"{SR}/tenant/fieldgroups/{encoded}",
            [
                {
                    "op": "add",
                    "path": f"/definitions/cio/properties/_{tenant}/properties/extra",
                    "value": {"type": "string", "title": "Extra"},
                }
            ],
        )
    )
    assert patched["version"] == "1.1"
    replaced = ok(api.put(f"{SR}/tenant/fieldgroups/{encoded}", fieldgroup_body(tenant)))
    assert replaced["version"] == "1.2" and replaced["$id"] == group["$id"]
    assert api.delete(f"{SR}/tenant/fieldgroups/{encoded}").status_code == 204
    gone = api.get(f"{SR}/tenant/fieldgroups/{encoded}", headers={"Accept": XED})
    assert gone.status_code == 404 and gone.json()["type"].endswith("XDM-1010-404")
    assert gone.json()["report"]["registryRequestId"] == gone.headers["x-request-id"]


def test_titles_unique_across_types(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    group = ok(api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id, "Same")), 201)
    dup = api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id, "Same"))
    assert dup.status_code == 400 and dup.json()["type"].endswith("XDM-1521-400")
    schema_dup = api.post(
        f"{SR}/tenant/schemas",
        {"title": "Same", "type": "object", "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}]},
    )
    assert schema_dup.status_code == 400 and schema_dup.json()["type"].endswith("XDM-1521-400")


def test_custom_fields_only_under_tenant(emulator: EmulatorAdmin) -> None:
    body = fieldgroup_body("someoneelse")
    response = Api(emulator).post(f"{SR}/tenant/fieldgroups", body)
    assert response.status_code == 400 and response.json()["type"].endswith("XDM-1020-400")
    no_class = fieldgroup_body(emulator.tenant_id)
    del no_class["meta:intendedToExtend"]
    assert Api(emulator).post(f"{SR}/tenant/fieldgroups", no_class).status_code == 400


def test_schema_resolution_and_in_use_deletes(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    tenant = emulator.tenant_id
    group = ok(api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(tenant)), 201)
    schema = ok(
        api.post(
            f"{SR}/tenant/schemas",
            {
                "title": "Events",
                "type": "object",
                "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}],
            },
        ),
        201,
    )
    assert schema["meta:class"] == EXPERIENCE_EVENT
    # the class, its behaviour and common mixins (as in Adobe's examples), then the field groups
    assert schema["meta:extends"][0] == EXPERIENCE_EVENT and schema["meta:extends"][-1] == group["$id"]
    assert "https://ns.adobe.com/xdm/data/time-series" in schema["meta:extends"]
    assert schema["meta:xdmType"] == "object"
    enc = urllib.parse.quote(schema["$id"], safe="")
    full = ok(api.get(f"{SR}/tenant/schemas/{enc}", headers={"Accept": XED_FULL}))
    assert {"_id", "timestamp", f"_{tenant}"} <= set(full["properties"])
    assert full["required"] == ["_id", "timestamp"]
    two_classes = api.post(
        f"{SR}/tenant/schemas",
        {
            "title": "Bad",
            "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": "https://ns.adobe.com/xdm/context/profile"}],
        },
    )
    assert two_classes.status_code == 400
    unknown_group = api.post(
        f"{SR}/tenant/schemas",
        {
            "title": "Bad2",
            "allOf": [
                {"$ref": EXPERIENCE_EVENT},
                {"$ref": f"https://ns.adobe.com/{tenant}/mixins/{'0' * 32}"},
            ],
        },
    )
    assert unknown_group.status_code == 404

    created = ok(
        api.post(
            f"{CAT}/dataSets",
            {
                "name": "ds",
                "schemaRef": {"id": schema["$id"], "contentType": "application/vnd.adobe.xed+json;version=1"},
            },
        ),
        201,
    )
    assert api.delete(f"{SR}/tenant/fieldgroups/{group['meta:altId']}").status_code == 400
    assert api.delete(f"{SR}/tenant/schemas/{enc}").status_code == 400
    dataset_id = created[0].split("/")[-1]
    assert ok(api.delete(f"{CAT}/dataSets/{dataset_id}")) == [f"@/dataSets/{dataset_id}"]
    assert api.delete(f"{SR}/tenant/schemas/{enc}").status_code == 204
    assert api.delete(f"{SR}/tenant/fieldgroups/{group['meta:altId']}").status_code == 204


def test_dataset_lifecycle(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    group = ok(api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id)), 201)
    schema = ok(
        api.post(
            f"{SR}/tenant/schemas",
            {"title": "Events", "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}]},
        ),
        201,
    )
    ref = {"id": schema["$id"], "contentType": "application/vnd.adobe.xed+json;version=1"}
    response = api.post(f"{CAT}/dataSets", {"name": "Customer.io events", "schemaRef": ref})
    assert response.status_code == 201
    dataset_id = response.json()[0].split("/")[-1]
    assert response.headers["Location"].endswith(f"/dataSets/{dataset_id}")
    got = ok(api.get(f"{CAT}/dataSets/{dataset_id}"))
    assert list(got) == [dataset_id] and got[dataset_id]["name"] == "Customer.io events"
    assert got[dataset_id]["schemaRef"] == ref
    assert list(ok(api.get(f"{CAT}/dataSets", params={"name": "Customer.io events"}))) == [dataset_id]
    assert ok(api.get(f"{CAT}/dataSets", params={"name": "other"})) == {}
    patched = api.patch(
        f"{CAT}/dataSets/{dataset_id}",
        [{"op": "replace", "path": "/name", "value": "New"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert ok(patched) == [f"@/dataSets/{dataset_id}"]
    assert ok(api.get(f"{CAT}/dataSets/{dataset_id}"))[dataset_id]["name"] == "New"
    assert ok(api.delete(f"{CAT}/dataSets/{dataset_id}")) == [f"@/dataSets/{dataset_id}"]
    missing = api.get(f"{CAT}/dataSets/{dataset_id}")
    assert missing.status_code == 404 and set(missing.json()) >= {"code", "description", "requestId"}
    assert ok(api.delete(f"{CAT}/dataSets/{dataset_id}")) == []  # unknown id: 200 with an empty array
    emulator.set_knobs(catalog_delete_unknown="404")
    assert api.delete(f"{CAT}/dataSets/{dataset_id}").status_code == 404
    bad_schema = api.post(f"{CAT}/dataSets", {"name": "x", "schemaRef": {**ref, "id": ref["id"] + "0"}})
    assert bad_schema.status_code == 400
