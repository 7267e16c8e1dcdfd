"""Data Prep mapping sets and the expression evaluator."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.data_prep import expressions
from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import DP, EXPERIENCE_EVENT, SR, TIMESTAMP_EXPR, Api, fieldgroup_body, ok


@pytest.fixture
def schema(emulator: EmulatorAdmin) -> dict[str, Any]:
    api = Api(emulator)
    group = ok(api.post(f"{SR}/tenant/fieldgroups", fieldgroup_body(emulator.tenant_id)), 201)
    return dict(
        ok(
            api.post(
                f"{SR}/tenant/schemas",
                {"title": "Events", "allOf": [{"$ref": EXPERIENCE_EVENT}, {"$ref": group["$id"]}]},
            ),
            201,
        )
    )


def _body(schema: dict[str, Any], mappings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "outputSchema": {
            "schemaRef": {"id": schema["$id"], "contentType": "application/vnd.adobe.xed-full+json;version=1"}
        },
        "mappings": mappings,
    }


def test_versions(emulator: EmulatorAdmin, schema: dict[str, Any]) -> None:
    api = Api(emulator)
    t = f"_{emulator.tenant_id}"
    created = ok(
        api.post(
            f"{DP}/mappingSets",
            _body(schema, [{"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"}]),
        )
    )
    assert created["version"] == 0
    updated = ok(
        api.put(
            f"{DP}/mappingSets/{created['id']}",
            _body(schema, [{"sourceType": "ATTRIBUTE", "source": "metric", "destination": f"{t}.metric"}]),
        )
    )
    assert updated["id"] == created["id"] and updated["version"] == 1
    v0 = ok(api.get(f"{DP}/mappingSets/{created['id']}", params={"version": 0}))
    latest = ok(api.get(f"{DP}/mappingSets/{created['id']}"))
    assert v0["mappings"][0]["destination"] == "_id"
    assert latest["version"] == 1 and latest["mappings"][0]["destination"] == f"{t}.metric"
    assert api.get(f"{DP}/mappingSets/{created['id']}", params={"version": 5}).status_code == 404
    listed = ok(api.get(f"{DP}/mappingSets", params={"limit": 10, "start": 0}))
    assert [m["id"] for m in listed["data"]] == [created["id"]]
    assert api.get(f"{DP}/mappingSets").status_code == 400


def test_rejects_bad_mappings(emulator: EmulatorAdmin, schema: dict[str, Any]) -> None:
    api = Api(emulator)
    unknown_field = api.post(
        f"{DP}/mappingSets",
        _body(schema, [{"sourceType": "ATTRIBUTE", "source": "x", "destination": "_nosuch.field"}]),
    )
    assert unknown_field.status_code == 400 and "DATAPREP-" in unknown_field.json()["type"]
    bad_expr = api.post(
        f"{DP}/mappingSets",
        _body(schema, [{"sourceType": "EXPRESSION", "source": "__import__('os')", "destination": "_id"}]),
    )
    assert bad_expr.status_code == 400
    no_schema = api.post(
        f"{DP}/mappingSets",
        {
            **_body(schema, [{"source": "x", "destination": "_id"}]),
            "outputSchema": {"schemaRef": {"id": "https://nope"}},
        },
    )
    assert no_schema.status_code == 400


def test_validate_and_preview(emulator: EmulatorAdmin, schema: dict[str, Any]) -> None:
    api = Api(emulator)
    mappings = [
        {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
        {"sourceType": "EXPRESSION", "source": TIMESTAMP_EXPR, "destination": "timestamp"},
        {"sourceType": "ATTRIBUTE", "source": "x", "destination": "_nosuch"},
    ]
    result = ok(api.post(f"{DP}/mappingSets/validate", _body(schema, mappings)))
    assert [r["status"] for r in result["validationResponse"]] == ["SUCCESS", "SUCCESS", "FAILED"]
    preview = ok(
        api.post(
            f"{DP}/mappingSets/preview",
            {
                "data": [{"event_id": "e1", "timestamp": 1613063089}],
                "mappingSet": _body(schema, mappings[:2]),
            },
        )
    )
    assert preview == [{"data": {"_id": "e1", "timestamp": "2021-02-11T17:04:49.000Z"}, "errors": None}]


def test_delete_switch(emulator: EmulatorAdmin, schema: dict[str, Any]) -> None:
    api = Api(emulator)
    created = ok(api.post(f"{DP}/mappingSets", _body(schema, [{"source": "event_id", "destination": "_id"}])))
    refused = api.delete(f"{DP}/mappingSets/{created['id']}")
    assert refused.status_code == 405 and refused.json()["status"] == 405
    emulator.set_knobs(mapping_set_delete="enabled")
    assert api.delete(f"{DP}/mappingSets/{created['id']}").status_code == 204
    assert api.delete(f"{DP}/mappingSets/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TIMESTAMP_EXPR, "2021-02-11T17:04:49.000Z"),
        ('dformat(timestamp * 1000, "yyyy-MM-dd HH:mm:ss Z")', "2021-02-11 17:04:49 +0000"),
        ("timestamp * 1000 + 5 - 2 * 2", 1613063089001),
        ("-(timestamp - 1613063089)", 0),
        ('concat(upper(metric), "-", lower("AbC"), 1)', "SUBSCRIBED-abc1"),
        ("to_string(timestamp)", "1613063089"),
        ("coalesce(data.missing, data.identifiers.email)", "test@example.com"),
        # the default eventType rule on a preferences-like payload, which has no object_type
        ('concat(coalesce(object_type, "customer"), ".", metric)', "customer.subscribed"),
        ('sha256("x")', "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        ('dformat(data.missing, "yyyy")', None),
        ("'single quoted'", "single quoted"),
    ],
)
def test_expressions(text: str, expected: Any) -> None:
    record = {
        "timestamp": 1613063089,
        "metric": "subscribed",
        "data": {"identifiers": {"email": "test@example.com"}},
    }
    assert expressions.run(text, record) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "eval('1')",
        "1 +",
        "(1",
        "a.__class__()",
        "1 ; 2",
        '"unterminated',
        "x" * 5000,
        "(" * 100 + "1" + ")" * 100,
        "dformat(1, 2, 3)",
        'dformat(1, "q")',
    ],
)
def test_expression_errors(text: str) -> None:
    with pytest.raises(expressions.ExpressionError):
        expressions.run(text, {})
    assert len(expressions.run("uuid()", {})) == 36
