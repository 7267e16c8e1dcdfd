"""Additive-only evolution: once a dataset of schema S holds data, S and its field groups may only grow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core import errors, xdm

Obj = dict[str, Any]


def check_schema(current: Obj, new: Obj, ingested: list[str], resolve: Callable[[Obj], Obj]) -> None:
    """`ingested`: the datasets of this schema that hold data; `resolve`: schema -> property tree."""
    if not ingested:
        return
    label = f"schema '{current['$id']}'"
    kept = set(new.get("meta:extends", []))
    dropped = [g for g in current.get("meta:extends", []) if g not in kept and g not in xdm.CLASSES]
    if dropped:
        _breaking(label, ingested, f"it removes field group '{dropped[0]}' from 'allOf'")
    _compare(label, ingested, resolve(current), resolve(new))


def check_fieldgroup(
    current: Obj, new: Obj, schemas: list[Obj], ingested_of: Callable[[Obj], list[str]]
) -> None:
    """`schemas`: every schema of the sandbox; `ingested_of`: schema -> its datasets that hold data."""
    datasets: list[str] = []
    users: list[str] = []
    for schema in schemas:
        if current["$id"] in schema.get("meta:extends", []):
            found = ingested_of(schema)
            if found:
                users.append(str(schema["$id"]))
                datasets += found
    if not datasets:
        return
    label = f"field group '{current['$id']}' (used by schema {', '.join(users)})"
    _compare(label, datasets, xdm.fieldgroup_properties(current), xdm.fieldgroup_properties(new))


def _compare(label: str, datasets: list[str], old_tree: Obj, new_tree: Obj) -> None:
    problem = xdm.breaking_change(old_tree, new_tree)
    if problem:
        _breaking(label, datasets, problem)


def _breaking(label: str, datasets: list[str], problem: str) -> None:
    raise errors.xdm(
        "1527-400",
        f"Breaking change not allowed: {problem}. {label[0].upper()}{label[1:]} is used by dataset "
        f"{', '.join(datasets)} which already holds ingested data; only additive changes "
        "(new fields, titles, descriptions) are allowed.",
        "Breaking change not allowed",
    )
