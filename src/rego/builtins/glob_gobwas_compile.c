/* glob_gobwas_compile.c - the compiler half of the gobwas/glob v0.2.3 port
 * (see glob_gobwas.c for why): AST minimisation of {..} alternatives,
 * optimizeMatcher, minimizeMatchers with its glueing into EveryOf/Row, and
 * the BTree layout of compileMatchers, step for step. Called by glob.c;
 * everything lives in the caller's arena. Bounded: patterns whose levels
 * hold more than MAX_LEVEL_MATCHERS tokens or nest deeper than
 * MAX_TREE_DEPTH are left to glob.c's NFA. */
#include <string.h>

#include "glob_int.h"
#include "strutil.h"

#define MAX_LEVEL_MATCHERS 32 /* minimizeMatchers is O(n^4); beyond this use the NFA */
#define MAX_TREE_DEPTH 64

typedef struct {
    gm **v;
    size_t n;
} mlist;

typedef struct {
    gh_arena *a;
    const uint32_t *seps;
    size_t nseps;
    bool too_big;
} cctx;

/* ---- compiler ---------------------------------------------------------------------- */

static gm *mk(cctx *c, int type) {
    gm *m = gh_arena_calloc(c->a, sizeof *m);
    if (m) m->type = type;
    return m;
}

static gm *mk_text(cctx *c, const char *s, size_t n) {
    gm *m = mk(c, M_TEXT);
    if (!m) return NULL;
    m->s1 = s;
    m->n1 = n;
    m->runes_len = (int)rb_u8_count(s, n);
    return m;
}

static gm *mk_btree(cctx *c, gm *value, gm *left, gm *right) {
    gm *m = mk(c, M_BTREE);
    if (!m) return NULL;
    m->value = value;
    m->left = left;
    m->right = right;
    bool ok = true;
    if ((m->vlen = rego_glob_m_len(value)) == -1) ok = false;
    if (left && (m->llen = rego_glob_m_len(left)) == -1) ok = false;
    if (right && (m->rlen = rego_glob_m_len(right)) == -1) ok = false;
    m->len = ok ? m->llen + m->vlen + m->rlen : -1;
    return m;
}

static char *runes_str(cctx *c, const uint32_t *r, size_t n, size_t *len) {
    char *s = gh_arena_alloc(c->a, n * 4 + 1);
    if (!s) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)rb_u8_encode((int32_t)r[i], s + k);
    s[k] = '\0';
    *len = k;
    return s;
}

static gm *optimize(cctx *c, gm *m) {
    if (!m) return NULL;
    switch (m->type) {
    case M_ANY: return m->nrunes == 0 ? mk(c, M_SUPER) : m;
    case M_ANYOF: return m->nsubs == 1 ? m->subs[0] : m;
    case M_LIST:
        if (!m->not &&m->nrunes == 1) {
            size_t len;
            char *s = runes_str(c, m->runes, 1, &len);
            return s ? mk_text(c, s, len) : NULL;
        }
        return m;
    case M_BTREE: {
        gm *b = mk(c, M_BTREE);
        if (!b) return NULL;
        *b = *m;
        b->left = optimize(c, m->left);
        b->right = optimize(c, m->right);
        if (b->value->type != M_TEXT) return b;
        const gm *l = b->left, *r = b->right, *v = b->value;
        gm *o = NULL;
        if (!l && !r) return mk_text(c, v->s1, v->n1);
        bool lsup = l && l->type == M_SUPER, lpre = l && l->type == M_PREFIX,
             lany = l && l->type == M_ANY, rsup = r && r->type == M_SUPER,
             rsuf = r && r->type == M_SUFFIX, rany = r && r->type == M_ANY;
        if (lsup && rsup) {
            if ((o = mk(c, M_CONTAINS))) o->s1 = v->s1, o->n1 = v->n1;
        } else if (lsup && !r) {
            if ((o = mk(c, M_SUFFIX))) o->s1 = v->s1, o->n1 = v->n1;
        } else if (rsup && !l) {
            if ((o = mk(c, M_PREFIX))) o->s1 = v->s1, o->n1 = v->n1;
        } else if (!l && rsuf) {
            if ((o = mk(c, M_PREFIX_SUFFIX)))
                o->s1 = v->s1, o->n1 = v->n1, o->s2 = r->s1, o->n2 = r->n1;
        } else if (!r && lpre) {
            if ((o = mk(c, M_PREFIX_SUFFIX)))
                o->s1 = l->s1, o->n1 = l->n1, o->s2 = v->s1, o->n2 = v->n1;
        } else if (!r && lany) {
            if ((o = mk(c, M_SUFFIX_ANY)))
                o->s1 = v->s1, o->n1 = v->n1, o->runes = l->runes, o->nrunes = l->nrunes;
        } else if (!l && rany) {
            if ((o = mk(c, M_PREFIX_ANY)))
                o->s1 = v->s1, o->n1 = v->n1, o->runes = r->runes, o->nrunes = r->nrunes;
        } else {
            return b;
        }
        return o;
    }
    default: return m;
    }
}

static gm **copy_list(cctx *c, gm *const *v, size_t n) {
    gm **o = gh_arena_alloc(c->a, (n ? n : 1) * sizeof *o);
    if (o && n) memcpy(o, v, n * sizeof *o);
    return o;
}

static bool runes_equal(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* What gobwas's glueMatchersAsEvery reads from a run of matchers: which
 * kinds occur, how many single runes they need, and their common separators. */
typedef struct every_scan {
    bool any, super, single;
    int min;
    const uint32_t *sep;
    size_t nsep;
} every_scan;

/* Scan v[0..n) (n > 1); false when the run cannot be glued as EveryOf (a
 * matcher of another kind, a positive list, or differing separators). */
static bool scan_every(gm *const *v, size_t n, every_scan *e) {
    *e = (every_scan){0};
    for (size_t i = 0; i < n; i++) {
        const uint32_t *sep = NULL;
        size_t nsep = 0;
        switch (v[i]->type) {
        case M_SUPER: e->super = true; break;
        case M_ANY:
            sep = v[i]->runes;
            nsep = v[i]->nrunes;
            e->any = true;
            break;
        case M_LIST: /* a negated list needs one rune, as a single does */
        case M_SINGLE:
            if (v[i]->type == M_LIST && !v[i]->not ) return false;
            sep = v[i]->runes;
            nsep = v[i]->nrunes;
            e->single = true;
            e->min++;
            break;
        default: return false;
        }
        if (i == 0) {
            e->sep = sep;
            e->nsep = nsep;
        }
        if (!runes_equal(sep, nsep, e->sep, e->nsep)) return false;
    }
    return true;
}

static gm *glue_every(cctx *c, gm *const *v, size_t n) {
    if (n <= 1) return NULL;
    every_scan e;
    if (!scan_every(v, n, &e)) return NULL;
    gm *m;
    if (e.super && !e.any && !e.single) return mk(c, M_SUPER);
    if (e.any && !e.super && !e.single) {
        if ((m = mk(c, M_ANY))) m->runes = e.sep, m->nrunes = e.nsep;
        return m;
    }
    if ((e.any || e.super) && e.min > 0 && e.nsep == 0) {
        if ((m = mk(c, M_MIN))) m->limit = e.min;
        return m;
    }
    gm *every = mk(c, M_EVERYOF), *parts[3];
    size_t np = 0;
    if (!every) return NULL;
    if (e.min > 0) {
        if (!(parts[np] = mk(c, M_MIN))) return NULL;
        parts[np++]->limit = e.min;
        if (!e.any && !e.super) {
            if (!(parts[np] = mk(c, M_MAX))) return NULL;
            parts[np++]->limit = e.min;
        }
    }
    if (e.nsep > 0) {
        gm *ct = mk(c, M_CONTAINS);
        if (!ct || !(ct->s1 = runes_str(c, e.sep, e.nsep, &ct->n1))) return NULL;
        ct->not = true;
        parts[np++] = ct;
    }
    every->subs = copy_list(c, parts, np);
    every->nsubs = np;
    return every->subs ? every : NULL;
}

static gm *glue_row(cctx *c, gm *const *v, size_t n) {
    if (n <= 1) return NULL;
    int l = 0;
    for (size_t i = 0; i < n; i++) {
        int ml = rego_glob_m_len(v[i]);
        if (ml == -1) return NULL;
        l += ml;
    }
    gm *m = mk(c, M_ROW);
    if (!m || !(m->subs = copy_list(c, v, n))) return NULL;
    m->nsubs = n;
    m->runes_len = l;
    return m;
}

static gm *glue(cctx *c, gm *const *v, size_t n) {
    gm *m = glue_every(c, v, n);
    return m ? m : glue_row(c, v, n);
}

/* Whether glue() would succeed on v[0..n), and the Len of its result,
 * without building it (minimize tries O(n^2) ranges per round). */
static bool glue_len(gm *const *v, size_t n, int *len) {
    if (n <= 1) return false;
    every_scan e;
    if (scan_every(v, n, &e)) {
        bool every = !(e.super && !e.any && !e.single) && !(e.any && !e.super && !e.single) &&
                     !((e.any || e.super) && e.min > 0 && e.nsep == 0);
        /* EveryOf's Len is -1 unless it ends up with no parts */
        int parts = (e.min > 0) + (e.min > 0 && !e.any && !e.super) + (e.nsep > 0);
        *len = every && parts == 0 ? 0 : -1;
        return true;
    }
    int l = 0;
    for (size_t i = 0; i < n; i++) {
        int ml = rego_glob_m_len(v[i]);
        if (ml == -1) return false;
        l += ml;
    }
    *len = l;
    return true;
}

static mlist minimize(cctx *c, mlist in) {
    for (;;) {
        bool found = false;
        int dlen = -1;
        size_t left = 0, right = 0, count = 0;
        for (size_t l = 0; l < in.n; l++)
            for (size_t r = in.n; r > l; r--) {
                int gl;
                if (!glue_len(in.v + l, r - l, &gl)) continue;
                bool swap = !found || (dlen > -1 && gl > -1 && gl > dlen) || count < r - l;
                if (swap) {
                    found = true;
                    dlen = gl;
                    left = l;
                    right = r;
                    count = r - l;
                }
            }
        if (!found) return in;
        gm *done = glue(c, in.v + left, right - left);
        if (!done) return in; /* arena exhausted: the caller sees a->oom */
        mlist next;
        next.n = left + 1 + (in.n - right);
        if (!(next.v = gh_arena_alloc(c->a, next.n * sizeof *next.v))) return in;
        memcpy(next.v, in.v, left * sizeof *in.v);
        next.v[left] = done;
        memcpy(next.v + left + 1, in.v + right, (in.n - right) * sizeof *in.v);
        if (next.n == in.n) return next;
        in = next;
    }
}

static gm *compile_list(cctx *c, gm *const *v, size_t n) {
    if (n == 1) return v[0];
    gm *g = glue(c, v, n);
    if (g) return g;
    long idx = -1;
    int max = -1;
    for (size_t i = 0; i < n; i++) {
        int l = rego_glob_m_len(v[i]);
        if (l != -1 && l >= max) {
            max = l;
            idx = (long)i;
        }
    }
    if (idx == -1) return mk_btree(c, v[0], NULL, compile_list(c, v + 1, n - 1));
    gm *l = idx > 0 ? compile_list(c, v, (size_t)idx) : NULL;
    gm *r = (size_t)idx + 1 < n ? compile_list(c, v + idx + 1, n - (size_t)idx - 1) : NULL;
    return mk_btree(c, v[idx], l, r);
}

/* ---- AST minimisation (compiler.minimizeTreeAnyOf) ------------------------------------ */

static bool node_equal(const gnode *a, const gnode *b) {
    if (a->kind != b->kind || a->nkids != b->nkids) return false;
    if (a->kind == G_TEXT || a->kind == G_LIST) {
        if (a->n != b->n || (a->n && memcmp(a->r, b->r, a->n * sizeof *a->r))) return false;
        if (a->kind == G_LIST && a->not != b->not ) return false;
    }
    if (a->kind == G_RANGE && (a->lo != b->lo || a->hi != b->hi || a->not != b->not )) return false;
    for (uint32_t i = 0; i < a->nkids; i++)
        if (!node_equal(a->kids[i], b->kids[i])) return false;
    return true;
}

static gnode *pattern_of(gh_arena *a, gnode *const *kids, size_t n) {
    gnode *p = rego_glob_node(a, G_PATTERN, NULL);
    if (!p) return NULL;
    if (n) {
        if (!(p->kids = gh_arena_alloc(a, n * sizeof *p->kids))) return NULL;
        memcpy(p->kids, kids, n * sizeof *kids);
        p->nkids = p->capkids = (uint32_t)n;
    }
    return p;
}

static gnode *minimize_anyof(gh_arena *a, const gnode *tree) {
    size_t nn = tree->nkids;
    for (size_t i = 0; i < nn; i++)
        if (tree->kids[i]->kind != G_PATTERN) return NULL;
    if (nn <= 1) return NULL;
    size_t idx = 0;
    for (size_t i = 1; i < nn; i++)
        if (tree->kids[i]->nkids < tree->kids[idx]->nkids) idx = i;
    const gnode *least = tree->kids[idx];
    long tl = least->nkids;
    size_t ncl = 0, last_right = (size_t)tl;
    bool break_l = false, break_r = false;
    long total = 0;
    for (long i = 0, j = tl - 1; total < tl && j >= 0 && !(break_l && break_r); i++, j--) {
        const gnode *tleft = least->kids[i], *tright = least->kids[j];
        for (size_t k = 0; k < nn && !(break_l && break_r); k++) {
            if (k == idx) continue;
            const gnode *o = tree->kids[k];
            break_l = break_l || !node_equal(tleft, o->kids[i]);
            break_r = break_r || (!break_l && j <= i);
            break_r = break_r || !node_equal(tright, o->kids[j + (long)o->nkids - tl]);
        }
        if (!break_l) {
            total++;
            ncl++;
        }
        if (!break_r) {
            total++;
            last_right = (size_t)j;
        }
    }
    size_t ncr = (size_t)tl - last_right;
    if (ncl == 0 && ncr == 0) return NULL;
    gnode *result[3];
    size_t nres = 0;
    if (ncl && !(result[nres++] = pattern_of(a, least->kids, ncl))) return NULL;
    gnode **alts = gh_arena_alloc(a, nn * sizeof *alts);
    if (!alts) return NULL;
    size_t nalts = 0;
    for (size_t k = 0; k < nn; k++) {
        const gnode *ch = tree->kids[k];
        size_t nreuse = ch->nkids - ncl - ncr;
        gnode *node = nreuse == 0 ? rego_glob_node(a, G_NOTHING, NULL)
                                  : pattern_of(a, ch->kids + ncl, nreuse);
        if (!node) return NULL;
        bool dup = false;
        for (size_t q = 0; q < nalts && !dup; q++)
            dup = node_equal(alts[q], node);
        if (!dup) alts[nalts++] = node;
    }
    if (nalts == 1 && alts[0]->kind != G_NOTHING) {
        result[nres++] = alts[0];
    } else if (nalts > 1) {
        gnode *any = rego_glob_node(a, G_ANYOF, NULL);
        if (!any) return NULL;
        any->kids = alts;
        any->nkids = any->capkids = (uint32_t)nalts;
        result[nres++] = any;
    }
    if (ncr && !(result[nres++] = pattern_of(a, least->kids + last_right, ncr))) return NULL;
    return pattern_of(a, result, nres);
}

static gm *compile(cctx *c, const gnode *t, int depth);

static mlist compile_children(cctx *c, const gnode *t, int depth) {
    mlist l = {gh_arena_alloc(c->a, (t->nkids ? t->nkids : 1) * sizeof(gm *)), 0};
    if (!l.v) return l;
    for (uint32_t i = 0; i < t->nkids; i++) {
        gm *m = optimize(c, compile(c, t->kids[i], depth + 1));
        if (!m) {
            l.v = NULL;
            return l;
        }
        l.v[l.n++] = m;
    }
    return l;
}

static gm *compile(cctx *c, const gnode *t, int depth) {
    gm *m = NULL;
    if (depth > MAX_TREE_DEPTH) {
        c->too_big = true;
        return NULL;
    }
    switch (t->kind) {
    case G_ANYOF: {
        gnode *n = minimize_anyof(c->a, t);
        if (n) return compile(c, n, depth + 1);
        mlist l = compile_children(c, t, depth);
        if (!l.v || !(m = mk(c, M_ANYOF))) return NULL;
        m->subs = l.v;
        m->nsubs = l.n;
        return m;
    }
    case G_PATTERN: {
        if (t->nkids == 0) return mk(c, M_NOTHING);
        if (t->nkids > MAX_LEVEL_MATCHERS) {
            c->too_big = true;
            return NULL;
        }
        mlist l = compile_children(c, t, depth);
        if (!l.v) return NULL;
        l = minimize(c, l);
        m = compile_list(c, l.v, l.n);
        break;
    }
    case G_ANY:
    case G_SINGLE:
        if ((m = mk(c, t->kind == G_ANY ? M_ANY : M_SINGLE))) {
            m->runes = c->seps;
            m->nrunes = c->nseps;
        }
        break;
    case G_SUPER: m = mk(c, M_SUPER); break;
    case G_NOTHING: m = mk(c, M_NOTHING); break;
    case G_LIST:
        if ((m = mk(c, M_LIST))) {
            m->runes = t->r;
            m->nrunes = t->n;
            m->not = t->not ;
        }
        break;
    case G_RANGE:
        if ((m = mk(c, M_RANGE))) {
            m->lo = t->lo;
            m->hi = t->hi;
            m->not = t->not ;
        }
        break;
    case G_TEXT: {
        size_t len;
        char *s = runes_str(c, t->r, t->n, &len);
        m = s ? mk_text(c, s, len) : NULL;
        break;
    }
    }
    return optimize(c, m);
}

gm *rego_glob_gobwas_compile(gh_arena *a, const gnode *root, const uint32_t *seps, size_t nseps) {
    cctx c = {a, seps, nseps, false};
    gm *m = compile(&c, root, 0);
    return c.too_big ? NULL : m;
}
