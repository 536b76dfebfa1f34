/* test_aggregates.c - the aggregates builtins against OPA's recorded answers
 * (tests/differential/aggregates.expect) plus unit checks of edge cases the
 * differential file cannot express. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_aggregates, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("aggregates", tabs, NULL, 95);
}

static const bd_case cases[] = {
    {"sort([3, 1, 2, 1.0, 9, 8, 7, 6, 5, 4, 1, 0.5])", 0, "[0.5,1,1.0,1,2,3,4,5,6,7,8,9]"},
    {"max({[1], [0, 5], \"z\"})", 0, "[1]"},
    {"min({[1], [0, 5], \"z\"})", 0, "\"z\""},
    {"count(\"a\\u0000b\")", 0, "3"},
};

static void test_cases(void **state) {
    (void)state;
    bd_expect_cases(tabs, 0, cases, sizeof cases / sizeof *cases);
}

/* Arguments no literal can spell: invalid UTF-8, a long array. */
static void test_built_args(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* invalid UTF-8 counts one rune per bad byte, as Go's []rune (the
     * conformance case aggregates/count with invalid utf-8 chars) */
    static const unsigned char raw[] = {0xd8, 0x4f, 0x38, 0x66, 0xe3, 0xd4, 0x77, 0xbc,
                                        0xdf, 0xbc, 0x26, 0x52, 0x34, 0x47, 0x21, 0x56,
                                        0x90, 0xc4, 0x22, 0x3e, 0x8f, 0x2f, 0xb2, 0x5f,
                                        0x2e, 0x92, 0x2a, 0xcb, 0x15, 0x46, 0xd7, 0xa9};
    val_t *s = val_str(&a, (const char *)raw, sizeof raw);
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    val_t *out;
    assert_int_equal(bd_find(tabs, "count")->fn(&c, &s, &out), 0);
    assert_int_equal(out->u.i, 30);
    /* a long array: merge sort path and stability */
    val_t *arr = val_arr_new(&a, 1000);
    for (int i = 0; i < 1000; i++)
        val_arr_push(&a, arr, val_int(&a, (i * 7919) % 1000));
    assert_int_equal(bd_find(tabs, "sort")->fn(&c, &arr, &out), 0);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(val_arr_at(out, i)->u.i, (int64_t)i);
    assert_int_equal(bd_find(tabs, "sum")->fn(&c, &arr, &out), 0);
    assert_int_equal(out->u.i, 499500);
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_built_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
