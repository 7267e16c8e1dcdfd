"""Profile enablement (descriptors, union tag, dataset tags, namespaces), flow options, runs, metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
import requests

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import CAT, FS, SR, Api, build_chain, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT

IDN = "/data/core/idnamespace/identities"
OBS = "/data/infrastructure/observability/insights/metrics"
XDM_LIST = {"Accept": "application/vnd.adobe.xdm+json"}
UNION = [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]


def descriptor(
    schema_id: str, tenant: str, field: str = "cio_id", namespace: str = "Email"
) -> dict[str, Any]:
    return {
        "@type": "xdm:descriptorIdentity",
        "xdm:sourceSchema": schema_id,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": f"/_{tenant}/{field}",
        "xdm:namespace": namespace,
        "xdm:property": "xdm:code",
        "xdm:isPrimary": True,
    }


@pytest.fixture
def chain(emulator: EmulatorAdmin) -> dict[str, Any]:
    return build_chain(Api(emulator), emulator.tenant_id)


def schema_path(chain: dict[str, Any]) -> str:
    return f"{SR}/tenant/schemas/{quote(chain['schema']['$id'], safe='')}"


def test_namespaces(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    codes = {n["code"] for n in ok(api.get(IDN))}
    assert {"Email", "ECID", "Phone"} <= codes
    created = ok(api.post(IDN, {"name": "Customer.io ID", "code": "CustomerIOID", "idType": "Cross_device"}))
    assert created["custom"] is True and isinstance(created["id"], int)
    assert ok(api.get(f"{IDN}/{created['id']}"))["code"] == "CustomerIOID"
    assert ok(api.get(IDN, headers={"x-sandbox-name": "dev"})) != ok(api.get(IDN))
    for bad in (
        {"name": "x", "code": "Bad-Code", "idType": "Cross_device"},
        {"name": "x", "code": "Other", "idType": "Person"},
        {"name": "x", "code": "customerioid", "idType": "Cross_device"},
    ):
        body = ok(api.post(IDN, bad), 400)
        assert body["report"]["code"] == "INVALID_REQUEST_PARAMS"


def test_descriptor_rules(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api, tenant, schema_id = Api(emulator), emulator.tenant_id, chain["schema"]["$id"]
    base = f"{SR}/tenant/descriptors"
    for change, text in (
        ({"xdm:sourceProperty": f"/_{tenant}/nope"}, "not a field"),
        ({"xdm:sourceProperty": f"/_{tenant}/cio_id/"}, "must not end"),
        ({"xdm:sourceProperty": f"/_{tenant}/properties/cio_id"}, "properties"),
        ({"xdm:namespace": "NoSuchNamespace"}, "does not exist"),
        ({"xdm:property": "code"}, "xdm:property"),
    ):
        body = ok(api.post(base, {**descriptor(schema_id, tenant), **change}), 400)
        assert text in body["detail"], body
    missing = ok(api.post(base, descriptor("https://ns.adobe.com/x/schemas/none", tenant)), 404)
    assert missing["type"].endswith("XDM-1010-404")
    made = ok(api.post(base, descriptor(schema_id, tenant)), 201)
    assert made["@id"] and made["meta:containerId"] == "tenant"
    second = ok(api.post(base, descriptor(schema_id, tenant, field="email")), 400)
    assert "only one" in second["detail"]
    ok(api.post(base, {**descriptor(schema_id, tenant, field="email"), "xdm:isPrimary": False}), 201)
    assert ok(api.get(f"{base}/{made['@id']}"))["xdm:namespace"] == "Email"
    assert ok(api.get(base), 400)["type"].endswith("XDM-1008-400")
    listed = ok(api.get(base, headers=XDM_LIST, params={"property": f"xdm:sourceSchema=={schema_id}"}))
    assert len(listed["xdm:descriptorIdentity"]) == 2
    ids = ok(api.get(base, headers={"Accept": "application/vnd.adobe.xdm-id+json"}))
    assert made["@id"] in ids["xdm:descriptorIdentity"]
    ok(api.put(f"{base}/{made['@id']}", {**descriptor(schema_id, tenant), "xdm:namespace": "Phone"}), 201)
    assert api.delete(f"{base}/{made['@id']}").status_code == 204
    assert api.get(f"{base}/{made['@id']}").status_code == 404


def test_union_tag_rules(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api, tenant, schema_id = Api(emulator), emulator.tenant_id, chain["schema"]["$id"]
    refused = ok(api.patch(schema_path(chain), UNION), 400)
    assert (
        refused["type"].endswith("XDM-1528-400") and refused["title"] == "Union descriptor validation error"
    )
    tags = {"unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]}
    ds = f"{CAT}/dataSets/{chain['dataset_id']}"
    tag_ops = [{"op": "add", "path": f"/tags/{k}", "value": v} for k, v in tags.items()]
    assert "should be valid" in ok(api.patch(ds, tag_ops), 400)["description"]
    primary = ok(api.post(f"{SR}/tenant/descriptors", descriptor(schema_id, tenant)), 201)
    tagged = ok(api.patch(schema_path(chain), UNION))
    assert tagged["meta:immutableTags"] == ["union"] and tagged["version"] == "1.1"
    ok(api.patch(ds, tag_ops))
    assert ok(api.get(ds))[chain["dataset_id"]]["tags"]["unifiedProfile"] == ["enabled:true"]
    removed = ok(api.patch(schema_path(chain), [{"op": "remove", "path": "/meta:immutableTags"}]), 400)
    assert "cannot be removed" in removed["detail"]
    put = {k: tagged[k] for k in ("title", "description", "type", "allOf") if k in tagged}
    assert "cannot be removed" in ok(api.put(schema_path(chain), put), 400)["detail"]
    ok(api.put(schema_path(chain), {**put, "meta:immutableTags": ["union"]}))
    undeletable = ok(api.delete(f"{SR}/tenant/descriptors/{primary['@id']}"), 400)
    assert "Profile" in undeletable["detail"]
    ok(api.delete(f"{FS}/flows/{chain['flow']['id']}"), 204)
    ok(api.delete(ds))
    assert "enabled for Profile" in ok(api.delete(schema_path(chain)), 400)["detail"]
    emulator.set_knobs(union_schema_deletable=True)
    assert api.delete(schema_path(chain)).status_code == 204
    assert api.get(f"{SR}/tenant/descriptors/{primary['@id']}").status_code == 404
    new = ok(
        api.post(f"{SR}/tenant/schemas", {**put, "title": "other", "meta:immutableTags": ["union"]}), 400
    )
    assert new["type"].endswith("XDM-1528-400")


def _flow(api: Api, flow_id: str) -> dict[str, Any]:
    item: dict[str, Any] = ok(api.get(f"{FS}/flows/{flow_id}"))["items"][0]
    return item


def test_flow_options_by_their_own_paths(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api, flow_id = Api(emulator), chain["flow"]["id"]
    url = wait_for_inlet(api, flow_id)
    ops = [
        {"op": "add", "path": "/options/errorDiagnosticsEnabled", "value": True},
        {"op": "add", "path": "/options/partialIngestionPercent", "value": "10"},
    ]
    etag = _flow(api, flow_id)["etag"]
    ok(api.patch(f"{FS}/flows/{flow_id}", ops, headers={"If-Match": etag}))
    options = _flow(api, flow_id)["options"]
    assert options == {"errorDiagnosticsEnabled": True, "partialIngestionPercent": 10, "inletUrl": url}
    for bad in (
        [{"op": "add", "path": "/options/partialIngestionPercent", "value": 0}],
        [{"op": "add", "path": "/options/partialIngestionPercent", "value": 101}],
        [{"op": "add", "path": "/options/errorDiagnosticsEnabled", "value": "yes"}],
        [{"op": "add", "path": "/options/frequency", "value": "hourly"}],
        [{"op": "add", "path": "/options/inletUrl", "value": "https://elsewhere"}],
    ):
        etag = _flow(api, flow_id)["etag"]
        body = ok(api.patch(f"{FS}/flows/{flow_id}", bad, headers={"If-Match": etag}), 400)
        assert "options" in body["errorMessage"], body
    etag = _flow(api, flow_id)["etag"]
    wholesale = [{"op": "add", "path": "/options", "value": {"partialIngestionPercent": 5}}]
    ok(api.patch(f"{FS}/flows/{flow_id}", wholesale, headers={"If-Match": etag}))
    assert "inletUrl" not in _flow(api, flow_id)["options"]
    assert requests.post(f"{url}?x-adobe-flow-id={flow_id}", json=SAMPLE_EVENT, timeout=10).status_code == 404


def _metric(api: Api, dataset_id: str, name: str = "timeseries.ingestion.dataset.recordsuccess.count") -> int:
    now = dt.datetime.now(dt.UTC)
    body = {
        "start": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "end": (now + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "granularity": "day",
        "metrics": [
            {
                "name": name,
                "filters": [{"name": "dataSetId", "value": dataset_id, "groupBy": False}],
                "aggregator": "sum",
                "downsample": "sum",
            }
        ],
    }
    answer = ok(api.post(OBS, body))["metricResponses"][0]
    return sum(sum(p["dps"].values()) for p in answer["datapoints"])


def test_runs_windows_and_metrics(emulator: EmulatorAdmin, chain: dict[str, Any]) -> None:
    api, flow_id = Api(emulator), chain["flow"]["id"]
    url = f"{wait_for_inlet(api, flow_id)}?x-adobe-flow-id={flow_id}"
    for event in (SAMPLE_EVENT, {**SAMPLE_EVENT, "event_id": "2"}, {**SAMPLE_EVENT, "timestamp": "bad"}):
        assert requests.post(url, json=event, timeout=10).status_code == 200
    emulator.drain()
    [run] = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow_id}"}))["items"]
    counts = run["metrics"]["recordSummary"]
    assert counts == {"inputRecordCount": 3, "outputRecordCount": 2, "failedRecordCount": 1}
    assert run["metrics"]["statusSummary"]["status"] == "failed"
    ok(api.get(f"{FS}/runs/{run['id']}"))
    assert _metric(api, chain["dataset_id"]) == 2
    assert (
        _metric(api, chain["dataset_id"], "timeseries.data.collection.validation.category.presence.count")
        == 1
    )
    etag = _flow(api, flow_id)["etag"]
    op = [{"op": "add", "path": "/options/partialIngestionPercent", "value": 50}]
    ok(api.patch(f"{FS}/flows/{flow_id}", op, headers={"If-Match": etag}))
    assert requests.post(url, json={**SAMPLE_EVENT, "event_id": "3"}, timeout=10).status_code == 200
    emulator.drain()
    [run] = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow_id}"}))["items"]
    assert run["metrics"]["statusSummary"]["status"] == "success"  # 1 of 4 failed: under 50 %
    emulator.set_knobs(run_window_s=0.001)
    assert requests.post(url, json={**SAMPLE_EVENT, "event_id": "4"}, timeout=10).status_code == 200
    emulator.drain()
    assert len(ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow_id}"}))["items"]) == 2


def test_metrics_refusals(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    good: dict[str, Any] = {
        "start": "2026-01-01T00:00:00.000Z",
        "end": "2026-01-02T00:00:00.000Z",
        "metrics": [{"name": "timeseries.ingestion.dataset.recordsuccess.count", "aggregator": "sum"}],
    }
    ok(api.post(OBS, good))
    for bad in (
        {**good, "start": "2026-01-03T00:00:00.000Z"},
        {**good, "granularity": "hour", "metrics": [{**good["metrics"][0], "downsample": "sum"}]},
        {**good, "granularity": "day"},
        {**good, "metrics": [{"name": "no.such.metric", "aggregator": "sum"}]},
        {**good, "metrics": [{"name": good["metrics"][0]["name"]}]},
    ):
        assert ok(api.post(OBS, bad), 400)["errorCode"] == "INSGHT-1000-400"
