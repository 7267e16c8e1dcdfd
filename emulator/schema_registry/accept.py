"""The Accept header rules of the Schema Registry (media type and version)."""

from __future__ import annotations

from emulator.core import errors

_LIST_ACCEPT = ("application/vnd.adobe.xed-id+json", "application/vnd.adobe.xed+json")
_ITEM_ACCEPT = (
    "application/vnd.adobe.xed+json",
    "application/vnd.adobe.xed-full+json",
    "application/vnd.adobe.xed-notext+json",
    "application/vnd.adobe.xed-full-notext+json",
)


def parse_accept(accept: str | None, single: bool) -> tuple[str, bool]:
    """Return (media type, full?) or raise the XDM-100x-400 errors real AEP gives."""
    if not accept or accept.strip() in ("*/*", ""):
        raise errors.xdm("1006-400", "Accept header is missing or is not a valid XDM media type.")
    media, _, params = accept.partition(";")
    media = media.strip().lower()
    allowed = _ITEM_ACCEPT if single else _LIST_ACCEPT + _ITEM_ACCEPT
    if media not in allowed:
        raise errors.xdm("1007-400", f"Unsupported Accept header media type '{media}'.")
    version = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "version":
            version = value.strip()
    if single and not version:
        raise errors.xdm(
            "1008-400",
            "Accept header must include a version, e.g. 'application/vnd.adobe.xed+json; version=1'.",
        )
    if version and version.split(".")[0] != "1":
        raise errors.xdm("1009-400", f"Unsupported version '{version}' in Accept header.")
    return media, "full" in media
