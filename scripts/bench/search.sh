#!/usr/bin/env bash
# Search (release build): a catalog of TRACKS tracks in several scripts written straight into
# SQLite; the judged query set (Benchmarks/search-judged.tsv) with MRR@10 and recall@10 per
# category; search as you type and typo queries at concurrency 16, p50/p95/p99.
# Usage: scripts/bench/search.sh [TRACKS] (default 20000; the judged set was made at 20000).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product canto-bench >/dev/null
.build/release/canto-bench search --tracks "${1:-20000}" --judged Benchmarks/search-judged.tsv
