#!/usr/bin/env bash
# The main job: set up, start the emulator if needed, `pulumi up` the `local` stack against it,
# and print the Customer.io webhook URL. Extra arguments go to `pulumi up`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/env.sh
# The local stack's secrets are the emulator's fake credentials, encrypted with this passphrase.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-local-emulator-passphrase}"
bash scripts/emulator.sh start
pulumi stack select --create local --non-interactive >/dev/null
pulumi up --yes --stack local --non-interactive "$@"
echo
echo "Customer.io webhook URL (a secret: anyone holding it can write into the dataset):"
pulumi stack output webhookUrl --show-secrets --stack local
