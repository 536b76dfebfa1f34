/* parse_toml.c - TOML 1.0 documents into values (objects, arrays, strings,
 * numbers, booleans; date-times keep their RFC 3339 text with a 'T'
 * separator, as conftest's JSON shows them). Called by `gatehouse check` /
 * `gatehouse parse`. Recursive descent over one buffer; nesting is bounded
 * by GH_MAX_DEPTH; tables defined by a header or inline are tracked so
 * redefinitions are errors with line:col. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "base/limits.h"
#include "policy/policy.h"

typedef struct tp {
    gh_arena *a;
    const char *s, *end, *p;
    const char *file;
    gh_err *e;
    int line;
    const char *line_start;
    int depth;
    /* tables that may not be reopened/extended: defined by a [header],
     * inline tables and static arrays */
    const val_t **closed;
    size_t nclosed, capclosed;
    const val_t **headers; /* tables defined by [header] */
    size_t nheaders, capheaders;
} tp;

static int perr(tp *t, const char *msg) {
    return gh_err_set(t->e, GH_EPARSE, t->file, t->line, (int)(t->p - t->line_start) + 1, "%s",
                      msg);
}
static int poom(tp *t) { return gh_err_set(t->e, GH_ENOMEM, t->file, t->line, 1, "out of memory"); }

static int track(tp *t, const val_t ***v, size_t *n, size_t *cap, const val_t *x) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const val_t **nv = gh_arena_realloc(t->a, (void *)*v, *cap * sizeof **v, nc * sizeof **v);
        if (!nv) return GH_ENOMEM;
        *v = nv, *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}
static bool in(const val_t *const *v, size_t n, const val_t *x) {
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

static void skip_ws(tp *t) {
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
        t->p++;
}
static void newline(tp *t) {
    t->line++;
    t->line_start = t->p;
}
/* whitespace, comments and newlines (inside arrays) */
static int skip_all(tp *t) {
    for (;;) {
        skip_ws(t);
        if (t->p >= t->end) return 0;
        if (*t->p == '#') {
            while (t->p < t->end && *t->p != '\n')
                t->p++;
        } else if (*t->p == '\n') {
            t->p++;
            newline(t);
        } else if (*t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n') {
            t->p += 2;
            newline(t);
        } else {
            return 0;
        }
    }
}
/* end of a line: optional comment then newline or EOF */
static int eol(tp *t) {
    skip_ws(t);
    if (t->p < t->end && *t->p == '#')
        while (t->p < t->end && *t->p != '\n') {
            if ((unsigned char)*t->p < 0x20 && *t->p != '\t')
                return perr(t, "control character in comment");
            t->p++;
        }
    if (t->p < t->end && *t->p == '\r') t->p++;
    if (t->p >= t->end) return 0;
    if (*t->p != '\n') return perr(t, "expected a newline after the value");
    t->p++;
    newline(t);
    return 0;
}

static void put_utf8(gh_buf *b, uint32_t c) {
    if (c < 0x80) {
        gh_buf_putc(b, (char)c);
    } else if (c < 0x800) {
        gh_buf_putc(b, (char)(0xC0 | (c >> 6)));
        gh_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        gh_buf_putc(b, (char)(0xE0 | (c >> 12)));
        gh_buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        gh_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    } else {
        gh_buf_putc(b, (char)(0xF0 | (c >> 18)));
        gh_buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
        gh_buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        gh_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    }
}

/* a string starting at t->p (one of " ' """ '''); result in *out */
static int string(tp *t, val_t **out) {
    char q = *t->p;
    bool multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
    t->p += multi ? 3 : 1;
    gh_buf b;
    gh_buf_init(&b);
    int rc = 0;
    if (multi) { /* a newline right after the opening quotes is trimmed */
        if (t->p < t->end && *t->p == '\n') {
            t->p++;
            newline(t);
        } else if (t->end - t->p >= 2 && t->p[0] == '\r' && t->p[1] == '\n') {
            t->p += 2;
            newline(t);
        }
    }
    for (;;) {
        if (t->p >= t->end) {
            rc = perr(t, "unterminated string");
            goto done;
        }
        char c = *t->p;
        if (c == q) {
            if (!multi) {
                t->p++;
                break;
            }
            if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q) {
                /* up to two extra quotes may close the string */
                size_t extra = 0;
                while (extra < 2 && t->end - t->p > 3 + (long)extra && t->p[3 + extra] == q)
                    extra++;
                gh_buf_append(&b, t->p, extra);
                t->p += 3 + extra;
                break;
            }
            gh_buf_putc(&b, c);
            t->p++;
            continue;
        }
        if (c == '\n') {
            if (!multi) {
                rc = perr(t, "newline in a single-line string");
                goto done;
            }
            gh_buf_putc(&b, '\n');
            t->p++;
            newline(t);
            continue;
        }
        if (c == '\\' && q == '"') {
            t->p++;
            if (t->p >= t->end) continue;
            char x = *t->p;
            if (multi && (x == ' ' || x == '\t' || x == '\r' || x == '\n')) {
                /* line-ending backslash: trim whitespace up to the next text */
                const char *k = t->p;
                while (k < t->end && (*k == ' ' || *k == '\t'))
                    k++;
                if (k < t->end && *k != '\n' && *k != '\r') {
                    rc = perr(t, "invalid escape");
                    goto done;
                }
                while (t->p < t->end &&
                       (*t->p == ' ' || *t->p == '\t' || *t->p == '\r' || *t->p == '\n')) {
                    if (*t->p == '\n') {
                        t->p++;
                        newline(t);
                    } else {
                        t->p++;
                    }
                }
                continue;
            }
            t->p++;
            switch (x) {
            case 'b': gh_buf_putc(&b, '\b'); break;
            case 't': gh_buf_putc(&b, '\t'); break;
            case 'n': gh_buf_putc(&b, '\n'); break;
            case 'f': gh_buf_putc(&b, '\f'); break;
            case 'r': gh_buf_putc(&b, '\r'); break;
            case 'e': gh_buf_putc(&b, '\x1b'); break;
            case '"': gh_buf_putc(&b, '"'); break;
            case '\\': gh_buf_putc(&b, '\\'); break;
            case 'u':
            case 'U': {
                int nd = x == 'u' ? 4 : 8;
                uint32_t cp = 0;
                for (int i = 0; i < nd; i++) {
                    if (t->p >= t->end || !isxdigit((unsigned char)*t->p)) {
                        rc = perr(t, "invalid unicode escape");
                        goto done;
                    }
                    char h = *t->p++;
                    cp = cp * 16 + (uint32_t)(isdigit((unsigned char)h)
                                                  ? h - '0'
                                                  : (tolower((unsigned char)h) - 'a' + 10));
                }
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                    rc = perr(t, "invalid unicode scalar value");
                    goto done;
                }
                put_utf8(&b, cp);
                break;
            }
            default:
                t->p--;
                rc = perr(t, "invalid escape sequence");
                goto done;
            }
            continue;
        }
        if ((unsigned char)c < 0x20 && c != '\t' && !(multi && c == '\r')) {
            rc = perr(t, "control character in string");
            goto done;
        }
        gh_buf_putc(&b, c);
        t->p++;
    }
    if (b.oom) {
        rc = poom(t);
        goto done;
    }
    *out = val_str(t->a, b.p ? b.p : "", b.len);
    if (!*out) rc = poom(t);
done:
    gh_buf_free(&b);
    return rc;
}

static bool bare_ch(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-'; }

/* one key segment */
static int key_part(tp *t, val_t **out) {
    skip_ws(t);
    if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
        if (t->end - t->p >= 3 && t->p[1] == *t->p && t->p[2] == *t->p)
            return perr(t, "multi-line strings are not allowed as keys");
        return string(t, out);
    }
    const char *st = t->p;
    while (t->p < t->end && bare_ch(*t->p))
        t->p++;
    if (t->p == st) return perr(t, "expected a key");
    *out = val_str(t->a, st, (size_t)(t->p - st));
    return *out ? 0 : poom(t);
}

/* dotted key into parts (at most 64 segments) */
#define TOML_MAX_KEY_PARTS 64
static int key(tp *t, val_t **parts, size_t *n) {
    *n = 0;
    for (;;) {
        if (*n == TOML_MAX_KEY_PARTS)
            return gh_err_set(t->e, GH_ELIMIT, t->file, t->line, 1, "key has too many parts");
        int rc = key_part(t, &parts[(*n)++]);
        if (rc) return rc;
        skip_ws(t);
        if (t->p < t->end && *t->p == '.') {
            t->p++;
            continue;
        }
        return 0;
    }
}

static int value(tp *t, val_t **out);

/* Walk/create tables along parts[0..n) from tab; dotted-key tables may be
 * extended only by dotted keys. */
static int descend(tp *t, val_t *tab, val_t **parts, size_t n, val_t **out) {
    for (size_t i = 0; i < n; i++) {
        val_t *nx = val_obj_get(tab, parts[i]);
        if (!nx) {
            nx = val_obj_new(t->a, 4);
            if (!nx || val_obj_put(t->a, tab, parts[i], nx)) return poom(t);
        } else if (val_kind_of(nx) == VAL_ARRAY && !in(t->closed, t->nclosed, nx) &&
                   val_arr_len(nx)) {
            nx = val_arr_at(nx, val_arr_len(nx) - 1); /* array of tables: its last table */
        } else if (val_kind_of(nx) != VAL_OBJECT || in(t->closed, t->nclosed, nx)) {
            return perr(t, "key is already defined");
        }
        tab = nx;
    }
    *out = tab;
    return 0;
}

static int keyval(tp *t, val_t *tab) {
    val_t *parts[TOML_MAX_KEY_PARTS];
    size_t n;
    int rc = key(t, parts, &n);
    if (rc) return rc;
    skip_ws(t);
    if (t->p >= t->end || *t->p != '=') return perr(t, "expected '=' after a key");
    t->p++;
    skip_ws(t);
    val_t *dst;
    if ((rc = descend(t, tab, parts, n - 1, &dst))) return rc;
    if (in(t->headers, t->nheaders, dst) && n > 1 && dst != tab)
        return perr(t, "table is already defined");
    if (val_obj_get(dst, parts[n - 1])) return perr(t, "key is already defined");
    val_t *v;
    if ((rc = value(t, &v))) return rc;
    if (val_obj_put(t->a, dst, parts[n - 1], v)) return poom(t);
    return 0;
}

static int inline_table(tp *t, val_t **out) {
    t->p++; /* { */
    val_t *tab = val_obj_new(t->a, 4);
    if (!tab) return poom(t);
    skip_ws(t);
    if (t->p < t->end && *t->p == '}') {
        t->p++;
    } else {
        for (;;) {
            int rc = keyval(t, tab);
            if (rc) return rc;
            skip_ws(t);
            if (t->p < t->end && *t->p == ',') {
                t->p++;
                continue;
            }
            if (t->p < t->end && *t->p == '}') {
                t->p++;
                break;
            }
            return perr(t, "expected ',' or '}' in an inline table");
        }
    }
    /* inline tables and everything in them are closed */
    if (track(t, &t->closed, &t->nclosed, &t->capclosed, tab)) return poom(t);
    *out = tab;
    return 0;
}

static int array(tp *t, val_t **out) {
    t->p++; /* [ */
    val_t *arr = val_arr_new(t->a, 4);
    if (!arr) return poom(t);
    for (;;) {
        int rc = skip_all(t);
        if (rc) return rc;
        if (t->p < t->end && *t->p == ']') {
            t->p++;
            break;
        }
        val_t *v;
        if ((rc = value(t, &v))) return rc;
        if (val_arr_push(t->a, arr, v)) return poom(t);
        if ((rc = skip_all(t))) return rc;
        if (t->p < t->end && *t->p == ',') {
            t->p++;
            continue;
        }
        if (t->p < t->end && *t->p == ']') {
            t->p++;
            break;
        }
        return perr(t, "expected ',' or ']' in an array");
    }
    if (track(t, &t->closed, &t->nclosed, &t->capclosed, arr)) return poom(t);
    *out = arr;
    return 0;
}

static bool digits_ok(const char *s, size_t n, int base) {
    /* underscores only between digits */
    if (!n || s[0] == '_' || s[n - 1] == '_') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '_') {
            if (s[i + 1] == '_') return false;
            continue;
        }
        int d = isdigit((unsigned char)c)    ? c - '0'
                : isxdigit((unsigned char)c) ? 10 + tolower((unsigned char)c) - 'a'
                                             : 99;
        if (d >= base) return false;
    }
    return true;
}

/* numbers, booleans, date-times */
static int scalar(tp *t, val_t **out) {
    const char *st = t->p;
    while (t->p < t->end && !strchr(" \t\r\n,]}#", *t->p))
        t->p++;
    /* a date-time may hold one space between date and time */
    if (t->p - st == 10 && st[4] == '-' && st[7] == '-' && t->p + 1 < t->end && *t->p == ' ' &&
        isdigit((unsigned char)t->p[1])) {
        t->p++;
        while (t->p < t->end && !strchr(" \t\r\n,]}#", *t->p))
            t->p++;
    }
    size_t n = (size_t)(t->p - st);
    if (n == 4 && !memcmp(st, "true", 4)) return *out = VAL_TRUE, 0;
    if (n == 5 && !memcmp(st, "false", 5)) return *out = VAL_FALSE, 0;
    if (!n) return perr(t, "expected a value");
    char buf[GH_MAX_NUMBER_CHARS];
    if (n >= sizeof buf) return perr(t, "value is too long");
    /* date / time: digits with - and : */
    if (n >= 8 && isdigit((unsigned char)st[0]) &&
        ((n >= 10 && st[4] == '-' && st[7] == '-') || (st[2] == ':' && st[5] == ':'))) {
        for (size_t i = 0; i < n; i++) {
            char c = st[i];
            if (!isdigit((unsigned char)c) && !strchr("-:.TtZz+ ", c)) {
                t->p = st + i;
                return perr(t, "invalid date-time");
            }
        }
        memcpy(buf, st, n);
        if (n > 10 && buf[10] == ' ') buf[10] = 'T';
        *out = val_str(t->a, buf, n);
        return *out ? 0 : poom(t);
    }
    const char *s = st;
    size_t m = n;
    bool neg = false;
    if (*s == '+' || *s == '-') neg = *s == '-', s++, m--;
    if ((m == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3))))
        return perr(t, "inf and nan cannot be represented in JSON");
    if (m > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        if (s != st) return perr(t, "sign not allowed on hex/octal/binary integers");
        int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        if (!digits_ok(s + 2, m - 2, base)) return perr(t, "invalid integer");
        uint64_t v = 0;
        for (size_t i = 2; i < m; i++) {
            if (s[i] == '_') continue;
            int d =
                isdigit((unsigned char)s[i]) ? s[i] - '0' : 10 + tolower((unsigned char)s[i]) - 'a';
            if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base ||
                v * (uint64_t)base + (uint64_t)d > INT64_MAX)
                return perr(t, "integer out of range");
            v = v * (uint64_t)base + (uint64_t)d;
        }
        *out = val_int(t->a, (int64_t)v);
        return *out ? 0 : poom(t);
    }
    /* decimal integer or float: [int][.frac][e[+-]exp] */
    size_t bl = 0;
    if (neg) buf[bl++] = '-';
    size_t i = 0, intd = 0;
    const char *ip = s;
    while (i < m && (isdigit((unsigned char)s[i]) || s[i] == '_'))
        i++, intd++;
    if (!digits_ok(ip, intd, 10)) return perr(t, "invalid number");
    if (intd > 1 && ip[0] == '0') return perr(t, "leading zeros are not allowed");
    bool isfloat = false;
    if (i < m && s[i] == '.') {
        isfloat = true;
        size_t fs = ++i;
        while (i < m && (isdigit((unsigned char)s[i]) || s[i] == '_'))
            i++;
        if (!digits_ok(s + fs, i - fs, 10)) return perr(t, "invalid float");
    }
    if (i < m && (s[i] == 'e' || s[i] == 'E')) {
        isfloat = true;
        i++;
        if (i < m && (s[i] == '+' || s[i] == '-')) i++;
        size_t es = i;
        while (i < m && (isdigit((unsigned char)s[i]) || s[i] == '_'))
            i++;
        if (!digits_ok(s + es, i - es, 10)) return perr(t, "invalid exponent");
    }
    if (i != m) return perr(t, "invalid value");
    for (size_t k = 0; k < m; k++)
        if (s[k] != '_' && s[k] != '+') buf[bl++] = s[k];
    *out = val_num_parse(t->a, buf, bl, t->e);
    if (!*out) return t->e && t->e->code == GH_ENOMEM ? poom(t) : perr(t, "invalid number");
    /* floats are float64 in conftest (printed as Go prints them: 3.5e2 -> 350) */
    if (isfloat) {
        double d = val_num_to_double(*out);
        if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
            return perr(t, "float out of range");
        *out = val_num_double(t->a, d);
        if (!*out) return poom(t);
    }
    return 0;
}

static int value(tp *t, val_t **out) {
    if (t->p >= t->end) return perr(t, "expected a value");
    if (++t->depth > GH_MAX_DEPTH)
        return gh_err_set(t->e, GH_ELIMIT, t->file, t->line, 1, "nesting deeper than %d",
                          GH_MAX_DEPTH);
    int rc;
    char c = *t->p;
    if (c == '"' || c == '\'')
        rc = string(t, out);
    else if (c == '[')
        rc = array(t, out);
    else if (c == '{')
        rc = inline_table(t, out);
    else
        rc = scalar(t, out);
    t->depth--;
    return rc;
}

int pol_parse_toml(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e) {
    tp t;
    memset(&t, 0, sizeof t);
    t.a = a, t.s = t.p = t.line_start = text, t.end = text + n, t.file = file, t.e = e, t.line = 1;
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) t.p += 3;
    val_t *root = val_obj_new(a, 8);
    if (!root) return poom(&t);
    val_t *cur = root;
    int rc;
    for (;;) {
        if ((rc = skip_all(&t))) return rc;
        if (t.p >= t.end) break;
        if (*t.p == '[') {
            bool aot = t.end - t.p >= 2 && t.p[1] == '[';
            t.p += aot ? 2 : 1;
            val_t *parts[TOML_MAX_KEY_PARTS];
            size_t np;
            if ((rc = key(&t, parts, &np))) return rc;
            skip_ws(&t);
            if (t.p >= t.end || *t.p != ']' || (aot && (t.end - t.p < 2 || t.p[1] != ']')))
                return perr(&t, aot ? "expected ']]'" : "expected ']'");
            t.p += aot ? 2 : 1;
            val_t *parent;
            if ((rc = descend(&t, root, parts, np - 1, &parent))) return rc;
            val_t *ex = val_obj_get(parent, parts[np - 1]);
            if (aot) {
                if (!ex) {
                    ex = val_arr_new(a, 4);
                    if (!ex || val_obj_put(a, parent, parts[np - 1], ex)) return poom(&t);
                } else if (val_kind_of(ex) != VAL_ARRAY || in(t.closed, t.nclosed, ex)) {
                    return perr(
                        &t, "key is already defined as something other than an array of tables");
                }
                cur = val_obj_new(a, 4);
                if (!cur || val_arr_push(a, ex, cur)) return poom(&t);
            } else {
                if (!ex) {
                    ex = val_obj_new(a, 4);
                    if (!ex || val_obj_put(a, parent, parts[np - 1], ex)) return poom(&t);
                } else if (val_kind_of(ex) != VAL_OBJECT || in(t.closed, t.nclosed, ex) ||
                           in(t.headers, t.nheaders, ex)) {
                    return perr(&t, "table is already defined");
                }
                cur = ex;
            }
            if (track(&t, &t.headers, &t.nheaders, &t.capheaders, cur)) return poom(&t);
            if ((rc = eol(&t))) return rc;
            continue;
        }
        if ((rc = keyval(&t, cur))) return rc;
        if ((rc = eol(&t))) return rc;
    }
    *out = root;
    return 0;
}
