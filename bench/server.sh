#!/usr/bin/env bash
# Decision server throughput: wrk over TLS 1.3 keep-alive against `gatehouse
# serve` and against the reference `opa run --server` (OPA 0.61 from
# ../shared/peers) in the same run, same certificate, same policy files, same
# load (wrk -t2 -c32 for $BENCH_DURATION, default 10s, after a 2 s warm-up).
#  1. small:     POST /v1/data/bench/allow, a one-line rule on the input
#  2. admission: POST /v1/data/admission/deny with the AdmissionReview of
#                ../shared/vectors/admissionreview-pod.json as input (the same
#                Rego Pod checks on both; OPA has no /v1/admit)
#  3. /v1/admit: gatehouse alone, the same AdmissionReview through the
#                Gatekeeper model + built-in pack (no OPA equivalent)
#  4. paced:     the small decision paced to about 5k req/s (wrk has no fixed
#                rate and wrk2 is not in Debian: 17 connections each waiting
#                3 ms between requests; the achieved rate is printed)
#  5. h2load:    1 and 2 again with h2load -c16 -m32 (nghttp2-client), the
#                same command line for both: gatehouse answers over h2 (32
#                streams per connection), OPA 0.61, which offers no h2 over
#                TLS, over HTTP/1.1 with 32 pipelined requests; OPA's
#                cleartext h2 (--h2c) is measured as a third line.
# Prints decisions/s, p50/p99 (wrk --latency; h2load gives mean and max),
# each server's CPU time per decision (from /proc/PID/stat) and the ratios
# gatehouse/OPA.
# NOTE: the servers and wrk share this machine's cores (2 on the CI box), so
# absolute figures are lower than on a dedicated server; the ratio is what
# compares. Usage: bench/server.sh [BUILD_DIR] (default build).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
case "$build" in /*) GH="$build/gatehouse" ;; *) GH="$PWD/$build/gatehouse" ;; esac
OPA="$PWD/../shared/peers/opa-0.61.0/opa"
review="$PWD/../shared/vectors/admissionreview-pod.json"
dur=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
command -v wrk >/dev/null || { echo "server.sh: wrk not installed" >&2; exit 1; }
[ -x "$GH" ] || { echo "server.sh: $GH not built" >&2; exit 1; }
tmp=$(mktemp -d)
. "$PWD/tests/integration/server/lib.sh"
trap srv_cleanup EXIT
make_certs "$tmp/certs" || { echo "server.sh: openssl failed" >&2; exit 1; }
policy=("$PWD/bench/server/small.rego" "$PWD/bench/server/admission.rego")
printf '{"input":{"user":"alice"}}' >"$tmp/small.json"
python3 -c 'import json,sys; print(json.dumps({"input": json.load(open(sys.argv[1]))}))' "$review" >"$tmp/adm.json"
cp "$review" "$tmp/review.json"

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# run_wrk URL BODY DELAY_MS CONNS PID -> "rps p50 p99 non2xx cpu_us_per_req"
# (latencies in ms; DELAY_MS and CONNS may be empty; the server's CPU time
# per request is measured from /proc/PID/stat over the timed run)
run_wrk() {
  local url=$1 body=$2 delay=${3:-} c=${4:-$conns} pid=$5
  WRK_BODY_FILE=$body WRK_DELAY_MS=$delay wrk -t"$threads" -c"$c" -d2s -s bench/server/post.lua "$url" >/dev/null 2>&1
  local t0 t1
  t0=$(cpu_ticks "$pid")
  WRK_BODY_FILE=$body WRK_DELAY_MS=$delay wrk -t"$threads" -c"$c" -d"$dur" --latency \
    -s bench/server/post.lua "$url" >"$tmp/wrk.out" 2>&1
  t1=$(cpu_ticks "$pid")
  python3 - "$tmp/wrk.out" "$((t1 - t0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
n = re.search(r"(\d+) requests in", t)
p50 = re.search(r"^\s+50%\s+(\S+)", t, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", t, re.M)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
errs = re.search(r"Socket errors:.*", t)
if not (rps and p50 and p99 and n):
    print("0 0 0 wrk-failed 0"); sys.exit()
cpu = ticks / hz * 1e6 / max(int(n.group(1)), 1)
print("%.0f %.3f %.3f %s%s %.1f" % (float(rps.group(1)), ms(p50.group(1)), ms(p99.group(1)),
      bad.group(1) if bad else "0", "" if not errs else "+sockerr", cpu))
PY
}

# check URL BODY WANT: one request must answer WANT (a substring), or the
# figures would measure errors
check() {
  local got
  got=$(curl -sS --cacert "$tmp/certs/ca.pem" -X POST -H 'Content-Type: application/json' \
        --data-binary @"$2" "$1" 2>&1)
  if [[ "$got" != *"$3"* ]]; then echo "server.sh: $1 answered: ${got:0:300}" >&2; return 1; fi
}

line() { # LABEL "rps p50 p99 bad cpu"
  read -r rps p50 p99 bad cpu <<<"$2"
  printf '%-34s %9s dec/s   p50 %7s ms   p99 %7s ms   server CPU %6s us/dec' "$1" "$rps" "$p50" "$p99" "$cpu"
  [ "$bad" = 0 ] || printf '   (non-2xx: %s)' "$bad"
  printf '\n'
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b else 'n/a')" "$1" "$2"; }

echo "bench/server: wrk -t$threads -c$conns -d$dur over TLS 1.3 keep-alive, $(nproc) cores shared by servers and wrk; load average before: $(cut -d" " -f1-3 /proc/loadavg)"
declare -A R
# both servers run for the whole script; each scenario measures OPA and then
# gatehouse back to back, so a change in the machine's background load hits
# both figures of a ratio alike
if [ -x "$OPA" ]; then
  start_opa opa 1 --min-tls-version 1.3 "${policy[@]}" || exit 1
  opa_url=$SRV_URL
  opa_pid=${SRV_PIDS[-1]}
  check "$opa_url/v1/data/bench/allow" "$tmp/small.json" '"result":true' || exit 1
  check "$opa_url/v1/data/admission/deny" "$tmp/adm.json" 'not from the allowed registry' || exit 1
else
  opa_url=""
  echo "server.sh: $OPA missing: gatehouse figures only"
fi
start_gh gh 1 --access-log=false "${policy[@]}" || exit 1
gh_url=$SRV_URL
gh_pid=${SRV_PIDS[-1]}
check "$gh_url/v1/data/bench/allow" "$tmp/small.json" '"result":true' || exit 1
check "$gh_url/v1/data/admission/deny" "$tmp/adm.json" 'not from the allowed registry' || exit 1

# scenario KEY LABEL PATH BODY [DELAY CONNS]
scenario() {
  local key=$1 label=$2 path=$3 body=$4 delay=${5:-} c=${6:-}
  if [ -n "$opa_url" ]; then
    R[opa_$key]=$(run_wrk "$opa_url$path" "$body" "$delay" "$c" "$opa_pid")
    line "opa       $label" "${R[opa_$key]}"
  fi
  R[gh_$key]=$(run_wrk "$gh_url$path" "$body" "$delay" "$c" "$gh_pid")
  line "gatehouse $label" "${R[gh_$key]}"
}
scenario small "small" /v1/data/bench/allow "$tmp/small.json"
scenario adm "admission (data API)" /v1/data/admission/deny "$tmp/adm.json"
scenario paced "small paced ~5k/s" /v1/data/bench/allow "$tmp/small.json" 3 17
if check "$gh_url/v1/admit" "$tmp/review.json" '"response"'; then
  R[gh_admit]=$(run_wrk "$gh_url/v1/admit" "$tmp/review.json" "" "" "$gh_pid")
  line "gatehouse /v1/admit (no OPA peer)" "${R[gh_admit]}"
fi
# ---- h2load: the same command line against both servers; ALPN picks each
# server's best protocol (gatehouse: h2, N concurrent streams per
# connection; OPA 0.61 offers no h2 over TLS, so h2load sends it N pipelined
# HTTP/1.1 requests per connection). OPA's cleartext HTTP/2 (--h2c) is
# measured too, as the best OPA serves over HTTP/2 at all.
if command -v h2load >/dev/null; then
  # run_h2load URL BODY PID -> "rps mean_ms max_ms errors cpu_us proto"
  run_h2load() {
    local url=$1 body=$2 pid=$3 t0 t1
    h2load -t"$threads" -c"$H2_CONNS" -m"$H2_STREAMS" -D 2 -d "$body" -H 'content-type: application/json' "$url" >/dev/null 2>&1
    t0=$(cpu_ticks "$pid")
    h2load -t"$threads" -c"$H2_CONNS" -m"$H2_STREAMS" -D "${dur%s}" -d "$body" -H 'content-type: application/json' "$url" >"$tmp/h2.out" 2>&1
    t1=$(cpu_ticks "$pid")
    python3 - "$tmp/h2.out" "$((t1 - t0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
def ms(v, u):
    v = float(v); return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", t)
done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", t)
st = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", t)
lat = re.search(r"time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)", t)
proto = re.search(r"Application protocol: (\S+)", t)
if not (rps and done and st and lat):
    print("0 0 0 h2load-failed 0 -"); sys.exit()
bad = int(st.group(3)) + int(st.group(4)) + int(done.group(1)) - int(done.group(2))
cpu = ticks / hz * 1e6 / max(int(done.group(1)), 1)
print("%.0f %.3f %.3f %d %.1f %s" % (float(rps.group(1)), ms(lat.group(5), lat.group(6)),
      ms(lat.group(3), lat.group(4)), bad, cpu, proto.group(1) if proto else "?"))
PY
  }
  h2line() { # LABEL "rps mean max errors cpu proto"
    read -r rps mean max bad cpu proto <<<"$2"
    printf '%-40s %9s dec/s   mean %6s ms   max %7s ms   server CPU %6s us/dec   %s' "$1" "$rps" "$mean" "$max" "$cpu" "$proto"
    [ "$bad" = 0 ] || printf '   (errors/non-2xx: %s)' "$bad"
    printf '\n'
  }
  H2_CONNS=${BENCH_H2_CONNECTIONS:-16}
  H2_STREAMS=${BENCH_H2_STREAMS:-32}
  echo "h2load -t$threads -c$H2_CONNS -m$H2_STREAMS -D$dur over TLS 1.3 (the same command for both servers)"
  h2c_url=""
  if [ -n "$opa_url" ]; then
    start_opa opa-h2c 0 --h2c "${policy[@]}" && { h2c_url=$SRV_URL; h2c_pid=${SRV_PIDS[-1]}; }
  fi
  for sc in "small|/v1/data/bench/allow|$tmp/small.json" "admission (data API)|/v1/data/admission/deny|$tmp/adm.json"; do
    IFS='|' read -r label path body <<<"$sc"
    key=h2_${label%% *}
    if [ -n "$opa_url" ]; then
      R[opa_$key]=$(run_h2load "$opa_url$path" "$body" "$opa_pid")
      h2line "opa       $label" "${R[opa_$key]}"
    fi
    if [ -n "$h2c_url" ]; then
      R[opac_$key]=$(run_h2load "$h2c_url$path" "$body" "$h2c_pid")
      h2line "opa h2c   $label (plain)" "${R[opac_$key]}"
    fi
    R[gh_$key]=$(run_h2load "$gh_url$path" "$body" "$gh_pid")
    h2line "gatehouse $label" "${R[gh_$key]}"
  done
else
  echo "server.sh: h2load (nghttp2-client) not installed: no HTTP/2 figures"
fi
stop_servers

if [ -n "${R[opa_small]:-}" ]; then
  echo "wrk, HTTP/1.1 on both:"
  echo "ratio small (gatehouse/opa dec/s):     $(ratio "${R[gh_small]%% *}" "${R[opa_small]%% *}")"
  echo "ratio admission (gatehouse/opa dec/s): $(ratio "${R[gh_adm]%% *}" "${R[opa_adm]%% *}")"
  # CPU per decision does not depend on how wrk and the servers share the cores
  echo "ratio small CPU/dec (opa/gatehouse):     $(ratio "${R[opa_small]##* }" "${R[gh_small]##* }")"
  echo "ratio admission CPU/dec (opa/gatehouse): $(ratio "${R[opa_adm]##* }" "${R[gh_adm]##* }")"
fi
if [ -n "${R[opa_h2_small]:-}" ] && [ -n "${R[gh_h2_small]:-}" ]; then
  echo "h2load (gatehouse h2 over TLS, OPA http/1.1 pipelined over TLS):"
  echo "ratio small (gatehouse/opa dec/s):     $(ratio "${R[gh_h2_small]%% *}" "${R[opa_h2_small]%% *}")"
  echo "ratio admission (gatehouse/opa dec/s): $(ratio "${R[gh_h2_admission]%% *}" "${R[opa_h2_admission]%% *}")"
  if [ -n "${R[opac_h2_small]:-}" ]; then
    echo "ratio small vs OPA h2c (gatehouse h2 over TLS / OPA h2 cleartext):     $(ratio "${R[gh_h2_small]%% *}" "${R[opac_h2_small]%% *}")"
    echo "ratio admission vs OPA h2c (gatehouse h2 over TLS / OPA h2 cleartext): $(ratio "${R[gh_h2_admission]%% *}" "${R[opac_h2_admission]%% *}")"
  fi
fi
