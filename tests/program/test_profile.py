"""Profile and the flow options through the real engine on the emulator (issue 14): a Profile source
created in AEP's order, no changes after `up`, Profile turned on for an existing source (AEP allows
it) and refused in preview when turned off (the key named), destroyed in a valid order; error
diagnostics and partial ingestion changed in place with the inlet URL unchanged."""

from __future__ import annotations

from typing import Any

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import SR, Api
from tests.engine import changes_without_same
from tests.program.conftest import StackFactory, calls_since, writes_since

PROFILE_TAGS = {"unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]}


def state_of(emulator: EmulatorAdmin) -> dict[str, Any]:
    dev: dict[str, Any] = emulator.state()["sandboxes"].get("dev", {})
    return dev


def datasets(emulator: EmulatorAdmin) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in state_of(emulator).get("dataset", [])}


def union_schemas(emulator: EmulatorAdmin) -> set[str]:
    return {
        s["title"] for s in state_of(emulator).get("schema", []) if "union" in s.get("meta:immutableTags", [])
    }


def test_profile_created_toggled_refused_and_destroyed(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sources=[{"name": "made", "profile": True}, {"name": "later"}])
    seq = emulator.last_seq()
    stack.up()
    profile_ops = [
        w["operation"]
        for w in writes_since(emulator, seq)
        if w["operation"]
        in ("identity.createNamespace", "schemaregistry.createDescriptor", "schemaregistry.patchSchema")
    ]
    assert profile_ops.index("identity.createNamespace") < profile_ops.index(
        "schemaregistry.createDescriptor"
    )
    assert profile_ops.index("schemaregistry.createDescriptor") < profile_ops.index(
        "schemaregistry.patchSchema"
    )
    assert union_schemas(emulator) == {"Customer.io made events"}
    made = datasets(emulator)["Customer.io made events"]
    assert {k: made["tags"].get(k) for k in PROFILE_TAGS} == PROFILE_TAGS
    api = Api(emulator, "dev")
    listed = api.get(f"{SR}/tenant/descriptors", headers={"Accept": "application/vnd.adobe.xdm+json"}).json()
    [identity] = listed["xdm:descriptorIdentity"]
    assert identity["xdm:sourceProperty"] == f"/_{emulator.tenant_id}/cio_id"
    assert identity["xdm:namespace"] == "CustomerIOID" and identity["xdm:isPrimary"] is True

    stack.run("preview", "--expect-no-changes")

    # Profile on for an existing source: what AEP allows, applied (dataset tags by PATCH)
    stack.set_config_json(
        "aep-customerio:sources",
        [{"name": "made", "profile": True}, {"name": "later", "profile": True, "identityField": "id"}],
    )
    changes = changes_without_same(stack.up())
    assert changes == {"create": 3, "update": 1}, changes
    assert union_schemas(emulator) == {"Customer.io made events", "Customer.io later events"}
    later = datasets(emulator)["Customer.io later events"]
    assert {k: later["tags"].get(k) for k in PROFILE_TAGS} == PROFILE_TAGS
    stack.run("preview", "--expect-no-changes")

    # Profile off: refused in preview, naming the key, before any request
    stack.set_config_json(
        "aep-customerio:sources",
        [{"name": "made"}, {"name": "later", "profile": True, "identityField": "id"}],
    )
    seq = emulator.last_seq()
    out = stack.failing("preview")
    assert "Profile cannot be turned off" in out and "aep-customerio:sources[<i>].profile" in out
    assert "Customer.io made events" in out
    assert [c for c in calls_since(emulator, seq) if c["method"] != "GET"] == []

    # destroy in a valid order: what AEP keeps is kept with a notice, nothing fails half-way
    stack.set_config_json(
        "aep-customerio:sources",
        [{"name": "made", "profile": True}, {"name": "later", "profile": True, "identityField": "id"}],
    )
    seq = emulator.last_seq()
    stack.destroy()
    deletes = [w["operation"] for w in writes_since(emulator, seq) if w["method"] == "DELETE"]
    last_flow = max(i for i, op in enumerate(deletes) if op == "flowservice.deleteFlow")
    assert deletes.index("customerio.deleteWebhook") < deletes.index("flowservice.deleteFlow")
    # the primary identity goes after the flows; AEP refuses it on a union schema: kept, not failed
    assert deletes.index("schemaregistry.deleteDescriptor") > last_flow
    assert not any(w["status"] >= 500 for w in writes_since(emulator, seq))
    assert stack.resources() == [] or all(r["type"].startswith("pulumi:") for r in stack.resources())
    assert union_schemas(emulator) == {
        "Customer.io made events",
        "Customer.io later events",
    }  # AEP keeps them
    assert len(datasets(emulator)) == 2  # Profile datasets are kept without the opt-in
    assert state_of(emulator).get("flow", []) == []


def test_flow_options_change_in_place_keeping_the_inlet(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sources=[{"name": "cio"}])
    stack.up()
    before = stack.outputs(show_secrets=True)
    stack.set_config_json("aep-customerio:sources", [{"name": "cio", "partialIngestionPercent": 10}])
    seq = emulator.last_seq()
    assert changes_without_same(stack.up()) == {"update": 1}
    patches = [w for w in writes_since(emulator, seq) if w["operation"] == "flowservice.patchFlow"]
    assert len(patches) == 1
    after = stack.outputs(show_secrets=True)
    assert after["webhookUrl"] == before["webhookUrl"] and after["dataflowId"] == before["dataflowId"]
    [flow] = state_of(emulator)["flow"]
    assert (
        flow["options"]["errorDiagnosticsEnabled"] is True
        and flow["options"]["partialIngestionPercent"] == 10
    )
    stack.run("preview", "--expect-no-changes")

    stack.set_config_json("aep-customerio:sources", [{"name": "cio", "errorDiagnostics": True}])
    assert changes_without_same(stack.up()) == {"update": 1}
    [flow] = state_of(emulator)["flow"]
    assert (
        "partialIngestionPercent" not in flow["options"]
        and flow["options"]["errorDiagnosticsEnabled"] is True
    )
    assert stack.outputs(show_secrets=True)["webhookUrl"] == before["webhookUrl"]
    stack.run("preview", "--expect-no-changes")
