"""Customer.io App API client (US/EU), bearer App API key, 10 requests/second, retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import requests

from providers.errors import GoneError
from providers.settings import CustomerIoSettings
from providers.transport import DEFAULT_TIMEOUT, RetryPolicy, error_from_response, send, thread_session

RATE_PER_SECOND = 10.0


class _RateLimiter:
    """Spaces request starts at least 1/rate apart across all threads of the process."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)


_LIMITERS: dict[str, _RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def _limiter(api_url: str) -> _RateLimiter:
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault(api_url, _RateLimiter(RATE_PER_SECOND))


class CustomerIoClient:
    def __init__(
        self,
        settings: CustomerIoSettings,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        return thread_session(self._local)

    def get_existing(self, path: str, *, operation: str) -> Any:
        """GET an object that may have been deleted: its JSON, or GoneError on 404 (only 404)."""
        resp = self.call("GET", path, operation=operation, accept=(404,))
        if resp.status_code == 404:
            raise GoneError()
        return resp.json()

    def call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json: Any = None,
        idempotent: bool | None = None,
        accept: Iterable[int] = (),
    ) -> requests.Response:
        limiter = _limiter(self.settings.api_url)

        def authorize(hdrs: dict[str, str]) -> None:
            limiter.wait()
            hdrs["Authorization"] = f"Bearer {self.settings.app_api_key}"

        headers = {"Accept": "application/json"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        resp = send(
            self._session(),
            method,
            f"{self.settings.api_url}{path}",
            operation=operation,
            idempotent=method != "POST" if idempotent is None else idempotent,
            policy=self.policy,
            headers=headers,
            timeout=self.timeout,
            before_send=authorize,
            json=json,
        )
        if resp.status_code >= 400 and resp.status_code not in set(accept):
            raise error_from_response(resp, operation)
        return resp
