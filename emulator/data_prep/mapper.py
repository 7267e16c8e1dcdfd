"""Apply a mapping set to one source record, the way the streaming pipeline does."""

from __future__ import annotations

from typing import Any

from emulator.core import xdm
from emulator.data_prep import expressions


def _set(out: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = out
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _coerce(spec: dict[str, Any] | None, value: Any) -> Any:
    """Data Prep converts between primitive types to fit the destination field."""
    if spec is None or value is None:
        return value
    kind = spec.get("type")
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.get("format") in ("date-time", "date"):
            return value  # left as is: validation then explains that a dformat() is needed
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("integer", "number") and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def source_value(mapping: dict[str, Any], record: Any) -> Any:
    kind = mapping["sourceType"]
    source = mapping["source"]
    if kind == "EXPRESSION":
        return expressions.run(source, record)
    if kind == "STATIC":
        return source
    return expressions.lookup(record, source)


def apply(
    mappings: list[dict[str, Any]], tree: dict[str, Any], record: Any, allow_nulls: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    out: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for mapping in mappings:
        try:
            value = source_value(mapping, record)
        except expressions.ExpressionError as exc:
            problems.append(
                {
                    "code": "MAPPER-3700-400",
                    "source": mapping["source"],
                    "destination": mapping["destination"],
                    "message": str(exc),
                }
            )
            continue
        if value is None and not allow_nulls:
            continue
        spec = xdm.path_type(tree.get("properties", {}), mapping["destination"])
        _set(out, mapping["destination"], _coerce(spec, value))
    return out, problems
