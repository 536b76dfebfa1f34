/* compile_index.c - rule indexing: for a rule-tree node with several rules,
 * finds equality conditions `input.a.b == "const"` (also `=`, either side)
 * at the top level of rule bodies (not negated, no `with`, no else chain),
 * picks the input ref most rules test, and maps each constant to the rules
 * that require it. The evaluator looks the ref up once and runs only the
 * matching rules plus the rules that do not test it. Such a condition is
 * necessary for the body to succeed, so skipping the other rules never
 * changes results. Called by rego_policy_compile after lowering. */
#include <string.h>

#include "engine_int.h"

#define IDX_MIN_RULES 4 /* below this a linear scan is as fast */

/* A ref `input.<const>...` with at least one element. */
static bool input_const_ref(const xterm *t) {
    if (t->kind != XT_REF || t->root != XR_INPUT || t->u.ref.n == 0) return false;
    for (uint32_t i = 0; i < t->u.ref.n; i++)
        if (t->u.ref.path[i]->kind != XT_CONST) return false;
    return true;
}

static bool same_ref(const xterm *a, const xterm *b) {
    if (a->u.ref.n != b->u.ref.n) return false;
    for (uint32_t i = 0; i < a->u.ref.n; i++)
        if (!val_equal(a->u.ref.path[i]->u.v, b->u.ref.path[i]->u.v)) return false;
    return true;
}

/* The (ref, const) of an indexable expression, or false. */
static bool cond_of(const xexpr *x, const xterm **ref, val_t **val) {
    if (x->negated || x->nwith) return false;
    const xterm *a, *b;
    if (x->kind == XE_UNIFY) {
        a = x->u.un.a;
        b = x->u.un.b;
    } else if (x->kind == XE_CALL && !x->u.call.out && x->u.call.c->kind == XC_OP &&
               x->u.call.c->op == OP_EQUAL && x->u.call.n == 2) {
        a = x->u.call.args[0];
        b = x->u.call.args[1];
    } else {
        return false;
    }
    if (input_const_ref(a) && b->kind == XT_CONST) {
        *ref = a;
        *val = b->u.v;
        return true;
    }
    if (input_const_ref(b) && a->kind == XT_CONST) {
        *ref = b;
        *val = a->u.v;
        return true;
    }
    return false;
}

/* The condition rule r has on ref (or any ref when ref is NULL). */
static bool rule_cond(const xrule *r, const xterm *ref, const xterm **out_ref, val_t **val) {
    if (r->els || r->kind == XK_FUNC) return false;
    for (uint32_t i = 0; i < r->body->n; i++) {
        const xterm *cr;
        val_t *cv;
        if (!cond_of(r->body->exprs[i], &cr, &cv)) continue;
        if (ref && !same_ref(cr, ref)) continue;
        if (out_ref) *out_ref = cr;
        *val = cv;
        return true;
    }
    return false;
}

static int index_node(rego_policy *p, rnode *n, gh_err *e) {
    if (n->nrules >= IDX_MIN_RULES && n->kind != NK_FUNC) {
        /* the ref tested by the most rules */
        const xterm *best = NULL;
        uint32_t bestn = 0;
        for (uint32_t i = 0; i < n->nrules; i++) {
            const xterm *cand;
            val_t *v;
            if (!rule_cond(n->rules[i], NULL, &cand, &v)) continue;
            uint32_t cnt = 0;
            for (uint32_t j = 0; j < n->nrules; j++)
                if (rule_cond(n->rules[j], cand, NULL, &v)) cnt++;
            if (cnt > bestn) {
                best = cand;
                bestn = cnt;
            }
        }
        if (best && bestn * 2 >= n->nrules) {
            rule_index *ix = gh_arena_calloc(&p->a, sizeof *ix);
            if (!ix) goto oom;
            ix->ref = best;
            ix->map = val_obj_new(&p->a, bestn);
            ix->always = gh_arena_calloc(&p->a, n->nrules);
            if (!ix->map || !ix->always) goto oom;
            val_t **vals = gh_arena_calloc(&p->a, n->nrules * sizeof *vals);
            if (!vals) goto oom;
            for (uint32_t i = 0; i < n->nrules; i++)
                if (!rule_cond(n->rules[i], best, NULL, &vals[i])) ix->always[i] = 1;
            /* one complete list per distinct constant (values are immutable
             * once put in the map) */
            for (uint32_t i = 0; i < n->nrules; i++) {
                if (ix->always[i] || val_obj_get(ix->map, vals[i])) continue;
                val_t *list = val_arr_new(&p->a, 2);
                if (!list) goto oom;
                for (uint32_t j = i; j < n->nrules; j++) {
                    if (ix->always[j] || !val_equal(vals[j], vals[i])) continue;
                    val_t *iv = val_int(&p->a, j);
                    if (!iv || val_arr_push(&p->a, list, iv)) goto oom;
                }
                if (val_obj_put(&p->a, ix->map, vals[i], list)) goto oom;
            }
            n->index = ix;
        }
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = index_node(p, n->kids[i], e);
        if (rc) return rc;
    }
    return 0;
oom:
    return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
}

int rc_build_indexes(rego_policy *p, gh_err *e) { return index_node(p, p->root, e); }
