"""A Pulumi language host for Python programs, speaking the engine's LanguageRuntime gRPC protocol.

Pulumi's own host (`pulumi-language-python`, Go) cannot be fetched on machines whose Go module
proxy refuses its module, so `scripts/setup.sh` installs this one under that name when no host is
on PATH. It runs the program through the `pulumi-language-python-exec` shim that ships inside the
`pulumi/sdk/v3` Go module of the same release, exactly as the Go host does, with the same
arguments and environment (`PULUMI_CONFIG`, `PULUMI_CONFIG_SECRET_KEYS`).

What it does not do (the Go host does): debugger attachment, type checkers, uv/poetry toolchains,
code generation and plugin packing. It answers those calls with UNIMPLEMENTED.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent import futures
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any


class Shutdown:
    """SIGINT/SIGTERM end the host quietly, whenever they come (the engine interrupts its plugins when
    it is done with them, sometimes right after reading the port), and take the programs it runs along.
    """

    def __init__(self) -> None:
        self.server: Any = None
        self.programs: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()

    def install(self) -> None:
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, self.on_signal)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.server is None:
            os._exit(0)  # nothing started yet, so nothing to clean up
        self.server.stop(grace=1)

    def stop_programs(self, patience: float, grace: float) -> None:
        """Gives running programs `patience` seconds to end by themselves, then SIGTERM, then after
        `grace` seconds SIGKILL."""
        with self.lock:
            programs = list(self.programs)
        for wait_s, then in ((patience, subprocess.Popen.terminate), (grace, subprocess.Popen.kill)):
            deadline = time.monotonic() + wait_s
            for program in programs:
                try:
                    program.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    then(program)
        for program in programs:
            program.wait()


# Before the slow imports below and long before the port is announced: an interrupt at any point
# from here on ends the host without a KeyboardInterrupt traceback.
SHUTDOWN = Shutdown()
SHUTDOWN.install()
PARENT_PID = os.getppid()

import grpc  # noqa: E402
from google.protobuf import empty_pb2  # noqa: E402
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2  # noqa: E402

# The host speaks for the Pulumi SDK it runs with; scripts/setup.sh checks that the SDK, the CLI and
# tools/pulumi-engine/go.mod agree.
VERSION = os.environ.get("PULUMI_LANGUAGE_HOST_VERSION") or metadata.version("pulumi")
EXEC_SHIM = "pulumi-language-python-exec"
# The exec shim exits with this code after printing an error the user can act on.
EXIT_AFTER_USER_ACTIONABLE_MESSAGE = 32
# How often the host checks that the process that started it (the engine) is still there.
PARENT_POLL_S = 0.2

# On Linux, the program's process first asks the kernel to SIGKILL it when the host dies (so even a
# `kill -9` of the host cannot leave it running), then becomes the program. argv: host pid, command.
# The kernel sends it when the host *thread* that started the program ends: gRPC's worker threads
# live as long as the host.
PROGRAM_BOOTSTRAP = """
import ctypes, os, signal, sys
PR_SET_PDEATHSIG = 1
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
if os.getppid() != int(sys.argv[1]):
    sys.exit("pulumi-language-python: the language host is gone; not starting the program")
os.execv(sys.argv[2], sys.argv[2:])
"""


def virtualenv_of(info: language_pb2.ProgramInfo) -> Path | None:
    options = dict(info.options.items()) if info.HasField("options") else {}
    venv = options.get("virtualenv")
    if not venv:
        return None
    path = Path(venv)
    if not path.is_absolute():
        path = Path(info.root_directory or os.getcwd()) / path
    return path


def python_command(venv: Path | None) -> tuple[str, dict[str, str]]:
    env = dict(os.environ)
    if venv is None:
        return os.environ.get("PULUMI_PYTHON_CMD", "python3"), env
    python = venv / "bin" / "python"
    if not python.exists():
        raise FileNotFoundError(
            f"The 'virtualenv' option in Pulumi.yaml is set to {venv}, which has no bin/python. "
            "Run scripts/setup.sh to create it."
        )
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    return str(python), env


class PythonLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, exec_shim: Path, engine_address: str) -> None:
        self.exec_shim = exec_shim
        self.engine_address = engine_address

    def Handshake(self, request: Any, context: Any) -> Any:
        self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPluginsResponse(plugins=[])

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        # Dynamic providers need no package plugin: the engine finds `pulumi-resource-pulumi-python`
        # on PATH itself. Packages with resource plugins (pulumi-aws, ...) are not used here.
        return language_pb2.GetRequiredPackagesResponse(packages=[])

    def Run(self, request: Any, context: Any) -> Any:
        try:
            python, env = python_command(virtualenv_of(request.info))
        except FileNotFoundError as error:
            return language_pb2.RunResponse(error=str(error))
        args = [python, "-u", str(self.exec_shim), *self._arguments(request)]
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        returncode = run_program(args, env, request.pwd or None)
        if returncode == 0:
            return language_pb2.RunResponse()
        if returncode == EXIT_AFTER_USER_ACTIONABLE_MESSAGE:
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {returncode}")

    def _arguments(self, request: Any) -> list[str]:
        pairs = [
            ("monitor", request.monitor_address),
            ("engine", self.engine_address),
            ("project", request.project),
            ("root_directory", request.info.root_directory),
            ("stack", request.stack),
            ("pwd", request.pwd),
            ("dry_run", "true" if request.dryRun else "false"),
            ("parallel", str(request.parallel)),
            ("organization", request.organization),
        ]
        args = [item for key, value in pairs if value for item in (f"--{key}", value)]
        return [*args, request.info.entry_point or ".", *request.args]

    def InstallDependencies(self, request: Any, context: Any) -> Any:
        venv = virtualenv_of(request.info)
        if venv is not None and not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python, env = python_command(venv)
        requirements = Path(request.info.program_directory or request.directory) / "requirements.txt"
        if requirements.exists():
            result = subprocess.run(
                [python, "-m", "pip", "install", "-r", str(requirements)],
                env=env,
                capture_output=True,
                check=False,
            )
            yield language_pb2.InstallDependenciesResponse(stdout=result.stdout, stderr=result.stderr)
            if result.returncode != 0:
                context.abort(grpc.StatusCode.UNKNOWN, "pip install -r requirements.txt failed")

    def About(self, request: Any, context: Any) -> Any:
        python, env = python_command(virtualenv_of(request.info))
        version = subprocess.run(
            [python, "--version"], env=env, capture_output=True, text=True, check=False
        ).stdout.strip()
        return language_pb2.AboutResponse(executable=python, version=version.removeprefix("Python "))

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        python, env = python_command(virtualenv_of(request.info))
        listing = subprocess.run(
            [python, "-m", "pip", "list", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        packages = json.loads(listing.stdout or "[]")
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[language_pb2.DependencyInfo(name=p["name"], version=p["version"]) for p in packages]
        )

    def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:
        return language_pb2.RuntimeOptionsResponse(prompts=[])

    def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


def run_program(args: list[str], env: dict[str, str], cwd: str | None) -> int:
    """Runs the program to its end; it stays in the host's process group, which the engine interrupts."""
    if sys.platform == "linux":
        args = [args[0], "-c", PROGRAM_BOOTSTRAP, str(os.getpid()), *args]
    with SHUTDOWN.lock:
        program = subprocess.Popen(args, env=env, cwd=cwd)
        SHUTDOWN.programs.add(program)
    try:
        return program.wait()
    finally:
        with SHUTDOWN.lock:
            SHUTDOWN.programs.discard(program)


def exit_when_orphaned(parent_pid: int) -> None:
    """The Go host health-checks the engine; here the engine is our parent process. Once it is gone
    (even killed with SIGKILL), nobody will read what the program does: stop it and exit.
    """
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    SHUTDOWN.stop_programs(patience=0, grace=1)
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="pulumi-language-python")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("--use-executor", default="")
    parser.add_argument("--tracing", default="")
    parser.add_argument("engine_address", nargs="?", default="")
    options, _ = parser.parse_known_args()
    if options.version:
        print(VERSION)
        return
    shim = Path(options.use_executor or Path(sys.argv[0]).parent / EXEC_SHIM)
    if not shim.exists():
        sys.exit(f"missing executor {shim}: run scripts/setup.sh")

    threading.Thread(target=exit_when_orphaned, args=(PARENT_PID,), daemon=True).start()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(
        PythonLanguageHost(shim, options.engine_address), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    SHUTDOWN.server = server
    print(port, flush=True)
    server.wait_for_termination()
    # Stopped by a signal: the engine interrupts its plugins when it is done, a normal end. A program
    # still running got the same interrupt (same process group); the engine kills the group after 5 s.
    SHUTDOWN.stop_programs(patience=3, grace=1)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
