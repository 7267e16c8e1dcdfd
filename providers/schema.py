"""XDM schema (tenant container): one class plus the given field groups.

``Schema(name, SchemaArgs(...), opts)`` -> type ``pulumi-python:dynamic/aep:Schema``.

Inputs: ``sandbox`` (replace), ``title`` (update; unique), ``description`` (update),
``class_id`` (replace; default ExperienceEvent), ``field_group_ids`` (update via PUT).
Outputs: ``schema_id`` (the ``$id``; also the resource id), ``alt_id``, ``version``,
``tenant_id``. delete_before_replace: yes (titles must stay unique).
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
from providers.types import Description, Name, Sandbox


class SchemaInputs(ProviderArgs):
    sandbox: Sandbox
    title: Name
    description: Description = ""
    class_id: str = EXPERIENCE_EVENT
    field_group_ids: list[str] = Field(default_factory=list)


OUTPUTS = ("schema_id", "alt_id", "version", "tenant_id")
CONTAINER = "schemas"


def _body(args: SchemaInputs) -> dict[str, Any]:
    return {
        "title": args.title,
        "description": args.description,
        "type": "object",
        "allOf": [{"$ref": args.class_id}] + [{"$ref": fg} for fg in args.field_group_ids],
    }


class SchemaProvider(BaseProvider[SchemaInputs]):
    kind = "Schema"
    args_model = SchemaInputs
    replace_on = frozenset({"sandbox", "class_id"})
    delete_before_replace = True

    def _outs(self, body: dict[str, Any], tenant: str) -> dict[str, Any]:
        return {
            "schema_id": body["$id"],
            "alt_id": body.get("meta:altId", ""),
            "version": str(body.get("version", "")),
            "tenant_id": tenant,
        }

    def _create(self, args: SchemaInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()
        tenant = tenant_id(client, args.sandbox, "create")

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{SCHEMA_REGISTRY}/tenant/{CONTAINER}",
                sandbox=args.sandbox,
                operation="create",
                json=_body(args),
            )
            created: dict[str, Any] = resp.json()
            return created

        body = self.create_once(
            args,
            post,
            lambda: find_xdm_by_title(client, args.sandbox, CONTAINER, args.title, "create"),
        )
        return str(body["$id"]), self._outs(body, tenant)

    def _read(
        self, id_: str, args: SchemaInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = get_xdm(self.aep(), CONTAINER, id_, args.sandbox, "read")
        refs = [str(r["$ref"]) for r in body.get("allOf", []) if isinstance(r, dict) and "$ref" in r]
        class_id = str(body.get("meta:class") or (refs[0] if refs else args.class_id))
        live = {
            "title": body.get("title", args.title),
            "description": body.get("description", ""),
            "class_id": class_id,
            "field_group_ids": [r for r in refs if r != class_id],
        }
        tenant = str(props.get("tenant_id") or tenant_id(self.aep(), args.sandbox, "read"))
        return live, self._outs(body, tenant)

    def _update(self, id_: str, old: SchemaInputs, new: SchemaInputs, olds: dict[str, Any]) -> dict[str, Any]:
        client = self.aep()
        tenant = str(olds.get("tenant_id") or tenant_id(client, old.sandbox, "update"))
        resp = client.call(
            "PUT",
            xdm_path(CONTAINER, id_),
            sandbox=old.sandbox,
            operation="update",
            json=_body(new),
        )
        return self._outs(resp.json() or {"$id": id_}, tenant)

    def _delete(self, id_: str, args: SchemaInputs, props: dict[str, Any]) -> None:
        delete_xdm(self.aep(), CONTAINER, id_, args.sandbox, f"{self.kind} '{args.title}'")


@dataclass
class SchemaArgs:
    sandbox: pulumi.Input[str]
    title: pulumi.Input[str]
    field_group_ids: pulumi.Input[list[pulumi.Input[str]]]
    description: pulumi.Input[str] | None = None
    class_id: pulumi.Input[str] | None = None


class Schema(Resource, module="aep", name="Schema"):
    sandbox: pulumi.Output[str]
    title: pulumi.Output[str]
    schema_id: pulumi.Output[str]
    alt_id: pulumi.Output[str]
    version: pulumi.Output[str]
    tenant_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: SchemaArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(SchemaProvider(), resource_name, resource_props(args, OUTPUTS), opts)
