// opa_client.mjs - drives a decision server with the real npm OPA client
// (@styra/opa's OPAClient) and checks the decisions. Run by
// server_opa_client_test.sh: node opa_client.mjs MODULE_DIR URL
// (MODULE_DIR = where the pinned package was installed; NODE_EXTRA_CA_CERTS
// trusts the test CA for https URLs). Prints one line per check and
// `N passed, N failed`; exits 1 when anything failed.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [modDir, url] = process.argv.slice(2);
const { OPAClient } = await import(
  pathToFileURL(join(modDir, "node_modules/@styra/opa/dist/esm/index.js")).href
);
const opa = new OPAClient(url);

let passed = 0;
let failed = 0;
const canon = (v) =>
  JSON.stringify(v, (k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x
  );

async function check(name, fn, want) {
  try {
    const got = await fn();
    if (canon(got) === canon(want)) {
      passed++;
      console.log(`ok   ${name}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: got ${canon(got)}, want ${canon(want)}`);
    }
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: threw ${err && err.stack ? err.stack : err}`);
  }
}

// expect the promise to reject (the client's behaviour for server errors)
async function rejects(name, fn, pred) {
  try {
    const got = await fn();
    failed++;
    console.log(`FAIL ${name}: resolved with ${canon(got)}`);
  } catch (err) {
    if (!pred || pred(err)) {
      passed++;
      console.log(`ok   ${name}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: wrong error ${err}`);
    }
  }
}

// booleans
await check("allow true", () => opa.evaluate("authz/allow", { user: "alice" }), true);
await check("allow false", () => opa.evaluate("authz/allow", { user: "bob" }), false);
await check("allow via roles", () => opa.evaluate("authz/allow", { user: "x", roles: ["dev", "admin"] }), true);
await check("allow without input (default)", () => opa.evaluate("authz/allow"), false);
// undefined decision: the server answers {} and the client yields undefined
await check("undefined rule", () => opa.evaluate("authz/double", { user: "alice" }), undefined);
await check("undefined path", () => opa.evaluate("authz/nope/nothing", {}), undefined);
await check("undefined fromResult default", () =>
  opa.evaluate("authz/double", {}, { fromResult: (r) => r ?? "fallback" }), "fallback");
// values
await check("number", () => opa.evaluate("authz/double", { n: 21 }), 42);
await check("number float", () => opa.evaluate("authz/double", { n: 1.25 }), 2.5);
await check("string", () => opa.evaluate("authz/greeting", { user: "zoë" }), "hello zoë");
await check("set as array", () => opa.evaluate("authz/roles", { roles: ["b", "a", "b"] }), ["a", "b"]);
await check("data document", () => opa.evaluate("config"), { limit: 10, regions: ["eu", "us"] });
await check("data leaf", () => opa.evaluate("config/regions/1"), "us");
await check("rule reading data", () => opa.evaluate("authz/limit", {}), 10);
// input types
for (const [label, v, kind] of [
  ["string", "s", "string"], ["number", 3.5, "number"], ["bool", false, "bool"],
  ["array", [1, "x"], "array"], ["object", { a: { b: [] } }, "object"], ["null", null, "null"],
]) {
  await check(`input type ${label}`, async () => {
    const r = await opa.evaluate("authz/kinds", { v });
    return Object.keys(r).filter((k) => r[k]);
  }, [kind]);
}
// a whole package: the object of its rules (defined ones only: no kinds, conflict)
await check("package object", () => opa.evaluate("authz", { user: "alice", n: 2 }), {
  allow: true, double: 4, greeting: "hello alice", limit: 10, roles: [],
});
// a class input through toInput()
class Req { constructor(u) { this.u = u; } toInput() { return { user: this.u }; } }
await check("toInput", () => opa.evaluate("authz/allow", new Req("alice")), true);
// the server's default decision (POST /, data.system.main)
await check("evaluateDefault", () => opa.evaluateDefault({ user: "alice" }), { allowed: true, user: "alice" });
// batch: OPA has no /v1/batch/data (404), the client falls back to single calls
await check("evaluateBatch fallback", () =>
  opa.evaluateBatch("authz/allow", { a: { user: "alice" }, b: { user: "bob" } }, { fallback: true }),
  { a: true, b: false });
// a large input
await check("large input", () =>
  opa.evaluate("authz/roles", { roles: Array.from({ length: 5000 }, (_, i) => `r${i % 100}`) })
    .then((r) => r.length), 100);
// concurrency: many requests in flight over the client's keep-alive agent
await check("50 concurrent", async () => {
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    opa.evaluate("authz/allow", { user: i % 2 ? "alice" : "bob" })));
  return rs.filter(Boolean).length;
}, 25);
// errors: two values for a complete rule is a 500 the client rejects
await rejects("conflict error rejects", () => opa.evaluate("authz/conflict", { xs: [1, 2] }));
await check("no conflict", () => opa.evaluate("authz/conflict", { xs: [3] }), 3);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
