/* bignum.c - the scratch allocator and natural-number arithmetic behind the
 * number, format_int, sprintf and units builtins (see bignum.h). Limbs are 64-bit with 128-bit
 * products (unsigned __int128, GCC and Clang). Invariants: every rn_nat returned is normalized (no
 * leading zero limbs); inputs are never written; sizes are checked against RN_NAT_MAX_LIMBS before
 * anything is allocated. */
#include <string.h>

#include "base/base.h"
#include "rego/builtins/bignum.h"

typedef unsigned __int128 u128;

struct rn_sblk {
    rn_sblk *next;
    size_t cap;
    _Alignas(16) char data[];
};

void rn_scratch_init(rn_scratch *s) {
    s->buf = s->inl;
    s->used = 0;
    s->cap = sizeof s->inl;
    s->heap = NULL;
    s->err = 0;
    s->go_range = false;
}

void rn_scratch_free(rn_scratch *s) {
    rn_sblk *b = s->heap;
    while (b) {
        rn_sblk *n = b->next;
        gh_free(b);
        b = n;
    }
    s->heap = NULL;
    s->buf = s->inl;
    s->used = 0;
    s->cap = sizeof s->inl;
}

void *rn_salloc(rn_scratch *s, size_t n) {
    if (s->err) return NULL;
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    if (s->cap - s->used < n) {
        size_t cap = s->cap * 2;
        if (cap < 8192) cap = 8192;
        if (cap < n) cap = n;
        rn_sblk *b = gh_malloc(sizeof(rn_sblk) + cap);
        if (!b) {
            s->err = GH_ENOMEM;
            return NULL;
        }
        b->next = s->heap;
        b->cap = cap;
        s->heap = b;
        s->buf = b->data;
        s->cap = cap;
        s->used = 0;
    }
    void *p = s->buf + s->used;
    s->used += n;
    return p;
}

/* Limb array for a result of n limbs (n may be 0). */
static uint64_t *limbs(rn_scratch *s, size_t n) {
    if (s->err) return NULL;
    if (n > RN_NAT_MAX_LIMBS + 4) {
        s->err = GH_ELIMIT;
        return NULL;
    }
    return rn_salloc(s, (n ? n : 1) * sizeof(uint64_t));
}

static rn_nat mk(uint64_t *d, size_t n) {
    while (n && d[n - 1] == 0)
        n--;
    return (rn_nat){d, n};
}

static const rn_nat NAT0 = {NULL, 0};

rn_nat rn_nat_u64(rn_scratch *s, uint64_t v) {
    if (!v) return NAT0;
    uint64_t *d = limbs(s, 1);
    if (!d) return NAT0;
    d[0] = v;
    return (rn_nat){d, 1};
}

rn_nat rn_nat_copy(rn_scratch *s, rn_nat a) {
    if (!a.n) return NAT0;
    uint64_t *d = limbs(s, a.n);
    if (!d) return NAT0;
    memcpy(d, a.d, a.n * sizeof *d);
    return (rn_nat){d, a.n};
}

int rn_nat_cmp(rn_nat a, rn_nat b) {
    if (a.n != b.n) return a.n < b.n ? -1 : 1;
    for (size_t i = a.n; i-- > 0;)
        if (a.d[i] != b.d[i]) return a.d[i] < b.d[i] ? -1 : 1;
    return 0;
}

rn_nat rn_nat_add(rn_scratch *s, rn_nat a, rn_nat b) {
    if (a.n < b.n) {
        rn_nat t = a;
        a = b;
        b = t;
    }
    uint64_t *d = limbs(s, a.n + 1);
    if (!d) return NAT0;
    uint64_t c = 0;
    for (size_t i = 0; i < a.n; i++) {
        u128 t = (u128)a.d[i] + (i < b.n ? b.d[i] : 0) + c;
        d[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    d[a.n] = c;
    return mk(d, a.n + 1);
}

rn_nat rn_nat_sub(rn_scratch *s, rn_nat a, rn_nat b) {
    uint64_t *d = limbs(s, a.n);
    if (!d) return NAT0;
    uint64_t br = 0;
    for (size_t i = 0; i < a.n; i++) {
        uint64_t y = i < b.n ? b.d[i] : 0;
        uint64_t t = a.d[i] - y - br;
        br = (a.d[i] < y) || (a.d[i] - y < br);
        d[i] = t;
    }
    return mk(d, a.n);
}

rn_nat rn_nat_mul(rn_scratch *s, rn_nat a, rn_nat b) {
    if (!a.n || !b.n) return NAT0;
    uint64_t *d = limbs(s, a.n + b.n);
    if (!d) return NAT0;
    memset(d, 0, (a.n + b.n) * sizeof *d);
    for (size_t i = 0; i < a.n; i++) {
        uint64_t c = 0, x = a.d[i];
        for (size_t j = 0; j < b.n; j++) {
            u128 t = (u128)x * b.d[j] + d[i + j] + c;
            d[i + j] = (uint64_t)t;
            c = (uint64_t)(t >> 64);
        }
        d[i + b.n] = c;
    }
    return mk(d, a.n + b.n);
}

rn_nat rn_nat_shl(rn_scratch *s, rn_nat a, size_t bits) {
    if (!a.n) return NAT0;
    size_t w = bits / 64;
    unsigned b = (unsigned)(bits % 64);
    if (w > RN_NAT_MAX_LIMBS) {
        s->err = s->err ? s->err : GH_ELIMIT;
        return NAT0;
    }
    size_t n = a.n + w + 1;
    uint64_t *d = limbs(s, n);
    if (!d) return NAT0;
    memset(d, 0, w * sizeof *d);
    if (b == 0) {
        memcpy(d + w, a.d, a.n * sizeof *d);
        d[n - 1] = 0;
    } else {
        uint64_t c = 0;
        for (size_t i = 0; i < a.n; i++) {
            d[w + i] = (a.d[i] << b) | c;
            c = a.d[i] >> (64 - b);
        }
        d[n - 1] = c;
    }
    return mk(d, n);
}

rn_nat rn_nat_shr(rn_scratch *s, rn_nat a, size_t bits) {
    size_t w = bits / 64;
    unsigned b = (unsigned)(bits % 64);
    if (w >= a.n) return NAT0;
    size_t n = a.n - w;
    uint64_t *d = limbs(s, n);
    if (!d) return NAT0;
    if (b == 0) {
        memcpy(d, a.d + w, n * sizeof *d);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t hi = i + w + 1 < a.n ? a.d[i + w + 1] : 0;
            d[i] = (a.d[i + w] >> b) | (hi << (64 - b));
        }
    }
    return mk(d, n);
}

size_t rn_nat_bitlen(rn_nat a) {
    if (!a.n) return 0;
    return (a.n - 1) * 64 + (64 - (size_t)__builtin_clzll(a.d[a.n - 1]));
}

size_t rn_nat_tz(rn_nat a) {
    for (size_t i = 0; i < a.n; i++)
        if (a.d[i]) return i * 64 + (size_t)__builtin_ctzll(a.d[i]);
    return 0;
}

unsigned rn_nat_bit(rn_nat a, size_t i) {
    size_t w = i / 64;
    if (w >= a.n) return 0;
    return (unsigned)((a.d[w] >> (i % 64)) & 1);
}

bool rn_nat_sticky(rn_nat a, size_t i) {
    size_t w = i / 64;
    for (size_t k = 0; k < w && k < a.n; k++)
        if (a.d[k]) return true;
    if (w < a.n && (i % 64) && (a.d[w] << (64 - i % 64))) return true;
    return false;
}

/* (hi:lo) / d with hi < d: one hardware division on x86-64 (the compiler
 * would call a generic 128-bit division routine). */
static inline uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem) {
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    u128 n = ((u128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/* (nh:nl) / 10^19 with nh < 10^19, by multiplying with the precomputed
 * reciprocal (Moller & Granlund, "Improved division by invariant integers";
 * 10^19 already has its top bit set). */
static inline uint64_t div_1e19(uint64_t nh, uint64_t nl, uint64_t *rem) {
    const uint64_t d = 10000000000000000000ull, di = 0xd83c94fb6d2ac34aull;
    u128 p = (u128)nh * di + (((u128)(nh + 1) << 64) | nl);
    uint64_t qh = (uint64_t)(p >> 64), ql = (uint64_t)p;
    uint64_t r = nl - qh * d;
    if (r > ql) {
        qh--;
        r += d;
    }
    if (r >= d) {
        qh++;
        r -= d;
    }
    *rem = r;
    return qh;
}

/* In place: a /= v, returns the remainder. a has n limbs (may become
 * non-normalized). */
static uint64_t div_small_inplace(uint64_t *d, size_t n, uint64_t v) {
    uint64_t r = 0;
    for (size_t i = n; i-- > 0;)
        d[i] = div128(r, d[i], v, &r);
    return r;
}

void rn_nat_divmod(rn_scratch *s, rn_nat a, rn_nat b, rn_nat *q, rn_nat *r) {
    if (q) *q = NAT0;
    if (r) *r = NAT0;
    if (!b.n || s->err) return;
    if (rn_nat_cmp(a, b) < 0) {
        if (r) *r = rn_nat_copy(s, a);
        return;
    }
    if (b.n == 1) {
        uint64_t *d = limbs(s, a.n);
        if (!d) return;
        memcpy(d, a.d, a.n * sizeof *d);
        uint64_t rem = div_small_inplace(d, a.n, b.d[0]);
        if (q) *q = mk(d, a.n);
        if (r) *r = rn_nat_u64(s, rem);
        return;
    }
    /* Knuth, TAOCP vol. 2, 4.3.1, algorithm D, with 64-bit digits. */
    size_t n = b.n, m = a.n - b.n;
    unsigned sh = (unsigned)__builtin_clzll(b.d[n - 1]);
    uint64_t *v = limbs(s, n), *u = limbs(s, a.n + 1), *qd = limbs(s, m + 1);
    if (!v || !u || !qd) return;
    for (size_t i = n; i-- > 0;)
        v[i] = (b.d[i] << sh) | (sh && i ? b.d[i - 1] >> (64 - sh) : 0);
    u[a.n] = sh ? a.d[a.n - 1] >> (64 - sh) : 0;
    for (size_t i = a.n; i-- > 0;)
        u[i] = (a.d[i] << sh) | (sh && i ? a.d[i - 1] >> (64 - sh) : 0);
    const u128 B = (u128)1 << 64;
    for (size_t j = m + 1; j-- > 0;) {
        u128 qhat, rhat;
        if (u[j + n] < v[n - 1]) {
            uint64_t r1;
            qhat = div128(u[j + n], u[j + n - 1], v[n - 1], &r1);
            rhat = r1;
        } else {
            u128 num = ((u128)u[j + n] << 64) | u[j + n - 1];
            qhat = num / v[n - 1];
            rhat = num % v[n - 1];
        }
        while (qhat >= B || qhat * v[n - 2] > ((rhat << 64) | u[j + n - 2])) {
            qhat--;
            rhat += v[n - 1];
            if (rhat >= B) break;
        }
        __int128 k = 0, t;
        for (size_t i = 0; i < n; i++) {
            u128 p = qhat * v[i];
            t = (__int128)u[i + j] - k - (__int128)(uint64_t)p;
            u[i + j] = (uint64_t)t;
            k = (__int128)(uint64_t)(p >> 64) - (t >> 64);
        }
        t = (__int128)u[j + n] - k;
        u[j + n] = (uint64_t)t;
        if (t < 0) {
            qhat--;
            uint64_t c = 0;
            for (size_t i = 0; i < n; i++) {
                u128 t2 = (u128)u[i + j] + v[i] + c;
                u[i + j] = (uint64_t)t2;
                c = (uint64_t)(t2 >> 64);
            }
            u[j + n] += c;
        }
        qd[j] = (uint64_t)qhat;
    }
    if (q) *q = mk(qd, m + 1);
    if (r) {
        for (size_t i = 0; i < n; i++)
            u[i] = (u[i] >> sh) | (sh ? u[i + 1] << (64 - sh) : 0);
        *r = mk(u, n);
    }
}

/* In place: d[0..n) *= m; returns the new length (capacity n + 1). */
static size_t mul_small_inplace(uint64_t *d, size_t n, uint64_t m) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 t = (u128)d[i] * m + c;
        d[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    if (c) d[n++] = c;
    return n;
}

const uint64_t rn_pow5_u64[28] = {1ull,
                                  5ull,
                                  25ull,
                                  125ull,
                                  625ull,
                                  3125ull,
                                  15625ull,
                                  78125ull,
                                  390625ull,
                                  1953125ull,
                                  9765625ull,
                                  48828125ull,
                                  244140625ull,
                                  1220703125ull,
                                  6103515625ull,
                                  30517578125ull,
                                  152587890625ull,
                                  762939453125ull,
                                  3814697265625ull,
                                  19073486328125ull,
                                  95367431640625ull,
                                  476837158203125ull,
                                  2384185791015625ull,
                                  11920928955078125ull,
                                  59604644775390625ull,
                                  298023223876953125ull,
                                  1490116119384765625ull,
                                  7450580596923828125ull};

rn_nat rn_nat_pow5(rn_scratch *s, uint64_t k) {
    if (k <= 27 * 64) {
        /* repeated multiplication by 5^27 (one limb) is cheapest here */
        size_t cap = (size_t)(k * 2322 / 1000 / 64) + 2, n = 1;
        uint64_t *d = limbs(s, cap);
        if (!d) return NAT0;
        d[0] = rn_pow5_u64[k % 27];
        for (uint64_t j = 0; j < k / 27; j++)
            n = mul_small_inplace(d, n, rn_pow5_u64[27]);
        return mk(d, n);
    }
    rn_nat res = rn_nat_u64(s, 1), base = rn_nat_u64(s, 5);
    while (k && !s->err) {
        if (k & 1) res = rn_nat_mul(s, res, base);
        k >>= 1;
        if (k) base = rn_nat_mul(s, base, base);
    }
    return res;
}

rn_nat rn_nat_mul_pow10(rn_scratch *s, rn_nat a, uint64_t k) {
    if (!a.n || !k) return a;
    if (k > (uint64_t)RN_NAT_MAX_LIMBS * 64) { /* 10^k alone would exceed the limit */
        if (!s->err) s->err = GH_ELIMIT;
        return NAT0;
    }
    return rn_nat_shl(s, rn_nat_mul(s, a, rn_nat_pow5(s, k)), (size_t)k);
}

bool rn_nat_to_u64(rn_nat a, uint64_t *out) {
    if (a.n > 1) return false;
    *out = a.n ? a.d[0] : 0;
    return true;
}

rn_nat rn_nat_from_dec(rn_scratch *s, const char *p, size_t n) {
    while (n && *p == '0') {
        p++;
        n--;
    }
    if (!n) return NAT0;
    size_t cap = n / 19 + 2;
    uint64_t *d = limbs(s, cap);
    if (!d) return NAT0;
    size_t len = 0;
    size_t first = n % 19 ? n % 19 : 19;
    for (size_t i = 0; i < n;) {
        size_t k = i == 0 ? first : 19;
        uint64_t chunk = 0, mul = 1;
        for (size_t j = 0; j < k; j++) {
            chunk = chunk * 10 + (uint64_t)(p[i + j] - '0');
            mul *= 10;
        }
        i += k;
        uint64_t c = chunk;
        for (size_t j = 0; j < len; j++) {
            u128 t = (u128)d[j] * mul + c;
            d[j] = (uint64_t)t;
            c = (uint64_t)(t >> 64);
        }
        if (c) d[len++] = c;
    }
    return mk(d, len);
}

char *rn_nat_to_dec(rn_scratch *s, rn_nat a, size_t *len) {
    if (!a.n) {
        char *z = rn_salloc(s, 2);
        if (!z) return NULL;
        z[0] = '0';
        z[1] = '\0';
        if (len) *len = 1;
        return z;
    }
    /* 64 bits hold at most 19.27 digits: 20 per limb is enough. */
    size_t maxd = a.n * 20 + 1;
    uint64_t *w = limbs(s, a.n);
    uint64_t *chunks = limbs(s, a.n * 20 / 19 + 2);
    char *out = rn_salloc(s, maxd + 1);
    if (!w || !chunks || !out) return NULL;
    memcpy(w, a.d, a.n * sizeof *w);
    size_t n = a.n, nc = 0;
    while (n) {
        uint64_t r = 0;
        for (size_t i = n; i-- > 0;)
            w[i] = div_1e19(r, w[i], &r);
        chunks[nc++] = r;
        while (n && !w[n - 1])
            n--;
    }
    size_t k = 0;
    char tmp[20];
    /* most significant chunk without leading zeros */
    uint64_t top = chunks[nc - 1];
    int t = 0;
    do {
        tmp[t++] = (char)('0' + top % 10);
        top /= 10;
    } while (top);
    while (t)
        out[k++] = tmp[--t];
    for (size_t i = nc - 1; i-- > 0;) {
        uint64_t c = chunks[i];
        for (int j = 18; j >= 0; j--) {
            out[k + (size_t)j] = (char)('0' + c % 10);
            c /= 10;
        }
        k += 19;
    }
    out[k] = '\0';
    if (len) *len = k;
    return out;
}

char *rn_nat_to_pow2(rn_scratch *s, rn_nat a, int base, bool upper, size_t *len) {
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned bits = base == 2 ? 1 : base == 8 ? 3 : 4;
    size_t bl = rn_nat_bitlen(a);
    size_t nd = bl ? (bl + bits - 1) / bits : 1;
    char *out = rn_salloc(s, nd + 1);
    if (!out) return NULL;
    out[0] = '0';
    /* digit k (from the least significant) holds bits [k*bits, k*bits+bits) */
    for (size_t k = 0; bl && k < nd; k++) {
        size_t pos = k * bits, w = pos / 64;
        unsigned o = (unsigned)(pos % 64);
        uint64_t v = a.d[w] >> o;
        if (o + bits > 64 && w + 1 < a.n) v |= a.d[w + 1] << (64 - o);
        out[nd - 1 - k] = dig[v & ((1u << bits) - 1)];
    }
    out[nd] = '\0';
    if (len) *len = nd;
    return out;
}

static rn_nat bitop(rn_scratch *s, rn_nat a, rn_nat b, int op) {
    size_t n = a.n > b.n ? a.n : b.n;
    uint64_t *d = limbs(s, n);
    if (!d) return NAT0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = i < a.n ? a.d[i] : 0, y = i < b.n ? b.d[i] : 0;
        d[i] = op == 0 ? x & y : op == 1 ? x | y : op == 2 ? x & ~y : x ^ y;
    }
    return mk(d, n);
}

rn_nat rn_nat_and(rn_scratch *s, rn_nat a, rn_nat b) { return bitop(s, a, b, 0); }
rn_nat rn_nat_or(rn_scratch *s, rn_nat a, rn_nat b) { return bitop(s, a, b, 1); }
rn_nat rn_nat_andnot(rn_scratch *s, rn_nat a, rn_nat b) { return bitop(s, a, b, 2); }
rn_nat rn_nat_xor(rn_scratch *s, rn_nat a, rn_nat b) { return bitop(s, a, b, 3); }
