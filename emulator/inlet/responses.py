"""Inlet route: POST /collection/{inletId} (the flow's `options.inletUrl`)."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.core.context import Ctx
from emulator.core.http import Router
from emulator.inlet.models import Inlet


def register(router: Router, inlet: Inlet) -> None:
    @router.route("/collection/<inlet_id>", ["POST"], "inlet.collect", "none")
    def collect(ctx: Ctx, inlet_id: str) -> Any:
        flow_id = request.args.get("x-adobe-flow-id") or request.headers.get("x-adobe-flow-id")
        sync = request.args.get("syncValidation", "").lower() == "true"
        return inlet.receive(inlet_id, flow_id, request.get_data(cache=True), sync)
