"""The operations of Profile enablement and monitoring, against Adobe's specs: descriptors, the union
tag (patchSchema), dataset tags, identity namespaces, flow options (patchFlow), runs, metrics V2."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import requests

from emulator.testing import EmulatorAdmin
from tests.contract.check import Exchange, check
from tests.emulator.helpers import CAT, FS, SR, Api, build_chain, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT

PROFILE_OPERATIONS = {
    "createDescriptor",
    "retrieveDescriptor",
    "listDescriptors",
    "updateDescriptor",
    "deleteDescriptor",
    "patchSchema",
    "patchDataset",
    "getIdNamespaces",
    "createNamespace",
    "retrieveIdentityNamespace",
    "patchFlow",
    "listFlowRuns",
    "retrieveFlowRun",
    "retrieveMetricsV2",
}


def _exercise(emulator: EmulatorAdmin) -> None:
    api, tenant = Api(emulator), emulator.tenant_id
    chain = build_chain(api, tenant)
    schema_id, flow_id, dataset_id = chain["schema"]["$id"], chain["flow"]["id"], chain["dataset_id"]
    ns = ok(
        api.post(
            "/data/core/idnamespace/identities", {"name": "CIO", "code": "CIOID", "idType": "Cross_device"}
        )
    )
    ok(api.get("/data/core/idnamespace/identities"))
    ok(api.get(f"/data/core/idnamespace/identities/{ns['id']}"))
    body = {
        "@type": "xdm:descriptorIdentity",
        "xdm:sourceSchema": schema_id,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": f"/_{tenant}/cio_id",
        "xdm:namespace": "CIOID",
        "xdm:property": "xdm:code",
        "xdm:isPrimary": True,
    }
    made = ok(api.post(f"{SR}/tenant/descriptors", body), 201)
    other = ok(
        api.post(
            f"{SR}/tenant/descriptors",
            {
                **body,
                "xdm:sourceProperty": f"/_{tenant}/email",
                "xdm:namespace": "Email",
                "xdm:isPrimary": False,
            },
        ),
        201,
    )
    ok(api.get(f"{SR}/tenant/descriptors/{made['@id']}"))
    ok(api.get(f"{SR}/tenant/descriptors", headers={"Accept": "application/vnd.adobe.xdm+json"}))
    ok(
        api.put(
            f"{SR}/tenant/descriptors/{other['@id']}",
            {**body, "xdm:sourceProperty": f"/_{tenant}/id", "xdm:isPrimary": False},
        ),
        201,
    )
    ok(api.delete(f"{SR}/tenant/descriptors/{other['@id']}"), 204)
    union = [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]
    ok(api.patch(f"{SR}/tenant/schemas/{quote(schema_id, safe='')}", union))
    tags = [
        {"op": "add", "path": f"/tags/{t}", "value": ["enabled:true"]}
        for t in ("unifiedProfile", "unifiedIdentity")
    ]
    ok(api.patch(f"{CAT}/dataSets/{dataset_id}", tags))
    url = wait_for_inlet(api, flow_id)
    etag = ok(api.get(f"{FS}/flows/{flow_id}"))["items"][0]["etag"]
    options = [
        {"op": "add", "path": "/options/errorDiagnosticsEnabled", "value": True},
        {"op": "add", "path": "/options/partialIngestionPercent", "value": 10},
    ]
    ok(api.patch(f"{FS}/flows/{flow_id}", options, headers={"If-Match": etag}))
    assert requests.post(f"{url}?x-adobe-flow-id={flow_id}", json=SAMPLE_EVENT, timeout=10).status_code == 200
    emulator.drain()
    runs = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow_id}"}))["items"]
    ok(api.get(f"{FS}/runs/{runs[0]['id']}"))
    now = dt.datetime.now(dt.UTC)
    sandbox_id = ok(api.get(f"{FS}/flows/{flow_id}"))["items"][0]["sandboxId"]  # the spec requires it
    ok(
        api.post(
            "/data/infrastructure/observability/insights/metrics",
            headers={"x-sandbox-id": sandbox_id},
            json={
                "start": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "end": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "granularity": "DAY",
                "metrics": [
                    {
                        "name": "timeseries.ingestion.dataset.recordsuccess.count",
                        "filters": [{"name": "dataSetId", "value": dataset_id, "groupBy": True}],
                        "aggregator": "sum",
                        "downsample": "sum",
                    }
                ],
            },
        )
    )


def test_profile_and_monitoring_exchanges_follow_the_specs(
    emulator: EmulatorAdmin, recorder: list[Exchange]
) -> None:
    _exercise(emulator)
    covered: set[str] = set()
    problems: list[str] = []
    for ex in recorder:
        if "/_emulator/" in ex.url or "/collection/" in ex.url:
            continue
        op, found = check(ex)
        if op not in PROFILE_OPERATIONS:
            continue  # the chain's own operations: test_client_contract.py
        covered.add(op)
        problems += [f"{ex.method} {ex.path} -> {ex.status}: {p}" for p in found]
    assert problems == [], "\n".join(problems)
    assert sorted(PROFILE_OPERATIONS - covered) == []
