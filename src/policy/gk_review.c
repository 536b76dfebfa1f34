/* gk_review.c - builds Gatekeeper's review input (as gator and the webhook
 * do) and evaluates every matching constraint's template. Called by the
 * CLI (`gatehouse verify`) and pol_admit. All per-review memory comes from
 * the caller's arena; the model is only read, so concurrent reviews are safe. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

static int put(gh_arena *a, val_t *o, const char *k, val_t *v) {
    val_t *key = val_strc(a, k);
    if (!key || !v) return GH_ENOMEM;
    return val_obj_put(a, o, key, v);
}

/* The review object: request fields (AdmissionReview) or an object's own,
 * with kind/namespace/name/operation/userInfo filled in as gator does. */
static int build_review(gh_arena *a, const val_t *in, const pol_gk_review_opts *o,
                        val_t **review, const val_t **object, gh_err *e) {
    const val_t *req = NULL, *obj = in, *old = o ? o->old_object : NULL;
    const char *k = gk_get_str(in, "kind");
    if (k && !strcmp(k, "AdmissionReview")) {
        req = gk_get_obj(in, "request");
        if (!req)
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "AdmissionReview without a request");
        obj = gk_get(req, "object");
        if (gk_get(req, "oldObject")) old = gk_get(req, "oldObject");
    }
    /* gator builds plain objects' reviews without an operation (""). */
    const char *op = req ? gk_get_str(req, "operation") : NULL;
    if (!op) op = o && o->operation ? o->operation : "";
    if ((!obj || val_kind_of(obj) != VAL_OBJECT) && old && !strcmp(op, "DELETE")) obj = old;
    if (!obj || val_kind_of(obj) != VAL_OBJECT)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "review has no object");
    val_t *r = val_obj_new(a, 12);
    if (!r) return GH_ENOMEM;
    for (size_t i = 0; req && i < val_obj_len(req); i++)
        if (val_obj_put(a, r, val_obj_key_at(req, i), val_obj_val_at(req, i))) return GH_ENOMEM;
    const char *apiv = gk_get_str(obj, "apiVersion"), *kind = gk_get_str(obj, "kind");
    if (!gk_get_obj(r, "kind")) {
        if (!apiv || !kind)
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "object needs apiVersion and kind");
        const char *group, *version;
        gk_split_api_version(a, apiv, &group, &version);
        val_t *gvk = val_obj_new(a, 3);
        if (!gvk || put(a, gvk, "group", val_strc(a, group)) ||
            put(a, gvk, "version", val_strc(a, version)) || put(a, gvk, "kind", val_strc(a, kind)) ||
            put(a, r, "kind", gvk))
            return GH_ENOMEM;
    }
    if (put(a, r, "object", (val_t *)obj)) return GH_ENOMEM;
    if (put(a, r, "oldObject", old ? (val_t *)old : VAL_NULLV)) return GH_ENOMEM;
    if (!req) { /* the rest of a serialized AdmissionRequest, as gator sends it */
        val_t *res = val_obj_new(a, 3);
        const char *group = "", *version = "";
        gk_split_api_version(a, apiv, &group, &version);
        if (!res || put(a, res, "group", val_strc(a, group)) ||
            put(a, res, "version", val_strc(a, version)) ||
            put(a, res, "resource", val_strc(a, "")) || put(a, r, "resource", res) ||
            put(a, r, "uid", val_strc(a, "")) || put(a, r, "options", VAL_NULLV))
            return GH_ENOMEM;
    }
    if (put(a, r, "operation", val_strc(a, op))) return GH_ENOMEM;
    if (!gk_get(r, "userInfo")) {
        val_t *ui = o && o->user_info ? (val_t *)o->user_info : val_obj_new(a, 0);
        if (put(a, r, "userInfo", ui)) return GH_ENOMEM;
    }
    const val_t *md = gk_get_obj(obj, "metadata");
    const char *ns = gk_get_str(md, "namespace"), *name = gk_get_str(md, "name");
    if (!gk_get_str(r, "namespace") && ns && *ns && put(a, r, "namespace", val_strc(a, ns)))
        return GH_ENOMEM;
    if (!gk_get_str(r, "name") && name && *name && put(a, r, "name", val_strc(a, name)))
        return GH_ENOMEM;
    *review = r;
    *object = obj;
    return 0;
}

typedef struct collect {
    gh_arena *a;
    const gk_constraint *c;
    pol_gk_result *out;
    size_t cap;
    int rc;
} collect;

static int push(collect *cl, const char *msg, const val_t *details) {
    pol_gk_result *out = cl->out;
    if (out->n == cl->cap) {
        size_t ncap = cl->cap ? cl->cap * 2 : 8;
        pol_gk_violation *nv = gh_arena_realloc(cl->a, out->v, cl->cap * sizeof *nv,
                                                ncap * sizeof *nv);
        if (!nv) return GH_ENOMEM;
        out->v = nv;
        cl->cap = ncap;
    }
    pol_gk_violation *v = &out->v[out->n++];
    v->constraint_kind = cl->c->kind;
    v->constraint_name = cl->c->name;
    v->action = cl->c->action;
    v->msg = msg;
    v->details = details;
    return 0;
}

static int on_result(void *ud, const rego_result *r) {
    collect *cl = ud;
    if (r->nexprs < 1) return 0;
    const val_t *set = r->exprs[0];
    if (val_kind_of(set) != VAL_SET && val_kind_of(set) != VAL_ARRAY) return 0;
    size_t n = val_kind_of(set) == VAL_SET ? val_set_len(set) : val_arr_len(set);
    uint32_t *order = val_sorted_order(cl->a, set);
    for (size_t i = 0; i < n; i++) {
        size_t at = order ? order[i] : i;
        const val_t *v = val_kind_of(set) == VAL_SET ? val_set_at(set, at) : val_arr_at(set, at);
        const char *msg = gk_get_str(v, "msg");
        if (!msg) msg = val_to_json(cl->a, v, 0);
        if (!msg || push(cl, msg, gk_get(v, "details"))) {
            cl->rc = GH_ENOMEM;
            return 1;
        }
    }
    return 0;
}

int pol_gk_review(const pol_gk *g, gh_arena *a, const val_t *in, const pol_gk_review_opts *o,
                  pol_gk_result *out, gh_err *e) {
    memset(out, 0, sizeof *out);
    val_t *review = NULL;
    const val_t *obj = NULL;
    int rc = build_review(a, in, o, &review, &obj, e);
    if (rc) return rc == GH_ENOMEM ? gh_err_set(e, rc, NULL, 0, 0, "out of memory") : rc;
    const char *ns = gk_get_str(review, "namespace");
    const val_t *ns_obj = o ? o->namespace_obj : NULL;
    if (!g->inv) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory (inventory)");
    if (!ns_obj && ns) ns_obj = val_obj_get_str(g->ns_objs, ns, strlen(ns));
    collect cl = {.a = a, .out = out};
    for (size_t i = 0; i < g->nc; i++) {
        const gk_constraint *c = &g->c[i];
        if (!pol_gk_match(c->obj, obj, ns, ns_obj, NULL)) continue;
        out->nmatched++;
        val_t *input = val_obj_new(a, 2), *top = val_obj_new(a, 2);
        val_t *params = c->params ? (val_t *)c->params : val_obj_new(a, 0);
        if (!input || !top || put(a, input, "review", review) ||
            put(a, input, "parameters", params) || put(a, top, "inventory", g->inv) ||
            put(a, top, "input", input))
            return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        rego_eval_opts eo = {.input = top, .timeout_ms = o ? o->timeout_ms : 0};
        cl.c = c;
        rc = rego_query_eval(c->t->query, a, &eo, on_result, &cl, e);
        if (!rc && cl.rc) rc = gh_err_set(e, cl.rc, NULL, 0, 0, "out of memory");
        if (rc) {
            char msg[GH_ERR_MSG], file[GH_ERR_FILE];
            snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
            snprintf(file, sizeof file, "%s", e ? e->file : "");
            if (e) {
                const char *kind = e->kind;
                gh_err_set(e, rc, file[0] ? file : NULL, e->line, e->col,
                           "constraint %s/%s: %s", c->kind, c->name, msg);
                e->kind = kind;
            }
            return rc;
        }
    }
    return 0;
}
