/* ast_json.c - the module AST as the value OPA's JSON encoding of ast.Module
 * gives (what rego.parse_module returns): terms as {"type", "value"}, bodies
 * as arrays of {"index", "terms", "negated"?, "with"?}, rule heads with OPA's
 * back-compat name/key fields, comments base64-encoded. Locations are left
 * out except on comments, as OPA's default JSON options do. Objects and sets
 * come out in OPA's AST term order with duplicates merged (OPA builds them as
 * hashed collections). Called by the rego.parse_module builtin. */
#include <stdlib.h>
#include <string.h>

#include "rego_int.h"

typedef struct jctx {
    gh_arena *a;
    bool oom;
} jctx;

static val_t *j_term(jctx *c, const rego_term *t);
static val_t *j_body(jctx *c, const rego_body *b);

/* ---- OPA's AST term order (ast.Compare) -------------------------------------------- */

static int t_cmp(const rego_term *a, const rego_term *b);
static int body_cmp(const rego_body *a, const rego_body *b);

/* null < boolean < number < string < var < ref < array < object < set <
 * array compr < object compr < set compr < call */
static int t_order(const rego_term *t) {
    switch (t->kind) {
    case REGO_T_SCALAR: return (int)t->u.value->kind; /* 0..3 */
    case REGO_T_VAR: return 5;
    case REGO_T_REF: return 6;
    case REGO_T_ARRAY: return 7;
    case REGO_T_OBJECT: return 8;
    case REGO_T_SET: return 9;
    case REGO_T_ARRAY_COMPR: return 10;
    case REGO_T_OBJECT_COMPR: return 11;
    case REGO_T_SET_COMPR: return 12;
    default: return 13;
    }
}

static int slice_cmp(rego_term *const *a, uint32_t na, rego_term *const *b, uint32_t nb) {
    uint32_t n = na < nb ? na : nb;
    for (uint32_t i = 0; i < n; i++) {
        int c = t_cmp(a[i], b[i]);
        if (c) return c;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

/* Sorted, de-duplicated positions of a set's elements or an object's keys
 * (the first of equal elements is kept; see dedup()). */
typedef struct sorted {
    uint32_t *ix;
    uint32_t n;
} sorted;

static _Thread_local rego_term *const *sort_src;
static int by_term(const void *x, const void *y) {
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = t_cmp(sort_src[i], sort_src[j]);
    if (c) return c;
    return i < j ? -1 : i > j;
}

/* Sorts in the heap (qsort's callback has no context argument, so the
 * source array goes through a thread-local pointer saved and restored around
 * the call, which keeps nested sorts correct). Equal terms keep only their
 * first position; when last is non-NULL it receives (heap, one entry per kept
 * term) the position of the last equal term (OPA's object insert keeps the
 * first key and overwrites its value). Returns NULL on OOM. */
static uint32_t *sort_terms(rego_term *const *items, uint32_t n, uint32_t *nout,
                            uint32_t **last) {
    uint32_t *ix = gh_malloc((n ? n : 1) * sizeof *ix);
    uint32_t *lx = last ? gh_malloc((n ? n : 1) * sizeof *lx) : NULL;
    if (!ix || (last && !lx)) {
        gh_free(ix);
        gh_free(lx);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        ix[i] = i;
    rego_term *const *saved = sort_src;
    sort_src = items;
    qsort(ix, n, sizeof *ix, by_term);
    sort_src = saved;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (k && t_cmp(items[ix[k - 1]], items[ix[i]]) == 0) {
            if (lx) lx[k - 1] = ix[i]; /* runs of equal terms are in source order */
            continue;
        }
        if (lx) lx[k] = ix[i];
        ix[k++] = ix[i];
    }
    *nout = k;
    if (last) *last = lx;
    return ix;
}

static int coll_cmp(const rego_term *a, const rego_term *b) {
    bool obj = a->kind == REGO_T_OBJECT;
    rego_term *const *ia = obj ? a->u.obj.keys : a->u.list.items;
    rego_term *const *ib = obj ? b->u.obj.keys : b->u.list.items;
    uint32_t na = 0, nb = 0, *la = NULL, *lb = NULL;
    uint32_t *xa = sort_terms(ia, obj ? a->u.obj.n : a->u.list.n, &na, obj ? &la : NULL);
    uint32_t *xb = sort_terms(ib, obj ? b->u.obj.n : b->u.list.n, &nb, obj ? &lb : NULL);
    int r = 0;
    if (!xa || !xb) goto out; /* OOM: treat as equal (the output is still well formed) */
    uint32_t n = na < nb ? na : nb;
    for (uint32_t i = 0; i < n && !r; i++) {
        r = t_cmp(ia[xa[i]], ib[xb[i]]);
        if (!r && obj) r = t_cmp(a->u.obj.vals[la[i]], b->u.obj.vals[lb[i]]);
    }
    if (!r) r = na < nb ? -1 : na > nb ? 1 : 0;
out:
    gh_free(xa);
    gh_free(xb);
    gh_free(la);
    gh_free(lb);
    return r;
}

static int expr_order(const rego_expr *x) {
    switch (x->kind) {
    case REGO_E_SOME: return 0;
    case REGO_E_TERM: return 1;
    case REGO_E_CALL: return 2;
    default: return 3;
    }
}

static int nt_cmp(const rego_term *a, const rego_term *b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    return t_cmp(a, b);
}

static int expr_cmp(const rego_expr *a, const rego_expr *b) {
    int c = expr_order(a) - expr_order(b);
    if (c) return c < 0 ? -1 : 1;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    if (a->negated != b->negated) return a->negated ? 1 : -1;
    switch (a->kind) {
    case REGO_E_TERM: c = t_cmp(a->u.term, b->u.term); break;
    case REGO_E_CALL:
        c = slice_cmp(a->u.call.terms, a->u.call.n, b->u.call.terms, b->u.call.n);
        break;
    case REGO_E_SOME:
        c = slice_cmp(a->u.some.vars, a->u.some.n, b->u.some.vars, b->u.some.n);
        if (!c) c = nt_cmp(a->u.some.key, b->u.some.key);
        if (!c) c = nt_cmp(a->u.some.value, b->u.some.value);
        if (!c) c = nt_cmp(a->u.some.domain, b->u.some.domain);
        break;
    default:
        c = nt_cmp(a->u.every.key, b->u.every.key);
        if (!c) c = nt_cmp(a->u.every.value, b->u.every.value);
        if (!c) c = nt_cmp(a->u.every.domain, b->u.every.domain);
        if (!c) c = body_cmp(a->u.every.body, b->u.every.body);
        break;
    }
    if (c) return c;
    uint32_t n = a->nwith < b->nwith ? a->nwith : b->nwith;
    for (uint32_t i = 0; i < n; i++) {
        c = t_cmp(a->with[i].target, b->with[i].target);
        if (!c) c = t_cmp(a->with[i].value, b->with[i].value);
        if (c) return c;
    }
    return a->nwith < b->nwith ? -1 : a->nwith > b->nwith ? 1 : 0;
}

static int body_cmp(const rego_body *a, const rego_body *b) {
    uint32_t n = a->n < b->n ? a->n : b->n;
    for (uint32_t i = 0; i < n; i++) {
        int c = expr_cmp(a->exprs[i], b->exprs[i]);
        if (c) return c;
    }
    return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

static int t_cmp(const rego_term *a, const rego_term *b) {
    int oa = t_order(a), ob = t_order(b);
    if (oa != ob) return oa < ob ? -1 : 1;
    switch (a->kind) {
    case REGO_T_SCALAR: return val_compare(a->u.value, b->u.value);
    case REGO_T_VAR: {
        int c = strcmp(a->u.var.name, b->u.var.name);
        return c < 0 ? -1 : c > 0;
    }
    case REGO_T_REF:
    case REGO_T_ARRAY:
    case REGO_T_CALL:
        return slice_cmp(a->u.list.items, a->u.list.n, b->u.list.items, b->u.list.n);
    case REGO_T_OBJECT:
    case REGO_T_SET: return coll_cmp(a, b);
    default: {
        int c = 0;
        if (a->kind == REGO_T_OBJECT_COMPR) c = t_cmp(a->u.compr.key, b->u.compr.key);
        if (!c) c = t_cmp(a->u.compr.head, b->u.compr.head);
        if (!c) c = body_cmp(a->u.compr.body, b->u.compr.body);
        return c;
    }
    }
}

/* ---- value builders ----------------------------------------------------------------- */

static val_t *obj(jctx *c, size_t cap) {
    val_t *o = val_obj_new(c->a, cap);
    if (!o) c->oom = true;
    return o;
}

static val_t *arr(jctx *c, size_t cap) {
    val_t *o = val_arr_new(c->a, cap);
    if (!o) c->oom = true;
    return o;
}

static void put(jctx *c, val_t *o, const char *k, val_t *v) {
    if (!o || !v) {
        c->oom = true;
        return;
    }
    val_t *key = val_str_ref(c->a, k, strlen(k));
    if (!key || val_obj_put(c->a, o, key, v)) c->oom = true;
}

static void push(jctx *c, val_t *a, val_t *v) {
    if (!a || !v || val_arr_push(c->a, a, v)) c->oom = true;
}

static val_t *str(jctx *c, const char *s, size_t n) {
    val_t *v = val_str_ref(c->a, s, n);
    if (!v) c->oom = true;
    return v;
}

/* {"type": type, "value": v} */
static val_t *typed(jctx *c, const char *type, val_t *v) {
    val_t *o = obj(c, 2);
    put(c, o, "type", str(c, type, strlen(type)));
    put(c, o, "value", v);
    return o;
}

static val_t *j_list(jctx *c, rego_term *const *items, uint32_t n) {
    val_t *a = arr(c, n);
    for (uint32_t i = 0; i < n && !c->oom; i++)
        push(c, a, j_term(c, items[i]));
    return a;
}

static const char *scalar_type(const val_t *v) {
    switch (v->kind) {
    case VAL_NULL: return "null";
    case VAL_BOOL: return "boolean";
    case VAL_NUMBER: return "number";
    default: return "string";
    }
}

static val_t *j_set(jctx *c, const rego_term *t) {
    uint32_t n;
    uint32_t *ix = sort_terms(t->u.list.items, t->u.list.n, &n, NULL);
    if (!ix) {
        c->oom = true;
        return NULL;
    }
    val_t *a = arr(c, n);
    for (uint32_t i = 0; i < n && !c->oom; i++)
        push(c, a, j_term(c, t->u.list.items[ix[i]]));
    gh_free(ix);
    return a;
}

static val_t *j_object(jctx *c, const rego_term *t) {
    uint32_t n, *last = NULL;
    uint32_t *ix = sort_terms(t->u.obj.keys, t->u.obj.n, &n, &last);
    if (!ix) {
        c->oom = true;
        return NULL;
    }
    val_t *a = arr(c, n);
    for (uint32_t i = 0; i < n && !c->oom; i++) {
        val_t *pair = arr(c, 2);
        push(c, pair, j_term(c, t->u.obj.keys[ix[i]]));
        push(c, pair, j_term(c, t->u.obj.vals[last[i]]));
        push(c, a, pair);
    }
    gh_free(ix);
    gh_free(last);
    return a;
}

static val_t *j_term(jctx *c, const rego_term *t) {
    if (c->oom) return NULL;
    if (!t) return VAL_NULLV;
    switch (t->kind) {
    case REGO_T_SCALAR:
        /* OPA's Null marshals as an empty object */
        return typed(c, scalar_type(t->u.value),
                     t->u.value->kind == VAL_NULL ? obj(c, 0) : t->u.value);
    case REGO_T_VAR: return typed(c, "var", str(c, t->u.var.name, t->u.var.len));
    case REGO_T_REF: return typed(c, "ref", j_list(c, t->u.list.items, t->u.list.n));
    case REGO_T_ARRAY: return typed(c, "array", j_list(c, t->u.list.items, t->u.list.n));
    case REGO_T_CALL: return typed(c, "call", j_list(c, t->u.list.items, t->u.list.n));
    case REGO_T_SET: return typed(c, "set", j_set(c, t));
    case REGO_T_OBJECT: return typed(c, "object", j_object(c, t));
    case REGO_T_ARRAY_COMPR:
    case REGO_T_SET_COMPR: {
        val_t *o = obj(c, 2);
        put(c, o, "term", j_term(c, t->u.compr.head));
        put(c, o, "body", j_body(c, t->u.compr.body));
        return typed(c, t->kind == REGO_T_ARRAY_COMPR ? "arraycomprehension" : "setcomprehension",
                     o);
    }
    case REGO_T_OBJECT_COMPR: {
        val_t *o = obj(c, 3);
        put(c, o, "key", j_term(c, t->u.compr.key));
        put(c, o, "value", j_term(c, t->u.compr.head));
        put(c, o, "body", j_body(c, t->u.compr.body));
        return typed(c, "objectcomprehension", o);
    }
    default: c->oom = true; return NULL;
    }
}

/* ---- expressions, bodies ------------------------------------------------------------ */

/* A call term op(args...) built from a dotted builtin name such as
 * "internal.member_2". */
static val_t *j_member_call(jctx *c, const char *fn, rego_term *const *args, uint32_t n) {
    val_t *ref = arr(c, 2);
    push(c, ref, typed(c, "var", str(c, "internal", 8)));
    push(c, ref, typed(c, "string", str(c, fn, strlen(fn))));
    val_t *call = arr(c, n + 1);
    push(c, call, typed(c, "ref", ref));
    for (uint32_t i = 0; i < n && !c->oom; i++)
        push(c, call, j_term(c, args[i]));
    return typed(c, "call", call);
}

static val_t *j_expr_terms(jctx *c, const rego_expr *x) {
    switch (x->kind) {
    case REGO_E_TERM: return j_term(c, x->u.term);
    case REGO_E_CALL: return j_list(c, x->u.call.terms, x->u.call.n);
    case REGO_E_SOME: {
        val_t *syms;
        if (x->u.some.domain) {
            rego_term *args[3];
            uint32_t n = 0;
            if (x->u.some.key) args[n++] = x->u.some.key;
            args[n++] = x->u.some.value;
            args[n++] = x->u.some.domain;
            syms = arr(c, 1);
            push(c, syms, j_member_call(c, n == 3 ? "member_3" : "member_2", args, n));
        } else {
            syms = j_list(c, x->u.some.vars, x->u.some.n);
        }
        val_t *o = obj(c, 1);
        put(c, o, "symbols", syms);
        return o;
    }
    default: {
        val_t *o = obj(c, 4);
        put(c, o, "key", j_term(c, x->u.every.key));
        put(c, o, "value", j_term(c, x->u.every.value));
        put(c, o, "domain", j_term(c, x->u.every.domain));
        put(c, o, "body", j_body(c, x->u.every.body));
        return o;
    }
    }
}

static val_t *j_expr(jctx *c, const rego_expr *x) {
    val_t *o = obj(c, 4);
    val_t *idx = val_int(c->a, x->index);
    put(c, o, "index", idx);
    put(c, o, "terms", j_expr_terms(c, x));
    if (x->negated) put(c, o, "negated", val_bool(true));
    if (x->nwith) {
        val_t *ws = arr(c, x->nwith);
        for (uint32_t i = 0; i < x->nwith && !c->oom; i++) {
            val_t *w = obj(c, 2);
            put(c, w, "target", j_term(c, x->with[i].target));
            put(c, w, "value", j_term(c, x->with[i].value));
            push(c, ws, w);
        }
        put(c, o, "with", ws);
    }
    return o;
}

static val_t *j_body(jctx *c, const rego_body *b) {
    if (c->oom) return NULL;
    val_t *a = arr(c, b ? b->n : 0);
    for (uint32_t i = 0; b && i < b->n && !c->oom; i++)
        push(c, a, j_expr(c, b->exprs[i]));
    return a;
}

/* ---- rules -------------------------------------------------------------------------- */

/* OPA's Head.Name and Head.Key for the rule at the top of an else chain:
 * a one-element ref names the rule; the two-element back-compat forms
 * `p[x] if ...` (key x when not ground) and `p[k] = v` / `p.k := v` without
 * `if` (name p, key k) keep them as OPA's parser sets them. */
static void head_name_key(const rego_rule *r, const char **name, const rego_term **key) {
    const rego_term *ref = r->ref;
    uint32_t n = ref->u.list.n;
    *name = n == 1 ? ref->u.list.items[0]->u.var.name : NULL;
    *key = NULL;
    if (r->kind == REGO_RULE_MULTI) {
        *key = r->key;
        /* v0 `p[x] { ... }`: the key came out of the ref */
        if (!(r->flags & REGO_RF_CONTAINS)) *name = ref->u.list.items[0]->u.var.name;
        return;
    }
    if (r->flags & REGO_RF_DEFAULT) return;
    if (n != 2) return;
    const rego_term *last = ref->u.list.items[1];
    if (r->flags & REGO_RF_IF) {
        if (r->nargs == 0 && (!rego_term_is_ground(last) || last->kind == REGO_T_REF)) *key = last;
        if (!(r->flags & REGO_RF_GEN_VALUE)) *name = ref->u.list.items[0]->u.var.name;
    } else if (r->nargs == 0) {
        *name = ref->u.list.items[0]->u.var.name;
        *key = last;
    }
}

static val_t *j_head(jctx *c, const rego_rule *r, const char *name, const rego_term *key) {
    val_t *h = obj(c, 6);
    if (name) put(c, h, "name", str(c, name, strlen(name)));
    put(c, h, "ref", j_list(c, r->ref->u.list.items, r->ref->u.list.n));
    if (r->nargs) put(c, h, "args", j_list(c, r->args, r->nargs));
    if (key) put(c, h, "key", j_term(c, key));
    if (r->value) put(c, h, "value", j_term(c, r->value));
    if (r->flags & REGO_RF_ASSIGN) put(c, h, "assign", val_bool(true));
    return h;
}

static val_t *j_rule(jctx *c, const rego_rule *r, const char *name, const rego_term *key) {
    if (c->oom) return NULL;
    val_t *o = obj(c, 4);
    if (r->flags & REGO_RF_DEFAULT) put(c, o, "default", val_bool(true));
    put(c, o, "head", j_head(c, r, name, key));
    put(c, o, "body", j_body(c, r->body));
    if (r->else_rule) put(c, o, "else", j_rule(c, r->else_rule, name, key));
    return o;
}

/* ---- module ------------------------------------------------------------------------- */

static val_t *base64(jctx *c, const char *s, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t outn = (n + 2) / 3 * 4;
    char *out = gh_arena_alloc(c->a, outn + 1);
    if (!out) {
        c->oom = true;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)s[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[k] = '\0';
    return str(c, out, k);
}

static val_t *j_comment(jctx *c, const rego_comment *cm) {
    val_t *loc = obj(c, 3);
    const char *file = cm->loc.file ? cm->loc.file : "";
    put(c, loc, "file", str(c, file, strlen(file)));
    put(c, loc, "row", val_int(c->a, cm->loc.line));
    put(c, loc, "col", val_int(c->a, cm->loc.col));
    val_t *o = obj(c, 2);
    put(c, o, "Text", base64(c, cm->text ? cm->text : "", cm->text ? cm->len : 0));
    put(c, o, "Location", loc);
    return o;
}

val_t *rego_module_to_value(gh_arena *a, const rego_module *m) {
    jctx c = {.a = a};
    val_t *mod = obj(&c, 4);
    val_t *pkg = obj(&c, 1);
    put(&c, pkg, "path", j_list(&c, m->package->u.list.items, m->package->u.list.n));
    put(&c, mod, "package", pkg);
    if (m->nimports) {
        val_t *imps = arr(&c, m->nimports);
        for (uint32_t i = 0; i < m->nimports && !c.oom; i++) {
            val_t *o = obj(&c, 2);
            put(&c, o, "path", j_term(&c, m->imports[i].path));
            if (m->imports[i].alias)
                put(&c, o, "alias", str(&c, m->imports[i].alias, strlen(m->imports[i].alias)));
            push(&c, imps, o);
        }
        put(&c, mod, "imports", imps);
    }
    if (m->nrules) {
        val_t *rules = arr(&c, m->nrules);
        for (uint32_t i = 0; i < m->nrules && !c.oom; i++) {
            const char *name;
            const rego_term *key;
            head_name_key(m->rules[i], &name, &key);
            push(&c, rules, j_rule(&c, m->rules[i], name, key));
        }
        put(&c, mod, "rules", rules);
    }
    if (m->ncomments) {
        val_t *cms = arr(&c, m->ncomments);
        for (uint32_t i = 0; i < m->ncomments && !c.oom; i++)
            push(&c, cms, j_comment(&c, &m->comments[i]));
        put(&c, mod, "comments", cms);
    }
    return c.oom ? NULL : mod;
}

/* ---- single nodes (the server's ?explain trace events) ------------------------------- */

val_t *rego_expr_to_value(gh_arena *a, const rego_expr *x, bool positive) {
    jctx c = {.a = a};
    if (!x) return NULL;
    rego_expr tmp;
    if (positive) {
        /* the body of a negation, as OPA traces it: the expression alone
         * (index 0, not negated) */
        tmp = *x;
        tmp.negated = false;
        tmp.index = 0;
        x = &tmp;
    }
    val_t *o = j_expr(&c, x);
    return c.oom ? NULL : o;
}

val_t *rego_term_to_ast_value(gh_arena *a, const rego_term *t) {
    jctx c = {.a = a};
    if (!t) return NULL;
    val_t *v = j_term(&c, t);
    return c.oom ? NULL : v;
}

val_t *rego_body_to_value(gh_arena *a, const rego_body *b) {
    jctx c = {.a = a};
    val_t *v = j_body(&c, b);
    return c.oom ? NULL : v;
}

val_t *rego_rule_to_value(gh_arena *a, const rego_rule *r) {
    jctx c = {.a = a};
    if (!r) return NULL;
    const char *name;
    const rego_term *key;
    head_name_key(r, &name, &key);
    val_t *v = j_rule(&c, r, name, key);
    return c.oom ? NULL : v;
}
