"""Data Prep mapping set: Customer.io JSON fields -> XDM fields.

Inputs: ``sandbox`` replaces; ``name``, ``description`` (state only: Data Prep has no
description), ``schema_id``, ``schema_content_type`` and ``mappings`` (``{"source_type":
"ATTRIBUTE"|"EXPRESSION"|"STATIC", "source": ..., "destination": ...}``) update by PUT, which keeps
the id and bumps ``version``: wire the dataflow's ``mapping_version`` to this resource's ``version``
so that the dataflow follows in the same ``pulumi up``.
Outputs: ``mapping_set_id`` (also the resource id), ``version`` (int).
Delete: Data Prep documents no DELETE; it is attempted, and 404/405/501 only log.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from aep_customerio.providers.aep_client import CONVERSION
from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import AepInputs, Outputs, resource_class
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.planning import canonical
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.types import Description, MappingRules, Name

XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
_LEGACY_TYPES = {"text/x.schema-path": "ATTRIBUTE", "text/x.aep-xl": "EXPRESSION", "text/plain": "STATIC"}


class MappingSetInputs(AepInputs):
    name: Name
    description: Description = ""
    schema_id: str
    schema_content_type: str = XED_FULL
    mappings: MappingRules = Field(min_length=1)


class MappingSetOutputs(Outputs):
    mapping_set_id: str
    version: int


def _body(args: MappingSetInputs) -> Body:
    return {
        "name": args.name,
        "outputSchema": {"schemaRef": {"id": args.schema_id, "contentType": args.schema_content_type}},
        "mappings": [
            {"sourceType": m.source_type, "source": m.source, "destination": m.destination}
            for m in args.mappings
        ],
    }


class MappingSetProvider(BaseProvider[MappingSetInputs]):
    kind = "Mapping set"
    token = ("aep", "MappingSet")
    inputs = MappingSetInputs
    outputs = MappingSetOutputs
    delete_before_replace = False  # a mapping set may outlive its delete: never let it block a new one

    def path(self, id_: str = "") -> str:
        return f"{CONVERSION}/mappingSets/{id_}" if id_ else f"{CONVERSION}/mappingSets"

    def post(self, args: MappingSetInputs) -> Body:
        resp = self.aep().call(
            "POST", self.path(), sandbox=args.sandbox, operation="create", json=_body(args)
        )
        return dict(json_body(resp, "create"))

    def find(self, args: MappingSetInputs) -> Body | None:
        params = {"name": args.name, "limit": 100, "start": 0}
        found = self.aep().lookup(self.path(), sandbox=args.sandbox, params=params).get("data") or []
        matches = [m for m in found if isinstance(m, dict) and m.get("name") == args.name]
        return matches[0] if len(matches) == 1 else None

    def fetch(self, id_: str, args: MappingSetInputs, props: dict[str, Any]) -> Body:
        body: Body = self.aep().get_existing(self.path(id_), sandbox=args.sandbox, operation="read")
        return body

    def live(self, body: Body, args: MappingSetInputs, props: dict[str, Any]) -> dict[str, Any]:
        ref = ((body.get("outputSchema") or {}).get("schemaRef")) or {}
        rules = []
        for m in body.get("mappings", []):
            kind = m.get("sourceType", "ATTRIBUTE")
            rules.append(
                {
                    "source_type": _LEGACY_TYPES.get(kind, kind),
                    "source": m.get("source", m.get("sourceAttribute")),
                    "destination": m.get("destination", m.get("destinationXdmPath")),
                }
            )
        live: dict[str, Any] = {
            "schema_id": ref.get("id", body.get("xdmSchema", args.schema_id)),
            "schema_content_type": ref.get("contentType", args.schema_content_type),
            "mappings": rules,
        }
        if body.get("name"):
            live["name"] = body["name"]
        return live

    def outs(self, id_: str, body: Body, args: MappingSetInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {"mapping_set_id": id_, "version": int(body.get("version", 0))}

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "mappings" and isinstance(value, list):
            return [{"source_type": "ATTRIBUTE", **canonical(m)} for m in value]
        return super().canon_field(key, value)

    def change(
        self, id_: str, old: MappingSetInputs, new: MappingSetInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        if _body(old) == _body(new):  # only the description changed: nothing to send
            return {"mapping_set_id": id_, "version": int(olds.get("version", 0))}
        resp = self.aep().call(
            "PUT", self.path(id_), sandbox=old.sandbox, operation="update", json=_body(new)
        )
        return self.outs(id_, json_body(resp, "update"), new, olds)

    def remove(self, id_: str, args: MappingSetInputs, props: dict[str, Any]) -> None:
        try:
            resp = self.aep().call(
                "DELETE", self.path(id_), sandbox=args.sandbox, operation="delete", accept=(404, 405, 501)
            )
        except ApiError as exc:
            if exc.status in (401, 403, 429) or exc.status is None or exc.status >= 500:
                raise
            notice(f"Mapping set '{args.name}' ({id_}) was not deleted ({exc}); it stays in AEP, unused.")
            return
        if resp.status_code in (405, 501):
            notice(
                f"Mapping set '{args.name}' ({id_}, sandbox {args.sandbox}): AEP does not support deleting "
                "mapping sets; it stays in AEP, unused, and is no longer managed by this stack."
            )


MappingSet = resource_class(MappingSetProvider)
MappingSetArgs = MappingSet.Args
