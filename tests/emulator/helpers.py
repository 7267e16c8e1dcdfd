"""A deliberately naive HTTP helper for emulator tests (it shares nothing with providers/)."""

from __future__ import annotations

import time
from typing import Any

import requests

from emulator.testing import EmulatorAdmin

FS = "/data/foundation/flowservice"
SR = "/data/foundation/schemaregistry"
CAT = "/data/foundation/catalog"
DP = "/data/foundation/conversion"
XED = "application/vnd.adobe.xed+json; version=1"
XED_FULL = "application/vnd.adobe.xed-full+json; version=1"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
CIO_SOURCE_SPEC = "96479064-7b8a-4d69-b9ed-21c5683837ea"
CIO_PROVIDER = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
DATA_LAKE_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
FLOW_SPEC = "e77fde5a-22a8-11ed-861d-0242ac120002"
TIMESTAMP_EXPR = "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")"


class Api:
    def __init__(self, emulator: EmulatorAdmin, sandbox: str = "prod") -> None:
        self.emulator = emulator
        self.base = emulator.base_url
        self.sandbox = sandbox
        self.session = requests.Session()
        self.headers = emulator.platform_headers(sandbox)

    def call(
        self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        merged = {**self.headers, **(headers or {})}
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base + path, json=json, headers=merged, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.call("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        if "/catalog/" in path and isinstance(json, list):  # Catalog: JSON Patch needs its media type
            kw["headers"] = {"Content-Type": "application/json-patch+json", **(kw.get("headers") or {})}
        return self.call("PATCH", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.call("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", path, **kw)

    def cio(self, method: str, path: str, json: Any = None, key: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {key or self.emulator.cio_app_api_key}"}
        return self.session.request(
            method, self.base + "/v1/reporting_webhooks" + path, json=json, headers=headers, timeout=30
        )


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def fieldgroup_body(
    tenant: str,
    title: str = "Customer.io reporting webhook fields",
    fields: tuple[str, ...] = ("cio_id", "email", "metric", "object_type", "event_id", "id"),
) -> dict[str, Any]:
    return {
        "title": title,
        "description": "Customer.io fields",
        "type": "object",
        "meta:intendedToExtend": [EXPERIENCE_EVENT],
        "definitions": {
            "cio": {
                "properties": {
                    f"_{tenant}": {
                        "type": "object",
                        "properties": {name: {"type": "string", "title": name} for name in fields},
                    }
                }
            }
        },
        "allOf": [{"$ref": "#/definitions/cio"}],
    }


def build_chain(
    api: Api,
    tenant: str,
    mappings: list[dict[str, Any]] | None = None,
    fields: tuple[str, ...] = ("cio_id", "email", "metric", "object_type", "event_id", "id"),
    suffix: str = "",
) -> dict[str, Any]:
    """Field group → schema → dataset → connections → mapping set → flow; returns the ids."""
    group = ok(
        api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(tenant, "CIO fields" + suffix, fields)), 201
    )
    schema = ok(
        api.post(
            f"{SR}/tenant/schemas",
            {
                "title": "Customer.io events" + suffix,
                "type": "object",
                "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}],
            },
        ),
        201,
    )
    created = ok(
        api.post(
            f"{CAT}/dataSets",
            {
                "name": "Customer.io events" + suffix,
                "schemaRef": {"id": schema["$id"], "contentType": "application/vnd.adobe.xed+json;version=1"},
            },
        ),
        201,
    )
    dataset_id = created[0].split("/")[-1]
    source = ok(
        api.post(
            f"{FS}/sourceConnections",
            {
                "name": "CIO source" + suffix,
                "providerId": CIO_PROVIDER,
                "connectionSpec": {"id": CIO_SOURCE_SPEC, "version": "1.0"},
                "data": {"format": "json"},
            },
        ),
        201,
    )
    target = ok(
        api.post(
            f"{FS}/targetConnections",
            {
                "name": "CIO target" + suffix,
                "connectionSpec": {"id": DATA_LAKE_SPEC, "version": "1.0"},
                "data": {
                    "format": "json",
                    "schema": {
                        "id": schema["$id"],
                        "version": "application/vnd.adobe.xed-full+json;version=1",
                    },
                },
                "params": {"dataSetId": dataset_id},
            },
        ),
        201,
    )
    if mappings is None:
        mappings = default_mappings(tenant)
    mapping = ok(
        api.post(
            f"{DP}/mappingSets",
            {
                "outputSchema": {
                    "schemaRef": {
                        "id": schema["$id"],
                        "contentType": "application/vnd.adobe.xed-full+json;version=1",
                    }
                },
                "mappings": mappings,
            },
        )
    )
    flow = ok(
        api.post(
            f"{FS}/flows",
            {
                "name": "CIO flow" + suffix,
                "flowSpec": {"id": FLOW_SPEC, "version": "1.0"},
                "sourceConnectionIds": [source["id"]],
                "targetConnectionIds": [target["id"]],
                "transformations": [
                    {"name": "Mapping", "params": {"mappingId": mapping["id"], "mappingVersion": 0}}
                ],
            },
        ),
        201,
    )
    return {
        "fieldgroup": group,
        "schema": schema,
        "dataset_id": dataset_id,
        "source": source,
        "target": target,
        "mapping": mapping,
        "flow": flow,
    }


def default_mappings(tenant: str) -> list[dict[str, Any]]:
    return [
        {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
        {"sourceType": "EXPRESSION", "source": TIMESTAMP_EXPR, "destination": "timestamp"},
        {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": f"_{tenant}.event_id"},
        {"sourceType": "ATTRIBUTE", "source": "object_type", "destination": f"_{tenant}.object_type"},
        {"sourceType": "ATTRIBUTE", "source": "metric", "destination": f"_{tenant}.metric"},
        {"sourceType": "ATTRIBUTE", "source": "data.identifiers.id", "destination": f"_{tenant}.id"},
        {"sourceType": "ATTRIBUTE", "source": "data.identifiers.email", "destination": f"_{tenant}.email"},
        {"sourceType": "ATTRIBUTE", "source": "data.identifiers.cio_id", "destination": f"_{tenant}.cio_id"},
    ]


def wait_for_inlet(api: Api, flow_id: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        flow = ok(api.get(f"{FS}/flows/{flow_id}"))["items"][0]
        url = flow.get("options", {}).get("inletUrl")
        if url:
            return str(url)
        assert time.monotonic() < deadline, "inletUrl never appeared"
        time.sleep(0.05)
