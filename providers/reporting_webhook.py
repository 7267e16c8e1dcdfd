"""Customer.io reporting webhook that POSTs every subscribed event to the AEP inlet.

``ReportingWebhook(name, ReportingWebhookArgs(...), opts)`` ->
``pulumi-python:dynamic/customerio:ReportingWebhook``.

Inputs: ``workspace`` (replace: the name of the Customer.io workspace whose App API key, from
``customerio:appApiKeys.<workspace>``, manages it; empty = ``customerio:appApiKey``); all others
update in place by a full PUT: ``name``, ``endpoint`` (the dataflow's secret
``webhook_url``; kept secret: the output has the same key and is in additional_secret_outputs),
``events`` (names from Customer.io's enum), ``disabled``, ``full_resolution``, ``with_content``.
Outputs: ``webhook_id`` (Customer.io's integer id as a string; also the resource id),
``api_url`` (the Customer.io host it lives on, recorded like a sandbox: if the stack is pointed
at another region, read/update/delete refuse rather than touch or "lose" the wrong webhook).
Teardown: the component makes it depend on the dataflow, so it is deleted first; delete is
idempotent (404 = done).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field, field_validator

from providers.base import BaseProvider, ProviderArgs, resource_props
from providers.errors import ApiError, register_secret
from providers.transport import check_base_url
from providers.types import EventName, Label, Name

PATH = "/v1/reporting_webhooks"


class ReportingWebhookInputs(ProviderArgs):
    workspace: Label | Literal[""] = ""
    name: Name
    endpoint: str
    events: list[EventName] = Field(min_length=1)
    disabled: bool = False
    full_resolution: bool = False
    with_content: bool = False

    @field_validator("endpoint")
    @classmethod
    def _url(cls, value: str) -> str:
        # The endpoint is the dataflow's webhook URL, a capability: never echo it in messages.
        register_secret(value)
        register_secret(value.split("?", 1)[0])
        check_base_url(value, "endpoint")  # https, or http on loopback (the emulator)
        return value

    @field_validator("events")
    @classmethod
    def _unique(cls, events: list[str]) -> list[str]:
        if len(set(events)) != len(events):
            raise ValueError("events must not repeat")
        return events


OUTPUTS = ("webhook_id", "api_url")


def _body(args: ReportingWebhookInputs) -> dict[str, Any]:
    return {
        "name": args.name,
        "endpoint": args.endpoint,
        "events": list(args.events),
        "disabled": args.disabled,
        "full_resolution": args.full_resolution,
        "with_content": args.with_content,
    }


def _unwrap(body: Any) -> dict[str, Any]:
    if isinstance(body, dict) and isinstance(body.get("reporting_webhook"), dict):
        inner: dict[str, Any] = body["reporting_webhook"]
        return inner
    return body if isinstance(body, dict) else {}


class ReportingWebhookProvider(BaseProvider[ReportingWebhookInputs]):
    kind = "Customer.io reporting webhook"
    args_model = ReportingWebhookInputs
    replace_on = frozenset({"workspace"})

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "events" and isinstance(value, list):
            return sorted(value)  # Customer.io does not promise to keep the order
        return super().canon_field(key, value)

    def _api_url(self, props: dict[str, Any], args: ReportingWebhookInputs, op: str) -> str:
        current = self.customerio(args.workspace).settings.api_url
        recorded = props.get("api_url")
        if recorded and urlsplit(str(recorded)).netloc != urlsplit(current).netloc:
            raise ApiError(
                operation=op,
                kind=self.kind,
                name=args.name,
                title="Wrong Customer.io host",
                detail=f"this webhook lives on {recorded}, but the stack is configured for {current}",
                hint="set customerio:region / customerio:apiUrl back, or remove it from the state with "
                "`pulumi state delete` and delete it in the other workspace",
            )
        return current

    def _create(self, args: ReportingWebhookInputs) -> tuple[str, dict[str, Any]]:
        client = self.customerio(args.workspace)

        def post() -> dict[str, Any]:
            resp = client.call("POST", PATH, operation="create", json=_body(args))
            return _unwrap(resp.json())

        def lookup() -> dict[str, Any] | None:
            resp = client.call("GET", PATH, operation="create: lookup by name and endpoint")
            hooks = (resp.json() or {}).get("reporting_webhooks", [])
            matches = [h for h in hooks if h.get("name") == args.name and h.get("endpoint") == args.endpoint]
            return matches[0] if len(matches) == 1 else None

        created = self.create_once(args, post, lookup)
        id_ = str(created["id"])
        return id_, {"webhook_id": id_, "api_url": client.settings.api_url}

    def _read(
        self, id_: str, args: ReportingWebhookInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        api_url = self._api_url(props, args, "read (refresh)")
        hook = _unwrap(self.customerio(args.workspace).get_existing(f"{PATH}/{id_}", operation="read"))
        live = {k: hook[k] for k in _body(args) if k in hook}
        return live, {"webhook_id": id_, "api_url": api_url}

    def _update(
        self,
        id_: str,
        old: ReportingWebhookInputs,
        new: ReportingWebhookInputs,
        olds: dict[str, Any],
    ) -> dict[str, Any]:
        api_url = self._api_url(olds, old, "update")
        self.customerio(old.workspace).call("PUT", f"{PATH}/{id_}", operation="update", json=_body(new))
        return {"webhook_id": id_, "api_url": api_url}

    def _delete(self, id_: str, args: ReportingWebhookInputs, props: dict[str, Any]) -> None:
        self._api_url(props, args, "delete")
        self.customerio(args.workspace).call("DELETE", f"{PATH}/{id_}", operation="delete", accept=(404,))


@dataclass
class ReportingWebhookArgs:
    name: pulumi.Input[str]
    endpoint: pulumi.Input[str]
    events: pulumi.Input[list[pulumi.Input[str]]]
    disabled: pulumi.Input[bool] | None = None
    full_resolution: pulumi.Input[bool] | None = None
    with_content: pulumi.Input[bool] | None = None
    workspace: pulumi.Input[str] | None = None


class ReportingWebhook(Resource, module="customerio", name="ReportingWebhook"):
    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    events: pulumi.Output[list[str]]
    webhook_id: pulumi.Output[str]
    api_url: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ReportingWebhookArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(args, OUTPUTS)
        props["endpoint"] = pulumi.Output.secret(args.endpoint)
        secret = pulumi.ResourceOptions(additional_secret_outputs=["endpoint"])
        super().__init__(
            ReportingWebhookProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
