"""Configuration mistakes fail `pulumi preview`, before anything is sent to AEP or Customer.io.

Each of these once passed preview and failed mid-`up` after several objects existed (or never
failed): now the program rejects it, naming the key as the user writes it, with no traceback, no
secret and no echo of a huge value.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tests.engine import PulumiStack
from tests.program.conftest import StackFactory, calls_since

DUPLICATE_DESTINATIONS = [
    {"source": "data.campaign_id", "destination": "_{tenant}.campaign"},
    {"source": "data.journey_id", "destination": "_{tenant}.campaign"},
]
HUGE = "x" * 100_000

# case: (stack config to set, the key the message must name)
MISTAKES: dict[str, tuple[dict[str, str], str]] = {
    "customerio region mars": ({"customerio:region": "mars"}, "customerio:region"),
    "customerio apiUrl malformed": ({"customerio:apiUrl": "api.customer.io/v1"}, "customerio:apiUrl"),
    "customerio apiUrl plain http": ({"customerio:apiUrl": "http://api.customer.io"}, "customerio:apiUrl"),
    "aep platformUrl malformed": ({"aep:platformUrl": "https//platform.adobe.io"}, "aep:platformUrl"),
    "aep platformUrl plain http": ({"aep:platformUrl": "http://platform.adobe.io"}, "aep:platformUrl"),
    "aep imsUrl with credentials": ({"aep:imsUrl": "https://me:pw@ims.example"}, "aep:imsUrl"),
    "aep clientId empty": ({"aep:clientId": ""}, "aep:clientId"),
    "inlet timeout not a number": (
        {"aep-customerio:inletTimeoutSeconds": "soon"},
        "aep-customerio:inletTimeoutSeconds",
    ),
    "misspelt stack key": ({"aep-customerio:inletTimeoutSecond": "30"}, "aep-customerio:inletTimeoutSecond"),
    "duplicate mapping destinations": ({}, "aep-customerio:sources[0].mappings"),
    "100 kB description": ({}, "aep-customerio:sources[0].description"),
}


def configure_mistake(stack: PulumiStack, case: str, values: dict[str, str]) -> None:
    stack.set_config(values)
    if case == "duplicate mapping destinations":
        stack.set_config_json("aep-customerio:sources", [{"name": "cio", "mappings": DUPLICATE_DESTINATIONS}])
    if case == "100 kB description":
        # One argument of 100 kB (a JSON `set-all` would carry it twice, past the kernel's limit).
        stack.run("config", "set", "--path", "aep-customerio:sources[0].name", "cio")
        stack.run("config", "set", "--path", "aep-customerio:sources[0].description", HUGE)


@pytest.mark.parametrize("case", list(MISTAKES))
def test_mistake_fails_preview_before_any_request(
    case: str, program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    values, key = MISTAKES[case]
    stack = program_stack()
    configure_mistake(stack, case, values)
    seq = emulator.last_seq()
    message = stack.failing("preview")
    assert calls_since(emulator, seq) == [], "nothing may be sent before the configuration is valid"
    assert f"{key}:" in message or f"{key} " in message, message
    assert "Traceback" not in message
    for secret in (emulator.client_secret, emulator.cio_app_api_key, "pw@"):
        assert secret not in message
    assert "x" * 100 not in message, "a long value is cut short, not echoed"
    assert stack.resources() == []


def test_every_mistake_at_once_is_listed_in_one_preview(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sources=[{"name": "cio", "mappings": DUPLICATE_DESTINATIONS}])
    values: dict[str, Any] = {}
    for case, (case_values, _) in MISTAKES.items():
        if not case.startswith(("aep imsUrl", "customerio apiUrl plain")):
            values |= case_values
    stack.set_config(values)
    seq = emulator.last_seq()
    message = stack.failing("preview")
    assert calls_since(emulator, seq) == []
    for key in (
        "customerio:region",
        "customerio:apiUrl",
        "aep:platformUrl",
        "aep:clientId",
        "aep-customerio:inletTimeoutSeconds",
        "aep-customerio:inletTimeoutSecond",
        "aep-customerio:sources[0].mappings",
    ):
        assert key in message, key
    assert emulator.client_secret not in message and "Traceback" not in message
