"""AEP Platform API client: paths, the sandbox header, and the few request shapes AEP repeats."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import requests

from aep_customerio.providers.auth import ImsAuth
from aep_customerio.providers.pacing import budget_name, pacer_for
from aep_customerio.providers.settings import AepSettings
from aep_customerio.providers.transport import DEFAULT_TIMEOUT, ApiClient, RetryPolicy, existing, json_body

log = logging.getLogger("aep_customerio")

FLOW_SERVICE = "/data/foundation/flowservice"
CONVERSION = "/data/foundation/conversion"
SCHEMA_REGISTRY = "/data/foundation/schemaregistry"
CATALOG = "/data/foundation/catalog"
JSON_PATCH = "application/json-patch+json"
MAX_PAGES = 50  # a lookup follows at most this many pages of a list


class AepClient(ApiClient):
    def __init__(
        self,
        settings: AepSettings,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        policy = policy or RetryPolicy()
        self.auth = ImsAuth(settings, policy)
        # AEP documents no per-call rate: the org's budget on this host is learned from its 429s.
        pacer = pacer_for(budget_name(settings.platform_url, settings.org_id))
        super().__init__(settings.platform_url, self.auth, policy, timeout, pacer)
        self.settings = settings

    def call(self, method: str, path: str, *, sandbox: str, **options: Any) -> requests.Response:
        """``request`` in one sandbox (keyword options as there: operation, json, params, ...)."""
        headers = {"x-sandbox-name": sandbox, **(options.pop("headers", None) or {})}
        return self.request(method, path, headers=headers, **options)

    def lookup(self, path: str, *, sandbox: str, params: Mapping[str, Any], what: str = "name") -> Any:
        """A list GET that looks objects up by their natural key (its JSON body, an object)."""
        operation = f"create: lookup by {what}"
        resp = self.call("GET", path, sandbox=sandbox, operation=operation, params=params)
        return json_body(resp, operation)

    def get_existing(
        self, path: str, *, sandbox: str, operation: str, headers: Mapping[str, str] | None = None
    ) -> Any:
        """GET an object that may have been deleted: its JSON, or GoneError on 404 (only 404)."""
        resp = self.call("GET", path, sandbox=sandbox, operation=operation, headers=headers, accept=(404,))
        return existing(resp, operation)

    def patch(
        self,
        path: str,
        *,
        sandbox: str,
        ops: list[dict[str, Any]],
        etag: str | None,
        current_etag: Callable[[], str],
        content_type: str = "application/json",
    ) -> requests.Response:
        """JSON Patch with If-Match; on 412 (the object changed meanwhile) read the etag again and
        retry once. ``current_etag`` reads it (also used when no etag is known); an object that
        reports no etag is patched without If-Match."""
        etag = etag or current_etag()
        for attempt in (1, 2):
            headers = {"Content-Type": content_type}
            if etag:
                headers["If-Match"] = etag
            resp = self.call(
                "PATCH",
                path,
                sandbox=sandbox,
                operation="update",
                json=ops,
                headers=headers,
                accept=(412,) if attempt == 1 else (),
            )
            if resp.status_code != 412:
                return resp
            log.info("%s: etag was stale (HTTP 412); reading it again and retrying once", path)
            etag = current_etag()
        raise AssertionError("unreachable")


def first_item(body: Any) -> dict[str, Any] | None:
    """Flow Service wraps single objects in ``{"items": [...]}``."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        items = body["items"]
        return items[0] if items and isinstance(items[0], dict) else None
    return body if isinstance(body, dict) else None
