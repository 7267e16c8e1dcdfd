"""XDM schema: one class plus the given field groups.

Inputs: ``sandbox`` and ``class_id`` (default ExperienceEvent) replace; ``title`` (unique),
``description`` and ``field_group_ids`` update by PUT.
Outputs: ``schema_id`` (the ``$id``, also the resource id), ``alt_id``, ``version``, ``tenant_id``.

Profile: the ``union`` tag (``meta:immutableTags``) is the ``UnionTag`` resource's; AEP refuses a PUT
that would drop it, so an update reads the schema's immutable tags first and carries them. A union
schema AEP refuses to delete is kept, with a notice (``XdmProvider.remove``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from aep_customerio.providers.base import Body
from aep_customerio.providers.declaration import REPLACES, Outputs, resource_class
from aep_customerio.providers.xdm import EXPERIENCE_EVENT, XdmInputs, XdmProvider


class SchemaInputs(XdmInputs):
    class_id: Annotated[str, REPLACES] = EXPERIENCE_EVENT
    field_group_ids: list[str] = Field(default_factory=list)


class SchemaOutputs(Outputs):
    schema_id: str
    alt_id: str
    version: str
    tenant_id: str


class SchemaProvider(XdmProvider[SchemaInputs]):
    kind = "Schema"
    token = ("aep", "Schema")
    inputs = SchemaInputs
    outputs = SchemaOutputs
    container = "schemas"
    id_output = "schema_id"

    def body(self, args: SchemaInputs, tenant: str) -> Body:
        return {
            "title": args.title,
            "description": args.description,
            "type": "object",
            "allOf": [{"$ref": args.class_id}] + [{"$ref": fg} for fg in args.field_group_ids],
        }

    def update_body(self, id_: str, new: SchemaInputs, tenant: str, olds: dict[str, Any]) -> Body:
        body = self.body(new, tenant)
        tags = self.fetch(id_, new, olds).get("meta:immutableTags")
        if isinstance(tags, list) and tags:
            body["meta:immutableTags"] = [str(t) for t in tags]
        return body

    def live(self, body: Body, args: SchemaInputs, props: dict[str, Any]) -> dict[str, Any]:
        refs = [str(r["$ref"]) for r in body.get("allOf", []) if isinstance(r, dict) and "$ref" in r]
        class_id = str(body.get("meta:class") or (refs[0] if refs else args.class_id))
        return {
            "title": body.get("title", args.title),
            "description": body.get("description", ""),
            "class_id": class_id,
            "field_group_ids": [r for r in refs if r != class_id],
        }


Schema = resource_class(SchemaProvider)
SchemaArgs = Schema.Args
