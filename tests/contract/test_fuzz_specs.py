"""Spec-driven fuzzing: bodies and list parameters generated from the specs' request schemas
(`from_schema` below) against the emulator. Every answer must be below 500 and be one the spec
documents, in the documented shape. CONTRACT_FUZZ_EXAMPLES sets the budget per operation (default
15; derandomized when CI=true)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract import openapi
from tests.contract.check import Exchange, check_response

EXAMPLES = int(os.environ.get("CONTRACT_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=list(HealthCheck),
    database=None,
)
BODIES = [
    ("POST", "/data/foundation/flowservice/sourceConnections"),
    ("POST", "/data/foundation/flowservice/targetConnections"),
    ("POST", "/data/foundation/flowservice/flows"),
    ("POST", "/data/foundation/conversion/mappingSets"),
    ("POST", "/data/foundation/catalog/dataSets"),
    ("POST", "/data/foundation/schemaregistry/tenant/fieldgroups"),
    ("POST", "/data/foundation/schemaregistry/tenant/schemas"),
]
LISTS = [
    "/data/foundation/flowservice/flows",
    "/data/foundation/flowservice/sourceConnections",
    "/data/foundation/schemaregistry/tenant/schemas",
]
RESULTS: dict[str, int] = {"examples": 0, "failures": 0}


def _inline(op: openapi.Operation, schema: Any, depth: int = 0) -> Any:
    """hypothesis-jsonschema wants a self-contained schema: inline the spec's $refs (bounded)."""
    if isinstance(schema, list):
        return [_inline(op, s, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("$ref"), str):
        return {} if depth > 6 else _inline(op, op.pointer(schema["$ref"]), depth + 1)
    return {k: _inline(op, v, depth) for k, v in openapi._nullable(schema).items()}


def from_schema(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a (inlined) JSON schema: enum, object (required + some optional), array, scalars;
    now and then a value of the wrong type, to reach the validators."""
    if not isinstance(schema, dict) or depth > 5:
        return st.none()
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            return st.one_of([from_schema(s, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        required = [k for k in schema.get("required", []) if k in props]
        return st.fixed_dictionaries(
            {k: from_schema(props[k], depth + 1) for k in required},
            optional={k: from_schema(v, depth + 1) for k, v in props.items() if k not in required},
        )
    if kind == "array":
        return st.lists(from_schema(schema.get("items") or {}, depth + 1), max_size=3)
    scalars = {
        "string": st.text(max_size=20),
        "integer": st.integers(-5, 1000),
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
    }
    return scalars.get(str(kind), st.none() | st.text(max_size=5))


def _headers(emulator: Any) -> dict[str, str]:
    return {**emulator.platform_headers("dev"), "Accept": "application/vnd.adobe.xed-id+json"}


def _send(emulator: Any, headers: dict[str, str], method: str, path: str, **kwargs: Any) -> None:
    response = requests.request(method, emulator.base_url + path, headers=headers, timeout=30, **kwargs)
    RESULTS["examples"] += 1
    op = openapi.find(method, emulator.base_url + path)
    assert op is not None
    ex = Exchange(method, response.url, headers, None, response.status_code, response.content)
    problems = check_response(op, ex) if response.status_code < 500 else [f"{response.status_code}"]
    if problems:
        RESULTS["failures"] += 1
    assert response.status_code < 500, response.text
    assert problems == [], (kwargs, response.text[:500], problems)


@pytest.mark.parametrize(("method", "path"), BODIES)
def test_generated_bodies(emulator: Any, method: str, path: str) -> None:
    op = openapi.find(method, emulator.base_url + path)
    assert op is not None
    schema = next(iter(op.request_schemas().values()))
    strategy = from_schema(_inline(op, schema)) if schema else st.just({})
    headers = _headers(emulator)

    @FUZZ
    @given(body=strategy)
    def run(body: Any) -> None:
        _send(emulator, headers, method, path, data=json.dumps(body))

    run()


@pytest.mark.parametrize("path", LISTS)
def test_generated_list_parameters(emulator: Any, path: str) -> None:
    values = st.one_of(st.text(max_size=12), st.integers(-10, 600).map(str))
    names = st.sampled_from(["orderby", "limit", "start", "continuationToken", "property"])
    headers = _headers(emulator)

    @FUZZ
    @given(query=st.dictionaries(names, values, max_size=3))
    def run(query: dict[str, str]) -> None:
        _send(emulator, headers, "GET", path, params=query)

    run()
