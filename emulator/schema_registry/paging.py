"""Schema Registry list paging: `orderby` (`title`, `-title`, several fields), `start` = the sort key
of the first item (not an offset), `limit` 1..500 (default 300), `_page.next` = the next page's start."""

from __future__ import annotations

from typing import Any

from emulator.core import errors

Obj = dict[str, Any]
FIELDS = ("title", "$id", "meta:altId", "version", "description")
DEFAULT_LIMIT, MAX_LIMIT = 300, 500


def _bad(message: str) -> errors.ApiError:
    return errors.xdm("1000-400", message)


def _key(obj: Obj, field: str) -> str:
    return str(obj.get(field) or "")


def one_page(items: list[Obj], query: Obj) -> tuple[list[Obj], str, str | None]:
    """(page items, orderby used, next start or None)."""
    orderby = str(query.get("orderby") or "title")
    fields = [f.strip() for f in orderby.split(",") if f.strip()]
    if not fields or any(f.lstrip("+-") not in FIELDS for f in fields):
        raise _bad(
            f"orderby '{orderby}' is not supported; use one of {', '.join(FIELDS)}, '-' for descending."
        )
    if (query.get("start") is not None or query.get("limit") is not None) and not query.get("orderby"):
        raise _bad("'start' and 'limit' cannot be used without an 'orderby' parameter.")
    limit = _limit(query.get("limit"))
    first = fields[0]
    descending = first.startswith("-")
    for field in reversed(fields):  # stable sorts, secondary keys first
        name = field.lstrip("+-")
        items = sorted(items, key=lambda o: _key(o, name), reverse=field.startswith("-"))
    start = query.get("start")
    if start is not None:
        name = first.lstrip("+-")
        items = [o for o in items if (_key(o, name) <= start if descending else _key(o, name) >= start)]
    nxt = _key(items[limit], first.lstrip("+-")) if len(items) > limit else None
    return items[:limit], orderby, nxt


def _limit(raw: Any) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise _bad("'limit' must be an integer between 1 and 500.") from exc
    if not 1 <= value <= MAX_LIMIT:
        raise _bad("'limit' must be an integer between 1 and 500.")
    return value
