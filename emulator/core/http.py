"""The HTTP layer shared by every route: dispatch, body parsing, faults, rate limit, error shapes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request

from emulator.core import errors
from emulator.core.backend import Env
from emulator.core.context import Ctx
from emulator.core.faults import FaultRule, Faults, RateLimiter
from emulator.core.gateway import Gateway

Result = Any  # body (JSON-able), or (body, status), or (body, status, headers), or a Response
Handler = Callable[..., Result]
# How a route authenticates: "platform" (the Adobe I/O gateway), "none", or a check of the
# Authorization header that returns the context's "sandbox" (Customer.io: the key's workspace).
Auth = str | Callable[[str], str]

SERVICE_PREFIXES = (
    ("/data/foundation/flowservice", "flowservice"),
    ("/data/foundation/schemaregistry", "schemaregistry"),
    ("/data/foundation/catalog", "catalog"),
    ("/data/foundation/conversion", "conversion"),
    ("/data/core/idnamespace", "identity"),
    ("/data/infrastructure/observability", "observability"),
    ("/ims/", "ims"),
    ("/collection/", "inlet"),
    ("/v1/", "customerio"),
    ("/_emulator", "admin"),
)


def service_of(path: str) -> str:
    for prefix, service in SERVICE_PREFIXES:
        if path.startswith(prefix):
            return service
    return "gateway"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if status == 204 or (body is None and status == 200 and request.method == "DELETE"):
        response = Response(status=status)
    else:
        response = Response(json.dumps(body), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(exc: errors.ApiError) -> Response:
    return json_response(exc.body, exc.status, exc.headers)


def to_response(result: Result) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        return json_response(*result)
    return json_response(result)


def body_json(kind: type | tuple[type, ...] = (dict, list), require_json_type: bool = True) -> Any:
    """Parse the request body or raise a 400 in the shape of the service that was called."""
    service = g.get("service", "gateway")
    content_type = (request.content_type or "").lower()
    if require_json_type and "json" not in content_type:
        raise errors.for_service(service, 400, "A valid content-type such as 'application/json' is required.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        if service == "flowservice":
            raise errors.flow("1405-400", "The request body is empty.")
        raise errors.for_service(service, 400, "The request body is empty.")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise errors.for_service(
            service, 400, f"The request body is not valid JSON: {str(exc)[:200]}"
        ) from exc
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        wanted = {"dict": "a JSON object", "list": "a JSON array"}.get(names, names)
        raise errors.for_service(service, 400, f"The request body must be {wanted}.")
    return value


def int_arg(name: str, default: int | None, low: int = 0) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise errors.for_service(g.get("service", "gateway"), 400, f"'{name}' must be an integer.") from exc
    if value < low:
        raise errors.for_service(g.get("service", "gateway"), 400, f"'{name}' must be at least {low}.")
    return value


def _fault_response(rule: FaultRule, service: str) -> Response:
    if rule.delay_s:
        time.sleep(rule.delay_s)
    if rule.drop_connection:
        sock = request.environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        g.dropped = True
    body = (
        rule.body
        if rule.body is not None
        else errors.for_service(service, rule.status, f"Injected fault (rule {rule.id}).").body
    )
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    return json_response(body, rule.status, headers)


def _rate_limited(service: str, retry_after_s: int) -> Response:
    headers = {"Retry-After": str(retry_after_s)}
    if service == "customerio":
        exc = errors.customerio(429, "Too many requests: over the per-second limit.")
        return json_response(exc.body, 429, headers)
    if service == "inlet":
        return json_response(errors.inlet(429, "Too many requests.").body, 429, headers)
    return json_response({"error_code": "429050", "message": "Too many requests"}, 429, headers)


def _budget(service: str) -> str:
    """What a rate limit counts against: the AEP gateway per IMS org, Customer.io per App API key
    (hashed: the request log is readable through the admin API), IMS and the inlet per service."""
    if service == "customerio":
        key = request.headers.get("Authorization", "")
        return f"customerio {hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if service in ("ims", "inlet"):
        return service
    return f"aep {request.headers.get('x-gw-ims-org-id', '')}"


class Router:
    """Adds a service's routes to the app; every call goes through latency, rate limit, faults, auth."""

    def __init__(self, app: Flask, env: Env, faults: Faults, rate: RateLimiter, gateway: Gateway) -> None:
        self.app = app
        self.env = env
        self.faults = faults
        self.rate = rate
        self.gateway = gateway

    def route(
        self, rule: str, methods: list[str], operation: str, auth: Auth
    ) -> Callable[[Handler], Handler]:
        service = service_of(rule)

        def decorate(handler: Handler) -> Handler:
            def view(**kwargs: Any) -> Response:
                return self._dispatch(service, operation, auth, handler, kwargs)

            self.app.add_url_rule(rule, endpoint=operation, view_func=view, methods=methods)
            return handler

        return decorate

    def _dispatch(
        self, service: str, operation: str, auth: Auth, handler: Handler, kwargs: dict[str, Any]
    ) -> Response:
        knobs = self.env.knobs
        g.operation = operation
        if knobs.latency_ms > 0:
            time.sleep(knobs.latency_ms / 1000)
        if not self.rate.allow(knobs.rate_limit_per_s, _budget(service)):
            return _rate_limited(service, knobs.rate_limit_retry_after_s)
        rule = self.faults.pick(operation, request.method, request.path)
        if rule is not None and not rule.after_commit:
            return _fault_response(rule, service)
        try:
            ctx = self._authenticate(service, auth)
            with self.env.store.lock:
                response = to_response(handler(ctx, **kwargs))
        except errors.ApiError as exc:
            response = error_response(exc)
        except RecursionError:
            response = error_response(
                errors.for_service(service, 400, "The request body is nested too deeply.")
            )
        if rule is not None:
            return _fault_response(rule, service)
        return response

    def _authenticate(self, service: str, auth: Auth) -> Ctx:
        base = request.host_url.rstrip("/")
        if auth == "platform":
            sandbox, client_id = self.gateway.check(request.headers, service)
            g.sandbox = sandbox
            return Ctx(sandbox, base, client_id)
        if callable(auth):
            return Ctx(auth(request.headers.get("Authorization", "")), base)
        return Ctx("", base)
