"""Catalog backend: datasets (JSON keyed by id, arrays of '@/dataSets/{id}' references), batches and
the records streaming ingestion stored in them."""

from __future__ import annotations

import copy
from typing import Any

from emulator.catalog import profile
from emulator.core import errors, patch
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import SchemaLookup
from emulator.core.listing import page

DATASET = "dataset"
BATCH = "batch"
Obj = dict[str, Any]


def _bad_patch(reason: str) -> errors.ApiError:
    return errors.catalog(400, f"Invalid JSON Patch: {reason}.", "err-badPatch")


class Catalog(Backend):
    """Answers `DatasetLookup`, `DatasetUsage`, `DatasetSink`; asks the Schema Registry (`SchemaLookup`)."""

    def __init__(self, env: Env, schemas: SchemaLookup) -> None:
        super().__init__(env)
        self.schemas = schemas

    def _validate(self, ctx: Ctx, body: Obj) -> None:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise errors.catalog(400, "'name' is required and must be a non-empty string.", "err-badName")
        ref = body.get("schemaRef")
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise errors.catalog(400, "'schemaRef.id' is required.", "err-badSchemaRef")
        content_type = ref.get("contentType")
        if not isinstance(content_type, str) or not content_type.startswith("application/vnd.adobe.xed"):
            raise errors.catalog(
                400,
                "'schemaRef.contentType' must be e.g. 'application/vnd.adobe.xed+json;version=1'.",
                "err-badSchemaRef",
            )
        if self.schemas.find_schema(ctx.sandbox, ref["id"]) is None:
            raise errors.catalog(
                400, f"Schema '{ref['id']}' does not exist in sandbox '{ctx.sandbox}'.", "err-schemaNotFound"
            )
        if "description" in body and not isinstance(body["description"], str):
            raise errors.catalog(400, "'description' must be a string.")
        if "tags" in body and not isinstance(body["tags"], dict):
            raise errors.catalog(400, "'tags' must be an object.")
        profile.check_tags(body, self.schemas.find_schema(ctx.sandbox, ref["id"]) or {})

    @staticmethod
    def _render(obj: Obj) -> Obj:
        return {k: v for k, v in obj.items() if k != "id"}

    # -- what other services ask -----------------------------------------------------------------
    def get_dataset(self, sandbox: str, dataset_id: str) -> Obj | None:
        return self.store.get(sandbox, DATASET, dataset_id)

    def datasets_using(self, sandbox: str, schema_refs: tuple[str, ...], ingested_only: bool) -> list[str]:
        return [
            str(d["id"])
            for d in self.store.list_kind(sandbox, DATASET)
            if d.get("schemaRef", {}).get("id") in schema_refs
            and (not ingested_only or d.get("lastBatchId") or self.store.records(sandbox, str(d["id"])))
        ]

    def ingest(self, sandbox: str, dataset_id: str, record: Obj, now_ms: int) -> None:
        """One streamed record lands in the dataset as a batch of one (clients use batches to tell
        an empty dataset)."""
        self.store.add_record(sandbox, dataset_id, record)
        batch_id = self.ids.ulid()
        batch = {
            "id": batch_id,
            "status": "success",
            "created": now_ms,
            "updated": now_ms,
            "completed": now_ms,
            "relatedObjects": [{"type": "dataSet", "id": dataset_id}],
            "metrics": {"inputRecordCount": 1, "outputRecordCount": 1},
        }
        self.store.put(sandbox, BATCH, batch_id, batch)
        dataset = self.store.get(sandbox, DATASET, dataset_id)
        if dataset is not None:
            dataset.update(lastBatchId=batch_id, lastBatchStatus="success", updated=now_ms)
            self.store.put(sandbox, DATASET, dataset_id, dataset)

    def reject(self, sandbox: str, dataset_id: str, problems: list[Obj], now_ms: int) -> None:
        batch_id = self.ids.ulid()
        metrics = {"inputRecordCount": 1, "outputRecordCount": 0, "failedRecordCount": 1}
        batch = {"id": batch_id, "status": "failed", "created": now_ms, "updated": now_ms, "metrics": metrics}
        batch.update(relatedObjects=[{"type": "dataSet", "id": dataset_id}], errors=problems)
        self.store.put(sandbox, BATCH, batch_id, batch)

    def all_datasets(self, sandbox: str) -> list[Obj]:
        return self.store.list_kind(sandbox, DATASET)

    def batches_for(self, sandbox: str, dataset_id: str) -> list[Obj]:
        return [
            b
            for b in self.store.list_kind(sandbox, BATCH)
            if dataset_id in [r.get("id") for r in b.get("relatedObjects", [])]
        ]

    def records(self, sandbox: str, dataset_id: str) -> list[Obj]:
        return self.store.records(sandbox, dataset_id)

    # -- operations ------------------------------------------------------------------------------
    def _get(self, ctx: Ctx, dataset_id: str) -> Obj:
        obj = self.store.get(ctx.sandbox, DATASET, dataset_id)
        if obj is None:
            raise errors.catalog(404, f"Dataset '{dataset_id}' was not found.", "err-notFound")
        return obj

    def create(self, ctx: Ctx, body: Obj) -> str:
        body = copy.deepcopy(body)
        self._validate(ctx, body)
        dataset_id = self.ids.hex(24)
        body.update(
            {
                "id": dataset_id,
                "version": "1.0.0",
                "created": ctx.now_ms,
                "updated": ctx.now_ms,
                "createdClient": ctx.client_id,
                "createdUser": f"{ctx.client_id}@AdobeID",
                "imsOrg": self.options.org_id,
                "sandboxName": ctx.sandbox,
                "tags": body.get("tags", {}),
                "files": f"@/dataSetFiles?dataSetId={dataset_id}",
            }
        )
        self.store.put(ctx.sandbox, DATASET, dataset_id, body)
        return dataset_id

    def get(self, ctx: Ctx, dataset_id: str) -> Obj:
        obj = self._get(ctx, dataset_id)
        return {obj["id"]: self._render(obj)}

    def list_items(self, ctx: Ctx, name: str | None, limit: int, start: int, properties: list[str]) -> Obj:
        items = self.store.list_kind(ctx.sandbox, DATASET, self.list_cutoff(ctx.now))
        if name is not None:
            items = [o for o in items if o.get("name") == name]
        out: Obj = {}
        for obj in page(items, start, limit)[0]:
            rendered = self._render(obj)
            if properties:
                rendered = {k: v for k, v in rendered.items() if k in properties}
            out[obj["id"]] = rendered
        return out

    def patch(self, ctx: Ctx, dataset_id: str, operations: Any) -> list[str]:
        new = patch.apply(self._get(ctx, dataset_id), operations, _bad_patch)
        if not isinstance(new, dict) or new.get("id") != dataset_id:
            raise errors.catalog(400, "'id' is read-only.", "err-badPatch")
        self._validate(ctx, new)
        new["updated"] = ctx.now_ms
        self.store.put(ctx.sandbox, DATASET, dataset_id, new)
        return [f"@/dataSets/{dataset_id}"]

    def update_fields(self, ctx: Ctx, dataset_id: str, fields: Obj) -> list[str]:
        """Field-object mode of PATCH: the given top-level fields replace the dataset's."""
        if "id" in fields and fields["id"] != dataset_id:
            raise errors.catalog(400, "'id' is read-only.", "err-badPatch")
        operations = [
            {"op": "add", "path": "/" + k.replace("~", "~0").replace("/", "~1"), "value": v}
            for k, v in fields.items()
        ]
        return self.patch(ctx, dataset_id, operations)

    def delete(self, ctx: Ctx, dataset_id: str) -> list[str]:
        if not self.store.delete(ctx.sandbox, DATASET, dataset_id):
            if self.knobs.catalog_delete_unknown == "404":
                raise errors.catalog(404, f"Dataset '{dataset_id}' was not found.", "err-notFound")
            return []
        self.store.delete_records(ctx.sandbox, dataset_id)
        return [f"@/dataSets/{dataset_id}"]

    def batches(self, ctx: Ctx, dataset_id: str | None, limit: int) -> Obj:
        out: Obj = {}
        for batch in self.store.list_kind(ctx.sandbox, BATCH):
            related = [r.get("id") for r in batch.get("relatedObjects", [])]
            if dataset_id is None or dataset_id in related:
                out[batch["id"]] = {k: v for k, v in batch.items() if k != "id"}
        return dict(list(out.items())[-limit:]) if out else {}
