#!/usr/bin/env bash
# SpiderPig demo: drives a deployment and a backport through SpiderPig's HTTP API as a browser would, with a real
# IdP (oidc-provider-mock) and scap deploying to loopback sshd hosts.
#   DEMO_DIR  the demo's directory (a testbed there is used if running, else one is started and stopped)
#   DEMO_BIN  where spiderpig, scap and testbed are (default: swift build --show-bin-path)
# Steps: log in (IdP + the code from `spiderpig otp`), queue a deploy, answer "Ready?", answer scap's canary
# prompt, see the log, finish the deployment; request a backport of a change pushed for review (by its Gerrit URL),
# answer scap backport's prompts, finish; then an admin freezes and unfreezes from the CLI.
# KEEP=1 leaves SpiderPig and the IdP running at the end (for a browser) and prints how to stop them.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin=${DEMO_BIN:-$(cd "$repo" && swift build --show-bin-path)}
dir=${DEMO_DIR:-/tmp/spiderpig-demo}
venv="$repo/.venv/bin"
for tool in "$bin/spiderpig" "$bin/scap" "$bin/testbed" "$venv/oidc-provider-mock"; do
  [[ -x $tool ]] || { echo "demo-spiderpig: missing $tool (build with swift build --product spiderpig; scripts/setup.sh)" >&2; exit 1; }
done
# shellcheck source=scripts/demo-lib.sh
source "$repo/scripts/demo-lib.sh"   # bold headers only on a terminal, never with NO_COLOR
step() { printf '\n%s$ %s%s\n' "$demo_bold" "$*" "$demo_plain"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mkdir -p "$dir"
pids=()
started_bed=0
if [[ ! -f $dir/ssh_config ]]; then
  "$bin/testbed" start --dir "$dir" --hosts 3 >/dev/null
  started_bed=1
fi
cleanup() {
  if [[ ${KEEP:-0} != 1 ]]; then
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ $started_bed == 1 ]] && "$bin/testbed" stop --dir "$dir" >/dev/null
  fi
  return 0
}
trap cleanup EXIT

sp=$dir/spiderpig
rm -rf "$sp"
mkdir -p "$sp/web/scap"
port=$(free_port)
idp_port=$(free_port)
base=http://127.0.0.1:$port
idp=http://127.0.0.1:$idp_port

# A deploy repository: canary host1, then host2 and host3.
cat >"$sp/web/scap/scap.cfg" <<CFG
[global]
git_repo: spiderpig-demo
lock_file: $sp/web.lock
server_groups: canary, default
canary_dsh_targets: canary-targets
dsh_targets: default-targets
CFG
echo host1 >"$sp/web/scap/canary-targets"
printf 'host2\nhost3\n' >"$sp/web/scap/default-targets"
echo v1 >"$sp/web/version.txt"
git -C "$sp/web" init -q -b main
git -C "$sp/web" add .
git -C "$sp/web" -c user.name=Demo -c user.email=demo@example.org commit -qm v1

# The backport world: an upstream repository, the MediaWiki deploy repository cloned from it (test server host1,
# canary host2, production host3), and an author's change pushed for review as Gerrit lays it out.
git init -q --bare -b main "$sp/upstream.git"
git clone -q "$sp/upstream.git" "$sp/mediawiki" 2>/dev/null
git -C "$sp/mediawiki" checkout -q -b main
mkdir -p "$sp/mediawiki/scap"
cat >"$sp/mediawiki/scap/scap.cfg" <<CFG
[global]
git_repo: mediawiki/core
lock_file: $sp/mediawiki.lock
server_groups: testservers, canary, production
testservers_dsh_targets: testservers
canary_dsh_targets: canaries
production_dsh_targets: production
CFG
echo host1 >"$sp/mediawiki/scap/testservers"
echo host2 >"$sp/mediawiki/scap/canaries"
echo host3 >"$sp/mediawiki/scap/production"
echo v1 >"$sp/mediawiki/version.txt"
echo scap/log/ >"$sp/mediawiki/.gitignore"
git -C "$sp/mediawiki" add -A
git -C "$sp/mediawiki" -c user.name=Demo -c user.email=demo@example.org commit -qm v1
git -C "$sp/mediawiki" push -q origin main 2>/dev/null
git -C "$sp/mediawiki" branch -q --set-upstream-to=origin/main
git clone -q "$sp/upstream.git" "$sp/author" 2>/dev/null
echo v2 >"$sp/author/version.txt"
git -C "$sp/author" -c user.name='Ada Author' -c user.email=ada@example.org commit -qam \
  'Special:Contributions: count each hidden revision once'
git -C "$sp/author" push -q origin HEAD:refs/changes/42/4242/1 2>/dev/null

cat >"$sp/config.yaml" <<CFG
listen_host: 127.0.0.1
listen_port: $port
public_url: $base
database: $sp/db/spiderpig.db
audit_log: $sp/audit.log
insecure_cookies: true
oidc:
  issuer: $idp
  client_id: spiderpig
  client_secret: demo-secret
  username_claim: sub
roles:
  viewer: [watchers]
  deployer: [deployers]
  admin: [sre]
repositories:
  web: $sp/web
  mediawiki: $sp/mediawiki
scap:
  binary: $bin/scap
  extra_arguments: [--ssh-config, $dir/ssh_config, --global-lock, $sp/global.lock, --lock-timeout, "10"]
CFG
export SPIDERPIG_CONFIG=$sp/config.yaml

step "oidc-provider-mock --port $idp_port &    # the IdP"
"$venv/oidc-provider-mock" --port "$idp_port" --require-nonce true \
  --user-claims '{"sub":"alice","groups":["deployers"]}' --user-claims '{"sub":"bob","groups":["deployers"]}' \
  --user-claims '{"sub":"carol","groups":["sre"]}' --user-claims '{"sub":"vera","groups":["watchers"]}' \
  >"$sp/idp.log" 2>&1 &
pids+=($!)
step "spiderpig serve &    # $base"
env -u SUDO_USER "$bin/spiderpig" serve >"$sp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "$base/login" >/dev/null 2>&1 && curl -fs "$idp/.well-known/openid-configuration" >/dev/null 2>&1 && break
  sleep 0.2
done

jar=$sp/alice.cookies
api() { # METHOD PATH [JSON]
  curl -s -b "$jar" -c "$jar" -X "$1" -H "X-CSRF-Token: ${csrf:-}" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$base$2"
}

step "log in as alice: IdP (group deployers), then the code of 'spiderpig otp'"
curl -s -X PUT -H 'Content-Type: application/json' --data '{"groups":["deployers"]}' "$idp/users/alice" >/dev/null
authorize=$(curl -s -o /dev/null -w '%{redirect_url}' -c "$jar" "$base/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' --data 'sub=alice' "$authorize")
curl -s -o /dev/null -b "$jar" -c "$jar" "$callback"
csrf=$(api GET /api/whoami | json "d['csrf']")
code=$("$bin/spiderpig" otp --quiet --user alice)
echo "spiderpig otp --user alice -> $code"
csrf=$(api POST /api/otp "{\"code\":\"$code\"}" | json "d['csrf']")
api GET /api/whoami | json "'logged in: %s (%s)' % (d['user'], d['role'])"

step "POST /api/jobs  {kind: deploy, repository: web}"
id=$(api POST /api/jobs '{"kind":"deploy","repository":"web","message":"demo from SpiderPig"}' | json "d['id']")
api GET /api/queue | json "'\n'.join('#%s %s %s %s' % (j['id'], j['owner'], j['summary'], j['state']) for j in d['jobs'])"

step "POST /api/jobs/$id/ready  # 'Ready to deploy?' -> yes: scap deploy starts as a child"
api POST "/api/jobs/$id/ready" '{"ready":true}' >/dev/null
for _ in $(seq 300); do
  pending=$(api GET "/api/jobs/$id" | json "d.get('pending', {}).get('id', '')")
  [[ -n $pending ]] && break
  sleep 0.3
done
api GET "/api/jobs/$id" | json "'prompt: ' + d['pending']['prompt'] + '  choices: ' + ', '.join(c['label'] + '=' + c['code'] for c in d['pending']['choices'])"
step "POST /api/jobs/$id/answer  {interaction: $pending, code: y}"
api POST "/api/jobs/$id/answer" "{\"interaction\":$pending,\"code\":\"y\"}" | json "d"
for _ in $(seq 300); do
  state=$(api GET "/api/jobs/$id" | json "d['job']['state']")
  [[ $state != running ]] && break
  sleep 0.3
done
step "GET /api/jobs/$id/log"
api GET "/api/jobs/$id/log"
step "POST /api/jobs/$id/finish  # releases the queue"
api POST "/api/jobs/$id/finish" | json "d"
api GET "/api/jobs?limit=3" | json "'\n'.join('#%s %s %s exit=%s' % (j['id'], j['summary'], j['state'], j.get('exitStatus')) for j in d['jobs'])"

step "POST /api/jobs  {kind: backport, changes: [https://gerrit.example.org/r/c/mediawiki/core/+/4242]}"
id=$(api POST /api/jobs '{"kind":"backport","changes":["https://gerrit.example.org/r/c/mediawiki/core/+/4242"]}' | json "d['id']")
api GET "/api/jobs/$id" | json "' '.join(d['job']['command'])"
step "POST /api/jobs/$id/ready; answer 'y' to each of scap backport's prompts"
api POST "/api/jobs/$id/ready" '{"ready":true}' >/dev/null
answered=""
for _ in $(seq 600); do
  reply=$(api GET "/api/jobs/$id")
  state=$(json "d['job']['state']" <<<"$reply")
  pending=$(json "d.get('pending', {}).get('id', '')" <<<"$reply")
  if [[ -n $pending && " $answered " != *" $pending "* ]]; then
    json "'prompt: ' + d['pending']['prompt'] + ' -> y'" <<<"$reply"
    api POST "/api/jobs/$id/answer" "{\"interaction\":$pending,\"code\":\"y\"}" >/dev/null
    answered+=" $pending"
  fi
  [[ $state != running && $state != awaiting_ready && $state != queued ]] && break
  sleep 0.3
done
api GET "/api/jobs/$id" | json "'\n'.join('change %s: %s (%s, %s)' % (c.get('number'), c.get('subject'), c.get('project'), c.get('branch')) for c in d['job'].get('changes', []))"
step "GET /api/jobs/$id/log | tail -5"
api GET "/api/jobs/$id/log" | tail -5
step "POST /api/jobs/$id/finish"
api POST "/api/jobs/$id/finish" | json "d"

step "spiderpig admin freeze 'demo freeze'; spiderpig admin queue list; spiderpig admin unfreeze"
"$bin/spiderpig" admin freeze demo freeze
"$bin/spiderpig" admin queue list
"$bin/spiderpig" admin unfreeze
step "tail -3 $sp/audit.log"
tail -3 "$sp/audit.log"

if [[ ${KEEP:-0} == 1 ]]; then
  cat <<MSG

SpiderPig runs at $base (IdP $idp). In a browser: open $base, click "Log in", type a user name
(alice or bob: deployers, carol: admin, vera: viewer) on the IdP's form, then enter the code of:
  SPIDERPIG_CONFIG=$sp/config.yaml $bin/spiderpig otp --user alice
Stop with: kill ${pids[*]}$([[ $started_bed == 1 ]] && echo "; $bin/testbed stop --dir $dir")
MSG
fi
