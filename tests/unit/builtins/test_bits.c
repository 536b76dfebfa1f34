/* test_bits.c - the bits builtins against OPA's recorded answers
 * (tests/differential/bits.expect) plus unit checks of edge cases the
 * differential file cannot express. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_bits, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_stats st = {0};
    bd_run("bits", tabs, NULL, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= 45);
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
