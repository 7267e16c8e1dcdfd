"""The stack's own configuration (namespace `aep-customerio`), validated before anything is built.

Credentials are not here: they belong to the providers (`aep:*`, `customerio:*`) and reach them
through `configure()`. This model only says what to build.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components.default_mapping import CUSTOM_FIELDS
from providers.types import EventName, FieldName

NAMESPACE = "aep-customerio"

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


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class MappingRuleConfig(_Model):
    source: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    source_type: Literal["ATTRIBUTE", "EXPRESSION", "STATIC"] = "ATTRIBUTE"


class FieldConfig(_Model):
    type: Literal["string", "integer", "number", "boolean", "date-time", "date"] = "string"
    title: str | None = None


SourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]


class SourceConfig(_Model):
    """One Customer.io workspace streaming into this sandbox."""

    name: SourceName = "customerio"
    description: str = "Customer.io reporting webhook events"
    test_mode: bool = False
    events: list[EventName] = Field(default_factory=lambda: list(DEFAULT_EVENTS), min_length=1)  # type: ignore[arg-type]
    extra_fields: dict[FieldName, FieldConfig] = Field(default_factory=dict)
    mappings: list[MappingRuleConfig] = Field(default_factory=list)
    replace_default_mappings: bool = False
    existing_schema_id: str | None = None
    existing_dataset_id: str | None = None
    tenant_id: str | None = None
    enabled: bool = True
    delete_data_on_destroy: bool = False
    create_webhook: bool | None = None
    # Which Customer.io workspace's App API key (customerio:appApiKeys.<name>) manages the webhook;
    # unset: customerio:appApiKey.
    customerio_workspace: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")] | None = None

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
    sandbox: str
    sources: list[SourceConfig] = Field(default_factory=lambda: [SourceConfig()], min_length=1)

    @field_validator("sandbox")
    @classmethod
    def _sandbox_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", value):
            raise ValueError("sandbox names are lower-case letters, digits and dashes, e.g. 'prod' or 'dev'")
        return value

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique in a stack; repeated: {', '.join(duplicates)}")
        return sources


def config_path(location: tuple[int | str, ...]) -> str:
    """`("sources", 1, "name")` → `sources[1].name`, the syntax of `pulumi config set --path`."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


class StackConfigError(ValueError):
    """A configuration problem, phrased for the person editing Pulumi.<stack>.yaml."""


def parse_stack_config(raw: dict[str, Any]) -> StackConfig:
    try:
        return StackConfig.model_validate(raw)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            value = problem.get("input")
            # Name the offending value when it is a plain one (not a whole object being checked).
            got = f"got {value!r}: " if isinstance(value, str | int | float | bool) else ""
            lines.append(f"  {NAMESPACE}:{config_path(problem['loc'])}: {got}{problem['msg']}")
        raise StackConfigError(
            "invalid stack configuration:\n"
            + "\n".join(lines)
            + f"\nFix it with `pulumi config set {NAMESPACE}:<key> <value>` "
            "(lists and objects: `pulumi config set --path --json ...`), see README 'Configuration'."
        ) from None
