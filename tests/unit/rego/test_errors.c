/* test_errors.c - unit tests of the engine's error list (rego_errors,
 * src/rego/errors.c) and type-error details (src/rego/compile_typerr.c):
 * every error of the failing stage is listed, capped at ten plus OPA's
 * "error limit reached"; call errors carry {"have","want"} and match errors
 * {"a","b"}, undefined refs {"ref","pos",...} in OPA's JSON encoding of
 * types, with OPA's text lines; the
 * module checks after parsing list all their errors; the gh_err summary
 * stays as before for callers without a list. */
#include "../gh_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/rego.h"

/* Compile one module into the list; returns the status. */
static int compile_list(const char *src, rego_errors *l, gh_err *e) {
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    gh_err_clear(e);
    rego_parse_opts po = {.errors = l};
    int rc = rego_policy_add_module(p, "m.rego", src, strlen(src), &po, e);
    rego_compile_opts co = {.errors = l};
    if (!rc) rc = rego_policy_compile(p, &co, e);
    rego_policy_free(p);
    return rc;
}

/* Prepare a query against an empty policy into the list. */
static int query_list(const char *q, rego_errors *l, gh_err *e) {
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    gh_err_clear(e);
    assert_int_equal(rego_policy_compile(p, NULL, e), 0);
    rego_parse_opts po = {.errors = l};
    rego_query *out = NULL;
    int rc = rego_query_prepare(p, &A, q, strlen(q), &po, &out, e);
    rego_policy_free(p);
    return rc;
}

static void test_call_details(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    assert_int_equal(query_list("x := 1 + \"a\"", &l, &e), GH_ETYPE);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].code, "rego_type_error");
    assert_string_equal(l.v[0].message, "plus: invalid argument(s)");
    assert_int_equal(l.v[0].row, 1);
    assert_int_equal(l.v[0].col, 6);
    assert_string_equal(l.v[0].details,
                        "{\"have\":[{\"type\":\"number\"},{\"type\":\"string\"},null],"
                        "\"want\":{\"args\":[{\"name\":\"x\",\"type\":\"number\"},"
                        "{\"name\":\"y\",\"type\":\"number\"},{\"name\":\"z\",\"type\":\"number\"}]}}");
    assert_string_equal(l.v[0].detail_text,
                        "have: (number, string, ?\?\?)\nwant: (x: number, y: number, z: number)");
    /* the summary for callers without the list */
    assert_string_equal(e.kind, "rego_type_error");
    assert_string_equal(e.msg, "plus: invalid argument(s)");
    rego_errors_free(&l);
}

static void test_type_text(void **state) {
    (void)state;
    static const struct {
        const char *q, *have;
    } cases[] = {
        {"x := {1, \"a\"}; upper(x)", "have: (set[any<number, string>], ?\?\?)"},
        {"x := {k: 1 | k := [\"a\"][_]}; upper(x)", "have: (object[string: number], ?\?\?)"},
        {"x := {\"a\": 1, \"b\": [1, true]}; upper(x)",
         "have: (object<a: number, b: array<number, boolean>>, ?\?\?)"},
        {"upper([])", "have: (array[any], ?\?\?)"},
        {"upper({})", "have: (object[any: any], ?\?\?)"},
        {"x := [y | y := [1][_]]; upper(x)", "have: (array[number], ?\?\?)"},
        {"count(1)", "have: (number, ?\?\?)\nwant: (collection: any<string, array[any], "
                     "object[any: any], set[any]>, n: number)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rego_errors l = {0};
        gh_err e;
        assert_int_not_equal(query_list(cases[i].q, &l, &e), 0);
        assert_int_equal(l.n, 1);
        assert_non_null(l.v[0].detail_text);
        if (strncmp(l.v[0].detail_text, cases[i].have, strlen(cases[i].have)))
            fail_msg("%s: got %s", cases[i].q, l.v[0].detail_text);
        rego_errors_free(&l);
    }
}

static void test_match_details(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    assert_int_not_equal(query_list("x := [1, 2]; x = {\"a\": null}", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].message, "match error");
    assert_string_equal(l.v[0].details,
                        "{\"a\":{\"static\":[{\"type\":\"number\"},{\"type\":\"number\"}],"
                        "\"type\":\"array\"},\"b\":{\"static\":[{\"key\":\"a\",\"value\":"
                        "{\"type\":\"null\"}}],\"type\":\"object\"}}");
    assert_string_equal(l.v[0].detail_text, "left  : array<number, number>\nright : object<a: null>");
    rego_errors_free(&l);
}

static void test_ref_details(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    /* a key the object cannot have: the keys it has */
    assert_int_not_equal(query_list("x := {\"a\": 1, 2: 3}; y := x.b", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].message, "undefined ref: x.b");
    assert_string_equal(l.v[0].details,
                        "{\"ref\":[{\"type\":\"var\",\"value\":\"x\"},{\"type\":\"string\","
                        "\"value\":\"b\"}],\"pos\":1,\"want\":{\"of\":[{\"type\":\"number\"},"
                        "{\"type\":\"string\"}],\"type\":\"any\"},\"oneOf\":[2,\"a\"]}");
    assert_string_equal(l.v[0].detail_text,
                        "x.b\n  ^\n  have: \"b\"\n  want (one of): [2 \"a\"]");
    rego_errors_free(&l);
    /* past the end of a static array */
    assert_int_not_equal(query_list("x := [1, 2]; x[5]", &l, &e), 0);
    assert_string_equal(l.v[0].detail_text, "x[5]\n  ^\n  have: 5\n  want (type): number");
    assert_non_null(strstr(l.v[0].details, "\"oneOf\":null"));
    rego_errors_free(&l);
    /* a scalar cannot be indexed: the whole ref is named */
    assert_int_not_equal(query_list("x := [1]; y := x[_].foo", &l, &e), 0);
    assert_string_equal(l.v[0].message, "undefined ref: x[_].foo");
    assert_string_equal(l.v[0].detail_text, "x[_].foo\n^^^^\nhave: number");
    rego_errors_free(&l);
    /* a function is not a document */
    const char *src = "package t\nf(x) := x + 1\np := data.t.f\n";
    rego_policy *p = rego_policy_new();
    gh_err_clear(&e);
    assert_int_equal(rego_policy_add_module(p, "m.rego", src, strlen(src), NULL, &e), 0);
    rego_compile_opts co = {.errors = &l};
    assert_int_equal(rego_policy_compile(p, &co, &e), GH_ETYPE);
    rego_policy_free(p);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].detail_text, "data.t.f\n^^^^^^^^\nhave: (number) => number");
    assert_non_null(strstr(l.v[0].details, "\"pos\":2,\"have\":{\"args\":[{\"type\":\"number\"}],"
                                           "\"result\":{\"type\":\"number\"},\"type\":\"function\"}"));
    rego_errors_free(&l);
}

static void test_arity_and_unknown(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    /* arity: the operands' types (constants only) and the declared arguments */
    assert_int_not_equal(query_list("x := [1, y]; count(x, 1, 2)", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].message, "count: arity mismatch");
    assert_string_equal(l.v[0].detail_text,
                        "have: (?\?\?, number, number)\nwant: (collection: any<string, array[any], "
                        "object[any: any], set[any]>)");
    rego_errors_free(&l);
    /* a var not bound yet is unknown (null) in match details */
    assert_int_not_equal(query_list("x := [1, 2]; [a] = x", &l, &e), 0);
    assert_string_equal(l.v[0].detail_text, "left  : array<?\?\?>\nright : array<number, number>");
    assert_non_null(strstr(l.v[0].details, "\"a\":{\"static\":[null],\"type\":\"array\"}"));
    rego_errors_free(&l);
    /* objects known exactly cannot unify when their keys differ */
    assert_int_not_equal(query_list("x := {\"a\": 1}; {\"b\": y} = x", &l, &e), 0);
    assert_string_equal(l.v[0].detail_text, "left  : object<b: ?\?\?>\nright : object<a: number>");
    rego_errors_free(&l);
    assert_int_equal(query_list("x := {\"a\": 1}; {\"a\": y} = x; y == 1", &l, &e), 0);
    assert_int_equal(l.n, 0);
    /* a call term's output is unknown too */
    assert_int_not_equal(query_list("x := count(1, 2)", &l, &e), 0);
    assert_string_equal(l.v[0].detail_text,
                        "have: (number, number, ?\?\?)\nwant: (collection: any<string, "
                        "array[any], object[any: any], set[any]>)");
    rego_errors_free(&l);
    /* undefined functions and arities come before safety, as OPA's stages:
     * the unsafe vars of another rule are not reported with them */
    assert_int_not_equal(
        compile_list("package t\ns if { [a, b] := [1] }\nq := nosuch(1)\n", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].message, "undefined function nosuch");
    rego_errors_free(&l);
    /* every undefined function of a rule, not only its first */
    assert_int_not_equal(
        compile_list("package t\np := nosuch(other(1))\nq := data.t.nofn(2)\n", &l, &e), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].message, "undefined function nosuch");
    assert_string_equal(l.v[1].message, "undefined function other");
    assert_string_equal(l.v[2].message, "undefined function data.t.nofn");
    rego_errors_free(&l);
    /* a user function's arity error names both counts */
    assert_int_not_equal(compile_list("package t\nf(x) := x\np if { f() }\n", &l, &e), 0);
    assert_string_equal(l.v[0].message, "function data.t.f has arity 1, got 0 arguments");
    rego_errors_free(&l);
}

static void test_several_and_function(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    const char *src = "package t\n"
                      "f(x) := y if { y := upper(x) }\n"
                      "p := f(1)\n"
                      "q := sum(\"a\")\n";
    assert_int_equal(compile_list(src, &l, &e), GH_ETYPE);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].message, "data.t.f: invalid argument(s)");
    assert_string_equal(l.v[0].file, "m.rego");
    assert_int_equal(l.v[0].row, 3);
    /* a function's wanted types are its inferred ones, without names */
    assert_string_equal(l.v[0].detail_text, "have: (number, ?\?\?)\nwant: (string, string)");
    assert_string_equal(l.v[1].message, "sum: invalid argument(s)");
    assert_int_equal(l.v[1].row, 4);
    /* the summary joins the others as before */
    assert_non_null(strstr(e.msg, "\nm.rego:4:6: rego_type_error: sum: invalid argument(s)"));
    rego_errors_free(&l);
}

static void test_error_limit(void **state) {
    (void)state;
    char src[1024];
    size_t n = (size_t)snprintf(src, sizeof src, "package t\n");
    for (int i = 1; i <= 12; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, "p%d := x%d if { true }\n", i, i);
    rego_errors l = {0};
    gh_err e;
    assert_int_not_equal(compile_list(src, &l, &e), 0);
    assert_int_equal(l.n, REGO_MAX_ERRORS + 1);
    for (int i = 0; i < REGO_MAX_ERRORS; i++) {
        char want[32];
        snprintf(want, sizeof want, "var x%d is unsafe", i + 1); /* the first ten by location */
        assert_string_equal(l.v[i].message, want);
        assert_string_equal(l.v[i].code, "rego_unsafe_var_error");
        assert_int_equal(l.v[i].row, i + 2);
    }
    assert_string_equal(l.v[10].code, "rego_compile_error");
    assert_string_equal(l.v[10].message, "error limit reached");
    assert_null(l.v[10].file);
    rego_errors_free(&l);

    /* twelve type errors: also ten and the marker */
    n = (size_t)snprintf(src, sizeof src, "package t\n");
    for (int i = 1; i <= 12; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, "p%d := count(%d)\n", i, i);
    assert_int_equal(compile_list(src, &l, &e), GH_ETYPE);
    assert_int_equal(l.n, REGO_MAX_ERRORS + 1);
    assert_int_equal(l.v[9].row, 11);
    assert_string_equal(l.v[10].message, "error limit reached");
    rego_errors_free(&l);
}

static void test_parse_checks_listed(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    assert_int_equal(compile_list("package t\n1 := 2\n\"a\" := 3\n", &l, &e), GH_EPARSE);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].message, "number cannot be used for rule name");
    assert_string_equal(l.v[1].message, "string cannot be used for rule name");
    assert_true(l.v[0].no_source_line && l.v[1].no_source_line);
    rego_errors_free(&l);
    /* a syntax error stays the only one, with its source line */
    assert_int_equal(compile_list("package t\na := \nb := [1,\n", &l, &e), GH_EPARSE);
    assert_int_equal(l.n, 1);
    assert_false(l.v[0].no_source_line);
    rego_errors_free(&l);
    /* unless the failing statement records several, as OPA's parser does */
    assert_int_equal(compile_list("package y\n\nq[ := 1\n", &l, &e), GH_EPARSE);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].message, "unexpected assign token");
    assert_string_equal(l.v[1].message, "unexpected assign token: expected rule head name");
    assert_false(l.v[1].no_source_line);
    rego_errors_free(&l);
    /* without a package, the first statement is only reported */
    assert_int_equal(compile_list("packagp\nimport rego.v1\n", &l, &e), GH_EPARSE);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].message, "package expected");
    rego_errors_free(&l);
}

static void test_rule_conflicts(void **state) {
    (void)state;
    rego_errors l = {0};
    gh_err e;
    const char *src = "package t\n"
                      "p := 1\n"
                      "p contains 2\n"
                      "f(x) := 1\n"
                      "f(x, y) := 2\n"
                      "default q := 1\n"
                      "default q := 2\n"
                      "r := 2\n"
                      "r.a := 1\n"
                      "r.b := 1\n";
    assert_int_equal(compile_list(src, &l, &e), GH_ECONFLICT);
    assert_int_equal(l.n, 4);
    /* each at the node's first rule, all of them */
    assert_string_equal(l.v[0].message, "conflicting rules data.t.p found");
    assert_int_equal(l.v[0].row, 2);
    assert_string_equal(l.v[1].message, "conflicting rules data.t.f found");
    assert_int_equal(l.v[1].row, 4);
    assert_string_equal(l.v[2].message, "multiple default rules data.t.q found");
    assert_int_equal(l.v[2].row, 6);
    assert_string_equal(l.v[3].message, "rule data.t.r conflicts with [data.t.r.a data.t.r.b]");
    assert_int_equal(l.v[3].row, 8);
    rego_errors_free(&l);
}

static void test_no_list_unchanged(void **state) {
    (void)state;
    rego_policy *p = rego_policy_new();
    gh_err e;
    gh_err_clear(&e);
    const char *src = "package t\np := count(1)\nq := 1 + \"a\"\n";
    assert_int_equal(rego_policy_add_module(p, "m.rego", src, strlen(src), NULL, &e), 0);
    assert_int_equal(rego_policy_compile(p, NULL, &e), GH_ETYPE);
    assert_string_equal(e.kind, "rego_type_error");
    assert_int_equal(e.line, 2);
    assert_string_equal(e.msg, "count: invalid argument(s)\n"
                               "m.rego:3:6: rego_type_error: plus: invalid argument(s)");
    rego_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_details),       cmocka_unit_test(test_type_text),
        cmocka_unit_test(test_match_details),      cmocka_unit_test(test_ref_details),
        cmocka_unit_test(test_arity_and_unknown),  cmocka_unit_test(test_several_and_function),
        cmocka_unit_test(test_error_limit),        cmocka_unit_test(test_parse_checks_listed),
        cmocka_unit_test(test_rule_conflicts),     cmocka_unit_test(test_no_list_unchanged),
    };
    return GH_TEST_RUN_GROUP(tests);
}
