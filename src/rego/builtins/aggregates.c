/* aggregates.c - builtins over whole collections: count, sum, product, max,
 * min, sort, all, any, and the membership operators behind `in`
 * (internal.member_2, internal.member_3). Called by the evaluator through
 * the registry. Results share the argument's elements (values are
 * immutable); only sort allocates a new array, and count never allocates
 * for collections below the small-int table. */
#include <stdlib.h>

#include "rego/builtins/arith.h"
#include "rego/builtins/builtins.h"

static int coll_err(rego_bctx *c, const val_t *v) { return rb_type_err(c, 1, "{set, array}", v); }

/* Runes in s as Go's []rune(s) counts them: each invalid byte is one. */
static size_t rune_count(const unsigned char *s, size_t n) {
    size_t count = 0, i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t len = 1;
        if (b >= 0xC2 && b <= 0xDF) {
            if (i + 1 < n && (s[i + 1] & 0xC0) == 0x80) len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            unsigned char lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
            if (i + 2 < n && s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xC0) == 0x80) len = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            unsigned char lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
            if (i + 3 < n && s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xC0) == 0x80 &&
                (s[i + 3] & 0xC0) == 0x80)
                len = 4;
        }
        i += len;
        count++;
    }
    return count;
}

static int bi_count(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *x = args[0];
    size_t n;
    switch (x->kind) {
    case VAL_ARRAY: n = val_arr_len(x); break;
    case VAL_OBJECT: n = val_obj_len(x); break;
    case VAL_SET: n = val_set_len(x); break;
    case VAL_STRING: n = rune_count((const unsigned char *)val_str_ptr(x), val_str_len(x)); break;
    default: return rb_type_err(c, 1, "{array, object, set, string}", x);
    }
    if (!(*out = val_int(c->a, (int64_t)n))) return rb_oom(c);
    return RB_OK;
}

static int fold(rego_bctx *c, val_t *const *args, val_t **out, bool product) {
    if (args[0]->kind != VAL_ARRAY && args[0]->kind != VAL_SET) return coll_err(c, args[0]);
    return rego_arith_fold(c->a, product, args[0], out, c->err);
}

static int bi_sum(rego_bctx *c, val_t *const *args, val_t **out) {
    return fold(c, args, out, false);
}
static int bi_product(rego_bctx *c, val_t *const *args, val_t **out) {
    return fold(c, args, out, true);
}

/* max/min: OPA keeps the last of equal candidates in an array (1 vs 1.0). */
static int extreme(rego_bctx *c, val_t *const *args, val_t **out, int sign) {
    const val_t *x = args[0];
    bool isset = x->kind == VAL_SET;
    if (!isset && x->kind != VAL_ARRAY) return coll_err(c, x);
    size_t n = isset ? val_set_len(x) : val_arr_len(x);
    if (n == 0) return RB_UNDEF;
    val_t *best = isset ? val_set_at(x, 0) : val_arr_at(x, 0);
    for (size_t i = 1; i < n; i++) {
        val_t *v = isset ? val_set_at(x, i) : val_arr_at(x, i);
        if (sign * val_compare(best, v) <= 0) best = v;
    }
    *out = best;
    return RB_OK;
}

static int bi_max(rego_bctx *c, val_t *const *args, val_t **out) {
    return extreme(c, args, out, 1);
}
static int bi_min(rego_bctx *c, val_t *const *args, val_t **out) {
    return extreme(c, args, out, -1);
}

/* Stable merge sort of values by val_compare (tmp holds n slots). */
static void msort(val_t **v, val_t **tmp, size_t n) {
    if (n < 2) return;
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            val_t *k = v[i];
            size_t j = i;
            while (j > 0 && val_compare(v[j - 1], k) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = k;
        }
        return;
    }
    size_t h = n / 2;
    msort(v, tmp, h);
    msort(v + h, tmp, n - h);
    if (val_compare(v[h - 1], v[h]) <= 0) return;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = val_compare(v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    for (size_t m = 0; m < n; m++)
        v[m] = tmp[m];
}

static int bi_sort(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *x = args[0];
    if (x->kind == VAL_SET) {
        size_t n = val_set_len(x);
        val_t *arr = val_arr_new(c->a, n);
        if (!arr) return rb_oom(c);
        uint32_t *ord = n ? val_sorted_order(c->a, x) : NULL;
        if (n && !ord) return rb_oom(c);
        for (size_t i = 0; i < n; i++)
            if (val_arr_push(c->a, arr, val_set_at(x, ord[i]))) return rb_oom(c);
        *out = arr;
        return RB_OK;
    }
    if (x->kind != VAL_ARRAY) return coll_err(c, x);
    size_t n = val_arr_len(x);
    val_t *arr = val_arr_new(c->a, n);
    val_t **tmp = n ? gh_arena_alloc(c->a, n * sizeof *tmp) : NULL;
    if (!arr || (n && !tmp)) return rb_oom(c);
    for (size_t i = 0; i < n; i++)
        if (val_arr_push(c->a, arr, val_arr_at(x, i))) return rb_oom(c);
    if (n) msort(arr->u.arr.items, tmp, n);
    *out = arr;
    return RB_OK;
}

static int bi_all(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *x = args[0];
    bool isset = x->kind == VAL_SET;
    if (!isset && x->kind != VAL_ARRAY) return rb_type_err(c, 1, "{array, set}", x);
    size_t n = isset ? val_set_len(x) : val_arr_len(x);
    bool res = true;
    for (size_t i = 0; i < n && res; i++)
        res = val_equal(isset ? val_set_at(x, i) : val_arr_at(x, i), VAL_TRUE);
    *out = val_bool(res);
    return RB_OK;
}

static int bi_any(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *x = args[0];
    if (x->kind == VAL_SET) {
        *out = val_bool(val_set_has(x, VAL_TRUE));
        return RB_OK;
    }
    if (x->kind != VAL_ARRAY) return rb_type_err(c, 1, "{array, set}", x);
    bool res = false;
    for (size_t i = 0; i < val_arr_len(x) && !res; i++)
        res = val_equal(val_arr_at(x, i), VAL_TRUE);
    *out = val_bool(res);
    return RB_OK;
}

/* `x in coll`: element of a set, array element, or object value. */
static int bi_member2(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    const val_t *x = args[0], *coll = args[1];
    bool res = false;
    if (coll->kind == VAL_SET) {
        res = val_set_has(coll, x);
    } else if (coll->kind == VAL_ARRAY) {
        for (size_t i = 0; i < val_arr_len(coll) && !res; i++)
            res = val_equal(val_arr_at(coll, i), x);
    } else if (coll->kind == VAL_OBJECT) {
        for (size_t i = 0; i < val_obj_len(coll) && !res; i++)
            res = val_equal(val_obj_val_at(coll, i), x);
    }
    *out = val_bool(res);
    return RB_OK;
}

/* `k, v in coll`: coll[k] == v for arrays and objects; false for sets. */
static int bi_member3(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    const val_t *k = args[0], *v = args[1], *coll = args[2];
    bool res = false;
    if (coll->kind == VAL_OBJECT) {
        val_t *got = val_obj_get(coll, k);
        res = got && val_equal(got, v);
    } else if (coll->kind == VAL_ARRAY) {
        /* Array.Get takes only a plain integer literal index (not 1.0). */
        if (val_is_int(k) && k->u.i >= 0 && (uint64_t)k->u.i < val_arr_len(coll))
            res = val_equal(val_arr_at(coll, (size_t)k->u.i), v);
    }
    *out = val_bool(res);
    return RB_OK;
}

const rego_builtin rego_bi_aggregates[] = {
    {"count", 1, 0, bi_count,
     "(collection: string|array[any]|object[any:any]|set[any]) -> n: number", "aggregates",
     "Number of elements of a collection, or of characters (code points) of a string."},
    {"sum", 1, 0, bi_sum, "(collection: array[number]|set[number]) -> n: number", "aggregates",
     "Sum of the numbers of an array or set."},
    {"product", 1, 0, bi_product, "(collection: array[number]|set[number]) -> n: number",
     "aggregates", "Product of the numbers of an array or set."},
    {"max", 1, 0, bi_max, "(collection: array[any]|set[any]) -> n: any", "aggregates",
     "Largest element of an array or set; undefined when empty."},
    {"min", 1, 0, bi_min, "(collection: array[any]|set[any]) -> n: any", "aggregates",
     "Smallest element of an array or set; undefined when empty."},
    {"sort", 1, 0, bi_sort, "(collection: array[any]|set[any]) -> n: array[any]", "aggregates",
     "Elements of an array or set in ascending order, as an array."},
    {"all", 1, 0, bi_all, "(array[any]|set[any]) -> boolean", NULL,
     "True when every element is true (deprecated; use every)."},
    {"any", 1, 0, bi_any, "(array[any]|set[any]) -> boolean", NULL,
     "True when some element is true (deprecated; use some ... in)."},
    {"internal.member_2", 2, 0, bi_member2, "(any, any) -> boolean", NULL,
     "Membership test behind `x in coll`."},
    {"internal.member_3", 3, 0, bi_member3, "(any, any, any) -> boolean", NULL,
     "Key/value membership test behind `k, v in coll`."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
