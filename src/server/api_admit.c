/* api_admit.c - POST /v1/admit, the Kubernetes validating webhook: an
 * AdmissionReview (admission.k8s.io/v1 or v1beta1) in, Gatekeeper's answer
 * out (pol_admit over the snapshot's Gatekeeper model), always HTTP 200 for
 * a well-formed review as the API server expects; 400 for a malformed one.
 * Fails closed: evaluation errors and a server without any Gatekeeper model
 * deny unless admit_fail_open is set. Each answer is a logged decision. */
#include <string.h>
#include <time.h>

#include "server/srv_int.h"

static const val_t *get(const val_t *o, const char *k) {
    return o && val_kind_of(o) == VAL_OBJECT ? val_obj_get_str(o, k, strlen(k)) : NULL;
}

static const char *get_str(const val_t *o, const char *k) {
    const val_t *v = get(o, k);
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}

static int put(gh_arena *a, val_t *o, const char *k, val_t *v) {
    val_t *key = val_strc(a, k);
    return key && v ? val_obj_put(a, o, key, v) : GH_ENOMEM;
}

/* The answer when no Gatekeeper model is loaded: the same validation as
 * pol_admit, then deny (fail-closed) or allow with a warning (fail-open). */
static int admit_without_model(gh_arena *a, const val_t *review, bool fail_open, val_t **out,
                               gh_err *e) {
    const char *kind = get_str(review, "kind"), *apiv = get_str(review, "apiVersion");
    const val_t *req = get(review, "request");
    if (!kind || strcmp(kind, "AdmissionReview") || !apiv || strncmp(apiv, "admission.k8s.io/", 17))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "not an AdmissionReview (apiVersion admission.k8s.io/v1, kind "
                          "AdmissionReview)");
    if (!req || val_kind_of(req) != VAL_OBJECT)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "AdmissionReview has no request");
    const val_t *obj = get(req, "object"), *old = get(req, "oldObject");
    if ((!obj || val_kind_of(obj) != VAL_OBJECT) && (!old || val_kind_of(old) != VAL_OBJECT))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "AdmissionReview request has neither object nor oldObject");
    const char *uid = get_str(req, "uid");
    static const char msg[] =
        "gatehouse: no Gatekeeper constraint templates are loaded, so this request cannot be "
        "checked";
    val_t *top = val_obj_new(a, 3), *resp = val_obj_new(a, 4);
    if (!top || !resp || put(a, top, "apiVersion", val_strc(a, apiv)) ||
        put(a, top, "kind", val_strc(a, "AdmissionReview")) ||
        put(a, resp, "uid", val_strc(a, uid ? uid : "")) ||
        put(a, resp, "allowed", val_bool(fail_open)))
        return GH_ENOMEM;
    if (fail_open) {
        val_t *w = val_arr_new(a, 1);
        if (!w || val_arr_push(a, w, val_strc(a, msg)) || put(a, resp, "warnings", w))
            return GH_ENOMEM;
    } else {
        val_t *st = val_obj_new(a, 3);
        if (!st || put(a, st, "code", val_int(a, 500)) ||
            put(a, st, "reason", val_strc(a, "InternalError")) ||
            put(a, st, "message", val_strc(a, gh_arena_printf(a, "%s (failing closed)", msg))) ||
            put(a, resp, "status", st))
            return GH_ENOMEM;
    }
    if (put(a, top, "response", resp)) return GH_ENOMEM;
    *out = top;
    return 0;
}

void srv_api_admit(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    gh_arena *a = rq->arena;
    int64_t t0 = rq->start_ns ? rq->start_ns : gh_mono_ns();
    gh_err e;
    gh_err_clear(&e);
    val_t *review = NULL;
    int rc = rq->body_len ? val_json_parse(a, rq->body, rq->body_len, NULL, &review, &e)
                          : gh_err_set(&e, GH_EPARSE, NULL, 0, 0, "empty request body");
    if (rc) {
        char m[GH_ERR_MSG + 64];
        const char *msg = gh_arena_printf(a,
                                          "error(s) occurred while decoding the "
                                          "AdmissionReview: %s",
                                          gh_err_format(&e, m, sizeof m));
        if (rc == GH_ENOMEM)
            srv_resp_error(rs, 500, "internal_error", "out of memory", NULL);
        else
            srv_resp_error(rs, 400, "invalid_parameter", msg ? msg : e.msg, NULL);
        return;
    }
    srv_snapshot *s = srv_req_snapshot(ctx, rq);
    const srv_config *cfg = srv_snap_cfg(ctx, s);
    bool fail_open = cfg && cfg->admit_fail_open;
    val_t *out = NULL;
    bool errored = false;
    if (s && s->gk) {
        pol_admit_opts o = {.fail_open = fail_open, .timeout_ms = cfg ? cfg->eval_timeout_ms : 0};
        rc = pol_admit(s->gk, a, review, &o, &out, &errored, &e);
    } else {
        rc = admit_without_model(a, review, fail_open, &out, &e);
        errored = true;
    }
    if (rc == GH_ENOMEM) {
        srv_resp_error(rs, 500, "internal_error", "out of memory building the admission response",
                       NULL);
        return;
    }
    if (rc) {
        char m[GH_ERR_MSG + 64];
        srv_resp_error(rs, 400, "invalid_parameter", gh_err_format(&e, m, sizeof m), NULL);
        return;
    }
    const val_t *allowed = get(get(out, "response"), "allowed");
    bool ok = allowed && val_kind_of(allowed) == VAL_BOOL && allowed->u.b;
    int worker = rq->worker ? rq->worker->index : -1;
    if (ctx && ctx->metrics)
        srv_metrics_decision(ctx->metrics, worker, errored ? "error" : ok ? "allowed" : "denied");
    char id[37];
    srv_declog_record(ctx ? ctx->declog : NULL, rq->worker, "v1/admit", review, out,
                      s ? s->revision : 0, gh_mono_ns() - t0, id);
    rs->decision_id = gh_arena_strndup(a, id, strlen(id));
    srv_resp_json(rs, 200, out, srv_query_bool(rq, "pretty"));
}
