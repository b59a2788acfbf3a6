#!/usr/bin/env bash
# The recommenders' offline evaluation (release build): a synthetic household split by time,
# each recommender's recall@10, nDCG@10, coverage and diversity against random, popularity and
# ALS (implicit 0.7.2, installed into .build/bench-venv on first use).
# Usage: scripts/bench/recommend-eval.sh [TRACKS] [LISTENERS] [SESSIONS] (default 2000 12 60).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! .build/bench-venv/bin/python -c "import implicit" 2>/dev/null; then
  python3 -m venv .build/bench-venv
  .build/bench-venv/bin/pip install -q implicit==0.7.2
fi
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench recommend --tracks "${1:-2000}" --users "${2:-12}" --sessions "${3:-60}" \
  --python .build/bench-venv/bin/python
