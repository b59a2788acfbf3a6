#!/usr/bin/env bash
# Subsonic API benchmark: a generated library of N tracks (default 20000), a release `canto serve`
# on loopback, and wrk at concurrency 1 and 16 against getAlbumList2 (random, newest),
# getArtists, getAlbum and search3. Prints requests/s and p50/p99 latency for each.
# Usage: scripts/bench/subsonic.sh [TRACKS] [SECONDS per run, default 10]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
seconds=${2:-10}
source scripts/bench/server.sh
base="http://127.0.0.1:$port/rest"
# Token auth with the app password, as Subsonic apps do (a login password would cost a bcrypt per request).
album=$(curl -s "$base/getAlbumList2?$auth&type=newest&size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["subsonic-response"]["albumList2"]["album"][0]["id"])')
declare -A urls=(
  [getAlbumList2-random]="$base/getAlbumList2?$auth&type=random&size=20"
  [getAlbumList2-newest]="$base/getAlbumList2?$auth&type=newest&size=20"
  [getArtists]="$base/getArtists?$auth"
  [getAlbum]="$base/getAlbum?$auth&id=$album"
  [search3]="$base/search3?$auth&query=night"
)
measure_header
for name in getAlbumList2-random getAlbumList2-newest getArtists getAlbum search3; do
  measure "$name" "${urls[$name]}"
done
