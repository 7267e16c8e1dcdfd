"""The process sampler keeps a process's role after it has exited and is not yet reaped."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.processes import ProcessSampler


def test_a_zombie_keeps_its_role() -> None:
    # A zombie has an empty cmdline: sampled then, a provider server was counted as "other" and
    # its peak memory was lost (the benchmark's provider_mb read 0 when the CLI reaped it late).
    with ProcessSampler(interval=0.05) as usage:
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(0.3)", "tools/dynamic_provider/server.py"]
        )
        time.sleep(1.0)  # exited after 0.3 s, unreaped: the last samples see a zombie
    child.wait()
    assert usage.role.get(child.pid) == "provider", usage.role
    assert usage.peak("provider") > 0
    assert usage.count("provider") == 1
