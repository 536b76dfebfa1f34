/* json_emit.c - JSON text of values, byte for byte as OPA prints them (Go's
 * encoding/json): compact or two-space pretty form, HTML-safe escapes by
 * default, invalid UTF-8 as \ufffd, sets as arrays in canonical order,
 * non-string object keys as the compact JSON text of the key. Called by the
 * CLI, the server and the test runner. Never fails except by setting
 * b->oom; scratch space comes from the stack or the heap, never an arena. */
#include <stdlib.h>

#include "value/value_int.h"

static const char hexd[] = "0123456789abcdef";

/* One UTF-8 sequence as Go's utf8.DecodeRune accepts it (no surrogates,
 * no overlongs, <= U+10FFFF). Returns its length, 0 when invalid. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *r) {
    unsigned c = s[0];
    if (c < 0x80) {
        *r = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4 || n < 2) return 0;
    if (c < 0xE0) {
        if ((s[1] & 0xC0) != 0x80) return 0;
        *r = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (s[1] < lo || s[1] > hi) return 0;
    if (c < 0xF0) {
        if (n < 3 || (s[2] & 0xC0) != 0x80) return 0;
        *r = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    if (n < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    *r = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 4;
}

static void put_u16(gh_buf *b, uint32_t u) {
    char e[6] = {'\\', 'u', hexd[(u >> 12) & 15], hexd[(u >> 8) & 15], hexd[(u >> 4) & 15],
                 hexd[u & 15]};
    gh_buf_append(b, e, 6);
}

static void emit_str(gh_buf *b, const char *str, size_t n, int flags) {
    const unsigned char *s = (const unsigned char *)str;
    bool html = !(flags & VAL_JSON_NO_HTML_ESC), ascii = flags & VAL_JSON_ASCII;
    if (gh_buf_reserve(b, n + 2)) return;
    gh_buf_putc(b, '"');
    size_t start = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' &&
                !(html && (c == '<' || c == '>' || c == '&'))) {
                i++;
                continue;
            }
            gh_buf_append(b, s + start, i - start);
            switch (c) {
            case '"': gh_buf_append(b, "\\\"", 2); break;
            case '\\': gh_buf_append(b, "\\\\", 2); break;
            case '\n': gh_buf_append(b, "\\n", 2); break;
            case '\r': gh_buf_append(b, "\\r", 2); break;
            case '\t': gh_buf_append(b, "\\t", 2); break;
            default: put_u16(b, c);
            }
            start = ++i;
            continue;
        }
        uint32_t r;
        int sz = utf8_decode(s + i, n - i, &r);
        if (!sz) {
            gh_buf_append(b, s + start, i - start);
            gh_buf_append(b, "\\ufffd", 6);
            start = ++i;
            continue;
        }
        if (r == 0x2028 || r == 0x2029 || ascii) {
            gh_buf_append(b, s + start, i - start);
            if (r >= 0x10000) {
                put_u16(b, 0xD800 + ((r - 0x10000) >> 10));
                put_u16(b, 0xDC00 + ((r - 0x10000) & 0x3FF));
            } else {
                put_u16(b, r);
            }
            i += (size_t)sz;
            start = i;
            continue;
        }
        i += (size_t)sz;
    }
    gh_buf_append(b, s + start, i - start);
    gh_buf_putc(b, '"');
}

static void newline(gh_buf *b, int flags, int depth) {
    static const char spaces[] = "                                                                ";
    static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    const char *fill = (flags & VAL_JSON_TABS) ? tabs : spaces;
    size_t max = (flags & VAL_JSON_TABS) ? sizeof tabs - 1 : sizeof spaces - 1;
    gh_buf_putc(b, '\n');
    size_t n = (size_t)(depth > 0 ? depth : 0) * ((flags & VAL_JSON_TABS) ? 1 : 2);
    while (n) {
        size_t k = n < max ? n : max;
        gh_buf_append(b, fill, k);
        n -= k;
    }
}

/* Canonical order of an object's keys or a set's elements: stack space for
 * small tables, heap beyond. NULL (and b->oom) on allocation failure. */
#define POS_STACK 32
static uint32_t *canonical(gh_buf *b, const val_t *v, uint32_t *stack, uint32_t **heap) {
    uint32_t n = v->u.tab.n;
    uint32_t *pos = stack, *tmp = stack + POS_STACK;
    *heap = NULL;
    if (n > POS_STACK) {
        *heap = gh_malloc(((size_t)n + n / 2 + 1) * sizeof(uint32_t));
        if (!*heap) {
            b->oom = 1;
            return NULL;
        }
        pos = *heap;
        tmp = *heap + n;
    }
    val_sort_pos(pos, tmp, n, v->u.tab.keys, !(v->sub & VAL_F_MIXED));
    return pos;
}

static void emit(gh_buf *b, const val_t *v, int flags, int depth);

static void emit_entry(gh_buf *b, const char *k, size_t kn, const val_t *val, int flags,
                       int depth, bool *first) {
    bool pretty = flags & VAL_JSON_PRETTY;
    if (!*first) gh_buf_putc(b, ',');
    *first = false;
    if (pretty) newline(b, flags, depth + 1);
    emit_str(b, k, kn, flags);
    gh_buf_append(b, ": ", pretty ? 2 : 1);
    emit(b, val, flags, depth + 1);
}

/* Object with some non-string key. OPA turns the object into a Go map keyed
 * by each key's compact JSON text (always HTML-escaped, objects sorted), so
 * output sorts by that text, and of keys with the same text only the one
 * greatest in canonical order survives. */
typedef struct keytext {
    const val_t *key;
    size_t off, n;      /* into the scratch buffer, or into the string key */
    uint32_t pos;
    bool lose;
} keytext;

static const char *kt_ptr(const keytext *k, const char *base) {
    return k->key->kind == VAL_STRING ? k->key->u.s : base + k->off;
}

static int kt_cmp(const void *x, const void *y, void *base) {
    const keytext *a = x, *b = y;
    size_t m = a->n < b->n ? a->n : b->n;
    int c = m ? memcmp(kt_ptr(a, base), kt_ptr(b, base), m) : 0;
    if (!c) c = a->n < b->n ? -1 : a->n > b->n;
    return c ? c : val_compare(a->key, b->key);
}

static void emit_mixed_obj(gh_buf *b, const val_t *v, int flags, int depth, bool *first) {
    const val_tab *t = &v->u.tab;
    uint32_t n = t->n;
    keytext *kt = gh_malloc((size_t)n * sizeof *kt);
    uint32_t *slot = gh_malloc((size_t)n * sizeof *slot);
    gh_buf kb;
    gh_buf_init(&kb);
    if (!kt || !slot) goto oom;
    for (uint32_t i = 0; i < n; i++) {
        const val_t *k = t->keys[i];
        kt[i].key = k;
        kt[i].pos = i;
        kt[i].lose = false;
        if (k->kind == VAL_STRING) {
            kt[i].off = 0;
            kt[i].n = k->len;
        } else {
            kt[i].off = kb.len;
            val_json_emit(&kb, k, VAL_JSON_SORTED);
            kt[i].n = kb.len - kt[i].off;
        }
    }
    if (kb.oom) goto oom;
    const char *base = kb.p ? kb.p : "";
    qsort_r(kt, n, sizeof *kt, kt_cmp, (void *)base);
    for (uint32_t i = 0; i + 1 < n; i++)
        if (kt[i].n == kt[i + 1].n &&
            (!kt[i].n || !memcmp(kt_ptr(&kt[i], base), kt_ptr(&kt[i + 1], base), kt[i].n)))
            kt[i].lose = true;
    for (uint32_t i = 0; i < n; i++) slot[kt[i].pos] = i;
    for (uint32_t j = 0; j < n; j++) {
        const keytext *k = (flags & VAL_JSON_SORTED) ? &kt[j] : &kt[slot[j]];
        if (k->lose) continue;
        emit_entry(b, kt_ptr(k, base), k->n, t->vals[k->pos], flags, depth, first);
    }
    gh_free(kt);
    gh_free(slot);
    gh_buf_free(&kb);
    return;
oom:
    b->oom = 1;
    gh_free(kt);
    gh_free(slot);
    gh_buf_free(&kb);
}

static void emit(gh_buf *b, const val_t *v, int flags, int depth) {
    if (b->oom) return;
    bool pretty = flags & VAL_JSON_PRETTY;
    switch ((val_kind)v->kind) {
    case VAL_NULL: gh_buf_append(b, "null", 4); return;
    case VAL_BOOL:
        if (v->u.b) gh_buf_append(b, "true", 4);
        else gh_buf_append(b, "false", 5);
        return;
    case VAL_NUMBER:
        if (v->sub == VAL_NUM_INT) {
            char tmp[24];
            gh_buf_append(b, tmp, val_fmt_i64(tmp, v->u.i));
        } else {
            gh_buf_append(b, v->u.dec->text, v->u.dec->text_len);
        }
        return;
    case VAL_STRING: emit_str(b, v->u.s, v->len, flags); return;
    case VAL_ARRAY: {
        uint32_t n = v->u.arr.n;
        if (!n) {
            gh_buf_append(b, "[]", 2);
            return;
        }
        gh_buf_putc(b, '[');
        for (uint32_t i = 0; i < n; i++) {
            if (i) gh_buf_putc(b, ',');
            if (pretty) newline(b, flags, depth + 1);
            emit(b, v->u.arr.items[i], flags, depth + 1);
        }
        if (pretty) newline(b, flags, depth);
        gh_buf_putc(b, ']');
        return;
    }
    case VAL_SET: {
        uint32_t n = v->u.tab.n;
        if (!n) {
            gh_buf_append(b, "[]", 2);
            return;
        }
        uint32_t stack[POS_STACK + POS_STACK / 2], *heap;
        uint32_t *pos = canonical(b, v, stack, &heap);
        if (!pos) return;
        gh_buf_putc(b, '[');
        for (uint32_t i = 0; i < n; i++) {
            if (i) gh_buf_putc(b, ',');
            if (pretty) newline(b, flags, depth + 1);
            emit(b, v->u.tab.keys[pos[i]], flags, depth + 1);
        }
        if (pretty) newline(b, flags, depth);
        gh_buf_putc(b, ']');
        gh_free(heap);
        return;
    }
    case VAL_OBJECT: {
        const val_tab *t = &v->u.tab;
        if (!t->n) {
            gh_buf_append(b, "{}", 2);
            return;
        }
        gh_buf_putc(b, '{');
        bool first = true;
        if (v->sub & VAL_F_MIXED) {
            emit_mixed_obj(b, v, flags, depth, &first);
        } else if (flags & VAL_JSON_SORTED) {
            uint32_t stack[POS_STACK + POS_STACK / 2], *heap;
            uint32_t *pos = canonical(b, v, stack, &heap);
            if (!pos) return;
            for (uint32_t i = 0; i < t->n; i++) {
                const val_t *k = t->keys[pos[i]];
                emit_entry(b, k->u.s, k->len, t->vals[pos[i]], flags, depth, &first);
            }
            gh_free(heap);
        } else {
            for (uint32_t i = 0; i < t->n; i++)
                emit_entry(b, t->keys[i]->u.s, t->keys[i]->len, t->vals[i], flags, depth, &first);
        }
        if (pretty) newline(b, flags, depth);
        gh_buf_putc(b, '}');
        return;
    }
    }
}

void val_json_emit_indent(gh_buf *b, const val_t *v, int flags, int indent) {
    emit(b, v, flags, indent);
}

void val_json_emit(gh_buf *b, const val_t *v, int flags) { emit(b, v, flags, 0); }

char *val_to_json(gh_arena *a, const val_t *v, int flags) {
    gh_buf b;
    gh_buf_init(&b);
    emit(&b, v, flags, 0);
    char *out = b.oom ? NULL : gh_arena_strndup(a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return out;
}
