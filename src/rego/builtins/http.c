/* http.c - the http.send builtin (family rego_bi_http): checks the request
 * object as OPA does (same keys, same messages, same order of checks),
 * refuses to run without an embedding policy (rego_bctx.http), memoises
 * per query (rb_cache), consults the inter-query cache (http_cache.c) and
 * hands the wire work to http_client.c. Responses become
 * {status, status_code, body, raw_body, headers} like OPA's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http_int.h"
#include "time_int.h"

/* http.send's request keys in OPA 1.x (sorted by byte value). */
static const char *const request_keys[] = {
    "body",
    "cache",
    "cache_ignored_headers",
    "caching_mode",
    "enable_redirect",
    "force_cache",
    "force_cache_duration_seconds",
    "force_json_decode",
    "force_yaml_decode",
    "headers",
    "max_retry_attempts",
    "method",
    "raise_error",
    "raw_body",
    "timeout",
    "tls_ca_cert",
    "tls_ca_cert_env_variable",
    "tls_ca_cert_file",
    "tls_client_cert",
    "tls_client_cert_env_variable",
    "tls_client_cert_file",
    "tls_client_key",
    "tls_client_key_env_variable",
    "tls_client_key_file",
    "tls_insecure_skip_verify",
    "tls_server_name",
    "tls_use_system_certs",
    "url",
};

bool hs_request_key(const val_t *k) {
    if (!val_is_str(k)) return false;
    const char *p = val_str_ptr(k);
    size_t n = val_str_len(k);
    size_t lo = 0, hi = sizeof request_keys / sizeof *request_keys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t kl = strlen(request_keys[mid]);
        int c = memcmp(request_keys[mid], p, kl < n ? kl : n);
        if (!c) c = kl < n ? -1 : kl > n;
        if (!c) return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* http.send refuses cache_ignored_headers for now: OPA drops those headers
 * from the inter-query cache key, which http_cache.c's keying does not do
 * yet, so accepting the key would cache under the wrong identity. */
static bool known_key(const val_t *k) {
    return hs_request_key(k) && !(val_str_len(k) == 21 &&
                                  !memcmp(val_str_ptr(k), "cache_ignored_headers", 21));
}

/* ---- errors -------------------------------------------------------------------------------- */

/* How a failure is reported: raise_error decides between an eval error and
 * a {status_code: 0, error: {...}} response. Helpers return SE_FAIL (a
 * positive code, unlike GH_ENOMEM) with the details in a send_err. */
enum { SE_BUILTIN = 1, SE_TYPE, SE_NET, SE_TIMEOUT, SE_OOM };
#define SE_FAIL 2

typedef struct send_err {
    int kind;
    char msg[2048];  /* SE_BUILTIN/SE_TYPE: detail; SE_NET/TIMEOUT: url.Error text */
    char tmsg[2048]; /* SE_TIMEOUT: OPA's raise_error text ("Get URL: request timed out") */
} send_err;

static int se_set(send_err *se, int kind, const char *fmt, ...) GH_PRINTF(3, 4);
static int se_set(send_err *se, int kind, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    se->kind = kind;
    vsnprintf(se->msg, sizeof se->msg, fmt, ap);
    va_end(ap);
    return SE_FAIL;
}

static int se_from_fail(send_err *se, const hs_fail *f) {
    if (f->kind == HS_FAIL_INTERNAL) return se_set(se, SE_BUILTIN, "%s", f->msg);
    se_set(se, f->kind == HS_FAIL_TIMEOUT ? SE_TIMEOUT : SE_NET, "%s \"%s\": %s", f->op, f->url,
           f->msg);
    snprintf(se->tmsg, sizeof se->tmsg, "%s %s: request timed out", f->op, f->url);
    return SE_FAIL;
}

/* The term text Go's %v / Term.String() gives (strings quoted). */
static const char *term_text(rego_bctx *c, const val_t *v) {
    const char *s = val_to_json(c->a, v, VAL_JSON_NO_HTML_ESC);
    return s ? s : "?";
}

/* ---- request parsing ------------------------------------------------------------------------ */

/* strconv.ParseBool over Term.String(): booleans, and the numbers 1 / 0. */
static int go_bool(rego_bctx *c, const val_t *v, bool *out, send_err *se) {
    if (val_kind_of(v) == VAL_BOOL) {
        *out = v->u.b;
        return 0;
    }
    const char *t = term_text(c, v);
    if (val_kind_of(v) == VAL_NUMBER && (!strcmp(t, "1") || !strcmp(t, "0"))) {
        *out = t[0] == '1';
        return 0;
    }
    gh_buf q;
    gh_buf_init(&q);
    gh_json_quote(&q, t, strlen(t));
    se_set(se, SE_BUILTIN, "strconv.ParseBool: parsing %s: invalid syntax", q.p ? q.p : "\"\"");
    gh_buf_free(&q);
    return SE_FAIL;
}

/* A strictly boolean field (OPA's getBoolValFromReqObj). */
static int req_bool(const val_t *req, const char *key, bool *out, send_err *se) {
    *out = false;
    val_t *v = val_obj_get_str(req, key, strlen(key));
    if (!v) return 0;
    if (val_kind_of(v) != VAL_BOOL)
        return se_set(se, SE_BUILTIN, "invalid value for \"%s\" field", key);
    *out = v->u.b;
    return 0;
}

/* strconv.ParseInt(s, 10, bits) without the error text. */
static bool go_parse_int(const char *s, size_t n, int bits, int64_t *out, bool *range) {
    *range = false;
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == n) return false;
    uint64_t lim = bits == 32 ? (neg ? 2147483648ull : 2147483647ull)
                              : (neg ? 9223372036854775808ull : 9223372036854775807ull);
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (!*range) {
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > lim) *range = true;
        }
    }
    if (*range) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static int parse_timeout(rego_bctx *c, const val_t *v, int64_t *ns, send_err *se) {
    if (val_kind_of(v) == VAL_NUMBER) {
        if (val_is_int(v) && val_num_to_int64(v, ns)) return 0;
        return se_set(se, SE_BUILTIN, "invalid timeout number value %s, must be int64",
                      term_text(c, v));
    }
    if (val_kind_of(v) != VAL_STRING)
        return se_set(se, SE_TYPE, "operand 1 'timeout' must be one of {string, number} but got %s",
                      val_kind_name(val_kind_of(v)));
    bool range;
    if (go_parse_int(val_str_ptr(v), val_str_len(v), 64, ns, &range)) return 0;
    gh_buf m;
    gh_buf_init(&m);
    int rc = tl_parse_duration(val_str_ptr(v), val_str_len(v), ns, &m);
    if (rc) se_set(se, SE_BUILTIN, "invalid timeout value %s: %s", term_text(c, v), m.p ? m.p : "");
    gh_buf_free(&m);
    return rc ? SE_FAIL : 0;
}

/* Go's textproto.CanonicalMIMEHeaderKey. */
static bool tchar(unsigned char ch) { return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch)); }

static char *canonical_key(gh_arena *a, const char *k, size_t n) {
    char *s = gh_arena_strndup(a, k, n);
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!tchar((unsigned char)s[i])) return s;
    bool up = true;
    for (size_t i = 0; i < n; i++) {
        s[i] = (char)(up ? toupper((unsigned char)s[i]) : tolower((unsigned char)s[i]));
        up = s[i] == '-';
    }
    return s;
}

/* Go's %q of a JSON-decoded header value that is not a string. */
static const char *go_q(rego_bctx *c, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NUMBER: return gh_arena_printf(c->a, "\"%s\"", term_text(c, v));
    case VAL_BOOL: return v->u.b ? "%!q(bool=true)" : "%!q(bool=false)";
    case VAL_NULL: return "%!q(<nil>)";
    default: return term_text(c, v);
    }
}

/* Read a whole (small) file into the arena, Go-style error text. */
static int read_small(rego_bctx *c, const char *path, const char **out, size_t *len, send_err *se) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        char e[128];
        snprintf(e, sizeof e, "%s", strerror(errno));
        e[0] = (char)tolower((unsigned char)e[0]);
        return se_set(se, SE_BUILTIN, "open %s: %s", path, e);
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)HS_MAX_PEM_FILE) {
        close(fd);
        return se_set(se, SE_BUILTIN, "read %s: not a regular file of at most %u bytes", path,
                      HS_MAX_PEM_FILE);
    }
    char *buf = gh_arena_alloc(c->a, (size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf) return se_set(se, SE_OOM, "out of memory");
    buf[got] = 0;
    *out = buf;
    *len = got;
    return 0;
}

/* Walk the PEM blocks of p: counts parsable CERTIFICATE blocks, notes the
 * first block whose type ends in "PRIVATE KEY" (its DER in *key, to free),
 * and lists the other types as Go's %v of []string ("[A B]") in skipped. */
static int pem_scan(const char *p, size_t n, unsigned char **key, long *keylen, gh_buf *skipped,
                    int *nblocks, bool *cert_in_key) {
    BIO *b = BIO_new_mem_buf(p, (int)(n > INT32_MAX ? INT32_MAX : n));
    int count = 0, blocks = 0;
    char *name = NULL, *hdr = NULL;
    unsigned char *data = NULL;
    long len = 0;
    if (key) *key = NULL;
    while (b && PEM_read_bio(b, &name, &hdr, &data, &len) == 1) {
        blocks++;
        size_t nl = strlen(name);
        bool is_key =
            !strcmp(name, "PRIVATE KEY") || (nl > 12 && !strcmp(name + nl - 12, " PRIVATE KEY"));
        if (!key && !strcmp(name, "CERTIFICATE")) {
            const unsigned char *q = data;
            X509 *x = d2i_X509(NULL, &q, len);
            if (x) count++;
            X509_free(x);
        } else if (key && is_key && !*key) {
            *key = data, *keylen = len;
            data = NULL;
        } else if (skipped) {
            gh_buf_puts(skipped, skipped->len ? " " : "[");
            gh_buf_puts(skipped, name);
            if (cert_in_key && !strcmp(name, "CERTIFICATE")) *cert_in_key = true;
        }
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_free(data);
    }
    ERR_clear_error();
    BIO_free(b);
    if (skipped) gh_buf_puts(skipped, skipped->len ? "]" : "[]");
    if (nblocks) *nblocks = blocks;
    return count;
}

/* Go's x509.CertPool.AppendCertsFromPEM: some CERTIFICATE block parses. */
static bool pem_has_cert(const char *p, size_t n) {
    return pem_scan(p, n, NULL, NULL, NULL, NULL, NULL) > 0;
}

/* Go's tls.X509KeyPair checks, with its messages. */
static int check_pair(const char *cert, size_t cn, const char *key, size_t kn, char *msg,
                      size_t msgsz) {
    int blocks = 0, rc = -1;
    bool cert_in_key = false;
    gh_buf sk;
    gh_buf_init(&sk);
    unsigned char *kd = NULL;
    long kl = 0;
    X509 *x = NULL;
    EVP_PKEY *k = NULL;
    BIO *cb = NULL;
    if (pem_scan(cert, cn, NULL, NULL, &sk, &blocks, NULL) == 0) {
        if (!blocks)
            snprintf(msg, msgsz, "tls: failed to find any PEM data in certificate input");
        else
            snprintf(msg, msgsz,
                     "tls: failed to find \"CERTIFICATE\" PEM block in certificate "
                     "input after skipping PEM blocks of the following types: %s",
                     sk.p ? sk.p : "[]");
        goto out;
    }
    gh_buf_reset(&sk);
    pem_scan(key, kn, &kd, &kl, &sk, &blocks, &cert_in_key);
    if (!kd) {
        if (!blocks)
            snprintf(msg, msgsz, "tls: failed to find any PEM data in key input");
        else if (cert_in_key)
            snprintf(msg, msgsz,
                     "tls: found a certificate rather than a key in the PEM for the "
                     "private key");
        else
            snprintf(msg, msgsz,
                     "tls: failed to find PEM block with type ending in \"PRIVATE "
                     "KEY\" in key input after skipping PEM blocks of the following "
                     "types: %s",
                     sk.p ? sk.p : "[]");
        goto out;
    }
    const unsigned char *q = kd;
    if (!(k = d2i_AutoPrivateKey(NULL, &q, kl))) {
        snprintf(msg, msgsz, "tls: failed to parse private key");
        goto out;
    }
    cb = BIO_new_mem_buf(cert, (int)cn);
    if (!cb || !(x = PEM_read_bio_X509(cb, NULL, NULL, NULL))) {
        snprintf(msg, msgsz, "x509: malformed certificate");
        goto out;
    }
    if (X509_check_private_key(x, k) != 1) {
        snprintf(msg, msgsz, "tls: private key does not match public key");
        goto out;
    }
    rc = 0;
out:
    ERR_clear_error();
    if (kd) OPENSSL_cleanse(kd, (size_t)kl);
    OPENSSL_free(kd);
    EVP_PKEY_free(k);
    X509_free(x);
    BIO_free(cb);
    gh_buf_free(&sk);
    return rc;
}

typedef struct tls_src {
    const char *ca, *ca_file, *ca_env;
    const char *cert, *cert_file, *cert_env, *key, *key_file, *key_env;
    size_t ca_len, cert_len, key_len;
    int system; /* -1 unset */
} tls_src;

static int add_ca(gh_buf *ca, const char *p, size_t n) {
    if (!pem_has_cert(p, n)) return -1;
    gh_buf_append(ca, p, n);
    gh_buf_putc(ca, '\n');
    return 0;
}

/* Turn the TLS fields into validated PEM for the transport. */
static int tls_setup(rego_bctx *c, tls_src *t, hs_req *rq, send_err *se) {
    char m[256];
    const char *a, *b;
    size_t an, bn;
    if (t->cert && t->key && t->cert_len && t->key_len) {
        if (check_pair(t->cert, t->cert_len, t->key, t->key_len, m, sizeof m))
            return se_set(se, SE_BUILTIN, "%s", m);
        rq->cert_pem = t->cert, rq->cert_len = t->cert_len;
        rq->key_pem = t->key, rq->key_len = t->key_len;
    }
    if (t->cert_file && t->key_file && *t->cert_file && *t->key_file) {
        if (read_small(c, t->cert_file, &a, &an, se) || read_small(c, t->key_file, &b, &bn, se))
            return SE_FAIL;
        if (check_pair(a, an, b, bn, m, sizeof m)) return se_set(se, SE_BUILTIN, "%s", m);
        rq->cert_pem = a, rq->cert_len = an, rq->key_pem = b, rq->key_len = bn;
    }
    if (t->cert_env && t->key_env && *t->cert_env && *t->key_env) {
        a = getenv(t->cert_env);
        b = getenv(t->key_env);
        a = a ? a : "", b = b ? b : "";
        if (check_pair(a, strlen(a), b, strlen(b), m, sizeof m))
            return se_set(se, SE_BUILTIN,
                          "cannot extract public/private key pair from envvars \"%s\", \"%s\": %s",
                          t->cert_env, t->key_env, m);
        rq->cert_pem = gh_arena_strndup(c->a, a, strlen(a)), rq->cert_len = strlen(a);
        rq->key_pem = gh_arena_strndup(c->a, b, strlen(b)), rq->key_len = strlen(b);
        if (!rq->cert_pem || !rq->key_pem) return se_set(se, SE_OOM, "out of memory");
    }
    bool any_ca = (t->ca && t->ca_len) || (t->ca_file && *t->ca_file) || (t->ca_env && *t->ca_env);
    rq->system_certs = t->system < 0 ? !any_ca : t->system == 1;
    gh_buf ca;
    gh_buf_init(&ca);
    int rc = 0;
    if (t->ca && t->ca_len) { /* OPA turns literal "\n" into newlines */
        gh_buf fixed;
        gh_buf_init(&fixed);
        for (size_t i = 0; i < t->ca_len; i++) {
            if (t->ca[i] == '\\' && i + 1 < t->ca_len && t->ca[i + 1] == 'n') {
                gh_buf_putc(&fixed, '\n');
                i++;
            } else {
                gh_buf_putc(&fixed, t->ca[i]);
            }
        }
        if (add_ca(&ca, fixed.p ? fixed.p : "", fixed.len))
            rc = se_set(se, SE_BUILTIN, "could not append certificates");
        gh_buf_free(&fixed);
    }
    if (!rc && t->ca_file && *t->ca_file) {
        rc = read_small(c, t->ca_file, &a, &an, se);
        if (!rc && add_ca(&ca, a, an))
            rc = se_set(se, SE_BUILTIN, "could not append CA certificates from \"%s\"", t->ca_file);
    }
    if (!rc && t->ca_env && *t->ca_env) {
        a = getenv(t->ca_env);
        if (add_ca(&ca, a ? a : "", a ? strlen(a) : 0))
            rc = se_set(se, SE_BUILTIN,
                        "could not add CA certificates from envvar \"%s\": could not append "
                        "certificates",
                        t->ca_env);
    }
    if (!rc && ca.len) {
        rq->ca_pem = gh_arena_strndup(c->a, ca.p, ca.len);
        rq->ca_len = ca.len;
        if (!rq->ca_pem || ca.oom) rc = se_set(se, SE_OOM, "out of memory");
    }
    gh_buf_free(&ca);
    return rc;
}

/* OPA's createHTTPRequest: every field, in key order, then TLS material,
 * method and headers. *scheme_fail receives a URL scheme error, which Go
 * reports later from the transport. */
static int parse_request(rego_bctx *c, const val_t *req, hs_req *rq, char *scheme_fail, size_t sfsz,
                         send_err *se) {
    const struct rego_http_policy *pol = c->http;
    memset(rq, 0, sizeof *rq);
    rq->method = "";
    rq->url = "";
    rq->timeout_ns = pol->timeout_ns ? pol->timeout_ns : REGO_HTTP_DEFAULT_TIMEOUT_NS;
    tls_src t = {0};
    t.system = -1;
    const val_t *headers = NULL, *raw = NULL, *body = NULL;
    uint32_t *ord = val_sorted_order(c->a, req);
    size_t n = val_obj_len(req);
    if (!ord && n) return se_set(se, SE_OOM, "out of memory");
    for (size_t j = 0; j < n; j++) {
        const val_t *kv = val_obj_key_at(req, ord[j]), *v = val_obj_val_at(req, ord[j]);
        const char *k = val_str_ptr(kv);
        const char *s = val_is_str(v) ? val_str_ptr(v) : NULL;
        size_t sl = s ? val_str_len(v) : 0;
        static const char *const strkeys[] = {"method",
                                              "url",
                                              "raw_body",
                                              "tls_ca_cert",
                                              "tls_ca_cert_file",
                                              "tls_ca_cert_env_variable",
                                              "tls_client_cert",
                                              "tls_client_cert_file",
                                              "tls_client_cert_env_variable",
                                              "tls_client_key",
                                              "tls_client_key_file",
                                              "tls_client_key_env_variable",
                                              "tls_server_name"};
        if (!s)
            for (size_t i = 0; i < sizeof strkeys / sizeof *strkeys; i++)
                if (!strcmp(k, strkeys[i]))
                    return se_set(se, SE_BUILTIN, "\"%s\" must be a string", k);
        bool local = strstr(k, "_file") || strstr(k, "_env_variable");
        if (local && sl && !pol->allow_local_files)
            return se_set(se, SE_BUILTIN, "%s is disabled by configuration", k);
        if (!strcmp(k, "method")) {
            char *m = gh_arena_strndup(c->a, s, sl);
            if (!m) return se_set(se, SE_OOM, "out of memory");
            for (char *p = m; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            rq->method = m;
        } else if (!strcmp(k, "url")) {
            bool scheme_err;
            if (!hs_url_allowed(pol, s, &scheme_err, scheme_fail, sfsz)) {
                if (!scheme_err) return se_set(se, SE_BUILTIN, "%s", scheme_fail);
            } else {
                scheme_fail[0] = 0;
            }
            rq->url = s;
        } else if (!strcmp(k, "enable_redirect")) {
            if (go_bool(c, v, &rq->enable_redirect, se)) return SE_FAIL;
        } else if (!strcmp(k, "body")) {
            body = v;
        } else if (!strcmp(k, "raw_body")) {
            raw = v;
        } else if (!strcmp(k, "tls_use_system_certs")) {
            bool b;
            if (go_bool(c, v, &b, se)) return SE_FAIL;
            t.system = b;
        } else if (!strcmp(k, "tls_ca_cert")) {
            t.ca = s, t.ca_len = sl;
        } else if (!strcmp(k, "tls_ca_cert_file")) {
            t.ca_file = s;
        } else if (!strcmp(k, "tls_ca_cert_env_variable")) {
            t.ca_env = s;
        } else if (!strcmp(k, "tls_client_cert")) {
            t.cert = s, t.cert_len = sl;
        } else if (!strcmp(k, "tls_client_cert_file")) {
            t.cert_file = s;
        } else if (!strcmp(k, "tls_client_cert_env_variable")) {
            t.cert_env = s;
        } else if (!strcmp(k, "tls_client_key")) {
            t.key = s, t.key_len = sl;
        } else if (!strcmp(k, "tls_client_key_file")) {
            t.key_file = s;
        } else if (!strcmp(k, "tls_client_key_env_variable")) {
            t.key_env = s;
        } else if (!strcmp(k, "tls_server_name")) {
            rq->server_name = sl ? s : NULL;
        } else if (!strcmp(k, "headers")) {
            if (val_kind_of(v) != VAL_OBJECT)
                return se_set(se, SE_BUILTIN, "invalid type for headers key");
            headers = v;
        } else if (!strcmp(k, "tls_insecure_skip_verify")) {
            if (go_bool(c, v, &rq->insecure, se)) return SE_FAIL;
            if (rq->insecure && !pol->allow_insecure_tls)
                return se_set(se, SE_BUILTIN,
                              "tls_insecure_skip_verify is disabled by configuration");
        } else if (!strcmp(k, "timeout")) {
            if (parse_timeout(c, v, &rq->timeout_ns, se)) return SE_FAIL;
        }
        /* cache, caching_mode, force_*, raise_error, max_retry_attempts: read elsewhere */
    }
    if (pol->max_timeout_ns > 0 && (rq->timeout_ns <= 0 || rq->timeout_ns > pol->max_timeout_ns))
        rq->timeout_ns = pol->max_timeout_ns;
    if (tls_setup(c, &t, rq, se)) return SE_FAIL;
    if (raw) {
        rq->body = val_str_ptr(raw), rq->body_len = val_str_len(raw);
    } else if (body) { /* Go's json.Marshal: sorted keys, HTML-safe */
        char *j = val_to_json(c->a, body, VAL_JSON_SORTED);
        if (!j) return se_set(se, SE_OOM, "out of memory");
        rq->body = j, rq->body_len = strlen(j);
    }
    if (!rq->method[0]) rq->method = "GET";
    for (const char *p = rq->method; *p; p++)
        if (!tchar((unsigned char)*p))
            return se_set(se, SE_BUILTIN, "net/http: invalid method \"%s\"", rq->method);
    if (headers && val_obj_len(headers)) {
        size_t nh = val_obj_len(headers);
        uint32_t *ho = val_sorted_order(c->a, headers);
        rq->hname = gh_arena_alloc(c->a, nh * sizeof *rq->hname);
        rq->hval = gh_arena_alloc(c->a, nh * sizeof *rq->hval);
        if (!ho || !rq->hname || !rq->hval) return se_set(se, SE_OOM, "out of memory");
        for (size_t i = 0; i < nh; i++) {
            const val_t *hk = val_obj_key_at(headers, ho[i]), *hv = val_obj_val_at(headers, ho[i]);
            const char *ks = val_is_str(hk) ? val_str_ptr(hk) : term_text(c, hk);
            if (!val_is_str(hv))
                return se_set(se, SE_BUILTIN, "invalid type for headers value %s", go_q(c, hv));
            char *cn = canonical_key(c->a, ks, strlen(ks));
            if (!cn) return se_set(se, SE_OOM, "out of memory");
            rq->hname[rq->nh] = cn;
            rq->hval[rq->nh++] = val_str_ptr(hv);
            if (!strcmp(cn, "User-Agent")) rq->has_ua = true;
            if (!strcmp(cn, "Host")) rq->has_host = true;
            if (!strcmp(cn, "Accept-Encoding")) rq->has_accept_enc = true;
        }
    }
    return 0;
}

/* OPA's executeHTTPRequest prologue and the transport's header checks. */
static int pre_send_checks(rego_bctx *c, const val_t *req, hs_req *rq, const char *scheme_fail,
                           send_err *se) {
    val_t *mr = val_obj_get_str(req, "max_retry_attempts", 18);
    if (mr) {
        int64_t n;
        if (val_kind_of(mr) != VAL_NUMBER || !val_is_int(mr) || !val_num_to_int64(mr, &n) ||
            n < 0 || n > INT32_MAX)
            return se_set(se, SE_BUILTIN, "invalid value %s for field \"max_retry_attempts\"",
                          term_text(c, mr));
        rq->max_retry = (uint32_t)n;
    }
    char op[16];
    size_t i = 0;
    for (; rq->method[i] && i + 1 < sizeof op; i++)
        op[i] = (char)(i ? tolower((unsigned char)rq->method[i]) : rq->method[i]);
    op[i] = 0;
    if (scheme_fail[0]) return se_set(se, SE_NET, "%s \"%s\": %s", op, rq->url, scheme_fail);
    for (size_t h = 0; h < rq->nh; h++) {
        const char *k = rq->hname[h];
        bool ok = *k != 0;
        for (const char *p = k; *p && ok; p++)
            ok = tchar((unsigned char)*p);
        if (!ok)
            return se_set(se, SE_NET, "%s \"%s\": net/http: invalid header field name \"%s\"", op,
                          rq->url, k);
        for (const unsigned char *p = (const unsigned char *)rq->hval[h]; *p; p++)
            if ((*p < ' ' && *p != '\t') || *p == 0x7f)
                return se_set(se, SE_NET,
                              "%s \"%s\": net/http: invalid header field value for \"%s\"", op,
                              rq->url, k);
    }
    return 0;
}

/* ---- response value ------------------------------------------------------------------------- */

/* End of the first JSON object, array or string in p (0: none). Go's
 * decoder keeps the first value of a body even when bytes follow it. */
static size_t first_value_end(const char *p, size_t n) {
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    if (i == n || (p[i] != '{' && p[i] != '[' && p[i] != '"')) return 0;
    size_t depth = 0;
    bool str = false;
    for (; i < n; i++) {
        char ch = p[i];
        if (str) {
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                str = false;
                if (depth == 0) return i + 1;
            }
        } else if (ch == '"') {
            str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if ((ch == '}' || ch == ']') && depth && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

int hs_resp_value(rego_bctx *c, const char *status, size_t status_len, long code, const char *hdrs,
                  size_t hdrs_len, const char *body, size_t body_len, bool force_json,
                  bool force_yaml, val_t **out) {
    gh_arena *a = c->a;
    /* headers: lower-cased names -> arrays of values in arrival order */
    val_t *hobj = val_obj_new(a, 8), *idx = val_obj_new(a, 8);
    size_t cap = 8, nn = 0;
    val_t **arrs = gh_arena_alloc(a, cap * sizeof *arrs),
          **names = gh_arena_alloc(a, cap * sizeof *names);
    if (!hobj || !idx || !arrs || !names) return rb_oom(c);
    for (size_t i = 0; i < hdrs_len;) {
        const char *k = hdrs + i;
        size_t kl = strlen(k);
        const char *v = k + kl + 1;
        size_t vl = strlen(v);
        i += kl + vl + 2;
        char *lk = gh_arena_strndup(a, k, kl);
        if (!lk) return rb_oom(c);
        for (char *p = lk; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        val_t *key = val_str_ref(a, lk, kl), *vs = val_str(a, v, vl);
        if (!key || !vs) return rb_oom(c);
        val_t *pos = val_obj_get(idx, key);
        int64_t at;
        if (pos) {
            val_num_to_int64(pos, &at);
        } else {
            if (nn == cap) {
                val_t **na = gh_arena_realloc(a, arrs, cap * sizeof *arrs, 2 * cap * sizeof *arrs);
                val_t **nm =
                    na ? gh_arena_realloc(a, names, cap * sizeof *names, 2 * cap * sizeof *names)
                       : NULL;
                if (!nm) return rb_oom(c);
                arrs = na, names = nm, cap *= 2;
            }
            at = (int64_t)nn;
            names[nn] = key;
            if (!(arrs[nn++] = val_arr_new(a, 1))) return rb_oom(c);
            val_t *iv = val_int(a, at);
            if (!iv || val_obj_put(a, idx, key, iv)) return rb_oom(c);
        }
        if (val_arr_push(a, arrs[at], vs)) return rb_oom(c);
    }
    for (size_t i = 0; i < nn; i++)
        if (val_obj_put(a, hobj, names[i], arrs[i])) return rb_oom(c);
    /* body */
    const char *ct = hs_hdr_get(hdrs, hdrs_len, "Content-Type");
    if (!ct) ct = "";
    val_t *bv = VAL_NULLV;
    bool want_json = force_json || strstr(ct, "application/json");
    bool want_yaml = !want_json && (force_yaml || strstr(ct, "application/yaml") ||
                                    strstr(ct, "application/x-yaml"));
    gh_err pe;
    gh_err_clear(&pe);
    if (want_json && body_len && !(body_len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3))) {
        val_json_opts jo = {.max_bytes = body_len + 1};
        val_t *v = NULL;
        int rc = val_json_parse(a, body, body_len, &jo, &v, &pe);
        size_t end;
        if (rc == GH_EPARSE && (end = first_value_end(body, body_len)) && end < body_len)
            rc = val_json_parse(a, body, end, &jo, &v, &pe);
        if (rc == GH_ENOMEM) return rb_oom(c);
        if (!rc && v) bv = v;
    } else if (want_yaml && body_len) {
        val_t **docs = NULL;
        size_t nd = 0;
        int rc = val_yaml_load(a, body, body_len, NULL, &docs, &nd, &pe);
        if (rc == GH_ENOMEM) return rb_oom(c);
        if (!rc && nd) bv = docs[0];
    }
    val_t *o = val_obj_new(a, 5);
    val_t *sv = val_str(a, status, status_len), *cv = val_int(a, code);
    val_t *rb = body_len ? val_str_ref(a, body, body_len) : val_str(a, "", 0);
    if (!o || !sv || !cv || !rb || val_obj_put(a, o, val_strc(a, "status"), sv) ||
        val_obj_put(a, o, val_strc(a, "status_code"), cv) ||
        val_obj_put(a, o, val_strc(a, "body"), bv) ||
        val_obj_put(a, o, val_strc(a, "raw_body"), rb) ||
        val_obj_put(a, o, val_strc(a, "headers"), hobj))
        return rb_oom(c);
    *out = o;
    return RB_OK;
}

/* Response parts moved into the arena (body NUL-terminated for val_str_ref). */
static int resp_to_value(rego_bctx *c, const hs_resp *r, bool fj, bool fy, val_t **out) {
    const char *body = r->body.len ? gh_arena_strndup(c->a, r->body.p, r->body.len) : "";
    if (!body) return rb_oom(c);
    return hs_resp_value(c, r->status.p ? r->status.p : "", r->status.len, r->code,
                         r->hdrs.p ? r->hdrs.p : "", r->hdrs.len, body, r->body.len, fj, fy, out);
}

/* ---- the builtin ---------------------------------------------------------------------------- */

typedef struct send_opts {
    bool force_json, force_yaml, use_cache;
    hs_cache_params cp;
} send_opts;

/* OPA's useInterQueryCache / newForceCacheParams and the decode flags. */
static int read_send_opts(rego_bctx *c, const val_t *req, send_opts *so, send_err *se) {
    memset(so, 0, sizeof *so);
    bool cache;
    if (req_bool(req, "cache", &cache, se) || req_bool(req, "force_cache", &so->cp.force, se))
        return SE_FAIL;
    if (so->cp.force) {
        val_t *d = val_obj_get_str(req, "force_cache_duration_seconds", 28);
        if (!d)
            return se_set(
                se, SE_BUILTIN,
                "'force_cache' set but 'force_cache_duration_seconds' parameter is missing");
        const char *t = term_text(c, d);
        bool range;
        if (!go_parse_int(t, strlen(t), 32, &so->cp.force_secs, &range)) {
            gh_buf q;
            gh_buf_init(&q);
            gh_json_quote(&q, t, strlen(t));
            se_set(se, SE_BUILTIN, "strconv.ParseInt: parsing %s: %s", q.p ? q.p : "\"\"",
                   range ? "value out of range" : "invalid syntax");
            gh_buf_free(&q);
            return SE_FAIL;
        }
    }
    so->use_cache = cache || so->cp.force;
    if (req_bool(req, "force_json_decode", &so->force_json, se) ||
        req_bool(req, "force_yaml_decode", &so->force_yaml, se))
        return SE_FAIL;
    return 0;
}

/* The request through the inter-query cache (OPA's interQueryCache). */
static int send_cached(rego_bctx *c, const val_t *req, hs_req *rq, const send_opts *so, val_t **out,
                       send_err *se) {
    rego_http_cache *hc = c->http->cache;
    const char *key = val_to_json(c->a, req, VAL_JSON_SORTED);
    if (!key) return rb_oom(c);
    size_t kl = strlen(key);
    hs_cached e;
    int rc = hs_cache_get(hc, c->a, key, kl, c->now_ns, &so->cp, &e);
    if (rc < 0) return rb_oom(c);
    if (rc == 1 && e.fresh)
        return hs_resp_value(c, e.status, e.status_len, e.code, e.hdrs, e.hdrs_len, e.body,
                             e.body_len, so->force_json, so->force_yaml, out);
    hs_resp r;
    hs_fail f;
    hs_resp_init(&r);
    if (rc == 1) { /* stale: revalidate when the response gave validators */
        hs_cache_del(hc, key, kl);
        if (e.etag || e.last_modified) {
            hs_req cond = *rq;
            cond.if_none_match = e.etag;
            cond.if_modified_since = e.last_modified;
            if (hs_perform(c->http, &cond, &r, &f)) {
                hs_resp_free(&r);
                return se_from_fail(se, &f);
            }
            if (r.code == 304) {
                gh_buf m;
                gh_buf_init(&m);
                int mrc =
                    hs_merge_headers(&m, e.hdrs, e.hdrs_len, r.hdrs.p ? r.hdrs.p : "", r.hdrs.len);
                const char *mh = mrc ? NULL : gh_arena_strndup(c->a, m.p ? m.p : "", m.len);
                size_t ml = m.len;
                gh_buf_free(&m);
                hs_resp_free(&r);
                if (!mh) return rb_oom(c);
                hs_cache_put(hc, key, kl, c->now_ns, &so->cp, e.code, e.status, e.status_len, mh,
                             ml, e.body, e.body_len);
                return hs_resp_value(c, e.status, e.status_len, e.code, mh, ml, e.body, e.body_len,
                                     so->force_json, so->force_yaml, out);
            }
            if (r.code != 200) { /* OPA drops the answer and asks again */
                hs_resp_free(&r);
                hs_resp_init(&r);
                rc = 0;
            }
        } else {
            rc = 0;
        }
    }
    if (rc == 0 && hs_perform(c->http, rq, &r, &f)) {
        hs_resp_free(&r);
        return se_from_fail(se, &f);
    }
    int vr = resp_to_value(c, &r, so->force_json, so->force_yaml, out);
    if (vr == RB_OK)
        hs_cache_put(hc, key, kl, c->now_ns, &so->cp, r.code, r.status.p ? r.status.p : "",
                     r.status.len, r.hdrs.p ? r.hdrs.p : "", r.hdrs.len, r.body.p ? r.body.p : "",
                     r.body.len);
    hs_resp_free(&r);
    return vr;
}

/* Everything after the checks every call makes; returns RB_OK, -1 with se,
 * or a negative GH_E* (out of memory) with c->err set. *memo tells whether
 * the outcome may be memoised for the rest of the query. */
static int send_request(rego_bctx *c, const val_t *req, val_t **out, send_err *se, bool *memo) {
    *memo = false;
    send_opts so;
    if (read_send_opts(c, req, &so, se)) return SE_FAIL;
    hs_req rq;
    char scheme_fail[256] = "";
    if (parse_request(c, req, &rq, scheme_fail, sizeof scheme_fail, se)) return SE_FAIL;
    if (pre_send_checks(c, req, &rq, scheme_fail, se)) return SE_FAIL;
    if (so.use_cache && c->http->cache) {
        int rc = send_cached(c, req, &rq, &so, out, se);
        *memo = rc == RB_OK || (rc == SE_FAIL && (se->kind == SE_NET || se->kind == SE_TIMEOUT));
        return rc;
    }
    hs_resp r;
    hs_fail f;
    hs_resp_init(&r);
    if (hs_perform(c->http, &rq, &r, &f)) {
        hs_resp_free(&r);
        *memo = f.kind != HS_FAIL_INTERNAL;
        return se_from_fail(se, &f);
    }
    int rc = resp_to_value(c, &r, so.force_json, so.force_yaml, out);
    *memo = hs_code_cacheable(r.code);
    hs_resp_free(&r);
    return rc;
}

static int invalid_keys_err(rego_bctx *c, const val_t *req) {
    val_t *bad = val_set_new(c->a, 2);
    if (!bad) return rb_oom(c);
    for (size_t i = 0; i < val_obj_len(req); i++)
        if (!known_key(val_obj_key_at(req, i)) &&
            val_set_add(c->a, bad, val_obj_key_at(req, i), NULL))
            return rb_oom(c);
    bool inv = val_set_len(bad) > 0;
    if (!inv) {
        if (!val_obj_get_str(req, "method", 6) &&
            val_set_add(c->a, bad, val_strc(c->a, "method"), NULL))
            return rb_oom(c);
        if (!val_obj_get_str(req, "url", 3) && val_set_add(c->a, bad, val_strc(c->a, "url"), NULL))
            return rb_oom(c);
        if (!val_set_len(bad)) return 0;
    }
    gh_buf b;
    gh_buf_init(&b);
    uint32_t *ord = val_sorted_order(c->a, bad);
    gh_buf_putc(&b, '{');
    for (size_t i = 0; ord && i < val_set_len(bad); i++) {
        if (i) gh_buf_puts(&b, ", ");
        val_json_emit(&b, val_set_at(bad, ord[i]), VAL_JSON_NO_HTML_ESC | VAL_JSON_SORTED);
    }
    gh_buf_putc(&b, '}');
    int rc = (b.oom || !ord) ? rb_oom(c)
                             : gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                          "operand 1 %s request parameters(s): %s",
                                          inv ? "invalid" : "missing required", b.p);
    gh_buf_free(&b);
    return rc;
}

/* The memo value of a failed call: [kind, message, timeout message]. */
static val_t *err_record(rego_bctx *c, const send_err *se) {
    val_t *r = val_arr_new(c->a, 3);
    val_t *k = val_int(c->a, se->kind), *m = val_strc(c->a, se->msg), *t = val_strc(c->a, se->tmsg);
    if (!r || !k || !m || !t || val_arr_push(c->a, r, k) || val_arr_push(c->a, r, m) ||
        val_arr_push(c->a, r, t))
        return NULL;
    return r;
}

static int report(rego_bctx *c, bool raise, const send_err *se, val_t **out) {
    if (raise) {
        const char *m = se->kind == SE_TIMEOUT ? se->tmsg : se->msg;
        return gh_err_set(c->err, se->kind == SE_TYPE ? GH_ETYPE : GH_EINVAL, NULL, 0, 0, "%s", m);
    }
    gh_arena *a = c->a;
    bool net = se->kind == SE_NET || se->kind == SE_TIMEOUT;
    const char *msg =
        net ? se->msg
            : gh_arena_printf(a, "%s: http.send: %s",
                              se->kind == SE_TYPE ? "eval_type_error" : "eval_builtin_error",
                              se->msg);
    val_t *eo = val_obj_new(a, 2), *o = val_obj_new(a, 2);
    if (!msg || !eo || !o ||
        val_obj_put(
            a, eo, val_strc(a, "code"),
            val_strc(a, net ? "eval_http_send_network_error" : "eval_http_send_internal_error")) ||
        val_obj_put(a, eo, val_strc(a, "message"), val_strc(a, msg)) ||
        val_obj_put(a, o, val_strc(a, "status_code"), val_int(a, 0)) ||
        val_obj_put(a, o, val_strc(a, "error"), eo))
        return rb_oom(c);
    *out = o;
    return RB_OK;
}

static int bi_http_send(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *req = args[0];
    int rc;
    if (val_kind_of(req) != VAL_OBJECT) return rb_type_err(c, 1, "object", req);
    if ((rc = invalid_keys_err(c, req))) return rc;
    bool raise = true;
    val_t *re = val_obj_get_str(req, "raise_error", 11);
    if (re) {
        if (val_kind_of(re) != VAL_BOOL) return rb_err(c, "invalid value for raise_error field");
        raise = re->u.b;
    }
    if (!c->http) return rb_err(c, "disabled by configuration");
    val_t *key = val_arr_new(c->a, 2), *name = val_strc(c->a, "http.send");
    if (!key || !name || val_arr_push(c->a, key, name) || val_arr_push(c->a, key, req))
        return rb_oom(c);
    val_t *hit = rb_cache_get(c, key);
    send_err se;
    memset(&se, 0, sizeof se);
    if (hit && val_kind_of(hit) == VAL_ARRAY && val_arr_len(hit) == 3) {
        int64_t k = 0;
        val_num_to_int64(val_arr_at(hit, 0), &k);
        se.kind = (int)k;
        snprintf(se.msg, sizeof se.msg, "%s", val_str_ptr(val_arr_at(hit, 1)));
        snprintf(se.tmsg, sizeof se.tmsg, "%s", val_str_ptr(val_arr_at(hit, 2)));
        return report(c, raise, &se, out);
    }
    if (hit) {
        *out = hit;
        return RB_OK;
    }
    bool memo;
    rc = send_request(c, req, out, &se, &memo);
    if (rc == RB_OK) {
        if (memo && (rc = rb_cache_put(c, key, *out))) return rc;
        return RB_OK;
    }
    if (rc != SE_FAIL) return rc; /* out of memory */
    if (se.kind == SE_OOM) return rb_oom(c);
    if (memo) {
        val_t *rec = err_record(c, &se);
        if (!rec) return rb_oom(c);
        if ((rc = rb_cache_put(c, key, rec))) return rc;
    }
    return report(c, raise, &se, out);
}

const rego_builtin rego_bi_http[] = {
    {"http.send", 1, RB_NONDET | RB_NOCACHE, bi_http_send,
     "(request: object[string: any]) -> response: object[any: any]", NULL,
     "Sends an HTTP request and returns the response; disabled unless the embedding program "
     "allows it."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
