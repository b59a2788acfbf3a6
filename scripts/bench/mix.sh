#!/usr/bin/env bash
# A household's mix against a generated library of N tracks (default 20000), 200 connections: browsing
# (getAlbumList2 random and newest, getAlbum of 500 albums, getArtists, search3 of a few words) with and
# without plays (every tenth request a scrobble of a random track, as many listeners' apps send).
# A play must not empty the catalog caches, so both runs should be within 20% of each other.
# Usage: scripts/bench/mix.sh [TRACKS] [SECONDS per run, default 20]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
seconds=${2:-20}
# 200 clients from one address (loopback): above the per-address limit a household needs.
export CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS=${CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS:-1000}
# The sonic analyser off: after the scan it would take a share of the CPU that changes from one
# run to the next (13% in one run, less in another), and the runs are compared with each other.
export CANTO_RECOMMENDATIONS_ANALYSE=${CANTO_RECOMMENDATIONS_ANALYSE:-false}
source scripts/bench/server.sh
base="/rest"
albums=$(ids "getAlbumList2?type=alphabeticalByName&size=500" albumList2.album)
songs=$(ids "getRandomSongs?size=500" randomSongs.song)
write_lua() {  # write_lua FILE PLAYS(0|1)
  {
    echo "local browse = {"
    for a in $albums; do echo "  \"$base/getAlbum?$auth&id=$a\","; done
    for i in $(seq 100); do
      echo "  \"$base/getAlbumList2?$auth&type=random&size=20\","
      echo "  \"$base/getAlbumList2?$auth&type=newest&size=20&offset=$((i * 20))\","
    done
    for i in $(seq 20); do echo "  \"$base/getArtists?$auth\","; done
    for w in night river light dream echo stone fire winter; do echo "  \"$base/search3?$auth&query=$w\","; done
    echo "}"
    echo "local songs = {"
    for s in $songs; do echo "  \"$s\","; done
    echo "}"
    echo "local plays = $2"
    echo "local n = 0"
    cat <<'LUA'
request = function()
  n = n + 1
  if plays == 1 and n % 10 == 0 then
    local path = "/rest/scrobble?" .. "AUTH" .. "&submission=true&id=" .. songs[math.random(#songs)]
    return wrk.format("GET", path)
  end
  return wrk.format("GET", browse[math.random(#browse)])
end
LUA
  } | with_auth >"$1"
}
write_lua "$work/browse.lua" 0
write_lua "$work/plays.lua" 1
wrk -t2 -c200 -d3s -s "$work/browse.lua" "$url" >/dev/null
printf "%-24s %10s %9s %9s %8s %12s\n" mix "req/s" p50 p99 errors "CPU ms/req"
for run in browse plays browse plays; do
  measure_cpu -t2 -c200 -d"${seconds}s" -s "$work/$run.lua" "$url"
  label=$([ "$run" = plays ] && echo "browsing + 10% scrobbles" || echo "browsing only")
  printf "%-24s %10s %9s %9s %8s %12s\n" "$label" "$rps" "$p50" "$p99" "$errors" "$cpu"
done
# Where the writer's time went: each repository's transactions over both runs (from /metrics).
echo
curl -s "$url/metrics" | python3 -c '
import re, sys
sums, counts = {}, {}
for line in sys.stdin:
    m = re.match(r"canto_db_(query|wait)_seconds_(sum|count)\{(.*)\} (\S+)", line)
    if not m: continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(3)))
    key = (labels.get("repository"), labels.get("access"), m.group(1))
    (sums if m.group(2) == "sum" else counts)[key] = float(m.group(4))
print("%-16s %-6s %9s %12s %12s" % ("repository", "access", "count", "query ms", "wait ms"))
for (repo, access, kind), count in sorted(counts.items()):
    if kind != "query" or count == 0: continue
    wait = sums.get((repo, access, "wait"), 0) / max(counts.get((repo, access, "wait"), 1), 1)
    print("%-16s %-6s %9d %12.2f %12.2f" % (repo, access, count, 1000 * sums[(repo, access, kind)] / count, 1000 * wait))
'
