#!/usr/bin/env bash
# What `make run` runs once the build is done: the decision server on the
# built-in policy pack (for /v1/admit) plus examples/policy.rego, on
# 127.0.0.1:8181 (plain HTTP, loopback only: OPA's sidecar address). It waits
# until the server logs that it is listening, prints ready-to-paste curl lines, then
# stays in the foreground until Ctrl-C (SIGINT: graceful shutdown).
#   GATEHOUSE_ADDR=127.0.0.1:9181 make run    # another address
set -euo pipefail
build=${1:-build}
bin="$build/gatehouse"
addr=${GATEHOUSE_ADDR:-127.0.0.1:8181}
url="http://$addr"

"$bin" --version
echo "\$ gatehouse serve --addr $addr examples/policy.rego   (+ the built-in pack)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The server's log goes to the terminal and to $log, where its
# "listening on URL" line says that it is up.
"$bin" serve --addr "$addr" examples/policy.rego 2> >(tee "$log" >&2) &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM

ready=0
for _ in $(seq 1 150); do
  if grep -q "listening on" "$log" 2>/dev/null; then
    ready=1
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" && rc=0 || rc=$?
    echo "gatehouse serve exited (status $rc); is $addr already in use? (GATEHOUSE_ADDR=HOST:PORT make run)" >&2
    exit "$rc"
  fi
  sleep 0.1
done
[ "$ready" = 1 ] || echo "warning: the server has not said it is listening yet" >&2

cat <<EOF

gatehouse is serving on $url - try, from $(pwd):

  curl -s $url/v1/data/examples/deploy -d @examples/input.json
  curl -s $url/v1/admit -d @examples/admission-review.json
  curl -s $url/health
  curl -s $url/metrics | head

Ctrl-C stops the server. docs/server.md has more (TLS, tokens, OPA flags).
EOF

# Stay in the foreground until the server exits (the trap forwards Ctrl-C).
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && rc=0 || rc=$?
done
exit "${rc:-0}"
