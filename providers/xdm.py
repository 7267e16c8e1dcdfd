"""What the two XDM resources share: Schema Registry paths, the tenant id, lookup by title, PUT
updates and deletes that AEP may refuse while the object is in use.

A field group or schema lives in the ``tenant`` container; its ``$id`` is the resource id, its
title the natural key (titles are unique per sandbox, so a replacement deletes first).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from aep_customerio.providers.aep_client import MAX_PAGES, SCHEMA_REGISTRY
from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import AepInputs
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.types import Description, Name

XED_ONE = "application/vnd.adobe.xed+json; version=1"
XED_IDS = "application/vnd.adobe.xed-id+json"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"

# Tenant ids per (platform URL, IMS org, sandbox), for the life of the provider process.
_TENANTS: dict[tuple[str, str, str], str] = {}
_TENANT_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_TENANTS_LOCK = threading.Lock()


def forget_tenants() -> None:
    """Empty the tenant cache (tests that change an emulator's tenant)."""
    with _TENANTS_LOCK:
        _TENANTS.clear()


class XdmInputs(AepInputs):
    title: Name  # unique across the sandbox's XDM resources
    description: Description = ""


X = TypeVar("X", bound=XdmInputs)


def is_in_use(exc: ApiError) -> bool:
    """A delete refused because another object still references this one."""
    if exc.status not in (400, 409):
        return False
    text = f"{exc.title} {exc.detail}".lower()
    return any(marker in text for marker in ("used by", "in use", "referenced", "active flows"))


def is_profile_locked(exc: ApiError) -> bool:
    """A delete refused because the schema is enabled for Profile (``union``: XDM-1090-400 in the
    emulator; AEP's exact answer is UNCONFIRMED, aep-profile-diagnostics.md §7)."""
    text = f"{exc.title} {exc.detail}".lower()
    return exc.status in (400, 403, 409) and ("union" in text or "profile" in text)


class XdmProvider(BaseProvider[X]):
    container: ClassVar[str]
    id_output: ClassVar[str]
    natural_key = ("sandbox", "title")

    def body(self, args: X, tenant: str) -> Body:
        """The request body of a create or update."""
        raise NotImplementedError

    def update_body(self, id_: str, new: X, tenant: str, olds: dict[str, Any]) -> Body:
        """The body of an update's PUT (the create body unless the object keeps more)."""
        return self.body(new, tenant)

    def path(self, xdm_id: str = "") -> str:
        base = f"{SCHEMA_REGISTRY}/tenant/{self.container}"
        return f"{base}/{quote(xdm_id, safe='')}" if xdm_id else base

    def tenant(self, sandbox: str, props: dict[str, Any], operation: str) -> str:
        """The sandbox's tenant id: recorded in the state once known, else looked up once per
        process and sandbox (keyed by platform URL, org and sandbox; concurrent callers wait for
        the one lookup in flight)."""
        recorded = props.get("tenant_id")
        if recorded:
            return str(recorded)
        client = self.aep()
        key = (client.settings.platform_url, client.settings.org_id, sandbox)
        with _TENANTS_LOCK:
            lock = _TENANT_LOCKS.setdefault(key, threading.Lock())
        with lock:
            if key not in _TENANTS:
                resp = client.call(
                    "GET",
                    f"{SCHEMA_REGISTRY}/stats",
                    sandbox=sandbox,
                    operation=f"{operation}: tenant id lookup",
                )
                tenant = json_body(resp, f"{operation}: tenant id lookup").get("tenantId")
                if not isinstance(tenant, str) or not tenant:
                    raise ApiError(
                        operation=operation, title="Malformed response", detail="stats without tenantId"
                    )
                _TENANTS[key] = tenant.lstrip("_")
            return _TENANTS[key]

    def post(self, args: X) -> Body:
        sandbox = args.sandbox
        tenant = self.tenant(sandbox, {}, "create")
        resp = self.aep().call(
            "POST", self.path(), sandbox=sandbox, operation="create", json=self.body(args, tenant)
        )
        return dict(json_body(resp, "create"))

    def id_of(self, body: Body) -> str | None:
        value = body.get("$id")
        return value if isinstance(value, str) and value else None

    def find(self, args: X) -> Body | None:
        title = args.title
        params: dict[str, Any] = {"property": f"title=={title}", "orderby": "title"}
        matches: list[Any] = []
        for _ in range(MAX_PAGES):  # Schema Registry pages by sort key: `start` = the previous `_page.next`
            # the lookup's Accept header differs: ids and titles only
            resp = self.aep().call(
                "GET",
                self.path(),
                sandbox=args.sandbox,
                operation="create: lookup by title",
                params=params,
                headers={"Accept": XED_IDS},
            )
            body = json_body(resp, "create: lookup by title")
            results = body.get("results")
            matches += [r for r in results or [] if isinstance(r, dict) and r.get("title") == title]
            nxt = (body.get("_page") or {}).get("next")
            if matches or nxt in (None, "", params.get("start")):
                break
            params = {**params, "start": nxt}
        if not matches:
            return None
        return self.fetch(str(matches[0].get("$id")), args, {})

    def fetch(self, id_: str, args: X, props: dict[str, Any]) -> Body:
        sandbox = args.sandbox
        body: Body = self.aep().get_existing(
            self.path(id_), sandbox=sandbox, operation="read", headers={"Accept": XED_ONE}
        )
        return body

    def outs(self, id_: str, body: Body, args: X, props: dict[str, Any]) -> dict[str, Any]:
        return {
            self.id_output: body.get("$id", id_),
            "alt_id": body.get("meta:altId", ""),
            "version": str(body.get("version", "")),
            "tenant_id": self.tenant(args.sandbox, props, "read"),
        }

    def change(self, id_: str, old: X, new: X, olds: dict[str, Any]) -> dict[str, Any]:
        sandbox = old.sandbox
        tenant = self.tenant(sandbox, olds, "update")
        resp = self.aep().call(
            "PUT",
            self.path(id_),
            sandbox=sandbox,
            operation="update",
            json=self.update_body(id_, new, tenant, olds),
        )
        body = resp.json() if resp.content else None
        return self.outs(id_, body if isinstance(body, dict) else {"$id": id_}, new, olds)

    def remove(self, id_: str, args: X, props: dict[str, Any]) -> None:
        sandbox = args.sandbox
        try:
            self.aep().call("DELETE", self.path(id_), sandbox=sandbox, operation="delete", accept=(404,))
        except ApiError as exc:
            if is_profile_locked(exc):
                notice(
                    f"{self.kind} '{args.display_name()}' (sandbox {sandbox}) is enabled for Profile and "
                    f"was NOT deleted: {exc.detail} AEP keeps Profile schemas (a sandbox reset removes "
                    "them). It is no longer managed by this stack."
                )
                return
            if not is_in_use(exc):
                raise
            # Typically a retained dataset (it holds data) still uses it: keep this one too.
            notice(
                f"{self.kind} '{args.display_name()}' (sandbox {sandbox}) is still in use and was NOT "
                f"deleted: {exc.detail} It is no longer managed by this stack; delete it in AEP once "
                "nothing uses it."
            )
