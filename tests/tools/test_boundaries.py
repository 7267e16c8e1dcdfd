"""Benchmarks and project tooling are not test code and must not import it."""

from __future__ import annotations

import ast

import pytest

from tools.engine_harness import REPO


@pytest.mark.parametrize("folder", ["benchmarks", "tools", "scripts"])
def test_imports_no_test_code(folder: str) -> None:
    offenders = []
    for source in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            test_code = [name for name in names if name.split(".")[0] in ("tests", "pytest")]
            offenders += [f"{source.relative_to(REPO)}: {name}" for name in test_code]
    assert offenders == []
