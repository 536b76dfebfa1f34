/* x509.c - X.509 certificates and CSRs for the crypto builtins: reading
 * OPA's inputs (PEM, base64 PEM, base64 DER bundles), turning each
 * certificate into the object Go's encoding/json makes of x509.Certificate
 * (OPA's output; Go 1.21 field set, no Policies/InhibitAnyPolicy), CSRs
 * into x509.CertificateRequest objects, and public/private keys into Go's
 * JSON shapes. OpenSSL parses and validates the DER (d2i_X509); the fields
 * come from a bounded DER walk so Raw* slices are the input bytes, as in
 * Go. Go's extra parse checks (inner/outer signature algorithm equality,
 * string types in names, supported curves, SAN syntax) are applied so a
 * certificate Go rejects is rejected here too. Called by crypto.c. */
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/strutil.h"

/* ---- reading inputs ---------------------------------------------------------------------- */

void rb_certs_free(rb_cert *certs, size_t n) {
    if (!certs) return;
    for (size_t i = 0; i < n; i++)
        X509_free(certs[i].x);
    gh_free(certs);
}

/* Go's x509.ParseCertificates over concatenated DER. */
static int parse_der_certs(rego_bctx *c, const unsigned char *der, size_t n, rb_cert **out,
                           size_t *nout) {
    rb_cert *certs = NULL;
    size_t k = 0, cap = 0;
    rb_der cur = {der, n};
    while (cur.n) {
        rb_der whole;
        unsigned tag;
        if (!rb_der_next(&cur, &tag, NULL, &whole) || tag != 0x30) goto malformed;
        if (k == RB_CRYPTO_MAX_CERTS) {
            rb_certs_free(certs, k);
            return rb_err(c, "x509: too many certificates (limit %d)", RB_CRYPTO_MAX_CERTS);
        }
        const unsigned char *p = whole.p;
        X509 *x = d2i_X509(NULL, &p, (long)whole.n);
        if (!x || p != whole.p + whole.n) {
            X509_free(x);
            goto malformed;
        }
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 4;
            rb_cert *g = gh_realloc(certs, nc * sizeof *g);
            if (!g) {
                X509_free(x);
                rb_certs_free(certs, k);
                return rb_oom(c);
            }
            certs = g;
            cap = nc;
        }
        certs[k++] = (rb_cert){x, whole.p, whole.n};
    }
    *out = certs;
    *nout = k;
    return 0;
malformed:
    rb_certs_free(certs, k);
    return rb_err(c, "x509: malformed certificate");
}

static int certs_from_pem(rego_bctx *c, const char *s, size_t n, rb_cert **out, size_t *nout) {
    rb_sb all;
    rb_sb_init(&all, c->a, n);
    size_t off = 0;
    while (off < n) {
        rb_pem blk;
        size_t rest;
        if (!rb_pem_decode(c->a, s + off, n - off, &blk, &rest)) break;
        if (!rb_pem_type_is(&blk, "CERTIFICATE"))
            return rb_err(c, "PEM block type is '%.*s', expected CERTIFICATE",
                          (int)(blk.type_len > 64 ? 64 : blk.type_len), blk.type);
        rb_sb_put(&all, blk.der, blk.der_len);
        off += rest;
    }
    if (all.oom || c->a->oom) return rb_oom(c);
    return parse_der_certs(c, (const unsigned char *)all.p, all.len, out, nout);
}

int rb_certs_parse(rego_bctx *c, const char *s, size_t n, rb_cert **certs, size_t *ncerts) {
    *certs = NULL;
    *ncerts = 0;
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(c, "x509: input too large");
    if (rb_has_pem_prefix(s, n)) return certs_from_pem(c, s, n, certs, ncerts);
    unsigned char *der;
    size_t dn;
    int rc = rb_b64_std_decode(c, s, n, &der, &dn);
    if (rc) return rc;
    if (rb_has_pem_prefix((const char *)der, dn))
        return certs_from_pem(c, (const char *)der, dn, certs, ncerts);
    return parse_der_certs(c, der, dn, certs, ncerts);
}

/* ---- names ---------------------------------------------------------------------------------- */

static bool printable(unsigned char b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
           (b >= '\'' && b <= ')') || (b >= '+' && b <= '/') || b == ' ' || b == ':' || b == '=' ||
           b == '?' || b == '*' || b == '&';
}

/* Go's parseASN1String; NULL with *why set when Go refuses the value. */
static val_t *asn1_string(gh_arena *a, unsigned tag, rb_der v, const char **why) {
    switch (tag) {
    case 0x14: /* T61String */ return val_str(a, (const char *)v.p, v.n);
    case 0x13: /* PrintableString */
        for (size_t i = 0; i < v.n; i++)
            if (!printable(v.p[i])) return *why = "invalid PrintableString", NULL;
        return val_str(a, (const char *)v.p, v.n);
    case 0x0c: /* UTF8String */
        if (!rb_u8_valid((const char *)v.p, v.n)) return *why = "invalid UTF-8 string", NULL;
        return val_str(a, (const char *)v.p, v.n);
    case 0x16: /* IA5String */
        for (size_t i = 0; i < v.n; i++)
            if (v.p[i] >= 0x80) return *why = "invalid IA5String", NULL;
        return val_str(a, (const char *)v.p, v.n);
    case 0x12: /* NumericString */
        for (size_t i = 0; i < v.n; i++)
            if (!((v.p[i] >= '0' && v.p[i] <= '9') || v.p[i] == ' '))
                return *why = "invalid NumericString", NULL;
        return val_str(a, (const char *)v.p, v.n);
    case 0x1e: { /* BMPString: UTF-16BE */
        if (v.n % 2) return *why = "invalid BMPString", NULL;
        size_t units = v.n / 2;
        if (units >= 1 && v.p[v.n - 1] == 0 && v.p[v.n - 2] == 0) units--;
        rb_sb b;
        rb_sb_init(&b, a, v.n * 2 + 1);
        for (size_t i = 0; i < units; i++) {
            int32_t u = v.p[2 * i] << 8 | v.p[2 * i + 1];
            if (u >= 0xd800 && u < 0xdc00 && i + 1 < units) {
                int32_t lo = v.p[2 * i + 2] << 8 | v.p[2 * i + 3];
                if (lo >= 0xdc00 && lo < 0xe000) {
                    rb_sb_rune(&b, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
                    i++;
                    continue;
                }
            }
            rb_sb_rune(&b, (u >= 0xd800 && u < 0xe000) ? 0xfffd : u);
        }
        return rb_sb_finish(&b);
    }
    default: *why = "unsupported string type"; return NULL;
    }
}

static const char *name_field(const val_t *type) {
    if (val_arr_len(type) != 4) return NULL;
    int64_t a0, a1, a2, a3;
    if (!val_num_to_int64(val_arr_at(type, 0), &a0) ||
        !val_num_to_int64(val_arr_at(type, 1), &a1) ||
        !val_num_to_int64(val_arr_at(type, 2), &a2) || !val_num_to_int64(val_arr_at(type, 3), &a3))
        return NULL;
    if (a0 != 2 || a1 != 5 || a2 != 4) return NULL;
    switch (a3) {
    case 3: return "CommonName";
    case 5: return "SerialNumber";
    case 6: return "Country";
    case 7: return "Locality";
    case 8: return "Province";
    case 9: return "StreetAddress";
    case 10: return "Organization";
    case 11: return "OrganizationalUnit";
    case 17: return "PostalCode";
    default: return NULL;
    }
}

/* pkix.Name from a Name element, as FillFromRDNSequence fills it. */
static val_t *name_value(rego_bctx *c, rb_der name) {
    static const char *const lists[] = {"Country",   "Organization", "OrganizationalUnit",
                                        "Locality",  "Province",     "StreetAddress",
                                        "PostalCode"};
    gh_arena *a = c->a;
    rb_der seq;
    unsigned tag;
    if (!rb_der_next(&name, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid RDNSequence"), NULL;
    val_t *o = val_obj_new(a, 12), *names = NULL;
    val_t *lv[7] = {0};
    val_t *cn = &val_empty_str_v, *serial = &val_empty_str_v;
    while (seq.n) {
        rb_der set;
        if (!rb_der_next(&seq, &tag, &set, NULL) || tag != 0x31)
            return rb_err(c, "x509: invalid RDNSequence"), NULL;
        while (set.n) {
            rb_der atv, oid, v;
            if (!rb_der_next(&set, &tag, &atv, NULL) || tag != 0x30)
                return rb_err(c, "x509: invalid RDNSequence: invalid attribute"), NULL;
            val_t *type;
            if (!rb_der_next(&atv, &tag, &oid, NULL) || tag != 0x06 ||
                !(type = rb_oid_value(a, oid.p, oid.n)))
                return rb_err(c, "x509: invalid RDNSequence: invalid attribute type"), NULL;
            if (!rb_der_next(&atv, &tag, &v, NULL))
                return rb_err(c, "x509: invalid RDNSequence: invalid attribute value"), NULL;
            const char *why = NULL;
            val_t *sv = asn1_string(a, tag, v, &why);
            if (!sv) {
                if (!why) return rb_oom(c), NULL;
                if (!strcmp(why, "unsupported string type"))
                    return rb_err(c,
                                  "x509: invalid RDNSequence: invalid attribute value: "
                                  "unsupported string type: %u",
                                  tag & 0x1f),
                           NULL;
                return rb_err(c, "x509: invalid RDNSequence: invalid attribute value: %s", why),
                       NULL;
            }
            val_t *nv = val_obj_new(a, 2);
            if (!rb_put(a, nv, "Type", type) || !rb_put(a, nv, "Value", sv)) return rb_oom(c), NULL;
            if (!names && !(names = val_arr_new(a, 8))) return rb_oom(c), NULL;
            if (val_arr_push(a, names, nv)) return rb_oom(c), NULL;
            const char *f = name_field(type);
            if (!f) continue;
            if (!strcmp(f, "CommonName")) {
                cn = sv;
            } else if (!strcmp(f, "SerialNumber")) {
                serial = sv;
            } else {
                for (size_t i = 0; i < 7; i++)
                    if (!strcmp(f, lists[i])) {
                        if (!lv[i] && !(lv[i] = val_arr_new(a, 2))) return rb_oom(c), NULL;
                        if (val_arr_push(a, lv[i], sv)) return rb_oom(c), NULL;
                    }
            }
        }
    }
    bool ok = rb_put(a, o, "CommonName", cn) && rb_put(a, o, "SerialNumber", serial) &&
              rb_put(a, o, "Names", names ? names : VAL_NULLV) &&
              rb_put(a, o, "ExtraNames", VAL_NULLV);
    for (size_t i = 0; ok && i < 7; i++)
        ok = rb_put(a, o, lists[i], lv[i] ? lv[i] : VAL_NULLV);
    return ok ? o : (rb_oom(c), NULL);
}

/* ---- algorithms and keys ------------------------------------------------------------------- */

static bool oid_eq(rb_der oid, const char *dotted) {
    char buf[128];
    return rb_oid_text(oid.p, oid.n, buf, sizeof buf) && !strcmp(buf, dotted);
}

/* AlgorithmIdentifier ::= SEQUENCE { OID, parameters ANY OPTIONAL }. */
typedef struct algid {
    rb_der oid, params; /* params.n == 0 when absent */
    bool has_params;
} algid;

static bool read_algid(rb_der el, algid *out) {
    rb_der seq;
    unsigned tag;
    memset(out, 0, sizeof *out);
    if (!rb_der_next(&el, &tag, &seq, NULL) || tag != 0x30 ||
        !rb_der_next(&seq, &tag, &out->oid, NULL) || tag != 0x06)
        return false;
    if (seq.n) {
        out->has_params = true;
        if (!rb_der_next(&seq, &tag, NULL, &out->params)) return false;
    }
    return true;
}

static bool params_null_or_absent(const algid *ai) {
    return !ai->has_params ||
           (ai->params.n == 2 && ai->params.p[0] == 0x05 && ai->params.p[1] == 0);
}

/* RSASSA-PSS parameters into Go's three accepted buckets (0 = unknown). */
static int pss_algo(const algid *sig) {
    if (!sig->has_params) return 0;
    rb_der p = sig->params, seq, el;
    unsigned tag;
    if (!rb_der_next(&p, &tag, &seq, NULL) || tag != 0x30) return 0;
    algid hash = {0}, mgf = {0}, mgfhash = {0};
    bool have_hash = false, have_mgf = false;
    int64_t salt = 20, trailer = 1;
    while (seq.n) {
        if (!rb_der_next(&seq, &tag, &el, NULL)) return 0;
        if (tag == 0xa0) {
            if (!read_algid(el, &hash)) return 0;
            have_hash = true;
        } else if (tag == 0xa1) {
            if (!read_algid(el, &mgf)) return 0;
            have_mgf = true;
        } else if (tag == 0xa2 || tag == 0xa3) {
            rb_der iv;
            unsigned it;
            if (!rb_der_next(&el, &it, &iv, NULL) || it != 0x02 || iv.n == 0 || iv.n > 4 ||
                (iv.p[0] & 0x80))
                return 0;
            int64_t x = 0;
            for (size_t i = 0; i < iv.n; i++)
                x = x << 8 | iv.p[i];
            if (tag == 0xa2)
                salt = x;
            else
                trailer = x;
        } else {
            return 0;
        }
    }
    if (!have_hash || !have_mgf || !params_null_or_absent(&hash) ||
        !oid_eq(mgf.oid, "1.2.840.113549.1.1.8") || !mgf.has_params ||
        !read_algid(mgf.params, &mgfhash) || mgfhash.oid.n != hash.oid.n ||
        memcmp(mgfhash.oid.p, hash.oid.p, hash.oid.n) || !params_null_or_absent(&mgfhash) ||
        trailer != 1)
        return 0;
    if (oid_eq(hash.oid, "2.16.840.1.101.3.4.2.1") && salt == 32) return 13;
    if (oid_eq(hash.oid, "2.16.840.1.101.3.4.2.2") && salt == 48) return 14;
    if (oid_eq(hash.oid, "2.16.840.1.101.3.4.2.3") && salt == 64) return 15;
    return 0;
}

/* Go's x509.SignatureAlgorithm number. */
static int sig_algo(const algid *ai) {
    static const struct {
        const char *oid;
        int algo;
    } t[] = {
        {"1.2.840.113549.1.1.2", 1},  {"1.2.840.113549.1.1.4", 2},  {"1.2.840.113549.1.1.5", 3},
        {"1.3.14.3.2.29", 3},         {"1.2.840.113549.1.1.11", 4}, {"1.2.840.113549.1.1.12", 5},
        {"1.2.840.113549.1.1.13", 6}, {"1.2.840.10040.4.3", 7},     {"2.16.840.1.101.3.4.3.2", 8},
        {"1.2.840.10045.4.1", 9},     {"1.2.840.10045.4.3.2", 10},  {"1.2.840.10045.4.3.3", 11},
        {"1.2.840.10045.4.3.4", 12},  {"1.3.101.112", 16},
    };
    char txt[128];
    if (!rb_oid_text(ai->oid.p, ai->oid.n, txt, sizeof txt)) return 0;
    if (!strcmp(txt, "1.2.840.113549.1.1.10")) return pss_algo(ai);
    if (!strcmp(txt, "1.3.101.112") && ai->has_params) return 0;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strcmp(t[i].oid, txt)) return t[i].algo;
    return 0;
}

int rb_pubkey_algo(EVP_PKEY *pk) {
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: return 1;
    case EVP_PKEY_DSA: return 2;
    case EVP_PKEY_EC: return 3;
    case EVP_PKEY_ED25519: return 4;
    default: return 0;
    }
}

static val_t *bn_param(gh_arena *a, EVP_PKEY *pk, const char *name) {
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pk, name, &bn)) return NULL;
    val_t *v = rb_bn_value(a, bn);
    BN_clear_free(bn);
    return v;
}

val_t *rb_pubkey_value(gh_arena *a, EVP_PKEY *pk) {
    val_t *o;
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
        o = val_obj_new(a, 2);
        return rb_put(a, o, "N", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_N)) &&
                       rb_put(a, o, "E", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_E))
                   ? o
                   : NULL;
    case EVP_PKEY_EC:
        o = val_obj_new(a, 3);
        return rb_put(a, o, "Curve", val_obj_new(a, 0)) &&
                       rb_put(a, o, "X", bn_param(a, pk, OSSL_PKEY_PARAM_EC_PUB_X)) &&
                       rb_put(a, o, "Y", bn_param(a, pk, OSSL_PKEY_PARAM_EC_PUB_Y))
                   ? o
                   : NULL;
    case EVP_PKEY_ED25519: {
        unsigned char raw[32];
        size_t n = sizeof raw;
        if (!EVP_PKEY_get_raw_public_key(pk, raw, &n)) return NULL;
        return rb_bytes_value(a, raw, n, false);
    }
    case EVP_PKEY_DSA: {
        val_t *params = val_obj_new(a, 3);
        o = val_obj_new(a, 2);
        return rb_put(a, params, "P", bn_param(a, pk, OSSL_PKEY_PARAM_FFC_P)) &&
                       rb_put(a, params, "Q", bn_param(a, pk, OSSL_PKEY_PARAM_FFC_Q)) &&
                       rb_put(a, params, "G", bn_param(a, pk, OSSL_PKEY_PARAM_FFC_G)) &&
                       rb_put(a, o, "Parameters", params) &&
                       rb_put(a, o, "Y", bn_param(a, pk, OSSL_PKEY_PARAM_PUB_KEY))
                   ? o
                   : NULL;
    }
    default: return VAL_NULLV;
    }
}

val_t *rb_privkey_value(gh_arena *a, EVP_PKEY *pk) {
    val_t *o;
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: {
        o = val_obj_new(a, 5);
        val_t *pre = val_obj_new(a, 4), *primes = val_arr_new(a, 2);
        val_t *p = bn_param(a, pk, OSSL_PKEY_PARAM_RSA_FACTOR1);
        val_t *q = bn_param(a, pk, OSSL_PKEY_PARAM_RSA_FACTOR2);
        if (!primes || !p || !q || val_arr_push(a, primes, p) || val_arr_push(a, primes, q))
            return NULL;
        return rb_put(a, pre, "Dp", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_EXPONENT1)) &&
                       rb_put(a, pre, "Dq", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_EXPONENT2)) &&
                       rb_put(a, pre, "Qinv", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)) &&
                       rb_put(a, pre, "CRTValues", val_arr_new(a, 0)) &&
                       rb_put(a, o, "N", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_N)) &&
                       rb_put(a, o, "E", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_E)) &&
                       rb_put(a, o, "D", bn_param(a, pk, OSSL_PKEY_PARAM_RSA_D)) &&
                       rb_put(a, o, "Primes", primes) && rb_put(a, o, "Precomputed", pre)
                   ? o
                   : NULL;
    }
    case EVP_PKEY_EC:
        o = val_obj_new(a, 4);
        return rb_put(a, o, "Curve", val_obj_new(a, 0)) &&
                       rb_put(a, o, "X", bn_param(a, pk, OSSL_PKEY_PARAM_EC_PUB_X)) &&
                       rb_put(a, o, "Y", bn_param(a, pk, OSSL_PKEY_PARAM_EC_PUB_Y)) &&
                       rb_put(a, o, "D", bn_param(a, pk, OSSL_PKEY_PARAM_PRIV_KEY))
                   ? o
                   : NULL;
    case EVP_PKEY_ED25519: {
        unsigned char raw[64];
        size_t n = 32, m = 32;
        if (!EVP_PKEY_get_raw_private_key(pk, raw, &n) ||
            !EVP_PKEY_get_raw_public_key(pk, raw + 32, &m) || n != 32 || m != 32)
            return NULL;
        val_t *v = rb_bytes_value(a, raw, 64, false);
        OPENSSL_cleanse(raw, sizeof raw);
        return v;
    }
    default: return VAL_NULLV;
    }
}

/* SubjectPublicKeyInfo checks Go makes, then the key as a value. Sets
 * *algo; returns NULL with an error recorded when Go refuses the key. */
static val_t *spki_value(rego_bctx *c, rb_der spki, int *algo) {
    rb_der seq, bits;
    unsigned tag;
    algid ai;
    *algo = 0;
    rb_der el = spki;
    if (!rb_der_next(&el, &tag, &seq, NULL) || tag != 0x30) goto bad;
    {
        rb_der algel;
        if (!rb_der_next(&seq, &tag, NULL, &algel) || !read_algid(algel, &ai)) goto bad;
    }
    if (!rb_der_next(&seq, &tag, &bits, NULL) || tag != 0x03 || bits.n < 1) goto bad;
    const unsigned char *key = bits.p + 1;
    size_t kn = bits.n - 1;
    if (oid_eq(ai.oid, "1.2.840.113549.1.1.1")) {
        *algo = 1;
        if (!(ai.has_params && ai.params.n == 2 && ai.params.p[0] == 5 && ai.params.p[1] == 0))
            return rb_err(c, "x509: RSA key missing NULL parameters"), NULL;
    } else if (oid_eq(ai.oid, "1.2.840.10045.2.1")) {
        *algo = 3;
        rb_der pc = ai.params, coid;
        if (!ai.has_params || !rb_der_next(&pc, &tag, &coid, NULL) || tag != 0x06)
            return rb_err(c, "x509: invalid ECDSA parameters"), NULL;
        if (!oid_eq(coid, "1.3.132.0.33") && !oid_eq(coid, "1.2.840.10045.3.1.7") &&
            !oid_eq(coid, "1.3.132.0.34") && !oid_eq(coid, "1.3.132.0.35"))
            return rb_err(c, "x509: unsupported elliptic curve"), NULL;
        if (kn == 0 || key[0] != 4)
            return rb_err(c, "x509: failed to unmarshal elliptic curve point"), NULL;
    } else if (oid_eq(ai.oid, "1.3.101.112")) {
        *algo = 4;
        if (ai.has_params)
            return rb_err(c, "x509: Ed25519 key encoded with illegal parameters"), NULL;
        if (kn != 32) return rb_err(c, "x509: wrong Ed25519 public key size"), NULL;
    } else if (oid_eq(ai.oid, "1.2.840.10040.4.1")) {
        *algo = 2;
    } else {
        return VAL_NULLV;
    }
    {
        const unsigned char *p = spki.p;
        EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)spki.n);
        if (!pk) {
            switch (*algo) {
            case 1: return rb_err(c, "x509: invalid RSA public key"), NULL;
            case 3: return rb_err(c, "x509: failed to unmarshal elliptic curve point"), NULL;
            default: return rb_err(c, "x509: invalid public key"), NULL;
            }
        }
        val_t *v = rb_pubkey_value(c->a, pk);
        EVP_PKEY_free(pk);
        if (!v) rb_oom(c);
        return v;
    }
bad:
    return rb_err(c, "x509: malformed subject public key info"), NULL;
}

/* ---- certificates --------------------------------------------------------------------------- */

/* RFC 3339 text of an ASN1_TIME, as Go prints a UTC time.Time. */
static val_t *time_value(gh_arena *a, const ASN1_TIME *t) {
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) return NULL;
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return val_str(a, buf, strlen(buf));
}

static val_t *raw(gh_arena *a, rb_der d) { return rb_bytes_value(a, d.p, d.n, false); }

val_t *rb_cert_value(rego_bctx *c, const rb_cert *cert, bool with_uris) {
    gh_arena *a = c->a;
    rb_der all = {cert->der, cert->der_len}, certseq, tbs_el, tbs, sigalg_el, sigbits, el;
    unsigned tag;
    if (!rb_der_next(&all, &tag, &certseq, NULL) || tag != 0x30 ||
        !rb_der_next(&certseq, &tag, &tbs, &tbs_el) || tag != 0x30 ||
        !rb_der_next(&certseq, &tag, NULL, &sigalg_el) || tag != 0x30 ||
        !rb_der_next(&certseq, &tag, &sigbits, NULL) || tag != 0x03 || sigbits.n < 1)
        return rb_err(c, "x509: malformed certificate"), NULL;
    int64_t version = 0;
    if (rb_der_peek(&tbs) == 0xa0) {
        rb_der v, iv;
        if (!rb_der_next(&tbs, &tag, &v, NULL) || !rb_der_next(&v, &tag, &iv, NULL) || tag != 2 ||
            iv.n != 1)
            return rb_err(c, "x509: malformed version"), NULL;
        version = iv.p[0];
        if (version > 2) return rb_err(c, "x509: invalid version"), NULL;
    }
    rb_der inner_sig, issuer, validity, subject, spki;
    if (!rb_der_next(&tbs, &tag, NULL, &el) || tag != 2 ||
        !rb_der_next(&tbs, &tag, NULL, &inner_sig) || tag != 0x30 ||
        !rb_der_next(&tbs, &tag, NULL, &issuer) || tag != 0x30 ||
        !rb_der_next(&tbs, &tag, NULL, &validity) || tag != 0x30 ||
        !rb_der_next(&tbs, &tag, NULL, &subject) || tag != 0x30 ||
        !rb_der_next(&tbs, &tag, NULL, &spki) || tag != 0x30)
        return rb_err(c, "x509: malformed tbs certificate"), NULL;
    if (inner_sig.n != sigalg_el.n || memcmp(inner_sig.p, sigalg_el.p, inner_sig.n))
        return rb_err(c, "x509: inner and outer signature algorithm identifiers don't match"), NULL;
    rb_der exts = {NULL, 0};
    bool has_exts = false;
    while (tbs.n) {
        rb_der f;
        if (!rb_der_next(&tbs, &tag, &f, NULL))
            return rb_err(c, "x509: malformed tbs certificate"), NULL;
        if (tag == 0xa3) {
            exts = f;
            has_exts = true;
        }
    }
    algid sai;
    if (!read_algid(sigalg_el, &sai)) return rb_err(c, "x509: malformed signature algorithm"), NULL;
    val_t *o = val_obj_new(a, 48);
    if (!o) return rb_oom(c), NULL;
    int pkalgo;
    val_t *pub = spki_value(c, spki, &pkalgo);
    if (!pub) return NULL;
    val_t *iss = name_value(c, issuer), *sub = iss ? name_value(c, subject) : NULL;
    if (!sub) return NULL;
    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert->x), NULL);
    val_t *sv = rb_bn_value(a, serial);
    BN_free(serial);
    rb_san san;
    if (rb_x509_extensions(c, exts, has_exts, o, &san)) return NULL;
    bool ok =
        rb_put(a, o, "Raw", rb_bytes_value(a, cert->der, cert->der_len, false)) &&
        rb_put(a, o, "RawTBSCertificate", raw(a, tbs_el)) &&
        rb_put(a, o, "RawSubjectPublicKeyInfo", raw(a, spki)) &&
        rb_put(a, o, "RawSubject", raw(a, subject)) && rb_put(a, o, "RawIssuer", raw(a, issuer)) &&
        rb_put(a, o, "Signature", rb_bytes_value(a, sigbits.p + 1, sigbits.n - 1, false)) &&
        rb_put(a, o, "SignatureAlgorithm", val_int(a, sig_algo(&sai))) &&
        rb_put(a, o, "PublicKeyAlgorithm", val_int(a, pkalgo)) && rb_put(a, o, "PublicKey", pub) &&
        rb_put(a, o, "Version", val_int(a, version + 1)) && rb_put(a, o, "SerialNumber", sv) &&
        rb_put(a, o, "Issuer", iss) && rb_put(a, o, "Subject", sub) &&
        rb_put(a, o, "NotBefore", time_value(a, X509_get0_notBefore(cert->x))) &&
        rb_put(a, o, "NotAfter", time_value(a, X509_get0_notAfter(cert->x))) &&
        (!with_uris || rb_put(a, o, "URIStrings", san.uri_strings ? san.uri_strings : VAL_NULLV));
    if (!ok) return a->oom ? (rb_oom(c), NULL) : (rb_err(c, "x509: malformed certificate"), NULL);
    return o;
}

/* ---- certificate requests ------------------------------------------------------------------ */

/* One extension SEQUENCE as Go's pkix.Extension value. */
static val_t *ext_value(gh_arena *a, rb_der ext, rb_der *oid_out, rb_der *val_out) {
    rb_der oid, v, b;
    unsigned tag;
    bool critical = false;
    if (!rb_der_next(&ext, &tag, &oid, NULL) || tag != 0x06) return NULL;
    if (rb_der_peek(&ext) == 0x01) {
        if (!rb_der_next(&ext, &tag, &b, NULL) || b.n != 1) return NULL;
        critical = b.p[0] != 0;
    }
    if (!rb_der_next(&ext, &tag, &v, NULL) || tag != 0x04 || ext.n) return NULL;
    val_t *o = val_obj_new(a, 3);
    val_t *id = rb_oid_value(a, oid.p, oid.n);
    if (!rb_put(a, o, "Id", id) || !rb_put(a, o, "Critical", val_bool(critical)) ||
        !rb_put(a, o, "Value", rb_bytes_value(a, v.p, v.n, false)))
        return NULL;
    *oid_out = oid;
    *val_out = v;
    return o;
}

/* Go's parseRawAttributes: each attribute as {Type, Value: [[{Type, Value}]]}
 * when its values are SETs of SEQUENCEs of (OID, value) pairs; others are
 * dropped. */
static val_t *attr_value(gh_arena *a, rb_der attr) {
    rb_der seq, oid, set;
    unsigned tag;
    if (!rb_der_next(&attr, &tag, &seq, NULL) || tag != 0x30 || attr.n ||
        !rb_der_next(&seq, &tag, &oid, NULL) || tag != 0x06 ||
        !rb_der_next(&seq, &tag, &set, NULL) || tag != 0x31 || seq.n)
        return NULL;
    val_t *outer = val_arr_new(a, 1);
    while (set.n) {
        rb_der inner;
        if (!rb_der_next(&set, &tag, &inner, NULL) || tag != 0x30) return NULL;
        val_t *lst = val_arr_new(a, 4);
        while (inner.n) {
            rb_der atv, t, v;
            unsigned vt;
            if (!rb_der_next(&inner, &tag, &atv, NULL) || tag != 0x30 ||
                !rb_der_next(&atv, &tag, &t, NULL) || tag != 0x06 ||
                !rb_der_next(&atv, &vt, &v, NULL) || atv.n)
                return NULL;
            val_t *val;
            if (vt == 0x04)
                val = rb_bytes_value(a, v.p, v.n, false);
            else if (vt == 0x01 && v.n == 1)
                val = val_bool(v.p[0] != 0);
            else if (vt == 0x0c || vt == 0x13 || vt == 0x16)
                val = val_str(a, (const char *)v.p, v.n);
            else
                return NULL;
            val_t *o = val_obj_new(a, 2);
            if (!rb_put(a, o, "Type", rb_oid_value(a, t.p, t.n)) || !rb_put(a, o, "Value", val) ||
                val_arr_push(a, lst, o))
                return NULL;
        }
        if (!lst || val_arr_push(a, outer, lst)) return NULL;
    }
    val_t *o = val_obj_new(a, 2);
    if (!rb_put(a, o, "Type", rb_oid_value(a, oid.p, oid.n)) || !rb_put(a, o, "Value", outer))
        return NULL;
    return o;
}

int rb_csr_value(rego_bctx *c, const unsigned char *der, size_t n, val_t **out) {
    gh_arena *a = c->a;
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)n);
    bool parsed = req != NULL;
    X509_REQ_free(req);
    rb_der all = {der, n}, csr, csr_el, info, info_el, sigalg_el, sigbits, ver, subject, spki,
           attrs;
    unsigned tag;
    rb_der probe = all;
    if (!rb_der_next(&probe, &tag, NULL, NULL))
        return rb_err(c, "asn1: syntax error: truncated tag or length");
    if (!parsed || !rb_der_next(&all, &tag, &csr, &csr_el) || tag != 0x30 ||
        !rb_der_next(&csr, &tag, &info, &info_el) || tag != 0x30 ||
        !rb_der_next(&csr, &tag, NULL, &sigalg_el) || tag != 0x30 ||
        !rb_der_next(&csr, &tag, &sigbits, NULL) || tag != 0x03 || sigbits.n < 1 ||
        !rb_der_next(&info, &tag, &ver, NULL) || tag != 0x02 || ver.n != 1 ||
        !rb_der_next(&info, &tag, NULL, &subject) || tag != 0x30 ||
        !rb_der_next(&info, &tag, NULL, &spki) || tag != 0x30 ||
        !rb_der_next(&info, &tag, &attrs, NULL) || tag != 0xa0)
        return rb_err(c, "asn1: structure error: tags don't match");
    if (all.n) return rb_err(c, "x509: trailing data");
    algid sai;
    if (!read_algid(sigalg_el, &sai)) return rb_err(c, "x509: malformed signature algorithm");
    int pkalgo;
    val_t *pub = spki_value(c, spki, &pkalgo);
    if (!pub) return c->err->code ? c->err->code : GH_EINVAL;
    val_t *sub = name_value(c, subject);
    if (!sub) return c->err->code ? c->err->code : GH_EINVAL;
    val_t *attrlist = NULL, *extlist = NULL;
    rb_san san;
    memset(&san, 0, sizeof san);
    rb_der seen[64];
    size_t nseen = 0;
    while (attrs.n) {
        rb_der attr_el, aseq, aoid, aset;
        if (!rb_der_next(&attrs, &tag, NULL, &attr_el)) break;
        val_t *av = attr_value(a, attr_el);
        if (av) {
            if (!attrlist && !(attrlist = val_arr_new(a, 2))) return rb_oom(c);
            if (val_arr_push(a, attrlist, av)) return rb_oom(c);
        }
        rb_der tmp = attr_el;
        if (!rb_der_next(&tmp, &tag, &aseq, NULL) || tag != 0x30 ||
            !rb_der_next(&aseq, &tag, &aoid, NULL) || tag != 0x06 ||
            !rb_der_next(&aseq, &tag, &aset, NULL) || tag != 0x31 || aset.n == 0)
            continue;
        if (!oid_eq(aoid, "1.2.840.113549.1.9.14")) continue;
        rb_der exts;
        if (!rb_der_next(&aset, &tag, &exts, NULL) || tag != 0x30)
            return rb_err(c, "asn1: structure error: tags don't match");
        while (exts.n) {
            rb_der ext, eoid, ev;
            if (!rb_der_next(&exts, &tag, &ext, NULL) || tag != 0x30)
                return rb_err(c, "asn1: structure error: tags don't match");
            val_t *e = ext_value(a, ext, &eoid, &ev);
            if (!e) return rb_err(c, "asn1: structure error: tags don't match");
            for (size_t i = 0; i < nseen; i++)
                if (seen[i].n == eoid.n && !memcmp(seen[i].p, eoid.p, eoid.n))
                    return rb_err(c, "x509: certificate request contains duplicate requested "
                                     "extensions");
            if (nseen < sizeof seen / sizeof *seen) seen[nseen++] = eoid;
            if (!extlist && !(extlist = val_arr_new(a, 4))) return rb_oom(c);
            if (val_arr_push(a, extlist, e)) return rb_oom(c);
            if (oid_eq(eoid, "2.5.29.17")) {
                int rc = rb_x509_san(c, ev.p, ev.n, &san);
                if (rc) return rc;
            }
        }
    }
    val_t *o = val_obj_new(a, 20);
    bool ok = o && rb_put(a, o, "Raw", raw(a, csr_el)) &&
              rb_put(a, o, "RawTBSCertificateRequest", raw(a, info_el)) &&
              rb_put(a, o, "RawSubjectPublicKeyInfo", raw(a, spki)) &&
              rb_put(a, o, "RawSubject", raw(a, subject)) &&
              rb_put(a, o, "Version", val_int(a, ver.p[0])) &&
              rb_put(a, o, "Signature", rb_bytes_value(a, sigbits.p + 1, sigbits.n - 1, false)) &&
              rb_put(a, o, "SignatureAlgorithm", val_int(a, sig_algo(&sai))) &&
              rb_put(a, o, "PublicKeyAlgorithm", val_int(a, pkalgo)) &&
              rb_put(a, o, "PublicKey", pub) && rb_put(a, o, "Subject", sub) &&
              rb_put(a, o, "Attributes", attrlist ? attrlist : VAL_NULLV) &&
              rb_put(a, o, "Extensions", extlist ? extlist : VAL_NULLV) &&
              rb_put(a, o, "ExtraExtensions", VAL_NULLV) &&
              rb_put(a, o, "DNSNames", san.dns ? san.dns : VAL_NULLV) &&
              rb_put(a, o, "EmailAddresses", san.emails ? san.emails : VAL_NULLV) &&
              rb_put(a, o, "IPAddresses", san.ips ? san.ips : VAL_NULLV) &&
              rb_put(a, o, "URIs", san.uris ? san.uris : VAL_NULLV);
    if (!ok) return rb_oom(c);
    *out = o;
    return 0;
}

/* ---- for the server (rego.h) ---------------------------------------------------------------- */

int rego_x509_der_to_value(gh_arena *a, const unsigned char *der, size_t n, val_t **out,
                           gh_err *e) {
    *out = NULL;
    gh_err_clear(e);
    rego_bctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.err = e;
    if (n > RB_CRYPTO_MAX_INPUT) return rb_err(&c, "x509: input too large");
    rb_cert *certs = NULL;
    size_t nc = 0;
    int rc = parse_der_certs(&c, der, n, &certs, &nc);
    if (rc) return rc;
    val_t *arr = val_arr_new(a, nc ? nc : 1);
    for (size_t i = 0; !rc && i < nc; i++) {
        val_t *v = rb_cert_value(&c, &certs[i], false);
        if (!v)
            rc = e->code ? e->code : rb_oom(&c);
        else if (!arr || val_arr_push(a, arr, v))
            rc = rb_oom(&c);
    }
    if (!rc && !arr) rc = rb_oom(&c);
    rb_certs_free(certs, nc);
    if (!rc) *out = arr;
    return rc;
}
