/* registry.c - the table of every builtin: families are listed once below,
 * merged into one name-sorted index on first use (pthread_once), looked up
 * by binary search. Also turns each entry's `decl` string into OPA's
 * capabilities JSON shape for `gatehouse capabilities` and the type checker.
 * Invariant: names are unique across families (checked in debug builds). */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"

/* Every family linked into the engine. A family file that is not listed
 * here is not reachable: add its table when the file is added. */
static const rego_builtin *const families[] = {
    rego_bi_aggregates, rego_bi_arrays,  rego_bi_bits,    rego_bi_compare, rego_bi_encoding,
    rego_bi_glob,       rego_bi_json,    rego_bi_misc,    rego_bi_numbers, rego_bi_objects,
    rego_bi_regex,      rego_bi_semver,  rego_bi_sets,    rego_bi_sprintf, rego_bi_strings,
    rego_bi_types,      rego_bi_units,
    rego_bi_time,       rego_bi_net,
    rego_bi_crypto,     rego_bi_jwt,        rego_bi_aws,
    rego_bi_http,
    rego_bi_graphql,
    rego_bi_rego,
};

/* The index: every family's entries sorted by name. Host families
 * (rego_builtin_register) are appended at run time; a registration builds a
 * new index and swaps it in under the write lock, so lookups (read lock)
 * always see a complete one. Entries themselves are static tables. */
static const rego_builtin **index_;
static size_t nindex;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t index_lock = PTHREAD_RWLOCK_INITIALIZER;
static const rego_builtin *hosts[REGO_MAX_HOST_FAMILIES];
static size_t nhosts;

static int by_name(const void *a, const void *b) {
    return strcmp((*(const rego_builtin *const *)a)->name, (*(const rego_builtin *const *)b)->name);
}

/* A sorted index of the engine's families plus `extra` host families;
 * NULL on allocation failure. */
static const rego_builtin **index_make(const rego_builtin *const *extra, size_t nextra,
                                       size_t *count) {
    size_t n = 0;
    for (size_t f = 0; f < sizeof families / sizeof *families; f++)
        for (const rego_builtin *b = families[f]; b->name; b++) n++;
    for (size_t f = 0; f < nextra; f++)
        for (const rego_builtin *b = extra[f]; b->name; b++) n++;
    const rego_builtin **ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix) return NULL;
    size_t k = 0;
    for (size_t f = 0; f < sizeof families / sizeof *families; f++)
        for (const rego_builtin *b = families[f]; b->name; b++) ix[k++] = b;
    for (size_t f = 0; f < nextra; f++)
        for (const rego_builtin *b = extra[f]; b->name; b++) ix[k++] = b;
    qsort(ix, k, sizeof *ix, by_name);
    *count = k;
    return ix;
}

static void build_index(void) {
    /* on failure lookups find nothing; the engine reports unknown builtins */
    index_ = index_make(NULL, 0, &nindex);
#ifndef NDEBUG
    for (size_t i = 1; index_ && i < nindex; i++)
        assert(strcmp(index_[i - 1]->name, index_[i]->name) != 0);
#endif
}

static const rego_builtin *find_locked(const char *name, size_t n) {
    size_t lo = 0, hi = nindex;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = index_[mid]->name;
        int c = strncmp(m, name, n);
        if (c == 0) c = m[n] ? 1 : 0;
        if (c == 0) return index_[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const rego_builtin *rego_builtin_find(const char *name, size_t n) {
    pthread_once(&index_once, build_index);
    pthread_rwlock_rdlock(&index_lock);
    const rego_builtin *b = find_locked(name, n);
    pthread_rwlock_unlock(&index_lock);
    return b;
}

void rego_builtin_each(void (*fn)(void *ud, const rego_builtin *b), void *ud) {
    pthread_once(&index_once, build_index);
    pthread_rwlock_rdlock(&index_lock);
    for (size_t i = 0; i < nindex; i++) fn(ud, index_[i]);
    pthread_rwlock_unlock(&index_lock);
}

size_t rego_builtin_count(void) {
    pthread_once(&index_once, build_index);
    pthread_rwlock_rdlock(&index_lock);
    size_t n = nindex;
    pthread_rwlock_unlock(&index_lock);
    return n;
}

int rego_builtin_register(const rego_builtin *family, gh_err *e) {
    pthread_once(&index_once, build_index);
    pthread_rwlock_wrlock(&index_lock);
    int rc = 0;
    for (size_t i = 0; i < nhosts; i++)
        if (hosts[i] == family) goto out; /* already registered */
    if (nhosts == REGO_MAX_HOST_FAMILIES) {
        rc = gh_err_set(e, GH_ELIMIT, NULL, 0, 0, "too many host builtin families (limit %d)",
                        REGO_MAX_HOST_FAMILIES);
        goto out;
    }
    for (const rego_builtin *b = family; b->name; b++) {
        bool dup = find_locked(b->name, strlen(b->name)) != NULL;
        for (const rego_builtin *c = family; !dup && c != b; c++) dup = !strcmp(c->name, b->name);
        if (dup) {
            rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0, "builtin %s is already registered",
                            b->name);
            goto out;
        }
    }
    hosts[nhosts] = family;
    size_t count = 0;
    const rego_builtin **ix = index_make(hosts, nhosts + 1, &count);
    if (!ix) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    nhosts++;
    free(index_);
    index_ = ix;
    nindex = count;
out:
    pthread_rwlock_unlock(&index_lock);
    return rc;
}

/* ---- decl strings -> OPA type JSON ------------------------------------------ */

typedef struct {
    const char *p, *end, *decl;
    gh_arena *a;
    gh_err *e;
} decl_parser;

static void skip_ws(decl_parser *d) {
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t')) d->p++;
}

static int accept(decl_parser *d, const char *tok) {
    skip_ws(d);
    size_t n = strlen(tok);
    if ((size_t)(d->end - d->p) >= n && !memcmp(d->p, tok, n)) {
        d->p += n;
        return 1;
    }
    return 0;
}

static int decl_err(decl_parser *d, const char *what) {
    return gh_err_set(d->e, GH_EINTERNAL, NULL, 0, (int)(d->p - d->decl) + 1,
                      "builtin decl \"%s\": %s", d->decl, what);
}

static val_t *obj_kv(decl_parser *d, val_t *o, const char *k, val_t *v) {
    if (!o || !v) return NULL;
    val_t *key = val_strc(d->a, k);
    return key && !val_obj_put(d->a, o, key, v) ? o : NULL;
}

static val_t *type_kind(decl_parser *d, const char *kind) {
    val_t *o = val_obj_new(d->a, 3);
    return obj_kv(d, o, "type", val_strc(d->a, kind));
}

static val_t *parse_type(decl_parser *d);

/* OPA lists the alternatives of an any-of type in type order, and the
 * fields of a static object by key. */
static int type_rank(const val_t *t) {
    static const char *const order[] = {"null", "boolean", "number", "string",
                                        "array", "object", "set", "any"};
    const val_t *k = val_obj_get_str(t, "type", 4);
    for (int i = 0; k && i < 8; i++)
        if (!strcmp(val_str_ptr(k), order[i])) return i;
    return 8;
}

static int by_rank(const void *a, const void *b) {
    return type_rank(*(val_t *const *)a) - type_rank(*(val_t *const *)b);
}

static int by_key(const void *a, const void *b) {
    return val_compare(val_obj_get_str(*(val_t *const *)a, "key", 3),
                       val_obj_get_str(*(val_t *const *)b, "key", 3));
}

static val_t *sort_static(gh_arena *a, val_t *arr) {
    (void)a;
    qsort(arr->u.arr.items, val_arr_len(arr), sizeof(val_t *), by_key);
    return arr;
}

static val_t *parse_prim(decl_parser *d) {
    static const char *const scalars[] = {"any", "string", "number", "boolean", "null"};
    skip_ws(d);
    if (accept(d, "<")) {
        val_t *items = val_arr_new(d->a, 4);
        do {
            val_t *t = parse_type(d);
            if (!t || !items || val_arr_push(d->a, items, t)) return NULL;
        } while (accept(d, ","));
        if (!accept(d, ">")) return decl_err(d, "expected >"), NULL;
        return obj_kv(d, type_kind(d, "array"), "static", items);
    }
    if (accept(d, "array[")) {
        val_t *t = parse_type(d);
        if (!t || !accept(d, "]")) return decl_err(d, "expected ]"), NULL;
        return obj_kv(d, type_kind(d, "array"), "dynamic", t);
    }
    if (accept(d, "set[")) {
        val_t *t = parse_type(d);
        if (!t || !accept(d, "]")) return decl_err(d, "expected ]"), NULL;
        return obj_kv(d, type_kind(d, "set"), "of", t);
    }
    if (accept(d, "{")) { /* static object: {k: T, ...[, any: any]} */
        val_t *fields = val_arr_new(d->a, 4), *dyn = NULL;
        if (!fields) return NULL;
        do {
            skip_ws(d);
            const char *k = d->p;
            while (d->p < d->end && *d->p != ':' && *d->p != ' ') d->p++;
            size_t kn = (size_t)(d->p - k);
            if (!accept(d, ":")) return decl_err(d, "expected : in static object"), NULL;
            val_t *t = parse_type(d);
            if (!t) return NULL;
            if (kn == 3 && !memcmp(k, "any", 3)) { /* the dynamic part: any: T */
                dyn = obj_kv(d, obj_kv(d, val_obj_new(d->a, 2), "key", type_kind(d, "any")),
                             "value", t);
                continue;
            }
            val_t *f = obj_kv(d, val_obj_new(d->a, 2), "key", val_str(d->a, k, kn));
            if (!(f = obj_kv(d, f, "value", t)) || val_arr_push(d->a, fields, f)) return NULL;
        } while (accept(d, ","));
        if (!accept(d, "}")) return decl_err(d, "expected }"), NULL;
        val_t *o = type_kind(d, "object");
        if (dyn) o = obj_kv(d, o, "dynamic", dyn);
        if (val_arr_len(fields)) o = obj_kv(d, o, "static", sort_static(d->a, fields));
        return o;
    }
    if (accept(d, "object[")) {
        val_t *k = parse_type(d);
        if (!k || !accept(d, ":")) return decl_err(d, "expected :"), NULL;
        val_t *v = parse_type(d);
        if (!v || !accept(d, "]")) return decl_err(d, "expected ]"), NULL;
        val_t *dyn = obj_kv(d, obj_kv(d, val_obj_new(d->a, 2), "key", k), "value", v);
        return obj_kv(d, type_kind(d, "object"), "dynamic", dyn);
    }
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
        size_t n = strlen(scalars[i]);
        if ((size_t)(d->end - d->p) >= n && !memcmp(d->p, scalars[i], n) &&
            (d->p + n == d->end || !(d->p[n] >= 'a' && d->p[n] <= 'z'))) {
            d->p += n;
            return type_kind(d, scalars[i]);
        }
    }
    decl_err(d, "unknown type");
    return NULL;
}

static val_t *parse_type(decl_parser *d) {
    val_t *first = parse_prim(d);
    if (!first) return NULL;
    skip_ws(d);
    if (d->p >= d->end || *d->p != '|') return first;
    val_t *of = val_arr_new(d->a, 4);
    if (!of || val_arr_push(d->a, of, first)) return NULL;
    while (accept(d, "|")) {
        val_t *t = parse_prim(d);
        if (!t || val_arr_push(d->a, of, t)) return NULL;
    }
    qsort(of->u.arr.items, val_arr_len(of), sizeof(val_t *), by_rank);
    return obj_kv(d, type_kind(d, "any"), "of", of);
}

/* [name ":"] type  ->  the type object with "name" added */
static val_t *parse_named(decl_parser *d) {
    skip_ws(d);
    const char *s = d->p;
    while (d->p < d->end && (*d->p == '_' || (*d->p >= 'a' && *d->p <= 'z') ||
                             (*d->p >= 'A' && *d->p <= 'Z') || (*d->p >= '0' && *d->p <= '9')))
        d->p++;
    val_t *name = NULL;
    if (d->p > s && accept(d, ":") ) {
        /* a name only when followed by ':' that does not start a type */
        name = val_str(d->a, s, (size_t)(d->p - 1 - s));
    } else {
        d->p = s;
    }
    val_t *t = parse_type(d);
    if (t && name) t = obj_kv(d, t, "name", name);
    return t;
}

static val_t *decl_to_json(gh_arena *a, const char *decl, gh_err *e) {
    decl_parser d = {decl, decl + strlen(decl), decl, a, e};
    if (!accept(&d, "(")) return decl_err(&d, "expected ("), NULL;
    val_t *args = val_arr_new(a, 4), *variadic = NULL;
    if (!args) return NULL;
    if (!accept(&d, ")")) {
        do {
            val_t *t = parse_named(&d);
            if (!t) return NULL;
            if (accept(&d, "...")) { /* T... : any number of T (print) */
                variadic = t;
                break;
            }
            if (val_arr_push(a, args, t)) return NULL;
        } while (accept(&d, ","));
        if (!accept(&d, ")")) return decl_err(&d, "expected )"), NULL;
    }
    val_t *res = NULL;
    if (accept(&d, "->") && !(res = parse_named(&d))) return NULL; /* no result: a statement */
    skip_ws(&d);
    if (d.p != d.end) return decl_err(&d, "trailing text"), NULL;
    val_t *o = val_obj_new(a, 4);
    if (val_arr_len(args)) o = obj_kv(&d, o, "args", args); /* OPA omits empty args */
    if (res) o = obj_kv(&d, o, "result", res);
    o = obj_kv(&d, o, "type", val_strc(a, "function"));
    return variadic ? obj_kv(&d, o, "variadic", variadic) : o;
}

val_t *rego_builtin_decl_value(gh_arena *a, const rego_builtin *b) {
    gh_err e;
    gh_err_clear(&e);
    return b && b->decl ? decl_to_json(a, b->decl, &e) : NULL;
}

typedef struct {
    gh_arena *a;
    gh_err *e;
    val_t *list;
    int rc;
} caps_walk;

/* The operator spelling of builtins that Rego writes infix. */
static const char *infix_of(const char *name) {
    static const char *const ops[][2] = {
        {"and", "&"},  {"assign", ":="}, {"div", "/"},  {"eq", "="},  {"equal", "=="},
        {"gt", ">"},   {"gte", ">="},    {"internal.member_2", "in"}, {"internal.member_3", "in"},
        {"lt", "<"},   {"lte", "<="},    {"minus", "-"}, {"mul", "*"}, {"neq", "!="},
        {"or", "|"},   {"plus", "+"},    {"rem", "%"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(ops[i][0], name)) return ops[i][1];
    return NULL;
}

static void add_cap(void *ud, const rego_builtin *b) {
    caps_walk *w = ud;
    if (w->rc) return;
    decl_parser d = {NULL, NULL, b->decl, w->a, w->e};
    val_t *decl = decl_to_json(w->a, b->decl, w->e);
    val_t *o = val_obj_new(w->a, 6);
    o = obj_kv(&d, o, "name", val_strc(w->a, b->name));
    if (b->doc) o = obj_kv(&d, o, "description", val_strc(w->a, b->doc));
    if (b->category) {
        val_t *cats = val_arr_new(w->a, 1);
        if (cats && val_arr_push(w->a, cats, val_strc(w->a, b->category))) cats = NULL;
        o = obj_kv(&d, o, "categories", cats);
    }
    o = obj_kv(&d, o, "decl", decl);
    if (o && (b->flags & RB_RELATION)) o = obj_kv(&d, o, "relation", VAL_TRUE);
    if (o && (b->flags & RB_NONDET)) o = obj_kv(&d, o, "nondeterministic", VAL_TRUE);
    const char *infix = infix_of(b->name);
    if (o && infix) o = obj_kv(&d, o, "infix", val_strc(w->a, infix));
    if (!o || val_arr_push(w->a, w->list, o)) {
        if (!w->e || !w->e->code) gh_err_set(w->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        w->rc = w->e ? w->e->code : GH_ENOMEM;
    }
}

static val_t *str_array(gh_arena *a, const char *const *items, size_t n) {
    val_t *arr = val_arr_new(a, n);
    for (size_t i = 0; arr && i < n; i++)
        if (val_arr_push(a, arr, val_strc(a, items[i]))) return NULL;
    return arr;
}

/* Functions the evaluator implements itself (unification, print, tracing,
 * metadata of the rule being evaluated): not called through the registry,
 * but part of the language a policy may use, so capabilities lists them. */
static const rego_builtin evaluator_builtins[] = {
    {"assign", 2, 0, NULL, "(any, any) -> boolean", NULL, NULL},
    {"eq", 2, 0, NULL, "(any, any) -> boolean", NULL, NULL},
    {"internal.print", 1, 0, NULL, "(array[set[any]])", NULL, NULL},
    {"print", 0, 0, NULL, "(any...)", NULL, NULL},
    {"rego.metadata.chain", 0, 0, NULL, "() -> chain: array[any]", NULL,
     "Annotations of the rule being evaluated and of its ancestors."},
    {"rego.metadata.rule", 0, 0, NULL, "() -> output: any", NULL,
     "Rule-scope annotations of the rule being evaluated."},
    {"trace", 1, 0, NULL, "(note: string) -> result: boolean", "tracing",
     "Adds a note to the evaluation trace; always true."},
};

static const char *entry_name(const void *p) {
    return val_str_ptr(val_obj_get_str(*(val_t *const *)p, "name", 4));
}

static int by_entry_name(const void *a, const void *b) { return strcmp(entry_name(a), entry_name(b)); }

int rego_capabilities(gh_arena *a, val_t **out, gh_err *e) {
    static const char *const keywords[] = {"contains", "every", "if", "in"};
    static const char *const features[] = {"rule_head_ref_string_prefixes", "rule_head_refs",
                                           "rego_v1_import"};
    caps_walk w = {a, e, val_arr_new(a, 256), 0};
    if (!w.list) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    rego_builtin_each(add_cap, &w);
    for (size_t i = 0; !w.rc && i < sizeof evaluator_builtins / sizeof *evaluator_builtins; i++)
        add_cap(&w, &evaluator_builtins[i]);
    if (w.rc) return w.rc;
    qsort(w.list->u.arr.items, val_arr_len(w.list), sizeof(val_t *), by_entry_name);
    decl_parser d = {NULL, NULL, "", a, e};
    val_t *o = val_obj_new(a, 3);
    o = obj_kv(&d, o, "builtins", w.list);
    o = obj_kv(&d, o, "future_keywords", str_array(a, keywords, 4));
    o = obj_kv(&d, o, "features", str_array(a, features, 3));
    if (!o) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    *out = o;
    return 0;
}
