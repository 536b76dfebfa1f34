/* parse_dotenv.c - .env inputs for `gatehouse check`, read the way
 * conftest does through joho/godotenv (see pol_parse_dotenv in policy.h):
 * statements start at the next non-space character that is not a `#`
 * comment; a key (letters, digits, '_' and '.', optional `export `) ends at
 * '=' or ':'; values are unquoted (to the end of the line, a ` #` comment
 * cut off, trimmed), single-quoted (raw) or double-quoted (\n, \r and
 * backslash escapes); unquoted and double-quoted values expand $NAME and
 * ${NAME} (upper-case names) from keys read before. Quoted values may span
 * lines. Called by cli_input.c and the check builtins. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

typedef struct dp {
    const char *s, *end, *base, *file;
    gh_arena *a;
    gh_err *e;
    val_t *vars;
} dp;

static bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}
static bool is_any_space(unsigned char c) { return is_space(c) || c == '\n'; }

static void where(const dp *p, const char *at, int *line, int *col) {
    *line = 1, *col = 1;
    for (const char *q = p->base; q < at && q < p->end; q++) {
        if (*q == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

static int perr(const dp *p, const char *at, const char *msg) {
    int line, col;
    where(p, at, &line, &col);
    return gh_err_set(p->e, GH_EPARSE, p->file, line, col, "dotenv: %s", msg);
}

static bool name_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* godotenv's expansion: `\$X` keeps `$X`; `$NAME`, `${NAME}`, `$(NAME` with
 * NAME in [A-Z0-9_] become the earlier value ("" when unknown). */
static int expand(dp *p, const char *s, size_t n, gh_buf *out) {
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '$') {
            size_t j = i + 2;
            if (j < n && s[j] == '(') j++;
            if (j < n && s[j] == '{') j++;
            while (j < n && name_char((unsigned char)s[j]))
                j++;
            if (j < n && s[j] == '}') j++;
            gh_buf_append(out, s + i + 1, j - i - 1); /* the match without its backslash */
            i = j;
            continue;
        }
        if (s[i] != '$') {
            gh_buf_putc(out, s[i++]);
            continue;
        }
        size_t j = i + 1;
        if (j < n && s[j] == '(') j++;
        if (j < n && s[j] == '{') j++;
        size_t ns = j;
        while (j < n && name_char((unsigned char)s[j]))
            j++;
        size_t ne = j;
        if (j < n && s[j] == '}') j++;
        if (ne == ns) { /* no name: the text stays */
            gh_buf_append(out, s + i, j - i);
        } else {
            const val_t *v = val_obj_get_str(p->vars, s + ns, ne - ns);
            if (v) gh_buf_append(out, val_str_ptr(v), val_str_len(v));
        }
        i = j;
    }
    return out->oom ? gh_err_set(p->e, GH_ENOMEM, p->file, 0, 0, "out of memory") : 0;
}

/* \n and \r become newline and CR; a backslash before any other character
 * except '$' is dropped. */
static void unescape(const char *s, size_t n, gh_buf *out) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            if (c == 'n') {
                gh_buf_putc(out, '\n');
                i++;
                continue;
            }
            if (c == 'r') {
                gh_buf_putc(out, '\r');
                i++;
                continue;
            }
            if (c != '$') {
                gh_buf_putc(out, c);
                i++;
                continue;
            }
        }
        gh_buf_putc(out, s[i]);
    }
}

static int value(dp *p, const char *s, gh_buf *out, const char **rest) {
    const char *end = p->end;
    char q = s < end ? *s : 0;
    if (q != '"' && q != '\'') {
        const char *eol = s;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        const char *ev = eol;
        for (const char *c = eol; c-- > s;)
            if (*c == '#' && c > s && is_space((unsigned char)c[-1])) {
                ev = c;
                break;
            }
        const char *b = s;
        while (b < ev && is_space((unsigned char)*b))
            b++;
        while (ev > b && is_space((unsigned char)ev[-1]))
            ev--;
        *rest = eol;
        return expand(p, b, (size_t)(ev - b), out);
    }
    for (const char *c = s + 1; c < end; c++) {
        if (*c != q || c[-1] == '\\') continue;
        /* trim quote characters at both ends of s[0..c) */
        const char *b = s, *e = c;
        while (b < e && *b == q)
            b++;
        while (e > b && e[-1] == q)
            e--;
        *rest = c + 1;
        if (q == '\'') {
            gh_buf_append(out, b, (size_t)(e - b));
            return out->oom ? gh_err_set(p->e, GH_ENOMEM, p->file, 0, 0, "out of memory") : 0;
        }
        gh_buf un;
        gh_buf_init(&un);
        unescape(b, (size_t)(e - b), &un);
        int rc = un.oom ? gh_err_set(p->e, GH_ENOMEM, p->file, 0, 0, "out of memory")
                        : expand(p, un.p ? un.p : "", un.len, out);
        gh_buf_free(&un);
        return rc;
    }
    return perr(p, s, "unterminated quoted value");
}

int pol_parse_dotenv(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                     gh_err *e) {
    if (!file) file = "<dotenv>";
    if (n > GH_MAX_DOC_BYTES) return gh_err_set(e, GH_ELIMIT, file, 0, 0, "document too large");
    dp p = {text, text + n, text, file, a, e, val_obj_new(a, 16)};
    if (!p.vars) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    const char *s = text;
    for (;;) {
        /* statement start: skip spaces and comment lines */
        while (s < p.end && is_any_space((unsigned char)*s))
            s++;
        if (s >= p.end) break;
        if (*s == '#') {
            while (s < p.end && *s != '\n')
                s++;
            continue;
        }
        if (p.end - s > 7 && !memcmp(s, "export", 6) && is_space((unsigned char)s[6])) {
            s += 6;
            while (s < p.end && is_space((unsigned char)*s))
                s++;
        }
        const char *ks = s, *sep = NULL;
        for (const char *c = s; c < p.end; c++) {
            unsigned char ch = (unsigned char)*c;
            if (is_space(ch)) continue;
            if (ch == '=' || ch == ':') {
                sep = c;
                break;
            }
            if (ch == '_' || ch == '.' || ch >= 0x80 || (ch >= '0' && ch <= '9') ||
                ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))
                continue;
            char msg[64];
            if (ch == '\n')
                snprintf(msg, sizeof msg, "line has no '=' after the variable name");
            else
                snprintf(msg, sizeof msg, "unexpected character '%c' in variable name",
                         ch >= 0x20 && ch < 0x7f ? ch : '?');
            return perr(&p, c, msg);
        }
        if (!sep) return perr(&p, ks, "line has no '=' after the variable name");
        const char *ke = sep;
        while (ke > ks && is_space((unsigned char)ke[-1]))
            ke--;
        s = sep + 1;
        while (s < p.end && is_space((unsigned char)*s))
            s++;
        gh_buf v;
        gh_buf_init(&v);
        const char *rest = s;
        int rc = value(&p, s, &v, &rest);
        val_t *kv = rc ? NULL : val_str(a, ks, (size_t)(ke - ks));
        val_t *vv = rc ? NULL : val_str(a, v.p ? v.p : "", v.len);
        gh_buf_free(&v);
        if (rc) return rc;
        if (!kv || !vv || val_obj_put(a, p.vars, kv, vv))
            return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
        s = rest;
    }
    *out = p.vars;
    return 0;
}
