/* bignat.h - small arbitrary-precision arithmetic for the string builtins:
 * natural numbers (rb_nat) and a binary floating-point emulation of Go's
 * math/big.Float (rb_bf) used where OPA formats or converts numbers through
 * big.Float / big.Int / big.Rat (format_int, sprintf of huge integers,
 * units.parse, units.parse_bytes). Private to src/rego/builtins/.
 *
 * Everything allocates in the caller's arena; functions return 0 or
 * GH_ENOMEM (arena exhausted). Sizes are bounded by the callers (they check
 * limits before building numbers), so the quadratic algorithms here are
 * fine. Limbs are 32-bit, little-endian, with no leading zero limbs. */
#ifndef GH_REGO_BIGNAT_H
#define GH_REGO_BIGNAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct rb_sb;

typedef struct rb_nat {
    uint32_t *d;
    size_t n;   /* used limbs; 0 means zero */
    size_t cap;
} rb_nat;

void rb_nat_zero(rb_nat *x);
int rb_nat_set_u64(gh_arena *a, rb_nat *x, uint64_t v);
int rb_nat_copy(gh_arena *a, rb_nat *dst, const rb_nat *src);
/* x = x * m + add */
int rb_nat_mul_small(gh_arena *a, rb_nat *x, uint32_t m, uint32_t add);
/* z = x * y (z may alias neither) */
int rb_nat_mul(gh_arena *a, rb_nat *z, const rb_nat *x, const rb_nat *y);
/* x = x * 10^k, x = x * 5^k */
int rb_nat_mul_pow10(gh_arena *a, rb_nat *x, uint64_t k);
/* Parse decimal digits (only '0'..'9'). */
int rb_nat_from_dec(gh_arena *a, rb_nat *x, const char *s, size_t n);
size_t rb_nat_bitlen(const rb_nat *x);
bool rb_nat_bit(const rb_nat *x, size_t i);
/* True when any of the lowest k bits is set. */
bool rb_nat_low_bits_nonzero(const rb_nat *x, size_t k);
int rb_nat_shl(gh_arena *a, rb_nat *x, size_t k);
void rb_nat_shr(rb_nat *x, size_t k);
int rb_nat_cmp(const rb_nat *x, const rb_nat *y);
int rb_nat_add(gh_arena *a, rb_nat *x, const rb_nat *y);      /* x += y */
void rb_nat_sub(rb_nat *x, const rb_nat *y);                    /* x -= y, x >= y */
/* q = x / y, r = x % y (y != 0); q and r distinct from x and y. */
int rb_nat_divmod(gh_arena *a, rb_nat *q, rb_nat *r, const rb_nat *x, const rb_nat *y);
/* Append the digits of x in base 10 or in base 2/8/16 (upper for 'X'). */
void rb_nat_to_dec(struct rb_sb *b, gh_arena *a, const rb_nat *x);
void rb_nat_to_pow2(struct rb_sb *b, const rb_nat *x, int base, bool upper);
/* Value as uint64 when it fits. */
bool rb_nat_to_u64(const rb_nat *x, uint64_t *out);

/* ---- big.Float emulation ----------------------------------------------------
 * value = (neg ? -1 : 1) * m * 2^e, with m rounded to at most `prec` bits
 * (round half to even), exactly as Go's big.Float in ToNearestEven mode. */
enum { RB_BF_ZERO = 0, RB_BF_FINITE = 1, RB_BF_INF = 2 };
typedef struct rb_bf {
    rb_nat m;
    int64_t e;
    bool neg;
    int form;
} rb_bf;

/* Go's big.Float limits on the binary exponent (MinExp/MaxExp). */
#define RB_BF_MAXEXP 2147483647ll
#define RB_BF_MINEXP (-2147483647ll - 1)

/* new(big.Float).SetString(s) with precision prec (0 = 64) for a decimal
 * literal [sign] digits [. digits] [(e|E) [sign] digits]. Returns 0,
 * GH_EINVAL for syntax Go rejects, or GH_ENOMEM. */
int rb_bf_parse(gh_arena *a, rb_bf *z, const char *s, size_t n, unsigned prec);
/* z = x * y rounded to prec bits (z distinct from x, y). */
int rb_bf_mul(gh_arena *a, rb_bf *z, const rb_bf *x, const rb_bf *y, unsigned prec);
/* z.Int(): truncate toward zero into *out (with *neg). False for infinity. */
bool rb_bf_int(gh_arena *a, const rb_bf *x, rb_nat *out, bool *neg, int *rc);
void rb_bf_set_u64(gh_arena *a, rb_bf *z, uint64_t v, int *rc);

#endif
