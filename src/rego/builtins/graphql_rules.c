/* graphql_rules.c - the larger validation rules: ValuesOfCorrectType,
 * NoFragmentCycles and OverlappingFieldsCanBeMerged, each following
 * gqlparser's algorithm so the same documents fail with the same errors in
 * the same order (messages are built with graphql_msg.c). Called from
 * graphql_validate.c's walk. Recursion and total work are charged to the
 * walker's limits (gq_enter/gq_spend). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"

/* ---- ValuesOfCorrectType ---------------------------------------------------------------- */

enum { NUM_OK, NUM_SYNTAX, NUM_RANGE };

/* strconv.ParseInt(s, 10, bits): which error, if any. */
static int parse_int(gh_str s, int bits) {
    size_t i = 0;
    bool neg = false;
    if (!s.n) return NUM_SYNTAX;
    if (s.p[0] == '+' || s.p[0] == '-') {
        neg = s.p[0] == '-';
        i = 1;
    }
    if (i == s.n) return NUM_SYNTAX;
    uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    uint64_t cutoff = UINT64_MAX / 10 + 1, n = 0;
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c < '0' || c > '9') return NUM_SYNTAX;
        if (n >= cutoff) return NUM_RANGE;
        n *= 10;
        uint64_t n1 = n + (uint64_t)(c - '0');
        if (n1 < n || n1 > max) return NUM_RANGE;
        n = n1;
    }
    uint64_t lim = (uint64_t)1 << (bits - 1);
    if (!neg && n >= lim) return NUM_RANGE;
    if (neg && n > lim) return NUM_RANGE;
    return NUM_OK;
}

/* strconv.ParseFloat(s, 64) for decimal literals and Inf/NaN spellings. */
static int parse_float(gh_str s) {
    char buf[128];
    if (!s.n) return NUM_SYNTAX;
    size_t i = 0;
    if (s.p[0] == '+' || s.p[0] == '-') i++;
    size_t rest = s.n - i;
    const char *r = s.p + i;
    static const char *const special[] = {"inf", "infinity", "nan"};
    for (int k = 0; k < 3; k++)
        if (rest == strlen(special[k]) && !strncasecmp(r, special[k], rest))
            return k == 2 && i ? NUM_SYNTAX : NUM_OK;
    size_t digits = 0;
    while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
        i++, digits++;
    if (i < s.n && s.p[i] == '.') {
        i++;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
            i++, digits++;
    }
    if (!digits) return NUM_SYNTAX;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        i++;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) i++;
        size_t ed = 0;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
            i++, ed++;
        if (!ed) return NUM_SYNTAX;
    }
    if (i != s.n) return NUM_SYNTAX;
    /* Overflow only: very long literals are reduced to their exponent's
     * effect, which strtod sees through its own scan. */
    char *tmp = s.n < sizeof buf ? buf : malloc(s.n + 1);
    if (!tmp) return NUM_OK;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    errno = 0;
    double d = strtod(tmp, NULL);
    int rc = isinf(d) ? NUM_RANGE : NUM_OK;
    if (tmp != buf) free(tmp);
    return rc;
}

static bool parse_bool(gh_str s) {
    static const char *const ok[] = {"1", "t", "T", "TRUE",  "true",  "True",
                                     "0", "f", "F", "FALSE", "false", "False"};
    for (int i = 0; i < 12; i++)
        if (gq_eqc(s, ok[i])) return true;
    return false;
}

/* Does gqlparser's Value.Value(nil) fail for v? */
static bool value_fails(gq_walker *w, const gq_value *v, int depth) {
    if (!v || depth > GQ_MAX_DEPTH || !gq_spend(w, 1)) return false;
    switch (v->kind) {
    case GQ_VAR:
        return v->vardef && v->vardef->defval && value_fails(w, v->vardef->defval, depth + 1);
    case GQ_INT: return parse_int(v->raw, 64) != NUM_OK;
    case GQ_FLOAT: return parse_float(v->raw) != NUM_OK;
    case GQ_BOOL: return !parse_bool(v->raw);
    case GQ_LIST:
    case GQ_OBJECT:
        for (uint32_t i = 0; i < v->children.n; i++) {
            gq_child *c = v->children.v[i];
            if (value_fails(w, c->value, depth + 1)) return true;
        }
        return false;
    default: return false;
    }
}

static bool one_of(const gq_def *d, const char *const *names) {
    for (; *names; names++)
        if (gq_eqc(d->name, *names)) return true;
    return false;
}

static void unexpected_only(gq_walker *w, rb_sb *b, const gq_value *v) {
    rb_sb ts;
    rb_sb_init(&ts, w->a, 32);
    gq_fmt(&ts, "%T", v->expected);
    gh_str t = {ts.p, ts.oom ? 0 : ts.len};
    if (gq_eqc(t, "Int") || gq_eqc(t, "Int!")) {
        if (parse_int(v->raw, 32) == NUM_RANGE)
            gq_fmt(b, "Int cannot represent non 32-bit signed integer value: %V", v);
        else
            gq_fmt(b, "Int cannot represent non-integer value: %V", v);
    } else if (gq_eqc(t, "String") || gq_eqc(t, "String!") || gq_eqc(t, "[String]")) {
        gq_fmt(b, "String cannot represent a non string value: %V", v);
    } else if (gq_eqc(t, "Boolean") || gq_eqc(t, "Boolean!")) {
        gq_fmt(b, "Boolean cannot represent a non boolean value: %V", v);
    } else if (gq_eqc(t, "Float") || gq_eqc(t, "Float!")) {
        gq_fmt(b, "Float cannot represent non numeric value: %V", v);
    } else if (gq_eqc(t, "ID") || gq_eqc(t, "ID!")) {
        gq_fmt(b, "ID cannot represent a non-string and non-integer value: %V", v);
    } else if (v->def->kind == GQ_K_ENUM) {
        gq_fmt(b, "Enum \"%S\" cannot represent non-enum value: %V.", &t, v);
    } else {
        gq_fmt(b, "Expected value of type \"%S\", found %V.", &t, v);
    }
}

static void unexpected(gq_walker *w, const gq_value *v) {
    rb_sb b;
    rb_sb_init(&b, w->a, 96);
    unexpected_only(w, &b, v);
    gq_report(w, &b, v->pos);
}

void gq_rule_values(gq_walker *w, gq_value *v) {
    static const char *const builtin_scalars[] = {"Int", "Float", "String", "Boolean", "ID", NULL};
    static const char *const int_ok[] = {"Int", "Float", "ID", NULL};
    static const char *const float_ok[] = {"Float", NULL};
    static const char *const string_ok[] = {"String", "ID", NULL};
    static const char *const bool_ok[] = {"Boolean", NULL};
    const gq_def *def = v->def;
    if (!def || !v->expected) return;
    if (v->kind == GQ_NULL && v->expected->nonnull)
        gq_errf(w, v->pos, "Expected value of type \"%T\", found %V.", v->expected, v);
    if (def->kind == GQ_K_SCALAR && !one_of(def, builtin_scalars)) return;
    gq_vec enums = {0};
    if (def->kind == GQ_K_ENUM)
        for (uint32_t i = 0; i < def->enumvals.n; i++)
            if (gq_push(w->a, &enums, &((gq_enumval *)def->enumvals.v[i])->name)) return;
    if (value_fails(w, v, 0)) unexpected(w, v);
    switch (v->kind) {
    case GQ_LIST:
        if (!v->expected->elem) unexpected(w, v);
        return;
    case GQ_INT:
        if (!one_of(def, int_ok)) unexpected(w, v);
        return;
    case GQ_FLOAT:
        if (!one_of(def, float_ok)) unexpected(w, v);
        return;
    case GQ_STRING:
    case GQ_BLOCK:
        if (def->kind == GQ_K_ENUM) {
            rb_sb b;
            rb_sb_init(&b, w->a, 96);
            gq_fmt(&b, "Enum \"%T\" cannot represent non-enum value: %V.", v->expected, v);
            gq_append_suggestions(w, &b, "Did you mean the enum value", v->raw, &enums, true);
            gq_report(w, &b, v->pos);
        } else if (!one_of(def, string_ok)) {
            unexpected(w, v);
        }
        return;
    case GQ_ENUM:
        if (def->kind != GQ_K_ENUM) {
            rb_sb b;
            rb_sb_init(&b, w->a, 96);
            unexpected_only(w, &b, v);
            gq_append_suggestions(w, &b, "Did you mean the enum value", v->raw, &enums, false);
            gq_report(w, &b, v->pos);
        } else {
            bool found = false;
            for (uint32_t i = 0; i < def->enumvals.n && !found; i++)
                found = gq_eq(((gq_enumval *)def->enumvals.v[i])->name, v->raw);
            if (!found) {
                rb_sb b;
                rb_sb_init(&b, w->a, 96);
                gq_fmt(&b, "Value \"%V\" does not exist in \"%T\" enum.", v, v->expected);
                gq_append_suggestions(w, &b, "Did you mean the enum value", v->raw, &enums, true);
                gq_report(w, &b, v->pos);
            }
        }
        return;
    case GQ_BOOL:
        if (!one_of(def, bool_ok)) unexpected(w, v);
        return;
    case GQ_OBJECT: {
        for (uint32_t i = 0; i < def->fields.n; i++) {
            gq_fielddef *f = def->fields.v[i];
            if (!f->type || !f->type->nonnull) continue;
            bool given = false;
            for (uint32_t k = 0; k < v->children.n && !given; k++)
                given = gq_eq(((gq_child *)v->children.v[k])->name, f->name);
            if (!given && !f->defval)
                gq_errf(w, v->pos, "Field \"%S.%S\" of required type \"%T\" was not provided.",
                        &def->name, &f->name, f->type);
        }
        for (uint32_t k = 0; k < v->children.n; k++) {
            gq_child *c = v->children.v[k];
            bool known = false;
            for (uint32_t i = 0; i < def->fields.n && !known; i++)
                known = gq_eq(((gq_fielddef *)def->fields.v[i])->name, c->name);
            if (known) continue;
            gq_vec names = {0};
            for (uint32_t i = 0; i < def->fields.n; i++)
                if (gq_push(w->a, &names, &((gq_fielddef *)def->fields.v[i])->name)) return;
            rb_sb b;
            rb_sb_init(&b, w->a, 96);
            gq_fmt(&b, "Field \"%S\" is not defined by type \"%S\".", &c->name, &def->name);
            gq_append_suggestions(w, &b, "Did you mean", c->name, &names, true);
            gq_report(w, &b, c->pos);
        }
        return;
    }
    default: return; /* null, variable */
    }
}

/* ---- NoFragmentCycles --------------------------------------------------------------------- */

/* gqlparser's getFragmentSpreads: the spreads under a selection set, found
 * with an explicit stack (so in its order, which orders the errors). */
static void fragment_spreads(gq_walker *w, const gq_vec *sel, gq_vec *out) {
    gq_vec stack = {0};
    if (gq_push(w->a, &stack, (void *)sel)) return;
    while (stack.n && gq_spend(w, 1)) {
        const gq_vec *set = stack.v[--stack.n];
        for (uint32_t i = 0; i < set->n; i++) {
            gq_sel *s = set->v[i];
            if (s->kind == GQ_SEL_SPREAD) {
                if (gq_push(w->a, out, s)) return;
            } else if (gq_push(w->a, &stack, &s->sel)) {
                return;
            }
        }
    }
}

typedef struct cycles {
    gq_walker *w;
    gq_vec path;  /* gq_sel* spreads */
    gq_map index; /* fragment name -> position in path + 1 */
} cycles;

static void cycles_rec(cycles *c, gq_frag *f) {
    gq_walker *w = c->w;
    if (gq_map_get(&w->cycles_visited, f->name)) return;
    if (gq_map_put(w->a, &w->cycles_visited, f->name, (void *)1) || !gq_enter(w)) return;
    gq_vec spreads = {0};
    fragment_spreads(w, &f->sel, &spreads);
    if (spreads.n && !gq_map_put(w->a, &c->index, f->name, (void *)(uintptr_t)(c->path.n + 1))) {
        for (uint32_t i = 0; i < spreads.n && !w->failed; i++) {
            gq_sel *sp = spreads.v[i];
            uintptr_t at = (uintptr_t)gq_map_get(&c->index, sp->name);
            if (gq_push(w->a, &c->path, sp)) break;
            if (!at) {
                for (uint32_t k = 0; k < w->doc->frags.n; k++) {
                    gq_frag *g = w->doc->frags.v[k];
                    if (gq_eq(g->name, sp->name)) {
                        cycles_rec(c, g);
                        break;
                    }
                }
            } else {
                rb_sb b;
                rb_sb_init(&b, w->a, 96);
                gq_fmt(&b, "Cannot spread fragment \"%S\" within itself", &sp->name);
                for (uint32_t k = (uint32_t)at - 1; k + 1 < c->path.n; k++) {
                    gq_sel *x = c->path.v[k];
                    rb_sb_puts(&b, k == at - 1 ? " via \"" : ", \"");
                    rb_sb_put(&b, x->name.p, x->name.n);
                    rb_sb_putc(&b, '"');
                }
                rb_sb_putc(&b, '.');
                gq_report(w, &b, sp->pos);
            }
            c->path.n--;
        }
        gq_map_put(w->a, &c->index, f->name, NULL);
    }
    gq_leave(w);
}

void gq_rule_cycles(gq_walker *w, gq_frag *f) {
    cycles c = {.w = w};
    cycles_rec(&c, f);
}

/* ---- OverlappingFieldsCanBeMerged ----------------------------------------------------------- */

/* Fields of a selection set by response name, in first-seen order
 * (gqlparser's sequentialFieldsMap). */
typedef struct fmap {
    gq_vec names; /* gh_str* */
    gq_vec lists; /* gq_vec* of gq_sel* */
    gq_map idx;   /* name -> index + 1, once there are more than FMAP_SCAN */
} fmap;

typedef struct conflict {
    gh_str resp;
    const char *msg;
    gq_vec subs; /* conflict* */
    gq_pos pos;
} conflict;

/* Position + 1 of name among m's response names (0 when absent): a scan
 * while the map is small, the hash index once it has grown. */
#define FMAP_SCAN 8
static uint32_t fmap_find(const fmap *m, gh_str name) {
    if (m->names.n <= FMAP_SCAN) {
        for (uint32_t i = 0; i < m->names.n; i++)
            if (gq_eq(*(gh_str *)m->names.v[i], name)) return i + 1;
        return 0;
    }
    return (uint32_t)(uintptr_t)gq_map_get(&m->idx, name);
}

static bool fmap_add(gq_walker *w, fmap *m, gh_str *name, gq_vec *list) {
    if (gq_push(w->a, &m->names, name) || gq_push(w->a, &m->lists, list)) return false;
    if (m->names.n == FMAP_SCAN + 1) {
        for (uint32_t i = 0; i < m->names.n; i++)
            if (gq_map_put(w->a, &m->idx, *(gh_str *)m->names.v[i], (void *)(uintptr_t)(i + 1)))
                return false;
    } else if (m->names.n > FMAP_SCAN + 1) {
        if (gq_map_put(w->a, &m->idx, *name, (void *)(uintptr_t)m->names.n)) return false;
    }
    return true;
}

static void collect_fields(gq_walker *w, const gq_vec *sel, fmap *m, gq_vec *spreads) {
    if (!gq_enter(w)) return;
    for (uint32_t i = 0; i < sel->n && gq_spend(w, 1); i++) {
        gq_sel *s = sel->v[i];
        if (s->kind == GQ_SEL_FIELD) {
            gh_str *resp = s->alias.n ? &s->alias : &s->name;
            uint32_t at = fmap_find(m, *resp);
            gq_vec *list;
            if (!at) {
                list = gh_arena_calloc(w->a, sizeof *list);
                if (!list || !fmap_add(w, m, resp, list)) break;
            } else {
                list = m->lists.v[at - 1];
            }
            if (gq_push(w->a, list, s)) break;
        } else if (s->kind == GQ_SEL_INLINE) {
            collect_fields(w, &s->sel, m, spreads);
        } else if (gq_push(w->a, spreads, s)) {
            break;
        }
    }
    gq_leave(w);
}

/* gqlparser's getFieldsAndFragmentNames, memoised per selection set (the
 * answer depends only on the set, and the comparisons ask again and again
 * for the same few sets). The spreads vector is shared: read only. */
typedef struct fmemo {
    const gq_vec *sel; /* also the memo's key bytes */
    fmap *m;
    gq_vec spreads;
} fmemo;

/* The memo is an open-addressing table keyed by the set's address (no
 * keyed hash needed: addresses are not chosen by the caller). */
typedef struct fmemo_tab {
    fmemo **slots;
    uint32_t n, cap;
} fmemo_tab;

static uint32_t ptr_slot(const void *p, uint32_t cap) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32) & (cap - 1);
}

static fmemo *memo_get(const fmemo_tab *t, const gq_vec *sel) {
    if (!t || !t->cap) return NULL;
    for (uint32_t i = ptr_slot(sel, t->cap);; i = (i + 1) & (t->cap - 1)) {
        fmemo *f = t->slots[i];
        if (!f || f->sel == sel) return f;
    }
}

static bool memo_put(gq_walker *w, fmemo_tab *t, fmemo *f) {
    if ((t->n + 1) * 2 > t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        fmemo **slots = gh_arena_calloc(w->a, cap * sizeof *slots);
        if (!slots) return false;
        for (uint32_t i = 0; i < t->cap; i++) {
            fmemo *x = t->slots[i];
            if (!x) continue;
            uint32_t k = ptr_slot(x->sel, cap);
            while (slots[k])
                k = (k + 1) & (cap - 1);
            slots[k] = x;
        }
        t->slots = slots;
        t->cap = cap;
    }
    uint32_t k = ptr_slot(f->sel, t->cap);
    while (t->slots[k])
        k = (k + 1) & (t->cap - 1);
    t->slots[k] = f;
    t->n++;
    return true;
}

static fmap *fields_of(gq_walker *w, const gq_vec *sel, gq_vec *spreads) {
    if (!w->fmemo && !(w->fmemo = gh_arena_calloc(w->a, sizeof(fmemo_tab)))) return NULL;
    fmemo *f = memo_get(w->fmemo, sel);
    if (!f) {
        f = gh_arena_calloc(w->a, sizeof *f);
        fmap *m = f ? gh_arena_calloc(w->a, sizeof *m) : NULL;
        if (!m) return NULL;
        f->sel = sel;
        collect_fields(w, sel, m, &f->spreads);
        if (w->failed) return NULL;
        f->m = m;
        if (!memo_put(w, w->fmemo, f)) return NULL;
    }
    *spreads = f->spreads;
    return f->m;
}

static gq_vec *fmap_get(const fmap *m, gh_str name) {
    uint32_t at = fmap_find(m, name);
    return at ? m->lists.v[at - 1] : NULL;
}

/* reflect.DeepEqual of the two maps' contents: nodes are equal when they
 * are the same node or agree in every member, positions included (so only
 * position-less nodes decoded from AST objects can differ yet compare
 * equal). Resolved definitions compare by identity. */
static bool value_equal(const gq_value *a, const gq_value *b, int depth);

static bool vec_equal(const gq_vec *a, const gq_vec *b, bool (*eq)(const void *, const void *, int),
                      int depth) {
    if (a->n != b->n) return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (!eq(a->v[i], b->v[i], depth)) return false;
    return true;
}

static bool pos_eq(gq_pos a, gq_pos b) { return a.line == b.line && a.col == b.col; }

static bool child_eq(const void *x, const void *y, int depth) {
    const gq_child *a = x, *b = y;
    return gq_eq(a->name, b->name) && pos_eq(a->pos, b->pos) &&
           value_equal(a->value, b->value, depth + 1);
}

static bool value_equal(const gq_value *a, const gq_value *b, int depth) {
    if (a == b) return true;
    if (!a || !b || depth > GQ_MAX_DEPTH) return false;
    return a->kind == b->kind && gq_eq(a->raw, b->raw) && pos_eq(a->pos, b->pos) &&
           a->def == b->def && a->vardef == b->vardef && a->expected == b->expected &&
           vec_equal(&a->children, &b->children, child_eq, depth);
}

static bool arg_eq(const void *x, const void *y, int depth) {
    const gq_arg *a = x, *b = y;
    return gq_eq(a->name, b->name) && pos_eq(a->pos, b->pos) &&
           value_equal(a->value, b->value, depth + 1);
}

static bool dir_eq(const void *x, const void *y, int depth) {
    const gq_dir *a = x, *b = y;
    return gq_eq(a->name, b->name) && pos_eq(a->pos, b->pos) && a->def == b->def &&
           a->location == b->location && vec_equal(&a->args, &b->args, arg_eq, depth);
}

static bool sel_eq(const void *x, const void *y, int depth) {
    const gq_sel *a = x, *b = y;
    if (a == b) return true;
    if (depth > GQ_MAX_DEPTH) return false;
    return a->kind == b->kind && gq_eq(a->alias, b->alias) && gq_eq(a->name, b->name) &&
           gq_eq(a->typecond, b->typecond) && pos_eq(a->pos, b->pos) && a->fdef == b->fdef &&
           a->objdef == b->objdef && a->frag == b->frag &&
           vec_equal(&a->args, &b->args, arg_eq, depth + 1) &&
           vec_equal(&a->dirs, &b->dirs, dir_eq, depth + 1) &&
           vec_equal(&a->sel, &b->sel, sel_eq, depth + 1);
}

static bool fmap_equal(const fmap *a, const fmap *b) {
    if (a == b) return true;
    if (a->names.n != b->names.n) return false;
    for (uint32_t i = 0; i < a->names.n; i++) {
        if (!gq_eq(*(gh_str *)a->names.v[i], *(gh_str *)b->names.v[i])) return false;
        if (!vec_equal(a->lists.v[i], b->lists.v[i], sel_eq, 0)) return false;
    }
    return true;
}

/* The compared-fragment-pairs set: "a\0b" -> 1 (not exclusive) or 2. */
/* "a\0b" in buf when it fits (lookups), else in the arena (stored keys). */
static gh_str pair_key(gq_walker *w, char *buf, size_t cap, gh_str a, gh_str b) {
    size_t n = a.n + b.n + 1;
    char *k = n <= cap ? buf : gh_arena_alloc(w->a, n);
    if (!k) return (gh_str){NULL, 0};
    if (a.n) memcpy(k, a.p, a.n);
    k[a.n] = '\0';
    if (b.n) memcpy(k + a.n + 1, b.p, b.n);
    return (gh_str){k, n};
}

static bool pairs_has(gq_walker *w, gh_str a, gh_str b, bool excl) {
    char buf[128];
    gh_str k = pair_key(w, buf, sizeof buf, a, b);
    uintptr_t v = k.p ? (uintptr_t)gq_map_get(&w->pairs, k) : 0;
    if (!v) return false;
    return excl ? true : v == 1;
}

static void pairs_add(gq_walker *w, gh_str a, gh_str b, bool excl) {
    gh_str k1 = pair_key(w, NULL, 0, a, b), k2 = pair_key(w, NULL, 0, b, a);
    void *v = (void *)(uintptr_t)(excl ? 2 : 1);
    if (k1.p) gq_map_put(w->a, &w->pairs, k1, v);
    if (k2.p) gq_map_put(w->a, &w->pairs, k2, v);
}

static void new_compared(gq_walker *w) {
    w->cmp_frags = gh_arena_calloc(w->a, sizeof *w->cmp_frags);
}

static conflict *find_conflict(gq_walker *w, bool parent_excl, gq_sel *a, gq_sel *b);

static void add_conflict(gq_walker *w, gq_vec *out, conflict *c) {
    if (c && gq_push(w->a, out, c)) w->a->oom = 1;
}

static void between(gq_walker *w, gq_vec *out, bool excl, const fmap *ma, const fmap *mb) {
    for (uint32_t i = 0; i < ma->names.n && !w->failed; i++) {
        const gq_vec *fb = fmap_get(mb, *(gh_str *)ma->names.v[i]);
        if (!fb) continue;
        const gq_vec *fa = ma->lists.v[i];
        for (uint32_t x = 0; x < fa->n; x++)
            for (uint32_t y = 0; y < fb->n && gq_spend(w, 1); y++)
                add_conflict(w, out, find_conflict(w, excl, fa->v[x], fb->v[y]));
    }
}

static void fields_and_fragment(gq_walker *w, gq_vec *out, bool excl, const fmap *m,
                                gq_sel *spread) {
    if (!w->cmp_frags || !gq_enter(w)) return;
    if (!gq_map_get(w->cmp_frags, spread->name)) {
        if (gq_map_put(w->a, w->cmp_frags, spread->name, (void *)1)) w->a->oom = 1;
        if (spread->frag) {
            gq_vec spreads_b = {0};
            fmap *mb = fields_of(w, &spread->frag->sel, &spreads_b);
            if (mb && !fmap_equal(m, mb)) {
                between(w, out, excl, m, mb);
                for (uint32_t i = 0; i < spreads_b.n && !w->failed; i++) {
                    gq_sel *s = spreads_b.v[i];
                    if (gq_eq(s->name, spread->name)) continue;
                    fields_and_fragment(w, out, excl, m, s);
                }
            }
        }
    }
    gq_leave(w);
}

static void between_fragments(gq_walker *w, gq_vec *out, bool excl, gq_sel *a, gq_sel *b) {
    if (gq_eq(a->name, b->name) || pairs_has(w, a->name, b->name, excl)) return;
    pairs_add(w, a->name, b->name, excl);
    if (!a->frag || !b->frag || !gq_enter(w)) return;
    gq_vec sa = {0}, sb = {0};
    fmap *ma = fields_of(w, &a->frag->sel, &sa), *mb = fields_of(w, &b->frag->sel, &sb);
    if (ma && mb) {
        between(w, out, excl, ma, mb);
        for (uint32_t i = 0; i < sb.n && !w->failed; i++)
            between_fragments(w, out, excl, a, sb.v[i]);
        for (uint32_t i = 0; i < sa.n && !w->failed; i++)
            between_fragments(w, out, excl, sa.v[i], b);
    }
    gq_leave(w);
}

static void sub_selections(gq_walker *w, gq_vec *out, bool excl, const gq_vec *sela,
                           const gq_vec *selb) {
    gq_vec sa = {0}, sb = {0};
    fmap *ma = fields_of(w, sela, &sa), *mb = fields_of(w, selb, &sb);
    if (!ma || !mb) return;
    between(w, out, excl, ma, mb);
    for (uint32_t i = 0; i < sb.n && !w->failed; i++) {
        new_compared(w);
        fields_and_fragment(w, out, excl, ma, sb.v[i]);
    }
    for (uint32_t i = 0; i < sa.n && !w->failed; i++) {
        new_compared(w);
        fields_and_fragment(w, out, excl, mb, sa.v[i]);
    }
    for (uint32_t i = 0; i < sa.n && !w->failed; i++)
        for (uint32_t k = 0; k < sb.n && !w->failed; k++)
            between_fragments(w, out, excl, sa.v[i], sb.v[k]);
}

static bool same_arguments(const gq_vec *a1, const gq_vec *a2) {
    if (a1->n != a2->n) return false;
    for (uint32_t i = 0; i < a1->n; i++) {
        gq_arg *x = a1->v[i];
        bool matched = false;
        for (uint32_t k = 0; k < a2->n && !matched; k++) {
            gq_arg *y = a2->v[k];
            matched = gq_eq(x->name, y->name) && x->value && y->value &&
                      x->value->kind == y->value->kind && gq_eq(x->value->raw, y->value->raw);
        }
        if (!matched) return false;
    }
    return true;
}

static bool types_conflict(gq_walker *w, const gq_type *t1, const gq_type *t2) {
    for (int depth = 0; t1 && t2 && depth <= GQ_MAX_DEPTH; depth++) {
        if (t1 == t2) return false;
        if (t1->elem) {
            if (!t2->elem) return true;
            t1 = t1->elem;
            t2 = t2->elem;
            continue;
        }
        if (t2->elem) return true;
        if (t1->nonnull != t2->nonnull) return true;
        if (gq_eq(t1->named, t2->named)) return false; /* one type: never a conflict */
        gq_def *d1 = gq_map_get(&w->s->types, t1->named), *d2 = gq_map_get(&w->s->types, t2->named);
        if (!d1 || !d2) return false;
        bool l1 = d1->kind == GQ_K_SCALAR || d1->kind == GQ_K_ENUM;
        bool l2 = d2->kind == GQ_K_SCALAR || d2->kind == GQ_K_ENUM;
        if (l1 && l2) return !gq_eq(d1->name, d2->name);
        return false;
    }
    return false;
}

static conflict *new_conflict(gq_walker *w, gh_str resp, const char *msg, gq_pos pos) {
    conflict *c = gh_arena_calloc(w->a, sizeof *c);
    if (!c) return NULL;
    c->resp = resp;
    c->msg = msg;
    c->pos = pos;
    return c;
}

static conflict *find_conflict(gq_walker *w, bool parent_excl, gq_sel *a, gq_sel *b) {
    if (!a->objdef || !b->objdef || !gq_spend(w, 1)) return NULL;
    bool excl = parent_excl;
    if (!excl)
        excl = !gq_eq(a->objdef->name, b->objdef->name) && a->objdef->kind == GQ_K_OBJECT &&
               b->objdef->kind == GQ_K_OBJECT && a->fdef && b->fdef;
    gh_str resp = a->alias.n ? a->alias : a->name;
    if (!excl) {
        if (!gq_eq(a->name, b->name)) {
            rb_sb m;
            rb_sb_init(&m, w->a, 64);
            gq_fmt(&m, "\"%S\" and \"%S\" are different fields", &a->name, &b->name);
            rb_sb_putc(&m, '\0');
            return m.oom ? NULL : new_conflict(w, resp, m.p, b->pos);
        }
        if (!same_arguments(&a->args, &b->args))
            return new_conflict(w, resp, "they have differing arguments", b->pos);
    }
    if (a->fdef && b->fdef && types_conflict(w, a->fdef->type, b->fdef->type)) {
        rb_sb m;
        rb_sb_init(&m, w->a, 64);
        gq_fmt(&m, "they return conflicting types \"%T\" and \"%T\"", a->fdef->type, b->fdef->type);
        rb_sb_putc(&m, '\0');
        return m.oom ? NULL : new_conflict(w, resp, m.p, b->pos);
    }
    if (!gq_enter(w)) return NULL;
    gq_vec subs = {0};
    sub_selections(w, &subs, excl, &a->sel, &b->sel);
    gq_leave(w);
    if (!subs.n) return NULL;
    conflict *c = new_conflict(w, resp, NULL, b->pos);
    if (c) c->subs = subs;
    return c;
}

static void conflict_str(rb_sb *b, const conflict *c, int depth) {
    if (!c->subs.n || depth > GQ_MAX_DEPTH) {
        if (c->msg) rb_sb_puts(b, c->msg);
        return;
    }
    for (uint32_t i = 0; i < c->subs.n; i++) {
        const conflict *s = c->subs.v[i];
        rb_sb_puts(b, "subfields \"");
        rb_sb_put(b, s->resp.p, s->resp.n);
        rb_sb_puts(b, "\" conflict because ");
        conflict_str(b, s, depth + 1);
        if (i + 1 < c->subs.n) rb_sb_puts(b, " and ");
    }
}

void gq_rule_overlap(gq_walker *w, const gq_vec *sel) {
    if (!sel->n || w->failed) return;
    gq_vec out = {0}, spreads = {0};
    fmap *m = fields_of(w, sel, &spreads);
    if (!m) return;
    /* (A) conflicts within the set's own fields */
    for (uint32_t i = 0; i < m->lists.n && !w->failed; i++) {
        const gq_vec *fs = m->lists.v[i];
        for (uint32_t x = 0; x < fs->n; x++)
            for (uint32_t y = x + 1; y < fs->n && gq_spend(w, 1); y++)
                add_conflict(w, &out, find_conflict(w, false, fs->v[x], fs->v[y]));
    }
    /* (B) against each spread fragment, (C) between the spread fragments */
    new_compared(w);
    for (uint32_t i = 0; i < spreads.n && !w->failed; i++) {
        fields_and_fragment(w, &out, false, m, spreads.v[i]);
        for (uint32_t k = i + 1; k < spreads.n && !w->failed; k++)
            between_fragments(w, &out, false, spreads.v[i], spreads.v[k]);
    }
    if (w->a->oom && !w->failed) gq_spend(w, 0);
    for (uint32_t i = 0; i < out.n && !w->failed; i++) {
        const conflict *c = out.v[i];
        rb_sb b;
        rb_sb_init(&b, w->a, 128);
        rb_sb_puts(&b, "Fields \"");
        rb_sb_put(&b, c->resp.p, c->resp.n);
        rb_sb_puts(&b, "\" conflict because ");
        conflict_str(&b, c, 0);
        rb_sb_puts(&b, ". Use different aliases on the fields to fetch both if this was "
                       "intentional.");
        gq_report(w, &b, c->pos);
    }
}
