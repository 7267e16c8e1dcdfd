"""The default Customer.io → XDM rules and tenant substitution."""

from __future__ import annotations

import copy

import pytest

from aep_customerio.components import default_mapping
from aep_customerio.components.default_mapping import (
    CUSTOM_FIELDS,
    EVENT_TYPE_EXPRESSION,
    TENANT,
    TIMESTAMP_EXPRESSION,
    default_rules,
    mapping_rules,
    resolve_tenant,
    tenant_of_schema,
)

TENANT_FIELDS = {"object_type", "id", "email", "event_id", "cio_id", "metric"}


def by_destination(rules: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    result = {rule["destination"]: rule for rule in rules}
    assert len(result) == len(rules), "no destination is mapped twice"
    return result


def test_live_rules() -> None:
    rules = by_destination(default_rules(test_mode=False))
    assert rules["_id"] == {"source_type": "ATTRIBUTE", "source": "event_id", "destination": "_id"}
    assert rules["timestamp"] == {
        "source_type": "EXPRESSION",
        "source": TIMESTAMP_EXPRESSION,
        "destination": "timestamp",
    }
    assert "timestamp * 1000" in TIMESTAMP_EXPRESSION, "Customer.io sends epoch seconds"
    tenant_fields = {d.removeprefix(f"_{TENANT}.") for d in rules if d.startswith(f"_{TENANT}.")}
    assert tenant_fields == TENANT_FIELDS
    assert set(rules) == {"_id", "timestamp", "eventType"} | {f"_{TENANT}.{f}" for f in TENANT_FIELDS}
    # keyed on the pair (object_type, metric); preferences events carry no object_type
    assert rules["eventType"]["source"] == EVENT_TYPE_EXPRESSION
    assert 'coalesce(object_type, "customer")' in EVENT_TYPE_EXPRESSION
    assert rules[f"_{TENANT}.cio_id"]["source"] == "data.identifiers.cio_id"
    assert rules[f"_{TENANT}.email"]["source"] == "data.identifiers.email"
    assert rules[f"_{TENANT}.id"]["source"] == "data.identifiers.id"
    assert rules[f"_{TENANT}.event_id"]["source"] == "event_id"
    assert rules[f"_{TENANT}.metric"]["source"] == "metric"
    assert rules[f"_{TENANT}.object_type"]["source"] == "object_type"
    expressions = ("timestamp", "eventType")
    assert all(r["source_type"] == "ATTRIBUTE" for d, r in rules.items() if d not in expressions)


def test_every_tenant_rule_has_a_custom_field() -> None:
    assert set(CUSTOM_FIELDS) == TENANT_FIELDS


def test_test_mode_drops_only_cio_id() -> None:
    live = default_rules(test_mode=False)
    test = default_rules(test_mode=True)
    assert [r for r in live if r["destination"] != f"_{TENANT}.cio_id"] == test
    assert len(test) == len(live) - 1
    assert not any("cio_id" in r["source"] or "cio_id" in r["destination"] for r in test)


@pytest.mark.parametrize("tenant", ["acme", "_acme"])
def test_resolve_tenant(tenant: str) -> None:
    rules = resolve_tenant(default_rules(test_mode=False), tenant)
    destinations = [r["destination"] for r in rules]
    assert "_acme.cio_id" in destinations
    assert "_acme.email" in destinations
    assert "_id" in destinations and "timestamp" in destinations
    assert not any(TENANT in d or "__acme" in d for d in destinations)
    assert {r["source"] for r in rules} == {r["source"] for r in default_rules(test_mode=False)}


def test_resolve_tenant_only_touches_destinations() -> None:
    rules = [{"source": "{tenant}", "destination": "_{tenant}.x", "source_type": "STATIC"}]
    resolved = [{"source": "{tenant}", "destination": "_acme.x", "source_type": "STATIC"}]
    assert resolve_tenant(rules, "acme") == resolved


def test_resolve_tenant_does_not_mutate_its_input() -> None:
    rules = default_rules(test_mode=False)
    before = copy.deepcopy(rules)
    resolve_tenant(rules, "acme")
    assert rules == before


def test_rules_are_copies() -> None:
    pristine = copy.deepcopy(default_mapping._RULES)
    rules = default_rules(test_mode=False)
    rules[0]["destination"] = "changed"
    rules.append({"source": "x", "destination": "y", "source_type": "ATTRIBUTE"})
    rules.pop(1)
    assert pristine == default_mapping._RULES
    assert default_rules(test_mode=False) == pristine
    assert default_rules(test_mode=False) is not default_rules(test_mode=False)


def test_tenant_is_read_from_a_tenant_schema_id() -> None:
    assert tenant_of_schema("https://ns.adobe.com/acme/schemas/0123abcd") == "acme"
    for not_tenant in (
        "https://ns.adobe.com/xdm/context/experienceevent",
        "https://example.com/acme/schemas/1",
        "_acme.schemas.0123abcd",
    ):
        with pytest.raises(ValueError, match="not a tenant schema id"):
            tenant_of_schema(not_tenant)


def test_mapping_rules_override_replace_and_extend() -> None:
    email = {"source_type": "ATTRIBUTE", "source": "data.email_address", "destination": "_{tenant}.email"}
    subject = {"source_type": "ATTRIBUTE", "source": "data.subject", "destination": "_{tenant}.subject"}
    extended = mapping_rules([email, subject], replace_defaults=False, test_mode=False)
    destinations = [rule["destination"] for rule in extended]
    assert len(destinations) == len(set(destinations)) == len(default_rules(False)) + 1
    assert email in extended and subject in extended
    assert mapping_rules([subject], replace_defaults=True, test_mode=False) == [subject]
    assert not any("cio_id" in rule["source"] for rule in mapping_rules([], False, test_mode=True))
