"""Primary identity descriptor of a schema (``POST /tenant/descriptors``, ``xdm:descriptorIdentity``).

Inputs: ``sandbox`` and ``schema_id`` replace; ``source_property`` (``/_{tenant}/cio_id``),
``namespace`` (a namespace code, ``xdm:property: xdm:code``) and ``primary`` update by PUT (full body).
The natural key is (sandbox, schema, ``source_property``). Outputs: ``descriptor_id`` (``@id``, also
the resource id).

Delete: on a union (Profile) schema AEP may refuse to delete the primary identity (UNCONFIRMED); a
refusal keeps the descriptor, with a notice, instead of failing the destroy half-way.
Sources: schema-registry.yaml descriptors, descriptors.md; aep-profile-diagnostics.md §2a, §7.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from aep_customerio.providers.aep_client import SCHEMA_REGISTRY
from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import REPLACES, AepInputs, Outputs, resource_class
from aep_customerio.providers.errors import ApiError
from aep_customerio.providers.transport import json_body

DESCRIPTORS = f"{SCHEMA_REGISTRY}/tenant/descriptors"
LIST_ACCEPT = "application/vnd.adobe.xdm+json"
IDENTITY = "xdm:descriptorIdentity"


class IdentityDescriptorInputs(AepInputs):
    schema_id: Annotated[str, REPLACES, Field(min_length=1)]
    source_property: str = Field(pattern=r"^/[^/].*[^/]$")
    namespace: str = Field(min_length=1)
    primary: bool = True

    def display_name(self) -> str:
        return f"{self.source_property} ({self.namespace})"


class IdentityDescriptorOutputs(Outputs):
    descriptor_id: str


class IdentityDescriptorProvider(BaseProvider[IdentityDescriptorInputs]):
    kind = "Identity descriptor"
    token = ("aep", "IdentityDescriptor")
    inputs = IdentityDescriptorInputs
    outputs = IdentityDescriptorOutputs
    natural_key = ("sandbox", "schema_id", "source_property")

    def body(self, args: IdentityDescriptorInputs) -> Body:
        return {
            "@type": IDENTITY,
            "xdm:sourceSchema": args.schema_id,
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": args.source_property,
            "xdm:namespace": args.namespace,
            "xdm:property": "xdm:code",
            "xdm:isPrimary": args.primary,
        }

    def id_of(self, body: Body) -> str | None:
        value = body.get("@id")
        return value if isinstance(value, str) and value else None

    def post(self, args: IdentityDescriptorInputs) -> Body:
        resp = self.aep().call(
            "POST", DESCRIPTORS, sandbox=args.sandbox, operation="create", json=self.body(args)
        )
        return dict(json_body(resp, "create"))

    def find(self, args: IdentityDescriptorInputs) -> Body | None:
        resp = self.aep().call(
            "GET",
            DESCRIPTORS,
            sandbox=args.sandbox,
            operation="create: lookup by schema and field",
            params={"property": f"xdm:sourceSchema=={args.schema_id}"},
            headers={"Accept": LIST_ACCEPT},
        )
        for found in json_body(resp, "create: lookup").get(IDENTITY) or []:
            if (
                isinstance(found, dict)
                and found.get("xdm:sourceSchema") == args.schema_id
                and found.get("xdm:sourceProperty") == args.source_property
            ):
                return found
        return None

    def fetch(self, id_: str, args: IdentityDescriptorInputs, props: dict[str, Any]) -> Body:
        body: Body = self.aep().get_existing(f"{DESCRIPTORS}/{id_}", sandbox=args.sandbox, operation="read")
        return body

    def live(self, body: Body, args: IdentityDescriptorInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "source_property": body.get("xdm:sourceProperty", args.source_property),
            "namespace": body.get("xdm:namespace", args.namespace),
            "primary": bool(body.get("xdm:isPrimary", args.primary)),
        }

    def outs(
        self, id_: str, body: Body, args: IdentityDescriptorInputs, props: dict[str, Any]
    ) -> dict[str, Any]:
        return {"descriptor_id": str(body.get("@id", id_))}

    def change(
        self, id_: str, old: IdentityDescriptorInputs, new: IdentityDescriptorInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        self.aep().call(
            "PUT", f"{DESCRIPTORS}/{id_}", sandbox=old.sandbox, operation="update", json=self.body(new)
        )
        return {"descriptor_id": id_}

    def remove(self, id_: str, args: IdentityDescriptorInputs, props: dict[str, Any]) -> None:
        try:
            self.aep().call(
                "DELETE", f"{DESCRIPTORS}/{id_}", sandbox=args.sandbox, operation="delete", accept=(404,)
            )
        except ApiError as exc:
            if exc.status not in (400, 403, 409):
                raise
            notice(
                f"Identity descriptor {args.display_name()} of {args.schema_id} (sandbox {args.sandbox}) was "
                f"NOT deleted: {exc.detail or exc.title} (a Profile schema keeps its primary "
                "identity). It is no longer managed by this stack."
            )


IdentityDescriptor = resource_class(IdentityDescriptorProvider)
IdentityDescriptorArgs = IdentityDescriptor.Args
