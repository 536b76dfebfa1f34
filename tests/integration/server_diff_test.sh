#!/usr/bin/env bash
# server_diff_test.sh - differential test of `gatehouse serve` against the
# reference `opa run --server` (../shared/peers/opa-0.61.0): both serve the
# same policy and data (server/policy.rego, system.rego, data.json) over TLS
# with the same test certificate; server/diff.py sends the same good and
# malformed requests (server/diff_requests.json: decisions, undefined and
# package paths, bad JSON, v0 data, policy and data writes, query API, wrong
# methods, empty bodies...) to both in order and compares status codes and
# bodies (ignoring decision ids, metrics, provenance and message wording).
# Prints `N passed, N failed`. Exit 77 (skip) when OPA is absent.
# Usage: server_diff_test.sh GATEHOUSE
#   GH_TEST_AGAINST_OPA=1: compare OPA with a second OPA (checks the harness).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GH=${1:?usage: server_diff_test.sh GATEHOUSE}
OPA=${OPA:-$here/../../../shared/peers/opa-0.61.0/opa}
[ -x "$OPA" ] || { echo "SKIP: $OPA missing"; exit 77; }
command -v python3 >/dev/null && command -v openssl >/dev/null || { echo "SKIP: python3/openssl missing"; exit 77; }
tmp=$(mktemp -d)
. "$here/server/lib.sh"
trap srv_cleanup EXIT
make_certs "$tmp/certs" || { echo "FAIL: openssl could not make test certificates"; exit 1; }
policy=("$here/server/policy.rego" "$here/server/system.rego" "$here/server/data.json")

start_opa opa 1 "${policy[@]}" || exit 1
url_a=$SRV_URL
if [ "${GH_TEST_AGAINST_OPA:-0}" = 1 ]; then
  start_opa opa2 1 "${policy[@]}" || exit 1
else
  [ -x "$GH" ] || { echo "FAIL: $GH not built"; exit 1; }
  # OPA accepts unauthenticated writes; gatehouse needs this to be said
  start_gh gh 1 --allow-unauthenticated-writes "${policy[@]}" || exit 1
fi
url_b=$SRV_URL
python3 "$here/server/diff.py" "$tmp/certs/ca.pem" "$url_a" "$url_b" "$here/server/diff_requests.json"
