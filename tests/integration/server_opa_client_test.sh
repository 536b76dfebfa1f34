#!/usr/bin/env bash
# server_opa_client_test.sh - drives `gatehouse serve` with the real npm OPA
# client (@styra/opa, pinned below) over TLS 1.3 (the test CA trusted through
# NODE_EXTRA_CA_CERTS) and over plain HTTP on loopback, and checks the
# decisions (server/opa_client.mjs). The package is installed with npm into
# a cache directory beside the binary (never into the repository).
# Usage: server_opa_client_test.sh GATEHOUSE
#   GH_TEST_AGAINST_OPA=1: run against the reference `opa run --server`
#   instead (to check the harness itself).
# Exit 77 (skip) when node/npm are missing or the npm registry is unreachable.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GH=${1:?usage: server_opa_client_test.sh GATEHOUSE}
OPA=${OPA:-$here/../../../shared/peers/opa-0.61.0/opa}
PKG="@styra/opa@1.7.10"
ZOD="zod@3.23.8"

command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm missing"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl CLI missing"; exit 77; }
tmp=$(mktemp -d)
. "$here/server/lib.sh"
trap srv_cleanup EXIT

# ---- the client package (cached per version, beside the build) ----------------
cache=${GH_NPM_CACHE_DIR:-$(cd "$(dirname "$GH")" && pwd)/npm-cache}/styra-opa-1.7.10
if [ ! -f "$cache/node_modules/@styra/opa/dist/esm/index.js" ]; then
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"gh-opa-client-test","private":true}' >"$cache/package.json"
  (cd "$cache" && timeout 120 npm install --no-audit --no-fund --ignore-scripts \
      --no-save "$PKG" "$ZOD" >"$tmp/npm.log" 2>&1)
  rc=$?
  if [ "$rc" != 0 ]; then
    # 124: npm still waiting on the network after 2 minutes
    if [ "$rc" = 124 ] || grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network|ECONNRESET|ENETUNREACH' "$tmp/npm.log"; then
      echo "SKIP: npm registry unreachable"; cat "$tmp/npm.log"; exit 77
    fi
    echo "npm install failed:"; cat "$tmp/npm.log"; exit 1
  fi
fi

make_certs "$tmp/certs" || { echo "FAIL: openssl could not make test certificates"; exit 1; }
export NODE_EXTRA_CA_CERTS="$tmp/certs/ca.pem"
policy=("$here/server/policy.rego" "$here/server/system.rego" "$here/server/data.json")

fail=0
run_client() { # LABEL
  echo "== $1 ($SRV_URL)"
  node "$here/server/opa_client.mjs" "$cache" "$SRV_URL" || fail=1
}

if [ "${GH_TEST_AGAINST_OPA:-0}" = 1 ]; then
  [ -x "$OPA" ] || { echo "SKIP: $OPA missing"; exit 77; }
  start_opa opa-tls 1 "${policy[@]}" || exit 1
  run_client "opa over TLS"
  start_opa opa-http 0 "${policy[@]}" || exit 1
  run_client "opa over HTTP"
else
  [ -x "$GH" ] || { echo "FAIL: $GH not built"; exit 1; }
  start_gh gh-tls 1 "${policy[@]}" || exit 1
  case "$SRV_URL" in https://*) ;; *) echo "FAIL: TLS server announced $SRV_URL"; exit 1 ;; esac
  run_client "gatehouse over TLS 1.3"
  start_gh gh-http 0 "${policy[@]}" || exit 1
  run_client "gatehouse over plain HTTP (loopback)"
fi
[ "$fail" = 0 ] && echo "PASS" || echo "FAIL"
exit "$fail"
