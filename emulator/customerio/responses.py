"""Customer.io App API routes: /v1/reporting_webhooks (a Bearer App API key picks the workspace)."""

from __future__ import annotations

from typing import Any

from emulator.core.context import Ctx
from emulator.core.http import Router, body_json
from emulator.customerio.models import CustomerIo

BASE = "/v1/reporting_webhooks"


def register(router: Router, cio: CustomerIo) -> None:
    auth = cio.check_key  # the context's "sandbox" is the workspace of the App API key

    @router.route(BASE, ["GET"], "customerio.listWebhooks", auth)
    def list_(ctx: Ctx) -> Any:
        return cio.list_items(ctx.sandbox)

    @router.route(BASE, ["POST"], "customerio.createWebhook", auth)
    def create(ctx: Ctx) -> Any:
        return cio.create(ctx.sandbox, body_json(dict, require_json_type=False))

    @router.route(f"{BASE}/<webhook_id>", ["GET"], "customerio.getWebhook", auth)
    def get(ctx: Ctx, webhook_id: str) -> Any:
        return cio.get(ctx.sandbox, webhook_id)

    @router.route(f"{BASE}/<webhook_id>", ["PUT"], "customerio.updateWebhook", auth)
    def put(ctx: Ctx, webhook_id: str) -> Any:
        cio.get(ctx.sandbox, webhook_id)
        return cio.update(ctx.sandbox, webhook_id, body_json(dict, require_json_type=False))

    @router.route(f"{BASE}/<webhook_id>", ["DELETE"], "customerio.deleteWebhook", auth)
    def delete(ctx: Ctx, webhook_id: str) -> Any:
        cio.delete(ctx.sandbox, webhook_id)
        return None, 200
