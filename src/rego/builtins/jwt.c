/* jwt.c - the io.jwt builtin family: decode, decode_verify, verify_{rs,ps,
 * es}{256,384,512}, verify_hs*, verify_eddsa, encode_sign, encode_sign_raw.
 * Exported as rego_bi_jwt; keys and signatures come from jwk.c.
 *
 * Semantics are OPA 1.x's (topdown/tokens.go): error messages, constraint
 * handling, exp/nbf compared as float seconds against time in ns, "aud"
 * matching, nested (cty: JWT) tokens. Deliberate, security-driven
 * differences, all of which only turn a "valid" into "invalid":
 *  - verification needs canonical base64url segments (no padding, no
 *    CR/LF, zero trailing bits), which decoding alone does not;
 *  - alg "none" or an unknown alg never verifies (1.x; 0.61 raised errors);
 *  - an HMAC secret that is a PEM block (a public key or certificate passed
 *    as a secret: HS/RS key confusion) never verifies;
 *  - key rules of jwk.c (strength, use/key_ops/alg, ambiguous key sets);
 *  - PS* salts must equal the hash length and ES* signatures must be the
 *    exact JOSE r||s size for the algorithm's curve. */
#include <string.h>

#include <openssl/crypto.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/encoding_int.h"

/* ---- token structure -------------------------------------------------------------------- */

typedef struct tok {
    const char *h, *p, *s; /* segments, in the token text */
    size_t hn, pn, sn;
    val_t *header; /* decoded header object (after tok_header) */
} tok;

/* OPA's decodeJWT: exactly three '.'-separated segments. */
static int tok_split(rego_bctx *c, const char *s, size_t n, tok *t) {
    const char *d1 = memchr(s, '.', n);
    if (!d1) return rb_err(c, "encoded JWT had no period separators");
    size_t parts = 1;
    for (size_t i = 0; i < n; i++)
        parts += s[i] == '.';
    if (parts != 3) return rb_err(c, "encoded JWT must have 3 sections, found %zu", parts);
    const char *d2 = memchr(d1 + 1, '.', (size_t)(s + n - d1 - 1));
    memset(t, 0, sizeof *t);
    t->h = s;
    t->hn = (size_t)(d1 - s);
    t->p = d1 + 1;
    t->pn = (size_t)(d2 - d1 - 1);
    t->s = d2 + 1;
    t->sn = (size_t)(s + n - d2 - 1);
    return 0;
}

/* Prefix the error recorded in c->err. */
static int wrap_err(rego_bctx *c, int rc, const char *prefix) {
    if (rc == GH_ENOMEM) return rc;
    char msg[GH_ERR_MSG];
    snprintf(msg, sizeof msg, "%s", c->err->msg);
    gh_err_set(c->err, rc, NULL, 0, 0, "%s%s", prefix, msg);
    return rc;
}

/* OPA's extractJSONObject. */
static int json_object(rego_bctx *c, const unsigned char *p, size_t n, val_t **out) {
    int rc = rb_gojson_unmarshal(c, (const char *)p, n, out);
    if (rc) return wrap_err(c, rc, "invalid JSON: ");
    if (val_kind_of(*out) != VAL_OBJECT) return rb_err(c, "decoded JSON type was not an Object");
    return 0;
}

/* decodeHeader: base64url, JSON object, not a JWE. */
static int tok_header(rego_bctx *c, tok *t) {
    unsigned char *h;
    size_t hn;
    int rc = rb_b64url_opa_decode(c, t->h, t->hn, &h, &hn);
    if (rc) return wrap_err(c, rc, "JWT header had invalid encoding: ");
    if ((rc = json_object(c, h, hn, &t->header))) return wrap_err(c, rc, "bad JWT header: ");
    if (val_obj_get_str(t->header, "enc", 3))
        return rb_err(c, "JWT is a JWE object, which is not supported");
    return 0;
}

static int tok_signature(rego_bctx *c, const tok *t, unsigned char **sig, size_t *sn) {
    return rb_b64url_opa_decode(c, t->s, t->sn, sig, sn);
}

/* Segments in the canonical form RFC 7515 requires (checked before trusting
 * a signature; decoding alone is as lenient as OPA). */
static bool tok_canonical(const tok *t) {
    return rb_b64url_strict_ok(t->h, t->hn) && rb_b64url_strict_ok(t->p, t->pn) &&
           rb_b64url_strict_ok(t->s, t->sn);
}

/* Parsed JOSE header fields (OPA's tokenHeader). */
typedef struct hdr {
    const char *alg, *kid, *cty;
    size_t algn, kidn, ctyn;
    bool crit_unknown; /* a critical parameter we do not understand */
} hdr;

static bool is_known_param(const val_t *k) {
    static const char *const known[] = {"alg", "kid", "typ", "cty", "crit"};
    for (size_t i = 0; i < 5; i++)
        if (val_str_len(k) == strlen(known[i]) && !memcmp(val_str_ptr(k), known[i], val_str_len(k)))
            return true;
    return false;
}

/* parseTokenHeader: string-typed alg/kid/typ/cty, crit a nonempty list. */
static int tok_parse_header(rego_bctx *c, const val_t *h, hdr *out) {
    static const char *const strs[] = {"alg", "kid", "typ", "cty"};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < 4; i++) {
        val_t *v = val_obj_get_str(h, strs[i], 3);
        if (!v) continue;
        if (!val_is_str(v)) return rb_err(c, "%s: must be a string", strs[i]);
        if (i == 0) out->alg = val_str_ptr(v), out->algn = val_str_len(v);
        if (i == 1) out->kid = val_str_ptr(v), out->kidn = val_str_len(v);
        if (i == 3) out->cty = val_str_ptr(v), out->ctyn = val_str_len(v);
    }
    val_t *crit = val_obj_get_str(h, "crit", 4);
    if (!crit) return 0;
    if (val_kind_of(crit) != VAL_ARRAY) return rb_err(c, "crit: must be a list");
    size_t ncrit = 0;
    for (size_t i = 0; i < val_arr_len(crit); i++) {
        val_t *e = val_arr_at(crit, i);
        if (!val_is_str(e)) break; /* OPA stops at the first non-string */
        ncrit++;
        val_t *present = val_obj_get(h, e);
        if (present && !is_known_param(e)) out->crit_unknown = true;
    }
    if (ncrit == 0) return rb_err(c, "crit: must be a nonempty list");
    return 0;
}

static bool hdr_valid(const hdr *h) { return h->algn > 0 && !h->crit_unknown; }

/* A "secret" that is really a PEM key or certificate: HS/RS confusion. */
static bool secret_is_pem(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    return rb_has_pem_prefix(s, n);
}

/* The signing input "header.payload" as it appears in the token. */
static const unsigned char *tok_input(const tok *t, size_t *n) {
    *n = t->hn + 1 + t->pn;
    return (const unsigned char *)t->h;
}

/* ---- key selection (OPA's constraints.verify / builtinJWTVerify) ------------------------ */

static bool key_selectable(const rb_jkey *k) { return !(k->has_alg && k->alg == RB_ALG_NONE); }

/* Verify with the key set: a key whose kid equals the header's decides
 * alone; otherwise any key without alg, or whose alg is the header's.
 * `use` is the algorithm actually checked (the builtin's, or the header's
 * for decode_verify). */
static bool keyset_verify(const rb_jkeyset *ks, const hdr *h, rb_alg use, const tok *t,
                          const unsigned char *sig, size_t sn) {
    if (ks->rejected) return false;
    size_t mn;
    const unsigned char *msg = tok_input(t, &mn);
    if (h->kidn > 0) {
        for (size_t i = 0; i < ks->n; i++) {
            const rb_jkey *k = &ks->keys[i];
            if (key_selectable(k) && k->kid && k->kid_len == h->kidn &&
                !memcmp(k->kid, h->kid, h->kidn))
                return rb_jws_verify(use, k, NULL, 0, msg, mn, sig, sn);
        }
    }
    rb_alg halg = rb_alg_parse(h->alg, h->algn);
    for (size_t i = 0; i < ks->n; i++) {
        const rb_jkey *k = &ks->keys[i];
        if (!key_selectable(k)) continue;
        if (k->has_alg && (halg == RB_ALG_NONE || k->alg != halg)) continue;
        if (rb_jws_verify(use, k, NULL, 0, msg, mn, sig, sn)) return true;
    }
    return false;
}

/* ---- io.jwt.decode --------------------------------------------------------------------- */

static int decode_token(rego_bctx *c, const char *s, size_t n, val_t **out, int depth) {
    tok t;
    int rc = tok_split(c, s, n, &t);
    if (rc || (rc = tok_header(c, &t))) return rc;
    unsigned char *p;
    size_t pn;
    if ((rc = rb_b64url_opa_decode(c, t.p, t.pn, &p, &pn)))
        return wrap_err(c, rc, "JWT payload had invalid encoding: ");
    val_t *cty = val_obj_get_str(t.header, "cty", 3);
    if (cty && val_is_str(cty) && val_str_len(cty) == 3 && !memcmp(val_str_ptr(cty), "JWT", 3)) {
        if (depth >= GH_MAX_DEPTH) return rb_err(c, "nested JWT too deep");
        /* the nested token may be quoted, as jwt.io writes it */
        size_t lo = 0, hi = pn;
        while (lo < hi && (p[lo] == '"' || p[lo] == '\''))
            lo++;
        while (hi > lo && (p[hi - 1] == '"' || p[hi - 1] == '\''))
            hi--;
        return decode_token(c, (const char *)p + lo, hi - lo, out, depth + 1);
    }
    val_t *payload;
    if ((rc = json_object(c, p, pn, &payload))) return rc;
    unsigned char *sig;
    size_t sn;
    if ((rc = tok_signature(c, &t, &sig, &sn)))
        return wrap_err(c, rc, "JWT signature had invalid encoding: ");
    val_t *arr = val_arr_new(c->a, 3), *hv = rb_hex_value(c->a, sig, sn);
    if (!arr || !hv || val_arr_push(c->a, arr, t.header) || val_arr_push(c->a, arr, payload) ||
        val_arr_push(c->a, arr, hv))
        return rb_oom(c);
    *out = arr;
    return 0;
}

static int bi_decode(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    return decode_token(c, s, n, out, 0);
}

/* ---- io.jwt.verify_* --------------------------------------------------------------------------
 */

static int verify_asym(rego_bctx *c, val_t *const *args, val_t **out, rb_alg alg) {
    const char *s, *ks_s;
    size_t n, ks_n;
    int rc;
    tok t;
    if ((rc = rb_arg_str(c, args, 0, &s, &n)) || (rc = tok_split(c, s, n, &t))) return rc;
    if ((rc = rb_arg_str(c, args, 1, &ks_s, &ks_n))) return rc;
    rb_jkeyset ks;
    if ((rc = rb_keyset_parse(c, ks_s, ks_n, &ks))) return rc;
    unsigned char *sig;
    size_t sn;
    hdr h;
    bool ok = false;
    if ((rc = tok_signature(c, &t, &sig, &sn)) || (rc = tok_header(c, &t)) ||
        (rc = tok_parse_header(c, t.header, &h)))
        goto out;
    ok = tok_canonical(&t) && keyset_verify(&ks, &h, alg, &t, sig, sn);
    *out = val_bool(ok);
out:
    rb_keyset_free(&ks);
    return rc;
}

#define VERIFY_FN(name, alg)                                                                       \
    static int name(rego_bctx *c, val_t *const *args, val_t **out) {                               \
        return verify_asym(c, args, out, alg);                                                     \
    }
VERIFY_FN(bi_verify_rs256, RB_ALG_RS256)
VERIFY_FN(bi_verify_rs384, RB_ALG_RS384)
VERIFY_FN(bi_verify_rs512, RB_ALG_RS512)
VERIFY_FN(bi_verify_ps256, RB_ALG_PS256)
VERIFY_FN(bi_verify_ps384, RB_ALG_PS384)
VERIFY_FN(bi_verify_ps512, RB_ALG_PS512)
VERIFY_FN(bi_verify_es256, RB_ALG_ES256)
VERIFY_FN(bi_verify_es384, RB_ALG_ES384)
VERIFY_FN(bi_verify_es512, RB_ALG_ES512)
VERIFY_FN(bi_verify_eddsa, RB_ALG_EDDSA)

static int verify_hs(rego_bctx *c, val_t *const *args, val_t **out, rb_alg alg) {
    const char *s, *sec;
    size_t n, secn;
    int rc;
    tok t;
    if ((rc = rb_arg_str(c, args, 0, &s, &n)) || (rc = rb_arg_str(c, args, 1, &sec, &secn)) ||
        (rc = tok_split(c, s, n, &t)))
        return rc;
    unsigned char *sig;
    size_t sn;
    if ((rc = tok_signature(c, &t, &sig, &sn))) return rc;
    size_t mn;
    const unsigned char *msg = tok_input(&t, &mn);
    bool ok = !secret_is_pem(sec, secn) && tok_canonical(&t) &&
              rb_jws_verify(alg, NULL, (const unsigned char *)sec, secn, msg, mn, sig, sn);
    *out = val_bool(ok);
    return 0;
}

static int bi_verify_hs256(rego_bctx *c, val_t *const *args, val_t **out) {
    return verify_hs(c, args, out, RB_ALG_HS256);
}
static int bi_verify_hs384(rego_bctx *c, val_t *const *args, val_t **out) {
    return verify_hs(c, args, out, RB_ALG_HS384);
}
static int bi_verify_hs512(rego_bctx *c, val_t *const *args, val_t **out) {
    return verify_hs(c, args, out, RB_ALG_HS512);
}

/* ---- io.jwt.decode_verify ----------------------------------------------------------------- */

typedef struct cons {
    rb_jkeyset keys;
    bool has_keys;
    const char *secret, *alg, *iss, *aud;
    size_t secretn, algn, issn, audn;
    double time; /* ns */
} cons;

static int cons_string(rego_bctx *c, const char *name, const val_t *v, const char **s, size_t *n) {
    if (!val_is_str(v)) return rb_err(c, "%s constraint: must be a string", name);
    *s = val_str_ptr(v);
    *n = val_str_len(v);
    return 0;
}

static int cons_time(rego_bctx *c, const val_t *v, double *t) {
    if (val_kind_of(v) != VAL_NUMBER) return rb_err(c, "token time constraint: must be a number");
    double d = val_num_to_double(v);
    if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
        return rb_err(c, "token time constraint: unvalid float64");
    if (d < 0) return rb_err(c, "token time constraint: must not be negative");
    *t = d;
    return 0;
}

static bool key_is(const val_t *k, const char *lit) {
    return val_is_str(k) && val_str_len(k) == strlen(lit) &&
           !memcmp(val_str_ptr(k), lit, val_str_len(k));
}

static int cons_parse(rego_bctx *c, const val_t *o, cons *cs) {
    memset(cs, 0, sizeof *cs);
    cs->time = -1;
    int rc = 0;
    for (size_t i = 0; i < val_obj_len(o) && !rc; i++) {
        val_t *k = val_obj_key_at(o, i), *v = val_obj_val_at(o, i);
        if (key_is(k, "cert")) {
            if (!val_is_str(v)) return rb_err(c, "cert constraint: must be a string");
            if (cs->has_keys) rb_keyset_free(&cs->keys);
            rc = rb_keyset_parse(c, val_str_ptr(v), val_str_len(v), &cs->keys);
            if (!rc) cs->has_keys = true;
        } else if (key_is(k, "secret")) {
            rc = cons_string(c, "secret", v, &cs->secret, &cs->secretn);
        } else if (key_is(k, "alg")) {
            rc = cons_string(c, "alg", v, &cs->alg, &cs->algn);
        } else if (key_is(k, "iss")) {
            rc = cons_string(c, "iss", v, &cs->iss, &cs->issn);
        } else if (key_is(k, "aud")) {
            rc = cons_string(c, "aud", v, &cs->aud, &cs->audn);
        } else if (key_is(k, "time")) {
            rc = cons_time(c, v, &cs->time);
        } else {
            if (val_is_str(k))
                rc = rb_err(c, "unknown token validation constraint: %.*s",
                            (int)(val_str_len(k) > 128 ? 128 : val_str_len(k)), val_str_ptr(k));
            else
                rc = rb_err(c, "unknown token validation constraint");
        }
    }
    if (rc) return rc;
    if (cs->time == -1) {
        if (c->now_ns < 0) return rb_err(c, "token time constraint: must not be negative");
        cs->time = (double)c->now_ns;
    }
    int nkeys = (cs->has_keys ? 1 : 0) + (cs->secretn > 0 ? 1 : 0);
    if (nkeys > 1) return rb_err(c, "duplicate key constraints");
    if (nkeys < 1) return rb_err(c, "no key constraint");
    return 0;
}

static bool cons_verify(const cons *cs, const hdr *h, const tok *t, const unsigned char *sig,
                        size_t sn) {
    rb_alg alg = rb_alg_parse(h->alg, h->algn);
    if (alg == RB_ALG_NONE || !tok_canonical(t)) return false;
    if (cs->has_keys) return keyset_verify(&cs->keys, h, alg, t, sig, sn);
    if (secret_is_pem(cs->secret, cs->secretn)) return false;
    size_t mn;
    const unsigned char *msg = tok_input(t, &mn);
    if (alg < RB_ALG_HS256 || alg > RB_ALG_HS512) return false;
    return rb_jws_verify(alg, NULL, (const unsigned char *)cs->secret, cs->secretn, msg, mn, sig,
                         sn);
}

static bool aud_ok(const cons *cs, const val_t *aud) {
    if (val_is_str(aud))
        return val_str_len(aud) == cs->audn && !memcmp(val_str_ptr(aud), cs->aud, cs->audn);
    if (val_kind_of(aud) != VAL_ARRAY) return false;
    for (size_t i = 0; i < val_arr_len(aud); i++) {
        val_t *e = val_arr_at(aud, i);
        if (val_is_str(e) && val_str_len(e) == cs->audn &&
            !memcmp(val_str_ptr(e), cs->aud, cs->audn))
            return true;
    }
    return false;
}

/* Claim checks after the signature: 1 valid, 0 invalid, <0 error. */
static int claims_ok(rego_bctx *c, const cons *cs, const val_t *payload) {
    if (cs->issn > 0) {
        val_t *iss = val_obj_get_str(payload, "iss", 3);
        if (!iss || !val_is_str(iss) || val_str_len(iss) != cs->issn ||
            memcmp(val_str_ptr(iss), cs->iss, cs->issn))
            return 0;
    }
    val_t *aud = val_obj_get_str(payload, "aud", 3);
    if (aud ? !aud_ok(cs, aud) : cs->audn > 0) return 0;
    /* now in seconds as OPA computes it: float64 ns / 1e9, printed with
     * strconv 'g' -1, compared exactly with the claim */
    val_t *now = val_num_double(c->a, cs->time / 1000000000.0);
    if (!now) return rb_oom(c);
    val_t *exp = val_obj_get_str(payload, "exp", 3);
    if (exp) {
        if (val_kind_of(exp) != VAL_NUMBER) return rb_err(c, "exp value must be a number");
        if (val_compare(now, exp) >= 0) return 0;
    }
    val_t *nbf = val_obj_get_str(payload, "nbf", 3);
    if (nbf) {
        if (val_kind_of(nbf) != VAL_NUMBER) return rb_err(c, "nbf value must be a number");
        if (val_compare(now, nbf) < 0) return 0;
    }
    return 1;
}

static int unverified(rego_bctx *c, val_t **out) {
    val_t *arr = val_arr_new(c->a, 3);
    val_t *e1 = val_obj_new(c->a, 0), *e2 = val_obj_new(c->a, 0);
    if (!arr || !e1 || !e2 || val_arr_push(c->a, arr, VAL_FALSE) || val_arr_push(c->a, arr, e1) ||
        val_arr_push(c->a, arr, e2))
        return rb_oom(c);
    *out = arr;
    return 0;
}

static int decode_verify(rego_bctx *c, const cons *cs, const char *s, size_t n, val_t **out) {
    const char *cur = s;
    size_t curn = n;
    tok t;
    unsigned char *p = NULL;
    size_t pn = 0;
    int rc;
    for (int depth = 0;; depth++) {
        hdr h;
        if ((rc = tok_split(c, cur, curn, &t)) || (rc = tok_header(c, &t)) ||
            (rc = tok_parse_header(c, t.header, &h)))
            return rc;
        if (!hdr_valid(&h)) return unverified(c, out);
        if (cs->algn > 0 && (cs->algn != h.algn || memcmp(cs->alg, h.alg, h.algn)))
            return unverified(c, out);
        unsigned char *sig;
        size_t sn;
        if ((rc = tok_signature(c, &t, &sig, &sn))) return rc;
        if (!cons_verify(cs, &h, &t, sig, sn)) return unverified(c, out);
        if ((rc = rb_b64url_opa_decode(c, t.p, t.pn, &p, &pn)))
            return wrap_err(c, rc, "JWT payload had invalid encoding: ");
        if (!(h.ctyn == 3 && !strncasecmp(h.cty, "JWT", 3))) break;
        if (depth >= GH_MAX_DEPTH) return rb_err(c, "nested JWT too deep");
        cur = (const char *)p;
        curn = pn;
    }
    val_t *payload;
    if ((rc = json_object(c, p, pn, &payload))) return rc;
    int ok = claims_ok(c, cs, payload);
    if (ok < 0) return ok;
    if (!ok) return unverified(c, out);
    val_t *arr = val_arr_new(c->a, 3);
    if (!arr || val_arr_push(c->a, arr, VAL_TRUE) || val_arr_push(c->a, arr, t.header) ||
        val_arr_push(c->a, arr, payload))
        return rb_oom(c);
    *out = arr;
    return 0;
}

static int bi_decode_verify(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_kind(c, args, 1, VAL_OBJECT))) return rc;
    cons cs;
    if ((rc = cons_parse(c, args[1], &cs))) goto out;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) goto out;
    rc = decode_verify(c, &cs, s, n, out);
out:
    if (cs.has_keys) rb_keyset_free(&cs.keys);
    return rc;
}

/* ---- io.jwt.encode_sign ------------------------------------------------------------------- */

/* OPA 1.x commonBuiltinJWTEncodeSign over header/payload/key JSON text. */
static int encode_sign(rego_bctx *c, const char *hs, size_t hn, const char *ps, size_t pn,
                       const char *ks, size_t kn, val_t **out) {
    rb_jkey key;
    int rc = rb_jwk_signing_key(c, ks, kn, &key);
    if (rc) return rc;
    val_t *hv = NULL, *alg = NULL, *typ = NULL;
    if (rb_gojson_unmarshal(c, hs, hn, &hv)) {
        rc = wrap_err(c, GH_EINVAL, "missing or invalid 'alg' header: ");
        goto out;
    }
    if (val_kind_of(hv) == VAL_OBJECT) {
        alg = val_obj_get_str(hv, "alg", 3);
        typ = val_obj_get_str(hv, "typ", 3);
    }
    if (!alg || !val_is_str(alg)) {
        rc = rb_err(c, "missing or invalid 'alg' header: %s",
                    alg ? "field \"alg\" is not a string" : "field \"alg\" not found");
        goto out;
    }
    rb_alg a = rb_alg_parse(val_str_ptr(alg), val_str_len(alg));
    if (a == RB_ALG_NONE) {
        rc = rb_err(c, "unknown JWS algorithm: %.*s",
                    (int)(val_str_len(alg) > 64 ? 64 : val_str_len(alg)), val_str_ptr(alg));
        goto out;
    }
    bool typ_jwt =
        !typ || !val_is_str(typ) || (val_str_len(typ) == 3 && !memcmp(val_str_ptr(typ), "JWT", 3));
    if (typ_jwt && !rb_gojson_valid(ps, pn)) {
        rc = rb_err(c, "type is JWT but payload is not JSON");
        goto out;
    }
    size_t hb, pb;
    char *h64 = rb_b64_encode(c->a, (const unsigned char *)hs, hn, true, false, &hb);
    char *p64 = rb_b64_encode(c->a, (const unsigned char *)ps, pn, true, false, &pb);
    char *input = gh_arena_alloc(c->a, hb + pb + 2);
    if (!h64 || !p64 || !input) {
        rc = rb_oom(c);
        goto out;
    }
    memcpy(input, h64, hb);
    input[hb] = '.';
    memcpy(input + hb + 1, p64, pb);
    unsigned char *sig;
    size_t sn, s64n;
    if ((rc = rb_jws_sign(c, a, &key, (const unsigned char *)input, hb + 1 + pb, &sig, &sn)))
        goto out;
    char *s64 = rb_b64_encode(c->a, sig, sn, true, false, &s64n);
    char *tokn = s64 ? gh_arena_alloc(c->a, hb + pb + s64n + 3) : NULL;
    if (!tokn) {
        rc = rb_oom(c);
        goto out;
    }
    memcpy(tokn, input, hb + 1 + pb);
    tokn[hb + 1 + pb] = '.';
    memcpy(tokn + hb + 2 + pb, s64, s64n);
    tokn[hb + pb + s64n + 2] = 0;
    *out = val_str_ref(c->a, tokn, hb + pb + s64n + 2);
    if (!*out) rc = rb_oom(c);
out:
    rb_jkey_free(&key);
    return rc;
}

static int bi_encode_sign_raw(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *h, *p, *k;
    size_t hn, pn, kn;
    int rc;
    if ((rc = rb_arg_str(c, args, 2, &k, &kn)) || (rc = rb_arg_str(c, args, 0, &h, &hn)) ||
        (rc = rb_arg_str(c, args, 1, &p, &pn)))
        return rc;
    return encode_sign(c, h, hn, p, pn, k, kn, out);
}

/* Go's json.Marshal of a value: compact, keys sorted, HTML escaped. */
static const char *marshal(rego_bctx *c, const val_t *v, size_t *n) {
    gh_buf b;
    gh_buf_init(&b);
    val_json_emit(&b, v, VAL_JSON_SORTED);
    char *s = NULL;
    if (!b.oom && b.p) {
        s = gh_arena_strndup(c->a, b.p, b.len);
        *n = b.len;
    }
    gh_buf_free(&b);
    return s;
}

static int bi_encode_sign(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    for (int i = 0; i < 3; i++)
        if ((rc = rb_arg_kind(c, args, i, VAL_OBJECT))) return rc;
    size_t hn = 0, pn = 0, kn = 0;
    const char *h = marshal(c, args[0], &hn), *p = marshal(c, args[1], &pn),
               *k = marshal(c, args[2], &kn);
    if (!h || !p || !k) return rb_oom(c);
    rc = encode_sign(c, h, hn, p, pn, k, kn, out);
    OPENSSL_cleanse((void *)k, kn);
    return rc;
}

/* ---- table ---------------------------------------------------------------------------------- */

#define VDECL "(jwt: string, certificate: string) -> result: boolean"
#define HDECL "(jwt: string, secret: string) -> result: boolean"
#define VDOC(alg)                                                                                  \
    "Verifies the " alg " signature of a JWT with a PEM certificate, PEM public key or JWK (set)."
#define HDOC(alg) "Verifies the " alg " signature of a JWT with a plain-text secret."

/* Every entry reports arena exhaustion as GH_ENOMEM (rb_crypto_rc). */
#define WRAP(fn)                                                                                   \
    static int fn##_w(rego_bctx *c, val_t *const *args, val_t **out) {                             \
        return rb_crypto_rc(c, fn(c, args, out));                                                  \
    }
WRAP(bi_decode)
WRAP(bi_decode_verify)
WRAP(bi_encode_sign)
WRAP(bi_encode_sign_raw)
WRAP(bi_verify_eddsa)
WRAP(bi_verify_es256)
WRAP(bi_verify_es384)
WRAP(bi_verify_es512)
WRAP(bi_verify_hs256)
WRAP(bi_verify_hs384)
WRAP(bi_verify_hs512)
WRAP(bi_verify_ps256)
WRAP(bi_verify_ps384)
WRAP(bi_verify_ps512)
WRAP(bi_verify_rs256)
WRAP(bi_verify_rs384)
WRAP(bi_verify_rs512)

const rego_builtin rego_bi_jwt[] = {
    {"io.jwt.decode", 1, 0, bi_decode_w,
     "(jwt: string) -> output: <object[any: any], object[any: any], string>", "tokens",
     "Decodes a JWT into [header, payload, signature-hex] without verifying it."},
    {"io.jwt.decode_verify", 2, RB_NONDET, bi_decode_verify_w,
     "(jwt: string, constraints: object[string: any]) -> output: <boolean, object[any: any], "
     "object[any: any]>",
     "tokens", "Verifies a JWT's signature and claims against constraints and decodes it."},
    {"io.jwt.encode_sign", 3, RB_NONDET, bi_encode_sign_w,
     "(headers: object[string: any], payload: object[string: any], key: object[string: any]) -> "
     "output: string",
     "tokensign", "Signs a JWT from header and payload objects with a JWK."},
    {"io.jwt.encode_sign_raw", 3, RB_NONDET, bi_encode_sign_raw_w,
     "(headers: string, payload: string, key: string) -> output: string", "tokensign",
     "Signs a JWT from header and payload JSON text with a JWK."},
    {"io.jwt.verify_eddsa", 2, 0, bi_verify_eddsa_w, VDECL, "tokens", VDOC("EdDSA")},
    {"io.jwt.verify_es256", 2, 0, bi_verify_es256_w, VDECL, "tokens", VDOC("ES256")},
    {"io.jwt.verify_es384", 2, 0, bi_verify_es384_w, VDECL, "tokens", VDOC("ES384")},
    {"io.jwt.verify_es512", 2, 0, bi_verify_es512_w, VDECL, "tokens", VDOC("ES512")},
    {"io.jwt.verify_hs256", 2, 0, bi_verify_hs256_w, HDECL, "tokens", HDOC("HS256")},
    {"io.jwt.verify_hs384", 2, 0, bi_verify_hs384_w, HDECL, "tokens", HDOC("HS384")},
    {"io.jwt.verify_hs512", 2, 0, bi_verify_hs512_w, HDECL, "tokens", HDOC("HS512")},
    {"io.jwt.verify_ps256", 2, 0, bi_verify_ps256_w, VDECL, "tokens", VDOC("PS256")},
    {"io.jwt.verify_ps384", 2, 0, bi_verify_ps384_w, VDECL, "tokens", VDOC("PS384")},
    {"io.jwt.verify_ps512", 2, 0, bi_verify_ps512_w, VDECL, "tokens", VDOC("PS512")},
    {"io.jwt.verify_rs256", 2, 0, bi_verify_rs256_w, VDECL, "tokens", VDOC("RS256")},
    {"io.jwt.verify_rs384", 2, 0, bi_verify_rs384_w, VDECL, "tokens", VDOC("RS384")},
    {"io.jwt.verify_rs512", 2, 0, bi_verify_rs512_w, VDECL, "tokens", VDOC("RS512")},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
