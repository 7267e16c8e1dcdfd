"""Identity Service backend: the standard identity namespaces and each sandbox's custom ones.

Rules (identity-service.yaml `createNamespace`, `getIdNamespaces`; aep-profile-diagnostics.md §1):
`code` unique, letters and digits only; `idType` one of the documented values; success is 200 (not
201); a bad body is 400 `namespacevalidation` with `report.code: INVALID_REQUEST_PARAMS`. There is
no DELETE. `code` and `idType` are immutable (not modelled: no PUT here). A request's `idType` is
spelled as the request enum (`Cross_device`), and so is a create's or a GET's answer; the list's
answer spells it as its own enum (`CROSS_DEVICE`).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.core import errors
from emulator.core.backend import Backend, Env
from emulator.core.context import Ctx

NAMESPACE = "idnamespace"
ID_TYPES = ("Cookie", "Cross_device", "Device", "Email", "Mobile", "Non_people", "Phone")
# The list answer spells three of them in capitals (identity-service.yaml `listNamespaces` enum).
ANSWER_ID_TYPE = {"Cookie": "COOKIE", "Cross_device": "CROSS_DEVICE", "Mobile": "MOBILE"}
# A subset of Adobe's standard namespaces (ids as Adobe publishes them), visible in every sandbox.
STANDARD = (
    (4, "ECID", "ECID", "Cookie"),
    (6, "Email", "Email", "Email"),
    (7, "Phone", "Phone", "Phone"),
    (10, "AAID", "Adobe Analytics (Legacy ID)", "Cookie"),
    (11, "Email_LC_SHA256", "Emails (SHA256, lowercased)", "Email"),
)
_CODE = re.compile(r"^[A-Za-z0-9]+$")
Obj = dict[str, Any]


def _invalid(message: str) -> errors.ApiError:
    return errors.identity(400, "INVALID_REQUEST_PARAMS", message)


class IdentityNamespaces(Backend):
    """Answers `NamespaceLookup` (the Schema Registry checks a descriptor's `xdm:namespace`)."""

    def __init__(self, env: Env) -> None:
        super().__init__(env)

    def _standard(self) -> list[Obj]:
        return [
            {
                "id": id_,
                "code": code,
                "name": name,
                "idType": id_type,
                "status": "ACTIVE",
                "custom": False,
                "description": name,
            }
            for id_, code, name, id_type in STANDARD
        ]

    def all(self, sandbox: str) -> list[Obj]:
        return self._standard() + self.store.list_kind(sandbox, NAMESPACE)

    def list_items(self, sandbox: str) -> list[Obj]:
        return [{**n, "idType": ANSWER_ID_TYPE.get(n["idType"], n["idType"])} for n in self.all(sandbox)]

    def find_namespace(self, sandbox: str, ref: str | int) -> Obj | None:
        """A namespace by code (case-insensitive, as AEP treats codes) or numeric id."""
        for ns in self.all(sandbox):
            if str(ns["id"]) == str(ref) or str(ns["code"]).lower() == str(ref).lower():
                return ns
        return None

    def create(self, ctx: Ctx, body: Obj) -> Obj:
        for key in ("name", "code", "idType"):
            if not isinstance(body.get(key), str) or not body[key].strip():
                raise _invalid(f"'{key}' is required and must be a non-empty string.")
        if not _CODE.match(body["code"]):
            raise _invalid("'code' may hold letters and digits only.")
        if body["idType"] not in ID_TYPES:
            raise _invalid(f"'idType' must be one of {', '.join(ID_TYPES)}.")
        if self.find_namespace(ctx.sandbox, body["code"]) is not None:
            raise errors.identity(
                400, "INVALID_REQUEST_PARAMS", f"A namespace with code '{body['code']}' already exists."
            )
        ns_id = self.ids.integer(100000, 9999999)
        obj = {
            "id": ns_id,
            "code": body["code"],
            "name": body["name"],
            "idType": body["idType"],
            "description": body.get("description", ""),
            "status": "ACTIVE",
            "custom": True,
            "createTime": ctx.now_ms,
            "updateTime": ctx.now_ms,
        }
        self.store.put(ctx.sandbox, NAMESPACE, str(ns_id), obj)
        return obj

    def get(self, ctx: Ctx, ref: str) -> Obj:
        found = self.find_namespace(ctx.sandbox, ref)
        if found is None:
            raise errors.identity(404, "NOT_FOUND", f"Namespace '{ref}' was not found.")
        return found
