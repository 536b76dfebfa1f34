/* glob_isect.c - regex.globs_match: decides whether two "glob-like" patterns
 * (tokens: a rune, '.' any rune, [set] with ranges, each optionally followed
 * by '*' or '+'; '\' escapes) share a non-empty string, reproducing the
 * answers and error messages of github.com/yashtewari/glob-intersection
 * v0.2.0, which OPA uses: its tokenizer, its simplification of repeated
 * flagged tokens, its prefix/suffix trimming and its greedy intersection
 * walk (whose answers are not always the mathematical ones; OPA's are kept).
 * Called by regex.c. The walk is memoised on (glob, offset, offset), so it
 * is polynomial where the library can be exponential. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex_int.h"
#include "strutil.h"

/* Bounds on token counts: the memo table is 2 * (n1+1) * (n2+1) bytes and
 * the recursion depth is at most n1 + n2 frames. */
#define GLOB_MAX_TOKENS 2048

enum { T_CHAR, T_DOT, T_SET };
enum { FL_NONE, FL_PLUS, FL_STAR };

typedef struct {
    uint32_t lo, hi;
} rrange;

typedef struct {
    uint8_t type, flag;
    uint32_t rune; /* T_CHAR */
    rrange *r;     /* T_SET: sorted, merged */
    uint32_t nr;
} gtok;

typedef struct {
    gtok *t;
    size_t n;
} gglob;

/* ---- tokenizer (errors are the library's wording) ------------------------------- */

typedef struct {
    const uint32_t *in; /* runes; invalid UTF-8 became U+FFFD as Go's []rune does */
    size_t n;
    gh_buf *err;
} lexer;

static void put_rune(gh_buf *b, uint32_t r) {
    char tmp[4];
    int w = rb_u8_encode((int32_t)r, tmp);
    gh_buf_append(b, tmp, (size_t)w);
}

static int lex_err(lexer *lx, size_t pos, const char *fmt, uint32_t a, uint32_t b) {
    gh_buf_puts(lx->err, "input:");
    for (size_t i = 0; i < lx->n; i++)
        put_rune(lx->err, lx->in[i]);
    gh_buf_printf(lx->err, ", pos:%zu, ", pos);
    /* fmt has at most two %s, each a rune */
    for (const char *f = fmt; *f; f++) {
        if (f[0] == '%' && f[1] == 's') {
            put_rune(lx->err, a);
            a = b;
            f++;
        } else {
            gh_buf_putc(lx->err, *f);
        }
    }
    gh_buf_puts(lx->err, ": the input provided is invalid");
    return GH_EINVAL;
}

/* nextRune: 1 = rune read, 0 = end of input, <0 error (trailing backslash). */
static int lx_next(lexer *lx, size_t idx, size_t *nidx, uint32_t *r, bool *esc) {
    if (idx >= lx->n) {
        *nidx = idx;
        return 0;
    }
    if (lx->in[idx] == '\\') {
        if (idx + 1 < lx->n) {
            *nidx = idx + 2;
            *r = lx->in[idx + 1];
            *esc = true;
            return 1;
        }
        return lex_err(lx, idx, "input ends with a \\ (escape) character", 0, 0);
    }
    *nidx = idx + 1;
    *r = lx->in[idx];
    *esc = false;
    return 1;
}

static int set_add(gh_arena *a, gtok *t, size_t *cap, uint32_t lo, uint32_t hi) {
    if (t->nr == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        rrange *nr = gh_arena_realloc(a, t->r, *cap * sizeof *nr, nc * sizeof *nr);
        if (!nr) return GH_ENOMEM;
        t->r = nr;
        *cap = nc;
    }
    t->r[t->nr++] = (rrange){lo, hi};
    return 0;
}

static int cmp_range(const void *x, const void *y) {
    const rrange *a = x, *b = y;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static void set_normalize(gtok *t) {
    if (t->nr < 2) return;
    qsort(t->r, t->nr, sizeof *t->r, cmp_range);
    uint32_t k = 0;
    for (uint32_t i = 1; i < t->nr; i++) {
        if (t->r[i].lo <= t->r[k].hi || t->r[i].lo == t->r[k].hi + 1) {
            if (t->r[i].hi > t->r[k].hi) t->r[k].hi = t->r[i].hi;
        } else {
            t->r[++k] = t->r[i];
        }
    }
    t->nr = k + 1;
}

/* nextTokenSet: idx is just after '['. */
static int lx_set(lexer *lx, gh_arena *a, size_t idx, size_t *nidx, gtok *t) {
    uint32_t r, prev = 0;
    bool esc, prev_exists = false, complete = false;
    size_t cap = 0, ni = idx;
    int rc;
    t->type = T_SET;
    while ((rc = lx_next(lx, ni, &ni, &r, &esc)) == 1) {
        if (!esc && r == '-') {
            if (!prev_exists)
                return lex_err(lx, ni,
                               "range character '-' must be preceded by a Unicode character", 0, 0);
            if (ni + 1 >= lx->n)
                return lex_err(lx, ni,
                               "range character '-' must be followed by a Unicode character", 0, 0);
            if ((rc = lx_next(lx, ni, &ni, &r, &esc)) < 0) return rc;
            if (!esc && (r == ']' || r == '-'))
                return lex_err(lx, ni, "range character '-' cannot be followed by a special symbol",
                               0, 0);
            if (r < prev)
                return lex_err(lx, ni, "range is out of order: '%s' comes before '%s' in Unicode",
                               r, prev);
            if (set_add(a, t, &cap, prev, r)) return GH_ENOMEM;
            prev_exists = false;
        } else if (!esc && r == ']') {
            complete = true;
            break;
        } else {
            if (set_add(a, t, &cap, r, r)) return GH_ENOMEM;
            prev = r;
            prev_exists = true;
        }
    }
    if (rc < 0) return rc;
    if (!complete) return lex_err(lx, ni, "found [ without matching ]", 0, 0);
    set_normalize(t);
    *nidx = ni;
    return 0;
}

static bool tok_equal(const gtok *a, const gtok *b) {
    if (a->type != b->type) return false;
    if (a->type == T_CHAR) return a->rune == b->rune;
    if (a->type == T_DOT) return true;
    if (a->nr != b->nr) return false;
    for (uint32_t i = 0; i < a->nr; i++)
        if (a->r[i].lo != b->r[i].lo || a->r[i].hi != b->r[i].hi) return false;
    return true;
}

/* Tokenize + Simplify (adjacent equal flagged tokens merge; '+' wins). */
static int tokenize(gh_arena *a, const char *s, size_t n, gh_buf *err, gglob *g) {
    uint32_t *runes = gh_arena_alloc(a, (n + 1) * sizeof *runes);
    if (!runes) return GH_ENOMEM;
    size_t nr = 0;
    for (size_t i = 0; i < n;) {
        int w;
        runes[nr++] = (uint32_t)rb_u8_decode(s + i, n - i, &w);
        i += (size_t)w;
    }
    lexer lx = {runes, nr, err};
    g->t = gh_arena_alloc(a, (nr + 1) * sizeof *g->t);
    if (!g->t) return GH_ENOMEM;
    g->n = 0;
    size_t idx = 0;
    for (;;) {
        uint32_t r;
        bool esc;
        size_t ni;
        int rc = lx_next(&lx, idx, &ni, &r, &esc);
        if (rc < 0) return rc;
        if (rc == 0) break;
        gtok t;
        memset(&t, 0, sizeof t);
        if (!esc && r == '.') {
            t.type = T_DOT;
        } else if (!esc && r == ']') {
            return lex_err(&lx, ni, "set-close ']' with no preceding '['", 0, 0);
        } else if (!esc && r == '[') {
            if ((rc = lx_set(&lx, a, ni, &ni, &t))) return rc;
        } else if (!esc && (r == '+' || r == '*')) {
            return lex_err(&lx, ni, "flag '%s' must be preceded by a non-flag", r, 0);
        } else {
            t.type = T_CHAR;
            t.rune = r;
        }
        /* nextFlag: one unescaped '+' or '*' */
        uint32_t fr;
        size_t fi;
        rc = lx_next(&lx, ni, &fi, &fr, &esc);
        if (rc < 0) return rc;
        if (rc == 1 && !esc && (fr == '+' || fr == '*')) {
            t.flag = fr == '+' ? FL_PLUS : FL_STAR;
            ni = fi;
        }
        idx = ni;
        /* Simplify */
        if (g->n > 0 && t.flag != FL_NONE && g->t[g->n - 1].flag != FL_NONE &&
            tok_equal(&t, &g->t[g->n - 1])) {
            if (t.flag == FL_PLUS) g->t[g->n - 1].flag = FL_PLUS;
            continue;
        }
        g->t[g->n++] = t;
    }
    return 0;
}

/* ---- intersection ------------------------------------------------------------------ */

static bool sets_meet(const gtok *a, const gtok *b) {
    uint32_t i = 0, j = 0;
    while (i < a->nr && j < b->nr) {
        if (a->r[i].hi < b->r[j].lo)
            i++;
        else if (b->r[j].hi < a->r[i].lo)
            j++;
        else
            return true;
    }
    return false;
}

static bool set_has(const gtok *s, uint32_t r) {
    for (uint32_t i = 0; i < s->nr; i++)
        if (s->r[i].lo <= r && r <= s->r[i].hi) return true;
    return false;
}

/* The library's Match: flags are ignored; a dot meets anything. */
static bool tmatch(const gtok *a, const gtok *b) {
    if (a->type > b->type) {
        const gtok *t = a;
        a = b;
        b = t;
    }
    if (a->type == T_CHAR) {
        if (b->type == T_CHAR) return a->rune == b->rune;
        if (b->type == T_DOT) return true;
        return set_has(b, a->rune);
    }
    if (a->type == T_DOT) return true;
    return sets_meet(a, b);
}

typedef struct {
    gglob g[2];
    uint8_t *memo; /* 0 unknown, 1 false, 2 true */
} isect;

static bool inormal(isect *x, int ga, size_t i, size_t j);

static bool istar(isect *x, int gs, size_t i, size_t j) {
    const gglob *S = &x->g[gs], *O = &x->g[1 - gs];
    const gtok *star = &S->t[i], *next = i + 1 < S->n ? &S->t[i + 1] : NULL;
    for (size_t k = j; k < O->n; k++) {
        const gtok *t = &O->t[k];
        if (next && tmatch(t, next)) {
            if (inormal(x, gs, i + 1, k)) return true;
            if (!tmatch(t, star)) return false;
        } else if (!tmatch(t, star)) {
            return false;
        }
    }
    return next == NULL;
}

/* The plussed token takes other[0], then continues as a star; or, when
 * other[0] is flagged itself, other[0] may take the plussed token whole. */
static bool iplus(isect *x, int gp, size_t i, size_t j) {
    const gtok *o = &x->g[1 - gp].t[j];
    if (!tmatch(&x->g[gp].t[i], o)) return false;
    if (istar(x, gp, i, j + 1)) return true;
    return o->flag != FL_NONE && inormal(x, gp, i + 1, j);
}

static bool ispecial(isect *x, int ga, size_t i, size_t j) {
    const gtok *a = &x->g[ga].t[i], *b = &x->g[1 - ga].t[j];
    if (a->flag != FL_NONE) return a->flag == FL_PLUS ? iplus(x, ga, i, j) : istar(x, ga, i, j);
    if (b->flag == FL_PLUS) return iplus(x, 1 - ga, j, i);
    if (b->flag == FL_STAR) return istar(x, 1 - ga, j, i);
    return false;
}

static bool inormal(isect *x, int ga, size_t i, size_t j) {
    size_t n0 = x->g[0].n, n1 = x->g[1].n;
    size_t key = ga == 0 ? i * (n1 + 1) + j : (n0 + 1) * (n1 + 1) + j * (n1 + 1) + i;
    if (x->memo[key]) return x->memo[key] == 2;
    const gglob *A = &x->g[ga], *B = &x->g[1 - ga];
    bool res;
    for (;;) {
        if (i >= A->n || j >= B->n) {
            res = i == A->n && j == B->n;
            break;
        }
        if (A->t[i].flag == FL_NONE && B->t[j].flag == FL_NONE) {
            if (!tmatch(&A->t[i], &B->t[j])) {
                res = false;
                break;
            }
            i++;
            j++;
            continue;
        }
        res = ispecial(x, ga, i, j);
        break;
    }
    x->memo[key] = res ? 2 : 1;
    return res;
}

int rego_globs_intersect(const char *s1, size_t n1, const char *s2, size_t n2, gh_buf *errmsg) {
    gh_arena a;
    gh_arena_init(&a, 0);
    gglob g1, g2;
    int rc = tokenize(&a, s1, n1, errmsg, &g1);
    if (!rc) rc = tokenize(&a, s2, n2, errmsg, &g2);
    if (rc) goto out;
    if (g1.n > GLOB_MAX_TOKENS || g2.n > GLOB_MAX_TOKENS) {
        gh_buf_printf(errmsg, "globs longer than %d tokens are not supported", GLOB_MAX_TOKENS);
        rc = GH_EINVAL;
        goto out;
    }
    /* trimGlobs: drop equal unflagged prefixes and suffixes, keeping one of each */
    size_t l = 0;
    for (; l < g1.n && l < g2.n && g1.t[l].flag == FL_NONE && g2.t[l].flag == FL_NONE; l++)
        if (!tmatch(&g1.t[l], &g2.t[l])) {
            rc = 0;
            goto out;
        }
    if (l > 0) l--;
    ptrdiff_t r1 = (ptrdiff_t)g1.n - 1, r2 = (ptrdiff_t)g2.n - 1;
    for (; r1 >= 0 && r1 >= (ptrdiff_t)l && r2 >= 0 && r2 >= (ptrdiff_t)l &&
           g1.t[r1].flag == FL_NONE && g2.t[r2].flag == FL_NONE;
         r1--, r2--)
        if (!tmatch(&g1.t[r1], &g2.t[r2])) {
            rc = 0;
            goto out;
        }
    if (r1 < (ptrdiff_t)g1.n - 1) {
        r1++;
        r2++;
    }
    isect x;
    x.g[0] = (gglob){g1.t + l, (size_t)(r1 + 1 - (ptrdiff_t)l)};
    x.g[1] = (gglob){g2.t + l, (size_t)(r2 + 1 - (ptrdiff_t)l)};
    x.memo = gh_arena_calloc(&a, 2 * (x.g[0].n + 1) * (x.g[1].n + 1));
    if (!x.memo) {
        rc = GH_ENOMEM;
        goto out;
    }
    rc = inormal(&x, 0, 0, 0) ? 1 : 0;
out:
    if (a.oom) rc = GH_ENOMEM;
    gh_arena_free(&a);
    return rc;
}
