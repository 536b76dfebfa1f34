/* eval_query.c - rego_query_eval: sets up one evaluation (frame, memo,
 * limits, builtin context), runs the query body and hands each solution's
 * bindings and expression values to the caller's callback. Everything the
 * evaluation allocates comes from the caller's arena. */
#include <string.h>
#include <time.h>

#include "engine_int.h"

typedef struct res_k {
    kont k;
    const rego_query *q;
    rego_result_cb cb;
    void *ud;
} res_k;

static int res_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    res_k *r = (res_k *)k;
    const rego_query *q = r->q;
    rego_result res = {0};
    res.nexprs = q->body->n;
    res.exprs = gh_arena_alloc(e->a, (res.nexprs + 1) * sizeof *res.exprs);
    res.names = gh_arena_alloc(e->a, (q->nresult + 1) * sizeof *res.names);
    res.values = gh_arena_alloc(e->a, (q->nresult + 1) * sizeof *res.values);
    if (!res.exprs || !res.names || !res.values) return ev_oom(e);
    for (uint32_t i = 0; i < res.nexprs; i++) res.exprs[i] = e->qvals[i] ? e->qvals[i] : VAL_TRUE;
    for (uint32_t i = 0; i < q->nresult; i++) {
        uint32_t s = q->result_slots[i];
        if (!e->frame[s]) continue;
        res.names[res.nvars] = q->slot_names[s];
        res.values[res.nvars++] = e->frame[s];
    }
    return r->cb(r->ud, &res) ? EV_STOP : 0;
}

/* The query's events show a lone captured term as `term = _`, as OPA's
 * rewritten query reads. */
static uint8_t trace_flags(const rego_query *q) {
    return q->capture ? REGO_TRACE_F_CAPTURE : 0;
}

static int res_traced_fn(ev *e, kont *k, val_t *v) {
    const rego_query *q = ((res_k *)k)->q;
    ev_trace(e, REGO_TRACE_EXIT, NULL, q->src, NULL, NULL, trace_flags(q));
    int rc = res_fn(e, k, v);
    ev_trace(e, REGO_TRACE_REDO, NULL, q->src, NULL, NULL, trace_flags(q));
    return rc;
}

static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int rego_query_eval(const rego_query *q, gh_arena *a, const rego_eval_opts *o,
                    rego_result_cb cb, void *ud, gh_err *err) {
    rego_eval_opts dflt = {0};
    if (!o) o = &dflt;
    size_t old_budget = a->budget;
    if (o->mem_budget) a->budget = a->total + o->mem_budget;
    ev e;
    memset(&e, 0, sizeof e);
    e.p = q->p;
    e.a = a;
    e.err = err;
    e.opts = o;
    e.input = (val_t *)o->input;
    e.strict = o->strict_builtin_errors;
    e.max_steps = o->max_steps ? o->max_steps : REGO_DEFAULT_MAX_STEPS;
    char top;
    e.stack_base = (uintptr_t)&top;
    e.stack_limit = o->max_stack ? o->max_stack : REGO_DEFAULT_MAX_STACK;
    if (o->timeout_ms > 0) e.deadline_ns = gh_mono_ns() + o->timeout_ms * 1000000LL;
    e.frame = gh_arena_calloc(a, (q->nslots + 1) * sizeof *e.frame);
    e.memo = gh_arena_calloc(a, sizeof *e.memo);
    e.qvals = gh_arena_calloc(a, (q->body->n + 1) * sizeof *e.qvals);
    e.capture = q->capture;
    int rc = 0;
    if (!e.frame || !e.memo || !e.qvals) {
        rc = ev_oom(&e);
    } else {
        e.bctx.a = a;
        e.bctx.err = &e.bierr;
        e.bctx.now_ns = o->now_ns ? o->now_ns : wall_ns();
        e.bctx.strict = e.strict;
        e.bctx.seed = o->seed ? o->seed : (uint64_t)wall_ns();
        e.bctx.print = o->print;
        e.bctx.print_ud = o->print_ud;
        e.bctx.http = o->http;
        e.bctx.host = o->host;
        e.trace = o->trace;
        e.trace_ud = o->trace_ud;
        res_k rk = {{res_fn}, q, cb, ud};
        if (GH_UNLIKELY(e.trace)) {
            rk.k.fn = res_traced_fn;
            e.tdepth = 1;
            ev_trace(&e, REGO_TRACE_ENTER, NULL, q->src, NULL, NULL, trace_flags(q));
        }
        rc = ev_body(&e, q->body, 0, &rk.k);
        if (rc > 0) rc = 0;
        if (!rc && a->oom) rc = ev_oom(&e);
    }
    a->budget = old_budget;
    return rc;
}
