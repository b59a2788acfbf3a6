#!/usr/bin/env bash
# Scan benchmark: generates N tracks with the project's generator, then measures the first
# scan (tracks/s), a no-change rescan (seconds) and the scanning process's peak RSS.
# Usage: scripts/bench/scan.sh [TRACKS] (default 20000). Release build; prints its figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
tracks=${1:-20000}
work=$(mktemp -d "${TMPDIR:-/tmp}/canto-bench-scan.XXXXXX")
trap 'rm -rf "$work"' EXIT
swift build -c release --product canto-bench >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bench=.build/release/canto-bench
"$bench" generate --out "$work/music" --tracks "$tracks"
"$bench" scan --data-dir "$work/data" --music-folder "$work/music"
