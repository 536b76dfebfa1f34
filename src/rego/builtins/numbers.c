/* numbers.c - the number builtins: the arithmetic operators as callable
 * functions (plus, minus, mul, div, rem), abs, round, ceil, floor,
 * numbers.range and numbers.range_step. Arithmetic itself lives in arith.c
 * (shared with the evaluator's operator fast paths); this file adapts it
 * to the builtin calling convention and builds ranges.
 * Invariant: a range is sized and checked against RB_RANGE_MAX before any
 * element is allocated. */
#include "rego/builtins/arith.h"
#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"

/* Most elements numbers.range may produce. OPA has no limit (only the
 * query's cancellation); a policy asking for more is hostile or broken,
 * and a cap keeps one call from exhausting memory. */
#define RB_RANGE_MAX (1u << 24)

static int bin(rego_bctx *c, rego_arith_op op, val_t *const *args, val_t **out) {
    return rego_arith(c->a, op, args[0], args[1], out, c->err);
}

static int bi_plus(rego_bctx *c, val_t *const *args, val_t **out) {
    return bin(c, REGO_ARITH_PLUS, args, out);
}
static int bi_minus(rego_bctx *c, val_t *const *args, val_t **out) {
    return bin(c, REGO_ARITH_MINUS, args, out);
}
static int bi_mul(rego_bctx *c, val_t *const *args, val_t **out) {
    return bin(c, REGO_ARITH_MUL, args, out);
}
static int bi_div(rego_bctx *c, val_t *const *args, val_t **out) {
    return bin(c, REGO_ARITH_DIV, args, out);
}
static int bi_rem(rego_bctx *c, val_t *const *args, val_t **out) {
    return bin(c, REGO_ARITH_REM, args, out);
}
static int bi_abs(rego_bctx *c, val_t *const *args, val_t **out) {
    return rego_arith1(c->a, REGO_ARITH_ABS, args[0], out, c->err);
}
static int bi_round(rego_bctx *c, val_t *const *args, val_t **out) {
    return rego_arith1(c->a, REGO_ARITH_ROUND, args[0], out, c->err);
}
static int bi_ceil(rego_bctx *c, val_t *const *args, val_t **out) {
    return rego_arith1(c->a, REGO_ARITH_CEIL, args[0], out, c->err);
}
static int bi_floor(rego_bctx *c, val_t *const *args, val_t **out) {
    return rego_arith1(c->a, REGO_ARITH_FLOOR, args[0], out, c->err);
}

/* builtins.BigIntOperand: a number that is integral as a 64-bit big.Float.
 * Returns 1 (fits int64, *i set), 0 (integral but huge) or an error. */
static int big_int_arg(rego_bctx *c, val_t *const *args, int k, int64_t *i) {
    if (args[k]->kind != VAL_NUMBER) return rb_type_err(c, k + 1, "integer", args[k]);
    int r = rego_num_bigint64(args[k], i);
    if (r < 0)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand %d must be integer number but got floating-point number", k + 1);
    return r;
}

/* Elements x, x+step, ... up to y (or down when x > y), all int64. */
static int range_i64(rego_bctx *c, int64_t x, int64_t y, uint64_t step, val_t **out) {
    unsigned __int128 span =
        x <= y ? (unsigned __int128)((__int128)y - x) : (unsigned __int128)((__int128)x - y);
    unsigned __int128 n = span / step + 1;
    if (n > RB_RANGE_MAX)
        return rb_err(c, "range of %llu numbers exceeds the limit of %u",
                      (unsigned long long)(n > UINT64_MAX ? UINT64_MAX : n), RB_RANGE_MAX);
    val_t *arr = val_arr_new(c->a, (size_t)n);
    if (!arr) return rb_oom(c);
    __int128 v = x;
    for (size_t k = 0; k < (size_t)n; k++) {
        val_t *e = val_int(c->a, (int64_t)v);
        if (!e || val_arr_push(c->a, arr, e)) return rb_oom(c);
        v = x <= y ? v + (__int128)step : v - (__int128)step;
    }
    *out = arr;
    return RB_OK;
}

/* Signed big integer a + b (magnitudes and signs). */
static void sadd(rn_scratch *s, rn_nat am, bool an, rn_nat bm, bool bn, rn_nat *rm, bool *rn) {
    if (an == bn) {
        *rm = rn_nat_add(s, am, bm);
        *rn = an;
    } else if (rn_nat_cmp(am, bm) >= 0) {
        *rm = rn_nat_sub(s, am, bm);
        *rn = an;
    } else {
        *rm = rn_nat_sub(s, bm, am);
        *rn = bn;
    }
    if (!rm->n) *rn = false;
}

/* Ranges whose ends or step do not fit int64: exact big integers, as OPA
 * steps with big.Int. */
static int range_big(rego_bctx *c, val_t *x, val_t *y, val_t *step, val_t **out) {
    rn_scratch s;
    rn_scratch_init(&s);
    rn_nat xm, ym, sm, span, cnt;
    bool xn, yn, sn, ex, sp;
    rn_val_int(&s, x, &xm, &xn, &ex);
    rn_val_int(&s, y, &ym, &yn, &ex);
    rn_val_int(&s, step, &sm, &sn, &ex);
    /* up when x <= y */
    sadd(&s, ym, yn, xm, !xn && xm.n, &span, &sp);
    bool up = !sp;
    rn_nat_divmod(&s, span, sm, &cnt, NULL);
    int rc = RB_OK;
    if (s.err) {
        rc = s.err == GH_ENOMEM ? rb_oom(c) : rb_err(c, "number too big");
        goto out;
    }
    if (cnt.n > 1 || (cnt.n == 1 && cnt.d[0] >= RB_RANGE_MAX)) {
        rc = rb_err(c, "range exceeds the limit of %u numbers", RB_RANGE_MAX);
        goto out;
    }
    size_t n = (cnt.n ? (size_t)cnt.d[0] : 0) + 1;
    val_t *arr = val_arr_new(c->a, n);
    if (!arr) {
        rc = rb_oom(c);
        goto out;
    }
    rn_nat vm = xm;
    bool vn = xn;
    for (size_t k = 0; k < n; k++) {
        val_t *e;
        if ((rc = rn_int_val(c->a, &s, vm, vn, &e, c->err))) goto out;
        if (val_arr_push(c->a, arr, e)) {
            rc = rb_oom(c);
            goto out;
        }
        sadd(&s, vm, vn, sm, !up, &vm, &vn);
    }
    *out = arr;
out:
    rn_scratch_free(&s);
    return rc;
}

static int bi_range(rego_bctx *c, val_t *const *args, val_t **out) {
    int64_t x, y;
    int rx = big_int_arg(c, args, 0, &x);
    if (rx < 0) return rx;
    int ry = big_int_arg(c, args, 1, &y);
    if (ry < 0) return ry;
    if (rx && ry) return range_i64(c, x, y, 1, out);
    return range_big(c, args[0], args[1], val_int(c->a, 1), out);
}

static int bi_range_step(rego_bctx *c, val_t *const *args, val_t **out) {
    int64_t x, y, st;
    int rx = big_int_arg(c, args, 0, &x);
    if (rx < 0) return rx;
    int ry = big_int_arg(c, args, 1, &y);
    if (ry < 0) return ry;
    int rs = big_int_arg(c, args, 2, &st);
    if (rs < 0) return rs;
    bool positive = rs ? st > 0 : val_compare(args[2], val_int(c->a, 0)) > 0;
    if (!positive) return rb_err(c, "numbers.range_step: step must be a positive integer");
    if (rx && ry && rs) return range_i64(c, x, y, (uint64_t)st, out);
    return range_big(c, args[0], args[1], args[2], out);
}

const rego_builtin rego_bi_numbers[] = {
    {"plus", 2, 0, bi_plus, "(x: number, y: number) -> z: number", "numbers",
     "Adds two numbers (the + operator)."},
    {"minus", 2, 0, bi_minus, "(x: number|set[any], y: number|set[any]) -> z: number|set[any]",
     "numbers", "Subtracts numbers, or removes the second set's elements from the first."},
    {"mul", 2, 0, bi_mul, "(x: number, y: number) -> z: number", "numbers",
     "Multiplies two numbers (the * operator)."},
    {"div", 2, 0, bi_div, "(x: number, y: number) -> z: number", "numbers",
     "Divides x by y; dividing by zero is an error."},
    {"rem", 2, 0, bi_rem, "(x: number, y: number) -> z: number", "numbers",
     "Remainder of integer division, with the sign of x; integers only."},
    {"abs", 1, 0, bi_abs, "(x: number) -> y: number", "numbers", "Absolute value of a number."},
    {"ceil", 1, 0, bi_ceil, "(x: number) -> y: number", "numbers",
     "Rounds a number up to an integer."},
    {"floor", 1, 0, bi_floor, "(x: number) -> y: number", "numbers",
     "Rounds a number down to an integer."},
    {"round", 1, 0, bi_round, "(x: number) -> y: number", "numbers",
     "Rounds a number to the nearest integer, halves away from zero."},
    {"numbers.range", 2, 0, bi_range, "(a: number, b: number) -> range: array[number]", NULL,
     "Integers from a to b inclusive, counting down when a > b."},
    {"numbers.range_step", 3, 0, bi_range_step,
     "(a: number, b: number, step: number) -> range: array[number]", NULL,
     "Integers from a towards b inclusive in steps of a positive step."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
