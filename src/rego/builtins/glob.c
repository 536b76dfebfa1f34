/* glob.c - glob.match and glob.quote_meta with the semantics of
 * github.com/gobwas/glob v0.2.3 as OPA uses it: the same lexer and parser
 * (including their corner cases and error messages), then a compiled
 * matcher: the pattern becomes a small NFA over runes ('*' = any run of
 * non-delimiter runes, '**' = any run, '?' = one non-delimiter rune, [..]
 * and [!..] one rune, {a,b} alternatives) simulated set-wise, so matching
 * is O(len(text) * len(pattern)), never exponential. Compiled patterns are
 * kept in a small per-thread cache. Called through rego_bi_glob. */
#include <pthread.h>
#include <string.h>

#include "builtins.h"
#include "glob_int.h"
#include "strutil.h"

#define GLOB_CACHE 64      /* compiled globs kept per thread (direct-mapped) */
#define GLOB_MAX_DELIMS 64 /* more delimiters than this are looked up linearly anyway */

/* ---- lexer (gobwas/glob syntax/lexer) -------------------------------------------- */

enum {
    TK_EOF,
    TK_ERROR,
    TK_TEXT,
    TK_ANY,
    TK_SUPER,
    TK_SINGLE,
    TK_NOT,
    TK_SEPARATOR,
    TK_RANGE_OPEN,
    TK_RANGE_CLOSE,
    TK_RANGE_LO,
    TK_RANGE_BETWEEN,
    TK_RANGE_HI,
    TK_TERMS_OPEN,
    TK_TERMS_CLOSE,
};

typedef struct {
    int type;
    uint32_t *r; /* TK_TEXT runes, TK_RANGE_LO/HI one rune */
    size_t n;
} token;

typedef struct {
    const char *data;
    size_t len, pos;
    const char *err;
    token q[8]; /* pending tokens (one fetch queues at most 6) */
    int qh, qn;
    int terms;
    uint32_t last;
    int lastw;
    bool has;
    gh_arena *a;
    bool oom;
} lexer;

#define EOF_RUNE 0u /* the lexer's eof is rune 0, so a NUL ends or is skipped */

static uint32_t lx_peek(lexer *l, int *w) {
    if (l->pos >= l->len) {
        *w = 0;
        return EOF_RUNE;
    }
    int32_t r = rb_u8_decode(l->data + l->pos, l->len - l->pos, w);
    if (r == RB_RUNE_ERROR) { /* also a genuine U+FFFD, as utf8.RuneError compares */
        l->err = "could not read rune";
        *w = 0;
        return EOF_RUNE;
    }
    return (uint32_t)r;
}

static uint32_t lx_read(lexer *l) {
    if (l->has) {
        l->has = false;
        l->pos += (size_t)l->lastw;
        return l->last;
    }
    int w;
    uint32_t r = lx_peek(l, &w);
    l->pos += (size_t)w;
    l->last = r;
    l->lastw = w;
    return r;
}

static void lx_unread(lexer *l) {
    if (l->has) {
        l->err = "could not unread rune";
        return;
    }
    l->pos -= (size_t)l->lastw;
    l->has = true;
}

static void lx_push(lexer *l, int type, const uint32_t *r, size_t n) {
    token *t = &l->q[(l->qh + l->qn++) % 8];
    t->type = type;
    t->n = n;
    t->r = NULL;
    if (n) {
        t->r = gh_arena_alloc(l->a, n * sizeof *r);
        if (!t->r) {
            l->oom = true;
            return;
        }
        memcpy(t->r, r, n * sizeof *r);
    }
}

static bool in_list(uint32_t r, const char *brk) { return r < 0x80 && r && strchr(brk, (int)r); }

static void lx_text(lexer *l, const char *breakers) {
    size_t cap = 16, n = 0;
    uint32_t *data = gh_arena_alloc(l->a, cap * sizeof *data);
    bool esc = false;
    if (!data) {
        l->oom = true;
        return;
    }
    for (;;) {
        uint32_t r = lx_read(l);
        if (r == EOF_RUNE) break;
        if (!esc) {
            if (r == '\\') {
                esc = true;
                continue;
            }
            if (in_list(r, breakers)) {
                lx_unread(l);
                break;
            }
        }
        esc = false;
        if (n == cap) {
            uint32_t *nd = gh_arena_realloc(l->a, data, cap * sizeof *nd, cap * 2 * sizeof *nd);
            if (!nd) {
                l->oom = true;
                return;
            }
            data = nd;
            cap *= 2;
        }
        data[n++] = r;
    }
    if (n) lx_push(l, TK_TEXT, data, n);
}

static void lx_range(lexer *l) {
    bool want_hi = false, want_close = false, seen_not = false;
    for (;;) {
        uint32_t r = lx_read(l);
        if (r == EOF_RUNE) {
            l->err = "unexpected end of input";
            return;
        }
        if (want_close) {
            if (r != ']')
                l->err = "expected close range character";
            else
                lx_push(l, TK_RANGE_CLOSE, NULL, 0);
            return;
        }
        if (want_hi) {
            lx_push(l, TK_RANGE_HI, &r, 1);
            want_close = true;
            continue;
        }
        if (!seen_not && r == '!') {
            lx_push(l, TK_NOT, NULL, 0);
            seen_not = true;
            continue;
        }
        int w;
        if (lx_peek(l, &w) == '-') {
            l->pos += (size_t)w;
            lx_push(l, TK_RANGE_LO, &r, 1);
            lx_push(l, TK_RANGE_BETWEEN, NULL, 0);
            want_hi = true;
            continue;
        }
        lx_unread(l);
        lx_text(l, "]");
        want_close = true;
    }
}

static void lx_fetch(lexer *l) {
    uint32_t r = lx_read(l);
    if (r == EOF_RUNE) {
        lx_push(l, TK_EOF, NULL, 0);
    } else if (r == '{') {
        l->terms++;
        lx_push(l, TK_TERMS_OPEN, NULL, 0);
    } else if (r == ',' && l->terms > 0) {
        lx_push(l, TK_SEPARATOR, NULL, 0);
    } else if (r == '}' && l->terms > 0) {
        lx_push(l, TK_TERMS_CLOSE, NULL, 0);
        l->terms--;
    } else if (r == '[') {
        lx_push(l, TK_RANGE_OPEN, NULL, 0);
        lx_range(l);
    } else if (r == '?') {
        lx_push(l, TK_SINGLE, NULL, 0);
    } else if (r == '*') {
        if (lx_read(l) == '*') {
            lx_push(l, TK_SUPER, NULL, 0);
        } else {
            lx_unread(l);
            lx_push(l, TK_ANY, NULL, 0);
        }
    } else {
        lx_unread(l);
        lx_text(l, l->terms > 0 ? "?*[{}," : "?*[{");
    }
}

static token lx_next(lexer *l) {
    for (;;) {
        if (l->err || l->oom) return (token){TK_ERROR, NULL, 0};
        if (l->qn) {
            token t = l->q[l->qh];
            l->qh = (l->qh + 1) % 8;
            l->qn--;
            return t;
        }
        lx_fetch(l);
    }
}

/* ---- AST ------------------------------------------------------------------------ */

gnode *rego_glob_node(gh_arena *a, int kind, gnode *parent) {
    gnode *g = gh_arena_calloc(a, sizeof *g);
    if (!g) return NULL;
    g->kind = kind;
    g->parent = parent;
    if (parent) {
        if (parent->nkids == parent->capkids) {
            uint32_t nc = parent->capkids ? parent->capkids * 2 : 4;
            gnode **nk =
                gh_arena_realloc(a, parent->kids, parent->capkids * sizeof *nk, nc * sizeof *nk);
            if (!nk) return NULL;
            parent->kids = nk;
            parent->capkids = nc;
        }
        parent->kids[parent->nkids++] = g;
    }
    return g;
}

/* gobwas/glob syntax/ast Parse; errors are its messages. */
static int parse(gh_arena *a, const char *pat, size_t n, gnode **root, gh_buf *err) {
    lexer l;
    memset(&l, 0, sizeof l);
    l.data = pat;
    l.len = n;
    l.a = a;
    gnode *tree = rego_glob_node(a, G_PATTERN, NULL);
    *root = tree;
    if (!tree) return GH_ENOMEM;
    for (;;) {
        token t = lx_next(&l);
        if (l.oom) return GH_ENOMEM;
        switch (t.type) {
        case TK_EOF: return 0;
        case TK_ERROR: gh_buf_puts(err, l.err); return GH_EINVAL;
        case TK_TEXT: {
            gnode *g = rego_glob_node(a, G_TEXT, tree);
            if (!g) return GH_ENOMEM;
            g->r = t.r;
            g->n = t.n;
            break;
        }
        case TK_ANY:
        case TK_SUPER:
        case TK_SINGLE:
            if (!rego_glob_node(a,
                                t.type == TK_ANY     ? G_ANY
                                : t.type == TK_SUPER ? G_SUPER
                                                     : G_SINGLE,
                                tree))
                return GH_ENOMEM;
            break;
        case TK_TERMS_OPEN: {
            gnode *any = rego_glob_node(a, G_ANYOF, tree);
            if (!any || !(tree = rego_glob_node(a, G_PATTERN, any))) return GH_ENOMEM;
            break;
        }
        case TK_SEPARATOR:
            if (!(tree = rego_glob_node(a, G_PATTERN, tree->parent))) return GH_ENOMEM;
            break;
        case TK_TERMS_CLOSE: tree = tree->parent->parent; break;
        case TK_RANGE_OPEN: {
            bool not = false;
            uint32_t lo = 0, hi = 0;
            const uint32_t *chars = NULL;
            size_t nchars = 0;
            for (bool done = false; !done;) {
                token u = lx_next(&l);
                if (l.oom) return GH_ENOMEM;
                switch (u.type) {
                case TK_EOF: gh_buf_puts(err, "unexpected end"); return GH_EINVAL;
                case TK_ERROR: gh_buf_puts(err, l.err); return GH_EINVAL;
                case TK_NOT: not = true; break;
                case TK_RANGE_LO: lo = u.r[0]; break;
                case TK_RANGE_HI: {
                    hi = u.r[0];
                    if (hi < lo) {
                        char hs[4], ls[4];
                        int hw = rb_u8_encode((int32_t)hi, hs), lw = rb_u8_encode((int32_t)lo, ls);
                        gh_buf_printf(err, "hi character '%.*s' should be greater than lo '%.*s'",
                                      hw, hs, lw, ls);
                        return GH_EINVAL;
                    }
                    break;
                }
                case TK_TEXT:
                    chars = u.r;
                    nchars = u.n;
                    break;
                case TK_RANGE_CLOSE: {
                    bool is_range = lo != 0 && hi != 0, is_chars = nchars != 0;
                    if (is_chars == is_range) {
                        gh_buf_puts(err, "could not parse range");
                        return GH_EINVAL;
                    }
                    gnode *g = rego_glob_node(a, is_range ? G_RANGE : G_LIST, tree);
                    if (!g) return GH_ENOMEM;
                    g->not = not ;
                    g->lo = lo;
                    g->hi = hi;
                    g->r = (uint32_t *)chars;
                    g->n = nchars;
                    done = true;
                    break;
                }
                default: break; /* RangeBetween */
                }
            }
            break;
        }
        default: gh_buf_puts(err, "unexpected token"); return GH_EINVAL;
        }
    }
}

enum { I_CHAR, I_ANYNS, I_ANY1, I_LIST, I_RANGE, I_SPLIT, I_JMP, I_MATCH };

typedef struct {
    uint8_t op;
    bool not ;
    uint32_t x, y; /* rune / lo,hi / jump targets / list offset,len */
} inst;

typedef struct glob_prog {
    gh_arena arena; /* AST and gobwas matchers */
    gm *gobwas;     /* NULL when the pattern exceeds the port's bounds */
    inst *code;     /* the NFA: exact fallback */
    uint32_t n, cap;
    uint32_t *lists; /* runes of I_LIST instructions */
    uint32_t nlists, caplists;
    uint32_t *delims;
    uint32_t ndelims;
    bool oom;
} glob_prog;

static uint32_t emit(glob_prog *p, int op, uint32_t x, uint32_t y, bool not ) {
    if (p->n == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 32;
        inst *nn = gh_realloc(p->code, nc * sizeof *nn);
        if (!nn) {
            p->oom = true;
            return p->n;
        }
        p->code = nn;
        p->cap = nc;
    }
    p->code[p->n] = (inst){(uint8_t)op, not, x, y};
    return p->n++;
}

static void compile_node(glob_prog *p, const gnode *g) {
    if (p->oom) return;
    switch (g->kind) {
    case G_NOTHING: break;
    case G_PATTERN:
        for (uint32_t i = 0; i < g->nkids; i++)
            compile_node(p, g->kids[i]);
        break;
    case G_TEXT:
        for (size_t i = 0; i < g->n; i++)
            emit(p, I_CHAR, g->r[i], 0, false);
        break;
    case G_SINGLE: emit(p, I_ANYNS, 0, 0, false); break;
    case G_ANY:
    case G_SUPER: {
        uint32_t split = emit(p, I_SPLIT, 0, 0, false);
        emit(p, g->kind == G_ANY ? I_ANYNS : I_ANY1, 0, 0, false);
        emit(p, I_JMP, split, 0, false);
        if (!p->oom) {
            p->code[split].x = split + 1;
            p->code[split].y = p->n;
        }
        break;
    }
    case G_RANGE: emit(p, I_RANGE, g->lo, g->hi, g->not ); break;
    case G_LIST: {
        if (p->nlists + g->n > p->caplists) {
            uint32_t nc = (p->caplists + (uint32_t)g->n) * 2;
            uint32_t *nl = gh_realloc(p->lists, nc * sizeof *nl);
            if (!nl) {
                p->oom = true;
                return;
            }
            p->lists = nl;
            p->caplists = nc;
        }
        memcpy(p->lists + p->nlists, g->r, g->n * sizeof *g->r);
        emit(p, I_LIST, p->nlists, (uint32_t)g->n, g->not );
        p->nlists += (uint32_t)g->n;
        break;
    }
    case G_ANYOF: {
        /* SPLIT alt1, next; alt1...; JMP end; next: SPLIT alt2, ... last alt */
        uint32_t jmps_first = UINT32_MAX;
        for (uint32_t k = 0; k < g->nkids; k++) {
            bool more = k + 1 < g->nkids;
            uint32_t split = UINT32_MAX;
            if (more) split = emit(p, I_SPLIT, 0, 0, false);
            compile_node(p, g->kids[k]);
            if (more) {
                uint32_t j = emit(p, I_JMP, jmps_first, 0, false); /* chain of pending jumps */
                jmps_first = j;
                if (!p->oom) {
                    p->code[split].x = split + 1;
                    p->code[split].y = p->n;
                }
            }
        }
        while (jmps_first != UINT32_MAX && !p->oom) {
            uint32_t prev = p->code[jmps_first].x;
            p->code[jmps_first].x = p->n;
            jmps_first = prev;
        }
        break;
    }
    }
}

static void prog_free(glob_prog *p) {
    if (!p) return;
    gh_arena_free(&p->arena);
    gh_free(p->code);
    gh_free(p->lists);
    gh_free(p->delims);
    gh_free(p);
}

static int glob_compile(const char *pat, size_t n, const uint32_t *delims, size_t nd,
                        glob_prog **out, gh_buf *err) {
    glob_prog *p = gh_calloc(1, sizeof *p);
    if (!p) return GH_ENOMEM;
    gh_arena_init(&p->arena, 0);
    gnode *root;
    int rc = parse(&p->arena, pat, n, &root, err);
    if (!rc) {
        compile_node(p, root);
        emit(p, I_MATCH, 0, 0, false);
        p->delims = gh_malloc((nd ? nd : 1) * sizeof *delims);
        if (!p->delims)
            p->oom = true;
        else if (nd)
            memcpy(p->delims, delims, nd * sizeof *delims);
        p->ndelims = (uint32_t)nd;
        if (!p->oom) p->gobwas = rego_glob_gobwas_compile(&p->arena, root, p->delims, nd);
        if (p->oom || p->arena.oom) rc = GH_ENOMEM;
    } else if (p->arena.oom) {
        rc = GH_ENOMEM;
    }
    if (rc) {
        prog_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ---- matching: set-wise NFA simulation ------------------------------------------------- */

typedef struct {
    uint32_t *dense, *sparse, n;
} sset;

static bool is_delim(const glob_prog *p, uint32_t r) {
    for (uint32_t i = 0; i < p->ndelims; i++)
        if (p->delims[i] == r) return true;
    return false;
}

static void add_state(const glob_prog *p, sset *s, uint32_t pc, uint32_t *stack) {
    uint32_t sp = 0;
    stack[sp++] = pc;
    while (sp) {
        pc = stack[--sp];
        if (s->sparse[pc] < s->n && s->dense[s->sparse[pc]] == pc) continue;
        s->sparse[pc] = s->n;
        s->dense[s->n++] = pc;
        const inst *in = &p->code[pc];
        if (in->op == I_JMP) {
            stack[sp++] = in->x;
        } else if (in->op == I_SPLIT) {
            stack[sp++] = in->y;
            stack[sp++] = in->x;
        }
    }
}

static bool step_ok(const glob_prog *p, const inst *in, uint32_t r) {
    switch (in->op) {
    case I_CHAR: return in->x == r;
    case I_ANYNS: return !is_delim(p, r);
    case I_ANY1: return true;
    case I_RANGE: return (r >= in->x && r <= in->y) != in->not ;
    case I_LIST: {
        bool found = false;
        for (uint32_t i = 0; i < in->y && !found; i++)
            found = p->lists[in->x + i] == r;
        return found != in->not ;
    }
    default: return false;
    }
}

static int glob_run(const glob_prog *p, const char *s, size_t n, bool *matched) {
    /* two sparse sets (dense + sparse arrays) and the closure stack, which
     * holds at most one entry plus two per newly added state */
    uint32_t local[6 * 128 + 2], *mem = local;
    size_t need = (size_t)p->n * 6 + 2;
    if (p->n > 128 && !(mem = gh_calloc(need, sizeof *mem))) return GH_ENOMEM;
    if (mem == local) memset(local, 0, need * sizeof *mem);
    sset cur = {mem, mem + p->n, 0}, nxt = {mem + 2 * p->n, mem + 3 * p->n, 0};
    uint32_t *stack = mem + 4 * p->n;
    add_state(p, &cur, 0, stack);
    for (size_t i = 0; i < n && cur.n;) {
        int w;
        uint32_t r = (uint32_t)rb_u8_decode(s + i, n - i, &w);
        i += (size_t)w;
        nxt.n = 0;
        for (uint32_t k = 0; k < cur.n; k++) {
            uint32_t pc = cur.dense[k];
            if (step_ok(p, &p->code[pc], r)) add_state(p, &nxt, pc + 1, stack);
        }
        sset t = cur;
        cur = nxt;
        nxt = t;
    }
    *matched = false;
    for (uint32_t k = 0; k < cur.n; k++)
        if (p->code[cur.dense[k]].op == I_MATCH) *matched = true;
    if (mem != local) gh_free(mem);
    return 0;
}

/* ---- per-thread cache ------------------------------------------------------------------- */

typedef struct {
    char *key; /* pattern bytes, then delimiter runes */
    size_t keyn;
    uint64_t hash;
    glob_prog *prog;
} gcache_ent;

typedef struct {
    gcache_ent e[GLOB_CACHE];
} gcache;

static pthread_once_t gc_once = PTHREAD_ONCE_INIT;
static pthread_key_t gc_key;
static __thread gcache *t_gcache;

static void gcache_free(void *v) {
    gcache *c = v;
    if (!c) return;
    for (int i = 0; i < GLOB_CACHE; i++) {
        gh_free(c->e[i].key);
        prog_free(c->e[i].prog);
    }
    gh_free(c);
}

static void gc_init(void) { pthread_key_create(&gc_key, gcache_free); }

static gcache *gcache_get(void) {
    if (t_gcache) return t_gcache;
    pthread_once(&gc_once, gc_init);
    gcache *c = gh_calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_setspecific(gc_key, c);
    t_gcache = c;
    return c;
}

/* ---- builtins --------------------------------------------------------------------------- */

static int bi_glob_match(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *pat, *s;
    size_t pn, sn;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &pat, &pn))) return rc;
    uint32_t dl[GLOB_MAX_DELIMS], *delims = dl;
    size_t nd = 0;
    val_t *d = args[1];
    if (val_kind_of(d) == VAL_ARRAY) {
        size_t len = val_arr_len(d);
        if (len > GLOB_MAX_DELIMS && !(delims = gh_arena_alloc(c->a, len * sizeof *delims)))
            return rb_oom(c);
        for (size_t i = 0; i < len; i++) {
            val_t *e = val_arr_at(d, i);
            if (!val_is_str(e))
                return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                                  "operand 2 must be array of strings but got array containing %s",
                                  val_kind_name(val_kind_of(e)));
            int w;
            size_t en = val_str_len(e);
            int32_t r = en ? rb_u8_decode(val_str_ptr(e), en, &w) : 0;
            if (en == 0 || (size_t)w != en)
                return gh_err_set(
                    c->err, GH_ETYPE, NULL, 0, 0,
                    "operand 2 must be array of runes but got array containing string");
            delims[nd++] = (uint32_t)r;
        }
        if (nd == 0) delims[nd++] = '.';
    } else if (val_kind_of(d) != VAL_NULL) {
        return rb_type_err(c, 2, "{array, null}", d);
    }
    if ((rc = rb_arg_str(c, args, 2, &s, &sn))) return rc;

    /* cache key: pattern, a NUL-free separator byte sequence, delimiter runes */
    gcache *gc = gcache_get();
    size_t keyn = pn + 1 + nd * sizeof *delims;
    uint64_t h = gh_hash_mix(val_hash(args[0]), nd);
    for (size_t i = 0; i < nd; i++)
        h = gh_hash_mix(h, delims[i]);
    gcache_ent *ent = gc ? &gc->e[h % GLOB_CACHE] : NULL;
    glob_prog *prog = NULL;
    if (ent && ent->prog && ent->hash == h && ent->keyn == keyn && !memcmp(ent->key, pat, pn) &&
        !memcmp(ent->key + pn + 1, delims, nd * sizeof *delims)) {
        prog = ent->prog;
    } else {
        gh_buf err;
        gh_buf_init(&err);
        rc = glob_compile(pat, pn, delims, nd, &prog, &err);
        if (rc == GH_EINVAL && !err.oom)
            rc = rb_err(c, "%s", err.p);
        else if (rc)
            rc = rb_oom(c);
        gh_buf_free(&err);
        if (rc) return rc;
        if (ent) {
            char *key = gh_malloc(keyn);
            if (key) {
                gh_free(ent->key);
                prog_free(ent->prog);
                memcpy(key, pat, pn);
                key[pn] = '\0';
                memcpy(key + pn + 1, delims, nd * sizeof *delims);
                ent->key = key;
                ent->keyn = keyn;
                ent->hash = h;
                ent->prog = prog;
            }
        }
    }
    bool m = false;
    rc = prog->gobwas ? rego_glob_gobwas_match(prog->gobwas, s, sn) : -1;
    if (rc == 0 || rc == 1) {
        m = rc == 1;
        rc = 0;
    } else if (rc == -1) { /* over the step budget or bounds: the exact NFA decides */
        rc = glob_run(prog, s, sn, &m);
    } else if (rc == -2) {
        rc = rb_err(c, "pattern not supported: OPA's glob matcher fails on this input "
                       "(gobwas/glob slice bounds)");
    } else {
        rc = rb_oom(c);
    }
    if (!ent || ent->prog != prog) prog_free(prog);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) return rc;
    *out = val_bool(m);
    return RB_OK;
}

static int bi_quote_meta(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) return rc;
    size_t extra = 0;
    for (size_t i = 0; i < n; i++)
        if (in_list((unsigned char)s[i], "*?\\[]{}")) extra++;
    if (!extra) {
        *out = args[0];
        return RB_OK;
    }
    char *o = gh_arena_alloc(c->a, n + extra + 1);
    if (!o) return rb_oom(c);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_list((unsigned char)s[i], "*?\\[]{}")) o[k++] = '\\';
        o[k++] = s[i];
    }
    o[k] = '\0';
    if (!(*out = val_str_ref(c->a, o, k))) return rb_oom(c);
    return RB_OK;
}

const rego_builtin rego_bi_glob[] = {
    {"glob.match", 3, 0, bi_glob_match,
     "(pattern: string, delimiters: null|array[string], match: string) -> result: boolean", "glob",
     "Matches a string against a glob pattern whose * and ? stop at the given delimiters."},
    {"glob.quote_meta", 1, 0, bi_quote_meta, "(pattern: string) -> output: string", "glob",
     "Escapes the glob metacharacters * ? \\ [ ] { } in pattern."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
