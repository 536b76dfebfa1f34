/* eval_ref.c - references: walking values (input, locals, computed heads)
 * and the data document, which merges base documents with rules. A data
 * ref walks the rule tree while keys are known; at a rule node it takes the
 * node's (memoised) value, at a plain node with an unbound key it iterates
 * the children and base keys. `with data.x as v` overrides are applied
 * whenever a value for a path is produced. Called from eval.c. */
#include <string.h>

#include "engine_int.h"

val_t *ev_lookup(val_t *coll, const val_t *key) {
    switch (val_kind_of(coll)) {
    case VAL_ARRAY: {
        if (val_kind_of(key) != VAL_NUMBER) return NULL;
        int64_t i;
        if (!val_num_to_int64(key, &i) || i < 0 || (uint64_t)i >= val_arr_len(coll)) return NULL;
        return val_arr_at(coll, (size_t)i);
    }
    case VAL_OBJECT: return val_obj_get(coll, key);
    case VAL_SET: return val_set_has(coll, key) ? (val_t *)key : NULL;
    default: return NULL;
    }
}

/* ---- overrides (with data...) ------------------------------------------------------- */

static bool path_prefix(const ev_override *o, const val_t *path, const val_t *extra) {
    uint32_t pn = (uint32_t)val_arr_len(path) + (extra ? 1 : 0);
    if (o->npath < pn) return false;
    for (uint32_t i = 0; i < val_arr_len(path); i++)
        if (!val_equal(o->path[i], val_arr_at(path, i))) return false;
    if (extra && !val_equal(o->path[pn - 1], extra)) return false;
    return true;
}

static val_t *upsert(ev *e, val_t *v, val_t *const *keys, uint32_t n, val_t *value) {
    if (n == 0) return value;
    val_t *o = val_obj_new(e->a, v && val_kind_of(v) == VAL_OBJECT ? val_obj_len(v) + 1 : 1);
    if (!o) return NULL;
    val_t *child = NULL;
    if (v && val_kind_of(v) == VAL_OBJECT) {
        for (uint32_t i = 0; i < val_obj_len(v); i++) {
            if (val_equal(val_obj_key_at(v, i), keys[0])) {
                child = val_obj_val_at(v, i);
                continue;
            }
            if (val_obj_put(e->a, o, val_obj_key_at(v, i), val_obj_val_at(v, i))) return NULL;
        }
    }
    val_t *nc = upsert(e, child, keys + 1, n - 1, value);
    if (!nc || val_obj_put(e->a, o, keys[0], nc)) return NULL;
    return o;
}

/* Apply the overrides at or below path(+extra) to v (NULL: absent). Sets
 * *touched when some override applied. */
static int apply_ovr(ev *e, val_t *v, const val_t *path, const val_t *extra, val_t **out) {
    uint32_t pn = (uint32_t)val_arr_len(path) + (extra ? 1 : 0);
    for (uint32_t i = 0; i < e->novr; i++) {
        const ev_override *o = &e->ovr[i];
        if (!path_prefix(o, path, extra)) continue;
        v = upsert(e, v, o->path + pn, o->npath - pn, o->value);
        if (!v) return ev_oom(e);
    }
    *out = v;
    return 0;
}

/* ---- node values ----------------------------------------------------------------------- */

static bool is_system_key(const val_t *k) {
    return k && val_is_str(k) && val_str_len(k) == 6 && !memcmp(val_str_ptr(k), "system", 6);
}

int ev_node_value(ev *e, rnode *n, val_t **out) {
    ev_memo *m = e->memo;
    if (m->state && m->state[n->id] == 2) {
        *out = m->vals[n->id];
        return 0;
    }
    val_t *v = NULL, *base = RP_BASE(e->p, n);
    int rc;
    if (n->kind == NK_FUNC) {
        *out = NULL;
        return 0;
    }
    if (n->kind != NK_NONE) {
        rc = ev_rule_node(e, n, &v);
        if (rc) return rc;
    } else if (!n->nkids && base && val_kind_of(base) != VAL_OBJECT) {
        v = base;
    } else {
        size_t nbase = base && val_kind_of(base) == VAL_OBJECT ? val_obj_len(base) : 0;
        val_t *o = val_obj_new(e->a, n->nkids + nbase);
        if (!o) return ev_oom(e);
        /* the root document hides data.system (rules and base data), as
         * OPA's evaluator does; data.system itself stays readable */
        bool root = n->parent == NULL;
        if (base && val_kind_of(base) == VAL_OBJECT)
            for (uint32_t i = 0; i < val_obj_len(base); i++) {
                if (root && is_system_key(val_obj_key_at(base, i))) continue;
                if (val_obj_put(e->a, o, val_obj_key_at(base, i), val_obj_val_at(base, i)))
                    return ev_oom(e);
            }
        for (uint32_t i = 0; i < n->nkids; i++) {
            rnode *k = n->kids[i];
            if (k->kind == NK_FUNC || (root && is_system_key(k->key))) continue;
            val_t *kv;
            if ((rc = ev_node_value(e, k, &kv))) return rc;
            /* a base document at the same path wins over rules (as OPA's
             * evaluator merges them) */
            if (kv && !(k->kind != NK_NONE && val_obj_get(o, k->key)) &&
                val_obj_put(e->a, o, k->key, kv))
                return ev_oom(e);
        }
        v = o;
    }
    if (e->novr && (rc = apply_ovr(e, v, n->path, NULL, &v))) return rc;
    if (!m->state) {
        m->state = gh_arena_calloc(e->a, e->p->nnodes);
        m->vals = gh_arena_calloc(e->a, e->p->nnodes * sizeof *m->vals);
        if (!m->state || !m->vals) return ev_oom(e);
    }
    m->state[n->id] = 2;
    m->vals[n->id] = v;
    *out = v;
    return 0;
}

/* Child of node n for a known key: a kid node, or a value (possibly NULL). */
static int data_step(ev *e, rnode *n, val_t *key, rnode **kid, val_t **val) {
    *kid = rt_kid(n, key);
    *val = NULL;
    if (*kid) return 0;
    val_t *child = RP_BASE(e->p, n) ? ev_lookup(RP_BASE(e->p, n), key) : NULL;
    if (e->novr) {
        int rc = apply_ovr(e, child, n->path, key, &child);
        if (rc) return rc;
    }
    *val = child;
    return 0;
}

static int walk_direct(ev *e, val_t *v, xterm *const *path, uint32_t i, uint32_t n, val_t **out) {
    for (; i < n; i++) {
        val_t *key;
        int rc = ev_term_direct(e, path[i], &key);
        if (rc) return rc;
        if (!key || !(v = ev_lookup(v, key))) {
            *out = NULL;
            return 0;
        }
    }
    *out = v;
    return 0;
}

static int data_direct(ev *e, const xterm *t, val_t **out) {
    rnode *n = e->novr ? e->p->root : t->u.ref.node;
    uint32_t i = e->novr ? 0 : t->u.ref.nfixed;
    uint32_t np = t->u.ref.n;
    for (;;) {
        if (n->kind != NK_NONE || i == np) {
            val_t *v;
            int rc = ev_node_value(e, n, &v);
            if (rc) return rc;
            if (!v) {
                *out = NULL;
                return 0;
            }
            return walk_direct(e, v, t->u.ref.path, i, np, out);
        }
        val_t *key;
        int rc = ev_term_direct(e, t->u.ref.path[i], &key);
        if (rc) return rc;
        if (!key) {
            *out = NULL;
            return 0;
        }
        rnode *kid;
        val_t *v;
        if ((rc = data_step(e, n, key, &kid, &v))) return rc;
        i++;
        if (kid) {
            n = kid;
            continue;
        }
        if (!v) {
            *out = NULL;
            return 0;
        }
        return walk_direct(e, v, t->u.ref.path, i, np, out);
    }
}

int ev_ref_direct(ev *e, const xterm *t, val_t **out) {
    val_t *v;
    switch (t->root) {
    case XR_LOCAL:
        v = e->frame[t->u.ref.head->slot];
        if (!v) return EV_ITER;
        break;
    case XR_INPUT:
        v = e->input;
        break;
    case XR_TERM: {
        int rc = ev_term_direct(e, t->u.ref.head, &v);
        if (rc) return rc;
        break;
    }
    default:
        return data_direct(e, t, out);
    }
    if (!v) {
        *out = NULL;
        return 0;
    }
    return walk_direct(e, v, t->u.ref.path, 0, t->u.ref.n, out);
}

/* ---- iteration ------------------------------------------------------------------------------ */

typedef struct walk_k {
    kont k;
    val_t *coll; /* lookup in this (key continuation) or walk this value */
    xterm *const *path;
    uint32_t i, n;
    kont *next;
} walk_k;

/* key value found: look it up in coll and continue */
static int lookup_fn(ev *e, kont *k, val_t *key) {
    walk_k *w = (walk_k *)k;
    val_t *child = ev_lookup(w->coll, key);
    if (!child) return 0;
    return ev_walk_val(e, child, w->path, w->i + 1, w->n, w->next);
}

/* pattern unified with a key: walk the child stored in coll */
static int child_fn(ev *e, kont *k, val_t *unused) {
    (void)unused;
    walk_k *w = (walk_k *)k;
    return ev_walk_val(e, w->coll, w->path, w->i + 1, w->n, w->next);
}

static int iter_entry(ev *e, const xterm *p, val_t *key, val_t *child, xterm *const *path,
                      uint32_t i, uint32_t n, kont *k) {
    if (p->kind == XT_VAR) {
        e->frame[p->slot] = key;
        int rc = ev_walk_val(e, child, path, i + 1, n, k);
        e->frame[p->slot] = NULL;
        return rc;
    }
    walk_k w = {{child_fn}, child, path, i, n, k};
    return ev_unify(e, p, key, &w.k);
}

int ev_walk_val(ev *e, val_t *v, xterm *const *path, uint32_t i, uint32_t n, kont *k) {
    for (; i < n; i++) {
        const xterm *p = path[i];
        val_t *key;
        int rc = ev_term_direct(e, p, &key);
        if (rc == 0) {
            if (!key || !(v = ev_lookup(v, key))) return 0;
            continue;
        }
        if (rc < 0) return rc;
        if (p->kind == XT_REF || p->kind == XT_CALL) {
            walk_k w = {{lookup_fn}, v, path, i, n, k};
            return ev_term(e, p, &w.k);
        }
        rc = 0;
        switch (val_kind_of(v)) {
        case VAL_ARRAY:
            for (uint32_t j = 0; j < val_arr_len(v) && rc == 0; j++) {
                if ((rc = ev_step(e))) break;
                val_t *kv = val_int(e->a, j);
                if (!kv) return ev_oom(e);
                rc = iter_entry(e, p, kv, val_arr_at(v, j), path, i, n, k);
            }
            break;
        case VAL_OBJECT:
            for (uint32_t j = 0; j < val_obj_len(v) && rc == 0; j++) {
                if ((rc = ev_step(e))) break;
                rc = iter_entry(e, p, val_obj_key_at(v, j), val_obj_val_at(v, j), path, i, n, k);
            }
            break;
        case VAL_SET:
            for (uint32_t j = 0; j < val_set_len(v) && rc == 0; j++) {
                if ((rc = ev_step(e))) break;
                rc = iter_entry(e, p, val_set_at(v, j), val_set_at(v, j), path, i, n, k);
            }
            break;
        default:
            break;
        }
        return rc;
    }
    return k->fn(e, k, v);
}

static int walk_data(ev *e, rnode *n, const xterm *t, uint32_t i, kont *k) {
    xterm *const *path = t->u.ref.path;
    uint32_t np = t->u.ref.n;
    for (;;) {
        if (n->kind != NK_NONE || i == np) {
            val_t *v;
            int rc = ev_node_value(e, n, &v);
            if (rc) return rc;
            if (!v) return 0;
            return ev_walk_val(e, v, path, i, np, k);
        }
        const xterm *p = path[i];
        val_t *key;
        int rc = ev_term_direct(e, p, &key);
        if (rc < 0) return rc;
        if (rc == 0) {
            if (!key) return 0;
            rnode *kid;
            val_t *v;
            if ((rc = data_step(e, n, key, &kid, &v))) return rc;
            if (kid) {
                n = kid;
                i++;
                continue;
            }
            if (!v) return 0;
            return ev_walk_val(e, v, path, i + 1, np, k);
        }
        if (p->kind != XT_VAR || e->novr) {
            val_t *v;
            if ((rc = ev_node_value(e, n, &v))) return rc;
            if (!v) return 0;
            return ev_walk_val(e, v, path, i, np, k);
        }
        /* unbound var: the children, then the base keys they do not shadow */
        rc = 0;
        for (uint32_t j = 0; j < n->nkids && rc == 0; j++) {
            rnode *kid = n->kids[j];
            if (kid->kind == NK_FUNC) continue;
            if ((rc = ev_step(e))) break;
            e->frame[p->slot] = kid->key;
            rc = walk_data(e, kid, t, i + 1, k);
            e->frame[p->slot] = NULL;
        }
        val_t *b = RP_BASE(e->p, n);
        if (b && val_kind_of(b) == VAL_OBJECT) {
            for (uint32_t j = 0; j < val_obj_len(b) && rc == 0; j++) {
                val_t *bk = val_obj_key_at(b, j);
                if (rt_kid(n, bk)) continue;
                /* OPA enumerates data.system under the root only when rules define it */
                if (!n->parent && is_system_key(bk)) continue;
                if ((rc = ev_step(e))) break;
                e->frame[p->slot] = bk;
                rc = ev_walk_val(e, val_obj_val_at(b, j), path, i + 1, np, k);
                e->frame[p->slot] = NULL;
            }
        }
        return rc;
    }
}

static int head_fn(ev *e, kont *k, val_t *v) {
    walk_k *w = (walk_k *)k;
    return ev_walk_val(e, v, w->path, 0, w->n, w->next);
}

int ev_ref(ev *e, const xterm *t, kont *k) {
    switch (t->root) {
    case XR_LOCAL: {
        val_t *v = e->frame[t->u.ref.head->slot];
        if (!v)
            return ev_errf(e, GH_EINTERNAL, "eval_internal_error", &t->src->loc,
                           "ref head is unbound");
        return ev_walk_val(e, v, t->u.ref.path, 0, t->u.ref.n, k);
    }
    case XR_INPUT:
        if (!e->input) return 0;
        return ev_walk_val(e, e->input, t->u.ref.path, 0, t->u.ref.n, k);
    case XR_TERM: {
        walk_k w = {{head_fn}, NULL, t->u.ref.path, 0, t->u.ref.n, k};
        return ev_term(e, t->u.ref.head, &w.k);
    }
    default:
        if (e->novr) return walk_data(e, e->p->root, t, 0, k);
        return walk_data(e, t->u.ref.node, t, t->u.ref.nfixed, k);
    }
}
