#!/usr/bin/env bash
# Sets up everything on a fresh machine: the project's virtualenv with the pinned packages, and a
# Pulumi CLI of the project's Pulumi version (the one on PATH if it matches, otherwise built from the
# Go module proxy into .tools/). Safe to run again: a second run takes seconds.
# The version is read from tools/pulumi-engine/go.mod (scripts/pulumi-version.sh); setup refuses to
# go on when the Python SDK pins in requirements.txt / constraints.txt name another release.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

python_version=3.11
pulumi_version=$(bash scripts/pulumi-version.sh --check)
tools="$repo/.tools"
bin="$tools/bin"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/aep-customerio-iac"
log() { printf 'setup: %s\n' "$*" >&2; }

install_python_packages() {
  local python stamp wanted
  python=$(command -v "python$python_version" || true)
  if [ -z "$python" ]; then
    log "python$python_version not found on PATH; install CPython $python_version and run again."
    exit 1
  fi
  [ -x .venv/bin/python ] || { log "creating .venv with $python"; "$python" -m venv .venv; }
  stamp=.venv/.requirements.sha256
  wanted=$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing pinned Python packages"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      -r requirements-dev.txt -c constraints.txt
    echo "$wanted" >"$stamp"
  fi
}

pulumi_on_path_matches() {
  local found
  found=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$bin\$" | paste -sd:) \
    command -v pulumi || true)
  [ -n "$found" ] || return 1
  [ "$("$found" version 2>/dev/null)" = "v$pulumi_version" ] || return 1
  command -v pulumi-language-python >/dev/null || return 1
  ln -sf "$found" "$bin/pulumi"
  log "using $found (v$pulumi_version) from PATH"
}

build_pulumi_cli() {
  local built="$cache/pulumi-v$pulumi_version/pulumi"
  if [ ! -x "$built" ] || [ "$("$built" version 2>/dev/null)" != "v$pulumi_version" ]; then
    command -v go >/dev/null || { log "no pulumi v$pulumi_version on PATH and no Go to build it"; exit 1; }
    log "building the Pulumi CLI v$pulumi_version from the Go module proxy (a few minutes, once)"
    mkdir -p "$(dirname "$built")"
    (cd tools/pulumi-engine && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -o "$built.tmp" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    mv "$built.tmp" "$built"
  fi
  install -m 0755 "$built" "$bin/pulumi"
}

install_python_runtime_scripts() {
  # The exec shim and the dynamic-provider launcher ship inside the Go SDK module of the release.
  local sdk
  sdk=$(cd tools/pulumi-engine && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3 2>/dev/null || true)
  if [ -z "$sdk" ] || [ ! -d "$sdk" ]; then
    (cd tools/pulumi-engine && GOFLAGS=-mod=readonly go mod download github.com/pulumi/pulumi/sdk/v3)
    sdk=$(cd tools/pulumi-engine && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  fi
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
  # Pulumi's Go language host module is not served by every module proxy; ours speaks the same protocol.
  cat >"$bin/pulumi-language-python" <<EOF
#!/bin/sh
exec "$repo/.venv/bin/python" "$repo/tools/language_host/host.py" --use-executor "$bin/pulumi-language-python-exec" "\$@"
EOF
  chmod 0755 "$bin/pulumi-language-python"
}

install_dynamic_provider_launcher() {
  # Replaces Pulumi's own `pulumi-resource-pulumi-python` (a shell script that runs
  # `python -m pulumi.dynamic`, four worker threads): ours execs the virtualenv's Python on
  # tools/dynamic_provider/server.py, Pulumi's server with as many workers as the CLI's --parallel.
  cat >"$bin/pulumi-resource-pulumi-python" <<LAUNCHER
#!/bin/sh
venv="\${PULUMI_RUNTIME_VIRTUALENV:-$repo/.venv}"
case "\$venv" in /*) ;; *) venv="\$PWD/\$venv" ;; esac
if [ ! -x "\$venv/bin/python" ]; then
  echo "pulumi-resource-pulumi-python: no virtualenv at \$venv; run $repo/scripts/setup.sh" >&2
  exit 1
fi
PATH="\$venv/bin:\$PATH"
export PATH
unset PYTHONHOME
exec "\$venv/bin/python" -u "$repo/tools/dynamic_provider/server.py" "\$@"
LAUNCHER
  chmod 0755 "$bin/pulumi-resource-pulumi-python"
}

mkdir -p "$bin"
install_python_packages
if ! pulumi_on_path_matches; then
  build_pulumi_cli
  install_python_runtime_scripts
fi
install_dynamic_provider_launcher
log "ready: $("$bin/pulumi" version) in $bin"
