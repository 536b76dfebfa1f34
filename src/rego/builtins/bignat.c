/* bignat.c - arbitrary-precision naturals and a big.Float emulation for the
 * string builtins (see bignat.h). Called by strings.c (format_int),
 * sprintf.c (huge integers) and units.c. Invariants: x->n never counts a
 * leading zero limb; rounding is half-to-even, matching Go's big.Float
 * default mode; every allocation comes from the caller's arena. */
#include <string.h>

#include "rego/builtins/bignat.h"
#include "rego/builtins/strutil.h"

static void trim(rb_nat *x) {
    while (x->n && x->d[x->n - 1] == 0) x->n--;
}

static int ensure(gh_arena *a, rb_nat *x, size_t n) {
    if (x->cap >= n) return 0;
    size_t cap = x->cap * 2 > n ? x->cap * 2 : n;
    if (cap < 4) cap = 4;
    if (cap > SIZE_MAX / sizeof(uint32_t)) return GH_ENOMEM;
    uint32_t *d = gh_arena_alloc(a, cap * sizeof(uint32_t));
    if (!d) return GH_ENOMEM;
    if (x->n) memcpy(d, x->d, x->n * sizeof(uint32_t));
    x->d = d;
    x->cap = cap;
    return 0;
}

void rb_nat_zero(rb_nat *x) { x->n = 0; }

int rb_nat_set_u64(gh_arena *a, rb_nat *x, uint64_t v) {
    if (ensure(a, x, 2)) return GH_ENOMEM;
    x->d[0] = (uint32_t)v;
    x->d[1] = (uint32_t)(v >> 32);
    x->n = 2;
    trim(x);
    return 0;
}

int rb_nat_copy(gh_arena *a, rb_nat *dst, const rb_nat *src) {
    if (ensure(a, dst, src->n)) return GH_ENOMEM;
    if (src->n) memmove(dst->d, src->d, src->n * sizeof(uint32_t));
    dst->n = src->n;
    return 0;
}

int rb_nat_mul_small(gh_arena *a, rb_nat *x, uint32_t m, uint32_t add) {
    uint64_t carry = add;
    for (size_t i = 0; i < x->n; i++) {
        uint64_t t = (uint64_t)x->d[i] * m + carry;
        x->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry) {
        if (ensure(a, x, x->n + 1)) return GH_ENOMEM;
        x->d[x->n++] = (uint32_t)carry;
    }
    trim(x);
    return 0;
}

int rb_nat_mul(gh_arena *a, rb_nat *z, const rb_nat *x, const rb_nat *y) {
    if (!x->n || !y->n) {
        z->n = 0;
        return 0;
    }
    size_t n = x->n + y->n;
    if (ensure(a, z, n)) return GH_ENOMEM;
    memset(z->d, 0, n * sizeof(uint32_t));
    for (size_t i = 0; i < x->n; i++) {
        uint64_t carry = 0, xi = x->d[i];
        for (size_t j = 0; j < y->n; j++) {
            uint64_t t = xi * y->d[j] + z->d[i + j] + carry;
            z->d[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        z->d[i + y->n] = (uint32_t)carry;
    }
    z->n = n;
    trim(z);
    return 0;
}

int rb_nat_mul_pow10(gh_arena *a, rb_nat *x, uint64_t k) {
    while (k >= 9) {
        if (rb_nat_mul_small(a, x, 1000000000u, 0)) return GH_ENOMEM;
        k -= 9;
    }
    uint32_t p = 1;
    while (k--) p *= 10;
    return p == 1 ? 0 : rb_nat_mul_small(a, x, p, 0);
}

int rb_nat_from_dec(gh_arena *a, rb_nat *x, const char *s, size_t n) {
    x->n = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t chunk = 0, mul = 1;
        for (int k = 0; k < 9 && i < n; k++, i++) {
            chunk = chunk * 10 + (uint32_t)(s[i] - '0');
            mul *= 10;
        }
        if (rb_nat_mul_small(a, x, mul, chunk)) return GH_ENOMEM;
    }
    return 0;
}

size_t rb_nat_bitlen(const rb_nat *x) {
    if (!x->n) return 0;
    uint32_t top = x->d[x->n - 1];
    return (x->n - 1) * 32 + (size_t)(32 - __builtin_clz(top));
}

bool rb_nat_bit(const rb_nat *x, size_t i) {
    size_t w = i / 32;
    return w < x->n && ((x->d[w] >> (i % 32)) & 1u);
}

bool rb_nat_low_bits_nonzero(const rb_nat *x, size_t k) {
    size_t w = k / 32;
    for (size_t i = 0; i < w && i < x->n; i++)
        if (x->d[i]) return true;
    if (w < x->n && (k % 32) && (x->d[w] & ((1u << (k % 32)) - 1u))) return true;
    return false;
}

int rb_nat_shl(gh_arena *a, rb_nat *x, size_t k) {
    if (!x->n || !k) return 0;
    size_t w = k / 32, b = k % 32;
    if (ensure(a, x, x->n + w + 1)) return GH_ENOMEM;
    x->d[x->n + w] = 0;
    for (size_t i = x->n; i-- > 0;) {
        uint64_t v = (uint64_t)x->d[i] << b;
        x->d[i + w + 1] |= (uint32_t)(v >> 32);
        x->d[i + w] = (uint32_t)v;
    }
    for (size_t i = 0; i < w; i++) x->d[i] = 0;
    x->n += w + 1;
    trim(x);
    return 0;
}

void rb_nat_shr(rb_nat *x, size_t k) {
    size_t w = k / 32, b = k % 32;
    if (w >= x->n) {
        x->n = 0;
        return;
    }
    size_t n = x->n - w;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = x->d[i + w];
        if (i + w + 1 < x->n) v |= (uint64_t)x->d[i + w + 1] << 32;
        x->d[i] = (uint32_t)(v >> b);
    }
    x->n = n;
    trim(x);
}

int rb_nat_cmp(const rb_nat *x, const rb_nat *y) {
    if (x->n != y->n) return x->n < y->n ? -1 : 1;
    for (size_t i = x->n; i-- > 0;)
        if (x->d[i] != y->d[i]) return x->d[i] < y->d[i] ? -1 : 1;
    return 0;
}

int rb_nat_add(gh_arena *a, rb_nat *x, const rb_nat *y) {
    size_t n = x->n > y->n ? x->n : y->n;
    if (ensure(a, x, n + 1)) return GH_ENOMEM;
    for (size_t i = x->n; i < n + 1; i++) x->d[i] = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = (uint64_t)x->d[i] + (i < y->n ? y->d[i] : 0) + carry;
        x->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    x->d[n] = (uint32_t)carry;
    x->n = n + 1;
    trim(x);
    return 0;
}

void rb_nat_sub(rb_nat *x, const rb_nat *y) {
    int64_t borrow = 0;
    for (size_t i = 0; i < x->n; i++) {
        int64_t t = (int64_t)x->d[i] - (i < y->n ? (int64_t)y->d[i] : 0) - borrow;
        borrow = t < 0;
        x->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    trim(x);
}

static uint32_t divmod_small(rb_nat *x, uint32_t d) {
    uint64_t r = 0;
    for (size_t i = x->n; i-- > 0;) {
        uint64_t cur = (r << 32) | x->d[i];
        x->d[i] = (uint32_t)(cur / d);
        r = cur % d;
    }
    trim(x);
    return (uint32_t)r;
}

/* Knuth, TAOCP vol. 2, 4.3.1, algorithm D, on 32-bit digits. */
int rb_nat_divmod(gh_arena *a, rb_nat *q, rb_nat *r, const rb_nat *x, const rb_nat *y) {
    if (rb_nat_cmp(x, y) < 0) {
        q->n = 0;
        return rb_nat_copy(a, r, x);
    }
    if (y->n == 1) {
        if (rb_nat_copy(a, q, x)) return GH_ENOMEM;
        uint32_t rem = divmod_small(q, y->d[0]);
        return rb_nat_set_u64(a, r, rem);
    }
    size_t n = y->n, m = x->n - y->n;
    int s = __builtin_clz(y->d[n - 1]);
    rb_nat v = {0}, u = {0};
    if (rb_nat_copy(a, &v, y) || rb_nat_shl(a, &v, (size_t)s)) return GH_ENOMEM;
    if (rb_nat_copy(a, &u, x) || rb_nat_shl(a, &u, (size_t)s)) return GH_ENOMEM;
    if (ensure(a, &u, x->n + 1)) return GH_ENOMEM;
    for (size_t i = u.n; i < x->n + 1; i++) u.d[i] = 0;
    if (ensure(a, q, m + 1)) return GH_ENOMEM;
    const uint64_t B = (uint64_t)1 << 32;
    for (size_t jj = m + 1; jj-- > 0;) {
        size_t j = jj;
        uint64_t num = ((uint64_t)u.d[j + n] << 32) | u.d[j + n - 1];
        uint64_t qhat = num / v.d[n - 1], rhat = num % v.d[n - 1];
        while (qhat >= B || qhat * v.d[n - 2] > ((rhat << 32) | u.d[j + n - 2])) {
            qhat--;
            rhat += v.d[n - 1];
            if (rhat >= B) break;
        }
        int64_t borrow = 0;
        uint64_t carry = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t p = qhat * v.d[i] + carry;
            carry = p >> 32;
            int64_t t = (int64_t)u.d[i + j] - borrow - (int64_t)(p & 0xFFFFFFFFu);
            borrow = t < 0;
            u.d[i + j] = (uint32_t)(t + (borrow ? (int64_t)B : 0));
        }
        int64_t t = (int64_t)u.d[j + n] - borrow - (int64_t)carry;
        borrow = t < 0;
        u.d[j + n] = (uint32_t)(t + (borrow ? (int64_t)B : 0));
        if (borrow) {
            qhat--;
            uint64_t c = 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t s2 = (uint64_t)u.d[i + j] + v.d[i] + c;
                u.d[i + j] = (uint32_t)s2;
                c = s2 >> 32;
            }
            u.d[j + n] = (uint32_t)((uint64_t)u.d[j + n] + c);
        }
        q->d[j] = (uint32_t)qhat;
    }
    q->n = m + 1;
    trim(q);
    u.n = n;
    trim(&u);
    rb_nat_shr(&u, (size_t)s);
    return rb_nat_copy(a, r, &u);
}

void rb_nat_to_dec(rb_sb *b, gh_arena *a, const rb_nat *x) {
    if (!x->n) {
        rb_sb_putc(b, '0');
        return;
    }
    rb_nat t = {0};
    if (rb_nat_copy(a, &t, x)) {
        b->oom = 1;
        return;
    }
    size_t nchunks = 0, cap = t.n * 2 + 2;
    uint32_t *chunks = gh_arena_alloc(a, cap * sizeof(uint32_t));
    if (!chunks) {
        b->oom = 1;
        return;
    }
    while (t.n) chunks[nchunks++] = divmod_small(&t, 1000000000u);
    rb_sb_printf(b, "%u", chunks[nchunks - 1]);
    for (size_t i = nchunks - 1; i-- > 0;) rb_sb_printf(b, "%09u", chunks[i]);
}

void rb_nat_to_pow2(rb_sb *b, const rb_nat *x, int base, bool upper) {
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int bits = base == 2 ? 1 : base == 8 ? 3 : 4;
    size_t len = rb_nat_bitlen(x);
    if (!len) {
        rb_sb_putc(b, '0');
        return;
    }
    size_t ndig = (len + (size_t)bits - 1) / (size_t)bits;
    if (rb_sb_reserve(b, ndig + 1)) return;
    for (size_t k = ndig; k-- > 0;) {
        unsigned v = 0;
        for (int j = bits - 1; j >= 0; j--) v = (v << 1) | rb_nat_bit(x, k * (size_t)bits + (size_t)j);
        rb_sb_putc(b, dig[v]);
    }
}

bool rb_nat_to_u64(const rb_nat *x, uint64_t *out) {
    if (x->n > 2) return false;
    *out = x->n == 0 ? 0 : x->n == 1 ? x->d[0] : ((uint64_t)x->d[1] << 32) | x->d[0];
    return true;
}

/* ---- big.Float emulation --------------------------------------------------- */

/* Round z's mantissa to prec bits, half to even; sticky says whether bits
 * below the mantissa were already dropped (they are all "below half"). */
static int bf_round(gh_arena *a, rb_bf *z, unsigned prec, bool sticky) {
    if (z->form != RB_BF_FINITE) return 0;
    if (!z->m.n) {
        z->form = RB_BF_ZERO;
        return 0;
    }
    size_t len = rb_nat_bitlen(&z->m);
    if (len > prec) {
        size_t k = len - prec;
        bool half = rb_nat_bit(&z->m, k - 1);
        bool rest = sticky || rb_nat_low_bits_nonzero(&z->m, k - 1);
        rb_nat_shr(&z->m, k);
        z->e += (int64_t)k;
        if (half && (rest || rb_nat_bit(&z->m, 0))) {
            if (rb_nat_mul_small(a, &z->m, 1, 1)) return GH_ENOMEM;
            if (rb_nat_bitlen(&z->m) > prec) {
                rb_nat_shr(&z->m, 1);
                z->e++;
            }
        }
    }
    /* Normalise trailing zero bits away (value unchanged). */
    size_t tz = 0;
    while (!rb_nat_bit(&z->m, tz)) tz++;
    if (tz) {
        rb_nat_shr(&z->m, tz);
        z->e += (int64_t)tz;
    }
    int64_t gexp = z->e + (int64_t)rb_nat_bitlen(&z->m);
    if (gexp > RB_BF_MAXEXP) z->form = RB_BF_INF;
    if (gexp < RB_BF_MINEXP) z->form = RB_BF_ZERO;
    return 0;
}

void rb_bf_set_u64(gh_arena *a, rb_bf *z, uint64_t v, int *rc) {
    z->neg = false;
    z->e = 0;
    z->form = v ? RB_BF_FINITE : RB_BF_ZERO;
    if (rb_nat_set_u64(a, &z->m, v)) *rc = GH_ENOMEM;
}

int rb_bf_mul(gh_arena *a, rb_bf *z, const rb_bf *x, const rb_bf *y, unsigned prec) {
    z->neg = x->neg != y->neg;
    if (x->form == RB_BF_INF || y->form == RB_BF_INF) {
        z->form = RB_BF_INF;
        return 0;
    }
    if (x->form == RB_BF_ZERO || y->form == RB_BF_ZERO) {
        z->form = RB_BF_ZERO;
        z->m.n = 0;
        return 0;
    }
    z->form = RB_BF_FINITE;
    if (rb_nat_mul(a, &z->m, &x->m, &y->m)) return GH_ENOMEM;
    z->e = x->e + y->e;
    return bf_round(a, z, prec, false);
}

/* z = x / y rounded to prec bits (x, y finite, nonzero). */
static int bf_quo(gh_arena *a, rb_bf *z, const rb_bf *x, const rb_bf *y, unsigned prec) {
    rb_nat num = {0}, r = {0};
    size_t lx = rb_nat_bitlen(&x->m), ly = rb_nat_bitlen(&y->m);
    size_t s = ly + prec + 2 > lx ? ly + prec + 2 - lx : 0;
    if (rb_nat_copy(a, &num, &x->m) || rb_nat_shl(a, &num, s)) return GH_ENOMEM;
    z->form = RB_BF_FINITE;
    z->neg = x->neg != y->neg;
    if (rb_nat_divmod(a, &z->m, &r, &num, &y->m)) return GH_ENOMEM;
    z->e = x->e - y->e - (int64_t)s;
    return bf_round(a, z, prec, r.n != 0);
}

/* Go's (*Float).pow5 at precision prec: exact up to 5^27, then repeated
 * squaring with rounding at prec (z) and prec+64 (f). */
static int bf_pow5(gh_arena *a, rb_bf *z, uint64_t n, unsigned prec) {
    static const uint64_t p27 = 7450580596923828125ull; /* 5^27 */
    int rc = 0;
    if (n <= 27) {
        uint64_t v = 1;
        for (uint64_t i = 0; i < n; i++) v *= 5;
        rb_bf_set_u64(a, z, v, &rc);
        if (!rc) rc = bf_round(a, z, prec, false);
        return rc;
    }
    rb_bf_set_u64(a, z, p27, &rc);
    n -= 27;
    rb_bf f = {0}, t = {0};
    rb_bf_set_u64(a, &f, 5, &rc);
    while (!rc && n > 0) {
        if (n & 1) {
            rc = rb_bf_mul(a, &t, z, &f, prec);
            if (!rc) rc = rb_nat_copy(a, &z->m, &t.m);
            z->e = t.e;
            z->form = t.form;
        }
        if (!rc) rc = rb_bf_mul(a, &t, &f, &f, prec + 64);
        if (!rc) rc = rb_nat_copy(a, &f.m, &t.m);
        f.e = t.e;
        f.form = t.form;
        n >>= 1;
    }
    return rc;
}

int rb_bf_parse(gh_arena *a, rb_bf *z, const char *s, size_t n, unsigned prec) {
    if (!prec) prec = 64;
    size_t i = 0;
    z->neg = false;
    z->form = RB_BF_ZERO;
    z->e = 0;
    z->m.n = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) z->neg = s[i++] == '-';
    size_t ds = i, ndig = 0;
    int64_t fcount = 0;
    bool point = false;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            ndig++;
            if (point) fcount++;
        } else if (s[i] == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!ndig) return GH_EINVAL;
    size_t de = i;
    int64_t exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        size_t es = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exp > (INT64_MAX - 9) / 10) return GH_EINVAL; /* ParseInt range error */
            exp = exp * 10 + (s[i] - '0');
        }
        if (i == es) return GH_EINVAL;
        if (eneg) exp = -exp;
    }
    if (i != n) return GH_EINVAL;
    /* Mantissa digits without the point. */
    char *digs = gh_arena_alloc(a, ndig + 1);
    if (!digs) return GH_ENOMEM;
    size_t k = 0;
    for (size_t j = ds; j < de; j++)
        if (s[j] != '.') digs[k++] = s[j];
    if (rb_nat_from_dec(a, &z->m, digs, k)) return GH_ENOMEM;
    if (!z->m.n) {
        z->form = RB_BF_ZERO;
        return 0;
    }
    int64_t e10 = exp - fcount;
    int64_t gexp = (int64_t)rb_nat_bitlen(&z->m) + e10;
    if (gexp < RB_BF_MINEXP || gexp > RB_BF_MAXEXP) return GH_EINVAL; /* exponent overflow */
    z->form = RB_BF_FINITE;
    z->e = e10; /* the 2^e10 half of 10^e10 */
    if (e10 == 0) return bf_round(a, z, prec, false);
    rb_bf p = {0}, x = *z;
    uint64_t k5 = e10 < 0 ? (uint64_t)0 - (uint64_t)e10 : (uint64_t)e10;
    int rc = bf_pow5(a, &p, k5, prec + 64);
    if (rc) return rc;
    rb_bf r = {0};
    rc = e10 < 0 ? bf_quo(a, &r, &x, &p, prec) : rb_bf_mul(a, &r, &x, &p, prec);
    if (rc) return rc;
    r.neg = z->neg;
    *z = r;
    return 0;
}

bool rb_bf_int(gh_arena *a, const rb_bf *x, rb_nat *out, bool *neg, int *rc) {
    *neg = false;
    if (x->form == RB_BF_INF) return false;
    if (x->form == RB_BF_ZERO) {
        out->n = 0;
        return true;
    }
    if (rb_nat_copy(a, out, &x->m)) {
        *rc = GH_ENOMEM;
        return true;
    }
    if (x->e >= 0) {
        if (rb_nat_shl(a, out, (size_t)x->e)) *rc = GH_ENOMEM;
    } else {
        rb_nat_shr(out, (size_t)(-x->e));
    }
    *neg = x->neg && out->n != 0;
    return true;
}
