#!/usr/bin/env bash
# The main job on an embedded default: build, start 5 loopback test hosts (one OpenSSH sshd each, on
# 127.0.1.1-5), run cumin on them and show the grouped output, then run the example cookbooks
# (examples/cookbooks) on them with `cookbook`, then deploy a small repository to them with `scap deploy`
# (canary first, a failing check rolled back, the deploy log), and stop every sshd by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"

scripts/setup.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
dir=${CUMIN_DEMO_DIR:-/tmp/cumin-demo}

"$bin/testbed" start --dir "$dir" --hosts 5 >/dev/null
trap '"$bin/testbed" stop --dir "$dir" >/dev/null' EXIT

cat > "$dir/config.yaml" <<YAML
transport: clustershell
log_file: $dir/cumin.log
default_backend: direct
clustershell:
  ssh_options: ['-F $dir/ssh_config']
  fanout: 16
YAML
cat > "$dir/aliases.yaml" <<YAML
web: D{host[1-3]}
db: D{host[4-5]}
YAML

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cumin() { "$bin/cumin" -c "$dir/config.yaml" "$@"; }

step "cumin 'A:web or A:db'                       # dry run: which hosts?"
cumin 'A:web or A:db'
step "cumin --force 'host[1-5]' 'uname -s' 'hostname' -m sync   # identical outputs are grouped"
cumin --force --no-progress -m sync 'host[1-5]' 'uname -s' 'hostname'
step "testbed down host4; cumin --force -p 75 'host[1-5]' 'true'   # one host down, threshold 75%"
"$bin/testbed" down --dir "$dir" host4 >/dev/null
set +e
cumin --force --no-progress -p 75 'host[1-5]' 'true'
echo "[exit code $?]"
set -e
step "cumin --force -b 2 -s 0.5 -m async 'A:web' 'date +%T.%N' 'echo done'   # sliding batch of 2"
cumin --force --no-progress -b 2 -s 0.5 -m async 'A:web' 'date +%T.%N' 'echo done'
step "tail -n 3 $dir/cumin.log                    # the audit log"
tail -n 3 "$dir/cumin.log"

# --- Spicerack: the example cookbooks (examples/cookbooks) on the same hosts ---------------------------------
"$bin/testbed" up --dir "$dir" host4 >/dev/null
cat >> "$dir/aliases.yaml" <<YAML
dns: D{host[1-5]}
YAML
cat > "$dir/spicerack.yaml" <<YAML
cookbooks_base_dirs: [$PWD/examples/cookbooks]
logs_base_dir: $dir/spicerack-logs
cookbooks_cache_dir: $dir/cookbook-cache
instance_params:
  cumin_config: $dir/config.yaml
  locks_dir: $dir/locks
YAML
cookbook() { "$bin/cookbook" -c "$dir/spicerack.yaml" "$@"; }

step "cookbook -l -v                                   # the tree (compiled on first use, then cached)"
cookbook -l -v
step "cookbook sre.hosts.uptime 'A:web'                # a simple cookbook"
cookbook sre.hosts.uptime 'A:web'
step "cookbook -d sre.discovery.service-router appservers-ro eqiad depool --dns-hosts A:dns   # dry run"
cookbook -d sre.discovery.service-router appservers-ro eqiad depool --dns-hosts A:dns 2>&1 | grep -v '^DRY-RUN: \(node=\|starting\)'
step "cookbook sre.discovery.service-router appservers-ro eqiad depool --dns-hosts A:dns -r 'demo'"
cookbook sre.discovery.service-router appservers-ro eqiad depool --dns-hosts A:dns -r demo
cat "$dir/hosts/host1/srv/discovery/appservers-ro/eqiad" 2>/dev/null || true
step "cookbook sre.hosts.rolling-restart 'A:web' nginx --batch-size 2 ...   # a failing check rolls back"
touch "$dir/hosts/host3/srv/broken"
set +e
cookbook sre.hosts.rolling-restart 'A:web' nginx --batch-size 2 \
  --restart-command 'touch /srv/{service}.restarted' --check-command 'test ! -e /srv/broken'
echo "[exit code $?]"
set -e
step "tail -n 2 $dir/spicerack-logs/cookbook-runs.jsonl   # one audit record per run"
tail -n 2 "$dir/spicerack-logs/cookbook-runs.jsonl"

# --- Scap: deploy a repository to the same hosts (canary host1, then host2-5) --------------------------------
repo=$dir/deploy/web
rm -rf "$dir/deploy" && mkdir -p "$repo/scap"
git -C "$repo" init --quiet -b main
printf 'v1\n' > "$repo/version.txt"
printf 'host1\n' > "$repo/scap/canary-targets"
printf 'host[2-5]\n' > "$repo/scap/default-targets"
cat > "$repo/scap/scap.cfg" <<CFG
[global]
git_repo: demo/web
lock_file: $dir/deploy/web.lock
server_groups: canary, default
canary_dsh_targets: canary-targets
dsh_targets: default-targets
config_deploy: True
CFG
# config_deploy: one template, rendered per target with that target's /srv/host-vars.yaml (remote_vars).
mkdir -p "$repo/scap/templates"
printf '/srv/etc/web.yaml:\n  template: web.yaml.j2\n  remote_vars: /srv/host-vars.yaml\n' > "$repo/scap/config-files.yaml"
printf 'port: 8080\n' > "$repo/scap/vars.yaml"
printf 'port: {{ port }}\nrack: {{ rack }}\n' > "$repo/scap/templates/web.yaml.j2"
for n in 1 2 3 4 5; do printf 'rack: b%s\n' "$n" > "$dir/hosts/host$n/srv/host-vars.yaml"; done
cat > "$repo/scap/checks.yaml" <<'YAML'
checks:
  smoke:
    type: command
    after: promote
    command: "test ! -e /srv/broken || { echo 'smoke: /srv/broken exists'; exit 1; }"
YAML
commit() { git -C "$repo" add -A && git -C "$repo" -c user.name=Demo -c user.email=demo@example.org commit --quiet -m "$1"; }
commit v1
# scap refuses root reached through sudo; the demo's repository and hosts are disposable, so `sudo scripts/demo.sh`
# is fine.
scap() { (cd "$repo" && env -u SUDO_USER "$bin/scap" "$@"); }
rm -f "$dir/hosts/host3/srv/broken"
deploy=(deploy --ssh-config "$dir/ssh_config" --global-lock "$dir/deploy/global.lock" --lock-timeout 10)
step "scap deploy 'first deploy'                       # canary first, then the rest (no tty: continue)"
scap "${deploy[@]}" 'first deploy'
step "readlink $dir/hosts/host5/srv/deployment/demo/web    # each host's /srv/deployment/demo/web -> revs/<sha>"
readlink "$dir/hosts/host5/srv/deployment/demo/web"
printf 'v2\n' > "$repo/version.txt" && commit v2
touch "$dir/hosts/host3/srv/broken"
step "scap deploy 'v2'                                 # host3's check fails: every group is rolled back"
set +e
scap "${deploy[@]}" v2
echo "[exit code $?]"
set -e
step "scap deploy-log --latest 'levelno >= WARNING'    # the deploy log, filtered"
scap deploy-log --latest 'levelno >= WARNING'
rm -f "$dir/hosts/host3/srv/broken"
step "scap deploy 'v2 again'                           # fixed: v2 everywhere"
scap "${deploy[@]}" 'v2 again'
step "ssh -F $dir/ssh_config host3 cat /srv/deployment/demo/web/version.txt /srv/etc/web.yaml"
ssh -F "$dir/ssh_config" host3 cat /srv/deployment/demo/web/version.txt /srv/etc/web.yaml
