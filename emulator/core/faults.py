"""Fault rules, the rate limiter and the request log: the knobs tests turn."""

from __future__ import annotations

import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultRule:
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int = 500
    count: int | None = None
    probability: float = 1.0
    retry_after: int | None = None
    body: Any = None
    drop_connection: bool = False
    after_commit: bool = False
    delay_s: float = 0.0
    id: int = 0
    hits: int = 0
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], rule_id: int) -> FaultRule:
        allowed = {
            "operation",
            "method",
            "path",
            "status",
            "count",
            "probability",
            "retry_after",
            "body",
            "drop_connection",
            "after_commit",
            "delay_s",
        }
        unknown = set(raw) - allowed
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        rule = cls(id=rule_id, **raw)
        if rule.operation is None and rule.method is None and rule.path is None:
            raise ValueError("a fault rule needs 'operation' or 'method'/'path'")
        if not 100 <= int(rule.status) <= 599:
            raise ValueError("status must be an HTTP status code")
        if not 0.0 <= float(rule.probability) <= 1.0:
            raise ValueError("probability must be within 0..1")
        if rule.path is not None:
            rule._regex = re.compile(rule.path)
        return rule

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def matches(self, operation: str, method: str, path: str) -> bool:
        if self.operation is not None and self.operation != operation:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex is None or self._regex.search(path) is not None


class Faults:
    def __init__(self, seed: int | None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._rng = random.Random(seed)

    def add(self, raw: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = FaultRule.from_dict(raw, self._next_id)
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def clear(self, seed: int | None = None) -> None:
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(seed)

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.as_dict() for r in self._rules]

    def pick(self, operation: str, method: str, path: str) -> FaultRule | None:
        """The first matching rule that fires this time (consuming one of its count)."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(operation, method, path):
                    continue
                if rule.count is not None and rule.hits >= rule.count:
                    continue
                if self._rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None


class RateLimiter:
    """A sliding one-second window per budget: what the real services count separately (the AEP
    gateway per IMS org, Customer.io per App API key) is limited separately."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def allow(self, per_second: float, budget: str = "") -> bool:
        if per_second <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(budget, deque())
            while hits and now - hits[0] >= 1.0:
                hits.popleft()
            if len(hits) >= per_second:
                return False
            hits.append(now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


class RequestLog:
    def __init__(self, capacity: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._seq = 0

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, **entry})

    def since(self, seq: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._seq
