"""Two AEP orgs in one program: a source given an `AepConnection` works with the credentials of its
config namespace, the state records only the namespace's name, and a connection whose keys are
missing fails preview naming them, before any request."""

from __future__ import annotations

from pathlib import Path

from emulator.testing import EmulatorAdmin
from tools.engine_harness import REPO, PulumiStack, configure_for_emulator, require_engine

PROGRAM = """
import pulumi
from aep_customerio.components.customerio_source import CustomerIoSource, CustomerIoSourceArgs
from aep_customerio.providers.connection import AepConnection

first = CustomerIoSource("first", CustomerIoSourceArgs(sandbox="dev", name="first", create_webhook=False))
second = CustomerIoSource(
    "second",
    CustomerIoSourceArgs(sandbox="stage", name="second", connection=AepConnection("aep-two")),
)
pulumi.export("second", second.webhook_url)
"""


def test_a_second_org_by_its_own_config_namespace(tmp_path: Path, emulator: EmulatorAdmin) -> None:
    require_engine()
    program = tmp_path / "two-orgs"
    program.mkdir()
    (program / "Pulumi.yaml").write_text(
        "name: two-orgs\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
    )
    (program / "__main__.py").write_text(PROGRAM)
    (program / "aep_customerio").symlink_to(REPO / "aep_customerio")
    stack = PulumiStack.create(tmp_path / "run", program)
    configure_for_emulator(stack, emulator)
    second_org = {
        "aep-two:clientId": emulator.client_id,
        "aep-two:orgId": emulator.org_id,
        "aep-two:platformUrl": emulator.base_url,
        "aep-two:imsUrl": emulator.base_url,
    }
    stack.set_config(second_org)

    seq = emulator.last_seq()
    failed = stack.failing("preview")
    assert "aep-two:clientSecret" in failed and "Traceback" not in failed, failed
    assert emulator.requests(since=seq) == [], "nothing is sent before the keys are fixed"

    stack.set_config({}, secrets={"aep-two:clientSecret": emulator.client_secret})
    stack.up()
    resources = stack.resources()
    connections = {
        r["inputs"].get("connection", "aep")
        for r in resources
        if r.get("custom") and "second" in r["urn"] and "ReportingWebhook" not in r["type"]
    }
    assert connections == {"aep-two"}
    firsts = {r["inputs"].get("connection") for r in resources if r.get("custom") and "::first-" in r["urn"]}
    assert firsts == {"aep"}, "the first source uses the default credentials"
    assert emulator.client_secret not in str(stack.export())
    stack.destroy()
