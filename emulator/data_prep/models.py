"""Data Prep backend: versioned mapping sets in the current and the legacy body formats."""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import errors, xdm
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import MappingUsers, SchemaLookup
from emulator.core.listing import page
from emulator.data_prep import expressions, mapper

MAPPING_SET = "mappingSet"
MAPPING_VERSION = "mappingSetVersion"
_LEGACY_TYPES = {"text/x.schema-path": "ATTRIBUTE", "text/x.aep-xl": "EXPRESSION", "text/plain": "STATIC"}
_CURRENT_TO_LEGACY = {v: k for k, v in _LEGACY_TYPES.items()}


def normalise_mapping(raw: Any, index: int) -> dict[str, Any]:
    """Either spelling in, one canonical {sourceType, source, destination} out."""
    if not isinstance(raw, dict):
        raise errors.dataprep("1002-400", f"mappings[{index}] must be an object.")
    source = raw.get("source", raw.get("sourceAttribute"))
    destination = raw.get("destination", raw.get("destinationXdmPath"))
    kind = raw.get("sourceType", "ATTRIBUTE")
    if not isinstance(kind, str):
        raise errors.dataprep("1002-400", f"mappings[{index}].sourceType must be a string.")
    kind = _LEGACY_TYPES.get(kind, kind.upper())
    if kind not in ("ATTRIBUTE", "EXPRESSION", "STATIC"):
        raise errors.dataprep(
            "1002-400", f"mappings[{index}].sourceType '{kind}' is not ATTRIBUTE, EXPRESSION or STATIC."
        )
    if not isinstance(source, str) or not source.strip():
        raise errors.dataprep(
            "1002-400", f"mappings[{index}] needs a non-empty 'source' (or 'sourceAttribute')."
        )
    if not isinstance(destination, str) or not destination.strip():
        raise errors.dataprep(
            "1002-400", f"mappings[{index}] needs a non-empty 'destination' (or 'destinationXdmPath')."
        )
    out: dict[str, Any] = {"sourceType": kind, "source": source, "destination": destination}
    for key in ("name", "description"):
        if isinstance(raw.get(key), str):
            out[key] = raw[key]
    out["identity"] = bool(raw.get("identity", False))
    out["primaryIdentity"] = bool(raw.get("primaryIdentity", False))
    return out


class DataPrep(Backend):
    """Answers `MappingLookup` and `MappingRunner`; asks the Schema Registry (`SchemaLookup`) and
    Flow Service (`MappingUsers`)."""

    def __init__(self, env: Env, schemas: SchemaLookup, flows_using: MappingUsers) -> None:
        super().__init__(env)
        self.schemas = schemas
        self.flows_using = flows_using

    def _schema_ref(self, body: dict[str, Any]) -> str:
        output = body.get("outputSchema")
        ref = output.get("schemaRef") if isinstance(output, dict) else None
        schema_id = ref.get("id") if isinstance(ref, dict) else body.get("xdmSchema")
        if not isinstance(schema_id, str) or not schema_id:
            raise errors.dataprep(
                "1002-400", "'outputSchema.schemaRef.id' (or legacy 'xdmSchema') is required."
            )
        return schema_id

    def tree_for(self, sandbox: str, schema_id: str) -> dict[str, Any]:
        schema = self.schemas.find_schema(sandbox, schema_id)
        if schema is None:
            raise errors.dataprep(
                "1003-400", f"Output schema '{schema_id}' does not exist in sandbox '{sandbox}'."
            )
        return self.schemas.resolve(sandbox, schema)

    def _parse(self, ctx: Ctx, body: Any) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        if not isinstance(body, dict):
            raise errors.dataprep("1002-400", "The request body must be a JSON object.")
        schema_id = self._schema_ref(body)
        raw = body.get("mappings")
        if not isinstance(raw, list) or not raw:
            raise errors.dataprep("1002-400", "'mappings' must be a non-empty array.")
        mappings = [normalise_mapping(m, i) for i, m in enumerate(raw)]
        return schema_id, mappings, self.tree_for(ctx.sandbox, schema_id)

    def check_mapping(self, tree: dict[str, Any], mapping: dict[str, Any]) -> str | None:
        if xdm.path_type(tree.get("properties", {}), mapping["destination"]) is None:
            return f"Destination '{mapping['destination']}' is not a field of the output schema."
        if mapping["sourceType"] == "EXPRESSION":
            try:
                expressions.parse(mapping["source"])
            except expressions.ExpressionError as exc:
                return f"Invalid expression '{mapping['source']}': {exc}"
        return None

    def _validated(self, ctx: Ctx, body: Any) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        schema_id, mappings, tree = self._parse(ctx, body)
        for mapping in mappings:
            problem = self.check_mapping(tree, mapping)
            if problem:
                raise errors.dataprep("1004-400", problem, "Mapping validation failed")
        return schema_id, mappings, tree

    def _document(
        self,
        ctx: Ctx,
        set_id: str,
        version: int,
        body: dict[str, Any],
        schema_id: str,
        mappings: list[dict[str, Any]],
        created: int,
    ) -> dict[str, Any]:
        content_type = "application/vnd.adobe.xed-full+json;version=1"
        output = body.get("outputSchema")
        ref = output.get("schemaRef") if isinstance(output, dict) else None
        if isinstance(ref, dict) and isinstance(ref.get("contentType"), str):
            content_type = ref["contentType"]
        doc: dict[str, Any] = {
            "id": set_id,
            "version": version,
            "status": "ENABLED",
            "createdDate": created,
            "modifiedDate": ctx.now_ms,
            "createdBy": f"{ctx.client_id}@AdobeID",
            "modifiedBy": f"{ctx.client_id}@AdobeID",
            "outputSchema": {"schemaRef": {"id": schema_id, "contentType": content_type}},
            "mappings": [dict(m, id=self.ids.hex(32), version=version) for m in mappings],
            "allowNullValues": bool(body.get("allowNullValues", False)),
        }
        if isinstance(body.get("name"), str):
            doc["name"] = body["name"]
        return doc

    def _summary(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            k: doc[k] for k in ("id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy")
        }

    def render(self, doc: dict[str, Any]) -> dict[str, Any]:
        """GET answers carry both spellings; sourceType uses the legacy media types."""
        out = copy.deepcopy(doc)
        for mapping in out["mappings"]:
            mapping["sourceAttribute"] = mapping["source"]
            mapping["destinationXdmPath"] = mapping["destination"]
            if self.knobs.legacy_source_types:
                mapping["sourceType"] = _CURRENT_TO_LEGACY[mapping["sourceType"]]
        out["xdmSchema"] = out["outputSchema"]["schemaRef"]["id"]
        out["xdmVersion"] = "1.0"
        return out

    def create(self, ctx: Ctx, body: Any) -> dict[str, Any]:
        schema_id, mappings, _ = self._validated(ctx, body)
        set_id = self.ids.uuid().replace("-", "")
        doc = self._document(ctx, set_id, 0, body, schema_id, mappings, ctx.now_ms)
        self.store.put(ctx.sandbox, MAPPING_SET, set_id, doc)
        self.store.put(ctx.sandbox, MAPPING_VERSION, f"{set_id}:0", doc)
        return self._summary(doc)

    def get_doc(self, sandbox: str, set_id: str, version: int | None = None) -> dict[str, Any] | None:
        if version is None:
            return self.store.get(sandbox, MAPPING_SET, set_id)
        return self.store.get(sandbox, MAPPING_VERSION, f"{set_id}:{version}")

    def map_record(
        self, sandbox: str, set_id: str, version: int, tree: dict[str, Any], record: Any
    ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        doc = self.get_doc(sandbox, set_id, version)
        if doc is None:
            return None
        return mapper.apply(doc["mappings"], tree, record, bool(doc.get("allowNullValues")))

    def get(self, ctx: Ctx, set_id: str, version: int | None) -> dict[str, Any]:
        doc = self.get_doc(ctx.sandbox, set_id, version)
        if doc is None:
            suffix = f" version {version}" if version is not None else ""
            raise errors.dataprep(
                "1001-404", f"Mapping set '{set_id}'{suffix} was not found.", "Resource not found"
            )
        return self.render(doc)

    def list_items(self, ctx: Ctx, limit: int, start: int, name: str | None) -> dict[str, Any]:
        docs = self.store.list_kind(ctx.sandbox, MAPPING_SET, self.list_cutoff(ctx.now))
        if name is not None:
            docs = [d for d in docs if d.get("name") == name]
        items = page(docs, start, limit)[0]
        return {
            "data": [self.render(d) for d in items],
            "_page": {"count": len(items), "limit": limit, "start": start, "totalCount": len(docs)},
        }

    def replace(self, ctx: Ctx, set_id: str, body: Any) -> dict[str, Any]:
        current = self.get_doc(ctx.sandbox, set_id)
        if current is None:
            raise errors.dataprep("1001-404", f"Mapping set '{set_id}' was not found.", "Resource not found")
        schema_id, mappings, _ = self._validated(ctx, body)
        version = int(current["version"]) + 1
        doc = self._document(ctx, set_id, version, body, schema_id, mappings, int(current["createdDate"]))
        self.store.put(ctx.sandbox, MAPPING_SET, set_id, doc)
        self.store.put(ctx.sandbox, MAPPING_VERSION, f"{set_id}:{version}", doc)
        return self.render(doc)

    def delete(self, ctx: Ctx, set_id: str) -> None:
        if self.knobs.mapping_set_delete != "enabled":
            raise errors.dataprep(
                "1405-405", "DELETE is not supported on mapping sets.", "Method not allowed"
            )
        doc = self.get_doc(ctx.sandbox, set_id)
        if doc is None:
            raise errors.dataprep("1001-404", f"Mapping set '{set_id}' was not found.", "Resource not found")
        users = self.flows_using(ctx.sandbox, set_id)
        if users:
            raise errors.dataprep(
                "1005-400", f"Mapping set '{set_id}' is used by flow(s) {', '.join(users)}."
            )
        for version in range(int(doc["version"]) + 1):
            self.store.delete(ctx.sandbox, MAPPING_VERSION, f"{set_id}:{version}")
        self.store.delete(ctx.sandbox, MAPPING_SET, set_id)

    def validate(self, ctx: Ctx, body: Any) -> dict[str, Any]:
        _, mappings, tree = self._parse(ctx, body)
        results = []
        for mapping in mappings:
            problem = self.check_mapping(tree, mapping)
            results.append(
                {
                    "status": "FAILED" if problem else "SUCCESS",
                    "errors": [
                        {
                            "source": mapping["source"],
                            "destination": mapping["destination"],
                            "exception": problem,
                        }
                    ]
                    if problem
                    else None,
                }
            )
        return {"validationResponse": results}

    def preview(self, ctx: Ctx, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise errors.dataprep("1002-400", "'data' must be an array of sample records.")
        _, mappings, tree = self._validated(ctx, body.get("mappingSet"))
        allow = bool((body.get("mappingSet") or {}).get("allowNullValues", False))
        out = []
        for sample in body["data"]:
            mapped, problems = mapper.apply(mappings, tree, sample, allow)
            out.append({"data": mapped, "errors": problems or None})
        return out
