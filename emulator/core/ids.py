"""Identifier generation; seedable so that runs can be deterministic."""

from __future__ import annotations

import random
import threading
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Ids:
    def __init__(self, seed: int | None) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self._rng = random.Random(seed) if seed is not None else random.SystemRandom()

    def hex(self, length: int) -> str:
        with self._lock:
            return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))

    def uuid(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def etag(self) -> str:
        """Quoted, like AEP's: "\"af00a717-0000-0200-0000-63ef2cbd0000\""."""
        return f'"{self.hex(8)}-0000-0200-0000-{self.hex(12)}"'

    def ulid(self) -> str:
        with self._lock:
            return "".join(self._rng.choice(_CROCKFORD) for _ in range(26))

    def integer(self, low: int, high: int) -> int:
        with self._lock:
            return self._rng.randint(low, high)
