/* lower_int.h - state shared by the lowering files (compile_lower.c,
 * compile_lower2.c) and the safety pass (compile_safety.c): the lowering
 * context with its slot table and scope chain. One lctx lowers one frame
 * (a rule's else chain, or a query); scopes nest for comprehensions and
 * `every` bodies, whose locals get slots in the same frame. */
#ifndef GH_REGO_LOWER_INT_H
#define GH_REGO_LOWER_INT_H

#include "engine_int.h"

enum { DECL_NONE = 0, DECL_SOME, DECL_ASSIGN, DECL_ARG };

typedef struct lname {
    const char *name;
    uint32_t slot;   /* UINT32_MAX: not a local of this scope */
    uint8_t decl;    /* DECL_* */
    uint32_t decl_pos; /* expression index of a some/:= declaration */
    bool bare_some;  /* declared by `some x` (no domain) */
    const rego_loc *used_loc;
} lname;

typedef struct lscope {
    struct lscope *up;
    uint32_t id;
    bool closure; /* a comprehension or `every` body */
    uint32_t cur;  /* index of the expression being prescanned/lowered */
    bool rhs;      /* lowering the right of `:=`: expression cur's own
                    * declarations are not visible yet */
    lname *names;
    uint32_t n, cap;
    uint32_t *free; /* outer slots used inside (closure captures) */
    uint32_t nfree, capfree;
} lscope;

typedef struct lseen {
    const char *name;
    uint32_t scope;
} lseen;

typedef struct lglobal {
    uint8_t root;  /* XR_INPUT or XR_DATA */
    val_t **path;
    uint32_t npath;
} lglobal;

/* Errors kept per rule after its first: OPA reports the first
 * REGO_MAX_ERRORS of all rules by location, so a few more than that. */
enum { LC_MAX_MORE = 4 * REGO_MAX_ERRORS };

typedef struct lctx {
    const rego_policy *p;
    gh_arena *a; /* where IR goes */
    gh_err *e;
    const pmod *pm; /* NULL for queries */
    const char **slot_names;
    uint8_t *slot_flags;
    uint32_t *slot_scope;
    uint32_t nslots, capslots;
    uint32_t nscopes;
    uint32_t *scope_rank;    /* per scope id: order in which scopes were closed */
    uint32_t capranks, nclosed;
    lscope *sc;
    lseen *seen_names;
    uint32_t nseen, capseen;
    uint32_t *slot_uses;     /* lowered occurrences per slot */
    const rego_term **decls; /* `some x` (and, strict, `x :=`) declarations */
    uint8_t *decl_how;       /* DECL_* per entry of decls */
    uint32_t ndecls, capdecls;
    bool v1;                 /* Rego v1 rules (input/data may not be shadowed) */
    bool some_vars_form;     /* declaring `some x` (not `some x in xs`) */
    bool strict;             /* OPA strict mode: unused assignments/arguments */
    gh_err *more;            /* errors after the first (unused vars/args, unsafe
                                vars), arena */
    uint32_t nmore, capmore; /* nmore at most LC_MAX_MORE */
    uint32_t nhoist;         /* generated __localN__ vars (compile_hoist.c) */
    const char *err_details; /* the first error's details and detail lines */
    const char *err_text;    /* (rego_error), when it has them; arena */
    void *cap_errs;          /* rules: the lerrs that collects calls the policy's
                                capabilities reject (lowering goes on); NULL:
                                such a call is an ordinary error */
    int rc;
} lctx;

int lc_err(lctx *c, int code, const char *kind, const rego_loc *loc, const char *fmt, ...)
    GH_PRINTF(5, 6);
void lc_scope_push(lctx *c, lscope *s);
void lc_scope_pop(lctx *c);
void lc_prescan_body(lctx *c, const rego_body *b);
void lc_prescan_term(lctx *c, const rego_term *t);
void lc_declare_args(lctx *c, rego_term *const *args, uint32_t n);
void lc_declare(lctx *c, const rego_term *t, int how);
bool lc_global(lctx *c, const char *name, lglobal *g);

xterm *lc_term(lctx *c, const rego_term *t);
xterm *lc_const(lctx *c, val_t *v, const rego_term *src);
xbody *lc_body(lctx *c, const rego_body *b);
/* Resolve a call operator with n operands args (output allowed: n may be
 * arity+1). */
xcallee *lc_callee(lctx *c, const rego_term *op, rego_term *const *args, uint32_t n,
                   bool allow_out, const rego_loc *loc);
void lc_body_set_free(lctx *c, xbody *b, const lscope *sc);
/* OPA's rewrite of negated expressions' dynamic operands (compile_hoist.c):
 * the body to prescan and lower (b itself when nothing changes). */
const rego_body *lc_prep_body(lctx *c, const rego_body *b);
/* After a frame is lowered: `some` declarations that are never used. */
/* Record a rego_compile_error at loc: the first becomes c->rc/c->e, later
 * ones (while rc is that compile error) go to c->more, up to LC_MAX_MORE. */
int lc_err_more(lctx *c, const rego_loc *loc, const char *fmt, ...) GH_PRINTF(3, 4);
/* The same for any code and kind: the first error of the frame, or a later
 * one of the same code (others are dropped). Returns c->rc. */
int lc_err_add(lctx *c, int code, const char *kind, const rego_loc *loc, const char *fmt, ...)
    GH_PRINTF(5, 6);
int lc_check_unused(lctx *c);

/* compile_safety.c: reorder a body so every expression's inputs are bound;
 * `safe` (nslots flags) holds the slots bound on entry and is updated with
 * everything the body binds. */
int sf_body(lctx *c, xbody *b, uint8_t *safe);
/* Check that every var of head term t is bound; an unsafe one is reported at
 * `at` (the rule) when given, else at the term. */
int sf_head_term(lctx *c, const xterm *t, const uint8_t *safe, const rego_loc *at);

#endif
