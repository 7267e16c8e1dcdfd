"""Fixtures: the provider fixtures (`make` & co.) and a recorder of every HTTP exchange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.contract.check import Exchange
from tests.providers.conftest import fresh_tokens, make, sleeper, stack_config

__all__ = ["fresh_tokens", "make", "recorder", "sleeper", "stack_config"]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Exchange]]:
    """Every request any requests.Session sends in the test, with the answer it got."""
    seen: list[Exchange] = []
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = original(self, request, **kwargs)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        seen.append(
            Exchange(
                str(request.method),
                str(request.url),
                dict(request.headers),
                body,
                response.status_code,
                response.content,
            )
        )
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    yield seen
