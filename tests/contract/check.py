"""Check one recorded exchange (the request the client sent, the answer the emulator gave) against
the contract: Adobe's OpenAPI specs (`openapi.py`) or, for IMS and Customer.io, `local_specs.py`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.contract import local_specs, openapi

Obj = dict[str, Any]
SCALARS = {"integer": int, "number": float}


@dataclass
class Exchange:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    answer: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def json_answer(self) -> Any:
        try:
            return json.loads(self.answer) if self.answer else None
        except ValueError:
            return ValueError


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(name.lower())


def _coerce(value: str, schema: Obj) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return [_coerce(v, schema.get("items") or {}) for v in value.split(",")]
    if kind in SCALARS:
        try:
            return SCALARS[kind](value)
        except ValueError:
            return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def check_request(op: openapi.Operation, ex: Exchange) -> list[str]:
    problems: list[str] = []
    query = parse_qsl(urlsplit(ex.url).query, keep_blank_values=True)
    params = op.parameters()
    declared_query = {p["name"]: p for p in params if p.get("in") == "query"}
    for p in params:
        where, name = p.get("in"), p["name"]
        if where == "header" and p.get("required"):
            if name.lower() == "content-type" and not ex.body:
                continue  # a body-less request sends no Content-Type
            if _header(ex.headers, name) is None:
                problems.append(f"{op.id}: header {name} is required")
        if where == "query" and p.get("required") and name not in dict(query):
            problems.append(f"{op.id}: query parameter {name} is required")
    for name, value in query:
        spec = declared_query.get(name)
        if spec is None:
            problems.append(f"{op.id}: query parameter {name} is not in the spec")
            continue
        schema = spec.get("schema") or {k: v for k, v in spec.items() if k in ("type", "enum", "items")}
        problems += openapi.errors_of(op, schema, _coerce(value, schema))
    bodies = op.request_schemas()
    if ex.body:
        media = (_header(ex.headers, "Content-Type") or "").split(";")[0].strip().lower()
        if media not in bodies:
            problems.append(f"{op.id}: Content-Type {media!r} is not one of {sorted(bodies)}")
        else:
            problems += openapi.errors_of(op, bodies[media], json.loads(ex.body))
    elif bodies and (op.resolve(op.raw.get("requestBody")) or {}).get("required"):
        problems.append(f"{op.id}: a request body is required")
    return problems


def check_response(op: openapi.Operation, ex: Exchange) -> list[str]:
    declared, schema = op.response_schema(ex.status)
    if not declared:
        return [f"{op.id}: status {ex.status} is not a documented answer"]
    body = ex.json_answer()
    if body is ValueError:
        return [f"{op.id}: the {ex.status} answer is not JSON"]
    if body is None:
        return []
    return list(openapi.errors_of(op, schema, body))


def check(ex: Exchange) -> tuple[str, list[str]]:
    """(operation id, problems) of one exchange; unknown operations are a problem themselves."""
    local = local_specs.find(ex.method, ex.path)
    if local is not None:
        return local.id, local.check(ex.headers, ex.body, ex.status, ex.json_answer())
    op = openapi.find(ex.method, ex.url)
    if op is None:
        return f"{ex.method} {ex.path}", [f"{ex.method} {ex.path} is in no spec"]
    return op.id, check_request(op, ex) + check_response(op, ex)
