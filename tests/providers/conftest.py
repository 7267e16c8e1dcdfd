"""Helpers for provider tests against the emulator (the ``emulator`` fixture is in tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from aep_customerio.providers import seen_flows
from aep_customerio.providers.auth import forget_tokens
from aep_customerio.providers.base import BaseProvider
from aep_customerio.providers.pacing import forget_pacers
from aep_customerio.providers.transport import RetryPolicy

P = TypeVar("P", bound=BaseProvider[Any])


class Sleeper:
    """Records every back-off the providers ask for; really sleeps, but at most ``cap`` seconds."""

    def __init__(self, cap: float = 1.5) -> None:
        self.cap = cap
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(min(seconds, self.cap))


@pytest.fixture
def sleeper(monkeypatch: pytest.MonkeyPatch) -> Sleeper:
    s = Sleeper()
    monkeypatch.setattr(BaseProvider, "retry_policy", RetryPolicy(base_delay=0.2, max_delay=1.0, sleep=s))
    monkeypatch.setattr(BaseProvider, "lookup_grace_seconds", 3.0)  # the emulator's list lag is <= 1 s
    return s


@pytest.fixture
def fresh_tokens() -> Iterator[None]:
    """No token, no rate learned from an earlier test's 429s, no dataflow seen by an earlier test."""
    forget_tokens()
    forget_pacers()
    seen_flows.forget()
    yield


@pytest.fixture
def stack_config(emulator: Any) -> dict[str, str]:
    return {
        "aep:clientId": emulator.client_id,
        "aep:clientSecret": emulator.client_secret,
        "aep:orgId": emulator.org_id,
        "aep:scopes": "openid,AdobeID,read_organizations",
        "aep:platformUrl": emulator.base_url,
        "aep:imsUrl": emulator.base_url,
        "customerio:appApiKey": emulator.cio_app_api_key,
        "customerio:apiUrl": emulator.base_url,
    }


@pytest.fixture
def make(
    emulator: Any, stack_config: dict[str, str], sleeper: Sleeper, fresh_tokens: None
) -> Callable[[type[P]], P]:
    emulator.reset()
    emulator.clear_faults()
    emulator.set_knobs(list_lag_s=0)

    def build(cls: type[P]) -> P:
        provider = cls()
        provider.configure(ConfigureRequest(Config(dict(stack_config), "aep-customerio")))
        return provider

    return build
