"""`CustomerIoSourceArgs`: what a Pulumi program gives a `CustomerIoSource`, in Pulumi's style.

Every value a user may wire from elsewhere (sandbox, description, events, enabled, bring-your-own
schema and dataset ids, the tenant id, the inlet timeout) takes a `pulumi.Input`: a plain value or
an `Output` of another resource or a `StackReference`. The values that decide which resources exist
(the source name, extra fields, mapping rules, test mode, the webhook switch, the data opt-in) are
plain. Plain values are checked when the component is built, so mistakes fail `pulumi preview` with
the argument named; Outputs are checked by the resources' own `check()` once they are known.

Custom mapping targets need no tenant spelling: `{"source": "data.campaign_id", "field":
"campaign"}` maps to the custom field `campaign` under the sandbox's tenant namespace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pulumi
from pydantic import ValidationError

from aep_customerio.components.default_mapping import TENANT
from aep_customerio.components.stack_config import (
    DEFAULT_EVENTS,
    DEFAULT_IDENTITY_FIELD,
    DEFAULT_IDENTITY_NAMESPACE,
    SourceConfig,
    config_path,
)
from aep_customerio.providers.connection import AepConnection
from aep_customerio.providers.errors import shown

DEFAULT_DESCRIPTION = "Customer.io reporting webhook events"


class ArgumentError(pulumi.RunError, ValueError):
    """A wrong argument: Pulumi prints the message alone, with no traceback."""


@dataclass
class CustomerIoSourceArgs:
    sandbox: pulumi.Input[str]
    name: str = "customerio"
    description: pulumi.Input[str] = DEFAULT_DESCRIPTION
    events: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=lambda: list(DEFAULT_EVENTS))
    extra_fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    mappings: Sequence[Mapping[str, str]] = ()
    replace_default_mappings: bool = False
    test_mode: bool = False
    enabled: pulumi.Input[bool] = True
    delete_data_on_destroy: bool = False
    create_webhook: bool = True
    customerio_workspace: str | None = None
    existing_schema_id: pulumi.Input[str] | None = None
    existing_dataset_id: pulumi.Input[str] | None = None
    tenant_id: pulumi.Input[str] | None = None
    inlet_timeout_seconds: pulumi.Input[float] | None = None
    # Profile (decides which resources exist: plain) and the flow options (see README "Profile").
    profile: bool = False
    identity_field: str = DEFAULT_IDENTITY_FIELD
    identity_namespace: str = DEFAULT_IDENTITY_NAMESPACE
    error_diagnostics: pulumi.Input[bool] | None = None
    partial_ingestion_percent: pulumi.Input[float] | None = None
    # The org's credentials, by config namespace (default `aep`); see AepConnection.
    connection: AepConnection | None = None

    def __post_init__(self) -> None:
        self.mappings = [_with_destination(rule) for rule in self.mappings]
        _check(self)

    @classmethod
    def from_config(
        cls,
        sandbox: str,
        source: SourceConfig,
        create_webhook: bool,
        inlet_timeout_seconds: float | None = None,
    ) -> CustomerIoSourceArgs:
        """The stack config's model of one source, as arguments (what `__main__.py` uses)."""
        return cls(
            sandbox=sandbox,
            name=source.name,
            description=source.description,
            events=list(source.events),
            extra_fields={k: v.model_dump(exclude_none=True) for k, v in source.extra_fields.items()},
            mappings=[rule.model_dump() for rule in source.mappings],
            replace_default_mappings=source.replace_default_mappings,
            test_mode=source.test_mode,
            enabled=source.enabled,
            delete_data_on_destroy=source.delete_data_on_destroy,
            create_webhook=create_webhook,
            customerio_workspace=source.customerio_workspace,
            existing_schema_id=source.existing_schema_id,
            existing_dataset_id=source.existing_dataset_id,
            tenant_id=source.tenant_id,
            inlet_timeout_seconds=inlet_timeout_seconds,
            profile=source.profile,
            identity_field=source.identity_field,
            identity_namespace=source.identity_namespace,
            error_diagnostics=source.error_diagnostics,
            partial_ingestion_percent=source.partial_ingestion_percent,
        )


def _with_destination(rule: Mapping[str, str]) -> dict[str, str]:
    """`field` names a custom field under the tenant namespace: the destination without its spelling."""
    rule = {"source_type": "ATTRIBUTE", **rule}
    if "field" in rule:
        if "destination" in rule:
            raise ValueError(
                "CustomerIoSourceArgs.mappings: give a rule a `field` or a `destination`, not both"
            )
        rule["destination"] = f"_{TENANT}.{rule.pop('field')}"
    return rule


# Arguments the stack config spells differently, or does not have.
_NOT_IN_CONFIG = {"sandbox", "inlet_timeout_seconds", "connection"}
_PRESENCE_ONLY = {"existing_schema_id", "existing_dataset_id", "tenant_id"}


def _check(args: CustomerIoSourceArgs) -> None:
    """Validate the known (plain) values with the stack config's own rules, naming the argument."""
    known: dict[str, Any] = {}
    for f in fields(args):
        value = getattr(args, f.name)
        if f.name in _NOT_IN_CONFIG or value is None:
            continue
        if _has_output(value):
            if f.name in _PRESENCE_ONLY:  # its rules need only to know that it is given
                known[f.name] = "(an Output)"
            continue
        known[f.name] = list(value) if isinstance(value, tuple) else value
    try:
        SourceConfig.model_validate(known)
    except ValidationError as error:
        problems = [
            f"  CustomerIoSourceArgs.{_snake(config_path(p['loc'])) or '(arguments)'}: "
            + (f"got {shown(p['input'])}: " if isinstance(p.get("input"), str | int | float | bool) else "")
            + str(p["msg"]).removeprefix("Value error, ")
            for p in error.errors()
        ]
        raise ArgumentError("invalid CustomerIoSource arguments:\n" + "\n".join(problems)) from None


def _has_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_has_output(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_output(v) for v in value)
    return False


def _snake(path: str) -> str:
    out = ""
    for char in path:
        out += f"_{char.lower()}" if char.isupper() else char
    return out
