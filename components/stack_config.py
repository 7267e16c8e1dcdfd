"""The stack's own configuration (namespace `aep-customerio`), validated before anything is built.

Credentials are not here: they belong to the providers (`aep:*`, `customerio:*`) and reach them
through `configure()`. This model only says what to build.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from aep_customerio.components.default_mapping import CUSTOM_FIELDS
from aep_customerio.providers.errors import shown
from aep_customerio.providers.types import (
    Description,
    EventName,
    FieldName,
    InletTimeout,
    Label,
    MappingRule,
    PartialIngestionPercent,
    Sandbox,
    UniqueDestinations,
    XdmField,
)

NAMESPACE = "aep-customerio"

# The default primary identity of a Profile-enabled source: Customer.io's `cio_id` (present in
# multi-identifier workspaces, stable across id/email changes; aep-profile-diagnostics.md §1) in a
# custom cross-device namespace. ID-only workspaces use `identityField: id`.
DEFAULT_IDENTITY_FIELD = "cio_id"
DEFAULT_IDENTITY_NAMESPACE = "CustomerIOID"

# The families Adobe's Customer.io source documents schemas for (customer, email, SMS, push,
# in-app, Slack, webhook); a user can narrow or widen the list per source.
DEFAULT_EVENTS: tuple[str, ...] = (
    "customer_subscribed",
    "customer_unsubscribed",
    "email_sent",
    "email_delivered",
    "email_opened",
    "email_clicked",
    "email_bounced",
    "email_unsubscribed",
    "sms_sent",
    "sms_delivered",
    "sms_clicked",
    "push_sent",
    "push_opened",
    "in_app_opened",
    "in_app_clicked",
    "slack_sent",
    "webhook_sent",
)


_CAMEL_CASE = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class _Model(BaseModel):
    model_config = _CAMEL_CASE


class MappingRuleConfig(MappingRule):
    """The provider's mapping rule, as the stack file spells it (`sourceType`)."""

    model_config = _CAMEL_CASE


class SourceConfig(_Model):
    """One Customer.io workspace streaming into this sandbox."""

    name: Label = "customerio"
    description: Description = "Customer.io reporting webhook events"
    test_mode: bool = False
    events: list[EventName] = Field(default_factory=lambda: list(DEFAULT_EVENTS), min_length=1)  # type: ignore[arg-type]
    extra_fields: dict[FieldName, XdmField] = Field(default_factory=dict)
    mappings: Annotated[list[MappingRuleConfig], UniqueDestinations] = Field(default_factory=list)
    replace_default_mappings: bool = False
    existing_schema_id: str | None = None
    existing_dataset_id: str | None = None
    tenant_id: str | None = None
    enabled: bool = True
    delete_data_on_destroy: bool = False
    create_webhook: bool | None = None
    # Which Customer.io workspace's App API key (customerio:appApiKeys.<name>) manages the webhook;
    # unset: customerio:appApiKey.
    customerio_workspace: Label | None = None
    # Real-Time Customer Profile (irreversible for the schema: see README "Profile").
    profile: bool = False
    identity_field: FieldName = DEFAULT_IDENTITY_FIELD
    identity_namespace: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,40}$")] = DEFAULT_IDENTITY_NAMESPACE
    # Flow options; unset errorDiagnostics: on with partial ingestion (as Adobe's UI does).
    error_diagnostics: bool | None = None
    partial_ingestion_percent: PartialIngestionPercent | None = None

    @model_validator(mode="after")
    def _profile_and_options(self) -> SourceConfig:
        if self.partial_ingestion_percent is not None and self.error_diagnostics is False:
            raise ValueError(
                "partialIngestionPercent needs error diagnostics: leave errorDiagnostics unset or true"
            )
        if not self.profile:
            return self
        if self.existing_schema_id or self.existing_dataset_id:
            raise ValueError(
                "profile applies to the schema and dataset this program creates, not to "
                "existingSchemaId/existingDatasetId (the union tag cannot be undone)"
            )
        fields = {
            **CUSTOM_FIELDS,
            **{k: v.model_dump(exclude_none=True) for k, v in self.extra_fields.items()},
        }
        if (fields.get(self.identity_field) or {}).get("type") != "string":
            raise ValueError(
                f"identityField {self.identity_field!r} must be a string field of the schema: "
                f"one of {', '.join(sorted(k for k, v in fields.items() if v.get('type') == 'string'))}"
            )
        if self.test_mode and self.identity_field == "cio_id":
            raise ValueError("testMode sends carry no cio_id: set identityField to id (or another field)")
        return self

    @property
    def error_diagnostics_enabled(self) -> bool:
        return (
            self.error_diagnostics
            if self.error_diagnostics is not None
            else self.partial_ingestion_percent is not None
        )

    @model_validator(mode="after")
    def _bring_your_own(self) -> SourceConfig:
        if self.existing_dataset_id and not self.existing_schema_id:
            raise ValueError("existingDatasetId needs existingSchemaId: the dataset's schema id")
        if self.existing_schema_id and not self.tenant_id:
            raise ValueError(
                "existingSchemaId needs tenantId (GET /data/foundation/schemaregistry/stats → tenantId), "
                "to address the schema's custom fields"
            )
        if self.existing_schema_id and self.extra_fields:
            raise ValueError("extraFields only applies to the schema this program creates")
        built_in = sorted(set(self.extra_fields) & set(CUSTOM_FIELDS))
        if built_in:
            raise ValueError(f"extraFields must not redefine the built-in fields: {', '.join(built_in)}")
        if self.replace_default_mappings and not self.mappings:
            raise ValueError("replaceDefaultMappings is true but no mappings are given")
        return self


class StackConfig(_Model):
    sandbox: Sandbox
    sources: list[SourceConfig] = Field(default_factory=lambda: [SourceConfig()], min_length=1)
    # Unset: the Dataflow resource's own default.
    inlet_timeout_seconds: InletTimeout | None = None

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique in a stack; repeated: {', '.join(duplicates)}")
        return sources


def config_path(location: tuple[int | str, ...]) -> str:
    """`("sources", 1, "name")` → `sources[1].name`, the syntax of `pulumi config set --path`
    (a key that is no plain name is quoted: `extraFields["my field"]`)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for "the key itself" of a dict entry
            continue
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            path += f"[{json.dumps(part)}]"
        else:
            path += f".{part}" if path else part
    return path


class StackConfigError(ValueError):
    """A configuration problem, phrased for the person editing Pulumi.<stack>.yaml."""


def _pattern_hint(annotated: Any, fallback: str = "") -> tuple[str, str]:
    """(pattern, what it means) of one of the shared string types, for messages."""
    metadata = getattr(annotated, "__metadata__", ())
    pattern = next(m.pattern for m in metadata if isinstance(m, StringConstraints))
    described = [m.description for m in metadata if isinstance(m, FieldInfo) and m.description]
    return str(pattern), f"expected {described[0] if described else fallback}"


_PATTERN_HINTS = dict(
    [
        _pattern_hint(Sandbox),
        _pattern_hint(
            Label, "a lower-case name: a letter, then letters, digits or dashes, at most 40 characters"
        ),
        _pattern_hint(
            FieldName, "a field name: a letter, then letters, digits or underscores, at most 63 characters"
        ),
    ]
)


def _explain(problem: Any) -> str:
    if problem["type"] == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(problem.get("ctx", {}).get("pattern")))
        if hint:
            return hint
    return str(problem["msg"]).removeprefix("Value error, ")


def parse_stack_config(raw: dict[str, Any]) -> StackConfig:
    try:
        return StackConfig.model_validate(raw)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            value = problem.get("input")
            # Name the offending value when it is a plain one (not a whole object being checked),
            # cut short: a message names a value, it never echoes a page of it.
            got = f"got {shown(value)}: " if isinstance(value, str | int | float | bool) else ""
            lines.append(f"  {NAMESPACE}:{config_path(problem['loc'])}: {got}{_explain(problem)}")
        raise StackConfigError(
            "invalid stack configuration:\n"
            + "\n".join(lines)
            + f"\nFix it with `pulumi config set {NAMESPACE}:<key> <value>` "
            "(lists and objects: `pulumi config set --path --json ...`), see README 'Configuration'."
        ) from None
