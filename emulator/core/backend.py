"""What every service backend is built from: the shared environment, never another service."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.config import Knobs, Options
from emulator.core.ids import Ids
from emulator.core.store import Store


@dataclass(frozen=True)
class Env:
    """Process-wide infrastructure; `knobs` is one object, changed in place by the admin API."""

    options: Options
    knobs: Knobs
    store: Store
    ids: Ids


class Backend:
    def __init__(self, env: Env) -> None:
        self.store = env.store
        self.ids = env.ids
        self.options = env.options
        self.knobs = env.knobs

    def list_cutoff(self, now: float) -> float:
        """Objects created after this instant are not yet visible in lists (eventual consistency)."""
        return now - self.knobs.list_lag_s
