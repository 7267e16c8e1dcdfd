"""What every registered resource's one declaration must give, checked for all of them at once."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from aep_customerio.providers.base import BaseProvider
from aep_customerio.providers.declaration import DynamicResource, replacing_fields
from aep_customerio.providers.resources import RESOURCES

ids = [cls.__name__ for cls in RESOURCES]


def provider_of(resource: type[DynamicResource]) -> type[BaseProvider[Any]]:
    declared: type[BaseProvider[Any]] = resource.declared
    return declared


def test_type_tokens_are_unique_and_named_after_the_class() -> None:
    tokens = [cls._resource_type_name for cls in RESOURCES]
    assert len(set(tokens)) == len(tokens)
    for cls in RESOURCES:
        module, name = provider_of(cls).token
        assert cls._resource_type_name == f"dynamic/{module}:{name}" and cls.__name__ == name


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_args_are_derived_from_the_inputs(resource: type[DynamicResource]) -> None:
    model = provider_of(resource).inputs
    fields = {f.name: f for f in dataclasses.fields(resource.Args)}
    assert set(fields) == set(model.model_fields)
    for name, info in model.model_fields.items():
        required = fields[name].default is dataclasses.MISSING
        assert required == info.is_required(), name
    assert resource.Args.__module__ == resource.__module__ == provider_of(resource).__module__


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_declaration_is_consistent(resource: type[DynamicResource]) -> None:
    provider = provider_of(resource)
    inputs, outputs = set(provider.inputs.model_fields), set(provider.outputs.model_fields)
    assert set(provider.natural_key) <= inputs, "the natural key is made of inputs"
    assert set(provider.secret_inputs) <= inputs and set(provider.secret_outputs) <= outputs
    assert not inputs & outputs, "an output never shadows an input"
    where = "sandbox" if "sandbox" in inputs else "workspace"
    assert where in replacing_fields(provider.inputs), "moving an object elsewhere replaces it"


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_check_names_every_missing_required_input(resource: type[DynamicResource]) -> None:
    provider = provider_of(resource)()
    result = provider.check({}, {"__provider": "p"})
    required = {k for k, f in provider.inputs.model_fields.items() if f.is_required()}
    assert {f.property for f in result.failures} == required
    assert all(f.reason.startswith(provider.kind) for f in result.failures)


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_provider_pickles_by_reference_without_credentials(resource: type[DynamicResource]) -> None:
    provider = provider_of(resource)()
    config = {
        "aep:clientId": "cid-value",
        "aep:clientSecret": "very-secret-value",
        "aep:orgId": "o@AdobeOrg",
        "customerio:appApiKey": "cio-secret-key",
    }
    provider.configure(ConfigureRequest(Config(config, "p")))
    provider.aep()  # builds the clients like a real run would
    provider.customerio()
    raw = base64.b64decode(serialize_provider(provider))
    assert not any(secret.encode() in raw for secret in ("very-secret-value", "cid-value", "cio-secret-key"))
    assert provider.__module__.encode() in raw and len(raw) < 400
