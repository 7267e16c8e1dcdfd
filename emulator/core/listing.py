"""List helpers every service shares: AEP `property=` filters and one page of a list."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_TOKEN_PREFIX = "emu1:"


def order(
    items: list[dict[str, Any]],
    orderby: str | None,
    fields: tuple[str, ...],
    refuse: Callable[[str], Exception],
) -> list[dict[str, Any]]:
    """Sort by ``orderby`` (`name`, `+name`, `-name` descending); a field outside ``fields`` is refused."""
    if not orderby:
        return items
    descending = orderby.startswith("-")
    field = orderby.lstrip("+-")
    if field not in fields:
        raise refuse(field)

    def key(item: dict[str, Any]) -> tuple[int, str]:
        value = _lookup(item, field)
        return (0, "") if not value else (1, _sort_text(value[0]))

    return sorted(items, key=key, reverse=descending)


def _sort_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:020.3f}"
    return _text(value).casefold()


def encode_token(offset: int) -> str:
    """An opaque continuation token, as the server generates it."""
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int | None:
    """The offset of a token this server generated; None for anything else (e.g. `-5`, `3`)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    number = raw[len(_TOKEN_PREFIX) :] if raw.startswith(_TOKEN_PREFIX) else ""
    return int(number) if number.isascii() and number.isdigit() else None


def page(items: list[T], start: int, limit: int) -> tuple[list[T], int | None]:
    """The items of one page and the start of the next one (None on the last page)."""
    end = start + limit
    return items[start:end], (end if end < len(items) else None)


def property_filters(filters: list[str], item: dict[str, Any]) -> bool:
    """AEP `property=` filters: `a.b==x,y` (OR), `!=`, `~` (contains), `[]` for arrays; AND across filters."""
    return all(_one_filter(expression, item) for expression in filters)


def _lookup(item: Any, path: str) -> list[Any]:
    nodes = [item]
    for part in path.split("."):
        is_array = part.endswith("[]")
        key = part[:-2] if is_array else part
        nxt: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                if isinstance(value, list):
                    nxt.extend(value)
                else:
                    nxt.append(value)
        nodes = nxt
    return nodes


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _one_filter(expression: str, item: dict[str, Any]) -> bool:
    for op in ("!=", "==", "~", ">=", "<=", ">", "<"):
        if op in expression:
            path, _, raw = expression.partition(op)
            break
    else:
        return _lookup(item, expression.strip()) != []  # bare property: exists
    values = raw.split(",")
    actual = [_text(v) for v in _lookup(item, path.strip())]
    if op == "==":
        return any(v in actual for v in values)
    if op == "!=":
        return all(v not in actual for v in values)
    if op == "~":
        return any(v in a for v in values for a in actual)
    try:
        numbers = [float(a) for a in actual]
        bound = float(values[0])
    except ValueError:
        return False
    checks = {">": bound.__lt__, "<": bound.__gt__, ">=": bound.__le__, "<=": bound.__ge__}
    return any(checks[op](n) for n in numbers)
