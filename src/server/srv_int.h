/* srv_int.h - interfaces between the server's parts (not public).
 *
 *   transport (serve.c, http.c, http_io.c, http_parse.c, tls.c, ratelimit.c, privdrop.c)
 *       accepts connections, parses HTTP/1.1 (its own bounded parser on libevent
 *       event loops), enforces limits,
 *       authenticates, and hands each request as a srv_req to
 *   router (router.c) -> handlers (api_data.c, api_policies.c, api_query.c,
 *       api_health.c, api_admit.c), which read the current srv_snapshot from
 *   state (state.c): immutable snapshots of policies + data, swapped
 *       atomically by writes and reloads; and report to
 *   observability (metrics.c, declog.c): Prometheus counters/histograms,
 *       access log, decision log.
 *
 * Threading: each worker thread runs one event loop; a request is handled
 * to completion on its worker (no handler blocks on another worker).
 * Handlers never keep pointers into a snapshot after returning. */
#ifndef GH_SRV_INT_H
#define GH_SRV_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "policy/policy.h"
#include "rego/rego.h"
#include "server/srv.h"
#include "value/value.h"

typedef struct srv_ctx srv_ctx;
typedef struct srv_worker srv_worker;

/* ==== snapshots (state.c) ===================================================
 * A snapshot is everything a decision reads: the compiled policy, the base
 * documents, the Gatekeeper model for /v1/admit and the module sources for
 * /v1/policies. Immutable once published; reference counted. */
typedef struct srv_module {
    char *id;      /* policy id (OPA: the path it was loaded from or PUT under) */
    char *text;    /* Rego source, NUL-terminated */
    size_t len;
} srv_module;

typedef struct srv_snapshot {
    _Atomic uint32_t refs;
    uint64_t revision;      /* increases by one per published snapshot */
    int64_t loaded_ns;      /* wall clock when published */
    rego_policy *policy;    /* compiled; modules + data */
    pol_gk *gk;             /* Gatekeeper templates/constraints (may be NULL) */
    srv_module *mods;       /* sorted by id */
    size_t nmods;
    gh_arena arena;         /* owns the module strings */
    val_t *data;            /* base documents written through the API or loaded (object);
                               owned by policy (rego_policy_data) */
    val_t *bundles;         /* bundles loaded from disk: {name: {"revision": rev}} (in arena;
                               NULL when none), for ?provenance and /v1/status */
    const srv_config *cfg;  /* the configuration it was published under (a SIGHUP reload of
                               gatehouse.yaml publishes a new one with the next snapshot);
                               NULL only in snapshots built outside a state (tests) */
    struct st_cfg *cfg_ref; /* keeps cfg alive (state_int.h) */
} srv_snapshot;

typedef struct srv_state srv_state;
typedef struct st_cfg st_cfg;

/* Load every configured path (and the built-in pack when enabled) and
 * publish revision 1. Errors as OPA's loader (file:line:col). */
srv_state *srv_state_new(const srv_config *c, gh_err *e);
void srv_state_free(srv_state *st);
/* For threads that are not workers (reload, status): a counted reference to
 * the current snapshot; pair with srv_snapshot_release. */
srv_snapshot *srv_state_acquire(srv_state *st);
void srv_snapshot_release(srv_snapshot *s);
/* Last reload outcome, for /health and /v1/status ("" when it succeeded). */
void srv_state_last_error(srv_state *st, char *out, size_t n);

/* Per-worker cached pointer: the fast path is one atomic load of the global
 * revision; the snapshot is re-acquired (under the state's mutex) only when
 * it changed. The returned snapshot stays valid until the worker's next
 * srv_state_get call. While w->pinned (srv_dispatch sets it for the length
 * of one request) the cached snapshot is returned as is, so a request sees
 * one snapshot, and one configuration, from start to end. */
srv_snapshot *srv_state_get(srv_state *st, srv_worker *w);

/* A change to apply to the current snapshot (writes are serialised by a
 * mutex, compiled off the decision path, then published). */
typedef enum srv_change_kind {
    SRV_CH_PUT_MODULE,   /* id, text */
    SRV_CH_DELETE_MODULE,/* id */
    SRV_CH_DATA_PUT,     /* path (array of keys), value; creates parents */
    SRV_CH_DATA_DELETE,  /* path */
    SRV_CH_DATA_PATCH,   /* path, value = JSON Patch array (RFC 6902 ops, paths relative to path) */
    SRV_CH_RELOAD,       /* re-read every configured path from disk */
} srv_change_kind;

typedef struct srv_change {
    srv_change_kind kind;
    const char *id;
    const char *text;
    size_t len;
    const val_t *path;   /* array of string keys */
    const val_t *value;
    bool if_none_match;  /* DATA_PUT: fail with kind "not_modified" (GH_ECONFLICT) when
                            the document exists (If-None-Match: *) */
    srv_config *cfg;     /* RELOAD: a new configuration (heap, from srv_config_reread) to load
                            the paths of and publish with the snapshot; taken over whatever
                            the outcome (freed when the reload fails). NULL: keep the
                            current one */
} srv_change;

/* Apply and publish. On error the current snapshot is kept and e holds the
 * error (compile errors: kind "rego_*" and the module location; missing
 * path: GH_ENOTFOUND; conflicts: GH_ECONFLICT). errs, when non-NULL,
 * receives every compile error as OPA's error objects (array in a). */
int srv_state_apply(srv_state *st, const srv_change *ch, gh_arena *a, val_t **errs, gh_err *e);
/* Error kinds (gh_err.kind) srv_state_apply reports, besides the compiler's:
 * "storage_not_found_error" (GH_ENOTFOUND: OPA answers 404 resource_not_found),
 * "storage_write_conflict_error" (GH_ECONFLICT: 404 resource_conflict),
 * "storage_invalid_patch_error" and "invalid_parameter" (GH_EINVAL: 400),
 * "not_modified" (If-None-Match: 304). Data writes that put data where rules
 * are give "rego_compile_error" with errs listing every conflicting rule, as
 * a module put that conflicts with data does. e->msg holds OPA's message
 * ("storage_not_found_error: /a/b: document does not exist"). Semantics:
 * PATCH ops are OPA's storage ops (add/remove/replace; "bad patch operation"
 * otherwise), not RFC 6902 test/move/copy; RELOAD re-reads the configured
 * paths, keeps modules put through the API, and re-applies the data writes
 * accepted through the API since start (in order; a PUT/DELETE supersedes
 * earlier writes under its path; a write that no longer applies is
 * skipped) over the files' data. */

/* The revision currently published (one atomic load). */
uint64_t srv_state_revision(srv_state *st);
/* A worker that stops calls this: releases its cached snapshot and frees
 * its query cache (w->query_cache_free). */
void srv_state_worker_done(srv_worker *w);

/* ==== requests and responses ================================================
 * The transport fills a srv_req; handlers fill a srv_resp. Strings are valid
 * for the handler call. Body bytes are not NUL-terminated. */
#define SRV_MAX_RESP_HEADERS 8

typedef struct srv_req {
    const char *method;      /* "GET", "POST", ... */
    const char *path;        /* percent-decoded path without the query */
    const char *raw_path;    /* as received */
    const char *query;       /* raw query string (after '?'), NULL when none */
    const char *body;
    size_t body_len;
    const char *content_type;    /* NULL when absent */
    const char *content_encoding;/* as received; gzip/deflate bodies arrive already decoded */
    const char *accept_encoding;
    const char *client;      /* peer address text */
    const char *principal;   /* authenticated identity (token name / cert subject), NULL */
    bool authenticated;
    int64_t start_ns;        /* monotonic clock at request start */
    gh_arena *arena;         /* per-request arena, reset after the response */
    srv_worker *worker;
    /* every request header as received (added by the API helper: the
     * authorization input lists them and handlers need e.g. If-None-Match);
     * nhdrs == 0 when the transport gives none. Read with srv_req_header. */
    const char *const *hdr_names;
    const char *const *hdr_values;
    int nhdrs;
    /* the verified TLS client's certificates as it sent them (leaf first),
     * concatenated DER; NULL when none. Filled by the transport under
     * --authentication=tls with --authorization=basic (the authorization
     * input's client_certificates). (added by the explain helper) */
    const unsigned char *peer_certs_der;
    size_t peer_certs_der_len;
} srv_req;

typedef struct srv_resp {
    int status;              /* 0 until set */
    gh_buf body;             /* owned by the transport; handlers append */
    const char *content_type;/* static; NULL: "application/json" */
    const char *hdr_name[SRV_MAX_RESP_HEADERS];
    const char *hdr_value[SRV_MAX_RESP_HEADERS];
    int nhdr;
    const char *route;       /* metrics label (static, e.g. "v1_data"); set by router */
    const char *decision_id; /* set when a decision was logged */
} srv_resp;

/* Add a response header (name and value must outlive the response: static or
 * in the request arena). Ignored past SRV_MAX_RESP_HEADERS. */
void srv_resp_header(srv_resp *rs, const char *name, const char *value);
/* OPA's error body {"code": code, "message": msg[, "errors": errs]} with
 * status. code is OPA's ("invalid_parameter", "resource_not_found",
 * "internal_error", "unauthorized", "resource_conflict", ...). Written as
 * OPA writes it: always indented by two spaces, fields in that order, each
 * error object as code, message, location {file, row, col}, details {line,
 * idx}, then other keys sorted; a trailing newline; content type JSON. */
void srv_resp_error(srv_resp *rs, int status, const char *code, const char *msg,
                    const val_t *errs);
/* A JSON body as OPA's writer.JSON: v with object keys sorted (Go sorts map
 * keys), compact or, when pretty, indented by two spaces; a trailing
 * newline; < > & escaped as \u003c \u003e \u0026. v == NULL (an OOM
 * upstream) answers 500. */
void srv_resp_json(srv_resp *rs, int status, const val_t *v, bool pretty);

/* ==== live transport settings (ratelimit.c) =================================== */

/* The per-client rate limit (http_int.h) as serve.c keeps it: made even
 * when off (rps 0), so that a reload can turn it on; srv_ratelimit_set
 * changes rate and burst while workers use it (burst <= 0: the rate rounded
 * up, at least 1). */
typedef struct srv_ratelimit srv_ratelimit;
srv_ratelimit *srv_ratelimit_new_adjustable(double rps, int burst);
void srv_ratelimit_set(srv_ratelimit *rl, double rps, int burst);

/* ==== routing (router.c) ===================================================== */

/* Does the header value "Bearer <token>" carry a token whose SHA-256 is one
 * of hex[0..n) (64 lower-case hex digits each, as the configuration stores
 * them)? Constant time over every digest; nothing is logged. For the
 * router, which checks the tokens of the configuration in force.
 * (http_parse.c) */
bool srv_tokens_check_hex(char *const *hex, int n, const char *authz);

/* Handle one request: route, authorize, run the handler, fill rs. Never
 * fails: every problem becomes an HTTP error response. A request the
 * transport did not authenticate that carries a bearer token of the
 * configuration in force gets rq->authenticated and rq->principal
 * ("bearer-token", static) set here, so the access log names it. */
void srv_dispatch(srv_ctx *ctx, srv_req *rq, srv_resp *rs);

/* -- request helpers (router.c; for every handler) -- */
/* The first value of header `name` (case-insensitive), or NULL. */
const char *srv_req_header(const srv_req *rq, const char *name);
/* Query parameters as Go's url.Query() reads them: pairs split on '&', '+'
 * is a space, %XX decoded; a pair holding ';' or a bad escape is skipped.
 * srv_query_get: the LAST value of `name` (OPA uses the last), decoded into
 * the request arena; NULL when absent. srv_query_has: present at all.
 * srv_query_bool: OPA's getBoolParam(name, ifEmpty=true): absent -> false, a
 * single empty value -> true, else true when any value is "true" (any case). */
const char *srv_query_get(const srv_req *rq, const char *name);
bool srv_query_has(const srv_req *rq, const char *name);
bool srv_query_bool(const srv_req *rq, const char *name);
/* Every value of `name` in order, decoded, as an array of strings in the
 * request arena (empty array when absent; NULL on OOM). */
val_t *srv_query_all(const srv_req *rq, const char *name);
/* The request's query parameters as OPA's authorization input "params":
 * {name: [values...]}. NULL on OOM. */
val_t *srv_query_params(const srv_req *rq);
/* OPA's writer.ErrorAuto for an engine/state error: eval_* kinds -> 500
 * {"code":"internal_error","message":"error(s) occurred while evaluating
 * query","errors":[{code,message,location}]}; GH_ENOTFOUND -> 404
 * resource_not_found; GH_ECONFLICT -> 404 resource_conflict (as OPA);
 * GH_EINVAL/GH_EPARSE/GH_ETYPE/GH_ELIMIT -> 400 invalid_parameter; anything
 * else -> 500 internal_error. The message is e's text (with file:line:col
 * when known). */
void srv_resp_gh_error(srv_resp *rs, const gh_err *e);
/* OPA's AST error objects {"code","message","location":{"file","row","col"}
 * [,"details":{"line","idx"}]} for e, as an array (one per error the
 * compiler joined into e; pol_errors_add_gh/pol_errors_to_value), details
 * for parse errors from `src` when given. srv_err_object: the first one.
 * NULL on OOM. */
val_t *srv_err_list(gh_arena *a, const gh_err *e, const char *src, size_t n);
val_t *srv_err_object(gh_arena *a, const gh_err *e, const char *src, size_t n);
/* The same from an engine error list (rego_errors: details of type errors
 * included); e when the list is empty. */
val_t *srv_err_list_of(gh_arena *a, const rego_errors *r, const gh_err *e, const char *src,
                       size_t n);
/* Go's url.PathUnescape of [s, s+n) ("%2F" -> "/", '+' kept) into a; NULL
 * on a malformed escape or OOM. */
char *srv_unescape_path(gh_arena *a, const char *s, size_t n);
/* The value of hex digit c, -1 when c is not one (paths, chunk sizes, digests). */
static inline int srv_hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* The worker's current snapshot (srv_state_get), or NULL when the request
 * has no worker or the context no state. Valid until the handler returns. */
srv_snapshot *srv_req_snapshot(srv_ctx *ctx, const srv_req *rq);
/* The configuration the request is served under: its snapshot's (settings
 * reloaded from gatehouse.yaml on SIGHUP take effect per request), else
 * ctx->cfg. Valid until the handler returns; never NULL when ctx->cfg is
 * set. Handlers holding a snapshot read snap->cfg (srv_snap_cfg). */
const srv_config *srv_req_cfg(srv_ctx *ctx, const srv_req *rq);
const srv_config *srv_snap_cfg(const srv_ctx *ctx, const srv_snapshot *s);

/* -- API handlers (api_*.c, owned by the API helper) --
 * rest: for routes with a {path} part, the still percent-encoded remainder
 * after the route prefix ("a%2Fb/c" for /v1/policies/a%2Fb/c); else NULL. */
typedef void (*srv_api_fn)(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_policies_list(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_policies_get(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_policies_put(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_policies_delete(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_query_get(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_query_post(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_compile(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_health(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_health_policy(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_config(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_status(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_metrics(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_index(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_admit(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
/* Evaluate a query text (e.g. "data.system.authz.allow") on snap with input
 * (may be NULL), under the configured evaluation limits, allocating in a.
 * *out: the value of the first expression of the first solution, NULL when
 * undefined. Errors as rego_query_prepare / rego_query_eval. (api_query.c) */
int srv_eval_first(const srv_ctx *ctx, const srv_snapshot *snap, gh_arena *a, const char *text,
                   const val_t *input, val_t **out, gh_err *e);

/* ==== data API (api_data.c, owned by the state helper) =========================
 * Handlers with the router's srv_api_fn shape; rest is the still
 * percent-encoded remainder after "/v1/data/" or "/v0/data/" (NULL for the
 * bare prefix, i.e. the root document).
 * srv_api_data: every method of /v1/data[/{path}]: GET/POST decisions
 *   ({"decision_id","provenance"?,"explanation"?,"metrics"?,"result"?,"warning"?};
 *   ?pretty ?metrics ?instrument ?provenance ?explain=notes|full|debug (explain.c)
 *   ?strict-builtin-errors; GET ?input=), PUT (If-None-Match: * -> 304),
 *   PATCH (OPA's add/remove/replace ops), DELETE -> 204; others -> 405.
 * srv_api_v0_data: POST /v0/data/{path}: input = body, raw result, undefined
 *   -> 404 undefined_document.
 * srv_api_default_decision: POST /: data.system.main as v0.
 * Each decision calls srv_declog_record (rs->decision_id set) and
 * srv_metrics_decision. The worker's query_cache holds prepared queries
 * (freed by srv_state_worker_done). */
void srv_api_data(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_v0_data(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);
void srv_api_default_decision(srv_ctx *ctx, const srv_req *rq, srv_resp *rs, const char *rest);

/* End of the first JSON value in [p, p+n) as Go's json.Decoder reads it
 * (what follows is ignored): just past the closing bracket/quote or the
 * scalar; n when it cannot tell (the parser then reports the error); 0 for
 * an empty or whitespace-only body. Used by api_data.c and api_query.c. */
size_t srv_json_first_value_end(const char *p, size_t n);

/* ==== ?explain (explain.c, explain helper) ====================================
 * OPA's ?explain for /v1/data and /v1/query. srv_explain_mode_get reads the
 * parameter: "notes", "full", "debug"; anything else (OPA 0.61 treats
 * "fails" the same) is off. srv_explain_new makes a recorder in the request
 * arena (NULL on OOM) for the mode and ?pretty; srv_explain_attach installs
 * it as the evaluation's tracer (eo->trace/trace_ud). srv_explain_emit
 * appends the "explanation" array: without pretty, OPA's TraceEventV1
 * objects {op, query_id, parent_id, type, node, locals, message?} (compact,
 * fields in OPA's order); with pretty, PrettyTraceWithLocation lines as
 * strings, indented for an object member at `level` (1 for a top-level
 * member). notes keeps each trace() note and the Enter events of its query
 * lineage; full and debug keep every event. 0 or GH_ENOMEM. Differences from
 * OPA are listed in docs/server-api.md. */
typedef enum srv_explain_mode {
    SRV_EXPLAIN_OFF,
    SRV_EXPLAIN_NOTES,
    SRV_EXPLAIN_FULL,
    SRV_EXPLAIN_DEBUG,
} srv_explain_mode;
typedef struct srv_explain srv_explain;
srv_explain_mode srv_explain_mode_get(const srv_req *rq);
srv_explain *srv_explain_new(gh_arena *a, srv_explain_mode mode, bool pretty);
void srv_explain_attach(srv_explain *x, rego_eval_opts *eo);
int srv_explain_emit(srv_explain *x, gh_buf *b, int level);

/* ==== the server context ======================================================
 * Shared by every worker; immutable after start except through the atomics
 * and mutexes of its parts. */
typedef struct srv_metrics srv_metrics;
typedef struct srv_declog srv_declog;

struct srv_ctx {
    const srv_config *cfg;
    srv_state *state;
    srv_metrics *metrics;
    srv_declog *declog;
    int64_t started_ns;      /* wall clock at start */
    const char *version;     /* gatehouse version string */
    char instance_id[40];    /* random id (OPA's "labels.id" in /v1/status and /v1/config) */
};

/* Per-worker data the handlers may use (transport owns the worker). */
struct srv_worker {
    int index;
    srv_snapshot *snap;      /* cached by srv_state_get */
    uint64_t snap_rev;
    bool pinned;             /* inside srv_dispatch: srv_state_get keeps snap */
    void *query_cache;       /* handlers' prepared-query cache (api_data.c owns its shape) */
    void (*query_cache_free)(void *);
    uint64_t rng;            /* decision ids */
};

/* ==== observability (metrics.c, declog.c) ==================================== */

srv_metrics *srv_metrics_new(void);
void srv_metrics_free(srv_metrics *m);
/* One finished request: route label, status code, latency. Lock-free (per
 * worker shards or atomics). */
void srv_metrics_request(srv_metrics *m, int worker, const char *route, int status,
                         int64_t latency_ns);
/* One decision outcome: "true", "false", "undefined", "error", "allowed", "denied". */
void srv_metrics_decision(srv_metrics *m, int worker, const char *result);
void srv_metrics_reload(srv_metrics *m, bool ok, uint64_t revision);
/* Prometheus text exposition (version 0.0.4) of everything counted. */
void srv_metrics_render(srv_metrics *m, gh_buf *out);

/* Decision log: one JSON line per decision (decision_id, path, input
 * SHA-256, result, revision, timestamp, latency), appended to a file by a
 * background writer; NULL path: off. Line shape:
 *   {"decision_id":"<uuid>","path":"a/b","input_sha256":"<hex>"|null,
 *    "result":<json, omitted when undefined>,"revision":N,
 *    "timestamp":"2026-12-04T18:43:26.123456789Z","latency_ns":N}
 * The input is never written (only the SHA-256 of its sorted compact JSON);
 * a result over 64 KiB is replaced by "result_truncated":true and
 * "result_sha256". The file is opened O_APPEND, created 0600.
 * srv_declog_open(NULL) returns a valid handle that only makes ids; NULL
 * return = error (file cannot be opened, e says why). */
srv_declog *srv_declog_open(const char *path, gh_err *e);
/* For the server: like srv_declog_open, but always with a writer, so that
 * srv_declog_reopen can later turn logging on (path NULL: off for now). */
srv_declog *srv_declog_open_live(const char *path, gh_err *e);
/* Switch a log from srv_declog_open_live to path (NULL or "": off) while
 * workers record: the new file is opened first (on error nothing changes);
 * records still queued go to the new file. Reload thread only. */
int srv_declog_reopen(srv_declog *d, const char *path, gh_err *e);
/* Stop the writer after it has written everything queued, close the file,
 * free. Call after the workers have stopped recording. NULL is fine. */
void srv_declog_close(srv_declog *d);
/* Record a decision; fills id (a UUIDv4 text, 37 bytes, from the worker's
 * generator, seeded from RAND_bytes on first use; w may be NULL) even when
 * logging is off or d is NULL. Never blocks the worker on file I/O: when the
 * writer's queue (4096 records) is full the record is dropped and counted. */
void srv_declog_record(srv_declog *d, srv_worker *w, const char *path, const val_t *input,
                       const val_t *result, uint64_t revision, int64_t latency_ns,
                       char id[37]);

/* -- additions (observability helper) -- */
/* Workers with indices 0..SRV_METRICS_MAX_WORKERS-1 get a metrics shard of
 * their own (plain single-writer increments); higher or negative indices
 * (non-worker threads) share one overflow shard updated with atomic adds. */
#define SRV_METRICS_MAX_WORKERS 64
/* Include the decision log's dropped-record count in /metrics
 * (gatehouse_decision_log_dropped_total). d may be NULL; it must outlive m's
 * last render. */
void srv_metrics_attach_declog(srv_metrics *m, const srv_declog *d);
/* Read gatehouse_policy_revision from the state's current snapshot at render
 * time (srv_state_acquire: a mutex, off the decision path) instead of the
 * value last passed to srv_metrics_reload, so API writes show too. st may be
 * NULL; it must outlive m's last render. */
void srv_metrics_attach_state(srv_metrics *m, srv_state *st);
/* Append s escaped as a Prometheus label value (\\, \", \n). */
void srv_metrics_escape_label(gh_buf *out, const char *s);
/* Records dropped because the writer's queue was full, and records written
 * to the file so far. 0 for NULL. */
uint64_t srv_declog_dropped(const srv_declog *d);
uint64_t srv_declog_written(const srv_declog *d);
/* Go's time.RFC3339Nano in UTC: "2026-12-04T18:43:26.1234Z" (fraction
 * trimmed of trailing zeros, omitted when zero). */
void srv_declog_timestamp(int64_t unix_ns, char out[40]);

#endif
