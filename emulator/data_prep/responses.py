"""Data Prep routes: /data/foundation/conversion/mappingSets (CRUD, validate, preview)."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.core import errors
from emulator.core.context import Ctx
from emulator.core.http import Router, body_json, int_arg
from emulator.data_prep.models import DataPrep

DP = "/data/foundation/conversion/mappingSets"


def register(router: Router, dataprep: DataPrep) -> None:
    @router.route(DP, ["POST"], "conversion.createMappingSet", "platform")
    def create(ctx: Ctx) -> Any:
        return dataprep.create(ctx, body_json(dict))

    @router.route(DP, ["GET"], "conversion.listMappingSets", "platform")
    def list_(ctx: Ctx) -> Any:
        limit = int_arg("limit", None, 1)
        start = int_arg("start", None)
        if limit is None or start is None:
            raise errors.dataprep("1002-400", "'limit' and 'start' query parameters are required.")
        return dataprep.list_items(ctx, min(limit, 100), start, request.args.get("name"))

    @router.route(f"{DP}/validate", ["POST"], "conversion.validateMappingSet", "platform")
    def validate(ctx: Ctx) -> Any:
        return dataprep.validate(ctx, body_json(dict))

    @router.route(f"{DP}/preview", ["POST"], "conversion.previewMappingSet", "platform")
    def preview(ctx: Ctx) -> Any:
        return dataprep.preview(ctx, body_json(dict))

    @router.route(f"{DP}/<set_id>", ["GET"], "conversion.getMappingSet", "platform")
    def get(ctx: Ctx, set_id: str) -> Any:
        return dataprep.get(ctx, set_id, int_arg("version", None))

    @router.route(f"{DP}/<set_id>", ["PUT"], "conversion.replaceMappingSet", "platform")
    def put(ctx: Ctx, set_id: str) -> Any:
        return dataprep.replace(ctx, set_id, body_json(dict))

    @router.route(f"{DP}/<set_id>", ["DELETE"], "conversion.deleteMappingSet", "platform")
    def delete(ctx: Ctx, set_id: str) -> Any:
        dataprep.delete(ctx, set_id)
        return None, 204
