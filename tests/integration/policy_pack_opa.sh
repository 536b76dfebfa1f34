#!/usr/bin/env bash
# Runs the built-in policy pack (policies/) under a reference OPA binary:
# `opa check --strict`, `opa test` (every test_ rule must pass), each
# generated Gatekeeper template compiled on its own (its rego + libs only),
# every gator suite.yaml replayed the way `gator verify` reviews a plain object
# (review.kind/object/name/namespace, the constraint's parameters, inventory
# files as data.inventory), and the same cases through the conftest wrappers,
# which must agree. Usage: policy_pack_opa.sh OPA_BIN  (exit 77: skipped, no OPA)
set -u
opa=${1:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "$opa" ] || [ ! -x "$opa" ]; then
  echo "skipped: no OPA binary at '${opa}'"
  exit 77
fi
cd "$root/policies" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

if "$opa" check --strict --ignore '*.yaml' --ignore '*.json' . >"$tmp/check" 2>&1; then
  pass=$((pass + 1))
else
  echo "FAIL: opa check --strict:"; cat "$tmp/check"; fail=$((fail + 1))
fi

"$opa" test --ignore '*.yaml' . >"$tmp/test" 2>&1
rc=$?
summary=$(grep -E '^(PASS|FAIL|ERROR):' "$tmp/test" | tr '\n' ' ')
if [ "$rc" -eq 0 ] && grep -q '^PASS: ' "$tmp/test"; then
  pass=$((pass + 1)); echo "opa test: $summary"
else
  echo "FAIL: opa test (exit $rc): $summary"; grep -E 'FAIL|ERROR|error' "$tmp/test" | head -40
  fail=$((fail + 1))
fi

python3 - "$opa" "$root/policies" "$tmp" <<'PY' >"$tmp/py.out" 2>&1
import json, os, re, subprocess, sys

opa, pack, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
passed = failed = 0
seq = 0

def ok():
    global passed
    passed += 1

def bad(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)

def run(args, what):
    r = subprocess.run([opa] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{what}: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout

def load_yaml(path):
    """YAML file -> JSON value, through OPA's own YAML reader."""
    return json.loads(run(["eval", "-f", "raw", "-i", path, "input"], path))

def newfile(name, text):
    global seq
    seq += 1
    path = os.path.join(tmp, f"{seq}-{name}")
    with open(path, "w") as f:
        f.write(text)
    return path

def inventory(objs):
    inv = {"cluster": {}, "namespace": {}}
    for o in objs:
        ns = o.get("metadata", {}).get("namespace", "")
        where = inv["namespace"].setdefault(ns, {}) if ns else inv["cluster"]
        where.setdefault(o["apiVersion"], {}).setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    return inv

def signatures(inv):
    found = inv["cluster"].get("gatehouse.dev/v1alpha1", {}).get("VerifiedImageSignature", {})
    return {o["spec"]["digest"]: o["spec"] for o in found.values()}

def matches(constraint, obj):
    kinds = constraint.get("spec", {}).get("match", {}).get("kinds")
    if not kinds:
        return True
    api = obj.get("apiVersion", "")
    group = api.split("/")[0] if "/" in api else ""
    return any(obj.get("kind") in k.get("kinds", []) and
               ("*" in k.get("apiGroups", ["*"]) or group in k.get("apiGroups", ["*"]))
               for k in kinds)

def want_yes(assertion):
    v = assertion.get("violations")
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v > 0
    return str(v).lower() in ("yes", "true")

for policy in sorted(os.listdir(os.path.join(pack, "gatekeeper"))):
    here = os.path.join(pack, "gatekeeper", policy)
    suite_path = os.path.join(here, "suite.yaml")
    if not os.path.isfile(suite_path):
        continue
    try:
        suite = load_yaml(suite_path)
    except RuntimeError as e:
        bad(str(e)); continue
    for test in suite.get("tests", []):
        try:
            template = load_yaml(os.path.join(here, test["template"]))
            constraint = load_yaml(os.path.join(here, test["constraint"]))
        except RuntimeError as e:
            bad(str(e)); continue
        target = template["spec"]["targets"][0]
        if target.get("target") != "admission.k8s.gatekeeper.sh":
            bad(f"{policy}: target is {target.get('target')}")
        if template["metadata"]["name"] != template["spec"]["crd"]["spec"]["names"]["kind"].lower():
            bad(f"{policy}: template name must be the lower-cased kind")
        if constraint["kind"] != template["spec"]["crd"]["spec"]["names"]["kind"]:
            bad(f"{policy}: constraint kind {constraint['kind']} does not match the template")
        moddir = os.path.join(tmp, f"mods-{policy}-{test['name']}")
        os.makedirs(moddir, exist_ok=True)
        mods = [target["rego"]] + target.get("libs", [])
        for i, text in enumerate(mods):
            with open(os.path.join(moddir, f"m{i}.rego"), "w") as f:
                f.write(text)
        # Gatekeeper libs must live under data.lib; the template is self-contained.
        for text in target.get("libs", []):
            pkg = re.search(r"^package\s+(\S+)", text, re.M).group(1)
            if not pkg.startswith("lib."):
                bad(f"{policy}: lib package {pkg} is not under lib.")
        try:
            run(["check", "--strict", moddir], f"{policy}: template rego + libs do not compile alone")
            ok()
        except RuntimeError as e:
            bad(str(e)); continue
        pkg = re.search(r"^package\s+(\S+)", target["rego"], re.M).group(1)
        params = constraint.get("spec", {}).get("parameters")
        for case in test.get("cases", []):
            label = f"{policy}/{test['name']}/{case['name']}"
            try:
                obj = load_yaml(os.path.join(here, case["object"]))
                inv_objs = [load_yaml(os.path.join(here, p)) for p in case.get("inventory", [])]
            except RuntimeError as e:
                bad(f"{label}: {e}"); continue
            inv = inventory(inv_objs)
            api = obj.get("apiVersion", "")
            review = {
                "kind": {"group": api.split("/")[0] if "/" in api else "",
                         "version": api.split("/")[-1], "kind": obj.get("kind", "")},
                "object": obj,
                "name": obj.get("metadata", {}).get("name", ""),
                "namespace": obj.get("metadata", {}).get("namespace", ""),
            }
            gk_input = {"review": review}
            if params is not None:
                gk_input["parameters"] = params
            inp = newfile("input.json", json.dumps(gk_input))
            dat = newfile("data.json", json.dumps({"inventory": inv}))
            try:
                out = json.loads(run(["eval", "-f", "json", "-d", moddir, "-d", dat, "-i", inp,
                                      f"data.{pkg}.violation"], label))
            except RuntimeError as e:
                bad(str(e)); continue
            got = out["result"][0]["expressions"][0]["value"] if out.get("result") else []
            if not matches(constraint, obj):
                got = []
            for a in case.get("assertions", []):
                want = want_yes(a)
                if (len(got) > 0) == want:
                    ok()
                else:
                    bad(f"{label}: gatekeeper violations {len(got)}, want {'some' if want else 'none'}: "
                        + "; ".join(v.get("msg", "") for v in got))
            # The conftest wrapper must reach the same verdict on the same case.
            data = {"inventory": inv,
                    "gatehouse": {"params": {policy: params or {}}, "signatures": signatures(inv)}}
            dat2 = newfile("data.json", json.dumps(data))
            inp2 = newfile("input.json", json.dumps(obj))
            try:
                out = json.loads(run(["eval", "-f", "json", "-d", os.path.join(pack, "lib"),
                                      "-d", os.path.join(pack, "check"), "-d", dat2, "-i", inp2,
                                      "--ignore", "*_test.rego",
                                      f"data.gatehouse.check.{policy}.deny"], label))
            except RuntimeError as e:
                bad(str(e)); continue
            denies = out["result"][0]["expressions"][0]["value"] if out.get("result") else []
            if not matches(constraint, obj):
                continue
            for a in case.get("assertions", []):
                want = want_yes(a)
                if (len(denies) > 0) == want:
                    ok()
                else:
                    bad(f"{label}: conftest deny {len(denies)}, want {'some' if want else 'none'}: "
                        + "; ".join(denies))
print(f"py: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
prc=$?
cat "$tmp/py.out"
p=$(sed -n 's/^py: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/py.out")
f=$(sed -n 's/^py: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/py.out")
if [ -z "$p" ] || [ "$prc" -gt 1 ]; then
  fail=$((fail + 1))
else
  pass=$((pass + p)); fail=$((fail + f))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
