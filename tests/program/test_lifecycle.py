"""The product as a user runs it: the real Pulumi CLI, this repository's program, the emulator.

Follows Pulumi's own program-test lifecycle: preview, up, idempotent up and preview, refresh,
drift repair, in-place updates, replacement, destroy.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from emulator.testing import EmulatorAdmin
from tests.engine import changes_without_same
from tests.program.conftest import StackFactory, calls_since, objects_in, writes_since

# The eight remote objects one source creates.
OBJECTS_PER_SOURCE = {
    "fieldgroup": 1,
    "schema": 1,
    "dataset": 1,
    "mappingSet": 1,
    "sourceConnection": 1,
    "targetConnection": 1,
    "flow": 1,
}


def wait_for_records(
    emulator: EmulatorAdmin, dataset_id: str, sandbox: str, count: int
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        records = emulator.records(dataset_id, sandbox)
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def test_full_lifecycle(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    emulator.set_knobs(mapping_set_delete="enabled")
    stack = program_stack(sources=[{"name": "marketing", "deleteDataOnDestroy": True}])

    # 1. Preview of a new stack: everything to create, nothing sent to AEP or Customer.io.
    seq = emulator.last_seq()
    preview = stack.preview()
    assert preview["changeSummary"] == {"create": 10}  # stack + component + 8 objects
    assert calls_since(emulator, seq) == []

    # 2. up creates each object with exactly one write.
    seq = emulator.last_seq()
    assert stack.up() == {"create": 10}
    writes = writes_since(emulator, seq)
    assert len(writes) == 8, [w["operation"] for w in writes]
    assert objects_in(emulator, "dev") == OBJECTS_PER_SOURCE
    assert len(emulator.state()["customerio"]["webhooks"]) == 1
    outputs = stack.outputs(show_secrets=True)
    flow_id, dataset_id = outputs["dataflowId"], outputs["datasetId"]
    assert outputs["webhookUrl"].endswith(f"?x-adobe-flow-id={flow_id}")
    assert outputs["webhookUrl"].startswith(f"{emulator.base_url}/collection/")

    # 3. Customer.io delivers an event; the mapped record lands in the dataset.
    delivery = emulator.deliver("email_opened")
    assert [d["status"] for d in delivery["deliveries"]] == [200]
    event = delivery["event"]
    (record,) = wait_for_records(emulator, dataset_id, "dev", 1)
    tenant = f"_{emulator.tenant_id}"
    assert record["_id"] == event["event_id"]
    assert record["eventType"] == f"{event['object_type']}.{event['metric']}"  # keyed on the pair
    assert record["timestamp"].startswith(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(event["timestamp"])))
    assert record[tenant] == {
        "object_type": event["object_type"],
        "metric": event["metric"],
        "event_id": event["event_id"],
        "id": event["data"]["identifiers"]["id"],
        "email": event["data"]["identifiers"]["email"],
        "cio_id": event["data"]["identifiers"]["cio_id"],
    }

    # 4. A second up and a preview: no changes, no calls.
    seq = emulator.last_seq()
    assert changes_without_same(stack.up()) == {}
    assert changes_without_same(stack.preview()["changeSummary"]) == {}
    assert calls_since(emulator, seq) == []

    # 5. Refresh is clean; an out-of-band edit is seen by refresh and repaired by up.
    seq = emulator.last_seq()
    assert changes_without_same(stack.refresh()) == {}
    assert writes_since(emulator, seq) == []
    emulator.edit("flow", flow_id, sandbox="dev", set={"description": "edited by hand"})
    stack.refresh()
    preview = stack.preview()
    updated = [step["urn"].split("::")[-1] for step in preview["steps"] if step["op"] == "update"]
    # Preview cannot know the dataflow's outputs after its update, so the webhook that reads its
    # URL shows as a possible update too; up then finds the URL unchanged.
    assert "marketing-dataflow" in updated and set(updated) <= {"marketing-dataflow", "marketing-webhook"}
    assert changes_without_same(stack.up()) == {"update": 1}
    live_flow = next(f for f in emulator.state()["sandboxes"]["dev"]["flow"] if f["id"] == flow_id)
    assert live_flow["description"] == "Customer.io reporting webhook events"

    # 6. A description change updates in place; a mapping change bumps the mapping set's version
    #    and the dataflow follows it, in one up.
    stack.set_config_json(
        "aep-customerio:sources",
        [
            {
                "name": "marketing",
                "deleteDataOnDestroy": True,
                "description": "Marketing workspace events",
                "extraFields": {"subject": {"type": "string"}},
                "mappings": [{"source": "data.subject", "destination": "_{tenant}.subject"}],
            }
        ],
    )
    changes = changes_without_same(stack.up())
    assert "create" not in changes and "delete" not in changes, changes
    outputs = stack.outputs()
    assert outputs["dataflowId"] == flow_id and outputs["datasetId"] == dataset_id
    assert outputs["sources"]["marketing"]["mappingSetVersion"] == 1
    live_flow = next(f for f in emulator.state()["sandboxes"]["dev"]["flow"] if f["id"] == flow_id)
    assert live_flow["transformations"][0]["params"]["mappingVersion"] in (1, "1")
    delivery = emulator.deliver("email_sent")
    records = wait_for_records(emulator, dataset_id, "dev", 2)
    latest = next(r for r in records if r["_id"] == delivery["event"]["event_id"])
    assert latest[tenant]["subject"] == delivery["event"]["data"]["subject"]

    # 7. A new sandbox replaces everything there; the old sandbox ends up empty.
    stack.set_config({"aep-customerio:sandbox": "stage"})
    changes = changes_without_same(stack.up())
    # The seven AEP objects move; the Customer.io webhook (no sandbox) is repointed in place.
    assert changes == {"replace": 7, "update": 1}, changes
    assert objects_in(emulator, "dev") == {}, stack.transcript[-2]
    assert objects_in(emulator, "stage") == OBJECTS_PER_SOURCE
    assert len(emulator.state()["customerio"]["webhooks"]) == 1

    # 8. destroy removes the webhook first, then the dataflow, then what it used.
    seq = emulator.last_seq()
    stack.destroy()
    deletes = [w for w in writes_since(emulator, seq) if w["method"] == "DELETE"]
    operations = [d["operation"] for d in deletes]
    assert operations[0] == "customerio.deleteWebhook", operations
    assert operations[1] == "flowservice.deleteFlow", operations
    assert objects_in(emulator, "stage") == {}
    assert emulator.state()["customerio"]["webhooks"] == []
    assert stack.resources() == []


def test_drift_detection_command_from_the_readme(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack()
    stack.up()
    stack.run("preview", "--refresh", "--expect-no-changes")  # clean: exits 0
    dataset_id = stack.outputs()["datasetId"]
    emulator.edit("dataset", dataset_id, sandbox="dev", set={"description": "renamed in the UI"})
    assert "customerio-dataset" in stack.failing("preview", "--refresh", "--expect-no-changes")


def test_objects_deleted_by_hand_are_recreated(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    stack = program_stack()
    stack.up()
    old_flow = stack.outputs()["dataflowId"]
    headers = emulator.platform_headers(sandbox="dev")
    response = requests.delete(
        f"{emulator.base_url}/data/foundation/flowservice/flows/{old_flow}", headers=headers, timeout=30
    )
    assert response.status_code == 204
    # Refresh drops what is really gone (404) and nothing else; up rebuilds it and repoints the webhook.
    stack.refresh()
    types = [r["type"] for r in stack.resources()]
    assert "pulumi-python:dynamic/aep:Dataflow" not in types
    assert "pulumi-python:dynamic/aep:SourceConnection" in types
    changes = changes_without_same(stack.up())
    assert changes == {"create": 1, "update": 1}, changes
    outputs = stack.outputs(show_secrets=True)
    assert outputs["dataflowId"] != old_flow
    (webhook,) = emulator.state()["customerio"]["webhooks"]
    assert webhook["endpoint"] == outputs["webhookUrl"]


def test_adding_a_field_previews_no_replacement(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    # What a pull-request preview shows for a harmless change must not read "replace dataset".
    stack = program_stack(sources=[{"name": "cio"}])
    stack.up()
    stack.set_config_json("aep-customerio:sources", [{"name": "cio", "extraFields": {"subject": {}}}])
    preview = stack.preview()
    ops = {step["urn"].split("::")[-1]: step["op"] for step in preview["steps"] if step["op"] != "same"}
    assert ops == {"cio-field-group": "update"}, ops
    assert changes_without_same(stack.up()) == {"update": 1}
