/* compile_typebase.c - the type checker's types (types_int.h): the shared
 * scalar types, building and joining types, the type of a value, builtin
 * and operator signatures parsed from their `decl` strings (cached per
 * check), the compatibility test behind every check, and indexing into a
 * type. Also tc_err, which records a type error. No inference here
 * (compile_types.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types_int.h"

ty T_ANY = {TY_ANY, 0, NULL, NULL, NULL, NULL};
ty T_NULL = {TY_NULL, 0, NULL, NULL, NULL, NULL};
ty T_BOOL = {TY_BOOL, 0, NULL, NULL, NULL, NULL};
ty T_NUM = {TY_NUM, 0, NULL, NULL, NULL, NULL};
ty T_STR = {TY_STR, 0, NULL, NULL, NULL, NULL};
ty T_UNK = {TY_ANY, 0, NULL, NULL, NULL, NULL};

void tc_err(tcx *c, const rego_loc *loc, const char *details, const char *text, const char *fmt,
            ...) {
    if (tc_stop(c)) return;
    char msg[GH_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rc_elist_add(&c->errs, GH_ETYPE, "rego_type_error", loc ? loc->file : NULL,
                     loc ? (int)loc->line : 0, loc ? (int)loc->col : 0, msg, details, text))
        c->rc = gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
}

ty *ty_new(tcx *c, uint8_t k) {
    ty *t = gh_arena_calloc(c->a, sizeof *t);
    if (!t) {
        if (!c->rc) c->rc = gh_err_set(c->e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        return &T_ANY;
    }
    t->k = k;
    return t;
}

ty *ty_union(tcx *c, ty *a, ty *b) {
    if (!a) return b;
    if (!b || a == b) return a;
    if (a->k == TY_ANY || b->k == TY_ANY) return &T_ANY;
    if (a->k == b->k && a->k <= TY_STR) return a;
    ty *u = ty_new(c, TY_UNION);
    uint32_t na = a->k == TY_UNION ? a->n : 1, nb = b->k == TY_UNION ? b->n : 1;
    u->items = gh_arena_alloc(c->a, (na + nb) * sizeof *u->items);
    if (!u->items) return &T_ANY;
    for (uint32_t i = 0; i < na; i++) u->items[u->n++] = a->k == TY_UNION ? a->items[i] : a;
    for (uint32_t i = 0; i < nb; i++) {
        ty *x = b->k == TY_UNION ? b->items[i] : b;
        bool dup = false;
        for (uint32_t j = 0; j < u->n && !dup; j++)
            dup = u->items[j] == x || (x->k <= TY_STR && u->items[j]->k == x->k);
        if (!dup) u->items[u->n++] = x;
    }
    return u;
}

/* ---- types of values ------------------------------------------------------------- */

ty *ty_of_value(tcx *c, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NULL: return &T_NULL;
    case VAL_BOOL: return &T_BOOL;
    case VAL_NUMBER: return &T_NUM;
    case VAL_STRING: return &T_STR;
    case VAL_ARRAY: {
        ty *t = ty_new(c, TY_ARR);
        t->n = (uint32_t)val_arr_len(v);
        t->items = gh_arena_alloc(c->a, (t->n + 1) * sizeof *t->items);
        if (!t->items) return &T_ANY;
        for (uint32_t i = 0; i < t->n; i++) t->items[i] = ty_of_value(c, val_arr_at(v, i));
        return t;
    }
    case VAL_OBJECT: {
        ty *t = ty_new(c, TY_OBJ);
        t->n = (uint32_t)val_obj_len(v);
        t->items = gh_arena_alloc(c->a, (t->n + 1) * sizeof *t->items);
        t->keys = gh_arena_alloc(c->a, (t->n + 1) * sizeof *t->keys);
        if (!t->items || !t->keys) return &T_ANY;
        for (uint32_t i = 0; i < t->n; i++) {
            t->keys[i] = val_obj_key_at(v, i);
            t->items[i] = ty_of_value(c, val_obj_val_at(v, i));
        }
        return t;
    }
    case VAL_SET: {
        ty *t = ty_new(c, TY_SET);
        ty *el = NULL;
        for (size_t i = 0; i < val_set_len(v); i++) el = ty_union(c, el, ty_of_value(c, val_set_at(v, i)));
        t->dyn = el ? el : &T_ANY;
        return t;
    }
    }
    return &T_ANY;
}

/* ---- decl strings ------------------------------------------------------------------ */

typedef struct dp {
    tcx *c;
    const char *s;
    bool bad;
} dp;

static void dws(dp *d) {
    while (*d->s == ' ' || *d->s == '\t') d->s++;
}

static bool dacc(dp *d, const char *tok) {
    dws(d);
    size_t n = strlen(tok);
    if (!strncmp(d->s, tok, n)) {
        d->s += n;
        return true;
    }
    return false;
}

static ty *dtype(dp *d);

static ty *dprim(dp *d) {
    dws(d);
    if (dacc(d, "<")) {
        ty *t = ty_new(d->c, TY_ARR);
        ty *items[32];
        uint32_t n = 0;
        do {
            ty *x = dtype(d);
            if (n < 32) items[n++] = x;
        } while (dacc(d, ","));
        if (!dacc(d, ">")) d->bad = true;
        t->items = gh_arena_alloc(d->c->a, (n + 1) * sizeof *t->items);
        if (!t->items) return &T_ANY;
        memcpy(t->items, items, n * sizeof *items);
        t->n = n;
        return t;
    }
    if (dacc(d, "{")) { /* static object {k: T, ...}; the key `any` is the dynamic part */
        ty *t = ty_new(d->c, TY_OBJ);
        ty *items[32];
        val_t *keys[32];
        uint32_t n = 0;
        do {
            dws(d);
            const char *k = d->s;
            while (*d->s && *d->s != ':' && *d->s != ' ' && *d->s != '}') d->s++;
            size_t kn = (size_t)(d->s - k);
            if (!dacc(d, ":")) {
                d->bad = true;
                break;
            }
            ty *x = dtype(d);
            if (kn == 3 && !memcmp(k, "any", 3)) {
                t->dkey = &T_ANY;
                t->dyn = x;
            } else if (n < 32) {
                keys[n] = val_str(d->c->a, k, kn);
                if (!keys[n]) return &T_ANY;
                items[n++] = x;
            }
        } while (dacc(d, ","));
        if (!dacc(d, "}")) d->bad = true;
        t->items = gh_arena_alloc(d->c->a, (n + 1) * sizeof *t->items);
        t->keys = gh_arena_alloc(d->c->a, (n + 1) * sizeof *t->keys);
        if (!t->items || !t->keys) return &T_ANY;
        memcpy(t->items, items, n * sizeof *items);
        memcpy(t->keys, keys, n * sizeof *keys);
        t->n = n;
        return t;
    }
    if (dacc(d, "array[")) {
        ty *t = ty_new(d->c, TY_ARR);
        t->dyn = dtype(d);
        if (!dacc(d, "]")) d->bad = true;
        return t;
    }
    if (dacc(d, "set[")) {
        ty *t = ty_new(d->c, TY_SET);
        t->dyn = dtype(d);
        if (!dacc(d, "]")) d->bad = true;
        return t;
    }
    if (dacc(d, "object[")) {
        ty *t = ty_new(d->c, TY_OBJ);
        t->dkey = dtype(d);
        if (!dacc(d, ":")) d->bad = true;
        t->dyn = dtype(d);
        if (!dacc(d, "]")) d->bad = true;
        return t;
    }
    static const struct {
        const char *n;
        ty *t;
    } prims[] = {{"any", &T_ANY}, {"string", &T_STR}, {"number", &T_NUM},
                 {"boolean", &T_BOOL}, {"null", &T_NULL}};
    for (size_t i = 0; i < sizeof prims / sizeof *prims; i++)
        if (dacc(d, prims[i].n)) return prims[i].t;
    d->bad = true;
    return &T_ANY;
}

static ty *dtype(dp *d) {
    ty *t = dprim(d);
    while (!d->bad && dacc(d, "|")) t = ty_union(d->c, t, dprim(d));
    return t;
}

static void dname(dp *d) {
    dws(d);
    const char *s = d->s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')
        s++;
    const char *q = s;
    while (*q == ' ') q++;
    if (s > d->s && *q == ':') d->s = q + 1;
}

/* Argument and result types of a builtin (cached); false when unparsable. */
bool tc_decl_of(tcx *c, const rego_builtin *bi, ty ***args, ty **res) {
    for (uint32_t i = 0; i < c->ndecl; i++)
        if (c->dbi[i] == bi) {
            *args = c->dargs[i];
            *res = c->dres[i];
            return *args != NULL;
        }
    if (c->ndecl == c->capdecl) {
        uint32_t nc = c->capdecl ? c->capdecl * 2 : 32;
        const rego_builtin **nb = gh_arena_realloc(c->a, c->dbi, c->capdecl * sizeof *nb, nc * sizeof *nb);
        ty ***na = nb ? gh_arena_realloc(c->a, c->dargs, c->capdecl * sizeof *na, nc * sizeof *na) : NULL;
        ty **nr = na ? gh_arena_realloc(c->a, c->dres, c->capdecl * sizeof *nr, nc * sizeof *nr) : NULL;
        if (!nr) return false;
        c->dbi = nb;
        c->dargs = na;
        c->dres = nr;
        c->capdecl = nc;
    }
    dp d = {c, bi->decl ? bi->decl : "", false};
    ty **a = gh_arena_calloc(c->a, (bi->arity + 1) * sizeof *a);
    ty *r = &T_ANY;
    if (a && dacc(&d, "(")) {
        uint32_t n = 0;
        if (!dacc(&d, ")")) {
            do {
                dname(&d);
                ty *t = dtype(&d);
                if (n < bi->arity) a[n] = t;
                n++;
            } while (!d.bad && dacc(&d, ","));
            if (!dacc(&d, ")")) d.bad = true;
        }
        if (n != bi->arity) d.bad = true;
        if (!d.bad && dacc(&d, "->")) {
            dname(&d);
            r = dtype(&d);
        } else {
            d.bad = true;
        }
    } else {
        d.bad = true;
    }
    c->dbi[c->ndecl] = bi;
    c->dargs[c->ndecl] = d.bad ? NULL : a;
    c->dres[c->ndecl] = d.bad ? &T_ANY : r;
    c->ndecl++;
    *args = d.bad ? NULL : a;
    *res = d.bad ? &T_ANY : r;
    return !d.bad;
}

/* ---- compatibility ------------------------------------------------------------------ */

const ty *ty_scalar_of(const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NULL: return &T_NULL;
    case VAL_BOOL: return &T_BOOL;
    case VAL_NUMBER: return &T_NUM;
    case VAL_STRING: return &T_STR;
    default: return &T_ANY;
    }
}

static bool arr_items_compat(const ty *a, const ty *elem) {
    for (uint32_t i = 0; i < a->n; i++)
        if (!ty_compat(a->items[i], elem)) return false;
    return !a->dyn || ty_compat(a->dyn, elem);
}

/* Could a value of type a be accepted where w is wanted? */
bool ty_compat(const ty *a, const ty *w) {
    if (a->k == TY_ANY || w->k == TY_ANY) return true;
    if (a->k == TY_UNION) {
        for (uint32_t i = 0; i < a->n; i++)
            if (ty_compat(a->items[i], w)) return true;
        return false;
    }
    if (w->k == TY_UNION) {
        for (uint32_t i = 0; i < w->n; i++)
            if (ty_compat(a, w->items[i])) return true;
        return false;
    }
    if (a->k != w->k) return false;
    switch (a->k) {
    case TY_ARR:
        if (!w->dyn && w->items) { /* static wanted */
            if (!a->dyn) {
                if (a->n != w->n) return false;
                for (uint32_t i = 0; i < a->n; i++)
                    if (!ty_compat(a->items[i], w->items[i])) return false;
                return true;
            }
            for (uint32_t i = 0; i < w->n; i++)
                if (!ty_compat(a->dyn, w->items[i])) return false;
            return true;
        }
        return w->dyn ? arr_items_compat(a, w->dyn) : true;
    case TY_SET:
        return !a->dyn || !w->dyn || ty_compat(a->dyn, w->dyn);
    case TY_OBJ:
        for (uint32_t i = 0; i < a->n; i++) {
            /* a key the wanted type names has its type; others the dynamic one */
            const ty *want = NULL;
            for (uint32_t j = 0; j < w->n && !want; j++)
                if (val_equal(a->keys[i], w->keys[j])) want = w->items[j];
            if (want) {
                if (!ty_compat(a->items[i], want)) return false;
            } else if (w->dyn) {
                if (w->dkey && !ty_compat(ty_scalar_of(a->keys[i]), w->dkey)) return false;
                if (!ty_compat(a->items[i], w->dyn)) return false;
            }
        }
        if (w->dyn && a->dyn && !ty_compat(a->dyn, w->dyn)) return false;
        return true;
    default:
        return true;
    }
}

/* ---- indexing ---------------------------------------------------------------------- */

/* Type of t[key]; NULL when a constant key cannot exist in a value of
 * static type t (OPA's "undefined ref"). */
ty *ty_index(tcx *c, ty *t, const xterm *key) {
    val_t *kv = key->kind == XT_CONST ? key->u.v : NULL;
    switch (t->k) {
    case TY_ARR: {
        if (kv) {
            int64_t i;
            /* OPA's checker wants an integer literal (1.0 is not one) */
            if (val_is_int(kv) && val_num_to_int64(kv, &i) && i >= 0 && (uint64_t)i < t->n)
                return t->items[i];
            return t->dyn ? t->dyn : NULL;
        }
        ty *u = t->dyn;
        for (uint32_t i = 0; i < t->n; i++) u = ty_union(c, u, t->items[i]);
        return u ? u : &T_ANY;
    }
    case TY_OBJ: {
        if (kv) {
            for (uint32_t i = 0; i < t->n; i++)
                if (val_equal(t->keys[i], kv)) return t->items[i];
            return t->dyn ? t->dyn : NULL;
        }
        ty *u = t->dyn;
        for (uint32_t i = 0; i < t->n; i++) u = ty_union(c, u, t->items[i]);
        return u ? u : &T_ANY;
    }
    case TY_SET: return t->dyn ? t->dyn : &T_ANY;
    default: return &T_ANY;
    }
}

static const char *op_decl(uint8_t op) {
    switch (op) {
    case OP_PLUS: case OP_MUL: case OP_DIV: case OP_REM: return "(number, number) -> number";
    case OP_MINUS: return "(number|set[any], number|set[any]) -> number|set[any]";
    case OP_AND: case OP_OR: return "(set[any], set[any]) -> set[any]";
    case OP_EQUAL: case OP_NEQ: case OP_LT: case OP_LTE: case OP_GT: case OP_GTE:
        return "(any, any) -> boolean";
    case OP_MEMBER2: return "(any, any) -> boolean";
    case OP_MEMBER3: return "(any, any, any) -> boolean";
    case OP_TRACE: return "(string) -> boolean";
    default: return NULL;
    }
}

ty **tc_op_decl(tcx *c, uint8_t op, uint32_t arity, ty **res) {
    const char *decl = op_decl(op);
    if (!decl) return NULL;
    /* ops are not cached by pointer: parse directly */
    dp d = {c, decl, false};
    ty **a = gh_arena_calloc(c->a, (arity + 1) * sizeof *a);
    if (!a || !dacc(&d, "(")) return NULL;
    for (uint32_t i = 0; i < arity; i++) {
        if (i) dacc(&d, ",");
        a[i] = dtype(&d);
    }
    dacc(&d, ")");
    dacc(&d, "->");
    ty *r = dtype(&d);
    if (d.bad) return NULL;
    *res = r;
    return a;
}
