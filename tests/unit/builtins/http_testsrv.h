/* http_testsrv.h - test helper for test_http.c: a tiny HTTP/1.1 server on
 * 127.0.0.1 (ephemeral port) run in a thread, optionally over TLS with a
 * throw-away CA, server and client certificate made at start-up. One
 * request per connection, served in order; routes below answer the cases
 * http.send must handle (JSON/YAML bodies, echo, redirects, caching
 * headers, slow and oversized answers, dropped connections). Loopback
 * only: nothing here touches another host. Header-only, single user. */
#ifndef GH_TEST_HTTP_TESTSRV_H
#define GH_TEST_HTTP_TESTSRV_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/base.h"

/* ---- certificates --------------------------------------------------------------------------- */

typedef struct ts_pki {
    char *ca_pem, *srv_pem, *srv_key, *cli_pem, *cli_key, *other_key; /* PEM text, malloc'd */
    EVP_PKEY *srv_pkey;
    X509 *srv_cert, *ca_cert;
} ts_pki;

static char *ts_pem_cert(X509 *x) {
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = strndup(p, (size_t)n);
    BIO_free(b);
    return s;
}

static char *ts_pem_key(EVP_PKEY *k) {
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = strndup(p, (size_t)n);
    BIO_free(b);
    return s;
}

static X509 *ts_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, const char *san,
                     bool ca, long serial) {
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e =
        X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (san) {
        e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, ikey ? ikey : key, EVP_sha256());
    return x;
}

static void ts_pki_make(ts_pki *p) {
    EVP_PKEY *cak = EVP_EC_gen("P-256"), *sk = EVP_EC_gen("P-256"), *ck = EVP_EC_gen("P-256"),
             *ok = EVP_EC_gen("P-256");
    X509 *ca = ts_cert(cak, "gatehouse test CA", NULL, NULL, NULL, true, 1);
    X509 *srv = ts_cert(sk, "localhost", ca, cak, "DNS:localhost,IP:127.0.0.1", false, 2);
    X509 *cli = ts_cert(ck, "client", ca, cak, NULL, false, 3);
    p->ca_pem = ts_pem_cert(ca);
    p->srv_pem = ts_pem_cert(srv);
    p->srv_key = ts_pem_key(sk);
    p->cli_pem = ts_pem_cert(cli);
    p->cli_key = ts_pem_key(ck);
    p->other_key = ts_pem_key(ok);
    p->srv_pkey = sk;
    p->srv_cert = srv;
    p->ca_cert = ca;
    X509_free(cli);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(ok);
}

static void ts_pki_free(ts_pki *p) {
    free(p->ca_pem);
    free(p->srv_pem);
    free(p->srv_key);
    free(p->cli_pem);
    free(p->cli_key);
    free(p->other_key);
    EVP_PKEY_free(p->srv_pkey);
    X509_free(p->srv_cert);
    X509_free(p->ca_cert);
}

/* ---- server -------------------------------------------------------------------------------- */

typedef struct ts_server {
    int lfd, port;
    SSL_CTX *ctx; /* NULL: plain HTTP */
    pthread_t th;
    volatile int stop;
} ts_server;

typedef struct ts_conn {
    int fd;
    SSL *ssl;
} ts_conn;

/* Request counts per path, for cache and retry checks. */
static pthread_mutex_t ts_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char path[64];
    int n;
} ts_hits[64];

static int ts_hit(const char *path, int add) {
    pthread_mutex_lock(&ts_mu);
    int r = 0;
    for (size_t i = 0; i < 64; i++) {
        if (!ts_hits[i].path[0]) {
            if (add)
                snprintf(ts_hits[i].path, sizeof ts_hits[i].path, "%s", path);
            else
                break;
        }
        if (!strcmp(ts_hits[i].path, path)) {
            ts_hits[i].n += add;
            r = ts_hits[i].n;
            break;
        }
    }
    pthread_mutex_unlock(&ts_mu);
    return r;
}

static int ts_hits_of(const char *path) { return ts_hit(path, 0); }

static int ts_write(ts_conn *c, const void *p, size_t n) {
    const char *s = p;
    while (n) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, s, (int)n) : send(c->fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t ts_read(ts_conn *c, void *p, size_t n) {
    return c->ssl ? SSL_read(c->ssl, p, (int)n) : recv(c->fd, p, n, 0);
}

static void ts_http_date(char *out, size_t n, time_t t) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void ts_respond(ts_conn *c, int code, const char *reason, const char *extra,
                       const char *ctype, const char *body, size_t blen) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_printf(&b, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %zu\r\n", code,
                  reason, blen);
    if (ctype) gh_buf_printf(&b, "Content-Type: %s\r\n", ctype);
    if (extra) gh_buf_puts(&b, extra);
    gh_buf_puts(&b, "\r\n");
    gh_buf_append(&b, body, blen);
    ts_write(c, b.p, b.len);
    gh_buf_free(&b);
}

/* Value of query parameter `k` in q (not decoded), into out. */
static bool ts_param(const char *q, const char *k, char *out, size_t n) {
    size_t kl = strlen(k);
    for (const char *p = q; p && *p;) {
        if (!strncmp(p, k, kl) && p[kl] == '=') {
            size_t vl = strcspn(p + kl + 1, "&");
            snprintf(out, n, "%.*s", (int)vl, p + kl + 1);
            return true;
        }
        p = strchr(p, '&');
        if (p) p++;
    }
    return false;
}

static const unsigned char ts_gzip_body[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0xaa, 0x52,
    0xb2, 0x52, 0x30, 0xac, 0x05, 0x00, 0xcf, 0x7c, 0xb0, 0x92, 0x08, 0x00, 0x00, 0x00};

static void ts_route(ts_conn *c, const char *method, const char *target, const char *head,
                     const char *body, size_t blen) {
    char path[256], q[512] = "", v[256], extra[1024], date[64], buf[512];
    size_t pl = strcspn(target, "?");
    snprintf(path, sizeof path, "%.*s", (int)pl, target);
    if (target[pl] == '?') snprintf(q, sizeof q, "%s", target + pl + 1);
    int n = ts_hit(path, 1);
    ts_http_date(date, sizeof date, time(NULL));
    if (!strcmp(path, "/json")) {
        const char *j = "{\"a\": 1, \"b\": [true, null]}";
        ts_respond(c, 200, "OK", NULL, "application/json; charset=utf-8", j, strlen(j));
    } else if (!strcmp(path, "/yaml")) {
        const char *y = "a: 1\nb: [x, yes]\n";
        ts_respond(c, 200, "OK", NULL, "application/x-yaml", y, strlen(y));
    } else if (!strcmp(path, "/text")) {
        ts_respond(c, 200, "OK", NULL, "text/plain", "{\"a\": 1}", 8);
    } else if (!strcmp(path, "/trail")) {
        ts_respond(c, 200, "OK", NULL, "application/json", "{\"a\": \"}\"} {\"b\": 2}", 19);
    } else if (!strcmp(path, "/badjson")) {
        ts_respond(c, 200, "OK", NULL, "application/json", "{\"a\": ", 6);
    } else if (!strcmp(path, "/status")) {
        int code = ts_param(q, "code", v, sizeof v) ? atoi(v) : 500;
        ts_respond(c, code, "Whatever", NULL, "text/plain", "status", 6);
    } else if (!strcmp(path, "/noreason")) {
        const char *r = "HTTP/1.1 200\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        ts_write(c, r, strlen(r));
    } else if (!strcmp(path, "/slow")) {
        int ms = ts_param(q, "ms", v, sizeof v) ? atoi(v) : 2000;
        struct pollfd pf = {c->fd, POLLIN, 0};
        poll(&pf, 1, ms); /* returns early when the client hangs up */
        ts_respond(c, 200, "OK", NULL, "text/plain", "late", 4);
    } else if (!strcmp(path, "/echo")) {
        gh_buf b;
        gh_buf_init(&b);
        gh_buf_puts(&b, "{\"method\": ");
        gh_json_quote(&b, method, strlen(method));
        gh_buf_puts(&b, ", \"target\": ");
        gh_json_quote(&b, target, strlen(target));
        gh_buf_puts(&b, ", \"headers\": [");
        const char *h = strstr(head, "\r\n") + 2;
        for (bool first = true; *h && strncmp(h, "\r\n", 2); first = false) {
            const char *e = strstr(h, "\r\n");
            if (!first) gh_buf_puts(&b, ", ");
            gh_json_quote(&b, h, (size_t)(e - h));
            h = e + 2;
        }
        gh_buf_puts(&b, "], \"body\": ");
        gh_json_quote(&b, body, blen);
        gh_buf_puts(&b, "}");
        ts_respond(c, 200, "OK", NULL, "application/json", b.p, b.len);
        gh_buf_free(&b);
    } else if (!strcmp(path, "/redirect")) {
        int code = ts_param(q, "code", v, sizeof v) ? atoi(v) : 302;
        char to[256] = "/json";
        ts_param(q, "to", to, sizeof to);
        snprintf(extra, sizeof extra, "Location: %s\r\n", to);
        ts_respond(c, code, "Redirect", extra, NULL, "", 0);
    } else if (!strcmp(path, "/loop")) {
        ts_respond(c, 302, "Found", "Location: /loop\r\n", NULL, "", 0);
    } else if (!strcmp(path, "/cache") || !strcmp(path, "/nostore") || !strcmp(path, "/expires") ||
               !strcmp(path, "/nodate") || !strcmp(path, "/cache500")) {
        int age = ts_param(q, "age", v, sizeof v) ? atoi(v) : 60;
        char exp[64];
        ts_http_date(exp, sizeof exp, time(NULL) + 60);
        if (!strcmp(path, "/cache"))
            snprintf(extra, sizeof extra, "Cache-Control: max-age=%d\r\nDate: %s\r\n", age, date);
        else if (!strcmp(path, "/nostore"))
            snprintf(extra, sizeof extra, "Cache-Control: no-store, max-age=60\r\nDate: %s\r\n",
                     date);
        else if (!strcmp(path, "/expires"))
            snprintf(extra, sizeof extra, "Expires: %s\r\nDate: %s\r\n", exp, date);
        else if (!strcmp(path, "/nodate"))
            snprintf(extra, sizeof extra, "X-None: 1\r\n");
        else
            snprintf(extra, sizeof extra, "Cache-Control: max-age=60\r\nDate: %s\r\n", date);
        snprintf(buf, sizeof buf, "{\"n\": %d}", n);
        ts_respond(c, strcmp(path, "/cache500") ? 200 : 500, "OK", extra, "application/json", buf,
                   strlen(buf));
    } else if (!strcmp(path, "/etag")) {
        if (strcasestr(head, "\r\nIf-None-Match: \"v1\"\r\n")) {
            snprintf(extra, sizeof extra, "ETag: \"v1\"\r\nDate: %s\r\nX-Revalidated: yes\r\n",
                     date);
            ts_respond(c, 304, "Not Modified", extra, NULL, "", 0);
        } else {
            snprintf(extra, sizeof extra,
                     "ETag: \"v1\"\r\nCache-Control: max-age=0\r\nDate: %s\r\n", date);
            snprintf(buf, sizeof buf, "{\"n\": %d}", n);
            ts_respond(c, 200, "OK", extra, "application/json", buf, strlen(buf));
        }
    } else if (!strcmp(path, "/big") || !strcmp(path, "/bigchunked")) {
        size_t sz = ts_param(q, "n", v, sizeof v) ? (size_t)atol(v) : 5000;
        char *x = malloc(sz + 1);
        memset(x, 'x', sz);
        if (!strcmp(path, "/big")) {
            ts_respond(c, 200, "OK", NULL, "text/plain", x, sz);
        } else {
            const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: "
                            "close\r\n\r\n";
            ts_write(c, h, strlen(h));
            for (size_t off = 0; off < sz; off += 1000) {
                size_t k = sz - off < 1000 ? sz - off : 1000;
                snprintf(buf, sizeof buf, "%zx\r\n", k);
                if (ts_write(c, buf, strlen(buf)) || ts_write(c, x + off, k) ||
                    ts_write(c, "\r\n", 2))
                    break;
            }
            ts_write(c, "0\r\n\r\n", 5);
        }
        free(x);
    } else if (!strcmp(path, "/gzip")) {
        ts_respond(c, 200, "OK", "Content-Encoding: gzip\r\n", "application/json",
                   (const char *)ts_gzip_body, sizeof ts_gzip_body);
    } else if (!strcmp(path, "/multi")) {
        ts_respond(c, 200, "OK", "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Mixed-Case:  v \r\n",
                   "text/plain", "x", 1);
    } else if (!strcmp(path, "/hdrbomb")) {
        const char *h = "HTTP/1.1 200 OK\r\nConnection: close\r\n";
        ts_write(c, h, strlen(h));
        char line[1024];
        memset(line, 'a', sizeof line);
        memcpy(line, "X-Pad: ", 7);
        memcpy(line + sizeof line - 2, "\r\n", 2);
        for (int i = 0; i < 1200; i++)
            if (ts_write(c, line, sizeof line)) break;
        ts_write(c, "Content-Length: 0\r\n\r\n", 21);
    } else if (!strcmp(path, "/close")) {
        /* no answer at all */
    } else if (!strcmp(path, "/flaky")) {
        if (n % 2 == 1) return; /* odd hits: drop the connection */
        ts_respond(c, 200, "OK", NULL, "text/plain", "ok", 2);
    } else {
        ts_respond(c, 404, "Not Found", NULL, "text/plain", "nf", 2);
    }
}

static void ts_handle(ts_server *s, int fd) {
    ts_conn c = {fd, NULL};
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (s->ctx) {
        c.ssl = SSL_new(s->ctx);
        SSL_set_fd(c.ssl, fd);
        if (SSL_accept(c.ssl) != 1) goto out;
    }
    char head[65536];
    size_t got = 0;
    char *end = NULL;
    while (!end && got < sizeof head - 1) {
        ssize_t r = ts_read(&c, head + got, sizeof head - 1 - got);
        if (r <= 0) goto out;
        got += (size_t)r;
        head[got] = 0;
        end = strstr(head, "\r\n\r\n");
    }
    if (!end) goto out;
    size_t hl = (size_t)(end - head) + 4;
    size_t clen = 0;
    const char *cl = strcasestr(head, "\r\nContent-Length:");
    if (cl && cl < end) clen = (size_t)atol(cl + 17);
    char *body = malloc(clen + 1);
    size_t have = got - hl < clen ? got - hl : clen;
    memcpy(body, head + hl, have);
    while (have < clen) {
        ssize_t r = ts_read(&c, body + have, clen - have);
        if (r <= 0) break;
        have += (size_t)r;
    }
    body[have] = 0;
    head[hl - 2] = 0; /* keep the final CRLF of the last header line */
    char method[32] = "", target[1024] = "";
    sscanf(head, "%31s %1023s", method, target);
    ts_route(&c, method, target, head, body, have);
    free(body);
out:
    if (c.ssl) {
        SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    close(fd);
}

static void *ts_loop(void *ud) {
    ts_server *s = ud;
    /* a client hanging up must not kill the test: writes here (OpenSSL's
     * included) get EPIPE instead; the client side keeps SIGPIPE fatal, so
     * a library write to a closed socket would still show */
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &ss, NULL);
    while (!s->stop) {
        struct pollfd pf = {s->lfd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0) continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd >= 0) ts_handle(s, fd);
    }
    return NULL;
}

/* Start a server; tls: serve HTTPS with pki's server certificate; mtls:
 * also require a client certificate from pki's CA. */
static int ts_start(ts_server *s, const ts_pki *pki, bool tls, bool mtls) {
    memset(s, 0, sizeof *s);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 16) ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al))
        return -1;
    s->port = ntohs(a.sin_port);
    if (tls) {
        s->ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_use_certificate(s->ctx, pki->srv_cert);
        SSL_CTX_use_PrivateKey(s->ctx, pki->srv_pkey);
        if (mtls) {
            X509_STORE_add_cert(SSL_CTX_get_cert_store(s->ctx), pki->ca_cert);
            SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    return pthread_create(&s->th, NULL, ts_loop, s) ? -1 : 0;
}

static void ts_stop(ts_server *s) {
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->lfd);
    SSL_CTX_free(s->ctx);
}

/* A loopback port nothing listens on (bound then closed). */
static int ts_dead_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    return ntohs(a.sin_port);
}

#endif
