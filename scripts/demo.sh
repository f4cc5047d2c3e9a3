#!/usr/bin/env bash
# The main job on an embedded default: build, start 5 loopback test hosts (one OpenSSH sshd each, on
# 127.0.1.1-5), run cumin on them, show the grouped output, and stop every sshd by PID on exit.
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
