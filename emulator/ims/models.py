"""IMS backend: OAuth server-to-server client_credentials tokens (it answers the gateway's TokenLookup)."""

from __future__ import annotations

import time
from typing import Any

from emulator.core import errors
from emulator.core.backend import Backend

TOKEN = "token"


class Ims(Backend):
    def issue(self, params: dict[str, str]) -> dict[str, Any]:
        grant = params.get("grant_type")
        client_id = params.get("client_id")
        secret = params.get("client_secret")
        if not grant:
            raise errors.ims(400, "invalid_request", "missing grant_type parameter")
        if grant != "client_credentials":
            raise errors.ims(400, "unsupported_grant_type", f"grant_type '{grant}' is not supported")
        if not client_id:
            raise errors.ims(400, "invalid_request", "missing client_id parameter")
        if client_id != self.options.client_id:
            raise errors.ims(400, "invalid_client", "invalid client_id parameter")
        if not secret:
            raise errors.ims(400, "invalid_request", "missing client_secret parameter")
        if secret != self.options.client_secret:
            raise errors.ims(401, "invalid_client", "invalid client_secret parameter")
        scope = params.get("scope", "").strip()
        if not scope:  # mandatory for OAuth server-to-server credentials
            raise errors.ims(400, "invalid_scope", "missing scope parameter")
        lifetime = int(self.knobs.token_lifetime_s)
        token = "eyJhbGciOiJSUzI1NiIsIng1dSI6ImVtdWxhdG9yIn0." + self.ids.hex(48) + "." + self.ids.hex(32)
        self.store.put(
            "",
            TOKEN,
            token,
            {
                "__key": token,
                "client_id": client_id,
                "scope": scope,
                "expires_at": time.time() + lifetime,
            },
        )
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime}

    def lookup(self, token: str) -> dict[str, Any] | None:
        record = self.store.get("", TOKEN, token)
        if record is None or float(record["expires_at"]) <= time.time():
            return None
        return record

    def expire_all(self) -> int:
        tokens = self.store.list_kind("", TOKEN)
        for key, record in [(t, r) for t, r in self._keys(tokens)]:
            record["expires_at"] = 0
            self.store.put("", TOKEN, key, record)
        return len(tokens)

    def _keys(self, records: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
        return [(str(r["__key"]), r) for r in records if "__key" in r]
