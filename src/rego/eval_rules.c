/* eval_rules.c - evaluating the rules of a rule-tree node: complete rules
 * (else chains, defaults, conflict detection), multi-value rules (sets),
 * ref-head / partial-object rules (objects built at dynamic paths, merged
 * with the node's children) and functions (argument unification, several
 * definitions, conflicts). Each rule body runs in a fresh frame; results
 * are collected completely, so frames never interleave. Called from
 * eval_ref.c (node values) and eval_call.c (function calls). */
#include <stddef.h>
#include <string.h>

#include "engine_int.h"

#define EV_MAX_DEPTH 4000 /* nested rule/function evaluations (C stack guard) */

static int enter(ev *e, const rego_loc *loc) {
    if (++e->depth > EV_MAX_DEPTH) {
        e->depth--;
        return ev_errf(e, GH_ECANCEL, "eval_cancel_error", loc,
                       "evaluation exceeded the maximum call depth (%d)", EV_MAX_DEPTH);
    }
    return 0;
}

/* Switch e to a fresh frame of n slots, the current one kept in *saved
 * (the caller restores it); on GH_ENOMEM e->frame stays as it was. */
static int frame_push(ev *e, uint32_t n, val_t ***saved) {
    *saved = e->frame;
    val_t **f = gh_arena_calloc(e->a, (n ? n : 1) * sizeof(val_t *));
    if (!f) return ev_oom(e);
    e->frame = f;
    return 0;
}

/* The value of a default rule, in a frame of its own. */
static int default_value(ev *e, const xrule *d, val_t **out) {
    val_t **saved;
    int rc = frame_push(e, d->nslots, &saved);
    if (rc) return rc;
    rc = ev_value(e, d->value, out);
    e->frame = saved;
    return rc;
}

/* ---- complete rules and functions: one value per chain ------------------------------- */

typedef struct val_k {
    kont k;
    const xrule *r;
    val_t *res;
    const xrule *res_rule;
    bool func;
} val_k;

static int val_one(ev *e, kont *k, val_t *v) {
    val_k *vk = (val_k *)k;
    if (vk->res) {
        if (!val_equal(vk->res, v))
            return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &vk->r->src->loc,
                           vk->func ? "functions must not produce multiple outputs for same inputs"
                                    : "complete rules must not produce multiple outputs");
        return 0;
    }
    vk->res = v;
    vk->res_rule = vk->r;
    /* a constant value cannot conflict with itself: stop at the first solution */
    return vk->r->value->kind == XT_CONST ? EV_STOP : 0;
}

typedef struct valt_k {
    kont k;
    val_k *vk;
} valt_k;

static int valt_fn(ev *e, kont *k, val_t *v) { return val_one(e, &((valt_k *)k)->vk->k, v); }

static int val_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    val_k *vk = (val_k *)k;
    valt_k vt = {{valt_fn}, vk};
    return ev_term(e, vk->r->value, &vt.k);
}

/* Value of one else chain in the current frame (NULL = undefined). */
static int chain_value(ev *e, const xrule *r, bool func, val_t **out) {
    for (const xrule *b = r; b; b = b->els) {
        val_k vk = {{val_fn}, b, NULL, NULL, func};
        const rego_rule *save = e->cur_rule;
        e->cur_rule = b->src;
        int rc = GH_UNLIKELY(e->trace) ? ev_rule_body_traced(e, b, b->body, &vk.k)
                                       : ev_body(e, b->body, 0, &vk.k);
        e->cur_rule = save;
        if (rc < 0) return rc;
        if (vk.res) {
            *out = vk.res;
            return 0;
        }
    }
    *out = NULL;
    return 0;
}

/* Which rules of n can succeed: NULL = all; else a flag per rule. */
static int candidates(ev *e, rnode *n, uint8_t **out) {
    *out = NULL;
    rule_index *ix = n->index;
    if (!ix) return 0;
    val_t *v;
    int rc = ev_ref_direct(e, ix->ref, &v);
    if (rc < 0) return rc;
    if (rc) return 0; /* cannot happen for constant input refs */
    uint8_t *c = gh_arena_alloc(e->a, n->nrules);
    if (!c) return ev_oom(e);
    memcpy(c, ix->always, n->nrules);
    val_t *list = v ? val_obj_get(ix->map, v) : NULL;
    for (size_t i = 0; list && i < val_arr_len(list); i++) c[val_arr_at(list, i)->u.i] = 1;
    *out = c;
    return 0;
}

/* INDEX event: how many rules the index kept; complete rules and functions
 * whose values are all constants stop at the first (OPA's "early exit"). */
static void trace_index(ev *e, rnode *n, const uint8_t *cand) {
    uint32_t k = 0;
    bool early = n->kind == NK_COMPLETE || n->kind == NK_FUNC;
    for (uint32_t i = 0; i < n->nrules; i++) {
        if (cand && !cand[i]) continue;
        k++;
        early = early && n->rules[i]->value && n->rules[i]->value->kind == XT_CONST;
    }
    ev_trace_index(e, n, k, early);
}

/* candidates(), with the index lookup traced when tracing. */
static int traced_candidates(ev *e, rnode *n, uint8_t **cand) {
    int rc = candidates(e, n, cand);
    if (!rc && GH_UNLIKELY(e->trace)) trace_index(e, n, *cand);
    return rc;
}

static int complete_value(ev *e, rnode *n, val_t **out) {
    val_t *res = NULL;
    uint8_t *cand;
    int crc = traced_candidates(e, n, &cand);
    if (crc) return crc;
    for (uint32_t i = 0; i < n->nrules; i++) {
        if (cand && !cand[i]) continue;
        const xrule *r = n->rules[i];
        val_t **saved;
        int frc = frame_push(e, r->nslots, &saved);
        if (frc) return frc;
        val_t *v;
        int rc = chain_value(e, r, false, &v);
        e->frame = saved;
        if (rc) return rc;
        if (!v) continue;
        if (res && !val_equal(res, v))
            return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &r->src->loc,
                           "complete rules must not produce multiple outputs");
        res = v;
    }
    if (!res && n->dflt) {
        int rc = default_value(e, n->dflt, &res);
        if (rc) return rc;
    }
    *out = res;
    return 0;
}

/* ---- multi-value and object rules ---------------------------------------------------------- */

typedef struct coll_k {
    kont k;
    kont k2; /* receives [tail..., value] */
    const xrule *r;
    val_t *acc;  /* set (MULTI without tail) or object */
    rnode *n;
} coll_k;

/* Insert value at keys[0..nk) under obj; leaves are values (or sets for
 * multi-value rules with a tail). */
static int obj_insert(ev *e, val_t *obj, val_t **keys, uint32_t nk, val_t *value, bool set_leaf,
                      const xrule *r) {
    val_t *key = keys[0];
    val_t *cur = val_obj_get(obj, key);
    if (nk == 1) {
        if (set_leaf) {
            if (!cur) {
                cur = val_set_new(e->a, 4);
                if (!cur || val_obj_put(e->a, obj, key, cur)) return ev_oom(e);
            } else if (val_kind_of(cur) != VAL_SET) {
                return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &r->src->loc,
                               "object keys must be unique");
            }
            if (val_set_add(e->a, cur, value, NULL)) return ev_oom(e);
            return 0;
        }
        if (cur) {
            if (val_equal(cur, value)) return 0;
            return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &r->src->loc,
                           r->ntail > 1 ? "complete rules must not produce multiple outputs"
                                        : "object keys must be unique");
        }
        if (val_obj_put(e->a, obj, key, value)) return ev_oom(e);
        return 0;
    }
    if (!cur) {
        cur = val_obj_new(e->a, 4);
        if (!cur || val_obj_put(e->a, obj, key, cur)) return ev_oom(e);
    } else if (val_kind_of(cur) != VAL_OBJECT) {
        return ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &r->src->loc,
                       "complete rules must not produce multiple outputs");
    }
    return obj_insert(e, cur, keys + 1, nk - 1, value, set_leaf, r);
}

static int collv_fn(ev *e, kont *k, val_t *hv) {
    coll_k *ck = (coll_k *)((char *)k - offsetof(coll_k, k2));
    const xrule *r = ck->r;
    val_t *v = val_arr_at(hv, r->ntail);
    if (!r->ntail) {
        if (val_set_add(e->a, ck->acc, v, NULL)) return ev_oom(e);
        return 0;
    }
    return obj_insert(e, ck->acc, hv->u.arr.items, r->ntail, v, r->kind == XK_MULTI, r);
}

static int coll_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    coll_k *ck = (coll_k *)k;
    return ev_term(e, ck->r->headt, &ck->k2);
}

static int coll_value(ev *e, rnode *n, val_t **out) {
    val_t *acc = n->kind == NK_MULTI ? val_set_new(e->a, 8) : val_obj_new(e->a, 8);
    if (!acc) return ev_oom(e);
    uint8_t *cand;
    int crc = traced_candidates(e, n, &cand);
    if (crc) return crc;
    for (uint32_t i = 0; i < n->nrules; i++) {
        if (cand && !cand[i]) continue;
        const xrule *r = n->rules[i];
        val_t **saved;
        int frc = frame_push(e, r->nslots, &saved);
        if (frc) return frc;
        coll_k ck = {{coll_fn}, {collv_fn}, r, acc, n};
        const rego_rule *save = e->cur_rule;
        e->cur_rule = r->src;
        int rc = GH_UNLIKELY(e->trace) ? ev_rule_body_traced(e, r, r->body, &ck.k)
                                       : ev_body(e, r->body, 0, &ck.k);
        e->cur_rule = save;
        e->frame = saved;
        if (rc < 0) return rc;
    }
    if (n->kind == NK_OBJ) {
        /* constant-path rules below (p.q.r := 1 next to p[x] := ...) */
        for (uint32_t i = 0; i < n->nkids; i++) {
            rnode *kid = n->kids[i];
            if (kid->kind == NK_FUNC) continue;
            val_t *kv;
            int rc = ev_node_value(e, kid, &kv);
            if (rc) return rc;
            if (!kv) continue;
            val_t *cur = val_obj_get(acc, kid->key);
            if (cur && !val_equal(cur, kv)) {
                if (val_kind_of(cur) == VAL_OBJECT && val_kind_of(kv) == VAL_OBJECT) {
                    val_t *m = val_obj_new(e->a, val_obj_len(cur) + val_obj_len(kv));
                    if (!m) return ev_oom(e);
                    for (uint32_t j = 0; j < val_obj_len(cur); j++)
                        if (val_obj_put(e->a, m, val_obj_key_at(cur, j), val_obj_val_at(cur, j)))
                            return ev_oom(e);
                    for (uint32_t j = 0; j < val_obj_len(kv); j++) {
                        val_t *ov = val_obj_get(m, val_obj_key_at(kv, j));
                        if (ov && !val_equal(ov, val_obj_val_at(kv, j)))
                            return ev_errf(e, GH_ECONFLICT, "eval_conflict_error",
                                           n->nrules ? &n->rules[0]->src->loc : NULL,
                                           "object keys must be unique");
                        if (val_obj_put(e->a, m, val_obj_key_at(kv, j), val_obj_val_at(kv, j)))
                            return ev_oom(e);
                    }
                    kv = m;
                } else {
                    return ev_errf(e, GH_ECONFLICT, "eval_conflict_error",
                                   n->nrules ? &n->rules[0]->src->loc : NULL,
                                   "object keys must be unique");
                }
            }
            if (val_obj_put(e->a, acc, kid->key, kv)) return ev_oom(e);
        }
    }
    *out = acc;
    return 0;
}

int ev_rule_node(ev *e, rnode *n, val_t **out) {
    ev_memo *m = e->memo;
    if (m->state && m->state[n->id] == 2) {
        *out = m->vals[n->id];
        return 0;
    }
    if (m->state && m->state[n->id] == 1) {
        /* only reachable through `with` replacements: the compiler rejects
         * recursive rules */
        return ev_errf(e, GH_EINVAL, "rego_recursion_error",
                       n->nrules ? &n->rules[0]->src->loc : NULL, "rule %s is recursive",
                       rc_node_path(e->a, n));
    }
    if (!m->state) {
        m->state = gh_arena_calloc(e->a, e->p->nnodes);
        m->vals = gh_arena_calloc(e->a, e->p->nnodes * sizeof *m->vals);
        if (!m->state || !m->vals) return ev_oom(e);
    }
    int rc = enter(e, n->nrules ? &n->rules[0]->src->loc : NULL);
    if (rc) return rc;
    m->state[n->id] = 1;
    val_t *v = NULL;
    switch (n->kind) {
    case NK_COMPLETE: rc = complete_value(e, n, &v); break;
    case NK_MULTI: case NK_OBJ: rc = coll_value(e, n, &v); break;
    default: break;
    }
    e->depth--;
    /* the memo table may have been replaced meanwhile only by with, which
     * restores it before returning; m is still the right table */
    if (rc) {
        m->state[n->id] = 0;
        return rc;
    }
    m->state[n->id] = 0; /* ev_node_value records the final value */
    *out = v;
    return 0;
}

/* ---- functions -------------------------------------------------------------------------------- */

typedef struct fargs_k {
    kont k;
    const xrule *r;
    val_t *res;
} fargs_k;

static int fargs_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    fargs_k *f = (fargs_k *)k;
    val_t *v;
    int rc = chain_value(e, f->r, true, &v);
    if (rc) return rc;
    f->res = v;
    return EV_STOP;
}

typedef struct uargs_k {
    kont k;
    const xrule *r;
    val_t **args;
    uint32_t i;
    kont *next;
} uargs_k;

static int uargs(ev *e, const xrule *r, val_t **args, uint32_t i, kont *next);

static int uargs_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    uargs_k *u = (uargs_k *)k;
    return uargs(e, u->r, u->args, u->i + 1, u->next);
}

static int uargs(ev *e, const xrule *r, val_t **args, uint32_t i, kont *next) {
    if (i == r->nargs) return next->fn(e, next, NULL);
    uargs_k u = {{uargs_fn}, r, args, i, next};
    return ev_unify(e, r->args[i], args[i], &u.k);
}

int ev_func_call(ev *e, rnode *fn, val_t **args, uint32_t nargs, const rego_loc *loc,
                 val_t **out) {
    (void)nargs;
    int rc = enter(e, loc);
    if (rc) return rc;
    if (GH_UNLIKELY(e->trace)) trace_index(e, fn, NULL);
    val_t *res = NULL;
    for (uint32_t i = 0; i < fn->nrules && rc == 0; i++) {
        const xrule *r = fn->rules[i];
        val_t **saved;
        if ((rc = frame_push(e, r->nslots, &saved))) break;
        fargs_k f = {{fargs_fn}, r, NULL};
        rc = uargs(e, r, args, 0, &f.k);
        e->frame = saved;
        if (rc > 0) rc = 0;
        if (rc) break;
        if (!f.res) continue;
        if (res && !val_equal(res, f.res))
            rc = ev_errf(e, GH_ECONFLICT, "eval_conflict_error", &r->src->loc,
                         "functions must not produce multiple outputs for same inputs");
        res = f.res;
    }
    if (!rc && !res && fn->dflt) rc = default_value(e, fn->dflt, &res);
    e->depth--;
    if (rc) return rc;
    *out = res;
    return 0;
}
