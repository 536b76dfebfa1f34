# lib.sh - shared by the server integration tests (server_*_test.sh): test
# certificates made with the openssl CLI, starting `gatehouse serve` or the
# reference `opa run --server` on a loopback port, waiting until it answers,
# and stopping it. Sourced, not run. Callers set $tmp (a private temp dir)
# and install `trap srv_cleanup EXIT`.

# make_certs DIR: a test CA (ca.pem) and a server certificate for
# 127.0.0.1/localhost (server.pem, server-key.pem) signed by it; EC P-256.
make_certs() {
  local d=$1
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=gatehouse test CA" -keyout "$d/ca-key.pem" -out "$d/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    >/dev/null 2>&1 || return 1
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout "$d/server-key.pem" -out "$d/server.csr" >/dev/null 2>&1 || return 1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
    -CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" >/dev/null 2>&1 || return 1
}

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (for OPA,
# which cannot bind port 0 and report it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

SRV_PIDS=()

# start_opa NAME TLS(0|1) ARGS... : runs the reference OPA server; sets
# SRV_URL. TLS uses $tmp/certs.
start_opa() {
  local name=$1 tls=$2
  shift 2
  local port
  port=$(free_port)
  local scheme=http
  local tlsargs=()
  if [ "$tls" = 1 ]; then
    scheme=https
    tlsargs=(--tls-cert-file "$tmp/certs/server.pem" --tls-private-key-file "$tmp/certs/server-key.pem")
  fi
  "$OPA" run --server --addr "127.0.0.1:$port" --log-level error "${tlsargs[@]}" "$@" \
    >"$tmp/$name.log" 2>&1 &
  SRV_PIDS+=($!)
  SRV_URL="$scheme://127.0.0.1:$port"
  wait_ready "$name" || return 1
}

# listen_url LOG PID: wait up to 10 s for the `listening on URL` line that
# `gatehouse serve` (output in LOG, process PID) prints once bound, and
# print the URL; fails when PID ends first or no line comes.
listen_url() {
  local u
  for _ in $(seq 1 100); do
    u=$(sed -n 's/.*listening on \(https\{0,1\}:\/\/[^ ]*\).*/\1/p' "$1" 2>/dev/null | head -1)
    if [ -n "$u" ]; then
      echo "$u"
      return 0
    fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_gh NAME TLS(0|1) ARGS... : runs `gatehouse serve --addr 127.0.0.1:0`
# and reads the bound address from its `listening on URL` line; sets SRV_URL.
start_gh() {
  local name=$1 tls=$2
  shift 2
  local tlsargs=()
  if [ "$tls" = 1 ]; then
    tlsargs=(--tls-cert-file "$tmp/certs/server.pem" --tls-private-key-file "$tmp/certs/server-key.pem")
  fi
  "$GH" serve --addr 127.0.0.1:0 "${tlsargs[@]}" "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  SRV_PIDS+=($pid)
  if ! SRV_URL=$(listen_url "$tmp/$name.log" "$pid"); then
    echo "$name: no 'listening on' line; log:" >&2
    cat "$tmp/$name.log" >&2
    return 1
  fi
  wait_ready "$name" || return 1
}

# wait_ready NAME: GET $SRV_URL/health until it answers 200 (10 s).
wait_ready() {
  local name=$1
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null --cacert "$tmp/certs/ca.pem" -w '%{http_code}' "$SRV_URL/health" 2>/dev/null | grep -q 200; then
      return 0
    fi
    sleep 0.1
  done
  echo "$name did not become ready at $SRV_URL; log:" >&2
  cat "$tmp/$name.log" >&2
  return 1
}

# stop_servers: TERM every server this script started, then wait for it.
stop_servers() {
  local p
  for p in "${SRV_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SRV_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  SRV_PIDS=()
}

srv_cleanup() {
  stop_servers
  rm -rf "$tmp"
}

# Checks for the server test scripts: ok/bad count and print one line each,
# expect NAME GOT WANT compares, nodid drops the decision_id of a JSON body
# read on stdin (gatehouse adds one to every decision) and prints it compact
# with sorted keys. The script ends with `echo "$pass passed, $failn failed"`.
pass=0 failn=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { failn=$((failn + 1)); echo "FAIL $1"; }
expect() { # NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got [$2], want [$3]"; fi
}
nodid() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("decision_id",None) if isinstance(d,dict) else None; print(json.dumps(d,sort_keys=True,separators=(",",":")))'; }
