/* args.c - argument checking helpers shared by every builtin family, and the
 * per-query memo. Messages follow OPA's wording exactly, since policies and
 * tests match on them: "operand 2 must be string but got number". */
#include <stdio.h>

#include "builtins.h"

int rb_type_err(rego_bctx *c, int argi, const char *want, const val_t *got) {
    if (want && want[0] == '{')
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand %d must be one of %s but got %s",
                          argi, want, val_kind_name(val_kind_of(got)));
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand %d must be %s but got %s", argi, want,
                      val_kind_name(val_kind_of(got)));
}

int rb_arg_kind(rego_bctx *c, val_t *const *args, int i, val_kind k) {
    if (val_kind_of(args[i]) == k) return 0;
    return rb_type_err(c, i + 1, val_kind_name(k), args[i]);
}

int rb_arg_str(rego_bctx *c, val_t *const *args, int i, const char **s, size_t *n) {
    if (!val_is_str(args[i])) return rb_type_err(c, i + 1, "string", args[i]);
    if (s) *s = val_str_ptr(args[i]);
    if (n) *n = val_str_len(args[i]);
    return 0;
}

int rb_arg_num(rego_bctx *c, val_t *const *args, int i) {
    return rb_arg_kind(c, args, i, VAL_NUMBER);
}

int rb_arg_int(rego_bctx *c, val_t *const *args, int i, int64_t *out) {
    if (val_kind_of(args[i]) != VAL_NUMBER) return rb_type_err(c, i + 1, "number", args[i]);
    /* As OPA's IntOperand: the literal must be an integer that fits int64;
     * 1.0 or 1e2 are floating-point numbers there even though integral. */
    if (!val_is_int(args[i]) || !val_num_to_int64(args[i], out))
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand %d must be integer number but got "
                          "floating-point number", i + 1);
    return 0;
}

int rb_arg_bool(rego_bctx *c, val_t *const *args, int i, bool *out) {
    if (val_kind_of(args[i]) != VAL_BOOL) return rb_type_err(c, i + 1, "boolean", args[i]);
    if (out) *out = args[i]->u.b;
    return 0;
}

int rb_err(rego_bctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(c->err, GH_EINVAL, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return GH_EINVAL;
}

int rb_oom(rego_bctx *c) {
    return gh_err_set(c->err, GH_ENOMEM, NULL, 0, 0, "out of memory");
}

val_t *rb_cache_get(rego_bctx *c, val_t *key) {
    return c->cache ? val_obj_get(c->cache, key) : NULL;
}

int rb_cache_put(rego_bctx *c, val_t *key, val_t *value) {
    if (!c->cache && !(c->cache = val_obj_new(c->a, 8))) return rb_oom(c);
    return val_obj_put(c->a, c->cache, key, value) ? rb_oom(c) : 0;
}
