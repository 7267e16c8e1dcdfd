"""Stop the provider process when the Pulumi CLI that started it dies.

The engine starts the dynamic-provider server through a shell launcher, so when the CLI is killed
(``kill -9``, a closed laptop, a cancelled CI job) the server is re-parented and would go on
finishing its requests (creates, inlet polling) for minutes, none of which the state will ever
record. :func:`watch_engine` finds the CLI among this process's ancestors and, from then on,
:func:`engine_alive` answers whether it still runs: writes check it before they are sent, and a
watcher thread ends the process within a second of the CLI's death.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger("aep_customerio")

ENGINE_NAMES = frozenset({"pulumi"})
_CHECK_EVERY = 0.5
_engine: tuple[int, str] | None = None  # (pid, start time) of the CLI, once found
_lock = threading.Lock()


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(command name, parent pid, start time) of ``pid`` from /proc; None when it has ended, also
    when it is a zombie: a killed CLI stays one until its own parent reaps it."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return name, int(fields[1]), fields[19]


def _find_engine() -> tuple[int, str] | None:
    pid = os.getppid()
    for _ in range(4):  # the launcher script, then the CLI
        stat = _stat(pid)
        if stat is None or pid <= 1:
            return None
        name, parent, started = stat
        if name in ENGINE_NAMES:
            return pid, started
        pid = parent
    return None


def engine_alive() -> bool:
    """False once the CLI this process serves has died (True when none was found: tests, scripts)."""
    if _engine is None:
        return True
    pid, started = _engine
    stat = _stat(pid)
    return stat is not None and stat[2] == started


def _watch() -> None:
    while engine_alive():
        time.sleep(_CHECK_EVERY)
    log.error("the Pulumi CLI is gone: stopping the provider without sending further requests")
    os._exit(70)


def watch_engine() -> None:
    """Start watching the CLI (once per process; does nothing outside a Pulumi engine)."""
    global _engine
    with _lock:
        if _engine is not None:
            return
        _engine = _find_engine()
        if _engine is not None:
            threading.Thread(target=_watch, name="engine-lifeline", daemon=True).start()
