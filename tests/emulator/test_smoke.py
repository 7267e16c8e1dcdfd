"""The whole chain end to end: Customer.io event → webhook → inlet → mapping → dataset record."""

from __future__ import annotations

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import FS, Api, build_chain, ok, wait_for_inlet


def test_event_reaches_dataset(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    chain = build_chain(api, emulator.tenant_id)
    flow_id = chain["flow"]["id"]
    inlet = wait_for_inlet(api, flow_id)
    hook = ok(
        api.cio(
            "POST",
            "",
            {
                "name": "AEP",
                "endpoint": f"{inlet}?x-adobe-flow-id={flow_id}",
                "events": ["email_sent", "customer_subscribed"],
            },
        )
    )
    assert isinstance(hook["id"], int)
    result = emulator.deliver("email_sent")
    assert [d["status"] for d in result["deliveries"]] == [200]
    records = emulator.records(chain["dataset_id"])
    assert len(records) == 1
    record = records[0]
    tenant = f"_{emulator.tenant_id}"
    assert record["_id"] == result["event"]["event_id"]
    assert record["timestamp"].endswith("Z")
    assert record[tenant]["object_type"] == "email"
    assert record[tenant]["metric"] == "sent"
    runs = ok(api.get(f"{FS}/runs", params={"property": f"flowId=={flow_id}"}))["items"]
    assert runs[0]["metrics"]["recordSummary"]["outputRecordCount"] == 1
