"""A dynamic resource whose create waits (up to a deadline) until `expected` creates have started,
and records how many it saw at once and which process and thread served it."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from pulumi.dynamic import CreateResult, Resource, ResourceProvider

DEADLINE_S = 20.0


def _parent_name() -> str:
    try:
        return Path(f"/proc/{os.getppid()}/comm").read_text().strip()
    except OSError:
        return "?"


class GatheringProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        folder = Path(props["dir"])
        me = uuid.uuid4().hex
        (folder / f"{me}.started").touch()
        expected = int(props["expected"])
        seen, until = 0, time.monotonic() + DEADLINE_S
        while time.monotonic() < until:
            seen = len(list(folder.glob("*.started")))
            if seen >= expected:
                break
            time.sleep(0.05)
        record = {
            "seen": seen,
            "pid": os.getpid(),
            "parent": _parent_name(),
            "argv0": sys.argv[0],
            "thread": threading.current_thread().name,
            "pulumi_server_module": "pulumi.dynamic._server" in sys.modules,
        }
        (folder / f"{me}.json").write_text(json.dumps(record))
        return CreateResult(id_=me, outs={"dir": props["dir"], "expected": expected})


class Gathering(Resource, module="concurrent", name="Gathering"):
    def __init__(self, name: str, folder: str, expected: int) -> None:
        super().__init__(GatheringProvider(), name, {"dir": folder, "expected": expected})
