"""IMS route: POST /ims/token/v3 (form or query parameters)."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.core.context import Ctx
from emulator.core.http import Router
from emulator.ims.models import Ims


def register(router: Router, ims: Ims) -> None:
    @router.route("/ims/token/v3", ["POST"], "ims.token", "none")
    def token(ctx: Ctx) -> Any:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        return ims.issue(params)
