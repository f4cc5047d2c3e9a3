# Shared by the bench scripts (sourced, not run). They set ROOT, SCRATCH_PATH and BIN and define log().

# bench_build NAME PRODUCT...: `swift build -c release` of each product into $SCRATCH_PATH, one product per
# invocation (the last --product wins), with bounded retries: in a shared tree a source file may change under
# the build ("modified during the build"). NAME prefixes the error.
bench_build() {
  local name=$1 product attempt
  shift
  for product in "$@"; do
    for attempt in 1 2 3; do
      log "swift build -c release --product $product (scratch $SCRATCH_PATH, attempt $attempt/3)"
      if (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH_PATH" --product "$product" >&2); then
        break
      fi
      [[ $attempt == 3 ]] && { echo "$name: build of $product failed" >&2; exit 1; }
      sleep 10
    done
  done
}

# bench_require NAME FILE...: each file must exist under $BIN.
bench_require() {
  local name=$1 file
  shift
  for file in "$@"; do
    [[ -e $BIN/$file ]] || { echo "$name: missing $BIN/$file (build first or drop --no-build)" >&2; exit 1; }
  done
}
