/* sprintf.c - sprintf(format, values): Go's fmt.Sprintf over the Go values
 * OPA builds from Rego values (int for integers that fit int64, *big.Int
 * for larger integer literals, float64 for other numbers, string for
 * strings, and the Rego-syntax text of everything else, as a string).
 * Registered as rego_bi_sprintf; rb_go_sprintf is shared with template.c.
 * Follows Go 1.19's fmt: flags, width/precision (also '*' and [n] argument
 * indexes), %!verb(type=value) for bad verbs, %!v(MISSING), %!(EXTRA ...),
 * %!(BADWIDTH), %!(BADPREC), %!(BADINDEX), %!(NOVERB). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/bignum.h"
#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"

/* ---- Go values ---------------------------------------------------------------- */

static const char *type_name(const garg *g) {
    if (g->tname) return g->tname;
    switch (g->k) {
    case GA_INT: return "int";
    case GA_BIG: return "*big.Int";
    case GA_FLOAT: return "float64";
    case GA_BOOL: return "bool";
    default: return "string";
    }
}

/* OPA's conversion of one sprintf operand. Returns 0 or GH_ENOMEM. */
static int to_garg(gh_arena *a, const val_t *v, garg *g) {
    memset(g, 0, sizeof *g);
    if (val_kind_of(v) == VAL_STRING) {
        g->k = GA_STR;
        g->s = val_str_ptr(v);
        g->n = val_str_len(v);
        return 0;
    }
    if (val_kind_of(v) == VAL_NUMBER) {
        if (val_is_int(v)) {
            g->k = GA_INT;
            g->i = v->u.i;
            return 0;
        }
        const char *t = v->u.dec->text;
        size_t n = v->u.dec->text_len, i = 0;
        bool neg = n && t[0] == '-';
        i = neg || (n && t[0] == '+');
        size_t ds = i;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++;
        if (i == n && i > ds) {
            /* An integer literal: int when it fits int64, else *big.Int. */
            char *end;
            errno = 0;
            char *z = gh_arena_strndup(a, t, n);
            if (!z) return GH_ENOMEM;
            long long ll = strtoll(z, &end, 10);
            if (errno == 0 && *end == '\0') {
                g->k = GA_INT;
                g->i = ll;
                return 0;
            }
            g->k = GA_BIG;
            g->neg = neg;
            while (ds < n - 1 && t[ds] == '0') ds++;
            g->s = t + ds;
            g->n = n - ds;
            if (g->n == 1 && g->s[0] == '0') g->neg = false;
            return 0;
        }
        char *z = gh_arena_strndup(a, t, n);
        if (!z) return GH_ENOMEM;
        double d = strtod(z, NULL);
        if (isinf(d)) { /* ParseFloat range error: OPA passes the text */
            g->k = GA_STR;
            g->s = t;
            g->n = n;
            return 0;
        }
        g->k = GA_FLOAT;
        g->f = d;
        return 0;
    }
    rb_sb b;
    rb_sb_init(&b, a, 32);
    rb_rego_string(&b, a, v);
    if (b.oom) return GH_ENOMEM;
    g->k = GA_STR;
    g->s = b.p;
    g->n = b.len;
    return 0;
}

/* ---- the formatter state (Go's fmt.fmt + pp) -------------------------------------- */

typedef struct gfmt {
    rb_sb *b;
    gh_arena *a;
    int wid, prec;
    bool wid_p, prec_p, minus, plus, sharp, space, zero, plus_v, sharp_v;
    bool erroring;
} gfmt;

static void clear_flags(gfmt *f) {
    f->wid = f->prec = 0;
    f->wid_p = f->prec_p = f->minus = f->plus = f->sharp = f->space = f->zero = false;
    f->plus_v = f->sharp_v = false;
}

static void write_padding(gfmt *f, long n) {
    if (n <= 0) return;
    rb_sb_fill(f->b, f->zero ? '0' : ' ', (size_t)n);
}

static void pad(gfmt *f, const char *s, size_t n) {
    if (!f->wid_p || f->wid == 0) {
        rb_sb_put(f->b, s, n);
        return;
    }
    long w = (long)f->wid - (long)rb_u8_count(s, n);
    if (!f->minus) {
        write_padding(f, w);
        rb_sb_put(f->b, s, n);
    } else {
        rb_sb_put(f->b, s, n);
        write_padding(f, w);
    }
}

/* Bytes of the first prec runes of s (Go's fmt.truncate). */
static size_t truncate(const gfmt *f, const char *s, size_t n) {
    if (!f->prec_p) return n;
    size_t i = 0;
    for (int k = 0; k < f->prec && i < n; k++) {
        int w;
        rb_u8_decode(s + i, n - i, &w);
        i += (size_t)w;
    }
    return i;
}

static void fmt_s(gfmt *f, const char *s, size_t n) { pad(f, s, truncate(f, s, n)); }

static void fmt_sx(gfmt *f, const char *s, size_t n, bool upper) {
    const char *dig = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    size_t length = n;
    if (f->prec_p && (size_t)f->prec < length) length = (size_t)f->prec;
    size_t width = 2 * length;
    if (width > 0) {
        if (f->space) {
            if (f->sharp) width *= 2;
            width += length - 1;
        } else if (f->sharp) {
            width += 2;
        }
    } else {
        if (f->wid_p) write_padding(f, f->wid);
        return;
    }
    if (f->wid_p && (size_t)f->wid > width && !f->minus) write_padding(f, (long)(f->wid - (long)width));
    if (f->sharp) {
        rb_sb_putc(f->b, '0');
        rb_sb_putc(f->b, dig[16]);
    }
    for (size_t i = 0; i < length; i++) {
        if (f->space && i > 0) {
            rb_sb_putc(f->b, ' ');
            if (f->sharp) {
                rb_sb_putc(f->b, '0');
                rb_sb_putc(f->b, dig[16]);
            }
        }
        unsigned char c = (unsigned char)s[i];
        rb_sb_putc(f->b, dig[c >> 4]);
        rb_sb_putc(f->b, dig[c & 0xF]);
    }
    if (f->wid_p && (size_t)f->wid > width && f->minus) write_padding(f, (long)(f->wid - (long)width));
}

static void fmt_q(gfmt *f, const char *s, size_t n) {
    n = truncate(f, s, n);
    rb_sb q;
    rb_sb_init(&q, f->a, n + 8);
    if (f->sharp && rb_go_can_backquote(s, n)) {
        rb_sb_putc(&q, '`');
        rb_sb_put(&q, s, n);
        rb_sb_putc(&q, '`');
    } else {
        rb_go_quote_sb(&q, s, n, f->plus);
    }
    if (q.oom) {
        f->b->oom = 1;
        return;
    }
    pad(f, q.p, q.len);
}

/* ---- integers ------------------------------------------------------------------------ */

/* Go's fmt.fmtInteger for a 64-bit value. */
static void fmt_integer(gfmt *f, uint64_t u, int base, bool is_signed, int verb, bool upper) {
    const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    bool negative = is_signed && (int64_t)u < 0;
    if (negative) u = (uint64_t)0 - u;
    long prec = 0;
    if (f->prec_p) {
        prec = f->prec;
        if (prec == 0 && u == 0) {
            bool oz = f->zero;
            f->zero = false;
            write_padding(f, f->wid);
            f->zero = oz;
            return;
        }
    } else if (f->zero && f->wid_p) {
        prec = f->wid;
        if (negative || f->plus || f->space) prec--;
    }
    size_t cap = 72 + (size_t)(prec > 0 ? prec : 0);
    char *buf = gh_arena_alloc(f->a, cap);
    if (!buf) {
        f->b->oom = 1;
        return;
    }
    size_t i = cap;
    unsigned ub = (unsigned)base;
    while (u >= ub) {
        buf[--i] = digits[u % ub];
        u /= ub;
    }
    buf[--i] = digits[u];
    while (i > 0 && prec > (long)(cap - i)) buf[--i] = '0';
    if (f->sharp) {
        if (base == 2) {
            buf[--i] = 'b';
            buf[--i] = '0';
        } else if (base == 8) {
            if (buf[i] != '0') buf[--i] = '0';
        } else if (base == 16) {
            buf[--i] = digits[16];
            buf[--i] = '0';
        }
    }
    if (verb == 'O') {
        buf[--i] = 'o';
        buf[--i] = '0';
    }
    if (negative)
        buf[--i] = '-';
    else if (f->plus)
        buf[--i] = '+';
    else if (f->space)
        buf[--i] = ' ';
    bool oz = f->zero;
    f->zero = false;
    pad(f, buf + i, cap - i);
    f->zero = oz;
}

static void fmt_c(gfmt *f, uint64_t c) {
    int32_t r = c > RB_MAX_RUNE ? RB_RUNE_ERROR : (int32_t)c;
    char tmp[4];
    int w = rb_u8_encode(r, tmp);
    pad(f, tmp, (size_t)w);
}

static void fmt_qc(gfmt *f, uint64_t c) {
    int32_t r = c > RB_MAX_RUNE ? RB_RUNE_ERROR : (int32_t)c;
    rb_sb q;
    rb_sb_init(&q, f->a, 16);
    rb_go_quote_rune(&q, r, f->plus);
    if (q.oom) {
        f->b->oom = 1;
        return;
    }
    pad(f, q.p, q.len);
}

static void fmt_unicode(gfmt *f, uint64_t u) {
    long prec = 4;
    if (f->prec_p && f->prec > 4) prec = f->prec;
    size_t cap = (size_t)prec + 40;
    char *buf = gh_arena_alloc(f->a, cap);
    if (!buf) {
        f->b->oom = 1;
        return;
    }
    size_t i = cap;
    if (f->sharp && u <= RB_MAX_RUNE && rb_rune_printable((int32_t)u)) {
        char tmp[4];
        int w = rb_u8_encode((int32_t)u, tmp);
        buf[--i] = '\'';
        i -= (size_t)w;
        memcpy(buf + i, tmp, (size_t)w);
        buf[--i] = '\'';
        buf[--i] = ' ';
    }
    while (u >= 16) {
        buf[--i] = "0123456789ABCDEF"[u & 0xF];
        prec--;
        u >>= 4;
    }
    buf[--i] = "0123456789ABCDEF"[u];
    prec--;
    while (prec > 0) {
        buf[--i] = '0';
        prec--;
    }
    buf[--i] = '+';
    buf[--i] = 'U';
    bool oz = f->zero;
    f->zero = false;
    pad(f, buf + i, cap - i);
    f->zero = oz;
}

/* ---- floats: strconv.AppendFloat(v, fmt, prec, 64) ------------------------------------- */

/* Shortest decimal digits that read back as v (v finite, >= 0): digits
 * without trailing zeros in d (nd of them), value = 0.d * 10^dp. */
static void shortest(double v, char *d, int *nd, int *dp) {
    if (v == 0) {
        *nd = 0;
        *dp = 0;
        return;
    }
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v || p == 17) break;
    }
    int k = 0;
    char *e = strchr(tmp, 'e');
    for (char *q = tmp; q < e; q++)
        if (*q != '.') d[k++] = *q;
    while (k > 1 && d[k - 1] == '0') k--;
    *nd = k;
    *dp = atoi(e + 1) + 1;
}

static void put_exp(rb_sb *b, char ech, int exp) {
    rb_sb_putc(b, ech);
    rb_sb_putc(b, exp < 0 ? '-' : '+');
    if (exp < 0) exp = -exp;
    if (exp < 10) rb_sb_putc(b, '0');
    rb_sb_printf(b, "%d", exp);
}

static void fmt_e_digits(rb_sb *b, const char *d, int nd, int dp, int prec, char ech) {
    rb_sb_putc(b, nd ? d[0] : '0');
    if (prec > 0) {
        rb_sb_putc(b, '.');
        for (int i = 1; i <= prec; i++) rb_sb_putc(b, i < nd ? d[i] : '0');
    }
    put_exp(b, ech, nd ? dp - 1 : 0);
}

static void fmt_f_digits(rb_sb *b, const char *d, int nd, int dp, int prec) {
    if (dp > 0) {
        for (int i = 0; i < dp; i++) rb_sb_putc(b, i < nd ? d[i] : '0');
    } else {
        rb_sb_putc(b, '0');
    }
    if (prec > 0) {
        rb_sb_putc(b, '.');
        for (int i = 0; i < prec; i++) {
            int j = dp + i;
            rb_sb_putc(b, j >= 0 && j < nd ? d[j] : '0');
        }
    }
}

static void ftoa_x(rb_sb *b, double v, char fmt, int prec) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bool neg = bits >> 63;
    int exp = (int)((bits >> 52) & 0x7FF);
    uint64_t mant = bits & ((1ull << 52) - 1);
    if (exp == 0)
        exp++;
    else
        mant |= 1ull << 52;
    exp -= 1023;
    if (mant == 0) exp = 0;
    mant <<= 60 - 52;
    while (mant != 0 && (mant & (1ull << 60)) == 0) {
        mant <<= 1;
        exp--;
    }
    if (prec >= 0 && prec < 15) {
        unsigned shift = (unsigned)prec * 4;
        uint64_t extra = (mant << shift) & ((1ull << 60) - 1);
        mant >>= 60 - shift;
        if ((extra | (mant & 1)) > (1ull << 59)) mant++;
        mant <<= 60 - shift;
        if (mant & (1ull << 61)) {
            mant >>= 1;
            exp++;
        }
    }
    const char *hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    if (neg) rb_sb_putc(b, '-');
    rb_sb_putc(b, '0');
    rb_sb_putc(b, fmt);
    rb_sb_putc(b, (char)('0' + ((mant >> 60) & 1)));
    mant <<= 4;
    if (prec < 0 && mant != 0) {
        rb_sb_putc(b, '.');
        while (mant != 0) {
            rb_sb_putc(b, hex[(mant >> 60) & 15]);
            mant <<= 4;
        }
    } else if (prec > 0) {
        rb_sb_putc(b, '.');
        for (int i = 0; i < prec; i++) {
            rb_sb_putc(b, hex[(mant >> 60) & 15]);
            mant <<= 4;
        }
    }
    rb_sb_putc(b, fmt == 'X' ? 'P' : 'p');
    rb_sb_putc(b, exp < 0 ? '-' : '+');
    if (exp < 0) exp = -exp;
    if (exp < 10) rb_sb_putc(b, '0');
    rb_sb_printf(b, "%d", exp);
}

static void ftoa(rb_sb *b, double v, char fmt, int prec) {
    if (fmt == 'b') {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        int exp = (int)((bits >> 52) & 0x7FF);
        uint64_t mant = bits & ((1ull << 52) - 1);
        if (exp == 0)
            exp++;
        else
            mant |= 1ull << 52;
        exp += -1023 - 52;
        if (bits >> 63) rb_sb_putc(b, '-');
        rb_sb_printf(b, "%llup%s%d", (unsigned long long)mant, exp >= 0 ? "+" : "", exp);
        return;
    }
    if (fmt == 'x' || fmt == 'X') {
        ftoa_x(b, v, fmt, prec);
        return;
    }
    if (signbit(v)) {
        rb_sb_putc(b, '-');
        v = -v;
    }
    char ech = (fmt == 'E' || fmt == 'G') ? 'E' : 'e';
    if (prec < 0) {
        char d[24];
        int nd, dp;
        shortest(v, d, &nd, &dp);
        if (fmt == 'e' || fmt == 'E') {
            fmt_e_digits(b, d, nd, dp, nd > 1 ? nd - 1 : 0, ech);
        } else if (fmt == 'f') {
            fmt_f_digits(b, d, nd, dp, nd - dp > 0 ? nd - dp : 0);
        } else {
            int exp = dp - 1;
            if (exp < -4 || exp >= 6)
                fmt_e_digits(b, d, nd, dp, nd > 1 ? nd - 1 : 0, ech);
            else
                fmt_f_digits(b, d, nd, dp, nd - dp > 0 ? nd - dp : 0);
        }
        return;
    }
    char cf[8];
    snprintf(cf, sizeof cf, "%%.*%c", fmt);
    rb_sb_printf(b, cf, prec, v);
}

/* Go's fmt.fmtFloat. */
static void fmt_float(gfmt *f, double v, char verb, int prec) {
    if (f->prec_p) prec = f->prec;
    rb_sb nb;
    rb_sb_init(&nb, f->a, 40);
    ftoa(&nb, v, verb, prec);
    if (nb.oom) {
        f->b->oom = 1;
        return;
    }
    /* num[0] is the sign (+, - or space), the rest the unsigned text. */
    rb_sb num;
    rb_sb_init(&num, f->a, nb.len + 24);
    if (nb.len && (nb.p[0] == '-' || nb.p[0] == '+')) {
        rb_sb_put(&num, nb.p, nb.len);
    } else {
        rb_sb_putc(&num, '+');
        rb_sb_put(&num, nb.p, nb.len);
    }
    if (num.oom) {
        f->b->oom = 1;
        return;
    }
    if (f->space && num.p[0] == '+' && !f->plus) num.p[0] = ' ';
    if (f->sharp && verb != 'b') {
        int digits = 0;
        if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') digits = prec < 0 ? 6 : prec;
        char tail[16];
        size_t tn = 0;
        bool has_point = false, nonzero = false;
        for (size_t i = 1; i < num.len; i++) {
            char ch = num.p[i];
            if (ch == '.') {
                has_point = true;
            } else if (ch == 'p' || ch == 'P' ||
                       ((ch == 'e' || ch == 'E') && verb != 'x' && verb != 'X')) {
                tn = num.len - i < sizeof tail ? num.len - i : sizeof tail;
                memcpy(tail, num.p + i, tn);
                num.len = i;
                break;
            } else {
                if (ch != '0') nonzero = true;
                if (nonzero) digits--;
            }
        }
        if (!has_point) {
            if (num.len == 2 && num.p[1] == '0') digits--;
            rb_sb_putc(&num, '.');
        }
        while (digits > 0) {
            rb_sb_putc(&num, '0');
            digits--;
        }
        rb_sb_put(&num, tail, tn);
        if (num.oom) {
            f->b->oom = 1;
            return;
        }
    }
    if (f->plus || num.p[0] != '+') {
        if (f->zero && f->wid_p && (size_t)f->wid > num.len) {
            rb_sb_putc(f->b, num.p[0]);
            write_padding(f, (long)f->wid - (long)num.len);
            rb_sb_put(f->b, num.p + 1, num.len - 1);
            return;
        }
        pad(f, num.p, num.len);
        return;
    }
    pad(f, num.p + 1, num.len - 1);
}

/* ---- *big.Int ------------------------------------------------------------------------- */

static void print_arg(gfmt *f, const garg *g, int verb);

/* What fmt's reflection prints for a *big.Int: &{neg [64-bit words]}. */
static void big_reflect(gfmt *f, const garg *g) {
    rn_scratch s;
    rn_scratch_init(&s);
    rn_nat x = rn_nat_from_dec(&s, g->s, g->n);
    if (s.err) {
        f->b->oom = 1;
    } else {
        rb_sb_printf(f->b, "&{%s [", g->neg ? "true" : "false");
        for (size_t i = 0; i < x.n; i++)
            rb_sb_printf(f->b, "%s%llu", i ? " " : "", (unsigned long long)x.d[i]);
        rb_sb_puts(f->b, "]}");
    }
    rn_scratch_free(&s);
}

static void bad_verb(gfmt *f, const garg *g, int verb) {
    f->erroring = true;
    rb_sb_puts(f->b, "%!");
    rb_sb_rune(f->b, verb);
    rb_sb_putc(f->b, '(');
    rb_sb_puts(f->b, type_name(g));
    rb_sb_putc(f->b, '=');
    if (g->k == GA_BIG)
        big_reflect(f, g);
    else
        print_arg(f, g, 'v');
    rb_sb_putc(f->b, ')');
    f->erroring = false;
}

/* (*big.Int).Format */
static void fmt_big(gfmt *f, const garg *g, int verb) {
    int base;
    switch (verb) {
    case 'b': base = 2; break;
    case 'o': case 'O': base = 8; break;
    case 'd': case 's': case 'v': base = 10; break;
    case 'x': case 'X': base = 16; break;
    default:
        rb_sb_puts(f->b, "%!");
        rb_sb_rune(f->b, verb);
        rb_sb_puts(f->b, "(big.Int=");
        if (g->neg) rb_sb_putc(f->b, '-');
        rb_sb_put(f->b, g->s, g->n);
        rb_sb_putc(f->b, ')');
        return;
    }
    const char *sign = g->neg ? "-" : (f->plus || f->plus_v) ? "+" : f->space ? " " : "";
    const char *prefix = "";
    if (f->sharp || f->sharp_v) {
        if (verb == 'b') prefix = "0b";
        if (verb == 'o') prefix = "0";
        if (verb == 'x') prefix = "0x";
        if (verb == 'X') prefix = "0X";
    }
    if (verb == 'O') prefix = "0o";
    rb_sb ds;
    rb_sb_init(&ds, f->a, g->n + 8);
    if (base == 10) {
        rb_sb_put(&ds, g->s, g->n);
    } else {
        rn_scratch s;
        rn_scratch_init(&s);
        size_t n = 0;
        char *t = rn_nat_to_pow2(&s, rn_nat_from_dec(&s, g->s, g->n), base, verb == 'X', &n);
        if (t) rb_sb_put(&ds, t, n);
        rn_scratch_free(&s);
        if (!t) {
            f->b->oom = 1;
            return;
        }
    }
    if (ds.oom) {
        f->b->oom = 1;
        return;
    }
    long left = 0, zeros = 0, right = 0;
    if (f->prec_p) {
        if ((long)ds.len < f->prec)
            zeros = f->prec - (long)ds.len;
        else if (ds.len == 1 && ds.p[0] == '0' && f->prec == 0)
            return;
    }
    long length = (long)(strlen(sign) + strlen(prefix) + ds.len) + zeros;
    if (f->wid_p && length < f->wid) {
        long d = f->wid - length;
        if (f->minus)
            right = d;
        else if (f->zero && !f->prec_p)
            zeros = d;
        else
            left = d;
    }
    rb_sb_fill(f->b, ' ', (size_t)left);
    rb_sb_puts(f->b, sign);
    rb_sb_puts(f->b, prefix);
    rb_sb_fill(f->b, '0', (size_t)zeros);
    rb_sb_put(f->b, ds.p, ds.len);
    rb_sb_fill(f->b, ' ', (size_t)right);
}

/* ---- printArg ---------------------------------------------------------------------------- */

static void print_arg(gfmt *f, const garg *g, int verb) {
    if (g->k == GA_NIL) { /* a nil interface */
        if (verb == 'T' || verb == 'v') {
            pad(f, "<nil>", 5);
        } else {
            rb_sb_puts(f->b, "%!");
            rb_sb_rune(f->b, verb);
            rb_sb_puts(f->b, "(<nil>)");
        }
        return;
    }
    if (verb == 'T') {
        const char *t = type_name(g);
        fmt_s(f, t, strlen(t));
        return;
    }
    if (verb == 'p') {
        bad_verb(f, g, 'p'); /* no stable address to print */
        return;
    }
    switch (g->k) {
    case GA_INT: {
        uint64_t u = (uint64_t)g->i;
        switch (verb) {
        case 'v': case 'd': fmt_integer(f, u, 10, true, verb, false); return;
        case 'b': fmt_integer(f, u, 2, true, verb, false); return;
        case 'o': case 'O': fmt_integer(f, u, 8, true, verb, false); return;
        case 'x': fmt_integer(f, u, 16, true, verb, false); return;
        case 'X': fmt_integer(f, u, 16, true, verb, true); return;
        case 'c': fmt_c(f, u); return;
        case 'q': fmt_qc(f, u); return;
        case 'U': fmt_unicode(f, u); return;
        default: bad_verb(f, g, verb); return;
        }
    }
    case GA_FLOAT:
        switch (verb) {
        case 'v': fmt_float(f, g->f, 'g', -1); return;
        case 'b': case 'g': case 'G': case 'x': case 'X': fmt_float(f, g->f, (char)verb, -1); return;
        case 'f': case 'e': case 'E': fmt_float(f, g->f, (char)verb, 6); return;
        case 'F': fmt_float(f, g->f, 'f', 6); return;
        default: bad_verb(f, g, verb); return;
        }
    case GA_STR:
        switch (verb) {
        case 'v':
            if (f->sharp_v)
                fmt_q(f, g->s, g->n);
            else
                fmt_s(f, g->s, g->n);
            return;
        case 's': fmt_s(f, g->s, g->n); return;
        case 'x': fmt_sx(f, g->s, g->n, false); return;
        case 'X': fmt_sx(f, g->s, g->n, true); return;
        case 'q': fmt_q(f, g->s, g->n); return;
        default: bad_verb(f, g, verb); return;
        }
    case GA_BOOL:
        if (verb == 't' || verb == 'v') {
            const char *t = g->i ? "true" : "false";
            pad(f, t, strlen(t));
        } else {
            bad_verb(f, g, verb);
        }
        return;
    default: /* GA_BIG: a fmt.Formatter, except while printing an error */
        if (verb == 'w' || f->erroring) {
            bad_verb(f, g, verb);
            return;
        }
        fmt_big(f, g, verb);
        return;
    }
}

/* ---- doPrintf ------------------------------------------------------------------------------ */

static bool too_large(long x) { return x > 1000000 || x < -1000000; }

/* Go's parsenum: digits at fmt[*i..end). */
static bool parse_num(const char *s, size_t *i, size_t end, int *num) {
    long v = 0;
    bool isnum = false;
    size_t k = *i;
    for (; k < end && s[k] >= '0' && s[k] <= '9'; k++) {
        if (too_large(v)) {
            *num = 0;
            *i = end;
            return false;
        }
        v = v * 10 + (s[k] - '0');
        isnum = true;
    }
    *num = (int)v;
    *i = k;
    return isnum;
}

typedef struct {
    const garg *a;
    size_t n;
    size_t argnum;
    bool reordered, good_argnum;
} pstate;

/* Go's argNumber: an optional [n] at s[*i]. Returns whether an index was
 * found (afterIndex). */
static bool arg_number(pstate *p, const char *s, size_t *i, size_t end) {
    if (*i >= end || s[*i] != '[') return false;
    p->reordered = true;
    /* parseArgNumber */
    size_t len = end - *i, wid = 1;
    bool ok = false;
    int index = 0;
    if (len >= 3) {
        for (size_t k = 1; k < len; k++) {
            if (s[*i + k] == ']') {
                size_t j = *i + 1;
                int w;
                bool isnum = parse_num(s, &j, *i + k, &w);
                if (!isnum || j != *i + k) {
                    wid = k + 1;
                    ok = false;
                } else {
                    index = w - 1;
                    wid = k + 1;
                    ok = true;
                }
                break;
            }
        }
    }
    *i += wid;
    if (ok && index >= 0 && (size_t)index < p->n) {
        p->argnum = (size_t)index;
        return true;
    }
    p->good_argnum = false;
    return ok;
}

/* Go's intFromArg. */
static bool int_from_arg(pstate *p, int *num) {
    bool is_int = false;
    *num = 0;
    if (p->argnum < p->n) {
        const garg *g = &p->a[p->argnum];
        if (g->k == GA_INT) {
            is_int = g->i >= -1000000 && g->i <= 1000000;
            if (is_int) *num = (int)g->i;
        }
        p->argnum++;
    }
    if (!is_int) *num = 0;
    return is_int;
}

static void do_printf(gfmt *f, const char *s, size_t end, const garg *args, size_t nargs) {
    pstate p = {args, nargs, 0, false, true};
    bool after_index = false;
    size_t i = 0;
    while (i < end) {
        p.good_argnum = true;
        size_t lasti = i;
        while (i < end && s[i] != '%') i++;
        if (i > lasti) rb_sb_put(f->b, s + lasti, i - lasti);
        if (i >= end) break;
        i++;
        clear_flags(f);
        for (; i < end; i++) {
            char c = s[i];
            if (c == '#')
                f->sharp = true;
            else if (c == '0')
                f->zero = !f->minus;
            else if (c == '+')
                f->plus = true;
            else if (c == '-') {
                f->minus = true;
                f->zero = false;
            } else if (c == ' ')
                f->space = true;
            else
                break;
        }
        after_index = arg_number(&p, s, &i, end);
        if (i < end && s[i] == '*') {
            i++;
            f->wid_p = int_from_arg(&p, &f->wid);
            if (!f->wid_p) rb_sb_puts(f->b, "%!(BADWIDTH)");
            if (f->wid < 0) {
                f->wid = -f->wid;
                f->minus = true;
                f->zero = false;
            }
            after_index = false;
        } else {
            f->wid_p = parse_num(s, &i, end, &f->wid);
            if (after_index && f->wid_p) p.good_argnum = false;
        }
        if (i + 1 < end && s[i] == '.') {
            i++;
            if (after_index) p.good_argnum = false;
            after_index = arg_number(&p, s, &i, end);
            if (i < end && s[i] == '*') {
                i++;
                f->prec_p = int_from_arg(&p, &f->prec);
                if (f->prec < 0) {
                    f->prec = 0;
                    f->prec_p = false;
                }
                if (!f->prec_p) rb_sb_puts(f->b, "%!(BADPREC)");
                after_index = false;
            } else {
                f->prec_p = parse_num(s, &i, end, &f->prec);
                if (!f->prec_p) {
                    f->prec = 0;
                    f->prec_p = true;
                }
            }
        }
        if (!after_index) after_index = arg_number(&p, s, &i, end);
        if (i >= end) {
            rb_sb_puts(f->b, "%!(NOVERB)");
            break;
        }
        int w;
        int32_t verb = rb_u8_decode(s + i, end - i, &w);
        i += (size_t)w;
        if (verb == '%') {
            rb_sb_putc(f->b, '%');
        } else if (!p.good_argnum) {
            rb_sb_puts(f->b, "%!");
            rb_sb_rune(f->b, verb);
            rb_sb_puts(f->b, "(BADINDEX)");
        } else if (p.argnum >= p.n) {
            rb_sb_puts(f->b, "%!");
            rb_sb_rune(f->b, verb);
            rb_sb_puts(f->b, "(MISSING)");
        } else {
            if (verb == 'v') {
                f->sharp_v = f->sharp;
                f->sharp = false;
                f->plus_v = f->plus;
                f->plus = false;
            }
            print_arg(f, &p.a[p.argnum], verb);
            p.argnum++;
        }
        if (f->b->oom) return;
    }
    if (!p.reordered && p.argnum < p.n) {
        clear_flags(f);
        rb_sb_puts(f->b, "%!(EXTRA ");
        for (size_t k = p.argnum; k < p.n; k++) {
            if (k > p.argnum) rb_sb_puts(f->b, ", ");
            if (p.a[k].k == GA_NIL) {
                rb_sb_puts(f->b, "<nil>");
                continue;
            }
            rb_sb_puts(f->b, type_name(&p.a[k]));
            rb_sb_putc(f->b, '=');
            print_arg(f, &p.a[k], 'v');
        }
        rb_sb_putc(f->b, ')');
    }
}

int rb_go_sprintf_args(rb_sb *b, gh_arena *a, const char *fmt, size_t fn, const garg *args,
                       size_t nargs) {
    gfmt f = {0};
    f.b = b;
    f.a = a;
    do_printf(&f, fmt, fn, args, nargs);
    return b->oom ? GH_ENOMEM : 0;
}

int rb_go_sprintf(rb_sb *b, gh_arena *a, const char *fmt, size_t fn, val_t *const *vals,
                  size_t nvals) {
    garg *args = gh_arena_alloc(a, (nvals ? nvals : 1) * sizeof(garg));
    if (!args) return GH_ENOMEM;
    for (size_t i = 0; i < nvals; i++)
        if (to_garg(a, vals[i], &args[i])) return GH_ENOMEM;
    return rb_go_sprintf_args(b, a, fmt, fn, args, nvals);
}

static int bi_sprintf(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *fmt;
    size_t fn;
    int rc = rb_arg_str(c, args, 0, &fmt, &fn);
    if (rc) return rc;
    if (val_kind_of(args[1]) != VAL_ARRAY) return rb_type_err(c, 2, "array", args[1]);
    rb_sb b;
    rb_sb_init(&b, c->a, fn + 16);
    if (rb_go_sprintf(&b, c->a, fmt, fn, args[1]->u.arr.items, val_arr_len(args[1])))
        return rb_oom(c);
    val_t *v = rb_sb_finish(&b);
    if (!v) return rb_oom(c);
    *out = v;
    return RB_OK;
}

const rego_builtin rego_bi_sprintf[] = {
    {"sprintf", 2, 0, bi_sprintf, "(format: string, values: array[any]) -> output: string",
     "strings", "Formats values with Go's fmt verbs (%v, %d, %s, %q, %x, %f, ...), as OPA does."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
