/* ast.c - small AST utilities shared by the parser, the printer and (later)
 * the compiler and evaluator: groundness, ref names, infix operator table,
 * keyword and identifier tests, and the wildcard renumbering pass that gives
 * every `_` a unique "$N" name in source order. Recursion here is bounded by
 * the parser's nesting limit (every node's depth is checked at parse time). */
#include <stdio.h>
#include <string.h>

#include "rego_int.h"

bool rp_ident_ok(const char *s, size_t n) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i && c >= '0' && c <= '9')) return false;
    }
    return true;
}

bool rp_is_keyword_v1(const char *s, size_t n) {
    static const char *const kws[] = {"package", "import", "as",    "default",  "else",
                                      "not",     "some",   "with",  "null",     "true",
                                      "false",   "in",     "every", "contains", "if"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strlen(kws[i]) == n && !memcmp(kws[i], s, n)) return true;
    return false;
}

bool rego_term_is_ground(const rego_term *t) {
    switch (t->kind) {
    case REGO_T_SCALAR: return true;
    case REGO_T_ARRAY:
    case REGO_T_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++)
            if (!rego_term_is_ground(t->u.list.items[i])) return false;
        return true;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++)
            if (!rego_term_is_ground(t->u.obj.keys[i]) || !rego_term_is_ground(t->u.obj.vals[i]))
                return false;
        return true;
    default:
        /* vars, refs, calls and comprehensions (which close over vars) */
        return false;
    }
}

uint32_t rego_ref_ground_prefix(const rego_term *ref) {
    uint32_t i = 1;
    while (i < ref->u.list.n && rego_term_is_ground(ref->u.list.items[i]))
        i++;
    return i;
}

static bool ref_simple(const rego_term *ref) {
    if (ref->kind == REGO_T_VAR) return true;
    if (ref->kind != REGO_T_REF || ref->u.list.items[0]->kind != REGO_T_VAR) return false;
    for (uint32_t i = 1; i < ref->u.list.n; i++) {
        const rego_term *e = ref->u.list.items[i];
        if (e->kind != REGO_T_SCALAR || !val_is_str(e->u.value)) return false;
    }
    return true;
}

const char *rego_ref_dotted(gh_arena *a, const rego_term *ref) {
    if (!ref_simple(ref)) return NULL;
    if (ref->kind == REGO_T_VAR) return ref->u.var.name;
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, ref->u.list.items[0]->u.var.name);
    for (uint32_t i = 1; i < ref->u.list.n; i++) {
        const val_t *s = ref->u.list.items[i]->u.value;
        if (!rp_ident_ok(val_str_ptr(s), val_str_len(s))) {
            gh_buf_free(&b);
            return NULL;
        }
        gh_buf_putc(&b, '.');
        gh_buf_append(&b, val_str_ptr(s), val_str_len(s));
    }
    const char *r = b.oom ? NULL : gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return r;
}

bool rego_ref_is(const rego_term *ref, const char *name) {
    if (!ref_simple(ref)) return false;
    if (ref->kind == REGO_T_VAR) return !strcmp(ref->u.var.name, name);
    const char *h = ref->u.list.items[0]->u.var.name;
    size_t hl = strlen(h);
    if (strncmp(name, h, hl)) return false;
    name += hl;
    for (uint32_t i = 1; i < ref->u.list.n; i++) {
        const val_t *s = ref->u.list.items[i]->u.value;
        if (*name != '.') return false;
        name++;
        size_t sl = val_str_len(s);
        if (strncmp(name, val_str_ptr(s), sl) || memchr(val_str_ptr(s), '.', sl)) return false;
        name += sl;
    }
    return *name == '\0';
}

const char *rego_call_name(gh_arena *a, const rego_term *op) { return rego_ref_dotted(a, op); }

static const struct {
    const char *name, *sym;
    int prec;
} infix_ops[] = {
    {"internal.member_2", "in", 1},
    {"equal", "==", 2},
    {"neq", "!=", 2},
    {"lt", "<", 2},
    {"gt", ">", 2},
    {"lte", "<=", 2},
    {"gte", ">=", 2},
    {"or", "|", 3},
    {"and", "&", 4},
    {"plus", "+", 5},
    {"minus", "-", 5},
    {"mul", "*", 6},
    {"div", "/", 6},
    {"rem", "%", 6},
};

const char *rego_infix_symbol(const rego_term *op, uint32_t nargs, int *prec) {
    if (op->kind != REGO_T_REF) return NULL;
    if (nargs == 3 && rego_ref_is(op, "internal.member_3")) {
        *prec = 1;
        return "in";
    }
    if (nargs != 2) return NULL;
    for (size_t i = 0; i < sizeof infix_ops / sizeof infix_ops[0]; i++) {
        if (rego_ref_is(op, infix_ops[i].name)) {
            *prec = infix_ops[i].prec;
            return infix_ops[i].sym;
        }
    }
    return NULL;
}

const char *rego_annot_scope_name(rego_annot_scope s) {
    switch (s) {
    case REGO_SCOPE_RULE: return "rule";
    case REGO_SCOPE_DOCUMENT: return "document";
    case REGO_SCOPE_PACKAGE: return "package";
    default: return "subpackages";
    }
}

/* ---- wildcard renumbering -------------------------------------------------------- */

typedef struct wctx {
    rego_parser *p;
    uint32_t n;
} wctx;

static void wc_term(wctx *c, rego_term *t);
static void wc_body(wctx *c, rego_body *b);

static void wc_term(wctx *c, rego_term *t) {
    if (!t || c->p->fatal) return;
    switch (t->kind) {
    case REGO_T_VAR:
        if (t->flags & REGO_TF_WILDCARD) {
            char name[16];
            int len = snprintf(name, sizeof name, "$%u", c->n++);
            char *s = rp_strndup(c->p, name, (size_t)len);
            if (s) {
                t->u.var.name = s;
                t->u.var.len = (uint32_t)len;
            }
        }
        break;
    case REGO_T_REF:
    case REGO_T_ARRAY:
    case REGO_T_SET:
    case REGO_T_CALL:
        for (uint32_t i = 0; i < t->u.list.n; i++)
            wc_term(c, t->u.list.items[i]);
        break;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            wc_term(c, t->u.obj.keys[i]);
            wc_term(c, t->u.obj.vals[i]);
        }
        break;
    case REGO_T_ARRAY_COMPR:
    case REGO_T_SET_COMPR:
    case REGO_T_OBJECT_COMPR:
        wc_term(c, t->u.compr.key);
        wc_term(c, t->u.compr.head);
        wc_body(c, t->u.compr.body);
        break;
    default: break;
    }
}

static void wc_expr(wctx *c, rego_expr *x) {
    switch (x->kind) {
    case REGO_E_TERM: wc_term(c, x->u.term); break;
    case REGO_E_CALL:
        for (uint32_t i = 0; i < x->u.call.n; i++)
            wc_term(c, x->u.call.terms[i]);
        break;
    case REGO_E_SOME:
        for (uint32_t i = 0; i < x->u.some.n; i++)
            wc_term(c, x->u.some.vars[i]);
        wc_term(c, x->u.some.key);
        wc_term(c, x->u.some.value);
        wc_term(c, x->u.some.domain);
        break;
    case REGO_E_EVERY:
        wc_term(c, x->u.every.key);
        wc_term(c, x->u.every.value);
        wc_term(c, x->u.every.domain);
        wc_body(c, x->u.every.body);
        break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        wc_term(c, x->with[i].target);
        wc_term(c, x->with[i].value);
    }
}

static void wc_body(wctx *c, rego_body *b) {
    if (!b) return;
    for (uint32_t i = 0; i < b->n; i++)
        wc_expr(c, b->exprs[i]);
}

void rp_number_wildcards_module(rego_parser *p, rego_module *m) {
    wctx c = {p, 0};
    for (uint32_t i = 0; i < m->nrules; i++) {
        for (rego_rule *r = m->rules[i]; r; r = r->else_rule) {
            if (!(r->flags & REGO_RF_ELSE)) wc_term(&c, r->ref);
            for (uint32_t j = 0; j < r->nargs; j++)
                wc_term(&c, r->args[j]);
            wc_term(&c, r->key);
            wc_term(&c, r->value);
            if (!(r->flags & REGO_RF_GEN_BODY)) wc_body(&c, r->body);
        }
    }
}

void rp_number_wildcards_body(rego_parser *p, rego_body *b) {
    wctx c = {p, 0};
    wc_body(&c, b);
}
