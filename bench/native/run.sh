#!/usr/bin/env bash
# Benchmark of the native (in-process, swift-nio-ssh) transport of our cumin against our OpenSSH transport,
# Python cumin 6.0.0 and bare `ssh` clients, on the loopback test bed. Same conventions as bench/run.sh
# (measure.py per run, tools interleaved, medians); writes bench/results/native-latest.{md,jsonl}.
#
# usage: bench/native/run.sh [--reps N] [--no-build] [--big N] [--timeout S] [--out FILE] [--bench-dir DIR]
#   --reps N     repetitions of every cell (default 3)
#   --no-build   use the binaries already in the scratch path
#   --big N      host count of the peak-memory cell (default 5000; 0 skips it): ONE run of each of our
#                transports against N names of the shared sshd
#   --timeout S  per-run kill timeout (default 300)
#   --no-kex25519  skip the cell where the shared sshd offers only curve25519-sha256 (then the native transport
#                negotiates it too, as every other tool here; by default sshd offers OpenSSH's list, and
#                swift-nio-ssh's fixed first choice ecdh-sha2-nistp384 wins)
# Environment: SCRATCH_PATH (default <repo>/.build-bench), BENCH_DIR (default /tmp/cumin-bench: its venv with
# Python cumin is reused, see bench/run.sh), NATIVE_BENCH_DIR (work directory, default /tmp/native-bench).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-bench}
VENV=${BENCH_DIR:-/tmp/cumin-bench}/venv
WORK=${NATIVE_BENCH_DIR:-/tmp/native-bench}
REPS=3 BUILD=1 BIG=5000 TIMEOUT=300 OUT=$BENCH/results/native-latest.md KEX25519=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-kex25519) KEX25519=0; shift ;;
    --big) BIG=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --bench-dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "native/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $REPS =~ ^[0-9]+$ && $REPS -ge 1 && $REPS -le 20 ]] || { echo "native/run.sh: --reps must be 1..20" >&2; exit 2; }
[[ $BIG =~ ^[0-9]+$ && $BIG -le 9999 ]] || { echo "native/run.sh: --big must be 0..9999" >&2; exit 2; }
BIN=$SCRATCH_PATH/release
BED=$WORK/bed
W=$WORK/work
JSONL=$WORK/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl
T_START=$(date +%s)
log() { printf '[%s] native-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
mkdir -p "$W" "$(dirname "$OUT")"
# Persistent masters of this benchmark live in their own directory (PersistentConnections uses
# $XDG_RUNTIME_DIR/cumin-ssh), so that --close-connections here never closes another program's masters.
export XDG_RUNTIME_DIR=$W/xdg
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
: > "$JSONL"

source "$BENCH/lib.sh"
[[ $BUILD == 1 ]] && bench_build native/run.sh cumin testbed
bench_require native/run.sh cumin testbed
[[ -x $VENV/bin/cumin ]] || { echo "native/run.sh: no Python cumin in $VENV; run bench/run.sh once first" >&2; exit 1; }
PY=$VENV/bin/python
MEASURE=("$PY" "$BENCH/measure.py")

SHARED=500
(( BIG > SHARED )) && SHARED=$BIG
cleanup() {
  local rc=$?
  [[ -x $BIN/cumin ]] && "$BIN/cumin" --close-connections >&2 || true
  [[ -f $BED/state.json ]] && { "$BIN/testbed" stop --dir "$BED" >&2 || log "WARNING: testbed stop failed"; }
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "starting test bed in $BED: $SHARED shared names, KexAlgorithms curve25519-sha256 for OpenSSH clients"
"$BIN/testbed" start --dir "$BED" --hosts 1 --shared "$SHARED" --kex curve25519-sha256 >&2
SSHCFG=$BED/ssh_config
SSHD_PID=$(cat "$BED/shared/sshd.pid")
SSHD_LOG=$BED/shared/sshd.log
WIDTH=${#SHARED}; (( WIDTH < 3 )) && WIDTH=3
name() { printf "bench-host-%0${WIDTH}d" "$1"; }
hostexpr() { if [[ $1 == 1 ]]; then name 1; else printf "bench-host-[%s-%s]" "$(name 1 | tr -dc 0-9)" "$(name "$1" | tr -dc 0-9)"; fi; }
timeout 30 ssh -F "$SSHCFG" "$(name 1)" true || { echo "native/run.sh: ssh to $(name 1) failed" >&2; exit 1; }

export USER=bench SUDO_USER=bench
for tool in ours native cumin; do
  transport=clustershell; [[ $tool == native ]] && transport=native
  cat > "$W/$tool.yaml" <<YAML
transport: $transport
log_file: $W/$tool.log
default_backend: direct
clustershell:
    ssh_options:
        - '-F $SSHCFG'
    fanout: 64
YAML
done

# run_one SECTION TOOL N REP EXPECTED_LOGINS -- CMD...   (LEAVE_ORPHANS=1: persistent masters outlive the run)
run_one() {
  local section=$1 tool=$2 n=$3 rep=$4 logins=$5
  shift 6
  local label res
  local -a extra=()
  [[ ${LEAVE_ORPHANS:-0} == 1 ]] && extra=(--leave-orphans)
  label=$(printf '{"section":"%s","tool":"%s","n":%d,"rep":%d,"expected_logins":%s}' "$section" "$tool" "$n" "$rep" "$logins")
  res=$("${MEASURE[@]}" --timeout "$TIMEOUT" --label "$label" --keep-output "$WORK/out/$section-$tool-$n-rep$rep" \
        --sshd-pid "$SSHD_PID" --sshd-log "$SSHD_LOG" "${extra[@]}" -- "$@")
  echo "$res" >> "$JSONL"
  "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); l=r["label"]
print("  %-6s rep%d %-12s N=%-5d wall %7.3f s  cpu %7.3f s  rss %6.1f MB  logins %s  rc %s" % (l["section"], l["rep"],
  l["tool"], l["n"], r["wall_s"], r["cpu_s"], r["maxrss_kb"]/1024, r["handshakes"], r["rc"]))' "$res" >&2
}
rotate() { local k=$1; shift; local -a a=("$@"); local i n=${#a[@]}; for ((i = 0; i < n; i++)); do printf '%s ' "${a[$(((i + k) % n))]}"; done; }

for rep in $(seq 1 "$REPS"); do
  log "repetition $rep/$REPS"
  for n in 1 500; do
    expr=$(hostexpr "$n")
    hf=$W/hosts-$n.txt
    [[ -s $hf ]] || for ((i = 1; i <= n; i++)); do name "$i"; echo; done > "$hf"
    for tool in $(rotate "$rep" native ours cumin ssh-floor); do
      case $tool in
        ssh-floor) run_one true ssh-floor "$n" "$rep" "$n" -- xargs -a "$hf" -P 64 -I{} ssh -F "$SSHCFG" {} true ;;
        cumin) run_one true cumin "$n" "$rep" "$n" -- "$VENV/bin/cumin" -c "$W/cumin.yaml" --force --no-progress -n "$expr" true ;;
        *) run_one true "$tool" "$n" "$rep" "$n" -- "$BIN/cumin" -c "$W/$tool.yaml" --force --no-progress -n "$expr" true ;;
      esac
    done
  done
  expr=$(hostexpr 100)
  for tool in $(rotate "$rep" native ours-reuse cumin); do
    case $tool in
      native) run_one seq5 native 100 "$rep" 100 -- "$BIN/cumin" -c "$W/native.yaml" --force --no-progress -m sync -n "$expr" true true true true true ;;
      ours-reuse) run_one seq5 ours-reuse 100 "$rep" 100 -- "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --connection-reuse session -m sync -n "$expr" true true true true true ;;
      cumin) run_one seq5 cumin 100 "$rep" 500 -- "$VENV/bin/cumin" -c "$W/cumin.yaml" --force --no-progress -m sync -n "$expr" true true true true true ;;
    esac
  done
  # persistent OpenSSH masters: a first run leaves them, a second run reuses them
  expr=$(hostexpr 500)
  "$BIN/cumin" --close-connections >&2
  LEAVE_ORPHANS=1 run_one persist first 500 "$rep" 500 -- "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --connection-reuse persistent -n "$expr" true
  LEAVE_ORPHANS=1 run_one persist second 500 "$rep" 0 -- "$BIN/cumin" -c "$W/ours.yaml" --force --no-progress --connection-reuse persistent -n "$expr" true
  "$BIN/cumin" --close-connections >&2
done
if [[ $KEX25519 == 1 ]]; then
  # The same 500-host `true` cell for the native transport with the sshd offering only curve25519-sha256 (sshd
  # rereads its config on SIGHUP, keeping its PID): the key exchange every OpenSSH client here already uses.
  log "native against an sshd offering only curve25519-sha256"
  cp "$BED/shared/sshd_config" "$W/sshd_config.orig"
  echo "KexAlgorithms curve25519-sha256" >> "$BED/shared/sshd_config"
  kill -HUP "$SSHD_PID"; sleep 2
  expr=$(hostexpr 500)
  for rep in $(seq 1 "$REPS"); do
    run_one kex25519 native 500 "$rep" 500 -- "$BIN/cumin" -c "$W/native.yaml" --force --no-progress -n "$expr" true
  done
  cp "$W/sshd_config.orig" "$BED/shared/sshd_config"
  kill -HUP "$SSHD_PID"; sleep 2
fi
if (( BIG > 0 )); then
  expr=$(hostexpr "$BIG")
  log "peak memory: ONE run of each of our transports on $BIG hosts"
  for tool in native ours; do
    run_one big "$tool" "$BIG" 1 "$BIG" -- "$BIN/cumin" -c "$W/$tool.yaml" --force --no-progress -n "$expr" true
  done
fi

T_END=$(date +%s)
{
  echo "## Native transport benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "* Tree: \`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\`, release build. Machine: $(nproc) vCPU, $(ssh -V 2>&1 | cut -d, -f1). Load average at start/end: see the table (load 1m)."
  echo "* Bed: one loopback sshd serving \`$(name 1)..$(name "$SHARED")\`, empty remote HOME, host-key checks off; OpenSSH clients pinned to curve25519-sha256, the native transport negotiates ecdh-sha2-nistp384 (swift-nio-ssh's first choice, not configurable) and aes256-gcm, except in the curve25519 table, where the sshd offers only curve25519-sha256. Fanout 64."
  echo "* $REPS repetition(s) per cell (median, min-max), tools interleaved and rotated; the $BIG-host cell ran once. Total $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s."
  echo "* Client CPU = user+sys of the process tree; peak RSS = largest single process; sshd CPU = the shared sshd during the run."
  echo
} > "$WORK/header.md"
"$PY" "$HERE/summarize.py" "$JSONL" --header "$WORK/header.md" > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cp "$JSONL" "${OUT%.md}.jsonl"
cat "$OUT"
