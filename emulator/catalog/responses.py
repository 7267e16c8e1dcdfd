"""Catalog routes: /data/foundation/catalog/{dataSets, batches}."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.catalog.models import Catalog
from emulator.core import errors
from emulator.core.context import Ctx
from emulator.core.http import Router, body_json, int_arg

CAT = "/data/foundation/catalog"


def register(router: Router, catalog: Catalog) -> None:
    @router.route(f"{CAT}/dataSets", ["POST"], "catalog.createDataset", "platform")
    def create(ctx: Ctx) -> Any:
        dataset_id = catalog.create(ctx, body_json(dict))
        return [f"@/dataSets/{dataset_id}"], 201, {"Location": f"{CAT}/dataSets/{dataset_id}"}

    @router.route(f"{CAT}/dataSets", ["GET"], "catalog.listDatasets", "platform")
    def list_(ctx: Ctx) -> Any:
        limit = min(int_arg("limit", 50, 1) or 50, 100)
        props = [p for p in request.args.get("properties", "").split(",") if p]
        return catalog.list_items(ctx, request.args.get("name"), limit, int_arg("start", 0) or 0, props)

    @router.route(f"{CAT}/batches", ["GET"], "catalog.listBatches", "platform")
    def batches(ctx: Ctx) -> Any:
        limit = min(int_arg("limit", 20, 1) or 20, 100)
        return catalog.batches(ctx, request.args.get("dataSet"), limit)

    @router.route(f"{CAT}/dataSets/<dataset_id>", ["GET"], "catalog.getDataset", "platform")
    def get(ctx: Ctx, dataset_id: str) -> Any:
        return catalog.get(ctx, dataset_id)

    @router.route(f"{CAT}/dataSets/<dataset_id>", ["PATCH"], "catalog.patchDataset", "platform")
    def patch(ctx: Ctx, dataset_id: str) -> Any:
        # json-patch+json: an RFC 6902 array; application/json: a field object (the fields to set)
        media = (request.mimetype or "").lower()
        if media == "application/json-patch+json":
            return catalog.patch(ctx, dataset_id, body_json(list))
        if media == "application/json":
            return catalog.update_fields(ctx, dataset_id, body_json(dict))
        raise errors.catalog(
            415,
            "Content-Type must be application/json-patch+json (JSON Patch) or application/json (fields).",
            "err-unsupportedMediaType",
        )

    @router.route(f"{CAT}/dataSets/<dataset_id>", ["DELETE"], "catalog.deleteDataset", "platform")
    def delete(ctx: Ctx, dataset_id: str) -> Any:
        return catalog.delete(ctx, dataset_id)
