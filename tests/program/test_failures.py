"""When AEP misbehaves during `pulumi up`: no orphan, no duplicate, and an error a person can act on."""

from __future__ import annotations

import re

from emulator.testing import EmulatorAdmin
from tests.engine import changes_without_same
from tests.program.conftest import StackFactory, objects_in


def test_ambiguous_create_failure_makes_no_duplicate(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    # The flow is created, then the answer is lost (503 after commit): the provider must find it.
    emulator.add_fault(operation="flowservice.createFlow", status=503, count=1, after_commit=True)
    emulator.add_fault(
        operation="flowservice.createSourceConnection", drop_connection=True, count=1, after_commit=True
    )
    stack = program_stack()
    assert stack.up() == {"create": 10}
    assert [rule["hits"] for rule in emulator.faults()] == [1, 1], "both faults must have fired"
    counts = objects_in(emulator, "dev")
    assert counts["flow"] == 1 and counts["sourceConnection"] == 1
    assert changes_without_same(stack.preview()["changeSummary"]) == {}


def test_dataflow_without_inlet_url_is_rolled_back(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    emulator.set_knobs(inlet_url_delay_s=600)
    stack = program_stack()
    stack.set_config({"aep-customerio:inletTimeoutSeconds": "2"})
    message = stack.failing("up", "--yes", "--skip-preview")
    assert "inlet" in message.lower() and "Traceback" not in message
    # The flow it created is gone again; what the stack did create is in its state, nothing else.
    assert "flow" not in objects_in(emulator, "dev")
    tracked = {r["type"].rsplit(":", 1)[-1] for r in stack.resources() if r.get("custom")}
    assert "Dataflow" not in tracked and "ReportingWebhook" not in tracked
    # Once AEP behaves, the next up finishes the job.
    emulator.set_knobs(inlet_url_delay_s=0.2)
    stack.set_config({"aep-customerio:inletTimeoutSeconds": "30"})
    stack.up()
    assert objects_in(emulator, "dev")["flow"] == 1
    assert stack.outputs(show_secrets=True)["webhookUrl"]


def test_api_error_names_object_operation_code_and_request_id(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    emulator.add_fault(operation="catalog.createDataset", status=403, count=10)
    stack = program_stack()
    message = stack.failing("up", "--yes", "--skip-preview")
    assert "Traceback" not in message
    assert re.search(
        r"Dataset 'Customer\.io customerio events' \(sandbox dev\): create failed: HTTP 403", message
    )
    assert re.search(r"request id [0-9a-f-]{8,}", message)
    assert "What to do:" in message
    assert emulator.client_secret not in message
    assert "Bearer" not in message
    # Nothing that depends on the dataset was attempted.
    assert "targetConnection" not in objects_in(emulator, "dev")


def test_mapping_set_left_in_place_when_aep_refuses_delete(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sources=[{"name": "cio", "deleteDataOnDestroy": True}])
    stack.up()
    stack.destroy()
    # Data Prep documents no DELETE: the mapping set stays, everything else is gone, and the user is told.
    assert objects_in(emulator, "dev") == {"mappingSet": 1}
    destroy_output = next(entry for entry in reversed(stack.transcript) if "pulumi destroy" in entry)
    assert "mapping set" in destroy_output.lower()
    assert stack.resources() == []


def test_refresh_with_refused_credentials_keeps_every_resource(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack()
    stack.up()
    before = [r["urn"] for r in stack.resources()]
    # A revoked or mistyped secret: every read is refused. That is an error, never "gone".
    # (--run-program: without it, refresh uses the credentials recorded, encrypted, at the last up.)
    stack.set_config({}, secrets={"aep:clientSecret": "revoked"})
    message = stack.failing("refresh", "--yes", "--skip-preview", "--run-program")
    assert "aep:clientSecret" in message and "Traceback" not in message
    assert "revoked" not in message
    assert [r["urn"] for r in stack.resources()] == before


def test_refresh_refused_by_aep_keeps_every_resource(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack()
    stack.up()
    before = [r["urn"] for r in stack.resources()]
    emulator.add_fault(operation="flowservice.getFlow", status=403, count=100)
    assert "HTTP 403" in stack.failing("refresh", "--yes", "--skip-preview")
    assert [r["urn"] for r in stack.resources()] == before
