"""Provider credentials and endpoints, from stack config (through ``configure()``) or the environment.

Keys (see docs/architecture.md): ``aep:clientId``, ``aep:clientSecret``, ``aep:orgId``,
``aep:scopes``, ``aep:platformUrl``, ``aep:imsUrl``, ``customerio:appApiKey``,
``customerio:region``, ``customerio:apiUrl``, ``customerio:appApiKeys`` (one App API key per
named Customer.io workspace, a secret object); env fallbacks ``AEP_CLIENT_ID`` etc.
Nothing here is ever written to resource inputs or outputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.errors import register_secret
from providers.transport import check_base_url

DEFAULT_PLATFORM_URL = "https://platform.adobe.io"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com"
CUSTOMERIO_REGION_URLS = {
    "us": "https://api.customer.io",
    "eu": "https://api-eu.customer.io",
}

Lookup = Callable[[str], Any]


class ConfigurationError(Exception):
    """Missing or invalid provider configuration; the message names the keys to set."""


@dataclass(frozen=True)
class AepSettings:
    client_id: str
    client_secret: str
    org_id: str
    scopes: str
    platform_url: str
    ims_url: str

    def __repr__(self) -> str:  # never print the secret
        return f"AepSettings(client_id={self.client_id!r}, org_id={self.org_id!r})"


@dataclass(frozen=True)
class CustomerIoSettings:
    app_api_key: str
    api_url: str

    def __repr__(self) -> str:
        return f"CustomerIoSettings(api_url={self.api_url!r})"


@dataclass(frozen=True)
class Settings:
    """Raw values; each service validates its part when first used, so preview needs none."""

    values: dict[str, str]

    def __repr__(self) -> str:
        return f"Settings(keys={sorted(self.values)})"

    def aep(self) -> AepSettings:
        v = self.values
        missing = [k for k in ("aep:clientId", "aep:clientSecret", "aep:orgId") if not v.get(k)]
        if missing:
            raise ConfigurationError(
                "AEP credentials missing: set "
                + ", ".join(f"{k} (or env {_ENV[k]})" for k in missing)
                + "; e.g. `pulumi config set --secret aep:clientSecret ...`"
            )
        scopes = ",".join(s.strip() for s in v.get("aep:scopes", "").split(",") if s.strip())
        return AepSettings(
            client_id=v["aep:clientId"],
            client_secret=v["aep:clientSecret"],
            org_id=v["aep:orgId"],
            scopes=scopes,
            platform_url=_url(v.get("aep:platformUrl") or DEFAULT_PLATFORM_URL, "aep:platformUrl"),
            ims_url=_url(v.get("aep:imsUrl") or DEFAULT_IMS_URL, "aep:imsUrl"),
        )

    def customerio(self, workspace: str = "") -> CustomerIoSettings:
        """The default workspace's key, or the key of the named workspace (never a fallback:
        a webhook in the wrong workspace would silently receive nothing)."""
        v = self.values
        if workspace:
            key = workspace_keys(v).get(workspace)
            if not key:
                raise ConfigurationError(
                    f"no Customer.io App API key for workspace {workspace!r}: "
                    f"`pulumi config set --secret --path 'customerio:appApiKeys.{workspace}' <key>` "
                    "(or env CUSTOMERIO_APP_API_KEYS as a JSON object)"
                )
            return CustomerIoSettings(app_api_key=key, api_url=self._customerio_url())
        if not v.get("customerio:appApiKey"):
            raise ConfigurationError(
                "Customer.io App API key missing: set customerio:appApiKey (or env CUSTOMERIO_APP_API_KEY); "
                "`pulumi config set --secret customerio:appApiKey ...`"
            )
        return CustomerIoSettings(app_api_key=v["customerio:appApiKey"], api_url=self._customerio_url())

    def _customerio_url(self) -> str:
        v = self.values
        url = v.get("customerio:apiUrl")
        if not url:
            region = (v.get("customerio:region") or "us").lower()
            if region not in CUSTOMERIO_REGION_URLS:
                raise ConfigurationError(f"customerio:region must be 'us' or 'eu', got {region!r}")
            url = CUSTOMERIO_REGION_URLS[region]
        return _url(url, "customerio:apiUrl")


def workspace_keys(values: dict[str, str]) -> dict[str, str]:
    raw = values.get("customerio:appApiKeys")
    if not raw:
        return {}
    try:
        keys = json.loads(raw)
    except ValueError:
        raise ConfigurationError("customerio:appApiKeys must be an object: {workspace: key}") from None
    if not isinstance(keys, dict) or not all(isinstance(k, str) for k in keys.values()):
        raise ConfigurationError("customerio:appApiKeys must be an object: {workspace: key}")
    return keys


_ENV = {
    "aep:clientId": "AEP_CLIENT_ID",
    "aep:clientSecret": "AEP_CLIENT_SECRET",
    "aep:orgId": "AEP_ORG_ID",
    "aep:scopes": "AEP_SCOPES",
    "aep:platformUrl": "AEP_PLATFORM_URL",
    "aep:imsUrl": "AEP_IMS_URL",
    "customerio:appApiKey": "CUSTOMERIO_APP_API_KEY",
    "customerio:region": "CUSTOMERIO_REGION",
    "customerio:apiUrl": "CUSTOMERIO_API_URL",
    "customerio:appApiKeys": "CUSTOMERIO_APP_API_KEYS",
}
_SECRET_KEYS = ("aep:clientSecret", "customerio:appApiKey")


def load_settings(get: Lookup | None) -> Settings:
    """Stack config first (``get`` is ``req.config.get``), then the environment."""
    values: dict[str, str] = {}
    for key, env in _ENV.items():
        raw = get(key) if get is not None else None
        if raw is None or raw == "":
            raw = os.environ.get(env)
        if raw is not None and raw != "":
            values[key] = str(raw)
    for key in _SECRET_KEYS:
        register_secret(values.get(key))
    try:
        for workspace_key in workspace_keys(values).values():
            register_secret(workspace_key)
    except ConfigurationError:
        pass  # reported when a webhook needs it
    return Settings(values)


def _url(url: str, key: str) -> str:
    try:
        return check_base_url(url, key)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
