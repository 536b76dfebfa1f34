/* compile_typerr.c - the "details" of type errors as OPA reports them: a
 * checker type in OPA's JSON encoding of types, that encoding printed as
 * OPA's type text, and the detail shapes built from them (argument and
 * arity errors {"have","want"}, match errors {"a","b"}, undefined refs
 * {"ref","pos",...}) with the lines OPA prints for each. Called only once
 * an error is found (compile_types.c, lowering for arity); all memory is
 * the caller's arena. */
#include <stdlib.h>
#include <string.h>

#include "types_int.h"

static val_t *put(gh_arena *a, val_t *o, const char *k, val_t *v) {
    if (!o || !v) return NULL;
    val_t *key = val_strc(a, k);
    return key && !val_obj_put(a, o, key, v) ? o : NULL;
}

static val_t *kind_obj(gh_arena *a, const char *kind) {
    return put(a, val_obj_new(a, 3), "type", val_strc(a, kind));
}

/* OPA orders the members of an any-of by kind. */
static int kind_rank(const val_t *t) {
    static const char *const order[] = {"null",   "boolean", "number", "string",
                                        "array",  "object",  "set",    "any"};
    const val_t *k = t ? val_obj_get_str(t, "type", 4) : NULL;
    for (int i = 0; k && i < 8; i++)
        if (!strcmp(val_str_ptr(k), order[i])) return i;
    return 8;
}

static int by_rank(const void *a, const void *b) {
    return kind_rank(*(val_t *const *)a) - kind_rank(*(val_t *const *)b);
}

static int by_key(const void *a, const void *b) {
    return val_compare(val_obj_get_str(*(val_t *const *)a, "key", 3),
                       val_obj_get_str(*(val_t *const *)b, "key", 3));
}

static val_t *dyn_obj(gh_arena *a, const ty *k, const ty *v) {
    val_t *d = val_obj_new(a, 2);
    d = put(a, d, "key", k ? ty_to_value(a, k) : kind_obj(a, "any"));
    return put(a, d, "value", v ? ty_to_value(a, v) : kind_obj(a, "any"));
}

val_t *ty_to_value(gh_arena *a, const ty *t) {
    if (t == &T_UNK) return VAL_NULLV;
    switch (t->k) {
    case TY_NULL: return kind_obj(a, "null");
    case TY_BOOL: return kind_obj(a, "boolean");
    case TY_NUM: return kind_obj(a, "number");
    case TY_STR: return kind_obj(a, "string");
    case TY_ARR: {
        val_t *o = kind_obj(a, "array");
        if (t->n && !t->dyn) {
            val_t *st = val_arr_new(a, t->n);
            for (uint32_t i = 0; st && i < t->n; i++)
                if (val_arr_push(a, st, ty_to_value(a, t->items[i]))) st = NULL;
            o = put(a, o, "static", st);
        }
        /* an array with neither part (e.g. []) is array[any] */
        if (t->dyn || !t->n) o = put(a, o, "dynamic", ty_to_value(a, t->dyn ? t->dyn : &(ty){0}));
        return o;
    }
    case TY_OBJ: {
        val_t *o = kind_obj(a, "object");
        if (t->n) {
            val_t *st = val_arr_new(a, t->n);
            for (uint32_t i = 0; st && i < t->n; i++) {
                val_t *f = put(a, val_obj_new(a, 2), "key", t->keys[i]);
                f = put(a, f, "value", ty_to_value(a, t->items[i]));
                if (!f || val_arr_push(a, st, f)) st = NULL;
            }
            if (st) qsort(st->u.arr.items, val_arr_len(st), sizeof(val_t *), by_key);
            o = put(a, o, "static", st);
        }
        if (t->dyn || !t->n) o = put(a, o, "dynamic", dyn_obj(a, t->dkey, t->dyn));
        return o;
    }
    case TY_SET:
        return put(a, kind_obj(a, "set"), "of", ty_to_value(a, t->dyn ? t->dyn : &(ty){0}));
    case TY_UNION: {
        val_t *of = val_arr_new(a, t->n);
        for (uint32_t i = 0; of && i < t->n; i++)
            if (val_arr_push(a, of, ty_to_value(a, t->items[i]))) of = NULL;
        if (of) qsort(of->u.arr.items, val_arr_len(of), sizeof(val_t *), by_rank);
        return put(a, kind_obj(a, "any"), "of", of);
    }
    default: return kind_obj(a, "any");
    }
}

static void print_list(gh_buf *b, const val_t *arr) {
    for (size_t i = 0; arr && i < val_arr_len(arr); i++) {
        if (i) gh_buf_puts(b, ", ");
        ty_value_print(b, val_arr_at(arr, i));
    }
}

static void print_key(gh_buf *b, const val_t *k) {
    if (val_is_str(k))
        gh_buf_append(b, val_str_ptr(k), val_str_len(k));
    else
        val_json_emit(b, k, 0);
}

void ty_value_print(gh_buf *b, const val_t *tv) {
    if (!tv || val_kind_of(tv) != VAL_OBJECT) {
        gh_buf_puts(b, "???");
        return;
    }
    const val_t *name = val_obj_get_str(tv, "name", 4);
    if (name && val_is_str(name) && val_str_len(name)) {
        gh_buf_append(b, val_str_ptr(name), val_str_len(name));
        gh_buf_puts(b, ": ");
    }
    const val_t *k = val_obj_get_str(tv, "type", 4);
    const char *kind = k && val_is_str(k) ? val_str_ptr(k) : "any";
    const val_t *st = val_obj_get_str(tv, "static", 6);
    const val_t *dyn = val_obj_get_str(tv, "dynamic", 7);
    const val_t *of = val_obj_get_str(tv, "of", 2);
    if (strcmp(kind, "function")) gh_buf_puts(b, kind);
    if (!strcmp(kind, "array")) {
        if (st && val_arr_len(st)) {
            gh_buf_putc(b, '<');
            print_list(b, st);
            gh_buf_putc(b, '>');
        }
        if (dyn) {
            gh_buf_putc(b, '[');
            ty_value_print(b, dyn);
            gh_buf_putc(b, ']');
        }
    } else if (!strcmp(kind, "object")) {
        if (st && val_arr_len(st)) {
            gh_buf_putc(b, '<');
            for (size_t i = 0; i < val_arr_len(st); i++) {
                const val_t *f = val_arr_at(st, i);
                if (i) gh_buf_puts(b, ", ");
                print_key(b, val_obj_get_str(f, "key", 3));
                gh_buf_puts(b, ": ");
                ty_value_print(b, val_obj_get_str(f, "value", 5));
            }
            gh_buf_putc(b, '>');
        }
        if (dyn) {
            gh_buf_putc(b, '[');
            ty_value_print(b, val_obj_get_str(dyn, "key", 3));
            gh_buf_puts(b, ": ");
            ty_value_print(b, val_obj_get_str(dyn, "value", 5));
            gh_buf_putc(b, ']');
        }
    } else if (!strcmp(kind, "function")) {
        /* "(number, string) => boolean" */
        gh_buf_putc(b, '(');
        print_list(b, val_obj_get_str(tv, "args", 4));
        gh_buf_puts(b, ") => ");
        ty_value_print(b, val_obj_get_str(tv, "result", 6));
    } else if (!strcmp(kind, "set")) {
        gh_buf_putc(b, '[');
        ty_value_print(b, of);
        gh_buf_putc(b, ']');
    } else if (!strcmp(kind, "any") && of && val_kind_of(of) == VAL_ARRAY && val_arr_len(of)) {
        gh_buf_putc(b, '<');
        print_list(b, of);
        gh_buf_putc(b, '>');
    }
}

val_t *ty_func_value(gh_arena *a, ty *const *params, uint32_t n, const ty *result) {
    val_t *args = val_arr_new(a, n);
    for (uint32_t i = 0; args && i < n; i++)
        if (val_arr_push(a, args, ty_to_value(a, params[i] ? params[i] : &(ty){0}))) args = NULL;
    val_t *o = kind_obj(a, "function");
    if (n) o = put(a, o, "args", args);
    return put(a, o, "result", ty_to_value(a, result));
}

static bool finish(gh_arena *a, val_t *d, gh_buf *t, char **json, char **text);

/* Go's %v of a term: its Rego text (JSON for scalars, the name of a var). */
static void print_term_value(gh_buf *b, const val_t *tv) {
    const val_t *k = val_obj_get_str(tv, "type", 4), *v = val_obj_get_str(tv, "value", 5);
    if (k && v && val_is_str(k) && !strcmp(val_str_ptr(k), "var") && val_is_str(v))
        gh_buf_append(b, val_str_ptr(v), val_str_len(v));
    else if (v)
        val_json_emit(b, v, VAL_JSON_NO_HTML_ESC);
}

bool ty_ref_details(gh_arena *a, const val_t *ref, char *const *text, uint32_t pos,
                    const val_t *have, const val_t *want, const val_t *oneof, char **json,
                    char **out) {
    val_t *d = put(a, val_obj_new(a, 5), "ref", (val_t *)ref);
    d = put(a, d, "pos", val_int(a, pos));
    size_t n = val_arr_len(ref);
    gh_buf t;
    gh_buf_init(&t);
    gh_buf_puts(&t, text[n]);
    gh_buf_putc(&t, '\n');
    if (have) {
        d = put(a, d, "have", (val_t *)have);
        for (size_t i = 0, w = strlen(text[pos + 1]); i < w; i++) gh_buf_putc(&t, '^');
        gh_buf_puts(&t, "\nhave: ");
        ty_value_print(&t, have);
        return finish(a, d, &t, json, out);
    }
    d = put(a, d, "want", (val_t *)want);
    d = put(a, d, "oneOf", oneof ? (val_t *)oneof : VAL_NULLV);
    int pad = (int)strlen(text[pos]) + 1;
    gh_buf_printf(&t, "%*s^\n%*shave: ", pad, "", pad, "");
    print_term_value(&t, val_arr_at(ref, pos));
    if (oneof && val_arr_len(oneof)) {
        gh_buf_printf(&t, "\n%*swant (one of): [", pad, "");
        for (size_t i = 0; i < val_arr_len(oneof); i++) {
            if (i) gh_buf_putc(&t, ' ');
            val_json_emit(&t, val_arr_at(oneof, i), VAL_JSON_NO_HTML_ESC);
        }
        gh_buf_putc(&t, ']');
    } else {
        gh_buf_printf(&t, "\n%*swant (type): ", pad, "");
        ty_value_print(&t, want);
    }
    return finish(a, d, &t, json, out);
}

/* The details' JSON text: members in the order they were put (OPA's field
 * order: "ref", "pos", "have"...), the types inside with sorted keys as
 * OPA encodes them. */
static char *details_json(gh_arena *a, const val_t *d) {
    if (!d) return NULL;
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_putc(&b, '{');
    for (size_t i = 0; i < val_obj_len(d); i++) {
        if (i) gh_buf_putc(&b, ',');
        val_json_emit(&b, val_obj_key_at(d, i), 0);
        gh_buf_putc(&b, ':');
        val_json_emit(&b, val_obj_val_at(d, i), VAL_JSON_SORTED);
    }
    gh_buf_putc(&b, '}');
    char *s = b.oom ? NULL : gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return s;
}

static bool finish(gh_arena *a, val_t *d, gh_buf *t, char **json, char **text) {
    *json = details_json(a, d);
    *text = !t->oom && t->p ? gh_arena_strndup(a, t->p, t->len) : NULL;
    gh_buf_free(t);
    return *json && *text;
}

bool ty_args_details(gh_arena *a, const ty *const *have, uint32_t nhave, const val_t *want,
                     char **json, char **text) {
    val_t *h = val_arr_new(a, nhave);
    for (uint32_t i = 0; h && i < nhave; i++)
        if (val_arr_push(a, h, have[i] ? ty_to_value(a, have[i]) : VAL_NULLV)) h = NULL;
    val_t *d = put(a, val_obj_new(a, 2), "have", h);
    d = put(a, d, "want", put(a, val_obj_new(a, 1), "args", (val_t *)want));
    gh_buf t;
    gh_buf_init(&t);
    gh_buf_puts(&t, "have: (");
    print_list(&t, h);
    gh_buf_puts(&t, ")\nwant: (");
    print_list(&t, want);
    gh_buf_putc(&t, ')');
    return finish(a, d, &t, json, text);
}

void rc_arity_details(gh_arena *a, const rego_builtin *bi, rego_term *const *args, uint32_t n,
                      bool out, char **json, char **text) {
    val_t *d = rego_builtin_decl_value(a, bi);
    const val_t *want = d ? val_obj_get_str(d, "args", 4) : NULL;
    val_t *none = val_arr_new(a, 0);
    const ty **have = gh_arena_calloc(a, (n + 1) * sizeof *have);
    if (!d || !none || !have) return;
    /* a throwaway checker state: only the arena is used for value types */
    tcx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    for (uint32_t i = 0; i < n; i++) {
        val_t *v = NULL;
        if (rego_term_is_ground(args[i]) && !rego_term_to_value(a, args[i], &v, NULL) && v)
            have[i] = ty_of_value(&c, v);
    }
    if (c.rc) return;
    ty_args_details(a, have, n + (out ? 1 : 0), want ? want : none, json, text);
}

bool ty_match_details(gh_arena *a, const ty *l, const ty *r, char **json, char **text) {
    val_t *lv = ty_to_value(a, l), *rv = ty_to_value(a, r);
    val_t *d = put(a, put(a, val_obj_new(a, 2), "a", lv), "b", rv);
    gh_buf t;
    gh_buf_init(&t);
    gh_buf_puts(&t, "left  : ");
    ty_value_print(&t, lv);
    gh_buf_puts(&t, "\nright : ");
    ty_value_print(&t, rv);
    return finish(a, d, &t, json, text);
}
