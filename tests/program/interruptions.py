"""Helpers for the fault-matrix tests: a `pulumi` command run in its own process group that can be
killed or interrupted at a chosen moment, the processes it started, the recovery a user runs after
an interrupted run on a file backend, and what "converged" means in the emulator's state."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from emulator.testing import EmulatorAdmin
from tests.program.conftest import MANAGED_KINDS, writes_since
from tools.engine_harness import PulumiStack

# Every create operation of one source, by the emulator's operation name (its request log).
CREATE_OPERATIONS = (
    "schemaregistry.createFieldGroup",
    "schemaregistry.createSchema",
    "catalog.createDataset",
    "flowservice.createSourceConnection",
    "flowservice.createTargetConnection",
    "conversion.createMappingSet",
    "flowservice.createFlow",
    "customerio.createWebhook",
)
# A stack whose destroy may remove everything: data included, mapping set DELETE allowed by a knob.
DISPOSABLE_SOURCE = [{"name": "customerio", "deleteDataOnDestroy": True}]
DISPOSABLE_KNOBS = {"mapping_set_delete": "enabled"}
# Each API call answers 60 ms later: the creates spread over a wider window of kill moments.
KILL_KNOBS = {**DISPOSABLE_KNOBS, "latency_ms": 60}


def runs() -> int:
    """How many runs of each randomized scenario (FAULT_MATRIX_RUNS widens it for a local soak)."""
    return max(1, int(os.environ.get("FAULT_MATRIX_RUNS", "2")))


def seeded_rng(name: str) -> tuple[random.Random, int]:
    """A random generator for one scenario; FAULT_MATRIX_SEED replays a run (the seed is printed)."""
    seed = int(os.environ.get("FAULT_MATRIX_SEED") or time.time_ns() % 1_000_000_007)
    print(f"{name}: FAULT_MATRIX_SEED={seed}", flush=True)
    return random.Random(f"{name}:{seed}"), seed


# --- processes -------------------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, start time, state) of every process, from /proc."""
    table: dict[int, tuple[int, str, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), fields[19], fields[0])
    return table


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


@dataclass
class Proc:
    pid: int
    started: str
    cmdline: str

    def alive(self) -> bool:
        """Still running (a zombie has ended: only its exit status is left)."""
        row = _proc_table_row(self.pid)
        return row is not None and row[1] == self.started and row[2] != "Z"


def _proc_table_row(pid: int) -> tuple[int, str, str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[19], fields[0]


class Background:
    """`pulumi <args>` started in a new session (its own process group, like a terminal's job), with
    every descendant it starts recorded while it runs: after a kill the tree is broken, so the
    processes have to be known beforehand."""

    def __init__(self, stack: PulumiStack, *args: str) -> None:
        self.command = ["pulumi", *args, "--non-interactive", "--color", "never", "--stack", stack.name]
        self.log_path = stack.work_dir.parent / f"background-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("w")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command,
            cwd=stack.work_dir,
            env=stack.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.seen: dict[int, Proc] = {}
        self.killed_at: float | None = None  # wall clock, just after the signal was sent
        self.sigkilled = False
        self.repairs: list[str] = []  # the README's repair of a cut checkpoint sidecar, if needed
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()
        self.stack = stack

    def _scan(self) -> None:
        table = _proc_table()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)
        todo = [self.process.pid]
        while todo:
            pid = todo.pop()
            if pid in table and pid not in self.seen:
                self.seen[pid] = Proc(pid, table[pid][1], _cmdline(pid))
            todo.extend(children.get(pid, []))

    def _watch(self) -> None:
        while not self._stop.is_set() and self.running():
            self._scan()
            self._stop.wait(0.05)

    def kill(self, target: str) -> None:
        """`group`: SIGKILL to the whole process group; `cli`: SIGKILL to the CLI alone;
        `interrupt`: SIGINT to the CLI (Ctrl-C)."""
        self._scan()
        try:
            if target == "group":
                os.killpg(self.process.pid, signal.SIGKILL)
            elif target == "cli":
                os.kill(self.process.pid, signal.SIGKILL)
            elif target == "interrupt":
                os.kill(self.process.pid, signal.SIGINT)
            else:
                raise ValueError(target)
        except ProcessLookupError:
            pass  # the run had ended by itself: the moment was after its end
        self.killed_at = time.time()
        self.sigkilled = target != "interrupt"
        if target != "interrupt":
            self._stop.set()

    def wait(self, timeout: float = 300) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            self._stop.set()
            self._watcher.join()
            self._log.close()
        self.stack.transcript.append(f"$ {' '.join(self.command)}\n{self.output()}")
        if self.sigkilled:  # the CLI, the state's only writer, is gone: repair as the README says
            for sidecar in cut_sidecars(self.stack):
                sidecar.unlink()
                self.repairs.append(f"rm {sidecar.name} (empty)")
        return code

    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def survivors(self, within: float) -> list[Proc]:
        """The processes of this run still alive `within` seconds from now (returns early)."""
        deadline = time.monotonic() + within
        while True:
            alive = [proc for proc in self.seen.values() if proc.alive()]
            if not alive or time.monotonic() >= deadline:
                return alive
            time.sleep(0.1)


def wait_for_process(run: Background, markers: tuple[str, ...], timeout: float) -> bool:
    """Wait until the run has started a process whose command line holds one of `markers`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.running():
        if any(marker in proc.cmdline for proc in run.seen.values() for marker in markers):
            return True
        time.sleep(0.01)
    return False


def wait_for_request(
    emulator: EmulatorAdmin, since: int, operation: str, timeout: float, running: Callable[[], bool]
) -> bool:
    """Wait until the request log shows `operation` after `since` (False: the run ended or timed out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running():
        if any(entry["operation"] == operation for entry in emulator.requests(since=since)):
            return True
        time.sleep(0.02)
    return False


# --- recovery --------------------------------------------------------------------------------


def backend_dir(stack: PulumiStack) -> Path:
    return Path(urlsplit(stack.extra_env["PULUMI_BACKEND_URL"]).path)


def lock_files(stack: PulumiStack) -> list[Path]:
    """The DIY backend's stack locks: `<backend>/.pulumi/locks/<org>/<project>/<stack>/<id>.json`."""
    root = backend_dir(stack) / ".pulumi" / "locks"
    return sorted(root.glob(f"**/{stack.name}/*.json")) if root.exists() else []


def cut_sidecars(stack: PulumiStack) -> list[Path]:
    """Empty `.attrs` files of a `file://` backend. Its storage library rewrites each file's
    metadata sidecar in place, after the file itself: a kill in between leaves it empty, and every
    command then fails with `failed to load checkpoint: EOF` until it is deleted."""
    root = backend_dir(stack) / ".pulumi"
    return sorted(p for p in root.rglob("*.attrs") if p.stat().st_size == 0) if root.exists() else []


def pending_operations(stack: PulumiStack) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = stack.export()["deployment"].get("pending_operations") or []
    return pending


def release_lock(stack: PulumiStack) -> list[str]:
    """Remove the lock a killed CLI left (`pulumi cancel` does it on DIY backends too); returns the
    commands run."""
    if not lock_files(stack):
        return []
    stack.run("cancel", "--yes")
    assert not lock_files(stack), "pulumi cancel left the lock file"
    return ["pulumi cancel --yes"]


def recover(stack: PulumiStack, clear_first: bool, refresh: bool = False) -> list[str]:
    """The documented recovery after a killed run on a file backend; returns the commands run.

    `pulumi up` alone does not drop the pending creates the killed run left in the state (this CLI
    version warns about them on every run until they are cleared), so `pulumi refresh
    --clear-pending-creates` is part of it, before (`clear_first`) or after the `up`."""
    commands = release_lock(stack)
    if clear_first:
        stack.refresh("--clear-pending-creates")
        commands.append("pulumi refresh --yes --clear-pending-creates")
    if refresh:
        stack.up("--refresh")
        commands.append("pulumi up --yes --refresh")
    else:
        stack.up()
        commands.append("pulumi up --yes")
    left = [op for op in pending_operations(stack) if op.get("type") == "creating"]
    if left:
        assert not clear_first, f"pending creates survived --clear-pending-creates: {left}"
        commands.append(f"(up left {len(left)} pending create(s) in the state)")
        stack.refresh("--clear-pending-creates")
        commands.append("pulumi refresh --yes --clear-pending-creates")
    return commands


# --- convergence -----------------------------------------------------------------------------


@dataclass
class Census:
    """Every object of the stack's kinds in the emulator, every sandbox, plus Customer.io webhooks."""

    per_sandbox: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    webhooks: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def take(cls, emulator: EmulatorAdmin) -> Census:
        state = emulator.state()
        per_sandbox = {
            sandbox: {kind: kinds[kind] for kind in MANAGED_KINDS if kinds.get(kind)}
            for sandbox, kinds in state["sandboxes"].items()
        }
        webhooks = list(state["customerio"]["webhooks"])
        for hooks in state["customerio"]["workspaces"].values():
            webhooks += hooks
        return cls({s: k for s, k in per_sandbox.items() if k}, webhooks)

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {s: {k: len(v) for k, v in kinds.items()} for s, kinds in self.per_sandbox.items()}
        if self.webhooks:
            counts["customerio"] = {"webhook": len(self.webhooks)}
        return counts

    def empty(self) -> bool:
        return not self.per_sandbox and not self.webhooks


def inlet_url(emulator: EmulatorAdmin, flow: dict[str, Any]) -> str | None:
    url = (flow.get("options") or {}).get("inletUrl")
    if url:
        return str(url)
    inlet = flow.get("__inletId")
    return f"{emulator.base_url}/collection/{inlet}" if inlet else None


def assert_converged(emulator: EmulatorAdmin, stack: PulumiStack, sandbox: str = "dev") -> Census:
    """Exactly one object per expected object, nowhere else, the webhook on the live flow's inlet,
    the state tracking exactly those objects, and no pending operation left."""
    census = Census.take(emulator)
    expected = {sandbox: dict.fromkeys(MANAGED_KINDS, 1), "customerio": {"webhook": 1}}
    assert census.counts() == expected, f"duplicates or missing objects: {census.counts()}"
    (flow,) = census.per_sandbox[sandbox]["flow"]
    (hook,) = census.webhooks
    assert hook["endpoint"] == f"{inlet_url(emulator, flow)}?x-adobe-flow-id={flow['id']}", (
        "the webhook does not point at the live flow's inlet"
    )
    exported = stack.export()["deployment"]
    assert not exported.get("pending_operations"), exported.get("pending_operations")
    tracked = {str(r.get("id")) for r in exported.get("resources") or [] if r.get("custom")}
    remote = [obj for kinds in census.per_sandbox.values() for objs in kinds.values() for obj in objs]
    orphans = [_ids(obj) for obj in [*remote, hook] if not _ids(obj) & tracked]
    assert not orphans, f"objects the state does not track (orphans): {orphans}"
    return census


def _ids(obj: dict[str, Any]) -> set[str]:
    """The identifiers an object goes by (XDM objects: `$id` and `meta:altId`)."""
    ids = {str(obj[key]) for key in ("id", "$id", "meta:altId", "@id") if obj.get(key)}
    assert ids, f"an object without an id in the emulator's state: {sorted(obj)}"
    return ids


def assert_destroyed(emulator: EmulatorAdmin, stack: PulumiStack) -> None:
    stack.destroy()
    census = Census.take(emulator)
    assert census.empty(), f"left behind by destroy: {census.counts()}"
    assert [r for r in stack.resources() if r.get("custom") and "providers" not in r["type"]] == []


# A write whose lifeline check passed just before the kill can still reach the emulator a moment
# after it; the watcher ends the process within its check period (providers/lifeline.py), so none
# may arrive later than this.
CHECK_TO_SEND_GRACE_S = 0.5


def writes_after_kill(emulator: EmulatorAdmin, run: Background, seq: int) -> list[dict[str, Any]]:
    """Writes since ``seq`` that reached the emulator after the kill plus the check-to-send grace."""
    assert run.killed_at is not None, "the run was not killed"
    deadline = run.killed_at + CHECK_TO_SEND_GRACE_S
    return [w for w in writes_since(emulator, seq) if w["received_at"] > deadline]


def assert_quiet_after_kill(emulator: EmulatorAdmin, run: Background, kill_seq: int) -> list[str]:
    """No process of the killed run alive 5 s after the kill, and no write after that.
    Returns the writes that reached the emulator between the kill and the end of those processes."""
    alive = run.survivors(within=5.0)
    for proc in alive:  # end them (they are ours), so that the next run or test starts clean
        os.kill(proc.pid, signal.SIGKILL)
    assert not alive, "still running 5 s after the kill: " + "; ".join(f"{p.pid} {p.cmdline}" for p in alive)
    quiet_seq = emulator.last_seq()
    late = [f"{w['method']} {w['operation']}" for w in writes_since(emulator, kill_seq)]
    time.sleep(1.0)
    after = writes_since(emulator, quiet_seq)
    assert not after, f"writes from the killed run after its processes ended: {after}"
    return late
