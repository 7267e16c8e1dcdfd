"""The dataflow provider against flows that pass through enabling/disabling/updating.

AEP's Flow Service answers an enable, disable or PATCH of a flow before the change has settled; the
flow shows a transient state meanwhile (Flow Service API: https://developer.adobe.com/experience-platform-apis/references/flow-service/).
"""

from __future__ import annotations

from typing import Any

import pytest

from aep_customerio.providers.errors import ApiError
from tests.providers.chain import Chain, Live, Make, build_chain
from tests.providers.conftest import Sleeper

pytestmark = pytest.mark.timeout(120)

FLOWS = "/data/foundation/flowservice/flows"
# Upper bound of Flow Service calls for one change that passes through a 1 s transition: one GET
# before, the change, and the polls until it settles (back-off 0.1-0.2, 0.2-0.4, 0.4-0.8, then <= 1 s).
CALLS_PER_CHANGE = 8


def mark(emulator: Any) -> int:
    return emulator.last_seq()  # type: ignore[no-any-return]


def flow_calls(emulator: Any, since: int) -> list[dict[str, Any]]:
    return [r for r in emulator.requests(since=since) if r["service"] == "flowservice"]


def summary(entries: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(str(r["operation"]).removeprefix("flowservice."), int(r["status"])) for r in entries]


def busy_flow_error(code: str) -> dict[str, Any]:
    message = "The flow is in a state in which this change cannot be applied."
    return {
        "type": f"https://ns.adobe.com/aep/errors/FLOW-{code}",
        "title": "Bad Request",
        "status": 400,
        "report": {"detailed-message": message},
        "errorMessage": message,
    }


@pytest.fixture
def chain(emulator: Any, make: Make) -> Chain:
    built = build_chain(make, webhook=False)
    emulator.set_knobs(flow_transition_s=1.0)
    return built


def inputs_of(flow: Live, **changes: Any) -> dict[str, Any]:
    current: dict[str, Any] = flow.provider.check({}, flow.state).inputs
    return flow.provider.check({}, {**current, **changes}).inputs


def new_mapping_version(chain: Chain) -> int:
    mapping = chain["mapping"]
    inputs = mapping.provider.check({}, mapping.state).inputs
    rules = [dict(r) for r in inputs["mappings"]]
    rules[2] = {**rules[2], "source": "object_type"}
    mapping.state = (
        mapping.provider.update(mapping.id, mapping.state, {**inputs, "mappings": rules}).outs or {}
    )
    return int(mapping.state["version"])


def test_mapping_version_and_enabled_change_in_one_update(emulator: Any, chain: Chain) -> None:
    flow = chain["flow"]
    version = new_mapping_version(chain)
    news = inputs_of(flow, mapping_version=float(version), enabled=False)
    start = mark(emulator)
    flow.state = flow.provider.update(flow.id, flow.state, news).outs or {}
    entries = flow_calls(emulator, start)
    ops = summary(entries)
    print("update (PATCH + disable, 1 s transitions):", len(entries), "Flow Service calls:", ops)

    # the outputs hold the state the flow settled in
    assert flow.state["state"] == "disabled" and flow.state["mapping_version"] == version
    # never hit a busy flow: the PATCH and the action each went through on the first try
    assert [o for o in ops if o[0] != "getFlow"] == [("patchFlow", 200), ("flowAction", 200)], ops
    assert all(status == 200 for _, status in ops), ops
    assert 4 <= len(entries) <= 2 * CALLS_PER_CHANGE, ops

    # a refresh right after `up` is clean
    result = flow.provider.read(flow.id, flow.state)
    refreshed = result.outs or {}
    assert refreshed["state"] == "disabled" and refreshed["etag"] == flow.state["etag"]
    diff = flow.provider.diff(flow.id, refreshed, flow.provider.check({}, result.inputs or {}).inputs)
    assert diff.changes is False


def test_disable_then_delete(emulator: Any, chain: Chain) -> None:
    flow = chain["flow"]
    start = mark(emulator)
    flow.state = flow.provider.update(flow.id, flow.state, inputs_of(flow, enabled=False)).outs or {}
    assert flow.state["state"] == "disabled"
    flow.provider.delete(flow.id, flow.state)
    entries = flow_calls(emulator, start)
    ops = summary(entries)
    print("disable then delete (1 s transition):", len(entries), "Flow Service calls:", ops)
    assert [o for o in ops if o[0] != "getFlow"] == [("flowAction", 200), ("deleteFlow", 204)], ops
    assert len(entries) <= CALLS_PER_CHANGE + 2, ops
    assert flow.provider.read(flow.id, flow.state).id == ""


def test_delete_waits_for_a_flow_changed_elsewhere(emulator: Any, chain: Chain) -> None:
    """Someone disables the flow in the UI just before `pulumi destroy`: the delete waits it out."""
    flow = chain["flow"]
    client = flow.provider.aep()
    client.call("POST", f"{FLOWS}/{flow.id}/action", sandbox="dev", operation="x", params={"op": "DISABLE"})

    # refresh while it is in between: honest about what it sees
    seen = flow.provider.read(flow.id, flow.state).outs or {}
    assert seen["state"] == "disabling" and seen["enabled"] is False

    start = mark(emulator)
    flow.provider.delete(flow.id, flow.state)
    ops = summary(flow_calls(emulator, start))
    assert ops[0] == ("getFlow", 200) and ops[-1] == ("deleteFlow", 204), ops
    assert ("deleteFlow", 400) not in ops and len(ops) <= CALLS_PER_CHANGE, ops


@pytest.mark.parametrize(
    ("operation", "code"),
    [("flowservice.deleteFlow", "1416-400"), ("flowservice.patchFlow", "1421-400")],
)
def test_busy_answers_are_waited_out_and_retried(
    emulator: Any, chain: Chain, sleeper: Sleeper, operation: str, code: str
) -> None:
    """GET may say "stable" while AEP still refuses the change: those 400s mean wait and retry."""
    flow = chain["flow"]
    emulator.add_fault(operation=operation, status=400, body=busy_flow_error(code), count=2)
    start = mark(emulator)
    if operation.endswith("deleteFlow"):
        flow.provider.delete(flow.id, flow.state)
        assert flow.provider.read(flow.id, flow.state).id == ""
    else:
        outs = flow.provider.update(flow.id, flow.state, inputs_of(flow, description="d")).outs or {}
        assert outs["state"] == "enabled"
        assert (flow.provider.read(flow.id, outs).outs or {})["description"] == "d"
    tried = [s for o, s in summary(flow_calls(emulator, start)) if f"flowservice.{o}" == operation]
    assert tried[:2] == [400, 400] and len(tried) == 3 and tried[2] < 300
    assert len(sleeper.calls) >= 2


def test_flow_stuck_in_transition_gives_a_clear_error(emulator: Any, chain: Chain, sleeper: Sleeper) -> None:
    flow = chain["flow"]
    emulator.set_knobs(flow_transition_s=60)
    news = inputs_of(flow, enabled=False, inlet_timeout_seconds=2)
    start = mark(emulator)
    with pytest.raises(ApiError) as info:
        flow.provider.update(flow.id, flow.state, news)
    text = str(info.value)
    assert text.startswith("Dataflow 'cio flow' (sandbox dev): update failed:"), text
    assert "Timed out" in text and "'disabling'" in text and "after 2s" in text, text
    assert "aep-customerio:inletTimeoutSeconds" in info.value.hint and "pulumi up" in info.value.hint
    polls = flow_calls(emulator, start)
    assert len(polls) <= 10, summary(polls)  # back-off, not a busy loop
    assert sum(sleeper.calls) >= 1.5

    # a delete of the stuck flow fails as clearly instead of retrying forever
    stuck = {**flow.state, "inlet_timeout_seconds": 1}
    with pytest.raises(ApiError) as gone:
        flow.provider.delete(flow.id, stuck)
    assert "delete failed" in str(gone.value) and "'disabling'" in str(gone.value)


def test_create_disabled_returns_the_settled_state(emulator: Any, chain: Chain) -> None:
    flow = chain["flow"]
    flow.provider.delete(flow.id, flow.state)
    created = flow.provider.create(inputs_of(flow, enabled=False))
    outs = created.outs or {}
    assert outs["state"] == "disabled" and outs["inlet_url"]
    assert (flow.provider.read(created.id, outs).outs or {})["state"] == "disabled"
