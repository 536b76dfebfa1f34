#!/usr/bin/env bash
# Runs `gatehouse test` over the gatekeeper-library's Rego unit tests, once
# per template folder as OPA must run them (several templates share a
# package name), and totals the test rules: N passed, N failed.
# Usage: gatekeeper_rego_tests.sh GATEHOUSE_BIN LIBRARY_SRC_DIR
set -u
bin=$1 src=$2
[ -d "$src" ] || { echo "no corpus at $src"; exit 77; }
pass=0 fail=0
while IFS= read -r dir; do
  out=$("$bin" test --v0-compatible "$dir" 2>&1)
  p=$(printf '%s\n' "$out" | sed -n 's/^PASS: \([0-9]*\)\/\([0-9]*\)$/\1/p' | head -1)
  t=$(printf '%s\n' "$out" | sed -n 's/^\(PASS\|FAIL\): [0-9]*\/\([0-9]*\)$/\2/p' | head -1)
  if [ -z "$t" ]; then
    echo "ERROR: $dir"; printf '%s\n' "$out" | head -20; fail=$((fail + 1)); continue
  fi
  p=${p:-0}
  if printf '%s\n' "$out" | grep -q '^FAIL: '; then
    f=$(printf '%s\n' "$out" | sed -n 's/^FAIL: \([0-9]*\)\/.*/\1/p' | head -1)
    echo "FAIL: $dir ($f of $t)"; printf '%s\n' "$out" | grep -E 'FAIL|ERROR' | head -10
    fail=$((fail + f)); pass=$((pass + t - f))
  else
    pass=$((pass + t))
  fi
done < <(find "$src" -name '*_test.rego' -exec dirname {} \; | sort -u)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
