#!/usr/bin/env bash
# `scap backport` on a running test bed: one change from a real upstream repository, through the test server and
# its smoke test, the canary and its error-rate gate on a real Prometheus, then production.
#   DEMO_DIR  a bed started by `testbed start --dir DIR --hosts 5` (ssh_config, hosts/hostN/srv)
#   DEMO_BIN  the directory holding the `scap` executable
# Every process it starts (the services on the hosts, the traffic, Prometheus) is stopped by PID on exit.
set -euo pipefail
dir=${DEMO_DIR:?set DEMO_DIR to a started 5-host test bed}
bin=${DEMO_BIN:?set DEMO_BIN to the directory of the scap executable}
here=$(cd "$(dirname "$0")" && pwd)
work=$dir/backport
# shellcheck source=scripts/demo-lib.sh
source "$here/demo-lib.sh"   # bold headers only on a terminal, never with NO_COLOR
step() { printf '\n%s$ %s%s\n' "$demo_bold" "$*" "$demo_plain"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for n in 1 2 3 4 5; do
    pidfile=$dir/hosts/host$n/srv/metrics-svc/pid
    [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
}
trap cleanup EXIT

rm -rf "$work" && mkdir -p "$work"
# A service on each host, serving the deployed tree's version and Prometheus metrics.
declare -A port
targets=""
for n in 1 2 3 4 5; do
  port[$n]=$(free_port)
  mkdir -p "$dir/hosts/host$n/srv/metrics-svc"
  cp "$here/backport-service.py" "$dir/hosts/host$n/srv/metrics-svc/service.py"
  ssh -F "$dir/ssh_config" "host$n" "nohup python3 /srv/metrics-svc/service.py ${port[$n]} /srv/deployment/demo/backport host$n >/srv/metrics-svc/log 2>&1 </dev/null & echo \$! >/srv/metrics-svc/pid"
  targets+="'127.0.0.1:${port[$n]}',"
done
# A real Prometheus scraping them every second.
prom_port=$(free_port)
mkdir -p "$work/prometheus"
cat > "$work/prometheus/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: web
    static_configs: [{targets: [${targets%,}]}]
YAML
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus/log" 2>&1 &
pids+=($!)

# The upstream repository, the deploy repository (a clone) and an author's clone.
git init --quiet --bare -b main "$work/upstream.git"
git clone --quiet "$work/upstream.git" "$work/deploy" 2>/dev/null
repo=$work/deploy
git -C "$repo" checkout --quiet -b main
mkdir -p "$repo/scap"
printf 'host1\n' > "$repo/scap/testservers"
printf 'host2\n' > "$repo/scap/canaries"
printf 'host[3-5]\n' > "$repo/scap/production"
for n in 1 2 3 4 5; do printf 'host%s 127.0.0.1:%s\n' "$n" "${port[$n]}"; done > "$repo/scap/smoke-hosts"
cat > "$repo/scap/scap.cfg" <<CFG
[global]
git_repo: demo/backport
lock_file: $work/backport.lock
server_groups: testservers, canary, production
testservers_dsh_targets: testservers
canary_dsh_targets: canaries
production_dsh_targets: production
smoke_test_hosts: scap/smoke-hosts
canary_wait_time: 6
prometheus_url: http://127.0.0.1:$prom_port
CFG
cat > "$repo/scap/smoke-tests.yaml" <<'YAML'
http://web.example.org:
- path: /version
  assert_status: 200
  assert_body_regex: "^v[0-9]+"
YAML
printf 'v1\n' > "$repo/version.txt"
printf 'scap/log/\n' > "$repo/.gitignore"
git -C "$repo" add -A
git -C "$repo" -c user.name=Demo -c user.email=demo@example.org commit --quiet -m v1
git -C "$repo" push --quiet origin main 2>/dev/null
git -C "$repo" branch --quiet --set-upstream-to=origin/main
git clone --quiet "$work/upstream.git" "$work/author" 2>/dev/null

scap() { (cd "$repo" && env -u SUDO_USER "$bin/scap" "$@"); }
common=(--ssh-config "$dir/ssh_config" --global-lock "$work/global.lock" --lock-timeout 10)
step "scap deploy 'v1'                                  # the starting point on every host"
scap deploy "${common[@]}" v1 | tail -n 1

# A change by an author, pushed for review as Gerrit lays changes out: refs/changes/42/4242/1.
printf 'v2\n' > "$work/author/version.txt"
git -C "$work/author" -c user.name='Ada Author' -c user.email=ada@example.org commit --quiet -am 'Bump the version to v2'
git -C "$work/author" push --quiet origin HEAD:refs/changes/42/4242/1 2>/dev/null

python3 "$here/backport-service.py" traffic "${port[2]}" "${port[3]}" "${port[4]}" "${port[5]}" &
pids+=($!)
sleep 4
step "scap backport --yes 4242    # merge, test server + smoke test, 'y' to continue, canary + gate, production"
printf 'y\n' | scap backport "${common[@]}" --yes 4242
step "curl http://127.0.0.1:<port>/version on host1-5"
for n in 1 2 3 4 5; do printf 'host%s: %s\n' "$n" "$(curl -s "http://127.0.0.1:${port[$n]}/version")"; done
step "tail -n 1 scap/log/backport-history.jsonl"
tail -n 1 "$repo/scap/log/backport-history.jsonl"
