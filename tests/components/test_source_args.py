"""`CustomerIoSourceArgs` in Pulumi's style: Outputs of other resources wire in, plain mistakes fail
when the component is built (during preview), naming the argument."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from aep_customerio.components.customerio_source import CustomerIoSource, CustomerIoSourceArgs
from aep_customerio.providers.connection import AepConnection
from tests.components.mocking import (
    DATASET,
    MAPPING_SET,
    SCHEMA,
    TARGET_CONNECTION,
    WEBHOOK,
    Deployment,
    deploy,
)

SCHEMA_ID = "https://ns.adobe.com/acme/schemas/0123456789abcdef"


def build(**args: Any) -> Deployment:
    def program() -> dict[str, Any]:
        return CustomerIoSource("cio", CustomerIoSourceArgs(**args)).outputs()

    return deploy(program)


def test_outputs_of_other_resources_wire_in() -> None:
    deployment = build(
        sandbox=pulumi.Output.from_input("dev"),
        description=pulumi.Output.from_input("from another stack"),
        existing_schema_id=pulumi.Output.from_input(SCHEMA_ID),
        tenant_id=pulumi.Output.from_input("acme"),
        enabled=pulumi.Output.from_input(False),
        events=pulumi.Output.from_input(["email_sent"]),
    )
    assert deployment.of_type(SCHEMA) == [], "a given schema is used, not created"
    dataset = deployment.one(DATASET)
    assert dataset.inputs["schema_id"] == SCHEMA_ID and dataset.inputs["sandbox"] == "dev"
    assert deployment.one(TARGET_CONNECTION).inputs["description"] == "from another stack"
    webhook = deployment.one(WEBHOOK)
    assert webhook.inputs["events"] == ["email_sent"] and webhook.inputs["disabled"] is True
    assert webhook.inputs["name"] == "AEP dev customerio"


def test_a_custom_field_is_addressed_without_the_tenant_spelling() -> None:
    deployment = build(sandbox="dev", mappings=[{"source": "data.campaign_id", "field": "campaign"}])
    rules = deployment.one(MAPPING_SET).inputs["mappings"]
    assert {
        "source_type": "ATTRIBUTE",
        "source": "data.campaign_id",
        "destination": "_acme.campaign",
    } in rules


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"events": ["email_sent", "nope"]}, "CustomerIoSourceArgs.events[1]"),
        ({"name": "Not A Label"}, "CustomerIoSourceArgs.name: got 'Not A Label'"),
        ({"extra_fields": {"bad name": {}}}, 'CustomerIoSourceArgs.extra_fields["bad name"]'),
        (
            {"mappings": [{"source": "a", "destination": "_x"}, {"source": "b", "destination": "_x"}]},
            "mapped twice",
        ),
        ({"existing_schema_id": SCHEMA_ID}, "existingSchemaId needs tenantId"),
        ({"mappings": [{"source": "a", "field": "f", "destination": "_x"}]}, "a `field` or a `destination`"),
    ],
)
def test_plain_mistakes_fail_when_built_naming_the_argument(args: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError) as caught:
        CustomerIoSourceArgs(sandbox="dev", **args)
    assert named in str(caught.value), str(caught.value)


def test_an_output_stands_in_for_a_given_value_in_cross_argument_rules() -> None:
    # existing_schema_id needs tenant_id: an Output tenant id counts as given
    CustomerIoSourceArgs(
        sandbox="dev", existing_schema_id=SCHEMA_ID, tenant_id=pulumi.Output.from_input("acme")
    )


def test_an_explicit_connection_reaches_every_aep_resource() -> None:
    for key, value in {"clientId": "id-2", "clientSecret": "secret-2", "orgId": "TWO@AdobeOrg"}.items():
        pulumi.runtime.set_config(f"aep-two:{key}", value)
    try:
        deployment = build(sandbox="stage", connection=AepConnection("aep-two"))
    finally:
        for key in ("clientId", "clientSecret", "orgId"):
            pulumi.runtime.config.CONFIG.get().pop(f"aep-two:{key}", None)
    aep = [r for r in deployment.registrations if r.custom and r.type != WEBHOOK]
    assert aep and all(r.inputs["connection"] == "aep-two" for r in aep)
    assert deployment.one(WEBHOOK).inputs["flow_connection"] == "aep-two"
    assert all("secret-2" not in str(r.inputs) for r in deployment.registrations)


def test_an_unconfigured_connection_fails_when_built_naming_its_keys() -> None:
    with pytest.raises(Exception) as caught:
        build(sandbox="stage", connection=AepConnection("aep-nowhere"))
    assert "aep-nowhere:clientId" in str(caught.value) and "aep-nowhere:orgId" in str(caught.value)
