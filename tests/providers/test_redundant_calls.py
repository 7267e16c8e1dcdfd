"""No call the providers can do without: the tenant id is looked up once per process and sandbox,
a create sends a lookup by natural key and the create (no read-back), the inlet wait polls soon."""

from __future__ import annotations

import threading
from typing import Any

from aep_customerio.providers.field_group import FieldGroupProvider
from aep_customerio.providers.schema import SchemaProvider
from aep_customerio.providers.xdm import forget_tenants
from tests.providers.chain import Make, build_chain, destroy

STATS = "/data/foundation/schemaregistry/stats"


def _calls(emulator: Any, since: int, path: str = "") -> list[dict[str, Any]]:
    calls = emulator.requests(since=since)
    return [c for c in calls if c["service"] not in ("admin", "ims") and path in c["path"]]


def test_the_tenant_id_is_looked_up_once_per_sandbox_across_providers_and_threads(
    emulator: Any, make: Make
) -> None:
    forget_tenants()
    seq = emulator.last_seq()
    providers = [make(FieldGroupProvider), make(SchemaProvider), make(FieldGroupProvider)]
    tenants: list[str] = []
    threads = [
        threading.Thread(target=lambda p=p, s=sandbox: tenants.append(p.tenant(s, {}, "create")))
        for p in providers * 3
        for sandbox in ("dev", "stage")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(tenants) == {emulator.tenant_id} and len(tenants) == 18
    stats = _calls(emulator, seq, STATS)
    assert sorted(c["sandbox"] for c in stats) == ["dev", "stage"]


def test_a_chain_create_sends_one_lookup_and_one_create_per_object(emulator: Any, make: Make) -> None:
    forget_tenants()
    seq = emulator.last_seq()
    chain = build_chain(make)
    calls = _calls(emulator, seq)
    writes = [c["operation"] for c in calls if c["method"] != "GET"]
    assert len(writes) == len(chain.items), writes
    reads = [c for c in calls if c["method"] == "GET"]
    lookups = [c for c in reads if c["path"] != STATS and "dataflow" not in c["operation"]]
    assert len([c for c in reads if c["path"] == STATS]) == 1
    assert not any(c["operation"] == "catalog.getDataset" for c in reads), "no dataset read-back after create"
    assert len(lookups) >= len(chain.items)
    destroy(chain)


def test_the_inlet_wait_looks_soon_then_at_most_every_half_second(
    emulator: Any, make: Make, sleeper: Any
) -> None:
    emulator.set_knobs(inlet_url_delay_s=1.2)
    chain = build_chain(make, webhook=False)
    waits = list(sleeper.calls)
    assert waits, "the inlet URL appears later than the create: the dataflow waits"
    assert waits[0] <= 0.1 and max(waits) <= 0.5, waits
    assert sum(waits) < 1.2 + 0.5 + 0.2, "no wait beyond the one capped pause after the URL appeared"
    destroy(chain)


def test_a_webhook_does_not_read_again_the_dataflow_this_process_just_created(
    emulator: Any, make: Make
) -> None:
    seq = emulator.last_seq()
    chain = build_chain(make)
    calls = _calls(emulator, seq)
    first_webhook_call = next(i for i, c in enumerate(calls) if c["service"] == "customerio")
    after = [c["operation"] for c in calls[first_webhook_call:]]
    assert "customerio.createWebhook" in after
    assert not [op for op in after if op.startswith("flowservice.")], after
    destroy(chain)
