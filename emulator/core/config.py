"""Start-up options and run-time knobs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENT_ID = "emulator-client-id"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
DEFAULT_ORG_ID = "EMULATORORG0000000000000@AdobeOrg"
DEFAULT_TENANT_ID = "emulatortenant"
DEFAULT_SANDBOXES = ("prod", "dev", "stage")
DEFAULT_CIO_APP_API_KEY = "emulator-cio-app-key"
# A second Customer.io workspace, with its own App API key and its own webhooks.
DEFAULT_CIO_SECOND_APP_API_KEY = "emulator-cio-app-key-2"
DEFAULT_STATE_PATH = ".state/emulator.sqlite3"


@dataclass
class Knobs:
    """Behaviour switches; every default is the choice hardest on the client unless noted."""

    latency_ms: int = 0
    inlet_url_delay_s: float = 2.0
    list_lag_s: float = 1.0
    token_lifetime_s: int = 86399
    rate_limit_per_s: float = 0.0  # 0 = unlimited
    rate_limit_retry_after_s: int = 1
    flow_delete_cascades: bool = False
    mapping_set_delete: str = "405"  # "405" (not supported, like the spec) or "enabled"
    accept_unquoted_etag: bool = False
    # No x-sandbox-name: Adobe documents that the request lands in the default (prod) sandbox.
    require_sandbox_header: bool = False
    catalog_delete_unknown: str = "empty"  # "empty" (200 []) or "404"
    schema_delete_in_use: bool = False  # False = schema/field group used elsewhere cannot be deleted
    # True: once a dataset of schema S holds ingested data, a PUT/PATCH of S or of a field group S uses
    # that removes a field, changes a field's type or drops a field group from S is XDM-1527-400.
    xdm_additive_only_after_ingest: bool = True
    cio_partial_put: bool = False
    ingest_delay_s: float = 0.0
    enable_when_enabled_fails: bool = True  # op=ENABLE on an enabled flow -> 1422-400
    # The spec's `op` enum is upper case (ENABLE/DISABLE); Adobe's destination guide shows `op=enable`.
    accept_lowercase_action_op: bool = False
    legacy_source_types: bool = True  # GET mapping sets answer sourceType "text/x.schema-path"
    # > 0: a flow is `enabling`/`disabling` (after an action) or `updating` (after a PATCH) for this
    # many seconds before it is stable again; meanwhile PATCH/DELETE/actions answer 1416/1420/1421/
    # 1422-400. 0 (not the hardest choice, so that plain tests need no waiting) = immediate.
    flow_transition_s: float = 0.0
    # A union (Profile) schema cannot be deleted (Adobe's Profile tutorials; refused XDM-1090-400),
    # nor its primary identity descriptor (UNCONFIRMED: the hostile side). True allows both.
    union_schema_deletable: bool = False
    union_descriptor_deletable: bool = False
    # A streaming flow's runs are hourly windows (monitor-streaming.md); shorter in tests.
    run_window_s: float = 3600.0

    def update(self, values: dict[str, Any]) -> list[str]:
        """Apply known keys (with type coercion); return the unknown ones."""
        unknown: list[str] = []
        types = {f.name: f.type for f in dataclasses.fields(self)}
        for key, value in values.items():
            if key not in types:
                unknown.append(key)
                continue
            current = getattr(self, key)
            setattr(self, key, _coerce(current, value, key))
        return unknown

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def restore(self, start: Knobs) -> None:
        """Go back to the start-up values in place: every backend holds this very object."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(start, f.name))


def _coerce(current: Any, value: Any, key: str) -> Any:
    if isinstance(current, bool):
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)
    if isinstance(current, int):
        return int(value)
    if isinstance(current, float):
        return float(value)
    if key == "mapping_set_delete" and str(value) not in ("405", "enabled"):
        raise ValueError("mapping_set_delete must be '405' or 'enabled'")
    if key == "catalog_delete_unknown" and str(value) not in ("empty", "404"):
        raise ValueError("catalog_delete_unknown must be 'empty' or '404'")
    return str(value)


@dataclass
class Options:
    """Fixed for the life of a process; `reset` restores `knobs` to these start-up values."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    org_id: str = DEFAULT_ORG_ID
    tenant_id: str = DEFAULT_TENANT_ID
    sandboxes: tuple[str, ...] = DEFAULT_SANDBOXES
    cio_app_api_key: str = DEFAULT_CIO_APP_API_KEY
    cio_extra_app_api_keys: tuple[str, ...] = (DEFAULT_CIO_SECOND_APP_API_KEY,)
    state_path: str | None = DEFAULT_STATE_PATH  # None = in memory
    seed: int | None = None
    knobs: Knobs = field(default_factory=Knobs)
