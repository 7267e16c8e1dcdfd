"""Every question one service asks another, as a small protocol. `emulator.app` passes the answering
service in at construction; no service imports another one or looks one up in a registry.

| asked by | protocol | answered by |
| --- | --- | --- |
| gateway (every Platform call) | `TokenLookup` | IMS |
| Catalog, Flow Service, Data Prep, inlet | `SchemaLookup` | Schema Registry |
| Schema Registry (delete, evolution) | `DatasetUsage` | Catalog |
| Flow Service, inlet | `DatasetLookup` | Catalog |
| inlet | `DatasetSink` | Catalog |
| Flow Service | `MappingLookup` | Data Prep |
| inlet | `MappingRunner` | Data Prep |
| Data Prep (delete) | `MappingUsers` | Flow Service |
| inlet | `StreamingFlows` | Flow Service |
| Observability Insights | `DatasetActivity` | Catalog |
| Schema Registry (descriptors) | `NamespaceLookup` | Identity Service |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Obj = dict[str, Any]


class TokenLookup(Protocol):
    def lookup(self, token: str) -> Obj | None:
        """The live token record ({client_id, scope, expires_at}), None if unknown or expired."""


class SchemaLookup(Protocol):
    def find_schema(self, sandbox: str, ref: str) -> Obj | None:
        """A schema by `$id` or `meta:altId`."""

    def resolve(self, sandbox: str, schema: Obj) -> Obj:
        """Class + field groups flattened into {properties, required}."""


class DatasetLookup(Protocol):
    def get_dataset(self, sandbox: str, dataset_id: str) -> Obj | None: ...


# Schema Registry and Catalog ask each other, as do Data Prep and Flow Service: the second question of
# each pair is a plain callable, so that `emulator.app` can build one service before the other.

# (sandbox, schema refs, ingested only) -> ids of the datasets of one of those schemas (that hold data)
DatasetUsage = Callable[[str, tuple[str, ...], bool], list[str]]


class DatasetSink(Protocol):
    def ingest(self, sandbox: str, dataset_id: str, record: Obj, now_ms: int) -> None:
        """Store one record and the batch that carried it."""

    def reject(self, sandbox: str, dataset_id: str, problems: list[Obj], now_ms: int) -> None:
        """A record that failed validation: a failed batch (streaming validation keeps failures)."""


class MappingLookup(Protocol):
    def get_doc(self, sandbox: str, set_id: str, version: int | None = None) -> Obj | None: ...


class MappingRunner(Protocol):
    def map_record(
        self, sandbox: str, set_id: str, version: int, tree: Obj, record: Any
    ) -> tuple[Obj, list[Obj]] | None:
        """(mapped record, problems) through a mapping set version; None if that version is unknown."""


# (sandbox, mapping set id) -> ids of the flows whose transformation uses it
MappingUsers = Callable[[str, str], list[str]]


class StreamingFlows(Protocol):
    def flow_by_inlet(self, inlet_id: str) -> tuple[str, Obj] | None:
        """(sandbox, flow) of the flow that owns a streaming inlet."""

    def get_flow(self, sandbox: str, flow_id: str) -> Obj | None: ...

    def refusal(self, flow: Obj, now: float) -> str | None:
        """None if the flow accepts data now, else the state it is in."""

    def target_dataset(self, sandbox: str, flow: Obj) -> str | None:
        """The dataset id of the flow's target connection."""

    def record_run(self, sandbox: str, flow: Obj, event: Obj) -> None:
        """Count one record (received_ms, completed_ms, size, xaction_id, problems) in its run."""


class DatasetActivity(Protocol):
    def all_datasets(self, sandbox: str) -> list[Obj]: ...

    def get_dataset(self, sandbox: str, dataset_id: str) -> Obj | None: ...

    def batches_for(self, sandbox: str, dataset_id: str) -> list[Obj]:
        """Every batch of a dataset (success and failed), oldest first."""


class NamespaceLookup(Protocol):
    def find_namespace(self, sandbox: str, ref: str | int) -> Obj | None:
        """An identity namespace by code or numeric id."""
