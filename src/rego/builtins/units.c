/* units.c - units.parse and units.parse_bytes (OPA 1.x semantics, which
 * accept scientific notation such as "1.5e3MB"), registered as
 * rego_bi_units. units.parse computes exactly with rationals (as OPA's
 * big.Rat: "m" is the float64 nearest 0.001, non-integers print with ten
 * decimals); units.parse_bytes goes through a 64-bit big.Float and
 * truncates, like OPA. Results too large to write as a number of at most
 * GH_MAX_NUMBER_CHARS digits are refused with "exponent too large". */
#include <string.h>

#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"

/* Exponent digits OPA accepts after 'e' in the amount. */
#define MAX_EXP_DIGITS 6
/* Amount strings longer than this are refused as unparseable: exact
 * rational arithmetic on them would be quadratic in their length. */
#define MAX_AMOUNT_CHARS 4096

static bool is_dig(char c) { return c >= '0' && c <= '9'; }

/* OPA's extractNumAndUnit: the amount is the longest prefix of digits,
 * '.', '+', '-' and 'e'/'E' followed by a digit or sign. Returns false
 * when an exponent has more than MAX_EXP_DIGITS digits. */
static bool split_amount(const char *s, size_t n, size_t *numlen) {
    size_t first = n;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!is_dig(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
            first = i;
            break;
        }
        if (c == 'e' || c == 'E') {
            if (i == n - 1 || (!is_dig(s[i + 1]) && s[i + 1] != '+' && s[i + 1] != '-')) {
                first = i;
                break;
            }
            if (s[i + 1] == '+' || s[i + 1] == '-') i++;
            size_t es = i + 1, ee = es;
            while (ee < n && is_dig(s[ee])) ee++;
            if (ee - es > MAX_EXP_DIGITS) return false;
        }
    }
    *numlen = first;
    return true;
}

/* big.Rat syntax for a decimal amount: [sign] digits[.digits] [e[sign]digits].
 * Fills the mantissa digits (without point), their count, the power of
 * ten and the sign. */
typedef struct {
    const char *digits; /* into a scratch copy */
    size_t nd;
    int64_t e10;
    bool neg;
} decnum;

static bool parse_rat(gh_arena *a, const char *s, size_t n, decnum *d, bool *oom) {
    size_t i = 0;
    d->neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) d->neg = s[i++] == '-';
    char *dig = gh_arena_alloc(a, n + 1);
    if (!dig) {
        *oom = true;
        return false;
    }
    size_t nd = 0;
    int64_t frac = 0;
    bool point = false;
    for (; i < n; i++) {
        if (is_dig(s[i])) {
            dig[nd++] = s[i];
            if (point) frac++;
        } else if (s[i] == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!nd) return false;
    int64_t exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool en = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) en = s[i++] == '-';
        size_t es = i;
        for (; i < n && is_dig(s[i]); i++)
            if (exp < 100000000) exp = exp * 10 + (s[i] - '0');
        if (i == es) return false;
        if (en) exp = -exp;
    }
    if (i != n) return false;
    d->e10 = exp - frac;
    if (d->e10 > 1000000 || d->e10 < -1000000) return false; /* big.Rat's own limit */
    size_t lead = 0;
    while (lead < nd && dig[lead] == '0') lead++;
    d->digits = dig + lead;
    d->nd = nd - lead;
    return true;
}

static int mk_number(rego_bctx *c, rb_sb *b, val_t **out) {
    if (b->oom) return rb_oom(c);
    gh_err e = {0};
    val_t *v = val_num_parse(c->a, b->p, b->len, &e);
    if (!v) return e.code == GH_ENOMEM ? rb_oom(c) : rb_err(c, "%s", e.msg);
    *out = v;
    return RB_OK;
}

/* Append the lower-cased bytes of s as Go's strings.ToLower does. */
static void lower_into(rb_sb *b, const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        rb_sb_rune(b, rb_rune_lower(r));
        i += (size_t)w;
    }
}

/* ---- units.parse ------------------------------------------------------------------- */

/* big.Rat d * xnum / 2^xshift printed as OPA does: Num().String() when
 * integral, else FloatString(10) (ten decimals, rounded half away from
 * zero). Appends to b; returns 0 or the scratch's error. */
static int rat_digits(rn_scratch *s, rb_sb *b, const decnum *d, uint64_t xnum, unsigned xshift) {
    /* value = N / D with N = digits * 10^max(e,0) * xnum, D = 10^max(-e,0) * 2^xshift */
    rn_nat t = rn_nat_from_dec(s, d->digits, d->nd);
    if (d->e10 > 0) t = rn_nat_mul_pow10(s, t, (uint64_t)d->e10);
    rn_nat N = rn_nat_mul(s, t, rn_nat_u64(s, xnum));
    rn_nat D = rn_nat_u64(s, 1);
    if (d->e10 < 0) D = rn_nat_mul_pow10(s, D, (uint64_t)(-d->e10));
    D = rn_nat_shl(s, D, xshift);
    rn_nat q, r;
    rn_nat_divmod(s, N, D, &q, &r);
    rn_nat fr = {NULL, 0};
    bool frac = r.n != 0;
    if (frac) {
        rn_nat r2;
        rn_nat_divmod(s, rn_nat_mul_pow10(s, r, 10), D, &fr, &r2);
        if (rn_nat_cmp(D, rn_nat_add(s, r2, r2)) <= 0) {
            rn_nat one = rn_nat_u64(s, 1), p = rn_nat_u64(s, 10000000000ull);
            fr = rn_nat_add(s, fr, one);
            if (rn_nat_cmp(fr, p) >= 0) {
                q = rn_nat_add(s, q, one);
                fr = rn_nat_sub(s, fr, p);
            }
        }
    }
    size_t qn = 0, fn = 0;
    char *qt = rn_nat_to_dec(s, q, &qn), *ft = frac ? rn_nat_to_dec(s, fr, &fn) : NULL;
    if (s->err || !qt || (frac && !ft)) return s->err ? s->err : GH_ENOMEM;
    if (d->neg) rb_sb_putc(b, '-');
    rb_sb_put(b, qt, qn);
    if (frac) {
        rb_sb_putc(b, '.');
        if (fn < 10) rb_sb_fill(b, '0', 10 - fn);
        rb_sb_put(b, ft, fn);
    }
    return 0;
}

static int bi_units_parse(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *raw;
    size_t rn;
    int rc = rb_arg_str(c, args, 0, &raw, &rn);
    if (rc) return rc;
    rb_sb s;
    rb_sb_init(&s, c->a, rn + 1);
    for (size_t i = 0; i < rn; i++)
        if (raw[i] != '"') rb_sb_putc(&s, raw[i]);
    if (s.oom) return rb_oom(c);
    if (memchr(s.p, ' ', s.len)) return rb_err(c, "units.parse: spaces not allowed in resource strings");
    size_t nl;
    if (!split_amount(s.p, s.len, &nl)) return rb_err(c, "units.parse: exponent too large");
    if (nl == 0) return rb_err(c, "units.parse: no amount provided");
    const char *unit = s.p + nl;
    size_t un = s.len - nl;
    rb_sb u;
    rb_sb_init(&u, c->a, un + 8);
    if (un > 1) {
        rb_sb_putc(&u, unit[0]);
        lower_into(&u, unit + 1, un - 1);
    } else {
        rb_sb_put(&u, unit, un);
    }
    if (u.oom) return rb_oom(c);
    /* multiplier = xnum / 2^xshift */
    uint64_t xnum = 1;
    unsigned xshift = 0;
    static const struct {
        const char *u;
        uint64_t m;
    } tab[] = {
        {"", 1}, {"k", 1000ull}, {"K", 1000ull}, {"ki", 1ull << 10}, {"Ki", 1ull << 10},
        {"M", 1000000ull}, {"mi", 1ull << 20}, {"Mi", 1ull << 20}, {"g", 1000000000ull},
        {"G", 1000000000ull}, {"gi", 1ull << 30}, {"Gi", 1ull << 30},
        {"t", 1000000000000ull}, {"T", 1000000000000ull}, {"ti", 1ull << 40},
        {"Ti", 1ull << 40}, {"p", 1000000000000000ull}, {"P", 1000000000000000ull},
        {"pi", 1ull << 50}, {"Pi", 1ull << 50}, {"e", 1000000000000000000ull},
        {"E", 1000000000000000000ull}, {"ei", 1ull << 60}, {"Ei", 1ull << 60},
    };
    bool found = false;
    if (u.len == 1 && u.p[0] == 'm') {
        xnum = 1152921504606847ull; /* float64(0.001) == 1152921504606847 / 2^60 */
        xshift = 60;
        found = true;
    }
    for (size_t i = 0; !found && i < sizeof tab / sizeof tab[0]; i++) {
        if (strlen(tab[i].u) == u.len && memcmp(tab[i].u, u.p, u.len) == 0) {
            xnum = tab[i].m;
            found = true;
        }
    }
    if (!found) return rb_err(c, "units.parse: unit %.*s not recognized", (int)u.len, u.p);
    decnum d;
    bool oom = false;
    if (nl > MAX_AMOUNT_CHARS || !parse_rat(c->a, s.p, nl, &d, &oom))
        return oom ? rb_oom(c) : rb_err(c, "units.parse: could not parse amount to a number");
    rb_sb b;
    rb_sb_init(&b, c->a, 32);
    if (d.nd == 0) { /* zero */
        rb_sb_putc(&b, '0');
        return mk_number(c, &b, out);
    }
    if ((int64_t)d.nd + d.e10 > GH_MAX_NUMBER_CHARS - 40)
        return rb_err(c, "units.parse: exponent too large");
    if ((int64_t)d.nd + d.e10 < -40) { /* far below 1e-10: prints as zero */
        rb_sb_puts(&b, d.neg ? "-0.0000000000" : "0.0000000000");
        return mk_number(c, &b, out);
    }
    rn_scratch ns;
    rn_scratch_init(&ns);
    rc = rat_digits(&ns, &b, &d, xnum, xshift);
    rn_scratch_free(&ns);
    if (rc) return rb_oom(c);
    return mk_number(c, &b, out);
}

/* ---- units.parse_bytes ----------------------------------------------------------------- */

/* new(big.Float).SetString(amount) * mult at 64 bits, truncated with Int
 * (an infinity leaves 0), appended to b. Returns 0, GH_EINVAL (amount Go
 * rejects), GH_ELIMIT (too many digits) or GH_ENOMEM. */
static int bytes_digits(rn_scratch *s, rb_sb *b, const char *amt, size_t n, uint64_t mult) {
    rn_bf num, m, prod;
    bool ok = rn_bf_parse(s, &num, amt, n);
    if (s->err) return s->err;
    if (!ok) return GH_EINVAL;
    rn_bf_set_i64(s, &m, (int64_t)mult, 64);
    rn_bf_mul(s, &prod, &num, &m);
    if (s->err) return s->err;
    if (prod.form == RN_BF_FINITE && prod.exp > (GH_MAX_NUMBER_CHARS - 8) * 3) return GH_ELIMIT;
    rn_nat total;
    bool neg, exact;
    rn_bf_int(s, &prod, &total, &neg, &exact);
    size_t tn = 0;
    char *t = rn_nat_to_dec(s, total, &tn);
    if (!t) return s->err ? s->err : GH_ENOMEM;
    if (neg && total.n) rb_sb_putc(b, '-');
    rb_sb_put(b, t, tn);
    return 0;
}

static int bi_units_parse_bytes(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *raw;
    size_t rn;
    int rc = rb_arg_str(c, args, 0, &raw, &rn);
    if (rc) return rc;
    rb_sb low, s;
    rb_sb_init(&low, c->a, rn + 8);
    lower_into(&low, raw, rn);
    if (low.oom) return rb_oom(c);
    rb_sb_init(&s, c->a, low.len + 1);
    for (size_t i = 0; i < low.len; i++)
        if (low.p[i] != '"') rb_sb_putc(&s, low.p[i]);
    if (s.oom) return rb_oom(c);
    if (memchr(s.p, ' ', s.len))
        return rb_err(c, "units.parse_bytes: spaces not allowed in resource strings");
    size_t nl;
    if (!split_amount(s.p, s.len, &nl)) return rb_err(c, "units.parse_bytes: exponent too large");
    if (nl == 0) return rb_err(c, "units.parse_bytes: no byte amount provided");
    const char *unit = s.p + nl;
    size_t un = s.len - nl;
    static const struct {
        const char *u;
        uint64_t m;
    } tab[] = {
        {"", 1}, {"kb", 1000ull}, {"k", 1000ull}, {"kib", 1ull << 10}, {"ki", 1ull << 10},
        {"mb", 1000000ull}, {"m", 1000000ull}, {"mib", 1ull << 20}, {"mi", 1ull << 20},
        {"gb", 1000000000ull}, {"g", 1000000000ull}, {"gib", 1ull << 30}, {"gi", 1ull << 30},
        {"tb", 1000000000000ull}, {"t", 1000000000000ull}, {"tib", 1ull << 40},
        {"ti", 1ull << 40}, {"pb", 1000000000000000ull}, {"p", 1000000000000000ull},
        {"pib", 1ull << 50}, {"pi", 1ull << 50}, {"eb", 1000000000000000000ull},
        {"e", 1000000000000000000ull}, {"eib", 1ull << 60}, {"ei", 1ull << 60},
    };
    uint64_t mult = 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strlen(tab[i].u) == un && memcmp(tab[i].u, unit, un) == 0) mult = tab[i].m;
    if (!mult)
        return rb_err(c, "units.parse_bytes: byte unit %.*s not recognized", (int)un, unit);
    if (nl > MAX_AMOUNT_CHARS)
        return rb_err(c, "units.parse_bytes: could not parse byte amount to a number");
    rb_sb b;
    rb_sb_init(&b, c->a, 24);
    rn_scratch ns;
    rn_scratch_init(&ns);
    ns.go_range = true;
    rc = bytes_digits(&ns, &b, s.p, nl, mult);
    rn_scratch_free(&ns);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc == GH_EINVAL)
        return rb_err(c, "units.parse_bytes: could not parse byte amount to a number");
    if (rc) return rb_err(c, "units.parse_bytes: exponent too large");
    return mk_number(c, &b, out);
}

const rego_builtin rego_bi_units[] = {
    {"units.parse", 1, 0, bi_units_parse, "(x: string) -> y: number", NULL,
     "Converts an amount with an SI or binary suffix (m, K, Ki, M, Mi, ...) into a number."},
    {"units.parse_bytes", 1, 0, bi_units_parse_bytes, "(x: string) -> y: number", NULL,
     "Converts a byte amount (KB, KiB, MB, MiB, ...) into an integer number of bytes."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
