"""What every Flow Service object shares: reads that unwrap ``items``, lookup by name, JSON Patch
with If-Match, idempotent delete; and the connection base that source and target connections use.

Flow Service names are the natural key (unique per sandbox and collection), so a replacement in
the same sandbox deletes first.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urlsplit

from aep_customerio.providers.aep_client import FLOW_SERVICE, MAX_PAGES, first_item
from aep_customerio.providers.base import BaseProvider, Body
from aep_customerio.providers.declaration import REPLACES, AepInputs, Outputs
from aep_customerio.providers.errors import ApiError, empty_answer
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.types import Description, Name

# A flow is stable in these states; in between (enabling, disabling, updating, ...) AEP refuses
# changes with one of the BUSY_CODES: wait until it settles, then retry.
STABLE_STATES = frozenset({"enabled", "disabled"})
BUSY_CODES = ("1416-400", "1420-400", "1421-400", "1422-400")


def is_busy(exc: BaseException) -> bool:
    """True for the 400 answers that mean "the flow is between states", not "your input is wrong"."""
    if not isinstance(exc, ApiError):
        return False
    code = exc.code or ""
    return exc.status == 400 and any(code.endswith(c) for c in BUSY_CODES)


class FlowServiceInputs(AepInputs):
    name: Name
    description: Description = ""


F = TypeVar("F", bound=FlowServiceInputs)


class FlowServiceProvider(BaseProvider[F]):
    collection: ClassVar[str]

    def path(self, id_: str = "") -> str:
        return f"{FLOW_SERVICE}/{self.collection}/{id_}" if id_ else f"{FLOW_SERVICE}/{self.collection}"

    def matches(self, item: Body, args: F) -> bool:
        """Whether an object with this name is ours (beyond the name: e.g. the same dataset)."""
        return True

    def post_body(self, args: F) -> Body:
        raise NotImplementedError

    def post(self, args: F) -> Body:
        resp = self.aep().call(
            "POST", self.path(), sandbox=args.sandbox, operation="create", json=self.post_body(args)
        )
        return dict(json_body(resp, "create"))

    def fetch(self, id_: str, args: F, props: dict[str, Any]) -> Body:
        return self.get(id_, args.sandbox, "read")

    def get(self, id_: str, sandbox: str, operation: str) -> Body:
        body = self.aep().get_existing(self.path(id_), sandbox=sandbox, operation=operation)
        item = first_item(body)
        if item is None:
            raise empty_answer(operation, f"{self.collection}/{id_}")
        return item

    def find(self, args: F) -> Body | None:
        params = {"property": f"name=={args.name}"}
        items: list[Body] = []
        for _ in range(MAX_PAGES):  # Flow Service pages with an opaque continuationToken in _links.next
            body = self.aep().lookup(self.path(), sandbox=args.sandbox, params=params)
            items += [
                i for i in body.get("items") or [] if isinstance(i, dict) and i.get("name") == args.name
            ]
            token = _continuation(body)
            if token is None or token == params.get("continuationToken"):
                break
            params = {**params, "continuationToken": token}
        if len(items) > 1:
            raise ApiError(
                operation="create",
                title="Ambiguous lookup",
                detail=f"{len(items)} {self.collection} are named {args.name!r}",
                hint="give each object a unique name, delete the duplicates in AEP, then retry",
            )
        return items[0] if items and self.matches(items[0], args) else None

    def patch(self, id_: str, sandbox: str, ops: list[dict[str, Any]], etag: str | None) -> str:
        """JSON Patch with If-Match (one re-read and retry on 412); returns the new etag."""

        def current_etag() -> str:
            return str(self.get(id_, sandbox, "update: read etag").get("etag") or "")

        resp = self.aep().patch(
            self.path(id_), sandbox=sandbox, ops=ops, etag=etag, current_etag=current_etag
        )
        body = resp.json() if resp.content else {}
        new_etag = body.get("etag") if isinstance(body, dict) else None
        return str(new_etag) if new_etag else current_etag()

    def live_names(self, body: Body, args: F) -> dict[str, Any]:
        return {"name": body.get("name", args.name), "description": body.get("description", "")}

    def remove(self, id_: str, args: F, props: dict[str, Any]) -> None:
        self.aep().call("DELETE", self.path(id_), sandbox=args.sandbox, operation="delete", accept=(404,))


def name_description_ops(old: FlowServiceInputs, new: FlowServiceInputs) -> list[dict[str, Any]]:
    return [
        {"op": "replace", "path": f"/{key}", "value": getattr(new, key)}
        for key in ("name", "description")
        if getattr(new, key) != getattr(old, key)
    ]


class ConnectionInputs(FlowServiceInputs):
    connection_spec_id: Annotated[str, REPLACES]
    connection_spec_version: Annotated[str, REPLACES] = "1.0"


class ConnectionOutputs(Outputs):
    etag: str


C = TypeVar("C", bound=ConnectionInputs)


class ConnectionProvider(FlowServiceProvider[C]):
    """Source and target connections: only the name and description change in place."""

    id_output: ClassVar[str]

    def outs(self, id_: str, body: Body, args: C, props: dict[str, Any]) -> dict[str, Any]:
        return {self.id_output: id_, "etag": str(body.get("etag", ""))}

    def spec_body(self, args: C) -> Body:
        return {
            "name": args.name,
            "description": args.description,
            "connectionSpec": {"id": args.connection_spec_id, "version": args.connection_spec_version},
        }

    def live_spec(self, body: Body, args: C) -> dict[str, Any]:
        spec = body.get("connectionSpec") or {}
        return {
            **self.live_names(body, args),
            "connection_spec_id": spec.get("id", args.connection_spec_id),
            "connection_spec_version": spec.get("version", args.connection_spec_version),
        }

    def change(self, id_: str, old: C, new: C, olds: dict[str, Any]) -> dict[str, Any]:
        ops = name_description_ops(old, new)
        etag = str(olds.get("etag") or "") or None
        if ops:
            etag = self.patch(id_, old.sandbox, ops, etag)
        return {self.id_output: id_, "etag": etag or ""}


def _continuation(body: Body) -> str | None:
    """The `continuationToken` of a list answer's `_links.next.href`, if there is a next page."""
    href = ((body.get("_links") or {}).get("next") or {}).get("href")
    if not isinstance(href, str):
        return None
    tokens = parse_qs(urlsplit(href).query).get("continuationToken")
    return tokens[0] if tokens else None
