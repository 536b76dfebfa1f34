#!/usr/bin/env bash
# gen_expect.sh - record OPA's answers for the differential builtin tests.
#
# Each tests/differential/<family>.txt holds one Rego expression per line
# (blank lines and lines starting with '#' are skipped). For every line this
# script runs `opa eval -f json --strict-builtin-errors 'x := <expr>'` and
# writes one JSON object per line to <family>.expect:
#   {"expr": "<expr>", "value": <x as OPA printed it>}
#   {"expr": "<expr>", "error_code": "<code>", "error": "<message>"}
#   {"expr": "<expr>", "undefined": true}
# Numbers are copied byte for byte from OPA's output (no float round trip).
#
# Rerun by hand when lines change; gatehouse never needs OPA at runtime.
# Usage: tests/differential/gen_expect.sh [family...]   (default: every .txt)
# Env:   OPA=/path/to/opa (default: ../shared/peers/opa-0.61.0/opa)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
opa="${OPA:-$here/../../../shared/peers/opa-0.61.0/opa}"
if [[ ! -x "$opa" ]]; then
    echo "gen_expect.sh: OPA binary not found at $opa (set OPA=...)" >&2
    exit 2
fi

families=("$@")
if [[ ${#families[@]} -eq 0 ]]; then
    for f in "$here"/*.txt; do families+=("$(basename "$f" .txt)"); done
fi

for fam in "${families[@]}"; do
    in="$here/$fam.txt"
    out="$here/$fam.expect"
    [[ -f "$in" ]] || { echo "gen_expect.sh: no $in" >&2; exit 2; }
    tmp="$(mktemp)"
    n=0
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ -z "${line// }" || "$line" == \#* ]] && continue
        res="$("$opa" eval -f json --strict-builtin-errors "x := $line" 2>&1 || true)"
        EXPR="$line" RES="$res" python3 - >>"$tmp" <<'PY'
import json, os

class Raw:
    def __init__(self, s): self.s = s

def dump(v):
    # Re-serialise compactly, keeping number literals exactly as OPA wrote them.
    if isinstance(v, Raw): return v.s
    if v is None: return "null"
    if v is True: return "true"
    if v is False: return "false"
    if isinstance(v, str): return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list): return "[" + ",".join(dump(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dump(x)
                              for k, x in v.items()) + "}"
    raise TypeError(type(v))

expr, res = os.environ["EXPR"], os.environ["RES"]
head = "{\"expr\":" + json.dumps(expr, ensure_ascii=False)
try:
    doc = json.loads(res, parse_float=Raw, parse_int=Raw)
except ValueError:
    msg = res.strip().splitlines()[0] if res.strip() else "no output"
    print(head + ",\"error_code\":\"opa_failure\",\"error\":" + json.dumps(msg) + "}")
    raise SystemExit(0)
if doc.get("errors"):
    e = doc["errors"][0]
    print(head + ",\"error_code\":" + json.dumps(e.get("code", "")) +
          ",\"error\":" + json.dumps(e.get("message", ""), ensure_ascii=False) + "}")
elif doc.get("result"):
    print(head + ",\"value\":" + dump(doc["result"][0]["bindings"]["x"]) + "}")
else:
    print(head + ",\"undefined\":true}")
PY
        n=$((n + 1))
    done <"$in"
    mv "$tmp" "$out"
    echo "$fam: $n lines -> $(basename "$out")"
done
