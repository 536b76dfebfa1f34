#!/usr/bin/env bash
# Rego evaluation speed: `gatehouse bench` against `opa bench` (OPA 0.61 from
# ../shared/peers) on the same policy, input and query, in the same run.
#  1. every Gatekeeper library template (../shared/corpora/gatekeeper-library):
#     its Rego (v0) + libs, the constraint parameters and example object of
#     its first sample that has one (a disallowed example when there is one),
#     wrapped as Gatekeeper's review input; query data.<pkg>.violation. Both
#     engines' results are compared too ("same result").
#  2. a micro-suite: rule indexing over 1,000 rules, deep comprehensions,
#     walk() over a 10k-node input, a partial set over a 10k array.
#  3. the hand-written cases in bench/rego/ (k8s, rbac, routes).
# Prints each ratio (OPA ns/op / gatehouse ns/op; > 1 means gatehouse is
# faster) and ends with `geomean ratio: X.XX, worst: NAME X.XX`.
# Usage: bench/rego.sh [BUILD_DIR] (default build). Needs python3 (stdlib).
# GH_BENCHTIME (default 0.2s) sets gatehouse's per-case time; OPA 0.61 has no
# such flag and always runs Go's default 1s. REGO_BENCH_FILTER=REGEX limits
# the cases by name.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
case "$build" in /*) gh="$build/gatehouse" ;; *) gh="$PWD/$build/gatehouse" ;; esac
opa="$PWD/../shared/peers/opa-0.61.0/opa"
lib="$PWD/../shared/corpora/gatekeeper-library"
benchtime=${GH_BENCHTIME:-0.2s}
filter=${REGO_BENCH_FILTER:-}
if [ ! -x "$gh" ]; then
  echo "rego.sh: $gh not built" >&2
  exit 1
fi
if [ ! -x "$opa" ]; then
  echo "rego.sh: $opa missing (the OPA peer binary); nothing to compare against" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "rego.sh: python3 needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- case preparation ---------------------------------------------------------------
# Each case is a directory: policy/ (modules), input.json, query, flags
# (gatehouse's syntax flag; OPA gets --v1-compatible for v1 cases).

if [ -d "$lib" ]; then
  for t in "$lib"/general/*/template.yaml "$lib"/pod-security-policy/*/template.yaml; do
    [ -f "$t" ] || continue
    name=$(basename "$(dirname "$t")")
    d="$tmp/cases/gk-$name"
    mkdir -p "$d/policy"
    "$gh" parse --parser yaml "$t" >"$d/template.json" || { rm -rf "$d"; continue; }
    # the first sample (sorted) holding an example object: a *disallowed* one
    # if there is one, else any other manifest beside constraint.yaml
    sample="" ex=""
    for s in $(find "$(dirname "$t")/samples" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort); do
      [ -f "$s/constraint.yaml" ] || continue
      ex=$(ls "$s" | grep -v '^constraint.yaml$' | grep -E '\.ya?ml$' | grep disallowed | sort | head -1 || true)
      [ -n "$ex" ] || ex=$(ls "$s" | grep -v '^constraint.yaml$' | grep -E '\.ya?ml$' | sort | head -1 || true)
      if [ -n "$ex" ]; then sample=$s; break; fi
    done
    [ -n "$sample" ] || { echo "rego.sh: $name has no sample object; skipped" >&2; rm -rf "$d"; continue; }
    "$gh" parse --parser yaml "$sample/constraint.yaml" >"$d/constraint.json"
    "$gh" parse --parser yaml "$sample/$ex" >"$d/object.json"
    python3 - "$d" <<'PY' || rm -rf "$d"
import json, os, re, sys
d = sys.argv[1]
tmpl = json.load(open(os.path.join(d, "template.json")))
con = json.load(open(os.path.join(d, "constraint.json")))
obj = json.load(open(os.path.join(d, "object.json")))
if isinstance(obj, list):  # a multi-document example: review the first object
    obj = obj[0]
target = tmpl["spec"]["targets"][0]
# the Rego is spec.targets[0].rego (+ libs), or in newer templates a
# code[] entry with engine Rego (beside a CEL one)
for c in target.get("code") or []:
    if c.get("engine") == "Rego" and not target.get("rego"):
        target = c.get("source") or {}
rego = target.get("rego")
if not rego:
    print("rego.sh: %s has no Rego; skipped" % d, file=sys.stderr)
    sys.exit(1)
pkg = re.search(r"^package\s+([\w.]+)", rego, re.M).group(1)
open(os.path.join(d, "policy", "src.rego"), "w").write(rego)
for i, l in enumerate(target.get("libs") or []):
    open(os.path.join(d, "policy", "lib%d.rego" % i), "w").write(l)
api = obj.get("apiVersion", "v1")
group, _, version = api.rpartition("/")
meta = obj.get("metadata") or {}
review = {
    "kind": {"group": group, "version": version, "kind": obj.get("kind", "")},
    "name": meta.get("name", ""),
    "namespace": meta.get("namespace", ""),
    "operation": "CREATE",
    "object": obj,
    "userInfo": {"username": "admin", "groups": ["system:masters"]},
}
params = (con.get("spec") or {}).get("parameters") or {}
json.dump({"review": review, "parameters": params}, open(os.path.join(d, "input.json"), "w"))
open(os.path.join(d, "query"), "w").write("data.%s.violation" % pkg)
open(os.path.join(d, "flags"), "w").write("--v0-compatible")
PY
  done
else
  echo "rego.sh: $lib missing; only the micro-suite runs" >&2
fi

# micro-suite (Rego v1)
python3 - "$tmp/cases" <<'PY'
import json, os, sys
root = sys.argv[1]
def case(name, rego, inp, query):
    d = os.path.join(root, "micro-" + name)
    os.makedirs(os.path.join(d, "policy"), exist_ok=True)
    open(os.path.join(d, "policy", "p.rego"), "w").write(rego)
    json.dump(inp, open(os.path.join(d, "input.json"), "w"))
    open(os.path.join(d, "query"), "w").write(query)
    open(os.path.join(d, "flags"), "w").write("--v1-compatible")

rules = "".join('allow if input.x == "k%d"\n' % i for i in range(1000))
case("index-1000-rules", "package idx\n\n" + rules, {"x": "k777"}, "data.idx.allow")

case("deep-comprehension",
     "package compr\n\n"
     "r := numbers.range(1, 20)\n\n"
     "cube := [[[x | some k in r; x := (i * j) * k] | some j in r] | some i in r]\n\n"
     "total := sum([s | some plane in cube; some row in plane; s := sum(row)])\n",
     {}, "data.compr.total")

def tree(n):
    # a nested object/array document with about n nodes
    items = []
    for i in range(n // 10):
        items.append({"name": "item-%d" % i, "labels": {"a": str(i), "b": i % 7},
                      "ports": [i, i + 1, i + 2], "ok": i % 3 == 0})
    return {"items": items}
case("walk-10k", "package w\n\nn := count([v | walk(input, [_, v])])\n", tree(10000), "data.w.n")

arr = [{"id": "id-%d" % i, "v": i % 10} for i in range(10000)]
case("partial-set-10k",
     "package m\n\nbig contains x.id if {\n\tsome x in input.items\n\tx.v > 4\n}\n\nn := count(big)\n",
     {"items": arr}, "data.m.n")
PY

# the hand-written cases in bench/rego/ (NAME.rego, NAME.json data, NAME_input.json):
# the query is data.<pkg>.deny when the policy has deny rules, else data.<pkg>.allow
for r in bench/rego/*.rego; do
  [ -f "$r" ] || continue
  n=$(basename "$r" .rego)
  d="$tmp/cases/suite-$n"
  mkdir -p "$d/policy"
  cp "$r" "$d/policy/"
  [ -f "bench/rego/$n.json" ] && cp "bench/rego/$n.json" "$d/policy/data.json"
  if [ -f "bench/rego/${n}_input.json" ]; then cp "bench/rego/${n}_input.json" "$d/input.json"; else echo '{}' >"$d/input.json"; fi
  pkg=$(sed -n 's/^package[[:space:]]\+\([A-Za-z0-9_.]*\).*/\1/p' "$r" | head -1)
  rule=allow
  grep -q '^deny' "$r" && rule=deny
  echo "data.$pkg.$rule" >"$d/query"
  echo "--v1-compatible" >"$d/flags"
done

# ---- running --------------------------------------------------------------------------
ns_per_op() { # json on stdin -> ns/op
  python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.1f" % (r["T"]/r["N"]))'
}
results="$tmp/results"
: >"$results"
printf '%-44s %12s %12s %8s  %s\n' case "opa ns/op" "gh ns/op" ratio "same result"
for d in "$tmp"/cases/*/; do
  d=${d%/}
  name=$(basename "$d")
  if [ -n "$filter" ] && ! [[ "$name" =~ $filter ]]; then continue; fi
  q=$(cat "$d/query")
  flag=$(cat "$d/flags")
  oflag=()
  [ "$flag" = "--v1-compatible" ] && oflag=(--v1-compatible)
  # same answer from both engines?
  same=no
  if "$gh" eval $flag -d "$d/policy" -i "$d/input.json" -f json "$q" >"$d/gh.eval" 2>/dev/null &&
     "$opa" eval "${oflag[@]}" -d "$d/policy" -i "$d/input.json" -f json "$q" >"$d/opa.eval" 2>/dev/null; then
    python3 - "$d/gh.eval" "$d/opa.eval" <<'PY' && same=yes
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
val = lambda r: [e["value"] for x in r.get("result", []) for e in x["expressions"]]
sys.exit(0 if val(a) == val(b) else 1)
PY
  fi
  if ! "$gh" bench $flag -d "$d/policy" -i "$d/input.json" -f json -t "$benchtime" --fail=false "$q" \
       >"$d/gh.json" 2>"$d/gh.err"; then
    printf '%-44s %12s %12s %8s  %s\n' "$name" - "error" - "$(head -c 100 "$d/gh.json" | tr '\n' ' ')"
    continue
  fi
  if ! "$opa" bench "${oflag[@]}" -d "$d/policy" -i "$d/input.json" -f json --fail=false "$q" \
       >"$d/opa.json" 2>"$d/opa.err"; then
    printf '%-44s %12s %12s %8s  %s\n' "$name" "error" - - "$(head -c 100 "$d/opa.json" | tr '\n' ' ')"
    continue
  fi
  g=$(ns_per_op <"$d/gh.json")
  o=$(ns_per_op <"$d/opa.json")
  ratio=$(python3 -c "print('%.2f' % ($o / max($g, 0.001)))")
  printf '%-44s %12s %12s %8s  %s\n' "$name" "$o" "$g" "$ratio" "$same"
  echo "$name $ratio" >>"$results"
done

python3 - "$results" <<'PY'
import math, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
if not rows:
    print("geomean ratio: n/a (no case ran)")
    sys.exit(1)
rs = [(n, float(r)) for n, r in rows]
g = math.exp(sum(math.log(max(r, 1e-9)) for _, r in rs) / len(rs))
worst = min(rs, key=lambda x: x[1])
print("cases: %d" % len(rs))
print("geomean ratio: %.2f, worst: %s %.2f" % (g, worst[0], worst[1]))
PY
