/* crypto_int.h - helpers shared by the crypto, JOSE and AWS builtin families
 * (crypto.c, x509*.c, jwk.c, jwt.c, aws.c) and the base64 codec of
 * encoding.c; private to src/rego/builtins/.
 *   crypto_util.c  Go-compatible base64 and PEM decoding (OPA calls Go's
 *                  encoding/base64 and encoding/pem, and its error messages
 *                  are part of OPA's), hex, a bounded DER reader, BIGNUM and
 *                  OID conversion into values.
 *   jwk.c          JSON Web Keys and key sets (JWK/JWKS, PEM certificates and
 *                  public keys) as OpenSSL keys, with gatehouse's key-strength
 *                  and key-usage rules; JWS sign/verify primitives.
 *   gourl.c        Go's net/url parsing and printing (URI SANs, SigV4).
 *   x509.c         X.509 certificates and CSRs as the objects Go's
 *                  encoding/json makes of x509.Certificate (what OPA returns).
 * Invariants: every OpenSSL object is freed by the function that created it
 * or by the owning struct's _free; secret bytes copied out of values are
 * wiped before release; nothing here prints. */
#ifndef GH_REGO_CRYPTO_INT_H
#define GH_REGO_CRYPTO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "rego/builtins/builtins.h"

/* Largest input any crypto builtin decodes (PEM bundles, tokens, key sets):
 * far beyond real certificates chains and JWKS documents, small enough that
 * a hostile argument cannot make OpenSSL allocate without bound. */
#define RB_CRYPTO_MAX_INPUT (8u * 1024u * 1024u)
/* Most certificates one parse_certificates call turns into values. */
#define RB_CRYPTO_MAX_CERTS 1024
/* Most keys in one JWK set. */
#define RB_JWKS_MAX_KEYS 256

/* ---- crypto_util.c: base64 ---------------------------------------------------- */

/* Go's base64 (padded) Encoding.Decode: std or URL alphabet, '\r' and '\n'
 * skipped anywhere, non-zero trailing bits tolerated. dst needs n*3/4+3
 * bytes. Returns 0 with *outn set, or -1 with *errpos the offset Go's
 * CorruptInputError reports. */
int rb_b64_go_decode(const char *s, size_t n, bool url, unsigned char *dst, size_t *outn,
                     size_t *errpos);
/* base64.StdEncoding.DecodeString into the arena; on failure records
 * "illegal base64 data at input byte N" (GH_EINVAL) unless c is NULL. */
int rb_b64_std_decode(rego_bctx *c, const char *s, size_t n, unsigned char **out, size_t *outn);
/* OPA's base64url.decode: pads unpadded input (RFC 7515 appendix C), then
 * Go's URLEncoding. Errors: "illegal base64url string: <s>" or "illegal
 * base64 data at input byte N". out is NUL-terminated (arena). */
int rb_b64url_opa_decode(rego_bctx *c, const char *s, size_t n, unsigned char **out, size_t *outn);
/* True when s is canonical unpadded base64url as RFC 7515 requires:
 * alphabet characters only, length % 4 != 1, zero trailing bits. */
bool rb_b64url_strict_ok(const char *s, size_t n);
/* Encode into the arena (NUL-terminated); NULL on exhaustion. */
char *rb_b64_encode(gh_arena *a, const unsigned char *p, size_t n, bool url, bool pad,
                    size_t *outn);
/* Lower-case hex into the arena (NUL-terminated); NULL on exhaustion. */
char *rb_hex_encode(gh_arena *a, const unsigned char *p, size_t n);
/* The same as a string value; NULL on exhaustion. */
val_t *rb_hex_value(gh_arena *a, const unsigned char *p, size_t n);

/* ---- crypto_util.c: PEM ----------------------------------------------------------- */

/* One block as Go's pem.Decode finds it: leading garbage skipped, headers
 * ("Key: value" lines) accepted, base64 body with spaces/tabs/newlines. */
typedef struct rb_pem {
    const char *type; /* points into the input, not NUL-terminated */
    size_t type_len;
    unsigned char *der; /* decoded body (arena) */
    size_t der_len;
} rb_pem;

/* Decode the first block of data[0..n). Returns true and fills *blk and
 * *rest (offset of the bytes after the block); false when there is none
 * (Go returns nil, data). */
bool rb_pem_decode(gh_arena *a, const char *data, size_t n, rb_pem *blk, size_t *rest);
bool rb_pem_type_is(const rb_pem *blk, const char *type);
/* True when s starts with "-----BEGIN". */
bool rb_has_pem_prefix(const char *s, size_t n);

/* ---- crypto_util.c: DER reader -------------------------------------------------------
 * A cursor over DER bytes; every read is bounds-checked. Only definite
 * lengths, tags below 31 plus the class/constructed bits (0xa0 = [0]). */
typedef struct rb_der {
    const unsigned char *p;
    size_t n;
} rb_der;

/* Read the next TLV: *tag is the identifier octet, *body its contents,
 * *whole the element including header (either may be NULL). Returns false
 * on malformed or truncated input (cursor unchanged). */
bool rb_der_next(rb_der *cur, unsigned *tag, rb_der *body, rb_der *whole);
/* Peek at the tag of the next element; -1 at the end. */
int rb_der_peek(const rb_der *cur);
/* Arcs of an OBJECT IDENTIFIER body as an array of numbers; NULL when
 * malformed or an arc exceeds Go's int (then Go fails to parse). */
val_t *rb_oid_value(gh_arena *a, const unsigned char *p, size_t n);
/* Dotted text of an OID body into buf; false when malformed/too long. */
bool rb_oid_text(const unsigned char *p, size_t n, char *buf, size_t bufsz);

/* ---- crypto_util.c: values ------------------------------------------------------------ */

/* A BIGNUM as an exact number value (decimal text); NULL on failure. */
val_t *rb_bn_value(gh_arena *a, const BIGNUM *bn);
/* A big-endian unsigned integer as a number value. */
val_t *rb_bytes_num_value(gh_arena *a, const unsigned char *p, size_t n);
/* Base64 (std, padded) string value of bytes, or null for NULL (Go's nil
 * []byte marshals as null). */
val_t *rb_bytes_value(gh_arena *a, const unsigned char *p, size_t n, bool nil);
/* obj[key] = v for a C-string key; false when v is NULL or on exhaustion. */
bool rb_put(gh_arena *a, val_t *obj, const char *key, val_t *v);
/* A builtin's result code with arena exhaustion reported as such: parsers
 * that fail because an allocation failed must not claim bad input. */
int rb_crypto_rc(rego_bctx *c, int rc);
/* Constant-time comparison of two byte strings (lengths are not secret). */
bool rb_ct_equal(const void *a, size_t an, const void *b, size_t bn);

/* ---- jwk.c: keys ------------------------------------------------------------------------ */

enum { RB_KTY_NONE = 0, RB_KTY_RSA, RB_KTY_EC, RB_KTY_OKP, RB_KTY_OCT };

/* An RSA JWK's members (n, e, d, p, q, dp, dq, qi) and the OpenSSL key
 * parameters they carry, index for index. */
enum { RB_JWK_RSA_N = 8 };
extern const char *const rb_jwk_rsa_members[RB_JWK_RSA_N];
extern const char *const rb_jwk_rsa_params[RB_JWK_RSA_N];

/* JWS algorithms (RFC 7518 + RFC 8037 EdDSA). */
typedef enum {
    RB_ALG_NONE = 0,
    RB_ALG_HS256,
    RB_ALG_HS384,
    RB_ALG_HS512,
    RB_ALG_RS256,
    RB_ALG_RS384,
    RB_ALG_RS512,
    RB_ALG_PS256,
    RB_ALG_PS384,
    RB_ALG_PS512,
    RB_ALG_ES256,
    RB_ALG_ES384,
    RB_ALG_ES512,
    RB_ALG_EDDSA,
} rb_alg;

/* The algorithm named s[0..n), RB_ALG_NONE when unknown ("none" included). */
rb_alg rb_alg_parse(const char *s, size_t n);
const char *rb_alg_name(rb_alg alg);

/* One verification or signing key. */
typedef struct rb_jkey {
    int kty;               /* RB_KTY_* */
    EVP_PKEY *pk;          /* RSA, EC, OKP keys (public or private) */
    unsigned char *secret; /* oct keys: heap copy, wiped on free */
    size_t secret_len;
    bool has_private; /* pk holds a private key */
    rb_alg alg;       /* JWK "alg" when it names a JWS algorithm */
    bool has_alg;     /* JWK carried an "alg" member */
    const char *kid;  /* JWK "kid" (arena) or NULL */
    size_t kid_len;
    bool usable; /* false: fails gatehouse's rules, never verifies */
} rb_jkey;

typedef struct rb_jkeyset {
    rb_jkey *keys; /* heap array */
    size_t n;
    bool from_jwk; /* keys came from a JWK/JWKS (OPA: key alg/kid apply) */
    bool rejected; /* the set as a whole is ambiguous (mixed symmetric and
                      asymmetric keys, duplicate kid): nothing verifies */
} rb_jkeyset;

/* OPA's getKeysFromCertOrJWK: a PEM certificate, a PEM public key, a JWK
 * or a JWK set. Errors use OPA's messages (GH_EINVAL). */
int rb_keyset_parse(rego_bctx *c, const char *s, size_t n, rb_jkeyset *ks);
void rb_keyset_free(rb_jkeyset *ks);
/* A JWK object (or the first key of a JWK set) for signing, as OPA's
 * encode_sign reads it. */
int rb_jwk_signing_key(rego_bctx *c, const char *s, size_t n, rb_jkey *k);
void rb_jkey_free(rb_jkey *k);

/* Whether key k may verify with alg: type and curve match the algorithm,
 * the key passed gatehouse's strength rules, and a JWK "alg" equals alg. */
bool rb_jkey_fits(const rb_jkey *k, rb_alg alg);
/* Verify a JWS signature over msg. RSA/EC/OKP use k->pk; HS* use the oct
 * secret, or raw (secret, secret_len) when k is NULL. ECDSA signatures are
 * JOSE r||s of exactly twice the curve size. Returns true when valid. */
bool rb_jws_verify(rb_alg alg, const rb_jkey *k, const unsigned char *secret, size_t secret_len,
                   const unsigned char *msg, size_t msglen, const unsigned char *sig,
                   size_t siglen);
/* Sign msg with private key k; the signature (JOSE form) goes to the arena.
 * Returns 0 or records an error. */
int rb_jws_sign(rego_bctx *c, rb_alg alg, const rb_jkey *k, const unsigned char *msg, size_t msglen,
                unsigned char **sig, size_t *siglen);

/* The private keys of PEM data as Go's json.Marshal prints crypto.PrivateKey
 * values (crypto.parse_private_keys), and the first one as a JWK
 * (crypto.x509.parse_rsa_private_key). */
int rb_private_keys_value(rego_bctx *c, const char *s, size_t n, val_t **out);
int rb_private_key_jwk(rego_bctx *c, const char *s, size_t n, val_t **out);
/* Go's json.Marshal of a private key (RSA, ECDSA, Ed25519). */
val_t *rb_privkey_value(gh_arena *a, EVP_PKEY *pk);

/* ---- x509.c -------------------------------------------------------------------------------- */

/* A parsed certificate with the DER it came from (Go keeps Raw verbatim). */
typedef struct rb_cert {
    X509 *x;
    const unsigned char *der;
    size_t der_len;
} rb_cert;

/* OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 DER (one or
 * more concatenated). *certs is a heap array the caller frees with
 * rb_certs_free. Errors use OPA/Go messages. */
int rb_certs_parse(rego_bctx *c, const char *s, size_t n, rb_cert **certs, size_t *ncerts);
void rb_certs_free(rb_cert *certs, size_t n);
/* The object Go's encoding/json makes of the x509.Certificate; with_uris
 * adds OPA's "URIStrings". NULL with an error recorded when Go would have
 * refused to parse the certificate. */
val_t *rb_cert_value(rego_bctx *c, const rb_cert *cert, bool with_uris);
/* x509.ParseCertificateRequest of DER as Go's encoding/json prints it. */
int rb_csr_value(rego_bctx *c, const unsigned char *der, size_t n, val_t **out);
/* Go's json.Marshal of a public key (RSA {N,E}, ECDSA {Curve,X,Y},
 * Ed25519 bytes); null for others. */
val_t *rb_pubkey_value(gh_arena *a, EVP_PKEY *pk);
/* Go's x509.PublicKeyAlgorithm number of a key. */
int rb_pubkey_algo(EVP_PKEY *pk);

/* ---- x509_ext.c ---------------------------------------------------------------------------- */

/* Subject alternative names as Go keeps them (NULL lists = nil slices). */
typedef struct rb_san {
    val_t *dns, *emails, *ips, *uris, *uri_strings;
} rb_san;

/* Go's parseSANExtension over the extension value p[0..n). */
int rb_x509_san(rego_bctx *c, const unsigned char *p, size_t n, rb_san *out);
/* Go's processExtensions over the TBS [3] contents (present=false: none):
 * fills Extensions, the fields extensions set (zero values otherwise) and
 * UnhandledCriticalExtensions into o; the SAN lists also go to *san. */
int rb_x509_extensions(rego_bctx *c, rb_der exts, bool present, val_t *o, rb_san *san);
/* A URL as Go's net/url parses it (fields as in url.URL; strings point
 * into the input or the arena, with lengths). */
typedef struct rb_gourl {
    const char *scheme, *opaque, *host, *path, *rawpath, *rawquery, *frag, *rawfrag;
    size_t schemen, opaquen, hostn, pathn, rawpathn, rawqueryn, fragn, rawfragn;
    bool has_user, user_pw, omit_host, force_query;
    char *user, *pw;
    size_t usern, pwn;
} rb_gourl;

/* Go's url.Parse; false with the inner error text (e.g. `invalid URL
 * escape "%zz"`) in err. */
bool rb_go_url_parse(gh_arena *a, const char *s, size_t n, rb_gourl *u, char *err, size_t errsz);
/* Go's URL.EscapedPath(), URL.String(), and the url.URL struct as
 * encoding/json prints it ({Scheme, Opaque, User, Host, Path, ...}). */
val_t *rb_go_url_escaped_path(gh_arena *a, const rb_gourl *u);
val_t *rb_go_url_string(gh_arena *a, const rb_gourl *u);
val_t *rb_go_url_value(gh_arena *a, const rb_gourl *u);
/* net.IP.String of a 4- or 16-byte address. */
val_t *rb_x509_ip_value(gh_arena *a, const unsigned char *p, size_t n);

#endif
