"""The `union` immutable tag of a schema (Profile enablement).

Rules (schemas.md §union, XDM troubleshooting guide; aep-profile-diagnostics.md §2b, §7):
`meta:immutableTags` may hold `union` only; adding it needs a primary identity descriptor on the
schema, else XDM-1528-400 "Union descriptor validation error" (the guide's condition is "identityMap
field group or primary identity descriptor"; the ExperienceEvent class's own identityMap is not
counted here, the hostile reading); once set it cannot be removed (schemas.md: immutable tags);
a union schema cannot be deleted (Adobe's Profile tutorials), unless `union_schema_deletable`.
"""

from __future__ import annotations

from typing import Any

from emulator.core import errors

Obj = dict[str, Any]
UNION_TITLE = "Union descriptor validation error"


def tags(schema: Obj) -> list[Any]:
    value = schema.get("meta:immutableTags")
    return value if isinstance(value, list) else []


def check(current: Obj, new: Obj, has_primary: bool) -> None:
    raw = new.get("meta:immutableTags", [])
    if not isinstance(raw, list) or any(t != "union" for t in raw):
        raise errors.xdm("1000-400", "'meta:immutableTags' may only hold 'union'.")
    if "union" in tags(current) and "union" not in raw:
        raise errors.xdm(
            "1000-400",
            f"The immutable tag 'union' of '{current.get('$id')}' cannot be removed: the schema is "
            "enabled for Profile for good.",
        )
    if "union" in raw and "union" not in tags(current) and not has_primary:
        raise errors.xdm(
            "1528-400",
            f"Schema '{current.get('$id', 'new schema')}' cannot be enabled for Profile: it has neither "
            "an identityMap field group nor a primary identity descriptor. Create the primary identity "
            "descriptor first.",
            UNION_TITLE,
        )


def refuse_delete(schema: Obj) -> errors.ApiError:
    return errors.xdm(
        "1090-400",
        f"'{schema['$id']}' is enabled for Profile (union) and cannot be deleted.",
    )
