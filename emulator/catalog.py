"""Catalog backend: datasets (JSON keyed by id, arrays of '@/dataSets/{id}' references)."""

from __future__ import annotations

import copy
from typing import Any

from emulator import errors, jsonpatch
from emulator.backend import Backend
from emulator.context import Ctx

DATASET = "dataset"
BATCH = "batch"


class Catalog(Backend):
    def _validate(self, ctx: Ctx, body: dict[str, Any]) -> None:
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
        if self.world.schemas.find_schema(ctx.sandbox, ref["id"]) is None:
            raise errors.catalog(
                400, f"Schema '{ref['id']}' does not exist in sandbox '{ctx.sandbox}'.", "err-schemaNotFound"
            )
        for key in ("description",):
            if key in body and not isinstance(body[key], str):
                raise errors.catalog(400, f"'{key}' must be a string.")
        if "tags" in body and not isinstance(body["tags"], dict):
            raise errors.catalog(400, "'tags' must be an object.")

    def _render(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {obj["id"]: {k: v for k, v in obj.items() if k != "id"}}

    def get_obj(self, sandbox: str, dataset_id: str) -> dict[str, Any] | None:
        return self.store.get(sandbox, DATASET, dataset_id)

    def _get(self, ctx: Ctx, dataset_id: str) -> dict[str, Any]:
        obj = self.store.get(ctx.sandbox, DATASET, dataset_id)
        if obj is None:
            raise errors.catalog(404, f"Dataset '{dataset_id}' was not found.", "err-notFound")
        return obj

    def create(self, ctx: Ctx, body: dict[str, Any]) -> str:
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

    def get(self, ctx: Ctx, dataset_id: str) -> dict[str, Any]:
        return self._render(self._get(ctx, dataset_id))

    def list_items(
        self, ctx: Ctx, name: str | None, limit: int, start: int, properties: list[str]
    ) -> dict[str, Any]:
        items = self.store.list_kind(ctx.sandbox, DATASET, self.list_cutoff(ctx.now))
        if name is not None:
            items = [o for o in items if o.get("name") == name]
        out: dict[str, Any] = {}
        for obj in items[start : start + limit]:
            rendered = self._render(obj)[obj["id"]]
            if properties:
                rendered = {k: v for k, v in rendered.items() if k in properties}
            out[obj["id"]] = rendered
        return out

    def patch(self, ctx: Ctx, dataset_id: str, operations: Any) -> list[str]:
        current = self._get(ctx, dataset_id)
        try:
            new = jsonpatch.apply(current, operations)
        except jsonpatch.PatchError as exc:
            raise errors.catalog(400, f"Invalid JSON Patch: {exc}.", "err-badPatch") from exc
        if not isinstance(new, dict) or new.get("id") != dataset_id:
            raise errors.catalog(400, "'id' is read-only.", "err-badPatch")
        self._validate(ctx, new)
        new["updated"] = ctx.now_ms
        self.store.put(ctx.sandbox, DATASET, dataset_id, new)
        return [f"@/dataSets/{dataset_id}"]

    def delete(self, ctx: Ctx, dataset_id: str) -> list[str]:
        if not self.store.delete(ctx.sandbox, DATASET, dataset_id):
            if self.knobs.catalog_delete_unknown == "404":
                raise errors.catalog(404, f"Dataset '{dataset_id}' was not found.", "err-notFound")
            return []
        self.store.delete_records(ctx.sandbox, dataset_id)
        return [f"@/dataSets/{dataset_id}"]

    # -- batches (streaming ingestion writes them; clients use them to tell an empty dataset) ----
    def record_batch(self, sandbox: str, dataset_id: str, records: int, now_ms: int) -> None:
        batch_id = self.ids.ulid()
        batch = {
            "id": batch_id,
            "status": "success",
            "created": now_ms,
            "updated": now_ms,
            "completed": now_ms,
            "relatedObjects": [{"type": "dataSet", "id": dataset_id}],
            "metrics": {"inputRecordCount": records, "outputRecordCount": records},
        }
        self.store.put(sandbox, BATCH, batch_id, batch)
        dataset = self.store.get(sandbox, DATASET, dataset_id)
        if dataset is not None:
            dataset.update(lastBatchId=batch_id, lastBatchStatus="success", updated=now_ms)
            self.store.put(sandbox, DATASET, dataset_id, dataset)

    def batches(self, ctx: Ctx, dataset_id: str | None, limit: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for batch in self.store.list_kind(ctx.sandbox, BATCH):
            related = [r.get("id") for r in batch.get("relatedObjects", [])]
            if dataset_id is None or dataset_id in related:
                out[batch["id"]] = {k: v for k, v in batch.items() if k != "id"}
        return dict(list(out.items())[-limit:]) if out else {}
