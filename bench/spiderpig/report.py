#!/usr/bin/env python3
"""Summarises one SpiderPig live-log benchmark run (called by bench/spiderpig/run.sh).

usage: report.py TIMES LINES CPU_SECONDS VIEWER_FILE...
TIMES: "index time" per chunk the stand-in scap wrote (the wall-clock time it wrote lines index.. of the chunk).
Viewer files: "first last time" per message a viewer received (see viewers/Viewers.swift), "# viewer ..." lines.
Prints one JSON object: viewers, complete, errors, lines delivered, delay percentiles (ms) over every line at
every viewer (a line's delay: the time its message arrived minus the time scap wrote it), CPU ms per 1,000 lines.
"""
import bisect
import json
import sys

times_path, lines, cpu = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
chunks = []
with open(times_path) as f:
    for row in f:
        index, at = row.split()
        chunks.append((int(index), float(at)))
chunks.sort()
starts = [c[0] for c in chunks]

weights = {}  # delay in 0.1 ms buckets -> lines
viewers = complete = errors = delivered = 0
for path in sys.argv[4:]:
    with open(path) as f:
        for row in f:
            if row.startswith("#"):
                parts = row.split()
                viewers += 1
                errors += abs(int(parts[4]))
                complete += parts[6] == "True" or parts[6] == "true"
                continue
            first, last, at = row.split()
            first, last, at = int(first), int(last), float(at)
            k = max(0, bisect.bisect_right(starts, first) - 1)
            while k < len(chunks) and chunks[k][0] <= last:
                low = max(first, chunks[k][0])
                high = min(last, (chunks[k + 1][0] - 1) if k + 1 < len(chunks) else last)
                if high >= low:
                    bucket = round((at - chunks[k][1]) * 10000)
                    weights[bucket] = weights.get(bucket, 0) + high - low + 1
                    delivered += high - low + 1
                k += 1


def percentile(p):
    if not weights:
        return float("nan")
    target = p * delivered
    seen = 0
    for bucket in sorted(weights):
        seen += weights[bucket]
        if seen >= target:
            return bucket / 10.0
    return max(weights) / 10.0


print(json.dumps({
    "viewers": viewers, "complete": complete, "errors": errors, "delivered": delivered,
    "expected": viewers * lines, "p50_ms": percentile(0.50), "p95_ms": percentile(0.95),
    "p99_ms": percentile(0.99), "max_ms": max(weights) / 10.0 if weights else float("nan"),
    "cpu_ms_per_1000_lines": cpu * 1000 / (lines / 1000),
}))
