#!/usr/bin/env bash
# Benchmark of our `scap deploy` on N loopback targets: a cold deploy of v1, the same deploy again (no-op
# detection), and as a floor the bare "git clone + checkout" on the same hosts through the same engine
# (`cumin --force`). See bench/README.md conventions; this script only writes bench/results/scap-*.
#
# usage: bench/scap/run.sh [--reps N] [--hosts N] [--bed hosts|shared] [--no-build] [--timeout S]
#                          [--out FILE] [--bench-dir DIR]
#   --reps N       repetitions (default 3); every repetition starts from empty targets
#   --hosts N      targets (default 50): one canary + N-1 in the default group
#   --bed MODE     hosts (default): one sshd per target (`testbed start --hosts N`), each with its own
#                  private /srv and hostname, so every target really has its own deploy tree;
#                  shared: `testbed start --hosts 1 --shared N`: the names bench-host-001..N are all served by
#                  ONE sshd with ONE /srv, so all targets write the same tree concurrently (racy, see the
#                  report); kept for comparison with the cumin benchmark's bed
#   --no-build     use the binaries already in the scratch path
#   --timeout S    per-run kill timeout (default 300)
#   --out FILE     Markdown report (default bench/results/scap-latest.md; raw runs next to it as .jsonl)
#   --bench-dir    work directory (default $SCAP_BENCH_DIR or /tmp/scap-bench)
# Environment: SCRATCH_PATH (default <repo>/.build-bench), PYTHON (runs measure.py; default: the cumin
# benchmark's venv interpreter when present, else python3), SCAP_TRANSPORT (scap deploy --transport, e.g. native),
# SCAP_PERSIST (scap deploy --persist-connections SECONDS: persistent OpenSSH masters; every repetition's first
# deploy starts without them, `cumin --close-connections`).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
BENCH_DIR=${SCAP_BENCH_DIR:-/tmp/scap-bench}
SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-bench}
REPS=3 NHOSTS=50 BEDMODE=hosts BUILD=1 TIMEOUT=300 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --hosts) NHOSTS=$2; shift 2 ;;
    --bed) BEDMODE=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --bench-dir) BENCH_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scap/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$BENCH/results/scap-latest.md}
[[ $REPS =~ ^[0-9]+$ && $REPS -ge 1 && $REPS -le 20 ]] || { echo "scap/run.sh: --reps must be 1..20" >&2; exit 2; }
[[ $NHOSTS =~ ^[0-9]+$ && $NHOSTS -ge 2 && $NHOSTS -le 254 ]] || { echo "scap/run.sh: --hosts must be 2..254" >&2; exit 2; }
[[ $BEDMODE == hosts || $BEDMODE == shared ]] || { echo "scap/run.sh: --bed must be hosts or shared" >&2; exit 2; }
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -ge 10 ]] || { echo "scap/run.sh: --timeout must be >= 10 s" >&2; exit 2; }
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x /tmp/cumin-bench/venv/bin/python ]]; then PYTHON=/tmp/cumin-bench/venv/bin/python; else PYTHON=python3; fi
fi

BIN=$SCRATCH_PATH/release
BED=$BENCH_DIR/bed
W=$BENCH_DIR/work
RUNS=$BENCH_DIR/out
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL=$BENCH_DIR/results-$STAMP.jsonl
T_START=$(date +%s)
log() { printf '[%s] scap-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$BENCH_DIR" "$(dirname "$OUT")"
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=
[[ -z $(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null) ]] \
  || DIRTY=' + uncommitted/untracked changes in Sources/ (built as found on disk)'
[[ $BUILD == 0 ]] && DIRTY+=' (--no-build: binaries as already built)'

# ---------------------------------------------------------------- build
source "$BENCH/lib.sh"
[[ $BUILD == 1 ]] && bench_build scap/run.sh scap testbed cumin
bench_require scap/run.sh scap testbed cumin
SCAP=$BIN/scap CUMIN=$BIN/cumin TESTBED=$BIN/testbed
MEASURE=("$PYTHON" "$BENCH/measure.py")
# Persistent masters daemonize: measure.py must not adopt and kill them at the end of a run.
[[ -n ${SCAP_PERSIST:-} ]] && MEASURE+=(--leave-orphans)

# ---------------------------------------------------------------- test bed
cleanup() {
  local rc=$?
  [[ -n ${SCAP_PERSIST:-} && -x $CUMIN ]] && { "$CUMIN" --close-connections >&2 || true; }
  if [[ -f $BED/state.json ]]; then
    log "stopping the test bed"
    "$TESTBED" stop --dir "$BED" >&2 || log "WARNING: testbed stop failed"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[[ -f $BED/state.json ]] && { "$TESTBED" stop --dir "$BED" >&2 || true; }
rm -rf "$BED" "$W" "$RUNS"
mkdir -p "$W" "$RUNS"
# Persistent masters (SCAP_PERSIST) in the benchmark's own directory: --close-connections closes no one else's.
export XDG_RUNTIME_DIR=$W/xdg
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
if [[ $BEDMODE == hosts ]]; then
  log "starting test bed in $BED: $NHOSTS sshds (private /srv and hostname each), KexAlgorithms curve25519-sha256"
  "$TESTBED" start --dir "$BED" --hosts "$NHOSTS" --kex curve25519-sha256 >&2
  HOSTS=() ; for ((i = 1; i <= NHOSTS; i++)); do HOSTS+=("host$i"); done
  EXPR="host[1-$NHOSTS]"
  srv_of() { echo "$BED/hosts/$1/srv"; }
  SSHD_LOGS=("$BED"/hosts/*/sshd.log)
else
  log "starting test bed in $BED: one sshd serving $NHOSTS shared names (ONE /srv), KexAlgorithms curve25519-sha256"
  "$TESTBED" start --dir "$BED" --hosts 1 --shared "$NHOSTS" --kex curve25519-sha256 >&2
  HOSTS=() ; for ((i = 1; i <= NHOSTS; i++)); do HOSTS+=("$(printf 'bench-host-%03d' "$i")"); done
  EXPR=$(printf 'bench-host-[001-%03d]' "$NHOSTS")
  srv_of() { echo "$BED/shared/srv"; }
  SSHD_LOGS=("$BED/shared/sshd.log")
fi
SSHCFG=$BED/ssh_config
timeout 30 ssh -F "$SSHCFG" "${HOSTS[0]}" true || { echo "scap/run.sh: ssh to ${HOSTS[0]} failed" >&2; exit 1; }
logins() { cat "${SSHD_LOGS[@]}" 2>/dev/null | grep -c 'Accepted publickey' || true; }

# cumin (and scap's operator name) refuse/complain as root without a real user name
export USER=bench SUDO_USER=bench
cat > "$W/cumin.yaml" <<EOF
transport: clustershell
log_file: $W/cumin.log
default_backend: direct
clustershell:
    ssh_options:
        - '-F $SSHCFG'
    fanout: 80
EOF

# ---------------------------------------------------------------- the deploy repository
REPO=$W/repo
log "creating the deploy repository $REPO (canary ${HOSTS[0]}, $((NHOSTS - 1)) more)"
mkdir -p "$REPO/scap" "$REPO/src" "$REPO/config"
git -C "$REPO" init --quiet -b main
printf 'v1\n' > "$REPO/version.txt"
printf '# bench app\nA small service deployed by the scap benchmark.\n' > "$REPO/README.md"
printf '#!/bin/sh\necho "serving $(cat version.txt)"\n' > "$REPO/src/server.sh"
printf 'port: 8080\nworkers: 4\n' > "$REPO/config/app.yaml"
"$PYTHON" -c 'import random; r = random.Random(1); print("\n".join("%08x" % r.getrandbits(32) for _ in range(2000)))' \
  > "$REPO/src/data.txt"
printf '%s\n' "${HOSTS[0]}" > "$REPO/scap/canary-targets"
printf '%s\n' "${HOSTS[@]:1}" > "$REPO/scap/default-targets"
cat > "$REPO/scap/scap.cfg" <<EOF
[global]
git_repo: bench/app
lock_file: $W/app.lock
server_groups: canary, default
canary_dsh_targets: canary-targets
dsh_targets: default-targets
EOF
git -C "$REPO" add -A
git -C "$REPO" -c user.name='Scap Bench' -c user.email=bench@example.org commit --quiet -m v1
SHA=$(git -C "$REPO" rev-parse HEAD)
SCAP_ARGS=(deploy --ssh-config "$SSHCFG" --global-lock "$W/global.lock" --lock-timeout 30)
# SCAP_TRANSPORT=native deploys over the in-process SSH transport (docs/cumin-native-transport.md).
[[ -n ${SCAP_TRANSPORT:-} ]] && SCAP_ARGS+=(--transport "$SCAP_TRANSPORT")
[[ -n ${SCAP_PERSIST:-} ]] && SCAP_ARGS+=(--persist-connections "$SCAP_PERSIST")

# The reference: what the fetch stage does at least, as one line through the same engine (cumin, fanout 80):
# a bare clone from the same file:// URL, a shared clone of it and a checkout, into a fresh temp dir on the
# target's /srv.
FETCH_CMD="d=\$(mktemp -d /srv/fetchref.XXXXXX) && git clone --quiet --bare file://$REPO \$d/cache && git clone --quiet --no-checkout --shared \$d/cache \$d/rev && git -C \$d/rev checkout --quiet --detach $SHA"

reset_targets() {
  local h
  [[ -n ${SCAP_PERSIST:-} ]] && { "$CUMIN" --close-connections >&2 || true; }
  for h in "${HOSTS[@]}"; do rm -rf "$(srv_of "$h")"/deployment "$(srv_of "$h")"/fetchref.*; done
}
check_deployed() { # -> number of targets whose /srv/deployment/bench/app points at revs/$SHA
  local h n=0
  for h in "${HOSTS[@]}"; do
    [[ $(readlink "$(srv_of "$h")/deployment/bench/app" 2>/dev/null) == "/srv/deployment/bench/app-cache/revs/$SHA" ]] \
      && n=$((n + 1))
  done
  echo $n
}

# run_one CASE REP -> one JSON line in $JSONL
run_one() {
  local case=$1 rep=$2 dir=$RUNS/$1-$2 cmd before after line stages='null' deployed='null' newlog
  mkdir -p "$dir"
  case $case in
    first|second) cmd=(env -u SUDO_USER -C "$REPO" "$SCAP" "${SCAP_ARGS[@]}" "bench $case rep $rep") ;;
    fetch-only) cmd=("$CUMIN" -c "$W/cumin.yaml" --force --no-progress -n "$EXPR" "$FETCH_CMD") ;;
  esac
  before=$(logins)
  local t0; t0=$(date +%s.%N)
  line=$("${MEASURE[@]}" --timeout "$TIMEOUT" --keep-output "$dir" \
    --label "{\"case\":\"$case\",\"rep\":$rep,\"hosts\":$NHOSTS,\"bed\":\"$BEDMODE\"}" -- "${cmd[@]}")
  after=$(logins)
  if [[ $case != fetch-only ]]; then
    newlog=$(ls -t "$REPO"/scap/log/*.log 2>/dev/null | head -1 || true)
    if [[ -n $newlog && $(stat -c %Y "$newlog") -ge ${t0%.*} ]]; then
      cp "$newlog" "$dir/deploy.log"
      stages=$("$PYTHON" "$HERE/summarize.py" stages "$newlog")
    fi
    deployed=$(check_deployed)
  else
    deployed=$(ls -d "$(srv_of "${HOSTS[0]}")"/../../*/srv/fetchref.*/rev/version.txt 2>/dev/null | wc -l)
  fi
  line=$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); d["ssh_logins"]=int(sys.argv[2]); d["stages"]=json.loads(sys.argv[3]); d["targets_ok"]=json.loads(sys.argv[4]); print(json.dumps(d))' \
    "$line" "$((after - before))" "$stages" "$deployed")
  echo "$line" >> "$JSONL"
  log "$(printf '%-10s rep %d: %s' "$case" "$rep" "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); print("rc=%s wall=%.2fs cpu=%.2fs logins=%s targets_ok=%s" % (d["rc"], d["wall_s"], d["cpu_s"], d["ssh_logins"], d["targets_ok"]))' "$line")")"
}

: > "$JSONL"
for ((rep = 1; rep <= REPS; rep++)); do
  reset_targets
  if ((rep % 2 == 0)); then   # alternate the reference before/after the deploys: drifts hit both alike
    run_one fetch-only "$rep"; reset_targets; run_one first "$rep"; run_one second "$rep"
  else
    run_one first "$rep"; run_one second "$rep"; run_one fetch-only "$rep"
  fi
done
reset_targets

# ---------------------------------------------------------------- report
ELAPSED=$(( $(date +%s) - T_START ))
MACHINE="$(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -r); $(ssh -V 2>&1)"
"$PYTHON" "$HERE/summarize.py" report "$JSONL" \
  --tree "$REV$DIRTY" --machine "$MACHINE" --hosts "$NHOSTS" --bed "$BEDMODE" --reps "$REPS" \
  --elapsed "$ELAPSED" --fetch-cmd "$FETCH_CMD" --load "$(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT"
cp "$JSONL" "${OUT%.md}.jsonl"
cat "$OUT"
log "report: $OUT (raw runs: ${OUT%.md}.jsonl; outputs: $RUNS)"
