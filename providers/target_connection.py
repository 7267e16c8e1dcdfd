"""Flow Service target connection into the data lake (dataset + schema).

``TargetConnection(name, TargetConnectionArgs(...), opts)`` ->
``pulumi-python:dynamic/aep:TargetConnection``.

Inputs: ``sandbox``, ``dataset_id``, ``schema_id``, ``schema_version`` (the content type, default
``application/vnd.adobe.xed-full+json;version=1``), ``connection_spec_id``,
``connection_spec_version``, ``data_format`` (all replace: Adobe recommends a new connection
rather than editing one used by a dataflow), ``name`` and ``description`` (update, If-Match).
Outputs: ``target_connection_id`` (also the resource id), ``etag``.
delete_before_replace: yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi.dynamic import Resource

from providers import flow_service as fs
from providers.aep_client import FLOW_SERVICE
from providers.base import resource_props

DATA_LAKE_CONNECTION_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
XED_FULL_VERSION = "application/vnd.adobe.xed-full+json;version=1"
COLLECTION = "targetConnections"


class TargetConnectionInputs(fs.ConnectionInputs):
    dataset_id: str
    schema_id: str
    schema_version: str = XED_FULL_VERSION
    connection_spec_id: str = DATA_LAKE_CONNECTION_SPEC_ID
    connection_spec_version: str = "1.0"
    data_format: Literal["json", "parquet_xdm", "delimited"] = "json"


OUTPUTS = ("target_connection_id", "etag")


class TargetConnectionProvider(fs.ConnectionProvider[TargetConnectionInputs]):
    collection = COLLECTION
    id_output = "target_connection_id"
    kind = "Target connection"
    args_model = TargetConnectionInputs
    replace_on = frozenset(
        {
            "sandbox",
            "dataset_id",
            "schema_id",
            "schema_version",
            "connection_spec_id",
            "connection_spec_version",
            "data_format",
        }
    )

    def _create(self, args: TargetConnectionInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()
        body = {
            "name": args.name,
            "description": args.description,
            "connectionSpec": {
                "id": args.connection_spec_id,
                "version": args.connection_spec_version,
            },
            "data": {
                "format": args.data_format,
                "schema": {"id": args.schema_id, "version": args.schema_version},
            },
            "params": {"dataSetId": args.dataset_id},
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

        def lookup() -> dict[str, Any] | None:
            found = fs.find_by_name(client, COLLECTION, args.sandbox, args.name, "create")
            if found is not None and (found.get("params") or {}).get("dataSetId") != args.dataset_id:
                return None
            return found

        created = self.create_once(args, post, lookup)
        id_ = str(created["id"])
        return id_, {"target_connection_id": id_, "etag": str(created.get("etag", ""))}

    def _read(
        self, id_: str, args: TargetConnectionInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        item = fs.get_item(self.aep(), COLLECTION, id_, args.sandbox, "read")
        spec = item.get("connectionSpec") or {}
        data = item.get("data") or {}
        schema = data.get("schema") or {}
        live = {
            "name": item.get("name", args.name),
            "description": item.get("description", ""),
            "dataset_id": (item.get("params") or {}).get("dataSetId", args.dataset_id),
            "schema_id": schema.get("id", args.schema_id),
            "schema_version": schema.get("version", args.schema_version),
            "connection_spec_id": spec.get("id", args.connection_spec_id),
            "connection_spec_version": spec.get("version", args.connection_spec_version),
            "data_format": data.get("format", args.data_format),
        }
        return live, {"target_connection_id": id_, "etag": str(item.get("etag", ""))}


@dataclass
class TargetConnectionArgs:
    sandbox: pulumi.Input[str]
    name: pulumi.Input[str]
    dataset_id: pulumi.Input[str]
    schema_id: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    schema_version: pulumi.Input[str] | None = None
    connection_spec_id: pulumi.Input[str] | None = None
    connection_spec_version: pulumi.Input[str] | None = None
    data_format: pulumi.Input[str] | None = None


class TargetConnection(Resource, module="aep", name="TargetConnection"):
    sandbox: pulumi.Output[str]
    name: pulumi.Output[str]
    target_connection_id: pulumi.Output[str]
    etag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: TargetConnectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            TargetConnectionProvider(),
            resource_name,
            resource_props(args, OUTPUTS),
            opts,
        )
