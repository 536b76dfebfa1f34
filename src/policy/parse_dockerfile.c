/* parse_dockerfile.c - Dockerfiles into conftest's shape: an outer array
 * holding one array of instructions {Cmd, SubCmd, JSON, Flags, Value,
 * Stage, Original}, as BuildKit's parser splits them (per-instruction
 * argument forms, leading --flags, parser directives, continuations,
 * heredocs). Called by `gatehouse check` / `gatehouse parse`. Input is
 * bounded by the caller (GH_MAX_DOC_BYTES); everything lives in `a`. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"

typedef struct dp {
    gh_arena *a;
    const char *file;
    gh_err *e;
    char esc;
    int stage; /* number of FROMs seen */
} dp;

static bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int oom(dp *p, int line) {
    return gh_err_set(p->e, GH_ENOMEM, p->file, line, 1, "out of memory");
}

static int push_str(dp *p, val_t *arr, const char *s, size_t n) {
    val_t *v = val_str(p->a, s, n);
    return (!v || val_arr_push(p->a, arr, v)) ? GH_ENOMEM : 0;
}

/* whitespace-delimited words, no quote handling (BuildKit's
 * parseStringsWhitespaceDelimited) */
static int split_ws(dp *p, const char *s, size_t n, val_t *arr) {
    size_t i = 0;
    while (i < n) {
        while (i < n && is_ws(s[i]))
            i++;
        size_t st = i;
        while (i < n && !is_ws(s[i]))
            i++;
        if (i > st && push_str(p, arr, s + st, i - st)) return GH_ENOMEM;
    }
    return 0;
}

/* words separated by whitespace outside quotes; quotes and escapes are kept
 * (BuildKit's parseWords) */
static int split_words(dp *p, const char *s, size_t n, val_t *arr) {
    size_t i = 0;
    while (i < n) {
        while (i < n && is_ws(s[i]))
            i++;
        if (i >= n) break;
        size_t st = i;
        char q = 0;
        while (i < n) {
            char c = s[i];
            if (c == p->esc && i + 1 < n && q != '\'') {
                i += 2;
                continue;
            }
            if (q) {
                if (c == q) q = 0;
            } else if (c == '"' || c == '\'') {
                q = c;
            } else if (is_ws(c)) {
                break;
            }
            i++;
        }
        if (push_str(p, arr, s + st, i - st)) return GH_ENOMEM;
    }
    return 0;
}

/* A JSON array of strings: fills arr and returns 1; 0 when s is not one. */
static int json_strings(dp *p, const char *s, size_t n, val_t *arr) {
    while (n && is_ws(*s))
        s++, n--;
    while (n && is_ws(s[n - 1]))
        n--;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']') return 0;
    val_t *v = NULL;
    if (val_json_parse(p->a, s, n, NULL, &v, NULL) || !v || val_kind_of(v) != VAL_ARRAY) return 0;
    for (size_t i = 0; i < val_arr_len(v); i++)
        if (!val_is_str(val_arr_at(v, i))) return 0;
    for (size_t i = 0; i < val_arr_len(v); i++)
        if (val_arr_push(p->a, arr, val_arr_at(v, i))) return -1;
    return 1;
}

/* KEY=VALUE words, or the legacy `KEY VALUE...` form (ENV, LABEL) */
static int name_vals(dp *p, const char *s, size_t n, val_t *arr, int line) {
    val_t *w = val_arr_new(p->a, 4);
    if (!w || split_words(p, s, n, w)) return oom(p, line);
    if (!val_arr_len(w)) return 0;
    const val_t *first = val_arr_at(w, 0);
    if (!memchr(val_str_ptr(first), '=', val_str_len(first))) {
        /* legacy: key, then the rest of the line as one value */
        size_t i = 0;
        while (i < n && is_ws(s[i]))
            i++;
        size_t ks = i;
        while (i < n && !is_ws(s[i]))
            i++;
        size_t ke = i;
        while (i < n && is_ws(s[i]))
            i++;
        size_t ve = n;
        while (ve > i && is_ws(s[ve - 1]))
            ve--;
        if (push_str(p, arr, s + ks, ke - ks) || push_str(p, arr, s + i, ve - i))
            return oom(p, line);
        return 0;
    }
    for (size_t i = 0; i < val_arr_len(w); i++) {
        const val_t *x = val_arr_at(w, i);
        const char *eq = memchr(val_str_ptr(x), '=', val_str_len(x));
        if (!eq)
            return gh_err_set(
                p->e, GH_EPARSE, p->file, line, 1,
                "Syntax error - can't find = in \"%.*s\". Must be of the form: name=value",
                (int)val_str_len(x), val_str_ptr(x));
        size_t kl = (size_t)(eq - val_str_ptr(x));
        if (push_str(p, arr, val_str_ptr(x), kl) ||
            push_str(p, arr, eq + 1, val_str_len(x) - kl - 1))
            return oom(p, line);
    }
    return 0;
}

typedef enum { A_WS, A_LIST, A_MAYBE_JSON, A_STRING, A_ENV, A_WORDS, A_HEALTH, A_SUB } arg_form;

static const struct {
    const char *name;
    arg_form form;
} cmds[] = {
    {"add", A_LIST},
    {"arg", A_WORDS},
    {"cmd", A_MAYBE_JSON},
    {"copy", A_LIST},
    {"entrypoint", A_MAYBE_JSON},
    {"env", A_ENV},
    {"expose", A_WS},
    {"from", A_WS},
    {"healthcheck", A_HEALTH},
    {"label", A_ENV},
    {"maintainer", A_STRING},
    {"onbuild", A_SUB},
    {"run", A_MAYBE_JSON},
    {"shell", A_MAYBE_JSON},
    {"stopsignal", A_STRING},
    {"user", A_STRING},
    {"volume", A_LIST},
    {"workdir", A_STRING},
};

/* Parse "[--flags] args" of instruction `cmd` into obj's Flags/Value/JSON/SubCmd. */
static int instruction(dp *p, const char *s, size_t n, int line, val_t *obj, bool sub);

static int put(dp *p, val_t *obj, const char *k, val_t *v) {
    val_t *key = val_strc(p->a, k);
    return (!key || !v || val_obj_put(p->a, obj, key, v)) ? GH_ENOMEM : 0;
}

static int instruction(dp *p, const char *s, size_t n, int line, val_t *obj, bool sub) {
    size_t i = 0;
    while (i < n && is_ws(s[i]))
        i++;
    size_t cs = i;
    while (i < n && !is_ws(s[i]))
        i++;
    size_t cl = i - cs;
    char lower[16];
    int form = -1;
    if (cl < sizeof lower) {
        for (size_t k = 0; k < cl; k++)
            lower[k] = (char)tolower((unsigned char)s[cs + k]);
        lower[cl] = 0;
        for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++)
            if (!strcmp(cmds[k].name, lower)) form = (int)cmds[k].form;
    }
    if (form < 0)
        return gh_err_set(p->e, GH_EPARSE, p->file, line, (int)cs + 1, "unknown instruction: %.*s",
                          (int)(cl > 40 ? 40 : cl), s + cs);
    if (sub && (form == A_SUB || !strcmp(lower, "from") || !strcmp(lower, "maintainer")))
        return gh_err_set(p->e, GH_EPARSE, p->file, line, (int)cs + 1,
                          "%s isn't allowed as an ONBUILD trigger", lower);
    val_t *flags = val_arr_new(p->a, 2), *value = val_arr_new(p->a, 4);
    if (!flags || !value) return oom(p, line);
    /* leading --flags */
    for (;;) {
        while (i < n && is_ws(s[i]))
            i++;
        if (n - i < 2 || s[i] != '-' || s[i + 1] != '-') break;
        size_t fs = i;
        char q = 0;
        while (i < n && (q || !is_ws(s[i]))) {
            if (q && s[i] == q)
                q = 0;
            else if (!q && (s[i] == '"' || s[i] == '\''))
                q = s[i];
            i++;
        }
        if (i - fs == 2) { /* a bare "--" ends the flags */
            break;
        }
        if (push_str(p, flags, s + fs, i - fs)) return oom(p, line);
    }
    const char *r = s + i;
    size_t rn = n - i;
    while (rn && is_ws(r[rn - 1]))
        rn--;
    bool json = false;
    int rc = 0, j;
    if (!strcmp(lower, "from")) p->stage++;
    switch ((arg_form)form) {
    case A_WS: rc = split_ws(p, r, rn, value); break;
    case A_LIST:
        j = json_strings(p, r, rn, value);
        if (j < 0) return oom(p, line);
        json = j == 1;
        if (!json) rc = split_ws(p, r, rn, value);
        break;
    case A_MAYBE_JSON:
        j = json_strings(p, r, rn, value);
        if (j < 0) return oom(p, line);
        json = j == 1;
        if (!json && rn) rc = push_str(p, value, r, rn);
        break;
    case A_STRING:
        if (rn) rc = push_str(p, value, r, rn);
        break;
    case A_ENV:
        rc = name_vals(p, r, rn, value, line);
        if (rc) return rc;
        break;
    case A_WORDS: rc = split_words(p, r, rn, value); break;
    case A_HEALTH: {
        size_t k = 0;
        while (k < rn && !is_ws(r[k]))
            k++;
        char w[8] = {0};
        for (size_t t = 0; t < k && t < 7; t++)
            w[t] = (char)toupper((unsigned char)r[t]);
        if (k > 0 && k < 8 && (!strcmp(w, "NONE") || !strcmp(w, "CMD"))) {
            rc = push_str(p, value, w, k);
            size_t t = k;
            while (t < rn && is_ws(r[t]))
                t++;
            if (!rc && t < rn) {
                j = json_strings(p, r + t, rn - t, value);
                if (j < 0) return oom(p, line);
                json = j == 1;
                if (!json) rc = push_str(p, value, r + t, rn - t);
            }
        } else if (rn) {
            return gh_err_set(p->e, GH_EPARSE, p->file, line, 1,
                              "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
                              (int)(k > 20 ? 20 : k), r);
        }
        break;
    }
    case A_SUB: {
        if (!rn)
            return gh_err_set(p->e, GH_EPARSE, p->file, line, 1,
                              "ONBUILD requires at least one argument");
        rc = instruction(p, r, rn, line, obj, true);
        if (rc) return rc;
        size_t k = 0;
        while (k < rn && !is_ws(r[k]))
            k++;
        char sc[16] = {0};
        for (size_t t = 0; t < k && t < 15; t++)
            sc[t] = (char)tolower((unsigned char)r[t]);
        if (put(p, obj, "SubCmd", val_strc(p->a, sc)) || put(p, obj, "Flags", flags))
            return oom(p, line);
        return 0;
    }
    }
    if (rc) return oom(p, line);
    if (put(p, obj, "Flags", flags) || put(p, obj, "Value", value) ||
        put(p, obj, "JSON", val_bool(json)))
        return oom(p, line);
    return 0;
}

/* The heredoc word of a `<<[-]WORD` / `<<"WORD"` marker in s, if any. */
static bool heredoc_word(const char *s, size_t n, const char **w, size_t *wn, bool *strip) {
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '<' || s[i + 1] != '<') continue;
        size_t k = i + 2;
        *strip = false;
        if (k < n && s[k] == '-') *strip = true, k++;
        char q = 0;
        if (k < n && (s[k] == '"' || s[k] == '\'')) q = s[k++];
        size_t st = k;
        while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
            k++;
        if (k == st) continue;
        if (q && (k >= n || s[k] != q)) continue;
        *w = s + st;
        *wn = k - st;
        return true;
    }
    return false;
}

int pol_parse_dockerfile(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    dp p = {a, file, e, '\\', 0};
    val_t *list = val_arr_new(a, 16), *comments = val_arr_new(a, 4);
    if (!list || !comments) return oom(&p, 0);
    gh_buf logical;
    gh_buf_init(&logical);
    size_t pos = 0;
    int line = 0, start_line = 0, rc = 0;
    bool directives = true, cont = false;
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3;
    while (pos < n || cont) {
        if (pos >= n) { /* file ended inside a continuation */
            cont = false;
            goto finish;
        }
        line++;
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - s) : n - pos;
        pos += len + (nl ? 1 : 0);
        if (len && s[len - 1] == '\r') len--;
        size_t i = 0;
        while (i < len && is_ws(s[i]))
            i++;
        if (directives) {
            /* # key=value lines at the very top */
            if (i < len && s[i] == '#') {
                const char *d = s + i + 1;
                size_t dn = len - i - 1;
                while (dn && is_ws(*d))
                    d++, dn--;
                const char *eq = memchr(d, '=', dn);
                size_t kn = eq ? (size_t)(eq - d) : 0;
                while (kn && is_ws(d[kn - 1]))
                    kn--;
                bool word = kn > 0;
                for (size_t t = 0; t < kn; t++)
                    if (!isalnum((unsigned char)d[t]) && d[t] != '_') word = false;
                if (eq && word) {
                    if (kn == 6 && !strncasecmp(d, "escape", 6)) {
                        const char *v = eq + 1;
                        size_t vn = dn - (size_t)(v - d);
                        while (vn && is_ws(*v))
                            v++, vn--;
                        while (vn && is_ws(v[vn - 1]))
                            vn--;
                        if (vn != 1 || (*v != '\\' && *v != '`')) {
                            rc = gh_err_set(e, GH_EPARSE, file, line, 1,
                                            "invalid escape token '%.*s' does not match ` or \\",
                                            (int)(vn > 10 ? 10 : vn), v);
                            goto out;
                        }
                        p.esc = *v;
                    }
                    continue;
                }
            }
            directives = false;
        }
        if (i == len) continue; /* blank line: pending comments stay */
        if (s[i] == '#') {
            if (cont) continue; /* comments inside a continuation are dropped */
            size_t t = i + 1;
            while (t < len && is_ws(s[t]))
                t++;
            size_t te = len;
            while (te > t && is_ws(s[te - 1]))
                te--;
            if (push_str(&p, comments, s + t, te - t)) {
                rc = oom(&p, line);
                goto out;
            }
            continue;
        }
        if (!cont) {
            gh_buf_reset(&logical);
            start_line = line;
            gh_buf_append(&logical, s + i, len - i);
        } else {
            gh_buf_append(&logical, s, len);
        }
        /* trailing escape (before optional whitespace) continues the line */
        size_t ln = logical.len;
        while (ln && is_ws(logical.p[ln - 1]))
            ln--;
        if (ln && logical.p[ln - 1] == p.esc) {
            logical.len = ln - 1;
            cont = true;
            continue;
        }
        cont = false;
    finish:
        if (logical.oom) {
            rc = oom(&p, line);
            goto out;
        }
        {
            val_t *obj = val_obj_new(a, 8);
            if (!obj) {
                rc = oom(&p, line);
                goto out;
            }
            rc = instruction(&p, logical.p, logical.len, start_line, obj, false);
            if (rc) goto out;
            /* heredocs: consume the body lines (not part of the value) */
            const char *w;
            size_t wn;
            bool strip;
            if (heredoc_word(logical.p, logical.len, &w, &wn, &strip)) {
                char word[128];
                if (wn >= sizeof word) wn = sizeof word - 1;
                memcpy(word, w, wn);
                word[wn] = 0;
                bool closed = false;
                while (pos < n) {
                    line++;
                    const char *hs = text + pos;
                    const char *hn = memchr(hs, '\n', n - pos);
                    size_t hl = hn ? (size_t)(hn - hs) : n - pos;
                    pos += hl + (hn ? 1 : 0);
                    if (hl && hs[hl - 1] == '\r') hl--;
                    if (strip)
                        while (hl && *hs == '\t')
                            hs++, hl--;
                    if (hl == wn && !memcmp(hs, word, wn)) {
                        closed = true;
                        break;
                    }
                }
                if (!closed) {
                    rc = gh_err_set(e, GH_EPARSE, file, start_line, 1, "unterminated heredoc %s",
                                    word);
                    goto out;
                }
            }
            size_t cl = 0;
            while (cl < logical.len && !is_ws(logical.p[cl]))
                cl++;
            char cmd[16] = {0};
            for (size_t t = 0; t < cl && t < 15; t++)
                cmd[t] = (char)tolower((unsigned char)logical.p[t]);
            int stage = p.stage ? p.stage - 1 : 0;
            for (size_t c = 0; c < val_arr_len(comments); c++) {
                val_t *co = val_obj_new(a, 8), *cv = val_arr_new(a, 1);
                if (!co || !cv || val_arr_push(a, cv, val_arr_at(comments, c)) ||
                    put(&p, co, "Cmd", val_strc(a, "comment")) ||
                    put(&p, co, "SubCmd", val_strc(a, "")) || put(&p, co, "JSON", VAL_FALSE) ||
                    put(&p, co, "Flags", val_arr_new(a, 0)) || put(&p, co, "Value", cv) ||
                    put(&p, co, "Stage", val_int(a, stage)) ||
                    put(&p, co, "Original", val_str(a, "", 0)) || val_arr_push(a, list, co)) {
                    rc = oom(&p, line);
                    goto out;
                }
            }
            comments = val_arr_new(a, 4);
            if (!comments || put(&p, obj, "Cmd", val_strc(a, cmd)) ||
                (!val_obj_get_str(obj, "SubCmd", 6) && put(&p, obj, "SubCmd", val_strc(a, ""))) ||
                put(&p, obj, "Stage", val_int(a, stage)) ||
                put(&p, obj, "Original", val_str(a, logical.p, logical.len)) ||
                val_arr_push(a, list, obj)) {
                rc = oom(&p, line);
                goto out;
            }
        }
    }
    {
        val_t *outer = val_arr_new(a, 1);
        if (!outer || val_arr_push(a, outer, list)) {
            rc = oom(&p, line);
            goto out;
        }
        *out = outer;
    }
out:
    gh_buf_free(&logical);
    return rc;
}
