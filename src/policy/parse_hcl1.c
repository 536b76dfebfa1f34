/* parse_hcl1.c - HCL 1 documents into the value conftest's hcl1 parser
 * gives (hashicorp/hcl v1's Unmarshal into `any`): a scanner and parser
 * building an item tree (keys + value), then hcl's decoding rules: objects
 * and blocks inside a map become lists of maps, labels nest, repeated keys
 * append. Called by `gatehouse check` / `parse` for --parser hcl1.
 * Invariants: nesting bounded by GH_MAX_DEPTH; nothing printed. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef enum {
    T_EOF,
    T_IDENT,
    T_STRING,
    T_HEREDOC,
    T_NUMBER,
    T_FLOAT,
    T_BOOL,
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_ASSIGN,
    T_COMMA
} ttype;

typedef struct {
    ttype t;
    const char *s; /* decoded text (strings, heredocs) or raw text */
    size_t n;
    int line, col;
} tok;

typedef struct hnode hnode;
typedef struct hitem {
    tok *keys;
    size_t nkeys;
    hnode *val;
} hitem;

typedef enum { N_LIT, N_LIST, N_OBJ } nkind;
struct hnode {
    nkind k;
    tok lit;       /* N_LIT */
    hnode **elems; /* N_LIST */
    size_t nelems;
    hitem **items; /* N_OBJ */
    size_t nitems;
    int line, col;
};

typedef struct {
    gh_arena *a;
    const char *p, *end, *file;
    int line, col;
    gh_err *e;
    tok cur;
    bool have;
    int depth;
} hp;

static int perr(hp *P, int line, int col, const char *msg) {
    return gh_err_set(P->e, GH_EPARSE, P->file, line, col, "hcl1: %s", msg);
}
POL_CURSOR_FNS(hp)

static int skip_ws(hp *P) {
    for (;;) {
        while (P->p < P->end && isspace((unsigned char)*P->p))
            adv(P);
        if (P->p >= P->end) return 0;
        if (*P->p == '#' || (P->end - P->p >= 2 && P->p[0] == '/' && P->p[1] == '/')) {
            while (P->p < P->end && *P->p != '\n')
                adv(P);
            continue;
        }
        if (P->end - P->p >= 2 && P->p[0] == '/' && P->p[1] == '*') {
            int l = P->line, c = P->col;
            adv(P), adv(P);
            while (P->end - P->p >= 2 && !(P->p[0] == '*' && P->p[1] == '/'))
                adv(P);
            if (P->end - P->p < 2) return perr(P, l, c, "comment not terminated");
            adv(P), adv(P);
            continue;
        }
        return 0;
    }
}

/* A string or heredoc token from the text gathered in b (freed here). */
static int tok_take(hp *P, tok *t, ttype kind, gh_buf *b) {
    if (b->oom) {
        gh_buf_free(b);
        return oom(P);
    }
    t->t = kind;
    t->s = gh_arena_strndup(P->a, b->p ? b->p : "", b->len);
    t->n = b->len;
    gh_buf_free(b);
    return t->s ? 0 : oom(P);
}

/* "..." with Go escapes; ${...} interpolations are kept verbatim (quotes
 * inside them do not end the string). */
static int scan_string(hp *P, tok *t) {
    gh_buf b;
    gh_buf_init(&b);
    int braces = 0;
    adv(P);
    for (;;) {
        if (P->p >= P->end || (*P->p == '\n' && !braces)) {
            gh_buf_free(&b);
            return perr(P, t->line, t->col, "literal not terminated");
        }
        char c = *P->p;
        if (c == '"' && !braces) {
            adv(P);
            break;
        }
        if (c == '$' && P->end - P->p >= 2 && P->p[1] == '{') {
            braces++;
            gh_buf_append(&b, "${", 2);
            adv(P), adv(P);
            continue;
        }
        if (braces && c == '{') braces++;
        if (braces && c == '}') braces--;
        if (c == '\\' && P->end - P->p >= 2) {
            char x = P->p[1];
            if (braces) { /* inside ${}: keep escapes as written */
                gh_buf_append(&b, P->p, 2);
                adv(P), adv(P);
                continue;
            }
            adv(P), adv(P);
            int hexn = x == 'x' ? 2 : x == 'u' ? 4 : x == 'U' ? 8 : 0;
            if (hexn) {
                if (P->end - P->p < hexn) {
                    gh_buf_free(&b);
                    return perr(P, P->line, P->col, "invalid escape sequence");
                }
                uint32_t v = 0;
                for (int i = 0; i < hexn; i++) {
                    char h = *P->p;
                    int d = isdigit((unsigned char)h)    ? h - '0'
                            : isxdigit((unsigned char)h) ? (tolower((unsigned char)h) - 'a' + 10)
                                                         : -1;
                    if (d < 0) {
                        gh_buf_free(&b);
                        return perr(P, P->line, P->col, "invalid escape sequence");
                    }
                    v = v * 16 + (uint32_t)d;
                    adv(P);
                }
                if (hexn == 2)
                    gh_buf_putc(&b, (char)v);
                else
                    pol_put_utf8(&b, v);
                continue;
            }
            char r = x == 'n'    ? '\n'
                     : x == 't'  ? '\t'
                     : x == 'r'  ? '\r'
                     : x == 'a'  ? '\a'
                     : x == 'b'  ? '\b'
                     : x == 'f'  ? '\f'
                     : x == 'v'  ? '\v'
                     : x == '\\' ? '\\'
                     : x == '"'  ? '"'
                                 : 0;
            if (!r) {
                gh_buf_free(&b);
                return perr(P, P->line, P->col, "invalid escape sequence");
            }
            gh_buf_putc(&b, r);
            continue;
        }
        gh_buf_putc(&b, c);
        adv(P);
    }
    return tok_take(P, t, T_STRING, &b);
}

/* <<EOF ... EOF or <<-EOF (indented: common leading whitespace removed). */
static int scan_heredoc(hp *P, tok *t) {
    adv(P), adv(P);
    bool indent = false;
    if (P->p < P->end && *P->p == '-') {
        indent = true;
        adv(P);
    }
    const char *m = P->p;
    while (P->p < P->end && (isalnum((unsigned char)*P->p) || *P->p == '_' || *P->p == '-'))
        adv(P);
    size_t mn = (size_t)(P->p - m);
    if (!mn || P->p >= P->end || (*P->p != '\n' && *P->p != '\r'))
        return perr(P, t->line, t->col, "heredoc expected a marker name");
    if (*P->p == '\r') adv(P);
    adv(P);
    /* collect lines until one that (trimmed) equals the marker */
    const char *body = P->p;
    const char *lines_end = NULL;
    while (P->p < P->end) {
        const char *ls = P->p;
        const char *le = memchr(ls, '\n', (size_t)(P->end - ls));
        if (!le) le = P->end;
        const char *a = ls, *z = le;
        if (z > a && z[-1] == '\r') z--;
        if (indent)
            while (a < z && (*a == ' ' || *a == '\t'))
                a++;
        if ((size_t)(z - a) == mn && !memcmp(a, m, mn)) {
            lines_end = ls;
            while (P->p < le)
                adv(P);
            break;
        }
        while (P->p < le)
            adv(P);
        if (P->p < P->end) adv(P);
    }
    if (!lines_end) return perr(P, t->line, t->col, "heredoc not terminated");
    gh_buf b;
    gh_buf_init(&b);
    size_t strip = (size_t)-1;
    if (indent) { /* smallest indentation of the non-empty lines */
        for (const char *q = body; q < lines_end;) {
            const char *le = memchr(q, '\n', (size_t)(lines_end - q));
            if (!le) le = lines_end;
            size_t w = 0;
            while (q + w < le && (q[w] == ' ' || q[w] == '\t'))
                w++;
            if (q + w < le && w < strip) strip = w;
            q = le + 1;
        }
        if (strip == (size_t)-1) strip = 0;
    }
    for (const char *q = body; q < lines_end;) {
        const char *le = memchr(q, '\n', (size_t)(lines_end - q));
        if (!le) le = lines_end;
        const char *a = q;
        if (indent) {
            size_t w = 0;
            while (a < le && w < strip && (*a == ' ' || *a == '\t'))
                a++, w++;
        }
        gh_buf_append(&b, a, (size_t)(le - a));
        gh_buf_putc(&b, '\n');
        q = le + 1;
    }
    return tok_take(P, t, T_HEREDOC, &b);
}

static int scan_number(hp *P, tok *t) {
    const char *s = P->p;
    bool flt = false;
    if (*P->p == '-') adv(P);
    if (P->end - P->p >= 2 && P->p[0] == '0' && (P->p[1] == 'x' || P->p[1] == 'X')) {
        adv(P), adv(P);
        while (P->p < P->end && isxdigit((unsigned char)*P->p))
            adv(P);
    } else {
        while (P->p < P->end && isdigit((unsigned char)*P->p))
            adv(P);
        if (P->p < P->end && *P->p == '.' && P->end - P->p >= 2 &&
            isdigit((unsigned char)P->p[1])) {
            flt = true;
            adv(P);
            while (P->p < P->end && isdigit((unsigned char)*P->p))
                adv(P);
        }
        if (P->p < P->end && (*P->p == 'e' || *P->p == 'E')) {
            flt = true;
            adv(P);
            if (P->p < P->end && (*P->p == '+' || *P->p == '-')) adv(P);
            if (P->p >= P->end || !isdigit((unsigned char)*P->p))
                return perr(P, t->line, t->col, "illegal number exponent");
            while (P->p < P->end && isdigit((unsigned char)*P->p))
                adv(P);
        }
    }
    t->t = flt ? T_FLOAT : T_NUMBER;
    t->s = s;
    t->n = (size_t)(P->p - s);
    return 0;
}

static int next(hp *P, tok *t) {
    int rc = skip_ws(P);
    if (rc) return rc;
    memset(t, 0, sizeof *t);
    t->line = P->line;
    t->col = P->col;
    if (P->p >= P->end) {
        t->t = T_EOF;
        return 0;
    }
    char c = *P->p;
    const char *single = "{}[]=,";
    const char *hit = c ? strchr(single, c) : NULL;
    if (hit) {
        static const ttype tt[] = {T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_ASSIGN, T_COMMA};
        t->t = tt[hit - single];
        t->s = P->p;
        t->n = 1;
        adv(P);
        return 0;
    }
    if (c == '"') return scan_string(P, t);
    if (c == '<' && P->end - P->p >= 2 && P->p[1] == '<') return scan_heredoc(P, t);
    if (isdigit((unsigned char)c) ||
        (c == '-' && P->end - P->p >= 2 && isdigit((unsigned char)P->p[1])))
        return scan_number(P, t);
    if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        const char *s = P->p;
        while (P->p < P->end && (isalnum((unsigned char)*P->p) || *P->p == '_' || *P->p == '-' ||
                                 *P->p == '.' || *P->p == ':' || (unsigned char)*P->p >= 0x80))
            adv(P);
        t->s = s;
        t->n = (size_t)(P->p - s);
        t->t = (t->n == 4 && !memcmp(s, "true", 4)) || (t->n == 5 && !memcmp(s, "false", 5))
                   ? T_BOOL
                   : T_IDENT;
        return 0;
    }
    return perr(P, t->line, t->col, "illegal character");
}

static int peek(hp *P, tok **t) {
    if (!P->have) {
        int rc = next(P, &P->cur);
        if (rc) return rc;
        P->have = true;
    }
    *t = &P->cur;
    return 0;
}
static void take(hp *P) { P->have = false; }

static int parse_object_list(hp *P, bool braced, hnode *obj);
static int parse_list(hp *P, hnode *list);

static int enter(hp *P, int line, int col) {
    if (++P->depth > GH_MAX_DEPTH)
        return gh_err_set(P->e, GH_ELIMIT, P->file, line, col, "hcl1: nesting deeper than %d",
                          GH_MAX_DEPTH);
    return 0;
}

static hnode *mknode(hp *P, nkind k, int line, int col) {
    hnode *n = gh_arena_calloc(P->a, sizeof *n);
    if (n) {
        n->k = k;
        n->line = line;
        n->col = col;
    }
    return n;
}

/* Arrays grow through capacities 4, 8, 16...: a push at count n needs room
 * when n is 0 or a power of two of at least 4. */
static int grow(hp *P, void **arr, size_t n, size_t size) {
    if (n && (n < 4 || (n & (n - 1)))) return 0;
    size_t cap = n ? n * 2 : 4;
    void *na = gh_arena_realloc(P->a, *arr, n * size, cap * size);
    if (!na) return oom(P);
    *arr = na;
    return 0;
}

/* A value after '=' or inside a list. */
static int parse_value(hp *P, hnode **out) {
    tok *t;
    int rc = peek(P, &t);
    if (rc) return rc;
    int l = t->line, c = t->col;
    switch (t->t) {
    case T_STRING:
    case T_HEREDOC:
    case T_NUMBER:
    case T_FLOAT:
    case T_BOOL: {
        hnode *n = mknode(P, N_LIT, l, c);
        if (!n) return oom(P);
        n->lit = *t;
        take(P);
        *out = n;
        return 0;
    }
    case T_LBRACK: {
        take(P);
        hnode *n = mknode(P, N_LIST, l, c);
        if (!n) return oom(P);
        if ((rc = enter(P, l, c)) || (rc = parse_list(P, n))) return rc;
        P->depth--;
        *out = n;
        return 0;
    }
    case T_LBRACE: {
        take(P);
        hnode *n = mknode(P, N_OBJ, l, c);
        if (!n) return oom(P);
        if ((rc = enter(P, l, c)) || (rc = parse_object_list(P, true, n))) return rc;
        P->depth--;
        *out = n;
        return 0;
    }
    default:
        return perr(P, l, c,
                    t->t == T_EOF ? "unexpected end of file, expected a value"
                                  : "unexpected token, expected a value");
    }
}

static int parse_list(hp *P, hnode *list) {
    bool need_comma = false;
    for (;;) {
        tok *t;
        int rc = peek(P, &t);
        if (rc) return rc;
        if (t->t == T_RBRACK) {
            take(P);
            return 0;
        }
        if (t->t == T_COMMA && need_comma) {
            take(P);
            need_comma = false;
            continue;
        }
        if (need_comma) return perr(P, t->line, t->col, "expected ',' or ']' in list");
        if (t->t == T_EOF) return perr(P, t->line, t->col, "list not terminated");
        hnode *v;
        if ((rc = parse_value(P, &v))) return rc;
        if ((rc = grow(P, (void **)&list->elems, list->nelems, sizeof *list->elems))) return rc;
        list->elems[list->nelems++] = v;
        need_comma = true;
    }
}

/* key key... (= value | { ... }), items separated by newlines or commas */
static int parse_object_list(hp *P, bool braced, hnode *obj) {
    for (;;) {
        tok *t;
        int rc = peek(P, &t);
        if (rc) return rc;
        if (t->t == T_EOF) {
            if (braced) return perr(P, t->line, t->col, "object expected closing RBRACE got: EOF");
            return 0;
        }
        if (t->t == T_RBRACE) {
            if (!braced) return perr(P, t->line, t->col, "unexpected '}'");
            take(P);
            return 0;
        }
        if (t->t == T_COMMA) {
            take(P);
            continue;
        }
        hitem *it = gh_arena_calloc(P->a, sizeof *it);
        if (!it) return oom(P);
        size_t capk = 0;
        for (;;) {
            if ((rc = peek(P, &t))) return rc;
            if (t->t != T_IDENT && t->t != T_STRING) break;
            if (it->nkeys == capk) {
                size_t nc = capk ? capk * 2 : 4;
                tok *nk = gh_arena_realloc(P->a, it->keys, capk * sizeof *nk, nc * sizeof *nk);
                if (!nk) return oom(P);
                it->keys = nk;
                capk = nc;
            }
            it->keys[it->nkeys++] = *t;
            take(P);
        }
        if (!it->nkeys) return perr(P, t->line, t->col, "expected an identifier or string key");
        if (t->t == T_ASSIGN) {
            if (it->nkeys > 1)
                return perr(P, t->line, t->col, "nested object expected: LBRACE got: ASSIGN");
            take(P);
            if ((rc = parse_value(P, &it->val))) return rc;
        } else if (t->t == T_LBRACE) {
            if ((rc = parse_value(P, &it->val))) return rc;
        } else {
            return perr(P, t->line, t->col, "key must be followed by '=' or '{'");
        }
        if ((rc = grow(P, (void **)&obj->items, obj->nitems, sizeof *obj->items))) return rc;
        obj->items[obj->nitems++] = it;
    }
}

/* ---- decoding as hcl v1 decodes into interface{} --------------------------- */

static val_t *decode_map(hp *P, hitem **items, size_t n, int *rc);

static val_t *literal(hp *P, const tok *t, int *rc) {
    switch (t->t) {
    case T_BOOL: return val_bool(t->n == 4);
    case T_STRING:
    case T_HEREDOC: return val_str(P->a, t->s, t->n);
    case T_FLOAT: {
        val_t *v = val_num_parse(P->a, t->s, t->n, NULL);
        if (!v) *rc = perr(P, t->line, t->col, "invalid float");
        return v;
    }
    default: {
        char buf[72];
        if (t->n >= sizeof buf) {
            *rc = perr(P, t->line, t->col, "number out of range");
            return NULL;
        }
        memcpy(buf, t->s, t->n);
        buf[t->n] = 0;
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 0); /* Go's ParseInt(s, 0, 0): 0x.., 0.. octal */
        if (errno || *end) {
            *rc = perr(P, t->line, t->col, "number out of range or malformed");
            return NULL;
        }
        val_t *r = val_int(P->a, v);
        if (!r) *rc = oom(P);
        return r;
    }
    }
}

static val_t *decode_slice_elem(hp *P, hnode *n, int *rc);

static val_t *decode_list(hp *P, hnode *n, int *rc) {
    val_t *arr = val_arr_new(P->a, n->nelems);
    if (!arr) {
        *rc = oom(P);
        return NULL;
    }
    for (size_t i = 0; i < n->nelems; i++) {
        val_t *x = decode_slice_elem(P, n->elems[i], rc);
        if (!x) return NULL;
        if (val_arr_push(P->a, arr, x)) {
            *rc = oom(P);
            return NULL;
        }
    }
    return arr;
}

/* Inside a list, objects decode to maps. */
static val_t *decode_slice_elem(hp *P, hnode *n, int *rc) {
    if (n->k == N_LIT) return literal(P, &n->lit, rc);
    if (n->k == N_LIST) return decode_list(P, n, rc);
    return decode_map(P, n->items, n->nitems, rc);
}

/* A key folded to lower case (ASCII), as a string value. */
static val_t *lower_key(hp *P, const tok *k) {
    char *t = gh_arena_strndup(P->a, k->s, k->n);
    if (!t) return NULL;
    for (size_t i = 0; i < k->n; i++)
        t[i] = (char)tolower((unsigned char)t[i]);
    return val_str_ref(P->a, t, k->n);
}

static int append_to(hp *P, val_t *dst, val_t *more) {
    for (size_t i = 0; i < val_arr_len(more); i++)
        if (val_arr_push(P->a, dst, val_arr_at(more, i))) return oom(P);
    return 0;
}

/* The map decoding of an object list (hcl's decodeMap). */
static val_t *decode_map(hp *P, hitem **items, size_t n, int *rc) {
    val_t *obj = val_obj_new(P->a, n);
    if (!obj) {
        *rc = oom(P);
        return NULL;
    }
    if (++P->depth > GH_MAX_DEPTH) {
        *rc = gh_err_set(P->e, GH_ELIMIT, P->file, 0, 0, "hcl1: nesting deeper than %d",
                         GH_MAX_DEPTH);
        return NULL;
    }
    /* items by first key, case folded (hcl's Filter matches keys that way):
     * lower(key) -> [index...]; built only when some item has labels */
    val_t *groups = NULL, *done = NULL;
    for (size_t i = 0; i < n && !groups; i++)
        if (items[i]->nkeys > 1) groups = val_obj_new(P->a, 8), done = val_set_new(P->a, 8);
    for (size_t i = 0; groups && done && i < n; i++) {
        if (!items[i]->nkeys) continue;
        val_t *lk = lower_key(P, &items[i]->keys[0]);
        val_t *g = lk ? val_obj_get(groups, lk) : NULL;
        if (lk && !g && (!(g = val_arr_new(P->a, 2)) || val_obj_put(P->a, groups, lk, g))) g = NULL;
        val_t *ix = g ? val_int(P->a, (int64_t)i) : NULL;
        if (!ix || val_arr_push(P->a, g, ix)) groups = NULL;
    }
    if (groups && !done) groups = NULL;
    for (size_t i = 0; i < n; i++) {
        hitem *it = items[i];
        if (it->nkeys > 1 && !groups) {
            *rc = oom(P);
            return NULL;
        }
        if (!it->nkeys) {
            *rc = perr(P, it->val->line, it->val->col,
                       "map must have string keys (a block "
                       "with labels shares its name with one without)");
            return NULL;
        }
        const tok *k0 = &it->keys[0];
        val_t *key = val_str(P->a, k0->s, k0->n);
        if (!key) {
            *rc = oom(P);
            return NULL;
        }
        val_t *old = val_obj_get(obj, key);
        val_t *v;
        if (it->nkeys > 1) {
            /* every item of this list with that first key, the key stripped;
             * the key is then done */
            val_t *lk = lower_key(P, k0);
            bool added = false;
            if (!lk || val_set_add(P->a, done, lk, &added)) {
                *rc = oom(P);
                return NULL;
            }
            if (!added) continue;
            val_t *g = val_obj_get(groups, lk);
            v = val_arr_new(P->a, g ? val_arr_len(g) : 1);
            if (!v || !g) {
                *rc = oom(P);
                return NULL;
            }
            for (size_t gi = 0; gi < val_arr_len(g); gi++) {
                int64_t j = 0;
                val_num_to_int64(val_arr_at(g, gi), &j);
                hitem *o = items[j];
                hitem sub = {o->keys + 1, o->nkeys - 1, o->val};
                hitem *subp = &sub;
                val_t *m = decode_map(P, &subp, 1, rc);
                if (!m) return NULL;
                if (val_arr_push(P->a, v, m)) {
                    *rc = oom(P);
                    return NULL;
                }
            }
        } else if (it->val->k == N_OBJ) {
            val_t *m = decode_map(P, it->val->items, it->val->nitems, rc);
            if (!m) return NULL;
            v = val_arr_new(P->a, 1);
            if (!v || val_arr_push(P->a, v, m)) {
                *rc = oom(P);
                return NULL;
            }
        } else if (it->val->k == N_LIST) {
            v = decode_list(P, it->val, rc);
            if (!v) return NULL;
        } else {
            v = literal(P, &it->val->lit, rc);
            if (!v) return NULL;
        }
        if (old) {
            bool old_arr = val_kind_of(old) == VAL_ARRAY, new_arr = val_kind_of(v) == VAL_ARRAY;
            if (old_arr && new_arr) {
                val_t *joined = val_arr_new(P->a, val_arr_len(old) + val_arr_len(v));
                if (!joined || (*rc = append_to(P, joined, old)) ||
                    (*rc = append_to(P, joined, v))) {
                    if (!*rc) *rc = oom(P);
                    return NULL;
                }
                v = joined;
            } else if (old_arr != new_arr) {
                *rc = perr(P, k0->line, k0->col, "key given both as a block/list and as a value");
                return NULL;
            }
        }
        if (val_obj_put(P->a, obj, key, v)) {
            *rc = oom(P);
            return NULL;
        }
    }
    P->depth--;
    return obj;
}

static int parse_hcl1_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                          gh_err *e) {
    hp P = {.a = a, .p = text, .end = text + n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.p += 3;
    hnode root = {.k = N_OBJ};
    int rc = parse_object_list(&P, false, &root);
    if (rc) return rc;
    P.depth = 0;
    val_t *v = decode_map(&P, root.items, root.nitems, &rc);
    if (!v) return rc ? rc : oom(&P);
    *out = v;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_hcl1(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e) {
    return pol_budget_rc(a, parse_hcl1_doc(a, text, n, file, out, e), file, e);
}
