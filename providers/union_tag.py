"""The ``union`` tag of a schema: the schema takes part in Real-Time Customer Profile.

Inputs: ``sandbox`` and ``schema_id`` replace; ``descriptor_id`` (the primary identity descriptor the
tag needs; it orders the tag after the descriptor) is recorded only. Create: ``PATCH`` the schema with
``[{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]`` unless it carries the tag
already (adopted). Outputs: ``tags`` (the schema's immutable tags); the resource id is the schema id.

AEP refuses the tag without a primary identity (XDM-1528-400) and never removes it (an immutable tag):
delete keeps it, with a notice, and the stack forbids turning Profile off (``Schema`` check).
Sources: schemas.md §union, XDM troubleshooting guide; aep-profile-diagnostics.md §2b, §7.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from pydantic import Field

from aep_customerio.providers.aep_client import SCHEMA_REGISTRY
from aep_customerio.providers.base import BaseProvider, Body, notice
from aep_customerio.providers.declaration import REPLACES, AepInputs, Outputs, resource_class
from aep_customerio.providers.transport import json_body
from aep_customerio.providers.xdm import XED_ONE

UNION = "union"


class UnionTagInputs(AepInputs):
    schema_id: Annotated[str, REPLACES, Field(min_length=1)]
    descriptor_id: str = ""

    def display_name(self) -> str:
        return self.schema_id


class UnionTagOutputs(Outputs):
    tags: list[str]


def tags_of(body: Body) -> list[str]:
    raw = body.get("meta:immutableTags")
    return [str(t) for t in raw] if isinstance(raw, list) else []


class UnionTagProvider(BaseProvider[UnionTagInputs]):
    kind = "Schema union tag"
    token = ("aep", "UnionTag")
    inputs = UnionTagInputs
    outputs = UnionTagOutputs
    natural_key = ("sandbox", "schema_id")
    delete_before_replace = False

    def id_of(self, body: Body) -> str | None:
        value = body.get("$id")
        return value if isinstance(value, str) and value else None

    def find(self, args: UnionTagInputs) -> Body | None:
        body = self.fetch(args.schema_id, args, {})
        return body if UNION in tags_of(body) else None

    def post(self, args: UnionTagInputs) -> Body:
        ops = [{"op": "add", "path": "/meta:immutableTags", "value": [UNION]}]
        resp = self.aep().call(
            "PATCH", _schema_path(args.schema_id), sandbox=args.sandbox, operation="create", json=ops
        )
        return dict(json_body(resp, "create"))

    def fetch(self, id_: str, args: UnionTagInputs, props: dict[str, Any]) -> Body:
        body: Body = self.aep().get_existing(
            _schema_path(id_), sandbox=args.sandbox, operation="read", headers={"Accept": XED_ONE}
        )
        return body

    def live(self, body: Body, args: UnionTagInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {}

    def outs(self, id_: str, body: Body, args: UnionTagInputs, props: dict[str, Any]) -> dict[str, Any]:
        return {"tags": tags_of(body) or [UNION]}

    def change(
        self, id_: str, old: UnionTagInputs, new: UnionTagInputs, olds: dict[str, Any]
    ) -> dict[str, Any]:
        return {"tags": list(olds.get("tags") or [UNION])}

    def remove(self, id_: str, args: UnionTagInputs, props: dict[str, Any]) -> None:
        notice(
            f"Schema {id_} (sandbox {args.sandbox}) keeps its 'union' tag: AEP never removes it. The schema "
            "stays enabled for Profile."
        )


def _schema_path(schema_id: str) -> str:
    return f"{SCHEMA_REGISTRY}/tenant/schemas/{quote(schema_id, safe='')}"


UnionTag = resource_class(UnionTagProvider)
UnionTagArgs = UnionTag.Args
