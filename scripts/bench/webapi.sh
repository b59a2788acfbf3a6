#!/usr/bin/env bash
# Web UI API benchmark: a generated library of N tracks (default 100000, the size the web UI must
# stay quick at), a release `canto serve` on loopback, and wrk at concurrency 1 and 16 against
# the calls the web UI's pages make: the album grid (first page and a deep page), the artist
# list, an album page, search as you type and the play queue. Prints requests/s and p50/p99.
# Usage: scripts/bench/webapi.sh [TRACKS] [SECONDS per run, default 10]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-100000}
seconds=${2:-10}
source scripts/bench/server.sh
base="http://127.0.0.1:$port/api/v1"
token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
  "$base/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
bearer=(-H "Authorization: Bearer $token")
albums=$(curl -s "${bearer[@]}" "$base/albums?sort=newest&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
tracks_json=$(curl -s "${bearer[@]}" "$base/albums/$albums" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps([t["id"] for disc in d["discs"] for t in disc["tracks"]]))')
curl -s -o /dev/null "${bearer[@]}" -X PUT -H 'Content-Type: application/json' \
  -d "{\"trackIds\": $tracks_json, \"currentIndex\": 0, \"positionMs\": 0}" "$base/me/queue"
echo "library: $tracks tracks; album page of 60, deep page at offset $(( tracks / 20 ))"
declare -A urls=(
  [albums-first-page]="$base/albums?sort=name&limit=60"
  [albums-deep-page]="$base/albums?sort=name&limit=60&offset=$(( tracks / 20 ))"
  [albums-newest]="$base/albums?sort=newest&limit=60"
  [artists]="$base/artists?limit=100"
  [album]="$base/albums/$albums"
  [search-as-you-type]="$base/search?q=nig&limit=8"
  [queue]="$base/me/queue"
)
measure_header
for name in albums-first-page albums-deep-page albums-newest artists album search-as-you-type queue; do
  measure "$name" "${urls[$name]}" "${bearer[@]}"
done
