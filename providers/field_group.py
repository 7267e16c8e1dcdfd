"""XDM field group holding the custom Customer.io fields (placed under ``_{tenant}``).

Inputs: ``sandbox`` and ``intended_class`` replace; ``title`` (unique), ``description`` and
``fields`` (``{name: {"type": ..., "title": ..., "description": ...}}``) update by PUT.
Outputs: ``field_group_id`` (the ``$id``, also the resource id), ``alt_id``, ``version``,
``tenant_id`` (without underscore: mapping destinations are ``_{tenant_id}.field``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from aep_customerio.providers.base import Body
from aep_customerio.providers.declaration import REPLACES, Outputs, resource_class
from aep_customerio.providers.types import FieldName, XdmField
from aep_customerio.providers.xdm import EXPERIENCE_EVENT, XdmInputs, XdmProvider

_TYPES: dict[str, dict[str, str]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}


class FieldGroupInputs(XdmInputs):
    fields: dict[FieldName, XdmField] = Field(min_length=1)
    intended_class: Annotated[str, REPLACES] = EXPERIENCE_EVENT


class FieldGroupOutputs(Outputs):
    field_group_id: str
    alt_id: str
    version: str
    tenant_id: str


def _fields_of(body: Body, tenant: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for definition in (body.get("definitions") or {}).values():
        ns = ((definition or {}).get("properties") or {}).get(f"_{tenant}") or {}
        for name, prop in (ns.get("properties") or {}).items():
            kind = prop.get("type", "string")
            if kind == "string" and prop.get("format") in ("date-time", "date"):
                kind = prop["format"]
            entry: dict[str, Any] = {"type": kind, "title": prop.get("title") or name}
            if prop.get("description"):
                entry["description"] = prop["description"]
            fields[name] = entry
    return fields


class FieldGroupProvider(XdmProvider[FieldGroupInputs]):
    kind = "Field group"
    token = ("aep", "FieldGroup")
    inputs = FieldGroupInputs
    outputs = FieldGroupOutputs
    container = "fieldgroups"
    id_output = "field_group_id"

    def body(self, args: FieldGroupInputs, tenant: str) -> Body:
        props: dict[str, Any] = {}
        for name, spec in args.fields.items():
            prop: dict[str, Any] = dict(_TYPES[spec.type])
            prop["title"] = spec.title or name
            if spec.description:
                prop["description"] = spec.description
            props[name] = prop
        return {
            "title": args.title,
            "description": args.description,
            "type": "object",
            "meta:intendedToExtend": [args.intended_class],
            "definitions": {
                "customFields": {"properties": {f"_{tenant}": {"type": "object", "properties": props}}}
            },
            "allOf": [{"$ref": "#/definitions/customFields"}],
        }

    def live(self, body: Body, args: FieldGroupInputs, props: dict[str, Any]) -> dict[str, Any]:
        extends = body.get("meta:intendedToExtend") or [args.intended_class]
        return {
            "title": body.get("title", args.title),
            "description": body.get("description", ""),
            "fields": _fields_of(body, self.tenant(args.sandbox, props, "read")),
            "intended_class": extends[0],
        }

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "fields" and isinstance(value, dict):
            # A title equal to the field name is what the server reports when none was given.
            return {
                n: {k: v for k, v in (s or {}).items() if v is not None and not (k == "title" and v == n)}
                | {"type": (s or {}).get("type", "string")}
                for n, s in value.items()
            }
        return super().canon_field(key, value)


FieldGroup = resource_class(FieldGroupProvider)
FieldGroupArgs = FieldGroup.Args
