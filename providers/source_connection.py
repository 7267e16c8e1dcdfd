"""Flow Service source connection for the Customer.io streaming source (no base connection).

Inputs: ``sandbox``, ``provider_id``, ``connection_spec_id``, ``connection_spec_version`` and
``data_format`` replace (defaults are Customer.io's); ``name`` and ``description`` update by JSON
Patch with If-Match. Outputs: ``source_connection_id`` (also the resource id), ``etag``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from providers.base import Body
from providers.declaration import REPLACES, resource_class
from providers.flow_service import ConnectionOutputs, ConnectionProvider, FlowServiceInputs

CUSTOMERIO_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
CUSTOMERIO_CONNECTION_SPEC_ID = "96479064-7b8a-4d69-b9ed-21c5683837ea"


class SourceConnectionInputs(FlowServiceInputs):
    provider_id: Annotated[str, REPLACES] = CUSTOMERIO_PROVIDER_ID
    connection_spec_id: Annotated[str, REPLACES] = CUSTOMERIO_CONNECTION_SPEC_ID
    connection_spec_version: Annotated[str, REPLACES] = "1.0"
    data_format: Annotated[Literal["json"], REPLACES] = "json"


class SourceConnectionOutputs(ConnectionOutputs):
    source_connection_id: str


class SourceConnectionProvider(ConnectionProvider[SourceConnectionInputs]):
    kind = "Source connection"
    token = ("aep", "SourceConnection")
    inputs = SourceConnectionInputs
    outputs = SourceConnectionOutputs
    collection = "sourceConnections"
    id_output = "source_connection_id"

    def post_body(self, args: SourceConnectionInputs) -> Body:
        return {
            "name": args.name,
            "description": args.description,
            "providerId": args.provider_id,
            "connectionSpec": {"id": args.connection_spec_id, "version": args.connection_spec_version},
            "data": {"format": args.data_format},
        }

    def live(self, body: Body, args: SourceConnectionInputs, props: dict[str, Any]) -> dict[str, Any]:
        spec = body.get("connectionSpec") or {}
        live: dict[str, Any] = {
            "name": body.get("name", args.name),
            "description": body.get("description", ""),
            "connection_spec_id": spec.get("id", args.connection_spec_id),
            "connection_spec_version": spec.get("version", args.connection_spec_version),
            "data_format": (body.get("data") or {}).get("format", args.data_format),
        }
        if body.get("providerId"):
            live["provider_id"] = body["providerId"]
        return live


SourceConnection = resource_class(SourceConnectionProvider)
SourceConnectionArgs = SourceConnection.Args
