#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of every parser that reads outside input: NodeSet expressions, cumin's
# query grammar, the `scap deploy-log` filter, scap.cfg (with target lists) and the YAML configuration loaders.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 20 s; targets: nodeset cumin deploylog scapcfg yaml)
#   FUZZ_SEED=1 scripts/fuzz.sh 20                          (a fixed libFuzzer seed, as CI uses)
#
# The library modules are built once with `swift build --sanitize=fuzzer` in .build-fuzz/ (instrumented), each
# harness in fuzz/ is linked against them with `swiftc -sanitize=fuzzer`, then run from the seeds in
# fuzz/corpus/<target> for the given time, one input at most 4 KiB, 10 s at most per input. A crash, a trap or a
# timeout is a failure: its input is kept in .build-fuzz/crashes/<target>/. The summary gives, per target, the
# inputs tried and the crashes found; the exit status is 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /opt/swift/usr/bin ]] && export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-20}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(nodeset cumin deploylog scapcfg yaml)

build=.build-fuzz
declare -A harness=(
    [nodeset]=fuzz/NodeSetFuzz.swift [cumin]=fuzz/CuminGrammarFuzz.swift
    [deploylog]=fuzz/DeployLogFilterFuzz.swift [scapcfg]=fuzz/ScapConfigFuzz.swift [yaml]=fuzz/YAMLFuzz.swift
)

echo "fuzz: building the instrumented modules in $build/ ..." >&2
swift build --sanitize=fuzzer --build-path "$build" --target Scap >&2
debug="$build/debug/"
# Every object of the library modules (no executable or test target was built).
mapfile -t objects < <(find "$debug" -path '*.build/*.o' -not -path '*/Modules/*' | sort)
flags=(-sanitize=fuzzer -parse-as-library -enable-testing -I "$debug/Modules" -I "$debug")
# The C modules the libraries import (CYaml, CSystem, _SubprocessCShims) come with the package checkouts.
while IFS= read -r map; do flags+=(-Xcc "-fmodule-map-file=$map"); done \
    < <(find "$build/checkouts" -path '*/Sources/*/include/module.modulemap' 2>/dev/null | sort)
while IFS= read -r include; do flags+=(-Xcc "-I$include"); done \
    < <(find "$build/checkouts" -path '*/Sources/*/include' -type d 2>/dev/null | sort)

status=0
summary=()
for target in "${targets[@]}"; do
    source=${harness[$target]:?unknown fuzz target $target}
    binary="$build/fuzz-$target"
    swiftc "${flags[@]}" "$source" "${objects[@]}" -o "$binary" 2> >(grep -v 'Cannot export local symbol' >&2)
    corpus="$build/corpus/$target"
    crashes="$build/crashes/$target"
    rm -rf "$crashes"
    mkdir -p "$corpus" "$crashes"
    cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    log="$build/fuzz-$target.log"
    set +e
    # Swift's own crash handler would take the signal before libFuzzer could save the input.
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} >"$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    found=$(find "$crashes" -type f | wc -l)
    summary+=("$target: ${runs:-?} inputs in ${seconds}s, exit $code, $found crash file(s) in $crashes")
    if [[ $code -ne 0 || $found -ne 0 ]]; then
        status=1
        tail -30 "$log" >&2
    fi
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
