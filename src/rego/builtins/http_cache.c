/* http_cache.c - http.send's inter-query cache: raw responses (status,
 * headers, body) keyed by the canonical JSON of the request object, kept
 * in one malloc block per entry, bounded in bytes with least-recently-used
 * eviction, guarded by one mutex (lookups copy the entry into the caller's
 * arena, so nothing escapes the lock). Freshness follows OPA: Date plus
 * Cache-Control max-age, else Expires; force_cache uses its own duration. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_int.h"

#define HC_DEFAULT_MAX (64u * 1024u * 1024u)

typedef struct hc_entry {
    struct hc_entry *hnext;       /* hash chain */
    struct hc_entry *prev, *next; /* recency list, head = most recent */
    uint64_t hash;
    size_t bytes;
    long code;
    int64_t created_ns; /* query time of insertion (force_cache without Date) */
    size_t klen, slen, hlen, blen;
    char *key, *status, *hdrs, *body; /* into data[] */
    char data[];
} hc_entry;

struct rego_http_cache {
    pthread_mutex_t mu;
    hc_entry **tab;
    size_t ntab; /* power of two */
    hc_entry *head, *tail;
    size_t n, bytes, max;
};

rego_http_cache *rego_http_cache_new(size_t max_bytes) {
    rego_http_cache *hc = calloc(1, sizeof *hc);
    if (!hc) return NULL;
    hc->ntab = 256;
    hc->tab = calloc(hc->ntab, sizeof *hc->tab);
    if (!hc->tab || pthread_mutex_init(&hc->mu, NULL)) {
        free(hc->tab);
        free(hc);
        return NULL;
    }
    hc->max = max_bytes ? max_bytes : HC_DEFAULT_MAX;
    return hc;
}

void rego_http_cache_free(rego_http_cache *hc) {
    if (!hc) return;
    for (hc_entry *e = hc->head, *nx; e; e = nx) {
        nx = e->next;
        free(e);
    }
    pthread_mutex_destroy(&hc->mu);
    free(hc->tab);
    free(hc);
}

void rego_http_cache_stats(rego_http_cache *hc, size_t *entries, size_t *bytes) {
    pthread_mutex_lock(&hc->mu);
    if (entries) *entries = hc->n;
    if (bytes) *bytes = hc->bytes;
    pthread_mutex_unlock(&hc->mu);
}

/* ---- table and recency list (caller holds mu) ----------------------------------------------- */

static hc_entry **slot(rego_http_cache *hc, uint64_t h, const char *k, size_t kl) {
    hc_entry **pp = &hc->tab[h & (hc->ntab - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->klen == kl && !memcmp((*pp)->key, k, kl)))
        pp = &(*pp)->hnext;
    return pp;
}

static void lru_unlink(rego_http_cache *hc, hc_entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        hc->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        hc->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_front(rego_http_cache *hc, hc_entry *e) {
    e->prev = NULL;
    e->next = hc->head;
    if (hc->head) hc->head->prev = e;
    hc->head = e;
    if (!hc->tail) hc->tail = e;
}

static void remove_entry(rego_http_cache *hc, hc_entry *e) {
    hc_entry **pp = slot(hc, e->hash, e->key, e->klen);
    if (*pp == e) *pp = e->hnext;
    lru_unlink(hc, e);
    hc->n--;
    hc->bytes -= e->bytes;
    free(e);
}

static void grow(rego_http_cache *hc) {
    if (hc->n < hc->ntab || hc->ntab > (SIZE_MAX / sizeof(hc_entry *)) / 4) return;
    size_t nn = hc->ntab * 2;
    hc_entry **nt = calloc(nn, sizeof *nt);
    if (!nt) return; /* longer chains, still correct */
    for (size_t i = 0; i < hc->ntab; i++)
        for (hc_entry *e = hc->tab[i], *nx; e; e = nx) {
            nx = e->hnext;
            e->hnext = nt[e->hash & (nn - 1)];
            nt[e->hash & (nn - 1)] = e;
        }
    free(hc->tab);
    hc->tab = nt;
    hc->ntab = nn;
}

/* ---- header helpers ------------------------------------------------------------------------- */

/* Go's http.ParseTime: IMF-fixdate, RFC 850, ANSI C asctime. */
static bool parse_http_date(const char *s, int64_t *ns) {
    static const char *const fmts[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                       "%a %b %e %H:%M:%S %Y"};
    if (!s) return false;
    for (size_t i = 0; i < 3; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(s, fmts[i], &tm);
        if (!end || *end) continue;
        time_t t = timegm(&tm);
        *ns = (int64_t)t * 1000000000ll;
        return true;
    }
    return false;
}

/* OPA's Cache-Control reading: the first header's comma-separated
 * directives, names case-sensitive. *max_age: -1 when absent, -2 invalid. */
static void cache_control(const char *cc, int64_t *max_age, bool *no_store) {
    *max_age = -1;
    *no_store = false;
    if (!cc) return;
    const char *p = cc;
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *a = p, *b = e;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        const char *eq = memchr(a, '=', (size_t)(b - a));
        if (eq) {
            const char *k = a, *ke = eq;
            while (ke > k && ke[-1] == ' ')
                ke--;
            while (k < ke && *k == ' ')
                k++;
            const char *v = eq + 1;
            if (!memchr(v, '=', (size_t)(b - v)) && (size_t)(ke - k) == 7 &&
                !memcmp(k, "max-age", 7)) {
                int64_t n = 0;
                bool ok = v < b;
                for (const char *q = v; ok && q < b; q++) {
                    if (*q < '0' || *q > '9')
                        ok = false;
                    else if (n <= INT32_MAX)
                        n = n * 10 + (*q - '0');
                }
                *max_age = ok ? (n > INT32_MAX ? INT32_MAX : n) : -2;
            }
        } else if ((size_t)(b - a) == 8 && !memcmp(a, "no-store", 8)) {
            *no_store = true;
        }
        p = *e ? e + 1 : e;
    }
}

/* Is a response with these headers fresh at now_ns (OPA's rules)? */
static bool is_fresh(const char *hdrs, size_t hlen, int64_t created_ns, int64_t now_ns,
                     const hs_cache_params *p) {
    int64_t date;
    if (!parse_http_date(hs_hdr_get(hdrs, hlen, "Date"), &date)) {
        if (!p->force) return false;
        date = created_ns; /* force_cache counts from when we stored it */
    }
    if (now_ns == 0) return false;
    int64_t age = now_ns - date;
    if (age < 0) return false;
    if (p->force) return p->force_secs > 0 && p->force_secs > age / 1000000000ll;
    int64_t max_age;
    bool no_store;
    cache_control(hs_hdr_get(hdrs, hlen, "Cache-Control"), &max_age, &no_store);
    if (max_age >= 0) return max_age * 1000000000ll > age;
    int64_t exp;
    if (!parse_http_date(hs_hdr_get(hdrs, hlen, "Expires"), &exp)) return false;
    return exp > now_ns;
}

bool hs_code_cacheable(long code) {
    switch (code) {
    case 200:
    case 203:
    case 204:
    case 206:
    case 300:
    case 301:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501: return true;
    default: return false;
    }
}

/* ---- lookup / store ------------------------------------------------------------------------- */

static char *adup(gh_arena *a, const char *s, size_t n) { return gh_arena_strndup(a, s, n); }

int hs_cache_get(rego_http_cache *hc, gh_arena *a, const char *key, size_t klen, int64_t now_ns,
                 const hs_cache_params *p, hs_cached *out) {
    memset(out, 0, sizeof *out);
    uint64_t h = gh_hash(key, klen);
    int rc = 0;
    pthread_mutex_lock(&hc->mu);
    hc_entry *e = *slot(hc, h, key, klen);
    if (e) {
        lru_unlink(hc, e);
        lru_front(hc, e);
        out->code = e->code;
        out->status = adup(a, e->status, e->slen);
        out->hdrs = adup(a, e->hdrs, e->hlen);
        out->body = adup(a, e->body, e->blen);
        out->status_len = e->slen;
        out->hdrs_len = e->hlen;
        out->body_len = e->blen;
        out->fresh = is_fresh(e->hdrs, e->hlen, e->created_ns, now_ns, p);
        rc = out->status && out->hdrs && out->body ? 1 : GH_ENOMEM;
    }
    pthread_mutex_unlock(&hc->mu);
    if (rc == 1) {
        const char *v = hs_hdr_get(out->hdrs, out->hdrs_len, "ETag");
        out->etag = v && *v ? v : NULL;
        v = hs_hdr_get(out->hdrs, out->hdrs_len, "Last-Modified");
        out->last_modified = v && *v ? v : NULL;
    }
    return rc;
}

void hs_cache_del(rego_http_cache *hc, const char *key, size_t klen) {
    uint64_t h = gh_hash(key, klen);
    pthread_mutex_lock(&hc->mu);
    hc_entry *e = *slot(hc, h, key, klen);
    if (e) remove_entry(hc, e);
    pthread_mutex_unlock(&hc->mu);
}

void hs_cache_put(rego_http_cache *hc, const char *key, size_t klen, int64_t now_ns,
                  const hs_cache_params *p, long code, const char *status, size_t status_len,
                  const char *hdrs, size_t hdrs_len, const char *body, size_t body_len) {
    if (!hs_code_cacheable(code)) return;
    if (!p->force) {
        int64_t max_age;
        bool no_store;
        cache_control(hs_hdr_get(hdrs, hdrs_len, "Cache-Control"), &max_age, &no_store);
        if (no_store || max_age == -2) return;
    }
    size_t total = sizeof(hc_entry);
    size_t parts[4] = {klen, status_len, hdrs_len, body_len};
    for (size_t i = 0; i < 4; i++) {
        if (parts[i] > SIZE_MAX - total - 1) return;
        total += parts[i] + 1;
    }
    if (total > hc->max) return;
    hc_entry *e = malloc(total);
    if (!e) return;
    memset(e, 0, sizeof *e);
    e->hash = gh_hash(key, klen);
    e->bytes = total;
    e->code = code;
    e->created_ns = now_ns;
    char *w = e->data;
    const char *src[4] = {key, status, hdrs, body};
    char **dst[4] = {&e->key, &e->status, &e->hdrs, &e->body};
    for (size_t i = 0; i < 4; i++) {
        *dst[i] = w;
        if (parts[i]) memcpy(w, src[i], parts[i]);
        w[parts[i]] = 0;
        w += parts[i] + 1;
    }
    e->klen = klen;
    e->slen = status_len;
    e->hlen = hdrs_len;
    e->blen = body_len;
    pthread_mutex_lock(&hc->mu);
    hc_entry **pp = slot(hc, e->hash, key, klen);
    if (*pp) remove_entry(hc, *pp);
    while (hc->tail && hc->bytes + total > hc->max)
        remove_entry(hc, hc->tail);
    pp = slot(hc, e->hash, key, klen);
    e->hnext = NULL;
    *pp = e;
    lru_front(hc, e);
    hc->n++;
    hc->bytes += total;
    grow(hc);
    pthread_mutex_unlock(&hc->mu);
}

int hs_merge_headers(gh_buf *out, const char *old, size_t oldlen, const char *upd, size_t updlen) {
    size_t i = 0;
    while (i < oldlen) {
        const char *k = old + i;
        size_t kl = strlen(k), vl = strlen(k + kl + 1);
        if (!hs_hdr_get(upd, updlen, k)) gh_buf_append(out, k, kl + vl + 2);
        i += kl + vl + 2;
    }
    gh_buf_append(out, upd, updlen);
    return out->oom ? GH_ENOMEM : 0;
}
