/* test_tls.c - unit tests of the transport's TLS setup: the development CA
 * and server certificate (files, modes, SANs, reuse), the server SSL_CTX
 * (TLS 1.3 only by default, 1.2 when allowed, mismatched key refused), and
 * in-memory handshakes against it (BIO pairs, no sockets): a TLS 1.2-only
 * client is refused, a TLS 1.3 client verifying the dev CA for "localhost"
 * succeeds, a client certificate is required under SRV_AUTHN_TLS; and the
 * SIGHUP certificate reload (srv_tls_live_*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "server/http_int.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-test-tls-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void config(srv_config *c) {
    memset(c, 0, sizeof *c);
    c->max_header_bytes = 8192;
    c->max_body_bytes = 1 << 20;
}

/* Drive a handshake between two SSL objects over a BIO pair. 1 ok, 0 failed. */
static int handshake(SSL *cli, SSL *srv) {
    BIO *cb, *sb;
    BIO_new_bio_pair(&cb, 0, &sb, 0);
    SSL_set_bio(cli, cb, cb);
    SSL_set_bio(srv, sb, sb);
    SSL_set_connect_state(cli);
    SSL_set_accept_state(srv);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 100 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(cli);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(cli, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
        if (!sdone) {
            int r = SSL_do_handshake(srv);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(srv, r) != SSL_ERROR_WANT_READ)
                return 0;
        }
    }
    /* TLS 1.3: the server learns about a rejected client certificate late; a
     * round of application data settles it */
    char b[4];
    SSL_write(cli, "ping", 4);
    int r = SSL_read(srv, b, 4);
    if (r != 4) return 0;
    return cdone && sdone;
}

static void test_devcert(void **state) {
    (void)state;
    char *cert, *key, *ca;
    bool created;
    gh_err e;
    char sub[300];
    snprintf(sub, sizeof sub, "%s/data", dir);
    assert_int_equal(srv_tls_devcert(sub, &cert, &key, &ca, &created, &e), 0);
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* the CA's key is never written */
    char cakey[400];
    snprintf(cakey, sizeof cakey, "%s/dev-ca.key", sub);
    assert_int_not_equal(stat(cakey, &st), 0);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    /* SANs and the chain */
    FILE *f = fopen(cert, "r");
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = fopen(ca, "r");
    X509 *cax = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    assert_non_null(cax);
    assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
    assert_int_equal(X509_check_host(x, "example.com", 0, 0, NULL), 0);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    assert_int_equal(EVP_PKEY_get_base_id(pk), EVP_PKEY_EC);
    assert_int_equal(X509_check_issued(cax, x), X509_V_OK);
    assert_int_equal(X509_check_ca(cax), 1);
    /* the CA is constrained to this machine's names, critically */
    int crit = -1;
    NAME_CONSTRAINTS *ncs = X509_get_ext_d2i(cax, NID_name_constraints, &crit, NULL);
    assert_non_null(ncs);
    assert_int_equal(crit, 1);
    assert_true(sk_GENERAL_SUBTREE_num(ncs->permittedSubtrees) >= 3);
    assert_int_equal(NAME_CONSTRAINTS_check(x, ncs), X509_V_OK);
    NAME_CONSTRAINTS_free(ncs);
    X509_free(x);
    X509_free(cax);

    /* second start reuses the files */
    char *cert2, *key2, *ca2;
    assert_int_equal(srv_tls_devcert(sub, &cert2, &key2, &ca2, &created, &e), 0);
    assert_false(created);
    assert_string_equal(cert, cert2);
    gh_free(cert2);
    gh_free(key2);
    gh_free(ca2);
    /* a CA key left by an earlier version is removed, the certificate kept */
    f = fopen(cakey, "w");
    assert_non_null(f);
    fputs("-----BEGIN PRIVATE KEY-----\n", f);
    fclose(f);
    assert_int_equal(srv_tls_devcert(sub, &cert2, &key2, &ca2, &created, &e), 0);
    assert_false(created);
    assert_int_not_equal(stat(cakey, &st), 0);
    gh_free(cert2);
    gh_free(key2);
    gh_free(ca2);

    /* server contexts and handshakes */
    srv_config c;
    config(&c);
    SSL_CTX *sctx = srv_tls_ctx_new(&c, cert, key, &e);
    assert_non_null(sctx);
    assert_int_equal(SSL_CTX_get_min_proto_version(sctx), TLS1_3_VERSION);

    SSL_CTX *c13 = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(c13, ca, NULL);
    SSL_CTX_set_verify(c13, SSL_VERIFY_PEER, NULL);
    SSL *cli = SSL_new(c13), *srv = SSL_new(sctx);
    SSL_set_tlsext_host_name(cli, "localhost");
    SSL_set1_host(cli, "localhost");
    assert_int_equal(handshake(cli, srv), 1);
    assert_int_equal(SSL_version(cli), TLS1_3_VERSION);
    assert_int_equal(SSL_get_verify_result(cli), X509_V_OK);
    assert_null(srv_tls_peer_subject(srv));
    SSL_free(cli);
    SSL_free(srv);

    SSL_CTX *c12 = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION);
    cli = SSL_new(c12);
    srv = SSL_new(sctx);
    assert_int_equal(handshake(cli, srv), 0);
    SSL_free(cli);
    SSL_free(srv);
    SSL_CTX_free(sctx);
    ERR_clear_error();

    /* TLS 1.2 allowed */
    c.tls_allow_12 = true;
    sctx = srv_tls_ctx_new(&c, cert, key, &e);
    assert_non_null(sctx);
    cli = SSL_new(c12);
    srv = SSL_new(sctx);
    assert_int_equal(handshake(cli, srv), 1);
    assert_int_equal(SSL_version(cli), TLS1_2_VERSION);
    SSL_free(cli);
    SSL_free(srv);
    SSL_CTX_free(sctx);

    /* mTLS: the dev CA as client CA; the client presents the dev pair (its
     * certificate allows clientAuth too, for exactly this kind of testing) */
    c.tls_allow_12 = false;
    c.tls_client_ca_file = ca;
    c.authn = SRV_AUTHN_TLS;
    sctx = srv_tls_ctx_new(&c, cert, key, &e);
    assert_non_null(sctx);
    cli = SSL_new(c13);
    srv = SSL_new(sctx);
    assert_int_equal(handshake(cli, srv), 0); /* no client certificate */
    SSL_free(cli);
    SSL_free(srv);
    ERR_clear_error();
    SSL_CTX *cm = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(cm, ca, NULL);
    SSL_CTX_use_certificate_file(cm, cert, SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(cm, key, SSL_FILETYPE_PEM);
    cli = SSL_new(cm);
    srv = SSL_new(sctx);
    assert_int_equal(handshake(cli, srv), 1);
    char *subj = srv_tls_peer_subject(srv);
    assert_non_null(subj);
    assert_non_null(strstr(subj, "CN=localhost"));
    gh_free(subj);
    SSL_free(cli);
    SSL_free(srv);
    SSL_CTX_free(cm);
    SSL_CTX_free(sctx);

    /* authn tls without a client CA, and a key that does not match */
    c.tls_client_ca_file = NULL;
    assert_null(srv_tls_ctx_new(&c, cert, key, &e));
    assert_non_null(strstr(e.msg, "client_ca"));
    c.authn = SRV_AUTHN_OFF;
    assert_null(srv_tls_ctx_new(&c, cert, cakey, &e));
    assert_null(srv_tls_ctx_new(&c, "/nonexistent.crt", key, &e));
    assert_non_null(strstr(e.file, "nonexistent"));

    SSL_CTX_free(c13);
    SSL_CTX_free(c12);
    gh_free(cert);
    gh_free(key);
    gh_free(ca);
    assert_int_equal(srv_tls_devcert(NULL, &cert, &key, &ca, &created, &e), GH_EINVAL);
}

/* SIGHUP rotation: handshakes move to the reloaded context */
static void test_live_reload(void **state) {
    (void)state;
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/ra", dir);
    snprintf(b, sizeof b, "%s/rb", dir);
    char *ca1, *cert1, *key1, *ca2, *cert2, *key2;
    bool created;
    gh_err e;
    assert_int_equal(srv_tls_devcert(a, &cert1, &key1, &ca1, &created, &e), 0);
    assert_int_equal(srv_tls_devcert(b, &cert2, &key2, &ca2, &created, &e), 0);
    srv_config c;
    config(&c);
    SSL_CTX *base = srv_tls_ctx_new(&c, cert1, key1, &e);
    assert_non_null(base);
    srv_tls_live *live = srv_tls_live_new(base);
    assert_non_null(live);
    SSL_CTX *c1 = SSL_CTX_new(TLS_client_method()), *c2 = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(c1, ca1, NULL);
    SSL_CTX_load_verify_locations(c2, ca2, NULL);
    SSL_CTX_set_verify(c1, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_verify(c2, SSL_VERIFY_PEER, NULL);
    SSL *cli = SSL_new(c1), *srv = SSL_new(base);
    assert_int_equal(handshake(cli, srv), 1);
    SSL_free(cli);
    SSL_free(srv);
    /* a broken reload keeps the old certificate */
    assert_int_not_equal(srv_tls_live_reload(live, &c, "/nonexistent", key2, &e), 0);
    cli = SSL_new(c1);
    srv = SSL_new(base);
    assert_int_equal(handshake(cli, srv), 1);
    SSL_free(cli);
    SSL_free(srv);
    ERR_clear_error();
    /* after the reload, only the second CA verifies */
    assert_int_equal(srv_tls_live_reload(live, &c, cert2, key2, &e), 0);
    SSL *keep = SSL_new(base); /* created before, handshakes after: also moves */
    cli = SSL_new(c2);
    assert_int_equal(handshake(cli, keep), 1);
    SSL_free(cli);
    cli = SSL_new(c1);
    srv = SSL_new(base);
    assert_int_equal(handshake(cli, srv), 0);
    SSL_free(cli);
    SSL_free(srv);
    ERR_clear_error();
    /* a second reload frees the first reloaded context while `keep` holds it */
    assert_int_equal(srv_tls_live_reload(live, &c, cert1, key1, &e), 0);
    SSL_free(keep);
    srv_tls_live_free(live);
    SSL_CTX_free(base);
    SSL_CTX_free(c1);
    SSL_CTX_free(c2);
    gh_free(ca1), gh_free(cert1), gh_free(key1), gh_free(ca2), gh_free(cert2), gh_free(key2);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_devcert),
                                       cmocka_unit_test(test_live_reload)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
