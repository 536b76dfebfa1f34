/* http_client.c - the libcurl transport behind http.send (called by http.c).
 * One easy handle per request; redirects are followed here, hop by hop, so
 * every target is checked against the policy (scheme http/https, allow
 * list) before it is contacted. Retries use Go's backoff; response headers
 * and bodies are capped while they arrive; failures are described the way
 * Go's net/http words them, since OPA policies and tests see those texts. */
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "http_int.h"

#if LIBCURL_VERSION_NUM < 0x075500
#error "http.send needs libcurl >= 7.85 (CURLOPT_PROTOCOLS_STR)"
#endif

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc = CURLE_FAILED_INIT;

static void global_init(void) { g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

void hs_resp_init(hs_resp *r) {
    memset(r, 0, sizeof *r);
    gh_buf_init(&r->status);
    gh_buf_init(&r->hdrs);
    gh_buf_init(&r->body);
}

void hs_resp_free(hs_resp *r) {
    gh_buf_free(&r->status);
    gh_buf_free(&r->hdrs);
    gh_buf_free(&r->body);
}

static void resp_reset(hs_resp *r) {
    gh_buf_reset(&r->status);
    gh_buf_reset(&r->hdrs);
    gh_buf_reset(&r->body);
    r->code = 0;
    r->gunzipped = false;
}

const char *hs_hdr_get(const char *hdrs, size_t len, const char *name) {
    size_t i = 0;
    while (i < len) {
        const char *k = hdrs + i;
        size_t kl = strlen(k);
        const char *v = k + kl + 1;
        if (!strcasecmp(k, name)) return v;
        i += kl + 1 + strlen(v) + 1;
    }
    return NULL;
}

/* ---- URL checks ----------------------------------------------------------------------------- */

typedef struct url_parts {
    char *scheme, *host, *port, *path;
} url_parts;

static void parts_free(url_parts *p) {
    curl_free(p->scheme);
    curl_free(p->host);
    curl_free(p->port);
    curl_free(p->path);
    memset(p, 0, sizeof *p);
}

/* Parse with curl's own parser (the one the transfer uses), so the policy
 * sees exactly the host, port and normalised path that will be contacted. */
static int parse_url(const char *url, url_parts *p, char *msg, size_t msgsz) {
    memset(p, 0, sizeof *p);
    CURLU *u = curl_url();
    if (!u) {
        snprintf(msg, msgsz, "out of memory");
        return -1;
    }
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (!uc) uc = curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0);
    if (!uc) uc = curl_url_get(u, CURLUPART_HOST, &p->host, 0);
    if (!uc) uc = curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT);
    if (!uc) uc = curl_url_get(u, CURLUPART_PATH, &p->path, 0);
    curl_url_cleanup(u);
    if (uc) {
        snprintf(msg, msgsz, "parse \"%s\": %s", url, curl_url_strerror(uc));
        parts_free(p);
        return -1;
    }
    return 0;
}

/* The scheme as Go's url.Parse sees it ("" when there is none). */
static void url_scheme(const char *url, char *out, size_t outsz) {
    size_t i = 0;
    out[0] = 0;
    if (!isalpha((unsigned char)url[0])) return;
    while (url[i] &&
           (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
        i++;
    if (url[i] != ':' || i >= outsz) return;
    for (size_t j = 0; j < i; j++)
        out[j] = (char)tolower((unsigned char)url[j]);
    out[i] = 0;
}

static bool host_entry_match(const char *entry, const url_parts *p, bool *host_seen) {
    char host[300], port[16] = "";
    const char *e = entry;
    size_t hn;
    if (*e == '[') {
        const char *rb = strchr(e, ']');
        if (!rb) return false;
        hn = (size_t)(rb - e) + 1;
        if (rb[1] == ':') snprintf(port, sizeof port, "%s", rb + 2);
    } else {
        const char *colon = strchr(e, ':');
        hn = colon ? (size_t)(colon - e) : strlen(e);
        if (colon) snprintf(port, sizeof port, "%s", colon + 1);
    }
    if (hn == 0 || hn >= sizeof host) return false;
    memcpy(host, e, hn);
    host[hn] = 0;
    bool hm;
    if (host[0] == '*' && host[1] == '.') {
        size_t hl = strlen(p->host), sl = hn - 1; /* ".example.com" */
        hm = hl > sl && !strcasecmp(p->host + hl - sl, host + 1);
    } else {
        hm = !strcasecmp(p->host, host);
    }
    if (!hm) return false;
    *host_seen = true;
    return !port[0] || !strcmp(port, p->port);
}

static bool prefix_entry_match(const char *entry, const url_parts *p, bool *host_seen) {
    url_parts ep;
    char msg[64];
    if (parse_url(entry, &ep, msg, sizeof msg)) return false;
    bool ok = false;
    if (!strcasecmp(ep.host, p->host)) {
        *host_seen = true;
        size_t n = strlen(ep.path);
        ok = !strcasecmp(ep.scheme, p->scheme) && !strcmp(ep.port, p->port) &&
             !strncmp(p->path, ep.path, n) &&
             (n == 0 || ep.path[n - 1] == '/' || p->path[n] == 0 || p->path[n] == '/');
    }
    parts_free(&ep);
    return ok;
}

/* 0 when url may be fetched, else HS_FAIL_NETWORK (scheme, as Go's
 * transport reports it) or HS_FAIL_INTERNAL (malformed, not allowed). */
static int url_check(const struct rego_http_policy *pol, const char *url, char *msg, size_t msgsz) {
    char scheme[32];
    url_scheme(url, scheme, sizeof scheme);
    if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
        snprintf(msg, msgsz, "unsupported protocol scheme \"%s\"", scheme);
        return HS_FAIL_NETWORK;
    }
    /* curl would read "http:///x" or "http:x" as host x; Go finds no host */
    const char *auth = url + strlen(scheme) + 1;
    if (strncmp(auth, "//", 2) || !auth[2] || strchr("/?#", auth[2])) {
        snprintf(msg, msgsz, "http: no Host in request URL");
        return HS_FAIL_NETWORK;
    }
    url_parts p;
    if (parse_url(url, &p, msg, msgsz)) return HS_FAIL_INTERNAL;
    bool ok = pol->nallow == 0, host_seen = false;
    for (size_t i = 0; !ok && i < pol->nallow; i++) {
        const char *e = pol->allow[i];
        if (!e || !*e) continue;
        ok = strstr(e, "://") ? prefix_entry_match(e, &p, &host_seen)
                              : host_entry_match(e, &p, &host_seen);
    }
    if (!ok) {
        if (host_seen)
            snprintf(msg, msgsz, "unallowed url: %s", url);
        else
            snprintf(msg, msgsz, "unallowed host: %s", p.host);
    }
    parts_free(&p);
    return ok ? 0 : HS_FAIL_INTERNAL;
}

bool hs_url_allowed(const struct rego_http_policy *pol, const char *url, bool *scheme_err,
                    char *msg, size_t msgsz) {
    pthread_once(&g_once, global_init);
    int k = url_check(pol, url, msg, msgsz);
    *scheme_err = k == HS_FAIL_NETWORK;
    return k == 0;
}

/* ---- one hop -------------------------------------------------------------------------------- */

typedef struct hop_io {
    hs_resp *r;
    size_t max_body;
    size_t hdr_bytes;
    bool hdr_over, body_over;
    bool got_headers; /* the blank line after the final headers was seen */
    bool h2;          /* HTTP/2 or later: Go builds the status text itself */
    X509 *leaf;       /* the server's certificate, for Go's host-mismatch text */
} hop_io;

/* ---- TLS peer capture: curl verifies; we only keep the leaf certificate so
 * a host mismatch can be reported as Go does ("valid for a, not b"). */
static int g_ctx_idx = -1;

static void ctx_idx_init(void) { g_ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL); }

static int verify_cb(int ok, X509_STORE_CTX *x) {
    if (X509_STORE_CTX_get_error_depth(x) != 0) return ok;
    SSL *s = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    hop_io *io = s && g_ctx_idx >= 0 ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), g_ctx_idx) : NULL;
    X509 *cert = X509_STORE_CTX_get_current_cert(x);
    if (io && !io->leaf && cert && X509_up_ref(cert)) io->leaf = cert;
    return ok;
}

static CURLcode on_ssl_ctx(CURL *h, void *ctx, void *ud) {
    (void)h;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, ctx_idx_init);
    if (g_ctx_idx >= 0 && SSL_CTX_set_ex_data(ctx, g_ctx_idx, ud))
        SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_cb);
    return CURLE_OK;
}

/* Go's x509.HostnameError text. */
static void hostname_error(X509 *leaf, const char *host, char *out, size_t outsz) {
    GENERAL_NAMES *gn = leaf ? X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL) : NULL;
    unsigned char ip[16];
    bool want_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    gh_buf v;
    gh_buf_init(&v);
    for (int i = 0; gn && i < sk_GENERAL_NAME_num(gn); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, i);
        char txt[64];
        if (want_ip && g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *o = g->d.iPAddress;
            int af = o->length == 4 ? AF_INET : o->length == 16 ? AF_INET6 : -1;
            if (af < 0 || !inet_ntop(af, o->data, txt, sizeof txt)) continue;
            gh_buf_printf(&v, "%s%s", v.len ? ", " : "", txt);
        } else if (!want_ip && g->type == GEN_DNS) {
            const ASN1_IA5STRING *d = g->d.dNSName;
            gh_buf_printf(&v, "%s%.*s", v.len ? ", " : "", d->length, (const char *)d->data);
        }
    }
    if (!leaf)
        snprintf(out, outsz, "x509: certificate is not valid for %s", host);
    else if (!gn)
        snprintf(out, outsz,
                 "x509: certificate relies on legacy Common Name field, use SANs "
                 "instead");
    else if (want_ip && !v.len)
        snprintf(out, outsz,
                 "x509: cannot validate certificate for %s because it doesn't "
                 "contain any IP SANs",
                 host);
    else if (!v.len)
        snprintf(out, outsz,
                 "x509: certificate is not valid for any names, but wanted to match "
                 "%s",
                 host);
    else
        snprintf(out, outsz, "x509: certificate is valid for %s, not %s", v.p, host);
    gh_buf_free(&v);
    GENERAL_NAMES_free(gn);
}

/* OpenSSL's alert wording -> Go's ("remote error: tls: <Go text>"). */
static bool alert_text(const char *errbuf, char *out, size_t outsz) {
    static const char *const map[][2] = {
        {"unknown ca", "unknown certificate authority"},
        {"certificate expired", "expired certificate"},
        {"certificate revoked", "revoked certificate"},
        {"certificate unknown", "unknown certificate"},
        {"protocol version", "protocol version not supported"},
        {"decode error", "error decoding message"},
        {"decrypt error", "error decrypting message"},
        {"unexpected_message", "unexpected message"},
    };
    const char *a = strstr(errbuf, " alert ");
    if (!a) return false;
    a += 7;
    size_t n = strcspn(a, ",(");
    while (n && a[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strlen(map[i][0]) == n && !strncasecmp(a, map[i][0], n)) {
            snprintf(out, outsz, "remote error: tls: %s", map[i][1]);
            return true;
        }
    snprintf(out, outsz, "remote error: tls: %.*s", (int)n, a);
    return true;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    hop_io *io = ud;
    size_t len = sz * n, all = len;
    io->hdr_bytes += len;
    if (io->hdr_bytes > HS_MAX_HEADER_BYTES) {
        io->hdr_over = true;
        return 0;
    }
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    if (len >= 5 && !memcmp(p, "HTTP/", 5)) { /* a (new) status line: drop 1xx headers */
        resp_reset(io->r);
        io->got_headers = false;
        io->h2 = len >= 6 && p[5] >= '2';
        const char *sp = memchr(p, ' ', len);
        if (sp) {
            while (sp < p + len && *sp == ' ')
                sp++;
            gh_buf_append(&io->r->status, sp, (size_t)(p + len - sp));
        }
        return all;
    }
    if (len == 0) {
        io->got_headers = true;
        return all;
    }
    if (io->got_headers || *p == ' ' || *p == '\t') return all; /* trailers, folded lines */
    const char *colon = memchr(p, ':', len);
    if (!colon || colon == p) return all;
    size_t kn = (size_t)(colon - p);
    /* Go moves Transfer-Encoding out of the header map */
    if (kn == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) return all;
    const char *v = colon + 1, *ve = p + len;
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    if (memchr(p, 0, len)) return all;
    gh_buf_append(&io->r->hdrs, p, kn);
    gh_buf_putc(&io->r->hdrs, 0);
    gh_buf_append(&io->r->hdrs, v, (size_t)(ve - v));
    gh_buf_putc(&io->r->hdrs, 0);
    return io->r->hdrs.oom ? 0 : all;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    hop_io *io = ud;
    size_t len = sz * n;
    if (io->r->body.len + len > io->max_body) {
        io->body_over = true;
        return 0;
    }
    gh_buf_append(&io->r->body, p, len);
    return io->r->body.oom ? 0 : len;
}

/* Go's url.Error Op: the method with only its first letter upper case. */
static void go_op(const char *method, char *op, size_t opsz) {
    size_t i = 0;
    for (; method[i] && i + 1 < opsz; i++)
        op[i] = (char)(i ? tolower((unsigned char)method[i]) : method[i]);
    op[i] = 0;
}

/* The host:port Go's dialer names in its errors. */
static void dial_addr(const char *url, char *out, size_t outsz) {
    url_parts p;
    char msg[64];
    if (parse_url(url, &p, msg, sizeof msg)) {
        snprintf(out, outsz, "%s", url);
        return;
    }
    snprintf(out, outsz, "%s:%s", p.host, p.port);
    parts_free(&p);
}

static void lower_first(char *s) {
    if (s[0] && !(s[1] && isupper((unsigned char)s[1]))) s[0] = (char)tolower((unsigned char)s[0]);
}

/* Describe a failed transfer as Go's transport would. */
static void describe_fail(CURL *h, CURLcode rc, const char *errbuf, const hop_io *io,
                          const char *url, const char *vhost, size_t max_body, hs_fail *f) {
    f->kind = HS_FAIL_NETWORK;
    if (io->body_over || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(f->msg, sizeof f->msg, "response body exceeds the limit of %zu bytes", max_body);
        return;
    }
    if (io->hdr_over) {
        snprintf(f->msg, sizeof f->msg,
                 "net/http: server response headers exceeded %u bytes; aborted",
                 HS_MAX_HEADER_BYTES);
        return;
    }
    if (io->r->hdrs.oom || io->r->body.oom || io->r->status.oom) {
        f->kind = HS_FAIL_INTERNAL;
        snprintf(f->msg, sizeof f->msg, "out of memory");
        return;
    }
    char addr[320], err[128];
    long oserr = 0;
    long vr = 0;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        f->kind = HS_FAIL_TIMEOUT;
        f->in_body = io->got_headers;
        snprintf(
            f->msg, sizeof f->msg, "%s",
            io->got_headers
                ? "context deadline exceeded (Client.Timeout or context cancellation while "
                  "reading body)"
                : "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        return;
    case CURLE_COULDNT_RESOLVE_HOST: {
        url_parts p;
        char m[64];
        if (!parse_url(url, &p, m, sizeof m)) {
            snprintf(f->msg, sizeof f->msg, "dial tcp: lookup %s: no such host", p.host);
            parts_free(&p);
            return;
        }
        break;
    }
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
        if (oserr) {
            dial_addr(url, addr, sizeof addr);
            snprintf(err, sizeof err, "%s", strerror((int)oserr));
            lower_first(err);
            snprintf(f->msg, sizeof f->msg, "dial tcp %s: connect: %s", addr, err);
            return;
        }
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &vr);
        switch (vr) {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            snprintf(f->msg, sizeof f->msg, "x509: certificate signed by unknown authority");
            return;
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            snprintf(f->msg, sizeof f->msg, "x509: certificate has expired or is not yet valid");
            return;
        default:
            if (strstr(errbuf, "subject name") || strstr(errbuf, "host name")) {
                hostname_error(io->leaf, vhost, f->msg, sizeof f->msg);
                return;
            }
            break;
        }
        snprintf(f->msg, sizeof f->msg, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return;
    case CURLE_GOT_NOTHING: snprintf(f->msg, sizeof f->msg, "EOF"); return;
    default: break;
    }
    if (alert_text(errbuf, f->msg, sizeof f->msg)) return;
    snprintf(f->msg, sizeof f->msg, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/* Go's http.Client drops credentials when a redirect leaves the original
 * host and its subdomains (exact: the very same host only). */
static bool same_or_sub(const char *orig, const char *next, bool exact) {
    url_parts a, b;
    char m[64];
    if (parse_url(orig, &a, m, sizeof m)) return false;
    if (parse_url(next, &b, m, sizeof m)) {
        parts_free(&a);
        return false;
    }
    size_t al = strlen(a.host), bl = strlen(b.host);
    bool ok = !strcasecmp(a.host, b.host) || (!exact && bl > al && b.host[bl - al - 1] == '.' &&
                                              !strcasecmp(b.host + bl - al, a.host));
    parts_free(&a);
    parts_free(&b);
    return ok;
}

typedef struct hop {
    const char *url;
    const char *method;
    bool send_body;
    const char *referer; /* NULL: none */
    bool strip_auth;
    bool first;      /* the caller's own URL (TLS server name applies) */
    bool moved_host; /* a redirect left the original host: drop a caller Host header */
} hop;

static int slist_add(struct curl_slist **l, const char *s) {
    struct curl_slist *n = curl_slist_append(*l, s);
    if (!n) return -1;
    *l = n;
    return 0;
}

static int add_hdr(struct curl_slist **l, gh_buf *tmp, const char *k, const char *v) {
    gh_buf_reset(tmp);
    if (v && *v)
        gh_buf_printf(tmp, "%s: %s", k, v);
    else
        gh_buf_printf(tmp, "%s;", k); /* curl's syntax for an empty value */
    return tmp->oom ? -1 : slist_add(l, tmp->p);
}

static bool has_hdr(const hs_req *rq, const char *name) {
    for (size_t i = 0; i < rq->nh; i++)
        if (!strcasecmp(rq->hname[i], name)) return true;
    return false;
}

/* Build the header list of one hop. */
static int hop_headers(const hs_req *rq, const hop *hp, struct curl_slist **l) {
    gh_buf t;
    gh_buf_init(&t);
    int rc = 0;
    for (size_t i = 0; !rc && i < rq->nh; i++) {
        const char *k = rq->hname[i];
        /* the transport writes these itself (Go ignores them too) */
        if (!strcasecmp(k, "Content-Length") || !strcasecmp(k, "Transfer-Encoding") ||
            !strcasecmp(k, "Trailer"))
            continue;
        if (hp->moved_host && !strcasecmp(k, "Host")) continue;
        if (hp->strip_auth && (!strcasecmp(k, "Authorization") || !strcasecmp(k, "Cookie") ||
                               !strcasecmp(k, "Cookie2") || !strcasecmp(k, "Www-Authenticate")))
            continue;
        rc = add_hdr(l, &t, k, rq->hval[i]);
    }
    if (!rc && !rq->has_ua) rc = add_hdr(l, &t, "User-Agent", "gatehouse/" GH_VERSION);
    /* curl adds these by default; Go's client does not */
    if (!rc && !has_hdr(rq, "Accept")) rc = slist_add(l, "Accept:");
    if (!rc && !has_hdr(rq, "Content-Type")) rc = slist_add(l, "Content-Type:");
    if (!rc && !has_hdr(rq, "Expect")) rc = slist_add(l, "Expect:");
    /* one connection per request, announced as Go does with keep-alives off */
    if (!rc && !has_hdr(rq, "Connection")) rc = slist_add(l, "Connection: close");
    if (!rc && hp->referer) rc = add_hdr(l, &t, "Referer", hp->referer);
    if (!rc && rq->if_none_match) rc = add_hdr(l, &t, "If-None-Match", rq->if_none_match);
    if (!rc && rq->if_modified_since)
        rc = add_hdr(l, &t, "If-Modified-Since", rq->if_modified_since);
    gh_buf_free(&t);
    return rc;
}

/* TLS server name override (tls_server_name, or a caller Host header on
 * https): the URL's host is swapped for the name, and CONNECT_TO keeps the
 * connection going to the original host:port. *url_out is NULL when nothing
 * changes (plain http, or the name is the URL's host). */
static int server_name_setup(CURL *h, const hs_req *rq, const char *url, const char *name,
                             struct curl_slist **hl, struct curl_slist **ct, char **url_out) {
    *url_out = NULL;
    url_parts p;
    char m[64];
    if (parse_url(url, &p, m, sizeof m)) return 0;
    int rc = 0;
    char *port = NULL;
    gh_buf t;
    gh_buf_init(&t);
    CURLU *u = NULL;
    if (strcasecmp(p.scheme, "https") || !strcasecmp(p.host, name)) goto out;
    rc = -1;
    if (!(u = curl_url()) || curl_url_set(u, CURLUPART_URL, url, 0)) goto out;
    curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when written in the URL */
    if (curl_url_set(u, CURLUPART_HOST, name, 0) || curl_url_get(u, CURLUPART_URL, url_out, 0))
        goto out;
    gh_buf_printf(&t, "%s:%s:%s:%s", name, p.port, p.host, p.port);
    if (t.oom || slist_add(ct, t.p)) goto out;
    if (!rq->has_host) { /* the Host header still names the URL's host */
        gh_buf_reset(&t);
        gh_buf_printf(&t, "Host: %s%s%s", p.host, port ? ":" : "", port ? port : "");
        if (t.oom || slist_add(hl, t.p)) goto out;
    }
    if (curl_easy_setopt(h, CURLOPT_CONNECT_TO, *ct)) goto out;
    rc = 0;
out:
    curl_url_cleanup(u);
    curl_free(port);
    gh_buf_free(&t);
    parts_free(&p);
    return rc;
}

static bool blob(CURL *h, CURLoption opt, const char *p, size_t n) {
    struct curl_blob b = {(void *)p, n, CURL_BLOB_COPY};
    return curl_easy_setopt(h, opt, &b) == CURLE_OK;
}

/* Run one hop. 0 and the response in io->r, or -1 with f filled. */
static int run_hop(CURL *h, const hs_req *rq, const hop *hp, int64_t deadline_ms_left, hop_io *io,
                   hs_fail *f) {
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = 0;
    struct curl_slist *hl = NULL, *ct = NULL;
    char *swapped = NULL;
    int rc = -1;
    curl_easy_reset(h);
    bool ok = true;
#define SET(o, v) ok = ok && curl_easy_setopt(h, o, v) == CURLE_OK
    SET(CURLOPT_URL, hp->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_NOPROGRESS, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, io);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, io);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)io->max_body);
    SET(CURLOPT_FORBID_REUSE, 1L);
    SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    SET(CURLOPT_SSL_CTX_DATA, io);
    if (deadline_ms_left > 0) SET(CURLOPT_TIMEOUT_MS, (long)deadline_ms_left);
    if (!rq->has_accept_enc && strcmp(hp->method, "HEAD")) SET(CURLOPT_ACCEPT_ENCODING, "gzip");
    if (!strcmp(hp->method, "HEAD")) {
        SET(CURLOPT_NOBODY, 1L);
    } else if (hp->send_body) {
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        if (strcmp(hp->method, "POST")) SET(CURLOPT_CUSTOMREQUEST, hp->method);
    } else {
        SET(CURLOPT_HTTPGET, 1L);
        if (strcmp(hp->method, "GET")) SET(CURLOPT_CUSTOMREQUEST, hp->method);
    }
    /* TLS */
    if (rq->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (rq->ca_pem) {
        if (!rq->system_certs) {
            SET(CURLOPT_CAINFO, (char *)NULL);
            SET(CURLOPT_CAPATH, (char *)NULL);
        }
        ok = ok && blob(h, CURLOPT_CAINFO_BLOB, rq->ca_pem, rq->ca_len);
    }
    if (rq->cert_pem && rq->key_pem) {
        ok = ok && blob(h, CURLOPT_SSLCERT_BLOB, rq->cert_pem, rq->cert_len);
        SET(CURLOPT_SSLCERTTYPE, "PEM");
        ok = ok && blob(h, CURLOPT_SSLKEY_BLOB, rq->key_pem, rq->key_len);
        SET(CURLOPT_SSLKEYTYPE, "PEM");
    }
#undef SET
    if (!ok || hop_headers(rq, hp, &hl) || curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl)) {
        f->kind = HS_FAIL_INTERNAL;
        snprintf(f->msg, sizeof f->msg, "cannot configure the transfer");
        goto out;
    }
    char vhost[256] = ""; /* the name TLS verifies */
    {
        url_parts up;
        char m[64];
        if (!parse_url(hp->url, &up, m, sizeof m)) {
            snprintf(vhost, sizeof vhost, "%s", up.host);
            parts_free(&up);
        }
    }
    if (hp->first && (rq->server_name || rq->has_host)) {
        const char *name = rq->server_name;
        char hostbuf[256] = "";
        if (!name) { /* Go: a caller Host header is also the TLS server name */
            for (size_t i = 0; i < rq->nh; i++)
                if (!strcasecmp(rq->hname[i], "Host"))
                    snprintf(hostbuf, sizeof hostbuf, "%s", rq->hval[i]);
            char *c = hostbuf[0] == '[' ? strchr(hostbuf, ']') : hostbuf;
            if (c) c = strchr(c, ':');
            if (c) *c = 0;
            name = hostbuf;
        }
        if (name[0] && (server_name_setup(h, rq, hp->url, name, &hl, &ct, &swapped) ||
                        (swapped && (curl_easy_setopt(h, CURLOPT_URL, swapped) ||
                                     curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl))))) {
            f->kind = HS_FAIL_INTERNAL;
            snprintf(f->msg, sizeof f->msg, "cannot set the TLS server name");
            goto out;
        }
        if (swapped) snprintf(vhost, sizeof vhost, "%s", name);
    }
    resp_reset(io->r);
    io->hdr_bytes = 0;
    io->hdr_over = io->body_over = io->got_headers = io->h2 = false;
    CURLcode cr = curl_easy_perform(h);
    if (cr != CURLE_OK) {
        describe_fail(h, cr, errbuf, io, hp->url, vhost, io->max_body, f);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &io->r->code);
    if (io->h2 || io->r->status.len == 0) {
        gh_buf_reset(&io->r->status);
        const char *t = hs_status_text(io->r->code);
        gh_buf_printf(&io->r->status, io->h2 ? "%ld %s" : "%ld", io->r->code, t);
    }
    if (io->r->status.oom || io->r->hdrs.oom || io->r->body.oom) {
        f->kind = HS_FAIL_INTERNAL;
        snprintf(f->msg, sizeof f->msg, "out of memory");
        goto out;
    }
    rc = 0;
out:
    X509_free(io->leaf);
    io->leaf = NULL;
    curl_slist_free_all(hl);
    curl_slist_free_all(ct);
    curl_free(swapped);
    return rc;
}

/* Go removes these when its transport transparently gunzipped the body. */
static void drop_gzip_headers(hs_resp *r) {
    const char *ce = hs_hdr_get(r->hdrs.p, r->hdrs.len, "Content-Encoding");
    if (!ce || strcasecmp(ce, "gzip")) return;
    r->gunzipped = true;
    size_t w = 0, i = 0;
    while (i < r->hdrs.len) {
        char *k = r->hdrs.p + i;
        size_t kl = strlen(k), vl = strlen(k + kl + 1), n = kl + vl + 2;
        if (strcasecmp(k, "Content-Encoding") && strcasecmp(k, "Content-Length")) {
            memmove(r->hdrs.p + w, k, n);
            w += n;
        }
        i += n;
    }
    r->hdrs.len = w;
    if (r->hdrs.p) r->hdrs.p[w] = 0;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One client.Do: the request and its redirects. */
static int do_once(CURL *h, const struct rego_http_policy *pol, const hs_req *rq, hs_resp *out,
                   hs_fail *f) {
    hop_io io = {
        out,   pol->max_response_bytes ? pol->max_response_bytes : REGO_HTTP_DEFAULT_MAX_RESPONSE,
        0,     false,
        false, false,
        false, NULL};
    int64_t deadline = 0;
    if (rq->timeout_ns > 0) {
        if (rq->timeout_ns < 1000000) { /* below curl's resolution: already expired */
            f->kind = HS_FAIL_TIMEOUT;
            snprintf(f->url, sizeof f->url, "%s", rq->url);
            snprintf(f->msg, sizeof f->msg,
                     "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
            return -1;
        }
        deadline = mono_ms() + (rq->timeout_ns + 999999) / 1000000;
    }
    char *cur = NULL, *ref = NULL; /* owned: the current hop's URL and Referer */
    hop hp = {rq->url, rq->method, false, NULL, false, true, false};
    hp.send_body = (rq->body && rq->body_len) || !strcmp(rq->method, "POST") ||
                   !strcmp(rq->method, "PUT") || !strcmp(rq->method, "PATCH");
    int rc = -1;
    for (int n = 0;; n++) {
        int64_t left = 0;
        if (deadline) {
            left = deadline - mono_ms();
            if (left <= 0) {
                f->kind = HS_FAIL_TIMEOUT;
                snprintf(f->url, sizeof f->url, "%s", hp.url);
                snprintf(f->msg, sizeof f->msg,
                         "context deadline exceeded (Client.Timeout exceeded while awaiting "
                         "headers)");
                goto out;
            }
        }
        if (run_hop(h, rq, &hp, left, &io, f)) {
            snprintf(f->url, sizeof f->url, "%s", hp.url);
            goto out;
        }
        long code = out->code;
        char *loc = NULL;
        if (!rq->enable_redirect ||
            !(code == 301 || code == 302 || code == 303 || code == 307 || code == 308) ||
            !hs_hdr_get(out->hdrs.p, out->hdrs.len, "Location") ||
            curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) || !loc)
            break;
        snprintf(f->url, sizeof f->url, "%s", loc);
        if (n + 1 > HS_MAX_REDIRECTS) {
            f->kind = HS_FAIL_NETWORK;
            snprintf(f->msg, sizeof f->msg, "stopped after %d redirects", HS_MAX_REDIRECTS);
            goto out;
        }
        if (url_check(pol, loc, f->msg, sizeof f->msg)) {
            f->kind = HS_FAIL_NETWORK; /* CheckRedirect errors come back as url.Error */
            goto out;
        }
        char *next = strdup(loc), *nref = NULL;
        /* Referer: the previous URL without credentials, unless https -> http */
        if (next && !(!strncasecmp(hp.url, "https:", 6) && !strncasecmp(next, "http:", 5))) {
            CURLU *u = curl_url();
            if (!u || curl_url_set(u, CURLUPART_URL, hp.url, 0) ||
                curl_url_set(u, CURLUPART_USER, NULL, 0) ||
                curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) ||
                curl_url_get(u, CURLUPART_URL, &nref, 0))
                nref = NULL;
            curl_url_cleanup(u);
        }
        if (!next) {
            curl_free(nref);
            f->kind = HS_FAIL_INTERNAL;
            snprintf(f->msg, sizeof f->msg, "out of memory");
            goto out;
        }
        if (!hp.strip_auth && !same_or_sub(rq->url, next, false)) hp.strip_auth = true;
        hp.moved_host = !same_or_sub(rq->url, next, true);
        curl_free(ref);
        ref = nref;
        free(cur);
        cur = next;
        hp.url = cur;
        hp.referer = ref;
        hp.first = false;
        if (code == 301 || code == 302 || code == 303) {
            if (strcmp(hp.method, "GET") && strcmp(hp.method, "HEAD")) hp.method = "GET";
            hp.send_body = false;
        }
    }
    drop_gzip_headers(out);
    rc = 0;
out:
    curl_free(ref);
    free(cur);
    return rc;
}

/* Go's util.DefaultBackoff(100ms, 60s, retries): 1.5x growth, +-20% jitter. */
static void backoff_sleep(int attempt) {
    if (attempt == 0) return;
    double d = 0.1;
    for (int i = 0; i < attempt && d < 60.0; i++)
        d *= 1.5;
    if (d > 60.0) d = 60.0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double jitter = ((double)(now.tv_nsec % 1000) / 999.0) * 2.0 - 1.0;
    d *= 1.0 + 0.2 * jitter;
    struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

int hs_perform(const struct rego_http_policy *pol, const hs_req *rq, hs_resp *out, hs_fail *f) {
    memset(f, 0, sizeof *f);
    go_op(rq->method, f->op, sizeof f->op);
    pthread_once(&g_once, global_init);
    if (g_init_rc != CURLE_OK) {
        f->kind = HS_FAIL_INTERNAL;
        snprintf(f->msg, sizeof f->msg, "libcurl initialisation failed");
        return -1;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        f->kind = HS_FAIL_INTERNAL;
        snprintf(f->msg, sizeof f->msg, "out of memory");
        return -1;
    }
    uint32_t retries = rq->max_retry;
    if (retries > pol->max_retry_attempts) retries = pol->max_retry_attempts;
    int rc = -1;
    for (uint32_t i = 0;; i++) {
        char op[16];
        memcpy(op, f->op, sizeof op);
        memset(f, 0, sizeof *f);
        memcpy(f->op, op, sizeof op);
        rc = do_once(h, pol, rq, out, f);
        if (rc == 0 || f->kind == HS_FAIL_INTERNAL || i >= retries) break;
        backoff_sleep((int)i);
    }
    curl_easy_cleanup(h);
    return rc;
}

/* ---- status texts --------------------------------------------------------------------------- */

const char *hs_status_text(long code) {
    static const struct {
        short code;
        const char *text;
    } t[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {102, "Processing"},
        {103, "Early Hints"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {207, "Multi-Status"},
        {208, "Already Reported"},
        {226, "IM Used"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {305, "Use Proxy"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Request Entity Too Large"},
        {414, "Request URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Requested Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {418, "I'm a teapot"},
        {421, "Misdirected Request"},
        {422, "Unprocessable Entity"},
        {423, "Locked"},
        {424, "Failed Dependency"},
        {425, "Too Early"},
        {426, "Upgrade Required"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {451, "Unavailable For Legal Reasons"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
        {506, "Variant Also Negotiates"},
        {507, "Insufficient Storage"},
        {508, "Loop Detected"},
        {510, "Not Extended"},
        {511, "Network Authentication Required"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].code == code) return t[i].text;
    return "";
}
