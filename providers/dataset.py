"""Catalog dataset receiving the Customer.io events.

``Dataset(name, DatasetArgs(...), opts)`` -> type ``pulumi-python:dynamic/aep:Dataset``.

Inputs: ``sandbox`` (replace), ``name`` (update), ``description`` (update), ``schema_id``
(replace), ``schema_content_type`` (replace; default ``application/vnd.adobe.xed+json;version=1``),
``delete_data_on_destroy`` (bool, default False; local only).
Outputs: ``dataset_id`` (also the resource id), ``version``.
delete_before_replace: yes (one dataset per name and stack).

Holding data: a dataset holds data when Catalog reports a batch for it (the dataset's
``lastBatchId`` or ``GET /catalog/batches?dataSet={id}&limit=1`` non-empty; streaming ingestion
writes batches). When that cannot be determined it counts as holding data. Without
``delete_data_on_destroy`` such a dataset is retained on delete, with a message on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from providers.aep_client import CATALOG
from providers.base import BaseProvider, ProviderArgs, notice, resource_props
from providers.errors import ApiError, GoneError
from providers.types import Description, Name, Sandbox

XED_CONTENT_TYPE = "application/vnd.adobe.xed+json;version=1"


class DatasetInputs(ProviderArgs):
    sandbox: Sandbox
    name: Name
    description: Description = ""
    schema_id: str
    schema_content_type: str = XED_CONTENT_TYPE
    delete_data_on_destroy: bool = False


OUTPUTS = ("dataset_id", "version")


def _id_from_refs(body: Any) -> str:
    refs = body if isinstance(body, list) else []
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("@/dataSets/"):
            return ref.removeprefix("@/dataSets/")
    raise ValueError(f"unexpected Catalog create response: {str(body)[:200]}")


class DatasetProvider(BaseProvider[DatasetInputs]):
    kind = "Dataset"
    args_model = DatasetInputs
    replace_on = frozenset({"sandbox", "schema_id", "schema_content_type"})
    delete_before_replace = True

    def _body(self, args: DatasetInputs) -> dict[str, Any]:
        return {
            "name": args.name,
            "description": args.description,
            "schemaRef": {
                "id": args.schema_id,
                "contentType": args.schema_content_type,
            },
        }

    def _create(self, args: DatasetInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{CATALOG}/dataSets",
                sandbox=args.sandbox,
                operation="create",
                json=self._body(args),
            )
            return {"id": _id_from_refs(resp.json())}

        def lookup() -> dict[str, Any] | None:
            resp = client.call(
                "GET",
                f"{CATALOG}/dataSets",
                sandbox=args.sandbox,
                operation="create: lookup by name",
                params={"name": args.name, "limit": 100},
            )
            body = resp.json() if resp.content else {}
            for id_, ds in (body or {}).items():
                if ds.get("name") == args.name and (ds.get("schemaRef") or {}).get("id") == args.schema_id:
                    return {"id": id_}
            return None

        id_ = str(self.create_once(args, post, lookup)["id"])
        try:
            version = self._get(id_, args.sandbox, "create: read back").get("version", "")
        except GoneError:
            version = ""
        return id_, {"dataset_id": id_, "version": str(version)}

    def _get(self, id_: str, sandbox: str, operation: str) -> dict[str, Any]:
        body = self.aep().get_existing(f"{CATALOG}/dataSets/{id_}", sandbox=sandbox, operation=operation)
        if not isinstance(body, dict) or not isinstance(body.get(id_), dict):
            # A 200 without the dataset is not proof of deletion (R3): only a 404 is.
            raise ApiError(
                operation=operation,
                status=200,
                title="Empty response",
                detail=f"GET dataSets/{id_} returned no dataset {id_}",
                hint="retry `pulumi refresh`; if it persists, check the dataset in the AEP UI",
            )
        found: dict[str, Any] = body[id_]
        return found

    def _read(
        self, id_: str, args: DatasetInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        ds = self._get(id_, args.sandbox, "read")
        ref = ds.get("schemaRef") or {}
        live = {
            "name": ds.get("name", args.name),
            "description": ds.get("description", ""),
            "schema_id": ref.get("id", args.schema_id),
            "schema_content_type": ref.get("contentType", args.schema_content_type),
        }
        return live, {"dataset_id": id_, "version": str(ds.get("version", ""))}

    def _update(
        self, id_: str, old: DatasetInputs, new: DatasetInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        ops = [
            {"op": "add", "path": f"/{key}", "value": getattr(new, key)}
            for key in ("name", "description")
            if getattr(new, key) != getattr(old, key)
        ]
        if ops:
            self.aep().call(
                "PATCH",
                f"{CATALOG}/dataSets/{id_}",
                sandbox=old.sandbox,
                operation="update",
                json=ops,
            )
        try:
            version = self._get(id_, old.sandbox, "update: read back").get("version", "")
        except GoneError:
            version = olds.get("version", "")
        return {"dataset_id": id_, "version": str(version)}

    def holds_data(self, id_: str, sandbox: str, dataset: dict[str, Any]) -> bool | None:
        """True/False, or None when Catalog cannot tell."""
        if dataset.get("lastBatchId"):
            return True
        resp = self.aep().call(
            "GET",
            f"{CATALOG}/batches",
            sandbox=sandbox,
            operation="delete: look for ingested batches",
            params={"dataSet": id_, "limit": 1},
            accept=(404, 405),
        )
        if resp.status_code in (404, 405):
            return None
        body = resp.json() if resp.content else {}
        return bool(body)

    def _delete(self, id_: str, args: DatasetInputs, props: dict[str, Any]) -> None:
        if not args.delete_data_on_destroy:
            try:
                ds = self._get(id_, args.sandbox, "delete: read")
            except GoneError:
                return
            holds = self.holds_data(id_, args.sandbox, ds)
            if holds is not False:
                why = "holds ingested data" if holds else "may hold data (Catalog could not tell)"
                notice(
                    f"Dataset '{args.name}' ({id_}, sandbox {args.sandbox}) {why}: it was NOT deleted and "
                    "is no longer managed by this stack. To delete it with its data, set "
                    "delete_data_on_destroy=true, run `pulumi up`, then destroy again; or delete it in AEP."
                )
                return
        # 200 with an empty array means Catalog did not know the id: already gone.
        self.aep().call(
            "DELETE",
            f"{CATALOG}/dataSets/{id_}",
            sandbox=args.sandbox,
            operation="delete",
            accept=(404,),
        )


@dataclass
class DatasetArgs:
    sandbox: pulumi.Input[str]
    name: pulumi.Input[str]
    schema_id: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    schema_content_type: pulumi.Input[str] | None = None
    delete_data_on_destroy: pulumi.Input[bool] | None = None


class Dataset(Resource, module="aep", name="Dataset"):
    sandbox: pulumi.Output[str]
    name: pulumi.Output[str]
    dataset_id: pulumi.Output[str]
    version: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: DatasetArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(DatasetProvider(), resource_name, resource_props(args, OUTPUTS), opts)
