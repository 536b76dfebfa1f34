/* api_query.c - ad-hoc queries: GET /v1/query?q=..., POST /v1/query
 * {"query","input"} -> {"result":[{bindings}...]} ({} when there is no
 * solution; ?explain adds OPA's "explanation", see explain.c), POST
 * /v1/compile (partial evaluation is not supported: the request is decoded
 * and checked as OPA does, then 501), and srv_eval_first,
 * the one-value evaluation the router (authorization) and /health/{path}
 * use. Called by srv_dispatch; reads the worker's snapshot only. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/srv_int.h"

static rego_parse_opts parse_opts(const srv_config *cfg) {
    rego_parse_opts o = {0};
    if (cfg && cfg->v0_compatible) {
        o.version = REGO_V0;
        o.future_keywords = true;
    }
    return o;
}

static rego_eval_opts eval_opts(const srv_config *cfg, const val_t *input) {
    rego_eval_opts eo = {0};
    eo.input = input;
    if (cfg) {
        eo.timeout_ms = cfg->eval_timeout_ms;
        eo.mem_budget = cfg->eval_mem_bytes;
    }
    return eo;
}

typedef struct first_ud {
    val_t *v;
} first_ud;

static int first_cb(void *ud, const rego_result *r) {
    first_ud *f = ud;
    f->v = r->nexprs > 0 ? r->exprs[0] : VAL_TRUE;
    return 1;
}

int srv_eval_first(const srv_ctx *ctx, const srv_snapshot *snap, gh_arena *a, const char *text,
                   const val_t *input, val_t **out, gh_err *e) {
    *out = NULL;
    if (!snap || !snap->policy)
        return gh_err_set(e, GH_EINTERNAL, NULL, 0, 0, "no compiled policy is loaded");
    rego_parse_opts po = parse_opts(srv_snap_cfg(ctx, snap));
    rego_query *q = NULL;
    int rc = rego_query_prepare(snap->policy, a, text, strlen(text), &po, &q, e);
    if (rc) return rc;
    rego_eval_opts eo = eval_opts(srv_snap_cfg(ctx, snap), input);
    first_ud f = {0};
    rc = rego_query_eval(q, a, &eo, first_cb, &f, e);
    if (rc) return rc;
    *out = f.v;
    return 0;
}

/* ---- /v1/query ----------------------------------------------------------- */

typedef struct bind_ud {
    gh_arena *a;
    val_t *rows;
    bool oom;
} bind_ud;

static int bind_cb(void *ud, const rego_result *r) {
    bind_ud *b = ud;
    val_t *row = val_obj_new(b->a, r->nvars ? r->nvars : 1);
    if (!row) return b->oom = true;
    for (uint32_t i = 0; i < r->nvars; i++) {
        val_t *k = val_strc(b->a, r->names[i]);
        if (!k || val_obj_put(b->a, row, k, r->values[i])) return b->oom = true;
    }
    if (val_arr_push(b->a, b->rows, row)) return b->oom = true;
    return 0;
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

/* Answer an AST error list: status 400, OPA's message for the stage. */
static void ast_error(srv_resp *rs, gh_arena *a, const char *msg, const gh_err *e, const char *src,
                      size_t n) {
    srv_resp_error(rs, 400, "invalid_parameter", msg, srv_err_list(a, e, src, n));
}

static void put_ns(gh_arena *a, val_t *m, const char *k, int64_t ns) {
    val_t *key = val_strc(a, k), *v = val_int(a, ns);
    if (key && v) val_obj_put(a, m, key, v);
}

/* Insert "explanation" (OPA's first member of QueryResponseV1) into the
 * JSON object srv_resp_json wrote. */
static int explain_splice(srv_resp *rs, srv_explain *x, bool pretty) {
    gh_buf ex;
    gh_buf_init(&ex);
    gh_buf_puts(&ex, pretty ? "{\n  \"explanation\": " : "{\"explanation\":");
    int rc = srv_explain_emit(x, &ex, 1);
    const char *old = rs->body.p;
    size_t n = rs->body.len;
    /* old is "{...}\n" or "{}\n" */
    bool empty = n >= 2 && old[1] == '}';
    if (!rc) {
        if (empty)
            gh_buf_puts(&ex, pretty ? "\n}" : "}");
        else
            gh_buf_putc(&ex, ',');
        gh_buf_append(&ex, old + (empty ? 2 : 1), n - (empty ? 2 : 1));
    }
    if (rc || ex.oom) {
        gh_buf_free(&ex);
        return GH_ENOMEM;
    }
    gh_buf_reset(&rs->body);
    gh_buf_append(&rs->body, ex.p, ex.len);
    gh_buf_free(&ex);
    return rs->body.oom ? GH_ENOMEM : 0;
}

static void run_query(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *text, size_t n,
                      const val_t *input) {
    gh_arena *a = rq->arena;
    if (blank(text, n)) {
        srv_resp_error(rs, 500, "internal_error", "cannot evaluate empty query", NULL);
        return;
    }
    srv_snapshot *snap = srv_req_snapshot(ctx, rq);
    if (!snap || !snap->policy) {
        srv_resp_error(rs, 500, "internal_error", "no compiled policy is loaded", NULL);
        return;
    }
    bool pretty = srv_query_bool(rq, "pretty");
    bool metrics = srv_query_bool(rq, "metrics") || srv_query_bool(rq, "instrument");
    rego_parse_opts po = parse_opts(srv_snap_cfg(ctx, snap));
    gh_err e;
    gh_err_clear(&e);
    int64_t t0 = gh_mono_ns();
    rego_body *body = NULL;
    int rc = rego_parse_query(a, "", text, n, &po, &body, &e);
    if (rc == GH_ENOMEM) goto oom;
    if (rc) {
        ast_error(rs, a, "error(s) occurred while parsing query", &e, text, n);
        return;
    }
    int64_t t1 = gh_mono_ns();
    rego_query *q = NULL;
    rego_errors errs = {0};
    rc = rego_query_prepare_body_errs(snap->policy, a, body, &q, &e, &errs);
    if (rc) {
        val_t *list = rc == GH_ENOMEM ? NULL : srv_err_list_of(a, &errs, &e, NULL, 0);
        rego_errors_free(&errs);
        if (!list) goto oom;
        srv_resp_error(rs, 400, "invalid_parameter", "error(s) occurred while compiling query",
                       list);
        return;
    }
    int64_t t2 = gh_mono_ns();
    bind_ud b = {.a = a, .rows = val_arr_new(a, 4)};
    if (!b.rows) goto oom;
    rego_eval_opts eo = eval_opts(srv_snap_cfg(ctx, snap), input);
    srv_explain *x = NULL;
    srv_explain_mode xm = srv_query_has(rq, "explain") ? srv_explain_mode_get(rq) : SRV_EXPLAIN_OFF;
    if (GH_UNLIKELY(xm != SRV_EXPLAIN_OFF)) {
        if (!(x = srv_explain_new(a, xm, pretty))) goto oom;
        srv_explain_attach(x, &eo);
    }
    rc = rego_query_eval(q, a, &eo, bind_cb, &b, &e);
    if (b.oom) goto oom;
    if (rc) {
        srv_resp_gh_error(rs, &e);
        return;
    }
    int64_t t3 = gh_mono_ns();
    val_t *resp = val_obj_new(a, 2);
    if (!resp) goto oom;
    if (metrics) {
        val_t *m = val_obj_new(a, 3);
        if (!m) goto oom;
        put_ns(a, m, "timer_rego_query_parse_ns", t1 - t0);
        put_ns(a, m, "timer_rego_query_compile_ns", t2 - t1);
        put_ns(a, m, "timer_rego_query_eval_ns", t3 - t2);
        if (val_obj_put(a, resp, val_strc(a, "metrics"), m)) goto oom;
    }
    if (val_arr_len(b.rows) > 0 && val_obj_put(a, resp, val_strc(a, "result"), b.rows)) goto oom;
    srv_resp_json(rs, 200, resp, pretty);
    if (x && explain_splice(rs, x, pretty)) goto oom;
    return;
oom:
    srv_resp_error(rs, 500, "internal_error", "out of memory evaluating the query", NULL);
}

void srv_api_query_get(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    const char *q = srv_query_get(rq, "q");
    if (!q) {
        srv_resp_error(rs, 400, "invalid_parameter", "missing parameter 'q'", NULL);
        return;
    }
    run_query(ctx, rq, rs, q, strlen(q), NULL);
}

/* Go's json.Decoder reads the first JSON value and ignores what follows: the
 * length of the first value when the body starts with an object or array
 * (it then ends with its closing bracket), else the whole body. */
static size_t first_value_len(const char *p, size_t n) {
    size_t end = srv_json_first_value_end(p, n);
    return end && (p[end - 1] == '}' || p[end - 1] == ']') ? end : n;
}

static const char *go_kind(const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_BOOL: return "bool";
    case VAL_NUMBER: return "number";
    case VAL_STRING: return "string";
    case VAL_ARRAY: return "array";
    default: return "object";
    }
}

/* Decode a {"query": string, "input": any, ...} request body as OPA's
 * QueryRequestV1/CompileRequestV1 decoding does. Returns false after
 * answering rs (400). *query is "" when absent or null. */
static bool decode_request(const srv_req *rq, srv_resp *rs, const char *type, const char **query,
                           size_t *qn, const val_t **input, const val_t **obj) {
    gh_arena *a = rq->arena;
    *query = "";
    *qn = 0;
    *input = NULL;
    *obj = NULL;
    char msg[GH_ERR_MSG + 160];
    if (blank(rq->body ? rq->body : "", rq->body_len)) {
        srv_resp_error(rs, 400, "invalid_parameter",
                       "error(s) occurred while decoding request: EOF", NULL);
        return false;
    }
    val_t *v = NULL;
    gh_err e;
    gh_err_clear(&e);
    int rc = val_json_parse(a, rq->body, first_value_len(rq->body, rq->body_len), NULL, &v, &e);
    if (rc) {
        snprintf(msg, sizeof msg, "error(s) occurred while decoding request: %s", e.msg);
        srv_resp_error(rs, rc == GH_ENOMEM ? 500 : 400,
                       rc == GH_ENOMEM ? "internal_error" : "invalid_parameter", msg, NULL);
        return false;
    }
    if (val_kind_of(v) == VAL_NULL) return true;
    if (val_kind_of(v) != VAL_OBJECT) {
        snprintf(msg, sizeof msg,
                 "error(s) occurred while decoding request: json: cannot unmarshal %s into Go "
                 "value of type types.%s",
                 go_kind(v), type);
        srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
        return false;
    }
    *obj = v;
    const val_t *qv = val_obj_get_str(v, "query", 5);
    if (qv && val_kind_of(qv) != VAL_NULL) {
        if (!val_is_str(qv)) {
            snprintf(msg, sizeof msg,
                     "error(s) occurred while decoding request: json: cannot unmarshal %s into "
                     "Go struct field %s.query of type string",
                     go_kind(qv), type);
            srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
            return false;
        }
        *query = val_str_ptr(qv);
        *qn = val_str_len(qv);
    }
    const val_t *in = val_obj_get_str(v, "input", 5);
    if (in && val_kind_of(in) != VAL_NULL) *input = in;
    return true;
}

void srv_api_query_post(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    const char *q;
    size_t qn;
    const val_t *input, *obj;
    if (!decode_request(rq, rs, "QueryRequestV1", &q, &qn, &input, &obj)) return;
    run_query(ctx, rq, rs, q, qn, input);
}

/* ---- /v1/compile ----------------------------------------------------------- */

void srv_api_compile(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    const char *q;
    size_t qn;
    const val_t *input, *obj;
    if (!decode_request(rq, rs, "CompileRequestV1", &q, &qn, &input, &obj)) return;
    /* validate like OPA (so malformed requests get the same 400s), then say
     * plainly that partial evaluation is not implemented */
    rego_parse_opts po = parse_opts(srv_req_cfg(ctx, rq));
    gh_err e;
    gh_err_clear(&e);
    rego_body *body = NULL;
    if (blank(q, qn)) {
        srv_resp_error(rs, 400, "invalid_parameter", "missing required 'query' value", NULL);
        return;
    }
    int rc = rego_parse_query(rq->arena, "", q, qn, &po, &body, &e);
    if (rc) {
        ast_error(rs, rq->arena, "error(s) occurred while parsing query", &e, q, qn);
        return;
    }
    srv_resp_error(rs, 501, "invalid_operation",
                   "partial evaluation (POST /v1/compile) is not supported by gatehouse; "
                   "evaluate decisions with POST /v1/data/{path} or POST /v1/query",
                   NULL);
}
