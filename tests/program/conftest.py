"""Real-engine fixtures: the stack program of this repository on a throw-away file backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tests.engine import REPO, PulumiStack, require_engine

PROGRAM_ENTRIES = ["Pulumi.yaml", "__main__.py", "providers", "components", "requirements.txt"]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

StackFactory = Callable[..., PulumiStack]


def configure_for_emulator(
    stack: PulumiStack,
    emulator: EmulatorAdmin,
    sandbox: str = "dev",
    sources: list[dict[str, Any]] | None = None,
    customerio: bool = True,
) -> None:
    stack.set_config(
        {
            "aep-customerio:sandbox": sandbox,
            "aep-customerio:inletTimeoutSeconds": "30",
            "aep:clientId": emulator.client_id,
            "aep:orgId": emulator.org_id,
            "aep:scopes": "openid,AdobeID,read_organizations",
            "aep:platformUrl": emulator.base_url,
            "aep:imsUrl": emulator.base_url,
            "customerio:apiUrl": emulator.base_url,
        },
        secrets={"aep:clientSecret": emulator.client_secret}
        | ({"customerio:appApiKey": emulator.cio_app_api_key} if customerio else {}),
    )
    if sources is not None:
        stack.set_config_json("aep-customerio:sources", sources)


@pytest.fixture
def program_stack(tmp_path: Path, emulator: EmulatorAdmin) -> StackFactory:
    """Factory: `program_stack(sandbox="dev", sources=None, customerio=True)` → a configured stack."""
    require_engine()
    created: list[PulumiStack] = []

    def make(name: str = "test", **config: Any) -> PulumiStack:
        stack = PulumiStack.create(tmp_path / name, REPO, name=name, links=PROGRAM_ENTRIES)
        configure_for_emulator(stack, emulator, **config)
        created.append(stack)
        return stack

    return make


def writes_since(emulator: EmulatorAdmin, seq: int) -> list[dict[str, Any]]:
    """Mutating calls to the remote APIs (token minting and the inlet are not object writes)."""
    return [
        entry
        for entry in emulator.requests(since=seq)
        if entry["method"] in WRITE_METHODS and entry["service"] not in ("ims", "inlet", "admin")
    ]


def calls_since(emulator: EmulatorAdmin, seq: int) -> list[dict[str, Any]]:
    return [entry for entry in emulator.requests(since=seq) if entry["service"] != "admin"]


# The kinds of object a stack creates (AEP also keeps runs, batches and mapping-set versions).
MANAGED_KINDS = (
    "fieldgroup",
    "schema",
    "dataset",
    "mappingSet",
    "sourceConnection",
    "targetConnection",
    "flow",
)


def objects_in(emulator: EmulatorAdmin, sandbox: str) -> dict[str, int]:
    """How many objects of each managed kind the sandbox holds."""
    kinds = emulator.state()["sandboxes"].get(sandbox, {})
    return {kind: len(kinds[kind]) for kind in MANAGED_KINDS if kinds.get(kind)}
