"""Pulumi mocks for component tests: every registration is recorded, no provider CRUD ever runs.

`pulumi.runtime.Mocks.new_resource` only sees the type, name and inputs; the recording monitor also
keeps what the engine would see (parent, dependencies, retainOnDelete), which is what the component
decides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pulumi
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs

# rpc._special_sig_key: how a secret travels in deserialized properties.
SECRET_SIG = "4dabf18193072939515e22adb298388d"
COMPONENT = "aep-customerio:index:CustomerIoSource"
AEP = "pulumi-python:dynamic/aep:"
FIELD_GROUP = AEP + "FieldGroup"
SCHEMA = AEP + "Schema"
DATASET = AEP + "Dataset"
SOURCE_CONNECTION = AEP + "SourceConnection"
TARGET_CONNECTION = AEP + "TargetConnection"
MAPPING_SET = AEP + "MappingSet"
DATAFLOW = AEP + "Dataflow"
WEBHOOK = "pulumi-python:dynamic/customerio:ReportingWebhook"
# Like the providers: a resource's id is its remote object's id.
OBJECT_ID_OUTPUT = {
    FIELD_GROUP: "field_group_id",
    SCHEMA: "schema_id",
    DATASET: "dataset_id",
    SOURCE_CONNECTION: "source_connection_id",
    TARGET_CONNECTION: "target_connection_id",
    MAPPING_SET: "mapping_set_id",
    DATAFLOW: "flow_id",
    WEBHOOK: "webhook_id",
}
AEP_TYPES = (FIELD_GROUP, SCHEMA, DATASET, SOURCE_CONNECTION, TARGET_CONNECTION, MAPPING_SET, DATAFLOW)


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    dependencies: tuple[str, ...]
    retain_on_delete: bool | None
    custom: bool
    inputs: dict[str, Any]


def unsecret(value: Any) -> Any:
    if isinstance(value, dict) and value.get(SECRET_SIG) and "value" in value:
        return value["value"]
    return value


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


class FakeOutputs(pulumi.runtime.Mocks):
    """Echoes the inputs and adds the server-side outputs each provider would, unique per resource."""

    def __init__(self, tenant: str = "acme") -> None:
        self.tenant = tenant

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        name: str = args.name
        outs: dict[str, Any] = {k: v for k, v in args.inputs.items() if k != "__provider"}
        typ: str = args.typ
        if typ == FIELD_GROUP:
            outs |= {"field_group_id": f"fg:{name}", "alt_id": f"_{self.tenant}.mixins.x", "version": "1.0"}
            outs["tenant_id"] = self.tenant
        elif typ == SCHEMA:
            schema_id = f"https://ns.adobe.com/{self.tenant}/schemas/{name}"
            outs |= {"schema_id": schema_id, "alt_id": "x", "version": "1.0", "tenant_id": self.tenant}
        elif typ == DATASET:
            outs |= {"dataset_id": f"dataset:{name}", "version": "1.0.0"}
        elif typ == SOURCE_CONNECTION:
            outs |= {"source_connection_id": f"sc:{name}", "etag": "e1"}
        elif typ == TARGET_CONNECTION:
            outs |= {"target_connection_id": f"tc:{name}", "etag": "e1"}
        elif typ == MAPPING_SET:
            outs |= {"mapping_set_id": f"ms:{name}", "version": 0}
        elif typ == DATAFLOW:
            inlet = f"https://dcs.example/collection/inlet-{name}"
            outs |= {
                "flow_id": f"flow:{name}",
                "etag": "e1",
                "state": "enabled",
                "inlet_url": inlet,
                "webhook_url": f"{inlet}?x-adobe-flow-id=flow:{name}",
            }
        elif typ == WEBHOOK:
            outs |= {"webhook_id": f"wh:{name}", "api_url": "https://api.customer.io"}
        # Like the providers: a resource's id is its remote object's id.
        id_output = OBJECT_ID_OUTPUT.get(typ)
        return (outs[id_output] if id_output else f"id-{name}") if args.custom else None, outs

    def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: FakeOutputs) -> None:
        super().__init__(mocks)
        self.lock = threading.Lock()
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        register: Any = super().RegisterResource  # untyped in the SDK
        response = register(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
        retain: bool | None = request.retainOnDelete if request.HasField("retainOnDelete") else None
        registration = Registration(
            type=request.type,
            name=request.name,
            urn=response.urn,
            parent=request.parent,
            dependencies=tuple(request.dependencies),
            retain_on_delete=retain,
            custom=bool(request.custom),
            inputs=dict(inputs),
        )
        with self.lock:
            self.registrations.append(registration)
        return response


class Deployment:
    """What one mocked run registered."""

    def __init__(self, registrations: list[Registration], result: Any) -> None:
        self.registrations = registrations
        self.result = result

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == typ]

    def one(self, typ: str, component: str | None = None) -> Registration:
        found = [r for r in self.of_type(typ) if component is None or r.name.startswith(f"{component}-")]
        assert len(found) == 1, f"expected one {typ} for {component}, got {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        (found,) = [r for r in self.registrations if r.urn == urn]
        return found

    def children_of(self, component: Registration) -> list[Registration]:
        return [r for r in self.registrations if r.parent == component.urn]


_run_test = cast(Callable[[Callable[[], Any]], Callable[[], None]], pulumi.runtime.test)


def deploy(program: Callable[[], Any], tenant: str = "acme", preview: bool = False) -> Deployment:
    """Run `program` under fresh mocks; its return value (outputs allowed) is resolved into `result`."""
    mocks = FakeOutputs(tenant)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="project", stack="stack", preview=preview, monitor=monitor)
    resolved: dict[str, Any] = {}

    def body() -> Any:
        value = program()

        def keep(v: Any) -> Any:
            resolved["value"] = v
            return v

        return pulumi.Output.from_input(value).apply(keep)

    _run_test(body)()
    return Deployment(list(monitor.registrations), resolved.get("value"))
