"""Data Prep mapping set: Customer.io JSON fields -> XDM fields.

``MappingSet(name, MappingSetArgs(...), opts)`` -> ``pulumi-python:dynamic/aep:MappingSet``.

Inputs: ``sandbox`` (replace), ``name``, ``description`` (state only: Data Prep has no
description), ``schema_id``, ``schema_content_type``, ``mappings`` (list of
``{"source_type": "ATTRIBUTE"|"EXPRESSION"|"STATIC", "source": ..., "destination": ...}``);
everything but the sandbox updates in place by PUT, which keeps the id and bumps ``version``.
Wire the dataflow's ``mapping_version`` to this resource's ``version`` output so that the
dataflow follows (PATCH of ``/transformations/0``) in the same ``pulumi up``.
Outputs: ``mapping_set_id`` (also the resource id), ``version`` (int).
Delete: Data Prep documents no DELETE; it is attempted and 404/405 (or "in use") only logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field

from providers.aep_client import CONVERSION
from providers.base import (
    BaseProvider,
    ProviderArgs,
    canonical,
    notice,
    resource_props,
)
from providers.errors import ApiError
from providers.types import Description, MappingRules, Name, Sandbox

XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
_LEGACY_TYPES = {
    "text/x.schema-path": "ATTRIBUTE",
    "text/x.aep-xl": "EXPRESSION",
    "text/plain": "STATIC",
}


class MappingSetInputs(ProviderArgs):
    sandbox: Sandbox
    name: Name
    description: Description = ""
    schema_id: str
    schema_content_type: str = XED_FULL
    mappings: MappingRules = Field(min_length=1)


OUTPUTS = ("mapping_set_id", "version")


def _body(args: MappingSetInputs) -> dict[str, Any]:
    return {
        "name": args.name,
        "outputSchema": {"schemaRef": {"id": args.schema_id, "contentType": args.schema_content_type}},
        "mappings": [
            {
                "sourceType": m.source_type,
                "source": m.source,
                "destination": m.destination,
            }
            for m in args.mappings
        ],
    }


class MappingSetProvider(BaseProvider[MappingSetInputs]):
    kind = "Mapping set"
    args_model = MappingSetInputs
    replace_on = frozenset({"sandbox"})

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "mappings" and isinstance(value, list):
            return [{"source_type": "ATTRIBUTE", **canonical(m)} for m in value]
        return super().canon_field(key, value)

    def _create(self, args: MappingSetInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{CONVERSION}/mappingSets",
                sandbox=args.sandbox,
                operation="create",
                json=_body(args),
            )
            created: dict[str, Any] = resp.json()
            return created

        def lookup() -> dict[str, Any] | None:
            resp = client.call(
                "GET",
                f"{CONVERSION}/mappingSets",
                sandbox=args.sandbox,
                operation="create: lookup by name",
                params={"name": args.name, "limit": 100, "start": 0},
            )
            matches = [m for m in (resp.json() or {}).get("data", []) if m.get("name") == args.name]
            return matches[0] if len(matches) == 1 else None

        created = self.create_once(args, post, lookup)
        id_ = str(created["id"])
        return id_, {"mapping_set_id": id_, "version": int(created.get("version", 0))}

    def _read(
        self, id_: str, args: MappingSetInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = self.aep().get_existing(
            f"{CONVERSION}/mappingSets/{id_}", sandbox=args.sandbox, operation="read"
        )
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
        return live, {"mapping_set_id": id_, "version": int(body.get("version", 0))}

    def _update(
        self,
        id_: str,
        old: MappingSetInputs,
        new: MappingSetInputs,
        olds: dict[str, Any],
    ) -> dict[str, Any]:
        if _body(old) == _body(new):  # only the description changed: nothing to send
            return {"mapping_set_id": id_, "version": int(olds.get("version", 0))}
        resp = self.aep().call(
            "PUT",
            f"{CONVERSION}/mappingSets/{id_}",
            sandbox=old.sandbox,
            operation="update",
            json=_body(new),
        )
        return {"mapping_set_id": id_, "version": int(resp.json().get("version", 0))}

    def _delete(self, id_: str, args: MappingSetInputs, props: dict[str, Any]) -> None:
        try:
            resp = self.aep().call(
                "DELETE",
                f"{CONVERSION}/mappingSets/{id_}",
                sandbox=args.sandbox,
                operation="delete",
                accept=(404, 405, 501),
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


@dataclass
class MappingSetArgs:
    sandbox: pulumi.Input[str]
    name: pulumi.Input[str]
    schema_id: pulumi.Input[str]
    mappings: pulumi.Input[list[Any]]
    description: pulumi.Input[str] | None = None
    schema_content_type: pulumi.Input[str] | None = None


class MappingSet(Resource, module="aep", name="MappingSet"):
    sandbox: pulumi.Output[str]
    name: pulumi.Output[str]
    mapping_set_id: pulumi.Output[str]
    version: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        args: MappingSetArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(MappingSetProvider(), resource_name, resource_props(args, OUTPUTS), opts)
