#!/usr/bin/env bash
# Spotify import benchmark (release build): a fake Spotify account with 10,000 liked songs and
# 50 playlists of 100 against a 20,000-track library, linked through the server's OAuth flow, then
# the first sync (every page read, every track matched) and a second (nothing changed), timed.
# Usage: scripts/bench/spotify.sh [LIKES] [PLAYLISTS] [TRACKS] (default 10000 50 20000).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench spotify --likes "${1:-10000}" --playlists "${2:-50}" --tracks "${3:-20000}"
