/* test_number.c - unit tests of numbers: literal parsing (JSON grammar,
 * limits), the int64 fast path, exact decimal equality/order/hash across
 * representations and exponents, numeric views, and val_num_double's
 * shortest round-trip text (Go's strconv 'g' -1 as OPA prints floats). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "value/value.h"

static val_t *N(const char *lit) {
    gh_err e;
    gh_err_clear(&e);
    val_t *v = val_num_parse(&A, lit, strlen(lit), &e);
    if (!v) fail_msg("parse of %s failed: %s", lit, e.msg);
    return v;
}
static const char *J(const val_t *v) { return val_to_json(&A, v, 0); }

static void eq(const char *a, const char *b) {
    val_t *x = N(a), *y = N(b);
    if (val_compare(x, y) != 0 || !val_equal(x, y) || val_hash(x) != val_hash(y))
        fail_msg("%s should equal %s (same hash)", a, b);
}
static void lt(const char *a, const char *b) {
    val_t *x = N(a), *y = N(b);
    if (!(val_compare(x, y) < 0 && val_compare(y, x) > 0) || val_equal(x, y))
        fail_msg("%s should be < %s", a, b);
}

static void test_parse_int_path(void **state) {
    (void)state;
    val_t *v = N("42");
    assert_true(val_is_int(v));
    assert_int_equal(v->u.i, 42);
    assert_ptr_equal(v, val_int(&A, 42));
    v = N("-9223372036854775808");
    assert_true(val_is_int(v));
    assert_true(v->u.i == INT64_MIN);
    v = N("9223372036854775807");
    assert_true(val_is_int(v));
    assert_true(v->u.i == INT64_MAX);
    v = N("9223372036854775808");
    assert_false(val_is_int(v));
    assert_string_equal(J(v), "9223372036854775808");
    v = N("-9223372036854775809");
    assert_false(val_is_int(v));
    /* a fraction or exponent keeps the text even when integral */
    v = N("1.0");
    assert_int_equal(v->sub, VAL_NUM_DEC);
    assert_string_equal(J(v), "1.0");
    v = N("1e2");
    assert_string_equal(J(v), "1e2");
    int64_t i;
    assert_true(val_num_to_int64(v, &i));
    assert_int_equal(i, 100);
    /* -0 stays as written */
    v = N("-0");
    assert_string_equal(J(v), "-0");
    eq("-0", "0");
    eq("-0.0", "0");
    eq("0e10", "0");
    eq("-0e-10", "0.000");
    assert_string_equal(J(val_int(&A, INT64_MIN)), "-9223372036854775808");
    assert_string_equal(J(val_int(&A, -1)), "-1");
    assert_string_equal(J(val_int(&A, 1234567890123)), "1234567890123");
}

static void test_parse_errors(void **state) {
    (void)state;
    static const char *bad[] = {"",   "-",   "01",  "-01", "1.",  ".5",  "1e",  "1e+", "+1",
                                "1x", "0x1", " 1",  "1 ",  "1.e5", "--1", "1e5.0", "NaN",
                                "Infinity", "1,5", "0.1.2", "1E+-2", "\xff"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        gh_err e;
        gh_err_clear(&e);
        size_t n = strlen(bad[k]);
        assert_null(val_num_parse(&A, bad[k], n, &e));
        if (e.code != GH_EPARSE) fail_msg("'%s' gave code %d", bad[k], e.code);
        assert_non_null(strstr(e.msg, "number"));
    }
    assert_null(val_num_parse(&A, NULL, 0, NULL));
    /* a NUL inside the given length is not a digit */
    assert_null(val_num_parse(&A, "1\0" "2", 3, NULL));
    /* limits */
    char *lng = malloc(GH_MAX_NUMBER_CHARS + 2);
    memset(lng, '7', GH_MAX_NUMBER_CHARS + 1);
    gh_err e;
    assert_null(val_num_parse(&A, lng, GH_MAX_NUMBER_CHARS + 1, &e));
    assert_int_equal(e.code, GH_ELIMIT);
    val_t *v = val_num_parse(&A, lng, GH_MAX_NUMBER_CHARS, &e); /* exactly at the limit: ok */
    assert_non_null(v);
    assert_int_equal(v->u.dec->ndigits, GH_MAX_NUMBER_CHARS);
    free(lng);
    assert_null(val_num_parse(&A, "1e1000000000000000000", 21, &e));
    assert_int_equal(e.code, GH_ELIMIT);
    assert_non_null(N("1e999999999999999"));
    assert_non_null(N("1e-000000000000000000000000000000005")); /* leading zeros are fine */
    eq("1e-000000000000000000000000000000005", "0.00001");
}

static void test_equal_across_forms(void **state) {
    (void)state;
    eq("1", "1.0");
    eq("1", "1e0");
    eq("1", "10e-1");
    eq("1", "0.1e1");
    eq("1", "100e-2");
    eq("1.0", "1.00000");
    eq("100", "1e2");
    eq("100", "1E+2");
    eq("0.1e-5", "1e-6");
    eq("0.000001", "1e-6");
    eq("123.456", "123456e-3");
    eq("-2.50", "-25e-1");
    eq("1000000", "1e6");
    eq("9223372036854775807", "9.223372036854775807e18");
    eq("-9223372036854775808", "-9.223372036854775808e18");
    eq("9223372036854775808", "9.223372036854775808e18");
    eq("123456789012345678901234567890", "1.2345678901234567890123456789e29");
    eq("1e400", "10e399");
    eq("1e400", "0.001e403");
    eq("1e-400", "0.1e-399");
    /* int hash for every integral form that fits int64 */
    assert_true(val_hash(N("5e3")) == val_hash(val_int(&A, 5000)));
    assert_true(val_hash(N("-7.0")) == val_hash(val_int(&A, -7)));
    assert_true(val_hash(N("1.5")) != val_hash(N("15e-2")));
}

static void test_order(void **state) {
    (void)state;
    lt("1e399", "1e400");
    lt("-1e400", "0");
    lt("-1e400", "-1e399");
    lt("-1e400", "-9223372036854775808");
    lt("9223372036854775807", "9223372036854775808");
    lt("9223372036854775807", "1e400");
    lt("1e-400", "1e-399");
    lt("0", "1e-400");
    lt("-1e-400", "0");
    lt("-1e-399", "-1e-400");
    lt("5", "5.5");
    lt("5.5", "6");
    lt("-5.5", "-5");
    lt("-6", "-5.5");
    lt("0.1", "0.10000000000000000001");
    lt("123456789012345678901234567890", "123456789012345678901234567891");
    lt("-123456789012345678901234567891", "-123456789012345678901234567890");
    lt("99", "1e2");
    lt("1e2", "101");
    lt("0.999999999999999999999", "1");
    lt("1", "1.000000000000000000001");
    lt("-1", "-0.5");
    lt("2", "19");
    lt("1.9", "2");
    lt("2", "10");
    /* round trip of a huge integer */
    assert_string_equal(J(N("123456789012345678901234567890")), "123456789012345678901234567890");
    assert_string_equal(J(N("-1.50E+003")), "-1.50E+003");
}

static void test_views(void **state) {
    (void)state;
    int64_t i = 0;
    assert_true(val_num_to_int64(N("1e2"), &i) && i == 100);
    assert_true(val_num_to_int64(N("-12.000"), &i) && i == -12);
    assert_false(val_num_to_int64(N("1.5"), &i));
    assert_false(val_num_to_int64(N("1e19"), &i));
    assert_false(val_num_to_int64(N("1e400"), &i));
    assert_true(val_num_to_int64(N("-9.223372036854775808e18"), &i) && i == INT64_MIN);
    assert_false(val_num_to_int64(N("9.223372036854775808e18"), &i));
    assert_true(val_num_to_int64(N("0.0"), &i) && i == 0);
    assert_false(val_num_to_int64(val_strc(&A, "1"), &i));
    assert_true(val_num_is_integral(N("1e2")));
    assert_true(val_num_is_integral(N("2.000")));
    assert_true(val_num_is_integral(N("1e400")));
    assert_true(val_num_is_integral(N("0.0")));
    assert_false(val_num_is_integral(N("2.5")));
    assert_false(val_num_is_integral(N("1e-400")));
    assert_false(val_num_is_integral(VAL_NULLV));
    assert_true(val_num_to_double(N("0.1")) == 0.1);
    assert_true(val_num_to_double(N("-2.5e3")) == -2500.0);
    assert_true(val_num_to_double(N("123456789012345678901234567890")) == 1.2345678901234568e29);
    assert_true(isinf(val_num_to_double(N("1e400"))) && val_num_to_double(N("1e400")) > 0);
    assert_true(isinf(val_num_to_double(N("-1e400"))) && val_num_to_double(N("-1e400")) < 0);
    assert_true(val_num_to_double(N("1e-400")) == 0.0);
    assert_true(val_num_to_double(N("4.9e-324")) == 5e-324);
    assert_true(val_num_to_double(N("1.7976931348623157e308")) == 1.7976931348623157e308);
    assert_true(val_num_to_double(val_int(&A, -77)) == -77.0);
}

static void dbl(double d, const char *want) {
    val_t *v = val_num_double(&A, d);
    assert_non_null(v);
    const char *got = J(v);
    if (strcmp(got, want)) fail_msg("%.17g: got %s want %s", d, got, want);
    if (val_num_to_double(v) != d && d == d) fail_msg("%s does not read back", got);
}

static void test_double_format(void **state) {
    (void)state;
    volatile double a = 0.1, b = 0.2, three = 3.0;
    dbl(a + b, "0.30000000000000004");
    dbl(1 / three, "0.3333333333333333");
    dbl(2 / three, "0.6666666666666666");
    dbl(100 / three, "33.333333333333336");
    dbl(2.5, "2.5");
    dbl(-2.5, "-2.5");
    dbl(0.5, "0.5");
    dbl(3.0, "3");
    dbl(-0.0, "0");
    dbl(0.0, "0");
    dbl(1e-7, "1e-07");
    dbl(1e-5, "1e-05");
    dbl(1.5e-5, "1.5e-05");
    dbl(0.0001, "0.0001");
    dbl(0.000123, "0.000123");
    dbl(123456.5, "123456.5");
    dbl(123456.789, "123456.789");
    dbl(1234567.5, "1.2345675e+06");
    dbl(1000000.5, "1.0000005e+06");
    dbl(4.35, "4.35");
    dbl(5e-324, "5e-324");
    dbl(2.2250738585072014e-308, "2.2250738585072014e-308");
    dbl(5.684341886080802e-14, "5.684341886080802e-14");
    dbl(9.5367431640625e-07, "9.5367431640625e-07");
    dbl(1e6, "1000000");
    dbl(1e21, "1000000000000000000000");
    dbl(1e23, "100000000000000000000000");
    dbl(-9.3e18, "-9300000000000000000");
    dbl(9007199254740993.0, "9007199254740992");
    /* the largest double: all 309 digits */
    char big[400] = "17976931348623157";
    memset(big + 17, '0', 292);
    big[309] = '\0';
    dbl(1.7976931348623157e308, big);
    assert_null(val_num_double(&A, NAN));
    assert_null(val_num_double(&A, INFINITY));
    assert_null(val_num_double(&A, -INFINITY));
    /* integral doubles are int64 values, equal and same hash as ints */
    val_t *m = val_num_double(&A, 1e6);
    assert_true(val_is_int(m));
    assert_true(val_hash(m) == val_hash(val_num_parse(&A, "1e6", 3, NULL)));
    val_t *q = val_num_double(&A, 0.25);
    assert_true(val_equal(q, val_num_parse(&A, "25e-2", 5, NULL)));
}

/* Independent shortest search: the smallest p for which some p-digit
 * decimal (the nearest, or the one beside it) reads back as d. */
static int ref_shortest_len(double d) {
    for (int p = 1; p <= 17; p++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d) return p;
        /* neighbours: nudge the last digit */
        double r = strtod(buf, NULL);
        char *e = strchr(buf, 'e');
        int ex = atoi(e + 1);
        char digs[32];
        int nd = 0;
        for (char *s = buf; s < e; s++)
            if (*s >= '0' && *s <= '9') digs[nd++] = *s;
        digs[nd] = '\0';
        long long mant = atoll(digs) + (r < d ? 1 : -1);
        char alt[64];
        snprintf(alt, sizeof alt, "%llde%d", mant, ex - (nd - 1));
        if (strtod(alt, NULL) == d) return p;
    }
    return 17;
}

static int digits_in(const char *t) {
    int n = 0, lead = 1;
    char digs[400];
    for (; *t && *t != 'e'; t++) {
        if (*t < '0' || *t > '9') continue;
        if (lead && *t == '0') continue;
        lead = 0;
        digs[n++] = *t;
    }
    while (n > 1 && digs[n - 1] == '0') n--;
    return n;
}

static void test_double_roundtrip(void **state) {
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int k = 0; k < 20000; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (k % 2) {
            memcpy(&d, &x, 8);
        } else {
            /* values people compute: small magnitudes, a few decimals */
            d = (double)(int64_t)(x % 2000000) / (double)(1 + (x >> 40) % 1000) - 1000.0;
        }
        if (!isfinite(d)) continue;
        val_t *v = val_num_double(&A, d);
        assert_non_null(v);
        if (val_num_to_double(v) != d) fail_msg("%.17g does not round-trip (%s)", d, J(v));
        if (val_is_int(v)) continue;
        const char *t = J(v);
        if (d != trunc(d) && digits_in(t) != ref_shortest_len(fabs(d)))
            fail_msg("%.17g printed %s, not shortest (%d)", d, t, ref_shortest_len(fabs(d)));
        /* the text is a valid literal, equal to the value */
        val_t *back = val_num_parse(&A, t, strlen(t), NULL);
        assert_non_null(back);
        assert_true(val_equal(back, v));
        if ((k & 1023) == 0) gh_arena_reset(&A);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int_path),   cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_equal_across_forms), cmocka_unit_test(test_order),
        cmocka_unit_test(test_views),            cmocka_unit_test(test_double_format),
        cmocka_unit_test(test_double_roundtrip),
    };
    return GH_TEST_RUN_GROUP(tests);
}
