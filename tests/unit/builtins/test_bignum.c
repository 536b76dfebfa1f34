/* test_bignum.c - the shared multi-precision module (bignum.h): natural
 * numbers against 128-bit reference arithmetic, text in bases 2/8/10/16,
 * big.Float parsing and rounding as Go does it, the bounded exponent range
 * (GH_ELIMIT) and Go's full range (go_range: Inf, underflow to zero,
 * "exponent overflow"), infinities, and out-of-memory handling. The
 * builtins on top are covered by the differential replays of their
 * families (test_numbers, test_strings, ...). */
#include <stdio.h>
#include <string.h>

#include "../gh_test.h"

#include "rego/builtins/bignum.h"

typedef unsigned __int128 u128;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static rn_nat nat128(rn_scratch *s, u128 v) {
    rn_nat lo = rn_nat_u64(s, (uint64_t)v);
    rn_nat hi = rn_nat_shl(s, rn_nat_u64(s, (uint64_t)(v >> 64)), 64);
    return rn_nat_add(s, hi, lo);
}

static u128 val128(rn_nat a) {
    assert_true(a.n <= 2);
    u128 v = 0;
    for (size_t i = a.n; i-- > 0;)
        v = (v << 64) | a.d[i];
    return v;
}

/* Reference: v in base b (2..16). */
static void ref_text(u128 v, int base, bool upper, char *out) {
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[130];
    int k = 0;
    do {
        tmp[k++] = dig[(int)(v % (unsigned)base)];
        v /= (unsigned)base;
    } while (v);
    for (int i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    out[k] = '\0';
}

static void test_nat_reference(void **st) {
    (void)st;
    rn_scratch s;
    rn_scratch_init(&s);
    char want[140];
    for (int it = 0; it < 3000; it++) {
        u128 x = ((u128)next() << 64 | next()) >> (next() % 128);
        u128 y = ((u128)next() << 64 | next()) >> (next() % 128);
        if (!y) y = 7;
        rn_nat a = nat128(&s, x), b = nat128(&s, y);
        assert_true(val128(a) == x);
        rn_nat q, r;
        rn_nat_divmod(&s, a, b, &q, &r);
        assert_true(val128(q) == x / y);
        assert_true(val128(r) == x % y);
        if (x >= y) assert_true(val128(rn_nat_sub(&s, a, b)) == x - y);
        assert_int_equal(rn_nat_cmp(a, b), x < y ? -1 : x > y ? 1 : 0);
        uint64_t u = 0;
        assert_int_equal(rn_nat_to_u64(a, &u), (x >> 64) == 0);
        if ((x >> 64) == 0) assert_true(u == (uint64_t)x);
        static const int bases[] = {2, 8, 16};
        for (int bi = 0; bi < 3; bi++) {
            bool up = next() & 1;
            size_t len;
            char *t = rn_nat_to_pow2(&s, a, bases[bi], up, &len);
            ref_text(x, bases[bi], up, want);
            assert_string_equal(t, want);
            assert_int_equal(len, strlen(want));
        }
        char *d = rn_nat_to_dec(&s, a, NULL);
        ref_text(x, 10, false, want);
        assert_string_equal(d, want);
        assert_true(val128(rn_nat_from_dec(&s, want, strlen(want))) == x);
        if (it % 64 == 0) { /* keep the scratch small */
            rn_scratch_free(&s);
            rn_scratch_init(&s);
        }
    }
    assert_int_equal(s.err, 0);
    rn_scratch_free(&s);
}

static void test_nat_text(void **st) {
    (void)st;
    rn_scratch s;
    rn_scratch_init(&s);
    rn_nat x = rn_nat_from_dec(&s, "123456789012345678901234567890123456789", 39);
    rn_nat y = rn_nat_from_dec(&s, "98765432109876543210", 20);
    rn_nat q, r;
    rn_nat_divmod(&s, x, y, &q, &r);
    assert_string_equal(rn_nat_to_dec(&s, q, NULL), "1249999988609375000");
    assert_string_equal(rn_nat_to_dec(&s, r, NULL), "15297067891529706789");
    assert_string_equal(rn_nat_to_pow2(&s, y, 16, false, NULL), "55aa54d38e5267eea");
    assert_string_equal(rn_nat_to_pow2(&s, y, 16, true, NULL), "55AA54D38E5267EEA");
    /* octal digits straddle limb boundaries (bits 63..65) */
    rn_nat big = rn_nat_shl(&s, rn_nat_u64(&s, 7), 63);
    assert_string_equal(rn_nat_to_pow2(&s, big, 8, false, NULL), "7"
                                                                 "000000000000000000000");
    assert_string_equal(rn_nat_to_pow2(&s, rn_nat_u64(&s, 0), 2, false, NULL), "0");
    assert_string_equal(rn_nat_to_pow2(&s, rn_nat_u64(&s, 0), 8, false, NULL), "0");
    assert_string_equal(rn_nat_to_dec(&s, rn_nat_u64(&s, 0), NULL), "0");
    /* 10^k */
    rn_nat p = rn_nat_mul_pow10(&s, rn_nat_u64(&s, 3), 40);
    assert_string_equal(rn_nat_to_dec(&s, p, NULL), "30000000000000000000000000000000000000000");
    assert_int_equal(rn_nat_mul_pow10(&s, rn_nat_u64(&s, 0), 99).n, 0);
    assert_int_equal(rn_nat_mul_pow10(&s, rn_nat_u64(&s, 5), 0).d[0], 5);
    char digits[1201];
    memset(digits, '0', 1200);
    digits[0] = '7';
    digits[1200] = '\0';
    p = rn_nat_mul_pow10(&s, rn_nat_u64(&s, 7), 1199);
    assert_string_equal(rn_nat_to_dec(&s, p, NULL), digits);
    assert_int_equal(s.err, 0);
    /* beyond the limb limit: GH_ELIMIT, sticky, no crash */
    p = rn_nat_mul_pow10(&s, rn_nat_u64(&s, 1), (uint64_t)RN_NAT_MAX_LIMBS * 64 + 1);
    assert_int_equal(s.err, GH_ELIMIT);
    assert_null(rn_nat_to_pow2(&s, y, 2, false, NULL));
    rn_scratch_free(&s);
}

/* parse text and print it as Go's Text('g', -1) */
static const char *gtext(rn_scratch *s, bool go_range, const char *t, bool *ok) {
    s->go_range = go_range;
    rn_bf f;
    *ok = rn_bf_parse(s, &f, t, strlen(t));
    if (!*ok) return NULL;
    return rn_bf_text(s, &f, 'g', NULL);
}

static void test_bf_parse_ranges(void **st) {
    (void)st;
    rn_scratch s;
    rn_scratch_init(&s);
    bool ok;
    assert_string_equal(gtext(&s, false, "0.1", &ok), "0.1");
    assert_string_equal(gtext(&s, false, "-1.5e3", &ok), "-1500");
    assert_string_equal(gtext(&s, false, "123456789012345678901234567890", &ok),
                        "1.234567890123456789e+29");
    assert_null(gtext(&s, false, "1e", &ok));
    assert_null(gtext(&s, false, ".", &ok));
    assert_null(gtext(&s, false, "1x", &ok));
    assert_int_equal(s.err, 0);
    /* bounded range: far exponents are GH_ELIMIT */
    assert_null(gtext(&s, false, "1e400000", &ok));
    assert_int_equal(s.err, GH_ELIMIT);
    rn_scratch_free(&s);
    rn_scratch_init(&s);
    /* Go's range: the same literals are numbers, Inf or zero */
    rn_bf f;
    s.go_range = true;
    assert_true(rn_bf_parse(&s, &f, "1e400000", 8));
    assert_int_equal(f.form, RN_BF_FINITE);
    assert_true(f.exp > RN_BF_MAX_EXP);
    assert_true(rn_bf_parse(&s, &f, "-1e1000000000", 13));
    assert_int_equal(f.form, RN_BF_INF);
    assert_true(f.neg);
    assert_string_equal(rn_bf_text(&s, &f, 'g', NULL), "-Inf");
    assert_false(rn_bf_is_int(&f));
    assert_true(rn_bf_parse(&s, &f, "1e-1000000000", 13));
    assert_int_equal(f.form, RN_BF_ZERO);
    assert_true(rn_bf_parse(&s, &f, "0e99999999999999", 16)); /* zero ignores the exponent */
    assert_int_equal(f.form, RN_BF_ZERO);
    assert_false(rn_bf_parse(&s, &f, "1e3000000000", 12));           /* exponent overflow */
    assert_false(rn_bf_parse(&s, &f, "1e99999999999999999999", 22)); /* ParseInt range */
    /* exponents near -2^63 with fraction digits: out of range, no overflow */
    assert_false(rn_bf_parse(&s, &f, "0.00001e-9223372036854775799", 28));
    assert_false(rn_bf_parse(&s, &f, "123456789e9223372036854775799", 29));
    assert_int_equal(s.err, 0);
    /* in range, both modes give the same bits */
    static const char *const lits[] = {"0.1",
                                       "1e-300",
                                       "7.25e17",
                                       "-3.3333333333333333333333",
                                       "18446744073709551617",
                                       "9.999999999999999999999e99"};
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        rn_bf a, b;
        s.go_range = false;
        assert_true(rn_bf_parse(&s, &a, lits[i], strlen(lits[i])));
        s.go_range = true;
        assert_true(rn_bf_parse(&s, &b, lits[i], strlen(lits[i])));
        assert_int_equal(rn_bf_cmp(&a, &b), 0);
        assert_int_equal(a.exp, b.exp);
    }
    rn_scratch_free(&s);
}

static void test_bf_int_and_inf(void **st) {
    (void)st;
    rn_scratch s;
    rn_scratch_init(&s);
    /* 0.1 rounded to 64 bits, times 10, truncated: 1 */
    rn_bf f, ten, p;
    assert_true(rn_bf_parse(&s, &f, "0.1", 3));
    rn_bf_set_i64(&s, &ten, 10, 64);
    rn_bf_mul(&s, &p, &f, &ten);
    rn_nat i;
    bool neg, exact;
    rn_bf_int(&s, &p, &i, &neg, &exact);
    uint64_t u = 0;
    assert_true(rn_nat_to_u64(i, &u));
    assert_int_equal(u, 1);
    assert_false(neg);
    /* -0.5 truncates to 0 (no sign) */
    assert_true(rn_bf_parse(&s, &f, "-0.5", 4));
    rn_bf_int(&s, &f, &i, &neg, &exact);
    assert_int_equal(i.n, 0);
    assert_false(neg);
    assert_false(exact);
    /* infinities: Go's Cmp order, Inf arithmetic, Int of Inf */
    s.go_range = true;
    rn_bf inf, ninf, one;
    assert_true(rn_bf_parse(&s, &inf, "1e900000000", 11));
    assert_true(rn_bf_parse(&s, &ninf, "-1e900000000", 12));
    rn_bf_set_i64(&s, &one, 1, 64);
    assert_int_equal(inf.form, RN_BF_INF);
    assert_int_equal(rn_bf_cmp(&inf, &one), 1);
    assert_int_equal(rn_bf_cmp(&ninf, &one), -1);
    assert_int_equal(rn_bf_cmp(&inf, &inf), 0);
    assert_int_equal(rn_bf_cmp(&ninf, &inf), -1);
    rn_bf r;
    rn_bf_add(&s, &r, &one, &inf);
    assert_int_equal(r.form, RN_BF_INF);
    assert_false(r.neg);
    rn_bf_sub(&s, &r, &one, &inf);
    assert_int_equal(r.form, RN_BF_INF);
    assert_true(r.neg);
    rn_bf_mul(&s, &r, &ninf, &ninf);
    assert_int_equal(r.form, RN_BF_INF);
    assert_false(r.neg);
    rn_bf_quo(&s, &r, &one, &inf);
    assert_int_equal(r.form, RN_BF_ZERO);
    rn_bf_quo(&s, &r, &ninf, &one);
    assert_int_equal(r.form, RN_BF_INF);
    assert_string_equal(rn_bf_text(&s, &inf, 'f', NULL), "+Inf");
    rn_bf_int(&s, &inf, &i, &neg, &exact);
    assert_int_equal(i.n, 0);
    assert_false(exact);
    /* overflow of a product in Go's range gives Inf, not an error */
    rn_bf big;
    assert_true(rn_bf_parse(&s, &big, "1e600000000", 11));
    assert_int_equal(big.form, RN_BF_FINITE);
    rn_bf_mul(&s, &r, &big, &big);
    assert_int_equal(r.form, RN_BF_INF);
    assert_int_equal(s.err, 0);
    rn_scratch_free(&s);
}

/* Every allocation failing in turn: the error is sticky, nothing crashes
 * or leaks (ASan), and a result is either right or flagged. */
static void test_out_of_memory(void **st) {
    (void)st;
    for (long k = 0; k < 40; k++) {
        rn_scratch s;
        rn_scratch_init(&s);
        s.go_range = k & 1;
        gh_alloc_fail_after(k);
        rn_bf f;
        bool ok = rn_bf_parse(&s, &f, "123456789e-4000", 15);
        char *t = ok ? rn_bf_text(&s, &f, 'g', NULL) : NULL;
        rn_nat x = rn_nat_mul_pow10(&s, rn_nat_u64(&s, 3), 3000);
        char *d = rn_nat_to_pow2(&s, x, 16, false, NULL);
        gh_alloc_fail_after(-1);
        if (s.err) {
            assert_int_equal(s.err, GH_ENOMEM);
            assert_null(d);
        } else {
            assert_non_null(t);
            assert_string_equal(t, "1.23456789e-3992");
            assert_non_null(d);
        }
        rn_scratch_free(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nat_reference),   cmocka_unit_test(test_nat_text),
        cmocka_unit_test(test_bf_parse_ranges), cmocka_unit_test(test_bf_int_and_inf),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
