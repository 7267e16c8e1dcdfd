"""Contracts for the two APIs without an Adobe OpenAPI file here: IMS token v3 (Adobe's OAuth
server-to-server guide, aep-api.md §5) and Customer.io's App API reporting webhooks
(customerio-webhooks.md §7, [RWAPI] pointers). Written from those notes as JSON Schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft7Validator

from emulator.customerio.events import EVENT_NAMES

Obj = dict[str, Any]
STRING = {"type": "string"}
IMS_ERROR = {"type": "object", "required": ["error", "error_description"], "properties": {"error": STRING}}
CIO_ERROR = {"type": "object", "required": ["meta"], "properties": {"meta": {"type": "object"}}}
WEBHOOK_FIELDS: Obj = {
    "name": {"type": "string", "minLength": 1},
    "endpoint": {"type": "string", "pattern": "^https?://"},
    "events": {"type": "array", "minItems": 1, "items": {"enum": sorted(EVENT_NAMES)}},
    "disabled": {"type": "boolean"},
    "full_resolution": {"type": "boolean"},
    "with_content": {"type": "boolean"},
}
WEBHOOK_BODY = {"type": "object", "required": ["name", "endpoint", "events"], "properties": WEBHOOK_FIELDS}
WEBHOOK = {
    "type": "object",
    "required": ["id", "name", "endpoint", "events"],
    "properties": {**WEBHOOK_FIELDS, "id": {"type": "integer"}, "type": {"enum": ["webhook", "js"]}},
}
TOKEN = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": STRING,
        "token_type": {"enum": ["bearer"]},
        "expires_in": {"type": "integer"},
    },
}
TOKEN_FORM = {
    "type": "object",
    "required": ["grant_type", "client_id", "client_secret", "scope"],  # scope: mandatory for OAuth S2S
    "properties": {
        "grant_type": {"enum": ["client_credentials"]},
        "scope": {"type": "string", "minLength": 1},
    },
}


@dataclass(frozen=True)
class LocalOperation:
    id: str
    method: str
    path: str  # regex
    body: Obj | None  # request body schema (None: no body)
    answers: dict[int, Obj | None]  # status -> answer schema (None: empty)
    auth: str  # "bearer" or "none"
    form: bool = False

    def check(self, headers: dict[str, str], body: bytes | None, status: int, answer: Any) -> list[str]:
        problems: list[str] = []
        lowered = {k.lower(): v for k, v in headers.items()}
        if self.auth == "bearer" and not lowered.get("authorization", "").startswith("Bearer "):
            problems.append(f"{self.id}: Authorization: Bearer is required")
        if self.body is not None and body is not None:
            media = lowered.get("content-type", "").split(";")[0]
            wanted = "application/x-www-form-urlencoded" if self.form else "application/json"
            if media != wanted:
                problems.append(f"{self.id}: Content-Type {media!r}, wanted {wanted}")
            value = dict(parse_qsl(body.decode())) if self.form else _json(body)
            problems += [
                f"{self.id}: request {e.message}" for e in Draft7Validator(self.body).iter_errors(value)
            ]
        if status not in self.answers:
            return [*problems, f"{self.id}: status {status} is not a documented answer"]
        schema = self.answers[status]
        if schema is not None:
            problems += [
                f"{self.id}: answer {e.message}" for e in Draft7Validator(schema).iter_errors(answer)
            ]
        return problems


def _json(raw: bytes) -> Any:
    import json

    return json.loads(raw)


HOOK = r"/v1/reporting_webhooks/[0-9]+"
ERRORS = {400: CIO_ERROR, 401: CIO_ERROR, 404: CIO_ERROR, 429: CIO_ERROR}
OPERATIONS = [
    LocalOperation(
        "ims.token",
        "POST",
        r"/ims/token/v3",
        TOKEN_FORM,
        {200: TOKEN, 400: IMS_ERROR, 401: IMS_ERROR},
        "none",
        True,
    ),
    LocalOperation(
        "customerio.listWebhooks",
        "GET",
        r"/v1/reporting_webhooks",
        None,
        {
            200: {
                "type": "object",
                "required": ["reporting_webhooks"],
                "properties": {"reporting_webhooks": {"type": "array", "items": WEBHOOK}},
            },
            **ERRORS,
        },
        "bearer",
    ),
    LocalOperation(
        "customerio.createWebhook",
        "POST",
        r"/v1/reporting_webhooks",
        WEBHOOK_BODY,
        {200: WEBHOOK, **ERRORS},
        "bearer",
    ),
    LocalOperation("customerio.getWebhook", "GET", HOOK, None, {200: WEBHOOK, **ERRORS}, "bearer"),
    LocalOperation("customerio.updateWebhook", "PUT", HOOK, WEBHOOK_BODY, {200: WEBHOOK, **ERRORS}, "bearer"),
    LocalOperation("customerio.deleteWebhook", "DELETE", HOOK, None, {200: None, **ERRORS}, "bearer"),
]


def find(method: str, path: str) -> LocalOperation | None:
    for op in OPERATIONS:
        if op.method == method and re.fullmatch(op.path, path):
            return op
    return None
