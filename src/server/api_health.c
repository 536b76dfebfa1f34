/* api_health.c - the diagnostic endpoints: GET /health (?bundles, ?plugins,
 * ?exclude-plugin), GET /health/{path} (OPA's data.system.health.<path>
 * policy checks), GET /v1/config (OPA's shape), GET /v1/status (labels,
 * plugin states and the served snapshot), GET /metrics (Prometheus text)
 * and GET / (a small index page). Called by srv_dispatch; read-only. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "server/srv_int.h"

/* OPA's HealthResponseV1: {} or {"error": msg}, compact. */
static void health_answer(srv_resp *rs, gh_arena *a, const char *err) {
    val_t *o = val_obj_new(a, 1);
    if (o && err) {
        val_t *k = val_strc(a, "error"), *v = val_strc(a, err);
        if (!k || !v || val_obj_put(a, o, k, v)) o = NULL;
    }
    if (!o) {
        rs->status = 500;
        gh_buf_reset(&rs->body);
        gh_buf_puts(&rs->body, "{\"error\":\"out of memory\"}\n");
        return;
    }
    srv_resp_json(rs, err ? 500 : 200, o, false);
}

void srv_api_health(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    /* OPA first checks that a trivial query evaluates against the current
     * policy. Bundles and plugins: gatehouse activates everything it serves
     * before it listens (a failed reload keeps the previous snapshot
     * serving), so ?bundles and ?plugins (with or without ?exclude-plugin)
     * are ready whenever evaluation works. */
    srv_snapshot *s = srv_req_snapshot(ctx, rq);
    val_t *out = NULL;
    gh_err e;
    gh_err_clear(&e);
    if (!s || srv_eval_first(ctx, s, rq->arena, "x = 1", NULL, &out, &e) || !out) {
        health_answer(rs, rq->arena, "unable to perform evaluation");
        return;
    }
    health_answer(rs, rq->arena, NULL);
}

static bool is_ident(const char *s) {
    static const char *const kw[] = {"as",    "default", "else",     "false", "import", "package",
                                     "not",   "null",    "true",     "with",  "some",   "in",
                                     "every", "if",      "contains", NULL};
    if (!(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return false;
    for (const char *const *k = kw; *k; k++)
        if (strcmp(*k, s) == 0) return false;
    return true;
}

static bool is_int(const char *s) {
    const char *p = s + (*s == '-');
    if (!*p) return false;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p)) return false;
    return strlen(s) < 19;
}

/* OPA's stringPathToDataRef(path).String(): data.a.b["c-d"][1]. */
static char *path_ref(gh_arena *a, const char *prefix, const char *rest) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, prefix);
    const char *p = rest ? rest : "";
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n) {
            char *seg = srv_unescape_path(a, p, n);
            if (!seg) seg = gh_arena_strndup(a, p, n);
            if (!seg) break;
            if (is_int(seg)) {
                gh_buf_printf(&b, "[%s]", seg);
            } else if (is_ident(seg)) {
                gh_buf_printf(&b, ".%s", seg);
            } else {
                gh_buf_putc(&b, '[');
                gh_json_quote(&b, seg, strlen(seg));
                gh_buf_putc(&b, ']');
            }
        }
        if (!e) break;
        p = e + 1;
    }
    char *out = b.oom ? NULL : gh_arena_strndup(a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return out;
}

void srv_api_health_policy(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    gh_arena *a = rq->arena;
    char *ref = path_ref(a, "data.system.health", rest);
    val_t *in = val_obj_new(a, 2), *states = val_obj_new(a, 1);
    if (!ref || !in || !states || val_obj_put(a, in, val_strc(a, "plugin_state"), states) ||
        val_obj_put(a, in, val_strc(a, "plugins_ready"), VAL_TRUE)) {
        health_answer(rs, a, "out of memory");
        return;
    }
    srv_snapshot *s = srv_req_snapshot(ctx, rq);
    val_t *out = NULL;
    gh_err e;
    gh_err_clear(&e);
    if (!s) {
        health_answer(rs, a, "unable to perform evaluation");
        return;
    }
    if (srv_eval_first(ctx, s, a, ref, in, &out, &e)) {
        char m[GH_ERR_MSG + GH_ERR_FILE + 32];
        health_answer(rs, a, gh_err_format(&e, m, sizeof m));
        return;
    }
    if (!out) {
        health_answer(rs, a, gh_arena_printf(a, "health check (%s) was undefined", ref));
        return;
    }
    if (val_kind_of(out) == VAL_BOOL && out->u.b) {
        health_answer(rs, a, NULL);
        return;
    }
    health_answer(rs, a, gh_arena_printf(a, "health check (%s) returned unexpected value", ref));
}

static val_t *labels(const srv_ctx *ctx, gh_arena *a) {
    val_t *l = val_obj_new(a, 2);
    val_t *id = val_strc(a, ctx ? ctx->instance_id : "");
    val_t *ver = val_strc(a, ctx && ctx->version ? ctx->version : GH_VERSION);
    if (!l || !id || !ver || val_obj_put(a, l, val_strc(a, "id"), id) ||
        val_obj_put(a, l, val_strc(a, "version"), ver))
        return NULL;
    return l;
}

void srv_api_config(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    /* OPA's active configuration as `opa run --server` shows it without a
     * config file. gatehouse's own settings (TLS files, tokens, limits) are
     * not OPA configuration and are left out, so no secret can leak here. */
    gh_arena *a = rq->arena;
    val_t *top = val_obj_new(a, 1), *cfg = val_obj_new(a, 3), *l = labels(ctx, a);
    val_t *authz = val_strc(a, "/system/authz/allow"), *dec = val_strc(a, "/system/main");
    if (!top || !cfg || !l || !authz || !dec ||
        val_obj_put(a, cfg, val_strc(a, "default_authorization_decision"), authz) ||
        val_obj_put(a, cfg, val_strc(a, "default_decision"), dec) ||
        val_obj_put(a, cfg, val_strc(a, "labels"), l) ||
        val_obj_put(a, top, val_strc(a, "result"), cfg)) {
        srv_resp_error(rs, 500, "internal_error", "out of memory", NULL);
        return;
    }
    srv_resp_json(rs, 200, top, srv_query_bool(rq, "pretty"));
}

static int put(gh_arena *a, val_t *o, const char *k, val_t *v) {
    val_t *key = val_strc(a, k);
    return key && v ? val_obj_put(a, o, key, v) : GH_ENOMEM;
}

void srv_api_status(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    /* OPA answers 500 "status plugin not enabled" unless its status plugin
     * is configured; gatehouse has no such plugin to configure, so it always
     * reports, in the status plugin's shape: labels, plugin states, and (a
     * gatehouse addition) the snapshot being served. */
    gh_arena *a = rq->arena;
    val_t *top = val_obj_new(a, 1), *res = val_obj_new(a, 3), *plugins = val_obj_new(a, 1);
    val_t *snapv = val_obj_new(a, 4);
    if (!top || !res || !plugins || !snapv || put(a, res, "labels", labels(ctx, a))) goto oom;
    const srv_config *cfg = srv_req_cfg(ctx, rq);
    if (cfg && cfg->decision_log_file) {
        val_t *st = val_obj_new(a, 1);
        if (!st || put(a, st, "state", val_strc(a, "OK")) || put(a, plugins, "decision_logs", st))
            goto oom;
    }
    if (put(a, res, "plugins", plugins)) goto oom;
    srv_snapshot *s = srv_req_snapshot(ctx, rq);
    if (s) {
        char ts[40];
        srv_declog_timestamp(s->loaded_ns, ts);
        if (put(a, snapv, "revision", val_int(a, (int64_t)s->revision)) ||
            put(a, snapv, "loaded_at", val_strc(a, ts)) ||
            put(a, snapv, "modules", val_int(a, (int64_t)s->nmods)))
            goto oom;
        /* bundles in the status plugin's shape: {name: {name, active_revision}} */
        if (s->bundles) {
            val_t *bs = val_obj_new(a, val_obj_len(s->bundles));
            if (!bs) goto oom;
            for (size_t i = 0; i < val_obj_len(s->bundles); i++) {
                const val_t *k = val_obj_key_at(s->bundles, i);
                val_t *one = val_obj_new(a, 2), *name = val_copy(a, k);
                val_t *rev =
                    val_copy(a, val_obj_get_str(val_obj_val_at(s->bundles, i), "revision", 8));
                if (!one || !name || !rev || put(a, one, "name", name) ||
                    put(a, one, "active_revision", rev) || val_obj_put(a, bs, name, one))
                    goto oom;
            }
            if (put(a, res, "bundles", bs)) goto oom;
        }
    }
    char last[GH_ERR_MSG];
    last[0] = 0;
    if (ctx && ctx->state) srv_state_last_error(ctx->state, last, sizeof last);
    if (last[0] && put(a, snapv, "last_reload_error", val_strc(a, last))) goto oom;
    if (put(a, res, "gatehouse_snapshot", snapv) || put(a, top, "result", res)) goto oom;
    srv_resp_json(rs, 200, top, srv_query_bool(rq, "pretty"));
    return;
oom:
    srv_resp_error(rs, 500, "internal_error", "out of memory", NULL);
}

void srv_api_metrics(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rq, (void)rest;
    rs->status = 200;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    gh_buf_reset(&rs->body);
    if (ctx && ctx->metrics) srv_metrics_render(ctx->metrics, &rs->body);
}

void srv_api_index(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rq, (void)rest;
    /* OPA serves a query page with inline script here; the security headers
     * (Content-Security-Policy: default-src 'none') forbid scripts, so this
     * page only says what is served. */
    rs->status = 200;
    rs->content_type = "text/html; charset=utf-8";
    gh_buf *b = &rs->body;
    gh_buf_reset(b);
    gh_buf_printf(b,
                  "<!DOCTYPE html>\n<html>\n<head><title>gatehouse</title></head>\n<body>\n"
                  "<pre>gatehouse %s - an OPA-compatible decision server</pre>\n<ul>\n"
                  "<li>POST /v1/data/{path} - decisions ({\"input\": ...})</li>\n"
                  "<li>POST /v1/query - ad-hoc queries</li>\n"
                  "<li>GET /v1/policies - loaded policies</li>\n"
                  "<li>POST /v1/admit - Kubernetes admission (AdmissionReview v1)</li>\n"
                  "<li>GET /health, GET /metrics</li>\n</ul>\n</body>\n</html>\n",
                  ctx && ctx->version ? ctx->version : GH_VERSION);
}
