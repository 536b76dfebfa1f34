/* compare.c - OPA's total order over values (ast.Compare), structural
 * equality and canonical sorting of object keys / set elements. Used by the
 * evaluator (sort, set operations, comparisons), JSON output and tables.
 * Invariants: equal values compare 0 and hash equal; comparing never
 * allocates from an arena and never fails (heap scratch space for large
 * objects, with an allocation-free fallback if the heap says no). */
#include <stdlib.h>

#include "value/value_int.h"

/* ---- sorting positions ---------------------------------------------------------- */
static inline int key_cmp(val_t *const *keys, uint32_t x, uint32_t y, bool so) {
    return so ? val_str_cmp(keys[x], keys[y]) : val_compare(keys[x], keys[y]);
}

static void isort(uint32_t *p, uint32_t n, val_t *const *keys, bool so) {
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = p[i], j = i;
        while (j > 0 && key_cmp(keys, p[j - 1], x, so) > 0) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = x;
    }
}

/* Stable merge sort; tmp needs n/2 slots. */
static void msort(uint32_t *p, uint32_t *tmp, uint32_t n, val_t *const *keys, bool so) {
    if (n <= 12) {
        isort(p, n, keys, so);
        return;
    }
    uint32_t h = n / 2;
    msort(p, tmp, h, keys, so);
    msort(p + h, tmp, n - h, keys, so);
    if (key_cmp(keys, p[h - 1], p[h], so) <= 0) return; /* halves already in order */
    memcpy(tmp, p, (size_t)h * sizeof *p);
    uint32_t i = 0, j = h, k = 0;
    while (i < h && j < n) p[k++] = key_cmp(keys, p[j], tmp[i], so) < 0 ? p[j++] : tmp[i++];
    while (i < h) p[k++] = tmp[i++];
}

void val_sort_pos(uint32_t *pos, uint32_t *tmp, uint32_t n, val_t *const *keys,
                  bool strings_only) {
    for (uint32_t i = 0; i < n; i++) pos[i] = i;
    msort(pos, tmp, n, keys, strings_only);
}

uint32_t *val_sorted_order(gh_arena *a, const val_t *v) {
    uint32_t n;
    val_t *const *keys;
    bool so;
    if (v->kind == VAL_OBJECT || v->kind == VAL_SET) {
        n = v->u.tab.n;
        keys = v->u.tab.keys;
        so = !(v->sub & VAL_F_MIXED);
    } else if (v->kind == VAL_ARRAY) {
        n = v->u.arr.n;
        keys = v->u.arr.items;
        so = true;
        for (uint32_t i = 0; i < n && so; i++) so = keys[i]->kind == VAL_STRING;
    } else {
        return NULL;
    }
    if (n == 0) return NULL;
    uint32_t *pos = gh_arena_alloc(a, (size_t)n * sizeof *pos);
    uint32_t *tmp = n > 12 ? gh_arena_alloc(a, (size_t)(n / 2 + 1) * sizeof *pos) : NULL;
    if (!pos || (n > 12 && !tmp)) return NULL;
    val_sort_pos(pos, tmp, n, keys, so);
    return pos;
}

/* Canonical order of a table into stack or heap scratch space. */
#define SORT_STACK 16
typedef struct sorted {
    uint32_t *pos, *heap;
    uint32_t stack[SORT_STACK + SORT_STACK / 2];
} sorted;

static bool sorted_init(sorted *s, const val_t *v) {
    uint32_t n = v->u.tab.n;
    uint32_t *tmp;
    s->heap = NULL;
    if (n <= SORT_STACK) {
        s->pos = s->stack;
        tmp = s->stack + SORT_STACK;
    } else {
        s->heap = gh_malloc(((size_t)n + n / 2 + 1) * sizeof(uint32_t));
        if (!s->heap) return false;
        s->pos = s->heap;
        tmp = s->heap + n;
    }
    val_sort_pos(s->pos, tmp, n, v->u.tab.keys, !(v->sub & VAL_F_MIXED));
    return true;
}

/* Allocation-free fallback: position of the smallest key greater than prev
 * (the smallest key when prev is NULL). Quadratic; used only on heap
 * exhaustion. */
static uint32_t next_after(const val_t *v, const val_t *prev) {
    const val_tab *t = &v->u.tab;
    uint32_t best = UINT32_MAX;
    for (uint32_t i = 0; i < t->n; i++) {
        if (prev && val_compare(t->keys[i], prev) <= 0) continue;
        if (best == UINT32_MAX || val_compare(t->keys[i], t->keys[best]) < 0) best = i;
    }
    return best;
}

/* Objects: sorted keys pairwise (key, then value), then size. Sets: sorted
 * elements pairwise, then size. */
static int tab_cmp(const val_t *a, const val_t *b) {
    if (a->hash == b->hash && val_equal(a, b)) return 0;
    bool obj = a->kind == VAL_OBJECT;
    const val_tab *ta = &a->u.tab, *tb = &b->u.tab;
    uint32_t m = ta->n < tb->n ? ta->n : tb->n;
    int c = 0;
    sorted sa, sb;
    bool oka = sorted_init(&sa, a), okb = oka && sorted_init(&sb, b);
    if (oka && okb) {
        for (uint32_t i = 0; i < m && !c; i++) {
            uint32_t x = sa.pos[i], y = sb.pos[i];
            c = val_compare(ta->keys[x], tb->keys[y]);
            if (!c && obj) c = val_compare(ta->vals[x], tb->vals[y]);
        }
    } else {
        const val_t *pa = NULL, *pb = NULL;
        for (uint32_t i = 0; i < m && !c; i++) {
            uint32_t x = next_after(a, pa), y = next_after(b, pb);
            c = val_compare(ta->keys[x], tb->keys[y]);
            if (!c && obj) c = val_compare(ta->vals[x], tb->vals[y]);
            pa = ta->keys[x];
            pb = tb->keys[y];
        }
    }
    if (oka) gh_free(sa.heap);
    if (okb) gh_free(sb.heap);
    if (c) return c;
    return ta->n < tb->n ? -1 : ta->n > tb->n;
}

int val_compare(const val_t *a, const val_t *b) {
    if (a == b) return 0;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    switch ((val_kind)a->kind) {
    case VAL_NULL: return 0;
    case VAL_BOOL: return (int)a->u.b - (int)b->u.b;
    case VAL_NUMBER: return val_num_cmp(a, b);
    case VAL_STRING: {
        int c = val_str_cmp(a, b);
        return c < 0 ? -1 : c > 0;
    }
    case VAL_ARRAY: {
        uint32_t na = a->u.arr.n, nb = b->u.arr.n, m = na < nb ? na : nb;
        for (uint32_t i = 0; i < m; i++) {
            int c = val_compare(a->u.arr.items[i], b->u.arr.items[i]);
            if (c) return c;
        }
        return na < nb ? -1 : na > nb;
    }
    case VAL_OBJECT:
    case VAL_SET: return tab_cmp(a, b);
    }
    return 0;
}

bool val_equal(const val_t *a, const val_t *b) {
    if (a == b) return true;
    if (a->hash != b->hash || a->kind != b->kind) return false;
    switch ((val_kind)a->kind) {
    case VAL_NULL: return true;
    case VAL_BOOL: return a->u.b == b->u.b;
    case VAL_NUMBER:
        if (a->sub == VAL_NUM_INT && b->sub == VAL_NUM_INT) return a->u.i == b->u.i;
        return val_num_cmp(a, b) == 0;
    case VAL_STRING: return a->len == b->len && (!a->len || !memcmp(a->u.s, b->u.s, a->len));
    case VAL_ARRAY:
        if (a->u.arr.n != b->u.arr.n) return false;
        for (uint32_t i = 0; i < a->u.arr.n; i++)
            if (!val_equal(a->u.arr.items[i], b->u.arr.items[i])) return false;
        return true;
    case VAL_OBJECT:
        if (a->u.tab.n != b->u.tab.n) return false;
        for (uint32_t i = 0; i < a->u.tab.n; i++) {
            const val_t *w = val_obj_get(b, a->u.tab.keys[i]);
            if (!w || !val_equal(a->u.tab.vals[i], w)) return false;
        }
        return true;
    case VAL_SET:
        if (a->u.tab.n != b->u.tab.n) return false;
        for (uint32_t i = 0; i < a->u.tab.n; i++)
            if (!val_set_has(b, a->u.tab.keys[i])) return false;
        return true;
    }
    return false;
}
