/* strings_int.h - declarations shared by the string builtin files
 * (strings.c, sprintf.c, template.c, units.c, semver.c); private to
 * src/rego/builtins/. */
#ifndef GH_REGO_STRINGS_INT_H
#define GH_REGO_STRINGS_INT_H

#include "rego/builtins/builtins.h"

/* Largest integer (in bits) that format_int or sprintf will spell out from
 * a number with a huge exponent (e.g. 1e100000). OPA prints any size; we
 * refuse beyond this with a builtin error rather than allocate megabytes. */
#define RB_FMT_MAX_BITS 262144

/* OPA's NewOperandElementErr: "operand N must be array of strings but got
 * array containing number" (GH_ETYPE). */
int rb_elem_err(rego_bctx *c, int pos, const val_t *coll, const val_t *got, const char *want);
/* OPA's IntOperand: an integer literal that fits int64 (1.0 and 1e3 are
 * refused as floating-point, as OPA does). */
int rb_go_int_operand(rego_bctx *c, val_t *const *args, int i, int64_t *out);

/* strings.render_template (template.c). */
int rb_bi_render_template(rego_bctx *c, val_t *const *args, val_t **out);

/* A Go value as fmt sees it (sprintf.c): int, *big.Int (decimal digits in
 * s, sign in neg), float64, string (s, n), bool (i != 0) or a nil
 * interface. tname, when set, replaces the Go type name shown by %T and
 * in error verbs (e.g. "json.Number" for template data). */
enum { GA_INT, GA_BIG, GA_FLOAT, GA_STR, GA_BOOL, GA_NIL };
typedef struct garg {
    int k;
    int64_t i;
    double f;
    const char *s;
    size_t n;
    bool neg;
    const char *tname;
} garg;

/* Go's fmt.Sprintf over OPA's conversion of Rego values, or over prepared
 * Go values. Append to b; return 0 or GH_ENOMEM. */
struct rb_sb;
int rb_go_sprintf(struct rb_sb *b, gh_arena *a, const char *fmt, size_t fn, val_t *const *vals,
                  size_t nvals);
int rb_go_sprintf_args(struct rb_sb *b, gh_arena *a, const char *fmt, size_t fn,
                       const garg *args, size_t nargs);

#endif
