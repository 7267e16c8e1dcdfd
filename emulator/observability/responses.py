"""Observability Insights route: POST /data/infrastructure/observability/insights/metrics (V2)."""

from __future__ import annotations

from typing import Any

from emulator.core.context import Ctx
from emulator.core.http import Router, body_json
from emulator.observability.models import Insights

BASE = "/data/infrastructure/observability/insights"


def register(router: Router, insights: Insights) -> None:
    @router.route(f"{BASE}/metrics", ["POST"], "observability.retrieveMetricsV2", "platform")
    def metrics(ctx: Ctx) -> Any:
        return insights.metrics(ctx, body_json(dict, require_json_type=False))
