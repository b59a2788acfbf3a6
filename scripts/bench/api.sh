#!/usr/bin/env bash
# The API at a million tracks: a catalog of TRACKS tracks (default 1000000: 80,000 albums, 300,000
# artists with a long tail) written straight into the database, a release `canto serve` on loopback,
# and wrk at concurrency 1 and 16 against Subsonic's browsing (getAlbumList2 random, newest,
# alphabetical and at a deep offset, getArtists plain and with Accept-Encoding: gzip, getArtist,
# getAlbum, getIndexes), the web UI's album grid (first and deep page), and search as you type
# with prefixes of 1 to 5 letters no cache has seen (each request a different one). Prints
# requests/s and p50/p99 for each.
# Usage: scripts/bench/api.sh [TRACKS] [SECONDS per run, default 10]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-1000000}
seconds=${2:-10}
catalog_only=1
source scripts/bench/server.sh
rest="$url/rest"
api="$url/api/v1"
token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
  "$api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
bearer=(-H "Authorization: Bearer $token")
album=$(ids "getAlbumList2?type=newest&size=1" albumList2.album | cut -d' ' -f1)
artist=$(ids "getAlbumList2?type=newest&size=1" albumList2.album artistId | cut -d' ' -f1)
deep=$(( tracks / 25 ))
echo "library: $tracks tracks; deep offsets at $deep"
declare -A urls=(
  [getAlbumList2-random]="$rest/getAlbumList2?$auth&type=random&size=20"
  [getAlbumList2-newest]="$rest/getAlbumList2?$auth&type=newest&size=20"
  [getAlbumList2-alpha]="$rest/getAlbumList2?$auth&type=alphabeticalByName&size=20"
  [getAlbumList2-deep]="$rest/getAlbumList2?$auth&type=alphabeticalByName&size=20&offset=$deep"
  [getArtists]="$rest/getArtists?$auth"
  [getArtist]="$rest/getArtist?$auth&id=$artist"
  [getAlbum]="$rest/getAlbum?$auth&id=$album"
  [getIndexes]="$rest/getIndexes?$auth"
  [albums-grid]="$api/albums?sort=name&limit=60"
  [albums-grid-deep]="$api/albums?sort=name&limit=60&offset=$deep"
)
measure_header
for name in getAlbumList2-random getAlbumList2-newest getAlbumList2-alpha getAlbumList2-deep getArtists getArtist \
  getAlbum getIndexes; do
  measure "$name" "${urls[$name]}"
done
# As the apps ask for it: OkHttp (Android) and URLSession (iOS) send Accept-Encoding: gzip themselves.
measure getArtists-gzip "${urls[getArtists]}" -H "Accept-Encoding: gzip"
for name in albums-grid albums-grid-deep; do
  measure "$name" "${urls[$name]}" "${bearer[@]}"
done
# Search as you type: 1 to 5 letters of the catalog's words, a different prefix each request, so
# that no cache has the answer (wrk's Lua picks them; the list is shuffled by seed).
python3 - "$work/words.txt" "$work/prefixes.lua" <<'PY'
import random, sys, urllib.parse
words = [w for w in open(sys.argv[1], encoding="utf-8").read().split() if w]
random.seed(19)
prefixes = sorted({w[:random.randint(1, 5)] for w in random.sample(words, min(len(words), 60000))})
random.shuffle(prefixes)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("local prefixes = {\n")
    for p in prefixes:
        out.write('"%s",\n' % urllib.parse.quote(p))
    out.write("}\n")
PY
cat >>"$work/prefixes.lua" <<'LUA'
-- Each wrk run (the warm-up, concurrency 1, concurrency 16) starts elsewhere in the list.
math.randomseed(os.time())
local n = 0
thread_offset = 0
setup = function(thread) thread:set("thread_offset", math.random(#prefixes)) end
request = function()
  n = n + 1
  local p = prefixes[((thread_offset + n * 7919) % #prefixes) + 1]
  return wrk.format("GET", "/api/v1/search?limit=8&q=" .. p)
end
LUA
echo "search as you type: $(grep -c '^"' "$work/prefixes.lua") distinct prefixes"
measure search-as-you-type "$url" "${bearer[@]}" -s "$work/prefixes.lua"
