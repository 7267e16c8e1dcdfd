"""`AepConnection`: which stack config namespace holds the credentials of an AEP org.

In the manner of Pulumi's explicit providers, a component or resource given an `AepConnection` works
in that org: `AepConnection("aep-eu")` reads `aep-eu:clientId`, `aep-eu:clientSecret` (secret),
`aep-eu:orgId`, `aep-eu:scopes`, `aep-eu:platformUrl`, `aep-eu:imsUrl`, `aep-eu:lookupTimeoutSeconds`
(no environment fallback). Credentials stay in the stack config: a resource records only the
namespace's name (its `connection` input), and its provider reads the keys at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aep_customerio.providers.settings import DEFAULT_CONNECTION, Lookup, load_settings


@dataclass(frozen=True)
class AepConnection:
    namespace: str = DEFAULT_CONNECTION

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", self.namespace):
            raise ValueError(
                f"AepConnection: {self.namespace!r} is not a config namespace "
                "(a lower-case letter, then letters, digits or dashes)"
            )

    def check(self, get: Lookup) -> None:
        """Validate the namespace's keys (as preview does); ConfigurationError names each one."""
        settings = load_settings(get, self.namespace)
        settings.aep()
        settings.lookup_timeout()
