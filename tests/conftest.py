"""Shared fixtures. `emulator`: a reset, running emulator and its admin client (see emulator/testing.py).

Set EMULATOR_URL to run the tests against an emulator in another process instead of an in-process one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported when used, so that tests that need no emulator do not load it
    from emulator.testing import EmulatorAdmin

# Fast but still asynchronous: the inlet URL appears 0.2 s after a flow is created; lists do not lag.
TEST_KNOBS: dict[str, Any] = {"inlet_url_delay_s": 0.2, "list_lag_s": 0.0}


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorAdmin]:
    from emulator.testing import EmulatorAdmin, start_in_process

    external = os.environ.get("EMULATOR_URL")
    if external:
        yield EmulatorAdmin(external)
        return
    state = tmp_path_factory.mktemp("emulator") / "state.sqlite3"
    server, admin = start_in_process(state_path=str(state), **TEST_KNOBS)
    try:
        yield admin
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorAdmin) -> EmulatorAdmin:
    """The running emulator, wiped before each test (knobs, faults and request log included)."""
    emulator_server.reset()
    return emulator_server
