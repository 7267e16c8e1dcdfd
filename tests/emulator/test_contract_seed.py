"""Replays the seed API tutorial with its own request bodies; checks status codes and response shapes."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator.testing import EmulatorAdmin, start_in_process
from tests.emulator import seed_001 as seed
from tests.emulator.helpers import CAT, DP, EXPERIENCE_EVENT, FS, SR, Api, ok, wait_for_inlet

ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$')
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def seed_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorAdmin]:
    """An emulator whose tenant is the tutorial's, so that its bodies replay unchanged."""
    state = tmp_path_factory.mktemp("seed") / "state.sqlite3"
    server, admin = start_in_process(
        str(state), tenant_id=seed.SEED_TENANT, inlet_url_delay_s=0.3, list_lag_s=0.0
    )
    yield admin
    server.stop()


def _target_schema(api: Api) -> dict[str, Any]:
    """The tutorial leaves schema and dataset to other guides; fields match its mapping destinations."""
    fields = ("cio_id", "email", "event_id0", "metricx", "object_type1", "timestampx")
    group = ok(
        api.post(
            f"{SR}/tenant/fieldgroups",
            {
                "title": "Customer.io",
                "type": "object",
                "meta:intendedToExtend": [EXPERIENCE_EVENT],
                "definitions": {
                    "cio": {
                        "properties": {
                            "_extconndev": {
                                "type": "object",
                                "properties": {f: {"type": "string", "title": f} for f in fields},
                            }
                        }
                    }
                },
                "allOf": [{"$ref": "#/definitions/cio"}],
            },
        ),
        201,
    )
    return dict(
        ok(
            api.post(
                f"{SR}/tenant/schemas",
                {
                    "title": "Customer.io events",
                    "type": "object",
                    "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}],
                },
            ),
            201,
        )
    )


def test_seed_api_sequence(seed_emulator: EmulatorAdmin) -> None:
    seed_emulator.reset()
    api = Api(seed_emulator)

    source = ok(api.post(f"{FS}/sourceConnections", seed.SOURCE_CONNECTION), 201)
    assert set(source) == set(seed.SOURCE_CONNECTION_RESPONSE)
    assert UUID.match(source["id"]) and ETAG.match(source["etag"])

    schema = _target_schema(api)
    assert re.match(r"^https://ns\.adobe\.com/extconndev/schemas/[0-9a-f]{32}$", schema["$id"])
    created = ok(
        api.post(
            f"{CAT}/dataSets",
            {
                "name": "Customer.io events",
                "schemaRef": {"id": schema["$id"], "contentType": "application/vnd.adobe.xed+json;version=1"},
            },
        ),
        201,
    )
    assert re.match(r"^@/dataSets/[0-9a-f]{24}$", created[0]) and len(created) == 1
    dataset_id = created[0].split("/")[-1]

    target_body = copy.deepcopy(seed.TARGET_CONNECTION)
    target_body["data"]["schema"]["id"] = schema["$id"]
    target_body["params"]["dataSetId"] = dataset_id
    target = ok(api.post(f"{FS}/targetConnections", target_body), 201)
    assert set(target) == {"id", "etag"} and ETAG.match(target["etag"])

    mapping_body = copy.deepcopy(seed.MAPPING_SET)
    mapping_body["outputSchema"]["schemaRef"]["id"] = schema["$id"]
    mapping = ok(api.post(f"{DP}/mappingSets", mapping_body), 200)
    assert set(mapping) == seed.MAPPING_SET_RESPONSE_KEYS
    assert mapping["version"] == 0 and re.match(r"^[0-9a-f]{32}$", mapping["id"])

    flow_body = copy.deepcopy(seed.FLOW)
    flow_body["sourceConnectionIds"] = [source["id"]]
    flow_body["targetConnectionIds"] = [target["id"]]
    flow_body["transformations"][0]["params"]["mappingId"] = mapping["id"]
    flow = ok(api.post(f"{FS}/flows", flow_body), 201)
    assert set(flow) == {"id", "etag"} and ETAG.match(flow["etag"])

    inlet_url = wait_for_inlet(api, flow["id"])
    item = ok(api.get(f"{FS}/flows/{flow['id']}"))["items"][0]
    assert set(item) >= seed.FLOW_GET_ITEM_KEYS
    assert item["state"] == "enabled" and item["version"] == item["etag"]
    assert item["runs"] == f"/runs?property=flowId=={flow['id']}"
    assert item["transformations"] == flow_body["transformations"]
    assert item["inheritedAttributes"]["properties"] == {"isSourceFlow": True}
    assert item["inheritedAttributes"]["sourceConnections"] == [
        {"id": source["id"], "connectionSpec": seed.SOURCE_CONNECTION["connectionSpec"]}
    ]
    assert set(item["lastOperation"]) >= {"started", "updated", "operation"}
    assert re.match(rf"^{re.escape(seed_emulator.base_url)}/collection/[0-9a-f]{{64}}$", inlet_url)

    # The UI tutorial's webhook URL, fed the UI tutorial's sample event.
    webhook_url = f"{inlet_url}?x-adobe-flow-id={flow['id']}"
    accepted = requests.post(webhook_url, json=seed.SAMPLE_EVENT, timeout=10)
    assert accepted.status_code == 200
    assert set(accepted.json()) == {"inletId", "xactionId", "receivedTimeMs"}
    assert seed_emulator.records(dataset_id) == []  # the tutorial maps neither _id nor timestamp
    runs = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow['id']}"}))["items"]
    assert runs[0]["metrics"]["statusSummary"]["status"] == "failed"
    messages = " ".join(e["message"] for e in runs[0]["metrics"]["statusSummary"]["errors"])
    assert "_id" in messages and "timestamp" in messages

    # Appendix: update (PATCH + If-Match) then delete.
    renamed = ok(
        api.patch(
            f"{FS}/flows/{flow['id']}",
            [{"op": "replace", "path": "/name", "value": "Renamed"}],
            headers={"If-Match": item["etag"]},
        )
    )
    assert renamed["id"] == flow["id"] and renamed["etag"] != item["etag"]
    assert api.delete(f"{FS}/flows/{flow['id']}").status_code == 204
    assert api.get(f"{FS}/flows/{flow['id']}").status_code == 404
    for kind, obj in (("sourceConnections", source), ("targetConnections", target)):
        assert api.get(f"{FS}/{kind}/{obj['id']}").status_code == 200  # no cascade by default
        assert api.delete(f"{FS}/{kind}/{obj['id']}").status_code == 204


def test_seed_mapping_reads_back_in_both_spellings(seed_emulator: EmulatorAdmin) -> None:
    seed_emulator.reset()
    api = Api(seed_emulator)
    schema = _target_schema(api)
    body = copy.deepcopy(seed.MAPPING_SET)
    body["outputSchema"]["schemaRef"]["id"] = schema["$id"]
    created = ok(api.post(f"{DP}/mappingSets", body))
    got = ok(api.get(f"{DP}/mappingSets/{created['id']}"))
    first = got["mappings"][0]
    assert first["source"] == first["sourceAttribute"] == "data.identifiers.cio_id"
    assert first["destination"] == first["destinationXdmPath"] == "_extconndev.cio_id"
    assert first["sourceType"] == "text/x.schema-path"
    assert got["outputSchema"]["schemaRef"]["id"] == schema["$id"] and got["version"] == 0
