#!/usr/bin/env python3
"""diff.py - sends the requests of diff_requests.json, in order, to two
servers (A = the reference OPA, B = gatehouse) over TLS and compares status
codes and bodies (a request may carry "known_diff": "reason" for a
deliberate difference: reported, not failed, and "present_only": [keys] for
top-level members compared by presence only, e.g. the "explanation" of
?explain, whose compiled ASTs differ). Bodies are compared as JSON after dropping decision_id,
metrics and provenance (timings, build details), blanking the text of
"message" fields and dropping "description" strings (free text in type
error details); non-JSON bodies are compared as text. Prints one line per
request and `N passed, N failed`; exit status 1 when any differ.
Usage: diff.py CA_PEM URL_A URL_B REQUESTS_JSON [AUTH_HEADER_FOR_B]"""
import http.client
import json
import ssl
import sys
import urllib.parse

# present on one side only (gatehouse returns a decision id on every
# decision; OPA only with decision logging on): removed
REMOVE = {"decision_id"}
# present on both, values vary (timings, build details): kept as a marker
DROP = {"metrics", "provenance"}


def norm(v):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k in REMOVE:
                continue
            if k in DROP:
                out[k] = "<dropped>"
            elif k == "message" and isinstance(x, str):
                out[k] = "<message>"
            elif k == "description" and isinstance(x, str):
                # free text (a builtin argument's description in type
                # error details): OPA's wording is not ours, so not compared
                continue
            else:
                out[k] = norm(x)
        return out
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def send(url, ca, req, extra_headers):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=20)
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    body = None
    if "raw_hex" in req:
        body = bytes.fromhex(req["raw_hex"])
    elif "raw" in req:
        body = req["raw"].encode()
    elif "body" in req:
        body = json.dumps(req["body"]).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(req.get("headers", {}))
    headers.update(extra_headers)
    conn.request(req["method"], req["path"], body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def shape(req, status, data):
    if req.get("no_body") or req["method"] == "HEAD":
        return status, None
    text = data.decode("utf-8", "replace")
    try:
        v = json.loads(text) if text.strip() else None
    except ValueError:
        return status, "text:" + text.strip()
    if isinstance(v, dict):
        for k in req.get("present_only", []):
            if k in v:
                v[k] = "<present>"
    if req.get("ids_only") and isinstance(v, dict) and isinstance(v.get("result"), list):
        v = sorted(p.get("id") for p in v["result"])
    return status, norm(v)


def main():
    ca, url_a, url_b, reqs = sys.argv[1:5]
    auth_b = {}
    if len(sys.argv) > 5 and sys.argv[5]:
        k, _, val = sys.argv[5].partition(":")
        auth_b[k.strip()] = val.strip()
    passed = failed = known = 0
    for req in json.load(open(reqs)):
        try:
            a = shape(req, *send(url_a, ca, req, {}))
        except Exception as e:  # the reference must answer
            a = ("error", repr(e))
        try:
            b = shape(req, *send(url_b, ca, req, auth_b))
        except Exception as e:
            b = ("error", repr(e))
        if a == b:
            passed += 1
            print("ok   %-36s %s" % (req["name"], a[0]))
        elif req.get("known_diff"):
            # a deliberate difference, with its reason in the request list
            known += 1
            print("KNOWN %-35s %s" % (req["name"], req["known_diff"]))
        else:
            failed += 1
            print("DIFF %-36s %s %s" % (req["name"], req["method"], req["path"]))
            print("     opa:       %s %s" % (a[0], json.dumps(a[1], sort_keys=True)[:600]))
            print("     gatehouse: %s %s" % (b[0], json.dumps(b[1], sort_keys=True)[:600]))
    if known:
        print("%d known differences (see known_diff in the request list)" % known)
    print("%d passed, %d failed" % (passed + known, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
