"""Every remote object the project manages: registering a resource here is the one line that makes
the declaration conformance tests (``tests/providers/test_declarations.py``) cover it."""

from __future__ import annotations

from aep_customerio.providers.dataflow import Dataflow
from aep_customerio.providers.dataset import Dataset
from aep_customerio.providers.declaration import DynamicResource
from aep_customerio.providers.field_group import FieldGroup
from aep_customerio.providers.identity_descriptor import IdentityDescriptor
from aep_customerio.providers.identity_namespace import IdentityNamespace
from aep_customerio.providers.mapping_set import MappingSet
from aep_customerio.providers.reporting_webhook import ReportingWebhook
from aep_customerio.providers.schema import Schema
from aep_customerio.providers.source_connection import SourceConnection
from aep_customerio.providers.target_connection import TargetConnection
from aep_customerio.providers.union_tag import UnionTag

RESOURCES: tuple[type[DynamicResource], ...] = (
    FieldGroup,
    Schema,
    IdentityNamespace,  # Profile, in AEP's order: namespace, primary identity, union tag, dataset tags
    IdentityDescriptor,
    UnionTag,
    Dataset,
    SourceConnection,
    TargetConnection,
    MappingSet,
    Dataflow,
    ReportingWebhook,
)
