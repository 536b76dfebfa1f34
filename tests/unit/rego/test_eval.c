/* test_eval.c - unit tests of the Rego compile/evaluate API (rego.h sections
 * 6 and 7): bindings and expression values, rule kinds, functions, `with`,
 * OPA error kinds from the compiler and the evaluator, limits (steps,
 * memory), print(), early stop, and concurrent evaluation of one policy.
 * The conformance corpora test the language in breadth; these tests pin the
 * API contract. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "rego/rego.h"
#include "value/value.h"

typedef struct results {
    gh_arena *a;
    char *text[16]; /* "name=json,name=json" per solution */
    int n;
    int stop_after;
} results;

static int collect(void *ud, const rego_result *r) {
    results *res = ud;
    gh_buf b;
    gh_buf_init(&b);
    for (uint32_t i = 0; i < r->nvars; i++) {
        if (i) gh_buf_putc(&b, ',');
        gh_buf_printf(&b, "%s=", r->names[i]);
        val_json_emit(&b, r->values[i], VAL_JSON_SORTED);
    }
    if (res->n < 16) res->text[res->n] = gh_arena_strndup(res->a, b.p ? b.p : "", b.len);
    res->n++;
    gh_buf_free(&b);
    return res->stop_after && res->n >= res->stop_after;
}

/* Compile modules (NULL-terminated list), run query; returns rc. */
static int run(gh_arena *a, const char *const *mods, const char *data_json, const char *input_json,
               const char *query, results *res, gh_err *e, const rego_eval_opts *opts) {
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    int rc = 0;
    for (int i = 0; mods && mods[i] && !rc; i++) {
        char name[32];
        snprintf(name, sizeof name, "m%d.rego", i);
        rc = rego_policy_add_module(p, name, mods[i], strlen(mods[i]), NULL, e);
    }
    if (!rc && data_json) {
        val_t *d = NULL;
        assert_int_equal(val_json_parse(a, data_json, strlen(data_json), NULL, &d, e), 0);
        rc = rego_policy_add_data(p, d, e);
    }
    if (!rc) rc = rego_policy_compile(p, NULL, e);
    rego_query *q = NULL;
    if (!rc) rc = rego_query_prepare(p, a, query, strlen(query), NULL, &q, e);
    if (!rc) {
        rego_eval_opts o = opts ? *opts : (rego_eval_opts){0};
        val_t *in = NULL;
        if (input_json) {
            assert_int_equal(val_json_parse(a, input_json, strlen(input_json), NULL, &in, e), 0);
            o.input = in;
        }
        res->a = a;
        rc = rego_query_eval(q, a, &o, collect, res, e);
    }
    rego_policy_free(p);
    return rc;
}

static void expect1(const char *const *mods, const char *data, const char *input,
                    const char *query, const char *want) {
    gh_arena a;
    gh_arena_init(&a, 0);
    results r = {0};
    gh_err e;
    gh_err_clear(&e);
    int rc = run(&a, mods, data, input, query, &r, &e, NULL);
    if (rc) fail_msg("error: %s (%s)", e.msg, e.kind ? e.kind : "");
    if (!want) {
        assert_int_equal(r.n, 0);
    } else {
        assert_int_equal(r.n, 1);
        assert_string_equal(r.text[0], want);
    }
    gh_arena_free(&a);
}

static void expect_err(const char *const *mods, const char *query, const char *kind,
                       const char *msg_part) {
    gh_arena a;
    gh_arena_init(&a, 0);
    results r = {0};
    gh_err e;
    gh_err_clear(&e);
    int rc = run(&a, mods, NULL, NULL, query, &r, &e, NULL);
    assert_int_not_equal(rc, 0);
    assert_non_null(e.kind);
    assert_string_equal(e.kind, kind);
    if (!strstr(e.msg, msg_part)) fail_msg("message %s lacks %s", e.msg, msg_part);
    gh_arena_free(&a);
}

static void test_basic_bindings(void **state) {
    (void)state;
    static const char *const m[] = {"package t\np := 1\nq := {\"a\": [1, 2]}\n", NULL};
    expect1(m, NULL, NULL, "x := data.t.p; y = data.t.q.a[1]", "x=1,y=2");
    expect1(m, NULL, NULL, "x := data.t.p; x == 2", NULL);
    /* a lone non-iterating expression reports its value, false included (opa eval) */
    expect1(m, NULL, NULL, "data.t.p == 2", "");
    expect1(m, NULL, NULL, "not data.t.p == 1", NULL);
    expect1(m, NULL, NULL, "data.t.q.a[i] == 2", "i=1");
}

static void test_rule_kinds(void **state) {
    (void)state;
    static const char *const m[] = {
        "package t\n"
        "s contains x if some x in input.xs\n"
        "o[k] := v if some k, v in {\"a\": 1, \"b\": 2}\n"
        "r.a.b := 1\n"
        "r.a.c := 2\n"
        "default d := \"no\"\n"
        "d := \"yes\" if input.flag\n"
        "e := 1 if false else := 2\n"
        "f(x) := x + 1\n"
        "f(\"a\") := \"A\"\n",
        NULL};
    expect1(m, NULL, "{\"xs\": [3, 1, 3]}", "x := data.t.s", "x=[1,3]");
    expect1(m, NULL, NULL, "x := data.t.o", "x={\"a\":1,\"b\":2}");
    expect1(m, NULL, NULL, "x := data.t.r", "x={\"a\":{\"b\":1,\"c\":2}}");
    expect1(m, NULL, NULL, "x := data.t.d", "x=\"no\"");
    expect1(m, NULL, "{\"flag\": true}", "x := data.t.d", "x=\"yes\"");
    expect1(m, NULL, NULL, "x := data.t.e", "x=2");
    expect1(m, NULL, NULL, "x := data.t.f(1); y := data.t.f(\"a\")", "x=2,y=\"A\"");
}

static void test_comprehensions_every(void **state) {
    (void)state;
    static const char *const m[] = {
        "package t\n"
        "p := [y | some x in [1, 2, 3]; x > 1; y := x * 2]\n"
        "q := {k: v | some k; v := {\"a\": 1}[k]}\n"
        "all_pos if every x in [1, 2] { x > 0 }\n"
        "none if not all_pos\n",
        NULL};
    expect1(m, NULL, NULL, "x := data.t.p", "x=[4,6]");
    expect1(m, NULL, NULL, "x := data.t.q", "x={\"a\":1}");
    expect1(m, NULL, NULL, "data.t.all_pos", "");
    expect1(m, NULL, NULL, "data.t.none", NULL);
}

static void test_with(void **state) {
    (void)state;
    static const char *const m[] = {
        "package t\n"
        "allow if input.user == \"alice\"\n"
        "g(x) := x * 10\n"
        "h(x) := 1\n"
        "v := g(2)\n"
        "c := count([1, 2, 3])\n",
        NULL};
    expect1(m, NULL, NULL, "data.t.allow with input.user as \"alice\"", "");
    expect1(m, NULL, NULL, "data.t.allow", NULL);
    expect1(m, NULL, NULL, "x := data.t.v with data.t.g as data.t.h", "x=1");
    expect1(m, NULL, NULL, "x := data.t.c with count as 7", "x=7");
    expect1(m, "{\"a\": {\"b\": 1}}", NULL, "x := data.a.b with data.a.b as 5", "x=5");
}

static void test_eval_errors(void **state) {
    (void)state;
    static const char *const m1[] = {"package t\np := x if some x in [1, 2]\n", NULL};
    expect_err(m1, "data.t.p", "eval_conflict_error",
               "complete rules must not produce multiple outputs");
    static const char *const m2[] = {"package t\nf(_) := 1\nf(_) := 2\n", NULL};
    expect_err(m2, "data.t.f(0)", "eval_conflict_error",
               "functions must not produce multiple outputs");
    static const char *const m3[] = {"package t\np[k] := v if { some k in [\"a\", \"b\"]; v := to_number(k) }\n", NULL};
    /* builtin errors are undefined unless strict */
    expect1(m3, NULL, NULL, "x := data.t.p", "x={}");
}

static void test_compile_errors(void **state) {
    (void)state;
    static const char *const m1[] = {"package t\np if { x > 1 }\n", NULL};
    expect_err(m1, "data.t.p", "rego_unsafe_var_error", "var x is unsafe");
    static const char *const m2[] = {"package t\np if q\nq if p\n", NULL};
    expect_err(m2, "data.t.p", "rego_recursion_error", "is recursive");
    static const char *const m3[] = {"package t\np := nosuch(1)\n", NULL};
    expect_err(m3, "data.t.p", "rego_type_error", "undefined function nosuch");
    static const char *const m4[] = {"package t\np := count(1, 2, 3)\n", NULL};
    expect_err(m4, "data.t.p", "rego_type_error", "count: arity mismatch");
    static const char *const m5[] = {"package t\np := lower(1)\n", NULL};
    expect_err(m5, "data.t.p", "rego_type_error", "lower: invalid argument(s)");
    static const char *const m6[] = {"package t\np if { x := 1; x := 2 }\n", NULL};
    expect_err(m6, "data.t.p", "rego_compile_error", "var x assigned above");
    static const char *const m7[] = {"package t\np if {", NULL};
    expect_err(m7, "data.t.p", "rego_parse_error", "");
}

static void test_limits(void **state) {
    (void)state;
    static const char *const m[] = {"package t\nn := count([x | some x in numbers.range(1, 100000)])\n",
                                    NULL};
    gh_arena a;
    gh_arena_init(&a, 0);
    results r = {0};
    gh_err e;
    gh_err_clear(&e);
    rego_eval_opts o = {.max_steps = 1000};
    int rc = run(&a, m, NULL, NULL, "x := data.t.n", &r, &e, &o);
    assert_int_equal(rc, GH_ECANCEL);
    assert_string_equal(e.kind, "eval_cancel_error");
    gh_arena_free(&a);

    gh_arena_init(&a, 0);
    memset(&r, 0, sizeof r);
    gh_err_clear(&e);
    o = (rego_eval_opts){.mem_budget = 64 * 1024};
    rc = run(&a, m, NULL, NULL, "x := data.t.n", &r, &e, &o);
    assert_int_equal(rc, GH_ECANCEL);
    assert_string_equal(e.kind, "eval_cancel_error");
    gh_arena_free(&a);
}

static int nprinted;
static char printed[256];
static void sink(void *ud, const char *line, size_t n) {
    (void)ud;
    nprinted++;
    snprintf(printed, sizeof printed, "%.*s", (int)n, line);
}

static void test_print_and_stop(void **state) {
    (void)state;
    static const char *const m[] = {"package t\np if { print(\"hi\", {1}, input.nope) }\n", NULL};
    gh_arena a;
    gh_arena_init(&a, 0);
    results r = {0};
    gh_err e;
    rego_eval_opts o = {.print = sink};
    assert_int_equal(run(&a, m, NULL, NULL, "data.t.p", &r, &e, &o), 0);
    assert_int_equal(nprinted, 1);
    assert_string_equal(printed, "hi {1} <undefined>");
    gh_arena_free(&a);

    gh_arena_init(&a, 0);
    memset(&r, 0, sizeof r);
    r.stop_after = 2;
    assert_int_equal(run(&a, NULL, NULL, NULL, "x := [1, 2, 3, 4][_]", &r, &e, NULL), 0);
    assert_int_equal(r.n, 2);
    gh_arena_free(&a);
}

static int cb_exprs(void *ud, const rego_result *r) {
    assert_int_equal(r->nexprs, 2);
    assert_true(r->exprs[0] == VAL_TRUE);
    *(val_t **)ud = r->exprs[1];
    return 0;
}

static void test_expr_values(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_policy *p = rego_policy_new();
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    rego_query *q;
    const char *text = "x := 2; x + 1";
    assert_int_equal(rego_query_prepare(p, &a, text, strlen(text), NULL, &q, &e), 0);
    val_t *got = NULL;
    assert_int_equal(rego_query_eval(q, &a, NULL, cb_exprs, &got, &e), 0);
    assert_non_null(got);
    assert_true(val_is_int(got) && got->u.i == 3);
    rego_policy_free(p);
    gh_arena_free(&a);
}

typedef struct tjob {
    const rego_query *q;
    int ok;
} tjob;

static void *worker(void *arg) {
    tjob *j = arg;
    for (int i = 0; i < 50; i++) {
        gh_arena a;
        gh_arena_init(&a, 0);
        results r = {.a = &a};
        gh_err e;
        if (rego_query_eval(j->q, &a, NULL, collect, &r, &e) == 0 && r.n == 1 &&
            !strcmp(r.text[0], "x=6"))
            j->ok++;
        gh_arena_free(&a);
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    const char *mod = "package t\np := sum([x | some x in [1, 2, 3]])\n";
    gh_err e;
    rego_policy *p = rego_policy_new();
    assert_int_equal(rego_policy_add_module(p, "t.rego", mod, strlen(mod), NULL, &e), 0);
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    gh_arena qa;
    gh_arena_init(&qa, 0);
    rego_query *q;
    assert_int_equal(rego_query_prepare(p, &qa, "x := data.t.p", 13, NULL, &q, &e), 0);
    pthread_t th[4];
    tjob jobs[4] = {{q, 0}, {q, 0}, {q, 0}, {q, 0}};
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].ok, 50);
    }
    gh_arena_free(&qa);
    rego_policy_free(p);
}

static void test_data_merge(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_policy *p = rego_policy_new();
    val_t *d1, *d2, *d3;
    const char *j1 = "{\"a\": {\"b\": 1}}", *j2 = "{\"a\": {\"c\": 2}}", *j3 = "{\"a\": 3}";
    assert_int_equal(val_json_parse(&a, j1, strlen(j1), NULL, &d1, &e), 0);
    assert_int_equal(val_json_parse(&a, j2, strlen(j2), NULL, &d2, &e), 0);
    assert_int_equal(val_json_parse(&a, j3, strlen(j3), NULL, &d3, &e), 0);
    assert_int_equal(rego_policy_add_data(p, d1, &e), 0);
    assert_int_equal(rego_policy_add_data(p, d2, &e), 0);
    assert_int_not_equal(rego_policy_add_data(p, d3, &e), 0);
    char *j = val_to_json(&a, rego_policy_data(p), VAL_JSON_SORTED);
    assert_string_equal(j, "{\"a\":{\"b\":1,\"c\":2}}");
    rego_policy_free(p);
    gh_arena_free(&a);
}

static void test_indexing(void **state) {
    (void)state;
    /* 40 rules keyed on input.kind plus two that do not test it */
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "package t\n");
    for (int i = 0; i < 40; i++)
        gh_buf_printf(&b, "hit contains %d if { input.kind == \"k%d\"; input.n > 0 }\n", i, i);
    gh_buf_puts(&b, "hit contains \"any\" if input.n > 5\n");
    gh_buf_puts(&b, "hit contains \"k7-again\" if \"k7\" = input.kind\n");
    const char *mods[] = {b.p, NULL};
    expect1(mods, NULL, "{\"kind\": \"k7\", \"n\": 9}", "x := data.t.hit",
            "x=[7,\"any\",\"k7-again\"]");
    expect1(mods, NULL, "{\"kind\": \"k39\", \"n\": 1}", "x := data.t.hit", "x=[39]");
    expect1(mods, NULL, "{\"n\": 1}", "x := data.t.hit", "x=[]");
    expect1(mods, NULL, "{\"kind\": \"k3\", \"n\": 1}",
            "x := data.t.hit with input.kind as \"k4\"", "x=[4]");
    gh_buf_free(&b);
}

static void test_negation_operands(void **state) {
    (void)state;
    /* as OPA: undefined call operands fail the body, `==` keeps its refs */
    static const char *const m[] = {
        "package t\n"
        "f(_) := true\n"
        "a if not f(input.missing)\n"
        "b if not input.missing == false\n"
        "c if not startswith(input.missing, \"a\")\n"
        "d if not input.missing\n",
        NULL};
    expect1(m, NULL, "{}", "x := data.t", "x={\"b\":true,\"d\":true}");
}

static void test_stack_limit(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "package t\np if {\n  x := 1\n");
    for (int i = 0; i < 3000; i++) gh_buf_puts(&b, "  x == 1\n");
    gh_buf_puts(&b, "}\n");
    const char *mods[] = {b.p, NULL};
    gh_arena a;
    gh_arena_init(&a, 0);
    results r = {0};
    gh_err e;
    gh_err_clear(&e);
    rego_eval_opts o = {.max_stack = 16 * 1024};
    assert_int_equal(run(&a, mods, NULL, NULL, "data.t.p", &r, &e, &o), GH_ECANCEL);
    assert_string_equal(e.kind, "eval_cancel_error");
    gh_arena_free(&a);
    gh_buf_free(&b);
    /* a long body fits the default budget (also in sanitizer builds) */
    gh_buf_init(&b);
    gh_buf_puts(&b, "package t\np if {\n  x := 1\n");
    for (int i = 0; i < 500; i++) gh_buf_puts(&b, "  x == 1\n");
    gh_buf_puts(&b, "}\n");
    mods[0] = b.p;
    expect1(mods, NULL, NULL, "data.t.p", "");
    gh_buf_free(&b);
}

static void test_strict(void **state) {
    (void)state;
    static const char *const srcs[] = {
        "package t\nimport data.foo\np := 1\n",
        "package t\np if { z := 1; true }\n",
        "package t\nf(x, y) := 1 if { y }\n",
    };
    static const char *const msgs[] = {"import data.foo unused", "assigned var z unused",
                                       "unused argument x"};
    for (int i = 0; i < 3; i++) {
        gh_err e;
        rego_policy *p = rego_policy_new();
        assert_int_equal(rego_policy_add_module(p, "s.rego", srcs[i], strlen(srcs[i]), NULL, &e), 0);
        rego_compile_opts co = {.strict = true};
        assert_int_not_equal(rego_policy_compile(p, &co, &e), 0);
        assert_string_equal(e.kind, "rego_compile_error");
        if (!strstr(e.msg, msgs[i])) fail_msg("%s lacks %s", e.msg, msgs[i]);
        rego_policy_free(p);
        /* not strict: fine */
        p = rego_policy_new();
        assert_int_equal(rego_policy_add_module(p, "s.rego", srcs[i], strlen(srcs[i]), NULL, &e), 0);
        assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
        rego_policy_free(p);
    }
    /* as `opa check --strict`: all unused vars of the first body found (a
     * closure before its enclosing body) and every unused argument */
    static const char *const many =
        "package t\nf(a, b) := 1 if { x := 1; y := [w | w := 1; u := 2; v := 3] }\n";
    gh_err e;
    rego_policy *p = rego_policy_new();
    assert_int_equal(rego_policy_add_module(p, "s.rego", many, strlen(many), NULL, &e), 0);
    rego_compile_opts co = {.strict = true};
    assert_int_not_equal(rego_policy_compile(p, &co, &e), 0);
    static const char *const all[] = {"assigned var u unused", "assigned var v unused",
                                      "unused argument a", "unused argument b"};
    for (int i = 0; i < 4; i++)
        if (!strstr(e.msg, all[i])) fail_msg("%s lacks %s", e.msg, all[i]);
    if (strstr(e.msg, "var x unused")) fail_msg("%s: x is not reported by OPA", e.msg);
    rego_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_bindings), cmocka_unit_test(test_rule_kinds),
        cmocka_unit_test(test_comprehensions_every), cmocka_unit_test(test_with),
        cmocka_unit_test(test_eval_errors), cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_limits), cmocka_unit_test(test_print_and_stop),
        cmocka_unit_test(test_expr_values), cmocka_unit_test(test_threads),
        cmocka_unit_test(test_data_merge), cmocka_unit_test(test_indexing),
        cmocka_unit_test(test_negation_operands), cmocka_unit_test(test_stack_limit),
        cmocka_unit_test(test_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
