"""Flow Service body rules and reference checks (datasets, schemas, mapping sets, connections)."""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import errors
from emulator.core.interfaces import DatasetLookup, MappingLookup, SchemaLookup
from emulator.core.store import Store

SOURCE = "sourceConnection"
TARGET = "targetConnection"
FLOW = "flow"
RUN = "run"
LABELS = {SOURCE: "sourceConnections", TARGET: "targetConnections", FLOW: "flows", RUN: "runs"}
PATCHABLE = {
    FLOW: ("/name", "/description", "/transformations", "/labels", "/scheduleParams", "/options"),
    SOURCE: ("/name", "/description", "/params", "/data", "/labels"),
    TARGET: ("/name", "/description", "/params", "/data", "/labels"),
}
Obj = dict[str, Any]


def bad(message: str, code: str = "1100-400") -> errors.ApiError:
    return errors.flow(code, message)


def spec(body: Obj, key: str, known: Any) -> Obj:
    value = body.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise bad(f"'{key}.id' is required.")
    if value["id"] not in known:
        raise bad(f"The spec ID '{value['id']}' provided in {key} is invalid.", "1413-400")
    if not isinstance(value.get("version", "1.0"), str):
        raise bad(f"'{key}.version' must be a string such as '1.0'.")
    return {"id": value["id"], "version": value.get("version", "1.0")}


def create_body(body: Any) -> Obj:
    if not isinstance(body, dict) or not body:
        raise errors.flow("1405-400", "The request body is empty or is not a JSON object.")
    if "state" in body:
        raise errors.flow("1410-400", "'state' is not allowed in the request body of a create call.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad("'name' is required and must be a non-empty string.")
    if "description" in body and not isinstance(body["description"], str):
        raise bad("'description' must be a string.")
    return copy.deepcopy(body)


def patch_operations(kind: str, operations: Any) -> list[Obj]:
    """The operations with lower-case names, or the Flow Service's 14xx errors."""
    if not isinstance(operations, list) or not operations:
        raise errors.flow("1405-400", "The request body must be a non-empty JSON Patch array.")
    normalised = []
    for op in operations:
        if (
            not isinstance(op, dict)
            or not isinstance(op.get("op"), str)
            or not isinstance(op.get("path"), str)
        ):
            raise errors.flow(
                "1455-400", "Error while validating patch instructions: each needs 'op' and 'path'."
            )
        name = op["op"].lower()
        if name not in ("add", "replace", "remove"):
            raise errors.flow("1434-400", f"Unsupported patch operation '{op['op']}'.")
        if op["path"].startswith("/connectionSpec"):
            raise errors.flow("1414-400", "The connection spec of a connection cannot be changed.")
        if not op["path"].startswith(PATCHABLE[kind]):
            raise errors.flow(
                "1455-400",
                f"Error while validating patch instructions: path '{op['path']}' cannot be patched.",
            )
        normalised.append({**op, "op": name})
    return normalised


def _mapping_version(raw: Any) -> int:
    try:
        if isinstance(raw, (bool, float)):
            raise ValueError
        return int(raw)
    except (TypeError, ValueError, OverflowError) as exc:
        raise errors.flow("1412-400", f"Invalid mapping version '{raw}'.") from exc


class References:
    """Checks that what a connection or flow names exists, asking the services that own it."""

    def __init__(
        self, store: Store, datasets: DatasetLookup, schemas: SchemaLookup, mappings: MappingLookup
    ) -> None:
        self.store = store
        self.datasets = datasets
        self.schemas = schemas
        self.mappings = mappings

    def target(self, sandbox: str, body: Obj) -> None:
        params = body.get("params")
        dataset_id = params.get("dataSetId") if isinstance(params, dict) else None
        if not isinstance(dataset_id, str):
            raise bad("'params.dataSetId' is required.")
        dataset = self.datasets.get_dataset(sandbox, dataset_id)
        if dataset is None:
            raise bad(f"Dataset '{dataset_id}' was not found in sandbox '{sandbox}'.", "1100-400")
        data = body.get("data")
        schema = data.get("schema") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("format"), str):
            raise bad("'data.format' is required.")
        if not isinstance(schema, dict) or not isinstance(schema.get("id"), str):
            raise bad("'data.schema.id' is required.")
        if not isinstance(schema.get("version"), str):
            raise bad(
                "'data.schema.version' is required, e.g. 'application/vnd.adobe.xed-full+json;version=1'."
            )
        if self.schemas.find_schema(sandbox, schema["id"]) is None:
            raise bad(f"Schema '{schema['id']}' was not found in sandbox '{sandbox}'.", "1100-400")
        if dataset.get("schemaRef", {}).get("id") != schema["id"]:
            raise errors.flow(
                "1425-400", f"Schema '{schema['id']}' is not the schema of dataset '{dataset_id}'."
            )

    def connection_ids(self, sandbox: str, body: Obj, key: str, kind: str) -> list[str]:
        ids = body.get(key)
        if not isinstance(ids, list) or len(ids) != 1 or not isinstance(ids[0], str):
            raise bad(f"'{key}' must hold exactly one connection id.")
        if self.store.get(sandbox, kind, ids[0]) is None:
            raise bad(f"{LABELS[kind]} '{ids[0]}' was not found in sandbox '{sandbox}'.", "1100-400")
        return [ids[0]]

    def transformations(self, sandbox: str, flow: Obj) -> None:
        transformations = flow.get("transformations")
        if not isinstance(transformations, list) or not transformations:
            raise bad(
                "'transformations' with a 'Mapping' transformation is required for non-XDM source data."
            )
        for item in transformations:
            if (
                not isinstance(item, dict)
                or item.get("name") != "Mapping"
                or not isinstance(item.get("params"), dict)
            ):
                raise bad("Each transformation must be {'name': 'Mapping', 'params': {...}}.")
            mapping_id = item["params"].get("mappingId")
            if not isinstance(mapping_id, str):
                raise bad("'transformations[].params.mappingId' is required.")
            version = _mapping_version(item["params"].get("mappingVersion", 0))
            mapping = self.mappings.get_doc(sandbox, mapping_id)
            if mapping is None:
                raise bad(f"Mapping set '{mapping_id}' was not found in sandbox '{sandbox}'.", "1100-400")
            if self.mappings.get_doc(sandbox, mapping_id, version) is None:
                raise errors.flow("1412-400", f"Mapping set '{mapping_id}' has no version {version}.")
            self._same_schema(sandbox, flow, mapping)

    def _same_schema(self, sandbox: str, flow: Obj, mapping: Obj) -> None:
        target = self.store.get(sandbox, TARGET, flow["targetConnectionIds"][0]) or {}
        dataset = self.datasets.get_dataset(sandbox, target.get("params", {}).get("dataSetId", "")) or {}
        dataset_schema = dataset.get("schemaRef", {}).get("id")
        mapping_schema = mapping["outputSchema"]["schemaRef"]["id"]
        if dataset_schema != mapping_schema:
            raise errors.flow(
                "1425-400",
                f"The mapping set schema '{mapping_schema}' and the dataset schema "
                f"'{dataset_schema}' must be the same.",
            )
