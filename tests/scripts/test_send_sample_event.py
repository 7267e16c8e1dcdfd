"""The README's `send-sample-event` command, against a stack built by the real engine."""

from __future__ import annotations

import json
import subprocess
import sys

from emulator.testing import EmulatorAdmin
from tests.engine import REPO
from tests.program.conftest import StackFactory

SCRIPT = REPO / "scripts" / "send_sample_event.py"


def test_sample_event_lands_and_is_shown(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    stack = program_stack(name="sample")
    stack.up()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "sample"],
        cwd=stack.work_dir,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "inlet answered HTTP 200" in result.stdout
    record = json.loads(result.stdout.split("):\n", 1)[1])
    assert record["_id"] == "01E4C4CT6YDC7Y5M7FE1GWWPQJ"
    assert record["timestamp"] == "2021-02-11T17:04:49.000Z"
    assert record[f"_{emulator.tenant_id}"]["email"] == "test@example.com"
    # What it printed is the record that really is in the dataset.
    (stored,) = emulator.records(stack.outputs()["datasetId"], "dev")
    assert stored == record
