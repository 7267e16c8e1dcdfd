"""The health check against a real `pulumi up` of the program on the emulator: green when events land,
red with the reason when the flow is disabled or the Customer.io webhook is gone; exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aep_customerio.components import health
from emulator.testing import EmulatorAdmin
from tests.emulator.helpers import FS, Api, ok
from tests.program.conftest import StackFactory


@pytest.fixture
def health_env(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorAdmin) -> None:
    for key, value in {
        "AEP_CLIENT_ID": emulator.client_id,
        "AEP_CLIENT_SECRET": emulator.client_secret,
        "AEP_ORG_ID": emulator.org_id,
        "AEP_SCOPES": "openid,AdobeID,read_organizations",
        "AEP_PLATFORM_URL": emulator.base_url,
        "AEP_IMS_URL": emulator.base_url,
        "CUSTOMERIO_APP_API_KEY": emulator.cio_app_api_key,
        "CUSTOMERIO_API_URL": emulator.base_url,
    }.items():
        monkeypatch.setenv(key, value)


def _run(outputs: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = health.main(["--outputs", str(outputs), "--wait", "20", "--poll", "0.2", "--json"])
    captured = capsys.readouterr()
    out = captured.out
    inlet = str(json.loads(outputs.read_text())["webhookUrl"]).split("?", 1)[0]
    assert inlet not in out + captured.err, "the webhook URL is a secret"
    return code, json.loads(out) if out.strip() else {}


def test_health_green_then_red_with_the_reason(
    program_stack: StackFactory,
    emulator: EmulatorAdmin,
    health_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack = program_stack()
    stack.up()
    outputs = tmp_path / "outputs.json"
    values = stack.outputs(show_secrets=True)
    outputs.write_text(json.dumps(values))
    source = values["sources"]["customerio"]

    code, report = _run(outputs, capsys)
    assert code == health.HEALTHY, report
    [only] = report["sources"]
    assert only["flow_state"] == "enabled" and only["event"].startswith("landed")
    assert only["records_written"] >= 1 and only["records_in_dataset"] >= 1
    assert only["last_successful_run"]
    landed = emulator.records(source["datasetId"], sandbox="dev")
    assert any(str(r["_id"]).startswith("aep-customerio-health-") for r in landed)

    api = Api(emulator, "dev")
    ok(api.post(f"{FS}/flows/{source['dataflowId']}/action", params={"op": "DISABLE"}))
    code, report = _run(outputs, capsys)
    assert code == health.UNHEALTHY
    problems = " ".join(report["sources"][0]["problems"])
    assert "dataflow is disabled" in problems and "inlet refused" in problems

    ok(api.post(f"{FS}/flows/{source['dataflowId']}/action", params={"op": "ENABLE"}))
    ok(api.cio("DELETE", f"/{source['customerioWebhookId']}"))
    code, report = _run(outputs, capsys)
    assert code == health.UNHEALTHY
    assert "webhook" in " ".join(report["sources"][0]["problems"]) and "gone" in " ".join(
        report["sources"][0]["problems"]
    )
    assert report["sources"][0]["event"].startswith("landed")  # AEP still works; Customer.io sends nothing


def test_health_cannot_check(tmp_path: Path, health_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.json"
    assert health.main(["--outputs", str(missing)]) == health.CANNOT_CHECK
    (tmp_path / "other.json").write_text(json.dumps({"unrelated": 1}))
    assert health.main(["--outputs", str(tmp_path / "other.json")]) == health.CANNOT_CHECK
    assert "could not run" in capsys.readouterr().err
