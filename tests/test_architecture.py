"""Architecture rules, checked on the source (AST), not by importing it.

(a) no import cycle among the project's own modules (`emulator`, `providers`, `components` and the
top-level modules), counting module-level imports only (imports inside functions are deferred, and
those under `if TYPE_CHECKING:` never run); (b) the emulator imports nothing from the product;
(c) no source module is over 300 lines; (d) the product is imported by its installed names only
(`aep_customerio.providers`, `aep_customerio.components`), never by the generic folder names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("emulator", "providers", "components")
MAX_LINES = 300
# The folders' installed names (aep_customerio/ links to them; pyproject.toml maps them).
INSTALLED = {"providers": "aep_customerio.providers", "components": "aep_customerio.components"}
GENERIC = ("providers", "components")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    parts[0] = INSTALLED.get(parts[0], parts[0])
    return ".".join(parts)


def _source_files(packages: tuple[str, ...]) -> dict[str, Path]:
    """Module name -> file, for every module of `packages` and every top-level module."""
    files = [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]
    files += sorted(ROOT.glob("*.py"))
    return {_module_name(p): p for p in files}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: not in functions, not under TYPE_CHECKING."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                yield from _module_level(block)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            yield from _module_level(node.body)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules an import statement loads (the most specific one that exists)."""

    def nearest(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    return {found for name in names if (found := nearest(name)) is not None}


def import_graph(packages: tuple[str, ...] = PACKAGES, strict: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports; `strict` also counts deferred (function-level) and
    TYPE_CHECKING imports, the ones a cycle hides behind."""
    files = _source_files(packages)
    known = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        imports = (
            [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
            if strict
            else _module_level(tree.body)
        )
        for node in imports:
            edges |= _targets(node, module, is_package, known)
        graph[module] = edges - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, colouring nodes)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_relative_and_from_imports_resolve() -> None:
    known = {"pkg", "pkg.sub", "pkg.sub.mod", "pkg.other"}
    tree = ast.parse("from . import mod\nfrom ..other import thing\nfrom pkg.sub import mod, name\n")
    targets = [_targets(n, "pkg.sub.x", False, known) for n in _module_level(tree.body)]
    assert targets == [{"pkg.sub.mod"}, {"pkg.other"}, {"pkg.sub.mod", "pkg.sub"}]
    guarded = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.other\n")
    assert [n for n in _module_level(guarded.body) if isinstance(n, ast.Import)] == []


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert {"emulator.app", "emulator.core.http"} <= set(graph), "the graph misses the emulator"
    assert "aep_customerio.providers.base" in graph["aep_customerio.providers.dataflow"] | {
        t for m in graph["aep_customerio.providers.dataflow"] for t in graph[m]
    }, "the graph misses the product's own imports"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_emulator_has_no_hidden_cycle() -> None:
    """The emulator's services once reached each other through a world object imported under
    TYPE_CHECKING and inside functions (a 9-module cycle): count those imports too."""
    cycle = find_cycle(import_graph(("emulator",), strict=True))
    assert cycle is None, "import cycle (counting deferred and TYPE_CHECKING imports): " + " -> ".join(
        cycle or []
    )


def test_emulator_imports_nothing_from_the_product() -> None:
    offenders = []
    for path in sorted((ROOT / "emulator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
                for name in names
                if name.split(".")[0] in (*GENERIC, "aep_customerio")
            ]
    assert offenders == []


def _absolute_imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.lineno, node.module or ""


def test_the_product_is_imported_by_its_installed_names_only() -> None:
    """A user's own `providers/` or `components/` folder must never be imported in their place."""
    files = [p for p in ROOT.rglob("*.py") if not ({".venv", ".tools", "aep_customerio"} & set(p.parts))]
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files
        for line, name in _absolute_imports(path)
        if name.split(".")[0] in GENERIC
    ]
    assert offenders == []
    assert len(files) > 100


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_over_300_lines(package: str) -> None:
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in sorted((ROOT / package).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"
