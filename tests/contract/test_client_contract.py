"""The whole provider chain against the emulator, every exchange checked against the specs: a shape
drift in what the client sends or in what the emulator answers fails here."""

from __future__ import annotations

from typing import Any

from aep_customerio.providers.xdm import forget_tenants
from tests.contract.check import Exchange, check
from tests.providers.chain import TEARDOWN_ORDER, build_chain, destroy

# Every operation the providers use (grep providers/ for the paths); the chain below must cover each.
USED = {
    "ims.token",
    "retrieveStats",
    "listFieldGroups",
    "createFieldGroup",
    "retrieveFieldGroup",
    "updateFieldGroup",
    "removeFieldGroup",
    "listSchemas",
    "createSchema",
    "retrieveSchema",
    "deleteSchema",
    "createDataset",
    "listDatasets",
    "retrieveDataset",
    "patchDataset",
    "deleteDataset",
    "createSourceConnection",
    "getSourceConnections",
    "retrieveSourceConnection",
    "patchSourceConnection",
    "deleteSourceConnection",
    "createTargetConnection",
    "getTargetConnections",
    "retrieveTargetConnection",
    "deleteTargetConnection",
    "createFlow",
    "listFlows",
    "retrieveFlow",
    "patchFlow",
    "postStateTransition",
    "deleteByFlow",
    "createMappingSet",
    "listMappingSets",
    "retrieveMappingSet",
    "putMappingSet",
    "deleteMappingSet",
    "customerio.listWebhooks",
    "customerio.createWebhook",
    "customerio.getWebhook",
    "customerio.updateWebhook",
    "customerio.deleteWebhook",
}


def _exercise(make: Any, emulator: Any) -> None:
    chain = build_chain(make)
    for key in TEARDOWN_ORDER:  # refresh reads
        live = chain[key]
        live.provider.read(live.id, live.state)
    flow = chain["flow"]
    inputs = flow.provider.check({}, flow.state).inputs
    flow.state = flow.provider.update(flow.id, flow.state, {**inputs, "enabled": False}).outs or {}
    flow.state = flow.provider.update(flow.id, flow.state, {**inputs, "enabled": True}).outs or {}
    for key, change in (
        ("source", {"name": "renamed source"}),
        ("dataset", {"description": "d2"}),
        ("webhook", {"events": ["email_sent"]}),
    ):
        live = chain[key]
        new = {**live.provider.check({}, live.state).inputs, **change}
        live.state = live.provider.update(live.id, live.state, new).outs or {}
    mapping = chain["mapping"]
    m_inputs = mapping.provider.check({}, mapping.state).inputs
    rules = list(m_inputs["mappings"])
    rules[2] = {"source": "object_type", "destination": rules[2]["destination"]}
    new_rules = {**m_inputs, "mappings": rules}
    mapping.state = mapping.provider.update(mapping.id, mapping.state, new_rules).outs or {}
    news = flow.provider.check({}, {**inputs, "mapping_version": float(mapping.state["version"])}).inputs
    flow.state = flow.provider.update(flow.id, flow.state, news).outs or {}
    fg = chain["field_group"]
    fg_inputs = fg.provider.check({}, fg.state).inputs
    fields = {**fg_inputs["fields"], "extra": {"type": "string"}}
    fg.state = fg.provider.update(fg.id, fg.state, {**fg_inputs, "fields": fields}).outs or {}
    destroy(chain)


def test_every_exchange_of_the_chain_follows_the_specs(
    emulator: Any, make: Any, recorder: list[Exchange]
) -> None:
    forget_tenants()  # the tenant lookup (retrieveStats) is cached per process: exercise it here too
    _exercise(make, emulator)
    covered: set[str] = set()
    problems: list[str] = []
    for ex in recorder:
        op, found = check(ex)
        covered.add(op)
        problems += [f"{ex.method} {ex.path} -> {ex.status}: {p}" for p in found]
    assert problems == [], "\n".join(problems)
    assert sorted(USED - covered) == []


def test_every_platform_request_names_its_sandbox(emulator: Any, make: Any) -> None:
    """A request without x-sandbox-name lands in prod (Adobe): the client must send it every time."""
    _exercise(make, emulator)
    platform = [e for e in emulator.requests() if e["service"] not in ("ims", "customerio", "inlet")]
    assert platform, "the chain made no Platform request"
    missing = [f"{e['method']} {e['path']}" for e in platform if not e.get("sandbox_header")]
    assert missing == []
    assert {e["sandbox"] for e in platform} == {"dev"}
