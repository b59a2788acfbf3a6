# Shared by the HTTP benchmarks (source it): builds release binaries, generates a library of
# $tracks tracks and scans it (or, with catalog_only=1, writes the catalog straight into the database), creates the admin "bench" (password bench-password-1), starts
# `canto serve` on loopback and defines `measure NAME URL [wrk options]`, which prints
# requests/s and p50/p99 latency at concurrency 1 and 16 after a warm-up. Sets $port, $url, $app (the
# app password) and $auth (Subsonic's token authentication of "bench", client $client or "bench");
# `ids METHOD-QUERY JSON-PATH [KEY]` lists ids from a Subsonic answer; `with_auth` writes $auth where a script says AUTH.
command -v wrk >/dev/null || bash scripts/setup.sh --bench
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-bench-http.XXXXXX")
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# CANTO_BIN=.build/debug runs the debug binaries instead (a quick check of a script, not a figure).
bin=${CANTO_BIN:-.build/release}
if [ -z "${CANTO_BIN:-}" ]; then
  for product in canto canto-bench; do
    swift build -c release --product "$product" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  done
fi
common=(--data-dir "$work/data" --music-folder "$work/music")
if [ -n "${catalog_only:-}" ]; then
  # The catalog written straight into the database (no files: sizes no disk would hold quickly);
  # the catalog's words go to $work/words.txt.
  mkdir -p "$work/music"
  "$bin/canto-bench" catalog --data-dir "$work/data" --tracks "$tracks" --words "$work/words.txt"
else
  "$bin/canto-bench" generate --out "$work/music" --tracks "$tracks"
  "$bin/canto" scan "${common[@]}" | tail -1
fi
app=$(echo "bench-password-1" | "$bin/canto" user add bench --role admin --password-stdin "${common[@]}" \
  | sed -n 's/.*shown once): //p')
# The generated library and the scan's database are written back to disk now, not during the first
# measurement (the kernel's write-back of 20,000 new files took CPU from the first endpoint's run).
sync
# A catalog written straight into the database has no files: the sonic analyser would try each of
# its tracks in turn for the whole run, beside the measurements, so it is off there.
# A bench may turn it off itself (CANTO_RECOMMENDATIONS_ANALYSE=false, as mix.sh does).
analyse=${CANTO_RECOMMENDATIONS_ANALYSE:-true}
[ -n "${catalog_only:-}" ] && analyse=false
CANTO_LOG_LEVEL=warning CANTO_SCANNER_ON_START=false CANTO_RECOMMENDATIONS_ANALYSE=$analyse \
  "$bin/canto" serve --host 127.0.0.1 --port "$port" "${common[@]}" &
server=$!
url="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.2; done
salt=c19b2d
auth="u=bench&t=$(printf '%s%s' "$app" "$salt" | md5sum | cut -d' ' -f1)&s=$salt&v=1.16.1&c=${client:-bench}&f=json"

# ids "getAlbumList2?type=…&size=500" albumList2.album [key]: the ids (or another key) of a list's items.
ids() {
  curl -s "$url/rest/$1&$auth" | python3 -c '
import json, sys
path, key = sys.argv[1].split("."), sys.argv[2]
items = json.load(sys.stdin)["subsonic-response"]
for part in path: items = items[part]
print(" ".join(item[key] for item in items if item.get(key)))' "$2" "${3:-id}"
}

# A Lua script with $auth in place of AUTH (an & in a sed replacement would stand for the match).
with_auth() { sed "s|AUTH|${auth//&/\\&}|"; }

# measure_cpu WRK-ARGUMENTS…: one wrk run with --latency; sets rps, p50, p99, errors (non-2xx/3xx),
# requests and cpu, the server's CPU time (user and system, from /proc) in ms a request: steadier than
# req/s on a machine whose neighbours take a varying share of the cores.
measure_cpu() {
  local before after out
  before=$(awk '{print $14 + $15}' "/proc/$server/stat")
  out=$(wrk --latency "$@")
  after=$(awk '{print $14 + $15}' "/proc/$server/stat")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errors=${errors:-0}
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.3f", 1000 * t / hz / n}')
}

measure_header() { printf "%-22s %5s %10s %9s %9s\n" endpoint conc "req/s" p50 p99; }

# measure NAME URL [extra wrk arguments, e.g. -H "Authorization: Bearer …"]
# A 2-second warm-up at concurrency 16 comes first and is not counted: the server opens its
# pooled database connections (and compiles their cached statements) on first need.
measure() {
  local name=$1 url=$2
  shift 2
  wrk -t2 -c16 -d2s "$@" "$url" >/dev/null
  for concurrency in 1 16; do
    threads=$(( concurrency < 2 ? 1 : 2 ))
    out=$(wrk -t"$threads" -c"$concurrency" -d"${seconds}s" --latency "$@" "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf "%-22s %5s %10s %9s %9s\n" "$name" "$concurrency" "$rps" "$p50" "$p99"
  done
}
