"""Identity Service routes: /data/core/idnamespace/identities."""

from __future__ import annotations

from typing import Any

from emulator.core.context import Ctx
from emulator.core.http import Router, body_json
from emulator.identity.models import IdentityNamespaces

BASE = "/data/core/idnamespace/identities"


def register(router: Router, namespaces: IdentityNamespaces) -> None:
    @router.route(BASE, ["GET"], "identity.getIdNamespaces", "platform")
    def list_(ctx: Ctx) -> Any:
        return namespaces.list_items(ctx.sandbox)

    @router.route(BASE, ["POST"], "identity.createNamespace", "platform")
    def create(ctx: Ctx) -> Any:
        return namespaces.create(ctx, body_json(dict)), 200

    @router.route(f"{BASE}/<ref>", ["GET"], "identity.retrieveIdentityNamespace", "platform")
    def get(ctx: Ctx, ref: str) -> Any:
        return namespaces.get(ctx, ref)
