/* regex.c - the regex.* builtins (regex.match, re_match, regex.is_valid,
 * regex.split, regex.find_n, regex.find_all_string_submatch_n,
 * regex.template_match, regex.globs_match, regex.replace) and the engine
 * under them: RE2 patterns translated by re2.c, compiled by PCRE2 (JIT when
 * available) and kept in a per-thread LRU cache, matched with Go's regexp
 * rules for successive and empty matches. Called through rego_bi_regex.
 * Invariants: cache entries belong to one thread; a backtracking budget
 * bounds every match (regex.match falls back to PCRE2's DFA matcher, which
 * never backtracks, instead of failing). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <string.h>

#include "builtins.h"
#include "regex_int.h"
#include "strutil.h"

#define CACHE_CAP 256         /* compiled patterns kept per thread */
#define CACHE_SLOTS 512       /* open-addressing index, power of two > CACHE_CAP */
#define MATCH_LIMIT 5000000u  /* backtracking steps per match attempt */
#define DEPTH_LIMIT 200000u   /* nested backtracking frames */
#define HEAP_LIMIT_KIB 65536u /* interpreter frame memory (64 MiB) */
#define JIT_STACK_MAX (64u * 1024u * 1024u) /* reserved lazily; deep loops on long input */
#define DFA_WS_MAX (1u << 20) /* DFA workspace ints, grown on demand */
#define PCRE_OPTIONS                                                                               \
    (PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_CIRCUMFLEX)

struct rego_re {
    pcre2_code *code;
    pcre2_code *dfa; /* same pattern without MATCH_INVALID_UTF, built on demand */
    char *pcre;      /* the translated pattern, for building dfa */
    size_t pcre_len;
    uint32_t ncap;        /* RE2 capture groups */
    uint32_t ngroups;     /* PCRE2 groups (hidden loop guards included) */
    uint32_t *capmap;     /* RE2 group i -> PCRE2 group */
    rego_re2_loop *loops; /* guards checked by on_callout */
    uint32_t nloops;
    char *names;        /* ncap NUL-terminated names */
    uint32_t *name_off; /* offset of group i's name (index 1..ncap) */
};

typedef struct {
    char *pat; /* key bytes (heap copy); NULL = free slot */
    size_t n;
    uint64_t hash, stamp;
    rego_re *re;  /* NULL when the pattern is invalid */
    char *errmsg; /* Go's message for an invalid pattern */
} cache_ent;

typedef struct {
    cache_ent ents[CACHE_CAP];
    uint16_t index[CACHE_SLOTS]; /* entry position + 1, 0 = empty */
    uint32_t nents;
    uint64_t clock;
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    int *dfa_ws;
    size_t dfa_n;
} tls_state;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static pcre2_general_context *g_gctx;
static pcre2_compile_context *g_cctx;
static __thread tls_state *t_state;

static void *pc_malloc(PCRE2_SIZE n, void *ud) {
    (void)ud;
    return gh_malloc(n);
}
static void pc_free(void *p, void *ud) {
    (void)ud;
    gh_free(p);
}

static void re_free(rego_re *re) {
    if (!re) return;
    pcre2_code_free(re->code);
    pcre2_code_free(re->dfa);
    gh_free(re->pcre);
    gh_free(re->capmap);
    gh_free(re->loops);
    gh_free(re->names);
    gh_free(re->name_off);
    gh_free(re);
}

static void ent_clear(cache_ent *c) {
    gh_free(c->pat);
    gh_free(c->errmsg);
    re_free(c->re);
    memset(c, 0, sizeof *c);
}

static void tls_free(void *p) {
    tls_state *ts = p;
    if (!ts) return;
    for (uint32_t i = 0; i < CACHE_CAP; i++)
        ent_clear(&ts->ents[i]);
    pcre2_match_data_free(ts->md);
    pcre2_match_context_free(ts->mctx);
    pcre2_jit_stack_free(ts->jstack);
    gh_free(ts->dfa_ws);
    gh_free(ts);
}

static void global_init(void) {
    pthread_key_create(&g_key, tls_free);
    g_gctx = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    g_cctx = pcre2_compile_context_create(g_gctx);
    if (g_cctx) {
        pcre2_set_newline(g_cctx, PCRE2_NEWLINE_LF);
        pcre2_set_parens_nest_limit(g_cctx, REGO_RE2_MAX_NEST);
    }
}

static tls_state *tls_get(void) {
    if (GH_LIKELY(t_state != NULL)) return t_state;
    pthread_once(&g_once, global_init);
    if (!g_gctx || !g_cctx) return NULL;
    tls_state *ts = gh_calloc(1, sizeof *ts);
    if (!ts) return NULL;
    ts->mctx = pcre2_match_context_create(g_gctx);
    if (!ts->mctx) {
        gh_free(ts);
        return NULL;
    }
    pcre2_set_match_limit(ts->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(ts->mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(ts->mctx, HEAP_LIMIT_KIB);
    ts->md = pcre2_match_data_create(16, g_gctx);
    ts->md_pairs = 16;
    if (!ts->md) {
        pcre2_match_context_free(ts->mctx);
        gh_free(ts);
        return NULL;
    }
    ts->jstack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, g_gctx);
    if (ts->jstack) pcre2_jit_stack_assign(ts->mctx, NULL, ts->jstack);
    pthread_setspecific(g_key, ts);
    t_state = ts;
    return ts;
}

void rego_re_cache_clear(void) {
    tls_state *ts = t_state;
    if (!ts) return;
    pthread_setspecific(g_key, NULL);
    t_state = NULL;
    tls_free(ts);
}

/* ---- compile ----------------------------------------------------------------- */

static int compile(const char *pat, size_t n, rego_re **out, gh_buf *msg) {
    rego_re2 tr;
    int rc = rego_re2_translate(pat, n, &tr, msg);
    if (rc) {
        rego_re2_free(&tr);
        return rc;
    }
    rego_re *re = gh_calloc(1, sizeof *re);
    if (!re) goto oom;
    re->ncap = tr.ncap;
    re->ngroups = tr.ngroups;
    re->capmap = tr.capmap;
    re->loops = tr.loops;
    re->nloops = tr.nloops;
    tr.capmap = NULL;
    tr.loops = NULL;
    re->pcre_len = tr.pcre.len;
    re->pcre = gh_buf_take(&tr.pcre, NULL);
    re->names = gh_malloc(tr.names.len + 1);
    re->name_off = gh_calloc(tr.ncap + 1, sizeof *re->name_off);
    if (!re->pcre || !re->names || !re->name_off) goto oom;
    if (tr.names.len) memcpy(re->names, tr.names.p, tr.names.len);
    re->names[tr.names.len] = '\0';
    for (uint32_t i = 1, off = 0; i <= tr.ncap; i++) {
        re->name_off[i] = off;
        off += (uint32_t)strlen(re->names + off) + 1;
    }
    int ec;
    PCRE2_SIZE eo;
    re->code = pcre2_compile((PCRE2_SPTR)re->pcre, re->pcre_len,
                             PCRE_OPTIONS | PCRE2_MATCH_INVALID_UTF, &ec, &eo, g_cctx);
    if (!re->code) {
        if (ec == PCRE2_ERROR_NOMEMORY || ec == PCRE2_ERROR_HEAP_FAILED) goto oom;
        re_free(re);
        rego_re2_free(&tr);
        if (ec == PCRE2_ERROR_PATTERN_TOO_LARGE || ec == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP ||
            ec == PCRE2_ERROR_PATTERN_TOO_COMPLICATED) {
            /* Valid RE2 that PCRE2 cannot hold (compiled size over 64 KiB,
             * nesting): report it the way Go reports oversized expressions. */
            gh_buf_puts(msg, "error parsing regexp: expression too large: `");
            gh_buf_append(msg, pat, n);
            gh_buf_putc(msg, '`');
            return GH_EINVAL;
        }
        /* a translation the engine rejects is a bug in re2.c: say so */
        PCRE2_UCHAR text[160];
        pcre2_get_error_message(ec, text, sizeof text);
        gh_buf_printf(msg, "internal error: translated regexp rejected at %zu: %s", (size_t)eo,
                      (const char *)text);
        return GH_EINTERNAL;
    }
    pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* interpreter when JIT is unavailable */
    rego_re2_free(&tr);
    *out = re;
    return 0;
oom:
    re_free(re);
    rego_re2_free(&tr);
    gh_buf_reset(msg);
    gh_buf_puts(msg, "out of memory");
    return GH_ENOMEM;
}

static void index_rebuild(tls_state *ts) {
    memset(ts->index, 0, sizeof ts->index);
    for (uint32_t i = 0; i < CACHE_CAP; i++) {
        if (!ts->ents[i].pat) continue;
        uint32_t s = (uint32_t)ts->ents[i].hash & (CACHE_SLOTS - 1);
        while (ts->index[s])
            s = (s + 1) & (CACHE_SLOTS - 1);
        ts->index[s] = (uint16_t)(i + 1);
    }
}

static int re_get(const char *pat, size_t n, uint64_t h, const rego_re **out, gh_err *e);

int rego_re_get_val(const val_t *pat, const rego_re **out, gh_err *e) {
    return re_get(val_str_ptr(pat), val_str_len(pat), val_hash(pat), out, e);
}

int rego_re_get(const char *pat, size_t n, const rego_re **out, gh_err *e) {
    /* hash as a string value would, so both entry points share entries */
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *v = val_str(&a, pat, n);
    int rc = v ? re_get(pat, n, val_hash(v), out, e)
               : gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    gh_arena_free(&a);
    return rc;
}

static int re_get(const char *pat, size_t n, uint64_t h, const rego_re **out, gh_err *e) {
    tls_state *ts = tls_get();
    if (!ts) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    uint32_t s = (uint32_t)h & (CACHE_SLOTS - 1);
    for (; ts->index[s]; s = (s + 1) & (CACHE_SLOTS - 1)) {
        cache_ent *c = &ts->ents[ts->index[s] - 1];
        if (c->hash == h && c->n == n && memcmp(c->pat, pat, n) == 0) {
            c->stamp = ++ts->clock;
            if (!c->re) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "%s", c->errmsg);
            *out = c->re;
            return 0;
        }
    }
    gh_buf msg;
    gh_buf_init(&msg);
    rego_re *re = NULL;
    int rc = compile(pat, n, &re, &msg);
    if (rc == GH_ENOMEM || msg.oom) {
        gh_buf_free(&msg);
        re_free(re);
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc) gh_err_set(e, rc, NULL, 0, 0, "%s", msg.p ? msg.p : "invalid regexp");
    /* remember the outcome, evicting the least recently used entry */
    uint32_t slot = 0;
    if (ts->nents < CACHE_CAP) {
        while (ts->ents[slot].pat)
            slot++;
        ts->nents++;
    } else {
        for (uint32_t i = 1; i < CACHE_CAP; i++)
            if (ts->ents[i].stamp < ts->ents[slot].stamp) slot = i;
        ent_clear(&ts->ents[slot]);
    }
    cache_ent *c = &ts->ents[slot];
    c->pat = gh_malloc(n ? n : 1);
    if (!c->pat) {
        ts->nents--;
        gh_buf_free(&msg);
        index_rebuild(ts);
        if (rc) return rc; /* the error is already recorded */
        re_free(re);
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    }
    memcpy(c->pat, pat, n);
    c->n = n;
    c->hash = h;
    c->stamp = ++ts->clock;
    c->re = re;
    if (rc) {
        c->errmsg = gh_buf_take(&msg, NULL);
        if (!c->errmsg) { /* keep the slot usable without the message */
            gh_free(c->pat);
            memset(c, 0, sizeof *c);
            ts->nents--;
        }
    }
    gh_buf_free(&msg);
    index_rebuild(ts);
    if (rc) return rc;
    *out = re;
    return 0;
}

uint32_t rego_re_ncap(const rego_re *re) { return re->ncap; }

const char *rego_re_group_name(const rego_re *re, uint32_t i) {
    return i >= 1 && i <= re->ncap ? re->names + re->name_off[i] : "";
}

/* ---- matching ------------------------------------------------------------------- */

/* Go drops a loop iteration that matched empty unless it is the loop's
 * first (see rego_re2_loop): fail such iterations so PCRE2 backtracks. */
static int on_callout(pcre2_callout_block *cb, void *ud) {
    const rego_re *re = ud;
    uint32_t k = cb->callout_number;
    if (k == 0 || k > re->nloops) return 0;
    const rego_re2_loop *l = &re->loops[k - 1];
    if (l->e >= cb->capture_top || l->f >= cb->capture_top) return 0;
    PCRE2_SIZE es = cb->offset_vector[2 * l->e], fs = cb->offset_vector[2 * l->f];
    return es != PCRE2_UNSET && cb->current_position == es && es != fs ? 1 : 0;
}

static int limit_err(gh_err *e) {
    return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                      "regular expression exceeded its backtracking limit on this input");
}

int rego_re_exec(const rego_re *re, const char *s, size_t n, size_t start, ptrdiff_t *ov,
                 size_t novec, gh_err *e) {
    tls_state *ts = tls_get();
    if (!ts) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    uint32_t need = ov ? re->ngroups + 1 : 1;
    if (ts->md_pairs < need) {
        uint32_t pairs = need < 16 ? 16 : need;
        pcre2_match_data *md = pcre2_match_data_create(pairs, g_gctx);
        if (!md) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        pcre2_match_data_free(ts->md);
        ts->md = md;
        ts->md_pairs = pairs;
    }
    if (re->nloops) pcre2_set_callout(ts->mctx, on_callout, (void *)re);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, start, 0, ts->md, ts->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, start, PCRE2_NO_JIT, ts->md, ts->mctx);
    if (re->nloops) pcre2_set_callout(ts->mctx, NULL, NULL);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return limit_err(e);
    if (rc == PCRE2_ERROR_NOMEMORY) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc < 0) return gh_err_set(e, GH_EINTERNAL, NULL, 0, 0, "regexp match failed (%d)", rc);
    if (ov) {
        PCRE2_SIZE *v = pcre2_get_ovector_pointer(ts->md);
        uint32_t have = pcre2_get_ovector_count(ts->md);
        for (size_t i = 0; i < novec && i <= re->ncap; i++) {
            uint32_t g = i ? re->capmap[i] : 0;
            bool set = g < have && (rc == 0 || g < (uint32_t)rc) && v[2 * g] != PCRE2_UNSET;
            ov[2 * i] = set ? (ptrdiff_t)v[2 * g] : -1;
            ov[2 * i + 1] = set ? (ptrdiff_t)v[2 * g + 1] : -1;
        }
    }
    return 1;
}

int rego_re_test(const rego_re *re, const char *s, size_t n, gh_err *e) {
    int rc = rego_re_exec(re, s, n, 0, NULL, 0, e);
    if (rc != GH_EINVAL) return rc;
    /* Backtracking got too expensive: whether any match exists does not
     * depend on leftmost-first order, so the DFA matcher answers exactly.
     * It needs valid UTF-8 (no PCRE2_MATCH_INVALID_UTF support). */
    tls_state *ts = t_state;
    if (!rb_u8_valid(s, n)) return rc;
    rego_re *mre = (rego_re *)re; /* entries are private to this thread */
    if (!mre->dfa) {
        int ec;
        PCRE2_SIZE eo;
        mre->dfa =
            pcre2_compile((PCRE2_SPTR)re->pcre, re->pcre_len, PCRE_OPTIONS, &ec, &eo, g_cctx);
        if (!mre->dfa) return rc;
    }
    for (;;) {
        if (!ts->dfa_ws) {
            ts->dfa_n = 4096;
            if (!(ts->dfa_ws = gh_malloc(ts->dfa_n * sizeof(int))))
                return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        }
        rc = pcre2_dfa_match(re->dfa, (PCRE2_SPTR)s, n, 0, PCRE2_DFA_SHORTEST, ts->md, NULL,
                             ts->dfa_ws, ts->dfa_n);
        if (rc != PCRE2_ERROR_DFA_WSSIZE || ts->dfa_n >= DFA_WS_MAX) break;
        gh_free(ts->dfa_ws);
        ts->dfa_ws = NULL;
        ts->dfa_n *= 4;
        if (!(ts->dfa_ws = gh_malloc(ts->dfa_n * sizeof(int))))
            return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc >= 0) return 1;
    return limit_err(e);
}

/* Go's allMatches: successive non-overlapping matches; an empty match right
 * after the previous match is skipped and the search moves one rune on. */
typedef struct {
    const rego_re *re;
    const char *s;
    size_t n, pos;
    ptrdiff_t prev_end;
} re_iter;

static int iter_next(re_iter *it, ptrdiff_t *ov, size_t novec, gh_err *e) {
    while (it->pos <= it->n) {
        int rc = rego_re_exec(it->re, it->s, it->n, it->pos, ov, novec, e);
        if (rc <= 0) {
            it->pos = it->n + 1;
            return rc;
        }
        bool accept = true;
        if ((size_t)ov[1] == it->pos) {
            if (ov[0] == it->prev_end) accept = false;
            int w = 0;
            if (it->pos < it->n) rb_u8_decode(it->s + it->pos, it->n - it->pos, &w);
            it->pos = w > 0 ? it->pos + (size_t)w : it->n + 1;
        } else {
            it->pos = (size_t)ov[1];
        }
        it->prev_end = ov[1];
        if (accept) return 1;
    }
    return 0;
}

/* ---- builtins ------------------------------------------------------------------- */

static int get_re(rego_bctx *c, const char *pat, size_t n, const rego_re **re) {
    return rego_re_get(pat, n, re, c->err);
}

static int get_re_val(rego_bctx *c, val_t *const *args, int i, const rego_re **re) {
    return rego_re_get_val(args[i], re, c->err);
}

/* The operands (pattern, value) of regex.match and regex.split: the
 * compiled pattern and its length, and the value's text. */
static int re_and_subject(rego_bctx *c, val_t *const *args, const rego_re **re, size_t *pn,
                          const char **s, size_t *sn) {
    const char *pat;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &pat, pn)) || (rc = rb_arg_str(c, args, 1, s, sn))) return rc;
    return get_re_val(c, args, 0, re);
}

static int bi_match(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t pn, sn;
    const rego_re *re;
    int rc;
    if ((rc = re_and_subject(c, args, &re, &pn, &s, &sn))) return rc;
    if ((rc = rego_re_test(re, s, sn, c->err)) < 0) return rc;
    *out = val_bool(rc == 1);
    return RB_OK;
}

static int bi_is_valid(rego_bctx *c, val_t *const *args, val_t **out) {
    const rego_re *re;
    if (!val_is_str(args[0])) {
        *out = VAL_FALSE;
        return RB_OK;
    }
    int rc = get_re_val(c, args, 0, &re);
    if (rc == GH_ENOMEM) return rc;
    if (rc) gh_err_clear(c->err);
    *out = val_bool(rc == 0);
    return RB_OK;
}

static int push_str(rego_bctx *c, val_t *arr, const char *s, size_t n) {
    val_t *v = val_str(c->a, s, n);
    if (!v || val_arr_push(c->a, arr, v)) return rb_oom(c);
    return 0;
}

static int bi_split(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t pn, sn;
    const rego_re *re;
    int rc;
    if ((rc = re_and_subject(c, args, &re, &pn, &s, &sn))) return rc;
    val_t *arr = val_arr_new(c->a, 4);
    if (!arr) return rb_oom(c);
    if (pn > 0 && sn == 0) { /* Go: a non-empty expression splits "" into [""] */
        if ((rc = push_str(c, arr, "", 0))) return rc;
        *out = arr;
        return RB_OK;
    }
    re_iter it = {re, s, sn, 0, -1};
    ptrdiff_t ov[2];
    size_t beg = 0, end = 0;
    while ((rc = iter_next(&it, ov, 1, c->err)) == 1) {
        end = (size_t)ov[0];
        if (ov[1] != 0 && (rc = push_str(c, arr, s + beg, end - beg))) return rc;
        beg = (size_t)ov[1];
    }
    if (rc < 0) return rc;
    if (end != sn && (rc = push_str(c, arr, s + beg, sn - beg))) return rc;
    *out = arr;
    return RB_OK;
}

/* Common argument handling of find_n and find_all_string_submatch_n. */
static int find_args(rego_bctx *c, val_t *const *args, re_iter *it, int64_t *limit) {
    const char *pat;
    size_t pn;
    const rego_re *re;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &pat, &pn)) || (rc = rb_arg_str(c, args, 1, &it->s, &it->n)))
        return rc;
    /* Go's IntOperand parses the literal: 1.0 and 1e2 are not integers */
    if (val_kind_of(args[2]) != VAL_NUMBER) return rb_type_err(c, 3, "number", args[2]);
    if (!val_is_int(args[2]))
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand 3 must be integer number but got floating-point number");
    *limit = args[2]->u.i;
    if ((rc = get_re_val(c, args, 0, &re))) return rc;
    if (*limit < 0) *limit = (int64_t)it->n + 1;
    it->re = re;
    it->pos = 0;
    it->prev_end = -1;
    return 0;
}

static int bi_find_n(rego_bctx *c, val_t *const *args, val_t **out) {
    re_iter it;
    int64_t limit;
    int rc = find_args(c, args, &it, &limit);
    if (rc) return rc;
    val_t *arr = val_arr_new(c->a, 4);
    if (!arr) return rb_oom(c);
    ptrdiff_t ov[2];
    for (int64_t i = 0; i < limit && (rc = iter_next(&it, ov, 1, c->err)) == 1; i++)
        if ((rc = push_str(c, arr, it.s + ov[0], (size_t)(ov[1] - ov[0])))) return rc;
    if (rc < 0) return rc;
    *out = arr;
    return RB_OK;
}

static int bi_find_all_submatch(rego_bctx *c, val_t *const *args, val_t **out) {
    re_iter it;
    int64_t limit;
    int rc = find_args(c, args, &it, &limit);
    if (rc) return rc;
    size_t np = rego_re_ncap(it.re) + 1;
    ptrdiff_t *ov = gh_arena_alloc(c->a, 2 * np * sizeof *ov);
    val_t *arr = val_arr_new(c->a, 4);
    if (!ov || !arr) return rb_oom(c);
    for (int64_t i = 0; i < limit && (rc = iter_next(&it, ov, np, c->err)) == 1; i++) {
        val_t *m = val_arr_new(c->a, np);
        if (!m || val_arr_push(c->a, arr, m)) return rb_oom(c);
        for (size_t g = 0; g < np; g++) {
            size_t len = ov[2 * g] < 0 ? 0 : (size_t)(ov[2 * g + 1] - ov[2 * g]);
            const char *p = ov[2 * g] < 0 ? "" : it.s + ov[2 * g];
            if ((rc = push_str(c, m, p, len))) return rc;
        }
    }
    if (rc < 0) return rc;
    *out = arr;
    return RB_OK;
}

/* Go's regexp.QuoteMeta. */
static void quote_meta(gh_buf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i]) gh_buf_putc(b, '\\');
        gh_buf_putc(b, s[i]);
    }
}

static int bi_template_match(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *tpl, *s, *ds, *de;
    size_t tn, sn, dsn, den;
    const rego_re *re;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &tpl, &tn)) || (rc = rb_arg_str(c, args, 1, &s, &sn)) ||
        (rc = rb_arg_str(c, args, 2, &ds, &dsn)) || (rc = rb_arg_str(c, args, 3, &de, &den)))
        return rc;
    if (dsn != 1)
        return rb_err(c, "start delimiter has to be exactly one character long but is %zu long",
                      dsn);
    if (den != 1) /* OPA reports the start delimiter's length here too */
        return rb_err(c, "end delimiter has to be exactly one character long but is %zu long", dsn);
    /* delimiter pairs, as OPA's delimiterIndices (bytes, nesting counted) */
    size_t *idx = gh_arena_alloc(c->a, (tn + 1) * sizeof *idx);
    if (!idx) return rb_oom(c);
    size_t nidx = 0, open = 0;
    long level = 0;
    bool bad = false;
    for (size_t i = 0; i < tn && !bad; i++) {
        if (tpl[i] == ds[0]) {
            if (++level == 1) open = i;
        } else if (tpl[i] == de[0]) {
            if (--level == 0) {
                idx[nidx++] = open;
                idx[nidx++] = i + 1;
            } else if (level < 0) {
                bad = true;
            }
        }
    }
    if (bad || level != 0) {
        gh_buf q;
        gh_buf_init(&q);
        rb_go_quote(&q, tpl, tn, false);
        rc = q.oom ? rb_oom(c) : rb_err(c, "unbalanced braces in %s", q.p);
        gh_buf_free(&q);
        return rc;
    }
    gh_buf pat, var;
    gh_buf_init(&pat);
    gh_buf_init(&var);
    gh_buf_putc(&pat, '^');
    size_t end = 0;
    for (size_t i = 0; i < nidx; i += 2) {
        const char *raw = tpl + end, *patt = tpl + idx[i] + 1;
        size_t rawn = idx[i] - end, pattn = idx[i + 1] - 1 - (idx[i] + 1);
        end = idx[i + 1];
        gh_buf_reset(&var); /* each variable must compile on its own, anchored */
        gh_buf_putc(&var, '^');
        gh_buf_append(&var, patt, pattn);
        gh_buf_putc(&var, '$');
        if (var.oom) break;
        if ((rc = get_re(c, var.p, var.len, &re))) goto out;
        quote_meta(&pat, raw, rawn);
        gh_buf_putc(&pat, '(');
        gh_buf_append(&pat, patt, pattn);
        gh_buf_putc(&pat, ')');
    }
    quote_meta(&pat, tpl + end, tn - end);
    gh_buf_putc(&pat, '$');
    if (pat.oom || var.oom) {
        rc = rb_oom(c);
        goto out;
    }
    if ((rc = get_re(c, pat.p, pat.len, &re))) goto out;
    if ((rc = rego_re_test(re, s, sn, c->err)) >= 0) {
        *out = val_bool(rc == 1);
        rc = RB_OK;
    }
out:
    gh_buf_free(&pat);
    gh_buf_free(&var);
    return rc;
}

/* ---- regex.replace: Go's ReplaceAllString with $name / ${name} expansion ---------- */

static pthread_once_t word_once = PTHREAD_ONCE_INIT;
static pcre2_code *word_re; /* one rune of Go's unicode.IsLetter || IsDigit */

static void word_init(void) {
    int ec;
    PCRE2_SIZE eo;
    pthread_once(&g_once, global_init);
    word_re = pcre2_compile((PCRE2_SPTR) "\\A[\\p{L}\\p{Nd}]", PCRE2_ZERO_TERMINATED, PCRE2_UTF,
                            &ec, &eo, g_cctx);
}

static bool name_rune(const char *p, size_t n, int *w) {
    int32_t r = rb_u8_decode(p, n, w);
    if (r < 0x80)
        return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') ||
               (r >= 'A' && r <= 'Z');
    if (r == RB_RUNE_ERROR && *w == 1) return false;
    pthread_once(&word_once, word_init);
    tls_state *ts = tls_get();
    if (!word_re || !ts) return false;
    return pcre2_match(word_re, (PCRE2_SPTR)p, (size_t)*w, 0, 0, ts->md, NULL) > 0;
}

/* Go's extract: a group reference after '$'; *num is -1 for names. */
static bool extract(const char *t, size_t n, const char **name, size_t *namelen, long *num,
                    size_t *used) {
    size_t i = 0, start = 0;
    bool brace = false;
    if (n == 0) return false;
    if (t[0] == '{') {
        brace = true;
        start = i = 1;
    }
    while (i < n) {
        int w;
        if (!name_rune(t + i, n - i, &w)) break;
        i += (size_t)w;
    }
    if (i == start) return false;
    *name = t + start;
    *namelen = i - start;
    if (brace) {
        if (i >= n || t[i] != '}') return false;
        i++;
    }
    long v = 0;
    for (size_t k = 0; k < *namelen; k++) {
        char ch = (*name)[k];
        if (ch < '0' || ch > '9' || v >= 100000000) {
            v = -1;
            break;
        }
        v = v * 10 + (ch - '0');
    }
    if ((*name)[0] == '0' && *namelen > 1) v = -1;
    *num = v;
    *used = i;
    return true;
}

static void expand(gh_buf *b, const rego_re *re, const char *tpl, size_t tn, const char *src,
                   const ptrdiff_t *m, size_t np) {
    size_t i = 0;
    while (i < tn) {
        const char *dollar = memchr(tpl + i, '$', tn - i);
        if (!dollar) break;
        gh_buf_append(b, tpl + i, (size_t)(dollar - (tpl + i)));
        i = (size_t)(dollar - tpl) + 1;
        if (i < tn && tpl[i] == '$') {
            gh_buf_putc(b, '$');
            i++;
            continue;
        }
        const char *name;
        size_t namelen, used;
        long num;
        if (!extract(tpl + i, tn - i, &name, &namelen, &num, &used)) {
            gh_buf_putc(b, '$');
            continue;
        }
        i += used;
        if (num >= 0) {
            if ((size_t)num < np && m[2 * num] >= 0)
                gh_buf_append(b, src + m[2 * num], (size_t)(m[2 * num + 1] - m[2 * num]));
        } else {
            for (uint32_t g = 1; g < np; g++) {
                const char *gn = rego_re_group_name(re, g);
                if (strlen(gn) == namelen && memcmp(gn, name, namelen) == 0 && m[2 * g] >= 0) {
                    gh_buf_append(b, src + m[2 * g], (size_t)(m[2 * g + 1] - m[2 * g]));
                    break;
                }
            }
        }
    }
    gh_buf_append(b, tpl + i, tn - i);
}

static int bi_replace(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s, *pat, *tpl;
    size_t sn, pn, tn;
    const rego_re *re;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &sn)) || (rc = rb_arg_str(c, args, 1, &pat, &pn)) ||
        (rc = rb_arg_str(c, args, 2, &tpl, &tn)) || (rc = get_re_val(c, args, 1, &re)))
        return rc;
    /* Go fills only the groups the template can use ($ present) */
    size_t np = memchr(tpl, '$', tn) ? rego_re_ncap(re) + 1 : 1;
    ptrdiff_t *m = gh_arena_alloc(c->a, 2 * np * sizeof *m);
    if (!m) return rb_oom(c);
    gh_buf b;
    gh_buf_init(&b);
    size_t last = 0, pos = 0;
    while (pos <= sn) {
        rc = rego_re_exec(re, s, sn, pos, m, np, c->err);
        if (rc < 0) goto fail;
        if (rc == 0) break;
        gh_buf_append(&b, s + last, (size_t)m[0] - last);
        /* no replacement for an empty match right after the previous match */
        if ((size_t)m[1] > last || m[0] == 0) expand(&b, re, tpl, tn, s, m, np);
        last = (size_t)m[1];
        int w = 0;
        if (pos < sn) rb_u8_decode(s + pos, sn - pos, &w);
        if (pos + (size_t)w > (size_t)m[1])
            pos += (size_t)w;
        else if (pos + 1 > (size_t)m[1])
            pos++;
        else
            pos = (size_t)m[1];
    }
    gh_buf_append(&b, s + last, sn - last);
    if (b.oom || !(*out = val_str(c->a, b.p ? b.p : "", b.len))) {
        rc = rb_oom(c);
        goto fail;
    }
    gh_buf_free(&b);
    return RB_OK;
fail:
    gh_buf_free(&b);
    return rc;
}

static int bi_globs_match(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *g1, *g2;
    size_t n1, n2;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &g1, &n1)) || (rc = rb_arg_str(c, args, 1, &g2, &n2)))
        return rc;
    gh_buf msg;
    gh_buf_init(&msg);
    rc = rego_globs_intersect(g1, n1, g2, n2, &msg);
    if (rc >= 0)
        *out = val_bool(rc == 1);
    else if (rc == GH_ENOMEM || msg.oom)
        rc = rb_oom(c);
    else
        rb_err(c, "%s", msg.p ? msg.p : "invalid glob");
    gh_buf_free(&msg);
    return rc >= 0 ? RB_OK : rc;
}

const rego_builtin rego_bi_regex[] = {
    {"regex.match", 2, 0, bi_match, "(pattern: string, value: string) -> result: boolean", "regex",
     "Reports whether value contains a match of the RE2 pattern."},
    {"re_match", 2, 0, bi_match, "(string, string) -> boolean", "regex",
     "Deprecated spelling of regex.match."},
    {"regex.is_valid", 1, 0, bi_is_valid, "(pattern: string) -> result: boolean", "regex",
     "Reports whether pattern is a valid RE2 regular expression (false for non-strings)."},
    {"regex.split", 2, 0, bi_split, "(pattern: string, value: string) -> output: array[string]",
     "regex", "Splits value around the matches of pattern."},
    {"regex.find_n", 3, 0, bi_find_n,
     "(pattern: string, value: string, number: number) -> output: array[string]", "regex",
     "Returns up to number successive matches of pattern in value (-1 for all)."},
    {"regex.find_all_string_submatch_n", 3, 0, bi_find_all_submatch,
     "(pattern: string, value: string, number: number) -> output: array[array[string]]", "regex",
     "Returns up to number successive matches with their capture groups (-1 for all)."},
    {"regex.template_match", 4, 0, bi_template_match,
     "(template: string, value: string, delimiter_start: string, delimiter_end: string) -> "
     "result: boolean",
     "regex", "Matches value against a template whose delimited parts are regular expressions."},
    {"regex.globs_match", 2, 0, bi_globs_match, "(glob1: string, glob2: string) -> result: boolean",
     "regex", "Reports whether two glob-like expressions match a common non-empty string."},
    {"regex.replace", 3, 0, bi_replace,
     "(s: string, pattern: string, value: string) -> output: string", "regex",
     "Replaces every match of pattern in s by value, expanding $1 and ${name}."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
