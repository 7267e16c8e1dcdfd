"""The emulated world: options, knobs, storage and one backend per service."""

from __future__ import annotations

import copy
from typing import Any

from emulator.catalog import Catalog
from emulator.config import Options
from emulator.data_prep import DataPrep
from emulator.faults import Faults, RateLimiter, RequestLog
from emulator.flow_service import FlowService
from emulator.ids import Ids
from emulator.ims import Ims
from emulator.schema_registry import SchemaRegistry
from emulator.store import Store


class World:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.knobs = copy.deepcopy(options.knobs)
        self.store = Store(options.state_path)
        self.ids = Ids(options.seed)
        self.faults = Faults(options.seed)
        self.rate = RateLimiter()
        self.log = RequestLog()
        self.ims = Ims(self)
        self.schemas = SchemaRegistry(self)
        self.catalog = Catalog(self)
        self.flows = FlowService(self)
        self.dataprep = DataPrep(self)
        self._extras()

    def _extras(self) -> None:
        from emulator.customerio import CustomerIo
        from emulator.inlet import Inlet

        self.inlet = Inlet(self)
        self.customerio = CustomerIo(self)

    def reset(self) -> None:
        """Wipe all state; knobs, faults and the request log go back to their start-up values."""
        self.inlet.drain()
        with self.store.lock:
            self.store.wipe()
        self.knobs = copy.deepcopy(self.options.knobs)
        self.ids.reseed(self.options.seed)
        self.faults.clear(self.options.seed)
        self.rate.clear()
        self.log.clear()

    def state(self) -> dict[str, Any]:
        dump = self.store.dump()
        global_objs = dump.pop("_global", {})
        global_objs.pop("token", None)
        return {
            "tenantId": self.options.tenant_id,
            "sandboxes": {name: dump.get(name, {}) for name in self.options.sandboxes},
            "customerio": {
                "webhooks": global_objs.get("cioWebhook", []),
                "workspaces": {
                    name.removeprefix("cio:"): hooks
                    for name, hooks in self.customerio.webhooks_by_workspace().items()
                    if name
                },
            },
            "knobs": self.knobs.as_dict(),
            "faults": self.faults.rules(),
        }

    def close(self) -> None:
        self.inlet.stop()
        self.store.close()
