/* parse_edn.c - EDN documents into the shape conftest's EDN parser gives
 * (olympos.io/encoding/edn decoded into `any`, then "cleaned up"): maps
 * become objects whose keys are the Go %v text of the EDN key (":kw" for
 * keywords), vectors and lists become arrays, strings stay strings, and
 * every other value becomes its Go %v text ("true", "5432", ":debug", sets
 * as "map[:a:true :b:true]"). Called by `gatehouse check` / `parse`.
 * Invariant: nesting is bounded by GH_MAX_DEPTH; nothing is printed. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef enum {
    E_NIL,
    E_BOOL,
    E_INT,
    E_BIGINT,
    E_FLOAT,
    E_CHAR,
    E_STR,
    E_KW,
    E_SYM,
    E_LIST,
    E_VEC,
    E_MAP,
    E_SET,
    E_TAG,
    E_TIME,
    E_BYTES
} ekind;

typedef struct enode {
    ekind k;
    const char *s; /* text: string value, keyword/symbol name, number text, tag name */
    size_t n;
    int64_t i;           /* E_INT, E_CHAR, E_BOOL */
    double d;            /* E_FLOAT */
    struct enode **kids; /* collections: items (maps: k0 v0 k1 v1 ...); tag: kids[0] */
    size_t nkids;
} enode;

typedef pol_cursor eparser;

static int perr(eparser *P, const char *msg) {
    return gh_err_set(P->e, GH_EPARSE, P->file, P->line, P->col, "edn: %s", msg);
}
POL_CURSOR_FNS(eparser)

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','; }
static bool is_delim(char c) {
    return is_ws(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' ||
           c == '"' || c == ';';
}

static int parse_value(eparser *P, enode **out);

/* Skips whitespace, comments and #_ discards. */
static int skip(eparser *P) {
    for (;;) {
        while (P->p < P->end && is_ws(*P->p))
            adv(P);
        if (P->p < P->end && *P->p == ';') {
            while (P->p < P->end && *P->p != '\n')
                adv(P);
            continue;
        }
        if (P->end - P->p >= 2 && P->p[0] == '#' && P->p[1] == '_') {
            adv(P), adv(P);
            enode *ignored;
            int rc = parse_value(P, &ignored);
            if (rc) return rc;
            continue;
        }
        return 0;
    }
}

static enode *node(eparser *P, ekind k) {
    enode *n = gh_arena_calloc(P->a, sizeof *n);
    if (n) n->k = k;
    return n;
}

static int push(eparser *P, enode *coll, enode *item, size_t *cap) {
    if (coll->nkids == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        enode **nk = gh_arena_realloc(P->a, coll->kids, *cap * sizeof *nk, nc * sizeof *nk);
        if (!nk) return oom(P);
        coll->kids = nk;
        *cap = nc;
    }
    coll->kids[coll->nkids++] = item;
    return 0;
}

static int hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int parse_string(eparser *P, enode **out) {
    gh_buf b;
    gh_buf_init(&b);
    adv(P); /* opening quote */
    for (;;) {
        if (P->p >= P->end) {
            gh_buf_free(&b);
            return perr(P, "unterminated string");
        }
        char c = *P->p;
        if (c == '"') {
            adv(P);
            break;
        }
        if (c == '\\') {
            if (P->end - P->p < 2) {
                gh_buf_free(&b);
                return perr(P, "unterminated string");
            }
            char x = P->p[1];
            adv(P), adv(P);
            switch (x) {
            case 't': gh_buf_putc(&b, '\t'); break;
            case 'r': gh_buf_putc(&b, '\r'); break;
            case 'n': gh_buf_putc(&b, '\n'); break;
            case 'b': gh_buf_putc(&b, '\b'); break;
            case 'f': gh_buf_putc(&b, '\f'); break;
            case '\\': gh_buf_putc(&b, '\\'); break;
            case '"': gh_buf_putc(&b, '"'); break;
            case '/': gh_buf_putc(&b, '/'); break;
            case 'u': {
                uint32_t cp;
                if (P->end - P->p < 4 || hex4(P->p, &cp)) {
                    gh_buf_free(&b);
                    return perr(P, "bad \\u escape in string");
                }
                for (int i = 0; i < 4; i++)
                    adv(P);
                pol_put_utf8(&b, cp);
                break;
            }
            default: gh_buf_free(&b); return perr(P, "unknown escape in string");
            }
            continue;
        }
        gh_buf_putc(&b, c);
        adv(P);
    }
    if (b.oom) {
        gh_buf_free(&b);
        return oom(P);
    }
    enode *n = node(P, E_STR);
    if (n) {
        n->s = gh_arena_strndup(P->a, b.p ? b.p : "", b.len);
        n->n = b.len;
    }
    gh_buf_free(&b);
    if (!n || !n->s) return oom(P);
    *out = n;
    return 0;
}

/* A run of symbol-ish characters (the token after #, :, \ or a number). */
static size_t token_len(eparser *P, size_t from) {
    const char *s = P->p + from;
    while (s < P->end && !is_delim(*s))
        s++;
    return (size_t)(s - P->p);
}

static bool sym_char(char c) {
    return isalnum((unsigned char)c) || (c && strchr(".*+!-_?$%&=<>/':#", c)) ||
           (unsigned char)c >= 0x80;
}

static int parse_number(eparser *P, const char *s, size_t n, enode **out) {
    size_t i = 0;
    bool is_float = false;
    if (s[i] == '+' || s[i] == '-') i++;
    size_t d0 = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == d0) return perr(P, "invalid number");
    if (i < n && s[i] == '.') {
        is_float = true;
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        is_float = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t e0 = i;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == e0) return perr(P, "invalid number");
    }
    bool big = false;
    if (i < n && ((s[i] == 'N' && !is_float) || s[i] == 'M')) {
        big = true;
        if (s[i] == 'M') is_float = true;
        i++;
    }
    if (i != n) return perr(P, "invalid number");
    if (n > GH_MAX_NUMBER_CHARS)
        return gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col, "edn: number too long");
    char tmp[GH_MAX_NUMBER_CHARS + 1];
    size_t tn = n - (big ? 1 : 0);
    memcpy(tmp, s, tn);
    tmp[tn] = 0;
    enode *nd;
    if (is_float) {
        nd = node(P, E_FLOAT);
        if (!nd) return oom(P);
        nd->d = strtod(tmp, NULL);
    } else if (big) {
        nd = node(P, E_BIGINT);
        if (!nd) return oom(P);
        /* big.Int prints without a '+' sign or leading zeros */
        const char *t = tmp;
        bool neg = *t == '-';
        if (*t == '+' || *t == '-') t++;
        while (*t == '0' && t[1])
            t++;
        if (!strcmp(t, "0")) neg = false;
        nd->s = gh_arena_printf(P->a, "%s%s", neg ? "-" : "", t);
        if (!nd->s) return oom(P);
        nd->n = strlen(nd->s);
    } else {
        errno = 0;
        long long v = strtoll(tmp, NULL, 10);
        if (errno == ERANGE) return perr(P, "integer out of range");
        nd = node(P, E_INT);
        if (!nd) return oom(P);
        nd->i = v;
    }
    *out = nd;
    return 0;
}

static int parse_char(eparser *P, enode **out) {
    size_t n = token_len(P, 1);
    if (n < 2) {
        /* "\" followed by a delimiter character is that character */
        if (P->end - P->p >= 2)
            n = 2;
        else
            return perr(P, "invalid character literal");
    }
    const char *s = P->p + 1;
    size_t sn = n - 1;
    uint32_t cp;
    static const struct {
        const char *name;
        uint32_t cp;
    } names[] = {
        {"newline", '\n'}, {"return", '\r'}, {"space", ' '}, {"tab", '\t'}, {"formfeed", '\f'}};
    bool found = false;
    for (size_t i = 0; i < 5; i++)
        if (strlen(names[i].name) == sn && !memcmp(names[i].name, s, sn)) {
            cp = names[i].cp;
            found = true;
        }
    if (!found) {
        if (sn == 5 && s[0] == 'u' && !hex4(s + 1, &cp)) {
            found = true;
        } else {
            /* one UTF-8 character */
            unsigned char c0 = (unsigned char)s[0];
            size_t len = c0 < 0x80 ? 1 : c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 0;
            if (!len || len != sn) return perr(P, "invalid character literal");
            cp = len == 1 ? c0 : len == 2 ? (c0 & 0x1Fu) : len == 3 ? (c0 & 0x0Fu) : (c0 & 0x07u);
            for (size_t i = 1; i < len; i++) {
                if (((unsigned char)s[i] & 0xC0) != 0x80)
                    return perr(P, "invalid character literal");
                cp = (cp << 6) | ((unsigned char)s[i] & 0x3Fu);
            }
            found = true;
        }
    }
    for (size_t i = 0; i < n; i++)
        adv(P);
    enode *nd = node(P, E_CHAR);
    if (!nd) return oom(P);
    nd->i = cp;
    *out = nd;
    return 0;
}

static int parse_coll(eparser *P, ekind k, char close, enode **out) {
    enode *c = node(P, k);
    if (!c) return oom(P);
    size_t cap = 0;
    int sl = P->line, sc = P->col - (k == E_SET ? 2 : 1); /* at the opening bracket */
    for (;;) {
        int rc = skip(P);
        if (rc) return rc;
        if (P->p >= P->end) {
            P->line = sl, P->col = sc;
            return perr(P, "unterminated collection");
        }
        if (*P->p == close) {
            adv(P);
            break;
        }
        if (*P->p == ')' || *P->p == ']' || *P->p == '}')
            return perr(P, "unexpected closing delimiter");
        enode *item;
        if ((rc = parse_value(P, &item)) || (rc = push(P, c, item, &cap))) return rc;
    }
    if (k == E_MAP && c->nkids % 2) {
        P->line = sl, P->col = sc;
        return perr(P, "map literal must contain an even number of forms");
    }
    *out = c;
    return 0;
}

/* RFC 3339 timestamp (#inst) -> Go's time.Time %v text. */
static const char *inst_text(eparser *P, const char *s) {
    int Y, M, D, h, m, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 || n != 19)
        return NULL;
    const char *t = s + 19;
    char frac[16] = "";
    if (*t == '.') {
        size_t fl = 0;
        t++;
        while (isdigit((unsigned char)*t) && fl < 9)
            frac[fl++] = *t++;
        while (isdigit((unsigned char)*t))
            t++;
        while (fl && frac[fl - 1] == '0')
            fl--;
        frac[fl] = 0;
    }
    char zone[32];
    if (*t == 'Z' && !t[1]) {
        snprintf(zone, sizeof zone, "+0000 UTC");
    } else if ((*t == '+' || *t == '-') && strlen(t) == 6 && t[3] == ':') {
        snprintf(zone, sizeof zone, "%c%.2s%.2s %c%.2s%.2s", *t, t + 1, t + 4, *t, t + 1, t + 4);
    } else {
        return NULL;
    }
    return gh_arena_printf(P->a, "%04d-%02d-%02d %02d:%02d:%02d%s%s %s", Y, M, D, h, m, sec,
                           frac[0] ? "." : "", frac, zone);
}

static int b64val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static int parse_tag(eparser *P, enode **out) {
    size_t n = token_len(P, 1);
    if (n < 2 || !isalpha((unsigned char)P->p[1])) return perr(P, "invalid tag");
    const char *name = P->p + 1;
    size_t nn = n - 1;
    int tl = P->line, tc = P->col;
    for (size_t i = 0; i < n; i++)
        adv(P);
    int rc = skip(P);
    if (rc) return rc;
    if (P->p >= P->end) return perr(P, "tag without a value");
    enode *v;
    if ((rc = parse_value(P, &v))) return rc;
    if (nn == 4 && !memcmp(name, "inst", 4)) {
        const char *t = v->k == E_STR ? inst_text(P, v->s) : NULL;
        if (!t) {
            P->line = tl, P->col = tc;
            return perr(P, "#inst needs an RFC 3339 timestamp string");
        }
        enode *nd = node(P, E_TIME);
        if (!nd) return oom(P);
        nd->s = t;
        nd->n = strlen(t);
        *out = nd;
        return 0;
    }
    if (nn == 6 && !memcmp(name, "base64", 6)) {
        /* []byte prints as "[104 105]" */
        if (v->k != E_STR || v->n % 4) {
            P->line = tl, P->col = tc;
            return perr(P, "#base64 needs a base64 string");
        }
        gh_buf b;
        gh_buf_init(&b);
        gh_buf_putc(&b, '[');
        size_t cnt = 0;
        for (size_t i = 0; i < v->n; i += 4) {
            int q[4];
            for (int j = 0; j < 4; j++)
                q[j] = v->s[i + j] == '=' ? -2 : b64val(v->s[i + j]);
            if (q[0] < 0 || q[1] < 0 || q[2] == -1 || q[3] == -1 || (q[2] == -2 && q[3] != -2) ||
                ((q[2] == -2 || q[3] == -2) && i + 4 != v->n)) {
                gh_buf_free(&b);
                P->line = tl, P->col = tc;
                return perr(P, "#base64 needs a base64 string");
            }
            unsigned bytes[3] = {(unsigned)((q[0] << 2) | (q[1] >> 4)) & 0xFF,
                                 q[2] >= 0 ? (unsigned)((q[1] << 4) | (q[2] >> 2)) & 0xFF : 0,
                                 q[3] >= 0 ? (unsigned)((q[2] << 6) | q[3]) & 0xFF : 0};
            int nb = q[2] < 0 ? 1 : q[3] < 0 ? 2 : 3;
            for (int j = 0; j < nb; j++)
                gh_buf_printf(&b, "%s%u", cnt++ ? " " : "", bytes[j]);
        }
        gh_buf_putc(&b, ']');
        enode *nd = node(P, E_BYTES);
        if (nd && !b.oom) {
            nd->s = gh_arena_strndup(P->a, b.p, b.len);
            nd->n = b.len;
        }
        gh_buf_free(&b);
        if (!nd || !nd->s) return oom(P);
        *out = nd;
        return 0;
    }
    enode *nd = node(P, E_TAG);
    if (!nd || !(nd->kids = gh_arena_alloc(P->a, sizeof *nd->kids))) return oom(P);
    nd->s = gh_arena_strndup(P->a, name, nn);
    if (!nd->s) return oom(P);
    nd->n = nn;
    nd->kids[0] = v;
    nd->nkids = 1;
    *out = nd;
    return 0;
}

static int parse_value(eparser *P, enode **out) {
    int rc = skip(P);
    if (rc) return rc;
    if (P->p >= P->end) return perr(P, "unexpected end of input");
    if (++P->depth > GH_MAX_DEPTH) {
        return gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col, "edn: nesting deeper than %d",
                          GH_MAX_DEPTH);
    }
    char c = *P->p;
    if (c == '"') {
        rc = parse_string(P, out);
    } else if (c == '(') {
        adv(P);
        rc = parse_coll(P, E_LIST, ')', out);
    } else if (c == '[') {
        adv(P);
        rc = parse_coll(P, E_VEC, ']', out);
    } else if (c == '{') {
        adv(P);
        rc = parse_coll(P, E_MAP, '}', out);
    } else if (c == '#' && P->end - P->p >= 2 && P->p[1] == '{') {
        adv(P), adv(P);
        rc = parse_coll(P, E_SET, '}', out);
    } else if (c == '#') {
        rc = parse_tag(P, out);
    } else if (c == '\\') {
        rc = parse_char(P, out);
    } else if (c == ')' || c == ']' || c == '}') {
        rc = perr(P, "unexpected closing delimiter");
    } else {
        size_t n = token_len(P, 0);
        const char *s = P->p;
        for (size_t i = 0; i < n; i++)
            if (!sym_char(s[i])) return perr(P, "invalid character");
        if (isdigit((unsigned char)c) ||
            ((c == '+' || c == '-') && n > 1 && isdigit((unsigned char)s[1]))) {
            rc = parse_number(P, s, n, out);
        } else if (c == ':') {
            if (n < 2) return perr(P, "invalid keyword");
            enode *nd = node(P, E_KW);
            if (!nd || !(nd->s = gh_arena_strndup(P->a, s + 1, n - 1))) return oom(P);
            nd->n = n - 1;
            *out = nd;
        } else {
            enode *nd;
            if (n == 3 && !memcmp(s, "nil", 3))
                nd = node(P, E_NIL);
            else if (n == 4 && !memcmp(s, "true", 4))
                (nd = node(P, E_BOOL)) && (nd->i = 1);
            else if (n == 5 && !memcmp(s, "false", 5))
                nd = node(P, E_BOOL);
            else if ((nd = node(P, E_SYM)))
                nd->s = gh_arena_strndup(P->a, s, n), nd->n = n;
            if (!nd || (nd->k == E_SYM && !nd->s)) return oom(P);
            *out = nd;
        }
        if (!rc)
            for (size_t i = 0; i < n; i++)
                adv(P);
    }
    P->depth--;
    return rc;
}

/* ---- Go %v text -------------------------------------------------------------- */

/* fmt's %v of a float64: the shortest digits that round-trip, in %e form
 * ("1e+06", "1.5e-05") when the decimal exponent is < -4 or >= 6. */
static void go_float(gh_buf *b, double d) {
    if (isnan(d)) {
        gh_buf_puts(b, "NaN");
        return;
    }
    if (isinf(d)) {
        gh_buf_puts(b, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    char digs[GH_FLOAT_DIGITS];
    int exp;
    size_t nd = (size_t)gh_float_digits(d, digs, &exp);
    if (signbit(d)) gh_buf_putc(b, '-');
    if (d == 0) {
        gh_buf_putc(b, '0');
        return;
    }
    if (exp < -4 || exp >= 6) {
        gh_buf_putc(b, digs[0]);
        if (nd > 1) {
            gh_buf_putc(b, '.');
            gh_buf_puts(b, digs + 1);
        }
        gh_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        gh_buf_puts(b, "0.");
        for (int i = -1; i > exp; i--)
            gh_buf_putc(b, '0');
        gh_buf_puts(b, digs);
        return;
    }
    for (int i = 0; i <= exp; i++)
        gh_buf_putc(b, (size_t)i < nd ? digs[i] : '0');
    if ((size_t)exp + 1 < nd) {
        gh_buf_putc(b, '.');
        gh_buf_puts(b, digs + exp + 1);
    }
}

static void go_fmt(gh_buf *b, const enode *n, bool as_s);

/* Go's fmt sorts map keys; keys of one kind sort by value. Kinds sort in a
 * fixed order here (Go orders mixed kinds by type identity, which is not
 * observable text). */
static int key_cmp(const enode *x, const enode *y, gh_buf *tx, gh_buf *ty) {
    if (x->k != y->k) return x->k < y->k ? -1 : 1;
    if (x->k == E_INT || x->k == E_CHAR || x->k == E_BOOL) return x->i < y->i ? -1 : x->i > y->i;
    if (x->k == E_FLOAT) return x->d < y->d ? -1 : x->d > y->d;
    gh_buf_reset(tx);
    gh_buf_reset(ty);
    go_fmt(tx, x, false);
    go_fmt(ty, y, false);
    int c = strcmp(tx->p ? tx->p : "", ty->p ? ty->p : "");
    return c;
}

static void go_fmt_map(gh_buf *b, const enode *n) {
    bool set = n->k == E_SET;
    size_t cnt = set ? n->nkids : n->nkids / 2, step = set ? 1 : 2;
    size_t *ord = cnt ? malloc(cnt * sizeof *ord) : NULL;
    if (cnt && !ord) {
        b->oom = 1;
        return;
    }
    gh_buf tx, ty;
    gh_buf_init(&tx);
    gh_buf_init(&ty);
    for (size_t i = 0; i < cnt; i++)
        ord[i] = i * step;
    size_t *tmp = cnt > 1 ? malloc(cnt * sizeof *tmp) : NULL;
    if (cnt > 1 && !tmp) {
        b->oom = 1;
    } else {
        /* bottom-up merge sort: stable, n log n for large sets */
        for (size_t w = 1; w < cnt; w *= 2) {
            for (size_t lo = 0; lo < cnt; lo += 2 * w) {
                size_t mid = lo + w < cnt ? lo + w : cnt, hi = lo + 2 * w < cnt ? lo + 2 * w : cnt;
                size_t x = lo, y = mid, k = lo;
                while (x < mid && y < hi)
                    tmp[k++] = key_cmp(n->kids[ord[y]], n->kids[ord[x]], &tx, &ty) < 0 ? ord[y++]
                                                                                       : ord[x++];
                while (x < mid)
                    tmp[k++] = ord[x++];
                while (y < hi)
                    tmp[k++] = ord[y++];
            }
            memcpy(ord, tmp, cnt * sizeof *ord);
        }
    }
    free(tmp);
    gh_buf_free(&tx);
    gh_buf_free(&ty);
    gh_buf_puts(b, "map[");
    for (size_t i = 0; i < cnt; i++) {
        if (i) gh_buf_putc(b, ' ');
        go_fmt(b, n->kids[ord[i]], false);
        gh_buf_putc(b, ':');
        if (set)
            gh_buf_puts(b, "true");
        else
            go_fmt(b, n->kids[ord[i] + 1], false);
    }
    gh_buf_putc(b, ']');
    free(ord);
}

/* fmt's %v of the decoded Go value (or %s when as_s, which is what
 * edn.Tag's String method applies to its value). */
static void go_fmt(gh_buf *b, const enode *n, bool as_s) {
    switch (n->k) {
    case E_NIL: gh_buf_puts(b, as_s ? "%!s(<nil>)" : "<nil>"); break;
    case E_BOOL: gh_buf_printf(b, as_s ? "%%!s(bool=%s)" : "%s", n->i ? "true" : "false"); break;
    case E_INT: gh_buf_printf(b, as_s ? "%%!s(int64=%lld)" : "%lld", (long long)n->i); break;
    case E_CHAR: gh_buf_printf(b, as_s ? "%%!s(int32=%lld)" : "%lld", (long long)n->i); break;
    case E_FLOAT:
        if (as_s) gh_buf_puts(b, "%!s(float64=");
        go_float(b, n->d);
        if (as_s) gh_buf_putc(b, ')');
        break;
    case E_KW: gh_buf_putc(b, ':'); /* fallthrough */
    case E_BIGINT:
    case E_STR:
    case E_SYM:
    case E_TIME:
    case E_BYTES: gh_buf_append(b, n->s, n->n); break;
    case E_LIST:
    case E_VEC:
        gh_buf_putc(b, '[');
        for (size_t i = 0; i < n->nkids; i++) {
            if (i) gh_buf_putc(b, ' ');
            go_fmt(b, n->kids[i], false);
        }
        gh_buf_putc(b, ']');
        break;
    case E_MAP:
    case E_SET: go_fmt_map(b, n); break;
    case E_TAG:
        gh_buf_printf(b, "#%.*s ", (int)n->n, n->s);
        go_fmt(b, n->kids[0], true);
        break;
    }
}

static val_t *to_text(gh_arena *a, const enode *n) {
    gh_buf b;
    gh_buf_init(&b);
    go_fmt(&b, n, false);
    val_t *v = b.oom ? NULL : val_str(a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return v;
}

/* conftest's cleanupMapValue. */
static val_t *convert(gh_arena *a, const enode *n) {
    if (n->k == E_STR) return val_str(a, n->s, n->n);
    if (n->k == E_LIST || n->k == E_VEC) {
        val_t *arr = val_arr_new(a, n->nkids);
        for (size_t i = 0; arr && i < n->nkids; i++) {
            val_t *x = convert(a, n->kids[i]);
            if (!x || val_arr_push(a, arr, x)) return NULL;
        }
        return arr;
    }
    if (n->k == E_MAP) {
        val_t *obj = val_obj_new(a, n->nkids / 2);
        for (size_t i = 0; obj && i + 1 < n->nkids; i += 2) {
            val_t *k = to_text(a, n->kids[i]);
            val_t *x = k ? convert(a, n->kids[i + 1]) : NULL;
            if (!x || val_obj_put(a, obj, k, x)) return NULL;
        }
        return obj;
    }
    return to_text(a, n);
}

static int parse_edn_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    eparser P = {.a = a, .p = text, .end = text + n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.p += 3;
    int rc = skip(&P);
    if (rc) return rc;
    if (P.p >= P.end) return perr(&P, "no value in document");
    enode *root;
    if ((rc = parse_value(&P, &root))) return rc;
    /* like edn.Unmarshal, only the first value is read */
    val_t *v = convert(a, root);
    if (!v) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    *out = v;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_edn(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e) {
    return pol_budget_rc(a, parse_edn_doc(a, text, n, file, out, e), file, e);
}
