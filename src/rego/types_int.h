/* types_int.h - the type checker's types (compile_types.c) and the OPA-shaped
 * details of its errors (compile_typerr.c). Types live in the checker's
 * temporary arena; the static scalar types are shared and never written. */
#ifndef GH_REGO_TYPES_INT_H
#define GH_REGO_TYPES_INT_H

#include "engine_int.h"

enum { TY_ANY, TY_NULL, TY_BOOL, TY_NUM, TY_STR, TY_ARR, TY_OBJ, TY_SET, TY_UNION };

typedef struct ty ty;
struct ty {
    uint8_t k;
    uint32_t n;    /* ARR: static items; OBJ: static keys; UNION: members */
    ty **items;    /* ARR static items, OBJ static values, UNION members */
    val_t **keys;  /* OBJ static keys */
    ty *dyn;       /* ARR/SET element, OBJ dynamic value (NULL: none) */
    ty *dkey;      /* OBJ dynamic key */
};

extern ty T_ANY, T_NULL, T_BOOL, T_NUM, T_STR; /* shared, never written */
/* A var not bound yet: `any` to every check, unknown (null, "???") in
 * error details as OPA shows it. */
extern ty T_UNK;

/* The checker's state for one policy or query (compile_types.c). */
typedef struct tcx {
    rego_policy *p;      /* NULL while checking a query (then pc is set) */
    const rego_policy *pc;
    gh_arena *a;         /* temporary */
    gh_err *e;
    int rc;              /* fatal (out of memory): stop */
    rego_errors errs;    /* type errors found so far; checking stops after
                            REGO_MAX_ERRORS + 1 (the limit is then reached) */
    ty **ntype;          /* per node id: inferred type (NULL = not yet) */
    uint8_t *nstate;     /* 0 new, 1 in progress, 2 done */
    ty **vt;             /* current frame's var types */
    uint32_t nvt;
    uint8_t *refine;     /* per slot: a function argument whose type usage refines */
    ty ***fparams;       /* per node id: function parameter types (NULL: unknown) */
    uint32_t nest;       /* node_type recursion depth */
    /* decl cache */
    const rego_builtin **dbi;
    ty ***dargs;
    ty **dres;
    uint32_t ndecl, capdecl;
} tcx;

/* ---- compile_typebase.c ---- */
/* Stop checking: out of memory, or enough errors to report OPA's limit. */
static inline bool tc_stop(const tcx *c) { return c->rc || c->errs.n > REGO_MAX_ERRORS; }
/* Record a type error at loc (details/text: see rego_error; may be NULL). */
void tc_err(tcx *c, const rego_loc *loc, const char *details, const char *text, const char *fmt,
            ...) GH_PRINTF(5, 6);
/* A new type of kind k in the checker's arena (&T_ANY on OOM, c->rc set). */
ty *ty_new(tcx *c, uint8_t k);
/* a or b (either may be NULL: the other). */
ty *ty_union(tcx *c, ty *a, ty *b);
/* The static type of a value. */
ty *ty_of_value(tcx *c, const val_t *v);
/* The scalar type of a scalar value (any for composites). */
const ty *ty_scalar_of(const val_t *v);
/* A builtin's argument and result types from its decl (cached); false when
 * the decl does not parse. */
bool tc_decl_of(tcx *c, const rego_builtin *bi, ty ***args, ty **res);
/* An operator's (OP_*) argument types (arity of them) and *res; NULL when
 * the checker knows no signature for it. */
ty **tc_op_decl(tcx *c, uint8_t op, uint32_t arity, ty **res);
/* Could a value of type a be accepted where w is wanted? */
bool ty_compat(const ty *a, const ty *w);
/* The type of t[key]; NULL when a constant key cannot exist in a value of
 * static type t (OPA's "undefined ref"). */
ty *ty_index(tcx *c, ty *t, const xterm *key);

/* ---- compile_typerr.c ---- */
/* OPA's JSON encoding of a type ({"type": "number"}, {"type": "array",
 * "static": [...], "dynamic": T}, {"type": "any", "of": [...]}, ...);
 * NULL on OOM. */
val_t *ty_to_value(gh_arena *a, const ty *t);
/* OPA's text of a type in that encoding ("array<number, string>",
 * "object[string: any]", "any<number, set[any]>"; a "name" member is
 * printed first as "name: "); NULL (an unknown operand) prints "???". */
void ty_value_print(gh_buf *b, const val_t *tv);

/* The details of OPA's argument error for a call: have[0..nhave) (NULL
 * entries are unknown, JSON null), want: the wanted argument types (an
 * array value of named or plain type values, the result last). On success
 * *json is the details object's JSON text and *text its lines, both in a;
 * false on OOM. */
bool ty_args_details(gh_arena *a, const ty *const *have, uint32_t nhave, const val_t *want,
                     char **json, char **text);
/* OPA's JSON of a function type: {"type": "function", "args": [...],
 * "result": R}; a NULL parameter is `any`. NULL on OOM. */
val_t *ty_func_value(gh_arena *a, ty *const *params, uint32_t n, const ty *result);
/* The details of an "undefined ref" error. ref: the ref's terms in OPA's
 * AST JSON; text[k]: the ref's text for its first k terms (k = 1..n), so
 * text[n] is the whole ref. Unsupported (have, a type value, non-NULL):
 * ref[0..pos] is of a type that cannot be indexed (a scalar, a function).
 * Invalid (have NULL): the key ref[pos] cannot exist in the indexed type,
 * whose keys are of type want (a type value) and are oneof (an array of
 * values, or NULL for arrays). False on OOM. */
bool ty_ref_details(gh_arena *a, const val_t *ref, char *const *text, uint32_t pos,
                    const val_t *have, const val_t *want, const val_t *oneof, char **json,
                    char **out);
/* The details of a unification "match error": {"a": A, "b": B} and the
 * lines "left  : A" / "right : B". False on OOM. */
bool ty_match_details(gh_arena *a, const ty *l, const ty *r, char **json, char **text);

#endif
