#!/usr/bin/env bash
# Soak: 200 concurrent clients for MINUTES (default 10) against a generated library of TRACKS tracks
# (default 20000), a household's mix: browsing (getAlbum, getAlbumList2, getArtists), search3, streams
# read by range (the raw file's first or last 4 KB), covers, scrobbles and play-queue saves.
# Prints requests/s, p50/p99, non-2xx answers and socket errors, and the server's RSS each minute;
# the growth between minute 2 and the last minute should stay under 10%.
# THINK_MS (default 0): each client waits a random 0 to 2×THINK_MS ms before its next request, as
# people and apps do; 0 sends each next request at once (a stress run: latency is then mostly queueing,
# 200 connections over what 2 cores serve).
# It starts once the sonic analyser has measured the new library (ANALYSED=0: at once, beside it).
# Usage: scripts/bench/soak.sh [TRACKS] [MINUTES] [THINK_MS]. Uses wrk (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
minutes=${2:-10}
think=${3:-0}
seconds=10
# 200 clients from one address (loopback): above the per-address limit a household needs.
export CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS=${CANTO_SERVER_MAX_REQUESTS_PER_ADDRESS:-1000}
client=soak
source scripts/bench/server.sh
albums=$(ids "getAlbumList2?type=alphabeticalByName&size=500" albumList2.album)
songs=$(ids "getRandomSongs?size=500" randomSongs.song)
covers=$(ids "getAlbumList2?type=random&size=200" albumList2.album coverArt)
{
  echo "local albums = {"; for a in $albums; do echo "\"$a\","; done; echo "}"
  echo "local songs = {"; for s in $songs; do echo "\"$s\","; done; echo "}"
  echo "local covers = {"; for c in ${covers:-none}; do echo "\"$c\","; done; echo "}"
  echo "local words = {\"night\", \"river\", \"light\", \"dream\", \"echo\", \"stone\", \"fire\", \"winter\", \"bj\", \"cora%C3%A7%C3%A3o\"}"
  cat <<'LUA'
local auth = "AUTH"
local function pick(list) return list[math.random(#list)] end
request = function()
  local r = math.random(100)
  if r <= 25 then
    return wrk.format("GET", "/rest/getAlbum?" .. auth .. "&id=" .. pick(albums))
  elseif r <= 40 then
    local kinds = {"random", "newest", "alphabeticalByName", "frequent", "recent"}
    return wrk.format("GET", "/rest/getAlbumList2?" .. auth .. "&type=" .. pick(kinds) .. "&size=20&offset=" .. (math.random(50) * 20))
  elseif r <= 43 then
    return wrk.format("GET", "/rest/getArtists?" .. auth)
  elseif r <= 58 then
    return wrk.format("GET", "/rest/search3?" .. auth .. "&query=" .. pick(words) .. "&songCount=20")
  elseif r <= 73 then
    -- The generated clips are a second long: the first 4 KB, or the last (a player seeking to the end).
    local range = math.random(2) == 1 and "bytes=0-4095" or "bytes=-4096"
    return wrk.format("GET", "/rest/stream?" .. auth .. "&format=raw&id=" .. pick(songs), {["Range"] = range})
  elseif r <= 85 then
    return wrk.format("GET", "/rest/getCoverArt?" .. auth .. "&size=300&id=" .. pick(covers))
  elseif r <= 95 then
    return wrk.format("GET", "/rest/scrobble?" .. auth .. "&submission=true&id=" .. pick(songs))
  else
    return wrk.format("GET", "/rest/savePlayQueue?" .. auth .. "&id=" .. pick(songs) .. "&id=" .. pick(songs) .. "&current=" .. pick(songs))
  end
end
local think = THINK
if think > 0 then delay = function() return math.random(0, 2 * think) end end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
failed = 0
response = function(status, headers, body)
  -- Subsonic answers its errors with HTTP 200: count them from the body.
  if status == 200 and body and string.find(body, '"status":"failed"', 1, true) then failed = failed + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failed") end
  io.write("subsonic-failed " .. total .. "\n")
end
LUA
} | with_auth | sed "s/local think = THINK/local think = $think/" >"$work/soak.lua"
# The server's resident memory less the database file's pages its readers map (the system's file
# cache, counted once for each connection: what the System page leaves out too), in one reading of
# its smaps.
rss() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / {db = ($NF ~ /\/canto\.db$/)} /^Rss:/ {all += $2; if (db) mapped += $2}
    END {printf "%.1f", (all - mapped) / 1024}' "/proc/$server/smaps"
}
# What the caches hold (canto_cache_bytes: memory caches' estimates, disk caches' files), in MB. The
# gauges are set every few seconds, not at the scrape.
caches() {
  curl -s "$url/metrics" | awk '/^canto_cache_bytes\{/ {printf "%s %.1f  ", $1, $2 / 1048576} END {print ""}'
}
# The sonic analyser measures a new library once, in the background and below the requests; its
# index grows with every track it measures. The soak measures the household's steady state, after
# it: the time the analysis took is printed. ANALYSED=0 starts at once, beside the analysis (then
# the RSS also grows with the analysis, for as long as the load leaves it CPU).
if [ "${ANALYSED:-1}" = 1 ]; then
  token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
    "$url/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  started=$SECONDS
  until curl -s -H "Authorization: Bearer $token" "$url/api/v1/admin/analysis" \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["pending"] == 0 and not s["running"] else 1)'; do
    [ $((SECONDS - started)) -gt 1800 ] && { echo "the sonic analysis did not finish in 30 minutes"; exit 1; }
    sleep 2
  done
  echo "sonic analysis of the library: $((SECONDS - started)) s; RSS $(rss) MB"
fi
printf "%-7s %10s %9s %9s %8s %8s %8s %9s\n" minute "req/s" p50 p99 non2xx failed sockerr "RSS MB"
first=""
for minute in $(seq "$minutes"); do
  out=$(wrk -t2 -c200 -d60s --latency -s "$work/soak.lua" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  sockerr=$(awk '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out")
  failed=$(awk '/subsonic-failed/ {print $2}' <<<"$out")
  mem=$(rss)
  [ "$minute" = 2 ] && first=$mem && echo "caches at minute 2: $(caches)"
  printf "%-7s %10s %9s %9s %8s %8s %8s %9s\n" "$minute" "$rps" "$p50" "$p99" "${non2xx:-0}" "${failed:-0}" "${sockerr:-0}" "$mem"
done
echo "caches at the end: $(caches)"
if [ -n "$first" ]; then
  python3 -c "a=$first; b=$mem; print(f'RSS minute 2 {a:.1f} MB, minute $minutes {b:.1f} MB: growth {100*(b-a)/a:+.1f}%')"
fi
kill -0 "$server" && echo "server alive"
