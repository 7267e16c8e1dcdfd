"""`__main__.py` under Pulumi mocks: config in, one component per source, exports out (no engine)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from aep_customerio.providers.settings import ENV
from tests.components.mocking import COMPONENT, DATAFLOW, WEBHOOK, Deployment, deploy

PROGRAM = Path(__file__).resolve().parents[2] / "__main__.py"
CLIENT_SECRET = "aep-client-secret-value"
CREDENTIALS = {"aep:clientId": "client-id", "aep:clientSecret": CLIENT_SECRET, "aep:orgId": "ORG@AdobeOrg"}


class Program:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.exports: dict[str, Any] = {}
        for env in ENV.values():
            monkeypatch.delenv(env, raising=False)
        monkeypatch.setattr(pulumi, "export", self._export)

    def _export(self, name: str, value: Any) -> None:
        self.exports[name] = value

    def run(self, config: dict[str, Any], cio_key: bool = False, credentials: bool = True) -> Deployment:
        if cio_key:
            self.monkeypatch.setenv("CUSTOMERIO_APP_API_KEY", "k")
        config = {**CREDENTIALS, **config} if credentials else config
        self.monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))

        def program() -> Any:
            runpy.run_path(str(PROGRAM), run_name="__main__")
            return dict(self.exports)

        deployment = deploy(program)
        self.exports = deployment.result
        return deployment


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> Program:
    return Program(monkeypatch)


def test_minimal_stack_without_customerio_key(program: Program) -> None:
    deployment = program.run({"aep-customerio:sandbox": "dev"})
    (component,) = deployment.of_type(COMPONENT)
    assert component.name == "customerio"
    assert deployment.of_type(WEBHOOK) == [], "no key: no webhook, the URL is exported instead"
    assert program.exports["sandbox"] == "dev"
    assert program.exports["dataflowId"] == "flow:customerio-dataflow"
    assert program.exports["datasetId"] == "dataset:customerio-dataset"
    assert program.exports["webhookUrl"].endswith("?x-adobe-flow-id=flow:customerio-dataflow")
    assert set(program.exports["sources"]) == {"customerio"}
    assert "customerioWebhookId" not in program.exports["sources"]["customerio"]


def test_key_configured_creates_webhooks(program: Program) -> None:
    sources = [{"name": "us"}, {"name": "eu", "createWebhook": False}]
    deployment = program.run(
        {"aep-customerio:sandbox": "prod", "aep-customerio:sources": json.dumps(sources)}, cio_key=True
    )
    assert sorted(c.name for c in deployment.of_type(COMPONENT)) == ["eu", "us"]
    assert [w.name for w in deployment.of_type(WEBHOOK)] == ["us-webhook"]
    assert set(program.exports["sources"]) == {"us", "eu"}
    assert program.exports["sources"]["us"]["customerioWebhookId"] == "wh:us-webhook"
    assert "webhookUrl" not in program.exports, "top-level shortcuts only for a single source"


def test_inlet_timeout_from_config(program: Program) -> None:
    deployment = program.run({"aep-customerio:sandbox": "dev", "aep-customerio:inletTimeoutSeconds": "30"})
    assert deployment.one(DATAFLOW).inputs["inlet_timeout_seconds"] == 30.0


def test_create_webhook_without_key_is_an_error(program: Program) -> None:
    sources = [{"name": "us", "createWebhook": True}]
    with pytest.raises(pulumi.RunError, match=r"createWebhook is true but no Customer.io App API key"):
        program.run({"aep-customerio:sandbox": "dev", "aep-customerio:sources": json.dumps(sources)})


def test_bad_config_is_a_run_error(program: Program) -> None:
    with pytest.raises(pulumi.RunError, match=r"aep-customerio:sandbox: .*lower-case"):
        program.run({"aep-customerio:sandbox": "Dev"})


def error_of(program: Program, config: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(pulumi.RunError) as caught:
        program.run({"aep-customerio:sandbox": "dev", **config}, **kwargs)
    return str(caught.value)


def test_inlet_timeout_is_validated_by_the_model(program: Program) -> None:
    message = error_of(program, {"aep-customerio:inletTimeoutSeconds": "-5"})
    assert "aep-customerio:inletTimeoutSeconds: got '-5': Input should be greater than 0" in message


def test_a_misspelt_stack_key_is_reported(program: Program) -> None:
    message = error_of(program, {"aep-customerio:inletTimeoutSecond": "30"})
    assert "aep-customerio:inletTimeoutSecond: " in message and "not permitted" in message


def test_sources_that_are_not_a_list_are_reported_by_key(program: Program) -> None:
    assert "aep-customerio:sources: " in error_of(program, {"aep-customerio:sources": "[not json"})


def test_duplicate_mapping_destination_is_a_config_error(program: Program) -> None:
    rules = [{"source": "a", "destination": "_{tenant}.x"}, {"source": "b", "destination": "_{tenant}.x"}]
    sources = json.dumps([{"name": "cio", "mappings": rules}])
    message = error_of(program, {"aep-customerio:sources": sources})
    assert "aep-customerio:sources[0].mappings: destination '_{tenant}.x' is mapped twice" in message


def test_provider_settings_are_checked_by_the_program(program: Program) -> None:
    message = error_of(
        program,
        {"customerio:region": "mars", "aep:platformUrl": "http://platform.adobe.io", "aep:clientId": ""},
    )
    assert "customerio:region: got 'mars'" in message
    assert "aep:platformUrl: plain http:// is only allowed for loopback hosts" in message
    assert "aep:clientId (or env AEP_CLIENT_ID) is not set or empty" in message
    assert CLIENT_SECRET not in message


def test_missing_aep_credentials_fail_the_program(program: Program) -> None:
    message = error_of(program, {}, credentials=False)
    for key in ("aep:clientId", "aep:clientSecret", "aep:orgId"):
        assert key in message


def test_stack_and_provider_problems_are_listed_together(program: Program) -> None:
    message = error_of(program, {"aep-customerio:sandbox": "Dev", "customerio:apiUrl": "ftp://cio"})
    assert "aep-customerio:sandbox: got 'Dev'" in message
    assert "customerio:apiUrl: " in message


def test_an_empty_customerio_key_is_no_key(program: Program) -> None:
    """The program and the provider settings agree: an empty key means no webhook."""
    deployment = program.run({"aep-customerio:sandbox": "dev", "customerio:appApiKey": ""})
    assert deployment.of_type(WEBHOOK) == []
    sources = json.dumps([{"name": "us", "createWebhook": True}])
    message = error_of(program, {"customerio:appApiKey": "", "aep-customerio:sources": sources})
    assert "aep-customerio:sources[0].createWebhook is true" in message


def test_workspace_key_decides_that_sources_webhook(program: Program) -> None:
    sources = [{"name": "us"}, {"name": "eu", "customerioWorkspace": "eu"}]
    deployment = program.run(
        {
            "aep-customerio:sandbox": "dev",
            "aep-customerio:sources": json.dumps(sources),
            "customerio:appApiKeys": json.dumps({"eu": "eu-key"}),
        }
    )
    assert [w.name for w in deployment.of_type(WEBHOOK)] == ["eu-webhook"]
