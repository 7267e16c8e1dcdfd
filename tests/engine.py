"""The real-engine harness, for tests. It lives in `tools/engine_harness.py` so that `benchmarks/`
can use it without importing test code; see there."""

from __future__ import annotations

from tools.engine_harness import (
    REPO,
    TOOLS_BIN,
    VENV,
    PulumiCommandError,
    PulumiStack,
    changes_without_same,
    engine_path,
    require_engine,
)

__all__ = [
    "REPO",
    "TOOLS_BIN",
    "VENV",
    "PulumiCommandError",
    "PulumiStack",
    "changes_without_same",
    "engine_path",
    "require_engine",
]
