#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup (idempotent), lint, type check, then every test,
# including the real-engine tests. Extra arguments go to pytest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
export PATH="$repo/.tools/bin:$PATH"
.venv/bin/ruff check .
.venv/bin/mypy
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests, which is a failure here" >&2
fi
exit "$status"
