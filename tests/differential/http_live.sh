#!/usr/bin/env bash
# http_live.sh - by-hand differential check of http.send against OPA: starts
# a local HTTP server on 127.0.0.1 (ephemeral port), sends every request of
# http_live.txt through `opa eval` and `gatehouse eval --allow-net`, and
# compares the results (Date headers, the echoed User-Agent/header order and
# lengths, which differ by design, are normalised). Not run in CI: it needs
# the OPA binary. Known differences: raise_error=false internal errors lack
# OPA's location prefix; /cache counts server hits, so it differs on reruns.
# Usage: tests/differential/http_live.sh path/to/gatehouse
# Env:   OPA=/path/to/opa (default: ../shared/peers/opa-0.61.0/opa)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gh="${1:?usage: http_live.sh path/to/gatehouse}"
opa="${OPA:-$here/../../../shared/peers/opa-0.61.0/opa}"
[[ -x "$opa" ]] || { echo "http_live.sh: no OPA at $opa" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat >"$tmp/srv.py" <<'PY'
import http.server, json, sys, time, gzip, urllib.parse
hits = {}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body=b"", ctype=None, extra=()):
        self.send_response(code)
        if ctype: self.send_header("Content-Type", ctype)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def handle_any(self):
        u = urllib.parse.urlparse(self.path); q = dict(urllib.parse.parse_qsl(u.query))
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        p = u.path
        hits[p] = hits.get(p, 0) + 1
        if p == "/json": return self.send(200, b'{"a": 1, "b": [true, null]}', "application/json; charset=utf-8")
        if p == "/badjson": return self.send(200, b'{"a": ', "application/json")
        if p == "/yaml": return self.send(200, b'a: 1\nb: [x, yes]\n', "application/x-yaml")
        if p == "/text": return self.send(200, b'{"a": 1}', "text/plain")
        if p.startswith("/status/"): return self.send(int(p[8:]), b'status', "text/plain")
        if p == "/slow": time.sleep(float(q.get("s", "2"))); return self.send(200, b"late")
        if p == "/echo":
            d = {"method": self.command, "path": self.path,
                 "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode()}
            return self.send(200, json.dumps(d).encode(), "application/json")
        if p == "/redirect": return self.send(int(q.get("code", "302")), b"", None, [("Location", q.get("to", "/json"))])
        if p == "/cache": return self.send(200, json.dumps({"n": hits[p]}).encode(), "application/json",
                                           [("Cache-Control", "max-age=60"), ("Date", self.date_time_string())])
        if p == "/multi": return self.send(200, b"x", "text/plain", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Mixed-Case", "v")])
        if p == "/gzip": return self.send(200, gzip.compress(b'{"z": 1}'), "application/json", [("Content-Encoding", "gzip")])
        if p == "/noreason": self.wfile.write(b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok"); return
        return self.send(404, b"nf", "text/plain")
    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$tmp/srv.py" >"$tmp/port" 2>/dev/null &
srv=$!
for _ in $(seq 50); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
P="http://127.0.0.1:$(cat "$tmp/port")"
norm() {
    python3 -c '
import json, sys
d = json.load(sys.stdin)
def scrub(x):
    if isinstance(x, dict):
        h = x.get("headers")
        if isinstance(h, dict) and "date" in h: h["date"] = ["<date>"]
        b = x.get("body")
        if isinstance(b, dict) and "path" in b and isinstance(b.get("headers"), dict):
            x["raw_body"] = "<echo>"; x["headers"]["content-length"] = ["<n>"]
            b["headers"]["user-agent"] = "<ua>"
if "result" in d:
    v = d["result"][0]["expressions"][0]["value"]; scrub(v); print(json.dumps(v, sort_keys=True))
elif "errors" in d:
    e = d["errors"][0]; print(json.dumps({"code": e["code"], "message": e["message"]}))
else:
    print(json.dumps(d))'
}
pass=0; fail=0
while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "${line// }" || "$line" == \#* ]] && continue
    r="${line//\$P/$P}"
    a="$({ "$opa" eval -f json --strict-builtin-errors "http.send($r)" 2>&1 || true; } | norm)"
    b="$({ "$gh" eval -f json --allow-net --strict-builtin-errors "http.send($r)" 2>&1 || true; } | norm)"
    if [[ "$a" == "$b" ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "DIFF $r"; echo "  opa:       ${a:0:400}"; echo "  gatehouse: ${b:0:400}"; fi
done <"$here/http_live.txt"
echo "http_live: $pass same, $fail different"
