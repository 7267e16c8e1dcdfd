"""An explicit AEP connection: a resource works with the credentials of the config namespace it
names (a second org), records only that name, and never falls back to the default credentials."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from aep_customerio.providers.connection import AepConnection
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.settings import ConfigurationError
from aep_customerio.providers.source_connection import SourceConnectionProvider


def configured(stack_config: dict[str, str], namespace: str) -> SourceConnectionProvider:
    """The provider as the engine builds it: the connection set on the instance, then configured."""
    config = {k.replace("aep:", f"{namespace}:"): v for k, v in stack_config.items() if k.startswith("aep:")}
    config |= {"aep:clientId": "wrong-id", "aep:clientSecret": "wrong-secret", "aep:orgId": "X@AdobeOrg"}
    provider = SourceConnectionProvider()
    provider.aep_connection = namespace
    provider.configure(ConfigureRequest(Config({**stack_config, **config}, "p")))
    return provider


def test_a_resource_uses_its_connections_credentials(
    emulator: Any, stack_config: dict[str, str], sleeper: Any, fresh_tokens: None
) -> None:
    emulator.reset()
    provider = configured(stack_config, "aep-two")
    props = provider.check({}, {"sandbox": "dev", "name": "second org", "connection": "aep-two"}).inputs
    created = provider.create(props)
    assert created.outs is not None and created.outs["connection"] == "aep-two"
    assert provider.read(created.id, created.outs).id == created.id
    raw = base64.b64decode(serialize_provider(provider))
    assert b"aep-two" in raw and emulator.client_secret.encode() not in raw and b"wrong-secret" not in raw


def test_an_unconfigured_connection_names_its_keys(stack_config: dict[str, str]) -> None:
    provider = SourceConnectionProvider()
    provider.aep_connection = "aep-three"
    provider.configure(ConfigureRequest(Config(dict(stack_config), "p")))
    with pytest.raises((ConfigurationError, ApiError)) as caught:
        provider.create(provider.check({}, {"sandbox": "dev", "name": "n", "connection": "aep-three"}).inputs)
    assert "aep-three:clientId" in str(caught.value) and "aep-three:clientSecret" in str(caught.value)


def test_connection_names_are_config_namespaces() -> None:
    assert AepConnection().namespace == "aep"
    with pytest.raises(ValueError, match="not a config namespace"):
        AepConnection("Bad Namespace")
    with pytest.raises(ConfigurationError, match="aep-eu:orgId"):
        AepConnection("aep-eu").check({"aep-eu:clientId": "i", "aep-eu:clientSecret": "s"}.get)
