/* number.c - numbers: the int64 fast path and exact decimals (digits x 10^exp
 * plus the literal text, which is what output prints). Called by the JSON
 * and YAML parsers, the Rego evaluator and builtins. Invariants: a decimal's
 * digits have no leading or trailing zeros; an integral value that fits
 * int64 hashes as that int64 whatever its spelling (1, 1.0, 1e0, 10e-1). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "value/value_int.h"

/* Exponents beyond this magnitude are refused: exact comparison needs
 * exp + ndigits to stay far from int64 overflow. */
#define EXP_LIMIT 1000000000000000000ll
#define GH_STR_(x) #x
#define GH_XSTR(x) GH_STR_(x)

size_t val_fmt_i64(char *buf, int64_t i) {
    char tmp[24];
    size_t n = 0, k = 0;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0) buf[k++] = '-';
    while (n) buf[k++] = tmp[--n];
    buf[k] = '\0';
    return k;
}

val_t *val_int(gh_arena *a, int64_t i) {
    if (i >= VAL_SMALL_MIN && i <= VAL_SMALL_MAX) return &val_small_ints[i - VAL_SMALL_MIN];
    val_t *v = gh_arena_alloc(a, sizeof(val_t));
    if (!v) return NULL;
    v->kind = VAL_NUMBER;
    v->sub = VAL_NUM_INT;
    v->pad = 0;
    v->len = 0;
    v->hash = val_hash_int(i);
    v->u.i = i;
    return v;
}

/* digits x 10^exp (with sign) as int64 when integral and in range. */
static bool dec_to_i64(const char *d, uint32_t nd, int64_t exp, bool neg, int64_t *out) {
    if (nd == 0) {
        *out = 0;
        return true;
    }
    if (exp < 0 || (int64_t)nd + exp > 19) return false;
    uint64_t acc = 0;
    for (int64_t k = 0; k < (int64_t)nd + exp; k++) {
        unsigned dig = k < (int64_t)nd ? (unsigned)(d[k] - '0') : 0;
        if (acc > (UINT64_MAX - dig) / 10) return false;
        acc = acc * 10 + dig;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1) return false;
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    } else {
        if (acc > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)acc;
    }
    return true;
}

static uint64_t dec_hash(const char *d, uint32_t nd, int64_t exp, bool neg) {
    int64_t i;
    if (dec_to_i64(d, nd, exp, neg, &i)) return val_hash_int(i);
    uint64_t h = gh_siphash13(val_hk0 ^ 0x646563696d616c73ull, val_hk1, d, nd);
    h = gh_hash_mix(h, (uint64_t)exp);
    return gh_hash_mix(h, neg ? 0x2d : 0x2b);
}

static val_t *num_err(gh_err *e, int code, const char *text, size_t n, const char *why) {
    int shown = n > 40 ? 40 : (int)n;
    gh_err_set(e, code, NULL, 0, 0, "%s: \"%.*s%s\"", why, shown, text, n > 40 ? "..." : "");
    return NULL;
}

/* Build a decimal from a validated literal: sign, integer digits [is,ie),
 * fraction digits [fs,fe) (empty when fs == fe) and exponent E. */
static val_t *make_dec(gh_arena *a, const char *text, size_t n, bool neg, size_t is, size_t ie,
                       size_t fs, size_t fe, int64_t E, gh_err *e) {
    size_t li = ie - is, lf = fe - fs, L = li + lf;
#define DIG(k) ((k) < li ? text[is + (k)] : text[fs + (k) - li])
    size_t first = 0, last = L;
    while (first < L && DIG(first) == '0') first++;
    if (first < L) {
        last = L - 1;
        while (DIG(last) == '0') last--;
    }
    size_t nd = first < L ? last - first + 1 : 0;
    bool contiguous = nd == 0 || last < li || first >= li;
    size_t sz = sizeof(val_t) + sizeof(val_dec) + n + 1 + (contiguous ? 0 : nd);
    val_t *v = gh_arena_alloc(a, sz);
    if (!v) return num_err(e, GH_ENOMEM, text, n, "out of memory for number");
    val_dec *d = (val_dec *)(v + 1);
    char *t = (char *)(d + 1);
    memcpy(t, text, n);
    t[n] = '\0';
    const char *digits = "";
    if (nd && contiguous) {
        digits = first < li ? t + is + first : t + fs + (first - li);
    } else if (nd) {
        char *buf = t + n + 1;
        for (size_t k = first; k <= last; k++) buf[k - first] = DIG(k);
        digits = buf;
    }
#undef DIG
    d->text = t;
    d->text_len = (uint32_t)n;
    d->ndigits = (uint32_t)nd;
    d->digits = digits;
    d->exp = nd ? E - (int64_t)lf + (int64_t)(L - 1 - last) : 0;
    d->neg = nd ? neg : false;
    v->kind = VAL_NUMBER;
    v->sub = VAL_NUM_DEC;
    v->pad = 0;
    v->len = 0;
    v->hash = dec_hash(d->digits, d->ndigits, d->exp, d->neg);
    v->u.dec = d;
    return v;
}

val_t *val_num_parse(gh_arena *a, const char *text, size_t n, gh_err *e) {
    if (!text || n == 0) return num_err(e, GH_EPARSE, "", 0, "empty number");
    if (n > GH_MAX_NUMBER_CHARS)
        return num_err(e, GH_ELIMIT, text, n,
                       "number literal longer than " GH_XSTR(GH_MAX_NUMBER_CHARS) " characters");
    size_t i = 0;
    bool neg = false;
    if (text[0] == '-') {
        neg = true;
        i = 1;
    }
    size_t is = i;
    if (i >= n || !isdigit((unsigned char)text[i]))
        return num_err(e, GH_EPARSE, text, n, "invalid number");
    if (text[i] == '0')
        i++;
    else
        while (i < n && isdigit((unsigned char)text[i])) i++;
    size_t ie = i, fs = i, fe = i;
    bool frac = false, expo = false;
    if (i < n && text[i] == '.') {
        fs = ++i;
        while (i < n && isdigit((unsigned char)text[i])) i++;
        fe = i;
        if (fe == fs) return num_err(e, GH_EPARSE, text, n, "invalid number");
        frac = true;
    }
    int64_t E = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        bool eneg = false, big = false;
        if (++i < n && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
        size_t es = i;
        for (; i < n && isdigit((unsigned char)text[i]); i++) {
            if (E >= EXP_LIMIT / 10) big = true;
            else E = E * 10 + (text[i] - '0');
        }
        if (i == es) return num_err(e, GH_EPARSE, text, n, "invalid number");
        if (big) return num_err(e, GH_ELIMIT, text, n, "number exponent out of range");
        if (eneg) E = -E;
        expo = true;
    }
    if (i != n) return num_err(e, GH_EPARSE, text, n, "invalid number");
    /* Plain integers take the int64 path; "-0" stays a decimal so that it
     * prints back as written. */
    if (!frac && !expo && ie - is <= 19 && !(neg && text[is] == '0')) {
        uint64_t acc = 0;
        bool ok = true;
        for (size_t k = is; k < ie; k++) {
            unsigned dig = (unsigned)(text[k] - '0');
            if (acc > (UINT64_MAX - dig) / 10) {
                ok = false;
                break;
            }
            acc = acc * 10 + dig;
        }
        if (ok && acc <= (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
            int64_t iv = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc)
                             : (int64_t)acc;
            val_t *v = val_int(a, iv);
            if (!v) return num_err(e, GH_ENOMEM, text, n, "out of memory for number");
            return v;
        }
    }
    return make_dec(a, text, n, neg, is, ie, fs, fe, E, e);
}

/* ---- views: every number as sign, digits, exponent --------------------------- */
typedef struct numview {
    const char *d;
    uint32_t nd;
    int64_t exp;
    int sign; /* -1, 0, 1 */
    char buf[24];
} numview;

static void view_of(const val_t *v, numview *w) {
    if (v->sub == VAL_NUM_DEC) {
        const val_dec *d = v->u.dec;
        w->d = d->digits;
        w->nd = d->ndigits;
        w->exp = d->exp;
        w->sign = d->ndigits == 0 ? 0 : d->neg ? -1 : 1;
        return;
    }
    int64_t i = v->u.i;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    w->sign = i < 0 ? -1 : i > 0;
    w->exp = 0;
    while (u && u % 10 == 0) {
        u /= 10;
        w->exp++;
    }
    size_t k = sizeof w->buf;
    while (u) {
        w->buf[--k] = (char)('0' + u % 10);
        u /= 10;
    }
    w->d = w->buf + k;
    w->nd = (uint32_t)(sizeof w->buf - k);
}

int val_num_cmp(const val_t *a, const val_t *b) {
    if (a->sub == VAL_NUM_INT && b->sub == VAL_NUM_INT)
        return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    numview x, y;
    view_of(a, &x);
    view_of(b, &y);
    if (x.sign != y.sign) return x.sign < y.sign ? -1 : 1;
    if (x.sign == 0) return 0;
    int c;
    int64_t ex = x.exp + x.nd, ey = y.exp + y.nd; /* position of the leading digit */
    if (ex != ey) {
        c = ex < ey ? -1 : 1;
    } else {
        uint32_t m = x.nd < y.nd ? x.nd : y.nd;
        c = memcmp(x.d, y.d, m);
        if (c)
            c = c < 0 ? -1 : 1;
        else
            c = x.nd < y.nd ? -1 : x.nd > y.nd;
    }
    return x.sign < 0 ? -c : c;
}

bool val_num_to_int64(const val_t *v, int64_t *out) {
    if (v->kind != VAL_NUMBER) return false;
    if (v->sub == VAL_NUM_INT) {
        *out = v->u.i;
        return true;
    }
    const val_dec *d = v->u.dec;
    return dec_to_i64(d->digits, d->ndigits, d->exp, d->neg, out);
}

bool val_num_is_integral(const val_t *v) {
    if (v->kind != VAL_NUMBER) return false;
    if (v->sub == VAL_NUM_INT) return true;
    return v->u.dec->ndigits == 0 || v->u.dec->exp >= 0;
}

double val_num_to_double(const val_t *v) {
    if (v->kind != VAL_NUMBER) return 0.0;
    if (v->sub == VAL_NUM_INT) return (double)v->u.i;
    const val_dec *d = v->u.dec;
    if (d->ndigits == 0) return 0.0;
    int64_t lead = d->exp + d->ndigits;
    double sign = d->neg ? -1.0 : 1.0;
    if (lead > 400) return sign * HUGE_VAL;
    if (lead < -400) return sign * 0.0;
    /* digits and exponent, no decimal point: strtod reads this the same in
     * every locale. */
    char buf[GH_MAX_NUMBER_CHARS + 32];
    uint32_t nd = d->ndigits < GH_MAX_NUMBER_CHARS ? d->ndigits : GH_MAX_NUMBER_CHARS;
    memcpy(buf, d->digits, nd);
    snprintf(buf + nd, sizeof buf - nd, "e%lld", (long long)(d->exp + (d->ndigits - nd)));
    return sign * strtod(buf, NULL);
}

/* ---- shortest round-trip digits of a double ------------------------------------- */
/* Significant digits of a (> 0) rounded to p digits, and its decimal
 * exponent E (a ~= d.ddd x 10^E). Returns the number of digits. */
static int sci_digits(double a, int p, char *digs, int *E) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, a);
    int n = 0;
    const char *s = buf;
    for (; *s && *s != 'e'; s++)
        if (isdigit((unsigned char)*s) && n < 40) digs[n++] = *s;
    *E = *s ? atoi(s + 1) : 0;
    return n;
}

static double digits_value(const char *digs, int nd, int E) {
    char buf[80];
    memcpy(buf, digs, (size_t)nd);
    snprintf(buf + nd, sizeof buf - (size_t)nd, "e%d", E - nd + 1);
    return strtod(buf, NULL);
}

/* Step the last digit by +1/-1 keeping nd digits (carry/borrow move E). */
static void digits_step(char *digs, int nd, int *E, int dir) {
    int k = nd - 1;
    if (dir > 0) {
        while (k >= 0 && digs[k] == '9') digs[k--] = '0';
        if (k >= 0) {
            digs[k]++;
        } else {
            digs[0] = '1';
            for (int j = 1; j < nd; j++) digs[j] = '0';
            (*E)++;
        }
    } else {
        while (k >= 0 && digs[k] == '0') digs[k--] = '9';
        if (k >= 0) digs[k]--;
        if (digs[0] == '0') { /* 100..0 - 1 = 99..9 one decade lower */
            for (int j = 0; j < nd; j++) digs[j] = '9';
            (*E)--;
        }
    }
}

/* Shortest digits that read back as a (> 0, finite); among equally short
 * candidates the closest, as Go's strconv does. */
static int shortest_digits(double a, char *digs, int *E) {
    int nd;
    if (a >= 2.2250738585072014e-308) {
        /* Normal doubles: a decimal of <= 15 digits that reads back is
         * unique, so the 15-digit rounding, stripped of zeros, is it. */
        nd = sci_digits(a, 15, digs, E);
        if (digits_value(digs, nd, *E) == a) {
            while (nd > 1 && digs[nd - 1] == '0') nd--;
            return nd;
        }
    }
    int start = a >= 2.2250738585072014e-308 ? 16 : 1;
    for (int p = start; p <= 17; p++) {
        nd = sci_digits(a, p, digs, E);
        double r = digits_value(digs, nd, *E);
        if (r == a) break;
        /* The nearest p-digit decimal missed; the one on the other side of
         * a may still be inside a's (asymmetric) rounding interval. */
        char alt[40];
        int altE = *E;
        memcpy(alt, digs, (size_t)nd);
        digits_step(alt, nd, &altE, r < a ? 1 : -1);
        if (digits_value(alt, nd, altE) == a) {
            memcpy(digs, alt, (size_t)nd);
            *E = altE;
            break;
        }
    }
    while (nd > 1 && digs[nd - 1] == '0') nd--;
    return nd;
}

val_t *val_num_double(gh_arena *a, double d) {
    if (!isfinite(d)) return NULL;
    if (d == 0) return val_int(a, 0);
    if (d == trunc(d) && fabs(d) < 9.2e18) return val_int(a, (int64_t)d);
    char digs[40], out[420];
    int E, nd = shortest_digits(fabs(d), digs, &E);
    size_t k = 0;
    if (d < 0) out[k++] = '-';
    if (d == trunc(d)) {
        /* Integral beyond int64: all digits, as OPA prints integral floats. */
        for (int j = 0; j <= E; j++) out[k++] = j < nd ? digs[j] : '0';
    } else if (E < -4 || E >= 6) {
        /* Go's %g for shortest output: exponent form outside [1e-4, 1e6). */
        out[k++] = digs[0];
        if (nd > 1) {
            out[k++] = '.';
            memcpy(out + k, digs + 1, (size_t)nd - 1);
            k += (size_t)nd - 1;
        }
        k += (size_t)snprintf(out + k, sizeof out - k, "e%c%02d", E < 0 ? '-' : '+',
                              E < 0 ? -E : E);
    } else if (E < 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int j = 0; j < -E - 1; j++) out[k++] = '0';
        memcpy(out + k, digs, (size_t)nd);
        k += (size_t)nd;
    } else {
        memcpy(out + k, digs, (size_t)E + 1);
        k += (size_t)E + 1;
        out[k++] = '.';
        memcpy(out + k, digs + E + 1, (size_t)(nd - E - 1));
        k += (size_t)(nd - E - 1);
    }
    return val_num_parse(a, out, k, NULL);
}
