/* rego_ast.c - rego.parse_module(filename, rego): parses Rego text (OPA 1.x
 * syntax, annotations not processed, as OPA's builtin does) and returns the
 * module's AST in OPA's JSON shape (see rego_module_to_value). Registered as
 * rego_bi_rego. Parse errors become builtin errors with OPA's error-list text:
 * "1 error occurred: FILE:ROW: rego_parse_error: MSG" plus the offending
 * source line and a caret. Only the first error is reported. */
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/rego.h"

static bool is_builtin(void *ctx, const char *name, size_t n) {
    (void)ctx;
    return rego_builtin_find(name, n) != NULL;
}

bool rego_err_source_line(const char *src, size_t n, int row, int col, size_t *begin, size_t *end,
                          size_t *off) {
    if (!n || row <= 0) return false;
    size_t o = 0;
    for (int r = 1; o < n && r < row; o++)
        if (src[o] == '\n') r++;
    for (int c = 1; c < col && o < n && src[o] != '\n'; c++) { /* columns are code points */
        o++;
        while (o < n && ((unsigned char)src[o] & 0xc0) == 0x80)
            o++;
    }
    if (o >= n) o = n - 1;
    while (o > 0 && strchr(" \t\n\r\v\f", src[o]))
        o--;
    size_t b = o;
    while (b > 0 && src[b] != '\n' && src[b] != '\r')
        b--;
    if (src[b] == '\n' || src[b] == '\r') b++;
    size_t e = o;
    while (e < n && src[e] != '\n' && src[e] != '\r')
        e++;
    *begin = b > e ? e : b;
    *end = e;
    *off = o;
    return true;
}

/* OPA's parse-error detail: the source line holding the error position
 * (rego_err_source_line), leading tabs dropped, and a caret under the
 * position. Appends "\n\t<line>\n\t<spaces>^" to b. */
static void put_details(gh_buf *b, const char *src, size_t n, int row, int col) {
    size_t begin, end, off;
    if (!rego_err_source_line(src, n, row, col, &begin, &end, &off)) return;
    size_t tabs = 0;
    while (begin + tabs < end && src[begin + tabs] == '\t')
        tabs++;
    long indent = (long)(off - begin) - (long)tabs;
    if (indent < 0) indent = 0;
    gh_buf_puts(b, "\n\t");
    gh_buf_append(b, src + begin + tabs, end - begin - tabs);
    gh_buf_printf(b, "\n\t%*s^", (int)indent, "");
}

/* Errors OPA raises after parsing, while assembling the module (no source
 * line or caret in their text), recognised by their message. */
static bool has_details(const char *msg) {
    static const char *const prefix[] = {
        "empty module",
        "package expected",
        "unexpected package",
        "`if` keyword is required",
        "`contains` keyword is required",
        "assignment requires two operands",
        "rule argument list must take at least one argument",
        "rule name conflicts with built-in function",
        "invalid rule head: ",
    };
    static const char *const infix[] = {
        " keyword cannot be used for rule name",
        " cannot be used for rule name",
        " cannot be used for rule head",
        " must have value assignment and/or body declaration",
    };
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++)
        if (!strncmp(msg, prefix[i], strlen(prefix[i]))) return false;
    for (size_t i = 0; i < sizeof infix / sizeof *infix; i++)
        if (strstr(msg, infix[i])) return false;
    return true;
}

static int bi_parse_module(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *file, *src;
    size_t fn, n;
    int rc = rb_arg_str(c, args, 0, &file, &fn);
    if (!rc) rc = rb_arg_str(c, args, 1, &src, &n);
    if (rc) return rc;
    rego_parse_opts o = {.version = REGO_V1, .no_annotations = true, .is_builtin = is_builtin};
    rego_module *m = NULL;
    gh_err e;
    gh_err_clear(&e);
    rc = rego_parse_module(c->a, file, src, n, &o, &m, &e);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) {
        char cbuf[64];
        const char *code = rego_err_code(&e, cbuf, sizeof cbuf);
        const char *msg = e.msg;
        size_t cl = code ? strlen(code) : 0;
        if (code && !strncmp(msg, code, cl) && msg[cl] == ':' && msg[cl + 1] == ' ') msg += cl + 2;
        const char *nl = strchr(msg, '\n');
        gh_buf b;
        gh_buf_init(&b);
        /* OPA reports an empty module as a single error, not as a list */
        if (strncmp(msg, "empty module", 12) != 0) gh_buf_puts(&b, "1 error occurred: ");
        if (e.file[0])
            gh_buf_printf(&b, "%s:%d: ", e.file, e.line);
        else
            gh_buf_printf(&b, "%d:%d: ", e.line, e.col);
        gh_buf_printf(&b, "%s: %.*s", code ? code : "rego_parse_error",
                      (int)(nl ? (size_t)(nl - msg) : strlen(msg)), msg);
        if ((!code || !strcmp(code, "rego_parse_error")) && has_details(msg))
            put_details(&b, src, n, e.line, e.col);
        int r = b.oom ? rb_oom(c) : rb_err(c, "%.*s", (int)b.len, b.p);
        gh_buf_free(&b);
        return r;
    }
    val_t *v = rego_module_to_value(c->a, m);
    if (!v) return rb_oom(c);
    *out = v;
    return RB_OK;
}

const rego_builtin rego_bi_rego[] = {
    {"rego.parse_module", 2, 0, bi_parse_module,
     "(filename: string, rego: string) -> output: object[string: any]", "rego",
     "Parses a Rego module and returns its abstract syntax tree as an object."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
