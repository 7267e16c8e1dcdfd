"""The toolchain itself: the real Pulumi CLI, the Python language host and the dynamic-provider plugin."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.engine import (
    TOOLS_BIN,
    PulumiCommandError,
    PulumiStack,
    changes_without_same,
    require_engine,
)
from tools.engine_harness import pulumi_version

TINY_PROGRAM = Path(__file__).parent / "tiny_program"


@pytest.fixture
def tiny_stack(tmp_path: Path) -> PulumiStack:
    require_engine()
    stack = PulumiStack.create(tmp_path, TINY_PROGRAM)
    stack.set_config({"path": str(tmp_path / "greeting.txt"), "content": "hello"})
    return stack


def test_cli_version_is_the_projects_pulumi_version() -> None:
    require_engine()
    version = subprocess.run(
        [str(TOOLS_BIN / "pulumi"), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version == f"v{pulumi_version()}"


def test_dynamic_resource_lifecycle(tiny_stack: PulumiStack, tmp_path: Path) -> None:
    target = tmp_path / "greeting.txt"

    preview = tiny_stack.preview()
    assert preview["changeSummary"] == {"create": 2}  # the stack and the file
    assert not target.exists(), "preview must not create anything"

    assert tiny_stack.up() == {"create": 2}
    assert target.read_text() == "hello"
    assert tiny_stack.outputs() == {"path": str(target), "content": "hello"}

    assert changes_without_same(tiny_stack.up()) == {}, "a second up must change nothing"
    assert changes_without_same(tiny_stack.refresh()) == {}

    target.write_text("edited by hand")
    tiny_stack.refresh()
    (text_file,) = [r for r in tiny_stack.resources() if r["type"] == "pulumi-python:dynamic/tiny:TextFile"]
    assert text_file["outputs"]["content"] == "edited by hand", "refresh must read the drift"
    assert changes_without_same(tiny_stack.up()) == {"update": 1}
    assert target.read_text() == "hello", "up must repair the drift"

    assert tiny_stack.destroy() == {"delete": 2}
    assert not target.exists()
    assert tiny_stack.resources() == []


def _bin_without(tmp_path: Path, missing: str) -> str:
    partial = tmp_path / "partial-bin"
    partial.mkdir()
    for tool in TOOLS_BIN.iterdir():
        if tool.name != missing:
            # A real copy: the CLI also looks for plugins beside its own resolved executable.
            shutil.copy2(tool.resolve(), partial / tool.name)
    # Only the project's tools: nothing else on PATH may stand in for the missing one.
    return f"{partial}{os.pathsep}/usr/bin{os.pathsep}/bin"


@pytest.mark.parametrize(
    ("missing", "complaint"),
    [
        ("pulumi-resource-pulumi-python", "pulumi-python"),
        ("pulumi-language-python", "language"),
    ],
)
def test_up_fails_without_a_runtime_piece(
    tiny_stack: PulumiStack, tmp_path: Path, missing: str, complaint: str
) -> None:
    tiny_stack.path = _bin_without(tmp_path, missing)
    with pytest.raises(PulumiCommandError) as failure:
        tiny_stack.up()
    assert complaint in str(failure.value)
    assert not (tmp_path / "greeting.txt").exists()
