/* test_arrays.c - the arrays builtins against OPA's recorded answers
 * (tests/differential/arrays.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_arrays, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("arrays", tabs, NULL, 28);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "array.slice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, 8)", 0, "[3,4,5,6,7,8]");
    expect(&a, "array.slice([1, 2, 3], -0, 1)", 0, "[1]");
    expect(&a, "array.slice([1, 2, 3], 0, -9223372036854775808)", 0, "[]");
    expect(&a, "array.concat([[1]], [])", 0, "[[1]]");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
