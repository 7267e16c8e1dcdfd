"""AEP Platform API client: IMS server-to-server token, required headers, retries, error mapping."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests

from providers.errors import ApiError, GoneError, register_secret
from providers.settings import AepSettings
from providers.transport import DEFAULT_TIMEOUT, RetryPolicy, error_from_response, send, thread_session

log = logging.getLogger("providers")

FLOW_SERVICE = "/data/foundation/flowservice"
CONVERSION = "/data/foundation/conversion"
SCHEMA_REGISTRY = "/data/foundation/schemaregistry"
CATALOG = "/data/foundation/catalog"


@dataclass
class _Token:
    value: str
    expires_at: float
    lifetime: float


# Shared by every provider instance in the process (4 worker threads), keyed by credential.
_TOKENS: dict[tuple[str, str, str, str], _Token] = {}
_TOKEN_LOCK = threading.Lock()


class ImsTokenSource:
    """Mints and caches IMS OAuth server-to-server tokens; refreshes ahead of expiry."""

    def __init__(self, settings: AepSettings, policy: RetryPolicy, clock: Any = time.monotonic) -> None:
        self._settings = settings
        self._policy = policy
        self._clock = clock
        digest = hashlib.sha256(settings.client_secret.encode()).hexdigest()
        self._key = (settings.ims_url, settings.client_id, digest, settings.scopes)
        self.mint_count = 0

    def token(self, session: requests.Session) -> str:
        with _TOKEN_LOCK:
            cached = _TOKENS.get(self._key)
            now = self._clock()
            # Refresh when a fifth of the lifetime (at most 5 minutes) is left.
            if cached is not None and cached.expires_at - min(300.0, cached.lifetime / 5) > now:
                return cached.value
            fresh = self._mint(session)
            _TOKENS[self._key] = fresh
            return fresh.value

    def invalidate(self, value: str | None) -> None:
        with _TOKEN_LOCK:
            cached = _TOKENS.get(self._key)
            if cached is not None and (value is None or cached.value == value):
                del _TOKENS[self._key]

    def _mint(self, session: requests.Session) -> _Token:
        s = self._settings
        form = {
            "grant_type": "client_credentials",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        }
        if s.scopes:
            form["scope"] = s.scopes
        resp = send(
            session,
            "POST",
            f"{s.ims_url}/ims/token/v3",
            operation="IMS token request",
            idempotent=True,  # minting twice is harmless
            policy=self._policy,
            data=form,
        )
        if resp.status_code != 200:
            err = error_from_response(resp, "IMS token request")
            raise ApiError(
                operation="IMS token request",
                kind="IMS credential",
                name=s.client_id,
                status=err.status,
                code=err.code,
                title=err.title,
                detail=err.detail,
                request_id=err.request_id,
                hint="check aep:clientId, aep:clientSecret, aep:scopes and aep:imsUrl",
            )
        body = resp.json()
        value = str(body["access_token"])
        register_secret(value)
        lifetime = float(body.get("expires_in", 86399))
        self.mint_count += 1
        log.debug("minted an IMS access token (expires in %ss)", int(lifetime))
        return _Token(value=value, expires_at=self._clock() + lifetime, lifetime=lifetime)


class AepClient:
    """One call = one logical request, with every required header, a timeout and retries."""

    def __init__(
        self,
        settings: AepSettings,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.timeout = timeout
        self.tokens = ImsTokenSource(settings, self.policy)
        self._local = threading.local()

    def _session(self) -> requests.Session:
        return thread_session(self._local)

    def get_existing(
        self, path: str, *, sandbox: str, operation: str, headers: dict[str, str] | None = None
    ) -> Any:
        """GET an object that may have been deleted: its JSON, or GoneError on 404 (only 404)."""
        resp = self.call("GET", path, sandbox=sandbox, operation=operation, headers=headers, accept=(404,))
        if resp.status_code == 404:
            raise GoneError()
        return resp.json()

    def call(
        self,
        method: str,
        path: str,
        *,
        sandbox: str,
        operation: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        accept: Iterable[int] = (),
    ) -> requests.Response:
        """Send and return the response; statuses >= 400 raise ApiError unless in ``accept``."""
        session = self._session()
        used: dict[str, str] = {}

        def authorize(hdrs: dict[str, str]) -> None:
            token = self.tokens.token(session)
            used["token"] = token
            hdrs["Authorization"] = f"Bearer {token}"
            hdrs["x-api-key"] = self.settings.client_id
            hdrs["x-gw-ims-org-id"] = self.settings.org_id
            hdrs["x-sandbox-name"] = sandbox

        def refresh() -> bool:
            log.info("%s: HTTP 401, minting a new IMS token and retrying once", operation)
            self.tokens.invalidate(used.get("token"))
            return True

        base_headers = {"Accept": "application/json"}
        if json is not None:
            base_headers["Content-Type"] = "application/json"
        base_headers.update(headers or {})
        resp = send(
            session,
            method,
            f"{self.settings.platform_url}{path}",
            operation=operation,
            idempotent=method != "POST" if idempotent is None else idempotent,
            policy=self.policy,
            headers=base_headers,
            timeout=self.timeout,
            before_send=authorize,
            on_unauthorized=refresh,
            json=json,
            params=params,
        )
        if resp.status_code >= 400 and resp.status_code not in set(accept):
            raise error_from_response(resp, operation)
        return resp


def first_item(body: Any) -> dict[str, Any] | None:
    """Flow Service wraps single objects in ``{"items": [...]}``."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        items = body["items"]
        return items[0] if items else None
    return body if isinstance(body, dict) else None
