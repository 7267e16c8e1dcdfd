"""Pulumi's Python dynamic-provider server, with a worker pool that follows the engine's parallelism.

`python -m pulumi.dynamic` (what Pulumi's `pulumi-resource-pulumi-python` launcher runs) serves the
engine with `ThreadPoolExecutor(max_workers=4)`: at most four provider calls (create, read, delete,
...) are in flight whatever `--parallel` says, and a call that waits (a dataflow's inlet URL) holds
one of the four. `scripts/setup.sh` installs a launcher of the same name that `exec`s the project's
virtualenv Python on this file, so this server is the CLI's direct child. It runs Pulumi's own
servicer (`pulumi/dynamic/__main__.py`, loaded without its module-level `main()` call) behind a
pool of `parallelism() + CONTROL_WORKERS` threads.

The engine does not tell resource plugins its parallelism (the gRPC requests carry none), so it is
read the way the CLI itself decides it: `--parallel`/`-p` on the CLI's command line (the parent
process), else `PULUMI_PARALLEL`, else the CLI's default, four per Go `GOMAXPROCS` (the CPUs this
process may use, or the cgroup's CPU limit when lower, or the `GOMAXPROCS` variable).
`PULUMI_DYNAMIC_PROVIDER_WORKERS` overrides the pool size outright.
"""

from __future__ import annotations

import ast
import math
import os
import sys
import threading
import time
import types
from collections.abc import Mapping, Sequence
from concurrent import futures
from pathlib import Path
from threading import Event
from typing import Any

# Calls the engine makes beside the P resource operations it runs at once: Configure, Check and Diff
# while it plans the next steps, GetPluginInfo, Cancel.
CONTROL_WORKERS = 4
WORKERS_ENV = "PULUMI_DYNAMIC_PROVIDER_WORKERS"


def parallel_flag(argv: Sequence[str]) -> int | None:
    """The value of `--parallel`/`-p` in a Pulumi CLI command line (last one wins), if any."""
    found: int | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value: str | None = None
        if arg in ("--parallel", "-p"):
            value = argv[i + 1] if i + 1 < len(argv) else None
        elif arg.startswith("--parallel="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-p") and not arg.startswith("--"):
            value = arg[2:].removeprefix("=")
        if value is not None:
            try:
                found = int(value)
            except ValueError:
                continue
    return found


def _cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def go_maxprocs(environ: Mapping[str, str], cpus: int, cgroup_limit: float | None) -> int:
    """What Go (1.25) makes GOMAXPROCS: the variable if set, else the usable CPUs, lowered to the
    cgroup's CPU limit rounded up (never below 2) when that is lower."""
    try:
        explicit = int(environ.get("GOMAXPROCS", ""))
    except ValueError:
        explicit = 0
    if explicit > 0:
        return explicit
    if cgroup_limit is not None and cgroup_limit < cpus:
        return min(cpus, max(2, math.ceil(cgroup_limit)))
    return cpus


def parallelism(cli_argv: Sequence[str] | None, environ: Mapping[str, str], maxprocs: int) -> int:
    """The CLI's `--parallel`: its flag, else `PULUMI_PARALLEL`, else 4 x GOMAXPROCS (its default)."""
    flag = parallel_flag(cli_argv) if cli_argv is not None else None
    if flag is not None and flag > 0:
        return flag
    try:
        from_env = int(environ.get("PULUMI_PARALLEL", ""))
    except ValueError:
        from_env = 0
    return from_env if from_env > 0 else 4 * maxprocs


def cli_argv(pid: int) -> list[str] | None:
    """The command line of `pid` when it is the Pulumi CLI, else None."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.decode(errors="replace").split("\0")[1:] if name == "pulumi" else None


def workers(environ: Mapping[str, str] = os.environ) -> int:
    try:
        override = int(environ.get(WORKERS_ENV, ""))
    except ValueError:
        override = 0
    if override > 0:
        return override
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    maxprocs = go_maxprocs(environ, cpus, _cgroup_cpu_limit())
    return parallelism(cli_argv(os.getppid()), environ, maxprocs) + CONTROL_WORKERS


def load_pulumi_servicer() -> types.ModuleType:
    """`pulumi/dynamic/__main__.py` as a module, without the `main()` call at its end (its servicer,
    provider cache and `get_provider` are used as they are)."""
    import pulumi.dynamic

    path = Path(pulumi.dynamic.__file__).with_name("__main__.py")
    tree = ast.parse(path.read_text(), str(path))
    tree.body = [
        node
        for node in tree.body
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "main"
        )
    ]
    module = types.ModuleType("pulumi.dynamic._server", f"Pulumi's dynamic-provider server ({path})")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    exec(compile(tree, str(path), "exec"), module.__dict__)
    return module


def exit_with_parent(parent: int, every: float = 0.25) -> threading.Thread:
    """End this process soon after ``parent`` (the CLI: this server is its direct child) dies, even
    before the engine's first call: once re-parented, nothing will ever record this server's work."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(70)

    thread = threading.Thread(target=watch, name="cli-lifeline", daemon=True)
    thread.start()
    return thread


def serve(max_workers: int) -> None:
    import grpc

    pulumi_server: Any = load_pulumi_servicer()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="provider"),
        options=pulumi_server._GRPC_CHANNEL_OPTIONS,
    )
    pulumi_server.provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        pulumi_server.DynamicResourceProviderServicer(), server
    )
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    try:
        Event().wait()
    except KeyboardInterrupt:
        server.stop(0)


def main() -> None:
    # As `python -m pulumi.dynamic` would: the program's directory (the working directory) first on
    # sys.path, so that pickled providers import from the program; nothing of tools/.
    sys.path[0] = os.getcwd()
    exit_with_parent(os.getppid())
    serve(workers())


if __name__ == "__main__":
    main()
