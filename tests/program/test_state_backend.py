"""The `file://` state backend after a kill: its storage library writes a metadata sidecar
(`<stack>.json.attrs`) in place, after the checkpoint itself, so a kill between the two leaves it
empty and every command fails with `failed to load checkpoint: EOF`. The README's repair (delete the
empty sidecar) restores the stack, and the backend URL `scripts/env.sh` sets (`?metadata=skip`)
writes no sidecar at all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.engine import require_engine
from tests.program.interruptions import cut_sidecars
from tools.engine_harness import REPO, PulumiStack

EMPTY_PROGRAM = REPO / "benchmarks" / "empty_program"


def _stack(tmp_path: Path, url_query: str = "") -> PulumiStack:
    require_engine()
    env = {"PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}{url_query}"}
    stack = PulumiStack.create(tmp_path, EMPTY_PROGRAM, extra_env=env)
    stack.up()
    return stack


def test_an_emptied_sidecar_stops_every_command_until_it_is_deleted(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    sidecars = sorted((tmp_path / "state" / ".pulumi" / "stacks").rglob(f"{stack.name}.json.attrs"))
    assert len(sidecars) == 1, sidecars
    sidecars[0].write_bytes(b"")  # what a kill between the checkpoint and its sidecar leaves
    failed = stack.run("stack", "export", check=False)
    assert failed.returncode != 0 and "failed to load checkpoint: EOF" in failed.stderr, failed.stderr
    assert cut_sidecars(stack) == sidecars
    sidecars[0].unlink()
    assert stack.export()["deployment"]["resources"], "the checkpoint itself was intact"
    stack.up()
    assert not cut_sidecars(stack)


def test_the_scripts_backend_url_writes_no_sidecar(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}
    printed = subprocess.run(
        ["bash", "-c", '. scripts/env.sh && printf %s "$PULUMI_BACKEND_URL"'],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    query = printed[printed.index("?") :] if "?" in printed else ""
    assert query == "?metadata=skip", printed
    stack = _stack(tmp_path, query)
    stack.up()
    assert not list((tmp_path / "state").rglob("*.attrs"))
    assert stack.export()["deployment"]["resources"]
