"""The package used from a separate Pulumi program: pip-installed into that program's own virtualenv
(no PYTHONPATH, no copied files), running the README's example as written: two sources, one wired
from the other's Output, one in a second sandbox; no changes after `up`; a clean destroy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import EmulatorAdmin
from tools.engine_harness import REPO, PulumiStack, configure_for_emulator, require_engine

pytestmark = pytest.mark.timeout(900)


def readme_example() -> str:
    section = (REPO / "README.md").read_text().split("## Use it in your own program", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    return str(code)


# What a source distribution of the project holds (pip builds in the source tree: build from a copy).
DISTRIBUTED = ["pyproject.toml", "README.md", "aep_customerio", "providers", "components"]


def install(program: Path) -> Path:
    """A virtualenv of the program's own, with this repository installed into it by pip."""
    source = program.parent / "source"
    source.mkdir()
    for entry in DISTRIBUTED:
        if (REPO / entry).is_dir():  # aep_customerio/'s links to the folders stay links
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(REPO / entry, source / entry, symlinks=True, ignore=skip)
        else:
            shutil.copy(REPO / entry, source / entry)
    venv = program / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(REPO / "constraints.txt"), str(source)], check=True, cwd=program)
    return venv


def site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python3.*/site-packages")
    return found


def test_a_separate_program_installs_and_uses_the_package(tmp_path: Path, emulator: EmulatorAdmin) -> None:
    require_engine()
    program = tmp_path / "consumer"
    program.mkdir()
    venv = install(program)
    installed = site_packages(venv)
    assert (installed / "aep_customerio" / "providers" / "dataflow.py").is_file()
    assert not (installed / "providers").exists() and not (installed / "components").exists()
    (program / "Pulumi.yaml").write_text(
        f"name: consumer\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    (program / "__main__.py").write_text(readme_example())

    stack = PulumiStack.create(tmp_path / "run", program)
    configure_for_emulator(stack, emulator)
    stack.extra_env["PYTHONPATH"] = ""  # nothing but the program's own virtualenv
    stack.up()
    outputs: dict[str, Any] = stack.outputs(show_secrets=True)
    assert set(outputs) == {"marketingWebhookUrl", "productWebhookUrl"}
    assert all("x-adobe-flow-id=" in url for url in outputs.values())

    state = emulator.state()["sandboxes"]
    flows = {sandbox: [f["name"] for f in kinds.get("flow", [])] for sandbox, kinds in state.items()}
    assert flows["dev"] == ["Customer.io marketing dataflow"]
    assert flows["stage"] == ["Customer.io product dataflow"]
    (marketing_flow,) = state["dev"]["flow"]
    (product_flow,) = state["stage"]["flow"]
    assert product_flow["description"] == f"Product events (marketing: {marketing_flow['id']})"

    assert stack.preview("--expect-no-changes")  # the same program again changes nothing
    stack.destroy()
    assert stack.resources() == []
