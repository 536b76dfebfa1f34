/* compile_safety.c - OPA's safety check and body reordering on the IR.
 * Each round appends, in source order, every remaining expression whose
 * input vars are bound (by earlier expressions or by the expression itself,
 * e.g. unification, ref iteration, a call's output operand); closures
 * (comprehensions, `every`) need their captured outer vars bound before
 * they run and are then processed recursively. Unbound leftovers give
 * rego_unsafe_var_error "var x is unsafe". Called from compile_lower2.c. */
#include <string.h>

#include "engine_int.h"
#include "lower_int.h"

typedef struct sfx {
    lctx *c;
    uint32_t n;   /* slots */
    uint8_t *w;   /* working safe set */
    uint8_t *out; /* outputs found */
    bool changed;
} sfx;

/* The vars an evaluation of t needs bound: with own_vars every var it
 * reads or binds, and always the outer vars its closures capture. */
static void term_vars(const xterm *t, uint8_t *set, bool own_vars);

static void term_vars_list(xterm *const *ts, uint32_t n, uint8_t *set, bool own_vars) {
    for (uint32_t i = 0; i < n; i++) term_vars(ts[i], set, own_vars);
}

static void vars_of_body_free(const xbody *b, uint8_t *set) {
    if (!b) return;
    for (uint32_t i = 0; i < b->nfree; i++) set[b->free[i]] = 1;
}

static void term_vars(const xterm *t, uint8_t *set, bool own_vars) {
    if (!t) return;
    switch (t->kind) {
    case XT_VAR:
        if (own_vars) set[t->slot] = 1;
        break;
    case XT_REF:
        if (t->u.ref.head) term_vars(t->u.ref.head, set, own_vars);
        term_vars_list(t->u.ref.path, t->u.ref.n, set, own_vars);
        break;
    case XT_ARRAY: case XT_SET: term_vars_list(t->u.list.items, t->u.list.n, set, own_vars); break;
    case XT_OBJECT:
        term_vars_list(t->u.obj.keys, t->u.obj.n, set, own_vars);
        term_vars_list(t->u.obj.vals, t->u.obj.n, set, own_vars);
        break;
    case XT_ACOMPR: case XT_SCOMPR: case XT_OCOMPR: vars_of_body_free(t->u.compr.body, set); break;
    case XT_CALL: term_vars_list(t->u.call.args, t->u.call.n, set, own_vars); break;
    default: break;
    }
}

/* Every var an evaluation of t reads or binds (closures: their captures). */
static void vars_of(const xterm *t, uint8_t *set) { term_vars(t, set, true); }

static void vars_of_list(xterm *const *ts, uint32_t n, uint8_t *set) {
    term_vars_list(ts, n, set, true);
}

static bool all_safe(const xterm *t, const uint8_t *safe, uint32_t n, uint8_t *tmp) {
    memset(tmp, 0, n);
    vars_of(t, tmp);
    for (uint32_t i = 0; i < n; i++)
        if (tmp[i] && !safe[i]) return false;
    return true;
}

static bool ref_head_safe(sfx *s, const xterm *r, uint8_t *tmp) {
    switch (r->root) {
    case XR_LOCAL: return s->w[r->u.ref.head->slot] != 0;
    case XR_TERM: return all_safe(r->u.ref.head, s->w, s->n, tmp);
    default: return true;
    }
}

/* Vars bound by iterating refs anywhere in t (not inside closures). */
static void out_terms(sfx *s, const xterm *t, uint8_t *tmp) {
    if (!t) return;
    switch (t->kind) {
    case XT_REF:
        if (t->root == XR_TERM) out_terms(s, t->u.ref.head, tmp);
        if (!ref_head_safe(s, t, tmp)) return;
        for (uint32_t i = 0; i < t->u.ref.n; i++) {
            uint8_t *vs = s->out;
            vars_of(t->u.ref.path[i], vs);
        }
        break;
    case XT_ARRAY: case XT_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++) out_terms(s, t->u.list.items[i], tmp);
        break;
    case XT_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            out_terms(s, t->u.obj.keys[i], tmp);
            out_terms(s, t->u.obj.vals[i], tmp);
        }
        break;
    case XT_CALL:
        for (uint32_t i = 0; i < t->u.call.n; i++) out_terms(s, t->u.call.args[i], tmp);
        break;
    default: break;
    }
}

static void mark(sfx *s, uint32_t slot) {
    if (!s->w[slot]) {
        s->w[slot] = 1;
        s->out[slot] = 1;
        s->changed = true;
    }
}

/* Mark every var of a pattern (OPA's markAllSafe: object keys, ref heads
 * and closures are skipped). */
static void mark_all(sfx *s, const xterm *t) {
    if (!t) return;
    switch (t->kind) {
    case XT_VAR: mark(s, t->slot); break;
    case XT_ARRAY: case XT_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++) mark_all(s, t->u.list.items[i]);
        break;
    case XT_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) mark_all(s, t->u.obj.vals[i]);
        break;
    case XT_REF:
        if (t->root == XR_TERM) mark_all(s, t->u.ref.head);
        for (uint32_t i = 0; i < t->u.ref.n; i++) mark_all(s, t->u.ref.path[i]);
        break;
    case XT_CALL:
        for (uint32_t i = 0; i < t->u.call.n; i++) mark_all(s, t->u.call.args[i]);
        break;
    default: break;
    }
}

/* A pattern unified with a constant: vars get values only where the
 * shapes match. */
static void unify_const(sfx *s, const xterm *a, const val_t *v) {
    switch (a->kind) {
    case XT_VAR: mark(s, a->slot); break;
    case XT_ARRAY:
        if (val_kind_of(v) != VAL_ARRAY || val_arr_len(v) != a->u.list.n) return;
        for (uint32_t i = 0; i < a->u.list.n; i++) unify_const(s, a->u.list.items[i], val_arr_at(v, i));
        break;
    case XT_OBJECT:
        if (val_kind_of(v) != VAL_OBJECT) return;
        for (uint32_t i = 0; i < a->u.obj.n; i++) {
            const xterm *k = a->u.obj.keys[i];
            if (k->kind != XT_CONST) continue;
            val_t *x = val_obj_get(v, k->u.v);
            if (x) unify_const(s, a->u.obj.vals[i], x);
        }
        break;
    default: mark_all(s, a); break;
    }
}

static bool is_composite(const xterm *t) { return t->kind == XT_ARRAY || t->kind == XT_OBJECT; }
static bool is_closure(const xterm *t) {
    return t->kind == XT_ACOMPR || t->kind == XT_SCOMPR || t->kind == XT_OCOMPR;
}

static bool value_safe(sfx *s, const xterm *t, uint8_t *tmp) {
    /* a ref with a safe head, a call with safe args, a closure: a value */
    if (t->kind == XT_REF) return ref_head_safe(s, t, tmp);
    if (t->kind == XT_CALL) return all_safe(t, s->w, s->n, tmp);
    return is_closure(t);
}

static void unify_all(sfx *s, const xterm *v, const xterm *b, uint8_t *tmp) {
    if (s->w[v->slot])
        mark_all(s, b);
    else if (all_safe(b, s->w, s->n, tmp))
        mark(s, v->slot);
}

static void unify(sfx *s, const xterm *a, const xterm *b, uint8_t *tmp);

static void unify_obj(sfx *s, const xterm *a, const xterm *b, uint8_t *tmp) {
    /* pairwise by constant keys when both have the same key set */
    if (a->kind != XT_OBJECT || b->kind != XT_OBJECT) return;
    for (uint32_t i = 0; i < a->u.obj.n; i++) {
        const xterm *ka = a->u.obj.keys[i];
        if (ka->kind != XT_CONST) continue;
        for (uint32_t j = 0; j < b->u.obj.n; j++) {
            const xterm *kb = b->u.obj.keys[j];
            if (kb->kind == XT_CONST && val_equal(ka->u.v, kb->u.v))
                unify(s, a->u.obj.vals[i], b->u.obj.vals[j], tmp);
        }
    }
}

static void unify(sfx *s, const xterm *a, const xterm *b, uint8_t *tmp) {
    if (a->kind == XT_VAR) {
        if (b->kind == XT_VAR) {
            if (s->w[b->slot])
                mark(s, a->slot);
            else if (s->w[a->slot])
                mark(s, b->slot);
        } else if (is_composite(b)) {
            unify_all(s, a, b, tmp);
        } else if (b->kind == XT_REF || b->kind == XT_CALL) {
            if (value_safe(s, b, tmp)) mark(s, a->slot);
        } else {
            mark(s, a->slot);
        }
        return;
    }
    if (a->kind == XT_REF || a->kind == XT_CALL || is_closure(a)) {
        if (!value_safe(s, a, tmp)) return;
        if (b->kind == XT_VAR)
            mark(s, b->slot);
        else if (is_composite(b))
            mark_all(s, b);
        return;
    }
    if (is_composite(a)) {
        if (b->kind == XT_VAR) {
            unify_all(s, b, a, tmp);
        } else if (is_closure(b)) {
            mark_all(s, a);
        } else if (b->kind == XT_REF || b->kind == XT_CALL) {
            if (value_safe(s, b, tmp)) mark_all(s, a);
        } else if (a->kind == XT_ARRAY && b->kind == XT_ARRAY) {
            if (a->u.list.n == b->u.list.n)
                for (uint32_t i = 0; i < a->u.list.n; i++)
                    unify(s, a->u.list.items[i], b->u.list.items[i], tmp);
        } else if (a->kind == XT_OBJECT && b->kind == XT_OBJECT) {
            unify_obj(s, a, b, tmp);
        } else if (b->kind == XT_CONST) {
            unify_const(s, a, b->u.v);
        }
        return;
    }
    /* scalars, constants, sets */
    if (b->kind == XT_VAR)
        mark(s, b->slot);
    else if (is_composite(b))
        a->kind == XT_CONST ? unify_const(s, b, a->u.v) : mark_all(s, b);
}

/* Outputs of x given s->w (the safe set); result in s->out. */
static void expr_outputs(sfx *s, const xexpr *x, uint8_t *tmp) {
    memset(s->out, 0, s->n);
    if (x->negated) return;
    switch (x->kind) {
    case XE_TERM: out_terms(s, x->u.term, tmp); break;
    case XE_UNIFY:
        out_terms(s, x->u.un.a, tmp);
        out_terms(s, x->u.un.b, tmp);
        for (uint32_t i = 0; i < s->n; i++)
            if (s->out[i]) s->w[i] = 1;
        do {
            s->changed = false;
            unify(s, x->u.un.a, x->u.un.b, tmp);
        } while (s->changed);
        break;
    case XE_CALL: {
        for (uint32_t i = 0; i < x->u.call.n; i++) out_terms(s, x->u.call.args[i], tmp);
        if (x->u.call.out) out_terms(s, x->u.call.out, tmp);
        if (!x->u.call.out) break;
        bool ok = true;
        for (uint32_t i = 0; i < x->u.call.n && ok; i++) {
            memset(tmp, 0, s->n);
            vars_of(x->u.call.args[i], tmp);
            for (uint32_t j = 0; j < s->n; j++)
                if (tmp[j] && !s->w[j] && !s->out[j]) ok = false;
        }
        if (ok) vars_of(x->u.call.out, s->out);
        break;
    }
    case XE_SOME:
        out_terms(s, x->u.some.dom, tmp);
        if (x->u.some.key) vars_of(x->u.some.key, s->out);
        vars_of(x->u.some.val, s->out);
        break;
    case XE_EVERY:
        out_terms(s, x->u.every.dom, tmp);
        break;
    default: break;
    }
}

/* Every var x needs bound (inputs and outputs), closures' captures and
 * with values included; `need_before` gets the captures, which must be
 * bound before x runs. */
static void expr_vars(const xexpr *x, uint8_t *set, uint8_t *need_before) {
    switch (x->kind) {
    case XE_TERM: vars_of(x->u.term, set); break;
    case XE_UNIFY:
        vars_of(x->u.un.a, set);
        vars_of(x->u.un.b, set);
        break;
    case XE_CALL:
        vars_of_list(x->u.call.args, x->u.call.n, set);
        if (x->u.call.out) vars_of(x->u.call.out, set);
        break;
    case XE_SOME:
        vars_of(x->u.some.dom, set);
        if (x->u.some.key) vars_of(x->u.some.key, set);
        vars_of(x->u.some.val, set);
        break;
    case XE_EVERY:
        vars_of(x->u.every.dom, set);
        vars_of_body_free(x->u.every.body, set);
        vars_of_body_free(x->u.every.body, need_before);
        break;
    default: break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) {
        if (x->with[i].value) {
            vars_of(x->with[i].value, set);
            vars_of(x->with[i].value, need_before);
        }
    }
}

/* The outer vars the closures inside t capture. */
static void closure_needs(const xterm *t, uint8_t *need) { term_vars(t, need, false); }

static void closure_needs_list(xterm *const *ts, uint32_t n, uint8_t *need) {
    term_vars_list(ts, n, need, false);
}

static void expr_closure_needs(const xexpr *x, uint8_t *need) {
    switch (x->kind) {
    case XE_TERM: closure_needs(x->u.term, need); break;
    case XE_UNIFY:
        closure_needs(x->u.un.a, need);
        closure_needs(x->u.un.b, need);
        break;
    case XE_CALL:
        closure_needs_list(x->u.call.args, x->u.call.n, need);
        closure_needs(x->u.call.out, need);
        break;
    case XE_SOME: closure_needs(x->u.some.dom, need); break;
    case XE_EVERY: closure_needs(x->u.every.dom, need); break;
    default: break;
    }
}

static const char *user_name(const lctx *c, uint32_t slot) {
    const char *n = c->slot_names[slot];
    return n[0] == '$' ? "_" : n;
}

static int unsafe_err(lctx *c, const rego_loc *loc, uint32_t slot) {
    return lc_err(c, GH_EPARSE, "rego_unsafe_var_error", loc, "var %s is unsafe",
                  user_name(c, slot));
}

/* Recurse into the closures of a scheduled expression with `safe`. */
static int closures_term(lctx *c, const xterm *t, const uint8_t *safe);

static int closures_list(lctx *c, xterm *const *ts, uint32_t n, const uint8_t *safe) {
    for (uint32_t i = 0; i < n; i++)
        if (closures_term(c, ts[i], safe)) return c->rc;
    return 0;
}

static int closures_term(lctx *c, const xterm *t, const uint8_t *safe) {
    if (!t) return 0;
    switch (t->kind) {
    case XT_REF:
        if (t->u.ref.head && closures_term(c, t->u.ref.head, safe)) return c->rc;
        return closures_list(c, t->u.ref.path, t->u.ref.n, safe);
    case XT_ARRAY: case XT_SET: return closures_list(c, t->u.list.items, t->u.list.n, safe);
    case XT_OBJECT:
        if (closures_list(c, t->u.obj.keys, t->u.obj.n, safe)) return c->rc;
        return closures_list(c, t->u.obj.vals, t->u.obj.n, safe);
    case XT_CALL: return closures_list(c, t->u.call.args, t->u.call.n, safe);
    case XT_ACOMPR: case XT_SCOMPR: case XT_OCOMPR: {
        uint8_t *s2 = gh_arena_alloc(c->a, c->nslots + 1);
        if (!s2) return lc_err(c, GH_ENOMEM, "rego_compile_error", NULL, "out of memory");
        memcpy(s2, safe, c->nslots);
        if (sf_body(c, t->u.compr.body, s2)) return c->rc;
        if (t->u.compr.key && sf_head_term(c, t->u.compr.key, s2, NULL)) return c->rc;
        return sf_head_term(c, t->u.compr.head, s2, NULL);
    }
    default: return 0;
    }
}

static int closures_expr(lctx *c, const xexpr *x, const uint8_t *safe) {
    switch (x->kind) {
    case XE_TERM: closures_term(c, x->u.term, safe); break;
    case XE_UNIFY:
        if (!closures_term(c, x->u.un.a, safe)) closures_term(c, x->u.un.b, safe);
        break;
    case XE_CALL:
        if (!closures_list(c, x->u.call.args, x->u.call.n, safe)) closures_term(c, x->u.call.out, safe);
        break;
    case XE_SOME: closures_term(c, x->u.some.dom, safe); break;
    case XE_EVERY: {
        if (closures_term(c, x->u.every.dom, safe)) break;
        uint8_t *s2 = gh_arena_alloc(c->a, c->nslots + 1);
        if (!s2) return lc_err(c, GH_ENOMEM, "rego_compile_error", NULL, "out of memory");
        memcpy(s2, safe, c->nslots);
        if (x->u.every.key) vars_of(x->u.every.key, s2);
        vars_of(x->u.every.val, s2);
        sf_body(c, x->u.every.body, s2);
        break;
    }
    default: break;
    }
    for (uint32_t i = 0; i < x->nwith && !c->rc; i++)
        if (x->with[i].value) closures_term(c, x->with[i].value, safe);
    return c->rc;
}

int sf_body(lctx *c, xbody *b, uint8_t *safe) {
    uint32_t n = c->nslots;
    sfx s = {.c = c, .n = n};
    s.w = gh_arena_alloc(c->a, n + 1);
    s.out = gh_arena_alloc(c->a, n + 1);
    uint8_t *tmp = gh_arena_alloc(c->a, n + 1);
    uint8_t *need = gh_arena_alloc(c->a, n + 1);
    uint8_t *before = gh_arena_alloc(c->a, n + 1);
    xexpr **order = gh_arena_alloc(c->a, (b->n + 1) * sizeof *order);
    uint8_t **safe_at = gh_arena_alloc(c->a, (b->n + 1) * sizeof *safe_at);
    bool *done = gh_arena_calloc(c->a, b->n + 1);
    if (!s.w || !s.out || !tmp || !need || !before || !order || !safe_at || !done)
        return lc_err(c, GH_ENOMEM, "rego_compile_error", NULL, "out of memory");
    uint32_t norder = 0;
    for (;;) {
        uint32_t before_n = norder;
        for (uint32_t i = 0; i < b->n; i++) {
            if (done[i]) continue;
            const xexpr *x = b->exprs[i];
            memcpy(s.w, safe, n);
            memset(need, 0, n);
            memset(before, 0, n);
            expr_vars(x, need, before);
            expr_closure_needs(x, before);
            bool ok = true;
            for (uint32_t j = 0; j < n && ok; j++)
                if (before[j] && !safe[j]) ok = false;
            if (!ok) continue;
            expr_outputs(&s, x, tmp);
            for (uint32_t j = 0; j < n && ok; j++)
                if (need[j] && !safe[j] && !s.out[j]) ok = false;
            if (!ok) continue;
            safe_at[norder] = gh_arena_alloc(c->a, n + 1);
            if (!safe_at[norder])
                return lc_err(c, GH_ENOMEM, "rego_compile_error", NULL, "out of memory");
            memcpy(safe_at[norder], safe, n);
            order[norder++] = b->exprs[i];
            done[i] = true;
            for (uint32_t j = 0; j < n; j++)
                if (s.out[j]) safe[j] = 1;
            if (x->kind == XE_UNIFY && !x->negated)
                for (uint32_t j = 0; j < n; j++)
                    if (need[j]) safe[j] = 1;
        }
        if (norder == b->n || norder == before_n) break;
    }
    if (norder < b->n) {
        /* report every unsafe var of every blocked expression, sorted by
         * location then name, as OPA does */
        typedef struct uerr {
            const rego_loc *loc;
            const char *name;
        } uerr;
        uerr errs[LC_MAX_MORE];
        uint32_t nerr = 0;
        for (uint32_t i = 0; i < b->n; i++) {
            if (done[i]) continue;
            const xexpr *x = b->exprs[i];
            memcpy(s.w, safe, n);
            memset(need, 0, n);
            memset(before, 0, n);
            expr_vars(x, need, before);
            expr_closure_needs(x, before);
            expr_outputs(&s, x, tmp);
            for (uint32_t j = 0; j < n && nerr < LC_MAX_MORE; j++) {
                bool bad = (before[j] && !safe[j]) || (need[j] && !safe[j] && !s.out[j]);
                if (!bad) continue;
                const char *nm = user_name(c, j);
                bool dup = false;
                for (uint32_t q = 0; q < nerr && !dup; q++)
                    dup = errs[q].loc == &x->src->loc && !strcmp(errs[q].name, nm);
                if (!dup) errs[nerr++] = (uerr){&x->src->loc, nm};
            }
        }
        /* insertion sort by (line, col, name) */
        for (uint32_t i = 1; i < nerr; i++)
            for (uint32_t j = i; j > 0; j--) {
                const uerr *p = &errs[j - 1], *q = &errs[j];
                bool gt = p->loc->line > q->loc->line ||
                          (p->loc->line == q->loc->line &&
                           (p->loc->col > q->loc->col ||
                            (p->loc->col == q->loc->col && strcmp(p->name, q->name) > 0)));
                if (!gt) break;
                uerr t = errs[j];
                errs[j] = errs[j - 1];
                errs[j - 1] = t;
            }
        if (!nerr) return lc_err(c, GH_EPARSE, "rego_unsafe_var_error", NULL, "unsafe expression");
        for (uint32_t i = 0; i < nerr; i++)
            lc_err_add(c, GH_EPARSE, "rego_unsafe_var_error", errs[i].loc, "var %s is unsafe",
                       errs[i].name);
        return c->rc;
    }
    memcpy(b->exprs, order, b->n * sizeof *order);
    for (uint32_t i = 0; i < b->n; i++)
        if (closures_expr(c, b->exprs[i], safe_at[i])) return c->rc;
    return 0;
}

int sf_head_term(lctx *c, const xterm *t, const uint8_t *safe, const rego_loc *at) {
    uint32_t n = c->nslots;
    sfx s = {.c = c, .n = n};
    s.w = gh_arena_alloc(c->a, n + 1);
    s.out = gh_arena_calloc(c->a, n + 1);
    uint8_t *tmp = gh_arena_calloc(c->a, n + 1);
    uint8_t *all = gh_arena_calloc(c->a, n + 1);
    if (!s.w || !s.out || !tmp || !all)
        return lc_err(c, GH_ENOMEM, "rego_compile_error", NULL, "out of memory");
    memcpy(s.w, safe, n);
    /* refs in head terms iterate (OPA moves them into the body) */
    out_terms(&s, t, tmp);
    vars_of(t, all);
    for (uint32_t j = 0; j < n; j++)
        if (all[j] && !safe[j] && !s.out[j]) return unsafe_err(c, at ? at : &t->src->loc, j);
    for (uint32_t j = 0; j < n; j++)
        if (s.out[j]) s.w[j] = 1;
    /* closures in head terms (e.g. a comprehension as rule value) */
    return closures_term(c, t, s.w);
}
