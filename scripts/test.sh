#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the ClusterShell golden corpus, the integration tests that start real
# OpenSSH sshds on loopback (127.0.1.x) and a real etcd, and the `cookbook` tests that compile cookbook trees.
# Usage: scripts/test.sh                 every test, in phases (what CI runs)
#        scripts/test.sh --fast          the same phases without the tests tagged as needing a real server
#                                        (sshd, etcd, ...) or the compiler; no setup.sh (see docs/testing.md)
#        scripts/test.sh ARGUMENTS...    one `swift test ARGUMENTS...` (e.g. --filter CookbookMenuTests)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"

fast=()
if [[ "${1:-}" == "--fast" ]]; then
  shift
  # swift test filters by name only: the tagged suites and tests are named by scripts/test-tags.py.
  fast=(--skip "$(python3 scripts/test-tags.py sshd etcd conftool dns prometheus alertmanager idp browser compiler)")
else
  scripts/setup.sh
fi
# The end-to-end tests run the built executables (cumin, nodeset, testbed, cookbook) and cookbook trees link
# against libSpicerackFramework.so: build every product first.
swift build --build-tests
if [[ $# -gt 0 ]]; then
  swift test --skip-build "$@"
  exit
fi
# In phases: the lock tests (2 s TTLs and heartbeats) and the remote/HTTP timeout tests are timing-sensitive, and
# the `cookbook` tests keep both cores busy compiling cookbook trees; on a 2-core machine running them all at
# once starves the timers. Each phase runs its own suites in parallel.
# First phase: the fast suites (OpsSupportTests, NodeSetTests, WmflibTests, ...) and the cumin/testbed ones.
swift test --skip-build "${fast[@]}" --skip 'SpicerackTests|SpicerackLocksTests|SpicerackRemoteTests|SpicerackClientsTests|ScapTests|SpiderPigTests'
swift test --skip-build "${fast[@]}" --filter SpicerackLocksTests
swift test --skip-build "${fast[@]}" --filter SpicerackRemoteTests
# The service clients start real etcd, NSD, Alertmanager and SSH beds and run conftool's confctl.
swift test --skip-build "${fast[@]}" --filter SpicerackClientsTests
swift test --skip-build "${fast[@]}" --filter SpicerackTests
swift test --skip-build "${fast[@]}" --filter ScapTests --skip 'Backport|ErrorRateGate|GerritChangeSource'
# scap backport: 5-host beds with a service each, a real Prometheus and a Gerrit-compatible server; the error-rate
# gate counts requests over a few seconds, so these suites run on their own.
swift test --skip-build "${fast[@]}" --filter 'ScapTests\.(Backport|ErrorRateGate|GerritChangeSource)'
# SpiderPig: a real server, IdP, scap children and headless Chromium; its suites run one at a time.
swift test --skip-build "${fast[@]}" --filter SpiderPigTests --no-parallel
