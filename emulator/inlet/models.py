"""Streaming inlet: accepts raw JSON, then (asynchronously, like AEP) maps, validates and stores it."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from emulator.core import errors, xdm
from emulator.core.backend import Backend, Env
from emulator.core.interfaces import DatasetLookup, DatasetSink, MappingRunner, SchemaLookup, StreamingFlows

MAX_BODY = 1024 * 1024


@dataclass
class Job:
    sandbox: str
    flow_id: str
    record: Any
    size: int
    received_ms: int
    xaction_id: str
    not_before: float


class Inlet(Backend):
    """Asks Flow Service (`StreamingFlows`), Catalog (`DatasetLookup`, `DatasetSink`), the Schema
    Registry (`SchemaLookup`) and Data Prep (`MappingRunner`); answers nobody."""

    def __init__(
        self,
        env: Env,
        flows: StreamingFlows,
        datasets: DatasetLookup,
        sink: DatasetSink,
        schemas: SchemaLookup,
        mappings: MappingRunner,
    ) -> None:
        super().__init__(env)
        self.flows = flows
        self.datasets = datasets
        self.sink = sink
        self.schemas = schemas
        self.mappings = mappings
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="emulator-inlet", daemon=True)
                self._worker.start()

    def receive(self, inlet_id: str, flow_id: str | None, raw: bytes, sync: bool) -> dict[str, Any]:
        if len(raw) > MAX_BODY:
            raise errors.inlet(413, "The payload exceeds the 1 MB limit.", "Payload Too Large")
        found = self.flows.flow_by_inlet(inlet_id)
        if found is None:
            raise errors.inlet(404, f"No streaming connection exists for inlet '{inlet_id}'.", "Not Found")
        sandbox, flow = found
        if not flow_id:
            raise errors.inlet(
                400, "The flow id is missing: pass ?x-adobe-flow-id= or the x-adobe-flow-id header."
            )
        if flow_id != flow["id"]:
            raise errors.inlet(400, f"Flow '{flow_id}' does not belong to inlet '{inlet_id}'.")
        state = self.flows.refusal(flow, time.time())
        if state is not None:
            raise errors.inlet(400, f"Flow '{flow_id}' is {state}: it accepts no data.")
        if not raw.strip():
            raise errors.inlet(400, "The request body is empty.")
        try:
            record = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.inlet(400, f"The request body is not valid JSON: {exc}.") from exc
        if not isinstance(record, dict):
            raise errors.inlet(400, "The request body must be a JSON object.")
        now_ms = int(time.time() * 1000)
        job = Job(
            sandbox,
            flow_id,
            record,
            len(raw),
            now_ms,
            f"{now_ms}:{self.ids.integer(1000, 9999)}:{self.ids.integer(100, 999)}",
            time.time() + self.knobs.ingest_delay_s,
        )
        if sync:
            problems = self.process(job)
            if problems:
                raise ApiErrorWithReport(problems)
        else:
            self._ensure_worker()
            self._queue.put(job)
        return {"inletId": inlet_id, "xactionId": job.xaction_id, "receivedTimeMs": now_ms}

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                delay = job.not_before - time.time()
                if delay > 0:
                    time.sleep(delay)
                self.process(job)
            except Exception:
                pass
            finally:
                self._queue.task_done()

    def drain(self) -> None:
        """Wait until every accepted record has been processed."""
        self._queue.join()

    def stop(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join(timeout=5)

    def process(self, job: Job) -> list[dict[str, Any]]:
        with self.store.lock:
            return self._process(job)

    def _process(self, job: Job) -> list[dict[str, Any]]:
        flow = self.flows.get_flow(job.sandbox, job.flow_id)
        if flow is None:
            return [
                {
                    "code": "CONNECTOR-2001-500",
                    "message": "The flow was deleted before the record was processed.",
                }
            ]
        problems, dataset_id, mapped = self._transform(job, flow)
        if not problems and dataset_id is not None:
            mapped["_acp_system_metadata"] = {
                "ingestTime": job.received_ms,
                "flowId": job.flow_id,
                "xactionId": job.xaction_id,
            }
            self.sink.ingest(job.sandbox, dataset_id, mapped, int(time.time() * 1000))
        elif problems and dataset_id is not None:
            self.sink.reject(job.sandbox, dataset_id, problems, int(time.time() * 1000))
        self._record_run(job, flow, problems)
        return problems

    def _transform(
        self, job: Job, flow: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str | None, dict[str, Any]]:
        dataset_id = self.flows.target_dataset(job.sandbox, flow)
        dataset = self.datasets.get_dataset(job.sandbox, dataset_id) if dataset_id else None
        if dataset is None:
            return [{"code": "INGEST-1212-400", "message": "The target dataset does not exist."}], None, {}
        schema = self.schemas.find_schema(job.sandbox, dataset.get("schemaRef", {}).get("id", ""))
        if schema is None:
            return [{"code": "INGEST-1212-400", "message": "The target schema does not exist."}], None, {}
        tree = self.schemas.resolve(job.sandbox, schema)
        transformation = (flow.get("transformations") or [{}])[0]
        params = transformation.get("params", {})
        result = self.mappings.map_record(
            job.sandbox, str(params.get("mappingId")), int(params.get("mappingVersion", 0)), tree, job.record
        )
        if result is None:
            return (
                [{"code": "MAPPER-3700-400", "message": "The mapping set version does not exist."}],
                None,
                {},
            )
        mapped, problems = result
        problems += [
            {"code": "INGEST-1212-400", "message": m} for m in xdm.validate_record(tree, mapped, time.time())
        ]
        return problems, str(dataset_id), mapped

    def _record_run(self, job: Job, flow: dict[str, Any], problems: list[dict[str, Any]]) -> None:
        event = {
            "received_ms": job.received_ms,
            "completed_ms": int(time.time() * 1000),
            "size": job.size,
            "xaction_id": job.xaction_id,
            "problems": problems,
        }
        self.flows.record_run(job.sandbox, flow, event)


class ApiErrorWithReport(errors.ApiError):
    def __init__(self, problems: list[dict[str, Any]]) -> None:
        body = errors.inlet(400, "The record failed validation.").body
        body["report"]["errors"] = problems
        super().__init__(400, body)
