"""The one exception type every provider failure raises.

Its message names the operation, the object, the HTTP status, the remote error code, title and
detail, the request id and what the user can do. It never holds a token, a secret or headers:
details are passed through :func:`redact` and truncated.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_MAX_DETAIL = 600


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: a message names a value, it never echoes a page."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str | bytes | list | dict) else ""
    return f"{text[: limit - 1]}…{size}"


def register_secret(value: str | None) -> None:
    """Remember a secret so that no error message or log line can echo it back."""
    if value and len(value) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


class RedactingFormatter(logging.Formatter):
    """Log lines pass through :func:`redact` too: no secret reaches the CLI's output."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def redact(text: str) -> str:
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return _BEARER.sub(r"\1***", text)


_HINTS: dict[int, str] = {
    400: "fix the input named in the detail above and run pulumi up again",
    401: "check aep:clientId / aep:clientSecret (or customerio:appApiKey) in the stack config; "
    "the credentials were refused even after minting a new token",
    403: "give the API credential access to this sandbox and the needed product-profile "
    "permissions (or an App API key with reporting-webhook scope)",
    404: "the object no longer exists remotely; run `pulumi refresh` to drop it from the state",
    409: "another object conflicts with this one (name in use, or still referenced); "
    "remove the conflict or rename, then retry",
    412: "the object was changed outside Pulumi while updating; run `pulumi refresh`, then `pulumi up` again",
    429: "the API is rate limiting; wait a minute or lower `pulumi up --parallel`, then retry",
}


# Specific remote errors whose fix is known, keyed on the error code; the second element is a title
# marker that identifies the same error where the code differs.
_CODE_HINTS: dict[str, tuple[str, str]] = {
    "XDM-1527-400": (
        "breaking change",
        "AEP allows only additive changes to a schema once data was ingested: keep the field as it "
        "was (restore it in extraFields) and add a new field instead of removing or retyping one, "
        "or create a new schema (change the source name) and migrate the data",
    ),
}


def hint_for(status: int | None, code: str | None = None, title: str | None = None) -> str:
    """What to do about a failure: a specific hint for a known error code or title, else by status."""
    for known, (marker, hint) in _CODE_HINTS.items():
        if code == known or (status == 400 and title and marker in title.lower()):
            return hint
    return default_hint(status)


def default_hint(status: int | None) -> str:
    if status is None:
        return "check the network and the configured base URL, then retry"
    if status in _HINTS:
        return _HINTS[status]
    if status >= 500:
        return "the remote service failed; retry later"
    return "see the detail above"


def empty_answer(operation: str, what: str) -> ApiError:
    """A 200 that lacks the object: not proof of deletion (only a 404 is), so refuse to guess."""
    return ApiError(
        operation=operation,
        status=200,
        title="Empty response",
        detail=f"GET {what} returned no such object",
        hint="retry `pulumi refresh`; if it persists, check the object in the AEP UI",
    )


class GoneError(Exception):
    """The object answered HTTP 404: ``read()`` reports it deleted, ``delete()`` is done."""


class ApiError(Exception):
    """A failed remote operation, described for the person running Pulumi."""

    def __init__(
        self,
        *,
        operation: str,
        kind: str = "",
        name: str = "",
        sandbox: str | None = None,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.operation = operation
        self.kind = kind
        self.name = name
        self.sandbox = sandbox
        self.status = status
        self.code = code
        self.title = title
        self.detail = redact(detail or "")[:_MAX_DETAIL]
        self.request_id = request_id
        self.hint = hint or hint_for(status, code, title)
        super().__init__(self._format())

    def with_context(
        self, *, operation: str, kind: str, name: str, sandbox: str | None, hint: str | None = None
    ) -> ApiError:
        """The same failure, named after the resource operation that caused it."""
        return ApiError(
            operation=operation,
            kind=kind,
            name=name,
            sandbox=sandbox,
            status=self.status,
            code=self.code,
            title=self.title,
            detail=self.detail,
            request_id=self.request_id,
            hint=hint or self.hint,
        )

    def _format(self) -> str:
        who = f"{self.kind} '{self.name}'" if self.kind else "request"
        if self.sandbox:
            who += f" (sandbox {self.sandbox})"
        parts = [f"{who}: {self.operation} failed:"]
        parts.append(f"HTTP {self.status}" if self.status is not None else "no HTTP response")
        if self.code:
            parts.append(self.code)
        if self.title:
            parts.append(f'"{redact(self.title)}"')
        text = " ".join(parts)
        if self.detail:
            text += f": {self.detail}"
        text += "."
        if self.request_id:
            text += f" request id {self.request_id}."
        text += f" What to do: {self.hint}."
        return text


def parse_error_body(body: Any) -> tuple[str | None, str | None, str | None]:
    """(code, title, detail) out of the error bodies of AEP services, IMS and Customer.io."""
    if not isinstance(body, dict):
        return None, None, (str(body)[:_MAX_DETAIL] if body else None)
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    type_url = body.get("type")
    if isinstance(type_url, str) and "/errors/" in type_url:
        code = type_url.rsplit("/", 1)[-1]
    if body.get("error_code") is not None:  # API gateway
        code = str(body["error_code"])
        detail = _str(body.get("message"))
    if body.get("error") is not None and isinstance(body.get("error"), str):  # IMS
        code = body["error"]
        detail = _str(body.get("error_description"))
    if isinstance(body.get("code"), str) and code is None:  # Catalog
        code = body["code"]
    title = _str(body.get("title")) or title
    raw_report = body.get("report")
    report: dict[str, Any] = raw_report if isinstance(raw_report, dict) else {}
    detail = (
        detail
        or _str(body.get("detail"))
        or _str(report.get("detailed-message"))
        or _str(body.get("errorMessage"))
        or _str(body.get("description"))
        or _str(body.get("message"))
    )
    errors = body.get("errors")  # Customer.io
    if detail is None and isinstance(errors, list) and errors:
        detail = "; ".join(
            _str(e.get("detail") or e.get("message") or e) or "" for e in errors if isinstance(e, dict)
        )
    meta = body.get("meta")
    if detail is None and isinstance(meta, dict):
        detail = _str(meta.get("error"))
    return code, title, detail


def request_id_of(headers: Any, body: Any) -> str | None:
    for key in ("x-request-id", "x-adobe-request-id", "x-amzn-requestid"):
        value = headers.get(key) if headers is not None else None
        if value:
            return str(value)
    if isinstance(body, dict):
        report = body.get("report")
        if isinstance(report, dict):
            value = report.get("request-id") or report.get("registryRequestId")
            if value:
                return str(value)
        value = body.get("requestId") or body.get("request_id")
        if value:
            return str(value)
    return None


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)
