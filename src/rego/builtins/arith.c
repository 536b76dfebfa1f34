/* arith.c - OPA's number arithmetic on values (see arith.h): an exact
 * int64/int128 path for integer operands whose result stays below 2^64
 * (there Go's big.Float is exact too, so the text is the same), and the
 * big.Float emulation of bigfloat.c for everything else. Called by the
 * evaluator's operators and by numbers.c / aggregates.c.
 * Invariant: the fast path only answers when it provably prints what OPA
 * prints, including the sign of zero (0 * -1000 is "-0" in OPA). */
#include <string.h>

#include "rego/builtins/arith.h"
#include "rego/builtins/bignum.h"

typedef __int128 i128;

/* ---- number views ------------------------------------------------------------ */

/* Go's `n.Int()` (strconv.ParseInt of the text) within OPA's small-int
 * window (-1000, 1000): the operands of OPA's int-only fast path. */
static bool go_small(const val_t *v, int64_t *i) {
    if (v->sub == VAL_NUM_INT) {
        *i = v->u.i;
        return v->u.i > -1000 && v->u.i < 1000;
    }
    const val_dec *d = v->u.dec;
    if (d->text_len == 2 && d->text[0] == '-' && d->text[1] == '0') {
        *i = 0;
        return true;
    }
    return false;
}

/* Go's decimal scaling exponent of a literal: exponent minus fraction
 * digits. Parsing is exact (single rounding) when it is >= -55, as 5^55 is
 * still exact in the 128-bit power Go divides by. */
static int64_t go_exp5(const char *t, size_t n) {
    size_t i = 0;
    int64_t frac = 0, ex = 0;
    bool dot = false, eneg = false;
    for (; i < n && t[i] != 'e' && t[i] != 'E'; i++) {
        if (t[i] == '.')
            dot = true;
        else if (dot && t[i] >= '0' && t[i] <= '9')
            frac++;
    }
    if (i < n) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
        for (; i < n && ex < 1000000; i++)
            ex = ex * 10 + (t[i] - '0');
    }
    return (eneg ? -ex : ex) - frac;
}

/* An integer operand whose big.Float parse is exact and nonzero-signed
 * safely: ints, and integral decimals other than zero (whose text may
 * carry a sign, "-0.0"). */
static bool exint(const val_t *v, int64_t *i) {
    if (v->sub == VAL_NUM_INT) {
        *i = v->u.i;
        return true;
    }
    const val_dec *d = v->u.dec;
    if (d->ndigits == 0 || !val_num_to_int64(v, i)) return false;
    return go_exp5(d->text, d->text_len) >= -55;
}

static int fail(gh_err *e, int code, const char *msg) {
    return gh_err_set(e, code, NULL, 0, 0, "%s", msg);
}

static int scratch_fail(rn_scratch *s, gh_err *e) {
    int code = s->err;
    rn_scratch_free(s);
    if (code == GH_ENOMEM) return fail(e, GH_ENOMEM, "out of memory");
    return fail(e, GH_EINVAL, "number too big");
}

static int make_text(gh_arena *a, const char *t, size_t n, val_t **out, gh_err *e) {
    gh_err pe;
    gh_err_clear(&pe);
    val_t *v = val_num_parse(a, t, n, &pe);
    if (!v) {
        if (pe.code == GH_ENOMEM) return fail(e, GH_ENOMEM, "out of memory");
        return fail(e, GH_EINVAL, "number too big");
    }
    *out = v;
    return 0;
}

/* An exact integer result (|r| < 2^64 or int64). */
static int make_i128(gh_arena *a, i128 r, val_t **out, gh_err *e) {
    if (r >= INT64_MIN && r <= INT64_MAX) {
        val_t *v = val_int(a, (int64_t)r);
        if (!v) return fail(e, GH_ENOMEM, "out of memory");
        *out = v;
        return 0;
    }
    char buf[48];
    size_t k = sizeof buf;
    unsigned __int128 u =
        r < 0 ? (unsigned __int128)0 - (unsigned __int128)r : (unsigned __int128)r;
    while (u) {
        buf[--k] = (char)('0' + (int)(u % 10));
        u /= 10;
    }
    if (r < 0) buf[--k] = '-';
    return make_text(a, buf + k, sizeof buf - k, out, e);
}

static int make_zero(gh_arena *a, bool neg, val_t **out, gh_err *e) {
    if (!neg) return make_i128(a, 0, out, e);
    return make_text(a, "-0", 2, out, e);
}

static bool below_2_64(i128 r) {
    i128 lim = (i128)1 << 64;
    return r > -lim && r < lim;
}

/* Value -> Go big.Float (new(big.Float).SetString(text)). */
static void to_bf(rn_scratch *s, const val_t *v, rn_bf *z) {
    if (v->sub == VAL_NUM_INT) {
        rn_bf_set_i64(s, z, v->u.i, 64);
        return;
    }
    const val_dec *d = v->u.dec;
    if (!rn_bf_parse(s, z, d->text, d->text_len) && !s->err) s->err = GH_ELIMIT;
}

static char *prefix_minus(rn_scratch *s, char *t, size_t *n) {
    char *u = rn_salloc(s, *n + 2);
    if (!u) return NULL;
    u[0] = '-';
    memcpy(u + 1, t, *n + 1);
    (*n)++;
    return u;
}

/* Binary exponent beyond which an integer needs more than
 * GH_MAX_NUMBER_CHARS decimal digits: refused before converting it. */
#define MAX_INT_BITS ((int64_t)(GH_MAX_NUMBER_CHARS * 3.3219280948873623) + 8)

/* builtins.FloatToNumber: 'f' for integral values, else 'g'. Frees s. */
static int from_bf(gh_arena *a, rn_scratch *s, const rn_bf *x, val_t **out, gh_err *e) {
    size_t n = 0;
    if (!s->err && x->form == RN_BF_FINITE && x->exp > MAX_INT_BITS) s->err = GH_ELIMIT;
    char *t = s->err ? NULL : rn_bf_text(s, x, rn_bf_is_int(x) ? 'f' : 'g', &n);
    if (!t) return scratch_fail(s, e);
    int rc = make_text(a, t, n, out, e);
    rn_scratch_free(s);
    return rc;
}

void rn_val_int(rn_scratch *s, const val_t *x, rn_nat *mag, bool *neg, bool *exact) {
    rn_bf f;
    *mag = (rn_nat){NULL, 0};
    *neg = false;
    *exact = false;
    to_bf(s, x, &f);
    if (!s->err) rn_bf_int(s, &f, mag, neg, exact);
}

int rn_int_val(gh_arena *a, rn_scratch *s, rn_nat mag, bool neg, val_t **out, gh_err *e) {
    size_t n = 0;
    if (!s->err && (int64_t)rn_nat_bitlen(mag) > MAX_INT_BITS) s->err = GH_ELIMIT;
    char *t = s->err ? NULL : rn_nat_to_dec(s, mag, &n);
    if (!t || (neg && mag.n && !(t = prefix_minus(s, t, &n)))) {
        int code = s->err;
        if (code == GH_ENOMEM) return fail(e, GH_ENOMEM, "out of memory");
        return fail(e, GH_EINVAL, "number too big");
    }
    return make_text(a, t, n, out, e);
}

/* builtins.IntToNumber of a big integer. Frees s. */
static int from_nat(gh_arena *a, rn_scratch *s, rn_nat mag, bool neg, val_t **out, gh_err *e) {
    int rc = rn_int_val(a, s, mag, neg, out, e);
    rn_scratch_free(s);
    return rc;
}

/* ---- binary operators -------------------------------------------------------- */

static int type_err(gh_err *e, int argi, const char *want, const val_t *got) {
    return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "operand %d must be %s but got %s", argi, want,
                      val_kind_name(val_kind_of(got)));
}

static int set_diff(gh_arena *a, const val_t *x, const val_t *y, val_t **out, gh_err *e) {
    size_t n = val_set_len(x);
    if (val_set_len(y) == 0) {
        *out = (val_t *)x;
        return 0;
    }
    val_t *r = val_set_new(a, n);
    if (!r) return fail(e, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        val_t *k = val_set_at(x, i);
        if (!val_set_has(y, k) && val_set_add(a, r, k, NULL))
            return fail(e, GH_ENOMEM, "out of memory");
    }
    *out = r;
    return 0;
}

static int rem_slow(gh_arena *a, const val_t *x, const val_t *y, val_t **out, gh_err *e) {
    rn_scratch s;
    rn_scratch_init(&s);
    rn_bf fx, fy;
    to_bf(&s, x, &fx);
    to_bf(&s, y, &fy);
    rn_nat mx, my;
    bool nx, ny, ex, ey;
    if (!s.err) {
        rn_bf_int(&s, &fx, &mx, &nx, &ex);
        rn_bf_int(&s, &fy, &my, &ny, &ey);
    }
    if (s.err) return scratch_fail(&s, e);
    if (!ex || !ey) {
        rn_scratch_free(&s);
        return fail(e, GH_EINVAL, "modulo on floating-point number");
    }
    /* OPA tests the divisor with big.Int.Int64(), i.e. its low 64 bits. */
    if (my.n == 0 || my.d[0] == 0) {
        rn_scratch_free(&s);
        return fail(e, GH_EINVAL, "modulo by zero");
    }
    rn_nat r;
    rn_nat_divmod(&s, mx, my, NULL, &r);
    return from_nat(a, &s, r, nx, out, e);
}

int rego_arith(gh_arena *a, rego_arith_op op, const val_t *x, const val_t *y, val_t **out,
               gh_err *e) {
    if (op == REGO_ARITH_MINUS && (x->kind != VAL_NUMBER || y->kind != VAL_NUMBER)) {
        if (x->kind == VAL_SET && y->kind == VAL_SET) return set_diff(a, x, y, out, e);
        if (x->kind != VAL_NUMBER && x->kind != VAL_SET)
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0,
                              "operand 1 must be one of {number, set} but got %s",
                              val_kind_name(val_kind_of(x)));
        return type_err(e, 2, y->kind == VAL_NUMBER ? "set" : "number", y);
    }
    if (x->kind != VAL_NUMBER) return type_err(e, 1, "number", x);
    if (y->kind != VAL_NUMBER) return type_err(e, 2, "number", y);

    int64_t i, j;
    /* OPA's int fast path (both textual ints in (-1000, 1000)). */
    if (op != REGO_ARITH_DIV && go_small(x, &i) && go_small(y, &j)) {
        switch (op) {
        case REGO_ARITH_PLUS: return make_i128(a, (i128)i + j, out, e);
        case REGO_ARITH_MINUS: return make_i128(a, (i128)i - j, out, e);
        case REGO_ARITH_MUL: return make_i128(a, (i128)i * j, out, e);
        default:
            if (j == 0) return fail(e, GH_EINVAL, "modulo by zero");
            return make_i128(a, (i128)i % j, out, e);
        }
    }
    /* Exact integers: big.Float gives the same answer while it is exact. */
    if (exint(x, &i) && exint(y, &j)) {
        i128 r;
        switch (op) {
        case REGO_ARITH_PLUS: return make_i128(a, (i128)i + j, out, e);
        case REGO_ARITH_MINUS: return make_i128(a, (i128)i - j, out, e);
        case REGO_ARITH_MUL:
            r = (i128)i * j;
            if (r == 0) return make_zero(a, (i < 0) != (j < 0), out, e);
            if (below_2_64(r)) return make_i128(a, r, out, e);
            break;
        case REGO_ARITH_DIV:
            if (j == 0) return fail(e, GH_EINVAL, "divide by zero");
            if (i == 0) return make_zero(a, j < 0, out, e);
            if ((i128)i % j == 0) return make_i128(a, (i128)i / j, out, e);
            break;
        case REGO_ARITH_REM:
            if (j == 0) return fail(e, GH_EINVAL, "modulo by zero");
            return make_i128(a, (i128)i % j, out, e);
        }
    }
    if (op == REGO_ARITH_REM) return rem_slow(a, x, y, out, e);

    rn_scratch s;
    rn_scratch_init(&s);
    rn_bf fx, fy, z;
    to_bf(&s, x, &fx);
    to_bf(&s, y, &fy);
    if (s.err) return scratch_fail(&s, e);
    switch (op) {
    case REGO_ARITH_PLUS: rn_bf_add(&s, &z, &fx, &fy); break;
    case REGO_ARITH_MINUS: rn_bf_sub(&s, &z, &fx, &fy); break;
    case REGO_ARITH_MUL: rn_bf_mul(&s, &z, &fx, &fy); break;
    default:
        if (fy.form == RN_BF_ZERO) {
            rn_scratch_free(&s);
            return fail(e, GH_EINVAL, "divide by zero");
        }
        rn_bf_quo(&s, &z, &fx, &fy);
        break;
    }
    return from_bf(a, &s, &z, out, e);
}

/* ---- unary ------------------------------------------------------------------- */

int rego_arith1(gh_arena *a, rego_arith_op1 op, const val_t *x, val_t **out, gh_err *e) {
    if (x->kind != VAL_NUMBER) return type_err(e, 1, "number", x);
    int64_t i;
    if (x->sub == VAL_NUM_DEC && x->u.dec->ndigits == 0) return make_zero(a, false, out, e);
    if (exint(x, &i)) {
        if (op == REGO_ARITH_ABS) return make_i128(a, i < 0 ? -(i128)i : (i128)i, out, e);
        return make_i128(a, i, out, e);
    }
    rn_scratch s;
    rn_scratch_init(&s);
    rn_bf f, t, r;
    to_bf(&s, x, &f);
    if (s.err) return scratch_fail(&s, e);
    rn_nat mag;
    bool neg, exact;
    switch (op) {
    case REGO_ARITH_ABS:
        r = f;
        r.neg = false;
        break;
    case REGO_ARITH_ROUND: {
        rn_bf half;
        rn_bf_set_i64(&s, &half, 1, 53);
        half.exp = 0; /* 0.5 = 0.1b x 2^0 */
        if (f.neg)
            rn_bf_sub(&s, &t, &f, &half);
        else
            rn_bf_add(&s, &t, &f, &half);
        rn_bf_int(&s, &t, &mag, &neg, &exact);
        rn_bf_set_int(&s, &r, mag, neg);
        break;
    }
    default: {
        rn_bf one;
        rn_bf_set_i64(&s, &one, 1, 53);
        rn_bf_int(&s, &f, &mag, &neg, &exact);
        rn_bf_set_int(&s, &t, mag, neg);
        bool keep = op == REGO_ARITH_CEIL ? t.neg : !t.neg;
        if (keep || rn_bf_cmp(&f, &t) == 0)
            r = t;
        else if (op == REGO_ARITH_CEIL)
            rn_bf_add(&s, &r, &t, &one);
        else
            rn_bf_sub(&s, &r, &t, &one);
        break;
    }
    }
    return from_bf(a, &s, &r, out, e);
}

int rego_num_bigint64(const val_t *x, int64_t *out) {
    int64_t i;
    if (x->sub == VAL_NUM_INT) {
        *out = x->u.i;
        return 1;
    }
    if (exint(x, &i)) {
        *out = i;
        return 1;
    }
    rn_scratch s;
    rn_scratch_init(&s);
    rn_bf f;
    to_bf(&s, x, &f);
    rn_nat mag = {NULL, 0};
    bool neg = false, exact = true;
    if (!s.err) rn_bf_int(&s, &f, &mag, &neg, &exact);
    int rc;
    if (s.err || !exact) {
        rc = s.err ? 0 : -1;
    } else if (mag.n == 0) {
        *out = 0;
        rc = 1;
    } else if (mag.n == 1 && mag.d[0] <= (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
        *out = neg ? (int64_t)(0 - mag.d[0]) : (int64_t)mag.d[0];
        rc = 1;
    } else {
        rc = 0;
    }
    rn_scratch_free(&s);
    return rc;
}

/* ---- sum / product ------------------------------------------------------------- */

int rego_arith_fold(gh_arena *a, bool product, const val_t *coll, val_t **out, gh_err *e) {
    bool isset = coll->kind == VAL_SET;
    size_t n = isset ? val_set_len(coll) : val_arr_len(coll);
    const char *tn = isset ? "set" : "array";
    for (size_t k = 0; k < n; k++) {
        const val_t *v = isset ? val_set_at(coll, k) : val_arr_at(coll, k);
        if (v->kind != VAL_NUMBER)
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0,
                              "operand 1 must be %s of numbers but got %s containing %s", tn, tn,
                              val_kind_name(val_kind_of(v)));
    }
    /* Exact path: every element an exact integer and every partial result
     * below 2^64 (big.Float is exact there). The sign of a zero product is
     * the parity of negative factors, as big.Float keeps it. */
    i128 acc = product ? 1 : 0;
    bool exact = true, negz = false;
    for (size_t k = 0; k < n && exact; k++) {
        const val_t *v = isset ? val_set_at(coll, k) : val_arr_at(coll, k);
        int64_t i;
        if (!exint(v, &i)) {
            exact = false;
            break;
        }
        if (product) {
            if (i < 0) negz = !negz;
            if (acc != 0) {
                i128 r;
                if (__builtin_mul_overflow(acc, (i128)i, &r) || !below_2_64(r))
                    exact = false;
                else
                    acc = r;
            }
        } else {
            acc += i;
            if (!below_2_64(acc)) exact = false;
        }
    }
    if (exact) {
        if (product && acc == 0) return make_zero(a, negz, out, e);
        return make_i128(a, acc, out, e);
    }
    rn_scratch s;
    rn_scratch_init(&s);
    rn_bf accf, f, t;
    rn_bf_set_i64(&s, &accf, product ? 1 : 0, 53);
    for (size_t k = 0; k < n && !s.err; k++) {
        const val_t *v = isset ? val_set_at(coll, k) : val_arr_at(coll, k);
        to_bf(&s, v, &f);
        if (s.err) break;
        if (product)
            rn_bf_mul(&s, &t, &accf, &f);
        else
            rn_bf_add(&s, &t, &accf, &f);
        accf = t;
    }
    return from_bf(a, &s, &accf, out, e);
}
