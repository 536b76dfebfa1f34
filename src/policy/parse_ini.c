/* parse_ini.c - INI files into the object conftest's INI parser yields:
 * {section: {key: value}}, keys before the first section belong to
 * "DEFAULT", which is dropped. Values that read as numbers or booleans
 * become numbers/booleans, others stay strings (quotes removed, inline
 * `#`/`;` comments cut). Called by `gatehouse check` / `gatehouse parse`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "policy/parse_int.h"
#include "policy/policy.h"

static void trim(const char **s, const char **end) {
    while (*s < *end && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

static int bool_word(const char *s, size_t n) { /* 1 true, 0 false, -1 neither */
    static const char *const t[] = {"t", "T", "true", "True", "TRUE"};
    static const char *const f[] = {"f", "F", "false", "False", "FALSE"};
    for (size_t i = 0; i < 5; i++) {
        if (strlen(t[i]) == n && !memcmp(s, t[i], n)) return 1;
        if (strlen(f[i]) == n && !memcmp(s, f[i], n)) return 0;
    }
    return -1;
}

static val_t *scalar(gh_arena *a, const char *s, size_t n, bool quoted) {
    if (!quoted) {
        if (n && pol_go_number(s, n)) {
            val_t *v = val_num_parse(a, s + (s[0] == '+'), n - (s[0] == '+'), NULL);
            if (v) return v;
        }
        int b = bool_word(s, n);
        if (b >= 0) return val_bool(b == 1);
    }
    return val_str(a, s, n);
}

int pol_parse_ini(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e) {
    val_t *root = val_obj_new(a, 8);
    if (!root) return gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    val_t *sec = NULL; /* NULL: DEFAULT (dropped) */
    size_t pos = 0;
    int line = 0;
    while (pos < n) {
        line++;
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', n - pos);
        const char *end = nl ? nl : text + n;
        pos = (size_t)(end - text) + (nl ? 1 : 0);
        if (line == 1 && end - s >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3; /* BOM */
        trim(&s, &end);
        if (s == end || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(end - s));
            if (!close) return gh_err_set(e, GH_EPARSE, file, line, 1, "unclosed section header");
            const char *ns = s + 1, *ne = close;
            trim(&ns, &ne);
            if (ne - ns == 7 && !memcmp(ns, "DEFAULT", 7)) {
                sec = NULL;
                continue;
            }
            val_t *key = val_str(a, ns, (size_t)(ne - ns));
            if (!key) return gh_err_set(e, GH_ENOMEM, file, line, 1, "out of memory");
            sec = val_obj_get(root, key);
            if (!sec) {
                sec = val_obj_new(a, 8);
                if (!sec || val_obj_put(a, root, key, sec))
                    return gh_err_set(e, GH_ENOMEM, file, line, 1, "out of memory");
            }
            continue;
        }
        const char *eq = s;
        while (eq < end && *eq != '=' && *eq != ':')
            eq++;
        if (eq == end)
            return gh_err_set(e, GH_EPARSE, file, line, 1, "key-value delimiter not found: %.*s",
                              (int)(end - s > 60 ? 60 : end - s), s);
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = end;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ke > ks && (*ks == '"' || *ks == '`') && ke - ks >= 2 && ke[-1] == *ks) ks++, ke--;
        bool quoted = false;
        if (ve - vs >= 2 && (*vs == '"' || *vs == '\'' || *vs == '`')) {
            const char *q = memchr(vs + 1, *vs, (size_t)(ve - vs - 1));
            if (q) {
                ve = q;
                vs++;
                quoted = true;
            }
        }
        if (!quoted) {
            for (const char *c = vs; c < ve; c++)
                if (*c == '#' || *c == ';') {
                    ve = c;
                    break;
                }
            trim(&vs, &ve);
        }
        if (!sec) continue; /* DEFAULT section: conftest drops it */
        val_t *key = val_str(a, ks, (size_t)(ke - ks));
        val_t *v = scalar(a, vs, (size_t)(ve - vs), quoted);
        if (!key || !v || val_obj_put(a, sec, key, v))
            return gh_err_set(e, GH_ENOMEM, file, line, 1, "out of memory");
    }
    *out = root;
    return 0;
}
