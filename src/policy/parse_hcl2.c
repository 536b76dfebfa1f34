/* parse_hcl2.c - HCL2 native syntax (Terraform) into the JSON shape of
 * tmccombs/hcl2json, which conftest's hcl2 parser uses: attributes by name;
 * blocks as type -> label -> ... -> [body, ...]; literals, strings, tuples
 * and objects as JSON; every other expression (references, calls,
 * operators, conditionals, for-expressions, splats) as "${<source>}";
 * templates keep their interpolations as "${<expr source>}". A scanner
 * finds expression extents (it does not evaluate). Called by `gatehouse
 * check` / `parse`. Invariants: recursion bounded by GH_MAX_DEPTH; each
 * loop consumes input; nothing printed. */
#include <ctype.h>
#include <string.h>

#include "base/limits.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

typedef enum {
    T_EOF,
    T_NL,
    T_IDENT,
    T_NUMBER,
    T_QUOTED,
    T_HEREDOC,
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_DOT,
    T_EQ,
    T_COLON,
    T_QUESTION,
    T_BANG,
    T_MINUS,
    T_OP,
    T_ARROW,
    T_ELLIPSIS,
    T_STAR,
    T_OTHER
} tt;

typedef struct {
    tt t;
    size_t s, e; /* byte extent in the source */
    int line, col;
    int prec; /* binary operators: precedence */
} tok;

typedef struct {
    gh_arena *a;
    const char *src;
    size_t n, pos;
    const char *file;
    int line, col;
    gh_err *e;
    tok cur;
    bool have;
    int depth;
    int rc;
    int line0, col0; /* position of src[0] (sub-parsers of templates) */
} hp;

static int perr(hp *P, const tok *t, const char *msg) {
    if (!P->rc) P->rc = gh_err_set(P->e, GH_EPARSE, P->file, t->line, t->col, "hcl2: %s", msg);
    return P->rc;
}
static int oom(hp *P) {
    if (!P->rc) P->rc = gh_err_set(P->e, GH_ENOMEM, P->file, P->line, P->col, "out of memory");
    return P->rc;
}

static char at(hp *P, size_t i) { return P->pos + i < P->n ? P->src[P->pos + i] : 0; }
static void adv(hp *P) {
    if (P->pos >= P->n) return;
    if (P->src[P->pos] == '\n') {
        P->line++;
        P->col = 1;
    } else {
        P->col++;
    }
    P->pos++;
}

/* Skip a quoted string starting at src[i] == '"' (with nested ${...}); the
 * index after the closing quote, or 0 when unterminated. */
static size_t skip_quoted(const char *s, size_t n, size_t i, int depth);

/* From src[i] just after "${" or "%{": the index of the matching '}'. */
static size_t match_brace(const char *s, size_t n, size_t i, int depth) {
    int d = 1;
    if (depth > GH_MAX_DEPTH) return 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = skip_quoted(s, n, i, depth + 1);
            if (!i) return 0;
            continue;
        }
        if (c == '{') d++;
        if (c == '}' && --d == 0) return i;
        i++;
    }
    return 0;
}

static size_t skip_quoted(const char *s, size_t n, size_t i, int depth) {
    i++;
    while (i < n) {
        char c = s[i];
        if (c == '\n') return 0;
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == '"') return i + 1;
        if ((c == '$' || c == '%') && i + 2 < n && s[i + 1] == c && s[i + 2] == '{') {
            i += 3; /* $${ and %%{ are literal */
            continue;
        }
        if ((c == '$' || c == '%') && i + 1 < n && s[i + 1] == '{') {
            size_t m = match_brace(s, n, i + 2, depth + 1);
            if (!m) return 0;
            i = m + 1;
            continue;
        }
        i++;
    }
    return 0;
}

static bool ident_start(char c) {
    return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}
static bool ident_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '-' || (unsigned char)c >= 0x80;
}

static int lex(hp *P, tok *t) {
    for (;;) {
        while (P->pos < P->n && (at(P, 0) == ' ' || at(P, 0) == '\t' || at(P, 0) == '\r'))
            adv(P);
        if (at(P, 0) == '#' || (at(P, 0) == '/' && at(P, 1) == '/')) {
            while (P->pos < P->n && at(P, 0) != '\n')
                adv(P);
            continue;
        }
        if (at(P, 0) == '/' && at(P, 1) == '*') {
            int l = P->line, c = P->col;
            adv(P), adv(P);
            while (P->pos < P->n && !(at(P, 0) == '*' && at(P, 1) == '/'))
                adv(P);
            if (P->pos >= P->n) {
                tok bad = {T_EOF, 0, 0, l, c, 0};
                return perr(P, &bad, "unterminated comment");
            }
            adv(P), adv(P);
            continue;
        }
        break;
    }
    memset(t, 0, sizeof *t);
    t->s = P->pos;
    t->line = P->line;
    t->col = P->col;
    char c = at(P, 0);
    if (P->pos >= P->n) {
        t->t = T_EOF;
        t->e = P->pos;
        return 0;
    }
    if (c == '\n') {
        t->t = T_NL;
        adv(P);
    } else if (ident_start(c)) {
        while (P->pos < P->n && ident_char(at(P, 0)))
            adv(P);
        t->t = T_IDENT;
    } else if (isdigit((unsigned char)c)) {
        while (isdigit((unsigned char)at(P, 0)))
            adv(P);
        if (at(P, 0) == '.' && isdigit((unsigned char)at(P, 1))) {
            adv(P);
            while (isdigit((unsigned char)at(P, 0)))
                adv(P);
        }
        if ((at(P, 0) == 'e' || at(P, 0) == 'E') &&
            (isdigit((unsigned char)at(P, 1)) ||
             ((at(P, 1) == '+' || at(P, 1) == '-') && isdigit((unsigned char)at(P, 2))))) {
            adv(P), adv(P);
            while (isdigit((unsigned char)at(P, 0)))
                adv(P);
        }
        t->t = T_NUMBER;
    } else if (c == '"') {
        size_t end = skip_quoted(P->src, P->n, P->pos, 0);
        if (!end) return perr(P, t, "unterminated string");
        while (P->pos < end)
            adv(P);
        t->t = T_QUOTED;
    } else if (c == '<' && at(P, 1) == '<' &&
               (ident_start(at(P, 2)) || (at(P, 2) == '-' && ident_start(at(P, 3))))) {
        adv(P), adv(P);
        if (at(P, 0) == '-') adv(P);
        size_t ms = P->pos;
        while (P->pos < P->n && ident_char(at(P, 0)))
            adv(P);
        size_t mn = P->pos - ms;
        if (at(P, 0) == '\r') adv(P);
        if (at(P, 0) != '\n') return perr(P, t, "heredoc marker must end the line");
        adv(P);
        for (;;) { /* lines until the marker alone on a line */
            if (P->pos >= P->n) return perr(P, t, "unterminated heredoc");
            size_t ls = P->pos, le = ls;
            while (le < P->n && P->src[le] != '\n')
                le++;
            size_t a = ls, z = le;
            while (a < z && (P->src[a] == ' ' || P->src[a] == '\t'))
                a++;
            while (z > a &&
                   (P->src[z - 1] == ' ' || P->src[z - 1] == '\t' || P->src[z - 1] == '\r'))
                z--;
            while (P->pos < le)
                adv(P);
            if (z - a == mn && !memcmp(P->src + a, P->src + ms, mn)) break;
            adv(P);
        }
        t->t = T_HEREDOC;
    } else {
        static const struct {
            const char *op;
            tt t;
            int prec;
        } ops[] = {
            {"...", T_ELLIPSIS, 0}, {"=>", T_ARROW, 0}, {"==", T_OP, 3},    {"!=", T_OP, 3},
            {"<=", T_OP, 4},        {">=", T_OP, 4},    {"&&", T_OP, 2},    {"||", T_OP, 1},
            {"::", T_OTHER, 0},     {"{", T_LBRACE, 0}, {"}", T_RBRACE, 0}, {"[", T_LBRACK, 0},
            {"]", T_RBRACK, 0},     {"(", T_LPAREN, 0}, {")", T_RPAREN, 0}, {",", T_COMMA, 0},
            {".", T_DOT, 0},        {"=", T_EQ, 0},     {":", T_COLON, 0},  {"?", T_QUESTION, 0},
            {"!", T_BANG, 0},       {"-", T_MINUS, 5},  {"+", T_OP, 5},     {"*", T_STAR, 6},
            {"/", T_OP, 6},         {"%", T_OP, 6},     {"<", T_OP, 4},     {">", T_OP, 4}};
        size_t i;
        for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            size_t l = strlen(ops[i].op);
            if (P->pos + l <= P->n && !memcmp(P->src + P->pos, ops[i].op, l)) {
                for (size_t k = 0; k < l; k++)
                    adv(P);
                t->t = ops[i].t;
                t->prec = ops[i].prec;
                break;
            }
        }
        if (i == sizeof ops / sizeof ops[0]) return perr(P, t, "invalid character");
    }
    t->e = P->pos;
    return 0;
}

static int peek(hp *P, tok **t) {
    *t = &P->cur;
    if (!P->have) {
        if (lex(P, &P->cur)) return P->rc;
        P->have = true;
    }
    *t = &P->cur;
    return 0;
}
static void take(hp *P) { P->have = false; }

/* Next token, skipping newlines when nl is set (inside brackets). */
static int peek_nl(hp *P, tok **t, bool nl) {
    for (;;) {
        if (peek(P, t)) return P->rc;
        if (!nl || (*t)->t != T_NL) return 0;
        take(P);
    }
}

/* ---- expressions -------------------------------------------------------------- */

typedef enum {
    X_OTHER,
    X_NUMBER,
    X_TRUE,
    X_FALSE,
    X_NULL,
    X_TEMPLATE,
    X_HEREDOC,
    X_TUPLE,
    X_OBJECT,
    X_TRAVERSAL
} xk;

typedef struct xnode xnode;
struct xnode {
    xk k;
    size_t s, e;
    bool negative; /* X_NUMBER written as "-N" (the digits start at ns) */
    size_t ns;
    xnode **kids; /* tuple items; object: key0 val0 key1 val1... */
    size_t nkids, cap;
};

static xnode *parse_expr(hp *P, bool nl);
static xnode *parse_postfix(hp *P, bool nl);

static xnode *mk(hp *P, xk k, size_t s) {
    xnode *x = gh_arena_calloc(P->a, sizeof *x);
    if (!x)
        oom(P);
    else
        x->k = k, x->s = s;
    return x;
}

static int add_kid(hp *P, xnode *x, xnode *k) {
    if (x->nkids == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 4;
        xnode **nk = gh_arena_realloc(P->a, x->kids, x->cap * sizeof *nk, nc * sizeof *nk);
        if (!nk) return oom(P);
        x->kids = nk;
        x->cap = nc;
    }
    x->kids[x->nkids++] = k;
    return 0;
}

static bool expect(hp *P, tt want, bool nl, const char *msg, size_t *end) {
    tok *t;
    if (peek_nl(P, &t, nl)) return false;
    if (t->t != want) {
        perr(P, t, msg);
        return false;
    }
    if (end) *end = t->e;
    take(P);
    return true;
}

/* [for ...] / {for ...}: skip to the matching close bracket. */
static bool skip_for(hp *P, tt close, size_t *end) {
    int d = 1;
    for (;;) {
        tok *t;
        if (peek_nl(P, &t, true)) return false;
        if (t->t == T_EOF) {
            perr(P, t, "unterminated for expression");
            return false;
        }
        if (t->t == T_LBRACE || t->t == T_LBRACK || t->t == T_LPAREN) d++;
        if (t->t == T_RBRACE || t->t == T_RBRACK || t->t == T_RPAREN) d--;
        *end = t->e;
        take(P);
        if (!d) {
            if (t->t != close) {
                perr(P, t, "mismatched bracket in for expression");
                return false;
            }
            return true;
        }
    }
}

static bool is_word(hp *P, const tok *t, const char *w) {
    size_t l = strlen(w);
    return t->t == T_IDENT && t->e - t->s == l && !memcmp(P->src + t->s, w, l);
}

static xnode *parse_term(hp *P, bool nl) {
    tok *t;
    if (peek_nl(P, &t, nl)) return NULL;
    tok first = *t;
    xnode *x = NULL;
    switch (first.t) {
    case T_NUMBER:
        take(P);
        if ((x = mk(P, X_NUMBER, first.s))) x->e = first.e;
        return x;
    case T_QUOTED:
    case T_HEREDOC:
        take(P);
        if ((x = mk(P, first.t == T_QUOTED ? X_TEMPLATE : X_HEREDOC, first.s))) x->e = first.e;
        return x;
    case T_IDENT: {
        take(P);
        if (is_word(P, &first, "true") || is_word(P, &first, "false") ||
            is_word(P, &first, "null")) {
            x = mk(P,
                   is_word(P, &first, "true")    ? X_TRUE
                   : is_word(P, &first, "false") ? X_FALSE
                                                 : X_NULL,
                   first.s);
            if (x) x->e = first.e;
            return x;
        }
        size_t end = first.e;
        /* provider::name::function */
        for (;;) {
            if (peek(P, &t)) return NULL;
            if (t->t != T_OTHER) break; /* "::" */
            take(P);
            if (peek(P, &t)) return NULL;
            if (t->t != T_IDENT) {
                perr(P, t, "expected a name after ::");
                return NULL;
            }
            end = t->e;
            take(P);
        }
        if (peek(P, &t)) return NULL;
        if (t->t == T_LPAREN) { /* function call */
            take(P);
            for (;;) {
                if (peek_nl(P, &t, true)) return NULL;
                if (t->t == T_RPAREN) {
                    end = t->e;
                    take(P);
                    break;
                }
                if (!parse_expr(P, true)) return NULL;
                if (peek_nl(P, &t, true)) return NULL;
                if (t->t == T_ELLIPSIS) {
                    take(P);
                    if (peek_nl(P, &t, true)) return NULL;
                }
                if (t->t == T_COMMA) {
                    take(P);
                } else if (t->t != T_RPAREN) {
                    perr(P, t, "expected ',' or ')' in function call");
                    return NULL;
                }
            }
            if ((x = mk(P, X_OTHER, first.s))) x->e = end;
            return x;
        }
        if ((x = mk(P, X_TRAVERSAL, first.s))) x->e = end;
        return x;
    }
    case T_LPAREN: {
        take(P);
        if (!parse_expr(P, true)) return NULL;
        size_t end;
        if (!expect(P, T_RPAREN, true, "expected ')'", &end)) return NULL;
        if ((x = mk(P, X_OTHER, first.s))) x->e = end;
        return x;
    }
    case T_LBRACK: {
        take(P);
        if (peek_nl(P, &t, true)) return NULL;
        if (is_word(P, t, "for")) {
            size_t end;
            if (!skip_for(P, T_RBRACK, &end)) return NULL;
            if ((x = mk(P, X_OTHER, first.s))) x->e = end;
            return x;
        }
        if (!(x = mk(P, X_TUPLE, first.s))) return NULL;
        for (;;) {
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t == T_RBRACK) {
                x->e = t->e;
                take(P);
                return x;
            }
            xnode *item = parse_expr(P, true);
            if (!item || add_kid(P, x, item)) return NULL;
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t == T_COMMA)
                take(P);
            else if (t->t != T_RBRACK) {
                perr(P, t, "expected ',' or ']' in tuple");
                return NULL;
            }
        }
    }
    case T_LBRACE: {
        take(P);
        if (peek_nl(P, &t, true)) return NULL;
        if (is_word(P, t, "for")) {
            size_t end;
            if (!skip_for(P, T_RBRACE, &end)) return NULL;
            if ((x = mk(P, X_OTHER, first.s))) x->e = end;
            return x;
        }
        if (!(x = mk(P, X_OBJECT, first.s))) return NULL;
        for (;;) {
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t == T_RBRACE) {
                x->e = t->e;
                take(P);
                return x;
            }
            xnode *k = parse_expr(P, true);
            if (!k) return NULL;
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t != T_EQ && t->t != T_COLON) {
                perr(P, t, "expected '=' or ':' after an object key");
                return NULL;
            }
            take(P);
            xnode *v = parse_expr(P, true);
            if (!v || add_kid(P, x, k) || add_kid(P, x, v)) return NULL;
            /* items are separated by commas or newlines (the value's
             * operator lookahead may already have passed the newline) */
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t == T_COMMA) take(P);
        }
    }
    case T_MINUS:
    case T_BANG: {
        /* hcl2json evaluates an operator applied to a literal (-5, !true);
         * anything else stays "${...}" */
        take(P);
        xnode *r = parse_postfix(P, nl);
        if (!r) return NULL;
        if (!(x = mk(P, X_OTHER, first.s))) return NULL;
        x->e = r->e;
        if (first.t == T_MINUS && r->k == X_NUMBER && !r->negative) {
            x->k = X_NUMBER;
            x->negative = true;
            x->ns = r->s;
        } else if (first.t == T_BANG && (r->k == X_TRUE || r->k == X_FALSE)) {
            x->k = r->k == X_TRUE ? X_FALSE : X_TRUE;
        }
        return x;
    }
    default:
        perr(P, &first,
             first.t == T_EOF  ? "unexpected end of input, expected an expression"
             : first.t == T_NL ? "unexpected newline, expected an expression"
                               : "expected an expression");
        return NULL;
    }
}

/* Attribute access, indexes and splats after a term. */
static xnode *parse_postfix(hp *P, bool nl) {
    if (++P->depth > GH_MAX_DEPTH) {
        tok bad = {T_EOF, 0, 0, P->line, P->col, 0};
        if (!P->rc)
            P->rc = gh_err_set(P->e, GH_ELIMIT, P->file, bad.line, bad.col,
                               "hcl2: nesting deeper than %d", GH_MAX_DEPTH);
        return NULL;
    }
    xnode *x = parse_term(P, nl);
    if (!x) return NULL;
    for (;;) {
        tok *t;
        if (peek(P, &t)) return NULL;
        if (t->t == T_DOT) {
            take(P);
            if (peek(P, &t)) return NULL;
            if (t->t != T_IDENT && t->t != T_NUMBER && t->t != T_STAR) {
                perr(P, t, "expected an attribute name after '.'");
                return NULL;
            }
            x->e = t->e;
            take(P);
            if (x->k != X_TRAVERSAL) x->k = X_OTHER;
        } else if (t->t == T_LBRACK) {
            take(P);
            if (peek_nl(P, &t, true)) return NULL;
            if (t->t == T_STAR)
                take(P);
            else if (!parse_expr(P, true))
                return NULL;
            size_t end;
            if (!expect(P, T_RBRACK, true, "expected ']'", &end)) return NULL;
            x->e = end;
            if (x->k != X_TRAVERSAL) x->k = X_OTHER;
        } else {
            break;
        }
    }
    P->depth--;
    return x;
}

static xnode *parse_binary(hp *P, bool nl, int minprec) {
    xnode *left = parse_postfix(P, nl);
    if (!left) return NULL;
    for (;;) {
        tok *t;
        if (peek_nl(P, &t, nl)) return NULL;
        int pr = (t->t == T_OP || t->t == T_MINUS || t->t == T_STAR) ? t->prec : 0;
        if (!pr || pr < minprec) return left;
        take(P);
        xnode *right = parse_binary(P, nl, pr + 1);
        if (!right) return NULL;
        xnode *x = mk(P, X_OTHER, left->s);
        if (!x) return NULL;
        x->e = right->e;
        left = x;
    }
}

static xnode *parse_expr(hp *P, bool nl) {
    xnode *c = parse_binary(P, nl, 1);
    if (!c) return NULL;
    tok *t;
    if (peek_nl(P, &t, nl)) return NULL;
    if (t->t != T_QUESTION) return c;
    take(P);
    if (!parse_expr(P, true)) return NULL;
    if (!expect(P, T_COLON, true, "expected ':' in conditional", NULL)) return NULL;
    xnode *f = parse_expr(P, nl);
    if (!f) return NULL;
    xnode *x = mk(P, X_OTHER, c->s);
    if (x) x->e = f->e;
    return x;
}

/* ---- conversion ---------------------------------------------------------------- */

static val_t *convert(hp *P, xnode *x);

static val_t *wrap_src(hp *P, size_t s, size_t e) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_append(&b, "${", 2);
    gh_buf_append(&b, P->src + s, e - s);
    gh_buf_putc(&b, '}');
    val_t *v = b.oom ? NULL : val_str(P->a, b.p, b.len);
    gh_buf_free(&b);
    if (!v) oom(P);
    return v;
}

/* A template body src[s..e): literal text (escapes decoded when `quoted`),
 * ${expr} as "${<expr source>}", %{...} directives kept. *single is set
 * when the body is exactly one interpolation (its inner extent in is..ie). */
static int template_text(hp *P, size_t s, size_t e, bool quoted, gh_buf *b, bool *single,
                         size_t *is, size_t *ie) {
    const char *src = P->src;
    int parts = 0, interps = 0;
    size_t i = s;
    while (i < e) {
        char c = src[i];
        if ((c == '$' || c == '%') && i + 1 < e && src[i + 1] == '{') {
            size_t m = match_brace(src, e, i + 2, 0);
            if (!m) return -1;
            size_t a = i + 2, z = m;
            if (a < z && src[a] == '~') a++;
            if (z > a && src[z - 1] == '~') z--;
            while (a < z && isspace((unsigned char)src[a]))
                a++;
            while (z > a && isspace((unsigned char)src[z - 1]))
                z--;
            gh_buf_putc(b, c);
            gh_buf_putc(b, '{');
            gh_buf_append(b, src + a, z - a);
            gh_buf_putc(b, '}');
            if (c == '$') {
                interps++;
                *is = a;
                *ie = z;
            }
            parts++;
            i = m + 1;
            continue;
        }
        if ((c == '$' || c == '%') && i + 2 < e && src[i + 1] == c && src[i + 2] == '{') {
            gh_buf_putc(b, c); /* $${ -> ${ */
            gh_buf_putc(b, '{');
            i += 3;
            parts++;
            continue;
        }
        if (quoted && c == '\\' && i + 1 < e) {
            char x = src[i + 1];
            int hexn = x == 'u' ? 4 : x == 'U' ? 8 : 0;
            if (hexn) {
                uint32_t v = 0;
                if (i + 2 + (size_t)hexn > e) return -1;
                for (int k = 0; k < hexn; k++) {
                    char h = src[i + 2 + (size_t)k];
                    if (!isxdigit((unsigned char)h)) return -1;
                    v = v * 16 + (uint32_t)(isdigit((unsigned char)h)
                                                ? h - '0'
                                                : tolower((unsigned char)h) - 'a' + 10);
                }
                pol_put_utf8(b, v);
                i += 2 + (size_t)hexn;
            } else {
                char r = x == 'n'    ? '\n'
                         : x == 't'  ? '\t'
                         : x == 'r'  ? '\r'
                         : x == '"'  ? '"'
                         : x == '\\' ? '\\'
                                     : 0;
                if (!r) return -1;
                gh_buf_putc(b, r);
                i += 2;
            }
            parts++;
            continue;
        }
        gh_buf_putc(b, c);
        parts++;
        i++;
    }
    *single = interps == 1 && parts == 1;
    return 0;
}

static val_t *convert_template(hp *P, xnode *x) {
    gh_buf b;
    gh_buf_init(&b);
    bool single = false;
    size_t is = 0, ie = 0;
    int rc;
    if (x->k == X_TEMPLATE) {
        rc = template_text(P, x->s + 1, x->e - 1, true, &b, &single, &is, &ie);
    } else {
        /* heredoc: the lines between the marker lines; <<- strips the
         * smallest indentation */
        const char *src = P->src;
        bool indent = src[x->s + 2] == '-';
        size_t body = x->s;
        while (src[body] != '\n')
            body++;
        body++;
        size_t last = x->e; /* start of the closing marker line */
        while (last > body && src[last - 1] != '\n')
            last--;
        size_t strip = 0;
        if (indent) {
            strip = (size_t)-1;
            for (size_t q = body; q < last;) {
                size_t le = q;
                while (le < last && src[le] != '\n')
                    le++;
                size_t w = 0;
                while (q + w < le && (src[q + w] == ' ' || src[q + w] == '\t'))
                    w++;
                if (q + w < le && w < strip) strip = w;
                q = le + 1;
            }
            if (strip == (size_t)-1) strip = 0;
        }
        gh_buf lines;
        gh_buf_init(&lines);
        for (size_t q = body; q < last;) {
            size_t le = q;
            while (le < last && src[le] != '\n')
                le++;
            size_t a = q, w = 0;
            while (a < le && w < strip && (src[a] == ' ' || src[a] == '\t'))
                a++, w++;
            gh_buf_append(&lines, src + a, le - a);
            gh_buf_putc(&lines, '\n');
            q = le + 1;
        }
        /* interpolations inside are handled on the stripped text */
        if (lines.oom) {
            gh_buf_free(&lines);
            gh_buf_free(&b);
            oom(P);
            return NULL;
        }
        hp sub = *P;
        sub.src = lines.p ? lines.p : "";
        sub.n = lines.len;
        rc = template_text(&sub, 0, sub.n, false, &b, &single, &is, &ie);
        single = false; /* a heredoc always ends with a newline: never a lone interpolation */
        gh_buf_free(&lines);
    }
    if (rc) {
        gh_buf_free(&b);
        tok t = {T_EOF, x->s, x->e, P->line, P->col, 0};
        perr(P, &t, "malformed template string");
        return NULL;
    }
    val_t *v = NULL;
    if (single) {
        /* "${expr}" alone converts as the expression itself */
        hp sub = {.a = P->a,
                  .src = P->src + is,
                  .n = ie - is,
                  .file = P->file,
                  .line = P->line,
                  .col = P->col,
                  .e = P->e,
                  .depth = P->depth};
        xnode *inner = parse_expr(&sub, true);
        tok *t;
        if (inner && !peek_nl(&sub, &t, true) && t->t == T_EOF) {
            v = convert(&sub, inner);
            if (!v) P->rc = sub.rc;
        } else {
            P->rc = sub.rc;
            if (!P->rc) v = wrap_src(&sub, 0, sub.n);
        }
    } else {
        v = b.oom ? NULL : val_str(P->a, b.p ? b.p : "", b.len);
        if (!v) oom(P);
    }
    gh_buf_free(&b);
    return v;
}

static val_t *convert_key(hp *P, xnode *k) {
    if (k->k == X_TRAVERSAL) {
        val_t *v = val_str(P->a, P->src + k->s, k->e - k->s);
        if (!v) oom(P);
        return v;
    }
    if (k->k == X_TEMPLATE || k->k == X_HEREDOC) return convert_template(P, k);
    if (k->k == X_NUMBER || k->k == X_TRUE || k->k == X_FALSE) {
        val_t *v = val_str(P->a, P->src + k->s, k->e - k->s);
        if (!v) oom(P);
        return v;
    }
    /* (expr) keys: their source inside ${} */
    return wrap_src(P, k->s, k->e); /* (expr) keys keep their parentheses */
}

static val_t *convert(hp *P, xnode *x) {
    switch (x->k) {
    case X_NUMBER: {
        val_t *v;
        if (x->negative) {
            char *t = gh_arena_printf(P->a, "-%.*s", (int)(x->e - x->ns), P->src + x->ns);
            if (!t) return oom(P), NULL;
            v = val_num_parse(P->a, t, strlen(t), NULL);
        } else {
            v = val_num_parse(P->a, P->src + x->s, x->e - x->s, NULL);
        }
        if (!v) {
            tok t = {T_NUMBER, x->s, x->e, P->line, P->col, 0};
            perr(P, &t, "invalid number");
        }
        return v;
    }
    case X_TRUE: return val_bool(true);
    case X_FALSE: return val_bool(false);
    case X_NULL: return VAL_NULLV;
    case X_TEMPLATE:
    case X_HEREDOC: return convert_template(P, x);
    case X_TUPLE: {
        val_t *arr = val_arr_new(P->a, x->nkids);
        if (!arr) return oom(P), NULL;
        for (size_t i = 0; i < x->nkids; i++) {
            val_t *v = convert(P, x->kids[i]);
            if (!v || val_arr_push(P->a, arr, v)) return v ? (oom(P), NULL) : NULL;
        }
        return arr;
    }
    case X_OBJECT: {
        val_t *obj = val_obj_new(P->a, x->nkids / 2);
        if (!obj) return oom(P), NULL;
        for (size_t i = 0; i + 1 < x->nkids; i += 2) {
            val_t *k = convert_key(P, x->kids[i]);
            val_t *v = k ? convert(P, x->kids[i + 1]) : NULL;
            if (!v) return NULL;
            if (val_kind_of(k) != VAL_STRING) { /* "${true}" as a key: its text */
                char *j = val_to_json(P->a, k, 0);
                if (!j || !(k = val_strc(P->a, j))) return oom(P), NULL;
            }
            if (val_obj_put(P->a, obj, k, v)) return oom(P), NULL;
        }
        return obj;
    }
    default: {
        /* hcl2json gives type expressions (string, list(string), ...) as
         * written: any source starting with a type keyword */
        static const char *const types[] = {"string", "number", "bool",   "list",
                                            "set",    "map",    "object", "tuple"};
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            size_t tl = strlen(types[i]);
            if (x->e - x->s >= tl && !memcmp(P->src + x->s, types[i], tl)) {
                val_t *v = val_str(P->a, P->src + x->s, x->e - x->s);
                if (!v) oom(P);
                return v;
            }
        }
        return wrap_src(P, x->s, x->e);
    }
    }
}

/* ---- bodies --------------------------------------------------------------------- */

static int parse_body(hp *P, val_t *out, bool braced);

/* The block's label value: a quoted literal or an identifier. */
static val_t *label_value(hp *P, const tok *t) {
    if (t->t == T_IDENT) return val_str(P->a, P->src + t->s, t->e - t->s);
    xnode x = {.k = X_TEMPLATE, .s = t->s, .e = t->e};
    return convert_template(P, &x);
}

static int add_block(hp *P, val_t *out, const tok *type, val_t **labels, size_t nlabels,
                     val_t *body) {
    val_t *key = val_str(P->a, P->src + type->s, type->e - type->s);
    if (!key) return oom(P);
    for (size_t i = 0; i < nlabels; i++) {
        val_t *inner = val_obj_get(out, key);
        if (inner) {
            if (val_kind_of(inner) != VAL_OBJECT)
                return perr(P, type,
                            "a block's labels clash with an attribute or unlabelled block");
            out = inner;
        } else {
            val_t *obj = val_obj_new(P->a, 4);
            if (!obj || val_obj_put(P->a, out, key, obj)) return oom(P);
            out = obj;
        }
        key = labels[i];
        if (val_kind_of(key) != VAL_STRING) return perr(P, type, "block labels must be strings");
    }
    val_t *cur = val_obj_get(out, key);
    if (cur && val_kind_of(cur) == VAL_ARRAY) {
        if (val_arr_push(P->a, cur, body)) return oom(P);
        return 0;
    }
    val_t *list = val_arr_new(P->a, 2);
    if (!list || (cur && val_arr_push(P->a, list, cur)) || val_arr_push(P->a, list, body) ||
        val_obj_put(P->a, out, key, list))
        return oom(P);
    return 0;
}

static int parse_body(hp *P, val_t *out, bool braced) {
    val_t *attrs = val_set_new(P->a, 8); /* attribute names seen in this body */
    if (!attrs) return oom(P);
    if (++P->depth > GH_MAX_DEPTH)
        return P->rc = gh_err_set(P->e, GH_ELIMIT, P->file, P->line, P->col,
                                  "hcl2: nesting deeper than %d", GH_MAX_DEPTH);
    for (;;) {
        tok *t;
        if (peek(P, &t)) return P->rc;
        if (t->t == T_NL) {
            take(P);
            continue;
        }
        if (t->t == T_EOF) {
            if (braced) return perr(P, t, "unclosed block: expected '}'");
            break;
        }
        if (t->t == T_RBRACE) {
            if (!braced) return perr(P, t, "unexpected '}'");
            take(P);
            break;
        }
        if (t->t != T_IDENT) return perr(P, t, "expected an attribute or block name");
        tok name = *t;
        take(P);
        if (peek(P, &t)) return P->rc;
        if (t->t == T_EQ) {
            take(P);
            xnode *x = parse_expr(P, false);
            if (!x) return P->rc;
            if (peek(P, &t)) return P->rc;
            if (t->t != T_NL && t->t != T_EOF && !(braced && t->t == T_RBRACE))
                return perr(P, t, "expected a newline after the attribute value");
            val_t *v = convert(P, x);
            val_t *k = val_str(P->a, P->src + name.s, name.e - name.s);
            if (!v) return P->rc;
            if (!k) return oom(P);
            bool added = false;
            if (val_set_add(P->a, attrs, k, &added)) return oom(P);
            if (!added)
                return perr(P, &name, "attribute redefined: each argument may be set only once");
            if (val_obj_put(P->a, out, k, v)) return oom(P);
            continue;
        }
        val_t *labels[64];
        size_t nl = 0;
        for (;;) {
            if (peek(P, &t)) return P->rc;
            if (t->t != T_QUOTED && t->t != T_IDENT) break;
            if (nl == 64) return perr(P, t, "too many block labels");
            if (!(labels[nl++] = label_value(P, t))) return P->rc ? P->rc : oom(P);
            take(P);
        }
        if (t->t != T_LBRACE) return perr(P, t, "expected '=' or a block's '{'");
        take(P);
        val_t *body = val_obj_new(P->a, 8);
        if (!body) return oom(P);
        int rc = parse_body(P, body, true);
        if (rc) return rc;
        if ((rc = add_block(P, out, &name, labels, nl, body))) return rc;
        if (peek(P, &t)) return P->rc;
        if (t->t != T_NL && t->t != T_EOF && !(braced && t->t == T_RBRACE))
            return perr(P, t, "expected a newline after the block");
    }
    P->depth--;
    return 0;
}

static int parse_hcl2_doc(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                          gh_err *e) {
    hp P = {.a = a, .src = text, .n = n, .file = file, .line = 1, .col = 1, .e = e};
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) P.pos = 3;
    val_t *root = val_obj_new(a, 16);
    if (!root) return oom(&P);
    int rc = parse_body(&P, root, false);
    if (rc) return rc;
    *out = root;
    return 0;
}

/* A failure while the arena was out of budget is reported as GH_ENOMEM,
 * whatever the parser made of the missing allocation. */
int pol_parse_hcl2(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e) {
    return pol_budget_rc(a, parse_hcl2_doc(a, text, n, file, out, e), file, e);
}
