/* test_sets.c - the sets builtins against OPA's recorded answers
 * (tests/differential/sets.expect) plus unit checks of edge cases the
 * differential file cannot express. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_sets, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_stats st = {0};
    bd_run("sets", tabs, NULL, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= 28);
}

/* Calls a builtin of this family on literal arguments; returns its code and
 * the result (or error message) as text. */
static int call(gh_arena *a, const char *line, const char **res) {
    char name[64];
    val_t *args[4];
    int n = rl_call(a, line, name, sizeof name, args, 4);
    assert_true(n >= 0);
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    assert_int_equal(b->arity, n);
    static gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e};
    val_t *out = NULL;
    int rc = b->fn(&c, args, &out);
    *res = rc == 0 ? val_to_json(a, out, VAL_JSON_SORTED) : rc == RB_UNDEF ? "undefined" : e.msg;
    return rc;
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    const char *got;
    int rc = call(a, line, &got);
    if (rc != want_rc || strcmp(got, want)) printf("%s: got %d %s\n", line, rc, got);
    assert_int_equal(rc, want_rc);
    assert_string_equal(got, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "intersection({{1, 2, 3}, {2, 3}, {3, 4}})", 0, "[3]");
    expect(&a, "union({{1}, {2}, {3, 1}})", 0, "[1,2,3]");
    expect(&a, "and({1, 2}, {2, 1})", 0, "[1,2]");
    expect(&a, "or({[1]}, {[1.0]})", 0, "[[1]]");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
