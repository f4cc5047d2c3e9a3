#!/usr/bin/env bash
# Benchmark of our Swift cumin/nodeset against Python cumin 6.0.0 and ClusterShell 1.9.3 (clush,
# nodeset) on a loopback test bed. See bench/README.md for what is measured and why.
#
# usage: bench/run.sh [--reps N] [--quick] [--sizes "1 50 200 500"] [--no-build]
#                     [--timeout S] [--out FILE] [--bench-dir DIR]
#   --reps N      repetitions of every cell, tools interleaved inside each repetition (default 3)
#   --quick       smoke test (< 3 min once built): 1 rep, sizes "1 50", no-SSH overhead at 500 only,
#                 fold 10k names; writes bench/results/quick.md unless --out is given
#   --sizes "..." host counts of part a (at most 999; default "1 50 200 500")
#   --no-build    use the binaries already in the scratch path
#   --timeout S   per-run kill timeout (default 300; the single Python cumin 5,000-host run gets 900)
#   --out FILE    Markdown report (default bench/results/latest.md; raw runs go next to it as .jsonl)
#   --bench-dir   work directory: venv, test bed, configs, outputs (default $BENCH_DIR or /tmp/cumin-bench)
# Environment: SCRATCH_PATH (default <repo>/.build-bench), PYTHON (to create the venv, default python3),
# COOKBOOK_BENCH=0 (skip the cookbook runner benchmark, bench/cookbook/run.sh, that runs afterwards),
# SCAP_BENCH=0 (skip the scap deploy benchmark, bench/scap/run.sh, that runs last).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/cumin-bench}
SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-bench}
PYTHON=${PYTHON:-python3}
REPS= SIZES= QUICK=0 BUILD=1 TIMEOUT=300 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --sizes) SIZES=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --bench-dir) BENCH_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $QUICK == 1 ]]; then
  REPS=${REPS:-1} SIZES=${SIZES:-"1 50"} OVERHEAD_SIZES="500" FOLD_N=10000
  OUT=${OUT:-$HERE/results/quick.md}
else
  REPS=${REPS:-3} SIZES=${SIZES:-"1 50 200 500"} OVERHEAD_SIZES="500 5000" FOLD_N=100000
  OUT=${OUT:-$HERE/results/latest.md}
fi
[[ $REPS =~ ^[0-9]+$ && $REPS -ge 1 && $REPS -le 50 ]] || { echo "run.sh: --reps must be 1..50" >&2; exit 2; }
for n in $SIZES; do
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 999 ]] || { echo "run.sh: sizes must be 1..999" >&2; exit 2; }
done
SEQ_HOSTS=100 SEQ_CMDS=5
MAXN=$SEQ_HOSTS
for n in $SIZES; do (( n > MAXN )) && MAXN=$n; done

BIN=$SCRATCH_PATH/release
VENV=$BENCH_DIR/venv
BED=$BENCH_DIR/bed
W=$BENCH_DIR/work
FAKE=$HERE/fake-ssh.sh
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL=$BENCH_DIR/results-$STAMP.jsonl
T_START=$(date +%s)
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$BENCH_DIR" "$W" "$BENCH_DIR/fold" "$(dirname "$OUT")"
: > "$JSONL"

# ---------------------------------------------------------------- build
source "$HERE/lib.sh"
[[ $BUILD == 1 ]] && bench_build run.sh cumin nodeset testbed
bench_require run.sh cumin nodeset testbed
# In-process fold timing: a tiny program linked against the NodeSet objects of the same release build.
FOLD_MICRO=$BENCH_DIR/fold/fold-micro
if swiftc -O -module-name FoldMicro -I "$BIN/Modules" "$HERE/fold-micro/main.swift" \
     "$BIN"/NodeSet.build/*.swift.o -o "$FOLD_MICRO" >"$BENCH_DIR/fold/build.log" 2>&1; then
  log "built $FOLD_MICRO"
else
  log "WARNING: could not build fold-micro (see $BENCH_DIR/fold/build.log); skipping our in-process fold timing"
  FOLD_MICRO=
fi

# ---------------------------------------------------------------- reference tools
venv_ok() {
  "$VENV/bin/python" -c 'import cumin, ClusterShell, sys
sys.exit(0 if (cumin.__version__, ClusterShell.__version__) == ("6.0.0", "1.9.3") else 1)' 2>/dev/null
}
if ! venv_ok; then
  log "creating $VENV with cumin==6.0.0 clustershell==1.9.3"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q 'cumin==6.0.0' 'clustershell==1.9.3' >&2
  venv_ok || { echo "run.sh: venv $VENV lacks cumin 6.0.0 / ClusterShell 1.9.3" >&2; exit 1; }
fi
PY=$VENV/bin/python    # the real interpreter (not a pyenv shim) runs measure.py
MEASURE=("$PY" "$HERE/measure.py")

# ---------------------------------------------------------------- test bed
cleanup() {
  local rc=$?
  if [[ -f $BED/state.json ]]; then
    "$BIN/testbed" stop --dir "$BED" >&2 || log "WARNING: testbed stop failed"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "starting test bed in $BED: $MAXN shared names, KexAlgorithms curve25519-sha256"
"$BIN/testbed" start --dir "$BED" --hosts 1 --shared "$MAXN" --kex curve25519-sha256 >&2
SSHCFG=$BED/ssh_config
SSHD_PID=$(cat "$BED/shared/sshd.pid")
SSHD_LOG=$BED/shared/sshd.log
timeout 30 ssh -F "$SSHCFG" bench-host-001 true || { echo "run.sh: ssh to bench-host-001 failed" >&2; exit 1; }

# cumin refuses to run as root without a real user name; both implementations read these
export USER=bench SUDO_USER=bench
for tool in ours cumin; do
  cat > "$W/$tool.yaml" <<EOF
transport: clustershell
log_file: $W/$tool.log
default_backend: direct
clustershell:
    ssh_options:
        - '-F $SSHCFG'
    fanout: 64
EOF
  cat > "$W/$tool-fake.yaml" <<EOF
transport: clustershell
log_file: $W/$tool-fake.log
default_backend: direct
clustershell:
    ssh_path: $FAKE
    fanout: 64
EOF
done

hostexpr() { if [[ $1 == 1 ]]; then echo bench-host-001; else printf 'bench-host-[001-%03d]' "$1"; fi; }
fakeexpr() { printf 'fake[00001-%05d]' "$1"; }

# run_one SECTION TOOL N REP EXPECTED_LOGINS TIMEOUT STDIN -- CMD...  -> one JSON line in $JSONL
run_one() {
  local section=$1 tool=$2 n=$3 rep=$4 logins=$5 tmo=$6 stdin=$7
  shift 8
  local label res outdir=$BENCH_DIR/out/$section-$tool-$n-rep$rep
  label=$(printf '{"section":"%s","tool":"%s","n":%d,"rep":%d,"expected_logins":%s,"commands":%d}' \
    "$section" "$tool" "$n" "$rep" "$logins" "${NCMDS:-1}")
  local -a extra=()
  [[ $stdin != - ]] && extra=(--stdin "$stdin")
  if [[ $section == ssh || $section == seq ]]; then extra+=(--sshd-pid "$SSHD_PID" --sshd-log "$SSHD_LOG"); fi
  res=$("${MEASURE[@]}" --timeout "$tmo" --label "$label" --keep-output "$outdir" "${extra[@]}" -- "$@")
  echo "$res" >> "$JSONL"
  "$PY" - "$res" <<'EOF' >&2
import json, sys
r = json.loads(sys.argv[1]); l = r['label']
warn = []
if r['rc'] != 0: warn.append('rc=%s' % r['rc'])
if l['expected_logins'] is not None and r['handshakes'] is not None and r['handshakes'] != l['expected_logins']:
    warn.append('logins %s != expected %s' % (r['handshakes'], l['expected_logins']))
print('  %-5s rep%d %-15s N=%-5d wall %7.3f s  cpu %7.3f s  rss %5.1f MB  logins %s%s' % (
    l['section'], l['rep'], l['tool'], l['n'], r['wall_s'], r['cpu_s'], r['maxrss_kb'] / 1024,
    r['handshakes'] if r['handshakes'] is not None else '-', ('  <-- ' + ', '.join(warn)) if warn else ''))
EOF
}

rotate() { # rotate REP words...: the tool order shifts every repetition
  local k=$1; shift
  local -a a=("$@")
  local i n=${#a[@]}
  for ((i = 0; i < n; i++)); do printf '%s ' "${a[$(((i + k) % n))]}"; done
}

FOLD_FILE=$BENCH_DIR/fold/names-$FOLD_N.txt
[[ -s $FOLD_FILE ]] || "$PY" "$HERE/fold_py.py" names "$FOLD_N" "$FOLD_FILE"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- the matrix
for rep in $(seq 1 "$REPS"); do
  log "repetition $rep/$REPS"
  # a. `true` on N hosts over SSH
  NCMDS=1
  for n in $SIZES; do
    expr=$(hostexpr "$n")
    hf=$W/hosts-$n.txt
    [[ -s $hf ]] || for ((i = 1; i <= n; i++)); do printf 'bench-host-%03d\n' "$i"; done > "$hf"
    for tool in $(rotate "$rep" ours cumin clush ssh-floor); do
      case $tool in
        ssh-floor) run_one ssh ssh-floor "$n" "$rep" "$n" "$TIMEOUT" - -- \
                xargs -a "$hf" -P 64 -I{} ssh -F "$SSHCFG" {} true ;;
        ours) run_one ssh ours "$n" "$rep" "$n" "$TIMEOUT" - -- \
                "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress -n "$expr" true ;;
        cumin) run_one ssh cumin "$n" "$rep" "$n" "$TIMEOUT" - -- \
                "$VENV/bin/cumin" -c "$W/cumin.yaml" --force --no-progress -n "$expr" true ;;
        clush) run_one ssh clush "$n" "$rep" "$n" "$TIMEOUT" - -- \
                "$VENV/bin/clush" -w "$expr" -o "-F $SSHCFG" -f 64 -b true ;;
      esac
    done
  done
  # b. 5 sequential commands on 100 hosts
  NCMDS=$SEQ_CMDS
  expr=$(hostexpr "$SEQ_HOSTS")
  cmds=(); for ((i = 0; i < SEQ_CMDS; i++)); do cmds+=(true); done
  for tool in $(rotate "$rep" ours-reuse cumin ours-multiplexed ours-no-reuse); do
    case $tool in
      ours-reuse) run_one seq ours-reuse "$SEQ_HOSTS" "$rep" "$SEQ_HOSTS" "$TIMEOUT" - -- \
          "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --connection-reuse session -m sync -n "$expr" "${cmds[@]}" ;;
      ours-multiplexed) run_one seq ours-multiplexed "$SEQ_HOSTS" "$rep" "$SEQ_HOSTS" "$TIMEOUT" - -- \
          "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --connection-reuse multiplexed -m sync -n "$expr" "${cmds[@]}" ;;
      ours-no-reuse) run_one seq ours-no-reuse "$SEQ_HOSTS" "$rep" $((SEQ_HOSTS * SEQ_CMDS)) "$TIMEOUT" - -- \
          "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --no-reuse-connections -m sync -n "$expr" "${cmds[@]}" ;;
      cumin) run_one seq cumin "$SEQ_HOSTS" "$rep" $((SEQ_HOSTS * SEQ_CMDS)) "$TIMEOUT" - -- \
          "$VENV/bin/cumin" -c "$W/cumin.yaml" --force --no-progress -m sync -n "$expr" "${cmds[@]}" ;;
    esac
  done
  # c. orchestration without SSH
  NCMDS=1
  for n in $OVERHEAD_SIZES; do
    expr=$(fakeexpr "$n")
    for tool in $(rotate "$rep" ours-noop ours-fake cumin-fake clush-fake); do
      case $tool in
        ours-noop) run_one nossh ours-noop "$n" "$rep" null "$TIMEOUT" - -- \
            "$BIN/cumin" -c "$W/ours-fake.yaml" --transport noop --force --no-progress -n "$expr" true ;;
        ours-fake) run_one nossh ours-fake "$n" "$rep" null "$TIMEOUT" - -- \
            "$BIN/cumin" -c "$W/ours-fake.yaml" --force --no-progress -n "$expr" true ;;
        cumin-fake)
          # Python cumin is quadratic in the number of hosts (~105 s at 5,000): one run only
          if (( n >= 5000 )); then
            if [[ $rep == 1 ]]; then
              run_one nossh cumin-fake "$n" "$rep" null 900 - -- \
                "$VENV/bin/cumin" -c "$W/cumin-fake.yaml" --force --no-progress -n "$expr" true
            fi
          else
            run_one nossh cumin-fake "$n" "$rep" null "$TIMEOUT" - -- \
              "$VENV/bin/cumin" -c "$W/cumin-fake.yaml" --force --no-progress -n "$expr" true
          fi ;;
        clush-fake) run_one nossh clush-fake "$n" "$rep" null "$TIMEOUT" - -- \
            "$VENV/bin/clush" -O "ssh_path=$FAKE" -f 64 -b -w "$expr" true ;;
      esac
    done
  done
  # d. fold FOLD_N shuffled names: CLIs end to end, then in-process timings
  for tool in $(rotate "$rep" ours-cli clustershell-cli); do
    case $tool in
      ours-cli) run_one fold ours-cli "$FOLD_N" "$rep" null "$TIMEOUT" "$FOLD_FILE" -- "$BIN/nodeset" -f ;;
      clustershell-cli) run_one fold clustershell-cli "$FOLD_N" "$rep" null "$TIMEOUT" "$FOLD_FILE" -- \
          "$VENV/bin/nodeset" -f ;;
    esac
  done
  run_one fold ours-cli-startup "$FOLD_N" "$rep" null "$TIMEOUT" - -- "$BIN/nodeset" -f host1
  run_one fold clustershell-cli-startup "$FOLD_N" "$rep" null "$TIMEOUT" - -- "$VENV/bin/nodeset" -f host1
  if [[ -n $FOLD_MICRO ]]; then
    timeout "$TIMEOUT" "$FOLD_MICRO" "$FOLD_FILE" 3 | tee -a "$JSONL" >&2
  fi
  timeout "$TIMEOUT" "$PY" "$HERE/fold_py.py" time "$FOLD_FILE" 3 | tee -a "$JSONL" >&2
done

# ---------------------------------------------------------------- checks and report
FOLD_CHECK="fold outputs: "
ours_out=$BENCH_DIR/out/fold-ours-cli-$FOLD_N-rep1/stdout
ref_out=$BENCH_DIR/out/fold-clustershell-cli-$FOLD_N-rep1/stdout
if cmp -s "$ours_out" "$ref_out"; then FOLD_CHECK+="ours CLI == ClusterShell CLI"; else FOLD_CHECK+="**ours CLI != ClusterShell CLI**"; fi
if [[ -n $FOLD_MICRO ]]; then
  if cmp -s "$FOLD_FILE.swift" "$FOLD_FILE.clustershell"; then FOLD_CHECK+=", in-process ours == ClusterShell"
  else FOLD_CHECK+=", **in-process ours != ClusterShell**"; fi
fi
FOLD_CHECK+=" (\`$(head -c 60 "$ref_out" | tr -d '\n')\`)"

T_END=$(date +%s)
HEADER=$BENCH_DIR/header-$STAMP.md
{
  echo "## Benchmark results ($( [[ $QUICK == 1 ]] && echo quick || echo full ) run, $(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "* Tree: \`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\`$( [[ -z $(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null) ]] || echo ' + uncommitted/untracked changes in Sources/ (built as found on disk)'), release build; reference: Python cumin 6.0.0 + ClusterShell 1.9.3 ($("$PY" -c 'import platform; print("CPython", platform.python_version())'))."
  echo "* Machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); $(ssh -V 2>&1 | cut -d, -f1). Load average (1/5/15 min) at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "* Test bed: one loopback sshd serving \`bench-host-001..$MAXN\`, KexAlgorithms curve25519-sha256 pinned, ControlMaster no (ours reuses connections only in part b: one remote shell session per host in \`ours-reuse\`, one ControlMaster per host in \`ours-multiplexed\`), empty remote HOME, host-key checks off. Fanout 64 for every tool."
  echo "* $REPS repetition(s) per cell (medians; min-max in parentheses), tools interleaved and their order rotated every repetition; per-run timeout ${TIMEOUT} s. Total benchmark time $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s."
  echo "* Client CPU = user+sys of the whole process tree (the tool and every ssh/sh it forks); peak RSS = largest single process. \"SSH logins\" = accepted publickey logins in the sshd log during the run."
  echo "* $FOLD_CHECK."
} > "$HEADER"
"$PY" "$HERE/summarize.py" "$JSONL" --header "$HEADER" > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cp "$JSONL" "${OUT%.md}.jsonl"
if [[ $OUT == "$HERE/results/latest.md" ]]; then   # keep the copy in bench/README.md in step
  "$PY" "$HERE/summarize.py" --into-readme "$HERE/README.md" "$OUT"
fi
cat "$OUT"
log "report: $OUT (raw runs: ${OUT%.md}.jsonl); took $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s"

# ---------------------------------------------------------------- cookbook runner (bench/cookbook/run.sh)
# Its own report (bench/results/cookbook-{latest,quick}.md); a failure there does not fail this run.
# COOKBOOK_BENCH=0 skips it.
if [[ ${COOKBOOK_BENCH:-1} != 0 ]]; then
  cb_args=(); [[ $QUICK == 1 ]] && cb_args+=(--quick); [[ $BUILD == 0 ]] && cb_args+=(--no-build)
  SCRATCH_PATH=$SCRATCH_PATH PYTHON=$PYTHON "$HERE/cookbook/run.sh" "${cb_args[@]}" \
    || log "WARNING: the cookbook runner benchmark failed (exit code $?); the cumin report above stands"
fi

# ---------------------------------------------------------------- scap deploy (bench/scap/run.sh)
# Its own report (bench/results/scap-{latest,quick}.md); a failure there does not fail this run. SCAP_BENCH=0 skips it.
if [[ ${SCAP_BENCH:-1} != 0 ]]; then
  scap_args=(); [[ $BUILD == 0 ]] && scap_args+=(--no-build)
  [[ $QUICK == 1 ]] && scap_args+=(--reps 1 --hosts 10 --out "$HERE/results/scap-quick.md")
  SCRATCH_PATH=$SCRATCH_PATH PYTHON=$PYTHON "$HERE/scap/run.sh" "${scap_args[@]}" \
    || log "WARNING: the scap deploy benchmark failed (exit code $?); the reports above stand"
fi
