"""`CustomerIoSource`: one Customer.io workspace streaming into one AEP sandbox.

It builds, in Adobe's order, the XDM field group and ExperienceEvent schema, the dataset, the
target and source connections, the Data Prep mapping set and the dataflow; waits for the
dataflow's inlet URL; and, when asked to, registers the Customer.io reporting webhook
`{inletUrl}?x-adobe-flow-id={flowId}` (a secret). Dependencies make `pulumi destroy` remove the
webhook first, then the dataflow, then what the dataflow used.

Children are wired by their resource ids (each object's AEP id), not by their id outputs: the
engine keeps an id known while it previews an update, whereas a dynamic provider's other outputs
turn unknown, which would preview every dependent of an updated object as a replacement.
"""

from __future__ import annotations

from typing import Any

import pulumi

from aep_customerio.components.default_mapping import (
    CUSTOM_FIELDS,
    mapping_rules,
    resolve_tenant,
    tenant_of_schema,
)
from aep_customerio.components.source_args import ArgumentError, CustomerIoSourceArgs
from aep_customerio.providers.dataflow import Dataflow, DataflowArgs
from aep_customerio.providers.dataset import Dataset, DatasetArgs
from aep_customerio.providers.field_group import FieldGroup, FieldGroupArgs
from aep_customerio.providers.identity_descriptor import IdentityDescriptor, IdentityDescriptorArgs
from aep_customerio.providers.identity_namespace import IdentityNamespace, IdentityNamespaceArgs
from aep_customerio.providers.mapping_set import MappingSet, MappingSetArgs
from aep_customerio.providers.reporting_webhook import ReportingWebhook, ReportingWebhookArgs
from aep_customerio.providers.schema import Schema, SchemaArgs
from aep_customerio.providers.settings import ConfigurationError
from aep_customerio.providers.source_connection import SourceConnection, SourceConnectionArgs
from aep_customerio.providers.target_connection import TargetConnection, TargetConnectionArgs
from aep_customerio.providers.union_tag import UnionTag, UnionTagArgs

__all__ = ["TYPE_TOKEN", "CustomerIoSource", "CustomerIoSourceArgs"]

TYPE_TOKEN = "aep-customerio:index:CustomerIoSource"


class CustomerIoSource(pulumi.ComponentResource):
    webhook_url: pulumi.Output[str]
    dataflow_id: pulumi.Output[str]
    inlet_url: pulumi.Output[str]
    source_connection_id: pulumi.Output[str]
    target_connection_id: pulumi.Output[str]
    mapping_set_id: pulumi.Output[str]
    mapping_set_version: pulumi.Output[int]
    dataset_id: pulumi.Output[str]
    schema_id: pulumi.Output[str]
    webhook_id: pulumi.Output[str] | None
    customerio_workspace: str | None

    def __init__(
        self, name: str, args: CustomerIoSourceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        sandbox = args.sandbox
        connection = _connection(args)
        child = pulumi.ResourceOptions(parent=self)
        # Without the opt-in, destroy and replacement leave the data (and what describes it) in AEP.
        # Decided here, not only in the Dataset provider's "holds data" guard: that guard can only
        # speak for the dataset, and the schema and field group would then stay only as long as AEP
        # refuses to delete what a dataset still uses.
        keep_data = pulumi.ResourceOptions(parent=self, retain_on_delete=not args.delete_data_on_destroy)
        label = f"Customer.io {args.name}"

        tenant_id: pulumi.Input[str]
        schema_id: pulumi.Input[str]
        if args.existing_schema_id:
            schema_id = args.existing_schema_id
            tenant_id = args.tenant_id or ""
        else:
            fields = {
                **CUSTOM_FIELDS,
                **{k: dict(v) for k, v in args.extra_fields.items()},
            }
            field_group = FieldGroup(
                f"{name}-field-group",
                FieldGroupArgs(
                    sandbox=sandbox,
                    connection=connection,
                    title=f"{label} reporting webhook fields",
                    description=f"Fields of Customer.io reporting webhook events ({args.name})",
                    fields=fields,
                ),
                keep_data,
            )
            schema = Schema(
                f"{name}-schema",
                SchemaArgs(
                    sandbox=sandbox,
                    connection=connection,
                    title=f"{label} events",
                    description=args.description,
                    field_group_ids=[field_group.id],
                ),
                keep_data,
            )
            # Read from the schema's id rather than the field group's tenant_id output: the id stays
            # known while a field-group update is previewed, so the mapping set does not look changed.
            schema_id, tenant_id = schema.id, schema.id.apply(tenant_of_schema)

        dataset_opts = keep_data
        if args.profile and not args.existing_schema_id:
            union = self._profile(name, args, schema_id, tenant_id)
            dataset_opts = pulumi.ResourceOptions.merge(keep_data, pulumi.ResourceOptions(depends_on=[union]))

        dataset_id: pulumi.Input[str]
        if args.existing_dataset_id:
            dataset_id = args.existing_dataset_id
        else:
            dataset = Dataset(
                f"{name}-dataset",
                DatasetArgs(
                    sandbox=sandbox,
                    connection=connection,
                    name=f"{label} events",
                    description=args.description,
                    schema_id=schema_id,
                    delete_data_on_destroy=args.delete_data_on_destroy,
                    profile_enabled=args.profile,
                    identity_enabled=args.profile,
                ),
                dataset_opts,
            )
            dataset_id = dataset.id

        rules = mapping_rules(
            [dict(rule) for rule in args.mappings], args.replace_default_mappings, args.test_mode
        )
        mapping_set = MappingSet(
            f"{name}-mapping",
            MappingSetArgs(
                sandbox=sandbox,
                connection=connection,
                name=f"{label} to XDM",
                schema_id=schema_id,
                mappings=pulumi.Output.from_input(tenant_id).apply(lambda t: resolve_tenant(rules, t)),
            ),
            child,
        )
        target_connection = TargetConnection(
            f"{name}-target-connection",
            TargetConnectionArgs(
                sandbox=sandbox,
                connection=connection,
                name=f"{label} target connection",
                description=args.description,
                dataset_id=dataset_id,
                schema_id=schema_id,
            ),
            child,
        )
        source_connection = SourceConnection(
            f"{name}-source-connection",
            SourceConnectionArgs(
                sandbox=sandbox,
                connection=connection,
                name=f"{label} source connection",
                description=args.description,
            ),
            child,
        )
        dataflow = Dataflow(
            f"{name}-dataflow",
            DataflowArgs(
                sandbox=sandbox,
                connection=connection,
                name=f"{label} dataflow",
                description=args.description,
                source_connection_id=source_connection.id,
                target_connection_id=target_connection.id,
                mapping_set_id=mapping_set.id,
                mapping_version=mapping_set.version,
                enabled=args.enabled,
                inlet_timeout_seconds=args.inlet_timeout_seconds,
                error_diagnostics_enabled=(
                    args.error_diagnostics
                    if args.error_diagnostics is not None
                    else args.partial_ingestion_percent is not None
                ),
                partial_ingestion_percent=args.partial_ingestion_percent,
            ),
            child,
        )

        self.webhook_url = dataflow.webhook_url
        self.webhook_id = None
        if args.create_webhook:
            webhook = ReportingWebhook(
                f"{name}-webhook",
                ReportingWebhookArgs(
                    name=pulumi.Output.concat("AEP ", sandbox, " ", args.name),
                    endpoint=dataflow.webhook_url,
                    events=args.events,
                    disabled=pulumi.Output.from_input(args.enabled).apply(lambda on: not on),
                    workspace=args.customerio_workspace,
                    flow_sandbox=sandbox,
                    flow_connection=connection,
                ),
                # Customer.io holds back every later event while deliveries fail: the webhook
                # must go before the dataflow it points at.
                pulumi.ResourceOptions(parent=self, depends_on=[dataflow]),
            )
            self.webhook_id = webhook.webhook_id

        self.dataflow_id = dataflow.flow_id
        self.inlet_url = dataflow.inlet_url
        self.source_connection_id = source_connection.source_connection_id
        self.target_connection_id = target_connection.target_connection_id
        self.mapping_set_id = mapping_set.mapping_set_id
        self.mapping_set_version = mapping_set.version
        self.dataset_id = pulumi.Output.from_input(dataset_id)
        self.schema_id = pulumi.Output.from_input(schema_id)
        self.customerio_workspace = args.customerio_workspace
        self.register_outputs(self.outputs())

    def _profile(
        self,
        name: str,
        args: CustomerIoSourceArgs,
        schema_id: pulumi.Input[str],
        tenant_id: pulumi.Input[str],
    ) -> pulumi.Resource:
        """Profile, in AEP's order: the namespace, the schema's primary identity descriptor, the
        union tag; the dataset's Profile/Identity tags come after (the dataset depends on the tag)."""
        connection = _connection(args)
        child = pulumi.ResourceOptions(parent=self)
        namespace = IdentityNamespace(
            f"{name}-identity-namespace",
            IdentityNamespaceArgs(
                sandbox=args.sandbox,
                connection=connection,
                code=args.identity_namespace,
                name=f"Customer.io {args.identity_field}",
                description=f"Customer.io people ({args.identity_field}), created by aep-customerio",
            ),
            child,
        )
        field = args.identity_field
        descriptor = IdentityDescriptor(
            f"{name}-primary-identity",
            IdentityDescriptorArgs(
                sandbox=args.sandbox,
                connection=connection,
                schema_id=schema_id,
                source_property=pulumi.Output.from_input(tenant_id).apply(lambda t: f"/_{t}/{field}"),
                namespace=namespace.code,
            ),
            child,
        )
        return UnionTag(
            f"{name}-union-tag",
            UnionTagArgs(
                sandbox=args.sandbox, connection=connection, schema_id=schema_id, descriptor_id=descriptor.id
            ),
            child,
        )

    def outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {
            "webhookUrl": pulumi.Output.secret(self.webhook_url),
            "dataflowId": self.dataflow_id,
            "sourceConnectionId": self.source_connection_id,
            "targetConnectionId": self.target_connection_id,
            "mappingSetId": self.mapping_set_id,
            "mappingSetVersion": self.mapping_set_version,
            "datasetId": self.dataset_id,
            "schemaId": self.schema_id,
        }
        if self.webhook_id is not None:
            outputs["customerioWebhookId"] = self.webhook_id
        if self.customerio_workspace:  # which App API key the health check uses for the webhook
            outputs["customerioWorkspace"] = self.customerio_workspace
        return outputs


def _connection(args: CustomerIoSourceArgs) -> str | None:
    """The AEP connection's namespace (None: the default), its keys checked now, during preview."""
    if args.connection is None:
        return None
    try:
        args.connection.check(pulumi.runtime.get_config)
    except ConfigurationError as error:
        raise ArgumentError(f"CustomerIoSourceArgs.connection: {error}") from None
    return args.connection.namespace
