/* semver.c - semver.is_valid and semver.compare, registered as
 * rego_bi_semver. Parsing follows OPA 1.x: an optional leading "v", then
 * MAJOR.MINOR.PATCH (each a base-10 int64, leading zeros allowed), an
 * optional "-prerelease" and "+metadata" whose dot-separated identifiers
 * match [0-9A-Za-z-]+ (an empty prerelease or metadata is accepted).
 * Precedence is SemVer 2.0's: numeric identifiers below alphanumeric ones,
 * numerically compared (clamped to int64, like Go's strconv.Atoi). */
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"

typedef struct {
    int64_t major, minor, patch;
    const char *pre;
    size_t pren;
} semver;

static bool ident_ok(const char *s, size_t n) {
    /* ^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$ */
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (!run) return false;
            run = 0;
        } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   c == '-') {
            run++;
        } else {
            return false;
        }
    }
    return run > 0;
}

/* strconv.ParseInt(s, 10, 64) restricted to what can reach it here (no
 * sign survives the cuts on '-' and '+'). */
static bool parse_i64(const char *s, size_t n, int64_t *out) {
    if (!n) return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1) return false;
    }
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return false;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static const char *memchr_c(const char *s, size_t n, char c) { return memchr(s, c, n); }

static bool semver_parse(const char *s, size_t n, semver *v) {
    if (n && s[0] == 'v') {
        s++;
        n--;
    }
    const char *plus = memchr_c(s, n, '+');
    if (plus) {
        const char *meta = plus + 1;
        size_t mn = n - (size_t)(meta - s);
        if (mn && !ident_ok(meta, mn)) return false;
        n = (size_t)(plus - s);
    }
    const char *dash = memchr_c(s, n, '-');
    v->pre = "";
    v->pren = 0;
    if (dash) {
        v->pre = dash + 1;
        v->pren = n - (size_t)(v->pre - s);
        if (v->pren && !ident_ok(v->pre, v->pren)) return false;
        n = (size_t)(dash - s);
    }
    const char *d1 = memchr_c(s, n, '.');
    if (!d1) return false;
    const char *d2 = memchr_c(d1 + 1, n - (size_t)(d1 + 1 - s), '.');
    if (!d2 || memchr_c(d2 + 1, n - (size_t)(d2 + 1 - s), '.')) return false;
    return parse_i64(s, (size_t)(d1 - s), &v->major) &&
           parse_i64(d1 + 1, (size_t)(d2 - d1 - 1), &v->minor) &&
           parse_i64(d2 + 1, n - (size_t)(d2 + 1 - s), &v->patch);
}

static bool all_digits(const char *s, size_t n) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* strconv.Atoi on an all-digit identifier: out-of-range values clamp. */
static int64_t atoi_clamp(const char *s, size_t n) {
    int64_t v;
    return parse_i64(s, n, &v) ? v : INT64_MAX;
}

static int cmp3(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

static int semver_cmp(const semver *a, const semver *b) {
    int c;
    if ((c = cmp3(a->major, b->major)) || (c = cmp3(a->minor, b->minor)) ||
        (c = cmp3(a->patch, b->patch)))
        return c;
    if (a->pren == b->pren && memcmp(a->pre, b->pre, a->pren) == 0) return 0;
    if (!a->pren) return 1;
    if (!b->pren) return -1;
    const char *pa = a->pre, *ea = a->pre + a->pren, *pb = b->pre, *eb = b->pre + b->pren;
    for (;;) {
        const char *qa = memchr_c(pa, (size_t)(ea - pa), '.'), *qb = memchr_c(pb, (size_t)(eb - pb), '.');
        size_t la = (size_t)((qa ? qa : ea) - pa), lb = (size_t)((qb ? qb : eb) - pb);
        if (!la && lb) return -1;
        if (la && !lb) return 1;
        bool ia = all_digits(pa, la), ib = all_digits(pb, lb);
        if (ia && !ib) return -1;
        if (!ia && ib) return 1;
        if (ia && ib) {
            if ((c = cmp3(atoi_clamp(pa, la), atoi_clamp(pb, lb)))) return c;
            /* Equal values spelled differently ("01", "1"): OPA 1.x would
             * loop forever here; order them bytewise, as OPA 0.61 did. */
            size_t m = la < lb ? la : lb;
            if ((c = memcmp(pa, pb, m))) return c < 0 ? -1 : 1;
            if (la != lb) return la < lb ? -1 : 1;
        } else {
            size_t m = la < lb ? la : lb;
            c = memcmp(pa, pb, m);
            if (c) return c < 0 ? -1 : 1;
            if (la != lb) return la < lb ? -1 : 1;
        }
        bool more_a = qa != NULL, more_b = qb != NULL;
        if (more_a && !more_b) return 1;
        if (!more_a && more_b) return -1;
        if (!more_a && !more_b) return 0;
        pa = qa + 1;
        pb = qb + 1;
    }
}

static int bi_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)c;
    semver v;
    *out = val_bool(val_is_str(args[0]) &&
                    semver_parse(val_str_ptr(args[0]), val_str_len(args[0]), &v));
    return RB_OK;
}

static int not_valid(rego_bctx *c, int pos, const val_t *s) {
    rb_sb q;
    rb_sb_init(&q, c->a, val_str_len(s) + 8);
    rb_go_quote_sb(&q, val_str_ptr(s), val_str_len(s), false);
    if (q.oom) return rb_oom(c);
    return rb_err(c, "operand %d: string %.*s is not a valid SemVer", pos, (int)q.len, q.p);
}

static int bi_compare(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_str(c, args, 0, NULL, NULL);
    if (!rc) rc = rb_arg_str(c, args, 1, NULL, NULL);
    if (rc) return rc;
    semver a, b;
    if (!semver_parse(val_str_ptr(args[0]), val_str_len(args[0]), &a)) return not_valid(c, 1, args[0]);
    if (!semver_parse(val_str_ptr(args[1]), val_str_len(args[1]), &b)) return not_valid(c, 2, args[1]);
    *out = val_int(c->a, semver_cmp(&a, &b));
    return *out ? RB_OK : rb_oom(c);
}

const rego_builtin rego_bi_semver[] = {
    {"semver.compare", 2, 0, bi_compare, "(a: string, b: string) -> result: number", NULL,
     "Compares two SemVer strings by precedence: -1, 0 or 1."},
    {"semver.is_valid", 1, 0, bi_is_valid, "(vsn: any) -> result: boolean", NULL,
     "Reports whether the value is a valid SemVer string."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
