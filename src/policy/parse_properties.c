/* parse_properties.c - Java .properties inputs for `gatehouse check`, read
 * the way conftest does through magiconair/properties (see
 * pol_parse_properties in policy.h): logical lines joined at odd trailing
 * backslashes, keys ended by an unescaped '=', ':' or whitespace, escapes,
 * `#`/`!` comments, then ${key} expansion of every value (keys of the file
 * first, else the process environment, else ""; cycles and runaway depth
 * are errors). Called by cli_input.c and the check builtins. */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define PROPS_MAX_EXPANSION_DEPTH 64 /* magiconair's maxExpansionDepth */
#define PROPS_MAX_EXPANDED                                                                         \
    (16u << 20) /* bytes one expanded value may reach: nested                                      \
                   ${a}${a} references grow exponentially */

typedef struct pp {
    const char *s, *end, *file;
    uint32_t line, col;
    gh_arena *a;
    gh_err *e;
} pp;

static int at_end(const pp *p) { return p->s >= p->end; }

static char next(pp *p) {
    char c = *p->s++;
    if (c == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    return c;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

static void put_utf8(gh_buf *b, uint32_t cp) {
    if (cp < 0x80) {
        gh_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        gh_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        gh_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; /* lone surrogate */
        gh_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        gh_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        gh_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* After a backslash: a line continuation (skip the newline and the next
 * line's leading blanks), an escape, or the character itself. */
static int escape(pp *p, gh_buf *b) {
    if (at_end(p)) return 0; /* a final lone backslash is dropped */
    uint32_t line = p->line, col = p->col;
    char c = next(p);
    switch (c) {
    case '\r':
        if (!at_end(p) && *p->s == '\n') next(p);
        /* fallthrough */
    case '\n':
        while (!at_end(p) && is_blank(*p->s))
            next(p);
        return 0;
    case 't': gh_buf_putc(b, '\t'); return 0;
    case 'n': gh_buf_putc(b, '\n'); return 0;
    case 'r': gh_buf_putc(b, '\r'); return 0;
    case 'f': gh_buf_putc(b, '\f'); return 0;
    case 'u': {
        uint32_t cp = 0;
        for (int i = 0; i < 4; i++) {
            int h = at_end(p) ? -1 : hexval(*p->s);
            if (h < 0)
                return gh_err_set(p->e, GH_EPARSE, p->file, (int)line, (int)col,
                                  "invalid unicode escape: \\u needs four hex digits");
            next(p);
            cp = cp * 16 + (uint32_t)h;
        }
        put_utf8(b, cp);
        return 0;
    }
    default: gh_buf_putc(b, c); return 0;
    }
}

/* One key/value pair starting at a non-blank, non-comment character. */
static int pair(pp *p, val_t *obj) {
    gh_buf k, v;
    gh_buf_init(&k);
    gh_buf_init(&v);
    int rc = 0;
    while (!rc && !at_end(p)) {
        char c = *p->s;
        if (c == '=' || c == ':' || is_blank(c) || c == '\n' || c == '\r') break;
        next(p);
        if (c == '\\')
            rc = escape(p, &k);
        else
            gh_buf_putc(&k, c);
    }
    /* separator: blanks, at most one '=' or ':', blanks */
    while (!rc && !at_end(p) && is_blank(*p->s))
        next(p);
    if (!rc && !at_end(p) && (*p->s == '=' || *p->s == ':')) next(p);
    while (!rc && !at_end(p) && is_blank(*p->s))
        next(p);
    while (!rc && !at_end(p)) {
        char c = *p->s;
        if (c == '\n' || c == '\r') break;
        next(p);
        if (c == '\\')
            rc = escape(p, &v);
        else
            gh_buf_putc(&v, c);
    }
    if (!rc && (k.oom || v.oom)) rc = gh_err_set(p->e, GH_ENOMEM, p->file, 0, 0, "out of memory");
    if (!rc) {
        val_t *ks = val_str(p->a, k.p ? k.p : "", k.len);
        val_t *vs = val_str(p->a, v.p ? v.p : "", v.len);
        if (!ks || !vs || val_obj_put(p->a, obj, ks, vs))
            rc = gh_err_set(p->e, GH_ENOMEM, p->file, 0, 0, "out of memory");
    }
    gh_buf_free(&k);
    gh_buf_free(&v);
    return rc;
}

/* ---- ${key} expansion ------------------------------------------------------------- */

typedef struct chain {
    const char *key;
    size_t n;
    const struct chain *up;
} chain;

static int expand(pp *p, const val_t *raw, const char *s, size_t n, const chain *seen,
                  uint32_t depth, gh_buf *out) {
    if (depth > PROPS_MAX_EXPANSION_DEPTH)
        return gh_err_set(p->e, GH_EPARSE, p->file, 0, 0, "properties: expansion too deep");
    size_t i = 0;
    while (i < n) {
        if (out->len > PROPS_MAX_EXPANDED)
            return gh_err_set(p->e, GH_ELIMIT, p->file, 0, 0,
                              "properties: expanded value larger than %u bytes",
                              PROPS_MAX_EXPANDED);
        const char *st = i + 1 < n ? memchr(s + i, '$', n - i - 1) : NULL;
        while (st && st[1] != '{') {
            size_t off = (size_t)(st - s) + 1;
            st = off + 1 < n ? memchr(s + off, '$', n - off - 1) : NULL;
        }
        if (!st) {
            gh_buf_append(out, s + i, n - i);
            break;
        }
        size_t ks = (size_t)(st - s) + 2;
        const char *close = memchr(s + ks, '}', n - ks);
        if (!close)
            return gh_err_set(p->e, GH_EPARSE, p->file, 0, 0,
                              "properties: malformed expression \"%.*s\"", (int)(n - i), s + i);
        size_t kn = (size_t)(close - (s + ks));
        gh_buf_append(out, s + i, (size_t)(st - (s + i)));
        for (const chain *c = seen; c; c = c->up)
            if (c->n == kn && !memcmp(c->key, s + ks, kn))
                return gh_err_set(p->e, GH_EPARSE, p->file, 0, 0,
                                  "properties: circular reference to ${%.*s}", (int)kn, s + ks);
        const val_t *v = val_obj_get_str(raw, s + ks, kn);
        const char *vs = NULL;
        size_t vn = 0;
        if (v) {
            vs = val_str_ptr(v), vn = val_str_len(v);
        } else {
            char *name = gh_arena_strndup(p->a, s + ks, kn);
            vs = name ? getenv(name) : NULL;
            vn = vs ? strlen(vs) : 0;
        }
        chain ch = {s + ks, kn, seen};
        int rc = expand(p, raw, vs ? vs : "", vn, &ch, depth + 1, out);
        if (rc) return rc;
        i = (size_t)(close - s) + 1;
    }
    return 0;
}

int pol_parse_properties(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    if (!file) file = "<properties>";
    if (n > GH_MAX_DOC_BYTES) return gh_err_set(e, GH_ELIMIT, file, 0, 0, "document too large");
    pp p = {text, text + n, file, 1, 1, a, e};
    val_t *raw = val_obj_new(a, 16);
    if (!raw) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    while (!at_end(&p)) {
        char c = *p.s;
        if (is_blank(c) || c == '\n' || c == '\r') {
            next(&p);
            continue;
        }
        if (c == '#' || c == '!') {
            while (!at_end(&p) && *p.s != '\n' && *p.s != '\r')
                next(&p);
            continue;
        }
        int rc = pair(&p, raw);
        if (rc) return rc;
    }
    val_t *obj = val_obj_new(a, val_obj_len(raw) + 1);
    if (!obj) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    for (size_t i = 0; i < val_obj_len(raw); i++) {
        const val_t *v = val_obj_val_at(raw, i);
        val_t *ev = val_obj_val_at(raw, i);
        if (memmem(val_str_ptr(v), val_str_len(v), "${", 2)) {
            gh_buf b;
            gh_buf_init(&b);
            chain top = {val_str_ptr(val_obj_key_at(raw, i)), val_str_len(val_obj_key_at(raw, i)),
                         NULL};
            int rc = expand(&p, raw, val_str_ptr(v), val_str_len(v), &top, 0, &b);
            if (!rc && b.oom) rc = gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
            if (!rc && !(ev = val_str(a, b.p ? b.p : "", b.len)))
                rc = gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
            gh_buf_free(&b);
            if (rc) return rc;
        }
        if (val_obj_put(a, obj, val_obj_key_at(raw, i), ev))
            return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    }
    *out = obj;
    return 0;
}
