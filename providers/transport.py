"""HTTP plumbing shared by the AEP and Customer.io clients: URL policy, retries, error mapping.

Retry rules:
- 429/502/503/504 and connection errors are retried with exponential back-off, full jitter and
  ``Retry-After``, but only for idempotent requests (GET, PUT, PATCH with If-Match, DELETE).
- A POST is retried only when the server certainly did not act on it: a 429, or a connection
  that was never established. Any other failure after the request was sent raises
  :class:`AmbiguousRequestError`; the caller must look the object up by its natural key first.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from providers.errors import ApiError, parse_error_body, request_id_of

log = logging.getLogger("providers")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = (10.0, 60.0)


def thread_session(local: threading.local) -> requests.Session:
    """One `requests.Session` per thread (the provider serves four engine threads at once)."""
    session: requests.Session | None = getattr(local, "session", None)
    if session is None:
        session = requests.Session()
        # The environment's proxies and CA bundle (corporate networks) still apply, but a
        # ~/.netrc entry must never replace our bearer token: a no-op auth disables netrc lookup.
        session.auth = _keep_headers
        local.session = session
    return session


def _keep_headers(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def check_base_url(url: str, key: str) -> str:
    """Return ``url`` without a trailing slash; refuse http:// except on loopback hosts."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{key}: {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"{key}: plain http:// is only allowed for loopback hosts, got {parts.hostname!r}")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return float(ceiling / 2 + self.rand() * ceiling / 2)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (now if now is not None else time.time()), 0.0)


class AmbiguousRequestError(Exception):
    """A non-idempotent request may or may not have taken effect."""

    def __init__(self, cause: ApiError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.ReadTimeout
    ):
        text = repr(exc)
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolution" in text
    return False


def error_from_response(resp: requests.Response, operation: str) -> ApiError:
    try:
        body: Any = resp.json()
    except ValueError:
        body = resp.text[:300] if resp.text else None
    code, title, detail = parse_error_body(body)
    return ApiError(
        operation=operation,
        status=resp.status_code,
        code=code,
        title=title or resp.reason,
        detail=detail,
        request_id=request_id_of(resp.headers, body),
    )


def send(
    session: Any,  # a requests.Session (or a test double)
    method: str,
    url: str,
    *,
    operation: str,
    idempotent: bool,
    policy: RetryPolicy,
    headers: Mapping[str, str] | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    on_unauthorized: Callable[[], bool] | None = None,
    before_send: Callable[[dict[str, str]], None] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one logical request; returns the 2xx/3xx/4xx response that is not retried.

    ``before_send`` fills auth headers on every attempt (so a refreshed token is used);
    ``on_unauthorized`` is called once on a 401 and returns True when a retry makes sense.
    """
    attempt = 0
    refreshed = False
    while True:
        attempt += 1
        hdrs = dict(headers or {})
        if before_send is not None:
            before_send(hdrs)
        try:
            resp: requests.Response = session.request(
                method,
                url,
                headers=hdrs,
                timeout=timeout,
                allow_redirects=False,
                verify=True,
                **kwargs,
            )
        except requests.RequestException as exc:
            err = ApiError(operation=operation, title=type(exc).__name__, detail=_safe_exc(exc))
            safe = idempotent or _never_sent(exc)
            if safe and attempt < policy.max_attempts:
                delay = policy.backoff(attempt, None)
                log.warning("%s: %s; retrying in %.1fs", operation, type(exc).__name__, delay)
                policy.sleep(delay)
                continue
            if not safe:
                raise AmbiguousRequestError(err) from None
            raise err from None
        status = resp.status_code
        if status == 401 and on_unauthorized is not None and not refreshed:
            refreshed = True
            if on_unauthorized():
                continue
        if status in RETRY_STATUSES:
            safe = idempotent or status == 429
            if safe and attempt < policy.max_attempts:
                delay = policy.backoff(attempt, parse_retry_after(resp.headers.get("Retry-After")))
                log.warning("%s: HTTP %s; retrying in %.1fs", operation, status, delay)
                policy.sleep(delay)
                continue
            if not safe:
                raise AmbiguousRequestError(error_from_response(resp, operation))
        if status >= 500 and not idempotent:
            raise AmbiguousRequestError(error_from_response(resp, operation))
        return resp


def _safe_exc(exc: Exception) -> str:
    # The exception text holds the URL (no secrets: credentials travel in headers/bodies only).
    return str(exc)[:300]
