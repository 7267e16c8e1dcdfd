"""A small, safe evaluator for the Data Prep expression subset the product needs.

Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
unary := '-' unary | primary ; primary := number | string | true | false | null
| name '(' args ')' | field.path | '(' expr ')'. No Python eval anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

MAX_LENGTH = 4096
MAX_DEPTH = 40

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
    | (?P<op>[-+*/(),])
    )""",
    re.VERBOSE,
)

Node = tuple[Any, ...]


class ExpressionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expression is too long")
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character at position {pos}: {text[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(
                f"expected {value or 'a value'}, found {token[1] if token else 'end of expression'}"
            )
        self.pos += 1
        return token

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("expression is nested too deeply")
        node = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.pos += 1
            node = ("binop", token[1], node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) and token[1] in "*/" and token[0] == "op":
            self.pos += 1
            node = ("binop", token[1], node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token == ("op", "-"):
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError("expression is nested too deeply")
            node = ("neg", self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            return ("lit", float(value) if "." in value else int(value))
        if kind == "string":
            return ("lit", _unquote(value))
        if kind == "op" and value == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind == "name":
            if value in ("true", "false", "null"):
                return ("lit", {"true": True, "false": False, "null": None}[value])
            if self.peek() == ("op", "("):
                return self.call(value)
            return ("field", value)
        raise ExpressionError(f"unexpected '{value}'")

    def call(self, name: str) -> Node:
        if name.lower() not in FUNCTIONS:
            raise ExpressionError(f"unknown function '{name}'")
        self.take("(")
        args: list[Node] = []
        if self.peek() != ("op", ")"):
            args.append(self.expr())
            while self.peek() == ("op", ","):
                self.pos += 1
                args.append(self.expr())
        self.take(")")
        return ("call", name.lower(), tuple(args))


def parse(text: Any) -> Node:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression must be a non-empty string")
    parser = _Parser(_tokens(text))
    node = parser.expr()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected '{parser.peek()[1]}' after the expression")  # type: ignore[index]
    return node


def lookup(record: Any, path: str) -> Any:
    node = record
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _number(value: Any) -> float | int:
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


def evaluate(node: Node, record: Any) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return lookup(record, node[1])
    if kind == "neg":
        value = evaluate(node[1], record)
        return None if value is None else -_number(value)
    if kind == "binop":
        left, right = evaluate(node[2], record), evaluate(node[3], record)
        if left is None or right is None:
            return None
        a, b = _number(left), _number(right)
        if node[1] == "+":
            return a + b
        if node[1] == "-":
            return a - b
        if node[1] == "*":
            return a * b
        if b == 0:
            raise ExpressionError("division by zero")
        return a / b
    args = [evaluate(arg, record) for arg in node[2]]
    return FUNCTIONS[node[1]](args)


def run(text: str, record: Any) -> Any:
    return evaluate(parse(text), record)


# -- functions ---------------------------------------------------------------------------------

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
    millis = _number(args[0])
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
    return None if args[0] is None else int(_number(args[0]))


def _to_float(args: list[Any]) -> Any:
    _arity("to_float", args, 1, 1)
    return None if args[0] is None else float(_number(args[0]))


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
