/* graphql_parse.c - recursive-descent parser for GraphQL executable
 * documents (queries) and type system documents (SDL), built on
 * graphql_lex.c. It follows gqlparser's parser step for step, including
 * its error texts and which token an error points at: the first error is
 * sticky and later calls become no-ops, exactly as gqlparser's p.err is.
 * Called by graphql.c and (for the prelude) graphql_schema.c. Nesting of
 * selection sets, values and types is bounded by GQ_MAX_DEPTH. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"

typedef struct parser {
    gq_lexer lex;
    gh_arena *a;
    gq_error *e;
    bool failed; /* gqlparser's p.err != nil */
    bool peeked;
    gq_token peek_tok;
    gq_token prev;
    int depth;
} parser;

static const gh_str EMPTY = {"", 0};

static void fail_at(parser *p, int code, gq_pos pos, const char *msg) {
    if (p->failed) return;
    p->failed = true;
    p->e->code = code;
    p->e->pos = pos;
    p->e->msg = msg ? gh_arena_strndup(p->a, msg, strlen(msg)) : NULL;
    if (!p->e->msg) p->e->code = GH_ENOMEM;
}

static void perr(parser *p, const gq_token *tok, const char *fmt, ...) GH_PRINTF(3, 4);
static void perr(parser *p, const gq_token *tok, const char *fmt, ...) {
    if (p->failed) return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fail_at(p, GH_EPARSE, tok->pos, tmp);
}

static void oom(parser *p) {
    if (p->failed) return;
    p->failed = true;
    p->e->code = GH_ENOMEM;
    p->e->pos = (gq_pos){0, 0};
    p->e->msg = NULL;
}

static void *alloc(parser *p, size_t n) {
    void *m = gh_arena_calloc(p->a, n);
    if (!m) oom(p);
    return m;
}

static void push(parser *p, gq_vec *v, void *item) {
    if (!item) return; /* only after an error: the document is discarded */
    if (gq_push(p->a, v, item)) oom(p);
}

static gq_token peek(parser *p) {
    if (p->failed) return p->prev;
    if (!p->peeked) {
        p->peek_tok = gq_lex_next(&p->lex);
        p->peeked = true;
    }
    return p->peek_tok;
}

static gq_pos peek_pos(parser *p) {
    if (p->failed) return (gq_pos){0, 0};
    return peek(p).pos;
}

static gq_token next(parser *p) {
    if (p->failed) return p->prev;
    if (p->peeked) {
        p->peeked = false;
        p->prev = p->peek_tok;
    } else {
        p->prev = gq_lex_next(&p->lex);
    }
    if (p->prev.kind == GQ_T_INVALID) {
        if (p->prev.err)
            fail_at(p, GH_EPARSE, p->prev.pos, p->prev.err);
        else
            oom(p);
    }
    return p->prev;
}

static void unexpected_token(parser *p, const gq_token *tok) {
    if (p->failed) return;
    char *s = gq_token_str(p->a, tok);
    if (!s) {
        oom(p);
        return;
    }
    perr(p, tok, "Unexpected %s", s);
}

static void unexpected(parser *p) {
    gq_token t = peek(p);
    unexpected_token(p, &t);
}

static gq_token expect(parser *p, int kind) {
    gq_token tok = peek(p);
    if (tok.kind == kind) return next(p);
    perr(p, &tok, "Expected %s, found %s", gq_token_kind_str(kind), gq_token_kind_str(tok.kind));
    return tok;
}

static gq_token expect_keyword(parser *p, const char *kw) {
    gq_token tok = peek(p);
    if (tok.kind == GQ_T_NAME && gq_eqc(tok.value, kw)) return next(p);
    if (!p->failed) {
        char *s = gq_token_str(p->a, &tok);
        if (!s)
            oom(p);
        else
            perr(p, &tok, "Expected \"%s\", found %s", kw, s);
    }
    return tok;
}

static bool skip(parser *p, int kind) {
    if (p->failed) return false;
    if (peek(p).kind != kind) return false;
    next(p);
    return true;
}

static gh_str parse_name(parser *p) { return expect(p, GQ_T_NAME).value; }

/* Depth guard for recursive productions. */
static bool enter(parser *p) {
    if (++p->depth > GQ_MAX_DEPTH) {
        gq_token t = peek(p);
        char msg[96];
        snprintf(msg, sizeof msg, "GraphQL document nests deeper than %d levels", GQ_MAX_DEPTH);
        fail_at(p, GH_ELIMIT, t.pos, msg);
        return false;
    }
    return true;
}

/* ---- values, types, directives ------------------------------------------------ */

static gq_value *parse_value(parser *p, bool isconst);

static gh_str parse_variable(parser *p) {
    expect(p, GQ_T_DOLLAR);
    return parse_name(p);
}

static gq_value *parse_list_or_object(parser *p, bool isconst, bool object) {
    gq_value *v = alloc(p, sizeof *v);
    if (!v) return NULL;
    v->kind = object ? GQ_OBJECT : GQ_LIST;
    v->raw = EMPTY;
    v->pos = peek_pos(p);
    int open = object ? GQ_T_BRACE_L : GQ_T_BRACKET_L,
        close = object ? GQ_T_BRACE_R : GQ_T_BRACKET_R;
    if (!skip(p, open)) return v;
    if (!enter(p)) return v;
    while (peek(p).kind != close && !p->failed) {
        gq_child *c = alloc(p, sizeof *c);
        if (!c) break;
        if (object) {
            c->pos = peek_pos(p);
            c->name = parse_name(p);
            expect(p, GQ_T_COLON);
        } else {
            c->name = EMPTY;
        }
        c->value = parse_value(p, isconst);
        push(p, &v->children, c);
    }
    p->depth--;
    next(p);
    return v;
}

static gq_value *parse_value(parser *p, bool isconst) {
    gq_token tok = peek(p);
    int kind;
    switch (tok.kind) {
    case GQ_T_BRACKET_L: return parse_list_or_object(p, isconst, false);
    case GQ_T_BRACE_L: return parse_list_or_object(p, isconst, true);
    case GQ_T_DOLLAR: {
        if (isconst) {
            unexpected(p);
            return NULL;
        }
        gq_value *v = alloc(p, sizeof *v);
        if (!v) return NULL;
        v->kind = GQ_VAR;
        v->pos = tok.pos;
        v->raw = parse_variable(p);
        return v;
    }
    case GQ_T_INT: kind = GQ_INT; break;
    case GQ_T_FLOAT: kind = GQ_FLOAT; break;
    case GQ_T_STRING: kind = GQ_STRING; break;
    case GQ_T_BLOCK_STRING: kind = GQ_BLOCK; break;
    case GQ_T_NAME:
        if (gq_eqc(tok.value, "true") || gq_eqc(tok.value, "false"))
            kind = GQ_BOOL;
        else if (gq_eqc(tok.value, "null"))
            kind = GQ_NULL;
        else
            kind = GQ_ENUM;
        break;
    default: unexpected(p); return NULL;
    }
    next(p);
    gq_value *v = alloc(p, sizeof *v);
    if (!v) return NULL;
    v->kind = kind;
    v->pos = tok.pos;
    v->raw = tok.value;
    return v;
}

static gq_type *parse_type(parser *p) {
    gq_type *t = alloc(p, sizeof *t);
    if (!t) return NULL;
    t->named = EMPTY;
    if (skip(p, GQ_T_BRACKET_L)) {
        t->pos = peek_pos(p);
        if (enter(p)) {
            t->elem = parse_type(p);
            p->depth--;
        }
        expect(p, GQ_T_BRACKET_R);
    } else {
        t->pos = peek_pos(p);
        t->named = parse_name(p);
    }
    if (skip(p, GQ_T_BANG)) t->nonnull = true;
    return t;
}

static void parse_arguments(parser *p, bool isconst, gq_vec *out) {
    if (!skip(p, GQ_T_PAREN_L)) return;
    while (peek(p).kind != GQ_T_PAREN_R && !p->failed) {
        gq_arg *arg = alloc(p, sizeof *arg);
        if (!arg) break;
        arg->pos = peek_pos(p);
        arg->name = parse_name(p);
        expect(p, GQ_T_COLON);
        arg->value = parse_value(p, isconst);
        push(p, out, arg);
    }
    next(p);
}

static void parse_directives(parser *p, bool isconst, gq_vec *out) {
    while (peek(p).kind == GQ_T_AT) {
        if (p->failed) break;
        expect(p, GQ_T_AT);
        gq_dir *d = alloc(p, sizeof *d);
        if (!d) break;
        d->pos = peek_pos(p);
        d->name = parse_name(p);
        parse_arguments(p, isconst, &d->args);
        push(p, out, d);
    }
}

/* ---- executable definitions ---------------------------------------------------------- */

static void parse_selection_set(parser *p, gq_vec *out, bool required);

static gq_sel *parse_selection(parser *p) {
    gq_sel *s = alloc(p, sizeof *s);
    if (!s) return NULL;
    s->alias = s->name = s->typecond = EMPTY;
    if (peek(p).kind == GQ_T_SPREAD) {
        expect(p, GQ_T_SPREAD);
        gq_token t = peek(p);
        if (t.kind == GQ_T_NAME && !gq_eqc(t.value, "on")) {
            s->kind = GQ_SEL_SPREAD;
            s->pos = peek_pos(p);
            s->name = parse_name(p); /* parseFragmentName: "on" was excluded above */
            parse_directives(p, false, &s->dirs);
            return s;
        }
        s->kind = GQ_SEL_INLINE;
        s->pos = peek_pos(p);
        if (gq_eqc(peek(p).value, "on")) {
            next(p);
            s->typecond = parse_name(p);
        }
        parse_directives(p, false, &s->dirs);
        parse_selection_set(p, &s->sel, true);
        return s;
    }
    s->kind = GQ_SEL_FIELD;
    s->pos = peek_pos(p);
    s->alias = parse_name(p);
    if (skip(p, GQ_T_COLON))
        s->name = parse_name(p);
    else
        s->name = s->alias;
    parse_arguments(p, false, &s->args);
    parse_directives(p, false, &s->dirs);
    if (peek(p).kind == GQ_T_BRACE_L) parse_selection_set(p, &s->sel, false);
    return s;
}

static void parse_selection_set(parser *p, gq_vec *out, bool required) {
    if (required && peek(p).kind != GQ_T_BRACE_L) {
        gq_token t = peek(p);
        perr(p, &t, "Expected %s, found %s", gq_token_kind_str(GQ_T_BRACE_L),
             gq_token_kind_str(t.kind));
        return;
    }
    if (!skip(p, GQ_T_BRACE_L)) return;
    if (!enter(p)) return;
    bool called = false;
    while (peek(p).kind != GQ_T_BRACE_R && !p->failed) {
        called = true;
        push(p, out, parse_selection(p));
    }
    p->depth--;
    if (!called) {
        gq_token t = peek(p);
        perr(p, &t, "expected at least one definition, found %s", gq_token_kind_str(t.kind));
        return;
    }
    next(p);
}

static void parse_variable_defs(parser *p, gq_vec *out) {
    if (!skip(p, GQ_T_PAREN_L)) return;
    while (peek(p).kind != GQ_T_PAREN_R && !p->failed) {
        gq_vardef *d = alloc(p, sizeof *d);
        if (!d) break;
        d->pos = peek_pos(p);
        d->var = parse_variable(p);
        expect(p, GQ_T_COLON);
        d->type = parse_type(p);
        if (skip(p, GQ_T_EQUALS)) d->defval = parse_value(p, true);
        parse_directives(p, false, &d->dirs);
        push(p, out, d);
    }
    next(p);
}

static gh_str parse_operation_type(parser *p) {
    gq_token tok = next(p);
    if (gq_eqc(tok.value, "query")) return (gh_str){"query", 5};
    if (gq_eqc(tok.value, "mutation")) return (gh_str){"mutation", 8};
    if (gq_eqc(tok.value, "subscription")) return (gh_str){"subscription", 12};
    unexpected_token(p, &tok);
    return EMPTY;
}

static gq_op *parse_operation(parser *p) {
    gq_op *op = alloc(p, sizeof *op);
    if (!op) return NULL;
    op->name = EMPTY;
    if (peek(p).kind == GQ_T_BRACE_L) {
        op->pos = peek_pos(p);
        op->op = (gh_str){"query", 5};
        parse_selection_set(p, &op->sel, true);
        return op;
    }
    op->pos = peek_pos(p);
    op->op = parse_operation_type(p);
    if (peek(p).kind == GQ_T_NAME) op->name = next(p).value;
    parse_variable_defs(p, &op->vars);
    parse_directives(p, false, &op->dirs);
    parse_selection_set(p, &op->sel, true);
    return op;
}

static gq_frag *parse_fragment_def(parser *p) {
    gq_frag *f = alloc(p, sizeof *f);
    if (!f) return NULL;
    f->pos = peek_pos(p);
    expect_keyword(p, "fragment");
    if (gq_eqc(peek(p).value, "on")) {
        unexpected(p);
        f->name = EMPTY;
    } else {
        f->name = parse_name(p);
    }
    parse_variable_defs(p, &f->vars);
    expect_keyword(p, "on");
    f->typecond = parse_name(p);
    parse_directives(p, false, &f->dirs);
    parse_selection_set(p, &f->sel, true);
    return f;
}

static void parser_init(parser *p, gh_arena *a, const char *src, size_t n, gq_error *e) {
    memset(p, 0, sizeof *p);
    gq_lex_init(&p->lex, a, src, n);
    p->a = a;
    p->e = e;
    memset(e, 0, sizeof *e);
}

int gq_parse_query(gh_arena *a, const char *src, size_t n, gq_qdoc **out, gq_error *e) {
    parser p;
    parser_init(&p, a, src, n, e);
    *out = NULL;
    gq_qdoc *doc = alloc(&p, sizeof *doc);
    while (doc && peek(&p).kind != GQ_T_EOF) {
        if (p.failed) break;
        gq_token t = peek(&p);
        if (t.kind == GQ_T_NAME) {
            if (gq_eqc(t.value, "query") || gq_eqc(t.value, "mutation") ||
                gq_eqc(t.value, "subscription"))
                push(&p, &doc->ops, parse_operation(&p));
            else if (gq_eqc(t.value, "fragment"))
                push(&p, &doc->frags, parse_fragment_def(&p));
            else
                unexpected(&p);
        } else if (t.kind == GQ_T_BRACE_L) {
            push(&p, &doc->ops, parse_operation(&p));
        } else {
            unexpected(&p);
        }
    }
    if (p.failed) return e->code ? e->code : GH_ENOMEM;
    *out = doc;
    return 0;
}

/* ---- type system definitions ------------------------------------------------------- */

static gh_str parse_description(parser *p) {
    gq_token t = peek(p);
    if (t.kind != GQ_T_BLOCK_STRING && t.kind != GQ_T_STRING) return EMPTY;
    return next(p).value;
}

static gq_fielddef *parse_input_value_def(parser *p) {
    gq_fielddef *d = alloc(p, sizeof *d);
    if (!d) return NULL;
    d->pos = peek_pos(p);
    d->desc = parse_description(p);
    d->name = parse_name(p);
    expect(p, GQ_T_COLON);
    d->type = parse_type(p);
    if (skip(p, GQ_T_EQUALS)) d->defval = parse_value(p, true);
    parse_directives(p, true, &d->dirs);
    return d;
}

/* gqlparser's some(): at least one item between the delimiters. */
typedef void *(*item_fn)(parser *p);

static void some(parser *p, int open, int close, item_fn fn, gq_vec *out) {
    if (!skip(p, open)) return;
    bool called = false;
    while (peek(p).kind != close && !p->failed) {
        called = true;
        push(p, out, fn(p));
    }
    if (!called) {
        gq_token t = peek(p);
        perr(p, &t, "expected at least one definition, found %s", gq_token_kind_str(t.kind));
        return;
    }
    next(p);
}

static void *item_arg_def(parser *p) { return parse_input_value_def(p); }

static void *item_field_def(parser *p) {
    gq_fielddef *d = alloc(p, sizeof *d);
    if (!d) return NULL;
    d->pos = peek_pos(p);
    d->desc = parse_description(p);
    d->name = parse_name(p);
    some(p, GQ_T_PAREN_L, GQ_T_PAREN_R, item_arg_def, &d->args);
    expect(p, GQ_T_COLON);
    d->type = parse_type(p);
    parse_directives(p, true, &d->dirs);
    return d;
}

static void *item_enum_value(parser *p) {
    gq_enumval *v = alloc(p, sizeof *v);
    if (!v) return NULL;
    v->pos = peek_pos(p);
    v->desc = parse_description(p);
    v->name = parse_name(p);
    parse_directives(p, true, &v->dirs);
    return v;
}

static void *item_optype(parser *p) {
    gq_optype *o = alloc(p, sizeof *o);
    if (!o) return NULL;
    o->pos = peek_pos(p);
    o->op = parse_operation_type(p);
    expect(p, GQ_T_COLON);
    o->type = parse_name(p);
    return o;
}

static gh_str *name_item(parser *p) {
    gh_str *s = alloc(p, sizeof *s);
    if (s) *s = parse_name(p);
    return s;
}

static void parse_implements(parser *p, gq_vec *out) {
    if (!gq_eqc(peek(p).value, "implements")) return;
    next(p);
    skip(p, GQ_T_AMP);
    push(p, out, name_item(p));
    while (skip(p, GQ_T_AMP) && !p->failed)
        push(p, out, name_item(p));
}

static void parse_union_members(parser *p, gq_vec *out) {
    if (!skip(p, GQ_T_EQUALS)) return;
    skip(p, GQ_T_PIPE);
    push(p, out, name_item(p));
    while (skip(p, GQ_T_PIPE) && !p->failed)
        push(p, out, name_item(p));
}

static gq_def *new_def(parser *p, const char *kw, int kind, gh_str desc) {
    expect_keyword(p, kw);
    gq_def *d = alloc(p, sizeof *d);
    if (!d) return NULL;
    static const char *const kinds[] = {"",      "SCALAR", "OBJECT",      "INTERFACE",
                                        "UNION", "ENUM",   "INPUT_OBJECT"};
    d->kind = kind;
    d->kindname = (gh_str){kinds[kind], strlen(kinds[kind])};
    d->pos = peek_pos(p);
    d->desc = desc;
    d->name = parse_name(p);
    return d;
}

/* One type definition or extension body after its keyword; ext says which
 * (extensions must add something, and input extensions take non-const
 * directives, as in gqlparser). */
static gq_def *parse_type_def(parser *p, gh_str kw, gh_str desc, bool ext) {
    gq_def *d;
    if (gq_eqc(kw, "scalar")) {
        if (!(d = new_def(p, "scalar", GQ_K_SCALAR, desc))) return NULL;
        parse_directives(p, true, &d->dirs);
        if (ext && !d->dirs.n) unexpected(p);
    } else if (gq_eqc(kw, "type") || gq_eqc(kw, "interface")) {
        bool obj = gq_eqc(kw, "type");
        if (!(d = new_def(p, obj ? "type" : "interface", obj ? GQ_K_OBJECT : GQ_K_INTERFACE, desc)))
            return NULL;
        if (obj || !ext) parse_implements(p, &d->ifaces);
        parse_directives(p, true, &d->dirs);
        some(p, GQ_T_BRACE_L, GQ_T_BRACE_R, item_field_def, &d->fields);
        if (ext && !d->ifaces.n && !d->dirs.n && !d->fields.n) unexpected(p);
    } else if (gq_eqc(kw, "union")) {
        if (!(d = new_def(p, "union", GQ_K_UNION, desc))) return NULL;
        parse_directives(p, true, &d->dirs);
        parse_union_members(p, &d->types);
        if (ext && !d->dirs.n && !d->types.n) unexpected(p);
    } else if (gq_eqc(kw, "enum")) {
        if (!(d = new_def(p, "enum", GQ_K_ENUM, desc))) return NULL;
        parse_directives(p, true, &d->dirs);
        some(p, GQ_T_BRACE_L, GQ_T_BRACE_R, item_enum_value, &d->enumvals);
        if (ext && !d->dirs.n && !d->enumvals.n) unexpected(p);
    } else if (gq_eqc(kw, "input")) {
        if (!(d = new_def(p, "input", GQ_K_INPUT, desc))) return NULL;
        parse_directives(p, !ext, &d->dirs);
        some(p, GQ_T_BRACE_L, GQ_T_BRACE_R, item_arg_def, &d->fields);
        if (ext && !d->dirs.n && !d->fields.n) unexpected(p);
    } else {
        unexpected(p);
        return NULL;
    }
    return d;
}

static gq_schemadef *parse_schema_def(parser *p, gh_str desc, bool ext) {
    expect_keyword(p, "schema");
    gq_schemadef *s = alloc(p, sizeof *s);
    if (!s) return NULL;
    s->desc = desc;
    s->pos = peek_pos(p);
    parse_directives(p, true, &s->dirs);
    some(p, GQ_T_BRACE_L, GQ_T_BRACE_R, item_optype, &s->optypes);
    if (ext && !s->dirs.n && !s->optypes.n) unexpected(p);
    return s;
}

static const char *const dir_locations[] = {"QUERY",
                                            "MUTATION",
                                            "SUBSCRIPTION",
                                            "FIELD",
                                            "FRAGMENT_DEFINITION",
                                            "FRAGMENT_SPREAD",
                                            "INLINE_FRAGMENT",
                                            "VARIABLE_DEFINITION",
                                            "SCHEMA",
                                            "SCALAR",
                                            "OBJECT",
                                            "FIELD_DEFINITION",
                                            "ARGUMENT_DEFINITION",
                                            "INTERFACE",
                                            "UNION",
                                            "ENUM",
                                            "ENUM_VALUE",
                                            "INPUT_OBJECT",
                                            "INPUT_FIELD_DEFINITION",
                                            NULL};

static gh_str *parse_dir_location(parser *p) {
    gq_token t = expect(p, GQ_T_NAME);
    gh_str *s = alloc(p, sizeof *s);
    if (!s) return NULL;
    for (size_t i = 0; dir_locations[i]; i++)
        if (gq_eqc(t.value, dir_locations[i])) {
            *s = (gh_str){dir_locations[i], strlen(dir_locations[i])};
            return s;
        }
    unexpected_token(p, &t);
    *s = EMPTY;
    return s;
}

static gq_dirdef *parse_directive_def(parser *p, gh_str desc) {
    expect_keyword(p, "directive");
    expect(p, GQ_T_AT);
    gq_dirdef *d = alloc(p, sizeof *d);
    if (!d) return NULL;
    d->pos = peek_pos(p);
    d->desc = desc;
    d->name = parse_name(p);
    some(p, GQ_T_PAREN_L, GQ_T_PAREN_R, item_arg_def, &d->args);
    gq_token t = peek(p);
    if (t.kind == GQ_T_NAME && gq_eqc(t.value, "repeatable")) {
        d->repeatable = true;
        skip(p, GQ_T_NAME);
    }
    expect_keyword(p, "on");
    skip(p, GQ_T_PIPE);
    push(p, &d->locs, parse_dir_location(p));
    while (skip(p, GQ_T_PIPE) && !p->failed)
        push(p, &d->locs, parse_dir_location(p));
    return d;
}

int gq_parse_schema(gh_arena *a, const char *src, size_t n, bool prelude, gq_sdoc **out,
                    gq_error *e) {
    parser p;
    parser_init(&p, a, src, n, e);
    if (prelude) p.lex.line_sign = -1;
    *out = NULL;
    gq_sdoc *doc = alloc(&p, sizeof *doc);
    while (doc && peek(&p).kind != GQ_T_EOF) {
        if (p.failed) break;
        gh_str desc = EMPTY;
        int k = peek(&p).kind;
        if (k == GQ_T_BLOCK_STRING || k == GQ_T_STRING) desc = parse_description(&p);
        gq_token t = peek(&p);
        if (t.kind != GQ_T_NAME) {
            unexpected(&p);
            break;
        }
        gh_str kw = t.value;
        if (gq_eqc(kw, "scalar") || gq_eqc(kw, "type") || gq_eqc(kw, "interface") ||
            gq_eqc(kw, "union") || gq_eqc(kw, "enum") || gq_eqc(kw, "input")) {
            push(&p, &doc->defs, parse_type_def(&p, kw, desc, false));
        } else if (gq_eqc(kw, "schema")) {
            push(&p, &doc->schema, parse_schema_def(&p, desc, false));
        } else if (gq_eqc(kw, "directive")) {
            push(&p, &doc->dirs, parse_directive_def(&p, desc));
        } else if (gq_eqc(kw, "extend")) {
            if (desc.n) unexpected_token(&p, &p.prev);
            expect_keyword(&p, "extend");
            gh_str what = peek(&p).value;
            if (gq_eqc(what, "schema"))
                push(&p, &doc->schemaext, parse_schema_def(&p, EMPTY, true));
            else if (gq_eqc(what, "scalar") || gq_eqc(what, "type") || gq_eqc(what, "interface") ||
                     gq_eqc(what, "union") || gq_eqc(what, "enum") || gq_eqc(what, "input"))
                push(&p, &doc->exts, parse_type_def(&p, what, EMPTY, true));
            else
                unexpected(&p);
        } else {
            unexpected(&p);
            break;
        }
    }
    if (p.failed) return e->code ? e->code : GH_ENOMEM;
    for (uint32_t i = 0; i < doc->defs.n; i++) {
        gq_def *d = doc->defs.v[i];
        d->builtin = prelude;
    }
    for (uint32_t i = 0; i < doc->exts.n; i++) {
        gq_def *d = doc->exts.v[i];
        d->builtin = prelude;
    }
    *out = doc;
    return 0;
}
