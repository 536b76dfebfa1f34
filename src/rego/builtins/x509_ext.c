/* x509_ext.c - certificate extensions as Go's crypto/x509 parses them (Go
 * 1.21, which OPA 0.61 is built with): key usage, basic constraints, SAN
 * (with net/url parsing of URIs and net.IP printing), name constraints,
 * CRL distribution points, AIA, EKU, policies, key identifiers, and the
 * list of unhandled critical extensions. Fills the fields of the object
 * x509.c builds; returns Go's error text when Go would refuse the
 * certificate. Called by x509.c only. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/strutil.h"

/* ---- small predicates --------------------------------------------------------------------- */

static bool is_ia5(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80) return false;
    return true;
}

/* Go's domainToReverseLabels succeeds. */
static bool domain_ok(const char *d, size_t n) {
    if (n == 0) return true; /* no labels */
    if (d[n - 1] == '.') return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || d[i] == '.') {
            if (i == start) return false;
            start = i + 1;
            continue;
        }
        unsigned char ch = (unsigned char)d[i];
        if (ch < 33 || ch > 126) return false;
    }
    return true;
}

/* net.IP.String for 4- or 16-byte addresses. */
static val_t *ip_value(gh_arena *a, const unsigned char *p, size_t n) {
    char buf[RB_IP_STR_MAX];
    size_t k = rb_go_ip_string(p, n, buf);
    return val_str(a, buf, k);
}

val_t *rb_x509_ip_value(gh_arena *a, const unsigned char *p, size_t n) { return ip_value(a, p, n); }

/* ---- subject alternative names -------------------------------------------------------------- */

static int x509_err(rego_bctx *c, const char *fmt, const char *s, size_t n, const char *detail) {
    rb_sb b;
    rb_sb_init(&b, c->a, n + 8);
    rb_go_quote_sb(&b, s, n, false);
    if (b.oom) return rb_oom(c);
    return rb_err(c, fmt, (int)b.len, b.p, detail);
}

static bool push(gh_arena *a, val_t **arr, val_t *v) {
    if (!v) return false;
    if (!*arr && !(*arr = val_arr_new(a, 4))) return false;
    return !val_arr_push(a, *arr, v);
}

int rb_x509_san(rego_bctx *c, const unsigned char *p, size_t n, rb_san *out) {
    memset(out, 0, sizeof *out);
    rb_der cur = {p, n}, seq;
    unsigned tag;
    if (!rb_der_next(&cur, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid subject alternative names");
    while (seq.n) {
        rb_der v;
        if (!rb_der_next(&seq, &tag, &v, NULL))
            return rb_err(c, "x509: invalid subject alternative name");
        const char *s = (const char *)v.p;
        bool ok = true;
        switch (tag) {
        case 0x81:
            if (!is_ia5(v.p, v.n)) return rb_err(c, "x509: SAN rfc822Name is malformed");
            ok = push(c->a, &out->emails, val_str(c->a, s, v.n));
            break;
        case 0x82:
            if (!is_ia5(v.p, v.n)) return rb_err(c, "x509: SAN dNSName is malformed");
            ok = push(c->a, &out->dns, val_str(c->a, s, v.n));
            break;
        case 0x86: {
            if (!is_ia5(v.p, v.n))
                return rb_err(c, "x509: SAN uniformResourceIdentifier is malformed");
            rb_gourl u;
            struct {
                char msg[256];
            } e;
            if (!rb_go_url_parse(c->a, s, v.n, &u, e.msg, sizeof e.msg)) {
                if (c->a->oom) return rb_oom(c);
                const char *hash = memchr(s, '#', v.n);
                size_t qn = hash && !strstr(e.msg, "escape") ? (size_t)(hash - s) : v.n;
                rb_sb inner;
                rb_sb_init(&inner, c->a, v.n + 64);
                rb_sb_puts(&inner, "parse ");
                rb_go_quote_sb(&inner, s, qn, false);
                rb_sb_puts(&inner, ": ");
                rb_sb_puts(&inner, e.msg);
                if (!rb_sb_finish(&inner)) return rb_oom(c);
                return x509_err(c, "x509: cannot parse URI %.*s: %s", s, v.n, inner.p);
            }
            if (u.hostn && !domain_ok(u.host, u.hostn))
                return x509_err(c, "x509: cannot parse URI %.*s: %s", s, v.n, "invalid domain");
            ok = push(c->a, &out->uris, rb_go_url_value(c->a, &u)) &&
                 push(c->a, &out->uri_strings, rb_go_url_string(c->a, &u));
            break;
        }
        case 0x87:
            if (v.n != 4 && v.n != 16)
                return rb_err(c, "x509: cannot parse IP address of length %zu", v.n);
            ok = push(c->a, &out->ips, ip_value(c->a, v.p, v.n));
            break;
        default: break;
        }
        if (!ok) return rb_oom(c);
    }
    return 0;
}

/* ---- name constraints ---------------------------------------------------------------------- */

static bool valid_mask(const unsigned char *m, size_t n) {
    bool seen_zero = false;
    for (size_t i = 0; i < n; i++) {
        if (seen_zero && m[i]) return false;
        unsigned char b = m[i];
        if (b != 0xff) {
            /* must be 1s then 0s within the byte */
            unsigned char inv = (unsigned char)~b;
            if (inv & (unsigned char)(inv + 1)) return false;
            seen_zero = true;
        }
    }
    return true;
}

static const char *mem_rchr(const char *s, size_t n, char c) {
    while (n--)
        if (s[n] == c) return s + n;
    return NULL;
}

/* Go's parseRFC2821Mailbox, reduced to what it accepts in practice: a
 * non-empty local part without unquoted '@' and a valid domain. */
static bool mailbox_ok(const char *s, size_t n) {
    const char *at = mem_rchr(s, n, '@');
    if (!at || at == s) return false;
    for (const char *q = s; q < at; q++)
        if (*q == '@' || (unsigned char)*q < 33 || (unsigned char)*q > 126) return false;
    return domain_ok(at + 1, n - (size_t)(at + 1 - s));
}

static bool looks_ip(const char *s, size_t n) {
    char buf[64];
    unsigned char tmp[16];
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    return inet_pton(AF_INET, buf, tmp) == 1 || inet_pton(AF_INET6, buf, tmp) == 1;
}

typedef struct nc_lists {
    val_t *dns, *ips, *emails, *uris;
} nc_lists;

static int nc_values(rego_bctx *c, rb_der sub, nc_lists *l, bool *unhandled) {
    while (sub.n) {
        rb_der seq, v;
        unsigned tag;
        if (!rb_der_next(&sub, &tag, &seq, NULL) || tag != 0x30 ||
            !rb_der_next(&seq, &tag, &v, NULL))
            return rb_err(c, "x509: invalid NameConstraints extension");
        const char *s = (const char *)v.p;
        bool ok = true;
        switch (tag) {
        case 0x82: {
            if (!is_ia5(v.p, v.n))
                return rb_err(c, "x509: invalid constraint value: invalid IA5String");
            size_t off = v.n && s[0] == '.' ? 1 : 0;
            if (!domain_ok(s + off, v.n - off))
                return x509_err(c, "x509: failed to parse dnsName constraint %.*s%s", s, v.n, "");
            ok = push(c->a, &l->dns, val_str(c->a, s, v.n));
            break;
        }
        case 0x87: {
            size_t half;
            if (v.n == 8)
                half = 4;
            else if (v.n == 32)
                half = 16;
            else
                return rb_err(c, "x509: IP constraint contained value of length %zu", v.n);
            if (!valid_mask(v.p + half, half)) {
                char *hx = rb_hex_encode(c->a, v.p + half, half);
                return rb_err(c, "x509: IP constraint contained invalid mask %s", hx ? hx : "");
            }
            val_t *o = val_obj_new(c->a, 2);
            ok = rb_put(c->a, o, "IP", ip_value(c->a, v.p, half)) &&
                 rb_put(c->a, o, "Mask", rb_bytes_value(c->a, v.p + half, half, false)) &&
                 push(c->a, &l->ips, o);
            break;
        }
        case 0x81: {
            if (!is_ia5(v.p, v.n))
                return rb_err(c, "x509: invalid constraint value: invalid IA5String");
            bool good;
            if (memchr(s, '@', v.n)) {
                good = mailbox_ok(s, v.n);
            } else {
                size_t off = v.n && s[0] == '.' ? 1 : 0;
                good = domain_ok(s + off, v.n - off);
            }
            if (!good)
                return x509_err(c, "x509: failed to parse rfc822Name constraint %.*s%s", s, v.n,
                                "");
            ok = push(c->a, &l->emails, val_str(c->a, s, v.n));
            break;
        }
        case 0x86: {
            if (!is_ia5(v.p, v.n))
                return rb_err(c, "x509: invalid constraint value: invalid IA5String");
            if (looks_ip(s, v.n))
                return x509_err(c, "x509: failed to parse URI constraint %.*s: %s", s, v.n,
                                "cannot be IP address");
            size_t off = v.n && s[0] == '.' ? 1 : 0;
            if (!domain_ok(s + off, v.n - off))
                return x509_err(c, "x509: failed to parse URI constraint %.*s%s", s, v.n, "");
            ok = push(c->a, &l->uris, val_str(c->a, s, v.n));
            break;
        }
        default: *unhandled = true; break;
        }
        if (!ok) return rb_oom(c);
    }
    return 0;
}

static int name_constraints(rego_bctx *c, rb_der val, bool critical, val_t *o, bool *unhandled) {
    rb_der top, perm = {NULL, 0}, excl = {NULL, 0};
    unsigned tag;
    bool hp = false, he = false;
    if (!rb_der_next(&val, &tag, &top, NULL) || tag != 0x30 || val.n)
        return rb_err(c, "x509: invalid NameConstraints extension");
    if (rb_der_peek(&top) == 0xa0) {
        rb_der_next(&top, &tag, &perm, NULL);
        hp = true;
    }
    if (rb_der_peek(&top) == 0xa1) {
        rb_der_next(&top, &tag, &excl, NULL);
        he = true;
    }
    if (top.n) return rb_err(c, "x509: invalid NameConstraints extension");
    if ((!hp && !he) || (perm.n == 0 && excl.n == 0))
        return rb_err(c, "x509: empty name constraints extension");
    nc_lists p = {0}, e = {0};
    int rc;
    if ((rc = nc_values(c, perm, &p, unhandled)) || (rc = nc_values(c, excl, &e, unhandled)))
        return rc;
    bool ok = rb_put(c->a, o, "PermittedDNSDomains", p.dns ? p.dns : VAL_NULLV) &&
              rb_put(c->a, o, "PermittedIPRanges", p.ips ? p.ips : VAL_NULLV) &&
              rb_put(c->a, o, "PermittedEmailAddresses", p.emails ? p.emails : VAL_NULLV) &&
              rb_put(c->a, o, "PermittedURIDomains", p.uris ? p.uris : VAL_NULLV) &&
              rb_put(c->a, o, "ExcludedDNSDomains", e.dns ? e.dns : VAL_NULLV) &&
              rb_put(c->a, o, "ExcludedIPRanges", e.ips ? e.ips : VAL_NULLV) &&
              rb_put(c->a, o, "ExcludedEmailAddresses", e.emails ? e.emails : VAL_NULLV) &&
              rb_put(c->a, o, "ExcludedURIDomains", e.uris ? e.uris : VAL_NULLV) &&
              rb_put(c->a, o, "PermittedDNSDomainsCritical", val_bool(critical));
    return ok ? 0 : rb_oom(c);
}

/* ---- the other extensions ------------------------------------------------------------------- */

static bool oid_is(rb_der oid, const char *dotted) {
    char buf[128];
    return rb_oid_text(oid.p, oid.n, buf, sizeof buf) && !strcmp(buf, dotted);
}

static int key_usage(rego_bctx *c, rb_der val, val_t *o) {
    rb_der bs;
    unsigned tag;
    if (!rb_der_next(&val, &tag, &bs, NULL) || tag != 0x03 || bs.n == 0 || bs.p[0] > 7 ||
        (bs.n == 1 && bs.p[0] > 0) || (bs.n > 1 && (bs.p[bs.n - 1] & ((1u << bs.p[0]) - 1))))
        return rb_err(c, "x509: invalid key usage");
    int usage = 0;
    size_t bits = (bs.n - 1) * 8 - bs.p[0];
    for (size_t i = 0; i < 9 && i < bits; i++)
        if (bs.p[1 + i / 8] & (0x80 >> (i % 8))) usage |= 1 << i;
    return rb_put(c->a, o, "KeyUsage", val_int(c->a, usage)) ? 0 : rb_oom(c);
}

static int basic_constraints(rego_bctx *c, rb_der val, val_t *o) {
    rb_der seq, v;
    unsigned tag;
    if (!rb_der_next(&val, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid basic constraints");
    bool ca = false;
    int64_t maxlen = -1;
    if (rb_der_peek(&seq) == 0x01) {
        if (!rb_der_next(&seq, &tag, &v, NULL) || v.n != 1 || (v.p[0] != 0 && v.p[0] != 0xff))
            return rb_err(c, "x509: invalid basic constraints");
        ca = v.p[0] != 0;
    }
    if (rb_der_peek(&seq) == 0x02) {
        if (!rb_der_next(&seq, &tag, &v, NULL) || v.n == 0 || v.n > 4 ||
            (v.n > 1 && ((v.p[0] == 0 && !(v.p[1] & 0x80)) || (v.p[0] == 0xff && (v.p[1] & 0x80)))))
            return rb_err(c, "x509: invalid basic constraints");
        int64_t x = (v.p[0] & 0x80) ? -1 : 0;
        for (size_t i = 0; i < v.n; i++)
            x = x * 256 + v.p[i];
        if (x < INT32_MIN || x > INT32_MAX) return rb_err(c, "x509: invalid basic constraints");
        maxlen = x;
    }
    bool ok = rb_put(c->a, o, "IsCA", val_bool(ca)) &&
              rb_put(c->a, o, "MaxPathLen", val_int(c->a, maxlen)) &&
              rb_put(c->a, o, "BasicConstraintsValid", VAL_TRUE) &&
              rb_put(c->a, o, "MaxPathLenZero", val_bool(maxlen == 0));
    return ok ? 0 : rb_oom(c);
}

static int crl_points(rego_bctx *c, rb_der val, val_t *o) {
    rb_der seq;
    unsigned tag;
    val_t *list = NULL;
    if (!rb_der_next(&val, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid CRL distribution points");
    while (seq.n) {
        rb_der dp, name;
        if (!rb_der_next(&seq, &tag, &dp, NULL) || tag != 0x30)
            return rb_err(c, "x509: invalid CRL distribution point");
        if (rb_der_peek(&dp) != 0xa0) continue;
        rb_der_next(&dp, &tag, &name, NULL);
        rb_der full;
        if (!rb_der_next(&name, &tag, &full, NULL) || tag != 0xa0)
            return rb_err(c, "x509: invalid CRL distribution point");
        while (full.n && rb_der_peek(&full) == 0x86) {
            rb_der uri;
            if (!rb_der_next(&full, &tag, &uri, NULL))
                return rb_err(c, "x509: invalid CRL distribution point");
            if (!push(c->a, &list, val_str(c->a, (const char *)uri.p, uri.n))) return rb_oom(c);
        }
    }
    return rb_put(c->a, o, "CRLDistributionPoints", list ? list : VAL_NULLV) ? 0 : rb_oom(c);
}

static const struct {
    const char *oid;
    int usage;
} eku_oids[] = {
    {"2.5.29.37.0", 0},
    {"1.3.6.1.5.5.7.3.1", 1},
    {"1.3.6.1.5.5.7.3.2", 2},
    {"1.3.6.1.5.5.7.3.3", 3},
    {"1.3.6.1.5.5.7.3.4", 4},
    {"1.3.6.1.5.5.7.3.5", 5},
    {"1.3.6.1.5.5.7.3.6", 6},
    {"1.3.6.1.5.5.7.3.7", 7},
    {"1.3.6.1.5.5.7.3.8", 8},
    {"1.3.6.1.5.5.7.3.9", 9},
    {"1.3.6.1.4.1.311.10.3.3", 10},
    {"2.16.840.1.113730.4.1", 11},
    {"1.3.6.1.4.1.311.2.1.22", 12},
    {"1.3.6.1.4.1.311.61.1.1", 13},
};

static int ext_key_usage(rego_bctx *c, rb_der val, val_t *o) {
    rb_der seq;
    unsigned tag;
    val_t *known = NULL, *unknown = NULL;
    if (!rb_der_next(&val, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid extended key usages");
    while (seq.n) {
        rb_der oid;
        char txt[128];
        if (!rb_der_next(&seq, &tag, &oid, NULL) || tag != 0x06 ||
            !rb_oid_text(oid.p, oid.n, txt, sizeof txt))
            return rb_err(c, "x509: invalid extended key usages");
        int usage = -1;
        for (size_t i = 0; i < sizeof eku_oids / sizeof *eku_oids; i++)
            if (!strcmp(eku_oids[i].oid, txt)) usage = eku_oids[i].usage;
        bool ok = usage >= 0 ? push(c->a, &known, val_int(c->a, usage))
                             : push(c->a, &unknown, rb_oid_value(c->a, oid.p, oid.n));
        if (!ok) return rb_oom(c);
    }
    bool ok = rb_put(c->a, o, "ExtKeyUsage", known ? known : VAL_NULLV) &&
              rb_put(c->a, o, "UnknownExtKeyUsage", unknown ? unknown : VAL_NULLV);
    return ok ? 0 : rb_oom(c);
}

static int policies(rego_bctx *c, rb_der val, val_t *o) {
    rb_der seq;
    unsigned tag;
    val_t *list = NULL;
    if (!rb_der_next(&val, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid certificate policies");
    while (seq.n) {
        rb_der cp, oid;
        if (!rb_der_next(&seq, &tag, &cp, NULL) || tag != 0x30 ||
            !rb_der_next(&cp, &tag, &oid, NULL) || tag != 0x06)
            return rb_err(c, "x509: invalid certificate policies");
        val_t *v = rb_oid_value(c->a, oid.p, oid.n);
        if (!v) return rb_err(c, "x509: invalid certificate policies");
        if (!push(c->a, &list, v)) return rb_oom(c);
    }
    return rb_put(c->a, o, "PolicyIdentifiers", list ? list : VAL_NULLV) ? 0 : rb_oom(c);
}

static int aia(rego_bctx *c, rb_der val, val_t *o) {
    rb_der seq;
    unsigned tag;
    val_t *ocsp = NULL, *issuers = NULL;
    if (!rb_der_next(&val, &tag, &seq, NULL) || tag != 0x30)
        return rb_err(c, "x509: invalid authority info access");
    while (seq.n) {
        rb_der ad, method, loc;
        if (!rb_der_next(&seq, &tag, &ad, NULL) || tag != 0x30 ||
            !rb_der_next(&ad, &tag, &method, NULL) || tag != 0x06)
            return rb_err(c, "x509: invalid authority info access");
        if (rb_der_peek(&ad) != 0x86) continue;
        if (!rb_der_next(&ad, &tag, &loc, NULL))
            return rb_err(c, "x509: invalid authority info access");
        val_t *s = val_str(c->a, (const char *)loc.p, loc.n);
        bool ok = true;
        if (oid_is(method, "1.3.6.1.5.5.7.48.1"))
            ok = push(c->a, &ocsp, s);
        else if (oid_is(method, "1.3.6.1.5.5.7.48.2"))
            ok = push(c->a, &issuers, s);
        if (!ok) return rb_oom(c);
    }
    bool ok = rb_put(c->a, o, "OCSPServer", ocsp ? ocsp : VAL_NULLV) &&
              rb_put(c->a, o, "IssuingCertificateURL", issuers ? issuers : VAL_NULLV);
    return ok ? 0 : rb_oom(c);
}

/* Fields that stay at Go's zero values unless an extension sets them. */
static bool ext_defaults(gh_arena *a, val_t *o) {
    static const char *const nulls[] = {"AuthorityKeyId",
                                        "CRLDistributionPoints",
                                        "DNSNames",
                                        "EmailAddresses",
                                        "ExcludedDNSDomains",
                                        "ExcludedEmailAddresses",
                                        "ExcludedIPRanges",
                                        "ExcludedURIDomains",
                                        "ExtKeyUsage",
                                        "Extensions",
                                        "ExtraExtensions",
                                        "IPAddresses",
                                        "IssuingCertificateURL",
                                        "OCSPServer",
                                        "PermittedDNSDomains",
                                        "PermittedEmailAddresses",
                                        "PermittedIPRanges",
                                        "PermittedURIDomains",
                                        "PolicyIdentifiers",
                                        "SubjectKeyId",
                                        "URIs",
                                        "UnhandledCriticalExtensions",
                                        "UnknownExtKeyUsage"};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (!rb_put(a, o, nulls[i], VAL_NULLV)) return false;
    return rb_put(a, o, "BasicConstraintsValid", VAL_FALSE) && rb_put(a, o, "IsCA", VAL_FALSE) &&
           rb_put(a, o, "KeyUsage", val_int(a, 0)) && rb_put(a, o, "MaxPathLen", val_int(a, 0)) &&
           rb_put(a, o, "MaxPathLenZero", VAL_FALSE) &&
           rb_put(a, o, "PermittedDNSDomainsCritical", VAL_FALSE);
}

int rb_x509_extensions(rego_bctx *c, rb_der exts, bool present, val_t *o, rb_san *san) {
    memset(san, 0, sizeof *san);
    if (!ext_defaults(c->a, o)) return rb_oom(c);
    if (!present) return 0;
    rb_der seq;
    unsigned tag;
    if (!rb_der_next(&exts, &tag, &seq, NULL) || tag != 0x30 || exts.n)
        return rb_err(c, "x509: malformed extensions");
    val_t *list = val_arr_new(c->a, 8), *unhandled_list = NULL;
    if (!list) return rb_oom(c);
    rb_der seen[64];
    size_t nseen = 0;
    while (seq.n) {
        rb_der ext, oid, val, b;
        bool critical = false;
        if (!rb_der_next(&seq, &tag, &ext, NULL) || tag != 0x30 ||
            !rb_der_next(&ext, &tag, &oid, NULL) || tag != 0x06)
            return rb_err(c, "x509: malformed extension");
        if (rb_der_peek(&ext) == 0x01) {
            if (!rb_der_next(&ext, &tag, &b, NULL) || b.n != 1 || (b.p[0] && b.p[0] != 0xff))
                return rb_err(c, "x509: malformed extension critical field");
            critical = b.p[0] != 0;
        }
        if (!rb_der_next(&ext, &tag, &val, NULL) || tag != 0x04 || ext.n)
            return rb_err(c, "x509: malformed extension value field");
        for (size_t i = 0; i < nseen; i++)
            if (seen[i].n == oid.n && !memcmp(seen[i].p, oid.p, oid.n))
                return rb_err(c, "x509: certificate contains duplicate extensions");
        if (nseen < sizeof seen / sizeof *seen) seen[nseen++] = oid;
        val_t *id = rb_oid_value(c->a, oid.p, oid.n);
        if (!id) return rb_err(c, "x509: malformed extension OID field");
        val_t *ev = val_obj_new(c->a, 3);
        if (!rb_put(c->a, ev, "Id", id) || !rb_put(c->a, ev, "Critical", val_bool(critical)) ||
            !rb_put(c->a, ev, "Value", rb_bytes_value(c->a, val.p, val.n, false)) ||
            val_arr_push(c->a, list, ev))
            return rb_oom(c);
        bool unhandled = false;
        int rc = 0;
        char txt[128];
        if (!rb_oid_text(oid.p, oid.n, txt, sizeof txt)) txt[0] = 0;
        if (!strncmp(txt, "2.5.29.", 7) && strchr(txt + 7, '.') == NULL) {
            int which = atoi(txt + 7);
            switch (which) {
            case 15: rc = key_usage(c, val, o); break;
            case 19: rc = basic_constraints(c, val, o); break;
            case 17:
                rc = rb_x509_san(c, val.p, val.n, san);
                if (!rc && !san->dns && !san->emails && !san->ips && !san->uris) unhandled = true;
                break;
            case 30: rc = name_constraints(c, val, critical, o, &unhandled); break;
            case 31: rc = crl_points(c, val, o); break;
            case 35: {
                rb_der v2 = val, akid, kid;
                if (!rb_der_next(&v2, &tag, &akid, NULL) || tag != 0x30)
                    return rb_err(c, "x509: invalid authority key identifier");
                if (rb_der_peek(&akid) == 0x80) {
                    if (!rb_der_next(&akid, &tag, &kid, NULL))
                        return rb_err(c, "x509: invalid authority key identifier");
                    if (!rb_put(c->a, o, "AuthorityKeyId",
                                rb_bytes_value(c->a, kid.p, kid.n, false)))
                        return rb_oom(c);
                }
                break;
            }
            case 37: rc = ext_key_usage(c, val, o); break;
            case 14: {
                rb_der v2 = val, skid;
                if (!rb_der_next(&v2, &tag, &skid, NULL) || tag != 0x04)
                    return rb_err(c, "x509: invalid subject key identifier");
                if (!rb_put(c->a, o, "SubjectKeyId", rb_bytes_value(c->a, skid.p, skid.n, false)))
                    return rb_oom(c);
                break;
            }
            case 32: rc = policies(c, val, o); break;
            default: unhandled = true; break;
            }
        } else if (!strcmp(txt, "1.3.6.1.5.5.7.1.1")) {
            rc = aia(c, val, o);
        } else {
            unhandled = true;
        }
        if (rc) return rc;
        if (critical && unhandled) {
            val_t *id2 = rb_oid_value(c->a, oid.p, oid.n);
            if (!push(c->a, &unhandled_list, id2)) return rb_oom(c);
        }
    }
    bool ok = rb_put(c->a, o, "Extensions", val_arr_len(list) ? list : VAL_NULLV) &&
              rb_put(c->a, o, "UnhandledCriticalExtensions",
                     unhandled_list ? unhandled_list : VAL_NULLV) &&
              rb_put(c->a, o, "DNSNames", san->dns ? san->dns : VAL_NULLV) &&
              rb_put(c->a, o, "EmailAddresses", san->emails ? san->emails : VAL_NULLV) &&
              rb_put(c->a, o, "IPAddresses", san->ips ? san->ips : VAL_NULLV) &&
              rb_put(c->a, o, "URIs", san->uris ? san->uris : VAL_NULLV);
    return ok ? 0 : rb_oom(c);
}
