#!/usr/bin/env bash
# serve_config_test.sh - `gatehouse serve` configuration from the command
# line: a bad file or flag is one error naming the key (file:line) or flag,
# exit 2, before anything binds; --help; an `opa run --server` command line
# with the binary name changed (`gatehouse run --server`) starts, answers, and stops on SIGTERM; the
# documented example configuration starts as is; ${NAME} in the file; SIGHUP re-reads the file
# (new policy path and tokens served, a broken file keeps the running configuration and logs
# file:line:col, a changed listen address logs "restart needed").
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
. "$(dirname "$0")/server/lib.sh" # listen_url
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
  url=$(listen_url "$tmp/srv.log" "${pids[-1]}") && return 0
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

# ---- SIGHUP re-reads gatehouse.yaml ------------------------------------------------------
tokA=alpha-token-1 tokB=bravo-token-2
shaA=$(printf '%s' "$tokA" | sha256sum | cut -d' ' -f1)
shaB=$(printf '%s' "$tokB" | sha256sum | cut -d' ' -f1)
mkdir -p "$tmp/p1" "$tmp/p2"
printf 'package r\n\nv := 1\n' >"$tmp/p1/r.rego"
printf 'package r\n\nv := 2\n' >"$tmp/p2/r.rego"
chmod -R a+rX "$tmp" # run as root, the server drops to nobody and re-reads these
# live_cfg POLICY-DIR TOKEN-LIST [EXTRA-LINES]: the configuration under test
live_cfg() {
  printf 'server:\n  addr: 127.0.0.1:0\npolicies:\n  paths: ["%s"]\n  builtin_pack: false\nauth:\n  authentication: token\n  token_sha256: %s\nlogging:\n  level: info\n  decision_log_file: "${GH_TEST_NOPE}"\n%s' \
    "$1" "$2" "${3:-}" >"$tmp/live.yaml"
  chmod 644 "$tmp/live.yaml"
}
# hup PATTERN: SIGHUP the server, wait until one more log line matches PATTERN
hup() {
  local before now
  before=$(grep -c -- "$1" "$tmp/srv.log")
  kill -HUP "${pids[-1]}"
  for _ in $(seq 1 100); do
    now=$(grep -c -- "$1" "$tmp/srv.log")
    [ "$now" -gt "$before" ] && return 0
    sleep 0.05
  done
  return 1
}
# write_status TOKEN: status of an authenticated data write
write_status() {
  curl -s -o /dev/null -w '%{http_code}' -X PUT "$url/v1/data/w" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d '{"x":1}'
}
value() { curl -s "$url/v1/data/r/v"; }
reload_errors() { curl -s "$url/metrics" | sed -n 's/^gatehouse_reloads_total{result="error"} //p'; }
unset GH_TEST_NOPE
export GH_TEST_SHA=$shaA
live_cfg "$tmp/p1" '["${GH_TEST_SHA}"]'
if start serve --config "$tmp/live.yaml"; then
  ok
  # ${NAME}: the token hash came from the environment; an unset one is a warning by name
  [ "$(write_status "$tokA")" = 204 ] && ok || bad "token from \${GH_TEST_SHA} not accepted"
  for _ in $(seq 1 40); do # access-log lines are flushed by a timer
    grep 'path=/v1/data/w' "$tmp/srv.log" | grep -q 'principal=bearer-token' && break
    sleep 0.05
  done
  grep 'path=/v1/data/w' "$tmp/srv.log" | grep -q 'principal=bearer-token' && ok ||
    bad "access log lacks the token principal: $(grep 'path=/v1/data/w' "$tmp/srv.log")"
  if grep -q "$tokA" "$tmp/srv.log"; then bad "a token reached the log"; else ok; fi
  grep -q "GH_TEST_NOPE" "$tmp/srv.log" && grep -q "environment variable is not set" "$tmp/srv.log" &&
    ok || bad "no warning about the unset variable: $(cat "$tmp/srv.log")"
  case "$(value)" in *'"result":1'*) ok ;; *) bad "before reload: $(value)" ;; esac

  # a new policy path and a new token list take effect
  live_cfg "$tmp/p2" "[\"$shaB\"]"
  if hup "reloaded the configuration"; then ok; else bad "no reload logged: $(tail -5 "$tmp/srv.log")"; fi
  case "$(value)" in *'"result":2'*) ok ;; *) bad "new policy path not served: $(value)" ;; esac
  [ "$(write_status "$tokB")" = 204 ] && ok || bad "new token not accepted"
  [ "$(write_status "$tokA")" = 401 ] && ok || bad "removed token still accepted"

  # a broken file: the whole running configuration stays, the error names file:line:col
  errs0=$(reload_errors)
  live_cfg "$tmp/p1" "[\"$shaA\"]" $'limits:\n  max_body_bytes: lots\n'
  if hup "configuration reload failed"; then ok; else bad "broken file: nothing logged"; fi
  grep -q "$tmp/live.yaml:13:3: limits.max_body_bytes: expected a size" "$tmp/srv.log" && ok ||
    bad "broken file: error lacks file:line:col: $(grep 'reload failed' "$tmp/srv.log")"
  case "$(value)" in *'"result":2'*) ok ;; *) bad "broken file changed the policies: $(value)" ;; esac
  [ "$(write_status "$tokB")" = 204 ] && ok || bad "broken file: running token lost"
  [ "$(write_status "$tokA")" = 401 ] && ok || bad "broken file: its token was applied"
  errs1=$(reload_errors)
  [ "${errs1:-0}" -gt "${errs0:-0}" ] && ok || bad "failed reload not counted ($errs0 -> $errs1)"

  # a new listen address needs a restart: logged by name, the rest applies
  live_cfg "$tmp/p1" "[\"$shaA\"]"
  sed -i 's/127.0.0.1:0/127.0.0.1:1/' "$tmp/live.yaml"
  if hup "reloaded the configuration"; then ok; else bad "addr change: no reload"; fi
  grep "restart needed" "$tmp/srv.log" | grep -q "server.addr" && ok ||
    bad "addr change: no restart-needed warning naming server.addr"
  case "$(value)" in *'"result":1'*) ok ;; *) bad "addr change: the rest not applied: $(value)" ;; esac
  [ "$(write_status "$tokA")" = 204 ] && ok || bad "addr change: token not applied"

  # the rate limit and the decision log file change in place
  mkdir -p "$tmp/dl" && chmod 777 "$tmp/dl"
  live_cfg "$tmp/p1" "[\"$shaA\"]" $'limits:\n  rate_limit:\n    rps: 0.2\n    burst: 1\n'
  sed -i "s|\"\${GH_TEST_NOPE}\"|\"$tmp/dl/decisions.log\"|" "$tmp/live.yaml"
  sed -i 's/^logging:$/logging:\n  access_log: false/' "$tmp/live.yaml"
  if hup "reloaded the configuration"; then ok; else bad "rate limit: no reload"; fi
  grep "restart needed" "$tmp/srv.log" | grep -q "logging.access_log" &&
    bad "access_log is live, not restart-only" || ok
  sleep 0.4 # earlier access-log lines are flushed by a 200 ms timer
  alines=$(grep -c 'client=' "$tmp/srv.log")
  codes="$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/data/r/v") $(curl -s -o /dev/null -w '%{http_code}' "$url/v1/data/r/v")"
  [ "$codes" = "200 429" ] && ok || bad "rate limit not applied: $codes"
  for _ in $(seq 1 50); do [ -s "$tmp/dl/decisions.log" ] && break; sleep 0.05; done
  grep -q '"decision_id"' "$tmp/dl/decisions.log" 2>/dev/null && ok || bad "decision log not turned on"
  sleep 0.4
  [ "$(grep -c 'client=' "$tmp/srv.log")" = "$alines" ] && ok || bad "access log not turned off by reload"
  stop
  [ "$rc" = 0 ] && ok || bad "reloaded server: exit status $rc"
else
  bad "server with $tmp/live.yaml did not start"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
