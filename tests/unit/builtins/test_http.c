/* test_http.c - http.send (rego_bi_http) against a local server started by
 * the test (http_testsrv.h: 127.0.0.1, ephemeral ports, plain, TLS and
 * mutual TLS). Covers the disabled-by-default rule, OPA's request checks
 * and messages (plus tests/differential/http.expect), bodies and headers
 * both ways, methods, status codes, decoding, redirects, the allow list,
 * schemes, timeouts, raise_error false, retries, limits, TLS options, the
 * per-query memo, the inter-query cache, and the evaluator plumbing
 * (rego_eval_opts.http). No network beyond loopback. */

#include "../gh_test.h"

#include "bi_diff.h"
#include "http_testsrv.h"
#include "rego/rego.h"

static ts_pki pki;
static ts_server srv, tsrv, msrv; /* plain, TLS, mutual TLS */
static char ca_file[64], cli_file[64], key_file[64];
static struct rego_http_policy pol; /* reset by each test's set-up */

static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(char *path, const char *text) {
    strcpy(path, "/tmp/gh_http_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static int group_setup(void **state) {
    (void)state;
    ts_pki_make(&pki);
    if (ts_start(&srv, &pki, false, false) || ts_start(&tsrv, &pki, true, false) ||
        ts_start(&msrv, &pki, true, true))
        return -1;
    write_file(ca_file, pki.ca_pem);
    write_file(cli_file, pki.cli_pem);
    write_file(key_file, pki.cli_key);
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    ts_stop(&srv);
    ts_stop(&tsrv);
    ts_stop(&msrv);
    unlink(ca_file);
    unlink(cli_file);
    unlink(key_file);
    ts_pki_free(&pki);
    return 0;
}

static int setup(void **state) {
    (void)state;
    memset(&pol, 0, sizeof pol);
    pol.allow_local_files = true;
    pol.allow_insecure_tls = true;
    return 0;
}

/* ---- calling -------------------------------------------------------------------------------- */

typedef struct call {
    gh_arena a;
    gh_err e;
    rego_bctx c;
    val_t *out;
    int rc;
} call;

static void q_init(call *q, const struct rego_http_policy *p) {
    gh_arena_init(&q->a, 0);
    gh_err_clear(&q->e);
    memset(&q->c, 0, sizeof q->c);
    q->c.a = &q->a;
    q->c.err = &q->e;
    q->c.now_ns = wall_ns();
    q->c.http = p;
}

static void q_free(call *q) { gh_arena_free(&q->a); }

/* Call http.send with a request written as printf JSON ("%d" = a port). */
static int q_send(call *q, const char *fmt, ...) GH_PRINTF(2, 3);
static int q_send(call *q, const char *fmt, ...) {
    char req[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(req, sizeof req, fmt, ap);
    va_end(ap);
    val_t *r = NULL;
    gh_err pe;
    int prc = val_json_parse(&q->a, req, strlen(req), NULL, &r, &pe);
    if (prc == GH_ENOMEM) return q->rc = GH_ENOMEM; /* arena budget tests */
    if (prc) fail_msg("bad JSON %s: %s", req, pe.msg);
    const rego_builtin *b = rego_builtin_find("http.send", 9);
    assert_non_null(b);
    gh_err_clear(&q->e);
    q->out = NULL;
    q->rc = b->fn(&q->c, &r, &q->out);
    return q->rc;
}

/* The member at a dotted path of the last result, as compact sorted JSON. */
static const char *at(call *q, const char *path) {
    assert_int_equal(q->rc, RB_OK);
    val_t *v = q->out;
    char seg[64];
    for (const char *p = path; *p && v;) {
        size_t n = strcspn(p, ".");
        snprintf(seg, sizeof seg, "%.*s", (int)n, p);
        v = val_kind_of(v) == VAL_ARRAY ? val_arr_at(v, (size_t)atoi(seg))
                                        : val_obj_get_str(v, seg, n);
        p += n + (p[n] == '.');
    }
    return v ? val_to_json(&q->a, v, VAL_JSON_SORTED) : "<missing>";
}

/* A single call, its error message (or "" on success). */
static void expect_err(const struct rego_http_policy *p, int code, const char *want,
                       const char *fmt, ...) GH_PRINTF(4, 5);
static void expect_err(const struct rego_http_policy *p, int code, const char *want,
                       const char *fmt, ...) {
    char req[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(req, sizeof req, fmt, ap);
    va_end(ap);
    call q;
    q_init(&q, p);
    q_send(&q, "%s", req);
    if (q.rc != code || strcmp(q.e.msg, want))
        fail_msg("%s\n  got  %d %s\n  want %d %s", req, q.rc, q.e.msg, code, want);
    q_free(&q);
}

/* A request that fails with GH_EINVAL: want and req are printf formats
 * in which every %d stands for the port. */
typedef struct err_case {
    const char *want, *req;
} err_case;

static void expect_errs(const struct rego_http_policy *p, int port, const err_case *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char want[512];
        snprintf(want, sizeof want, c[i].want, port, port);
        expect_err(p, GH_EINVAL, want, c[i].req, port, port);
    }
}
#define NCASES(t) (sizeof(t) / sizeof *(t))

/* The echo route's view of the request: header lines joined by '|'. */
static const char *echo_headers(call *q) {
    val_t *h = val_obj_get_str(val_obj_get_str(q->out, "body", 4), "headers", 7);
    assert_non_null(h);
    gh_buf b;
    gh_buf_init(&b);
    for (size_t i = 0; i < val_arr_len(h); i++) {
        if (i) gh_buf_putc(&b, '|');
        gh_buf_append(&b, val_str_ptr(val_arr_at(h, i)), val_str_len(val_arr_at(h, i)));
    }
    char *s = gh_arena_strndup(&q->a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return s;
}

static int count_cb(void *ud, const rego_result *r) {
    (void)r;
    (*(int *)ud)++;
    return 0;
}

/* ---- disabled, request checks --------------------------------------------------------------- */

static void test_disabled_by_default(void **state) {
    (void)state;
    expect_err(NULL, GH_EINVAL, "disabled by configuration",
               "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\"}", srv.port);
    expect_err(
        NULL, GH_EINVAL, "disabled by configuration",
        "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\", \"raise_error\": false}",
        srv.port);
    assert_int_equal(ts_hits_of("/json"), 0);
    /* operand checks still come first, as in OPA */
    expect_err(NULL, GH_ETYPE, "operand 1 must be object but got string", "\"x\"");
    expect_err(NULL, GH_ETYPE, "operand 1 invalid request parameters(s): {\"x\"}",
               "{\"method\": \"get\", \"url\": \"u\", \"x\": 1}");
    /* the evaluator: off without rego_eval_opts.http, on with it */
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    gh_err_clear(&e);
    rego_policy *p = rego_policy_new();
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    char qt[256];
    snprintf(qt, sizeof qt,
             "r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\"}); x := "
             "r.body.a",
             srv.port);
    rego_query *rq = NULL;
    assert_int_equal(rego_query_prepare(p, &a, qt, strlen(qt), NULL, &rq, &e), 0);
    rego_eval_opts o = {.strict_builtin_errors = true};
    int nres = 0;
    assert_int_not_equal(rego_query_eval(rq, &a, &o, count_cb, &nres, &e), 0);
    assert_non_null(strstr(e.msg, "http.send: disabled by configuration"));
    gh_err_clear(&e);
    o.http = &pol;
    assert_int_equal(rego_query_eval(rq, &a, &o, count_cb, &nres, &e), 0);
    assert_int_equal(nres, 1);
    assert_int_equal(ts_hits_of("/json"), 1);
    rego_policy_free(p);
    gh_arena_free(&a);
}

static void test_differential(void **state) {
    (void)state;
    static const rego_builtin *const tabs[] = {rego_bi_http, NULL};
    bd_check("http", tabs, NULL, 14);
}

static void test_invalid_params(void **state) {
    (void)state;
    int P = srv.port, h0 = ts_hits_of("/json");
    static const struct {
        int code;
        const char *want, *extra;
    } cases[] = {
        {GH_EINVAL, "invalid value for \"cache\" field", "\"cache\": \"no\""},
        {GH_EINVAL, "invalid value for \"force_json_decode\" field", "\"force_json_decode\": 1"},
        {GH_EINVAL, "'force_cache' set but 'force_cache_duration_seconds' parameter is missing",
         "\"force_cache\": true"},
        {GH_EINVAL, "strconv.ParseInt: parsing \"\\\"5\\\"\": invalid syntax",
         "\"force_cache\": true, \"force_cache_duration_seconds\": \"5\""},
        {GH_EINVAL, "strconv.ParseInt: parsing \"99999999999\": value out of range",
         "\"force_cache\": true, \"force_cache_duration_seconds\": 99999999999"},
        {GH_EINVAL, "invalid value -1 for field \"max_retry_attempts\"",
         "\"max_retry_attempts\": -1"},
        {GH_EINVAL, "invalid value \"a\" for field \"max_retry_attempts\"",
         "\"max_retry_attempts\": \"a\""},
        {GH_EINVAL, "invalid type for headers value \"1\"", "\"headers\": {\"a\": 1}"},
        {GH_EINVAL, "invalid type for headers value %!q(bool=true)", "\"headers\": {\"a\": true}"},
        {GH_EINVAL, "invalid type for headers key", "\"headers\": \"x\""},
        {GH_EINVAL, "strconv.ParseBool: parsing \"\\\"true\\\"\": invalid syntax",
         "\"enable_redirect\": \"true\""},
        {GH_EINVAL, "strconv.ParseBool: parsing \"2\": invalid syntax",
         "\"tls_insecure_skip_verify\": 2"},
        {GH_EINVAL, "invalid timeout value \"abc\": time: invalid duration \"abc\"",
         "\"timeout\": \"abc\""},
        {GH_EINVAL, "invalid timeout number value 1.5, must be int64", "\"timeout\": 1.5"},
        {GH_ETYPE, "operand 1 'timeout' must be one of {string, number} but got boolean",
         "\"timeout\": true"},
        {GH_EINVAL, "\"raw_body\" must be a string", "\"raw_body\": 1"},
        {GH_EINVAL, "could not append certificates", "\"tls_ca_cert\": \"garbage\""},
        {GH_EINVAL, "open /nonexistent: no such file or directory",
         "\"tls_ca_cert_file\": \"/nonexistent\""},
        {GH_EINVAL, "tls: failed to find any PEM data in certificate input",
         "\"tls_client_cert\": \"x\", \"tls_client_key\": \"y\""},
        {GH_EINVAL,
         "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after "
         "skipping PEM blocks of the following types: [X]",
         "\"tls_client_cert\": \"-----BEGIN X-----\\nAAAA\\n-----END X-----\\n\", "
         "\"tls_client_key\": \"y\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_err(&pol, cases[i].code, cases[i].want,
                   "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\", %s}", P,
                   cases[i].extra);
    static const err_case bad_requests[] = {
        {"\"url\" must be a string", "{\"method\": \"get\", \"url\": 5}"},
        {"net/http: invalid method \"G T\"",
         "{\"method\": \"g t\", \"url\": \"http://127.0.0.1:%d/json\"}"},
        {"Get \"http://127.0.0.1:%d/json\": net/http: invalid header field name \"a b\"",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\", \"headers\": {\"a "
         "b\": \"1\"}}"},
        {"Get \"http://127.0.0.1:%d/json\": net/http: invalid header field value for \"A\"",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\", \"headers\": {\"a\": "
         "\"1\\r\\nX: y\"}}"},
    };
    expect_errs(&pol, P, bad_requests, NCASES(bad_requests));
    assert_int_equal(ts_hits_of("/json"), h0); /* nothing was sent */
}

/* ---- requests and responses ----------------------------------------------------------------- */

static void test_get_json(void **state) {
    (void)state;
    call q;
    q_init(&q, &pol);
    assert_int_equal(
        q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\"}", srv.port),
        RB_OK);
    assert_string_equal(at(&q, "status"), "\"200 OK\"");
    assert_string_equal(at(&q, "status_code"), "200");
    assert_string_equal(at(&q, "body"), "{\"a\":1,\"b\":[true,null]}");
    assert_string_equal(at(&q, "raw_body"), "\"{\\\"a\\\": 1, \\\"b\\\": [true, null]}\"");
    assert_string_equal(at(&q, "headers.content-type"), "[\"application/json; charset=utf-8\"]");
    assert_string_equal(at(&q, "headers.content-length"), "[\"27\"]");
    assert_string_equal(at(&q, "headers.connection"), "[\"close\"]");
    /* decoding rules */
    q_send(&q, "{\"method\": \"get\", \"url\": \"HTTP://127.0.0.1:%d/json\"}", srv.port);
    assert_string_equal(at(&q, "status_code"), "200");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/yaml\"}", srv.port);
    assert_string_equal(at(&q, "body"), "{\"a\":1,\"b\":[\"x\",true]}");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/text\"}", srv.port);
    assert_string_equal(at(&q, "body"), "null");
    q_send(
        &q,
        "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/text\", \"force_json_decode\": true}",
        srv.port);
    assert_string_equal(at(&q, "body"), "{\"a\":1}");
    q_send(
        &q,
        "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/text\", \"force_yaml_decode\": true}",
        srv.port);
    assert_string_equal(at(&q, "body"), "{\"a\":1}");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/trail\"}", srv.port);
    assert_string_equal(at(&q, "body"), "{\"a\":\"}\"}"); /* Go keeps the first value */
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/badjson\"}", srv.port);
    assert_string_equal(at(&q, "body"), "null");
    assert_string_equal(at(&q, "raw_body"), "\"{\\\"a\\\": \"");
    /* repeated headers and trimming; gzip decoded like Go's transport */
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/multi\"}", srv.port);
    assert_string_equal(at(&q, "headers.set-cookie"), "[\"a=1\",\"b=2\"]");
    assert_string_equal(at(&q, "headers.x-mixed-case"), "[\"v\"]");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/gzip\"}", srv.port);
    assert_string_equal(at(&q, "body"), "{\"z\":1}");
    assert_string_equal(at(&q, "headers.content-encoding"), "<missing>");
    assert_string_equal(at(&q, "headers.content-length"), "<missing>");
    q_free(&q);
}

static void test_bodies_and_headers(void **state) {
    (void)state;
    call q;
    q_init(&q, &pol);
    int P = srv.port;
    q_send(&q,
           "{\"method\": \"post\", \"url\": \"http://127.0.0.1:%d/echo\", \"body\": {\"b\": [1, "
           "2.50], \"a\": \"<&>\"}}",
           P);
    assert_string_equal(at(&q, "body.method"), "\"POST\"");
    assert_string_equal(at(&q, "body.body"),
                        "\"{\\\"a\\\":\\\"\\\\u003c\\\\u0026\\\\u003e\\\",\\\"b\\\":[1,2.50]}\"");
    const char *h = echo_headers(&q);
    assert_non_null(strstr(h, "Content-Length: 39"));
    assert_null(strstr(h, "Content-Type")); /* curl's form type suppressed */
    assert_null(strstr(h, "Accept:"));
    assert_null(strstr(h, "Expect"));
    assert_non_null(strstr(h, "Connection: close"));
    assert_non_null(strstr(h, "User-Agent: gatehouse/"));
    assert_non_null(strstr(h, "Accept-Encoding: gzip"));
    /* raw_body wins over body; caller headers canonicalised; UA overridable;
     * Content-Length from the caller is ignored (the transport writes it) */
    q_send(&q,
           "{\"method\": \"put\", \"url\": \"http://127.0.0.1:%d/echo\", \"raw_body\": \"abc\", "
           "\"body\": 1,"
           " \"headers\": {\"x-foo\": \"bar\", \"content-type\": \"text/x\", \"user-agent\": \"t\","
           " \"content-length\": \"99\", \"x-empty\": \"\"}}",
           P);
    assert_string_equal(at(&q, "body.body"), "\"abc\"");
    assert_string_equal(at(&q, "body.method"), "\"PUT\"");
    h = echo_headers(&q);
    assert_non_null(strstr(h, "X-Foo: bar"));
    assert_non_null(strstr(h, "Content-Type: text/x"));
    assert_non_null(strstr(h, "User-Agent: t"));
    assert_non_null(strstr(h, "Content-Length: 3"));
    assert_null(strstr(h, "Content-Length: 99"));
    assert_non_null(strstr(h, "X-Empty:"));
    /* methods */
    q_send(&q, "{\"method\": \"\", \"url\": \"http://127.0.0.1:%d/echo\"}", P);
    assert_string_equal(at(&q, "body.method"), "\"GET\"");
    assert_null(strstr(echo_headers(&q), "Content-Length"));
    q_send(&q, "{\"method\": \"delete\", \"url\": \"http://127.0.0.1:%d/echo\"}", P);
    assert_string_equal(at(&q, "body.method"), "\"DELETE\"");
    q_send(&q, "{\"method\": \"patch\", \"url\": \"http://127.0.0.1:%d/echo\"}", P);
    assert_non_null(strstr(echo_headers(&q), "Content-Length: 0"));
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/echo\", \"body\": {\"q\": 1}}",
           P);
    assert_string_equal(at(&q, "body.method"), "\"GET\"");
    assert_string_equal(at(&q, "body.body"), "\"{\\\"q\\\":1}\"");
    q_send(&q, "{\"method\": \"head\", \"url\": \"http://127.0.0.1:%d/json\"}", P);
    assert_string_equal(at(&q, "status_code"), "200");
    assert_string_equal(at(&q, "raw_body"), "\"\"");
    q_free(&q);
}

static void test_status_codes(void **state) {
    (void)state;
    call q;
    q_init(&q, &pol);
    int codes[] = {201, 204, 404, 418, 500, 503};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/status?code=%d\"}",
               srv.port, codes[i]);
        char want[32];
        snprintf(want, sizeof want, "%d", codes[i]);
        assert_string_equal(at(&q, "status_code"), want);
        snprintf(want, sizeof want, "\"%d Whatever\"", codes[i]);
        assert_string_equal(at(&q, "status"), want);
    }
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/noreason\"}", srv.port);
    assert_string_equal(at(&q, "status"), "\"200\"");
    q_free(&q);
}

/* ---- failures ------------------------------------------------------------------------------- */

static void test_timeouts(void **state) {
    (void)state;
    int P = srv.port;
    double t0 = mono_s();
    static const err_case timed_out[] = {
        {"Get http://127.0.0.1:%d/slow?ms=3000: request timed out",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/slow?ms=3000\", \"timeout\": "
         "\"200ms\"}"},
        /* 1ns: already expired, as in Go */
        {"Get http://127.0.0.1:%d/json: request timed out",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\", \"timeout\": \"1\"}"},
    };
    expect_errs(&pol, P, timed_out, NCASES(timed_out));
    assert_true(mono_s() - t0 < 2.0);
    /* the policy default and cap */
    static const err_case by_default[] = {
        {"Get http://127.0.0.1:%d/slow?ms=3000: request timed out",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/slow?ms=3000\"}"},
    };
    pol.timeout_ns = 200000000;
    expect_errs(&pol, P, by_default, NCASES(by_default));
    static const err_case capped[] = {
        {"Get http://127.0.0.1:%d/slow?ms=3000: request timed out",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/slow?ms=3000\", \"timeout\": 0}"},
    };
    pol.timeout_ns = 0;
    pol.max_timeout_ns = 200000000;
    expect_errs(&pol, P, capped, NCASES(capped));
    /* raise_error false: a response describing the network error */
    call q;
    q_init(&q, &pol);
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/slow?ms=3000\", \"raise_error\": "
           "false}",
           P);
    assert_string_equal(at(&q, "status_code"), "0");
    assert_string_equal(at(&q, "error.code"), "\"eval_http_send_network_error\"");
    char want[256];
    snprintf(want, sizeof want,
             "\"Get \\\"http://127.0.0.1:%d/slow?ms=3000\\\": context deadline exceeded "
             "(Client.Timeout exceeded while awaiting headers)\"",
             P);
    assert_string_equal(at(&q, "error.message"), want);
    q_free(&q);
    assert_true(mono_s() - t0 < 4.0);
}

static void test_network_errors(void **state) {
    (void)state;
    int D = ts_dead_port();
    static const err_case refused[] = {
        {"Get \"http://127.0.0.1:%d/x\": dial tcp 127.0.0.1:%d: connect: connection refused",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/x\"}"},
    };
    expect_errs(&pol, D, refused, NCASES(refused));
    call q;
    q_init(&q, &pol);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/x\", \"raise_error\": false}",
           D);
    assert_string_equal(at(&q, "error.code"), "\"eval_http_send_network_error\"");
    assert_non_null(strstr(at(&q, "error.message"), "connection refused"));
    /* an internal (request) error with raise_error false */
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/x\", \"raise_error\": false, "
           "\"cache\": 1}",
           D);
    assert_string_equal(at(&q, "error.code"), "\"eval_http_send_internal_error\"");
    assert_string_equal(at(&q, "error.message"),
                        "\"eval_builtin_error: http.send: invalid value for \\\"cache\\\" field\"");
    q_free(&q);
    static const err_case failing[] = {
        {"Post \"http://127.0.0.1:%d/close\": EOF",
         "{\"method\": \"post\", \"url\": \"http://127.0.0.1:%d/close\"}"},
        /* schemes other than http/https never reach libcurl */
        {"Get \"ftp://127.0.0.1/x\": unsupported protocol scheme \"ftp\"",
         "{\"method\": \"get\", \"url\": \"ftp://127.0.0.1/x\"}"},
        {"Get \"file:///etc/passwd\": unsupported protocol scheme \"file\"",
         "{\"method\": \"get\", \"url\": \"file:///etc/passwd\"}"},
        {"Get \"http:///x\": http: no Host in request URL",
         "{\"method\": \"get\", \"url\": \"http:///x\"}"},
        /* stricter than Go, which would put the space on the request line */
        {"parse \"http://127.0.0.1/a?b c\": Bad query",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1/a?b c\"}"},
        {"Get \"\": unsupported protocol scheme \"\"", "{\"method\": \"get\", \"url\": \"\"}"},
        {"Get \"gopher://x/\": unsupported protocol scheme \"gopher\"",
         "{\"method\": \"get\", \"url\": \"gopher://x/\"}"},
    };
    expect_errs(&pol, srv.port, failing, NCASES(failing));
}

/* Make the next /flaky request one the server drops. */
static void flaky_align(void) {
    if (ts_hits_of("/flaky") % 2 == 1) ts_hit("/flaky", 1);
}

static void test_retries(void **state) {
    (void)state;
    int P = srv.port;
    /* the policy allows no retry: the first failure is final */
    static const err_case no_retry[] = {
        {"Get \"http://127.0.0.1:%d/flaky\": EOF",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/flaky\", \"max_retry_attempts\": "
         "3}"},
    };
    flaky_align();
    expect_errs(&pol, P, no_retry, NCASES(no_retry));
    pol.max_retry_attempts = 3;
    call q;
    q_init(&q, &pol);
    flaky_align();
    int h0 = ts_hits_of("/flaky");
    q_send(
        &q,
        "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/flaky\", \"max_retry_attempts\": 3}",
        P);
    assert_string_equal(at(&q, "raw_body"), "\"ok\"");
    assert_int_equal(ts_hits_of("/flaky") - h0, 2);
    /* the request's own count still applies: none asked, none made */
    flaky_align();
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/flaky\"}", P);
    assert_int_equal(q.rc, GH_EINVAL);
    q_free(&q);
}

static void test_limits(void **state) {
    (void)state;
    int P = srv.port;
    pol.max_response_bytes = 1000;
    static const err_case too_big[] = {
        {"Get \"http://127.0.0.1:%d/big?n=5000\": response body exceeds the limit of 1000 bytes",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/big?n=5000\"}"},
        {"Get \"http://127.0.0.1:%d/bigchunked?n=5000\": response body exceeds the limit of "
         "1000 bytes",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/bigchunked?n=5000\"}"},
        {"Get \"http://127.0.0.1:%d/hdrbomb\": net/http: server response headers exceeded "
         "262144 bytes; aborted",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/hdrbomb\"}"},
    };
    expect_errs(&pol, P, too_big, NCASES(too_big));
    call q;
    q_init(&q, &pol);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/big?n=1000\"}", P);
    assert_string_equal(at(&q, "headers.content-length"), "[\"1000\"]");
    q_free(&q);
}

/* ---- redirects and the allow list ----------------------------------------------------------- */

static void test_redirects(void **state) {
    (void)state;
    int P = srv.port;
    call q;
    q_init(&q, &pol);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/redirect?to=/json\"}", P);
    assert_string_equal(at(&q, "status_code"), "302");
    assert_string_equal(at(&q, "headers.location"), "[\"/json\"]");
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/redirect?to=/json\", "
           "\"enable_redirect\": true}",
           P);
    assert_string_equal(at(&q, "body.a"), "1");
    /* 302 turns POST into a bodiless GET; 307 keeps both */
    q_send(&q,
           "{\"method\": \"post\", \"url\": \"http://127.0.0.1:%d/redirect?to=/echo\", "
           "\"enable_redirect\": true,"
           " \"body\": \"x\", \"headers\": {\"Authorization\": \"secret\"}}",
           P);
    assert_string_equal(at(&q, "body.method"), "\"GET\"");
    assert_string_equal(at(&q, "body.body"), "\"\"");
    const char *h = echo_headers(&q);
    assert_non_null(strstr(h, "Referer: http://127.0.0.1:"));
    assert_non_null(strstr(h, "Authorization: secret")); /* same host: kept */
    q_send(&q,
           "{\"method\": \"post\", \"url\": \"http://127.0.0.1:%d/redirect?to=/echo&code=307\", "
           "\"enable_redirect\": 1, \"body\": \"x\"}",
           P);
    assert_string_equal(at(&q, "body.method"), "\"POST\"");
    assert_string_equal(at(&q, "body.body"), "\"\\\"x\\\"\"");
    /* cross-host redirect drops credentials */
    q_send(&q,
           "{\"method\": \"get\", \"url\": "
           "\"http://localhost:%d/redirect?to=http://127.0.0.1:%d/echo\","
           " \"enable_redirect\": true, \"headers\": {\"Authorization\": \"secret\", \"Host\": "
           "\"localhost\"}}",
           P, P);
    assert_null(strstr(echo_headers(&q), "Authorization"));
    assert_non_null(
        strstr(echo_headers(&q), "Host: 127.0.0.1:")); /* caller Host not carried over */
    q_free(&q);
    static const err_case bad_hops[] = {
        {"Get \"ftp://127.0.0.1/x\": unsupported protocol scheme \"ftp\"",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/redirect?to=ftp://127.0.0.1/x\", "
         "\"enable_redirect\": true}"},
        {"Get \"http://127.0.0.1:%d/loop\": stopped after 10 redirects",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/loop\", \"enable_redirect\": true}"},
    };
    expect_errs(&pol, P, bad_hops, NCASES(bad_hops));
    /* every hop is checked against the allow list */
    static const err_case unallowed_hop[] = {
        {"Get \"http://localhost:%d/json\": unallowed host: localhost",
         "{\"method\": \"get\", \"url\": "
         "\"http://127.0.0.1:%d/redirect?to=http://localhost:%d/json\", \"enable_redirect\": "
         "true}"},
    };
    const char *allow[] = {"127.0.0.1"};
    pol.allow = allow;
    pol.nallow = 1;
    expect_errs(&pol, P, unallowed_hop, NCASES(unallowed_hop));
}

static void test_allow_list(void **state) {
    (void)state;
    int P = srv.port;
    char e1[128], e2[128], e3[128], e4[128];
    snprintf(e1, sizeof e1, "http://127.0.0.1:%d/json", P);
    snprintf(e2, sizeof e2, "localhost:%d", P);
    snprintf(e3, sizeof e3, "http://127.0.0.1:%d/dir/", P);
    snprintf(e4, sizeof e4, "*.example.com");
    const char *allow[] = {e1, e2, e3, e4};
    pol.allow = allow;
    pol.nallow = 4;
    call q;
    q_init(&q, &pol);
    assert_int_equal(q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\"}", P),
                     RB_OK);
    assert_int_equal(
        q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json?x=1\"}", P), RB_OK);
    assert_int_equal(q_send(&q, "{\"method\": \"get\", \"url\": \"http://LOCALHOST:%d/echo\"}", P),
                     RB_OK);
    assert_int_equal(q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/dir/x\"}", P),
                     RB_OK);
    assert_string_equal(at(&q, "status_code"), "404");
    q_free(&q);
    /* path boundary, dot segments, other port, other scheme, other host */
    static const err_case unallowed[] = {
        {"unallowed url: http://127.0.0.1:%d/jsonx",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/jsonx\"}"},
        {"unallowed url: http://127.0.0.1:%d/dir/../echo",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/dir/../echo\"}"},
        {"unallowed url: https://127.0.0.1:1/json",
         "{\"method\": \"get\", \"url\": \"https://127.0.0.1:1/json\"}"},
        {"unallowed url: http://localhost:1/json",
         "{\"method\": \"get\", \"url\": \"http://localhost:1/json\"}"},
        {"unallowed host: 127.0.0.2", "{\"method\": \"get\", \"url\": \"http://127.0.0.2:1/\"}"},
        {"unallowed host: example.com", "{\"method\": \"get\", \"url\": \"http://example.com/\"}"},
        {"unallowed host: x.example.com.evil",
         "{\"method\": \"get\", \"url\": \"http://x.example.com.evil/\"}"},
        {"unallowed host: evil.com",
         "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d@evil.com/json\"}"},
    };
    expect_errs(&pol, P, unallowed, NCASES(unallowed));
    /* the wildcard matches subdomains (curl resolves *.localhost itself) */
    snprintf(e4, sizeof e4, "*.localhost"); /* allow[3] points at e4 */
    call r;
    q_init(&r, &pol);
    assert_int_equal(
        q_send(&r, "{\"method\": \"get\", \"url\": \"http://api.localhost:%d/json\"}", P), RB_OK);
    assert_string_equal(at(&r, "body.a"), "1");
    q_free(&r);
    expect_err(&pol, GH_EINVAL, "unallowed host: localhost.evil",
               "{\"method\": \"get\", \"url\": \"http://localhost.evil/\"}");
}

/* ---- TLS -------------------------------------------------------------------------------- */

static const char *jq(gh_arena *a, const char *s) {
    gh_buf b;
    gh_buf_init(&b);
    gh_json_quote(&b, s, strlen(s));
    char *r = gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return r;
}

static void test_tls(void **state) {
    (void)state;
    int T = tsrv.port, M = msrv.port;
    gh_arena a;
    gh_arena_init(&a, 0);
    char want[256];
    snprintf(want, sizeof want,
             "Get \"https://127.0.0.1:%d/json\": x509: certificate signed by unknown authority", T);
    expect_err(&pol, GH_EINVAL, want,
               "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/json\"}", T);
    call q;
    q_init(&q, &pol);
    q_send(&q, "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/json\", \"tls_ca_cert\": %s}",
           T, jq(&a, pki.ca_pem));
    assert_string_equal(at(&q, "body.a"), "1");
    /* OPA accepts literal \n escapes in tls_ca_cert */
    gh_buf esc;
    gh_buf_init(&esc);
    for (const char *p = pki.ca_pem; *p; p++)
        if (*p == '\n')
            gh_buf_puts(&esc, "\\n");
        else
            gh_buf_putc(&esc, *p);
    q_send(&q, "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", \"tls_ca_cert\": %s}",
           T, jq(&a, esc.p));
    gh_buf_free(&esc);
    assert_string_equal(at(&q, "status_code"), "200");
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/json\", \"tls_ca_cert_file\": "
           "\"%s\","
           " \"tls_use_system_certs\": true}",
           T, ca_file);
    assert_string_equal(at(&q, "status_code"), "200");
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/json\", "
           "\"tls_insecure_skip_verify\": true}",
           T);
    assert_string_equal(at(&q, "status_code"), "200");
    /* the TLS name: tls_server_name and a Host header */
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/echo\", \"tls_ca_cert_file\": "
           "\"%s\","
           " \"tls_server_name\": \"localhost\"}",
           T, ca_file);
    assert_non_null(strstr(echo_headers(&q), "Host: 127.0.0.1:"));
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/echo\", \"tls_ca_cert_file\": "
           "\"%s\","
           " \"headers\": {\"host\": \"localhost\"}}",
           T, ca_file);
    assert_non_null(strstr(echo_headers(&q), "Host: localhost"));
    snprintf(
        want, sizeof want,
        "Get \"https://127.0.0.1:%d/json\": x509: certificate is valid for localhost, not other",
        T);
    expect_err(&pol, GH_EINVAL, want,
               "{\"method\": \"get\", \"url\": \"https://127.0.0.1:%d/json\", "
               "\"tls_ca_cert_file\": \"%s\", \"tls_server_name\": \"other\"}",
               T, ca_file);
    /* mutual TLS: inline, files, environment */
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", \"tls_ca_cert\": %s,"
           " \"tls_client_cert\": %s, \"tls_client_key\": %s}",
           M, jq(&a, pki.ca_pem), jq(&a, pki.cli_pem), jq(&a, pki.cli_key));
    assert_string_equal(at(&q, "body.a"), "1");
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", \"tls_ca_cert_file\": "
           "\"%s\","
           " \"tls_client_cert_file\": \"%s\", \"tls_client_key_file\": \"%s\"}",
           M, ca_file, cli_file, key_file);
    assert_string_equal(at(&q, "body.a"), "1");
    setenv("GH_TEST_CA", pki.ca_pem, 1);
    setenv("GH_TEST_CERT", pki.cli_pem, 1);
    setenv("GH_TEST_KEY", pki.cli_key, 1);
    q_send(&q,
           "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
           "\"tls_ca_cert_env_variable\": \"GH_TEST_CA\","
           " \"tls_client_cert_env_variable\": \"GH_TEST_CERT\", \"tls_client_key_env_variable\": "
           "\"GH_TEST_KEY\"}",
           M);
    assert_string_equal(at(&q, "body.a"), "1");
    q_free(&q);
    expect_err(&pol, GH_EINVAL, "tls: private key does not match public key",
               "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", \"tls_client_cert\": "
               "%s, \"tls_client_key\": %s}",
               M, jq(&a, pki.cli_pem), jq(&a, pki.other_key));
    expect_err(
        &pol, GH_EINVAL,
        "could not add CA certificates from envvar \"GH_TEST_NOPE\": could not append certificates",
        "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
        "\"tls_ca_cert_env_variable\": \"GH_TEST_NOPE\"}",
        M);
    snprintf(want, sizeof want, "could not append CA certificates from \"%s\"", key_file);
    expect_err(&pol, GH_EINVAL, want,
               "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
               "\"tls_ca_cert_file\": \"%s\"}",
               M, key_file);
    /* policy switches */
    pol.allow_local_files = false;
    pol.allow_insecure_tls = false;
    expect_err(&pol, GH_EINVAL, "tls_ca_cert_file is disabled by configuration",
               "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
               "\"tls_ca_cert_file\": \"%s\"}",
               T, ca_file);
    expect_err(&pol, GH_EINVAL, "tls_client_key_env_variable is disabled by configuration",
               "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
               "\"tls_client_key_env_variable\": \"X\"}",
               T);
    expect_err(&pol, GH_EINVAL, "tls_insecure_skip_verify is disabled by configuration",
               "{\"method\": \"get\", \"url\": \"https://localhost:%d/json\", "
               "\"tls_insecure_skip_verify\": true}",
               T);
    gh_arena_free(&a);
}

/* ---- caching -------------------------------------------------------------------------------- */

static void test_intra_query_cache(void **state) {
    (void)state;
    int P = srv.port;
    call q;
    q_init(&q, &pol);
    int h0 = ts_hits_of("/cache");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache\"}", P);
    const char *first = at(&q, "body.n");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache\"}", P);
    assert_string_equal(at(&q, "body.n"), first);
    assert_int_equal(ts_hits_of("/cache") - h0, 1);
    /* a different request object is a different entry */
    q_send(&q, "{\"method\": \"GET\", \"url\": \"http://127.0.0.1:%d/cache\"}", P);
    assert_int_equal(ts_hits_of("/cache") - h0, 2);
    /* 500 is not memoised (OPA keeps only cacheable status codes) */
    int h5 = ts_hits_of("/cache500");
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache500\"}", P);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache500\"}", P);
    assert_int_equal(ts_hits_of("/cache500") - h5, 2);
    q_free(&q);
    /* a new query asks again */
    q_init(&q, &pol);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache\"}", P);
    assert_int_equal(ts_hits_of("/cache") - h0, 3);
    /* errors are memoised too: the second call reports without connecting */
    int D = ts_dead_port();
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/\"}", D);
    char e1[512];
    snprintf(e1, sizeof e1, "%s", q.e.msg);
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/\"}", D);
    assert_int_equal(q.rc, GH_EINVAL);
    assert_string_equal(q.e.msg, e1);
    q_free(&q);
}

/* One query (its own bctx) at time now. */
static const char *query_n(const char *path_q, int64_t now, const char *extra) {
    static char res[GH_ERR_MSG];
    call q;
    q_init(&q, &pol);
    q.c.now_ns = now;
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d%s\", \"cache\": true%s}",
           srv.port, path_q, extra);
    snprintf(res, sizeof res, "%s", q.rc == RB_OK ? at(&q, "body.n") : q.e.msg);
    q_free(&q);
    return res;
}

static void test_inter_query_cache(void **state) {
    (void)state;
    pol.cache = rego_http_cache_new(0);
    assert_non_null(pol.cache);
    int64_t now = wall_ns();
    /* max-age=60: fresh for later queries, stale two minutes on */
    int h0 = ts_hits_of("/cache");
    char a1[32];
    snprintf(a1, sizeof a1, "%s", query_n("/cache?age=60", now, ""));
    assert_string_equal(query_n("/cache?age=60", now + 1000000000ll, ""), a1);
    assert_int_equal(ts_hits_of("/cache") - h0, 1);
    query_n("/cache?age=60", now + 120000000000ll, "");
    assert_int_equal(ts_hits_of("/cache") - h0, 2);
    /* no-store is not kept; force_cache overrides it for its duration */
    int hn = ts_hits_of("/nostore");
    query_n("/nostore", now, "");
    query_n("/nostore", now, "");
    assert_int_equal(ts_hits_of("/nostore") - hn, 2);
    const char *fc = ", \"force_cache\": true, \"force_cache_duration_seconds\": 30";
    query_n("/nostore", now, fc);
    query_n("/nostore", now + 10000000000ll, fc);
    assert_int_equal(ts_hits_of("/nostore") - hn, 3);
    query_n("/nostore", now + 40000000000ll, fc);
    assert_int_equal(ts_hits_of("/nostore") - hn, 4);
    /* Expires; no Date at all (never fresh unless forced) */
    int he = ts_hits_of("/expires");
    query_n("/expires", now, "");
    query_n("/expires", now + 1000000000ll, "");
    assert_int_equal(ts_hits_of("/expires") - he, 1);
    int hd = ts_hits_of("/nodate");
    query_n("/nodate", now, "");
    query_n("/nodate", now, "");
    assert_int_equal(ts_hits_of("/nodate") - hd, 2);
    /* stale with an ETag: a conditional request, 304 keeps the cached body */
    int ht = ts_hits_of("/etag");
    char first[32];
    snprintf(first, sizeof first, "%s", query_n("/etag", now, ""));
    assert_string_equal(query_n("/etag", now + 2000000000ll, ""), first);
    assert_int_equal(ts_hits_of("/etag") - ht, 2);
    call q;
    q_init(&q, &pol);
    q.c.now_ns = now + 3000000000ll;
    q_send(&q, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/etag\", \"cache\": true}",
           srv.port);
    assert_string_equal(at(&q, "headers.x-revalidated"), "[\"yes\"]"); /* 304 headers merged */
    assert_string_equal(at(&q, "headers.content-type"), "[\"application/json\"]");
    q_free(&q);
    /* without cache: true nothing is shared */
    int hc = ts_hits_of("/json");
    for (int i = 0; i < 2; i++) {
        call r;
        q_init(&r, &pol);
        q_send(&r, "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/json\"}", srv.port);
        q_free(&r);
    }
    assert_int_equal(ts_hits_of("/json") - hc, 2);
    size_t n, bytes;
    rego_http_cache_stats(pol.cache, &n, &bytes);
    assert_true(n >= 3 && bytes > 0);
    rego_http_cache_free(pol.cache);
    /* the byte bound: oldest entries go first, oversized ones never enter */
    pol.cache = rego_http_cache_new(1500);
    for (int i = 0; i < 5; i++) {
        char p[64];
        snprintf(p, sizeof p, "/cache?age=60&i=%d", i);
        query_n(p, now, "");
    }
    rego_http_cache_stats(pol.cache, &n, &bytes);
    assert_true(n >= 1 && n < 5 && bytes <= 1500);
    int hb = ts_hits_of("/cache");
    query_n("/cache?age=60&i=4", now + 2000000000ll, ""); /* most recent: still there */
    assert_int_equal(ts_hits_of("/cache") - hb, 0);
    query_n("/cache?age=60&i=0", now + 2000000000ll, ""); /* evicted */
    assert_int_equal(ts_hits_of("/cache") - hb, 1);
    rego_http_cache_free(pol.cache);
    pol.cache = NULL;
}

/* Several threads sharing one inter-query cache. */
static void *cache_worker(void *ud) {
    int64_t now = *(int64_t *)ud;
    for (int i = 0; i < 20; i++) {
        call q;
        q_init(&q, &pol);
        q.c.now_ns = now;
        q_send(&q,
               "{\"method\": \"get\", \"url\": \"http://127.0.0.1:%d/cache?age=60&t=%d\", "
               "\"cache\": true}",
               srv.port, i % 4);
        if (q.rc != RB_OK) fail_msg("%s", q.e.msg);
        q_free(&q);
    }
    return NULL;
}

static void test_cache_threads(void **state) {
    (void)state;
    pol.cache = rego_http_cache_new(0);
    int64_t now = wall_ns();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, cache_worker, &now);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    size_t n;
    rego_http_cache_stats(pol.cache, &n, NULL);
    assert_int_equal(n, 4);
    rego_http_cache_free(pol.cache);
    pol.cache = NULL;
}

/* Every arena budget either works or fails cleanly with GH_ENOMEM. */
static void test_arena_budget(void **state) {
    (void)state;
    pol.cache = rego_http_cache_new(0);
    int ok = 0, oom = 0;
    for (size_t budget = 256; budget < 64 * 1024; budget += budget / 8) {
        for (int cached = 0; cached < 2; cached++) {
            call q;
            q_init(&q, &pol);
            gh_arena_free(&q.a);
            gh_arena_init(&q.a, budget);
            q_send(&q,
                   "{\"method\": \"post\", \"url\": \"http://127.0.0.1:%d/echo\", \"cache\": %s,"
                   " \"body\": {\"k\": [1, 2, 3]}, \"headers\": {\"x-a\": \"b\"}}",
                   srv.port, cached ? "true" : "false");
            if (q.rc == RB_OK)
                ok++;
            else if (q.rc == GH_ENOMEM)
                oom++;
            else
                fail_msg("budget %zu: %d %s", budget, q.rc, q.e.msg);
            q_free(&q);
        }
    }
    assert_true(ok > 0 && oom > 0);
    rego_http_cache_free(pol.cache);
    pol.cache = NULL;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_disabled_by_default, setup),
        cmocka_unit_test_setup(test_differential, setup),
        cmocka_unit_test_setup(test_invalid_params, setup),
        cmocka_unit_test_setup(test_get_json, setup),
        cmocka_unit_test_setup(test_bodies_and_headers, setup),
        cmocka_unit_test_setup(test_status_codes, setup),
        cmocka_unit_test_setup(test_timeouts, setup),
        cmocka_unit_test_setup(test_network_errors, setup),
        cmocka_unit_test_setup(test_retries, setup),
        cmocka_unit_test_setup(test_limits, setup),
        cmocka_unit_test_setup(test_redirects, setup),
        cmocka_unit_test_setup(test_allow_list, setup),
        cmocka_unit_test_setup(test_tls, setup),
        cmocka_unit_test_setup(test_intra_query_cache, setup),
        cmocka_unit_test_setup(test_inter_query_cache, setup),
        cmocka_unit_test_setup(test_cache_threads, setup),
        cmocka_unit_test_setup(test_arena_budget, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
