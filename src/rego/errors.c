/* errors.c - rego_errors, the engine's error list as OPA reports it, and the
 * helpers compile stages use to fill one: each stage collects its errors in
 * a list of its own, then rc_elist_finish caps it at REGO_MAX_ERRORS (plus
 * OPA's "error limit reached"), writes the summary gh_err and hands the
 * entries to the caller's list. Errors are cold: nothing here is on the
 * evaluation path. Invariant: every string of a list is heap-owned by it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_int.h"

#define RC_ELIST_MAX (100 * REGO_MAX_ERRORS) /* entries a list holds at most */
#define RC_ELIST_KEEP (10 * REGO_MAX_ERRORS) /* of which a full list keeps the first */

static void error_free(rego_error *x) {
    gh_free(x->message);
    gh_free(x->file);
    gh_free(x->details);
    gh_free(x->detail_text);
}

void rego_errors_free(rego_errors *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) error_free(&l->v[i]);
    gh_free(l->v);
    memset(l, 0, sizeof *l);
}

static char *dup_opt(rego_errors *l, const char *s) {
    if (!s) return NULL;
    char *d = gh_strndup(s, strlen(s));
    if (!d) l->oom = true;
    return d;
}

int rc_elist_add(rego_errors *l, int status, const char *kind, const char *file, int row, int col,
                 const char *msg, const char *details, const char *detail_text) {
    /* a stage reports only the first ten by location: a module with
     * countless errors must not make it hold them all, so a full list keeps
     * its first entries by location and goes on */
    if (l->n >= RC_ELIST_MAX) {
        rc_elist_sort(l);
        for (size_t i = RC_ELIST_KEEP; i < l->n; i++) error_free(&l->v[i]);
        l->n = RC_ELIST_KEEP;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        rego_error *nv = gh_realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->oom = true;
            return GH_ENOMEM;
        }
        l->v = nv;
        l->cap = nc;
    }
    rego_error *x = &l->v[l->n];
    memset(x, 0, sizeof *x);
    x->code = kind ? kind : "rego_compile_error";
    x->status = status ? status : GH_EINVAL;
    x->row = row;
    x->col = col;
    x->message = dup_opt(l, msg ? msg : "");
    if (!x->message) return GH_ENOMEM;
    x->file = dup_opt(l, file ? file : "");
    x->details = dup_opt(l, details);
    x->detail_text = dup_opt(l, detail_text);
    l->n++;
    return 0;
}

int rc_elist_add_gh(rego_errors *l, const gh_err *x) {
    return rc_elist_add(l, x->code, x->kind, x->file, x->line, x->col, x->msg, NULL, NULL);
}

static int err_cmp(const rego_error *a, const rego_error *b) {
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return strcmp(a->message, b->message);
}

void rc_elist_sort(rego_errors *l) {
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < l->n; i++)
        for (size_t j = i; j > 0 && err_cmp(&l->v[j - 1], &l->v[j]) > 0; j--) {
            rego_error t = l->v[j];
            l->v[j] = l->v[j - 1];
            l->v[j - 1] = t;
        }
}

void rc_elist_append(rego_errors *sink, rego_errors *l) {
    for (size_t i = 0; i < l->n; i++) {
        if (sink->n == sink->cap) {
            size_t nc = sink->cap ? sink->cap * 2 : 8;
            rego_error *nv = gh_realloc(sink->v, nc * sizeof *nv);
            if (!nv) {
                sink->oom = true;
                for (size_t j = i; j < l->n; j++) error_free(&l->v[j]);
                break;
            }
            sink->v = nv;
            sink->cap = nc;
        }
        sink->v[sink->n++] = l->v[i];
    }
    if (l->oom) sink->oom = true;
    gh_free(l->v);
    memset(l, 0, sizeof *l);
}

int rc_elist_finish(rego_errors *l, gh_err *e, rego_errors *sink) {
    if (!l->n) {
        bool oom = l->oom;
        rego_errors_free(l);
        return oom ? gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory") : 0;
    }
    if (l->n > REGO_MAX_ERRORS) {
        for (size_t i = REGO_MAX_ERRORS; i < l->n; i++) error_free(&l->v[i]);
        l->n = REGO_MAX_ERRORS;
        /* the list had room for these entries, so this cannot fail */
        rc_elist_add(l, GH_EINVAL, "rego_compile_error", NULL, 0, 0, "error limit reached", NULL,
                     NULL);
        gh_free(l->v[l->n - 1].file);
        l->v[l->n - 1].file = NULL;
    }
    const rego_error *first = &l->v[0];
    int rc = first->status;
    if (e) {
        /* the summary: the first error, later ones joined as the compiler
         * always did ("\nfile:row:col: code: message") for callers that read
         * one gh_err; the limit marker has no location and is left out */
        gh_buf m;
        gh_buf_init(&m);
        gh_buf_puts(&m, first->message);
        for (size_t i = 1; i < l->n; i++) {
            const rego_error *x = &l->v[i];
            if (!x->file) continue;
            gh_buf_printf(&m, "\n%s:%d:%d: %s: %s", x->file, x->row, x->col, x->code, x->message);
        }
        gh_err_set(e, rc, first->file, first->row,
                   first->col, "%s", m.p ? m.p : first->message);
        gh_err_set_kind(e, first->code);
        gh_buf_free(&m);
    }
    if (sink)
        rc_elist_append(sink, l);
    else
        rego_errors_free(l);
    return rc;
}
