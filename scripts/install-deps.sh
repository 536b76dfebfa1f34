#!/usr/bin/env bash
# Installs every Debian 12 package gatehouse needs to build, test, fuzz and
# benchmark. Idempotent: packages already present are skipped, and apt is
# not touched at all when nothing is missing. Runs as root without stdin;
# as another user it uses sudo when available.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config       # toolchain
  clang llvm libclang-rt-dev             # libFuzzer targets and sanitizer runtimes
  libyaml-dev                            # YAML loader
  libcmocka-dev                          # unit tests
  libjansson-dev                         # JSON benchmark peer (bench/json only)
  libpcre2-dev                           # regex builtins
  libssl-dev                             # TLS, hashing, JOSE
  libcurl4-openssl-dev                   # http.send transport
  libevent-dev                           # server: one event loop per worker thread
  libnghttp2-dev                         # server: HTTP/2 (framing, HPACK, flow control)
  zlib1g-dev                             # server: gzip request bodies
  libxml2-dev                            # check: XML input parser
  libjsonnet-dev                         # check: Jsonnet input parser (C API)
  libarchive-dev                         # OPA bundle archives (.tar.gz: gzip + tar readers)
  tzdata                                 # IANA zones for the time.* builtins (/usr/share/zoneinfo)
  valgrind                               # leak checks
  curl ca-certificates                   # integration tests
  openssl                                # server TLS integration tests (s_client)
  wrk                                    # bench/server load generator (HTTP/1.1)
  nghttp2-client                         # h2load (bench/server, HTTP/2) and nghttp (tests)
  python3                                # bench/rego.sh (stdlib only)
)

# Node.js and npm run the real OPA client in tests/integration (server); the
# machine image usually has them already, Debian's packages otherwise.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-deps: missing packages (${missing[*]}) and not root" >&2
    exit 2
  fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq </dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
