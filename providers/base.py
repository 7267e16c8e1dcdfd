"""The shared base of every dynamic provider: handles the dynamic-provider pitfalls once.

- Pickling (P1, P2): subclasses live in importable modules (pickled by reference) and the
  instance pickles to an empty dict: settings and HTTP clients exist only after ``configure()``
  (or first use) and are dropped by ``__getstate__``, so no credential reaches ``__provider``.
- Unknowns (D3): ``check()`` validates known values only; ``diff()`` treats an unknown in a
  replace-on-change field as a replacement and elsewhere as an update.
- Floats and None (O2, O3): inputs are parsed by a pydantic model everywhere (ints coerced,
  defaults filled, ``None`` never emitted).
- Diff (D1): only declared input fields are compared, never server fields or ``__provider``.
- Read (R2, R3): 404 -> empty id; every other failure raises; inputs are returned too.
- Threads (X4): clients are created under a lock, sessions are per thread, the token cache is
  process-wide and locked (see ``aep_client``).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN
from pydantic import BaseModel, ConfigDict, ValidationError

from providers.aep_client import AepClient
from providers.customerio_client import CustomerIoClient
from providers.errors import ApiError, GoneError, redact
from providers.settings import Settings, load_settings
from providers.transport import AmbiguousRequestError, RetryPolicy

log = logging.getLogger("providers")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

PROVIDER_KEY = "__provider"
_INIT_LOCK = threading.Lock()


class ProviderArgs(BaseModel):
    """Base of every typed argument model: strict about unknown keys, lenient about floats."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def display_name(self) -> str:
        for key in ("name", "title"):
            value = getattr(self, key, None)
            if isinstance(value, str):
                return value
        return "?"


A = TypeVar("A", bound=ProviderArgs)


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
    """Comparable form: integral floats become ints (O2), containers recursively."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def notice(message: str) -> None:
    """A message for the person running Pulumi (stderr reaches the CLI, X3)."""
    print(redact(message), file=sys.stderr, flush=True)


class BaseProvider(ResourceProvider, Generic[A]):
    kind: ClassVar[str] = "Object"
    args_model: ClassVar[type[ProviderArgs]]
    replace_on: ClassVar[frozenset[str]] = frozenset({"sandbox"})
    delete_before_replace: ClassVar[bool] = False
    # Set by tests to avoid real sleeping; never set in production code.
    retry_policy: ClassVar[RetryPolicy | None] = None
    # How long to keep looking for an object after an ambiguous create before POSTing again.
    lookup_grace_seconds: ClassVar[float] = 8.0

    # --- pickling and configuration -------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt_")}

    def configure(self, req: ConfigureRequest) -> None:
        self._rt_settings = load_settings(req.config.get)

    def _settings(self) -> Settings:
        settings: Settings | None = self.__dict__.get("_rt_settings")
        if settings is None:
            settings = load_settings(None)
            self._rt_settings = settings
        return settings

    def aep(self) -> AepClient:
        with _INIT_LOCK:
            client: AepClient | None = self.__dict__.get("_rt_aep")
            if client is None:
                client = AepClient(self._settings().aep(), self.retry_policy)
                self._rt_aep = client
            return client

    def customerio(self, workspace: str = "") -> CustomerIoClient:
        with _INIT_LOCK:
            clients: dict[str, CustomerIoClient] = self.__dict__.setdefault("_rt_cio", {})
            client = clients.get(workspace)
            if client is None:
                client = CustomerIoClient(self._settings().customerio(workspace), self.retry_policy)
                clients[workspace] = client
            return client

    # --- helpers for subclasses -----------------------------------------------------

    def parse(self, props: dict[str, Any]) -> A:
        fields = self.args_model.model_fields
        return self.args_model.model_validate({k: v for k, v in props.items() if k in fields})  # type: ignore[return-value]

    def inputs_of(self, args: A) -> dict[str, Any]:
        return args.model_dump(mode="json", exclude_none=True)

    def canon_field(self, key: str, value: Any) -> Any:
        """Hook: normalise one field before comparing (e.g. mapping-rule spellings)."""
        return canonical(value)

    def _fail(self, op: str, args: ProviderArgs | None, exc: ApiError) -> ApiError:
        return exc.with_context(
            operation=op,
            kind=self.kind,
            name=args.display_name() if args else "?",
            sandbox=getattr(args, "sandbox", None),
        )

    def create_once(
        self,
        args: A,
        post: Callable[[], dict[str, Any]],
        lookup: Callable[[], dict[str, Any] | None],
        attempts: int = 3,
    ) -> dict[str, Any]:
        """POST exactly once in effect: after an ambiguous failure, adopt the object if the
        lookup by natural key finds it, otherwise POST again."""
        last: AmbiguousRequestError | None = None
        for attempt in range(1, attempts + 1):
            if last is not None:
                found = self._lookup_with_grace(lookup)
                if found is not None:
                    notice(
                        f"{self.kind} '{args.display_name()}': adopted the object created "
                        "by the interrupted request"
                    )
                    return found
            try:
                return post()
            except AmbiguousRequestError as exc:
                last = exc
                log.warning(
                    "%s '%s': create attempt %d was ambiguous (%s); looking it up before retrying",
                    self.kind,
                    args.display_name(),
                    attempt,
                    exc.cause.status or exc.cause.title,
                )
        assert last is not None
        found = self._lookup_with_grace(lookup)
        if found is not None:
            return found
        raise last.cause

    def _lookup_with_grace(self, lookup: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
        # List endpoints lag behind writes: keep looking for a while before concluding "not created".
        policy = self.retry_policy or RetryPolicy()
        deadline = time.monotonic() + self.lookup_grace_seconds
        while True:
            found = lookup()
            if found is not None or time.monotonic() >= deadline:
                return found
            policy.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))

    # --- the engine-facing lifecycle ------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in inputs.items() if contains_unknown(v)}
        known = {k: v for k, v in inputs.items() if k not in unknown}
        try:
            model = self.args_model.model_validate(known)
        except ValidationError as exc:
            failures = [
                CheckFailure(_loc(err["loc"]), redact(f"{self.kind}: {err['msg']}"))
                for err in exc.errors()
                if not (err["loc"] and err["loc"][0] in unknown)
            ]
            return CheckResult(inputs, failures)
        checked = self.inputs_of(model)  # type: ignore[arg-type]
        checked.update({k: inputs[k] for k in unknown})
        return CheckResult(checked, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes: list[str] = []
        replaces: list[str] = []
        for key, field in self.args_model.model_fields.items():
            default = None if field.is_required() else field.get_default(call_default_factory=True)
            new = news.get(key, default)
            if contains_unknown(new):
                changed = True
            else:
                changed = self.canon_field(key, olds.get(key, default)) != self.canon_field(key, new)
            if changed:
                changes.append(key)
                if key in self.replace_on:
                    replaces.append(key)
        return DiffResult(
            changes=bool(changes),
            replaces=replaces,
            stables=[],
            delete_before_replace=self._delete_first(replaces),
        )

    def _delete_first(self, replaces: list[str]) -> bool | None:
        """Delete before create only where the old object would block the new one.

        Names must be unique within a sandbox, so a replacement in the same sandbox deletes first.
        A move to another sandbox creates first: nothing collides, and the engine then deletes the
        old objects last, dependents before what they use (a field group after its schema).
        """
        if not replaces:
            return None
        return self.delete_before_replace and "sandbox" not in replaces

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.parse(props)
        try:
            id_, outs = self._create(args)
        except ApiError as exc:
            raise self._fail("create", args, exc) from None
        return CreateResult(id_, {**self.inputs_of(args), **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        args = self.parse(props)
        try:
            live = self._read(id_, args, props)
        except GoneError:
            return ReadResult("", {})
        except ApiError as exc:
            raise self._fail("read (refresh)", args, exc) from None
        live_inputs, outs = live
        merged = self.parse({**self.inputs_of(args), **live_inputs})
        inputs = self.inputs_of(merged)
        return ReadResult(id_, {**inputs, **outs}, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old = self.parse(olds)
        new = self.parse(news)
        try:
            outs = self._update(id_, old, new, olds)
        except ApiError as exc:
            raise self._fail("update", new, exc) from None
        return UpdateResult({**self.inputs_of(new), **outs})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.parse(props)
        try:
            self._delete(id_, args, props)
        except ApiError as exc:
            raise self._fail("delete", args, exc) from None

    # --- implemented by each resource -----------------------------------------------

    def _create(self, args: A) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _read(self, id_: str, args: A, props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (live inputs, outputs) or raise GoneError."""
        raise NotImplementedError

    def _update(self, id_: str, old: A, new: A, olds: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _delete(self, id_: str, args: A, props: dict[str, Any]) -> None:
        raise NotImplementedError


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "<inputs>"


def resource_props(args: Any, outputs: tuple[str, ...]) -> dict[str, Any]:
    """Props for ``dynamic.Resource.__init__``: the set inputs plus ``None`` for each output (O4)."""
    props = {k: v for k, v in vars(args).items() if v is not None}
    for key in outputs:
        props.setdefault(key, None)
    return props
