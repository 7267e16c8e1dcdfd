"""Admin API under /_emulator/: reset, request log, state, knobs, faults, records, deliveries, edits."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, request

from emulator.core import errors, patch
from emulator.core.backend import Env
from emulator.core.faults import Faults, RequestLog
from emulator.core.http import body_json, error_response, to_response

BASE = "/_emulator"
_KINDS = (
    "fieldgroup",
    "schema",
    "dataset",
    "sourceConnection",
    "targetConnection",
    "flow",
    "mappingSet",
    "mappingSetVersion",
    "run",
)
T = TypeVar("T")


class Controls(Protocol):
    """What the admin API drives: implemented by the composition root (`emulator.app.Emulator`)."""

    env: Env
    faults: Faults
    log: RequestLog

    def reset(self) -> None: ...
    def state(self) -> dict[str, Any]: ...
    def drain(self) -> None: ...
    def records(self, sandbox: str, dataset_id: str) -> list[dict[str, Any]]: ...
    def expire_tokens(self) -> int: ...
    def deliver(self, event: str, overrides: dict[str, Any]) -> dict[str, Any]: ...
    def storage_key(self, sandbox: str, kind: str, ref: str) -> str: ...


def _loopback() -> None:
    try:
        if ipaddress.ip_address(request.remote_addr or "").is_loopback:
            return
    except ValueError:
        pass
    raise errors.admin(403, "The admin API only answers loopback clients.")


def _admin(app: Flask, rule: str, methods: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        def view(**kwargs: Any) -> Response:
            try:
                _loopback()
                return to_response(fn(**kwargs))
            except errors.ApiError as exc:
                return error_response(exc)

        app.add_url_rule(f"{BASE}{rule}", endpoint=f"admin.{fn.__name__}", view_func=view, methods=methods)
        return fn

    return decorate


def _body() -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        return {}
    value = body_json(dict, require_json_type=False)
    assert isinstance(value, dict)
    return value


def _checked(what: str, change: Callable[[], T]) -> T:
    """Run a change of knobs or faults; a bad value is the caller's 400."""
    try:
        return change()
    except (TypeError, ValueError) as exc:
        raise errors.admin(400, f"Invalid {what}: {exc}") from exc


def _action(app: Flask, rule: str, method: str, action: Callable[[], None], answer: str) -> None:
    """A route that runs one action and answers `{answer: true}`."""

    def run() -> Any:
        action()
        return {answer: True}

    run.__name__ = answer
    _admin(app, rule, [method])(run)


def register(app: Flask, controls: Controls) -> None:
    env = controls.env

    @_admin(app, "/health", ["GET"])
    def health() -> Any:
        return {
            "ok": True,
            "base_url": request.host_url.rstrip("/"),
            "client_id": env.options.client_id,
            "org_id": env.options.org_id,
            "tenant_id": env.options.tenant_id,
            "sandboxes": list(env.options.sandboxes),
        }

    for rule, method, action, answer in (
        ("/reset", "POST", controls.reset, "reset"),
        ("/faults", "DELETE", controls.faults.clear, "cleared"),
        ("/inlet/drain", "POST", controls.drain, "drained"),
    ):
        _action(app, rule, method, action, answer)

    @_admin(app, "/requests", ["GET"])
    def requests_() -> Any:
        try:
            since = int(request.args.get("since", "0"))
        except ValueError as exc:
            raise errors.admin(400, "'since' must be an integer.") from exc
        return {"requests": controls.log.since(since), "last_seq": controls.log.last_seq}

    @_admin(app, "/requests", ["DELETE"])
    def clear_requests() -> Any:
        controls.log.clear()
        return {"cleared": True, "last_seq": controls.log.last_seq}

    @_admin(app, "/state", ["GET"])
    def state() -> Any:
        with env.store.lock:
            return controls.state()

    @_admin(app, "/knobs", ["GET"])
    def get_knobs() -> Any:
        return env.knobs.as_dict()

    @_admin(app, "/knobs", ["POST"])
    def set_knobs() -> Any:
        unknown = _checked("knob value", lambda: env.knobs.update(_body()))
        if unknown:
            raise errors.admin(400, f"Unknown knob(s): {', '.join(unknown)}")
        return env.knobs.as_dict()

    @_admin(app, "/faults", ["GET"])
    def list_faults() -> Any:
        return {"faults": controls.faults.rules()}

    @_admin(app, "/faults", ["POST"])
    def add_fault() -> Any:
        return _checked("fault rule", lambda: controls.faults.add(_body())).as_dict(), 201

    @_admin(app, "/datasets/<dataset_id>/records", ["GET"])
    def records(dataset_id: str) -> Any:
        if request.args.get("drain", "true").lower() != "false":
            controls.drain()
        sandbox = request.args.get("sandbox", "prod")
        return {
            "dataset_id": dataset_id,
            "sandbox": sandbox,
            "records": controls.records(sandbox, dataset_id),
        }

    @_admin(app, "/tokens/expire", ["POST"])
    def expire_tokens() -> Any:
        with env.store.lock:
            return {"expired": controls.expire_tokens()}

    @_admin(app, "/customerio/deliver", ["POST"])
    def deliver() -> Any:
        body = _body()
        event = body.pop("event", None)
        if not isinstance(event, str):
            raise errors.admin(400, "'event' (a Customer.io event name such as 'email_sent') is required.")
        return controls.deliver(event, body)

    @_admin(app, "/edit", ["POST"])
    def edit() -> Any:
        return _edit(controls, _body())


def _edit(controls: Controls, body: dict[str, Any]) -> Any:
    """Out-of-band change of a stored object (drift): {sandbox, kind, id, patch: [...] | set: {...}}."""
    kind, obj_id, sandbox = body.get("kind"), body.get("id"), body.get("sandbox", "prod")
    if kind == "cioWebhook":
        sandbox = ""
    elif kind not in _KINDS:
        raise errors.admin(400, f"'kind' must be one of {', '.join(_KINDS)} or cioWebhook.")
    if not isinstance(obj_id, (str, int)) or not isinstance(sandbox, str):
        raise errors.admin(400, "'id' and 'sandbox' are required.")
    store = controls.env.store
    with store.lock:
        key = controls.storage_key(sandbox, str(kind), str(obj_id))
        current = store.get(sandbox, str(kind), key)
        if current is None:
            raise errors.admin(404, f"No {kind} '{obj_id}' in sandbox '{sandbox}'.")
        if "patch" in body:
            new = patch.apply(
                current, body["patch"], lambda reason: errors.admin(400, f"Invalid patch: {reason}")
            )
        elif isinstance(body.get("set"), dict):
            new = {**current, **body["set"]}
        else:
            raise errors.admin(400, "Give 'patch' (JSON Patch array) or 'set' (object).")
        if not isinstance(new, dict):
            raise errors.admin(400, "The edited object must stay an object.")
        if "etag" in current and "etag" not in body.get("set", {}):
            new["etag"] = new["version"] = controls.env.ids.etag()
        store.put(sandbox, str(kind), key, new)
        return new
