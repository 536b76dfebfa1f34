/* compile_types.c - a conservative version of OPA's type checker: infers
 * types of rule values (complete, multi-value, object, function results),
 * of local vars (from unification, call outputs, `some ... in`), and checks
 * every builtin call's operands against the builtin's declared signature
 * (registry `decl` strings), unifications and refs, reporting OPA's
 * rego_type_errors ("NAME: invalid argument(s)", "match error", "undefined
 * ref: ...") with their details, every one up to OPA's limit, rules in
 * source order. Base documents and input are untyped (any), as in OPA;
 * whenever inference is unsure the type is `any`, so only what must fail
 * is rejected. Called by rego_policy_compile and query preparation, after
 * lowering and safety. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "rego_int.h"
#include "types_int.h"

/* ---- inference over the IR ------------------------------------------------------------ */

static ty *node_type(tcx *c, rnode *n);
static ty *term_type(tcx *c, const xterm *t);
static void check_body(tcx *c, const xbody *b);

static void bind(tcx *c, const xterm *pat, ty *t);

static void bind_list(tcx *c, xterm *const *items, uint32_t n, ty *t) {
    for (uint32_t i = 0; i < n; i++) {
        ty *it = &T_ANY;
        if (t->k == TY_ARR) {
            if (!t->dyn && i < t->n)
                it = t->items[i];
            else if (t->dyn)
                it = t->dyn;
        }
        bind(c, items[i], it);
    }
}

/* Record types for still-untyped vars of a pattern unified with type t. */
static void bind(tcx *c, const xterm *pat, ty *t) {
    switch (pat->kind) {
    case XT_VAR:
        if (pat->slot < c->nvt && !c->vt[pat->slot]) c->vt[pat->slot] = t;
        break;
    case XT_ARRAY:
        bind_list(c, pat->u.list.items, pat->u.list.n, t->k == TY_ARR ? t : &T_ANY);
        break;
    case XT_OBJECT:
        for (uint32_t i = 0; i < pat->u.obj.n; i++) {
            const xterm *k = pat->u.obj.keys[i];
            ty *vt = t->k == TY_OBJ ? ty_index(c, t, k) : &T_ANY;
            bind(c, pat->u.obj.vals[i], vt ? vt : &T_ANY);
        }
        break;
    default: break;
    }
}

static int by_value(const void *a, const void *b) {
    return val_compare(*(val_t *const *)a, *(val_t *const *)b);
}

/* A ref's terms in OPA's AST JSON: data/input or the head, then the path. */
static val_t *ref_term_value(tcx *c, const xterm *k) {
    if (k->kind != XT_CONST) return rego_term_to_ast_value(c->a, k->src);
    static const char *const kinds[] = {"null", "boolean", "number", "string"};
    val_kind kd = val_kind_of(k->u.v);
    if (kd > VAL_STRING) return rego_term_to_ast_value(c->a, k->src);
    val_t *o = val_obj_new(c->a, 2);
    if (!o || val_obj_put(c->a, o, val_strc(c->a, "type"), val_strc(c->a, kinds[kd])) ||
        val_obj_put(c->a, o, val_strc(c->a, "value"), k->u.v))
        return NULL;
    return o;
}

/* OPA's "undefined ref: <ref>" (the whole ref) with its details: when have
 * is set, ref[0..pos] has that type (a scalar or a function) and cannot be
 * indexed; else the key ref[pos] cannot exist in `in`, a static array or
 * object. */
static void undefined_ref(tcx *c, const xterm *t, uint32_t pos, const val_t *have, const ty *in) {
    if (tc_stop(c)) return;
    uint32_t n = t->u.ref.n + 1;
    char **text = gh_arena_calloc(c->a, (n + 1) * sizeof *text);
    val_t *ref = val_arr_new(c->a, n);
    gh_buf b;
    gh_buf_init(&b);
    if (t->root == XR_DATA || t->root == XR_INPUT) {
        const char *r = t->root == XR_DATA ? "data" : "input";
        gh_buf_puts(&b, r);
        val_t *o = val_obj_new(c->a, 2);
        if (o && (val_obj_put(c->a, o, val_strc(c->a, "type"), val_strc(c->a, "var")) ||
                  val_obj_put(c->a, o, val_strc(c->a, "value"), val_strc(c->a, r))))
            o = NULL;
        if (!o || !ref || val_arr_push(c->a, ref, o)) ref = NULL;
    } else {
        rego_term_print(&b, t->u.ref.head->src);
        val_t *h = rego_term_to_ast_value(c->a, t->u.ref.head->src);
        if (!h || !ref || val_arr_push(c->a, ref, h)) ref = NULL;
    }
    if (text) text[1] = gh_arena_strndup(c->a, b.p ? b.p : "", b.len);
    for (uint32_t i = 0; i < t->u.ref.n; i++) {
        const xterm *k = t->u.ref.path[i];
        if (k->kind == XT_CONST && val_is_str(k->u.v) &&
            rp_ident_ok(val_str_ptr(k->u.v), val_str_len(k->u.v))) {
            gh_buf_putc(&b, '.');
            gh_buf_append(&b, val_str_ptr(k->u.v), val_str_len(k->u.v));
        } else if (k->kind == XT_CONST) {
            gh_buf_putc(&b, '[');
            val_json_emit(&b, k->u.v, VAL_JSON_NO_HTML_ESC);
            gh_buf_putc(&b, ']');
        } else {
            gh_buf_putc(&b, '[');
            rego_term_print(&b, k->src);
            gh_buf_putc(&b, ']');
        }
        if (text) text[i + 2] = gh_arena_strndup(c->a, b.p ? b.p : "", b.len);
        val_t *kv = ref_term_value(c, k);
        if (!kv || !ref || val_arr_push(c->a, ref, kv)) ref = NULL;
    }
    char *json = NULL, *lines = NULL;
    bool texts = text && !b.oom;
    for (uint32_t i = 1; texts && i <= n; i++) texts = text[i] != NULL;
    if (texts && ref && pos < n) {
        if (have) {
            ty_ref_details(c->a, ref, text, pos, have, NULL, NULL, &json, &lines);
        } else if (in->k == TY_ARR) {
            ty_ref_details(c->a, ref, text, pos, NULL, ty_to_value(c->a, &T_NUM), NULL, &json,
                           &lines);
        } else if (in->k == TY_OBJ) {
            /* the keys it has, in OPA's order, and their type */
            val_t *oneof = val_arr_new(c->a, in->n);
            ty *kt = NULL;
            for (uint32_t i = 0; oneof && i < in->n; i++) {
                kt = ty_union(c, kt, ty_of_value(c, in->keys[i]));
                if (val_arr_push(c->a, oneof, in->keys[i])) oneof = NULL;
            }
            if (oneof) qsort(oneof->u.arr.items, val_arr_len(oneof), sizeof(val_t *), by_value);
            if (oneof)
                ty_ref_details(c->a, ref, text, pos, NULL, ty_to_value(c->a, kt ? kt : &T_ANY),
                               oneof, &json, &lines);
        }
    }
    tc_err(c, &t->src->loc, json, lines, "undefined ref: %s", b.p ? b.p : "?");
    gh_buf_free(&b);
}

static ty *ref_type(tcx *c, const xterm *t) {
    ty *cur = &T_ANY;
    uint32_t i = 0;
    switch (t->root) {
    case XR_LOCAL: {
        const xterm *h = t->u.ref.head;
        /* a function argument first used as a ref (v.a) stays `any`, as in OPA */
        if (h->kind == XT_VAR && c->refine && h->slot < c->nvt && c->refine[h->slot] &&
            !c->vt[h->slot])
            c->vt[h->slot] = &T_ANY;
        cur = term_type(c, h);
        break;
    }
    case XR_TERM: cur = term_type(c, t->u.ref.head); break;
    case XR_INPUT: return &T_ANY;
    default: {
        rnode *n = t->u.ref.node;
        i = t->u.ref.nfixed;
        if (n->kind == NK_NONE) {
            /* data documents only have string keys (packages, JSON objects) */
            if (i < t->u.ref.n && t->u.ref.path[i]->kind == XT_CONST &&
                !val_is_str(t->u.ref.path[i]->u.v)) {
                char *k = val_to_json(c->a, t->u.ref.path[i]->u.v, 0);
                tc_err(c, &t->src->loc, NULL, NULL, "undefined ref: %s[%s]",
                       rc_node_path(c->a, n), k ? k : "?");
            }
            return &T_ANY;
        }
        if (n->kind == NK_FUNC) {
            /* a function is not a value: have its type */
            ty *res = node_type(c, n);
            uint32_t na = n->func_arity > 0 ? (uint32_t)n->func_arity : 0;
            ty **params = c->fparams[n->id];
            ty **ps = gh_arena_calloc(c->a, (na + 1) * sizeof *ps);
            for (uint32_t k = 0; ps && params && k < na; k++) ps[k] = params[k];
            undefined_ref(c, t, i, ps ? ty_func_value(c->a, ps, na, res) : NULL, NULL);
            return &T_ANY;
        }
        cur = node_type(c, n);
        break;
    }
    }
    for (; i < t->u.ref.n; i++) {
        term_type(c, t->u.ref.path[i]); /* nested calls get checked */
        if (cur->k >= TY_NULL && cur->k <= TY_STR) {
            /* a scalar has no elements */
            undefined_ref(c, t, i, ty_to_value(c->a, cur), NULL);
            return &T_ANY;
        }
        ty *next = ty_index(c, cur, t->u.ref.path[i]);
        if (!next) {
            undefined_ref(c, t, i + 1, NULL, cur);
            return &T_ANY;
        }
        cur = next;
        if (cur->k == TY_ANY) {
            for (i++; i < t->u.ref.n; i++) term_type(c, t->u.ref.path[i]);
            return &T_ANY;
        }
    }
    return cur;
}

/* The wanted argument types of a call for OPA's details: a builtin's (or
 * operator's) declaration, named, result last; a function's inferred
 * parameter and result types. NULL on OOM or an unparsable decl. */
static val_t *want_value(tcx *c, const xcallee *ce, ty *const *want, ty *res) {
    if (ce->kind == XC_FUNC) {
        uint32_t na = ce->fn->func_arity > 0 ? (uint32_t)ce->fn->func_arity : 0;
        val_t *w = val_arr_new(c->a, na + 1);
        for (uint32_t i = 0; w && i < na; i++)
            if (val_arr_push(c->a, w, ty_to_value(c->a, want[i] ? want[i] : &T_ANY))) w = NULL;
        if (w && val_arr_push(c->a, w, ty_to_value(c->a, res))) w = NULL;
        return w;
    }
    const rego_builtin *bi = ce->kind == XC_BUILTIN ? ce->bi
                             : ce->name             ? rego_builtin_find(ce->name, strlen(ce->name))
                                                    : NULL;
    val_t *d = rego_builtin_decl_value(c->a, bi);
    if (!d) return NULL;
    const val_t *args = val_obj_get_str(d, "args", 4), *r = val_obj_get_str(d, "result", 6);
    val_t *w = val_arr_new(c->a, (args ? val_arr_len(args) : 0) + 1);
    for (size_t i = 0; w && args && i < val_arr_len(args); i++)
        if (val_arr_push(c->a, w, val_arr_at(args, i))) w = NULL;
    if (w && r && val_arr_push(c->a, w, (val_t *)r)) w = NULL;
    return w;
}

/* OPA's "NAME: invalid argument(s)" with its have/want details. ats holds
 * the operand types; the output's is its type when it has one. */
static void call_err(tcx *c, const xcallee *ce, ty *const *ats, uint32_t n, const xterm *out,
                     ty *const *want, ty *res, const rego_loc *loc) {
    if (tc_stop(c)) return;
    const char *name = ce->name ? ce->name : "?";
    if (ce->kind == XC_FUNC) name = rc_node_path(c->a, ce->fn);
    const ty **have = gh_arena_calloc(c->a, (n + 2) * sizeof *have);
    char *json = NULL, *text = NULL;
    if (have) {
        for (uint32_t i = 0; i < n && i < 16; i++) have[i] = ats[i];
        if (out && !(out->kind == XT_VAR && (out->slot >= c->nvt || !c->vt[out->slot])))
            have[n] = term_type(c, out);
        val_t *w = want_value(c, ce, want, res);
        if (w) ty_args_details(c->a, have, n + 1, w, &json, &text);
    }
    tc_err(c, loc, json, text, "%s: invalid argument(s)", name);
}

static ty *call_type(tcx *c, const xcallee *ce, xterm *const *args, uint32_t n,
                     const xterm *out, const rego_loc *loc) {
    ty *ats[16];
    size_t nerr = c->errs.n;
    for (uint32_t i = 0; i < n; i++) {
        ty *t = term_type(c, args[i]);
        if (i < 16) ats[i] = t;
    }
    if (tc_stop(c) || c->errs.n != nerr) return &T_ANY; /* an operand's error stands */
    ty **want = NULL, *res = &T_ANY;
    if (ce->kind == XC_FUNC) {
        res = node_type(c, ce->fn);
        want = c->fparams[ce->fn->id];
    } else if (ce->kind == XC_BUILTIN && ce->bi) {
        if (!tc_decl_of(c, ce->bi, &want, &res)) want = NULL;
    } else if (ce->kind == XC_OP) {
        want = tc_op_decl(c, ce->op, ce->arity, &res);
    }
    if (want && c->refine)
        for (uint32_t i = 0; i < n && i < 16; i++) {
            const xterm *a = args[i];
            /* an argument's type follows its first use, as in OPA: a first use
             * wanting `any` (is_string(v), v > 1) fixes it at `any`, so later
             * typed uses don't narrow it */
            if (a->kind == XT_VAR && a->slot < c->nvt && c->refine[a->slot] && !c->vt[a->slot] &&
                want[i] && (want[i]->k != TY_ANY || !(ce->kind == XC_OP && ce->op == OP_EQUAL)))
                c->vt[a->slot] = want[i]; /* OPA turns `==` into unification: no lock */
        }
    if (want)
        for (uint32_t i = 0; i < n && i < 16; i++)
            if (want[i] && !ty_compat(ats[i], want[i])) {
                call_err(c, ce, ats, n, out, want, res, loc);
                return &T_ANY;
            }
    if (out) {
        ty *ot = term_type(c, out);
        if (want && ot->k != TY_ANY && !ty_compat(res, ot)) {
            call_err(c, ce, ats, n, out, want, res, loc);
            return &T_ANY;
        }
        bind(c, out, res);
    }
    return res;
}

static ty *term_type(tcx *c, const xterm *t) {
    if (!t || tc_stop(c)) return &T_ANY;
    switch (t->kind) {
    case XT_CONST: return ty_of_value(c, t->u.v);
    case XT_VAR: return t->slot < c->nvt && c->vt[t->slot] ? c->vt[t->slot] : &T_UNK;
    case XT_REF: return ref_type(c, t);
    case XT_ARRAY: {
        ty *r = ty_new(c, TY_ARR);
        r->n = t->u.list.n;
        r->items = gh_arena_alloc(c->a, (r->n + 1) * sizeof *r->items);
        if (!r->items) return &T_ANY;
        for (uint32_t i = 0; i < r->n; i++) r->items[i] = term_type(c, t->u.list.items[i]);
        return r;
    }
    case XT_SET: {
        ty *r = ty_new(c, TY_SET), *el = NULL;
        for (uint32_t i = 0; i < t->u.list.n; i++) el = ty_union(c, el, term_type(c, t->u.list.items[i]));
        r->dyn = el ? el : &T_ANY;
        return r;
    }
    case XT_OBJECT: {
        ty *r = ty_new(c, TY_OBJ), *dv = NULL;
        bool all_const = true;
        for (uint32_t i = 0; i < t->u.obj.n; i++) {
            term_type(c, t->u.obj.keys[i]);
            dv = ty_union(c, dv, term_type(c, t->u.obj.vals[i]));
            if (t->u.obj.keys[i]->kind != XT_CONST) all_const = false;
        }
        if (!all_const) {
            r->dyn = dv ? dv : &T_ANY;
            r->dkey = &T_ANY;
            return r;
        }
        r->n = t->u.obj.n;
        r->keys = gh_arena_alloc(c->a, (r->n + 1) * sizeof *r->keys);
        r->items = gh_arena_alloc(c->a, (r->n + 1) * sizeof *r->items);
        if (!r->keys || !r->items) return &T_ANY;
        for (uint32_t i = 0; i < r->n; i++) {
            r->keys[i] = t->u.obj.keys[i]->u.v;
            r->items[i] = term_type(c, t->u.obj.vals[i]);
        }
        return r;
    }
    case XT_ACOMPR: case XT_SCOMPR: case XT_OCOMPR: {
        check_body(c, t->u.compr.body);
        ty *h = term_type(c, t->u.compr.head);
        ty *r = ty_new(c, t->kind == XT_ACOMPR ? TY_ARR : t->kind == XT_SCOMPR ? TY_SET : TY_OBJ);
        r->dyn = h;
        if (t->kind == XT_OCOMPR) r->dkey = term_type(c, t->u.compr.key);
        return r;
    }
    case XT_CALL:
        return call_type(c, t->u.call.c, t->u.call.args, t->u.call.n, NULL, &t->src->loc);
    }
    return &T_ANY;
}

static void match_err(tcx *c, const rego_loc *loc, const ty *a, const ty *b) {
    char *json = NULL, *text = NULL;
    if (!tc_stop(c)) ty_match_details(c->a, a, b, &json, &text);
    tc_err(c, loc, json, text, "match error");
}

/* Two exactly known composites that cannot unify although their element
 * types are compatible: objects without dynamic parts whose keys differ
 * (OPA's unification of an object with a static object type), at any
 * depth of static arrays and objects. */
static bool static_mismatch(const ty *a, const ty *b) {
    if (a->k != b->k || a->dyn || b->dyn) return false;
    if (a->k == TY_ARR) {
        if (a->n != b->n) return false; /* ty_compat reports this one */
        for (uint32_t i = 0; i < a->n; i++)
            if (static_mismatch(a->items[i], b->items[i])) return true;
        return false;
    }
    if (a->k != TY_OBJ) return false;
    if (a->n != b->n) return true;
    for (uint32_t i = 0; i < a->n; i++) {
        uint32_t j = 0;
        while (j < b->n && !val_equal(a->keys[i], b->keys[j])) j++;
        if (j == b->n || static_mismatch(a->items[i], b->items[j])) return true;
    }
    return false;
}

static void check_expr(tcx *c, const xexpr *x) {
    switch (x->kind) {
    case XE_TERM: term_type(c, x->u.term); break;
    case XE_UNIFY: {
        ty *ta = term_type(c, x->u.un.a);
        ty *tb = term_type(c, x->u.un.b);
        if ((!ty_compat(ta, tb) && !ty_compat(tb, ta)) || static_mismatch(ta, tb)) {
            match_err(c, &x->src->loc, ta, tb);
            return;
        }
        bind(c, x->u.un.a, tb);
        bind(c, x->u.un.b, ta);
        break;
    }
    case XE_CALL:
        if (x->u.call.c->kind == XC_OP && x->u.call.c->op == OP_PRINT) {
            for (uint32_t i = 0; i < x->u.call.n; i++) term_type(c, x->u.call.args[i]);
            break;
        }
        call_type(c, x->u.call.c, x->u.call.args, x->u.call.n, x->u.call.out, &x->src->loc);
        break;
    case XE_SOME: {
        ty *d = term_type(c, x->u.some.dom);
        ty *el = &T_ANY, *kt = &T_ANY;
        if (d->k >= TY_NULL && d->k <= TY_STR) {
            const xterm *dom = x->u.some.dom;
            if (dom->kind == XT_REF && dom->root == XR_DATA && dom->u.ref.node->kind != NK_NONE &&
                dom->u.ref.nfixed == dom->u.ref.n) {
                const char *var = x->u.some.val->kind == XT_VAR ? x->u.some.val->src->u.var.name : "_";
                tc_err(c, &x->src->loc, NULL, NULL, "undefined ref: %s[%s]",
                       rc_node_path(c->a, dom->u.ref.node), var[0] == '$' ? "_" : var);
                return;
            }
            /* OPA unifies the value with an element of the scalar: unknown */
            match_err(c, &x->src->loc, term_type(c, x->u.some.val), &T_UNK);
            return;
        }
        if (d->k == TY_ARR || d->k == TY_SET || d->k == TY_OBJ) {
            xterm any = {.kind = XT_VAR};
            el = ty_index(c, d, &any);
            if (!el) el = &T_ANY;
            kt = d->k == TY_ARR ? &T_NUM : d->k == TY_SET ? el : (d->dkey ? d->dkey : &T_ANY);
        }
        if (x->u.some.key && !ty_compat(term_type(c, x->u.some.key), kt)) {
            match_err(c, &x->src->loc, term_type(c, x->u.some.key), kt);
            return;
        }
        if (!ty_compat(term_type(c, x->u.some.val), el)) {
            match_err(c, &x->src->loc, term_type(c, x->u.some.val), el);
            return;
        }
        if (x->u.some.key) bind(c, x->u.some.key, kt);
        bind(c, x->u.some.val, el);
        break;
    }
    case XE_EVERY: {
        ty *d = term_type(c, x->u.every.dom);
        ty *el = &T_ANY;
        if (d->k == TY_ARR || d->k == TY_SET || d->k == TY_OBJ) {
            xterm any = {.kind = XT_VAR};
            el = ty_index(c, d, &any);
            if (!el) el = &T_ANY;
        }
        bind(c, x->u.every.val, el);
        check_body(c, x->u.every.body);
        break;
    }
    default: break;
    }
    for (uint32_t i = 0; i < x->nwith; i++) term_type(c, x->with[i].value);
}

static void check_body(tcx *c, const xbody *b) {
    if (!b) return;
    for (uint32_t i = 0; i < b->n && !tc_stop(c); i++) check_expr(c, b->exprs[i]);
}

/* Type of a rule chain's value (checking its bodies), in a fresh frame.
 * For functions, params (nargs entries) receives the argument types. */
static ty *rule_type(tcx *c, const xrule *r, bool multi_key, ty **params) {
    ty **saved = c->vt;
    uint8_t *saved_refine = c->refine;
    uint32_t savedn = c->nvt;
    c->nvt = r->nslots;
    c->vt = gh_arena_calloc(c->a, (r->nslots + 1) * sizeof *c->vt);
    c->refine = r->nargs ? gh_arena_calloc(c->a, r->nslots + 1) : NULL;
    ty *res = NULL;
    if (c->vt) {
        for (const xrule *b = r; b && !tc_stop(c); b = b->els) {
            memset(c->vt, 0, r->nslots * sizeof *c->vt);
            if (c->refine)
                for (uint32_t i = 0; i < r->nargs; i++)
                    if (r->args[i]->kind == XT_VAR) c->refine[r->args[i]->slot] = 1;
            check_body(c, b->body);
            for (uint32_t i = 0; i < b->ntail; i++) term_type(c, b->tail[i]);
            ty *v = term_type(c, multi_key ? b->key : b->value);
            res = ty_union(c, res, v);
            for (uint32_t i = 0; params && i < r->nargs; i++) {
                const xterm *a = r->args[i];
                ty *pt = a->kind == XT_VAR ? (c->vt[a->slot] ? c->vt[a->slot] : &T_ANY)
                                           : a->kind == XT_CONST ? ty_of_value(c, a->u.v)
                                                                 : &T_ANY;
                params[i] = params[i] ? ty_union(c, params[i], pt) : pt;
            }
        }
    }
    c->vt = saved;
    c->refine = saved_refine;
    c->nvt = savedn;
    return res ? res : &T_ANY;
}

#define TC_MAX_NEST 256 /* rule-to-rule inference depth; deeper is `any` */

static ty *node_type(tcx *c, rnode *n) {
    if (c->nstate[n->id] == 2) return c->ntype[n->id];
    if (c->nstate[n->id] == 1 || c->nest >= TC_MAX_NEST) return &T_ANY;
    c->nest++;
    c->nstate[n->id] = 1;
    ty *t = NULL;
    switch (n->kind) {
    case NK_COMPLETE:
        for (uint32_t i = 0; i < n->nrules; i++)
            t = ty_union(c, t, rule_type(c, n->rules[i], false, NULL));
        if (n->dflt) t = ty_union(c, t, rule_type(c, n->dflt, false, NULL));
        break;
    case NK_FUNC: {
        uint32_t na = n->func_arity > 0 ? (uint32_t)n->func_arity : 0;
        ty **params = gh_arena_calloc(c->a, (na + 1) * sizeof *params);
        for (uint32_t i = 0; i < n->nrules; i++)
            t = ty_union(c, t, rule_type(c, n->rules[i], false, params));
        /* a default function accepts anything: no parameter checks then */
        if (n->dflt) {
            t = ty_union(c, t, rule_type(c, n->dflt, false, NULL));
            params = NULL;
        }
        c->fparams[n->id] = params;
        break;
    }
    case NK_MULTI: {
        ty *el = NULL;
        for (uint32_t i = 0; i < n->nrules; i++) el = ty_union(c, el, rule_type(c, n->rules[i], true, NULL));
        t = ty_new(c, TY_SET);
        t->dyn = el ? el : &T_ANY;
        break;
    }
    case NK_OBJ:
        for (uint32_t i = 0; i < n->nrules; i++)
            rule_type(c, n->rules[i], n->rules[i]->kind == XK_MULTI, NULL);
        t = &T_ANY; /* nested dynamic paths: keep it open */
        break;
    default: t = &T_ANY; break;
    }
    if (!t) t = &T_ANY;
    c->ntype[n->id] = t;
    c->nstate[n->id] = 2;
    c->nest--;
    return t;
}

static const rego_loc *node_loc(const rnode *n) {
    if (n->nrules) return &n->rules[0]->src->loc;
    return n->dflt ? &n->dflt->src->loc : NULL;
}

static int by_loc(const void *pa, const void *pb) {
    const rego_loc *a = node_loc(*(rnode *const *)pa), *b = node_loc(*(rnode *const *)pb);
    if (!a || !b) return !a - !b;
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

static void collect_nodes(rnode *n, rnode **out, uint32_t *k) {
    if (n->kind != NK_NONE) out[(*k)++] = n;
    for (uint32_t i = 0; i < n->nkids; i++) collect_nodes(n->kids[i], out, k);
}

/* Every rule node, in source order as OPA checks rules (so the errors
 * reported at the limit are the first ones in the files). */
static void check_nodes(tcx *c, rnode *root) {
    rnode **all = gh_arena_alloc(c->a, (c->pc->nnodes + 1) * sizeof *all);
    if (!all) {
        c->rc = gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        return;
    }
    uint32_t n = 0;
    collect_nodes(root, all, &n);
    qsort(all, n, sizeof *all, by_loc);
    for (uint32_t i = 0; i < n && !tc_stop(c); i++) node_type(c, all[i]);
}

/* The checker's result: its fatal error, else its type errors (sorted by
 * location, as OPA reports them) handed to sink and summarised in c->e. */
static int tc_finish(tcx *c, rego_errors *sink) {
    if (c->rc) {
        rego_errors_free(&c->errs);
        return c->rc;
    }
    rc_elist_sort(&c->errs);
    return rc_elist_finish(&c->errs, c->e, sink);
}

static int tcx_init(tcx *c, const rego_policy *p, gh_arena *a, gh_err *e) {
    memset(c, 0, sizeof *c);
    c->pc = p;
    c->a = a;
    c->e = e;
    c->ntype = gh_arena_calloc(a, (p->nnodes + 1) * sizeof *c->ntype);
    c->nstate = gh_arena_calloc(a, p->nnodes + 1);
    c->fparams = gh_arena_calloc(a, (p->nnodes + 1) * sizeof *c->fparams);
    if (!c->ntype || !c->nstate || !c->fparams) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

int rc_check_types(rego_policy *p, gh_err *e) {
    gh_arena a;
    gh_arena_init(&a, 0);
    tcx c;
    int rc = tcx_init(&c, p, &a, e);
    if (!rc) {
        c.p = p;
        check_nodes(&c, p->root);
        rc = tc_finish(&c, p->errsink);
    }
    gh_arena_free(&a);
    return rc;
}

int rc_check_query_types(const rego_policy *p, rego_query *q, gh_err *e, rego_errors *sink) {
    gh_arena a;
    gh_arena_init(&a, 0);
    tcx c;
    int rc = tcx_init(&c, p, &a, e);
    if (!rc) {
        c.nvt = q->nslots;
        c.vt = gh_arena_calloc(&a, (q->nslots + 1) * sizeof *c.vt);
        if (!c.vt) {
            rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            check_body(&c, q->body);
            rc = tc_finish(&c, sink);
        }
    }
    gh_arena_free(&a);
    return rc;
}
