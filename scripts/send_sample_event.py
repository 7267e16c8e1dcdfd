"""Sends the sample Customer.io event from Adobe's tutorial to the stack's webhook URL, as
Customer.io would, then shows the record that landed in the dataset (when the backend is the
emulator; on real AEP, look at the dataset and the dataflow's runs in the Experience Platform UI)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse

import requests

SAMPLE_EVENT = {
    "event_id": "01E4C4CT6YDC7Y5M7FE1GWWPQJ",
    "object_type": "customer",
    "metric": "subscribed",
    "timestamp": 1613063089,
    "data": {
        "customer_id": "42",
        "email_address": "test@example.com",
        "identifiers": {"id": "42", "email": "test@example.com", "cio_id": "d9c106000001"},
    },
}


def stack_outputs(stack: str) -> dict[str, str]:
    result = subprocess.run(
        ["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack, "--non-interactive"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"cannot read the outputs of stack '{stack}': {result.stderr.strip()}")
    outputs: dict[str, str] = json.loads(result.stdout)
    if "webhookUrl" not in outputs:
        sys.exit(f"stack '{stack}' has no webhookUrl output: run scripts/up-local.sh first")
    return outputs


def emulator_records(origin: str, dataset_id: str, sandbox: str) -> list[dict[str, object]] | None:
    try:
        response = requests.get(
            f"{origin}/_emulator/datasets/{dataset_id}/records", params={"sandbox": sandbox}, timeout=5
        )
    except requests.RequestException:
        return None
    if response.status_code != 200:
        return None
    records: list[dict[str, object]] = response.json()["records"]
    return records


def main() -> None:
    stack = sys.argv[1] if len(sys.argv) > 1 else "local"
    outputs = stack_outputs(stack)
    response = requests.post(outputs["webhookUrl"], json=SAMPLE_EVENT, timeout=10)
    print(f"inlet answered HTTP {response.status_code}: {response.text}")
    if response.status_code != 200:
        sys.exit(1)
    url = urllib.parse.urlsplit(outputs["webhookUrl"])
    origin = f"{url.scheme}://{url.netloc}"
    for _ in range(50):
        records = emulator_records(origin, outputs["datasetId"], outputs["sandbox"])
        if records is None:
            print("Not the emulator: find the record in the dataset in the Experience Platform UI.")
            return
        landed = [r for r in records if r.get("_id") == SAMPLE_EVENT["event_id"]]
        if landed:
            print(f"record in dataset {outputs['datasetId']} (sandbox {outputs['sandbox']}):")
            print(json.dumps(landed[-1], indent=2))
            return
        time.sleep(0.2)
    sys.exit(
        "no record arrived within 10 s: see the dataflow's runs (GET /flowservice/runs?property=flowId==...)"
    )


if __name__ == "__main__":
    main()
