#!/usr/bin/env bash
# Starts the local AEP + Customer.io emulator in the background unless it already answers.
# Usage: scripts/emulator.sh [start|stop|status]   (port: EMULATOR_PORT, default 8765)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
port=${EMULATOR_PORT:-8765}
url="http://127.0.0.1:$port"
pid_file="$repo/.state/emulator.pid"

answers() { curl -fsS -o /dev/null --max-time 2 "$url/_emulator/knobs" 2>/dev/null; }

case "${1:-start}" in
  start)
    if answers; then echo "emulator already running at $url" >&2; exit 0; fi
    nohup "$repo/.venv/bin/python" -m emulator --port "$port" --state "$repo/.state/emulator.sqlite3" \
      >"$repo/.state/emulator.log" 2>&1 &
    echo $! >"$pid_file"
    for _ in $(seq 1 50); do answers && { echo "emulator started at $url (log: .state/emulator.log)" >&2; exit 0; }; sleep 0.2; done
    echo "emulator did not start; see $repo/.state/emulator.log" >&2; exit 1 ;;
  stop)
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null && rm -f "$pid_file" && echo "emulator stopped" >&2 ;;
  status)
    answers && echo "running at $url" || { echo "not running"; exit 1; } ;;
esac
