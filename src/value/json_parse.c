/* json_parse.c - val_json_parse: RFC 8259 text to values, built straight into
 * the caller's arena. Called by loaders, the CLI (-i/-d), the server (request
 * bodies) and the json.* builtins. Iterative: an explicit frame stack bounded
 * by max_depth and one scratch vector of finished children shared by all open
 * containers, so nesting costs no C stack and containers get exact-size
 * item arrays. Choices (see docs/json.md): invalid UTF-8 is rejected, lone or
 * mis-paired \u surrogate escapes become U+FFFD (as Go/OPA do), one leading
 * UTF-8 BOM is skipped, columns count code points. */
#include <stdio.h>

#include "value/value_int.h"

#define STR_(x) #x
#define XSTR(x) STR_(x)

/* Scratch slots kept on the C stack before the vector moves to the heap. */
#define SCRATCH_LOCAL 256
#define FRAMES_LOCAL 32
/* Object keys repeat (every item of a Kubernetes list has "metadata",
 * "name", ...): short escape-free keys are kept in a small direct-mapped
 * cache and shared, saving their hashing and their memory. */
#define KEY_CACHE 256
#define KEY_CACHE_MAX_LEN 32

typedef struct frame {
    size_t start; /* first scratch slot of this container's children */
    int obj;      /* 1 for an object (slots hold key, value pairs) */
} frame;

typedef struct jp {
    gh_arena *a;
    gh_err *e;
    const unsigned char *base, *end;
    val_t **st; /* scratch: children of every open container, in order */
    size_t nst, capst;
    frame *fr;
    size_t nfr, capfr, max_depth;
    size_t *consumed; /* first value only (val_json_opts.consumed) */
    val_t *st_local[SCRATCH_LOCAL];
    frame fr_local[FRAMES_LOCAL];
    val_t *keys[KEY_CACHE]; /* NULL = empty slot */
} jp;

/* ---- character classes --------------------------------------------------------- */
/* 1 for JSON whitespace. */
static const unsigned char ws_tab[256] = {['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1};
/* 1 for bytes that stop the plain-string scan: '"', '\\', control, non-ASCII. */
static const unsigned char stop_tab[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Byte each simple escape letter stands for (0: not a simple escape). */
static const unsigned char esc_tab[256] = {['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
                                           ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t'};

static inline int is_digit(unsigned c) { return c - '0' < 10u; }

static int hexval(unsigned c) {
    if (c - '0' < 10u) return (int)(c - '0');
    c |= 0x20;
    if (c - 'a' < 6u) return (int)(c - 'a' + 10);
    return -1;
}

/* Bit 7 of each byte of the result marks a byte of x that is '"', '\\',
 * below 0x20 or at least 0x80. Only the lowest marked byte is exact (borrows
 * may mark bytes above it), which is the one the caller uses. */
static inline uint64_t swar_stops(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
    uint64_t lt = (x - ones * 0x20) & ~x;
    return (zq | zb | lt | x) & high;
}

/* Length of the valid UTF-8 sequence at s (s < end, *s >= 0x80): no
 * overlongs, no surrogates, at most U+10FFFF; 0 when invalid or truncated. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end) {
    unsigned c = s[0];
    size_t room = (size_t)(end - s);
    if (c < 0xC2 || c > 0xF4) return 0;
    if (c < 0xE0) return room >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (room < 2 || s[1] < lo || s[1] > hi) return 0;
    if (c < 0xF0) return room >= 3 && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    return room >= 4 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
}

/* ---- errors ----------------------------------------------------------------------- */
/* 1-based line, and column in code points, of byte `at`. */
static void position(const jp *j, const unsigned char *at, int *line, int *col) {
    const unsigned char *ls = j->base;
    long ln = 1;
    for (const unsigned char *q = j->base; q < at; q++)
        if (*q == '\n') {
            ln++;
            ls = q + 1;
        }
    long c = 1;
    for (const unsigned char *q = ls; q < at; q++)
        c += (*q & 0xC0) != 0x80;
    *line = ln > INT32_MAX ? INT32_MAX : (int)ln;
    *col = c > INT32_MAX ? INT32_MAX : (int)c;
}

static int GH_PRINTF(4, 5) fail(jp *j, const unsigned char *at, int code, const char *fmt, ...) {
    int line, col;
    position(j, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(j->e, code, NULL, line, col, fmt, ap);
    va_end(ap);
    return code;
}

/* The byte at `at` quoted for a message, as Go's encoding/json quotes it:
 * 'x', '\n', '\x01'; a valid non-ASCII character is shown whole. */
static const char *quote_char(const jp *j, const unsigned char *at, char buf[16]) {
    unsigned c = *at;
    if (c >= 0x80) {
        size_t n = utf8_len(at, j->end);
        if (n) {
            buf[0] = '\'';
            memcpy(buf + 1, at, n);
            buf[n + 1] = '\'';
            buf[n + 2] = '\0';
        } else {
            snprintf(buf, 16, "'\\x%02x'", c);
        }
        return buf;
    }
    switch (c) {
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    default: break;
    }
    if (c < 0x20 || c == 0x7F)
        snprintf(buf, 16, "'\\x%02x'", c);
    else
        snprintf(buf, 16, "'%c'", (char)c);
    return buf;
}

/* "invalid character 'x' <what>" at `at`, or the end-of-input error. */
static int bad_char(jp *j, const unsigned char *at, const char *what) {
    if (at >= j->end) return fail(j, j->end, GH_EPARSE, "unexpected end of JSON input");
    char buf[16];
    return fail(j, at, GH_EPARSE, "invalid character %s %s", quote_char(j, at, buf), what);
}

static int oom(jp *j, const unsigned char *at) {
    return fail(j, at, GH_ENOMEM, "out of memory while parsing JSON (arena budget exhausted)");
}

/* ---- scratch and frames ------------------------------------------------------------ */
static int scratch_grow(jp *j, const unsigned char *at) {
    size_t ncap = j->capst * 2;
    /* The children end up in the arena anyway; a budgeted arena also bounds
     * the scratch so a hostile document cannot use the heap instead. */
    if (ncap > SIZE_MAX / sizeof(val_t *) / 2 ||
        (j->a->budget && ncap * sizeof(val_t *) > j->a->budget))
        return oom(j, at);
    val_t **n = j->st == j->st_local ? gh_malloc(ncap * sizeof(val_t *))
                                     : gh_realloc(j->st, ncap * sizeof(val_t *));
    if (!n) return oom(j, at);
    if (j->st == j->st_local) memcpy(n, j->st_local, j->nst * sizeof(val_t *));
    j->st = n;
    j->capst = ncap;
    return 0;
}

static inline int scratch_push(jp *j, val_t *v, const unsigned char *at) {
    if (GH_UNLIKELY(j->nst == j->capst) && scratch_grow(j, at)) return GH_ENOMEM;
    j->st[j->nst++] = v;
    return 0;
}

/* Open a container at `at` ('{' or '['). */
static int frame_push(jp *j, int obj, const unsigned char *at) {
    if (j->nfr >= j->max_depth)
        return fail(j, at, GH_ELIMIT, "JSON nesting deeper than the limit of %zu levels",
                    j->max_depth);
    if (j->nfr == j->capfr) {
        size_t ncap = j->capfr * 2;
        frame *n = j->fr == j->fr_local ? gh_malloc(ncap * sizeof(frame))
                                        : gh_realloc(j->fr, ncap * sizeof(frame));
        if (!n) return oom(j, at);
        if (j->fr == j->fr_local) memcpy(n, j->fr_local, j->nfr * sizeof(frame));
        j->fr = n;
        j->capfr = ncap;
    }
    j->fr[j->nfr].start = j->nst;
    j->fr[j->nfr].obj = obj;
    j->nfr++;
    return 0;
}

/* More children than this in one container is refused (value.c's bound). */
#define MAX_ITEMS (UINT32_MAX / 4u)

static val_t *too_many(jp *j, const unsigned char *at) {
    fail(j, at, GH_ELIMIT, "JSON array or object with more than %u items", MAX_ITEMS);
    return NULL;
}

/* Close the top container (its closing bracket is at `at`): the children
 * move from the scratch into an exact-size array in the arena. NULL after
 * recording the error. */
static val_t *close_array(jp *j, const unsigned char *at) {
    frame *f = &j->fr[--j->nfr];
    size_t n = j->nst - f->start;
    if (n > MAX_ITEMS) return too_many(j, at);
    val_t *v = gh_arena_alloc(j->a, sizeof(val_t) + n * sizeof(val_t *));
    if (!v) {
        oom(j, at);
        return NULL;
    }
    val_t **items = (val_t **)(v + 1), **src = j->st + f->start;
    uint64_t h = val_tag_arr;
    for (size_t i = 0; i < n; i++) {
        items[i] = src[i];
        h = gh_hash_mix(h, src[i]->hash);
    }
    v->kind = VAL_ARRAY;
    v->sub = 0;
    v->pad = 0;
    v->len = 0;
    v->hash = h;
    v->u.arr.items = n ? items : NULL;
    v->u.arr.n = (uint32_t)n;
    v->u.arr.cap = (uint32_t)n;
    j->nst = f->start;
    return v;
}

/* Objects are sized once; val_obj_put reuses each key's stored hash and
 * keeps the last value of a duplicate key. */
static val_t *close_object(jp *j, const unsigned char *at) {
    frame *f = &j->fr[--j->nfr];
    size_t n = (j->nst - f->start) / 2;
    if (n > MAX_ITEMS) return too_many(j, at);
    val_t *o = val_obj_new(j->a, n);
    val_t **kv = j->st + f->start;
    for (size_t i = 0; o && i < n; i++)
        if (val_obj_put(j->a, o, kv[2 * i], kv[2 * i + 1])) o = NULL;
    if (!o) {
        oom(j, at);
        return NULL;
    }
    j->nst = f->start;
    return o;
}

/* ---- strings --------------------------------------------------------------------- */
static size_t put_utf8(unsigned char *d, uint32_t cp) {
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xC0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (cp >> 12));
        d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (cp >> 18));
    d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Four hex digits at q, known to be there; -1 when any is not hex. */
static int32_t hex4(const unsigned char *q) {
    int32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(q[k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decode the escapes of the raw string [s, close) into d (room for
 * close - s bytes: no escape grows). The scan checked UTF-8 and every escape
 * (and close points at the closing '"'). Returns the decoded length. */
static size_t unescape(const unsigned char *s, const unsigned char *close, unsigned char *d) {
    unsigned char *d0 = d;
    while (s < close) {
        const unsigned char *bs = memchr(s, '\\', (size_t)(close - s));
        if (!bs) {
            memcpy(d, s, (size_t)(close - s));
            d += close - s;
            break;
        }
        memcpy(d, s, (size_t)(bs - s));
        d += bs - s;
        s = bs + 1;
        if (*s != 'u') {
            *d++ = esc_tab[*s++];
            continue;
        }
        int32_t cp = hex4(s + 1);
        s += 5;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            /* A high surrogate followed by an escaped low one is a pair;
             * anything else is an invalid surrogate and becomes U+FFFD,
             * leaving the next escape to be read on its own (Go's rule). */
            int32_t lo = -1;
            if (cp < 0xDC00 && close - s >= 6 && s[0] == '\\' && s[1] == 'u') lo = hex4(s + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            } else {
                cp = 0xFFFD;
            }
        }
        d += put_utf8(d, (uint32_t)cp);
    }
    return (size_t)(d - d0);
}

/* Cache slot of a short key: a cheap multiplicative hash of its first and
 * last (up to) 8 bytes and its length. Collisions only cost a miss. */
static inline size_t key_slot(const unsigned char *s, size_t n) {
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    } else {
        memcpy(&a, s, n);
    }
    uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full) ^ n;
    return (size_t)(h >> 56) & (KEY_CACHE - 1);
}

/* Parse the string whose opening quote is at *pp - 1; on success *pp is
 * past the closing quote. Keys (key != 0) may come from the key cache.
 * NULL after recording the error. */
static val_t *parse_string(jp *j, const unsigned char **pp, int key) {
    const unsigned char *s = *pp, *p = s, *end = j->end;
    int esc = 0;
    for (;;) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            uint64_t m = swar_stops(x);
            if (m) {
                p += __builtin_ctzll(m) >> 3;
                goto stop;
            }
            p += 8;
        }
#endif
        while (p < end && !stop_tab[*p])
            p++;
        if (p >= end) {
            fail(j, end, GH_EPARSE, "unexpected end of JSON input");
            return NULL;
        }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    stop:
#endif
        if (*p == '"') break;
        if (*p == '\\') {
            /* Escapes are checked here, so decoding can trust them. */
            esc = 1;
            if (++p >= end) {
                fail(j, end, GH_EPARSE, "unexpected end of JSON input");
                return NULL;
            }
            if (*p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (p + k >= end || hexval(p[k]) < 0) {
                        bad_char(j, p + k, "in \\u hexadecimal character escape");
                        return NULL;
                    }
                p += 5;
            } else if (esc_tab[*p]) {
                p++;
            } else {
                bad_char(j, p, "in string escape code");
                return NULL;
            }
            continue;
        }
        if (*p < 0x20) {
            bad_char(j, p, "in string literal");
            return NULL;
        }
        size_t n = utf8_len(p, end);
        if (!n) {
            fail(j, p, GH_EPARSE, "invalid UTF-8 in string literal (byte 0x%02x)", *p);
            return NULL;
        }
        p += n;
    }
    size_t raw = (size_t)(p - s);
    *pp = p + 1;
    if (raw == 0) return &val_empty_str_v;
    val_t **slot = NULL;
    if (key && !esc && raw <= KEY_CACHE_MAX_LEN) {
        slot = &j->keys[key_slot(s, raw)];
        val_t *c = *slot;
        if (c && c->len == raw && !memcmp(c->u.s, s, raw)) return c;
    }
    if (raw >= UINT32_MAX) {
        fail(j, s - 1, GH_ELIMIT, "JSON string longer than 4 GiB");
        return NULL;
    }
    val_t *v = gh_arena_alloc(j->a, sizeof(val_t) + raw + 1);
    if (!v) {
        oom(j, s - 1);
        return NULL;
    }
    unsigned char *d = (unsigned char *)(v + 1);
    size_t n = raw;
    if (!esc) {
        memcpy(d, s, raw);
    } else {
        n = unescape(s, p, d);
    }
    d[n] = '\0';
    v->kind = VAL_STRING;
    v->sub = 0;
    v->pad = 0;
    v->len = (uint32_t)n;
    v->hash = val_hash_str((const char *)d, n);
    v->u.s = (const char *)d;
    if (slot) *slot = v;
    return v;
}

/* ---- numbers and literals -------------------------------------------------------- */
/* Number at *pp (a '-' or a digit). Integers of up to 18 digits are built
 * here; everything else is validated here and handed to val_num_parse. */
static val_t *parse_number(jp *j, const unsigned char **pp) {
    const unsigned char *s = *pp, *p = s, *end = j->end;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || !is_digit(*p)) {
        bad_char(j, p, "in numeric literal");
        return NULL;
    }
    const unsigned char *ds = p;
    uint64_t acc = 0;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p)) {
            fail(j, p, GH_EPARSE, "invalid character '%c' in numeric literal%s", *p,
                 " (leading zeros are not allowed)");
            return NULL;
        }
    } else {
        /* Wraps harmlessly past 19 digits: only <= 18 are used. */
        while (p < end && is_digit(*p))
            acc = acc * 10 + (uint64_t)(*p++ - '0');
    }
    size_t nint = (size_t)(p - ds);
    int simple = 1;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p)) {
            bad_char(j, p, "after decimal point in numeric literal");
            return NULL;
        }
        while (p < end && is_digit(*p))
            p++;
        simple = 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !is_digit(*p)) {
            bad_char(j, p, "in exponent of numeric literal");
            return NULL;
        }
        while (p < end && is_digit(*p))
            p++;
        simple = 0;
    }
    *pp = p;
    /* "-0" stays an exact decimal so it prints back as written. */
    if (simple && nint <= 18 && !(neg && acc == 0)) {
        val_t *v = val_int(j->a, neg ? -(int64_t)acc : (int64_t)acc);
        if (!v) oom(j, s);
        return v;
    }
    size_t len = (size_t)(p - s);
    if (len > GH_MAX_NUMBER_CHARS) {
        fail(j, s, GH_ELIMIT,
             "number literal of %zu characters is longer than the limit of " XSTR(
                 GH_MAX_NUMBER_CHARS) " characters",
             len);
        return NULL;
    }
    gh_err ne;
    gh_err_clear(&ne);
    val_t *v = val_num_parse(j->a, (const char *)s, len, &ne);
    if (!v) {
        if (ne.code == GH_ENOMEM)
            oom(j, s);
        else
            fail(j, s, ne.code ? ne.code : GH_EPARSE, "%s", ne.msg);
    }
    return v;
}

/* true, false or null at *pp (first letter checked by the caller). */
static val_t *parse_literal(jp *j, const unsigned char **pp) {
    const unsigned char *p = *pp;
    const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
    val_t *v = *p == 't' ? VAL_TRUE : *p == 'f' ? VAL_FALSE : VAL_NULLV;
    for (size_t k = 1; word[k]; k++) {
        if (p + k >= j->end || p[k] != (unsigned char)word[k]) {
            char what[48];
            snprintf(what, sizeof what, "in literal %s (expecting '%c')", word, word[k]);
            bad_char(j, p + k, what);
            return NULL;
        }
    }
    *pp = p + strlen(word);
    return v;
}

/* ---- the document ------------------------------------------------------------------- */
#define SKIP_WS()                                                                                  \
    do {                                                                                           \
        while (p < end && ws_tab[*p])                                                              \
            p++;                                                                                   \
    } while (0)

static int parse_doc(jp *j, val_t **out) {
    const unsigned char *p = j->base, *end = j->end;
    val_t *v;
    /* RFC 8259 lets a parser ignore a byte order mark. */
    if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) p += 3;

value:
    SKIP_WS();
    if (p >= end) return bad_char(j, p, "");
    switch (*p) {
    case '{':
        if (frame_push(j, 1, p)) return j->e->code;
        p++;
        SKIP_WS();
        if (p < end && *p == '}') {
            p++;
            if (!(v = close_object(j, p - 1))) return j->e->code;
            goto have_value;
        }
        goto key;
    case '[':
        if (frame_push(j, 0, p)) return j->e->code;
        p++;
        SKIP_WS();
        if (p < end && *p == ']') {
            p++;
            if (!(v = close_array(j, p - 1))) return j->e->code;
            goto have_value;
        }
        goto value;
    case '"':
        p++;
        if (!(v = parse_string(j, &p, 0))) return j->e->code;
        goto have_value;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        if (!(v = parse_number(j, &p))) return j->e->code;
        goto have_value;
    case 't':
    case 'f':
    case 'n':
        if (!(v = parse_literal(j, &p))) return j->e->code;
        goto have_value;
    default: return bad_char(j, p, "looking for beginning of value");
    }

key: /* p is at the first non-blank byte after '{' or ',' */
    if (p >= end || *p != '"') return bad_char(j, p, "looking for beginning of object key string");
    p++;
    if (!(v = parse_string(j, &p, 1))) return j->e->code;
    if (scratch_push(j, v, p)) return GH_ENOMEM;
    SKIP_WS();
    if (p >= end || *p != ':') return bad_char(j, p, "after object key");
    p++;
    goto value;

have_value:
    if (j->nfr == 0) {
        if (j->consumed) {
            *j->consumed = (size_t)(p - j->base);
            *out = v;
            return 0;
        }
        SKIP_WS();
        if (p < end) return bad_char(j, p, "after top-level value");
        *out = v;
        return 0;
    }
    if (scratch_push(j, v, p)) return GH_ENOMEM;
    SKIP_WS();
    if (p >= end) return bad_char(j, p, "");
    if (j->fr[j->nfr - 1].obj) {
        if (*p == ',') {
            p++;
            SKIP_WS();
            goto key;
        }
        if (*p != '}') return bad_char(j, p, "after object key:value pair");
        p++;
        if (!(v = close_object(j, p - 1))) return j->e->code;
    } else {
        if (*p == ',') {
            p++;
            goto value;
        }
        if (*p != ']') return bad_char(j, p, "after array element");
        p++;
        if (!(v = close_array(j, p - 1))) return j->e->code;
    }
    goto have_value;
}

int val_json_parse(gh_arena *a, const char *p, size_t n, const val_json_opts *o, val_t **out,
                   gh_err *e) {
    if (out) *out = NULL;
    if (!a || !out || (!p && n))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "val_json_parse: invalid argument");
    size_t max_bytes = o && o->max_bytes ? o->max_bytes : GH_MAX_DOC_BYTES;
    if (n > max_bytes)
        return gh_err_set(e, GH_ELIMIT, NULL, 0, 0,
                          "JSON document of %zu bytes is larger than the limit of %zu bytes", n,
                          max_bytes);
    /* A caller's error slot is optional, but failures still need one to
     * carry their code back through the parser. */
    gh_err local;
    jp j;
    gh_err_clear(e ? e : &local);
    j.a = a;
    j.e = e ? e : &local;
    j.base = (const unsigned char *)(p ? p : "");
    j.end = j.base + n;
    j.st = j.st_local;
    j.nst = 0;
    j.capst = SCRATCH_LOCAL;
    j.fr = j.fr_local;
    j.nfr = 0;
    j.capfr = FRAMES_LOCAL;
    j.max_depth = o && o->max_depth ? o->max_depth : GH_MAX_DEPTH;
    j.consumed = o ? o->consumed : NULL;
    memset(j.keys, 0, sizeof j.keys);
    int rc = parse_doc(&j, out);
    if (rc) {
        rc = j.e->code ? j.e->code : rc;
        *out = NULL;
    }
    if (j.st != j.st_local) gh_free(j.st);
    if (j.fr != j.fr_local) gh_free(j.fr);
    return rc;
}
