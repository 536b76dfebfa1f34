/* test_numbers.c - the number builtins and the arithmetic behind the
 * evaluator's operators (arith.h): OPA's recorded answers (numbers.expect),
 * 3000 random expressions answered by OPA (arith_random.tsv), and unit
 * checks of the API contract: no allocation for small int results, the
 * sign of zero, errors, limits and out-of-memory behaviour. */

#include "../gh_test.h"

#include "bi_diff.h"
#include "rego/builtins/arith.h"

static const rego_builtin *const tabs[] = {rego_bi_numbers, rego_bi_aggregates, NULL};

static void test_differential(void **state) {
    (void)state;
    static const bd_known known[] = {
        {"numbers.range_step(0, 10, 0)",
         "OPA 1.x message (\"step must be a positive integer\") instead of 0.61's"},
        {"numbers.range_step(0, 10, -1)", "same"},
        {NULL, NULL},
    };
    bd_check("numbers", tabs, known, 201);
}

static val_t *N(gh_arena *a, const char *t) {
    gh_err e;
    val_t *v = val_num_parse(a, t, strlen(t), &e);
    assert_non_null(v);
    return v;
}

static const char *text(gh_arena *a, const val_t *v) { return val_to_json(a, v, 0); }

/* Parses "(a) op (b)", "fn(a)", "sum([a, b])" as written by gen_arith_random.py. */
static int eval_random(gh_arena *a, const char *expr, val_t **out, gh_err *e) {
    const char *p = expr;
    if (*p == '(') {
        const char *x0 = p + 1, *x1 = strchr(x0, ')');
        const char *op = x1 + 2;
        const char *y0 = op + 3, *y1 = strrchr(y0, ')');
        val_t *x = val_num_parse(a, x0, (size_t)(x1 - x0), e);
        val_t *y = val_num_parse(a, y0, (size_t)(y1 - y0), e);
        if (!x || !y) return -100;
        rego_arith_op o = *op == '+'   ? REGO_ARITH_PLUS
                          : *op == '-' ? REGO_ARITH_MINUS
                          : *op == '*' ? REGO_ARITH_MUL
                          : *op == '/' ? REGO_ARITH_DIV
                                       : REGO_ARITH_REM;
        return rego_arith(a, o, x, y, out, e);
    }
    if (!strncmp(p, "sum(", 4) || !strncmp(p, "product(", 8)) {
        bool prod = *p == 'p';
        val_t *arr = val_arr_new(a, 4);
        p = strchr(p, '[') + 1;
        while (*p != ']') {
            const char *s = p;
            while (*p != ',' && *p != ']')
                p++;
            val_arr_push(a, arr, val_num_parse(a, s, (size_t)(p - s), e));
            while (*p == ',' || *p == ' ')
                p++;
        }
        return rego_arith_fold(a, prod, arr, out, e);
    }
    rego_arith_op1 o = *p == 'a'   ? REGO_ARITH_ABS
                       : *p == 'r' ? REGO_ARITH_ROUND
                       : *p == 'c' ? REGO_ARITH_CEIL
                                   : REGO_ARITH_FLOOR;
    const char *s = strchr(p, '(') + 1, *t = strrchr(s, ')');
    val_t *x = val_num_parse(a, s, (size_t)(t - s), e);
    if (!x) return -100;
    return rego_arith1(a, o, x, out, e);
}

static void test_random_corpus(void **state) {
    (void)state;
    char *all = bd_slurp(GH_SOURCE_DIR "/tests/differential/arith_random.tsv");
    assert_non_null(all);
    gh_arena a;
    gh_arena_init(&a, 0);
    int pass = 0, fail = 0;
    for (char *line = all; *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = '\0';
            gh_err e;
            gh_err_clear(&e);
            val_t *out = NULL;
            int rc = eval_random(&a, line, &out, &e);
            const char *got = rc ? e.msg : text(&a, out);
            if (strcmp(got, tab + 1)) {
                if (++fail < 20)
                    printf("MISMATCH %s\n   got  %.200s\n   want %.200s\n", line, got, tab + 1);
            } else {
                pass++;
            }
            gh_arena_reset(&a);
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    printf("arith_random: %d passed, %d failed\n", pass, fail);
    gh_arena_free(&a);
    free(all);
    assert_int_equal(fail, 0);
    assert_true(pass >= 3000);
}

static void check(gh_arena *a, rego_arith_op op, const char *x, const char *y, const char *want) {
    val_t *out = NULL;
    gh_err e;
    gh_err_clear(&e);
    int rc = rego_arith(a, op, N(a, x), N(a, y), &out, &e);
    const char *got = rc ? e.msg : text(a, out);
    if (strcmp(got, want)) printf("%s op%d %s: got %s want %s\n", x, (int)op, y, got, want);
    assert_string_equal(got, want);
}

static void test_api(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    check(&a, REGO_ARITH_PLUS, "0.1", "0.2", "0.3");
    check(&a, REGO_ARITH_DIV, "10", "3", "3.3333333333333333333");
    check(&a, REGO_ARITH_PLUS, "123456789012345678901234567890", "1",
          "123456789012345678900000000000");
    check(&a, REGO_ARITH_MUL, "0", "-1000", "-0");
    check(&a, REGO_ARITH_MUL, "0", "-5", "0");
    check(&a, REGO_ARITH_DIV, "0", "-5", "-0");
    check(&a, REGO_ARITH_DIV, "-9223372036854775808", "-1", "9223372036854775808");
    check(&a, REGO_ARITH_REM, "-9223372036854775808", "-1", "0");
    check(&a, REGO_ARITH_DIV, "1", "0.0", "divide by zero");
    check(&a, REGO_ARITH_REM, "1", "0", "modulo by zero");
    check(&a, REGO_ARITH_REM, "1.5", "1", "modulo on floating-point number");
    check(&a, REGO_ARITH_PLUS, "1000000.5", "0", "1.0000005e+06");
    check(&a, REGO_ARITH_MUL, "1e-200", "1e-200", "1.0000000000000000001e-400");
    /* beyond the supported exponent range */
    check(&a, REGO_ARITH_PLUS, "1e40000", "1", "number too big");
    check(&a, REGO_ARITH_MUL, "1e-20000", "1e-20000", "number too big");
    /* results longer than a number literal may be */
    check(&a, REGO_ARITH_PLUS, "1e5000", "1", "number too big");
    /* tiny values print short, via big temporaries (heap scratch blocks) */
    check(&a, REGO_ARITH_MUL, "1e-20000", "3", "3.0000000000000000002e-20000");
    check(&a, REGO_ARITH_DIV, "1", "7e20000", "1.4285714285714285715e-20001");

    /* small int results come from the static table: no arena use */
    size_t before = gh_arena_used(&a);
    val_t *out;
    gh_err e;
    assert_int_equal(rego_arith(&a, REGO_ARITH_PLUS, N(&a, "2"), N(&a, "3"), &out, &e), 0);
    assert_int_equal(rego_arith(&a, REGO_ARITH_MUL, N(&a, "20"), N(&a, "30"), &out, &e), 0);
    assert_int_equal(gh_arena_used(&a), before);
    assert_true(val_is_int(out) && out->u.i == 600);

    /* operand type errors name OPA's wording */
    assert_int_equal(rego_arith(&a, REGO_ARITH_PLUS, VAL_TRUE, N(&a, "1"), &out, &e), GH_ETYPE);
    assert_string_equal(e.msg, "operand 1 must be number but got boolean");
    val_t *s = val_set_new(&a, 1);
    assert_int_equal(rego_arith(&a, REGO_ARITH_MINUS, s, N(&a, "1"), &out, &e), GH_ETYPE);
    assert_string_equal(e.msg, "operand 2 must be set but got number");
    assert_int_equal(rego_arith(&a, REGO_ARITH_MINUS, s, VAL_NULLV, &out, &e), GH_ETYPE);
    assert_string_equal(e.msg, "operand 2 must be number but got null");
    assert_int_equal(rego_arith(&a, REGO_ARITH_MINUS, s, s, &out, &e), 0);
    assert_true(out->kind == VAL_SET);

    /* unary quirks reproduced from OPA */
    assert_int_equal(rego_arith1(&a, REGO_ARITH_CEIL, N(&a, "-0.5"), &out, &e), 0);
    assert_string_equal(text(&a, out), "1");
    assert_int_equal(rego_arith1(&a, REGO_ARITH_FLOOR, N(&a, "-0.5"), &out, &e), 0);
    assert_string_equal(text(&a, out), "0");
    assert_int_equal(rego_arith1(&a, REGO_ARITH_ROUND, N(&a, "-2.5"), &out, &e), 0);
    assert_string_equal(text(&a, out), "-3");

    int64_t i;
    assert_int_equal(rego_num_bigint64(N(&a, "1e3"), &i), 1);
    assert_int_equal(i, 1000);
    assert_int_equal(rego_num_bigint64(N(&a, "1.5"), &i), -1);
    assert_int_equal(rego_num_bigint64(N(&a, "1e30"), &i), 0);
    gh_arena_free(&a);
}

/* A tiny arena budget: every path reports GH_ENOMEM instead of crashing. */
static void test_oom(void **state) {
    (void)state;
    const char *xs[] = {"0.1", "123456789012345678901234567890", "1e300", "-7", "3.5e-9"};
    for (size_t budget = 1; budget < 4096; budget = budget * 2 + 1) {
        gh_arena big;
        gh_arena_init(&big, 0);
        for (size_t i = 0; i < 5; i++)
            for (size_t j = 0; j < 5; j++)
                for (int op = 0; op < 5; op++) {
                    gh_arena a;
                    gh_arena_init(&a, budget);
                    val_t *out = NULL;
                    gh_err e;
                    int rc =
                        rego_arith(&a, (rego_arith_op)op, N(&big, xs[i]), N(&big, xs[j]), &out, &e);
                    assert_true(rc == 0 || rc == GH_ENOMEM || rc == GH_EINVAL);
                    gh_arena_free(&a);
                }
        gh_arena_free(&big);
    }
    /* heap failures in the scratch allocator */
    for (long k = 0; k < 6; k++) {
        gh_arena a;
        gh_arena_init(&a, 0);
        val_t *x = N(&a, "1e-20000"), *y = N(&a, "3"), *out = NULL;
        gh_err e;
        gh_alloc_fail_after(k);
        int rc = rego_arith(&a, REGO_ARITH_MUL, x, y, &out, &e);
        gh_alloc_fail_after(-1);
        assert_true(rc == 0 || rc == GH_ENOMEM);
        gh_arena_free(&a);
    }
}

static void test_ranges(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    const rego_builtin *r = bd_find(tabs, "numbers.range");
    val_t *args[3] = {N(&a, "0"), N(&a, "100000000000"), NULL}, *out;
    assert_int_equal(r->fn(&c, args, &out), GH_EINVAL); /* over the element cap */
    args[1] = N(&a, "-3");
    assert_int_equal(r->fn(&c, args, &out), 0);
    assert_string_equal(text(&a, out), "[0,-1,-2,-3]");
    args[0] = N(&a, "9223372036854775806");
    args[1] = N(&a, "9223372036854775807");
    assert_int_equal(r->fn(&c, args, &out), 0);
    assert_string_equal(text(&a, out), "[9223372036854775806,9223372036854775807]");
    const rego_builtin *rs = bd_find(tabs, "numbers.range_step");
    args[0] = N(&a, "0");
    args[1] = N(&a, "10");
    args[2] = N(&a, "0");
    assert_int_equal(rs->fn(&c, args, &out), GH_EINVAL);
    assert_string_equal(e.msg, "numbers.range_step: step must be a positive integer");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_random_corpus),
        cmocka_unit_test(test_api),          cmocka_unit_test(test_oom),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
