"""`parse_stack_config`: what a stack may say, and how a mistake is reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from aep_customerio.components.stack_config import (
    DEFAULT_EVENTS,
    NAMESPACE,
    SourceConfig,
    StackConfig,
    StackConfigError,
    config_path,
    parse_stack_config,
)
from aep_customerio.providers.types import (
    Description,
    FieldName,
    InletTimeout,
    Label,
    MappingRules,
    Sandbox,
    XdmField,
)

FIX_HINT = f"pulumi config set {NAMESPACE}:<key> <value>"


def error_of(raw: dict[str, Any]) -> str:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw)
    message = str(caught.value)
    assert message.startswith("invalid stack configuration:")
    assert FIX_HINT in message, "the message says how to fix it"
    return message


def with_source(**source: Any) -> dict[str, Any]:
    return {"sandbox": "dev", "sources": [source]}


# --- accepted ---------------------------------------------------------------------


def test_minimal_config_gives_one_default_source() -> None:
    config = parse_stack_config({"sandbox": "dev"})
    assert isinstance(config, StackConfig)
    assert config.sandbox == "dev"
    (source,) = config.sources
    assert source.name == "customerio"
    assert source.events == list(DEFAULT_EVENTS)
    assert source.test_mode is False
    assert source.enabled is True
    assert source.delete_data_on_destroy is False
    assert source.create_webhook is None
    assert source.existing_schema_id is None and source.existing_dataset_id is None
    assert source.mappings == [] and source.extra_fields == {}
    assert source.replace_default_mappings is False


def test_default_events_are_not_shared_between_sources() -> None:
    one, two = parse_stack_config({"sandbox": "dev", "sources": [{"name": "a"}, {"name": "b"}]}).sources
    assert one.events == two.events
    assert one.events is not two.events


@pytest.mark.parametrize("sandbox", ["prod", "dev", "stage-2", "0sandbox", "a" * 64])
def test_valid_sandbox_names(sandbox: str) -> None:
    assert parse_stack_config({"sandbox": sandbox}).sandbox == sandbox


def test_camel_case_keys() -> None:
    config = parse_stack_config(
        with_source(
            name="eu-workspace",
            testMode=True,
            extraFields={"campaign_id": {"type": "integer", "title": "Campaign"}},
            mappings=[{"source": "data.campaign_id", "destination": "_{tenant}.campaign_id"}],
            replaceDefaultMappings=False,
            enabled=False,
            deleteDataOnDestroy=True,
            createWebhook=False,
            events=["email_sent"],
        )
    )
    (source,) = config.sources
    assert source.name == "eu-workspace"
    assert source.test_mode is True
    assert source.extra_fields["campaign_id"].type == "integer"
    assert source.extra_fields["campaign_id"].title == "Campaign"
    assert source.mappings[0].source_type == "ATTRIBUTE"
    assert source.mappings[0].destination == "_{tenant}.campaign_id"
    assert source.enabled is False
    assert source.delete_data_on_destroy is True
    assert source.create_webhook is False
    assert source.events == ["email_sent"]


def test_bring_your_own_schema_and_dataset_in_camel_case() -> None:
    (source,) = parse_stack_config(
        with_source(
            existingSchemaId="https://ns.adobe.com/acme/schemas/1", existingDatasetId="ds1", tenantId="_acme"
        )
    ).sources
    assert source.existing_schema_id == "https://ns.adobe.com/acme/schemas/1"
    assert source.existing_dataset_id == "ds1"
    assert source.tenant_id == "_acme"


def test_snake_case_field_names_are_accepted_too() -> None:
    (source,) = parse_stack_config(with_source(test_mode=True, delete_data_on_destroy=True)).sources
    assert source.test_mode is True and source.delete_data_on_destroy is True


def test_existing_schema_without_dataset_is_fine() -> None:
    (source,) = parse_stack_config(with_source(existingSchemaId="s", tenantId="acme")).sources
    assert source.existing_dataset_id is None


def test_replace_default_mappings_with_mappings() -> None:
    (source,) = parse_stack_config(
        with_source(
            replaceDefaultMappings=True,
            mappings=[{"source": "now()", "destination": "timestamp", "sourceType": "EXPRESSION"}],
        )
    ).sources
    assert source.replace_default_mappings is True
    assert source.mappings[0].source_type == "EXPRESSION"


def test_config_is_frozen() -> None:
    config = parse_stack_config({"sandbox": "dev"})
    with pytest.raises(ValueError):
        setattr(config, "sandbox", "prod")  # noqa: B010 - frozen model


# --- rejected ---------------------------------------------------------------------


@pytest.mark.parametrize("sandbox", ["Dev", "", "-dev", "dev_1", "dev sandbox", "a" * 65, "prod\n"])
def test_bad_sandbox_names(sandbox: str) -> None:
    message = error_of({"sandbox": sandbox})
    assert f"{NAMESPACE}:sandbox:" in message
    assert "lower-case letters, digits and dashes" in message


def test_missing_sandbox() -> None:
    message = error_of({})
    assert f"{NAMESPACE}:sandbox:" in message
    assert "required" in message.lower()


def test_duplicate_source_names() -> None:
    message = error_of({"sandbox": "dev", "sources": [{"name": "a"}, {"name": "b"}, {"name": "a"}]})
    assert f"{NAMESPACE}:sources:" in message
    assert "unique" in message and "repeated: a" in message


def test_two_default_named_sources_are_duplicates() -> None:
    message = error_of({"sandbox": "dev", "sources": [{}, {}]})
    assert "repeated: customerio" in message


def test_empty_source_list() -> None:
    assert f"{NAMESPACE}:sources:" in error_of({"sandbox": "dev", "sources": []})


@pytest.mark.parametrize("name", ["", "Customerio", "1st", "cio_eu", "-cio", "cio eu", "a" * 41])
def test_bad_source_names(name: str) -> None:
    message = error_of(with_source(name=name))
    assert f"{NAMESPACE}:sources" in message
    assert "name" in message


def test_existing_dataset_needs_existing_schema() -> None:
    message = error_of(with_source(existingDatasetId="ds1"))
    assert f"{NAMESPACE}:sources" in message
    assert "existingDatasetId needs existingSchemaId" in message


def test_existing_schema_needs_tenant_id() -> None:
    message = error_of(with_source(existingSchemaId="s"))
    assert f"{NAMESPACE}:sources" in message
    assert "existingSchemaId needs tenantId" in message
    assert "schemaregistry/stats" in message, "says where to find the tenant id"


def test_extra_fields_not_with_existing_schema() -> None:
    message = error_of(with_source(existingSchemaId="s", tenantId="acme", extraFields={"x": {}}))
    assert "extraFields only applies to the schema this program creates" in message


def test_replace_default_mappings_needs_mappings() -> None:
    message = error_of(with_source(replaceDefaultMappings=True))
    assert "replaceDefaultMappings is true but no mappings are given" in message


def test_unknown_top_level_key() -> None:
    message = error_of({"sandbox": "dev", "sandboxes": ["prod"]})
    assert f"{NAMESPACE}:sandboxes:" in message
    assert "Extra inputs are not permitted" in message


@pytest.mark.parametrize(
    "source",
    [
        {"testmode": True},
        {"existingSchemaID": "s"},
        {"extraFields": {"x": {"type": "string", "format": "email"}}},
        {"mappings": [{"source": "a", "destination": "b", "target": "c"}]},
    ],
)
def test_unknown_nested_keys(source: dict[str, Any]) -> None:
    message = error_of(with_source(**source))
    assert f"{NAMESPACE}:sources" in message
    assert "Extra inputs are not permitted" in message


@pytest.mark.parametrize(
    "source",
    [
        {"testMode": "maybe"},
        {"events": []},
        {"extraFields": {"x": {"type": "uuid"}}},
        {"mappings": [{"source": "", "destination": "b"}]},
        {"mappings": [{"source": "a", "destination": "b", "sourceType": "CONSTANT"}]},
    ],
)
def test_bad_values(source: dict[str, Any]) -> None:
    assert f"{NAMESPACE}:sources" in error_of(with_source(**source))


def test_every_problem_is_listed() -> None:
    message = error_of({"sandbox": "Dev", "colour": "red"})
    assert f"{NAMESPACE}:sandbox:" in message
    assert f"{NAMESPACE}:colour:" in message


def test_error_is_a_value_error_without_pydantic_chain() -> None:
    with pytest.raises(ValueError) as caught:
        parse_stack_config({"sandbox": "Dev"})
    assert isinstance(caught.value, StackConfigError)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_source_config_defaults_match_the_parsed_default() -> None:
    assert parse_stack_config({"sandbox": "dev"}).sources == [SourceConfig()]


# --- key paths in messages ----------------------------------------------------------


def test_field_error_names_the_camel_case_key() -> None:
    message = error_of(with_source(testMode="maybe"))
    assert "testMode" in message


def test_list_index_uses_pulumi_path_syntax() -> None:
    message = error_of({"sandbox": "dev", "sources": [{"name": "ok"}, {"name": "Bad_Name"}]})
    assert f"{NAMESPACE}:sources[1].name:" in message


def test_unknown_event_names_are_rejected() -> None:
    message = error_of(with_source(events=["email_sent", "email_sentt"]))
    assert f"{NAMESPACE}:sources[0].events" in message or f"{NAMESPACE}:sources.0.events" in message


def test_bad_extra_field_names_are_rejected() -> None:
    error_of(with_source(extraFields={"campaign id": {"type": "string"}}))


def test_error_names_the_offending_value() -> None:
    message = error_of(with_source(events=["email_sent", "email_exploded"]))
    assert f"{NAMESPACE}:sources[0].events[1]: got 'email_exploded'" in message


# --- one rule, stated once in providers.types --------------------------------------------


def test_inlet_timeout_is_part_of_the_model() -> None:
    assert parse_stack_config({"sandbox": "dev"}).inlet_timeout_seconds is None
    assert parse_stack_config({"sandbox": "dev", "inletTimeoutSeconds": "42.5"}).inlet_timeout_seconds == 42.5


@pytest.mark.parametrize("timeout", ["0", "-1", "3601", "soon"])
def test_bad_inlet_timeout(timeout: str) -> None:
    message = error_of({"sandbox": "dev", "inletTimeoutSeconds": timeout})
    assert f"{NAMESPACE}:inletTimeoutSeconds: got '{timeout}'" in message


def accepts(parse: Callable[[Any], object], value: Any) -> bool:
    try:
        parse(value)
    except (ValidationError, StackConfigError):
        return False
    return True


@pytest.mark.parametrize(
    ("shared_type", "config_of", "values"),
    [
        (Sandbox, lambda v: {"sandbox": v}, ["dev", "Dev", "0a", "a" * 64, "a" * 65, "-x", "prod\n"]),
        (Label, lambda v: with_source(name=v), ["cio", "Cio", "a" * 40, "a" * 41, "1x", "c-1"]),
        (Label, lambda v: with_source(customerioWorkspace=v), ["eu", "EU", "e_u"]),
        (Description, lambda v: with_source(description=v), ["", "d" * 2000, "d" * 2001]),
        (InletTimeout, lambda v: {"sandbox": "dev", "inletTimeoutSeconds": v}, [1, 0, 3600, 3601, -2]),
        (dict[FieldName, XdmField], lambda v: with_source(extraFields=v), [{"a_1": {}}, {"1a": {}}]),
        (dict[FieldName, XdmField], lambda v: with_source(extraFields=v), [{"a": {"type": "uuid"}}]),
        (
            MappingRules,
            lambda v: with_source(mappings=v),
            [
                [{"source": "a", "destination": "x"}, {"source": "b", "destination": "x"}],
                [{"source": "", "destination": "x"}],
                [{"source": "a", "destination": "x", "source_type": "STATIC"}],
                [{"source": "a", "destination": "x", "source_type": "CONSTANT"}],
            ],
        ),
    ],
)
def test_config_accepts_what_the_resources_accept(
    shared_type: Any, config_of: Callable[[Any], dict[str, Any]], values: list[Any]
) -> None:
    """Each rule is stated once, in providers.types: the config says yes exactly where it says yes."""
    for value in values:
        provider_says = accepts(TypeAdapter(shared_type).validate_python, value)
        assert accepts(lambda v: parse_stack_config(config_of(v)), value) == provider_says, value


def test_duplicate_mapping_destinations_fail_with_the_key() -> None:
    rules = [
        {"source": "data.a", "destination": "_{tenant}.a"},
        {"source": "data.b", "destination": "_{tenant}.a", "sourceType": "ATTRIBUTE"},
    ]
    message = error_of(with_source(mappings=rules))
    assert f"{NAMESPACE}:sources[0].mappings: destination '_{{tenant}}.a' is mapped twice" in message


def test_description_longer_than_aep_allows_is_named_not_echoed() -> None:
    message = error_of(with_source(description="d" * 100_000))
    assert f"{NAMESPACE}:sources[0].description: got 'ddd" in message
    assert "(100000 characters)" in message and "at most 2000 characters" in message
    assert "d" * 100 not in message and len(message) < 800


def test_extra_fields_may_carry_a_description() -> None:
    field = {"type": "string", "title": "Campaign", "description": "Customer.io campaign id"}
    (source,) = parse_stack_config(with_source(extraFields={"campaign_id": field})).sources
    assert source.extra_fields["campaign_id"].description == "Customer.io campaign id"


def test_bad_extra_field_name_is_quoted_in_the_path() -> None:
    message = error_of(with_source(extraFields={"campaign id": {"type": "string"}}))
    assert (
        f"{NAMESPACE}:sources[0].extraFields[\"campaign id\"]: got 'campaign id': expected a field name"
        in message
    )


def test_bad_workspace_name() -> None:
    message = error_of(with_source(customerioWorkspace="EU"))
    assert f"{NAMESPACE}:sources[0].customerioWorkspace: got 'EU': expected a lower-case name" in message


def test_config_path_syntax() -> None:
    assert config_path(("sources", 1, "mappings", 0, "sourceType")) == "sources[1].mappings[0].sourceType"
    assert config_path(("sources", 0, "extraFields", "a b", "[key]")) == 'sources[0].extraFields["a b"]'
