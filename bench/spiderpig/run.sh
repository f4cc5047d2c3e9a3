#!/usr/bin/env bash
# SpiderPig live-log benchmark: a job writing 10,000 lines/s while N WebSocket viewers watch it.
# Prints stored+delivered lines/s, the delay from storage to each viewer (p50/p99/max), the server's CPU seconds
# per 1,000 lines and job-list requests/s. Usage: bench/spiderpig/run.sh [LINES] [VIEWERS]   (default 10000 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-10000}
viewers=${2:-200}
out=bench/results/spiderpig-latest.txt
mkdir -p bench/results
swift build --build-tests >/dev/null
SPIDERPIG_BENCH=1 SPIDERPIG_BENCH_LINES=$lines SPIDERPIG_BENCH_VIEWERS=$viewers SPIDERPIG_BENCH_OUT=$out \
  swift test --skip-build --filter LiveBenchmark 2>&1 | grep -E 'SPIDERPIG-BENCH|passed|failed' || true
cat "$out"
