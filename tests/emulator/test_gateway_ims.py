"""IMS tokens, gateway header checks and sandbox isolation."""

from __future__ import annotations

import time

import pytest
import requests

from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import CAT, FS, Api, build_chain, ok


def _token(emulator: EmulatorAdmin, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": emulator.client_id,
        "client_secret": emulator.client_secret,
        "scope": "openid,AdobeID",
        **overrides,
    }
    return requests.post(f"{emulator.base_url}/ims/token/v3", data=form, timeout=10)


def test_token_shape(emulator: EmulatorAdmin) -> None:
    body = ok(_token(emulator))
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 86399


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "wrong"}, 400, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"scope": ""}, 400, "invalid_scope"),  # mandatory for OAuth server-to-server
    ],
)
def test_token_errors(emulator: EmulatorAdmin, overrides: dict[str, str], status: int, error: str) -> None:
    response = _token(emulator, **overrides)
    assert response.status_code == status
    assert response.json()["error"] == error and "error_description" in response.json()


def test_short_token_lifetime_expires(emulator: EmulatorAdmin) -> None:
    emulator.set_knobs(token_lifetime_s=1)
    body = ok(_token(emulator))
    assert body["expires_in"] == 1
    api = Api(emulator)
    api.headers["Authorization"] = f"Bearer {body['access_token']}"
    assert api.get(f"{FS}/flows").status_code == 200
    time.sleep(1.1)
    expired = api.get(f"{FS}/flows")
    assert expired.status_code == 401
    assert expired.json() == {"error_code": "401013", "message": "Oauth token is not valid"}


def test_forced_expiry(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    assert emulator.expire_tokens() >= 1
    assert api.get(f"{FS}/flows").status_code == 401


@pytest.mark.parametrize(
    ("header", "value", "status", "body"),
    [
        ("Authorization", None, 403, {"error_code": "403010", "message": "Oauth token is missing."}),
        (
            "Authorization",
            "Bearer nope",
            401,
            {"error_code": "401013", "message": "Oauth token is not valid"},
        ),
        ("x-api-key", None, 403, {"error_code": "403000", "message": "Api Key is required"}),
        ("x-api-key", "other", 403, {"error_code": "403003", "message": "Api Key is invalid"}),
        ("x-gw-ims-org-id", None, 400, {"error_code": "400003", "message": "Missing header"}),
        ("x-gw-ims-org-id", "X@AdobeOrg", 403, {"error_code": "403025", "message": "Profile is not valid"}),
    ],
)
def test_gateway_errors(
    emulator: EmulatorAdmin, header: str, value: str | None, status: int, body: dict[str, str]
) -> None:
    api = Api(emulator)
    headers = dict(api.headers)
    headers.pop(header)
    if value is not None:
        headers[header] = value
    for path in (f"{FS}/flows", f"{CAT}/dataSets", "/data/foundation/schemaregistry/stats"):
        response = requests.get(emulator.base_url + path, headers=headers, timeout=10)
        assert response.status_code == status
        assert response.json() == body
        assert response.headers["x-request-id"]


def test_sandbox_header_missing_and_unknown(emulator: EmulatorAdmin) -> None:
    api = Api(emulator)
    headers = dict(api.headers)
    del headers["x-sandbox-name"]
    build_chain(Api(emulator, "prod"), emulator.tenant_id)
    # Adobe: a request without the header works in the default production sandbox.
    landed = requests.get(f"{emulator.base_url}{FS}/flows", headers=headers, timeout=10)
    assert landed.status_code == 200 and len(landed.json()["items"]) == 1
    assert emulator.requests()[-1]["sandbox"] == "prod" and emulator.requests()[-1]["sandbox_header"] is None
    unknown = Api(emulator, sandbox="nosuch").get(f"{FS}/flows")
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("FLOW-2100-404")
    assert unknown.json()["title"] == "Sandbox not found"
    emulator.set_knobs(require_sandbox_header=True)  # the catalogue's 2105-400, for tests that want it
    missing = requests.get(f"{emulator.base_url}{FS}/flows", headers=headers, timeout=10)
    assert missing.status_code == 400 and missing.json()["type"].endswith("FLOW-2105-400")
    assert missing.json()["title"] == "Header is missing"
    assert missing.json()["report"]["request-id"] == missing.headers["x-request-id"]


def test_sandboxes_are_isolated(emulator: EmulatorAdmin) -> None:
    prod, dev = Api(emulator, "prod"), Api(emulator, "dev")
    chain = build_chain(prod, emulator.tenant_id)
    flow_id = chain["flow"]["id"]
    assert prod.get(f"{FS}/flows/{flow_id}").status_code == 200
    assert dev.get(f"{FS}/flows/{flow_id}").status_code == 404
    assert dev.get(f"{CAT}/dataSets/{chain['dataset_id']}").status_code == 404
    assert ok(dev.get(f"{FS}/flows"))["items"] == []
    # The same titles are free in another sandbox.
    build_chain(dev, emulator.tenant_id)
    state = emulator.state()
    assert len(state["sandboxes"]["prod"]["flow"]) == len(state["sandboxes"]["dev"]["flow"]) == 1
