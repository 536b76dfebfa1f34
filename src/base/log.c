/* log.c - leveled logging, plain or JSON lines, to stderr or a file.
 * Credential-looking fields are always redacted; library code logs only
 * through here and never prints directly. One mutex keeps lines whole. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base.h"

/* atomics: the server's reload thread changes them while workers log */
static _Atomic int min_level = GH_LOG_INFO;
static _Atomic int log_format = GH_LOG_PLAIN;
static FILE *log_file;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void gh_log_setup(gh_log_level min, gh_log_format fmt) {
    atomic_store_explicit(&min_level, (int)min, memory_order_relaxed);
    atomic_store_explicit(&log_format, (int)fmt, memory_order_relaxed);
}

int gh_log_open(const char *path, gh_err *e) {
    FILE *f = fopen(path, "a");
    if (!f) return gh_err_set(e, GH_EIO, path, 0, 0, "cannot open log file: %s", strerror(errno));
    pthread_mutex_lock(&log_mu);
    if (log_file) fclose(log_file);
    log_file = f;
    pthread_mutex_unlock(&log_mu);
    return 0;
}

void gh_log_close(void) {
    pthread_mutex_lock(&log_mu);
    if (log_file) fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_mu);
}

/* Does `low` hold w at position i? */
static int word_at(const char *low, size_t n, size_t i, const char *w) {
    size_t wl = strlen(w);
    return i + wl <= n && memcmp(low + i, w, wl) == 0;
}

int gh_log_key_is_secret(const char *key) {
    /* the words below, anywhere in the lowercased key; one pass that looks
     * only at the words starting with each character (every log line's keys
     * go through here) */
    static const char *const by_first[][5] = {
        ['a' - 'a'] = {"authorization", "apikey", "api_key", "api-key", NULL},
        ['b' - 'a'] = {"bearer", NULL},
        ['c' - 'a'] = {"cookie", "credential", NULL},
        ['p' - 'a'] = {"password", "passwd", "private", NULL},
        ['s' - 'a'] = {"secret", "session", "signature", NULL},
        ['t' - 'a'] = {"token", NULL},
    };
    char low[128];
    size_t n = strlen(key);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)key[i]);
    low[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)low[i];
        if (c < 'a' || c > 't') continue;
        for (const char *const *w = by_first[c - 'a']; *w; w++)
            if (word_at(low, n, i, *w)) return 1;
    }
    return strcmp(low, "key") == 0 || (n > 4 && strcmp(low + n - 4, "_key") == 0);
}

void gh_json_quote(gh_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    gh_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': gh_buf_append(b, "\\\"", 2); break;
        case '\\': gh_buf_append(b, "\\\\", 2); break;
        case '\n': gh_buf_append(b, "\\n", 2); break;
        case '\r': gh_buf_append(b, "\\r", 2); break;
        case '\t': gh_buf_append(b, "\\t", 2); break;
        default:
            if (c < 0x20) {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                gh_buf_append(b, u, 6);
            } else {
                gh_buf_putc(b, (char)c);
            }
        }
    }
    gh_buf_putc(b, '"');
}

static const char *level_name(gh_log_level l) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    return (unsigned)l < 4 ? names[l] : "info";
}

int gh_log_vappend(gh_buf *b, gh_log_level lvl, const char *msg, va_list ap) {
    if ((int)lvl < atomic_load_explicit(&min_level, memory_order_relaxed)) return 0;
    /* the date part is formatted once per second per thread */
    static _Thread_local time_t ts_sec = -1;
    static _Thread_local char ts[40];
    static _Thread_local size_t ts_len;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != ts_sec) {
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        ts_len = strftime(ts, sizeof ts - 8, "%Y-%m-%dT%H:%M:%S", &tm);
        ts_sec = now.tv_sec;
    }
    int ms = (int)(now.tv_nsec / 1000000);
    char full[48];
    memcpy(full, ts, ts_len);
    full[ts_len] = '.';
    full[ts_len + 1] = (char)('0' + ms / 100);
    full[ts_len + 2] = (char)('0' + ms / 10 % 10);
    full[ts_len + 3] = (char)('0' + ms % 10);
    full[ts_len + 4] = 'Z';
    full[ts_len + 5] = '\0';

    int json = atomic_load_explicit(&log_format, memory_order_relaxed) == GH_LOG_JSON;
    if (json) {
        gh_buf_puts(b, "{\"time\":\"");
        gh_buf_puts(b, full);
        gh_buf_puts(b, "\",\"level\":\"");
        gh_buf_puts(b, level_name(lvl));
        gh_buf_puts(b, "\",\"msg\":");
        gh_json_quote(b, msg, strlen(msg));
    } else {
        gh_buf_printf(b, "%s %-5s %s", full, level_name(lvl), msg);
    }
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (!v) v = "";
        if (gh_log_key_is_secret(k)) v = "[REDACTED]";
        if (json) {
            gh_buf_putc(b, ',');
            gh_json_quote(b, k, strlen(k));
            gh_buf_putc(b, ':');
            gh_json_quote(b, v, strlen(v));
        } else {
            gh_buf_putc(b, ' ');
            gh_buf_puts(b, k);
            gh_buf_putc(b, '=');
            if (strpbrk(v, " \"=\n\t") || !*v)
                gh_json_quote(b, v, strlen(v));
            else
                gh_buf_puts(b, v);
        }
    }
    gh_buf_puts(b, json ? "}\n" : "\n");
    return 1;
}

int gh_log_append(gh_buf *b, gh_log_level lvl, const char *msg, ...) {
    va_list ap;
    va_start(ap, msg);
    int r = gh_log_vappend(b, lvl, msg, ap);
    va_end(ap);
    return r;
}

void gh_log_write(const char *p, size_t n) {
    if (!n) return;
    pthread_mutex_lock(&log_mu);
    FILE *f = log_file ? log_file : stderr;
    fwrite(p, 1, n, f);
    fflush(f);
    pthread_mutex_unlock(&log_mu);
}

void gh_log(gh_log_level lvl, const char *msg, ...) {
    if ((int)lvl < atomic_load_explicit(&min_level, memory_order_relaxed)) return;
    gh_buf b;
    gh_buf_init(&b);
    va_list ap;
    va_start(ap, msg);
    gh_log_vappend(&b, lvl, msg, ap);
    va_end(ap);
    if (!b.oom) gh_log_write(b.p, b.len);
    gh_buf_free(&b);
}
