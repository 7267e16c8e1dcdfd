"""The project's dynamic-provider launcher (tools/dynamic_provider/server.py, installed by setup.sh as
`pulumi-resource-pulumi-python`): the engine runs it, and it serves as many calls at once as the
CLI's parallelism allows, not Pulumi's fixed four."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.engine import TOOLS_BIN, PulumiStack, require_engine
from tools.dynamic_provider.server import (
    CONTROL_WORKERS,
    go_maxprocs,
    load_pulumi_servicer,
    parallel_flag,
    parallelism,
    workers,
)

PROGRAM = Path(__file__).parent / "concurrent_program"
SERVER = Path(__file__).resolve().parents[2] / "tools" / "dynamic_provider" / "server.py"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["up", "--yes"], None),
        (["up", "--parallel", "12"], 12),
        (["up", "--parallel=7", "--yes"], 7),
        (["preview", "-p", "3"], 3),
        (["refresh", "-p5"], 5),
        (["refresh", "-p=6"], 6),
        (["up", "-p", "2", "--parallel", "9"], 9),
        (["up", "--", "--parallel", "9"], None),
        (["up", "--parallel", "many"], None),
    ],
)
def test_parallel_flag(argv: list[str], expected: int | None) -> None:
    assert parallel_flag(argv) == expected


def test_parallelism_follows_the_cli() -> None:
    assert parallelism(["up", "--parallel", "16"], {"PULUMI_PARALLEL": "3"}, 2) == 16
    assert parallelism(["up"], {"PULUMI_PARALLEL": "3"}, 2) == 3
    assert parallelism(["up"], {}, 2) == 8, "the CLI's default: 4 x GOMAXPROCS"
    assert parallelism(None, {}, 4) == 16
    assert parallelism(["up", "-p", "0"], {}, 2) == 8


def test_go_maxprocs() -> None:
    assert go_maxprocs({}, 8, None) == 8
    assert go_maxprocs({"GOMAXPROCS": "3"}, 8, 1.0) == 3
    assert go_maxprocs({}, 8, 2.5) == 3, "a cgroup limit, rounded up"
    assert go_maxprocs({}, 8, 0.5) == 2, "never below 2 from a cgroup limit"
    assert go_maxprocs({}, 2, 16.0) == 2


def test_worker_override() -> None:
    assert workers({"PULUMI_DYNAMIC_PROVIDER_WORKERS": "40"}) == 40
    assert workers({"PULUMI_DYNAMIC_PROVIDER_WORKERS": "x", "PULUMI_PARALLEL": "20"}) >= CONTROL_WORKERS + 1


def test_pulumis_own_servicer_is_loaded_without_starting_it() -> None:
    module: Any = load_pulumi_servicer()
    assert hasattr(module.DynamicResourceProviderServicer, "Create")
    assert callable(module.get_provider)


def test_the_installed_launcher_execs_this_server() -> None:
    require_engine()
    launcher = (TOOLS_BIN / "pulumi-resource-pulumi-python").read_text()
    assert f'exec "$venv/bin/python" -u "{SERVER}"' in launcher
    assert "pulumi.dynamic" not in launcher


def _records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize(
    ("count", "args", "env"), [(10, ["--parallel", "10"], {}), (9, [], {"PULUMI_PARALLEL": "9"})]
)
def test_the_engine_runs_as_many_provider_calls_at_once_as_its_parallelism(
    tmp_path: Path, count: int, args: list[str], env: dict[str, str]
) -> None:
    """Each create waits until all `count` creates have started (or 20 s): with Pulumi's launcher
    (four workers) no create ever sees more than four started."""
    require_engine()
    folder = tmp_path / "gathering"
    folder.mkdir()
    stack = PulumiStack.create(tmp_path / "stack", PROGRAM, extra_env=env)
    stack.set_config({"count": str(count), "dir": str(folder)})
    assert stack.up(*args) == {"create": count + 1}
    records = _records(folder)
    assert len(records) == count
    assert max(r["seen"] for r in records) == count, [r["seen"] for r in records]
    assert {r["argv0"] for r in records} == {str(SERVER)}, "the engine must run the project's launcher"
    assert {r["parent"] for r in records} == {"pulumi"}, "the server must be the CLI's direct child"
    assert all(r["pulumi_server_module"] for r in records), "Pulumi's own servicer serves the calls"
    assert len({r["pid"] for r in records}) == 1
    assert all(r["thread"].startswith("provider") for r in records)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie no one reaped has stopped running


def test_the_server_exits_when_its_cli_dies_before_any_call(tmp_path: Path) -> None:
    """A real server whose parent (standing in for the CLI) is killed before any provider call."""
    starter = (
        "import subprocess, sys, time\n"
        f"server = subprocess.Popen([sys.executable, '-u', {str(SERVER)!r}], stdout=subprocess.PIPE)\n"
        "print(server.pid, flush=True)\n"
        "print(server.stdout.readline().decode().strip(), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, cwd=tmp_path)
    assert parent.stdout is not None
    server_pid = int(parent.stdout.readline())
    port = parent.stdout.readline().strip()
    try:
        assert port.isdigit(), port  # the server is up and serving
        assert not _gone(server_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while not _gone(server_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(server_pid), "the provider server outlived its CLI"
    finally:
        if not _gone(server_pid):
            os.kill(server_pid, signal.SIGKILL)
