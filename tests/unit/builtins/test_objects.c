/* test_objects.c - the objects builtins against OPA's recorded answers
 * (tests/differential/objects.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_objects, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("objects", tabs, NULL, 85);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "object.subset([1, 1], {1, 2})", 0, "true");
    expect(&a, "object.subset([], set())", 0, "false");
    expect(&a, "object.subset([5], set())", 0, "true");
    expect(&a,
           "object.union_n([{\"a\": {\"b\": {\"c\": 1}}}, {\"a\": {\"b\": 5}}, "
           "{\"a\": {\"b\": {\"d\": 2}}}])",
           0, "{\"a\":{\"b\":{\"d\":2}}}");
    expect(&a, "object.get({\"a\": {\"b\": [1, {\"c\": 2}]}}, [\"a\", \"b\", 1, \"c\"], 0)", 0,
           "2");
    expect(&a, "object.get({\"a\": {\"b\": 1}}, [\"a\", \"b\", \"c\"], 0)", 0, "0");
    expect(&a, "object.remove({\"a\": 1, \"b\": 2}, {\"b\": null, \"c\": 1})", 0, "{\"a\":1}");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
