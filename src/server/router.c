/* router.c - srv_dispatch: OPA's route table (gorilla/mux behaviour: path
 * cleaning and trailing-slash redirects (301), 404 text body for unknown
 * paths, empty 405 for a known path with another method), authorization
 * (--authorization=basic via data.system.authz.allow, and gatehouse's rule
 * that policy/data writes need an authenticated caller), bearer tokens
 * checked against the configuration in force (so a SIGHUP reload changes
 * them), and the response and request helpers every handler uses. Called by
 * the transport per request; never fails (every problem becomes an HTTP
 * answer). A request is served under one pinned snapshot and its config. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/srv_int.h"

/* ==== responses ============================================================== */

void srv_resp_header(srv_resp *rs, const char *name, const char *value) {
    if (rs->nhdr >= SRV_MAX_RESP_HEADERS) return;
    rs->hdr_name[rs->nhdr] = name;
    rs->hdr_value[rs->nhdr] = value;
    rs->nhdr++;
}

static void indent_to(gh_buf *b, int level) {
    gh_buf_putc(b, '\n');
    for (int i = 0; i < level; i++)
        gh_buf_puts(b, "  ");
}

static void emit_key(gh_buf *b, int level, bool *first, const char *k, gh_arena *a) {
    if (!*first) gh_buf_putc(b, ',');
    *first = false;
    indent_to(b, level);
    val_t *kv = val_str_ref(a, k, strlen(k)); /* Go's escaping, \ufffd for bad UTF-8 */
    if (kv)
        val_json_emit(b, kv, 0);
    else
        b->oom = 1;
    gh_buf_puts(b, ": ");
}

static bool in_list(const char *k, size_t n, const char *const *order) {
    for (const char *const *o = order; o && *o; o++)
        if (strlen(*o) == n && memcmp(*o, k, n) == 0) return true;
    return false;
}

/* An object pretty-printed at `level` with the keys of `order` first (in that
 * order, as Go emits struct fields), then the rest sorted; values not listed
 * in `sub` are emitted as Go emits maps (sorted keys). */
typedef struct key_order {
    const char *key;
    const char *const *order;
} key_order;

static void emit_ordered(gh_buf *b, const val_t *o, int level, const char *const *order,
                         const key_order *subs, gh_arena *a) {
    if (val_kind_of(o) != VAL_OBJECT || val_obj_len(o) == 0) {
        val_json_emit_indent(b, o, VAL_JSON_PRETTY | VAL_JSON_SORTED, level);
        return;
    }
    gh_buf_putc(b, '{');
    bool first = true;
    for (const char *const *k = order; k && *k; k++) {
        const val_t *v = val_obj_get_str(o, *k, strlen(*k));
        if (!v) continue;
        emit_key(b, level + 1, &first, *k, a);
        const key_order *sub = subs;
        while (sub && sub->key && strcmp(sub->key, *k) != 0)
            sub++;
        if (sub && sub->key)
            emit_ordered(b, v, level + 1, sub->order, NULL, a);
        else
            val_json_emit_indent(b, v, VAL_JSON_PRETTY | VAL_JSON_SORTED, level + 1);
    }
    uint32_t *ord = val_sorted_order(a, o);
    for (size_t i = 0; i < val_obj_len(o); i++) {
        size_t j = ord ? ord[i] : i;
        const val_t *k = val_obj_key_at(o, j);
        if (!val_is_str(k) || in_list(val_str_ptr(k), val_str_len(k), order)) continue;
        emit_key(b, level + 1, &first, val_str_ptr(k), a);
        val_json_emit_indent(b, val_obj_val_at(o, j), VAL_JSON_PRETTY | VAL_JSON_SORTED, level + 1);
    }
    indent_to(b, level);
    gh_buf_putc(b, '}');
}

void srv_resp_error(srv_resp *rs, int status, const char *code, const char *msg,
                    const val_t *errs) {
    static const char *const err_order[] = {"code", "message", "location", "details", NULL};
    static const char *const loc_order[] = {"file", "row", "col", NULL};
    static const char *const det_order[] = {"line", "idx", NULL};
    static const key_order subs[] = {{"location", loc_order}, {"details", det_order}, {NULL, NULL}};
    rs->status = status;
    rs->content_type = NULL;
    gh_buf *b = &rs->body;
    gh_buf_reset(b);
    gh_arena a;
    gh_arena_init(&a, 0);
    /* Go's json.MarshalIndent(ErrorV1, "", "  ") plus a newline; strings go
     * through the value emitter so invalid UTF-8 becomes \ufffd, as in Go */
    val_t *c = val_str_ref(&a, code, strlen(code)), *m = val_str_ref(&a, msg, strlen(msg));
    gh_buf_puts(b, "{\n  \"code\": ");
    if (c)
        val_json_emit(b, c, 0);
    else
        gh_buf_puts(b, "\"internal_error\"");
    gh_buf_puts(b, ",\n  \"message\": ");
    if (m)
        val_json_emit(b, m, 0);
    else
        gh_buf_puts(b, "\"out of memory\"");
    if (errs && val_kind_of(errs) == VAL_ARRAY && val_arr_len(errs) > 0) {
        gh_buf_puts(b, ",\n  \"errors\": [");
        for (size_t i = 0; i < val_arr_len(errs); i++) {
            if (i) gh_buf_putc(b, ',');
            indent_to(b, 2);
            emit_ordered(b, val_arr_at(errs, i), 2, err_order, subs, &a);
        }
        gh_buf_puts(b, "\n  ]");
    }
    gh_arena_free(&a);
    gh_buf_puts(b, "\n}\n");
}

void srv_resp_json(srv_resp *rs, int status, const val_t *v, bool pretty) {
    if (!v) {
        srv_resp_error(rs, 500, "internal_error", "out of memory building the response", NULL);
        return;
    }
    rs->status = status;
    gh_buf_reset(&rs->body);
    val_json_emit(&rs->body, v, VAL_JSON_SORTED | (pretty ? VAL_JSON_PRETTY : 0));
    gh_buf_putc(&rs->body, '\n');
}

static int put_str(gh_arena *a, val_t *o, const char *k, const char *s) {
    val_t *key = val_strc(a, k), *v = val_strc(a, s);
    return key && v ? val_obj_put(a, o, key, v) : GH_ENOMEM;
}

val_t *srv_err_list(gh_arena *a, const gh_err *e, const char *src, size_t n) {
    /* the loader's error list already speaks OPA (details, split messages) */
    pol_errors l = {0};
    pol_errors_add_gh(&l, e, src, n);
    val_t *v = l.oom ? NULL : pol_errors_to_value(a, &l);
    pol_errors_free(&l);
    return v;
}

val_t *srv_err_list_of(gh_arena *a, const rego_errors *r, const gh_err *e, const char *src,
                       size_t n) {
    pol_errors l = {0};
    pol_errors_add_list(&l, r, e, src, n);
    val_t *v = l.oom ? NULL : pol_errors_to_value(a, &l);
    pol_errors_free(&l);
    return v;
}

val_t *srv_err_object(gh_arena *a, const gh_err *e, const char *src, size_t n) {
    val_t *l = srv_err_list(a, e, src, n);
    return l && val_arr_len(l) > 0 ? val_arr_at(l, 0) : NULL;
}

void srv_resp_gh_error(srv_resp *rs, const gh_err *e) {
    char cb[64], msg[GH_ERR_MSG + GH_ERR_FILE + 32];
    const char *code = rego_err_code(e, cb, sizeof cb);
    if (code && strncmp(code, "eval_", 5) == 0) {
        gh_arena a;
        gh_arena_init(&a, 1 << 20);
        srv_resp_error(rs, 500, "internal_error", "error(s) occurred while evaluating query",
                       srv_err_list(&a, e, NULL, 0));
        gh_arena_free(&a);
        return;
    }
    gh_err_format(e, msg, sizeof msg);
    switch (e->code) {
    case GH_ENOTFOUND: srv_resp_error(rs, 404, "resource_not_found", msg, NULL); return;
    case GH_ECONFLICT: srv_resp_error(rs, 404, "resource_conflict", msg, NULL); return;
    case GH_EINVAL:
    case GH_EPARSE:
    case GH_ETYPE:
    case GH_ELIMIT: srv_resp_error(rs, 400, "invalid_parameter", msg, NULL); return;
    default: srv_resp_error(rs, 500, "internal_error", msg, NULL); return;
    }
}

/* ==== requests: headers and query parameters ================================= */

const char *srv_req_header(const srv_req *rq, const char *name) {
    for (int i = 0; i < rq->nhdrs; i++)
        if (rq->hdr_names[i] && strcasecmp(rq->hdr_names[i], name) == 0) return rq->hdr_values[i];
    if (strcasecmp(name, "Content-Type") == 0) return rq->content_type;
    if (strcasecmp(name, "Content-Encoding") == 0) return rq->content_encoding;
    if (strcasecmp(name, "Accept-Encoding") == 0) return rq->accept_encoding;
    return NULL;
}

/* Go's url.QueryUnescape (plus = true) / PathUnescape (plus = false) of
 * [s, s+n) into out (at least n+1 bytes); -1 on a bad escape. */
static long unescape(const char *s, size_t n, char *out, bool plus) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return -1;
            int h = srv_hexval((unsigned char)s[i + 1]), l = srv_hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) return -1;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (plus && s[i] == '+') {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return (long)o;
}

char *srv_unescape_path(gh_arena *a, const char *s, size_t n) {
    char *out = gh_arena_alloc(a, n + 1);
    if (!out) return NULL;
    return unescape(s, n, out, false) < 0 ? NULL : out;
}

/* Walk the query: cb(key, value) per well-formed pair (decoded, in a). */
typedef bool (*pair_fn)(void *ud, const char *k, const char *v);

static void query_walk(const srv_req *rq, gh_arena *a, pair_fn cb, void *ud) {
    const char *q = rq->query;
    if (!q) return;
    while (*q) {
        const char *end = strchr(q, '&');
        size_t n = end ? (size_t)(end - q) : strlen(q);
        if (n && !memchr(q, ';', n)) {
            const char *eq = memchr(q, '=', n);
            size_t kn = eq ? (size_t)(eq - q) : n;
            size_t vn = eq ? n - kn - 1 : 0;
            char *k = gh_arena_alloc(a, kn + 1), *v = gh_arena_alloc(a, vn + 1);
            if (!k || !v) return;
            if (unescape(q, kn, k, true) >= 0 && unescape(eq ? eq + 1 : "", vn, v, true) >= 0)
                if (cb(ud, k, v)) return;
        }
        if (!end) break;
        q = end + 1;
    }
}

typedef struct qfind {
    const char *name;
    const char *last;
    val_t *all;
    gh_arena *a;
    int count;
    bool any_true;
} qfind;

static bool qfind_cb(void *ud, const char *k, const char *v) {
    qfind *f = ud;
    if (strcmp(k, f->name) != 0) return false;
    f->last = v;
    f->count++;
    if (strcasecmp(v, "true") == 0) f->any_true = true;
    if (f->all) val_arr_push(f->a, f->all, val_strc(f->a, v));
    return false;
}

const char *srv_query_get(const srv_req *rq, const char *name) {
    qfind f = {.name = name, .a = rq->arena};
    query_walk(rq, rq->arena, qfind_cb, &f);
    return f.last;
}

bool srv_query_has(const srv_req *rq, const char *name) { return srv_query_get(rq, name) != NULL; }

bool srv_query_bool(const srv_req *rq, const char *name) {
    qfind f = {.name = name, .a = rq->arena};
    query_walk(rq, rq->arena, qfind_cb, &f);
    if (f.count == 0) return false;
    if (f.count == 1 && f.last[0] == 0) return true;
    return f.any_true;
}

val_t *srv_query_all(const srv_req *rq, const char *name) {
    qfind f = {.name = name, .a = rq->arena, .all = val_arr_new(rq->arena, 2)};
    if (!f.all) return NULL;
    query_walk(rq, rq->arena, qfind_cb, &f);
    return f.all;
}

typedef struct qparams {
    gh_arena *a;
    val_t *obj;
    bool oom;
} qparams;

static bool qparams_cb(void *ud, const char *k, const char *v) {
    qparams *p = ud;
    val_t *key = val_strc(p->a, k), *vs = val_strc(p->a, v);
    if (!key || !vs) return p->oom = true;
    val_t *arr = val_obj_get(p->obj, key);
    if (!arr) {
        arr = val_arr_new(p->a, 1);
        if (!arr || val_arr_push(p->a, arr, vs) || val_obj_put(p->a, p->obj, key, arr))
            return p->oom = true;
        return false;
    }
    /* arrays hash their items as they are pushed: rebuild with the new one */
    val_t *na = val_arr_new(p->a, val_arr_len(arr) + 1);
    if (!na) return p->oom = true;
    for (size_t i = 0; i < val_arr_len(arr); i++)
        val_arr_push(p->a, na, val_arr_at(arr, i));
    if (val_arr_push(p->a, na, vs) || val_obj_put(p->a, p->obj, key, na)) return p->oom = true;
    return false;
}

val_t *srv_query_params(const srv_req *rq) {
    qparams p = {.a = rq->arena, .obj = val_obj_new(rq->arena, 4)};
    if (!p.obj) return NULL;
    query_walk(rq, rq->arena, qparams_cb, &p);
    return p.oom ? NULL : p.obj;
}

/* ==== routing ================================================================ */

enum {
    M_GET = 1 << 0,
    M_POST = 1 << 1,
    M_PUT = 1 << 2,
    M_PATCH = 1 << 3,
    M_DELETE = 1 << 4,
    M_OTHER = 1 << 5,
};

static unsigned method_bit(const char *m) {
    if (!m) return M_OTHER;
    if (strcmp(m, "GET") == 0) return M_GET;
    if (strcmp(m, "POST") == 0) return M_POST;
    if (strcmp(m, "PUT") == 0) return M_PUT;
    if (strcmp(m, "PATCH") == 0) return M_PATCH;
    if (strcmp(m, "DELETE") == 0) return M_DELETE;
    return M_OTHER;
}

typedef struct route {
    const char *path; /* exact path, or a prefix ending in '/' when sub */
    bool sub;         /* "{path:.+}": a non-empty remainder follows */
    unsigned methods;
    srv_api_fn fn; /* NULL: the path exists but every method answers 405 */
    const char *label;
    bool write; /* a policy/data write: needs an authenticated caller */
} route;

/* OPA 0.61's table (server.go initRouters), plus /metrics and /v1/admit. */
static const route routes[] = {
    {"/health", false, M_GET, srv_api_health, "health", false},
    {"/health/", true, M_GET, srv_api_health_policy, "health", false},
    {"/v0/data", false, M_POST, srv_api_v0_data, "v0_data", false},
    {"/v0/data/", true, M_POST, srv_api_v0_data, "v0_data", false},
    {"/v1/data", false, M_GET | M_POST, srv_api_data, "v1_data", false},
    {"/v1/data", false, M_PUT | M_PATCH, srv_api_data, "v1_data", true},
    {"/v1/data/", true, M_GET | M_POST, srv_api_data, "v1_data", false},
    {"/v1/data/", true, M_PUT | M_PATCH | M_DELETE, srv_api_data, "v1_data", true},
    {"/v1/policies", false, M_GET, srv_api_policies_list, "v1_policies", false},
    {"/v1/policies/", true, M_GET, srv_api_policies_get, "v1_policies", false},
    {"/v1/policies/", true, M_PUT, srv_api_policies_put, "v1_policies", true},
    {"/v1/policies/", true, M_DELETE, srv_api_policies_delete, "v1_policies", true},
    {"/v1/query", false, M_GET, srv_api_query_get, "v1_query", false},
    {"/v1/query", false, M_POST, srv_api_query_post, "v1_query", false},
    {"/v1/query/", true, 0, NULL, "v1_query", false},
    {"/v1/compile", false, M_POST, srv_api_compile, "v1_compile", false},
    {"/v1/config", false, M_GET, srv_api_config, "v1_config", false},
    {"/v1/status", false, M_GET, srv_api_status, "v1_status", false},
    {"/v1/admit", false, M_POST, srv_api_admit, "v1_admit", false},
    {"/metrics", false, M_GET, srv_api_metrics, "metrics", false},
    {"/", false, M_GET, srv_api_index, "index", false},
    {"/", false, M_POST, srv_api_default_decision, "index", false},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Does `p` (encoded, no query) match r? *rest gets the remainder for sub routes. */
static bool route_match(const route *r, const char *p, const char **rest) {
    size_t n = strlen(r->path);
    if (!r->sub) return strcmp(p, r->path) == 0;
    if (strncmp(p, r->path, n) != 0 || p[n] == 0) return false;
    *rest = p + n;
    return true;
}

/* gorilla/mux cleanPath: path.Clean keeping a trailing slash; "" -> "/". */
static char *clean_path(gh_arena *a, const char *p, size_t n) {
    char *out = gh_arena_alloc(a, n + 2);
    if (!out) return NULL;
    size_t o = 0;
    out[o++] = '/';
    size_t i = 0;
    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        size_t s = i;
        while (i < n && p[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0) break;
        if (len == 1 && p[s] == '.') continue;
        if (len == 2 && p[s] == '.' && p[s + 1] == '.') {
            if (o > 1) {
                o--; /* drop the '/' ending the previous segment */
                while (o > 1 && out[o - 1] != '/')
                    o--;
            }
            continue;
        }
        memcpy(out + o, p + s, len);
        o += len;
        out[o++] = '/';
    }
    if (o > 1) o--; /* no trailing '/' after the last segment ... */
    if (n > 1 && p[n - 1] == '/' && o > 1) out[o++] = '/'; /* ... unless it had one */
    out[o] = 0;
    return out;
}

/* A 301 to `to` (query kept). with_body: mux's StrictSlash redirect goes
 * through Go's http.Redirect, which writes a small HTML body for GET; its
 * path-cleaning redirect writes none. */
static void redirect(srv_resp *rs, const srv_req *rq, const char *to, bool with_body) {
    const char *loc =
        rq->query && rq->query[0] ? gh_arena_printf(rq->arena, "%s?%s", to, rq->query) : to;
    if (!loc) loc = to;
    rs->status = 301;
    gh_buf_reset(&rs->body);
    srv_resp_header(rs, "Location", loc);
    if (with_body && rq->method && strcmp(rq->method, "GET") == 0) {
        /* Go's http.Redirect body for GET (href HTML-escaped) */
        rs->content_type = "text/html; charset=utf-8";
        gh_buf_puts(&rs->body, "<a href=\"");
        for (const char *c = loc; *c; c++) {
            switch (*c) {
            case '<': gh_buf_puts(&rs->body, "&lt;"); break;
            case '>': gh_buf_puts(&rs->body, "&gt;"); break;
            case '&': gh_buf_puts(&rs->body, "&amp;"); break;
            case '"': gh_buf_puts(&rs->body, "&#34;"); break;
            case '\'': gh_buf_puts(&rs->body, "&#39;"); break;
            default: gh_buf_putc(&rs->body, *c);
            }
        }
        gh_buf_puts(&rs->body, "\">Moved Permanently</a>.\n\n");
    } else {
        rs->content_type = "text/plain; charset=utf-8";
    }
}

static void not_found(srv_resp *rs) {
    rs->status = 404;
    rs->content_type = "text/plain; charset=utf-8";
    gh_buf_reset(&rs->body);
    gh_buf_puts(&rs->body, "404 page not found\n");
}

static void method_not_allowed(srv_resp *rs) {
    rs->status = 405;
    rs->content_type = "text/plain; charset=utf-8";
    gh_buf_reset(&rs->body);
}

/* ==== authorization ============================================================ */

/* Go's textproto.CanonicalMIMEHeaderKey ("content-type" -> "Content-Type"). */
static char *canon_header(gh_arena *a, const char *name) {
    size_t n = strlen(name);
    char *o = gh_arena_strndup(a, name, n);
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++)
        if (o[i] == ' ' || (unsigned char)o[i] >= 0x80) return o; /* Go leaves these alone */
    bool up = true;
    for (size_t i = 0; i < n; i++) {
        o[i] = (char)(up ? toupper((unsigned char)o[i]) : tolower((unsigned char)o[i]));
        up = o[i] == '-';
    }
    return o;
}

static val_t *authz_headers(const srv_req *rq) {
    gh_arena *a = rq->arena;
    val_t *h = val_obj_new(a, (size_t)rq->nhdrs + 1);
    if (!h) return NULL;
    for (int i = 0; i < rq->nhdrs; i++) {
        if (!rq->hdr_names[i] || !rq->hdr_values[i]) continue;
        char *k = canon_header(a, rq->hdr_names[i]);
        val_t *key = k ? val_strc(a, k) : NULL, *v = val_strc(a, rq->hdr_values[i]);
        if (!key || !v) return NULL;
        val_t *old = val_obj_get(h, key);
        val_t *arr = val_arr_new(a, old ? val_arr_len(old) + 1 : 1);
        if (!arr) return NULL;
        for (size_t j = 0; old && j < val_arr_len(old); j++)
            val_arr_push(a, arr, val_arr_at(old, j));
        if (val_arr_push(a, arr, v) || val_obj_put(a, h, key, arr)) return NULL;
    }
    return h;
}

/* The bearer token of an Authorization header (OPA's token identifier). */
static const char *bearer_token(const srv_req *rq) {
    const char *v = srv_req_header(rq, "Authorization");
    if (!v || strncasecmp(v, "Bearer ", 7) != 0) return NULL;
    v += 7;
    while (*v == ' ')
        v++;
    return v;
}

/* Go's certs[0].Subject.ToRDNSequence().String() - OPA's TLS identity - from
 * the certificate's Subject value (pkix.Name JSON): the known attributes in
 * Go's fixed order, reversed (SERIALNUMBER, CN, OU, O, POSTALCODE, STREET,
 * L, ST, C), values of one type as one multi-valued RDN, RFC 2253 escapes.
 * Attributes Go does not name are left out, as Go does. NULL when absent. */
static const char *go_identity(gh_arena *a, const val_t *certs) {
    static const struct {
        const char *field, *name;
    } order[] = {{"SerialNumber", "SERIALNUMBER"},
                 {"CommonName", "CN"},
                 {"OrganizationalUnit", "OU"},
                 {"Organization", "O"},
                 {"PostalCode", "POSTALCODE"},
                 {"StreetAddress", "STREET"},
                 {"Locality", "L"},
                 {"Province", "ST"},
                 {"Country", "C"}};
    if (!certs || val_kind_of(certs) != VAL_ARRAY || !val_arr_len(certs)) return NULL;
    const val_t *sub = val_obj_get_str(val_arr_at(certs, 0), "Subject", 7);
    if (!sub || val_kind_of(sub) != VAL_OBJECT) return NULL;
    gh_buf b;
    gh_buf_init(&b);
    bool first_rdn = true;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const val_t *f = val_obj_get_str(sub, order[i].field, strlen(order[i].field));
        if (!f) continue;
        const val_t *one[1] = {f};
        const val_t *const *vals = one;
        size_t nv = 1;
        if (val_kind_of(f) == VAL_ARRAY) {
            vals = (const val_t *const *)f->u.arr.items;
            nv = val_arr_len(f);
        } else if (!val_is_str(f) || !val_str_len(f)) {
            continue;
        }
        bool first_attr = true;
        for (size_t j = 0; j < nv; j++) {
            if (!val_is_str(vals[j])) continue;
            gh_buf_puts(&b, first_attr ? (first_rdn ? "" : ",") : "+");
            first_attr = first_rdn = false;
            gh_buf_printf(&b, "%s=", order[i].name);
            const char *v = val_str_ptr(vals[j]);
            size_t n = val_str_len(vals[j]);
            for (size_t k = 0; k < n; k++) {
                char c = v[k];
                bool esc = strchr(",+\"\\<>;", c) != NULL && c != '\0';
                if (c == ' ') esc = k == 0 || k == n - 1;
                if (c == '#') esc = k == 0;
                if (esc) gh_buf_putc(&b, '\\');
                gh_buf_putc(&b, c);
            }
        }
    }
    const char *out = b.oom || !b.len ? NULL : gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return out;
}

/* OPA's authorizer input: {method, path, params, headers[, body][, identity][,
 * client_certificates]}.
 * Returns NULL and answers rs on a malformed body (400) or OOM (500). */
static val_t *authz_input(srv_ctx *ctx, const srv_req *rq, srv_resp *rs) {
    gh_arena *a = rq->arena;
    val_t *in = val_obj_new(a, 6), *path = val_arr_new(a, 4);
    if (!in || !path) goto oom;
    const char *p = rq->path ? rq->path : "/";
    if (*p == '/') p++;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        val_t *seg = val_str(a, p, n);
        if (!seg || val_arr_push(a, path, seg)) goto oom;
        if (!e) break;
        p = e + 1;
    }
    val_t *params = srv_query_params(rq), *headers = authz_headers(rq);
    if (!params || !headers) goto oom;
    char *method =
        gh_arena_strndup(a, rq->method ? rq->method : "", rq->method ? strlen(rq->method) : 0);
    if (!method) goto oom;
    for (char *c = method; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (put_str(a, in, "method", method) || val_obj_put(a, in, val_strc(a, "path"), path) ||
        val_obj_put(a, in, val_strc(a, "params"), params) ||
        val_obj_put(a, in, val_strc(a, "headers"), headers))
        goto oom;
    /* POST to /, /v0/data/... and /v1/data/... carries a body the policy may read */
    size_t np = val_arr_len(path);
    bool body = strcmp(method, "POST") == 0 &&
                ((np == 1 && val_str_len(val_arr_at(path, 0)) == 0) ||
                 (np >= 2 && strcmp(val_str_ptr(val_arr_at(path, 1)), "data") == 0 &&
                  (strcmp(val_str_ptr(val_arr_at(path, 0)), "v0") == 0 ||
                   strcmp(val_str_ptr(val_arr_at(path, 0)), "v1") == 0)));
    if (body && rq->body_len > 0) {
        val_t *v = NULL;
        gh_err e;
        gh_err_clear(&e);
        int rc;
        const char *ct = rq->content_type;
        if (ct && strstr(ct, "yaml")) {
            val_t **docs = NULL;
            size_t nd = 0;
            rc = val_yaml_load(a, rq->body, rq->body_len, NULL, &docs, &nd, &e);
            v = rc == 0 && nd > 0 ? docs[0] : VAL_NULLV;
        } else {
            rc = val_json_parse(a, rq->body, rq->body_len, NULL, &v, &e);
        }
        if (rc == GH_ENOMEM) goto oom;
        if (rc) {
            char m[GH_ERR_MSG + 32];
            srv_resp_error(rs, 400, "invalid_parameter", gh_err_format(&e, m, sizeof m), NULL);
            return NULL;
        }
        if (val_obj_put(a, in, val_strc(a, "body"), v)) goto oom;
    }
    /* identity as OPA's identifiers set it: the bearer token under token
     * authentication, the verified client certificate's subject under TLS */
    const char *id = NULL;
    const srv_config *cfg = srv_req_cfg(ctx, rq);
    if (cfg && cfg->authn == SRV_AUTHN_TOKEN)
        id = bearer_token(rq);
    else if (cfg && cfg->authn == SRV_AUTHN_TLS)
        id = rq->principal;
    /* OPA's TLS identifier also hands over the peer's certificates, as Go's
     * JSON of x509.Certificate (the shape crypto.x509.parse_certificates
     * gives), and names the client by Go's text of the leaf's subject */
    if (cfg && cfg->authn == SRV_AUTHN_TLS && rq->peer_certs_der && rq->peer_certs_der_len) {
        val_t *certs = NULL;
        gh_err ce;
        int rc = rego_x509_der_to_value(a, rq->peer_certs_der, rq->peer_certs_der_len, &certs, &ce);
        if (rc == GH_ENOMEM) goto oom;
        if (rc) { /* Go would have refused the handshake: fail closed */
            srv_resp_error(rs, 401, "unauthorized", "client certificate could not be parsed", NULL);
            return NULL;
        }
        if (val_obj_put(a, in, val_strc(a, "client_certificates"), certs)) goto oom;
        const char *gid = go_identity(a, certs);
        if (gid) id = gid;
    }
    if (id && put_str(a, in, "identity", id)) goto oom;
    return in;
oom:
    srv_resp_error(rs, 500, "internal_error", "out of memory building the authorization input",
                   NULL);
    return NULL;
}

/* --authorization=basic: true when the request may proceed; otherwise rs
 * holds OPA's answer (401 rejected, 500 policy missing/undefined or error). */
static bool authorize(srv_ctx *ctx, const srv_req *rq, srv_resp *rs) {
    srv_snapshot *snap = srv_req_snapshot(ctx, rq);
    if (!snap) {
        srv_resp_error(rs, 500, "internal_error", "authorization policy missing or undefined",
                       NULL);
        return false;
    }
    val_t *in = authz_input(ctx, rq, rs);
    if (!in) return false;
    val_t *out = NULL;
    gh_err e;
    gh_err_clear(&e);
    if (srv_eval_first(ctx, snap, rq->arena, "data.system.authz.allow", in, &out, &e)) {
        srv_resp_gh_error(rs, &e);
        return false;
    }
    if (!out) {
        srv_resp_error(rs, 500, "internal_error", "authorization policy missing or undefined",
                       NULL);
        return false;
    }
    if (val_kind_of(out) == VAL_BOOL) {
        if (out->u.b) return true;
    } else if (val_kind_of(out) == VAL_OBJECT) {
        const val_t *al = val_obj_get_str(out, "allowed", 7);
        if (!al) {
            srv_resp_error(rs, 500, "internal_error", "document missing or undefined", NULL);
            return false;
        }
        if (val_kind_of(al) == VAL_BOOL && al->u.b) return true;
        const val_t *why = val_obj_get_str(out, "reason", 6);
        if (why && val_is_str(why)) {
            srv_resp_error(rs, 401, "unauthorized", val_str_ptr(why), NULL);
            return false;
        }
    }
    srv_resp_error(rs, 401, "unauthorized", "request rejected by administrative policy", NULL);
    return false;
}

srv_snapshot *srv_req_snapshot(srv_ctx *ctx, const srv_req *rq) {
    if (!ctx || !ctx->state || !rq->worker) return NULL;
    return srv_state_get(ctx->state, rq->worker);
}

const srv_config *srv_snap_cfg(const srv_ctx *ctx, const srv_snapshot *s) {
    return s && s->cfg ? s->cfg : ctx ? ctx->cfg : NULL;
}

const srv_config *srv_req_cfg(srv_ctx *ctx, const srv_req *rq) {
    return srv_snap_cfg(ctx, srv_req_snapshot(ctx, rq));
}

/* ==== dispatch ================================================================= */

static void dispatch(srv_ctx *ctx, srv_req *rq, srv_resp *rs) {
    rs->route = "unknown";
    const srv_config *cfg = srv_req_cfg(ctx, rq);
    /* bearer tokens of the configuration in force (reloaded on SIGHUP) */
    if (!rq->authenticated && cfg && cfg->ntoken_hashes > 0 &&
        srv_tokens_check_hex(cfg->token_hashes, cfg->ntoken_hashes,
                             srv_req_header(rq, "authorization"))) {
        rq->authenticated = true;
        rq->principal = "bearer-token";
    }
    if (cfg && cfg->authz == SRV_AUTHZ_BASIC && !authorize(ctx, rq, rs)) {
        rs->route = "authz";
        return;
    }
    /* the encoded path, so %2F stays inside its segment (mux UseEncodedPath) */
    const char *raw = rq->raw_path ? rq->raw_path : rq->path ? rq->path : "/";
    size_t rn = strcspn(raw, "?#");
    char *p = clean_path(rq->arena, raw, rn);
    if (!p) {
        srv_resp_error(rs, 500, "internal_error", "out of memory", NULL);
        return;
    }
    if (strlen(p) != rn || memcmp(p, raw, rn) != 0) {
        redirect(rs, rq, p, false);
        return;
    }
    unsigned m = method_bit(rq->method);
    const route *hit = NULL, *any = NULL;
    const char *rest = NULL;
    for (size_t i = 0; i < NROUTES && !hit; i++) {
        const char *r = NULL;
        if (!route_match(&routes[i], p, &r)) continue;
        if (!any) any = &routes[i];
        if (routes[i].methods & m) hit = &routes[i], rest = r;
    }
    if (!any) {
        /* mux StrictSlash: "/v1/policies/" -> 301 "/v1/policies" */
        size_t n = strlen(p);
        if (n > 1 && p[n - 1] == '/') {
            p[n - 1] = 0;
            for (size_t i = 0; i < NROUTES; i++)
                if (!routes[i].sub && strcmp(routes[i].path, p) == 0) {
                    rs->route = routes[i].label;
                    redirect(rs, rq, p, true);
                    return;
                }
        }
        not_found(rs);
        return;
    }
    rs->route = any->label;
    if (!hit || !hit->fn) {
        method_not_allowed(rs);
        return;
    }
    rs->route = hit->label;
    if (hit->write && !rq->authenticated && !(cfg && cfg->allow_unauthenticated_writes)) {
        srv_resp_error(rs, 401, "unauthorized",
                       "policy and data writes require an authenticated client (configure "
                       "authentication, or allow_unauthenticated_writes for a trusted network)",
                       NULL);
        return;
    }
    hit->fn(ctx, rq, rs, rest);
}

/* One request sees one snapshot, and so one configuration: the worker's is
 * refreshed here and pinned until the handler returns. */
void srv_dispatch(srv_ctx *ctx, srv_req *rq, srv_resp *rs) {
    srv_worker *w = rq->worker;
    bool pin = w && !w->pinned && ctx && ctx->state;
    if (pin) {
        srv_state_get(ctx->state, w);
        w->pinned = true;
    }
    dispatch(ctx, rq, rs);
    if (pin) w->pinned = false;
}
