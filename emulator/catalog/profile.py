"""Profile and Identity tags of a dataset (`tags.unifiedProfile`, `tags.unifiedIdentity`).

Rules (enable-for-profile.md; aep-profile-diagnostics.md §3): a tag value is an array of strings such
as `enabled:true`; enabling either needs the dataset's schema to carry the `union` immutable tag,
else 400 "To enable profile datasets the schema should be valid" (the text of Adobe's XDM
troubleshooting guide, older revision; its code is not documented, `err-profileSchema` here).
Turning the tags off again is not documented either way: allowed here.
"""

from __future__ import annotations

from typing import Any

from emulator.core import errors

TAGS = ("unifiedProfile", "unifiedIdentity")
Obj = dict[str, Any]


def enabled(dataset: Obj, tag: str = "unifiedProfile") -> bool:
    return "enabled:true" in ((dataset.get("tags") or {}).get(tag) or [])


def check_tags(body: Obj, schema: Obj) -> None:
    tags = body.get("tags") or {}
    for tag in TAGS:
        value = tags.get(tag)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise errors.catalog(400, f"'tags.{tag}' must be an array of strings.", "err-badTags")
        if "enabled:true" in value and "union" not in (schema.get("meta:immutableTags") or []):
            raise errors.catalog(
                400,
                "To enable profile datasets the schema should be valid: the schema "
                f"'{schema.get('$id', '?')}' is not enabled for Profile (no 'union' tag).",
                "err-profileSchema",
            )
