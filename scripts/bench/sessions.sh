#!/usr/bin/env bash
# Remote control latency (release build): the server on loopback, two web players of one listener
# holding their event streams; p50/p95/p99 of a command reaching the other player and of a state
# report reaching it. Usage: scripts/bench/sessions.sh [ROUNDS] [PORT] (default 500 45990).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench sessions --rounds "${1:-500}" --port "${2:-45990}"
