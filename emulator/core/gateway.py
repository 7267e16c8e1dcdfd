"""Adobe I/O gateway checks applied before any Platform service sees a request."""

from __future__ import annotations

from typing import Any

from emulator.core import errors
from emulator.core.config import Knobs, Options
from emulator.core.interfaces import TokenLookup


class Gateway:
    def __init__(self, options: Options, knobs: Knobs, tokens: TokenLookup) -> None:
        self.options = options
        self.knobs = knobs
        self.tokens = tokens

    def check(self, headers: Any, service: str) -> tuple[str, str]:
        """Return (sandbox, client_id) or raise the gateway's {error_code, message} errors."""
        auth = headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if not auth or not token.strip():
            raise errors.gateway("403010", "Oauth token is missing.")
        if scheme.lower() != "bearer":
            raise errors.gateway("401013", "Oauth token is not valid")
        record = self.tokens.lookup(token.strip())
        if record is None:
            raise errors.gateway("401013", "Oauth token is not valid")
        api_key = headers.get("x-api-key")
        if not api_key:
            raise errors.gateway("403000", "Api Key is required")
        if api_key != self.options.client_id or api_key != record["client_id"]:
            raise errors.gateway("403003", "Api Key is invalid")
        org = headers.get("x-gw-ims-org-id")
        if not org:
            raise errors.gateway("400003", "Missing header")
        if org != self.options.org_id:
            raise errors.gateway("403025", "Profile is not valid")
        sandbox = headers.get("x-sandbox-name")
        if not sandbox:
            if self.knobs.require_sandbox_header:
                raise _sandbox_error(service, 400, "2105", "The header 'x-sandbox-name' is missing.")
            sandbox = "prod"
        if sandbox not in self.options.sandboxes:
            raise _sandbox_error(service, 404, "2100", f"Sandbox '{sandbox}' was not found.")
        return sandbox, str(api_key)


def _sandbox_error(service: str, status: int, number: str, message: str) -> errors.ApiError:
    if service == "flowservice":
        return errors.flow(f"{number}-{status}", message)
    return errors.for_service(service, status, message)
