#!/usr/bin/env bash
# Scrobbles alone: what one play costs the server. A generated library of N tracks (default 20000) is
# scanned, then 20 connections send `scrobble?submission=true` of 500 random songs as fast as they are
# answered, for SECONDS (default 10) a run, RUNS runs (default 3) after a warm-up. Each run prints
# scrobbles/s, p50/p99, non-2xx answers and the server's CPU time a scrobble (from /proc: steadier than
# scrobbles/s on a machine whose neighbours take a varying share of the cores), then the plays' write
# transactions and how many plays each took (group commit), from /metrics.
# Usage: scripts/bench/plays.sh [TRACKS] [SECONDS] [RUNS]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
seconds=${2:-10}
runs=${3:-3}
# 20 clients from one address (loopback): above the per-address limit a household needs.
export CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS=${CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS:-1000}
# The sonic analyser off: it would take a share of the CPU that changes from one run to the next.
export CANTO_RECOMMENDATIONS_ANALYSE=${CANTO_RECOMMENDATIONS_ANALYSE:-false}
source scripts/bench/server.sh
songs=$(ids "getRandomSongs?size=500" randomSongs.song)
{
  echo "local songs = {"
  for s in $songs; do echo "  \"$s\","; done
  echo "}"
  cat <<'LUA'
request = function()
  return wrk.format("GET", "/rest/scrobble?AUTH&submission=true&id=" .. songs[math.random(#songs)])
end
LUA
} | with_auth >"$work/plays.lua"
# A Subsonic error is answered with HTTP 200: one scrobble is checked by hand first.
first=${songs%% *}
curl -s "$url/rest/scrobble?$auth&submission=true&id=$first" | grep -q '"status":"ok"' \
  || { echo "a scrobble failed: $(curl -s "$url/rest/scrobble?$auth&submission=true&id=$first")"; exit 1; }
wrk -t2 -c20 -d3s -s "$work/plays.lua" "$url" >/dev/null
# The plays' write transactions so far, and the plays in them (history's writes on /metrics).
writes() {
  curl -s "$url/metrics" | awk '/^canto_db_query_seconds_count\{repository="history",access="write"\}/ {print $2}'
}
printf "%-6s %12s %9s %9s %8s %16s\n" run "scrobbles/s" p50 p99 errors "CPU ms/scrobble"
first_writes=$(writes)
total=0
for run in $(seq "$runs"); do
  measure_cpu -t2 -c20 -d"${seconds}s" -s "$work/plays.lua" "$url"
  total=$((total + requests))
  printf "%-6s %12s %9s %9s %8s %16s\n" "$run" "$rps" "$p50" "$p99" "$errors" "$cpu"
done
last_writes=$(writes)
[ "${last_writes:-0}" -gt "${first_writes:-0}" ] || { echo "no play was written"; exit 1; }
awk -v a="${first_writes:-0}" -v b="${last_writes:-0}" -v n="$total" \
  'BEGIN {w = b - a; printf "\nplays written: %d in %d write transactions (%.1f a transaction)\n", n, w, (w > 0 ? n / w : 0)}'
