/* compile.c - rego_policy: collecting modules and base documents, building
 * the rule tree (one node per data path segment; rules sit at the node of
 * their head's constant prefix), conflict checks between rule kinds, and
 * the compile pipeline (tree -> lowering + safety -> types -> recursion).
 * Called by embedders through rego.h. After a successful compile nothing
 * here mutates the policy again, so evaluations may share it freely. */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

int rc_errf(gh_err *e, int code, const char *kind, const rego_loc *loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(e, code, loc ? loc->file : NULL, loc ? (int)loc->line : 0,
                loc ? (int)loc->col : 0, fmt, ap);
    va_end(ap);
    if (e) gh_err_set_kind(e, kind);
    return code;
}

static int oom(gh_err *e) {
    gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    return GH_ENOMEM;
}

/* ---- rule tree ------------------------------------------------------------- */

rnode *rt_node_new(rego_policy *p, rnode *parent, val_t *key) {
    rnode *n = gh_arena_calloc(&p->a, sizeof *n);
    if (!n) return NULL;
    n->key = key;
    n->parent = parent;
    n->id = p->nnodes++;
    n->depth = parent ? parent->depth + 1 : 0;
    n->path = val_arr_new(&p->a, n->depth);
    if (!n->path) return NULL;
    if (parent) {
        for (uint32_t i = 0; i < val_arr_len(parent->path); i++)
            if (val_arr_push(&p->a, n->path, val_arr_at(parent->path, i))) return NULL;
        if (val_arr_push(&p->a, n->path, key)) return NULL;
    }
    return n;
}

static int64_t kid_search(const rnode *n, const val_t *key, bool *found) {
    uint32_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = val_compare(n->kids[mid]->key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

rnode *rt_kid(const rnode *n, const val_t *key) {
    bool found;
    int64_t i = kid_search(n, key, &found);
    return found ? n->kids[i] : NULL;
}

rnode *rt_kid_add(rego_policy *p, rnode *n, val_t *key) {
    bool found;
    int64_t i = kid_search(n, key, &found);
    if (found) return n->kids[i];
    if (n->nkids == n->capkids) {
        uint32_t nc = n->capkids ? n->capkids * 2 : 4;
        rnode **k = gh_arena_realloc(&p->a, n->kids, n->capkids * sizeof *k, nc * sizeof *k);
        if (!k) return NULL;
        n->kids = k;
        n->capkids = nc;
    }
    rnode *kid = rt_node_new(p, n, key);
    if (!kid) return NULL;
    memmove(n->kids + i + 1, n->kids + i, (n->nkids - (uint32_t)i) * sizeof *n->kids);
    n->kids[i] = kid;
    n->nkids++;
    return kid;
}

rnode *rt_lookup(const rego_policy *p, val_t *const *keys, uint32_t n) {
    rnode *cur = p->root;
    for (uint32_t i = 0; cur && i < n; i++) cur = rt_kid(cur, keys[i]);
    return cur;
}

/* ---- policy ------------------------------------------------------------------ */

rego_policy *rego_policy_new(void) {
    rego_policy *p = gh_calloc(1, sizeof *p);
    if (!p) return NULL;
    gh_arena_init(&p->a, 0);
    atomic_init(&p->refs, 1);
    p->data = val_obj_new(&p->a, 8);
    if (!p->data) {
        gh_arena_free(&p->a);
        gh_free(p);
        return NULL;
    }
    return p;
}

void rego_policy_free(rego_policy *p) {
    if (!p) return;
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1) return;
    if (p->core) { /* rebased: its own arena (data, bases), then the shared core */
        rego_policy *core = p->core;
        gh_arena_free(&p->a);
        gh_free(p);
        rego_policy_free(core);
        return;
    }
    for (uint32_t i = 0; i < p->nmods; i++) {
        gh_arena_free(p->mods[i].arena);
        gh_free(p->mods[i].arena);
    }
    gh_arena_free(&p->a);
    gh_free(p);
}

const val_t *rego_policy_data(const rego_policy *p) { return p->data; }

/* Depth-first over the rule tree in key order; string-keyed paths only (a
 * data document cannot live under any other key). */
static int visit_rule_paths(const rnode *n, val_t **keys, uint32_t depth, rego_rule_path_fn fn,
                            void *ud) {
    if (n->parent) {
        if (!n->key || !val_is_str(n->key) || depth >= GH_MAX_DEPTH) return 0;
        keys[depth++] = n->key;
    }
    if (n->nsrcs || n->dflt_src) {
        const rego_rule *first = n->nsrcs ? n->srcs[0] : n->dflt_src;
        if (n->dflt_src && n->nsrcs && n->dflt_src->module == first->module &&
            n->dflt_src->loc.off < first->loc.off)
            first = n->dflt_src;
        int rc = fn(ud, keys, depth, &first->loc);
        if (rc) return rc > 0 ? 0 : rc;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = visit_rule_paths(n->kids[i], keys, depth, fn, ud);
        if (rc) return rc;
    }
    return 0;
}

int rego_policy_rule_paths(const rego_policy *p, rego_rule_path_fn fn, void *ud) {
    if (!p->compiled || !p->root) return GH_EINVAL;
    val_t **keys = gh_malloc(GH_MAX_DEPTH * sizeof *keys);
    if (!keys) return GH_ENOMEM;
    int rc = visit_rule_paths(p->root, keys, 0, fn, ud);
    gh_free(keys);
    return rc;
}

static bool builtin_known(void *ctx, const char *name, size_t n) {
    (void)ctx;
    return rego_builtin_find(name, n) != NULL;
}

int rego_policy_add_module(rego_policy *p, const char *file, const char *src, size_t n,
                           const rego_parse_opts *o, gh_err *e) {
    if (p->compiled) return gh_err_set(e, GH_EINVAL, file, 0, 0, "policy already compiled");
    rego_parse_opts po = o ? *o : (rego_parse_opts){0};
    if (!po.is_builtin) po.is_builtin = builtin_known;
    if (p->nmods == p->capmods) {
        uint32_t nc = p->capmods ? p->capmods * 2 : 8;
        pmod *mods = gh_arena_realloc(&p->a, p->mods, p->capmods * sizeof *mods, nc * sizeof *mods);
        if (!mods) return oom(e);
        p->mods = mods;
        p->capmods = nc;
    }
    /* Each module's AST gets its own arena with a budget, so a hostile source
     * cannot exhaust memory (and a failed parse leaves the policy usable). */
    gh_arena *ma = gh_malloc(sizeof *ma);
    if (!ma) return oom(e);
    gh_arena_init(ma, REGO_MODULE_ARENA_BASE + REGO_MODULE_ARENA_PER_BYTE * n);
    rego_module *m = NULL;
    int rc = rego_parse_module(ma, file, src, n, &po, &m, e);
    if (rc) {
        gh_arena_free(ma);
        gh_free(ma);
        if (rc == GH_ENOMEM)
            return rc_errf(e, GH_ELIMIT, "rego_parse_error", NULL,
                           "rego_parse_error: module %s needs more memory than allowed",
                           file ? file : "");
        if (e && !e->kind && rc == GH_EPARSE) gh_err_set_kind(e, "rego_parse_error");
        return rc;
    }
    p->mods[p->nmods++] = (pmod){.m = m, .arena = ma};
    return 0;
}

/* Deep merge src into dst (an object in the policy arena). */
static int merge_obj(rego_policy *p, val_t *dst, const val_t *src, gh_err *e) {
    for (uint32_t i = 0; i < val_obj_len(src); i++) {
        val_t *k = val_obj_key_at(src, i), *v = val_obj_val_at(src, i);
        val_t *cur = val_obj_get(dst, k);
        /* keys are copied too: the caller's data may be freed after this */
        if (!(k = val_copy(&p->a, k))) return oom(e);
        if (cur && val_kind_of(cur) == VAL_OBJECT && val_kind_of(v) == VAL_OBJECT) {
            /* copy-on-merge: cur may be shared with caller data, so rebuild */
            val_t *nv = val_obj_new(&p->a, val_obj_len(cur) + val_obj_len(v));
            if (!nv) return oom(e);
            for (uint32_t j = 0; j < val_obj_len(cur); j++)
                if (val_obj_put(&p->a, nv, val_obj_key_at(cur, j), val_obj_val_at(cur, j)))
                    return oom(e);
            int rc = merge_obj(p, nv, v, e);
            if (rc) return rc;
            if (val_obj_put(&p->a, dst, k, nv)) return oom(e);
            continue;
        }

        if (cur && (val_kind_of(cur) == VAL_OBJECT) != (val_kind_of(v) == VAL_OBJECT))
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "data merge conflict at key %s",
                              val_is_str(k) ? val_str_ptr(k) : "?");
        val_t *c = val_copy(&p->a, v);
        if (!c || val_obj_put(&p->a, dst, k, c)) return oom(e);
    }
    return 0;
}

int rego_policy_add_data(rego_policy *p, const val_t *data, gh_err *e) {
    if (p->compiled) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "policy already compiled");
    if (!data || val_kind_of(data) != VAL_OBJECT)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "data must be an object");
    return merge_obj(p, p->data, data, e);
}

/* ---- constant terms ------------------------------------------------------------ */

val_t *rc_term_const(gh_arena *a, const rego_term *t) {
    switch (t->kind) {
    case REGO_T_SCALAR:
        return t->u.value;
    case REGO_T_ARRAY: {
        val_t *arr = val_arr_new(a, t->u.list.n);
        for (uint32_t i = 0; arr && i < t->u.list.n; i++) {
            val_t *x = rc_term_const(a, t->u.list.items[i]);
            if (!x || val_arr_push(a, arr, x)) return NULL;
        }
        return arr;
    }
    case REGO_T_SET: {
        val_t *s = val_set_new(a, t->u.list.n);
        for (uint32_t i = 0; s && i < t->u.list.n; i++) {
            val_t *x = rc_term_const(a, t->u.list.items[i]);
            if (!x || val_set_add(a, s, x, NULL)) return NULL;
        }
        return s;
    }
    case REGO_T_OBJECT: {
        val_t *o = val_obj_new(a, t->u.obj.n);
        for (uint32_t i = 0; o && i < t->u.obj.n; i++) {
            val_t *k = rc_term_const(a, t->u.obj.keys[i]);
            val_t *v = k ? rc_term_const(a, t->u.obj.vals[i]) : NULL;
            if (!v || val_obj_put(a, o, k, v)) return NULL;
        }
        return o;
    }
    default:
        return NULL;
    }
}

int rego_term_to_value(gh_arena *a, const rego_term *t, val_t **out, gh_err *e) {
    if (!rego_term_is_ground(t))
        return rc_errf(e, GH_EINVAL, "rego_compile_error", &t->loc, "term is not ground");
    val_t *v = rc_term_const(a, t);
    if (!v) return oom(e);
    *out = v;
    return 0;
}

/* ---- building the tree ------------------------------------------------------------ */

static const char *node_path_text(gh_arena *a, const rnode *n) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "data");
    for (uint32_t i = 0; i < val_arr_len(n->path); i++) {
        const val_t *k = val_arr_at(n->path, i);
        if (val_is_str(k)) {
            gh_buf_putc(&b, '.');
            gh_buf_append(&b, val_str_ptr(k), val_str_len(k));
        } else {
            gh_buf_putc(&b, '[');
            val_json_emit(&b, k, 0);
            gh_buf_putc(&b, ']');
        }
    }
    const char *s = b.oom ? "data" : gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return s;
}

const char *rc_node_path(gh_arena *a, const rnode *n) { return node_path_text(a, n); }

/* A rule conflict at node n, reported once per node at its first rule (as
 * OPA does) into the stage's list; the conflicting rule is left out. */
static int conflict(rego_policy *p, rnode *n, const rego_rule *r, rego_errors *l,
                    const char *what) {
    if (n->conflict) return 0;
    n->conflict = true;
    const rego_rule *first = n->nsrcs ? n->srcs[0] : n->dflt_src ? n->dflt_src : r;
    if (!strcmp(what, "default")) first = n->dflt_src;
    char msg[GH_ERR_MSG];
    snprintf(msg, sizeof msg, "%s rules %s found", what[0] == 'd' ? "multiple default" : "conflicting",
             node_path_text(&p->a, n));
    const rego_loc *loc = &first->loc;
    return rc_elist_add(l, GH_ECONFLICT, "rego_type_error", loc->file, (int)loc->line,
                        (int)loc->col, msg, NULL, NULL);
}

static int add_rule(rego_policy *p, pmod *pm, rego_rule *r, rego_errors *l, gh_err *e) {
    rego_term *ref = r->ref;
    uint32_t nref = ref->u.list.n;
    /* tree walks recurse by path depth: bound it */
    if (pm->pkg->depth + nref > GH_MAX_DEPTH)
        return rc_errf(e, GH_ELIMIT, "rego_compile_error", &r->loc,
                       "rule path deeper than %d elements", GH_MAX_DEPTH);
    /* the head var, then the ground prefix */
    rnode *n = rt_kid_add(p, pm->pkg, val_strc(&p->a, ref->u.list.items[0]->u.var.name));
    if (!n) return oom(e);
    uint32_t i = 1;
    for (; i < nref; i++) {
        const rego_term *t = ref->u.list.items[i];
        if (t->kind != REGO_T_SCALAR) break;
        /* the last element of a multi-value rule's ref stays a key only when
         * variable; constant elements are path */
        n = rt_kid_add(p, n, t->u.value);
        if (!n) return oom(e);
    }
    bool tail = i < nref;
    uint8_t kind;
    switch (r->kind) {
    case REGO_RULE_FUNC: kind = NK_FUNC; break;
    case REGO_RULE_MULTI: kind = tail ? NK_OBJ : NK_MULTI; break;
    default: kind = tail ? NK_OBJ : NK_COMPLETE; break;
    }
    if (kind == NK_FUNC && tail)
        return rc_errf(e, GH_EPARSE, "rego_type_error", &r->head_loc,
                       "function rule heads must be ground refs");
    /* OPA: rego_type_error conflicting rules (kinds, function arities) */
    if (n->kind != NK_NONE && n->kind != kind) return conflict(p, n, r, l, "conflicting");
    if (kind == NK_FUNC) {
        if (n->kind == NK_FUNC && n->func_arity != (int16_t)r->nargs)
            return conflict(p, n, r, l, "conflicting");
        n->func_arity = (int16_t)r->nargs;
    }
    n->kind = kind;
    if (r->flags & REGO_RF_DEFAULT) {
        if (n->dflt_src) return conflict(p, n, r, l, "default");
        n->dflt_src = r;
        return 0;
    }
    if (n->nsrcs == n->capsrcs) {
        uint32_t nc = n->capsrcs ? n->capsrcs * 2 : 4;
        const rego_rule **rs =
            gh_arena_realloc(&p->a, n->srcs, n->capsrcs * sizeof *rs, nc * sizeof *rs);
        if (!rs) return oom(e);
        n->srcs = rs;
        n->capsrcs = nc;
    }
    n->srcs[n->nsrcs++] = r;
    return 0;
}

static bool mark_subtree(rnode *n) {
    bool any = n->kind != NK_NONE;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (mark_subtree(n->kids[i])) any = true;
    n->subtree_rules = any;
    return any;
}

/* bases[n->id] = the base document at each node (the root only takes an object). */
static void attach_base(val_t **bases, rnode *n, val_t *base) {
    bases[n->id] = base && val_kind_of(base) == VAL_OBJECT ? base : NULL;
    if (n->depth > 0) bases[n->id] = base;
    for (uint32_t i = 0; i < n->nkids; i++) {
        val_t *kb = base && val_kind_of(base) == VAL_OBJECT ? val_obj_get(base, n->kids[i]->key) : NULL;
        attach_base(bases, n->kids[i], kb);
    }
}

/* The name an import binds ("foo" for data.x.foo, the alias when given);
 * "rego.v1" for that import; NULL for future.keywords imports. */
static const char *import_name(gh_arena *a, const rego_import *im) {
    const rego_term *path = im->path;
    const char *root = path->kind == REGO_T_VAR ? path->u.var.name : path->u.list.items[0]->u.var.name;
    if (!strcmp(root, "future")) return NULL;
    if (!strcmp(root, "rego")) return "rego.v1";
    if (im->alias) return im->alias;
    if (path->kind == REGO_T_VAR || path->u.list.n == 1) return root;
    const rego_term *last = path->u.list.items[path->u.list.n - 1];
    if (last->kind == REGO_T_SCALAR && val_is_str(last->u.value)) return val_str_ptr(last->u.value);
    (void)a;
    return NULL;
}

static int check_import(rego_policy *p, pmod *pm, gh_err *e) {
    rego_module *m = pm->m;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const rego_import *im = &m->imports[i];
        const char *n1 = import_name(&p->a, im);
        if (!n1) continue;
        for (uint32_t j = 0; j < i; j++) {
            const rego_import *o = &m->imports[j];
            const char *n2 = import_name(&p->a, o);
            if (!n2 || strcmp(n1, n2)) continue;
            gh_buf b;
            gh_buf_init(&b);
            rego_term_print(&b, o->path);
            if (o->alias) gh_buf_printf(&b, " as %s", o->alias);
            int rc = rc_errf(e, GH_EPARSE, "rego_compile_error", &im->loc,
                             "import must not shadow import %s", b.p ? b.p : "");
            gh_buf_free(&b);
            return rc;
        }
    }
    /* v1: rules named input/data */
    if (m->version != REGO_V0)
        for (uint32_t i = 0; i < m->nrules; i++) {
            const char *name = rego_rule_name(m->rules[i]);
            if (!strcmp(name, "input") || !strcmp(name, "data"))
                return rc_errf(e, GH_EPARSE, "rego_compile_error", &m->rules[i]->loc,
                               "rules must not shadow %s (use a different rule name)", name);
        }
    return 0;
}

static int build_tree(rego_policy *p, rego_errors *l, gh_err *e) {
    p->root = rt_node_new(p, NULL, NULL);
    if (!p->root) return oom(e);
    for (uint32_t i = 0; i < p->nmods; i++) {
        pmod *pm = &p->mods[i];
        rego_term *pkg = pm->m->package;
        if (pkg->u.list.n > GH_MAX_DEPTH)
            return rc_errf(e, GH_ELIMIT, "rego_compile_error", &pm->m->loc,
                           "package path deeper than %d elements", GH_MAX_DEPTH);
        rnode *n = p->root;
        for (uint32_t j = 1; j < pkg->u.list.n; j++) {
            n = rt_kid_add(p, n, pkg->u.list.items[j]->u.value);
            if (!n) return oom(e);
        }
        n->is_package = true;
        pm->pkg = n;
        pm->pkg_path = node_path_text(&p->a, n);
        int rc = check_import(p, pm, e);
        if (rc) return rc;
    }
    for (uint32_t i = 0; i < p->nmods; i++) {
        pmod *pm = &p->mods[i];
        for (uint32_t j = 0; j < pm->m->nrules; j++) {
            int rc = add_rule(p, pm, pm->m->rules[j], l, e);
            if (rc) return rc == GH_ENOMEM ? oom(e) : rc;
        }
    }
    mark_subtree(p->root);
    return 0;
}

/* A rule node with a value-producing kind must not have rule kids under it
 * unless it builds an object (ref heads). */
static int check_tree(rego_policy *p, rnode *n, rego_errors *l) {
    if ((n->kind == NK_COMPLETE || n->kind == NK_MULTI || n->kind == NK_FUNC) && n->nkids) {
        /* one error naming every conflicting child, as OPA */
        gh_buf b;
        gh_buf_init(&b);
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (!n->kids[i]->subtree_rules) continue;
            gh_buf_printf(&b, "%s%s", b.len ? " " : "", node_path_text(&p->a, n->kids[i]));
        }
        const rego_rule *r = n->nsrcs ? n->srcs[0] : n->dflt_src;
        int rc = 0;
        if (b.len && r) {
            char msg[GH_ERR_MSG];
            snprintf(msg, sizeof msg, "rule %s conflicts with [%s]", node_path_text(&p->a, n),
                     b.p);
            rc = rc_elist_add(l, GH_ECONFLICT, "rego_type_error", r->loc.file, (int)r->loc.line,
                              (int)r->loc.col, msg, NULL, NULL);
        }
        bool oom_ = b.oom;
        gh_buf_free(&b);
        if (rc || oom_) return GH_ENOMEM;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        int rc = check_tree(p, n->kids[i], l);
        if (rc) return rc;
    }
    return 0;
}

int rego_policy_compile(rego_policy *p, const rego_compile_opts *o, gh_err *e) {
    if (p->compiled) return 0;
    gh_err local;
    if (!e) {
        gh_err_clear(&local);
        e = &local;
    }
    rego_errors *sink = o ? o->errors : NULL;
    size_t before = sink ? sink->n : 0;
    p->strict = o && o->strict;
    p->allow_builtin = o ? o->allow_builtin : NULL;
    p->allow_ctx = o ? o->allow_ctx : NULL;
    p->errsink = sink;
    p->nnodes = 0;
    /* the tree and its rule conflicts: every conflict is reported */
    rego_errors conflicts = {0};
    int rc = build_tree(p, &conflicts, e);
    if (!rc && check_tree(p, p->root, &conflicts)) rc = oom(e);
    if (rc) {
        rego_errors_free(&conflicts);
    } else {
        rc_elist_sort(&conflicts);
        rc = rc_elist_finish(&conflicts, e, sink);
    }
    if (!rc) rc = rc_lower_rules(p, e);
    p->allow_builtin = NULL; /* the hook's context need not outlive the compile */
    p->allow_ctx = NULL;
    if (!rc) rc = rc_check_recursion(p, e);
    if (!rc) rc = rc_check_types(p, e);
    if (!rc) rc = rc_build_indexes(p, e);
    p->errsink = NULL;
    /* a stage that failed with one error (e only) still gives the list one */
    if (rc && sink && sink->n == before && e->kind) rc_elist_add_gh(sink, e);
    if (rc) return rc;
    p->bases = gh_arena_calloc(&p->a, (p->nnodes + 1) * sizeof *p->bases);
    if (!p->bases || p->a.oom) return oom(e);
    attach_base(p->bases, p->root, p->data);
    p->compiled = true;
    return 0;
}

rego_policy *rego_policy_rebase(const rego_policy *p, const val_t *data, gh_err *e) {
    if (!p || !p->compiled) {
        gh_err_set(e, GH_EINVAL, NULL, 0, 0, "policy not compiled");
        return NULL;
    }
    if (!data || val_kind_of(data) != VAL_OBJECT) {
        gh_err_set(e, GH_EINVAL, NULL, 0, 0, "data must be an object");
        return NULL;
    }
    rego_policy *core = p->core ? p->core : (rego_policy *)p;
    rego_policy *r = gh_calloc(1, sizeof *r);
    if (!r) {
        oom(e);
        return NULL;
    }
    gh_arena_init(&r->a, 0);
    atomic_init(&r->refs, 1);
    r->mods = core->mods;
    r->nmods = r->capmods = core->nmods;
    r->root = core->root;
    r->nnodes = core->nnodes;
    r->strict = core->strict;
    r->data = val_copy(&r->a, data);
    r->bases = gh_arena_calloc(&r->a, (r->nnodes + 1) * sizeof *r->bases);
    if (!r->data || !r->bases || r->a.oom) {
        gh_arena_free(&r->a);
        gh_free(r);
        oom(e);
        return NULL;
    }
    attach_base(r->bases, r->root, r->data);
    r->compiled = true;
    atomic_fetch_add_explicit(&core->refs, 1, memory_order_relaxed);
    r->core = core;
    return r;
}
