/* api_policies.c - OPA's Policy API: GET /v1/policies, GET/PUT/DELETE
 * /v1/policies/{id}. Reads list modules of the worker's snapshot with their
 * AST (rego_module_to_value of a fresh parse: OPA's JSON shape without
 * locations; docs/server-api.md says how it differs from OPA's compiled
 * AST); writes go through srv_state_apply and answer OPA's status codes and
 * error bodies. Called by srv_dispatch after the write-authentication check. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/srv_int.h"

/* The module's AST as OPA's JSON, parsed in the configured syntax version
 * first, then the other one; JSON null when neither parses (cannot happen
 * for a module that compiled). */
static val_t *module_ast(const srv_config *cfg, gh_arena *a, const srv_module *m) {
    rego_parse_opts po = {0};
    bool v0 = cfg && cfg->v0_compatible;
    for (int attempt = 0; attempt < 2; attempt++) {
        po.version = (v0 ^ (attempt == 1)) ? REGO_V0 : REGO_V1;
        po.future_keywords = po.version == REGO_V0;
        rego_module *mod = NULL;
        gh_err e;
        gh_err_clear(&e);
        if (rego_parse_module(a, m->id, m->text, m->len, &po, &mod, &e) == 0) {
            val_t *v = rego_module_to_value(a, mod);
            return v ? v : VAL_NULLV;
        }
    }
    return VAL_NULLV;
}

static void nl(gh_buf *b, int level) {
    gh_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        gh_buf_puts(b, "  ");
}

/* One PolicyV1 {"id","raw","ast"} in Go's field order (the AST keeps
 * rego_module_to_value's order: package, imports, rules, comments), as an
 * object whose opening brace sits at indentation `level` when pretty. */
static int emit_policy(gh_buf *b, const srv_config *cfg, gh_arena *a, const srv_module *m,
                       bool pretty, int level) {
    val_t *id = val_strc(a, m->id), *raw = val_str(a, m->text, m->len);
    val_t *ast = module_ast(cfg, a, m);
    if (!id || !raw) return GH_ENOMEM;
    int fl = pretty ? VAL_JSON_PRETTY : 0;
    const char *sep = pretty ? ": " : ":";
    gh_buf_putc(b, '{');
    if (pretty) nl(b, level + 1);
    gh_buf_printf(b, "\"id\"%s", sep);
    val_json_emit(b, id, 0);
    gh_buf_putc(b, ',');
    if (pretty) nl(b, level + 1);
    gh_buf_printf(b, "\"raw\"%s", sep);
    val_json_emit(b, raw, 0);
    gh_buf_putc(b, ',');
    if (pretty) nl(b, level + 1);
    gh_buf_printf(b, "\"ast\"%s", sep);
    val_json_emit_indent(b, ast, fl, level + 1);
    if (pretty) nl(b, level);
    gh_buf_putc(b, '}');
    return 0;
}

static const srv_module *find_module(const srv_snapshot *s, const char *id) {
    size_t lo = 0, hi = s->nmods;
    while (lo < hi) { /* mods are sorted by id */
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->mods[mid].id, id);
        if (c == 0) return &s->mods[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < s->nmods; i++) /* in case a loader left them unsorted */
        if (strcmp(s->mods[i].id, id) == 0) return &s->mods[i];
    return NULL;
}

static void oom(srv_resp *rs) { srv_resp_error(rs, 500, "internal_error", "out of memory", NULL); }

static srv_snapshot *need_snapshot(srv_ctx *ctx, const srv_req *rq, srv_resp *rs) {
    srv_snapshot *s = srv_req_snapshot(ctx, rq);
    if (!s) srv_resp_error(rs, 500, "internal_error", "no policy snapshot is available", NULL);
    return s;
}

/* The policy id of the route remainder (OPA: url.PathUnescape). */
static const char *policy_id(const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *id = srv_unescape_path(rq->arena, rest ? rest : "", rest ? strlen(rest) : 0);
    if (!id) srv_resp_error(rs, 400, "invalid_parameter", "invalid URL escape in policy id", NULL);
    return id;
}

static void not_found(const srv_req *rq, srv_resp *rs, const char *id) {
    gh_buf q;
    gh_buf_init(&q);
    gh_json_quote(&q, id, strlen(id));
    const char *msg =
        gh_arena_printf(rq->arena, "storage_not_found_error: policy id %s", q.p ? q.p : "\"\"");
    gh_buf_free(&q);
    srv_resp_error(rs, 404, "resource_not_found", msg ? msg : "storage_not_found_error", NULL);
}

void srv_api_policies_list(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    srv_snapshot *s = need_snapshot(ctx, rq, rs);
    if (!s) return;
    bool pretty = srv_query_bool(rq, "pretty");
    gh_buf *b = &rs->body;
    gh_buf_reset(b);
    gh_buf_puts(b, pretty ? "{\n  \"result\": [" : "{\"result\":[");
    for (size_t i = 0; i < s->nmods; i++) {
        if (i) gh_buf_putc(b, ',');
        if (pretty) nl(b, 2);
        if (emit_policy(b, srv_snap_cfg(ctx, s), rq->arena, &s->mods[i], pretty, 2)) {
            oom(rs);
            return;
        }
    }
    if (pretty && s->nmods) nl(b, 1);
    gh_buf_puts(b, pretty ? "]\n}\n" : "]}\n");
    rs->status = 200;
}

void srv_api_policies_get(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *id = policy_id(rq, rs, rest);
    if (!id) return;
    srv_snapshot *s = need_snapshot(ctx, rq, rs);
    if (!s) return;
    const srv_module *m = find_module(s, id);
    if (!m) {
        not_found(rq, rs, id);
        return;
    }
    bool pretty = srv_query_bool(rq, "pretty");
    gh_buf *b = &rs->body;
    gh_buf_reset(b);
    gh_buf_puts(b, pretty ? "{\n  \"result\": " : "{\"result\":");
    if (emit_policy(b, srv_snap_cfg(ctx, s), rq->arena, m, pretty, 1)) {
        oom(rs);
        return;
    }
    gh_buf_puts(b, pretty ? "\n}\n" : "}\n");
    rs->status = 200;
}

/* A failed srv_state_apply as OPA answers it: compile/parse errors -> 400
 * `code` "error(s) occurred while compiling module(s)" with the error list. */
static void apply_failed(const srv_req *rq, srv_resp *rs, int rc, const gh_err *e, val_t *errs,
                         const char *code, const char *text, size_t n) {
    gh_arena *a = rq->arena;
    char cb[64];
    const char *kind = rego_err_code(e, cb, sizeof cb);
    if (rc == GH_ENOMEM) {
        oom(rs);
        return;
    }
    if (errs && val_kind_of(errs) == VAL_ARRAY && val_arr_len(errs) > 0) {
        srv_resp_error(rs, 400, code, "error(s) occurred while compiling module(s)", errs);
        return;
    }
    if (kind && strncmp(kind, "rego_", 5) == 0) {
        srv_resp_error(rs, 400, code, "error(s) occurred while compiling module(s)",
                       srv_err_list(a, e, text, n));
        return;
    }
    srv_resp_gh_error(rs, e);
}

/* Nothing but blank lines and comments (OPA's "empty module"). */
static bool empty_module(const char *t, size_t n) {
    size_t i = 0;
    while (i < n) {
        char c = t[i];
        if (c == '#') {
            while (i < n && t[i] != '\n')
                i++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
        } else {
            return false;
        }
    }
    return true;
}

/* A policy write is a recompile: count it with the reloads (as the data
 * API does), so /metrics shows the served revision and refused writes. */
static void count_write(srv_ctx *ctx, int rc) {
    if (ctx->metrics && rc != GH_ENOMEM)
        srv_metrics_reload(ctx->metrics, rc == 0, srv_state_revision(ctx->state));
}

static void write_ok(const srv_req *rq, srv_resp *rs, int64_t compile_ns) {
    gh_arena *a = rq->arena;
    val_t *top = val_obj_new(a, 1);
    if (!top) {
        oom(rs);
        return;
    }
    if (srv_query_bool(rq, "metrics")) {
        val_t *m = val_obj_new(a, 1), *v = val_int(a, compile_ns);
        if (!m || !v || val_obj_put(a, m, val_strc(a, "timer_rego_module_compile_ns"), v) ||
            val_obj_put(a, top, val_strc(a, "metrics"), m)) {
            oom(rs);
            return;
        }
    }
    srv_resp_json(rs, 200, top, srv_query_bool(rq, "pretty"));
}

void srv_api_policies_put(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *id = policy_id(rq, rs, rest);
    if (!id) return;
    srv_snapshot *s = need_snapshot(ctx, rq, rs);
    if (!s) return;
    size_t n = rq->body_len;
    char *text = gh_arena_strndup(rq->arena, rq->body ? rq->body : "", n);
    if (!text) {
        oom(rs);
        return;
    }
    if (empty_module(text, n)) {
        /* OPA: ParseModule gives no module; the answer names id:0 */
        const char *msg = gh_arena_printf(rq->arena, "%s:0: rego_parse_error: empty module", id);
        srv_resp_error(rs, 400, "invalid_parameter", msg ? msg : "empty module", NULL);
        return;
    }
    const srv_module *old = find_module(s, id);
    if (old && old->len == n && memcmp(old->text, text, n) == 0) {
        write_ok(rq, rs, 0);
        return;
    }
    srv_change ch = {.kind = SRV_CH_PUT_MODULE, .id = id, .text = text, .len = n};
    val_t *errs = NULL;
    gh_err e;
    gh_err_clear(&e);
    int64_t t0 = gh_mono_ns();
    int rc = srv_state_apply(ctx->state, &ch, rq->arena, &errs, &e);
    count_write(ctx, rc);
    if (rc) {
        apply_failed(rq, rs, rc, &e, errs, "invalid_parameter", text, n);
        return;
    }
    write_ok(rq, rs, gh_mono_ns() - t0);
}

void srv_api_policies_delete(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *id = policy_id(rq, rs, rest);
    if (!id) return;
    srv_snapshot *s = need_snapshot(ctx, rq, rs);
    if (!s) return;
    if (!find_module(s, id)) {
        not_found(rq, rs, id);
        return;
    }
    srv_change ch = {.kind = SRV_CH_DELETE_MODULE, .id = id};
    val_t *errs = NULL;
    gh_err e;
    gh_err_clear(&e);
    int64_t t0 = gh_mono_ns();
    int rc = srv_state_apply(ctx->state, &ch, rq->arena, &errs, &e);
    if (rc != GH_ENOTFOUND) count_write(ctx, rc);
    if (rc == GH_ENOTFOUND) {
        not_found(rq, rs, id);
        return;
    }
    /* OPA answers a delete that breaks other modules with invalid_operation */
    if (rc) {
        apply_failed(rq, rs, rc, &e, errs, "invalid_operation", "", 0);
        return;
    }
    write_ok(rq, rs, gh_mono_ns() - t0);
}
