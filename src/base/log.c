/* log.c - leveled logging, plain or JSON lines, to stderr or a file.
 * Credential-looking fields are always redacted; library code logs only
 * through here and never prints directly. One mutex keeps lines whole. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base.h"

static gh_log_level min_level = GH_LOG_INFO;
static gh_log_format log_format = GH_LOG_PLAIN;
static FILE *log_file;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void gh_log_setup(gh_log_level min, gh_log_format fmt) {
    min_level = min;
    log_format = fmt;
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

int gh_log_key_is_secret(const char *key) {
    static const char *const words[] = {"password", "passwd", "secret", "token", "authorization",
                                        "cookie", "private", "apikey", "api_key", "api-key",
                                        "credential", "session", "signature", "bearer"};
    char low[128];
    size_t n = strlen(key);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)key[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(low, words[i])) return 1;
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

void gh_log(gh_log_level lvl, const char *msg, ...) {
    if (lvl < min_level) return;
    char ts[40];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t tl = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + tl, sizeof ts - tl, ".%03ldZ", now.tv_nsec / 1000000);

    gh_buf b;
    gh_buf_init(&b);
    int json = log_format == GH_LOG_JSON;
    if (json) {
        gh_buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_name(lvl));
        gh_json_quote(&b, msg, strlen(msg));
    } else {
        gh_buf_printf(&b, "%s %-5s %s", ts, level_name(lvl), msg);
    }
    va_list ap;
    va_start(ap, msg);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (!v) v = "";
        if (gh_log_key_is_secret(k)) v = "[REDACTED]";
        if (json) {
            gh_buf_putc(&b, ',');
            gh_json_quote(&b, k, strlen(k));
            gh_buf_putc(&b, ':');
            gh_json_quote(&b, v, strlen(v));
        } else {
            gh_buf_printf(&b, " %s=", k);
            if (strpbrk(v, " \"=\n\t") || !*v)
                gh_json_quote(&b, v, strlen(v));
            else
                gh_buf_puts(&b, v);
        }
    }
    va_end(ap);
    gh_buf_puts(&b, json ? "}\n" : "\n");
    if (!b.oom) {
        pthread_mutex_lock(&log_mu);
        FILE *f = log_file ? log_file : stderr;
        fwrite(b.p, 1, b.len, f);
        fflush(f);
        pthread_mutex_unlock(&log_mu);
    }
    gh_buf_free(&b);
}
