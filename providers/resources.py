"""Every remote object the project manages: registering a resource here is the one line that makes
the declaration conformance tests (``tests/providers/test_declarations.py``) cover it."""

from __future__ import annotations

from providers.dataflow import Dataflow
from providers.dataset import Dataset
from providers.declaration import DynamicResource
from providers.field_group import FieldGroup
from providers.mapping_set import MappingSet
from providers.reporting_webhook import ReportingWebhook
from providers.schema import Schema
from providers.source_connection import SourceConnection
from providers.target_connection import TargetConnection

RESOURCES: tuple[type[DynamicResource], ...] = (
    FieldGroup,
    Schema,
    Dataset,
    SourceConnection,
    TargetConnection,
    MappingSet,
    Dataflow,
    ReportingWebhook,
)
