/* eval_trace.c - the evaluator's tracing path (rego_eval_opts.trace): the
 * same evaluation as eval.c/eval_rules.c with OPA's tracer events around
 * expressions, rule bodies, negations and closures. Only reached when a
 * tracer is set (one branch in ev_expr), so the untraced path is unchanged.
 * Invariant: e->tdepth is the nesting of the body being evaluated and is
 * restored by whoever raised it before returning. */
#include <string.h>

#include "engine_int.h"

void ev_trace(ev *e, rego_trace_op op, const rego_expr *x, const rego_body *b, const rego_rule *r,
              const char *ref, uint8_t flags) {
    rego_trace_event t;
    memset(&t, 0, sizeof t);
    t.op = op;
    t.depth = e->tdepth ? e->tdepth : 1;
    t.flags = flags;
    t.expr = x;
    t.body = b;
    t.rule = r;
    t.ref = ref;
    t.module = e->cur_rule ? e->cur_rule->module : NULL;
    e->trace(e->trace_ud, &t);
}

void ev_trace_index(ev *e, rnode *n, uint32_t ncand, bool early) {
    const char *path = rc_node_path(e->a, n);
    rego_trace_event t;
    memset(&t, 0, sizeof t);
    t.op = REGO_TRACE_INDEX;
    t.depth = e->tdepth ? e->tdepth : 1;
    t.flags = early && ncand ? REGO_TRACE_F_EARLY : 0;
    t.ref = path ? path : "data";
    t.nmatched = ncand;
    e->trace(e->trace_ud, &t);
}

/* ---- expressions ----------------------------------------------------------------- */

typedef struct texpr_k {
    kont k;
    const rego_expr *src;
    uint8_t flags;
    kont *next;
    bool defined;
} texpr_k;

static int texpr_fn(ev *e, kont *k, val_t *v) {
    texpr_k *t = (texpr_k *)k;
    t->defined = true;
    int rc = t->next->fn(e, t->next, v);
    /* backtracking only when the search goes on; OPA redoes no `not` */
    if (rc == 0 && !(t->src->negated && !(t->flags & REGO_TRACE_F_POSITIVE)))
        ev_trace(e, REGO_TRACE_REDO, t->src, NULL, NULL, NULL, t->flags);
    return rc;
}

int ev_expr_traced(ev *e, const xexpr *x, kont *k) {
    uint8_t fl = x->pad && e->capture && x->kind == XE_TERM ? REGO_TRACE_F_CAPTURE : 0;
    ev_trace(e, REGO_TRACE_EVAL, x->src, NULL, NULL, NULL, fl);
    texpr_k t = {{texpr_fn}, x->src, fl, k, false};
    int rc = x->nwith ? ev_with(e, x, &t.k) : ev_expr_inner(e, x, &t.k);
    if (rc >= 0 && !t.defined) ev_trace(e, REGO_TRACE_FAIL, x->src, NULL, NULL, NULL, fl);
    return rc;
}

#define NEGBODY (REGO_TRACE_F_POSITIVE | REGO_TRACE_F_BODY)

typedef struct tneg_k {
    kont k;
    const rego_expr *src;
    kont *next;
} tneg_k;

static int tneg_fn(ev *e, kont *k, val_t *v) {
    tneg_k *t = (tneg_k *)k;
    ev_trace(e, REGO_TRACE_EXIT, t->src, NULL, NULL, NULL, NEGBODY);
    int rc = t->next->fn(e, t->next, v);
    if (rc == 0) ev_trace(e, REGO_TRACE_REDO, t->src, NULL, NULL, NULL, NEGBODY);
    return rc;
}

int ev_neg_traced(ev *e, const xexpr *x, kont *k) {
    ev_trace(e, REGO_TRACE_EVAL, x->src, NULL, NULL, NULL, REGO_TRACE_F_POSITIVE);
    tneg_k n = {{tneg_fn}, x->src, k};
    texpr_k t = {{texpr_fn}, x->src, REGO_TRACE_F_POSITIVE, &n.k, false};
    int rc = ev_expr_pos(e, x, &t.k);
    if (rc >= 0 && !t.defined)
        ev_trace(e, REGO_TRACE_FAIL, x->src, NULL, NULL, NULL, REGO_TRACE_F_POSITIVE);
    return rc;
}

/* ---- closures and rule bodies ------------------------------------------------------ */

typedef struct tbody_k {
    kont k;
    const rego_body *body;
    const rego_rule *rule;
    uint8_t exit_flags;
    kont *next;
} tbody_k;

static int tbody_fn(ev *e, kont *k, val_t *v) {
    tbody_k *t = (tbody_k *)k;
    ev_trace(e, REGO_TRACE_EXIT, NULL, t->body, t->rule, NULL, t->exit_flags);
    int rc = t->next->fn(e, t->next, v);
    /* a rule that stops at its first value is not backtracked into */
    if (rc == 0) ev_trace(e, REGO_TRACE_REDO, NULL, t->body, t->rule, NULL, 0);
    return rc;
}

int ev_body_traced(ev *e, const xbody *b, kont *k) {
    /* closures print their (lowered) body; the source body is the first
     * expression's enclosing body, which the IR does not keep: print the
     * expressions themselves through a body view */
    const rego_body *src = NULL;
    rego_body view;
    rego_expr *one[8];
    if (b->n && b->n <= 8) {
        bool all = true;
        for (uint32_t i = 0; i < b->n; i++) {
            one[i] = (rego_expr *)b->exprs[i]->src;
            all = all && one[i];
        }
        memset(&view, 0, sizeof view);
        view.exprs = one;
        view.n = b->n;
        src = all ? &view : NULL;
    }
    e->tdepth++;
    ev_trace(e, REGO_TRACE_ENTER, NULL, src, NULL, NULL, 0);
    tbody_k t = {{tbody_fn}, src, NULL, 0, k};
    int rc = ev_body(e, b, 0, &t.k);
    e->tdepth--;
    return rc;
}

int ev_rule_body_traced(ev *e, const xrule *r, const xbody *b, kont *k) {
    e->tdepth++;
    ev_trace(e, REGO_TRACE_ENTER, NULL, NULL, r->src, NULL, 0);
    bool early =
        (r->kind == XK_COMPLETE || r->kind == XK_FUNC) && r->value && r->value->kind == XT_CONST;
    tbody_k t = {{tbody_fn}, NULL, r->src, early ? REGO_TRACE_F_EARLY : 0, k};
    int rc = ev_body(e, b, 0, &t.k);
    e->tdepth--;
    return rc;
}
