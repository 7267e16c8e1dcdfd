#!/usr/bin/env bash
# Sends Adobe's sample Customer.io event through the stack's webhook URL and shows the stored record.
# Usage: scripts/send-sample-event.sh [stack]   (default: local)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-local-emulator-passphrase}"
exec "$repo/.venv/bin/python" "$repo/scripts/send_sample_event.py" "$@"
