/* test_trace.c - unit tests of the evaluation tracer (rego.h section 8), of
 * print_at and of host builtins (rego_builtin_register): events come in
 * OPA's order and render as OPA's PrettyTrace lines; a registered builtin is
 * found by the compiler, gets rego_eval_opts.host and its call location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rego/builtins/builtins.h"
#include "rego/rego.h"
#include "value/value.h"

static const char *POLICY = "package main\n"
                            "import rego.v1\n"
                            "is_dep if input.kind == \"Deployment\"\n"
                            "labels_ok if {\n"
                            "  input.labels.a\n"
                            "  input.labels.b\n"
                            "}\n"
                            "deny contains msg if {\n"
                            "  is_dep\n"
                            "  not labels_ok\n"
                            "  n := count([y | some y in [1, 2]; y > 1])\n"
                            "  print(\"n is\", n)\n"
                            "  msg := sprintf(\"bad %d\", [n])\n"
                            "}\n"
                            "deny contains \"svc\" if input.kind == \"Service\"\n";

typedef struct sink {
    gh_buf lines;
    gh_buf prints;
} sink;

static void on_trace(void *ud, const rego_trace_event *ev) {
    sink *s = ud;
    rego_trace_format(&s->lines, ev);
    gh_buf_putc(&s->lines, '\n');
}

static void on_print(void *ud, const rego_loc *loc, const char *line, size_t n) {
    sink *s = ud;
    gh_buf_printf(&s->prints, "%s:%u: %.*s\n", loc->file, loc->line, (int)n, line);
}

static int count_cb(void *ud, const rego_result *r) {
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static rego_policy *compile(const char *src) {
    gh_err e;
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    assert_int_equal(rego_policy_add_module(p, "p.rego", src, strlen(src), NULL, &e), 0);
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    return p;
}

static void test_trace_lines(void **state) {
    (void)state;
    rego_policy *p = compile(POLICY);
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_query *q = NULL;
    assert_int_equal(rego_query_prepare(p, &a, "data.main.deny", 14, NULL, &q, &e), 0);
    val_t *in = NULL;
    const char *ij = "{\"kind\":\"Deployment\",\"labels\":{\"a\":1}}";
    assert_int_equal(val_json_parse(&a, ij, strlen(ij), NULL, &in, &e), 0);
    sink s;
    gh_buf_init(&s.lines);
    gh_buf_init(&s.prints);
    rego_eval_opts o = {0};
    o.input = in;
    o.trace = on_trace;
    o.trace_ud = &s;
    o.print_at = on_print;
    o.print_ud = &s;
    int n = 0;
    assert_int_equal(rego_query_eval(q, &a, &o, count_cb, &n, &e), 0);
    assert_int_equal(n, 1);
    const char *t = s.lines.p;
    if (getenv("GH_TRACE_DUMP")) fputs(t, stderr);
    assert_non_null(t);
    /* the query, the index, the rule, a nested rule with early exit */
    assert_non_null(strstr(t, "Enter data.main.deny = _\n| Eval data.main.deny = _\n"
                              "| Index data.main.deny (matched 2 rules)\n| Enter data.main.deny\n"
                              "| | Eval data.main.is_dep\n"
                              "| | Index data.main.is_dep (matched 1 rule, early exit)\n"
                              "| | Enter data.main.is_dep\n"
                              "| | | Eval input.kind == \"Deployment\"\n"
                              "| | | Exit data.main.is_dep early\n"
                              "| | Eval not data.main.labels_ok\n"));
    /* negation: a child query whose expression fails */
    assert_non_null(strstr(t, "| | Eval not data.main.labels_ok\n| | Enter data.main.labels_ok\n"
                              "| | | Eval data.main.labels_ok\n"));
    assert_non_null(strstr(t, "| | | | Fail input.labels.b\n| | | | Redo input.labels.a\n"));
    assert_non_null(strstr(t, "| | | Fail data.main.labels_ok\n"));
    /* a comprehension is a closure one level down, with Exit/Redo */
    assert_non_null(strstr(t, "| | | Fail y > 1\n"));
    /* the end: the rule exits, the query exits and is backtracked into */
    assert_non_null(strstr(t, "| | Exit data.main.deny\n| Redo data.main.deny\n"));
    assert_null(strstr(t, "Redo not data.main.labels_ok")); /* as OPA: no Redo of a negation */
    size_t len = strlen(t);
    const char *tail =
        "| Exit data.main.deny = _\nRedo data.main.deny = _\n| Redo data.main.deny = _\n";
    assert_true(len > strlen(tail));
    assert_string_equal(t + len - strlen(tail), tail);
    /* print with its location */
    assert_string_equal(s.prints.p, "p.rego:12: n is 1\n");
    gh_buf_free(&s.lines);
    gh_buf_free(&s.prints);
    gh_arena_free(&a);
    rego_policy_free(p);
}

static void test_trace_format(void **state) {
    (void)state;
    rego_trace_event ev = {0};
    gh_buf b;
    gh_buf_init(&b);
    ev.op = REGO_TRACE_INDEX;
    ev.depth = 3;
    ev.ref = "data.a.b";
    ev.nmatched = 0;
    rego_trace_format(&b, &ev);
    assert_string_equal(b.p, "| | | Index data.a.b (matched 0 rules)");
    gh_buf_reset(&b);
    ev.nmatched = 2;
    rego_trace_format(&b, &ev);
    assert_string_equal(b.p, "| | | Index data.a.b (matched 2 rules)");
    assert_string_equal(rego_trace_op_name(REGO_TRACE_REDO), "Redo");
    gh_buf_reset(&b);
    rego_trace_event note = {0};
    note.op = REGO_TRACE_NOTE;
    note.depth = 2;
    note.ref = "say \"hi\"\n";
    rego_trace_format(&b, &note);
    assert_string_equal(b.p, "| | Note \"say \\\"hi\\\"\\n\"");
    gh_buf_free(&b);
}

/* ---- host builtins ------------------------------------------------------------------- */

static int bi_host_echo(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *tag = c->host;
    if (!tag) return rb_err(c, "no host");
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    char *t = gh_arena_printf(c->a, "%s:%.*s@%u", tag, (int)n, s, c->loc ? c->loc->line : 0);
    *out = t ? val_strc(c->a, t) : NULL;
    return *out ? RB_OK : rb_oom(c);
}

static const rego_builtin host_family[] = {
    {"test_host.echo", 1, 0, bi_host_echo, "(x: string) -> y: string", "test", "echo"},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};

static const rego_builtin clash_family[] = {
    {"count", 1, 0, bi_host_echo, "(x: string) -> y: string", "test", "clash"},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};

static void test_host_builtin(void **state) {
    (void)state;
    gh_err e;
    size_t before = rego_builtin_count();
    assert_null(rego_builtin_find("test_host.echo", 14));
    assert_int_equal(rego_builtin_register(host_family, &e), 0);
    assert_int_equal(rego_builtin_register(host_family, &e), 0); /* idempotent */
    assert_int_equal(rego_builtin_count(), before + 1);
    assert_non_null(rego_builtin_find("test_host.echo", 14));
    assert_int_equal(rego_builtin_register(clash_family, &e), GH_EINVAL);
    assert_non_null(strstr(e.msg, "count"));
    assert_int_equal(rego_builtin_count(), before + 1);

    rego_policy *p = compile("package h\nimport rego.v1\n\nx := test_host.echo(\"hi\")\n");
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_query *q = NULL;
    assert_int_equal(rego_query_prepare(p, &a, "y := data.h.x", 13, NULL, &q, &e), 0);
    rego_eval_opts o = {0};
    o.host = (void *)"H";
    int n = 0;
    assert_int_equal(rego_query_eval(q, &a, &o, count_cb, &n, &e), 0);
    assert_int_equal(n, 1);
    /* the value carries the host tag and the call's row */
    rego_query *q2 = NULL;
    assert_int_equal(rego_query_prepare(p, &a, "data.h.x == \"H:hi@4\"", 20, NULL, &q2, &e), 0);
    n = 0;
    assert_int_equal(rego_query_eval(q2, &a, &o, count_cb, &n, &e), 0);
    assert_int_equal(n, 1);
    /* without a host the builtin fails: undefined, or an error when strict */
    o.host = NULL;
    o.strict_builtin_errors = true;
    assert_int_not_equal(rego_query_eval(q, &a, &o, count_cb, &n, &e), 0);
    assert_non_null(strstr(e.msg, "no host"));
    /* capabilities list it now */
    val_t *caps = NULL;
    assert_int_equal(rego_capabilities(&a, &caps, &e), 0);
    assert_non_null(strstr(val_to_json(&a, caps, 0), "test_host.echo"));
    gh_arena_free(&a);
    rego_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_lines),
        cmocka_unit_test(test_trace_format),
        cmocka_unit_test(test_host_builtin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
