#!/usr/bin/env bash
# The main job on an embedded default: build, start 5 loopback test hosts (one OpenSSH sshd each, on
# 127.0.1.1-5), run cumin on them and show the grouped output, then run the example cookbooks
# (examples/cookbooks) on them with `cookbook`, and stop every sshd by PID on exit.
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
