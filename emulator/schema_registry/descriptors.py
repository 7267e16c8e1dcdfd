"""Schema descriptors (`/tenant/descriptors`): identity descriptors checked, the others stored.

Rules (schema-registry.yaml descriptors; descriptors.md; aep-profile-diagnostics.md §2a):
`@type` from the spec's list; `xdm:sourceSchema` an existing schema, `xdm:sourceVersion` 1;
`xdm:sourceProperty` starts with `/`, no trailing `/`, no `properties` segment, a field of the
schema. Identity: `xdm:namespace` an existing namespace by code (`xdm:property: xdm:code`) or id
(`xdm:id`), `xdm:isPrimary` boolean, one primary per schema. Create 201; GET without Accept; the
list needs an `application/vnd.adobe.xdm[-id|-link][-v2]+json` Accept (else XDM-1008-400) and is
grouped by `@type`; PUT is a full body (201 with the descriptor, as descriptors.md shows); DELETE 204.
Deleting the primary identity descriptor of a union schema: UNCONFIRMED, refused here unless the
knob `union_descriptor_deletable` is set.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import errors
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import NamespaceLookup, SchemaLookup
from emulator.core.listing import property_filters

DESCRIPTOR = "descriptor"
IDENTITY = "xdm:descriptorIdentity"
TYPES = (
    "xdm:alternateDisplayInfo",
    IDENTITY,
    "xdm:descriptorReferenceIdentity",
    "xdm:descriptorOneToOne",
    "xdm:descriptorRelationship",
)
LIST_MEDIA = ("xdm+json", "xdm-id+json", "xdm-link+json", "xdm-v2+json", "xdm-v2-id+json", "xdm-v2-link+json")
Obj = dict[str, Any]


def _bad(message: str) -> errors.ApiError:
    return errors.xdm("1000-400", message)


def is_union(schema: Obj) -> bool:
    return "union" in (schema.get("meta:immutableTags") or [])


def _field(tree: Obj, pointer: str) -> Obj | None:
    node: Obj | None = {"properties": tree}
    for part in pointer.strip("/").split("/"):
        props = (node or {}).get("properties")
        node = props.get(part) if isinstance(props, dict) else None
        if not isinstance(node, dict):
            return None
    return node


class Descriptors(Backend):
    """Asks the Schema Registry (`SchemaLookup`) and Identity Service (`NamespaceLookup`)."""

    def __init__(self, env: Env, schemas: SchemaLookup, namespaces: NamespaceLookup) -> None:
        super().__init__(env)
        self.schemas = schemas
        self.namespaces = namespaces

    def of_schema(self, sandbox: str, schema_id: str) -> list[Obj]:
        return [
            d for d in self.store.list_kind(sandbox, DESCRIPTOR) if d.get("xdm:sourceSchema") == schema_id
        ]

    def primary(self, sandbox: str, schema_id: str) -> Obj | None:
        for d in self.of_schema(sandbox, schema_id):
            if d.get("@type") == IDENTITY and d.get("xdm:isPrimary") is True:
                return d
        return None

    def _validate(self, ctx: Ctx, body: Obj, own_id: str | None) -> None:
        if body.get("@type") not in TYPES:
            raise _bad(f"'@type' must be one of {', '.join(TYPES)}.")
        schema = self.schemas.find_schema(ctx.sandbox, str(body.get("xdm:sourceSchema", "")))
        if schema is None:
            raise errors.xdm(
                "1010-404",
                f"Source schema '{body.get('xdm:sourceSchema')}' was not found.",
                "Resource not found",
            )
        body["xdm:sourceSchema"] = schema["$id"]
        if str(body.get("xdm:sourceVersion", "")) != "1":
            raise _bad("'xdm:sourceVersion' must be 1.")
        prop = body.get("xdm:sourceProperty")
        if not isinstance(prop, str) or not prop.startswith("/") or prop.endswith("/"):
            raise _bad("'xdm:sourceProperty' must start with '/' and must not end with '/'.")
        if "properties" in prop.split("/"):
            raise _bad("'xdm:sourceProperty' must not contain 'properties' segments.")
        field = _field(self.schemas.resolve(ctx.sandbox, schema)["properties"], prop)
        if field is None:
            raise _bad(f"'xdm:sourceProperty' {prop} is not a field of schema '{schema['$id']}'.")
        if body["@type"] == IDENTITY:
            self._identity(ctx, body, field, own_id)

    def _identity(self, ctx: Ctx, body: Obj, field: Obj, own_id: str | None) -> None:
        if field.get("type") != "string":
            raise _bad(f"An identity field must be a string; {body['xdm:sourceProperty']} is not.")
        if body.get("xdm:property") not in ("xdm:code", "xdm:id"):
            raise _bad("'xdm:property' must be 'xdm:code' or 'xdm:id'.")
        namespace = body.get("xdm:namespace")
        if (
            not isinstance(namespace, (str, int))
            or self.namespaces.find_namespace(ctx.sandbox, namespace) is None
        ):
            raise _bad(f"Identity namespace '{namespace}' does not exist in sandbox '{ctx.sandbox}'.")
        if not isinstance(body.get("xdm:isPrimary", False), bool):
            raise _bad("'xdm:isPrimary' must be a boolean.")
        other = self.primary(ctx.sandbox, body["xdm:sourceSchema"])
        if body.get("xdm:isPrimary") and other is not None and other["@id"] != own_id:
            raise _bad(
                f"Schema '{body['xdm:sourceSchema']}' already has a primary identity descriptor "
                f"({other['@id']}): only one is allowed."
            )

    def _stored(self, ctx: Ctx, body: Obj, desc_id: str, created: Any) -> Obj:
        body.update(
            {
                "@id": desc_id,
                "meta:containerId": "tenant",
                "imsOrg": self.options.org_id,
                "version": "1",
                "meta:registryMetadata": {"repo:createdDate": created, "repo:lastModifiedDate": ctx.now_ms},
            }
        )
        self.store.put(ctx.sandbox, DESCRIPTOR, desc_id, body)
        return body

    def create(self, ctx: Ctx, raw: Obj) -> Obj:
        body = {k: v for k, v in copy.deepcopy(raw).items() if k not in ("@id", "meta:registryMetadata")}
        self._validate(ctx, body, None)
        return self._stored(ctx, body, self.ids.hex(40), ctx.now_ms)

    def get(self, ctx: Ctx, desc_id: str) -> Obj:
        found = self.store.get(ctx.sandbox, DESCRIPTOR, desc_id)
        if found is None:
            raise errors.xdm("1010-404", f"Descriptor '{desc_id}' was not found.", "Resource not found")
        return found

    def replace(self, ctx: Ctx, desc_id: str, raw: Obj) -> Obj:
        current = self.get(ctx, desc_id)
        body = {k: v for k, v in copy.deepcopy(raw).items() if k not in ("@id", "meta:registryMetadata")}
        self._validate(ctx, body, desc_id)
        if current.get("xdm:isPrimary") and not body.get("xdm:isPrimary"):
            self._check_removable(ctx, current)
        return self._stored(ctx, body, desc_id, current["meta:registryMetadata"]["repo:createdDate"])

    def list_items(self, ctx: Ctx, accept: str | None, filters: list[str]) -> Obj:
        media = (accept or "").split(";")[0].strip().removeprefix("application/vnd.adobe.")
        if media not in LIST_MEDIA:
            raise errors.xdm(
                "1008-400",
                f"The supplied Accept header is not valid: {accept} - A valid Accept value should look "
                "like application/vnd.adobe.xdm-id+json",
                "Accept header invalid",
            )
        found = [d for d in self.store.list_kind(ctx.sandbox, DESCRIPTOR) if property_filters(filters, d)]
        if "v2" in media:
            return {"results": found, "_page": {"count": len(found), "next": None}, "_links": {}}
        grouped: Obj = {}
        for d in found:
            value: Any = d
            if media.endswith("-id+json"):
                value = d["@id"]
            elif media.endswith("-link+json"):
                value = f"/data/foundation/schemaregistry/tenant/descriptors/{d['@id']}"
            grouped.setdefault(d["@type"], []).append(value)
        return grouped

    def _check_removable(self, ctx: Ctx, descriptor: Obj) -> None:
        schema = self.schemas.find_schema(ctx.sandbox, str(descriptor.get("xdm:sourceSchema"))) or {}
        if is_union(schema) and descriptor.get("xdm:isPrimary") and not self.knobs.union_descriptor_deletable:
            raise _bad(
                f"Descriptor '{descriptor['@id']}' is the primary identity of '{schema['$id']}', which is "
                "enabled for Profile (union): it cannot be removed."
            )

    def delete(self, ctx: Ctx, desc_id: str) -> None:
        descriptor = self.get(ctx, desc_id)
        self._check_removable(ctx, descriptor)
        self.store.delete(ctx.sandbox, DESCRIPTOR, desc_id)

    def forget_schema(self, sandbox: str, schema_id: str) -> None:
        """A deleted schema takes its descriptors with it (UNCONFIRMED; orphans are of no use)."""
        for d in self.of_schema(sandbox, schema_id):
            self.store.delete(sandbox, DESCRIPTOR, d["@id"])
