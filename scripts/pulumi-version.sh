#!/usr/bin/env bash
# Prints the project's Pulumi version (e.g. 3.259.0). It is stated in one place: the
# github.com/pulumi/pulumi/pkg/v3 requirement in tools/pulumi-engine/go.mod, from which setup.sh
# builds the CLI (go.sum pins its content). Everything else is checked against it:
#   --check  also fail, naming the file, unless the pulumi/sdk/v3 module in go.mod and the `pulumi`
#            pins of requirements.txt and constraints.txt are that same version.
# To change the version: `go get github.com/pulumi/pulumi/pkg/v3@vX.Y.Z github.com/pulumi/pulumi/sdk/v3@vX.Y.Z`
# in tools/pulumi-engine (then `go mod tidy`), and set `pulumi==X.Y.Z` in requirements.txt and
# constraints.txt; tests/tools/test_pulumi_version.py also checks the README and the CI workflow.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

module_version() {  # the version go.mod requires of module $1, without the leading v
  sed -n "s#^[[:space:]]*\(require[[:space:]]*\)\{0,1\}$1[[:space:]][[:space:]]*v\([^[:space:]]*\).*#\2#p" \
    "$repo/tools/pulumi-engine/go.mod"
}
pip_pin() {  # the pulumi==X.Y.Z pin of file $1
  sed -n 's/^pulumi==\([^[:space:]#]*\).*/\1/p' "$repo/$1"
}

version=$(module_version github.com/pulumi/pulumi/pkg/v3)
if [ -z "$version" ] || [ "$(printf '%s\n' "$version" | wc -l)" -ne 1 ]; then
  echo "pulumi-version: no single github.com/pulumi/pulumi/pkg/v3 requirement in tools/pulumi-engine/go.mod" >&2
  exit 1
fi
if [ "${1:-}" = --check ]; then
  problems=()
  sdk=$(module_version github.com/pulumi/pulumi/sdk/v3)
  [ "$sdk" = "$version" ] || problems+=("tools/pulumi-engine/go.mod requires pulumi/sdk/v3 v${sdk:-?}")
  for pins in requirements.txt constraints.txt; do
    pin=$(pip_pin "$pins")
    [ "$pin" = "$version" ] || problems+=("$pins pins pulumi==${pin:-?}")
  done
  if [ ${#problems[@]} -gt 0 ]; then
    echo "pulumi-version: tools/pulumi-engine/go.mod builds Pulumi v$version, but:" >&2
    printf '  %s\n' "${problems[@]}" >&2
    echo "  The Python SDK and the CLI must be the same release; see scripts/pulumi-version.sh." >&2
    exit 1
  fi
fi
printf '%s\n' "$version"
