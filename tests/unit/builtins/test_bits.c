/* test_bits.c - the bits builtins against OPA's recorded answers
 * (tests/differential/bits.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_bits, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("bits", tabs, NULL, 45);
}

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, 0, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "bits.rsh(1, 100000000000000000000)", 0, "0");
    expect(&a, "bits.rsh(-1, 100000000000000000000)", 0, "-1");
    expect(&a, "bits.lsh(0, 100000000000000000000)", 0, "0");
    expect(&a, "bits.lsh(1, 100000)", GH_EINVAL, "number too big");
    expect(&a, "bits.lsh(-9223372036854775808, 1)", 0, "-18446744073709551616");
    expect(&a, "bits.rsh(-9223372036854775808, 63)", 0, "-1");
    expect(&a, "bits.xor(-18446744073709551616, 18446744073709551615)", 0, "-1");
    expect(&a, "bits.and(-18446744073709551616, -1)", 0, "-18446744073709551616");
    expect(&a, "bits.or(-18446744073709551616, 5)", 0, "-18446744073709551611");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
