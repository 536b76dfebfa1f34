/* rego.h - gatehouse's OPA-compatible Rego engine: public API.
 *
 * Contents (a table of contents; later stages append their own sections):
 *   1. versions, locations, options
 *   2. the AST: terms, expressions, bodies, rules, imports, annotations, modules
 *   3. parsing: modules, queries, single terms
 *   4. printing: canonical Rego text
 *   5. AST helpers for the compiler and evaluator
 *
 * Ownership: every AST node lives in the gh_arena passed to the parser and is
 * immutable once the parse returns (the compiler builds its own structures or
 * copies). Strings in the AST are NUL-terminated arena copies. Nothing points
 * into the caller's source buffer, which may be freed after parsing. */
#ifndef GH_REGO_H
#define GH_REGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"

/* ==== 1. versions, locations, options ==================================== */

/* Rego syntax versions. REGO_V1 is OPA 1.x (`if`/`contains` required, all
 * keywords reserved); REGO_V0 is OPA 0.x; REGO_V0V1 is a v0 module that
 * imports rego.v1 (v0 parser, v1 rules enforced). Zero means v1. */
typedef enum rego_version { REGO_V1 = 0, REGO_V0 = 1, REGO_V0V1 = 2 } rego_version;

/* Keywords that v0 only reserves after `import future.keywords...` (bits in
 * rego_module.keywords; v1 modules have all of them). */
enum {
    REGO_KW_IN = 1 << 0,
    REGO_KW_EVERY = 1 << 1,
    REGO_KW_CONTAINS = 1 << 2,
    REGO_KW_IF = 1 << 3,
    REGO_KW_ALL = 0xf,
};

/* A source position: line and column are 1-based (column counts code points,
 * as OPA does; an end-of-file position after a final newline has column 0).
 * [off, end) is the byte span of the node in the source text. */
typedef struct rego_loc {
    const char *file; /* file name given to the parser ("" when none) */
    uint32_t line, col;
    uint32_t off, end;
} rego_loc;

/* Optional hook: answers whether `name` (a dotted builtin name such as
 * "count" or "io.jwt.decode") is a built-in function. The parser uses it for
 * OPA's "rule name conflicts with built-in function" error on bare call
 * statements; without it only the infix operators count as builtins. */
typedef bool (*rego_builtin_fn)(void *ctx, const char *name, size_t n);

/* An error list as OPA reports it (ast.Errors): every error of the failing
 * stage, in OPA's order, at most REGO_MAX_ERRORS of them followed by
 * OPA's "error limit reached" (code rego_compile_error, no location) when
 * there were more. Strings are heap-owned by the list; free it with
 * rego_errors_free (a zeroed list is empty). Filled, when the caller passes
 * one, by rego_policy_compile (rego_compile_opts.errors), rego_query_prepare
 * and the parsers (rego_parse_opts.errors); the gh_err of those calls keeps
 * the summary (first error, others joined as "\nfile:row:col: code: msg"). */
#define REGO_MAX_ERRORS 10
typedef struct rego_error {
    const char *code;  /* OPA's code, a static string: "rego_type_error", ... */
    char *message;     /* without the code */
    char *file;        /* NULL: no location (row and col are 0 then) */
    int row, col;
    char *details;     /* JSON text of OPA's "details" object (members in OPA's
                          order), or NULL */
    char *detail_text; /* the lines OPA prints under the error (type errors:
                          "have: (number, ???)\nwant: (...)"), '\n'-separated,
                          without indentation; NULL when none */
    int status;        /* the GH_E* code the call returned for it */
    bool no_source_line; /* a rego_parse_error OPA shows without the offending
                            source line (the module checks after parsing) */
} rego_error;
typedef struct rego_errors {
    rego_error *v;
    size_t n, cap;
    bool oom; /* an allocation failed: some error or detail was dropped */
} rego_errors;
void rego_errors_free(rego_errors *l);

typedef struct rego_parse_opts {
    rego_version version; /* REGO_V1 (default), REGO_V0, or REGO_V0V1 (v0 syntax
                             with the v1 rules enforced, as if importing rego.v1
                             but without its keywords) */
    size_t max_depth;     /* nesting limit of terms/bodies; 0 = GH_MAX_DEPTH */
    size_t max_bytes;     /* largest source accepted; 0 = GH_MAX_DOC_BYTES */
    bool no_annotations;  /* skip `# METADATA` processing */
    bool future_keywords; /* v0 only: behave as if `import future.keywords` */
    rego_builtin_fn is_builtin;
    void *builtin_ctx;
    rego_errors *errors;  /* when non-NULL: the errors of a failed parse or
                             rego_query_prepare are appended (see rego_errors) */
} rego_parse_opts;

/* ==== 2. the AST ========================================================== */

typedef struct rego_term rego_term;
typedef struct rego_expr rego_expr;
typedef struct rego_body rego_body;
typedef struct rego_rule rego_rule;
typedef struct rego_module rego_module;
typedef struct rego_annot rego_annot;

typedef enum rego_term_kind {
    REGO_T_SCALAR,       /* null, boolean, number or string: u.value (`-1` is a
                            number; `-x` is not Rego) */
    REGO_T_VAR,          /* u.var */
    REGO_T_REF,          /* u.list: items[0] is the head (a var, call or composite),
                            items[1..] the path; `.x` is stored as the string "x";
                            `data` and `input` alone are refs of length 1 */
    REGO_T_ARRAY,        /* u.list */
    REGO_T_SET,          /* u.list; n == 0 is `set()` */
    REGO_T_OBJECT,       /* u.obj, keys are any terms */
    REGO_T_ARRAY_COMPR,  /* u.compr: [head | body] */
    REGO_T_SET_COMPR,    /* u.compr: {head | body} */
    REGO_T_OBJECT_COMPR, /* u.compr: {key: head | body} */
    REGO_T_CALL,         /* u.list: items[0] is the operator (a REF term such as
                            `count`, `a.b.f` or `plus` for `+`), then the args */
} rego_term_kind;

/* term flags */
enum {
    REGO_TF_WILDCARD = 1 << 0, /* a `_` var; its name is a unique "$N" */
};

struct rego_term {
    uint8_t kind;   /* rego_term_kind */
    uint8_t flags;  /* REGO_TF_* */
    uint16_t depth; /* nesting height: 1 for scalars and vars */
    rego_loc loc;
    union {
        val_t *value; /* SCALAR */
        struct {
            const char *name; /* NUL-terminated */
            uint32_t len;
        } var;
        struct {
            rego_term **items;
            uint32_t n;
        } list; /* REF, ARRAY, SET, CALL */
        struct {
            rego_term **keys, **vals;
            uint32_t n;
        } obj; /* OBJECT, in source order (duplicates kept, as written) */
        struct {
            rego_term *key;  /* OBJECT_COMPR only, else NULL */
            rego_term *head; /* the value produced per solution */
            rego_body *body;
        } compr;
    } u;
};

typedef enum rego_expr_kind {
    REGO_E_TERM,  /* a lone term, true when defined and not false: u.term */
    REGO_E_CALL,  /* u.call: terms[0] operator ref, then operands. `a = b` is a call
                     of `eq`, `a := b` of `assign`, `a == b` of `equal`, `x in xs`
                     of `internal.member_2`, `k, v in xs` of `internal.member_3`;
                     other operators: plus minus mul div rem and or neq lt gt lte
                     gte. Nested calls stay REGO_T_CALL terms inside operands. */
    REGO_E_SOME,  /* u.some: `some x, y` (vars) or `some [k,] v in domain` */
    REGO_E_EVERY, /* u.every */
} rego_expr_kind;

typedef struct rego_with {
    rego_term *target; /* a var or ref (input..., data..., or a function name) */
    rego_term *value;
    rego_loc loc;
} rego_with;

struct rego_expr {
    uint8_t kind;   /* rego_expr_kind */
    bool negated;   /* `not` */
    uint16_t depth; /* nesting height (1 + deepest operand) */
    uint32_t index; /* position in its body */
    rego_loc loc;
    union {
        rego_term *term;
        struct {
            rego_term **terms;
            uint32_t n;
        } call;
        struct {
            rego_term **vars; /* `some x, y`: n var terms; else NULL/0 */
            uint32_t n;
            rego_term *key;    /* `some k, v in xs`: k; NULL for `some v in xs` */
            rego_term *value;  /* in-form: v (any term: a pattern) */
            rego_term *domain; /* in-form: xs */
        } some;
        struct {
            rego_term *key;   /* a var or NULL */
            rego_term *value; /* a var */
            rego_term *domain;
            rego_body *body;
        } every;
    } u;
    rego_with *with; /* nwith entries in source order */
    uint32_t nwith;
};

struct rego_body {
    rego_expr **exprs; /* n >= 1 */
    uint32_t n;
    uint16_t depth;
    rego_loc loc;
};

typedef enum rego_rule_kind {
    REGO_RULE_SINGLE, /* complete or partial-object rule: ref [= value] [if body] */
    REGO_RULE_MULTI,  /* multi-value (partial set) rule: ref contains key [if body] */
    REGO_RULE_FUNC,   /* function: ref(args) [= value] [if body] */
} rego_rule_kind;

/* rule flags */
enum {
    REGO_RF_DEFAULT = 1 << 0,   /* `default ...` */
    REGO_RF_ASSIGN = 1 << 1,    /* value written with `:=` (else `=`) */
    REGO_RF_GEN_VALUE = 1 << 2, /* value not written: the generated `true` */
    REGO_RF_GEN_BODY = 1 << 3,  /* body not written: the generated `{ true }` */
    REGO_RF_IF = 1 << 4,        /* written with `if` */
    REGO_RF_CONTAINS = 1 << 5,  /* written with `contains` */
    REGO_RF_ELSE = 1 << 6,      /* an `else` branch (reached through else_rule) */
    REGO_RF_CHAINED = 1 << 7,   /* a further body of `p { ... } { ... }` */
};

struct rego_rule {
    uint8_t kind;      /* rego_rule_kind */
    uint8_t flags;     /* REGO_RF_* */
    uint32_t index;    /* position in module->rules; else branches carry their
                          chain head's index */
    rego_loc loc;      /* the whole rule (an else branch: from `else`) */
    rego_loc head_loc; /* the head */
    rego_term *ref;    /* REF term: items[0] is the name var, then the path
                          (p.q[x].r -> [p, "q", x, "r"]); for a v0 `p[k] = v`
                          rule the key k is the last element */
    rego_term **args;  /* FUNC: nargs argument terms */
    uint32_t nargs;
    rego_term *key;       /* MULTI: the element term; else NULL */
    rego_term *value;     /* SINGLE/FUNC: the value (never NULL); MULTI: NULL */
    rego_body *body;      /* never NULL: a generated `true` body when absent */
    rego_rule *else_rule; /* next `else` branch or NULL */
    rego_annot **annots;  /* METADATA that applies to this rule (rule and
                             document scopes), in source order */
    uint32_t nannots;
    rego_module *module;
};

typedef struct rego_import {
    rego_term *path;   /* REF: data..., input..., future.keywords..., rego.v1 */
    const char *alias; /* `as x` or NULL */
    rego_loc loc;
} rego_import;

typedef enum rego_annot_scope {
    REGO_SCOPE_RULE,
    REGO_SCOPE_DOCUMENT,
    REGO_SCOPE_PACKAGE,
    REGO_SCOPE_SUBPACKAGES,
} rego_annot_scope;

/* One `# METADATA` block. Fields hold what OPA's annotation parser keeps;
 * absent fields are NULL. List fields are arrays of values already in the
 * shape OPA's rego.metadata.* builtins return (see rego_annot_to_value). */
struct rego_annot {
    rego_loc loc;  /* the `# METADATA` comment */
    uint8_t scope; /* rego_annot_scope */
    bool entrypoint;
    const char *title, *description;
    val_t *organizations;     /* array of strings */
    val_t *related_resources; /* array of {"ref", "description"?} */
    val_t *authors;           /* array of {"name"?, "email"?} */
    val_t *schemas;           /* array of {"path": [...], "schema": [...] | "definition": x} */
    val_t *custom;            /* object */
    val_t *compile;           /* object (OPA 1.x `compile:` block), kept as written */
    const char *yaml;         /* the block's YAML text */
    rego_rule *rule;          /* attached rule, or NULL when on the package */
};

typedef struct rego_comment {
    rego_loc loc;
    const char *text; /* without the leading '#' */
    uint32_t len;
} rego_comment;

struct rego_module {
    const char *file;
    rego_version version; /* REGO_V1, REGO_V0 or REGO_V0V1 */
    uint8_t keywords;     /* REGO_KW_* bits reserved after the imports */
    uint8_t keywords0;    /* REGO_KW_* bits reserved before any import */
    rego_loc loc;         /* the package statement */
    rego_term *package;   /* REF: data.a.b */
    rego_import *imports;
    uint32_t nimports;
    rego_rule **rules; /* in source order; rules[i]->index == i */
    uint32_t nrules;
    rego_annot **annots; /* every METADATA block in source order */
    uint32_t nannots;
    rego_comment *comments;
    uint32_t ncomments;
};

/* ==== 3. parsing ========================================================== */

/* Parse one module. `file` names it in locations and errors (may be NULL).
 * On error returns GH_EPARSE (GH_ELIMIT for size/nesting limits, GH_ENOMEM
 * when the arena runs out) and fills e with file:line:col, the message
 * "rego_parse_error: <OPA's message>" (the first error OPA would report) and
 * e->kind = "rego_parse_error". o may be NULL (v1 defaults). */
int rego_parse_module(gh_arena *a, const char *file, const char *src, size_t n,
                      const rego_parse_opts *o, rego_module **out, gh_err *e);

/* Parse a query (a body, as `opa eval QUERY` takes it): literals separated by
 * `;` or newlines. Errors as rego_parse_module. */
int rego_parse_query(gh_arena *a, const char *file, const char *src, size_t n,
                     const rego_parse_opts *o, rego_body **out, gh_err *e);

/* Parse exactly one term (OPA's ParseTerm), e.g. an `input_term`. */
int rego_parse_term(gh_arena *a, const char *src, size_t n, const rego_parse_opts *o,
                    rego_term **out, gh_err *e);

/* The OPA error code of an error: e->kind when set, else the message prefix
 * ("rego_parse_error: ..."); NULL when there is neither. */
const char *rego_err_code(const gh_err *e, char *buf, size_t bufsz);

/* The source line OPA shows under a parse error at row:col of src[0..n)
 * (1-based; columns count code points): the position is moved back over
 * whitespace, [*begin, *end) is the line holding it (without its line
 * break) and *off the position. Returns false, setting nothing, when n is 0
 * or row < 1. Used for the details of rego.parse_module errors and of
 * pol_errors. (builtins/rego_ast.c) */
bool rego_err_source_line(const char *src, size_t n, int row, int col, size_t *begin, size_t *end,
                          size_t *off);

/* ==== 4. printing =========================================================
 * Canonical Rego text, deterministic and idempotent: printing a parsed module,
 * parsing the text again (same version) and printing gives the same text.
 * Modules print in their own syntax version (v1, or v0 using `if`/`contains`
 * only where imported). Comments are not printed. Appends to b. */
void rego_module_print(gh_buf *b, const rego_module *m);
void rego_rule_print(gh_buf *b, const rego_rule *r, const rego_module *m);
void rego_body_print(gh_buf *b, const rego_body *body); /* `a; b; c` on one line */
void rego_expr_print(gh_buf *b, const rego_expr *x);
void rego_term_print(gh_buf *b, const rego_term *t);

/* ==== 5. AST helpers ====================================================== */

/* The rule's name: its first ref element (e.g. "p" for p.q[x]). */
static inline const char *rego_rule_name(const rego_rule *r) {
    return r->ref->u.list.items[0]->u.var.name;
}
/* True when a term contains no vars (refs and calls count as non-ground). */
bool rego_term_is_ground(const rego_term *t);
/* Number of leading ref elements that are ground (the rule's ground prefix
 * length, at least 1 for the head var). */
uint32_t rego_ref_ground_prefix(const rego_term *ref);
/* Dotted name of a ref whose elements after the head are strings that are
 * valid identifiers ("a.b.c"); NULL otherwise. Allocated in a. */
const char *rego_ref_dotted(gh_arena *a, const rego_term *ref);
/* True when the ref is a single var or a var head followed by strings, and
 * its dotted name equals `name` (e.g. "eq", "internal.member_2"). */
bool rego_ref_is(const rego_term *ref, const char *name);
/* The operator name of a call expression or call term, as dotted text, or
 * NULL when the operator is not a plain dotted ref. */
const char *rego_call_name(gh_arena *a, const rego_term *op);

/* The object OPA's rego.metadata.rule()/chain() return for an annotation
 * (scope, title, description, organizations, related_resources, authors,
 * schemas, custom, entrypoint; absent fields left out). NULL on OOM. */
val_t *rego_annot_to_value(gh_arena *a, const rego_annot *an);
const char *rego_annot_scope_name(rego_annot_scope s);

/* The module as the value OPA's rego.parse_module returns (OPA's JSON
 * encoding of ast.Module: "package", "imports", "rules", "comments"; terms
 * as {"type", "value"}; no locations except on comments; annotations are
 * not included). Allocated in a; NULL on OOM. */
val_t *rego_module_to_value(gh_arena *a, const rego_module *m);
/* One node in the same encoding (the nodes of the server's ?explain trace
 * events): an expression ({"index","terms",...}; `positive`: as the body of
 * its negation, index 0 and not negated), a body (array of expressions), a
 * rule ({"head","body",...}). Allocated in a; NULL on OOM. */
val_t *rego_expr_to_value(gh_arena *a, const rego_expr *x, bool positive);
val_t *rego_body_to_value(gh_arena *a, const rego_body *b);
/* One term ({"type", "value"}), e.g. the "ref" of type-error details. */
val_t *rego_term_to_ast_value(gh_arena *a, const rego_term *t);
val_t *rego_rule_to_value(gh_arena *a, const rego_rule *r);

/* ==== 6. policies: compiling modules and data ==============================
 * A policy collects modules and base documents, then compiles them once into
 * an immutable form that any number of threads may query concurrently.
 * Errors carry OPA's code in gh_err.kind ("rego_compile_error",
 * "rego_type_error", "rego_unsafe_var_error", "rego_recursion_error",
 * "rego_parse_error") and the file:line:col of the offending node. */
typedef struct rego_policy rego_policy;

/* A new empty policy (owns its arena); NULL on allocation failure. */
rego_policy *rego_policy_new(void);
/* Parse a module into the policy (its AST lives in an arena of its own,
 * owned by the policy, limited to REGO_MODULE_ARENA_BASE +
 * REGO_MODULE_ARENA_PER_BYTE * n bytes: GH_ELIMIT beyond). Errors as
 * rego_parse_module; not allowed after compile (GH_EINVAL). */
#define REGO_MODULE_ARENA_BASE (64u << 20)
#define REGO_MODULE_ARENA_PER_BYTE 256u
int rego_policy_add_module(rego_policy *p, const char *file, const char *src, size_t n,
                           const rego_parse_opts *o, gh_err *e);
/* Deep-merge an object into the base documents (copied into the policy).
 * GH_EINVAL when data is not an object or a leaf would be replaced by an
 * object (OPA's merge conflict). */
int rego_policy_add_data(rego_policy *p, const val_t *data, gh_err *e);

typedef struct rego_compile_opts {
    bool strict; /* OPA's strict compile mode (unused imports, deprecated builtins...) */
    /* OPA capabilities: when non-NULL, a call of a built-in function or
     * operator (print included; `=` and `:=` are not calls) whose name this
     * hook rejects is the compile error "rego_type_error: undefined function
     * NAME", reported for every such call of every rule (up to 10 errors, as
     * OPA's type checker does). allow_ctx is handed to the hook. Only
     * rego_policy_compile uses it (queries prepared later are not checked). */
    rego_builtin_fn allow_builtin;
    void *allow_ctx;
    rego_errors *errors; /* when non-NULL: a failed compile appends its errors */
} rego_compile_opts;

/* Compile everything added so far (o may be NULL). After success the policy
 * is immutable; on error it stays uncompiled and only rego_policy_free is
 * meaningful. */
int rego_policy_compile(rego_policy *p, const rego_compile_opts *o, gh_err *e);
/* Frees p; a compiled policy that rebased policies share stays alive until
 * the last of them is freed too (any order, any thread). */
void rego_policy_free(rego_policy *p);
/* A compiled policy with p's modules and compiled rules (shared, not copied:
 * no parsing or compiling) and `data` (an object, deep-copied) as its base
 * documents instead of p's. For data writes that keep the modules. The
 * caller checks that no rule path holds data (rego_policy_rule_paths), as
 * compiling would not either. NULL with e set: GH_EINVAL when p is not
 * compiled or data is not an object, GH_ENOMEM. Free with rego_policy_free
 * (before or after p). May run while other threads query p. */
rego_policy *rego_policy_rebase(const rego_policy *p, const val_t *data, gh_err *e);
/* The merged base documents (valid while the policy lives). */
const val_t *rego_policy_data(const rego_policy *p);
/* Visit every node of the compiled rule tree that holds rules (default rules
 * included), depth-first in key order: keys[0..n) is its path under data
 * (strings only: subtrees under non-string keys are skipped) and loc the
 * location of its first rule in source order. fn returns 0 to descend into
 * the node's children, 1 to skip them, or a negative GH_E* code to stop (that
 * code is returned). GH_EINVAL when the policy is not compiled. Used by the
 * server's check that written data does not overlap rules (OPA's
 * CheckPathConflicts). */
typedef int (*rego_rule_path_fn)(void *ud, val_t *const *keys, uint32_t n, const rego_loc *loc);
int rego_policy_rule_paths(const rego_policy *p, rego_rule_path_fn fn, void *ud);

/* ==== 7. queries and evaluation ===========================================
 * A query is compiled against a compiled policy into arena `a` (the policy
 * must outlive it). Evaluation is top-down with backtracking; every solution
 * is handed to a callback. */
typedef struct rego_query rego_query;

int rego_query_prepare(const rego_policy *p, gh_arena *a, const char *text, size_t n,
                       const rego_parse_opts *o, rego_query **out, gh_err *e);
/* Same from an already parsed query body (allocated in an arena that
 * outlives the query). */
int rego_query_prepare_body(const rego_policy *p, gh_arena *a, const rego_body *b,
                            rego_query **out, gh_err *e);
/* The same, appending every compile error to errs (see rego_errors). */
int rego_query_prepare_body_errs(const rego_policy *p, gh_arena *a, const rego_body *b,
                                 rego_query **out, gh_err *e, rego_errors *errs);

/* Default step budget when rego_eval_opts.max_steps is 0: one step is one
 * expression attempt or one iteration. */
#define REGO_DEFAULT_MAX_STEPS 100000000ull

struct rego_trace_event;

typedef struct rego_eval_opts {
    const val_t *input;   /* NULL: input undefined */
    int64_t now_ns;       /* time.now_ns for the query; 0: wall clock at start */
    uint64_t max_steps;   /* 0: REGO_DEFAULT_MAX_STEPS */
    int64_t timeout_ms;   /* 0: none */
    size_t mem_budget;    /* bytes the evaluation may take from the arena; 0: none */
    bool strict_builtin_errors; /* builtin errors are errors (else undefined) */
    void (*print)(void *ud, const char *line, size_t n); /* print() sink; NULL: stderr */
    void *print_ud;
    uint64_t seed;        /* randomness for rand.intn / uuid; 0: from the clock */
    size_t max_stack;     /* C stack the evaluation may use (bytes; evaluation is
                             recursive); 0: REGO_DEFAULT_MAX_STACK. Keep it below
                             the calling thread's stack size. */
    const struct rego_http_policy *http; /* http.send allowed when non-NULL (see
                             rego/builtins/builtins.h); must outlive the evaluation */
    /* print() sink with the call's location; when set it is used instead of
     * `print` (conftest shows "file:row: text"). */
    void (*print_at)(void *ud, const rego_loc *loc, const char *line, size_t n);
    /* Evaluation tracer (OPA's query tracer, see section 8): called for every
     * trace event when non-NULL. NULL costs one predictable branch per
     * expression. */
    void (*trace)(void *ud, const struct rego_trace_event *ev);
    void *trace_ud;
    /* Opaque pointer handed to host builtins (rego_bctx.host), e.g. the
     * policy layer's parsers for conftest's parse_config(). */
    void *host;
} rego_eval_opts;

#define REGO_DEFAULT_MAX_STACK (4u << 20)

typedef struct rego_result { /* one solution of the query */
    val_t **exprs;           /* value of each top-level query expression, as `opa
                                eval` reports them (`x := 1` gives true); a query
                                of one non-negated, non-iterating term or call
                                (`1 == 2`, `data.p`) yields its value even when
                                false, as OPA's rego package does */
    uint32_t nexprs;
    const char **names;      /* user-visible bindings, sorted by name; generated and
                                wildcard vars are left out */
    val_t **values;
    uint32_t nvars;
} rego_result;

/* Called once per solution; return nonzero to stop the evaluation. The
 * result and its values are valid during the call (values live in the
 * evaluation arena, so they also stay valid until that arena is reset). */
typedef int (*rego_result_cb)(void *ud, const rego_result *r);

/* Evaluate q with per-evaluation memory from `a` (o may be NULL). Returns 0
 * (also when stopped by the callback), or an error with gh_err.kind set:
 * eval_conflict_error, eval_type_error, eval_builtin_error (strict builtin
 * errors only), eval_cancel_error (steps, time or memory budget exceeded). */
int rego_query_eval(const rego_query *q, gh_arena *a, const rego_eval_opts *o,
                    rego_result_cb cb, void *ud, gh_err *e);

/* ==== 8. tracing ============================================================
 * The events OPA's topdown tracer emits, in the same order: a query or rule
 * body is entered (ENTER), each expression is evaluated (EVAL), every
 * solution of it is later backtracked into (REDO), an expression with no
 * solution fails (FAIL), a body that completes exits (EXIT), and a lookup
 * of rules reports how many candidates the index kept (INDEX), trace(note)
 * leaves a NOTE. Nodes point
 * into the policy's/query's AST; they are valid during the callback. */
typedef enum rego_trace_op {
    REGO_TRACE_ENTER,
    REGO_TRACE_EXIT,
    REGO_TRACE_EVAL,
    REGO_TRACE_REDO,
    REGO_TRACE_FAIL,
    REGO_TRACE_INDEX,
    REGO_TRACE_NOTE, /* trace(note) was called: ref holds the note */
} rego_trace_op;

enum {
    REGO_TRACE_F_POSITIVE = 1 << 0, /* expr is the body of a `not`: shown without `not` */
    REGO_TRACE_F_CAPTURE = 1 << 1,  /* a top-level query term: shown as `term = _` */
    REGO_TRACE_F_EARLY = 1 << 2,    /* INDEX/EXIT: evaluation stops at the first value */
    REGO_TRACE_F_BODY = 1 << 3,     /* expr stands for the one-expression body of a
                                       negation (ENTER/EXIT/REDO of that child query) */
};

typedef struct rego_trace_event {
    rego_trace_op op;
    uint32_t depth;        /* query nesting: 1 for the top-level query, +1 per rule
                              body, negation or closure entered */
    uint8_t flags;         /* REGO_TRACE_F_* */
    const rego_expr *expr; /* the expression (EVAL/REDO/FAIL; ENTER/EXIT/REDO of a
                              negation body with REGO_TRACE_F_POSITIVE) or NULL */
    const rego_body *body; /* a query or closure body (ENTER/EXIT/REDO) or NULL */
    const rego_rule *rule; /* a rule (ENTER/EXIT/REDO) or NULL */
    const char *ref;       /* INDEX: the rule's path ("data.a.b"); NOTE: the note */
    uint32_t nmatched;     /* INDEX: rules kept */
    const rego_module *module; /* module of the rule being evaluated (NULL in the
                              query): expressions print with its rule and import
                              names resolved to data paths, as OPA shows them */
} rego_trace_event;

/* The event as one line of OPA's PrettyTrace ("| | Eval x = 1"): "| " per
 * nesting level, the operation, the node text, INDEX's "(matched N
 * rules)". Appends to b without a newline. */
void rego_trace_format(gh_buf *b, const rego_trace_event *ev);
/* The operation's name as OPA prints it ("Enter", "Eval", ...). */
const char *rego_trace_op_name(rego_trace_op op);

/* Convert a ground term (scalars, arrays, objects, sets) to a value in a;
 * GH_EINVAL with a located message when the term is not ground. */
int rego_term_to_value(gh_arena *a, const rego_term *t, val_t **out, gh_err *e);

/* Certificates (concatenated DER, e.g. a TLS peer's chain) as the objects
 * Go's encoding/json makes of x509.Certificate - the shape
 * crypto.x509.parse_certificates returns, without OPA's added URIStrings;
 * what OPA's server puts in its authorization input as
 * client_certificates. *out: an array in a. Errors as Go's parser
 * (GH_EINVAL, "x509: ..."), GH_ENOMEM. */
int rego_x509_der_to_value(gh_arena *a, const unsigned char *der, size_t n, val_t **out, gh_err *e);

#endif
