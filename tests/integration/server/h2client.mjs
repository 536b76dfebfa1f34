// h2client.mjs - drives `gatehouse serve` with Node's own HTTP/2 client
// (node:http2, not nghttp2's client side): one session, many concurrent
// streams of decisions, an AdmissionReview to /v1/admit (what the Kubernetes
// API server's Go HTTP/2 client sends), an unknown path and a malformed body.
// Prints one JSON line of what came back; the calling script checks it.
// Usage: node h2client.mjs URL CAFILE REVIEWFILE
import http2 from "node:http2";
import fs from "node:fs";

const [url, cafile, reviewFile] = process.argv.slice(2);
const session = http2.connect(url, { ca: fs.readFileSync(cafile) });
session.on("error", (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { ":method": method, ":path": path };
    if (body !== undefined) headers["content-type"] = "application/json";
    const req = session.request(headers);
    let status = 0, text = "";
    req.on("response", (h) => { status = h[":status"]; });
    req.setEncoding("utf8");
    req.on("data", (d) => { text += d; });
    req.on("end", () => resolve({ status, text, alpn: session.alpnProtocol }));
    req.on("error", reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

const n = 200;
const decisions = await Promise.all(Array.from({ length: n }, (_, i) =>
  call("POST", "/v1/data/authz/allow", JSON.stringify({ input: { user: i % 2 ? "alice" : "bob" } }))));
const review = fs.readFileSync(reviewFile, "utf8");
const uid = JSON.parse(review).request.uid;
const [admit, missing, malformed] = await Promise.all([
  call("POST", "/v1/admit", review),
  call("GET", "/v2/nothing"),
  call("POST", "/v1/data/authz/allow", "{\"input\":"),
]);
const admitBody = JSON.parse(admit.text);
const out = {
  alpn: decisions[0].alpn,
  decisions_ok: decisions.filter((r, i) => r.status === 200 &&
    JSON.parse(r.text).result === (i % 2 === 1)).length,
  admit_status: admit.status,
  admit_uid_echoed: admitBody.response && admitBody.response.uid === uid,
  admit_allowed: admitBody.response && admitBody.response.allowed,
  missing_status: missing.status,
  malformed_status: malformed.status,
  malformed_code: JSON.parse(malformed.text).code,
};
console.log(JSON.stringify(out));
session.close();
