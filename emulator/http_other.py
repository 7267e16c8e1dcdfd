"""Routes of IMS, the streaming inlet and the Customer.io App API."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from emulator.context import Ctx
from emulator.web import body_json, route, world


def register(app: Flask) -> None:
    @route(app, "/ims/token/v3", ["POST"], "ims.token", "none")
    def token(ctx: Ctx) -> Any:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        return world().ims.issue(params)

    @route(app, "/collection/<inlet_id>", ["POST"], "inlet.collect", "none")
    def collect(ctx: Ctx, inlet_id: str) -> Any:
        flow_id = request.args.get("x-adobe-flow-id") or request.headers.get("x-adobe-flow-id")
        sync = request.args.get("syncValidation", "").lower() == "true"
        return world().inlet.receive(inlet_id, flow_id, request.get_data(cache=True), sync)

    base = "/v1/reporting_webhooks"

    @route(app, base, ["GET"], "customerio.listWebhooks", "customerio")
    def list_(ctx: Ctx) -> Any:
        return world().customerio.list_items(ctx.sandbox)

    @route(app, base, ["POST"], "customerio.createWebhook", "customerio")
    def create(ctx: Ctx) -> Any:
        return world().customerio.create(ctx.sandbox, body_json(dict, require_json_type=False))

    @route(app, f"{base}/<webhook_id>", ["GET"], "customerio.getWebhook", "customerio")
    def get(ctx: Ctx, webhook_id: str) -> Any:
        return world().customerio.get(ctx.sandbox, webhook_id)

    @route(app, f"{base}/<webhook_id>", ["PUT"], "customerio.updateWebhook", "customerio")
    def put(ctx: Ctx, webhook_id: str) -> Any:
        world().customerio.get(ctx.sandbox, webhook_id)
        return world().customerio.update(ctx.sandbox, webhook_id, body_json(dict, require_json_type=False))

    @route(app, f"{base}/<webhook_id>", ["DELETE"], "customerio.deleteWebhook", "customerio")
    def delete(ctx: Ctx, webhook_id: str) -> Any:
        world().customerio.delete(ctx.sandbox, webhook_id)
        return None, 200
