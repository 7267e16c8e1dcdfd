"""The HTTP layer shared by every route: dispatch, body parsing, faults, logging, error shapes."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, request

from emulator import errors, gateway
from emulator.context import Ctx
from emulator.faults import FaultRule
from emulator.world import World

Result = Any  # body (JSON-able), or (body, status), or (body, status, headers), or a Response
Handler = Callable[..., Result]

SERVICE_PREFIXES = (
    ("/data/foundation/flowservice", "flowservice"),
    ("/data/foundation/schemaregistry", "schemaregistry"),
    ("/data/foundation/catalog", "catalog"),
    ("/data/foundation/conversion", "conversion"),
    ("/ims/", "ims"),
    ("/collection/", "inlet"),
    ("/v1/", "customerio"),
    ("/_emulator", "admin"),
)


def world() -> World:
    value: World = current_app.extensions["emulator_world"]
    return value


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


def _to_response(result: Result) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        return json_response(*result)
    return json_response(result)


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


def _rate_limited(service: str) -> Response:
    knobs = world().knobs
    headers = {"Retry-After": str(knobs.rate_limit_retry_after_s)}
    if service == "customerio":
        exc = errors.customerio(429, "Too many requests: over the per-second limit.")
        return json_response(exc.body, 429, headers)
    if service == "inlet":
        return json_response(errors.inlet(429, "Too many requests.").body, 429, headers)
    return json_response({"error_code": "429050", "message": "Too many requests"}, 429, headers)


def dispatch(service: str, operation: str, auth: str, handler: Handler, kwargs: dict[str, Any]) -> Response:
    w = world()
    g.operation = operation
    if w.knobs.latency_ms > 0:
        time.sleep(w.knobs.latency_ms / 1000)
    if not w.rate.allow(w.knobs.rate_limit_per_s):
        return _rate_limited(service)
    rule = w.faults.pick(operation, request.method, request.path)
    if rule is not None and not rule.after_commit:
        return _fault_response(rule, service)
    try:
        ctx = _authenticate(w, service, auth)
        with w.store.lock:
            response = _to_response(handler(ctx, **kwargs))
    except errors.ApiError as exc:
        response = error_response(exc)
    except RecursionError:
        response = error_response(errors.for_service(service, 400, "The request body is nested too deeply."))
    if rule is not None:
        return _fault_response(rule, service)
    return response


def _authenticate(w: World, service: str, auth: str) -> Ctx:
    base = request.host_url.rstrip("/")
    if auth == "platform":
        sandbox, client_id = gateway.check(w, request.headers, service)
        g.sandbox = sandbox
        return Ctx(sandbox, base, client_id)
    if auth == "customerio":
        # For Customer.io the context's "sandbox" is the workspace the App API key belongs to.
        return Ctx(w.customerio.check_key(request.headers.get("Authorization", "")), base)
    return Ctx("", base)


def route(
    app: Flask, rule: str, methods: list[str], operation: str, auth: str
) -> Callable[[Handler], Handler]:
    service = service_of(rule)

    def decorate(handler: Handler) -> Handler:
        def view(**kwargs: Any) -> Response:
            return dispatch(service, operation, auth, handler, kwargs)

        app.add_url_rule(rule, endpoint=operation, view_func=view, methods=methods)
        return handler

    return decorate
