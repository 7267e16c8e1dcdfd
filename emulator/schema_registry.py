"""Schema Registry backend: tenant field groups and schemas, titles, namespaces, Accept rules."""

from __future__ import annotations

import copy
from typing import Any

from emulator import errors, jsonpatch, xdm
from emulator.backend import Backend, property_filters
from emulator.context import Ctx

FIELDGROUP = "fieldgroup"
SCHEMA = "schema"
_READ_ONLY = ("$id", "meta:altId", "meta:resourceType", "meta:containerId", "meta:tenantNamespace")
_LIST_ACCEPT = ("application/vnd.adobe.xed-id+json", "application/vnd.adobe.xed+json")
_ITEM_ACCEPT = (
    "application/vnd.adobe.xed+json",
    "application/vnd.adobe.xed-full+json",
    "application/vnd.adobe.xed-notext+json",
    "application/vnd.adobe.xed-full-notext+json",
)


def parse_accept(accept: str | None, single: bool) -> tuple[str, bool]:
    """Return (media type, full?) or raise the XDM-100x-400 errors real AEP gives."""
    if not accept or accept.strip() in ("*/*", ""):
        raise errors.xdm("1006-400", "Accept header is missing or is not a valid XDM media type.")
    media, _, params = accept.partition(";")
    media = media.strip().lower()
    allowed = _ITEM_ACCEPT if single else _LIST_ACCEPT + _ITEM_ACCEPT
    if media not in allowed:
        raise errors.xdm("1007-400", f"Unsupported Accept header media type '{media}'.")
    version = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "version":
            version = value.strip()
    if single and not version:
        raise errors.xdm(
            "1008-400",
            "Accept header must include a version, e.g. 'application/vnd.adobe.xed+json; version=1'.",
        )
    if version and version.split(".")[0] != "1":
        raise errors.xdm("1009-400", f"Unsupported version '{version}' in Accept header.")
    return media, "full" in media


def _bump(version: str) -> str:
    major, _, minor = str(version).partition(".")
    try:
        return f"{int(major)}.{int(minor or 0) + 1}"
    except ValueError:
        return "1.1"


class SchemaRegistry(Backend):
    # -- lookups -------------------------------------------------------------------------------
    def _find(self, ctx: Ctx, kind: str, ref: str) -> dict[str, Any] | None:
        for obj in self.store.list_kind(ctx.sandbox, kind):
            if ref in (obj.get("$id"), obj.get("meta:altId")):
                return obj
        return None

    def _get(self, ctx: Ctx, kind: str, ref: str) -> dict[str, Any]:
        obj = self._find(ctx, kind, ref)
        if obj is None:
            label = "field group" if kind == FIELDGROUP else "schema"
            raise errors.xdm(
                "1010-404", f"The requested {label} '{ref}' could not be found.", "Resource not found"
            )
        return obj

    def find_schema(self, sandbox: str, ref: str) -> dict[str, Any] | None:
        return self._find(Ctx(sandbox), SCHEMA, ref)

    def _key(self, obj: dict[str, Any]) -> str:
        return str(obj["$id"]).rsplit("/", 1)[-1]

    def key_for(self, sandbox: str, kind: str, ref: str) -> str:
        """Storage key of any object; schema-registry objects may be named by $id or meta:altId."""
        if kind in (FIELDGROUP, SCHEMA):
            found = self._find(Ctx(sandbox), kind, ref)
            if found is not None:
                return self._key(found)
        return ref

    # -- validation ----------------------------------------------------------------------------
    def _check_title(self, ctx: Ctx, body: dict[str, Any], own_id: str | None) -> None:
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise errors.xdm("1000-400", "'title' is required and must be a non-empty string.")
        for kind in (FIELDGROUP, SCHEMA):
            for other in self.store.list_kind(ctx.sandbox, kind):
                if other.get("title") == title and other.get("$id") != own_id:
                    raise errors.xdm(
                        "1521-400",
                        f"Title '{title}' is not unique: it is already used by {other['$id']}.",
                        "Title not unique",
                    )

    def _check_fieldgroup(self, ctx: Ctx, body: dict[str, Any]) -> None:
        extends = body.get("meta:intendedToExtend")
        if not isinstance(extends, list) or not extends or not all(isinstance(x, str) for x in extends):
            raise errors.xdm("1000-400", "'meta:intendedToExtend' must list at least one class $id.")
        definitions = body.get("definitions", {})
        if not isinstance(definitions, dict) or not all(isinstance(d, dict) for d in definitions.values()):
            raise errors.xdm("1000-400", "'definitions' must be an object of definitions.")
        namespace = f"_{self.options.tenant_id}"
        for name in xdm.top_level_names(body):
            if name != namespace:
                raise errors.xdm(
                    "1020-400",
                    f"Namespace validation error: custom field '{name}' must be nested under '{namespace}'.",
                    "Namespace validation error",
                )
        tenant_obj = xdm.fieldgroup_properties(body).get(namespace, {})
        self._check_field_names(tenant_obj.get("properties", {}), namespace)
        all_of = body.get("allOf", [])
        if not isinstance(all_of, list):
            raise errors.xdm("1000-400", "'allOf' must be an array.")
        for entry in all_of:
            ref = entry.get("$ref") if isinstance(entry, dict) else None
            if not isinstance(ref, str):
                raise errors.xdm("1000-400", "each 'allOf' entry needs a '$ref' string.")
            if ref.startswith("#/definitions/") and ref[len("#/definitions/") :] not in definitions:
                raise errors.xdm("1000-400", f"'allOf' references unknown definition '{ref}'.")

    def _check_field_names(self, properties: Any, prefix: str) -> None:
        if not isinstance(properties, dict):
            raise errors.xdm("1000-400", f"'{prefix}.properties' must be an object.")
        for name, spec in properties.items():
            if name.startswith("_"):
                raise errors.xdm(
                    "1022-400",
                    f"Field '{prefix}.{name}' may not start with an underscore.",
                    "Namespace validation error",
                )
            if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
                raise errors.xdm("1000-400", f"Field '{prefix}.{name}' needs a 'type'.")
            if spec["type"] == "object":
                self._check_field_names(spec.get("properties", {}), f"{prefix}.{name}")

    def _schema_refs(self, ctx: Ctx, body: dict[str, Any]) -> tuple[str, list[str]]:
        all_of = body.get("allOf")
        if not isinstance(all_of, list) or not all_of:
            raise errors.xdm(
                "1000-400", "'allOf' must reference exactly one class and zero or more field groups."
            )
        classes: list[str] = []
        groups: list[str] = []
        for entry in all_of:
            ref = entry.get("$ref") if isinstance(entry, dict) else None
            if not isinstance(ref, str):
                raise errors.xdm("1000-400", "each 'allOf' entry needs a '$ref' string.")
            if ref in xdm.CLASSES:
                classes.append(ref)
                continue
            group = self._find(ctx, FIELDGROUP, ref)
            if group is None:
                raise errors.xdm(
                    "1010-404", f"Referenced resource '{ref}' could not be found.", "Resource not found"
                )
            groups.append(str(group["$id"]))
        if len(classes) != 1:
            raise errors.xdm("1000-400", "A schema must reference exactly one class in 'allOf'.")
        for gid in groups:
            group = self._get(ctx, FIELDGROUP, gid)
            if classes[0] not in group.get("meta:intendedToExtend", []):
                raise errors.xdm(
                    "1000-400", f"Field group '{gid}' is not compatible with class '{classes[0]}'."
                )
        return classes[0], groups

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, sandbox: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Flatten class + field groups into {properties, required} (the xed-full view)."""
        ctx = Ctx(sandbox)
        cls = xdm.CLASSES.get(str(schema.get("meta:class")), {})
        props: dict[str, Any] = copy.deepcopy(cls.get("properties", {}))
        for ref in schema.get("meta:extends", []):
            group = self._find(ctx, FIELDGROUP, ref)
            if group is not None:
                xdm.merge_properties(props, xdm.fieldgroup_properties(group))
        return {"properties": props, "required": list(cls.get("required", []))}

    def _render(self, ctx: Ctx, kind: str, obj: dict[str, Any], full: bool) -> dict[str, Any]:
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

    # -- operations ----------------------------------------------------------------------------
    def stats(self, ctx: Ctx) -> dict[str, Any]:
        schemas = self.store.list_kind(ctx.sandbox, SCHEMA)
        groups = self.store.list_kind(ctx.sandbox, FIELDGROUP)
        recent = [
            {
                "title": o.get("title"),
                "description": o.get("description", ""),
                "meta:altId": o["meta:altId"],
                "meta:resourceType": o["meta:resourceType"],
                "version": o["version"],
            }
            for o in (schemas + groups)[-5:]
        ]
        return {
            "imsOrg": self.options.org_id,
            "tenantId": self.options.tenant_id,
            "counts": {
                "schemas": len(schemas),
                "mixins": len(groups),
                "datatypes": 0,
                "classes": 0,
                "unions": 0,
            },
            "recentlyCreatedResources": recent,
            "recentlyUpdatedResources": [],
            "classUsage": {},
            "fieldGroupUsage": {},
        }

    def create(self, ctx: Ctx, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(body)
        for key in ("$id", "meta:altId", "version", "meta:registryMetadata"):
            body.pop(key, None)
        if body.setdefault("type", "object") != "object":
            raise errors.xdm("1000-400", "'type' must be 'object'.")
        self._check_title(ctx, body, None)
        self._validate(ctx, kind, body)
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

    def _validate(self, ctx: Ctx, kind: str, body: dict[str, Any]) -> None:
        if kind == FIELDGROUP:
            self._check_fieldgroup(ctx, body)
            return
        cls, groups = self._schema_refs(ctx, body)
        body["meta:class"] = cls
        body["meta:extends"] = [cls, *groups]

    def _metadata(self, ctx: Ctx, previous: dict[str, Any] | None) -> dict[str, Any]:
        created = (previous or {}).get("repo:createdDate", ctx.now_ms)
        return {
            "repo:createdDate": created,
            "repo:lastModifiedDate": ctx.now_ms,
            "xdm:createdClientId": (previous or {}).get("xdm:createdClientId", ctx.client_id),
            "xdm:lastModifiedClientId": ctx.client_id,
            "eTag": self.ids.hex(40),
        }

    def get(self, ctx: Ctx, kind: str, ref: str, full: bool) -> dict[str, Any]:
        return self._render(ctx, kind, self._get(ctx, kind, ref), full)

    def list_items(
        self,
        ctx: Ctx,
        kind: str,
        filters: list[str],
        ids_only: bool,
        full: bool,
        limit: int | None,
        start: int,
    ) -> dict[str, Any]:
        items = [
            o
            for o in self.store.list_kind(ctx.sandbox, kind, self.list_cutoff(ctx.now))
            if property_filters(filters, o)
        ]
        total = len(items)
        limit = min(limit or 300, 300)
        page = items[start : start + limit]
        if ids_only:
            results: list[dict[str, Any]] = [
                {
                    "$id": o["$id"],
                    "meta:altId": o["meta:altId"],
                    "version": o["version"],
                    "title": o.get("title"),
                }
                for o in page
            ]
        else:
            results = [self._render(ctx, kind, o, full) for o in page]
        nxt = start + limit if start + limit < total else None
        return {
            "results": results,
            "_page": {"orderby": "title", "next": nxt, "count": len(page)},
            "_links": {},
        }

    def replace(self, ctx: Ctx, kind: str, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self._get(ctx, kind, ref)
        new = copy.deepcopy(body)
        return self._store_update(ctx, kind, current, new)

    def patch(self, ctx: Ctx, kind: str, ref: str, operations: Any) -> dict[str, Any]:
        current = self._get(ctx, kind, ref)
        try:
            new = jsonpatch.apply(current, operations)
        except jsonpatch.PatchError as exc:
            raise errors.xdm("1000-400", f"Invalid JSON Patch: {exc}.") from exc
        if not isinstance(new, dict):
            raise errors.xdm("1000-400", "The patched resource must be an object.")
        for key in ("$id", "meta:altId"):
            if new.get(key) != current.get(key):
                raise errors.xdm("1000-400", f"'{key}' is read-only.")
        return self._store_update(ctx, kind, current, new)

    def _store_update(
        self, ctx: Ctx, kind: str, current: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        for key in _READ_ONLY:
            new[key] = current[key]
        if new.setdefault("type", "object") != "object":
            raise errors.xdm("1000-400", "'type' must be 'object'.")
        self._check_title(ctx, new, current["$id"])
        self._validate(ctx, kind, new)
        if self.knobs.xdm_additive_only_after_ingest:
            self._check_additive(ctx, kind, current, new)
        new["version"] = _bump(current.get("version", "1.0"))
        new["meta:registryMetadata"] = self._metadata(ctx, current.get("meta:registryMetadata"))
        self.store.put(ctx.sandbox, kind, self._key(current), new)
        return new

    # -- additive-only evolution once data was ingested -------------------------------------
    def _ingested_datasets(self, ctx: Ctx, schema: dict[str, Any]) -> list[str]:
        """Datasets of this schema that hold ingested data (a batch or stored records)."""
        refs = (schema.get("$id"), schema.get("meta:altId"))
        return [
            str(d["id"])
            for d in self.store.list_kind(ctx.sandbox, "dataset")
            if d.get("schemaRef", {}).get("id") in refs
            and (d.get("lastBatchId") or self.store.records(ctx.sandbox, str(d["id"])))
        ]

    def _check_additive(self, ctx: Ctx, kind: str, current: dict[str, Any], new: dict[str, Any]) -> None:
        if kind == SCHEMA:
            datasets = self._ingested_datasets(ctx, current)
            if not datasets:
                return
            label = f"schema '{current['$id']}'"
            kept = set(new.get("meta:extends", []))
            dropped = [g for g in current.get("meta:extends", []) if g not in kept and g not in xdm.CLASSES]
            if dropped:
                self._breaking(label, datasets, f"it removes field group '{dropped[0]}' from 'allOf'")
            old_tree = self.resolve(ctx.sandbox, current)["properties"]
            new_tree = self.resolve(ctx.sandbox, new)["properties"]
        else:
            datasets = []
            users: list[str] = []
            for schema in self.store.list_kind(ctx.sandbox, SCHEMA):
                if current["$id"] in schema.get("meta:extends", []):
                    found = self._ingested_datasets(ctx, schema)
                    if found:
                        users.append(str(schema["$id"]))
                        datasets += found
            if not datasets:
                return
            label = f"field group '{current['$id']}' (used by schema {', '.join(users)})"
            old_tree = xdm.fieldgroup_properties(current)
            new_tree = xdm.fieldgroup_properties(new)
        problem = xdm.breaking_change(old_tree, new_tree)
        if problem:
            self._breaking(label, datasets, problem)

    @staticmethod
    def _breaking(label: str, datasets: list[str], problem: str) -> None:
        raise errors.xdm(
            "1527-400",
            f"Breaking change not allowed: {problem}. {label[0].upper()}{label[1:]} is used by dataset "
            f"{', '.join(datasets)} which already holds ingested data; only additive changes "
            "(new fields, titles, descriptions) are allowed.",
            "Breaking change not allowed",
        )

    def delete(self, ctx: Ctx, kind: str, ref: str) -> None:
        current = self._get(ctx, kind, ref)
        if not self.knobs.schema_delete_in_use:
            self._check_unused(ctx, kind, current)
        self.store.delete(ctx.sandbox, kind, self._key(current))

    def _check_unused(self, ctx: Ctx, kind: str, current: dict[str, Any]) -> None:
        if kind == FIELDGROUP:
            users = [
                s["$id"]
                for s in self.store.list_kind(ctx.sandbox, SCHEMA)
                if current["$id"] in s.get("meta:extends", [])
            ]
        else:
            users = [
                d["id"]
                for d in self.store.list_kind(ctx.sandbox, "dataset")
                if d.get("schemaRef", {}).get("id") == current["$id"]
            ]
        if users:
            raise errors.xdm(
                "1090-400", f"'{current['$id']}' cannot be deleted: it is used by {', '.join(users)}."
            )
