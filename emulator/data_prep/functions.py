"""The functions of the Data Prep expression subset (dformat, concat, lower, sha256, ...)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any


class ExpressionError(ValueError):
    pass


def number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ExpressionError("expected a number, got a boolean")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value) if value.strip().lstrip("-").isdigit() else float(value)
        except ValueError as exc:
            raise ExpressionError(f"'{value}' is not a number") from exc
    raise ExpressionError(f"expected a number, got {type(value).__name__}")


_JAVA = re.compile(r"'([^']*)'|(y+|M+|d+|H+|h+|m+|s+|S+|X+|Z+|a|E+)|([^'A-Za-z]+)|([A-Za-z])")


def java_format(when: dt.datetime, pattern: str) -> str:
    """Format like java.text.SimpleDateFormat for the letters AEP examples use (UTC)."""
    out: list[str] = []
    for literal, letters, other, bad in _JAVA.findall(pattern):
        if bad:
            raise ExpressionError(f"unsupported date pattern letter '{bad}'")
        if other:
            out.append(other)
        elif not letters:
            out.append(literal if literal else "'")
        else:
            out.append(_java_field(when, letters))
    return "".join(out)


def _java_field(when: dt.datetime, letters: str) -> str:
    letter, width = letters[0], len(letters)
    if letter == "y":
        return f"{when.year % 100:02d}" if width == 2 else f"{when.year:0{width}d}"
    if letter == "S":
        return f"{when.microsecond // 1000:03d}"[: max(width, 3)].ljust(width, "0")
    if letter == "X":
        return "Z"
    if letter == "Z":
        return "+0000"
    if letter == "a":
        return "AM" if when.hour < 12 else "PM"
    if letter == "E":
        return when.strftime("%A" if width >= 4 else "%a")
    value = {
        "M": when.month,
        "d": when.day,
        "H": when.hour,
        "h": (when.hour % 12) or 12,
        "m": when.minute,
        "s": when.second,
    }[letter]
    return f"{value:0{width}d}"


def _arity(name: str, args: list[Any], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise ExpressionError(f"{name}() takes {low}..{high} arguments, got {len(args)}")


def _dformat(args: list[Any]) -> Any:
    _arity("dformat", args, 2, 2)
    if args[0] is None:
        return None
    millis = number(args[0])
    if not isinstance(args[1], str):
        raise ExpressionError("dformat() needs a format string")
    try:
        when = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ExpressionError(f"{millis} is out of range for a date") from exc
    return java_format(when, args[1])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unary_str(name: str, fn: Callable[[str], str]) -> Callable[[list[Any]], Any]:
    def call(args: list[Any]) -> Any:
        _arity(name, args, 1, 1)
        return None if args[0] is None else fn(_text(args[0]))

    return call


def _concat(args: list[Any]) -> Any:
    if any(a is None for a in args):
        return None
    return "".join(_text(a) for a in args)


def _coalesce(args: list[Any]) -> Any:
    return next((a for a in args if a is not None), None)


def _uuid(args: list[Any]) -> str:
    _arity("uuid", args, 0, 0)
    return str(uuid.uuid4())


def _now(args: list[Any]) -> str:
    _arity("now", args, 0, 0)
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _to_integer(args: list[Any]) -> Any:
    _arity("to_integer", args, 1, 1)
    return None if args[0] is None else int(number(args[0]))


def _to_float(args: list[Any]) -> Any:
    _arity("to_float", args, 1, 1)
    return None if args[0] is None else float(number(args[0]))


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "dformat": _dformat,
    "concat": _concat,
    "coalesce": _coalesce,
    "lower": _unary_str("lower", str.lower),
    "upper": _unary_str("upper", str.upper),
    "trim": _unary_str("trim", str.strip),
    "to_string": _unary_str("to_string", str),
    "sha256": _unary_str("sha256", lambda s: hashlib.sha256(s.encode()).hexdigest()),
    "md5": _unary_str("md5", lambda s: hashlib.md5(s.encode(), usedforsecurity=False).hexdigest()),
    "uuid": _uuid,
    "guid": _uuid,
    "now": _now,
    "to_integer": _to_integer,
    "to_float": _to_float,
}
