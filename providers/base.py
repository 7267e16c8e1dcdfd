"""The lifecycle every remote object shares, written once: check, diff, create, read, update, delete.

A resource module declares its models (see ``providers.declaration``) and implements a few hooks:
``post`` (the create request), ``find`` (look the object up by its natural key), ``fetch`` (GET;
``GoneError`` on 404), ``live`` (the inputs a fetched body reports), ``outs`` (its outputs),
``change`` (the update requests) and ``remove`` (the delete request). This base does the rest:

- Pickling: subclasses live in importable modules (pickled by reference) and the instance pickles
  without its settings and HTTP clients, which exist only after ``configure()`` (or first use), so
  no credential reaches ``__provider``.
- Unknowns: ``check()`` validates known values only; ``diff()`` treats an unknown in a
  replacing field as a replacement and elsewhere as an update.
- Floats and None: inputs are parsed by the pydantic model everywhere (ints coerced, defaults
  filled, ``None`` never emitted). Diff compares declared input fields only.
- Create: POST once in effect; after an ambiguous or malformed answer, look the object up by its
  natural key (waiting out list lag) and adopt it instead of POSTing blindly again.
- Read: 404 means gone (empty id); every other failure raises; inputs are returned too.
- Errors: every ``ApiError`` is named after the object, the sandbox and the lifecycle operation.
"""

from __future__ import annotations

import logging
import sys
import threading
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
from pydantic import ValidationError

from providers.aep_client import AepClient
from providers.customerio_client import CustomerIoClient
from providers.declaration import Inputs, Outputs, replacing_fields
from providers.errors import ApiError, GoneError, redact
from providers.settings import Settings, load_settings
from providers.transport import AmbiguousRequestError, RetryPolicy
from providers.waiting import poll

log = logging.getLogger("providers")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

PROVIDER_KEY = "__provider"
_INIT_LOCK = threading.Lock()

I = TypeVar("I", bound=Inputs)  # noqa: E741 - the conventional name of an input type variable
Body = dict[str, Any]


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


def notice(message: str) -> None:
    """A message for the person running Pulumi (the provider's stderr reaches the CLI)."""
    print(redact(message), file=sys.stderr, flush=True)


class BaseProvider(ResourceProvider, Generic[I]):
    # --- the declaration, set by each resource -------------------------------------------
    kind: ClassVar[str] = "Object"
    token: ClassVar[tuple[str, str]]
    inputs: ClassVar[type[Inputs]]
    outputs: ClassVar[type[Outputs]]
    # The inputs that identify the object remotely when its id is not known (after a lost answer).
    natural_key: ClassVar[tuple[str, ...]] = ("sandbox", "name")
    secret_inputs: ClassVar[tuple[str, ...]] = ()
    secret_outputs: ClassVar[tuple[str, ...]] = ()
    # Names are unique per sandbox: a replacement in the same sandbox must delete the old one first.
    delete_before_replace: ClassVar[bool] = True
    # Set by tests to avoid real sleeping; never set in production code.
    retry_policy: ClassVar[RetryPolicy | None] = None
    # How long to keep looking for an object after an ambiguous create before POSTing again.
    lookup_grace_seconds: ClassVar[float] = 8.0

    # --- pickling and configuration -------------------------------------------------------

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

    def policy(self) -> RetryPolicy:
        return self.retry_policy or RetryPolicy()

    def aep(self) -> AepClient:
        with _INIT_LOCK:
            client: AepClient | None = self.__dict__.get("_rt_aep")
            if client is None:
                client = AepClient(self._settings().aep(), self.policy())
                self._rt_aep = client
            return client

    def customerio(self, workspace: str = "") -> CustomerIoClient:
        with _INIT_LOCK:
            clients: dict[str, CustomerIoClient] = self.__dict__.setdefault("_rt_cio", {})
            client = clients.get(workspace)
            if client is None:
                client = CustomerIoClient(self._settings().customerio(workspace), self.policy())
                clients[workspace] = client
            return client

    # --- the hooks each resource implements -------------------------------------------------

    def post(self, args: I) -> Body:
        """Send the create request; the answer's body (may raise AmbiguousRequestError)."""
        raise NotImplementedError

    def find(self, args: I) -> Body | None:
        """The object with this natural key, as a create answer would describe it; None if absent."""
        raise NotImplementedError

    def id_of(self, body: Body) -> str | None:
        value = body.get("id")
        return str(value) if isinstance(value, (str, int)) and str(value) else None

    def created(self, id_: str, body: Body, args: I) -> Body:
        """Hook after the object exists (e.g. wait until it is usable); the body for ``outs``."""
        return body

    def fetch(self, id_: str, args: I, props: dict[str, Any]) -> Body:
        """GET the object; raises GoneError on 404 (and only then)."""
        raise NotImplementedError

    def live(self, body: Body, args: I, props: dict[str, Any]) -> dict[str, Any]:
        """The inputs the remote object reports (for refresh)."""
        raise NotImplementedError

    def outs(self, id_: str, body: Body, args: I, props: dict[str, Any]) -> dict[str, Any]:
        """The declared outputs, from a body the API returned."""
        raise NotImplementedError

    def change(self, id_: str, old: I, new: I, olds: dict[str, Any]) -> dict[str, Any]:
        """Apply an in-place update; returns the outputs."""
        raise NotImplementedError

    def remove(self, id_: str, args: I, props: dict[str, Any]) -> None:
        """Delete the object; already gone is fine."""
        raise NotImplementedError

    def canon_field(self, key: str, value: Any) -> Any:
        """Normalise one input before comparing (e.g. mapping-rule spellings)."""
        return canonical(value)

    # --- helpers ----------------------------------------------------------------------------

    def parse(self, props: dict[str, Any]) -> I:
        fields = self.inputs.model_fields
        return self.inputs.model_validate({k: v for k, v in props.items() if k in fields})  # type: ignore[return-value]

    def inputs_of(self, args: Inputs) -> dict[str, Any]:
        return args.model_dump(mode="json", exclude_none=True)

    def _outputs(self, values: dict[str, Any], operation: str) -> dict[str, Any]:
        try:
            return self.outputs.model_validate(values).model_dump(mode="json")
        except ValidationError as exc:
            raise ApiError(
                operation=operation,
                title="Malformed response",
                detail=f"the answer lacks what a {self.kind.lower()} reports: {_first_error(exc)}",
                hint="retry; if it persists, check the object in the service's UI and report it",
            ) from None

    def _named(self, operation: str, args: Inputs | None, exc: ApiError) -> ApiError:
        return exc.with_context(
            operation=operation,
            kind=self.kind,
            name=args.display_name() if args else "?",
            sandbox=getattr(args, "sandbox", None),
        )

    def _key_text(self, args: I) -> str:
        return ", ".join(f"{k} {getattr(args, k)!r}" for k in self.natural_key)

    def create_once(self, args: I, attempts: int = 3) -> tuple[str, Body]:
        """POST exactly once in effect: after an ambiguous failure or an answer without an id, adopt
        the object if the lookup by natural key finds it, otherwise POST again."""
        last: ApiError | None = None
        for attempt in range(1, attempts + 1):
            if last is not None:
                found = self._find_with_grace(args)
                if found is not None:
                    name = args.display_name()
                    notice(f"{self.kind} '{name}': adopted the object that the interrupted request made")
                    return found
            try:
                body = self.post(args)
            except AmbiguousRequestError as exc:
                last = exc.cause
            else:
                id_ = self.id_of(body)
                if id_ is not None:
                    return id_, body
                last = ApiError(
                    operation="create", title="Malformed response", detail="the answer holds no id"
                )
            log.warning(
                "%s '%s': create attempt %d was ambiguous (%s); looking it up by %s before retrying",
                self.kind,
                args.display_name(),
                attempt,
                last.status or last.title,
                self._key_text(args),
            )
        assert last is not None
        found = self._find_with_grace(args)
        if found is not None:
            return found
        raise ApiError(
            operation="create",
            status=last.status,
            code=last.code,
            title=last.title,
            detail=f"{last.detail or ''} The object may or may not exist: after {attempts} ambiguous "
            f"answers, no object with {self._key_text(args)} was found.".strip(),
            request_id=last.request_id,
            hint="run `pulumi up` again: it looks the object up by its name first and adopts it",
        )

    def _find_with_grace(self, args: I) -> tuple[str, Body] | None:
        # List endpoints lag behind writes: keep looking for a while before concluding "not created".
        found = poll(
            lambda: self.find(args),
            lambda body: body is not None,
            timeout=self.lookup_grace_seconds,
            policy=self.policy(),
            first_delay=0.25,
            max_delay=2.0,
        )
        if found is None:
            return None
        id_ = self.id_of(found)
        return (id_, found) if id_ is not None else None

    # --- the engine-facing lifecycle --------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in inputs.items() if contains_unknown(v)}
        known = {k: v for k, v in inputs.items() if k not in unknown}
        try:
            model = self.inputs.model_validate(known)
        except ValidationError as exc:
            failures = [
                CheckFailure(_loc(err["loc"]), redact(f"{self.kind}: {err['msg']}"))
                for err in exc.errors()
                if not (err["loc"] and err["loc"][0] in unknown)
            ]
            return CheckResult(inputs, failures)
        checked = self.inputs_of(model)
        checked.update({k: inputs[k] for k in unknown})
        return CheckResult(checked, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replacing = replacing_fields(self.inputs)
        changes: list[str] = []
        replaces: list[str] = []
        for key, field in self.inputs.model_fields.items():
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

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.parse(props)
        try:
            id_, body = self.create_once(args)
            body = self.created(id_, body, args)
            outs = self._outputs(self.outs(id_, body, args, {}), "create")
        except ApiError as exc:
            raise self._named("create", args, exc) from None
        return CreateResult(id_, {**self.inputs_of(args), **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        args = self.parse(props)
        try:
            body = self.fetch(id_, args, props)
            live_inputs = self.live(body, args, props)
            outs = self._outputs(self.outs(id_, body, args, props), "read (refresh)")
        except GoneError:
            return ReadResult("", {})
        except ApiError as exc:
            raise self._named("read (refresh)", args, exc) from None
        inputs = self.inputs_of(self.parse({**self.inputs_of(args), **live_inputs}))
        return ReadResult(id_, {**inputs, **outs}, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old = self.parse(olds)
        new = self.parse(news)
        try:
            outs = self._outputs(self.change(id_, old, new, olds), "update")
        except ApiError as exc:
            raise self._named("update", new, exc) from None
        return UpdateResult({**self.inputs_of(new), **outs})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.parse(props)
        try:
            self.remove(id_, args, props)
        except GoneError:
            return
        except ApiError as exc:
            raise self._named("delete", args, exc) from None


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "<inputs>"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{_loc(err['loc'])}: {err['msg']}"
