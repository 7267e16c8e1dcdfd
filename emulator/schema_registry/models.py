"""Schema Registry backend: tenant field groups and schemas, titles, namespaces, versions."""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import errors, patch, xdm
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import DatasetUsage, NamespaceLookup
from emulator.core.listing import property_filters
from emulator.schema_registry import evolution, paging, union, validation
from emulator.schema_registry.descriptors import Descriptors

FIELDGROUP = "fieldgroup"
SCHEMA = "schema"
_READ_ONLY = ("$id", "meta:altId", "meta:resourceType", "meta:containerId", "meta:tenantNamespace")
Obj = dict[str, Any]


def _bump(version: str) -> str:
    major, _, minor = str(version).partition(".")
    try:
        return f"{int(major)}.{int(minor or 0) + 1}"
    except ValueError:
        return "1.1"


def _bad_patch(reason: str) -> errors.ApiError:
    return errors.xdm("1000-400", f"Invalid JSON Patch: {reason}.")


class SchemaRegistry(Backend):
    """Answers `SchemaLookup`; asks Catalog which datasets use a schema (`DatasetUsage`)."""

    def __init__(self, env: Env, datasets_using: DatasetUsage, namespaces: NamespaceLookup) -> None:
        super().__init__(env)
        self.datasets_using = datasets_using
        self.descriptors = Descriptors(env, self, namespaces)

    # -- lookups (also the SchemaLookup other services use) ------------------------------------
    def _find(self, sandbox: str, kind: str, ref: str) -> Obj | None:
        for obj in self.store.list_kind(sandbox, kind):
            if ref in (obj.get("$id"), obj.get("meta:altId")):
                return obj
        return None

    def _get(self, ctx: Ctx, kind: str, ref: str) -> Obj:
        obj = self._find(ctx.sandbox, kind, ref)
        if obj is None:
            label = "field group" if kind == FIELDGROUP else "schema"
            raise errors.xdm(
                "1010-404", f"The requested {label} '{ref}' could not be found.", "Resource not found"
            )
        return obj

    def find_schema(self, sandbox: str, ref: str) -> Obj | None:
        return self._find(sandbox, SCHEMA, ref)

    @staticmethod
    def _key(obj: Obj) -> str:
        return str(obj["$id"]).rsplit("/", 1)[-1]

    def storage_key(self, sandbox: str, kind: str, ref: str) -> str:
        """Storage key of an object; schema-registry objects may be named by $id or meta:altId."""
        if kind in (FIELDGROUP, SCHEMA):
            found = self._find(sandbox, kind, ref)
            if found is not None:
                return self._key(found)
        return ref

    def resolve(self, sandbox: str, schema: Obj) -> Obj:
        """Flatten class + field groups into {properties, required} (the xed-full view)."""
        cls = xdm.CLASSES.get(str(schema.get("meta:class")), {})
        props: Obj = copy.deepcopy(cls.get("properties", {}))
        for ref in schema.get("meta:extends", []):
            group = self._find(sandbox, FIELDGROUP, ref)
            if group is not None:
                xdm.merge_properties(props, xdm.fieldgroup_properties(group))
        return {"properties": props, "required": list(cls.get("required", []))}

    def _render(self, ctx: Ctx, kind: str, obj: Obj, full: bool) -> Obj:
        out = copy.deepcopy(obj)
        if not full:
            return out
        if kind == SCHEMA:
            out.update(self.resolve(ctx.sandbox, obj))
        else:
            out["properties"] = xdm.fieldgroup_properties(obj)
        out.pop("allOf", None)
        out.pop("definitions", None)
        return out

    # -- validation ----------------------------------------------------------------------------
    def _validate(self, ctx: Ctx, kind: str, body: Obj, own_id: str | None) -> None:
        if body.setdefault("type", "object") != "object":
            raise errors.xdm("1000-400", "'type' must be 'object'.")
        others = self.store.list_kind(ctx.sandbox, FIELDGROUP) + self.store.list_kind(ctx.sandbox, SCHEMA)
        validation.check_title(body, own_id, others)
        if kind == FIELDGROUP:
            validation.check_fieldgroup(body, self.options.tenant_id)
            body.update({"meta:xdmType": "object", "meta:abstract": True, "meta:extensible": True})
            return
        cls, groups = validation.schema_refs(body, lambda ref: self._find(ctx.sandbox, FIELDGROUP, ref))
        body.update(validation.computed_meta(cls, groups))

    def _metadata(self, ctx: Ctx, previous: Obj | None) -> Obj:
        created = (previous or {}).get("repo:createdDate", ctx.now_ms)
        return {
            "repo:createdDate": created,
            "repo:lastModifiedDate": ctx.now_ms,
            "xdm:createdClientId": (previous or {}).get("xdm:createdClientId", ctx.client_id),
            "xdm:lastModifiedClientId": ctx.client_id,
            "eTag": self.ids.hex(40),
        }

    # -- operations ----------------------------------------------------------------------------
    def stats(self, ctx: Ctx) -> Obj:
        schemas = self.store.list_kind(ctx.sandbox, SCHEMA)
        groups = self.store.list_kind(ctx.sandbox, FIELDGROUP)
        keys = ("meta:altId", "meta:resourceType", "version")
        recent = [
            {"title": o.get("title"), "description": o.get("description", ""), **{k: o[k] for k in keys}}
            for o in (schemas + groups)[-5:]
        ]
        unions = len({s.get("meta:class") for s in schemas if "union" in union.tags(s)})
        counts = {
            "schemas": len(schemas),
            "mixins": len(groups),
            "datatypes": 0,
            "classes": 0,
            "unions": unions,
        }
        return {
            "imsOrg": self.options.org_id,
            "tenantId": self.options.tenant_id,
            "counts": counts,
            "recentlyCreatedResources": recent,
            "recentlyUpdatedResources": [],
            "classUsage": [],  # an array in the spec (statsResponse.classUsage)
            "fieldGroupUsage": {},
        }

    def create(self, ctx: Ctx, kind: str, body: Obj) -> Obj:
        body = copy.deepcopy(body)
        for key in ("$id", "meta:altId", "version", "meta:registryMetadata"):
            body.pop(key, None)
        self._validate(ctx, kind, body, None)
        if kind == SCHEMA:
            union.check({}, body, has_primary=False)
        tenant = self.options.tenant_id
        key = self.ids.hex(32)
        segment = "mixins" if kind == FIELDGROUP else "schemas"
        body.update(
            {
                "$id": f"https://ns.adobe.com/{tenant}/{segment}/{key}",
                "meta:altId": f"_{tenant}.{segment}.{key}",
                "meta:resourceType": segment,
                "version": "1.0",
                "meta:containerId": "tenant",
                "meta:tenantNamespace": f"_{tenant}",
                "meta:registryMetadata": self._metadata(ctx, None),
            }
        )
        self.store.put(ctx.sandbox, kind, key, body)
        return body

    def get(self, ctx: Ctx, kind: str, ref: str, full: bool) -> Obj:
        return self._render(ctx, kind, self._get(ctx, kind, ref), full)

    def list_items(
        self, ctx: Ctx, kind: str, filters: list[str], ids_only: bool, full: bool, query: Obj
    ) -> Obj:
        """One page: sorted by ``orderby``, from the sort key ``start``; ``_page.next`` is the next start."""
        objs = self.store.list_kind(ctx.sandbox, kind, self.list_cutoff(ctx.now))
        items, orderby, nxt = paging.one_page([o for o in objs if property_filters(filters, o)], query)
        if ids_only:
            keys = ("$id", "meta:altId", "version")
            results = [{**{k: o[k] for k in keys}, "title": o.get("title")} for o in items]
        else:
            results = [self._render(ctx, kind, o, full) for o in items]
        links: Obj = {"next": None}
        if nxt is not None:
            links = {"next": {"href": f"?orderby={orderby}&start={nxt}"}}
        return {
            "results": results,
            "_page": {"orderby": orderby, "next": nxt, "count": len(items)},
            "_links": links,
        }

    def replace(self, ctx: Ctx, kind: str, ref: str, body: Obj) -> Obj:
        current = self._get(ctx, kind, ref)
        return self._store_update(ctx, kind, current, copy.deepcopy(body))

    def patch(self, ctx: Ctx, kind: str, ref: str, operations: Any) -> Obj:
        current = self._get(ctx, kind, ref)
        new = patch.apply(current, operations, _bad_patch)
        if not isinstance(new, dict):
            raise errors.xdm("1000-400", "The patched resource must be an object.")
        for key in ("$id", "meta:altId"):
            if new.get(key) != current.get(key):
                raise errors.xdm("1000-400", f"'{key}' is read-only.")
        return self._store_update(ctx, kind, current, new)

    def _store_update(self, ctx: Ctx, kind: str, current: Obj, new: Obj) -> Obj:
        for key in _READ_ONLY:
            new[key] = current[key]
        self._validate(ctx, kind, new, current["$id"])
        if kind == SCHEMA:
            union.check(current, new, self.descriptors.primary(ctx.sandbox, current["$id"]) is not None)
        if self.knobs.xdm_additive_only_after_ingest:
            self._check_additive(ctx.sandbox, kind, current, new)
        new["version"] = _bump(current.get("version", "1.0"))
        new["meta:registryMetadata"] = self._metadata(ctx, current.get("meta:registryMetadata"))
        self.store.put(ctx.sandbox, kind, self._key(current), new)
        return new

    def _check_additive(self, sandbox: str, kind: str, current: Obj, new: Obj) -> None:
        def ingested(schema: Obj) -> list[str]:
            refs = tuple(str(schema[key]) for key in ("$id", "meta:altId") if key in schema)
            return self.datasets_using(sandbox, refs, True)

        def tree(schema: Obj) -> Obj:
            return dict(self.resolve(sandbox, schema)["properties"])

        if kind == SCHEMA:
            evolution.check_schema(current, new, ingested(current), tree)
        else:
            evolution.check_fieldgroup(current, new, self.store.list_kind(sandbox, SCHEMA), ingested)

    def delete(self, ctx: Ctx, kind: str, ref: str) -> None:
        current = self._get(ctx, kind, ref)
        if kind == SCHEMA and "union" in union.tags(current) and not self.knobs.union_schema_deletable:
            raise union.refuse_delete(current)
        if not self.knobs.schema_delete_in_use:
            self._check_unused(ctx.sandbox, kind, current)
        self.store.delete(ctx.sandbox, kind, self._key(current))
        if kind == SCHEMA:
            self.descriptors.forget_schema(ctx.sandbox, current["$id"])

    def _check_unused(self, sandbox: str, kind: str, current: Obj) -> None:
        if kind == FIELDGROUP:
            schemas = self.store.list_kind(sandbox, SCHEMA)
            users = [s["$id"] for s in schemas if current["$id"] in s.get("meta:extends", [])]
        else:
            users = self.datasets_using(sandbox, (current["$id"],), False)
        if users:
            raise errors.xdm(
                "1090-400", f"'{current['$id']}' cannot be deleted: it is used by {', '.join(users)}."
            )
