#!/usr/bin/env bash
# JSON parse throughput: gatehouse's val_json_parse against jansson, on
# generated inputs plus the largest .json files under ../shared.
# Usage: bench/json.sh [BUILD_DIR] (default build); extra args go to json_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
bin="$build/bench/json_bench"
if [ ! -x "$bin" ]; then
  echo "json.sh: $bin not built (is libjansson-dev installed?)" >&2
  exit 1
fi
files=()
if [ -d ../shared ]; then
  while IFS= read -r f; do files+=("$f"); done < <(
    find ../shared/ -name '*.json' -size +100k -printf '%s %p\n' 2>/dev/null |
      sort -rn | head -6 | cut -d' ' -f2-)
fi
exec "$bin" "$@" "${files[@]}"
