"""One page of a Flow Service list: `orderby` (`name`, `-name`), `limit` (max 100), opaque tokens."""

from __future__ import annotations

from typing import Any

from emulator.core import errors
from emulator.core.listing import decode_token, encode_token, order, page

ORDER_FIELDS = ("name", "id", "state", "createdAt", "updatedAt", "createdBy", "updatedBy")
Obj = dict[str, Any]


def _bad_order(field: str) -> errors.ApiError:
    return errors.flow(
        "1433-400", f"Incorrect field={field} passed in orderBy, example are +name, -name, name."
    )


def one_page(
    items: list[Obj], collection: str, limit: int | None, token: str | None, orderby: str | None
) -> Obj:
    """The `continuationToken` is opaque: only a token this server generated is accepted (1453-400)."""
    start = decode_token(token) if token is not None else 0
    if start is None:
        raise errors.flow(
            "1453-400", f"Invalid query value continuationToken={token} provided in query param."
        )
    items, nxt = page(order(items, orderby, ORDER_FIELDS, _bad_order), start, max(1, min(limit or 100, 100)))
    out: Obj = {"items": items}
    if nxt is not None:
        out["_links"] = {"next": {"href": f"/{collection}?continuationToken={encode_token(nxt)}"}}
    return out
