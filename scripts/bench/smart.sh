#!/usr/bin/env bash
# Smart playlists (release build): 100,000 tracks, a playlist of 1,000 picked by genre, years and
# the listener's plays and stars; p50/p95/p99 of listing it unchanged and after a play.
# Usage: scripts/bench/smart.sh [TRACKS] [QUERIES] (default 100000 200).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench smart --tracks "${1:-100000}" --queries "${2:-200}"
