/* crypto_util.c - encodings shared by the crypto, JOSE and AWS builtins:
 * Go-compatible base64 and PEM decoding (OPA calls encoding/base64 and
 * encoding/pem, whose tolerances and error offsets users see), hex, a
 * bounded DER reader, OIDs and BIGNUMs as values. Called from crypto.c,
 * jwk.c, jwt.c, x509*.c, aws.c. Nothing here allocates outside the arena
 * except OpenSSL's short-lived BN_bn2dec text. */
#include <string.h>

#include <openssl/crypto.h>

#include "rego/builtins/crypto_int.h"

/* ---- base64 ------------------------------------------------------------------------ */

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_val(unsigned char ch, bool url) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == (url ? '-' : '+')) return 62;
    if (ch == (url ? '_' : '/')) return 63;
    return -1;
}

static bool is_nl(unsigned char ch) { return ch == '\n' || ch == '\r'; }

/* One quantum of Go's Encoding.decodeQuantum (padded, non-strict). *si is
 * the read position; returns bytes written (0..3), -1 on error, -2 when the
 * input ended cleanly before the quantum started. */
static int b64_quantum(const unsigned char *src, size_t n, size_t *si, bool url, unsigned char *dst,
                       size_t *errpos, bool *done) {
    unsigned char dbuf[4] = {0, 0, 0, 0};
    int dlen = 4;
    for (int j = 0; j < 4; j++) {
        if (*si == n) {
            if (j == 0) return -2;
            *errpos = *si - (size_t)j;
            return -1;
        }
        unsigned char in = src[(*si)++];
        int v = b64_val(in, url);
        if (v >= 0) {
            dbuf[j] = (unsigned char)v;
            continue;
        }
        if (is_nl(in)) {
            j--;
            continue;
        }
        if (in != '=' || j < 2) {
            *errpos = *si - 1;
            return -1;
        }
        if (j == 2) { /* "==" expected: the first '=' is consumed */
            while (*si < n && is_nl(src[*si]))
                (*si)++;
            if (*si == n) {
                *errpos = n;
                return -1;
            }
            if (src[*si] != '=') {
                *errpos = *si - 1;
                return -1;
            }
            (*si)++;
        }
        while (*si < n && is_nl(src[*si]))
            (*si)++;
        if (*si < n) {
            *errpos = *si;
            return -1;
        }
        dlen = j;
        *done = true;
        break;
    }
    uint32_t val =
        (uint32_t)dbuf[0] << 18 | (uint32_t)dbuf[1] << 12 | (uint32_t)dbuf[2] << 6 | dbuf[3];
    dst[0] = (unsigned char)(val >> 16);
    dst[1] = (unsigned char)(val >> 8);
    dst[2] = (unsigned char)val;
    return dlen - 1;
}

int rb_b64_go_decode(const char *s, size_t n, bool url, unsigned char *dst, size_t *outn,
                     size_t *errpos) {
    const unsigned char *src = (const unsigned char *)s;
    size_t si = 0, k = 0;
    bool done = false;
    while (!done) {
        int w = b64_quantum(src, n, &si, url, dst + k, errpos, &done);
        if (w == -2) break;
        if (w < 0) return -1;
        k += (size_t)w;
    }
    *outn = k;
    return 0;
}

static int b64_err(rego_bctx *c, size_t pos) {
    if (!c) return GH_EINVAL;
    return rb_err(c, "illegal base64 data at input byte %zu", pos);
}

int rb_b64_std_decode(rego_bctx *c, const char *s, size_t n, unsigned char **out, size_t *outn) {
    unsigned char *dst = gh_arena_alloc(c->a, n / 4 * 3 + 4);
    if (!dst) return rb_oom(c);
    size_t pos;
    if (rb_b64_go_decode(s, n, false, dst, outn, &pos)) return b64_err(c, pos);
    dst[*outn] = 0;
    *out = dst;
    return 0;
}

int rb_b64url_opa_decode(rego_bctx *c, const char *s, size_t n, unsigned char **out, size_t *outn) {
    static const char pads[] = "==";
    size_t pad = 0;
    if (!(n > 0 && s[n - 1] == '=')) {
        switch (n % 4) {
        case 0: break;
        case 2: pad = 2; break;
        case 3: pad = 1; break;
        default: return rb_err(c, "illegal base64url string: %.*s", (int)(n > 256 ? 256 : n), s);
        }
    }
    char *tmp = NULL;
    const char *src = s;
    if (pad) {
        tmp = gh_arena_alloc(c->a, n + pad);
        if (!tmp) return rb_oom(c);
        memcpy(tmp, s, n);
        memcpy(tmp + n, pads, pad);
        src = tmp;
    }
    unsigned char *dst = gh_arena_alloc(c->a, (n + pad) / 4 * 3 + 4);
    if (!dst) return rb_oom(c);
    size_t pos;
    if (rb_b64_go_decode(src, n + pad, true, dst, outn, &pos)) return b64_err(c, pos);
    dst[*outn] = 0;
    *out = dst;
    return 0;
}

bool rb_b64url_strict_ok(const char *s, size_t n) {
    if (n % 4 == 1) return false;
    for (size_t i = 0; i < n; i++)
        if (b64_val((unsigned char)s[i], true) < 0) return false;
    if (n % 4 == 2) return (b64_val((unsigned char)s[n - 1], true) & 0x0f) == 0;
    if (n % 4 == 3) return (b64_val((unsigned char)s[n - 1], true) & 0x03) == 0;
    return true;
}

char *rb_b64_encode(gh_arena *a, const unsigned char *p, size_t n, bool url, bool pad,
                    size_t *outn) {
    const char *al = url ? b64_url : b64_std;
    char *o = gh_arena_alloc(a, (n + 2) / 3 * 4 + 1);
    if (!o) return NULL;
    size_t k = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[k++] = al[v >> 18 & 63];
        o[k++] = al[v >> 12 & 63];
        o[k++] = al[v >> 6 & 63];
        o[k++] = al[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        o[k++] = al[v >> 18 & 63];
        o[k++] = al[v >> 12 & 63];
        if (pad) {
            o[k++] = '=';
            o[k++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        o[k++] = al[v >> 18 & 63];
        o[k++] = al[v >> 12 & 63];
        o[k++] = al[v >> 6 & 63];
        if (pad) o[k++] = '=';
    }
    o[k] = 0;
    if (outn) *outn = k;
    return o;
}

char *rb_hex_encode(gh_arena *a, const unsigned char *p, size_t n) {
    static const char hx[] = "0123456789abcdef";
    char *o = gh_arena_alloc(a, n * 2 + 1);
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = hx[p[i] >> 4];
        o[2 * i + 1] = hx[p[i] & 15];
    }
    o[n * 2] = 0;
    return o;
}

val_t *rb_hex_value(gh_arena *a, const unsigned char *p, size_t n) {
    char *hex = rb_hex_encode(a, p, n);
    return hex ? val_str_ref(a, hex, n * 2) : NULL;
}

/* ---- PEM (Go's encoding/pem.Decode) -------------------------------------------------- */

static const char pem_start[] = "\n-----BEGIN ";
static const char pem_end[] = "\n-----END ";
static const char pem_eol[] = "-----";

static const char *mem_find(const char *h, size_t hn, const char *nd, size_t nn) {
    if (nn == 0) return h;
    if (hn < nn) return NULL;
    return memmem(h, hn, nd, nn);
}

static bool has_prefix(const char *s, size_t n, const char *pre) {
    size_t k = strlen(pre);
    return n >= k && !memcmp(s, pre, k);
}

/* getLine: the line up to '\n' (a '\r' before it dropped), with trailing
 * spaces and tabs trimmed; *next receives the offset after the newline. */
static size_t get_line(const char *s, size_t n, size_t *next) {
    const char *nl = memchr(s, '\n', n);
    size_t i, j;
    if (!nl) {
        i = j = n;
    } else {
        i = (size_t)(nl - s);
        j = i + 1;
        if (i > 0 && s[i - 1] == '\r') i--;
    }
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    *next = j;
    return i;
}

bool rb_has_pem_prefix(const char *s, size_t n) { return has_prefix(s, n, "-----BEGIN"); }

bool rb_pem_type_is(const rb_pem *blk, const char *type) {
    size_t k = strlen(type);
    return blk->type_len == k && !memcmp(blk->type, type, k);
}

bool rb_pem_decode(gh_arena *a, const char *data, size_t n, rb_pem *blk, size_t *restoff) {
    const char *rest = data;
    size_t rn = n;
    for (;;) {
        if (has_prefix(rest, rn, pem_start + 1)) {
            rest += sizeof pem_start - 2;
            rn -= sizeof pem_start - 2;
        } else {
            const char *f = mem_find(rest, rn, pem_start, sizeof pem_start - 1);
            if (!f) return false;
            rn -= (size_t)(f - rest) + sizeof pem_start - 1;
            rest = f + sizeof pem_start - 1;
        }
        size_t next, tl = get_line(rest, rn, &next);
        const char *type = rest;
        rest += next;
        rn -= next;
        if (tl < 5 || memcmp(type + tl - 5, pem_eol, 5)) continue;
        tl -= 5;
        /* headers: "key: value" lines until one without a colon */
        bool headers = false, truncated = false;
        for (;;) {
            if (rn == 0) {
                truncated = true;
                break;
            }
            size_t nx, ll = get_line(rest, rn, &nx);
            if (!memchr(rest, ':', ll)) break;
            headers = true;
            rest += nx;
            rn -= nx;
        }
        if (truncated) return false;
        size_t end_idx, trailer_idx;
        if (!headers && has_prefix(rest, rn, pem_end + 1)) {
            end_idx = 0;
            trailer_idx = sizeof pem_end - 2;
        } else {
            const char *e = mem_find(rest, rn, pem_end, sizeof pem_end - 1);
            if (!e) continue;
            end_idx = (size_t)(e - rest);
            trailer_idx = end_idx + sizeof pem_end - 1;
        }
        const char *trailer = rest + trailer_idx;
        size_t trn = rn - trailer_idx, need = tl + 5;
        if (trn < need) continue;
        if (memcmp(trailer, type, tl) || memcmp(trailer + tl, pem_eol, 5)) continue;
        size_t nx2;
        if (get_line(trailer + need, trn - need, &nx2) != 0) continue;
        /* body: drop spaces and tabs, then Go's StdEncoding (skips CR/LF) */
        char *body = gh_arena_alloc(a, end_idx + 1);
        unsigned char *der = gh_arena_alloc(a, end_idx / 4 * 3 + 4);
        if (!body || !der) return false;
        size_t bn = 0;
        for (size_t i = 0; i < end_idx; i++)
            if (rest[i] != ' ' && rest[i] != '\t') body[bn++] = rest[i];
        size_t dn, pos;
        if (rb_b64_go_decode(body, bn, false, der, &dn, &pos)) continue;
        blk->type = type;
        blk->type_len = tl;
        blk->der = der;
        blk->der_len = dn;
        /* rest after the END line (the -1 allows an END without newline) */
        size_t off = end_idx + sizeof pem_end - 2;
        size_t nx3;
        get_line(rest + off, rn - off, &nx3);
        *restoff = (size_t)(rest + off + nx3 - data);
        return true;
    }
}

/* ---- DER ----------------------------------------------------------------------------- */

bool rb_der_next(rb_der *cur, unsigned *tag, rb_der *body, rb_der *whole) {
    const unsigned char *p = cur->p;
    size_t n = cur->n;
    if (n < 2) return false;
    unsigned t = p[0];
    if ((t & 0x1f) == 0x1f) return false; /* high tag numbers are not used here */
    size_t len, hdr = 2;
    if (p[1] < 0x80) {
        len = p[1];
    } else {
        size_t k = p[1] & 0x7f;
        if (k == 0 || k > sizeof(size_t) || n < 2 + k) return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | p[2 + i];
        if (len < 0x80 || p[2] == 0) return false; /* not minimal (DER) */
        hdr += k;
    }
    if (len > n - hdr) return false;
    if (tag) *tag = t;
    if (body) *body = (rb_der){p + hdr, len};
    if (whole) *whole = (rb_der){p, hdr + len};
    cur->p += hdr + len;
    cur->n -= hdr + len;
    return true;
}

int rb_der_peek(const rb_der *cur) { return cur->n ? cur->p[0] : -1; }

/* Arcs of an OID body: Go's cryptobyte reader (arcs fit in 31 bits, no
 * leading 0x80 bytes). Calls fn(ud, arc) per arc; false when malformed. */
static bool oid_arcs(const unsigned char *p, size_t n, void (*fn)(void *, int64_t), void *ud) {
    if (n == 0) return false;
    bool first = true;
    size_t i = 0;
    while (i < n) {
        int64_t v = 0;
        size_t start = i;
        for (;;) {
            if (i >= n) return false;
            if (i == start && p[i] == 0x80) return false;
            if (i - start >= 5) return false;
            v = v << 7 | (p[i] & 0x7f);
            if (!(p[i++] & 0x80)) break;
        }
        if (v > INT32_MAX) return false;
        if (first) {
            first = false;
            if (v < 80) {
                fn(ud, v / 40);
                fn(ud, v % 40);
            } else {
                fn(ud, 2);
                fn(ud, v - 80);
            }
        } else {
            fn(ud, v);
        }
    }
    return true;
}

typedef struct {
    gh_arena *a;
    val_t *arr;
    bool bad;
} oid_val_ud;

static void oid_push(void *ud, int64_t arc) {
    oid_val_ud *u = ud;
    val_t *v = val_int(u->a, arc);
    if (!v || !u->arr || val_arr_push(u->a, u->arr, v)) u->bad = true;
}

val_t *rb_oid_value(gh_arena *a, const unsigned char *p, size_t n) {
    oid_val_ud u = {a, val_arr_new(a, 8), false};
    if (!oid_arcs(p, n, oid_push, &u) || u.bad) return NULL;
    return u.arr;
}

typedef struct {
    char *buf;
    size_t sz, len;
    bool bad;
} oid_txt_ud;

static void oid_txt(void *ud, int64_t arc) {
    oid_txt_ud *u = ud;
    int w = snprintf(u->buf + u->len, u->sz - u->len, "%s%lld", u->len ? "." : "", (long long)arc);
    if (w < 0 || (size_t)w >= u->sz - u->len)
        u->bad = true;
    else
        u->len += (size_t)w;
}

bool rb_oid_text(const unsigned char *p, size_t n, char *buf, size_t bufsz) {
    if (!bufsz) return false;
    buf[0] = 0;
    oid_txt_ud u = {buf, bufsz, 0, false};
    return oid_arcs(p, n, oid_txt, &u) && !u.bad;
}

/* ---- values ----------------------------------------------------------------------------- */

val_t *rb_bn_value(gh_arena *a, const BIGNUM *bn) {
    if (!bn) return NULL;
    char *dec = BN_bn2dec(bn);
    if (!dec) return NULL;
    gh_err e;
    val_t *v = val_num_parse(a, dec, strlen(dec), &e);
    OPENSSL_free(dec);
    return v;
}

val_t *rb_bytes_num_value(gh_arena *a, const unsigned char *p, size_t n) {
    BIGNUM *bn = BN_bin2bn(p, (int)n, NULL);
    val_t *v = rb_bn_value(a, bn);
    BN_free(bn);
    return v;
}

val_t *rb_bytes_value(gh_arena *a, const unsigned char *p, size_t n, bool nil) {
    if (nil) return VAL_NULLV;
    size_t k;
    char *s = rb_b64_encode(a, p, n, false, true, &k);
    return s ? val_str_ref(a, s, k) : NULL;
}

bool rb_put(gh_arena *a, val_t *obj, const char *key, val_t *v) {
    if (!v || !obj) return false;
    val_t *k = val_str_ref(a, key, strlen(key));
    return k && !val_obj_put(a, obj, k, v);
}

int rb_crypto_rc(rego_bctx *c, int rc) {
    if (rc < 0 && rc != GH_ENOMEM && c->a->oom) return rb_oom(c);
    return rc;
}

bool rb_ct_equal(const void *a, size_t an, const void *b, size_t bn) {
    if (an != bn) return false;
    return an == 0 || CRYPTO_memcmp(a, b, an) == 0;
}
