"""Planning without API calls: ``check()`` validates inputs, ``diff()`` compares them.

- Unknowns: ``check()`` validates known values only; ``diff()`` treats an unknown in a
  replacing field as a replacement and elsewhere as an update.
- Floats and None: inputs are parsed by the resource's pydantic model (ints coerced, defaults
  filled, ``None`` never emitted); diff compares declared input fields only, never outputs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, DiffResult
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN
from pydantic import ValidationError

from aep_customerio.providers.declaration import Inputs, replacing_fields, uncompared_fields
from aep_customerio.providers.errors import redact

PROVIDER_KEY = "__provider"


def contains_unknown(value: Any) -> bool:
    # check() and diff() deserialize with keep_unknowns=True: unknowns arrive as `Unknown`
    # objects (at any depth), the sentinel string only in some SDK paths.
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def canonical(value: Any) -> Any:
    """Comparable form: integral floats become ints, containers recursively."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


class Planning:
    """The check and diff half of a provider (see ``providers.base``)."""

    kind: ClassVar[str]
    inputs: ClassVar[type[Inputs]]
    delete_before_replace: ClassVar[bool]

    def inputs_of(self, args: Inputs) -> dict[str, Any]:
        return args.model_dump(mode="json", exclude_none=True)

    def canon_field(self, key: str, value: Any) -> Any:
        """Normalise one input before comparing (e.g. mapping-rule spellings)."""
        return canonical(value)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in inputs.items() if contains_unknown(v)}
        known = {k: v for k, v in inputs.items() if k not in unknown}
        try:
            model = self.inputs.model_validate(known)
        except ValidationError as exc:
            failures = [
                CheckFailure(loc_text(err["loc"]), redact(f"{self.kind}: {err['msg']}"))
                for err in exc.errors()
                if not (err["loc"] and err["loc"][0] in unknown)
            ]
            return CheckResult(inputs, failures)
        checked = self.inputs_of(model)
        checked.update({k: inputs[k] for k in unknown})
        return CheckResult(checked, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replacing = replacing_fields(self.inputs)
        compared = set(self.inputs.model_fields) - uncompared_fields(self.inputs)
        changes: list[str] = []
        replaces: list[str] = []
        for key, field in self.inputs.model_fields.items():
            if key not in compared:
                continue
            default = None if field.is_required() else field.get_default(call_default_factory=True)
            new = news.get(key, default)
            if contains_unknown(new):
                changed = True
            else:
                changed = self.canon_field(key, olds.get(key, default)) != self.canon_field(key, new)
            if changed:
                changes.append(key)
                if key in replacing:
                    replaces.append(key)
        return DiffResult(
            changes=bool(changes),
            replaces=replaces,
            stables=[],
            delete_before_replace=self._delete_first(replaces),
        )

    def _delete_first(self, replaces: list[str]) -> bool | None:
        """Delete before create only where the old object would block the new one.

        A move to another sandbox creates first: nothing collides, and the engine then deletes the
        old objects last, dependents before what they use (a field group after its schema).
        """
        if not replaces:
            return None
        return self.delete_before_replace and "sandbox" not in replaces


def loc_text(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "<inputs>"
