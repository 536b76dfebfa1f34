/* graphql.c - the graphql.* builtins (OPA 0.61): graphql.is_valid,
 * graphql.parse, graphql.parse_and_verify, graphql.parse_query,
 * graphql.parse_schema and graphql.schema_is_valid. Queries and schemas
 * come as GraphQL text or as the AST objects these builtins return; the
 * work is done by graphql_parse.c (text), graphql_ast.c (objects),
 * graphql_schema.c (schema checks, with gqlparser's built-in prelude) and
 * graphql_validate.c (query validation). Error texts are OPA's, built from
 * gqlparser's error strings the way OPA's topdown/graphql.go munges them.
 * Also holds the small helpers the family's files share. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/graphql_int.h"

/* ---- shared helpers ------------------------------------------------------------------ */

int gq_push(gh_arena *a, gq_vec *v, void *item) {
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 4;
        if (cap < v->cap) return GH_ENOMEM;
        void **p = gh_arena_realloc(a, v->v, v->cap * sizeof *p, cap * sizeof *p);
        if (!p) return GH_ENOMEM;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = item;
    return 0;
}

/* ---- error texts ----------------------------------------------------------------------- */

/* gqlerror's Error(): "input:LINE:COL: message" (no location part when the
 * position is unknown; "prelude.graphql" for the built-in prelude). */
static void gql_error_str(rb_sb *b, gq_pos pos, const char *msg) {
    rb_sb_puts(b, pos.line < 0 ? "prelude.graphql" : "input");
    if (pos.line) rb_sb_printf(b, ":%d:%d", pos.line < 0 ? -pos.line : pos.line, pos.col);
    rb_sb_puts(b, ": ");
    rb_sb_puts(b, msg ? msg : "");
}

/* A parse error of a query or schema string. */
static int parse_err(rego_bctx *c, const gq_error *e) {
    if (e->code == GH_ENOMEM) return rb_oom(c);
    if (e->code == GH_ELIMIT) return rb_err(c, "%s", e->msg ? e->msg : "limit exceeded");
    return rb_err(c, "%s in GraphQL string at location %d:%d", e->msg ? e->msg : "", e->pos.line,
                  e->pos.col);
}

/* A schema that parsed but is not valid. */
static int schema_err(rego_bctx *c, gh_arena *t, const gq_error *e) {
    if (e->code == GH_ENOMEM) return rb_oom(c);
    rb_sb b;
    rb_sb_init(&b, t, 128);
    rb_sb_puts(&b, "Error in gqlparser SchemaDocument to Schema conversion: ");
    gql_error_str(&b, e->pos, e->msg);
    rb_sb_putc(&b, '\0');
    if (b.oom) return rb_oom(c);
    return rb_err(c, "%s", b.p);
}

/* Validation errors, as OPA reports them: every gqlparser error joined as
 * gqlerror.List.Error() does, split at the first three ':' to take the
 * first error's location, and the trailing ".\n" dropped. (When the first
 * error has no location OPA 0.61 crashes; we keep the message.) */
static int validation_err(rego_bctx *c, gh_arena *t, const gq_vec *errs) {
    rb_sb full;
    rb_sb_init(&full, t, 256);
    for (uint32_t i = 0; i < errs->n; i++) {
        const gq_msg *m = errs->v[i];
        gql_error_str(&full, m->pos, m->msg);
        rb_sb_putc(&full, '\n');
    }
    if (full.oom) return rb_oom(c);
    const char *p = full.p, *end = full.p + full.len;
    const char *part[4];
    size_t len[4];
    int n = 0;
    while (n < 3) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (!colon) break;
        part[n] = p;
        len[n] = (size_t)(colon - p);
        n++;
        p = colon + 1;
    }
    part[n] = p;
    len[n] = (size_t)(end - p);
    n++;
    const char *msg = part[n - 1];
    size_t mlen = len[n - 1];
    if (n < 4) { /* no location: "input: message" */
        msg = part[1];
        mlen = len[1];
        for (int k = 2; k < n; k++)
            mlen += 1 + len[k];
    }
    while (mlen && *msg == ' ')
        msg++, mlen--;
    if (mlen >= 2 && msg[mlen - 2] == '.' && msg[mlen - 1] == '\n') mlen -= 2;
    if (n < 4) return rb_err(c, "%.*s in GraphQL query string", (int)mlen, msg);
    return rb_err(c, "%.*s in GraphQL query string at location %.*s:%.*s", (int)mlen, msg,
                  (int)len[1], part[1], (int)len[2], part[2]);
}

/* ---- loading ---------------------------------------------------------------------------- */

enum { LOAD_OK = 0, LOAD_TYPE = 1 };

/* The query document of a string or AST object. LOAD_TYPE for other kinds;
 * otherwise 0 or a GH_E* code with e describing it (parse = true when e is
 * a parse error of text). */
static int load_query(gh_arena *a, const val_t *v, gq_qdoc **q, gq_error *e, bool *parse) {
    *parse = false;
    if (val_is_str(v)) {
        *parse = true;
        return gq_parse_query(a, val_str_ptr(v), val_str_len(v), q, e);
    }
    if (val_kind_of(v) == VAL_OBJECT) return gq_qdoc_from_val(a, v, q, e);
    return LOAD_TYPE;
}

static int load_schema(gh_arena *a, const val_t *v, gq_sdoc **s, gq_error *e, bool *parse) {
    *parse = false;
    if (val_is_str(v)) {
        *parse = true;
        return gq_parse_schema(a, val_str_ptr(v), val_str_len(v), false, s, e);
    }
    if (val_kind_of(v) == VAL_OBJECT) return gq_sdoc_from_val(a, v, s, e);
    return LOAD_TYPE;
}

/* A failed load as a builtin error. */
static int load_err(rego_bctx *c, int rc, const gq_error *e, bool parse, int argi,
                    const val_t *arg) {
    if (rc == LOAD_TYPE) return rb_type_err(c, argi, "{string, object}", arg);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (parse) return parse_err(c, e);
    return rb_err(c, "%s", e->msg ? e->msg : "invalid GraphQL AST object");
}

/* Everything graphql.parse and friends share: load both documents, build
 * the schema, render the ASTs (before validation, as OPA does) and
 * validate. On failure returns the builtin error (c->err filled). */
typedef struct checked {
    val_t *query_ast, *schema_ast;
} checked;

/* Documents, schema and validation state live in a scratch arena freed
 * when the call returns (only the AST values are results); it may use as
 * much memory as the evaluation's own arena allows. */
static void scratch_init(rego_bctx *c, gh_arena *scratch) { gh_arena_init(scratch, c->a->budget); }

static int check_in(rego_bctx *c, gh_arena *t, val_t *const *args, bool want_ast, checked *out) {
    gq_error e;
    gq_qdoc *q = NULL;
    gq_sdoc *sd = NULL;
    gq_schema *s = NULL;
    bool parse;
    int rc = load_query(t, args[0], &q, &e, &parse);
    if (rc) return load_err(c, rc, &e, parse, 0, args[0]);
    rc = load_schema(t, args[1], &sd, &e, &parse);
    if (rc) return load_err(c, rc, &e, parse, 1, args[1]);
    if (want_ast && !(out->schema_ast = gq_sdoc_to_val(c->a, sd))) return rb_oom(c);
    if ((rc = gq_schema_build(t, sd, &s, &e))) return schema_err(c, t, &e);
    if (want_ast && !(out->query_ast = gq_qdoc_to_val(c->a, q))) return rb_oom(c);
    gq_vec errs = {0};
    if ((rc = gq_validate(t, s, q, &errs, &e))) {
        if (rc == GH_ENOMEM) return rb_oom(c);
        return rb_err(c, "%s", e.msg ? e.msg : "GraphQL validation failed");
    }
    if (errs.n) return validation_err(c, t, &errs);
    return 0;
}

static int check(rego_bctx *c, val_t *const *args, bool want_ast, checked *out) {
    gh_arena t;
    scratch_init(c, &t);
    int rc = check_in(c, &t, args, want_ast, out);
    gh_arena_free(&t);
    return rc;
}

/* ---- builtins ------------------------------------------------------------------------------ */

static int bi_parse(rego_bctx *c, val_t *const *args, val_t **out) {
    checked r = {0};
    int rc = check(c, args, true, &r);
    if (rc) return rc;
    val_t *arr = val_arr_new(c->a, 2);
    if (!arr || val_arr_push(c->a, arr, r.query_ast) || val_arr_push(c->a, arr, r.schema_ast))
        return rb_oom(c);
    *out = arr;
    return RB_OK;
}

static int bi_parse_and_verify(rego_bctx *c, val_t *const *args, val_t **out) {
    checked r = {0};
    gh_err scratch;
    gh_err *keep = c->err;
    c->err = &scratch;
    int rc = check(c, args, true, &r);
    c->err = keep;
    if (rc == GH_ENOMEM) return rb_oom(c);
    val_t *arr = val_arr_new(c->a, 3);
    if (!arr) return rb_oom(c);
    val_t *q = rc ? val_obj_new(c->a, 0) : r.query_ast;
    val_t *s = rc ? val_obj_new(c->a, 0) : r.schema_ast;
    if (!q || !s || val_arr_push(c->a, arr, val_bool(rc == 0)) || val_arr_push(c->a, arr, q) ||
        val_arr_push(c->a, arr, s))
        return rb_oom(c);
    *out = arr;
    return RB_OK;
}

static int bi_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    gh_err scratch;
    gh_err *keep = c->err;
    c->err = &scratch;
    int rc = check(c, args, false, NULL);
    c->err = keep;
    if (rc == GH_ENOMEM) return rb_oom(c);
    *out = val_bool(rc == 0);
    return RB_OK;
}

static int bi_parse_query(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) return rc;
    gh_arena t;
    scratch_init(c, &t);
    gq_qdoc *q;
    gq_error e;
    if ((rc = gq_parse_query(&t, s, n, &q, &e)))
        rc = parse_err(c, &e);
    else if (!(*out = gq_qdoc_to_val(c->a, q)))
        rc = rb_oom(c);
    gh_arena_free(&t);
    return rc ? rc : RB_OK;
}

static int bi_parse_schema(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) return rc;
    gh_arena t;
    scratch_init(c, &t);
    gq_sdoc *d;
    gq_error e;
    if ((rc = gq_parse_schema(&t, s, n, false, &d, &e)))
        rc = parse_err(c, &e);
    else if (!(*out = gq_sdoc_to_val(c->a, d)))
        rc = rb_oom(c);
    gh_arena_free(&t);
    return rc ? rc : RB_OK;
}

static int bi_schema_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    gh_arena t;
    scratch_init(c, &t);
    gq_error e;
    gq_sdoc *sd;
    gq_schema *s;
    bool parse;
    int rc = load_schema(&t, args[0], &sd, &e, &parse);
    if (!rc) rc = gq_schema_build(&t, sd, &s, &e);
    gh_arena_free(&t);
    if (rc == GH_ENOMEM) return rb_oom(c);
    *out = val_bool(rc == 0);
    return RB_OK;
}

#define GQ_DOC "string|object[any: any]"

const rego_builtin rego_bi_graphql[] = {
    {"graphql.is_valid", 2, 0, bi_is_valid,
     "(query: " GQ_DOC ", schema: " GQ_DOC ") -> output: boolean", "graphql",
     "Reports whether a GraphQL query (text or AST object) is valid against a schema."},
    {"graphql.parse", 2, 0, bi_parse,
     "(query: " GQ_DOC ", schema: " GQ_DOC ") -> output: <object[any: any], object[any: any]>",
     "graphql",
     "Parses and validates a GraphQL query against a schema, returning both ASTs; errors when "
     "either is invalid."},
    {"graphql.parse_and_verify", 2, 0, bi_parse_and_verify,
     "(query: " GQ_DOC ", schema: " GQ_DOC
     ") -> output: <boolean, object[any: any], object[any: any]>",
     "graphql", "Like graphql.parse, but reports failure as [false, {}, {}] instead of an error."},
    {"graphql.parse_query", 1, 0, bi_parse_query, "(query: string) -> output: object[any: any]",
     "graphql", "Parses a GraphQL query into its AST object."},
    {"graphql.parse_schema", 1, 0, bi_parse_schema, "(schema: string) -> output: object[any: any]",
     "graphql", "Parses a GraphQL schema (SDL) into its AST object."},
    {"graphql.schema_is_valid", 1, 0, bi_schema_is_valid, "(schema: " GQ_DOC ") -> output: boolean",
     "graphql", "Reports whether a GraphQL schema (text or AST object) is valid."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
