/* gk_admit.c - Gatekeeper's validating webhook answer: an AdmissionReview
 * request in, the AdmissionReview response out (allowed, 403 status with one
 * "[constraint] msg" line per deny violation, warnings for warn actions,
 * dryrun never denies; evaluation errors fail closed unless fail_open).
 * Called by the server's /v1/admit handler and tests. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

static int put(gh_arena *a, val_t *o, const char *k, val_t *v) {
    val_t *key = val_strc(a, k);
    if (!key || !v) return GH_ENOMEM;
    return val_obj_put(a, o, key, v);
}

static int respond(gh_arena *a, const val_t *req, const char *apiv, const char *uid, bool allowed,
                   int code, const char *reason, const char *message, val_t *warnings,
                   val_t **out) {
    (void)req;
    val_t *top = val_obj_new(a, 3), *resp = val_obj_new(a, 4);
    if (!top || !resp) return GH_ENOMEM;
    if (put(a, top, "apiVersion", val_strc(a, apiv)) ||
        put(a, top, "kind", val_strc(a, "AdmissionReview")) ||
        put(a, resp, "uid", val_strc(a, uid)) || put(a, resp, "allowed", val_bool(allowed)))
        return GH_ENOMEM;
    if (code) {
        val_t *st = val_obj_new(a, 3);
        if (!st || put(a, st, "code", val_int(a, code)) ||
            (reason && put(a, st, "reason", val_strc(a, reason))) ||
            (message && put(a, st, "message", val_strc(a, message))) || put(a, resp, "status", st))
            return GH_ENOMEM;
    }
    if (warnings && val_arr_len(warnings) && put(a, resp, "warnings", warnings)) return GH_ENOMEM;
    if (put(a, top, "response", resp)) return GH_ENOMEM;
    *out = top;
    return 0;
}

int pol_admit(const pol_gk *g, gh_arena *a, const val_t *review, const pol_admit_opts *o,
              val_t **out, bool *errored, gh_err *e) {
    *out = NULL;
    if (errored) *errored = false;
    const char *kind = gk_get_str(review, "kind"), *apiv = gk_get_str(review, "apiVersion");
    const val_t *req = gk_get_obj(review, "request");
    if (!kind || strcmp(kind, "AdmissionReview") || !apiv ||
        strncmp(apiv, "admission.k8s.io/", 17))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "not an AdmissionReview (apiVersion admission.k8s.io/v1, kind "
                          "AdmissionReview)");
    if (!req) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "AdmissionReview has no request");
    const char *uid = gk_get_str(req, "uid");
    if (!uid) uid = ""; /* echoed as given; test samples often have none */
    const val_t *obj = gk_get(req, "object"), *old = gk_get(req, "oldObject");
    if ((!obj || val_kind_of(obj) != VAL_OBJECT) && (!old || val_kind_of(old) != VAL_OBJECT))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "AdmissionReview request has neither object nor oldObject");

    pol_gk_review_opts ro = {.timeout_ms = o ? o->timeout_ms : 0};
    pol_gk_result res;
    gh_err local = {0};
    gh_err *ee = e ? e : &local;
    int rc = pol_gk_review(g, a, review, &ro, &res, ee);
    if (rc == GH_ENOMEM) return rc;
    if (rc) {
        if (errored) *errored = true;
        bool open = o && o->fail_open;
        const char *msg = gh_arena_printf(a, "gatehouse: policy evaluation failed: %s", ee->msg);
        if (!msg) return GH_ENOMEM;
        if (open) {
            val_t *w = val_arr_new(a, 1);
            if (!w || val_arr_push(a, w, val_strc(a, msg))) return GH_ENOMEM;
            return respond(a, req, apiv, uid, true, 0, NULL, NULL, w, out) ? GH_ENOMEM : 0;
        }
        return respond(a, req, apiv, uid, false, 500, "InternalError", msg, NULL, out)
                   ? GH_ENOMEM : 0;
    }
    gh_buf deny;
    gh_buf_init(&deny);
    val_t *warnings = val_arr_new(a, 2);
    if (!warnings) return GH_ENOMEM;
    size_t ndeny = 0;
    for (size_t i = 0; i < res.n; i++) {
        const pol_gk_violation *v = &res.v[i];
        if (v->action == POL_GK_DENY) {
            if (ndeny++) gh_buf_putc(&deny, '\n');
            gh_buf_printf(&deny, "[%s] %s", v->constraint_name, v->msg);
        } else if (v->action == POL_GK_WARN) {
            const char *w = gh_arena_printf(a, "[%s] %s", v->constraint_name, v->msg);
            if (!w || val_arr_push(a, warnings, val_strc(a, w))) {
                gh_buf_free(&deny);
                return GH_ENOMEM;
            }
        }
    }
    gh_buf_putc(&deny, 0);
    if (deny.oom) {
        gh_buf_free(&deny);
        return GH_ENOMEM;
    }
    rc = ndeny ? respond(a, req, apiv, uid, false, 403, "Forbidden", deny.p, warnings, out)
               : respond(a, req, apiv, uid, true, 0, NULL, NULL, warnings, out);
    gh_buf_free(&deny);
    return rc ? gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}
