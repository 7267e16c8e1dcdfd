"""Our Python language host, driven over real gRPC the way the engine drives it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from tests.engine import REPO, VENV
from tools.engine_harness import pulumi_sdk_version

HOST = REPO / "tools" / "language_host" / "host.py"

# A stand-in for `pulumi-language-python-exec`: records how it was called, exits as asked.
RECORDING_SHIM = """
import json, os, sys
with open(os.environ["SHIM_RECORD"], "w") as record:
    json.dump({"argv": sys.argv[1:], "config": os.environ.get("PULUMI_CONFIG"),
               "secret_keys": os.environ.get("PULUMI_CONFIG_SECRET_KEYS"),
               "virtual_env": os.environ.get("VIRTUAL_ENV"), "cwd": os.getcwd(),
               "python": sys.executable}, record)
exit_file = os.environ["SHIM_RECORD"] + ".exit"
sys.exit(int(open(exit_file).read()) if os.path.exists(exit_file) else 0)
"""


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    shim = tmp_path / "pulumi-language-python-exec"
    shim.write_text(RECORDING_SHIM)
    monkeypatch.setenv("SHIM_RECORD", str(tmp_path / "record.json"))
    process = subprocess.Popen(
        [sys.executable, str(HOST), "--use-executor", str(shim), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        channel.close()
        process.terminate()
        process.wait(timeout=10)


def program_info(tmp_path: Path, virtualenv: str | None) -> language_pb2.ProgramInfo:
    options = struct_pb2.Struct()
    if virtualenv is not None:
        options.update({"virtualenv": virtualenv})
    return language_pb2.ProgramInfo(
        root_directory=str(tmp_path), program_directory=str(tmp_path), entry_point=".", options=options
    )


def run(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path, virtualenv: str | None = str(VENV)
) -> tuple[Any, dict[str, Any]]:
    request = language_pb2.RunRequest(
        project="proj",
        stack="dev",
        pwd=str(tmp_path),
        config={"proj:greeting": "hello", "aep:clientSecret": "s3cret"},
        configSecretKeys=["aep:clientSecret"],
        dryRun=True,
        parallel=4,
        monitor_address="127.0.0.1:2",
        organization="org",
        info=program_info(tmp_path, virtualenv),
    )
    response = host.Run(request)
    record_path = tmp_path / "record.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    return response, record


def test_runs_the_exec_shim_like_pulumis_own_host(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    response, record = run(host, tmp_path)
    assert response.error == "" and not response.bail
    argv = record["argv"]
    flags = dict(zip(argv[0:-1:2], argv[1:-1:2], strict=True))
    assert flags == {
        "--monitor": "127.0.0.1:2",
        "--engine": "127.0.0.1:1",
        "--project": "proj",
        "--root_directory": str(tmp_path),
        "--stack": "dev",
        "--pwd": str(tmp_path),
        "--dry_run": "true",
        "--parallel": "4",
        "--organization": "org",
    }
    assert argv[-1] == "."
    assert json.loads(record["config"]) == {"proj:greeting": "hello", "aep:clientSecret": "s3cret"}
    assert json.loads(record["secret_keys"]) == ["aep:clientSecret"]
    assert record["virtual_env"] == str(VENV)
    assert record["python"].startswith(str(VENV))
    assert record["cwd"] == str(tmp_path)


def test_exit_code_32_means_bail_and_others_are_errors(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    exit_file = tmp_path / "record.json.exit"
    exit_file.write_text("32")
    response, _ = run(host, tmp_path)
    assert response.bail and response.error == ""
    exit_file.write_text("3")
    response, _ = run(host, tmp_path)
    assert not response.bail and response.error == "program exited with non-zero exit code: 3"


def test_missing_virtualenv_is_reported_not_crashed(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    response, record = run(host, tmp_path, virtualenv="no-such-venv")
    assert "no-such-venv" in response.error and "setup.sh" in response.error
    assert record == {}


def test_plugin_info_and_required_packages(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    assert host.GetPluginInfo(empty_pb2.Empty()).version == pulumi_sdk_version()
    packages = host.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=program_info(tmp_path, None))
    )
    assert list(packages.packages) == []
    about = host.About(language_pb2.AboutRequest(info=program_info(tmp_path, str(VENV))))
    assert about.version.startswith("3.11")


# --- Signals and the end of the engine: real processes, no mocks --------------------------------

SIGTERM_BIT = 1 << (signal.SIGTERM - 1)


def _handlers_installed(pid: int) -> bool:
    """Python catches SIGINT from its start; SIGTERM only once host.py has installed its handlers."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) & SIGTERM_BIT)


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for a parent that never reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _start_host(shim: Path) -> subprocess.Popen[str]:
    # In its own process group, as the engine starts its plugins (Setpgid).
    return subprocess.Popen(
        [sys.executable, str(HOST), "--use-executor", str(shim), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
    )


def _assert_quiet_exit(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    return stdout


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_signal_before_the_port_is_announced_ends_the_host_quietly(tmp_path: Path, stop_signal: int) -> None:
    shim = tmp_path / "pulumi-language-python-exec"
    shim.write_text(RECORDING_SHIM)
    process = _start_host(shim)
    deadline = time.monotonic() + 10
    while not _handlers_installed(process.pid):
        assert time.monotonic() < deadline and process.poll() is None, "host never installed its handlers"
        time.sleep(0.001)
    process.send_signal(stop_signal)
    assert _assert_quiet_exit(process) == "", "the signal was meant to arrive before the port"


def test_interrupt_right_after_the_port_ends_the_host_quietly(tmp_path: Path) -> None:
    """The engine may interrupt a host as soon as it has read its port (the old race: 2 in 480 runs)."""
    shim = tmp_path / "pulumi-language-python-exec"
    shim.write_text(RECORDING_SHIM)
    for delay_s in (0.0, 0.0, 0.0, 0.0005, 0.001, 0.002, 0.005, 0.05):
        process = _start_host(shim)
        assert process.stdout is not None
        port = process.stdout.readline()
        time.sleep(delay_s)
        process.send_signal(signal.SIGINT)
        assert int(port) > 0
        _assert_quiet_exit(process)


# A program that would run for two minutes, writing as it goes, as a slow `pulumi up` does.
SLOW_PROGRAM_SHIM = """
import os, sys, time
record = os.environ["SHIM_RECORD"]
with open(record + ".pid", "w") as pid_file:
    pid_file.write(str(os.getpid()))
for _ in range(1200):
    with open(record + ".writes", "a") as writes:
        writes.write("x")
    time.sleep(0.1)
"""

# Stands in for the CLI: starts the host like the engine does, asks it to run the program, and waits.
FAKE_ENGINE = """
import subprocess, sys, threading
import grpc
from pulumi.runtime.proto import language_pb2, language_pb2_grpc
host = subprocess.Popen([sys.executable, *sys.argv[1:]], stdout=subprocess.PIPE, text=True, process_group=0)
port = int(host.stdout.readline())
print(host.pid, flush=True)
stub = language_pb2_grpc.LanguageRuntimeStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
stub.Run(language_pb2.RunRequest(project="p", stack="s", info=language_pb2.ProgramInfo(entry_point=".")))
"""


def _wait_for(path: Path, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    return path.read_text()


def _gone_within(pids: list[int], timeout_s: float) -> float:
    started = time.monotonic()
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() - started < timeout_s, f"still running: {[p for p in pids if _alive(p)]}"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def running_program(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, int, Path]]:
    """(fake engine, host pid, program pid, the program's output file) with the program running."""
    shim = tmp_path / "pulumi-language-python-exec"
    shim.write_text(SLOW_PROGRAM_SHIM)
    record = tmp_path / "record.json"
    engine = subprocess.Popen(
        [sys.executable, "-c", FAKE_ENGINE, str(HOST), "--use-executor", str(shim), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SHIM_RECORD": str(record), "PULUMI_PYTHON_CMD": sys.executable},
    )
    assert engine.stdout is not None
    host_pid = int(engine.stdout.readline())
    program_pid = int(_wait_for(record.with_name("record.json.pid")))
    _wait_for(record.with_name("record.json.writes"))
    try:
        yield engine, host_pid, program_pid, record.with_name("record.json.writes")
    finally:
        for pid in (engine.pid, host_pid, program_pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        engine.wait(timeout=10)


def _stopped_writing(writes: Path) -> None:
    written = writes.read_text()
    time.sleep(0.5)
    assert writes.read_text() == written, "the program still writes"


def test_host_and_program_stop_when_the_engine_is_killed(
    running_program: tuple[subprocess.Popen[str], int, int, Path],
) -> None:
    engine, host_pid, program_pid, writes = running_program
    engine.kill()  # SIGKILL: the CLI gets no chance to interrupt its plugins
    engine.wait(timeout=10)
    seconds = _gone_within([host_pid, program_pid], timeout_s=5)
    _stopped_writing(writes)
    print(f"host and program gone {seconds:.2f} s after the engine was killed")


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
def test_program_stops_when_the_host_is_killed(
    running_program: tuple[subprocess.Popen[str], int, int, Path],
) -> None:
    _, host_pid, program_pid, writes = running_program
    os.kill(host_pid, signal.SIGKILL)
    seconds = _gone_within([host_pid, program_pid], timeout_s=5)
    _stopped_writing(writes)
    print(f"program gone {seconds:.2f} s after its host was killed")
