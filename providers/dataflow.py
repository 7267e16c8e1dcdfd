"""Flow Service dataflow (Customer.io streaming source -> data lake) and its inlet URL.

``Dataflow(name, DataflowArgs(...), opts)`` -> ``pulumi-python:dynamic/aep:Dataflow``.

Inputs:
- replace: ``sandbox``, ``flow_spec_id``, ``flow_spec_version``, ``source_connection_id``,
  ``target_connection_id`` (Adobe: a changed connection means a new dataflow);
- update: ``name``, ``description``, ``mapping_set_id`` + ``mapping_version`` (PATCH
  ``/transformations/0``, If-Match), ``enabled`` (``POST /flows/{id}/action?op=enable|disable``),
  ``inlet_timeout_seconds`` (local, default 300: how long create waits for ``options.inletUrl``,
  and how long one create/update/delete waits for a busy flow to settle).
Outputs: ``flow_id`` (also the resource id), ``etag``, ``state``, ``inlet_url`` and
``webhook_url`` = ``{inlet_url}?x-adobe-flow-id={flow_id}`` (both secret: additional_secret_outputs).
delete_before_replace: yes (one flow per source connection; the name is the natural key).
Create is transactional: if the inlet URL does not appear in time, the new flow is deleted.

Flows pass through in-between states (``enabling``, ``disabling``, ``updating``) during which AEP
refuses changes (1416/1420/1421/1422-400). Every PATCH, action and DELETE first waits until the flow
is ``enabled``/``disabled``, treats those answers as "busy: wait and retry", and afterwards waits for
the flow to settle again (so the next change, and the outputs, see a stable flow) - all within
``inlet_timeout_seconds`` per operation, polling with the RetryPolicy's back-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource
from pydantic import Field

from providers import flow_service as fs
from providers.aep_client import FLOW_SERVICE
from providers.base import BaseProvider, ProviderArgs, log, notice, resource_props
from providers.errors import ApiError, GoneError, register_secret
from providers.transport import RetryPolicy
from providers.types import Description, Name, Sandbox

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


@dataclass
class Deadline:
    seconds: float
    at: float = field(init=False)

    def __post_init__(self) -> None:
        self.at = time.monotonic() + self.seconds

    def left(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def passed(self) -> bool:
        return time.monotonic() >= self.at


def _inlet(item: dict[str, Any]) -> str:
    options = item.get("options")
    inlet = str((options or {}).get("inletUrl") or "") if isinstance(options, dict) else ""
    register_secret(inlet)  # a capability: keep it out of every error text and log line
    return inlet


_ENABLED_BY_STATE = {"enabled": True, "enabling": True, "disabled": False, "disabling": False}


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
    # Longest pause between two looks at a busy flow (the back-off grows up to this).
    settle_poll_max: ClassVar[float] = 5.0

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
                deadline = Deadline(args.inlet_timeout_seconds)
                stable = item if item.get("state") in fs.STABLE_STATES else None
                item = self._set_enabled(id_, args.sandbox, False, deadline, stable)
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
            self._delete_flow(id_, args)
            notice(
                f"Dataflow '{args.name}': create failed after the flow {id_} was made; it was deleted again."
            )
        except ApiError as exc:
            notice(
                f"Dataflow '{args.name}': create failed and deleting the half-made flow {id_} "
                f"failed too: {exc}"
            )

    # --- waiting for a busy flow -----------------------------------------------------------

    def _wait_stable(self, id_: str, sandbox: str, deadline: Deadline, what: str) -> dict[str, Any]:
        """GET the flow until its state is enabled/disabled; raises GoneError on 404."""
        policy = self.retry_policy or RetryPolicy()
        attempt = 0
        while True:
            item = fs.get_item(self.aep(), COLLECTION, id_, sandbox, f"{what}: wait for a stable state")
            state = str(item.get("state") or "")
            if not state or state in fs.STABLE_STATES:
                return item
            if deadline.passed():
                raise self._still_busy(id_, what, deadline, item, None)
            attempt += 1
            (log.info if attempt == 1 else log.debug)(
                "Dataflow %s is %s; waiting for it to settle (%s)", id_, state, what
            )
            policy.sleep(min(policy.backoff(attempt, None), self.settle_poll_max, deadline.left()))

    def _mutate(
        self,
        id_: str,
        sandbox: str,
        deadline: Deadline,
        what: str,
        call: Callable[[dict[str, Any]], object],
        settle_after: bool = True,
        stable: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run ``call(stable item)`` on a stable flow; a busy answer (1416/1420/1421/1422-400)
        means wait and retry until the deadline. Returns the flow once it is stable again
        (or the item it was called with when ``settle_after`` is False). ``stable``: the flow
        as just read in a stable state (saves a GET)."""
        policy = self.retry_policy or RetryPolicy()
        item = stable if stable is not None else self._wait_stable(id_, sandbox, deadline, what)
        attempt = 0
        while True:
            try:
                call(item)
                break
            except ApiError as exc:
                if not fs.is_busy(exc):
                    raise
                if deadline.passed():
                    raise self._still_busy(id_, what, deadline, item, exc) from None
                attempt += 1
                log.info("Dataflow %s is busy (%s); waiting, then retrying the %s", id_, exc.code, what)
                policy.sleep(min(policy.backoff(attempt, None), self.settle_poll_max, deadline.left()))
                item = self._wait_stable(id_, sandbox, deadline, what)
        return self._wait_stable(id_, sandbox, deadline, what) if settle_after else item

    def _still_busy(
        self, id_: str, what: str, deadline: Deadline, item: dict[str, Any], last: ApiError | None
    ) -> ApiError:
        state = str(item.get("state") or "?")
        operation = (item.get("lastOperation") or {}).get("operation")
        detail = (
            f"the flow {id_} was still not enabled or disabled after {deadline.seconds:g}s (state {state!r}"
        )
        detail += f", last operation {operation!r})" if operation else ")"
        if last is not None:
            detail += f"; AEP kept refusing the {what}: {last.detail or last.title or ''}"
        return ApiError(
            operation=f"{what}: wait for the flow to settle",
            status=last.status if last else None,
            code=last.code if last else None,
            title="Timed out waiting for a busy flow",
            detail=detail,
            request_id=last.request_id if last else None,
            hint="AEP is still working on the flow; wait until it shows Enabled or Disabled in the AEP UI "
            "(Sources > Dataflows), then run `pulumi up` again; to wait longer, raise inlet_timeout_seconds",
        )

    def _set_enabled(
        self,
        id_: str,
        sandbox: str,
        enabled: bool,
        deadline: Deadline,
        stable: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        wanted = "enabled" if enabled else "disabled"
        op = "enable" if enabled else "disable"

        def act(item: dict[str, Any]) -> None:
            if item.get("state") != wanted:
                self._action(id_, sandbox, op)

        return self._mutate(id_, sandbox, deadline, op, act, stable=stable)

    def _delete_flow(self, id_: str, args: DataflowInputs) -> None:
        """DELETE once the flow is stable; a flow that is already gone is fine."""

        def delete(_item: dict[str, Any]) -> None:
            fs.delete(self.aep(), COLLECTION, id_, args.sandbox)

        try:
            self._mutate(
                id_,
                args.sandbox,
                Deadline(args.inlet_timeout_seconds),
                "delete",
                delete,
                settle_after=False,
            )
        except GoneError:
            return

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
            # the direction the flow is heading (or is in); unknown states keep what we had
            "enabled": _ENABLED_BY_STATE.get(str(item.get("state") or ""), args.enabled),
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
        deadline = Deadline(new.inlet_timeout_seconds)
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

        def patch(item: dict[str, Any]) -> None:
            # the etag just read is current: no 412 round trip for our own earlier changes
            etag = str(item.get("etag") or olds.get("etag") or "") or None
            fs.patch(client, COLLECTION, id_, old.sandbox, ops, etag)

        try:
            item: dict[str, Any] | None = None
            if ops:
                item = self._mutate(id_, old.sandbox, deadline, "update", patch)
            if old.enabled != new.enabled:
                item = self._set_enabled(id_, old.sandbox, new.enabled, deadline, item)
            if item is None:
                item = self._wait_stable(id_, old.sandbox, deadline, "update")
        except GoneError:
            raise ApiError(
                operation="update",
                status=404,
                title="Not found",
                detail=f"the flow {id_} no longer exists",
            ) from None
        # the state the flow settled in: a refresh right after `up` sees the same
        return self._outs(id_, item)

    def _delete(self, id_: str, args: DataflowInputs, props: dict[str, Any]) -> None:
        self._delete_flow(id_, args)


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
