"""What a Customer.io reporting-webhook event becomes in XDM, by default.

The targets are the ones Adobe's Customer.io tutorial calls mandatory (object_type, id, email,
event_id, cio_id, metric, timestamp), under the tenant namespace, plus what the ExperienceEvent
class itself requires: `_id` (Customer.io's unique `event_id`) and `timestamp` (Customer.io sends
epoch seconds; XDM wants an ISO 8601 date-time).
"""

from __future__ import annotations

from typing import Any

# `{tenant}` is replaced by the sandbox's tenant id (without its leading underscore).
TENANT = "{tenant}"

CUSTOM_FIELDS: dict[str, dict[str, str]] = {
    "object_type": {"type": "string", "title": "Customer.io object type"},
    "id": {"type": "string", "title": "Customer.io customer id"},
    "email": {"type": "string", "title": "Email address"},
    "event_id": {"type": "string", "title": "Customer.io event id"},
    "cio_id": {"type": "string", "title": "Customer.io cio_id"},
    "metric": {"type": "string", "title": "Customer.io metric"},
}

TIMESTAMP_EXPRESSION = "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")"
# XDM's eventType, keyed on the pair (object_type, metric), never on metric alone: Customer.io reuses
# metrics across channels (email/sent, sms/sent), and its subscription-preferences payload carries no
# object_type (its metric is cio_subscription_preferences_changed): such events are "customer" ones.
EVENT_TYPE_EXPRESSION = 'concat(coalesce(object_type, "customer"), ".", metric)'

_RULES: list[dict[str, str]] = [
    {"source_type": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
    {"source_type": "EXPRESSION", "source": TIMESTAMP_EXPRESSION, "destination": "timestamp"},
    {"source_type": "EXPRESSION", "source": EVENT_TYPE_EXPRESSION, "destination": "eventType"},
    {"source_type": "ATTRIBUTE", "source": "object_type", "destination": f"_{TENANT}.object_type"},
    {"source_type": "ATTRIBUTE", "source": "metric", "destination": f"_{TENANT}.metric"},
    {"source_type": "ATTRIBUTE", "source": "event_id", "destination": f"_{TENANT}.event_id"},
    {"source_type": "ATTRIBUTE", "source": "data.identifiers.id", "destination": f"_{TENANT}.id"},
    {"source_type": "ATTRIBUTE", "source": "data.identifiers.email", "destination": f"_{TENANT}.email"},
    {"source_type": "ATTRIBUTE", "source": "data.identifiers.cio_id", "destination": f"_{TENANT}.cio_id"},
]


def default_rules(test_mode: bool) -> list[dict[str, str]]:
    """Customer.io test sends carry no `cio_id`; Adobe says not to map it in test mode."""
    return [dict(rule) for rule in _RULES if not (test_mode and rule["source"].endswith(".cio_id"))]


def mapping_rules(
    custom: list[dict[str, Any]], replace_defaults: bool, test_mode: bool
) -> list[dict[str, Any]]:
    """The defaults plus the user's rules; a user rule for a default destination replaces that default."""
    if replace_defaults:
        return list(custom)
    overridden = {rule["destination"] for rule in custom}
    return [rule for rule in default_rules(test_mode) if rule["destination"] not in overridden] + custom


def tenant_of_schema(schema_id: str) -> str:
    """The tenant id inside a tenant schema's `$id`: `https://ns.adobe.com/{tenant}/schemas/{hash}`."""
    parts = schema_id.split("/")
    if len(parts) != 6 or parts[:3] != ["https:", "", "ns.adobe.com"] or parts[4] != "schemas":
        raise ValueError(f"not a tenant schema id: {schema_id!r}")
    return parts[3]


def resolve_tenant(rules: list[dict[str, Any]], tenant_id: str) -> list[dict[str, Any]]:
    tenant = tenant_id.lstrip("_")
    return [{**rule, "destination": rule["destination"].replace(TENANT, tenant)} for rule in rules]
