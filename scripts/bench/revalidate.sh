#!/usr/bin/env bash
# Revalidation benchmark: a generated library of N tracks (default 20000), a release `canto serve`
# on loopback, and scripts/bench/revalidate.py, which loads the web UI's static files, the album
# grid with its covers and an album page cold and then revalidated (If-None-Match), and prints the
# bytes and the time each load took. Needs no wrk.
# Usage: scripts/bench/revalidate.sh [TRACKS] [RUNS, default 20]. BIN=.build/debug for a debug build.
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
runs=${2:-20}
bin=${BIN:-.build/release}
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-bench-revalidate.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ "$bin" = .build/release ]; then
  for product in canto canto-bench; do
    swift build -c release --product "$product" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  done
fi
"$bin/canto-bench" generate --out "$work/music" --tracks "$tracks"
common=(--data-dir "$work/data" --music-folder "$work/music")
"$bin/canto" scan "${common[@]}" | tail -1
echo "bench-password-1" | "$bin/canto" user add bench --role admin --password-stdin "${common[@]}" >/dev/null
sync
CANTO_LOG_LEVEL=warning CANTO_SCANNER_ON_START=false "$bin/canto" serve --host 127.0.0.1 --port "$port" "${common[@]}" &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
  "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "library: $tracks tracks"
python3 scripts/bench/revalidate.py "$base" "$token" web "$runs"
