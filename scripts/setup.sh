#!/usr/bin/env bash
# Installs what building, testing and the demo need on a fresh Debian machine (idempotent).
# Needs root (or sudo) only when something is missing.
#
# Each part of the project that needs more (a server for its tests, a PyPI tool) adds a file to
# scripts/setup.d/. Those files are sourced here, in name order, and may only append to two arrays:
#   packages+=(debian-package ...)   installed with apt-get when missing (check before appending)
#   pip_packages+=(name==version ...) installed into the project's tools venv, .venv/ at the repository root
# The venv's bin/ is where the tests look for PyPI tools (TestBed's `toolsVenv`).
# `setup.sh --demo` installs only what scripts/demo.sh needs: OpenSSH, git, etcd (conftool data), Prometheus (the
# backport's error-rate gate) and the OpenID Connect mock (SpiderPig's login); no browser, DNS or Alertmanager.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
demo_only=0
[[ ${1:-} == --demo ]] && demo_only=1

packages=()
pip_packages=()
[[ -x /usr/sbin/sshd ]] || packages+=(openssh-server)
command -v ssh >/dev/null 2>&1 || packages+=(openssh-client)
command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
command -v unshare >/dev/null 2>&1 || packages+=(util-linux)
command -v pgrep >/dev/null 2>&1 || packages+=(procps)
command -v git >/dev/null 2>&1 || packages+=(git)
[[ -x /usr/bin/etcd ]] || packages+=(etcd-server)           # real etcd v3 for the lock tests and conftool data
if [[ $demo_only == 1 ]]; then
  [[ -x /usr/bin/prometheus ]] || packages+=(prometheus)
  [[ -f /usr/include/sqlite3.h ]] || packages+=(libsqlite3-dev)   # GRDB links the system SQLite
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  pip_packages+=(oidc-provider-mock==0.3.4)
else
  command -v script >/dev/null 2>&1 || packages+=(bsdutils)   # pseudo-terminal for the cookbook menu tests
  command -v etcdctl >/dev/null 2>&1 || packages+=(etcd-client)

  shopt -s nullglob
  for part in "$repo"/scripts/setup.d/*.sh; do
    # shellcheck source=/dev/null
    source "$part"
  done
  shopt -u nullglob
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

if ((${#packages[@]})); then
  if [[ -n $sudo ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup: need root to install: ${packages[*]}" >&2
    exit 1
  fi
  # Deduplicate: several parts may ask for the same package.
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  echo "setup: installing ${packages[*]}"
  # Quiet unless it fails: apt's and debconf's chatter goes to a log shown only then.
  apt_log=$(mktemp)
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${packages[@]}"; } >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    rm -f "$apt_log"
    echo "setup: installing ${packages[*]} failed (see above)" >&2
    exit 1
  fi
  rm -f "$apt_log"
fi

if ((${#pip_packages[@]})); then
  venv="$repo/.venv"
  if [[ ! -x $venv/bin/python3 ]]; then
    echo "setup: creating the tools venv $venv"
    python3 -m venv "$venv"
  fi
  missing=()
  for requirement in "${pip_packages[@]}"; do
    name="${requirement%%[=<>]*}"
    "$venv/bin/python3" -m pip show -q "$name" >/dev/null 2>&1 || missing+=("$requirement")
  done
  if ((${#missing[@]})); then
    echo "setup: installing into the tools venv: ${missing[*]}"
    "$venv/bin/python3" -m pip install -q --disable-pip-version-check "${missing[@]}"
  fi
fi

command -v swift >/dev/null 2>&1 || [[ -x /opt/swift/usr/bin/swift ]] || {
  echo "setup: the Swift 6.2+ toolchain is not on PATH; install it from swift.org (expected at /opt/swift)" >&2
  exit 1
}
