/* parse_hocon.c - HOCON documents into the object conftest's HOCON parser
 * gives (go-akka/configuration, then each leaf's String() typed back into a
 * number/boolean when it reads as one). Parses into a small tree of values
 * (each a list of concatenated elements: text, arrays, objects,
 * substitutions), resolves substitutions against the finished tree and then
 * the environment, and converts. Called by `gatehouse check` / `parse`.
 * Invariants: nesting bounded by GH_MAX_DEPTH; no printing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef struct hval hval;
typedef struct hobj hobj;

typedef enum { HE_LIT, HE_ARR, HE_OBJ, HE_SUB } hekind;

typedef struct helem {
    hekind k;
    const char *s; /* HE_LIT text, HE_SUB path */
    size_t n;
    bool optional; /* ${?path} */
    bool ws;       /* HE_LIT that is whitespace between concatenated values */
    hval **items;  /* HE_ARR */
    size_t nitems, capitems;
    hobj *obj; /* HE_OBJ */
    int line, col;
} helem;

struct hval {
    helem **el;
    size_t n, cap;
    hval *old;    /* the value this one replaced (for ${?x} that resolves to nothing) */
    int busy;     /* resolution in progress (cycle check) */
    int printing; /* being converted to text (cycle check through objects) */
};

struct hobj {
    const char **keys;
    hval **vals;
    size_t n, cap;
    int converting; /* being converted (cycle check through substitutions) */
    val_t *index;   /* key -> position once the object is large, else NULL */
    int line, col;  /* where it opens */
};

typedef struct {
    gh_arena *a;
    const char *p, *end, *file;
    int line, col;
    gh_err *e;
    int depth;
    hval *root;
    int rc; /* first error during resolution/conversion */
} hp;

static int perr(hp *P, const char *fmt, const char *arg) {
    return gh_err_set(P->e, GH_EPARSE, P->file, P->line, P->col, fmt, arg);
}
POL_CURSOR_FNS(hp)
static bool is_comment(hp *P) { return at(P, "#") || at(P, "//"); }
static bool is_sp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static void skip_sp(hp *P) {
    while (P->p < P->end && is_sp(*P->p))
        adv(P);
}
static void skip_comment(hp *P) {
    while (P->p < P->end && *P->p != '\n')
        adv(P);
}
/* whitespace, newlines, comments and (when commas) commas */
static void skip_all(hp *P, bool commas) {
    for (;;) {
        while (P->p < P->end && (is_sp(*P->p) || *P->p == '\n' || (commas && *P->p == ',')))
            adv(P);
        if (P->p < P->end && is_comment(P)) {
            skip_comment(P);
            continue;
        }
        return;
    }
}

static const char NOT_IN_KEY[] = "$\"{}[]:=,#`^?!@*&\\.+";
static const char NOT_IN_TEXT[] = "$\"{}[]:=,#`^?!@*&\\";

static bool text_char(hp *P) {
    char c = *P->p;
    return !is_sp(c) && c != '\n' && !strchr(NOT_IN_TEXT, c) && !at(P, "//");
}

static hval *hval_new(hp *P) { return gh_arena_calloc(P->a, sizeof(hval)); }

static int hval_add(hp *P, hval *v, helem *el) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4;
        helem **ne = gh_arena_realloc(P->a, v->el, v->cap * sizeof *ne, nc * sizeof *ne);
        if (!ne) return oom(P);
        v->el = ne;
        v->cap = nc;
    }
    v->el[v->n++] = el;
    return 0;
}

static helem *elem(hp *P, hekind k) {
    helem *el = gh_arena_calloc(P->a, sizeof *el);
    if (el) {
        el->k = k;
        el->line = P->line;
        el->col = P->col;
    }
    return el;
}

/* Position of key k in o, or -1. Large objects keep a hashed index. */
static long obj_find(const hobj *o, const char *k, size_t kn) {
    if (o->index) {
        val_t *ix = val_obj_get_str(o->index, k, kn);
        int64_t i;
        return ix && val_num_to_int64(ix, &i) ? (long)i : -1;
    }
    for (size_t i = 0; i < o->n; i++)
        if (strlen(o->keys[i]) == kn && !memcmp(o->keys[i], k, kn)) return (long)i;
    return -1;
}

static hval *obj_get(hobj *o, const char *k, size_t kn) {
    long i = obj_find(o, k, kn);
    return i < 0 ? NULL : o->vals[i];
}

static int index_add(hp *P, hobj *o, size_t i) {
    val_t *k = val_strc(P->a, o->keys[i]), *v = val_int(P->a, (int64_t)i);
    return !k || !v || val_obj_put(P->a, o->index, k, v) ? oom(P) : 0;
}

/* Set key to v (replacing in place so the key keeps its first position). */
static int obj_set(hp *P, hobj *o, const char *k, size_t kn, hval *v) {
    long at = obj_find(o, k, kn);
    if (at >= 0) {
        o->vals[at] = v;
        return 0;
    }
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 8;
        const char **nk = gh_arena_realloc(P->a, o->keys, o->cap * sizeof *nk, nc * sizeof *nk);
        hval **nv =
            nk ? gh_arena_realloc(P->a, o->vals, o->cap * sizeof *nv, nc * sizeof *nv) : NULL;
        if (!nk || !nv) return oom(P);
        o->keys = nk;
        o->vals = nv;
        o->cap = nc;
    }
    o->keys[o->n] = gh_arena_strndup(P->a, k, kn);
    if (!o->keys[o->n]) return oom(P);
    o->vals[o->n++] = v;
    if (!o->index && o->n >= 16) {
        if (!(o->index = val_obj_new(P->a, 32))) return oom(P);
        for (size_t i = 0; i + 1 < o->n; i++)
            if (index_add(P, o, i)) return P->e->code;
    }
    return o->index ? index_add(P, o, o->n - 1) : 0;
}

static int parse_body(hp *P, hobj *o, bool braced);
static int parse_value(hp *P, hval *v);

/* A "quoted" string at P->p; its text goes to *s and *n (arena). */
static int quoted(hp *P, const char **s, size_t *n) {
    gh_buf b;
    gh_buf_init(&b);
    int sl = P->line, sc = P->col;
    if (at(P, "\"\"\"")) {
        adv(P), adv(P), adv(P);
        while (P->p < P->end && !at(P, "\"\"\"")) {
            gh_buf_putc(&b, *P->p);
            adv(P);
        }
        if (P->p >= P->end) {
            gh_buf_free(&b);
            P->line = sl, P->col = sc;
            return perr(P, "hocon: unterminated %s string", "triple-quoted");
        }
        while (at(P, "\"\"\"\"")) { /* extra quotes belong to the string */
            gh_buf_putc(&b, '"');
            adv(P);
        }
        adv(P), adv(P), adv(P);
    } else {
        adv(P);
        for (;;) {
            if (P->p >= P->end || *P->p == '\n') {
                gh_buf_free(&b);
                P->line = sl, P->col = sc;
                return perr(P, "hocon: unterminated %s string", "quoted");
            }
            char c = *P->p;
            if (c == '"') {
                adv(P);
                break;
            }
            if (c == '\\' && P->end - P->p >= 2) {
                char x = P->p[1];
                adv(P), adv(P);
                char r = x == '"' || x == '\\' || x == '/' ? x
                         : x == 'b'                        ? '\b'
                         : x == 'f'                        ? '\f'
                         : x == 'n'                        ? '\n'
                         : x == 'r'                        ? '\r'
                         : x == 't'                        ? '\t'
                                                           : 0;
                if (r) {
                    gh_buf_putc(&b, r);
                } else if (x == 'u' && P->end - P->p >= 4) {
                    char h[5] = {P->p[0], P->p[1], P->p[2], P->p[3], 0};
                    char *endp;
                    unsigned long cp = strtoul(h, &endp, 16);
                    if (*endp) {
                        gh_buf_free(&b);
                        return perr(P, "hocon: bad %s escape", "\\u");
                    }
                    for (int i = 0; i < 4; i++)
                        adv(P);
                    pol_put_utf8(&b, (uint32_t)cp);
                } else {
                    gh_buf_free(&b);
                    return perr(P, "hocon: unknown escape %s", "in quoted string");
                }
                continue;
            }
            gh_buf_putc(&b, c);
            adv(P);
        }
    }
    if (b.oom) {
        gh_buf_free(&b);
        return oom(P);
    }
    *s = gh_arena_strndup(P->a, b.p ? b.p : "", b.len);
    *n = b.len;
    gh_buf_free(&b);
    return *s ? 0 : oom(P);
}

static int push_lit(hp *P, hval *v, const char *s, size_t n, bool ws) {
    helem *el = elem(P, HE_LIT);
    if (!el) return oom(P);
    el->s = s;
    el->n = n;
    el->ws = ws;
    return hval_add(P, v, el);
}

static bool value_start(hp *P) {
    if (P->p >= P->end) return false;
    char c = *P->p;
    return c == '{' || c == '[' || c == '"' || at(P, "${") || (text_char(P) && !is_comment(P));
}

static int enter(hp *P) {
    if (++P->depth > GH_MAX_DEPTH)
        return gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col,
                          "hocon: nesting deeper than %d", GH_MAX_DEPTH);
    return 0;
}

static int parse_array(hp *P, helem *arr) {
    int sl = P->line, sc = P->col;
    adv(P); /* [ */
    for (;;) {
        skip_all(P, true);
        if (P->p >= P->end) {
            P->line = sl, P->col = sc;
            return perr(P, "hocon: unterminated %s", "array");
        }
        if (*P->p == ']') {
            adv(P);
            return 0;
        }
        hval *item = hval_new(P);
        if (!item) return oom(P);
        int rc = parse_value(P, item);
        if (rc) return rc;
        if (!item->n) return perr(P, "hocon: expected a value in %s", "array");
        if (arr->nitems == arr->capitems) {
            size_t nc = arr->capitems ? arr->capitems * 2 : 4;
            hval **ni =
                gh_arena_realloc(P->a, arr->items, arr->capitems * sizeof *ni, nc * sizeof *ni);
            if (!ni) return oom(P);
            arr->items = ni;
            arr->capitems = nc;
        }
        arr->items[arr->nitems++] = item;
    }
}

/* One value: concatenated elements up to a newline, comma, closing bracket
 * or comment. */
static int parse_value(hp *P, hval *v) {
    int rc = enter(P);
    if (rc) return rc;
    skip_sp(P);
    while (value_start(P)) {
        char c = *P->p;
        if (c == '{') {
            helem *el = elem(P, HE_OBJ);
            if (!el || !(el->obj = gh_arena_calloc(P->a, sizeof(hobj)))) return oom(P);
            el->obj->line = P->line;
            el->obj->col = P->col;
            adv(P);
            if ((rc = parse_body(P, el->obj, true)) || (rc = hval_add(P, v, el))) return rc;
        } else if (c == '[') {
            helem *el = elem(P, HE_ARR);
            if (!el) return oom(P);
            if ((rc = parse_array(P, el)) || (rc = hval_add(P, v, el))) return rc;
        } else if (c == '"') {
            const char *s;
            size_t n;
            if ((rc = quoted(P, &s, &n)) || (rc = push_lit(P, v, s, n, false))) return rc;
        } else if (at(P, "${")) {
            helem *el = elem(P, HE_SUB);
            if (!el) return oom(P);
            adv(P), adv(P);
            if (P->p < P->end && *P->p == '?') {
                el->optional = true;
                adv(P);
            }
            const char *s = P->p;
            while (P->p < P->end && *P->p != '}' && *P->p != '\n')
                adv(P);
            if (P->p >= P->end || *P->p != '}')
                return perr(P, "hocon: unterminated %s", "substitution");
            el->s = gh_arena_strndup(P->a, s, (size_t)(P->p - s));
            el->n = (size_t)(P->p - s);
            adv(P);
            if (!el->s) return oom(P);
            if ((rc = hval_add(P, v, el))) return rc;
        } else {
            const char *s = P->p;
            while (P->p < P->end && text_char(P))
                adv(P);
            if ((rc = push_lit(P, v, s, (size_t)(P->p - s), false))) return rc;
        }
        if (P->p < P->end && is_sp(*P->p)) {
            const char *s = P->p;
            skip_sp(P);
            if (value_start(P) && (rc = push_lit(P, v, s, (size_t)(P->p - s), true))) return rc;
        }
    }
    if (P->p < P->end && !strchr(",\n}]#", *P->p) && !at(P, "//"))
        return perr(P, "hocon: unexpected character '%.1s'", P->p);
    P->depth--;
    return 0;
}

/* Key path segments: unquoted runs (inner spaces kept, ends trimmed) or
 * quoted strings, separated by dots. */
typedef struct {
    const char *s[64];
    size_t n[64];
    int count;
} keypath;

static int parse_key(hp *P, keypath *kp) {
    kp->count = 0;
    for (;;) {
        if (kp->count == 64) return perr(P, "hocon: key path longer than %s segments", "64");
        const char *s;
        size_t n;
        int rc;
        if (P->p < P->end && *P->p == '"') {
            if ((rc = quoted(P, &s, &n))) return rc;
        } else {
            s = P->p;
            while (P->p < P->end && *P->p != '\n' && !strchr(NOT_IN_KEY, *P->p) && !is_comment(P))
                adv(P);
            n = (size_t)(P->p - s);
            while (n && is_sp(s[n - 1]))
                n--;
            if (!n)
                return perr(P, "hocon: expected a key, found '%.1s'", P->p < P->end ? P->p : " ");
        }
        kp->s[kp->count] = s;
        kp->n[kp->count++] = n;
        if (P->p < P->end && *P->p == '.') {
            adv(P);
            continue;
        }
        return 0;
    }
}

static bool is_obj(const hval *v) { return v && v->n && v->el[0]->k == HE_OBJ; }

static int parse_body(hp *P, hobj *o, bool braced) {
    int rc = enter(P);
    if (rc) return rc;
    int sl = P->line, sc = P->col;
    for (;;) {
        skip_all(P, true);
        if (P->p >= P->end) {
            if (braced) {
                P->line = sl, P->col = sc;
                return perr(P, "hocon: unterminated %s", "object");
            }
            break;
        }
        if (*P->p == '}') {
            if (!braced) return perr(P, "hocon: unexpected %s", "'}'");
            adv(P);
            break;
        }
        if (at(P, "include") && P->end - P->p > 7 && (is_sp(P->p[7]) || P->p[7] == '"')) {
            const char *q = P->p + 7;
            while (q < P->end && is_sp(*q))
                q++;
            static const char *const forms[] = {"\"", "file(", "url(", "classpath(", "required("};
            for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
                size_t fl = strlen(forms[f]);
                if ((size_t)(P->end - q) >= fl && !memcmp(q, forms[f], fl))
                    return perr(P, "hocon: include is not supported (%s)",
                                "inline the included file");
            }
        }
        keypath kp;
        if ((rc = parse_key(P, &kp))) return rc;
        skip_sp(P);
        bool append = false;
        if (at(P, "+=")) {
            append = true;
            adv(P), adv(P);
        } else if (P->p < P->end && (*P->p == '=' || *P->p == ':')) {
            adv(P);
        } else if (P->p >= P->end || *P->p != '{') {
            return perr(P, "hocon: expected '=', ':' or '{' after key%s", "");
        }
        /* walk the path, creating/merging objects */
        hobj *cur = o;
        for (int i = 0; i + 1 < kp.count; i++) {
            hval *x = obj_get(cur, kp.s[i], kp.n[i]);
            if (!is_obj(x)) {
                hval *nv = hval_new(P);
                helem *el = elem(P, HE_OBJ);
                if (!nv || !el || !(el->obj = gh_arena_calloc(P->a, sizeof(hobj)))) return oom(P);
                el->obj->line = el->line;
                el->obj->col = el->col;
                nv->old = x;
                if ((rc = hval_add(P, nv, el)) || (rc = obj_set(P, cur, kp.s[i], kp.n[i], nv)))
                    return rc;
                x = nv;
            }
            cur = x->el[0]->obj;
        }
        const char *k = kp.s[kp.count - 1];
        size_t kn = kp.n[kp.count - 1];
        hval *prev = obj_get(cur, k, kn);
        skip_sp(P);
        if (!append && P->p < P->end && *P->p == '{' && is_obj(prev)) {
            /* an object after an object merges into it */
            adv(P);
            if ((rc = parse_body(P, prev->el[0]->obj, true))) return rc;
            skip_sp(P);
            if (value_start(P)) return perr(P, "hocon: %s", "cannot concatenate after an object");
        } else {
            hval *nv = hval_new(P);
            if (!nv) return oom(P);
            if ((rc = parse_value(P, nv))) return rc;
            if (!nv->n)
                return perr(P, "hocon: expected a value for key '%s'",
                            gh_arena_strndup(P->a, k, kn));
            if (append) {
                /* a += b is a = ${?a} [b]; the earlier value is only ever
                 * read through this one, so [b] is appended to it in place */
                helem *arr = elem(P, HE_ARR);
                if (!arr || !(arr->items = gh_arena_alloc(P->a, sizeof(hval *)))) return oom(P);
                arr->items[0] = nv;
                arr->nitems = arr->capitems = 1;
                if (prev && !is_obj(prev)) {
                    if ((rc = hval_add(P, prev, arr))) return rc;
                    continue;
                }
                hval *wrap = hval_new(P);
                if (!wrap || (rc = hval_add(P, wrap, arr))) return wrap ? rc : oom(P);
                nv = wrap;
            }
            nv->old = prev;
            if ((rc = obj_set(P, cur, k, kn, nv))) return rc;
        }
    }
    P->depth--;
    return 0;
}

/* ---- resolution ---------------------------------------------------------- */

typedef enum { V_ABSENT, V_STRING, V_OBJECT, V_ARRAY } vkind;

static int rerr(hp *P, const helem *el, const char *msg) {
    if (!P->rc)
        P->rc = gh_err_set(P->e, GH_EPARSE, P->file, el->line, el->col, "hocon: %s ${%s%.*s}", msg,
                           el->optional ? "?" : "", (int)el->n, el->s);
    return P->rc;
}

static vkind kind_of(hp *P, hval *v, hval **target);

/* Look a substitution's path up in the document; NULL when absent. */
static hval *lookup(hp *P, const char *path, size_t n) {
    hval *cur = P->root;
    size_t i = 0;
    while (i < n) {
        /* a segment: quoted or up to the next dot */
        const char *s;
        size_t sn;
        if (path[i] == '"') {
            const char *q = memchr(path + i + 1, '"', n - i - 1);
            if (!q) return NULL;
            s = path + i + 1;
            sn = (size_t)(q - s);
            i = (size_t)(q - path) + 1;
        } else {
            const char *d = memchr(path + i, '.', n - i);
            s = path + i;
            sn = d ? (size_t)(d - s) : n - i;
            i += sn;
        }
        while (sn && is_sp(*s))
            s++, sn--;
        while (sn && is_sp(s[sn - 1]))
            sn--;
        if (i < n && path[i] == '.') i++;
        if (!sn) continue;
        hval *t;
        if (kind_of(P, cur, &t) != V_OBJECT) return NULL;
        cur = obj_get(t->el[0]->obj, s, sn);
        if (!cur) return NULL;
    }
    return cur;
}

/* Resolve a substitution element to a value (NULL: absent / error). */
static hval *resolve(hp *P, helem *el) {
    hval *t = lookup(P, el->s, el->n);
    bool declared = t != NULL;
    if (t) {
        hval *x;
        if (kind_of(P, t, &x) != V_ABSENT) return t;
    }
    if (P->rc) return NULL;
    char *name = gh_arena_strndup(P->a, el->s, el->n);
    const char *env = name ? getenv(name) : NULL;
    if (env) {
        hval *v = hval_new(P);
        helem *lit = elem(P, HE_LIT);
        if (!v || !lit) {
            if (!P->rc) P->rc = oom(P);
            return NULL;
        }
        lit->s = gh_arena_strndup(P->a, env, strlen(env));
        lit->n = strlen(env);
        if (!lit->s || hval_add(P, v, lit)) {
            if (!P->rc) P->rc = oom(P);
            return NULL;
        }
        return v;
    }
    /* A field that is declared but holds only an unresolved ${?x} reads
     * as nothing (go-akka does not fail there; conftest's own HOCON example
     * relies on it); a path found nowhere is an error unless optional. */
    if (!el->optional && !declared) rerr(P, el, "unresolved substitution");
    return NULL;
}

/* What v is once substitutions resolve; *target is the value holding the
 * object when V_OBJECT (its el[0] is the object). */
static vkind kind_of(hp *P, hval *v, hval **target) {
    *target = v;
    if (!v || P->rc) return V_ABSENT;
    if (v->busy > 0 && v->n) {
        rerr(P, v->el[0], "cycle through substitution");
        return V_ABSENT;
    }
    vkind k = V_ABSENT;
    v->busy++;
    if (!v->n) {
        k = V_ABSENT;
    } else if (v->el[0]->k == HE_OBJ) {
        k = V_OBJECT;
    } else {
        bool any_arr = false, any_str = false, all_absent = true;
        for (size_t i = 0; i < v->n && !P->rc; i++) {
            helem *el = v->el[i];
            if (el->k == HE_ARR)
                any_arr = true, all_absent = false;
            else if (el->k == HE_LIT) {
                if (!el->ws) any_str = true, all_absent = false;
            } else if (el->k == HE_SUB) {
                hval *r = resolve(P, el), *t;
                vkind rk = r ? kind_of(P, r, &t) : V_ABSENT;
                if (rk == V_ABSENT) continue;
                all_absent = false;
                if (rk == V_OBJECT && i == 0) {
                    k = V_OBJECT;
                    *target = t;
                    break;
                }
                if (rk == V_ARRAY)
                    any_arr = true;
                else
                    any_str = true;
            } else if (el->k == HE_OBJ) {
                any_str = true; /* an object later in a concatenation: go-akka reads values[0] */
                all_absent = false;
            }
        }
        if (k != V_OBJECT) {
            if (all_absent)
                k = V_ABSENT;
            else
                k = any_str || !any_arr ? V_STRING : V_ARRAY;
        }
    }
    v->busy--;
    if (k == V_ABSENT && v->old && !P->rc) return kind_of(P, v->old, target);
    return k;
}

static void to_string(hp *P, gh_buf *b, hval *v, int indent);

static void quote_if_needed(gh_buf *b, const char *s, size_t n) {
    if (!n) {
        gh_buf_puts(b, "\"\"");
        return;
    }
    bool q = memchr(s, ' ', n) || memchr(s, '\t', n);
    if (q) gh_buf_putc(b, '"');
    gh_buf_append(b, s, n);
    if (q) gh_buf_putc(b, '"');
}

/* go-akka's concatString: the elements' text joined, "null" -> "", trimmed. */
static void concat_string(hp *P, gh_buf *out, hval *v) {
    gh_buf t;
    gh_buf_init(&t);
    for (size_t i = 0; i < v->n && !P->rc; i++) {
        helem *el = v->el[i];
        if (el->k == HE_LIT) {
            gh_buf_append(&t, el->s, el->n);
        } else if (el->k == HE_SUB) {
            hval *r = resolve(P, el), *x;
            if (r && kind_of(P, r, &x) == V_STRING)
                concat_string(P, &t, x);
            else if (r)
                to_string(P, &t, r, 0);
        }
    }
    const char *s = t.p ? t.p : "";
    size_t n = t.len;
    if (n == 4 && !memcmp(s, "null", 4)) n = 0;
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    gh_buf_append(out, s, n);
    if (t.oom) out->oom = 1;
    gh_buf_free(&t);
}

static void obj_to_string(hp *P, gh_buf *b, hobj *o, int indent) {
    for (size_t i = 0; i < o->n; i++) {
        hval *t;
        if (kind_of(P, o->vals[i], &t) == V_ABSENT) continue;
        for (int j = 0; j < indent * 2; j++)
            gh_buf_putc(b, ' ');
        quote_if_needed(b, o->keys[i], strlen(o->keys[i]));
        gh_buf_puts(b, " : ");
        to_string(P, b, o->vals[i], indent);
        gh_buf_puts(b, "\r\n");
    }
}

static void array_items(hp *P, hval *v, void (*fn)(hp *, hval *, void *), void *ctx) {
    for (size_t i = 0; i < v->n && !P->rc; i++) {
        helem *el = v->el[i];
        if (el->k == HE_ARR) {
            for (size_t j = 0; j < el->nitems; j++)
                fn(P, el->items[j], ctx);
        } else if (el->k == HE_SUB) {
            hval *r = resolve(P, el), *t;
            if (r && kind_of(P, r, &t) == V_ARRAY) array_items(P, t, fn, ctx);
        }
    }
}

typedef struct {
    gh_buf *b;
    int indent;
    size_t count;
} arr_ctx;

static void arr_item_str(hp *P, hval *item, void *c) {
    arr_ctx *x = c;
    if (x->count++) gh_buf_putc(x->b, ',');
    to_string(P, x->b, item, x->indent + 1);
}

/* go-akka's HoconValue.ToString(indent). */
static void to_string(hp *P, gh_buf *b, hval *v, int indent) {
    hval *t;
    if (v->printing || indent > GH_MAX_DEPTH) {
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_EPARSE, P->file, v->n ? v->el[0]->line : 0,
                               v->n ? v->el[0]->col : 0,
                               "hocon: a substitution refers to a value containing it");
        return;
    }
    vkind k = kind_of(P, v, &t);
    if (P->rc) return;
    v->printing++;
    if (k == V_STRING) {
        gh_buf s;
        gh_buf_init(&s);
        concat_string(P, &s, t);
        quote_if_needed(b, s.p ? s.p : "", s.len);
        if (s.oom) b->oom = 1;
        gh_buf_free(&s);
    } else if (k == V_OBJECT) {
        gh_buf_puts(b, "{\r\n");
        obj_to_string(P, b, t->el[0]->obj, indent + 1);
        for (int j = 0; j < indent * 2; j++)
            gh_buf_putc(b, ' ');
        gh_buf_putc(b, '}');
    } else if (k == V_ARRAY) {
        arr_ctx x = {b, indent, 0};
        gh_buf_putc(b, '[');
        array_items(P, t, arr_item_str, &x);
        gh_buf_putc(b, ']');
    }
    v->printing--;
}

/* Go's strconv.ParseBool. */
static int go_bool(const char *s, size_t n) {
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (strlen(t[i]) == n && !memcmp(s, t[i], n)) return 1;
        if (strlen(f[i]) == n && !memcmp(s, f[i], n)) return 0;
    }
    return -1;
}

static val_t *convert_obj(hp *P, hobj *o);

static val_t *leaf(hp *P, hval *v) {
    gh_buf b;
    gh_buf_init(&b);
    to_string(P, &b, v, 0);
    const char *s = b.p ? b.p : "";
    val_t *r = NULL;
    if (!b.oom && !P->rc) {
        if (pol_go_number(s, b.len))
            r = val_num_parse(P->a, s + (s[0] == '+'), b.len - (s[0] == '+'), NULL);
        if (!r) {
            int bv = go_bool(s, b.len);
            r = bv >= 0 ? val_bool(bv == 1) : val_str(P->a, s, b.len);
        }
    }
    gh_buf_free(&b);
    return r;
}

static val_t *convert_obj(hp *P, hobj *o) {
    if (o->converting) {
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_EPARSE, P->file, o->line, o->col,
                               "hocon: a substitution refers to an object containing it");
        return NULL;
    }
    val_t *obj = val_obj_new(P->a, o->n);
    if (!obj) return NULL;
    if (++P->depth > GH_MAX_DEPTH) {
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_ELIMIT, P->file, 0, 0, "hocon: nesting deeper than %d",
                               GH_MAX_DEPTH);
        return NULL;
    }
    o->converting = 1;
    for (size_t i = 0; i < o->n; i++) {
        hval *t;
        vkind k = kind_of(P, o->vals[i], &t);
        if (P->rc) return NULL;
        if (k == V_ABSENT) continue;
        val_t *x = k == V_OBJECT ? convert_obj(P, t->el[0]->obj) : leaf(P, o->vals[i]);
        val_t *key = val_strc(P->a, o->keys[i]);
        if (!x || !key || val_obj_put(P->a, obj, key, x)) return NULL;
    }
    o->converting = 0;
    P->depth--;
    return obj;
}

static int parse_hocon_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                           gh_err *e) {
    hp P = {.a = a, .p = text, .end = text + n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.p += 3;
    hval *root = hval_new(&P);
    helem *el = elem(&P, HE_OBJ);
    if (!root || !el || !(el->obj = gh_arena_calloc(a, sizeof(hobj))) || hval_add(&P, root, el))
        return oom(&P);
    P.root = root;
    skip_all(&P, false);
    int rc;
    if (P.p < P.end && *P.p == '{') {
        adv(&P);
        if ((rc = parse_body(&P, el->obj, true))) return rc;
        skip_all(&P, false);
        if (P.p < P.end) return perr(&P, "hocon: unexpected content after the root %s", "object");
    } else if (P.p < P.end && *P.p == '[') {
        return perr(&P, "hocon: the root must be an %s", "object");
    } else if ((rc = parse_body(&P, el->obj, false))) {
        return rc;
    }
    P.depth = 0;
    /* conftest reads every top-level key as an object ({} otherwise) */
    hobj *ro = el->obj;
    val_t *obj = val_obj_new(a, ro->n);
    if (!obj) return oom(&P);
    for (size_t i = 0; i < ro->n; i++) {
        hval *t;
        vkind k = kind_of(&P, ro->vals[i], &t);
        if (P.rc) return P.rc;
        if (k == V_ABSENT) continue;
        val_t *x = k == V_OBJECT ? convert_obj(&P, t->el[0]->obj) : val_obj_new(a, 0);
        if (P.rc) return P.rc;
        val_t *key = val_strc(a, ro->keys[i]);
        if (!x || !key || val_obj_put(a, obj, key, x)) return oom(&P);
    }
    *out = obj;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_hocon(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                    gh_err *e) {
    return pol_budget_rc(a, parse_hocon_doc(a, text, n, file, out, e), file, e);
}
