"""check() and diff() of every provider, offline: validation, unknowns, floats, diff tables."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from aep_customerio.providers.base import BaseProvider
from aep_customerio.providers.dataflow import DataflowProvider
from aep_customerio.providers.dataset import DatasetProvider
from aep_customerio.providers.field_group import FieldGroupProvider
from aep_customerio.providers.mapping_set import MappingSetProvider
from aep_customerio.providers.reporting_webhook import ReportingWebhookProvider
from aep_customerio.providers.schema import SchemaProvider
from aep_customerio.providers.source_connection import SourceConnectionProvider
from aep_customerio.providers.target_connection import TargetConnectionProvider

SCHEMA = "https://ns.adobe.com/t/schemas/abc"
BASE: dict[type[BaseProvider[Any]], dict[str, Any]] = {
    FieldGroupProvider: {
        "sandbox": "dev",
        "title": "CIO fields",
        "fields": {"metric": {"type": "string"}},
    },
    SchemaProvider: {
        "sandbox": "dev",
        "title": "CIO events",
        "field_group_ids": ["fg1"],
    },
    DatasetProvider: {"sandbox": "dev", "name": "cio-events", "schema_id": SCHEMA},
    SourceConnectionProvider: {"sandbox": "dev", "name": "cio-source"},
    TargetConnectionProvider: {
        "sandbox": "dev",
        "name": "cio-target",
        "dataset_id": "ds1",
        "schema_id": SCHEMA,
    },
    MappingSetProvider: {
        "sandbox": "dev",
        "name": "cio-mapping",
        "schema_id": SCHEMA,
        "mappings": [{"source": "event_id", "destination": "_id"}],
    },
    DataflowProvider: {
        "sandbox": "dev",
        "name": "cio-flow",
        "source_connection_id": "s1",
        "target_connection_id": "t1",
        "mapping_set_id": "m1",
        "mapping_version": 0,
    },
    ReportingWebhookProvider: {
        "name": "aep",
        "endpoint": "https://dcs.adobedc.net/collection/x?x-adobe-flow-id=f",
        "events": ["email_sent"],
    },
}


def checked(provider: BaseProvider[Any], props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, {**props, "__provider": "p"})
    assert result.failures == []
    return result.inputs


# (provider, property, new value, replace?, delete_before_replace?)
DIFF_TABLE = [
    (FieldGroupProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (FieldGroupProvider, "title", "Other", False, None),
    (FieldGroupProvider, "description", "d", False, None),
    (
        FieldGroupProvider,
        "fields",
        {"metric": {"type": "string"}, "cio_id": {"type": "string"}},
        False,
        None,
    ),
    (
        FieldGroupProvider,
        "intended_class",
        "https://ns.adobe.com/xdm/context/profile",
        True,
        True,
    ),
    (SchemaProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (SchemaProvider, "title", "Other", False, None),
    (SchemaProvider, "field_group_ids", ["fg1", "fg2"], False, None),
    (
        SchemaProvider,
        "class_id",
        "https://ns.adobe.com/xdm/context/profile",
        True,
        True,
    ),
    (DatasetProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (DatasetProvider, "name", "other", False, None),
    (DatasetProvider, "description", "d", False, None),
    (DatasetProvider, "schema_id", "https://ns.adobe.com/t/schemas/new", True, True),
    (DatasetProvider, "delete_data_on_destroy", True, False, None),
    (SourceConnectionProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (SourceConnectionProvider, "name", "other", False, None),
    (SourceConnectionProvider, "description", "d", False, None),
    (SourceConnectionProvider, "connection_spec_id", "other-spec", True, True),
    (SourceConnectionProvider, "provider_id", "other-provider", True, True),
    (TargetConnectionProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (TargetConnectionProvider, "name", "other", False, None),
    (TargetConnectionProvider, "dataset_id", "ds2", True, True),
    (
        TargetConnectionProvider,
        "schema_id",
        "https://ns.adobe.com/t/schemas/new",
        True,
        True,
    ),
    (TargetConnectionProvider, "connection_spec_id", "other-spec", True, True),
    (MappingSetProvider, "sandbox", "prod", True, False),
    (MappingSetProvider, "name", "other", False, None),
    (
        MappingSetProvider,
        "mappings",
        [{"source": "metric", "destination": "_id"}],
        False,
        None,
    ),
    (
        MappingSetProvider,
        "schema_id",
        "https://ns.adobe.com/t/schemas/new",
        False,
        None,
    ),
    (DataflowProvider, "sandbox", "prod", True, False),  # another sandbox: create first
    (DataflowProvider, "name", "other", False, None),
    (DataflowProvider, "description", "d", False, None),
    (DataflowProvider, "source_connection_id", "s2", True, True),
    (DataflowProvider, "target_connection_id", "t2", True, True),
    (DataflowProvider, "flow_spec_id", "other-spec", True, True),
    (DataflowProvider, "mapping_set_id", "m2", False, None),
    (DataflowProvider, "mapping_version", 1, False, None),
    (DataflowProvider, "enabled", False, False, None),
    (ReportingWebhookProvider, "name", "other", False, None),
    (
        ReportingWebhookProvider,
        "endpoint",
        "https://dcs.adobedc.net/collection/y?x-adobe-flow-id=g",
        False,
        None,
    ),
    (ReportingWebhookProvider, "events", ["email_sent", "email_opened"], False, None),
    (ReportingWebhookProvider, "workspace", "transactional", True, False),  # another workspace's object
    (ReportingWebhookProvider, "disabled", True, False, None),
]


@pytest.mark.parametrize(("cls", "key", "value", "replace", "dbr"), DIFF_TABLE)
def test_diff_table(
    cls: type[BaseProvider[Any]], key: str, value: Any, replace: bool, dbr: bool | None
) -> None:
    provider = cls()
    olds = {**checked(provider, BASE[cls]), "etag": '"e1"', "__provider": "old"}
    news = checked(provider, {**BASE[cls], key: value})
    result = provider.diff("id", olds, news)
    assert result.changes is True
    assert result.replaces == ([key] if replace else [])
    assert result.delete_before_replace == (dbr if replace else None)


@pytest.mark.parametrize("cls", list(BASE))
def test_no_diff_ignores_server_fields_provider_and_floats(
    cls: type[BaseProvider[Any]],
) -> None:
    provider = cls()
    inputs = checked(provider, BASE[cls])
    olds = {
        **inputs,
        "etag": '"e1"',
        "version": 3.0,
        "createdAt": 1.0,
        "__provider": "old-code",
    }
    olds = {k: (float(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in olds.items()}
    result = provider.diff("id", olds, {**inputs, "__provider": "new-code"})
    assert result.changes is False and result.replaces == []


@pytest.mark.parametrize("cls", list(BASE))
def test_check_tolerates_unknowns(cls: type[BaseProvider[Any]]) -> None:
    provider = cls()
    props = {k: (UNKNOWN if k != "sandbox" else v) for k, v in BASE[cls].items()}
    result = provider.check({}, {**props, "__provider": UNKNOWN})
    assert result.failures == []
    assert all(result.inputs[k] == UNKNOWN for k in props if k != "sandbox")


def test_unknown_in_replace_field_is_a_replacement_elsewhere_an_update() -> None:
    provider = DataflowProvider()
    olds = checked(provider, BASE[DataflowProvider])
    result = provider.diff(
        "id",
        olds,
        {**olds, "source_connection_id": UNKNOWN, "mapping_version": UNKNOWN},
    )
    assert result.changes and result.replaces == ["source_connection_id"]
    result = provider.diff("id", olds, {**olds, "mapping_version": UNKNOWN})
    assert result.changes and result.replaces == []


def test_unknown_nested_inside_a_list_is_tolerated() -> None:
    props = {
        **BASE[MappingSetProvider],
        "mappings": [{"source": "x", "destination": UNKNOWN}],
    }
    assert MappingSetProvider().check({}, props).failures == []


def test_floats_become_ints_and_defaults_are_filled() -> None:
    inputs = checked(DataflowProvider(), {**BASE[DataflowProvider], "mapping_version": 2.0})
    assert inputs["mapping_version"] == 2 and isinstance(inputs["mapping_version"], int)
    assert inputs["enabled"] is True and inputs["flow_spec_id"].startswith("e77fde5a")
    assert None not in inputs.values()


@pytest.mark.parametrize(
    ("cls", "override", "prop"),
    [
        (DatasetProvider, {"sandbox": "Bad Sandbox"}, "sandbox"),
        (DatasetProvider, {"name": "  "}, "name"),
        (DatasetProvider, {"schema_id": None}, "schema_id"),
        (DatasetProvider, {"colour": "blue"}, "colour"),
        (FieldGroupProvider, {"fields": {"_bad": {"type": "string"}}}, "fields._bad.[key]"),
        (FieldGroupProvider, {"fields": {"x": {"type": "uuid"}}}, "fields.x.type"),
        (MappingSetProvider, {"mappings": []}, "mappings"),
        (MappingSetProvider, {"mappings": [{"source": "a", "destination": "_id", "source_type": "SQL"}]},
         "mappings.0.source_type"),
        (MappingSetProvider, {"mappings": [{"source": "a", "destination": "_id"}] * 2}, "mappings"),
        (DataflowProvider, {"mapping_version": -1}, "mapping_version"),
        (DataflowProvider, {"inlet_timeout_seconds": 0}, "inlet_timeout_seconds"),
        (ReportingWebhookProvider, {"events": ["email_sent", "email_teleported"]}, "events.1"),
        (ReportingWebhookProvider, {"events": []}, "events"),
        (ReportingWebhookProvider, {"endpoint": "http://dcs.adobedc.net/collection/x"}, "endpoint"),
    ],
)  # fmt: skip
def test_check_failures_name_the_property(
    cls: type[BaseProvider[Any]], override: dict[str, Any], prop: str
) -> None:
    props = {k: v for k, v in {**BASE[cls], **override}.items() if v is not None}
    result = cls().check({}, props)
    assert [f.property for f in result.failures] == [prop], [(f.property, f.reason) for f in result.failures]
    assert result.failures[0].reason.startswith(cls.kind)


def test_type_tokens_are_the_documented_ones() -> None:
    from aep_customerio.providers.dataflow import Dataflow
    from aep_customerio.providers.dataset import Dataset
    from aep_customerio.providers.field_group import FieldGroup
    from aep_customerio.providers.identity_descriptor import IdentityDescriptor
    from aep_customerio.providers.identity_namespace import IdentityNamespace
    from aep_customerio.providers.mapping_set import MappingSet
    from aep_customerio.providers.reporting_webhook import ReportingWebhook
    from aep_customerio.providers.schema import Schema
    from aep_customerio.providers.source_connection import SourceConnection
    from aep_customerio.providers.target_connection import TargetConnection
    from aep_customerio.providers.union_tag import UnionTag

    tokens = {
        cls._resource_type_name
        for cls in (
            FieldGroup,
            Schema,
            Dataset,
            SourceConnection,
            TargetConnection,
            MappingSet,
            Dataflow,
            IdentityNamespace,
            IdentityDescriptor,
            UnionTag,
        )
    }
    assert tokens == {
        f"dynamic/aep:{n}"
        for n in (
            "FieldGroup",
            "Schema",
            "Dataset",
            "SourceConnection",
            "TargetConnection",
            "MappingSet",
            "Dataflow",
            "IdentityNamespace",
            "IdentityDescriptor",
            "UnionTag",
        )
    }
    assert ReportingWebhook._resource_type_name == "dynamic/customerio:ReportingWebhook"


def test_webhook_endpoint_is_never_echoed_in_check_failures() -> None:
    endpoint = "ftp://dcs.example.net/collection/0123456789abcdef?x-adobe-flow-id=f"
    provider = ReportingWebhookProvider()
    result = provider.check({}, {"name": "hook", "endpoint": endpoint, "events": ["email_sent"]})
    assert [failure.property for failure in result.failures] == ["endpoint"]
    assert all("0123456789abcdef" not in failure.reason for failure in result.failures)
