/* test_jwt.c - the io.jwt family: OPA 0.61's recorded answers
 * (tests/differential/jwt.expect), sign/verify round trips for every
 * algorithm, and the security cases: alg none, HS/RS key confusion,
 * expired / not-yet-valid tokens, forged and truncated signatures,
 * non-canonical base64url, JWK usage rules, ECDSA signature sizes,
 * secrets kept out of error messages, and arena exhaustion. Fixtures come
 * from tests/data/crypto (gen.py, jwk.py). */

#include "../gh_test.h"
#include <openssl/evp.h>

#include "crypto_diff.h"

#define T_NOW 1700000000000000000LL /* 2023-11-14, inside every fixture's window */

static val_t *S(const char *s) { return val_strc(&A, s); }

static val_t *J(const char *json) {
    val_t *v;
    gh_err e;
    assert_int_equal(val_json_parse(&A, json, strlen(json), NULL, &v, &e), 0);
    return v;
}

/* encode_sign_raw(header, payload, jwk) must succeed. */
static const char *sign(const char *header, const char *payload, const char *jwk) {
    val_t *args[3] = {S(header), S(payload), S(jwk)}, *out;
    gh_err e;
    int rc = cd_call(&A, "io.jwt.encode_sign_raw", args, &out, &e, T_NOW);
    if (rc) printf("sign failed: %s\n", e.msg);
    assert_int_equal(rc, RB_OK);
    return val_str_ptr(out);
}

/* decode_verify(token, constraints) -> 1 valid, 0 invalid, -1 error. */
static int dv(const char *tok, val_t *cons, int64_t now) {
    val_t *args[2] = {S(tok), cons}, *out;
    gh_err e;
    int rc = cd_call(&A, "io.jwt.decode_verify", args, &out, &e, now);
    if (rc) return -1;
    return val_arr_at(out, 0) == VAL_TRUE;
}

static val_t *cert_cons(const char *key) {
    val_t *o = val_obj_new(&A, 2);
    val_obj_put(&A, o, S("cert"), S(key));
    return o;
}

static val_t *secret_cons(const char *secret) {
    val_t *o = val_obj_new(&A, 2);
    val_obj_put(&A, o, S("secret"), S(secret));
    return o;
}

/* verify_<alg>(token, key) -> 1 / 0 / -1 error. */
static int vf(const char *name, const char *tok, const char *key) {
    val_t *args[2] = {S(tok), S(key)}, *out;
    gh_err e;
    int rc = cd_call(&A, name, args, &out, &e, T_NOW);
    if (rc) return -1;
    return out == VAL_TRUE;
}

static const char *b64u(const char *s) {
    size_t n;
    return rb_b64_encode(&A, (const unsigned char *)s, strlen(s), true, false, &n);
}

#define SECRET "0123456789abcdef0123456789abcdef" /* 32 bytes: HS256-sized */

static const char *oct_jwk(const char *secret) {
    return gh_arena_printf(&A, "{\"kty\":\"oct\",\"k\":\"%s\"}", b64u(secret));
}

/* ---- differential ---------------------------------------------------------------------------- */

static void test_differential(void **state) {
    (void)state;
    static const bd_known known[] = {
        /* OPA 1.x semantics (the reference where 0.61 differs) */
        {"io.jwt.encode_sign({", "1.x marshals header/payload as compact JSON, 0.61 as Rego text"},
        {"io.jwt.encode_sign_raw(\"{\\\"alg\\\":\\\"none\\\"}\"",
         "1.x: unknown JWS algorithm: none"},
        {"io.jwt.decode_verify(\"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0",
         "RS256 token with a secret: 1.x returns [false,{},{}], 0.61 an error"},
        {NULL, NULL},
    };
    int passed, skipped;
    assert_int_equal(cd_replay("jwt", known, &passed, &skipped), 0);
    assert_true(passed >= 95);
}

/* ---- round trips -------------------------------------------------------------------------- */

static void test_round_trips(void **state) {
    (void)state;
    static const struct {
        const char *alg, *priv, *pub, *verify;
    } cases[] = {
        {"RS256", "root.jwk", "root.pub.jwk", "io.jwt.verify_rs256"},
        {"RS384", "root.jwk", "root.pub.jwk", "io.jwt.verify_rs384"},
        {"RS512", "root.jwk", "root.pub.jwk", "io.jwt.verify_rs512"},
        {"PS256", "root.jwk", "root.pub.jwk", "io.jwt.verify_ps256"},
        {"PS384", "root.jwk", "root.pub.jwk", "io.jwt.verify_ps384"},
        {"PS512", "root.jwk", "root.pub.jwk", "io.jwt.verify_ps512"},
        {"ES256", "leaf.jwk", "leaf.pub.jwk", "io.jwt.verify_es256"},
        {"ES384", "ec384.jwk", "ec384.pub.jwk", "io.jwt.verify_es384"},
        {"ES512", "ec521.jwk", "ec521.pub.jwk", "io.jwt.verify_es512"},
        {"EdDSA", "ed25519.jwk", "ed25519.pub.jwk", "io.jwt.verify_eddsa"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *hdr = gh_arena_printf(&A, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", cases[i].alg);
        const char *tok =
            sign(hdr, "{\"sub\":\"alice\",\"exp\":1900000000}", cd_fixture(cases[i].priv));
        const char *pub = cd_fixture(cases[i].pub);
        assert_int_equal(vf(cases[i].verify, tok, pub), 1);
        assert_int_equal(dv(tok, cert_cons(pub), T_NOW), 1);
        /* the private JWK verifies too (its public half is used) */
        assert_int_equal(dv(tok, cert_cons(cd_fixture(cases[i].priv)), T_NOW), 1);
    }
    /* PEM public keys and certificates */
    const char *rs = sign("{\"alg\":\"RS256\"}", "{}", cd_fixture("root.jwk"));
    assert_int_equal(vf("io.jwt.verify_rs256", rs, cd_fixture("root_pub.pem")), 1);
    assert_int_equal(vf("io.jwt.verify_rs256", rs, cd_fixture("root.pem")), 1);
    const char *es = sign("{\"alg\":\"ES256\"}", "{}", cd_fixture("leaf.jwk"));
    assert_int_equal(vf("io.jwt.verify_es256", es, cd_fixture("leaf.pem")), 1);
    const char *ed = sign("{\"alg\":\"EdDSA\"}", "{}", cd_fixture("ed25519.jwk"));
    assert_int_equal(vf("io.jwt.verify_eddsa", ed, cd_fixture("ed25519.pem")), 1);
    /* HMAC */
    for (int bits = 256; bits <= 512; bits += 128) {
        const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        const char *hdr = gh_arena_printf(&A, "{\"alg\":\"HS%d\"}", bits);
        const char *tok = sign(hdr, "{\"a\":1}", oct_jwk(key));
        const char *name = gh_arena_printf(&A, "io.jwt.verify_hs%d", bits);
        assert_int_equal(vf(name, tok, key), 1);
        assert_int_equal(vf(name, tok, "wrong"), 0);
        assert_int_equal(dv(tok, secret_cons(key), T_NOW), 1);
        assert_int_equal(dv(tok, cert_cons(oct_jwk(key)), T_NOW), 1);
    }
}

/* ---- alg none, key confusion --------------------------------------------------------------- */

static void test_alg_none(void **state) {
    (void)state;
    static const char *const algs[] = {"none", "NONE", "None", "nOnE", ""};
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++) {
        const char *tok =
            gh_arena_printf(&A, "%s.%s.", b64u(gh_arena_printf(&A, "{\"alg\":\"%s\"}", algs[i])),
                            b64u("{\"sub\":\"admin\"}"));
        assert_int_equal(dv(tok, secret_cons(SECRET), T_NOW), 0);
        assert_int_equal(dv(tok, cert_cons(cd_fixture("root_pub.pem")), T_NOW), 0);
        assert_int_equal(dv(tok, cert_cons(oct_jwk(SECRET)), T_NOW), 0);
        assert_int_equal(vf("io.jwt.verify_rs256", tok, cd_fixture("root_pub.pem")), 0);
        assert_int_equal(vf("io.jwt.verify_hs256", tok, SECRET), 0);
        assert_int_equal(vf("io.jwt.verify_hs256", tok, ""), 0);
    }
    /* a token without alg at all */
    const char *tok = gh_arena_printf(&A, "%s.%s.", b64u("{\"typ\":\"JWT\"}"), b64u("{}"));
    assert_int_equal(dv(tok, secret_cons(SECRET), T_NOW), 0);
    /* signing with none is refused */
    val_t *args[3] = {S("{\"alg\":\"none\"}"), S("{}"), S(oct_jwk(SECRET))}, *out;
    gh_err e;
    assert_int_equal(cd_call(&A, "io.jwt.encode_sign_raw", args, &out, &e, T_NOW), GH_EINVAL);
}

static void test_key_confusion(void **state) {
    (void)state;
    /* HS256 token whose HMAC key is the RSA public key PEM (the classic
     * attack on verifiers that take the algorithm from the header) */
    const char *pem = cd_fixture("root_pub.pem");
    size_t k;
    const char *jwk = gh_arena_printf(
        &A, "{\"kty\":\"oct\",\"k\":\"%s\"}",
        rb_b64_encode(&A, (const unsigned char *)pem, strlen(pem), true, false, &k));
    const char *tok = sign("{\"alg\":\"HS256\"}", "{\"sub\":\"admin\"}", jwk);
    assert_int_equal(dv(tok, cert_cons(pem), T_NOW), 0);
    assert_int_equal(dv(tok, cert_cons(cd_fixture("root.pem")), T_NOW), 0);
    assert_int_equal(dv(tok, cert_cons(cd_fixture("root.pub.jwk")), T_NOW), 0);
    assert_int_equal(dv(tok, secret_cons(pem), T_NOW), 0);
    assert_int_equal(vf("io.jwt.verify_hs256", tok, pem), 0);
    /* the same with the certificate PEM as the HMAC key */
    const char *cpem = cd_fixture("root.pem");
    jwk = gh_arena_printf(
        &A, "{\"kty\":\"oct\",\"k\":\"%s\"}",
        rb_b64_encode(&A, (const unsigned char *)cpem, strlen(cpem), true, false, &k));
    tok = sign("{\"alg\":\"HS256\"}", "{\"sub\":\"admin\"}", jwk);
    assert_int_equal(vf("io.jwt.verify_hs256", tok, cpem), 0);
    assert_int_equal(dv(tok, secret_cons(cpem), T_NOW), 0);
    /* an RS256 token never verifies with a secret, nor HS with an RSA key */
    const char *rs = sign("{\"alg\":\"RS256\"}", "{}", cd_fixture("root.jwk"));
    assert_int_equal(dv(rs, secret_cons(SECRET), T_NOW), 0);
    const char *hs = sign("{\"alg\":\"HS256\"}", "{}", oct_jwk(SECRET));
    assert_int_equal(dv(hs, cert_cons(cd_fixture("root.pub.jwk")), T_NOW), 0);
    /* ES256 token against RS verifiers and vice versa */
    const char *es = sign("{\"alg\":\"ES256\"}", "{}", cd_fixture("leaf.jwk"));
    assert_int_equal(vf("io.jwt.verify_rs256", es, cd_fixture("leaf_pub.pem")), 0);
    assert_int_equal(vf("io.jwt.verify_es256", rs, cd_fixture("root_pub.pem")), 0);
    /* ES384 verifier with a P-256 key (curve must match the algorithm) */
    assert_int_equal(vf("io.jwt.verify_es384", es, cd_fixture("leaf_pub.pem")), 0);
}

/* ---- time claims --------------------------------------------------------------------------- */

static void test_time_claims(void **state) {
    (void)state;
    const char *jwk = oct_jwk(SECRET);
    const char *tok = sign("{\"alg\":\"HS256\"}", "{\"nbf\":1600000000,\"exp\":1800000000}", jwk);
    val_t *c = secret_cons(SECRET);
    assert_int_equal(dv(tok, c, T_NOW), 1);                 /* ctx clock */
    assert_int_equal(dv(tok, c, 1800000000000000000LL), 0); /* at exp: expired */
    assert_int_equal(dv(tok, c, 1799999999999999000LL), 1); /* just before */
    assert_int_equal(dv(tok, c, 1900000000000000000LL), 0); /* long expired */
    assert_int_equal(dv(tok, c, 1599999999000000000LL), 0); /* before nbf */
    assert_int_equal(dv(tok, c, 1600000000000000000LL), 1); /* at nbf */
    /* the "time" constraint overrides the clock */
    val_t *ct = J("{\"secret\":\"" SECRET "\",\"time\":1900000000000000000}");
    assert_int_equal(dv(tok, ct, T_NOW), 0);
    ct = J("{\"secret\":\"" SECRET "\",\"time\":1700000000000000000}");
    assert_int_equal(dv(tok, ct, 1900000000000000000LL), 1);
    /* fractional exp, as OPA compares float seconds exactly */
    tok = sign("{\"alg\":\"HS256\"}", "{\"exp\":1700000000.5}", jwk);
    assert_int_equal(dv(tok, c, 1700000000400000000LL), 1);
    assert_int_equal(dv(tok, c, 1700000000600000000LL), 0);
    /* non-numeric exp is an error, as in OPA */
    tok = sign("{\"alg\":\"HS256\"}", "{\"exp\":\"tomorrow\"}", jwk);
    assert_int_equal(dv(tok, c, T_NOW), -1);
}

/* ---- forged tokens -------------------------------------------------------------------------- */

static const char *swap_payload(const char *tok, const char *payload) {
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    return gh_arena_printf(&A, "%.*s.%s%s", (int)(d1 - tok), tok, b64u(payload), d2);
}

static void test_forged(void **state) {
    (void)state;
    const char *pub = cd_fixture("root_pub.pem");
    const char *tok = sign("{\"alg\":\"RS256\"}", "{\"sub\":\"alice\"}", cd_fixture("root.jwk"));
    assert_int_equal(vf("io.jwt.verify_rs256", tok, pub), 1);
    /* payload swapped under the original signature */
    assert_int_equal(vf("io.jwt.verify_rs256", swap_payload(tok, "{\"sub\":\"admin\"}"), pub), 0);
    assert_int_equal(dv(swap_payload(tok, "{\"sub\":\"admin\"}"), cert_cons(pub), T_NOW), 0);
    /* truncated, extended, emptied signatures */
    size_t n = strlen(tok);
    assert_int_equal(vf("io.jwt.verify_rs256", gh_arena_strndup(&A, tok, n - 4), pub), 0);
    assert_int_equal(vf("io.jwt.verify_rs256", gh_arena_printf(&A, "%sAAAA", tok), pub), 0);
    assert_int_equal(
        vf("io.jwt.verify_rs256", gh_arena_strndup(&A, tok, strrchr(tok, '.') - tok + 1), pub), 0);
    /* signed by another key */
    const char *other = sign("{\"alg\":\"RS256\"}", "{\"sub\":\"alice\"}", cd_fixture("rsa1024.jwk"));
    assert_int_equal(vf("io.jwt.verify_rs256", other, pub), 0);
    /* a 1024-bit RSA key never verifies, even its own tokens */
    assert_int_equal(vf("io.jwt.verify_rs256", other, cd_fixture("rsa1024.pub.jwk")), 0);
    /* ECDSA: r||s must be exactly 64 bytes for ES256 */
    const char *es = sign("{\"alg\":\"ES256\"}", "{\"a\":1}", cd_fixture("leaf.jwk"));
    const char *lpub = cd_fixture("leaf.pub.jwk");
    assert_int_equal(vf("io.jwt.verify_es256", es, lpub), 1);
    const char *sig = strrchr(es, '.') + 1;
    gh_err e;
    rego_bctx c = {.a = &A, .err = &e};
    unsigned char *raw;
    size_t rn;
    assert_int_equal(rb_b64url_opa_decode(&c, sig, strlen(sig), &raw, &rn), 0);
    assert_int_equal(rn, 64);
    unsigned char longer[65];
    longer[0] = 0;
    memcpy(longer + 1, raw, 64);
    size_t ln;
    const char *lsig = rb_b64_encode(&A, longer, 65, true, false, &ln);
    const char *les = gh_arena_printf(&A, "%.*s.%s", (int)(sig - es - 1), es, lsig);
    assert_int_equal(vf("io.jwt.verify_es256", les, lpub), 0);
    /* swapping r and s */
    unsigned char sw[64];
    memcpy(sw, raw + 32, 32);
    memcpy(sw + 32, raw, 32);
    const char *swes = gh_arena_printf(&A, "%.*s.%s", (int)(sig - es - 1), es,
                                       rb_b64_encode(&A, sw, 64, true, false, &ln));
    assert_int_equal(vf("io.jwt.verify_es256", swes, lpub), 0);
}

/* ---- base64url strictness -------------------------------------------------------------------- */

/* A token over exactly the given (possibly non-canonical) segments, with
 * a valid HS256 MAC of that text. */
static const char *mac_token(const char *h64, const char *p64) {
    const char *input = gh_arena_printf(&A, "%s.%s", h64, p64);
    unsigned char mac[32];
    size_t mn = 0;
    assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, (const unsigned char *)SECRET,
                              strlen(SECRET), (const unsigned char *)input, strlen(input), mac,
                              sizeof mac, &mn));
    size_t k;
    return gh_arena_printf(&A, "%s.%s", input, rb_b64_encode(&A, mac, mn, true, false, &k));
}

static void test_base64_strict(void **state) {
    (void)state;
    const char *h = b64u("{\"alg\":\"HS256\",\"x\":12}"); /* 22 bytes: 30 chars + "==" */
    const char *p = b64u("{\"a\":1}");
    assert_int_equal(vf("io.jwt.verify_hs256", mac_token(h, p), SECRET), 1);
    assert_int_equal(dv(mac_token(h, p), secret_cons(SECRET), T_NOW), 1);
    /* padding: decodes as OPA does, never verifies */
    const char *padded = mac_token(gh_arena_printf(&A, "%s==", h), p);
    val_t *args[1] = {S(padded)}, *out;
    gh_err e;
    assert_int_equal(cd_call(&A, "io.jwt.decode", args, &out, &e, T_NOW), RB_OK);
    assert_int_equal(vf("io.jwt.verify_hs256", padded, SECRET), 0);
    assert_int_equal(dv(padded, secret_cons(SECRET), T_NOW), 0);
    /* non-canonical trailing bits: "e30" and "e31" both decode to "{}" */
    assert_int_equal(vf("io.jwt.verify_hs256", mac_token(h, "e30"), SECRET), 1);
    assert_int_equal(vf("io.jwt.verify_hs256", mac_token(h, "e31"), SECRET), 0);
    /* a newline inside a segment (skipped by Go's decoder) */
    const char *nl = mac_token(gh_arena_printf(&A, "%.10s\n%s", h, h + 10), p);
    assert_int_equal(vf("io.jwt.verify_hs256", nl, SECRET), 0);
    /* wrong segment counts are errors, as in OPA */
    assert_int_equal(vf("io.jwt.verify_hs256", "a.b", SECRET), -1);
    assert_int_equal(vf("io.jwt.verify_hs256", "a.b.c.d", SECRET), -1);
}

/* ---- JWK rules ----------------------------------------------------------------------------------
 */

static void test_jwk_rules(void **state) {
    (void)state;
    const char *tok = sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{}", cd_fixture("root.jwk"));
    val_t *pub = J(cd_fixture("root.pub.jwk"));
    const char *base = val_to_json(&A, pub, 0);
    assert_int_equal(vf("io.jwt.verify_rs256", tok, base), 1);
    static const char *const extra[] = {"\"use\":\"enc\"",   "\"key_ops\":[\"encrypt\"]",
                                        "\"alg\":\"RS384\"", "\"alg\":\"A256GCM\"",
                                        "\"alg\":\"PS256\"", "\"key_ops\":\"verify\""};
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
        const char *k = gh_arena_printf(&A, "{%s,%s", extra[i], base + 1);
        assert_int_equal(vf("io.jwt.verify_rs256", tok, k), 0);
        assert_int_equal(dv(tok, cert_cons(k), T_NOW), 0);
    }
    static const char *const fine[] = {"\"use\":\"sig\"", "\"key_ops\":[\"sign\",\"verify\"]",
                                       "\"alg\":\"RS256\"", "\"kid\":\"k1\""};
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        const char *k = gh_arena_printf(&A, "{%s,%s", fine[i], base + 1);
        assert_int_equal(vf("io.jwt.verify_rs256", tok, k), 1);
    }
    /* key sets: kid selection, duplicate kids, mixed symmetric/asymmetric */
    const char *other = cd_fixture("rsa1024.pub.jwk");
    const char *set = gh_arena_printf(&A, "{\"keys\":[{\"kid\":\"k0\",%s,{\"kid\":\"k1\",%s]}",
                                      other + 1, base + 1);
    assert_int_equal(vf("io.jwt.verify_rs256", tok, set), 1);
    set = gh_arena_printf(&A, "{\"keys\":[{\"kid\":\"k1\",%s,{\"kid\":\"k1\",%s]}", other + 1,
                          base + 1);
    assert_int_equal(vf("io.jwt.verify_rs256", tok, set), 0);
    set = gh_arena_printf(&A, "{\"keys\":[%s,%s]}", base, oct_jwk(SECRET));
    assert_int_equal(vf("io.jwt.verify_rs256", tok, set), 0);
    /* HMAC JWKs shorter than the hash are refused; plain secrets follow OPA */
    const char *hs = sign("{\"alg\":\"HS256\"}", "{}", oct_jwk("short"));
    assert_int_equal(dv(hs, cert_cons(oct_jwk("short")), T_NOW), 0);
    assert_int_equal(vf("io.jwt.verify_hs256", hs, "short"), 1);
    /* EC point not on the curve */
    val_t *ec = J(cd_fixture("leaf.pub.jwk"));
    const char *x = val_str_ptr(val_obj_get_str(ec, "x", 1));
    const char *y = val_str_ptr(val_obj_get_str(ec, "y", 1));
    const char *es = sign("{\"alg\":\"ES256\"}", "{}", cd_fixture("leaf.jwk"));
    const char *bad =
        gh_arena_printf(&A, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", y, x);
    assert_int_equal(vf("io.jwt.verify_es256", es, bad), 0);
    bad = gh_arena_printf(&A, "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
    assert_int_equal(vf("io.jwt.verify_es256", es, bad), 0);
}

/* ---- secrets stay out of messages, exhaustion -------------------------------------------------
 */

static void test_no_secrets_in_errors(void **state) {
    (void)state;
    static const char *const keys[] = {
        "{\"kty\":\"oct\",\"k\":\"TOPSECRET!!value\"}",
        ("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"TOPSECRET!!value\",\"p\":\"x\","
         "\"q\":\"y\"}"),
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\",\"d\":\"TOPSECRET!!value\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\",\"d\":\"TOPSECRET!!value\"}",
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        val_t *args[3] = {S("{\"alg\":\"HS256\"}"), S("{}"), S(keys[i])}, *out;
        gh_err e;
        int rc = cd_call(&A, "io.jwt.encode_sign_raw", args, &out, &e, T_NOW);
        assert_int_equal(rc, GH_EINVAL);
        assert_null(strstr(e.msg, "TOPSECRET"));
        val_t *a2[2] = {S("a.b.c"), S(keys[i])};
        cd_call(&A, "io.jwt.verify_rs256", a2, &out, &e, T_NOW);
        assert_null(strstr(e.msg, "TOPSECRET"));
    }
    val_t *a3[2] = {S("a.b.c"), J("{\"secret\":\"TOPSECRET\",\"bogus\":1}")}, *out;
    gh_err e;
    assert_int_equal(cd_call(&A, "io.jwt.decode_verify", a3, &out, &e, T_NOW), GH_EINVAL);
    assert_null(strstr(e.msg, "TOPSECRET"));
}

static void test_exhaustion(void **state) {
    (void)state;
    const char *tok = sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
                           "{\"sub\":\"alice\",\"n\":[1,2,3]}", cd_fixture("root.jwk"));
    const char *pub = cd_fixture("root_pub.pem");
    const char *jwk = cd_fixture("root.jwk");
    for (size_t budget = 1024; budget < 256 * 1024; budget += 4096) {
        gh_arena small;
        gh_arena_init(&small, budget);
        small.chunk_size = 1024;
        val_t *args[2] = {val_strc(&small, tok), val_obj_new(&small, 1)}, *out;
        if (args[0] && args[1]) {
            val_obj_put(&small, args[1], val_strc(&small, "cert"), val_strc(&small, pub));
            gh_err e;
            int rc = cd_call(&small, "io.jwt.decode_verify", args, &out, &e, T_NOW);
            assert_true(rc == RB_OK || rc == GH_ENOMEM || rc == GH_EINVAL);
            val_t *a3[3] = {val_strc(&small, "{\"alg\":\"RS256\"}"), val_strc(&small, "{}"),
                            val_strc(&small, jwk)};
            if (a3[0] && a3[1] && a3[2]) {
                rc = cd_call(&small, "io.jwt.encode_sign_raw", a3, &out, &e, T_NOW);
                assert_true(rc == RB_OK || rc == GH_ENOMEM || rc == GH_EINVAL);
            }
        }
        gh_arena_free(&small);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_key_confusion),
        cmocka_unit_test(test_time_claims),
        cmocka_unit_test(test_forged),
        cmocka_unit_test(test_base64_strict),
        cmocka_unit_test(test_jwk_rules),
        cmocka_unit_test(test_no_secrets_in_errors),
        cmocka_unit_test(test_exhaustion),
    };
    return GH_TEST_RUN_GROUP(tests);
}
