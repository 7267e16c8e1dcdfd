"""Routes of the Platform services (Schema Registry, Catalog, Flow Service, Data Prep)."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from emulator import errors
from emulator.context import Ctx
from emulator.flow_service import FLOW, RUN, SOURCE, TARGET
from emulator.schema_registry import FIELDGROUP, SCHEMA, parse_accept
from emulator.web import body_json, int_arg, route, world

SR = "/data/foundation/schemaregistry"
CAT = "/data/foundation/catalog"
FS = "/data/foundation/flowservice"
DP = "/data/foundation/conversion"


def register(app: Flask) -> None:
    _schema_registry(app)
    _catalog(app)
    _flow_service(app)
    _data_prep(app)


def _schema_registry(app: Flask) -> None:
    @route(app, f"{SR}/stats", ["GET"], "schemaregistry.getStats", "platform")
    def stats(ctx: Ctx) -> Any:
        return world().schemas.stats(ctx)

    for kind, plural, label in ((FIELDGROUP, "fieldgroups", "FieldGroup"), (SCHEMA, "schemas", "Schema")):
        _sr_kind(app, kind, plural, label)


def _sr_kind(app: Flask, kind: str, plural: str, label: str) -> None:
    @route(app, f"{SR}/tenant/{plural}", ["GET"], f"schemaregistry.list{label}s", "platform")
    def list_(ctx: Ctx) -> Any:
        media, full = parse_accept(request.headers.get("Accept"), single=False)
        return world().schemas.list_items(
            ctx,
            kind,
            request.args.getlist("property"),
            media.endswith("xed-id+json"),
            full,
            int_arg("limit", None, 1),
            int_arg("start", 0) or 0,
        )

    @route(app, f"{SR}/tenant/{plural}", ["POST"], f"schemaregistry.create{label}", "platform")
    def create(ctx: Ctx) -> Any:
        return world().schemas.create(ctx, kind, body_json(dict)), 201

    @route(app, f"{SR}/tenant/{plural}/<path:ref>", ["GET"], f"schemaregistry.get{label}", "platform")
    def get(ctx: Ctx, ref: str) -> Any:
        _, full = parse_accept(request.headers.get("Accept"), single=True)
        return world().schemas.get(ctx, kind, ref, full)

    @route(app, f"{SR}/tenant/{plural}/<path:ref>", ["PUT"], f"schemaregistry.replace{label}", "platform")
    def put(ctx: Ctx, ref: str) -> Any:
        return world().schemas.replace(ctx, kind, ref, body_json(dict))

    @route(app, f"{SR}/tenant/{plural}/<path:ref>", ["PATCH"], f"schemaregistry.patch{label}", "platform")
    def patch(ctx: Ctx, ref: str) -> Any:
        return world().schemas.patch(ctx, kind, ref, body_json(list))

    @route(app, f"{SR}/tenant/{plural}/<path:ref>", ["DELETE"], f"schemaregistry.delete{label}", "platform")
    def delete(ctx: Ctx, ref: str) -> Any:
        world().schemas.delete(ctx, kind, ref)
        return None, 204


def _catalog(app: Flask) -> None:
    @route(app, f"{CAT}/dataSets", ["POST"], "catalog.createDataset", "platform")
    def create(ctx: Ctx) -> Any:
        dataset_id = world().catalog.create(ctx, body_json(dict))
        return [f"@/dataSets/{dataset_id}"], 201, {"Location": f"{CAT}/dataSets/{dataset_id}"}

    @route(app, f"{CAT}/dataSets", ["GET"], "catalog.listDatasets", "platform")
    def list_(ctx: Ctx) -> Any:
        limit = min(int_arg("limit", 50, 1) or 50, 100)
        props = [p for p in request.args.get("properties", "").split(",") if p]
        return world().catalog.list_items(
            ctx, request.args.get("name"), limit, int_arg("start", 0) or 0, props
        )

    @route(app, f"{CAT}/batches", ["GET"], "catalog.listBatches", "platform")
    def batches(ctx: Ctx) -> Any:
        limit = min(int_arg("limit", 20, 1) or 20, 100)
        return world().catalog.batches(ctx, request.args.get("dataSet"), limit)

    @route(app, f"{CAT}/dataSets/<dataset_id>", ["GET"], "catalog.getDataset", "platform")
    def get(ctx: Ctx, dataset_id: str) -> Any:
        return world().catalog.get(ctx, dataset_id)

    @route(app, f"{CAT}/dataSets/<dataset_id>", ["PATCH"], "catalog.patchDataset", "platform")
    def patch(ctx: Ctx, dataset_id: str) -> Any:
        return world().catalog.patch(ctx, dataset_id, body_json(list))

    @route(app, f"{CAT}/dataSets/<dataset_id>", ["DELETE"], "catalog.deleteDataset", "platform")
    def delete(ctx: Ctx, dataset_id: str) -> Any:
        return world().catalog.delete(ctx, dataset_id)


def _flow_service(app: Flask) -> None:
    for kind, plural, label in (
        (SOURCE, "sourceConnections", "SourceConnection"),
        (TARGET, "targetConnections", "TargetConnection"),
        (FLOW, "flows", "Flow"),
    ):
        _fs_kind(app, kind, plural, label)

    @route(app, f"{FS}/flows/<flow_id>/action", ["POST"], "flowservice.flowAction", "platform")
    def action(ctx: Ctx, flow_id: str) -> Any:
        return world().flows.action(ctx, flow_id, request.args.get("op"), request.headers.get("If-Match"))

    @route(app, f"{FS}/runs", ["GET"], "flowservice.listRuns", "platform")
    def runs(ctx: Ctx) -> Any:
        return world().flows.list_items(
            ctx,
            RUN,
            request.args.getlist("property"),
            int_arg("limit", None, 1),
            request.args.get("continuationToken"),
            _count(),
        )

    @route(app, f"{FS}/runs/<run_id>", ["GET"], "flowservice.getRun", "platform")
    def run(ctx: Ctx, run_id: str) -> Any:
        return world().flows.get(ctx, RUN, run_id)


def _count() -> bool:
    return request.args.get("count", "").lower() == "true"


def _fs_kind(app: Flask, kind: str, plural: str, label: str) -> None:
    creators = {SOURCE: "create_source", TARGET: "create_target", FLOW: "create_flow"}

    @route(app, f"{FS}/{plural}", ["POST"], f"flowservice.create{label}", "platform")
    def create(ctx: Ctx) -> Any:
        return getattr(world().flows, creators[kind])(ctx, body_json(dict)), 201

    @route(app, f"{FS}/{plural}", ["GET"], f"flowservice.list{label}s", "platform")
    def list_(ctx: Ctx) -> Any:
        return world().flows.list_items(
            ctx,
            kind,
            request.args.getlist("property"),
            int_arg("limit", None, 1),
            request.args.get("continuationToken"),
            _count(),
        )

    @route(app, f"{FS}/{plural}/<obj_id>", ["GET"], f"flowservice.get{label}", "platform")
    def get(ctx: Ctx, obj_id: str) -> Any:
        return world().flows.get(ctx, kind, obj_id)

    @route(app, f"{FS}/{plural}/<obj_id>", ["PATCH"], f"flowservice.patch{label}", "platform")
    def patch(ctx: Ctx, obj_id: str) -> Any:
        if_match = request.headers.get("If-Match")
        world().flows._get(ctx, kind, obj_id)  # 404 before body or header problems, like AEP
        if if_match is None:
            raise errors.flow("1403-400", "The header 'If-Match' is missing.")
        return world().flows.patch(ctx, kind, obj_id, body_json(list), if_match)

    @route(app, f"{FS}/{plural}/<obj_id>", ["DELETE"], f"flowservice.delete{label}", "platform")
    def delete(ctx: Ctx, obj_id: str) -> Any:
        world().flows.delete(ctx, kind, obj_id)
        return None, 204


def _data_prep(app: Flask) -> None:
    @route(app, f"{DP}/mappingSets", ["POST"], "conversion.createMappingSet", "platform")
    def create(ctx: Ctx) -> Any:
        return world().dataprep.create(ctx, body_json(dict))

    @route(app, f"{DP}/mappingSets", ["GET"], "conversion.listMappingSets", "platform")
    def list_(ctx: Ctx) -> Any:
        limit = int_arg("limit", None, 1)
        start = int_arg("start", None)
        if limit is None or start is None:
            raise errors.dataprep("1002-400", "'limit' and 'start' query parameters are required.")
        return world().dataprep.list_items(ctx, min(limit, 100), start, request.args.get("name"))

    @route(app, f"{DP}/mappingSets/validate", ["POST"], "conversion.validateMappingSet", "platform")
    def validate(ctx: Ctx) -> Any:
        return world().dataprep.validate(ctx, body_json(dict))

    @route(app, f"{DP}/mappingSets/preview", ["POST"], "conversion.previewMappingSet", "platform")
    def preview(ctx: Ctx) -> Any:
        return world().dataprep.preview(ctx, body_json(dict))

    @route(app, f"{DP}/mappingSets/<set_id>", ["GET"], "conversion.getMappingSet", "platform")
    def get(ctx: Ctx, set_id: str) -> Any:
        return world().dataprep.get(ctx, set_id, int_arg("version", None))

    @route(app, f"{DP}/mappingSets/<set_id>", ["PUT"], "conversion.replaceMappingSet", "platform")
    def put(ctx: Ctx, set_id: str) -> Any:
        return world().dataprep.replace(ctx, set_id, body_json(dict))

    @route(app, f"{DP}/mappingSets/<set_id>", ["DELETE"], "conversion.deleteMappingSet", "platform")
    def delete(ctx: Ctx, set_id: str) -> Any:
        world().dataprep.delete(ctx, set_id)
        return None, 204
