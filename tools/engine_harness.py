"""Runs the real Pulumi CLI against a throw-away stack on a local file backend.

Every lifecycle claim in this project is checked through this harness, and `benchmarks/` times the
same runs: it copies (links) a program into a temporary directory with its own file backend and its
own PULUMI_HOME, points it at the project's virtualenv, and runs `pulumi preview/up/refresh/destroy`
as a user would, keeping the full transcript so that callers can also assert what the CLI printed
(for example, that no secret was shown). It is not test code: nothing here imports pytest or tests/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.testing import EmulatorAdmin

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".tools" / "bin"
VENV = REPO / ".venv"
# What of this repository a stack of the real program needs (linked, never copied).
PROGRAM_ENTRIES = ["Pulumi.yaml", "__main__.py", "aep_customerio", "requirements.txt"]


GO_MOD = REPO / "tools" / "pulumi-engine" / "go.mod"


def pulumi_version() -> str:
    """The project's Pulumi CLI version, e.g. `3.276.0`: the pulumi/pkg/v3 requirement in go.mod, the
    one place it is stated (scripts/pulumi-version.sh reads the same)."""
    return go_module_version("github.com/pulumi/pulumi/pkg/v3")


def pulumi_sdk_version() -> str:
    """The Python SDK's version: the `pulumi==` pin of requirements.txt (`pulumi-version.sh --sdk`)."""
    (version,) = re.findall(r"^pulumi==(\S+)", (REPO / "requirements.txt").read_text(), re.M)
    return str(version)


def go_module_version(module: str) -> str:
    """The version (without `v`) that tools/pulumi-engine/go.mod requires of `module`."""
    pattern = rf"^\s*(?:require\s+)?{re.escape(module)}\s+v(\S+)"
    (version,) = re.findall(pattern, GO_MOD.read_text(), re.M)
    return str(version)


class PulumiCommandError(AssertionError):
    pass


def engine_path(bin_dir: Path = TOOLS_BIN) -> str:
    return f"{bin_dir}{os.pathsep}{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"


@dataclass
class PulumiStack:
    """One stack of one program, in its own directory and its own file backend."""

    work_dir: Path
    name: str
    passphrase: str = "test-passphrase-not-a-secret"
    extra_env: dict[str, str] = field(default_factory=dict)
    path: str = field(default_factory=engine_path)
    transcript: list[str] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        tmp_dir: Path,
        program_dir: Path,
        name: str = "test",
        links: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> PulumiStack:
        """Lay the program out in `tmp_dir/program`, with its own backend in `tmp_dir/state`."""
        work_dir = tmp_dir / "program"
        work_dir.mkdir(parents=True)
        for entry in links if links is not None else [p.name for p in program_dir.iterdir()]:
            source = program_dir / entry
            if entry == "Pulumi.yaml":
                text = source.read_text().replace("VIRTUALENV_PLACEHOLDER", str(VENV))
                text = text.replace("virtualenv: .venv", f"virtualenv: {VENV}")
                (work_dir / entry).write_text(text)
            elif source.exists() and not entry.startswith(("Pulumi.", "__pycache__")):
                (work_dir / entry).symlink_to(source)
        (tmp_dir / "state").mkdir()
        stack = cls(work_dir=work_dir, name=name, **kwargs)
        stack.extra_env.setdefault("PULUMI_BACKEND_URL", f"file://{tmp_dir / 'state'}")
        stack.run("stack", "init", name)
        return stack

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULUMI_", "AEP_", "CUSTOMERIO_"))
        }
        env.update(
            PATH=self.path,
            PULUMI_CONFIG_PASSPHRASE=self.passphrase,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING="true",
            PULUMI_HOME=str(self.work_dir.parent / "pulumi-home"),
            PULUMI_RUNTIME_VIRTUALENV=str(VENV),
            NO_COLOR="1",
        )
        env.update(self.extra_env)
        return env

    def run(
        self, *args: str, check: bool = True, timeout: float = 600, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = ["pulumi", *args, "--non-interactive", "--color", "never"]
        if (args and args[0] not in ("stack", "version", "about")) or args[:2] == ("stack", "output"):
            command += ["--stack", self.name]
        result = subprocess.run(
            command,
            cwd=self.work_dir,
            env=self.env(),
            capture_output=True,
            text=True,
            input=stdin,
            timeout=timeout,
            check=False,
        )
        self.transcript.append(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}")
        if check and result.returncode != 0:
            raise PulumiCommandError(
                f"`{' '.join(command)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def failing(self, *args: str) -> str:
        """Run a command that must fail; returns everything it printed."""
        result = self.run(*args, check=False)
        if result.returncode == 0:
            raise AssertionError(f"`pulumi {' '.join(args)}` succeeded but was expected to fail")
        return result.stdout + result.stderr

    def set_config(self, values: Mapping[str, str], secrets: Mapping[str, str] | None = None) -> None:
        for key, value in values.items():
            self.run("config", "set", key, value)
        for key, value in (secrets or {}).items():
            # On stdin, as a user should: never in a command line that process listings show.
            # A key with a dot after the namespace is a path into an object (`ns:object.field`).
            path = ["--path"] if "." in key.split(":", 1)[-1] else []
            self.run("config", "set", "--secret", *path, key, stdin=value)

    def set_config_json(self, key: str, value: Any) -> None:
        entry = {key: {"value": json.dumps(value), "objectValue": value, "secret": False}}
        self.run("config", "set-all", "--json", json.dumps(entry))

    def preview(self, *args: str) -> dict[str, Any]:
        """Returns `pulumi preview --json`: `steps`, `changeSummary`, `diagnostics`."""
        result = self.run("preview", "--json", *args)
        preview: dict[str, Any] = json.loads(result.stdout)
        return preview

    def up(self, *args: str) -> dict[str, int]:
        self.run("up", "--yes", "--skip-preview", *args)
        return self.last_changes()

    def refresh(self, *args: str) -> dict[str, int]:
        self.run("refresh", "--yes", "--skip-preview", *args)
        return self.last_changes()

    def destroy(self, *args: str) -> dict[str, int]:
        self.run("destroy", "--yes", "--skip-preview", *args)
        return self.last_changes()

    def last_changes(self) -> dict[str, int]:
        """Resource changes of the last update, refresh or destroy, e.g. `{"create": 3}`."""
        history = json.loads(self.run("stack", "history", "--json", "--show-secrets=false").stdout)
        changes: dict[str, int] = history[0].get("resourceChanges") or {}
        return changes

    def outputs(self, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "output", "--json"] + (["--show-secrets"] if show_secrets else [])
        outputs: dict[str, Any] = json.loads(self.run(*args).stdout)
        return outputs

    def export(self) -> dict[str, Any]:
        exported: dict[str, Any] = json.loads(self.run("stack", "export").stdout)
        return exported

    def resources(self) -> list[dict[str, Any]]:
        resources: list[dict[str, Any]] = self.export()["deployment"].get("resources") or []
        return resources


def changes_without_same(changes: Mapping[str, int]) -> dict[str, int]:
    return {kind: count for kind, count in changes.items() if kind != "same" and count}


def require_engine() -> None:
    """Fail loudly, never skip: a missing engine means setup did not run."""
    if shutil.which("pulumi", path=engine_path()) is None:
        raise PulumiCommandError("no `pulumi` CLI in .tools/bin: run scripts/setup.sh first")


def configure_for_emulator(
    stack: PulumiStack,
    emulator: EmulatorAdmin,
    sandbox: str = "dev",
    sources: list[dict[str, Any]] | None = None,
    customerio: bool = True,
) -> None:
    stack.set_config(
        {
            "aep-customerio:sandbox": sandbox,
            "aep-customerio:inletTimeoutSeconds": "30",
            "aep:clientId": emulator.client_id,
            "aep:orgId": emulator.org_id,
            "aep:scopes": "openid,AdobeID,read_organizations",
            "aep:platformUrl": emulator.base_url,
            "aep:imsUrl": emulator.base_url,
            "customerio:apiUrl": emulator.base_url,
        },
        secrets={"aep:clientSecret": emulator.client_secret}
        | ({"customerio:appApiKey": emulator.cio_app_api_key} if customerio else {}),
    )
    if sources is not None:
        stack.set_config_json("aep-customerio:sources", sources)


def program_stack(tmp_dir: Path, emulator: EmulatorAdmin, name: str = "test", **config: Any) -> PulumiStack:
    """A stack of this repository's program in `tmp_dir`, configured against the emulator."""
    stack = PulumiStack.create(tmp_dir, REPO, name=name, links=PROGRAM_ENTRIES)
    configure_for_emulator(stack, emulator, **config)
    return stack
