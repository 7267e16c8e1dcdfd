"""A flow's in-between states (enabling, disabling, updating), computed on read from timestamps.

The stored `state` is always the stable state a flow settles in; the in-between state lives in two
hidden fields. Nothing runs in the background.
"""

from __future__ import annotations

from typing import Any

from emulator.core import errors
from emulator.core.context import Ctx

BUSY_STATE = "__busyState"
BUSY_UNTIL = "__busyUntil"
Obj = dict[str, Any]


def public(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if not k.startswith("__")}


def busy_state(flow: Obj, now: float) -> str | None:
    """`enabling`, `disabling` or `updating` while the flow is between stable states, else None."""
    until = flow.get(BUSY_UNTIL)
    if until is None or now >= float(until):
        return None
    return str(flow.get(BUSY_STATE))


def effective_state(flow: Obj, now: float) -> str:
    return busy_state(flow, now) or str(flow.get("state", ""))


def accepts_data(flow: Obj, now: float) -> bool:
    """An enabled flow keeps ingesting while it is updated or being disabled, not while enabling."""
    busy = busy_state(flow, now)
    if busy == "disabling":
        return True
    return flow.get("state") == "enabled" and busy != "enabling"


def begin(flow: Obj, busy: str, now: float, delay: float) -> None:
    if delay > 0:
        flow[BUSY_STATE] = busy
        flow[BUSY_UNTIL] = now + delay
    else:
        flow.pop(BUSY_STATE, None)
        flow.pop(BUSY_UNTIL, None)


def render(ctx: Ctx, obj: Obj, out: Obj) -> None:
    until = obj.get(BUSY_UNTIL)
    if until is None:
        return  # no transition was ever recorded (flow_transition_s = 0): nothing to show
    last = dict(out.get("lastOperation") or {})
    busy = busy_state(obj, ctx.now)
    if busy is not None:
        out["state"] = busy
        last.update({"updated": ctx.now_ms, "status": {"value": "IN_PROGRESS"}})
    else:
        last.update({"updated": int(float(until) * 1000), "status": {"value": "SUCCESS"}})
    out["lastOperation"] = last


ACTION_OPS = ("ENABLE", "DISABLE", "FINALIZE_UPDATE", "FINALIZE", "PUBLISH")  # spec postStateTransition
SUB_OPS = ("APPLY", "ROLLBACK", "PROGRESS")


def action_op(raw: str | None, sub_ops: list[str], accept_lowercase: bool) -> str:
    """`enable` or `disable` from the spec's upper-case `op` enum (lower case only with the knob)."""
    value = raw or ""
    if accept_lowercase:
        value = value.upper()
    if value not in ACTION_OPS:
        raise errors.flow(
            "1451-400",
            f"Invalid params op={raw} provided in query params; use one of {', '.join(ACTION_OPS)}.",
        )
    if value not in ("ENABLE", "DISABLE"):
        raise errors.flow(
            "1402-400", f"The action '{value.lower()}' is supported for provider requests only."
        )
    for sub in sub_ops:
        if sub not in SUB_OPS:
            raise errors.flow("1435-400", f"Unsupported sub action '{sub}' received.")
        raise errors.flow(
            "1436-400", f"Unsupported sub operation {sub} received for operation {value.lower()}."
        )
    return value.lower()


def only_stable(flow_id: str, busy: str) -> errors.ApiError:
    return errors.flow(
        "1416-400",
        f"The flow {flow_id} is in state '{busy}': update or delete is only allowed on flows "
        "in state enabled, disabled or initializing.",
    )


def check_patchable(flow: Obj, now: float) -> None:
    busy = busy_state(flow, now)
    if busy == "disabling":
        raise errors.flow("1420-400", f"The flow {flow['id']} is in state 'disabling' and cannot be updated.")
    if busy == "updating":
        raise errors.flow(
            "1421-400", f"The flow {flow['id']} is in state 'updating' and cannot be transitioned."
        )
    if busy is not None:
        raise only_stable(flow["id"], busy)
