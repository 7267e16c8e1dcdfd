"""Every place where this project departs from Adobe's published OpenAPI specs, with its evidence.

The specs are applied as published (`openapi.py`) except for the corrections below; each one names
the operation, what changes and the source. docs/fidelity.md lists them for readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
JSON_PATCH = {"type": "array", "items": {"type": "object", "required": ["op", "path"]}}


@dataclass(frozen=True)
class Override:
    spec: str
    where: str  # JSON pointer into the spec (after `#`)
    change: str
    source: str


OVERRIDES = [
    Override(
        "flow-service.yaml",
        "/paths/~1flows~1{FLOW_ID}~1action/post/parameters/subOp",
        "`subOp` is optional (the spec marks it required)",
        "Adobe's destination-dataflow guide (help/destinations/api/update-destination-dataflows.md) enables "
        "and disables with `?op=` alone; aepp does the same",
    ),
    Override(
        "flow-service.yaml",
        "/components/schemas/FlowItemDTO/properties/lastOperation/properties/status",
        "`lastOperation.status` is a StatusDTO object ({value: IN_PROGRESS|SUCCESS|...})",
        "the spec's own StatusDTO (the status of a state action, StateActionDTO.status); "
        "FlowItemDTO omits it",
    ),
    Override(
        "catalog.yaml",
        "/paths/~1dataSets~1{DATASET_ID}/patch/requestBody/content/application~1json-patch+json/schema",
        "an RFC 6902 array, not a dataSetRequest object",
        "the same operation's example (an array of add operations) and help/catalog/datasets/"
        "enable-for-profile.md",
    ),
    Override(
        "flow-service.yaml",
        "/paths/*/*/responses/{400,404,412}",
        "Flow Service answers 400, 404 and 412 problem bodies where the spec lists only 200/401/500",
        "Adobe's Flow Service error catalogue (help/sources/errors/flow-service-errors.md: 1403-400, "
        "1404-412, 1439-404 in help/sources/tutorials/api/labels.md)",
    ),
    Override(
        "flow-service.yaml",
        "/components/schemas/PatchInstruction",
        "`op` in RFC 6902 lower case (add/replace/remove) as well as the enum's upper case; `value` any JSON",
        "Adobe's update guides (help/sources/tutorials/api/update-dataflows.md: "
        '`{"op":"replace","path":"/name","value":"..."}`)',
    ),
    Override(
        "flow-service.yaml",
        "**/mappingVersion",
        "`mappingVersion` is an integer or a string (the spec: string)",
        "Adobe's Customer.io source tutorial (help/sources/tutorials/api/create/marketing-automation/"
        'customerio-webhook.md) sends and shows `"mappingVersion": 0`',
    ),
    Override(
        "schema-registry.yaml",
        "**/next (in _page and _links)",
        "`next` may be null on the last page (the spec: string)",
        "the spec's own list examples (`_page.next: null`, `_links.next: null`) and its description of "
        "linksBasic.next",
    ),
    Override(
        "data-prep.yaml",
        "**/createdDate, modifiedDate, updatedDate",
        "epoch milliseconds (integer) as well as date-time strings",
        "the spec's own mapping-set examples (`createdDate: 1614901254724`)",
    ),
    Override(
        "data-prep.yaml",
        "/components/schemas/SourceType",
        "GET answers may carry the legacy media-type spellings `text/x.schema-path`, `text/x.aep-xl`",
        "Adobe's Customer.io and HTTP API tutorials (aep-api.md §2: GET returns both spellings)",
    ),
    Override(
        "data-prep.yaml",
        "/paths/~1mappingSets~1{MAPPING_SET_ID}/delete",
        "DELETE of a mapping set is an operation answering 405 (or 204 with the knob), 404",
        "absent from the spec; aepp's deleteMappingSet calls it (aep-api.md §2.6)",
    ),
    Override(
        "schema-registry.yaml",
        "/definitions/createDescriptor/properties/xdm:sourceVersion",
        "`xdm:sourceVersion` is an integer (the spec says string)",
        "the spec's own examples and descriptors.md send and answer `1`",
    ),
    Override(
        "schema-registry.yaml",
        "/paths/~1tenant~1descriptors~1{DESCRIPTOR_ID}/put/responses",
        "a PUT answers 201 too",
        "descriptors.md (update a descriptor: 201); aep-profile-diagnostics.md §2a",
    ),
    Override(
        "schema-registry.yaml",
        "/definitions/patchSchema (JSON Patch `value`)",
        "`value` is any JSON (the union tag is an array)",
        'schemas.md §union: `value: ["union"]` on `/meta:immutableTags`',
    ),
    Override(
        "observability-insights.yaml",
        "/paths/~1metrics/post/requestBody",
        "`*/*` in the spec means any media type (checked as JSON)",
        "the operation's `content: '*/*'`; metrics.md sends application/json",
    ),
]


def _flow_errors(doc: Obj) -> None:
    problem = {
        "description": "Flow Service problem (error catalogue)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "title", "status", "report"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "report": {"type": "object"},
                    },
                }
            }
        },
    }
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                for status in ("400", "404", "412"):
                    op["responses"].setdefault(status, problem)


def _walk(node: Any, name: str, change: Any) -> None:
    """Apply ``change(schema)`` to every property schema called ``name``."""
    if isinstance(node, list):
        for n in node:
            _walk(n, name, change)
    elif isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get(name), dict):
            change(props[name])
        for value in node.values():
            _walk(value, name, change)


def _types(*kinds: str) -> Any:
    def change(schema: Obj) -> None:
        schema.pop("format", None)
        schema["type"] = list(kinds)

    return change


def _legacy(schema: Obj) -> None:
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], "text/x.schema-path", "text/x.aep-xl"]


def apply(name: str, doc: Obj) -> None:
    """Correct one freshly loaded spec in place (only here)."""
    if name == "schema-registry.yaml":
        _walk(doc, "next", _types("string", "null"))
        _walk(doc, "xdm:sourceVersion", _types("integer", "string"))
        put = doc["paths"]["/tenant/descriptors/{DESCRIPTOR_ID}"]["put"]["responses"]
        put.setdefault(201, put[200])
        _walk(doc["definitions"].get("patchSchema", {}), "value", lambda s: s.pop("type", None))
    if name == "observability-insights.yaml":
        content = doc["paths"]["/metrics"]["post"]["requestBody"]["content"]
        content["application/json"] = content.pop("*/*")
    if name == "data-prep.yaml":
        for key in ("createdDate", "modifiedDate", "updatedDate"):
            _walk(doc, key, _types("string", "integer"))
        _legacy(doc["components"]["schemas"]["SourceType"])
    if name == "flow-service.yaml":
        action = doc["paths"]["/flows/{FLOW_ID}/action"]["post"]
        for param in action["parameters"]:
            if param.get("name") == "subOp":
                param["required"] = False
        patch = doc["components"]["schemas"]["PatchInstruction"]["properties"]
        patch["op"]["enum"] = [*patch["op"]["enum"], "add", "replace", "remove"]
        patch["value"] = {}
        _walk(doc, "mappingVersion", _types("string", "integer"))
        last = doc["components"]["schemas"]["FlowItemDTO"]["properties"]["lastOperation"]
        last["properties"]["status"] = {"$ref": "#/components/schemas/StatusDTO"}
        _flow_errors(doc)
    if name == "catalog.yaml":
        content = doc["paths"]["/dataSets/{DATASET_ID}"]["patch"]["requestBody"]["content"]
        content["application/json-patch+json"]["schema"] = JSON_PATCH
    if name == "data-prep.yaml":
        doc["paths"]["/mappingSets/{MAPPING_SET_ID}"].setdefault(
            "delete",
            {
                "operationId": "deleteMappingSet",
                "responses": {
                    "204": {"description": "deleted"},
                    "404": {"description": "gone"},
                    "405": {"description": "not supported"},
                },
            },
        )
