/* load_errors.c - OPA-shaped error lists for loading and compiling
 * policies (pol_errors): loader messages, engine errors split into one
 * entry per "file:row: code: message" line with parse-error details, OPA's
 * text form ("N errors occurred: ...") and its JSON error objects. Callers:
 * the loader (load.c), the CLI (eval, test, bench, check) and the server.
 * Invariant: every string in a list is heap-owned by the list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "rego/rego.h"

static pol_error *errs_push(pol_errors *l) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        pol_error *nv = gh_realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return NULL;
        }
        l->v = nv;
        l->cap = nc;
    }
    pol_error *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    return x;
}

void pol_errors_addf(pol_errors *l, const char *fmt, ...) {
    char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pol_error *x = errs_push(l);
    if (!x) return;
    x->message = gh_strndup(msg, strlen(msg));
    if (!x->message) l->oom = 1;
}

/* OPA's parse-error details: the line holding the error offset (moved back
 * over whitespace) and the offset's index in that line. */
static void add_details(pol_error *x, const char *src, size_t n) {
    size_t begin, end, off;
    if (!src || !rego_err_source_line(src, n, x->row, x->col, &begin, &end, &off)) return;
    x->detail_line = gh_strndup(src + begin, end - begin);
    x->detail_idx = (int)(off - begin);
}

static void add_one(pol_errors *l, const char *code, const char *file, int row, int col,
                    const char *msg, size_t msglen, const char *src, size_t srclen) {
    pol_error *x = errs_push(l);
    if (!x) return;
    size_t cl = code ? strlen(code) : 0;
    if (code && msglen > cl + 2 && !memcmp(msg, code, cl) && msg[cl] == ':' && msg[cl + 1] == ' ') {
        msg += cl + 2;
        msglen -= cl + 2;
    }
    x->message = gh_strndup(msg, msglen);
    x->code = code;
    x->row = row;
    x->col = col;
    /* an error without any location (e.g. a cancelled evaluation) has none in OPA */
    bool noloc = (!file || !file[0]) && row <= 0;
    x->file = noloc ? NULL : gh_strndup(file, strlen(file));
    if (!x->message || (!noloc && !x->file)) l->oom = 1;
    if (code && !strcmp(code, "rego_parse_error")) add_details(x, src, srclen);
}

/* Codes are static strings in OPA's vocabulary; map a parsed one back. */
static const char *static_code(const char *s, size_t n) {
    static const char *const codes[] = {
        "rego_parse_error",      "rego_compile_error",   "rego_type_error",
        "rego_unsafe_var_error", "rego_recursion_error", "eval_conflict_error",
        "eval_type_error",       "eval_builtin_error",   "eval_cancel_error",
    };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (strlen(codes[i]) == n && !memcmp(codes[i], s, n)) return codes[i];
    return NULL;
}

void pol_errors_add_gh(pol_errors *l, const gh_err *e, const char *src, size_t srclen) {
    char cbuf[64];
    const char *c = rego_err_code(e, cbuf, sizeof cbuf);
    const char *code = c ? static_code(c, strlen(c)) : NULL;
    if (c && !code) code = "rego_compile_error";
    const char *msg = e->msg;
    const char *nl = strchr(msg, '\n');
    if (!code) {
        /* not an engine error: a plain message with its location */
        char buf[GH_ERR_MSG + GH_ERR_FILE + 64];
        pol_errors_addf(l, "%s", gh_err_format(e, buf, sizeof buf));
        return;
    }
    add_one(l, code, e->file, e->line, e->col, msg, nl ? (size_t)(nl - msg) : strlen(msg), src,
            srclen);
    /* further errors joined by the compiler: "\nfile:row[:col]: code: message" */
    while (nl) {
        const char *line = nl + 1;
        nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* find ": code: " */
        const char *p = line, *end = line + len, *cs = NULL;
        int row = 0;
        while (p < end) {
            const char *colon = memchr(p, ':', (size_t)(end - p));
            if (!colon) break;
            char *q;
            long r = strtol(colon + 1, &q, 10);
            long col = 0;
            if (q > colon + 1 && q + 1 < end && q[0] == ':' && q[1] >= '0' && q[1] <= '9') {
                char *q2;
                col = strtol(q + 1, &q2, 10); /* "file:row:col: code: message" */
                q = q2;
            }
            if (q > colon + 1 && q + 1 < end && q[0] == ':' && q[1] == ' ') {
                row = (int)r;
                cs = q + 2;
                const char *ce = cs;
                while (ce < end && *ce != ':')
                    ce++;
                const char *code2 = static_code(cs, (size_t)(ce - cs));
                if (code2 && ce + 1 < end) {
                    char *file = gh_strndup(line, (size_t)(colon - line));
                    add_one(l, code2, file, row, (int)col, ce + 2, (size_t)(end - ce - 2), NULL,
                            0);
                    gh_free(file);
                    break;
                }
            }
            p = colon + 1;
            cs = NULL;
        }
        if (!cs) add_one(l, code, e->file, 0, 0, line, len, NULL, 0);
    }
}

void pol_errors_add_list(pol_errors *l, const rego_errors *r, const gh_err *e, const char *src,
                         size_t srclen) {
    if (!r || !r->n) {
        if (e && e->code) pol_errors_add_gh(l, e, src, srclen);
        if (r && r->oom) l->oom = 1;
        return;
    }
    if (r->oom) l->oom = 1;
    for (size_t i = 0; i < r->n; i++) pol_errors_add_rego(l, &r->v[i], src, srclen);
}

void pol_errors_add_rego(pol_errors *l, const rego_error *x, const char *src, size_t srclen) {
    size_t before = l->n;
    if (x->no_source_line) src = NULL;
    add_one(l, x->code, x->file, x->row, x->col, x->message, strlen(x->message), src, srclen);
    if (l->n == before) return;
    pol_error *y = &l->v[l->n - 1];
    if (x->details) {
        y->details = gh_strndup(x->details, strlen(x->details));
        if (!y->details) l->oom = 1;
    }
    if (x->detail_text) {
        y->detail_text = gh_strndup(x->detail_text, strlen(x->detail_text));
        if (!y->detail_text) l->oom = 1;
    }
}

void pol_errors_free(pol_errors *l) {
    for (size_t i = 0; i < l->n; i++) {
        gh_free(l->v[i].details);
        gh_free(l->v[i].detail_text);
        gh_free(l->v[i].message);
        gh_free(l->v[i].file);
        gh_free(l->v[i].text);
        gh_free(l->v[i].detail_line);
    }
    gh_free(l->v);
    memset(l, 0, sizeof *l);
}

void pol_error_text(gh_buf *b, const pol_error *x) {
    if (!x->code) {
        gh_buf_puts(b, x->message);
        return;
    }
    if (x->file && x->file[0])
        gh_buf_printf(b, "%s:%d: ", x->file, x->row);
    else if (x->text)
        gh_buf_printf(b, "%s: ", x->text);
    else if (x->file)
        gh_buf_printf(b, "%d:%d: ", x->row, x->col);
    gh_buf_printf(b, "%s: %s", x->code, x->message);
    if (x->detail_line) {
        /* leading tabs are dropped and the caret moves left by as many */
        const char *line = x->detail_line;
        int tabs = 0;
        while (line[tabs] == '\t')
            tabs++;
        int indent = x->detail_idx - tabs;
        if (indent < 0) indent = 0;
        gh_buf_printf(b, "\n\t%s\n\t%*s^", line + tabs, indent, "");
    }
    for (const char *p = x->detail_text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        gh_buf_printf(b, "\n\t%.*s", (int)n, p);
        p = nl ? nl + 1 : p + n;
    }
}

void pol_errors_text(gh_buf *b, const pol_errors *l, const char *what) {
    if (l->n == 1) {
        gh_buf_printf(b, "1 error occurred%s: ", what);
        pol_error_text(b, &l->v[0]);
        gh_buf_putc(b, '\n');
        return;
    }
    gh_buf_printf(b, "%zu errors occurred%s:\n", l->n, what);
    for (size_t i = 0; i < l->n; i++) {
        pol_error_text(b, &l->v[i]);
        gh_buf_putc(b, '\n');
    }
}

/* ---- values for the REST API and one-line summaries ------------------------------- */

static int put_str(gh_arena *a, val_t *o, const char *k, const char *s) {
    val_t *kv = val_strc(a, k), *sv = val_strc(a, s ? s : "");
    return !kv || !sv || val_obj_put(a, o, kv, sv) ? -1 : 0;
}

static int put_int(gh_arena *a, val_t *o, const char *k, int64_t i) {
    val_t *kv = val_strc(a, k), *iv = val_int(a, i);
    return !kv || !iv || val_obj_put(a, o, kv, iv) ? -1 : 0;
}

static int put_val(gh_arena *a, val_t *o, const char *k, val_t *v) {
    val_t *kv = val_strc(a, k);
    return !kv || !v || val_obj_put(a, o, kv, v) ? -1 : 0;
}

val_t *pol_errors_to_value(gh_arena *a, const pol_errors *l) {
    val_t *arr = val_arr_new(a, l->n);
    if (!arr) return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const pol_error *x = &l->v[i];
        val_t *o = val_obj_new(a, 4);
        if (!o) return NULL;
        if (put_str(a, o, "code", x->code ? x->code : "internal_error") ||
            put_str(a, o, "message", x->message))
            return NULL;
        if (x->code && x->file) {
            val_t *loc = val_obj_new(a, 3);
            if (!loc || put_str(a, loc, "file", x->file) || put_int(a, loc, "row", x->row) ||
                put_int(a, loc, "col", x->col) || put_val(a, o, "location", loc))
                return NULL;
        }
        if (x->code && x->detail_line) {
            val_t *d = val_obj_new(a, 2);
            if (!d || put_str(a, d, "line", x->detail_line) ||
                put_int(a, d, "idx", x->detail_idx) || put_val(a, o, "details", d))
                return NULL;
        } else if (x->code && x->details) {
            val_t *d = NULL;
            if (val_json_parse(a, x->details, strlen(x->details), NULL, &d, NULL) ||
                put_val(a, o, "details", d))
                return NULL;
        }
        if (val_arr_push(a, arr, o)) return NULL;
    }
    return arr;
}

int pol_errors_to_err(const pol_errors *l, gh_err *e) {
    if (l->oom) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (!l->n) return 0;
    int code = GH_EINVAL;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].code && !strcmp(l->v[i].code, "rego_parse_error")) code = GH_EPARSE;
    gh_buf b;
    gh_buf_init(&b);
    pol_errors_text(&b, l, "");
    if (b.oom) {
        gh_buf_free(&b);
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t n = b.len;
    while (n && b.p[n - 1] == '\n')
        n--;
    gh_err_set(e, code, NULL, 0, 0, "%.*s", (int)(n > GH_ERR_MSG ? GH_ERR_MSG : n), b.p);
    gh_buf_free(&b);
    gh_err_set_kind(e, l->v[0].code);
    return code;
}
