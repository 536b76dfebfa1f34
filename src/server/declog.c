/* declog.c - decision ids and the decision log: one JSON line per decision
 * {decision_id, path, input_sha256, result, revision, timestamp, latency_ns}
 * appended to a file by a background writer thread. Called by the data and
 * admission handlers on worker threads. Invariants: a worker never blocks on
 * the log (a bounded lock-free queue; when it is full the record is dropped
 * and counted); the input itself is never written, only its SHA-256; the
 * writer drains everything queued before srv_declog_close returns. A log
 * opened with srv_declog_open_live can switch files (or turn on or off)
 * while serving: only the writer and srv_declog_reopen touch the file
 * descriptor (under fd_mu); workers read one atomic flag. */
#include "server/srv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Records waiting for the writer; a power of two. At 100k decisions/s this
 * is ~40 ms of slack for a slow disk before records are dropped. */
#define DECLOG_QUEUE 4096
/* A result whose JSON is longer than this is logged as "result_truncated"
 * with its SHA-256 instead (policy results can be large objects). */
#define DECLOG_MAX_RESULT 65536
/* Lines the writer gathers into one write(2). */
#define DECLOG_BATCH 256

typedef struct cell {
    _Atomic size_t seq;
    char *line; /* heap, owned by the queue while enqueued */
    size_t len;
} cell;

struct srv_declog {
    int fd;                /* -1: logging off (ids only); guarded by fd_mu once started */
    _Atomic bool on;       /* fd >= 0, for the workers */
    pthread_mutex_t fd_mu; /* the writer's writes vs srv_declog_reopen */
    cell *cells;
    _Alignas(64) _Atomic size_t head; /* next slot to fill (producers) */
    _Alignas(64) _Atomic size_t tail; /* next slot to drain (writer) */
    _Alignas(64) _Atomic uint64_t dropped;
    _Atomic uint64_t written;
    _Atomic bool stop;
    sem_t wake;
    pthread_t thread;
    bool started;
};

/* ---- bounded multi-producer queue (sequence numbers per cell) ---------- */

static bool queue_push(srv_declog *d, char *line, size_t len) {
    size_t pos = atomic_load_explicit(&d->head, memory_order_relaxed);
    for (;;) {
        cell *c = &d->cells[pos & (DECLOG_QUEUE - 1)];
        size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
        intptr_t diff = (intptr_t)seq - (intptr_t)pos;
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&d->head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                c->line = line;
                c->len = len;
                atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
                return true;
            }
        } else if (diff < 0) {
            return false; /* full */
        } else {
            pos = atomic_load_explicit(&d->head, memory_order_relaxed);
        }
    }
}

/* Single consumer (the writer thread). */
static bool queue_pop(srv_declog *d, char **line, size_t *len) {
    size_t pos = atomic_load_explicit(&d->tail, memory_order_relaxed);
    cell *c = &d->cells[pos & (DECLOG_QUEUE - 1)];
    size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
    if (seq != pos + 1) return false;
    *line = c->line;
    *len = c->len;
    c->line = NULL;
    atomic_store_explicit(&d->tail, pos + 1, memory_order_relaxed);
    atomic_store_explicit(&c->seq, pos + DECLOG_QUEUE, memory_order_release);
    return true;
}

/* ---- writer thread --------------------------------------------------------- */

static bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Pop up to DECLOG_BATCH lines and write them at once; false when empty. */
static bool drain_batch(srv_declog *d, gh_buf *batch) {
    char *line;
    size_t len;
    int n = 0;
    gh_buf_reset(batch);
    while (n < DECLOG_BATCH && queue_pop(d, &line, &len)) {
        gh_buf_append(batch, line, len);
        gh_free(line);
        n++;
    }
    if (!n) return false;
    pthread_mutex_lock(&d->fd_mu);
    bool ok = !batch->oom && d->fd >= 0 && write_all(d->fd, batch->p, batch->len);
    pthread_mutex_unlock(&d->fd_mu);
    if (!ok) {
        atomic_fetch_add_explicit(&d->dropped, (uint64_t)n, memory_order_relaxed);
        if (batch->oom) {
            gh_buf_free(batch);
            gh_buf_init(batch);
        }
    } else {
        atomic_fetch_add_explicit(&d->written, (uint64_t)n, memory_order_relaxed);
    }
    return true;
}

static void *writer_main(void *arg) {
    srv_declog *d = arg;
    gh_buf batch;
    gh_buf_init(&batch);
    for (;;) {
        while (sem_wait(&d->wake) != 0 && errno == EINTR) {
        }
        while (drain_batch(d, &batch)) {
        }
        if (atomic_load_explicit(&d->stop, memory_order_acquire)) {
            while (drain_batch(d, &batch)) {
            }
            break;
        }
    }
    gh_buf_free(&batch);
    return NULL;
}

/* ---- open / close ------------------------------------------------------------ */

/* A log with a queue and a writer when `writer`; its file is path (NULL:
 * none yet). */
static srv_declog *declog_new(const char *path, bool writer, gh_err *e) {
    srv_declog *d = gh_calloc(1, sizeof *d);
    if (!d) {
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "decision log: out of memory");
        return NULL;
    }
    d->fd = -1;
    pthread_mutex_init(&d->fd_mu, NULL);
    if (!writer) return d;
    d->cells = gh_calloc(DECLOG_QUEUE, sizeof(cell));
    if (!d->cells) {
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "decision log: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < DECLOG_QUEUE; i++)
        atomic_init(&d->cells[i].seq, i);
    /* 0600: results and paths may be sensitive even without the input */
    if (path && (d->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        gh_err_set(e, GH_EIO, path, 0, 0, "decision log: cannot open: %s", strerror(errno));
        goto fail;
    }
    atomic_store(&d->on, d->fd >= 0);
    if (sem_init(&d->wake, 0, 0) != 0 || pthread_create(&d->thread, NULL, writer_main, d) != 0) {
        gh_err_set(e, GH_EINTERNAL, path, 0, 0, "decision log: cannot start the writer thread");
        if (d->fd >= 0) close(d->fd);
        goto fail;
    }
    d->started = true;
    return d;
fail:
    gh_free(d->cells);
    pthread_mutex_destroy(&d->fd_mu);
    gh_free(d);
    return NULL;
}

srv_declog *srv_declog_open(const char *path, gh_err *e) {
    bool on = path && *path;
    return declog_new(on ? path : NULL, on, e);
}

srv_declog *srv_declog_open_live(const char *path, gh_err *e) {
    return declog_new(path && *path ? path : NULL, true, e);
}

int srv_declog_reopen(srv_declog *d, const char *path, gh_err *e) {
    if (!d || !d->started)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "decision log: not opened for reopening");
    int fd = -1;
    if (path && *path && (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
        return gh_err_set(e, GH_EIO, path, 0, 0, "decision log: cannot open: %s", strerror(errno));
    pthread_mutex_lock(&d->fd_mu);
    int old = d->fd;
    d->fd = fd;
    atomic_store(&d->on, fd >= 0);
    pthread_mutex_unlock(&d->fd_mu);
    if (old >= 0) close(old);
    return 0;
}

void srv_declog_close(srv_declog *d) {
    if (!d) return;
    if (d->started) {
        atomic_store_explicit(&d->stop, true, memory_order_release);
        sem_post(&d->wake);
        pthread_join(d->thread, NULL);
        sem_destroy(&d->wake);
    }
    if (d->cells) {
        /* lines a racing producer pushed after the writer's last drain */
        char *line;
        size_t len;
        while (queue_pop(d, &line, &len)) {
            if (d->fd >= 0 && write_all(d->fd, line, len))
                atomic_fetch_add_explicit(&d->written, 1, memory_order_relaxed);
            gh_free(line);
        }
    }
    if (d->fd >= 0) close(d->fd);
    pthread_mutex_destroy(&d->fd_mu);
    gh_free(d->cells);
    gh_free(d);
}

uint64_t srv_declog_dropped(const srv_declog *d) {
    return d ? atomic_load_explicit(&((srv_declog *)d)->dropped, memory_order_relaxed) : 0;
}

uint64_t srv_declog_written(const srv_declog *d) {
    return d ? atomic_load_explicit(&((srv_declog *)d)->written, memory_order_relaxed) : 0;
}

/* ---- decision ids -------------------------------------------------------------- */

static void fill_random(void *p, size_t n) {
    if (RAND_bytes(p, (int)n) == 1) return;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom((char *)p + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
        else if (errno != EINTR)
            break;
    }
}

/* splitmix64: each worker's generator, seeded once from RAND_bytes. Ids need
 * uniqueness, not secrecy. */
static uint64_t next_u64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void uuid_v4(srv_worker *w, char id[37]) {
    uint8_t b[16];
    if (w) {
        while (w->rng == 0)
            fill_random(&w->rng, sizeof w->rng);
        uint64_t hi = next_u64(&w->rng), lo = next_u64(&w->rng);
        memcpy(b, &hi, 8);
        memcpy(b + 8, &lo, 8);
    } else {
        fill_random(b, sizeof b);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) id[o++] = '-';
        id[o++] = hex[b[i] >> 4];
        id[o++] = hex[b[i] & 15];
    }
    id[o] = 0;
}

/* ---- records ------------------------------------------------------------------- */

static void put_sha256(gh_buf *b, const void *p, size_t n) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
        gh_buf_puts(b, "null");
        return;
    }
    gh_buf_putc(b, '"');
    for (int i = 0; i < 32; i++) {
        gh_buf_putc(b, hex[md[i] >> 4]);
        gh_buf_putc(b, hex[md[i] & 15]);
    }
    gh_buf_putc(b, '"');
}

/* RFC 3339 with nanoseconds, UTC, trailing zeros of the fraction trimmed
 * (Go's time.RFC3339Nano, which OPA's decision logs use). */
void srv_declog_timestamp(int64_t unix_ns, char out[40]) {
    time_t sec = (time_t)(unix_ns / 1000000000);
    long ns = (long)(unix_ns % 1000000000);
    if (ns < 0) {
        ns += 1000000000;
        sec -= 1;
    }
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    if (ns) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%09ld", ns);
        size_t fl = strlen(frac);
        while (frac[fl - 1] == '0')
            frac[--fl] = 0;
        memcpy(out + n, frac, fl + 1);
        n += fl;
    }
    out[n++] = 'Z';
    out[n] = 0;
}

void srv_declog_record(srv_declog *d, srv_worker *w, const char *path, const val_t *input,
                       const val_t *result, uint64_t revision, int64_t latency_ns, char id[37]) {
    uuid_v4(w, id);
    if (!d || !atomic_load_explicit(&d->on, memory_order_relaxed)) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char stamp[40];
    srv_declog_timestamp((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, stamp);

    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "{\"decision_id\":\"");
    gh_buf_puts(&b, id);
    gh_buf_puts(&b, "\",\"path\":");
    if (!path) path = "";
    gh_json_quote(&b, path, strlen(path));
    gh_buf_puts(&b, ",\"input_sha256\":");
    if (input) {
        /* digest of the canonical (sorted, compact) JSON of the input */
        size_t start = b.len;
        val_json_emit(&b, input, VAL_JSON_SORTED);
        if (!b.oom) {
            size_t n = b.len - start;
            char *tmp = gh_malloc(n ? n : 1);
            if (tmp) {
                memcpy(tmp, b.p + start, n);
                b.len = start;
                b.p[start] = 0;
                put_sha256(&b, tmp, n);
                gh_free(tmp);
            } else {
                b.oom = 1;
            }
        }
    } else {
        gh_buf_puts(&b, "null");
    }
    if (result) {
        size_t start = b.len;
        gh_buf_puts(&b, ",\"result\":");
        size_t vstart = b.len;
        val_json_emit(&b, result, VAL_JSON_SORTED);
        if (!b.oom && b.len - vstart > DECLOG_MAX_RESULT) {
            size_t n = b.len - vstart;
            char *tmp = gh_malloc(n);
            if (tmp) {
                memcpy(tmp, b.p + vstart, n);
                b.len = start;
                b.p[start] = 0;
                gh_buf_puts(&b, ",\"result_truncated\":true,\"result_sha256\":");
                put_sha256(&b, tmp, n);
                gh_free(tmp);
            } else {
                b.oom = 1;
            }
        }
    }
    gh_buf_printf(&b, ",\"revision\":%llu,\"timestamp\":\"%s\",\"latency_ns\":%lld}\n",
                  (unsigned long long)revision, stamp, (long long)latency_ns);
    if (b.oom) {
        gh_buf_free(&b);
        atomic_fetch_add_explicit(&d->dropped, 1, memory_order_relaxed);
        return;
    }
    size_t len;
    char *line = gh_buf_take(&b, &len);
    if (!line || !queue_push(d, line, len)) {
        gh_free(line);
        atomic_fetch_add_explicit(&d->dropped, 1, memory_order_relaxed);
        return;
    }
    sem_post(&d->wake);
}
