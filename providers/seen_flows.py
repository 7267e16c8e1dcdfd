"""Dataflows this provider process saw alive moments ago.

A webhook is only pointed at a dataflow that exists (after an interrupted destroy the state may
hold a deleted one), which costs a read. When this same process has just created the flow, or read
it in a refresh, that read would only repeat what it knows: a fresh `up` of one source skips one
call on its critical path, and N sources skip N calls.
"""

from __future__ import annotations

import threading
import time

FRESH_FOR_S = 60.0  # one run's span between a flow's create and its webhook's, with room to spare
_seen: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


def saw_alive(sandbox: str, flow_id: str) -> None:
    with _lock:
        _seen[(sandbox, flow_id)] = time.monotonic()


def saw_gone(sandbox: str, flow_id: str) -> None:
    with _lock:
        _seen.pop((sandbox, flow_id), None)


def recently_alive(sandbox: str, flow_id: str) -> bool:
    with _lock:
        seen = _seen.get((sandbox, flow_id))
    return seen is not None and time.monotonic() - seen < FRESH_FOR_S


def forget() -> None:
    """Tests: start from nothing seen."""
    with _lock:
        _seen.clear()
