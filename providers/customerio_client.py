"""Customer.io App API client (US/EU): paths only; the session carries the key, and the key's
pacer keeps to Customer.io's documented 10 requests/s per App API key (one budget per workspace)."""

from __future__ import annotations

from typing import Any

from aep_customerio.providers.auth import CustomerIoAuth, reveal
from aep_customerio.providers.pacing import budget_name, pacer_for
from aep_customerio.providers.settings import CustomerIoSettings
from aep_customerio.providers.transport import DEFAULT_TIMEOUT, ApiClient, RetryPolicy, existing

CUSTOMERIO_RATE_PER_SECOND = 10.0


class CustomerIoClient(ApiClient):
    def __init__(
        self,
        settings: CustomerIoSettings,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        budget = budget_name(settings.api_url, reveal(settings.app_api_key))
        pacer = pacer_for(budget, CUSTOMERIO_RATE_PER_SECOND)
        super().__init__(settings.api_url, CustomerIoAuth(settings.app_api_key), policy, timeout, pacer)
        self.settings = settings

    def get_existing(self, path: str, *, operation: str) -> Any:
        """GET an object that may have been deleted: its JSON, or GoneError on 404 (only 404)."""
        return existing(self.request("GET", path, operation=operation, accept=(404,)), operation)
