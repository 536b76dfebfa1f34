#!/usr/bin/env bash
# bundle_test.sh - OPA bundle archives (.tar.gz) end to end: `gatehouse serve
# -b bundle.tar.gz` (and positional) answers decisions from it, lists its
# modules under "<path>/<entry>" ids, shows the manifest revision in
# ?provenance (provenance.bundles.<name>.revision) and GET /v1/status;
# `gatehouse eval -b/-d bundle.tar.gz`; a signed bundle is refused unless
# --skip-verify; a traversal entry is refused naming it. Archives are made
# with tar + gzip; when the real OPA is in ../shared/peers the same archive's
# policy ids and provenance are compared with `opa run --server`'s.
# Usage: bundle_test.sh GATEHOUSE   (run from the repository root)
set -u
GH=${1:?usage: bundle_test.sh GATEHOUSE}
GH=$(cd "$(dirname "$GH")" && pwd)/$(basename "$GH")
OPA=${OPA:-/work/shared/peers/opa-0.61.0/opa}
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/server/lib.sh" # listen_url
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check NAME WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: want $2, got $3"; fi; }

mkdir -p "$tmp/b/authz" "$tmp/b/authz/users"
cat >"$tmp/b/authz/policy.rego" <<'REGO'
package authz

import future.keywords.if
import future.keywords.in

default allow := false

allow if input.user in data.authz.users.admins
REGO
echo '{"admins": ["alice"]}' >"$tmp/b/authz/users/data.json"
echo '{"revision": "rev-2026-12", "roots": ["authz"]}' >"$tmp/b/.manifest"
(cd "$tmp/b" && tar -czf "$tmp/bundle.tar.gz" .manifest authz)
chmod 644 "$tmp/bundle.tar.gz"

# start ARGS...: gatehouse serve in the background; sets $url
start() {
  : >"$tmp/srv.log"
  "$GH" serve --addr 127.0.0.1:0 --no-builtin-pack "$@" >"$tmp/srv.log" 2>&1 &
  pids+=($!)
  url=$(listen_url "$tmp/srv.log" "${pids[-1]}") && return 0
  echo "server did not start: $(cat "$tmp/srv.log")"
  return 1
}
stop() { kill -TERM "${pids[-1]}" 2>/dev/null; wait "${pids[-1]}" 2>/dev/null; unset 'pids[-1]'; }

cd "$tmp"
for mode in "-b" ""; do
  if start $mode bundle.tar.gz; then
    got=$(curl -s -X POST "$url/v1/data/authz/allow" -d '{"input": {"user": "alice"}}')
    check "allow alice ($mode)" '{"result":true}' "$(echo "$got" | sed 's/"decision_id":"[^"]*",//')"
    got=$(curl -s -X POST "$url/v1/data/authz/allow" -d '{"input": {"user": "bob"}}')
    check "deny bob ($mode)" '{"result":false}' "$(echo "$got" | sed 's/"decision_id":"[^"]*",//')"
    got=$(curl -s "$url/v1/policies" | grep -o '"id":"[^"]*"')
    check "policy id ($mode)" '"id":"bundle.tar.gz/authz/policy.rego"' "$got"
    got=$(curl -s "$url/v1/data/authz/users?provenance" | grep -o '"bundles":{[^}]*}}')
    check "provenance ($mode)" '"bundles":{"bundle.tar.gz":{"revision":"rev-2026-12"}}' "$got"
    got=$(curl -s "$url/v1/status" | grep -o '"active_revision":"[^"]*"')
    check "status ($mode)" '"active_revision":"rev-2026-12"' "$got"
    stop
  else
    bad "serve $mode bundle.tar.gz did not start"
  fi
done

# eval -b and -d
got=$("$GH" eval -b bundle.tar.gz -f raw 'data.authz.users.admins[0]')
check "eval -b" alice "$got"
got=$("$GH" eval -d bundle.tar.gz -f raw -i <(echo '{"user":"alice"}') 'data.authz.allow')
check "eval -d" true "$got"

# signed: refused unless --skip-verify
mkdir -p s && cp -r b/. s/ && echo '{"signatures": ["e30.e30.sig"]}' >s/.signatures.json
(cd s && tar -czf ../signed.tar.gz .manifest .signatures.json authz)
chmod 644 signed.tar.gz
"$GH" serve --addr 127.0.0.1:0 --no-builtin-pack -b signed.tar.gz >out 2>err
rc=$?
if [ $rc != 0 ] && grep -q "does not verify bundle signatures" err; then ok; else
  bad "signed bundle: status $rc: $(cat err)"; fi
if start -b --skip-verify signed.tar.gz; then
  got=$(curl -s "$url/v1/data/authz/users/admins")
  check "skip-verify" '{"result":["alice"]}' "$(echo "$got" | sed 's/"decision_id":"[^"]*",//')"
  stop
else bad "--skip-verify did not start"; fi

# traversal: the entry is named
# (GNU tar strips "../" from member names: python's tarfile keeps it)
python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    d = b"package evil\n"
    i = tarfile.TarInfo("../evil.rego"); i.size = len(d); t.addfile(i, io.BytesIO(d))
' trav.tar.gz
"$GH" eval -d trav.tar.gz 'data' >out 2>&1
if grep -q 'bundle entry \\"../evil.rego\\": path leaves the bundle' out; then ok; else
  bad "traversal: $(cat out)"; fi
# a gzip stream cut short
head -c 40 bundle.tar.gz >cut.tar.gz
"$GH" eval -d cut.tar.gz 'data' >out 2>&1 && bad "truncated archive accepted" || ok

# the same archive under the real OPA: same ids and provenance
if [ -x "$OPA" ]; then
  port=$((20000 + RANDOM % 20000))
  "$OPA" run --server --addr "127.0.0.1:$port" -b bundle.tar.gz >opa.log 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do curl -s "127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  got=$(curl -s "127.0.0.1:$port/v1/policies" | grep -o '"id":"[^"]*"')
  check "OPA policy id" '"id":"bundle.tar.gz/authz/policy.rego"' "$got"
  got=$(curl -s "127.0.0.1:$port/v1/data/authz/users?provenance" | grep -o '"bundles":{[^}]*}}')
  check "OPA provenance" '"bundles":{"bundle.tar.gz":{"revision":"rev-2026-12"}}' "$got"
  stop
else
  echo "note: $OPA not found; OPA comparison skipped"
fi

echo "bundle_test: $pass passed, $fail failed"
[ "$fail" = 0 ]
