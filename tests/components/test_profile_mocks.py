"""The program with Profile and flow options under Pulumi mocks (no engine): which resources exist,
in which order they depend on each other, what the dataflow gets, and the health check's output."""

from __future__ import annotations

import json

import pytest

from tests.components.mocking import AEP, DATAFLOW, DATASET, SCHEMA
from tests.components.test_program_mocks import Program

NAMESPACE, DESCRIPTOR, UNION = AEP + "IdentityNamespace", AEP + "IdentityDescriptor", AEP + "UnionTag"


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> Program:
    return Program(monkeypatch)


def test_profile_resources_in_aeps_order(program: Program) -> None:
    sources = [{"name": "cio", "profile": True, "identityField": "id", "partialIngestionPercent": 5}]
    deployment = program.run({"aep-customerio:sandbox": "dev", "aep-customerio:sources": json.dumps(sources)})
    namespace, descriptor, union = (
        deployment.one(NAMESPACE),
        deployment.one(DESCRIPTOR),
        deployment.one(UNION),
    )
    schema, dataset = deployment.one(SCHEMA), deployment.one(DATASET)
    assert namespace.inputs["code"] == "CustomerIOID"
    assert (
        descriptor.inputs["source_property"] == "/_acme/id"
        and descriptor.inputs["namespace"] == "CustomerIOID"
    )
    assert namespace.urn in descriptor.dependencies and schema.urn in descriptor.dependencies
    assert descriptor.urn in union.dependencies
    assert union.urn in dataset.dependencies
    assert dataset.inputs["profile_enabled"] is True and dataset.inputs["identity_enabled"] is True
    flow = deployment.one(DATAFLOW).inputs
    assert flow["partial_ingestion_percent"] == 5 and flow["error_diagnostics_enabled"] is True


def test_no_profile_no_profile_resources_and_options_off(program: Program) -> None:
    deployment = program.run({"aep-customerio:sandbox": "dev"})
    assert deployment.of_type(NAMESPACE) == deployment.of_type(UNION) == []
    assert deployment.one(DATASET).inputs["profile_enabled"] is False
    flow = deployment.one(DATAFLOW).inputs
    assert flow["error_diagnostics_enabled"] is False and "partial_ingestion_percent" not in flow


def test_workspace_output_for_the_health_check(program: Program) -> None:
    sources = [{"name": "us"}, {"name": "eu", "customerioWorkspace": "eu"}]
    program.run({"aep-customerio:sandbox": "dev", "aep-customerio:sources": json.dumps(sources)})
    assert program.exports["sources"]["eu"]["customerioWorkspace"] == "eu"
    assert "customerioWorkspace" not in program.exports["sources"]["us"]
