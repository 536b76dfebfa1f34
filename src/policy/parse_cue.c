/* parse_cue.c - the concrete-data subset of CUE into the JSON conftest's cue
 * parser exports (cuelang.org/go compile + MarshalJSON): structs with
 * chained labels (a: b: 1), lists, strings (incl. multi-line """), numbers
 * (underscores, 0x/0o/0b, SI multipliers), bools, null, unification of
 * repeated fields, defaults of disjunctions (*x | y). Definitions (#X),
 * hidden (_x) and optional (x?) fields are left out, as CUE's export does.
 * References, types, constraints, interpolation, comprehensions and imports
 * need CUE's evaluator: they are errors naming the construct. Called by
 * `gatehouse check` / `parse`. Invariants: depth bounded; nothing printed. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef pol_cursor cp;

static int perr(cp *P, const char *fmt, const char *arg) {
    return gh_err_set(P->e, GH_EPARSE, P->file, P->line, P->col, fmt, arg);
}
POL_CURSOR_FNS(cp)

/* Spaces and comments; newlines too when nl. Returns whether a newline was
 * passed. */
static bool skip(cp *P, bool nl) {
    bool saw = false;
    for (;;) {
        while (P->p < P->end &&
               (*P->p == ' ' || *P->p == '\t' || *P->p == '\r' || (nl && *P->p == '\n'))) {
            if (*P->p == '\n') saw = true;
            adv(P);
        }
        if (at(P, "//")) {
            while (P->p < P->end && *P->p != '\n')
                adv(P);
            continue;
        }
        return saw;
    }
}

static bool id_start(char c) {
    return isalpha((unsigned char)c) || c == '_' || c == '$' || c == '#';
}
static bool id_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '#';
}

static int parse_value(cp *P, val_t **out);
static int parse_fields(cp *P, val_t *obj, bool braced);

/* Unify b into a (both concrete values): structs merge, equal scalars and
 * lists agree, anything else conflicts. */
static int unify(cp *P, val_t **a, val_t *b, const char *label) {
    if (!*a) {
        *a = b;
        return 0;
    }
    if (val_kind_of(*a) == VAL_OBJECT && val_kind_of(b) == VAL_OBJECT) {
        for (size_t i = 0; i < val_obj_len(b); i++) {
            val_t *k = val_obj_key_at(b, i), *old = val_obj_get(*a, k);
            int rc = unify(P, &old, val_obj_val_at(b, i), val_str_ptr(k));
            if (rc) return rc;
            if (val_obj_put(P->a, *a, k, old)) return oom(P);
        }
        return 0;
    }
    if (val_kind_of(*a) == VAL_ARRAY && val_kind_of(b) == VAL_ARRAY &&
        val_arr_len(*a) == val_arr_len(b)) {
        for (size_t i = 0; i < val_arr_len(b); i++) {
            val_t *x = val_arr_at(*a, i);
            int rc = unify(P, &x, val_arr_at(b, i), label);
            if (rc) return rc;
            (*a)->u.arr.items[i] = x;
        }
        return 0;
    }
    if (val_equal(*a, b)) return 0;
    return perr(P, "cue: conflicting values for field %s", label);
}

static int put_field(cp *P, val_t *obj, const char *k, size_t kn, val_t *v) {
    val_t *key = val_str(P->a, k, kn);
    if (!key) return oom(P);
    val_t *old = val_obj_get(obj, key);
    char *label = gh_arena_strndup(P->a, k, kn);
    if (!label) return oom(P);
    int rc = unify(P, &old, v, label);
    if (rc) return rc;
    return val_obj_put(P->a, obj, key, old) ? oom(P) : 0;
}

/* "..." / """...""" (one level of #"..."# is not supported). */
static int parse_string(cp *P, val_t **out) {
    gh_buf b;
    gh_buf_init(&b);
    bool multi = at(P, "\"\"\"");
    int sl = P->line, sc = P->col;
    if (multi) {
        adv(P), adv(P), adv(P);
        if (P->p < P->end && *P->p == '\r') adv(P);
        if (P->p >= P->end || *P->p != '\n') return perr(P, "cue: %s", "\"\"\" must end its line");
        adv(P);
    } else {
        adv(P);
    }
    const char *start = P->p;
    for (;;) {
        if (P->p >= P->end || (!multi && *P->p == '\n')) {
            gh_buf_free(&b);
            P->line = sl, P->col = sc;
            return perr(P, "cue: %s", "unterminated string");
        }
        if (multi ? at(P, "\"\"\"") : *P->p == '"') break;
        char c = *P->p;
        if (c == '\\' && P->end - P->p >= 2) {
            char x = P->p[1];
            if (x == '(') {
                gh_buf_free(&b);
                return perr(P, "cue: %s",
                            "string interpolation needs CUE's evaluator (not supported)");
            }
            adv(P), adv(P);
            if (x == 'u' || x == 'U') {
                int hexn = x == 'u' ? 4 : 8;
                uint32_t v = 0;
                for (int i = 0; i < hexn; i++, adv(P)) {
                    if (P->p >= P->end || !isxdigit((unsigned char)*P->p)) {
                        gh_buf_free(&b);
                        return perr(P, "cue: %s", "bad \\u escape");
                    }
                    char h = *P->p;
                    v = v * 16 + (uint32_t)(isdigit((unsigned char)h)
                                                ? h - '0'
                                                : tolower((unsigned char)h) - 'a' + 10);
                }
                pol_put_utf8(&b, v);
                continue;
            }
            char r = x == 'n'    ? '\n'
                     : x == 't'  ? '\t'
                     : x == 'r'  ? '\r'
                     : x == 'b'  ? '\b'
                     : x == 'f'  ? '\f'
                     : x == 'v'  ? '\v'
                     : x == 'a'  ? '\a'
                     : x == '/'  ? '/'
                     : x == '"'  ? '"'
                     : x == '\\' ? '\\'
                     : x == '\'' ? '\''
                                 : 0;
            if (!r) {
                gh_buf_free(&b);
                return perr(P, "cue: %s", "unknown escape in string");
            }
            gh_buf_putc(&b, r);
            continue;
        }
        gh_buf_putc(&b, c);
        adv(P);
    }
    if (multi) {
        /* the closing line's indentation is removed from every line, and
         * the final newline before it is not part of the string */
        const char *q = P->p;
        const char *ls = q;
        while (ls > start && ls[-1] != '\n')
            ls--;
        size_t ind = (size_t)(q - ls);
        for (size_t i = 0; i < ind; i++)
            if (ls[i] != ' ' && ls[i] != '\t') {
                gh_buf_free(&b);
                return perr(P, "cue: %s", "closing \"\"\" must be alone on its line");
            }
        gh_buf cut;
        gh_buf_init(&cut);
        const char *s = b.p ? b.p : "";
        size_t n = b.len >= ind ? b.len - ind : 0; /* drop the closing line's indentation */
        if (n && s[n - 1] == '\n') n--;
        for (size_t i = 0; i < n;) {
            size_t strip = 0;
            while (strip < ind && i + strip < n && (s[i + strip] == ' ' || s[i + strip] == '\t'))
                strip++;
            i += strip;
            while (i < n && s[i] != '\n')
                gh_buf_putc(&cut, s[i++]);
            if (i < n) gh_buf_putc(&cut, s[i++]);
        }
        gh_buf_free(&b);
        b = cut;
        adv(P), adv(P), adv(P);
    } else {
        adv(P);
    }
    val_t *v = b.oom ? NULL : val_str(P->a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    if (!v) return oom(P);
    *out = v;
    return 0;
}

/* Numbers: decimal/float, 0x 0o 0b, '_' separators, K M G T P (x1000) and
 * Ki Mi Gi Ti Pi (x1024) multipliers on integers. */
static int parse_number(cp *P, val_t **out) {
    char buf[128];
    size_t n = 0;
    bool neg = false;
    if (*P->p == '-' || *P->p == '+') {
        neg = *P->p == '-';
        adv(P);
    }
    int base = 10;
    if (at(P, "0x") || at(P, "0X"))
        base = 16;
    else if (at(P, "0o"))
        base = 8;
    else if (at(P, "0b"))
        base = 2;
    if (base != 10) adv(P), adv(P);
    bool flt = false;
    while (P->p < P->end && n + 2 < sizeof buf) {
        char c = *P->p;
        if (c == '_') {
            adv(P);
            continue;
        }
        bool ok = base == 16 ? isxdigit((unsigned char)c) : isdigit((unsigned char)c);
        if (!ok && base == 10 && (c == '.' || c == 'e' || c == 'E')) {
            if (c == '.' && !(P->end - P->p >= 2 && isdigit((unsigned char)P->p[1]))) break;
            flt = true;
            ok = true;
        }
        if (!ok && base == 10 && (c == '+' || c == '-') && n &&
            (buf[n - 1] == 'e' || buf[n - 1] == 'E'))
            ok = true;
        if (!ok) break;
        buf[n++] = c;
        adv(P);
    }
    buf[n] = 0;
    if (!n) return perr(P, "cue: %s", "malformed number");
    double mult = 1;
    static const struct {
        const char *s;
        double m;
    } mults[] = {{"Ki", 1024.0},
                 {"Mi", 1048576.0},
                 {"Gi", 1073741824.0},
                 {"Ti", 1099511627776.0},
                 {"Pi", 1125899906842624.0},
                 {"K", 1e3},
                 {"M", 1e6},
                 {"G", 1e9},
                 {"T", 1e12},
                 {"P", 1e15}};
    for (size_t i = 0; base == 10 && i < sizeof mults / sizeof mults[0]; i++)
        if (at(P, mults[i].s) &&
            !(P->end - P->p > (long)strlen(mults[i].s) && id_char(P->p[strlen(mults[i].s)]))) {
            mult = mults[i].m;
            for (size_t k = 0; k < strlen(mults[i].s); k++)
                adv(P);
            break;
        }
    if (P->p < P->end && id_char(*P->p)) return perr(P, "cue: %s", "malformed number");
    val_t *v;
    if (base != 10 || mult != 1) {
        errno = 0;
        char *endp;
        double d = base == 10 ? strtod(buf, &endp) : (double)strtoull(buf, &endp, base);
        if (*endp || errno) return perr(P, "cue: %s", "malformed number");
        d *= mult;
        if (!isfinite(d)) return perr(P, "cue: %s", "number out of range");
        bool fits = d > -9.2e18 && d < 9.2e18; /* checked before any cast to int64 */
        if (fits && mult != 1 && d != (double)(int64_t)d)
            return perr(P, "cue: %s", "a multiplier must give an integer");
        v = fits ? val_int(P->a, neg ? -(int64_t)d : (int64_t)d)
                 : val_num_double(P->a, neg ? -d : d);
    } else {
        char t[130];
        size_t k = 0;
        if (neg) t[k++] = '-';
        memcpy(t + k, buf, n);
        v = val_num_parse(P->a, t, k + n, NULL);
        if (!v && !P->a->oom) return perr(P, "cue: %s", "malformed number");
    }
    (void)flt;
    if (!v) return oom(P);
    *out = v;
    return 0;
}

static int parse_list(cp *P, val_t **out) {
    val_t *arr = val_arr_new(P->a, 4);
    if (!arr) return oom(P);
    adv(P); /* [ */
    for (;;) {
        skip(P, true);
        if (P->p >= P->end) return perr(P, "cue: %s", "unterminated list");
        if (*P->p == ']') {
            adv(P);
            break;
        }
        if (at(P, "...")) { /* open list: no more concrete elements */
            adv(P), adv(P), adv(P);
            skip(P, true);
            if (P->p < P->end && *P->p != ']' && *P->p != ',')
                return perr(P, "cue: %s", "typed open lists need CUE's evaluator");
            continue;
        }
        val_t *v;
        int rc = parse_value(P, &v);
        if (rc) return rc;
        if (val_arr_push(P->a, arr, v)) return oom(P);
        bool nl = skip(P, true);
        if (P->p < P->end && *P->p == ',')
            adv(P);
        else if (P->p < P->end && *P->p != ']' && !nl)
            return perr(P, "cue: %s", "expected ',' or ']' in list");
    }
    *out = arr;
    return 0;
}

/* One operand: a literal, struct or list. */
static int parse_operand(cp *P, val_t **out) {
    if (P->p >= P->end) return perr(P, "cue: %s", "expected a value");
    char c = *P->p;
    if (c == '{') {
        val_t *obj = val_obj_new(P->a, 8);
        if (!obj) return oom(P);
        adv(P);
        int rc = parse_fields(P, obj, true);
        if (rc) return rc;
        *out = obj;
        return 0;
    }
    if (c == '[') return parse_list(P, out);
    if (c == '"') return parse_string(P, out);
    if (c == '\'' || c == '#') return perr(P, "cue: %s", "byte and raw strings are not supported");
    if (isdigit((unsigned char)c) ||
        ((c == '-' || c == '+') && P->end - P->p >= 2 && isdigit((unsigned char)P->p[1])))
        return parse_number(P, out);
    if (c == '.' && P->end - P->p >= 2 && isdigit((unsigned char)P->p[1]))
        return parse_number(P, out);
    if (id_start(c)) {
        const char *s = P->p;
        while (P->p < P->end && id_char(*P->p))
            adv(P);
        size_t n = (size_t)(P->p - s);
        if (n == 4 && !memcmp(s, "true", 4))
            *out = val_bool(true);
        else if (n == 5 && !memcmp(s, "false", 5))
            *out = val_bool(false);
        else if (n == 4 && !memcmp(s, "null", 4))
            *out = VAL_NULLV;
        else {
            P->col -= (int)n;
            return gh_err_set(P->e, GH_EPARSE, P->file, P->line, P->col,
                              "cue: '%.*s' is a reference or type: the value is not concrete "
                              "(only CUE data is supported in this build)",
                              (int)(n > 40 ? 40 : n), s);
        }
        return 0;
    }
    return perr(P, "cue: unexpected '%.1s': only CUE data (no expressions) is supported", P->p);
}

/* A value: operand, or a disjunction whose default (*x) is taken. */
static int parse_value(cp *P, val_t **out) {
    if (++P->depth > GH_MAX_DEPTH)
        return gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col, "cue: nesting deeper than %d",
                          GH_MAX_DEPTH);
    skip(P, false);
    val_t *def = NULL, *only = NULL;
    int count = 0;
    for (;;) {
        bool star = P->p < P->end && *P->p == '*';
        if (star) {
            adv(P);
            skip(P, false);
        }
        val_t *v;
        int rc = parse_operand(P, &v);
        if (rc) return rc;
        count++;
        if (star) {
            if (def) return perr(P, "cue: %s", "more than one default in a disjunction");
            def = v;
        }
        only = v;
        skip(P, false);
        if (P->p < P->end && *P->p == '|' && !at(P, "||")) {
            adv(P);
            skip(P, true);
            continue;
        }
        if (P->p < P->end && *P->p == '&' && !at(P, "&&")) {
            adv(P);
            skip(P, true);
            val_t *w;
            if ((rc = parse_operand(P, &w)) || (rc = unify(P, &v, w, "(&)"))) return rc;
            only = v;
            if (star) def = v;
            skip(P, false);
            if (P->p < P->end && *P->p == '|') continue;
        }
        break;
    }
    if (count > 1 && !def)
        return perr(P, "cue: %s", "a disjunction without a default is not concrete");
    *out = def ? def : only;
    P->depth--;
    return 0;
}

/* Fields up to '}' (braced) or the end: label: [label: ...] value. */
static int parse_fields(cp *P, val_t *obj, bool braced) {
    if (++P->depth > GH_MAX_DEPTH)
        return gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col, "cue: nesting deeper than %d",
                          GH_MAX_DEPTH);
    for (;;) {
        skip(P, true);
        if (P->p < P->end && *P->p == ',') {
            adv(P);
            continue;
        }
        if (P->p >= P->end) {
            if (braced) return perr(P, "cue: %s", "unterminated struct: expected '}'");
            break;
        }
        if (*P->p == '}') {
            if (!braced) return perr(P, "cue: %s", "unexpected '}'");
            adv(P);
            break;
        }
        if (!braced && (at(P, "package ") || at(P, "package\t"))) {
            while (P->p < P->end && *P->p != '\n')
                adv(P);
            continue;
        }
        if (at(P, "import ") || at(P, "import\t") || at(P, "import(") || at(P, "let ") ||
            at(P, "for ") || at(P, "if "))
            return perr(P, "cue: %s",
                        "imports, let and comprehensions need CUE's evaluator (not supported)");
        if (*P->p == '@') { /* declaration attribute @x(...) */
            while (P->p < P->end && *P->p != '\n')
                adv(P);
            continue;
        }
        /* a chain of labels: a: b: c: value */
        val_t *target = obj;
        bool visible = true;
        for (;;) {
            const char *k;
            size_t kn;
            val_t *ks = NULL;
            if (*P->p == '"') {
                int rc = parse_string(P, &ks);
                if (rc) return rc;
                k = val_str_ptr(ks);
                kn = val_str_len(ks);
            } else if (id_start(*P->p)) {
                k = P->p;
                while (P->p < P->end && id_char(*P->p))
                    adv(P);
                kn = (size_t)(P->p - k);
                if (*k == '#' || *k == '_') visible = false; /* definitions, hidden fields */
            } else if (*P->p == '[' || *P->p == '(') {
                return perr(P, "cue: %s",
                            "pattern and dynamic labels need CUE's evaluator (not supported)");
            } else {
                return perr(P, "cue: expected a field label, found '%.1s'", P->p);
            }
            if (P->p < P->end && (*P->p == '?' || *P->p == '!')) {
                if (*P->p == '?') visible = false; /* optional: not exported */
                adv(P);
            }
            skip(P, false);
            if (P->p >= P->end || *P->p != ':')
                return perr(P, "cue: %s", "expected ':' after a field label");
            adv(P);
            skip(P, false);
            /* another label follows when an identifier/string is followed by ':' */
            const char *q = P->p;
            if (q < P->end && (id_start(*q) || *q == '"')) {
                const char *r = q;
                if (*r == '"') {
                    r++;
                    while (r < P->end && *r != '"' && *r != '\n')
                        r += *r == '\\' ? 2 : 1;
                    if (r < P->end && *r == '"') r++;
                } else {
                    while (r < P->end && id_char(*r))
                        r++;
                }
                while (r < P->end && (*r == '?' || *r == '!'))
                    r++;
                while (r < P->end && (*r == ' ' || *r == '\t'))
                    r++;
                if (r < P->end && *r == ':' && !(r + 1 < P->end && r[1] == ':')) {
                    /* nested label: the value is a struct holding the rest */
                    val_t *key = val_str(P->a, k, kn), *inner = NULL;
                    if (!key) return oom(P);
                    inner = val_obj_get(target, key);
                    if (!inner || val_kind_of(inner) != VAL_OBJECT) {
                        if (inner)
                            return perr(P, "cue: conflicting values for field %s",
                                        val_str_ptr(key));
                        if (!(inner = val_obj_new(P->a, 4))) return oom(P);
                        if (visible && val_obj_put(P->a, target, key, inner)) return oom(P);
                    }
                    target = inner;
                    continue;
                }
            }
            val_t *v;
            int rc = parse_value(P, &v);
            if (rc) return rc;
            if (visible && (rc = put_field(P, target, k, kn, v))) return rc;
            break;
        }
        /* attributes after a field, then a separator */
        skip(P, false);
        while (P->p < P->end && *P->p == '@') {
            while (P->p < P->end && *P->p != '\n' && *P->p != ',' && *P->p != '}')
                adv(P);
            skip(P, false);
        }
        if (P->p < P->end && *P->p != '\n' && *P->p != ',' && *P->p != '}')
            return perr(P, "cue: unexpected '%.1s' after a field (only CUE data is supported)",
                        P->p);
    }
    P->depth--;
    return 0;
}

static int parse_cue_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    cp P = {.a = a, .p = text, .end = text + n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.p += 3;
    val_t *obj = val_obj_new(a, 16);
    if (!obj) return oom(&P);
    skip(&P, true);
    int rc;
    if (P.p < P.end && (*P.p == '[' || *P.p == '"' || isdigit((unsigned char)*P.p))) {
        /* an embedded top-level value (a list or scalar document) */
        if ((rc = parse_value(&P, out))) return rc;
        skip(&P, true);
        if (P.p < P.end) return perr(&P, "cue: %s", "unexpected content after the value");
        return 0;
    }
    if ((rc = parse_fields(&P, obj, false))) return rc;
    *out = obj;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM. */
int pol_parse_cue(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e) {
    return pol_budget_rc(a, parse_cue_doc(a, text, n, file, out, e), file, e);
}
