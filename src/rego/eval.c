/* eval.c - the evaluator's core: bodies, expressions, terms and
 * unification in continuation-passing style. Every way an expression holds
 * calls the continuation once; bindings are frame slots set before the
 * call and cleared after it returns, so backtracking is just returning.
 * Terms whose vars are all bound are evaluated directly (no continuation);
 * only iterating refs and unification patterns take the CPS path.
 * Entry points are used by eval_ref.c, eval_rules.c, eval_call.c and the
 * query driver (eval_query.c). */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "engine_int.h"


int ev_oom(ev *e) {
    if (e->err && e->err->code == GH_ECANCEL) return GH_ECANCEL;
    gh_err_set(e->err, GH_ECANCEL, NULL, 0, 0, "evaluation exceeded its memory budget");
    gh_err_set_kind(e->err, "eval_cancel_error");
    return GH_ECANCEL;
}

int ev_errf(ev *e, int code, const char *kind, const rego_loc *loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(e->err, code, loc ? loc->file : NULL, loc ? (int)loc->line : 0,
                loc ? (int)loc->col : 0, fmt, ap);
    va_end(ap);
    gh_err_set_kind(e->err, kind);
    return code;
}

int ev_step(ev *e) {
    char here;
    uintptr_t sp = (uintptr_t)&here;
    if (GH_UNLIKELY(e->stack_base > sp && e->stack_base - sp > e->stack_limit))
        return ev_errf(e, GH_ECANCEL, "eval_cancel_error", NULL,
                       "evaluation exceeded its stack budget (%zu bytes)", e->stack_limit);
    if (GH_UNLIKELY(++e->steps > e->max_steps))
        return ev_errf(e, GH_ECANCEL, "eval_cancel_error", NULL,
                       "evaluation exceeded its step limit (%llu)",
                       (unsigned long long)e->max_steps);
    if (GH_UNLIKELY((e->steps & 4095) == 0)) {
        if (e->deadline_ns && gh_mono_ns() > e->deadline_ns)
            return ev_errf(e, GH_ECANCEL, "eval_cancel_error", NULL, "evaluation timed out");
        if (e->a->oom) return ev_oom(e);
    }
    return 0;
}

/* ---- direct evaluation ------------------------------------------------------------ */

static int compr_value(ev *e, const xterm *t, val_t **out);
static int call_ev_term_direct(ev *e, const xterm *t, val_t **out);

/* An array or set term whose items need no iteration (ev_term_direct). */
static int list_direct(ev *e, const xterm *t, val_t **out) {
    bool set = t->kind == XT_SET;
    val_t *c = set ? val_set_new(e->a, t->u.list.n) : val_arr_new(e->a, t->u.list.n);
    if (!c) return ev_oom(e);
    for (uint32_t i = 0; i < t->u.list.n; i++) {
        val_t *v;
        int rc = ev_term_direct(e, t->u.list.items[i], &v);
        if (rc) return rc;
        if (!v) {
            *out = NULL;
            return 0;
        }
        if (set ? val_set_add(e->a, c, v, NULL) : val_arr_push(e->a, c, v)) return ev_oom(e);
    }
    *out = c;
    return 0;
}

/* Value of t when it needs no iteration: 0 with *out (NULL = undefined),
 * EV_ITER when some var is unbound, or an error. */
int ev_term_direct(ev *e, const xterm *t, val_t **out) {
    switch (t->kind) {
    case XT_CONST:
        *out = t->u.v;
        return 0;
    case XT_VAR:
        *out = e->frame[t->slot];
        return *out ? 0 : EV_ITER;
    case XT_REF:
        return ev_ref_direct(e, t, out);
    case XT_ARRAY: case XT_SET: return list_direct(e, t, out);
    case XT_OBJECT: {
        val_t *o = val_obj_new(e->a, t->u.obj.n);
        if (!o) return ev_oom(e);
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            val_t *k, *v;
            int rc = ev_term_direct(e, t->u.obj.keys[i], &k);
            if (rc) return rc;
            if (!k) {
                *out = NULL;
                return 0;
            }
            rc = ev_term_direct(e, t->u.obj.vals[i], &v);
            if (rc) return rc;
            if (!v) {
                *out = NULL;
                return 0;
            }
            if (val_obj_put(e->a, o, k, v)) return ev_oom(e);
        }
        *out = o;
        return 0;
    }
    case XT_ACOMPR: case XT_SCOMPR: case XT_OCOMPR:
        return compr_value(e, t, out);
    case XT_CALL:
        return call_ev_term_direct(e, t, out);
    }
    return ev_errf(e, GH_EINTERNAL, "eval_internal_error", NULL, "bad term");
}

/* True when every var of t outside refs/calls/closures is bound. */
static bool term_bound(const ev *e, const xterm *t) {
    if (!(t->flags & XF_OPEN)) return true;
    switch (t->kind) {
    case XT_VAR: return e->frame[t->slot] != NULL;
    case XT_ARRAY: case XT_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++)
            if (!term_bound(e, t->u.list.items[i])) return false;
        return true;
    case XT_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++)
            if (!term_bound(e, t->u.obj.keys[i]) || !term_bound(e, t->u.obj.vals[i])) return false;
        return true;
    default: return true;
    }
}

/* ---- CPS evaluation of terms ----------------------------------------------------------- */

static bool is_relation(const xcallee *c);

typedef struct comp_state {
    const xterm *t;
    val_t **vals;
    uint32_t n;
    kont *next;
} comp_state;

typedef struct elem_k {
    kont k;
    comp_state *st;
    uint32_t i;
} elem_k;

static int comp_elem(ev *e, comp_state *st, uint32_t i);

static int elem_fn(ev *e, kont *k, val_t *v) {
    elem_k *ek = (elem_k *)k;
    ek->st->vals[ek->i] = v;
    return comp_elem(e, ek->st, ek->i + 1);
}

static xterm *comp_item(const xterm *t, uint32_t i) {
    if (t->kind == XT_OBJECT) return (i & 1) ? t->u.obj.vals[i / 2] : t->u.obj.keys[i / 2];
    if (t->kind == XT_CALL) return t->u.call.args[i];
    return t->u.list.items[i];
}

static int comp_done(ev *e, comp_state *st);

static int comp_elem(ev *e, comp_state *st, uint32_t i) {
    if (i == st->n) return comp_done(e, st);
    elem_k ek = {{elem_fn}, st, i};
    return ev_term(e, comp_item(st->t, i), &ek.k);
}

static int comp_done(ev *e, comp_state *st) {
    const xterm *t = st->t;
    val_t *v = NULL;
    switch (t->kind) {
    case XT_ARRAY:
        v = val_arr_new(e->a, st->n);
        for (uint32_t i = 0; v && i < st->n; i++)
            if (val_arr_push(e->a, v, st->vals[i])) v = NULL;
        break;
    case XT_SET:
        v = val_set_new(e->a, st->n);
        for (uint32_t i = 0; v && i < st->n; i++)
            if (val_set_add(e->a, v, st->vals[i], NULL)) v = NULL;
        break;
    case XT_OBJECT:
        v = val_obj_new(e->a, st->n / 2);
        for (uint32_t i = 0; v && i < st->n; i += 2)
            if (val_obj_put(e->a, v, st->vals[i], st->vals[i + 1])) v = NULL;
        break;
    case XT_CALL: {
        int rc = ev_call(e, t->u.call.c, st->vals, st->n, &t->src->loc, &v);
        if (rc) return rc;
        if (!v) return 0;
        if (is_relation(t->u.call.c) && val_kind_of(v) == VAL_ARRAY) {
            for (size_t i = 0; i < val_arr_len(v) && rc == 0; i++)
                rc = st->next->fn(e, st->next, val_arr_at(v, i));
            return rc;
        }
        return st->next->fn(e, st->next, v);
    }
    default: break;
    }
    if (!v) return ev_oom(e);
    return st->next->fn(e, st->next, v);
}

static int term_cps(ev *e, const xterm *t, kont *k) {
    switch (t->kind) {
    case XT_REF: return ev_ref(e, t, k);
    case XT_ARRAY: case XT_SET: case XT_OBJECT: case XT_CALL: {
        comp_state st = {t, NULL, 0, k};
        st.n = t->kind == XT_OBJECT ? t->u.obj.n * 2
               : t->kind == XT_CALL ? t->u.call.n
                                    : t->u.list.n;
        st.vals = gh_arena_alloc(e->a, (st.n + 1) * sizeof *st.vals);
        if (!st.vals) return ev_oom(e);
        return comp_elem(e, &st, 0);
    }
    case XT_VAR:
        return ev_errf(e, GH_EINTERNAL, "eval_internal_error", &t->src->loc,
                       "var %s is unbound", t->src->u.var.name);
    default: {
        val_t *v;
        int rc = ev_term_direct(e, t, &v);
        if (rc) return rc < 0 ? rc : ev_errf(e, GH_EINTERNAL, "eval_internal_error",
                                              &t->src->loc, "unbound term");
        return v ? k->fn(e, k, v) : 0;
    }
    }
}

int ev_term(ev *e, const xterm *t, kont *k) {
    if (t->kind == XT_CONST) return k->fn(e, k, t->u.v);
    val_t *v;
    int rc = ev_term_direct(e, t, &v);
    if (rc == EV_ITER) return term_cps(e, t, k);
    if (rc) return rc;
    return v ? k->fn(e, k, v) : 0;
}

typedef struct first_k {
    kont k;
    val_t *v;
} first_k;

static int first_fn(ev *e, kont *k, val_t *v) {
    (void)e;
    ((first_k *)k)->v = v;
    return EV_STOP;
}

int ev_value(ev *e, const xterm *t, val_t **out) {
    int rc = ev_term_direct(e, t, out);
    if (rc != EV_ITER) return rc;
    first_k fk = {{first_fn}, NULL};
    rc = term_cps(e, t, &fk.k);
    if (rc < 0) return rc;
    *out = fk.v;
    return 0;
}

/* ---- calls in terms -------------------------------------------------------------------- */

static bool is_relation(const xcallee *c) {
    return c->kind == XC_BUILTIN && c->bi && (c->bi->flags & RB_RELATION);
}

static int call_ev_term_direct(ev *e, const xterm *t, val_t **out) {
    uint32_t n = t->u.call.n;
    if (is_relation(t->u.call.c)) return EV_ITER;
    val_t *argv[8];
    val_t **args = argv;
    if (n > 8 && !(args = gh_arena_alloc(e->a, n * sizeof *args))) return ev_oom(e);
    for (uint32_t i = 0; i < n; i++) {
        int rc = ev_term_direct(e, t->u.call.args[i], &args[i]);
        if (rc) return rc;
        if (!args[i]) {
            *out = NULL;
            return 0;
        }
    }
    return ev_call(e, t->u.call.c, args, n, &t->src->loc, out);
}

/* ---- comprehensions -------------------------------------------------------------------- */

typedef struct compr_k {
    kont k;
    kont kh; /* receives head values */
    kont kk; /* receives key values (object comprehensions) */
    const xterm *t;
    val_t *acc;
    val_t *key;
} compr_k;

static int compr_head(ev *e, kont *k, val_t *h) {
    compr_k *ck = (compr_k *)((char *)k - offsetof(compr_k, kh));
    const xterm *t = ck->t;
    switch (t->kind) {
    case XT_ACOMPR:
        if (val_arr_push(e->a, ck->acc, h)) return ev_oom(e);
        return 0;
    case XT_SCOMPR:
        if (val_set_add(e->a, ck->acc, h, NULL)) return ev_oom(e);
        return 0;
    default: {
        val_t *old = val_obj_get(ck->acc, ck->key);
        if (old) {
            if (val_equal(old, h)) return 0;
            return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &t->src->loc,
                           "object keys must be unique");
        }
        if (val_obj_put(e->a, ck->acc, ck->key, h)) return ev_oom(e);
        return 0;
    }
    }
}

static int compr_key(ev *e, kont *k, val_t *key) {
    compr_k *ck = (compr_k *)((char *)k - offsetof(compr_k, kk));
    val_t *saved = ck->key;
    ck->key = key;
    int rc = ev_term(e, ck->t->u.compr.head, &ck->kh);
    ck->key = saved;
    return rc;
}

static int compr_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    compr_k *ck = (compr_k *)k;
    if (ck->t->kind == XT_OCOMPR) return ev_term(e, ck->t->u.compr.key, &ck->kk);
    return ev_term(e, ck->t->u.compr.head, &ck->kh);
}

static int compr_value(ev *e, const xterm *t, val_t **out) {
    compr_k ck = {{compr_fn}, {compr_head}, {compr_key}, t, NULL, NULL};
    ck.acc = t->kind == XT_ACOMPR ? val_arr_new(e->a, 4)
             : t->kind == XT_SCOMPR ? val_set_new(e->a, 4)
                                    : val_obj_new(e->a, 4);
    if (!ck.acc) return ev_oom(e);
    int rc = GH_UNLIKELY(e->trace) ? ev_body_traced(e, t->u.compr.body, &ck.k)
                                   : ev_body(e, t->u.compr.body, 0, &ck.k);
    if (rc < 0) return rc;
    *out = ck.acc;
    return 0;
}

/* ---- unification ------------------------------------------------------------------------ */

typedef struct eqv_k {
    kont k;
    val_t *want;
    kont *next;
} eqv_k;

static int eqv_fn(ev *e, kont *k, val_t *v) {
    eqv_k *q = (eqv_k *)k;
    if (!val_equal(v, q->want)) return 0;
    return q->next->fn(e, q->next, NULL);
}

typedef struct ulist_k {
    kont k;
    xterm *const *pats;
    val_t *const *vals;
    uint32_t i, n;
    kont *next;
} ulist_k;

static int ulist_step(ev *e, xterm *const *pats, val_t *const *vals, uint32_t i, uint32_t n,
                      kont *next);

static int ulist_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    ulist_k *u = (ulist_k *)k;
    return ulist_step(e, u->pats, u->vals, u->i + 1, u->n, u->next);
}

static int ulist_step(ev *e, xterm *const *pats, val_t *const *vals, uint32_t i, uint32_t n,
                      kont *next) {
    if (i == n) return next->fn(e, next, NULL);
    ulist_k u = {{ulist_fn}, pats, vals, i, n, next};
    return ev_unify(e, pats[i], vals[i], &u.k);
}

int ev_unify(ev *e, const xterm *t, val_t *v, kont *k) {
    switch (t->kind) {
    case XT_CONST:
        return val_equal(t->u.v, v) ? k->fn(e, k, NULL) : 0;
    case XT_VAR: {
        val_t *cur = e->frame[t->slot];
        if (cur) return val_equal(cur, v) ? k->fn(e, k, NULL) : 0;
        e->frame[t->slot] = v;
        int rc = k->fn(e, k, NULL);
        e->frame[t->slot] = NULL;
        return rc;
    }
    case XT_ARRAY:
        if (!(t->flags & XF_OPEN) || term_bound(e, t)) break;
        if (val_kind_of(v) != VAL_ARRAY || val_arr_len(v) != t->u.list.n) return 0;
        return ulist_step(e, t->u.list.items, v->u.arr.items, 0, t->u.list.n, k);
    case XT_OBJECT: {
        if (!(t->flags & XF_OPEN) || term_bound(e, t)) break;
        uint32_t n = t->u.obj.n;
        if (val_kind_of(v) != VAL_OBJECT || val_obj_len(v) != n) return 0;
        val_t **vals = gh_arena_alloc(e->a, (n + 1) * sizeof *vals);
        if (!vals) return ev_oom(e);
        for (uint32_t i = 0; i < n; i++) {
            val_t *key;
            int rc = ev_term_direct(e, t->u.obj.keys[i], &key);
            if (rc < 0) return rc;
            if (rc || !key) return 0; /* keys must be ground */
            vals[i] = val_obj_get(v, key);
            if (!vals[i]) return 0;
        }
        return ulist_step(e, t->u.obj.vals, vals, 0, n, k);
    }
    default:
        break;
    }
    eqv_k q = {{eqv_fn}, v, k};
    return ev_term(e, t, &q.k);
}

typedef struct uv_k {
    kont k;
    const xterm *pat;
    kont *next;
} uv_k;

static int uv_fn(ev *e, kont *k, val_t *v) {
    uv_k *u = (uv_k *)k;
    return ev_unify(e, u->pat, v, u->next);
}

/* Pairwise unification of two term lists, taking first the pairs where one
 * side can be evaluated. */
typedef struct upair_k {
    kont k;
    xterm *const *as, *const *bs;
    uint8_t *done;
    uint32_t n, j;
    kont *next;
} upair_k;

static int upairs(ev *e, xterm *const *as, xterm *const *bs, uint8_t *done, uint32_t n, kont *k);

static int upair_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    upair_k *u = (upair_k *)k;
    return upairs(e, u->as, u->bs, u->done, u->n, u->next);
}

static int upairs(ev *e, xterm *const *as, xterm *const *bs, uint8_t *done, uint32_t n, kont *k) {
    uint32_t pick = n;
    for (uint32_t i = 0; i < n; i++) {
        if (done[i]) continue;
        if (pick == n) pick = i;
        if (term_bound(e, as[i]) || term_bound(e, bs[i])) {
            pick = i;
            break;
        }
    }
    if (pick == n) return k->fn(e, k, NULL);
    done[pick] = 1;
    upair_k u = {{upair_fn}, as, bs, done, n, pick, k};
    int rc = ev_unify_terms(e, as[pick], bs[pick], &u.k);
    done[pick] = 0;
    return rc;
}

int ev_unify_terms(ev *e, const xterm *a, const xterm *b, kont *k) {
    if (term_bound(e, b)) {
        uv_k u = {{uv_fn}, a, k};
        return ev_term(e, b, &u.k);
    }
    if (term_bound(e, a)) {
        uv_k u = {{uv_fn}, b, k};
        return ev_term(e, a, &u.k);
    }
    if (a->kind == XT_ARRAY && b->kind == XT_ARRAY) {
        uint32_t n = a->u.list.n;
        if (n != b->u.list.n) return 0;
        uint8_t *done = gh_arena_calloc(e->a, n + 1);
        if (!done) return ev_oom(e);
        return upairs(e, a->u.list.items, b->u.list.items, done, n, k);
    }
    if (a->kind == XT_OBJECT && b->kind == XT_OBJECT) {
        uint32_t n = a->u.obj.n;
        if (n != b->u.obj.n) return 0;
        xterm **bs = gh_arena_alloc(e->a, (n + 1) * sizeof *bs);
        uint8_t *done = gh_arena_calloc(e->a, n + 1);
        if (!bs || !done) return ev_oom(e);
        for (uint32_t i = 0; i < n; i++) {
            val_t *ka;
            int rc = ev_term_direct(e, a->u.obj.keys[i], &ka);
            if (rc < 0) return rc;
            if (rc || !ka) return 0;
            bs[i] = NULL;
            for (uint32_t j = 0; j < n && !bs[i]; j++) {
                val_t *kb;
                rc = ev_term_direct(e, b->u.obj.keys[j], &kb);
                if (rc < 0) return rc;
                if (!rc && kb && val_equal(ka, kb)) bs[i] = b->u.obj.vals[j];
            }
            if (!bs[i]) return 0;
        }
        return upairs(e, a->u.obj.vals, bs, done, n, k);
    }
    /* a var bound to a var that is bound later: not reachable after reordering */
    return 0;
}

/* ---- expressions -------------------------------------------------------------------------- */

typedef struct truthy_k {
    kont k;
    const xexpr *x;
    kont *next;
} truthy_k;

static int truthy_fn(ev *e, kont *k, val_t *v) {
    truthy_k *t = (truthy_k *)k;
    if ((v == VAL_FALSE || (val_kind_of(v) == VAL_BOOL && !v->u.b)) &&
        !(t->x->pad && e->capture))
        return 0;
    if (t->x->pad && e->qvals) e->qvals[t->x->pad - 1] = v;
    return t->next->fn(e, t->next, NULL);
}

typedef struct callx_k {
    kont k;
    const xexpr *x;
    kont *next;
} callx_k;

static int call_result1(ev *e, const xexpr *x, val_t *res, kont *k);

static int call_result(ev *e, const xexpr *x, val_t *res, kont *k) {
    if (is_relation(x->u.call.c) && val_kind_of(res) == VAL_ARRAY) {
        int rc = 0;
        for (size_t i = 0; i < val_arr_len(res) && rc == 0; i++)
            rc = call_result1(e, x, val_arr_at(res, i), k);
        return rc;
    }
    return call_result1(e, x, res, k);
}

static int call_result1(ev *e, const xexpr *x, val_t *res, kont *k) {
    if (x->u.call.out) return ev_unify(e, x->u.call.out, res, k);
    if (val_kind_of(res) == VAL_BOOL && !res->u.b && !(x->pad && e->capture)) return 0;
    if (x->pad && e->qvals) e->qvals[x->pad - 1] = res;
    return k->fn(e, k, NULL);
}

static int callx_fn(ev *e, kont *k, val_t *v) {
    callx_k *c = (callx_k *)k;
    /* comp_done already expanded a relation's alternatives */
    return call_result1(e, c->x, v, c->next);
}

static int expr_call(ev *e, const xexpr *x, kont *k) {
    if (x->u.call.c->kind == XC_OP && x->u.call.c->op == OP_PRINT) {
        int rc = ev_print(e, x);
        if (rc) return rc;
        return k->fn(e, k, NULL);
    }
    uint32_t n = x->u.call.n;
    val_t *argv[8];
    val_t **args = argv;
    if (n > 8 && !(args = gh_arena_alloc(e->a, n * sizeof *args))) return ev_oom(e);
    bool iter = false;
    for (uint32_t i = 0; i < n; i++) {
        int rc = ev_term_direct(e, x->u.call.args[i], &args[i]);
        if (rc == EV_ITER) {
            iter = true;
            break;
        }
        if (rc) return rc;
        if (!args[i]) return 0;
    }
    if (!iter) {
        val_t *res;
        int rc = ev_call(e, x->u.call.c, args, n, &x->src->loc, &res);
        if (rc || !res) return rc;
        return call_result(e, x, res, k);
    }
    /* some argument iterates: evaluate the call as a term */
    xterm t = {.kind = XT_CALL, .src = x->u.call.n ? x->u.call.args[0]->src : NULL};
    t.u.call.c = x->u.call.c;
    t.u.call.args = x->u.call.args;
    t.u.call.n = n;
    callx_k ck = {{callx_fn}, x, k};
    comp_state st = {&t, NULL, n, &ck.k};
    st.vals = gh_arena_alloc(e->a, (n + 1) * sizeof *st.vals);
    if (!st.vals) return ev_oom(e);
    /* comp_done reads t->src->loc for errors: use the expression's */
    rego_term loc_term = {.loc = x->src->loc};
    t.src = &loc_term;
    return comp_elem(e, &st, 0);
}

typedef struct some_k {
    kont k;
    const xexpr *x;
    kont *next;
} some_k;

typedef struct some2_k {
    kont k;
    const xterm *val;
    val_t *v;
    kont *next;
} some2_k;

static int some2_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    some2_k *s = (some2_k *)k;
    return ev_unify(e, s->val, s->v, s->next);
}

static int some_pair(ev *e, const xexpr *x, val_t *key, val_t *val, kont *k) {
    if (!x->u.some.key) return ev_unify(e, x->u.some.val, val, k);
    some2_k s = {{some2_fn}, x->u.some.val, val, k};
    return ev_unify(e, x->u.some.key, key, &s.k);
}

static int some_fn(ev *e, kont *k, val_t *coll) {
    some_k *s = (some_k *)k;
    const xexpr *x = s->x;
    int rc = 0;
    switch (val_kind_of(coll)) {
    case VAL_ARRAY:
        for (uint32_t i = 0; i < val_arr_len(coll) && rc == 0; i++) {
            if ((rc = ev_step(e))) break;
            val_t *key = x->u.some.key ? val_int(e->a, i) : NULL;
            if (x->u.some.key && !key) return ev_oom(e);
            rc = some_pair(e, x, key, val_arr_at(coll, i), s->next);
        }
        break;
    case VAL_OBJECT:
        for (uint32_t i = 0; i < val_obj_len(coll) && rc == 0; i++) {
            if ((rc = ev_step(e))) break;
            rc = some_pair(e, x, val_obj_key_at(coll, i), val_obj_val_at(coll, i), s->next);
        }
        break;
    case VAL_SET:
        for (uint32_t i = 0; i < val_set_len(coll) && rc == 0; i++) {
            if ((rc = ev_step(e))) break;
            rc = some_pair(e, x, val_set_at(coll, i), val_set_at(coll, i), s->next);
        }
        break;
    default:
        break;
    }
    return rc;
}

typedef struct found_k {
    kont k;
    bool found;
} found_k;

static int found_fn(ev *e, kont *k, val_t *v) {
    (void)e;
    (void)v;
    ((found_k *)k)->found = true;
    return EV_STOP;
}

typedef struct every_k {
    kont k;
    const xexpr *x;
    kont *next;
} every_k;

typedef struct everyb_k {
    kont k;
    const xexpr *x;
    bool ok;
} everyb_k;

static int everyb_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    everyb_k *b = (everyb_k *)k;
    found_k f = {{found_fn}, false};
    int rc = GH_UNLIKELY(e->trace) ? ev_body_traced(e, b->x->u.every.body, &f.k)
                                   : ev_body(e, b->x->u.every.body, 0, &f.k);
    if (rc < 0) return rc;
    b->ok = f.found;
    return EV_STOP;
}

static int every_one(ev *e, const xexpr *x, val_t *key, val_t *val, bool *ok) {
    everyb_k b = {{everyb_fn}, x, false};
    int rc;
    if (x->u.every.key) {
        some2_k s = {{some2_fn}, x->u.every.val, val, &b.k};
        rc = ev_unify(e, x->u.every.key, key, &s.k);
    } else {
        rc = ev_unify(e, x->u.every.val, val, &b.k);
    }
    if (rc < 0) return rc;
    *ok = b.ok;
    return 0;
}

static int every_fn(ev *e, kont *k, val_t *coll) {
    every_k *ek = (every_k *)k;
    const xexpr *x = ek->x;
    bool ok = true;
    int rc = 0;
    switch (val_kind_of(coll)) {
    case VAL_ARRAY:
        for (uint32_t i = 0; i < val_arr_len(coll) && ok; i++) {
            val_t *key = val_int(e->a, i);
            if (!key) return ev_oom(e);
            if ((rc = ev_step(e)) || (rc = every_one(e, x, key, val_arr_at(coll, i), &ok))) return rc;
        }
        break;
    case VAL_OBJECT:
        for (uint32_t i = 0; i < val_obj_len(coll) && ok; i++)
            if ((rc = ev_step(e)) ||
                (rc = every_one(e, x, val_obj_key_at(coll, i), val_obj_val_at(coll, i), &ok)))
                return rc;
        break;
    case VAL_SET:
        for (uint32_t i = 0; i < val_set_len(coll) && ok; i++)
            if ((rc = ev_step(e)) ||
                (rc = every_one(e, x, val_set_at(coll, i), val_set_at(coll, i), &ok)))
                return rc;
        break;
    default:
        /* OPA 1.x: every over a non-collection is false */
        ok = false;
        break;
    }
    if (!ok) return 0;
    return ek->next->fn(e, ek->next, NULL);
}

int ev_expr_pos(ev *e, const xexpr *x, kont *k) {
    switch (x->kind) {
    case XE_TERM: {
        truthy_k t = {{truthy_fn}, x, k};
        return ev_term(e, x->u.term, &t.k);
    }
    case XE_UNIFY:
        return ev_unify_terms(e, x->u.un.a, x->u.un.b, k);
    case XE_CALL:
        return expr_call(e, x, k);
    case XE_SOME: {
        some_k s = {{some_fn}, x, k};
        return ev_term(e, x->u.some.dom, &s.k);
    }
    case XE_EVERY: {
        every_k ek = {{every_fn}, x, k};
        return ev_term(e, x->u.every.dom, &ek.k);
    }
    default:
        return k->fn(e, k, NULL);
    }
}

int ev_expr_inner(ev *e, const xexpr *x, kont *k) {
    if (!x->negated) return ev_expr_pos(e, x, k);
    found_k f = {{found_fn}, false};
    int rc;
    if (GH_UNLIKELY(e->trace)) {
        /* OPA evaluates the negated expression as a child query */
        e->tdepth++;
        ev_trace(e, REGO_TRACE_ENTER, x->src, NULL, NULL, NULL,
                 REGO_TRACE_F_POSITIVE | REGO_TRACE_F_BODY);
        rc = ev_neg_traced(e, x, &f.k);
        e->tdepth--;
    } else {
        rc = ev_expr_pos(e, x, &f.k);
    }
    if (rc < 0) return rc;
    if (f.found) return 0;
    return k->fn(e, k, NULL);
}

int ev_expr(ev *e, const xexpr *x, kont *k) {
    int rc = ev_step(e);
    if (rc) return rc;
    if (GH_UNLIKELY(e->trace)) return ev_expr_traced(e, x, k);
    if (x->nwith) return ev_with(e, x, k);
    return ev_expr_inner(e, x, k);
}

typedef struct body_k {
    kont k;
    const xbody *b;
    uint32_t i;
    kont *next;
} body_k;

static int body_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    body_k *bk = (body_k *)k;
    return ev_body(e, bk->b, bk->i, bk->next);
}

int ev_body(ev *e, const xbody *b, uint32_t i, kont *k) {
    if (i == b->n) return k->fn(e, k, NULL);
    if (i + 1 == b->n) return ev_expr(e, b->exprs[i], k);
    body_k bk = {{body_fn}, b, i + 1, k};
    return ev_expr(e, b->exprs[i], &bk.k);
}
