/* jwk.c - keys for the JOSE builtins: JWK / JWK set / PEM certificate / PEM
 * public key parsing into OpenSSL keys (OPA's getKeysFromCertOrJWK with its
 * messages), gatehouse's key rules, and the JWS sign/verify primitives on
 * OpenSSL 3 EVP APIs. Called by jwt.c.
 *
 * Rules beyond OPA (security; see docs in jwt.c): a JWK with "use" other
 * than "sig", "key_ops" without "verify", or an "alg" that is not the
 * algorithm being verified never verifies; RSA keys need >= 2048 bits, an
 * odd exponent >= 3 and no ROCA fingerprint; EC points must lie on their
 * named curve; JWK HMAC keys must be at least as long as the hash; a JWK
 * set mixing symmetric and asymmetric keys or repeating a kid is refused.
 * Invariant: rb_jkey owns pk and secret (wiped), freed by rb_jkey_free. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/encoding_int.h"

/* ---- algorithms ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    rb_alg alg;
} alg_names[] = {
    {"HS256", RB_ALG_HS256}, {"HS384", RB_ALG_HS384}, {"HS512", RB_ALG_HS512},
    {"RS256", RB_ALG_RS256}, {"RS384", RB_ALG_RS384}, {"RS512", RB_ALG_RS512},
    {"PS256", RB_ALG_PS256}, {"PS384", RB_ALG_PS384}, {"PS512", RB_ALG_PS512},
    {"ES256", RB_ALG_ES256}, {"ES384", RB_ALG_ES384}, {"ES512", RB_ALG_ES512},
    {"EdDSA", RB_ALG_EDDSA},
};

rb_alg rb_alg_parse(const char *s, size_t n) {
    for (size_t i = 0; i < sizeof alg_names / sizeof *alg_names; i++)
        if (strlen(alg_names[i].name) == n && !memcmp(alg_names[i].name, s, n))
            return alg_names[i].alg;
    return RB_ALG_NONE;
}

const char *rb_alg_name(rb_alg alg) {
    for (size_t i = 0; i < sizeof alg_names / sizeof *alg_names; i++)
        if (alg_names[i].alg == alg) return alg_names[i].name;
    return "none";
}

static bool alg_is_hs(rb_alg a) { return a >= RB_ALG_HS256 && a <= RB_ALG_HS512; }
static bool alg_is_rsa(rb_alg a) { return a >= RB_ALG_RS256 && a <= RB_ALG_PS512; }
static bool alg_is_pss(rb_alg a) { return a >= RB_ALG_PS256 && a <= RB_ALG_PS512; }
static bool alg_is_es(rb_alg a) { return a >= RB_ALG_ES256 && a <= RB_ALG_ES512; }

static const char *alg_md(rb_alg a) {
    switch (a) {
    case RB_ALG_HS256:
    case RB_ALG_RS256:
    case RB_ALG_PS256:
    case RB_ALG_ES256: return "SHA256";
    case RB_ALG_HS384:
    case RB_ALG_RS384:
    case RB_ALG_PS384:
    case RB_ALG_ES384: return "SHA384";
    case RB_ALG_HS512:
    case RB_ALG_RS512:
    case RB_ALG_PS512:
    case RB_ALG_ES512: return "SHA512";
    default: return NULL;
    }
}

static size_t alg_hash_len(rb_alg a) {
    const char *md = alg_md(a);
    if (!md) return 0;
    return md[3] == '2' ? 32 : md[3] == '3' ? 48 : 64;
}

/* Curve NID and coordinate size for an ES algorithm. */
static int es_curve(rb_alg a, size_t *size) {
    switch (a) {
    case RB_ALG_ES256: *size = 32; return NID_X9_62_prime256v1;
    case RB_ALG_ES384: *size = 48; return NID_secp384r1;
    case RB_ALG_ES512: *size = 66; return NID_secp521r1;
    default: *size = 0; return NID_undef;
    }
}

/* ---- key checks ------------------------------------------------------------------------- */

static int pkey_curve_nid(const EVP_PKEY *pk) {
    char name[64];
    size_t n = 0;
    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &n))
        return NID_undef;
    return OBJ_sn2nid(name);
}

/* ROCA (CVE-2017-15361): moduli from the vulnerable generator are, modulo
 * each small prime below, powers of 65537. A modulus passing every prime
 * is a fingerprint match; an honest one fails one with overwhelming odds. */
static bool roca_fingerprint(const BIGNUM *n) {
    static const unsigned primes[] = {
        3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
        73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
    for (size_t i = 0; i < sizeof primes / sizeof *primes; i++) {
        unsigned p = primes[i];
        BN_ULONG r = BN_mod_word(n, p);
        if (r == (BN_ULONG)-1) return false;
        bool member = false;
        unsigned g = 65537 % p, x = 1;
        for (unsigned k = 0; k < p && !member; k++) {
            if (x == r) member = true;
            x = x * g % p;
        }
        if (!member) return false;
    }
    return true;
}

static bool rsa_key_ok(const EVP_PKEY *pk) {
    if (EVP_PKEY_get_bits(pk) < 2048) return false;
    BIGNUM *n = NULL, *e = NULL;
    bool ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) &&
              EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) && BN_is_odd(e) &&
              !BN_is_one(e) && BN_is_odd(n) && !roca_fingerprint(n);
    BN_free(n);
    BN_free(e);
    return ok;
}

static bool ec_key_ok(EVP_PKEY *pk) {
    int nid = pkey_curve_nid(pk);
    if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) return false;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    bool ok = ctx && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static int kty_of_pkey(const EVP_PKEY *pk) {
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: return RB_KTY_RSA;
    case EVP_PKEY_EC: return RB_KTY_EC;
    case EVP_PKEY_ED25519: return RB_KTY_OKP;
    default: return RB_KTY_NONE;
    }
}

/* Strength rules for an asymmetric key (whatever its source). */
static bool pkey_ok(EVP_PKEY *pk) {
    switch (kty_of_pkey(pk)) {
    case RB_KTY_RSA: return rsa_key_ok(pk);
    case RB_KTY_EC: return ec_key_ok(pk);
    case RB_KTY_OKP: return true;
    default: return false;
    }
}

bool rb_jkey_fits(const rb_jkey *k, rb_alg alg) {
    if (!k->usable || alg == RB_ALG_NONE) return false;
    if (k->has_alg && k->alg != alg) return false;
    if (alg_is_hs(alg)) return k->kty == RB_KTY_OCT && k->secret_len >= alg_hash_len(alg);
    if (alg_is_rsa(alg)) return k->kty == RB_KTY_RSA;
    if (alg_is_es(alg)) {
        size_t sz;
        return k->kty == RB_KTY_EC && pkey_curve_nid(k->pk) == es_curve(alg, &sz);
    }
    if (alg == RB_ALG_EDDSA) return k->kty == RB_KTY_OKP;
    return false;
}

void rb_jkey_free(rb_jkey *k) {
    if (!k) return;
    EVP_PKEY_free(k->pk);
    if (k->secret) gh_free_secret(k->secret, k->secret_len);
    memset(k, 0, sizeof *k);
}

void rb_keyset_free(rb_jkeyset *ks) {
    if (!ks) return;
    for (size_t i = 0; i < ks->n; i++)
        rb_jkey_free(&ks->keys[i]);
    gh_free(ks->keys);
    memset(ks, 0, sizeof *ks);
}

/* ---- JWK members --------------------------------------------------------------------------- */

/* Messages of the verification path carry OPA's "failed to parse a JWK key
 * (set): " prefix; encode_sign reports the same errors without it. */
#define JWK_ERR "%s"
#define JP jwk_prefix()
static _Thread_local bool jwk_signing; /* set while rb_jwk_signing_key runs */
static const char *jwk_prefix(void) {
    return jwk_signing ? "" : "failed to parse a JWK key (set): ";
}

/* A base64url member (padding and the standard alphabet tolerated, as
 * jwx's decoder does). *present is false when absent; returns GH_EINVAL
 * for a present member that is not a decodable string. */
static int jwk_bytes(rego_bctx *c, const val_t *o, const char *name, unsigned char **out,
                     size_t *outn, bool *present) {
    val_t *v = val_obj_get_str(o, name, strlen(name));
    *present = v != NULL;
    if (!v) return 0;
    if (!val_is_str(v))
        return rb_err(c, JWK_ERR "failed to unmarshal JWK: invalid type for member \"%s\"", JP,
                      name);
    const char *s = val_str_ptr(v);
    size_t n = val_str_len(v);
    char *t = gh_arena_alloc(c->a, n + 1);
    if (!t) return rb_oom(c);
    for (size_t i = 0; i < n; i++)
        t[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    gh_err save = *c->err;
    if (rb_b64url_opa_decode(c, t, n, out, outn)) {
        *c->err = save;
        return rb_err(c, JWK_ERR "failed to unmarshal JWK: invalid base64 in member \"%s\"", JP,
                      name);
    }
    return 0;
}

static const char *jwk_str(const val_t *o, const char *name, size_t *n) {
    val_t *v = val_obj_get_str(o, name, strlen(name));
    if (!v || !val_is_str(v)) return NULL;
    if (n) *n = val_str_len(v);
    return val_str_ptr(v);
}

static bool streq(const char *s, size_t n, const char *lit) {
    return s && strlen(lit) == n && !memcmp(s, lit, n);
}

/* EVP_PKEY from OSSL parameters built by the caller. */
static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld, bool priv) {
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pk = NULL;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pk, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pk = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

static BIGNUM *bn_of(const unsigned char *p, size_t n) { return BN_bin2bn(p, (int)n, NULL); }

const char *const rb_jwk_rsa_members[RB_JWK_RSA_N] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
const char *const rb_jwk_rsa_params[RB_JWK_RSA_N] = {
    OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,           OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,     OSSL_PKEY_PARAM_RSA_EXPONENT1,
    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};

static int jwk_rsa(rego_bctx *c, const val_t *o, rb_jkey *k) {
    const char *const *names = rb_jwk_rsa_members, *const *params = rb_jwk_rsa_params;
    unsigned char *b[RB_JWK_RSA_N];
    size_t bn[RB_JWK_RSA_N];
    bool has[RB_JWK_RSA_N];
    for (int i = 0; i < RB_JWK_RSA_N; i++) {
        int rc = jwk_bytes(c, o, names[i], &b[i], &bn[i], &has[i]);
        if (rc) return rc;
    }
    if (!has[0] || !has[1] || bn[0] == 0 || bn[1] == 0)
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "missing mandatory key parameters N or E",
                      JP);
    bool priv = has[2];
    if (priv && (!has[3] || !has[4]))
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "missing mandatory key parameters D, P or Q",
                      JP);
    bool crt = priv && has[3] && has[4] && has[5] && has[6] && has[7];
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *v[RB_JWK_RSA_N] = {0};
    bool ok = bld != NULL;
    for (int i = 0; ok && i < RB_JWK_RSA_N; i++) {
        if (i == 2 && !priv) break;
        if (i >= 3 && !crt) break;
        v[i] = bn_of(b[i], bn[i]);
        ok = v[i] && OSSL_PARAM_BLD_push_BN(bld, params[i], v[i]);
    }
    k->pk = ok ? pkey_from_params("RSA", bld, priv) : NULL;
    for (int i = 0; i < RB_JWK_RSA_N; i++)
        BN_clear_free(v[i]);
    OSSL_PARAM_BLD_free(bld);
    if (priv) OPENSSL_cleanse(b[2], bn[2]);
    if (!k->pk) return rb_err(c, JWK_ERR "failed to generate key: invalid RSA key parameters", JP);
    k->kty = RB_KTY_RSA;
    k->has_private = priv;
    k->usable = rsa_key_ok(k->pk);
    return 0;
}

static int jwk_ec(rego_bctx *c, const val_t *o, rb_jkey *k) {
    size_t cn = 0;
    const char *crv = jwk_str(o, "crv", &cn);
    unsigned char *x, *y, *d;
    size_t xn, yn, dn;
    bool hx, hy, hd;
    int rc;
    if ((rc = jwk_bytes(c, o, "x", &x, &xn, &hx)) || (rc = jwk_bytes(c, o, "y", &y, &yn, &hy)) ||
        (rc = jwk_bytes(c, o, "d", &d, &dn, &hd)))
        return rc;
    if (!hx || !hy || !crv)
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "missing mandatory key parameters X, Y or Crv",
                      JP);
    const char *group;
    size_t size;
    if (streq(crv, cn, "P-256"))
        group = "prime256v1", size = 32;
    else if (streq(crv, cn, "P-384"))
        group = "secp384r1", size = 48;
    else if (streq(crv, cn, "P-521"))
        group = "secp521r1", size = 66;
    else
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "invalid curve algorithm %.*s",
                      JP, (int)(cn > 32 ? 32 : cn), crv);
    if (xn > size || yn > size || (hd && dn > size))
        return rb_err(c, JWK_ERR "failed to generate key: invalid EC key parameters", JP);
    unsigned char pt[1 + 2 * 66];
    memset(pt, 0, sizeof pt);
    pt[0] = 4;
    memcpy(pt + 1 + size - xn, x, xn);
    memcpy(pt + 1 + 2 * size - yn, y, yn);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *priv = hd ? bn_of(d, dn) : NULL;
    bool ok = bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
              OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * size) &&
              (!hd || (priv && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)));
    k->pk = ok ? pkey_from_params("EC", bld, hd) : NULL;
    BN_clear_free(priv);
    OSSL_PARAM_BLD_free(bld);
    if (hd) OPENSSL_cleanse(d, dn);
    k->kty = RB_KTY_EC;
    if (!k->pk) {
        /* a public point off the curve: the key exists but never verifies
         * (as for OPA, whose verification then fails); a bad private key
         * cannot sign, so it is an error */
        if (hd) return rb_err(c, JWK_ERR "failed to generate key: invalid EC key parameters", JP);
        k->usable = false;
        return 0;
    }
    k->has_private = hd;
    k->usable = ec_key_ok(k->pk);
    return 0;
}

static int jwk_okp(rego_bctx *c, const val_t *o, rb_jkey *k) {
    size_t cn = 0;
    const char *crv = jwk_str(o, "crv", &cn);
    unsigned char *x, *d;
    size_t xn, dn;
    bool hx, hd;
    int rc;
    if ((rc = jwk_bytes(c, o, "x", &x, &xn, &hx)) || (rc = jwk_bytes(c, o, "d", &d, &dn, &hd)))
        return rc;
    if (!hx || !crv)
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "missing mandatory key parameters X or Crv",
                      JP);
    if (!streq(crv, cn, "Ed25519"))
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "invalid curve algorithm %.*s",
                      JP, (int)(cn > 32 ? 32 : cn), crv);
    if (xn != 32 || (hd && dn != 32))
        return rb_err(c, JWK_ERR "failed to generate key: invalid Ed25519 key parameters", JP);
    if (hd) {
        k->pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, 32);
        OPENSSL_cleanse(d, dn);
        /* the public half must be the one derived from d */
        unsigned char pub[32];
        size_t pn = sizeof pub;
        if (k->pk && (!EVP_PKEY_get_raw_public_key(k->pk, pub, &pn) || pn != 32 ||
                      CRYPTO_memcmp(pub, x, 32))) {
            EVP_PKEY_free(k->pk);
            k->pk = NULL;
        }
    } else {
        k->pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
    }
    if (!k->pk)
        return rb_err(c, JWK_ERR "failed to generate key: invalid Ed25519 key parameters", JP);
    k->kty = RB_KTY_OKP;
    k->has_private = hd;
    k->usable = true;
    return 0;
}

static int jwk_oct(rego_bctx *c, const val_t *o, rb_jkey *k) {
    unsigned char *kb;
    size_t kn;
    bool has;
    int rc = jwk_bytes(c, o, "k", &kb, &kn, &has);
    if (rc) return rc;
    if (!has)
        return rb_err(c,
                      JWK_ERR "failed to generate key: failed to generate key from JWK: "
                              "missing mandatory key parameter K",
                      JP);
    k->secret = gh_malloc(kn ? kn : 1);
    if (!k->secret) return rb_oom(c);
    memcpy(k->secret, kb, kn);
    OPENSSL_cleanse(kb, kn);
    k->secret_len = kn;
    k->kty = RB_KTY_OCT;
    k->has_private = true;
    k->usable = kn > 0;
    return 0;
}

/* "use" must be "sig" and "key_ops" must allow `op` when present. */
static bool jwk_usage_ok(const val_t *o, const char *op) {
    val_t *use = val_obj_get_str(o, "use", 3);
    if (use && !(val_is_str(use) && streq(val_str_ptr(use), val_str_len(use), "sig"))) return false;
    val_t *ops = val_obj_get_str(o, "key_ops", 7);
    if (!ops) return true;
    if (val_kind_of(ops) != VAL_ARRAY) return false;
    for (size_t i = 0; i < val_arr_len(ops); i++) {
        val_t *e = val_arr_at(ops, i);
        if (val_is_str(e) && streq(val_str_ptr(e), val_str_len(e), op)) return true;
    }
    return false;
}

/* One JWK object into k. `op` is "verify" or "sign" for the usage rules. */
static int jwk_key(rego_bctx *c, const val_t *o, rb_jkey *k, const char *op) {
    memset(k, 0, sizeof *k);
    if (val_kind_of(o) != VAL_OBJECT)
        return rb_err(c,
                      JWK_ERR "failed to unmarshal JWK: json: cannot unmarshal %s into Go "
                              "value of type jwk.RawKeyJSON",
                      JP, val_kind_name(val_kind_of(o)));
    size_t tn = 0;
    const char *kty = jwk_str(o, "kty", &tn);
    int rc;
    if (!kty || tn == 0)
        return rb_err(c, JWK_ERR "failed to generate key: unrecognized key type", JP);
    if (streq(kty, tn, "RSA"))
        rc = jwk_rsa(c, o, k);
    else if (streq(kty, tn, "EC"))
        rc = jwk_ec(c, o, k);
    else if (streq(kty, tn, "OKP"))
        rc = jwk_okp(c, o, k);
    else if (streq(kty, tn, "oct"))
        rc = jwk_oct(c, o, k);
    else
        return rb_err(c, JWK_ERR "failed to unmarshal JWK: unknown signature algorithm", JP);
    if (rc) {
        rb_jkey_free(k);
        return rc;
    }
    size_t an = 0, kn = 0;
    val_t *algv = val_obj_get_str(o, "alg", 3);
    if (algv) {
        const char *alg = jwk_str(o, "alg", &an);
        k->has_alg = true;
        k->alg = alg ? rb_alg_parse(alg, an) : RB_ALG_NONE;
        if (k->alg == RB_ALG_NONE) k->usable = false; /* OPA skips such keys */
    }
    const char *kid = jwk_str(o, "kid", &kn);
    if (kid) {
        k->kid = kid;
        k->kid_len = kn;
    }
    if (!jwk_usage_ok(o, op)) k->usable = false;
    return 0;
}

static int jwk_json_err(rego_bctx *c, const char *prefix) {
    char msg[GH_ERR_MSG];
    snprintf(msg, sizeof msg, "%s", c->err->msg);
    return rb_err(c, "%s%s%s", JP, prefix, msg);
}

/* Parse a JWK or JWK set (JSON text) into ks. */
static int jwks_parse(rego_bctx *c, const char *s, size_t n, rb_jkeyset *ks, const char *op) {
    val_t *doc;
    if (rb_gojson_unmarshal(c, s, n, &doc)) {
        if (c->err->code == GH_ENOMEM) return GH_ENOMEM;
        return jwk_json_err(c, "failed to unmarshal JWK Set: ");
    }
    if (val_kind_of(doc) != VAL_OBJECT)
        return rb_err(c,
                      JWK_ERR "failed to unmarshal JWK Set: json: cannot unmarshal %s into "
                              "Go value of type jwk.RawKeySetJSON",
                      JP,
                      val_kind_of(doc) == VAL_NUMBER ? "number" : val_kind_name(val_kind_of(doc)));
    val_t *keys = val_obj_get_str(doc, "keys", 4);
    size_t nk = 1;
    if (keys && val_kind_of(keys) != VAL_ARRAY && val_kind_of(keys) != VAL_NULL)
        return rb_err(c,
                      JWK_ERR "failed to unmarshal JWK Set: json: cannot unmarshal %s into "
                              "Go struct field RawKeySetJSON.keys of type []jwk.RawKeyJSON",
                      JP, val_kind_name(val_kind_of(keys)));
    bool set = keys && val_kind_of(keys) == VAL_ARRAY && val_arr_len(keys) > 0;
    if (set) nk = val_arr_len(keys);
    if (nk > RB_JWKS_MAX_KEYS)
        return rb_err(c, JWK_ERR "too many keys in JWK set (limit %d)", JP, RB_JWKS_MAX_KEYS);
    ks->keys = gh_calloc(nk, sizeof *ks->keys);
    if (!ks->keys) return rb_oom(c);
    ks->from_jwk = true;
    bool sym = false, asym = false;
    for (size_t i = 0; i < nk; i++) {
        int rc = jwk_key(c, set ? val_arr_at(keys, i) : doc, &ks->keys[i], op);
        if (rc) {
            rb_keyset_free(ks);
            return rc;
        }
        ks->n++;
        if (ks->keys[i].kty == RB_KTY_OCT)
            sym = true;
        else
            asym = true;
        for (size_t j = 0; j < i; j++)
            if (ks->keys[i].kid && ks->keys[j].kid && ks->keys[i].kid_len == ks->keys[j].kid_len &&
                !memcmp(ks->keys[i].kid, ks->keys[j].kid, ks->keys[i].kid_len))
                ks->rejected = true;
    }
    if (sym && asym) ks->rejected = true;
    return 0;
}

/* A DER SubjectPublicKeyInfo or certificate key into k. */
static void key_from_pkey(rb_jkey *k, EVP_PKEY *pk) {
    memset(k, 0, sizeof *k);
    k->pk = pk;
    k->kty = kty_of_pkey(pk);
    k->usable = k->kty != RB_KTY_NONE && pkey_ok(pk);
}

int rb_keyset_parse(rego_bctx *c, const char *s, size_t n, rb_jkeyset *ks) {
    memset(ks, 0, sizeof *ks);
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(c, "key material too large");
    rb_pem blk;
    size_t rest;
    if (!rb_pem_decode(c->a, s, n, &blk, &rest)) {
        if (c->a->oom) return rb_oom(c);
        return jwks_parse(c, s, n, ks, "verify");
    }
    if (rest < n) return rb_err(c, "extra data after a PEM certificate block");
    EVP_PKEY *pk = NULL;
    const unsigned char *p = blk.der;
    if (rb_pem_type_is(&blk, "CERTIFICATE")) {
        X509 *x = d2i_X509(NULL, &p, (long)blk.der_len);
        if (!x || p != blk.der + blk.der_len) {
            X509_free(x);
            return rb_err(c, "failed to parse a PEM certificate: x509: malformed certificate");
        }
        pk = X509_get_pubkey(x);
        X509_free(x);
        if (!pk)
            return rb_err(c, "failed to parse a PEM certificate: x509: unsupported public key");
    } else if (rb_pem_type_is(&blk, "PUBLIC KEY")) {
        pk = d2i_PUBKEY(NULL, &p, (long)blk.der_len);
        if (!pk || p != blk.der + blk.der_len) {
            EVP_PKEY_free(pk);
            return rb_err(c, "failed to parse a PEM public key: asn1: structure error");
        }
    } else {
        return rb_err(c, "failed to extract a Key from the PEM certificate");
    }
    ks->keys = gh_calloc(1, sizeof *ks->keys);
    if (!ks->keys) {
        EVP_PKEY_free(pk);
        return rb_oom(c);
    }
    key_from_pkey(&ks->keys[0], pk);
    ks->n = 1;
    return 0;
}

int rb_jwk_signing_key(rego_bctx *c, const char *s, size_t n, rb_jkey *k) {
    rb_jkeyset ks;
    memset(&ks, 0, sizeof ks);
    memset(k, 0, sizeof *k);
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(c, "key material too large");
    jwk_signing = true;
    int rc = jwks_parse(c, s, n, &ks, "sign");
    jwk_signing = false;
    if (rc) return rc;
    if (ks.n == 0) {
        rb_keyset_free(&ks);
        return rb_err(c, "no keys found in JWK set");
    }
    *k = ks.keys[0];
    memset(&ks.keys[0], 0, sizeof ks.keys[0]);
    rb_keyset_free(&ks);
    return 0;
}

/* ---- signatures ------------------------------------------------------------------------- */

static bool hmac(rb_alg alg, const unsigned char *key, size_t kn, const unsigned char *msg,
                 size_t mn, unsigned char *out, size_t *outn) {
    static const unsigned char zero = 0;
    /* HMAC pads keys with zeros to the block size: an empty key is the same
     * key as a single zero byte, which OpenSSL's MAC accepts. */
    if (kn == 0) key = &zero, kn = 1;
    return EVP_Q_mac(NULL, "HMAC", NULL, alg_md(alg), NULL, key, kn, msg, mn, out, 64, outn) !=
           NULL;
}

static bool pss_params(EVP_PKEY_CTX *pctx, rb_alg alg) {
    if (!alg_is_pss(alg)) return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
}

/* JOSE r||s into a DER ECDSA-Sig-Value (heap, OPENSSL_free). */
static unsigned char *es_to_der(const unsigned char *sig, size_t size, int *dern) {
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)size, NULL), *s = BN_bin2bn(sig + size, (int)size, NULL);
    unsigned char *der = NULL;
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL;
        *dern = i2d_ECDSA_SIG(es, &der);
        if (*dern <= 0) der = NULL;
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return der;
}

bool rb_jws_verify(rb_alg alg, const rb_jkey *k, const unsigned char *secret, size_t secret_len,
                   const unsigned char *msg, size_t msglen, const unsigned char *sig,
                   size_t siglen) {
    if (alg == RB_ALG_NONE) return false;
    if (alg_is_hs(alg)) {
        if (k) {
            if (!rb_jkey_fits(k, alg)) return false;
            secret = k->secret;
            secret_len = k->secret_len;
        }
        unsigned char mac[64];
        size_t mn = 0;
        if (!hmac(alg, secret, secret_len, msg, msglen, mac, &mn)) return false;
        bool ok = rb_ct_equal(mac, mn, sig, siglen);
        OPENSSL_cleanse(mac, sizeof mac);
        return ok;
    }
    if (!k || !rb_jkey_fits(k, alg)) return false;
    unsigned char *der = NULL;
    int dern = 0;
    if (alg_is_es(alg)) {
        size_t size;
        es_curve(alg, &size);
        if (siglen != 2 * size) return false;
        der = es_to_der(sig, size, &dern);
        if (!der) return false;
        sig = der;
        siglen = (size_t)dern;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = md && EVP_DigestVerifyInit_ex(md, &pctx, alg == RB_ALG_EDDSA ? NULL : alg_md(alg),
                                            NULL, NULL, k->pk, NULL) > 0;
    if (ok && alg_is_rsa(alg)) ok = pss_params(pctx, alg);
    ok = ok && EVP_DigestVerify(md, sig, siglen, msg, msglen) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok;
}

int rb_jws_sign(rego_bctx *c, rb_alg alg, const rb_jkey *k, const unsigned char *msg, size_t msglen,
                unsigned char **sig, size_t *siglen) {
    if (alg_is_hs(alg)) {
        if (k->kty != RB_KTY_OCT)
            return rb_err(c, "invalid key type for algorithm %s", rb_alg_name(alg));
        unsigned char *out = gh_arena_alloc(c->a, 64);
        if (!out) return rb_oom(c);
        if (!hmac(alg, k->secret, k->secret_len, msg, msglen, out, siglen))
            return rb_err(c, "failed to sign payload");
        *sig = out;
        return 0;
    }
    bool type_ok = (alg_is_rsa(alg) && k->kty == RB_KTY_RSA) ||
                   (alg_is_es(alg) && k->kty == RB_KTY_EC) ||
                   (alg == RB_ALG_EDDSA && k->kty == RB_KTY_OKP);
    if (!type_ok || !k->has_private)
        return rb_err(c, "invalid key type for algorithm %s", rb_alg_name(alg));
    size_t size = 0;
    if (alg_is_es(alg) && pkey_curve_nid(k->pk) != es_curve(alg, &size))
        return rb_err(c, "invalid key type for algorithm %s", rb_alg_name(alg));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    size_t n = 0;
    unsigned char *buf = NULL;
    bool ok = md && EVP_DigestSignInit_ex(md, &pctx, alg == RB_ALG_EDDSA ? NULL : alg_md(alg), NULL,
                                          NULL, k->pk, NULL) > 0;
    if (ok && alg_is_rsa(alg)) ok = pss_params(pctx, alg);
    ok = ok && EVP_DigestSign(md, NULL, &n, msg, msglen) > 0 &&
         (buf = gh_arena_alloc(c->a, n ? n : 1)) && EVP_DigestSign(md, buf, &n, msg, msglen) > 0;
    EVP_MD_CTX_free(md);
    if (!ok) return c->a->oom ? rb_oom(c) : rb_err(c, "failed to sign payload");
    if (alg_is_es(alg)) { /* DER -> JOSE r||s */
        const unsigned char *p = buf;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
        unsigned char *rs = gh_arena_alloc(c->a, 2 * size);
        bool good = es && rs && BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, (int)size) == (int)size &&
                    BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + size, (int)size) == (int)size;
        ECDSA_SIG_free(es);
        if (!good) return rb_err(c, "failed to sign payload");
        buf = rs;
        n = 2 * size;
    }
    *sig = buf;
    *siglen = n;
    return 0;
}
