"""The stack program: one `CustomerIoSource` per configured Customer.io workspace, in one AEP sandbox.

The program runs during `pulumi preview` too: every configuration mistake, in the stack's own keys
(`aep-customerio:*`) and in the providers' (`aep:*`, `customerio:*`, validated by the same
`providers.settings` models the providers use), fails here, before any object exists.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from aep_customerio.components.customerio_source import CustomerIoSource, CustomerIoSourceArgs
from aep_customerio.components.stack_config import (
    NAMESPACE,
    StackConfig,
    StackConfigError,
    parse_stack_config,
)
from aep_customerio.providers.settings import ConfigurationError, Settings, load_settings


def raw_stack_config() -> dict[str, Any]:
    """Every `aep-customerio:*` key as set (objects decoded), so a misspelt key is reported too."""
    prefix = f"{NAMESPACE}:"
    raw: dict[str, Any] = {}
    for key in sorted({*CONFIG.get(), *get_config_env()}):
        value = pulumi.runtime.get_config(key)
        if not key.startswith(prefix) or value is None:
            continue
        if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
            # Not JSON: the model reports it as not a list or object, by key.
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        raw[key.removeprefix(prefix)] = value
    return raw


def webhook_decisions(stack_config: StackConfig, settings: Settings) -> tuple[list[bool], list[str]]:
    """Per source, whether to create its Customer.io webhook (default: when its key is configured)."""
    decisions, problems = [], []
    for index, source in enumerate(stack_config.sources):
        workspace = source.customerio_workspace or ""
        key_configured = settings.has_customerio_key(workspace)
        create = source.create_webhook if source.create_webhook is not None else key_configured
        if create and not key_configured:
            key = f"--path 'customerio:appApiKeys.{workspace}'" if workspace else "customerio:appApiKey"
            problems.append(
                f"{NAMESPACE}:sources[{index}].createWebhook is true but no Customer.io App API key is "
                f"configured for it: `pulumi config set --secret {key} <key>`"
            )
        decisions.append(create)
    return decisions, problems


def main() -> None:
    problems: list[str] = []
    stack_config: StackConfig | None = None
    try:
        stack_config = parse_stack_config(raw_stack_config())
    except StackConfigError as error:
        problems.append(str(error))
    settings = load_settings(pulumi.runtime.get_config)
    try:
        settings.check()
    except ConfigurationError as error:
        problems.append(str(error))
    create_webhooks: list[bool] = []
    if stack_config is not None:
        create_webhooks, webhook_problems = webhook_decisions(stack_config, settings)
        problems += webhook_problems
    if problems or stack_config is None:
        raise pulumi.RunError("\n".join(problems))

    sources = {}
    for source, create_webhook in zip(stack_config.sources, create_webhooks, strict=True):
        sources[source.name] = CustomerIoSource(
            source.name,
            CustomerIoSourceArgs.from_config(
                stack_config.sandbox, source, create_webhook, stack_config.inlet_timeout_seconds
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
