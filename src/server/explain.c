/* explain.c - OPA's ?explain=notes|full|debug for the data and query APIs:
 * a tracer (rego_eval_opts.trace) that records the engine's trace events as
 * OPA's TraceEventV1 objects ({op, query_id, parent_id, type, node, locals,
 * message?}) or, with ?pretty, as OPA's PrettyTraceWithLocation lines.
 * Called by api_data.c and api_query.c only when ?explain asks for it, so
 * the untraced decision path never reaches this file. Everything lives in
 * the request arena; the event count is capped (SRV_EXPLAIN_MAX_EVENTS). */
#include <string.h>

#include "server/srv_int.h"

#define SRV_EXPLAIN_MAX_EVENTS 100000
#define NODE_CACHE 64 /* power of two: rule/body pointer -> converted value */
#define FRAME_LOOKBACK 256

typedef struct xev {
    rego_trace_op op;
    uint64_t qid, pid;
    const char *type; /* "expr", "body", "rule", "" (notes) */
    val_t *node;      /* NULL: JSON null */
    const char *msg;  /* NULL when none */
    const char *text; /* pretty: rego_trace_format's line */
    const char *file; /* location (pretty): NULL when none; "" for the query */
    uint32_t row;
} xev;

typedef struct xframe { /* one entered query (rule body, query, negation body) */
    uint64_t id, parent;
    const void *key;
    uint32_t depth;
} xframe;

typedef struct xcache_ent {
    const void *key;
    int kind; /* 0 rule, 2 expression */
    bool positive;
    val_t *v;
} xcache_ent;

struct srv_explain {
    gh_arena *a;
    srv_explain_mode mode;
    bool pretty;
    bool oom;
    bool truncated;
    xev *ev;
    size_t nev, cap;
    xframe *fr;
    size_t nfr, frcap;
    int64_t *cur; /* per depth: index into fr of the current query, -1 none */
    uint32_t ncur;
    uint64_t next_id;
    /* per depth: the last evaluated expression (INDEX and NOTE events
     * belong to it) */
    const rego_expr **last_expr;
    val_t **last_node;
    bool *last_pos;
    xcache_ent cache[NODE_CACHE];
};

srv_explain_mode srv_explain_mode_get(const srv_req *rq) {
    const char *m = srv_query_get(rq, "explain");
    if (!m) return SRV_EXPLAIN_OFF;
    if (!strcmp(m, "notes")) return SRV_EXPLAIN_NOTES;
    if (!strcmp(m, "full")) return SRV_EXPLAIN_FULL;
    if (!strcmp(m, "debug")) return SRV_EXPLAIN_DEBUG;
    /* OPA 0.61's server maps anything else, "fails" included, to off */
    return SRV_EXPLAIN_OFF;
}

srv_explain *srv_explain_new(gh_arena *a, srv_explain_mode mode, bool pretty) {
    srv_explain *x = gh_arena_alloc(a, sizeof *x);
    if (!x) return NULL;
    memset(x, 0, sizeof *x);
    x->a = a;
    x->mode = mode;
    x->pretty = pretty;
    return x;
}

static bool grow(srv_explain *x, void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t nc = *cap ? *cap * 2 : 32;
    while (nc < need)
        nc *= 2;
    void *np = gh_arena_alloc(x->a, nc * elem);
    if (!np) {
        x->oom = true;
        return false;
    }
    if (*p) memcpy(np, *p, *cap * elem);
    *p = np;
    *cap = nc;
    return true;
}

static bool ensure_depth(srv_explain *x, uint32_t d) {
    if (d < x->ncur) return true;
    uint32_t nc = x->ncur ? x->ncur : 16;
    while (nc <= d)
        nc *= 2;
    int64_t *cur = gh_arena_alloc(x->a, nc * sizeof *cur);
    const rego_expr **le = gh_arena_alloc(x->a, nc * sizeof *le);
    val_t **ln = gh_arena_alloc(x->a, nc * sizeof *ln);
    bool *lp = gh_arena_alloc(x->a, nc * sizeof *lp);
    if (!cur || !le || !ln || !lp) {
        x->oom = true;
        return false;
    }
    for (uint32_t i = 0; i < nc; i++) {
        cur[i] = i < x->ncur ? x->cur[i] : -1;
        le[i] = i < x->ncur ? x->last_expr[i] : NULL;
        ln[i] = i < x->ncur ? x->last_node[i] : NULL;
        lp[i] = i < x->ncur ? x->last_pos[i] : false;
    }
    x->cur = cur;
    x->last_expr = le;
    x->last_node = ln;
    x->last_pos = lp;
    x->ncur = nc;
    return true;
}

/* The query an event at depth d belongs to: ENTER opens a new one (a child
 * of the current query one level up); REDO of a body or rule returns to the
 * most recent query entered for the same node at that depth. */
static const xframe *frame_for(srv_explain *x, const rego_trace_event *ev, const void *key) {
    uint32_t d = ev->depth;
    if (!ensure_depth(x, d)) return NULL;
    if (ev->op == REGO_TRACE_ENTER) {
        if (!grow(x, (void **)&x->fr, &x->frcap, x->nfr + 1, sizeof *x->fr)) return NULL;
        xframe *f = &x->fr[x->nfr];
        f->id = x->next_id++;
        f->parent = f->id;
        for (uint32_t p = d; p-- > 0;)
            if (x->cur[p] >= 0) {
                f->parent = x->fr[x->cur[p]].id;
                break;
            }
        if (f->id == 0) f->parent = 0;
        f->key = key;
        f->depth = d;
        x->cur[d] = (int64_t)x->nfr++;
        return f;
    }
    if (ev->op == REGO_TRACE_REDO && key &&
        (ev->rule || ev->body || (ev->flags & REGO_TRACE_F_BODY))) {
        size_t lim = x->nfr > FRAME_LOOKBACK ? x->nfr - FRAME_LOOKBACK : 0;
        for (size_t i = x->nfr; i-- > lim;)
            if (x->fr[i].depth == d && x->fr[i].key == key) {
                x->cur[d] = (int64_t)i;
                break;
            }
    }
    if (x->cur[d] < 0) { /* an event before any ENTER at its depth */
        for (uint32_t p = d; p-- > 0;)
            if (x->cur[p] >= 0) return &x->fr[x->cur[p]];
        return NULL;
    }
    return &x->fr[x->cur[d]];
}

/* The node's value; rules and expressions (AST nodes that outlive the
 * evaluation) are converted once per request. Bodies are not cached: a
 * closure's body may be a view on the evaluator's stack, whose address is
 * reused. kind: 0 rule, 1 body, 2 expression. */
static val_t *cached(srv_explain *x, const void *key, int kind, bool positive) {
    xcache_ent *c = NULL;
    if (kind != 1) {
        size_t h = (size_t)(((uintptr_t)key >> 4) * 2654435761u);
        c = &x->cache[(h ^ (size_t)kind ^ (positive ? 8u : 0u)) & (NODE_CACHE - 1)];
        if (c->v && c->key == key && c->kind == kind && c->positive == positive) return c->v;
    }
    val_t *v = kind == 0   ? rego_rule_to_value(x->a, key)
               : kind == 1 ? rego_body_to_value(x->a, key)
                           : rego_expr_to_value(x->a, key, positive);
    if (!v) {
        x->oom = true;
        return NULL;
    }
    if (c) *c = (xcache_ent){key, kind, positive, v};
    return v;
}

static void tracer(void *ud, const rego_trace_event *ev) {
    srv_explain *x = ud;
    if (x->oom || x->truncated) return;
    if (x->nev >= SRV_EXPLAIN_MAX_EVENTS) {
        x->truncated = true;
        return;
    }
    bool is_body = ev->flags & REGO_TRACE_F_BODY;
    const void *key = ev->rule   ? (const void *)ev->rule
                      : ev->body ? (const void *)ev->body
                      : is_body  ? (const void *)ev->expr
                                 : NULL;
    const xframe *f = frame_for(x, ev, key);
    if (!f || x->oom) return;
    uint32_t d = ev->depth;
    if ((ev->op == REGO_TRACE_EVAL) && ev->expr) {
        x->last_expr[d] = ev->expr;
        x->last_pos[d] = ev->flags & REGO_TRACE_F_POSITIVE;
        x->last_node[d] = NULL;
    }
    bool json = !x->pretty;
    /* notes: only ENTER events (the lineage) and notes are ever shown */
    if (x->mode == SRV_EXPLAIN_NOTES && ev->op != REGO_TRACE_ENTER && ev->op != REGO_TRACE_NOTE)
        return;
    if (!grow(x, (void **)&x->ev, &x->cap, x->nev + 1, sizeof *x->ev)) return;
    xev *o = &x->ev[x->nev];
    memset(o, 0, sizeof *o);
    o->op = ev->op;
    o->qid = f->id;
    o->pid = f->parent;
    const rego_loc *loc = NULL;
    switch (ev->op) {
    case REGO_TRACE_NOTE:
        o->type = "";
        /* the note text is only valid during the callback */
        o->msg = gh_arena_strndup(x->a, ev->ref ? ev->ref : "", ev->ref ? strlen(ev->ref) : 0);
        if (!o->msg) {
            x->oom = true;
            return;
        }
        if (x->last_expr[d]) loc = &x->last_expr[d]->loc;
        break;
    case REGO_TRACE_INDEX: {
        const rego_expr *le = x->last_expr[d];
        o->type = "expr";
        if (le) {
            loc = &le->loc;
            if (json) {
                if (!x->last_node[d]) x->last_node[d] = cached(x, le, 2, x->last_pos[d]);
                o->node = x->last_node[d];
            }
        }
        if (json) {
            gh_buf b;
            gh_buf_init(&b);
            if (ev->nmatched == 0)
                gh_buf_puts(&b, "(matched 0 rules)");
            else
                gh_buf_printf(&b, "(matched %u rule%s%s)", ev->nmatched,
                              ev->nmatched == 1 ? "" : "s",
                              (ev->flags & REGO_TRACE_F_EARLY) ? ", early exit" : "");
            o->msg = b.oom ? NULL : gh_arena_strndup(x->a, b.p, b.len);
            gh_buf_free(&b);
        }
        break;
    }
    default:
        if (ev->rule) {
            o->type = "rule";
            loc = &ev->rule->loc;
            if (json) o->node = cached(x, ev->rule, 0, false);
            if (ev->op == REGO_TRACE_EXIT && (ev->flags & REGO_TRACE_F_EARLY)) o->msg = "early";
        } else if (ev->body) {
            o->type = "body";
            loc = ev->body->n ? &ev->body->exprs[0]->loc : &ev->body->loc;
            if (json) o->node = cached(x, ev->body, 1, false);
        } else if (ev->expr) {
            loc = &ev->expr->loc;
            if (is_body) {
                o->type = "body";
                if (json) {
                    val_t *e1 = cached(x, ev->expr, 2, true);
                    val_t *arr = e1 ? val_arr_new(x->a, 1) : NULL;
                    if (!arr || val_arr_push(x->a, arr, e1)) {
                        x->oom = true;
                        return;
                    }
                    o->node = arr;
                }
            } else {
                o->type = "expr";
                if (json) {
                    /* inside a negation's child query: the expression alone */
                    bool pos = ev->flags & REGO_TRACE_F_POSITIVE;
                    o->node = cached(x, ev->expr, 2, pos);
                }
            }
        } else {
            o->type = "expr";
        }
        break;
    }
    if (json && !o->node && ev->op != REGO_TRACE_NOTE && x->oom) return;
    if (loc) {
        o->file = loc->file ? loc->file : "";
        o->row = loc->line;
    }
    if (!json) {
        gh_buf b;
        gh_buf_init(&b);
        rego_trace_format(&b, ev);
        o->text = b.oom ? NULL : gh_arena_strndup(x->a, b.p, b.len);
        gh_buf_free(&b);
        if (!o->text) {
            x->oom = true;
            return;
        }
    }
    x->nev++;
}

void srv_explain_attach(srv_explain *x, rego_eval_opts *eo) {
    if (!x) return;
    eo->trace = tracer;
    eo->trace_ud = x;
}

/* ---- output ------------------------------------------------------------------------- */

static const char *op_json(rego_trace_op op) {
    switch (op) {
    case REGO_TRACE_ENTER: return "enter";
    case REGO_TRACE_EXIT: return "exit";
    case REGO_TRACE_EVAL: return "eval";
    case REGO_TRACE_REDO: return "redo";
    case REGO_TRACE_FAIL: return "fail";
    case REGO_TRACE_INDEX: return "index";
    case REGO_TRACE_NOTE: return "note";
    }
    return "";
}

static void put_key(gh_buf *b, const char *k, bool comma) {
    if (comma) gh_buf_putc(b, ',');
    gh_buf_putc(b, '"');
    gh_buf_puts(b, k);
    gh_buf_puts(b, "\":");
}

/* One TraceEventV1 in OPA's field order (Go struct order, compact: OPA
 * only shows event objects without ?pretty). */
static void event_json(gh_arena *a, gh_buf *b, const xev *e) {
    gh_buf_putc(b, '{');
    put_key(b, "op", false);
    gh_buf_printf(b, "\"%s\"", op_json(e->op));
    put_key(b, "query_id", true);
    gh_buf_printf(b, "%llu", (unsigned long long)e->qid);
    put_key(b, "parent_id", true);
    gh_buf_printf(b, "%llu", (unsigned long long)e->pid);
    put_key(b, "type", true);
    gh_buf_printf(b, "\"%s\"", e->type ? e->type : "");
    put_key(b, "node", true);
    if (e->node)
        val_json_emit(b, e->node, VAL_JSON_SORTED);
    else
        gh_buf_puts(b, "null");
    put_key(b, "locals", true);
    gh_buf_puts(b, "[]");
    if (e->msg && *e->msg) {
        put_key(b, "message", true);
        /* through the value emitter: Go's escaping of < > & */
        val_t *m = val_strc(a, e->msg);
        if (m)
            val_json_emit(b, m, 0);
        else
            b->oom = true;
    }
    gh_buf_putc(b, '}');
}

static size_t digits(uint32_t n) {
    size_t d = 1;
    while (n >= 10)
        n /= 10, d++;
    return d;
}

/* OPA's location column (PrettyTraceWithLocation): files longer than its
 * ideal width have their longest common directory part replaced by "...". */
#define MIN_LOC_WIDTH 5 /* len("query") */
#define MAX_IDEAL_LOC 64
#define LOC_PADDING 4
#define MAX_ALIAS_FILES 256

typedef struct loc_alias {
    const char *file[MAX_ALIAS_FILES];
    const char *alias[MAX_ALIAS_FILES];
    size_t n;
    const char *lcs; /* replaced by "..." (NULL: none) */
    size_t lcs_len;
} loc_alias;

/* Go's getPathFromFirstSeparator: filepath.Dir, without a leading '/', from
 * after its first '/' on. Allocated in a. */
static const char *dir_tail(gh_arena *a, const char *p) {
    const char *slash = strrchr(p, '/');
    size_t n;
    const char *s = p;
    if (!slash) {
        s = ".";
        n = 1;
    } else {
        n = (size_t)(slash - p);
        if (n == 0) n = 1; /* Dir("/x") = "/" */
    }
    if (n && *s == '/') s++, n--;
    const char *first = memchr(s, '/', n);
    if (first && first > s) {
        n -= (size_t)(first + 1 - s);
        s = first + 1;
    }
    return gh_arena_strndup(a, s, n);
}

static bool all_have(const char *const *v, size_t nv, const char *sub, size_t n) {
    for (size_t i = 0; i < nv; i++) {
        const char *h = v[i];
        bool found = false;
        for (size_t hl = strlen(h); !found && hl >= n; hl--, h++)
            found = !memcmp(h, sub, n);
        if (!found) return false;
    }
    return true;
}

/* Fill al for the files of the kept events; *longest is adjusted. */
static void alias_files(srv_explain *x, const bool *keep, loc_alias *al, size_t *longest) {
    memset(al, 0, sizeof *al);
    for (size_t i = 0; i < x->nev; i++) {
        const char *f = x->ev[i].file;
        if ((keep && !keep[i]) || !f || !*f) continue;
        size_t k = 0;
        while (k < al->n && strcmp(al->file[k], f))
            k++;
        if (k == al->n && al->n < MAX_ALIAS_FILES) al->file[al->n++] = f;
    }
    if (!al->n || *longest <= MAX_IDEAL_LOC) return;
    const char *tails[MAX_ALIAS_FILES];
    for (size_t i = 0; i < al->n; i++)
        if (!(tails[i] = dir_tail(x->a, al->file[i]))) return;
    /* the longest common substring of the tails (the first one found
     * scanning the first tail, for ties) */
    const char *t0 = tails[0];
    size_t l0 = strlen(t0), best = 0;
    const char *bp = t0;
    for (size_t len = l0; len > 0 && !best; len--)
        for (size_t st = 0; st + len <= l0; st++)
            if (all_have(tails + 1, al->n - 1, t0 + st, len)) {
                best = len;
                bp = t0 + st;
                break;
            }
    long diff = (long)MAX_IDEAL_LOC - ((long)*longest - (long)best + 3);
    if (diff > 0) best = (size_t)diff > best ? 0 : best - (size_t)diff;
    if (best <= 3) return;
    al->lcs = bp;
    al->lcs_len = best;
    for (size_t i = 0; i < al->n; i++) {
        const char *f = al->file[i], *hit = NULL;
        for (const char *h = f; *h && !hit; h++)
            if (!strncmp(h, bp, best)) hit = h;
        if (!hit) continue;
        al->alias[i] = gh_arena_printf(x->a, "%.*s...%s", (int)(hit - f), f, hit + best);
    }
    *longest -= best - 3;
}

static const char *alias_of(const loc_alias *al, const char *f) {
    for (size_t i = 0; i < al->n; i++)
        if (al->file[i] == f || !strcmp(al->file[i], f)) return al->alias[i] ? al->alias[i] : f;
    return f;
}

static val_t *event_line(gh_arena *a, const xev *e, size_t width, const loc_alias *al) {
    gh_buf b;
    gh_buf_init(&b);
    size_t start = b.len;
    if (e->file) {
        if (*e->file)
            gh_buf_printf(&b, "%s:%u", alias_of(al, e->file), e->row);
        else
            gh_buf_printf(&b, "query:%u", e->row);
    }
    while (b.len - start < width)
        gh_buf_putc(&b, ' ');
    gh_buf_putc(&b, ' ');
    gh_buf_puts(&b, e->text ? e->text : "");
    val_t *v = b.oom ? NULL : val_str(a, b.p, b.len);
    gh_buf_free(&b);
    return v;
}

/* OPA's lineage.Notes: each note preceded by the ENTER events of its
 * query and that query's ancestors not shown yet. */
static bool *notes_keep(srv_explain *x) {
    bool *keep = gh_arena_alloc(x->a, x->nev ? x->nev : 1);
    if (!keep) return NULL;
    memset(keep, 0, x->nev ? x->nev : 1);
    for (size_t i = 0; i < x->nev; i++) {
        if (x->ev[i].op != REGO_TRACE_NOTE) continue;
        keep[i] = true;
        uint64_t q = x->ev[i].qid;
        /* walk up: the latest ENTER of q before i, then of its parent */
        for (size_t j = i; j-- > 0;) {
            if (x->ev[j].op != REGO_TRACE_ENTER || x->ev[j].qid != q) continue;
            keep[j] = true;
            if (x->ev[j].pid == q) break; /* the root */
            q = x->ev[j].pid;
        }
    }
    return keep;
}

int srv_explain_emit(srv_explain *x, gh_buf *b, int level) {
    if (!x || x->oom) return GH_ENOMEM;
    gh_arena *a = x->a;
    bool *keep = NULL;
    if (x->mode == SRV_EXPLAIN_NOTES && !(keep = notes_keep(x))) return GH_ENOMEM;
    if (!x->pretty) {
        gh_buf_putc(b, '[');
        bool first = true;
        for (size_t i = 0; i < x->nev; i++) {
            if (keep && !keep[i]) continue;
            if (!first) gh_buf_putc(b, ',');
            first = false;
            event_json(a, b, &x->ev[i]);
        }
        gh_buf_putc(b, ']');
        return b->oom ? GH_ENOMEM : 0;
    }
    size_t longest = 0;
    for (size_t i = 0; i < x->nev; i++) {
        const xev *e = &x->ev[i];
        if ((keep && !keep[i]) || !e->file) continue;
        size_t l = (*e->file ? strlen(e->file) : MIN_LOC_WIDTH) + digits(e->row) + 1;
        if (l > longest) longest = l;
    }
    loc_alias *al = gh_arena_alloc(a, sizeof *al);
    if (!al) return GH_ENOMEM;
    alias_files(x, keep, al, &longest);
    size_t width = longest + LOC_PADDING;
    val_t *arr = val_arr_new(a, x->nev);
    if (!arr) return GH_ENOMEM;
    for (size_t i = 0; i < x->nev; i++) {
        if (keep && !keep[i]) continue;
        val_t *v = event_line(a, &x->ev[i], width, al);
        if (!v || val_arr_push(a, arr, v)) return GH_ENOMEM;
    }
    /* OPA splits its (empty) pretty text on newlines: one empty line */
    if (!val_arr_len(arr) && val_arr_push(a, arr, val_strc(a, ""))) return GH_ENOMEM;
    val_json_emit_indent(b, arr, VAL_JSON_PRETTY, level);
    return b->oom ? GH_ENOMEM : 0;
}
