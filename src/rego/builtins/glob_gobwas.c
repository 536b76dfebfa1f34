/* glob_gobwas.c - OPA's glob.match answers come from the matcher tree that
 * github.com/gobwas/glob v0.2.3 builds (compiler + match packages), whose
 * optimisations change results in corner cases: a lone '?' or [!x] matches
 * "", {..} alternatives report wrong lengths, multi-byte runes inside fixed
 * rows fail, several delimiters are searched as one substring, etc. This
 * file re-implements its matchers (Match/Index/Len) step by step, our own
 * code with the same decisions; glob_gobwas_compile.c builds the tree.
 * Called by glob.c, which falls back to its exact NFA when the step budget
 * runs out (the library's matching can be exponential). Offsets are bytes,
 * lengths of matchers are runes, as in the original. */
#include <string.h>

#include "glob_int.h"
#include "strutil.h"

#define STEP_BUDGET 200000L /* work units; beyond, glob.c uses its NFA */

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

/* Segment lists: a few inline slots (most indexes report one or two
 * lengths), then the heap. Never copy a segs by value; use sg_take. */
#define SG_INLINE 6
typedef struct {
    long *v; /* small or heap */
    size_t n, cap;
    bool oom;
    long small[SG_INLINE];
} segs;

static void sg_init(segs *g) {
    g->v = g->small;
    g->n = 0;
    g->cap = SG_INLINE;
    g->oom = false;
}

static void sg_push(segs *g, long x) {
    if (g->n == g->cap) {
        size_t nc = g->cap * 2;
        long *nv = gh_malloc(nc * sizeof *nv);
        if (!nv) {
            g->oom = true;
            return;
        }
        memcpy(nv, g->v, g->n * sizeof *nv);
        if (g->v != g->small) gh_free(g->v);
        g->v = nv;
        g->cap = nc;
    }
    g->v[g->n++] = x;
}

static void sg_free(segs *g) {
    if (g->v != g->small) gh_free(g->v);
    sg_init(g);
}

/* Move src's contents into dst (dst's old contents are dropped). */
static void sg_take(segs *dst, segs *src) {
    dst->n = 0;
    for (size_t i = 0; i < src->n; i++)
        sg_push(dst, src->v[i]);
    if (src->oom) dst->oom = true;
    sg_free(src);
}

/* appendMerge of two sorted, unique lists into t. */
static void sg_merge(segs *t, const segs *b) {
    segs out;
    sg_init(&out);
    size_t x = 0, y = 0;
    while (x < t->n || y < b->n) {
        if (x >= t->n)
            sg_push(&out, b->v[y++]);
        else if (y >= b->n)
            sg_push(&out, t->v[x++]);
        else if (t->v[x] == b->v[y]) {
            sg_push(&out, t->v[x]);
            x++;
            y++;
        } else if (t->v[x] < b->v[y])
            sg_push(&out, t->v[x++]);
        else
            sg_push(&out, b->v[y++]);
    }
    sg_take(t, &out);
}

/* ---- matching --------------------------------------------------------------------- */

typedef struct {
    long budget;
    bool fault, oom, out_of_steps;
} mctx;

int rego_glob_m_len(const gm *m) {
    switch (m->type) {
    case M_ANYOF: {
        int l = -1; /* the library's loop: a leading -1 is taken as "unset" */
        for (size_t i = 0; i < m->nsubs; i++) {
            int ml = rego_glob_m_len(m->subs[i]);
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
    c->budget -= 1 + (long)(n / 8);
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
        int length = rego_glob_m_len(m->subs[k]);
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
        segs sg;
        sg_init(&sg);
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
    case M_CONTAINS: return (go_index(s, n, m->s1, m->n1) != -1) != m->not ;
    case M_EVERYOF:
        for (size_t i = 0; i < m->nsubs; i++)
            if (!m_match(c, m->subs[i], s, n)) return false;
        return true;
    case M_LIST: {
        int32_t r = dec(s, n, &w);
        if (n > (size_t)w) return false;
        return has_rune(m->runes, m->nrunes, (uint32_t)r) == !m->not ;
    }
    case M_RANGE: {
        int32_t r = dec(s, n, &w);
        if (n > (size_t)w) return false;
        return ((uint32_t)r >= m->lo && (uint32_t)r <= m->hi) == !m->not ;
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
            segs sg;
            sg_init(&sg);
            long idx = m_index(c, m->subs[i], s, n, &sg);
            if (idx != -1) {
                if (index == -1 || idx < index) {
                    index = idx;
                    out->n = 0;
                    for (size_t k = 0; k < sg.n; k++)
                        sg_push(out, sg.v[k]);
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
        if (!m->not ) {
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
        segs current;
        sg_init(&current);
        const char *sub = s;
        size_t subn = n;
        for (size_t i = 0; i < m->nsubs; i++) {
            segs sg;
            sg_init(&sg);
            long idx = m_index(c, m->subs[i], sub, subn, &sg);
            if (idx == -1) {
                sg_free(&sg);
                sg_free(&current);
                return -1;
            }
            if (i == 0) {
                sg_take(&current, &sg);
            } else {
                segs next;
                sg_init(&next);
                long delta = index - (idx + offset);
                for (size_t a = 0; a < current.n; a++)
                    for (size_t b = 0; b < sg.n; b++)
                        if (current.v[a] + delta == sg.v[b]) sg_push(&next, sg.v[b]);
                sg_free(&sg);
                if (next.n == 0) {
                    sg_free(&next);
                    sg_free(&current);
                    return -1;
                }
                sg_take(&current, &next);
            }
            index = idx + offset;
            sub = s + index;
            subn = n - (size_t)index;
            offset += idx;
        }
        for (size_t k = 0; k < current.n; k++)
            sg_push(out, current.v[k]);
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
