/* api_data.c - OPA's Data API: GET/POST /v1/data/{path} (decisions), POST
 * /v0/data/{path}, POST / (the default decision data.system.main) and the
 * data writes PUT/PATCH/DELETE /v1/data/{path}. Called by the router on the
 * worker thread. Decisions read the worker's cached snapshot and a
 * per-worker cache of prepared queries keyed by query text and snapshot
 * revision (a hot path neither parses nor compiles); every decision gets an
 * id from the decision log and is counted in the metrics. Status codes and
 * bodies follow OPA 0.61's server. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/srv_int.h"

/* ==== the prepared-query cache ================================================ */

#define QC_SLOTS 512             /* power of two; reset when 3/4 full */
#define QC_MAX_BYTES (32u << 20) /* reset when its arena grows beyond this */

typedef struct qc_ent {
    uint64_t h;
    const char *key;
    rego_query *q;
} qc_ent;

typedef struct qcache {
    uint64_t rev;
    const rego_policy *pol;
    gh_arena a;
    size_t n;
    qc_ent e[QC_SLOTS];
} qcache;

static void qc_free(void *p) {
    qcache *c = p;
    if (!c) return;
    gh_arena_free(&c->a);
    gh_free(c);
}

static void qc_reset(qcache *c, uint64_t rev, const rego_policy *pol) {
    gh_arena_reset(&c->a);
    memset(c->e, 0, sizeof c->e);
    c->n = 0;
    c->rev = rev;
    c->pol = pol;
}

/* The worker's cache, valid for snapshot s (reset when s changed). */
static qcache *qc_for(srv_worker *w, const srv_snapshot *s) {
    if (!w) return NULL;
    if (w->query_cache && w->query_cache_free != qc_free) return NULL; /* not ours */
    qcache *c = w->query_cache;
    if (!c) {
        c = gh_calloc(1, sizeof *c);
        if (!c) return NULL;
        gh_arena_init(&c->a, 0);
        w->query_cache = c;
        w->query_cache_free = qc_free;
        qc_reset(c, s->revision, s->policy);
    }
    if (c->rev != s->revision || c->pol != s->policy || c->n >= QC_SLOTS * 3 / 4 ||
        gh_arena_used(&c->a) > QC_MAX_BYTES)
        qc_reset(c, s->revision, s->policy);
    return c;
}

static rego_query *qc_get(qcache *c, const char *key, uint64_t h) {
    for (size_t i = h & (QC_SLOTS - 1);; i = (i + 1) & (QC_SLOTS - 1)) {
        qc_ent *x = &c->e[i];
        if (!x->key) return NULL;
        if (x->h == h && !strcmp(x->key, key)) return x->q;
    }
}

static void qc_put(qcache *c, const char *key, uint64_t h, rego_query *q) {
    char *k = gh_arena_strndup(&c->a, key, strlen(key));
    if (!k) return;
    size_t i = h & (QC_SLOTS - 1);
    while (c->e[i].key)
        i = (i + 1) & (QC_SLOTS - 1);
    c->e[i] = (qc_ent){h, k, q};
    c->n++;
}

/* ==== paths ====================================================================== */

static bool is_ident(const char *s, size_t n) {
    static const char *const kw[] = {"as",    "contains", "data",   "default", "else",  "every",
                                     "false", "if",       "import", "in",      "input", "not",
                                     "null",  "package",  "some",   "true",    "with",  NULL};
    if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    for (int i = 0; kw[i]; i++)
        if (strlen(kw[i]) == n && !memcmp(kw[i], s, n)) return false;
    return true;
}

/* Go's strconv.Atoi on [s, s+n); false when it is not an int64. */
static bool go_atoi(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) neg = s[i++] == '-';
    if (i == n || n - i > 19) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* OPA's stringPathToDataRef as query text: empty segments skipped, each
 * segment path-unescaped (kept raw when that fails), integers become array
 * positions. "data.x.allow", "data.arr[0]", "data.x[\"a-b\"]". Also the
 * decoded path text "x/allow" for the decision log. */
static const char *read_query(gh_arena *a, const char *rest, const char **logpath, bool *too_deep) {
    *too_deep = false;
    gh_buf q, lp;
    gh_buf_init(&q);
    gh_buf_init(&lp);
    gh_buf_puts(&q, "data");
    const char *s = rest ? rest : "";
    size_t nseg = 0;
    while (*s) {
        size_t n = strcspn(s, "/");
        if (n && ++nseg > GH_MAX_DEPTH) { /* deeper than any document can be */
            *too_deep = true;
            gh_buf_free(&q);
            gh_buf_free(&lp);
            return NULL;
        }
        if (n) {
            char *seg = srv_unescape_path(a, s, n);
            size_t sn = seg ? strlen(seg) : n;
            if (!seg) seg = gh_arena_strndup(a, s, n);
            if (!seg) break;
            int64_t iv;
            if (lp.len) gh_buf_putc(&lp, '/');
            gh_buf_append(&lp, seg, sn);
            if (go_atoi(seg, sn, &iv)) {
                gh_buf_printf(&q, "[%lld]", (long long)iv);
            } else if (is_ident(seg, sn)) {
                gh_buf_putc(&q, '.');
                gh_buf_append(&q, seg, sn);
            } else {
                gh_buf_putc(&q, '[');
                gh_json_quote(&q, seg, sn);
                gh_buf_putc(&q, ']');
            }
        }
        s += n;
        if (*s == '/') s++;
    }
    const char *out = q.oom ? NULL : gh_arena_strndup(a, q.p, q.len);
    *logpath = lp.oom ? "" : lp.p ? gh_arena_strndup(a, lp.p, lp.len) : "";
    if (!*logpath) *logpath = "";
    gh_buf_free(&q);
    gh_buf_free(&lp);
    return out;
}

/* OPA's storage.ParsePathEscaped("/" + strings.Trim(rest, "/")): an array of
 * string keys; NULL when it has more than GH_MAX_DEPTH segments (*bad) or on
 * OOM. */
static val_t *write_path(gh_arena *a, const char *rest, bool *bad) {
    *bad = false;
    const char *s = rest ? rest : "";
    size_t n = strlen(s);
    while (n && *s == '/')
        s++, n--;
    while (n && s[n - 1] == '/')
        n--;
    val_t *p = val_arr_new(a, 8);
    if (!p || !n) return p;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '/') continue;
        /* a malformed escape keeps the segment as written (ParsePathEscaped) */
        char *seg = srv_unescape_path(a, s + start, i - start);
        if (!seg) seg = gh_arena_strndup(a, s + start, i - start);
        if (!seg) return NULL;
        if (val_arr_len(p) >= GH_MAX_DEPTH) {
            *bad = true;
            return NULL;
        }
        val_t *k = val_strc(a, seg);
        if (!k || val_arr_push(a, p, k)) return NULL;
        start = i + 1;
    }
    return p;
}

/* ==== request bodies ============================================================== */

size_t srv_json_first_value_end(const char *p, size_t n) {
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    if (i == n) return 0;
    if (p[i] == '{' || p[i] == '[') {
        size_t depth = 0;
        bool str = false;
        for (; i < n; i++) {
            char c = p[i];
            if (str) {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    str = false;
                continue;
            }
            if (c == '"')
                str = true;
            else if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return n;
    }
    if (p[i] == '"') {
        for (i++; i < n; i++) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                return i + 1;
        }
        return n;
    }
    while (i < n && !strchr(" \t\r\n{}[],:\"", p[i]))
        i++;
    return i;
}

static bool is_yaml(const srv_req *rq) {
    const char *ct = rq->content_type ? rq->content_type : srv_req_header(rq, "Content-Type");
    return ct && strcasestr(ct, "yaml");
}

/* Length of the valid UTF-8 sequence at p (Go's utf8.DecodeRune rules: no
 * overlongs, surrogates or code points past U+10FFFF), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!len || len > n || c > 0xF4) return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
    if (c == 0xED && p[1] >= 0xA0) return 0; /* surrogate */
    if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
    if (c == 0xF4 && p[1] >= 0x90) return 0; /* > U+10FFFF */
    return len;
}

/* Go's encoding/json turns each byte of invalid UTF-8 into U+FFFD instead
 * of failing: do the same (a copy in a) so such bodies decode as in OPA.
 * Returns p itself when it is valid. */
static const char *go_utf8(gh_arena *a, const char *p, size_t n, size_t *outn) {
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, l;
    /* ASCII runs, eight bytes at a time (most bodies are all ASCII) */
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, u + i, 8);
        if (w & 0x8080808080808080ull) break;
    }
    while (i < n && (l = utf8_len(u + i, n - i)))
        i += l;
    *outn = n;
    if (i == n) return p;
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_append(&b, p, i);
    while (i < n) {
        if ((l = utf8_len(u + i, n - i))) {
            gh_buf_append(&b, p + i, l);
            i += l;
        } else {
            gh_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    char *out = b.oom ? NULL : gh_arena_strndup(a, b.p, b.len);
    *outn = b.len;
    gh_buf_free(&b);
    if (!out) *outn = n;
    return out ? out : p;
}

/* Parse a request body as OPA's decoders do. *out NULL for an empty body.
 * GH_EPARSE with e->msg holding Go's error text. */
static int parse_body(const srv_req *rq, bool yaml_ok, val_t **out, gh_err *e) {
    *out = NULL;
    gh_err_clear(e);
    if (yaml_ok && is_yaml(rq)) {
        val_t **docs = NULL;
        size_t nd = 0;
        int rc =
            val_yaml_load(rq->arena, rq->body ? rq->body : "", rq->body_len, NULL, &docs, &nd, e);
        if (rc) return rc;
        if (nd) *out = docs[0];
        return 0;
    }
    size_t n;
    const char *p = go_utf8(rq->arena, rq->body ? rq->body : "", rq->body_len, &n);
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    if (i < n && (p[i] == '{' || p[i] == '[')) {
        /* an object or array ends at its closing bracket: the parser stops
         * there by itself (one pass over the body) */
        size_t used = 0;
        val_json_opts o = {.consumed = &used};
        return val_json_parse(rq->arena, p, n, &o, out, e);
    }
    size_t end = srv_json_first_value_end(p, n);
    if (!end) return 0;
    return val_json_parse(rq->arena, p, end, NULL, out, e);
}

/* Go's json error text: the message without our line:col. */
static const char *json_msg(const gh_err *e) { return e->msg; }

static const char *go_type(const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_ARRAY: return "array";
    case VAL_STRING: return "string";
    case VAL_NUMBER: return "number";
    case VAL_BOOL: return "bool";
    default: return "object";
    }
}

/* ==== responses ==================================================================== */

static void put_indent(gh_buf *b, int level) {
    gh_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        gh_buf_puts(b, "  ");
}

/* Start member `key` of an object being written at `level`. */
static void put_key(gh_buf *b, bool pretty, int level, bool *first, const char *key) {
    if (!*first) gh_buf_putc(b, ',');
    *first = false;
    if (pretty) put_indent(b, level + 1);
    gh_json_quote(b, key, strlen(key));
    gh_buf_puts(b, pretty ? ": " : ":");
}

static void put_value(gh_buf *b, bool pretty, int level, const val_t *v) {
    int flags = VAL_JSON_SORTED | (pretty ? VAL_JSON_PRETTY : 0);
    if (pretty)
        val_json_emit_indent(b, v, flags, level + 1);
    else
        val_json_emit(b, v, flags);
}

static void put_str(gh_buf *b, bool pretty, int level, bool *first, const char *k, const char *v) {
    put_key(b, pretty, level, first, k);
    gh_json_quote(b, v, strlen(v));
}

static void close_obj(gh_buf *b, bool pretty, int level, bool first) {
    if (pretty && !first) put_indent(b, level);
    gh_buf_putc(b, '}');
}

typedef struct dec_opts {
    bool pretty, metrics, provenance, strict;
    const val_t *bundles; /* ?provenance: the snapshot's {name: {"revision"}} (or NULL) */
    srv_explain_mode explain;
    srv_explain *x; /* the recorder when explain is on (else NULL) */
} dec_opts;

typedef struct dec_metrics {
    bool hit;
    int64_t input_ns, qparse_ns, qcompile_ns, eval_ns, start_ns;
} dec_metrics;

static int put_metric(gh_arena *a, val_t *o, const char *k, int64_t v) {
    val_t *key = val_strc(a, k), *val = val_int(a, v);
    return key && val ? val_obj_put(a, o, key, val) : GH_ENOMEM;
}

static val_t *metrics_value(gh_arena *a, const dec_metrics *m) {
    val_t *o = val_obj_new(a, 8);
    if (!o) return NULL;
    int rc = put_metric(a, o, "counter_server_query_cache_hit", m->hit ? 1 : 0);
    rc = rc ? rc : put_metric(a, o, "timer_rego_input_parse_ns", m->input_ns);
    if (!m->hit) {
        rc = rc ? rc : put_metric(a, o, "timer_rego_query_parse_ns", m->qparse_ns);
        rc = rc ? rc : put_metric(a, o, "timer_rego_query_compile_ns", m->qcompile_ns);
    }
    rc = rc ? rc : put_metric(a, o, "timer_rego_query_eval_ns", m->eval_ns);
    rc = rc ? rc : put_metric(a, o, "timer_server_handler_ns", gh_mono_ns() - m->start_ns);
    return rc ? NULL : o;
}

/* OPA's DataResponseV1: decision_id, provenance, explanation, metrics,
 * result, warning - in that order, absent members left out. */
static void v1_response(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const dec_opts *o,
                        const char *id, const dec_metrics *m, const val_t *result, bool warn,
                        uint64_t rev) {
    gh_buf *b = &rs->body;
    bool p = o->pretty, first = true;
    rs->status = 200;
    rs->content_type = NULL;
    gh_buf_reset(b);
    gh_buf_putc(b, '{');
    if (id) put_str(b, p, 0, &first, "decision_id", id);
    if (o->provenance) {
        bool f2 = true;
        char revs[24];
        snprintf(revs, sizeof revs, "%llu", (unsigned long long)rev);
        put_key(b, p, 0, &first, "provenance");
        gh_buf_putc(b, '{');
        put_str(b, p, 1, &f2, "version", ctx && ctx->version ? ctx->version : GH_VERSION);
        put_str(b, p, 1, &f2, "build_commit", "");
        put_str(b, p, 1, &f2, "build_timestamp", "");
        put_str(b, p, 1, &f2, "build_hostname", "");
        put_str(b, p, 1, &f2, "revision", revs);
        if (o->bundles) { /* OPA: provenance.bundles.<name>.revision */
            put_key(b, p, 1, &f2, "bundles");
            put_value(b, p, 1, o->bundles);
        }
        close_obj(b, p, 1, f2);
    }
    if (o->x) {
        put_key(b, p, 0, &first, "explanation");
        if (srv_explain_emit(o->x, b, 1)) gh_buf_puts(b, "[]");
    }
    if (o->metrics) {
        val_t *mv = metrics_value(rq->arena, m);
        if (mv) {
            put_key(b, p, 0, &first, "metrics");
            put_value(b, p, 0, mv);
        }
    }
    if (result) {
        put_key(b, p, 0, &first, "result");
        put_value(b, p, 0, result);
    }
    if (warn) {
        bool f2 = true;
        put_key(b, p, 0, &first, "warning");
        gh_buf_putc(b, '{');
        put_str(b, p, 1, &f2, "code", "api_usage_warning");
        put_str(b, p, 1, &f2, "message", "'input' key missing from the request");
        close_obj(b, p, 1, f2);
    }
    close_obj(b, p, 0, first);
    gh_buf_putc(b, '\n');
}

/* 500 for a query that failed to prepare: OPA's "1 error occurred: ..." text. */
static void prepare_error(srv_resp *rs, const gh_err *e) {
    char cb[64];
    const char *code = rego_err_code(e, cb, sizeof cb);
    const char *m = e->msg;
    size_t cn = code ? strlen(code) : 0;
    if (cn && !strncmp(m, code, cn) && m[cn] == ':' && m[cn + 1] == ' ') m += cn + 2;
    gh_buf b;
    gh_buf_init(&b);
    if (e->file[0])
        gh_buf_printf(&b, "1 error occurred: %s:%d: ", e->file, e->line);
    else
        gh_buf_printf(&b, "1 error occurred: %d:%d: ", e->line ? e->line : 1, e->col ? e->col : 1);
    gh_buf_printf(&b, "%s: %s", code ? code : "rego_compile_error", m);
    srv_resp_error(rs, 500, "internal_error", b.p ? b.p : "internal error", NULL);
    gh_buf_free(&b);
}

/* 500 for an evaluation error, as OPA. */
static void eval_error(srv_resp *rs, gh_arena *a, const gh_err *e) {
    val_t *errs = val_arr_new(a, 1);
    val_t *obj = errs ? srv_err_object(a, e, NULL, 0) : NULL;
    if (!obj || val_arr_push(a, errs, obj)) errs = NULL;
    srv_resp_error(rs, 500, "internal_error", "error(s) occurred while evaluating query", errs);
}

/* ==== evaluation ====================================================================== */

typedef struct first_cb {
    val_t *v;
} first_cb;

static int take_first(void *ud, const rego_result *r) {
    first_cb *f = ud;
    f->v = r->nexprs ? r->exprs[0] : NULL;
    return 1;
}

/* Traced: OPA evaluates to the end (its trace shows the redo events). */
static int take_first_all(void *ud, const rego_result *r) {
    first_cb *f = ud;
    if (!f->v && r->nexprs) f->v = r->exprs[0];
    return 0;
}

typedef struct decision {
    const char *qtext;   /* "data.x.allow" */
    const char *logpath; /* "x/allow" */
    const val_t *input;  /* NULL: undefined */
    dec_opts o;
    dec_metrics m;
    /* out */
    val_t *result;
    uint64_t rev;
    char id[37];
} decision;

static const char *result_label(const val_t *v) {
    if (!v) return "undefined";
    if (val_kind_of(v) == VAL_BOOL) return v->u.b ? "true" : "false";
    return "other";
}

/* Prepare (or find) and evaluate d->qtext. Returns 0 with d->result set
 * (NULL: undefined), or fills rs with OPA's error and returns -1. */
static int decide(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, decision *d) {
    srv_snapshot *held = NULL;
    srv_snapshot *snap = NULL;
    if (ctx && ctx->state) {
        if (rq->worker)
            snap = srv_state_get(ctx->state, rq->worker);
        else
            snap = held = srv_state_acquire(ctx->state);
    }
    if (!snap) {
        srv_resp_error(rs, 500, "internal_error", "no policy snapshot is loaded", NULL);
        return -1;
    }
    d->rev = snap->revision;
    if (d->o.provenance && snap->bundles) d->o.bundles = val_copy(rq->arena, snap->bundles);
    int widx = rq->worker ? rq->worker->index : -1;
    qcache *qc = qc_for(rq->worker, snap);
    uint64_t h = gh_hash(d->qtext, strlen(d->qtext));
    rego_query *q = qc ? qc_get(qc, d->qtext, h) : NULL;
    gh_err e;
    gh_err_clear(&e);
    int rc = 0;
    d->m.hit = q != NULL;
    if (!q) {
        gh_arena *qa = qc ? &qc->a : rq->arena;
        int64_t t0 = gh_mono_ns();
        rego_body *body = NULL;
        rc = rego_parse_query(qa, "", d->qtext, strlen(d->qtext), NULL, &body, &e);
        int64_t t1 = gh_mono_ns();
        if (!rc) rc = rego_query_prepare_body(snap->policy, qa, body, &q, &e);
        d->m.qparse_ns = t1 - t0;
        d->m.qcompile_ns = gh_mono_ns() - t1;
        if (rc) {
            prepare_error(rs, &e);
            srv_metrics_decision(ctx ? ctx->metrics : NULL, widx, "error");
            srv_snapshot_release(held);
            return -1;
        }
        if (qc) qc_put(qc, d->qtext, h, q);
    }
    rego_eval_opts eo = {0};
    eo.input = d->input;
    const srv_config *cfg = srv_snap_cfg(ctx, snap);
    if (cfg) {
        eo.timeout_ms = cfg->eval_timeout_ms;
        eo.mem_budget = cfg->eval_mem_bytes;
    }
    eo.strict_builtin_errors = d->o.strict;
    first_cb f = {0};
    if (GH_UNLIKELY(d->o.explain != SRV_EXPLAIN_OFF)) {
        d->o.x = srv_explain_new(rq->arena, d->o.explain, d->o.pretty);
        srv_explain_attach(d->o.x, &eo);
    }
    int64_t t0 = gh_mono_ns();
    rc = rego_query_eval(q, rq->arena, &eo, d->o.x ? take_first_all : take_first, &f, &e);
    d->m.eval_ns = gh_mono_ns() - t0;
    if (rc) {
        eval_error(rs, rq->arena, &e);
        srv_metrics_decision(ctx ? ctx->metrics : NULL, widx, "error");
        srv_snapshot_release(held);
        return -1;
    }
    d->result = f.v;
    srv_declog_record(ctx ? ctx->declog : NULL, rq->worker, d->logpath, d->input, d->result, d->rev,
                      gh_mono_ns() - d->m.start_ns, d->id);
    srv_metrics_decision(ctx ? ctx->metrics : NULL, widx, result_label(d->result));
    char *id = gh_arena_strndup(rq->arena, d->id, strlen(d->id));
    rs->decision_id = id;
    /* the result lives in the request arena; the snapshot may go now */
    srv_snapshot_release(held);
    return 0;
}

static void read_opts(const srv_req *rq, dec_opts *o) {
    o->pretty = srv_query_bool(rq, "pretty");
    o->metrics = srv_query_bool(rq, "metrics") || srv_query_bool(rq, "instrument");
    o->provenance = srv_query_bool(rq, "provenance");
    o->strict = srv_query_bool(rq, "strict-builtin-errors");
    o->explain = srv_query_has(rq, "explain") ? srv_explain_mode_get(rq) : SRV_EXPLAIN_OFF;
}

static void too_deep(srv_resp *rs) {
    srv_resp_error(rs, 400, "invalid_parameter", "path has too many segments", NULL);
}

static void oom_resp(srv_resp *rs) {
    srv_resp_error(rs, 500, "internal_error", "out of memory", NULL);
}

/* ==== GET/POST /v1/data ============================================================= */

static void v1_read(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest, bool post) {
    decision d = {0};
    d.m.start_ns = gh_mono_ns();
    read_opts(rq, &d.o);
    bool deep;
    d.qtext = read_query(rq->arena, rest, &d.logpath, &deep);
    if (!d.qtext) return deep ? too_deep(rs) : oom_resp(rs);
    bool warn = false;
    gh_err e;
    int64_t t0 = gh_mono_ns();
    if (post) {
        val_t *body = NULL;
        if (parse_body(rq, true, &body, &e)) {
            char msg[GH_ERR_MSG + 64];
            snprintf(msg, sizeof msg, "body contains malformed input document: %s", json_msg(&e));
            srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
            return;
        }
        if (body && val_kind_of(body) != VAL_OBJECT && val_kind_of(body) != VAL_NULL) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "body contains malformed input document: json: cannot unmarshal %s into "
                     "Go value of type types.DataRequestV1",
                     go_type(body));
            srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
            return;
        }
        const val_t *in =
            body && val_kind_of(body) == VAL_OBJECT ? val_obj_get_str(body, "input", 5) : NULL;
        if (in && val_kind_of(in) == VAL_NULL) in = NULL;
        d.input = in;
        warn = in == NULL;
    } else {
        const char *is = srv_query_get(rq, "input");
        if (is) {
            val_t *in = NULL;
            gh_err_clear(&e);
            size_t isn;
            is = go_utf8(rq->arena, is, strlen(is), &isn);
            if (val_json_parse(rq->arena, is, isn, NULL, &in, &e)) {
                char msg[GH_ERR_MSG + 64];
                snprintf(msg, sizeof msg, "parameter contains malformed input document: %s",
                         json_msg(&e));
                srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
                return;
            }
            d.input = in;
        }
    }
    d.m.input_ns = gh_mono_ns() - t0;
    if (decide(ctx, rq, rs, &d)) return;
    v1_response(ctx, rq, rs, &d.o, d.id, &d.m, d.result, warn, d.rev);
}

/* ==== writes =========================================================================== */

/* Append OPA's Errors.Error() text for an array of error objects. */
static void errors_text(gh_buf *b, const val_t *errs) {
    size_t n = errs && val_kind_of(errs) == VAL_ARRAY ? val_arr_len(errs) : 0;
    if (n == 1)
        gh_buf_puts(b, "1 error occurred: ");
    else
        gh_buf_printf(b, "%zu errors occurred:\n", n);
    for (size_t i = 0; i < n; i++) {
        const val_t *x = val_arr_at(errs, i);
        if (i) gh_buf_putc(b, '\n');
        const val_t *code = val_obj_get_str(x, "code", 4), *msg = val_obj_get_str(x, "message", 7);
        const val_t *loc = val_obj_get_str(x, "location", 8);
        if (loc && val_kind_of(loc) == VAL_OBJECT) {
            const val_t *f = val_obj_get_str(loc, "file", 4), *row = val_obj_get_str(loc, "row", 3),
                        *col = val_obj_get_str(loc, "col", 3);
            int64_t r = 0, c = 0;
            if (row) val_num_to_int64(row, &r);
            if (col) val_num_to_int64(col, &c);
            if (f && val_is_str(f) && val_str_len(f))
                gh_buf_printf(b, "%s:%lld: ", val_str_ptr(f), (long long)r);
            else
                gh_buf_printf(b, "%lld:%lld: ", (long long)r, (long long)c);
        }
        gh_buf_printf(b, "%s: %s", code && val_is_str(code) ? val_str_ptr(code) : "internal_error",
                      msg && val_is_str(msg) ? val_str_ptr(msg) : "");
    }
}

/* Map a srv_state_apply failure to OPA's answer. */
static void write_error(srv_resp *rs, int rc, const gh_err *e, const val_t *errs) {
    const char *k = e->kind ? e->kind : "";
    if (!strcmp(k, "not_modified")) {
        rs->status = 304;
        gh_buf_reset(&rs->body);
        return;
    }
    if (!strcmp(k, "storage_not_found_error"))
        return srv_resp_error(rs, 404, "resource_not_found", e->msg, NULL);
    if (!strcmp(k, "storage_write_conflict_error"))
        return srv_resp_error(rs, 404, "resource_conflict", e->msg, NULL);
    if (!strcmp(k, "storage_invalid_patch_error") || !strcmp(k, "invalid_parameter"))
        return srv_resp_error(rs, 400, "invalid_parameter", e->msg, NULL);
    if (errs && val_kind_of(errs) == VAL_ARRAY && val_arr_len(errs)) {
        gh_buf b;
        gh_buf_init(&b);
        errors_text(&b, errs);
        srv_resp_error(rs, 400, "invalid_parameter", b.p ? b.p : e->msg, NULL);
        gh_buf_free(&b);
        return;
    }
    if (rc == GH_ENOMEM || rc == GH_EINTERNAL || rc == GH_EIO)
        return srv_resp_error(rs, 500, "internal_error", e->msg, NULL);
    srv_resp_error(rs, 400, "invalid_parameter", e->msg, NULL);
}

static void no_content(srv_resp *rs) {
    rs->status = 204;
    gh_buf_reset(&rs->body);
}

static void v1_write(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest,
                     srv_change_kind kind) {
    bool bad;
    val_t *path = write_path(rq->arena, rest, &bad);
    if (!path) {
        if (bad)
            too_deep(rs);
        else
            oom_resp(rs);
        return;
    }
    srv_change ch = {.kind = kind, .path = path};
    gh_err e;
    gh_err_clear(&e);
    if (kind != SRV_CH_DATA_DELETE) {
        val_t *body = NULL;
        if (parse_body(rq, false, &body, &e))
            return srv_resp_error(rs, 400, "invalid_parameter", json_msg(&e), NULL);
        if (!body && !(rq->body_len && srv_json_first_value_end(rq->body, rq->body_len)))
            return srv_resp_error(rs, 400, "invalid_parameter", "EOF", NULL);
        if (kind == SRV_CH_DATA_PATCH && val_kind_of(body) != VAL_NULL) {
            if (val_kind_of(body) != VAL_ARRAY) {
                char msg[128];
                snprintf(msg, sizeof msg,
                         "json: cannot unmarshal %s into Go value of type []types.PatchV1",
                         go_type(body));
                return srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
            }
            for (size_t i = 0; i < val_arr_len(body); i++) {
                const val_t *op = val_arr_at(body, i);
                if (val_kind_of(op) == VAL_OBJECT || val_kind_of(op) == VAL_NULL) continue;
                char msg[128];
                snprintf(msg, sizeof msg,
                         "json: cannot unmarshal %s into Go value of type types.PatchV1",
                         go_type(op));
                return srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
            }
        }
        ch.value = body;
        const char *inm = srv_req_header(rq, "If-None-Match");
        ch.if_none_match = kind == SRV_CH_DATA_PUT && inm && !strcmp(inm, "*");
    }
    if (!ctx || !ctx->state)
        return srv_resp_error(rs, 500, "internal_error", "no policy state", NULL);
    val_t *errs = NULL;
    gh_err_clear(&e);
    int rc = srv_state_apply(ctx->state, &ch, rq->arena, &errs, &e);
    bool changed = rc == 0, refused = rc && !(e.kind && !strcmp(e.kind, "not_modified"));
    if (changed || refused)
        srv_metrics_reload(ctx->metrics, changed, srv_state_revision(ctx->state));
    if (rc) return write_error(rs, rc, &e, errs);
    no_content(rs);
}

void srv_api_data(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *m = rq->method ? rq->method : "";
    if (!strcmp(m, "GET")) return v1_read(ctx, rq, rs, rest, false);
    if (!strcmp(m, "POST")) return v1_read(ctx, rq, rs, rest, true);
    if (!strcmp(m, "PUT")) return v1_write(ctx, rq, rs, rest, SRV_CH_DATA_PUT);
    if (!strcmp(m, "PATCH")) return v1_write(ctx, rq, rs, rest, SRV_CH_DATA_PATCH);
    if (!strcmp(m, "DELETE") && rest && *rest)
        return v1_write(ctx, rq, rs, rest, SRV_CH_DATA_DELETE);
    rs->status = 405;
    gh_buf_reset(&rs->body);
}

/* ==== POST /v0/data and POST / ========================================================== */

/* The v0 decision: input = the whole body (empty: null), raw result. */
static void v0_decision(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *qtext,
                        const char *logpath) {
    decision d = {0};
    d.m.start_ns = gh_mono_ns();
    d.o.pretty = srv_query_bool(rq, "pretty");
    d.qtext = qtext;
    d.logpath = logpath;
    gh_err e;
    val_t *body = NULL;
    if (parse_body(rq, true, &body, &e)) {
        char msg[GH_ERR_MSG + 96];
        snprintf(msg, sizeof msg,
                 "unexpected parse error for input: body contains malformed input document: %s",
                 json_msg(&e));
        srv_resp_error(rs, 400, "invalid_parameter", msg, NULL);
        return;
    }
    d.input = body ? body : VAL_NULLV;
    if (decide(ctx, rq, rs, &d)) return;
    if (!d.result) {
        char msg[512];
        snprintf(msg, sizeof msg, "document missing: %s", qtext);
        srv_resp_error(rs, 404, "undefined_document", msg, NULL);
        return;
    }
    rs->status = 200;
    rs->content_type = NULL;
    gh_buf_reset(&rs->body);
    val_json_emit(&rs->body, d.result, VAL_JSON_SORTED | (d.o.pretty ? VAL_JSON_PRETTY : 0));
    gh_buf_putc(&rs->body, '\n');
}

void srv_api_v0_data(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    const char *logpath;
    bool deep;
    const char *q = read_query(rq->arena, rest, &logpath, &deep);
    if (!q) return deep ? too_deep(rs) : oom_resp(rs);
    v0_decision(ctx, rq, rs, q, logpath);
}

void srv_api_default_decision(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest) {
    (void)rest;
    v0_decision(ctx, rq, rs, "data.system.main", "system/main");
}
