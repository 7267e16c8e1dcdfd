"""Customer.io reporting webhook that POSTs every subscribed event to the AEP inlet.

Inputs: ``workspace`` replaces (the name of the Customer.io workspace whose App API key, from
``customerio:appApiKeys.<workspace>``, manages it; empty = ``customerio:appApiKey``); all others
update in place by a full PUT: ``name``, ``endpoint`` (the dataflow's secret ``webhook_url``),
``events``, ``disabled``, ``full_resolution``, ``with_content``.
Outputs: ``webhook_id`` (Customer.io's integer id as a string; also the resource id), ``api_url``
(the Customer.io host it lives on, recorded like a sandbox: if the stack is pointed at another
region, read/update/delete refuse rather than touch or "lose" the wrong webhook).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator

from aep_customerio.providers import seen_flows
from aep_customerio.providers.aep_client import FLOW_SERVICE
from aep_customerio.providers.base import BaseProvider, Body
from aep_customerio.providers.declaration import CONTEXT, REPLACES, Inputs, Outputs, resource_class
from aep_customerio.providers.errors import ApiError, register_secret
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.types import EventName, Label, Name
from aep_customerio.providers.urls import check_base_url

PATH = "/v1/reporting_webhooks"


class ReportingWebhookInputs(Inputs):
    workspace: Annotated[Label | Literal[""], REPLACES] = ""
    name: Name
    endpoint: str
    events: list[EventName] = Field(min_length=1)
    disabled: bool = False
    full_resolution: bool = False
    with_content: bool = False
    # The AEP sandbox of the dataflow the endpoint names: before pointing Customer.io at it, check
    # that it still exists (after an interrupted destroy, the state may hold a deleted flow).
    flow_sandbox: Annotated[str, CONTEXT] = ""
    flow_connection: Annotated[str, CONTEXT] = ""  # and the AEP connection it is read with

    @field_validator("endpoint")
    @classmethod
    def _url(cls, value: str) -> str:
        # The endpoint is the dataflow's webhook URL, a capability: never echo it in messages.
        inlet = value.split("?", 1)[0]
        register_secret(value)
        register_secret(inlet)
        check_base_url(inlet, "endpoint")  # https, or http on loopback (the emulator)
        return value

    @field_validator("events")
    @classmethod
    def _unique(cls, events: list[str]) -> list[str]:
        if len(set(events)) != len(events):
            raise ValueError("events must not repeat")
        return events


class ReportingWebhookOutputs(Outputs):
    webhook_id: str
    api_url: str


def _body(args: ReportingWebhookInputs) -> Body:
    return {
        "name": args.name,
        "endpoint": args.endpoint,
        "events": list(args.events),
        "disabled": args.disabled,
        "full_resolution": args.full_resolution,
        "with_content": args.with_content,
    }


def _unwrap(body: Any) -> Body:
    if isinstance(body, dict) and isinstance(body.get("reporting_webhook"), dict):
        inner: Body = body["reporting_webhook"]
        return inner
    return body if isinstance(body, dict) else {}


class ReportingWebhookProvider(BaseProvider[ReportingWebhookInputs]):
    kind = "Customer.io reporting webhook"
    token = ("customerio", "ReportingWebhook")
    inputs = ReportingWebhookInputs
    outputs = ReportingWebhookOutputs
    natural_key = ("workspace", "name", "endpoint")
    secret_inputs = ("endpoint",)
    delete_before_replace = False

    def _api_url(self, props: dict[str, Any], args: ReportingWebhookInputs, op: str) -> str:
        current = self.customerio(args.workspace).base_url
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

    def _require_live_flow(self, args: ReportingWebhookInputs, operation: str) -> None:
        flow_ids = parse_qs(urlsplit(args.endpoint).query).get("x-adobe-flow-id") or []
        if not args.flow_sandbox or len(flow_ids) != 1:
            return
        if seen_flows.recently_alive(args.flow_sandbox, flow_ids[0]):
            return
        path = f"{FLOW_SERVICE}/flows/{flow_ids[0]}"
        found = self.aep(args.flow_connection or None).call(
            "GET", path, sandbox=args.flow_sandbox, operation=operation, accept=(404,)
        )
        if found.status_code == 404:
            raise ApiError(
                operation=operation,
                status=404,
                title="Dataflow gone",
                detail=f"the dataflow {flow_ids[0]} this webhook would send events to no longer exists in "
                f"sandbox {args.flow_sandbox} (an interrupted destroy?); nothing was sent to Customer.io",
                hint="run `pulumi up --refresh`: it drops the deleted dataflow from the state, creates a new "
                "one and points the webhook at it",
            )

    def post(self, args: ReportingWebhookInputs) -> Body:
        self._require_live_flow(args, "create: check the dataflow")
        resp = self.customerio(args.workspace).request("POST", PATH, operation="create", json=_body(args))
        return _unwrap(json_body(resp, "create"))

    def find(self, args: ReportingWebhookInputs) -> Body | None:
        resp = self.customerio(args.workspace).request(
            "GET", PATH, operation="create: lookup by name and endpoint"
        )
        hooks = json_body(resp, "create: lookup by name and endpoint").get("reporting_webhooks") or []
        matches = [
            h
            for h in hooks
            if isinstance(h, dict) and h.get("name") == args.name and h.get("endpoint") == args.endpoint
        ]
        return matches[0] if len(matches) == 1 else None

    def fetch(self, id_: str, args: ReportingWebhookInputs, props: dict[str, Any]) -> Body:
        self._api_url(props, args, "read (refresh)")
        return _unwrap(self.customerio(args.workspace).get_existing(f"{PATH}/{id_}", operation="read"))

    def live(self, body: Body, args: ReportingWebhookInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {k: body[k] for k in _body(args) if k in body}

    def outs(
        self, id_: str, body: Body, args: ReportingWebhookInputs, props: dict[str, Any]
    ) -> dict[str, Any]:
        return {"webhook_id": id_, "api_url": self.customerio(args.workspace).base_url}

    def canon_field(self, key: str, value: Any) -> Any:
        if key == "events" and isinstance(value, list):
            return sorted(value)  # Customer.io does not promise to keep the order
        return super().canon_field(key, value)

    def change(
        self, id_: str, old: ReportingWebhookInputs, new: ReportingWebhookInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        api_url = self._api_url(olds, old, "update")
        if new.endpoint != old.endpoint:
            self._require_live_flow(new, "update: check the dataflow")
        self.customerio(old.workspace).request("PUT", f"{PATH}/{id_}", operation="update", json=_body(new))
        return {"webhook_id": id_, "api_url": api_url}

    def remove(self, id_: str, args: ReportingWebhookInputs, props: dict[str, Any]) -> None:
        self._api_url(props, args, "delete")
        self.customerio(args.workspace).request("DELETE", f"{PATH}/{id_}", operation="delete", accept=(404,))


ReportingWebhook = resource_class(ReportingWebhookProvider)
ReportingWebhookArgs = ReportingWebhook.Args
