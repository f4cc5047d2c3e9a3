#!/usr/bin/env bash
# The main job on an embedded default: install what the demo needs, build the release binaries, start 5 loopback
# test hosts (one OpenSSH sshd each, on 127.0.1.1-5), then show on them, with the commands as they are run:
#   cumin     queries, grouped outputs, a host down under a threshold, a sliding batch, the audit log
#   cookbook  the example cookbooks (examples/cookbooks): listing, a run, a dry run, a rolling restart whose
#             failing check restores the failed batch
#   scap      a deploy (canary first), a failing check rolled back, the deploy log, the fixed deploy
# Every run starts from fresh hosts (the bed directory is recreated), so a second run tells the same story, and
# every sshd is stopped by PID at the end.
#
# Usage: scripts/demo.sh [SECTION...]      sections: cumin cookbook scap (default: all, in that order)
# Environment: CUMIN_DEMO_DIR (default /tmp/cumin-demo), NO_COLOR (plain headers).
#
# Extending it: a part is a standalone script run with the bed up, e.g. scripts/demo-backport.sh; add it as one line
# to `sections` and `run_section` below. It gets DEMO_DIR, DEMO_BIN, DEMO_REPO and CUMIN_TESTBED_DIR exported, the
# current directory DEMO_DIR, and may `source "$DEMO_REPO/scripts/demo-lib.sh"` for demo_section/demo_run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"
export DEMO_REPO=$PWD
# shellcheck source=scripts/demo-lib.sh
source scripts/demo-lib.sh

sections=(cumin cookbook services scap backport spiderpig)
(($#)) && sections=("$@")
for section in "${sections[@]}"; do
  case $section in
    cumin|cookbook|services|scap|backport|spiderpig) ;;
    *) echo "demo.sh: unknown section '$section' (cumin, cookbook, services, scap, backport, spiderpig)" >&2; exit 2 ;;
  esac
done

# --- Build: the release binaries, first on PATH ----------------------------------------------------------------
prepare() {
  scripts/setup.sh --demo
  local log started=$SECONDS
  log=$(mktemp)
  echo "demo: building the release binaries (swift build -c release; a few minutes the first time)"
  swift build -c release >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
  echo "demo: built in $((SECONDS - started)) s"
  DEMO_BIN=$(swift build -c release --show-bin-path)
  export DEMO_BIN PATH="$DEMO_BIN:$PATH"
}

# --- The bed: 5 fresh hosts and the configuration files of cumin and cookbook ----------------------------------
start_bed() {
  export DEMO_DIR=${CUMIN_DEMO_DIR:-/tmp/cumin-demo}
  export CUMIN_TESTBED_DIR=$DEMO_DIR
  if [[ -e $DEMO_DIR ]]; then
    [[ -f $DEMO_DIR/.cumin-demo ]] || {
      echo "demo.sh: $DEMO_DIR exists and is not a demo directory; set CUMIN_DEMO_DIR to another path" >&2
      exit 1
    }
    testbed stop --dir "$DEMO_DIR" >/dev/null 2>&1 || true
    rm -rf "$DEMO_DIR"
  fi
  mkdir -p "$DEMO_DIR"
  touch "$DEMO_DIR/.cumin-demo"
  testbed start --dir "$DEMO_DIR" --hosts 5 >/dev/null
  trap 'testbed stop --dir "$DEMO_DIR" >/dev/null' EXIT

  cat >"$DEMO_DIR/cumin.yaml" <<YAML
transport: clustershell
log_file: $DEMO_DIR/cumin.log
default_backend: direct
clustershell:
  ssh_options: ['-F $DEMO_DIR/ssh_config']
  fanout: 16
YAML
  cat >"$DEMO_DIR/aliases.yaml" <<YAML
web: D{host[1-3]}
db: D{host[4-5]}
dns: D{host[1-5]}
YAML
  cat >"$DEMO_DIR/spicerack.yaml" <<YAML
cookbooks_base_dirs: [$DEMO_REPO/examples/cookbooks]
logs_base_dir: $DEMO_DIR/spicerack-logs
cookbooks_cache_dir: $DEMO_DIR/cookbook-cache
instance_params:
  cumin_config: $DEMO_DIR/cumin.yaml
  locks_dir: $DEMO_DIR/locks
YAML
  cd "$DEMO_DIR"
  demo_note "5 hosts up in $DEMO_DIR (ssh -F $DEMO_DIR/ssh_config host1); cumin.yaml, aliases.yaml and spicerack.yaml written there"
}

# --- cumin ------------------------------------------------------------------------------------------------------
cumin_section() {
  demo_section "cumin: run commands on hosts, outputs grouped"
  demo_run "cumin -c cumin.yaml 'A:web or A:db'" "dry run: which hosts?"
  demo_run "cumin -c cumin.yaml --force -m sync 'host[1-5]' 'uname -s' 'hostname'" "identical outputs are grouped"
  demo_run "cumin -c cumin.yaml --force 'A:web' \"printf 'a\\nb\\n'; echo err >&2\"" \
    "stdout and stderr in the order written: one group"
  demo_run "testbed down host4" "host4 refuses connections"
  demo_run_status "cumin -c cumin.yaml --force -p 75 'host[1-5]' 'true'" "one host down, threshold 75%: exit 1"
  demo_run "testbed up host4"
  demo_run "cumin -c cumin.yaml --force -b 2 -s 0.5 -m async 'A:web' 'date +%T.%N' 'echo done'" \
    "a sliding batch of 2 hosts"
  demo_run "tail -n 3 cumin.log" "the audit log"
}

# --- cookbook ---------------------------------------------------------------------------------------------------
cookbook_section() {
  demo_section "cookbook: the example cookbooks (examples/cookbooks) on the same hosts"
  demo_run "cookbook -c spicerack.yaml -l -v" "the tree (compiled on first use, then cached)"
  demo_run "cookbook -c spicerack.yaml sre.hosts.uptime 'A:web'" "a simple cookbook"
  demo_run "touch hosts/host3/srv/broken" "host3's health check will fail"
  demo_run_status "cookbook -c spicerack.yaml sre.hosts.rolling-restart 'A:web' nginx --batch-size 2 \\
    --restart-command 'touch /srv/{service}.restarted' --check-command 'test ! -e /srv/broken' \\
    --rollback-command 'rm /srv/{service}.restarted'" "batch 2 (host3) fails and is restored: exit 1"
  demo_run "ls hosts/host*/srv/nginx.restarted" "host1 and host2 restarted, host3 restored"
  demo_run "rm hosts/host3/srv/broken"
  demo_run "tail -n 2 spicerack-logs/cookbook-runs.jsonl" "one audit record per run"
}

# --- scap -------------------------------------------------------------------------------------------------------
scap_section() {
  demo_section "scap: deploy a repository to the same hosts (canary host1, then host[2-5])"
  local repo=$DEMO_DIR/deploy/web
  mkdir -p "$repo/scap/templates"
  git -C "$repo" init --quiet -b main
  printf 'v1\n' >"$repo/version.txt"
  printf 'host1\n' >"$repo/scap/canary-targets"
  printf 'host[2-5]\n' >"$repo/scap/default-targets"
  cat >"$repo/scap/scap.cfg" <<CFG
[global]
git_repo: demo/web
lock_file: $DEMO_DIR/deploy/web.lock
server_groups: canary, default
canary_dsh_targets: canary-targets
dsh_targets: default-targets
config_deploy: True
CFG
  # config_deploy: one template, rendered per target with that target's /srv/host-vars.yaml (remote_vars).
  printf '/srv/etc/web.yaml:\n  template: web.yaml.j2\n  remote_vars: /srv/host-vars.yaml\n' \
    >"$repo/scap/config-files.yaml"
  printf 'port: 8080\n' >"$repo/scap/vars.yaml"
  printf 'port: {{ port }}\nrack: {{ rack }}\n' >"$repo/scap/templates/web.yaml.j2"
  for n in 1 2 3 4 5; do printf 'rack: b%s\n' "$n" >"$DEMO_DIR/hosts/host$n/srv/host-vars.yaml"; done
  cat >"$repo/scap/checks.yaml" <<'YAML'
checks:
  smoke:
    type: command
    after: promote
    command: "test ! -e /srv/broken || { echo 'smoke: /srv/broken exists'; exit 1; }"
YAML
  commit() { git -C "$repo" add -A && git -C "$repo" -c user.name=Demo -c user.email=demo@example.org commit --quiet -m "$1"; }
  commit v1
  demo_note "deploy/web: a git repository with scap/scap.cfg (canary host1, then host[2-5]), a smoke check after"
  demo_note "promote, and a config template rendered per host from the host's /srv/host-vars.yaml"
  # scap refuses root reached through sudo (files it writes would belong to root); the demo's repository and
  # hosts are disposable, so `sudo scripts/demo.sh` is fine: forget the sudo user here.
  unset SUDO_USER
  demo_run "cd deploy/web"
  local deploy="scap deploy --ssh-config ../../ssh_config --global-lock ../global.lock --lock-timeout 10"
  demo_run "$deploy 'first deploy'" "canary first, then the rest (no terminal: continue)"
  demo_run "readlink ../../hosts/host5/srv/deployment/demo/web" "each host's service directory -> its revision"
  printf 'v2\n' >version.txt && commit v2
  demo_run "touch ../../hosts/host3/srv/broken" "v2 is committed; host3's smoke check will fail"
  demo_run_status "$deploy v2" "host3 fails: every group is rolled back"
  demo_run "scap deploy-log --latest 'levelno >= WARNING'" "the deploy log, filtered"
  demo_run "rm ../../hosts/host3/srv/broken"
  demo_run "$deploy 'v2 again'" "fixed: v2 everywhere"
  demo_run "ssh -F ../../ssh_config host3 cat /srv/deployment/demo/web/version.txt /srv/etc/web.yaml"
  cd "$DEMO_DIR"
}

# Runs one section; a part delivered as a script is one more line here, e.g.
#   backport) "$DEMO_REPO/scripts/demo-backport.sh" ;;
run_section() {
  case $1 in
    cumin) cumin_section ;;
    cookbook) cookbook_section ;;
    scap) scap_section ;;
    services)
      demo_section "spicerack service clients: conftool on etcd, the seed's ServiceRouter, an LB rolling restart"
      "$DEMO_REPO/scripts/demo-services.sh" ;;
    backport)
      demo_section "scap backport: a change through test server, smoke tests, canary gate and production"
      "$DEMO_REPO/scripts/demo-backport.sh" ;;
    spiderpig)
      demo_section "SpiderPig: a deploy queued, approved and answered through the web API"
      "$DEMO_REPO/scripts/demo-spiderpig.sh" ;;
  esac
}

prepare
start_bed
for section in "${sections[@]}"; do run_section "$section"; done
demo_section "done: the bed's sshds are stopped; see README.md for the same tools by hand"
