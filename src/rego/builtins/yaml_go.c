/* yaml_go.c - yaml.marshal output as OPA produces it. OPA encodes the value
 * as JSON, then sigs.k8s.io/yaml parses that JSON with go-yaml v2 and prints
 * it again with go-yaml's emitter (a port of libyaml's). We reproduce the
 * result directly from the value: the JSON round trip's effects on strings
 * and numbers, go-yaml's natural key order, its quoting rules (quote what
 * would resolve to another type), and the emitter's styles, indentation and
 * folding at 80 columns. Reading YAML is in yaml_doc.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rego/builtins/encoding_int.h"
#include "rego/builtins/strutil.h"

/* ---- strings after the JSON round trip ------------------------------------------ */

static bool is_nel(const char *s, size_t n, size_t i) {
    return i + 1 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0x85;
}

/* The string go-yaml sees: invalid UTF-8 became U+FFFD in Go's JSON output,
 * and raw NEL line breaks inside the JSON string are folded by the YAML
 * scanner (one break -> space, k breaks -> k-1 newlines, blanks around them
 * dropped). *bad is set for characters the YAML reader refuses. */
static const char *prep_str(gh_arena *a, const char *s, size_t n, size_t *outn, bool *bad,
                            bool *nel) {
    bool plain = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0x7F) *bad = true;
        if (ch < 0x80) continue;
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if ((r == RB_RUNE_ERROR && w == 1) || r == 0x85) plain = false;
        if (r == 0x85) *nel = true;
        if ((r >= 0x80 && r <= 0x9F && r != 0x85) || r == 0xFFFE || r == 0xFFFF) *bad = true;
        i += (size_t)w - 1;
    }
    if (plain) {
        *outn = n;
        return s;
    }
    rb_sb b;
    rb_sb_init(&b, a, n + 8);
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ' || is_nel(s, n, i)) {
            size_t j = i, nels = 0;
            while (j < n && (s[j] == ' ' || is_nel(s, n, j))) {
                if (s[j] == ' ')
                    j++;
                else {
                    nels++;
                    j += 2;
                }
            }
            if (!nels)
                rb_sb_put(&b, s + i, j - i);
            else if (nels == 1)
                rb_sb_putc(&b, ' ');
            else
                rb_sb_fill(&b, '\n', nels - 1);
            i = j;
            continue;
        }
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (r == RB_RUNE_ERROR && w == 1)
            rb_sb_puts(&b, "\xEF\xBF\xBD");
        else
            rb_sb_put(&b, s + i, (size_t)w);
        i += (size_t)w;
    }
    if (b.oom) return NULL;
    *outn = b.len;
    return b.p ? b.p : "";
}

/* ---- go-yaml's scalar resolution (to decide what needs quotes) ----------------- */

static bool all_digits(const char *s, size_t n, bool (*ok)(char)) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i])) return false;
    return true;
}
static bool dec_ok(char c) { return c >= '0' && c <= '9'; }
static bool hex_ok(char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
static bool oct_ok(char c) { return c >= '0' && c <= '7'; }
static bool bin_ok(char c) { return c == '0' || c == '1'; }

/* Would strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeed?
 * (Base prefixes 0x, 0o, 0b, a leading 0 for octal; underscores are
 * already removed by the caller.) */
static bool go_int_ok(const char *s, size_t n) {
    size_t i = 0;
    bool neg = false, sign = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        sign = true;
        i++;
    }
    const char *d = s + i;
    size_t m = n - i;
    unsigned base = 10;
    bool (*ok)(char) = dec_ok;
    if (m >= 2 && d[0] == '0' && (d[1] | 0x20) == 'x')
        base = 16, ok = hex_ok, d += 2, m -= 2;
    else if (m >= 2 && d[0] == '0' && (d[1] | 0x20) == 'b')
        base = 2, ok = bin_ok, d += 2, m -= 2;
    else if (m >= 2 && d[0] == '0' && (d[1] | 0x20) == 'o')
        base = 8, ok = oct_ok, d += 2, m -= 2;
    else if (m >= 2 && d[0] == '0')
        base = 8, ok = oct_ok, d += 1, m -= 1;
    if (!all_digits(d, m, ok)) return false;
    uint64_t mag = 0;
    for (size_t k = 0; k < m; k++) {
        unsigned dv = d[k] <= '9' ? (unsigned)(d[k] - '0') : (unsigned)((d[k] | 0x20) - 'a' + 10);
        if (mag > (UINT64_MAX - dv) / base) return false; /* beyond uint64: both fail */
        mag = mag * base + dv;
    }
    if (neg) return mag <= (uint64_t)1 << 63;
    return mag <= (uint64_t)INT64_MAX || !sign;
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_float_syntax(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i < n && s[i] == '.') {
        size_t j = ++i;
        while (i < n && dec_ok(s[i]))
            i++;
        if (i == j) return false;
    } else {
        size_t j = i;
        while (i < n && dec_ok(s[i]))
            i++;
        if (i == j) return false;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && dec_ok(s[i]))
                i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t j = i;
        while (i < n && dec_ok(s[i]))
            i++;
        if (i == j) return false;
    }
    return i == n;
}

/* strconv.ParseFloat would succeed: the syntax (decimal, hex floats, inf,
 * nan, underscores only in prefixed forms) and no overflow to infinity. */
static bool go_parse_float_ok(const char *s, size_t n) {
    if (!n || n > 400) return false;
    char buf[402];
    memcpy(buf, s, n);
    buf[n] = 0;
    const char *p = buf;
    if (*p == '+' || *p == '-') p++;
    if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity") || !strcasecmp(p, "nan")) return true;
    if (!yaml_float_syntax(buf, n)) return false; /* hex floats never reach here as plain */
    double d = strtod(buf, NULL);
    return isfinite(d);
}

static bool go_is_digit(int32_t r) { return r >= '0' && r <= '9'; }

/* unicode.IsLetter, exact for ASCII and cased scripts, approximate for the
 * main caseless scripts. Only key ordering depends on it. */
static bool go_is_letter(int32_t r) {
    if (r < 0x80) return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
    if (rb_rune_upper(r) != r || rb_rune_lower(r) != r) return true;
    static const int32_t ranges[][2] = {
        {0xAA, 0xAA},     {0xBA, 0xBA},     {0xDF, 0xDF},       {0x138, 0x138},   {0x1BB, 0x1BB},
        {0x1C0, 0x1C3},   {0x294, 0x2AF},   {0x2B0, 0x2C1},     {0x5D0, 0x5EA},   {0x620, 0x64A},
        {0x671, 0x6D3},   {0x904, 0x939},   {0x985, 0x9B9},     {0xE01, 0xE30},   {0x10D0, 0x10FA},
        {0x1100, 0x11FF}, {0x3041, 0x3096}, {0x30A1, 0x30FA},   {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
        {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (r >= ranges[i][0] && r <= ranges[i][1]) return true;
    return false;
}

static bool in_list(const char *s, size_t n, const char *const *list) {
    for (; *list; list++)
        if (strlen(*list) == n && !memcmp(*list, s, n)) return true;
    return false;
}

/* "YYYY-" start, then one of go-yaml's timestamp layouts. */
static bool go_timestamp(const char *s, size_t n);

/* Would go-yaml resolve the plain scalar s to something other than a
 * string? (Then yaml.marshal double-quotes it.) Also true for base 60
 * floats, which go-yaml quotes for other parsers' sake. */
static bool resolves_non_string(const char *s, size_t n) {
    static const char *const specials[] = {
        "y",    "Y",    "yes",  "Yes",   "YES",   "true",  "True",  "TRUE",  "on",    "On",
        "ON",   "n",    "N",    "no",    "No",    "NO",    "false", "False", "FALSE", "off",
        "Off",  "OFF",  "",     "~",     "null",  "Null",  "NULL",  ".nan",  ".NaN",  ".NAN",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL};
    if (!n) return true;
    char h = s[0];
    bool hint =
        (h >= '0' && h <= '9') || h == '+' || h == '-' || h == '.' || strchr("yYnNtTfFoO~", h);
    if (hint && in_list(s, n, specials)) return true;
    if (h == '.') return go_parse_float_ok(s, n);
    if ((h >= '0' && h <= '9') || h == '+' || h == '-') {
        if (go_timestamp(s, n)) return true;
        char plain[128];
        size_t m = 0;
        for (size_t i = 0; i < n && m < sizeof plain; i++)
            if (s[i] != '_') plain[m++] = s[i];
        if (m < sizeof plain) {
            if (go_int_ok(plain, m)) return true;
            if (yaml_float_syntax(plain, m) && go_parse_float_ok(plain, m)) return true;
            if (m > 2 && plain[0] == '0' && plain[1] == 'b' && all_digits(plain + 2, m - 2, bin_ok))
                return true;
            if (m > 3 && !memcmp(plain, "-0b", 3) && all_digits(plain + 3, m - 3, bin_ok))
                return true;
        } else if (yaml_float_syntax(s, n) && go_parse_float_ok(s, n)) {
            return true;
        }
    }
    /* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
    if (memchr(s, ':', n) && ((h >= '0' && h <= '9') || h == '+' || h == '-')) {
        size_t i = (h == '+' || h == '-') ? 1 : 0;
        if (i < n && dec_ok(s[i])) {
            while (i < n && (dec_ok(s[i]) || s[i] == '_'))
                i++;
            size_t groups = 0;
            while (i < n && s[i] == ':') {
                i++;
                if (i + 1 < n && s[i] >= '0' && s[i] <= '5' && dec_ok(s[i + 1]))
                    i += 2;
                else if (i < n && dec_ok(s[i]))
                    i++;
                else
                    return false;
                groups++;
            }
            if (groups && i < n && s[i] == '.') {
                i++;
                while (i < n && (dec_ok(s[i]) || s[i] == '_'))
                    i++;
            }
            if (groups && i == n) return true;
        }
    }
    return false;
}

/* Go time.Parse with the layouts "2006-1-2T15:4:5.999999999Z07:00" (also
 * with 't'), "2006-1-2 15:4:5.999999999" and "2006-1-2". */
static int num12(const char *s, size_t n, size_t *i) {
    if (*i >= n || !dec_ok(s[*i])) return -1;
    int v = s[(*i)++] - '0';
    if (*i < n && dec_ok(s[*i])) v = v * 10 + (s[(*i)++] - '0');
    return v;
}

static bool go_timestamp(const char *s, size_t n) {
    if (n < 5 || !all_digits(s, 4, dec_ok) || s[4] != '-') return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    size_t i = 5;
    int mon = num12(s, n, &i);
    if (mon < 1 || mon > 12 || i >= n || s[i] != '-') return false;
    i++;
    int day = num12(s, n, &i);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = mdays[mon - 1] + (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
    if (day < 1 || day > dim) return false;
    if (i == n) return true;
    char sep = s[i];
    if (sep != 'T' && sep != 't' && sep != ' ') return false;
    i++;
    int hh = num12(s, n, &i);
    if (hh < 0 || hh > 23 || i >= n || s[i] != ':') return false;
    i++;
    int mm = num12(s, n, &i);
    if (mm < 0 || mm > 59 || i >= n || s[i] != ':') return false;
    i++;
    int ss = num12(s, n, &i);
    if (ss < 0 || ss > 59) return false;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && dec_ok(s[i + 1])) {
        i++;
        while (i < n && dec_ok(s[i]))
            i++;
    }
    if (sep == ' ') return i == n;
    if (i < n && s[i] == 'Z') return i + 1 == n;
    if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':') return false;
    /* Go 1.21 does not range-check the offset */
    return dec_ok(s[i + 1]) && dec_ok(s[i + 2]) && dec_ok(s[i + 4]) && dec_ok(s[i + 5]);
}

/* ---- go-yaml's natural key order (keyList.Less) -------------------------------- */

static bool key_less(const char *a, size_t an, const char *b, size_t bn) {
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        int wa, wb;
        int32_t ra = rb_u8_decode(a + i, an - i, &wa), rb = rb_u8_decode(b + j, bn - j, &wb);
        if (ra == rb) {
            i += (size_t)wa;
            j += (size_t)wb;
            continue;
        }
        bool al = go_is_letter(ra), bl = go_is_letter(rb);
        if (al && bl) return ra < rb;
        if (al || bl) return bl;
        int64_t av = 0, bv = 0;
        if (ra == '0' || rb == '0') {
            /* a run of digits before this point that is not all zeros
             * makes both numbers start at 1 (go-yaml's quirk) */
            for (size_t k = i; k > 0;) {
                int w;
                int32_t r = rb_u8_decode_last(a, k, &w);
                if (!go_is_digit(r)) break;
                if (r != '0') {
                    av = bv = 1;
                    break;
                }
                k -= (size_t)w;
            }
        }
        size_t ai = i, bi = j;
        /* int64 arithmetic that wraps, as Go's does */
        while (ai < an && go_is_digit((unsigned char)a[ai]))
            av = (int64_t)((uint64_t)av * 10 + (uint64_t)(a[ai++] - '0'));
        while (bi < bn && go_is_digit((unsigned char)b[bi]))
            bv = (int64_t)((uint64_t)bv * 10 + (uint64_t)(b[bi++] - '0'));
        if (av != bv) return av < bv;
        if (ai - i != bi - j) return ai - i < bi - j;
        return ra < rb;
    }
    /* go compares rune counts */
    return rb_u8_count(a, an) < rb_u8_count(b, bn);
}

/* ---- the emitter ------------------------------------------------------------------ */

enum { ST_PLAIN, ST_SINGLE, ST_DOUBLE, ST_LITERAL };
#define BEST_INDENT 2
#define BEST_WIDTH 80

typedef struct ye {
    rb_sb *o;
    gh_arena *a;
    int indent, column, flow_level;
    bool whitespace, indention;
    bool root_ctx, seq_ctx, map_ctx, simple_key_ctx;
    bool bad; /* a character the YAML reader refuses */
    bool nel; /* some string holds a raw NEL (see nel_problem) */
    int depth;
} ye;

typedef struct scal {
    const char *s;
    size_t n;
    bool multiline, flow_plain, block_plain, single_ok, block_ok;
} scal;

static void put(ye *e, char ch) {
    rb_sb_putc(e->o, ch);
    e->column++;
}
static void put_break(ye *e) {
    rb_sb_putc(e->o, '\n');
    e->column = 0;
}
static int u8w(unsigned char ch) { return ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4; }
/* Copy one character at s[*i]. */
static void write_ch(ye *e, const char *s, size_t *i) {
    int w = u8w((unsigned char)s[*i]);
    rb_sb_put(e->o, s + *i, (size_t)w);
    *i += (size_t)w;
    e->column++;
}
static void write_indent(ye *e) {
    int ind = e->indent >= 0 ? e->indent : 0;
    if (!e->indention || e->column > ind || (e->column == ind && !e->whitespace)) put_break(e);
    while (e->column < ind)
        put(e, ' ');
    e->whitespace = true;
    e->indention = true;
}
static void write_indicator(ye *e, const char *ind, bool need_ws, bool is_ws, bool is_indention) {
    if (need_ws && !e->whitespace) put(e, ' ');
    for (size_t i = 0; ind[i];)
        write_ch(e, ind, &i);
    e->whitespace = is_ws;
    e->indention = e->indention && is_indention;
}

static bool is_break_at(const char *s, size_t n, size_t i) {
    if (i >= n) return false;
    unsigned char c = (unsigned char)s[i];
    if (c == '\r' || c == '\n') return true;
    if (c == 0xC2) return i + 1 < n && (unsigned char)s[i + 1] == 0x85;
    if (c == 0xE2)
        return i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
               ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9);
    return false;
}
static bool is_space_at(const char *s, size_t n, size_t i) { return i < n && s[i] == ' '; }
static bool is_blank_at(const char *s, size_t n, size_t i) {
    return i < n && (s[i] == ' ' || s[i] == '\t');
}
static bool is_blankz_at(const char *s, size_t n, size_t i) {
    return i >= n || is_blank_at(s, n, i) || is_break_at(s, n, i) || s[i] == 0;
}
/* libyaml's is_printable on the UTF-8 bytes. */
static bool is_printable_at(const char *str, size_t n, size_t i) {
    const unsigned char *b = (const unsigned char *)str;
    unsigned char c = b[i], c1 = i + 1 < n ? b[i + 1] : 0, c2 = i + 2 < n ? b[i + 2] : 0;
    return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) ||
           (c > 0xC2 && c < 0xED) || (c == 0xED && c1 < 0xA0) || c == 0xEE ||
           (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) &&
            !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}

static void analyze(scal *sc) {
    const char *v = sc->s;
    size_t n = sc->n;
    if (!n) {
        sc->multiline = false;
        sc->flow_plain = false;
        sc->block_plain = true;
        sc->single_ok = true;
        sc->block_ok = false;
        return;
    }
    bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
    bool leading_space = false, leading_break = false, trailing_space = false,
         trailing_break = false, break_space = false, space_break = false;
    bool preceded_ws = true, prev_space = false, prev_break = false;
    if (n >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') ||
                   (v[0] == '.' && v[1] == '.' && v[2] == '.'))) {
        block_ind = flow_ind = true;
    }
    for (size_t i = 0, w; i < n; i += w) {
        w = (size_t)u8w((unsigned char)v[i]);
        bool followed_ws = i + w >= n || is_blank_at(v, n, i + w);
        char ch = v[i];
        if (i == 0) {
            if (strchr("#,[]{}&*!|>'\"%@`", ch) && ch) {
                flow_ind = block_ind = true;
            } else if (ch == '?' || ch == ':') {
                flow_ind = true;
                if (followed_ws) block_ind = true;
            } else if (ch == '-' && followed_ws) {
                flow_ind = block_ind = true;
            }
        } else {
            if (ch && strchr(",?[]{}", ch)) {
                flow_ind = true;
            } else if (ch == ':') {
                flow_ind = true;
                if (followed_ws) block_ind = true;
            } else if (ch == '#' && preceded_ws) {
                flow_ind = block_ind = true;
            }
        }
        if (!is_printable_at(v, n, i)) special = true;
        if (is_space_at(v, n, i)) {
            if (i == 0) leading_space = true;
            if (i + w == n) trailing_space = true;
            if (prev_break) break_space = true;
            prev_space = true;
            prev_break = false;
        } else if (is_break_at(v, n, i)) {
            line_breaks = true;
            if (i == 0) leading_break = true;
            if (i + w == n) trailing_break = true;
            if (prev_space) space_break = true;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = prev_break = false;
        }
        preceded_ws = is_blankz_at(v, n, i);
    }
    sc->multiline = line_breaks;
    sc->flow_plain = sc->block_plain = sc->single_ok = sc->block_ok = true;
    if (leading_space || leading_break || trailing_space || trailing_break)
        sc->flow_plain = sc->block_plain = false;
    if (trailing_space) sc->block_ok = false;
    if (break_space) sc->flow_plain = sc->block_plain = sc->single_ok = false;
    if (space_break || special)
        sc->flow_plain = sc->block_plain = sc->single_ok = sc->block_ok = false;
    if (line_breaks) sc->flow_plain = sc->block_plain = false;
    if (flow_ind) sc->flow_plain = false;
    if (block_ind) sc->block_plain = false;
}

static void write_break_ch(ye *e, const char *s, size_t *i) {
    if (s[*i] == '\n') {
        put_break(e);
        (*i)++;
    } else {
        write_ch(e, s, i);
        e->column = 0;
    }
}

static void write_plain(ye *e, const char *v, size_t n, bool allow_breaks) {
    if (!e->whitespace) put(e, ' ');
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < n;) {
        if (is_space_at(v, n, i)) {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && !is_space_at(v, n, i + 1)) {
                write_indent(e);
                i++;
            } else {
                write_ch(e, v, &i);
            }
            spaces = true;
        } else if (is_break_at(v, n, i)) {
            if (!breaks && v[i] == '\n') put_break(e);
            write_break_ch(e, v, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks) write_indent(e);
            write_ch(e, v, &i);
            e->indention = false;
            spaces = breaks = false;
        }
    }
    e->whitespace = false;
    e->indention = false;
}

static void write_single(ye *e, const char *v, size_t n, bool allow_breaks) {
    write_indicator(e, "'", true, false, false);
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < n;) {
        if (is_space_at(v, n, i)) {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 && i < n - 1 &&
                !is_space_at(v, n, i + 1)) {
                write_indent(e);
                i++;
            } else {
                write_ch(e, v, &i);
            }
            spaces = true;
        } else if (is_break_at(v, n, i)) {
            if (!breaks && v[i] == '\n') put_break(e);
            write_break_ch(e, v, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks) write_indent(e);
            if (v[i] == '\'') put(e, '\'');
            write_ch(e, v, &i);
            e->indention = false;
            spaces = breaks = false;
        }
    }
    write_indicator(e, "'", false, false, false);
    e->whitespace = false;
    e->indention = false;
}

static void write_double(ye *e, const char *v, size_t n, bool allow_breaks) {
    static const char hx[] = "0123456789ABCDEF";
    /* go-yaml's is_bom looks at the start of the value whatever i is */
    bool bom = n >= 3 && (unsigned char)v[0] == 0xEF && (unsigned char)v[1] == 0xBB &&
               (unsigned char)v[2] == 0xBF;
    bool spaces = false;
    write_indicator(e, "\"", true, false, false);
    for (size_t i = 0; i < n;) {
        if (!is_printable_at(v, n, i) || bom || is_break_at(v, n, i) || v[i] == '"' ||
            v[i] == '\\') {
            int w;
            int32_t r = rb_u8_decode(v + i, n - i, &w);
            i += (size_t)w;
            put(e, '\\');
            char esc = 0;
            switch (r) {
            case 0x00: esc = '0'; break;
            case 0x07: esc = 'a'; break;
            case 0x08: esc = 'b'; break;
            case 0x09: esc = 't'; break;
            case 0x0A: esc = 'n'; break;
            case 0x0B: esc = 'v'; break;
            case 0x0C: esc = 'f'; break;
            case 0x0D: esc = 'r'; break;
            case 0x1B: esc = 'e'; break;
            case 0x22: esc = '"'; break;
            case 0x5C: esc = '\\'; break;
            case 0x85: esc = 'N'; break;
            case 0xA0: esc = '_'; break;
            case 0x2028: esc = 'L'; break;
            case 0x2029: esc = 'P'; break;
            }
            if (esc) {
                put(e, esc);
            } else {
                int digits = r <= 0xFF ? 2 : r <= 0xFFFF ? 4 : 8;
                put(e, r <= 0xFF ? 'x' : r <= 0xFFFF ? 'u' : 'U');
                for (int k = (digits - 1) * 4; k >= 0; k -= 4)
                    put(e, hx[(r >> k) & 15]);
            }
            spaces = false;
        } else if (is_space_at(v, n, i)) {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i != 0 && i != n - 1) {
                write_indent(e);
                if (is_space_at(v, n, i + 1)) put(e, '\\');
                i++;
            } else {
                write_ch(e, v, &i);
            }
            spaces = true;
        } else {
            write_ch(e, v, &i);
            spaces = false;
        }
    }
    write_indicator(e, "\"", false, false, false);
    e->whitespace = false;
    e->indention = false;
}

static void write_literal(ye *e, const char *v, size_t n) {
    write_indicator(e, "|", true, false, false);
    if (n && (is_space_at(v, n, 0) || is_break_at(v, n, 0))) {
        char hint[2] = {(char)('0' + BEST_INDENT), 0};
        write_indicator(e, hint, false, false, false);
    }
    const char *chomp = NULL;
    if (!n) {
        chomp = "-";
    } else {
        size_t i = n - 1;
        while (i > 0 && ((unsigned char)v[i] & 0xC0) == 0x80)
            i--;
        if (!is_break_at(v, n, i)) {
            chomp = "-";
        } else if (i == 0) {
            chomp = "+";
        } else {
            i--;
            while (i > 0 && ((unsigned char)v[i] & 0xC0) == 0x80)
                i--;
            if (is_break_at(v, n, i)) chomp = "+";
        }
    }
    if (chomp) write_indicator(e, chomp, false, false, false);
    put_break(e);
    e->indention = true;
    e->whitespace = true;
    bool breaks = true;
    for (size_t i = 0; i < n;) {
        if (is_break_at(v, n, i)) {
            write_break_ch(e, v, &i);
            e->indention = true;
            breaks = true;
        } else {
            if (breaks) write_indent(e);
            write_ch(e, v, &i);
            e->indention = false;
            breaks = false;
        }
    }
}

/* Emit one scalar with the style go-yaml would request (plain, or double
 * quotes when plain would read back as another type, or literal for text
 * with newlines), adjusted as the emitter adjusts it. */
static void emit_scalar(ye *e, const char *v, size_t n, int requested) {
    scal sc = {.s = v, .n = n};
    analyze(&sc);
    int style = requested;
    if (e->simple_key_ctx && sc.multiline) style = ST_DOUBLE;
    if (style == ST_PLAIN) {
        if ((e->flow_level > 0 && !sc.flow_plain) || (e->flow_level == 0 && !sc.block_plain))
            style = ST_SINGLE;
        if (!n && (e->flow_level > 0 || e->simple_key_ctx)) style = ST_SINGLE;
    }
    if (style == ST_SINGLE && !sc.single_ok) style = ST_DOUBLE;
    if (style == ST_LITERAL && (!sc.block_ok || e->flow_level > 0 || e->simple_key_ctx))
        style = ST_DOUBLE;
    int saved = e->indent;
    e->indent = e->indent < 0 ? BEST_INDENT : e->indent + BEST_INDENT;
    bool allow = !e->simple_key_ctx;
    switch (style) {
    case ST_PLAIN: write_plain(e, v, n, allow); break;
    case ST_SINGLE: write_single(e, v, n, allow); break;
    case ST_DOUBLE: write_double(e, v, n, allow); break;
    default: write_literal(e, v, n); break;
    }
    e->indent = saved;
}

static void emit_string(ye *e, const char *s, size_t n) {
    size_t m;
    const char *v = prep_str(e->a, s, n, &m, &e->bad, &e->nel);
    if (!v) {
        e->o->oom = 1;
        return;
    }
    int style = memchr(v, '\n', m) ? ST_LITERAL : resolves_non_string(v, m) ? ST_DOUBLE : ST_PLAIN;
    emit_scalar(e, v, m, style);
}

/* FormatFloat(d, 'g', -1, 64) as yaml.v2 prints floats: the shortest
 * digits that read back as d; exponent form when exp < -4 or exp >= 6. */
static void go_float_g(double d, char *out, size_t outsz) {
    if (d == 0) {
        snprintf(out, outsz, "%s", signbit(d) ? "-0" : "0");
        return;
    }
    char digits[GH_FLOAT_DIGITS];
    int exp;
    size_t nd = (size_t)gh_float_digits(d, digits, &exp);
    bool neg = signbit(d);
    size_t o = 0;
    if (neg) out[o++] = '-';
    if (exp < -4 || exp >= 6) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(out + o, outsz - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int k = -1; k > exp; k--)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
    } else {
        for (int k = 0; k <= exp; k++)
            out[o++] = (size_t)k < nd ? digits[k] : '0';
        if ((size_t)exp + 1 < nd) {
            out[o++] = '.';
            memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        }
    }
    out[o] = 0;
}

/* A JSON number as go-yaml reads it back from the JSON text and prints it:
 * int64, else uint64, else float64 ('g' format); a float literal that
 * overflows stays the string go-yaml made of it. */
static void emit_number(ye *e, const val_t *v) {
    char *t = val_to_json(e->a, v, 0);
    if (!t) {
        e->o->oom = 1;
        return;
    }
    size_t n = strlen(t);
    bool integer = !strpbrk(t, ".eE");
    if (integer) {
        {
            errno = 0;
            if (t[0] == '-') {
                long long ll = strtoll(t, NULL, 10);
                if (errno != ERANGE) {
                    char b[24];
                    snprintf(b, sizeof b, "%lld", ll);
                    emit_scalar(e, b, strlen(b), ST_PLAIN);
                    return;
                }
            } else {
                unsigned long long ull = strtoull(t, NULL, 10);
                if (errno != ERANGE) {
                    char b[24];
                    snprintf(b, sizeof b, "%llu", ull);
                    emit_scalar(e, b, strlen(b), ST_PLAIN);
                    return;
                }
            }
        }
    }
    double d = strtod(t, NULL);
    if (!isfinite(d)) { /* ParseFloat failed: go-yaml kept the text as a string */
        emit_scalar(e, t, n, ST_PLAIN);
        return;
    }
    char b[64];
    go_float_g(d, b, sizeof b);
    emit_scalar(e, b, strlen(b), ST_PLAIN);
}

typedef struct ykey {
    const char *s;
    size_t n;
    const val_t *v;
} ykey;

static int ykey_cmp(const void *x, const void *y) {
    const ykey *a = x, *b = y;
    if (key_less(a->s, a->n, b->s, b->n)) return -1;
    if (key_less(b->s, b->n, a->s, a->n)) return 1;
    return 0;
}

static void emit_node(ye *e, const val_t *v, bool root, bool seq, bool map, bool simple);

static void emit_key_value(ye *e, const ykey *k) {
    write_indent(e);
    scal sc = {.s = k->s, .n = k->n};
    analyze(&sc);
    if (!sc.multiline && k->n <= 128) {
        e->root_ctx = e->seq_ctx = false;
        e->map_ctx = e->simple_key_ctx = true;
        emit_string(e, k->s, k->n);
        write_indicator(e, ":", false, false, false);
    } else {
        write_indicator(e, "?", true, false, true);
        e->root_ctx = e->seq_ctx = e->simple_key_ctx = false;
        e->map_ctx = true;
        emit_string(e, k->s, k->n);
        write_indent(e);
        write_indicator(e, ":", true, false, true);
    }
    emit_node(e, k->v, false, false, true, false);
}

static void emit_node(ye *e, const val_t *v, bool root, bool seq, bool map, bool simple) {
    if (e->o->oom) return;
    e->root_ctx = root;
    e->seq_ctx = seq;
    e->map_ctx = map;
    e->simple_key_ctx = simple;
    switch (val_kind_of(v)) {
    case VAL_NULL: emit_scalar(e, "null", 4, ST_PLAIN); return;
    case VAL_BOOL:
        if (v->u.b)
            emit_scalar(e, "true", 4, ST_PLAIN);
        else
            emit_scalar(e, "false", 5, ST_PLAIN);
        return;
    case VAL_NUMBER: emit_number(e, v); return;
    case VAL_STRING: emit_string(e, val_str_ptr(v), val_str_len(v)); return;
    default: break;
    }
    bool is_obj = val_kind_of(v) == VAL_OBJECT;
    size_t n = is_obj                      ? val_obj_len(v)
               : val_kind_of(v) == VAL_SET ? val_set_len(v)
                                           : val_arr_len(v);
    if (!n) {
        write_indicator(e, is_obj ? "{" : "[", true, true, false);
        write_indicator(e, is_obj ? "}" : "]", false, false, false);
        return;
    }
    int saved = e->indent;
    if (!is_obj) {
        bool indentless = e->map_ctx && !e->indention;
        e->indent = e->indent < 0 ? 0 : indentless ? e->indent : e->indent + BEST_INDENT;
        uint32_t *ord = NULL;
        if (val_kind_of(v) == VAL_SET && !(ord = val_sorted_order(e->a, v))) {
            e->o->oom = 1;
            return;
        }
        for (size_t i = 0; i < n && !e->o->oom; i++) {
            write_indent(e);
            write_indicator(e, "-", true, false, true);
            emit_node(e, ord ? val_set_at(v, ord[i]) : val_arr_at(v, i), false, true, false, false);
        }
        e->indent = saved;
        return;
    }
    e->indent = e->indent < 0 ? 0 : e->indent + BEST_INDENT;
    ykey *keys = gh_arena_alloc(e->a, n * sizeof *keys);
    if (!keys) {
        e->o->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const val_t *k = val_obj_key_at(v, i);
        const char *ks;
        size_t kn;
        if (val_is_str(k)) {
            ks = val_str_ptr(k);
            kn = val_str_len(k);
        } else {
            char *t = val_to_json(e->a, k, VAL_JSON_SORTED);
            if (!t) {
                e->o->oom = 1;
                return;
            }
            ks = t;
            kn = strlen(t);
        }
        keys[i].s = prep_str(e->a, ks, kn, &keys[i].n, &e->bad, &e->nel);
        if (!keys[i].s) {
            e->o->oom = 1;
            return;
        }
        keys[i].v = val_obj_val_at(v, i);
    }
    qsort(keys, n, sizeof *keys, ykey_cmp);
    for (size_t i = 0; i < n && !e->o->oom; i++)
        emit_key_value(e, &keys[i]);
    e->indent = saved;
}

/* Raw NEL characters (U+0085) survive Go's JSON encoding and are line
 * breaks to go-yaml, which can then fail to read the JSON back: a key
 * holding one no longer fits the one-line rule of flow mapping keys (a
 * parser error at the ':' after it), and "---" or "..." right after one
 * is a document indicator (a scanner error). Scans the JSON text the way
 * go-yaml meets these problems and writes the first one's message into m;
 * returns false when there is none. */
static bool nel_problem(const char *j, rb_sb *m) {
    long lines = 0;
    bool in = false, nel = false;
    for (size_t i = 0; j[i]; i++) {
        unsigned char ch = (unsigned char)j[i];
        if (!in) {
            if (ch == '"') {
                in = true;
                nel = false;
            }
            continue;
        }
        if (ch == '\\') {
            i++;
        } else if (ch == '"') {
            in = false;
            if (nel && j[i + 1] == ':') {
                if (lines)
                    rb_sb_printf(m, "yaml: line %ld: ", lines);
                else
                    rb_sb_puts(m, "yaml: ");
                rb_sb_puts(m, "did not find expected ',' or '}'");
                return true;
            }
        } else if (ch == 0xC2 && (unsigned char)j[i + 1] == 0x85) {
            lines++;
            nel = true;
            i++;
            const char *t = j + i + 1;
            if ((!strncmp(t, "---", 3) || !strncmp(t, "...", 3)) &&
                (t[3] == ' ' || ((unsigned char)t[3] == 0xC2 && (unsigned char)t[4] == 0x85))) {
                rb_sb_printf(m, "yaml: line %ld: found unexpected document indicator", lines + 1);
                return true;
            }
        }
    }
    return false;
}

int rb_yaml_marshal(rego_bctx *c, const val_t *v, val_t **out) {
    rb_sb o;
    rb_sb_init(&o, c->a, 64);
    ye e = {.o = &o, .a = c->a, .indent = -1, .whitespace = true, .indention = true};
    emit_node(&e, v, true, false, false, false);
    write_indent(&e);
    if (o.oom) return rb_oom(c);
    if (e.bad) return rb_err(c, "yaml: control characters are not allowed");
    if (e.nel) {
        char *j = val_to_json(c->a, v, VAL_JSON_SORTED);
        rb_sb m;
        rb_sb_init(&m, c->a, 64);
        if (!j) return rb_oom(c);
        if (nel_problem(j, &m)) return m.oom ? rb_oom(c) : rb_err(c, "%.*s", (int)m.len, m.p);
    }
    *out = rb_sb_finish(&o);
    return *out ? RB_OK : rb_oom(c);
}
