#!/usr/bin/env bash
# Fuzzes both APIs of a real `canto serve` over a generated library of 200 tracks: first
# scripts/fuzz/subsonic_fuzz.py against /rest (REQUESTS requests, default 10,000, as an admin and as a plain
# user, by API key), then schemathesis (from PyPI, in .build/fuzz-venv) against /api/openapi.json with an
# admin session's bearer token. Fails on any 5xx, a connection error or a server that died or logged a crash.
# Usage: scripts/fuzz/api.sh [REQUESTS]
#   CANTO_BIN=.build/debug  use these binaries instead of building the release ones
#   FUZZ_EXAMPLES=N         schemathesis examples per operation (default 50)
#   FUZZ_SKIP_SCHEMATHESIS=1  only the Subsonic fuzzer
#   FUZZ_PHASES=…           schemathesis phases (default examples,coverage,fuzzing; add stateful)
# The Subsonic fuzzer runs first: schemathesis's requests may revoke its API keys.
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-10000}
examples=${FUZZ_EXAMPLES:-50}
schemathesis_version=4.32.5
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-fuzz.XXXXXX")
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if [ -n "${CANTO_BIN:-}" ]; then
  bin=$CANTO_BIN
else
  for product in canto canto-bench; do
    swift build -c release --product "$product" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  done
  bin=.build/release
fi

venv=.build/fuzz-venv
if [ "$(cat "$venv/canto-requirements" 2>/dev/null)" != "schemathesis==$schemathesis_version" ]; then
  test -x "$venv/bin/python" || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
  echo "schemathesis==$schemathesis_version" >"$venv/canto-requirements"
fi

"$bin/canto-bench" generate --out "$work/music" --tracks 200 >/dev/null
common=(--data-dir "$work/data" --music-folder "$work/music")
"$bin/canto" scan "${common[@]}" | tail -1
password=fuzz-password-1
echo "$password" | "$bin/canto" user add fuzz --role admin --password-stdin "${common[@]}" >/dev/null
echo "$password" | "$bin/canto" user add fuzz-user --role user --password-stdin "${common[@]}" >/dev/null
# ListenBrainz is off: linking an account asks its service, which answers 503 by design when it cannot
# be reached (and nothing outside this machine is reached from a fuzz run).
CANTO_LOG_LEVEL=error CANTO_SCANNER_ON_START=false CANTO_PLUGINS_LISTENBRAINZ_ENABLED=false \
  "$bin/canto" serve --host 127.0.0.1 --port "$port" "${common[@]}" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/healthz" >/dev/null || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
sign_in() {
  curl -sf -X POST -H 'Content-Type: application/json' "$base/api/v1/auth/login" \
    -d "{\"username\": \"$1\", \"password\": \"$password\"}" | json_field token
}
new_api_key() {
  curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $1" \
    "$base/api/v1/me/api-keys" -d '{"name": "fuzz"}' | json_field key
}
token=$(sign_in fuzz)
api_key=$(new_api_key "$token")
user_api_key=$(new_api_key "$(sign_in fuzz-user)")

status=0
# Half the requests as the admin, half as a plain user.
python3 scripts/fuzz/subsonic_fuzz.py --base-url "$base" --api-key "$api_key" --api-key "$user_api_key" \
  --requests "$requests" --pid "$server" || status=1

if [ -z "${FUZZ_SKIP_SCHEMATHESIS:-}" ]; then
  # What it leaves alone, and why: scripts/fuzz/excluded-paths.txt.
  excluded=()
  while read -r path; do
    excluded+=(--exclude-path "$path")
  done < <(grep -v '^#' scripts/fuzz/excluded-paths.txt)
  # Real ids for the operations that look an item up (scripts/fuzz/schemathesis.toml).
  get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }
  pick() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
  FUZZ_ALBUM=$(get "/api/v1/albums?limit=1" | pick "['items'][0]['id']")
  FUZZ_ARTIST=$(get "/api/v1/albums?limit=1" | pick "['items'][0]['artistId']")
  FUZZ_TRACK=$(get "/api/v1/albums/$FUZZ_ALBUM" | pick "['discs'][0]['tracks'][0]['id']")
  FUZZ_USER=$(get /api/v1/me | pick "['id']")
  export FUZZ_ALBUM FUZZ_ARTIST FUZZ_TRACK FUZZ_USER
  started=$(date +%s)
  "$venv/bin/schemathesis" --config-file scripts/fuzz/schemathesis.toml run "$base/api/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error --max-examples "$examples" --seed 20 --workers 2 \
    --request-timeout 30 --phases "${FUZZ_PHASES:-examples,coverage,fuzzing}" --no-color \
    "${excluded[@]}" \
    || status=1
  signed_in=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/me")
  # A run that lost its session half way tested less than it says.
  echo "schemathesis: $(($(date +%s) - started)) s; the session still signed in afterwards: $signed_in"
fi

if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died:"; tail -50 "$work/server.log"; status=1
fi
if grep -qiE 'fatal error|panic|Precondition failed|Segmentation' "$work/server.log"; then
  echo "the server logged a crash:"
  grep -iE -m5 'fatal error|panic|Precondition failed|Segmentation' "$work/server.log"
  status=1
fi
exit $status
