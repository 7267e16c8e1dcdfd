"""Adobe's published OpenAPI specs as executable contracts: find the operation of a request, then
validate the request (parameters, headers, content type, body) and the answer (status, body) with
jsonschema. Swagger 2.0 (Schema Registry) and OpenAPI 3.0 are read alike; `overrides.py` adjusts them."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

Obj = dict[str, Any]
HERE = Path(__file__).resolve()
SPEC_DIR = Path(
    os.environ.get("AEP_OPENAPI_DIR") or HERE.parents[2].parent / "shared" / "reference" / "adobe-openapi"
)
# spec file -> the path prefix its operations live under (servers / basePath)
SPECS = {
    "flow-service.yaml": "/data/foundation/flowservice",
    "catalog.yaml": "/data/foundation/catalog",
    "data-prep.yaml": "/data/foundation/conversion",
    "schema-registry.yaml": "/data/foundation/schemaregistry",
    "streaming-ingestion.yaml": "",
    "identity-service.yaml": "/data/core",
    "observability-insights.yaml": "/data/infrastructure/observability/insights",
}
METHODS = ("get", "put", "post", "delete", "patch")


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 / Swagger dialect -> JSON Schema draft 4 (nullable, x-nullable)."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k not in ("example", "examples", "discriminator")}
    if (node.get("nullable") or node.get("x-nullable")) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@dataclass
class Operation:
    spec: str
    method: str
    template: str  # full path template, e.g. /data/foundation/flowservice/flows/{FLOW_ID}
    raw: Obj
    doc: Obj
    swagger: bool
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.template.rstrip("/")))
        self.pattern = re.compile(f"^{regex}/?$")

    @property
    def id(self) -> str:
        return str(self.raw.get("operationId") or f"{self.method} {self.template}")

    @property
    def literal(self) -> int:
        return len(re.sub(r"\{[^}]+\}", "", self.template))

    def parameters(self) -> list[Obj]:
        return [self.resolve(p) for p in self.raw.get("parameters", [])]

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def request_schemas(self) -> dict[str, Any]:
        """media type -> schema (None: any body of that type)."""
        if self.swagger:
            bodies = [p for p in self.parameters() if p.get("in") == "body"]
            media = self.raw.get("consumes") or self.doc.get("consumes") or ["application/json"]
            return {m: bodies[0].get("schema") if bodies else None for m in media} if bodies else {}
        content = (self.resolve(self.raw.get("requestBody")) or {}).get("content") or {}
        return {m: c.get("schema") for m, c in content.items()}

    def response_schema(self, status: int) -> tuple[bool, Any]:
        """(status declared, schema of a JSON answer or None)."""
        responses = self.raw.get("responses") or {}
        answer = responses.get(str(status), responses.get(status))
        if answer is None:
            answer = responses.get("default")
            if answer is None:
                return False, None
        answer = self.resolve(answer)
        if self.swagger:
            return True, answer.get("schema")
        content = answer.get("content") or {}
        for media, body in content.items():
            if "json" in media:
                return True, body.get("schema")
        return True, None


@cache
def load(name: str) -> Obj:
    doc: Obj = yaml.safe_load((SPEC_DIR / name).read_text(encoding="utf-8"))
    from tests.contract import overrides  # the one place that corrects the specs

    overrides.apply(name, doc)
    return doc


@cache
def operations() -> list[Operation]:
    found: list[Operation] = []
    for name, prefix in SPECS.items():
        doc = load(name)
        swagger = "swagger" in doc
        for path, item in (doc.get("paths") or {}).items():
            for method in METHODS:
                if method in item:
                    raw = copy.copy(item[method])
                    raw["parameters"] = [*item.get("parameters", []), *raw.get("parameters", [])]
                    found.append(Operation(name, method.upper(), prefix + path, raw, doc, swagger))
    return found


def find(method: str, url: str) -> Operation | None:
    path = urlsplit(url).path
    matches = [o for o in operations() if o.method == method.upper() and o.pattern.match(path)]
    return max(matches, key=lambda o: o.literal) if matches else None


@cache
def _registry(name: str) -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(
        f"urn:{name}", DRAFT4.create_resource(_nullable(load(name)))
    )
    return registry


def errors_of(op: Operation, schema: Any, value: Any) -> Iterator[str]:
    """Validation errors of ``value`` against a schema of ``op``'s spec ($refs resolved there)."""
    if schema is None:
        return
    rooted = _reroot(_nullable(schema), op.spec)
    validator = Draft4Validator(rooted, registry=_registry(op.spec))
    for error in validator.iter_errors(value):
        where = "/".join(str(p) for p in error.absolute_path)
        yield f"{op.id}: /{where}: {error.message[:300]}"


def _reroot(node: Any, name: str) -> Any:
    if isinstance(node, list):
        return [_reroot(n, name) for n in node]
    if not isinstance(node, dict):
        return node
    return {
        k: (
            f"urn:{name}{v}" if k == "$ref" and isinstance(v, str) and v.startswith("#") else _reroot(v, name)
        )
        for k, v in node.items()
    }
