/* sets.c - set algebra: intersection and union of a set of sets, the `&`
 * and `|` operators (and, or) and the deprecated set_diff (the `-` operator
 * on sets lives in arith.c's minus). Results reuse the argument's elements
 * and, where the answer is one of the arguments unchanged, the argument. */
#include "rego/builtins/builtins.h"

/* x & y: iterate the smaller set, probe the larger. */
static int inter2(rego_bctx *c, val_t *x, val_t *y, val_t **out) {
    if (val_set_len(x) > val_set_len(y)) {
        val_t *t = x;
        x = y;
        y = t;
    }
    size_t n = val_set_len(x);
    val_t *r = val_set_new(c->a, n);
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        val_t *k = val_set_at(x, i);
        if (val_set_has(y, k) && val_set_add(c->a, r, k, NULL)) return rb_oom(c);
    }
    *out = r;
    return RB_OK;
}

/* Adds every element of src to dst. */
static int add_all(rego_bctx *c, val_t *dst, const val_t *src) {
    for (size_t i = 0; i < val_set_len(src); i++)
        if (val_set_add(c->a, dst, val_set_at(src, i), NULL)) return rb_oom(c);
    return 0;
}

static int bi_intersection(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_SET);
    if (rc) return rc;
    const val_t *xs = args[0];
    size_t n = val_set_len(xs);
    for (size_t i = 0; i < n; i++)
        if (val_set_at(xs, i)->kind != VAL_SET) return rb_type_err(c, 1, "set", val_set_at(xs, i));
    if (n == 0) {
        if (!(*out = val_set_new(c->a, 0))) return rb_oom(c);
        return RB_OK;
    }
    val_t *r = val_set_at(xs, 0);
    for (size_t i = 1; i < n && val_set_len(r); i++)
        if ((rc = inter2(c, r, val_set_at(xs, i), &r))) return rc;
    *out = r;
    return RB_OK;
}

static int bi_union(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_SET);
    if (rc) return rc;
    const val_t *xs = args[0];
    size_t n = val_set_len(xs), total = 0;
    for (size_t i = 0; i < n; i++) {
        if (val_set_at(xs, i)->kind != VAL_SET) return rb_type_err(c, 1, "set", val_set_at(xs, i));
        total += val_set_len(val_set_at(xs, i));
    }
    if (n == 1) {
        *out = val_set_at(xs, 0);
        return RB_OK;
    }
    val_t *r = val_set_new(c->a, total);
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < n; i++)
        if ((rc = add_all(c, r, val_set_at(xs, i)))) return rc;
    *out = r;
    return RB_OK;
}

static int bi_and(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_SET)) || (rc = rb_arg_kind(c, args, 1, VAL_SET)))
        return rc;
    return inter2(c, args[0], args[1], out);
}

static int bi_or(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_SET)) || (rc = rb_arg_kind(c, args, 1, VAL_SET)))
        return rc;
    if (val_set_len(args[1]) == 0) {
        *out = args[0];
        return RB_OK;
    }
    if (val_set_len(args[0]) == 0) {
        *out = args[1];
        return RB_OK;
    }
    val_t *r = val_set_new(c->a, val_set_len(args[0]) + val_set_len(args[1]));
    if (!r) return rb_oom(c);
    if ((rc = add_all(c, r, args[0])) || (rc = add_all(c, r, args[1]))) return rc;
    *out = r;
    return RB_OK;
}

static int bi_set_diff(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_SET)) || (rc = rb_arg_kind(c, args, 1, VAL_SET)))
        return rc;
    val_t *x = args[0], *y = args[1];
    if (val_set_len(y) == 0) {
        *out = x;
        return RB_OK;
    }
    val_t *r = val_set_new(c->a, val_set_len(x));
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < val_set_len(x); i++) {
        val_t *k = val_set_at(x, i);
        if (!val_set_has(y, k) && val_set_add(c->a, r, k, NULL)) return rb_oom(c);
    }
    *out = r;
    return RB_OK;
}

const rego_builtin rego_bi_sets[] = {
    {"intersection", 1, 0, bi_intersection, "(xs: set[set[any]]) -> y: set[any]", "sets",
     "Elements common to every set in xs."},
    {"union", 1, 0, bi_union, "(xs: set[set[any]]) -> y: set[any]", "sets",
     "Elements of any set in xs."},
    {"and", 2, 0, bi_and, "(x: set[any], y: set[any]) -> z: set[any]", "sets",
     "Intersection of two sets (the & operator)."},
    {"or", 2, 0, bi_or, "(x: set[any], y: set[any]) -> z: set[any]", "sets",
     "Union of two sets (the | operator)."},
    {"set_diff", 2, 0, bi_set_diff, "(set[any], set[any]) -> set[any]", NULL,
     "Elements of the first set not in the second (deprecated; use -)."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
