#!/usr/bin/env bash
# The server's transport end to end, over real sockets: plain HTTP on
# loopback, the development certificate on other addresses, TLS 1.3 only by
# default (1.2 refused), mTLS, security headers, 413/431/408/429, chunked and
# gzip bodies, keep-alive and pipelining, bearer tokens kept out of the log,
# privilege drop, SIGHUP reload and graceful SIGTERM. Usage:
# server_transport_test.sh BIN (the gatehouse binary). Needs curl, openssl
# and python3 (raw sockets); exit 77 (skip) only when one of those is missing.
set -u
bin=$1
for t in curl openssl python3; do
  command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
tmp=$(mktemp -d)
chmod 755 "$tmp" # the server drops to nobody when run as root and must still read policies
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/server/lib.sh" # listen_url
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then ok; else bad "$what"; fi
}

mkdir -p "$tmp/pol"
cat >"$tmp/pol/example.rego" <<'EOF'
package example
default allow := false
allow if input.user == "alice"
EOF
chmod 644 "$tmp/pol/example.rego"

# start NAME ARGS...: run `gatehouse serve` in the background; sets PID, URL
start() {
  local name=$1; shift
  "$bin" serve --no-builtin-pack "$@" >"$tmp/$name.log" 2>&1 &
  PID=$!
  pids+=("$PID")
  if ! URL=$(listen_url "$tmp/$name.log" "$PID"); then
    bad "$name: server did not start: $(cat "$tmp/$name.log")"
    return 1
  fi
  PORT=${URL##*:}
  return 0
}
stop() { # PID: SIGTERM, then the exit status must be 0
  kill -TERM "$1" 2>/dev/null
  wait "$1"
}

# raw PORT DELAY PAYLOAD...: send payload parts over one TCP connection with
# DELAY seconds between them, print everything received until close/timeout
raw() {
  python3 - "$@" <<'EOF'
import os, socket, sys, time
port, delay, parts = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
s = socket.create_connection(("127.0.0.1", port))
ready = os.environ.get("READY")
for i, p in enumerate(parts):
    if i == 1 and ready: open(ready, "w").close()
    if i: time.sleep(delay)
    try: s.sendall(p.encode().decode("unicode_escape").encode("latin1"))
    except OSError: break
s.settimeout(5)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except OSError: pass
sys.stdout.write(out.decode("latin1"))
EOF
}

alice='{"input":{"user":"alice"}}'
bob='{"input":{"user":"bob"}}'

# ---- A. plain HTTP on loopback ---------------------------------------------------
if start plain --addr 127.0.0.1:0 --read-timeout 1s --max-body-bytes 4096 \
      --max-header-bytes 2048 --idle-timeout 5s "$tmp/pol"; then
  P=$PID
  check "plain listening line is http://127.0.0.1" [ "${URL%:*}" = "http://127.0.0.1" ]
  out=$(curl -s -D "$tmp/h" -X POST -d "$alice" "$URL/v1/data/example/allow")
  [[ "$out" == *'"result":true'* ]] && ok || bad "alice allowed: $out"
  out=$(curl -s -X POST -d "$bob" "$URL/v1/data/example/allow")
  [[ "$out" == *'"result":false'* ]] && ok || bad "bob denied: $out"
  for h in 'X-Content-Type-Options: nosniff' "Content-Security-Policy: default-src 'none'" \
           'Cache-Control: no-store' 'Referrer-Policy: no-referrer'; do
    grep -qiF "$h" "$tmp/h" && ok || bad "header $h missing: $(cat "$tmp/h")"
  done
  grep -qi '^Strict-Transport-Security' "$tmp/h" && bad "HSTS on plain HTTP" || ok
  code=$(curl -s -o /dev/null -D "$tmp/h404" -w '%{http_code}' "$URL/no/such/path")
  [ "$code" = 404 ] && ok || bad "unknown path: $code"
  grep -qi 'X-Content-Type-Options: nosniff' "$tmp/h404" && ok || bad "404 lacks security headers"
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"input": {' "$URL/v1/data/example/allow")
  [ "$code" = 400 ] && ok || bad "malformed JSON: $code"

  # 413: with Expect: 100-continue (answered before the body) and without
  code=$(head -c 100000 /dev/zero | tr '\0' a | curl -s -o "$tmp/b413" -D "$tmp/h413" -w '%{http_code}' \
         -H 'Expect: 100-continue' -X POST --data-binary @- "$URL/v1/data/example/allow")
  [ "$code" = 413 ] && ok || bad "oversize body (expect): $code"
  grep -qi 'X-Content-Type-Options: nosniff' "$tmp/h413" && ok || bad "413 lacks security headers"
  grep -q '"code"' "$tmp/b413" && ok || bad "413 body is not OPA-shaped: $(cat "$tmp/b413")"
  code=$(head -c 100000 /dev/zero | tr '\0' a | curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
         -X POST --data-binary @- "$URL/v1/data/example/allow")
  [ "$code" = 413 ] && ok || bad "oversize body: $code"
  # gzip bomb: small on the wire, too big decoded
  head -c 1000000 /dev/zero | gzip >"$tmp/bomb.gz"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Encoding: gzip' \
         -X POST --data-binary @"$tmp/bomb.gz" "$URL/v1/data/example/allow")
  [ "$code" = 413 ] && ok || bad "gzip bomb: $code"
  # 431
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 3000 /dev/zero | tr '\0' a)" \
         "$URL/health")
  [ "$code" = 431 ] && ok || bad "oversize headers: $code"
  # gzip and chunked request bodies
  out=$(printf '%s' "$alice" | gzip | curl -s -H 'Content-Encoding: gzip' -X POST --data-binary @- \
        "$URL/v1/data/example/allow")
  [[ "$out" == *'"result":true'* ]] && ok || bad "gzip body: $out"
  out=$(printf '%s' "$alice" | curl -s -H 'Transfer-Encoding: chunked' -X POST --data-binary @- \
        "$URL/v1/data/example/allow")
  [[ "$out" == *'"result":true'* ]] && ok || bad "chunked body: $out"
  code=$(printf 'xx' | curl -s -o /dev/null -w '%{http_code}' -H 'Content-Encoding: gzip' -X POST \
         --data-binary @- "$URL/v1/data/example/allow")
  [ "$code" = 400 ] && ok || bad "corrupt gzip: $code"
  # keep-alive: two requests, one connection
  curl -sv -o /dev/null -o /dev/null "$URL/health" "$URL/health" 2>"$tmp/ka"
  grep -qiE 're-?using existing connection' "$tmp/ka" && ok || bad "keep-alive not reused"
  # pipelining over a raw socket
  out=$(raw "$PORT" 0 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  [ "$(grep -c '^HTTP/1.1 200' <<<"$out")" = 2 ] && ok || bad "pipelined: $out"
  out=$(raw "$PORT" 0 'BLAH\r\n\r\n')
  [[ "$out" == "HTTP/1.1 400"* ]] && ok || bad "malformed request line: $out"
  out=$(raw "$PORT" 0 'GET /health HTTP/1.1\r\n\r\n')
  [[ "$out" == "HTTP/1.1 400"* ]] && ok || bad "HTTP/1.1 without Host: $out"
  # slow client: 408 after the read timeout, while another client is served at once
  raw "$PORT" 3 'POST /v1/data/example/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n{"inp' \
    'ut":{}}' >"$tmp/slow" &
  slowpid=$!
  sleep 0.2
  t0=$(date +%s%N)
  out=$(curl -s -X POST -d "$alice" "$URL/v1/data/example/allow")
  t1=$(date +%s%N)
  [[ "$out" == *'"result":true'* ]] && ok || bad "fast client during slow one: $out"
  [ $(((t1 - t0) / 1000000)) -lt 500 ] && ok || bad "fast client waited $(((t1 - t0) / 1000000)) ms"
  wait "$slowpid"
  grep -q '^HTTP/1.1 408' "$tmp/slow" && ok || bad "slow client: $(head -1 "$tmp/slow")"
  # privileges: dropped to nobody with no_new_privs when started as root
  if [ "$(id -u)" = 0 ]; then
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$P/status")
    [ "$uid" = "$(id -u nobody)" ] && ok || bad "uid after drop: $uid"
    grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$P/status" && ok || bad "no_new_privs not set"
  fi
  grep -q 'access\|request' "$tmp/plain.log" && ok || bad "no access log lines"
  # SIGHUP: reload from disk
  printf 'package example\ndefault allow := false\nallow if input.user == "bob"\n' >"$tmp/pol/example.rego"
  kill -HUP "$P"
  got=
  for _ in $(seq 1 50); do
    out=$(curl -s -X POST -d "$bob" "$URL/v1/data/example/allow")
    if [[ "$out" == *'"result":true'* ]]; then got=1; break; fi
    sleep 0.1
  done
  [ -n "$got" ] && ok || bad "SIGHUP reload: $out; $(tail -3 "$tmp/plain.log")"
  # graceful stop: a request whose body is still arriving completes
  READY="$tmp/ready" raw "$PORT" 0.5 'POST /v1/data/example/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n{"input":' \
    '{"user":"bob"}}' >"$tmp/inflight" &
  inpid=$!
  for _ in $(seq 1 100); do [ -e "$tmp/ready" ] && break; sleep 0.05; done
  sleep 0.1
  kill -TERM "$P"
  wait "$inpid"
  grep -q '^HTTP/1.1 200' "$tmp/inflight" && ok || bad "in-flight request on SIGTERM: $(cat "$tmp/inflight")"
  grep -q '"result":true' "$tmp/inflight" && ok || bad "in-flight answer: $(cat "$tmp/inflight")"
  grep -qi '^Connection: close' "$tmp/inflight" && ok || bad "draining answer lacks Connection: close"
  wait "$P"; rc=$?
  [ "$rc" = 0 ] && ok || bad "SIGTERM exit status $rc"
  curl -s -o /dev/null "$URL/health" && bad "still serving after SIGTERM" || ok
  printf 'package example\ndefault allow := false\nallow if input.user == "alice"\n' >"$tmp/pol/example.rego"
fi

# ---- shutdown periods (opa run --shutdown-wait-period / --shutdown-grace-period) ----
# elapsed T0: seconds since T0 (date +%s.%N)
elapsed() { python3 -c 'import sys,time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$1"; }
within() { python3 -c 'import sys; a,lo,hi=map(float,sys.argv[1:]); sys.exit(0 if lo <= a <= hi else 1)' "$@"; }
if start wait --addr 127.0.0.1:0 --shutdown-wait-period 1 "$tmp/pol"; then
  P=$PID
  t0=$(date +%s.%N)
  kill -TERM "$P"
  sleep 0.3
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")
  [ "$code" = 200 ] && ok || bad "served during the shutdown wait period ($code)"
  wait "$P"; rc=$?
  e=$(elapsed "$t0")
  [ "$rc" = 0 ] && within "$e" 0.9 4 && ok || bad "shutdown wait period: exit $rc after ${e}s"
fi
if start grace --addr 127.0.0.1:0 --read-timeout 20s --shutdown-grace-period 1 "$tmp/pol"; then
  P=$PID
  READY="$tmp/ready2" raw "$PORT" 6 'POST /v1/data/example/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n{"input":' \
    '{"user":"bob"}}' >/dev/null &
  inpid=$!
  for _ in $(seq 1 100); do [ -e "$tmp/ready2" ] && break; sleep 0.05; done
  t0=$(date +%s.%N)
  kill -TERM "$P"
  wait "$P"; rc=$?
  e=$(elapsed "$t0")
  [ "$rc" = 0 ] && within "$e" 0.5 3 && ok || bad "shutdown grace period: exit $rc after ${e}s (a stuck request must not hold it longer)"
  wait "$inpid"
fi

# ---- B. rate limit ----------------------------------------------------------------
if start rl --addr 127.0.0.1:0 --rate-limit 0.2 --rate-limit-burst 3 "$tmp/pol"; then
  codes=
  for _ in 1 2 3 4 5; do
    codes="$codes $(curl -s -o /dev/null -D "$tmp/hrl" -w '%{http_code}' "$URL/health")"
  done
  [[ "$codes" == " 200 200 200 429"* ]] && ok || bad "rate limit codes:$codes"
  grep -qi '^Retry-After: [1-9]' "$tmp/hrl" && ok || bad "429 lacks Retry-After: $(cat "$tmp/hrl")"
  check "rate-limited server stops" stop "$PID"
fi

# ---- C. non-loopback address: no plain HTTP, development certificate -------------
if start dev --addr 0.0.0.0:0 --data-dir "$tmp/data" "$tmp/pol"; then
  [[ "$URL" == https://* ]] && ok || bad "non-loopback without a certificate must use TLS: $URL"
  ca="$tmp/data/dev-ca.crt"
  check "dev CA written" [ -s "$ca" ]
  [ "$(stat -c %a "$tmp/data/dev-server.key")" = 600 ] && ok || bad "dev key mode"
  [ ! -e "$tmp/data/dev-ca.key" ] && ok || bad "the dev CA's private key must not be kept"
  grep -q "$ca" "$tmp/dev.log" && ok || bad "hint with the CA path missing: $(cat "$tmp/dev.log")"
  out=$(curl -s -D "$tmp/htls" --cacert "$ca" -X POST -d "$alice" "https://localhost:$PORT/v1/data/example/allow")
  [[ "$out" == *'"result":true'* ]] && ok || bad "TLS decision: $out"
  grep -qi '^Strict-Transport-Security: max-age=' "$tmp/htls" && ok || bad "HSTS missing on TLS"
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" "https://127.0.0.1:$PORT/health")
  [ "$code" = 200 ] && ok || bad "TLS by IP SAN: $code"
  s13=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -CAfile "$ca" \
        -verify_hostname localhost 2>&1)
  grep -q 'TLSv1.3' <<<"$s13" && grep -q 'Verify return code: 0' <<<"$s13" && ok || bad "TLS 1.3 handshake: $s13"
  echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 >"$tmp/s12" 2>&1
  grep -q 'Cipher is (NONE)\|alert protocol version\|no protocols available' "$tmp/s12" && ok || bad "TLS 1.2 not refused: $(head -5 "$tmp/s12")"
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" --tls-max 1.2 "https://localhost:$PORT/health")
  [ "$code" = 000 ] && ok || bad "curl with TLS <= 1.2 got $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")
  [ "$code" != 200 ] && ok || bad "plain HTTP answered on the TLS port"
  # pipelining over TLS: 12 requests in 12 records, sent back to back
  n=$(python3 - "$PORT" "$ca" <<'EOF2'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="localhost")
for i in range(12):
    last = i == 11
    s.sendall(("GET /health HTTP/1.1\r\nHost: x\r\n%s\r\n" % ("Connection: close\r\n" if last else "")).encode())
s.settimeout(5)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except OSError: pass
print(out.count(b"HTTP/1.1 200 OK"))
EOF2
)
  [ "$n" = 12 ] && ok || bad "pipelined TLS requests answered: $n of 12"
  check "dev server stops" stop "$PID"
  # second start reuses the certificate
  sum=$(sha256sum "$tmp/data/dev-server.crt")
  if start dev2 --addr 0.0.0.0:0 --data-dir "$tmp/data" "$tmp/pol"; then
    [ "$sum" = "$(sha256sum "$tmp/data/dev-server.crt")" ] && ok || bad "dev cert regenerated"
    check "dev2 stops" stop "$PID"
  fi
fi

# --insecure-http: plain HTTP on a non-loopback address when asked for
if start insecure --addr 0.0.0.0:0 --insecure-http "$tmp/pol"; then
  [[ "$URL" == http://* ]] && ok || bad "--insecure-http: $URL"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")
  [ "$code" = 200 ] && ok || bad "--insecure-http health: $code"
  check "insecure server stops" stop "$PID"
fi

# ---- D. configured certificate, TLS 1.2 allowed -------------------------------------
if [ -s "$tmp/data/dev-server.crt" ] && start tls12 --addr 127.0.0.1:0 \
    --tls-cert-file "$tmp/data/dev-server.crt" --tls-private-key-file "$tmp/data/dev-server.key" \
    --min-tls-version 1.2 "$tmp/pol"; then
  [[ "$URL" == https://* ]] && ok || bad "configured cert on loopback: $URL"
  s12=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile "$tmp/data/dev-ca.crt" 2>&1)
  grep -q 'TLSv1.2' <<<"$s12" && grep -q 'Verify return code: 0' <<<"$s12" && ok || bad "TLS 1.2 when allowed: $s12"
  check "tls12 server stops" stop "$PID"
fi

# ---- D2. SIGHUP re-reads the certificate files (rotation) ---------------------------
serial() { echo | openssl s_client -connect "127.0.0.1:$1" 2>/dev/null | openssl x509 -noout -serial 2>/dev/null; }
if [ -s "$tmp/data/dev-server.crt" ]; then
  mkdir -p "$tmp/rot"
  cp "$tmp/data/dev-server.crt" "$tmp/rot/s.crt"
  cp "$tmp/data/dev-server.key" "$tmp/rot/s.key"
  chmod 644 "$tmp/rot/s.crt" "$tmp/rot/s.key"
  if start rot --addr 127.0.0.1:0 --tls-cert-file "$tmp/rot/s.crt" --tls-private-key-file "$tmp/rot/s.key" \
      "$tmp/pol"; then
    s1=$(serial "$PORT")
    [ -n "$s1" ] && ok || bad "no certificate serial from the server"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -days 1 -keyout "$tmp/rot/n.key" -out "$tmp/rot/n.crt" 2>/dev/null
    chmod 644 "$tmp/rot/n.key" "$tmp/rot/n.crt"
    mv "$tmp/rot/n.key" "$tmp/rot/s.key"
    mv "$tmp/rot/n.crt" "$tmp/rot/s.crt"
    kill -HUP "$PID"
    s2=$s1
    for _ in $(seq 1 50); do s2=$(serial "$PORT"); [ "$s2" != "$s1" ] && break; sleep 0.1; done
    [ -n "$s2" ] && [ "$s2" != "$s1" ] && ok || bad "certificate not rotated on SIGHUP: $s1 / $s2"
    # a broken file keeps the certificate in use
    echo garbage >"$tmp/rot/s.crt"
    kill -HUP "$PID"
    for _ in $(seq 1 50); do grep -q 'certificate reload failed' "$tmp/rot.log" && break; sleep 0.1; done
    grep -q 'certificate reload failed' "$tmp/rot.log" && ok || bad "broken certificate reload not reported"
    [ "$(serial "$PORT")" = "$s2" ] && ok || bad "broken certificate replaced the working one"
    check "rot server stops" stop "$PID"
  fi
fi

# ---- E. mTLS -------------------------------------------------------------------------
if [ -s "$tmp/data/dev-server.crt" ]; then
  # a client CA of the test's own (the dev CA's key is not kept) and a
  # client certificate signed by it
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=test client CA" -keyout "$tmp/cca.key" -out "$tmp/cca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=alice-client \
    -keyout "$tmp/cli.key" -out "$tmp/cli.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$tmp/cli.ext"
  openssl x509 -req -in "$tmp/cli.csr" -CA "$tmp/cca.crt" -CAkey "$tmp/cca.key" \
    -CAcreateserial -days 1 -extfile "$tmp/cli.ext" -out "$tmp/cli.crt" 2>/dev/null
  if start mtls --addr 127.0.0.1:0 --tls-cert-file "$tmp/data/dev-server.crt" \
      --tls-private-key-file "$tmp/data/dev-server.key" --tls-ca-cert-file "$tmp/cca.crt" \
      --authentication tls "$tmp/pol"; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/data/dev-ca.crt" "https://localhost:$PORT/health")
    [ "$code" = 000 ] && ok || bad "mTLS without a client certificate: $code"
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/data/dev-ca.crt" --cert "$tmp/cli.crt" \
           --key "$tmp/cli.key" "https://localhost:$PORT/health")
    [ "$code" = 200 ] && ok || bad "mTLS with a client certificate: $code"
    # an authenticated client may write policies
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/data/dev-ca.crt" --cert "$tmp/cli.crt" \
           --key "$tmp/cli.key" -X PUT --data-binary 'package x
p := 1' "https://localhost:$PORT/v1/policies/x")
    [ "$code" = 200 ] && ok || bad "mTLS-authenticated policy write: $code"
    check "mtls server stops" stop "$PID"
  fi
  # --authorization=basic sees the client's certificates as OPA's
  # client_certificates (Go's JSON of x509.Certificate, leaf first)
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=mallory \
    -keyout "$tmp/mal.key" -out "$tmp/mal.csr" 2>/dev/null
  openssl x509 -req -in "$tmp/mal.csr" -CA "$tmp/cca.crt" -CAkey "$tmp/cca.key" \
    -CAcreateserial -days 1 -extfile "$tmp/cli.ext" -out "$tmp/mal.crt" 2>/dev/null
  mkdir -p "$tmp/authzpol"
  cp "$tmp/pol/example.rego" "$tmp/authzpol/"
  cat >"$tmp/authzpol/authz.rego" <<'EOF'
package system.authz
default allow := false
allow if {
  # as sent: curl (OpenSSL) also sends the issuing CA it finds in --cacert
  count(input.client_certificates) >= 1
  cert := input.client_certificates[0]
  cert.Subject.CommonName == "alice-client"
  cert.Issuer.CommonName == data.expect.issuer
  cert.ExtKeyUsage == [2] # x509.ExtKeyUsageClientAuth
  startswith(cert.NotAfter, "20")
  input.identity == "CN=alice-client"
}
EOF
  issuer=$(openssl x509 -in "$tmp/cca.crt" -noout -subject -nameopt RFC2253 |
           sed 's/^subject=//; s/.*CN=\([^,]*\).*/\1/')
  printf '{"expect": {"issuer": "%s"}}\n' "$issuer" >"$tmp/authzpol/data.json"
  chmod -R a+rX "$tmp/authzpol"
  if start mtlsauthz --addr 127.0.0.1:0 --tls-cert-file "$tmp/data/dev-server.crt" \
      --tls-private-key-file "$tmp/data/dev-server.key" --tls-ca-cert-file "$tmp/cca.crt" \
      --authentication tls --authorization basic "$tmp/authzpol"; then
    out=$(curl -s --cacert "$tmp/data/dev-ca.crt" --cert "$tmp/cli.crt" --key "$tmp/cli.key" \
          "https://localhost:$PORT/v1/data/example/allow?input=%7B%22user%22%3A%22alice%22%7D")
    case $out in *'"result":true'*) ok ;; *) bad "client_certificates authorize alice-client: $out" ;; esac
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/data/dev-ca.crt" --cert "$tmp/mal.crt" \
           --key "$tmp/mal.key" "https://localhost:$PORT/v1/data/example/allow")
    [ "$code" = 401 ] && ok || bad "client_certificates deny another certificate: $code"
    check "mtlsauthz server stops" stop "$PID"
  fi
fi

# ---- F. bearer tokens: writes need one; the token never reaches the log -------------
token=s3cret-token-value-42
sha=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
if start tok --addr 127.0.0.1:0 --authentication token --token-sha256 "$sha" "$tmp/pol"; then
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary 'package y
q := 1' "$URL/v1/policies/y")
  [ "$code" = 401 ] && ok || bad "unauthenticated write: $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" -X PUT \
         --data-binary 'package y
q := 1' "$URL/v1/policies/y")
  [ "$code" = 401 ] && ok || bad "wrong token write: $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -X PUT \
         --data-binary 'package y
q := 1' "$URL/v1/policies/y?token=$token")
  [ "$code" = 200 ] && ok || bad "token write: $code"
  check "token server stops" stop "$PID"
  grep -q "$token" "$tmp/tok.log" && bad "the bearer token appears in the log" || ok
fi

# ---- G. bad start-up: port in use ------------------------------------------------------
if start first --addr 127.0.0.1:0 "$tmp/pol"; then
  timeout 10 "$bin" serve --no-builtin-pack --addr "127.0.0.1:$PORT" "$tmp/pol" >"$tmp/busy.log" 2>&1
  rc=$?
  [ "$rc" != 0 ] && grep -qi "$PORT" "$tmp/busy.log" && ok || bad "port in use: rc=$rc $(cat "$tmp/busy.log")"
  check "first server stops" stop "$PID"
fi

echo "server_transport: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
