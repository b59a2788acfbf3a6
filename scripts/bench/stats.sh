#!/usr/bin/env bash
# Listening statistics benchmark (release build): a million plays written straight into a fresh
# database, the rollups rebuilt from them, plays recorded the way the server records them, and
# every stats page asked for the heaviest listener and the household (p50/p99).
# Usage: scripts/bench/stats.sh [PLAYS] [LISTENERS] [TRACKS] (default 1000000 20 50000).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench stats --plays "${1:-1000000}" --users "${2:-20}" --tracks "${3:-50000}" --queries 200
