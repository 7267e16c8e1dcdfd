"""Profile enablement on the Schema and Dataset providers, and the dataflow's own options, against the
emulator: what AEP allows is applied in place, what it forbids is refused before any call."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aep_customerio.providers.identity_descriptor import IdentityDescriptorProvider
from aep_customerio.providers.identity_namespace import IdentityNamespaceProvider
from aep_customerio.providers.union_tag import UnionTagProvider
from tests.providers.chain import Chain, Live, Make, build_chain, up

pytestmark = pytest.mark.timeout(120)


def inputs(live: Live) -> dict[str, Any]:
    return {k: v for k, v in live.state.items() if k in live.provider.inputs.model_fields}


def update(live: Live, **changes: Any) -> dict[str, Any]:
    outs = live.provider.update(live.id, live.state, {**inputs(live), **changes}).outs
    assert outs is not None
    live.state = outs
    return outs


def profile(make: Make, chain: Chain, tenant: str) -> None:
    """Namespace, primary identity descriptor, union tag: AEP's order."""
    schema_id = chain["schema"].state["schema_id"]
    up(make(IdentityNamespaceProvider), {"sandbox": "dev", "code": "CustomerIOID"})
    desc = up(
        make(IdentityDescriptorProvider),
        {
            "sandbox": "dev",
            "schema_id": schema_id,
            "source_property": f"/_{tenant}/object_type",
            "namespace": "CustomerIOID",
        },
    )
    up(make(UnionTagProvider), {"sandbox": "dev", "schema_id": schema_id, "descriptor_id": desc.id})


def test_profile_dataset_tags_schema_updates_and_retention(
    emulator: Any, make: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = build_chain(make, webhook=False, delete_data=False)
    ds, schema = chain["dataset"], chain["schema"]
    tenant = chain["field_group"].state["tenant_id"]
    profile(make, chain, tenant)

    # the tags by PATCH on an existing dataset; a refresh reads them back
    update(ds, profile_enabled=True, identity_enabled=True)
    read = ds.provider.read(ds.id, ds.state)
    assert read.inputs is not None and read.inputs["profile_enabled"] is True
    assert read.inputs["identity_enabled"] is True
    tags = emulator.state()["sandboxes"]["dev"]["dataset"][0]["tags"]
    assert tags["unifiedProfile"] == ["enabled:true"] and tags["unifiedIdentity"] == ["enabled:true"]

    # a union schema's PUT carries its immutable tag (AEP refuses one that drops it)
    update(schema, description="now in Profile")
    body = schema.provider.fetch(schema.id, schema.provider.parse(schema.state), {})
    assert body["meta:immutableTags"] == ["union"] and body["description"] == "now in Profile"

    # Identity may go; Profile may not: check() refuses, naming the stack key, before any call
    update(ds, identity_enabled=False)
    since = emulator.requests()[-1]["seq"]
    refused = ds.provider.check(ds.state, {**inputs(ds), "profile_enabled": False})
    assert [f.property for f in refused.failures] == ["profile_enabled"]
    assert "aep-customerio:sources[<i>].profile" in refused.failures[0].reason
    assert emulator.requests(since=since) == []

    # an empty Profile dataset is still kept without the opt-in; the union schema is kept too
    ds.provider.delete(ds.id, ds.state)
    assert ds.provider.read(ds.id, ds.state).id == ds.id
    schema.provider.delete(schema.id, schema.state)
    assert schema.provider.read(schema.id, schema.state).id == schema.id
    err = capsys.readouterr().err
    assert "is enabled for Profile (deleting it deletes its Profile and identity data)" in err
    assert "is enabled for Profile and was NOT deleted" in err


def test_a_profile_dataset_is_created_with_its_tags(emulator: Any, make: Make) -> None:
    chain = build_chain(make, webhook=False)
    profile(make, chain, chain["field_group"].state["tenant_id"])
    ds = chain["dataset"]
    created = up(
        ds.provider,
        {**inputs(ds), "name": "cio profile dataset", "profile_enabled": True, "identity_enabled": True},
    )
    found = [d for d in emulator.state()["sandboxes"]["dev"]["dataset"] if d["id"] == created.id]
    assert found[0]["tags"]["unifiedProfile"] == ["enabled:true"]
    assert ds.provider.diff(created.id, created.state, inputs(created)).changes is False


def test_flow_options_are_patched_on_their_own_paths_keeping_the_inlet(emulator: Any, make: Make) -> None:
    chain = build_chain(make, webhook=False)
    flow = chain["flow"]
    inlet = flow.state["inlet_url"]
    since = emulator.requests()[-1]["seq"]
    outs = update(flow, error_diagnostics_enabled=True, partial_ingestion_percent=10)
    assert outs["inlet_url"] == inlet and outs["flow_id"] == flow.id
    patches = [r for r in emulator.requests(since=since) if r["method"] == "PATCH"]
    assert len(patches) == 1
    read = flow.provider.read(flow.id, flow.state)
    assert read.inputs is not None and read.outs is not None
    assert read.inputs["error_diagnostics_enabled"] is True and read.inputs["partial_ingestion_percent"] == 10
    assert read.outs["inlet_url"] == inlet

    outs = update(flow, partial_ingestion_percent=None, error_diagnostics_enabled=False)
    read = flow.provider.read(flow.id, flow.state)
    assert read.inputs is not None and "partial_ingestion_percent" not in read.inputs
    assert read.inputs["error_diagnostics_enabled"] is False and outs["inlet_url"] == inlet
    options = flow.provider.fetch(flow.id, flow.provider.parse(flow.state), {})["options"]
    assert options["inletUrl"] == inlet and "partialIngestionPercent" not in options
    # the inlet still takes events
    assert requests.post(flow.state["webhook_url"], json={"metric": "sent"}, timeout=10).status_code < 300

    refused = flow.provider.check({}, {**inputs(flow), "partial_ingestion_percent": 0})
    assert [f.property for f in refused.failures] == ["partial_ingestion_percent"]


def test_flow_options_set_at_create(emulator: Any, make: Make) -> None:
    chain = build_chain(make, webhook=False)
    flow = chain["flow"]
    flow.provider.delete(flow.id, flow.state)
    created = up(
        flow.provider, {**inputs(flow), "error_diagnostics_enabled": True, "partial_ingestion_percent": 5}
    )
    item = flow.provider.fetch(created.id, flow.provider.parse(created.state), {})
    assert (
        item["options"]["errorDiagnosticsEnabled"] is True and item["options"]["partialIngestionPercent"] == 5
    )
    assert item["options"]["inletUrl"] == created.state["inlet_url"]
    assert flow.provider.diff(created.id, created.state, inputs(created)).changes is False


def test_a_namespace_made_meanwhile_is_adopted(
    emulator: Any, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sources share the namespace: the second's lookup ran before the first's create, its POST is
    refused as existing, and it adopts the namespace instead of failing."""
    first, second = make(IdentityNamespaceProvider), make(IdentityNamespaceProvider)
    props = {"sandbox": "dev", "code": "SharedCIO"}
    made = up(first, props)
    lookups = iter([None])  # the lookup before the POST found nothing yet
    real_find = second.find
    monkeypatch.setattr(second, "find", lambda args: next(lookups, None) or real_find(args))
    assert up(second, props).id == made.id
