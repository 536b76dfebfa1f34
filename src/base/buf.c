/* buf.c - growable heap byte buffers, string views, whole-file reads and
 * sorted directory listings.
 * A gh_buf is NUL-terminated whenever p != NULL; after an allocation
 * failure it stops growing and sets `oom`, so callers check once. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

gh_str gh_str_c(const char *s) { return (gh_str){s, s ? strlen(s) : 0}; }
int gh_str_eq(gh_str a, gh_str b) { return a.n == b.n && (a.n == 0 || !memcmp(a.p, b.p, a.n)); }
int gh_str_eqc(gh_str a, const char *c) { return gh_str_eq(a, gh_str_c(c)); }

void gh_buf_init(gh_buf *b) {
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

int gh_buf_reserve(gh_buf *b, size_t extra) {
    if (b->oom) return GH_ENOMEM;
    if (extra > SIZE_MAX / 2 - b->len) goto fail; /* before the sum below can wrap */
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = gh_realloc(b->p, cap);
    if (!p) goto fail;
    p[b->len] = '\0'; /* a fresh buffer is "" too (gh_buf_take, empty files) */
    b->p = p;
    b->cap = cap;
    return 0;
fail:
    b->oom = 1;
    return GH_ENOMEM;
}

void gh_buf_append(gh_buf *b, const void *p, size_t n) {
    if (gh_buf_reserve(b, n)) return;
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void gh_buf_puts(gh_buf *b, const char *s) { gh_buf_append(b, s, strlen(s)); }

void gh_buf_putc(gh_buf *b, char c) {
    if ((b->oom || b->len + 2 > b->cap) && gh_buf_reserve(b, 1)) return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void gh_buf_vprintf(gh_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || gh_buf_reserve(b, (size_t)n)) return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void gh_buf_printf(gh_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void gh_buf_reset(gh_buf *b) {
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

void gh_buf_free(gh_buf *b) {
    gh_free(b->p);
    gh_buf_init(b);
}

char *gh_buf_take(gh_buf *b, size_t *len) {
    if (!b->p) gh_buf_reserve(b, 0);
    char *p = b->p;
    if (len) *len = b->len;
    gh_buf_init(b);
    return p;
}

int gh_read_file(const char *path, size_t limit, char **out, size_t *len, gh_err *e) {
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return gh_err_set(e, GH_EIO, is_stdin ? "<stdin>" : path, 0, 0, "cannot open: %s",
                          strerror(errno));
    gh_buf b;
    gh_buf_init(&b);
    char tmp[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (b.len + n > limit) {
            rc = gh_err_set(e, GH_ELIMIT, path, 0, 0, "file larger than %zu bytes", limit);
            break;
        }
        gh_buf_append(&b, tmp, n);
        if (b.oom) {
            rc = gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory reading file");
            break;
        }
    }
    if (!rc && ferror(f)) rc = gh_err_set(e, GH_EIO, path, 0, 0, "read error: %s", strerror(errno));
    if (!is_stdin) fclose(f);
    if (rc) {
        gh_buf_free(&b);
        return rc;
    }
    if (gh_buf_reserve(&b, 0)) {
        gh_buf_free(&b);
        return gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory reading file");
    }
    *out = gh_buf_take(&b, len);
    return 0;
}

void gh_dir_names_free(char **names, size_t n) {
    for (size_t i = 0; i < n; i++)
        gh_free(names[i]);
    gh_free(names);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int gh_dir_names(const char *path, char ***names, size_t *n) {
    *names = NULL;
    *n = 0;
    DIR *d = opendir(path);
    if (!d) return GH_EIO;
    char **v = NULL;
    size_t k = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nv = gh_realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = GH_ENOMEM;
                break;
            }
            v = nv, cap = nc;
        }
        if (!(v[k] = gh_strndup(de->d_name, strlen(de->d_name)))) {
            rc = GH_ENOMEM;
            break;
        }
        k++;
    }
    closedir(d);
    if (rc) {
        gh_dir_names_free(v, k);
        return rc;
    }
    if (k) qsort(v, k, sizeof *v, cmp_names);
    *names = v;
    *n = k;
    return 0;
}
