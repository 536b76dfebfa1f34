/* bigfloat.c - a reimplementation of the parts of Go's math/big.Float that
 * OPA's builtins go through: SetString with a 64-bit mantissa,
 * Add/Sub/Mul/Quo (exact result rounded once, ToNearestEven), Int, SetInt,
 * IsInt, Cmp, and Text('f'/'g', -1) with Go's shortest-decimal search
 * (including its quirks), so results print exactly as OPA prints them.
 * Called from arith.c, numbers.c, aggregates.c, strings.c and units.c
 * through bignum.h; exponents are bounded unless the scratch is go_range.
 * Invariants: a finite rn_bf has a normalized mantissa (top bit of the top
 * limb set) with no more than prec significant bits after rounding. */
#include <string.h>

#include "base/base.h"
#include "rego/builtins/bignum.h"

/* Rare paths (range errors, infinities) kept out of the hot functions. */
#define BF_COLD __attribute__((cold, noinline))

static void range_err(rn_scratch *s) {
    if (!s->err) s->err = GH_ELIMIT;
}

/* Shift m left so its top limb's top bit is set; *sh gets the shift. */
static rn_nat fnorm(rn_scratch *s, rn_nat m, unsigned *sh) {
    *sh = 0;
    if (!m.n) return m;
    unsigned k = (unsigned)__builtin_clzll(m.d[m.n - 1]);
    *sh = k;
    return k ? rn_nat_shl(s, m, k) : m;
}

/* Go's Float.round(sbit) for ToNearestEven. */
static void bf_round(rn_scratch *s, rn_bf *z, unsigned sbit) {
    if (z->form != RN_BF_FINITE || s->err) return;
    size_t m = z->m.n, bits = m * 64;
    if (bits <= z->prec) return;
    size_t r = bits - z->prec - 1;
    unsigned rbit = rn_nat_bit(z->m, r);
    if (sbit == 0) sbit = rn_nat_sticky(z->m, r) ? 1 : 0;
    size_t n = (z->prec + 63) / 64;
    uint64_t *d = rn_salloc(s, n * sizeof *d);
    if (!d) return;
    memcpy(d, z->m.d + (m - n), n * sizeof *d);
    unsigned ntz = (unsigned)(n * 64 - z->prec);
    uint64_t lsb = (uint64_t)1 << ntz;
    if (rbit | sbit) {
        bool inc = rbit && (sbit || (d[0] & lsb));
        if (inc) {
            uint64_t c = lsb;
            for (size_t i = 0; i < n && c; i++) {
                d[i] += c;
                c = d[i] < c ? 1 : 0;
            }
            if (c) {
                z->exp++;
                for (size_t i = 0; i < n; i++)
                    d[i] = (d[i] >> 1) | (i + 1 < n ? d[i + 1] << 63 : 0);
                d[n - 1] |= (uint64_t)1 << 63;
            }
        }
    }
    d[0] &= ~(lsb - 1);
    z->m = (rn_nat){d, n};
}

static void set_zero(rn_bf *z, bool neg, uint32_t prec) {
    z->form = RN_BF_ZERO;
    z->neg = neg;
    z->m = (rn_nat){NULL, 0};
    z->exp = 0;
    z->prec = prec;
}

static void set_inf(rn_bf *z, bool neg, uint32_t prec) {
    set_zero(z, neg, prec);
    z->form = RN_BF_INF;
}

/* z's exponent, after rounding, is outside the bounded range. Bounded
 * scratch: GH_ELIMIT. go_range scratch: Go's setExpAndRound, where an
 * exponent e below MinExp before rounding underflows to zero and one above
 * MaxExp (before, or after a rounding carry) overflows to Inf. */
static BF_COLD void exp_out_of_range(rn_scratch *s, rn_bf *z, int64_t e) {
    if (!s->go_range)
        range_err(s);
    else if (e < RN_BF_GO_MINEXP)
        set_zero(z, z->neg, z->prec);
    else if (z->exp > RN_BF_GO_MAXEXP)
        set_inf(z, z->neg, z->prec);
}

/* Rounds z with exponent e. Forced inline: it sits on every operation. */
static inline __attribute__((always_inline)) void set_exp_round(rn_scratch *s, rn_bf *z, int64_t e,
                                                                unsigned sbit) {
    z->exp = e;
    bf_round(s, z, sbit);
    if (z->form == RN_BF_FINITE && (z->exp > RN_BF_MAX_EXP || z->exp < -RN_BF_MAX_EXP))
        exp_out_of_range(s, z, e);
}

/* Go's setBits64: x with a given precision (rounded when prec < 64). */
static void set_u64(rn_scratch *s, rn_bf *z, bool neg, uint64_t x, uint32_t prec) {
    if (!x) {
        set_zero(z, neg, prec);
        return;
    }
    unsigned k = (unsigned)__builtin_clzll(x);
    z->form = RN_BF_FINITE;
    z->neg = neg;
    z->prec = prec;
    z->m = rn_nat_u64(s, x << k);
    z->exp = 64 - (int64_t)k;
    if (prec < 64) bf_round(s, z, 0);
}

void rn_bf_set_i64(rn_scratch *s, rn_bf *z, int64_t v, uint32_t prec) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    set_u64(s, z, v < 0, u, prec);
}

void rn_bf_set_int(rn_scratch *s, rn_bf *z, rn_nat mag, bool neg) {
    size_t bits = rn_nat_bitlen(mag);
    uint32_t prec = bits > 64 ? (uint32_t)bits : 64;
    if (!mag.n) {
        set_zero(z, false, prec);
        return;
    }
    unsigned sh;
    z->form = RN_BF_FINITE;
    z->neg = neg;
    z->prec = prec;
    z->m = fnorm(s, mag, &sh);
    set_exp_round(s, z, (int64_t)bits, 0);
}

/* |x| vs |y| (Go's ucmp). */
static int ucmp(const rn_bf *x, const rn_bf *y) {
    if (x->exp != y->exp) return x->exp < y->exp ? -1 : 1;
    size_t i = x->m.n, j = y->m.n;
    while (i > 0 || j > 0) {
        uint64_t xm = 0, ym = 0;
        if (i > 0) xm = x->m.d[--i];
        if (j > 0) ym = y->m.d[--j];
        if (xm != ym) return xm < ym ? -1 : 1;
    }
    return 0;
}

static void uadd(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    int64_t ex = x->exp - (int64_t)x->m.n * 64, ey = y->exp - (int64_t)y->m.n * 64;
    rn_nat sum;
    int64_t e;
    if (ex < ey) {
        sum = rn_nat_add(s, x->m, rn_nat_shl(s, y->m, (size_t)(ey - ex)));
        e = ex;
    } else if (ex > ey) {
        sum = rn_nat_add(s, rn_nat_shl(s, x->m, (size_t)(ex - ey)), y->m);
        e = ey;
    } else {
        sum = rn_nat_add(s, x->m, y->m);
        e = ex;
    }
    if (s->err) return;
    unsigned sh;
    z->m = fnorm(s, sum, &sh);
    z->form = RN_BF_FINITE;
    set_exp_round(s, z, e + (int64_t)sum.n * 64 - sh, 0);
}

/* |x| > |y| required. */
static void usub(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    int64_t ex = x->exp - (int64_t)x->m.n * 64, ey = y->exp - (int64_t)y->m.n * 64;
    rn_nat d;
    int64_t e;
    if (ex < ey) {
        d = rn_nat_sub(s, x->m, rn_nat_shl(s, y->m, (size_t)(ey - ex)));
        e = ex;
    } else if (ex > ey) {
        d = rn_nat_sub(s, rn_nat_shl(s, x->m, (size_t)(ex - ey)), y->m);
        e = ey;
    } else {
        d = rn_nat_sub(s, x->m, y->m);
        e = ex;
    }
    if (s->err) return;
    if (!d.n) {
        set_zero(z, false, z->prec);
        return;
    }
    unsigned sh;
    z->m = fnorm(s, d, &sh);
    z->form = RN_BF_FINITE;
    set_exp_round(s, z, e + (int64_t)d.n * 64 - sh, 0);
}

static uint32_t maxp(const rn_bf *x, const rn_bf *y) {
    return x->prec > y->prec ? x->prec : y->prec;
}

/* Set(x) into a receiver whose precision is already >= x's. */
static void copy_into(rn_bf *z, const rn_bf *x, uint32_t prec) {
    *z = *x;
    z->prec = prec;
}

static void add_sub(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y, bool sub) {
    rn_bf r;
    uint32_t prec = maxp(x, y);
    bool yneg = sub ? !y->neg : y->neg;
    if (x->form == RN_BF_FINITE && y->form == RN_BF_FINITE) {
        r.prec = prec;
        r.neg = x->neg;
        if (x->neg == yneg) {
            uadd(s, &r, x, y);
        } else if (ucmp(x, y) > 0) {
            usub(s, &r, x, y);
        } else {
            r.neg = !r.neg;
            usub(s, &r, y, x);
        }
        *z = r;
        return;
    }
    if (x->form == RN_BF_INF) {
        copy_into(z, x, prec);
        return;
    }
    if (y->form == RN_BF_INF) {
        copy_into(z, y, prec);
        z->neg = yneg;
        return;
    }
    if (x->form == RN_BF_ZERO && y->form == RN_BF_ZERO) {
        set_zero(z, sub ? (x->neg && !y->neg) : (x->neg && y->neg), prec);
        return;
    }
    if (y->form == RN_BF_ZERO) {
        copy_into(z, x, prec);
        return;
    }
    copy_into(z, y, prec);
    z->neg = yneg;
}

void rn_bf_add(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    add_sub(s, z, x, y, false);
}

void rn_bf_sub(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    add_sub(s, z, x, y, true);
}

static void mul_prec(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y, uint32_t prec) {
    bool neg = x->neg != y->neg;
    if (x->form != RN_BF_FINITE || y->form != RN_BF_FINITE) {
        (x->form == RN_BF_INF || y->form == RN_BF_INF ? set_inf : set_zero)(z, neg, prec);
        return;
    }
    rn_bf r;
    r.prec = prec;
    r.neg = neg;
    r.form = RN_BF_FINITE;
    rn_nat p = rn_nat_mul(s, x->m, y->m);
    if (s->err) return;
    unsigned sh;
    r.m = fnorm(s, p, &sh);
    set_exp_round(s, &r, x->exp + y->exp - sh, 0);
    *z = r;
}

static void quo_prec(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y, uint32_t prec) {
    bool neg = x->neg != y->neg;
    if (x->form != RN_BF_FINITE || y->form != RN_BF_FINITE) {
        (x->form == RN_BF_INF ? set_inf : set_zero)(z, neg, prec); /* 0 / y, x / Inf: 0 */
        return;
    }
    size_t n = prec / 64 + 1;
    rn_nat xadj = x->m;
    if (n + y->m.n > x->m.n) {
        size_t d = n - x->m.n + y->m.n;
        xadj = rn_nat_shl(s, x->m, d * 64);
    }
    int64_t d2 = (int64_t)xadj.n - (int64_t)y->m.n;
    rn_nat q, r;
    rn_nat_divmod(s, xadj, y->m, &q, &r);
    if (s->err) return;
    rn_bf res;
    res.prec = prec;
    res.neg = neg;
    res.form = RN_BF_FINITE;
    int64_t e = x->exp - y->exp - (d2 - (int64_t)q.n) * 64;
    unsigned sh;
    res.m = fnorm(s, q, &sh);
    set_exp_round(s, &res, e - sh, r.n ? 1 : 0);
    *z = res;
}

void rn_bf_mul(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    mul_prec(s, z, x, y, maxp(x, y));
}

void rn_bf_quo(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y) {
    quo_prec(s, z, x, y, maxp(x, y));
}

/* Go's Float.ord: -2 (-Inf), -1, 0, +1, +2 (+Inf). */
static int ord(const rn_bf *x) {
    if (x->form == RN_BF_ZERO) return 0;
    int m = x->form == RN_BF_INF ? 2 : 1;
    return x->neg ? -m : m;
}

int rn_bf_cmp(const rn_bf *x, const rn_bf *y) {
    int mx = ord(x), my = ord(y);
    if (mx != my) return mx < my ? -1 : 1;
    if (mx == -1) return ucmp(y, x);
    if (mx == 1) return ucmp(x, y);
    return 0;
}

static size_t min_prec(const rn_bf *x) { return x->m.n * 64 - rn_nat_tz(x->m); }

bool rn_bf_is_int(const rn_bf *x) {
    if (x->form != RN_BF_FINITE) return x->form == RN_BF_ZERO;
    if (x->exp <= 0) return false;
    return (int64_t)x->prec <= x->exp || (int64_t)min_prec(x) <= x->exp;
}

void rn_bf_int(rn_scratch *s, const rn_bf *x, rn_nat *mag, bool *neg, bool *exact) {
    *mag = (rn_nat){NULL, 0};
    *neg = false;
    *exact = x->form == RN_BF_ZERO;
    if (x->form != RN_BF_FINITE) return;
    if (x->exp <= 0) {
        *exact = false;
        return;
    }
    size_t all = x->m.n * 64, e = (size_t)x->exp;
    *exact = min_prec(x) <= e;
    *neg = x->neg;
    if (e > all)
        *mag = rn_nat_shl(s, x->m, e - all);
    else if (e < all)
        *mag = rn_nat_shr(s, x->m, all - e);
    else
        *mag = x->m;
}

/* ---- parsing (Go's Float.scan, base 10) ------------------------------------ */

/* Go's Float.pow5 on a receiver of precision 128. */
static void pow5_float(rn_scratch *s, rn_bf *z, uint64_t n) {
    if (n <= 27) {
        set_u64(s, z, false, rn_pow5_u64[n], 128);
        return;
    }
    set_u64(s, z, false, rn_pow5_u64[27], 128);
    n -= 27;
    rn_bf f;
    set_u64(s, &f, false, 5, 192);
    while (n > 0 && !s->err) {
        if (n & 1) mul_prec(s, z, z, &f, 128);
        n >>= 1;
        if (n) mul_prec(s, &f, &f, &f, 192);
    }
}

bool rn_bf_parse(rn_scratch *s, rn_bf *z, const char *p, size_t n) {
    size_t i = 0;
    bool neg = false;
    set_zero(z, false, 64);
    if (i < n && (p[i] == '-' || p[i] == '+')) neg = p[i++] == '-';
    char *digs = rn_salloc(s, n + 1);
    if (!digs) return false;
    size_t nd = 0;
    int64_t fcount = 0;
    bool dot = false, any = false;
    for (; i < n; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9') {
            digs[nd++] = c;
            any = true;
            if (dot) fcount--;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (!any) return false;
    int64_t exp = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '+' || p[i] == '-')) eneg = p[i++] == '-';
        size_t es = i;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
            if (s->go_range && exp > (INT64_MAX - 9) / 10) return false; /* ParseInt range */
            if (!s->go_range && exp > 1000000000) {
                range_err(s);
                return false;
            }
            exp = exp * 10 + (p[i] - '0');
        }
        if (i == es) return false;
        if (eneg) exp = -exp;
    }
    if (i != n) return false;
    rn_nat mant = rn_nat_from_dec(s, digs, nd);
    if (s->err) return false;
    z->neg = neg;
    if (!mant.n) return true;
    int64_t exp2, exp5;
    if (GH_UNLIKELY(s->go_range)) {
        /* An int64 overflow here (|exp| near 2^63) wraps in Go to an
         * exponent just as far out of range. */
        if (__builtin_add_overflow(fcount, exp, &exp5) ||
            __builtin_add_overflow(exp5, (int64_t)rn_nat_bitlen(mant), &exp2) ||
            exp2 < RN_BF_GO_MINEXP || exp2 > RN_BF_GO_MAXEXP)
            return false; /* Go: "exponent overflow" */
    } else {
        exp5 = fcount + exp; /* |exp| <= 10^10: no overflow */
        exp2 = (int64_t)rn_nat_bitlen(mant) + exp5;
        /* |exp5| beyond this puts any literal of our size out of range. */
        if (exp5 > 4 * RN_BF_MAX_EXP / 10 || exp5 < -4 * RN_BF_MAX_EXP / 10) {
            range_err(s);
            return false;
        }
    }
    unsigned sh;
    z->m = fnorm(s, mant, &sh);
    z->form = RN_BF_FINITE;
    z->exp = exp2;
    z->prec = 64;
    if (exp5 == 0) {
        bf_round(s, z, 0);
    } else {
        rn_bf p5;
        pow5_float(s, &p5, (uint64_t)(exp5 < 0 ? -exp5 : exp5));
        if (s->err) return false;
        if (exp5 < 0)
            quo_prec(s, z, z, &p5, 64);
        else
            mul_prec(s, z, z, &p5, 64);
    }
    if (z->form == RN_BF_FINITE && (z->exp > RN_BF_MAX_EXP || z->exp < -RN_BF_MAX_EXP))
        exp_out_of_range(s, z, z->exp);
    return !s->err;
}

/* ---- formatting (Go's Float.Text with shortest precision) -------------------
 * Go expands x and its rounding neighbours (x -+ ulp/2) exactly in decimal
 * and searches for the shortest digits that still round to x. Exact
 * expansions of numbers like 1e-30000 run to tens of thousands of digits,
 * so we compute only their leading digits (enough to tell the three apart)
 * plus whether any nonzero digit follows; when that is not enough to
 * replay Go's decisions we fall back to the exact expansion. */

/* Go's decimal, possibly truncated: value = 0.mant * 10^exp. With !more,
 * mant is the whole expansion without trailing zeros (Go's len(mant) is n);
 * with more, nonzero digits follow mant[n-1] (Go's len(mant) > n). */
typedef struct gdec {
    char *mant;
    size_t n;
    int64_t exp;
    bool more;
} gdec;

/* Digit i, or -1 when it lies beyond what we know. */
static int gdec_at(const gdec *d, size_t i) {
    if (i < d->n) return d->mant[i];
    return d->more ? -1 : '0';
}

/* 5^k, remembered for the next call with the same k. */
typedef struct p5memo {
    uint64_t k;
    rn_nat p;
} p5memo;

static rn_nat pow5_memo(rn_scratch *s, p5memo *memo, uint64_t k) {
    if (memo && memo->p.n && memo->k == k) return memo->p;
    rn_nat p = rn_nat_pow5(s, k);
    if (memo) {
        memo->k = k;
        memo->p = p;
    }
    return p;
}

static void trim_zeros(gdec *d) {
    while (d->n > 0 && d->mant[d->n - 1] == '0')
        d->n--;
}

/* decimal.init(m, shift): exact decimal of m * 2^shift. */
static void gdec_init(rn_scratch *s, gdec *d, rn_nat m, int64_t shift) {
    d->mant = NULL;
    d->n = 0;
    d->exp = 0;
    d->more = false;
    if (!m.n) return;
    if (shift < 0) {
        size_t ntz = rn_nat_tz(m);
        size_t k = (size_t)-shift < ntz ? (size_t)-shift : ntz;
        m = rn_nat_shr(s, m, k);
        shift += (int64_t)k;
    }
    if (shift > 0) {
        m = rn_nat_shl(s, m, (size_t)shift);
        shift = 0;
    }
    if (shift < 0) m = rn_nat_mul(s, m, rn_nat_pow5(s, (uint64_t)-shift));
    size_t len;
    char *str = rn_nat_to_dec(s, m, &len);
    if (!str) return;
    d->exp = (int64_t)len + shift;
    d->mant = str;
    d->n = len;
    trim_zeros(d);
}

/* The first ~N significant digits of m * 2^shift (m > 0): floor(v * 10^t)
 * for t chosen so the quotient has N (+-1) digits, and whether the rest is
 * nonzero. memo shares 5^t between calls (lower and upper use one t). */
static void gdec_lead(rn_scratch *s, gdec *d, rn_nat m, int64_t shift, size_t N, p5memo *memo) {
    d->mant = NULL;
    d->n = 0;
    d->exp = 0;
    d->more = false;
    if (!m.n) return;
    double lg = ((double)rn_nat_bitlen(m) + (double)shift) * 0.30102999566398120;
    int64_t k0 = (int64_t)(lg >= 0 ? lg : lg - 1) + 1; /* v < 10^k0, give or take one */
    int64_t t = (int64_t)N - k0, t2 = shift + t;
    rn_nat num = m, den = {NULL, 0};
    if (t > 0) num = rn_nat_mul(s, num, pow5_memo(s, memo, (uint64_t)t));
    if (t < 0) den = pow5_memo(s, memo, (uint64_t)-t);
    if (t2 > 0) num = rn_nat_shl(s, num, (size_t)t2);
    rn_nat q, r = {NULL, 0};
    bool more = false;
    if (t2 < 0) {
        if (!den.n) {
            more = rn_nat_sticky(num, (size_t)-t2);
            num = rn_nat_shr(s, num, (size_t)-t2);
        } else {
            den = rn_nat_shl(s, den, (size_t)-t2);
        }
    }
    if (den.n) {
        rn_nat_divmod(s, num, den, &q, &r);
        more = more || r.n;
    } else {
        q = num;
    }
    if (s->err) return;
    size_t len;
    char *str = rn_nat_to_dec(s, q, &len);
    if (!str) return;
    d->mant = str;
    d->n = len;
    d->exp = (int64_t)len - t;
    d->more = more;
    if (!more) trim_zeros(d);
}

static void gdec_round_up(gdec *x, size_t n) {
    if (n >= x->n && !x->more) return;
    while (n > 0 && x->mant[n - 1] >= '9')
        n--;
    x->more = false;
    if (n == 0) {
        x->mant[0] = '1';
        x->n = 1;
        x->exp++;
        return;
    }
    x->mant[n - 1]++;
    x->n = n;
}

static void gdec_round_down(gdec *x, size_t n) {
    if (n >= x->n && !x->more) return;
    x->n = n;
    x->more = false;
    trim_zeros(x);
}

/* Go's decimal.round; false when the digits we hold cannot decide. */
static bool gdec_round(gdec *x, size_t n) {
    if (n >= x->n && !x->more) return true;
    if (n >= x->n) return false;
    bool up;
    if (x->mant[n] == '5' && n + 1 == x->n && !x->more)
        up = n > 0 && ((x->mant[n - 1] - '0') & 1);
    else
        up = x->mant[n] >= '5';
    if (up)
        gdec_round_up(x, n);
    else
        gdec_round_down(x, n);
    return true;
}

/* Go's roundShortest on d (x's digits) given its neighbours' digits. The
 * digit index i is compared without aligning decimal points, as Go does.
 * Returns false when truncated digits cannot decide (caller retries exact). */
static bool shortest_search(gdec *d, const gdec *lower, const gdec *upper, bool inclusive) {
    for (size_t i = 0; i < d->n; i++) {
        int m = d->mant[i], l = gdec_at(lower, i), u = gdec_at(upper, i);
        if (l < 0 || u < 0) return false;
        bool lower_ends = !lower->more && i + 1 == lower->n;
        bool upper_longer = upper->more || i + 1 < upper->n;
        bool okdown = l != m || (inclusive && lower_ends);
        bool okup = m != u && (inclusive || m + 1 < u || upper_longer);
        if (okdown && okup) return gdec_round(d, i + 1);
        if (okdown) {
            gdec_round_down(d, i + 1);
            return true;
        }
        if (okup) {
            gdec_round_up(d, i + 1);
            return true;
        }
    }
    return !d->more;
}

/* x's shortest digits into d; exact selects full expansions. */
static bool shortest(rn_scratch *s, gdec *d, const rn_bf *x, bool exact) {
    rn_nat mant = x->m;
    int64_t bl = (int64_t)rn_nat_bitlen(mant);
    int64_t exp = x->exp - bl;
    size_t N = (size_t)(x->prec * 0.30102999566398120) + 6;
    if (exact)
        gdec_init(s, d, mant, exp);
    else
        gdec_lead(s, d, mant, exp, N, NULL);
    if (s->err || d->n == 0) return true;
    /* mant with prec+1 bits: its lowest bit is half an ulp */
    int64_t sh = bl - (int64_t)(x->prec + 1);
    if (sh < 0)
        mant = rn_nat_shl(s, mant, (size_t)-sh);
    else if (sh > 0)
        mant = rn_nat_shr(s, mant, (size_t)sh);
    exp += sh;
    rn_nat one = rn_nat_u64(s, 1);
    gdec lower, upper;
    p5memo memo = {0, {NULL, 0}};
    if (exact) {
        gdec_init(s, &lower, rn_nat_sub(s, mant, one), exp);
        gdec_init(s, &upper, rn_nat_add(s, mant, one), exp);
    } else {
        gdec_lead(s, &lower, rn_nat_sub(s, mant, one), exp, N, &memo);
        gdec_lead(s, &upper, rn_nat_add(s, mant, one), exp, N, &memo);
    }
    if (s->err) return true;
    return shortest_search(d, &lower, &upper, (mant.d[0] & 2) == 0);
}

/* Go's decimal.at for printing (d is complete by then). */
static char out_digit(const gdec *d, int64_t i) {
    return i >= 0 && (size_t)i < d->n ? d->mant[i] : '0';
}

static BF_COLD char *inf_text(rn_scratch *s, bool neg, size_t *len) {
    char *t = rn_salloc(s, 5);
    if (!t) return NULL;
    memcpy(t, neg ? "-Inf" : "+Inf", 5);
    if (len) *len = 4;
    return t;
}

char *rn_bf_text(rn_scratch *s, const rn_bf *x, char fmt, size_t *len) {
    if (GH_UNLIKELY(x->form == RN_BF_INF)) return inf_text(s, x->neg, len);
    gdec d = {NULL, 0, 0, false};
    if (x->form == RN_BF_FINITE && !shortest(s, &d, x, false)) shortest(s, &d, x, true);
    if (s->err) return NULL;
    /* sign + digits + zero padding + ".", "e-NNNNNN" */
    int64_t width = (d.exp > 0 ? d.exp : 1) + (int64_t)d.n + (d.exp < 0 ? -d.exp : 0) + 32;
    if (width > 4 * RN_BF_MAX_EXP) {
        range_err(s);
        return NULL;
    }
    char *out = rn_salloc(s, (size_t)width);
    if (!out) return NULL;
    size_t k = 0;
    if (x->neg) out[k++] = '-';
    int64_t prec;
    bool use_e = false;
    if (fmt == 'f') {
        prec = (int64_t)d.n - d.exp;
        if (prec < 0) prec = 0;
    } else {
        int64_t e = d.exp - 1;
        prec = (int64_t)d.n;
        if (e < -4 || e >= 6) {
            use_e = true;
        } else {
            prec = prec - d.exp;
            if (prec < 0) prec = 0;
        }
    }
    if (use_e) {
        /* %e with prec-1 digits after the point */
        out[k++] = d.n ? d.mant[0] : '0';
        if (prec - 1 > 0) {
            out[k++] = '.';
            for (int64_t i = 1; i <= prec - 1; i++)
                out[k++] = out_digit(&d, i);
        }
        out[k++] = 'e';
        int64_t e = d.n ? d.exp - 1 : 0;
        out[k++] = e < 0 ? '-' : '+';
        if (e < 0) e = -e;
        char tmp[24];
        int t = 0;
        do {
            tmp[t++] = (char)('0' + e % 10);
            e /= 10;
        } while (e);
        if (t < 2) tmp[t++] = '0';
        while (t)
            out[k++] = tmp[--t];
    } else {
        if (d.exp > 0) {
            for (int64_t i = 0; i < d.exp; i++)
                out[k++] = out_digit(&d, i);
        } else {
            out[k++] = '0';
        }
        if (prec > 0) {
            out[k++] = '.';
            for (int64_t i = 0; i < prec; i++)
                out[k++] = out_digit(&d, d.exp + i);
        }
    }
    out[k] = '\0';
    if (len) *len = k;
    return out;
}
