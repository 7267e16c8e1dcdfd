"""The stack program: one `CustomerIoSource` per configured Customer.io workspace, in one AEP sandbox."""

from __future__ import annotations

import json
import os
from typing import Any

import pulumi

from components.customerio_source import CustomerIoSource, CustomerIoSourceArgs
from components.stack_config import NAMESPACE, StackConfigError, parse_stack_config


def raw_stack_config() -> dict[str, Any]:
    config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {"sandbox": config.get("sandbox")}
    sources = config.get_object("sources")
    if sources is not None:
        raw["sources"] = sources
    return {key: value for key, value in raw.items() if value is not None}


def customerio_key_configured(workspace: str | None) -> bool:
    """Only whether a key is set: the key itself stays with the provider's configure()."""
    if not workspace:
        return pulumi.runtime.get_config("customerio:appApiKey") is not None or bool(
            os.environ.get("CUSTOMERIO_APP_API_KEY")
        )
    raw = pulumi.runtime.get_config("customerio:appApiKeys") or os.environ.get("CUSTOMERIO_APP_API_KEYS")
    try:
        keys = json.loads(raw) if raw else {}
    except ValueError:
        return False
    return isinstance(keys, dict) and bool(keys.get(workspace))


def main() -> None:
    try:
        stack_config = parse_stack_config(raw_stack_config())
    except StackConfigError as error:
        raise pulumi.RunError(str(error)) from None
    inlet_timeout = pulumi.Config(NAMESPACE).get_float("inletTimeoutSeconds")
    sources = {}
    for index, source in enumerate(stack_config.sources):
        key_configured = customerio_key_configured(source.customerio_workspace)
        create_webhook = source.create_webhook if source.create_webhook is not None else key_configured
        if create_webhook and not key_configured:
            key = (
                f"--path 'customerio:appApiKeys.{source.customerio_workspace}'"
                if source.customerio_workspace
                else "customerio:appApiKey"
            )
            raise pulumi.RunError(
                f"{NAMESPACE}:sources[{index}].createWebhook is true but no Customer.io App API key is "
                f"configured for it: `pulumi config set --secret {key} <key>`"
            )
        sources[source.name] = CustomerIoSource(
            source.name,
            CustomerIoSourceArgs(
                sandbox=stack_config.sandbox,
                source=source,
                create_webhook=create_webhook,
                inlet_timeout_seconds=inlet_timeout,
            ),
        )
    pulumi.export("sandbox", stack_config.sandbox)
    pulumi.export("sources", {name: component.outputs() for name, component in sources.items()})
    if len(sources) == 1:
        (only,) = sources.values()
        pulumi.export("webhookUrl", pulumi.Output.secret(only.webhook_url))
        pulumi.export("dataflowId", only.dataflow_id)
        pulumi.export("datasetId", only.dataset_id)


main()
