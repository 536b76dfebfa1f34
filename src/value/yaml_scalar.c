/* yaml_scalar.c - scalar resolution for the YAML loader (yaml.c). Turns one
 * libyaml scalar (text, tag, plain or not) into the value sigs.k8s.io/yaml
 * gives (go-yaml v2 into interface{}, then JSON), and resolved map keys into
 * the strings that conversion makes. Numeric grammar mirrors Go's strconv
 * (ParseInt/ParseUint base 0, ParseFloat) as go-yaml calls it; verified
 * against OPA 0.61. Only result values touch the arena. See docs/yaml.md. */
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/yaml_int.h"

#define YTAG "tag:yaml.org,2002:"
#define YTAG_LEN (sizeof(YTAG) - 1)

/* go-yaml's tags, as far as resolution cares. */
typedef enum {
    T_NONE, /* no tag: plain scalars resolve, others are strings */
    T_STR,
    T_BOOL,
    T_INT,
    T_FLOAT,
    T_NULL,
    T_TIMESTAMP,
    T_BINARY,
    T_MERGE,
    T_OTHER, /* "!", local tags, !!map on a scalar...: text kept */
} ytag;

static const char *const tag_short[] = {
    "", "!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp", "!!binary", "!!merge", "",
};

static ytag tag_of(const char *tag) {
    static const struct {
        const char *name;
        ytag t;
    } known[] = {
        {"str", T_STR},   {"bool", T_BOOL},           {"int", T_INT},       {"float", T_FLOAT},
        {"null", T_NULL}, {"timestamp", T_TIMESTAMP}, {"binary", T_BINARY}, {"merge", T_MERGE},
    };
    if (!tag || !*tag) return T_NONE;
    if (strncmp(tag, YTAG, YTAG_LEN) != 0) return T_OTHER;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(tag + YTAG_LEN, known[i].name) == 0) return known[i].t;
    return T_OTHER;
}

/* Numeric text is always C-locale ('.' decimal point), whatever the
 * program's LC_NUMERIC is. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }
static locale_t get_c_locale(void) {
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* ---- Go strconv, as go-yaml v2 uses it ------------------------------------ */

/* ParseUint(s, base, 64) on text without underscores; base 0 reads the
 * 0b/0o/0x prefixes (3+ chars) or a leading 0 as octal. No sign. */
static bool go_parse_uint(const char *s, size_t n, int base, uint64_t *out) {
    if (n == 0) return false;
    if (base == 0) {
        base = 10;
        if (s[0] == '0') {
            char c = n >= 3 ? lower(s[1]) : 0;
            if (c == 'b' || c == 'o' || c == 'x') {
                base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
                s += 2, n -= 2;
            } else {
                base = 8;
                s++, n--;
            }
        }
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = lower(s[i]);
        unsigned d;
        if (is_digit(c))
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'z')
            d = (unsigned)(c - 'a' + 10);
        else
            return false;
        if (d >= (unsigned)base) return false;
        if (v > (UINT64_MAX - d) / (uint64_t)base) return false;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return true;
}

/* ParseInt(s, base, 64): optional sign, then ParseUint, then the range. */
static bool go_parse_int(const char *s, size_t n, int base, int64_t *out) {
    bool neg = false;
    uint64_t u;
    if (n == 0) return false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        s++, n--;
    }
    if (!go_parse_uint(s, n, base, &u)) return false;
    if (!neg && u > (uint64_t)INT64_MAX) return false;
    if (neg && u > (uint64_t)INT64_MAX + 1) return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

/* Go's underscoreOK: '_' only between digits (or after a base prefix). */
static bool go_underscore_ok(const char *s, size_t n) {
    char saw = '^';
    size_t i = 0;
    bool hex = false;
    if (n >= 1 && (s[0] == '-' || s[0] == '+')) s++, n--;
    if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s[1]) == 'x';
    }
    for (; i < n; i++) {
        char c = s[i];
        if (is_digit(c) || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0') return false;
            saw = '_';
            continue;
        }
        if (saw == '_') return false;
        saw = '!';
    }
    return saw != '_';
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n) {
    size_t i = 0, d;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    if (i < n && s[i] == '.') {
        i++;
        for (d = i; i < n && is_digit(s[i]); i++) {
        }
        if (i == d) return false;
    } else {
        for (d = i; i < n && is_digit(s[i]); i++) {
        }
        if (i == d) return false;
        if (i < n && s[i] == '.')
            for (i++; i < n && is_digit(s[i]); i++) {
            }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        for (d = i; i < n && is_digit(s[i]); i++) {
        }
        if (i == d) return false;
    }
    return i == n;
}

/* strtod on a grammar-checked decimal; false on overflow (Go's ErrRange
 * with +-Inf). Underflow yields 0 or a subnormal, as in Go. */
static bool parse_double(const char *s, size_t n, double *out) {
    char tmp[128];
    char *heap = NULL, *buf = tmp;
    if (n >= sizeof(tmp)) {
        if (!(heap = gh_malloc(n + 1))) return false;
        buf = heap;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    locale_t c = get_c_locale();
    double d = c ? strtod_l(buf, NULL, c) : strtod(buf, NULL);
    gh_free(heap);
    if (isinf(d)) return false;
    *out = d;
    return true;
}

/* ---- timestamps (only checked when tagged !!timestamp) --------------------- */

/* Go time.Parse getnum(s, false): one or two digits. */
static size_t getnum12(const char *s, size_t n, int *v) {
    if (n < 1 || !is_digit(s[0])) return 0;
    if (n < 2 || !is_digit(s[1])) {
        *v = s[0] - '0';
        return 1;
    }
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 2;
}

static int days_in(int month, int year) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return 29;
    return dm[month - 1];
}

/* go-yaml v2 accepts these layouts (Go reference time):
 *   2006-1-2T15:4:5.999999999Z07:00 (also with 't'), 2006-1-2 15:4:5.999999999,
 *   2006-1-2. */
static bool go_timestamp(const char *s, size_t n) {
    size_t i = 0, k;
    int year = 0, mon, day, hh, mm, ss;
    for (; i < 4; i++) {
        if (i >= n || !is_digit(s[i])) return false;
        year = year * 10 + (s[i] - '0');
    }
    if (i >= n || s[i++] != '-') return false;
    if (!(k = getnum12(s + i, n - i, &mon))) return false;
    i += k;
    if (i >= n || s[i++] != '-') return false;
    if (!(k = getnum12(s + i, n - i, &day))) return false;
    i += k;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in(mon, year)) return false;
    if (i == n) return true;
    char sep = s[i++];
    if (sep != 'T' && sep != 't' && sep != ' ') return false;
    if (!(k = getnum12(s + i, n - i, &hh))) return false;
    i += k;
    if (i >= n || s[i++] != ':') return false;
    if (!(k = getnum12(s + i, n - i, &mm))) return false;
    i += k;
    if (i >= n || s[i++] != ':') return false;
    if (!(k = getnum12(s + i, n - i, &ss))) return false;
    i += k;
    if (hh >= 24 || mm >= 60 || ss >= 60) return false;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        i++;
        for (k = 0; k < 9 && i < n && is_digit(s[i]); k++)
            i++;
    }
    if (sep == ' ') return i == n;
    if (i < n && s[i] == 'Z') return i + 1 == n;
    return n - i == 6 && (s[i] == '+' || s[i] == '-') && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
           s[i + 3] == ':' && is_digit(s[i + 4]) && is_digit(s[i + 5]);
}

/* ---- !!binary ---------------------------------------------------------------- */

static int b64_val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Go's base64.StdEncoding.DecodeString: '\r' and '\n' are skipped,
 * padding is required, bits after the last byte are ignored. */
static bool b64_decode(const char *s, size_t n, unsigned char *out, size_t *outn) {
    size_t o = 0, q = 0;
    int quad[4];
    bool ended = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') continue;
        if (ended) return false;
        if (c == '=') {
            if (q < 2) return false;
            /* "xx==" or "xxx=": the rest must be padding. */
            size_t need = 4 - q, got = 0;
            for (; i < n && got < need; i++) {
                if (s[i] == '\r' || s[i] == '\n') continue;
                if (s[i] != '=') return false;
                got++;
            }
            i--;
            if (got != need) return false;
            out[o++] = (unsigned char)(quad[0] << 2 | quad[1] >> 4);
            if (q == 3) out[o++] = (unsigned char)((quad[1] & 15) << 4 | quad[2] >> 2);
            q = 0;
            ended = true;
            continue;
        }
        int v = b64_val(c);
        if (v < 0) return false;
        quad[q++] = v;
        if (q == 4) {
            out[o++] = (unsigned char)(quad[0] << 2 | quad[1] >> 4);
            out[o++] = (unsigned char)((quad[1] & 15) << 4 | quad[2] >> 2);
            out[o++] = (unsigned char)((quad[2] & 3) << 6 | quad[3]);
            q = 0;
        }
    }
    if (q != 0) return false;
    *outn = o;
    return true;
}

/* Length of a valid UTF-8 sequence at p (as Go's utf8.DecodeRune accepts
 * it), or 0 when the byte starts no valid sequence. */
static size_t utf8_valid_len(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < len) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
}

/* Decoded bytes become a string as Go's JSON encoder writes it: each byte
 * that is not part of valid UTF-8 turns into U+FFFD. */
static val_t *binary_value(gh_arena *a, const char *s, size_t n, int *rc) {
    size_t dn = 0, cap = n / 4 * 3 + 3;
    unsigned char *dec = gh_malloc(cap);
    *rc = GH_ENOMEM;
    if (!dec) return NULL;
    if (!b64_decode(s, n, dec, &dn)) {
        gh_free(dec);
        *rc = GH_EPARSE;
        return NULL;
    }
    size_t outn = 0;
    for (size_t i = 0; i < dn;) {
        size_t l = utf8_valid_len(dec + i, dn - i);
        outn += l ? l : 3;
        i += l ? l : 1;
    }
    val_t *v = NULL;
    if (outn == dn) {
        v = val_str(a, (const char *)dec, dn);
    } else {
        char *fixed = gh_malloc(outn ? outn : 1);
        if (fixed) {
            size_t o = 0;
            for (size_t i = 0; i < dn;) {
                size_t l = utf8_valid_len(dec + i, dn - i);
                if (l) {
                    memcpy(fixed + o, dec + i, l);
                    o += l, i += l;
                } else {
                    memcpy(fixed + o, "\xEF\xBF\xBD", 3);
                    o += 3, i++;
                }
            }
            v = val_str(a, fixed, outn);
            gh_free(fixed);
        }
    }
    gh_free(dec);
    return v;
}

/* ---- resolution ---------------------------------------------------------------- */

typedef struct {
    ytag rtag; /* T_STR, T_BOOL, T_INT, T_FLOAT, T_NULL or T_TIMESTAMP */
    bool is_uint;
} resolved;

static bool word_in(const char *s, size_t n, const char *const *list) {
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(s, *list, n) == 0) return true;
    return false;
}

/* go-yaml's resolveMap: the exact spellings it knows. */
static bool resolve_map(const char *s, size_t n, resolved *out, yaml_scalar_res *r) {
    static const char *const yes[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                      "True", "TRUE", "on",  "On",  "ON",  NULL};
    static const char *const no[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                     "False", "FALSE", "off", "Off", "OFF", NULL};
    static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const nan_[] = {".nan", ".NaN", ".NAN", NULL};
    static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    if (word_in(s, n, yes) || word_in(s, n, no)) {
        out->rtag = T_BOOL;
        r->i = word_in(s, n, yes);
    } else if (word_in(s, n, nul)) {
        out->rtag = T_NULL;
    } else if (word_in(s, n, nan_)) {
        out->rtag = T_FLOAT;
        r->d = NAN;
    } else if (word_in(s, n, pinf) || word_in(s, n, ninf)) {
        out->rtag = T_FLOAT;
        r->d = word_in(s, n, ninf) ? -INFINITY : INFINITY;
    } else {
        return false;
    }
    return true;
}

/* The 'D'/'S' branch of go-yaml's resolve: ints, uints, floats, 0b. */
static bool resolve_number(const char *plain, size_t n, resolved *out, yaml_scalar_res *r) {
    if (go_parse_int(plain, n, 0, &r->i)) {
        out->rtag = T_INT;
        return true;
    }
    if (go_parse_uint(plain, n, 0, &r->u)) {
        out->rtag = T_INT;
        out->is_uint = true;
        return true;
    }
    if (yaml_style_float(plain, n) && parse_double(plain, n, &r->d)) {
        out->rtag = T_FLOAT;
        return true;
    }
    /* go-yaml's own 0b fallback: ParseInt(plain[2:], 2), which takes a sign. */
    if (n >= 2 && plain[0] == '0' && plain[1] == 'b') {
        if (go_parse_int(plain + 2, n - 2, 2, &r->i)) {
            out->rtag = T_INT;
            return true;
        }
        if (go_parse_uint(plain + 2, n - 2, 2, &r->u)) {
            out->rtag = T_INT;
            out->is_uint = true;
            return true;
        }
    } else if (n >= 3 && plain[0] == '-' && plain[1] == '0' && plain[2] == 'b') {
        /* "-" + plain[3:]: a second sign makes it fail, as in Go. */
        if (n > 3 && plain[3] != '+' && plain[3] != '-' &&
            go_parse_uint(plain + 3, n - 3, 2, &r->u) && r->u <= (uint64_t)INT64_MAX + 1) {
            r->i = (int64_t)(0 - r->u);
            out->rtag = T_INT;
            return true;
        }
    }
    return false;
}

/* go-yaml's resolve(tag, in) for a resolvable tag. */
static int resolve(ytag tag, const char *s, size_t n, resolved *out, yaml_scalar_res *r) {
    out->rtag = T_STR;
    out->is_uint = false;
    if (tag == T_STR) return 0;
    char hint = 0;
    if (n == 0)
        hint = 'N';
    else if (s[0] == '+' || s[0] == '-')
        hint = 'S';
    else if (is_digit(s[0]))
        hint = 'D';
    else if (strchr("yYnNtTfFoO~", s[0]))
        hint = 'M';
    else if (s[0] == '.')
        hint = '.';
    /* go-yaml's map also lists "<<", but no hint leads there: it stays a string */
    if (!hint) return 0;
    if (resolve_map(s, n, out, r)) return 0;
    if (hint != 'D' && hint != 'S' && hint != '.') return 0;

    if (hint == 'D' && (tag == T_NONE || tag == T_TIMESTAMP) && go_timestamp(s, n)) {
        out->rtag = T_TIMESTAMP;
        return 0;
    }
    if (hint == '.') {
        /* ParseFloat(in): underscores as Go allows them, then ".digits[e..]" */
        if (memchr(s, '_', n) && !go_underscore_ok(s, n)) return 0;
    }
    /* strip underscores ("plain" in go-yaml) */
    char tmp[128];
    char *heap = NULL, *p = tmp;
    if (n >= sizeof(tmp)) {
        if (!(heap = gh_malloc(n + 1))) return GH_ENOMEM;
        p = heap;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_') p[m++] = s[i];
    if (hint == '.') {
        if (yaml_style_float(p, m) && p[0] == '.' && parse_double(p, m, &r->d)) out->rtag = T_FLOAT;
    } else {
        (void)resolve_number(p, m, out, r);
    }
    gh_free(heap);
    return 0;
}

static int fail(char *msg, size_t msgsz, const char *fmt, ...) GH_PRINTF(3, 4);
static int fail(char *msg, size_t msgsz, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgsz, fmt, ap);
    va_end(ap);
    return GH_EPARSE;
}

/* Text for an error message: at most 64 bytes of the scalar. */
#define SHOWN(n) ((int)((n) > 64 ? 64 : (n)))

int yaml_scalar_resolve(gh_arena *a, const char *tagname, const char *s, size_t n, bool plain,
                        yaml_scalar_res *r, char *msg, size_t msgsz) {
    memset(r, 0, sizeof(*r));
    ytag tag = tag_of(tagname);
    /* go-yaml's isMerge: "<<" that is plain (implicit) or tagged !!merge. */
    r->merge = n == 2 && s[0] == '<' && s[1] == '<' && (plain || tag == T_MERGE);
    r->k = YR_STR;
    if (tag == T_NONE && !plain) {
        r->v = val_str(a, s, n);
        return r->v ? 0 : GH_ENOMEM;
    }
    if (tag == T_BINARY) {
        int rc;
        r->v = binary_value(a, s, n, &rc);
        if (!r->v && rc == GH_EPARSE)
            return fail(msg, msgsz, "!!binary value contains invalid base64 data");
        return r->v ? 0 : rc;
    }
    if (tag == T_OTHER || tag == T_MERGE) {
        r->v = val_str(a, s, n);
        return r->v ? 0 : GH_ENOMEM;
    }
    resolved res;
    int rc = resolve(tag, s, n, &res, r);
    if (rc) return rc;
    /* go-yaml's deferred check: the tag must agree with what the text is,
     * except that an int may be read as a !!float. */
    if (tag != T_NONE && tag != T_STR && tag != res.rtag) {
        if (tag == T_FLOAT && res.rtag == T_INT && !res.is_uint) {
            res.rtag = T_FLOAT;
            r->d = (double)r->i;
        } else {
            return fail(msg, msgsz, "cannot decode %s `%.*s%s` as a %s", tag_short[res.rtag],
                        SHOWN(n), s, n > 64 ? "..." : "", tag_short[tag]);
        }
    }
    switch (res.rtag) {
    case T_NULL:
        r->k = YR_NULL;
        r->v = VAL_NULLV;
        return 0;
    case T_BOOL:
        r->k = YR_BOOL;
        r->v = val_bool(r->i != 0);
        return 0;
    case T_INT:
        if (res.is_uint) {
            char buf[24];
            int len = snprintf(buf, sizeof(buf), "%" PRIu64, r->u);
            r->k = YR_UINT;
            r->v = val_num_parse(a, buf, (size_t)len, NULL);
        } else {
            r->k = YR_INT;
            r->v = val_int(a, r->i);
        }
        return r->v ? 0 : GH_ENOMEM;
    case T_FLOAT:
        r->k = YR_FLOAT;
        if (!isfinite(r->d)) return 0; /* no JSON form; a key may still use it */
        r->v = val_num_double(a, r->d);
        return r->v ? 0 : GH_ENOMEM;
    default: /* strings, and timestamps, which go-yaml keeps as text */
        r->v = val_str(a, s, n);
        return r->v ? 0 : GH_ENOMEM;
    }
}

/* ---- keys ------------------------------------------------------------------------ */

void yaml_format_float32(char *out, size_t outsz, double d) {
    float f = (float)d;
    if (isnan(f)) {
        snprintf(out, outsz, ".nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, outsz, f > 0 ? ".inf" : "-.inf");
        return;
    }
    if (f == 0) {
        snprintf(out, outsz, signbit(f) ? "-0" : "0");
        return;
    }
    /* shortest digits that read back as the same float32 */
    char e[48];
    locale_t c = get_c_locale(), old = c ? uselocale(c) : (locale_t)0;
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, (double)f);
        if (strtof(e, NULL) == f) break;
    }
    if (c) uselocale(old);
    /* e = [-]d[.ddd]e[+-]XX -> digits, decimal exponent */
    const char *p = e;
    bool neg = *p == '-';
    if (neg) p++;
    char digs[16];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (is_digit(*p)) digs[nd++] = *p;
    while (nd > 1 && digs[nd - 1] == '0')
        nd--;
    int x = atoi(p + 1); /* value = d.ddd * 10^x */
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < outsz) out[o++] = (c);                                                         \
    } while (0)
    if (neg) PUT('-');
    if (x < -4 || x >= 6) {
        /* %e with nd-1 fraction digits, exponent at least two digits */
        PUT(digs[0]);
        if (nd > 1) {
            PUT('.');
            for (int i = 1; i < nd; i++)
                PUT(digs[i]);
        }
        char tail[16];
        snprintf(tail, sizeof(tail), "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
        for (char *t = tail; *t; t++)
            PUT(*t);
    } else if (x < 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -x - 1; i++)
            PUT('0');
        for (int i = 0; i < nd; i++)
            PUT(digs[i]);
    } else {
        for (int i = 0; i <= x; i++)
            PUT(i < nd ? digs[i] : '0');
        if (nd > x + 1) {
            PUT('.');
            for (int i = x + 1; i < nd; i++)
                PUT(digs[i]);
        }
    }
#undef PUT
    out[o < outsz ? o : outsz - 1] = 0;
}

int yaml_key_string(gh_arena *a, const yaml_scalar_res *r, val_t **out, char *msg, size_t msgsz) {
    char buf[48];
    switch (r->k) {
    case YR_STR: *out = r->v; return 0;
    case YR_BOOL: *out = val_strc(a, r->i ? "true" : "false"); break;
    case YR_INT:
        snprintf(buf, sizeof(buf), "%" PRId64, r->i);
        *out = val_strc(a, buf);
        break;
    case YR_FLOAT:
        yaml_format_float32(buf, sizeof(buf), r->d);
        *out = val_strc(a, buf);
        break;
    case YR_NULL: return fail(msg, msgsz, "unsupported map key: null cannot be a JSON object key");
    case YR_UINT:
        return fail(msg, msgsz,
                    "unsupported map key: %" PRIu64 " (beyond int64) cannot be a JSON object key",
                    r->u);
    default:
        return fail(msg, msgsz,
                    "invalid map key: a mapping or sequence cannot be a JSON "
                    "object key");
    }
    return *out ? 0 : GH_ENOMEM;
}
