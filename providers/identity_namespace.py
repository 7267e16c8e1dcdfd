"""Identity Service namespace (``/data/core/idnamespace/identities``) for a source's primary identity.

Inputs: ``sandbox`` and ``code`` (letters and digits; the natural key) and ``id_type`` replace;
``name`` and ``description`` are set at creation only (``code`` and ``idType`` are immutable in AEP,
the rest is not worth a PUT). A standard namespace (``Email``, ``ECID``...) or one that exists already
is adopted, also when a create is refused because it exists (another source of the stack made it
meanwhile). Outputs: ``namespace_id`` (AEP's numeric id as a string, also the resource id).

Delete: Identity Service has no DELETE (identity-service.yaml): the namespace is kept, with a notice.
Sources: identity-service.yaml ``createNamespace`` (200), ``getIdNamespaces``; aep-profile-diagnostics.md §1.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import REPLACES, AepInputs, Outputs, resource_class
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.transport import json_body

IDNAMESPACE = "/data/core/idnamespace/identities"
IdType = Literal["Cookie", "Cross_device", "Device", "Email", "Mobile", "Non_people", "Phone"]


class IdentityNamespaceInputs(AepInputs):
    code: Annotated[str, REPLACES, Field(pattern=r"^[A-Za-z0-9]+$", max_length=40)]
    id_type: Annotated[IdType, REPLACES] = "Cross_device"
    name: str = Field(default="", max_length=200)
    description: str = ""


class IdentityNamespaceOutputs(Outputs):
    namespace_id: str


class IdentityNamespaceProvider(BaseProvider[IdentityNamespaceInputs]):
    kind = "Identity namespace"
    token = ("aep", "IdentityNamespace")
    inputs = IdentityNamespaceInputs
    outputs = IdentityNamespaceOutputs
    natural_key = ("sandbox", "code")

    def post(self, args: IdentityNamespaceInputs) -> Body:
        body = {"name": args.name or args.code, "code": args.code, "idType": args.id_type}
        if args.description:
            body["description"] = args.description
        try:
            resp = self.aep().call("POST", IDNAMESPACE, sandbox=args.sandbox, operation="create", json=body)
        except ApiError as exc:
            # Two sources of one stack share the namespace: the other one's create won the race.
            found = self.find(args) if exc.status in (400, 409) and "exist" in str(exc.detail) else None
            if found is None:
                raise
            return found
        return dict(json_body(resp, "create"))

    def find(self, args: IdentityNamespaceInputs) -> Body | None:
        resp = self.aep().call("GET", IDNAMESPACE, sandbox=args.sandbox, operation="create: lookup by code")
        found = json_body(resp, "create: lookup by code", list)
        for ns in found:
            if isinstance(ns, dict) and str(ns.get("code", "")).lower() == args.code.lower():
                return ns
        return None

    def fetch(self, id_: str, args: IdentityNamespaceInputs, props: dict[str, Any]) -> Body:
        body: Body = self.aep().get_existing(f"{IDNAMESPACE}/{id_}", sandbox=args.sandbox, operation="read")
        return body

    def live(self, body: Body, args: IdentityNamespaceInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {"code": body.get("code", args.code)}

    def outs(
        self, id_: str, body: Body, args: IdentityNamespaceInputs, props: dict[str, Any]
    ) -> dict[str, Any]:
        return {"namespace_id": str(body.get("id", id_))}

    def change(
        self, id_: str, old: IdentityNamespaceInputs, new: IdentityNamespaceInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        return self.outs(id_, {"id": id_, "code": new.code}, new, olds)  # name/description: creation only

    def remove(self, id_: str, args: IdentityNamespaceInputs, props: dict[str, Any]) -> None:
        notice(
            f"Identity namespace '{args.code}' (sandbox {args.sandbox}) was NOT deleted: Identity Service "
            "offers no delete. It is no longer managed by this stack."
        )


IdentityNamespace = resource_class(IdentityNamespaceProvider)
IdentityNamespaceArgs = IdentityNamespace.Args
