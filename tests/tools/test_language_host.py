"""Our Python language host, driven over real gRPC the way the engine drives it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from tests.engine import REPO, VENV

HOST = REPO / "tools" / "language_host" / "host.py"

# A stand-in for `pulumi-language-python-exec`: records how it was called, exits as asked.
RECORDING_SHIM = """
import json, os, sys
with open(os.environ["SHIM_RECORD"], "w") as record:
    json.dump({"argv": sys.argv[1:], "config": os.environ.get("PULUMI_CONFIG"),
               "secret_keys": os.environ.get("PULUMI_CONFIG_SECRET_KEYS"),
               "virtual_env": os.environ.get("VIRTUAL_ENV"), "cwd": os.getcwd(),
               "python": sys.executable}, record)
exit_file = os.environ["SHIM_RECORD"] + ".exit"
sys.exit(int(open(exit_file).read()) if os.path.exists(exit_file) else 0)
"""


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[language_pb2_grpc.LanguageRuntimeStub]:
    shim = tmp_path / "pulumi-language-python-exec"
    shim.write_text(RECORDING_SHIM)
    monkeypatch.setenv("SHIM_RECORD", str(tmp_path / "record.json"))
    process = subprocess.Popen(
        [sys.executable, str(HOST), "--use-executor", str(shim), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        channel.close()
        process.terminate()
        process.wait(timeout=10)


def program_info(tmp_path: Path, virtualenv: str | None) -> language_pb2.ProgramInfo:
    options = struct_pb2.Struct()
    if virtualenv is not None:
        options.update({"virtualenv": virtualenv})
    return language_pb2.ProgramInfo(
        root_directory=str(tmp_path), program_directory=str(tmp_path), entry_point=".", options=options
    )


def run(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path, virtualenv: str | None = str(VENV)
) -> tuple[Any, dict[str, Any]]:
    request = language_pb2.RunRequest(
        project="proj",
        stack="dev",
        pwd=str(tmp_path),
        config={"proj:greeting": "hello", "aep:clientSecret": "s3cret"},
        configSecretKeys=["aep:clientSecret"],
        dryRun=True,
        parallel=4,
        monitor_address="127.0.0.1:2",
        organization="org",
        info=program_info(tmp_path, virtualenv),
    )
    response = host.Run(request)
    record_path = tmp_path / "record.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    return response, record


def test_runs_the_exec_shim_like_pulumis_own_host(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    response, record = run(host, tmp_path)
    assert response.error == "" and not response.bail
    argv = record["argv"]
    flags = dict(zip(argv[0:-1:2], argv[1:-1:2], strict=True))
    assert flags == {
        "--monitor": "127.0.0.1:2",
        "--engine": "127.0.0.1:1",
        "--project": "proj",
        "--root_directory": str(tmp_path),
        "--stack": "dev",
        "--pwd": str(tmp_path),
        "--dry_run": "true",
        "--parallel": "4",
        "--organization": "org",
    }
    assert argv[-1] == "."
    assert json.loads(record["config"]) == {"proj:greeting": "hello", "aep:clientSecret": "s3cret"}
    assert json.loads(record["secret_keys"]) == ["aep:clientSecret"]
    assert record["virtual_env"] == str(VENV)
    assert record["python"].startswith(str(VENV))
    assert record["cwd"] == str(tmp_path)


def test_exit_code_32_means_bail_and_others_are_errors(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    exit_file = tmp_path / "record.json.exit"
    exit_file.write_text("32")
    response, _ = run(host, tmp_path)
    assert response.bail and response.error == ""
    exit_file.write_text("3")
    response, _ = run(host, tmp_path)
    assert not response.bail and response.error == "program exited with non-zero exit code: 3"


def test_missing_virtualenv_is_reported_not_crashed(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    response, record = run(host, tmp_path, virtualenv="no-such-venv")
    assert "no-such-venv" in response.error and "setup.sh" in response.error
    assert record == {}


def test_plugin_info_and_required_packages(
    host: language_pb2_grpc.LanguageRuntimeStub, tmp_path: Path
) -> None:
    assert host.GetPluginInfo(empty_pb2.Empty()).version == "3.259.0"
    packages = host.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=program_info(tmp_path, None))
    )
    assert list(packages.packages) == []
    about = host.About(language_pb2.AboutRequest(info=program_info(tmp_path, str(VENV))))
    assert about.version.startswith("3.11")
