"""Changing a flow that passes through in-between states.

Flows pass through ``enabling``, ``disabling`` and ``updating`` during which AEP refuses changes
(1416/1420/1421/1422-400). Every PATCH, action and DELETE first waits until the flow is
``enabled``/``disabled``, treats those answers as "busy: wait and retry", and afterwards waits for
the flow to settle again (so the next change, and the outputs, see a stable flow), all within one
time budget per operation (the dataflow's ``inlet_timeout_seconds``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aep_customerio.providers.base import Body, log
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.flow_service import STABLE_STATES, FlowServiceProvider, is_busy
from aep_customerio.providers.waiting import poll, retry_while

# First and longest pause between two looks at a busy flow (doubling in between).
SETTLE_POLL_FIRST = 0.2
SETTLE_POLL_MAX = 2.0
TIMEOUT_KEY = "aep-customerio:inletTimeoutSeconds"


def _is_stable(item: Body) -> bool:
    state = str(item.get("state") or "")
    return not state or state in STABLE_STATES


class FlowControl:
    """One operation's changes to one flow, within one time budget."""

    def __init__(self, provider: FlowServiceProvider[Any], id_: str, sandbox: str, seconds: float) -> None:
        self.provider = provider
        self.id_ = id_
        self.sandbox = sandbox
        self.seconds = seconds
        self._until = time.monotonic() + seconds

    def _budget(self) -> dict[str, Any]:
        """What every wait of this operation shares: the time left and the pace of looking."""
        policy = self.provider.policy()
        left = max(self._until - time.monotonic(), 0.0)
        return {
            "timeout": left,
            "policy": policy,
            "first_delay": SETTLE_POLL_FIRST,
            "max_delay": SETTLE_POLL_MAX,
        }

    def wait_stable(self, what: str) -> Body:
        """GET the flow until its state is enabled/disabled; raises GoneError on 404."""

        def waiting(attempt: int, item: Body) -> None:
            (log.info if attempt == 1 else log.debug)(
                "Dataflow %s is %s; waiting for it to settle (%s)", self.id_, item.get("state"), what
            )

        item = poll(
            lambda: self.provider.get(self.id_, self.sandbox, f"{what}: wait for a stable state"),
            _is_stable,
            on_wait=waiting,
            **self._budget(),
        )
        if not _is_stable(item):
            raise self._still_busy(what, item, None)
        return item

    def mutate(
        self, what: str, call: Callable[[Body], object], settle_after: bool = True, stable: Body | None = None
    ) -> Body:
        """Run ``call(stable item)`` on a stable flow; a busy answer means wait and retry until the
        time is up. Returns the flow once it is stable again (or the item it was called with when
        ``settle_after`` is False). ``stable``: the flow as just read in a stable state."""
        known: list[Body] = [stable] if stable is not None else []
        used: list[Body] = []

        def attempt() -> None:
            item = known.pop() if known else self.wait_stable(what)
            used.append(item)
            call(item)

        def refused(exc: BaseException) -> None:
            log.info(
                "Dataflow %s is busy (%s); waiting, then retrying the %s",
                self.id_,
                getattr(exc, "code", ""),
                what,
            )

        try:
            retry_while(attempt, is_busy, on_wait=refused, **self._budget())
        except ApiError as exc:
            if is_busy(exc):
                raise self._still_busy(what, used[-1], exc) from None
            raise
        return self.wait_stable(what) if settle_after else used[-1]

    def set_enabled(self, enabled: bool, stable: Body | None = None) -> Body:
        wanted, op = ("enabled", "enable") if enabled else ("disabled", "disable")

        def act(item: Body) -> None:
            if item.get("state") != wanted:
                self.provider.aep().call(
                    "POST",
                    f"{self.provider.path(self.id_)}/action",
                    sandbox=self.sandbox,
                    operation=f"{op} the flow",
                    params={"op": op.upper()},  # the spec's enum: ENABLE, DISABLE
                    idempotent=True,  # enabling/disabling twice has the same effect
                )

        return self.mutate(op, act, stable=stable)

    def _still_busy(self, what: str, item: Body, last: ApiError | None) -> ApiError:
        state = str(item.get("state") or "?")
        operation = (item.get("lastOperation") or {}).get("operation")
        detail = (
            f"the flow {self.id_} was still not enabled or disabled after {self.seconds:g}s (state {state!r}"
        )
        detail += f", last operation {operation!r})" if operation else ")"
        if last is not None:
            detail += f"; AEP kept refusing the {what}: {last.detail or last.title or ''}"
        return ApiError(
            operation=f"{what}: wait for the flow to settle",
            status=last.status if last else None,
            code=last.code if last else None,
            title="Timed out waiting for a busy flow",
            detail=detail,
            request_id=last.request_id if last else None,
            hint="AEP is still working on the flow; wait until it shows Enabled or Disabled in the AEP UI "
            f"(Sources > Dataflows), then run `pulumi up` again; to wait longer, raise {TIMEOUT_KEY}",
        )
