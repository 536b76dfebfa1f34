/* rego_int.h - private structures of the Rego front end (lexer, parser,
 * annotations, printer); not for use outside src/rego/. The parser follows
 * OPA's, backtracking included: all mutable parse state (scanner position,
 * token, errors, hints, comments) is one small struct saved and restored by
 * value; its lists are arena-allocated and linked newest-first, so restoring
 * forgets whatever a failed attempt recorded. */
#ifndef GH_REGO_INT_H
#define GH_REGO_INT_H

#include "errors_int.h"
#include "rego.h"

/* ---- tokens (same set and names as OPA's scanner) ------------------------ */
enum rp_tok {
    TK_ILLEGAL,
    TK_EOF,
    TK_WS,
    TK_IDENT,
    TK_COMMENT,
    TK_PACKAGE,
    TK_IMPORT,
    TK_AS,
    TK_DEFAULT,
    TK_ELSE,
    TK_NOT,
    TK_SOME,
    TK_EVERY,
    TK_WITH,
    TK_NULL,
    TK_TRUE,
    TK_FALSE,
    TK_NUMBER,
    TK_STRING,
    TK_LBRACK,
    TK_RBRACK,
    TK_LBRACE,
    TK_RBRACE,
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_COLON,
    TK_ADD,
    TK_SUB,
    TK_MUL,
    TK_QUO,
    TK_REM,
    TK_AND,
    TK_OR,
    TK_UNIFY,
    TK_EQUAL,
    TK_ASSIGN,
    TK_IN,
    TK_NEQ,
    TK_GT,
    TK_LT,
    TK_GTE,
    TK_LTE,
    TK_DOT,
    TK_SEMICOLON,
    TK_CONTAINS,
    TK_IF,
    TK__COUNT
};

/* OPA's token name ("identifier", "minus", "}", ...). */
const char *rp_tok_name(int tok);
/* True for tokens OPA calls keywords in error messages. */
bool rp_tok_is_keyword(int tok);

/* Scanner errors, queued on the token being scanned. */
enum {
    SE_NUL = 1,
    SE_UTF8,
    SE_BOM,
    SE_FRACTION,
    SE_EXPONENT,
    SE_NUMFMT,
    SE_NONTERM,
    SE_ESCAPE,
    SE_BANG,
};
#define RP_MAX_SCAN_ERRS 4

/* Scanner position: mirrors OPA's scanner so rows/columns match exactly. */
typedef struct rp_scan {
    uint32_t off;   /* byte offset just past `curr` */
    int32_t curr;   /* current code point, -1 at end of input */
    uint32_t width; /* bytes of `curr` */
    uint32_t row, col;
    uint8_t nerr;
    uint8_t err[RP_MAX_SCAN_ERRS];
} rp_scan;

typedef struct rp_err {
    struct rp_err *prev;
    uint32_t line, col;
    const char *msg;
    bool post; /* found by the module checks after the statements parsed:
                  OPA reports all of these, without a source line */
} rp_err;

typedef struct rp_hintnode {
    struct rp_hintnode *prev;
    const char *msg;
} rp_hintnode;

typedef struct rp_cmt {
    struct rp_cmt *prev;
    uint32_t line, col, off, end;
} rp_cmt;

/* Everything a backtracking attempt may change. Copied by value. */
typedef struct rp_state {
    rp_scan sc;
    uint8_t tok;     /* current token */
    bool skipped_nl; /* a newline was skipped since the last real token */
    uint8_t kw;      /* REGO_KW_* keywords currently reserved */
    bool v1compat;   /* `import rego.v1` seen (v0 parse) */
    uint32_t tok_off, tok_end, tok_line, tok_col;
    uint32_t last_end; /* end offset of the previous real token */
    uint32_t nerrs;
    rp_err *errs;       /* newest first */
    rp_hintnode *hints; /* newest first; attached to the next error */
    uint32_t ncmts;
    rp_cmt *cmts; /* newest first */
} rp_state;

typedef struct rp_cache_ent {
    uint32_t off;
    rego_term *t;
    rp_state post;
} rp_cache_ent;

/* A second memo (the replay table) for what the OPA-style cache has dropped:
 * the parse of the term at `off` from an equivalent parser state (same
 * hints, comments and keywords, errors present or not, enough depth left),
 * so re-parsing it after backtracking is replayed (its new errors are copied
 * onto the current list) instead of repeated: parsing stays linear. */
typedef struct rp_memo_ent {
    uint32_t off;  /* UINT32_MAX: empty slot */
    uint32_t rel_peak; /* deepest recursion reached, relative to the start */
    uint8_t kw;
    bool v1compat, had_errs;
    const rp_err *errs; /* at the start: post.errs down to here are new */
    const rp_hintnode *hints;
    const rp_cmt *cmts;
    rego_term *t;
    rp_state post;
} rp_memo_ent;

typedef struct rego_parser {
    gh_arena *a;
    const char *file; /* arena copy, "" when none */
    const char *src;
    uint32_t n;
    rego_version mode; /* REGO_V1 or REGO_V0 */
    uint8_t kw0;       /* keywords reserved at the start */
    bool v0v1;         /* REGO_V0V1 requested: v0 syntax, v1 rules enforced */
    rp_state s;
    uint32_t depth, max_depth;
    uint32_t peak; /* deepest depth reached (for the replay table) */
    int fatal; /* GH_ELIMIT or GH_ENOMEM: abandon the whole parse */
    const char *fatal_msg;
    uint32_t fatal_line, fatal_col;
    bool nocache;
    rp_cache_ent *cache; /* term cache: a stack ordered by offset (heap) */
    uint32_t cache_cap, cache_n;
    rp_memo_ent *memo;   /* replay table: open addressing by offset (heap) */
    uint32_t memo_cap, memo_n; /* cap: 0 or a power of two */
    rego_builtin_fn is_builtin;
    void *builtin_ctx;
    rego_errors *errors; /* rego_parse_opts.errors */
    bool post;           /* assembling the module (rp_err.post) */
} rego_parser;

/* ---- lexer.c ---------------------------------------------------------------- */
void rp_scan_init(rego_parser *p);
/* Advance to the next token (OPA's doScan). skipws=false stops on whitespace. */
void rp_next(rego_parser *p, bool skipws);
static inline void rp_scan_tok(rego_parser *p) { rp_next(p, true); }
static inline void rp_scan_ws(rego_parser *p) { rp_next(p, false); }
/* Keyword lookup honouring the keywords currently reserved. */
int rp_keyword(const rego_parser *p, const char *s, size_t n);
/* Decode a JSON-style string literal (with quotes) into arena bytes. Returns
 * false when it is not a valid JSON string. */
bool rp_unquote(gh_arena *a, const char *lit, size_t n, char **out, size_t *outn);

/* ---- parser.c: state, errors, node helpers ----------------------------------- */
static inline rp_state rp_save(const rego_parser *p) { return p->s; }
static inline void rp_restore(rego_parser *p, const rp_state *s) { p->s = *s; }
void rp_errorf(rego_parser *p, uint32_t line, uint32_t col, const char *fmt, ...) GH_PRINTF(4, 5);
void rp_illegal(rego_parser *p, const char *fmt, ...) GH_PRINTF(2, 3);
void rp_hint(rego_parser *p, const char *msg);
void rp_fatal(rego_parser *p, int code, uint32_t line, uint32_t col, const char *msg);
bool rp_enter(rego_parser *p);
static inline void rp_leave(rego_parser *p) { p->depth--; }
void *rp_alloc(rego_parser *p, size_t n);
char *rp_strndup(rego_parser *p, const char *s, size_t n);
rego_loc rp_tok_loc(const rego_parser *p);
rego_loc rp_loc_span(const rego_parser *p, const rego_loc *start, uint32_t end);

/* Growable arrays of pointers in the arena. */
typedef struct rp_vec {
    void **items;
    uint32_t n, cap;
} rp_vec;
bool rp_vec_push(rego_parser *p, rp_vec *v, void *x);

rego_term *rp_term_new(rego_parser *p, int kind, rego_loc loc);
rego_term *rp_term_var(rego_parser *p, const char *name, size_t n, rego_loc loc);
rego_term *rp_term_str(rego_parser *p, const char *s, size_t n, rego_loc loc);
rego_term *rp_term_bool(rego_parser *p, bool b, rego_loc loc);
rego_term *rp_term_list(rego_parser *p, int kind, rp_vec *v, rego_loc loc);
/* An operator ref: `plus`, `internal.member_2`, ... */
rego_term *rp_term_op(rego_parser *p, const char *dotted, rego_loc loc);
rego_term *rp_term_call2(rego_parser *p, rego_term *op, rego_term *a, rego_term *b, rego_term *c,
                         rego_loc loc);
/* Recompute t->depth from its children; records GH_ELIMIT when too deep. */
void rp_term_depth(rego_parser *p, rego_term *t);
void rp_expr_depth(rego_parser *p, rego_expr *x);
void rp_body_depth(rego_parser *p, rego_body *b);
rego_body *rp_body_true(rego_parser *p, rego_loc loc);
/* A term printed into the arena, for messages ("?" when out of memory). */
const char *rp_term_text(rego_parser *p, const rego_term *t);
/* Value-kind name as OPA prints it in errors ("var", "ref", "number", ...). */
const char *rp_term_type_name(const rego_term *t);

/* ---- parser_expr.c / parser_body.c -------------------------------------------------------------
 */
rego_term *rp_parse_term(rego_parser *p);
rego_term *rp_parse_var(rego_parser *p);
rego_term *rp_parse_infix(rego_parser *p);         /* parseTermInfixCall */
rego_term *rp_parse_infix_in_list(rego_parser *p); /* parseTermInfixCallInList */
rego_term *rp_parse_ref(rego_parser *p, rego_term *head, uint32_t off);
rego_term *rp_term_finish_head(rego_parser *p, rego_term *head); /* parseHeadFinish */
rego_expr *rp_parse_literal(rego_parser *p);
rego_body *rp_parse_query(rego_parser *p, bool require_semi, int end);
rego_body *rp_parse_body(rego_parser *p, int end);
void rp_cache_free(rego_parser *p);
void rp_cache_reset(rego_parser *p); /* at statement boundaries */

/* ---- parser_rule.c -------------------------------------------------------------- */
/* parseRules: NULL when the statement is not a rule (state to be restored by
 * the caller); otherwise the rules (several for `p {} {}`) in *out. */
bool rp_parse_rules(rego_parser *p, rp_vec *out);
/* A top-level body statement turned into a rule (OPA's ParseRuleFromBody);
 * NULL with *why set when it cannot be one. */
rego_rule *rp_rule_from_body(rego_parser *p, rego_body *b, const char **why);
/* Wildcard renumbering in source order ($0, $1, ...), done once per parse. */
void rp_number_wildcards_module(rego_parser *p, rego_module *m);
void rp_number_wildcards_body(rego_parser *p, rego_body *b);

/* ---- annotations.c ------------------------------------------------------------- */
/* Parse the METADATA blocks among the module's comments and attach them
 * (OPA's parseAnnotations + attachAnnotationsNodes + attachRuleAnnotations).
 * Errors are recorded as parse errors in order; returns false on error. */
typedef struct rp_stmt {
    int kind; /* 0 package, 1 import, 2 rule */
    uint32_t line;
    void *node;
} rp_stmt;
bool rp_annotations_parse(rego_parser *p, rego_annot ***out, uint32_t *n);
bool rp_annotations_attach(rego_parser *p, rego_module *m, const rp_stmt *stmts, uint32_t n);

/* ---- ast.c --------------------------------------------------------------------- */
bool rp_ident_ok(const char *s, size_t n);      /* matches [a-zA-Z_][a-zA-Z0-9_]* */
bool rp_is_keyword_v1(const char *s, size_t n); /* a keyword in Rego v1 */
/* Infix operator info for a call operator ref with 2 (or 3 for member_3)
 * operands: its symbol and precedence (1 = in .. 6 = * / %), or NULL. */
const char *rego_infix_symbol(const rego_term *op, uint32_t nargs, int *prec);

#endif
