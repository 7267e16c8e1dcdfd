"""Build the whole Customer.io -> AEP chain through the provider classes, like the engine would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aep_customerio.providers.base import BaseProvider
from aep_customerio.providers.dataflow import DataflowProvider
from aep_customerio.providers.dataset import DatasetProvider
from aep_customerio.providers.field_group import FieldGroupProvider
from aep_customerio.providers.mapping_set import MappingSetProvider
from aep_customerio.providers.reporting_webhook import ReportingWebhookProvider
from aep_customerio.providers.schema import SchemaProvider
from aep_customerio.providers.source_connection import SourceConnectionProvider
from aep_customerio.providers.target_connection import TargetConnectionProvider

Make = Callable[[type[Any]], Any]
TIMESTAMP_EXPR = "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")"


@dataclass
class Live:
    provider: BaseProvider[Any]
    id: str
    state: dict[str, Any]  # what the engine stores: inputs + outputs


@dataclass
class Chain:
    items: dict[str, Live] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Live:
        return self.items[key]


def up(provider: BaseProvider[Any], props: dict[str, Any]) -> Live:
    checked = provider.check({}, props)
    assert checked.failures == [], [(f.property, f.reason) for f in checked.failures]
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return Live(provider, result.id, result.outs)


def mappings(tenant: str) -> list[dict[str, Any]]:
    return [
        {"source": "event_id", "destination": "_id"},
        {"source_type": "EXPRESSION", "source": TIMESTAMP_EXPR, "destination": "timestamp"},
        {"source": "metric", "destination": f"_{tenant}.metric"},
        {"source": "object_type", "destination": f"_{tenant}.object_type"},
    ]


def build_chain(
    make: Make, sandbox: str = "dev", prefix: str = "cio", webhook: bool = True, delete_data: bool = True
) -> Chain:
    chain = Chain()
    fg = up(
        make(FieldGroupProvider),
        {
            "sandbox": sandbox,
            "title": f"{prefix} fields",
            "fields": {"metric": {"type": "string"}, "object_type": {"type": "string"}},
        },
    )
    chain.items["field_group"] = fg
    tenant = fg.state["tenant_id"]
    schema = up(
        make(SchemaProvider),
        {"sandbox": sandbox, "title": f"{prefix} events", "field_group_ids": [fg.state["field_group_id"]]},
    )
    chain.items["schema"] = schema
    dataset = up(
        make(DatasetProvider),
        {
            "sandbox": sandbox,
            "name": f"{prefix} dataset",
            "schema_id": schema.state["schema_id"],
            "delete_data_on_destroy": delete_data,
        },
    )
    chain.items["dataset"] = dataset
    chain.items["source"] = up(
        make(SourceConnectionProvider), {"sandbox": sandbox, "name": f"{prefix} source"}
    )
    chain.items["target"] = up(
        make(TargetConnectionProvider),
        {
            "sandbox": sandbox,
            "name": f"{prefix} target",
            "dataset_id": dataset.id,
            "schema_id": schema.state["schema_id"],
        },
    )
    mapping = up(
        make(MappingSetProvider),
        {
            "sandbox": sandbox,
            "name": f"{prefix} mapping",
            "schema_id": schema.state["schema_id"],
            "mappings": mappings(tenant),
        },
    )
    chain.items["mapping"] = mapping
    chain.items["flow"] = up(
        make(DataflowProvider),
        {
            "sandbox": sandbox,
            "name": f"{prefix} flow",
            "source_connection_id": chain["source"].id,
            "target_connection_id": chain["target"].id,
            "mapping_set_id": mapping.id,
            "mapping_version": float(mapping.state["version"]),  # the engine sends floats (O2)
            "inlet_timeout_seconds": 20,
        },
    )
    if webhook:
        chain.items["webhook"] = up(
            make(ReportingWebhookProvider),
            {
                "name": f"{prefix} webhook",
                "endpoint": chain["flow"].state["webhook_url"],
                "events": ["email_sent", "email_opened"],
            },
        )
    return chain


TEARDOWN_ORDER = ["webhook", "flow", "source", "target", "mapping", "dataset", "schema", "field_group"]


def destroy(chain: Chain) -> None:
    for key in TEARDOWN_ORDER:
        if key in chain.items:
            live = chain[key]
            live.provider.delete(live.id, live.state)
