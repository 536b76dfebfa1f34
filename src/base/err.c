/* err.c - the one error type (gh_err) and the error vocabulary. Messages
 * are truncated, never overflowed; a NULL gh_err means "caller not asking". */
#include <stdio.h>
#include <string.h>

#include "base.h"

void gh_err_clear(gh_err *e) {
    if (!e) return;
    e->code = 0;
    e->line = e->col = 0;
    e->file[0] = '\0';
    e->msg[0] = '\0';
    e->kind = NULL;
}

void gh_err_set_kind(gh_err *e, const char *kind) {
    if (e) e->kind = kind;
}

int gh_err_setv(gh_err *e, int code, const char *file, int line, int col, const char *fmt,
                va_list ap) {
    if (!e) return code;
    e->code = code;
    e->line = line;
    e->col = col;
    if (file)
        snprintf(e->file, sizeof e->file, "%s", file);
    else
        e->file[0] = '\0';
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->kind = NULL;
    return code;
}

int gh_err_set(gh_err *e, int code, const char *file, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(e, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

void gh_err_set_file(gh_err *e, const char *file) {
    if (e && file && e->file[0] == '\0') snprintf(e->file, sizeof e->file, "%s", file);
}

const char *gh_err_format(const gh_err *e, char *out, size_t outsz) {
    if (!outsz) return out;
    if (!e) {
        snprintf(out, outsz, "unknown error");
        return out;
    }
    const char *msg = e->msg[0] ? e->msg : gh_strerror(e->code);
    if (e->file[0] && e->line)
        snprintf(out, outsz, "%s:%d:%d: %s", e->file, e->line, e->col, msg);
    else if (e->file[0])
        snprintf(out, outsz, "%s: %s", e->file, msg);
    else if (e->line)
        snprintf(out, outsz, "%d:%d: %s", e->line, e->col, msg);
    else
        snprintf(out, outsz, "%s", msg);
    return out;
}

const char *gh_strerror(int code) {
    switch (code) {
    case GH_OK: return "ok";
    case GH_ENOMEM: return "out of memory";
    case GH_EINVAL: return "invalid argument";
    case GH_EPARSE: return "parse error";
    case GH_ELIMIT: return "limit exceeded";
    case GH_EIO: return "i/o error";
    case GH_ENOTFOUND: return "not found";
    case GH_ETYPE: return "type error";
    case GH_ECONFLICT: return "conflict";
    case GH_ECANCEL: return "cancelled";
    case GH_EINTERNAL: return "internal error";
    }
    return "unknown error";
}
