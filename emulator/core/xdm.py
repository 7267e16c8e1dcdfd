"""XDM classes, schema resolution into one property tree, and record validation."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
PROFILE = "https://ns.adobe.com/xdm/context/profile"

_STR = {"type": "string"}
CLASSES: dict[str, dict[str, Any]] = {
    EXPERIENCE_EVENT: {
        "title": "XDM ExperienceEvent",
        "meta:altId": "_xdm.context.experienceevent",
        "required": ["_id", "timestamp"],
        "properties": {
            "_id": {"type": "string", "title": "Identifier"},
            "timestamp": {"type": "string", "format": "date-time", "title": "Timestamp"},
            "eventType": dict(_STR),
            "producedBy": dict(_STR),
            "eventMergeId": dict(_STR),
            "identityMap": {"type": "object", "meta:xdmType": "map"},
        },
    },
    PROFILE: {
        "title": "XDM Individual Profile",
        "meta:altId": "_xdm.context.profile",
        "required": ["_id"],
        "properties": {
            "_id": {"type": "string"},
            "personID": dict(_STR),
            "identityMap": {"type": "object", "meta:xdmType": "map"},
        },
    },
}


def merge_properties(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for name, spec in extra.items():
        if not isinstance(spec, dict):
            continue
        existing = into.get(name)
        if (
            isinstance(existing, dict)
            and isinstance(existing.get("properties"), dict)
            and isinstance(spec.get("properties"), dict)
        ):
            merge_properties(existing["properties"], spec["properties"])
        else:
            into[name] = copy.deepcopy(spec)


def fieldgroup_properties(fieldgroup: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    definitions = fieldgroup.get("definitions")
    if isinstance(definitions, dict):
        for definition in definitions.values():
            if isinstance(definition, dict) and isinstance(definition.get("properties"), dict):
                merge_properties(props, definition["properties"])
    if isinstance(fieldgroup.get("properties"), dict):
        merge_properties(props, fieldgroup["properties"])
    return props


def top_level_names(fieldgroup: dict[str, Any]) -> list[str]:
    return list(fieldgroup_properties(fieldgroup).keys())


def _node(tree: dict[str, Any], path: str) -> dict[str, Any] | None:
    props = tree
    node: dict[str, Any] | None = None
    for part in path.split("."):
        if not isinstance(props, dict) or part not in props or not isinstance(props[part], dict):
            return None
        node = props[part]
        if node.get("meta:xdmType") == "map":
            return node
        props = node.get("properties", {})
    return node


def path_type(tree: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The property spec at a dotted path, or None if the schema has no such field."""
    if not path:
        return None
    return _node(tree, path)


def _shape(spec: dict[str, Any]) -> tuple[Any, Any, Any]:
    return spec.get("type"), spec.get("format"), spec.get("meta:xdmType")


def _type_text(spec: dict[str, Any]) -> str:
    kind, fmt, xdm_type = _shape(spec)
    return str(xdm_type or (f"{kind} ({fmt})" if fmt else kind))


def breaking_change(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> str | None:
    """The first destructive difference between two property trees (a removed or retyped field)."""
    for name, before in old.items():
        if not isinstance(before, dict):
            continue
        path = f"{prefix}.{name}" if prefix and name != "[]" else prefix + name
        after = new.get(name)
        if not isinstance(after, dict):
            return f"it removes field '{path}'"
        if _shape(before) != _shape(after):
            return f"it changes the type of field '{path}' from {_type_text(before)} to {_type_text(after)}"
        if isinstance(before.get("properties"), dict):
            found = breaking_change(before["properties"], after.get("properties") or {}, path)
            if found:
                return found
        if isinstance(before.get("items"), dict):
            items = after.get("items")
            found = breaking_change(
                {"[]": before["items"]}, {"[]": items} if isinstance(items, dict) else {}, path
            )
            if found:
                return found
    return None


def _is_datetime(value: str) -> bool:
    text = value.replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return parsed.tzinfo is not None and "T" in value


def _check(spec: dict[str, Any], value: Any, path: str, errors: list[str], now: float) -> None:
    kind = spec.get("type")
    if spec.get("meta:xdmType") == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map object")
        return
    if kind == "object":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object")
            return
        validate_object(spec.get("properties", {}), value, path, errors, now)
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {type(value).__name__}")
        elif spec.get("format") == "date-time":
            if not _is_datetime(value):
                errors.append(f"{path}: '{value}' is not an RFC 3339 date-time")
            elif dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() > now + 60:
                errors.append(f"{path}: '{value}' is in the future")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean")
    elif kind == "array":
        if not isinstance(value, list):
            errors.append(f"{path}: expected an array")
            return
        items = spec.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _check(items, item, f"{path}[{i}]", errors, now)


def validate_object(
    properties: dict[str, Any], record: dict[str, Any], prefix: str, errors: list[str], now: float
) -> None:
    for key, value in record.items():
        path = f"{prefix}.{key}" if prefix else key
        spec = properties.get(key)
        if not isinstance(spec, dict):
            errors.append(f"{path}: field is not defined in the schema")
            continue
        if value is None:
            continue
        _check(spec, value, path, errors, now)


def validate_record(resolved: dict[str, Any], record: dict[str, Any], now: float) -> list[str]:
    errors: list[str] = []
    for name in resolved.get("required", []):
        if record.get(name) in (None, ""):
            errors.append(f"{name}: required field is missing")
    validate_object(resolved.get("properties", {}), record, "", errors, now)
    return errors
