"""Request pacing per server budget, shared by every worker thread of the provider process.

A budget is what a server counts requests against: Customer.io counts 10 requests/s per App API
key; AEP documents no per-call rate, so its budget (per Platform host and IMS org) is learned from
its 429s. Without pacing, every worker whose request was refused waits out ``Retry-After`` and
then all of them fire together into the next refusal; paced, the process sends at the rate the
server accepted and the 429s stop after the first burst.

- Unpaced (no known limit, no 429 yet), requests go out at once; the process remembers which of
  them were accepted in the last second.
- On a 429 the rate becomes 90% of what was accepted in that second (at least 1/s), or, if
  already paced, 80% of the current rate (one cut per second: the refusals of one burst count
  once), and no request of the budget starts before the server's ``Retry-After`` has passed.
- Every 5 s without a 429 the rate grows by 10% (at least by 1/s), never above a documented limit.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 1.0
FIRST_CUT = 0.9
NEXT_CUT = 0.8
RECOVER_EVERY_S = 5.0
RECOVER_BY = 1.1
MIN_RATE = 1.0


class Pacer:
    """Spaces request starts of one budget; ``limit`` is a documented requests/s, if any."""

    def __init__(
        self,
        limit: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.rate = limit
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._accepted: deque[float] = deque()
        self._last_change = -float("inf")

    def wait(self) -> None:
        """Block until this budget may send one more request."""
        with self._lock:
            now = self._clock()
            self._recover(now)
            start = max(now, self._next_start)
            if self.rate is not None:
                self._next_start = start + 1.0 / self.rate
        if start > now:
            self._sleep(start - now)

    def answered(self, status: int, retry_after: float | None) -> None:
        """Record the server's answer to one request of this budget."""
        with self._lock:
            now = self._clock()
            if status != 429:
                if self.rate is None:
                    self._accepted.append(now)
                    self._forget_before(now - WINDOW_S)
                return
            if now - self._last_change >= WINDOW_S:
                if self.rate is None:
                    self._forget_before(now - WINDOW_S)
                    self.rate = max(MIN_RATE, FIRST_CUT * len(self._accepted))
                    self._accepted.clear()
                else:
                    self.rate = max(MIN_RATE, NEXT_CUT * self.rate)
                self._last_change = now
            self._next_start = max(self._next_start, now + (retry_after or 0.0))

    def _recover(self, now: float) -> None:
        if self.rate is None or now - self._last_change < RECOVER_EVERY_S:
            return
        if self.limit is None or self.rate < self.limit:
            grown = max(self.rate * RECOVER_BY, self.rate + 1.0)
            self.rate = grown if self.limit is None else min(grown, self.limit)
        self._last_change = now

    def _forget_before(self, moment: float) -> None:
        while self._accepted and self._accepted[0] <= moment:
            self._accepted.popleft()


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def budget_name(url: str, credential: str) -> str:
    """The table key of a budget: the host and a digest of the credential, never the credential."""
    return f"{url} {hashlib.sha256(credential.encode()).hexdigest()[:16]}"


def pacer_for(budget: str, limit: float | None = None) -> Pacer:
    """The process's one pacer for ``budget`` (see :func:`budget_name`)."""
    with _PACERS_LOCK:
        return _PACERS.setdefault(budget, Pacer(limit))


def forget_pacers() -> None:
    with _PACERS_LOCK:
        _PACERS.clear()
