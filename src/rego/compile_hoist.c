/* compile_hoist.c - OPA's "dynamic terms" rewrite for negated expressions:
 * in `not f(a.b)`, `not [p]`, `not x == count(y)` the refs, calls and
 * comprehensions that are call operands (or sit inside composite operands
 * or in ref keys; for `=`/`==` only those nested ones) are evaluated before
 * the negation, by generated expressions
 * `__localN__ = <term>` placed in front of it. So an undefined operand makes
 * the whole body fail instead of making `not` succeed, exactly as in OPA.
 * Positive expressions are left alone (the rewrite would not change their
 * results). Works on the AST, copying what it changes (the parsed AST stays
 * immutable). Called by the lowering before a body is prescanned. */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "lower_int.h"

typedef struct hx {
    lctx *c;
    rego_expr **out; /* generated expressions */
    uint32_t n, cap;
    const rego_expr *orig;
} hx;

static void *halloc(lctx *c, size_t n) {
    void *p = gh_arena_calloc(c->a, n);
    if (!p && !c->rc) {
        gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        c->rc = GH_ENOMEM;
    }
    return p;
}

static rego_term *term_copy(lctx *c, const rego_term *t) {
    rego_term *n = halloc(c, sizeof *n);
    if (n) *n = *t;
    return n;
}

/* `__localN__ = t` before the original expression; returns the new var. */
static rego_term *generate(hx *h, rego_term *t) {
    lctx *c = h->c;
    char name[32];
    int len = snprintf(name, sizeof name, "__local%u__", c->nhoist++);
    rego_term *v = halloc(c, sizeof *v);
    rego_term *v2 = halloc(c, sizeof *v2);
    rego_term *op = halloc(c, sizeof *op);
    rego_term *opv = halloc(c, sizeof *opv);
    rego_term **items = halloc(c, sizeof *items);
    rego_term **terms = halloc(c, 3 * sizeof *terms);
    rego_expr *x = halloc(c, sizeof *x);
    char *nm = gh_arena_strndup(c->a, name, (size_t)len);
    if (!v || !v2 || !op || !opv || !items || !terms || !x || !nm) {
        if (!c->rc) c->rc = GH_ENOMEM;
        return t;
    }
    v->kind = REGO_T_VAR;
    v->depth = 1;
    v->loc = t->loc;
    v->u.var.name = nm;
    v->u.var.len = (uint32_t)len;
    *v2 = *v;
    opv->kind = REGO_T_VAR;
    opv->depth = 1;
    opv->loc = t->loc;
    opv->u.var.name = "eq";
    opv->u.var.len = 2;
    items[0] = opv;
    op->kind = REGO_T_REF;
    op->depth = 2;
    op->loc = t->loc;
    op->u.list.items = items;
    op->u.list.n = 1;
    terms[0] = op;
    terms[1] = v;
    terms[2] = t;
    x->kind = REGO_E_CALL;
    x->loc = h->orig->loc;
    x->index = h->orig->index;
    x->depth = (uint16_t)(t->depth + 1);
    x->u.call.terms = terms;
    x->u.call.n = 3;
    x->with = h->orig->with;
    x->nwith = h->orig->nwith;
    if (h->n == h->cap) {
        uint32_t nc = h->cap ? h->cap * 2 : 4;
        rego_expr **no = gh_arena_realloc(c->a, h->out, h->cap * sizeof *no, nc * sizeof *no);
        if (!no) {
            if (!c->rc) c->rc = GH_ENOMEM;
            return t;
        }
        h->out = no;
        h->cap = nc;
    }
    h->out[h->n++] = x;
    return v2;
}

static rego_term *hoist_one(hx *h, rego_term *t);

/* Rewrite the elements of a list term; copies the term when one changes. */
static rego_term *hoist_items(hx *h, rego_term *t, uint32_t from) {
    rego_term **items = NULL;
    for (uint32_t i = from; i < t->u.list.n; i++) {
        rego_term *x = hoist_one(h, t->u.list.items[i]);
        if (x == t->u.list.items[i]) continue;
        if (!items) {
            items = halloc(h->c, t->u.list.n * sizeof *items);
            if (!items) return t;
            memcpy(items, t->u.list.items, t->u.list.n * sizeof *items);
        }
        items[i] = x;
    }
    if (!items) return t;
    rego_term *n = term_copy(h->c, t);
    if (!n) return t;
    n->u.list.items = items;
    return n;
}

/* A var that names a global (a rule of the package, an import, input,
 * data): a ref once resolved, as in OPA. */
static bool global_var(lctx *c, const rego_term *t) {
    if (t->kind != REGO_T_VAR) return false;
    for (const lscope *s = c->sc; s; s = s->up)
        for (uint32_t i = 0; i < s->n; i++)
            if (!strcmp(s->names[i].name, t->u.var.name)) return false;
    lglobal g;
    return lc_global(c, t->u.var.name, &g);
}

static rego_term *hoist_one(hx *h, rego_term *t) {
    if (h->c->rc) return t;
    if (global_var(h->c, t)) return generate(h, t);
    switch (t->kind) {
    case REGO_T_REF: {
        rego_term *n = hoist_items(h, t, 1);
        return generate(h, n);
    }
    case REGO_T_CALL: return generate(h, hoist_items(h, t, 1));
    case REGO_T_ARRAY: case REGO_T_SET: return hoist_items(h, t, 0);
    case REGO_T_OBJECT: {
        rego_term **keys = NULL, **vals = NULL;
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            rego_term *k = hoist_one(h, t->u.obj.keys[i]);
            rego_term *v = hoist_one(h, t->u.obj.vals[i]);
            if (k == t->u.obj.keys[i] && v == t->u.obj.vals[i]) continue;
            if (!keys) {
                keys = halloc(h->c, t->u.obj.n * sizeof *keys);
                vals = halloc(h->c, t->u.obj.n * sizeof *vals);
                if (!keys || !vals) return t;
                memcpy(keys, t->u.obj.keys, t->u.obj.n * sizeof *keys);
                memcpy(vals, t->u.obj.vals, t->u.obj.n * sizeof *vals);
            }
            keys[i] = k;
            vals[i] = v;
        }
        if (!keys) return t;
        rego_term *n = term_copy(h->c, t);
        if (!n) return t;
        n->u.obj.keys = keys;
        n->u.obj.vals = vals;
        return n;
    }
    case REGO_T_ARRAY_COMPR: case REGO_T_SET_COMPR: case REGO_T_OBJECT_COMPR:
        return generate(h, t);
    default:
        return t;
    }
}

/* Operands of `=` and term expressions: a ref stays, its keys are hoisted. */
static rego_term *hoist_in_term(hx *h, rego_term *t) {
    if (t->kind == REGO_T_REF) return hoist_items(h, t, 1);
    if (global_var(h->c, t)) return t;
    return hoist_one(h, t);
}

/* Rewrite one negated expression; returns the (possibly new) expression. */
static rego_expr *hoist_expr(hx *h, rego_expr *x) {
    rego_expr *n = NULL;
    switch (x->kind) {
    case REGO_E_TERM: {
        rego_term *t = hoist_in_term(h, x->u.term);
        if (t == x->u.term) return x;
        n = halloc(h->c, sizeof *n);
        if (!n) return x;
        *n = *x;
        n->u.term = t;
        return n;
    }
    case REGO_E_CALL: {
        rego_term *op = x->u.call.terms[0];
        /* OPA rewrites `==` to `=` before this (RewriteEquals): equalities
         * keep their top-level refs */
        bool eq = (rego_ref_is(op, "eq") || rego_ref_is(op, "assign") ||
                   rego_ref_is(op, "equal")) &&
                  x->u.call.n == 3;
        rego_term **terms = NULL;
        for (uint32_t i = 1; i < x->u.call.n; i++) {
            rego_term *a = x->u.call.terms[i];
            rego_term *r = eq ? hoist_in_term(h, a) : hoist_one(h, a);
            if (r == a) continue;
            if (!terms) {
                terms = halloc(h->c, x->u.call.n * sizeof *terms);
                if (!terms) return x;
                memcpy(terms, x->u.call.terms, x->u.call.n * sizeof *terms);
            }
            terms[i] = r;
        }
        if (!terms) return x;
        n = halloc(h->c, sizeof *n);
        if (!n) return x;
        *n = *x;
        n->u.call.terms = terms;
        return n;
    }
    default:
        return x;
    }
}

const rego_body *lc_prep_body(lctx *c, const rego_body *b) {
    bool any = false;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->exprs[i]->negated) any = true;
    if (!any) return b;
    rego_expr **out = NULL;
    uint32_t n = 0, cap = 0;
    bool changed = false;
    for (uint32_t i = 0; i < b->n && !c->rc; i++) {
        rego_expr *x = b->exprs[i];
        hx h = {c, NULL, 0, 0, x};
        rego_expr *nx = x->negated ? hoist_expr(&h, x) : x;
        if (nx != x) changed = true;
        uint32_t need = n + h.n + 1;
        if (need > cap) {
            uint32_t nc = cap ? cap * 2 : b->n + 8;
            while (nc < need) nc *= 2;
            rego_expr **no = gh_arena_realloc(c->a, out, cap * sizeof *no, nc * sizeof *no);
            if (!no) {
                if (!c->rc) c->rc = GH_ENOMEM;
                return b;
            }
            out = no;
            cap = nc;
        }
        for (uint32_t j = 0; j < h.n; j++) out[n++] = h.out[j];
        out[n++] = nx;
    }
    if (!changed || c->rc) return b;
    rego_body *nb = halloc(c, sizeof *nb);
    if (!nb) return b;
    *nb = *b;
    nb->exprs = out;
    nb->n = n;
    return nb;
}
