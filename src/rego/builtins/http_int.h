/* http_int.h - internals shared by the http.send builtin (http.c), its
 * libcurl transport (http_client.c) and the inter-query response cache
 * (http_cache.c). A request is parsed once into hs_req (pointing into the
 * query arena); a response is read into heap buffers (hs_resp) and turned
 * into a Rego value by hs_resp_value, both for fresh and cached responses. */
#ifndef GH_REGO_HTTP_INT_H
#define GH_REGO_HTTP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "builtins.h"

/* Response header bytes accepted per response. Go allows 1 MiB; libcurl
 * stops at 300 KiB on its own, so ours sits below that to keep one message. */
#define HS_MAX_HEADER_BYTES (256u * 1024u)
/* Redirect hops followed with enable_redirect (Go's http.Client). */
#define HS_MAX_REDIRECTS 10
/* Largest CA/cert/key file read for tls_*_file. */
#define HS_MAX_PEM_FILE (1u << 20)

typedef struct hs_req {
    const char *method; /* upper case, a valid token */
    const char *url;    /* NUL-terminated */
    const char *body;   /* NULL: no body given */
    size_t body_len;
    const char **hname, **hval; /* caller headers, names canonical (Go's form) */
    size_t nh;
    bool has_ua, has_host, has_accept_enc; /* which of these the caller set */
    bool enable_redirect;
    int64_t timeout_ns; /* <= 0: none */
    uint32_t max_retry;
    /* TLS */
    bool insecure;
    bool system_certs;  /* trust the system store */
    const char *ca_pem; /* extra CAs (PEM, validated), NULL: none */
    size_t ca_len;
    const char *cert_pem, *key_pem; /* client pair (validated), NULL: none */
    size_t cert_len, key_len;
    const char *server_name; /* TLS name to verify/send instead of the URL host */
    /* conditional headers when revalidating a cached response */
    const char *if_none_match, *if_modified_since;
} hs_req;

typedef struct hs_resp {
    long code;
    gh_buf status; /* "200 OK" as Go reports it ("200" without a reason) */
    gh_buf hdrs;   /* "name\0value\0" pairs in arrival order, names as received */
    gh_buf body;
    bool gunzipped; /* body was gzip-decoded by the transport */
} hs_resp;

void hs_resp_init(hs_resp *r);
void hs_resp_free(hs_resp *r);

/* True when k is a string naming one of http.send's request keys in OPA 1.x
 * (url, method, headers, tls_*, cache_*, ...; the list lives in http.c).
 * providers.aws.sign_req accepts the same keys. */
bool hs_request_key(const val_t *k);

/* Kinds of transport failure, which decide OPA's error text and code. */
enum {
    HS_FAIL_INTERNAL = 1, /* eval_http_send_internal_error: bad TLS material, limits */
    HS_FAIL_NETWORK,      /* eval_http_send_network_error: Go's *url.Error */
    HS_FAIL_TIMEOUT,      /* a network error that was the request timing out */
};

typedef struct hs_fail {
    int kind;             /* HS_FAIL_* */
    bool in_body;         /* timed out after the headers arrived */
    char op[16];          /* Go's url.Error Op: "Get", "Post", ... */
    char url[1024];       /* the URL of the failing hop */
    char msg[GH_ERR_MSG]; /* the detail (for network errors, after `Op "URL": `) */
} hs_fail;

/* Perform rq under policy pol (redirects, retries, limits), filling *out.
 * Returns 0 or -1 with *f describing the failure. Thread-safe. */
int hs_perform(const struct rego_http_policy *pol, const hs_req *rq, hs_resp *out, hs_fail *f);

/* True when url is http(s) and allowed by pol's allow list; otherwise
 * false with Go/OPA's message in msg: *scheme_err set for what Go's
 * transport reports (a scheme other than http/https: "unsupported protocol
 * scheme \"ftp\"", or no host), clear for a malformed or unallowed URL
 * ("unallowed host: example.com"). */
bool hs_url_allowed(const struct rego_http_policy *pol, const char *url, bool *scheme_err,
                    char *msg, size_t msgsz);

/* The Rego response object {status, status_code, body, raw_body, headers}
 * from raw parts (hdrs as in hs_resp). body is decoded as JSON or YAML when
 * forced or when the content type says so; undecodable bodies give null. */
int hs_resp_value(rego_bctx *c, const char *status, size_t status_len, long code, const char *hdrs,
                  size_t hdrs_len, const char *body, size_t body_len, bool force_json,
                  bool force_yaml, val_t **out);

/* First value of header `name` (case-insensitive) in an hs_resp hdrs block. */
const char *hs_hdr_get(const char *hdrs, size_t len, const char *name);

/* Go's http.StatusText (English reason phrase), "" when unknown. */
const char *hs_status_text(long code);

/* ---- inter-query cache (http_cache.c) ------------------------------------------ */

/* Cache parameters of one request. */
typedef struct hs_cache_params {
    bool force;         /* force_cache */
    int64_t force_secs; /* force_cache_duration_seconds */
} hs_cache_params;

/* A cached response copied into the query arena by hs_cache_get. */
typedef struct hs_cached {
    long code;
    const char *status, *hdrs, *body;
    size_t status_len, hdrs_len, body_len;
    bool fresh;                       /* usable as is at now_ns */
    const char *etag, *last_modified; /* validators for revalidation (arena) */
} hs_cached;

/* Look key up; copies the entry into a. Returns 1 found, 0 not, GH_ENOMEM. */
int hs_cache_get(rego_http_cache *hc, gh_arena *a, const char *key, size_t klen, int64_t now_ns,
                 const hs_cache_params *p, hs_cached *out);
/* Store a response when cacheable (status code, no-store unless forced).
 * now_ns is the query time (the creation time for force_cache). */
void hs_cache_put(rego_http_cache *hc, const char *key, size_t klen, int64_t now_ns,
                  const hs_cache_params *p, long code, const char *status, size_t status_len,
                  const char *hdrs, size_t hdrs_len, const char *body, size_t body_len);
void hs_cache_del(rego_http_cache *hc, const char *key, size_t klen);
/* out += old headers minus the names present in upd, then upd (how a 304
 * refreshes a cached response's headers). 0 or GH_ENOMEM. */
int hs_merge_headers(gh_buf *out, const char *old, size_t oldlen, const char *upd, size_t updlen);
/* Whether OPA caches responses with this status code (RFC 7231 6.1). */
bool hs_code_cacheable(long code);

#endif
