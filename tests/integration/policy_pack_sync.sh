#!/usr/bin/env bash
# Checks that every Gatekeeper template of the policy pack
# (policies/gatekeeper/*/template.yaml) is exactly what scripts/gen-templates.sh
# makes from the .rego sources and meta.json, so the embedded Rego never
# drifts from the tested modules. Needs bash and python3 only.
# Usage: policy_pack_sync.sh   (run from anywhere)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

if ! "$root/scripts/gen-templates.sh" "$tmp" 2>"$tmp/err"; then
  echo "FAIL: gen-templates.sh: $(cat "$tmp/err")"
  echo "0 passed, 1 failed"
  exit 1
fi

for dir in "$root"/policies/gatekeeper/*/; do
  name=$(basename "$dir")
  [ -f "$dir/meta.json" ] || continue
  if [ ! -f "$dir/template.yaml" ]; then
    echo "FAIL: policies/gatekeeper/$name/template.yaml missing; run scripts/gen-templates.sh"
    fail=$((fail + 1))
  elif diff -u "$dir/template.yaml" "$tmp/$name/template.yaml" >"$tmp/diff"; then
    pass=$((pass + 1))
  else
    echo "FAIL: policies/gatekeeper/$name/template.yaml is out of date; run scripts/gen-templates.sh"
    head -40 "$tmp/diff"
    fail=$((fail + 1))
  fi
done

# A template without sources would never be regenerated.
for t in "$root"/policies/gatekeeper/*/template.yaml; do
  d=$(dirname "$t")
  if [ -f "$d/meta.json" ] && [ -f "$d/src.rego" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL: $t has no meta.json/src.rego to generate it from"
    fail=$((fail + 1))
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
