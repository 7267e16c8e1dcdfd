"""The URL policy of every configured base URL: https://, or http:// only on a loopback host."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from aep_customerio.providers.errors import shown

_HOST = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$"
)


def _url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a base URL (https, or http on a loopback host), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return f"{shown(url)} is not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{shown(url)} is not an https:// URL"
    if parts.username is not None or parts.password is not None:
        return "credentials do not belong in the URL (set them in their own keys)"
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        return f"{shown(url)} is not a base URL (no spaces, ?query or #fragment)"
    host = parts.hostname
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is None and not _HOST.match(host):
        return f"{shown(url)} has no valid host name"
    if parts.scheme == "http" and host != "localhost" and not (ip and ip.is_loopback):
        return f"plain http:// is only allowed for loopback hosts (the emulator), got {shown(host)}: use https://"
    return None


def _base_url(url: str) -> str:
    problem = _url_problem(url)
    if problem:
        raise ValueError(problem)
    return url.rstrip("/")


def check_base_url(url: str, key: str) -> str:
    """Return ``url`` without a trailing slash; refuse anything but https://, or http:// on loopback."""
    try:
        return _base_url(url)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None


BaseUrl = Annotated[str, AfterValidator(_base_url)]
