"""A small, safe evaluator for the Data Prep expression subset the product needs.

Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
unary := '-' unary | primary ; primary := number | string | true | false | null
| name '(' args ')' | field.path | '(' expr ')'. No Python eval anywhere.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.data_prep.functions import FUNCTIONS, ExpressionError, number

__all__ = ["FUNCTIONS", "ExpressionError", "evaluate", "lookup", "parse", "run"]

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


def evaluate(node: Node, record: Any) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return lookup(record, node[1])
    if kind == "neg":
        value = evaluate(node[1], record)
        return None if value is None else -number(value)
    if kind == "binop":
        left, right = evaluate(node[2], record), evaluate(node[3], record)
        if left is None or right is None:
            return None
        a, b = number(left), number(right)
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
