"""State survives restarts; `python -m emulator` starts and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from emulator.testing import EmulatorAdmin, start_in_process
from tests.emulator.helpers import CAT, FS, Api, build_chain, ok, wait_for_inlet
from tests.emulator.seed_001 import SAMPLE_EVENT

ROOT = Path(__file__).resolve().parents[2]


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    server, admin = start_in_process(state, inlet_url_delay_s=0.0, list_lag_s=0.0)
    try:
        api = Api(admin)
        chain = build_chain(api, admin.tenant_id)
        url = f"{wait_for_inlet(api, chain['flow']['id'])}?x-adobe-flow-id={chain['flow']['id']}"
        ok(requests.post(url, json=SAMPLE_EVENT, timeout=10))
        ok(api.cio("POST", "", {"name": "AEP", "endpoint": url, "events": ["email_sent"]}))
        admin.drain()
    finally:
        server.stop()
    server, admin = start_in_process(state, inlet_url_delay_s=0.0, list_lag_s=0.0)
    try:
        api = Api(admin)  # a new token: the old server's port is gone, its state is not
        flow = ok(api.get(f"{FS}/flows/{chain['flow']['id']}"))["items"][0]
        assert flow["etag"] == chain["flow"]["etag"]
        assert flow["options"]["inletUrl"].startswith(admin.base_url)
        assert chain["dataset_id"] in ok(api.get(f"{CAT}/dataSets"))
        assert len(admin.records(chain["dataset_id"])) == 1
        hooks = ok(api.cio("GET", ""))["reporting_webhooks"]
        assert len(hooks) == 1
        second = ok(api.cio("POST", "", {"name": "two", "endpoint": url, "events": ["email_sent"]}))
        assert second["id"] == hooks[0]["id"] + 1
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_line_server(tmp_path: Path) -> None:
    port = _free_port()
    state = tmp_path / "cli.sqlite3"
    command = [
        sys.executable,
        "-m",
        "emulator",
        "--port",
        str(port),
        "--state",
        str(state),
        "--client-id",
        "cli-client",
        "--knob",
        "inlet_url_delay_s=0",
        "--seed",
        "7",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        admin = EmulatorAdmin(f"http://127.0.0.1:{port}", client_id="cli-client")
        deadline = time.monotonic() + 15
        while True:
            try:
                health = admin.health()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert health["client_id"] == "cli-client"
        assert admin.knobs()["inlet_url_delay_s"] == 0.0
        assert ok(Api(admin).get(f"{FS}/flows")) == {"items": []}
        assert state.exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bad_knob_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--knob", "nope=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and "unknown knob" in result.stderr
