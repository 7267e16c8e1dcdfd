"""Realistic Customer.io reporting-webhook payloads (one event per POST)."""

from __future__ import annotations

import copy
import time
from typing import Any


def _delivery(metrics: str) -> list[str]:
    """Every message family starts drafted -> attempted -> sent; `metrics` lists what follows, in order."""
    return ["drafted", "attempted", "sent", *metrics.split()]


FAMILIES: dict[str, list[str]] = {
    "customer": ["subscribed", "unsubscribed", "subscription_preferences_changed"],
    "email": _delivery(
        "delivered opened clicked converted bounced dropped deferred spammed failed unsubscribed"
        " undeliverable"
    ),
    "in_app": _delivery("opened clicked converted failed undeliverable"),
    "push": _delivery("delivered opened clicked converted bounced dropped failed undeliverable"),
    "slack": _delivery("clicked converted failed"),
    "sms": _delivery("delivered clicked converted bounced dropped failed undeliverable replied"),
    "whatsapp": _delivery("delivered opened clicked converted bounced dropped failed undeliverable replied"),
    "webhook": _delivery("clicked converted failed undeliverable"),
}
EVENT_NAMES = frozenset(f"{family}_{metric}" for family, metrics in FAMILIES.items() for metric in metrics)


def split(event: str) -> tuple[str, str]:
    for family in sorted(FAMILIES, key=len, reverse=True):
        if event.startswith(family + "_") and event[len(family) + 1 :] in FAMILIES[family]:
            return family, event[len(family) + 1 :]
    raise ValueError(f"unknown Customer.io event '{event}'")


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        elif value is None:
            out.pop(key, None)  # an override of null removes the field (e.g. cio_id in test mode)
        else:
            out[key] = copy.deepcopy(value)
    return out


# Payload metric of an event whose subscription name differs
# ([RW] person_cio_subscription_preferences_changed).
PAYLOAD_METRIC = {("customer", "subscription_preferences_changed"): "cio_subscription_preferences_changed"}
# Subscribable events for which Customer.io's reporting-webhook spec has no payload schema; the emulator
# sends the family's common shape for them (customerio-webhooks.md §5 trap 11).
NO_PAYLOAD_SCHEMA = frozenset({"email_deferred", "sms_dropped", "slack_converted", "webhook_converted"})
FAILURE = "550 5.1.1 The email account that you tried to reach does not exist"
# email metrics whose schema requires `subject` (customerio-webhooks.md §4; `opened` has it optional)
EMAIL_SUBJECT = frozenset(
    {"drafted", "sent", "delivered", "opened", "converted", "unsubscribed", "spammed", "clicked"}
    | {"bounced", "dropped", "failed", "undeliverable", "deferred"}
)


def _origin(delivery_id: str) -> dict[str, Any]:
    """The campaign variant of the message-origin block."""
    return {
        "delivery_id": delivery_id,
        "action_id": 96,
        "campaign_id": 23,
        "journey_id": "01GW",
        "parent_action_id": 95,
        "trigger_event_id": "01E4C4C6P79C12J5A6KPE6XNFD",
    }


def _message(family: str, metric: str, data: dict[str, Any]) -> None:
    data["recipient"] = {
        "email": "test@example.com",
        "sms": "+15551234567",
        "whatsapp": "+15551234567",
        "push": "ExponentPushToken[abc]",
        "slack": "#general",
        "webhook": "https://example.com/hook",
        "in_app": "42",
    }[family]
    if family == "push":
        device: dict[str, Any] = {"device_id": "abc123", "device_platform": "ios"}
        if metric in ("bounced", "dropped"):
            device["failure_message"] = "BadDeviceToken"
        data["recipients"] = [device]
    if family == "email" and metric in EMAIL_SUBJECT:
        data["subject"] = "Did you get that thing I sent you?"
    if metric == "clicked":
        data.update({"href": "https://example.com/welcome", "link_id": 1, "machine": False})
    if metric in ("attempted", "bounced", "failed", "dropped", "undeliverable", "spammed"):
        data["failure_message"] = FAILURE
    if metric == "converted":
        data["conversion_event_id"] = "01E4C4C6P79C12J5A6KPE6XNFE"
    if metric == "replied":  # inbound: `to` is our number, `recipient` the person's
        data.update(
            {"content": "STOP", "inbound_event_id": "01E4C4C6P79C12J5A6KPE6XNFG", "to": "+15557654321"}
        )


def build(event: str, event_id: str, delivery_id: str, overrides: dict[str, Any]) -> dict[str, Any]:
    family, metric = split(event)
    identifiers = {"id": "42", "email": "test@example.com", "cio_id": "d9c106000001"}
    data: dict[str, Any] = {"customer_id": "42", "identifiers": identifiers}
    if family == "customer":
        data["email_address"] = "test@example.com"
        if metric == "subscription_preferences_changed":
            data.update(_origin(delivery_id))
            data["content"] = '{"topics":{"topic_1":true}}'
    else:
        data.update(_origin(delivery_id))
        _message(family, metric, data)
    payload = {
        "event_id": event_id,
        "object_type": family,
        "metric": PAYLOAD_METRIC.get((family, metric), metric),
        "timestamp": int(time.time()) - 1,
        "data": data,
    }
    return deep_merge(payload, overrides)
