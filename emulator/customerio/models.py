"""Customer.io App API reporting webhooks, and delivering events to them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from emulator.core import errors
from emulator.core.backend import Backend
from emulator.customerio.events import EVENT_NAMES, build

WEBHOOK = "cioWebhook"
PRIMARY_WORKSPACE = ""  # stored beside the other global objects, as before workspaces existed
DELIVERY_TIMEOUT_S = 4.0
_FIELDS = ("name", "endpoint", "events", "disabled", "full_resolution", "with_content")


def _public(hook: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hook.items() if not k.startswith("__")}


class CustomerIo(Backend):
    def workspaces(self) -> dict[str, str]:
        """App API key -> the storage name of its workspace (each key sees only its own webhooks)."""
        extra = {key: f"cio:workspace-{i + 2}" for i, key in enumerate(self.options.cio_extra_app_api_keys)}
        return {self.options.cio_app_api_key: PRIMARY_WORKSPACE, **extra}

    def check_key(self, authorization: str) -> str:
        scheme, _, key = authorization.partition(" ")
        workspace = self.workspaces().get(key.strip()) if scheme.lower() == "bearer" else None
        if workspace is None:
            raise errors.customerio(
                401, "Unauthorized request: provide a valid App API key as a Bearer token."
            )
        return workspace

    def _validate(self, body: Any, partial: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.customerio(400, "The request body must be a JSON object.")
        if not partial:
            for key in ("name", "endpoint", "events"):
                if key not in body:
                    raise errors.customerio(400, f"'{key}' is required.")
        clean = {k: body[k] for k in _FIELDS if k in body}
        if "name" in clean and (not isinstance(clean["name"], str) or not clean["name"].strip()):
            raise errors.customerio(400, "'name' must be a non-empty string.")
        if "endpoint" in clean:
            endpoint = clean["endpoint"]
            parsed = urllib.parse.urlparse(endpoint) if isinstance(endpoint, str) else None
            if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise errors.customerio(400, "'endpoint' must be an http(s) URL.")
        if "events" in clean:
            events = clean["events"]
            if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
                raise errors.customerio(400, "'events' must be a non-empty array of event names.")
            unknown = sorted(set(events) - EVENT_NAMES)
            if unknown:
                raise errors.customerio(400, f"Unknown event name(s): {', '.join(unknown)}.")
        for key in ("disabled", "full_resolution", "with_content"):
            if key in clean and not isinstance(clean[key], bool):
                raise errors.customerio(400, f"'{key}' must be a boolean.")
        return clean

    def _get(self, workspace: str, webhook_id: str) -> dict[str, Any]:
        hook = self.store.get(workspace, WEBHOOK, webhook_id) if webhook_id.isdigit() else None
        if hook is None:
            raise errors.customerio(404, f"Reporting webhook {webhook_id} not found.")
        return hook

    def list_items(self, workspace: str) -> dict[str, Any]:
        return {"reporting_webhooks": [_public(h) for h in self.store.list_kind(workspace, WEBHOOK)]}

    def create(self, workspace: str, body: Any) -> dict[str, Any]:
        clean = self._validate(body, partial=False)
        webhook_id = self.store.next_counter("cio_webhook")
        hook = {
            "id": webhook_id,
            "type": "webhook",
            "disabled": False,
            "full_resolution": False,
            "with_content": False,
            **clean,
            "__signing_key": self.ids.hex(40),
        }
        self.store.put(workspace, WEBHOOK, str(webhook_id), hook)
        return _public(hook)

    def get(self, workspace: str, webhook_id: str) -> dict[str, Any]:
        return _public(self._get(workspace, webhook_id))

    def update(self, workspace: str, webhook_id: str, body: Any) -> dict[str, Any]:
        hook = self._get(workspace, webhook_id)
        clean = self._validate(body, partial=self.knobs.cio_partial_put)
        if not self.knobs.cio_partial_put:
            hook.update({"disabled": False, "full_resolution": False, "with_content": False})
        hook.update(clean)
        self.store.put(workspace, WEBHOOK, webhook_id, hook)
        return _public(hook)

    def delete(self, workspace: str, webhook_id: str) -> None:
        self._get(workspace, webhook_id)
        self.store.delete(workspace, WEBHOOK, webhook_id)

    def webhooks_by_workspace(self) -> dict[str, list[dict[str, Any]]]:
        return {ws: self.store.list_kind(ws, WEBHOOK) for ws in self.workspaces().values()}

    # -- delivery (runs without the store lock: it calls back into this very server) ---------
    def prepare(self, event: str, overrides: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if event not in EVENT_NAMES:
            raise errors.admin(400, f"Unknown Customer.io event '{event}'.")
        payload = build(event, self.ids.ulid(), self.ids.ulid(), overrides)
        hooks = [
            h
            for workspace_hooks in self.webhooks_by_workspace().values()
            for h in workspace_hooks
            if not h.get("disabled") and event in h.get("events", [])
        ]
        return payload, hooks

    def deliver(self, payload: dict[str, Any], hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = json.dumps(payload).encode()
        results = []
        for hook in hooks:
            stamp = str(int(time.time()))
            signature = hmac.new(
                str(hook["__signing_key"]).encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256
            ).hexdigest()
            request = urllib.request.Request(
                str(hook["endpoint"]),
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "Customer.io Webhooks",
                    "X-CIO-Timestamp": stamp,
                    "X-CIO-Signature": signature,
                },
            )
            result: dict[str, Any] = {"webhook_id": hook["id"], "endpoint": hook["endpoint"]}
            try:
                with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_S) as response:
                    result.update(status=response.status, response=_json(response.read()))
            except urllib.error.HTTPError as exc:
                result.update(status=exc.code, response=_json(exc.read()))
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                result.update(status=None, error=f"{type(exc).__name__}: {exc}")
            results.append(result)
        return results


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
