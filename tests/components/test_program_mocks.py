"""`__main__.py` under Pulumi mocks: config in, one component per source, exports out (no engine)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.components.mocking import COMPONENT, DATAFLOW, WEBHOOK, Deployment, deploy

PROGRAM = Path(__file__).resolve().parents[2] / "__main__.py"


class Program:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.exports: dict[str, Any] = {}
        monkeypatch.delenv("CUSTOMERIO_APP_API_KEY", raising=False)
        monkeypatch.setattr(pulumi, "export", self._export)

    def _export(self, name: str, value: Any) -> None:
        self.exports[name] = value

    def run(self, config: dict[str, Any], cio_key: bool = False) -> Deployment:
        if cio_key:
            self.monkeypatch.setenv("CUSTOMERIO_APP_API_KEY", "k")
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
