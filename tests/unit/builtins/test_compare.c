/* test_compare.c - the compare builtins against OPA's recorded answers
 * (tests/differential/compare.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_compare, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("compare", tabs, NULL, 50);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "lt({3, 1, 2}, {1, 2, 4})", 0, "true");
    expect(&a, "equal({\"b\": [1, 2.0], \"a\": null}, {\"a\": null, \"b\": [1.0, 2]})", 0, "true");
    expect(&a, "gte(set(), {})", 0, "true");
    expect(&a, "neq([1e400], [1e400])", 0, "false");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
