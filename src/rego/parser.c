/* parser.c - Rego parser core: parse state and errors, AST node helpers, the
 * statement loop (package, import, rules, bodies), module assembly with the
 * Rego v1 checks, and the rego_parse_* entry points (terms: parser_expr.c,
 * literals: parser_body.c, rules: parser_rule.c). Errors live in the
 * restorable state (a failed attempt leaves none behind); limits and OOM are
 * "fatal" and end the parse at once; the returned AST is immutable. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rego_int.h"

/* ---- errors ------------------------------------------------------------------ */

void rp_fatal(rego_parser *p, int code, uint32_t line, uint32_t col, const char *msg) {
    if (p->fatal) return;
    p->fatal = code;
    p->fatal_msg = msg;
    p->fatal_line = line;
    p->fatal_col = col;
}

void *rp_alloc(rego_parser *p, size_t n) {
    void *x = gh_arena_calloc(p->a, n);
    if (!x) rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
    return x;
}

char *rp_strndup(rego_parser *p, const char *s, size_t n) {
    char *x = gh_arena_strndup(p->a, s, n);
    if (!x) rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
    return x;
}

void rp_hint(rego_parser *p, const char *msg) {
    rp_hintnode *h = rp_alloc(p, sizeof *h);
    if (!h) return;
    h->msg = msg;
    h->prev = p->s.hints;
    p->s.hints = h;
}

static void err_vadd(rego_parser *p, uint32_t line, uint32_t col, const char *fmt, va_list ap) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_vprintf(&b, fmt, ap);
    if (p->s.hints) {
        const char *hs[16];
        int nh = 0;
        for (rp_hintnode *h = p->s.hints; h && nh < 16; h = h->prev)
            hs[nh++] = h->msg;
        gh_buf_puts(&b, nh == 1 ? " (hint: " : " (hints: ");
        for (int i = nh - 1; i >= 0; i--) {
            gh_buf_puts(&b, hs[i]);
            if (i) gh_buf_puts(&b, ", ");
        }
        gh_buf_putc(&b, ')');
        p->s.hints = NULL;
    }
    if (b.oom) {
        gh_buf_free(&b);
        rp_fatal(p, GH_ENOMEM, line, col, "out of memory");
        return;
    }
    rp_err *e = rp_alloc(p, sizeof *e);
    char *msg = e ? rp_strndup(p, b.p ? b.p : "", b.len) : NULL;
    gh_buf_free(&b);
    if (!e || !msg) return;
    e->line = line;
    e->col = col;
    e->msg = msg;
    e->post = p->post;
    e->prev = p->s.errs;
    p->s.errs = e;
    p->s.nerrs++;
}

void rp_errorf(rego_parser *p, uint32_t line, uint32_t col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err_vadd(p, line, col, fmt, ap);
    va_end(ap);
}

void rp_illegal(rego_parser *p, const char *fmt, ...) {
    uint32_t l = p->s.tok_line, c = p->s.tok_col;
    if (p->s.tok == TK_ILLEGAL) {
        rp_errorf(p, l, c, "illegal token");
        return;
    }
    const char *tt = rp_tok_is_keyword(p->s.tok) ? "keyword" : "token";
    if (!fmt || !*fmt) {
        rp_errorf(p, l, c, "unexpected %s %s", rp_tok_name(p->s.tok), tt);
        return;
    }
    char note[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, sizeof note, fmt, ap);
    va_end(ap);
    rp_errorf(p, l, c, "unexpected %s %s: %s", rp_tok_name(p->s.tok), tt, note);
}

bool rp_enter(rego_parser *p) {
    if (p->fatal) return false;
    if (++p->depth > p->max_depth) {
        p->depth--;
        rp_fatal(p, GH_ELIMIT, p->s.tok_line, p->s.tok_col, "max parsing recursion depth exceeded");
        return false;
    }
    if (p->depth > p->peak) p->peak = p->depth;
    return true;
}

/* ---- node helpers -------------------------------------------------------------- */

rego_loc rp_tok_loc(const rego_parser *p) {
    return (rego_loc){p->file, p->s.tok_line, p->s.tok_col, p->s.tok_off, p->s.tok_end};
}

rego_loc rp_loc_span(const rego_parser *p, const rego_loc *start, uint32_t end) {
    (void)p;
    rego_loc l = *start;
    if (end > l.off) l.end = end;
    return l;
}

bool rp_vec_push(rego_parser *p, rp_vec *v, void *x) {
    if (p->fatal) return false;
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 4;
        if (nc < v->cap || nc > UINT32_MAX / sizeof(void *)) {
            rp_fatal(p, GH_ELIMIT, p->s.tok_line, p->s.tok_col, "too many elements");
            return false;
        }
        void **ni = gh_arena_realloc(p->a, v->items, v->cap * sizeof(void *), nc * sizeof(void *));
        if (!ni) {
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            return false;
        }
        v->items = ni;
        v->cap = nc;
    }
    v->items[v->n++] = x;
    return true;
}

rego_term *rp_term_new(rego_parser *p, int kind, rego_loc loc) {
    rego_term *t = rp_alloc(p, sizeof *t);
    if (!t) return NULL;
    t->kind = (uint8_t)kind;
    t->depth = 1;
    t->loc = loc;
    return t;
}

rego_term *rp_term_var(rego_parser *p, const char *name, size_t n, rego_loc loc) {
    rego_term *t = rp_term_new(p, REGO_T_VAR, loc);
    if (!t) return NULL;
    t->u.var.name = rp_strndup(p, name, n);
    t->u.var.len = (uint32_t)n;
    return t->u.var.name ? t : NULL;
}

rego_term *rp_term_str(rego_parser *p, const char *s, size_t n, rego_loc loc) {
    rego_term *t = rp_term_new(p, REGO_T_SCALAR, loc);
    if (!t) return NULL;
    t->u.value = val_str(p->a, s, n);
    if (!t->u.value) {
        rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    return t;
}

rego_term *rp_term_bool(rego_parser *p, bool b, rego_loc loc) {
    rego_term *t = rp_term_new(p, REGO_T_SCALAR, loc);
    if (t) t->u.value = val_bool(b);
    return t;
}

rego_term *rp_term_list(rego_parser *p, int kind, rp_vec *v, rego_loc loc) {
    rego_term *t = rp_term_new(p, kind, loc);
    if (!t) return NULL;
    t->u.list.items = (rego_term **)v->items;
    t->u.list.n = v->n;
    rp_term_depth(p, t);
    return t;
}

rego_term *rp_term_op(rego_parser *p, const char *dotted, rego_loc loc) {
    rp_vec v = {0};
    const char *dot = strchr(dotted, '.');
    size_t hn = dot ? (size_t)(dot - dotted) : strlen(dotted);
    if (!rp_vec_push(p, &v, rp_term_var(p, dotted, hn, loc))) return NULL;
    if (dot && !rp_vec_push(p, &v, rp_term_str(p, dot + 1, strlen(dot + 1), loc))) return NULL;
    for (uint32_t i = 0; i < v.n; i++)
        if (!v.items[i]) return NULL;
    return rp_term_list(p, REGO_T_REF, &v, loc);
}

rego_term *rp_term_call2(rego_parser *p, rego_term *op, rego_term *a, rego_term *b, rego_term *c,
                         rego_loc loc) {
    if (!op || !a || !b) return NULL;
    rp_vec v = {0};
    rp_vec_push(p, &v, op);
    rp_vec_push(p, &v, a);
    rp_vec_push(p, &v, b);
    if (c) rp_vec_push(p, &v, c);
    if (p->fatal) return NULL;
    return rp_term_list(p, REGO_T_CALL, &v, loc);
}

static void depth_check(rego_parser *p, uint32_t d, const rego_loc *loc, uint16_t *out) {
    if (d > p->max_depth) {
        rp_fatal(p, GH_ELIMIT, loc->line, loc->col, "nesting too deep");
        d = p->max_depth;
    }
    *out = (uint16_t)(d > UINT16_MAX ? UINT16_MAX : d);
}

void rp_term_depth(rego_parser *p, rego_term *t) {
    uint32_t d = 0;
    switch (t->kind) {
    case REGO_T_REF:
    case REGO_T_ARRAY:
    case REGO_T_SET:
    case REGO_T_CALL:
        for (uint32_t i = 0; i < t->u.list.n; i++)
            if (t->u.list.items[i] && t->u.list.items[i]->depth > d) d = t->u.list.items[i]->depth;
        break;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            if (t->u.obj.keys[i]->depth > d) d = t->u.obj.keys[i]->depth;
            if (t->u.obj.vals[i]->depth > d) d = t->u.obj.vals[i]->depth;
        }
        break;
    case REGO_T_ARRAY_COMPR:
    case REGO_T_SET_COMPR:
    case REGO_T_OBJECT_COMPR:
        if (t->u.compr.key && t->u.compr.key->depth > d) d = t->u.compr.key->depth;
        if (t->u.compr.head && t->u.compr.head->depth > d) d = t->u.compr.head->depth;
        if (t->u.compr.body && t->u.compr.body->depth > d) d = t->u.compr.body->depth;
        break;
    default: break;
    }
    depth_check(p, d + 1, &t->loc, &t->depth);
}

void rp_expr_depth(rego_parser *p, rego_expr *x) {
    uint32_t d = 0;
#define DMAX(t)                                                                                    \
    do {                                                                                           \
        if ((t) && (t)->depth > d) d = (t)->depth;                                                 \
    } while (0)
    switch (x->kind) {
    case REGO_E_TERM: DMAX(x->u.term); break;
    case REGO_E_CALL:
        for (uint32_t i = 0; i < x->u.call.n; i++)
            DMAX(x->u.call.terms[i]);
        break;
    case REGO_E_SOME:
        for (uint32_t i = 0; i < x->u.some.n; i++)
            DMAX(x->u.some.vars[i]);
        DMAX(x->u.some.key);
        DMAX(x->u.some.value);
        DMAX(x->u.some.domain);
        break;
    case REGO_E_EVERY:
        DMAX(x->u.every.key);
        DMAX(x->u.every.value);
        DMAX(x->u.every.domain);
        DMAX(x->u.every.body);
        break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        DMAX(x->with[i].target);
        DMAX(x->with[i].value);
    }
#undef DMAX
    depth_check(p, d + 1, &x->loc, &x->depth);
}

void rp_body_depth(rego_parser *p, rego_body *b) {
    uint32_t d = 0;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->exprs[i]->depth > d) d = b->exprs[i]->depth;
    depth_check(p, d + 1, &b->loc, &b->depth);
}

rego_body *rp_body_true(rego_parser *p, rego_loc loc) {
    rego_body *b = rp_alloc(p, sizeof *b);
    rego_expr *x = rp_alloc(p, sizeof *x);
    rego_expr **xs = rp_alloc(p, sizeof *xs);
    rego_term *t = rp_term_bool(p, true, loc);
    if (!b || !x || !xs || !t) return NULL;
    x->kind = REGO_E_TERM;
    x->loc = loc;
    x->u.term = t;
    x->depth = 2;
    xs[0] = x;
    b->exprs = xs;
    b->n = 1;
    b->loc = loc;
    b->depth = 3;
    return b;
}

const char *rp_term_type_name(const rego_term *t) {
    switch (t->kind) {
    case REGO_T_SCALAR:
        switch (val_kind_of(t->u.value)) {
        case VAL_NULL: return "null";
        case VAL_BOOL: return "boolean";
        case VAL_NUMBER: return "number";
        default: return "string";
        }
    case REGO_T_VAR: return "var";
    case REGO_T_REF: return "ref";
    case REGO_T_ARRAY: return "array";
    case REGO_T_SET: return "set";
    case REGO_T_OBJECT: return "object";
    case REGO_T_ARRAY_COMPR: return "arraycomprehension";
    case REGO_T_SET_COMPR: return "setcomprehension";
    case REGO_T_OBJECT_COMPR: return "objectcomprehension";
    default: return "call";
    }
}

const char *rp_term_text(rego_parser *p, const rego_term *t) {
    gh_buf b;
    gh_buf_init(&b);
    rego_term_print(&b, t);
    const char *s = b.oom ? "?" : rp_strndup(p, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return s ? s : "?";
}

static bool var_is(const rego_term *t, const char *name) {
    return t && t->kind == REGO_T_VAR && !strcmp(t->u.var.name, name);
}

static bool str_is(const rego_term *t, const char *s) {
    return t && t->kind == REGO_T_SCALAR && val_is_str(t->u.value) &&
           !strcmp(val_str_ptr(t->u.value), s);
}

/* ---- package and import ---------------------------------------------------------- */

static rego_term *parse_package(rego_parser *p, rego_loc *ploc) {
    if (p->s.tok != TK_PACKAGE) return NULL;
    *ploc = rp_tok_loc(p);
    rp_scan_tok(p);
    if (p->s.tok != TK_IDENT) {
        rp_illegal(p, NULL);
        return NULL;
    }
    rego_term *t = rp_parse_term(p);
    rego_term *path = NULL;
    if (t) {
        rp_vec v = {0};
        if (t->kind == REGO_T_VAR) {
            bool wild = t->flags & REGO_TF_WILDCARD; /* `package _`: OPA's first wildcard name */
            rp_vec_push(p, &v, rp_term_var(p, "data", 4, t->loc));
            rp_vec_push(
                p, &v,
                rp_term_str(p, wild ? "$0" : t->u.var.name, wild ? 2 : t->u.var.len, t->loc));
        } else if (t->kind == REGO_T_REF) {
            rego_term *h = t->u.list.items[0];
            if (h->kind != REGO_T_VAR) {
                rp_errorf(p, h->loc.line, h->loc.col, "unexpected %s token: expecting var",
                          rp_term_type_name(h));
                return NULL;
            }
            bool wild = h->flags & REGO_TF_WILDCARD;
            rp_vec_push(p, &v, rp_term_var(p, "data", 4, h->loc));
            rp_vec_push(
                p, &v,
                rp_term_str(p, wild ? "$0" : h->u.var.name, wild ? 2 : h->u.var.len, h->loc));
            for (uint32_t i = 1; i < t->u.list.n; i++) {
                rego_term *e = t->u.list.items[i];
                if (e->kind != REGO_T_SCALAR || !val_is_str(e->u.value)) {
                    rp_errorf(p, e->loc.line, e->loc.col, "unexpected %s token: expecting string",
                              rp_term_type_name(e));
                    return NULL;
                }
                rp_vec_push(p, &v, e);
            }
        } else {
            rp_illegal(p, NULL);
            return NULL;
        }
        for (uint32_t i = 0; i < v.n; i++)
            if (!v.items[i]) return NULL;
        path = rp_term_list(p, REGO_T_REF, &v, t->loc);
    }
    if (!path) {
        if (!p->s.nerrs) rp_errorf(p, p->s.tok_line, p->s.tok_col, "expected path");
        return NULL;
    }
    return path;
}

static bool parse_import(rego_parser *p, rego_import *imp) {
    if (p->s.tok != TK_IMPORT) return false;
    memset(imp, 0, sizeof *imp);
    imp->loc = rp_tok_loc(p);
    rp_scan_tok(p);
    if (p->s.tok != TK_IDENT) {
        rp_errorf(p, p->s.tok_line, p->s.tok_col, "expected ident");
        return false;
    }
    /* The path is read with no future keywords, so `future.keywords.in` works. */
    uint8_t kw = p->s.kw;
    bool nc = p->nocache;
    p->s.kw = 0;
    p->nocache = true;
    rego_term *t = rp_parse_term(p);
    p->nocache = nc;
    p->s.kw = kw;
    if (t) {
        if (t->kind == REGO_T_VAR) {
            rp_vec v = {0};
            rp_vec_push(p, &v, t);
            imp->path = rp_term_list(p, REGO_T_REF, &v, t->loc);
        } else if (t->kind == REGO_T_REF) {
            for (uint32_t i = 1; i < t->u.list.n; i++) {
                rego_term *e = t->u.list.items[i];
                if (e->kind != REGO_T_SCALAR || !val_is_str(e->u.value)) {
                    rp_errorf(p, e->loc.line, e->loc.col, "unexpected %s token: expecting string",
                              rp_term_type_name(e));
                    return false;
                }
            }
            imp->path = t;
        }
    }
    if (!imp->path) {
        if (!p->fatal) rp_errorf(p, p->s.tok_line, p->s.tok_col, "expected path");
        return false;
    }
    rego_term *head = imp->path->u.list.items[0];
    if (!var_is(head, "data") && !var_is(head, "input") && !var_is(head, "future") &&
        !var_is(head, "rego")) {
        rp_errorf(
            p, imp->path->loc.line, imp->path->loc.col,
            "unexpected import path, must begin with one of: {data, future, input, rego}, got: %s",
            rp_term_text(p, head));
        return false;
    }
    imp->loc.end = p->s.last_end > imp->loc.off ? p->s.last_end : imp->loc.end;
    if (p->s.tok == TK_AS) {
        rp_scan_tok(p);
        if (p->s.tok != TK_IDENT) {
            rp_illegal(p, "expected var");
            return false;
        }
        rego_term *al = rp_parse_term(p);
        if (al && al->kind == REGO_T_VAR) {
            imp->alias = al->u.var.name;
            imp->loc.end = al->loc.end;
            return true;
        }
        rp_illegal(p, "expected var");
        return false;
    }
    /* OPA 1.x: an unaliased import may not end with a keyword. */
    rego_term *last = imp->path->u.list.items[imp->path->u.list.n - 1];
    const char *name = NULL;
    if (imp->path->u.list.n == 1)
        name = last->u.var.name;
    else if (!var_is(head, "future"))
        name = val_str_ptr(last->u.value);
    if (name) {
        bool iskw = rp_is_keyword_v1(name, strlen(name));
        if (iskw && p->mode == REGO_V0)
            iskw = !(!strcmp(name, "in") || !strcmp(name, "every") || !strcmp(name, "contains") ||
                     !strcmp(name, "if"));
        if (iskw)
            rp_errorf(p, last->loc.line, last->loc.col,
                      "unexpected import path, must not end with a keyword, got: %s", name);
    }
    return true;
}

static const char *kw_names[4] = {"in", "every", "contains", "if"};

static void import_future(rego_parser *p, const rego_import *imp) {
    rego_term *path = imp->path;
    uint32_t n = path->u.list.n;
    uint32_t l = path->loc.line, c = path->loc.col;
    if (n == 1 || !str_is(path->u.list.items[1], "keywords")) {
        rp_errorf(p, l, c, "invalid import, must be `future.keywords`");
        return;
    }
    if (imp->alias) {
        rp_errorf(p, l, c, "`future` imports cannot be aliased");
        return;
    }
    if (p->mode == REGO_V0 && p->s.v1compat) {
        rp_errorf(p, l, c,
                  "the `rego.v1` import implies `future.keywords`, these are therefore mutually "
                  "exclusive");
        return;
    }
    uint8_t add = REGO_KW_ALL;
    if (n == 3) {
        const char *k = val_str_ptr(path->u.list.items[2]->u.value);
        add = 0;
        for (int i = 0; i < 4; i++)
            if (!strcmp(k, kw_names[i])) add = (uint8_t)(1 << i);
        if (!add) {
            rp_errorf(p, l, c, "unexpected keyword, must be one of [contains every if in]");
            return;
        }
        if (add & REGO_KW_EVERY) add |= REGO_KW_IN;
    }
    p->s.kw |= add;
}

static void import_rego(rego_parser *p, const rego_import *imp) {
    rego_term *path = imp->path;
    uint32_t n = path->u.list.n;
    uint32_t l = path->loc.line, c = path->loc.col;
    if (n != 2 || !str_is(path->u.list.items[1], "v1")) {
        rp_errorf(p, l, c, "invalid import, must be `rego.v1`");
        return;
    }
    if (p->mode == REGO_V1) return; /* a no-op in v1 */
    if (imp->alias) {
        rp_errorf(p, l, c, "`rego` imports cannot be aliased");
        return;
    }
    if (p->s.kw && !p->s.v1compat) {
        rp_errorf(p, l, c,
                  "the `rego.v1` import implies `future.keywords`, these are therefore mutually "
                  "exclusive");
        return;
    }
    p->s.v1compat = true;
    p->s.kw = REGO_KW_ALL;
}

/* ---- statements -------------------------------------------------------------------- */

enum { ST_PACKAGE, ST_IMPORT, ST_RULE, ST_BODY };

typedef struct stmt {
    int kind;
    rego_loc loc;
    void *node; /* rego_term* path, rego_import*, rego_rule*, rego_body* */
} stmt;

typedef struct stmts {
    stmt *v;
    uint32_t n, cap;
} stmts;

static bool stmt_push(rego_parser *p, stmts *s, int kind, rego_loc loc, void *node) {
    if (p->fatal || !node) return false;
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 16;
        stmt *nv = gh_arena_realloc(p->a, s->v, s->cap * sizeof(stmt), nc * sizeof(stmt));
        if (!nv) {
            rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
            return false;
        }
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = (stmt){kind, loc, node};
    return true;
}

/* OPA's Parser.Parse loop. skip_rules: parse bodies instead of rules (queries). */
static void parse_statements(rego_parser *p, stmts *out, bool skip_rules) {
    rp_scan_tok(p);
    while (p->s.tok != TK_EOF && !p->fatal) {
        rp_cache_reset(p); /* nothing before this statement is parsed again */
        rp_state s = rp_save(p);
        rego_loc loc;
        rego_term *pkg = parse_package(p, &loc);
        if (pkg) {
            loc.end = p->s.last_end > loc.off ? p->s.last_end : loc.end;
            stmt_push(p, out, ST_PACKAGE, loc, pkg);
            continue;
        }
        if (p->s.nerrs || p->fatal) break;
        rp_restore(p, &s);
        rego_import imp;
        if (parse_import(p, &imp)) {
            rego_term *h = imp.path->u.list.items[0];
            if (var_is(h, "rego")) import_rego(p, &imp);
            if (var_is(h, "future")) import_future(p, &imp);
            rego_import *ip = rp_alloc(p, sizeof *ip);
            if (!ip) break;
            *ip = imp;
            stmt_push(p, out, ST_IMPORT, imp.loc, ip);
            continue;
        }
        if (p->s.nerrs || p->fatal) break;
        rp_restore(p, &s);
        if (!skip_rules) {
            rp_vec rules = {0};
            if (rp_parse_rules(p, &rules)) {
                for (uint32_t i = 0; i < rules.n; i++) {
                    rego_rule *r = rules.items[i];
                    stmt_push(p, out, ST_RULE, r->loc, r);
                }
                continue;
            }
            if (p->s.nerrs || p->fatal) break;
            rp_restore(p, &s);
        }
        rego_body *b = rp_parse_query(p, true, TK_EOF);
        if (b) {
            stmt_push(p, out, ST_BODY, b->exprs[0]->loc, b);
            continue;
        }
        break;
    }
    if (!p->fatal && !p->s.nerrs && p->s.tok != TK_EOF)
        rp_illegal(p, NULL); /* defensive: the loop stopped without an error */
}

/* The oldest recorded error: the one OPA lists first. */
static const rp_err *first_error(const rego_parser *p) {
    const rp_err *e = p->s.errs;
    while (e && e->prev)
        e = e->prev;
    return e;
}

/* The caller's list: the syntax errors in the order they were found (the
 * statement that failed may record several, as OPA's parser does), then the
 * errors of the module checks by position (OPA reports them all, without a
 * source line). */
static void report_list(rego_parser *p) {
    rego_errors l = {0};
    size_t n = 0;
    for (const rp_err *x = p->s.errs; x; x = x->prev) n++;
    const rp_err **v = gh_malloc((n + 1) * sizeof *v);
    if (!v) {
        p->errors->oom = true;
        return;
    }
    size_t k = n;
    for (const rp_err *x = p->s.errs; x; x = x->prev) v[--k] = x;
    size_t nsyn = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc_elist_add(&l, GH_EPARSE, "rego_parse_error", p->file, (int)v[i]->line,
                         (int)v[i]->col, v[i]->msg, NULL, NULL))
            break;
        l.v[l.n - 1].no_source_line = v[i]->post;
        if (!v[i]->post) nsyn = l.n;
    }
    gh_free(v);
    /* syntax errors as found, then the module checks' by position (stable:
     * errors at one place keep the order they were found in) */
    for (size_t i = nsyn + 1; i < l.n; i++)
        for (size_t j = i; j > nsyn && (l.v[j - 1].row > l.v[j].row ||
                                     (l.v[j - 1].row == l.v[j].row && l.v[j - 1].col > l.v[j].col));
             j--) {
            rego_error t = l.v[j];
            l.v[j] = l.v[j - 1];
            l.v[j - 1] = t;
        }
    rc_elist_append(p->errors, &l);
}

static int report(rego_parser *p, gh_err *e) {
    int rc;
    if (p->a->oom) p->fatal = GH_ENOMEM; /* whatever else went wrong, memory ran out first */
    if (p->fatal == GH_ENOMEM) {
        return gh_err_set(e, GH_ENOMEM, p->file, (int)p->fatal_line, (int)p->fatal_col, "%s",
                          p->fatal_msg ? p->fatal_msg : "out of memory");
    } else if (p->fatal) {
        rc = gh_err_set(e, p->fatal, p->file, (int)p->fatal_line, (int)p->fatal_col,
                        "rego_parse_error: %s", p->fatal_msg ? p->fatal_msg : "parse failed");
    } else {
        const rp_err *er = first_error(p);
        if (!er)
            rc = gh_err_set(e, GH_EPARSE, p->file, 0, 0, "rego_parse_error: parse failed");
        else
            rc = gh_err_set(e, GH_EPARSE, p->file, (int)er->line, (int)er->col,
                            "rego_parse_error: %s", er->msg);
        if (p->errors && er) report_list(p);
    }
    gh_err_set_kind(e, "rego_parse_error");
    return rc;
}

/* ---- Rego v1 checks (OPA's checkRegoV1Rule) ----------------------------------------- */

static void check_v1_rule(rego_parser *p, const rego_rule *r) {
    const char *t = r->kind == REGO_RULE_FUNC ? "function" : "rule";
    uint32_t l = r->loc.line, c = r->loc.col;
    const char *name = rego_rule_name(r);
    if (r->ref->u.list.n < 2 && rp_is_keyword_v1(name, strlen(name)))
        rp_errorf(p, l, c, "%s keyword cannot be used for rule name", name);
    if (!(r->flags & REGO_RF_DEFAULT) && (r->flags & REGO_RF_GEN_BODY) &&
        (r->flags & REGO_RF_GEN_VALUE))
        rp_errorf(p, l, c, "%s must have value assignment and/or body declaration", t);
    if (!(r->flags & (REGO_RF_GEN_BODY | REGO_RF_IF | REGO_RF_DEFAULT)))
        rp_errorf(p, l, c, "`if` keyword is required before %s body", t);
    if (r->kind == REGO_RULE_MULTI && !(r->flags & REGO_RF_CONTAINS))
        rp_errorf(p, l, c, "`contains` keyword is required for partial set rules");
}

/* ---- module assembly ------------------------------------------------------------------ */

static void collect_comments(rego_parser *p, rego_module *m) {
    m->ncomments = p->s.ncmts;
    if (!m->ncomments) return;
    m->comments = rp_alloc(p, m->ncomments * sizeof *m->comments);
    if (!m->comments) return;
    uint32_t i = m->ncomments;
    for (rp_cmt *c = p->s.cmts; c && i; c = c->prev) {
        rego_comment *rc = &m->comments[--i];
        rc->loc = (rego_loc){p->file, c->line, c->col, c->off, c->end};
        rc->text = rp_strndup(p, p->src + c->off + 1, c->end - c->off - 1);
        rc->len = c->end - c->off - 1;
    }
}

static void set_rule_module(rego_rule *r, rego_module *m, uint32_t index) {
    for (; r; r = r->else_rule) {
        r->module = m;
        r->index = index;
    }
}

static rego_module *assemble(rego_parser *p, stmts *st, bool annotations, rego_annot **annots,
                             uint32_t nannots) {
    rego_module *m = rp_alloc(p, sizeof *m);
    if (!m) return NULL;
    p->post = true;
    m->file = p->file;
    m->version = p->mode == REGO_V1 ? REGO_V1 : p->v0v1 ? REGO_V0V1 : REGO_V0;
    collect_comments(p, m);
    if (st->n == 0) {
        rp_errorf(p, 0, 0, "empty module");
        return NULL;
    }
    if (st->v[0].kind != ST_PACKAGE) {
        rp_errorf(p, st->v[0].loc.line, st->v[0].loc.col, "package expected");
    } else {
        m->package = st->v[0].node;
        m->loc = st->v[0].loc;
    }
    rp_vec imps = {0}, rules = {0};
    rp_stmt *as = rp_alloc(p, st->n * sizeof *as);
    if (!as) return NULL;
    uint32_t nas = 0;
    /* without a package the first statement is only reported, as OPA does */
    for (uint32_t i = st->v[0].kind == ST_PACKAGE ? 0 : 1; i < st->n && !p->fatal; i++) {
        stmt *s = &st->v[i];
        switch (s->kind) {
        case ST_PACKAGE:
            if (i) rp_errorf(p, s->loc.line, s->loc.col, "unexpected package");
            as[nas++] = (rp_stmt){0, s->loc.line, NULL};
            break;
        case ST_IMPORT: {
            rego_import *imp = s->node;
            rp_vec_push(p, &imps, imp);
            rego_term *ip = imp->path;
            if (m->version == REGO_V0 && ip->u.list.n == 2 && var_is(ip->u.list.items[0], "rego") &&
                str_is(ip->u.list.items[1], "v1"))
                m->version = REGO_V0V1;
            as[nas++] = (rp_stmt){1, s->loc.line, imp};
            break;
        }
        case ST_RULE:
            rp_vec_push(p, &rules, s->node);
            as[nas++] = (rp_stmt){2, s->loc.line, s->node};
            break;
        case ST_BODY: {
            const char *why = NULL;
            rego_rule *r = rp_rule_from_body(p, s->node, &why);
            if (!r) {
                if (why)
                    rp_errorf(p, s->loc.line, s->loc.col, "%s", why);
                else
                    rp_fatal(p, GH_ENOMEM, 0, 0, "out of memory");
                continue;
            }
            rp_vec_push(p, &rules, r);
            as[nas++] = (rp_stmt){2, r->loc.line, r};
            break;
        }
        }
    }
    if (p->fatal) return NULL;
    m->keywords = m->version == REGO_V1 ? REGO_KW_ALL : p->s.kw;
    m->keywords0 = p->mode == REGO_V0 ? p->kw0 : REGO_KW_ALL;
    m->nimports = imps.n;
    if (imps.n) {
        m->imports = rp_alloc(p, imps.n * sizeof *m->imports);
        if (!m->imports) return NULL;
        for (uint32_t i = 0; i < imps.n; i++)
            m->imports[i] = *(rego_import *)imps.items[i];
    }
    m->rules = (rego_rule **)rules.items;
    m->nrules = rules.n;
    for (uint32_t i = 0; i < m->nrules; i++)
        set_rule_module(m->rules[i], m, i);
    if (m->version != REGO_V0)
        for (uint32_t i = 0; i < m->nrules; i++)
            for (rego_rule *r = m->rules[i]; r; r = r->else_rule)
                check_v1_rule(p, r);
    p->post = false;
    if (p->s.nerrs || p->fatal) return NULL;
    m->annots = annots;
    m->nannots = nannots;
    if (annotations && !rp_annotations_attach(p, m, as, nas)) return NULL;
    rp_number_wildcards_module(p, m);
    return p->fatal ? NULL : m;
}

/* ---- public entry points ------------------------------------------------------------------ */

static int parser_init(rego_parser *p, gh_arena *a, const char *file, const char *src, size_t n,
                       const rego_parse_opts *o, gh_err *e) {
    static const rego_parse_opts defaults = {0};
    if (!o) o = &defaults;
    memset(p, 0, sizeof *p);
    p->a = a;
    p->file = file ? gh_arena_strndup(a, file, strlen(file)) : "";
    if (!p->file) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    size_t max = o->max_bytes ? o->max_bytes : GH_MAX_DOC_BYTES;
    if (n > max || n > UINT32_MAX - 8) {
        gh_err_set(e, GH_ELIMIT, file, 0, 0,
                   "rego_parse_error: source too large (%zu bytes, limit %zu)", n, max);
        gh_err_set_kind(e, "rego_parse_error");
        return GH_ELIMIT;
    }
    if (!src && n) return gh_err_set(e, GH_EINVAL, file, 0, 0, "rego_parse_error: no source");
    p->src = src ? src : "";
    p->n = (uint32_t)n;
    p->mode = o->version == REGO_V1 ? REGO_V1 : REGO_V0;
    p->v0v1 = o->version == REGO_V0V1;
    size_t md = o->max_depth ? o->max_depth : GH_MAX_DEPTH;
    p->max_depth = md > 60000 ? 60000 : (uint32_t)md;
    p->s.kw = (p->mode == REGO_V1 || o->future_keywords) ? REGO_KW_ALL : 0;
    p->kw0 = p->s.kw;
    p->is_builtin = o->is_builtin;
    p->builtin_ctx = o->builtin_ctx;
    p->errors = o->errors;
    rp_scan_init(p);
    return 0;
}

int rego_parse_module(gh_arena *a, const char *file, const char *src, size_t n,
                      const rego_parse_opts *o, rego_module **out, gh_err *e) {
    if (!a || !out) return gh_err_set(e, GH_EINVAL, file, 0, 0, "rego_parse_module: bad arguments");
    *out = NULL;
    rego_parser p;
    int rc = parser_init(&p, a, file, src, n, o, e);
    if (rc) return rc;
    bool annotations = !(o && o->no_annotations);
    stmts st = {0};
    parse_statements(&p, &st, false);
    rego_module *m = NULL;
    if (!p.fatal && !p.s.nerrs) {
        /* METADATA blocks are parsed after the statements, as OPA does; their
         * errors come before module-level errors. */
        rego_annot **an = NULL;
        uint32_t nan = 0;
        if (!annotations || rp_annotations_parse(&p, &an, &nan))
            m = assemble(&p, &st, annotations, an, nan);
    }
    rp_cache_free(&p);
    if (!m || p.fatal || p.s.nerrs || a->oom) return report(&p, e);
    *out = m;
    return 0;
}

int rego_parse_query(gh_arena *a, const char *file, const char *src, size_t n,
                     const rego_parse_opts *o, rego_body **out, gh_err *e) {
    if (!a || !out) return gh_err_set(e, GH_EINVAL, file, 0, 0, "rego_parse_query: bad arguments");
    *out = NULL;
    rego_parser p;
    int rc = parser_init(&p, a, file, src, n, o, e);
    if (rc) return rc;
    stmts st = {0};
    parse_statements(&p, &st, true);
    rego_body *body = NULL;
    if (!p.fatal && !p.s.nerrs) {
        rp_vec xs = {0};
        for (uint32_t i = 0; i < st.n; i++) {
            if (st.v[i].kind != ST_BODY) {
                rp_errorf(&p, st.v[i].loc.line, st.v[i].loc.col, "expected body but got %s",
                          st.v[i].kind == ST_PACKAGE ? "*ast.Package" : "*ast.Import");
                break;
            }
            rego_body *b = st.v[i].node;
            for (uint32_t j = 0; j < b->n; j++)
                rp_vec_push(&p, &xs, b->exprs[j]);
        }
        if (!p.s.nerrs && !p.fatal) {
            if (xs.n == 0) {
                rp_cache_free(&p);
                gh_err_set(e, GH_EPARSE, p.file, 0, 0, "rego_compile_error: empty query");
                gh_err_set_kind(e, "rego_compile_error");
                return GH_EPARSE;
            }
            body = rp_alloc(&p, sizeof *body);
            if (body) {
                body->exprs = (rego_expr **)xs.items;
                body->n = xs.n;
                body->loc = body->exprs[0]->loc;
                body->loc.end = body->exprs[xs.n - 1]->loc.end;
                for (uint32_t i = 0; i < xs.n; i++)
                    body->exprs[i]->index = i;
                rp_body_depth(&p, body);
                rp_number_wildcards_body(&p, body);
            }
        }
    }
    rp_cache_free(&p);
    if (!body || p.fatal || p.s.nerrs || a->oom) return report(&p, e);
    *out = body;
    return 0;
}

int rego_parse_term(gh_arena *a, const char *src, size_t n, const rego_parse_opts *o,
                    rego_term **out, gh_err *e) {
    if (!out) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "rego_parse_term: bad arguments");
    *out = NULL;
    rego_body *b = NULL;
    int rc = rego_parse_query(a, NULL, src, n, o, &b, e);
    if (rc) return rc;
    if (b->n != 1) {
        gh_err_set(e, GH_EPARSE, NULL, b->exprs[1]->loc.line, b->exprs[1]->loc.col,
                   "rego_parse_error: expected exactly one term but got %u expressions", b->n);
        gh_err_set_kind(e, "rego_parse_error");
        return GH_EPARSE;
    }
    rego_expr *x = b->exprs[0];
    if (x->kind != REGO_E_TERM || x->negated || x->nwith) {
        gh_err_set(e, GH_EPARSE, NULL, x->loc.line, x->loc.col,
                   "rego_parse_error: expected term but got an expression");
        gh_err_set_kind(e, "rego_parse_error");
        return GH_EPARSE;
    }
    *out = x->u.term;
    return 0;
}

const char *rego_err_code(const gh_err *e, char *buf, size_t bufsz) {
    if (!e || !bufsz) return NULL;
    if (e->kind) return e->kind;
    const char *m = e->msg;
    size_t i = 0;
    while (m[i] && ((m[i] >= 'a' && m[i] <= 'z') || m[i] == '_'))
        i++;
    if (!i || m[i] != ':' || m[i + 1] != ' ') return NULL;
    if (!(i > 6 && !memcmp(m + i - 6, "_error", 6))) return NULL;
    if (i >= bufsz) return NULL;
    memcpy(buf, m, i);
    buf[i] = '\0';
    return buf;
}
