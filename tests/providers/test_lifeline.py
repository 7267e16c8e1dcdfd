"""The provider's lifeline sees a killed CLI as gone at once, even while it is an unreaped zombie."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from aep_customerio.providers import lifeline


def test_a_killed_engine_is_gone_even_as_a_zombie(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = subprocess.Popen(["sleep", "60"])
    try:
        stat = lifeline._stat(engine.pid)
        assert stat is not None
        monkeypatch.setattr(lifeline, "_engine", (engine.pid, stat[2]))
        assert lifeline.engine_alive()
        engine.send_signal(signal.SIGKILL)
        time.sleep(0.3)  # killed, not yet reaped: a zombie
        assert Path(f"/proc/{engine.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        assert not lifeline.engine_alive()
    finally:
        engine.kill()
        engine.wait()
