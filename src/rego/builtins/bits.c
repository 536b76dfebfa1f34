/* bits.c - bitwise builtins (bits.or, bits.and, bits.xor, bits.negate,
 * bits.lsh, bits.rsh) with Go big.Int semantics: integers of any size in
 * two's complement of infinite width. Operands are read as OPA reads them
 * (through a 64-bit big.Float, so integers beyond 2^64 may be rounded).
 * int64 operands take a fast path without any big-number work. */
#include "rego/builtins/arith.h"
#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"

/* Largest left shift of a nonzero value: the result would exceed the
 * longest number a value can hold (GH_MAX_NUMBER_CHARS digits). */
#define RB_MAX_LSH 16384

typedef struct bint {
    rn_nat m;
    bool neg;
} bint;

/* BigIntOperand: returns 0 and fills *small (fits int64, *is_small) or *big. */
static int operand(rego_bctx *c, rn_scratch *s, val_t *const *args, int k, int64_t *small,
                   bool *is_small, bint *big) {
    const val_t *v = args[k];
    if (v->kind != VAL_NUMBER) return rb_type_err(c, k + 1, "integer", v);
    int r = rego_num_bigint64(v, small);
    if (r < 0)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand %d must be integer number but got floating-point number", k + 1);
    *is_small = r == 1;
    if (!*is_small) {
        bool exact;
        rn_val_int(s, v, &big->m, &big->neg, &exact);
    } else {
        uint64_t u = *small < 0 ? (uint64_t)0 - (uint64_t)*small : (uint64_t)*small;
        big->m = rn_nat_u64(s, u);
        big->neg = *small < 0;
    }
    return 0;
}

static rn_nat one(rn_scratch *s) { return rn_nat_u64(s, 1); }
static rn_nat dec1(rn_scratch *s, rn_nat m) { return rn_nat_sub(s, m, one(s)); }
static rn_nat inc1(rn_scratch *s, rn_nat m) { return rn_nat_add(s, m, one(s)); }

/* Go's big.Int And/Or/Xor on sign-magnitude operands. */
static bint bitop(rn_scratch *s, int op, bint x, bint y) {
    bint r = {{NULL, 0}, false};
    if (x.neg && !y.neg) {
        bint t = x;
        x = y;
        y = t;
    }
    if (!x.neg && !y.neg) {
        r.m = op == 0   ? rn_nat_and(s, x.m, y.m)
              : op == 1 ? rn_nat_or(s, x.m, y.m)
                        : rn_nat_xor(s, x.m, y.m);
    } else if (x.neg && y.neg) {
        rn_nat a = dec1(s, x.m), b = dec1(s, y.m);
        if (op == 0) {
            r.m = inc1(s, rn_nat_or(s, a, b));
            r.neg = true;
        } else if (op == 1) {
            r.m = inc1(s, rn_nat_and(s, a, b));
            r.neg = true;
        } else {
            r.m = rn_nat_xor(s, a, b);
        }
    } else { /* x >= 0, y < 0 */
        rn_nat b = dec1(s, y.m);
        if (op == 0) {
            r.m = rn_nat_andnot(s, x.m, b);
        } else if (op == 1) {
            r.m = inc1(s, rn_nat_andnot(s, b, x.m));
            r.neg = true;
        } else {
            r.m = inc1(s, rn_nat_xor(s, x.m, b));
            r.neg = true;
        }
    }
    if (!r.m.n) r.neg = false;
    return r;
}

static int emit(rego_bctx *c, rn_scratch *s, bint r, val_t **out) {
    int rc = rn_int_val(c->a, s, r.m, r.neg, out, c->err);
    rn_scratch_free(s);
    return rc;
}

static int small_out(rego_bctx *c, rn_scratch *s, int64_t v, val_t **out) {
    rn_scratch_free(s);
    if (!(*out = val_int(c->a, v))) return rb_oom(c);
    return RB_OK;
}

static int binop(rego_bctx *c, val_t *const *args, val_t **out, int op) {
    rn_scratch s;
    rn_scratch_init(&s);
    int64_t a, b;
    bool sa, sb;
    bint x, y;
    int rc;
    if ((rc = operand(c, &s, args, 0, &a, &sa, &x)) ||
        (rc = operand(c, &s, args, 1, &b, &sb, &y))) {
        rn_scratch_free(&s);
        return rc;
    }
    if (sa && sb) return small_out(c, &s, op == 0 ? (a & b) : op == 1 ? (a | b) : (a ^ b), out);
    return emit(c, &s, bitop(&s, op, x, y), out);
}

static int bi_or(rego_bctx *c, val_t *const *args, val_t **out) { return binop(c, args, out, 1); }
static int bi_and(rego_bctx *c, val_t *const *args, val_t **out) { return binop(c, args, out, 0); }
static int bi_xor(rego_bctx *c, val_t *const *args, val_t **out) { return binop(c, args, out, 2); }

static int bi_negate(rego_bctx *c, val_t *const *args, val_t **out) {
    rn_scratch s;
    rn_scratch_init(&s);
    int64_t a;
    bool sa;
    bint x;
    int rc = operand(c, &s, args, 0, &a, &sa, &x);
    if (rc) {
        rn_scratch_free(&s);
        return rc;
    }
    if (sa) return small_out(c, &s, ~a, out);
    bint r;
    if (x.neg) {
        r.m = dec1(&s, x.m);
        r.neg = false;
    } else {
        r.m = inc1(&s, x.m);
        r.neg = true;
    }
    return emit(c, &s, r, out);
}

static int shift(rego_bctx *c, val_t *const *args, val_t **out, bool left) {
    rn_scratch s;
    rn_scratch_init(&s);
    int64_t a, n;
    bool sa, sn;
    bint x, y;
    int rc;
    if ((rc = operand(c, &s, args, 0, &a, &sa, &x)) ||
        (rc = operand(c, &s, args, 1, &n, &sn, &y))) {
        rn_scratch_free(&s);
        return rc;
    }
    if (y.neg) {
        rn_scratch_free(&s);
        return gh_err_set(
            c->err, GH_ETYPE, NULL, 0, 0,
            "operand 2 must be an unsigned integer number but got a negative integer");
    }
    if (!sn) n = INT64_MAX; /* a shift beyond int64 */
    if (x.m.n == 0) return small_out(c, &s, 0, out);
    bint r = {{NULL, 0}, x.neg};
    if (left) {
        if (n > RB_MAX_LSH) {
            rn_scratch_free(&s);
            return rb_err(c, "number too big");
        }
        if (sa && n < 62 && a >= -((int64_t)1 << (62 - n)) && a < ((int64_t)1 << (62 - n)))
            return small_out(c, &s, (int64_t)((uint64_t)a << n), out);
        r.m = rn_nat_shl(&s, x.m, (size_t)n);
    } else {
        if (sa) {
            int64_t v = n >= 63 ? (a < 0 ? -1 : 0) : (a < 0 ? ~(~a >> n) : a >> n);
            return small_out(c, &s, v, out);
        }
        size_t sh = n > (int64_t)(RN_NAT_MAX_LIMBS * 64) ? RN_NAT_MAX_LIMBS * 64 + 64 : (size_t)n;
        if (!x.neg) {
            r.m = rn_nat_shr(&s, x.m, sh);
        } else {
            r.m = inc1(&s, rn_nat_shr(&s, dec1(&s, x.m), sh));
        }
    }
    if (!r.m.n) r.neg = false;
    return emit(c, &s, r, out);
}

static int bi_lsh(rego_bctx *c, val_t *const *args, val_t **out) {
    return shift(c, args, out, true);
}
static int bi_rsh(rego_bctx *c, val_t *const *args, val_t **out) {
    return shift(c, args, out, false);
}

const rego_builtin rego_bi_bits[] = {
    {"bits.or", 2, 0, bi_or, "(x: number, y: number) -> z: number", NULL,
     "Bitwise OR of two integers."},
    {"bits.and", 2, 0, bi_and, "(x: number, y: number) -> z: number", NULL,
     "Bitwise AND of two integers."},
    {"bits.xor", 2, 0, bi_xor, "(x: number, y: number) -> z: number", NULL,
     "Bitwise exclusive OR of two integers."},
    {"bits.negate", 1, 0, bi_negate, "(x: number) -> z: number", NULL,
     "Bitwise complement of an integer (-x - 1)."},
    {"bits.lsh", 2, 0, bi_lsh, "(x: number, s: number) -> z: number", NULL,
     "Shifts an integer left by s bits."},
    {"bits.rsh", 2, 0, bi_rsh, "(x: number, s: number) -> z: number", NULL,
     "Shifts an integer right by s bits, rounding towards negative infinity."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
