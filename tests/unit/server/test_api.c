/* test_api.c - the API handlers over a real policy state (srv_state_new on
 * a temporary directory): /v1/policies reads and writes with OPA 0.61's
 * bodies, /v1/query results, /health and /health/{path} policy checks,
 * --authorization=basic decisions on OPA's input shape, /v1/status, and
 * /v1/admit with a Gatekeeper model. Requests are built by hand (no
 * sockets) and go through srv_dispatch. */
#include "srv_test.h"

#include <sys/stat.h>
#include <unistd.h>

static char DIR_[256];
static char POLICY_ID[300];
static char *PATHS[4];

static const char POLICY[] = "package example\n\nimport rego.v1\n\n# a comment\n"
                             "allow if input.user == \"alice\"\n\nx := [1, 2]\n";
static const char AUTHZ[] =
    "package system.authz\n\nimport rego.v1\n\ndefault allow := false\n\n"
    "allow if input.identity == \"secret\"\n\n"
    "allow if {\n\tinput.method == \"GET\"\n\tinput.path == [\"v1\", \"policies\"]\n}\n\n"
    "allow if {\n\tinput.params.ok == [\"1\"]\n\tinput.headers[\"X-Ok\"] == [\"yes\"]\n}\n\n"
    "allow if {\n\tinput.method == \"POST\"\n\tinput.body.input.user == \"alice\"\n}\n";
static const char HEALTH[] = "package system.health\n\nimport rego.v1\n\nlive := true\n";
static const char TEMPLATE[] =
    "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
    "metadata:\n  name: k8srequiredowner\nspec:\n  crd:\n    spec:\n      names:\n"
    "        kind: K8sRequiredOwner\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n"
    "      rego: |\n        package k8srequiredowner\n"
    "        violation[{\"msg\": msg}] {\n"
    "          not input.review.object.metadata.labels.owner\n"
    "          msg := \"owner label required\"\n        }\n";
static const char CONSTRAINT[] =
    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredOwner\n"
    "metadata:\n  name: need-owner\nspec:\n  match:\n    kinds:\n"
    "      - apiGroups: [\"\"]\n        kinds: [\"Pod\"]\n";

static int setup(void **state) {
    (void)state;
    snprintf(DIR_, sizeof DIR_, "/tmp/gh_test_api_XXXXXX");
    if (!mkdtemp(DIR_)) return -1;
    char d[300];
    snprintf(d, sizeof d, "%s/policy", DIR_);
    mkdir(d, 0700);
    write_file(d, "p.rego", POLICY);
    write_file(d, "authz.rego", AUTHZ);
    write_file(d, "health.rego", HEALTH);
    snprintf(d, sizeof d, "%s/pack", DIR_);
    mkdir(d, 0700);
    snprintf(d, sizeof d, "%s/pack/gatekeeper", DIR_);
    mkdir(d, 0700);
    write_file(d, "template.yaml", TEMPLATE);
    write_file(d, "constraint.yaml", CONSTRAINT);

    srv_test_init("test-instance");
    PATHS[0] = gh_malloc(300);
    snprintf(PATHS[0], 300, "%s/policy", DIR_);
    CFG.paths = PATHS;
    CFG.npaths = 1;
    CFG.builtin_pack = true;
    CFG.pack_dir = gh_malloc(300);
    snprintf(CFG.pack_dir, 300, "%s/pack", DIR_);
    gh_err e;
    gh_err_clear(&e);
    CTX.state = srv_state_new(&CFG, &e);
    if (!CTX.state) {
        char m[1024];
        fprintf(stderr, "srv_state_new: %s\n", gh_err_format(&e, m, sizeof m));
        return -1;
    }
    srv_snapshot *s = srv_state_get(CTX.state, &W);
    snprintf(POLICY_ID, sizeof POLICY_ID, "%s/policy/p.rego", DIR_);
    for (size_t i = 0; s && i < s->nmods; i++) /* whatever id the loader gave p.rego */
        if (strstr(s->mods[i].id, "p.rego"))
            snprintf(POLICY_ID, sizeof POLICY_ID, "%s", s->mods[i].id);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    srv_state_worker_done(&W);
    srv_state_free(CTX.state);
    srv_test_done();
    gh_free(PATHS[0]);
    gh_free(CFG.pack_dir);
    rm_rf(DIR_);
    return 0;
}

static bool ends_with(const char *s) {
    size_t n = strlen(s);
    return RS.body.len >= n && strcmp(body() + RS.body.len - n, s) == 0;
}

static char *enc(const char *id) { /* path-escape '/' so the id is one segment */
    gh_buf b;
    gh_buf_init(&b);
    for (const char *c = id; *c; c++) {
        if (*c == '/')
            gh_buf_puts(&b, "%2F");
        else
            gh_buf_putc(&b, *c);
    }
    char *out = gh_arena_strndup(&A, b.p, b.len);
    gh_buf_free(&b);
    return out;
}

/* ---- /v1/policies ----------------------------------------------------------------- */

static void test_policies_read(void **state) {
    (void)state;
    run("GET", "/v1/policies", NULL);
    assert_int_equal(RS.status, 200);
    has("\"raw\":\"package example\\n\\nimport rego.v1");
    has("\"package\":{\"path\":[{\"type\":\"var\",\"value\":\"data\"},"
        "{\"type\":\"string\",\"value\":\"example\"}]}");
    has("\"comments\":[{\"Text\":\"IGEgY29tbWVudA==\",\"Location\":{\"file\":\"");
    run("GET", "/v1/policies?pretty", NULL);
    has("{\n  \"result\": [\n    {\n      \"id\": \"");
    has("\n      \"ast\": {\n        \"package\": {\n          \"path\": [\n");
    assert_true(ends_with("}\n    }\n  ]\n}\n"));
    run("GET", gh_arena_printf(&A, "/v1/policies/%s", enc(POLICY_ID)), NULL);
    assert_int_equal(RS.status, 200);
    has(gh_arena_printf(&A, "{\"result\":{\"id\":\"%s\",\"raw\":\"package example\\n", POLICY_ID));
    assert_true(ends_with("}}\n"));
    run("GET", gh_arena_printf(&A, "/v1/policies/%s?pretty=true", enc(POLICY_ID)), NULL);
    has("{\n  \"result\": {\n    \"id\": \"");
    assert_true(ends_with("]\n    }\n  }\n}\n"));
    run("GET", "/v1/policies/nope", NULL);
    assert_int_equal(RS.status, 404);
    assert_string_equal(body(), "{\n  \"code\": \"resource_not_found\",\n  \"message\": "
                                "\"storage_not_found_error: policy id \\\"nope\\\"\"\n}\n");
}

static void test_policies_write(void **state) {
    (void)state;
    CFG.allow_unauthenticated_writes = true;
    run("PUT", "/v1/policies/good", "package x\n\nimport rego.v1\n\np if { 1 }\n");
    assert_int_equal(RS.status, 200);
    assert_string_equal(body(), "{}\n");
    run("GET", "/v1/query?q=data.x.p", NULL);
    assert_string_equal(body(), "{\"result\":[{}]}\n");
    run("GET", "/v1/policies/good", NULL);
    assert_int_equal(RS.status, 200);
    has("\"id\":\"good\"");
    /* the same bytes again: nothing to compile, OPA answers 200 {} */
    run("PUT", "/v1/policies/good", "package x\n\nimport rego.v1\n\np if { 1 }\n");
    assert_int_equal(RS.status, 200);
    /* a%2Fb is the id "a/b"; a/b/c.rego is the id "a/b/c.rego" */
    run("PUT", "/v1/policies/a%2Fb", "package ab\n");
    assert_int_equal(RS.status, 200);
    run("GET", "/v1/policies/a/b", NULL);
    assert_int_equal(RS.status, 200);
    has("\"id\":\"a/b\"");

    run("PUT", "/v1/policies/bad", "package x\np {");
    assert_int_equal(RS.status, 400);
    has("\"code\": \"invalid_parameter\",\n  \"message\": \"error(s) "
        "occurred while compiling module(s)\",\n  \"errors\": [\n");
    has("\"code\": \"rego_parse_error\"");
    has("\"location\": {\n        \"file\": \"bad\",\n        \"row\": "
        "2,\n        \"col\": 3\n      },\n      \"details\": {\n"
        "        \"line\": \"p {\",\n        \"idx\": 2\n      }");
    run("PUT", "/v1/policies/bad2", "package x\nimport rego.v1\np if { y }");
    assert_int_equal(RS.status, 400);
    has("\"code\": \"rego_unsafe_var_error\"");
    has("\"message\": \"var y is unsafe\"");
    run("PUT", "/v1/policies/empty", "");
    assert_int_equal(RS.status, 400);
    assert_string_equal(body(), "{\n  \"code\": \"invalid_parameter\",\n  \"message\": "
                                "\"empty:0: rego_parse_error: empty module\"\n}\n");
    /* failed writes change nothing */
    run("GET", "/v1/policies/bad", NULL);
    assert_int_equal(RS.status, 404);

    run("DELETE", "/v1/policies/good", NULL);
    assert_int_equal(RS.status, 200);
    assert_string_equal(body(), "{}\n");
    run("DELETE", "/v1/policies/good", NULL);
    assert_int_equal(RS.status, 404);
    has("storage_not_found_error: policy id \\\"good\\\"");
    /* deleting a module others need: OPA's 400 invalid_operation */
    run("PUT", "/v1/policies/fa", "package fa\nimport rego.v1\nf(x) := x\n");
    assert_int_equal(RS.status, 200);
    run("PUT", "/v1/policies/fb", "package fb\nimport rego.v1\np := data.fa.f(1)\n");
    assert_int_equal(RS.status, 200);
    run("DELETE", "/v1/policies/fa", NULL);
    assert_int_equal(RS.status, 400);
    has("{\n  \"code\": \"invalid_operation\",\n  \"message\": \"error(s) occurred while "
        "compiling module(s)\",\n  \"errors\": [\n");
    run("GET", "/v1/policies/fa", NULL);
    assert_int_equal(RS.status, 200);
    run("PUT", "/v1/policies/m?metrics", "package m\n");
    assert_int_equal(RS.status, 200);
    has("{\"metrics\":{\"timer_rego_module_compile_ns\":");
    CFG.allow_unauthenticated_writes = false;
    run("DELETE", "/v1/policies/m", NULL);
    assert_int_equal(RS.status, 401);
}

/* ---- /v1/query -------------------------------------------------------------------- */

static void test_query(void **state) {
    (void)state;
    run("GET", "/v1/query?q=data.example.x[i]", NULL);
    assert_int_equal(RS.status, 200);
    assert_string_equal(body(), "{\"result\":[{\"i\":0},{\"i\":1}]}\n");
    run("GET", "/v1/query?q=data.example.x[i]&pretty", NULL);
    assert_string_equal(body(), "{\n  \"result\": [\n    {\n      \"i\": 0\n    },\n    {\n"
                                "      \"i\": 1\n    }\n  ]\n}\n");
    run("GET", "/v1/query?q=data.example.x[_]", NULL);
    assert_string_equal(body(), "{\"result\":[{},{}]}\n");
    run("GET", "/v1/query?q=x:%3D1", NULL);
    assert_string_equal(body(), "{\"result\":[{\"x\":1}]}\n");
    run("GET", "/v1/query?q=data.nope", NULL);
    assert_string_equal(body(), "{}\n");
    run("GET", "/v1/query?q=not+true", NULL);
    assert_string_equal(body(), "{}\n");
    run("POST", "/v1/query", "{\"query\":\"input.a = x\",\"input\":{\"a\":3}}");
    assert_string_equal(body(), "{\"result\":[{\"x\":3}]}\n");
    run("POST", "/v1/query", "{\"query\":\"input.a = x\"}");
    assert_string_equal(body(), "{}\n");
    run("POST", "/v1/query", "{\"query\":\"x := 1\"} trailing text");
    assert_string_equal(body(), "{\"result\":[{\"x\":1}]}\n");
    run("GET", "/v1/query?q=x+%3D", NULL);
    assert_int_equal(RS.status, 400);
    has("\"message\": \"error(s) occurred while parsing query\"");
    has("\"details\": {\n        \"line\": \"x =\"");
    run("GET", "/v1/query?q=y", NULL);
    assert_int_equal(RS.status, 400);
    has("\"message\": \"error(s) occurred while compiling query\"");
    has("\"code\": \"rego_unsafe_var_error\"");
    run("GET", "/v1/query?q=data.example.x[_]&metrics", NULL);
    has("{\"metrics\":{\"timer_rego_query_compile_ns\":");
    has(",\"result\":[{},{}]}\n");
}

static void test_query_eval_error(void **state) {
    (void)state;
    CFG.allow_unauthenticated_writes = true;
    run("PUT", "/v1/policies/cf", "package cf\nimport rego.v1\np := 1 if true\np := 2 if true\n");
    assert_int_equal(RS.status, 200);
    run("GET", "/v1/query?q=data.cf.p%3Dx", NULL);
    assert_int_equal(RS.status, 500);
    has("\"code\": \"internal_error\",\n  \"message\": \"error(s) "
        "occurred while evaluating query\"");
    has("\"code\": \"eval_conflict_error\"");
    has("\"file\": \"cf\"");
}

/* ---- health, status ------------------------------------------------------------------- */

static void test_health(void **state) {
    (void)state;
    const char *ok[] = {"/health", "/health?bundles", "/health?plugins",
                        "/health?plugins&exclude-plugin=decision_logs", "/health/live"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        run("GET", ok[i], NULL);
        assert_int_equal(RS.status, 200);
        assert_string_equal(body(), "{}\n");
    }
    run("GET", "/health/ready", NULL);
    assert_int_equal(RS.status, 500);
    assert_string_equal(body(),
                        "{\"error\":\"health check (data.system.health.ready) was undefined\"}\n");
    run("GET", "/health/a/b-c", NULL);
    assert_int_equal(RS.status, 500);
    assert_string_equal(
        body(), "{\"error\":\"health check (data.system.health.a[\\\"b-c\\\"]) was undefined\"}\n");
}

static void test_status(void **state) {
    (void)state;
    run("GET", "/v1/status", NULL);
    assert_int_equal(RS.status, 200);
    has("\"labels\":{\"id\":\"test-instance\",\"version\":\"9.9.9\"}");
    has("\"gatehouse_snapshot\":{\"loaded_at\":");
    has("\"revision\":");
}

/* ---- --authorization=basic ----------------------------------------------------------------- */

static void test_authz_basic(void **state) {
    (void)state;
    CFG.authz = SRV_AUTHZ_BASIC;
    CFG.authn = SRV_AUTHN_TOKEN;
    run("GET", "/v1/policies", NULL); /* method + path rule */
    assert_int_equal(RS.status, 200);
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 401);
    assert_string_equal(body(), "{\n  \"code\": \"unauthorized\",\n  \"message\": \"request "
                                "rejected by administrative policy\"\n}\n");
    run("GET", "/nope", NULL);
    assert_int_equal(RS.status, 401);
    BEARER = "secret"; /* identity: the bearer token */
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 200);
    run("GET", "/nope", NULL);
    assert_int_equal(RS.status, 404);
    BEARER = "wrong";
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 401);
    BEARER = NULL;
    static const char *const n[] = {"x-ok"};
    static const char *const v[] = {"yes"};
    HDR_N = n, HDR_V = v, NHDR = 1; /* headers canonicalised, params as arrays */
    run("GET", "/health?ok=1", NULL);
    assert_int_equal(RS.status, 200);
    run("GET", "/health?ok=2", NULL);
    assert_int_equal(RS.status, 401);
    HDR_N = NULL, HDR_V = NULL, NHDR = 0;
    /* the body of POST /v1/data/... is in the input */
    run("POST", "/v1/data/example/allow", "{\"input\":{\"user\":\"alice\"}}");
    assert_int_equal(RS.status, 200);
    has("\"result\":true");
    run("POST", "/v1/data/example/allow", "{\"input\":{\"user\":\"bob\"}}");
    assert_int_equal(RS.status, 401);
    run("POST", "/v1/data/example/allow", "{bad json");
    assert_int_equal(RS.status, 400);
    /* without token authentication the token is not an identity (as OPA) */
    CFG.authn = SRV_AUTHN_OFF;
    BEARER = "secret";
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 401);
    BEARER = NULL;
    CFG.authz = SRV_AUTHZ_OFF;
}

/* ---- /v1/admit ------------------------------------------------------------------------ */

static const char REVIEW_FMT[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":"
    "\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":"
    "\"CREATE\",\"namespace\":\"default\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
    "\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"%s}}}}";

static void test_admit(void **state) {
    (void)state;
    run("POST", "/v1/admit", gh_arena_printf(&A, REVIEW_FMT, ""));
    assert_int_equal(RS.status, 200);
    has("\"allowed\":false");
    has("[need-owner] owner label required");
    has("\"code\":403");
    has("\"uid\":\"u-1\"");
    assert_non_null(RS.decision_id);
    run("POST", "/v1/admit", gh_arena_printf(&A, REVIEW_FMT, ",\"labels\":{\"owner\":\"me\"}"));
    assert_int_equal(RS.status, 200);
    has("\"allowed\":true");
    run("POST", "/v1/admit", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}");
    assert_int_equal(RS.status, 400);
}

/* ---- the data API is wired ----------------------------------------------------------------- */

static void test_data_routes(void **state) {
    (void)state;
    run("POST", "/v1/data/example/allow", "{\"input\":{\"user\":\"alice\"}}");
    assert_int_equal(RS.status, 200);
    assert_string_equal(RS.route, "v1_data");
    has("\"result\":true");
    run("GET", "/v1/data/example/nope", NULL);
    assert_int_equal(RS.status, 200);
    run("PUT", "/v1/data/x", "{}");
    assert_int_equal(RS.status, 401);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_policies_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policies_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_eval_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authz_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_routes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
