"""What must never happen to a user's data and secrets, proven with the real engine."""

from __future__ import annotations

import json

from emulator.testing import EmulatorAdmin
from tests.engine import changes_without_same
from tests.program.conftest import StackFactory, calls_since, objects_in


def test_no_secret_in_state_outputs_or_cli_output(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack()
    stack.up()
    webhook_url = stack.outputs(show_secrets=True)["webhookUrl"]
    stack.preview()
    stack.refresh()
    secrets = {
        "client secret": emulator.client_secret,
        "Customer.io App API key": emulator.cio_app_api_key,
        "webhook URL": webhook_url,
        # The inlet path alone is the capability too.
        "inlet URL": webhook_url.split("?")[0],
    }
    exported = json.dumps(stack.export())
    shown = json.dumps(stack.outputs())
    # Everything the CLI printed, but for the one explicit `stack output --show-secrets` above.
    transcript = "\n".join(entry for entry in stack.transcript if "--show-secrets " not in entry)
    for label, secret in secrets.items():
        assert secret not in exported, f"{label} in `pulumi stack export`"
        assert secret not in shown, f"{label} in `pulumi stack output`"
        assert secret not in transcript, f"{label} in CLI output"
    # Every access token the emulator issues starts with this JWT header.
    token_prefix = "eyJhbGciOiJSUzI1NiIsIng1dSI6ImVtdWxhdG9yIn0."
    assert token_prefix not in exported and token_prefix not in transcript
    # The secret outputs are really there, encrypted.
    assert '"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"' in exported
    assert "ciphertext" in exported


def test_destroy_keeps_data_unless_opted_in(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    emulator.set_knobs(mapping_set_delete="enabled")
    stack = program_stack()
    stack.up()
    dataset_id = stack.outputs()["datasetId"]
    emulator.deliver("customer_subscribed")
    stack.destroy()
    # The dataset, its schema and field group stay; everything that moved data is gone.
    assert objects_in(emulator, "dev") == {"fieldgroup": 1, "schema": 1, "dataset": 1}
    assert emulator.state()["customerio"]["webhooks"] == []
    assert len(emulator.records(dataset_id, "dev")) == 1
    assert stack.resources() == []
    # The CLI says which deletions were retains.
    destroy_output = next(entry for entry in reversed(stack.transcript) if "pulumi destroy" in entry)
    retained = {
        line.split()[2] for line in destroy_output.splitlines() if "deleted" in line and "[retain]" in line
    }
    assert retained == {"customerio-dataset", "customerio-schema", "customerio-field-group"}


def test_bad_configuration_fails_preview_without_traceback(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(sandbox="Not A Sandbox", sources=[{"name": "a"}, {"name": "a", "events": []}])
    seq = emulator.last_seq()
    message = stack.failing("preview")
    assert "aep-customerio:sandbox" in message
    assert "aep-customerio:sources" in message
    assert "Traceback" not in message
    assert calls_since(emulator, seq) == []


def test_unknown_event_name_fails_in_preview(program_stack: StackFactory, emulator: EmulatorAdmin) -> None:
    stack = program_stack(sources=[{"name": "cio", "events": ["email_sent", "email_exploded"]}])
    seq = emulator.last_seq()
    message = stack.failing("preview")
    assert "email_exploded" in message
    assert "Traceback" not in message
    assert calls_since(emulator, seq) == []


def test_two_sources_in_one_stack_do_not_collide(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack(
        sources=[
            {"name": "us-workspace"},
            {"name": "eu-workspace", "testMode": True, "customerioWorkspace": "eu"},
        ]
    )
    # The second Customer.io workspace has its own App API key.
    stack.set_config({}, secrets={"customerio:appApiKeys.eu": emulator.cio_second_app_api_key})
    assert stack.up() == {"create": 1 + 2 * (1 + 8)}  # the stack, then a component and 8 objects each
    sources = stack.outputs(show_secrets=True)["sources"]
    assert sources["us-workspace"]["webhookUrl"] != sources["eu-workspace"]["webhookUrl"]
    # Each webhook lives in its own workspace and points at its own source's dataflow.
    customerio = emulator.state()["customerio"]
    assert [h["endpoint"] for h in customerio["webhooks"]] == [sources["us-workspace"]["webhookUrl"]]
    second = customerio["workspaces"]["workspace-2"]
    assert [h["endpoint"] for h in second] == [sources["eu-workspace"]["webhookUrl"]]
    exported = json.dumps(stack.export())
    assert emulator.cio_second_app_api_key not in exported
    counts = objects_in(emulator, "dev")
    assert {kind: counts.get(kind) for kind in ("flow", "dataset", "schema", "fieldgroup")} == {
        "flow": 2,
        "dataset": 2,
        "schema": 2,
        "fieldgroup": 2,
    }
    # Test mode: no cio_id rule in that source's mapping set.
    mapping_sets = {m["id"]: m for m in emulator.state()["sandboxes"]["dev"]["mappingSet"]}
    eu_rules = mapping_sets[sources["eu-workspace"]["mappingSetId"]]["mappings"]
    us_rules = mapping_sets[sources["us-workspace"]["mappingSetId"]]["mappings"]
    assert not any("cio_id" in json.dumps(rule) for rule in eu_rules)
    assert any("cio_id" in json.dumps(rule) for rule in us_rules)


def test_rotating_a_credential_changes_no_resource(
    program_stack: StackFactory, emulator: EmulatorAdmin
) -> None:
    stack = program_stack()
    stack.up()
    # Credentials reach providers through configure(), never through inputs: a new secret (or a
    # new App API key) must not show up as a change to any resource.
    stack.set_config(
        {}, secrets={"aep:clientSecret": "rotated-secret", "customerio:appApiKey": "rotated-key"}
    )
    seq = emulator.last_seq()
    assert changes_without_same(stack.preview()["changeSummary"]) == {}
    assert calls_since(emulator, seq) == []
    exported = json.dumps(stack.export())
    assert "rotated-secret" not in exported and "rotated-key" not in exported
