"""HTTP shared by the AEP and Customer.io clients: one session per API, one retry policy, error mapping.

Retry rules, stated once (:class:`RetryPolicy`, built on tenacity):
- 429/500/502/503/504 and connection errors are retried with exponential back-off, jitter and
  ``Retry-After``, but only for idempotent requests (GET, PUT, DELETE, PATCH with If-Match).
- A POST is retried only when the server certainly did not act on it: a 429, or a connection
  that was never established. Any other failure after the request was sent raises
  :class:`AmbiguousRequestError`; the caller looks the object up by its natural key instead.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from tenacity import RetryCallState, Retrying, stop_after_attempt, wait_exponential_jitter

from aep_customerio.providers.errors import ApiError, GoneError, parse_error_body, request_id_of
from aep_customerio.providers.lifeline import engine_alive
from aep_customerio.providers.pacing import Pacer

log = logging.getLogger("aep_customerio")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = (10.0, 60.0)


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


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: every retry and every wait in the providers uses one of these."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, state: RetryCallState) -> float:
        """Delay before the next attempt: the server's Retry-After (plus up to 10% jitter, so that
        clients told the same moment do not return together), else exponential with jitter."""
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            resp = outcome.result()
            after = parse_retry_after(resp.headers.get("Retry-After")) if resp is not None else None
            if after is not None:
                after = min(after, self.max_retry_after)
                return after + self.rand() * after * 0.1
        wait = wait_exponential_jitter(multiplier=self.base_delay, max=self.max_delay, jitter=self.base_delay)
        return float(wait(state))


class MalformedResponseError(ApiError):
    """A 2xx answer without what it must hold: after a create, the object may exist."""


class AmbiguousRequestError(Exception):
    """A non-idempotent request may or may not have taken effect."""

    def __init__(self, cause: ApiError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _never_sent(exc: BaseException) -> bool:
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


def new_session(auth: AuthBase) -> requests.Session:
    """One session per API and credential, shared by the provider's worker threads."""
    session = requests.Session()
    # The environment's proxies and CA bundle (corporate networks) still apply; with an auth object
    # set, a ~/.netrc entry can never replace our credentials.
    session.auth = auth
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def send(
    session: Any,  # a requests.Session (or a test double with its request())
    method: str,
    url: str,
    *,
    operation: str,
    idempotent: bool,
    policy: RetryPolicy,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    pacer: Pacer | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one logical request; returns the response that is not retried (any status). Each
    attempt waits for the ``pacer``'s slot, is not sent as a write once the CLI is gone, and tells
    the pacer the answer."""

    def attempt() -> requests.Response:
        if pacer is not None:
            pacer.wait()
        # Checked before every attempt: a pacing wait or a retry's back-off can outlast the CLI.
        if method != "GET" and not engine_alive():
            raise ApiError(
                operation=operation,
                title="Pulumi CLI gone",
                detail="the run was interrupted; this request was not sent",
                hint="see README 'When a run is interrupted'",
            )
        resp: requests.Response = session.request(
            method, url, timeout=timeout, allow_redirects=False, verify=True, **kwargs
        )
        if pacer is not None:
            pacer.answered(resp.status_code, parse_retry_after(resp.headers.get("Retry-After")))
        return resp

    def retry(state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None:
            return False
        if outcome.failed:
            exc = outcome.exception()
            return isinstance(exc, requests.RequestException) and (idempotent or _never_sent(exc))
        status = outcome.result().status_code
        return status in RETRY_STATUSES and (idempotent or status == 429)

    def before_sleep(state: RetryCallState) -> None:
        outcome = state.outcome
        what = (
            type(outcome.exception()).__name__
            if outcome is not None and outcome.failed
            else f"HTTP {outcome.result().status_code}"
            if outcome is not None
            else "?"
        )
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s: %s; retrying in %.1fs", operation, what, delay)

    retrying = Retrying(
        retry=retry,
        stop=stop_after_attempt(policy.max_attempts),
        wait=policy.backoff,
        sleep=policy.sleep,
        before_sleep=before_sleep,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
    try:
        resp: requests.Response = retrying(attempt)
    except requests.RequestException as exc:
        err = ApiError(operation=operation, title=type(exc).__name__, detail=str(exc)[:300])
        if idempotent or _never_sent(exc):
            raise err from None
        raise AmbiguousRequestError(err) from None
    if resp.status_code >= 500 and not idempotent:
        raise AmbiguousRequestError(error_from_response(resp, operation))
    return resp


class ApiClient:
    """Paths and bodies only: the session carries authentication, ``send`` the retry policy."""

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        pacer: Pacer | None = None,
    ) -> None:
        self.base_url = base_url
        self.policy = policy or RetryPolicy()
        self.timeout = timeout
        self.pacer = pacer
        self.session = new_session(auth)

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        accept: Iterable[int] = (),
    ) -> requests.Response:
        """Send and return the response; statuses >= 400 raise ApiError unless in ``accept``."""
        all_headers = {"Accept": "application/json"}
        if json is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        resp = send(
            self.session,
            method,
            f"{self.base_url}{path}",
            operation=operation,
            idempotent=method != "POST" if idempotent is None else idempotent,
            policy=self.policy,
            timeout=self.timeout,
            pacer=self.pacer,
            headers=all_headers,
            json=json,
            params=params,
        )
        if resp.status_code >= 400 and resp.status_code not in set(accept):
            raise error_from_response(resp, operation)
        return resp


def json_body(resp: requests.Response, operation: str, expect: type = dict) -> Any:
    """The response's JSON, checked to be of the ``expect``ed shape; anything else is an ApiError
    naming the operation and the request id (a malformed answer is never a bare Python error)."""
    try:
        body = resp.json() if resp.content else None
    except ValueError:
        body = None
    if not isinstance(body, expect):
        raise MalformedResponseError(
            operation=operation,
            status=resp.status_code,
            title="Malformed response",
            detail=f"expected a JSON {expect.__name__}, got "
            f"{resp.headers.get('Content-Type', 'no content type')}: {resp.text[:120]!r}",
            request_id=request_id_of(resp.headers, None),
            hint="the service answered something unexpected; retry, and report the request id if it persists",
        )
    return body


def existing(resp: requests.Response, operation: str) -> Any:
    """The JSON of a GET that accepted 404: GoneError on 404 (and only on 404)."""
    if resp.status_code == 404:
        raise GoneError()
    return json_body(resp, operation)
