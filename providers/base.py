"""The lifecycle every remote object shares, written once: check, diff, create, read, update, delete.

A resource module declares its models (see ``providers.declaration``) and implements a few hooks:
``post`` (the create request), ``find`` (look the object up by its natural key), ``fetch`` (GET;
``GoneError`` on 404), ``live`` (the inputs a fetched body reports), ``outs`` (its outputs),
``change`` (the update requests) and ``remove`` (the delete request). This base does the rest:

- Pickling: subclasses live in importable modules (pickled by reference) and the instance pickles
  without its settings and HTTP clients, which exist only after ``configure()`` (or first use), so
  no credential reaches ``__provider``.
- Check and diff make no API call (``providers.planning``).
- Create: POST once in effect; after an ambiguous or malformed answer, look the object up by its
  natural key (waiting out list lag) and adopt it instead of POSTing blindly again.
- Read: 404 means gone (empty id); every other failure raises; inputs are returned too.
- Errors: every ``ApiError`` is named after the object, the sandbox and the lifecycle operation.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider, UpdateResult
from pydantic import ValidationError

from aep_customerio.providers.clients import Clients
from aep_customerio.providers.declaration import Inputs, Outputs
from aep_customerio.providers.errors import ApiError, GoneError, RedactingFormatter, redact
from aep_customerio.providers.planning import Planning, loc_text
from aep_customerio.providers.transport import AmbiguousRequestError, MalformedResponseError
from aep_customerio.providers.waiting import poll

log = logging.getLogger("aep_customerio")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


I = TypeVar("I", bound=Inputs)  # noqa: E741 - the conventional name of an input type variable
Body = dict[str, Any]


def notice(message: str) -> None:
    """A message for the person running Pulumi (the provider's stderr reaches the CLI)."""
    print(redact(message), file=sys.stderr, flush=True)


class BaseProvider(Planning, Clients, ResourceProvider, Generic[I]):
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
    # Set by tests; otherwise aep:lookupTimeoutSeconds bounds the lookups after an ambiguous create.
    lookup_grace_seconds: ClassVar[float | None] = None

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

    # --- helpers ----------------------------------------------------------------------------

    def parse(self, props: dict[str, Any]) -> I:
        fields = self.inputs.model_fields
        return self.inputs.model_validate({k: v for k, v in props.items() if k in fields})  # type: ignore[return-value]

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

    def _label(self, args: I) -> str:
        return f"{self.kind} '{args.display_name()}'"

    def _key_text(self, args: I) -> str:
        shown = {k: "***" if k in self.secret_inputs else repr(getattr(args, k)) for k in self.natural_key}
        return ", ".join(f"{k} {v}" for k, v in shown.items())

    def create_once(self, args: I, attempts: int = 3) -> tuple[str, Body, bool]:
        """(id, body, adopted): the object with this natural key if one exists (an earlier run made
        it but was killed or cancelled before recording it), else POSTed exactly once in effect:
        after an ambiguous or malformed answer, look it up again (waiting out list lag) and adopt
        what the lookup finds instead of POSTing blindly again."""
        found = self._adoptable(self.find(args), args)
        if found is not None:
            notice(f"{self._label(args)}: adopted {found[0]}, which an earlier, interrupted run created")
            return (*found, True)
        last: ApiError | None = None
        for attempt in range(1, attempts + 1):
            if last is not None:
                found = self._lookup_after(last, args)
                if found is not None:
                    notice(f"{self._label(args)}: adopted the object that the interrupted request made")
                    return (*found, False)
            try:
                body = self.post(args)
            except AmbiguousRequestError as exc:
                last = exc.cause
            except MalformedResponseError as exc:
                last = exc
            else:
                id_ = self.id_of(body)
                if id_ is not None:
                    return id_, body, False
                last = MalformedResponseError(
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
        found = self._lookup_after(last, args)
        if found is not None:
            return (*found, False)
        detail = f"after {attempts} ambiguous answers, no object with {self._key_text(args)} was found yet"
        raise _unverified(last, f"{last.detail or ''} The object may or may not exist: {detail}.".strip())

    def owner_of(self, body: Body) -> str | None:
        """Who the object says it belongs to, where the API lets the project mark it (else None)."""
        return None

    def _adoptable(self, body: Body | None, args: I) -> tuple[str, Body] | None:
        if body is None:
            return None
        id_ = self.id_of(body)
        if id_ is None:
            return None
        owner, mine = self.owner_of(body), getattr(args, "owner", None)
        if owner and mine and owner != mine:
            raise ApiError(
                operation="create",
                title="Name taken by another stack",
                detail=f"{id_} has {self._key_text(args)} but belongs to {owner!r}, not to {mine!r}",
                hint="give the source another name, or remove the object from the other stack first",
            )
        return id_, body

    def _lookup_after(self, lost: ApiError, args: I) -> tuple[str, Body] | None:
        """The lookup after an ambiguous answer. If the lookup itself fails, say so: the object may
        exist (the request may have been carried out), which the lookup's own error would not tell."""
        try:
            return self._find_with_grace(args)
        except ApiError as exc:
            detail = (
                f"The create request's answer was lost ({lost.status or lost.title}), so the object may "
                f"or may not exist, and looking it up by {self._key_text(args)} failed too: "
                f"{exc.detail or exc.title}"
            )
            raise _unverified(exc, detail) from None

    def _find_with_grace(self, args: I) -> tuple[str, Body] | None:
        # List endpoints lag behind writes: keep looking for a while before concluding "not created".
        found = poll(
            lambda: self.find(args),
            lambda body: body is not None,
            timeout=self.lookup_grace_seconds or self._settings().lookup_timeout(),
            policy=self.policy(),
            first_delay=0.25,
            max_delay=2.0,
        )
        return self._adoptable(found, args)

    def _reconcile(self, id_: str, args: I) -> Body:
        """Bring an adopted object to the wanted inputs (the killed run may have used older ones)."""
        body = self.fetch(id_, args, {})
        live = self.parse({**self.inputs_of(args), **self.live(body, args, {})})
        have, want = self.inputs_of(live), self.inputs_of(args)  # canon_field compares JSON values
        if any(self.canon_field(k, have.get(k)) != self.canon_field(k, want.get(k)) for k in want | have):
            self.change(id_, live, args, {})
            body = self.fetch(id_, args, {})
        return body

    # --- the engine-facing lifecycle --------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.parse(props)
        try:
            id_, body, adopted = self.create_once(args)
            if adopted:
                body = self._reconcile(id_, args)
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


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{loc_text(err['loc'])}: {err['msg']}"


def _unverified(cause: ApiError, detail: str) -> ApiError:
    """A create whose outcome is unknown: the error says so, and that the next `up` adopts."""
    return ApiError(
        operation="create",
        status=cause.status,
        code=cause.code,
        title=cause.title,
        detail=detail,
        request_id=cause.request_id,
        hint="run `pulumi up` again once the service answers: it looks the object up by its natural key "
        "first and adopts it instead of creating a second one",
    )
