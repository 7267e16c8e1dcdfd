"""Flow Service dataflow (Customer.io streaming source -> data lake) and its inlet URL.

Inputs: ``sandbox``, ``flow_spec_id``, ``flow_spec_version``, ``source_connection_id`` and
``target_connection_id`` replace (a changed connection means a new dataflow); ``name``,
``description``, ``mapping_set_id`` + ``mapping_version`` (PATCH ``/transformations/0``, If-Match)
``enabled`` (flow actions), ``error_diagnostics_enabled`` and ``partial_ingestion_percent`` (the flow's
``options``, each by a JSON Patch of its own leaf path ``/options/<name>`` so that ``options.inletUrl`` is
never overwritten; set after create, as ``options`` in a create body is undocumented) update;
``inlet_timeout_seconds`` (local, default 300) bounds the wait
for ``options.inletUrl`` after create and for a busy flow to settle during one operation.
Outputs: ``flow_id`` (also the resource id), ``etag``, ``state``, ``inlet_url`` and
``webhook_url`` = ``{inlet_url}?x-adobe-flow-id={flow_id}`` (both secret).
Create is transactional: if the inlet URL does not appear in time, the new flow is deleted.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from aep_customerio.providers import seen_flows
from aep_customerio.providers.base import Body, notice
from aep_customerio.providers.dataflow_states import TIMEOUT_KEY, FlowControl
from aep_customerio.providers.declaration import REPLACES, Outputs, resource_class
from aep_customerio.providers.errors import ApiError, GoneError, register_secret
from aep_customerio.providers.flow_service import (
    STABLE_STATES,
    FlowServiceInputs,
    FlowServiceProvider,
    name_description_ops,
)
from aep_customerio.providers.types import InletTimeout, PartialIngestionPercent
from aep_customerio.providers.waiting import poll

CUSTOMERIO_FLOW_SPEC_ID = "e77fde5a-22a8-11ed-861d-0242ac120002"
_ENABLED_BY_STATE = {"enabled": True, "enabling": True, "disabled": False, "disabling": False}


class DataflowInputs(FlowServiceInputs):
    flow_spec_id: Annotated[str, REPLACES] = CUSTOMERIO_FLOW_SPEC_ID
    flow_spec_version: Annotated[str, REPLACES] = "1.0"
    source_connection_id: Annotated[str, REPLACES, Field(min_length=1)]
    target_connection_id: Annotated[str, REPLACES, Field(min_length=1)]
    mapping_set_id: str = Field(min_length=1)
    mapping_version: int = Field(default=0, ge=0)
    enabled: bool = True
    error_diagnostics_enabled: bool = False
    partial_ingestion_percent: PartialIngestionPercent | None = None
    inlet_timeout_seconds: InletTimeout = 300.0


class DataflowOutputs(Outputs):
    flow_id: str
    etag: str
    state: str
    inlet_url: str
    webhook_url: str


def webhook_url(inlet_url: str, flow_id: str) -> str:
    sep = "&" if "?" in inlet_url else "?"
    return f"{inlet_url}{sep}x-adobe-flow-id={flow_id}"


def _mapping(set_id: str, version: int) -> dict[str, Any]:
    return {"name": "Mapping", "params": {"mappingId": set_id, "mappingVersion": version}}


OPTIONS = {
    "error_diagnostics_enabled": "errorDiagnosticsEnabled",
    "partial_ingestion_percent": "partialIngestionPercent",
}
_NO_OPTIONS: dict[str, Any] = {"error_diagnostics_enabled": False, "partial_ingestion_percent": None}


def option_ops(old: dict[str, Any], new: DataflowInputs) -> list[dict[str, Any]]:
    """JSON Patch of the flow options that change, each on its own leaf path (never ``/options``:
    an ``add`` of the whole object would drop ``inletUrl``)."""
    ops: list[dict[str, Any]] = []
    for key, name in OPTIONS.items():
        before, after = old.get(key, _NO_OPTIONS[key]), getattr(new, key)
        if before == after:
            continue
        if after is None:
            ops.append({"op": "remove", "path": f"/options/{name}"})
        else:
            ops.append({"op": "add", "path": f"/options/{name}", "value": after})
    return ops


def _inlet(item: Body) -> str:
    options = item.get("options")
    inlet = str((options or {}).get("inletUrl") or "") if isinstance(options, dict) else ""
    register_secret(inlet)  # a capability: keep it out of every error text and log line
    return inlet


class DataflowProvider(FlowServiceProvider[DataflowInputs]):
    kind = "Dataflow"
    token = ("aep", "Dataflow")
    inputs = DataflowInputs
    outputs = DataflowOutputs
    natural_key = ("sandbox", "name", "source_connection_id")
    secret_outputs = ("inlet_url", "webhook_url")
    collection = "flows"
    # The inlet URL appears seconds after the create: look soon, then at most every half second.
    inlet_first_poll: ClassVar[float] = 0.1
    inlet_max_poll: ClassVar[float] = 0.5

    def post_body(self, args: DataflowInputs) -> Body:
        return {
            "name": args.name,
            "description": args.description,
            "flowSpec": {"id": args.flow_spec_id, "version": args.flow_spec_version},
            "sourceConnectionIds": [args.source_connection_id],
            "targetConnectionIds": [args.target_connection_id],
            "transformations": [_mapping(args.mapping_set_id, args.mapping_version)],
        }

    def matches(self, item: Body, args: DataflowInputs) -> bool:
        return args.source_connection_id in (item.get("sourceConnectionIds") or [])

    def created(self, id_: str, body: Body, args: DataflowInputs) -> Body:
        try:
            item = self._wait_for_inlet(id_, args)
            ops = option_ops(_NO_OPTIONS, args)
            if ops:
                item = self._control(id_, args.sandbox, args).mutate(
                    "set options",
                    lambda it: self.patch(id_, args.sandbox, ops, str(it.get("etag") or "") or None),
                    stable=item if item.get("state") in STABLE_STATES else None,
                )
            if not args.enabled:
                stable = item if item.get("state") in STABLE_STATES else None
                item = self._control(id_, args.sandbox, args).set_enabled(False, stable)
        except BaseException:
            self._undo_create(id_, args)
            raise
        return item

    def _control(self, id_: str, sandbox: str, args: DataflowInputs) -> FlowControl:
        return FlowControl(self, id_, sandbox, args.inlet_timeout_seconds)

    def _wait_for_inlet(self, id_: str, args: DataflowInputs) -> Body:
        item = poll(
            lambda: self.get(id_, args.sandbox, "create: wait for inlet URL"),
            lambda item: bool(_inlet(item)),
            timeout=args.inlet_timeout_seconds,
            policy=self.policy(),
            first_delay=self.inlet_first_poll,
            max_delay=self.inlet_max_poll,
        )
        if not _inlet(item):
            raise ApiError(
                operation="create: wait for the inlet URL",
                title="Timed out",
                detail=f"options.inletUrl did not appear within {args.inlet_timeout_seconds:g}s",
                hint=f"the new flow was deleted again; retry `pulumi up`, or raise {TIMEOUT_KEY}",
            )
        return item

    def _undo_create(self, id_: str, args: DataflowInputs) -> None:
        try:
            self.remove(id_, args, {})
            notice(
                f"Dataflow '{args.name}': create failed after the flow {id_} was made; it was deleted again."
            )
        except ApiError as exc:
            notice(
                f"Dataflow '{args.name}': create failed, and deleting the half-made flow {id_} "
                f"failed too: {exc}"
            )

    def outs(self, id_: str, body: Body, args: DataflowInputs, props: dict[str, Any]) -> dict[str, Any]:
        inlet = _inlet(body)
        seen_flows.saw_alive(args.sandbox, id_)  # read or created just now
        return {
            "flow_id": id_,
            "etag": str(body.get("etag", "")),
            "state": str(body.get("state", "")),
            "inlet_url": inlet,
            "webhook_url": webhook_url(inlet, id_) if inlet else "",
        }

    def live(self, body: Body, args: DataflowInputs, props: dict[str, Any]) -> dict[str, Any]:
        spec = body.get("flowSpec") or {}
        raw = body.get("options")
        options: Body = raw if isinstance(raw, dict) else {}
        percent = options.get("partialIngestionPercent")
        live: dict[str, Any] = {
            **self.live_names(body, args),
            "flow_spec_id": spec.get("id", args.flow_spec_id),
            "flow_spec_version": spec.get("version", args.flow_spec_version),
            # the direction the flow is heading (or is in); unknown states keep what we had
            "enabled": _ENABLED_BY_STATE.get(str(body.get("state") or ""), args.enabled),
            "error_diagnostics_enabled": options.get("errorDiagnosticsEnabled") is True,
            "partial_ingestion_percent": float(percent) if percent not in (None, "") else None,
        }
        sources = body.get("sourceConnectionIds") or []
        targets = body.get("targetConnectionIds") or []
        if sources:
            live["source_connection_id"] = sources[0]
        if targets:
            live["target_connection_id"] = targets[0]
        for t in body.get("transformations") or []:
            if t.get("name") == "Mapping":
                params = t.get("params") or {}
                live["mapping_set_id"] = params.get("mappingId", args.mapping_set_id)
                live["mapping_version"] = int(params.get("mappingVersion", 0))
        return live

    def change(
        self, id_: str, old: DataflowInputs, new: DataflowInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        control = self._control(id_, old.sandbox, new)
        ops = name_description_ops(old, new)
        if (old.mapping_set_id, old.mapping_version) != (new.mapping_set_id, new.mapping_version):
            value = _mapping(new.mapping_set_id, new.mapping_version)
            ops.append({"op": "replace", "path": "/transformations/0", "value": value})
        ops += option_ops(old.model_dump(), new)

        def patch(item: Body) -> None:
            # the etag just read is current: no 412 round trip for our own earlier changes
            self.patch(id_, old.sandbox, ops, str(item.get("etag") or olds.get("etag") or "") or None)

        try:
            item: Body | None = None
            if ops:
                item = control.mutate("update", patch)
            if old.enabled != new.enabled:
                item = control.set_enabled(new.enabled, item)
            if item is None:
                item = control.wait_stable("update")
        except GoneError:
            raise ApiError(
                operation="update", status=404, title="Not found", detail=f"the flow {id_} no longer exists"
            ) from None
        # the state the flow settled in: a refresh right after `up` sees the same
        return self.outs(id_, item, new, olds)

    def remove(self, id_: str, args: DataflowInputs, props: dict[str, Any]) -> None:
        """DELETE once the flow is stable; a flow that is already gone is fine."""

        def delete(_item: Body) -> None:
            super(DataflowProvider, self).remove(id_, args, props)

        seen_flows.saw_gone(args.sandbox, id_)
        try:
            self._control(id_, args.sandbox, args).mutate("delete", delete, settle_after=False)
        except GoneError:
            return


Dataflow = resource_class(DataflowProvider)
DataflowArgs = Dataflow.Args
