"""After data was ingested, AEP (the emulator) refuses destructive schema changes: the providers
report the refusal as an ApiError that says what to do, and additive changes still go through."""

from __future__ import annotations

from typing import Any

import pytest

from aep_customerio.providers.errors import ApiError, hint_for
from tests.providers.chain import Chain, Make, build_chain

CODE = "XDM-1527-400"


def _inputs(state: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: state[k] for k in keys if k in state}


FG_KEYS = ("sandbox", "title", "description", "fields", "intended_class")
SCHEMA_KEYS = ("sandbox", "title", "description", "class_id", "field_group_ids")


@pytest.fixture
def ingested(make: Make, emulator: Any) -> Chain:
    chain = build_chain(make, webhook=True)
    delivered = emulator.deliver("email_sent")
    assert [d["status"] for d in delivered["deliveries"]] == [200], delivered
    assert len(emulator.records(chain["dataset"].id, sandbox="dev")) == 1
    return chain


def _assert_additive_only(err: ApiError, kind: str) -> None:
    assert err.status == 400 and err.code == CODE, str(err)
    assert err.title == "Breaking change not allowed"
    assert err.kind == kind and err.operation == "update"
    assert err.hint.startswith("AEP allows only additive changes to a schema once data was ingested")
    text = str(err)
    assert f"HTTP 400 {CODE}" in text
    assert "What to do: AEP allows only additive changes" in text
    assert "add a new field instead of removing or retyping one" in text
    assert "create a new schema (change the source name) and migrate" in text


def test_field_removal_after_ingestion_fails_with_a_hint(ingested: Chain) -> None:
    fg = ingested["field_group"]
    olds = fg.state
    news = {**_inputs(olds, FG_KEYS), "fields": {"metric": {"type": "string"}}}
    with pytest.raises(ApiError) as info:
        fg.provider.update(fg.id, olds, news)
    _assert_additive_only(info.value, "Field group")
    assert f"removes field '_{olds['tenant_id']}.object_type'" in info.value.detail

    retyped = {**_inputs(olds, FG_KEYS)}
    retyped["fields"] = {**olds["fields"], "metric": {"type": "integer"}}
    with pytest.raises(ApiError) as info:
        fg.provider.update(fg.id, olds, retyped)
    _assert_additive_only(info.value, "Field group")
    assert "changes the type of field" in info.value.detail

    # Nothing changed remotely: a refresh reads the old fields back.
    read = fg.provider.read(fg.id, olds)
    assert read.outs is not None and set(read.outs["fields"]) == {"metric", "object_type"}
    assert read.outs["version"] == olds["version"]


def test_additive_update_after_ingestion_succeeds(ingested: Chain) -> None:
    fg = ingested["field_group"]
    olds = fg.state
    news = _inputs(olds, FG_KEYS)
    news["fields"] = {
        **olds["fields"],
        "metric": {"type": "string", "title": "Metric", "description": "What happened"},
        "campaign_id": {"type": "integer", "title": "Campaign"},
    }
    news["description"] = "now with campaigns"
    result = fg.provider.update(fg.id, olds, news)
    assert result.outs is not None
    assert result.outs["version"] != olds["version"]
    read = fg.provider.read(fg.id, result.outs)
    assert read.outs is not None and set(read.outs["fields"]) == {"metric", "object_type", "campaign_id"}


def test_schema_dropping_its_field_group_after_ingestion_fails_with_a_hint(ingested: Chain) -> None:
    schema = ingested["schema"]
    news = {**_inputs(schema.state, SCHEMA_KEYS), "field_group_ids": []}
    with pytest.raises(ApiError) as info:
        schema.provider.update(schema.id, schema.state, news)
    _assert_additive_only(info.value, "Schema")
    assert ingested["field_group"].id in info.value.detail


def test_hint_is_keyed_on_code_or_title() -> None:
    specific = hint_for(400, CODE, None)
    assert specific.startswith("AEP allows only additive changes")
    assert hint_for(400, "XDM-9999-400", "Breaking change not allowed") == specific
    assert hint_for(400, "XDM-1000-400", "Bad Request") != specific
