#!/usr/bin/env bash
# Recommendation benchmarks (release build): the sonic analyser's pace over music-length tracks
# (and its cost against a track's length), then similar tracks and a radio's next page over an
# index of 100,000 tracks (p50/p99).
# Usage: scripts/bench/recommend.sh [TRACKS_TO_ANALYSE] [INDEX_TRACKS] (default 400, 100000).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-bench-recommend.XXXXXX")
trap 'rm -rf "$work"' EXIT
swift build -c release --product canto-bench >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bench=.build/release/canto-bench
"$bench" sonic --tracks "${1:-400}"
"$bench" similar --tracks "${2:-100000}" --queries 1000
