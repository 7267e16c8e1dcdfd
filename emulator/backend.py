"""What every service backend shares: the world it lives in and small helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.config import Knobs, Options
    from emulator.ids import Ids
    from emulator.store import Store
    from emulator.world import World


class Backend:
    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def store(self) -> Store:
        return self.world.store

    @property
    def ids(self) -> Ids:
        return self.world.ids

    @property
    def options(self) -> Options:
        return self.world.options

    @property
    def knobs(self) -> Knobs:
        return self.world.knobs

    def list_cutoff(self, now: float) -> float:
        """Objects created after this instant are not yet visible in lists (eventual consistency)."""
        return now - self.knobs.list_lag_s


def property_filters(filters: list[str], item: dict[str, Any]) -> bool:
    """AEP `property=` filters: `a.b==x,y` (OR), `!=`, `~` (contains), `[]` for arrays; AND across filters."""
    return all(_one_filter(expression, item) for expression in filters)


def _lookup(item: Any, path: str) -> list[Any]:
    nodes = [item]
    for part in path.split("."):
        is_array = part.endswith("[]")
        key = part[:-2] if is_array else part
        nxt: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                if isinstance(value, list):
                    nxt.extend(value)
                else:
                    nxt.append(value)
        nodes = nxt
    return nodes


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _one_filter(expression: str, item: dict[str, Any]) -> bool:
    for op in ("!=", "==", "~", ">=", "<=", ">", "<"):
        if op in expression:
            path, _, raw = expression.partition(op)
            break
    else:
        return _lookup(item, expression.strip()) != []  # bare property: exists
    values = raw.split(",")
    actual = [_text(v) for v in _lookup(item, path.strip())]
    if op == "==":
        return any(v in actual for v in values)
    if op == "!=":
        return all(v not in actual for v in values)
    if op == "~":
        return any(v in a for v in values for a in actual)
    try:
        numbers = [float(a) for a in actual]
        bound = float(values[0])
    except ValueError:
        return False
    checks = {">": bound.__lt__, "<": bound.__gt__, ">=": bound.__le__, "<=": bound.__ge__}
    return any(checks[op](n) for n in numbers)
