"""Catalog dataset receiving the Customer.io events.

Inputs: ``sandbox``, ``schema_id`` and ``schema_content_type`` replace; ``name`` and
``description`` update (JSON Patch with If-Match); ``delete_data_on_destroy`` (local, default
False); ``profile_enabled`` / ``identity_enabled`` (the Catalog tags ``unifiedProfile`` /
``unifiedIdentity``: sent at create, else added by JSON Patch of ``/tags/<tag>``; they need a
``union`` schema). Turning Profile off is refused by ``check()``: AEP keeps the schema in Profile for
good, and the Profile data would stay behind. Outputs: ``dataset_id`` (also the resource id), ``version``.

Holding data: a dataset holds data when Catalog reports a batch for it (the dataset's
``lastBatchId`` or ``GET /catalog/batches?dataSet={id}&limit=1`` non-empty; streaming ingestion
writes batches). When that cannot be determined it counts as holding data. Without
``delete_data_on_destroy`` such a dataset is kept on delete (and dropped from the stack), with a
message: this is the one place that decides whether data may be deleted. A Profile-enabled dataset
is always kept without the opt-in: deleting it deletes its Profile and identity data too
(enable-for-profile.md, datasets user guide; aep-profile-diagnostics.md §7).
"""

from __future__ import annotations

from typing import Annotated, Any

from pulumi.dynamic import CheckFailure, CheckResult

from aep_customerio.providers.aep_client import CATALOG, JSON_PATCH
from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import OWNER, REPLACES, AepInputs, Outputs, resource_class
from aep_customerio.providers.errors import empty_answer
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.types import Description, Name

XED_CONTENT_TYPE = "application/vnd.adobe.xed+json;version=1"
OWNER_TAG = "pulumi/stack"  # Catalog tags are free-form: the one API here that can mark an owner
NEW_VERSION = "1.0.0"  # Catalog's version of an object it has just created
OPT_IN_KEY = "aep-customerio:sources[<i>].deleteDataOnDestroy"
PROFILE_KEY = "aep-customerio:sources[<i>].profile"
TAGS = {"profile_enabled": "unifiedProfile", "identity_enabled": "unifiedIdentity"}
ON = "enabled:true"


class DatasetInputs(AepInputs):
    name: Name
    description: Description = ""
    schema_id: Annotated[str, REPLACES]
    schema_content_type: Annotated[str, REPLACES] = XED_CONTENT_TYPE
    delete_data_on_destroy: bool = False
    profile_enabled: bool = False
    identity_enabled: bool = False
    owner: Annotated[str, OWNER] = ""


class DatasetOutputs(Outputs):
    dataset_id: str
    version: str


class DatasetProvider(BaseProvider[DatasetInputs]):
    kind = "Dataset"
    token = ("aep", "Dataset")
    inputs = DatasetInputs
    outputs = DatasetOutputs
    natural_key = ("sandbox", "name", "schema_id")

    def path(self, id_: str = "") -> str:
        return f"{CATALOG}/dataSets/{id_}" if id_ else f"{CATALOG}/dataSets"

    def post(self, args: DatasetInputs) -> Body:
        body = {
            "name": args.name,
            "description": args.description,
            "schemaRef": {"id": args.schema_id, "contentType": args.schema_content_type},
        }
        tags = {tag: [ON] for key, tag in TAGS.items() if getattr(args, key)}
        if args.owner:
            tags[OWNER_TAG] = [args.owner]
        if tags:
            body["tags"] = tags
        resp = self.aep().call("POST", self.path(), sandbox=args.sandbox, operation="create", json=body)
        refs = json_body(resp, "create", list)
        ids = [
            r.removeprefix("@/dataSets/") for r in refs if isinstance(r, str) and r.startswith("@/dataSets/")
        ]
        return {"id": ids[0]} if ids else {}

    def created(self, id_: str, body: Body, args: DatasetInputs) -> Body:
        # Catalog answers a create with the id only; a new dataset is at Catalog's first version,
        # so no read-back (an adopted dataset's body came from a lookup and has its own).
        return body if body.get("version") else {**body, "version": NEW_VERSION}

    def find(self, args: DatasetInputs) -> Body | None:
        found = self.aep().lookup(self.path(), sandbox=args.sandbox, params={"name": args.name, "limit": 100})
        for id_, ds in found.items():
            if (
                isinstance(ds, dict)
                and ds.get("name") == args.name
                and (ds.get("schemaRef") or {}).get("id") == args.schema_id
            ):
                return {**ds, "id": id_}
        return None

    def owner_of(self, body: Body) -> str | None:
        owners = (body.get("tags") or {}).get(OWNER_TAG) or []
        return str(owners[0]) if owners else None

    def get(self, id_: str, sandbox: str, operation: str) -> Body:
        body = self.aep().get_existing(self.path(id_), sandbox=sandbox, operation=operation)
        if not isinstance(body.get(id_), dict):
            raise empty_answer(operation, f"dataSets/{id_}")
        found: Body = body[id_]
        return found

    def fetch(self, id_: str, args: DatasetInputs, props: dict[str, Any]) -> Body:
        return self.get(id_, args.sandbox, "read")

    def live(self, body: Body, args: DatasetInputs, props: dict[str, Any]) -> dict[str, Any]:
        ref = body.get("schemaRef") or {}
        return {
            "name": body.get("name", args.name),
            "description": body.get("description", ""),
            "schema_id": ref.get("id", args.schema_id),
            "schema_content_type": ref.get("contentType", args.schema_content_type),
            **{key: tagged(body, tag) for key, tag in TAGS.items()},
        }

    def outs(self, id_: str, body: Body, args: DatasetInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {"dataset_id": id_, "version": str(body.get("version", ""))}

    def change(
        self, id_: str, old: DatasetInputs, new: DatasetInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        ops = [
            {"op": "add", "path": f"/{key}", "value": getattr(new, key)}
            for key in ("name", "description")
            if getattr(new, key) != getattr(old, key)
        ] + self.tag_ops(id_, old, new)
        current: Body | None = None
        if ops:

            def current_etag() -> str:
                return str(self.get(id_, old.sandbox, "update: read etag").get("etag") or "")

            self.aep().patch(
                self.path(id_),
                sandbox=old.sandbox,
                ops=ops,
                etag=None,
                current_etag=current_etag,
                content_type=JSON_PATCH,
            )
        current = self.get(id_, old.sandbox, "update: read back")
        return self.outs(id_, current, new, olds)

    def tag_ops(self, id_: str, old: DatasetInputs, new: DatasetInputs) -> list[dict[str, Any]]:
        """JSON Patch of the Profile/Identity tags that change (``/tags`` itself when it is absent)."""
        changed = {
            tag: [f"enabled:{str(getattr(new, key)).lower()}"]
            for key, tag in TAGS.items()
            if getattr(new, key) != getattr(old, key)
        }
        if not changed:
            return []
        if not isinstance(self.get(id_, old.sandbox, "update: read tags").get("tags"), dict):
            return [{"op": "add", "path": "/tags", "value": changed}]
        return [{"op": "add", "path": f"/tags/{tag}", "value": value} for tag, value in changed.items()]

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if olds.get("profile_enabled") is True and news.get("profile_enabled", False) is False:
            result.failures.append(
                CheckFailure(
                    "profile_enabled",
                    f"Dataset '{news.get('name', '?')}': Profile cannot be turned off ({PROFILE_KEY} was "
                    "true): AEP never removes a schema's 'union' tag, and the dataset's Profile data would "
                    f"stay behind. Set {PROFILE_KEY} back to true; to leave Profile, delete the dataset "
                    "(with its Profile data) in AEP.",
                )
            )
        return result

    def holds_data(self, id_: str, sandbox: str, dataset: Body) -> bool | None:
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
        return bool(resp.json() if resp.content else {})

    def remove(self, id_: str, args: DatasetInputs, props: dict[str, Any]) -> None:
        if not args.delete_data_on_destroy:
            dataset = self.get(id_, args.sandbox, "delete: read")
            profile = args.profile_enabled or tagged(dataset, "unifiedProfile")
            holds = True if profile else self.holds_data(id_, args.sandbox, dataset)
            if holds is not False:
                why = "holds ingested data" if holds else "may hold data (Catalog could not tell)"
                if profile:
                    why = "is enabled for Profile (deleting it deletes its Profile and identity data)"
                notice(
                    f"Dataset '{args.name}' ({id_}, sandbox {args.sandbox}) {why}: it was NOT deleted and "
                    f"is no longer managed by this stack. To delete it with its data, set {OPT_IN_KEY} "
                    "to true, run `pulumi up`, then destroy again; or delete it in AEP."
                )
                return
        # 200 with an empty array means Catalog did not know the id: already gone.
        self.aep().call("DELETE", self.path(id_), sandbox=args.sandbox, operation="delete", accept=(404,))


def tagged(dataset: Body, tag: str) -> bool:
    return ON in ((dataset.get("tags") or {}).get(tag) or [])


Dataset = resource_class(DatasetProvider)
DatasetArgs = Dataset.Args
