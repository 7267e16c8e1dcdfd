"""Schema Registry routes: /data/foundation/schemaregistry/{stats, tenant/fieldgroups, tenant/schemas}."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.core.context import Ctx
from emulator.core.http import Router, body_json
from emulator.schema_registry.accept import parse_accept
from emulator.schema_registry.descriptors import Descriptors
from emulator.schema_registry.models import FIELDGROUP, SCHEMA, SchemaRegistry

SR = "/data/foundation/schemaregistry"


def register(router: Router, registry: SchemaRegistry) -> None:
    @router.route(f"{SR}/stats", ["GET"], "schemaregistry.getStats", "platform")
    def stats(ctx: Ctx) -> Any:
        return registry.stats(ctx)

    _descriptors(router, registry.descriptors)
    for kind, plural, label in ((FIELDGROUP, "fieldgroups", "FieldGroup"), (SCHEMA, "schemas", "Schema")):
        _kind(router, registry, kind, f"{SR}/tenant/{plural}", label)


def _kind(router: Router, registry: SchemaRegistry, kind: str, base: str, label: str) -> None:
    @router.route(base, ["GET"], f"schemaregistry.list{label}s", "platform")
    def list_(ctx: Ctx) -> Any:
        media, full = parse_accept(request.headers.get("Accept"), single=False)
        filters = request.args.getlist("property")
        query = {k: request.args.get(k) for k in ("orderby", "start", "limit")}
        return registry.list_items(ctx, kind, filters, media.endswith("xed-id+json"), full, query)

    @router.route(base, ["POST"], f"schemaregistry.create{label}", "platform")
    def create(ctx: Ctx) -> Any:
        return registry.create(ctx, kind, body_json(dict)), 201

    item = f"{base}/<path:ref>"

    @router.route(item, ["GET"], f"schemaregistry.get{label}", "platform")
    def get(ctx: Ctx, ref: str) -> Any:
        _, full = parse_accept(request.headers.get("Accept"), single=True)
        return registry.get(ctx, kind, ref, full)

    @router.route(item, ["PUT"], f"schemaregistry.replace{label}", "platform")
    def put(ctx: Ctx, ref: str) -> Any:
        return registry.replace(ctx, kind, ref, body_json(dict))

    @router.route(item, ["PATCH"], f"schemaregistry.patch{label}", "platform")
    def patch(ctx: Ctx, ref: str) -> Any:
        return registry.patch(ctx, kind, ref, body_json(list))

    @router.route(item, ["DELETE"], f"schemaregistry.delete{label}", "platform")
    def delete(ctx: Ctx, ref: str) -> Any:
        registry.delete(ctx, kind, ref)
        return None, 204


def _descriptors(router: Router, descriptors: Descriptors) -> None:
    base = f"{SR}/tenant/descriptors"

    @router.route(base, ["GET"], "schemaregistry.listDescriptors", "platform")
    def list_(ctx: Ctx) -> Any:
        return descriptors.list_items(ctx, request.headers.get("Accept"), request.args.getlist("property"))

    @router.route(base, ["POST"], "schemaregistry.createDescriptor", "platform")
    def create(ctx: Ctx) -> Any:
        return descriptors.create(ctx, body_json(dict)), 201

    @router.route(f"{base}/<desc_id>", ["GET"], "schemaregistry.getDescriptor", "platform")
    def get(ctx: Ctx, desc_id: str) -> Any:
        return descriptors.get(ctx, desc_id)

    @router.route(f"{base}/<desc_id>", ["PUT"], "schemaregistry.replaceDescriptor", "platform")
    def put(ctx: Ctx, desc_id: str) -> Any:
        return descriptors.replace(ctx, desc_id, body_json(dict)), 201

    @router.route(f"{base}/<desc_id>", ["DELETE"], "schemaregistry.deleteDescriptor", "platform")
    def delete(ctx: Ctx, desc_id: str) -> Any:
        descriptors.delete(ctx, desc_id)
        return None, 204
