#!/usr/bin/env bash
# Subsonic API benchmark: a generated library of N tracks (default 20000), a release `canto serve`
# on loopback, and wrk at concurrency 1 and 16 against getAlbumList2 (random, newest),
# getArtists, getAlbum and search3. Prints requests/s and p50/p99 latency for each.
# Usage: scripts/bench/subsonic.sh [TRACKS] [SECONDS per run, default 10]. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-bench-subsonic.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
for product in canto canto-bench; do
  swift build -c release --product "$product" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done
bin=.build/release
"$bin/canto-bench" generate --out "$work/music" --tracks "$tracks"
common=(--data-dir "$work/data" --music-folder "$work/music")
"$bin/canto" scan "${common[@]}" | tail -1
app=$(echo "bench-password-1" | "$bin/canto" user add bench --role admin --password-stdin "${common[@]}" \
  | sed -n 's/.*shown once): //p')
CANTO_LOG_LEVEL=warning CANTO_SCANNER_ON_START=false "$bin/canto" serve --host 127.0.0.1 --port "$port" "${common[@]}" &
server=$!
base="http://127.0.0.1:$port/rest"
# Token auth with the app password, as Subsonic apps do (a login password would cost a bcrypt per request).
salt=c19b2d
token=$(printf '%s%s' "$app" "$salt" | md5sum | cut -d' ' -f1)
auth="u=bench&t=$token&s=$salt&v=1.16.1&c=bench&f=json"
for _ in $(seq 50); do curl -sf "$base/ping?$auth" >/dev/null && break; sleep 0.2; done
album=$(curl -s "$base/getAlbumList2?$auth&type=newest&size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["subsonic-response"]["albumList2"]["album"][0]["id"])')
declare -A urls=(
  [getAlbumList2-random]="$base/getAlbumList2?$auth&type=random&size=20"
  [getAlbumList2-newest]="$base/getAlbumList2?$auth&type=newest&size=20"
  [getArtists]="$base/getArtists?$auth"
  [getAlbum]="$base/getAlbum?$auth&id=$album"
  [search3]="$base/search3?$auth&query=night"
)
printf "%-22s %5s %10s %9s %9s\n" endpoint conc "req/s" p50 p99
for name in getAlbumList2-random getAlbumList2-newest getArtists getAlbum search3; do
  for concurrency in 1 16; do
    threads=$(( concurrency < 2 ? 1 : 2 ))
    out=$(wrk -t"$threads" -c"$concurrency" -d"${seconds}s" --latency "${urls[$name]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf "%-22s %5s %10s %9s %9s\n" "$name" "$concurrency" "$rps" "$p50" "$p99"
  done
done
