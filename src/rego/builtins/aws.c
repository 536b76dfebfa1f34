/* aws.c - the providers.aws builtin family: providers.aws.sign_req signs an
 * http.send request object with AWS Signature Version 4, as OPA 1.x does
 * (topdown/providers.go, internal/providers/aws/signing_v4.go): the raw
 * query string and Go's EscapedPath in the canonical request, every request
 * header but authorization / user-agent / x-amzn-trace-id signed,
 * x-amz-content-sha256 for s3 and glacier ("UNSIGNED-PAYLOAD" with
 * disable_payload_signing), x-amz-security-token for session credentials.
 * Deterministic: the signing time is the time_ns argument. The secret key
 * only feeds HMAC-SHA256 and is never copied into a value or a message.
 * Exported as rego_bi_aws. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/http_int.h"
#include "rego/builtins/strutil.h"

static const char *const aws_required[] = {"aws_access_key", "aws_region", "aws_secret_access_key",
                                           "aws_service"};

/* OPA's set printing of string terms: {"a", "b"} in sorted order. */
typedef struct strset {
    const char *items[32];
    size_t lens[32];
    size_t n;
} strset;

static void set_add(strset *s, const char *p, size_t n) {
    if (s->n < 32) {
        s->items[s->n] = p;
        s->lens[s->n++] = n;
    }
}

static int cmp_items(const char *a, size_t an, const char *b, size_t bn) {
    int r = memcmp(a, b, an < bn ? an : bn);
    return r ? r : (an < bn ? -1 : an > bn);
}

static const char *set_text(rego_bctx *c, strset *s) {
    for (size_t i = 1; i < s->n; i++)
        for (size_t j = i;
             j > 0 && cmp_items(s->items[j - 1], s->lens[j - 1], s->items[j], s->lens[j]) > 0;
             j--) {
            const char *t = s->items[j];
            size_t tl = s->lens[j];
            s->items[j] = s->items[j - 1];
            s->lens[j] = s->lens[j - 1];
            s->items[j - 1] = t;
            s->lens[j - 1] = tl;
        }
    rb_sb b;
    rb_sb_init(&b, c->a, 64);
    rb_sb_putc(&b, '{');
    for (size_t i = 0; i < s->n; i++) {
        if (i) rb_sb_puts(&b, ", ");
        rb_go_quote_sb(&b, s->items[i], s->lens[i], false);
    }
    rb_sb_putc(&b, '}');
    val_t *v = rb_sb_finish(&b);
    return v ? val_str_ptr(v) : "{}";
}

static const char *str_of(const val_t *v, size_t *n) {
    if (v && val_is_str(v)) {
        *n = val_str_len(v);
        return val_str_ptr(v);
    }
    *n = 0;
    return "";
}

static void sha256_hex(const void *p, size_t n, char out[65]) {
    static const char hx[] = "0123456789abcdef";
    unsigned char d[32];
    size_t dn = 0;
    EVP_Q_digest(NULL, "SHA256", NULL, p, n, d, &dn);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[64] = 0;
}

static bool hmac256(const unsigned char *key, size_t kn, const char *msg, size_t mn,
                    unsigned char out[32]) {
    size_t on = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, kn, (const unsigned char *)msg, mn,
                     out, 32, &on) != NULL;
}

/* One header to sign: lower-cased name and value. */
typedef struct hdr {
    char *name;
    size_t nn;
    const char *val;
    size_t vn;
} hdr;

static int hdr_cmp(const void *a, const void *b) {
    const hdr *x = a, *y = b;
    return cmp_items(x->name, x->nn, y->name, y->nn);
}

/* Insert or replace by lower-cased name. */
static void hdr_set(hdr *h, size_t *n, char *name, size_t nn, const char *val, size_t vn) {
    for (size_t i = 0; i < *n; i++)
        if (h[i].nn == nn && !memcmp(h[i].name, name, nn)) {
            h[i].val = val;
            h[i].vn = vn;
            return;
        }
    h[(*n)++] = (hdr){name, nn, val, vn};
}

static int bi_sign_req(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *req = args[0], *cfg = args[1];
    if (val_kind_of(req) != VAL_OBJECT) return rb_type_err(c, 1, "object", req);
    if (val_kind_of(cfg) != VAL_OBJECT) return rb_type_err(c, 1, "object", cfg);
    strset miss = {0}, bad = {0};
    for (size_t i = 0; i < 4; i++) {
        val_t *v = val_obj_get_str(cfg, aws_required[i], strlen(aws_required[i]));
        if (!v)
            set_add(&miss, aws_required[i], strlen(aws_required[i]));
        else if (!val_is_str(v))
            set_add(&bad, aws_required[i], strlen(aws_required[i]));
    }
    if (miss.n)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 2 missing required AWS config parameters(s): %s",
                          set_text(c, &miss));
    if (bad.n)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 2 invalid values for required AWS config parameters(s): %s",
                          set_text(c, &bad));
    if (val_kind_of(args[2]) != VAL_NUMBER) return rb_type_err(c, 1, "number", args[2]);
    int64_t ts;
    if (!val_is_int(args[2]) || !val_num_to_int64(args[2], &ts))
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 3 could not convert time_ns value into a unix timestamp");
    strset unknown = {0};
    for (size_t i = 0; i < val_obj_len(req); i++) {
        val_t *k = val_obj_key_at(req, i);
        if (!hs_request_key(k)) {
            size_t kn;
            const char *ks = str_of(k, &kn);
            set_add(&unknown, ks, kn);
        }
    }
    if (unknown.n)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 1 invalid request parameters(s): %s", set_text(c, &unknown));
    val_t *url = val_obj_get_str(req, "url", 3), *method = val_obj_get_str(req, "method", 6);
    if (!url) set_add(&miss, "url", 3);
    if (!method) set_add(&miss, "method", 6);
    if (miss.n)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 1 missing required request parameters(s): %s",
                          set_text(c, &miss));
    val_t *headers = val_obj_get_str(req, "headers", 7);
    if (headers && val_kind_of(headers) != VAL_OBJECT) return rb_type_err(c, 0, "object", headers);
    if (!val_is_str(url)) set_add(&bad, "url", 3);
    if (!val_is_str(method)) set_add(&bad, "method", 6);
    if (bad.n)
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 1 invalid values for required request parameters(s): %s",
                          set_text(c, &bad));
    rb_gourl u;
    char uerr[256];
    const char *us = val_str_ptr(url);
    size_t un = val_str_len(url);
    if (!rb_go_url_parse(c->a, us, un, &u, uerr, sizeof uerr)) {
        if (c->a->oom) return rb_oom(c);
        const char *hash = memchr(us, '#', un);
        size_t qn = hash && !strstr(uerr, "escape") ? (size_t)(hash - us) : un;
        rb_sb b;
        rb_sb_init(&b, c->a, un + 64);
        rb_sb_puts(&b, "parse ");
        rb_go_quote_sb(&b, us, qn, false);
        val_t *m = rb_sb_finish(&b);
        return m ? rb_err(c, "%s: %s", val_str_ptr(m), uerr) : rb_oom(c);
    }
    /* body bytes: raw_body as given, else body as Go's json.Marshal */
    const char *body = "";
    size_t bodyn = 0;
    val_t *raw = val_obj_get_str(req, "raw_body", 8), *bv = val_obj_get_str(req, "body", 4);
    gh_buf jb;
    gh_buf_init(&jb);
    if (raw) {
        body = str_of(raw, &bodyn);
    } else if (bv) {
        val_json_emit(&jb, bv, VAL_JSON_SORTED);
        if (jb.oom) return rb_oom(c);
        body = jb.p;
        bodyn = jb.len;
    }
    bool unsigned_payload = false;
    val_t *dps = val_obj_get_str(cfg, "disable_payload_signing", 23);
    if (dps) {
        if (val_kind_of(dps) != VAL_BOOL) {
            gh_buf_free(&jb);
            return gh_err_set(
                c->err, GH_ETYPE, NULL, 0, 0,
                "operand 2 invalid value for 'disable_payload_signing' in AWS config");
        }
        unsigned_payload = dps == VAL_TRUE;
    }
    char content[65];
    if (unsigned_payload)
        snprintf(content, sizeof content, "UNSIGNED-PAYLOAD");
    else
        sha256_hex(body, bodyn, content);
    gh_buf_free(&jb);

    size_t svn, akn, skn, rgn, tkn;
    const char *service = str_of(val_obj_get_str(cfg, "aws_service", 11), &svn);
    const char *access = str_of(val_obj_get_str(cfg, "aws_access_key", 14), &akn);
    const char *secret = str_of(val_obj_get_str(cfg, "aws_secret_access_key", 21), &skn);
    const char *region = str_of(val_obj_get_str(cfg, "aws_region", 10), &rgn);
    const char *token = str_of(val_obj_get_str(cfg, "aws_session_token", 17), &tkn);

    int64_t sec = ts / 1000000000;
    if (ts < 0 && ts % 1000000000) sec--;
    time_t tt = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) return rb_err(c, "time_ns out of range");
    char date[48], stamp[96];
    snprintf(date, sizeof date, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf(stamp, sizeof stamp, "%sT%02d%02d%02dZ", date, tm.tm_hour, tm.tm_min, tm.tm_sec);

    /* headers to sign: the AWS ones, then the request's (lower-cased) */
    size_t nreq = headers ? val_obj_len(headers) : 0, nh = 0;
    hdr *hs = gh_arena_alloc(c->a, (nreq + 4) * sizeof *hs);
    if (!hs) return rb_oom(c);
    bool s3 =
        (svn == 2 && !memcmp(service, "s3", 2)) || (svn == 7 && !memcmp(service, "glacier", 7));
    hdr_set(hs, &nh, "host", 4, u.host, u.hostn);
    hdr_set(hs, &nh, "x-amz-date", 10, stamp, strlen(stamp));
    if (s3) hdr_set(hs, &nh, "x-amz-content-sha256", 20, content, strlen(content));
    if (tkn) hdr_set(hs, &nh, "x-amz-security-token", 20, token, tkn);
    for (size_t i = 0; i < nreq; i++) {
        size_t kn, vn;
        const char *k = str_of(val_obj_key_at(headers, i), &kn);
        const char *v = str_of(val_obj_val_at(headers, i), &vn);
        char *lk = gh_arena_strndup(c->a, k, kn);
        if (!lk) return rb_oom(c);
        for (size_t j = 0; j < kn; j++)
            if (lk[j] >= 'A' && lk[j] <= 'Z') lk[j] = (char)(lk[j] - 'A' + 'a');
        if ((kn == 13 && !memcmp(lk, "authorization", 13)) ||
            (kn == 10 && !memcmp(lk, "user-agent", 10)) ||
            (kn == 15 && !memcmp(lk, "x-amzn-trace-id", 15)))
            continue;
        hdr_set(hs, &nh, lk, kn, v, vn);
    }
    qsort(hs, nh, sizeof *hs, hdr_cmp);

    val_t *epath = rb_go_url_escaped_path(c->a, &u);
    if (!epath) return rb_oom(c);
    rb_sb canon, list;
    rb_sb_init(&canon, c->a, 512);
    rb_sb_init(&list, c->a, 128);
    rb_sb_put(&canon, val_str_ptr(method), val_str_len(method));
    rb_sb_putc(&canon, '\n');
    rb_sb_put(&canon, val_str_ptr(epath), val_str_len(epath));
    rb_sb_putc(&canon, '\n');
    rb_sb_put(&canon, u.rawquery, u.rawqueryn);
    rb_sb_putc(&canon, '\n');
    for (size_t i = 0; i < nh; i++) {
        rb_sb_put(&canon, hs[i].name, hs[i].nn);
        rb_sb_putc(&canon, ':');
        rb_sb_put(&canon, hs[i].val, hs[i].vn);
        rb_sb_putc(&canon, '\n');
        if (i) rb_sb_putc(&list, ';');
        rb_sb_put(&list, hs[i].name, hs[i].nn);
    }
    rb_sb_putc(&canon, '\n');
    rb_sb_put(&canon, list.p, list.len);
    rb_sb_putc(&canon, '\n');
    rb_sb_puts(&canon, content);
    if (canon.oom || list.oom) return rb_oom(c);
    char creq_hash[65];
    sha256_hex(canon.p, canon.len, creq_hash);
    char *scope = gh_arena_printf(c->a, "%s/%.*s/%.*s/aws4_request", date, (int)rgn, region,
                                  (int)svn, service);
    char *sts = scope
                    ? gh_arena_printf(c->a, "AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, creq_hash)
                    : NULL;
    if (!sts) return rb_oom(c);

    /* signing key: HMAC chain from "AWS4" + secret (wiped after use) */
    size_t kn0 = skn + 4;
    unsigned char *k0 = gh_malloc(kn0);
    if (!k0) return rb_oom(c);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, skn);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    bool ok = hmac256(k0, kn0, date, strlen(date), k1) && hmac256(k1, 32, region, rgn, k2) &&
              hmac256(k2, 32, service, svn, k3) && hmac256(k3, 32, "aws4_request", 12, k4) &&
              hmac256(k4, 32, sts, strlen(sts), sig);
    gh_free_secret(k0, kn0);
    OPENSSL_cleanse(k1, 32);
    OPENSSL_cleanse(k2, 32);
    OPENSSL_cleanse(k3, 32);
    OPENSSL_cleanse(k4, 32);
    if (!ok) return rb_err(c, "HMAC-SHA256 failed");
    char *sighex = rb_hex_encode(c->a, sig, 32);
    char *auth = sighex ? gh_arena_printf(c->a,
                                          "AWS4-HMAC-SHA256 Credential=%.*s/%s,SignedHeaders=%.*s,"
                                          "Signature=%s",
                                          (int)akn, access, scope, (int)list.len, list.p, sighex)
                        : NULL;
    if (!auth) return rb_oom(c);

    /* the request with its headers replaced: originals, Authorization, AWS */
    val_t *nhv = val_obj_new(c->a, nreq + 6);
    if (!nhv) return rb_oom(c);
    for (size_t i = 0; i < nreq; i++) {
        size_t vn, kn;
        const char *ks = str_of(val_obj_key_at(headers, i), &kn);
        const char *v = str_of(val_obj_val_at(headers, i), &vn);
        if (val_obj_put(c->a, nhv, val_str(c->a, ks, kn), val_str(c->a, v, vn))) return rb_oom(c);
    }
    bool put = rb_put(c->a, nhv, "Authorization", val_strc(c->a, auth)) &&
               rb_put(c->a, nhv, "host", val_str(c->a, u.host, u.hostn)) &&
               rb_put(c->a, nhv, "x-amz-date", val_strc(c->a, stamp)) &&
               (!s3 || rb_put(c->a, nhv, "x-amz-content-sha256", val_strc(c->a, content))) &&
               (!tkn || rb_put(c->a, nhv, "x-amz-security-token", val_str(c->a, token, tkn)));
    val_t *res = val_obj_new(c->a, val_obj_len(req) + 1);
    if (!put || !res) return rb_oom(c);
    for (size_t i = 0; i < val_obj_len(req); i++) {
        val_t *k = val_obj_key_at(req, i);
        if (val_is_str(k) && val_str_len(k) == 7 && !memcmp(val_str_ptr(k), "headers", 7)) continue;
        if (val_obj_put(c->a, res, k, val_obj_val_at(req, i))) return rb_oom(c);
    }
    if (!rb_put(c->a, res, "headers", nhv)) return rb_oom(c);
    *out = res;
    return 0;
}

static int bi_sign_req_w(rego_bctx *c, val_t *const *args, val_t **out) {
    return rb_crypto_rc(c, bi_sign_req(c, args, out));
}

const rego_builtin rego_bi_aws[] = {
    {"providers.aws.sign_req", 3, 0, bi_sign_req_w,
     "(request: object[string: any], aws_config: object[string: any], time_ns: number) -> "
     "signed_request: object[any: any]",
     "providers.aws", "Signs an http.send request object with AWS Signature Version 4."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
