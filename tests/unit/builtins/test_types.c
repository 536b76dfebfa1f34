/* test_types.c - the types builtins against OPA's recorded answers
 * (tests/differential/types.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_types, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("types", tabs, NULL, 60);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* strings Go's ParseFloat takes but JSON does not: stored as valid
     * JSON numbers (OPA 0.61 keeps the raw text and cannot print it) */
    expect(&a, "to_number(\"+1\")", 0, "1");
    expect(&a, "to_number(\"+1.5\")", 0, "1.5");
    expect(&a, "to_number(\".5\")", 0, "0.5");
    expect(&a, "to_number(\"5.\")", 0, "5");
    expect(&a, "to_number(\"007\")", 0, "7");
    expect(&a, "to_number(\"-00.5e1\")", 0, "-0.5e1");
    expect(&a, "to_number(\"1_000\")", 0, "1000");
    expect(&a, "to_number(\"0x1p-2\")", 0, "0.25");
    expect(&a, "to_number(\"0x1.8p1\")", 0, "3");
    expect(&a, "to_number(\"1__0\")", GH_EINVAL,
           "strconv.ParseFloat: parsing \"1__0\": invalid syntax");
    expect(&a, "to_number(\"_1\")", GH_EINVAL,
           "strconv.ParseFloat: parsing \"_1\": invalid syntax");
    expect(&a, "to_number(\"a\\nb\")", GH_EINVAL,
           "strconv.ParseFloat: parsing \"a\\nb\": invalid syntax");
    /* OPA 1.x refuses infinities and NaN */
    expect(&a, "to_number(\"Inf\")", GH_ETYPE,
           "operand 1 must be valid number string but got string");
    expect(&a, "to_number(\"-infinity\")", GH_ETYPE,
           "operand 1 must be valid number string but got string");
    expect(&a, "to_number(\"NaN\")", GH_ETYPE,
           "operand 1 must be valid number string but got string");
    expect(&a, "to_number(\"1.7976931348623159e308\")", GH_EINVAL,
           "strconv.ParseFloat: parsing \"1.7976931348623159e308\": value out of range");
    expect(&a, "to_number(\"1.7976931348623157e308\")", 0, "1.7976931348623157e308");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
