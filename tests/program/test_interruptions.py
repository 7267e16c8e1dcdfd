"""Issue 10, "nothing duplicated, nothing orphaned", proven with the real engine: `pulumi up` and
`pulumi destroy` killed (`kill -9` of the process group or of the CLI alone) or interrupted (SIGINT)
at seeded random moments (also with checkpoints skipped), answers lost after the object was made,
malformed answers, failing lookups and failing reads. After the documented recovery (README "When
a run is interrupted") the emulator holds exactly one of each object, the webhook points at the
live flow, and destroy leaves nothing.

FAULT_MATRIX_RUNS (default 2) sets the kill moments per kill kind; FAULT_MATRIX_SEED replays one.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tests.program.conftest import StackFactory, writes_since
from tests.program.interruptions import (
    CREATE_OPERATIONS,
    DISPOSABLE_KNOBS,
    DISPOSABLE_SOURCE,
    KILL_KNOBS,
    Background,
    Census,
    assert_converged,
    assert_destroyed,
    assert_quiet_after_kill,
    lock_files,
    pending_operations,
    recover,
    release_lock,
    runs,
    seeded_rng,
    wait_for_process,
    wait_for_request,
    writes_after_kill,
)
from tools.engine_harness import PulumiStack, changes_without_same

CLEAN_UP_SECONDS: list[float] = []


def _disposable_stack(
    program_stack: StackFactory, emulator: EmulatorAdmin, knobs: dict[str, Any] | None = None
) -> PulumiStack:
    emulator.set_knobs(**(knobs or DISPOSABLE_KNOBS))
    return program_stack(sources=DISPOSABLE_SOURCE)


def _clean_up_seconds(stack: PulumiStack, emulator: EmulatorAdmin) -> float:
    """When, in a clean `pulumi up` of a fresh stack, the last create (the webhook's) has been
    answered: the kill moments are drawn up to there (measured once per session)."""
    if not CLEAN_UP_SECONDS:
        seq = emulator.last_seq()
        run = Background(stack, "up", "--yes", "--skip-preview")
        assert wait_for_request(emulator, seq, "customerio.createWebhook", 300, run.running), run.output()
        CLEAN_UP_SECONDS.append(time.monotonic() - run.started_at)
        assert run.wait() == 0, run.output()
        assert_converged(emulator, stack)
        assert_destroyed(emulator, stack)
        print(f"clean pulumi up: last create answered after {CLEAN_UP_SECONDS[0]:.1f} s", flush=True)
    return CLEAN_UP_SECONDS[0]


@pytest.mark.parametrize("target", ["group", "cli"])
def test_kill_during_up_then_recover(
    program_stack: StackFactory, emulator: EmulatorAdmin, target: str
) -> None:
    rng, seed = seeded_rng(f"kill-{target}")
    stack = _disposable_stack(program_stack, emulator, KILL_KNOBS)
    window = _clean_up_seconds(stack, emulator)
    survivors: list[str] = []
    for run_no in range(runs()):
        delay = rng.uniform(0.5, window)
        clear_first = rng.random() < 0.5
        context = f"seed {seed}, run {run_no}, kill -9 {target} after {delay:.2f} s"
        run = Background(stack, "up", "--yes", "--skip-preview")
        time.sleep(max(0.0, run.started_at + delay - time.monotonic()))
        finished_before_kill = run.process.poll() is not None
        kill_seq = emulator.last_seq()
        run.kill(target)
        run.wait()
        try:
            late = assert_quiet_after_kill(emulator, run, kill_seq)
        except AssertionError as exc:  # reported at the end; the other moments still run
            survivors.append(f"{context}: {exc}")
            late = ["?"]
        before = Census.take(emulator).counts()
        locked, pending = bool(lock_files(stack)), len(pending_operations(stack))
        commands = recover(stack, clear_first=clear_first)
        assert_converged(emulator, stack)
        assert_destroyed(emulator, stack)
        print(
            f"RESULT {context}: finished={finished_before_kill} processes={len(run.seen)} "
            f"lock={locked} pending={pending} writes-after-kill={late} objects-at-kill={before} "
            f"recovery={run.repairs + commands} -> converged, destroyed",
            flush=True,
        )
    assert not survivors, "\n".join(survivors)


def test_kill_during_up_with_checkpoints_skipped_then_up_adopts(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    """README "Checkpoints" recommends PULUMI_SKIP_CHECKPOINTS for large stacks in CI. A killed `up`
    then leaves none of its creates in the state; the next `up` (also skipping) adopts every one."""
    rng, seed = seeded_rng("kill-skip-checkpoints")
    stack = _disposable_stack(program_stack, emulator, KILL_KNOBS)
    stack.extra_env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    for run_no in range(runs()):
        after = rng.choice(CREATE_OPERATIONS[1:])
        context = f"seed {seed}, run {run_no}, kill -9 group once {after} is sent, checkpoints skipped"
        seq = emulator.last_seq()
        run = Background(stack, "up", "--yes", "--skip-preview")
        assert wait_for_request(emulator, seq, after, 300, run.running), f"{context}: {run.output()}"
        kill_seq = emulator.last_seq()
        run.kill("group")
        run.wait()
        late = assert_quiet_after_kill(emulator, run, kill_seq)
        before = Census.take(emulator).counts()
        assert before.get("dev"), f"{context}: nothing was created before the kill"
        tracked = [r for r in stack.export()["deployment"].get("resources") or [] if r.get("custom")]
        assert tracked == [], f"{context}: a skipped checkpoint was written: {tracked}"
        commands = recover(stack, clear_first=False)
        assert_converged(emulator, stack)

        # a killed destroy leaves every object in the state: destroying again finishes the job
        deleted = rng.choice(("customerio.deleteWebhook", "catalog.deleteDataset"))
        seq = emulator.last_seq()
        run = Background(stack, "destroy", "--yes", "--skip-preview")
        assert wait_for_request(emulator, seq, deleted, 300, run.running), f"{context}: {run.output()}"
        run.kill("group")
        run.wait()
        assert_quiet_after_kill(emulator, run, emulator.last_seq())
        left = Census.take(emulator).counts()
        release_lock(stack)
        assert_destroyed(emulator, stack)
        print(
            f"RESULT {context}: writes-after-kill={late} objects-at-kill={before} state-at-kill=empty "
            f"recovery={run.repairs + commands} -> adopted, converged; destroy killed once {deleted} "
            f"was sent (left {left}), destroyed again -> nothing left",
            flush=True,
        )


@pytest.mark.parametrize("how", ["502", "drop_connection"])
def test_lost_answer_to_every_create(program_stack: StackFactory, emulator: EmulatorAdmin, how: str) -> None:
    for operation in CREATE_OPERATIONS:
        fault = {"drop_connection": True} if how == "drop_connection" else {"status": 502}
        emulator.add_fault(operation=operation, after_commit=True, count=1, **fault)
    seq = emulator.last_seq()
    stack = program_stack()
    assert stack.up() == {"create": 10}
    assert {rule["operation"]: rule["hits"] for rule in emulator.faults()} == dict.fromkeys(
        CREATE_OPERATIONS, 1
    ), "every fault must have fired"
    assert_converged(emulator, stack)
    # POSTed once each: the lost answer is followed by a lookup, not by a second POST.
    posts = Counter(w["operation"] for w in writes_since(emulator, seq) if w["method"] == "POST")
    assert {op: posts[op] for op in CREATE_OPERATIONS} == dict.fromkeys(CREATE_OPERATIONS, 1)


@pytest.mark.parametrize(
    ("create", "lookup"),
    [
        ("flowservice.createFlow", "flowservice.listFlows"),
        ("customerio.createWebhook", "customerio.listWebhooks"),
    ],
)
def test_lost_answer_then_failing_lookup(
    program_stack: StackFactory, emulator: EmulatorAdmin, create: str, lookup: str
) -> None:
    stack = program_stack()
    stack.set_config({"aep:lookupTimeoutSeconds": "3"})  # how long to keep looking (default 60 s)
    # The answer to the create is lost after the object was made (slowly: 1 s), and from the lookup
    # before that POST on, every lookup by natural key fails with 500.
    emulator.add_fault(operation=create, after_commit=True, status=502, count=1, delay_s=1.0)
    seq = emulator.last_seq()
    run = Background(stack, "up", "--yes", "--skip-preview")

    def break_lookups() -> None:
        if wait_for_request(emulator, seq, lookup, 120, run.running):
            emulator.add_fault(operation=lookup, status=500, count=100_000)

    breaker = threading.Thread(target=break_lookups)
    breaker.start()
    code = run.wait()
    breaker.join()
    message = run.output()
    assert code != 0, "up must fail while the object cannot be looked up"
    assert "Traceback" not in message
    kind = "Dataflow" if "Flow" in create else "Customer.io reporting webhook"
    assert re.search(rf"{re.escape(kind)} '[^']+'.*create failed", message), message
    # It must not claim that nothing was created: the object exists.
    assert not re.search(r"(nothing|no object) (was )?created|was not created|does not exist", message, re.I)
    assert re.search(r"may (or may not )?(exist|have been created)", message), message
    emulator.clear_faults()
    stack.up()
    assert_converged(emulator, stack)


def test_malformed_answers_to_creates(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    # 2xx answers the provider cannot use, after the object was made. (The fault API always sends
    # JSON: a bare JSON string stands for "not an object"; an object without an id for "no id".)
    malformed = {
        "schemaregistry.createFieldGroup": {"status": 201, "body": "<html>gateway</html>"},
        "schemaregistry.createSchema": {"status": 201, "body": {"title": "no id here"}},
        "catalog.createDataset": {"status": 201, "body": ["@/dataSets/"]},
        "flowservice.createFlow": {"status": 201, "body": {"etag": "1"}},
        "conversion.createMappingSet": {"status": 200, "body": {}},
        "customerio.createWebhook": {"status": 200, "body": {"reporting_webhook": {"name": "x"}}},
    }
    for operation, fault in malformed.items():
        emulator.add_fault(operation=operation, after_commit=True, count=1, **fault)
    stack = program_stack()
    assert stack.up() == {"create": 10}
    assert [rule["hits"] for rule in emulator.faults()] == [1] * len(malformed)
    assert_converged(emulator, stack)
    output = next(entry for entry in reversed(stack.transcript) if "pulumi up" in entry)
    for name in ("Schema 'Customer.io customerio events'", "Dataflow 'Customer.io customerio dataflow'"):
        assert re.search(rf"{re.escape(name)}: create attempt 1 was ambiguous", output), output


def test_failing_reads_are_retried(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    reads_during_up = ("flowservice.getFlow", "customerio.listWebhooks", "catalog.listDatasets")
    for operation in reads_during_up:
        emulator.add_fault(operation=operation, status=500, count=2)
    stack = program_stack()
    assert stack.up() == {"create": 10}
    assert [rule["hits"] for rule in emulator.faults()] == [2] * len(reads_during_up)
    emulator.clear_faults()
    reads = (
        "schemaregistry.getFieldGroup",
        "schemaregistry.getSchema",
        "catalog.getDataset",
        "flowservice.getSourceConnection",
        "flowservice.getTargetConnection",
        "conversion.getMappingSet",
        "flowservice.getFlow",
        "customerio.getWebhook",
    )
    for operation in reads:
        emulator.add_fault(operation=operation, status=500, count=2)
    # (Secret outputs are encrypted afresh by every write of the state: compare what they identify.)
    before = [(r["urn"], r.get("id")) for r in stack.resources()]
    assert changes_without_same(stack.refresh()) == {}
    assert [rule["hits"] for rule in emulator.faults()] == [2] * len(reads)
    assert [(r["urn"], r.get("id")) for r in stack.resources()] == before
    assert_converged(emulator, stack)


@pytest.mark.parametrize("moment", ["after the webhook's delete", "during the flow's delete"])
def test_interrupted_destroy_then_recover(
    program_stack: StackFactory, emulator: EmulatorAdmin, moment: str
) -> None:
    stack = _disposable_stack(program_stack, emulator)
    stack.up()
    if moment.startswith("during"):
        # The flow is deleted, then its answer takes 3 s: the CLI is killed while it waits.
        emulator.add_fault(operation="flowservice.deleteFlow", after_commit=True, status=204, delay_s=3.0)
    seq = emulator.last_seq()
    run = Background(stack, "destroy", "--yes", "--skip-preview")
    assert wait_for_request(emulator, seq, "customerio.deleteWebhook", 60, run.running)
    if moment.startswith("during"):
        time.sleep(1.0)
    kill_seq = emulator.last_seq()
    run.kill("cli")
    run.wait()
    assert_quiet_after_kill(emulator, run, kill_seq)
    assert Census.take(emulator).webhooks == []
    emulator.clear_faults()
    # Both documented recoveries: `cancel` + `up --refresh`, and `cancel` + `refresh
    # --clear-pending-creates` + `up`. (A plain `up` would recreate the webhook on the deleted flow.)
    commands = recover(stack, clear_first=moment.startswith("during"), refresh=moment.startswith("after"))
    assert_converged(emulator, stack)
    assert_destroyed(emulator, stack)
    print(f"RESULT interrupted destroy {moment}: recovery={commands} -> converged, destroyed", flush=True)


def test_plain_up_after_an_interrupted_destroy_refuses_the_dead_flow(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    """The state still holds the dataflow the killed destroy deleted: a plain `up` (no refresh) must
    not register the Customer.io webhook on its dead inlet; it fails, saying to refresh."""
    stack = _disposable_stack(program_stack, emulator)
    stack.up()
    emulator.add_fault(operation="flowservice.deleteFlow", after_commit=True, status=204, delay_s=3.0)
    seq = emulator.last_seq()
    run = Background(stack, "destroy", "--yes", "--skip-preview")
    assert wait_for_request(emulator, seq, "customerio.deleteWebhook", 60, run.running)
    time.sleep(1.0)
    run.kill("cli")
    run.wait()
    emulator.clear_faults()
    stack.run("cancel", "--yes")
    output = stack.failing("up", "--yes", "--skip-preview")
    assert "Dataflow gone" in output and "pulumi up --refresh" in output, output
    assert Census.take(emulator).webhooks == [], "no webhook on a deleted dataflow"
    recover(stack, clear_first=False, refresh=True)
    assert_converged(emulator, stack)
    assert_destroyed(emulator, stack)


def test_ctrl_c_during_up_then_up(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    rng, seed = seeded_rng("sigint")
    stack = _disposable_stack(program_stack, emulator, KILL_KNOBS)
    window = _clean_up_seconds(stack, emulator)
    delay = rng.uniform(0.5, window)
    run = Background(stack, "up", "--yes", "--skip-preview")
    time.sleep(max(0.0, run.started_at + delay - time.monotonic()))
    run.kill("interrupt")
    code = run.wait(timeout=120)
    # A graceful cancel: the CLI lets the running steps finish, records them and releases the lock.
    assert not lock_files(stack), run.output()
    assert not pending_operations(stack)
    stack.up()
    assert_converged(emulator, stack)
    assert_destroyed(emulator, stack)
    print(f"RESULT SIGINT after {delay:.2f} s (seed {seed}): exit {code} -> converged", flush=True)


def test_kill_before_the_provider_is_first_called(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    """The CLI killed after the dynamic-provider server announced its port but before the engine
    sent it a resource call: no code of `providers/` (whose lifeline starts at the first configure)
    has run in that process yet, so only the server itself can notice that its CLI is gone."""
    stack = program_stack()
    for settle in (0.5, 0.8, 1.1):
        seq = emulator.last_seq()
        run = Background(stack, "up", "--yes", "--skip-preview")
        server_seen = wait_for_process(run, ("dynamic_provider/server.py", "pulumi.dynamic"), 60)
        assert server_seen, run.output()
        time.sleep(settle)
        run.kill("cli")
        run.wait()
        calls = [entry["operation"] for entry in emulator.requests(since=seq)]
        alive = run.survivors(within=5.0)
        for proc in alive:  # do not leak it into the next attempt or test
            os.kill(proc.pid, signal.SIGKILL)
        assert not alive, (
            f"killed {settle} s after the provider server started (API calls before the kill: "
            f"{calls}); still running 5 s later: " + "; ".join(f"{p.pid} {p.cmdline}" for p in alive)
        )
        assert not writes_after_kill(emulator, run, seq), calls
        recover(stack, clear_first=True)
        assert_converged(emulator, stack)
        stack.destroy()
