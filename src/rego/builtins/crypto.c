/* crypto.c - the "crypto" builtin family: crypto.md5/sha1/sha256,
 * crypto.hmac.* and hmac.equal, crypto.parse_private_keys,
 * crypto.x509.parse_rsa_private_key, parse_keypair, parse_certificates,
 * parse_and_verify_certificates(_with_options), parse_certificate_request.
 * Exported as rego_bi_crypto; certificate values come from x509.c, key
 * material from jwk.c/x509.c. All hashing and verification is OpenSSL 3
 * EVP / X509_verify_cert. Semantics and messages are OPA's (topdown/
 * crypto.go); chain verification uses the query's clock (ctx->now_ns)
 * where Go would read the wall clock, and applies Go's extended key usage
 * rule (ServerAuth unless KeyUsages says otherwise) on top of OpenSSL's
 * path validation. Private key bytes are wiped after use. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/strutil.h"

/* ---- hashes and HMAC ------------------------------------------------------------------------ */

static int hash_hex(rego_bctx *c, val_t *const *args, val_t **out, const char *md) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    unsigned char dig[EVP_MAX_MD_SIZE];
    size_t dn = 0;
    if (!EVP_Q_digest(NULL, md, NULL, s, n, dig, &dn)) return rb_err(c, "%s: digest failed", md);
    return (*out = rb_hex_value(c->a, dig, dn)) ? 0 : rb_oom(c);
}

static int bi_md5(rego_bctx *c, val_t *const *args, val_t **out) {
    return hash_hex(c, args, out, "MD5");
}
static int bi_sha1(rego_bctx *c, val_t *const *args, val_t **out) {
    return hash_hex(c, args, out, "SHA1");
}
static int bi_sha256(rego_bctx *c, val_t *const *args, val_t **out) {
    return hash_hex(c, args, out, "SHA256");
}

static int hmac_hex(rego_bctx *c, val_t *const *args, val_t **out, const char *md) {
    static const unsigned char zero = 0;
    const char *msg, *key;
    size_t mn, kn;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &msg, &mn)) || (rc = rb_arg_str(c, args, 1, &key, &kn)))
        return rc;
    /* an empty HMAC key pads to the same block as one zero byte */
    const unsigned char *k = kn ? (const unsigned char *)key : &zero;
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t macn = 0;
    if (!EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, k, kn ? kn : 1, (const unsigned char *)msg, mn,
                   mac, sizeof mac, &macn))
        return rb_err(c, "HMAC-%s failed", md);
    return (*out = rb_hex_value(c->a, mac, macn)) ? 0 : rb_oom(c);
}

static int bi_hmac_md5(rego_bctx *c, val_t *const *args, val_t **out) {
    return hmac_hex(c, args, out, "MD5");
}
static int bi_hmac_sha1(rego_bctx *c, val_t *const *args, val_t **out) {
    return hmac_hex(c, args, out, "SHA1");
}
static int bi_hmac_sha256(rego_bctx *c, val_t *const *args, val_t **out) {
    return hmac_hex(c, args, out, "SHA256");
}
static int bi_hmac_sha512(rego_bctx *c, val_t *const *args, val_t **out) {
    return hmac_hex(c, args, out, "SHA512");
}

static int bi_hmac_equal(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *a, *b;
    size_t an, bn;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &a, &an)) || (rc = rb_arg_str(c, args, 1, &b, &bn))) return rc;
    *out = val_bool(rb_ct_equal(a, an, b, bn));
    return 0;
}

/* ---- private keys -------------------------------------------------------------------------- */

/* One PEM private key block (PKCS#1, PKCS#8 or SEC 1) as an EVP_PKEY;
 * NULL with Go's error when the block does not parse. Other block types
 * give *skip = true. */
static EVP_PKEY *pem_private_key(rego_bctx *c, const rb_pem *blk, bool *skip) {
    const unsigned char *p = blk->der;
    long n = (long)blk->der_len;
    EVP_PKEY *pk = NULL;
    *skip = false;
    if (rb_pem_type_is(blk, "RSA PRIVATE KEY")) {
        pk = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, n);
        if (!pk)
            rb_err(c, "x509: failed to parse private key (use ParsePKCS8PrivateKey instead "
                      "for this key format)");
    } else if (rb_pem_type_is(blk, "PRIVATE KEY")) {
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, n);
        pk = p8 ? EVP_PKCS82PKEY(p8) : NULL;
        PKCS8_PRIV_KEY_INFO_free(p8);
        if (pk && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA &&
            EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC &&
            EVP_PKEY_get_base_id(pk) != EVP_PKEY_ED25519 &&
            EVP_PKEY_get_base_id(pk) != EVP_PKEY_X25519) {
            EVP_PKEY_free(pk);
            pk = NULL;
            rb_err(c, "x509: PKCS#8 wrapping contained private key with unknown algorithm");
        } else if (!pk) {
            rb_err(c, "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for "
                      "this key format)");
        }
    } else if (rb_pem_type_is(blk, "EC PRIVATE KEY")) {
        pk = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, n);
        if (!pk) rb_err(c, "x509: failed to parse EC private key");
    } else {
        *skip = true;
    }
    return pk;
}

/* OPA's getPrivateKeysFromPEMData. *keys is a heap array of n keys. */
static int private_keys(rego_bctx *c, const char *s, size_t n, EVP_PKEY ***keys, size_t *nkeys) {
    *keys = NULL;
    *nkeys = 0;
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(c, "key material too large");
    unsigned char *dec;
    size_t dn;
    if (!rb_b64_std_decode(c, s, n, &dec, &dn)) {
        s = (const char *)dec;
        n = dn;
    } else {
        gh_err_clear(c->err);
    }
    size_t cap = 0;
    EVP_PKEY **arr = NULL;
    size_t off = 0;
    while (off < n) {
        rb_pem blk;
        size_t rest;
        if (!rb_pem_decode(c->a, s + off, n - off, &blk, &rest)) break;
        off += rest;
        bool skip;
        EVP_PKEY *pk = pem_private_key(c, &blk, &skip);
        OPENSSL_cleanse(blk.der, blk.der_len);
        if (skip) continue;
        if (!pk) goto fail;
        if (*nkeys == cap) {
            size_t nc = cap ? cap * 2 : 4;
            EVP_PKEY **g = gh_realloc(arr, nc * sizeof *g);
            if (!g) {
                EVP_PKEY_free(pk);
                rb_oom(c);
                goto fail;
            }
            arr = g;
            cap = nc;
        }
        arr[(*nkeys)++] = pk;
    }
    *keys = arr;
    return 0;
fail:
    for (size_t i = 0; i < *nkeys; i++)
        EVP_PKEY_free(arr[i]);
    gh_free(arr);
    *nkeys = 0;
    return c->err->code ? c->err->code : GH_EINVAL;
}

static void keys_free(EVP_PKEY **keys, size_t n) {
    for (size_t i = 0; i < n; i++)
        EVP_PKEY_free(keys[i]);
    gh_free(keys);
}

static int bi_parse_private_keys(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    if (n == 0) {
        *out = VAL_NULLV;
        return 0;
    }
    EVP_PKEY **keys;
    size_t nk;
    if ((rc = private_keys(c, s, n, &keys, &nk))) return rc;
    val_t *arr = val_arr_new(c->a, nk);
    for (size_t i = 0; arr && i < nk; i++) {
        val_t *v = EVP_PKEY_get_base_id(keys[i]) == EVP_PKEY_X25519
                       ? val_obj_new(c->a, 0)
                       : rb_privkey_value(c->a, keys[i]);
        if (!v || val_arr_push(c->a, arr, v)) arr = NULL;
    }
    keys_free(keys, nk);
    if (!arr) return rb_oom(c);
    *out = arr;
    return 0;
}

static val_t *b64url_bn(gh_arena *a, EVP_PKEY *pk, const char *param) {
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pk, param, &bn)) return NULL;
    int len = BN_num_bytes(bn);
    unsigned char *buf = gh_arena_alloc(a, (size_t)len + 1);
    val_t *v = NULL;
    if (buf && BN_bn2bin(bn, buf) == len) {
        size_t k;
        char *s = rb_b64_encode(a, buf, (size_t)len, true, false, &k);
        OPENSSL_cleanse(buf, (size_t)len);
        v = s ? val_str_ref(a, s, k) : NULL;
    }
    BN_clear_free(bn);
    return v;
}

static int bi_parse_rsa_private_key(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    if (n == 0) return rb_err(c, "input PEM data was empty");
    if (!rb_has_pem_prefix(s, n)) {
        unsigned char *dec;
        size_t dn;
        if ((rc = rb_b64_std_decode(c, s, n, &dec, &dn))) return rc;
        s = (const char *)dec;
        n = dn;
    }
    EVP_PKEY **keys;
    size_t nk;
    if ((rc = private_keys(c, s, n, &keys, &nk))) return rc;
    if (nk == 0) {
        keys_free(keys, nk);
        *out = VAL_NULLV;
        return 0;
    }
    EVP_PKEY *pk = keys[0];
    val_t *o = val_obj_new(c->a, 9);
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: {
        bool ok = rb_put(c->a, o, "kty", val_strc(c->a, "RSA"));
        for (size_t i = 0; ok && i < RB_JWK_RSA_N; i++)
            ok = rb_put(c->a, o, rb_jwk_rsa_members[i], b64url_bn(c->a, pk, rb_jwk_rsa_params[i]));
        rc = ok ? 0 : rb_oom(c);
        break;
    }
    case EVP_PKEY_EC: /* OPA's JWK encoder emits only the key type here */
        rc = rb_put(c->a, o, "kty", val_strc(c->a, "EC")) ? 0 : rb_oom(c);
        break;
    case EVP_PKEY_ED25519: rc = rb_err(c, "invalid key type ed25519.PrivateKey"); break;
    default: rc = rb_err(c, "invalid key type *ecdh.PrivateKey"); break;
    }
    keys_free(keys, nk);
    if (!rc) *out = o;
    return rc;
}

/* ---- certificates ---------------------------------------------------------------------------- */

static int bi_parse_certificates(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    rb_cert *certs;
    size_t nc;
    if ((rc = rb_certs_parse(c, s, n, &certs, &nc))) return rc;
    val_t *arr = val_arr_new(c->a, nc);
    for (size_t i = 0; !rc && i < nc; i++) {
        val_t *v = rb_cert_value(c, &certs[i], true);
        if (!v)
            rc = c->err->code ? c->err->code : rb_oom(c);
        else if (!arr || val_arr_push(c->a, arr, v))
            rc = rb_oom(c);
    }
    rb_certs_free(certs, nc);
    if (!rc) *out = arr;
    return rc;
}

/* Options of parse_and_verify_certificates_with_options (Go's VerifyOptions). */
typedef struct vopts {
    const char *dns;
    size_t dnsn;
    bool has_time;
    int64_t time_ns;
    int usages[16];
    size_t nusages;
} vopts;

static const char *const usage_names[] = {"KeyUsageAny",
                                          "KeyUsageServerAuth",
                                          "KeyUsageClientAuth",
                                          "KeyUsageCodeSigning",
                                          "KeyUsageEmailProtection",
                                          "KeyUsageIPSECEndSystem",
                                          "KeyUsageIPSECTunnel",
                                          "KeyUsageIPSECUser",
                                          "KeyUsageTimeStamping",
                                          "KeyUsageOCSPSigning",
                                          "KeyUsageMicrosoftServerGatedCrypto",
                                          "KeyUsageNetscapeServerGatedCrypto",
                                          "KeyUsageMicrosoftCommercialCodeSigning",
                                          "KeyUsageMicrosoftKernelCodeSigning"};

static int usage_of(const char *s, size_t n) {
    for (size_t i = 0; i < sizeof usage_names / sizeof *usage_names; i++)
        if (strlen(usage_names[i]) == n && !memcmp(usage_names[i], s, n)) return (int)i;
    return -1;
}

static bool key_eq(const val_t *k, const char *lit) {
    return val_is_str(k) && val_str_len(k) == strlen(lit) &&
           !memcmp(val_str_ptr(k), lit, val_str_len(k));
}

/* OPA's extractVerifyOpts. */
static int verify_opts(rego_bctx *c, const val_t *o, vopts *vo) {
    memset(vo, 0, sizeof *vo);
    for (size_t i = 0; i < val_obj_len(o); i++) {
        val_t *k = val_obj_key_at(o, i), *v = val_obj_val_at(o, i);
        if (!val_is_str(k)) continue;
        if (key_eq(k, "DNSName")) {
            if (!val_is_str(v)) return rb_err(c, "'DNSName' should be a string");
            vo->dns = val_str_ptr(v);
            vo->dnsn = val_str_len(v);
            while (vo->dnsn && vo->dns[0] == '"')
                vo->dns++, vo->dnsn--;
            while (vo->dnsn && vo->dns[vo->dnsn - 1] == '"')
                vo->dnsn--;
        } else if (key_eq(k, "CurrentTime")) {
            if (val_kind_of(v) != VAL_NUMBER) return rb_err(c, "'CurrentTime' should be a number");
            if (!val_is_int(v) || !val_num_to_int64(v, &vo->time_ns))
                return rb_err(c, "'CurrentTime' should be a valid int64 number");
            vo->has_time = true;
        } else if (key_eq(k, "MaxConstraintComparisons")) {
            int64_t x;
            if (val_kind_of(v) != VAL_NUMBER)
                return rb_err(c, "'MaxConstraintComparisons' should be a number");
            if (!val_is_int(v) || !val_num_to_int64(v, &x))
                return rb_err(c, "'MaxConstraintComparisons' should be a valid number");
        } else if (key_eq(k, "KeyUsages")) {
            if (val_kind_of(v) != VAL_ARRAY && val_kind_of(v) != VAL_SET)
                return rb_err(c, "'KeyUsages' should be an Array or Set");
            size_t cnt = val_kind_of(v) == VAL_ARRAY ? val_arr_len(v) : val_set_len(v);
            rb_sb bad;
            rb_sb_init(&bad, c->a, 64);
            size_t nbad = 0;
            for (size_t j = 0; j < cnt; j++) {
                val_t *e = val_kind_of(v) == VAL_ARRAY ? val_arr_at(v, j) : val_set_at(v, j);
                if (!val_is_str(e)) continue;
                const char *s = val_str_ptr(e);
                size_t sn = val_str_len(e);
                while (sn && s[0] == '"')
                    s++, sn--;
                while (sn && s[sn - 1] == '"')
                    sn--;
                int u = usage_of(s, sn);
                if (u < 0) {
                    rb_sb_puts(&bad, nbad++ ? " " : "");
                    rb_sb_put(&bad, s, sn);
                } else if (vo->nusages < sizeof vo->usages / sizeof *vo->usages) {
                    vo->usages[vo->nusages++] = u;
                }
            }
            if (nbad) {
                val_t *msg = rb_sb_finish(&bad);
                if (!msg) return rb_oom(c);
                return rb_err(c, "invalid entries for 'KeyUsages' found: [%s]", val_str_ptr(msg));
            }
        } else {
            return rb_err(c, "invalid key option");
        }
    }
    return 0;
}

/* Go's checkChainForKeyUsage over the chain's certificate values. */
static bool chain_usage_ok(val_t *const *vals, size_t n, const vopts *vo) {
    int req[16];
    size_t nreq = vo->nusages;
    if (nreq == 0) {
        req[0] = 1; /* ExtKeyUsageServerAuth */
        nreq = 1;
    } else {
        memcpy(req, vo->usages, nreq * sizeof *req);
    }
    for (size_t i = 0; i < nreq; i++)
        if (req[i] == 0) return true; /* ExtKeyUsageAny requested */
    size_t remaining = nreq;
    for (size_t ci = n; ci-- > 0;) {
        val_t *eku = val_obj_get_str(vals[ci], "ExtKeyUsage", 11);
        val_t *unk = val_obj_get_str(vals[ci], "UnknownExtKeyUsage", 18);
        size_t ne = eku && val_kind_of(eku) == VAL_ARRAY ? val_arr_len(eku) : 0;
        size_t nu = unk && val_kind_of(unk) == VAL_ARRAY ? val_arr_len(unk) : 0;
        if (ne == 0 && nu == 0) continue;
        bool any = false;
        for (size_t j = 0; j < ne; j++) {
            int64_t u;
            if (val_num_to_int64(val_arr_at(eku, j), &u) && u == 0) any = true;
        }
        if (any) continue;
        for (size_t r = 0; r < nreq; r++) {
            if (req[r] < 0) continue;
            bool found = false;
            for (size_t j = 0; j < ne; j++) {
                int64_t u;
                if (val_num_to_int64(val_arr_at(eku, j), &u) && u == req[r]) found = true;
            }
            if (!found) {
                req[r] = -1;
                if (--remaining == 0) return false;
            }
        }
    }
    return true;
}

static int invalid_result(rego_bctx *c, val_t **out) {
    val_t *arr = val_arr_new(c->a, 2), *empty = val_arr_new(c->a, 0);
    if (!arr || !empty || val_arr_push(c->a, arr, VAL_FALSE) || val_arr_push(c->a, arr, empty))
        return rb_oom(c);
    *out = arr;
    return 0;
}

/* OpenSSL path validation of certs (root first, leaf last) as OPA's
 * verifyX509CertificateChain; *chain receives the verified chain leaf
 * first (indices into certs). Returns true when valid. */
static bool verify_chain(rego_bctx *c, rb_cert *certs, size_t n, const vopts *vo, size_t *chain,
                         size_t *nchain) {
    if (n < 2) return false;
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *inter = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    bool ok = store && inter && ctx && X509_STORE_add_cert(store, certs[0].x) == 1;
    for (size_t i = 1; ok && i + 1 < n; i++)
        ok = sk_X509_push(inter, certs[i].x) > 0;
    ok = ok && X509_STORE_CTX_init(ctx, store, certs[n - 1].x, inter) == 1;
    if (ok) {
        X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
        int64_t ns = vo->has_time ? vo->time_ns : c->now_ns;
        time_t t = (time_t)(ns / 1000000000);
        if (ns < 0 && ns % 1000000000) t--;
        X509_VERIFY_PARAM_set_time(vp, t);
        X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
        if (vo->dnsn) {
            char host[256];
            unsigned char ipb[16];
            if (vo->dnsn >= sizeof host) {
                ok = false;
            } else {
                memcpy(host, vo->dns, vo->dnsn);
                host[vo->dnsn] = 0;
                int ipn = 0;
                if (inet_pton(AF_INET, host, ipb) == 1)
                    ipn = 4;
                else if (inet_pton(AF_INET6, host, ipb) == 1)
                    ipn = 16;
                if (ipn)
                    ok = X509_VERIFY_PARAM_set1_ip(vp, ipb, (size_t)ipn) == 1;
                else {
                    X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                                            X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                    ok = X509_VERIFY_PARAM_set1_host(vp, host, vo->dnsn) == 1;
                }
            }
        }
    }
    ok = ok && X509_verify_cert(ctx) == 1;
    if (ok) {
        STACK_OF(X509) *ch = X509_STORE_CTX_get0_chain(ctx);
        int cn = ch ? sk_X509_num(ch) : 0;
        *nchain = 0;
        for (int i = 0; ok && i < cn; i++) {
            X509 *x = sk_X509_value(ch, i);
            size_t j = 0;
            while (j < n && X509_cmp(certs[j].x, x) != 0)
                j++;
            if (j == n)
                ok = false;
            else
                chain[(*nchain)++] = j;
        }
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(inter);
    X509_STORE_free(store);
    return ok;
}

static int parse_and_verify(rego_bctx *c, const char *s, size_t n, const vopts *vo, bool uris,
                            val_t **out) {
    rb_cert *certs;
    size_t nc;
    gh_err saved = *c->err;
    if (rb_certs_parse(c, s, n, &certs, &nc)) {
        if (c->err->code == GH_ENOMEM || c->a->oom) return rb_oom(c);
        *c->err = saved;
        return invalid_result(c, out);
    }
    size_t *chain = gh_calloc(nc ? nc : 1, sizeof *chain), nchain = 0;
    val_t **vals = gh_calloc(nc ? nc : 1, sizeof *vals);
    int rc = 0;
    bool ok = chain && vals && verify_chain(c, certs, nc, vo, chain, &nchain);
    if (!chain || !vals) rc = rb_oom(c);
    for (size_t i = 0; ok && i < nchain; i++) {
        vals[i] = rb_cert_value(c, &certs[chain[i]], uris);
        if (!vals[i]) {
            if (c->err->code == GH_ENOMEM || c->a->oom) rc = rb_oom(c);
            *c->err = saved;
            ok = false;
        }
    }
    if (ok) ok = chain_usage_ok(vals, nchain, vo);
    if (!rc && c->a->oom) rc = rb_oom(c);
    if (!rc && ok) {
        val_t *arr = val_arr_new(c->a, 2), *list = val_arr_new(c->a, nchain);
        for (size_t i = 0; list && i < nchain; i++)
            if (val_arr_push(c->a, list, vals[i])) list = NULL;
        if (!arr || !list || val_arr_push(c->a, arr, VAL_TRUE) || val_arr_push(c->a, arr, list))
            rc = rb_oom(c);
        else
            *out = arr;
    } else if (!rc) {
        rc = invalid_result(c, out);
    }
    gh_free(chain);
    gh_free(vals);
    rb_certs_free(certs, nc);
    return rc;
}

static int bi_parse_and_verify(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    vopts vo;
    memset(&vo, 0, sizeof vo);
    return parse_and_verify(c, s, n, &vo, true, out);
}

static int bi_parse_and_verify_opts(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n)) || (rc = rb_arg_kind(c, args, 1, VAL_OBJECT)))
        return rc;
    /* OPA parses the certificates before reading the options: a bad chain
     * is "invalid" even when the options are wrong */
    rb_cert *certs;
    size_t nc;
    gh_err saved = *c->err;
    if (rb_certs_parse(c, s, n, &certs, &nc)) {
        if (c->err->code == GH_ENOMEM || c->a->oom) return rb_oom(c);
        *c->err = saved;
        return invalid_result(c, out);
    }
    rb_certs_free(certs, nc);
    vopts vo;
    if ((rc = verify_opts(c, args[1], &vo))) return rc;
    return parse_and_verify(c, s, n, &vo, false, out);
}

static int bi_parse_certificate_request(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(c, "x509: input too large");
    const unsigned char *der = (const unsigned char *)s;
    size_t dn = n;
    static const char pfx[] = "-----BEGIN CERTIFICATE REQUEST-----";
    if (!(n >= sizeof pfx - 1 && !memcmp(s, pfx, sizeof pfx - 1))) {
        unsigned char *dec;
        if ((rc = rb_b64_std_decode(c, s, n, &dec, &dn))) return rc;
        der = dec;
    }
    rb_pem blk;
    size_t rest;
    if (rb_pem_decode(c->a, (const char *)der, dn, &blk, &rest)) {
        if (!rb_pem_type_is(&blk, "CERTIFICATE REQUEST"))
            return rb_err(c, "invalid PEM-encoded certificate signing request");
        der = blk.der;
        dn = blk.der_len;
    }
    return rb_csr_value(c, der, dn, out);
}

/* ---- crypto.x509.parse_keypair -------------------------------------------------------------- */

/* A DER or PEM input as PEM text (OPA wraps DER in a PEM block). */
static int keypair_input(rego_bctx *c, const char *s, size_t n, const char *type, const char **pem,
                         size_t *pemn) {
    if (!rb_has_pem_prefix(s, n)) {
        unsigned char *dec;
        size_t dn;
        int rc = rb_b64_std_decode(c, s, n, &dec, &dn);
        if (rc) return rc;
        s = (const char *)dec;
        n = dn;
        if (!rb_has_pem_prefix(s, n)) {
            size_t bn;
            char *b64 = rb_b64_encode(c->a, dec, dn, false, true, &bn);
            char *t = b64 ? gh_arena_printf(c->a, "-----BEGIN %s-----\n%s\n-----END %s-----\n",
                                            type, b64, type)
                          : NULL;
            if (!t) return rb_oom(c);
            s = t;
            n = strlen(t);
        }
    }
    *pem = s;
    *pemn = n;
    return 0;
}

static bool ends_with(const rb_pem *b, const char *suffix) {
    size_t k = strlen(suffix);
    return b->type_len >= k && !memcmp(b->type + b->type_len - k, suffix, k);
}

static int bi_parse_keypair(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *cs, *ks;
    size_t cn, kn;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &cs, &cn)) || (rc = rb_arg_str(c, args, 1, &ks, &kn)))
        return rc;
    if (cn > RB_CRYPTO_MAX_INPUT || kn > RB_CRYPTO_MAX_INPUT) return rb_err(c, "input too large");
    if ((rc = keypair_input(c, cs, cn, "CERTIFICATE", &cs, &cn)) ||
        (rc = keypair_input(c, ks, kn, "PRIVATE KEY", &ks, &kn)))
        return rc;
    /* tls.X509KeyPair: every CERTIFICATE block, then the first key block */
    val_t *chain = val_arr_new(c->a, 2);
    const unsigned char *leaf = NULL;
    size_t leafn = 0, off = 0;
    bool skipped = false;
    while (off < cn) {
        rb_pem blk;
        size_t rest;
        if (!rb_pem_decode(c->a, cs + off, cn - off, &blk, &rest)) break;
        off += rest;
        if (!rb_pem_type_is(&blk, "CERTIFICATE")) {
            skipped = true;
            continue;
        }
        if (!leaf) leaf = blk.der, leafn = blk.der_len;
        if (!chain || val_arr_push(c->a, chain, rb_bytes_value(c->a, blk.der, blk.der_len, false)))
            return rb_oom(c);
    }
    if (!leaf)
        return rb_err(c, skipped ? "tls: failed to find certificate PEM data in certificate "
                                   "input, but did find a private key; PEM inputs may have been "
                                   "switched"
                                 : "tls: failed to find any PEM data in certificate input");
    rb_pem kb;
    bool found = false, saw_cert = false;
    off = 0;
    while (off < kn) {
        size_t rest;
        if (!rb_pem_decode(c->a, ks + off, kn - off, &kb, &rest)) break;
        off += rest;
        if (rb_pem_type_is(&kb, "PRIVATE KEY") || ends_with(&kb, " PRIVATE KEY")) {
            found = true;
            break;
        }
        if (rb_pem_type_is(&kb, "CERTIFICATE")) saw_cert = true;
    }
    if (!found)
        return rb_err(c, saw_cert ? "tls: found a certificate rather than a key in the PEM for "
                                    "the private key"
                                  : "tls: failed to find any PEM data in key input");
    const unsigned char *p = kb.der;
    EVP_PKEY *pk = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)kb.der_len);
    if (!pk) {
        p = kb.der;
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)kb.der_len);
        pk = p8 ? EVP_PKCS82PKEY(p8) : NULL;
        PKCS8_PRIV_KEY_INFO_free(p8);
    }
    if (!pk) {
        p = kb.der;
        pk = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)kb.der_len);
    }
    OPENSSL_cleanse(kb.der, kb.der_len);
    if (!pk) return rb_err(c, "tls: failed to parse private key");
    p = leaf;
    X509 *x = d2i_X509(NULL, &p, (long)leafn);
    EVP_PKEY *pub = x ? X509_get0_pubkey(x) : NULL;
    if (!x || !pub) {
        rc = rb_err(c, "x509: malformed certificate");
    } else if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_get_base_id(pk)) {
        rc = rb_err(c, "tls: private key type does not match public key type");
    } else if (EVP_PKEY_eq(pub, pk) != 1) {
        rc = rb_err(c, "tls: private key does not match public key");
    }
    val_t *o = NULL;
    if (!rc) {
        o = val_obj_new(c->a, 6);
        if (!rb_put(c->a, o, "Certificate", chain) ||
            !rb_put(c->a, o, "PrivateKey", rb_privkey_value(c->a, pk)) ||
            !rb_put(c->a, o, "SupportedSignatureAlgorithms", VAL_NULLV) ||
            !rb_put(c->a, o, "OCSPStaple", VAL_NULLV) ||
            !rb_put(c->a, o, "SignedCertificateTimestamps", VAL_NULLV) ||
            !rb_put(c->a, o, "Leaf", VAL_NULLV))
            rc = rb_oom(c);
    }
    X509_free(x);
    EVP_PKEY_free(pk);
    if (!rc) *out = o;
    return rc;
}

/* ---- table
 * ---------------------------------------------------------------------------------------- */

#define OBJS "array[object[string: any]]"

/* Every entry reports arena exhaustion as GH_ENOMEM (rb_crypto_rc). */
#define WRAP(fn)                                                                                   \
    static int fn##_w(rego_bctx *c, val_t *const *args, val_t **out) {                             \
        return rb_crypto_rc(c, fn(c, args, out));                                                  \
    }
WRAP(bi_hmac_equal)
WRAP(bi_hmac_md5)
WRAP(bi_hmac_sha1)
WRAP(bi_hmac_sha256)
WRAP(bi_hmac_sha512)
WRAP(bi_md5)
WRAP(bi_parse_and_verify)
WRAP(bi_parse_and_verify_opts)
WRAP(bi_parse_certificate_request)
WRAP(bi_parse_certificates)
WRAP(bi_parse_keypair)
WRAP(bi_parse_private_keys)
WRAP(bi_parse_rsa_private_key)
WRAP(bi_sha1)
WRAP(bi_sha256)

const rego_builtin rego_bi_crypto[] = {
    {"crypto.hmac.equal", 2, 0, bi_hmac_equal_w, "(mac1: string, mac2: string) -> result: boolean",
     "crypto", "Compares two MACs in constant time."},
    {"crypto.hmac.md5", 2, 0, bi_hmac_md5_w, "(x: string, key: string) -> y: string", "crypto",
     "MD5-HMAC of x with key, as lower-case hex."},
    {"crypto.hmac.sha1", 2, 0, bi_hmac_sha1_w, "(x: string, key: string) -> y: string", "crypto",
     "SHA1-HMAC of x with key, as lower-case hex."},
    {"crypto.hmac.sha256", 2, 0, bi_hmac_sha256_w, "(x: string, key: string) -> y: string",
     "crypto", "SHA256-HMAC of x with key, as lower-case hex."},
    {"crypto.hmac.sha512", 2, 0, bi_hmac_sha512_w, "(x: string, key: string) -> y: string",
     "crypto", "SHA512-HMAC of x with key, as lower-case hex."},
    {"crypto.md5", 1, 0, bi_md5_w, "(x: string) -> y: string", "crypto",
     "MD5 hash of x as lower-case hex."},
    {"crypto.parse_private_keys", 1, 0, bi_parse_private_keys_w, "(keys: string) -> output: " OBJS,
     "crypto", "Parses PEM (optionally base64-encoded) private keys into objects."},
    {"crypto.sha1", 1, 0, bi_sha1_w, "(x: string) -> y: string", "crypto",
     "SHA1 hash of x as lower-case hex."},
    {"crypto.sha256", 1, 0, bi_sha256_w, "(x: string) -> y: string", "crypto",
     "SHA256 hash of x as lower-case hex."},
    {"crypto.x509.parse_and_verify_certificates", 1, 0, bi_parse_and_verify_w,
     "(certs: string) -> output: <boolean, " OBJS ">", "crypto",
     "Verifies a certificate chain (root first, leaf last) and returns [valid, chain]."},
    {"crypto.x509.parse_and_verify_certificates_with_options", 2, 0, bi_parse_and_verify_opts_w,
     "(certs: string, options: object[string: any]) -> output: <boolean, " OBJS ">", "crypto",
     "Verifies a certificate chain with DNSName, CurrentTime, KeyUsages options."},
    {"crypto.x509.parse_certificate_request", 1, 0, bi_parse_certificate_request_w,
     "(csr: string) -> output: object[string: any]", "crypto",
     "Parses a PEM or base64 DER certificate signing request."},
    {"crypto.x509.parse_certificates", 1, 0, bi_parse_certificates_w,
     "(certs: string) -> output: " OBJS, "crypto",
     "Parses PEM or base64 DER certificates into objects."},
    {"crypto.x509.parse_keypair", 2, 0, bi_parse_keypair_w,
     "(cert: string, pem: string) -> output: object[string: any]", "crypto",
     "Parses a certificate and its matching private key into a TLS key pair object."},
    {"crypto.x509.parse_rsa_private_key", 1, 0, bi_parse_rsa_private_key_w,
     "(pem: string) -> output: object[string: any]", "crypto",
     "Parses a PEM RSA private key into a JWK object."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
