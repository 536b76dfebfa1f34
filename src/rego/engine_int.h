/* engine_int.h - private structures of the Rego compiler and evaluator
 * (compile*.c, eval*.c). The compiler lowers the parser's AST into the IR
 * below: vars become frame slots, refs are rooted (local, input, data or a
 * computed value) and calls are bound to a builtin or a rule-tree node. The
 * IR and the rule tree live in the policy's arena and are immutable after
 * rego_policy_compile; a prepared query adds its own IR in its own arena. */
#ifndef GH_REGO_ENGINE_INT_H
#define GH_REGO_ENGINE_INT_H

#include <stdatomic.h>

#include "builtins/builtins.h"
#include "errors_int.h"
#include "rego.h"

typedef struct xterm xterm;
typedef struct xexpr xexpr;
typedef struct xbody xbody;
typedef struct xrule xrule;
typedef struct rnode rnode;
typedef struct ev ev;

/* ---- IR: terms ------------------------------------------------------------ */
enum {
    XT_CONST,  /* u.v */
    XT_VAR,    /* slot */
    XT_REF,    /* u.ref */
    XT_ARRAY,  /* u.list */
    XT_SET,    /* u.list */
    XT_OBJECT, /* u.obj */
    XT_ACOMPR, /* u.compr */
    XT_SCOMPR,
    XT_OCOMPR,
    XT_CALL,   /* u.call */
};

/* ref roots */
enum { XR_LOCAL, XR_INPUT, XR_DATA, XR_TERM };

/* term flags */
enum {
    XF_OPEN = 1 << 0,     /* contains vars outside ref paths/calls/closures: may need
                             unification instead of evaluation */
    XF_WILDCARD = 1 << 1, /* a `_` (or generated) var */
    XF_GEN = 1 << 2,      /* a var the user did not write (hidden from results) */
};

/* Callee kinds. Internal ops are evaluated inline, everything else through
 * the registry (builtins) or the rule tree (user functions). */
enum { XC_BUILTIN, XC_FUNC, XC_OP };
enum {
    OP_NONE,
    OP_EQUAL, OP_NEQ, OP_LT, OP_LTE, OP_GT, OP_GTE,
    OP_PLUS, OP_MINUS, OP_MUL, OP_DIV, OP_REM,
    OP_MEMBER2, OP_MEMBER3, OP_PRINT, OP_EQ, OP_ASSIGN,
    OP_META_RULE, OP_META_CHAIN, OP_AND, OP_OR, OP_TRACE,
};

typedef struct xcallee {
    uint8_t kind; /* XC_* */
    uint8_t op;   /* OP_* for XC_OP */
    uint16_t arity;
    const rego_builtin *bi; /* XC_BUILTIN (also set for ops present in the registry) */
    rnode *fn;              /* XC_FUNC */
    const char *name;       /* dotted name ("count", "data.a.f") */
} xcallee;

struct xterm {
    uint8_t kind;  /* XT_* */
    uint8_t flags; /* XF_* */
    uint8_t root;  /* XT_REF: XR_* */
    uint8_t pad;
    uint32_t slot; /* XT_VAR */
    const rego_term *src;
    union {
        val_t *v;
        struct {
            xterm **items;
            uint32_t n;
        } list;
        struct {
            xterm **keys, **vals;
            uint32_t n;
        } obj;
        struct {
            xterm *key, *head;
            xbody *body;
        } compr;
        struct {
            xterm *head;   /* XR_LOCAL: the var; XR_TERM: the computed head */
            xterm **path;  /* elements after the head (data/input: after the root) */
            uint32_t n;
            rnode *node;   /* XR_DATA: node reached by the first `nfixed` constant keys */
            uint32_t nfixed;
        } ref;
        struct {
            xcallee *c;
            xterm **args;
            uint32_t n;
        } call;
    } u;
};

/* ---- IR: expressions ------------------------------------------------------- */
enum {
    XE_TERM,  /* u.term: true when defined and not false */
    XE_UNIFY, /* u.un: a = b (also :=) */
    XE_CALL,  /* u.call: f(args) with an optional output term */
    XE_SOME,  /* u.some: some [k,] v in dom */
    XE_EVERY, /* u.every */
    XE_NOOP,  /* `some x` declaration */
};

enum { XW_INPUT, XW_DATA, XW_FUNC };

typedef struct xwith {
    uint8_t kind;  /* XW_* */
    val_t **path;  /* INPUT/DATA: keys after the root */
    uint32_t npath;
    xcallee *target; /* FUNC: the replaced function/builtin */
    xcallee *repl;   /* FUNC: replacement function, or NULL when value is a term */
    xterm *value;
    const rego_with *src;
} xwith;

struct xexpr {
    uint8_t kind;
    bool negated;
    uint16_t pad;    /* queries: 1 + source index of a top-level expression, else 0 */
    uint32_t nwith;
    xwith *with;
    const rego_expr *src;
    union {
        xterm *term;
        struct {
            xterm *a, *b;
        } un;
        struct {
            xcallee *c;
            xterm **args;
            uint32_t n; /* inputs */
            xterm *out; /* output term or NULL */
        } call;
        struct {
            xterm *key, *val, *dom;
        } some;
        struct {
            xterm *key, *val, *dom;
            xbody *body;
        } every;
    } u;
};

struct xbody {
    xexpr **exprs;
    uint32_t n;
    uint32_t *free;  /* closure/every bodies: outer slots they read */
    uint32_t nfree;
};

/* ---- rules and the rule tree -------------------------------------------------- */
enum { XK_COMPLETE, XK_MULTI, XK_OBJ, XK_FUNC };

struct xrule {
    uint8_t kind;     /* XK_* (OBJ: ref head with a non-constant tail) */
    bool is_default;
    const rego_rule *src;
    xterm **args;     /* FUNC */
    uint32_t nargs;
    xterm **tail;     /* ref elements after the node's path (OBJ, MULTI with tail) */
    uint32_t ntail;
    xterm *key;       /* MULTI element */
    xterm *value;     /* COMPLETE/OBJ/FUNC value */
    xterm *headt;     /* MULTI/OBJ: [tail..., key or value] as one array term */
    xbody *body;
    xrule *els;       /* else branch (shares the frame) */
    uint32_t nslots;  /* frame size (the whole chain) */
    const char **slot_names;
};

enum { NK_NONE, NK_COMPLETE, NK_MULTI, NK_OBJ, NK_FUNC };

/* Rule index of a node (compile_index.c): rules requiring `ref == const`. */
typedef struct rule_index {
    const xterm *ref; /* input.<consts> */
    val_t *map;       /* const -> array of rule positions */
    uint8_t *always;  /* per rule: 1 when it does not test ref */
} rule_index;

struct rnode {
    val_t *key;       /* segment key (root: NULL) */
    rnode *parent;
    rnode **kids;     /* sorted by key (val_compare) */
    uint32_t nkids, capkids;
    xrule **rules;    /* non-default rules (else chains hang off them) */
    uint32_t nrules;
    xrule *dflt;
    const rego_rule **srcs; /* the rules' ASTs (same order as rules) */
    uint32_t nsrcs, capsrcs;
    const rego_rule *dflt_src;
    rule_index *index;    /* NULL: run every rule */
    uint8_t kind;     /* NK_* */
    bool subtree_rules; /* some rule at or below this node */
    bool conflict;      /* a rule conflict was reported here (compile fails) */
    bool is_package;
    uint32_t id;      /* index in per-evaluation memo tables */
    uint32_t depth;
    val_t *path;      /* array of keys from data */
    int16_t func_arity; /* NK_FUNC */
    bool recursive_checked;
    uint8_t visit;    /* compile-time cycle detection state */
};

/* ---- policy and query ----------------------------------------------------------- */
typedef struct pmod {
    rego_module *m;
    gh_arena *arena;  /* the module's AST (parsed with a memory budget) */
    rnode *pkg;       /* the package node */
    const char *pkg_path; /* "data.a.b" */
    uint8_t *import_used; /* per import: referenced by some rule (strict mode) */
} pmod;

struct rego_policy {
    gh_arena a;
    pmod *mods;
    uint32_t nmods, capmods;
    val_t *data;      /* merged base documents (object) */
    rnode *root;      /* data */
    uint32_t nnodes;
    bool compiled;
    bool strict;
    rego_builtin_fn allow_builtin; /* capabilities (rego_compile_opts), set while
                                      rules are lowered; NULL: all builtins */
    void *allow_ctx;
    rego_errors *errsink; /* rego_compile_opts.errors while compiling, else NULL */
    val_t **bases;    /* compiled: base document of each node (by id), or NULL */
    rego_policy *core; /* rebased (rego_policy_rebase): the policy whose modules, rule
                          tree and plans this one shares, referenced; NULL: itself */
    _Atomic uint32_t refs; /* 1 + the rebased policies sharing this one */
};

/* Base document at node n of the policy being evaluated. */
#define RP_BASE(p, n) ((p)->bases[(n)->id])

struct rego_query {
    const rego_policy *p;
    gh_arena *a;
    xbody *body;
    uint32_t nslots;
    const char **slot_names; /* user-visible names; NULL for generated slots */
    uint32_t *result_slots;  /* visible slots sorted by name */
    uint32_t nresult;
    const rego_body *src;
    bool capture; /* report the single expression's value even when false */
};

/* ---- compiler internals (compile*.c) ------------------------------------------- */
typedef struct cctx cctx;

/* Error helpers: record OPA-style errors with a node location. */
int rc_errf(gh_err *e, int code, const char *kind, const rego_loc *loc, const char *fmt, ...)
    GH_PRINTF(5, 6);

/* The details of OPA's "NAME: arity mismatch" (compile_typerr.c): have, the
 * types of the n operands (constants; others unknown; then an unknown
 * output when `out`: a call term), want the builtin's
 * declared arguments. json and text as rego_error's details/detail_text, in
 * a; left NULL on OOM or without a declaration. */
void rc_arity_details(gh_arena *a, const rego_builtin *bi, rego_term *const *args, uint32_t n,
                      bool out, char **json, char **text);

/* Rule tree construction (compile_tree.c). */
rnode *rt_node_new(rego_policy *p, rnode *parent, val_t *key);
rnode *rt_kid(const rnode *n, const val_t *key);
rnode *rt_kid_add(rego_policy *p, rnode *n, val_t *key);
/* "data.a.b" text of a node's path (non-string keys as [json]), in a. */
const char *rc_node_path(gh_arena *a, const rnode *n);
/* Walk a dotted data path ("data" excluded) from the root; NULL when absent. */
rnode *rt_lookup(const rego_policy *p, val_t *const *keys, uint32_t n);

/* Lowering of rules and queries (compile_lower.c). */
int rc_lower_rules(rego_policy *p, gh_err *e);
int rc_lower_query(const rego_policy *p, gh_arena *a, const rego_body *b, bool v1,
                   rego_query *q, gh_err *e, rego_errors *sink);

/* Safety check and reordering (compile_safety.c), type checks (compile_types.c),
 * recursion (compile_tree.c). */
int rc_check_recursion(rego_policy *p, gh_err *e);
int rc_check_types(rego_policy *p, gh_err *e);
int rc_check_query_types(const rego_policy *p, rego_query *q, gh_err *e, rego_errors *sink);
int rc_build_indexes(rego_policy *p, gh_err *e);

/* A term value known at compile time (ground scalars/composites); NULL otherwise. */
val_t *rc_term_const(gh_arena *a, const rego_term *t);

/* ---- evaluator (eval*.c) -------------------------------------------------------- */
/* Continuations: fn receives the value produced (NULL for body/bool
 * continuations). Return 0 to keep searching, EV_STOP to stop the search
 * successfully, or a negative GH_E* error. */
#define EV_STOP 1
typedef struct kont kont;
struct kont {
    int (*fn)(ev *e, kont *k, val_t *v);
};

typedef struct ev_override { /* with data.x as v */
    val_t **path;
    uint32_t npath;
    val_t *value;
} ev_override;

typedef struct ev_mock { /* with f as g */
    const xcallee *target;
    const xcallee *repl; /* NULL: use value */
    val_t *value;
} ev_mock;

typedef struct ev_memo {
    val_t **vals;     /* by node id; NULL = not computed */
    uint8_t *state;   /* 0 unknown, 1 computing, 2 done (value may be NULL = undefined) */
} ev_memo;

struct ev {
    const rego_policy *p;
    gh_arena *a;
    gh_err *err;
    val_t **frame;
    val_t *input;
    ev_memo *memo;
    ev_override *ovr;
    uint32_t novr, capovr;
    ev_mock *mocks;
    uint32_t nmocks, capmocks;
    uint64_t steps, max_steps;
    int64_t deadline_ns; /* 0: none */
    rego_bctx bctx;
    gh_err bierr;
    bool strict;
    uint32_t depth;  /* rule/function call depth */
    const rego_eval_opts *opts;
    const rego_rule *cur_rule; /* for rego.metadata.rule */
    val_t **qvals;   /* values of the query's top-level expressions */
    bool capture;    /* rego_query.capture: a false top-level value succeeds */
    uintptr_t stack_base; /* address near the top of the evaluation's stack */
    size_t stack_limit;
    /* tracing (rego_eval_opts.trace): NULL on the fast path */
    void (*trace)(void *ud, const rego_trace_event *ev);
    void *trace_ud;
    uint32_t tdepth; /* query nesting of the body being evaluated (1 = the query) */
};

/* eval.c */
int ev_expr_inner(ev *e, const xexpr *x, kont *k); /* after `with` is applied */
int ev_expr_pos(ev *e, const xexpr *x, kont *k);   /* ignoring `not` */
#define EV_ITER 2 /* ev_term_direct: a var is unbound, iterate with ev_term */
int ev_term_direct(ev *e, const xterm *t, val_t **out);
int ev_body(ev *e, const xbody *b, uint32_t i, kont *k);
int ev_expr(ev *e, const xexpr *x, kont *k);
int ev_term(ev *e, const xterm *t, kont *k);
int ev_unify(ev *e, const xterm *t, val_t *v, kont *k);
int ev_unify_terms(ev *e, const xterm *a, const xterm *b, kont *k);
/* Single value of a term whose vars are all bound: *out (NULL = undefined).
 * Iterating terms give their first value. */
int ev_value(ev *e, const xterm *t, val_t **out);
int ev_oom(ev *e);
int ev_step(ev *e);
int ev_errf(ev *e, int code, const char *kind, const rego_loc *loc, const char *fmt, ...)
    GH_PRINTF(5, 6);

/* eval_trace.c: the traced variants, used only when e->trace is set. */
int ev_expr_traced(ev *e, const xexpr *x, kont *k);
/* Emit one event at the current depth (+ the op's offset, as OPA's tracer). */
void ev_trace(ev *e, rego_trace_op op, const rego_expr *x, const rego_body *b,
              const rego_rule *r, const char *ref, uint8_t flags);
/* Run body b as a closure (comprehension, every) one level deeper, with
 * ENTER/EXIT/REDO events around it. */
int ev_body_traced(ev *e, const xbody *b, kont *k);
/* A rule body, one level deeper: ENTER, then EXIT/REDO around each solution. */
int ev_rule_body_traced(ev *e, const xrule *r, const xbody *b, kont *k);
/* INDEX event for a rule-tree node being evaluated (ncand rules kept). */
void ev_trace_index(ev *e, rnode *n, uint32_t ncand, bool early);
/* The positive side of a negated expression as OPA's child query: EVAL,
 * then EXIT/REDO of the negation around each solution, REDO or FAIL. */
int ev_neg_traced(ev *e, const xexpr *x, kont *k);

/* eval_ref.c */
int ev_ref_direct(ev *e, const xterm *t, val_t **out);
int ev_ref(ev *e, const xterm *t, kont *k);
int ev_walk_val(ev *e, val_t *v, xterm *const *path, uint32_t i, uint32_t n, kont *k);
/* Value of a data node (rules evaluated, base merged, overrides applied). */
int ev_node_value(ev *e, rnode *n, val_t **out);
val_t *ev_lookup(val_t *coll, const val_t *key);

/* eval_rules.c */
int ev_rule_node(ev *e, rnode *n, val_t **out);
int ev_func_call(ev *e, rnode *fn, val_t **args, uint32_t nargs, const rego_loc *loc,
                 val_t **out);

/* eval_call.c */
int ev_call(ev *e, const xcallee *c, val_t **args, uint32_t nargs, const rego_loc *loc,
            val_t **out);
int ev_print(ev *e, const xexpr *x);
int ev_with(ev *e, const xexpr *x, kont *k);
/* Format a value as Rego text (sets as {..}, strings quoted). */
void ev_fmt_value(gh_buf *b, const val_t *v);

#endif
