/* glob_gobwas.c - OPA's glob.match answers come from the matcher tree that
 * github.com/gobwas/glob v0.2.3 builds (compiler + match packages), whose
 * optimisations change results in corner cases: a lone '?' or [!x] matches
 * "", {..} alternatives report wrong lengths, multi-byte runes inside fixed
 * rows fail, several delimiters are searched as one substring, etc. This
 * file re-implements that compiler and those matchers step by step (our own
 * code, same decisions) so gatehouse gives the same answers. Called by
 * glob.c, which falls back to its exact NFA when the step budget runs out
 * (the library's matching can be exponential) or the pattern is too big.
 * Offsets are bytes, lengths of matchers are runes, as in the original. */
#include <string.h>

#include "glob_int.h"
#include "strutil.h"

#define MAX_LEVEL_MATCHERS 64  /* minimizeMatchers is O(n^4); beyond this use the NFA */
#define MAX_TREE_DEPTH 64
#define STEP_BUDGET 4000000L

enum {
    M_ANY, M_ANYOF, M_BTREE, M_CONTAINS, M_EVERYOF, M_LIST, M_MAX, M_MIN, M_NOTHING, M_PREFIX,
    M_PREFIX_ANY, M_PREFIX_SUFFIX, M_RANGE, M_ROW, M_SINGLE, M_SUFFIX, M_SUFFIX_ANY, M_SUPER,
    M_TEXT,
};

struct gm {
    int type;
    const uint32_t *runes; /* separators (ANY, SINGLE, *_ANY) or LIST chars */
    size_t nrunes;
    bool not;
    uint32_t lo, hi;
    int limit;             /* MIN / MAX */
    const char *s1, *s2;   /* TEXT/CONTAINS/PREFIX/SUFFIX text; PREFIX_SUFFIX prefix, suffix */
    size_t n1, n2;
    int runes_len;         /* TEXT rune count, ROW length */
    gm **subs;             /* ANYOF, EVERYOF, ROW */
    size_t nsubs;
    gm *value, *left, *right; /* BTREE */
    int vlen, llen, rlen, len;
};

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

/* ---- Go string helpers --------------------------------------------------------- */

static int rune_len(int32_t r) {
    if (r < 0) return -1;
    if (r < 0x80) return 1;
    if (r < 0x800) return 2;
    if (r >= 0xD800 && r <= 0xDFFF) return -1;
    if (r < 0x10000) return 3;
    if (r <= 0x10FFFF) return 4;
    return -1;
}

static int32_t dec(const char *s, size_t n, int *w) {
    if (n == 0) {
        *w = 0;
        return RB_RUNE_ERROR;
    }
    return rb_u8_decode(s, n, w);
}

static long go_index(const char *s, size_t n, const char *sub, size_t m) {
    if (m == 0) return 0;
    if (m > n) return -1;
    const char *p = memmem(s, n, sub, m);
    return p ? (long)(p - s) : -1;
}

static long go_last_index(const char *s, size_t n, const char *sub, size_t m) {
    if (m == 0) return (long)n;
    if (m > n) return -1;
    for (size_t i = n - m + 1; i-- > 0;)
        if (memcmp(s + i, sub, m) == 0) return (long)i;
    return -1;
}

/* strings.IndexRune */
static long go_index_rune(const char *s, size_t n, uint32_t r) {
    if (r == RB_RUNE_ERROR) {
        for (size_t i = 0; i < n;) {
            int w;
            if (rb_u8_decode(s + i, n - i, &w) == RB_RUNE_ERROR) return (long)i;
            i += (size_t)w;
        }
        return -1;
    }
    char enc[4];
    int w = rb_u8_encode((int32_t)r, enc);
    return go_index(s, n, enc, (size_t)w);
}

/* util/strings.IndexAnyRunes: the first listed separator found, not the leftmost. */
static long index_any_runes(const char *s, size_t n, const uint32_t *rs, size_t nr) {
    for (size_t k = 0; k < nr; k++) {
        long i = go_index_rune(s, n, rs[k]);
        if (i != -1) return i;
    }
    return -1;
}

static bool has_rune(const uint32_t *rs, size_t nr, uint32_t r) {
    for (size_t k = 0; k < nr; k++)
        if (rs[k] == r) return true;
    return false;
}

static size_t count_runes(const char *s, size_t n) { return rb_u8_count(s, n); }

/* ---- segments ------------------------------------------------------------------- */

typedef struct {
    long *v;
    size_t n, cap;
    bool oom;
} segs;

static void sg_push(segs *g, long x) {
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 8;
        long *nv = gh_realloc(g->v, nc * sizeof *nv);
        if (!nv) {
            g->oom = true;
            return;
        }
        g->v = nv;
        g->cap = nc;
    }
    g->v[g->n++] = x;
}

static void sg_free(segs *g) {
    gh_free(g->v);
    g->v = NULL;
    g->n = g->cap = 0;
}

/* appendMerge of two sorted, unique lists into t. */
static void sg_merge(segs *t, const segs *b) {
    segs out = {0};
    size_t x = 0, y = 0;
    while (x < t->n || y < b->n) {
        if (x >= t->n) sg_push(&out, b->v[y++]);
        else if (y >= b->n) sg_push(&out, t->v[x++]);
        else if (t->v[x] == b->v[y]) {
            sg_push(&out, t->v[x]);
            x++;
            y++;
        } else if (t->v[x] < b->v[y]) sg_push(&out, t->v[x++]);
        else sg_push(&out, b->v[y++]);
    }
    if (out.oom) t->oom = true;
    sg_free(t);
    *t = out;
}

/* ---- matching --------------------------------------------------------------------- */

typedef struct {
    long budget;
    bool fault, oom, out_of_steps;
} mctx;

static int m_len(const gm *m) {
    switch (m->type) {
    case M_ANYOF: {
        int l = -1; /* the library's loop: a leading -1 is taken as "unset" */
        for (size_t i = 0; i < m->nsubs; i++) {
            int ml = m_len(m->subs[i]);
            if (l == -1) {
                l = ml;
                continue;
            }
            if (ml == -1 || l != ml) return -1;
        }
        return l;
    }
    case M_BTREE: return m->len;
    case M_EVERYOF: return m->nsubs ? -1 : 0; /* its Len never gets past l == 0 */
    case M_LIST:
    case M_RANGE:
    case M_SINGLE: return 1;
    case M_NOTHING: return 0;
    case M_ROW:
    case M_TEXT: return m->runes_len;
    default: return -1;
    }
}

static bool charge(mctx *c, size_t n) {
    c->budget -= 1 + (long)(n / 32);
    if (c->budget < 0) c->out_of_steps = true;
    return !(c->out_of_steps || c->fault || c->oom);
}

static bool m_match(mctx *c, const gm *m, const char *s, size_t n);
static long m_index(mctx *c, const gm *m, const char *s, size_t n, segs *out);

/* Every rune start of s[0..n) plus n, each offset by base. */
static void all_starts(segs *out, const char *s, size_t n, long base) {
    for (size_t i = 0; i < n;) {
        int w;
        rb_u8_decode(s + i, n - i, &w);
        sg_push(out, base + (long)i);
        i += (size_t)w;
    }
    sg_push(out, base + (long)n);
}

static bool row_match_all(mctx *c, const gm *m, const char *s, size_t n) {
    size_t idx = 0;
    for (size_t k = 0; k < m->nsubs; k++) {
        int length = m_len(m->subs[k]);
        size_t next = 0;
        int i = 0;
        for (size_t pos = idx; pos < n;) {
            int w;
            rb_u8_decode(s + pos, n - pos, &w);
            next = pos - idx;
            i++;
            if (i == length) break;
            pos += (size_t)w;
        }
        if (i < length) return false;
        if (idx + next + 1 > n) { /* gobwas/glob panics: slice bounds out of range */
            c->fault = true;
            return false;
        }
        if (!m_match(c, m->subs[k], s + idx, next + 1)) return false;
        idx += next + 1;
    }
    return true;
}

static bool btree_match(mctx *c, const gm *m, const char *s, size_t n) {
    long input = (long)n;
    if (m->len != -1 && m->len > input) return false;
    long offset = m->llen >= 0 ? m->llen : 0;
    long limit = m->rlen >= 0 ? input - m->rlen : input;
    while (offset < limit) {
        segs sg = {0};
        long index = m_index(c, m->value, s + offset, (size_t)(limit - offset), &sg);
        if (index == -1 || sg.oom) {
            c->oom |= sg.oom;
            sg_free(&sg);
            return false;
        }
        long at = offset + index;
        bool left = m->left ? m_match(c, m->left, s, (size_t)at) : at == 0;
        if (left) {
            for (size_t i = sg.n; i-- > 0;) {
                long start = at + sg.v[i];
                size_t rn = input <= start ? 0 : (size_t)(input - start);
                const char *r = input <= start ? s + n : s + start;
                bool right = m->right ? m_match(c, m->right, r, rn) : rn == 0;
                if (right) {
                    sg_free(&sg);
                    return true;
                }
            }
        }
        sg_free(&sg);
        if (c->fault || c->oom || c->out_of_steps) return false;
        int step;
        dec(s + at, n - (size_t)at, &step);
        offset = at + step;
    }
    return false;
}

static bool m_match(mctx *c, const gm *m, const char *s, size_t n) {
    if (!charge(c, n)) return false;
    int w;
    switch (m->type) {
    case M_ANY: return index_any_runes(s, n, m->runes, m->nrunes) == -1;
    case M_ANYOF:
        for (size_t i = 0; i < m->nsubs; i++)
            if (m_match(c, m->subs[i], s, n)) return true;
        return false;
    case M_BTREE: return btree_match(c, m, s, n);
    case M_CONTAINS: return (go_index(s, n, m->s1, m->n1) != -1) != m->not;
    case M_EVERYOF:
        for (size_t i = 0; i < m->nsubs; i++)
            if (!m_match(c, m->subs[i], s, n)) return false;
        return true;
    case M_LIST: {
        int32_t r = dec(s, n, &w);
        if (n > (size_t)w) return false;
        return has_rune(m->runes, m->nrunes, (uint32_t)r) == !m->not;
    }
    case M_RANGE: {
        int32_t r = dec(s, n, &w);
        if (n > (size_t)w) return false;
        return ((uint32_t)r >= m->lo && (uint32_t)r <= m->hi) == !m->not;
    }
    case M_SINGLE: {
        int32_t r = dec(s, n, &w);
        if (n > (size_t)w) return false;
        return !has_rune(m->runes, m->nrunes, (uint32_t)r);
    }
    case M_MAX: return count_runes(s, n) <= (size_t)m->limit;
    case M_MIN: { /* true once some prefix has limit runes: needs >= 1 rune */
        size_t cnt = count_runes(s, n);
        return cnt >= 1 && (long)cnt >= m->limit;
    }
    case M_NOTHING: return n == 0;
    case M_PREFIX: return n >= m->n1 && memcmp(s, m->s1, m->n1) == 0;
    case M_PREFIX_ANY:
        return n >= m->n1 && memcmp(s, m->s1, m->n1) == 0 &&
               index_any_runes(s + m->n1, n - m->n1, m->runes, m->nrunes) == -1;
    case M_PREFIX_SUFFIX:
        return n >= m->n1 && memcmp(s, m->s1, m->n1) == 0 && n >= m->n2 &&
               memcmp(s + n - m->n2, m->s2, m->n2) == 0;
    case M_ROW: {
        size_t cnt = count_runes(s, n);
        return cnt == (size_t)m->runes_len && row_match_all(c, m, s, n);
    }
    case M_SUFFIX: return n >= m->n1 && memcmp(s + n - m->n1, m->s1, m->n1) == 0;
    case M_SUFFIX_ANY:
        return n >= m->n1 && memcmp(s + n - m->n1, m->s1, m->n1) == 0 &&
               index_any_runes(s, n - m->n1, m->runes, m->nrunes) == -1;
    case M_SUPER: return true;
    case M_TEXT: return n == m->n1 && memcmp(s, m->s1, n) == 0;
    }
    return false;
}

/* util/strings.LastIndexAnyRunes, including its loop that searches the
 * whole string again for non-ASCII runes (and can slice out of range). */
static long last_index_any_runes(mctx *c, const char *s, size_t n, const uint32_t *rs, size_t nr) {
    for (size_t k = 0; k < nr; k++) {
        long i = -1;
        if (rs[k] < 0x80) {
            for (size_t j = n; j-- > 0;)
                if ((unsigned char)s[j] == rs[k]) {
                    i = (long)j;
                    break;
                }
        } else {
            size_t sub = n;
            while (sub > 0) {
                long j = go_index_rune(s, n, rs[k]);
                if (j == -1) break;
                i = j;
                if ((size_t)i + 1 > sub) {
                    c->fault = true;
                    return -1;
                }
                sub -= (size_t)i + 1;
            }
        }
        if (i != -1) return i;
    }
    return -1;
}

static long m_index(mctx *c, const gm *m, const char *s, size_t n, segs *out) {
    if (!charge(c, n)) return -1;
    switch (m->type) {
    case M_ANY: {
        long found = index_any_runes(s, n, m->runes, m->nrunes);
        if (found == 0) {
            sg_push(out, 0);
            return 0;
        }
        if (found > 0) n = (size_t)found;
        all_starts(out, s, n, 0);
        return 0;
    }
    case M_ANYOF: {
        long index = -1;
        for (size_t i = 0; i < m->nsubs; i++) {
            segs sg = {0};
            long idx = m_index(c, m->subs[i], s, n, &sg);
            if (idx != -1) {
                if (index == -1 || idx < index) {
                    index = idx;
                    out->n = 0;
                    for (size_t k = 0; k < sg.n; k++) sg_push(out, sg.v[k]);
                } else if (idx == index) {
                    sg_merge(out, &sg);
                }
            }
            sg_free(&sg);
        }
        return index;
    }
    case M_BTREE: return -1;
    case M_CONTAINS: {
        long offset = 0, idx = go_index(s, n, m->s1, m->n1);
        if (!m->not) {
            if (idx == -1) return -1;
            offset = idx + (long)m->n1;
            if ((long)n <= offset) {
                sg_push(out, offset);
                return 0;
            }
            s += offset;
            n -= (size_t)offset;
        } else if (idx != -1) {
            n = (size_t)idx;
        }
        all_starts(out, s, n, offset);
        return 0;
    }
    case M_EVERYOF: {
        long index = 0, offset = 0;
        segs current = {0};
        const char *sub = s;
        size_t subn = n;
        for (size_t i = 0; i < m->nsubs; i++) {
            segs sg = {0};
            long idx = m_index(c, m->subs[i], sub, subn, &sg);
            if (idx == -1) {
                sg_free(&sg);
                sg_free(&current);
                return -1;
            }
            if (i == 0) {
                sg_free(&current);
                current = sg;
            } else {
                segs next = {0};
                long delta = index - (idx + offset);
                for (size_t a = 0; a < current.n; a++)
                    for (size_t b = 0; b < sg.n; b++)
                        if (current.v[a] + delta == sg.v[b]) sg_push(&next, sg.v[b]);
                sg_free(&sg);
                sg_free(&current);
                if (next.n == 0) {
                    sg_free(&next);
                    return -1;
                }
                current = next;
            }
            index = idx + offset;
            sub = s + index;
            subn = n - (size_t)index;
            offset += idx;
        }
        for (size_t k = 0; k < current.n; k++) sg_push(out, current.v[k]);
        sg_free(&current);
        return index;
    }
    case M_LIST:
    case M_RANGE:
    case M_SINGLE:
        for (size_t i = 0; i < n;) {
            int w;
            int32_t r = rb_u8_decode(s + i, n - i, &w);
            bool hit;
            if (m->type == M_LIST)
                hit = m->not == !has_rune(m->runes, m->nrunes, (uint32_t)r);
            else if (m->type == M_RANGE)
                hit = m->not != ((uint32_t)r >= m->lo && (uint32_t)r <= m->hi);
            else
                hit = !has_rune(m->runes, m->nrunes, (uint32_t)r);
            if (hit) {
                sg_push(out, rune_len(r));
                return (long)i;
            }
            i += (size_t)w;
        }
        return -1;
    case M_MAX: {
        sg_push(out, 0);
        int count = 0;
        for (size_t i = 0; i < n;) {
            int w;
            int32_t r = rb_u8_decode(s + i, n - i, &w);
            if (++count > m->limit) break;
            sg_push(out, (long)i + rune_len(r));
            i += (size_t)w;
        }
        return 0;
    }
    case M_MIN: {
        if ((long)n - m->limit + 1 <= 0) return -1;
        int count = 0;
        for (size_t i = 0; i < n;) {
            int w;
            int32_t r = rb_u8_decode(s + i, n - i, &w);
            if (++count >= m->limit) sg_push(out, (long)i + rune_len(r));
            i += (size_t)w;
        }
        return out->n ? 0 : -1;
    }
    case M_NOTHING: sg_push(out, 0); return 0;
    case M_PREFIX:
    case M_PREFIX_ANY: {
        long idx = go_index(s, n, m->s1, m->n1);
        if (idx == -1) return -1;
        long len = (long)m->n1;
        const char *sub = s + idx + len;
        size_t subn = n - (size_t)(idx + len);
        if (m->type == M_PREFIX_ANY) {
            long i = index_any_runes(sub, subn, m->runes, m->nrunes);
            if (i > -1) subn = (size_t)i;
        }
        sg_push(out, len);
        for (size_t i = 0; i < subn;) {
            int w;
            int32_t r = rb_u8_decode(sub + i, subn - i, &w);
            sg_push(out, len + (long)i + rune_len(r));
            i += (size_t)w;
        }
        return idx;
    }
    case M_PREFIX_SUFFIX: {
        long pidx = go_index(s, n, m->s1, m->n1);
        if (pidx == -1) return -1;
        if (m->n2 == 0) {
            sg_push(out, (long)n - pidx);
            return pidx;
        }
        if ((long)n - pidx <= 0) return -1;
        size_t subn = n - (size_t)pidx;
        for (;;) {
            long sidx = go_last_index(s + pidx, subn, m->s2, m->n2);
            if (sidx == -1) break;
            sg_push(out, sidx + (long)m->n2);
            subn = (size_t)sidx;
        }
        if (out->n == 0) return -1;
        for (size_t i = 0, j = out->n - 1; i < j; i++, j--) {
            long t = out->v[i];
            out->v[i] = out->v[j];
            out->v[j] = t;
        }
        return pidx;
    }
    case M_ROW:
        for (size_t i = 0; i < n;) {
            int w;
            rb_u8_decode(s + i, n - i, &w);
            if ((long)(n - i) < m->runes_len) break;
            if (row_match_all(c, m, s + i, n - i)) {
                sg_push(out, m->runes_len);
                return (long)i;
            }
            if (c->fault) return -1;
            i += (size_t)w;
        }
        return -1;
    case M_SUFFIX: {
        long idx = go_index(s, n, m->s1, m->n1);
        if (idx == -1) return -1;
        sg_push(out, idx + (long)m->n1);
        return 0;
    }
    case M_SUFFIX_ANY: {
        long idx = go_index(s, n, m->s1, m->n1);
        if (idx == -1) return -1;
        long i = last_index_any_runes(c, s, (size_t)idx, m->runes, m->nrunes) + 1;
        if (c->fault) return -1;
        sg_push(out, idx + (long)m->n1 - i);
        return i;
    }
    case M_SUPER: all_starts(out, s, n, 0); return 0;
    case M_TEXT: {
        long idx = go_index(s, n, m->s1, m->n1);
        if (idx == -1) return -1;
        sg_push(out, (long)m->n1);
        return idx;
    }
    }
    return -1;
}

int rego_glob_gobwas_match(const gm *m, const char *s, size_t n) {
    mctx c = {STEP_BUDGET, false, false, false};
    bool r = m_match(&c, m, s, n);
    if (c.oom) return GH_ENOMEM;
    if (c.fault) return -2;
    if (c.out_of_steps) return -1;
    return r ? 1 : 0;
}

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
    m->runes_len = (int)count_runes(s, n);
    return m;
}

static gm *mk_btree(cctx *c, gm *value, gm *left, gm *right) {
    gm *m = mk(c, M_BTREE);
    if (!m) return NULL;
    m->value = value;
    m->left = left;
    m->right = right;
    bool ok = true;
    if ((m->vlen = m_len(value)) == -1) ok = false;
    if (left && (m->llen = m_len(left)) == -1) ok = false;
    if (right && (m->rlen = m_len(right)) == -1) ok = false;
    m->len = ok ? m->llen + m->vlen + m->rlen : -1;
    return m;
}

static char *runes_str(cctx *c, const uint32_t *r, size_t n, size_t *len) {
    char *s = gh_arena_alloc(c->a, n * 4 + 1);
    if (!s) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += (size_t)rb_u8_encode((int32_t)r[i], s + k);
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
        if (!m->not && m->nrunes == 1) {
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

static gm *glue_every(cctx *c, gm *const *v, size_t n) {
    if (n <= 1) return NULL;
    bool any = false, super = false, single = false;
    int min = 0;
    const uint32_t *sep0 = NULL;
    size_t nsep0 = 0;
    for (size_t i = 0; i < n; i++) {
        const uint32_t *sep;
        size_t nsep;
        switch (v[i]->type) {
        case M_SUPER: sep = NULL; nsep = 0; super = true; break;
        case M_ANY: sep = v[i]->runes; nsep = v[i]->nrunes; any = true; break;
        case M_SINGLE: sep = v[i]->runes; nsep = v[i]->nrunes; single = true; min++; break;
        case M_LIST:
            if (!v[i]->not) return NULL;
            sep = v[i]->runes;
            nsep = v[i]->nrunes;
            single = true;
            min++;
            break;
        default: return NULL;
        }
        if (i == 0) {
            sep0 = sep;
            nsep0 = nsep;
        }
        if (!runes_equal(sep, nsep, sep0, nsep0)) return NULL;
    }
    gm *m;
    if (super && !any && !single) return mk(c, M_SUPER);
    if (any && !super && !single) {
        if ((m = mk(c, M_ANY))) m->runes = sep0, m->nrunes = nsep0;
        return m;
    }
    if ((any || super) && min > 0 && nsep0 == 0) {
        if ((m = mk(c, M_MIN))) m->limit = min;
        return m;
    }
    gm *every = mk(c, M_EVERYOF), *parts[3];
    size_t np = 0;
    if (!every) return NULL;
    if (min > 0) {
        if (!(parts[np] = mk(c, M_MIN))) return NULL;
        parts[np++]->limit = min;
        if (!any && !super) {
            if (!(parts[np] = mk(c, M_MAX))) return NULL;
            parts[np++]->limit = min;
        }
    }
    if (nsep0 > 0) {
        gm *ct = mk(c, M_CONTAINS);
        if (!ct || !(ct->s1 = runes_str(c, sep0, nsep0, &ct->n1))) return NULL;
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
        int ml = m_len(v[i]);
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

static mlist minimize(cctx *c, mlist in) {
    for (;;) {
        gm *done = NULL;
        size_t left = 0, right = 0, count = 0;
        for (size_t l = 0; l < in.n; l++)
            for (size_t r = in.n; r > l; r--) {
                gm *g = glue(c, in.v + l, r - l);
                if (!g) continue;
                bool swap;
                if (!done) {
                    swap = true;
                } else {
                    int cl = m_len(done), gl = m_len(g);
                    swap = (cl > -1 && gl > -1 && gl > cl) || count < r - l;
                }
                if (swap) {
                    done = g;
                    left = l;
                    right = r;
                    count = r - l;
                }
            }
        if (!done) return in;
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
        int l = m_len(v[i]);
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
        if (a->kind == G_LIST && a->not != b->not) return false;
    }
    if (a->kind == G_RANGE && (a->lo != b->lo || a->hi != b->hi || a->not != b->not)) return false;
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
        for (size_t q = 0; q < nalts && !dup; q++) dup = node_equal(alts[q], node);
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
            m->not = t->not;
        }
        break;
    case G_RANGE:
        if ((m = mk(c, M_RANGE))) {
            m->lo = t->lo;
            m->hi = t->hi;
            m->not = t->not;
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
