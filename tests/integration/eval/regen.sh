#!/usr/bin/env bash
# Regenerates the expected outputs of eval_test.sh from the real OPA 0.61
# (never run in CI): eval cases run `opa eval --v1-compatible ARGS`, test
# cases `opa test --v1-compatible ARGS` with durations masked.
# Usage: regen.sh [OPA_BINARY]
set -u
cd "$(dirname "$0")"
opa=${1:-../../../../shared/peers/opa-0.61.0/opa}
mask() { sed -E 's/\(([0-9]+h)?([0-9]+m)?[0-9.]+(ns|µs|ms|s)\)/(DURATION)/; s/"duration": [0-9]+/"duration": 0/'; }
e() {
  local name=$1; shift
  "$opa" eval --v1-compatible "$@" >"expected/$name.out" 2>/dev/null
  echo $? >"expected/$name.rc"
}
t() {
  local name=$1; shift
  "$opa" test --v1-compatible "$@" 2>&1 | mask >"expected/$name.out"
  echo "${PIPESTATUS[0]}" >"expected/$name.rc"
}
xe() { e "$@"; }
xt() { t "$@"; }
mkdir -p expected
rm -f expected/*
. ./cases.sh
