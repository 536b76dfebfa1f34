#!/usr/bin/env bash
# Runs every libFuzzer target built in $1 for $2 seconds each, starting from
# the checked-in corpus under tests/fuzz/corpus/<target>/. New findings are
# written as crash-* files in the build directory; the script fails on any.
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-60}
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); target=${name#fuzz_}
  seeds="tests/fuzz/corpus/$target"
  work="$build/fuzz-corpus/$target"; mkdir -p "$work"
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/" "$work" "$seeds" >"$build/$name.log" 2>&1; then
    echo "fuzz: $name FAILED (see $build/$name.log)"; tail -40 "$build/$name.log"; status=1
  else
    grep -E "^Done|DONE" "$build/$name.log" | tail -1 || true
  fi
done
exit $status
