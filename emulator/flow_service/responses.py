"""Flow Service routes: /data/foundation/flowservice/{sourceConnections, targetConnections, flows, runs}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from emulator.core import errors
from emulator.core.context import Ctx
from emulator.core.http import Router, body_json, int_arg
from emulator.flow_service.models import FLOW, RUN, SOURCE, TARGET, FlowService

FS = "/data/foundation/flowservice"


def register(router: Router, flows: FlowService) -> None:
    creators = {SOURCE: flows.create_source, TARGET: flows.create_target, FLOW: flows.create_flow}
    for kind, plural, label in (
        (SOURCE, "sourceConnections", "SourceConnection"),
        (TARGET, "targetConnections", "TargetConnection"),
        (FLOW, "flows", "Flow"),
    ):
        _kind(router, flows, kind, f"{FS}/{plural}", label, creators[kind])

    @router.route(f"{FS}/flows/<flow_id>/action", ["POST"], "flowservice.flowAction", "platform")
    def action(ctx: Ctx, flow_id: str) -> Any:
        sub_ops = [v for raw in request.args.getlist("subOp") for v in raw.split(",") if v]
        return flows.action(ctx, flow_id, request.args.get("op"), sub_ops, request.headers.get("If-Match"))

    _list(router, flows, RUN, f"{FS}/runs", "flowservice.listRuns")

    @router.route(f"{FS}/runs/<run_id>", ["GET"], "flowservice.getRun", "platform")
    def run(ctx: Ctx, run_id: str) -> Any:
        return flows.get(ctx, RUN, run_id)


def _list(router: Router, flows: FlowService, kind: str, rule: str, operation: str) -> None:
    @router.route(rule, ["GET"], operation, "platform")
    def list_(ctx: Ctx) -> Any:
        filters, token = request.args.getlist("property"), request.args.get("continuationToken")
        count = request.args.get("count", "").lower() == "true"
        limit, orderby = int_arg("limit", None, 1), request.args.get("orderby")
        return flows.list_items(ctx, kind, filters, limit, token, count, orderby)


def _kind(
    router: Router, flows: FlowService, kind: str, base: str, label: str, creator: Callable[[Ctx, Any], Any]
) -> None:
    @router.route(base, ["POST"], f"flowservice.create{label}", "platform")
    def create(ctx: Ctx) -> Any:
        return creator(ctx, body_json(dict)), 201

    _list(router, flows, kind, base, f"flowservice.list{label}s")

    @router.route(f"{base}/<obj_id>", ["GET"], f"flowservice.get{label}", "platform")
    def get(ctx: Ctx, obj_id: str) -> Any:
        return flows.get(ctx, kind, obj_id)

    @router.route(f"{base}/<obj_id>", ["PATCH"], f"flowservice.patch{label}", "platform")
    def patch(ctx: Ctx, obj_id: str) -> Any:
        if_match = request.headers.get("If-Match")
        flows.find(ctx, kind, obj_id)  # 404 before body or header problems, like AEP
        if if_match is None:
            raise errors.flow("1403-400", "The header 'If-Match' is missing.")
        return flows.patch(ctx, kind, obj_id, body_json(list), if_match)

    @router.route(f"{base}/<obj_id>", ["DELETE"], f"flowservice.delete{label}", "platform")
    def delete(ctx: Ctx, obj_id: str) -> Any:
        flows.delete(ctx, kind, obj_id)
        return None, 204
