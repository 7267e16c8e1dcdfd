"""Lists: orderby (Flow Service `name`/`-name`, Schema Registry `title`), Schema Registry paging by
sort key (`start` from `_page.next`, limit 1..500), opaque Flow Service continuation tokens."""

from __future__ import annotations

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import FS, SR, Api, ok

SOURCE = {
    "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
    "connectionSpec": {"id": "96479064-7b8a-4d69-b9ed-21c5683837ea", "version": "1.0"},
    "data": {"format": "json"},
}
IDS = {"Accept": "application/vnd.adobe.xed-id+json"}


def test_flow_service_orderby_and_opaque_tokens(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    for name in ("b", "c", "a"):
        ok(api.post(f"{FS}/sourceConnections", {**SOURCE, "name": name}), 201)
    names = [i["name"] for i in ok(api.get(f"{FS}/sourceConnections", params={"orderby": "-name"}))["items"]]
    assert names == ["c", "b", "a"]
    first = ok(api.get(f"{FS}/sourceConnections", params={"orderby": "name", "limit": 2}))
    href = first["_links"]["next"]["href"]
    token = href.split("continuationToken=")[1]
    rest = ok(api.get(f"{FS}/sourceConnections", params={"orderby": "name", "continuationToken": token}))
    assert [i["name"] for i in first["items"] + rest["items"]] == ["a", "b", "c"]
    for bad in ("-5", "2", "abc"):
        refused = api.get(f"{FS}/sourceConnections", params={"continuationToken": bad})
        assert refused.status_code == 400 and refused.json()["type"].endswith("FLOW-1453-400"), bad
    unknown = api.get(f"{FS}/sourceConnections", params={"orderby": "colour"})
    assert unknown.status_code == 400 and unknown.json()["type"].endswith("FLOW-1433-400")


def test_schema_registry_pages_by_sort_key(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    for title in ("gamma", "alpha", "beta"):
        body = {
            "title": title,
            "type": "object",
            "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/experienceevent"],
            "definitions": {
                "d": {
                    "properties": {
                        f"_{emulator.tenant_id}": {
                            "type": "object",
                            "properties": {"f": {"type": "string", "title": "f"}},
                        }
                    }
                }
            },
            "allOf": [{"$ref": "#/definitions/d"}],
        }
        ok(api.post(f"{SR}/tenant/fieldgroups", body), 201)
    path = f"{SR}/tenant/fieldgroups"
    page = ok(api.get(path, params={"orderby": "title", "limit": 2}, headers=IDS))
    assert [r["title"] for r in page["results"]] == ["alpha", "beta"] and page["_page"]["next"] == "gamma"
    rest = ok(api.get(path, params={"orderby": "title", "start": "gamma"}, headers=IDS))
    assert [r["title"] for r in rest["results"]] == ["gamma"] and rest["_page"]["next"] is None
    desc = ok(api.get(path, params={"orderby": "-title"}, headers=IDS))
    assert [r["title"] for r in desc["results"]] == ["gamma", "beta", "alpha"]
    assert api.get(path, params={"orderby": "title", "limit": 501}, headers=IDS).status_code == 400
    assert ok(api.get(path, params={"orderby": "title", "limit": 500}, headers=IDS))["_page"]["count"] == 3
    assert api.get(path, params={"start": "a"}, headers=IDS).status_code == 400  # start needs orderby
