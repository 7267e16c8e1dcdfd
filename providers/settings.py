"""Provider credentials and endpoints, from stack config (through ``configure()``) or the environment.

The keys and their env fallbacks are :data:`ENV` (see docs/architecture.md). :func:`load_settings`
never fails: each service validates its part when first used (:meth:`Settings.aep`,
:meth:`Settings.customerio`), and the stack program validates all of it during preview
(:meth:`Settings.check`), through the same models, whose fields are aliased by their key so every
error names it. Secrets are ``SecretStr``; none is ever in inputs, outputs or messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Json,
    SecretStr,
    StringConstraints,
    ValidationError,
)

from aep_customerio.providers.errors import register_secret, shown
from aep_customerio.providers.urls import BaseUrl

DEFAULT_PLATFORM_URL = "https://platform.adobe.io"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com"
CUSTOMERIO_REGION_URLS = {"us": "https://api.customer.io", "eu": "https://api-eu.customer.io"}

Lookup = Callable[[str], Any]

# The config namespace of the AEP credentials; another one (an `AepConnection`) serves a second org.
DEFAULT_CONNECTION = "aep"

# Every key, with its environment fallback.
ENV: dict[str, str] = {
    "aep:clientId": "AEP_CLIENT_ID",
    "aep:clientSecret": "AEP_CLIENT_SECRET",
    "aep:orgId": "AEP_ORG_ID",
    "aep:scopes": "AEP_SCOPES",
    "aep:platformUrl": "AEP_PLATFORM_URL",
    "aep:imsUrl": "AEP_IMS_URL",
    "aep:lookupTimeoutSeconds": "AEP_LOOKUP_TIMEOUT_SECONDS",
    "customerio:appApiKey": "CUSTOMERIO_APP_API_KEY",
    "customerio:region": "CUSTOMERIO_REGION",
    "customerio:apiUrl": "CUSTOMERIO_API_URL",
    "customerio:appApiKeys": "CUSTOMERIO_APP_API_KEYS",
}
SECRET_KEYS = frozenset({"aep:clientSecret", "customerio:appApiKey", "customerio:appApiKeys"})


class ConfigurationError(Exception):
    """Missing or invalid provider configuration; the message names the keys to set."""


# --- the models ---------------------------------------------------------------------------

Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RequiredSecret = Annotated[SecretStr, Field(min_length=1)]


def _scope_list(value: Any) -> Any:
    if isinstance(value, str):
        return ",".join(scope.strip() for scope in value.split(",") if scope.strip())
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class _KeyedModel(BaseModel):
    """Fields are aliased by their stack key, so every validation error names the key."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, hide_input_in_errors=True)


class AepSettings(_KeyedModel):
    client_id: Required = Field(alias="aep:clientId")
    client_secret: RequiredSecret = Field(alias="aep:clientSecret")
    org_id: Required = Field(alias="aep:orgId")
    scopes: Annotated[str, BeforeValidator(_scope_list)] = Field("", alias="aep:scopes")
    platform_url: BaseUrl = Field(DEFAULT_PLATFORM_URL, alias="aep:platformUrl")
    ims_url: BaseUrl = Field(DEFAULT_IMS_URL, alias="aep:imsUrl")


class LookupSettings(_KeyedModel):
    """How long a create keeps looking for an object after an ambiguous answer before it POSTs
    again: list endpoints answer from an index that lags behind writes."""

    seconds: float = Field(60.0, gt=0, le=3600, alias="aep:lookupTimeoutSeconds")


class CustomerIoSettings(_KeyedModel):
    app_api_key: RequiredSecret = Field(alias="customerio:appApiKey")
    api_url: BaseUrl


class CustomerIoEndpoint(_KeyedModel):
    """``customerio:apiUrl`` when set, else the URL of ``customerio:region`` (default us)."""

    region: Annotated[Literal["us", "eu"], BeforeValidator(_lower)] = Field("us", alias="customerio:region")
    api_url: BaseUrl | None = Field(None, alias="customerio:apiUrl")

    @property
    def url(self) -> str:
        return self.api_url or CUSTOMERIO_REGION_URLS[self.region]


def _reveal(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class CustomerIoWorkspaceKeys(_KeyedModel):
    """``customerio:appApiKeys``: a JSON object ``{workspace: key}``."""

    keys: Annotated[Json[dict[str, RequiredSecret]], BeforeValidator(_reveal)] = Field(
        alias="customerio:appApiKeys"
    )


M = TypeVar("M", bound=_KeyedModel)


class Settings(BaseModel):
    """The keys as configured (stack config first, then the environment), secrets as SecretStr."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, str | SecretStr]
    from_env: frozenset[str] = frozenset()
    connection: str = DEFAULT_CONNECTION  # where the aep:* keys were read from

    def aep(self) -> AepSettings:
        return self._validate(AepSettings, "AEP credentials")

    def customerio(self, workspace: str = "") -> CustomerIoSettings:
        """The default workspace's key, or the key of the named workspace (never a fallback:
        a webhook in the wrong workspace would silently receive nothing)."""
        url = self._validate(CustomerIoEndpoint, "Customer.io endpoint").url
        if not workspace:
            return self._validate(CustomerIoSettings, "Customer.io App API key", api_url=url)
        key = self.workspace_keys().get(workspace)
        if key is None:
            raise ConfigurationError(
                f"no Customer.io App API key for workspace {shown(workspace)}: "
                f"`pulumi config set --secret --path 'customerio:appApiKeys.{workspace}' <key>` "
                "(or env CUSTOMERIO_APP_API_KEYS as a JSON object)"
            )
        return CustomerIoSettings.model_validate({"customerio:appApiKey": key, "api_url": url})

    def lookup_timeout(self) -> float:
        return self._validate(LookupSettings, "lookup timeout").seconds

    def workspace_keys(self) -> dict[str, SecretStr]:
        if "customerio:appApiKeys" not in self.values:
            return {}
        return self._validate(CustomerIoWorkspaceKeys, "Customer.io workspace keys").keys

    def has_customerio_key(self, workspace: str = "") -> bool:
        """Whether a (non-empty) App API key is configured for the workspace; validates nothing else."""
        if not workspace:
            return "customerio:appApiKey" in self.values
        try:
            return workspace in self.workspace_keys()
        except ConfigurationError:
            return False

    def check(self) -> None:
        """Validate every part at once, as the stack program does during preview; raises
        :class:`ConfigurationError` listing each problem by key."""
        problems: list[str] = []
        for model in (AepSettings, LookupSettings, CustomerIoEndpoint, CustomerIoWorkspaceKeys):
            if model is CustomerIoWorkspaceKeys and "customerio:appApiKeys" not in self.values:
                continue
            try:
                model.model_validate(self.values)
            except ValidationError as error:
                problems += self._problems(error)
        if problems:
            raise ConfigurationError(
                _message("invalid provider configuration", problems)
                + "\nFix it with `pulumi config set [--secret] <key> <value>` (or `pulumi config rm <key>` "
                "for the default), see README 'Configuration'."
            )

    def _validate(self, model: type[M], what: str, **extra: Any) -> M:
        try:
            return model.model_validate({**self.values, **extra})
        except ValidationError as error:
            raise ConfigurationError(
                _message(f"{what}: invalid configuration", self._problems(error))
            ) from None

    def _problems(self, error: ValidationError) -> list[str]:
        lines = []
        for problem in error.errors():
            key = ".".join(str(part) for part in problem["loc"])
            root = key.split(".")[0]
            if self.connection != DEFAULT_CONNECTION:  # name the key where it is read from
                key = key.replace(f"{DEFAULT_CONNECTION}:", f"{self.connection}:", 1)
            if problem["type"] == "missing":
                secret = "--secret " if root in SECRET_KEYS else ""
                fix = f"`pulumi config set {secret}{key} <value>`"
                env = f" (or env {ENV[root]})" if self.connection == DEFAULT_CONNECTION else ""
                lines.append(f"{key}{env} is not set or empty: {fix}")
                continue
            where = f"{key} (from env {ENV[root]})" if root in self.from_env else key
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"] == "string_too_short":
                message = "must not be empty or blank"
            value = problem.get("input")
            if root not in SECRET_KEYS and isinstance(value, str) and problem["type"] != "value_error":
                message = f"got {shown(value)}: {message}"
            if key == "customerio:appApiKeys":
                message += "; it must be an object {workspace: key}"
            lines.append(f"{where}: {message}")
        return lines


def _message(title: str, problems: Iterable[str]) -> str:
    return f"{title}:\n" + "\n".join(f"  {line}" for line in problems)


def load_settings(get: Lookup | None, connection: str = DEFAULT_CONNECTION) -> Settings:
    """Stack config first (``get`` is ``req.config.get``), then the environment. An empty value
    counts as unset, in both places. Another ``connection`` reads only the AEP keys, from its own
    namespace (``{connection}:clientId`` ...) and never from the environment."""
    values: dict[str, str | SecretStr] = {}
    from_env: set[str] = set()
    other = connection != DEFAULT_CONNECTION
    for key, env in ENV.items():
        if other and not key.startswith(f"{DEFAULT_CONNECTION}:"):
            continue
        source = key.replace(f"{DEFAULT_CONNECTION}:", f"{connection}:", 1)
        raw = get(source) if get is not None else None
        if (raw is None or raw == "") and not other:
            raw = os.environ.get(env)
            if raw:
                from_env.add(key)
        if raw is None or raw == "":
            continue
        text = str(raw)
        if key in SECRET_KEYS:
            register_secret(text)
            values[key] = SecretStr(text)
        else:
            values[key] = text
    settings = Settings(values=values, from_env=frozenset(from_env), connection=connection)
    try:
        for workspace_key in settings.workspace_keys().values():
            register_secret(workspace_key.get_secret_value())
    except ConfigurationError:
        pass  # reported by check(), and when a webhook needs it
    return settings
