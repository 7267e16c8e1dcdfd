"""Peak memory and CPU time of the processes a `pulumi` command starts, sampled from /proc.

A background thread walks this process's descendants every tenth of a second and keeps, per
process, its peak resident set (`VmHWM`, the kernel's own high-water mark, so no peak is missed
between samples) and its CPU time (user + system, as last sampled). Processes are grouped by role:
the CLI (`pulumi`), dynamic-provider servers, and the rest (language host, program).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _role(comm: str, cmdline: str) -> str:
    if comm == "pulumi":
        return "cli"
    if "dynamic_provider/server.py" in cmdline or "pulumi.dynamic" in cmdline:
        return "provider"
    return "other"


def _children_of(root: int) -> dict[int, int]:
    """pid -> parent pid for every process on the machine (a snapshot)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            parents[int(entry.name)] = int(raw[raw.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):  # gone meanwhile, or a torn read
            continue
    return parents


@dataclass
class Usage:
    peak_rss_mb: dict[int, float] = field(default_factory=dict)
    cpu_s: dict[int, float] = field(default_factory=dict)
    role: dict[int, str] = field(default_factory=dict)

    def peak(self, role: str) -> float:
        """The largest peak resident set of one process of this role, MiB (0 if none ran)."""
        return max((mb for pid, mb in self.peak_rss_mb.items() if self.role.get(pid) == role), default=0.0)

    def cpu(self, role: str) -> float:
        return sum(s for pid, s in self.cpu_s.items() if self.role.get(pid) == role)

    def count(self, role: str) -> int:
        return sum(1 for r in self.role.values() if r == role)


class ProcessSampler:
    """`with ProcessSampler() as usage:` samples this process's descendants until the block ends."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.usage = Usage()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="process-sampler", daemon=True)

    def __enter__(self) -> Usage:
        self._thread.start()
        return self.usage

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a sample missed beats a sampler that stops
                self.sample(me)
            self._stop.wait(self.interval)

    def sample(self, root: int) -> None:
        parents = _children_of(root)
        for pid in parents:
            ancestor, hops = parents.get(pid), 0
            while ancestor not in (None, 0, 1, root) and hops < 16:
                ancestor, hops = parents.get(ancestor), hops + 1
            if ancestor == root:
                self._record(pid)

    def _record(self, pid: int) -> None:
        proc = Path(f"/proc/{pid}")
        try:
            status = (proc / "status").read_text()
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] in ("Z", "X") or not cmdline:  # exiting or a zombie: no cmdline, no role
                return
            cpu = (int(fields[11]) + int(fields[12])) / _TICKS
            hwm = [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
        except (OSError, ValueError, IndexError):  # gone meanwhile
            return
        usage = self.usage
        usage.role[pid] = _role(comm, cmdline)  # after exec, a launcher becomes its server
        usage.cpu_s[pid] = cpu
        if hwm:
            usage.peak_rss_mb[pid] = max(usage.peak_rss_mb.get(pid, 0.0), hwm[0])
