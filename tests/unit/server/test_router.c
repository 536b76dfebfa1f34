/* test_router.c - srv_dispatch without policy state (src/server/router.c and
 * the state-free parts of api_*.c): OPA 0.61's 404/405/301 answers, error
 * body bytes, JSON response format, query-parameter and header helpers, the
 * write-authentication rule, /v1/config, /metrics, /v1/compile and
 * /v1/query request decoding, and /v1/admit without a Gatekeeper model.
 * Expected bodies were captured from `opa run --server` 0.61.0. */
#include "srv_test.h"

#include <openssl/evp.h>

static int setup(void **state) {
    (void)state;
    srv_test_init("11111111-2222-4333-8444-555555555555");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    srv_test_done();
    if (CTX.metrics) srv_metrics_free(CTX.metrics);
    return 0;
}

/* ---- 404 / 405 / 301 ---------------------------------------------------------- */

static void test_unknown_path_404(void **state) {
    (void)state;
    const char *paths[] = {"/nope", "/v1/nope", "/v2/data", "/v1/policiesx", "/metricsx"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        run("GET", paths[i], NULL);
        assert_int_equal(RS.status, 404);
        assert_string_equal(body(), "404 page not found\n");
        assert_string_equal(RS.content_type, "text/plain; charset=utf-8");
    }
    run("POST", "/v2/data", "{}");
    assert_int_equal(RS.status, 404);
}

static void test_wrong_method_405(void **state) {
    (void)state;
    const struct {
        const char *m, *p;
    } cases[] = {{"PATCH", "/v1/policies/x"},
                 {"POST", "/v1/policies/x"},
                 {"POST", "/metrics"},
                 {"DELETE", "/v1/data"},
                 {"HEAD", "/v1/policies"},
                 {"GET", "/v0/data/x"},
                 {"GET", "/v1/compile"},
                 {"PUT", "/v1/query"},
                 {"POST", "/health"},
                 {"POST", "/v1/config"},
                 {"OPTIONS", "/v1/data"},
                 {"GET", "/v1/admit"},
                 {"DELETE", "/"},
                 {"POST", "/v1/query/x"},
                 {"GET", "/v1/query/x"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run(cases[i].m, cases[i].p, NULL);
        assert_int_equal(RS.status, 405);
        assert_int_equal(RS.body.len, 0);
    }
}

static void test_redirects_301(void **state) {
    (void)state;
    run("GET", "/v1/policies/", NULL);
    assert_int_equal(RS.status, 301);
    assert_string_equal(header("Location"), "/v1/policies");
    assert_string_equal(body(), "<a href=\"/v1/policies\">Moved Permanently</a>.\n\n");
    assert_string_equal(RS.content_type, "text/html; charset=utf-8");
    run("POST", "/v1/query/?a=1", "{}");
    assert_int_equal(RS.status, 301);
    assert_string_equal(header("Location"), "/v1/query?a=1");
    assert_int_equal(RS.body.len, 0);
    run("GET", "//v1/data", NULL); /* path cleaning: no body (mux) */
    assert_int_equal(RS.status, 301);
    assert_string_equal(header("Location"), "/v1/data");
    assert_int_equal(RS.body.len, 0);
    run("GET", "/health/", NULL);
    assert_int_equal(RS.status, 301);
    assert_string_equal(header("Location"), "/health");
    run("GET", "/v1/data/a/../b", NULL);
    assert_int_equal(RS.status, 301);
    assert_string_equal(header("Location"), "/v1/data/b");
}

static void test_route_labels(void **state) {
    (void)state;
    const struct {
        const char *m, *p, *label;
    } cases[] = {{"GET", "/v1/policies", "v1_policies"},
                 {"GET", "/v1/policies/a/b", "v1_policies"},
                 {"GET", "/v1/query?q=x", "v1_query"},
                 {"POST", "/v1/compile", "v1_compile"},
                 {"GET", "/v1/config", "v1_config"},
                 {"GET", "/v1/status", "v1_status"},
                 {"GET", "/health", "health"},
                 {"GET", "/health/live", "health"},
                 {"GET", "/metrics", "metrics"},
                 {"POST", "/v1/admit", "v1_admit"},
                 {"GET", "/", "index"},
                 {"GET", "/v1/data/x", "v1_data"},
                 {"POST", "/v0/data/x", "v0_data"},
                 {"GET", "/nope", "unknown"},
                 {"PATCH", "/v1/policies/x", "v1_policies"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run(cases[i].m, cases[i].p, NULL);
        assert_string_equal(RS.route, cases[i].label);
    }
}

/* ---- response formats ------------------------------------------------------------ */

static void test_error_body_bytes(void **state) {
    (void)state;
    /* OPA 0.61, PUT /v1/policies/bad with "package x\np {" */
    gh_err e;
    gh_err_clear(&e);
    const char *src = "package x\np {";
    gh_err_set(&e, GH_EPARSE, "bad", 2, 3, "rego_parse_error: unexpected eof token");
    gh_err_set_kind(&e, "rego_parse_error");
    val_t *arr = val_arr_new(&A, 1);
    val_arr_push(&A, arr, srv_err_object(&A, &e, src, strlen(src)));
    srv_resp_error(&RS, 400, "invalid_parameter", "error(s) occurred while compiling module(s)",
                   arr);
    assert_int_equal(RS.status, 400);
    assert_null(RS.content_type);
    assert_string_equal(body(), "{\n"
                                "  \"code\": \"invalid_parameter\",\n"
                                "  \"message\": \"error(s) occurred while compiling module(s)\",\n"
                                "  \"errors\": [\n"
                                "    {\n"
                                "      \"code\": \"rego_parse_error\",\n"
                                "      \"message\": \"unexpected eof token\",\n"
                                "      \"location\": {\n"
                                "        \"file\": \"bad\",\n"
                                "        \"row\": 2,\n"
                                "        \"col\": 3\n"
                                "      },\n"
                                "      \"details\": {\n"
                                "        \"line\": \"p {\",\n"
                                "        \"idx\": 2\n"
                                "      }\n"
                                "    }\n"
                                "  ]\n"
                                "}\n");
    srv_resp_error(&RS, 404, "resource_not_found", "storage_not_found_error: policy id \"nope\"",
                   NULL);
    assert_string_equal(body(), "{\n  \"code\": \"resource_not_found\",\n  \"message\": "
                                "\"storage_not_found_error: policy id \\\"nope\\\"\"\n}\n");
}

static void test_error_objects(void **state) {
    (void)state;
    gh_err e;
    gh_err_clear(&e);
    gh_err_set(&e, GH_EINVAL, "", 1, 1, "rego_unsafe_var_error: var y is unsafe");
    gh_err_set_kind(&e, "rego_unsafe_var_error");
    char *j = val_to_json(&A, srv_err_object(&A, &e, "y", 1), 0);
    assert_string_equal(j, "{\"code\":\"rego_unsafe_var_error\",\"message\":\"var y is unsafe\","
                           "\"location\":{\"file\":\"\",\"row\":1,\"col\":1}}");
    /* parse details as OPA: the offset moved back over whitespace */
    gh_err_set(&e, GH_EPARSE, "", 1, 5, "rego_parse_error: unexpected eof token");
    gh_err_set_kind(&e, "rego_parse_error");
    j = val_to_json(&A, srv_err_object(&A, &e, "x := ", 5), VAL_JSON_SORTED);
    assert_string_equal(j, "{\"code\":\"rego_parse_error\",\"details\":{\"idx\":3,\"line\":\"x "
                           ":= \"},\"location\":{\"col\":5,\"file\":\"\",\"row\":1},\"message\":"
                           "\"unexpected eof token\"}");
    /* eval errors: OPA's ErrorAuto -> 500 with the error listed */
    gh_err_set(&e, GH_EINVAL, "cf", 4, 1,
               "eval_conflict_error: complete rules must not produce multiple outputs");
    gh_err_set_kind(&e, "eval_conflict_error");
    srv_resp_gh_error(&RS, &e);
    assert_int_equal(RS.status, 500);
    has("\"message\": \"error(s) occurred while evaluating query\"");
    has("\"code\": \"eval_conflict_error\"");
    gh_err_clear(&e);
    gh_err_set(&e, GH_ENOTFOUND, NULL, 0, 0,
               "storage_not_found_error: /a: document does not exist");
    srv_resp_gh_error(&RS, &e);
    assert_int_equal(RS.status, 404);
    has("\"resource_not_found\"");
    gh_err_set(&e, GH_ECONFLICT, NULL, 0, 0, "storage_write_conflict_error: /a");
    srv_resp_gh_error(&RS, &e);
    assert_int_equal(RS.status, 404); /* as OPA */
    has("\"resource_conflict\"");
    gh_err_set(&e, GH_EINTERNAL, NULL, 0, 0, "boom");
    srv_resp_gh_error(&RS, &e);
    assert_int_equal(RS.status, 500);
    assert_string_equal(body(), "{\n  \"code\": \"internal_error\",\n  \"message\": \"boom\"\n}\n");
}

static void test_json_body(void **state) {
    (void)state;
    val_t *v = NULL;
    gh_err e;
    const char *t = "{\"result\":{\"z\":1,\"a\":[\"<&>\"],\"m\":{}}}";
    assert_int_equal(val_json_parse(&A, t, strlen(t), NULL, &v, &e), 0);
    srv_resp_json(&RS, 200, v, false);
    assert_string_equal(body(),
                        "{\"result\":{\"a\":[\"\\u003c\\u0026\\u003e\"],\"m\":{},\"z\":1}}\n");
    srv_resp_json(&RS, 200, v, true);
    assert_string_equal(body(),
                        "{\n  \"result\": {\n    \"a\": [\n      \"\\u003c\\u0026\\u003e\"\n"
                        "    ],\n    \"m\": {},\n    \"z\": 1\n  }\n}\n");
}

/* ---- request helpers ----------------------------------------------------------------- */

static void test_query_params(void **state) {
    (void)state;
    srv_req r =
        req("GET", "/x?pretty&a=1&a=2&b=x+y%21&c=%zz&d=1;2&e=TRUE&f=1&g=false&g=true", NULL);
    assert_true(srv_query_bool(&r, "pretty"));
    assert_true(srv_query_bool(&r, "e"));
    assert_false(srv_query_bool(&r, "f"));
    assert_true(srv_query_bool(&r, "g"));
    assert_false(srv_query_bool(&r, "missing"));
    assert_string_equal(srv_query_get(&r, "a"), "2");
    assert_string_equal(srv_query_get(&r, "b"), "x y!");
    assert_null(srv_query_get(&r, "c")); /* bad escape: pair dropped, as Go */
    assert_null(srv_query_get(&r, "d")); /* ';' in a pair: dropped, as Go */
    assert_true(srv_query_has(&r, "pretty"));
    assert_string_equal(val_to_json(&A, srv_query_all(&r, "a"), 0), "[\"1\",\"2\"]");
    assert_string_equal(val_to_json(&A, srv_query_params(&r), VAL_JSON_SORTED),
                        "{\"a\":[\"1\",\"2\"],\"b\":[\"x y!\"],\"e\":[\"TRUE\"],\"f\":[\"1\"],"
                        "\"g\":[\"false\",\"true\"],\"pretty\":[\"\"]}");
    srv_req n = req("GET", "/x", NULL);
    assert_false(srv_query_bool(&n, "pretty"));
    assert_null(srv_query_get(&n, "pretty"));
    srv_req p = req("GET", "/x?pretty=false", NULL);
    assert_false(srv_query_bool(&p, "pretty"));
}

static void test_headers(void **state) {
    (void)state;
    static const char *const names[] = {"content-type", "X-Thing", "x-thing"};
    static const char *const values[] = {"application/json", "a", "b"};
    srv_req r = req("GET", "/", NULL);
    r.hdr_names = names;
    r.hdr_values = values;
    r.nhdrs = 3;
    assert_string_equal(srv_req_header(&r, "Content-Type"), "application/json");
    assert_string_equal(srv_req_header(&r, "X-THING"), "a");
    assert_null(srv_req_header(&r, "Authorization"));
    assert_string_equal(srv_unescape_path(&A, "a%2Fb+c", 7), "a/b+c");
    assert_null(srv_unescape_path(&A, "a%2", 3));
}

/* ---- authentication of writes --------------------------------------------------------- */

static void test_writes_need_authentication(void **state) {
    (void)state;
    const struct {
        const char *m, *p;
    } w[] = {{"PUT", "/v1/policies/x"}, {"DELETE", "/v1/policies/x"}, {"PUT", "/v1/data/x"},
             {"PATCH", "/v1/data/x"},   {"DELETE", "/v1/data/x"},     {"PUT", "/v1/data"},
             {"PATCH", "/v1/data"}};
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        run(w[i].m, w[i].p, "package x");
        assert_int_equal(RS.status, 401);
        has("\"code\": \"unauthorized\"");
    }
    /* authenticated: the handler runs (and, without any state, says so) */
    srv_req r = req("PUT", "/v1/policies/x", "package x");
    r.authenticated = true;
    run_req(&r);
    assert_int_equal(RS.status, 500);
    has("no policy snapshot");
    CFG.allow_unauthenticated_writes = true;
    run("PUT", "/v1/policies/x", "package x");
    assert_int_equal(RS.status, 500);
    /* reads never need it */
    CFG.allow_unauthenticated_writes = false;
    run("GET", "/v1/policies/x", NULL);
    assert_int_not_equal(RS.status, 401);
}

static void test_authz_without_policy(void **state) {
    (void)state;
    CFG.authz = SRV_AUTHZ_BASIC;
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 500);
    assert_string_equal(body(), "{\n  \"code\": \"internal_error\",\n  \"message\": "
                                "\"authorization policy missing or undefined\"\n}\n");
    run("GET", "/nope", NULL); /* authorization comes before routing, as in OPA */
    assert_int_equal(RS.status, 500);
    CFG.authz = SRV_AUTHZ_OFF;
}

/* ---- state-free handlers --------------------------------------------------------------- */

static void test_config(void **state) {
    (void)state;
    run("GET", "/v1/config", NULL);
    assert_int_equal(RS.status, 200);
    assert_string_equal(body(),
                        "{\"result\":{\"default_authorization_decision\":\"/system/authz/"
                        "allow\",\"default_decision\":\"/system/main\",\"labels\":{\"id\":"
                        "\"11111111-2222-4333-8444-555555555555\",\"version\":\"9.9.9\"}}}\n");
    run("GET", "/v1/config?pretty", NULL);
    has("\n    \"default_decision\": \"/system/main\",\n");
}

static void test_metrics_endpoint(void **state) {
    (void)state;
    CTX.metrics = srv_metrics_new();
    srv_metrics_request(CTX.metrics, 0, "v1_data", 200, 1000);
    run("GET", "/metrics", NULL);
    assert_int_equal(RS.status, 200);
    assert_string_equal(RS.content_type, "text/plain; version=0.0.4; charset=utf-8");
    has("v1_data");
}

static void test_health_without_state(void **state) {
    (void)state;
    run("GET", "/health", NULL);
    assert_int_equal(RS.status, 500);
    assert_string_equal(body(), "{\"error\":\"unable to perform evaluation\"}\n");
    run("GET", "/", NULL);
    assert_int_equal(RS.status, 200);
    assert_string_equal(RS.content_type, "text/html; charset=utf-8");
    has("9.9.9");
}

static void test_query_decoding(void **state) {
    (void)state;
    run("GET", "/v1/query", NULL);
    assert_int_equal(RS.status, 400);
    assert_string_equal(body(), "{\n  \"code\": \"invalid_parameter\",\n  \"message\": "
                                "\"missing parameter 'q'\"\n}\n");
    run("GET", "/v1/query?q=", NULL);
    assert_int_equal(RS.status, 500);
    assert_string_equal(body(), "{\n  \"code\": \"internal_error\",\n  \"message\": \"cannot "
                                "evaluate empty query\"\n}\n");
    run("POST", "/v1/query", "");
    assert_int_equal(RS.status, 400);
    has("error(s) occurred while decoding request: EOF");
    run("POST", "/v1/query", "{bad");
    assert_int_equal(RS.status, 400);
    has("error(s) occurred while decoding request: ");
    run("POST", "/v1/query", "[1]");
    assert_int_equal(RS.status, 400);
    has("json: cannot unmarshal array into Go value of type "
        "types.QueryRequestV1");
    run("POST", "/v1/query", "{\"query\": 5}");
    assert_int_equal(RS.status, 400);
    has("json: cannot unmarshal number into Go struct field "
        "QueryRequestV1.query of type string");
    run("POST", "/v1/query", "null");
    assert_int_equal(RS.status, 500);
    has("cannot evaluate empty query");
    run("POST", "/v1/query", "{\"input\":{\"a\":3}}");
    assert_int_equal(RS.status, 500);
    run("GET", "/v1/query?q=x+%3D", NULL); /* parse errors need no policy */
    assert_int_equal(RS.status, 500);      /* ... but the snapshot check comes first */
}

static void test_compile_not_supported(void **state) {
    (void)state;
    run("POST", "/v1/compile", "{bad");
    assert_int_equal(RS.status, 400);
    has("error(s) occurred while decoding request");
    run("POST", "/v1/compile", "{\"query\":\"\"}");
    assert_int_equal(RS.status, 400);
    has("missing required 'query' value");
    run("POST", "/v1/compile", "{\"query\":\"x =\"}");
    assert_int_equal(RS.status, 400);
    has("error(s) occurred while parsing query");
    has("\"rego_parse_error\"");
    run("POST", "/v1/compile",
        "{\"query\":\"data.example.allow == true\",\"unknowns\":[\"input\"]} trailing");
    assert_int_equal(RS.status, 501);
    has("\"code\": \"invalid_operation\"");
    has("partial evaluation");
}

static const char REVIEW[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":"
    "\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":"
    "\"CREATE\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}}"
    "}";

static void test_admit_without_model(void **state) {
    (void)state;
    run("POST", "/v1/admit", "{not json");
    assert_int_equal(RS.status, 400);
    has("\"invalid_parameter\"");
    run("POST", "/v1/admit", "");
    assert_int_equal(RS.status, 400);
    run("POST", "/v1/admit", "{\"kind\":\"Pod\"}");
    assert_int_equal(RS.status, 400);
    has("not an AdmissionReview");
    run("POST", "/v1/admit",
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
        "\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}");
    assert_int_equal(RS.status, 400);
    /* fail closed */
    run("POST", "/v1/admit", REVIEW);
    assert_int_equal(RS.status, 200);
    has("\"allowed\":false");
    has("\"uid\":\"u-1\"");
    has("\"code\":500");
    has("failing closed");
    assert_non_null(RS.decision_id);
    assert_int_equal(strlen(RS.decision_id), 36);
    /* fail open */
    CFG.admit_fail_open = true;
    run("POST", "/v1/admit", REVIEW);
    assert_int_equal(RS.status, 200);
    has("\"allowed\":true");
    has("\"warnings\":[");
    CFG.admit_fail_open = false;
}

/* Bearer tokens are checked by the router against the configuration in
 * force (a reload changes CTX's snapshot's; here CTX.cfg): a listed token
 * authenticates a write, another does not, and changing the list takes
 * effect on the next request. */
static void test_bearer_tokens_from_config(void **state) {
    (void)state;
    char hex[2][65];
    const char *tok[2] = {"s3cret", "other"};
    for (int t = 0; t < 2; t++) {
        unsigned char d[32];
        unsigned int dl = 0;
        assert_true(EVP_Digest(tok[t], strlen(tok[t]), d, &dl, EVP_sha256(), NULL));
        for (int i = 0; i < 32; i++)
            snprintf(hex[t] + 2 * i, 3, "%02x", d[i]);
    }
    char *hashes[] = {hex[0], hex[1]};
    CFG.authn = SRV_AUTHN_TOKEN;
    CFG.token_hashes = hashes;
    CFG.ntoken_hashes = 2;
    BEARER = "s3cret";
    run("PUT", "/v1/policies/x", "package x");
    assert_int_equal(RS.status, 500); /* authenticated: the handler ran */
    has("no policy snapshot");
    BEARER = "other";
    run("PUT", "/v1/policies/x", "package x");
    assert_int_equal(RS.status, 500);
    BEARER = "wrong";
    run("PUT", "/v1/policies/x", "package x");
    assert_int_equal(RS.status, 401);
    /* the list changes: the old token no longer works */
    CFG.ntoken_hashes = 1;
    hashes[0] = hashes[1];
    BEARER = "s3cret";
    run("PUT", "/v1/policies/x", "package x");
    assert_int_equal(RS.status, 401);
    BEARER = NULL;
    CFG.token_hashes = NULL;
    CFG.ntoken_hashes = 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_path_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method_405, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirects_301, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_body_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_need_authentication, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bearer_tokens_from_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authz_without_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_without_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compile_not_supported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admit_without_model, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
