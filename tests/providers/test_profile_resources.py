"""Profile enablement through the providers, in AEP's order: namespace, identity descriptor, union
tag, then the dataset tags; teardown keeps what AEP cannot delete instead of failing."""

from __future__ import annotations

from typing import Any

import pytest

from aep_customerio.providers.identity_descriptor import IdentityDescriptorProvider
from aep_customerio.providers.identity_namespace import IdentityNamespaceProvider
from aep_customerio.providers.union_tag import UnionTagProvider
from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import CAT, Api, build_chain, ok


def test_profile_order_and_retained_teardown(
    make: Any, emulator: EmulatorAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    api = Api(emulator, "prod")
    chain = build_chain(api, emulator.tenant_id)
    schema_id = chain["schema"]["$id"]
    namespaces, descriptors, unions = (
        make(IdentityNamespaceProvider),
        make(IdentityDescriptorProvider),
        make(UnionTagProvider),
    )
    ns_props = {"sandbox": "prod", "code": "CustomerIOID", "name": "Customer.io ID"}
    ns = namespaces.create(ns_props)
    assert ns.outs["code"] == "CustomerIOID"
    assert namespaces.create(ns_props).id == ns.id  # an existing namespace is adopted
    desc_props = {
        "sandbox": "prod",
        "schema_id": schema_id,
        "source_property": f"/_{emulator.tenant_id}/cio_id",
        "namespace": "CustomerIOID",
    }
    desc = descriptors.create(desc_props)
    union_props = {"sandbox": "prod", "schema_id": schema_id, "descriptor_id": desc.id}
    tag = unions.create(union_props)
    assert tag.outs["tags"] == ["union"]
    assert unions.create(union_props).id == tag.id  # adopted: the tag is there already
    tags = [
        {"op": "add", "path": f"/tags/{t}", "value": ["enabled:true"]}
        for t in ("unifiedProfile", "unifiedIdentity")
    ]
    ok(api.patch(f"{CAT}/dataSets/{chain['dataset_id']}", tags))
    moved = {**desc_props, "namespace": "Email"}
    descriptors.update(desc.id, {**desc_props, **desc.outs}, moved)
    assert descriptors.read(desc.id, moved).outs["namespace"] == "Email"

    unions.delete(tag.id, {**union_props, **tag.outs})
    descriptors.delete(desc.id, {**moved, **desc.outs})
    namespaces.delete(ns.id, {**ns_props, **ns.outs})
    err = capsys.readouterr().err
    assert "keeps its 'union' tag" in err and "NOT deleted" in err and "offers no delete" in err
    assert descriptors.read(desc.id, moved).id == desc.id  # kept: AEP refused
