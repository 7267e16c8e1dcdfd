"""Runs of a streaming flow: one per time window (hourly in AEP), counting the records it read.

Sources: monitor-streaming.md (one run per hourly window; statuses), monitor.md and flow-service.yaml
`listFlowRuns` (the run's fields). A run's status: `failed` when its failed records exceed the flow's
`partialIngestionPercent` (0 without partial ingestion), else `success` — how partial ingestion affects
a streaming run's status is UNCONFIRMED. The window is the knob `run_window_s` (default 3600 s).
"""

from __future__ import annotations

from typing import Any

from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.flow_service.options import threshold

RUN = "run"
Obj = dict[str, Any]


def record(store: Store, ids: Ids, sandbox: str, flow: Obj, event: Obj, window_s: float) -> Obj:
    """Count one record (`event`: received_ms, size, xaction_id, problems) in its window's run."""
    window_ms = max(1, int(window_s * 1000))
    start = int(event["received_ms"]) - int(event["received_ms"]) % window_ms
    same = [
        r
        for r in store.list_kind(sandbox, RUN)
        if r.get("flowId") == flow["id"] and r.get("createdAt") == start
    ]
    run = same[0] if same else _new(ids, sandbox, flow, start)
    failed = 1 if event["problems"] else 0
    metrics = run["metrics"]
    counts = metrics["recordSummary"]
    counts["inputRecordCount"] += 1
    counts["outputRecordCount"] += 1 - failed
    counts["failedRecordCount"] += failed
    metrics["sizeSummary"]["inputBytes"] += int(event["size"])
    metrics["sizeSummary"]["outputBytes"] += 0 if failed else int(event["size"])
    errors = metrics["statusSummary"]["errors"]
    errors += [{"code": p["code"], "message": p["message"]} for p in event["problems"]][
        : max(0, 10 - len(errors))
    ]
    share = 100.0 * counts["failedRecordCount"] / counts["inputRecordCount"]
    metrics["statusSummary"]["status"] = "failed" if share > threshold(flow) else "success"
    now_ms = int(event["completed_ms"])
    metrics["durationSummary"]["completedAtUTC"] = now_ms
    run.update(updatedAt=now_ms, etag=ids.etag())
    run["activities"].append(
        {
            "id": ids.uuid(),
            "name": "Mapping",
            "xactionId": event["xaction_id"],
            "status": "failed" if failed else "success",
        }
    )
    del run["activities"][:-20]
    store.put(sandbox, RUN, run["id"], run)
    return run


def _new(ids: Ids, sandbox: str, flow: Obj, start: int) -> Obj:
    return {
        "id": ids.uuid(),
        "flowId": flow["id"],
        "createdAt": start,
        "updatedAt": start,
        "etag": ids.etag(),
        "sandboxName": sandbox,
        "metrics": {
            "durationSummary": {"startedAtUTC": start, "completedAtUTC": start},
            "sizeSummary": {"inputBytes": 0, "outputBytes": 0},
            "recordSummary": {"inputRecordCount": 0, "outputRecordCount": 0, "failedRecordCount": 0},
            "statusSummary": {"status": "success", "errors": []},
        },
        "activities": [],
    }
