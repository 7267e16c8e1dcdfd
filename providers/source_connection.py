"""Flow Service source connection for the Customer.io streaming source (no base connection).

Inputs: ``sandbox``, ``provider_id``, ``connection_spec_id``, ``connection_spec_version`` and
``data_format`` replace (defaults are Customer.io's); ``name`` and ``description`` update by JSON
Patch with If-Match. Outputs: ``source_connection_id`` (also the resource id), ``etag``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aep_customerio.providers.base import Body
from aep_customerio.providers.declaration import REPLACES, resource_class
from aep_customerio.providers.flow_service import ConnectionInputs, ConnectionOutputs, ConnectionProvider

CUSTOMERIO_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
CUSTOMERIO_CONNECTION_SPEC_ID = "96479064-7b8a-4d69-b9ed-21c5683837ea"


class SourceConnectionInputs(ConnectionInputs):
    provider_id: Annotated[str, REPLACES] = CUSTOMERIO_PROVIDER_ID
    connection_spec_id: Annotated[str, REPLACES] = CUSTOMERIO_CONNECTION_SPEC_ID
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
        return {**self.spec_body(args), "providerId": args.provider_id, "data": {"format": args.data_format}}

    def live(self, body: Body, args: SourceConnectionInputs, props: dict[str, Any]) -> dict[str, Any]:
        live = self.live_spec(body, args)
        live["data_format"] = (body.get("data") or {}).get("format", args.data_format)
        if body.get("providerId"):
            live["provider_id"] = body["providerId"]
        return live


SourceConnection = resource_class(SourceConnectionProvider)
SourceConnectionArgs = SourceConnection.Args
