"""A remote object is declared once: its provider class names typed input and output models.

From that declaration this module derives what Pulumi programs use, so nothing is restated:

- which inputs force a replacement: the input fields annotated with :data:`REPLACES`;
- the ``*Args`` class: a dataclass with one ``pulumi.Input`` field per input (required ones first);
- the ``dynamic.Resource`` wrapper: its type token, its output properties (unknown until created)
  and its secret outputs.

Example (a whole resource's public surface)::

    class WidgetInputs(Inputs):
        sandbox: Annotated[Sandbox, REPLACES]
        name: Name

    class WidgetOutputs(Outputs):
        widget_id: str

    class WidgetProvider(BaseProvider[WidgetInputs]):
        kind, token = "Widget", ("aep", "Widget")
        inputs, outputs = WidgetInputs, WidgetOutputs
        ...

    Widget = resource_class(WidgetProvider)
    WidgetArgs = Widget.Args
"""

from __future__ import annotations

import dataclasses
import types
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import pulumi
from pulumi.dynamic import Resource
from pydantic import BaseModel, ConfigDict

from aep_customerio.providers.settings import DEFAULT_CONNECTION
from aep_customerio.providers.types import Label, Sandbox


class _Replaces:
    def __repr__(self) -> str:
        return "REPLACES"


REPLACES = _Replaces()
"""Field marker: a change of this input replaces the remote object instead of updating it."""


class _Owner:
    def __repr__(self) -> str:
        return "OWNER"


OWNER = _Owner()
"""Field marker: the stack that owns the object (``project/stack``), filled in automatically and
written where the API lets the project mark an object; never a reason to update or replace."""


class Inputs(BaseModel):
    """Base of every resource's input model: strict about unknown keys, lenient about floats."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def display_name(self) -> str:
        for key in ("name", "title"):
            value = getattr(self, key, None)
            if isinstance(value, str):
                return value
        return "?"


class AepInputs(Inputs):
    """Every AEP object lives in one sandbox of one org; moving it means a new object there. The
    org is that of the connection: the config namespace holding the credentials (default `aep`)."""

    sandbox: Annotated[Sandbox, REPLACES]
    connection: Annotated[Label, REPLACES] = DEFAULT_CONNECTION


class Outputs(BaseModel):
    """Base of every resource's output model: what the remote object reports back.

    Validating a response into it turns a malformed answer into one clear error."""

    model_config = ConfigDict(extra="forbid")


def replacing_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in model.model_fields.items() if REPLACES in info.metadata)


class _Context:
    def __repr__(self) -> str:
        return "CONTEXT"


CONTEXT = _Context()
"""Field marker: an input the provider reads to check its work (e.g. where a referenced object
lives), not a property of the remote object: never a reason to update or replace."""


def owner_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in model.model_fields.items() if OWNER in info.metadata)


def uncompared_fields(model: type[BaseModel]) -> frozenset[str]:
    markers = (OWNER, CONTEXT)
    return frozenset(
        name for name, info in model.model_fields.items() if any(m in markers for m in info.metadata)
    )


class DynamicResource(Resource):
    """A Pulumi resource whose provider, Args and outputs come from one declaration."""

    declared: ClassVar[type[Any]]  # the provider class that declares it
    Args: ClassVar[type[Any]]

    def __init__(self, resource_name: str, args: Any, opts: pulumi.ResourceOptions | None = None) -> None:
        declared = self.declared
        props: dict[str, Any] = {
            f.name: getattr(args, f.name)
            for f in dataclasses.fields(args)
            if getattr(args, f.name) is not None
        }
        for key in owner_fields(declared.inputs):
            props.setdefault(key, f"{pulumi.get_project()}/{pulumi.get_stack()}")
        for key in declared.secret_inputs:
            if key in props:
                props[key] = pulumi.Output.secret(props[key])
        for key in declared.outputs.model_fields:
            props.setdefault(key, None)  # declared outputs exist (unknown) before create
        secrets = [*declared.secret_inputs, *declared.secret_outputs]
        if secrets:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=secrets)
            )
        provider = declared()
        connection = props.get("connection")
        if isinstance(connection, str):  # credentials by name only: the provider reads them at run time
            provider.aep_connection = connection
        super().__init__(provider, resource_name, props, opts)

    if TYPE_CHECKING:  # the engine sets one Output attribute per input and output

        def __getattr__(self, name: str) -> pulumi.Output[Any]: ...


def _args_class(name: str, model: type[Inputs], module: str) -> type[Any]:
    required = [(k, "pulumi.Input[Any]") for k, f in model.model_fields.items() if f.is_required()]
    optional = [
        (k, "pulumi.Input[Any] | None", dataclasses.field(default=None))
        for k, f in model.model_fields.items()
        if not f.is_required()
    ]
    cls = dataclasses.make_dataclass(f"{name}Args", [*required, *optional])
    cls.__module__ = module
    cls.__doc__ = f"Arguments of {name}: the fields of {model.__name__}, each a value or an Output."
    return cls


def resource_class(provider: type[Any]) -> type[DynamicResource]:
    """Derive the ``dynamic.Resource`` subclass (with its ``Args``) from a provider's declaration."""
    module, name = provider.token

    def body(namespace: dict[str, Any]) -> None:
        namespace["__module__"] = provider.__module__
        namespace["declared"] = provider
        namespace["Args"] = _args_class(name, provider.inputs, provider.__module__)

    cls = types.new_class(name, (DynamicResource,), {"module": module, "name": name}, body)
    return cls
