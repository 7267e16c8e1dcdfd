#!/usr/bin/env bash
# Prints the project's Pulumi versions, each stated in one place:
#   (no option)  the CLI's: the github.com/pulumi/pulumi/pkg/v3 requirement in
#                tools/pulumi-engine/go.mod, from which setup.sh builds the CLI (go.sum pins its content);
#   --sdk        the Python SDK's: the `pulumi==` pin in requirements.txt.
#   --check      print the CLI's version, but first fail, naming the file, unless go.mod requires
#                pulumi/sdk/v3 at the CLI's version, constraints.txt pins the SDK like requirements.txt,
#                and the SDK is not newer than the CLI (an engine serves SDKs of its release or older).
# Why they differ: from 3.260.0 on, the SDK's dynamic-provider server sends a Python traceback as
# every provider error (README, "The two commands"), so the SDK stays at 3.259.0 while the CLI moves on.
# To move the CLI: `go get github.com/pulumi/pulumi/pkg/v3@vX.Y.Z github.com/pulumi/pulumi/sdk/v3@vX.Y.Z`
# in tools/pulumi-engine, then `go mod tidy`; tests/tools/test_pulumi_version.py also checks the
# README and the CI workflow.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

module_version() {  # the version go.mod requires of module $1, without the leading v
  sed -n "s#^[[:space:]]*\(require[[:space:]]*\)\{0,1\}$1[[:space:]][[:space:]]*v\([^[:space:]]*\).*#\2#p" \
    "$repo/tools/pulumi-engine/go.mod"
}
pip_pin() {  # the pulumi==X.Y.Z pin of file $1
  sed -n 's/^pulumi==\([^[:space:]#]*\).*/\1/p' "$repo/$1"
}
newer() {  # whether version $1 is newer than version $2
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

cli=$(module_version github.com/pulumi/pulumi/pkg/v3)
if [ -z "$cli" ] || [ "$(printf '%s\n' "$cli" | wc -l)" -ne 1 ]; then
  echo "pulumi-version: no single github.com/pulumi/pulumi/pkg/v3 requirement in tools/pulumi-engine/go.mod" >&2
  exit 1
fi
sdk=$(pip_pin requirements.txt)
if [ "${1:-}" = --sdk ]; then
  [ -n "$sdk" ] || { echo "pulumi-version: requirements.txt pins no pulumi==X.Y.Z" >&2; exit 1; }
  printf '%s\n' "$sdk"
  exit 0
fi
if [ "${1:-}" = --check ]; then
  problems=()
  go_sdk=$(module_version github.com/pulumi/pulumi/sdk/v3)
  [ "$go_sdk" = "$cli" ] || problems+=("tools/pulumi-engine/go.mod requires pulumi/sdk/v3 v${go_sdk:-?}")
  [ -n "$sdk" ] || problems+=("requirements.txt pins no pulumi==X.Y.Z")
  pin=$(pip_pin constraints.txt)
  [ "$pin" = "$sdk" ] || problems+=("constraints.txt pins pulumi==${pin:-?}, requirements.txt pulumi==${sdk:-?}")
  if [ -n "$sdk" ] && newer "$sdk" "$cli"; then
    problems+=("requirements.txt pins pulumi==$sdk, newer than the CLI")
  fi
  if [ ${#problems[@]} -gt 0 ]; then
    echo "pulumi-version: tools/pulumi-engine/go.mod builds Pulumi v$cli, but:" >&2
    printf '  %s\n' "${problems[@]}" >&2
    echo "  See scripts/pulumi-version.sh." >&2
    exit 1
  fi
fi
printf '%s\n' "$cli"
