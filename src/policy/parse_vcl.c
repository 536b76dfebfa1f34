/* parse_vcl.c - Varnish VCL into the map conftest's VCL parser gives
 * (KeisukeYamashita/go-vcl decoded into map[string]any). That library's
 * lexer and Pratt parser are loose (e.g. "60s" reads as 60, "-" is an
 * illegal token that splits names); the same token and statement rules are
 * followed here so policies see the same keys, then its map decoding:
 * attributes by name, blocks by type and labels. Called by `gatehouse
 * check` / `parse`. Invariants: recursion bounded by GH_MAX_DEPTH; every
 * loop consumes a token (no hang at end of input); nothing printed. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef enum {
    K_NONE,
    K_ILLEGAL,
    K_EOF,
    K_IDENT,
    K_INT,
    K_PERCENT,
    K_STRING,
    K_CIDR,
    K_TRUE,
    K_FALSE,
    K_ASSIGN,
    K_MATCH,
    K_PLUS,
    K_BANG,
    K_EQUAL,
    K_AND,
    K_OR,
    K_COMMA,
    K_SEMI,
    K_COLON,
    K_LPAREN,
    K_RPAREN,
    K_LBRACE,
    K_RBRACE,
    K_IF,
    K_ELSE,
    K_RETURN,
    K_IMPORT,
    K_TABLE,
    K_ACL,
    K_BACKEND,
    K_SUB,
    K_CALL,
    K_DIRECTOR,
    K_HASH,
    K_COMMENT,
    K_LMULTI,
    K_RMULTI
} vk;

typedef struct {
    vk k;
    const char *s;
    size_t n;
    int line, col;
} vtok;

/* A decoded body: attributes, then blocks in order of appearance. */
typedef struct vblock vblock;
typedef struct vbody {
    const char **anames;
    val_t **avals;
    size_t nattr, capattr;
    vblock **blocks;
    size_t nblocks, capblocks;
} vbody;
struct vblock {
    const char *type;
    const char **labels;
    size_t nlabels;
    vbody *body;
    int line, col;
};

/* Expressions, only as far as the decoding needs them. */
typedef enum { X_OTHER, X_STRING, X_CIDR, X_PERCENT, X_BOOL, X_INT, X_IDENT, X_BLOCK } xk;
typedef struct vexpr {
    xk k;
    const char *s; /* text or keyword (blocks) */
    size_t n;
    int64_t i;
    bool b;
    const char **labels;
    size_t nlabels;
    vbody *body; /* X_BLOCK; NULL when written without braces */
} vexpr;

typedef struct {
    gh_arena *a;
    const char *src, *p, *end, *file;
    int line, col;
    gh_err *e;
    vtok cur, peek;
    int depth;
    int rc;
} vp;

static int oom(vp *P) {
    if (!P->rc) P->rc = gh_err_set(P->e, GH_ENOMEM, P->file, P->line, P->col, "out of memory");
    return P->rc;
}

/* ---- lexer ------------------------------------------------------------------ */

static char ch(vp *P) { return P->p < P->end ? *P->p : 0; }
static char peekc(vp *P) { return P->p + 1 < P->end ? P->p[1] : 0; }
static void rd(vp *P) {
    if (P->p >= P->end) return;
    if (*P->p == '\n') {
        P->line++;
        P->col = 1;
    } else {
        P->col++;
    }
    P->p++;
}
static bool letter(char c) { return isalpha((unsigned char)c) || c == '_' || c == '.'; }

static vk keyword(const char *s, size_t n) {
    static const struct {
        const char *w;
        vk k;
    } kw[] = {{"sub", K_SUB},       {"call", K_CALL},       {"true", K_TRUE},
              {"false", K_FALSE},   {"if", K_IF},           {"else", K_ELSE},
              {"return", K_RETURN}, {"table", K_TABLE},     {"import", K_IMPORT},
              {"acl", K_ACL},       {"backend", K_BACKEND}, {"director", K_DIRECTOR}};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i].w) == n && !memcmp(kw[i].w, s, n)) return kw[i].k;
    return K_IDENT;
}

static vtok lex(vp *P) {
    while (ch(P) == ' ' || ch(P) == '\t' || ch(P) == '\n' || ch(P) == '\r')
        rd(P);
    vtok t = {K_NONE, P->p, 1, P->line, P->col};
    char c = ch(P);
    if (P->p >= P->end) {
        t.k = K_EOF;
        t.n = 0;
        return t;
    }
    if (letter(c)) {
        while (P->p < P->end && (letter(ch(P)) || isdigit((unsigned char)ch(P))))
            rd(P);
        t.n = (size_t)(P->p - t.s);
        t.k = keyword(t.s, t.n);
        return t;
    }
    if (isdigit((unsigned char)c)) {
        while (P->p < P->end && isdigit((unsigned char)ch(P)))
            rd(P);
        t.n = (size_t)(P->p - t.s);
        t.k = K_INT;
        if (ch(P) == '%') {
            rd(P);
            t.n++;
            t.k = K_PERCENT;
        }
        return t;
    }
    switch (c) {
    case '=':
        if (peekc(P) == '=')
            rd(P), t.k = K_EQUAL, t.n = 2;
        else
            t.k = K_ASSIGN;
        break;
    case ':': t.k = K_COLON; break;
    case '~': t.k = K_MATCH; break;
    case ',': t.k = K_COMMA; break;
    case ';': t.k = K_SEMI; break;
    case '(': t.k = K_LPAREN; break;
    case ')': t.k = K_RPAREN; break;
    case '{': t.k = K_LBRACE; break;
    case '}': t.k = K_RBRACE; break;
    case '!': t.k = K_BANG; break;
    case '+': t.k = K_PLUS; break;
    case '#':
    case '/':
        if (c == '/' && peekc(P) == '*') {
            rd(P);
            t.k = K_LMULTI;
            t.n = 2;
            break;
        }
        if (c == '/' && peekc(P) != '/') {
            t.n = 0; /* a lone '/' is an empty token */
            break;
        }
        if (c == '/') rd(P);
        rd(P);
        if (ch(P) && ch(P) != '\n') rd(P); /* the library drops the first character */
        t.s = P->p;
        while (P->p < P->end && ch(P) != '\n')
            rd(P);
        t.n = (size_t)(P->p - t.s);
        t.k = c == '#' ? K_HASH : K_COMMENT;
        break;
    case '*':
        if (peekc(P) == '/')
            rd(P), t.k = K_RMULTI, t.n = 2;
        else
            t.n = 0;
        break;
    case '|':
    case '&':
        if (peekc(P) == c)
            rd(P), t.k = c == '|' ? K_OR : K_AND, t.n = 2;
        else
            t.n = 0;
        break;
    case '"': {
        /* up to a quote not followed by '/', or a ';' (consumed), or the end */
        const char *s = P->p + 1;
        for (;;) {
            rd(P);
            if (P->p >= P->end || ch(P) == ';') break;
            if (ch(P) == '"' && peekc(P) != '/') break;
        }
        t.s = s;
        t.n = (size_t)(P->p - s);
        t.k = memchr(s, '/', t.n) ? K_CIDR : K_STRING;
        if (t.k == K_CIDR) { /* the library puts the opening quote back */
            t.s = s - 1;
            t.n++;
        }
        break;
    }
    default: t.k = K_ILLEGAL; break;
    }
    rd(P);
    return t;
}

static void next(vp *P) {
    P->cur = P->peek;
    P->peek = lex(P);
}

/* ---- parser ----------------------------------------------------------------- */

enum { LOWEST = 1, EQUALS, SUM = 4, PREFIX = 6 };

static int prec(vk k) {
    if (k == K_EQUAL || k == K_MATCH || k == K_AND || k == K_OR) return EQUALS;
    if (k == K_PLUS) return SUM;
    return LOWEST;
}

static vexpr *parse_expr(vp *P, int pr);
static vbody *parse_block_stmt(vp *P);
static int parse_stmt(vp *P, vbody *body);

static vexpr *mkexpr(vp *P, xk k) {
    vexpr *x = gh_arena_calloc(P->a, sizeof *x);
    if (!x)
        oom(P);
    else
        x->k = k;
    return x;
}

static bool expect_peek(vp *P, vk k) {
    if (P->peek.k != k) return false;
    next(P);
    return true;
}

static vexpr *block_expr(vp *P, bool object) {
    vexpr *x = mkexpr(P, X_BLOCK);
    if (!x) return NULL;
    x->s = object ? "{" : gh_arena_strndup(P->a, P->cur.s, P->cur.n);
    if (!x->s) return oom(P), NULL;
    if (object) {
        if (P->peek.k == K_SEMI) return x;
        x->body = parse_block_stmt(P);
        return x->body ? x : NULL;
    }
    size_t cap = 0;
    while (P->peek.k != K_LBRACE && P->peek.k != K_SEMI) {
        if (P->peek.k == K_EOF) {
            if (!P->rc)
                P->rc = gh_err_set(P->e, GH_EPARSE, P->file, P->cur.line, P->cur.col,
                                   "vcl: block header '%s' not followed by '{'", x->s);
            return NULL;
        }
        next(P);
        if (x->nlabels == cap) {
            size_t nc = cap ? cap * 2 : 4;
            const char **nl = gh_arena_realloc(P->a, x->labels, cap * sizeof *nl, nc * sizeof *nl);
            if (!nl) return oom(P), NULL;
            x->labels = nl;
            cap = nc;
        }
        if (!(x->labels[x->nlabels++] = gh_arena_strndup(P->a, P->cur.s, P->cur.n)))
            return oom(P), NULL;
    }
    if (P->peek.k == K_SEMI) return x;
    next(P);
    x->body = parse_block_stmt(P);
    return x->body ? x : NULL;
}

static vexpr *prefix(vp *P) {
    vtok *t = &P->cur;
    vexpr *x;
    switch (t->k) {
    case K_IDENT:
    case K_PERCENT:
    case K_STRING:
    case K_CIDR:
        x = mkexpr(P, t->k == K_IDENT     ? X_IDENT
                      : t->k == K_PERCENT ? X_PERCENT
                      : t->k == K_STRING  ? X_STRING
                                          : X_CIDR);
        if (x) {
            x->s = t->s;
            x->n = t->n;
        }
        return x;
    case K_INT: {
        char buf[32];
        if (t->n >= sizeof buf) return NULL;
        memcpy(buf, t->s, t->n);
        buf[t->n] = 0;
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 0); /* ParseInt(s, 0, 64): "010" is octal */
        if (errno || *end) return NULL;      /* the library drops a bad integer */
        if ((x = mkexpr(P, X_INT))) x->i = v;
        return x;
    }
    case K_TRUE:
    case K_FALSE:
        if ((x = mkexpr(P, X_BOOL))) x->b = t->k == K_TRUE;
        return x;
    case K_BANG:
        next(P);
        parse_expr(P, PREFIX);
        return P->rc ? NULL : mkexpr(P, X_OTHER);
    case K_LPAREN:
        next(P);
        x = parse_expr(P, LOWEST);
        if (P->rc || !expect_peek(P, K_RPAREN)) return NULL;
        return x;
    case K_IF: {
        if (!expect_peek(P, K_LPAREN)) return NULL;
        next(P);
        parse_expr(P, LOWEST);
        if (P->rc || !expect_peek(P, K_RPAREN) || !expect_peek(P, K_LBRACE)) return NULL;
        if (!parse_block_stmt(P)) return NULL;
        if (P->peek.k == K_ELSE) {
            next(P);
            if (!expect_peek(P, K_LBRACE)) return NULL;
            if (!parse_block_stmt(P)) return NULL;
        }
        return mkexpr(P, X_OTHER);
    }
    case K_SUB:
    case K_ACL:
    case K_BACKEND:
    case K_DIRECTOR:
    case K_TABLE: return block_expr(P, false);
    case K_LBRACE: return block_expr(P, true);
    default: return NULL;
    }
}

static vexpr *parse_expr(vp *P, int pr) {
    if (++P->depth > GH_MAX_DEPTH) {
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_ELIMIT, P->file, P->cur.line, P->cur.col,
                               "vcl: nesting deeper than %d", GH_MAX_DEPTH);
        return NULL;
    }
    vexpr *left = prefix(P);
    while (!P->rc && P->peek.k != K_SEMI && pr < prec(P->peek.k)) {
        if (P->peek.k != K_MATCH && P->peek.k != K_PLUS) break;
        next(P);
        int p2 = prec(P->cur.k);
        next(P);
        parse_expr(P, p2);
        left = mkexpr(P, X_OTHER);
    }
    P->depth--;
    return P->rc ? NULL : left;
}

static vbody *new_body(vp *P) {
    vbody *b = gh_arena_calloc(P->a, sizeof *b);
    if (!b) oom(P);
    return b;
}

/* cur is '{': statements up to the matching '}' (or the end). */
static vbody *parse_block_stmt(vp *P) {
    vbody *b = new_body(P);
    if (!b) return NULL;
    if (++P->depth > GH_MAX_DEPTH) {
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_ELIMIT, P->file, P->cur.line, P->cur.col,
                               "vcl: nesting deeper than %d", GH_MAX_DEPTH);
        return NULL;
    }
    next(P);
    while (P->cur.k != K_RBRACE && P->cur.k != K_EOF) {
        if (parse_stmt(P, b)) return NULL;
        next(P);
    }
    P->depth--;
    return b;
}

static int add_attr(vp *P, vbody *b, const char *name, size_t nn, val_t *v) {
    char *k = gh_arena_strndup(P->a, name, nn);
    if (!k) return oom(P);
    /* a repeated name is kept twice: the later one wins when the map is built */
    if (b->nattr == b->capattr) {
        size_t cap = b->capattr ? b->capattr * 2 : 4;
        const char **nn2 =
            gh_arena_realloc(P->a, b->anames, b->nattr * sizeof *nn2, cap * sizeof *nn2);
        val_t **nv =
            nn2 ? gh_arena_realloc(P->a, b->avals, b->nattr * sizeof *nv, cap * sizeof *nv) : NULL;
        if (!nv) return oom(P);
        b->anames = nn2;
        b->avals = nv;
        b->capattr = cap;
    }
    b->anames[b->nattr] = k;
    b->avals[b->nattr++] = v;
    return 0;
}

static int add_block(vp *P, vbody *b, const char *type, const vexpr *x, int line, int col) {
    vblock *bl = gh_arena_calloc(P->a, sizeof *bl);
    if (!bl) return oom(P);
    bl->type = type;
    bl->labels = x->labels;
    bl->nlabels = x->nlabels;
    bl->body = x->body ? x->body : new_body(P); /* "acl x;" has no body */
    bl->line = line;
    bl->col = col;
    if (!bl->body) return P->rc;
    if (b->nblocks == b->capblocks) {
        size_t cap = b->capblocks ? b->capblocks * 2 : 4;
        vblock **nb = gh_arena_realloc(P->a, b->blocks, b->nblocks * sizeof *nb, cap * sizeof *nb);
        if (!nb) return oom(P);
        b->blocks = nb;
        b->capblocks = cap;
    }
    b->blocks[b->nblocks++] = bl;
    return 0;
}

static val_t *literal_value(vp *P, const vexpr *x) {
    switch (x->k) {
    case X_STRING:
    case X_CIDR:
    case X_PERCENT:
    case X_IDENT: return val_str(P->a, x->s, x->n);
    case X_BOOL: return val_bool(x->b);
    case X_INT: return val_int(P->a, x->i);
    default: return NULL;
    }
}

static int parse_stmt(vp *P, vbody *body) {
    vtok start = P->cur;
    if (start.k == K_IDENT && P->peek.k == K_ASSIGN) {
        next(P); /* = */
        next(P);
        vexpr *x = parse_expr(P, LOWEST);
        if (P->rc) return P->rc;
        if (P->peek.k == K_SEMI) next(P);
        if (x && x->k == X_BLOCK) {
            const char *type = gh_arena_strndup(P->a, start.s, start.n);
            vexpr nolabels = *x;
            nolabels.labels = NULL;
            nolabels.nlabels = 0;
            return type ? add_block(P, body, type, &nolabels, start.line, start.col) : oom(P);
        }
        val_t *v = x ? literal_value(P, x) : NULL;
        if (!v) {
            if (x && x->k != X_OTHER) return oom(P);
            return P->rc = gh_err_set(P->e, GH_EPARSE, P->file, start.line, start.col,
                                      "vcl: the value of '%.*s' is not a literal", (int)start.n,
                                      start.s);
        }
        return add_attr(P, body, start.s, start.n, v);
    }
    if (start.k == K_LMULTI) {
        next(P);
        while (P->cur.k != K_RMULTI && P->cur.k != K_EOF)
            next(P);
        return 0;
    }
    if (start.k == K_RETURN) {
        if (!expect_peek(P, K_LPAREN)) return 0;
        next(P);
        parse_expr(P, LOWEST);
        if (P->rc) return P->rc;
        if (!expect_peek(P, K_RPAREN)) return 0;
        if (P->peek.k == K_SEMI) next(P);
        return 0;
    }
    if (start.k == K_CALL) {
        next(P);
        parse_expr(P, LOWEST);
        if (P->rc) return P->rc;
        if (P->peek.k == K_SEMI) next(P);
        return 0;
    }
    if (start.k == K_STRING && P->peek.k == K_COLON) {
        next(P);
        next(P);
        vexpr *x = parse_expr(P, LOWEST);
        if (P->rc) return P->rc;
        if (P->peek.k == K_COMMA) next(P);
        /* only string values are kept; others decode to null */
        val_t *v = x && x->k == X_STRING ? val_str(P->a, x->s, x->n) : VAL_NULLV;
        return v ? add_attr(P, body, start.s, start.n, v) : oom(P);
    }
    vexpr *x = parse_expr(P, LOWEST);
    if (P->rc) return P->rc;
    if (P->peek.k == K_SEMI) next(P);
    if (x && x->k == X_BLOCK && strcmp(x->s, "{") != 0)
        return add_block(P, body, x->s, x, start.line, start.col);
    return 0; /* bare values and "{...}" entries are flats: not in the map shape */
}

/* ---- decoding to the map shape ----------------------------------------------- */

static val_t *wrap(vp *P, const char *label, val_t *v) {
    val_t *o = val_obj_new(P->a, 1), *k = val_strc(P->a, label);
    if (!o || !k || !v || val_obj_put(P->a, o, k, v)) return NULL;
    return o;
}

static val_t *body_map(vp *P, const vbody *b) {
    val_t *obj = val_obj_new(P->a, b->nattr + b->nblocks);
    if (!obj) return NULL;
    for (size_t i = 0; i < b->nattr; i++) {
        val_t *k = val_strc(P->a, b->anames[i]);
        if (!k || val_obj_put(P->a, obj, k, b->avals[i])) return NULL;
    }
    /* how many blocks of each type: one gives its body, more a list */
    val_t *counts = val_obj_new(P->a, b->nblocks);
    if (!counts) return NULL;
    for (size_t i = 0; i < b->nblocks; i++) {
        val_t *k = val_strc(P->a, b->blocks[i]->type), *c = k ? val_obj_get(counts, k) : NULL;
        int64_t cnt = 0;
        if (c) val_num_to_int64(c, &cnt);
        val_t *nc = val_int(P->a, cnt + 1);
        if (!k || !nc || val_obj_put(P->a, counts, k, nc)) return NULL;
    }
    for (size_t i = 0; i < b->nblocks; i++) {
        const vblock *bl = b->blocks[i];
        val_t *k = val_strc(P->a, bl->type);
        int64_t cnt = 0;
        if (!k) return NULL;
        val_num_to_int64(val_obj_get(counts, k), &cnt);
        val_t *x = body_map(P, bl->body);
        if (!x) return NULL;
        if (cnt == 1) {
            if (val_obj_put(P->a, obj, k, x)) return NULL;
            continue;
        }
        for (size_t l = 0; x && l < bl->nlabels; l++)
            x = wrap(P, bl->labels[l], x);
        val_t *list = val_obj_get(obj, k);
        if (!list || val_kind_of(list) != VAL_ARRAY) {
            /* an attribute of the same name is replaced, as Go's map is */
            list = val_arr_new(P->a, (size_t)cnt);
            if (!list || val_obj_put(P->a, obj, k, list)) return NULL;
        }
        if (!x || val_arr_push(P->a, list, x)) return NULL;
    }
    return obj;
}

static val_t *root_map(vp *P, const vbody *b) {
    val_t *obj = val_obj_new(P->a, b->nattr + b->nblocks);
    if (!obj) return oom(P), NULL;
    for (size_t i = 0; i < b->nattr; i++) {
        val_t *k = val_strc(P->a, b->anames[i]);
        if (!k || val_obj_put(P->a, obj, k, b->avals[i])) return oom(P), NULL;
    }
    for (size_t i = 0; i < b->nblocks; i++) {
        const vblock *bl = b->blocks[i];
        if (!bl->nlabels) {
            P->rc = gh_err_set(P->e, GH_EPARSE, P->file, bl->line, bl->col,
                               "vcl: top-level block '%s' needs a name", bl->type);
            return NULL;
        }
        val_t *tk = val_strc(P->a, bl->type);
        if (!tk) return oom(P), NULL;
        val_t *mp = val_obj_get(obj, tk);
        if (!mp) {
            mp = val_obj_new(P->a, 4);
            if (!mp || val_obj_put(P->a, obj, tk, mp)) return oom(P), NULL;
        }
        val_t *v = body_map(P, bl->body);
        for (size_t l = 1; v && l < bl->nlabels; l++)
            v = wrap(P, bl->labels[l], v);
        val_t *lk = val_strc(P->a, bl->labels[0]);
        if (!v || !lk || val_obj_put(P->a, mp, lk, v)) return oom(P), NULL;
    }
    return obj;
}

static int parse_vcl_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e) {
    vp P = {
        .a = a, .src = text, .p = text, .end = text + n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.p += 3;
    P.peek = lex(&P);
    next(&P);
    vbody *root = new_body(&P);
    if (!root) return P.rc;
    while (P.cur.k != K_EOF) {
        if (parse_stmt(&P, root)) return P.rc;
        next(&P);
    }
    val_t *v = root_map(&P, root);
    if (!v) return P.rc ? P.rc : oom(&P);
    *out = v;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_vcl(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e) {
    return pol_budget_rc(a, parse_vcl_doc(a, text, n, file, out, e), file, e);
}
