#!/usr/bin/env bash
# Benchmark of our `cookbook` (Swift trees compiled into a cached executable) against Python Spicerack
# 14.0.0's `cookbook` on equivalent generated trees. See bench/README.md ("Cookbook runner") for what is
# measured and why.
#
# usage: bench/cookbook/run.sh [--reps N] [--quick] [--groups G] [--per-group P] [--no-build]
#                              [--timeout S] [--out FILE] [--bench-dir DIR]
#   --reps N       repetitions of every case, tools interleaved inside each repetition (default 5)
#   --quick        smoke test (~1 min once the binaries are built): 2 reps, 5 x 20 = 100 cookbooks;
#                  writes bench/results/cookbook-quick.md unless --out is given
#   --groups G     groups of the generated trees (default 25; quick 5)
#   --per-group P  cookbooks per group (default 20)
#   --no-build     use the binaries already in the scratch path
#   --timeout S    per-run kill timeout (default 600; the cold tree build gets 3 x S)
#   --out FILE     Markdown report (default bench/results/cookbook-latest.md; raw runs next to it as .jsonl)
#   --bench-dir    work directory: venv, trees, caches, logs, outputs (default $COOKBOOK_BENCH_DIR or
#                  /tmp/cookbook-bench)
# Environment: SCRATCH_PATH (default <repo>/.build-bench), PYTHON (to create the venv, default python3).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
BENCH_DIR=${COOKBOOK_BENCH_DIR:-/tmp/cookbook-bench}
SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-bench}
PYTHON=${PYTHON:-python3}
REPS= GROUPS_N= PER_GROUP=20 QUICK=0 BUILD=1 TIMEOUT=600 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --groups) GROUPS_N=$2; shift 2 ;;
    --per-group) PER_GROUP=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --bench-dir) BENCH_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cookbook/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $QUICK == 1 ]]; then
  REPS=${REPS:-2} GROUPS_N=${GROUPS_N:-5}
  OUT=${OUT:-$BENCH/results/cookbook-quick.md}
else
  REPS=${REPS:-5} GROUPS_N=${GROUPS_N:-25}
  OUT=${OUT:-$BENCH/results/cookbook-latest.md}
fi
[[ $REPS =~ ^[0-9]+$ && $REPS -ge 1 && $REPS -le 50 ]] || { echo "cookbook/run.sh: --reps must be 1..50" >&2; exit 2; }
[[ $GROUPS_N =~ ^[0-9]+$ && $GROUPS_N -ge 2 && $GROUPS_N -le 99 ]] || { echo "cookbook/run.sh: --groups must be 2..99" >&2; exit 2; }
[[ $PER_GROUP =~ ^[0-9]+$ && $PER_GROUP -ge 8 && $PER_GROUP -le 99 ]] || { echo "cookbook/run.sh: --per-group must be 8..99" >&2; exit 2; }
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -ge 10 ]] || { echo "cookbook/run.sh: --timeout must be >= 10 s" >&2; exit 2; }
N=$((GROUPS_N * PER_GROUP))

BIN=$SCRATCH_PATH/release
VENV=$BENCH_DIR/venv
TREES=$BENCH_DIR/trees-$GROUPS_N-$PER_GROUP
W=$BENCH_DIR/work
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL=$BENCH_DIR/results-$STAMP.jsonl
T_START=$(date +%s)
log() { printf '[%s] cookbook-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$BENCH_DIR" "$W" "$(dirname "$OUT")"
: > "$JSONL"
# the tree as it is when the build starts (the report is written minutes later; others may commit meanwhile)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=
[[ -z $(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null) ]] \
  || DIRTY=' + uncommitted/untracked changes in Sources/ (built as found on disk)'
[[ $BUILD == 0 ]] && DIRTY+=' (--no-build: binaries as already built)'

# ---------------------------------------------------------------- build
source "$BENCH/lib.sh"
[[ $BUILD == 1 ]] && bench_build cookbook/run.sh cookbook SpicerackFramework
bench_require cookbook/run.sh cookbook libSpicerackFramework.so Modules/Spicerack.swiftmodule
OURS=$BIN/cookbook

# ---------------------------------------------------------------- reference: Spicerack 14.0.0 in a private venv
venv_ok() {
  "$VENV/bin/python" -c 'import spicerack, sys; sys.exit(0 if spicerack.__version__ == "14.0.0" else 1)' 2>/dev/null \
    && [[ -x $VENV/bin/cookbook ]]
}
if ! venv_ok; then
  log "creating $VENV with wikimedia-spicerack==14.0.0"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q 'wikimedia-spicerack==14.0.0' >&2
  venv_ok || { echo "cookbook/run.sh: venv $VENV lacks Spicerack 14.0.0" >&2; exit 1; }
fi
PY=$VENV/bin/python    # the real interpreter (not a pyenv shim) runs measure.py
MEASURE=("$PY" "$BENCH/measure.py")

# ---------------------------------------------------------------- trees and configuration
# Regenerated every run: earlier runs' edits must not leak into this one.
log "generating $GROUPS_N x $PER_GROUP = $N cookbooks (Python module API and Swift) in $TREES"
rm -rf "$TREES"
"$PY" "$HERE/trees.py" generate "$TREES" "$GROUPS_N" "$PER_GROUP"
CACHE=$W/cache-$GROUPS_N-$PER_GROUP
rm -rf "$CACHE" "$W/logs-ours" "$W/logs-spicerack" "$W/locks"
mkdir -p "$W/logs-ours" "$W/logs-spicerack" "$W/locks"
cat > "$W/ours.yaml" <<EOF
cookbooks_base_dirs: [$TREES/swift]
logs_base_dir: $W/logs-ours
cookbooks_cache_dir: $CACHE
instance_params: {locks_dir: $W/locks}
EOF
# Spicerack without etcd_config: no locking; ours keeps its default local lock backend (a file lock per run).
cat > "$W/spicerack.yaml" <<EOF
cookbooks_base_dirs: [$TREES/python]
logs_base_dir: $W/logs-spicerack
EOF
# wmflib's get_username(): the operator name both tools log
export USER=bench SUDO_USER=bench

cmd_for() { # cmd_for TOOL CASE -> the command line in CMD
  local cfg
  case $1 in
    ours) CMD=("$OURS"); cfg=$W/ours.yaml ;;
    spicerack) CMD=("$VENV/bin/cookbook"); cfg=$W/spicerack.yaml ;;
  esac
  CMD+=(-c "$cfg")
  case $2 in
    list*|edit-list) CMD+=(-l) ;;
    run) CMD+=(team00.cb00 --value y) ;;
    edit-run) CMD+=("$EDIT_RUN_NAME" --value y) ;;
    build*) CMD+=(build) ;;
  esac
}

# The cookbooks edited in cases 3 and 5: two different files, so the same file is never edited twice within a
# second (Python's .pyc check is mtime in seconds + size).
EDIT_GROUP=$((GROUPS_N / 2)) EDIT_RUN_CB=$((PER_GROUP / 2)) EDIT_LIST_CB=$((PER_GROUP / 2 + 1))
EDIT_RUN_NAME=$(printf 'team%02d.cb%02d' "$EDIT_GROUP" "$EDIT_RUN_CB")
EDIT_SEQ=0

# run_one CASE TOOL REP TIMEOUT [NONCE] -> one JSON line in $JSONL (plus a progress line on stderr)
run_one() {
  local case=$1 tool=$2 rep=$3 tmo=$4 nonce=${5:-}
  local outdir=$BENCH_DIR/out/$case-$tool-rep$rep label res
  rm -rf "$outdir"
  cmd_for "$tool" "$case"
  label=$(printf '{"case":"%s","tool":"%s","n":%d,"rep":%d,"nonce":"%s"}' "$case" "$tool" "$N" "$rep" "$nonce")
  res=$("${MEASURE[@]}" --timeout "$tmo" --label "$label" --keep-output "$outdir" -- "${CMD[@]}")
  # checks read from the kept output: did ours recompile, did the run print the edited line
  res=$("$PY" - "$res" "$outdir" <<'EOF'
import json, os, sys
r = json.loads(sys.argv[1]); out = sys.argv[2]; lab = r['label']
text = b''
for name in ('stdout', 'stderr'):
    try:
        with open(os.path.join(out, name), 'rb') as fh:
            text += fh.read()
    except OSError:
        pass
r['compiled'] = b'Compiling the cookbook tree' in text
if lab['case'] == 'edit-run':
    r['edit_seen'] = ('(edit %s)' % lab['nonce']).encode() in text
if lab['case'].startswith('list') or lab['case'] == 'edit-list':
    r['listing_lines'] = sum(1 for line in open(os.path.join(out, 'stdout'), 'rb'))
print(json.dumps(r))
EOF
)
  echo "$res" >> "$JSONL"
  "$PY" - "$res" <<'EOF' >&2
import json, sys
r = json.loads(sys.argv[1]); l = r['label']
warn = []
if r['rc'] != 0: warn.append('rc=%s' % r['rc'])
if r.get('edit_seen') is False: warn.append('edited line not printed')
print('  rep%d %-10s %-9s wall %7.3f s  cpu %7.3f s  rss %6.1f MB  load %5.2f%s%s' % (
    l['rep'], l['case'], l['tool'], r['wall_s'], r['cpu_s'], r['maxrss_kb'] / 1024, r['loadavg_1m'],
    '  (compiled)' if r['compiled'] else '', ('  <-- ' + ', '.join(warn)) if warn else ''))
EOF
}

edit() { # edit TOOL CB: a new body for one cookbook of TOOL's tree
  local lang=swift
  [[ $1 == spicerack ]] && lang=python
  EDIT_SEQ=$((EDIT_SEQ + 1))
  NONCE=$EDIT_SEQ-$(date +%s%N)
  "$PY" "$HERE/trees.py" edit "$TREES" "$lang" "$EDIT_GROUP" "$2" "$NONCE"
}

rotate() { # rotate REP words...: the tool order alternates every repetition
  local k=$1; shift
  local -a a=("$@")
  local i n=${#a[@]}
  for ((i = 0; i < n; i++)); do printf '%s ' "${a[$(((i + k) % n))]}"; done
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- cold: once
# 4. ours: first build of the tree into an empty cache; Spicerack: first listing without any .pyc
log "cold: first build of the $N-cookbook tree (ours) / first listing without .pyc (Spicerack)"
run_one build-cold ours 1 $((TIMEOUT * 3))
find "$TREES/python" -name __pycache__ -type d -prune -exec rm -rf {} +
run_one list-cold spicerack 1 "$TIMEOUT"
# untimed warm-up of the run path of both tools (page cache, .pyc of the cookbook, log directories)
for tool in ours spicerack; do
  cmd_for "$tool" run
  timeout "$TIMEOUT" "${CMD[@]}" >/dev/null 2>&1 || log "WARNING: warm-up run of $tool failed"
done

# ---------------------------------------------------------------- warm cases and edits: REPS repetitions
for rep in $(seq 1 "$REPS"); do
  log "repetition $rep/$REPS"
  # 1. `cookbook -l` (ours: cache warm; Spicerack: .pyc warm); 2. a trivial cookbook end to end;
  # 3. edit one cookbook's body, then run it (ours: rebuild + run);
  # 5. edit another cookbook, then `cookbook -l` (ours: rebuild + list)
  for spec in list: run: edit-run:$EDIT_RUN_CB edit-list:$EDIT_LIST_CB; do
    case=${spec%%:*} cb=${spec#*:}
    for tool in $(rotate "$rep" ours spicerack); do
      NONCE=
      [[ -n $cb ]] && edit "$tool" "$cb"
      run_one "$case" "$tool" "$rep" "$TIMEOUT" "$NONCE"
    done
  done
done

# ---------------------------------------------------------------- checks and report
LIST_CHECK="listing: "
if cmp -s "$BENCH_DIR/out/list-ours-rep1/stdout" "$BENCH_DIR/out/list-spicerack-rep1/stdout"; then
  LIST_CHECK+="ours == Spicerack ($(wc -l < "$BENCH_DIR/out/list-ours-rep1/stdout") lines: root, $GROUPS_N groups, $N cookbooks with owners)"
else
  LIST_CHECK+="**ours != Spicerack** (see \`diff $BENCH_DIR/out/list-ours-rep1/stdout $BENCH_DIR/out/list-spicerack-rep1/stdout\`)"
fi
T_END=$(date +%s)
HEADER=$BENCH_DIR/header-$STAMP.md
{
  echo "## Cookbook runner benchmark ($( [[ $QUICK == 1 ]] && echo quick || echo full ) run, $(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "* Tree: \`$REV\`$DIRTY; our \`cookbook\` and \`libSpicerackFramework.so\` release builds, cookbook trees compiled by \`cookbook\` itself (incremental Swift driver, debug, $(swift --version 2>/dev/null | head -1 | sed 's/ (.*//')). Reference: Python Spicerack $("$PY" -c 'import spicerack; print(spicerack.__version__)') \`cookbook\` ($("$PY" -c 'import platform; print("CPython", platform.python_version())')), module API."
  echo "* Trees: $GROUPS_N groups x $PER_GROUP trivial cookbooks = $N per tool (one \`--value\` option, one log line; group titles and owners), regenerated every run. Spicerack: no \`etcd_config\` (no locking); ours: default local lock backend. Both write their log files."
  echo "* Machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r). Load average (1/5/15 min) at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "* $REPS repetition(s) of cases 1-3 and 5 (medians, min), tools interleaved and their order alternated every repetition; case 4 once. Per-run timeout ${TIMEOUT} s. Total benchmark time $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s (build and venv included)."
  echo "* CPU = user+sys of the whole process tree (\`swift build\` and the compiler jobs ours spawns included); peak RSS = largest single process."
  echo "* $LIST_CHECK."
} > "$HEADER"
"$PY" "$HERE/summarize.py" "$JSONL" --header "$HEADER" > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cp "$JSONL" "${OUT%.md}.jsonl"
if [[ $OUT == "$BENCH/results/cookbook-latest.md" ]]; then   # keep the copy in bench/README.md in step
  "$PY" "$HERE/summarize.py" --into-readme "$BENCH/README.md" "$OUT"
fi
cat "$OUT"
log "report: $OUT (raw runs: ${OUT%.md}.jsonl); took $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s"
