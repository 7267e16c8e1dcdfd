"""One source's health: its dataflow, its Customer.io webhook, a synthetic event end to end, recent runs
and metrics. Used by ``aep_customerio.components.health`` (the command and its exit codes).

Why a probe and not alerts: Adobe's dataflow alerts cover batch sources only, not streaming ones such
as Customer.io, and are not offered in non-production sandboxes (help/sources/tutorials/ui/alerts.md,
help/observability/alerts/rules.md). The APIs it reads:

- Flow Service ``GET /flows/{id}`` (state) and ``GET /runs?property=flowId=={id}`` (flow-service.yaml
  ``listFlowRuns``; one run per hourly window for streaming, monitor-streaming.md): records read,
  written and failed, the last successful run;
- Observability Insights ``POST /metrics`` (V2, metrics.md): ``timeseries.ingestion.dataset
  .recordsuccess.count`` for the dataset over the window;
- Customer.io App API ``GET /v1/reporting_webhooks/{id}``: the webhook still exists, is enabled and
  still points at the stack's webhook URL.

The synthetic event is a Customer.io ``customer``/``subscribed`` payload whose ``event_id`` starts with
``aep-customerio-health-`` and whose person is ``aep-customerio-health-check``: easy to filter out.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from aep_customerio.providers.aep_client import FLOW_SERVICE, AepClient, first_item
from aep_customerio.providers.customerio_client import CustomerIoClient
from aep_customerio.providers.errors import ApiError, GoneError
from aep_customerio.providers.transport import RetryPolicy
from aep_customerio.providers.waiting import poll

METRICS = "/data/infrastructure/observability/insights/metrics"
RECORDS_METRIC = "timeseries.ingestion.dataset.recordsuccess.count"
HEALTH_PERSON = "aep-customerio-health-check"
EVENT_PREFIX = "aep-customerio-health-"
Obj = dict[str, Any]


def synthetic_event(now: float) -> Obj:
    """A Customer.io reporting-webhook payload (customer/subscribed), clearly marked as a health check."""
    return {
        "event_id": f"{EVENT_PREFIX}{uuid.uuid4().hex}",
        "object_type": "customer",
        "metric": "subscribed",
        "timestamp": int(now),
        "data": {
            "customer_id": HEALTH_PERSON,
            "email_address": "health-check@example.invalid",
            "identifiers": {
                "id": HEALTH_PERSON,
                "email": "health-check@example.invalid",
                "cio_id": HEALTH_PERSON,
            },
        },
    }


@dataclass
class Source:
    """What the stack's outputs say about one source."""

    name: str
    sandbox: str
    flow_id: str
    dataset_id: str
    webhook_url: str
    webhook_id: int | None = None
    workspace: str = ""


@dataclass
class Report:
    name: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flow_state: str = "unknown"
    last_successful_run: str | None = None
    records_read: int = 0
    records_written: int = 0
    records_failed: int = 0
    records_in_dataset: int | None = None
    event: str = "not sent"

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_json(self) -> Obj:
        return {
            "source": self.name,
            "healthy": self.healthy,
            **{k: v for k, v in vars(self).items() if k != "name"},
        }


def _iso(ms: int | None) -> str | None:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if ms else None


class Probe:
    def __init__(
        self,
        aep: AepClient,
        customerio: Callable[[str], CustomerIoClient | None],
        window_s: float,
        wait_s: float,
        poll_s: float = 2.0,
    ) -> None:
        self.aep, self.customerio = aep, customerio
        self.window_s, self.wait_s, self.poll_s = window_s, wait_s, poll_s

    def check(self, source: Source, send: bool) -> Report:
        report = Report(source.name)
        flow = self._flow(source, report)
        self._webhook(source, report)
        before = self._runs(source, report)
        if send and flow is not None:
            self._send_and_wait(source, report, before)
        self._metrics(source, report, flow or {})
        return report

    def _flow(self, source: Source, report: Report) -> Obj | None:
        try:
            body = self.aep.get_existing(
                f"{FLOW_SERVICE}/flows/{source.flow_id}",
                sandbox=source.sandbox,
                operation="health: read dataflow",
            )
        except GoneError:
            report.flow_state = "deleted"
            report.problems.append(f"dataflow {source.flow_id} no longer exists in sandbox {source.sandbox}")
            return None
        flow = first_item(body) or {}
        report.flow_state = str(flow.get("state", "unknown"))
        if report.flow_state != "enabled":
            report.problems.append(
                f"dataflow is {report.flow_state}: it accepts no events (enable it: `pulumi up`)"
            )
        return flow

    def _webhook(self, source: Source, report: Report) -> None:
        if source.webhook_id is None:
            report.notes.append("no Customer.io webhook managed by the stack: not checked")
            return
        client = self.customerio(source.workspace)
        if client is None:
            report.notes.append("no Customer.io App API key in the environment: webhook not checked")
            return
        try:
            hook = client.get_existing(
                f"/v1/reporting_webhooks/{source.webhook_id}", operation="health: read webhook"
            )
        except GoneError:
            report.problems.append(
                f"the Customer.io reporting webhook {source.webhook_id} is gone: Customer.io sends nothing"
            )
            return
        if hook.get("disabled"):
            report.problems.append(f"the Customer.io reporting webhook {source.webhook_id} is disabled")
        if hook.get("endpoint") != source.webhook_url:
            report.problems.append(
                f"the Customer.io reporting webhook {source.webhook_id} points elsewhere, "
                "not at the stack's webhookUrl"
            )

    def _runs(self, source: Source, report: Report) -> Obj:
        params = {"property": f"flowId=={source.flow_id}", "limit": 100}
        body = self.aep.call(
            "GET",
            f"{FLOW_SERVICE}/runs",
            sandbox=source.sandbox,
            operation="health: list runs",
            params=params,
        ).json()
        since = (time.time() - self.window_s) * 1000
        totals: dict[str, Any] = {"read": 0, "written": 0, "failed": 0, "errors": []}
        last_ok: int | None = None
        for run in body.get("items") or []:
            metrics = run.get("metrics") or {}
            status = (metrics.get("statusSummary") or {}).get("status")
            done = (metrics.get("durationSummary") or {}).get("completedAtUTC") or run.get("updatedAt")
            if status == "success" and isinstance(done, int) and (last_ok is None or done > last_ok):
                last_ok = done
            if int(run.get("updatedAt") or run.get("createdAt") or 0) < since:
                continue
            counts = metrics.get("recordSummary") or {}
            totals["read"] += int(counts.get("inputRecordCount") or 0)
            totals["written"] += int(counts.get("outputRecordCount") or 0)
            totals["failed"] += int(counts.get("failedRecordCount") or 0)
            totals["errors"] += (metrics.get("statusSummary") or {}).get("errors") or []
        report.records_read, report.records_written = totals["read"], totals["written"]
        report.records_failed = totals["failed"]
        report.last_successful_run = _iso(last_ok)
        return totals

    def _send_and_wait(self, source: Source, report: Report, before: Obj) -> None:
        payload = synthetic_event(time.time())
        try:
            answer = requests.post(source.webhook_url, json=payload, timeout=30)
        except requests.RequestException as exc:
            report.event = "not delivered"
            report.problems.append(f"the webhook URL did not answer: {type(exc).__name__}")
            return
        if answer.status_code >= 300:
            report.event = f"refused (HTTP {answer.status_code})"
            report.problems.append(
                f"the inlet refused the synthetic event: HTTP {answer.status_code} {answer.text[:300]}"
            )
            return
        now = poll(
            lambda: self._runs(source, report),
            lambda runs: runs["written"] > before["written"] or runs["failed"] > before["failed"],
            timeout=self.wait_s,
            policy=RetryPolicy(),
            first_delay=self.poll_s,
            max_delay=self.poll_s,
        )
        if now["written"] > before["written"]:
            report.event = f"landed ({payload['event_id']})"
        elif now["failed"] > before["failed"]:
            report.event = "failed"
            codes = ", ".join(sorted({str(e.get("code")) for e in now["errors"]})) or "no code"
            report.problems.append(f"the synthetic event reached the flow but failed ({codes})")
        else:
            report.event = "accepted, not landed"
            report.problems.append(
                f"the synthetic event was accepted but did not land within {self.wait_s:g} s"
            )

    def _metrics(self, source: Source, report: Report, flow: Obj) -> None:
        end = dt.datetime.now(dt.UTC)
        start = end - dt.timedelta(seconds=self.window_s)
        body = {
            "start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "end": (end + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "granularity": "DAY",
            "metrics": [
                {
                    "name": RECORDS_METRIC,
                    "filters": [{"name": "dataSetId", "value": source.dataset_id, "groupBy": False}],
                    "aggregator": "sum",
                    "downsample": "sum",
                }
            ],
        }
        headers = {"x-sandbox-id": str(flow["sandboxId"])} if flow.get("sandboxId") else {}
        try:
            resp = self.aep.call(
                "POST",
                METRICS,
                sandbox=source.sandbox,
                operation="health: metrics",
                json=body,
                headers=headers,
            )
            points = resp.json()["metricResponses"][0]["datapoints"]
            report.records_in_dataset = int(sum(sum(p.get("dps", {}).values()) for p in points))
        except (ApiError, KeyError, IndexError, TypeError, ValueError) as exc:
            report.notes.append(
                f"observability metrics unavailable: {getattr(exc, 'title', None) or type(exc).__name__}"
            )
