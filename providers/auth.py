"""Authentication as ``requests`` auth objects attached to each API's session.

- :class:`ImsAuth` mints an IMS OAuth server-to-server token, caches it process-wide (the provider
  serves several engine threads at once), refreshes it ahead of expiry, and on a 401 mints a new
  one and resends the request once.
- :class:`CustomerIoAuth` sends the App API key (its pacing is in :mod:`.pacing`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import AuthBase

from aep_customerio.providers.errors import ApiError, register_secret
from aep_customerio.providers.settings import AepSettings
from aep_customerio.providers.transport import RetryPolicy, error_from_response, json_body, send

log = logging.getLogger("aep_customerio")


def reveal(value: Any) -> str:
    """The plain text of a pydantic ``SecretStr`` (or of a plain string)."""
    plain = getattr(value, "get_secret_value", None)
    return str(plain() if plain is not None else value)


@dataclass
class _Token:
    value: str
    expires_at: float
    lifetime: float


# Shared by every provider instance in the process, keyed by credential.
_TOKENS: dict[tuple[str, str, str, str], _Token] = {}
_TOKEN_LOCK = threading.Lock()


def forget_tokens() -> None:
    with _TOKEN_LOCK:
        _TOKENS.clear()


class ImsAuth(AuthBase):
    """Bearer token, API key and IMS org on every Platform API request."""

    def __init__(
        self, settings: AepSettings, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._policy = policy
        self._clock = clock
        self._minting = requests.Session()
        secret = reveal(settings.client_secret)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        self._key = (settings.ims_url, settings.client_id, digest, settings.scopes)
        self.mint_count = 0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self._sign(request, self.token())
        request.register_hook("response", self._resend_on_401)  # type: ignore[no-untyped-call]
        return request

    def _sign(self, request: requests.PreparedRequest, token: str) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
        request.headers["x-api-key"] = self._settings.client_id
        request.headers["x-gw-ims-org-id"] = self._settings.org_id

    def _resend_on_401(self, resp: requests.Response, **kwargs: Any) -> requests.Response:
        request = resp.request
        if resp.status_code != 401 or getattr(request, "_ims_resent", False):
            return resp
        log.info("HTTP 401: minting a new IMS token and resending once")
        sent = str(request.headers.get("Authorization", "")).removeprefix("Bearer ")
        self.invalidate(sent)
        resp.content  # noqa: B018 - read the body so the connection can be reused
        resp.close()
        again = request.copy()
        self._sign(again, self.token())
        again._ims_resent = True  # type: ignore[attr-defined]
        connection = resp.connection
        retried: requests.Response = connection.send(again, **kwargs)
        retried.history.append(resp)
        retried.request = again
        return retried

    def token(self) -> str:
        with _TOKEN_LOCK:
            cached = _TOKENS.get(self._key)
            now = self._clock()
            # Refresh when a fifth of the lifetime (at most 5 minutes) is left.
            if cached is not None and cached.expires_at - min(300.0, cached.lifetime / 5) > now:
                return cached.value
            fresh = self._mint()
            _TOKENS[self._key] = fresh
            return fresh.value

    def invalidate(self, value: str | None) -> None:
        with _TOKEN_LOCK:
            cached = _TOKENS.get(self._key)
            if cached is not None and (value is None or cached.value == value):
                del _TOKENS[self._key]

    def _mint(self) -> _Token:
        s = self._settings
        operation = "IMS token request"
        form = {
            "grant_type": "client_credentials",
            "client_id": s.client_id,
            "client_secret": reveal(s.client_secret),
        }
        # IMS requires `scope` for OAuth server-to-server; unset, send Adobe's documented AEP list
        form["scope"] = s.scopes or DEFAULT_SCOPES
        resp = send(
            self._minting,
            "POST",
            f"{s.ims_url}/ims/token/v3",
            operation=operation,
            idempotent=True,  # minting twice is harmless
            policy=self._policy,
            data=form,
        )
        context = {"operation": operation, "kind": "IMS credential", "name": s.client_id}
        if resp.status_code != 200:
            err = error_from_response(resp, operation)
            raise err.with_context(**context, sandbox=None, hint=_CREDENTIAL_HINT)
        body = json_body(resp, operation)
        value = body.get("access_token")
        if not isinstance(value, str) or not value:
            raise ApiError(
                **context,
                status=resp.status_code,
                title="Malformed response",
                detail="the token answer holds no access_token",
                hint="retry; if it persists, check aep:imsUrl points at Adobe IMS",
            )
        register_secret(value)
        lifetime = float(body.get("expires_in") or 86399)
        self.mint_count += 1
        log.debug("minted an IMS access token (expires in %ss)", int(lifetime))
        return _Token(value=value, expires_at=self._clock() + lifetime, lifetime=lifetime)


# The scopes Adobe's Developer Console lists for an AEP OAuth server-to-server credential.
DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext"
_CREDENTIAL_HINT = "check aep:clientId, aep:clientSecret, aep:scopes and aep:imsUrl"


class CustomerIoAuth(AuthBase):
    def __init__(self, app_api_key: Any) -> None:
        self._key = app_api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {reveal(self._key)}"
        return request
