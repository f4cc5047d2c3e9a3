#!/usr/bin/env bash
# SpiderPig live-log benchmark: a job writing RATE lines/s (default 10,000) while VIEWERS WebSocket viewers watch it
# on loopback, then job-list requests/s. Release builds of `spiderpig serve` and of the clients
# (bench/spiderpig/viewers, SpiderPigBenchViewers), which run as PROCS separate processes, out of the server's.
# Measured per run: delivery delay of every line at every viewer, from the moment the stand-in scap wrote it to the
# moment the viewer received it (p50/p95/p99/max), sequence gaps or doubles seen by the viewers, the server's CPU
# (user+sys) per 1,000 lines, the load average before and after.
#
# usage: bench/spiderpig/run.sh [--viewers "200 20"] [--lines N] [--rate N] [--procs N] [--list-seconds S]
#                               [--no-build] [--out FILE] [--label TEXT] [--bin DIR]
#   --viewers "..."  viewer counts, one run each (default "200")
#   --lines N        lines the job writes (default 50000: 5 s at 10,000 lines/s)
#   --rate N         lines per second (default 10000), written 100 at a time
#   --procs N        viewer client processes (default 4)
#   --out FILE       Markdown table (default bench/results/spiderpig-latest.md; rows are appended)
#   --label TEXT     names the server build in the table (default: the git commit)
#   --bin DIR        take spiderpig and SpiderPigBenchViewers from DIR (implies --no-build)
#   --viewer-bin F   the SpiderPigBenchViewers to use (e.g. with --bin of another build of the server)
#   --nice N         run the server (and so scap) and the viewers at niceness N (e.g. -10 as root on a machine
#                    busy with other work: the figures then show SpiderPig rather than the queue for the CPU)
# Environment: SCRATCH_PATH (default <repo>/.build-bench), BENCH_DIR (default /tmp/spiderpig-bench).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-bench}
BIN=$SCRATCH_PATH/release
BENCH_DIR=${BENCH_DIR:-/tmp/spiderpig-bench}
VIEWERS="200" LINES=50000 RATE=10000 PROCS=4 LIST_SECONDS=5 BUILD=1 OUT=$ROOT/bench/results/spiderpig-latest.md LABEL=
VIEWER_BIN= NICE=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --viewers) VIEWERS=$2; shift 2 ;;
    --lines) LINES=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --procs) PROCS=$2; shift 2 ;;
    --list-seconds) LIST_SECONDS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --bin) BIN=$2; BUILD=0; shift 2 ;;
    --viewer-bin) VIEWER_BIN=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "spiderpig bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[spiderpig bench] $*" >&2; }
source "$ROOT/bench/lib.sh"
[[ $BUILD == 1 ]] && bench_build "spiderpig bench" spiderpig SpiderPigBenchViewers
VIEWER_BIN=${VIEWER_BIN:-$BIN/SpiderPigBenchViewers}
bench_require "spiderpig bench" spiderpig
[[ -x $VIEWER_BIN ]] || { echo "spiderpig bench: missing $VIEWER_BIN" >&2; exit 1; }
venv=$ROOT/.venv/bin
[[ -x $venv/oidc-provider-mock ]] || { echo "spiderpig bench: run scripts/setup.sh (oidc-provider-mock)" >&2; exit 1; }
LABEL=${LABEL:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources || echo "+dirty")}
[[ $NICE != 0 ]] && LABEL="$LABEL, nice $NICE"

dir=$BENCH_DIR/run-$$
mkdir -p "$dir/web"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
cpu_of() { awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# The stand-in scap: RATE lines/s in chunks of 100, each chunk's write time recorded for the delay measurement.
cat >"$dir/fast-scap" <<'PY'
#!/usr/bin/env python3
import os, sys, time
key = os.environ["SPIDERPIG_IO_KEY"]
lines, rate = int(os.environ["BENCH_LINES"]), int(os.environ["BENCH_RATE"])
out = sys.stdout
template = ('{"iokey": "' + key + '", "type": "line", "line": "bench-line %d \\u001b[32mok\\u001b[0m host%d:'
            ' deployed revision 0123456789abcdef to /srv/deployment/web", "sensitive": false}\n')
times = []
start = time.monotonic()
for chunk in range(0, lines, 100):
    time.sleep(max(0, start + chunk / rate - time.monotonic()))
    times.append("%d %.6f\n" % (chunk, time.time()))
    out.write("".join(template % (i, i % 50) for i in range(chunk, min(lines, chunk + 100))))
    out.flush()
with open(os.environ["BENCH_TIMES"], "w") as f:
    f.writelines(times)
PY
chmod 755 "$dir/fast-scap"

port=$(free_port)
idp_port=$(free_port)
base=http://127.0.0.1:$port
idp=http://127.0.0.1:$idp_port
cat >"$dir/config.yaml" <<CFG
listen_host: 127.0.0.1
listen_port: $port
public_url: $base
database: $dir/db/spiderpig.db
audit_log: $dir/audit.log
insecure_cookies: true
oidc:
  issuer: $idp
  client_id: spiderpig
  client_secret: bench
  username_claim: sub
roles:
  deployer: [deployers]
repositories:
  web: $dir/web
scap:
  binary: $dir/fast-scap
  environment: {BENCH_LINES: "$LINES", BENCH_RATE: "$RATE", BENCH_TIMES: "$dir/times.txt"}
CFG
export SPIDERPIG_CONFIG=$dir/config.yaml
"$venv/oidc-provider-mock" --port "$idp_port" --require-nonce true >"$dir/idp.log" 2>&1 &
pids+=($!)
nice -n "$NICE" env -u SUDO_USER "$BIN/spiderpig" serve >"$dir/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 150); do
  curl -fs "$base/login" >/dev/null 2>&1 && curl -fs "$idp/.well-known/openid-configuration" >/dev/null 2>&1 && break
  sleep 0.2
done

jar=$dir/alice.cookies
api() { curl -s -b "$jar" -c "$jar" -X "$1" -H "X-CSRF-Token: ${csrf:-}" -H 'Content-Type: application/json' ${3:+--data "$3"} "$base$2"; }
curl -s -X PUT -H 'Content-Type: application/json' --data '{"groups":["deployers"]}' "$idp/users/alice" >/dev/null
authorize=$(curl -s -o /dev/null -w '%{redirect_url}' -c "$jar" "$base/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' --data 'sub=alice' "$authorize")
curl -s -o /dev/null -b "$jar" -c "$jar" "$callback"
csrf=$(api GET /api/whoami | json "d['csrf']")
csrf=$(api POST /api/otp "{\"code\":\"$("$BIN/spiderpig" otp --quiet --user alice)\"}" | json "d['csrf']")
cookie="spiderpig_session=$(awk '$6 == "spiderpig_session" { print $7 }' "$jar")"

mkdir -p "$(dirname "$OUT")"
if [[ ! -s $OUT ]]; then
  {
    echo "# SpiderPig live-log benchmark"
    echo
    echo "bench/spiderpig/run.sh: a stand-in scap writes lines at the given rate (100 per chunk) while the viewers"
    echo "watch its job over WebSockets on loopback; the viewers run in separate processes (release builds)."
    echo "Delay: from the moment scap wrote a line to the moment a viewer received it, over every line at every"
    echo "viewer. CPU: the server's user+sys from 'ready' until the last viewer had the last line, per 1,000 lines."
    echo "Load: 1-minute load average before / after the run (2-core machine shared with other builds)."
    echo
    echo "| date (UTC) | server | viewers | lines @ rate | complete | seq errors | p50 ms | p95 ms | p99 ms | max ms | server CPU ms / 1,000 lines | load before / after |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  } >"$OUT"
fi

for viewers in $VIEWERS; do
  id=$(api POST /api/jobs '{"kind":"deploy","repository":"web"}' | json "d['id']")
  procs=$(( viewers < PROCS ? viewers : PROCS ))
  clients=()
  for ((p = 0; p < procs; p++)); do
    count=$(( viewers / procs + (p < viewers % procs ? 1 : 0) ))
    nice -n "$NICE" "$VIEWER_BIN" watch 127.0.0.1 "$port" "/ws?job=$id" "$cookie" "$count" "$LINES" "$dir/viewer-$p.txt" 600 \
      >"$dir/viewer-$p.out" 2>&1 &
    clients+=($!)
    pids+=($!)
  done
  for _ in $(seq 600); do
    ready=$(cat "$dir"/viewer-*.out 2>/dev/null | grep -c '^connected' || true)
    [[ $ready -ge $procs ]] && break
    sleep 0.1
  done
  [[ $ready -ge $procs ]] || { echo "spiderpig bench: viewers did not connect: $(cat "$dir"/viewer-*.out)" >&2; exit 1; }
  sleep 1
  load_before=$(loadavg)
  cpu_before=$(cpu_of "$server")
  started=$(date +%s.%N)
  api POST "/api/jobs/$id/ready" '{"ready":true}' >/dev/null
  for client in "${clients[@]}"; do wait "$client" || true; done
  cpu=$(awk -v a="$cpu_before" -v b="$(cpu_of "$server")" 'BEGIN { print b - a }')
  elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  load_after=$(loadavg)
  for _ in $(seq 100); do
    [[ $(api GET "/api/jobs/$id" | json "d['job']['state']") == deployed ]] && break
    sleep 0.1
  done
  api POST "/api/jobs/$id/finish" >/dev/null
  result=$(python3 "$HERE/report.py" "$dir/times.txt" "$LINES" "$cpu" "$dir"/viewer-*.txt)
  log "viewers=$viewers elapsed=${elapsed}s load $load_before/$load_after: $result"
  row=$(echo "$result" | python3 -c "
import json, sys
d = json.load(sys.stdin)
print('| $(date -u +%Y-%m-%dT%H:%M) | $LABEL | %d | $LINES @ $RATE/s | %d/%d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | $load_before / $load_after |' % (
    d['viewers'], d['complete'], d['viewers'], d['errors'], d['p50_ms'], d['p95_ms'], d['p99_ms'], d['max_ms'],
    d['cpu_ms_per_1000_lines']))")
  echo "$row" >>"$OUT"
  rm -f "$dir"/viewer-*
done

# Job list: GET /api/jobs?limit=20 (the history page's request) over 1 and 8 keep-alive connections.
for connections in 1 8; do
  load_before=$(loadavg)
  cpu_before=$(cpu_of "$server")
  line=$(nice -n "$NICE" "$VIEWER_BIN" list 127.0.0.1 "$port" "/api/jobs?limit=20" "$cookie" "$connections" "$LIST_SECONDS")
  rate=$(echo "$line" | awk '{ printf "%.0f", $2 / $4 }')
  per=$(awk -v a="$cpu_before" -v b="$(cpu_of "$server")" -v n="$(echo "$line" | awk '{ print $2 }')" \
    'BEGIN { printf "%.2f", (b - a) * 1000 / (n > 0 ? n : 1) }')
  log "job list, $connections connections: $line ($rate req/s, server CPU $per ms per request, load $load_before)"
  echo "| $(date -u +%Y-%m-%dT%H:%M) | $LABEL | job list: GET /api/jobs?limit=20, $connections keep-alive connection(s) | $rate requests/s | | | | | | | server CPU $per ms / request | $load_before / $(loadavg) |" >>"$OUT"
done
cat "$OUT"
