/* net.c - the net.* builtins (rego_bi_net): CIDR containment, intersection,
 * expansion (bounded by GH_MAX_CIDR_EXPAND), merging, validation and
 * lookup_ip_addr. Parsing/printing follow Go 1.19's net package (OPA's) and
 * its byte-slice model (16-byte IPv4-in-IPv6, 4/16-byte networks). cidr_merge
 * keeps OPA's quirks wherever OPA answers; where OPA's merge panics it gives
 * the exact minimal CIDR cover. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strutil.h"

typedef unsigned __int128 u128;

/* Go's net.IP: len 0 (nil), 4 or 16 bytes. */
typedef struct {
    uint8_t b[16];
    uint8_t n;
} gip;

/* Go's *net.IPNet as ParseCIDR/ParseIP+DefaultMask build it: the mask is
 * canonical, `ones` leading one bits out of masklen bytes. */
typedef struct {
    gip ip;
    uint8_t masklen, ones;
} gnet;

static const uint8_t v4prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ---- parsing (Go 1.19 net) --------------------------------------------------- */

#define BIG 0xFFFFFF

static bool dtoi(const char *s, size_t n, size_t *used, int *out) {
    int v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (s[i] - '0');
        if (v >= BIG) return false;
    }
    if (i == 0) return false;
    *used = i;
    *out = v;
    return true;
}

static bool xtoi(const char *s, size_t n, size_t *used, int *out) {
    int v = 0;
    size_t i = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = v * 16 + (c - 'A' + 10);
        else
            break;
        if (v >= BIG) return false;
    }
    if (i == 0) return false;
    *used = i;
    *out = v;
    return true;
}

/* Dotted quad into a 16-byte IPv4-in-IPv6 address; leading zeros refused. */
static bool parse_v4(const char *s, size_t n, gip *ip) {
    uint8_t p[4];
    for (int i = 0; i < 4; i++) {
        if (n == 0) return false;
        if (i > 0) {
            if (s[0] != '.') return false;
            s++;
            n--;
        }
        size_t c;
        int v;
        if (!dtoi(s, n, &c, &v) || v > 0xff) return false;
        if (c > 1 && s[0] == '0') return false;
        s += c;
        n -= c;
        p[i] = (uint8_t)v;
    }
    if (n) return false;
    memcpy(ip->b, v4prefix, 12);
    memcpy(ip->b + 12, p, 4);
    ip->n = 16;
    return true;
}

static bool parse_v6(const char *s, size_t n, gip *ip) {
    memset(ip->b, 0, 16);
    ip->n = 16;
    int ellipsis = -1, i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        s += 2;
        n -= 2;
        if (n == 0) return true;
    }
    while (i < 16) {
        size_t c;
        int v;
        if (!xtoi(s, n, &c, &v) || v > 0xffff) return false;
        if (c < n && s[c] == '.') { /* trailing IPv4 */
            if (ellipsis < 0 && i != 12) return false;
            if (i + 4 > 16) return false;
            gip v4;
            if (!parse_v4(s, n, &v4)) return false;
            memcpy(ip->b + i, v4.b + 12, 4);
            n = 0;
            i += 4;
            break;
        }
        ip->b[i] = (uint8_t)(v >> 8);
        ip->b[i + 1] = (uint8_t)v;
        i += 2;
        s += c;
        n -= c;
        if (n == 0) break;
        if (s[0] != ':' || n == 1) return false;
        s++;
        n--;
        if (s[0] == ':') {
            if (ellipsis >= 0) return false;
            ellipsis = i;
            s++;
            n--;
            if (n == 0) break;
        }
    }
    if (n) return false;
    if (i < 16) {
        if (ellipsis < 0) return false;
        int k = 16 - i;
        for (int j = i - 1; j >= ellipsis; j--)
            ip->b[j + k] = ip->b[j];
        for (int j = ellipsis + k - 1; j >= ellipsis; j--)
            ip->b[j] = 0;
    } else if (ellipsis >= 0) {
        return false;
    }
    return true;
}

/* net.ParseIP */
static bool parse_ip(const char *s, size_t n, gip *ip) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') return parse_v4(s, n, ip);
        if (s[i] == ':') return parse_v6(s, n, ip);
    }
    return false;
}

static const uint8_t *to4(const gip *ip) {
    if (ip->n == 4) return ip->b;
    if (ip->n == 16 && !memcmp(ip->b, v4prefix, 12)) return ip->b + 12;
    return NULL;
}

static void mask_bytes(uint8_t *m, int len, int ones) {
    for (int i = 0; i < len; i++) {
        int k = ones - 8 * i;
        m[i] = k >= 8 ? 0xff : k <= 0 ? 0 : (uint8_t)(0xff << (8 - k));
    }
}

/* net.ParseCIDR; the network address is masked (4 bytes for IPv4). */
static bool parse_cidr(const char *s, size_t n, gnet *net) {
    const char *slash = memchr(s, '/', n);
    if (!slash) return false;
    size_t an = (size_t)(slash - s), mn = n - an - 1;
    gip ip;
    int len = 4;
    if (!parse_v4(s, an, &ip)) {
        len = 16;
        if (!parse_v6(s, an, &ip)) return false;
    }
    size_t used;
    int ones;
    if (!dtoi(slash + 1, mn, &used, &ones) || used != mn || ones > 8 * len) return false;
    uint8_t m[16];
    mask_bytes(m, len, ones);
    const uint8_t *src = len == 4 ? ip.b + 12 : ip.b;
    for (int i = 0; i < len; i++)
        net->ip.b[i] = src[i] & m[i];
    net->ip.n = (uint8_t)len;
    net->masklen = (uint8_t)len;
    net->ones = (uint8_t)ones;
    return true;
}

/* IPNet.Contains */
static bool net_contains(const gnet *net, const gip *ip) {
    const uint8_t *nn = to4(&net->ip);
    int nl = nn ? 4 : net->ip.n;
    if (!nn) nn = net->ip.b;
    uint8_t m[16];
    int ones = net->ones;
    if (net->masklen == 16 && nl == 4)
        ones -= 96; /* mask[12:] */
    else if (net->masklen == 4 && nl == 16)
        return false;
    mask_bytes(m, nl, ones);
    const uint8_t *x = to4(ip);
    int xl = x ? 4 : ip->n;
    if (!x) x = ip->b;
    if (xl != nl) return false;
    for (int i = 0; i < nl; i++)
        if ((nn[i] & m[i]) != (x[i] & m[i])) return false;
    return true;
}

/* ---- printing ------------------------------------------------------------------ */

/* IP.String into buf (at least RB_IP_STR_MAX bytes); returns the length. */
static size_t ip_str(const gip *ip, char *buf) { return rb_go_ip_string(ip->b, ip->n, buf); }

/* IPNet.String: the (unmasked) address and the prefix length. */
static size_t net_str(const gnet *net, char *buf) {
    size_t k = ip_str(&net->ip, buf);
    int ones = net->ones;
    if (to4(&net->ip) && net->masklen == 16) ones -= 96;
    k += (size_t)snprintf(buf + k, 8, "/%d", ones);
    return k;
}

/* ---- builtins -------------------------------------------------------------------- */

static int cidr_operand(rego_bctx *c, const val_t *v, gnet *net) {
    if (!val_is_str(v)) return rb_type_err(c, 1, "string", v);
    if (!parse_cidr(val_str_ptr(v), val_str_len(v), net))
        return rb_err(c, "invalid CIDR address: %s", val_str_ptr(v));
    return 0;
}

static void net_last(const gnet *net, gip *last) {
    *last = net->ip;
    uint8_t m[16];
    mask_bytes(m, net->masklen, net->ones);
    for (int i = 0; i < net->masklen; i++)
        last->b[i] |= (uint8_t)~m[i];
}

/* OPA's builtinNetCIDRContains: b may be an address or a CIDR. */
static int contains(rego_bctx *c, const val_t *a, const val_t *b, bool *res) {
    gnet na, nb;
    int rc;
    if ((rc = cidr_operand(c, a, &na))) return rc;
    if (!val_is_str(b)) return rb_type_err(c, 1, "string", b);
    gip ip;
    if (parse_ip(val_str_ptr(b), val_str_len(b), &ip)) {
        *res = net_contains(&na, &ip);
        return 0;
    }
    if (!parse_cidr(val_str_ptr(b), val_str_len(b), &nb))
        return rb_err(c, "not a valid textual representation of an IP address or CIDR: %s",
                      val_str_ptr(b));
    *res = false;
    if (net_contains(&na, &nb.ip)) {
        gip last;
        net_last(&nb, &last);
        *res = net_contains(&na, &last);
    }
    return 0;
}

static int bi_cidr_contains(rego_bctx *c, val_t *const *args, val_t **out) {
    bool r;
    int rc = contains(c, args[0], args[1], &r);
    if (rc) return rc;
    *out = val_bool(r);
    return RB_OK;
}

static int bi_cidr_intersects(rego_bctx *c, val_t *const *args, val_t **out) {
    gnet a, b;
    int rc;
    if ((rc = cidr_operand(c, args[0], &a)) || (rc = cidr_operand(c, args[1], &b))) return rc;
    *out = val_bool(net_contains(&a, &b.ip) || net_contains(&b, &a.ip));
    return RB_OK;
}

static int bi_cidr_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    gnet n;
    *out =
        val_bool(val_is_str(args[0]) && parse_cidr(val_str_ptr(args[0]), val_str_len(args[0]), &n));
    return RB_OK;
}

static int bi_cidr_expand(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    if (!val_is_str(args[0])) return rb_type_err(c, 1, "string", args[0]);
    const char *s = val_str_ptr(args[0]);
    size_t n = val_str_len(args[0]);
    gnet net;
    if (!parse_cidr(s, n, &net)) return rb_err(c, "invalid CIDR address: %s", s);
    int host = 8 * net.masklen - net.ones;
    if (host > 62 || (UINT64_C(1) << host) > GH_MAX_CIDR_EXPAND)
        return rb_err(c, "CIDR %s expands to more than %d addresses", s, GH_MAX_CIDR_EXPAND);
    /* Go walks up from the network address until it leaves the network */
    gip ip = net.ip;
    val_t *set = val_set_new(c->a, (size_t)1 << host);
    if (!set) return rb_oom(c);
    while (net_contains(&net, &ip)) {
        char buf[64];
        size_t k = ip_str(&ip, buf);
        val_t *v = val_str(c->a, buf, k);
        if (!v || (rc = val_set_add(c->a, set, v, NULL))) return rb_oom(c);
        for (int j = ip.n - 1; j >= 0; j--)
            if (++ip.b[j]) break;
    }
    *out = set;
    return RB_OK;
}

/* ---- cidr_contains_matches --------------------------------------------------------- */

typedef struct {
    const val_t *cidr, *key;
} match_item;

/* OPA's evalNetCIDRContainsMatchesOperand: (cidr, key) pairs of a string,
 * array (index keys), set (element keys) or object (key keys); an element
 * is a string or a non-empty array whose first item is the CIDR. */
static int match_items(rego_bctx *c, int operand, const val_t *x, match_item **items, size_t *n) {
    *n = 0;
    *items = NULL;
    size_t len;
    switch (val_kind_of(x)) {
    case VAL_STRING:
        if (!(*items = gh_arena_alloc(c->a, sizeof **items))) return rb_oom(c);
        (*items)[0] = (match_item){x, x};
        *n = 1;
        return 0;
    case VAL_ARRAY: len = val_arr_len(x); break;
    case VAL_SET: len = val_set_len(x); break;
    case VAL_OBJECT: len = val_obj_len(x); break;
    default: return 0;
    }
    if (!len) return 0;
    uint32_t *ord = val_kind_of(x) == VAL_ARRAY ? NULL : val_sorted_order(c->a, x);
    if (val_kind_of(x) != VAL_ARRAY && !ord) return rb_oom(c);
    if (!(*items = gh_arena_alloc(c->a, len * sizeof **items))) return rb_oom(c);
    for (size_t i = 0; i < len; i++) {
        const val_t *el, *key;
        if (val_kind_of(x) == VAL_ARRAY) {
            el = val_arr_at(x, i);
            key = val_int(c->a, (int64_t)i);
            if (!key) return rb_oom(c);
        } else if (val_kind_of(x) == VAL_SET) {
            el = key = val_set_at(x, ord[i]);
        } else {
            key = val_obj_key_at(x, ord[i]);
            el = val_obj_val_at(x, ord[i]);
        }
        if (val_kind_of(el) == VAL_ARRAY && val_arr_len(el) > 0)
            el = val_arr_at(el, 0);
        else if (val_kind_of(el) != VAL_STRING)
            return rb_err(c, "operand %d: element must be string or non-empty array", operand);
        (*items)[i] = (match_item){el, key};
    }
    *n = len;
    return 0;
}

static int bi_cidr_contains_matches(rego_bctx *c, val_t *const *args, val_t **out) {
    match_item *a, *b = NULL;
    size_t na, nb = 0;
    int rc;
    bool have_b = false;
    if ((rc = match_items(c, 1, args[0], &a, &na))) return rc;
    val_t *res = val_set_new(c->a, 0);
    if (!res) return rb_oom(c);
    for (size_t i = 0; i < na; i++) {
        if (!have_b) { /* operand 2 is only looked at once operand 1 has an element */
            if ((rc = match_items(c, 2, args[1], &b, &nb))) return rc;
            have_b = true;
        }
        for (size_t j = 0; j < nb; j++) {
            bool r;
            if ((rc = contains(c, a[i].cidr, b[j].cidr, &r))) return rc;
            if (!r) continue;
            val_t *pair = val_arr_new(c->a, 2);
            if (!pair || val_arr_push(c->a, pair, (val_t *)a[i].key) ||
                val_arr_push(c->a, pair, (val_t *)b[j].key) || val_set_add(c->a, res, pair, NULL))
                return rb_oom(c);
        }
    }
    *out = res;
    return RB_OK;
}

/* ---- cidr_merge ------------------------------------------------------------------------ */

/* A byte string as OPA's merge code builds it: 16 bytes, or 28 when Go's
 * GetAddressRange prefixes an IPv4-mapped 16-byte address a second time. */
typedef struct {
    uint8_t b[28];
    uint8_t n;
} gbytes;

typedef struct {
    gbytes first, last;
    gnet net;
    bool merged;
    size_t lo, hi; /* members in sorted order (for merged ranges) */
    size_t orig;
    u128 tfirst, tlast; /* the true range in the 128-bit IPv4-mapped space */
} mrange;

static int bytes_cmp(const gbytes *a, const gbytes *b) {
    size_t n = a->n < b->n ? a->n : b->n;
    int r = memcmp(a->b, b->b, n);
    if (r) return r;
    return (a->n > b->n) - (a->n < b->n);
}

static u128 u128_from(const uint8_t *b16) {
    u128 v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 8 | b16[i];
    return v;
}

static void u128_to(u128 v, uint8_t *b16) {
    for (int i = 15; i >= 0; i--) {
        b16[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* OPA's generateIPNet: an address (IPv4 only, with its classful default
 * mask) or a CIDR. */
static int merge_net(rego_bctx *c, const val_t *v, gnet *net) {
    if (!val_is_str(v)) return rb_err(c, "element must be string");
    const char *s = val_str_ptr(v);
    size_t n = val_str_len(v);
    gip ip;
    if (!parse_ip(s, n, &ip)) {
        if (!parse_cidr(s, n, net)) return rb_err(c, "invalid CIDR address: %s", s);
        return 0;
    }
    const uint8_t *p4 = to4(&ip);
    if (!p4) return rb_err(c, "IPv6 invalid: needs prefix length");
    net->ip = ip;
    net->masklen = 4;
    net->ones = p4[0] < 0x80 ? 8 : p4[0] < 0xC0 ? 16 : 24;
    return 0;
}

/* OPA's GetAddressRange, byte for byte, and the true range beside it. */
static void address_range(mrange *r) {
    const gnet *net = &r->net;
    uint8_t m[16];
    mask_bytes(m, net->masklen, net->ones);
    /* IP.Mask: a 16-byte IPv4-mapped address under a 4-byte mask is cut to 4 bytes */
    gip f = net->ip;
    if (net->masklen == 4 && f.n == 16) {
        memmove(f.b, f.b + 12, 4);
        f.n = 4;
    }
    for (int i = 0; i < f.n; i++)
        f.b[i] &= m[i];
    gbytes first = {{0}, 0};
    if (to4(&f)) {
        memcpy(first.b, v4prefix, 12);
        memcpy(first.b + 12, f.b, f.n);
        first.n = (uint8_t)(12 + f.n);
    } else {
        memcpy(first.b, f.b, f.n);
        first.n = f.n;
    }
    gbytes last = first;
    for (int i = 0; i < net->masklen; i++)
        last.b[16 - i - 1] |= (uint8_t)~m[net->masklen - i - 1];
    r->first = first;
    r->last = last;
    uint8_t t[16];
    if (f.n == 4) {
        memcpy(t, v4prefix, 12);
        memcpy(t + 12, f.b, 4);
    } else {
        memcpy(t, f.b, 16);
    }
    r->tfirst = u128_from(t);
    int host = 8 * net->masklen - net->ones;
    r->tlast = r->tfirst | (host >= 128 ? ~(u128)0 : (((u128)1 << host) - 1));
}

/* OPA's GetPreviousIP on a byte string. */
static gbytes prev_ip(const gbytes *ip) {
    static const uint8_t zero16[16];
    static const uint8_t v4zero[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
    if (ip->n == 16 && (!memcmp(ip->b, zero16, 16) || !memcmp(ip->b, v4zero, 16))) return *ip;
    gbytes p = *ip;
    int lower = ip->n == 16 && !memcmp(ip->b, v4prefix, 12) ? 12 : 0;
    bool over = false;
    for (int i = ip->n - 1; i >= lower; i--) {
        if (over || i == ip->n - 1) p.b[i]--;
        over = ip->b[i] == 0 && p.b[i] == 255;
    }
    return p;
}

static int by_last(const void *x, const void *y) {
    const mrange *a = x, *b = y;
    int r = bytes_cmp(&a->last, &b->last);
    if (r) return r;
    return (a->orig > b->orig) - (a->orig < b->orig);
}

static int by_tfirst(const void *x, const void *y) {
    const mrange *a = x, *b = y;
    return (a->tfirst > b->tfirst) - (a->tfirst < b->tfirst);
}

static int add_str(rego_bctx *c, val_t *set, const char *s, size_t n) {
    val_t *v = val_str(c->a, s, n);
    return !v || val_set_add(c->a, set, v, NULL) ? rb_oom(c) : 0;
}

/* The minimal CIDR cover of [a, b], printed as Go prints the networks. */
static int add_cover(rego_bctx *c, val_t *set, u128 a, u128 b) {
    for (;;) {
        int k = 0;
        while (k < 128 && !((a >> k) & 1) && (a | (((u128)2 << k) - 1)) <= b)
            k++;
        gnet net;
        u128_to(a, net.ip.b);
        net.ip.n = 16;
        net.masklen = 16;
        net.ones = (uint8_t)(128 - k);
        char buf[64];
        int rc = add_str(c, set, buf, net_str(&net, buf));
        if (rc) return rc;
        u128 end = a | (k >= 128 ? ~(u128)0 : (((u128)1 << k) - 1));
        if (end >= b) return 0;
        a = end + 1;
    }
}

static int bi_cidr_merge(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *x = args[0];
    size_t n;
    uint32_t *ord = NULL;
    if (val_kind_of(x) == VAL_ARRAY) {
        n = val_arr_len(x);
    } else if (val_kind_of(x) == VAL_SET) {
        n = val_set_len(x);
        if (n && !(ord = val_sorted_order(c->a, x))) return rb_oom(c);
    } else {
        return rb_err(c, "operand must be an array");
    }
    val_t *res = val_set_new(c->a, n);
    if (!res) return rb_oom(c);
    if (!n) {
        *out = res;
        return RB_OK;
    }
    mrange *r = gh_arena_alloc(c->a, n * sizeof *r);
    if (!r) return rb_oom(c);
    int rc;
    for (size_t i = 0; i < n; i++) {
        const val_t *el = ord ? val_set_at(x, ord[i]) : val_arr_at(x, i);
        memset(&r[i], 0, sizeof r[i]);
        if ((rc = merge_net(c, el, &r[i].net))) return rc;
        r[i].orig = i;
        address_range(&r[i]);
    }
    qsort(r, n, sizeof *r, by_last);
    for (size_t i = 0; i < n; i++)
        r[i].lo = r[i].hi = i;
    /* OPA's mergeCIDRs: walk down, folding a range into its predecessor
     * when the address before its first is at most the predecessor's last */
    size_t m = n;
    mrange *sorted = gh_arena_alloc(c->a, n * sizeof *sorted);
    if (!sorted) return rb_oom(c);
    memcpy(sorted, r, n * sizeof *r);
    for (size_t i = m - 1; i > 0; i--) {
        gbytes p = prev_ip(&r[i].first);
        if (bytes_cmp(&p, &r[i - 1].last) <= 0) {
            mrange mr = r[i - 1];
            if (bytes_cmp(&r[i - 1].first, &r[i].first) >= 0) mr.first = r[i].first;
            mr.last = r[i].last;
            mr.merged = true;
            mr.hi = r[i].hi;
            r[i - 1] = mr;
            memmove(&r[i], &r[i + 1], (m - i - 1) * sizeof *r);
            m--;
        }
    }
    for (size_t i = 0; i < m; i++) {
        char buf[64];
        if (!r[i].merged) {
            if ((rc = add_str(c, res, buf, net_str(&r[i].net, buf)))) return rc;
            continue;
        }
        if (r[i].first.n == 16 && r[i].last.n == 16) {
            if ((rc = add_cover(c, res, u128_from(r[i].first.b), u128_from(r[i].last.b))))
                return rc;
            continue;
        }
        /* OPA panics here (doubly prefixed IPv4-mapped ranges); give the
         * exact cover of the union of the members' true ranges instead */
        size_t k = r[i].hi - r[i].lo + 1;
        mrange *mem = sorted + r[i].lo;
        qsort(mem, k, sizeof *mem, by_tfirst);
        u128 a = mem[0].tfirst, b = mem[0].tlast;
        for (size_t j = 1; j <= k; j++) {
            if (j < k && (b == ~(u128)0 || mem[j].tfirst <= b + 1)) {
                if (mem[j].tlast > b) b = mem[j].tlast;
                continue;
            }
            if ((rc = add_cover(c, res, a, b))) return rc;
            if (j < k) {
                a = mem[j].tfirst;
                b = mem[j].tlast;
            }
        }
    }
    *out = res;
    return RB_OK;
}

/* ---- lookup_ip_addr ------------------------------------------------------------------------ */

static int bi_lookup_ip_addr(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *name;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &name, &n))) return rc;
    val_t *key = val_arr_new(c->a, 2);
    val_t *tag = val_strc(c->a, "net.lookup_ip_addr");
    if (!key || !tag || val_arr_push(c->a, key, tag) || val_arr_push(c->a, key, args[0]))
        return rb_oom(c);
    val_t *hit = rb_cache_get(c, key);
    if (hit) {
        *out = hit;
        return RB_OK;
    }
    val_t *set = val_set_new(c->a, 4);
    if (!set) return rb_oom(c);
    char buf[80];
    gip ip;
    /* an address literal answers itself (IPv6 may carry a %zone) */
    const char *pct = NULL;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '.' || name[i] == ':') {
            if (name[i] == ':') pct = memrchr(name, '%', n);
            break;
        }
    size_t hn = pct && pct > name ? (size_t)(pct - name) : n;
    if (parse_ip(name, hn, &ip)) {
        size_t k = ip_str(&ip, buf);
        const char *s = buf;
        if (hn < n) { /* keep the zone as written */
            char *z = gh_arena_alloc(c->a, k + (n - hn) + 1);
            if (!z) return rb_oom(c);
            memcpy(z, buf, k);
            memcpy(z + k, name + hn, n - hn);
            k += n - hn;
            z[k] = '\0';
            s = z;
        }
        if ((rc = add_str(c, set, s, k))) return rc;
    } else {
        struct addrinfo hints, *ai = NULL, *p;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        /* Go's resolver does not take numeric forms such as "01.2.3.4" or
         * "1.2.3" as addresses, nor names with NUL bytes */
        struct addrinfo num = hints, *nai = NULL;
        num.ai_flags = AI_NUMERICHOST;
        bool numeric = n && !memchr(name, '\0', n) && getaddrinfo(name, NULL, &num, &nai) == 0;
        if (nai) freeaddrinfo(nai);
        int g = EAI_NONAME;
        if (n && !numeric && !memchr(name, '\0', n)) g = getaddrinfo(name, NULL, &hints, &ai);
        if (g == EAI_NONAME || g == EAI_NODATA
#ifdef EAI_ADDRFAMILY
            || g == EAI_ADDRFAMILY
#endif
        )
            return rb_err(c, "lookup %s: no such host", name);
        if (g) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s", gai_strerror(g));
            if (msg[0] >= 'A' && msg[0] <= 'Z') msg[0] = (char)(msg[0] - 'A' + 'a');
            return rb_err(c, "lookup %s: %s", name, msg);
        }
        for (p = ai; p; p = p->ai_next) {
            size_t k;
            if (p->ai_family == AF_INET) {
                const struct sockaddr_in *sa = (const void *)p->ai_addr;
                memcpy(ip.b, v4prefix, 12);
                memcpy(ip.b + 12, &sa->sin_addr, 4);
                ip.n = 16;
                k = ip_str(&ip, buf);
            } else if (p->ai_family == AF_INET6) {
                const struct sockaddr_in6 *sa = (const void *)p->ai_addr;
                memcpy(ip.b, &sa->sin6_addr, 16);
                ip.n = 16;
                k = ip_str(&ip, buf);
                char ifn[IF_NAMESIZE];
                if (sa->sin6_scope_id && if_indextoname(sa->sin6_scope_id, ifn))
                    k += (size_t)snprintf(buf + k, sizeof buf - k, "%%%s", ifn);
            } else {
                continue;
            }
            if ((rc = add_str(c, set, buf, k))) {
                freeaddrinfo(ai);
                return rc;
            }
        }
        freeaddrinfo(ai);
    }
    if ((rc = rb_cache_put(c, key, set))) return rc;
    *out = set;
    return RB_OK;
}

#define MATCH_ARG                                                                                  \
    "string|array[string|array[any]]|object[string: string|array[any]]|set[string|array[any]]"

const rego_builtin rego_bi_net[] = {
    {"net.cidr_contains", 2, 0, bi_cidr_contains,
     "(cidr: string, cidr_or_ip: string) -> result: boolean", "net",
     "Whether an address or CIDR lies within a CIDR (IPv4 or IPv6)."},
    {"net.cidr_overlap", 2, 0, bi_cidr_contains, "(string, string) -> boolean", "net",
     "Deprecated alias of net.cidr_contains."},
    {"net.cidr_intersects", 2, 0, bi_cidr_intersects,
     "(cidr1: string, cidr2: string) -> result: boolean", "net",
     "Whether two CIDRs share at least one address."},
    {"net.cidr_contains_matches", 2, 0, bi_cidr_contains_matches,
     "(cidrs: " MATCH_ARG ", cidrs_or_ips: " MATCH_ARG ") -> output: set[<any, any>]", "net",
     "The [key, key] pairs of collections of CIDRs and addresses where the first contains the "
     "second."},
    {"net.cidr_expand", 1, 0, bi_cidr_expand, "(cidr: string) -> hosts: set[string]", "net",
     "Every address of a CIDR (bounded by GH_MAX_CIDR_EXPAND)."},
    {"net.cidr_merge", 1, 0, bi_cidr_merge,
     "(addrs: array[string]|set[string]) -> output: set[string]", "net",
     "The smallest set of CIDRs covering the given addresses and CIDRs."},
    {"net.cidr_is_valid", 1, 0, bi_cidr_is_valid, "(cidr: string) -> result: boolean", "net",
     "Whether a string is a valid IPv4 or IPv6 CIDR."},
    {"net.lookup_ip_addr", 1, RB_NONDET | RB_NOCACHE, bi_lookup_ip_addr,
     "(name: string) -> addrs: set[string]", "net",
     "The IPv4 and IPv6 addresses a host name resolves to."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
