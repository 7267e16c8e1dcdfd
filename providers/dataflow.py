"""Flow Service dataflow (Customer.io streaming source -> data lake) and its inlet URL.

``Dataflow(name, DataflowArgs(...), opts)`` -> ``pulumi-python:dynamic/aep:Dataflow``.

Inputs:
- replace: ``sandbox``, ``flow_spec_id``, ``flow_spec_version``, ``source_connection_id``,
  ``target_connection_id`` (Adobe: a changed connection means a new dataflow);
- update: ``name``, ``description``, ``mapping_set_id`` + ``mapping_version`` (PATCH
  ``/transformations/0``, If-Match), ``enabled`` (``POST /flows/{id}/action?op=enable|disable``),
  ``inlet_timeout_seconds`` (local: how long create waits for ``options.inletUrl``, default 300).
Outputs: ``flow_id`` (also the resource id), ``etag``, ``state``, ``inlet_url`` and
``webhook_url`` = ``{inlet_url}?x-adobe-flow-id={flow_id}`` (both secret: additional_secret_outputs).
delete_before_replace: yes (one flow per source connection; the name is the natural key).
Create is transactional: if the inlet URL does not appear in time, the new flow is deleted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field

from providers import flow_service as fs
from providers.aep_client import FLOW_SERVICE
from providers.base import BaseProvider, ProviderArgs, log, notice, resource_props
from providers.common import Description, Name, Sandbox
from providers.errors import ApiError, register_secret
from providers.transport import RetryPolicy

CUSTOMERIO_FLOW_SPEC_ID = "e77fde5a-22a8-11ed-861d-0242ac120002"
COLLECTION = "flows"
SECRET_OUTPUTS = ["inlet_url", "webhook_url"]


class DataflowInputs(ProviderArgs):
    sandbox: Sandbox
    name: Name
    description: Description = ""
    flow_spec_id: str = CUSTOMERIO_FLOW_SPEC_ID
    flow_spec_version: str = "1.0"
    source_connection_id: str = Field(min_length=1)
    target_connection_id: str = Field(min_length=1)
    mapping_set_id: str = Field(min_length=1)
    mapping_version: int = Field(default=0, ge=0)
    enabled: bool = True
    inlet_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)


OUTPUTS = ("flow_id", "etag", "state", "inlet_url", "webhook_url")


def webhook_url(inlet_url: str, flow_id: str) -> str:
    sep = "&" if "?" in inlet_url else "?"
    return f"{inlet_url}{sep}x-adobe-flow-id={flow_id}"


def _mapping(set_id: str, version: int) -> dict[str, Any]:
    return {
        "name": "Mapping",
        "params": {"mappingId": set_id, "mappingVersion": version},
    }


def _inlet(item: dict[str, Any]) -> str:
    options = item.get("options")
    inlet = str((options or {}).get("inletUrl") or "") if isinstance(options, dict) else ""
    register_secret(inlet)  # a capability: keep it out of every error text and log line
    return inlet


class DataflowProvider(BaseProvider[DataflowInputs]):
    kind = "Dataflow"
    args_model = DataflowInputs
    replace_on = frozenset(
        {
            "sandbox",
            "flow_spec_id",
            "flow_spec_version",
            "source_connection_id",
            "target_connection_id",
        }
    )
    delete_before_replace = True
    poll_interval: float = 1.0

    def _outs(self, id_: str, item: dict[str, Any]) -> dict[str, Any]:
        inlet = _inlet(item)
        return {
            "flow_id": id_,
            "etag": str(item.get("etag", "")),
            "state": str(item.get("state", "")),
            "inlet_url": inlet,
            "webhook_url": webhook_url(inlet, id_) if inlet else "",
        }

    def _create(self, args: DataflowInputs) -> tuple[str, dict[str, Any]]:
        client = self.aep()
        body = {
            "name": args.name,
            "description": args.description,
            "flowSpec": {"id": args.flow_spec_id, "version": args.flow_spec_version},
            "sourceConnectionIds": [args.source_connection_id],
            "targetConnectionIds": [args.target_connection_id],
            "transformations": [_mapping(args.mapping_set_id, args.mapping_version)],
        }

        def post() -> dict[str, Any]:
            resp = client.call(
                "POST",
                f"{FLOW_SERVICE}/{COLLECTION}",
                sandbox=args.sandbox,
                operation="create",
                json=body,
            )
            created: dict[str, Any] = resp.json()
            return created

        def lookup() -> dict[str, Any] | None:
            found = fs.find_by_name(client, COLLECTION, args.sandbox, args.name, "create")
            if found is not None and args.source_connection_id not in (
                found.get("sourceConnectionIds") or []
            ):
                return None
            return found

        id_ = str(self.create_once(args, post, lookup)["id"])
        try:
            item = self._wait_for_inlet(id_, args)
            if not args.enabled:
                self._action(id_, args.sandbox, "disable")
                item = fs.get_item(client, COLLECTION, id_, args.sandbox, "create: read back")
        except BaseException:
            self._undo_create(id_, args)
            raise
        return id_, self._outs(id_, item)

    def _wait_for_inlet(self, id_: str, args: DataflowInputs) -> dict[str, Any]:
        policy = self.retry_policy or RetryPolicy()
        deadline = time.monotonic() + args.inlet_timeout_seconds
        while True:
            item = fs.get_item(self.aep(), COLLECTION, id_, args.sandbox, "create: wait for inlet URL")
            if _inlet(item):
                return item
            if time.monotonic() >= deadline:
                raise ApiError(
                    operation="create: wait for the inlet URL",
                    title="Timed out",
                    detail=f"options.inletUrl did not appear within {args.inlet_timeout_seconds:g}s",
                    hint="the new flow was deleted again; retry `pulumi up`, or raise inlet_timeout_seconds",
                )
            policy.sleep(min(self.poll_interval, max(deadline - time.monotonic(), 0.0)))

    def _undo_create(self, id_: str, args: DataflowInputs) -> None:
        try:
            fs.delete(self.aep(), COLLECTION, id_, args.sandbox)
            notice(
                f"Dataflow '{args.name}': create failed after the flow {id_} was made; it was deleted again."
            )
        except ApiError as exc:
            notice(
                f"Dataflow '{args.name}': create failed and deleting the half-made flow {id_} "
                f"failed too: {exc}"
            )

    def _action(self, id_: str, sandbox: str, op: str) -> None:
        self.aep().call(
            "POST",
            f"{FLOW_SERVICE}/{COLLECTION}/{id_}/action",
            sandbox=sandbox,
            operation=f"{op} the flow",
            params={"op": op},
            idempotent=True,  # enabling/disabling twice has the same effect
        )

    def _read(
        self, id_: str, args: DataflowInputs, props: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        item = fs.get_item(self.aep(), COLLECTION, id_, args.sandbox, "read")
        spec = item.get("flowSpec") or {}
        live: dict[str, Any] = {
            "name": item.get("name", args.name),
            "description": item.get("description", ""),
            "flow_spec_id": spec.get("id", args.flow_spec_id),
            "flow_spec_version": spec.get("version", args.flow_spec_version),
            "enabled": item.get("state", "enabled") != "disabled",
        }
        sources = item.get("sourceConnectionIds") or []
        targets = item.get("targetConnectionIds") or []
        if sources:
            live["source_connection_id"] = sources[0]
        if targets:
            live["target_connection_id"] = targets[0]
        for t in item.get("transformations") or []:
            if t.get("name") == "Mapping":
                params = t.get("params") or {}
                live["mapping_set_id"] = params.get("mappingId", args.mapping_set_id)
                live["mapping_version"] = int(params.get("mappingVersion", 0))
        return live, self._outs(id_, item)

    def _update(
        self, id_: str, old: DataflowInputs, new: DataflowInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        client = self.aep()
        ops = fs.name_description_ops(old, new)
        if (old.mapping_set_id, old.mapping_version) != (
            new.mapping_set_id,
            new.mapping_version,
        ):
            ops.append(
                {
                    "op": "replace",
                    "path": "/transformations/0",
                    "value": _mapping(new.mapping_set_id, new.mapping_version),
                }
            )
        if ops:
            fs.patch(
                client,
                COLLECTION,
                id_,
                old.sandbox,
                ops,
                str(olds.get("etag") or "") or None,
            )
        if old.enabled != new.enabled:
            item = fs.get_item(client, COLLECTION, id_, old.sandbox, "update: read state")
            wanted = "enabled" if new.enabled else "disabled"
            if item.get("state") != wanted:
                self._action(id_, old.sandbox, "enable" if new.enabled else "disable")
        return self._outs(id_, fs.get_item(client, COLLECTION, id_, old.sandbox, "update: read back"))

    def _delete(self, id_: str, args: DataflowInputs, props: dict[str, Any]) -> None:
        policy = self.retry_policy or RetryPolicy()
        for attempt in range(1, 6):
            try:
                fs.delete(self.aep(), COLLECTION, id_, args.sandbox)
                return
            except ApiError as exc:
                # 1416/1420/1421-400: the flow is in a transitional state; it settles by itself.
                if exc.status != 400 or not any(c in (exc.code or "") for c in ("1416", "1420", "1421")):
                    raise
                if attempt == 5:
                    raise
                log.info("Dataflow %s is busy (%s); retrying the delete", id_, exc.code)
                policy.sleep(policy.backoff(attempt + 2, None))


@dataclass
class DataflowArgs:
    sandbox: pulumi.Input[str]
    name: pulumi.Input[str]
    source_connection_id: pulumi.Input[str]
    target_connection_id: pulumi.Input[str]
    mapping_set_id: pulumi.Input[str]
    mapping_version: pulumi.Input[int] | None = None
    description: pulumi.Input[str] | None = None
    enabled: pulumi.Input[bool] | None = None
    flow_spec_id: pulumi.Input[str] | None = None
    flow_spec_version: pulumi.Input[str] | None = None
    inlet_timeout_seconds: pulumi.Input[float] | None = None


class Dataflow(Resource, module="aep", name="Dataflow"):
    sandbox: pulumi.Output[str]
    name: pulumi.Output[str]
    flow_id: pulumi.Output[str]
    etag: pulumi.Output[str]
    state: pulumi.Output[str]
    inlet_url: pulumi.Output[str]
    webhook_url: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: DataflowArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret = pulumi.ResourceOptions(additional_secret_outputs=SECRET_OUTPUTS)
        super().__init__(
            DataflowProvider(),
            resource_name,
            resource_props(args, OUTPUTS),
            pulumi.ResourceOptions.merge(opts, secret),
        )
