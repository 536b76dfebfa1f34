/* graphql_int.h - private structures of the GraphQL builtin family
 * (graphql.c): the document ASTs, the validated schema, errors, and the
 * entry points of graphql_lex.c/graphql_parse.c (text -> AST),
 * graphql_ast.c (AST <-> Rego values), graphql_schema.c (schema checks)
 * and graphql_validate.c/graphql_rules.c/graphql_msg.c (validation).
 * The shapes mirror the AST OPA 0.61 returns (gqlparser's structs
 * marshalled to JSON), so the output code is a direct walk. Everything
 * lives in one arena per call, except the built-in "prelude" schema, parsed
 * once and shared read-only. Line 0 means "unknown" (ASTs from objects). */
#ifndef GH_REGO_GRAPHQL_INT_H
#define GH_REGO_GRAPHQL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"
#include "rego/builtins/strutil.h"

/* Most selection-set / value / type nesting a document may have, and most
 * nested frames validation may open while following fragment spreads.
 * Both bound C recursion; gqlparser has no such limits, but documents
 * nested this deep are attacks, not queries. */
#define GQ_MAX_DEPTH GH_MAX_DEPTH
#define GQ_MAX_WALK_DEPTH (4 * GH_MAX_DEPTH)

/* Positions of the built-in prelude carry negative line numbers, so an
 * error can name "prelude.graphql" instead of the caller's input. */
typedef struct gq_pos {
    int32_t line, col; /* 1-based; line 0 = unknown; line < 0: prelude line -line */
} gq_pos;

/* Growable array of pointers in an arena. */
typedef struct gq_vec {
    void **v;
    uint32_t n, cap;
} gq_vec;
int gq_push(gh_arena *a, gq_vec *v, void *item); /* 0 or GH_ENOMEM */

static inline bool gq_eq(gh_str a, gh_str b) {
    return a.n == b.n && (a.n == 0 || __builtin_memcmp(a.p, b.p, a.n) == 0);
}
static inline bool gq_eqc(gh_str a, const char *c) {
    size_t n = __builtin_strlen(c);
    return a.n == n && __builtin_memcmp(a.p, c, n) == 0;
}

/* ---- query documents ------------------------------------------------------- */
typedef struct gq_type {
    gh_str named;         /* "" for a list type */
    struct gq_type *elem; /* list element type */
    bool nonnull;
    gq_pos pos;
} gq_type;

enum {
    GQ_VAR = 0,
    GQ_INT,
    GQ_FLOAT,
    GQ_STRING,
    GQ_BLOCK,
    GQ_BOOL,
    GQ_NULL,
    GQ_ENUM,
    GQ_LIST,
    GQ_OBJECT,
    GQ_NKINDS
};

struct gq_def;
struct gq_vardef;
struct gq_fielddef;
struct gq_dirdef;
struct gq_frag;

typedef struct gq_value {
    int kind; /* GQ_VAR .. GQ_OBJECT */
    gh_str raw;
    gq_vec children; /* gq_child* (list items have an empty name) */
    gq_pos pos;
    /* set by the validator's walk */
    struct gq_def *def;
    struct gq_vardef *vardef;
    const gq_type *expected;
} gq_value;

typedef struct gq_child {
    gh_str name;
    gq_value *value;
    gq_pos pos;
} gq_child;

typedef struct gq_arg {
    gh_str name;
    gq_value *value;
    gq_pos pos;
} gq_arg;

typedef struct gq_dir {
    gh_str name;
    gq_vec args; /* gq_arg* */
    gq_pos pos;
    struct gq_dirdef *def; /* validator */
    const char *location;  /* validator: e.g. "FIELD" */
} gq_dir;

enum { GQ_SEL_FIELD, GQ_SEL_SPREAD, GQ_SEL_INLINE };

typedef struct gq_sel {
    int kind;
    gh_str alias, name; /* field: both; spread: name */
    gh_str typecond;    /* inline fragment ("" when absent) */
    gq_vec args;        /* field: gq_arg* */
    gq_vec dirs;        /* gq_dir* */
    gq_vec sel;         /* field, inline: gq_sel* */
    gq_pos pos;
    /* validator */
    struct gq_fielddef *fdef; /* field definition */
    struct gq_def *objdef;    /* enclosing type */
    struct gq_frag *frag;     /* spread: the fragment it names */
} gq_sel;

typedef struct gq_vardef {
    gh_str var;
    gq_type *type;
    gq_value *defval;
    gq_vec dirs;
    gq_pos pos;
    struct gq_def *def; /* validator */
    bool used;
} gq_vardef;

typedef struct gq_op {
    gh_str op; /* "query", "mutation", "subscription" */
    gh_str name;
    gq_vec vars; /* gq_vardef* */
    gq_vec dirs;
    gq_vec sel;
    gq_pos pos;
} gq_op;

typedef struct gq_frag {
    gh_str name;
    gq_vec vars; /* gqlparser's FragmentDefinition.VariableDefinition */
    gh_str typecond;
    gq_vec dirs;
    gq_vec sel;
    gq_pos pos;
    struct gq_def *def; /* validator */
} gq_frag;

typedef struct gq_qdoc {
    gq_vec ops;   /* gq_op* */
    gq_vec frags; /* gq_frag* */
} gq_qdoc;

/* ---- schema documents ------------------------------------------------------ */
enum {
    GQ_K_OTHER = 0,
    GQ_K_SCALAR,
    GQ_K_OBJECT,
    GQ_K_INTERFACE,
    GQ_K_UNION,
    GQ_K_ENUM,
    GQ_K_INPUT
};

/* FieldDefinition; also ArgumentDefinition (args stays empty). */
typedef struct gq_fielddef {
    gh_str desc, name;
    gq_vec args; /* gq_fielddef* */
    gq_value *defval;
    gq_type *type;
    gq_vec dirs;
    gq_pos pos;
} gq_fielddef;

typedef struct gq_enumval {
    gh_str desc, name;
    gq_vec dirs;
    gq_pos pos;
} gq_enumval;

typedef struct gq_def {
    gh_str kindname; /* "OBJECT", ... as written (objects may hold anything) */
    int kind;        /* GQ_K_* of kindname */
    gh_str desc, name;
    gq_vec dirs, ifaces /* gh_str* */, fields /* gq_fielddef* */, types /* gh_str* */,
        enumvals /* gq_enumval* */;
    gq_pos pos;
    bool builtin;
    struct gq_map *field_index; /* validator: name -> first field, built lazily */
} gq_def;

typedef struct gq_dirdef {
    gh_str desc, name;
    gq_vec args; /* gq_fielddef* */
    gq_vec locs; /* gh_str* */
    bool repeatable;
    gq_pos pos;
} gq_dirdef;

typedef struct gq_optype {
    gh_str op, type;
    gq_pos pos;
} gq_optype;

typedef struct gq_schemadef {
    gh_str desc;
    gq_vec dirs;
    gq_vec optypes; /* gq_optype* */
    gq_pos pos;
} gq_schemadef;

typedef struct gq_sdoc {
    gq_vec schema, schemaext; /* gq_schemadef* */
    gq_vec dirs;              /* gq_dirdef* */
    gq_vec defs, exts;        /* gq_def* */
} gq_sdoc;

int gq_kind_code(gh_str kindname);
/* Type helpers with gqlparser's semantics (Type.Name, Type.String, ...). */
gh_str gq_type_name(const gq_type *t);
char *gq_type_str(gh_arena *a, const gq_type *t);
void gq_type_put(rb_sb *b, const gq_type *t); /* appends Type.String() */
bool gq_type_compatible(const gq_type *t, const gq_type *other);

/* ---- errors ---------------------------------------------------------------- */
typedef struct gq_error {
    int code; /* GH_EPARSE, GH_EINVAL, GH_ELIMIT, GH_ENOMEM */
    gq_pos pos;
    char *msg; /* arena string */
} gq_error;

/* ---- lexer / parser (graphql_lex.c, graphql_parse.c) ------------------------- */
enum {
    GQ_T_INVALID = 0,
    GQ_T_EOF,
    GQ_T_BANG,
    GQ_T_DOLLAR,
    GQ_T_AMP,
    GQ_T_PAREN_L,
    GQ_T_PAREN_R,
    GQ_T_SPREAD,
    GQ_T_COLON,
    GQ_T_EQUALS,
    GQ_T_AT,
    GQ_T_BRACKET_L,
    GQ_T_BRACKET_R,
    GQ_T_BRACE_L,
    GQ_T_BRACE_R,
    GQ_T_PIPE,
    GQ_T_NAME,
    GQ_T_INT,
    GQ_T_FLOAT,
    GQ_T_STRING,
    GQ_T_BLOCK_STRING
};

typedef struct gq_token {
    int kind;
    gh_str value; /* decoded for strings */
    gq_pos pos;
    const char *err; /* lexer message for GQ_T_INVALID */
} gq_token;

typedef struct gq_lexer {
    const char *src;
    size_t n, end;
    int32_t end_runes, line, line_start_runes;
    int32_t line_sign; /* -1 for the prelude */
    gh_arena *a;
} gq_lexer;

void gq_lex_init(gq_lexer *l, gh_arena *a, const char *src, size_t n);
/* Next token; on a lexical error, a GQ_T_INVALID token whose err holds the
 * message (NULL only on arena exhaustion). */
gq_token gq_lex_next(gq_lexer *l);
const char *gq_token_kind_str(int kind);
/* Token.String(): the kind, then the quoted value when there is one. */
char *gq_token_str(gh_arena *a, const gq_token *t);

/* Parse a query / schema document. On failure return GH_EPARSE (message and
 * position in e), GH_ELIMIT (nesting) or GH_ENOMEM. */
int gq_parse_query(gh_arena *a, const char *src, size_t n, gq_qdoc **out, gq_error *e);
int gq_parse_schema(gh_arena *a, const char *src, size_t n, bool prelude, gq_sdoc **out,
                    gq_error *e);

/* ---- AST <-> values (graphql_ast.c) ------------------------------------------ */
/* The pruned AST objects OPA returns (no positions, no null/empty members).
 * NULL on arena exhaustion. */
val_t *gq_qdoc_to_val(gh_arena *a, const gq_qdoc *q);
val_t *gq_sdoc_to_val(gh_arena *a, const gq_sdoc *s);
/* Decode AST objects as gqlparser's JSON decoding does. GH_EINVAL with a
 * message when a member has the wrong type; GH_ELIMIT when nested too deep. */
int gq_qdoc_from_val(gh_arena *a, const val_t *v, gq_qdoc **out, gq_error *e);
int gq_sdoc_from_val(gh_arena *a, const val_t *v, gq_sdoc **out, gq_error *e);

/* ---- schema (graphql_schema.c) -------------------------------------------------- */
/* Name -> pointer map with insertion order (open addressing, keyed hash). */
typedef struct gq_map {
    gh_str *keys;
    void **vals;
    uint32_t *slots; /* index+1 of the entry, 0 = empty */
    uint32_t n, cap, nslots;
} gq_map;
void *gq_map_get(const gq_map *m, gh_str k);
int gq_map_put(gh_arena *a, gq_map *m, gh_str k, void *v); /* replaces; 0 or GH_ENOMEM */

typedef struct gq_schema {
    gq_map types;    /* name -> gq_def* (per-call copies) */
    gq_map dirs;     /* name -> gq_dirdef* */
    gq_map possible; /* name -> gq_vec* of gq_def* (entries may be NULL) */
    gq_def *query, *mutation, *subscription;
} gq_schema;

/* Merge the built-in prelude with doc and check it as gqlparser's
 * ValidateSchemaDocument does. On a schema error returns GH_EINVAL with the
 * message and position in e. */
int gq_schema_build(gh_arena *a, const gq_sdoc *doc, gq_schema **out, gq_error *e);
/* The prelude document, parsed once (NULL if that failed: out of memory). */
const gq_sdoc *gq_prelude(void);
/* Possible types of a definition (Schema.GetPossibleTypes); never NULL. */
const gq_vec *gq_possible(const gq_schema *s, const gq_def *d);

/* ---- validation (graphql_validate.c, graphql_rules.c) -------------------------- */
typedef struct gq_msg {
    char *msg;
    gq_pos pos;
} gq_msg;

/* Validate q against s with gqlparser's default rules, appending gq_msg* to
 * errs in gqlparser's order. Returns 0 (errs may be non-empty), GH_ELIMIT
 * (nesting or work budget exhausted; e has the message) or GH_ENOMEM. */
int gq_validate(gh_arena *a, gq_schema *s, gq_qdoc *q, gq_vec *errs, gq_error *e);

/* Validation's work budget (see limits.h). */
#define GQ_MAX_WORK GH_MAX_GRAPHQL_WORK

/* Validation state shared by graphql_validate.c (walk and most rules) and
 * graphql_rules.c (values, fragment cycles, overlapping fields). */
typedef struct gq_walker {
    gh_arena *a;
    gq_schema *s;
    gq_qdoc *doc;
    gq_vec *errs;
    gq_error *e;
    gq_op *cur_op;
    gq_map validated; /* fragments walked in the current definition */
    int depth;
    uint64_t work;
    bool failed; /* limit or exhaustion: e is set */
    /* rule state, one per validation as gqlparser creates its closures */
    gq_map kd_seen;        /* KnownDirectives: name@line:col reported */
    gq_map cycles_visited; /* NoFragmentCycles */
    gq_map frag_used;      /* NoUnusedFragments */
    bool in_fragment_def;
    gq_map frag_names;       /* UniqueFragmentNames */
    gq_map op_names;         /* UniqueOperationNames */
    gq_map pairs;            /* OverlappingFieldsCanBeMerged: compared fragment pairs */
    struct fmemo_tab *fmemo; /* ... fields and spreads per selection set (by address) */
    gq_map *cmp_frags;       /* ... and fragments compared for the current set */
} gq_walker;

/* Messages: gq_fmt appends printf-like text where %s is a C string, %S a
 * gh_str*, %T a gq_type* (Type.String()), %V a gq_value* (Value.String())
 * and %d an int; gq_report adds the finished message as an error at pos. */
void gq_fmt(rb_sb *b, const char *fmt, ...);
void gq_vfmt(rb_sb *b, const char *fmt, va_list ap);
void gq_report(gq_walker *w, rb_sb *b, gq_pos pos);
/* gq_fmt into a new message and report it. */
void gq_errf(gq_walker *w, gq_pos pos, const char *fmt, ...);
/* Spend work / enter a nested frame; false (and w->failed) past the limits. */
bool gq_spend(gq_walker *w, uint64_t units);
bool gq_enter(gq_walker *w);
static inline void gq_leave(gq_walker *w) { w->depth--; }

/* Rules implemented in graphql_rules.c. */
void gq_rule_values(gq_walker *w, gq_value *v);        /* ValuesOfCorrectType */
void gq_rule_cycles(gq_walker *w, gq_frag *f);         /* NoFragmentCycles */
void gq_rule_overlap(gq_walker *w, const gq_vec *sel); /* OverlappingFieldsCanBeMerged */
/* Value.String() as gqlparser prints values in messages. */
void gq_value_str(rb_sb *b, const gq_value *v, int depth);

/* Suggestion helpers (gqlparser's SuggestionList and QuotedOrList/OrList):
 * gq_suggest returns the options within typo distance of input, nearest
 * first; gq_append_suggestions appends " <prefix> <list>?" when any. */
gq_vec gq_suggest(gh_arena *a, gh_str input, const gq_vec *options /* gh_str* */);
void gq_or_list(rb_sb *b, const gq_vec *items /* gh_str* */, bool quoted);
void gq_append_suggestions(gq_walker *w, rb_sb *b, const char *prefix, gh_str typed,
                           const gq_vec *options, bool quoted);

#endif
