"""Body rules of field groups and schemas: title, tenant namespace, field names, `allOf` references."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from emulator.core import errors, xdm

Obj = dict[str, Any]


def check_title(body: Obj, own_id: str | None, others: Iterable[Obj]) -> None:
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise errors.xdm("1000-400", "'title' is required and must be a non-empty string.")
    for other in others:
        if other.get("title") == title and other.get("$id") != own_id:
            raise errors.xdm(
                "1521-400",
                f"Title '{title}' is not unique: it is already used by {other['$id']}.",
                "Title not unique",
            )


def check_fieldgroup(body: Obj, tenant_id: str) -> None:
    extends = body.get("meta:intendedToExtend")
    if not isinstance(extends, list) or not extends or not all(isinstance(x, str) for x in extends):
        raise errors.xdm("1000-400", "'meta:intendedToExtend' must list at least one class $id.")
    definitions = body.get("definitions", {})
    if not isinstance(definitions, dict) or not all(isinstance(d, dict) for d in definitions.values()):
        raise errors.xdm("1000-400", "'definitions' must be an object of definitions.")
    namespace = f"_{tenant_id}"
    for name in xdm.top_level_names(body):
        if name != namespace:
            raise errors.xdm(
                "1020-400",
                f"Namespace validation error: custom field '{name}' must be nested under '{namespace}'.",
                "Namespace validation error",
            )
    tenant_obj = xdm.fieldgroup_properties(body).get(namespace, {})
    _check_field_names(tenant_obj.get("properties", {}), namespace)
    all_of = body.get("allOf", [])
    if not isinstance(all_of, list):
        raise errors.xdm("1000-400", "'allOf' must be an array.")
    for ref in _refs(all_of):
        if ref.startswith("#/definitions/") and ref[len("#/definitions/") :] not in definitions:
            raise errors.xdm("1000-400", f"'allOf' references unknown definition '{ref}'.")


def _refs(all_of: list[Any]) -> Iterator[str]:
    """The `$ref` of each entry, in order (lazily: an entry is checked when it is reached)."""
    for entry in all_of:
        ref = entry.get("$ref") if isinstance(entry, dict) else None
        if not isinstance(ref, str):
            raise errors.xdm("1000-400", "each 'allOf' entry needs a '$ref' string.")
        yield ref


def _check_field_names(properties: Any, prefix: str) -> None:
    if not isinstance(properties, dict):
        raise errors.xdm("1000-400", f"'{prefix}.properties' must be an object.")
    for name, spec in properties.items():
        if name.startswith("_"):
            raise errors.xdm(
                "1022-400",
                f"Field '{prefix}.{name}' may not start with an underscore.",
                "Namespace validation error",
            )
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise errors.xdm("1000-400", f"Field '{prefix}.{name}' needs a 'type'.")
        if spec["type"] == "object":
            _check_field_names(spec.get("properties", {}), f"{prefix}.{name}")


def schema_refs(body: Obj, find_group: Callable[[str], Obj | None]) -> tuple[str, list[str]]:
    """(class $id, field group $ids) of a schema body; every field group must extend the class."""
    all_of = body.get("allOf")
    if not isinstance(all_of, list) or not all_of:
        raise errors.xdm(
            "1000-400", "'allOf' must reference exactly one class and zero or more field groups."
        )
    classes: list[str] = []
    groups: list[Obj] = []
    for ref in _refs(all_of):
        if ref in xdm.CLASSES:
            classes.append(ref)
            continue
        group = find_group(ref)
        if group is None:
            raise errors.xdm(
                "1010-404", f"Referenced resource '{ref}' could not be found.", "Resource not found"
            )
        groups.append(group)
    if len(classes) != 1:
        raise errors.xdm("1000-400", "A schema must reference exactly one class in 'allOf'.")
    for group in groups:
        if classes[0] not in group.get("meta:intendedToExtend", []):
            raise errors.xdm(
                "1000-400", f"Field group '{group['$id']}' is not compatible with class '{classes[0]}'."
            )
    return classes[0], [str(g["$id"]) for g in groups]


# What a class brings into a schema's `meta:extends` besides itself: its behaviour and the common
# mixins, in the order of Adobe's published examples (schema-registry.yaml: the ExperienceEvent example
# lists data/time-series and common/extensible; the Profile example common/auditable and data/record).
CLASS_ANCESTORS = {
    "https://ns.adobe.com/xdm/context/experienceevent": (
        "https://ns.adobe.com/xdm/data/time-series",
        "https://ns.adobe.com/xdm/common/extensible",
    ),
    "https://ns.adobe.com/xdm/context/profile": (
        "https://ns.adobe.com/xdm/common/auditable",
        "https://ns.adobe.com/xdm/data/record",
        "https://ns.adobe.com/xdm/common/extensible",
    ),
}


def computed_meta(cls: str, groups: list[str]) -> Obj:
    """The read-only keys AEP computes for a schema from its class and field groups."""
    return {
        "meta:class": cls,
        "meta:extends": [cls, *CLASS_ANCESTORS.get(cls, ()), *groups],
        "meta:xdmType": "object",
        "meta:abstract": False,
        "meta:extensible": False,
    }
