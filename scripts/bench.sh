#!/usr/bin/env bash
# Runs every benchmark script under bench/ against the build in $1.
set -euo pipefail
build=${1:-build}
for s in bench/*.sh; do
  [ -f "$s" ] || continue
  echo "== $s"
  bash "$s" "$build"
done
