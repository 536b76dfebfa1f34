/* value_int.h - internals shared by the files of the value module (value.c,
 * number.c, compare.c, json_emit.c). Not for other modules: they use value.h.
 * Invariant: every hash below is keyed with the module's own per-process
 * secret (val_hk0/val_hk1), fixed before main() runs, so values built at any
 * time hash consistently even if a test later calls gh_hash_seed(). */
#ifndef GH_VALUE_INT_H
#define GH_VALUE_INT_H

#include <string.h>

#include "value/value.h"

/* val_t.sub flag for objects and sets: some key/element is not a string
 * (sorting and JSON output take a slower, general path). */
#define VAL_F_MIXED 1u

/* Small integers served from a static table (no allocation). */
#define VAL_SMALL_MIN (-128)
#define VAL_SMALL_MAX 1023
extern val_t val_small_ints[VAL_SMALL_MAX - VAL_SMALL_MIN + 1];

/* Hash key and per-kind secrets, set by the module constructor. */
extern uint64_t val_hk0, val_hk1;
extern uint64_t val_tag_arr, val_tag_obj, val_tag_set;

static inline uint64_t val_hash_str(const char *s, size_t n) {
    return gh_siphash13(val_hk0, val_hk1, s, n);
}
/* Hash of an integral number (every representation of it hashes this way). */
uint64_t val_hash_int(int64_t i);
/* Contribution of one object entry / set element to the container hash. */
static inline uint64_t val_entry_mix(const val_t *k, const val_t *v) {
    return gh_hash_mix(gh_hash_mix(val_tag_obj, k->hash), v->hash);
}
static inline uint64_t val_elem_mix(const val_t *k) { return gh_hash_mix(val_tag_set, k->hash); }

/* Exact numeric comparison of two VAL_NUMBER values (<0, 0, >0). */
int val_num_cmp(const val_t *a, const val_t *b);
/* Decimal text of i into buf (at least 21 bytes); returns the length. */
size_t val_fmt_i64(char *buf, int64_t i);

static inline int val_str_cmp(const val_t *a, const val_t *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->u.s, b->u.s, n) : 0;
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Fill pos[0..n) with 0..n-1 sorted by val_compare of keys[pos[i]] (stable
 * merge sort). tmp holds n/2 scratch slots (unused, may be NULL, when
 * n <= 12). strings_only selects the bytewise fast comparator. */
void val_sort_pos(uint32_t *pos, uint32_t *tmp, uint32_t n, val_t *const *keys,
                  bool strings_only);

#endif
