"""Flow Service backend: source/target connections, flows, flow actions and runs."""

from __future__ import annotations

import copy
from typing import Any

from emulator.core import errors, patch
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx
from emulator.core.interfaces import DatasetLookup, MappingLookup, SchemaLookup
from emulator.core.listing import property_filters
from emulator.flow_service import options as flow_options
from emulator.flow_service import paging, runs, states
from emulator.flow_service.validation import (
    FLOW,
    LABELS,
    RUN,
    SOURCE,
    TARGET,
    References,
    bad,
    create_body,
    patch_operations,
    spec,
)

__all__ = ["FLOW", "RUN", "SOURCE", "TARGET", "FlowService"]

CIO_PROVIDER = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
SOURCE_SPECS = {
    "96479064-7b8a-4d69-b9ed-21c5683837ea": CIO_PROVIDER,  # Customer.io
    "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb": "521eee4d-8cbe-4906-bb48-fb6bd4450033",  # HTTP API
}
TARGET_SPECS = {"c604ff05-7f1a-43c0-8e18-33bf874cb11c"}  # data lake
FLOW_SPECS = {"e77fde5a-22a8-11ed-861d-0242ac120002", "d8a6f005-7eaf-4153-983e-e8574508b877"}
Obj = dict[str, Any]


def _bad_patch(reason: str) -> errors.ApiError:
    return errors.flow("1455-400", f"Error while validating patch instructions: {reason}.")


class FlowService(Backend):
    """Answers `MappingUsers` and `StreamingFlows`; asks Catalog, Schema Registry and Data Prep."""

    def __init__(
        self, env: Env, datasets: DatasetLookup, schemas: SchemaLookup, mappings: MappingLookup
    ) -> None:
        super().__init__(env)
        self.references = References(env.store, datasets, schemas, mappings)

    # -- common --------------------------------------------------------------------------------
    def find(self, ctx: Ctx, kind: str, obj_id: str) -> Obj:
        obj = self.store.get(ctx.sandbox, kind, obj_id)
        if obj is None:
            raise errors.flow(
                "1439-404",
                f"The requested {LABELS[kind]} resource {obj_id} is not found. "
                "Verify the resource ID before trying again.",
                report={"id": obj_id, "type": LABELS[kind]},
            )
        return obj

    def render(self, ctx: Ctx, kind: str, obj: Obj) -> Obj:
        out = states.public(copy.deepcopy(obj))
        if kind == FLOW:
            ready = float(obj.get("__inletReadyAt", 0))
            options = dict(out.get("options", {}))
            if ctx.now >= ready and obj.get("__inletId") and not obj.get(flow_options.INLET_LOST):
                options["inletUrl"] = f"{ctx.base_url}/collection/{obj['__inletId']}"
            out["options"] = options
            states.render(ctx, obj, out)
        return out

    def _stamp(self, ctx: Ctx, obj: Obj, created: bool) -> None:
        etag = self.ids.etag()
        if created:
            obj.update(
                {
                    "createdAt": ctx.now_ms,
                    "createdBy": f"{ctx.client_id}@AdobeID",
                    "createdClient": ctx.client_id,
                }
            )
        obj.update(
            {
                "updatedAt": ctx.now_ms,
                "updatedBy": f"{ctx.client_id}@AdobeID",
                "updatedClient": ctx.client_id,
                "sandboxId": f"{ctx.sandbox}-sandbox-id",
                "sandboxName": ctx.sandbox,
                "imsOrgId": self.options.org_id,
                "etag": etag,
                "version": etag,
            }
        )

    def list_items(
        self,
        ctx: Ctx,
        kind: str,
        filters: list[str],
        limit: int | None,
        token: str | None,
        count: bool,
        orderby: str | None = None,
    ) -> Obj:
        if count and limit is not None:
            raise errors.flow("1401-400", "'limit' and 'count' cannot be used together.")
        objs = [
            self.render(ctx, kind, o)
            for o in self.store.list_kind(ctx.sandbox, kind, self.list_cutoff(ctx.now))
        ]
        items = [o for o in objs if property_filters(filters, o)]
        if count:
            return {"count": len(items)}
        return paging.one_page(items, LABELS[kind], limit, token, orderby)

    def get(self, ctx: Ctx, kind: str, obj_id: str) -> Obj:
        return {"items": [self.render(ctx, kind, self.find(ctx, kind, obj_id))]}

    # -- create --------------------------------------------------------------------------------
    def create_source(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = create_body(raw)
        connection_spec = spec(body, "connectionSpec", SOURCE_SPECS)
        provider = body.get("providerId", SOURCE_SPECS[connection_spec["id"]])
        if provider != SOURCE_SPECS[connection_spec["id"]]:
            raise bad(f"providerId '{provider}' does not match connection spec {connection_spec['id']}.")
        data = body.get("data")
        if not isinstance(data, dict) or data.get("format") != "json":
            raise bad("'data.format' is required; this source only supports 'json'.")
        if "params" in body and not isinstance(body["params"], dict):
            raise bad("'params' must be an object.")
        obj = {
            **body,
            "id": self.ids.uuid(),
            "connectionSpec": connection_spec,
            "providerId": provider,
            "state": "enabled",
            "params": body.get("params", {}),
            "providerRefId": self.ids.uuid(),
            "inheritedAttributes": {"properties": {"isSourceFlow": True}},
        }
        return self._insert(ctx, SOURCE, obj)

    def create_target(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = create_body(raw)
        connection_spec = spec(body, "connectionSpec", TARGET_SPECS)
        self.references.target(ctx.sandbox, body)
        obj = {**body, "id": self.ids.uuid(), "connectionSpec": connection_spec, "state": "enabled"}
        return self._insert(ctx, TARGET, obj)

    def create_flow(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = create_body(raw)
        flow_spec = spec(body, "flowSpec", FLOW_SPECS)
        for key, kind in (("sourceConnectionIds", SOURCE), ("targetConnectionIds", TARGET)):
            body[key] = self.references.connection_ids(ctx.sandbox, body, key, kind)
        self.references.transformations(ctx.sandbox, body)
        flow_id = self.ids.uuid()
        obj = {
            **body,
            "id": flow_id,
            "flowSpec": flow_spec,
            "state": "enabled",
            "inheritedAttributes": self._inherited(ctx, body),
            "runs": f"/runs?property=flowId=={flow_id}",
            "providerRefId": self.ids.uuid(),
            "lastOperation": {"started": ctx.now_ms, "updated": ctx.now_ms, "operation": "create"},
            "options": {},
            "__inletId": self.ids.hex(64),
            "__inletReadyAt": ctx.now + self.knobs.inlet_url_delay_s,
        }
        return self._insert(ctx, FLOW, obj)

    def _inherited(self, ctx: Ctx, body: Obj) -> Obj:
        def refs(kind: str, ids: list[str]) -> list[Obj]:
            specs = [(self.store.get(ctx.sandbox, kind, i) or {}).get("connectionSpec") for i in ids]
            return [{"id": i, "connectionSpec": s} for i, s in zip(ids, specs, strict=True)]

        return {
            "properties": {"isSourceFlow": True},
            "sourceConnections": refs(SOURCE, body["sourceConnectionIds"]),
            "targetConnections": refs(TARGET, body["targetConnectionIds"]),
        }

    def _insert(self, ctx: Ctx, kind: str, obj: Obj) -> dict[str, str]:
        self._stamp(ctx, obj, created=True)
        self.store.put(ctx.sandbox, kind, obj["id"], obj)
        return {"id": obj["id"], "etag": obj["etag"]}

    # -- update --------------------------------------------------------------------------------
    def _check_etag(self, current: Obj, if_match: str | None, required: bool) -> None:
        if if_match is None:
            if required:
                raise errors.flow("1403-400", "The header 'If-Match' is missing.")
            return
        etag = str(current["etag"])
        if if_match == etag or (self.knobs.accept_unquoted_etag and if_match.strip('"') == etag.strip('"')):
            return
        raise errors.flow(
            "1404-412",
            f"Version not matching: If-Match {if_match} is not the current etag.",
            "Precondition Failed",
        )

    def patch(
        self, ctx: Ctx, kind: str, obj_id: str, operations: Any, if_match: str | None
    ) -> dict[str, str]:
        current = self.find(ctx, kind, obj_id)
        if kind == FLOW:
            states.check_patchable(current, ctx.now)
        self._check_etag(current, if_match, required=True)
        ops = patch_operations(kind, operations)
        new = patch.apply(states.public(current), ops, _bad_patch)
        name = new.get("name")
        if not isinstance(name, str) or not name.strip():
            raise errors.flow("1455-400", "'name' must remain a non-empty string.")
        if kind == FLOW:
            self.references.transformations(ctx.sandbox, new)
        elif kind == TARGET:
            self.references.target(ctx.sandbox, new)
        new.update({k: v for k, v in current.items() if k.startswith("__")})
        if kind == FLOW:
            url = self.render(ctx, kind, current)["options"].get("inletUrl")
            new.update(flow_options.check(current, new, ops, url))
            new["lastOperation"] = {"started": ctx.now_ms, "updated": ctx.now_ms, "operation": "update"}
            states.begin(new, "updating", ctx.now, self.knobs.flow_transition_s)  # then back to `state`
        self._stamp(ctx, new, created=False)
        self.store.put(ctx.sandbox, kind, obj_id, new)
        return {"id": obj_id, "etag": new["etag"]}

    def action(
        self, ctx: Ctx, flow_id: str, raw_op: str | None, sub_ops: list[str], if_match: str | None
    ) -> dict[str, str]:
        flow = self.find(ctx, FLOW, flow_id)
        op = states.action_op(raw_op, sub_ops, self.knobs.accept_lowercase_action_op)
        busy = states.busy_state(flow, ctx.now)
        if busy is not None:
            raise errors.flow("1422-400", f"Action '{op}' cannot be applied: the flow is in state '{busy}'.")
        self._check_etag(flow, if_match, required=False)
        wanted = f"{op}d"
        if flow["state"] == wanted and self.knobs.enable_when_enabled_fails:
            raise errors.flow("1422-400", f"Action '{op}' cannot be applied: the flow is already {wanted}.")
        flow["state"] = wanted
        flow["lastOperation"] = {"started": ctx.now_ms, "updated": ctx.now_ms, "operation": op}
        busy = "enabling" if op == "enable" else "disabling"
        states.begin(flow, busy, ctx.now, self.knobs.flow_transition_s)
        self._stamp(ctx, flow, created=False)
        self.store.put(ctx.sandbox, FLOW, flow_id, flow)
        return {"id": flow_id, "etag": flow["etag"]}

    # -- delete --------------------------------------------------------------------------------
    def delete(self, ctx: Ctx, kind: str, obj_id: str) -> None:
        obj = self.find(ctx, kind, obj_id)
        busy = states.busy_state(obj, ctx.now) if kind == FLOW else None
        if busy is not None:
            raise states.only_stable(obj_id, busy)
        if kind in (SOURCE, TARGET):
            key = "sourceConnectionIds" if kind == SOURCE else "targetConnectionIds"
            users = [f["id"] for f in self.store.list_kind(ctx.sandbox, FLOW) if obj_id in f.get(key, [])]
            if users:
                raise errors.flow(
                    "1447-400", f"Found active flows containing id {obj_id}: {', '.join(users)}."
                )
        self.store.delete(ctx.sandbox, kind, obj_id)
        if kind == FLOW and self.knobs.flow_delete_cascades:
            for conn in obj.get("sourceConnectionIds", []):
                self.store.delete(ctx.sandbox, SOURCE, conn)
            for conn in obj.get("targetConnectionIds", []):
                self.store.delete(ctx.sandbox, TARGET, conn)

    # -- what other services ask (Data Prep: MappingUsers; inlet: StreamingFlows) ---------------
    def flows_using_mapping(self, sandbox: str, set_id: str) -> list[str]:
        return [
            f["id"]
            for f in self.store.list_kind(sandbox, FLOW)
            if any(t.get("params", {}).get("mappingId") == set_id for t in f.get("transformations", []))
        ]

    def flow_by_inlet(self, inlet_id: str) -> tuple[str, Obj] | None:
        for sandbox, flow in self.store.list_all(FLOW):
            if flow.get("__inletId") == inlet_id and not flow.get(flow_options.INLET_LOST):
                return sandbox, flow
        return None

    def get_flow(self, sandbox: str, flow_id: str) -> Obj | None:
        return self.store.get(sandbox, FLOW, flow_id)

    def refusal(self, flow: Obj, now: float) -> str | None:
        return None if states.accepts_data(flow, now) else states.effective_state(flow, now)

    def target_dataset(self, sandbox: str, flow: Obj) -> str | None:
        target = self.store.get(sandbox, TARGET, (flow.get("targetConnectionIds") or [""])[0]) or {}
        dataset_id = target.get("params", {}).get("dataSetId")
        return str(dataset_id) if dataset_id else None

    def record_run(self, sandbox: str, flow: Obj, event: Obj) -> None:
        runs.record(self.store, self.ids, sandbox, flow, event, self.knobs.run_window_s)
