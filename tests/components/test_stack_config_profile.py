"""The per-source Profile and flow-option keys of the stack config (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from aep_customerio.components.stack_config import (
    DEFAULT_IDENTITY_FIELD,
    DEFAULT_IDENTITY_NAMESPACE,
    StackConfigError,
    parse_stack_config,
)


def source_of(**source: Any) -> Any:
    return parse_stack_config({"sandbox": "dev", "sources": [source]}).sources[0]


def error_of(**source: Any) -> str:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config({"sandbox": "dev", "sources": [source]})
    return str(caught.value)


def test_defaults_are_off_and_the_identity_is_cio_id_in_a_custom_namespace() -> None:
    source = source_of()
    assert source.profile is False and source.partial_ingestion_percent is None
    assert source.error_diagnostics_enabled is False
    assert (DEFAULT_IDENTITY_FIELD, DEFAULT_IDENTITY_NAMESPACE) == ("cio_id", "CustomerIOID")
    assert (source.identity_field, source.identity_namespace) == ("cio_id", "CustomerIOID")


def test_camel_case_keys() -> None:
    source = source_of(
        profile=True, identityField="id", identityNamespace="CIOPersonID", partialIngestionPercent="5"
    )
    assert source.profile and source.identity_field == "id" and source.identity_namespace == "CIOPersonID"
    assert source.partial_ingestion_percent == 5 and source.error_diagnostics_enabled is True


def test_error_diagnostics_alone() -> None:
    assert source_of(errorDiagnostics=True).error_diagnostics_enabled is True


def test_an_extra_string_field_may_be_the_identity() -> None:
    source = source_of(profile=True, extraFields={"crm_id": {"type": "string"}}, identityField="crm_id")
    assert source.identity_field == "crm_id"


@pytest.mark.parametrize(
    ("source", "key", "says"),
    [
        ({"partialIngestionPercent": 0}, "partialIngestionPercent", "greater than 0"),
        ({"partialIngestionPercent": 101}, "partialIngestionPercent", "less than or equal to 100"),
        ({"partialIngestionPercent": 5, "errorDiagnostics": False}, "sources[0]", "needs error diagnostics"),
        ({"profile": True, "identityField": "metric2"}, "sources[0]", "must be a string field"),
        ({"profile": True, "testMode": True}, "sources[0]", "carry no cio_id"),
        ({"identityNamespace": "Customer-IO"}, "identityNamespace", "Customer-IO"),
        (
            {"profile": True, "existingSchemaId": "s", "tenantId": "t"},
            "sources[0]",
            "cannot be undone",
        ),
    ],
)
def test_refused_with_the_key_named(source: dict[str, Any], key: str, says: str) -> None:
    message = error_of(**source)
    assert f"aep-customerio:{key}" in message or f"aep-customerio:sources[0].{key}" in message
    assert says in message
