#!/usr/bin/env bash
# End-to-end checks of the gatehouse command line: exit codes, error
# format (file:line:col), conftest-shaped `parse` output. Usage: cli_test.sh BIN
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_rc() { # want_rc description cmd...
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, want $want; stderr: $(cat "$tmp/err")"; fi
}

expect_rc 0 "--version" "$bin" --version
grep -q '^gatehouse [0-9]' "$tmp/out" && ok || bad "--version output: $(cat "$tmp/out")"
expect_rc 0 "help" "$bin" help
grep -q 'parse' "$tmp/out" && ok || bad "help lists parse"
expect_rc 2 "no args" "$bin"
expect_rc 2 "unknown command" "$bin" frobnicate

printf '{"a": 1,\n  "b": [1, 2,]\n}\n' >"$tmp/bad.json"
expect_rc 2 "bad json" "$bin" parse "$tmp/bad.json"
grep -Eq "bad.json:2:[0-9]+: " "$tmp/err" && ok || bad "bad json error format: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "bad json error is one line"

printf 'a: 1\nb:\n  - x\n - y\n' >"$tmp/bad.yaml"
expect_rc 2 "bad yaml" "$bin" parse "$tmp/bad.yaml"
grep -Eq "bad.yaml:[0-9]+:[0-9]+: " "$tmp/err" && ok || bad "bad yaml error format: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "bad yaml error is one line"

expect_rc 2 "missing file" "$bin" parse "$tmp/nope.yaml"
grep -q "nope.yaml" "$tmp/err" && ok || bad "missing file named"

printf 'kind: Deployment\nmetadata:\n  name: web\n' >"$tmp/d.yaml"
expect_rc 0 "parse yaml" "$bin" parse "$tmp/d.yaml"
printf '{\n\t"kind": "Deployment",\n\t"metadata": {\n\t\t"name": "web"\n\t}\n}\n' >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" && ok || bad "parse yaml output: $(cat "$tmp/out")"

printf 'a: 1\n---\na: 2\n' >"$tmp/multi.yaml"
expect_rc 0 "parse multi-doc" "$bin" parse "$tmp/multi.yaml"
[ "$(tr -d ' \t\n' <"$tmp/out")" = '[{"a":1},{"a":2}]' ] && ok || bad "multi-doc output: $(cat "$tmp/out")"

printf '{"z": 1e400, "y": 123456789012345678901234567890}' >"$tmp/n.json"
expect_rc 0 "parse numbers" "$bin" parse "$tmp/n.json"
[ "$(tr -d ' \t\n' <"$tmp/out")" = '{"y":123456789012345678901234567890,"z":1e400}' ] && ok || bad "exact numbers: $(cat "$tmp/out")"

expect_rc 0 "parse two files" "$bin" parse "$tmp/d.yaml" "$tmp/n.json"
grep -q "\"$tmp/d.yaml\": {" "$tmp/out" && grep -q "\"$tmp/n.json\": {" "$tmp/out" && ok || bad "two files keyed by name: $(cat "$tmp/out")"

expect_rc 0 "parse stdin" sh -c "printf 'x: yes\n' | '$bin' parse -"
[ "$(tr -d ' \t\n' <"$tmp/out")" = '{"x":true}' ] && ok || bad "stdin yaml: $(cat "$tmp/out")"
expect_rc 0 "parse stdin as json" sh -c "printf '[1,2]' | '$bin' parse --parser json -"
expect_rc 2 "unknown parser" "$bin" parse --parser xml "$tmp/d.yaml"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
