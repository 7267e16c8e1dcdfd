"""Flow Service target connection into the data lake (dataset + schema).

Inputs: ``sandbox``, ``dataset_id``, ``schema_id``, ``schema_version`` (the content type),
``connection_spec_id``, ``connection_spec_version`` and ``data_format`` replace (Adobe recommends
a new connection rather than editing one a dataflow uses); ``name`` and ``description`` update
(If-Match). Outputs: ``target_connection_id`` (also the resource id), ``etag``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aep_customerio.providers.base import Body
from aep_customerio.providers.declaration import REPLACES, resource_class
from aep_customerio.providers.flow_service import ConnectionInputs, ConnectionOutputs, ConnectionProvider

DATA_LAKE_CONNECTION_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
XED_FULL_VERSION = "application/vnd.adobe.xed-full+json;version=1"


class TargetConnectionInputs(ConnectionInputs):
    dataset_id: Annotated[str, REPLACES]
    schema_id: Annotated[str, REPLACES]
    schema_version: Annotated[str, REPLACES] = XED_FULL_VERSION
    connection_spec_id: Annotated[str, REPLACES] = DATA_LAKE_CONNECTION_SPEC_ID
    data_format: Annotated[Literal["json", "parquet_xdm", "delimited"], REPLACES] = "json"


class TargetConnectionOutputs(ConnectionOutputs):
    target_connection_id: str


class TargetConnectionProvider(ConnectionProvider[TargetConnectionInputs]):
    kind = "Target connection"
    token = ("aep", "TargetConnection")
    inputs = TargetConnectionInputs
    outputs = TargetConnectionOutputs
    natural_key = ("sandbox", "name", "dataset_id")
    collection = "targetConnections"
    id_output = "target_connection_id"

    def post_body(self, args: TargetConnectionInputs) -> Body:
        return {
            **self.spec_body(args),
            "data": {
                "format": args.data_format,
                "schema": {"id": args.schema_id, "version": args.schema_version},
            },
            "params": {"dataSetId": args.dataset_id},
        }

    def matches(self, item: Body, args: TargetConnectionInputs) -> bool:
        return bool((item.get("params") or {}).get("dataSetId") == args.dataset_id)

    def live(self, body: Body, args: TargetConnectionInputs, props: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data") or {}
        schema = data.get("schema") or {}
        return {
            **self.live_spec(body, args),
            "dataset_id": (body.get("params") or {}).get("dataSetId", args.dataset_id),
            "schema_id": schema.get("id", args.schema_id),
            "schema_version": schema.get("version", args.schema_version),
            "data_format": data.get("format", args.data_format),
        }


TargetConnection = resource_class(TargetConnectionProvider)
TargetConnectionArgs = TargetConnection.Args
