"""XDM field group (tenant container) holding the custom Customer.io fields.

``FieldGroup(name, FieldGroupArgs(...), opts)`` -> type ``pulumi-python:dynamic/aep:FieldGroup``.

Inputs: ``sandbox`` (replace), ``title`` (update; unique across XDM resources), ``description``,
``fields`` (``{name: {"type": "string"|"integer"|"number"|"boolean"|"date-time"|"date",
"title": ..., "description": ...}}``, placed under ``_{tenant}``; update via PUT),
``intended_class`` (replace; default ExperienceEvent).
Outputs: ``field_group_id`` (the ``$id``; also the resource id), ``alt_id``, ``version``,
``tenant_id`` (without underscore: mapping destinations are ``_{tenant_id}.field``).
delete_before_replace: yes (titles must stay unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field

from providers.aep_client import SCHEMA_REGISTRY
from providers.base import BaseProvider, ProviderArgs, resource_props
from providers.common import (
    EXPERIENCE_EVENT,
    delete_xdm,
    find_xdm_by_title,
    get_xdm,
    tenant_id,
    xdm_path,
)
from providers.types import Description, FieldName, Name, Sandbox, XdmField

_TYPES: dict[str, dict[str, str]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}


class FieldGroupInputs(ProviderArgs):
    sandbox: Sandbox
    title: Name
    description: Description = ""
    fields: dict[FieldName, XdmField] = Field(min_length=1)
    intended_class: str = EXPERIENCE_EVENT


OUTPUTS = ("field_group_id", "alt_id", "version", "tenant_id")
CONTAINER = "fieldgroups"


def _body(args: FieldGroupInputs, tenant: str) -> dict[str, Any]:
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


def _fields_of(body: dict[str, Any], tenant: str) -> dict[str, Any]:
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


class FieldGroupProvider(BaseProvider[FieldGroupInputs]):
    kind = "Field group"
    args_model = FieldGroupInputs
    replace_on = frozenset({"sandbox", "intended_class"})
    delete_before_replace = True

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "fields" and isinstance(value, dict):
            # A title equal to the field name is what the server reports when none was given.
            return {
                n: {k: v for k, v in (s or {}).items() if v is not None and not (k == "title" and v == n)}
                | {"type": (s or {}).get("type", "string")}
                for n, s in value.items()
            }
        return super().canon_field(key, value)

    def _outs(self, body: dict[str, Any], tenant: str) -> dict[str, Any]:
        return {
            "field_group_id": body["$id"],
            "alt_id": body.get("meta:altId", ""),
            "version": str(body.get("version", "")),
            "tenant_id": tenant,
        }

    def _create(self, args: FieldGroupInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()
        tenant = tenant_id(client, args.sandbox, "create")

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{SCHEMA_REGISTRY}/tenant/{CONTAINER}",
                sandbox=args.sandbox,
                operation="create",
                json=_body(args, tenant),
            )
            created: dict[str, Any] = resp.json()
            return created

        body = self.create_once(
            args,
            post,
            lambda: find_xdm_by_title(client, args.sandbox, CONTAINER, args.title, "create"),
        )
        return str(body["$id"]), self._outs(body, tenant)

    def _get(self, id_: str, sandbox: str, operation: str) -> dict[str, Any]:
        return get_xdm(self.aep(), CONTAINER, id_, sandbox, operation)

    def _read(
        self, id_: str, args: FieldGroupInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = self._get(id_, args.sandbox, "read")
        tenant = str(props.get("tenant_id") or tenant_id(self.aep(), args.sandbox, "read"))
        extends = body.get("meta:intendedToExtend") or [args.intended_class]
        live = {
            "title": body.get("title", args.title),
            "description": body.get("description", ""),
            "fields": _fields_of(body, tenant),
            "intended_class": extends[0],
        }
        return live, self._outs(body, tenant)

    def _update(
        self,
        id_: str,
        old: FieldGroupInputs,
        new: FieldGroupInputs,
        olds: dict[str, Any],
    ) -> dict[str, Any]:
        client = self.aep()
        tenant = str(olds.get("tenant_id") or tenant_id(client, old.sandbox, "update"))
        resp = client.call(
            "PUT",
            xdm_path(CONTAINER, id_),
            sandbox=old.sandbox,
            operation="update",
            json=_body(new, tenant),
        )
        return self._outs(resp.json() or {"$id": id_}, tenant)

    def _delete(self, id_: str, args: FieldGroupInputs, props: dict[str, Any]) -> None:
        delete_xdm(self.aep(), CONTAINER, id_, args.sandbox, f"{self.kind} '{args.title}'")


@dataclass
class FieldGroupArgs:
    sandbox: pulumi.Input[str]
    title: pulumi.Input[str]
    fields: pulumi.Input[dict[str, Any]]
    description: pulumi.Input[str] | None = None
    intended_class: pulumi.Input[str] | None = None


class FieldGroup(Resource, module="aep", name="FieldGroup"):
    sandbox: pulumi.Output[str]
    title: pulumi.Output[str]
    field_group_id: pulumi.Output[str]
    alt_id: pulumi.Output[str]
    version: pulumi.Output[str]
    tenant_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: FieldGroupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(FieldGroupProvider(), resource_name, resource_props(args, OUTPUTS), opts)
