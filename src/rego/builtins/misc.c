/* misc.c - builtins without a larger family: uuid.rfc4122 / uuid.parse,
 * graph.reachable / graph.reachable_paths, walk, rand.intn, opa.runtime.
 * Called by the evaluator through rego_bi_misc. Non-deterministic ones
 * (uuid.rfc4122, rand.intn) memoise per query in the context's cache so
 * the same arguments give the same answer within one query, as in OPA.
 * Graph traversals and walk use explicit stacks: a long chain or a deep
 * document cannot overflow the C stack. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strings_int.h"
#include "rego/builtins/strutil.h"

/* ---- randomness ----------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* n random bytes: from the query's seed when the embedder fixed one
 * (reproducible runs), else from the kernel. `salt` separates callers. */
static int random_bytes(rego_bctx *c, uint64_t salt, unsigned char *out, size_t n) {
    if (c->seed) {
        uint64_t s = c->seed ^ salt;
        for (size_t i = 0; i < n; i += 8) {
            uint64_t r = splitmix(&s);
            for (size_t k = 0; k < 8 && i + k < n; k++)
                out[i + k] = (unsigned char)(r >> (8 * k));
        }
        return 0;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r < 0) return rb_err(c, "getrandom failed");
        got += (size_t)r;
    }
    return 0;
}

static val_t *cache_key(rego_bctx *c, const char *op, val_t *a1, val_t *a2) {
    val_t *k = val_arr_new(c->a, 3);
    val_t *o = val_strc(c->a, op);
    if (!k || !o || val_arr_push(c->a, k, o) || val_arr_push(c->a, k, a1)) return NULL;
    if (a2 && val_arr_push(c->a, k, a2)) return NULL;
    return k;
}

/* ---- uuid ------------------------------------------------------------------------------ */

/* Any key value is accepted, as OPA only uses it as the memo key. */
static int bi_uuid_rfc4122(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc;
    val_t *key = cache_key(c, "uuid.rfc4122", args[0], NULL);
    if (!key) return rb_oom(c);
    val_t *hit = rb_cache_get(c, key);
    if (hit) {
        *out = hit;
        return RB_OK;
    }
    unsigned char b[16];
    if ((rc = random_bytes(c, val_hash(args[0]) ^ 0x75756964ull, b, sizeof b))) return rc;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    static const char hx[] = "0123456789abcdef";
    char s[36];
    size_t w = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s[w++] = '-';
        s[w++] = hx[b[i] >> 4];
        s[w++] = hx[b[i] & 15];
    }
    val_t *v = val_str(c->a, s, sizeof s);
    if (!v) return rb_oom(c);
    if ((rc = rb_cache_put(c, key, v))) return rc;
    *out = v;
    return RB_OK;
}

static int hexv(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') return (ch | 0x20) - 'a' + 10;
    return -1;
}

/* google/uuid.Parse: 36 chars with dashes, "urn:uuid:" + 36, 38 chars
 * (any first and last character, meant to be braces), or 32 hex digits. */
static bool uuid_parse(const char *s, size_t n, unsigned char u[16]) {
    if (n == 45) {
        if (strncasecmp(s, "urn:uuid:", 9)) return false;
        s += 9;
        n = 36;
    } else if (n == 38) { /* "{...}": google/uuid does not look at the braces */
        s++;
        n = 36;
    }
    if (n == 32) {
        for (size_t i = 0; i < 16; i++) {
            int hi = hexv(s[2 * i]), lo = hexv(s[2 * i + 1]);
            if (hi < 0 || lo < 0) return false;
            u[i] = (unsigned char)(hi << 4 | lo);
        }
        return true;
    }
    if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
    static const int pos[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    for (size_t i = 0; i < 16; i++) {
        int hi = hexv(s[pos[i]]), lo = hexv(s[pos[i] + 1]);
        if (hi < 0 || lo < 0) return false;
        u[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static int put(rego_bctx *c, val_t *o, const char *k, val_t *v) {
    val_t *key = val_strc(c->a, k);
    if (!key || !v || val_obj_put(c->a, o, key, v)) return rb_oom(c);
    return 0;
}

/* OPA 0.61's uuid.parse fields: version and variant always; for versions
 * 1 and 2 also time (Unix ns, int64 arithmetic as Go wraps it),
 * clocksequence, nodeid (dash-separated hex) and macvariables; for
 * version 2 also id and domain. */
static int bi_uuid_parse(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc = rb_arg_str(c, args, 0, &s, &n);
    if (rc) return rc;
    unsigned char u[16];
    if (!uuid_parse(s, n, u)) return RB_UNDEF;
    int version = u[6] >> 4;
    const char *variant = (u[8] & 0xC0) == 0x80   ? "RFC4122"
                          : (u[8] & 0xE0) == 0xC0 ? "Microsoft"
                          : (u[8] & 0xE0) == 0xE0 ? "Future"
                                                  : "Reserved";
    val_t *o = val_obj_new(c->a, 8);
    if (!o) return rb_oom(c);
    if ((rc = put(c, o, "version", val_int(c->a, version))) ||
        (rc = put(c, o, "variant", val_strc(c->a, variant))))
        return rc;
    if (version == 1 || version == 2) {
        uint64_t t = (uint64_t)u[0] << 24 | (uint64_t)u[1] << 16 | (uint64_t)u[2] << 8 | u[3];
        t |= ((uint64_t)u[4] << 8 | u[5]) << 32;
        t |= ((uint64_t)(u[6] & 0x0F) << 8 | u[7]) << 48;
        int64_t d = (int64_t)t - 122192928000000000ll; /* 100ns ticks since 1970 */
        int64_t sec = d / 10000000, nsec = (d % 10000000) * 100;
        int64_t unix_ns = (int64_t)((uint64_t)sec * 1000000000ull + (uint64_t)nsec);
        int clock = (u[8] & 0x3F) << 8 | u[9];
        const char *mac = (u[10] & 3) == 3 ? "local:multicast"
                          : (u[10] & 1)    ? "global:multicast"
                          : (u[10] & 2)    ? "local:unicast"
                                           : "global:unicast";
        char node[18];
        static const char hx[] = "0123456789abcdef";
        for (int i = 0; i < 6; i++) {
            node[i * 3] = hx[u[10 + i] >> 4];
            node[i * 3 + 1] = hx[u[10 + i] & 15];
            if (i < 5) node[i * 3 + 2] = '-';
        }
        if ((rc = put(c, o, "time", val_int(c->a, unix_ns))) ||
            (rc = put(c, o, "clocksequence", val_int(c->a, clock))) ||
            (rc = put(c, o, "nodeid", val_str(c->a, node, 17))) ||
            (rc = put(c, o, "macvariables", val_strc(c->a, mac))))
            return rc;
        if (version == 2) {
            uint32_t id = (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
            char dom[24];
            const char *dn = u[9] == 0 ? "Person" : u[9] == 1 ? "Group" : u[9] == 2 ? "Org" : NULL;
            if (!dn) {
                snprintf(dom, sizeof dom, "Domain%d", u[9]);
                dn = dom;
            }
            if ((rc = put(c, o, "id", val_int(c->a, (int64_t)id))) ||
                (rc = put(c, o, "domain", val_strc(c->a, dn))))
                return rc;
        }
    }
    *out = o;
    return RB_OK;
}

/* ---- graphs ------------------------------------------------------------------------------ */

static int vertices_err(rego_bctx *c, const val_t *v) {
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, "operand 2 must be {array, set} but got %s",
                      val_kind_name(val_kind_of(v)));
}

/* Elements of an array or set in OPA's iteration order (sets sorted). */
typedef struct vseq {
    const val_t *coll;
    uint32_t *ord;
    size_t n;
} vseq;

static int vseq_init(rego_bctx *c, const val_t *v, vseq *q) {
    q->coll = v;
    q->ord = NULL;
    q->n = 0;
    if (val_kind_of(v) == VAL_ARRAY) {
        q->n = val_arr_len(v);
    } else if (val_kind_of(v) == VAL_SET) {
        q->n = val_set_len(v);
        if (q->n && !(q->ord = val_sorted_order(c->a, v))) return rb_oom(c);
    }
    return 0;
}

static val_t *vseq_at(const vseq *q, size_t i) {
    return q->ord ? val_set_at(q->coll, q->ord[i]) : val_arr_at(q->coll, i);
}

/* The operands of graph.reachable(_paths): a graph object and an array or
 * set of start vertices, read into *iq. */
static int graph_args(rego_bctx *c, val_t *const *args, vseq *iq) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    if (rc) return rc;
    if (val_kind_of(args[1]) != VAL_ARRAY && val_kind_of(args[1]) != VAL_SET)
        return vertices_err(c, args[1]);
    return vseq_init(c, args[1], iq);
}

static int bi_graph_reachable(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *g = args[0];
    vseq iq;
    int rc = graph_args(c, args, &iq);
    if (rc) return rc;
    size_t cap = iq.n + 16, head = 0, tail = 0;
    val_t **queue = gh_arena_alloc(c->a, cap * sizeof *queue);
    val_t *reached = val_set_new(c->a, 16);
    if (!queue || !reached) return rb_oom(c);
    for (size_t i = 0; i < iq.n; i++)
        queue[tail++] = vseq_at(&iq, i);
    while (head < tail) {
        val_t *node = queue[head++];
        const val_t *edges = val_obj_get(g, node);
        if (!edges || val_set_has(reached, node)) continue;
        vseq eq;
        if ((rc = vseq_init(c, edges, &eq))) return rc;
        for (size_t i = 0; i < eq.n; i++) {
            val_t *nb = vseq_at(&eq, i);
            if (val_set_has(reached, nb)) continue;
            if (tail == cap) {
                val_t **nq = gh_arena_realloc(c->a, queue, cap * sizeof *nq, cap * 2 * sizeof *nq);
                if (!nq) return rb_oom(c);
                queue = nq;
                cap *= 2;
            }
            queue[tail++] = nb;
        }
        if (val_set_add(c->a, reached, node, NULL)) return rb_oom(c);
    }
    *out = reached;
    return RB_OK;
}

typedef struct pframe {
    val_t *node;
    vseq edges;
    size_t next;
} pframe;

static int emit_path(rego_bctx *c, val_t *results, pframe *st, size_t depth, val_t *first) {
    val_t *p = val_arr_new(c->a, depth + 1);
    if (!p || val_arr_push(c->a, p, first)) return rb_oom(c);
    for (size_t i = 0; i < depth; i++)
        if (val_arr_push(c->a, p, st[i].node)) return rb_oom(c);
    return val_set_add(c->a, results, p, NULL) ? rb_oom(c) : 0;
}

/* The paths from `start` through `first` (OPA's pathBuilder): depth-first,
 * one `reached` set per start edge; a path ends at a vertex without edges,
 * before a vertex missing from the graph, or at an edge back into a
 * vertex already reached. */
static int paths_from(rego_bctx *c, const val_t *g, val_t *start, val_t *first, val_t *results) {
    val_t *reached = val_set_new(c->a, 8);
    if (!reached || val_set_add(c->a, reached, start, NULL)) return rb_oom(c);
    size_t cap = 16, depth = 0;
    pframe *st = gh_arena_alloc(c->a, cap * sizeof *st);
    if (!st) return rb_oom(c);
    int rc;
    val_t *pending = first; /* a vertex to descend into, or NULL to resume the top frame */
    for (;;) {
        if (pending) {
            const val_t *edges = val_obj_get(g, pending);
            if (!edges) {
                if ((rc = emit_path(c, results, st, depth, start))) return rc;
            } else {
                if (depth == cap) {
                    pframe *ns = gh_arena_realloc(c->a, st, cap * sizeof *ns, cap * 2 * sizeof *ns);
                    if (!ns) return rb_oom(c);
                    st = ns;
                    cap *= 2;
                }
                pframe *f = &st[depth++];
                f->node = pending;
                f->next = 0;
                if ((rc = vseq_init(c, edges, &f->edges))) return rc;
                if (!f->edges.n) {
                    if ((rc = emit_path(c, results, st, depth, start))) return rc;
                    depth--;
                }
            }
            pending = NULL;
        }
        if (!depth) return 0;
        pframe *f = &st[depth - 1];
        if (f->next == f->edges.n) {
            depth--;
            continue;
        }
        val_t *nb = vseq_at(&f->edges, f->next++);
        if (val_set_has(reached, nb)) {
            if ((rc = emit_path(c, results, st, depth, start))) return rc;
        } else {
            if (val_set_add(c->a, reached, f->node, NULL)) return rb_oom(c);
            pending = nb;
        }
    }
}

static int bi_graph_reachable_paths(rego_bctx *c, val_t *const *args, val_t **out) {
    const val_t *g = args[0];
    vseq iq;
    int rc = graph_args(c, args, &iq);
    if (rc) return rc;
    val_t *results = val_set_new(c->a, 8);
    if (!results) return rb_oom(c);
    for (size_t i = 0; i < iq.n; i++) {
        val_t *node = vseq_at(&iq, i);
        const val_t *edges = val_obj_get(g, node);
        if (!edges) continue;
        vseq eq;
        if ((rc = vseq_init(c, edges, &eq))) return rc;
        if (!eq.n) {
            val_t *p = val_arr_new(c->a, 1);
            if (!p || val_arr_push(c->a, p, node) || val_set_add(c->a, results, p, NULL))
                return rb_oom(c);
            continue;
        }
        for (size_t k = 0; k < eq.n; k++)
            if ((rc = paths_from(c, g, node, vseq_at(&eq, k), results))) return rc;
    }
    *out = results;
    return RB_OK;
}

/* ---- walk ----------------------------------------------------------------------------------- */

typedef struct wframe {
    const val_t *v;
    uint32_t *ord;
    size_t next, n;
} wframe;

/* Every [path, value] pair of x, pre-order, children in OPA's order
 * (arrays by index, objects and sets sorted). */
static int bi_walk(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *res = val_arr_new(c->a, 16);
    size_t cap = 16, depth = 0;
    wframe *st = gh_arena_alloc(c->a, cap * sizeof *st);
    val_t **path = gh_arena_alloc(c->a, cap * sizeof *path);
    if (!res || !st || !path) return rb_oom(c);
    const val_t *cur = args[0];
    for (;;) {
        if (cur) {
            val_t *p = val_arr_new(c->a, depth), *pair = val_arr_new(c->a, 2);
            if (!p || !pair) return rb_oom(c);
            for (size_t i = 0; i < depth; i++)
                if (val_arr_push(c->a, p, path[i])) return rb_oom(c);
            if (val_arr_push(c->a, pair, p) || val_arr_push(c->a, pair, (val_t *)cur) ||
                val_arr_push(c->a, res, pair))
                return rb_oom(c);
            val_kind k = val_kind_of(cur);
            if (k == VAL_ARRAY || k == VAL_OBJECT || k == VAL_SET) {
                if (depth == cap) {
                    wframe *ns = gh_arena_realloc(c->a, st, cap * sizeof *ns, cap * 2 * sizeof *ns);
                    val_t **np =
                        ns ? gh_arena_realloc(c->a, path, cap * sizeof *np, cap * 2 * sizeof *np)
                           : NULL;
                    if (!ns || !np) return rb_oom(c);
                    st = ns;
                    path = np;
                    cap *= 2;
                }
                wframe *f = &st[depth++];
                f->v = cur;
                f->next = 0;
                f->ord = NULL;
                f->n = k == VAL_ARRAY    ? val_arr_len(cur)
                       : k == VAL_OBJECT ? val_obj_len(cur)
                                         : val_set_len(cur);
                if (k != VAL_ARRAY && f->n && !(f->ord = val_sorted_order(c->a, cur)))
                    return rb_oom(c);
            }
            cur = NULL;
        }
        if (!depth) break;
        wframe *f = &st[depth - 1];
        if (f->next == f->n) {
            depth--;
            continue;
        }
        size_t i = f->next++;
        switch (val_kind_of(f->v)) {
        case VAL_ARRAY:
            if (!(path[depth - 1] = val_int(c->a, (int64_t)i))) return rb_oom(c);
            cur = val_arr_at(f->v, i);
            break;
        case VAL_OBJECT:
            path[depth - 1] = val_obj_key_at(f->v, f->ord[i]);
            cur = val_obj_val_at(f->v, f->ord[i]);
            break;
        default:
            path[depth - 1] = val_set_at(f->v, f->ord[i]);
            cur = path[depth - 1];
            break;
        }
    }
    *out = res;
    return RB_OK;
}

/* ---- rand, opa.runtime ------------------------------------------------------------------------
 */

static int bi_rand_intn(rego_bctx *c, val_t *const *args, val_t **out) {
    int64_t n;
    int rc = rb_arg_str(c, args, 0, NULL, NULL);
    if (rc || (rc = rb_go_int_operand(c, args, 1, &n))) return rc;
    if (n == 0) {
        *out = val_int(c->a, 0);
        return RB_OK;
    }
    if (n < 0) n = n == INT64_MIN ? INT64_MAX : -n;
    val_t *nv = val_int(c->a, n);
    val_t *key = nv ? cache_key(c, "rand.intn", args[0], nv) : NULL;
    if (!key) return rb_oom(c);
    val_t *hit = rb_cache_get(c, key);
    if (hit) {
        *out = hit;
        return RB_OK;
    }
    /* uniform in [0, n): reject the biased top of the 64-bit range */
    uint64_t un = (uint64_t)n, lim = UINT64_MAX - UINT64_MAX % un, r;
    uint64_t salt = val_hash(args[0]) ^ (uint64_t)n * 0x9E3779B97F4A7C15ull;
    do {
        unsigned char b[8];
        if ((rc = random_bytes(c, salt, b, sizeof b))) return rc;
        memcpy(&r, b, sizeof r);
        salt += 0x632BE59BD9B4E019ull;
    } while (r >= lim);
    val_t *v = val_int(c->a, (int64_t)(r % un));
    if (!v) return rb_oom(c);
    if ((rc = rb_cache_put(c, key, v))) return rc;
    *out = v;
    return RB_OK;
}

/* The evaluator may replace this with the embedding program's facts. */
static int bi_opa_runtime(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)args;
    *out = val_obj_new(c->a, 0);
    return *out ? RB_OK : rb_oom(c);
}

/* ---- table
 * ---------------------------------------------------------------------------------------- */

const rego_builtin rego_bi_misc[] = {
    {"uuid.rfc4122", 1, RB_NONDET | RB_NOCACHE, bi_uuid_rfc4122, "(k: string) -> output: string",
     "uuid", "A random version 4 UUID, the same for the same key within a query."},
    {"uuid.parse", 1, 0, bi_uuid_parse, "(uuid: string) -> result: object[string: any]", "uuid",
     "The fields of a UUID (version, variant, time, ...); undefined when malformed."},
    {"graph.reachable", 2, 0, bi_graph_reachable,
     "(graph: object[any: array[any]|set[any]], initial: array[any]|set[any]) -> output: "
     "set[any]",
     "graph", "The vertices reachable from the initial ones."},
    {"graph.reachable_paths", 2, 0, bi_graph_reachable_paths,
     "(graph: object[any: array[any]|set[any]], initial: array[any]|set[any]) -> output: "
     "set[array[any]]",
     "graph", "The paths reachable from the initial vertices."},
    {"walk", 1, RB_RELATION, bi_walk, "(x: any) -> output: <array[any], any>", "graph",
     "Every [path, value] pair of a document, the document itself first."},
    {"rand.intn", 2, RB_NONDET | RB_NOCACHE, bi_rand_intn, "(str: string, n: number) -> y: number",
     "numbers", "A random integer in [0, |n|), the same for the same arguments within a query."},
    {"opa.runtime", 0, RB_NONDET | RB_NOCACHE, bi_opa_runtime, "() -> output: object[string: any]",
     "opa", "Facts about the runtime; empty unless the embedding program provides them."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
