#!/usr/bin/env python3
"""gen_rtexpect.py - companion to gen_expect.sh for builtin operand errors.

OPA's type checker rejects a call like upper(1) at compile time
("rego_type_error: upper: invalid argument(s)"), which hides the runtime
message the builtin itself produces. For every such line of
<family>.expect, this script evaluates the call again with each argument
hidden behind object.get({}, "_", ARG) (typed `any`), so the builtin runs
and reports its own eval_type_error / eval_builtin_error, and writes those
answers to <family>.rtexpect (same JSON-lines shape as .expect).

Usage: tests/differential/gen_rtexpect.py family...   (run by hand)
Env:   OPA=/path/to/opa (default: ../shared/peers/opa-0.61.0/opa)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OPA = os.environ.get("OPA", os.path.join(HERE, "../../../shared/peers/opa-0.61.0/opa"))


def split_call(expr):
    """'name(a, b)' -> ('name', ['a', 'b']) splitting on top-level commas."""
    lp = expr.index("(")
    name, body = expr[:lp], expr[lp + 1:expr.rindex(")")]
    args, depth, cur, instr, esc = [], 0, "", False, False
    for ch in body:
        if instr:
            cur += ch
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                instr = False
            continue
        if ch == '"':
            instr = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        args.append(cur.strip())
    return name, args


def run(expr):
    res = subprocess.run([OPA, "eval", "-f", "json", "--strict-builtin-errors", "x := " + expr],
                         capture_output=True, text=True)
    doc = json.loads(res.stdout or res.stderr)
    if doc.get("errors"):
        e = doc["errors"][0]
        return {"error_code": e.get("code", ""), "error": e.get("message", "")}
    if doc.get("result"):
        return {"value": doc["result"][0]["bindings"]["x"]}
    return {"undefined": True}


def main():
    for fam in sys.argv[1:]:
        out = []
        with open(os.path.join(HERE, fam + ".expect"), encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                if e.get("error_code") != "rego_type_error":
                    continue
                name, args = split_call(e["expr"])
                dyn = "%s(%s)" % (name, ", ".join('object.get({}, "_", %s)' % a for a in args))
                r = run(dyn)
                r = dict({"expr": e["expr"]}, **r)
                out.append(json.dumps(r, ensure_ascii=False))
        with open(os.path.join(HERE, fam + ".rtexpect"), "w", encoding="utf-8") as f:
            f.write("\n".join(out) + ("\n" if out else ""))
        print("%s: %d operand-error lines -> %s.rtexpect" % (fam, len(out), fam))


main()
