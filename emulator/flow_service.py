"""Flow Service backend: source/target connections, flows, flow actions and runs."""

from __future__ import annotations

import copy
from typing import Any

from emulator import errors, jsonpatch
from emulator.backend import Backend, property_filters
from emulator.context import Ctx

SOURCE = "sourceConnection"
TARGET = "targetConnection"
FLOW = "flow"
RUN = "run"

CIO_PROVIDER = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
SOURCE_SPECS = {
    "96479064-7b8a-4d69-b9ed-21c5683837ea": CIO_PROVIDER,  # Customer.io
    "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb": "521eee4d-8cbe-4906-bb48-fb6bd4450033",  # HTTP API
}
TARGET_SPECS = {"c604ff05-7f1a-43c0-8e18-33bf874cb11c"}  # data lake
FLOW_SPECS = {"e77fde5a-22a8-11ed-861d-0242ac120002", "d8a6f005-7eaf-4153-983e-e8574508b877"}
_PATCHABLE = {
    FLOW: ("/name", "/description", "/transformations", "/labels", "/scheduleParams"),
    SOURCE: ("/name", "/description", "/params", "/data", "/labels"),
    TARGET: ("/name", "/description", "/params", "/data", "/labels"),
}
_LABELS = {SOURCE: "sourceConnections", TARGET: "targetConnections", FLOW: "flows", RUN: "runs"}
# A flow's in-between state lives in two hidden fields; the stored `state` is always the stable state
# it settles in. Everything is computed on read from the timestamps: no background work.
_BUSY_STATE = "__busyState"
_BUSY_UNTIL = "__busyUntil"


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("__")}


def busy_state(flow: dict[str, Any], now: float) -> str | None:
    """`enabling`, `disabling` or `updating` while the flow is between stable states, else None."""
    until = flow.get(_BUSY_UNTIL)
    if until is None or now >= float(until):
        return None
    return str(flow.get(_BUSY_STATE))


def effective_state(flow: dict[str, Any], now: float) -> str:
    return busy_state(flow, now) or str(flow.get("state", ""))


def accepts_data(flow: dict[str, Any], now: float) -> bool:
    """An enabled flow keeps ingesting while it is updated or being disabled, not while enabling."""
    busy = busy_state(flow, now)
    if busy == "disabling":
        return True
    return flow.get("state") == "enabled" and busy != "enabling"


def _bad(message: str, code: str = "1400-400") -> errors.ApiError:
    return errors.flow(code, message)


def _spec(body: dict[str, Any], key: str, known: Any) -> dict[str, Any]:
    spec = body.get(key)
    if not isinstance(spec, dict) or not isinstance(spec.get("id"), str):
        raise _bad(f"'{key}.id' is required.")
    if spec["id"] not in known:
        raise _bad(f"{key} '{spec['id']}' was not found.", "1408-400")
    if not isinstance(spec.get("version", "1.0"), str):
        raise _bad(f"'{key}.version' must be a string such as '1.0'.")
    return {"id": spec["id"], "version": spec.get("version", "1.0")}


def _only_stable(flow_id: str, busy: str) -> errors.ApiError:
    return errors.flow(
        "1416-400",
        f"The flow {flow_id} is in state '{busy}': update or delete is only allowed on flows "
        "in state enabled, disabled or initializing.",
    )


class FlowService(Backend):
    # -- common --------------------------------------------------------------------------------
    def _get(self, ctx: Ctx, kind: str, obj_id: str) -> dict[str, Any]:
        obj = self.store.get(ctx.sandbox, kind, obj_id)
        if obj is None:
            raise errors.flow(
                "1439-404",
                f"The requested {_LABELS[kind]} resource with id {obj_id} is not found. "
                "Please check the resource id and the sandbox.",
            )
        return obj

    def render(self, ctx: Ctx, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        out = public(copy.deepcopy(obj))
        if kind == FLOW:
            ready = float(obj.get("__inletReadyAt", 0))
            options = dict(out.get("options", {}))
            if ctx.now >= ready and obj.get("__inletId"):
                options["inletUrl"] = f"{ctx.base_url}/collection/{obj['__inletId']}"
            out["options"] = options
            self._render_transition(ctx, obj, out)
        return out

    @staticmethod
    def _render_transition(ctx: Ctx, obj: dict[str, Any], out: dict[str, Any]) -> None:
        until = obj.get(_BUSY_UNTIL)
        if until is None:
            return  # no transition was ever recorded (flow_transition_s = 0): nothing to show
        last = dict(out.get("lastOperation") or {})
        busy = busy_state(obj, ctx.now)
        if busy is not None:
            out["state"] = busy
            last.update({"updated": ctx.now_ms, "status": "inProgress"})
        else:
            last.update({"updated": int(float(until) * 1000), "status": "success"})
        out["lastOperation"] = last

    def _begin_transition(self, ctx: Ctx, flow: dict[str, Any], busy: str) -> None:
        delay = self.knobs.flow_transition_s
        if delay > 0:
            flow[_BUSY_STATE] = busy
            flow[_BUSY_UNTIL] = ctx.now + delay
        else:
            flow.pop(_BUSY_STATE, None)
            flow.pop(_BUSY_UNTIL, None)

    def _stamp(self, ctx: Ctx, obj: dict[str, Any], created: bool) -> None:
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

    def _check_create_body(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body:
            raise errors.flow("1405-400", "The request body is empty or is not a JSON object.")
        if "state" in body:
            raise errors.flow("1410-400", "'state' is not allowed in the request body of a create call.")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _bad("'name' is required and must be a non-empty string.")
        if "description" in body and not isinstance(body["description"], str):
            raise _bad("'description' must be a string.")
        return copy.deepcopy(body)

    def list_items(
        self, ctx: Ctx, kind: str, filters: list[str], limit: int | None, token: str | None, count: bool
    ) -> dict[str, Any]:
        if count and limit is not None:
            raise errors.flow("1401-400", "'limit' and 'count' cannot be used together.")
        objs = [
            self.render(ctx, kind, o)
            for o in self.store.list_kind(ctx.sandbox, kind, self.list_cutoff(ctx.now))
        ]
        items = [o for o in objs if property_filters(filters, o)]
        if count:
            return {"count": len(items)}
        try:
            start = int(token) if token else 0
        except ValueError as exc:
            raise _bad("Invalid continuationToken.") from exc
        size = max(1, min(limit or 100, 100))
        page = items[start : start + size]
        out: dict[str, Any] = {"items": page}
        if start + size < len(items):
            out["_links"] = {"next": {"href": f"/{_LABELS[kind]}?continuationToken={start + size}"}}
        return out

    def get(self, ctx: Ctx, kind: str, obj_id: str) -> dict[str, Any]:
        return {"items": [self.render(ctx, kind, self._get(ctx, kind, obj_id))]}

    # -- create --------------------------------------------------------------------------------
    def create_source(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = self._check_create_body(raw)
        spec = _spec(body, "connectionSpec", SOURCE_SPECS)
        provider = body.get("providerId", SOURCE_SPECS[spec["id"]])
        if provider != SOURCE_SPECS[spec["id"]]:
            raise _bad(f"providerId '{provider}' does not match connection spec {spec['id']}.")
        data = body.get("data")
        if not isinstance(data, dict) or data.get("format") != "json":
            raise _bad("'data.format' is required; this source only supports 'json'.")
        if "params" in body and not isinstance(body["params"], dict):
            raise _bad("'params' must be an object.")
        obj = {
            **body,
            "id": self.ids.uuid(),
            "connectionSpec": spec,
            "providerId": provider,
            "state": "enabled",
            "params": body.get("params", {}),
            "providerRefId": self.ids.uuid(),
            "inheritedAttributes": {"properties": {"isSourceFlow": True}},
        }
        return self._insert(ctx, SOURCE, obj)

    def _check_target(self, ctx: Ctx, body: dict[str, Any]) -> None:
        params = body.get("params")
        dataset_id = params.get("dataSetId") if isinstance(params, dict) else None
        if not isinstance(dataset_id, str):
            raise _bad("'params.dataSetId' is required.")
        dataset = self.world.catalog.get_obj(ctx.sandbox, dataset_id)
        if dataset is None:
            raise _bad(f"Dataset '{dataset_id}' was not found in sandbox '{ctx.sandbox}'.", "1408-400")
        data = body.get("data")
        schema = data.get("schema") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("format"), str):
            raise _bad("'data.format' is required.")
        if not isinstance(schema, dict) or not isinstance(schema.get("id"), str):
            raise _bad("'data.schema.id' is required.")
        if not isinstance(schema.get("version"), str):
            raise _bad(
                "'data.schema.version' is required, e.g. 'application/vnd.adobe.xed-full+json;version=1'."
            )
        if self.world.schemas.find_schema(ctx.sandbox, schema["id"]) is None:
            raise _bad(f"Schema '{schema['id']}' was not found in sandbox '{ctx.sandbox}'.", "1408-400")
        if dataset.get("schemaRef", {}).get("id") != schema["id"]:
            raise errors.flow(
                "1425-400", f"Schema '{schema['id']}' is not the schema of dataset '{dataset_id}'."
            )

    def create_target(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = self._check_create_body(raw)
        spec = _spec(body, "connectionSpec", TARGET_SPECS)
        self._check_target(ctx, body)
        obj = {**body, "id": self.ids.uuid(), "connectionSpec": spec, "state": "enabled"}
        return self._insert(ctx, TARGET, obj)

    def _connection_ids(self, ctx: Ctx, body: dict[str, Any], key: str, kind: str) -> list[str]:
        ids = body.get(key)
        if not isinstance(ids, list) or len(ids) != 1 or not isinstance(ids[0], str):
            raise _bad(f"'{key}' must hold exactly one connection id.")
        if self.store.get(ctx.sandbox, kind, ids[0]) is None:
            raise _bad(f"{_LABELS[kind]} '{ids[0]}' was not found in sandbox '{ctx.sandbox}'.", "1408-400")
        return [ids[0]]

    def _check_transformations(self, ctx: Ctx, flow: dict[str, Any]) -> None:
        transformations = flow.get("transformations")
        if not isinstance(transformations, list) or not transformations:
            raise _bad(
                "'transformations' with a 'Mapping' transformation is required for non-XDM source data."
            )
        for item in transformations:
            if (
                not isinstance(item, dict)
                or item.get("name") != "Mapping"
                or not isinstance(item.get("params"), dict)
            ):
                raise _bad("Each transformation must be {'name': 'Mapping', 'params': {...}}.")
            params = item["params"]
            mapping_id = params.get("mappingId")
            if not isinstance(mapping_id, str):
                raise _bad("'transformations[].params.mappingId' is required.")
            raw_version = params.get("mappingVersion", 0)
            try:
                if isinstance(raw_version, (bool, float)):
                    raise ValueError
                version = int(raw_version)
            except (TypeError, ValueError, OverflowError) as exc:
                raise errors.flow("1412-400", f"Invalid mapping version '{raw_version}'.") from exc
            mapping = self.world.dataprep.get_doc(ctx.sandbox, mapping_id)
            if mapping is None:
                raise _bad(
                    f"Mapping set '{mapping_id}' was not found in sandbox '{ctx.sandbox}'.", "1408-400"
                )
            if self.world.dataprep.get_doc(ctx.sandbox, mapping_id, version) is None:
                raise errors.flow("1412-400", f"Mapping set '{mapping_id}' has no version {version}.")
            target = self.store.get(ctx.sandbox, TARGET, flow["targetConnectionIds"][0]) or {}
            dataset = (
                self.world.catalog.get_obj(ctx.sandbox, target.get("params", {}).get("dataSetId", "")) or {}
            )
            dataset_schema = dataset.get("schemaRef", {}).get("id")
            mapping_schema = mapping["outputSchema"]["schemaRef"]["id"]
            if dataset_schema != mapping_schema:
                raise errors.flow(
                    "1425-400",
                    f"The mapping set schema '{mapping_schema}' and the dataset schema "
                    f"'{dataset_schema}' must be the same.",
                )

    def create_flow(self, ctx: Ctx, raw: Any) -> dict[str, str]:
        body = self._check_create_body(raw)
        spec = _spec(body, "flowSpec", FLOW_SPECS)
        body["sourceConnectionIds"] = self._connection_ids(ctx, body, "sourceConnectionIds", SOURCE)
        body["targetConnectionIds"] = self._connection_ids(ctx, body, "targetConnectionIds", TARGET)
        self._check_transformations(ctx, body)
        flow_id = self.ids.uuid()
        obj = {
            **body,
            "id": flow_id,
            "flowSpec": spec,
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

    def _inherited(self, ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
        def refs(kind: str, ids: list[str]) -> list[dict[str, Any]]:
            return [
                {
                    "id": i,
                    "connectionSpec": (self.store.get(ctx.sandbox, kind, i) or {}).get("connectionSpec"),
                }
                for i in ids
            ]

        return {
            "properties": {"isSourceFlow": True},
            "sourceConnections": refs(SOURCE, body["sourceConnectionIds"]),
            "targetConnections": refs(TARGET, body["targetConnectionIds"]),
        }

    def _insert(self, ctx: Ctx, kind: str, obj: dict[str, Any]) -> dict[str, str]:
        self._stamp(ctx, obj, created=True)
        self.store.put(ctx.sandbox, kind, obj["id"], obj)
        return {"id": obj["id"], "etag": obj["etag"]}

    # -- update --------------------------------------------------------------------------------
    def _check_etag(self, current: dict[str, Any], if_match: str | None, required: bool) -> None:
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
        current = self._get(ctx, kind, obj_id)
        if kind == FLOW:
            self._check_not_busy_for_patch(ctx, current)
        self._check_etag(current, if_match, required=True)
        if not isinstance(operations, list) or not operations:
            raise errors.flow("1405-400", "The request body must be a non-empty JSON Patch array.")
        normalised = []
        for op in operations:
            if (
                not isinstance(op, dict)
                or not isinstance(op.get("op"), str)
                or not isinstance(op.get("path"), str)
            ):
                raise errors.flow(
                    "1455-400", "Error while validating patch instructions: each needs 'op' and 'path'."
                )
            name = op["op"].lower()
            if name not in ("add", "replace", "remove"):
                raise errors.flow("1434-400", f"Unsupported patch operation '{op['op']}'.")
            if op["path"].startswith("/connectionSpec"):
                raise errors.flow("1414-400", "The connection spec of a connection cannot be changed.")
            if not op["path"].startswith(_PATCHABLE[kind]):
                raise errors.flow(
                    "1455-400",
                    f"Error while validating patch instructions: path '{op['path']}' cannot be patched.",
                )
            normalised.append({**op, "op": name})
        try:
            new = jsonpatch.apply(public(current), normalised)
        except jsonpatch.PatchError as exc:
            raise errors.flow("1455-400", f"Error while validating patch instructions: {exc}.") from exc
        self._check_update(ctx, kind, new)
        new.update({k: v for k, v in current.items() if k.startswith("__")})
        if kind == FLOW:
            new["lastOperation"] = {"started": ctx.now_ms, "updated": ctx.now_ms, "operation": "update"}
            self._begin_transition(ctx, new, "updating")  # then back to its stable `state`
        self._stamp(ctx, new, created=False)
        self.store.put(ctx.sandbox, kind, obj_id, new)
        return {"id": obj_id, "etag": new["etag"]}

    @staticmethod
    def _check_not_busy_for_patch(ctx: Ctx, flow: dict[str, Any]) -> None:
        busy = busy_state(flow, ctx.now)
        if busy == "disabling":
            raise errors.flow(
                "1420-400", f"The flow {flow['id']} is in state 'disabling' and cannot be updated."
            )
        if busy == "updating":
            raise errors.flow(
                "1421-400", f"The flow {flow['id']} is in state 'updating' and cannot be transitioned."
            )
        if busy is not None:
            raise _only_stable(flow["id"], busy)

    def _check_update(self, ctx: Ctx, kind: str, new: dict[str, Any]) -> None:
        name = new.get("name")
        if not isinstance(name, str) or not name.strip():
            raise errors.flow("1455-400", "'name' must remain a non-empty string.")
        if kind == FLOW:
            self._check_transformations(ctx, new)
        elif kind == TARGET:
            self._check_target(ctx, new)

    def action(self, ctx: Ctx, flow_id: str, op: str | None, if_match: str | None) -> dict[str, str]:
        flow = self._get(ctx, FLOW, flow_id)
        busy = busy_state(flow, ctx.now)
        if busy is not None:
            raise errors.flow("1422-400", f"Action '{op}' cannot be applied: the flow is in state '{busy}'.")
        self._check_etag(flow, if_match, required=False)
        if op not in ("enable", "disable"):
            raise errors.flow(
                "1422-400", f"Action '{op}' cannot be applied to this flow; use op=enable or op=disable."
            )
        wanted = f"{op}d"
        if flow["state"] == wanted and self.knobs.enable_when_enabled_fails:
            raise errors.flow("1422-400", f"Action '{op}' cannot be applied: the flow is already {wanted}.")
        flow["state"] = wanted
        flow["lastOperation"] = {"started": ctx.now_ms, "updated": ctx.now_ms, "operation": op}
        self._begin_transition(ctx, flow, "enabling" if op == "enable" else "disabling")
        self._stamp(ctx, flow, created=False)
        self.store.put(ctx.sandbox, FLOW, flow_id, flow)
        return {"id": flow_id, "etag": flow["etag"]}

    # -- delete --------------------------------------------------------------------------------
    def delete(self, ctx: Ctx, kind: str, obj_id: str) -> None:
        obj = self._get(ctx, kind, obj_id)
        busy = busy_state(obj, ctx.now) if kind == FLOW else None
        if busy is not None:
            raise _only_stable(obj_id, busy)
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

    # -- inlet support -------------------------------------------------------------------------
    def flow_by_inlet(self, inlet_id: str) -> tuple[str, dict[str, Any]] | None:
        for sandbox, flow in self.store.list_all(FLOW):
            if flow.get("__inletId") == inlet_id:
                return sandbox, flow
        return None

    def record_run(self, sandbox: str, flow_id: str, run: dict[str, Any]) -> None:
        self.store.put(sandbox, RUN, run["id"], run)
