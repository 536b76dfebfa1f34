/* test_explain.c - ?explain=notes|full|debug on /v1/data and /v1/query
 * (src/server/explain.c through api_data.c and api_query.c), with
 * hand-built requests (no sockets). Exact expectations are OPA 0.61's
 * answers where gatehouse matches them (pretty notes, query ids, the event
 * field set); elsewhere the shape is checked (docs/server-api.md lists the
 * differences: compiled node ASTs, locals). */
#include "srv_test.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static char oldcwd[4096];
static char *paths[1];
static srv_config cfg;
static srv_ctx ctx;
static srv_worker worker;

static const char *X_REGO = "package x\n"
                            "\n"
                            "default allow := false\n"
                            "\n"
                            "allow if {\n"
                            "\tinput.user == \"alice\"\n"
                            "\ttrace(\"hello\")\n"
                            "\tnot deny\n"
                            "}\n"
                            "\n"
                            "deny if input.user == \"bob\"\n"
                            "\n"
                            "tagged if trace(\"<a&b>\")\n";

static int setup(void **st) {
    (void)st;
    strcpy(tmpdir, "/tmp/gh_explain_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_file(tmpdir, "x.rego", X_REGO);
    /* loaded as "x.rego" (OPA's location column shows the path as given) */
    assert_non_null(getcwd(oldcwd, sizeof oldcwd));
    assert_int_equal(chdir(tmpdir), 0);
    srv_test_open_state(&cfg, &ctx, &worker, &paths[0], "x.rego");
    return 0;
}

static int teardown(void **st) {
    (void)st;
    srv_state_worker_done(&worker);
    srv_state_free(ctx.state);
    if (chdir(oldcwd)) return -1;
    return rm_rf(tmpdir);
}

/* which: 1 = /v1/data/{rest}, 2 = POST /v1/query, 3 = GET /v1/query.
 * Returns the body (heap) without its decision id; *status the code. */
static char *call(int which, const char *rest, const char *query, const char *body, int *status) {
    gh_arena a;
    gh_arena_init(&a, 0);
    srv_req rq = {0};
    rq.method = which == 3 ? "GET" : "POST";
    rq.query = query;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.arena = &a;
    rq.worker = &worker;
    srv_resp rs = {0};
    gh_buf_init(&rs.body);
    if (which == 1)
        srv_api_data(&ctx, &rq, &rs, rest);
    else if (which == 2)
        srv_api_query_post(&ctx, &rq, &rs, NULL);
    else
        srv_api_query_get(&ctx, &rq, &rs, NULL);
    *status = rs.status;
    char *out = strdup(rs.body.p ? rs.body.p : "");
    /* drop "decision_id":"<36 chars>", (compact) or its pretty line */
    char *p = strstr(out, "\"decision_id\"");
    if (p) {
        char *end = p + strlen("\"decision_id\":") + (p[14] == ' ' ? 1 : 0) + 38;
        if (*end == ',') end++;
        if (*end == '\n') { /* pretty: the whole line goes */
            while (p > out && p[-1] == ' ')
                p--;
            end++;
        }
        memmove(p, end, strlen(end) + 1);
    }
    gh_buf_free(&rs.body);
    gh_arena_free(&a);
    return out;
}

static size_t count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#define ALICE "{\"input\":{\"user\":\"alice\"}}"

static void test_notes_pretty(void **unused) {
    (void)unused;
    int st;
    char *b = call(1, "x/allow", "explain=notes&pretty=true", ALICE, &st);
    assert_int_equal(st, 200);
    /* byte for byte what OPA 0.61 answers */
    assert_string_equal(b, "{\n"
                           "  \"explanation\": [\n"
                           "    \"query:1      Enter data.x.allow = _\",\n"
                           "    \"x.rego:5     | Enter data.x.allow\",\n"
                           "    \"x.rego:7     | | Note \\\"hello\\\"\"\n"
                           "  ],\n"
                           "  \"result\": true\n"
                           "}\n");
    free(b);
    /* no note reached: OPA's one empty line */
    b = call(1, "x/allow", "explain=notes&pretty=true", "{\"input\":{\"user\":\"bob\"}}", &st);
    assert_int_equal(st, 200);
    assert_string_equal(b, "{\n  \"explanation\": [\n    \"\"\n  ],\n  \"result\": false\n}\n");
    free(b);
}

static void test_notes_json(void **unused) {
    (void)unused;
    int st;
    char *b = call(1, "x/allow", "explain=notes", ALICE, &st);
    assert_int_equal(st, 200);
    assert_int_equal(strncmp(b,
                             "{\"explanation\":[{\"op\":\"enter\",\"query_id\":0,\"parent_id\":0,"
                             "\"type\":\"body\",\"node\":[{\"index\":0,\"terms\":",
                             84),
                     0);
    assert_non_null(strstr(b, "{\"op\":\"enter\",\"query_id\":1,\"parent_id\":0,\"type\":\"rule\","
                              "\"node\":{\"body\":[{\"index\":0,"));
    assert_non_null(
        strstr(b, ",{\"op\":\"note\",\"query_id\":1,\"parent_id\":0,\"type\":\"\","
                  "\"node\":null,\"locals\":[],\"message\":\"hello\"}],\"result\":true}\n"));
    assert_int_equal(count(b, "\"op\":"), 3);
    free(b);
    /* undefined notes: an empty explanation, as OPA */
    b = call(1, "x/allow", "explain=notes", "{\"input\":{\"user\":\"bob\"}}", &st);
    assert_string_equal(b, "{\"explanation\":[],\"result\":false}\n");
    free(b);
    /* the message goes through Go's HTML escaping */
    b = call(1, "x/tagged", "explain=notes", "{}", &st);
    assert_int_equal(st, 200);
    assert_non_null(strstr(b, "\"message\":\"\\u003ca\\u0026b\\u003e\""));
    free(b);
}

static void test_full(void **unused) {
    (void)unused;
    int st;
    char *b = call(1, "x/allow", "explain=full", ALICE, &st);
    assert_int_equal(st, 200);
    /* OPA's events: index with its message, the negation's body as query 2
     * (a child of the rule's query 1), the rule's early exit */
    assert_non_null(
        strstr(b, "{\"op\":\"eval\",\"query_id\":0,\"parent_id\":0,\"type\":\"expr\","));
    assert_non_null(strstr(b, "\"locals\":[],\"message\":\"(matched 1 rule, early exit)\"}"));
    assert_non_null(strstr(b, "{\"op\":\"enter\",\"query_id\":2,\"parent_id\":1,\"type\":\"body\","
                              "\"node\":[{\"index\":0,\"terms\":{\"type\":"));
    assert_non_null(
        strstr(b, "{\"op\":\"exit\",\"query_id\":1,\"parent_id\":0,\"type\":\"rule\","));
    assert_non_null(strstr(b, "\"message\":\"early\"}"));
    assert_non_null(
        strstr(b, "{\"op\":\"redo\",\"query_id\":0,\"parent_id\":0,\"type\":\"body\","));
    assert_non_null(strstr(b, "{\"op\":\"fail\",\"query_id\":"));
    assert_non_null(strstr(b, "{\"op\":\"note\",\"query_id\":1,\"parent_id\":0,"));
    assert_non_null(strstr(b, "],\"result\":true}\n"));
    assert_int_equal(count(b, "{\"op\":\"enter\""), count(b, "{\"op\":\"enter\",\"query_id\":"));
    free(b);
    /* debug: the same events (no unify events in gatehouse's tracer) */
    char *d = call(1, "x/allow", "explain=debug", ALICE, &st);
    assert_int_equal(st, 200);
    b = call(1, "x/allow", "explain=full", ALICE, &st);
    assert_string_equal(b, d);
    free(b);
    free(d);
    /* pretty: OPA's location column and indentation */
    b = call(1, "x/allow", "explain=full&pretty=true", ALICE, &st);
    assert_int_equal(st, 200);
    const char *head = "{\n"
                       "  \"explanation\": [\n"
                       "    \"query:1       Enter data.x.allow = _\",\n"
                       "    \"query:1       | Eval data.x.allow = _\",\n"
                       "    \"query:1       | Index data.x.allow (matched 1 rule, early exit)\",\n"
                       "    \"x.rego:5      | Enter data.x.allow\",\n";
    assert_int_equal(strncmp(b, head, strlen(head)), 0);
    assert_non_null(strstr(b, "    \"x.rego:7      | | Note \\\"hello\\\"\",\n"));
    assert_non_null(strstr(b, "    \"x.rego:8      | | Eval not data.x.deny\",\n"));
    assert_non_null(strstr(b, "    \"x.rego:5      | | Exit data.x.allow early\",\n"));
    free(b);
}

static void test_off(void **unused) {
    (void)unused;
    int st;
    /* OPA 0.61's server knows notes, full and debug; the rest is off */
    const char *q[] = {"explain=fails", "explain=off", "explain=bogus", "explain=", NULL};
    for (int i = 0; q[i]; i++) {
        char *b = call(1, "x/allow", q[i], ALICE, &st);
        assert_int_equal(st, 200);
        assert_string_equal(b, "{\"result\":true}\n");
        free(b);
    }
}

static void test_query(void **unused) {
    (void)unused;
    int st;
    char *b = call(2, NULL, "explain=notes",
                   "{\"query\":\"data.x.allow = y\",\"input\":{\"user\":\"alice\"}}", &st);
    assert_int_equal(st, 200);
    assert_int_equal(strncmp(b, "{\"explanation\":[{\"op\":\"enter\",\"query_id\":0,", 43), 0);
    assert_non_null(strstr(b, "\"message\":\"hello\"}],\"result\":[{\"y\":true}]}\n"));
    free(b);
    b = call(3, NULL, "explain=notes&pretty=true&q=x:%3D1", NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(b, "{\n  \"explanation\": [\n    \"\"\n  ],\n  \"result\": [\n    {\n"
                           "      \"x\": 1\n    }\n  ]\n}\n");
    free(b);
    /* no result: the explanation alone */
    b = call(3, NULL, "explain=notes&q=input.nope", NULL, &st);
    assert_string_equal(b, "{\"explanation\":[]}\n");
    free(b);
    b = call(3, NULL, "explain=notes&pretty=true&q=input.nope", NULL, &st);
    assert_string_equal(b, "{\n  \"explanation\": [\n    \"\"\n  ]\n}\n");
    free(b);
    b = call(3, NULL, "explain=full&pretty=true&q=x:%3D1", NULL, &st);
    assert_int_equal(st, 200);
    assert_non_null(
        strstr(b, "    \"query:1     Enter x := 1\",\n    \"query:1     | Eval x := 1\",\n"));
    assert_non_null(strstr(b, "  ],\n  \"result\": [\n"));
    free(b);
    b = call(3, NULL, "explain=fails&q=x:%3D1", NULL, &st);
    assert_string_equal(b, "{\"result\":[{\"x\":1}]}\n");
    free(b);
}

/* Long file names: OPA replaces their longest common directory part with
 * "..." (byte for byte what OPA 0.61 prints for this layout). */
static void test_long_paths(void **unused) {
    (void)unused;
    const char *deep = "long/aaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s/ccccccccc", tmpdir, deep);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/long/zz'", dir, tmpdir);
    assert_int_equal(system(cmd), 0);
    write_file(dir, "policy.rego", X_REGO);
    char zz[128];
    snprintf(zz, sizeof zz, "%s/long/zz", tmpdir);
    write_file(zz, "q.rego", "package y\nq if trace(\"yy\")\n");
    srv_config c2 = {0};
    char abs[128];
    snprintf(abs, sizeof abs, "/tmp/%s/long", strrchr(tmpdir, '/') + 1);
    char *p2[1] = {abs};
    c2.paths = p2;
    c2.npaths = 1;
    srv_ctx saved = ctx;
    srv_worker wsaved = worker;
    memset(&worker, 0, sizeof worker);
    ctx.cfg = &c2;
    gh_err e;
    gh_err_clear(&e);
    ctx.state = srv_state_new(&c2, &e);
    if (!ctx.state) fail_msg("%s", e.msg);
    int st;
    char *b = call(2, NULL, "explain=notes&pretty=true",
                   "{\"query\":\"data.x.allow; data.y.q\",\"input\":{\"user\":\"alice\"}}", &st);
    assert_int_equal(st, 200);
    /* "/tmp/<tmpdir>/long/" is the common part of both directories */
    char want[256];
    snprintf(want, sizeof want,
             "\"/tmp/...aaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/"
             "ccccccccc/policy.rego:5");
    assert_non_null(strstr(b, want));
    assert_non_null(strstr(b, "\"/tmp/...zz/q.rego:2 "));
    /* every line's event text starts in the same column */
    const char *l1 = strstr(b, "Enter data.x.allow\""), *line1 = l1;
    while (line1[-1] != '"')
        line1--;
    const char *l2 = strstr(b, "| | Note \\\"yy"), *line2 = l2;
    while (line2[-1] != '"')
        line2--;
    assert_int_equal(l1 - line1 - 2, l2 - line2); /* "| Enter" vs "| | Note" */
    free(b);
    srv_state_worker_done(&worker);
    srv_state_free(ctx.state);
    ctx = saved;
    worker = wsaved;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notes_pretty), cmocka_unit_test(test_notes_json),
        cmocka_unit_test(test_full),         cmocka_unit_test(test_off),
        cmocka_unit_test(test_query),        cmocka_unit_test(test_long_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
