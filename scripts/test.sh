#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the ClusterShell golden corpus, and the integration tests that
# start real OpenSSH sshds on loopback (127.0.1.x). Usage: scripts/test.sh [swift test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"

scripts/setup.sh
# The end-to-end tests run the built executables (cumin, nodeset, testbed): build every product first.
swift build --build-tests
swift test --skip-build "$@"
