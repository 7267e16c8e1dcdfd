"""Admin client for tests and benchmarks: talks to /_emulator/ over HTTP (any process).

Only the standard library is used, so the helper works wherever the emulator runs.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from emulator.core.config import (
    DEFAULT_CIO_APP_API_KEY,
    DEFAULT_CIO_SECOND_APP_API_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG_ID,
    DEFAULT_TENANT_ID,
    Knobs,
    Options,
)


class AdminError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"admin API answered {status}: {body}")
        self.status = status
        self.body = body


class EmulatorAdmin:
    """What the `emulator` pytest fixture returns."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        org_id: str = DEFAULT_ORG_ID,
        tenant_id: str = DEFAULT_TENANT_ID,
        cio_app_api_key: str = DEFAULT_CIO_APP_API_KEY,
        cio_second_app_api_key: str = DEFAULT_CIO_SECOND_APP_API_KEY,
        sandbox: str = "prod",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.org_id = org_id
        self.tenant_id = tenant_id
        self.cio_app_api_key = cio_app_api_key
        self.cio_second_app_api_key = cio_second_app_api_key
        self.sandbox = sandbox

    # -- plumbing ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}/_emulator{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            raise AdminError(exc.code, json.loads(raw) if raw else None) from exc
        return json.loads(raw) if raw else None

    # -- the fixture interface -----------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/health")
        return result

    def reset(self) -> None:
        self._call("POST", "/reset")

    def requests(self, since: int | None = None) -> list[dict[str, Any]]:
        result = self._call("GET", "/requests", query={"since": since})
        entries: list[dict[str, Any]] = result["requests"]
        return entries

    def last_seq(self) -> int:
        return int(self._call("GET", "/requests", query={"since": 1 << 62})["last_seq"])

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def knobs(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/knobs")
        return result

    def set_knobs(self, **knobs: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/knobs", knobs)
        return result

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/faults", rule)
        return result

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")["faults"]
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def records(
        self, dataset_id: str, sandbox: str | None = None, drain: bool = True
    ) -> list[dict[str, Any]]:
        result = self._call(
            "GET",
            f"/datasets/{urllib.parse.quote(dataset_id)}/records",
            query={"sandbox": sandbox or self.sandbox, "drain": str(drain).lower()},
        )
        records: list[dict[str, Any]] = result["records"]
        return records

    def drain(self) -> None:
        self._call("POST", "/inlet/drain")

    def deliver(self, event: str, **overrides: Any) -> dict[str, Any]:
        """Make Customer.io send `event` to every enabled webhook subscribed to it."""
        result: dict[str, Any] = self._call("POST", "/customerio/deliver", {"event": event, **overrides})
        return result

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/state")
        return result

    def edit(
        self,
        kind: str,
        obj_id: str,
        *,
        sandbox: str | None = None,
        patch: list[dict[str, Any]] | None = None,
        set: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "id": obj_id, "sandbox": sandbox or self.sandbox}
        if patch is not None:
            body["patch"] = patch
        if set is not None:
            body["set"] = set
        result: dict[str, Any] = self._call("POST", "/edit", body)
        return result

    def expire_tokens(self) -> int:
        return int(self._call("POST", "/tokens/expire")["expired"])

    # -- convenience for tests -----------------------------------------------------------------
    def token(self) -> str:
        data = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": "openid,AdobeID",
            }
        ).encode()
        request = urllib.request.Request(f"{self.base_url}/ims/token/v3", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["access_token"])

    def platform_headers(self, sandbox: str | None = None, token: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.token()}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": self.org_id,
            "x-sandbox-name": sandbox or self.sandbox,
            "Content-Type": "application/json",
        }


def start_in_process(
    state_path: str | None = None,
    seed: int | None = None,
    tenant_id: str = DEFAULT_TENANT_ID,
    cio_more_app_api_keys: tuple[str, ...] = (),
    **knobs: Any,
) -> tuple[Any, EmulatorAdmin]:
    """Run an emulator in a background thread on a free port; returns (server, admin client).
    ``cio_more_app_api_keys``: one more Customer.io workspace per key, after the two default ones."""
    from emulator.app import start_in_process as start

    base_knobs = Knobs()
    unknown = base_knobs.update(knobs)
    if unknown:
        raise ValueError(f"unknown knobs: {unknown}")
    options = Options(state_path=state_path, seed=seed, tenant_id=tenant_id, knobs=base_knobs)
    options = dataclasses.replace(
        options, cio_extra_app_api_keys=(*options.cio_extra_app_api_keys, *cio_more_app_api_keys)
    )
    server = start(options)
    return server, EmulatorAdmin(server.base_url, tenant_id=tenant_id)
