/* compile_lower.c - lowering of rule and query ASTs into the evaluator's IR:
 * scopes and variable slots (`some`, `:=`, function args, comprehension and
 * `every` scopes that close over outer locals), name resolution (locals,
 * imports, rules of the package, input, data), call binding (operators,
 * user functions, builtins) and `with` targets. Called by compile.c and
 * rego_query_prepare; the safety pass (compile_safety.c) then reorders. */
#include <string.h>

#include "engine_int.h"
#include "lower_int.h"

/* ---- slots and scopes -------------------------------------------------------- */

static int lc_oom(lctx *c) {
    if (!c->rc) {
        gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        c->rc = GH_ENOMEM;
    }
    return GH_ENOMEM;
}

int lc_err(lctx *c, int code, const char *kind, const rego_loc *loc, const char *fmt, ...) {
    if (c->rc) return c->rc;
    va_list ap;
    va_start(ap, fmt);
    gh_err_setv(c->e, code, loc ? loc->file : NULL, loc ? (int)loc->line : 0,
                loc ? (int)loc->col : 0, fmt, ap);
    va_end(ap);
    gh_err_set_kind(c->e, kind);
    c->rc = code;
    return code;
}

static void *lc_alloc(lctx *c, size_t n) {
    void *p = gh_arena_calloc(c->a, n ? n : 1);
    if (!p) lc_oom(c);
    return p;
}

static uint32_t slot_new(lctx *c, const char *name, uint8_t flags, uint32_t scope_id) {
    if (c->nslots == c->capslots) {
        uint32_t nc = c->capslots ? c->capslots * 2 : 16;
        const char **nn = gh_arena_realloc(c->a, c->slot_names, c->capslots * sizeof *nn,
                                           nc * sizeof *nn);
        uint8_t *nf = nn ? gh_arena_realloc(c->a, c->slot_flags, c->capslots, nc) : NULL;
        uint32_t *ns = nf ? gh_arena_realloc(c->a, c->slot_scope, c->capslots * sizeof *ns,
                                             nc * sizeof *ns)
                          : NULL;
        uint32_t *nu = ns ? gh_arena_realloc(c->a, c->slot_uses, c->capslots * sizeof *nu,
                                             nc * sizeof *nu)
                          : NULL;
        if (!nu) {
            lc_oom(c);
            return 0;
        }
        c->slot_uses = nu;
        c->slot_names = nn;
        c->slot_flags = nf;
        c->slot_scope = ns;
        c->capslots = nc;
    }
    c->slot_names[c->nslots] = name;
    c->slot_flags[c->nslots] = flags;
    c->slot_scope[c->nslots] = scope_id;
    c->slot_uses[c->nslots] = 0;
    return c->nslots++;
}

static lname *scope_find(const lscope *s, const char *name) {
    for (uint32_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i].name, name)) return &s->names[i];
    return NULL;
}

static lname *scope_add(lctx *c, lscope *s, const char *name) {
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 8;
        lname *nn = gh_arena_realloc(c->a, s->names, s->cap * sizeof *nn, nc * sizeof *nn);
        if (!nn) {
            lc_oom(c);
            return NULL;
        }
        s->names = nn;
        s->cap = nc;
    }
    lname *ln = &s->names[s->n++];
    memset(ln, 0, sizeof *ln);
    ln->name = name;
    ln->slot = UINT32_MAX;
    return ln;
}

static bool is_wild(const char *name) { return name[0] == '$'; }
static bool is_gen(const char *name) { return name[0] == '$' || !strncmp(name, "__", 2); }

void lc_scope_push(lctx *c, lscope *s) {
    memset(s, 0, sizeof *s);
    s->up = c->sc;
    s->id = c->nscopes++;
    c->sc = s;
}

void lc_scope_pop(lctx *c) {
    uint32_t id = c->sc->id;
    if (id >= c->capranks) {
        uint32_t nc = c->capranks ? c->capranks : 8;
        while (nc <= id) nc *= 2;
        uint32_t *nr = gh_arena_realloc(c->a, c->scope_rank, c->capranks * sizeof *nr,
                                        nc * sizeof *nr);
        if (!nr) {
            lc_oom(c);
        } else {
            for (uint32_t i = c->capranks; i < nc; i++) nr[i] = UINT32_MAX;
            c->scope_rank = nr;
            c->capranks = nc;
        }
    }
    if (id < c->capranks) c->scope_rank[id] = c->nclosed++;
    c->sc = c->sc->up;
}

/* Record that scope s (and the scopes between s and the owner) uses an outer
 * slot: closures must have it bound before they run. */
static void note_free(lctx *c, lscope *s, const lscope *owner, uint32_t slot) {
    for (; s && s != owner; s = s->up) {
        bool have = false;
        for (uint32_t i = 0; i < s->nfree; i++)
            if (s->free[i] == slot) have = true;
        if (have) continue;
        if (s->nfree == s->capfree) {
            uint32_t nc = s->capfree ? s->capfree * 2 : 4;
            uint32_t *nf = gh_arena_realloc(c->a, s->free, s->capfree * sizeof *nf, nc * sizeof *nf);
            if (!nf) {
                lc_oom(c);
                return;
            }
            s->free = nf;
            s->capfree = nc;
        }
        s->free[s->nfree++] = slot;
    }
}

/* An outer scope's local is visible to a nested closure unless it is
 * declared (some, :=) by a later expression of that scope. */
static bool outer_visible(const lname *o, const lscope *u) {
    if (o->slot == UINT32_MAX) return false;
    /* as in OPA, `some x` whose x is referenced only inside closures does not
     * reach them: each closure's x is its own (used_loc is final once the
     * enclosing body is prescanned, before any closure is lowered) */
    if (o->bare_some && !o->used_loc) return false;
    if (o->decl == DECL_SOME || o->decl == DECL_ASSIGN)
        return u->rhs ? o->decl_pos < u->cur : o->decl_pos <= u->cur;
    return true;
}

static bool outer_local(const lctx *c, const char *name);

/* Local slot of `name` visible from the current scope, or UINT32_MAX. A
 * closure's `:=`/`some` local that shadows an enclosing local is seen only
 * from its declaration on; earlier references are to the enclosing one. */
static uint32_t local_lookup(lctx *c, const char *name) {
    for (lscope *s = c->sc; s; s = s->up) {
        lname *ln = scope_find(s, name);
        if (ln && s == c->sc && ln->slot != UINT32_MAX && !outer_visible(ln, s) &&
            outer_local(c, name))
            continue;
        if (ln && (s == c->sc ? ln->slot != UINT32_MAX : outer_visible(ln, s))) {
            if (s != c->sc) note_free(c, c->sc, s, ln->slot);
            return ln->slot;
        }
    }
    return UINT32_MAX;
}

/* ---- globals: imports, package rules, roots ------------------------------------ */

static bool pkg_has_rule(lctx *c, const char *name) {
    if (!c->pm) return false;
    const rego_policy *p = c->p;
    for (uint32_t i = 0; i < p->nmods; i++) {
        if (p->mods[i].pkg != c->pm->pkg) continue;
        const rego_module *m = p->mods[i].m;
        for (uint32_t j = 0; j < m->nrules; j++)
            if (!strcmp(rego_rule_name(m->rules[j]), name)) return true;
    }
    return false;
}

/* Fill *g with the global `name` resolves to; false when it is not one. */
bool lc_global(lctx *c, const char *name, lglobal *g) {
    memset(g, 0, sizeof *g);
    if (c->pm) {
        const rego_module *m = c->pm->m;
        for (uint32_t i = 0; i < m->nimports; i++) {
            const rego_import *im = &m->imports[i];
            const rego_term *path = im->path;
            const char *root = path->kind == REGO_T_VAR ? path->u.var.name
                                                        : path->u.list.items[0]->u.var.name;
            if (strcmp(root, "data") && strcmp(root, "input")) continue;
            const char *alias = im->alias;
            uint32_t n = path->kind == REGO_T_REF ? path->u.list.n : 1;
            if (!alias) {
                if (n == 1)
                    alias = root;
                else {
                    const rego_term *last = path->u.list.items[n - 1];
                    if (last->kind != REGO_T_SCALAR || !val_is_str(last->u.value)) continue;
                    alias = val_str_ptr(last->u.value);
                }
            }
            if (strcmp(alias, name)) continue;
            if (c->pm->import_used) c->pm->import_used[i] = 1;
            g->root = !strcmp(root, "data") ? XR_DATA : XR_INPUT;
            g->npath = n - 1;
            g->path = lc_alloc(c, (n ? n : 1) * sizeof *g->path);
            if (!g->path) return false;
            for (uint32_t j = 1; j < n; j++) g->path[j - 1] = path->u.list.items[j]->u.value;
            return true;
        }
        if (pkg_has_rule(c, name)) {
            const rnode *pkg = c->pm->pkg;
            uint32_t d = (uint32_t)val_arr_len(pkg->path);
            g->root = XR_DATA;
            g->npath = d + 1;
            g->path = lc_alloc(c, (d + 1) * sizeof *g->path);
            if (!g->path) return false;
            for (uint32_t j = 0; j < d; j++) g->path[j] = val_arr_at(pkg->path, j);
            g->path[d] = val_strc(c->a, name);
            if (!g->path[d]) return lc_oom(c), false;
            return true;
        }
    }
    if (!strcmp(name, "input")) {
        g->root = XR_INPUT;
        return true;
    }
    if (!strcmp(name, "data")) {
        g->root = XR_DATA;
        return true;
    }
    return false;
}

/* ---- prescan: which names are locals of a scope -------------------------------- */

static void use_name(lctx *c, const char *name, const rego_loc *loc) {
    lscope *s = c->sc;
    lname *ln = scope_find(s, name);
    if (ln) {
        if (!ln->used_loc) ln->used_loc = loc;
        return;
    }
    if (is_wild(name)) {
        ln = scope_add(c, s, name);
        if (ln) {
            ln->slot = slot_new(c, name, XF_WILDCARD | XF_GEN, s->id);
            ln->used_loc = loc;
        }
        return;
    }
    /* visible from an enclosing scope? */
    for (lscope *u = s->up; u; u = u->up) {
        lname *o = scope_find(u, name);
        if (o && outer_visible(o, u)) return;
        /* an outer `some x` not reaching this closure still counts as used */
        if (o && o->bare_some && !o->used_loc && o->slot != UINT32_MAX) c->slot_uses[o->slot]++;
    }
    lglobal g;
    if (lc_global(c, name, &g)) return;
    if (c->rc) return;
    ln = scope_add(c, s, name);
    if (ln) {
        ln->slot = slot_new(c, name, is_gen(name) ? XF_GEN : 0, s->id);
        ln->used_loc = loc;
    }
}

static void scan_term(lctx *c, const rego_term *t);

static void scan_terms(lctx *c, rego_term *const *ts, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) scan_term(c, ts[i]);
}

static void scan_term(lctx *c, const rego_term *t) {
    if (!t || c->rc) return;
    switch (t->kind) {
    case REGO_T_VAR:
        use_name(c, t->u.var.name, &t->loc);
        break;
    case REGO_T_REF:
        scan_terms(c, t->u.list.items, t->u.list.n);
        break;
    case REGO_T_ARRAY: case REGO_T_SET:
        scan_terms(c, t->u.list.items, t->u.list.n);
        break;
    case REGO_T_OBJECT:
        scan_terms(c, t->u.obj.keys, t->u.obj.n);
        scan_terms(c, t->u.obj.vals, t->u.obj.n);
        break;
    case REGO_T_CALL:
        scan_terms(c, t->u.list.items + 1, t->u.list.n - 1);
        break;
    default: /* closures: their own scopes */
        break;
    }
}

static void declare_var(lctx *c, const rego_term *v, int how) {
    if (v->kind != REGO_T_VAR || c->rc) return;
    const char *name = v->u.var.name;
    lscope *s = c->sc;
    if (is_wild(name)) {
        use_name(c, name, &v->loc);
        return;
    }
    if (how == DECL_ASSIGN && c->v1 && (!strcmp(name, "input") || !strcmp(name, "data"))) {
        lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc,
               "variables must not shadow %s (use a different variable name)", name);
        return;
    }
    if (how == DECL_ASSIGN && !s->closure)
        for (lscope *u = s->up; u && !u->closure; u = u->up) {
            lname *o = scope_find(u, name);
            if (o && o->decl == DECL_ARG) {
                lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "arg %s redeclared", name);
                return;
            }
        }
    lname *ln = scope_find(s, name);
    if (ln) {
        if (ln->decl == DECL_ARG)
            lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "arg %s redeclared", name);
        else if (ln->decl == DECL_ASSIGN)
            lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "var %s assigned above", name);
        else if (ln->decl == DECL_SOME)
            lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "var %s declared above", name);
        else
            lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "var %s referenced above", name);
        return;
    }
    /* a reference earlier in this scope to an outer local or global of the
     * same name is an error too */
    if (c->seen_names) {
        for (uint32_t i = 0; i < c->nseen; i++)
            if (c->seen_names[i].scope == s->id && !strcmp(c->seen_names[i].name, name)) {
                lc_err(c, GH_EPARSE, "rego_compile_error", &v->loc, "var %s referenced above",
                       name);
                return;
            }
    }
    ln = scope_add(c, s, name);
    if (!ln) return;
    ln->decl = (uint8_t)how;
    ln->decl_pos = s->cur;
    ln->bare_some = how == DECL_SOME && c->some_vars_form;
    ln->slot = slot_new(c, name, is_gen(name) ? XF_GEN : 0, s->id);
    if ((how == DECL_SOME && c->some_vars_form) || (how == DECL_ASSIGN && c->strict)) {
        if (c->ndecls == c->capdecls) {
            uint32_t nc = c->capdecls ? c->capdecls * 2 : 8;
            const rego_term **nd = gh_arena_realloc(c->a, c->decls, c->capdecls * sizeof *nd,
                                                    nc * sizeof *nd);
            uint8_t *nh = nd ? gh_arena_realloc(c->a, c->decl_how, c->capdecls, nc) : NULL;
            if (!nh) {
                lc_oom(c);
                return;
            }
            c->decls = nd;
            c->decl_how = nh;
            c->capdecls = nc;
        }
        c->decl_how[c->ndecls] = (uint8_t)how;
        c->decls[c->ndecls++] = v;
    }
}

static void lc_err_addv(lctx *c, int code, const char *kind, const rego_loc *loc,
                        const char *fmt, va_list ap) {
    if (!c->rc) {
        gh_err_setv(c->e, code, loc ? loc->file : NULL, loc ? (int)loc->line : 0,
                    loc ? (int)loc->col : 0, fmt, ap);
        gh_err_set_kind(c->e, kind);
        c->rc = code;
        return;
    }
    if (c->rc != code || c->nmore >= LC_MAX_MORE) return;
    if (c->nmore == c->capmore) {
        uint32_t nc = c->capmore ? c->capmore * 2 : 4;
        gh_err *nm = gh_arena_realloc(c->a, c->more, c->capmore * sizeof *nm, nc * sizeof *nm);
        if (!nm) return; /* the first error still stands */
        c->more = nm;
        c->capmore = nc;
    }
    gh_err *x = &c->more[c->nmore++];
    gh_err_clear(x);
    gh_err_setv(x, code, loc ? loc->file : NULL, loc ? (int)loc->line : 0,
                loc ? (int)loc->col : 0, fmt, ap);
    gh_err_set_kind(x, kind);
}

int lc_err_add(lctx *c, int code, const char *kind, const rego_loc *loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lc_err_addv(c, code, kind, loc, fmt, ap);
    va_end(ap);
    return c->rc;
}

int lc_err_more(lctx *c, const rego_loc *loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lc_err_addv(c, GH_EPARSE, "rego_compile_error", loc, fmt, ap);
    va_end(ap);
    return c->rc;
}

/* The slot declared by decls[i] if it is unused, else UINT32_MAX. */
static uint32_t unused_slot(const lctx *c, uint32_t i) {
    const rego_term *v = c->decls[i];
    /* the slot named by this very term (names are the terms' strings); the
     * left side of `:=` is one use itself */
    bool assign = c->decl_how[i] == DECL_ASSIGN;
    for (uint32_t s = 0; s < c->nslots; s++)
        if (c->slot_names[s] == v->u.var.name)
            return c->slot_uses[s] <= (assign ? 1u : 0u) ? s : UINT32_MAX;
    return UINT32_MAX;
}

static uint32_t rank_of(const lctx *c, uint32_t scope) {
    return scope < c->capranks ? c->scope_rank[scope] : UINT32_MAX;
}

/* OPA checks each body when it is done (closures before their enclosing
 * body) and stops at the first body with unused vars: it reports all of that
 * body's unused `:=` vars (strict), or else all its unused `some` vars. */
int lc_check_unused(lctx *c) {
    if (c->rc) return c->rc;
    uint32_t best = UINT32_MAX, best_scope = UINT32_MAX;
    bool any_assign = false;
    for (uint32_t i = 0; i < c->ndecls; i++) {
        uint32_t s = unused_slot(c, i);
        if (s == UINT32_MAX) continue;
        uint32_t sc = c->slot_scope[s], r = rank_of(c, sc);
        if (best_scope == UINT32_MAX || r < best) best = r, best_scope = sc, any_assign = false;
        if (sc == best_scope && c->decl_how[i] == DECL_ASSIGN) any_assign = true;
    }
    if (best_scope == UINT32_MAX) return 0;
    for (uint32_t i = 0; i < c->ndecls; i++) {
        uint32_t s = unused_slot(c, i);
        if (s == UINT32_MAX || c->slot_scope[s] != best_scope) continue;
        bool assign = c->decl_how[i] == DECL_ASSIGN;
        if (assign != any_assign) continue;
        lc_err_more(c, &c->decls[i]->loc, "%s var %s unused", assign ? "assigned" : "declared",
                    c->decls[i]->u.var.name);
    }
    return c->rc;
}

static void note_seen(lctx *c, const rego_term *t);

static void note_seen_terms(lctx *c, rego_term *const *ts, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) note_seen(c, ts[i]);
}

/* True when `name` is a local of an enclosing scope visible here. */
static bool outer_local(const lctx *c, const char *name) {
    for (lscope *u = c->sc->up; u; u = u->up) {
        lname *o = scope_find(u, name);
        if (o && outer_visible(o, u)) return true;
    }
    return false;
}

/* Remember names referenced in this scope that resolve to globals (or to
 * nothing yet), for "var x referenced above" on a later declaration. As in
 * OPA, a reference to an enclosing scope's local is not remembered: a later
 * `:=` in a comprehension may shadow that local. */
static void note_seen(lctx *c, const rego_term *t) {
    if (!t || c->rc) return;
    switch (t->kind) {
    case REGO_T_VAR:
        if (!scope_find(c->sc, t->u.var.name) && !outer_local(c, t->u.var.name)) {
            if (c->nseen == c->capseen) {
                uint32_t nc = c->capseen ? c->capseen * 2 : 16;
                lseen *ns = gh_arena_realloc(c->a, c->seen_names, c->capseen * sizeof *ns,
                                             nc * sizeof *ns);
                if (!ns) {
                    lc_oom(c);
                    return;
                }
                c->seen_names = ns;
                c->capseen = nc;
            }
            c->seen_names[c->nseen++] = (lseen){t->u.var.name, c->sc->id};
        }
        break;
    case REGO_T_REF: case REGO_T_ARRAY: case REGO_T_SET:
        note_seen_terms(c, t->u.list.items, t->u.list.n);
        break;
    case REGO_T_OBJECT:
        note_seen_terms(c, t->u.obj.keys, t->u.obj.n);
        note_seen_terms(c, t->u.obj.vals, t->u.obj.n);
        break;
    case REGO_T_CALL:
        note_seen_terms(c, t->u.list.items + 1, t->u.list.n - 1);
        break;
    default:
        break;
    }
}

static void declare_pattern(lctx *c, const rego_term *t, int how) {
    if (!t || c->rc) return;
    if (t->kind == REGO_T_REF && t->u.list.n == 1) t = t->u.list.items[0];
    switch (t->kind) {
    case REGO_T_VAR: declare_var(c, t, how); break;
    case REGO_T_ARRAY:
        for (uint32_t i = 0; i < t->u.list.n; i++) declare_pattern(c, t->u.list.items[i], how);
        break;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            scan_term(c, t->u.obj.keys[i]);
            declare_pattern(c, t->u.obj.vals[i], how);
        }
        break;
    default:
        scan_term(c, t);
        break;
    }
}

/* Prescan one body in the current scope: declarations in order, then uses. */
/* A `with` value naming a function or builtin (not a local): not a var use. */
static bool names_function(lctx *c, const rego_term *v) {
    const rego_term *h = v->kind == REGO_T_VAR ? v : v->kind == REGO_T_REF ? v->u.list.items[0] : NULL;
    if (!h || h->kind != REGO_T_VAR) return false;
    for (lscope *s = c->sc; s; s = s->up)
        if (scope_find(s, h->u.var.name)) return false;
    const char *name = rego_call_name(c->a, v);
    if (name && (rego_builtin_find(name, strlen(name)) || !strcmp(name, "print"))) return true;
    static const char *const opnames[] = {"equal", "neq", "lt", "lte", "gt", "gte", "plus",
                                          "minus", "mul", "div", "rem", "and", "or", "trace"};
    for (size_t i = 0; name && i < sizeof opnames / sizeof *opnames; i++)
        if (!strcmp(name, opnames[i])) return true;
    return false;
}

void lc_prescan_body(lctx *c, const rego_body *b) {
    for (uint32_t i = 0; i < b->n && !c->rc; i++) {
        const rego_expr *x = b->exprs[i];
        c->sc->cur = i;
        switch (x->kind) {
        case REGO_E_SOME:
            if (x->u.some.domain) {
                scan_term(c, x->u.some.domain);
                note_seen(c, x->u.some.domain);
                if (x->u.some.key) declare_pattern(c, x->u.some.key, DECL_SOME);
                declare_pattern(c, x->u.some.value, DECL_SOME);
            } else {
                c->some_vars_form = true;
                for (uint32_t j = 0; j < x->u.some.n; j++)
                    declare_var(c, x->u.some.vars[j], DECL_SOME);
                c->some_vars_form = false;
            }
            break;
        case REGO_E_EVERY:
            scan_term(c, x->u.every.domain);
            note_seen(c, x->u.every.domain);
            break;
        case REGO_E_CALL: {
            rego_term *op = x->u.call.terms[0];
            if (rego_ref_is(op, "assign") && x->u.call.n == 3) {
                const rego_term *lhs = x->u.call.terms[1];
                if (lhs->kind == REGO_T_REF && lhs->u.list.n == 1) lhs = lhs->u.list.items[0];
                const char *bad = NULL;
                switch (lhs->kind) {
                case REGO_T_SCALAR: bad = val_kind_name(val_kind_of(lhs->u.value)); break;
                case REGO_T_REF: bad = "ref"; break;
                case REGO_T_CALL: bad = "call"; break;
                case REGO_T_SET: bad = "set"; break;
                case REGO_T_ARRAY_COMPR: bad = "arraycomprehension"; break;
                case REGO_T_SET_COMPR: bad = "setcomprehension"; break;
                case REGO_T_OBJECT_COMPR: bad = "objectcomprehension"; break;
                default: break;
                }
                if (bad) {
                    lc_err(c, GH_EPARSE, "rego_compile_error", &lhs->loc, "cannot assign to %s", bad);
                    return;
                }
                scan_term(c, x->u.call.terms[2]);
                note_seen(c, x->u.call.terms[2]);
                declare_pattern(c, x->u.call.terms[1], DECL_ASSIGN);
            } else {
                scan_terms(c, x->u.call.terms + 1, x->u.call.n - 1);
                note_seen_terms(c, x->u.call.terms + 1, x->u.call.n - 1);
            }
            break;
        }
        default:
            scan_term(c, x->u.term);
            note_seen(c, x->u.term);
            break;
        }
        for (uint32_t j = 0; j < x->nwith; j++) {
            if (names_function(c, x->with[j].value)) continue;
            scan_term(c, x->with[j].value);
            note_seen(c, x->with[j].value);
        }
    }
}

void lc_prescan_term(lctx *c, const rego_term *t) {
    scan_term(c, t);
    note_seen(c, t);
}

void lc_declare_args(lctx *c, rego_term *const *args, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) declare_pattern(c, args[i], DECL_ARG);
}

void lc_declare(lctx *c, const rego_term *t, int how) { declare_pattern(c, t, how); }

/* ---- terms --------------------------------------------------------------------------- */

static xterm *xt_new(lctx *c, uint8_t kind, const rego_term *src) {
    xterm *t = lc_alloc(c, sizeof *t);
    if (t) {
        t->kind = kind;
        t->src = src;
    }
    return t;
}

xterm *lc_const(lctx *c, val_t *v, const rego_term *src) {
    xterm *t = xt_new(c, XT_CONST, src);
    if (t) t->u.v = v;
    return t;
}

static rnode *fixed_node(lctx *c, xterm *t) {
    rnode *n = c->p->root;
    uint32_t i = 0;
    for (; n && n->kind == NK_NONE && i < t->u.ref.n; i++) {
        xterm *k = t->u.ref.path[i];
        if (k->kind != XT_CONST) break;
        rnode *kid = rt_kid(n, k->u.v);
        if (!kid) break;
        n = kid;
    }
    t->u.ref.nfixed = i;
    return n;
}

/* Build a ref rooted at a global, with `extra` further elements. */
static xterm *global_ref(lctx *c, const lglobal *g, const rego_term *src, rego_term *const *extra,
                         uint32_t nextra) {
    xterm *t = xt_new(c, XT_REF, src);
    if (!t) return NULL;
    t->root = g->root;
    t->u.ref.n = g->npath + nextra;
    t->u.ref.path = lc_alloc(c, (t->u.ref.n + 1) * sizeof *t->u.ref.path);
    if (!t->u.ref.path) return NULL;
    for (uint32_t i = 0; i < g->npath; i++) {
        t->u.ref.path[i] = lc_const(c, g->path[i], src);
        if (!t->u.ref.path[i]) return NULL;
    }
    for (uint32_t i = 0; i < nextra; i++) {
        t->u.ref.path[g->npath + i] = lc_term(c, extra[i]);
        if (!t->u.ref.path[g->npath + i]) return NULL;
    }
    if (g->root == XR_DATA) t->u.ref.node = fixed_node(c, t);
    return t;
}

static xterm *lower_var(lctx *c, const rego_term *v) {
    const char *name = v->u.var.name;
    uint32_t slot = local_lookup(c, name);
    if (slot != UINT32_MAX) {
        xterm *t = xt_new(c, XT_VAR, v);
        if (!t) return NULL;
        c->slot_uses[slot]++;
        t->slot = slot;
        t->flags = XF_OPEN | (c->slot_flags[slot] & (XF_WILDCARD | XF_GEN));
        return t;
    }
    lglobal g;
    if (lc_global(c, name, &g)) return global_ref(c, &g, v, NULL, 0);
    if (c->rc) return NULL;
    /* not prescanned (e.g. a head term): make it a local of the current scope */
    lname *ln = scope_add(c, c->sc, name);
    if (!ln) return NULL;
    ln->slot = slot_new(c, name, is_gen(name) ? XF_GEN : 0, c->sc->id);
    xterm *t = xt_new(c, XT_VAR, v);
    if (!t) return NULL;
    t->slot = ln->slot;
    t->flags = XF_OPEN | (c->slot_flags[ln->slot] & (XF_WILDCARD | XF_GEN));
    return t;
}

static xterm *lower_ref(lctx *c, const rego_term *r) {
    rego_term *head = r->u.list.items[0];
    rego_term *const *rest = r->u.list.items + 1;
    uint32_t nrest = r->u.list.n - 1;
    if (head->kind == REGO_T_VAR && nrest == 0) return lower_var(c, head);
    if (head->kind == REGO_T_VAR) {
        uint32_t slot = local_lookup(c, head->u.var.name);
        if (slot == UINT32_MAX) {
            lglobal g;
            if (lc_global(c, head->u.var.name, &g)) return global_ref(c, &g, r, rest, nrest);
            if (c->rc) return NULL;
        }
    }
    xterm *t = xt_new(c, XT_REF, r);
    if (!t) return NULL;
    t->u.ref.head = lc_term(c, head);
    if (!t->u.ref.head) return NULL;
    t->root = t->u.ref.head->kind == XT_VAR ? XR_LOCAL : XR_TERM;
    t->u.ref.n = nrest;
    t->u.ref.path = lc_alloc(c, (nrest + 1) * sizeof *t->u.ref.path);
    if (!t->u.ref.path) return NULL;
    for (uint32_t i = 0; i < nrest; i++) {
        t->u.ref.path[i] = lc_term(c, rest[i]);
        if (!t->u.ref.path[i]) return NULL;
    }
    return t;
}

static xterm *fold_composite(lctx *c, xterm *t) {
    /* all children constant: fold into one value */
    val_t *v = NULL;
    switch (t->kind) {
    case XT_ARRAY:
        v = val_arr_new(c->a, t->u.list.n);
        for (uint32_t i = 0; v && i < t->u.list.n; i++)
            if (val_arr_push(c->a, v, t->u.list.items[i]->u.v)) v = NULL;
        break;
    case XT_SET:
        v = val_set_new(c->a, t->u.list.n);
        for (uint32_t i = 0; v && i < t->u.list.n; i++)
            if (val_set_add(c->a, v, t->u.list.items[i]->u.v, NULL)) v = NULL;
        break;
    default:
        v = val_obj_new(c->a, t->u.obj.n);
        for (uint32_t i = 0; v && i < t->u.obj.n; i++)
            if (val_obj_put(c->a, v, t->u.obj.keys[i]->u.v, t->u.obj.vals[i]->u.v)) v = NULL;
        break;
    }
    if (!v) return lc_oom(c), NULL;
    t->kind = XT_CONST;
    t->flags = 0;
    t->u.v = v;
    return t;
}

static xterm *lower_list(lctx *c, const rego_term *s, uint8_t kind) {
    xterm *t = xt_new(c, kind, s);
    if (!t) return NULL;
    t->u.list.n = s->u.list.n;
    t->u.list.items = lc_alloc(c, (s->u.list.n + 1) * sizeof *t->u.list.items);
    if (!t->u.list.items) return NULL;
    bool all_const = true;
    for (uint32_t i = 0; i < s->u.list.n; i++) {
        xterm *x = lc_term(c, s->u.list.items[i]);
        if (!x) return NULL;
        t->u.list.items[i] = x;
        if (x->kind != XT_CONST) all_const = false;
        if (x->flags & XF_OPEN) t->flags |= XF_OPEN;
    }
    return all_const ? fold_composite(c, t) : t;
}

static xterm *lower_object(lctx *c, const rego_term *s) {
    xterm *t = xt_new(c, XT_OBJECT, s);
    if (!t) return NULL;
    uint32_t n = s->u.obj.n;
    t->u.obj.n = n;
    t->u.obj.keys = lc_alloc(c, (n + 1) * sizeof *t->u.obj.keys);
    t->u.obj.vals = lc_alloc(c, (n + 1) * sizeof *t->u.obj.vals);
    if (!t->u.obj.keys || !t->u.obj.vals) return NULL;
    bool all_const = true;
    for (uint32_t i = 0; i < n; i++) {
        xterm *k = lc_term(c, s->u.obj.keys[i]);
        xterm *v = k ? lc_term(c, s->u.obj.vals[i]) : NULL;
        if (!v) return NULL;
        t->u.obj.keys[i] = k;
        t->u.obj.vals[i] = v;
        if (k->kind != XT_CONST || v->kind != XT_CONST) all_const = false;
        if ((k->flags | v->flags) & XF_OPEN) t->flags |= XF_OPEN;
    }
    return all_const ? fold_composite(c, t) : t;
}

static xterm *lower_compr(lctx *c, const rego_term *s) {
    uint8_t kind = s->kind == REGO_T_ARRAY_COMPR ? XT_ACOMPR
                   : s->kind == REGO_T_SET_COMPR ? XT_SCOMPR
                                                  : XT_OCOMPR;
    xterm *t = xt_new(c, kind, s);
    if (!t) return NULL;
    lscope sc;
    lc_scope_push(c, &sc);
    sc.closure = true;
    const rego_body *body = lc_prep_body(c, s->u.compr.body);
    lc_prescan_body(c, body);
    sc.cur = UINT32_MAX; /* the head sees every body declaration */
    if (s->u.compr.key) lc_prescan_term(c, s->u.compr.key);
    lc_prescan_term(c, s->u.compr.head);
    t->u.compr.body = lc_body(c, body);
    if (t->u.compr.body && s->u.compr.key) t->u.compr.key = lc_term(c, s->u.compr.key);
    if (t->u.compr.body) t->u.compr.head = lc_term(c, s->u.compr.head);
    lc_scope_pop(c);
    if (c->rc || !t->u.compr.head) return NULL;
    lc_body_set_free(c, t->u.compr.body, &sc);
    return t;
}

xterm *lc_term(lctx *c, const rego_term *s) {
    if (c->rc) return NULL;
    switch (s->kind) {
    case REGO_T_SCALAR: return lc_const(c, s->u.value, s);
    case REGO_T_VAR: return lower_var(c, s);
    case REGO_T_REF: return lower_ref(c, s);
    case REGO_T_ARRAY: return lower_list(c, s, XT_ARRAY);
    case REGO_T_SET: return lower_list(c, s, XT_SET);
    case REGO_T_OBJECT: return lower_object(c, s);
    case REGO_T_ARRAY_COMPR: case REGO_T_SET_COMPR: case REGO_T_OBJECT_COMPR:
        return lower_compr(c, s);
    case REGO_T_CALL: {
        xterm *t = xt_new(c, XT_CALL, s);
        if (!t) return NULL;
        uint32_t n = s->u.list.n - 1;
        t->u.call.c = lc_callee(c, s->u.list.items[0], s->u.list.items + 1, n, false, &s->loc);
        if (!t->u.call.c) return NULL;
        t->u.call.n = n;
        t->u.call.args = lc_alloc(c, (n + 1) * sizeof *t->u.call.args);
        if (!t->u.call.args) return NULL;
        for (uint32_t i = 0; i < n; i++)
            if (!(t->u.call.args[i] = lc_term(c, s->u.list.items[i + 1]))) return NULL;
        return t;
    }
    }
    lc_err(c, GH_EINTERNAL, "rego_compile_error", &s->loc, "unknown term kind");
    return NULL;
}
