#!/usr/bin/env bash
# Lints Sources and Tests with `swift format lint` (rules in .swift-format) and fails only when a file has more
# warnings than the committed baseline (.ci/swift-format-baseline.txt) allows: existing code is not reformatted
# (other branches edit it), but new warnings fail CI. A new file starts at zero.
# Usage: scripts/lint.sh                    check (CI runs this)
#        scripts/lint.sh --update-baseline  record today's counts (after fixing warnings, or after a merge)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"
baseline=.ci/swift-format-baseline.txt

report=$(mktemp)
counts=$(mktemp)
trap 'rm -f "$report" "$counts"' EXIT
# Findings go to stderr as `path:line:col: warning: [Rule] text`; the exit code is 0 with warnings.
swift format lint --recursive --parallel --no-color-diagnostics Sources Tests 2>"$report" >/dev/null || {
  cat "$report" >&2
  echo "lint: swift format lint failed to run (see above)" >&2
  exit 2
}
{ grep -E '^[^:]+:[0-9]+:[0-9]+: (warning|error):' "$report" || true; } | cut -d: -f1 | sort | uniq -c |
  awk '{ print $2, $1 }' >"$counts"

if [[ ${1:-} == --update-baseline ]]; then
  cp "$counts" "$baseline"
  echo "lint: baseline written to $baseline ($(awk '{ n += $2 } END { print n + 0 }' "$counts") warnings in $(wc -l <"$counts") files)"
  exit 0
fi

# Files with more warnings than their baseline (0 when absent).
worse=$(awk 'NR == FNR { allowed[$1] = $2; next } $2 > ($1 in allowed ? allowed[$1] : 0) {
  print $1, $2, ($1 in allowed ? allowed[$1] : 0) }' "$baseline" "$counts")
total=$(awk '{ n += $2 } END { print n + 0 }' "$counts")
if [[ -n $worse ]]; then
  while read -r file now allowed; do
    echo "lint: $file has $now swift-format warnings, the baseline allows $allowed:" >&2
    grep -F "$file:" "$report" >&2 || true
  done <<<"$worse"
  echo "lint: fix the new warnings (swift format --in-place FILE formats a whole file), or, for a file you own," \
    "run scripts/lint.sh --update-baseline" >&2
  exit 1
fi
echo "lint: no new swift-format warnings ($total in the baseline's files)"
