"""Every payload the emulator's Customer.io sends has the fields Customer.io's reporting-webhook
schemas require (customerio-webhooks.md §1-§4, [RW] `#/components/schemas/{object}_{metric}`)."""

from __future__ import annotations

import pytest

from emulator.customerio.events import EVENT_NAMES, NO_PAYLOAD_SCHEMA, build, split

ORIGIN = {"delivery_id", "identifiers"}  # common to every message-origin variant (§3)
FAILURE = {"attempted", "failed", "undeliverable"}


def required_data(family: str, metric: str) -> set[str]:
    if family == "customer":
        base = {"identifiers", "customer_id", "email_address"}
        return base | ORIGIN if metric == "subscription_preferences_changed" else base
    need = set(ORIGIN)
    if metric in FAILURE | {"bounced", "dropped"}:
        need.add("failure_message")
    if family == "email":
        if metric != "attempted":
            need.add("recipient")
        if metric not in ("attempted", "opened"):
            need.add("subject")
    elif family == "push":
        if metric not in FAILURE | {"drafted"}:
            need.add("recipients")
    elif metric not in FAILURE | {"drafted"}:
        need.add("recipient")
    if metric == "clicked":
        need |= {"href", "link_id"}
    if metric == "replied":
        need |= {"inbound_event_id", "to"}
    return need


@pytest.mark.parametrize("event", sorted(EVENT_NAMES))
def test_payload_has_the_required_fields(event: str) -> None:
    family, metric = split(event)
    payload = build(event, "01E4C4CT6YDC7Y5M7FE1GWWPQJ", "dlv", {})
    assert {"event_id", "timestamp", "data", "metric"} <= set(payload)
    assert isinstance(payload["timestamp"], int)
    missing = required_data(family, metric) - set(payload["data"])
    assert missing == set(), (event, missing)
    if family == "push" and metric in ("bounced", "dropped"):
        assert all("failure_message" in r for r in payload["data"]["recipients"])
    if event == "customer_subscription_preferences_changed":  # subscription name != payload metric
        assert payload["metric"] == "cio_subscription_preferences_changed"
    elif event not in NO_PAYLOAD_SCHEMA:
        assert payload["metric"] == metric and payload["object_type"] == family


def test_seventy_two_events() -> None:
    assert len(EVENT_NAMES) == 72
    assert NO_PAYLOAD_SCHEMA <= EVENT_NAMES
