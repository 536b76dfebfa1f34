#!/usr/bin/env bash
# server_curl_test.sh - `gatehouse serve` over TLS 1.3 with curl: the
# handshake is TLS 1.3, a TLS 1.2-only client is refused, decisions over
# keep-alive (one connection for several requests), gzip request bodies,
# undefined → 200 {}, malformed JSON → 400 invalid_parameter, security
# headers, decision ids, and GET /metrics in Prometheus text format counting
# what was just served; with --decision-log FILE, the decision log lines.
# Usage: server_curl_test.sh GATEHOUSE
#   GH_TEST_AGAINST_OPA=1: the same checks (less the gatehouse-only ones)
#   against `opa run --server --min-tls-version 1.3` (checks the harness).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GH=${1:?usage: server_curl_test.sh GATEHOUSE}
OPA=${OPA:-$here/../../../shared/peers/opa-0.61.0/opa}
command -v curl >/dev/null && command -v openssl >/dev/null || { echo "SKIP: curl/openssl missing"; exit 77; }
tmp=$(mktemp -d)
. "$here/server/lib.sh"
trap srv_cleanup EXIT
make_certs "$tmp/certs" || { echo "FAIL: openssl could not make test certificates"; exit 1; }
policy=("$here/server/policy.rego" "$here/server/system.rego" "$here/server/data.json")

against_opa=${GH_TEST_AGAINST_OPA:-0}
if [ "$against_opa" = 1 ]; then
  [ -x "$OPA" ] || { echo "SKIP: $OPA missing"; exit 77; }
  start_opa opa 1 --min-tls-version 1.3 "${policy[@]}" || exit 1
else
  [ -x "$GH" ] || { echo "FAIL: $GH not built"; exit 1; }
  start_gh gh 1 --decision-log-file "$tmp/decisions.jsonl" "${policy[@]}" || exit 1
fi
U=$SRV_URL
C=(curl -sS --cacert "$tmp/certs/ca.pem" --tlsv1.3)

# ---- TLS ------------------------------------------------------------------------
out=$("${C[@]}" -v -o /dev/null "$U/health" 2>&1)
if grep -q 'SSL connection using TLSv1.3' <<<"$out"; then ok "TLS 1.3 handshake"; else bad "TLS 1.3 handshake: $(grep -i 'SSL conn' <<<"$out")"; fi
code=$(curl -sS --cacert "$tmp/certs/ca.pem" --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$U/health" 2>"$tmp/tls12.err")
rc=$?
if [ "$rc" != 0 ] && [ "$code" = 000 ]; then ok "TLS 1.2 refused (curl exit $rc)"; else bad "TLS 1.2 refused: curl exit $rc, status $code"; fi
if echo | openssl s_client -connect "${U#https://}" -tls1_2 -CAfile "$tmp/certs/ca.pem" >/dev/null 2>&1; then
  bad "openssl s_client -tls1_2 refused"
else
  ok "openssl s_client -tls1_2 refused"
fi
out=$(echo | openssl s_client -connect "${U#https://}" -tls1_3 -CAfile "$tmp/certs/ca.pem" 2>&1)
if grep -q 'Verify return code: 0' <<<"$out" && grep -q 'TLSv1.3' <<<"$out"; then ok "openssl s_client -tls1_3 verifies"; else bad "openssl s_client -tls1_3"; fi
code=$(curl -sS -o /dev/null -w '%{http_code}' "$U/health" 2>/dev/null)
[ "$code" = 000 ] && ok "untrusted certificate rejected by curl" || bad "untrusted certificate accepted ($code)"

# ---- decisions --------------------------------------------------------------------
body=$("${C[@]}" -X POST -H 'Content-Type: application/json' -d '{"input":{"user":"alice"}}' "$U/v1/data/authz/allow" | nodid)
expect "POST allow true" "$body" '{"result":true}'
body=$("${C[@]}" -X POST -d '{"input":{"user":"bob"}}' "$U/v1/data/authz/allow" | nodid)
expect "POST allow false" "$body" '{"result":false}'
body=$("${C[@]}" "$U/v1/data/authz/allow" | nodid)
expect "GET allow (default)" "$body" '{"result":false}'
body=$("${C[@]}" -X POST -d '{"input":{}}' "$U/v1/data/authz/double" | nodid)
expect "undefined → {}" "$body" '{}'
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -X POST -d '{"input":{}}' "$U/v1/data/authz/double")
expect "undefined → 200" "$code" 200
body=$("${C[@]}" -X POST -d '{"input":{"n":4}}' "$U/v1/data/authz" | nodid)
expect "package → object of rules" "$body" '{"result":{"allow":false,"double":8,"limit":10,"roles":[]}}'
body=$("${C[@]}" -X POST -d '{"input":' "$U/v1/data/authz/allow")
code=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("code"))' "$body" 2>/dev/null)
expect "malformed JSON → invalid_parameter" "$code" invalid_parameter
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -X POST -d '{"input":' "$U/v1/data/authz/allow")
expect "malformed JSON → 400" "$code" 400
body=$(printf '{"input":{"user":"alice"}}' | gzip -c | "${C[@]}" -X POST -H 'Content-Encoding: gzip' --data-binary @- "$U/v1/data/authz/allow" | nodid)
expect "gzip request body" "$body" '{"result":true}'
body=$("${C[@]}" -X POST -d '{"user":"alice"}' "$U/v0/data/authz/allow")
expect "v0 data" "$body" 'true'
body=$("${C[@]}" -X POST -d '{"user":"alice"}' "$U/" | nodid)
expect "default decision POST /" "$body" '{"allowed":true,"user":"alice"}'

# keep-alive: two requests in one curl run share one TLS connection
out=$("${C[@]}" -v -o /dev/null -o /dev/null "$U/v1/data/authz/allow" "$U/v1/data/config" 2>&1)
n=$(grep -c 'SSL connection using' <<<"$out")
if [ "$n" = 1 ] && grep -qi 're-using existing connection\|reusing existing connection' <<<"$out"; then ok "keep-alive reuses the TLS connection"; else bad "keep-alive: $n handshakes"; fi

# ---- gatehouse only ---------------------------------------------------------------
if [ "$against_opa" != 1 ]; then
  hdr=$("${C[@]}" -D - -o "$tmp/body.json" -X POST -d '{"input":{"user":"alice"}}' "$U/v1/data/authz/allow")
  for h in 'strict-transport-security:' 'x-content-type-options: nosniff' \
           "content-security-policy: default-src 'none'" 'cache-control: no-store' \
           'referrer-policy: no-referrer'; do
    if grep -qi "^$h" <<<"$hdr"; then ok "header $h"; else bad "header $h missing"; fi
  done
  did=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("decision_id",""))' "$tmp/body.json")
  if [[ "$did" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then ok "decision_id is a UUIDv4"; else bad "decision_id [$did]"; fi

  # /metrics reflects what was served
  "${C[@]}" -D "$tmp/m.hdr" -o "$tmp/metrics.txt" "$U/metrics"
  if grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/m.hdr"; then ok "metrics content type"; else bad "metrics content type: $(grep -i content-type "$tmp/m.hdr")"; fi
  python3 - "$tmp/metrics.txt" <<'PY' && ok "metrics exposition format and counts" || bad "metrics exposition format and counts"
import re, sys
text = open(sys.argv[1]).read()
fams, cur, typ, samples = set(), None, None, {}
for ln in text.splitlines():
    if ln.startswith("# HELP "):
        cur = ln.split()[2]; assert cur not in fams, "family twice: " + cur; fams.add(cur); typ = None; continue
    if ln.startswith("# TYPE "):
        f, typ = ln.split()[2:4]; assert f == cur and typ in ("counter", "gauge", "histogram"); continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)', ln)
    assert m, "bad line: " + ln
    assert typ and m.group(1).startswith(cur), "sample outside its family: " + ln
    float(m.group(3)); samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
def total(prefix):
    return sum(v for k, v in samples.items() if k.startswith(prefix))
assert total("gatehouse_http_requests_total{") >= 10, "requests counted"
assert total('gatehouse_decisions_total{result="true"') >= 2, "true decisions counted"
assert total('gatehouse_decisions_total{result="false"') >= 2, "false decisions counted"
assert any(k.startswith("gatehouse_http_request_duration_seconds_bucket{") and 'le="+Inf"' in k for k in samples)
assert samples.get("gatehouse_policy_revision", 0) >= 1, "revision"
for f in ("gatehouse_http_requests_total", "gatehouse_http_request_duration_seconds",
          "gatehouse_decisions_total", "gatehouse_policy_revision", "gatehouse_reloads_total",
          "process_start_time_seconds", "gatehouse_build_info"):
    assert f in fams, "missing family " + f
PY

  # decision log: a line per decision, written by the background writer
  sleep 0.3
  python3 - "$tmp/decisions.jsonl" "$did" <<'PY' && ok "decision log lines" || bad "decision log lines"
import json, sys, re
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 5, "only %d lines" % len(lines)
ids = {l["decision_id"] for l in lines}
assert sys.argv[2] in ids, "response decision_id not logged"
for l in lines:
    assert set(l) >= {"decision_id", "path", "input_sha256", "revision", "timestamp", "latency_ns"}, l
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", l["timestamp"]), l["timestamp"]
    assert "alice" not in json.dumps(l.get("input_sha256")), "input leaked"
PY
fi

echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
