"""Two Pulumi versions, each stated once: the CLI's (the pulumi/pkg/v3 requirement in
tools/pulumi-engine/go.mod) and the Python SDK's (`pulumi==` in requirements.txt). Every other place
that names one (constraints, README, CI workflow, language host) must agree, so a drift fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no stubs pinned; only safe_load is used

from tools.engine_harness import GO_MOD, REPO, go_module_version, pulumi_sdk_version, pulumi_version

VERSION = pulumi_version()
SDK = pulumi_sdk_version()
SCRIPT = REPO / "scripts" / "pulumi-version.sh"
WORKFLOW = REPO / ".github" / "workflows" / "pulumi.yml"


def test_the_source_is_a_release_and_go_sum_pins_it() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert go_module_version("github.com/pulumi/pulumi/sdk/v3") == VERSION
    go_sum = (GO_MOD.parent / "go.sum").read_text()
    for module in ("pkg", "sdk"):
        assert f"github.com/pulumi/pulumi/{module}/v3 v{VERSION} h1:" in go_sum, "go.sum must pin the build"


@pytest.mark.parametrize("pins", ["requirements.txt", "constraints.txt"])
def test_python_sdk_pins_agree_and_are_not_newer_than_the_cli(pins: str) -> None:
    found = re.findall(r"^pulumi==(\S+)", (REPO / pins).read_text(), re.M)
    assert found == [SDK]
    assert tuple(map(int, SDK.split("."))) <= tuple(map(int, VERSION.split(".")))


def test_readme_names_only_those_releases() -> None:
    readme = (REPO / "README.md").read_text()
    mentions = re.findall(r"\bv(\d+\.\d+\.\d+)\b", readme)
    assert mentions, "the README states the CLI version"
    assert set(mentions) == {VERSION}
    assert set(re.findall(r"pulumi==(\d+\.\d+\.\d+)", readme)) == {SDK}, "and the SDK pin"


def test_ci_installs_that_release_wherever_it_runs_pulumi() -> None:
    workflow: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    checked = 0
    for name, job in workflow["jobs"].items():
        steps: list[dict[str, Any]] = job["steps"]
        runs = " ".join(str(step.get("run", "")) for step in steps)
        if "scripts/test.sh" in runs or "scripts/setup.sh" in runs:
            checked += 1  # setup.sh builds the CLI from go.mod
            continue
        actions = [step for step in steps if str(step.get("uses", "")).startswith("pulumi/actions@")]
        if not actions:
            continue
        (source,) = [step for step in steps if step.get("id") == "pulumi_version"]
        assert "scripts/pulumi-version.sh --check" in source["run"], name
        for step in actions:
            assert step["with"]["pulumi-version"] == "${{ steps.pulumi_version.outputs.version }}", name
            checked += 1
    assert checked == 4  # test, preview, up, drift


def test_script_prints_the_version() -> None:
    printed = subprocess.run(["bash", str(SCRIPT), "--check"], capture_output=True, text=True, check=True)
    assert printed.stdout == f"{VERSION}\n"


def _copy_of_the_pins(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    (copy / "tools" / "pulumi-engine").mkdir(parents=True)
    shutil.copy(SCRIPT, copy / "scripts")
    shutil.copy(GO_MOD, copy / "tools" / "pulumi-engine")
    for pins in ("requirements.txt", "constraints.txt"):
        shutil.copy(REPO / pins, copy)
    return copy


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("constraints.txt", f"pulumi=={SDK}", "pulumi==3.1.0"),
        ("requirements.txt", f"pulumi=={SDK}", "pulumi==9.1.0"),
        ("tools/pulumi-engine/go.mod", f"pulumi/sdk/v3 v{VERSION}", "pulumi/sdk/v3 v3.1.0"),
    ],
)
def test_setup_refuses_to_build_when_the_pins_disagree(tmp_path: Path, path: str, old: str, new: str) -> None:
    """setup.sh takes its version from `pulumi-version.sh --check`, under `set -e`."""
    copy = _copy_of_the_pins(tmp_path)
    pinned = copy / path
    assert old in pinned.read_text()
    pinned.write_text(pinned.read_text().replace(old, new))
    result = subprocess.run(
        ["bash", str(copy / "scripts" / "pulumi-version.sh"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stdout == ""
    (wrong,) = re.findall(r"\d+\.\d+\.\d+", new)
    assert f"builds Pulumi v{VERSION}" in result.stderr and wrong in result.stderr
    assert path.split("/")[-1] in result.stderr or path in result.stderr


def test_setup_takes_its_version_from_the_script() -> None:
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert "pulumi_version=$(bash scripts/pulumi-version.sh --check)" in setup
    assert setup.count("pulumi_version=") == 1
