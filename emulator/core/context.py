"""Per-request facts a backend needs, independent of Flask."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Ctx:
    sandbox: str
    base_url: str = "http://127.0.0.1"
    client_id: str = ""
    now: float = field(default_factory=time.time)

    @property
    def now_ms(self) -> int:
        return int(self.now * 1000)
