"""Customer.io's 10 requests/second is a budget per App API key: one per workspace's key, shared by
every client of that key in the process, and the key itself never kept in the limiter table."""

from __future__ import annotations

from pydantic import SecretStr

from aep_customerio.providers import auth
from aep_customerio.providers.auth import CustomerIoAuth

URL = "https://api.customer.io"


def test_one_budget_per_key_and_host() -> None:
    first = CustomerIoAuth(SecretStr("key-of-workspace-a"), URL)
    again = CustomerIoAuth("key-of-workspace-a", URL)
    other = CustomerIoAuth(SecretStr("key-of-workspace-b"), URL)
    other_host = CustomerIoAuth(SecretStr("key-of-workspace-a"), "https://api-eu.customer.io")
    assert first._limiter is again._limiter
    assert other._limiter is not first._limiter
    assert other_host._limiter is not first._limiter


def test_the_limiter_table_holds_no_key() -> None:
    CustomerIoAuth(SecretStr("a-very-secret-app-api-key"), URL)
    assert not any("a-very-secret-app-api-key" in budget for budget in auth._LIMITERS)
