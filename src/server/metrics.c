/* metrics.c - the server's Prometheus metrics: request counts by route and
 * status, latency histograms by route, decisions by result, reloads and the
 * policy revision. Workers (transport, handlers) record; GET /metrics renders.
 * Invariants: each worker index 0..SRV_METRICS_MAX_WORKERS-1 owns one
 * cache-line aligned shard that only its thread writes (relaxed load + store,
 * no lock, no read-modify-write); other indices share an overflow shard
 * updated with atomic adds. Rendering sums the shards with relaxed loads. */
#include "server/srv_int.h"

#include <math.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- label tables ------------------------------------------------------ */

/* Status codes counted exactly; any other code falls into its class slot
 * ("1xx" ... "5xx", or "other" outside 100..599). */
static const int known_codes[] = {200, 201, 202, 204, 206, 301, 302, 304, 307, 308, 400, 401,
                                  403, 404, 405, 406, 408, 409, 411, 412, 413, 414, 415, 416,
                                  417, 422, 426, 429, 431, 500, 501, 502, 503, 504, 505};
#define NKNOWN_CODES ((int)(sizeof known_codes / sizeof known_codes[0]))
#define NCODES (NKNOWN_CODES + 6) /* + 1xx..5xx + other */
static const char *const class_names[6] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

/* Status code -> slot, built once (codes 0..599; 600 = "other"). */
static uint8_t code_slot[601];
static pthread_once_t code_once = PTHREAD_ONCE_INIT;

static void code_table_init(void) {
    for (int c = 0; c <= 600; c++) {
        int cls = (c >= 100 && c < 600) ? c / 100 - 1 : 5;
        code_slot[c] = (uint8_t)(NKNOWN_CODES + cls);
    }
    for (int i = 0; i < NKNOWN_CODES; i++)
        code_slot[known_codes[i]] = (uint8_t)i;
}

static int slot_of_code(int status) {
    if (status < 0 || status > 600) status = 600;
    return code_slot[status];
}

static void code_label(int slot, char out[8]) {
    if (slot < NKNOWN_CODES) {
        int c = known_codes[slot];
        out[0] = (char)('0' + c / 100);
        out[1] = (char)('0' + c / 10 % 10);
        out[2] = (char)('0' + c % 10);
        out[3] = 0;
    } else {
        strcpy(out, class_names[slot - NKNOWN_CODES]);
    }
}

/* Decision results the handlers report; anything else counts as "other". */
static const char *const results[] = {"true",    "false",  "undefined", "error",
                                      "allowed", "denied", "other"};
#define NRESULTS ((int)(sizeof results / sizeof results[0]))

/* Latency buckets (upper bounds, ns) and their `le` labels as Prometheus
 * clients print them. 50 us .. 10 s. */
static const int64_t bucket_ns[] = {50000,      100000,     250000,    500000,     1000000,
                                    2500000,    5000000,    10000000,  25000000,   50000000,
                                    100000000,  250000000,  500000000, 1000000000, 2500000000,
                                    5000000000, 10000000000};
static const char *const bucket_le[] = {"5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025",
                                        "0.005", "0.01",   "0.025",   "0.05",   "0.1",   "0.25",
                                        "0.5",   "1",      "2.5",     "5",      "10"};
#define NBUCKETS ((int)(sizeof bucket_ns / sizeof bucket_ns[0]))
_Static_assert(sizeof bucket_ns / sizeof bucket_ns[0] == sizeof bucket_le / sizeof bucket_le[0],
               "one label per bucket");

/* ---- shards -------------------------------------------------------------- */

/* Route labels are interned in a table of at most SRV_METRICS_MAX_ROUTES
 * entries per srv_metrics (the router's static route names, ~15); routes
 * past the table count under its last slot, labelled "other". */
#define SRV_METRICS_MAX_ROUTES 32
typedef _Atomic uint64_t ctr;

typedef struct route_stats {
    ctr codes[NCODES];
    ctr buckets[NBUCKETS + 1]; /* last: above 10 s (only in +Inf) */
    ctr sum_ns;
} route_stats;

typedef struct shard {
    _Alignas(64) route_stats routes[SRV_METRICS_MAX_ROUTES];
    ctr decisions[NRESULTS];
} shard;

struct srv_metrics {
    shard *shards; /* SRV_METRICS_MAX_WORKERS + 1 (overflow) */
    void *shards_mem;
    /* route names: published by storing nroutes after the name (release) */
    const char *route_names[SRV_METRICS_MAX_ROUTES];
    char route_buf[SRV_METRICS_MAX_ROUTES][48];
    _Atomic int nroutes;
    pthread_mutex_t route_mu; /* only for adding a new route name */
    ctr reload_ok, reload_err;
    ctr revision;
    const srv_declog *declog;
    srv_state *state;  /* when attached, the revision is read from it */
    double start_time; /* Unix seconds */
};

srv_metrics *srv_metrics_new(void) {
    pthread_once(&code_once, code_table_init);
    srv_metrics *m = gh_calloc(1, sizeof *m);
    if (!m) return NULL;
    size_t n = (size_t)SRV_METRICS_MAX_WORKERS + 1;
    m->shards_mem = gh_calloc(1, n * sizeof(shard) + 64);
    if (!m->shards_mem) {
        gh_free(m);
        return NULL;
    }
    uintptr_t p = ((uintptr_t)m->shards_mem + 63) & ~(uintptr_t)63;
    m->shards = (shard *)p;
    pthread_mutex_init(&m->route_mu, NULL);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->start_time = (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
    return m;
}

void srv_metrics_free(srv_metrics *m) {
    if (!m) return;
    pthread_mutex_destroy(&m->route_mu);
    gh_free(m->shards_mem);
    gh_free(m);
}

void srv_metrics_attach_declog(srv_metrics *m, const srv_declog *d) {
    if (m) m->declog = d;
}

void srv_metrics_attach_state(srv_metrics *m, srv_state *st) {
    if (m) m->state = st;
}

/* Slot of a route label. The fast path compares pointers (routers pass
 * static strings), then text; a new name takes the mutex once. */
static int route_slot(srv_metrics *m, const char *route) {
    if (!route || !*route) route = "unknown";
    int n = atomic_load_explicit(&m->nroutes, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (m->route_names[i] == route) return i;
    for (int i = 0; i < n; i++)
        if (strcmp(m->route_names[i], route) == 0) return i;
    pthread_mutex_lock(&m->route_mu);
    n = atomic_load_explicit(&m->nroutes, memory_order_relaxed);
    int slot = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(m->route_names[i], route) == 0) slot = i;
    if (slot < 0) {
        if (n < SRV_METRICS_MAX_ROUTES - 1) {
            slot = n;
            size_t len = strlen(route);
            if (len >= sizeof m->route_buf[0]) len = sizeof m->route_buf[0] - 1;
            memcpy(m->route_buf[slot], route, len);
            m->route_buf[slot][len] = 0;
        } else if (n == SRV_METRICS_MAX_ROUTES - 1) {
            slot = n;
            strcpy(m->route_buf[slot], "other");
        } else {
            slot = SRV_METRICS_MAX_ROUTES - 1; /* table full: "other" */
        }
        if (slot == n) {
            m->route_names[slot] = m->route_buf[slot];
            atomic_store_explicit(&m->nroutes, n + 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&m->route_mu);
    return slot;
}

/* Single-writer increment for a worker's own shard; atomic add elsewhere. */
static inline void bump(ctr *c, uint64_t by, bool own) {
    if (own)
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static inline shard *shard_of(srv_metrics *m, int worker, bool *own) {
    *own = worker >= 0 && worker < SRV_METRICS_MAX_WORKERS;
    return &m->shards[*own ? worker : SRV_METRICS_MAX_WORKERS];
}

void srv_metrics_request(srv_metrics *m, int worker, const char *route, int status,
                         int64_t latency_ns) {
    if (!m) return;
    bool own;
    shard *s = shard_of(m, worker, &own);
    route_stats *r = &s->routes[route_slot(m, route)];
    if (latency_ns < 0) latency_ns = 0;
    int b = 0;
    while (b < NBUCKETS && latency_ns > bucket_ns[b])
        b++;
    bump(&r->codes[slot_of_code(status)], 1, own);
    bump(&r->buckets[b], 1, own);
    bump(&r->sum_ns, (uint64_t)latency_ns, own);
}

void srv_metrics_decision(srv_metrics *m, int worker, const char *result) {
    if (!m) return;
    bool own;
    shard *s = shard_of(m, worker, &own);
    int i = 0;
    if (result)
        while (i < NRESULTS - 1 && strcmp(results[i], result) != 0)
            i++;
    else
        i = NRESULTS - 1;
    bump(&s->decisions[i], 1, own);
}

void srv_metrics_reload(srv_metrics *m, bool ok, uint64_t revision) {
    if (!m) return;
    atomic_fetch_add_explicit(ok ? &m->reload_ok : &m->reload_err, 1, memory_order_relaxed);
    if (ok) atomic_store_explicit(&m->revision, revision, memory_order_relaxed);
}

/* ---- rendering ------------------------------------------------------------ */

/* Label value escaping of the text format: backslash, double quote, newline. */
void srv_metrics_escape_label(gh_buf *out, const char *s) {
    for (; *s; s++) {
        if (*s == '\\')
            gh_buf_puts(out, "\\\\");
        else if (*s == '"')
            gh_buf_puts(out, "\\\"");
        else if (*s == '\n')
            gh_buf_puts(out, "\\n");
        else
            gh_buf_putc(out, *s);
    }
}

/* HELP text escaping: backslash and newline (quotes stay). */
static void escape_help(gh_buf *out, const char *s) {
    for (; *s; s++) {
        if (*s == '\\')
            gh_buf_puts(out, "\\\\");
        else if (*s == '\n')
            gh_buf_puts(out, "\\n");
        else
            gh_buf_putc(out, *s);
    }
}

static void family(gh_buf *out, const char *name, const char *type, const char *help) {
    gh_buf_printf(out, "# HELP %s ", name);
    escape_help(out, help);
    gh_buf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* A float as Go's strconv 'g' -1 would print small values well enough for
 * Prometheus: integers exactly, others with 17 significant digits trimmed. */
static void put_float(gh_buf *out, double v) {
    if (v == floor(v) && fabs(v) < 1e15) {
        gh_buf_printf(out, "%.0f", v);
        return;
    }
    char tmp[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    gh_buf_puts(out, tmp);
}

static uint64_t ld(const ctr *c) { return atomic_load_explicit(c, memory_order_relaxed); }

void srv_metrics_render(srv_metrics *m, gh_buf *out) {
    if (!m) return;
    int nroutes = atomic_load_explicit(&m->nroutes, memory_order_acquire);
    int nshards = SRV_METRICS_MAX_WORKERS + 1;

    /* requests by route and code */
    family(out, "gatehouse_http_requests_total", "counter",
           "HTTP requests answered, by route and status code.");
    for (int r = 0; r < nroutes; r++) {
        for (int c = 0; c < NCODES; c++) {
            uint64_t sum = 0;
            for (int s = 0; s < nshards; s++)
                sum += ld(&m->shards[s].routes[r].codes[c]);
            if (!sum) continue;
            char code[8];
            code_label(c, code);
            gh_buf_puts(out, "gatehouse_http_requests_total{route=\"");
            srv_metrics_escape_label(out, m->route_names[r]);
            gh_buf_printf(out, "\",code=\"%s\"} %llu\n", code, (unsigned long long)sum);
        }
    }

    /* latency histogram by route */
    family(out, "gatehouse_http_request_duration_seconds", "histogram",
           "Time from the start of a request to its response, by route.");
    for (int r = 0; r < nroutes; r++) {
        uint64_t b[NBUCKETS + 1] = {0}, sum_ns = 0, count = 0;
        for (int s = 0; s < nshards; s++) {
            const route_stats *rs = &m->shards[s].routes[r];
            for (int i = 0; i <= NBUCKETS; i++)
                b[i] += ld(&rs->buckets[i]);
            sum_ns += ld(&rs->sum_ns);
        }
        for (int i = 0; i <= NBUCKETS; i++)
            count += b[i];
        if (!count) continue;
        uint64_t cum = 0;
        for (int i = 0; i < NBUCKETS; i++) {
            cum += b[i];
            gh_buf_puts(out, "gatehouse_http_request_duration_seconds_bucket{route=\"");
            srv_metrics_escape_label(out, m->route_names[r]);
            gh_buf_printf(out, "\",le=\"%s\"} %llu\n", bucket_le[i], (unsigned long long)cum);
        }
        gh_buf_puts(out, "gatehouse_http_request_duration_seconds_bucket{route=\"");
        srv_metrics_escape_label(out, m->route_names[r]);
        gh_buf_printf(out, "\",le=\"+Inf\"} %llu\n", (unsigned long long)count);
        gh_buf_puts(out, "gatehouse_http_request_duration_seconds_sum{route=\"");
        srv_metrics_escape_label(out, m->route_names[r]);
        gh_buf_puts(out, "\"} ");
        put_float(out, (double)sum_ns / 1e9);
        gh_buf_puts(out, "\ngatehouse_http_request_duration_seconds_count{route=\"");
        srv_metrics_escape_label(out, m->route_names[r]);
        gh_buf_printf(out, "\"} %llu\n", (unsigned long long)count);
    }

    /* decisions */
    family(out, "gatehouse_decisions_total", "counter", "Policy decisions, by result.");
    for (int i = 0; i < NRESULTS; i++) {
        uint64_t sum = 0;
        for (int s = 0; s < nshards; s++)
            sum += ld(&m->shards[s].decisions[i]);
        gh_buf_printf(out, "gatehouse_decisions_total{result=\"%s\"} %llu\n", results[i],
                      (unsigned long long)sum);
    }

    /* policy state */
    family(out, "gatehouse_policy_revision", "gauge",
           "Revision of the policy and data snapshot being served.");
    uint64_t rev = ld(&m->revision);
    if (m->state) {
        srv_snapshot *snap = srv_state_acquire(m->state);
        if (snap) {
            rev = snap->revision;
            srv_snapshot_release(snap);
        }
    }
    gh_buf_printf(out, "gatehouse_policy_revision %llu\n", (unsigned long long)rev);
    family(out, "gatehouse_reloads_total", "counter",
           "Policy and data changes applied (success) or rejected (error).");
    gh_buf_printf(out, "gatehouse_reloads_total{result=\"success\"} %llu\n",
                  (unsigned long long)ld(&m->reload_ok));
    gh_buf_printf(out, "gatehouse_reloads_total{result=\"error\"} %llu\n",
                  (unsigned long long)ld(&m->reload_err));

    if (m->declog) {
        family(out, "gatehouse_decision_log_dropped_total", "counter",
               "Decision log records dropped because the writer queue was full.");
        gh_buf_printf(out, "gatehouse_decision_log_dropped_total %llu\n",
                      (unsigned long long)srv_declog_dropped(m->declog));
    }

    /* process */
    family(out, "process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
    gh_buf_puts(out, "process_start_time_seconds ");
    put_float(out, m->start_time);
    gh_buf_putc(out, '\n');
    family(out, "gatehouse_build_info", "gauge",
           "Build information: gatehouse version and the OpenSSL it was built with.");
    gh_buf_puts(out, "gatehouse_build_info{version=\"");
    srv_metrics_escape_label(out, GH_VERSION);
    gh_buf_puts(out, "\",openssl=\"");
    srv_metrics_escape_label(out, OPENSSL_VERSION_TEXT);
    gh_buf_puts(out, "\"} 1\n");
}
