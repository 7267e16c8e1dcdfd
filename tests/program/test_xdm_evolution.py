"""Real engine: once data was ingested, removing an extra field is refused by AEP; `pulumi up` fails
with a hint a person can act on, and the stack's state stays consistent."""

from __future__ import annotations

import time
from typing import Any

from emulator.testing import EmulatorAdmin
from tests.engine import changes_without_same
from tests.program.conftest import StackFactory

SOURCE: dict[str, Any] = {
    "name": "marketing",
    "deleteDataOnDestroy": True,
    "extraFields": {"subject": {"type": "string"}, "campaign": {"type": "string"}},
}


def _pending(preview: dict[str, Any]) -> dict[str, str]:
    return {
        step["urn"].split("::")[-1]: step["op"]
        for step in preview["steps"]
        if step["op"] not in ("same", "read")
    }


def test_removing_a_field_after_ingestion_fails_with_a_hint(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sources=[SOURCE])
    stack.up()
    dataset_id = stack.outputs()["datasetId"]
    delivery = emulator.deliver("email_sent")
    assert [d["status"] for d in delivery["deliveries"]] == [200]
    deadline = time.monotonic() + 10
    while not emulator.records(dataset_id, "dev"):
        assert time.monotonic() < deadline, "the event never reached the dataset"
        time.sleep(0.1)

    # Drop "campaign": AEP allows only additive changes now.
    stack.set_config_json(
        "aep-customerio:sources", [{**SOURCE, "extraFields": {"subject": {"type": "string"}}}]
    )
    before = _pending(stack.preview())
    assert before["marketing-field-group"] == "update"
    message = stack.failing("up", "--yes", "--skip-preview")
    assert "Traceback" not in message
    assert (
        "Field group 'Customer.io marketing reporting webhook fields' (sandbox dev): update failed" in message
    )
    assert "HTTP 400 XDM-1527-400" in message
    assert f"removes field '_{emulator.tenant_id}.campaign'" in message
    assert "AEP allows only additive changes to a schema once data was ingested" in message
    assert "create a new schema (change the source name) and migrate" in message
    group = next(g for g in emulator.state()["sandboxes"]["dev"]["fieldgroup"] if "marketing" in g["title"])
    assert (
        "campaign"
        in group["definitions"]["customFields"]["properties"][f"_{emulator.tenant_id}"]["properties"]
    )

    # The failed up changed nothing: the state still holds the old fields, the same update is pending.
    group_state = next(r for r in stack.resources() if r["urn"].endswith("::marketing-field-group"))
    assert set(group_state["outputs"]["fields"]) >= {"subject", "campaign"}
    assert group_state["outputs"]["version"] == group["version"]
    assert _pending(stack.preview()) == before

    # Put the field back: nothing to do.
    stack.set_config_json("aep-customerio:sources", [SOURCE])
    assert changes_without_same(stack.preview()["changeSummary"]) == {}
    stack.run("preview", "--refresh", "--expect-no-changes")
