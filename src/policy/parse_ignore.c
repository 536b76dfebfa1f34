/* parse_ignore.c - .gitignore / .dockerignore inputs for `gatehouse check`,
 * in the shape conftest's "ignore" parser gives them (see pol_parse_ignore in
 * policy.h): one array with an entry per line, blank lines and comments
 * included. Called by cli_input.c and the check builtins. Invariant: every
 * string put in a value is valid UTF-8 (bad bytes become U+FFFD, as Go's
 * JSON encoding does on conftest's side). */
#include <string.h>

#include "parse_int.h"
#include "policy/policy.h"

/* Length of the valid UTF-8 sequence at s (< end), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end) {
    size_t n;
    uint32_t min;
    if (s[0] < 0x80) return 1;
    if ((s[0] & 0xE0) == 0xC0)
        n = 2, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0)
        n = 3, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0)
        n = 4, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - s) < n) return 0;
    uint32_t cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/* A string value of s[0..n), invalid UTF-8 bytes replaced by U+FFFD. */
static val_t *ustr(gh_arena *a, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    bool ok = true;
    for (const unsigned char *q = p; q < end && ok;) {
        size_t k = utf8_len(q, end);
        if (!k) ok = false;
        q += k;
    }
    if (ok) return val_str(a, s, n);
    gh_buf b;
    gh_buf_init(&b);
    for (const unsigned char *q = p; q < end;) {
        size_t k = utf8_len(q, end);
        if (k) {
            gh_buf_append(&b, (const char *)q, k);
            q += k;
        } else {
            pol_put_utf8(&b, 0xFFFD);
            q++;
        }
    }
    val_t *v = b.oom ? NULL : val_str(a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return v;
}

static bool is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* [s, *e) trimmed of white space on both ends. */
static const char *trim(const char *s, const char **e) {
    while (s < *e && is_ws((unsigned char)*s))
        s++;
    while (*e > s && is_ws((unsigned char)(*e)[-1]))
        (*e)--;
    return s;
}

static int entry(gh_arena *a, val_t *arr, const char *line, const char *lend) {
    const char *te = lend;
    const char *t = trim(line, &te);
    const char *kind = "Path";
    if (t == te) {
        kind = "Empty";
    } else if (*t == '#') {
        kind = "Comment";
        t = trim(t + 1, &te);
    } else if (*t == '!') {
        kind = "NegatedPath";
        t++;
    }
    val_t *o = val_obj_new(a, 3);
    val_t *k = val_strc(a, kind), *v = ustr(a, t, (size_t)(te - t));
    val_t *orig = ustr(a, line, (size_t)(lend - line));
    val_t *kk = val_strc(a, "Kind"), *kv = val_strc(a, "Value"), *ko = val_strc(a, "Original");
    if (!o || !k || !v || !orig || !kk || !kv || !ko) return GH_ENOMEM;
    if (val_obj_put(a, o, kk, k) || val_obj_put(a, o, kv, v) || val_obj_put(a, o, ko, orig) ||
        val_arr_push(a, arr, o))
        return GH_ENOMEM;
    return 0;
}

int pol_parse_ignore(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                     gh_err *e) {
    const char *s = text, *end = text + n;
    size_t nlines = 1;
    for (const char *q = s; q < end; q++)
        nlines += *q == '\n';
    val_t *arr = val_arr_new(a, nlines);
    if (!arr) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    for (;;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *lend = nl ? nl : end;
        if (entry(a, arr, s, lend)) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
        if (!nl) break;
        s = nl + 1;
    }
    *out = arr;
    return 0;
}
