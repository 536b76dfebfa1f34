/* arrays.c - array.concat, array.slice and array.reverse. Results share the
 * argument's elements; array.slice clamps its bounds as OPA does (negative
 * to 0, past the end to the length, start past stop to an empty slice).
 * Integer operands follow OPA's IntOperand: a plain integer literal that
 * fits int64 (1.0 and 1e0 are "floating-point"). */
#include "rego/builtins/builtins.h"

/* builtins.IntOperand: the number's text must parse as an int64. */
static int int_operand(rego_bctx *c, val_t *const *args, int i, int64_t *out) {
    const val_t *v = args[i];
    if (v->kind != VAL_NUMBER) return rb_type_err(c, i + 1, "number", v);
    if (val_is_int(v)) {
        *out = v->u.i;
        return 0;
    }
    const val_dec *d = v->u.dec;
    if (d->text_len == 2 && d->text[0] == '-' && d->text[1] == '0') {
        *out = 0;
        return 0;
    }
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                      "operand %d must be integer number but got floating-point number", i + 1);
}

static int bi_concat(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_ARRAY)) || (rc = rb_arg_kind(c, args, 1, VAL_ARRAY)))
        return rc;
    size_t na = val_arr_len(args[0]), nb = val_arr_len(args[1]);
    if (nb == 0) {
        *out = args[0];
        return RB_OK;
    }
    if (na == 0) {
        *out = args[1];
        return RB_OK;
    }
    val_t *r = val_arr_new(c->a, na + nb);
    if (!r) return rb_oom(c);
    for (size_t i = 0; i < na; i++)
        if (val_arr_push(c->a, r, val_arr_at(args[0], i))) return rb_oom(c);
    for (size_t i = 0; i < nb; i++)
        if (val_arr_push(c->a, r, val_arr_at(args[1], i))) return rb_oom(c);
    *out = r;
    return RB_OK;
}

static int bi_slice(rego_bctx *c, val_t *const *args, val_t **out) {
    int64_t start, stop;
    int rc;
    if ((rc = rb_arg_kind(c, args, 0, VAL_ARRAY)) || (rc = int_operand(c, args, 1, &start)) ||
        (rc = int_operand(c, args, 2, &stop)))
        return rc;
    int64_t n = (int64_t)val_arr_len(args[0]);
    if (stop < 0)
        stop = 0;
    else if (stop > n)
        stop = n;
    if (start < 0)
        start = 0;
    else if (start > stop)
        start = stop;
    if (start == 0 && stop == n) {
        *out = args[0];
        return RB_OK;
    }
    val_t *r = val_arr_new(c->a, (size_t)(stop - start));
    if (!r) return rb_oom(c);
    for (int64_t i = start; i < stop; i++)
        if (val_arr_push(c->a, r, val_arr_at(args[0], (size_t)i))) return rb_oom(c);
    *out = r;
    return RB_OK;
}

static int bi_reverse(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_ARRAY);
    if (rc) return rc;
    size_t n = val_arr_len(args[0]);
    val_t *r = val_arr_new(c->a, n);
    if (!r) return rb_oom(c);
    for (size_t i = n; i-- > 0;)
        if (val_arr_push(c->a, r, val_arr_at(args[0], i))) return rb_oom(c);
    *out = r;
    return RB_OK;
}

const rego_builtin rego_bi_arrays[] = {
    {"array.concat", 2, 0, bi_concat, "(x: array[any], y: array[any]) -> z: array[any]", NULL,
     "The elements of x followed by those of y."},
    {"array.slice", 3, 0, bi_slice,
     "(arr: array[any], start: number, stop: number) -> slice: array[any]", NULL,
     "Elements from index start up to (not including) stop, bounds clamped to the array."},
    {"array.reverse", 1, 0, bi_reverse, "(arr: array[any]) -> rev: array[any]", NULL,
     "The elements of an array in reverse order."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
