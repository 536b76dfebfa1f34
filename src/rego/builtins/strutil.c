/* strutil.c - UTF-8 decoding, Go-compatible case mapping/printability,
 * Go string quoting and Rego-syntax printing of values, for the string
 * builtin families. Tables come from unicode_tables.inc (generated).
 * Invariant: every function here accepts arbitrary bytes, valid UTF-8 or
 * not, and treats invalid sequences exactly as Go's unicode/utf8 does. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/strutil.h"

typedef struct {
    int32_t lo, hi;
    int8_t stride;
    int32_t delta;
} rb_case_range;

typedef struct {
    int32_t lo, hi;
} rb_rune_range;

#include "rego/builtins/unicode_tables.inc"

int32_t rb_u8_decode(const char *s, size_t n, int *w) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    *w = 1;
    if (c < 0x80) return (int32_t)c;
    if (c < 0xC2 || c > 0xF4) return RB_RUNE_ERROR;
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80) return RB_RUNE_ERROR;
        *w = 2;
        return (int32_t)(((c & 0x1F) << 6) | (p[1] & 0x3F));
    }
    if (c < 0xF0) {
        if (n < 2) return RB_RUNE_ERROR;
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < lo || p[1] > hi) return RB_RUNE_ERROR;
        if (n < 3 || (p[2] & 0xC0) != 0x80) return RB_RUNE_ERROR;
        *w = 3;
        return (int32_t)(((c & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F));
    }
    if (n < 2) return RB_RUNE_ERROR;
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi) return RB_RUNE_ERROR;
    if (n < 3 || (p[2] & 0xC0) != 0x80) return RB_RUNE_ERROR;
    if (n < 4 || (p[3] & 0xC0) != 0x80) return RB_RUNE_ERROR;
    *w = 4;
    return (int32_t)(((c & 0x07) << 18) | ((unsigned)(p[1] & 0x3F) << 12) |
                     ((unsigned)(p[2] & 0x3F) << 6) | (p[3] & 0x3F));
}

int32_t rb_u8_decode_last(const char *s, size_t n, int *w) {
    const unsigned char *p = (const unsigned char *)s;
    *w = 1;
    if (p[n - 1] < 0x80) return p[n - 1];
    /* Back up over at most 3 continuation bytes to a possible start byte. */
    size_t lim = n >= 4 ? n - 4 : 0, start = n - 1;
    while (start > lim && (p[start] & 0xC0) == 0x80) start--;
    int ww;
    int32_t r = rb_u8_decode(s + start, n - start, &ww);
    if (start + (size_t)ww != n) return RB_RUNE_ERROR;
    *w = ww;
    return r;
}

int rb_u8_encode(int32_t r, char *out) {
    unsigned char *o = (unsigned char *)out;
    if (r < 0 || r > RB_MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF)) r = RB_RUNE_ERROR;
    uint32_t u = (uint32_t)r;
    if (u < 0x80) {
        o[0] = (unsigned char)u;
        return 1;
    }
    if (u < 0x800) {
        o[0] = (unsigned char)(0xC0 | (u >> 6));
        o[1] = (unsigned char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (u >> 12));
        o[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (u & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (u >> 18));
    o[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (u & 0x3F));
    return 4;
}

size_t rb_u8_count(const char *s, size_t n) {
    size_t k = 0, i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            int w;
            rb_u8_decode(s + i, n - i, &w);
            i += (size_t)w;
        }
        k++;
    }
    return k;
}

bool rb_is_ascii(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

bool rb_u8_valid(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        int w;
        if (rb_u8_decode(s + i, n - i, &w) == RB_RUNE_ERROR && w == 1) return false;
        i += (size_t)w;
    }
    return true;
}

static int32_t case_map(const rb_case_range *t, size_t n, int32_t r) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r < t[mid].lo) {
            hi = mid;
        } else if (r > t[mid].hi) {
            lo = mid + 1;
        } else {
            if ((r - t[mid].lo) % t[mid].stride) return r;
            return r + t[mid].delta;
        }
    }
    return r;
}

int32_t rb_rune_upper(int32_t r) {
    if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
    return case_map(rb_upper_tab, sizeof rb_upper_tab / sizeof rb_upper_tab[0], r);
}

int32_t rb_rune_lower(int32_t r) {
    if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
    return case_map(rb_lower_tab, sizeof rb_lower_tab / sizeof rb_lower_tab[0], r);
}

bool rb_rune_printable(int32_t r) {
    if (r < 0x80) return r >= 0x20 && r < 0x7F;
    size_t lo = 0, hi = sizeof rb_print_tab / sizeof rb_print_tab[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r < rb_print_tab[mid].lo)
            hi = mid;
        else if (r > rb_print_tab[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool rb_rune_space(int32_t r) {
    switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return r >= 0x2000 && r <= 0x200A;
    }
}

const char *rb_unicode_version(void) { return RB_UNICODE_VERSION; }

static const char lowerhex[] = "0123456789abcdef";

/* strconv's appendEscapedRune for a valid-or-not rune r with quote q. */
static void esc_rune(rb_sb *b, int32_t r, char q, bool ascii_only) {
    char tmp[12];
    if (r == q || r == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)r;
        rb_sb_put(b, tmp, 2);
        return;
    }
    if (ascii_only) {
        if (r < 0x80 && rb_rune_printable(r)) {
            rb_sb_putc(b, (char)r);
            return;
        }
    } else if (rb_rune_printable(r)) {
        int w = rb_u8_encode(r, tmp);
        rb_sb_put(b, tmp, (size_t)w);
        return;
    }
    switch (r) {
    case '\a': rb_sb_puts(b, "\\a"); return;
    case '\b': rb_sb_puts(b, "\\b"); return;
    case '\f': rb_sb_puts(b, "\\f"); return;
    case '\n': rb_sb_puts(b, "\\n"); return;
    case '\r': rb_sb_puts(b, "\\r"); return;
    case '\t': rb_sb_puts(b, "\\t"); return;
    case '\v': rb_sb_puts(b, "\\v"); return;
    default: break;
    }
    if (r < ' ' || r == 0x7F) {
        tmp[0] = '\\';
        tmp[1] = 'x';
        tmp[2] = lowerhex[(r >> 4) & 0xF];
        tmp[3] = lowerhex[r & 0xF];
        rb_sb_put(b, tmp, 4);
        return;
    }
    if (r < 0 || r > RB_MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF)) r = RB_RUNE_ERROR;
    int nd = r < 0x10000 ? 4 : 8;
    tmp[0] = '\\';
    tmp[1] = r < 0x10000 ? 'u' : 'U';
    for (int k = 0; k < nd; k++) tmp[2 + k] = lowerhex[(r >> (4 * (nd - 1 - k))) & 0xF];
    rb_sb_put(b, tmp, (size_t)(2 + nd));
}

void rb_go_quote_sb(rb_sb *b, const char *s, size_t n, bool ascii_only) {
    rb_sb_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F &&
                   s[j] != '"' && s[j] != '\\')
                j++;
            rb_sb_put(b, s + i, j - i);
            i = j;
            continue;
        }
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        if (w == 1 && r == RB_RUNE_ERROR) {
            char tmp[4] = {'\\', 'x', lowerhex[c >> 4], lowerhex[c & 0xF]};
            rb_sb_put(b, tmp, 4);
            i++;
            continue;
        }
        esc_rune(b, r, '"', ascii_only);
        i += (size_t)w;
    }
    rb_sb_putc(b, '"');
}

void rb_go_quote_buf(gh_buf *b, const char *s, size_t n, bool ascii_only) {
    gh_arena tmp;
    gh_arena_init(&tmp, 0);
    rb_sb q;
    rb_sb_init(&q, &tmp, n + 8);
    rb_go_quote_sb(&q, s, n, ascii_only);
    if (q.oom)
        b->oom = 1;
    else
        gh_buf_append(b, q.p, q.len);
    gh_arena_free(&tmp);
}

void rb_go_quote_rune(rb_sb *b, int32_t r, bool ascii_only) {
    if (r < 0 || r > RB_MAX_RUNE || (r >= 0xD800 && r <= 0xDFFF)) r = RB_RUNE_ERROR;
    rb_sb_putc(b, '\'');
    esc_rune(b, r, '\'', ascii_only);
    rb_sb_putc(b, '\'');
}

bool rb_go_can_backquote(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        int w;
        int32_t r = rb_u8_decode(s + i, n - i, &w);
        i += (size_t)w;
        if (w > 1) {
            if (r == 0xFEFF) return false;
            continue;
        }
        if (r == RB_RUNE_ERROR) return false;
        if ((r < ' ' && r != '\t') || r == '`' || r == 0x7F) return false;
    }
    return true;
}

static void num_text(rb_sb *b, const val_t *v) {
    if (v->sub == VAL_NUM_INT) {
        rb_sb_printf(b, "%lld", (long long)v->u.i);
    } else {
        rb_sb_put(b, v->u.dec->text, v->u.dec->text_len);
    }
}

void rb_rego_string(rb_sb *b, gh_arena *a, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NULL: rb_sb_puts(b, "null"); return;
    case VAL_BOOL: rb_sb_puts(b, v->u.b ? "true" : "false"); return;
    case VAL_NUMBER: num_text(b, v); return;
    case VAL_STRING: rb_go_quote_sb(b, val_str_ptr(v), val_str_len(v), false); return;
    case VAL_ARRAY:
        rb_sb_putc(b, '[');
        for (size_t i = 0; i < val_arr_len(v); i++) {
            if (i) rb_sb_puts(b, ", ");
            rb_rego_string(b, a, val_arr_at(v, i));
        }
        rb_sb_putc(b, ']');
        return;
    case VAL_OBJECT:
    case VAL_SET: {
        bool set = val_kind_of(v) == VAL_SET;
        size_t n = set ? val_set_len(v) : val_obj_len(v);
        if (set && n == 0) {
            rb_sb_puts(b, "set()");
            return;
        }
        rb_sb_putc(b, '{');
        uint32_t *ord = NULL;
        if (n > 1 && !(ord = val_sorted_order(a, v))) {
            b->oom = 1;
            return;
        }
        for (size_t i = 0; i < n; i++) {
            size_t k = ord ? ord[i] : i;
            if (i) rb_sb_puts(b, ", ");
            rb_rego_string(b, a, v->u.tab.keys[k]);
            if (!set) {
                rb_sb_puts(b, ": ");
                rb_rego_string(b, a, v->u.tab.vals[k]);
            }
        }
        rb_sb_putc(b, '}');
        return;
    }
    }
}

/* ---- arena string builder ------------------------------------------------------ */

void rb_sb_init(rb_sb *b, gh_arena *a, size_t cap) {
    b->a = a;
    b->len = 0;
    b->oom = 0;
    b->cap = cap < 16 ? 16 : cap;
    b->p = gh_arena_alloc(a, b->cap);
    if (!b->p) {
        b->cap = 0;
        b->oom = 1;
    }
}

int rb_sb_reserve(rb_sb *b, size_t extra) {
    if (b->oom) return GH_ENOMEM;
    if (b->cap - b->len > extra) return 0; /* keep one byte for the NUL */
    if (extra > UINT32_MAX || b->len + extra >= UINT32_MAX) {
        b->oom = 1;
        return GH_ENOMEM;
    }
    size_t want = b->len + extra + 1, cap = b->cap * 2;
    if (cap < want) cap = want;
    char *p = gh_arena_realloc(b->a, b->p, b->cap, cap);
    if (!p) {
        b->oom = 1;
        return GH_ENOMEM;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void rb_sb_put(rb_sb *b, const void *p, size_t n) {
    if (!n || rb_sb_reserve(b, n)) return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void rb_sb_puts(rb_sb *b, const char *s) { rb_sb_put(b, s, strlen(s)); }

void rb_sb_putc(rb_sb *b, char c) {
    if (rb_sb_reserve(b, 1)) return;
    b->p[b->len++] = c;
}

void rb_sb_fill(rb_sb *b, char c, size_t n) {
    if (!n || rb_sb_reserve(b, n)) return;
    memset(b->p + b->len, c, n);
    b->len += n;
}

void rb_sb_printf(rb_sb *b, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        rb_sb_put(b, tmp, (size_t)n);
        return;
    }
    if (rb_sb_reserve(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rb_sb_rune(rb_sb *b, int32_t r) {
    char tmp[4];
    int w = rb_u8_encode(r, tmp);
    rb_sb_put(b, tmp, (size_t)w);
}

val_t *rb_sb_finish(rb_sb *b) {
    if (b->oom) return NULL;
    if (!b->len) return val_str_ref(b->a, "", 0);
    b->p[b->len] = '\0';
    return val_str_ref(b->a, b->p, b->len);
}

size_t rb_go_ip_string(const unsigned char *p, size_t n, char *buf) {
    static const unsigned char v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (n == 16 && !memcmp(p, v4pre, 12)) p += 12, n = 4;
    if (n == 4) return (size_t)snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    int e0 = -1, e1 = -1; /* longest run of zero groups [e0, e1) */
    for (int i = 0; i < 16; i += 2) {
        int j = i;
        while (j < 16 && p[j] == 0 && p[j + 1] == 0)
            j += 2;
        if (j > i && j - i > e1 - e0) {
            e0 = i;
            e1 = j;
            i = j;
        }
    }
    if (e1 - e0 <= 2) e0 = e1 = -1;
    size_t k = 0;
    for (int i = 0; i < 16; i += 2) {
        if (i == e0) {
            buf[k++] = ':';
            buf[k++] = ':';
            i = e1;
            if (i >= 16) break;
        } else if (i > 0) {
            buf[k++] = ':';
        }
        k += (size_t)snprintf(buf + k, RB_IP_STR_MAX - k, "%x", (unsigned)(p[i] << 8 | p[i + 1]));
    }
    buf[k] = '\0';
    return k;
}
