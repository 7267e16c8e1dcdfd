"""Argument types and API helpers shared by several resources."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from providers.aep_client import SCHEMA_REGISTRY, AepClient
from providers.base import notice
from providers.errors import ApiError

XED_ONE = "application/vnd.adobe.xed+json; version=1"
XED_IDS = "application/vnd.adobe.xed-id+json"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"


def tenant_id(client: AepClient, sandbox: str, operation: str) -> str:
    resp = client.call(
        "GET",
        f"{SCHEMA_REGISTRY}/stats",
        sandbox=sandbox,
        operation=f"{operation}: tenant id lookup",
    )
    tenant = str(resp.json()["tenantId"])
    return tenant.lstrip("_")


def xdm_path(container: str, xdm_id: str) -> str:
    return f"{SCHEMA_REGISTRY}/tenant/{container}/{quote(xdm_id, safe='')}"


def get_xdm(client: AepClient, container: str, xdm_id: str, sandbox: str, operation: str) -> dict[str, Any]:
    """One tenant field group or schema, as stored (``Accept`` with a version is required)."""
    body: dict[str, Any] = client.get_existing(
        xdm_path(container, xdm_id), sandbox=sandbox, operation=operation, headers={"Accept": XED_ONE}
    )
    return body


def find_xdm_by_title(
    client: AepClient, sandbox: str, container: str, title: str, operation: str
) -> dict[str, Any] | None:
    resp = client.call(
        "GET",
        f"{SCHEMA_REGISTRY}/tenant/{container}",
        sandbox=sandbox,
        operation=f"{operation}: lookup by title",
        params={"property": f"title=={title}"},
        headers={"Accept": XED_IDS},
    )
    body = resp.json()
    results = body.get("results", []) if isinstance(body, dict) else []
    matches = [r for r in results if isinstance(r, dict) and r.get("title") == title]
    if not matches:
        return None
    found = client.call(
        "GET",
        xdm_path(container, str(matches[0]["$id"])),
        sandbox=sandbox,
        operation=f"{operation}: read",
        headers={"Accept": XED_ONE},
    )
    result: dict[str, Any] = found.json()
    return result


def is_in_use(exc: Exception) -> bool:
    """A delete refused because another object still references this one."""
    if not isinstance(exc, ApiError) or exc.status not in (400, 409):
        return False
    text = f"{exc.title} {exc.detail}".lower()
    return any(marker in text for marker in ("used by", "in use", "referenced", "active flows"))


def delete_xdm(client: AepClient, container: str, id_: str, sandbox: str, label: str) -> None:
    try:
        client.call(
            "DELETE",
            xdm_path(container, id_),
            sandbox=sandbox,
            operation="delete",
            accept=(404,),
        )
    except ApiError as exc:
        if not is_in_use(exc):
            raise
        # Typically a retained dataset (it holds data) still uses it: keep this one too.
        notice(
            f"{label} (sandbox {sandbox}) is still in use and was NOT deleted: {exc.detail} "
            "It is no longer managed by this stack; delete it in AEP once nothing uses it."
        )
