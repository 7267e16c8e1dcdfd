# Sourced by the other scripts: the project's Pulumi CLI first on PATH, local state by default.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$repo/.tools/bin:$repo/.venv/bin:$PATH"
# `metadata=skip`: the file backend then writes no `.attrs` sidecar files, which a kill can leave
# empty (see README "When a run is interrupted").
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$repo/.state/pulumi?metadata=skip}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
export PULUMI_RUNTIME_VIRTUALENV="$repo/.venv"
mkdir -p "$repo/.state/pulumi"
