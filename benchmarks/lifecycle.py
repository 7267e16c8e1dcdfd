"""Times the real `pulumi` lifecycle of one Customer.io source against the emulator and prints figures.

Usage: .venv/bin/python -m benchmarks.lifecycle [--latency-ms 80] [--sources 1] [--rounds 1]

`--latency-ms` adds that delay to every emulated API call, a stand-in for the round trip to Adobe's
gateway. Figures are wall-clock seconds on this machine (noisy) and API call counts (exact).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.testing import EmulatorAdmin, start_in_process
from tools.engine_harness import program_stack, require_engine


def measure(emulator: EmulatorAdmin, step: Callable[[], Any]) -> tuple[float, Counter[str]]:
    seq = emulator.last_seq()
    started = time.perf_counter()
    step()
    elapsed = time.perf_counter() - started
    calls = Counter(
        "write" if entry["method"] in ("POST", "PUT", "PATCH", "DELETE") else "read"
        for entry in emulator.requests(since=seq)
        if entry["service"] not in ("admin", "ims")
    )
    return elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=80)
    parser.add_argument("--sources", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args()
    require_engine()
    sources = [{"name": f"workspace-{i}", "deleteDataOnDestroy": True} for i in range(options.sources)]
    results: dict[str, list[float]] = {}
    counts: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server, emulator = start_in_process(
            state_path=str(Path(tmp) / "emulator.sqlite3"),
            latency_ms=options.latency_ms,
            inlet_url_delay_s=2.0,
            list_lag_s=0.0,
            mapping_set_delete="enabled",
        )
        try:
            for round_ in range(options.rounds):
                stack = program_stack(Path(tmp) / f"round-{round_}", emulator, sources=sources)
                for name, step in [
                    ("preview (new stack)", stack.preview),
                    ("up (create)", stack.up),
                    ("up (no changes)", stack.up),
                    ("refresh", stack.refresh),
                    ("destroy", stack.destroy),
                ]:
                    elapsed, calls = measure(emulator, step)
                    results.setdefault(name, []).append(elapsed)
                    counts[name] = calls
        finally:
            server.stop()
    print(f"{options.sources} source(s), {options.latency_ms} ms per API call, {options.rounds} round(s)")
    print(f"{'step':<22}{'median s':>10}{'min s':>8}{'reads':>7}{'writes':>8}")
    for name, times in results.items():
        calls = counts[name]
        print(
            f"{name:<22}{statistics.median(times):>10.2f}{min(times):>8.2f}{calls['read']:>7}{calls['write']:>8}"
        )


if __name__ == "__main__":
    main()
