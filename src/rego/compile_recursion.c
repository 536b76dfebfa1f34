/* compile_recursion.c - recursion detection over the rule tree: each rule
 * node depends on the rule nodes its bodies reference (data refs, function
 * calls, `with` replacements); a node that reaches itself is recursive
 * (rego_recursion_error, reported for the earliest rule in the cycle with
 * OPA's "rule X is recursive: X -> Y -> X"). Called by rego_policy_compile. */
#include <string.h>

#include "engine_int.h"

typedef struct deps {
    gh_arena *a;
    rnode **v;
    uint32_t n, cap;
    int oom;
} deps;

static void dep_add(deps *d, rnode *n) {
    for (uint32_t i = 0; i < d->n; i++)
        if (d->v[i] == n) return;
    if (d->n == d->cap) {
        uint32_t nc = d->cap ? d->cap * 2 : 8;
        rnode **nv = gh_arena_realloc(d->a, d->v, d->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv) {
            d->oom = 1;
            return;
        }
        d->v = nv;
        d->cap = nc;
    }
    d->v[d->n++] = n;
}

static void dep_subtree(deps *d, rnode *n) {
    if (n->kind != NK_NONE) {
        dep_add(d, n);
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->subtree_rules) dep_subtree(d, n->kids[i]);
}

static void walk_body(deps *d, const xbody *b);

static void walk_term(deps *d, const xterm *t) {
    if (!t) return;
    switch (t->kind) {
    case XT_REF:
        if (t->u.ref.head) walk_term(d, t->u.ref.head);
        for (uint32_t i = 0; i < t->u.ref.n; i++) walk_term(d, t->u.ref.path[i]);
        if (t->root == XR_DATA) {
            rnode *n = t->u.ref.node;
            uint32_t i = t->u.ref.nfixed;
            if (n->kind != NK_NONE)
                dep_add(d, n);
            else if (i == t->u.ref.n || t->u.ref.path[i]->kind != XT_CONST)
                dep_subtree(d, n);
        }
        break;
    case XT_ARRAY: case XT_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++) walk_term(d, t->u.list.items[i]);
        break;
    case XT_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            walk_term(d, t->u.obj.keys[i]);
            walk_term(d, t->u.obj.vals[i]);
        }
        break;
    case XT_ACOMPR: case XT_SCOMPR: case XT_OCOMPR:
        walk_term(d, t->u.compr.key);
        walk_term(d, t->u.compr.head);
        walk_body(d, t->u.compr.body);
        break;
    case XT_CALL:
        if (t->u.call.c->kind == XC_FUNC) dep_add(d, t->u.call.c->fn);
        for (uint32_t i = 0; i < t->u.call.n; i++) walk_term(d, t->u.call.args[i]);
        break;
    default: break;
    }
}

static void walk_expr(deps *d, const xexpr *x) {
    switch (x->kind) {
    case XE_TERM: walk_term(d, x->u.term); break;
    case XE_UNIFY:
        walk_term(d, x->u.un.a);
        walk_term(d, x->u.un.b);
        break;
    case XE_CALL:
        if (x->u.call.c->kind == XC_FUNC) dep_add(d, x->u.call.c->fn);
        for (uint32_t i = 0; i < x->u.call.n; i++) walk_term(d, x->u.call.args[i]);
        walk_term(d, x->u.call.out);
        break;
    case XE_SOME:
        walk_term(d, x->u.some.dom);
        walk_term(d, x->u.some.key);
        walk_term(d, x->u.some.val);
        break;
    case XE_EVERY:
        walk_term(d, x->u.every.dom);
        walk_body(d, x->u.every.body);
        break;
    default: break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        walk_term(d, x->with[i].value);
        if (x->with[i].repl && x->with[i].repl->kind == XC_FUNC) dep_add(d, x->with[i].repl->fn);
    }
}

static void walk_body(deps *d, const xbody *b) {
    if (!b) return;
    for (uint32_t i = 0; i < b->n; i++) walk_expr(d, b->exprs[i]);
}

static void walk_rule(deps *d, const xrule *r) {
    for (; r; r = r->els) {
        for (uint32_t i = 0; i < r->nargs; i++) walk_term(d, r->args[i]);
        for (uint32_t i = 0; i < r->ntail; i++) walk_term(d, r->tail[i]);
        walk_term(d, r->key);
        walk_term(d, r->value);
        walk_body(d, r->body);
    }
}

typedef struct rnodes {
    rnode **v;
    deps *d; /* per node id */
    uint32_t n;
} rnodes;

static void collect(rego_policy *p, rnode *n, rnodes *all) {
    if (n->kind != NK_NONE) all->v[all->n++] = n;
    for (uint32_t i = 0; i < n->nkids; i++) collect(p, n->kids[i], all);
}

static const rego_loc *node_loc(const rnode *n) {
    if (n->nrules) return &n->rules[0]->src->loc;
    return n->dflt ? &n->dflt->src->loc : NULL;
}

static int loc_cmp(const rego_loc *a, const rego_loc *b) {
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

int rc_check_recursion(rego_policy *p, gh_err *e) {
    gh_arena tmp;
    gh_arena_init(&tmp, 0);
    rnodes all = {0};
    all.v = gh_arena_calloc(&tmp, (p->nnodes + 1) * sizeof *all.v);
    all.d = gh_arena_calloc(&tmp, (p->nnodes + 1) * sizeof *all.d);
    int32_t *prev = gh_arena_alloc(&tmp, (p->nnodes + 1) * sizeof *prev);
    rnode **queue = gh_arena_alloc(&tmp, (p->nnodes + 1) * sizeof *queue);
    if (!all.v || !all.d || !prev || !queue) {
        gh_arena_free(&tmp);
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    }
    collect(p, p->root, &all);
    for (uint32_t i = 0; i < all.n; i++) {
        rnode *n = all.v[i];
        deps *d = &all.d[n->id];
        d->a = &tmp;
        for (uint32_t j = 0; j < n->nrules; j++) walk_rule(d, n->rules[j]);
        if (n->dflt) walk_rule(d, n->dflt);
        if (d->oom) {
            gh_arena_free(&tmp);
            return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    typedef struct rerr {
        const rego_loc *loc;
        const char *msg;
    } rerr;
    rerr errs[REGO_MAX_ERRORS + 1];
    uint32_t nerr = 0;
    for (uint32_t i = 0; i < all.n && nerr < REGO_MAX_ERRORS + 1; i++) {
        rnode *start = all.v[i];
        /* BFS from start's dependencies back to start */
        for (uint32_t j = 0; j < p->nnodes; j++) prev[j] = -2;
        uint32_t qh = 0, qt = 0;
        bool found = false;
        deps *d0 = &all.d[start->id];
        for (uint32_t j = 0; j < d0->n; j++) {
            rnode *m = d0->v[j];
            if (prev[m->id] != -2) continue;
            prev[m->id] = -1;
            queue[qt++] = m;
        }
        while (qh < qt && !found) {
            rnode *m = queue[qh++];
            if (m == start) {
                found = true;
                break;
            }
            deps *dm = &all.d[m->id];
            for (uint32_t j = 0; j < dm->n; j++) {
                rnode *o = dm->v[j];
                if (prev[o->id] != -2) continue;
                prev[o->id] = (int32_t)m->id;
                queue[qt++] = o;
            }
        }
        if (!found || !node_loc(start)) continue;
        /* rebuild the path start -> ... -> start */
        rnode *chain[64];
        uint32_t nc = 0;
        int32_t cur = (int32_t)start->id;
        do {
            rnode *m = NULL;
            for (uint32_t j = 0; j < all.n; j++)
                if ((int32_t)all.v[j]->id == cur) m = all.v[j];
            if (!m || nc == 64) break;
            chain[nc++] = m;
            cur = prev[cur];
        } while (cur >= 0);
        gh_buf b;
        gh_buf_init(&b);
        const char *sp = rc_node_path(&tmp, start);
        gh_buf_printf(&b, "rule %s is recursive: %s", sp, sp);
        for (uint32_t j = nc; j-- > 0;) gh_buf_printf(&b, " -> %s", rc_node_path(&tmp, chain[j]));
        errs[nerr].loc = node_loc(start);
        errs[nerr].msg = b.oom ? "rule is recursive" : gh_arena_strndup(&tmp, b.p, b.len);
        nerr++;
        gh_buf_free(&b);
    }
    for (uint32_t i = 1; i < nerr; i++)
        for (uint32_t j = i; j > 0 && loc_cmp(errs[j - 1].loc, errs[j].loc) > 0; j--) {
            rerr t = errs[j];
            errs[j] = errs[j - 1];
            errs[j - 1] = t;
        }
    rego_errors l = {0};
    for (uint32_t i = 0; i < nerr; i++)
        rc_elist_add(&l, GH_EINVAL, "rego_recursion_error", errs[i].loc->file, (int)errs[i].loc->line,
                     (int)errs[i].loc->col, errs[i].msg, NULL, NULL);
    int rc = rc_elist_finish(&l, e, p->errsink);
    gh_arena_free(&tmp);
    return rc;
}
