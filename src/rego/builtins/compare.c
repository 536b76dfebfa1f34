/* compare.c - the comparison builtins (equal, neq, lt, lte, gt, gte): the
 * callable forms of ==, !=, <, <=, >, >=. They never fail: any two values
 * compare under OPA's total order (val_compare), and equality is exact
 * (1 == 1.0). The evaluator may call val_compare/val_equal directly on its
 * fast path; these entries exist for calls by name and for capabilities. */
#include "rego/builtins/builtins.h"

static int bi_equal(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_equal(args[0], args[1]));
    return RB_OK;
}

static int bi_neq(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(!val_equal(args[0], args[1]));
    return RB_OK;
}

static int bi_lt(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_compare(args[0], args[1]) < 0);
    return RB_OK;
}

static int bi_lte(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_compare(args[0], args[1]) <= 0);
    return RB_OK;
}

static int bi_gt(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_compare(args[0], args[1]) > 0);
    return RB_OK;
}

static int bi_gte(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    *out = val_bool(val_compare(args[0], args[1]) >= 0);
    return RB_OK;
}

const rego_builtin rego_bi_compare[] = {
    {"equal", 2, 0, bi_equal, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x and y are the same value (the == operator)."},
    {"neq", 2, 0, bi_neq, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x and y differ (the != operator)."},
    {"lt", 2, 0, bi_lt, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x sorts before y (the < operator)."},
    {"lte", 2, 0, bi_lte, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x sorts before or equal to y (the <= operator)."},
    {"gt", 2, 0, bi_gt, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x sorts after y (the > operator)."},
    {"gte", 2, 0, bi_gte, "(x: any, y: any) -> result: boolean", "comparison",
     "True when x sorts after or equal to y (the >= operator)."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
