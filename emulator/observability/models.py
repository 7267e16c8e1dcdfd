"""Observability Insights backend: `POST /metrics` (V2) over what Catalog recorded.

Rules (observability-insights.yaml `retrieveMetricsV2`, metrics.md; aep-profile-diagnostics.md §6):
`start` and `end` ISO 8601, `start` before `end`; each metric needs a known `name` and an
`aggregator`; `downsample` is needed whenever `granularity` is set; `granularity` `day` or `month`
(documented; `hour` UNCONFIRMED, so refused here); filter `dataSetId` with one or more ids joined by
`|`, `groupBy` splitting the datapoints per dataset. Errors `INSGHT-1000-400`. No pagination.

Sources of the numbers: Catalog's batches (a streamed record lands as a batch; a record that failed
validation as a failed batch, as streaming validation writes failures to the data lake).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from emulator.core import errors
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import DatasetActivity

Obj = dict[str, Any]
PROFILE_TAG = "unifiedProfile"
IDENTITY_TAG = "unifiedIdentity"


def _success(batch: Obj, dataset: Obj) -> int:
    return (
        int(batch.get("metrics", {}).get("outputRecordCount", 0)) if batch.get("status") == "success" else 0
    )


def _tagged(tag: str) -> Callable[[Obj, Obj], int]:
    def count(batch: Obj, dataset: Obj) -> int:
        enabled = "enabled:true" in (dataset.get("tags", {}).get(tag) or [])
        return _success(batch, dataset) if enabled else 0

    return count


def _failed(batch: Obj, dataset: Obj) -> int:
    return int(batch.get("metrics", {}).get("failedRecordCount", 0)) if batch.get("status") == "failed" else 0


METRICS: dict[str, Callable[[Obj, Obj], int]] = {
    "timeseries.ingestion.dataset.recordsuccess.count": _success,
    "timeseries.profiles.dataset.recordsuccess.count": _tagged(PROFILE_TAG),
    "timeseries.profiles.dataset.recordread.count": _tagged(PROFILE_TAG),
    "timeseries.identity.dataset.recordsuccess.count": _tagged(IDENTITY_TAG),
    "timeseries.identity.dataset.recordfailed.count": lambda batch, dataset: 0,
    # invalid records of streaming validation, per dataset (the failed batches)
    "timeseries.data.collection.validation.category.presence.count": _failed,
}
GRANULARITIES = ("day", "month")


def _bad(message: str) -> errors.ApiError:
    return errors.insights("1000-400", message)


def _instant(body: Obj, key: str) -> dt.datetime:
    raw = body.get(key)
    if not isinstance(raw, str):
        raise _bad(f"'{key}' is required: an ISO 8601 timestamp.")
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad(f"'{key}' is not an ISO 8601 timestamp: {raw!r}.") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _bucket(when: dt.datetime, granularity: str | None, start: dt.datetime) -> str:
    if granularity == "month":
        when = when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif granularity == "day":
        when = when.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        when = start
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Insights(Backend):
    """Asks Catalog (`DatasetActivity`); answers nobody."""

    def __init__(self, env: Env, activity: DatasetActivity) -> None:
        super().__init__(env)
        self.activity = activity

    def metrics(self, ctx: Ctx, body: Obj) -> Obj:
        start, end = _instant(body, "start"), _instant(body, "end")
        if start >= end:
            raise _bad("'start' must be before 'end'.")
        granularity = body.get("granularity")
        if granularity is not None and str(granularity).lower() not in GRANULARITIES:
            raise _bad(f"'granularity' must be one of DAY, MONTH, not {granularity!r}.")
        metrics = body.get("metrics")
        if not isinstance(metrics, list) or not metrics:
            raise _bad("'metrics' must be a non-empty array.")
        gran = str(granularity).lower() if granularity is not None else None
        return {"metricResponses": [self._one(ctx, m, start, end, gran) for m in metrics]}

    def _one(self, ctx: Ctx, metric: Any, start: dt.datetime, end: dt.datetime, gran: str | None) -> Obj:
        if not isinstance(metric, dict) or metric.get("name") not in METRICS:
            name = metric.get("name") if isinstance(metric, dict) else metric
            raise _bad(f"Unknown metric {name!r}.")
        if not isinstance(metric.get("aggregator"), str):
            raise _bad(f"Metric {metric['name']!r} needs an 'aggregator'.")
        if gran is not None and not isinstance(metric.get("downsample"), str):
            raise _bad(f"Metric {metric['name']!r} needs 'downsample' when 'granularity' is set.")
        filters = metric.get("filters", [])
        if not isinstance(filters, list):
            raise _bad("'filters' must be an array.")
        ids: list[str] = []
        group_by = False
        for f in filters:
            if not isinstance(f, dict) or str(f.get("name", "")).lower() != "datasetid":
                raise _bad("Only the 'dataSetId' filter is supported.")
            ids += [v for v in str(f.get("value", "")).split("|") if v]
            group_by = group_by or bool(f.get("groupBy"))
        if not filters:
            ids = [d["id"] for d in self.activity.all_datasets(ctx.sandbox)]
        count = METRICS[metric["name"]]
        groups: dict[str, dict[str, int]] = {}
        for dataset_id in ids:
            dataset = self.activity.get_dataset(ctx.sandbox, dataset_id) or {}
            dps = groups.setdefault(dataset_id if group_by else "", {})
            for batch in self.activity.batches_for(ctx.sandbox, dataset_id):
                when = dt.datetime.fromtimestamp(int(batch.get("created", 0)) / 1000, dt.UTC)
                if start <= when < end:
                    key = _bucket(when, gran, start)
                    dps[key] = dps.get(key, 0) + count(batch, dataset)
        datapoints = [
            {"groupBy": {"dataSetId": key} if key else {}, "dps": dps} for key, dps in groups.items()
        ] or [{"groupBy": {}, "dps": {}}]
        return {
            "metric": metric["name"],
            "filters": filters,
            "datapoints": datapoints,
            "granularity": (gran or "").upper() or None,
        }
