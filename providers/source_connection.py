"""Flow Service source connection for the Customer.io streaming source (no base connection).

``SourceConnection(name, SourceConnectionArgs(...), opts)`` ->
``pulumi-python:dynamic/aep:SourceConnection``.

Inputs: ``sandbox``, ``provider_id``, ``connection_spec_id``, ``connection_spec_version``,
``data_format`` (all replace; defaults are Customer.io's), ``name`` and ``description`` (update
by JSON Patch with If-Match).
Outputs: ``source_connection_id`` (also the resource id), ``etag``.
delete_before_replace: yes (the name is the natural key that makes create idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi.dynamic import Resource

from providers import flow_service as fs
from providers.aep_client import FLOW_SERVICE
from providers.base import resource_props

CUSTOMERIO_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
CUSTOMERIO_CONNECTION_SPEC_ID = "96479064-7b8a-4d69-b9ed-21c5683837ea"
COLLECTION = "sourceConnections"


class SourceConnectionInputs(fs.ConnectionInputs):
    provider_id: str = CUSTOMERIO_PROVIDER_ID
    connection_spec_id: str = CUSTOMERIO_CONNECTION_SPEC_ID
    connection_spec_version: str = "1.0"
    data_format: Literal["json"] = "json"


OUTPUTS = ("source_connection_id", "etag")


class SourceConnectionProvider(fs.ConnectionProvider[SourceConnectionInputs]):
    collection = COLLECTION
    id_output = "source_connection_id"
    kind = "Source connection"
    args_model = SourceConnectionInputs
    replace_on = frozenset(
        {
            "sandbox",
            "provider_id",
            "connection_spec_id",
            "connection_spec_version",
            "data_format",
        }
    )

    def _create(self, args: SourceConnectionInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()
        body = {
            "name": args.name,
            "description": args.description,
            "providerId": args.provider_id,
            "connectionSpec": {
                "id": args.connection_spec_id,
                "version": args.connection_spec_version,
            },
            "data": {"format": args.data_format},
        }

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{FLOW_SERVICE}/{COLLECTION}",
                sandbox=args.sandbox,
                operation="create",
                json=body,
            )
            created: dict[str, Any] = resp.json()
            return created

        created = self.create_once(
            args,
            post,
            lambda: fs.find_by_name(client, COLLECTION, args.sandbox, args.name, "create"),
        )
        id_ = str(created["id"])
        return id_, {"source_connection_id": id_, "etag": str(created.get("etag", ""))}

    def _read(
        self, id_: str, args: SourceConnectionInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        item = fs.get_item(self.aep(), COLLECTION, id_, args.sandbox, "read")
        spec = item.get("connectionSpec") or {}
        live: dict[str, Any] = {
            "name": item.get("name", args.name),
            "description": item.get("description", ""),
            "connection_spec_id": spec.get("id", args.connection_spec_id),
            "connection_spec_version": spec.get("version", args.connection_spec_version),
            "data_format": (item.get("data") or {}).get("format", args.data_format),
        }
        if item.get("providerId"):
            live["provider_id"] = item["providerId"]
        return live, {"source_connection_id": id_, "etag": str(item.get("etag", ""))}


@dataclass
class SourceConnectionArgs:
    sandbox: pulumi.Input[str]
    name: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    provider_id: pulumi.Input[str] | None = None
    connection_spec_id: pulumi.Input[str] | None = None
    connection_spec_version: pulumi.Input[str] | None = None
    data_format: pulumi.Input[str] | None = None


class SourceConnection(Resource, module="aep", name="SourceConnection"):
    sandbox: pulumi.Output[str]
    name: pulumi.Output[str]
    source_connection_id: pulumi.Output[str]
    etag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: SourceConnectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            SourceConnectionProvider(),
            resource_name,
            resource_props(args, OUTPUTS),
            opts,
        )
