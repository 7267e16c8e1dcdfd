"""Admin API under /_emulator/: reset, request log, state, knobs, faults, records, deliveries, edits."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from emulator import errors, jsonpatch
from emulator.web import body_json, error_response, json_response, world

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
                result = fn(**kwargs)
            except errors.ApiError as exc:
                return error_response(exc)
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                return json_response(*result)
            return json_response(result)

        app.add_url_rule(f"{BASE}{rule}", endpoint=f"admin.{fn.__name__}", view_func=view, methods=methods)
        return fn

    return decorate


def _body() -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        return {}
    value = body_json(dict, require_json_type=False)
    assert isinstance(value, dict)
    return value


def register(app: Flask) -> None:
    @_admin(app, "/health", ["GET"])
    def health() -> Any:
        w = world()
        return {
            "ok": True,
            "base_url": request.host_url.rstrip("/"),
            "client_id": w.options.client_id,
            "org_id": w.options.org_id,
            "tenant_id": w.options.tenant_id,
            "sandboxes": list(w.options.sandboxes),
        }

    @_admin(app, "/reset", ["POST"])
    def reset() -> Any:
        world().reset()
        return {"reset": True}

    @_admin(app, "/requests", ["GET"])
    def requests_() -> Any:
        try:
            since = int(request.args.get("since", "0"))
        except ValueError as exc:
            raise errors.admin(400, "'since' must be an integer.") from exc
        return {"requests": world().log.since(since), "last_seq": world().log.last_seq}

    @_admin(app, "/requests", ["DELETE"])
    def clear_requests() -> Any:
        world().log.clear()
        return {"cleared": True, "last_seq": world().log.last_seq}

    @_admin(app, "/state", ["GET"])
    def state() -> Any:
        w = world()
        with w.store.lock:
            return w.state()

    @_admin(app, "/knobs", ["GET"])
    def get_knobs() -> Any:
        return world().knobs.as_dict()

    @_admin(app, "/knobs", ["POST"])
    def set_knobs() -> Any:
        try:
            unknown = world().knobs.update(_body())
        except (TypeError, ValueError) as exc:
            raise errors.admin(400, f"Invalid knob value: {exc}") from exc
        if unknown:
            raise errors.admin(400, f"Unknown knob(s): {', '.join(unknown)}")
        return world().knobs.as_dict()

    @_admin(app, "/faults", ["GET"])
    def list_faults() -> Any:
        return {"faults": world().faults.rules()}

    @_admin(app, "/faults", ["POST"])
    def add_fault() -> Any:
        try:
            rule = world().faults.add(_body())
        except (TypeError, ValueError) as exc:
            raise errors.admin(400, f"Invalid fault rule: {exc}") from exc
        return rule.as_dict(), 201

    @_admin(app, "/faults", ["DELETE"])
    def clear_faults() -> Any:
        world().faults.clear()
        return {"cleared": True}

    @_admin(app, "/datasets/<dataset_id>/records", ["GET"])
    def records(dataset_id: str) -> Any:
        w = world()
        if request.args.get("drain", "true").lower() != "false":
            w.inlet.drain()
        sandbox = request.args.get("sandbox", "prod")
        return {"dataset_id": dataset_id, "sandbox": sandbox, "records": w.store.records(sandbox, dataset_id)}

    @_admin(app, "/inlet/drain", ["POST"])
    def drain() -> Any:
        world().inlet.drain()
        return {"drained": True}

    @_admin(app, "/tokens/expire", ["POST"])
    def expire_tokens() -> Any:
        with world().store.lock:
            return {"expired": world().ims.expire_all()}

    @_admin(app, "/customerio/deliver", ["POST"])
    def deliver() -> Any:
        body = _body()
        event = body.pop("event", None)
        if not isinstance(event, str):
            raise errors.admin(400, "'event' (a Customer.io event name such as 'email_sent') is required.")
        w = world()
        with w.store.lock:
            payload, hooks = w.customerio.prepare(event, body)
        return {"event": payload, "deliveries": w.customerio.deliver(payload, hooks)}

    @_admin(app, "/edit", ["POST"])
    def edit() -> Any:
        return _edit(_body())


def _edit(body: dict[str, Any]) -> Any:
    """Out-of-band change of a stored object (drift): {sandbox, kind, id, patch: [...] | set: {...}}."""
    kind, obj_id, sandbox = body.get("kind"), body.get("id"), body.get("sandbox", "prod")
    if kind == "cioWebhook":
        sandbox = ""
    elif kind not in _KINDS:
        raise errors.admin(400, f"'kind' must be one of {', '.join(_KINDS)} or cioWebhook.")
    if not isinstance(obj_id, (str, int)) or not isinstance(sandbox, str):
        raise errors.admin(400, "'id' and 'sandbox' are required.")
    w = world()
    with w.store.lock:
        key = w.schemas.key_for(sandbox, str(kind), str(obj_id))
        current = w.store.get(sandbox, str(kind), key)
        if current is None:
            raise errors.admin(404, f"No {kind} '{obj_id}' in sandbox '{sandbox}'.")
        try:
            if "patch" in body:
                new = jsonpatch.apply(current, body["patch"])
            elif isinstance(body.get("set"), dict):
                new = {**current, **body["set"]}
            else:
                raise errors.admin(400, "Give 'patch' (JSON Patch array) or 'set' (object).")
        except jsonpatch.PatchError as exc:
            raise errors.admin(400, f"Invalid patch: {exc}") from exc
        if not isinstance(new, dict):
            raise errors.admin(400, "The edited object must stay an object.")
        if "etag" in current and "etag" not in body.get("set", {}):
            new["etag"] = new["version"] = w.ids.etag()
        w.store.put(sandbox, str(kind), key, new)
        return new
