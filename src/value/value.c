/* value.c - construction of values: singletons, strings, arrays, objects,
 * sets, deep copy. Used by every module that builds data (parsers, the Rego
 * evaluator, loaders). Invariants: each container's hash is kept current as
 * it is built (arrays: ordered fold; objects/sets: sum of entry mixes), and
 * objects/sets get an open-addressing index once they hold more than 8
 * entries (load factor <= 1/2). Children must be complete before insertion. */
#include "value/value_int.h"

#define TAB_LINEAR_MAX 8u
#define TAB_MAX_ENTRIES (UINT32_MAX / 4u)

/* ---- singletons and the hash key ------------------------------------------ */
val_t val_null_v = {.kind = VAL_NULL};
val_t val_true_v = {.kind = VAL_BOOL, .u.b = true};
val_t val_false_v = {.kind = VAL_BOOL, .u.b = false};
val_t val_empty_str_v = {.kind = VAL_STRING, .len = 0, .u.s = ""};
val_t val_small_ints[VAL_SMALL_MAX - VAL_SMALL_MIN + 1];

uint64_t val_hk0, val_hk1;
uint64_t val_tag_arr, val_tag_obj, val_tag_set;
static uint64_t num_k0;

static uint64_t tag(const char *name) {
    return gh_siphash13(val_hk0 ^ 0x7461677461677461ull, val_hk1, name, strlen(name));
}

uint64_t val_hash_int(int64_t i) {
    unsigned char b[8];
    uint64_t u = (uint64_t)i;
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)(u >> (8 * k));
    return gh_siphash13(num_k0, val_hk1, b, 8);
}

/* Runs before main(): the key comes from the base module's random key, and
 * the static values get their hashes. Nothing here allocates. */
__attribute__((constructor)) static void value_init(void) {
    val_hk0 = gh_hash("gatehouse/value/k0", 18);
    val_hk1 = gh_hash("gatehouse/value/k1", 18);
    num_k0 = val_hk0 ^ 0x6e756d6265727321ull;
    val_tag_arr = tag("array");
    val_tag_obj = tag("object");
    val_tag_set = tag("set");
    val_null_v.hash = tag("null");
    val_true_v.hash = tag("true");
    val_false_v.hash = tag("false");
    val_empty_str_v.hash = val_hash_str("", 0);
    for (int64_t i = VAL_SMALL_MIN; i <= VAL_SMALL_MAX; i++) {
        val_t *v = &val_small_ints[i - VAL_SMALL_MIN];
        v->kind = VAL_NUMBER;
        v->sub = VAL_NUM_INT;
        v->u.i = i;
        v->hash = val_hash_int(i);
    }
}

const char *val_kind_name(val_kind k) {
    switch (k) {
    case VAL_NULL: return "null";
    case VAL_BOOL: return "boolean";
    case VAL_NUMBER: return "number";
    case VAL_STRING: return "string";
    case VAL_ARRAY: return "array";
    case VAL_OBJECT: return "object";
    case VAL_SET: return "set";
    }
    return "unknown";
}

val_t *val_bool(bool b) { return b ? &val_true_v : &val_false_v; }

/* ---- strings ---------------------------------------------------------------- */
/* Make v the string of the n bytes at p (n < UINT32_MAX). */
static inline val_t *str_set(val_t *v, const char *p, size_t n) {
    v->kind = VAL_STRING;
    v->sub = 0;
    v->pad = 0;
    v->len = (uint32_t)n;
    v->hash = val_hash_str(p, n);
    v->u.s = p;
    return v;
}

val_t *val_str(gh_arena *a, const char *s, size_t n) {
    if (n == 0) return &val_empty_str_v;
    if (n >= UINT32_MAX || n > SIZE_MAX - sizeof(val_t) - 1) return NULL;
    val_t *v = gh_arena_alloc(a, sizeof(val_t) + n + 1);
    if (!v) return NULL;
    char *p = (char *)(v + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return str_set(v, p, n);
}

val_t *val_strc(gh_arena *a, const char *s) { return val_str(a, s, strlen(s)); }

val_t *val_str_ref(gh_arena *a, const char *s, size_t n) {
    if (n == 0) return &val_empty_str_v;
    if (n >= UINT32_MAX) return NULL;
    val_t *v = gh_arena_alloc(a, sizeof(val_t));
    return v ? str_set(v, s, n) : NULL;
}

/* ---- arrays ------------------------------------------------------------------ */
val_t *val_arr_new(gh_arena *a, size_t cap) {
    if (cap > TAB_MAX_ENTRIES) return NULL;
    val_t *v = gh_arena_alloc(a, sizeof(val_t));
    if (!v) return NULL;
    v->kind = VAL_ARRAY;
    v->sub = 0;
    v->pad = 0;
    v->len = 0;
    v->hash = val_tag_arr;
    v->u.arr.items = NULL;
    v->u.arr.n = 0;
    v->u.arr.cap = 0;
    if (cap) {
        v->u.arr.items = gh_arena_alloc(a, cap * sizeof(val_t *));
        if (!v->u.arr.items) return NULL;
        v->u.arr.cap = (uint32_t)cap;
    }
    return v;
}

int val_arr_push(gh_arena *a, val_t *arr, val_t *item) {
    if (!arr || !item || arr->kind != VAL_ARRAY) return GH_EINVAL;
    if (arr->u.arr.n == arr->u.arr.cap) {
        uint32_t cap = arr->u.arr.cap;
        if (cap >= TAB_MAX_ENTRIES) return GH_ENOMEM;
        uint32_t ncap = cap ? cap * 2 : 4;
        val_t **items = gh_arena_realloc(a, arr->u.arr.items, (size_t)cap * sizeof(val_t *),
                                         (size_t)ncap * sizeof(val_t *));
        if (!items) return GH_ENOMEM;
        arr->u.arr.items = items;
        arr->u.arr.cap = ncap;
    }
    arr->u.arr.items[arr->u.arr.n++] = item;
    arr->hash = gh_hash_mix(arr->hash, item->hash);
    return 0;
}

/* ---- objects and sets: shared table code -------------------------------------- */
static val_t *tab_new(gh_arena *a, size_t cap, val_kind kind) {
    if (cap > TAB_MAX_ENTRIES) return NULL;
    val_t *v = gh_arena_alloc(a, sizeof(val_t));
    if (!v) return NULL;
    v->kind = (uint8_t)kind;
    v->sub = 0;
    v->pad = 0;
    v->len = 0;
    v->hash = kind == VAL_OBJECT ? val_tag_obj : val_tag_set;
    memset(&v->u.tab, 0, sizeof v->u.tab);
    if (cap) {
        size_t per = kind == VAL_OBJECT ? 2 : 1;
        val_t **blk = gh_arena_alloc(a, cap * per * sizeof(val_t *));
        if (!blk) return NULL;
        v->u.tab.keys = blk;
        v->u.tab.vals = kind == VAL_OBJECT ? blk + cap : NULL;
        v->u.tab.cap = (uint32_t)cap;
    }
    return v;
}

val_t *val_obj_new(gh_arena *a, size_t cap) { return tab_new(a, cap, VAL_OBJECT); }
val_t *val_set_new(gh_arena *a, size_t cap) { return tab_new(a, cap, VAL_SET); }

/* Position of key in the table or -1. h is key->hash. */
static int64_t tab_find(const val_tab *t, const val_t *key, uint64_t h) {
    if (!t->index) {
        for (uint32_t i = 0; i < t->n; i++) {
            const val_t *k = t->keys[i];
            if (k->hash == h && (k == key || val_equal(k, key))) return i;
        }
        return -1;
    }
    /* Each slot keeps the high half of its key's hash, so probing past
     * other keys touches only the index, not the keys themselves. */
    uint32_t mask = t->icap - 1, slot = (uint32_t)h & mask, hi = (uint32_t)(h >> 32);
    for (;;) {
        uint32_t p = t->index[2 * slot];
        if (!p) return -1;
        if (t->index[2 * slot + 1] == hi) {
            const val_t *k = t->keys[p - 1];
            if (k->hash == h && (k == key || val_equal(k, key))) return p - 1;
        }
        slot = (slot + 1) & mask;
    }
}

static void index_insert(uint32_t *index, uint32_t icap, uint64_t h, uint32_t pos) {
    uint32_t mask = icap - 1, slot = (uint32_t)h & mask;
    while (index[2 * slot]) slot = (slot + 1) & mask;
    index[2 * slot] = pos + 1;
    index[2 * slot + 1] = (uint32_t)(h >> 32);
}

/* Make room for one more entry (arrays and index); mutates nothing visible
 * on failure. */
static int tab_reserve(gh_arena *a, val_t *v) {
    val_tab *t = &v->u.tab;
    bool obj = v->kind == VAL_OBJECT;
    if (t->n == t->cap) {
        if (t->cap >= TAB_MAX_ENTRIES) return GH_ENOMEM;
        uint32_t cap = t->cap, ncap = cap ? cap * 2 : 4;
        size_t per = obj ? 2 : 1;
        val_t **blk = gh_arena_realloc(a, t->keys, (size_t)cap * per * sizeof(val_t *),
                                       (size_t)ncap * per * sizeof(val_t *));
        if (!blk) return GH_ENOMEM;
        /* The block holds keys[cap] then vals[cap]; move vals up to ncap. */
        if (obj) {
            if (t->n) memmove(blk + ncap, blk + cap, (size_t)t->n * sizeof(val_t *));
            t->vals = blk + ncap;
        }
        t->keys = blk;
        t->cap = ncap;
    }
    uint32_t need = t->n + 1;
    if (need <= TAB_LINEAR_MAX && !t->index) return 0;
    if (t->index && (uint64_t)need * 2 <= t->icap) return 0;
    uint64_t icap = t->icap ? (uint64_t)t->icap * 2 : 32;
    while (icap < (uint64_t)need * 2 || icap < (uint64_t)t->cap * 2) icap *= 2;
    if (icap > UINT32_MAX / 2 + 1) return GH_ENOMEM;
    uint32_t *index = gh_arena_calloc(a, (size_t)icap * 2 * sizeof(uint32_t));
    if (!index) return GH_ENOMEM;
    for (uint32_t i = 0; i < t->n; i++) index_insert(index, (uint32_t)icap, t->keys[i]->hash, i);
    t->index = index;
    t->icap = (uint32_t)icap;
    return 0;
}

/* Append a key known to be absent (room reserved). Returns its position. */
static uint32_t tab_append(val_t *v, val_t *key) {
    val_tab *t = &v->u.tab;
    uint32_t pos = t->n++;
    t->keys[pos] = key;
    if (t->index) index_insert(t->index, t->icap, key->hash, pos);
    if (key->kind != VAL_STRING) v->sub |= VAL_F_MIXED;
    return pos;
}

int val_obj_put(gh_arena *a, val_t *obj, val_t *key, val_t *value) {
    if (!obj || !key || !value || obj->kind != VAL_OBJECT) return GH_EINVAL;
    val_tab *t = &obj->u.tab;
    int64_t pos = tab_find(t, key, key->hash);
    if (pos >= 0) {
        val_t *old = t->vals[pos];
        obj->hash -= val_entry_mix(t->keys[pos], old);
        t->vals[pos] = value;
        obj->hash += val_entry_mix(t->keys[pos], value);
        return 0;
    }
    int rc = tab_reserve(a, obj);
    if (rc) return rc;
    uint32_t p = tab_append(obj, key);
    t->vals[p] = value;
    obj->hash += val_entry_mix(key, value);
    return 0;
}

val_t *val_obj_get(const val_t *obj, const val_t *key) {
    if (!obj || obj->kind != VAL_OBJECT || !key) return NULL;
    int64_t pos = tab_find(&obj->u.tab, key, key->hash);
    return pos >= 0 ? obj->u.tab.vals[pos] : NULL;
}

val_t *val_obj_get_str(const val_t *obj, const char *key, size_t n) {
    if (!obj || obj->kind != VAL_OBJECT) return NULL;
    const val_tab *t = &obj->u.tab;
    if (!t->index) {
        /* Few entries: comparing bytes is cheaper than hashing the key. */
        for (uint32_t i = 0; i < t->n; i++) {
            const val_t *k = t->keys[i];
            if (k->kind == VAL_STRING && k->len == n && (n == 0 || !memcmp(k->u.s, key, n)))
                return t->vals[i];
        }
        return NULL;
    }
    uint64_t h = val_hash_str(key, n);
    uint32_t mask = t->icap - 1, slot = (uint32_t)h & mask, hi = (uint32_t)(h >> 32);
    for (;;) {
        uint32_t p = t->index[2 * slot];
        if (!p) return NULL;
        if (t->index[2 * slot + 1] == hi) {
            const val_t *k = t->keys[p - 1];
            if (k->hash == h && k->kind == VAL_STRING && k->len == n &&
                (n == 0 || !memcmp(k->u.s, key, n)))
                return t->vals[p - 1];
        }
        slot = (slot + 1) & mask;
    }
}

int val_set_add(gh_arena *a, val_t *set, val_t *item, bool *added) {
    if (added) *added = false;
    if (!set || !item || set->kind != VAL_SET) return GH_EINVAL;
    if (tab_find(&set->u.tab, item, item->hash) >= 0) return 0;
    int rc = tab_reserve(a, set);
    if (rc) return rc;
    tab_append(set, item);
    set->hash += val_elem_mix(item);
    if (added) *added = true;
    return 0;
}

bool val_set_has(const val_t *set, const val_t *item) {
    if (!set || set->kind != VAL_SET || !item) return false;
    return tab_find(&set->u.tab, item, item->hash) >= 0;
}

/* ---- deep copy ------------------------------------------------------------------ */
static bool is_static(const val_t *v) {
    uintptr_t p = (uintptr_t)v, lo = (uintptr_t)val_small_ints,
              hi = (uintptr_t)(val_small_ints + (VAL_SMALL_MAX - VAL_SMALL_MIN + 1));
    return v == &val_null_v || v == &val_true_v || v == &val_false_v ||
           v == &val_empty_str_v || (p >= lo && p < hi);
}

static val_t *copy_dec(gh_arena *a, const val_t *v) {
    const val_dec *d = v->u.dec;
    size_t sz = sizeof(val_t) + sizeof(val_dec) + (size_t)d->text_len + 1 + d->ndigits;
    val_t *c = gh_arena_alloc(a, sz);
    if (!c) return NULL;
    val_dec *nd = (val_dec *)(c + 1);
    char *text = (char *)(nd + 1), *digits = text + d->text_len + 1;
    memcpy(text, d->text, d->text_len);
    text[d->text_len] = '\0';
    if (d->ndigits) memcpy(digits, d->digits, d->ndigits);
    *nd = *d;
    nd->text = text;
    nd->digits = digits;
    *c = *v;
    c->u.dec = nd;
    return c;
}

val_t *val_copy(gh_arena *a, const val_t *v) {
    if (!v) return NULL;
    if (is_static(v)) return (val_t *)v;
    switch ((val_kind)v->kind) {
    case VAL_NULL: return VAL_NULLV;
    case VAL_BOOL: return val_bool(v->u.b);
    case VAL_NUMBER:
        if (v->sub == VAL_NUM_INT) return val_int(a, v->u.i);
        return copy_dec(a, v);
    case VAL_STRING: return val_str(a, v->u.s, v->len);
    case VAL_ARRAY: {
        uint32_t n = v->u.arr.n;
        val_t *c = val_arr_new(a, n);
        if (!c) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            val_t *it = val_copy(a, v->u.arr.items[i]);
            if (!it) return NULL;
            c->u.arr.items[i] = it;
        }
        c->u.arr.n = n;
        c->hash = v->hash;
        return c;
    }
    case VAL_OBJECT:
    case VAL_SET: {
        const val_tab *t = &v->u.tab;
        bool obj = v->kind == VAL_OBJECT;
        val_t *c = tab_new(a, t->n, (val_kind)v->kind);
        if (!c) return NULL;
        for (uint32_t i = 0; i < t->n; i++) {
            val_t *k = val_copy(a, t->keys[i]);
            val_t *x = obj ? val_copy(a, t->vals[i]) : NULL;
            if (!k || (obj && !x)) return NULL;
            c->u.tab.keys[i] = k;
            if (obj) c->u.tab.vals[i] = x;
        }
        c->u.tab.n = t->n;
        if (t->index) {
            /* Positions and hashes are unchanged, so the index copies as is. */
            size_t isz = (size_t)t->icap * 2 * sizeof(uint32_t);
            uint32_t *idx = gh_arena_alloc(a, isz);
            if (!idx) return NULL;
            memcpy(idx, t->index, isz);
            c->u.tab.index = idx;
            c->u.tab.icap = t->icap;
        }
        c->sub = v->sub;
        c->hash = v->hash;
        return c;
    }
    }
    return NULL;
}
