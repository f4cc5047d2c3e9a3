#!/usr/bin/env bash
# The service clients part of the demo: a real etcd (with the v2 API conftool's data lives in) holding conftool
# objects, then the seed's ServiceRouter cookbook (DNS discovery pool/depool on conftool, dry run first, a refused
# depool of the last datacenter rolled back) and a load-balanced rolling restart (sre.hosts.lb-restart: each batch
# depooled in conftool, restarted, repooled) on the test bed's hosts.
#
# Usage: DEMO_DIR=<running test bed directory> DEMO_BIN=<directory of the built binaries> scripts/demo-services.sh
# The bed must have host1..host3 (testbed start --dir "$DEMO_DIR" --hosts 3 or more). etcd is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DEMO_DIR:?set DEMO_DIR to the directory of a running test bed}"
: "${DEMO_BIN:?set DEMO_BIN to the directory holding cookbook and testbed}"
[[ -f $DEMO_DIR/ssh_config ]] || { echo "demo-services: no test bed in $DEMO_DIR (ssh_config missing)" >&2; exit 1; }
command -v etcd >/dev/null 2>&1 || { echo "demo-services: etcd is missing: run scripts/setup.sh" >&2; exit 1; }

work="$DEMO_DIR/services"
rm -rf "$work"
mkdir -p "$work/spicerack/discovery"
read -r client peer < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
etcd --name demo --data-dir "$work/etcd" --enable-v2=true \
  --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "demo=http://127.0.0.1:$peer" >"$work/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null || true' EXIT
etcd_url="http://127.0.0.1:$client"
for _ in $(seq 1 100); do
  curl -fsS "$etcd_url/health" >/dev/null 2>&1 && break
  sleep 0.1
done

put() { curl -fsS -X PUT "$etcd_url/v2/keys/conftool/v1/$1" --data-urlencode "value=$2" >/dev/null; }
show() { curl -fsS "$etcd_url/v2/keys/conftool/v1/$1?recursive=true" | python3 -c 'import json,sys
def walk(n):
    if n.get("dir"):
        for c in n.get("nodes", []): walk(c)
    else: print("  " + n["key"] + " " + n["value"])
walk(json.load(sys.stdin)["node"])'; }

put discovery/appservers-ro/eqiad '{"pooled": true, "references": [], "ttl": 300}'
put discovery/appservers-ro/codfw '{"pooled": true, "references": [], "ttl": 300}'
for host in host1 host2 host3; do put "pools/eqiad/appserver/nginx/$host" '{"pooled": "yes", "weight": 10}'; done

cat > "$work/cumin.yaml" <<YAML
transport: clustershell
log_file: $work/cumin.log
default_backend: direct
clustershell:
  ssh_options: ['-F $DEMO_DIR/ssh_config']
  fanout: 16
YAML
cat > "$work/conftool.yaml" <<YAML
driver_options: {etcd_config_file: $work/etcdrc}
YAML
printf 'host: 127.0.0.1\nport: %s\nprotocol: http\n' "$client" > "$work/etcdrc"
cat > "$work/schema.yaml" <<YAML
discovery:
  path: discovery
  tags: [dnsdisc]
  schema:
    pooled: {type: bool, default: false}
    references: {type: list, default: []}
    ttl: {type: int, default: 300}
YAML

cat > "$work/spicerack.yaml" <<YAML
cookbooks_base_dirs: [$PWD/examples/cookbooks]
logs_base_dir: $work/logs
cookbooks_cache_dir: $DEMO_DIR/cookbook-cache
instance_params:
  cumin_config: $work/cumin.yaml
  locks_dir: $work/locks
  conftool_config: $work/conftool.yaml
  conftool_schema: $work/schema.yaml
  spicerack_config_dir: $work/spicerack
YAML

# shellcheck source=scripts/demo-lib.sh
source scripts/demo-lib.sh   # bold headers only on a terminal, never with NO_COLOR
step() { printf '\n%s$ %s%s\n' "$demo_bold" "$*" "$demo_plain"; }
cookbook() { "$DEMO_BIN/cookbook" -c "$work/spicerack.yaml" "$@"; }

step "conftool on etcd $etcd_url (v2 keys, as confctl writes them)"
show discovery
step "cookbook -d sre.discovery.service-router appservers-ro eqiad depool   # dry run: only logged"
cookbook -d sre.discovery.service-router appservers-ro eqiad depool 2>&1 | grep -E 'Would have|START|END' || true
step "cookbook sre.discovery.service-router appservers-ro eqiad depool -r demo"
cookbook sre.discovery.service-router appservers-ro eqiad depool -r demo
show discovery
step "cookbook sre.discovery.service-router appservers-ro codfw depool   # the last active datacenter: refused"
set +e
cookbook sre.discovery.service-router appservers-ro codfw depool
echo "[exit code $?]"
set -e
show discovery/appservers-ro/codfw
step "cookbook sre.discovery.service-router appservers-ro eqiad pool -r demo"
cookbook sre.discovery.service-router appservers-ro eqiad pool -r demo

step "cookbook sre.hosts.lb-restart appserver nginx --dc eqiad --restart-command ...   # depool, restart, repool"
cookbook sre.hosts.lb-restart appserver nginx --dc eqiad \
  --restart-command "echo restarting {service} on \$(hostname), conftool says: \$(curl -fsS $etcd_url/v2/keys/conftool/v1/pools/eqiad/appserver/nginx/\$(hostname) | grep -o 'pooled[^,]*')"
step "conftool after the rolling restart: every host pooled again"
show pools
