/* compile_lower2.c - lowering of calls, expressions, `with` modifiers,
 * bodies, rules (with their else chains and function arguments) and
 * queries; then runs the safety pass on each frame. Entry points
 * rc_lower_rules (from rego_policy_compile) and rc_lower_query /
 * rego_query_prepare*. Terms and scopes are in compile_lower.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "lower_int.h"

static void *lalloc(lctx *c, size_t n) {
    void *p = gh_arena_calloc(c->a, n ? n : 1);
    if (!p && !c->rc) {
        gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        c->rc = GH_ENOMEM;
    }
    return p;
}

/* ---- callees -------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint8_t op, arity;
} ops[] = {
    {"equal", OP_EQUAL, 2},      {"neq", OP_NEQ, 2},
    {"lt", OP_LT, 2},            {"lte", OP_LTE, 2},
    {"gt", OP_GT, 2},            {"gte", OP_GTE, 2},
    {"plus", OP_PLUS, 2},        {"minus", OP_MINUS, 2},
    {"mul", OP_MUL, 2},          {"div", OP_DIV, 2},
    {"rem", OP_REM, 2},          {"internal.member_2", OP_MEMBER2, 2},
    {"internal.member_3", OP_MEMBER3, 3}, {"and", OP_AND, 2},
    {"or", OP_OR, 2},            {"rego.metadata.rule", OP_META_RULE, 0},
    {"rego.metadata.chain", OP_META_CHAIN, 0},
    {"trace", OP_TRACE, 1},
};

/* Errors found while lowering: OPA reports every rule's errors (up to 10),
 * sorted by location; lowering goes on with the next rule after one. */
typedef struct lerrs {
    rego_errors list;
    int fatal;
} lerrs;

/* A call of builtin `name` at loc: 0 when the policy's capabilities allow it
 * (or set none); else the call is recorded in c->cap_errs (lowering goes on,
 * so every rejected call is reported) or, without that list, an error. */
static int cap_check(lctx *c, const char *name, const rego_loc *loc) {
    if (!c->p->allow_builtin || c->p->allow_builtin(c->p->allow_ctx, name, strlen(name)))
        return 0;
    lerrs *le = c->cap_errs;
    if (!le) return lc_err(c, GH_ENOTFOUND, "rego_type_error", loc, "undefined function %s", name);
    char msg[GH_ERR_MSG];
    snprintf(msg, sizeof msg, "undefined function %s", name);
    if (rc_elist_add(&le->list, GH_ENOTFOUND, "rego_type_error", loc ? loc->file : NULL,
                     loc ? (int)loc->line : 0, loc ? (int)loc->col : 0, msg, NULL, NULL))
        le->fatal = GH_ENOMEM;
    return 0;
}

/* A call of a function that does not exist. OPA reports every such call of
 * every rule: in rules it is recorded in c->cap_errs and lowering goes on
 * with print (any operands, no result) in its place, which the failed
 * compile never runs (errors that follow from it belong to later stages
 * and are dropped, earliest_stage); elsewhere it is the frame's error.
 * Returns x filled, or NULL. */
static xcallee *undefined_fn(lctx *c, xcallee *x, const char *name, uint32_t n,
                             const rego_loc *loc) {
    lerrs *le = c->cap_errs;
    if (!le) {
        lc_err(c, GH_ENOTFOUND, "rego_type_error", loc, "undefined function %s", name);
        return NULL;
    }
    char msg[GH_ERR_MSG];
    snprintf(msg, sizeof msg, "undefined function %s", name);
    if (rc_elist_add(&le->list, GH_ENOTFOUND, "rego_type_error", loc ? loc->file : NULL,
                     loc ? (int)loc->line : 0, loc ? (int)loc->col : 0, msg, NULL, NULL))
        le->fatal = GH_ENOMEM;
    x->kind = XC_OP;
    x->op = OP_PRINT;
    x->arity = (uint16_t)n;
    x->name = name;
    return x;
}

static const char *path_name(lctx *c, uint8_t root, val_t *const *path, uint32_t n) {
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, root == XR_INPUT ? "input" : "data");
    for (uint32_t i = 0; i < n; i++) {
        if (val_is_str(path[i])) {
            gh_buf_putc(&b, '.');
            gh_buf_append(&b, val_str_ptr(path[i]), val_str_len(path[i]));
        } else {
            gh_buf_putc(&b, '[');
            val_json_emit(&b, path[i], 0);
            gh_buf_putc(&b, ']');
        }
    }
    const char *s = b.oom ? "?" : gh_arena_strndup(c->a, b.p, b.len);
    gh_buf_free(&b);
    return s ? s : "?";
}

static bool arity_ok(uint32_t arity, uint32_t n, bool allow_out) {
    return n == arity || (allow_out && n == arity + 1);
}

/* Resolve op to a user function through a global head (import, package
 * rule, data). Returns 1 resolved, 0 not a global, -1 error recorded. */
static int callee_global(lctx *c, const rego_term *op, xcallee *x, uint32_t n, bool allow_out,
                         const rego_loc *loc) {
    const rego_term *head = op->kind == REGO_T_VAR ? op : op->u.list.items[0];
    if (head->kind != REGO_T_VAR) return 0;
    const char *hn = head->u.var.name;
    /* locals shadow nothing in call position: OPA resolves operators as refs */
    lglobal g;
    if (!lc_global(c, hn, &g)) return c->rc ? -1 : 0;
    uint32_t extra = op->kind == REGO_T_REF ? op->u.list.n - 1 : 0;
    val_t **path = lalloc(c, (g.npath + extra + 1) * sizeof *path);
    if (!path) return -1;
    if (g.npath) memcpy(path, g.path, g.npath * sizeof *path);
    for (uint32_t i = 0; i < extra; i++) {
        const rego_term *t = op->u.list.items[i + 1];
        if (t->kind != REGO_T_SCALAR) return 0;
        path[g.npath + i] = t->u.value;
    }
    uint32_t np = g.npath + extra;
    if (g.root != XR_DATA) return 0; /* input.f(...): no such builtin either */
    const char *name = path_name(c, g.root, path, np);
    rnode *node = rt_lookup(c->p, path, np);
    if (node && node->kind != NK_FUNC && node->kind != NK_NONE && n != UINT32_MAX) {
        /* OPA treats a value rule as a function of arity 0 */
        lc_err(c, GH_EINVAL, "rego_type_error", loc, "function %s has arity 0, got %u arguments",
               name, n);
        return -1;
    }
    if (!node || node->kind != NK_FUNC) {
        if (n == UINT32_MAX) { /* a `with` replacement probe: its caller clears this */
            lc_err(c, GH_ENOTFOUND, "rego_type_error", loc, "undefined function %s", name);
            return -1;
        }
        return undefined_fn(c, x, name, n, loc) ? 1 : -1;
    }
    if (n != UINT32_MAX && !arity_ok((uint32_t)node->func_arity, n, allow_out)) {
        lc_err(c, GH_EINVAL, "rego_type_error", loc, "function %s has arity %d, got %u arguments",
               name, node->func_arity, n);
        return -1;
    }
    x->kind = XC_FUNC;
    x->fn = node;
    x->arity = (uint16_t)node->func_arity;
    x->name = name;
    return 1;
}

/* OPA's "NAME: arity mismatch" for a builtin or operator called with n
 * operands args: the details name the operands' types (constants; others
 * unknown) and the declared arguments. */
static void arity_err(lctx *c, const char *name, rego_term *const *args, uint32_t n,
                      bool term, const rego_loc *loc) {
    if (c->rc) return;
    char *json = NULL, *text = NULL;
    /* a call term gets an output when OPA rewrites it: unknown in `have` */
    if (args)
        rc_arity_details(c->a, rego_builtin_find(name, strlen(name)), args, n, term, &json,
                         &text);
    if (json && text) {
        /* the first error of the frame (lc_err), with its details kept aside */
        lc_err(c, GH_EINVAL, "rego_type_error", loc, "%s: arity mismatch", name);
        c->err_details = json;
        c->err_text = text;
        return;
    }
    lc_err(c, GH_EINVAL, "rego_type_error", loc, "%s: arity mismatch", name);
}

xcallee *lc_callee(lctx *c, const rego_term *op, rego_term *const *args, uint32_t n,
                   bool allow_out, const rego_loc *loc) {
    xcallee *x = lalloc(c, sizeof *x);
    if (!x) return NULL;
    int r = callee_global(c, op, x, n, allow_out, loc);
    if (r < 0) return NULL;
    if (r > 0) return x;
    const char *name = rego_call_name(c->a, op);
    if (!name) {
        gh_buf b;
        gh_buf_init(&b);
        rego_term_print(&b, op);
        lc_err(c, GH_ENOTFOUND, "rego_type_error", loc, "undefined function %s", b.p ? b.p : "?");
        gh_buf_free(&b);
        return NULL;
    }
    x->name = name;
    x->bi = rego_builtin_find(name, strlen(name));
    if ((x->bi || !strcmp(name, "print") || !strcmp(name, "internal.print")) &&
        cap_check(c, name, loc))
        return NULL;
    if (!strcmp(name, "print") || !strcmp(name, "internal.print")) {
        x->kind = XC_OP;
        x->op = OP_PRINT;
        x->arity = (uint16_t)n;
        return x;
    }
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strcmp(ops[i].name, name)) continue;
        if (!x->bi && cap_check(c, name, loc)) return NULL;
        if (!arity_ok(ops[i].arity, n, allow_out)) {
            arity_err(c, name, args, n, !allow_out, loc);
            return NULL;
        }
        x->kind = XC_OP;
        x->op = ops[i].op;
        x->arity = ops[i].arity;
        return x;
    }
    if (x->bi && c->v1) {
        static const char *const deprecated[] = {"any", "all", "re_match", "net.cidr_overlap",
                                                 "set_diff", "cast_array", "cast_set",
                                                 "cast_string", "cast_boolean", "cast_null",
                                                 "cast_object"};
        for (size_t i = 0; i < sizeof deprecated / sizeof *deprecated; i++)
            if (!strcmp(name, deprecated[i])) {
                lc_err(c, GH_EINVAL, "rego_type_error", loc,
                       "deprecated built-in function calls in expression: %s", name);
                return NULL;
            }
    }
    if (x->bi) {
        if (!arity_ok(x->bi->arity, n, allow_out)) {
            arity_err(c, name, args, n, !allow_out, loc);
            return NULL;
        }
        x->kind = XC_BUILTIN;
        x->arity = x->bi->arity;
        return x;
    }
    return undefined_fn(c, x, name, n, loc);
}

/* ---- with ----------------------------------------------------------------------- */

static int lower_with(lctx *c, const rego_with *w, xwith *out) {
    out->src = w;
    const rego_term *t = w->target;
    const rego_term *head = t->kind == REGO_T_VAR ? t : t->u.list.items[0];
    uint32_t extra = t->kind == REGO_T_REF ? t->u.list.n - 1 : 0;
    lglobal g;
    bool global = head->kind == REGO_T_VAR && lc_global(c, head->u.var.name, &g);
    if (c->rc) return c->rc;
    if (global) {
        out->kind = g.root == XR_INPUT ? XW_INPUT : XW_DATA;
        out->path = lalloc(c, (g.npath + extra + 1) * sizeof *out->path);
        if (!out->path) return c->rc;
        if (g.npath) memcpy(out->path, g.path, g.npath * sizeof *out->path);
        for (uint32_t i = 0; i < extra; i++) {
            const rego_term *k = t->u.list.items[i + 1];
            if (k->kind != REGO_T_SCALAR)
                return lc_err(c, GH_EPARSE, "rego_type_error", &w->loc,
                              "with keyword target must be a ground reference");
            out->path[g.npath + i] = k->u.value;
        }
        out->npath = g.npath + extra;
        if (out->kind == XW_DATA) {
            /* a path below a rule would replace part of a virtual document */
            rnode *walk = c->p->root;
            for (uint32_t i = 0; walk && i < out->npath; i++) {
                if (walk->kind != NK_NONE)
                    return lc_err(c, GH_EPARSE, "rego_compile_error", &w->loc,
                                  "with keyword cannot partially replace virtual document(s)");
                walk = rt_kid(walk, out->path[i]);
            }
            rnode *node = rt_lookup(c->p, out->path, out->npath);
            if (node && node->kind == NK_FUNC) {
                out->kind = XW_FUNC;
                out->target = lalloc(c, sizeof *out->target);
                if (!out->target) return c->rc;
                out->target->kind = XC_FUNC;
                out->target->fn = node;
                out->target->arity = (uint16_t)node->func_arity;
                out->target->name = path_name(c, XR_DATA, out->path, out->npath);
            }
        }
    } else {
        /* a builtin */
        out->kind = XW_FUNC;
        out->target = lalloc(c, sizeof *out->target);
        if (!out->target) return c->rc;
        const char *name = rego_call_name(c->a, t);
        const rego_builtin *bi = name ? rego_builtin_find(name, strlen(name)) : NULL;
        bool isop = false;
        for (size_t i = 0; name && i < sizeof ops / sizeof *ops; i++)
            if (!strcmp(ops[i].name, name)) {
                out->target->kind = XC_OP;
                out->target->op = ops[i].op;
                out->target->arity = ops[i].arity;
                isop = true;
            }
        if (name && !isop && !bi && (!strcmp(name, "print") || !strcmp(name, "internal.print"))) {
            out->target->kind = XC_OP;
            out->target->op = OP_PRINT;
            isop = true;
        }
        if (!isop && !bi)
            return lc_err(c, GH_EPARSE, "rego_type_error", &w->loc,
                          "with keyword target must reference existing input, data, or a function");
        if (!isop) {
            out->target->kind = XC_BUILTIN;
            out->target->arity = bi->arity;
        }
        out->target->bi = bi;
        out->target->name = name;
    }
    /* the replacement: a function name, or a value */
    const rego_term *v = w->value;
    if (out->kind == XW_FUNC && (v->kind == REGO_T_VAR || v->kind == REGO_T_REF)) {
        const rego_term *vh = v->kind == REGO_T_VAR ? v : v->u.list.items[0];
        bool local = false;
        if (vh->kind == REGO_T_VAR) {
            for (lscope *s = c->sc; s; s = s->up)
                for (uint32_t i = 0; i < s->n; i++)
                    if (!strcmp(s->names[i].name, vh->u.var.name) && s->names[i].slot != UINT32_MAX)
                        local = true;
        }
        if (!local) {
            xcallee *r = lalloc(c, sizeof *r);
            if (!r) return c->rc;
            int gr = callee_global(c, v, r, UINT32_MAX, false, &w->loc);
            if (gr < 0) {
                gh_err_clear(c->e);
                c->rc = 0;
                gr = 0;
            }
            if (gr > 0 && r->kind == XC_FUNC) {
                out->repl = r;
                return 0;
            }
            const char *name = rego_call_name(c->a, v);
            const rego_builtin *bi = name ? rego_builtin_find(name, strlen(name)) : NULL;
            bool isop = false;
            for (size_t i = 0; name && i < sizeof ops / sizeof *ops; i++)
                if (!strcmp(ops[i].name, name)) {
                    r->kind = XC_OP;
                    r->op = ops[i].op;
                    r->arity = ops[i].arity;
                    isop = true;
                }
            if (bi || isop) {
                if (!isop) {
                    r->kind = XC_BUILTIN;
                    r->arity = bi->arity;
                }
                r->bi = bi;
                r->name = name;
                out->repl = r;
                return 0;
            }
        }
    }
    out->value = lc_term(c, v);
    return c->rc;
}

/* ---- expressions and bodies ------------------------------------------------------------- */

static xexpr *lower_expr(lctx *c, const rego_expr *x) {
    xexpr *o = lalloc(c, sizeof *o);
    if (!o) return NULL;
    o->src = x;
    o->negated = x->negated;
    switch (x->kind) {
    case REGO_E_TERM:
        o->kind = XE_TERM;
        o->u.term = lc_term(c, x->u.term);
        break;
    case REGO_E_CALL: {
        rego_term *op = x->u.call.terms[0];
        uint32_t n = x->u.call.n - 1;
        if ((rego_ref_is(op, "eq") || rego_ref_is(op, "assign")) && n == 2) {
            o->kind = XE_UNIFY;
            o->u.un.a = lc_term(c, x->u.call.terms[1]);
            /* `x := x + 1` in a closure: the right side's x is the outer one */
            c->sc->rhs = rego_ref_is(op, "assign");
            if (o->u.un.a) o->u.un.b = lc_term(c, x->u.call.terms[2]);
            c->sc->rhs = false;
            break;
        }
        o->kind = XE_CALL;
        xcallee *ce = lc_callee(c, op, x->u.call.terms + 1, n, true, &x->loc);
        if (!ce) return NULL;
        o->u.call.c = ce;
        uint32_t nin = n;
        if (ce->op != OP_PRINT && n == (uint32_t)ce->arity + 1) nin = ce->arity;
        o->u.call.n = nin;
        o->u.call.args = lalloc(c, (n + 1) * sizeof *o->u.call.args);
        if (!o->u.call.args) return NULL;
        for (uint32_t i = 0; i < nin; i++)
            if (!(o->u.call.args[i] = lc_term(c, x->u.call.terms[i + 1]))) return NULL;
        if (nin < n) o->u.call.out = lc_term(c, x->u.call.terms[n]);
        break;
    }
    case REGO_E_SOME:
        if (!x->u.some.domain) {
            o->kind = XE_NOOP;
            break;
        }
        o->kind = XE_SOME;
        o->u.some.dom = lc_term(c, x->u.some.domain);
        if (x->u.some.key) o->u.some.key = lc_term(c, x->u.some.key);
        o->u.some.val = lc_term(c, x->u.some.value);
        break;
    case REGO_E_EVERY: {
        o->kind = XE_EVERY;
        o->u.every.dom = lc_term(c, x->u.every.domain);
        if (!o->u.every.dom) return NULL;
        lscope sc;
        lc_scope_push(c, &sc);
        sc.closure = true;
        if (x->u.every.key) lc_declare(c, x->u.every.key, DECL_SOME);
        lc_declare(c, x->u.every.value, DECL_SOME);
        const rego_body *eb = lc_prep_body(c, x->u.every.body);
        lc_prescan_body(c, eb);
        if (x->u.every.key) o->u.every.key = lc_term(c, x->u.every.key);
        o->u.every.val = lc_term(c, x->u.every.value);
        o->u.every.body = lc_body(c, eb);
        lc_scope_pop(c);
        if (c->rc) return NULL;
        /* declared but unused every vars (the declaration itself is one use) */
        const xterm *evs[2] = {o->u.every.key, o->u.every.val};
        for (int i = 0; i < 2; i++)
            if (evs[i] && evs[i]->kind == XT_VAR && !(evs[i]->flags & XF_WILDCARD) &&
                c->slot_uses[evs[i]->slot] <= 1) {
                lc_err(c, GH_EPARSE, "rego_compile_error", &evs[i]->src->loc,
                       "declared var %s unused", evs[i]->src->u.var.name);
                return NULL;
            }
        lc_body_set_free(c, o->u.every.body, &sc);
        break;
    }
    }
    if (c->rc) return NULL;
    if (x->nwith) {
        o->nwith = x->nwith;
        o->with = lalloc(c, x->nwith * sizeof *o->with);
        if (!o->with) return NULL;
        for (uint32_t i = 0; i < x->nwith; i++)
            if (lower_with(c, &x->with[i], &o->with[i])) return NULL;
    }
    return c->rc ? NULL : o;
}

xbody *lc_body(lctx *c, const rego_body *b) {
    xbody *o = lalloc(c, sizeof *o);
    if (!o) return NULL;
    o->n = b->n;
    o->exprs = lalloc(c, (b->n + 1) * sizeof *o->exprs);
    if (!o->exprs) return NULL;
    for (uint32_t i = 0; i < b->n; i++) {
        c->sc->cur = i;
        if (!(o->exprs[i] = lower_expr(c, b->exprs[i]))) return NULL;
    }
    c->sc->cur = UINT32_MAX; /* heads and later terms see every declaration */
    return o;
}

void lc_body_set_free(lctx *c, xbody *b, const lscope *sc) {
    if (!b || !sc->nfree) return;
    b->free = lalloc(c, sc->nfree * sizeof *b->free);
    if (!b->free) return;
    memcpy(b->free, sc->free, sc->nfree * sizeof *b->free);
    b->nfree = sc->nfree;
}

/* ---- rules ---------------------------------------------------------------------------- */

static const pmod *module_of(const rego_policy *p, const rego_module *m) {
    for (uint32_t i = 0; i < p->nmods; i++)
        if (p->mods[i].m == m) return &p->mods[i];
    return NULL;
}

/* Number of ref elements (after the head var) that form the node path. */
static uint32_t ground_len(const rego_rule *r) {
    uint32_t i = 1;
    while (i < r->ref->u.list.n && r->ref->u.list.items[i]->kind == REGO_T_SCALAR) i++;
    return i;
}

static void mark_vars(const xterm *t, uint8_t *safe);

static void mark_list(xterm *const *ts, uint32_t n, uint8_t *safe) {
    for (uint32_t i = 0; i < n; i++) mark_vars(ts[i], safe);
}

static void mark_vars(const xterm *t, uint8_t *safe) {
    if (!t) return;
    switch (t->kind) {
    case XT_VAR: safe[t->slot] = 1; break;
    case XT_ARRAY: case XT_SET: mark_list(t->u.list.items, t->u.list.n, safe); break;
    case XT_OBJECT:
        mark_list(t->u.obj.keys, t->u.obj.n, safe);
        mark_list(t->u.obj.vals, t->u.obj.n, safe);
        break;
    case XT_REF:
        if (t->u.ref.head) mark_vars(t->u.ref.head, safe);
        mark_list(t->u.ref.path, t->u.ref.n, safe);
        break;
    default: break;
    }
}

static xrule *lower_chain(lctx *c, rnode *node, const rego_rule *r, bool dflt) {
    lscope s0;
    lc_scope_push(c, &s0);
    xterm **args = NULL;
    if (r->kind == REGO_RULE_FUNC) {
        lc_declare_args(c, r->args, r->nargs);
        args = lalloc(c, (r->nargs + 1) * sizeof *args);
        if (!args) return NULL;
        for (uint32_t i = 0; i < r->nargs; i++)
            if (!(args[i] = lc_term(c, r->args[i]))) return NULL;
    }
    uint32_t glen = ground_len(r);
    xrule *first = NULL, *prev = NULL;
    for (const rego_rule *b = r; b; b = b->else_rule) {
        xrule *x = lalloc(c, sizeof *x);
        if (!x) return NULL;
        x->src = b;
        x->is_default = dflt;
        x->args = args;
        x->nargs = r->nargs;
        x->kind = node->kind == NK_FUNC ? XK_FUNC
                  : node->kind == NK_MULTI ? XK_MULTI
                  : node->kind == NK_OBJ ? XK_OBJ
                                          : XK_COMPLETE;
        if (node->kind == NK_OBJ && r->kind == REGO_RULE_MULTI) x->kind = XK_MULTI;
        lscope sb;
        lc_scope_push(c, &sb);
        const rego_body *body = lc_prep_body(c, b->body);
        lc_prescan_body(c, body);
        const rego_term *ref = r->ref;
        for (uint32_t i = glen; i < ref->u.list.n; i++) lc_prescan_term(c, ref->u.list.items[i]);
        if (b->key) lc_prescan_term(c, b->key);
        if (b->value) lc_prescan_term(c, b->value);
        x->body = lc_body(c, body);
        if (!x->body) return NULL;
        x->ntail = ref->u.list.n - glen;
        if (x->ntail) {
            x->tail = lalloc(c, x->ntail * sizeof *x->tail);
            if (!x->tail) return NULL;
            for (uint32_t i = 0; i < x->ntail; i++)
                if (!(x->tail[i] = lc_term(c, ref->u.list.items[glen + i]))) return NULL;
        }
        if (b->key && !(x->key = lc_term(c, b->key))) return NULL;
        if (b->value && !(x->value = lc_term(c, b->value))) return NULL;
        if (x->kind == XK_MULTI || x->kind == XK_OBJ) {
            xterm *h = lalloc(c, sizeof *h);
            if (!h) return NULL;
            h->kind = XT_ARRAY;
            h->src = b->key ? b->key : b->value;
            h->u.list.n = x->ntail + 1;
            h->u.list.items = lalloc(c, (x->ntail + 1) * sizeof *h->u.list.items);
            if (!h->u.list.items) return NULL;
            for (uint32_t i = 0; i < x->ntail; i++) h->u.list.items[i] = x->tail[i];
            h->u.list.items[x->ntail] = x->kind == XK_MULTI ? x->key : x->value;
            for (uint32_t i = 0; i <= x->ntail; i++)
                if (h->u.list.items[i]->flags & XF_OPEN) h->flags |= XF_OPEN;
            x->headt = h;
        }
        lc_scope_pop(c);
        if (!first) first = x;
        if (prev) prev->els = x;
        prev = x;
    }
    lc_scope_pop(c);
    lc_check_unused(c);
    if (c->strict && (!c->rc || c->rc == GH_EPARSE))
        for (uint32_t i = 0; i < r->nargs && args; i++)
            if (args[i]->kind == XT_VAR && !(args[i]->flags & XF_WILDCARD) &&
                c->slot_uses[args[i]->slot] <= 1)
                lc_err_more(c, &args[i]->src->loc,
                            "unused argument %s. (hint: use _ (wildcard variable) instead)",
                            args[i]->src->u.var.name);
    if (c->rc) return NULL;
    /* safety: per branch, args bound on entry */
    uint8_t *safe0 = lalloc(c, c->nslots + 1);
    uint8_t *safe = lalloc(c, c->nslots + 1);
    if (!safe0 || !safe) return NULL;
    for (uint32_t i = 0; i < first->nargs; i++) mark_vars(first->args[i], safe0);
    for (xrule *x = first; x; x = x->els) {
        memcpy(safe, safe0, c->nslots);
        if (sf_body(c, x->body, safe)) return NULL;
        /* unsafe head vars are reported at the rule, as OPA does */
        if (x->headt) {
            if (sf_head_term(c, x->headt, safe, &x->src->loc)) return NULL;
        } else if (x->value && sf_head_term(c, x->value, safe, &x->src->loc)) {
            return NULL;
        }
    }
    for (xrule *x = first; x; x = x->els) {
        x->nslots = c->nslots;
        x->slot_names = c->slot_names;
    }
    return first;
}

static void lctx_init(lctx *c, const rego_policy *p, gh_arena *a, gh_err *e, const pmod *pm) {
    memset(c, 0, sizeof *c);
    c->p = p;
    c->a = a;
    c->e = e;
    c->pm = pm;
    c->v1 = pm ? pm->m->version != REGO_V0 : true;
    c->strict = pm && p->strict;
}

/* OPA finds the errors of lowering in stages of their own, in this order,
 * and stops after the first stage that has any: local var rewrites and
 * other compile errors, undefined functions and arities (type errors),
 * safety (unsafe vars). Keeps only the errors of the earliest stage. */
static int stage_rank(const char *code) {
    if (!strcmp(code, "rego_unsafe_var_error")) return 2;
    return strcmp(code, "rego_type_error") ? 0 : 1;
}

static void earliest_stage(rego_errors *l) {
    int min = 3;
    for (size_t i = 0; i < l->n; i++)
        if (stage_rank(l->v[i].code) < min) min = stage_rank(l->v[i].code);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (stage_rank(l->v[i].code) == min) {
            l->v[k++] = l->v[i];
            continue;
        }
        gh_free(l->v[i].message);
        gh_free(l->v[i].file);
        gh_free(l->v[i].details);
        gh_free(l->v[i].detail_text);
    }
    l->n = k;
}

static void keep_err(lerrs *le, gh_err *e, int rc) {
    if (rc == GH_ENOMEM || !e) {
        le->fatal = rc;
        return;
    }
    if (rc_elist_add_gh(&le->list, e)) le->fatal = GH_ENOMEM;
    gh_err_clear(e);
}

/* A failed rule's first error (c->e, with the details the frame kept) and
 * the later ones. */
static void keep_frame(lerrs *le, gh_err *e, const lctx *c) {
    size_t before = le->list.n;
    keep_err(le, e, c->rc ? c->rc : GH_ENOMEM);
    if (le->list.n > before && c->err_details) {
        rego_error *x = &le->list.v[before];
        x->details = gh_strndup(c->err_details, strlen(c->err_details));
        x->detail_text = c->err_text ? gh_strndup(c->err_text, strlen(c->err_text)) : NULL;
        if (!x->details || (c->err_text && !x->detail_text)) le->list.oom = true;
    }
    for (uint32_t j = 0; j < c->nmore; j++) keep_err(le, &c->more[j], GH_EPARSE);
}

static void lower_node(rego_policy *p, rnode *n, gh_err *e, lerrs *le) {
    if (le->fatal) return;
    if (n->nsrcs) {
        n->rules = gh_arena_calloc(&p->a, n->nsrcs * sizeof *n->rules);
        if (!n->rules) {
            le->fatal = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            return;
        }
        n->nrules = n->nsrcs;
        for (uint32_t i = 0; i < n->nsrcs && !le->fatal; i++) {
            lctx c;
            lctx_init(&c, p, &p->a, e, module_of(p, n->srcs[i]->module));
            c.cap_errs = le;
            n->rules[i] = lower_chain(&c, n, n->srcs[i], false);
            if (!n->rules[i]) keep_frame(le, e, &c);
        }
    }
    if (n->dflt_src && !le->fatal) {
        lctx c;
        lctx_init(&c, p, &p->a, e, module_of(p, n->dflt_src->module));
        c.cap_errs = le;
        n->dflt = lower_chain(&c, n, n->dflt_src, true);
        if (!n->dflt) keep_frame(le, e, &c);
    }
    for (uint32_t i = 0; i < n->nkids; i++) lower_node(p, n->kids[i], e, le);
}

static void check_imports(rego_policy *p, gh_err *e, lerrs *le) {
    for (uint32_t i = 0; i < p->nmods && !le->fatal; i++) {
        const rego_module *m = p->mods[i].m;
        for (uint32_t j = 0; j < m->nimports; j++) {
            const rego_import *im = &m->imports[j];
            const rego_term *path = im->path;
            const char *root = path->kind == REGO_T_VAR ? path->u.var.name
                                                        : path->u.list.items[0]->u.var.name;
            if (strcmp(root, "data") && strcmp(root, "input")) continue;
            if (p->mods[i].import_used[j]) continue;
            gh_buf b;
            gh_buf_init(&b);
            rego_term_print(&b, path);
            if (im->alias) gh_buf_printf(&b, " as %s", im->alias);
            rc_errf(e, GH_EPARSE, "rego_compile_error", &im->loc, "import %s unused",
                    b.p ? b.p : "");
            gh_buf_free(&b);
            keep_err(le, e, GH_EPARSE);
        }
    }
}

int rc_lower_rules(rego_policy *p, gh_err *e) {
    lerrs *le = gh_calloc(1, sizeof *le);
    if (!le) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (p->strict)
        for (uint32_t i = 0; i < p->nmods; i++) {
            p->mods[i].import_used = gh_arena_calloc(&p->a, p->mods[i].m->nimports + 1);
            if (!p->mods[i].import_used) {
                gh_free(le);
                return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            }
        }
    lower_node(p, p->root, e, le);
    if (p->strict) check_imports(p, e, le);
    int rc = le->fatal;
    if (rc) {
        rego_errors_free(&le->list);
    } else {
        /* every rule's errors of the earliest stage, by location */
        earliest_stage(&le->list);
        rc_elist_sort(&le->list);
        rc = rc_elist_finish(&le->list, e, p->errsink);
    }
    gh_free(le);
    return rc;
}

/* ---- queries ---------------------------------------------------------------------------- */

static int cmp_slot_name(const void *a, const void *b, void *ud) {
    const char **names = ud;
    return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

/* OPA's query iteration test: a ref with a var operand, or a call of the
 * relation `walk`, outside closures. */
static bool term_iterates(const rego_term *t) {
    if (!t) return false;
    switch (t->kind) {
    case REGO_T_REF:
        for (uint32_t i = 1; i < t->u.list.n; i++)
            if (t->u.list.items[i]->kind == REGO_T_VAR) return true;
        for (uint32_t i = 0; i < t->u.list.n; i++)
            if (term_iterates(t->u.list.items[i])) return true;
        return false;
    case REGO_T_CALL:
        if (rego_ref_is(t->u.list.items[0], "walk")) return true;
        for (uint32_t i = 1; i < t->u.list.n; i++)
            if (term_iterates(t->u.list.items[i])) return true;
        return false;
    case REGO_T_ARRAY: case REGO_T_SET:
        for (uint32_t i = 0; i < t->u.list.n; i++)
            if (term_iterates(t->u.list.items[i])) return true;
        return false;
    case REGO_T_OBJECT:
        for (uint32_t i = 0; i < t->u.obj.n; i++)
            if (term_iterates(t->u.obj.keys[i]) || term_iterates(t->u.obj.vals[i])) return true;
        return false;
    default:
        return false;
    }
}

/* As `opa eval` does, a query of one non-negated expression that is a term
 * or a call without an output argument, and that does not iterate, reports
 * its value even when it is false (`1 == 2` gives false, not undefined). */
static bool query_captures(const rego_body *b, const xbody *xb) {
    if (b->n != 1 || xb->n != 1) return false;
    const rego_expr *x = b->exprs[0];
    const xexpr *lx = xb->exprs[0];
    if (x->negated || lx->negated) return false;
    if (lx->kind == XE_CALL) {
        if (lx->u.call.out) return false;
    } else if (lx->kind != XE_TERM) {
        return false;
    }
    if (x->kind == REGO_E_TERM) {
        if (term_iterates(x->u.term)) return false;
    } else if (x->kind == REGO_E_CALL) {
        if (rego_ref_is(x->u.call.terms[0], "walk")) return false;
        for (uint32_t i = 1; i < x->u.call.n; i++)
            if (term_iterates(x->u.call.terms[i])) return false;
    } else {
        return false;
    }
    for (uint32_t j = 0; j < x->nwith; j++)
        if (term_iterates(x->with[j].value)) return false;
    return true;
}

/* A failed query frame: its first error (c->e) and the later ones as the
 * stage's list (sorted as OPA does), summarised into c->e. */
static int query_errs(lctx *c, rego_errors *sink, int rc0) {
    if (rc0 == GH_ENOMEM || c->rc != rc0 || !c->e->kind) return rc0;
    rego_errors l = {0};
    rc_elist_add(&l, c->e->code, c->e->kind, c->e->file, c->e->line, c->e->col, c->e->msg,
                 c->err_details, c->err_text);
    for (uint32_t i = 0; i < c->nmore; i++) rc_elist_add_gh(&l, &c->more[i]);
    earliest_stage(&l);
    rc_elist_sort(&l);
    int rc = rc_elist_finish(&l, c->e, sink);
    return rc ? rc : rc0;
}

static int lower_query(lctx *c, const rego_body *b, rego_query *q);

int rc_lower_query(const rego_policy *p, gh_arena *a, const rego_body *b, bool v1,
                   rego_query *q, gh_err *e, rego_errors *sink) {
    gh_err local;
    if (!e) {
        gh_err_clear(&local);
        e = &local;
    }
    lctx c;
    lctx_init(&c, p, a, e, NULL);
    c.v1 = v1;
    int rc = lower_query(&c, b, q);
    return rc ? query_errs(&c, sink, rc) : 0;
}

static int lower_query(lctx *c, const rego_body *b, rego_query *q) {
    lscope s;
    lc_scope_push(c, &s);
    b = lc_prep_body(c, b);
    lc_prescan_body(c, b);
    xbody *xb = c->rc ? NULL : lc_body(c, b);
    lc_scope_pop(c);
    if (!xb) return c->rc ? c->rc : GH_ENOMEM;
    if (lc_check_unused(c)) return c->rc;
    for (uint32_t i = 0; i < xb->n; i++) xb->exprs[i]->pad = (uint16_t)(i + 1 < 0xffff ? i + 1 : 0);
    uint8_t *safe = lalloc(c, c->nslots + 1);
    if (!safe) return c->rc;
    if (sf_body(c, xb, safe)) return c->rc;
    q->body = xb;
    q->capture = query_captures(b, xb);
    q->nslots = c->nslots;
    q->slot_names = c->slot_names;
    q->result_slots = lalloc(c, (c->nslots + 1) * sizeof *q->result_slots);
    if (!q->result_slots) return c->rc;
    for (uint32_t i = 0; i < s.n; i++) {
        uint32_t slot = s.names[i].slot;
        if (slot == UINT32_MAX || (c->slot_flags[slot] & XF_GEN)) continue;
        q->result_slots[q->nresult++] = slot;
    }
    qsort_r(q->result_slots, q->nresult, sizeof *q->result_slots, cmp_slot_name,
            (void *)c->slot_names);
    return 0;
}

static int prepare(const rego_policy *p, gh_arena *a, const rego_body *b, bool v1,
                   rego_query **out, gh_err *e, rego_errors *errs) {
    if (!p->compiled) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "policy not compiled");
    rego_query *q = gh_arena_calloc(a, sizeof *q);
    if (!q) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    q->p = p;
    q->a = a;
    q->src = b;
    int rc = rc_lower_query(p, a, b, v1, q, e, errs);
    if (!rc) rc = rc_check_query_types(p, q, e, errs);
    if (rc) return rc;
    *out = q;
    return 0;
}

int rego_query_prepare_body(const rego_policy *p, gh_arena *a, const rego_body *b,
                            rego_query **out, gh_err *e) {
    return prepare(p, a, b, true, out, e, NULL);
}

int rego_query_prepare_body_errs(const rego_policy *p, gh_arena *a, const rego_body *b,
                                 rego_query **out, gh_err *e, rego_errors *errs) {
    return prepare(p, a, b, true, out, e, errs);
}

static bool builtin_known(void *ctx, const char *name, size_t n) {
    (void)ctx;
    return rego_builtin_find(name, n) != NULL;
}

int rego_query_prepare(const rego_policy *p, gh_arena *a, const char *text, size_t n,
                       const rego_parse_opts *o, rego_query **out, gh_err *e) {
    rego_parse_opts po = o ? *o : (rego_parse_opts){0};
    if (!po.is_builtin) po.is_builtin = builtin_known;
    rego_body *b = NULL;
    int rc = rego_parse_query(a, "query", text, n, &po, &b, e);
    if (rc) {
        if (e && !e->kind && rc == GH_EPARSE) gh_err_set_kind(e, "rego_parse_error");
        return rc;
    }
    return prepare(p, a, b, po.version == REGO_V1, out, e, po.errors);
}
