#!/usr/bin/env bash
# server_h2_test.sh - `gatehouse serve` over HTTP/2: ALPN picks h2 over TLS
# 1.3 for clients that offer it (curl --http2) and http/1.1 for the others or
# with --http2=false; decisions, undefined -> 200 {}, package objects,
# malformed JSON -> 400, unknown path -> 404, security headers, decision ids,
# 413 for an oversize body and 429 + retry-after on the same connection as
# other streams, many concurrent streams (h2load, and Node's node:http2
# client with an AdmissionReview to /v1/admit, and the JDK's java.net.http
# client when a JDK is present), h2c with prior knowledge
# only with --h2c, a slow HTTP/2 client closed after the read timeout while
# others are served, GOAWAY at the idle timeout and on SIGTERM.
# Usage: server_h2_test.sh GATEHOUSE
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GH=${1:?usage: server_h2_test.sh GATEHOUSE}
command -v curl >/dev/null && command -v openssl >/dev/null || { echo "SKIP: curl/openssl missing"; exit 77; }
curl -V | grep -q 'HTTP2' || { echo "SKIP: curl without HTTP/2"; exit 77; }
[ -x "$GH" ] || { echo "FAIL: $GH not built"; exit 1; }
tmp=$(mktemp -d)
. "$here/server/lib.sh"
trap srv_cleanup EXIT
make_certs "$tmp/certs" || { echo "FAIL: openssl could not make test certificates"; exit 1; }
policy=("$here/server/policy.rego" "$here/server/system.rego" "$here/server/data.json")


start_gh gh 1 --max-body-bytes 32KiB --read-timeout 1s --idle-timeout 2s "${policy[@]}" || exit 1
U=$SRV_URL
C=(curl -sS --cacert "$tmp/certs/ca.pem" --tlsv1.3 --http2)

# ---- protocol -------------------------------------------------------------------
out=$("${C[@]}" -v -o /dev/null "$U/health" 2>&1)
if grep -q 'ALPN: server accepted h2' <<<"$out" && grep -q '^< HTTP/2 200' <<<"$out"; then ok "ALPN h2 over TLS 1.3"; else bad "ALPN h2: $(grep -E 'ALPN|^< HTTP' <<<"$out" | tr '\n' ' ')"; fi
v=$(curl -sS --cacert "$tmp/certs/ca.pem" --http1.1 -o /dev/null -w '%{http_version}' "$U/health")
expect "a client offering http/1.1 only gets HTTP/1.1" "$v" 1.1

# ---- decisions over h2 ----------------------------------------------------------------
body=$("${C[@]}" -X POST -H 'Content-Type: application/json' -d '{"input":{"user":"alice"}}' "$U/v1/data/authz/allow" | nodid)
expect "POST allow true" "$body" '{"result":true}'
body=$("${C[@]}" "$U/v1/data/authz/allow?input=%7B%22user%22%3A%22alice%22%7D" | nodid)
expect "GET ?input=" "$body" '{"result":true}'
body=$("${C[@]}" -X POST -d '{"input":{}}' "$U/v1/data/authz/double" | nodid)
expect "undefined -> {}" "$body" '{}'
body=$("${C[@]}" -X POST -d '{"input":{"n":4}}' "$U/v1/data/authz" | nodid)
expect "package -> object of rules" "$body" '{"result":{"allow":false,"double":8,"limit":10,"roles":[]}}'
code=$("${C[@]}" -o "$tmp/bad.json" -w '%{http_code}' -X POST -d '{"input":' "$U/v1/data/authz/allow")
expect "malformed JSON -> 400" "$code" 400
expect "malformed JSON -> invalid_parameter" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$tmp/bad.json")" invalid_parameter
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/v2/nothing")
expect "unknown path -> 404" "$code" 404
body=$(printf '{"input":{"user":"alice"}}' | gzip -c | "${C[@]}" -X POST -H 'Content-Encoding: gzip' --data-binary @- "$U/v1/data/authz/allow" | nodid)
expect "gzip request body" "$body" '{"result":true}'
hdr=$("${C[@]}" -D - -o "$tmp/body.json" -X POST -d '{"input":{"user":"alice"}}' "$U/v1/data/authz/allow")
for h in 'strict-transport-security:' 'x-content-type-options: nosniff' \
         "content-security-policy: default-src 'none'" 'cache-control: no-store' \
         'referrer-policy: no-referrer' 'content-type: application/json'; do
  if grep -q "^$h" <<<"$hdr"; then ok "h2 header $h"; else bad "h2 header $h missing"; fi
done
if grep -qi '^connection:' <<<"$hdr"; then bad "no connection header in h2"; else ok "no connection header in h2"; fi
did=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("decision_id",""))' "$tmp/body.json")
[[ "$did" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4 ]] && ok "decision_id" || bad "decision_id [$did]"

# ---- limits per stream ------------------------------------------------------------------
head -c 40000 /dev/zero | tr '\0' 'x' >"$tmp/big.txt"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -X POST --data-binary @"$tmp/big.txt" "$U/v1/data/authz/allow")
expect "oversize body -> 413" "$code" 413
hdr=$("${C[@]}" -D - -o "$tmp/413.json" -X POST --data-binary @"$tmp/big.txt" "$U/v1/data/authz/allow")
if grep -q '^strict-transport-security:' <<<"$hdr" && grep -q '^x-content-type-options: nosniff' <<<"$hdr"; then ok "413 over h2 carries the security headers"; else bad "413 over h2 headers: $hdr"; fi
expect "413 body" "$(cat "$tmp/413.json")" '{"code":"invalid_parameter","message":"request body too large"}'
big=$(head -c 9000 /dev/zero | tr '\0' v)
hdr=$("${C[@]}" -D - -o "$tmp/431.json" -H "X-Big: $big" "$U/health")
if grep -q '^HTTP/2 431' <<<"$hdr" && grep -q '^x-content-type-options: nosniff' <<<"$hdr"; then ok "oversize header list -> 431 with the security headers"; else bad "431 over h2: $hdr"; fi
# one connection, three streams: the oversize one gets 413, the others answers
out=$("${C[@]}" --parallel -w '%{http_code}\n' -o /dev/null -X POST --data-binary @"$tmp/big.txt" "$U/v1/data/authz/allow" \
      --next "${C[@]:1}" -w '%{http_code}\n' -o /dev/null "$U/health" \
      --next "${C[@]:1}" -w '%{http_code}\n' -o /dev/null "$U/v1/data/config" 2>/dev/null | sort | tr '\n' ' ')
expect "413 does not affect other streams" "$out" "200 200 413 "

# many concurrent streams
if command -v h2load >/dev/null; then
  printf '{"input":{"user":"alice"}}' >"$tmp/in.json"
  out=$(h2load -n 2000 -c 4 -m 50 -d "$tmp/in.json" "$U/v1/data/authz/allow" 2>&1)
  if grep -q 'Application protocol: h2' <<<"$out" && grep -q 'status codes: 2000 2xx' <<<"$out"; then ok "h2load 2000 requests, 50 streams per connection"; else bad "h2load: $(grep -E 'protocol|status codes|failed' <<<"$out" | tr '\n' ' ')"; fi
else
  echo "skip h2load (nghttp2-client missing)"
fi

# Node's own HTTP/2 client: 200 concurrent decisions on one session, an
# AdmissionReview through /v1/admit (the built-in pack), 404 and 400
review=$here/../../../shared/vectors/admissionreview-pod.json
if command -v node >/dev/null && [ -f "$review" ]; then
  out=$(node "$here/server/h2client.mjs" "$U" "$tmp/certs/ca.pem" "$review" 2>&1)
  expect "node:http2 client" "$out" '{"alpn":"h2","decisions_ok":200,"admit_status":200,"admit_uid_echoed":true,"admit_allowed":false,"missing_status":404,"malformed_status":400,"malformed_code":"invalid_parameter"}'
else
  echo "skip node:http2 client (node or $review missing)"
fi

# slow client: an unfinished stream is closed after the read timeout (1 s);
# meanwhile another client is served
python3 "$here/server/h2raw.py" slow 127.0.0.1 "${U##*:}" "$tmp/certs/ca.pem" 5 >"$tmp/slow.out" &
slowpid=$!
sleep 0.3
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/health")
expect "served while a slow h2 client waits" "$code" 200
wait "$slowpid"
read -r what after <"$tmp/slow.out"
if [ "$what" = closed ] && python3 -c "import sys; sys.exit(0 if 0.5 <= float(sys.argv[1]) <= 3 else 1)" "$after"; then ok "slow h2 client closed after the read timeout (${after}s)"; else bad "slow h2 client: $what $after"; fi

# an idle connection is told GOAWAY(NO_ERROR) at the idle timeout (2 s)
read -r what code after < <(python3 "$here/server/h2raw.py" idle 127.0.0.1 "${U##*:}" "$tmp/certs/ca.pem" 5)
if [ "$what $code" = "goaway 0" ] && python3 -c "import sys; sys.exit(0 if 1.5 <= float(sys.argv[1]) <= 4 else 1)" "$after"; then ok "idle h2 connection gets GOAWAY after the idle timeout (${after}s)"; else bad "idle h2: $what $code $after"; fi

# GOAWAY on SIGTERM (the server then exits 0)
echo "${SRV_PIDS[-1]}" >"$tmp/gh.pid"
out=$(python3 "$here/server/h2raw.py" goaway 127.0.0.1 "${U##*:}" "$tmp/certs/ca.pem" "$tmp/gh.pid")
expect "GOAWAY(NO_ERROR) on SIGTERM" "$out" "goaway 0"
wait "${SRV_PIDS[-1]}"
expect "exit status after SIGTERM" "$?" 0

# ---- rate limit: 429 + retry-after on h2 ---------------------------------------------------
start_gh gh2 1 --rate-limit 1 --rate-limit-burst 1 "${policy[@]}" || exit 1
out=$("${C[@]}" -D - -o /dev/null "$SRV_URL/health" "$SRV_URL/health" 2>&1)
if grep -q '^HTTP/2 429' <<<"$out" && grep -qi '^retry-after: [1-9]' <<<"$out"; then ok "429 + retry-after over h2"; else bad "429 over h2: $(grep -E '^HTTP|retry' <<<"$out" | tr '\n' ' ')"; fi

# ---- the JDK's own HTTP/2 client (java.net.http), when a JDK is installed:
# default timeouts (a cold JVM's first TLS handshake can take over a second)
if command -v java >/dev/null && command -v keytool >/dev/null; then
  start_gh ghj 1 "${policy[@]}" || exit 1
  keytool -importcert -noprompt -alias gatehouse-test -file "$tmp/certs/ca.pem" \
    -keystore "$tmp/trust.jks" -storepass changeit >/dev/null 2>&1
  out=$(timeout 120 java -Djavax.net.ssl.trustStore="$tmp/trust.jks" -Djavax.net.ssl.trustStorePassword=changeit \
        "$here/server/H2Client.java" "$SRV_URL" 2>&1 | tail -1)
  expect "java.net.http client: 100 decisions over h2" "$out" "HTTP_2 100"
else
  echo "skip java.net.http client (no JDK)"
fi

# ---- --http2=false and h2c ------------------------------------------------------------------
start_gh gh3 1 --http2=false "${policy[@]}" || exit 1
v=$("${C[@]}" -o /dev/null -w '%{http_version}' "$SRV_URL/health")
expect "--http2=false: curl --http2 gets HTTP/1.1" "$v" 1.1
start_gh gh4 0 --h2c "${policy[@]}" || exit 1
body=$(curl -sS --http2-prior-knowledge -X POST -d '{"input":{"user":"alice"}}' -w ' %{http_version}' "$SRV_URL/v1/data/authz/allow" | tr -d '\n' | sed 's/"decision_id":"[^"]*",//')
expect "--h2c: prior-knowledge HTTP/2 on plain HTTP" "$body" '{"result":true} 2'
v=$(curl -sS -o /dev/null -w '%{http_version}' "$SRV_URL/health")
expect "--h2c: HTTP/1.1 still served" "$v" 1.1
start_gh gh5 0 "${policy[@]}" || exit 1
if curl -sS --max-time 5 --http2-prior-knowledge -o /dev/null "$SRV_URL/health" 2>/dev/null; then bad "no h2c without --h2c"; else ok "no h2c without --h2c"; fi

echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
