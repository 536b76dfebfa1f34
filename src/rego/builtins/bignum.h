/* bignum.h - private multi-precision arithmetic for the builtins: a scratch
 * allocator, natural numbers (rn_nat) and a binary floating point type
 * (rn_bf) that reproduces Go's math/big.Float bit for bit, because OPA
 * computes numbers through big.Int / big.Float / big.Rat. Users: arith.c,
 * numbers.c, aggregates.c, bits.c (big.Float arithmetic printed with
 * Text('g'/'f', -1)), strings.c (format_int), sprintf.c (huge integers in
 * base 2/8/16, big.Int reflection) and units.c (exact rationals, parse_bytes).
 *
 * Memory: every result lives in an rn_scratch, freed as a whole with
 * rn_scratch_free. Errors are sticky in the scratch (s->err): GH_ENOMEM, or
 * GH_ELIMIT when a number leaves the supported range (|binary exponent| <=
 * RN_BF_MAX_EXP unless go_range is set, at most RN_NAT_MAX_LIMBS limbs).
 * Functions never crash on a failed allocation; callers check s->err once at
 * the end. */
#ifndef GH_REGO_BIGNUM_H
#define GH_REGO_BIGNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"

/* The binary exponent range we compute in. OPA's parser rejects literals
 * whose binary exponent exceeds 1e5 ("number too big"); exact decimal
 * conversion costs grow quadratically with the exponent, so values beyond
 * +/-2^100000 are refused with a builtin error instead. */
#define RN_BF_MAX_EXP 100000
/* Largest natural number handled (limbs of 64 bits): 2^21 bits. */
#define RN_NAT_MAX_LIMBS 32768

/* ---- scratch allocator ---------------------------------------------------- */
typedef struct rn_sblk rn_sblk;
typedef struct rn_scratch {
    char *buf; /* current block */
    size_t used, cap;
    rn_sblk *heap; /* heap blocks, freed by rn_scratch_free */
    int err;       /* 0, GH_ENOMEM or GH_ELIMIT (sticky) */
    /* Exponent range of the floats computed here. false (after
     * rn_scratch_init): |exp| <= RN_BF_MAX_EXP, beyond is GH_ELIMIT. true:
     * Go's full range RN_BF_GO_MINEXP..RN_BF_GO_MAXEXP, where overflow gives
     * RN_BF_INF and underflow zero, as big.Float does. Only for callers that
     * bound what they convert afterwards (format_int, units.parse_bytes):
     * printing such numbers with rn_bf_text may cost time in |exp|. */
    bool go_range;
    _Alignas(16) char inl[2048];
} rn_scratch;

void rn_scratch_init(rn_scratch *s);
void rn_scratch_free(rn_scratch *s);
/* n bytes aligned to 16, or NULL with s->err = GH_ENOMEM. */
void *rn_salloc(rn_scratch *s, size_t n);

/* ---- natural numbers -------------------------------------------------------
 * Little-endian 64-bit limbs; normalized: n == 0 for zero, else d[n-1] != 0.
 * Results are fresh scratch allocations; inputs are never modified. */
typedef struct rn_nat {
    uint64_t *d;
    size_t n;
} rn_nat;

rn_nat rn_nat_u64(rn_scratch *s, uint64_t v);
rn_nat rn_nat_copy(rn_scratch *s, rn_nat a);
int rn_nat_cmp(rn_nat a, rn_nat b);
rn_nat rn_nat_add(rn_scratch *s, rn_nat a, rn_nat b);
rn_nat rn_nat_sub(rn_scratch *s, rn_nat a, rn_nat b); /* requires a >= b */
rn_nat rn_nat_mul(rn_scratch *s, rn_nat a, rn_nat b);
rn_nat rn_nat_shl(rn_scratch *s, rn_nat a, size_t bits);
rn_nat rn_nat_shr(rn_scratch *s, rn_nat a, size_t bits);
size_t rn_nat_bitlen(rn_nat a);
size_t rn_nat_tz(rn_nat a); /* trailing zero bits (0 for zero) */
unsigned rn_nat_bit(rn_nat a, size_t i);
bool rn_nat_sticky(rn_nat a, size_t i); /* any bit below position i set */
/* q = a / b, r = a % b (b != 0); either output may be NULL. */
void rn_nat_divmod(rn_scratch *s, rn_nat a, rn_nat b, rn_nat *q, rn_nat *r);
/* 5^0 .. 5^27: the powers of five that fit one limb. */
extern const uint64_t rn_pow5_u64[28];
rn_nat rn_nat_pow5(rn_scratch *s, uint64_t k);
/* a * 10^k. */
rn_nat rn_nat_mul_pow10(rn_scratch *s, rn_nat a, uint64_t k);
/* The value when it fits in 64 bits (false otherwise, *out untouched). */
bool rn_nat_to_u64(rn_nat a, uint64_t *out);
/* From decimal digits (only '0'..'9'); to decimal text (NUL-terminated,
 * "0" for zero) with *len set. */
rn_nat rn_nat_from_dec(rn_scratch *s, const char *p, size_t n);
char *rn_nat_to_dec(rn_scratch *s, rn_nat a, size_t *len);
/* Digits in base 2, 8 or 16 (letters upper-case when upper), as Go's
 * big.Int Text: NUL-terminated scratch text, "0" for zero, *len set. */
char *rn_nat_to_pow2(rn_scratch *s, rn_nat a, int base, bool upper, size_t *len);
/* Bitwise ops on naturals (AND, OR, AND-NOT: a & ~b, XOR). */
rn_nat rn_nat_and(rn_scratch *s, rn_nat a, rn_nat b);
rn_nat rn_nat_or(rn_scratch *s, rn_nat a, rn_nat b);
rn_nat rn_nat_andnot(rn_scratch *s, rn_nat a, rn_nat b);
rn_nat rn_nat_xor(rn_scratch *s, rn_nat a, rn_nat b);

/* ---- Go big.Float emulation -------------------------------------------------
 * value = (neg ? -1 : 1) * 0.m * 2^exp, with m normalized so that the top
 * bit of m.d[m.n-1] is set (as Go keeps its mantissa). prec is the
 * precision in bits; rounding is always ToNearestEven. Zero keeps its sign
 * (Go prints "-0"). RN_BF_INF only arises in a go_range scratch (or from an
 * operand that is already infinite); m and exp are unused for it. */
enum { RN_BF_ZERO = 0, RN_BF_FINITE = 1, RN_BF_INF = 2 };
/* Go's big.Float MinExp / MaxExp (bounds of exp in a go_range scratch). */
#define RN_BF_GO_MAXEXP 2147483647ll
#define RN_BF_GO_MINEXP (-2147483647ll - 1)
typedef struct rn_bf {
    rn_nat m;
    int64_t exp;
    uint32_t prec;
    bool neg;
    uint8_t form;
} rn_bf;

/* new(big.Float).SetString(text): Go's parse with a 64-bit mantissa.
 * Returns false for text Go would reject (syntax, or "exponent overflow" in
 * a go_range scratch) or out of our range (then s->err is GH_ELIMIT). In a
 * go_range scratch a huge decimal exponent yields RN_BF_INF or zero. */
bool rn_bf_parse(rn_scratch *s, rn_bf *z, const char *text, size_t n);
/* SetInt64 / NewFloat(v) for small doubles given as integers with prec. */
void rn_bf_set_i64(rn_scratch *s, rn_bf *z, int64_t v, uint32_t prec);
/* new(big.Float).SetInt(i): prec = max(bitlen, 64). */
void rn_bf_set_int(rn_scratch *s, rn_bf *z, rn_nat mag, bool neg);
/* z = x op y with z's precision max(x.prec, y.prec) (Go's default).
 * Infinite operands follow Go (x + Inf = Inf, finite / Inf = 0); where Go
 * panics with ErrNaN (Inf - Inf, 0 * Inf) the result is Inf, and no caller
 * produces those operands. */
void rn_bf_add(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y);
void rn_bf_sub(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y);
void rn_bf_mul(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y);
void rn_bf_quo(rn_scratch *s, rn_bf *z, const rn_bf *x, const rn_bf *y); /* y != 0 */
int rn_bf_cmp(const rn_bf *x, const rn_bf *y);
bool rn_bf_is_int(const rn_bf *x);
/* Truncation toward zero (Float.Int); *exact says whether x was integral.
 * For RN_BF_INF (where Go returns nil) *mag is 0 and *exact false. */
void rn_bf_int(rn_scratch *s, const rn_bf *x, rn_nat *mag, bool *neg, bool *exact);
/* x.Text(fmt, -1) for fmt 'f' or 'g' ("+Inf"/"-Inf" for infinity);
 * NUL-terminated scratch text. */
char *rn_bf_text(rn_scratch *s, const rn_bf *x, char fmt, size_t *len);

/* ---- bridges to values (arith.c) ---------------------------------------------
 * Go's builtins.NumberToInt: x (a VAL_NUMBER) through a 64-bit big.Float,
 * truncated to an integer; *exact is false when x is not integral. */
void rn_val_int(rn_scratch *s, const val_t *x, rn_nat *mag, bool *neg, bool *exact);
/* builtins.IntToNumber: the integer's decimal text as a value in `a`.
 * Returns 0, or GH_EINVAL ("number too big") / GH_ENOMEM with e filled. */
int rn_int_val(gh_arena *a, rn_scratch *s, rn_nat mag, bool neg, val_t **out, gh_err *e);

#endif
