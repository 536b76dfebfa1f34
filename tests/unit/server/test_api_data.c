/* test_api_data.c - the Data API handlers (src/server/api_data.c) called with
 * hand-built requests (no sockets). Expected bodies are what OPA 0.61's
 * server answers for the same requests (decision ids removed, since OPA only
 * sends them with decision logging on, and metrics timings ignored). */
#include "srv_test.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static char *paths[1];
static srv_config cfg;
static srv_ctx ctx;
static srv_worker worker;

static const char *X_REGO = "package x\n"
                            "default allow := false\n"
                            "allow if input.user == \"alice\"\n"
                            "y := 1\n"
                            "z contains v if some v in [1, 2]\n"
                            "f(a) := a\n"
                            "err if { x := 1 / 0 }\n"
                            "conf := v if { v := input.a }\n"
                            "conf := v if { v := input.b }\n"
                            "tag := \"<b>\"\n";
static const char *MAIN_REGO = "package system\nmain := {\"hello\": input}\n";

static int setup(void **st) {
    (void)st;
    strcpy(tmpdir, "/tmp/gh_apidata_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_file(tmpdir, "x.rego", X_REGO);
    write_file(tmpdir, "main.rego", MAIN_REGO);
    srv_test_open_state(&cfg, &ctx, &worker, &paths[0], tmpdir);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    srv_state_worker_done(&worker);
    srv_state_free(ctx.state);
    return rm_rf(tmpdir);
}

typedef struct resp {
    int status;
    char *body; /* decision_id removed */
    char id[40];
} resp;

/* Remove "decision_id":"…" (and its comma) from a body; keep the id. */
static void strip_id(char *b, char *id) {
    char *p = strstr(b, "\"decision_id\"");
    id[0] = 0;
    if (!p) return;
    char *v = strchr(p + 13, '"');
    char *end = v ? strchr(v + 1, '"') : NULL;
    assert_non_null(end);
    snprintf(id, 40, "%.*s", (int)(end - v - 1), v + 1);
    end++;
    if (*end == ',') end++;
    while (*end == '\n' || *end == ' ') {
        if (*end == '\n' && p > b && p[-1] == ' ') break;
        end++;
    }
    /* pretty bodies: drop the whole line */
    char *ls = p;
    while (ls > b && ls[-1] == ' ')
        ls--;
    if (ls > b && ls[-1] == '\n' && strchr(end, '\n')) {
        char *le = strchr(p, '\n');
        memmove(ls, le + 1, strlen(le + 1) + 1);
        return;
    }
    memmove(p, end, strlen(end) + 1);
}

/* Run one handler. which: 1 = /v1/data, 0 = /v0/data, 2 = POST /. */
static resp call(int which, const char *method, const char *rest, const char *query,
                 const char *body, const char *hdr_name, const char *hdr_value) {
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *hn[1] = {hdr_name};
    const char *hv[1] = {hdr_value};
    srv_req rq = {0};
    rq.method = method;
    rq.query = query;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.arena = &a;
    rq.worker = &worker;
    if (hdr_name) {
        rq.hdr_names = hn;
        rq.hdr_values = hv;
        rq.nhdrs = 1;
    }
    srv_resp rs = {0};
    gh_buf_init(&rs.body);
    if (which == 1)
        srv_api_data(&ctx, &rq, &rs, rest);
    else if (which == 0)
        srv_api_v0_data(&ctx, &rq, &rs, rest);
    else
        srv_api_default_decision(&ctx, &rq, &rs, NULL);
    resp r = {rs.status, strdup(rs.body.p ? rs.body.p : ""), ""};
    strip_id(r.body, r.id);
    if (rs.decision_id && r.id[0]) assert_string_equal(rs.decision_id, r.id);
    if (which == 1 && rs.status == 200) assert_non_null(rs.decision_id);
    gh_buf_free(&rs.body);
    gh_arena_free(&a);
    return r;
}

#define EXPECT(r, st, want)                                                                        \
    do {                                                                                           \
        resp r_ = (r);                                                                             \
        if (r_.status != (st) || strcmp(r_.body, (want)))                                          \
            fail_msg("line %d: got %d %s\nwant %d %s", __LINE__, r_.status, r_.body, (st),         \
                     (want));                                                                      \
        free(r_.body);                                                                             \
    } while (0)

static void test_v1_post(void **unused) {
    (void)unused;
    EXPECT(call(1, "POST", "x", NULL, "{\"input\":{\"user\":\"alice\"}}", NULL, NULL), 200,
           "{\"result\":{\"allow\":true,\"tag\":\"\\u003cb\\u003e\",\"y\":1,\"z\":[1,2]}}\n");
    EXPECT(call(1, "POST", "x/allow", NULL, "{\"input\":{\"user\":\"alice\"}}", NULL, NULL), 200,
           "{\"result\":true}\n");
    EXPECT(call(1, "POST", "x/nope", NULL, "{\"input\":{\"user\":\"alice\"}}", NULL, NULL), 200,
           "{}\n");
    const char *warn =
        "{\"result\":false,\"warning\":{\"code\":\"api_usage_warning\",\"message\":\"'input' "
        "key missing from the request\"}}\n";
    EXPECT(call(1, "POST", "x/allow", NULL, NULL, NULL, NULL), 200, warn);
    EXPECT(call(1, "POST", "x/allow", NULL, "{\"user\":\"alice\"}", NULL, NULL), 200, warn);
    EXPECT(call(1, "POST", "x/allow", NULL, "null", NULL, NULL), 200, warn);
    EXPECT(call(1, "POST", "x/allow", NULL, "{\"input\":1} x", NULL, NULL), 200,
           "{\"result\":false}\n");
    EXPECT(call(1, "POST", "x/allow", NULL, "{bad", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"body contains malformed input "
           "document: invalid character 'b' looking for beginning of object key string\"\n}\n");
    EXPECT(
        call(1, "POST", "x/allow", NULL, "[1]", NULL, NULL), 400,
        "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"body contains malformed input "
        "document: json: cannot unmarshal array into Go value of type types.DataRequestV1\"\n}\n");
    /* YAML input as OPA accepts with a yaml content type */
    gh_arena a;
    gh_arena_init(&a, 0);
    srv_req rq = {.method = "POST",
                  .body = "input:\n  user: alice\n",
                  .arena = &a,
                  .worker = &worker,
                  .content_type = "application/x-yaml"};
    rq.body_len = strlen(rq.body);
    srv_resp rs = {0};
    gh_buf_init(&rs.body);
    srv_api_data(&ctx, &rq, &rs, "x/allow");
    assert_int_equal(rs.status, 200);
    assert_non_null(strstr(rs.body.p, "\"result\":true"));
    gh_buf_free(&rs.body);
    gh_arena_free(&a);
}

static void test_v1_conflict_location(void **unused) {
    (void)unused;
    /* the same as above with the real file name */
    resp r = call(1, "POST", "x/conf", NULL, "{\"input\":{\"a\":1,\"b\":2}}", NULL, NULL);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "\"code\": \"eval_conflict_error\""));
    assert_non_null(strstr(r.body, "x.rego\""));
    /* OPA names the first of the two rules; the engine names the one that
     * produced the second value */
    if (!strstr(r.body, "\"row\": 8") && !strstr(r.body, "\"row\": 9")) fail_msg("%s", r.body);
    free(r.body);
    /* builtin errors: undefined unless strict */
    EXPECT(call(1, "POST", "x/err", NULL, "{\"input\":{}}", NULL, NULL), 200, "{}\n");
    r = call(1, "POST", "x/err", "strict-builtin-errors=true", "{\"input\":{}}", NULL, NULL);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "\"code\": \"eval_builtin_error\""));
    assert_non_null(strstr(r.body, "div: divide by zero"));
    free(r.body);
    /* a function is not a document */
    r = call(1, "POST", "x/f", NULL, "{\"input\":{}}", NULL, NULL);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "\"code\": \"internal_error\""));
    assert_non_null(strstr(r.body, "1 error occurred: "));
    free(r.body);
}

static void test_v1_params(void **unused) {
    (void)unused;
    EXPECT(
        call(1, "POST", "x", "pretty=true", "{\"input\":{\"user\":\"alice\"}}", NULL, NULL), 200,
        "{\n  \"result\": {\n    \"allow\": true,\n    \"tag\": \"\\u003cb\\u003e\",\n    \"y\": "
        "1,\n    \"z\": [\n      1,\n      2\n    ]\n  }\n}\n");
    EXPECT(call(1, "POST", "x/y", "pretty=1", "{\"input\":{}}", NULL, NULL), 200,
           "{\"result\":1}\n");
    EXPECT(call(1, "POST", "x/y", "provenance=true", "{\"input\":{}}", NULL, NULL), 200,
           "{\"provenance\":{\"version\":\"0.61.0\",\"build_commit\":\"\",\"build_timestamp\":\"\","
           "\"build_hostname\":\"\",\"revision\":\"1\"},\"result\":1}\n");
    EXPECT(call(1, "POST", "x/y", "explain=notes", "{\"input\":{}}", NULL, NULL), 200,
           "{\"explanation\":[],\"result\":1}\n");
    EXPECT(call(1, "POST", "x/y", "explain=fails", "{\"input\":{}}", NULL, NULL), 200,
           "{\"result\":1}\n");
    /* metrics: first call compiles, the second hits the cache */
    resp r = call(1, "POST", "x/z", "metrics=true", "{\"input\":{}}", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "{\"metrics\":{\"counter_server_query_cache_hit\":0,"
                                   "\"timer_rego_input_parse_ns\":"));
    assert_non_null(strstr(r.body, "\"timer_rego_query_compile_ns\":"));
    assert_non_null(strstr(r.body, "\"timer_server_handler_ns\":"));
    assert_non_null(strstr(r.body, "},\"result\":[1,2]}\n"));
    free(r.body);
    r = call(1, "POST", "x/z", "metrics", "{\"input\":{}}", NULL, NULL);
    assert_non_null(strstr(r.body, "\"counter_server_query_cache_hit\":1,"));
    assert_null(strstr(r.body, "compile"));
    free(r.body);
    /* pretty with several members */
    r = call(1, "POST", "x/y", "pretty&provenance", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\n  \"provenance\": {\n    \"version\": \"0.61.0\",\n    "
                                "\"build_commit\": \"\",\n    \"build_timestamp\": \"\",\n    "
                                "\"build_hostname\": \"\",\n    \"revision\": \"1\"\n  },\n  "
                                "\"result\": 1,\n  \"warning\": {\n    \"code\": "
                                "\"api_usage_warning\",\n    \"message\": \"'input' key missing "
                                "from the request\"\n  }\n}\n");
    free(r.body);
}

static void test_v1_get(void **unused) {
    (void)unused;
    EXPECT(call(1, "GET", "x/allow", NULL, NULL, NULL, NULL), 200, "{\"result\":false}\n");
    EXPECT(call(1, "GET", "x/allow", "input=%7B%22user%22%3A%22alice%22%7D", NULL, NULL, NULL), 200,
           "{\"result\":true}\n");
    EXPECT(call(1, "GET", "x/allow", "input=bad", NULL, NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"parameter contains malformed "
           "input document: invalid character 'b' looking for beginning of value\"\n}\n");
    EXPECT(
        call(1, "GET", NULL, NULL, NULL, NULL, NULL), 200,
        "{\"result\":{\"x\":{\"allow\":false,\"tag\":\"\\u003cb\\u003e\",\"y\":1,\"z\":[1,2]}}}\n");
    /* empty segments are skipped, integers index arrays */
    EXPECT(call(1, "GET", "x//z/1", NULL, NULL, NULL, NULL), 200, "{\"result\":1}\n");
}

static void test_v0(void **unused) {
    (void)unused;
    EXPECT(call(0, "POST", "x/allow", NULL, "{\"user\":\"alice\"}", NULL, NULL), 200, "true\n");
    EXPECT(call(0, "POST", "x/allow", NULL, NULL, NULL, NULL), 200, "false\n");
    EXPECT(call(0, "POST", "x", NULL, "{\"user\":\"alice\"}", NULL, NULL), 200,
           "{\"allow\":true,\"tag\":\"\\u003cb\\u003e\",\"y\":1,\"z\":[1,2]}\n");
    EXPECT(call(0, "POST", "x/nope", NULL, "{}", NULL, NULL), 404,
           "{\n  \"code\": \"undefined_document\",\n  \"message\": \"document missing: "
           "data.x.nope\"\n}\n");
    EXPECT(call(0, "POST", "x/allow", NULL, "{bad", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"unexpected parse error for "
           "input: body contains malformed input document: invalid character 'b' looking for "
           "beginning of object key string\"\n}\n");
    EXPECT(call(0, "POST", "system/main", NULL, NULL, NULL, NULL), 200, "{\"hello\":null}\n");
    /* the default decision */
    EXPECT(call(2, "POST", NULL, NULL, "{\"user\":\"alice\"}", NULL, NULL), 200,
           "{\"hello\":{\"user\":\"alice\"}}\n");
    EXPECT(call(2, "POST", NULL, "pretty=true", "[1]", NULL, NULL), 200,
           "{\n  \"hello\": [\n    1\n  ]\n}\n");
    EXPECT(call(2, "POST", NULL, NULL, "{bad", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"unexpected parse error for "
           "input: body contains malformed input document: invalid character 'b' looking for "
           "beginning of object key string\"\n}\n");
}

static void test_default_undefined(void **unused) {
    (void)unused;
    gh_arena a;
    gh_arena_init(&a, 0);
    srv_change ch = {.kind = SRV_CH_DELETE_MODULE};
    srv_snapshot *s = srv_state_acquire(ctx.state);
    for (size_t i = 0; i < s->nmods; i++)
        if (strstr(s->mods[i].id, "main.rego"))
            ch.id = gh_arena_strndup(&a, s->mods[i].id, strlen(s->mods[i].id));
    srv_snapshot_release(s);
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(srv_state_apply(ctx.state, &ch, &a, NULL, &e), 0);
    EXPECT(call(2, "POST", NULL, NULL, "{}", NULL, NULL), 404,
           "{\n  \"code\": \"undefined_document\",\n  \"message\": \"document missing: "
           "data.system.main\"\n}\n");
    gh_arena_free(&a);
}

static void test_writes(void **unused) {
    (void)unused;
    EXPECT(call(1, "PUT", "foo", NULL, "{\"a\":1}", NULL, NULL), 204, "");
    EXPECT(call(1, "PUT", "foo", NULL, "{\"a\":2}", "If-None-Match", "*"), 304, "");
    EXPECT(call(1, "PUT", "bar", NULL, "{\"a\":2}", "If-None-Match", "*"), 204, "");
    EXPECT(call(1, "GET", "foo", NULL, NULL, NULL, NULL), 200, "{\"result\":{\"a\":1}}\n");
    EXPECT(call(1, "PUT", "foo/a/b", NULL, "3", NULL, NULL), 404,
           "{\n  \"code\": \"resource_conflict\",\n  \"message\": \"storage_write_conflict_error: "
           "/foo/a\"\n}\n");
    resp r = call(1, "PUT", "x/allow", NULL, "3", NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"message\": \"1 error occurred: "));
    assert_non_null(strstr(r.body, "x.rego:2: rego_compile_error: conflicting rule for data path "
                                   "x/allow found\""));
    free(r.body);
    r = call(1, "PUT", "x", NULL, "3", NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "errors occurred:\\n"));
    free(r.body);
    EXPECT(call(1, "PUT", "x/q", NULL, "3", NULL, NULL), 204, "");
    EXPECT(call(1, "PUT", NULL, NULL, "3", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"storage_invalid_patch_error: "
           "root must be object\"\n}\n");
    EXPECT(call(1, "PUT", "foo", NULL, "{bad", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"invalid character 'b' looking "
           "for beginning of object key string\"\n}\n");
    EXPECT(call(1, "PUT", "foo", NULL, NULL, NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"EOF\"\n}\n");
    EXPECT(call(1, "DELETE", "nothere", NULL, NULL, NULL, NULL), 404,
           "{\n  \"code\": \"resource_not_found\",\n  \"message\": \"storage_not_found_error: "
           "/nothere: document does not exist\"\n}\n");
    EXPECT(call(1, "DELETE", "x/allow", NULL, NULL, NULL, NULL), 404,
           "{\n  \"code\": \"resource_not_found\",\n  \"message\": \"storage_not_found_error: "
           "/x/allow: document does not exist\"\n}\n");
    EXPECT(call(1, "DELETE", "foo", NULL, NULL, NULL, NULL), 204, "");
    EXPECT(call(1, "DELETE", "x", NULL, NULL, NULL, NULL), 204, "");
    /* PATCH */
    EXPECT(call(1, "PUT", "arr", NULL, "[1,{\"a\":2}]", NULL, NULL), 204, "");
    EXPECT(call(1, "GET", "arr/0", NULL, NULL, NULL, NULL), 200, "{\"result\":1}\n");
    EXPECT(
        call(1, "PATCH", "arr", NULL, "[{\"op\":\"add\",\"path\":\"/-\",\"value\":3}]", NULL, NULL),
        204, "");
    EXPECT(call(1, "PATCH", "arr", NULL, "[{\"op\":\"add\",\"path\":\"1/b\",\"value\":3}]", NULL,
                NULL),
           204, "");
    EXPECT(call(1, "GET", "arr", NULL, NULL, NULL, NULL), 200,
           "{\"result\":[1,{\"a\":2,\"b\":3},3]}\n");
    EXPECT(
        call(1, "PATCH", "arr", NULL, "[{\"op\":\"test\",\"path\":\"/0\",\"value\":9}]", NULL,
             NULL),
        400,
        "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"bad patch operation: test\"\n}\n");
    EXPECT(call(1, "PATCH", "arr", NULL, "[{\"op\":\"remove\",\"path\":\"/7\"}]", NULL, NULL), 404,
           "{\n  \"code\": \"resource_not_found\",\n  \"message\": \"storage_not_found_error: "
           "/arr/7: array index out of range\"\n}\n");
    EXPECT(call(1, "PATCH", "arr", NULL, "{\"op\":\"add\"}", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"json: cannot unmarshal object "
           "into Go value of type []types.PatchV1\"\n}\n");
    EXPECT(call(1, "PATCH", "arr", NULL, "[{\"path\":\"/7\"}]", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"bad patch operation: \"\n}\n");
    EXPECT(call(1, "PATCH", NULL, NULL, "[1]", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"json: cannot unmarshal number "
           "into Go value of type types.PatchV1\"\n}\n");
    EXPECT(call(1, "PATCH", NULL, NULL, "null", NULL, NULL), 204, "");
    EXPECT(call(1, "PATCH", NULL, NULL, NULL, NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"EOF\"\n}\n");
    EXPECT(call(1, "PATCH", NULL, NULL, "[{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":1}]", NULL,
                NULL),
           204, "");
    EXPECT(call(1, "PATCH", "nope", NULL, "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]", NULL,
                NULL),
           404,
           "{\n  \"code\": \"resource_not_found\",\n  \"message\": \"storage_not_found_error: "
           "/nope/a: document does not exist\"\n}\n");
    EXPECT(call(1, "GET", "a%2Fb", NULL, NULL, NULL, NULL), 200, "{\"result\":1}\n");
    EXPECT(call(1, "DELETE", NULL, NULL, NULL, NULL, NULL), 405, "");
    /* a malformed escape in a patch path is kept as written (OPA) */
    EXPECT(call(1, "PATCH", NULL, NULL, "[{\"op\":\"add\",\"path\":\"a%zz\",\"value\":1}]", NULL,
                NULL),
           204, "");
    EXPECT(call(1, "GET", "a%25zz", NULL, NULL, NULL, NULL), 200, "{\"result\":1}\n");
    /* paths deeper than any document */
    gh_buf deep;
    gh_buf_init(&deep);
    for (int i = 0; i < 600; i++)
        gh_buf_puts(&deep, "a/");
    EXPECT(call(1, "PUT", deep.p, NULL, "1", NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"path has too many "
           "segments\"\n}\n");
    EXPECT(call(1, "GET", deep.p, NULL, NULL, NULL, NULL), 400,
           "{\n  \"code\": \"invalid_parameter\",\n  \"message\": \"path has too many "
           "segments\"\n}\n");
    gh_buf_free(&deep);
    /* invalid UTF-8 in a body becomes U+FFFD, as Go's decoder does */
    EXPECT(call(1, "PUT", "u", NULL,
                "\"a\xff"
                "b\"",
                NULL, NULL),
           204, "");
    EXPECT(call(1, "GET", "u", NULL, NULL, NULL, NULL), 200,
           "{\"result\":\"a\xef\xbf\xbd"
           "b\"}\n");
}

static void test_pretty_empty(void **unused) {
    (void)unused;
    EXPECT(call(1, "PUT", "e", NULL, "{}", NULL, NULL), 204, "");
    EXPECT(call(1, "GET", "e", "pretty=true", NULL, NULL, NULL), 200, "{\n  \"result\": {}\n}\n");
    EXPECT(call(1, "GET", "x/z", "pretty=true", NULL, NULL, NULL), 200,
           "{\n  \"result\": [\n    1,\n    2\n  ]\n}\n");
    EXPECT(call(0, "POST", "x", "pretty=true", "{\"user\":\"alice\"}", NULL, NULL), 200,
           "{\n  \"allow\": true,\n  \"tag\": \"\\u003cb\\u003e\",\n  \"y\": 1,\n  \"z\": [\n    "
           "1,\n    2\n  ]\n}\n");
    EXPECT(call(1, "PUT", "a%2Fb", NULL, "1", NULL, NULL), 204, "");
    EXPECT(call(1, "GET", "a%2Fb", NULL, NULL, NULL, NULL), 200, "{\"result\":1}\n");
    EXPECT(call(1, "GET", NULL, NULL, NULL, NULL, NULL), 200,
           "{\"result\":{\"a/b\":1,\"e\":{},\"x\":{\"allow\":false,\"tag\":\"\\u003cb\\u003e\","
           "\"y\":1,\"z\":[1,2]}}}\n");
}

/* Decision ids: present, UUID-shaped, different per decision. */
static void test_decision_ids(void **unused) {
    (void)unused;
    resp a = call(1, "POST", "x/y", NULL, "{\"input\":{}}", NULL, NULL);
    resp b = call(1, "POST", "x/y", NULL, "{\"input\":{}}", NULL, NULL);
    assert_int_equal(strlen(a.id), 36);
    assert_int_equal(strlen(b.id), 36);
    free(a.body);
    free(b.body);
}

/* The worker's query cache follows snapshot changes. */
static void test_cache_revisions(void **unused) {
    (void)unused;
    EXPECT(call(1, "GET", "k", NULL, NULL, NULL, NULL), 200, "{}\n");
    EXPECT(call(1, "PUT", "k", NULL, "5", NULL, NULL), 204, "");
    EXPECT(call(1, "GET", "k", NULL, NULL, NULL, NULL), 200, "{\"result\":5}\n");
    resp r = call(1, "GET", "k", "metrics", NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "\"counter_server_query_cache_hit\":1"));
    free(r.body);
    EXPECT(call(1, "PUT", "k", NULL, "6", NULL, NULL), 204, "");
    r = call(1, "GET", "k", "metrics", NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "\"counter_server_query_cache_hit\":0"));
    assert_non_null(strstr(r.body, "\"result\":6"));
    free(r.body);
}

/* Readers on their own workers (own query caches) while writes publish new
 * snapshots: every answer is a whole value, nothing leaks (ASan). */
typedef struct race {
    _Atomic bool stop;
    _Atomic long reads;
} race;

static void *reader(void *p) {
    race *r = p;
    srv_worker w = {.index = 1};
    while (!atomic_load(&r->stop)) {
        gh_arena a;
        gh_arena_init(&a, 0);
        srv_req rq = {.method = "POST", .body = "{\"input\":{}}", .arena = &a, .worker = &w};
        rq.body_len = strlen(rq.body);
        srv_resp rs = {0};
        gh_buf_init(&rs.body);
        srv_api_data(&ctx, &rq, &rs, "n");
        if (rs.status != 200 || (!strstr(rs.body.p, "\"result\":") && !strstr(rs.body.p, "}\n")))
            abort();
        gh_buf_free(&rs.body);
        gh_arena_free(&a);
        atomic_fetch_add(&r->reads, 1);
    }
    srv_state_worker_done(&w);
    return NULL;
}

static void test_concurrent_handlers(void **unused) {
    (void)unused;
    race r = {0};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, &r), 0);
    while (atomic_load(&r.reads) == 0)
        usleep(1000);
    int last = 0;
    for (int i = 0; i < 40 || (atomic_load(&r.reads) < 200 && i < 3000); i++) {
        last = i;
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        resp w = call(1, "PUT", "n", NULL, v, NULL, NULL);
        assert_int_equal(w.status, 204);
        free(w.body);
    }
    atomic_store(&r.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    char want[48];
    snprintf(want, sizeof want, "{\"result\":%d}\n", last);
    EXPECT(call(1, "GET", "n", NULL, NULL, NULL, NULL), 200, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v1_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v1_conflict_location, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v1_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v1_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_undefined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pretty_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_revisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_handlers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
