"""Customer.io App API client (US/EU): paths only; the session carries the key and the rate limit."""

from __future__ import annotations

from typing import Any

from aep_customerio.providers.auth import CustomerIoAuth
from aep_customerio.providers.settings import CustomerIoSettings
from aep_customerio.providers.transport import DEFAULT_TIMEOUT, ApiClient, RetryPolicy, existing


class CustomerIoClient(ApiClient):
    def __init__(
        self,
        settings: CustomerIoSettings,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(
            settings.api_url, CustomerIoAuth(settings.app_api_key, settings.api_url), policy, timeout
        )
        self.settings = settings

    def get_existing(self, path: str, *, operation: str) -> Any:
        """GET an object that may have been deleted: its JSON, or GoneError on 404 (only 404)."""
        return existing(self.request("GET", path, operation=operation, accept=(404,)), operation)
