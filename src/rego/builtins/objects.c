/* objects.c - object builtins: object.get (key or array path), object.keys,
 * object.union (recursive merge, right wins), object.union_n (the same,
 * folded left to right), object.remove, object.filter and object.subset
 * (OPA's recursive subset: objects recurse, sets by membership, arrays as a
 * contiguous run, an array may contain a set). Results share the
 * argument's keys and values; merges allocate only the objects they change. */
#include "rego/builtins/builtins.h"

/* ---- object.get ------------------------------------------------------------- */

/* OPA's Value.Find along path[from..]: object keys, array indexes (plain
 * integer literals only) and set members; NULL when not found. */
static val_t *find(val_t *v, const val_t *path, size_t from) {
    for (size_t i = from; i < val_arr_len(path); i++) {
        val_t *k = val_arr_at(path, i);
        switch (v->kind) {
        case VAL_OBJECT:
            v = val_obj_get(v, k);
            if (!v) return NULL;
            break;
        case VAL_ARRAY:
            if (!val_is_int(k) || k->u.i < 0 || (uint64_t)k->u.i >= val_arr_len(v)) return NULL;
            v = val_arr_at(v, (size_t)k->u.i);
            break;
        case VAL_SET:
            if (!val_set_has(v, k)) return NULL;
            v = k; /* OPA continues from the path element itself */
            break;
        default: return NULL;
        }
    }
    return v;
}

static int bi_get(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    if (rc) return rc;
    val_t *r;
    if (args[1]->kind != VAL_ARRAY)
        r = val_obj_get(args[0], args[1]);
    else
        r = find(args[0], args[1], 0);
    *out = r ? r : args[2];
    return RB_OK;
}

static int bi_keys(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    if (rc) return rc;
    size_t n = val_obj_len(args[0]);
    val_t *s = val_set_new(c->a, n);
    if (!s) return rb_oom(c);
    for (size_t i = 0; i < n; i++)
        if (val_set_add(c->a, s, val_obj_key_at(args[0], i), NULL)) return rb_oom(c);
    *out = s;
    return RB_OK;
}

/* ---- object.union / object.union_n -------------------------------------------- */

/* Recursive merge: keys of b overwrite a's, except that two objects under
 * the same key merge. NULL on allocation failure. */
static val_t *merge(gh_arena *a, val_t *x, val_t *y) {
    if (val_obj_len(y) == 0) return x;
    if (val_obj_len(x) == 0) return y;
    val_t *r = val_obj_new(a, val_obj_len(x) + val_obj_len(y));
    if (!r) return NULL;
    for (size_t i = 0; i < val_obj_len(x); i++) {
        val_t *k = val_obj_key_at(x, i), *v = val_obj_val_at(x, i);
        val_t *w = val_obj_get(y, k);
        if (w) {
            if (v->kind == VAL_OBJECT && w->kind == VAL_OBJECT) {
                if (!(v = merge(a, v, w))) return NULL;
            } else {
                v = w;
            }
        }
        if (val_obj_put(a, r, k, v)) return NULL;
    }
    for (size_t i = 0; i < val_obj_len(y); i++) {
        val_t *k = val_obj_key_at(y, i);
        if (!val_obj_get(x, k) && val_obj_put(a, r, k, val_obj_val_at(y, i))) return NULL;
    }
    return r;
}

static int bi_union(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_OBJECT)) || (rc = rb_arg_kind(c, args, 1, VAL_OBJECT)))
        return rc;
    if (val_equal(args[0], args[1])) {
        *out = args[0];
        return RB_OK;
    }
    if (!(*out = merge(c->a, args[0], args[1]))) return rb_oom(c);
    return RB_OK;
}

static int bi_union_n(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_ARRAY);
    if (rc) return rc;
    const val_t *arr = args[0];
    size_t n = val_arr_len(arr);
    for (size_t i = 0; i < n; i++)
        if (val_arr_at(arr, i)->kind != VAL_OBJECT)
            return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                              "operand 1 must be array of objects but got array containing %s",
                              val_kind_name(val_kind_of(val_arr_at(arr, i))));
    if (n == 1) {
        *out = val_arr_at(arr, 0);
        return RB_OK;
    }
    /* Fold left into one fresh object (ours to update until returned), so
     * the top level costs O(total keys); nested objects merge by copy. */
    val_t *r = val_obj_new(c->a, n ? val_obj_len(val_arr_at(arr, 0)) : 0);
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        const val_t *o = val_arr_at(arr, i);
        for (size_t j = 0; j < val_obj_len(o); j++) {
            val_t *k = val_obj_key_at(o, j), *v = val_obj_val_at(o, j);
            val_t *cur = val_obj_get(r, k);
            if (cur && cur->kind == VAL_OBJECT && v->kind == VAL_OBJECT &&
                !(v = merge(c->a, cur, v)))
                return rb_oom(c);
            if (val_obj_put(c->a, r, k, v)) return rb_oom(c);
        }
    }
    *out = r;
    return RB_OK;
}

/* ---- object.remove / object.filter --------------------------------------------- */

/* The keys argument (array, set or object keys) as a lookup set. */
static int keys_param(rego_bctx *c, val_t *k, val_t **set) {
    switch (k->kind) {
    case VAL_SET: *set = k; return 0;
    case VAL_ARRAY:
    case VAL_OBJECT: {
        bool arr = k->kind == VAL_ARRAY;
        size_t n = arr ? val_arr_len(k) : val_obj_len(k);
        val_t *s = val_set_new(c->a, n);
        if (!s) return rb_oom(c);
        for (size_t i = 0; i < n; i++)
            if (val_set_add(c->a, s, arr ? val_arr_at(k, i) : val_obj_key_at(k, i), NULL))
                return rb_oom(c);
        *set = s;
        return 0;
    }
    default: return rb_type_err(c, 2, "{object, set, array}", k);
    }
}

static int keep_keys(rego_bctx *c, val_t *const *args, val_t **out, bool keep_listed) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    val_t *keys = NULL;
    if (rc || (rc = keys_param(c, args[1], &keys))) return rc;
    const val_t *obj = args[0];
    val_t *r = val_obj_new(c->a, keep_listed ? val_set_len(keys) : val_obj_len(obj));
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < val_obj_len(obj); i++) {
        val_t *k = val_obj_key_at(obj, i);
        if (val_set_has(keys, k) == keep_listed && val_obj_put(c->a, r, k, val_obj_val_at(obj, i)))
            return rb_oom(c);
    }
    *out = r;
    return RB_OK;
}

static int bi_remove(rego_bctx *c, val_t *const *args, val_t **out) {
    return keep_keys(c, args, out, false);
}

static int bi_filter(rego_bctx *c, val_t *const *args, val_t **out) {
    return keep_keys(c, args, out, true);
}

/* ---- object.subset ---------------------------------------------------------------- */

static bool set_subset(const val_t *super, const val_t *sub) {
    for (size_t i = 0; i < val_set_len(sub); i++)
        if (!val_set_has(super, val_set_at(sub, i))) return false;
    return true;
}

/* sub appears as a contiguous run in super (naive search, as OPA). */
static bool array_subset(const val_t *super, const val_t *sub) {
    size_t n = val_arr_len(super), m = val_arr_len(sub);
    if (m > n) return false;
    for (size_t start = 0; start + m <= n; start++) {
        size_t k = 0;
        while (k < m && val_compare(val_arr_at(super, start + k), val_arr_at(sub, k)) == 0)
            k++;
        if (k == m) return true;
    }
    return false;
}

/* OPA counts array elements found in the set (duplicates included) and
 * succeeds once the count reaches the set's size; an empty array never
 * succeeds. */
static bool array_set_subset(const val_t *super, const val_t *sub) {
    size_t unmatched = val_set_len(sub);
    for (size_t i = 0; i < val_arr_len(super); i++) {
        if (val_set_has(sub, val_arr_at(super, i))) unmatched--;
        if (unmatched == 0) return true;
    }
    return false;
}

static bool object_subset(const val_t *super, const val_t *sub) {
    for (size_t i = 0; i < val_obj_len(sub); i++) {
        val_t *sv = val_obj_val_at(sub, i);
        val_t *pv = val_obj_get(super, val_obj_key_at(sub, i));
        if (!pv) return false;
        if (val_equal(sv, pv)) continue;
        if (pv->kind != sv->kind) return false;
        switch (pv->kind) {
        case VAL_OBJECT:
            if (!object_subset(pv, sv)) return false;
            break;
        case VAL_SET:
            if (!set_subset(pv, sv)) return false;
            break;
        case VAL_ARRAY:
            if (!array_subset(pv, sv)) return false;
            break;
        default: return false;
        }
    }
    return true;
}

static int bi_subset(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *sup = args[0], *sub = args[1];
    bool r;
    if (sup->kind == VAL_OBJECT && sub->kind == VAL_OBJECT)
        r = object_subset(sup, sub);
    else if (sup->kind == VAL_SET && sub->kind == VAL_SET)
        r = set_subset(sup, sub);
    else if (sup->kind == VAL_ARRAY && sub->kind == VAL_ARRAY)
        r = array_subset(sup, sub);
    else if (sup->kind == VAL_ARRAY && sub->kind == VAL_SET)
        r = array_set_subset(sup, sub);
    else
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "both arguments object.subset must be of the same type or array and set");
    *out = val_bool(r);
    return RB_OK;
}

const rego_builtin rego_bi_objects[] = {
    {"object.get", 3, 0, bi_get, "(object: object[any:any], key: any, default: any) -> value: any",
     NULL, "Value at a key, or along an array path of keys, else the default."},
    {"object.keys", 1, 0, bi_keys, "(object: object[any:any]) -> value: set[any]", NULL,
     "The set of an object's keys."},
    {"object.union", 2, 0, bi_union, "(a: object[any:any], b: object[any:any]) -> output: any",
     NULL, "Recursive merge of two objects; b wins on conflicts."},
    {"object.union_n", 1, 0, bi_union_n, "(objects: array[object[any:any]]) -> output: any", NULL,
     "Recursive merge of a list of objects; later objects win."},
    {"object.remove", 2, 0, bi_remove,
     "(object: object[any:any], keys: array[any]|object[any:any]|set[any]) -> output: any", NULL,
     "The object without the given keys."},
    {"object.filter", 2, 0, bi_filter,
     "(object: object[any:any], keys: array[any]|object[any:any]|set[any]) -> filtered: any", NULL,
     "The object with only the given keys."},
    {"object.subset", 2, 0, bi_subset,
     "(super: array[any]|object[any:any]|set[any], sub: array[any]|object[any:any]|set[any]) -> "
     "result: any",
     NULL, "True when sub is contained in super, recursively for objects."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
