"""Flow Service helpers shared by connections and dataflows: read, lookup, patch with If-Match."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from providers.aep_client import FLOW_SERVICE, AepClient, first_item
from providers.base import BaseProvider, ProviderArgs, log
from providers.errors import ApiError
from providers.types import Description, Name, Sandbox

# A flow is stable in these states; in between (enabling, disabling, updating, ...) AEP refuses
# changes with one of the BUSY_CODES (aep-api.md §1.6): wait until it settles, then retry.
STABLE_STATES = frozenset({"enabled", "disabled"})
BUSY_CODES = ("1416-400", "1420-400", "1421-400", "1422-400")


def is_busy(exc: ApiError) -> bool:
    """True for the 400 answers that mean "the flow is between states", not "your input is wrong"."""
    code = exc.code or ""
    return exc.status == 400 and any(code.endswith(c) for c in BUSY_CODES)


def get_item(client: AepClient, collection: str, id_: str, sandbox: str, operation: str) -> dict[str, Any]:
    item = first_item(
        client.get_existing(f"{FLOW_SERVICE}/{collection}/{id_}", sandbox=sandbox, operation=operation)
    )
    if item is None:
        # 200 with no item is not proof of deletion (R3): refuse to guess.
        raise ApiError(
            operation=operation,
            status=200,
            title="Empty response",
            detail=f"GET {collection}/{id_} returned no item",
            hint="retry `pulumi refresh`; if it persists, check the object in the AEP UI",
        )
    return item


def find_by_name(
    client: AepClient,
    collection: str,
    sandbox: str,
    name: str,
    operation: str,
    **match: Any,
) -> dict[str, Any] | None:
    """The one object named ``name`` (and matching ``match``); None if there is none."""
    resp = client.call(
        "GET",
        f"{FLOW_SERVICE}/{collection}",
        sandbox=sandbox,
        operation=f"{operation}: lookup by name",
        params={"property": f"name=={name}"},
    )
    items = [
        i
        for i in (resp.json() or {}).get("items", [])
        if i.get("name") == name and all(i.get(k) == v for k, v in match.items())
    ]
    if len(items) > 1:
        raise ApiError(
            operation=operation,
            status=None,
            title="Ambiguous lookup",
            detail=f"{len(items)} {collection} are named {name!r}",
            hint="give each object a unique name, delete the duplicates in AEP, then retry",
        )
    return items[0] if items else None


def patch(
    client: AepClient,
    collection: str,
    id_: str,
    sandbox: str,
    ops: list[dict[str, Any]],
    etag: str | None,
) -> str:
    """JSON Patch with If-Match; on 412 (stale etag) read the object again and retry once.

    Returns the new etag."""
    if etag is None:
        etag = str(get_item(client, collection, id_, sandbox, "update: read etag")["etag"])
    for attempt in (1, 2):
        resp = client.call(
            "PATCH",
            f"{FLOW_SERVICE}/{collection}/{id_}",
            sandbox=sandbox,
            operation="update",
            json=ops,
            headers={"If-Match": etag},
            accept=(412,) if attempt == 1 else (),
        )
        if resp.status_code != 412:
            body = resp.json() if resp.content else {}
            new_etag = body.get("etag") if isinstance(body, dict) else None
            return (
                str(new_etag)
                if new_etag
                else str(get_item(client, collection, id_, sandbox, "update: read back")["etag"])
            )
        log.info(
            "%s %s: etag was stale (HTTP 412); reading it again and retrying once",
            collection,
            id_,
        )
        etag = str(get_item(client, collection, id_, sandbox, "update: read etag")["etag"])
    raise AssertionError("unreachable")


def delete(client: AepClient, collection: str, id_: str, sandbox: str) -> None:
    client.call(
        "DELETE",
        f"{FLOW_SERVICE}/{collection}/{id_}",
        sandbox=sandbox,
        operation="delete",
        accept=(404,),
    )


def name_description_ops(old: Any, new: Any) -> list[dict[str, Any]]:
    return [
        {"op": "replace", "path": f"/{key}", "value": getattr(new, key)}
        for key in ("name", "description")
        if getattr(new, key) != getattr(old, key)
    ]


class ConnectionInputs(ProviderArgs):
    sandbox: Sandbox
    name: Name
    description: Description = ""


C = TypeVar("C", bound=ConnectionInputs)


class ConnectionProvider(BaseProvider[C]):
    """What source and target connections share: only the name and description change in place."""

    collection: ClassVar[str]
    id_output: ClassVar[str]
    delete_before_replace = True

    def _update(self, id_: str, old: C, new: C, olds: dict[str, Any]) -> dict[str, Any]:
        ops = name_description_ops(old, new)
        etag = str(olds.get("etag") or "") or None
        if ops:
            etag = patch(self.aep(), self.collection, id_, old.sandbox, ops, etag)
        return {self.id_output: id_, "etag": etag or ""}

    def _delete(self, id_: str, args: C, props: dict[str, Any]) -> None:
        delete(self.aep(), self.collection, id_, args.sandbox)
