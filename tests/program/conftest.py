"""Real-engine fixtures: the stack program of this repository on a throw-away file backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tools.engine_harness import PulumiStack, require_engine
from tools.engine_harness import program_stack as create_program_stack

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

StackFactory = Callable[..., PulumiStack]


@pytest.fixture
def program_stack(tmp_path: Path, emulator: EmulatorAdmin) -> StackFactory:
    """Factory: `program_stack(sandbox="dev", sources=None, customerio=True)` → a configured stack."""
    require_engine()
    created: list[PulumiStack] = []

    def make(name: str = "test", **config: Any) -> PulumiStack:
        stack = create_program_stack(tmp_path / name, emulator, name=name, **config)
        created.append(stack)
        return stack

    return make


def writes_since(emulator: EmulatorAdmin, seq: int) -> list[dict[str, Any]]:
    """Mutating calls to the remote APIs (token minting and the inlet are not object writes)."""
    return [
        entry
        for entry in emulator.requests(since=seq)
        if entry["method"] in WRITE_METHODS and entry["service"] not in ("ims", "inlet", "admin")
    ]


def calls_since(emulator: EmulatorAdmin, seq: int) -> list[dict[str, Any]]:
    return [entry for entry in emulator.requests(since=seq) if entry["service"] != "admin"]


# The kinds of object a stack creates (AEP also keeps runs, batches and mapping-set versions).
MANAGED_KINDS = (
    "fieldgroup",
    "schema",
    "dataset",
    "mappingSet",
    "sourceConnection",
    "targetConnection",
    "flow",
)


def objects_in(emulator: EmulatorAdmin, sandbox: str) -> dict[str, int]:
    """How many objects of each managed kind the sandbox holds."""
    kinds = emulator.state()["sandboxes"].get(sandbox, {})
    return {kind: len(kinds[kind]) for kind in MANAGED_KINDS if kinds.get(kind)}
