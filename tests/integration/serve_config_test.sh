#!/usr/bin/env bash
# serve_config_test.sh - `gatehouse serve` configuration from the command
# line: a bad file or flag is one error naming the key (file:line) or flag,
# exit 2, before anything binds; --help; an `opa run --server` command line
# with the binary name changed (`gatehouse run --server`) starts, answers, and stops on SIGTERM; the
# documented example configuration starts as is.
# Usage: serve_config_test.sh GATEHOUSE   (run from the repository root)
set -u
GH=${1:?usage: serve_config_test.sh GATEHOUSE}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect RC GREP-TEXT NAME -- ARGS...: status and a stderr fragment
expect() {
  local rc=$1 text=$2 name=$3
  shift 4
  "$GH" serve "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$rc" ]; then bad "$name: status $got, want $rc ($(cat "$tmp/err"))"; return; fi
  if [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
    bad "$name: stderr lacks \"$text\": $(cat "$tmp/err")"; return
  fi
  if [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" != 1 ]; then
    bad "$name: want one error line, got: $(cat "$tmp/err")"; return
  fi
  ok
}

printf 'server:\n  addr: [127.0.0.1:0]\nlimits:\n  max_body_bytes: lots\n' >"$tmp/bad.yaml"
expect 2 "$tmp/bad.yaml:4:3: limits.max_body_bytes: expected a size" "bad size" -- -c "$tmp/bad.yaml"
printf 'server:\n  adr: x\n' >"$tmp/typo.yaml"
expect 2 'unknown key "server.adr" (did you mean "server.addr"?)' "typo key" -- --config "$tmp/typo.yaml"
printf 'services:\n  s: {url: "https://x"}\n' >"$tmp/opa.yaml"
expect 2 "this is an OPA configuration key" "OPA config" -- --config-file "$tmp/opa.yaml"
expect 2 "No such file" "missing config" -- -c "$tmp/nope.yaml"
expect 2 "unknown flag --adr (did you mean --addr?)" "unknown flag" -- --adr :1
expect 2 "--verification-key: bundle signature verification is not supported" "refused flag" -- --verification-key k.pem
expect 2 "tls.key_file (--tls-private-key-file): required with tls.cert_file" "cert without key" -- --tls-cert-file /etc/hostname --no-builtin-pack
expect 2 "unix sockets are not supported" "unix socket" -- --addr unix:///tmp/x.sock --no-builtin-pack
expect 2 "expected the hex SHA-256" "raw token" -- --authentication token --token-sha256 hunter2
if grep -q hunter2 "$tmp/err"; then bad "a token was echoed"; else ok; fi
expect 0 "" "help" -- --help
grep -q "usage: gatehouse serve" "$tmp/out" && ok || bad "help text"

# start COMMAND SERVER-ARGS...: run in the background, wait for "listening on URL"
start() {
  : >"$tmp/srv.log"
  "$GH" "$@" >"$tmp/srv.log" 2>&1 &
  pids+=($!)
  url=""
  for _ in $(seq 1 100); do
    url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/srv.log" | head -1)
    [ -n "$url" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start: $(cat "$tmp/srv.log")"
  return 1
}

# stop: SIGTERM the last server; its exit status in $rc
stop() {
  local p=${pids[-1]}
  kill -TERM "$p" 2>/dev/null
  wait "$p"
  rc=$?
}

# an `opa run --server` command line, binary name changed; `run` needs --server
expect_run() {
  "$GH" run --addr 127.0.0.1:0 >/dev/null 2>"$tmp/err"
  [ $? = 2 ] && grep -q "only server mode" "$tmp/err" && ok || bad "run without --server"
}
expect_run
printf 'package t\n\nallow if input.user == "alice"\n' >"$tmp/t.rego"
# (--log-level info: the test reads the "listening on" line)
if start run -s --addr 127.0.0.1:0 --log-level info --skip-version-check --ignore '.*' \
  --authorization=off --v1-compatible "$tmp/t.rego"; then
  ok
  got=$(curl -s "$url/v1/data/t/allow" -d '{"input":{"user":"alice"}}')
  case "$got" in *'"result":true'*) ok ;; *) bad "opa-style start: decision $got" ;; esac
  stop
  [ "$rc" = 0 ] && ok || bad "SIGTERM: exit status $rc"
else
  bad "opa-style command line did not start"
fi

# the documented example configuration (flags win: a free port)
if start serve --config examples/gatehouse.yaml --addr 127.0.0.1:0; then
  ok
  got=$(curl -s "$url/v1/data/examples/deploy/allow" -d @examples/input.json)
  case "$got" in *'"result":true'*) ok ;; *) bad "example config: decision $got" ;; esac
  stop
  [ "$rc" = 0 ] && ok || bad "example config: exit status $rc"
else
  bad "examples/gatehouse.yaml did not start"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
