"""One lifecycle step measured: wall time, the API calls it made (from the emulator's log), CPU
seconds and peak memory per process role, and its line in the benchmark's tables."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.processes import ProcessSampler
from emulator.testing import EmulatorAdmin
from tools.engine_harness import PulumiStack


@dataclass
class Figure:
    seconds: float
    ok: bool
    calls: list[dict[str, Any]]
    cli_cpu: float
    provider_cpu: float
    program_cpu: float  # the language host and the program
    emulator_cpu: float  # this process: the in-process emulator (and the sampler)
    cli_mb: float
    provider_mb: float
    providers: int

    def count(self, kind: str) -> int:
        writes = sum(1 for c in self.calls if c["method"] in ("POST", "PUT", "PATCH", "DELETE"))
        throttled = sum(1 for c in self.calls if c["status"] == 429)
        return {"write": writes, "read": len(self.calls) - writes, "429": throttled}[kind]


Steps = dict[str, Figure]  # by lifecycle step


def run_step(stack: PulumiStack, emulator: EmulatorAdmin | None, args: tuple[str, ...]) -> Figure:
    seq = emulator.last_seq() if emulator else 0
    before = resource.getrusage(resource.RUSAGE_SELF)
    with ProcessSampler() as usage:
        started = time.perf_counter()
        result = stack.run(*args, check=False)
        seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    own_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if result.returncode != 0:
        print(f"  ! `pulumi {' '.join(args)}` failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
    calls = [
        c for c in (emulator.requests(since=seq) if emulator else []) if c["service"] not in ("admin", "ims")
    ]
    return Figure(
        seconds,
        result.returncode == 0,
        calls,
        usage.cpu("cli"),
        usage.cpu("provider"),
        usage.cpu("other"),
        own_cpu,
        usage.peak("cli"),
        usage.peak("provider"),
        usage.count("provider"),
    )


def line(name: str, f: Figure) -> str:
    flag = "" if f.ok else "  FAILED"
    return (
        f"  {name:<18}{f.seconds:>8.2f}{f.count('read'):>7}{f.count('write'):>7}{f.count('429'):>6}"
        f"{f.cli_cpu:>9.1f}{f.provider_cpu:>9.1f}{f.program_cpu:>9.1f}{f.emulator_cpu:>8.1f}{f.cli_mb:>8.0f}{f.provider_mb:>8.0f}{f.providers:>4}{flag}"
    )


HEADER = (
    f"  {'step':<18}{'wall s':>8}{'reads':>7}{'writes':>7}{'429s':>6}"
    f"{'cli cpu':>9}{'prov cpu':>9}{'prog cpu':>9}{'emu cpu':>8}{'cli MB':>8}{'prov MB':>8}{'#p':>4}"
)
