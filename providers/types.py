"""Value types shared by the resources and the stack configuration: each rule is stated here once.

The stack config model (``components.stack_config``) and the resource models both use these
annotated types, so a value the config accepts is a value the provider accepts, and vice versa.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    return value


def _unique_destinations(rules: list[MappingRule]) -> list[MappingRule]:
    seen: set[str] = set()
    for rule in rules:
        if rule.destination in seen:
            raise ValueError(f"destination {rule.destination!r} is mapped twice")
        seen.add(rule.destination)
    return rules


Sandbox = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="AEP sandbox name: lower-case letters, digits and dashes, e.g. 'prod' or 'dev'"),
]
Name = Annotated[str, Field(max_length=256), AfterValidator(_not_blank)]
Description = Annotated[str, Field(max_length=2000)]
# A short lower-case label: source names and Customer.io workspace names.
Label = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")]
FieldType = Literal["string", "integer", "number", "boolean", "date-time", "date"]
SourceType = Literal["ATTRIBUTE", "EXPRESSION", "STATIC"]

EventName = Literal[
    "customer_subscribed", "customer_unsubscribed", "customer_subscription_preferences_changed",
    "email_drafted", "email_attempted", "email_sent", "email_delivered", "email_opened",
    "email_clicked", "email_converted", "email_bounced", "email_dropped", "email_deferred",
    "email_spammed", "email_failed", "email_unsubscribed", "email_undeliverable",
    "in_app_drafted", "in_app_attempted", "in_app_sent", "in_app_opened", "in_app_clicked",
    "in_app_converted", "in_app_failed", "in_app_undeliverable",
    "push_drafted", "push_attempted", "push_sent", "push_delivered", "push_opened", "push_clicked",
    "push_converted", "push_bounced", "push_dropped", "push_failed", "push_undeliverable",
    "slack_drafted", "slack_attempted", "slack_sent", "slack_clicked", "slack_converted",
    "slack_failed",
    "sms_drafted", "sms_attempted", "sms_sent", "sms_delivered", "sms_clicked", "sms_converted",
    "sms_bounced", "sms_dropped", "sms_failed", "sms_undeliverable", "sms_replied",
    "whatsapp_drafted", "whatsapp_attempted", "whatsapp_sent", "whatsapp_delivered",
    "whatsapp_opened", "whatsapp_clicked", "whatsapp_converted", "whatsapp_bounced",
    "whatsapp_dropped", "whatsapp_failed", "whatsapp_undeliverable", "whatsapp_replied",
    "webhook_drafted", "webhook_attempted", "webhook_sent", "webhook_clicked", "webhook_converted",
    "webhook_failed", "webhook_undeliverable",
]  # fmt: skip


class ValueModel(BaseModel):
    """A nested value: strict about unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class XdmField(ValueModel):
    type: FieldType = "string"
    title: str | None = None
    description: str | None = None


class MappingRule(ValueModel):
    source: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    source_type: SourceType = "ATTRIBUTE"


MappingRules = Annotated[list[MappingRule], AfterValidator(_unique_destinations)]

# The destination-uniqueness rule of ``MappingRules``, for lists of a ``MappingRule`` subclass (the
# stack config spells ``sourceType`` in camelCase but validates each rule with this same model).
UniqueDestinations = AfterValidator(_unique_destinations)
# How long one dataflow operation may wait (for the inlet URL, or for a busy flow to settle).
InletTimeout = Annotated[float, Field(gt=0, le=3600)]
# Flow option partialIngestionPercent: the share of failed records a run may have (flow spec
# GenericStreamingAEP optionSpec: a number > 0; a percentage, so at most 100).
PartialIngestionPercent = Annotated[float, Field(gt=0, le=100)]
