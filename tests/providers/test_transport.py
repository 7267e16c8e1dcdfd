"""Pure unit tests: error formatting and redaction, URL policy, retry policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from aep_customerio.providers import transport
from aep_customerio.providers.errors import ApiError, parse_error_body, register_secret, request_id_of
from aep_customerio.providers.transport import (
    AmbiguousRequestError,
    RetryPolicy,
    json_body,
    parse_retry_after,
    send,
)


def _response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else b""
    resp.headers.update(headers or {})
    return resp


class FakeSession:
    def __init__(self, *outcomes: requests.Response | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append({"method": method, "url": url, **kwargs})
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def policy(sleeps: list[float]) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=4,
        base_delay=1.0,
        max_delay=8.0,
        sleep=sleeps.append,
        rand=lambda: 0.5,
    )


def test_error_message_names_everything_and_no_secret() -> None:
    register_secret("s3cr3t-value")
    err = ApiError(
        operation="update",
        kind="Dataflow",
        name="cio-flow",
        sandbox="dev",
        status=412,
        code="FLOW-1404-412",
        title="Version not matching",
        detail="If-Match stale; token Bearer abc.def.ghi and s3cr3t-value",
        request_id="abc-123",
    )
    text = str(err)
    assert text.startswith("Dataflow 'cio-flow' (sandbox dev): update failed: HTTP 412 FLOW-1404-412")
    assert '"Version not matching"' in text and "request id abc-123" in text and "What to do:" in text
    assert "s3cr3t-value" not in text and "abc.def.ghi" not in text


@pytest.mark.parametrize(
    ("body", "code", "title", "detail"),
    [
        (
            {"type": "https://ns.adobe.com/aep/errors/FLOW-1439-404", "title": "Resource not found",
             "report": {"detailed-message": "gone"}},
            "FLOW-1439-404", "Resource not found", "gone",
        ),
        (
            {"type": "http://ns.adobe.com/aep/errors/XDM-1521-400", "title": "Title not unique",
             "detail": "dup"},
            "XDM-1521-400", "Title not unique", "dup",
        ),
        ({"error_code": "401013", "message": "Oauth token is not valid"}, "401013", None,
         "Oauth token is not valid"),
        ({"code": "err-notFound", "description": "nope", "rows": []}, "err-notFound", None, "nope"),
        ({"error": "invalid_client", "error_description": "bad"}, "invalid_client", None, "bad"),
        ({"errors": [{"detail": "name is required"}]}, None, None, "name is required"),
    ],
)  # fmt: skip
def test_parse_error_bodies(body: dict[str, Any], code: str | None, title: str | None, detail: str) -> None:
    assert parse_error_body(body) == (code, title, detail)


def test_request_id_sources() -> None:
    assert request_id_of({"x-request-id": "h1"}, {}) == "h1"
    assert request_id_of({}, {"report": {"request-id": "r1"}}) == "r1"
    assert request_id_of({}, {"requestId": "c1"}) == "c1"


def test_retry_after_parsing() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("garbage") is None


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    sleeps: list[float] = []
    answers = [_response(503, {}) for _ in range(5)] + [_response(200, {})]
    p = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=8.0, sleep=sleeps.append)
    resp = send(FakeSession(*answers), "GET", "https://x", operation="read", idempotent=True, policy=p)
    assert resp.status_code == 200 and len(sleeps) == 5
    for attempt, slept in enumerate(sleeps, start=1):
        floor = min(2.0 ** (attempt - 1), 8.0)
        assert floor <= slept <= min(floor + 1.0, 8.0), sleeps


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_get_retries_transient_statuses_honouring_retry_after(status: int) -> None:
    sleeps: list[float] = []
    session = FakeSession(_response(status, {}, {"Retry-After": "2"}), _response(200, {"ok": True}))
    resp = send(session, "GET", "https://x/y", operation="read", idempotent=True, policy=policy(sleeps))
    # Retry-After, never sooner, plus jitter (here rand=0.5: 5% of it)
    assert resp.status_code == 200 and sleeps == [2.1] and len(session.calls) == 2
    assert all(c["timeout"] and c["verify"] is True for c in session.calls)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_never_blindly_repeated_after_5xx(status: int) -> None:
    session = FakeSession(_response(status, {"title": "down"}), _response(201, {}))
    with pytest.raises(AmbiguousRequestError):
        send(session, "POST", "https://x/y", operation="create", idempotent=False, policy=policy([]))
    assert len(session.calls) == 1


def test_post_after_read_timeout_is_ambiguous_but_429_is_retried() -> None:
    session = FakeSession(requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(AmbiguousRequestError):
        send(session, "POST", "https://x", operation="c", idempotent=False, policy=policy([]))
    sleeps: list[float] = []
    session = FakeSession(_response(429, {}, {"Retry-After": "1"}), _response(201, {"id": "1"}))
    resp = send(session, "POST", "https://x", operation="c", idempotent=False, policy=policy(sleeps))
    assert resp.status_code == 201 and sleeps == [1.05]


def test_connection_errors_retried_then_reported() -> None:
    sleeps: list[float] = []
    errs = [requests.exceptions.ConnectionError("reset") for _ in range(4)]
    with pytest.raises(ApiError) as info:
        send(FakeSession(*errs), "GET", "https://x", operation="read", idempotent=True, policy=policy(sleeps))
    assert len(sleeps) == 3 and info.value.status is None


@pytest.mark.parametrize(
    ("content", "content_type", "expect"),
    [
        (b"<html>oops</html>", "text/html", dict),
        (b"", "application/json", dict),
        (b'["@/dataSets/x"]', "application/json", dict),
        (b'{"id": "x"}', "application/json", list),
    ],
)
def test_malformed_bodies_are_api_errors_with_the_request_id(
    content: bytes, content_type: str, expect: type
) -> None:
    resp = requests.Response()
    resp.status_code = 201
    resp._content = content
    resp.headers.update({"Content-Type": content_type, "x-request-id": "req-42"})
    with pytest.raises(ApiError) as info:
        json_body(resp, "create", expect)
    text = str(info.value)
    assert "Malformed response" in text and "req-42" in text and "create failed" in text, text


def test_no_write_is_retried_once_the_cli_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI dies during a retry's back-off (or a pacing wait): the next attempt is not sent."""
    alive = [True]
    monkeypatch.setattr(transport, "engine_alive", lambda: alive[0])
    session = FakeSession(_response(503, {"title": "busy"}), _response(200, {}))

    def sleep_and_lose_the_cli(seconds: float) -> None:
        alive[0] = False

    slow = RetryPolicy(max_attempts=4, sleep=sleep_and_lose_the_cli, rand=lambda: 0.5)
    with pytest.raises(ApiError, match="Pulumi CLI gone"):
        send(session, "PUT", "https://x/y", operation="update", idempotent=True, policy=slow)
    assert [c["method"] for c in session.calls] == ["PUT"]
    # reads go on: they change nothing, and a refresh may still finish
    alive[0] = False
    session = FakeSession(_response(200, {}))
    assert send(session, "GET", "https://x/y", operation="read", idempotent=True, policy=slow).ok
