/* tls.c - the server's TLS: the SSL_CTX every worker shares (TLS 1.3 only
 * unless configured, optional client-certificate verification), and the
 * development CA + server certificate written to the data directory when
 * a non-loopback address has no certificate configured (the CA's key only
 * ever lives in memory). Called by serve.c once at start; the SSL_CTX is
 * read-only afterwards (OpenSSL 3 makes concurrent SSL_new on one context
 * safe). Private keys written are 0600. */
#include "server/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int ssl_err(gh_err *e, const char *file, const char *what) {
    char buf[256];
    unsigned long code = ERR_get_error();
    if (code)
        ERR_error_string_n(code, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "unknown error");
    ERR_clear_error();
    return gh_err_set(e, GH_EIO, file, 0, 0, "%s: %s", what, buf);
}

/* ALPN: h2 when the client offers it and server.http2 is on (arg non-NULL),
 * else http/1.1; a client offering neither gets no ALPN answer and falls
 * back (or fails) as RFC 7301 lets it. */
static bool alpn_offers(const unsigned char *in, unsigned int inlen, const char *proto,
                        const unsigned char **out, unsigned char *outlen) {
    size_t pl = strlen(proto);
    for (unsigned int i = 0; i < inlen;) {
        unsigned int l = in[i];
        if (i + 1 + l > inlen) break;
        if (l == pl && memcmp(in + i + 1, proto, pl) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)l;
            return true;
        }
        i += 1 + l;
    }
    return false;
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    if (arg && alpn_offers(in, inlen, "h2", out, outlen)) return SSL_TLSEXT_ERR_OK;
    if (alpn_offers(in, inlen, "http/1.1", out, outlen)) return SSL_TLSEXT_ERR_OK;
    return SSL_TLSEXT_ERR_NOACK;
}

SSL_CTX *srv_tls_ctx_new(const srv_config *c, const char *cert, const char *key, gh_err *e) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_err(e, NULL, "TLS context");
        return NULL;
    }
    if (!SSL_CTX_set_min_proto_version(ctx, c->tls_allow_12 ? TLS1_2_VERSION : TLS1_3_VERSION))
        goto fail_ssl;
    /* a peer closing without close_notify is an ordinary end of stream here:
     * every request is framed by Content-Length or chunks */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (c->tls_allow_12 &&
        !SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!SHA1"))
        goto fail_ssl;
    /* session tickets let keep-alive clients that reconnect skip the full handshake */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"gatehouse", 9);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* one read(2) per record batch instead of header + body reads */
    SSL_CTX_set_read_ahead(ctx, 1);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        ssl_err(e, cert, "cannot load TLS certificate");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ssl_err(e, key, "cannot load TLS private key");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        gh_err_set(e, GH_EINVAL, key, 0, 0, "TLS private key does not match the certificate %s",
                   cert);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (c->tls_client_ca_file) {
        if (SSL_CTX_load_verify_locations(ctx, c->tls_client_ca_file, NULL) != 1) {
            ssl_err(e, c->tls_client_ca_file, "cannot load client CA");
            SSL_CTX_free(ctx);
            return NULL;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->tls_client_ca_file);
        if (names) SSL_CTX_set_client_CA_list(ctx, names);
        int mode = SSL_VERIFY_PEER;
        if (c->authn == SRV_AUTHN_TLS) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx, mode, NULL);
        SSL_CTX_set_verify_depth(ctx, 8);
    } else if (c->authn == SRV_AUTHN_TLS) {
        gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                   "authentication tls needs tls.client_ca_file (--tls-ca-cert-file)");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, c->http2 ? (void *)ctx : NULL);
    return ctx;
fail_ssl:
    ssl_err(e, NULL, "TLS context");
    SSL_CTX_free(ctx);
    return NULL;
}

/* ---- certificate reload ------------------------------------------------------
 * Workers create every SSL from the context made at start; its client-hello
 * callback moves each new handshake onto the most recently loaded context
 * (SSL_set_SSL_CTX takes a reference, so a replaced context lives until its
 * last connection ends). The mutex is taken once per handshake, never per
 * request. */
struct srv_tls_live {
    pthread_mutex_t mu;
    SSL_CTX *cur; /* NULL until the first reload */
};

static int client_hello_cb(SSL *ssl, int *al, void *arg) {
    srv_tls_live *l = arg;
    (void)al;
    pthread_mutex_lock(&l->mu);
    if (l->cur && SSL_get_SSL_CTX(ssl) != l->cur) SSL_set_SSL_CTX(ssl, l->cur);
    pthread_mutex_unlock(&l->mu);
    return SSL_CLIENT_HELLO_SUCCESS;
}

srv_tls_live *srv_tls_live_new(SSL_CTX *base) {
    srv_tls_live *l = gh_calloc(1, sizeof *l);
    if (!l) return NULL;
    pthread_mutex_init(&l->mu, NULL);
    SSL_CTX_set_client_hello_cb(base, client_hello_cb, l);
    return l;
}

int srv_tls_live_reload(srv_tls_live *l, const srv_config *c, const char *cert, const char *key,
                        gh_err *e) {
    SSL_CTX *n = srv_tls_ctx_new(c, cert, key, e);
    if (!n) return e && e->code ? e->code : GH_EIO;
    pthread_mutex_lock(&l->mu);
    SSL_CTX *old = l->cur;
    l->cur = n;
    pthread_mutex_unlock(&l->mu);
    SSL_CTX_free(old); /* connections using it keep their own references */
    return 0;
}

void srv_tls_live_free(srv_tls_live *l) {
    if (!l) return;
    SSL_CTX_free(l->cur);
    pthread_mutex_destroy(&l->mu);
    gh_free(l);
}

char *srv_tls_peer_subject(SSL *ssl) {
    if (!ssl) return NULL;
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (!peer || SSL_get_verify_result(ssl) != X509_V_OK) return NULL;
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) return NULL;
    X509_NAME_print_ex(b, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *s = NULL;
    if (n >= 0 && n < 4096 && (s = gh_malloc((size_t)n + 1))) {
        memcpy(s, p, (size_t)n);
        s[n] = '\0';
    }
    BIO_free(b);
    return s;
}

static bool append_der(gh_buf *b, X509 *x) {
    int len = i2d_X509(x, NULL);
    if (len <= 0) return false;
    size_t at = b->len;
    if (gh_buf_reserve(b, (size_t)len) || b->oom) return false;
    unsigned char *p = (unsigned char *)b->p + at;
    if (i2d_X509(x, &p) != len) return false;
    b->len = at + (size_t)len;
    return true;
}

unsigned char *srv_tls_peer_chain_der(SSL *ssl, size_t *n) {
    *n = 0;
    if (!ssl) return NULL;
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    if (!leaf || SSL_get_verify_result(ssl) != X509_V_OK) return NULL;
    gh_buf b;
    gh_buf_init(&b);
    bool ok = append_der(&b, leaf);
    /* on the server side OpenSSL's peer chain leaves the leaf out */
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; ok && chain && i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        if (i == 0 && X509_cmp(x, leaf) == 0) continue;
        ok = append_der(&b, x);
    }
    if (!ok || b.oom) {
        gh_buf_free(&b);
        return NULL;
    }
    unsigned char *out = gh_malloc(b.len ? b.len : 1);
    if (out) {
        memcpy(out, b.p, b.len);
        *n = b.len;
    }
    gh_buf_free(&b);
    return out;
}

/* ---- development certificate ------------------------------------------------ */

static char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = gh_malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static EVP_PKEY *gen_key(void) { return EVP_EC_gen("P-256"); }

static int write_key(const char *path, EVP_PKEY *k, gh_err *e) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return gh_err_set(e, GH_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    (void)fchmod(fd, 0600);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return gh_err_set(e, GH_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    int ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : ssl_err(e, path, "cannot write key");
}

static int write_cert(const char *path, X509 *x, gh_err *e) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return gh_err_set(e, GH_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return gh_err_set(e, GH_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    int ok = PEM_write_X509(f, x);
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : ssl_err(e, path, "cannot write certificate");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ex) return -1;
    int ok = X509_add_ext(cert, ex, -1);
    X509_EXTENSION_free(ex);
    return ok ? 0 : -1;
}

/* A certificate for key, signed by (issuer, ikey); self-signed when issuer
 * is NULL. A CA gets the name constraints nc (OpenSSL's syntax) when set; a
 * leaf gets the subject alternative names san. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, long days,
                       bool ca, const char *san, const char *nc) {
    X509 *x = X509_new();
    if (!x) return NULL;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    if (RAND_bytes(serial, sizeof serial) != 1) goto fail;
    serial[0] &= 0x7f;
    bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))) goto fail;
    X509_set_version(x, 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"gatehouse", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509 *iss = issuer ? issuer : x;
    X509_set_issuer_name(x, X509_get_subject_name(iss));
    if (ca) {
        if (add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
            add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign") ||
            add_ext(x, iss, NID_subject_key_identifier, "hash") ||
            (nc && add_ext(x, iss, NID_name_constraints, nc)))
            goto fail;
    } else {
        if (add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") ||
            add_ext(x, iss, NID_key_usage, "critical,digitalSignature") ||
            add_ext(x, iss, NID_ext_key_usage, "serverAuth,clientAuth") ||
            add_ext(x, iss, NID_subject_key_identifier, "hash") ||
            add_ext(x, iss, NID_authority_key_identifier, "keyid:always") ||
            add_ext(x, iss, NID_subject_alt_name, san))
            goto fail;
    }
    if (!X509_sign(x, issuer ? ikey : key, EVP_sha256())) goto fail;
    BN_free(bn);
    return x;
fail:
    BN_free(bn);
    X509_free(x);
    return NULL;
}

static X509 *read_cert(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return x;
}

static EVP_PKEY *read_key(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

/* Is the existing server certificate usable for at least another day? */
static bool cert_fresh(const char *cert, const char *key) {
    X509 *x = read_cert(cert);
    EVP_PKEY *k = read_key(key);
    bool ok = false;
    if (x && k && X509_check_private_key(x, k) == 1) {
        time_t soon = time(NULL) + 86400;
        ok = X509_cmp_time(X509_get0_notAfter(x), &soon) > 0;
    }
    X509_free(x);
    EVP_PKEY_free(k);
    ERR_clear_error();
    return ok;
}

int srv_tls_devcert(const char *dir, char **cert, char **key, char **ca, bool *created, gh_err *e) {
    *cert = *key = *ca = NULL;
    *created = false;
    if (!dir || !*dir)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "data_dir: needed for the development certificate (no "
                          "tls.cert_file configured)");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return gh_err_set(e, GH_EIO, dir, 0, 0, "cannot create data directory: %s",
                          strerror(errno));
    char *ca_crt = path_join(dir, "dev-ca.crt"), *ca_key = path_join(dir, "dev-ca.key");
    char *srv_crt = path_join(dir, "dev-server.crt"), *srv_key = path_join(dir, "dev-server.key");
    int rc = 0;
    EVP_PKEY *cak = NULL, *sk = NULL;
    X509 *cax = NULL, *sx = NULL;
    if (!ca_crt || !ca_key || !srv_crt || !srv_key) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    /* the CA's private key is never kept: one left by an earlier version
     * could sign certificates its trusting clients would accept */
    if (unlink(ca_key) == 0)
        gh_log(GH_LOG_WARN, "removed the development CA's private key; it is no longer kept",
               "file", ca_key, NULL);
    if (cert_fresh(srv_crt, srv_key)) goto out;

    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0]) strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    bool host_ok = strcmp(host, "localhost") != 0 &&
                   strspn(host, "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == strlen(host);
    char san[400], nc[600];
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1,IP:::1%s%s", host_ok ? ",DNS:" : "",
             host_ok ? host : "");
    /* the CA may only vouch for this machine's names, should its
     * certificate be trusted more widely than meant */
    snprintf(nc, sizeof nc,
             "critical,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0,"
             "permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%s%s",
             host_ok ? ",permitted;DNS:" : "", host_ok ? host : "");
    /* a new CA with every new server certificate (397 days: the longest
     * lifetime browsers accept); its key lives only in memory, here */
    if (!(cak = gen_key()) ||
        !(cax = make_cert(cak, "gatehouse development CA", NULL, NULL, 398, true, NULL, nc))) {
        rc = ssl_err(e, ca_crt, "cannot create the development CA");
        goto out;
    }
    if (!(sk = gen_key()) || !(sx = make_cert(sk, "localhost", cax, cak, 397, false, san, NULL))) {
        rc = ssl_err(e, srv_crt, "cannot create the development server certificate");
        goto out;
    }
    /* the CA first: should a later write fail, the next start issues anew */
    if ((rc = write_cert(ca_crt, cax, e)) != 0 || (rc = write_key(srv_key, sk, e)) != 0 ||
        (rc = write_cert(srv_crt, sx, e)) != 0)
        goto out;
    *created = true;
out:
    X509_free(cax);
    X509_free(sx);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(sk);
    gh_free(ca_key);
    if (rc == 0) {
        *cert = srv_crt;
        *key = srv_key;
        *ca = ca_crt;
    } else {
        gh_free(srv_crt);
        gh_free(srv_key);
        gh_free(ca_crt);
    }
    return rc;
}
