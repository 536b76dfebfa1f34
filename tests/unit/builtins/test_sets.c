/* test_sets.c - the sets builtins against OPA's recorded answers
 * (tests/differential/sets.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_sets, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("sets", tabs, NULL, 28);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
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
