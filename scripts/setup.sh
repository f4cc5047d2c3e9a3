#!/usr/bin/env bash
# Installs what building, testing and the demo need on a fresh Debian machine (idempotent).
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=()
[[ -x /usr/sbin/sshd ]] || packages+=(openssh-server)
command -v ssh >/dev/null 2>&1 || packages+=(openssh-client)
command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
command -v unshare >/dev/null 2>&1 || packages+=(util-linux)
command -v pgrep >/dev/null 2>&1 || packages+=(procps)
command -v git >/dev/null 2>&1 || packages+=(git)
command -v script >/dev/null 2>&1 || packages+=(bsdutils)   # pseudo-terminal for the cookbook menu tests
[[ -x /usr/bin/etcd ]] || packages+=(etcd-server)           # real etcd v3 for the lock tests
command -v etcdctl >/dev/null 2>&1 || packages+=(etcd-client)

if ((${#packages[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root to install: ${packages[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${packages[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

command -v swift >/dev/null 2>&1 || [[ -x /opt/swift/usr/bin/swift ]] || {
  echo "setup: the Swift 6.2+ toolchain is not on PATH; install it from swift.org (expected at /opt/swift)" >&2
  exit 1
}
