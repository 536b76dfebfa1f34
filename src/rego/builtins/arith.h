/* arith.h - OPA's arithmetic on values, for the evaluator's operators
 * (+ - * / %) and the number builtins. Results match OPA 0.61/1.x to the
 * byte: integers stay exact while the result is below 2^64; everything else
 * goes through an emulation of Go's big.Float (64-bit mantissa, round half
 * to even) and is printed as OPA prints it (0.1+0.2 -> 0.3, 10/3 ->
 * 3.3333333333333333333, 1000000.5 -> 1.0000005e+06, 0 / -1 -> -0).
 *
 * Ownership: results are allocated in `a` (small integers come from the
 * static table, so the int64 path usually allocates nothing); temporaries
 * never touch `a`. Thread-safe: no global state. */
#ifndef GH_REGO_ARITH_H
#define GH_REGO_ARITH_H

#include "base/base.h"
#include "value/value.h"

typedef enum {
    REGO_ARITH_PLUS,
    REGO_ARITH_MINUS, /* numbers, or set difference when both are sets */
    REGO_ARITH_MUL,
    REGO_ARITH_DIV,
    REGO_ARITH_REM,
} rego_arith_op;

typedef enum {
    REGO_ARITH_ABS,
    REGO_ARITH_ROUND, /* half away from zero */
    REGO_ARITH_CEIL,
    REGO_ARITH_FLOOR,
} rego_arith_op1;

/* *out = x op y. Returns 0, or:
 *   GH_ETYPE  operand of the wrong kind; e->msg is OPA's detail, e.g.
 *             "operand 2 must be number but got string" (minus names
 *             "number" or "set" as OPA does);
 *   GH_EINVAL "divide by zero", "modulo by zero", "modulo on
 *             floating-point number", or "number too big" (a result or
 *             operand outside the supported range, |x| < 2^100000, or a
 *             result longer than GH_MAX_NUMBER_CHARS);
 *   GH_ENOMEM allocation failed.
 * The caller prefixes the builtin's name (plus, minus, mul, div, rem). */
int rego_arith(gh_arena *a, rego_arith_op op, const val_t *x, const val_t *y, val_t **out,
               gh_err *e);

/* *out = op(x) for abs, round, ceil, floor; same errors as rego_arith.
 * Note ceil/floor reproduce OPA exactly, including ceil(-0.5) == 1 and
 * floor(-0.5) == 0. */
int rego_arith1(gh_arena *a, rego_arith_op1 op, const val_t *x, val_t **out, gh_err *e);

/* Integer view OPA's integer-taking builtins use (builtins.BigIntOperand):
 * the number as Go's big.Float (64-bit mantissa) converted to an integer.
 * Returns 1 and *out when that integer fits int64; 0 when it is integral
 * but larger, or outside the supported range (callers then take a big-integer
 * path, which reports "number too big" for the latter); -1 when the number
 * is not integral ("must be integer number but got floating-point number"). */
int rego_num_bigint64(const val_t *x, int64_t *out);

/* Sum or product of the numbers in an array or set, as OPA's sum/product
 * (start 0 or 1, big.Float accumulation). A non-number element gives
 * GH_ETYPE with "operand 1 must be <array|set> of numbers but got <array|set>
 * containing <type>". */
int rego_arith_fold(gh_arena *a, bool product, const val_t *coll, val_t **out, gh_err *e);

#endif
