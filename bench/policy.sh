#!/usr/bin/env bash
# Gatekeeper review throughput over every gatekeeper-library sample against
# all its templates and constraints, on one thread and on all cores.
# Usage: bench/policy.sh [BUILD_DIR] (default build); extra args go to
# policy_bench (-t SECONDS per phase, -j THREADS).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
bin="$build/bench/policy_bench"
if [ ! -x "$bin" ]; then
  echo "policy.sh: $bin not built" >&2
  exit 1
fi
lib=${GH_SHARED:-../shared}/corpora/gatekeeper-library
[ -d "$lib/library" ] && lib="$lib/library"
exec "$bin" "$@" "$lib"
