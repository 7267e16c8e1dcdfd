"""The health check: ``python -m aep_customerio.components.health`` on a stack's outputs.

Per source it reads the dataflow's state and the Customer.io webhook, sends one synthetic, clearly
marked Customer.io event to the webhook URL, waits until it lands (the flow's runs count it as
written), and reports the last successful run and the records read, written and failed in the window
(flow runs) plus the records the dataset received (Observability metrics). See ``health_probe``.

Exit codes (for cron and CI):

- 0: every source is healthy;
- 1: at least one source is unhealthy (the reason is printed per source);
- 2: the check could not run (no or unreadable outputs, missing credentials, an API error).

Credentials come from the environment, as the providers' fallbacks: ``AEP_CLIENT_ID``,
``AEP_CLIENT_SECRET``, ``AEP_ORG_ID`` (+ ``AEP_SCOPES``, ``AEP_PLATFORM_URL``, ``AEP_IMS_URL``) and,
to check the webhooks, ``CUSTOMERIO_APP_API_KEY`` / ``CUSTOMERIO_APP_API_KEYS`` (+ region / URL).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from aep_customerio.components.health_probe import Probe, Report, Source
from aep_customerio.providers.aep_client import AepClient
from aep_customerio.providers.customerio_client import CustomerIoClient
from aep_customerio.providers.errors import ApiError, redact, register_secret
from aep_customerio.providers.settings import ConfigurationError, load_settings

HEALTHY, UNHEALTHY, CANNOT_CHECK = 0, 1, 2


class CannotCheckError(Exception):
    """The check itself could not run (exit code 2)."""


def read_outputs(path: str | None, stack: str | None) -> dict[str, Any]:
    """The stack's outputs, secrets shown: a file, ``-`` (stdin), or ``pulumi stack output``."""
    try:
        if path == "-":
            text = sys.stdin.read()
        elif path:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        else:
            command = [
                "pulumi",
                "stack",
                "output",
                "--json",
                "--show-secrets",
                *(["--stack", stack] if stack else []),
            ]
            text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        outputs = json.loads(text)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        raise CannotCheckError(f"cannot read the stack outputs: {exc}") from None
    if not isinstance(outputs, dict):
        raise CannotCheckError("the stack outputs are not a JSON object")
    return outputs


def sources_of(outputs: dict[str, Any], only: Sequence[str] = ()) -> list[Source]:
    sandbox, found = outputs.get("sandbox"), outputs.get("sources")
    if not isinstance(sandbox, str) or not isinstance(found, dict) or not found:
        raise CannotCheckError(
            "the outputs hold no `sandbox` and `sources`: is this the aep-customerio stack?"
        )
    sources = []
    for name, out in found.items():
        if only and name not in only:
            continue
        try:
            hook = out.get("customerioWebhookId")
            url = str(out["webhookUrl"])
            register_secret(url)  # a capability: never printed, whatever the report says
            register_secret(url.split("?", 1)[0])
            sources.append(
                Source(
                    name=name,
                    sandbox=sandbox,
                    flow_id=str(out["dataflowId"]),
                    dataset_id=str(out["datasetId"]),
                    webhook_url=url,
                    webhook_id=int(hook) if hook not in (None, "") else None,
                    workspace=str(out.get("customerioWorkspace") or ""),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CannotCheckError(
                f"the outputs of source {name!r} lack {exc} (show secrets: --show-secrets)"
            ) from None
    if not sources:
        raise CannotCheckError(f"no source named {', '.join(only)} in the outputs")
    return sources


def probe_from_environment(window_s: float, wait_s: float, poll_s: float) -> Probe:
    settings = load_settings(None)
    try:
        aep = AepClient(settings.aep())
    except ConfigurationError as exc:
        raise CannotCheckError(str(exc)) from None

    def customerio(workspace: str) -> CustomerIoClient | None:
        if not settings.has_customerio_key(workspace):
            return None
        return CustomerIoClient(settings.customerio(workspace))

    return Probe(aep, customerio, window_s, wait_s, poll_s)


def render(report: Report) -> str:
    lines = [f"{'OK  ' if report.healthy else 'FAIL'} {report.name}"]
    lines.append(f"     flow state: {report.flow_state}; synthetic event: {report.event}")
    lines.append(f"     last successful run: {report.last_successful_run or 'none'}")
    dataset = "unknown" if report.records_in_dataset is None else str(report.records_in_dataset)
    lines.append(
        f"     in the window: {report.records_read} read, {report.records_written} written, "
        f"{report.records_failed} failed (runs); {dataset} landed in the dataset (metrics)"
    )
    lines += [f"     problem: {p}" for p in report.problems] + [f"     note: {n}" for n in report.notes]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m aep_customerio.components.health", description=__doc__.split("\n\n")[0]
    )
    p.add_argument(
        "--outputs", help="JSON of `pulumi stack output --json --show-secrets` (a file, or - for stdin)"
    )
    p.add_argument("--stack", help="the stack whose outputs `pulumi stack output` reads (without --outputs)")
    p.add_argument("--source", action="append", default=[], help="check only this source (repeatable)")
    p.add_argument("--wait", type=float, default=600.0, help="seconds to wait for the event to land (600)")
    p.add_argument("--window-hours", type=float, default=24.0, help="the recent window reported (24)")
    p.add_argument("--poll", type=float, default=5.0, help="seconds between looks at the runs (5)")
    p.add_argument("--no-send", action="store_true", help="report only: send no synthetic event")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        sources = sources_of(read_outputs(args.outputs, args.stack), args.source)
        probe = probe_from_environment(args.window_hours * 3600, args.wait, args.poll)
        reports = [probe.check(source, send=not args.no_send) for source in sources]
    except (CannotCheckError, ApiError) as exc:
        print(redact(f"health check could not run: {exc}"), file=sys.stderr)
        return CANNOT_CHECK
    healthy = all(r.healthy for r in reports)
    if args.json:
        print(redact(json.dumps({"healthy": healthy, "sources": [r.as_json() for r in reports]}, indent=2)))
    else:
        print(redact("\n".join(render(r) for r in reports)))
    return HEALTHY if healthy else UNHEALTHY


if __name__ == "__main__":
    sys.exit(main())
