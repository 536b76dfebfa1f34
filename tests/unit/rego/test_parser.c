/* test_parser.c - unit tests of the Rego front end: modules and queries
 * printed back in canonical form, the AST shapes the compiler relies on
 * (rule kinds, refs, keys, flags, some/every/with), OPA's parse errors with
 * their row:col, keywords per syntax version, METADATA annotations, limits
 * and behaviour when the arena budget runs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "rego/rego.h"

static rego_module *parse(rego_version v, const char *src) {
    rego_parse_opts o = {.version = v};
    rego_module *m = NULL;
    gh_err e;
    int rc = rego_parse_module(&A, "t.rego", src, strlen(src), &o, &m, &e);
    if (rc)
        fail_msg("unexpected error: %s:%d:%d: %s\n--- source:\n%s", e.file, e.line, e.col, e.msg,
                 src);
    return m;
}

static char *printed(const rego_module *m) {
    gh_buf b;
    gh_buf_init(&b);
    rego_module_print(&b, m);
    char *s = gh_arena_strndup(&A, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return s;
}

/* Parse, print, compare with want (NULL: the input itself), and check the
 * printed text parses back to the same text. */
static void roundtrip(rego_version v, const char *src, const char *want) {
    rego_module *m = parse(v, src);
    char *got = printed(m);
    if (strcmp(got, want ? want : src))
        fail_msg("printed form differs\n--- source:\n%s\n--- want:\n%s\n--- got:\n%s", src,
                 want ? want : src, got);
    char *again = printed(parse(v, got));
    if (strcmp(got, again))
        fail_msg("printer not idempotent\n--- first:\n%s\n--- second:\n%s", got, again);
}

static void parse_err(rego_version v, const char *src, int line, int col, const char *msg) {
    rego_parse_opts o = {.version = v};
    rego_module *m = NULL;
    gh_err e;
    int rc = rego_parse_module(&A, "t.rego", src, strlen(src), &o, &m, &e);
    if (!rc) fail_msg("expected error \"%s\" for:\n%s", msg, src);
    assert_int_equal(rc, GH_EPARSE);
    char want[600];
    snprintf(want, sizeof want, "rego_parse_error: %s", msg);
    if (strcmp(e.msg, want) || e.line != line || e.col != col)
        fail_msg("for:\n%s\nwant %d:%d %s\ngot  %d:%d %s", src, line, col, want, e.line, e.col,
                 e.msg);
    assert_string_equal(e.file, "t.rego");
    assert_null(m);
}

/* ---- printing ------------------------------------------------------------------ */

static void test_print_v1(void **state) {
    (void)state;
    roundtrip(REGO_V1,
              "package a.b\n\nimport data.x.y\nimport input.foo as bar\nimport rego.v1\n\np := 1\n",
              NULL);
    roundtrip(REGO_V1,
              "package p\nq = {\"a\": [1, 2.5, -3], \"b\": {1, 2}, \"c\": set(), \"d\": {}}",
              "package p\n\nq = {\"a\": [1, 2.5, -3], \"b\": {1, 2}, \"c\": set(), \"d\": {}}\n");
    roundtrip(REGO_V1, "package p\nr contains x if some x in [1, 2]",
              "package p\n\nr contains x if {\n\tsome x in [1, 2]\n}\n");
    roundtrip(REGO_V1, "package p\nf(x, _) := y if { y := x * 2 + 1 }",
              "package p\n\nf(x, _) := y if {\n\ty := x * 2 + 1\n}\n");
    roundtrip(REGO_V1, "package p\nobj[k] := v if { some k, v in input.m }",
              "package p\n\nobj[k] := v if {\n\tsome k, v in input.m\n}\n");
    roundtrip(REGO_V1, "package p\na.b[c].d := 1 if c := \"x\"",
              "package p\n\na.b[c].d := 1 if {\n\tc := \"x\"\n}\n");
    roundtrip(REGO_V1,
              "package p\ndefault g := false\ng if { every x in [1,2] { x > 0 } } else := 3 if { "
              "true } else := 4",
              "package p\n\ndefault g := false\n\ng if {\n\tevery x in [1, 2] {\n\t\tx > 0\n\t}\n} "
              "else := 3 if "
              "{\n\ttrue\n} else := 4\n");
    roundtrip(REGO_V1,
              "package p\nc := [x | x := input.a[_]; x > 1]\ns := {x | some x in input.s}\n"
              "o := {k: v | some k, v in input.o}",
              "package p\n\nc := [x | x := input.a[_]; x > 1]\n\ns := {x | some x in input.s}\n\n"
              "o := {k: v | some k, v in input.o}\n");
    roundtrip(REGO_V1,
              "package p\ne if not input.bad with input as {\"bad\": false} with data.x.y as 1",
              "package p\n\ne if {\n\tnot input.bad with input as {\"bad\": false} with data.x.y "
              "as 1\n}\n");
    roundtrip(REGO_V1, "package p\nt := `raw\n\"str\"`\nu := \"\\u00e9\\n\\t\\\"\"",
              "package p\n\nt := \"raw\\n\\\"str\\\"\"\n\nu := \"é\\n\\t\\\"\"\n");
    roundtrip(
        REGO_V1, "package p\nx := f(1)[0].a[\"b c\"][\"in\"]\ny := [1, 2][0]\nz := {\"a\": 1}.a",
        "package p\n\nx := f(1)[0].a[\"b c\"][\"in\"]\n\ny := [1, 2][0]\n\nz := {\"a\": 1}.a\n");
    roundtrip(REGO_V1, "package p.q[\"r-s\"]\n\nimport future.keywords.in\n\np.q.r contains 1\n",
              NULL);
    roundtrip(
        REGO_V1, "package p\nx if { a.b.c(1, 2); count(x) == 2; startswith(\"a\", \"b\") }",
        "package p\n\nx if {\n\ta.b.c(1, 2)\n\tcount(x) == 2\n\tstartswith(\"a\", \"b\")\n}\n");
    roundtrip(REGO_V1, "package p\ndefault f(_, x) := 1\n", "package p\n\ndefault f(_, x) := 1\n");
    roundtrip(REGO_V1, "package p\np if {} \n", "package p\n\np if {\n\t{}\n}\n");
    roundtrip(REGO_V1, "package p\np := 1 if { true } { false }",
              "package p\n\np := 1 if {\n\ttrue\n}\n\np := 1 if {\n\tfalse\n}\n");
}

static void test_print_operators(void **state) {
    (void)state;
    roundtrip(
        REGO_V1,
        "package p\nx if {\n\ta := (1 + 2) * 3\n\tb := 1 + 2 * 3\n\tc := 1 - (2 - 3)\n\td := 1 - 2 "
        "- 3\n"
        "\te := (a | b) & c\n\tf := a | b & c\n\tg := (1 == 2) == false\n\th := -1 - -2\n"
        "\ti := 1 in [1] in {true}\n\tj := [(a | b), (k, v in x), 1 in y]\n\t[1, 2] == [a, b]\n"
        "\tk, v in input.x\n\tl := {(a | b): 1}\n\tm := [(x + 1) | x := 1]\n\tn := (a + b)[0]\n}\n",
        "package p\n\nx if {\n\ta := (1 + 2) * 3\n\tb := 1 + 2 * 3\n\tc := 1 - (2 - 3)\n\td := 1 - "
        "2 - 3\n"
        "\te := (a | b) & c\n\tf := a | b & c\n\tg := 1 == 2 == false\n\th := -1 - -2\n"
        "\ti := 1 in [1] in {true}\n\tj := [(a | b), (k, v in x), 1 in y]\n\t[1, 2] == [a, b]\n"
        "\tk, v in input.x\n\tl := {(a | b): 1}\n\tm := [(x + 1) | x := 1]\n\tn := (a + "
        "b)[0]\n}\n");
    /* after `p if`, `{a | b}` would read as a set comprehension: the first
     * literal's leftmost term gets parentheses */
    roundtrip(REGO_V1,
              "package p\n\np if {\n\t(a | b)\n\tc\n}\n\nq if {\n\tx := a | b\n}\n\nr if {\n\t(a | "
              "b == c)\n}\n\n"
              "s if {\n\t(a | b)\n} else := 1 if {\n\ta | b\n}\n",
              NULL);
    /* (OPA reads `p if { a | b; c }` as a body holding one set comprehension) */
    rego_module *m = parse(REGO_V1, "package p\np if { a | b; c }");
    assert_int_equal(m->rules[0]->body->n, 1);
    assert_int_equal(m->rules[0]->body->exprs[0]->u.term->kind, REGO_T_SET_COMPR);
    /* explicit operator calls print infix; other arities stay calls */
    roundtrip(REGO_V1, "package p\nx if { plus(1, 2, y); equal(a, b); eq(x, 1) }",
              "package p\n\nx if {\n\tplus(1, 2, y)\n\ta == b\n\tx = 1\n}\n");
}

static void test_print_v0(void **state) {
    (void)state;
    roundtrip(
        REGO_V0,
        "package p\np { true }\nq[x] { x := 1 }\nr[k] = v { k := 1; v := 2 }\nf(x) = y { y := x }",
        "package p\n\np {\n\ttrue\n}\n\nq[x] {\n\tx := 1\n}\n\nr[k] = v {\n\tk := 1\n\tv := "
        "2\n}\n\n"
        "f(x) = y {\n\ty := x\n}\n");
    /* multiple bodies become separate rules; else without if */
    roundtrip(
        REGO_V0, "package p\np { 1 } { 2 }\nq = 1 { false } else = 2 { true }",
        "package p\n\np {\n\t1\n}\n\np {\n\t2\n}\n\nq = 1 {\n\tfalse\n} else = 2 {\n\ttrue\n}\n");
    /* future keywords make `if`/`contains` available to the printer */
    roundtrip(REGO_V0,
              "package p\nimport future.keywords.if\nimport future.keywords.contains\np contains 1 "
              "if true",
              "package p\n\nimport future.keywords.if\nimport future.keywords.contains\n\np "
              "contains 1 if {\n\ttrue\n}\n");
    roundtrip(REGO_V0, "package p\nimport future.keywords\nq[x] { x := 1 }",
              "package p\n\nimport future.keywords\n\nq contains x if {\n\tx := 1\n}\n");
    /* statements that are rules: p.a.b, p[x], f(x), x = 1 */
    roundtrip(REGO_V0, "package p\np.a.b\nq[1]\nf(1)\ndefault d = 1\nx = 1",
              "package p\n\np.a.b\n\nq[1]\n\nf(1) = true\n\ndefault d = 1\n\nx = 1\n");
    /* imports after rules keep their place: keywords start where they did */
    roundtrip(REGO_V0, "package p\np { in }\nimport future.keywords.in\nq { x in y }",
              "package p\n\np {\n\tin\n}\n\nimport future.keywords.in\n\nq {\n\tx in y\n}\n");
    /* in v0 `if`/`in` are plain names until imported */
    roundtrip(REGO_V0, "package p\nif = 1\nin { if }", "package p\n\nif = 1\n\nin {\n\tif\n}\n");
}

static void test_queries_terms(void **state) {
    (void)state;
    rego_parse_opts o = {0};
    rego_body *b;
    gh_err e;
    const char *q = "x := 1; y = [1,2]\nnot z with input as {1, 2}\nsome a, b\nsome k, v in x";
    assert_int_equal(rego_parse_query(&A, "q", q, strlen(q), &o, &b, &e), 0);
    gh_buf buf;
    gh_buf_init(&buf);
    rego_body_print(&buf, b);
    assert_string_equal(
        buf.p, "x := 1; y = [1, 2]; not z with input as {1, 2}; some a, b; some k, v in x");
    gh_buf_free(&buf);
    assert_int_equal(b->n, 5);
    for (uint32_t i = 0; i < b->n; i++)
        assert_int_equal(b->exprs[i]->index, i);
    /* several statements on one line are separate literals in a query */
    assert_int_equal(rego_parse_query(&A, "q", "x = 1 y = 2", 11, &o, &b, &e), 0);
    assert_int_equal(b->n, 2);
    assert_int_not_equal(rego_parse_query(&A, "q", "", 0, &o, &b, &e), 0);
    assert_int_not_equal(rego_parse_query(&A, "q", "package x", 9, &o, &b, &e), 0);
    assert_string_equal(e.msg, "rego_parse_error: expected body but got *ast.Package");

    rego_term *t;
    const char *ts = "{\"a\": {1, 2}, \"b\": [null, true, 1.5e3, -0.5]}";
    assert_int_equal(rego_parse_term(&A, ts, strlen(ts), &o, &t, &e), 0);
    assert_int_equal(t->kind, REGO_T_OBJECT);
    assert_int_equal(t->u.obj.n, 2);
    assert_int_equal(t->u.obj.vals[0]->kind, REGO_T_SET);
    assert_true(rego_term_is_ground(t));
    assert_int_equal(rego_parse_term(&A, ".5", 2, &o, &t, &e), 0);
    assert_int_equal(val_kind_of(t->u.value), VAL_NUMBER);
    gh_buf_init(&buf);
    rego_term_print(&buf, t);
    assert_string_equal(buf.p, "0.5");
    gh_buf_free(&buf);
    assert_int_not_equal(rego_parse_term(&A, "x = 1", 5, &o, &t, &e), 0);
    assert_int_not_equal(rego_parse_term(&A, "1; 2", 4, &o, &t, &e), 0);
}

/* ---- AST shapes ------------------------------------------------------------------- */

static const char *var_name(const rego_term *t) {
    assert_int_equal(t->kind, REGO_T_VAR);
    return t->u.var.name;
}

static const char *str_of(const rego_term *t) {
    assert_int_equal(t->kind, REGO_T_SCALAR);
    assert_true(val_is_str(t->u.value));
    return val_str_ptr(t->u.value);
}

static void test_rule_shapes(void **state) {
    (void)state;
    rego_module *m = parse(REGO_V1, "package a.b\n"
                                    "p := 1\n"                  /* 0 */
                                    "q contains x if x := 1\n"  /* 1 */
                                    "r[k] := 2 if k := \"a\"\n" /* 2 */
                                    "s.t[\"u\"] if true\n"      /* 3 */
                                    "f(x, y) := x if true\n"    /* 4 */
                                    "default g := 1\n"          /* 5 */
                                    "g if false else = 2\n"     /* 6 */
                                    "v.w contains 3\n");        /* 7 */
    assert_int_equal(m->version, REGO_V1);
    assert_int_equal(m->keywords, REGO_KW_ALL);
    assert_int_equal(m->package->u.list.n, 3);
    assert_string_equal(var_name(m->package->u.list.items[0]), "data");
    assert_string_equal(str_of(m->package->u.list.items[2]), "b");
    assert_int_equal(m->nrules, 8);
    for (uint32_t i = 0; i < m->nrules; i++) {
        assert_int_equal(m->rules[i]->index, i);
        assert_ptr_equal(m->rules[i]->module, m);
        assert_non_null(m->rules[i]->body);
    }
    rego_rule *r = m->rules[0];
    assert_int_equal(r->kind, REGO_RULE_SINGLE);
    assert_string_equal(rego_rule_name(r), "p");
    assert_true(r->flags & REGO_RF_ASSIGN);
    assert_true(r->flags & REGO_RF_GEN_BODY);
    assert_int_equal(r->loc.line, 2);
    assert_int_equal(r->loc.col, 1);

    r = m->rules[1];
    assert_int_equal(r->kind, REGO_RULE_MULTI);
    assert_null(r->value);
    assert_string_equal(var_name(r->key), "x");
    assert_true(r->flags & REGO_RF_CONTAINS);
    assert_true(r->flags & REGO_RF_IF);

    r = m->rules[2];
    assert_int_equal(r->kind, REGO_RULE_SINGLE);
    assert_int_equal(r->ref->u.list.n, 2);
    assert_string_equal(var_name(r->ref->u.list.items[1]), "k");
    assert_int_equal(rego_ref_ground_prefix(r->ref), 1);

    r = m->rules[3];
    assert_int_equal(r->ref->u.list.n, 3);
    assert_string_equal(str_of(r->ref->u.list.items[1]), "t");
    assert_true(r->flags & REGO_RF_GEN_VALUE);
    assert_int_equal(rego_ref_ground_prefix(r->ref), 3);

    r = m->rules[4];
    assert_int_equal(r->kind, REGO_RULE_FUNC);
    assert_int_equal(r->nargs, 2);
    assert_string_equal(var_name(r->args[1]), "y");

    r = m->rules[5];
    assert_true(r->flags & REGO_RF_DEFAULT);
    r = m->rules[6];
    assert_non_null(r->else_rule);
    assert_true(r->else_rule->flags & REGO_RF_ELSE);
    assert_true(r->else_rule->flags & REGO_RF_GEN_BODY);
    assert_int_equal(r->else_rule->index, 6);
    assert_ptr_equal(r->else_rule->ref, r->ref);

    r = m->rules[7];
    assert_int_equal(r->kind, REGO_RULE_MULTI);
    assert_int_equal(r->ref->u.list.n, 2);
    assert_true(r->flags & REGO_RF_GEN_BODY);

    /* v0: p[x] { } is multi-value, p[k] = v { } single-value with key in the ref */
    m = parse(REGO_V0, "package p\nq[x] { x := 1 }\nr[k] = v { k := 1; v := 2 }\ns { 1 } { 2 }");
    assert_int_equal(m->version, REGO_V0);
    assert_int_equal(m->keywords, 0);
    assert_int_equal(m->rules[0]->kind, REGO_RULE_MULTI);
    assert_int_equal(m->rules[0]->ref->u.list.n, 1);
    assert_int_equal(m->rules[1]->kind, REGO_RULE_SINGLE);
    assert_int_equal(m->rules[1]->ref->u.list.n, 2);
    assert_int_equal(m->nrules, 4);
    assert_true(m->rules[3]->flags & REGO_RF_CHAINED);
    assert_ptr_equal(m->rules[3]->ref, m->rules[2]->ref);
    assert_int_equal(m->rules[3]->loc.col, 9);

    m = parse(REGO_V0, "package p\nimport rego.v1\np if true");
    assert_int_equal(m->version, REGO_V0V1);
}

static void test_expr_shapes(void **state) {
    (void)state;
    rego_module *m = parse(REGO_V1, "package p\n"
                                    "x if {\n"
                                    "  a = 1\n"
                                    "  b := 2\n"
                                    "  count(c) > 1\n"
                                    "  not d\n"
                                    "  some e, f\n"
                                    "  some g in h\n"
                                    "  some i, j in k\n"
                                    "  every l, n in o { n }\n"
                                    "  q with input.a as 1 with data.f as g\n"
                                    "  [_, _] = [1, _]\n"
                                    "  s in t\n"
                                    "}\n");
    rego_body *b = m->rules[0]->body;
    assert_int_equal(b->n, 11);
    rego_expr *x = b->exprs[0];
    assert_int_equal(x->kind, REGO_E_CALL);
    assert_true(rego_ref_is(x->u.call.terms[0], "eq"));
    assert_int_equal(x->loc.line, 3);
    assert_int_equal(x->loc.col, 3);
    assert_true(rego_ref_is(b->exprs[1]->u.call.terms[0], "assign"));
    x = b->exprs[2];
    assert_true(rego_ref_is(x->u.call.terms[0], "gt"));
    assert_int_equal(x->u.call.terms[1]->kind, REGO_T_CALL);
    assert_string_equal(rego_call_name(&A, x->u.call.terms[1]->u.list.items[0]), "count");
    x = b->exprs[3];
    assert_true(x->negated);
    assert_int_equal(x->kind, REGO_E_TERM);
    x = b->exprs[4];
    assert_int_equal(x->kind, REGO_E_SOME);
    assert_int_equal(x->u.some.n, 2);
    x = b->exprs[5];
    assert_int_equal(x->u.some.n, 0);
    assert_null(x->u.some.key);
    assert_string_equal(var_name(x->u.some.value), "g");
    x = b->exprs[6];
    assert_string_equal(var_name(x->u.some.key), "i");
    assert_string_equal(var_name(x->u.some.domain), "k");
    x = b->exprs[7];
    assert_int_equal(x->kind, REGO_E_EVERY);
    assert_string_equal(var_name(x->u.every.key), "l");
    assert_int_equal(x->u.every.body->n, 1);
    x = b->exprs[8];
    assert_int_equal(x->nwith, 2);
    assert_int_equal(x->with[0].target->kind, REGO_T_REF);
    assert_string_equal(var_name(x->with[0].target->u.list.items[0]), "input");
    x = b->exprs[9];
    /* wildcards get unique names in source order */
    rego_term *l = x->u.call.terms[1], *r = x->u.call.terms[2];
    assert_true(l->u.list.items[0]->flags & REGO_TF_WILDCARD);
    assert_string_equal(l->u.list.items[0]->u.var.name, "$0");
    assert_string_equal(l->u.list.items[1]->u.var.name, "$1");
    assert_string_equal(r->u.list.items[1]->u.var.name, "$2");
    x = b->exprs[10];
    assert_true(rego_ref_is(x->u.call.terms[0], "internal.member_2"));
    /* data and input alone are refs */
    m = parse(REGO_V1, "package p\nx := input\ny := data");
    assert_int_equal(m->rules[0]->value->kind, REGO_T_REF);
    assert_int_equal(m->rules[0]->value->u.list.n, 1);
    /* locations span the source text */
    m = parse(REGO_V1, "package p\nx := [1, 2]");
    rego_term *t = m->rules[0]->value;
    assert_int_equal(t->loc.line, 2);
    assert_int_equal(t->loc.col, 6);
    assert_int_equal(t->loc.off, 15);
    assert_int_equal(t->loc.end, 21);
    assert_string_equal(t->loc.file, "t.rego");
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_errors(void **state) {
    (void)state;
    parse_err(REGO_V1, "package test\nimport rego.v1\np { true }", 3, 1,
              "`if` keyword is required before rule body");
    parse_err(REGO_V1, "package test\np if { 1 > 2 } else = 5 { 1 < 2 }", 2, 16,
              "`if` keyword is required before rule body");
    parse_err(REGO_V1, "package test\np", 2, 1, "var cannot be used for rule name");
    parse_err(REGO_V1, "package test\np.a", 2, 1,
              "`contains` keyword is required for partial set rules");
    parse_err(REGO_V1, "package test\np.a.b", 2, 1,
              "rule must have value assignment and/or body declaration");
    parse_err(
        REGO_V0, "package test\nimport rego.v1\nimport future.keywords.in", 3, 8,
        "the `rego.v1` import implies `future.keywords`, these are therefore mutually exclusive");
    parse_err(
        REGO_V0, "package test\nimport future.keywords.in\nimport rego.v1", 3, 8,
        "the `rego.v1` import implies `future.keywords`, these are therefore mutually exclusive");
    parse_err(REGO_V0, "package test\nx = - y", 2, 7,
              "unexpected identifier token: expected number");
    parse_err(REGO_V0, "package test\nx = - -1", 2, 7, "unexpected minus token: expected number");
    parse_err(
        REGO_V0, "package test\noutput := regex.\nmatch(\"^a\", \"b\")", 2, 8,
        "unexpected assign token: expected rule value term (e.g., output := <VALUE> { ... })");
    parse_err(REGO_V1, "package p\np {", 2, 3, "unexpected eof token");
    parse_err(REGO_V0, "package p\np {\n", 3, 0, "unexpected eof token");
    parse_err(REGO_V0, "package p\np { a. b }", 2, 7,
              "unexpected whitespace token: expected identifier");
    parse_err(REGO_V0, "package p\np { [1,2 }", 2, 10,
              "unexpected } token: expected \",\" or \"]\"");
    parse_err(REGO_V0, "package p\np { x := 1 y := 2 }", 2, 12,
              "unexpected identifier token: expected \\n or ; or }");
    parse_err(REGO_V0, "package p\np[x] { x := 1 } else = 1 { true }", 2, 17,
              "else keyword cannot be used on multi-value rules");
    parse_err(REGO_V0, "package p\np { x = \"a\tb\" }", 2, 9, "illegal string literal: \"a\tb\"");
    parse_err(REGO_V0, "package p\n@", 2, 1, "illegal token");
    parse_err(REGO_V0, "package p\np { x = 1 with foo as 1 with 1 as 2 }", 2, 30,
              "unexpected number token: expected ident");
    parse_err(
        REGO_V0, "package p\nimport foo.bar", 2, 8,
        "unexpected import path, must begin with one of: {data, future, input, rego}, got: foo");
    parse_err(REGO_V0, "package p\nx == 1", 2, 1, "rule name conflicts with built-in function");
    parse_err(REGO_V0, "package p\np = 1; q = 2", 2, 1,
              "multiple expressions cannot be used for rule head");
    parse_err(REGO_V0, "package p\nnot p", 2, 1,
              "negated expressions cannot be used for rule head");
    parse_err(REGO_V0, "package p\n\"a\" = 1", 2, 1, "string cannot be used for rule name");
    parse_err(REGO_V0, "package p\ndefault p = x", 2, 1,
              "illegal default rule (value cannot contain var)");
    parse_err(REGO_V0, "package p\ndefault p = [f(1)]", 2, 1,
              "illegal default rule (value cannot contain call)");
    parse_err(REGO_V0, "package p\ndefault f(1) = 1", 2, 1,
              "illegal default rule (arguments cannot contain number)");
    parse_err(REGO_V0, "package p\ndefault f(x, x) = 1", 2, 1,
              "illegal default rule (arguments cannot be repeated x)");
    parse_err(REGO_V1, "package p\np contains", 2, 10, "unexpected eof token");
    parse_err(REGO_V1, "package p\nf(x) contains 1", 2, 6,
              "unexpected contains keyword: the contains keyword can only be used with multi-value "
              "rule definitions "
              "(e.g., f contains <VALUE> { ... })");
    parse_err(REGO_V1, "package p\np[x] := 1 if x := 1 else := 2", 2, 21,
              "else keyword cannot be used on rules with variables in head");
    parse_err(REGO_V0, "package p\np = 1 { true } else = 2 { true } { false }", 2, 34,
              "expected else keyword");
    parse_err(REGO_V1, "package p\np if { some x in xs; not some y }", 2, 26,
              "unexpected some keyword: illegal negation of 'some'");
    parse_err(REGO_V1, "package p\np if { every x in xs }", 2, 22,
              "unexpected } token: missing body");
    parse_err(REGO_V1, "package p\np if { every 1 in xs { true } }", 2, 22,
              "unexpected { token: expected value to be a variable");
    parse_err(REGO_V1, "package p\np if { some f(x) }", 2, 18,
              "unexpected } token: expected `x in xs` or `x, y in xs` expression");
    parse_err(REGO_V0, "package p\np { some x in xs }", 2, 12,
              "unexpected identifier token: expected \\n or ; or } (hint: `import "
              "future.keywords.in` for `some x in xs` expressions)");
    parse_err(REGO_V0, "package p\np { every x in xs { x } }", 2, 11,
              "unexpected identifier token: expected \\n or ; or } (hint: `import "
              "future.keywords.every` for `every x in xs { ... }` expressions)");
    parse_err(REGO_V0, "package p\nimport future.keywords.foo", 2, 8,
              "unexpected keyword, must be one of [contains every if in]");
    parse_err(REGO_V0, "package p\nimport future.stuff", 2, 8,
              "invalid import, must be `future.keywords`");
    parse_err(REGO_V0, "package p\nimport future.keywords as x", 2, 8,
              "`future` imports cannot be aliased");
    parse_err(REGO_V0, "package p\nimport rego.v2", 2, 8, "invalid import, must be `rego.v1`");
    parse_err(REGO_V0, "package p\nimport rego.v1 as x", 2, 8, "`rego` imports cannot be aliased");
    parse_err(REGO_V0, "package p\nimport data.x as y.z", 2, 20,
              "unexpected eof token: expected var");
    parse_err(REGO_V0, "x = 1", 1, 1, "package expected");
    parse_err(REGO_V0, "package p\npackage q", 2, 1, "unexpected package");
    parse_err(REGO_V0, "# only a comment\n", 0, 0, "empty module");
}

static void test_scanner_errors(void **state) {
    (void)state;
    parse_err(REGO_V0, "package p\nx = \"abc", 2, 5, "non-terminated string");
    parse_err(REGO_V0, "package p\nx = `abc", 2, 5, "non-terminated string");
    parse_err(REGO_V0, "package p\nx = \"a\\qb\"", 2, 5, "illegal escape sequence");
    parse_err(REGO_V0, "package p\nx = \"\\u12x3\"", 2, 5, "illegal string literal: \"\\u12x3\"");
    parse_err(REGO_V0, "package p\nx = 1.", 2, 5, "expected fraction");
    parse_err(REGO_V0, "package p\nx = 1e", 2, 5, "expected exponent");
    parse_err(REGO_V0, "package p\nx = 1a", 2, 5, "illegal number format");
    parse_err(REGO_V0, "package p\nx = 00", 2, 5, "unexpected number token: expected number");
    parse_err(REGO_V0, "package p\nx = 1e99999", 2, 5, "number too big");
    parse_err(REGO_V0, "package p\nx = !", 2, 5, "illegal ! character");
    parse_err(REGO_V0, "package p\nx = \"\xff\"", 2, 5, "illegal utf-8 character");
    rego_parse_opts o = {.version = REGO_V0};
    rego_module *m;
    gh_err e;
    const char nul[] = "package p\nx = \"a\0\"";
    assert_int_equal(rego_parse_module(&A, "t.rego", nul, sizeof nul - 1, &o, &m, &e), GH_EPARSE);
    assert_string_equal(e.msg, "rego_parse_error: illegal null character");
    /* a leading byte-order mark is skipped; columns count code points */
    m = parse(REGO_V0, "\xef\xbb\xbfpackage p\nx = \"\xc3\xa9\"\ny = 1");
    assert_int_equal(m->rules[0]->loc.col, 1);
    parse_err(REGO_V0, "package p\nx = \"\xc3\xa9\" @", 2, 9, "illegal token");
    parse_err(REGO_V0, "package p\nx = \"\xef\xbb\xbf\"", 2, 5, "illegal byte-order mark");
    /* numbers: 01 reads as 1 (OPA 0.x), huge ones keep their text */
    m = parse(REGO_V0, "package p\nx = 01\ny = 123456789012345678901234567890\nz = 1e300");
    gh_buf b;
    gh_buf_init(&b);
    rego_module_print(&b, m);
    assert_string_equal(b.p,
                        "package p\n\nx = 1\n\ny = 123456789012345678901234567890\n\nz = 1e300\n");
    gh_buf_free(&b);
}

static void test_keywords(void **state) {
    (void)state;
    /* v1 reserves every keyword; `contains` still works as a function name */
    parse_err(REGO_V1, "package p\nin := 1", 2, 1, "unexpected in keyword");
    rego_module *m = parse(REGO_V1, "package p\nx if contains(\"abc\", \"b\")");
    assert_int_equal(m->rules[0]->body->exprs[0]->kind, REGO_E_CALL);
    /* keywords after a dot are field names (OPA 1.x) */
    m = parse(REGO_V1, "package p\nx := input.in.not.package");
    assert_int_equal(m->rules[0]->value->u.list.n, 4);
    /* v0: keywords arrive with the imports */
    m = parse(REGO_V0, "package p\nimport future.keywords.every\nx { every y in [1] { y } }");
    assert_int_equal(m->keywords, REGO_KW_EVERY | REGO_KW_IN);
    /* OPA quirk kept: the token right after an import was read before it took effect */
    m = parse(REGO_V0, "package p\nimport future.keywords.in\nin := 1");
    assert_string_equal(rego_rule_name(m->rules[0]), "in");
    parse_err(REGO_V0, "package p\nimport future.keywords.in\nx := 1\nin := 1", 4, 4,
              "unexpected assign token");
    /* (`x := 1 in ...`: infix operators continue across newlines) */
    parse_err(REGO_V0, "package p\nimport future.keywords.in\nx := 1; in := 1", 3, 9,
              "unexpected in keyword");
    m = parse(REGO_V0, "package p\nimport future.keywords.if\nx if true\ncontains := 1");
    assert_int_equal(m->keywords, REGO_KW_IF);
    /* `import rego.v1` in v0 switches the v1 rules on */
    parse_err(REGO_V0, "package p\nimport rego.v1\nx { true }", 3, 1,
              "`if` keyword is required before rule body");
    /* REGO_V0V1: v0 syntax with the v1 rules */
    parse_err(REGO_V0V1, "package p\nx { true }", 2, 1,
              "`if` keyword is required before rule body");
    m = parse(REGO_V0V1, "package p\nimport future.keywords.if\nx if { true }");
    assert_int_equal(m->version, REGO_V0V1);
    /* the v0 option future_keywords behaves as `import future.keywords` */
    rego_parse_opts o = {.version = REGO_V0, .future_keywords = true};
    gh_err e;
    const char *src = "package p\nx contains 1 if true";
    assert_int_equal(rego_parse_module(&A, NULL, src, strlen(src), &o, &m, &e), 0);
    assert_string_equal(m->file, "");
}

static bool my_builtin(void *ctx, const char *name, size_t n) {
    (void)ctx;
    return n == 5 && !memcmp(name, "count", 5);
}

static void test_builtin_hook(void **state) {
    (void)state;
    rego_parse_opts o = {.version = REGO_V0};
    rego_module *m;
    gh_err e;
    const char *src = "package p\ncount(x)";
    assert_int_equal(rego_parse_module(&A, "t.rego", src, strlen(src), &o, &m, &e), 0);
    assert_int_equal(m->rules[0]->kind, REGO_RULE_FUNC);
    o.is_builtin = my_builtin;
    assert_int_equal(rego_parse_module(&A, "t.rego", src, strlen(src), &o, &m, &e), GH_EPARSE);
    assert_string_equal(e.msg, "rego_parse_error: rule name conflicts with built-in function");
    char code[64];
    assert_string_equal(rego_err_code(&e, code, sizeof code), "rego_parse_error");
    gh_err plain = {0};
    snprintf(plain.msg, sizeof plain.msg, "something: else");
    assert_null(rego_err_code(&plain, code, sizeof code));
}

/* ---- annotations ------------------------------------------------------------------ */

static void test_annotations(void **state) {
    (void)state;
    rego_module *m = parse(REGO_V1, "# METADATA\n"
                                    "# title: The package\n"
                                    "# organizations: [acme]\n"
                                    "package p\n"
                                    "\n"
                                    "# METADATA\n"
                                    "# title: Allow\n"
                                    "# description: |\n"
                                    "#   Multi line\n"
                                    "# authors:\n"
                                    "# - Jane Doe <jane@example.com>\n"
                                    "# - name: Bob\n"
                                    "# related_resources:\n"
                                    "# - https://example.com\n"
                                    "# - ref: https://x.y\n"
                                    "#   description: xy\n"
                                    "# schemas:\n"
                                    "# - input: schema.input\n"
                                    "# - data.x: {type: string}\n"
                                    "# custom:\n"
                                    "#   severity: high\n"
                                    "allow if true\n"
                                    "\n"
                                    "# METADATA\n"
                                    "# scope: document\n"
                                    "# entrypoint: true\n"
                                    "deny contains 1\n"
                                    "deny contains 2\n");
    assert_int_equal(m->nannots, 3);
    rego_annot *a = m->annots[0];
    assert_int_equal(a->scope, REGO_SCOPE_PACKAGE);
    assert_null(a->rule);
    assert_string_equal(a->title, "The package");
    assert_int_equal(val_arr_len(a->organizations), 1);
    a = m->annots[1];
    assert_int_equal(a->scope, REGO_SCOPE_RULE);
    assert_ptr_equal(a->rule, m->rules[0]);
    assert_string_equal(a->description, "Multi line\n");
    assert_int_equal(a->loc.line, 6);
    assert_int_equal(m->rules[0]->nannots, 1);
    assert_ptr_equal(m->rules[0]->annots[0], a);
    val_t *v = rego_annot_to_value(&A, a);
    assert_non_null(v);
    char *json = val_to_json(&A, v, VAL_JSON_SORTED);
    assert_string_equal(
        json,
        "{\"authors\":[{\"email\":\"jane@example.com\",\"name\":\"Jane Doe\"},{\"name\":\"Bob\"}],"
        "\"custom\":{\"severity\":\"high\"},\"description\":\"Multi line\\n\","
        "\"related_resources\":[{\"ref\":\"https://example.com\"},{\"description\":\"xy\",\"ref\":"
        "\"https://x.y\"}],\"schemas\":[{\"path\":[\"input\"],\"schema\":[\"schema\",\"input\"]},"
        "{\"definition\":{\"type\":\"string\"},\"path\":[\"data\",\"x\"]}],\"scope\":\"rule\","
        "\"title\":\"Allow\"}");
    /* a document-scoped block applies to every rule of the same path */
    a = m->annots[2];
    assert_int_equal(a->scope, REGO_SCOPE_DOCUMENT);
    assert_true(a->entrypoint);
    assert_int_equal(m->rules[1]->nannots, 1);
    assert_int_equal(m->rules[2]->nannots, 1);
    assert_ptr_equal(m->rules[2]->annots[0], a);
    /* comments are kept in order */
    assert_true(m->ncomments >= 20);
    assert_string_equal(m->comments[0].text, " METADATA");
    assert_int_equal(m->comments[1].loc.line, 2);

    parse_err(REGO_V1, "package p\n# METADATA\n# scope: rule\nimport data.x", 2, 1,
              "annotation scope 'rule' must be applied to rule (have import)");
    parse_err(REGO_V1,
              "# METADATA\n# scope: package\npackage p\n# METADATA\n# scope: package\np := 1", 4, 1,
              "annotation scope 'package' must be applied to package (have rule)");
    parse_err(REGO_V1, "package p\n# METADATA\n# scope: bogus\np := 1", 2, 1,
              "invalid annotation scope 'bogus'. Use one of 'rule', 'document', 'package', or "
              "'subpackages'");
    parse_err(REGO_V1, "package p\n# METADATA\n# entrypoint: true\n# scope: rule\np := 1", 2, 1,
              "annotation entrypoint applied to non-document or package scope 'rule'");
    parse_err(REGO_V1, "package p\n# METADATA\n#   \np := 1", 2, 1,
              "expected METADATA block, found whitespace");
    parse_err(REGO_V1, "package p\n# METADATA\n# authors: [\"\"]\np := 1", 2, 1,
              "invalid author definition : author is an empty string");
    parse_err(
        REGO_V1, "package p\n# METADATA\n# title: x\n# custom: [1]\np := 1", 4, 1,
        "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!seq into map[string]interface {}");
    parse_err(REGO_V1, "package p\n# METADATA\n# authors: [{}]\np := 1", 2, 1,
              "invalid author definition map[]: 'name' and/or 'email' values required in object");
    /* no METADATA processing when switched off */
    rego_parse_opts o = {.no_annotations = true};
    gh_err e;
    const char *src = "package p\n# METADATA\n# scope: bogus\np := 1";
    assert_int_equal(rego_parse_module(&A, NULL, src, strlen(src), &o, &m, &e), 0);
    assert_int_equal(m->nannots, 0);
}

/* ---- limits and exhaustion ------------------------------------------------------------- */

static char *repeat(const char *pre, const char *unit, int n, const char *mid, const char *close,
                    const char *post) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, pre);
    for (int i = 0; i < n; i++)
        gh_buf_puts(&b, unit);
    gh_buf_puts(&b, mid);
    for (int i = 0; i < n; i++)
        gh_buf_puts(&b, close);
    gh_buf_puts(&b, post);
    char *s = gh_arena_strndup(&A, b.p, b.len);
    gh_buf_free(&b);
    return s;
}

static void test_limits(void **state) {
    (void)state;
    rego_parse_opts o = {.max_depth = 64};
    rego_module *m;
    gh_err e;
    char *ok = repeat("package p\nx := ", "[", 40, "1", "]", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, ok, strlen(ok), &o, &m, &e), 0);
    char *deep = repeat("package p\nx := ", "[", 100, "1", "]", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, deep, strlen(deep), &o, &m, &e), GH_ELIMIT);
    char *parens = repeat("package p\nx := ", "(", 100, "1", ")", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, parens, strlen(parens), &o, &m, &e), GH_ELIMIT);
    char *compr = repeat("package p\nx := ", "[y | y := ", 50, "1", "]", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, compr, strlen(compr), &o, &m, &e), GH_ELIMIT);
    /* a long operator chain nests calls: bounded too */
    char *chain = repeat("package p\nx := 1", " + 1", 200, "", "", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, chain, strlen(chain), &o, &m, &e), GH_ELIMIT);
    /* wide is fine: long bodies, big arrays, many rules */
    char *wide = repeat("package p\nx := [", "1, ", 20000, "1", "", "]\n");
    assert_int_equal(rego_parse_module(&A, NULL, wide, strlen(wide), &o, &m, &e), 0);
    assert_int_equal(m->rules[0]->value->u.list.n, 20001);
    char *rules = repeat("package p\n", "p contains 1 if { x := 1; y := x }\n", 3000, "", "", "");
    assert_int_equal(rego_parse_module(&A, NULL, rules, strlen(rules), &o, &m, &e), 0);
    assert_int_equal(m->nrules, 3000);
    /* default depth limit */
    char *deflt = repeat("package p\nx := ", "{", 600, "1", "}", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, deflt, strlen(deflt), NULL, &m, &e), GH_ELIMIT);
    /* size limit */
    rego_parse_opts small = {.max_bytes = 10};
    assert_int_equal(rego_parse_module(&A, NULL, ok, strlen(ok), &small, &m, &e), GH_ELIMIT);
    /* bad arguments */
    assert_int_equal(rego_parse_module(NULL, NULL, ok, strlen(ok), NULL, &m, &e), GH_EINVAL);
}

static void test_backtracking_linear(void **state) {
    (void)state;
    /* shapes that make the parser back up (array heads followed by operators,
     * sets vs objects vs comprehensions) stay fast thanks to the term cache */
    char *src = repeat("package p\nx := ", "[", 200, "1", "] + 1", "\n");
    rego_parse_opts o = {.max_depth = 5000};
    rego_module *m;
    gh_err e;
    assert_int_equal(rego_parse_module(&A, NULL, src, strlen(src), &o, &m, &e), 0);
    src = repeat("package p\nx := ", "{1: ", 150, "1", "}", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, src, strlen(src), &o, &m, &e), 0);
    src = repeat("package p\nx := ", "{", 150, "a | b", "}", "\n");
    assert_int_equal(rego_parse_module(&A, NULL, src, strlen(src), &o, &m, &e), 0);
}

static void test_budget(void **state) {
    (void)state;
    const char *src =
        "package a.b\nimport data.x\n# METADATA\n# title: t\n"
        "p contains x if { some x in [1, 2]; x > count({y | y := input[_]}) }\n"
        "f(a) := {\"k\": a} if a\nq := `raw` if false else := 1\ndefault d := [1, {2}]\n";
    /* every budget from tiny to enough: either a clean ENOMEM or success */
    int ok = 0;
    for (size_t budget = 1; budget < 400000; budget = budget * 5 / 4 + 1) {
        gh_arena a;
        gh_arena_init(&a, budget);
        rego_module *m = NULL;
        gh_err e;
        rego_parse_opts o = {0};
        int rc = rego_parse_module(&a, "t.rego", src, strlen(src), &o, &m, &e);
        if (rc) {
            if (rc != GH_ENOMEM) fail_msg("budget %zu: %d %s", budget, rc, e.msg);
            assert_null(m);
        } else {
            ok++;
            assert_int_equal(m->nrules, 4);
        }
        gh_arena_free(&a);
    }
    assert_true(ok > 0);
}

/* Fuzzer-found module whose nested `(a, (b, ...` made the parser backtrack
 * exponentially (each `,` tries `k, v in xs`, then re-parses): with the
 * replay table it fails fast with a parse error in little memory. */
static void test_backtracking(void **state) {
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    gh_err e;
    assert_int_equal(gh_read_file(GH_SOURCE_DIR "/tests/fuzz/corpus/rego_eval/parse_blowup.rego",
                                  1 << 20, &buf, &n, &e), 0);
    assert_true(n > 2);
    gh_arena a;
    gh_arena_init(&a, 8u << 20);
    rego_module *m;
    /* byte 0 is the fuzzer's mode byte; the module ends before the NUL */
    size_t len = n - 1;
    while (len > 0 && buf[len] == 0) len--;
    assert_int_equal(rego_parse_module(&a, "t.rego", buf + 1, len, NULL, &m, &e), GH_EPARSE);
    assert_true(gh_arena_used(&a) < (2u << 20));
    gh_arena_free(&a);
    gh_free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_print_v1),    GH_TEST_ARENA(test_print_operators),
        GH_TEST_ARENA(test_print_v0),    GH_TEST_ARENA(test_queries_terms),
        GH_TEST_ARENA(test_rule_shapes), GH_TEST_ARENA(test_expr_shapes),
        GH_TEST_ARENA(test_errors),      GH_TEST_ARENA(test_scanner_errors),
        GH_TEST_ARENA(test_keywords),    GH_TEST_ARENA(test_builtin_hook),
        GH_TEST_ARENA(test_annotations), cmocka_unit_test(test_backtracking),
        GH_TEST_ARENA(test_limits),      GH_TEST_ARENA(test_backtracking_linear),
        GH_TEST_ARENA(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
