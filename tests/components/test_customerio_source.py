"""`CustomerIoSource` wiring under Pulumi mocks: what is registered, with which inputs and options."""

from __future__ import annotations

import base64
import pickle
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from aep_customerio.components.customerio_source import TYPE_TOKEN, CustomerIoSource, CustomerIoSourceArgs
from aep_customerio.components.default_mapping import CUSTOM_FIELDS, default_rules, resolve_tenant
from aep_customerio.components.stack_config import SourceConfig, StackConfigError, parse_stack_config
from aep_customerio.providers.base import BaseProvider
from aep_customerio.providers.dataflow import DataflowProvider
from aep_customerio.providers.dataset import DatasetProvider
from aep_customerio.providers.field_group import FieldGroupProvider
from aep_customerio.providers.mapping_set import MappingSetProvider
from aep_customerio.providers.reporting_webhook import ReportingWebhookProvider
from aep_customerio.providers.schema import SchemaProvider
from aep_customerio.providers.source_connection import SourceConnectionProvider
from aep_customerio.providers.target_connection import TargetConnectionProvider
from tests.components.mocking import (
    AEP_TYPES,
    COMPONENT,
    DATAFLOW,
    DATASET,
    FIELD_GROUP,
    MAPPING_SET,
    SCHEMA,
    SOURCE_CONNECTION,
    TARGET_CONNECTION,
    WEBHOOK,
    Deployment,
    deploy,
    is_secret,
    unsecret,
)

ALL_TYPES = (*AEP_TYPES, WEBHOOK)
DATA_TYPES = (FIELD_GROUP, SCHEMA, DATASET)
PROVIDERS: dict[str, type[BaseProvider[Any]]] = {
    FIELD_GROUP: FieldGroupProvider,
    SCHEMA: SchemaProvider,
    DATASET: DatasetProvider,
    SOURCE_CONNECTION: SourceConnectionProvider,
    TARGET_CONNECTION: TargetConnectionProvider,
    MAPPING_SET: MappingSetProvider,
    DATAFLOW: DataflowProvider,
    WEBHOOK: ReportingWebhookProvider,
}


def source(**raw: Any) -> SourceConfig:
    (parsed,) = parse_stack_config({"sandbox": "dev", "sources": [raw]}).sources
    return parsed


def build(
    config: SourceConfig | None = None,
    *,
    name: str = "cio",
    sandbox: str = "dev",
    create_webhook: bool = True,
    tenant: str = "acme",
    inlet_timeout_seconds: float | None = None,
) -> Deployment:
    def program() -> dict[str, Any]:
        component = CustomerIoSource(
            name,
            CustomerIoSourceArgs.from_config(
                sandbox, config or SourceConfig(), create_webhook, inlet_timeout_seconds
            ),
        )
        return component.outputs()

    return deploy(program, tenant=tenant)


@pytest.fixture(scope="module")
def default() -> Deployment:
    return build()


# --- shape --------------------------------------------------------------------------


def test_component_and_children(default: Deployment) -> None:
    assert TYPE_TOKEN == COMPONENT
    (component,) = default.of_type(COMPONENT)
    assert component.name == "cio"
    assert not component.custom
    assert component.parent.endswith("::pulumi:pulumi:Stack::project-stack")
    children = default.children_of(component)
    assert sorted(r.type for r in children) == sorted(ALL_TYPES)
    assert {r.name for r in children} == {
        "cio-field-group",
        "cio-schema",
        "cio-dataset",
        "cio-source-connection",
        "cio-target-connection",
        "cio-mapping",
        "cio-dataflow",
        "cio-webhook",
    }
    assert len(default.registrations) == 1 + len(ALL_TYPES), "nothing outside the component"
    for child in children:
        assert child.custom
        assert f"{COMPONENT}$" in child.urn, "URN carries the parent type"


@pytest.mark.parametrize("typ", ALL_TYPES)
def test_dynamic_provider_is_pickled_into_inputs(default: Deployment, typ: str) -> None:
    pickled = default.one(typ).inputs["__provider"]
    assert is_secret(pickled)
    provider = pickle.loads(base64.b64decode(unsecret(pickled)))
    assert type(provider) is PROVIDERS[typ], "pickled by reference to an importable module"
    assert provider.__dict__ == {}, "no settings or clients travel in the state"


def test_pickled_providers_drop_runtime_state() -> None:
    provider = FieldGroupProvider()
    provider.__dict__["_rt_settings"] = "settings with credentials"
    assert isinstance(provider, BaseProvider)
    assert pickle.loads(base64.b64decode(serialize_provider(provider))).__dict__ == {}


def test_every_aep_child_gets_the_sandbox() -> None:
    deployment = build(sandbox="stage-2")
    for typ in AEP_TYPES:
        assert deployment.one(typ).inputs["sandbox"] == "stage-2", typ
    assert "sandbox" not in deployment.one(WEBHOOK).inputs
    assert deployment.one(WEBHOOK).inputs["name"] == "AEP stage-2 customerio"


# --- wiring -----------------------------------------------------------------------------


def test_ids_flow_from_resource_to_resource(default: Deployment) -> None:
    fg = default.one(FIELD_GROUP)
    schema = default.one(SCHEMA)
    dataset = default.one(DATASET)
    mapping = default.one(MAPPING_SET)
    target = default.one(TARGET_CONNECTION)
    flow = default.one(DATAFLOW)
    assert fg.inputs["fields"] == CUSTOM_FIELDS
    assert schema.inputs["field_group_ids"] == ["fg:cio-field-group"]
    assert dataset.inputs["schema_id"] == "https://ns.adobe.com/acme/schemas/cio-schema"
    assert mapping.inputs["schema_id"] == "https://ns.adobe.com/acme/schemas/cio-schema"
    assert target.inputs["schema_id"] == "https://ns.adobe.com/acme/schemas/cio-schema"
    assert target.inputs["dataset_id"] == "dataset:cio-dataset"
    assert flow.inputs["source_connection_id"] == "sc:cio-source-connection"
    assert flow.inputs["target_connection_id"] == "tc:cio-target-connection"
    assert flow.inputs["mapping_set_id"] == "ms:cio-mapping"
    assert flow.inputs["mapping_version"] == 0
    assert flow.inputs["enabled"] is True
    assert "inlet_timeout_seconds" not in flow.inputs
    assert schema.dependencies == (fg.urn,)
    assert dataset.dependencies == (schema.urn,)
    assert set(flow.dependencies) == {
        default.one(SOURCE_CONNECTION).urn,
        target.urn,
        mapping.urn,
    }


def test_titles_and_descriptions_name_the_source() -> None:
    deployment = build(source(name="eu", description="EU workspace"))
    assert deployment.one(FIELD_GROUP).inputs["title"] == "Customer.io eu reporting webhook fields"
    assert deployment.one(SCHEMA).inputs["title"] == "Customer.io eu events"
    assert deployment.one(SCHEMA).inputs["description"] == "EU workspace"
    assert deployment.one(DATASET).inputs["name"] == "Customer.io eu events"
    assert deployment.one(MAPPING_SET).inputs["name"] == "Customer.io eu to XDM"
    assert deployment.one(DATAFLOW).inputs["description"] == "EU workspace"


def test_webhook_points_at_the_dataflow(default: Deployment) -> None:
    webhook = default.one(WEBHOOK)
    flow = default.one(DATAFLOW)
    assert webhook.dependencies == (flow.urn,)
    endpoint = webhook.inputs["endpoint"]
    assert is_secret(endpoint), "the webhook URL carries the flow id: a secret"
    assert (
        unsecret(endpoint)
        == "https://dcs.example/collection/inlet-cio-dataflow?x-adobe-flow-id=flow:cio-dataflow"
    )
    assert webhook.inputs["events"] == SourceConfig().events
    assert webhook.inputs["disabled"] is False
    assert webhook.inputs["name"] == "AEP dev customerio"


def test_no_webhook_without_create_webhook() -> None:
    deployment = build(create_webhook=False)
    assert deployment.of_type(WEBHOOK) == []
    assert sorted(r.type for r in deployment.registrations if r.type != COMPONENT) == sorted(AEP_TYPES)
    assert "customerioWebhookId" not in deployment.result


def test_component_outputs(default: Deployment) -> None:
    outputs = default.result
    assert outputs == {
        "webhookUrl": "https://dcs.example/collection/inlet-cio-dataflow?x-adobe-flow-id=flow:cio-dataflow",
        "dataflowId": "flow:cio-dataflow",
        "sourceConnectionId": "sc:cio-source-connection",
        "targetConnectionId": "tc:cio-target-connection",
        "mappingSetId": "ms:cio-mapping",
        "mappingSetVersion": 0,
        "datasetId": "dataset:cio-dataset",
        "schemaId": "https://ns.adobe.com/acme/schemas/cio-schema",
        "customerioWebhookId": "wh:cio-webhook",
    }


def test_webhook_url_output_is_secret() -> None:
    def program() -> Any:
        component = CustomerIoSource(
            "cio", CustomerIoSourceArgs.from_config("dev", SourceConfig(), create_webhook=False)
        )
        url = component.outputs()["webhookUrl"]
        # apply() awaits an awaitable result: the Output's own secretness.
        return url.apply(lambda _: url.is_secret())

    assert deploy(program).result is True


def test_disabled_source_disables_flow_and_webhook() -> None:
    deployment = build(source(enabled=False, events=["email_sent", "email_opened"]))
    assert deployment.one(DATAFLOW).inputs["enabled"] is False
    webhook = deployment.one(WEBHOOK)
    assert webhook.inputs["disabled"] is True
    assert webhook.inputs["events"] == ["email_sent", "email_opened"]


def test_inlet_timeout_reaches_the_dataflow() -> None:
    assert build(inlet_timeout_seconds=42.5).one(DATAFLOW).inputs["inlet_timeout_seconds"] == 42.5


# --- mappings -------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", ["acme", "_acme"])
def test_mapping_set_has_the_tenant_substituted(tenant: str) -> None:
    mappings = build(tenant=tenant).one(MAPPING_SET).inputs["mappings"]
    assert mappings == resolve_tenant(default_rules(test_mode=False), "acme")
    destinations = {m["destination"] for m in mappings}
    assert {"_id", "timestamp", "_acme.cio_id", "_acme.email", "_acme.metric"} <= destinations
    assert not any("{tenant}" in d or "__" in d for d in destinations)


def test_test_mode_drops_cio_id_rule() -> None:
    mappings = build(source(testMode=True)).one(MAPPING_SET).inputs["mappings"]
    assert mappings == resolve_tenant(default_rules(test_mode=True), "acme")
    assert "_acme.cio_id" not in {m["destination"] for m in mappings}
    assert len(mappings) == len(default_rules(test_mode=False)) - 1


def test_custom_mappings_are_appended_and_resolved() -> None:
    config = source(
        extraFields={"campaign_id": {"type": "integer"}},
        mappings=[{"source": "data.campaign_id", "destination": "_{tenant}.campaign_id"}],
    )
    deployment = build(config)
    mappings = deployment.one(MAPPING_SET).inputs["mappings"]
    assert mappings[:-1] == resolve_tenant(default_rules(test_mode=False), "acme")
    assert mappings[-1] == {
        "source": "data.campaign_id",
        "destination": "_acme.campaign_id",
        "source_type": "ATTRIBUTE",
    }
    fields = deployment.one(FIELD_GROUP).inputs["fields"]
    assert fields == {**CUSTOM_FIELDS, "campaign_id": {"type": "integer"}}


def test_replace_default_mappings() -> None:
    config = source(
        replaceDefaultMappings=True,
        mappings=[
            {"source": "id", "destination": "_id"},
            {"source": "now()", "destination": "timestamp", "sourceType": "EXPRESSION"},
        ],
    )
    assert build(config).one(MAPPING_SET).inputs["mappings"] == [
        {"source": "id", "destination": "_id", "source_type": "ATTRIBUTE"},
        {"source": "now()", "destination": "timestamp", "source_type": "EXPRESSION"},
    ]


def test_custom_mapping_to_a_default_destination() -> None:
    raw = {"mappings": [{"source": "data.identifiers.email_address", "destination": "_{tenant}.email"}]}
    try:
        config = source(**raw)
    except StackConfigError as error:  # rejecting it up front is a fix too
        assert "email" in str(error)
        return
    mappings = build(config).one(MAPPING_SET).inputs["mappings"]
    destinations = [m["destination"] for m in mappings]
    assert len(destinations) == len(set(destinations))
    assert {
        "source": "data.identifiers.email_address",
        "destination": "_acme.email",
        "source_type": "ATTRIBUTE",
    } in (mappings)


def test_mapping_set_waits_for_the_schema_that_names_the_tenant(default: Deployment) -> None:
    mapping = default.one(MAPPING_SET)
    assert set(mapping.dependencies) == {default.one(SCHEMA).urn}
    assert default.one(FIELD_GROUP).urn in default.one(SCHEMA).dependencies


# --- bring your own schema / dataset ----------------------------------------------------


def test_bring_your_own_schema_and_dataset() -> None:
    config = source(
        existingSchemaId="https://ns.adobe.com/acme/schemas/own", existingDatasetId="own-ds", tenantId="_own"
    )
    deployment = build(config)
    for typ in DATA_TYPES:
        assert deployment.of_type(typ) == [], typ
    target = deployment.one(TARGET_CONNECTION)
    assert target.inputs["schema_id"] == "https://ns.adobe.com/acme/schemas/own"
    assert target.inputs["dataset_id"] == "own-ds"
    mapping = deployment.one(MAPPING_SET)
    assert mapping.inputs["schema_id"] == "https://ns.adobe.com/acme/schemas/own"
    assert mapping.inputs["mappings"] == resolve_tenant(default_rules(test_mode=False), "own")
    assert mapping.dependencies == ()
    assert deployment.result["schemaId"] == "https://ns.adobe.com/acme/schemas/own"
    assert deployment.result["datasetId"] == "own-ds"
    assert len(deployment.of_type(DATAFLOW)) == 1 and len(deployment.of_type(WEBHOOK)) == 1


def test_bring_your_own_schema_only_creates_the_dataset() -> None:
    deployment = build(source(existingSchemaId="own-schema", tenantId="own"))
    assert deployment.of_type(FIELD_GROUP) == [] and deployment.of_type(SCHEMA) == []
    dataset = deployment.one(DATASET)
    assert dataset.inputs["schema_id"] == "own-schema"
    assert dataset.retain_on_delete is True
    assert deployment.one(TARGET_CONNECTION).inputs["dataset_id"] == "dataset:cio-dataset"
    destinations = [rule["destination"] for rule in deployment.one(MAPPING_SET).inputs["mappings"]]
    assert "_own.object_type" in destinations


# --- data retention -----------------------------------------------------------------------


def test_data_is_retained_by_default(default: Deployment) -> None:
    for typ in DATA_TYPES:
        assert default.one(typ).retain_on_delete is True, typ
    assert default.one(DATASET).inputs["delete_data_on_destroy"] is False
    for typ in (SOURCE_CONNECTION, TARGET_CONNECTION, MAPPING_SET, DATAFLOW, WEBHOOK):
        assert not default.one(typ).retain_on_delete, typ


def test_delete_data_on_destroy_opts_out_of_retention() -> None:
    deployment = build(source(deleteDataOnDestroy=True))
    for typ in DATA_TYPES:
        assert not deployment.one(typ).retain_on_delete, typ
    assert deployment.one(DATASET).inputs["delete_data_on_destroy"] is True


# --- several components ---------------------------------------------------------------------


def test_two_components_have_distinct_resources() -> None:
    def program() -> list[Any]:
        components = [
            CustomerIoSource(
                name, CustomerIoSourceArgs.from_config("dev", source(name=name), create_webhook=True)
            )
            for name in ("us", "eu")
        ]
        return [c.dataflow_id for c in components]

    deployment = deploy(program)
    assert deployment.result == ["flow:us-dataflow", "flow:eu-dataflow"]
    names = [r.name for r in deployment.registrations]
    urns = [r.urn for r in deployment.registrations]
    assert len(set(names)) == len(names) == 2 * (1 + len(ALL_TYPES))
    assert len(set(urns)) == len(urns)
    for component in deployment.of_type(COMPONENT):
        children = deployment.children_of(component)
        assert sorted(r.type for r in children) == sorted(ALL_TYPES)
        assert all(r.name.startswith(f"{component.name}-") for r in children)
    us_flow = deployment.one(DATAFLOW, "us")
    assert us_flow.inputs["mapping_set_id"] == "ms:us-mapping"
    assert deployment.one(WEBHOOK, "eu").inputs["name"] == "AEP dev eu"
    assert deployment.one(WEBHOOK, "eu").dependencies == (deployment.one(DATAFLOW, "eu").urn,)
