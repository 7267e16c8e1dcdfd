"""JSON Patch (RFC 6902) through the `jsonpatch` library, its errors in the caller's error shape.

RFC 6901 array indexes are ASCII digits without leading zeros: `"01"`, an Arabic-Indic one (U+0661)
or `"\u00b2"` (superscript two) are refused (jsonpointer raises), so a service answers 400, never
applies them, never crashes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonpatch
import jsonpointer

from emulator.core.errors import ApiError

PATCH_ERRORS = (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException)


def apply(doc: Any, operations: Any, error: Callable[[str], ApiError]) -> Any:
    """`doc` patched (a copy), or `error(reason)` raised when the patch is malformed or does not apply."""
    if not isinstance(operations, list):
        raise error("a JSON Patch body must be an array of operations")
    try:
        return jsonpatch.JsonPatch(operations).apply(doc)
    except PATCH_ERRORS as exc:
        raise error(str(exc) or type(exc).__name__) from exc
