/* graphql_ast.c - converts GraphQL documents to and from the Rego objects
 * OPA exchanges: gqlparser's AST structs marshalled to JSON, then pruned of
 * positions, nulls and empty lists (OPA's pruneIrrelevantGraphQLASTNodes),
 * and back again the way gqlparser's JSON decoding reads them (OPA accepts
 * such objects wherever a query or schema string goes). Decoding keeps
 * gqlparser's quirks that change results: member names match exactly for
 * the types with custom decoders (operations, fragments, selections) and
 * case-insensitively elsewhere; every selection decodes as a field unless
 * that fails. Called by graphql.c. Member names are interned once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rego/builtins/graphql_int.h"

/* ---- interned member names ---------------------------------------------------------- */
enum {
    K_Alias,
    K_Arguments,
    K_BuiltIn,
    K_Children,
    K_DefaultValue,
    K_Definitions,
    K_Description,
    K_Directives,
    K_Elem,
    K_EnumValues,
    K_Extensions,
    K_Fields,
    K_Fragments,
    K_Interfaces,
    K_IsRepeatable,
    K_Kind,
    K_Location,
    K_Locations,
    K_Name,
    K_NamedType,
    K_NonNull,
    K_Operation,
    K_OperationTypes,
    K_Operations,
    K_Raw,
    K_Schema,
    K_SchemaExtension,
    K_SelectionSet,
    K_Type,
    K_TypeCondition,
    K_Types,
    K_Used,
    K_Value,
    K_Variable,
    K_VariableDefinition,
    K_VariableDefinitions,
    K_COUNT
};
static const char *const key_names[K_COUNT] = {"Alias",
                                               "Arguments",
                                               "BuiltIn",
                                               "Children",
                                               "DefaultValue",
                                               "Definitions",
                                               "Description",
                                               "Directives",
                                               "Elem",
                                               "EnumValues",
                                               "Extensions",
                                               "Fields",
                                               "Fragments",
                                               "Interfaces",
                                               "IsRepeatable",
                                               "Kind",
                                               "Location",
                                               "Locations",
                                               "Name",
                                               "NamedType",
                                               "NonNull",
                                               "Operation",
                                               "OperationTypes",
                                               "Operations",
                                               "Raw",
                                               "Schema",
                                               "SchemaExtension",
                                               "SelectionSet",
                                               "Type",
                                               "TypeCondition",
                                               "Types",
                                               "Used",
                                               "Value",
                                               "Variable",
                                               "VariableDefinition",
                                               "VariableDefinitions"};
static val_t *keys[K_COUNT];
static gh_arena key_arena;
static bool keys_ok;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void keys_init(void) {
    gh_arena_init(&key_arena, 0);
    for (int i = 0; i < K_COUNT; i++)
        if (!(keys[i] = val_strc(&key_arena, key_names[i]))) return;
    keys_ok = true;
}

/* ---- AST -> value ---------------------------------------------------------------------- */
typedef struct outctx {
    gh_arena *a;
    bool oom;
} outctx;

static val_t *str(outctx *o, gh_str s) {
    val_t *v = val_str(o->a, s.p ? s.p : "", s.p ? s.n : 0);
    if (!v) o->oom = true;
    return v;
}

static val_t *obj(outctx *o) {
    val_t *v = val_obj_new(o->a, 8);
    if (!v) o->oom = true;
    return v;
}

static void put(outctx *o, val_t *obj, int key, val_t *v) {
    if (!obj || !v || o->oom) {
        o->oom = true;
        return;
    }
    if (val_obj_put(o->a, obj, keys[key], v)) o->oom = true;
}

typedef val_t *(*conv_fn)(outctx *o, const void *node);

/* A list member: omitted when empty (OPA prunes empty arrays). */
static void put_list(outctx *o, val_t *obj, int key, const gq_vec *v, conv_fn fn) {
    if (!v->n || o->oom) return;
    val_t *arr = val_arr_new(o->a, v->n);
    if (!arr) {
        o->oom = true;
        return;
    }
    for (uint32_t i = 0; i < v->n && !o->oom; i++) {
        val_t *x = fn(o, v->v[i]);
        if (!x || val_arr_push(o->a, arr, x)) o->oom = true;
    }
    put(o, obj, key, arr);
}

static val_t *conv_name(outctx *o, const void *n) { return str(o, *(const gh_str *)n); }

static val_t *conv_type(outctx *o, const void *node) {
    const gq_type *t = node;
    val_t *r = obj(o);
    put(o, r, K_NamedType, str(o, t->named));
    if (t->elem) put(o, r, K_Elem, conv_type(o, t->elem));
    put(o, r, K_NonNull, val_bool(t->nonnull));
    return r;
}

static val_t *conv_value(outctx *o, const void *node);

static val_t *conv_child(outctx *o, const void *node) {
    const gq_child *c = node;
    val_t *r = obj(o);
    put(o, r, K_Name, str(o, c->name));
    if (c->value) put(o, r, K_Value, conv_value(o, c->value));
    return r;
}

static val_t *conv_value(outctx *o, const void *node) {
    const gq_value *v = node;
    val_t *r = obj(o);
    put(o, r, K_Raw, str(o, v->raw));
    put_list(o, r, K_Children, &v->children, conv_child);
    val_t *k = val_int(o->a, v->kind);
    if (!k) o->oom = true;
    put(o, r, K_Kind, k);
    return r;
}

static val_t *conv_arg(outctx *o, const void *node) {
    const gq_arg *a = node;
    val_t *r = obj(o);
    put(o, r, K_Name, str(o, a->name));
    if (a->value) put(o, r, K_Value, conv_value(o, a->value));
    return r;
}

static val_t *conv_dir(outctx *o, const void *node) {
    const gq_dir *d = node;
    val_t *r = obj(o);
    put(o, r, K_Name, str(o, d->name));
    put_list(o, r, K_Arguments, &d->args, conv_arg);
    put(o, r, K_Location, str(o, d->location ? gh_str_c(d->location) : (gh_str){"", 0}));
    return r;
}

static val_t *conv_sel(outctx *o, const void *node) {
    const gq_sel *s = node;
    val_t *r = obj(o);
    if (s->kind == GQ_SEL_FIELD) {
        put(o, r, K_Alias, str(o, s->alias));
        put(o, r, K_Name, str(o, s->name));
        put_list(o, r, K_Arguments, &s->args, conv_arg);
    } else if (s->kind == GQ_SEL_SPREAD) {
        put(o, r, K_Name, str(o, s->name));
    } else {
        put(o, r, K_TypeCondition, str(o, s->typecond));
    }
    put_list(o, r, K_Directives, &s->dirs, conv_dir);
    put_list(o, r, K_SelectionSet, &s->sel, conv_sel);
    return r;
}

static val_t *conv_vardef(outctx *o, const void *node) {
    const gq_vardef *d = node;
    val_t *r = obj(o);
    put(o, r, K_Variable, str(o, d->var));
    if (d->type) put(o, r, K_Type, conv_type(o, d->type));
    if (d->defval) put(o, r, K_DefaultValue, conv_value(o, d->defval));
    put_list(o, r, K_Directives, &d->dirs, conv_dir);
    put(o, r, K_Used, val_bool(d->used));
    return r;
}

static val_t *conv_op(outctx *o, const void *node) {
    const gq_op *op = node;
    val_t *r = obj(o);
    put(o, r, K_Operation, str(o, op->op));
    put(o, r, K_Name, str(o, op->name));
    put_list(o, r, K_VariableDefinitions, &op->vars, conv_vardef);
    put_list(o, r, K_Directives, &op->dirs, conv_dir);
    put_list(o, r, K_SelectionSet, &op->sel, conv_sel);
    return r;
}

static val_t *conv_frag(outctx *o, const void *node) {
    const gq_frag *f = node;
    val_t *r = obj(o);
    put(o, r, K_Name, str(o, f->name));
    put_list(o, r, K_VariableDefinition, &f->vars, conv_vardef);
    put(o, r, K_TypeCondition, str(o, f->typecond));
    put_list(o, r, K_Directives, &f->dirs, conv_dir);
    put_list(o, r, K_SelectionSet, &f->sel, conv_sel);
    return r;
}

val_t *gq_qdoc_to_val(gh_arena *a, const gq_qdoc *q) {
    pthread_once(&keys_once, keys_init);
    if (!keys_ok) return NULL;
    outctx o = {a, false};
    val_t *r = obj(&o);
    put_list(&o, r, K_Operations, &q->ops, conv_op);
    put_list(&o, r, K_Fragments, &q->frags, conv_frag);
    return o.oom ? NULL : r;
}

static val_t *conv_fielddef(outctx *o, const void *node) {
    const gq_fielddef *f = node;
    val_t *r = obj(o);
    put(o, r, K_Description, str(o, f->desc));
    put(o, r, K_Name, str(o, f->name));
    put_list(o, r, K_Arguments, &f->args, conv_fielddef);
    if (f->defval) put(o, r, K_DefaultValue, conv_value(o, f->defval));
    if (f->type) put(o, r, K_Type, conv_type(o, f->type));
    put_list(o, r, K_Directives, &f->dirs, conv_dir);
    return r;
}

static val_t *conv_enumval(outctx *o, const void *node) {
    const gq_enumval *v = node;
    val_t *r = obj(o);
    put(o, r, K_Description, str(o, v->desc));
    put(o, r, K_Name, str(o, v->name));
    put_list(o, r, K_Directives, &v->dirs, conv_dir);
    return r;
}

static val_t *conv_def(outctx *o, const void *node) {
    const gq_def *d = node;
    val_t *r = obj(o);
    put(o, r, K_Kind, str(o, d->kindname));
    put(o, r, K_Description, str(o, d->desc));
    put(o, r, K_Name, str(o, d->name));
    put_list(o, r, K_Directives, &d->dirs, conv_dir);
    put_list(o, r, K_Interfaces, &d->ifaces, conv_name);
    put_list(o, r, K_Fields, &d->fields, conv_fielddef);
    put_list(o, r, K_Types, &d->types, conv_name);
    put_list(o, r, K_EnumValues, &d->enumvals, conv_enumval);
    put(o, r, K_BuiltIn, val_bool(d->builtin));
    return r;
}

static val_t *conv_dirdef(outctx *o, const void *node) {
    const gq_dirdef *d = node;
    val_t *r = obj(o);
    put(o, r, K_Description, str(o, d->desc));
    put(o, r, K_Name, str(o, d->name));
    put_list(o, r, K_Arguments, &d->args, conv_fielddef);
    put_list(o, r, K_Locations, &d->locs, conv_name);
    put(o, r, K_IsRepeatable, val_bool(d->repeatable));
    return r;
}

static val_t *conv_optype(outctx *o, const void *node) {
    const gq_optype *t = node;
    val_t *r = obj(o);
    put(o, r, K_Operation, str(o, t->op));
    put(o, r, K_Type, str(o, t->type));
    return r;
}

static val_t *conv_schemadef(outctx *o, const void *node) {
    const gq_schemadef *s = node;
    val_t *r = obj(o);
    put(o, r, K_Description, str(o, s->desc));
    put_list(o, r, K_Directives, &s->dirs, conv_dir);
    put_list(o, r, K_OperationTypes, &s->optypes, conv_optype);
    return r;
}

val_t *gq_sdoc_to_val(gh_arena *a, const gq_sdoc *s) {
    pthread_once(&keys_once, keys_init);
    if (!keys_ok) return NULL;
    outctx o = {a, false};
    val_t *r = obj(&o);
    put_list(&o, r, K_Schema, &s->schema, conv_schemadef);
    put_list(&o, r, K_SchemaExtension, &s->schemaext, conv_schemadef);
    put_list(&o, r, K_Directives, &s->dirs, conv_dirdef);
    put_list(&o, r, K_Definitions, &s->defs, conv_def);
    put_list(&o, r, K_Extensions, &s->exts, conv_def);
    return o.oom ? NULL : r;
}

/* ---- value -> AST ----------------------------------------------------------------------- */
/* Decoder state. Errors name the member the way Go's encoding/json does:
 * the innermost struct and the path of members from where decoding began
 * (for query documents, gqlparser's custom decoders of operations and
 * fragments make errors inside them name QueryDocument.Operations or
 * QueryDocument.Fragments). */
#define DEC_PATH 32
typedef struct dec {
    gh_arena *a;
    gq_error *e;
    int depth;
    bool quiet; /* trial decoding of a selection: no message wanted */
    const char *path[DEC_PATH], *owner[DEC_PATH];
    int npath;
    const char *boundary; /* "Operations"/"Fragments" inside those members */
} dec;

static void push_path(dec *d, const char *owner, const char *field) {
    if (d->npath < DEC_PATH) {
        d->owner[d->npath] = owner;
        d->path[d->npath] = field;
    }
    d->npath++;
}
static void pop_path(dec *d) { d->npath--; }

static const char *json_kind(const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NULL: return "null";
    case VAL_BOOL: return "bool";
    case VAL_NUMBER: return "number";
    case VAL_STRING: return "string";
    case VAL_ARRAY:
    case VAL_SET: return "array";
    default: return "object";
    }
}

/* Go's UnmarshalTypeError text for value v found where `type` was wanted:
 * in member `field` of struct st, or (field NULL) as an element of the
 * list member on top of the path. `what` overrides the kind of v. */
static int bad_as(dec *d, const char *what, const char *st, const char *field, const char *type) {
    if (d->quiet) return GH_EINVAL;
    rb_sb b;
    rb_sb_init(&b, d->a, 128);
    rb_sb_puts(&b, "json: cannot unmarshal ");
    rb_sb_puts(&b, what);
    rb_sb_puts(&b, " into Go struct field ");
    int n = d->npath < DEC_PATH ? d->npath : DEC_PATH;
    if (d->boundary) {
        rb_sb_puts(&b, "QueryDocument.");
        rb_sb_puts(&b, d->boundary);
    } else {
        rb_sb_puts(&b, field || !n ? st : d->owner[n - 1]);
        rb_sb_putc(&b, '.');
        for (int i = 0; i < n; i++) {
            if (i) rb_sb_putc(&b, '.');
            rb_sb_puts(&b, d->path[i]);
        }
        if (field) {
            if (n) rb_sb_putc(&b, '.');
            rb_sb_puts(&b, field);
        }
    }
    rb_sb_puts(&b, " of type ");
    rb_sb_puts(&b, type);
    rb_sb_putc(&b, '\0');
    d->e->code = b.oom ? GH_ENOMEM : GH_EINVAL;
    d->e->pos = (gq_pos){0, 0};
    d->e->msg = b.oom ? NULL : b.p;
    return d->e->code;
}

static int bad(dec *d, const val_t *v, const char *st, const char *field, const char *type) {
    return bad_as(d, json_kind(v), st, field, type);
}

static int nomem(dec *d) {
    d->e->code = GH_ENOMEM;
    d->e->msg = NULL;
    return GH_ENOMEM;
}

/* Member `name` of o: exactly, or (for Go's standard decoding) any member
 * equal ignoring ASCII case, the last of them in key order winning. */
static const val_t *member(const val_t *o, const char *name, bool exact) {
    size_t n = strlen(name);
    if (exact) return val_obj_get_str(o, name, n);
    const val_t *best = NULL, *bestk = NULL;
    for (size_t i = 0; i < val_obj_len(o); i++) {
        const val_t *k = val_obj_key_at(o, i);
        if (!val_is_str(k) || val_str_len(k) != n || strncasecmp(val_str_ptr(k), name, n)) continue;
        if (!bestk || val_compare(k, bestk) > 0) {
            bestk = k;
            best = val_obj_val_at(o, i);
        }
    }
    return best;
}

static bool is_null(const val_t *v) { return !v || val_kind_of(v) == VAL_NULL; }

static int get_str_as(dec *d, const val_t *o, const char *name, bool exact, const char *st,
                      const char *type, gh_str *out) {
    const val_t *v = member(o, name, exact);
    if (is_null(v)) return 0;
    if (!val_is_str(v)) return bad(d, v, st, name, type);
    *out = (gh_str){val_str_ptr(v), val_str_len(v)};
    return 0;
}

static int get_str(dec *d, const val_t *o, const char *name, bool exact, const char *st,
                   gh_str *out) {
    return get_str_as(d, o, name, exact, st, "string", out);
}

static int get_bool(dec *d, const val_t *o, const char *name, bool exact, const char *st,
                    bool *out) {
    const val_t *v = member(o, name, exact);
    if (is_null(v)) return 0;
    if (val_kind_of(v) != VAL_BOOL) return bad(d, v, st, name, "bool");
    *out = v->u.b;
    return 0;
}

/* A pointer member gqlparser decodes but validation recomputes: only its
 * shape is checked. */
static int check_obj(dec *d, const val_t *o, const char *name, bool exact, const char *st,
                     const char *type) {
    const val_t *v = member(o, name, exact);
    if (is_null(v) || val_kind_of(v) == VAL_OBJECT) return 0;
    return bad(d, v, st, name, type);
}

static size_t seq_len(const val_t *v) {
    return val_kind_of(v) == VAL_ARRAY ? val_arr_len(v) : val_set_len(v);
}

static const val_t *seq_at(const val_t *v, size_t i, uint32_t *order) {
    if (val_kind_of(v) == VAL_ARRAY) return val_arr_at(v, i);
    return val_set_at(v, order ? order[i] : i);
}

typedef int (*dec_fn)(dec *d, const val_t *v, void **out);

/* A list member of struct pointers: null elements are refused (gqlparser
 * would keep a nil pointer and crash on it later). */
static int get_list(dec *d, const val_t *o, const char *name, bool exact, const char *st,
                    const char *type, dec_fn fn, gq_vec *outv) {
    const val_t *v = member(o, name, exact);
    if (is_null(v)) return 0;
    if (val_kind_of(v) != VAL_ARRAY && val_kind_of(v) != VAL_SET) return bad(d, v, st, name, type);
    uint32_t *order = val_kind_of(v) == VAL_SET ? val_sorted_order(d->a, v) : NULL;
    push_path(d, st, name);
    int rc = 0;
    for (size_t i = 0; i < seq_len(v) && !rc; i++) {
        const val_t *x = seq_at(v, i, order);
        void *node = NULL;
        if (is_null(x))
            rc = bad(d, x, st, NULL, type);
        else if (!(rc = fn(d, x, &node)) && gq_push(d->a, outv, node))
            rc = nomem(d);
    }
    pop_path(d);
    return rc;
}

static int dec_name_as(dec *d, const val_t *v, void **out, const char *type) {
    if (!val_is_str(v)) return bad(d, v, "", NULL, type);
    gh_str *s = gh_arena_alloc(d->a, sizeof *s);
    if (!s) return nomem(d);
    *s = (gh_str){val_str_ptr(v), val_str_len(v)};
    *out = s;
    return 0;
}

static int dec_name(dec *d, const val_t *v, void **out) { return dec_name_as(d, v, out, "string"); }
static int dec_location(dec *d, const val_t *v, void **out) {
    return dec_name_as(d, v, out, "ast.DirectiveLocation");
}

static int get_names(dec *d, const val_t *o, const char *name, const char *st, gq_vec *outv) {
    if (!strcmp(name, "Locations"))
        return get_list(d, o, name, false, st, "[]ast.DirectiveLocation", dec_location, outv);
    return get_list(d, o, name, false, st, "[]string", dec_name, outv);
}

static bool enter(dec *d) {
    if (++d->depth > GQ_MAX_DEPTH) {
        d->e->code = GH_ELIMIT;
        d->e->msg =
            gh_arena_printf(d->a, "GraphQL AST object nests deeper than %d levels", GQ_MAX_DEPTH);
        return false;
    }
    return true;
}

/* v must be an object to decode as struct st (ast.<st>). */
static int need_obj(dec *d, const val_t *v, const char *st) {
    if (val_kind_of(v) != VAL_OBJECT) {
        char type[64];
        snprintf(type, sizeof type, "ast.%s", st);
        return bad(d, v, st, NULL, type);
    }
    for (size_t i = 0; i < val_obj_len(v); i++)
        if (!val_is_str(val_obj_key_at(v, i))) {
            if (d->quiet) return GH_EINVAL;
            d->e->code = GH_EINVAL;
            d->e->msg = gh_arena_printf(d->a, "GraphQL AST object has a non-string key");
            return GH_EINVAL;
        }
    return 0;
}

static int dec_type(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "Type"))) return rc;
    gq_type *t = gh_arena_calloc(d->a, sizeof *t);
    if (!t) return nomem(d);
    t->named = (gh_str){"", 0};
    if ((rc = get_str(d, v, "NamedType", false, "Type", &t->named)) ||
        (rc = get_bool(d, v, "NonNull", false, "Type", &t->nonnull)) ||
        (rc = check_obj(d, v, "Position", false, "Type", "ast.Position")))
        return rc;
    const val_t *e = member(v, "Elem", false);
    if (!is_null(e)) {
        if (val_kind_of(e) != VAL_OBJECT) return bad(d, e, "Type", "Elem", "ast.Type");
        if (!enter(d)) return d->e->code;
        push_path(d, "Type", "Elem");
        rc = dec_type(d, e, (void **)&t->elem);
        pop_path(d);
        d->depth--;
        if (rc) return rc;
    }
    *out = t;
    return 0;
}

static int get_type(dec *d, const val_t *o, const char *st, gq_type **out) {
    const val_t *v = member(o, "Type", false);
    if (is_null(v)) return 0;
    if (val_kind_of(v) != VAL_OBJECT) return bad(d, v, st, "Type", "ast.Type");
    push_path(d, st, "Type");
    int rc = dec_type(d, v, (void **)out);
    pop_path(d);
    return rc;
}

static int dec_value(dec *d, const val_t *v, void **out);
static int get_value(dec *d, const val_t *o, const char *name, const char *st, gq_value **out);

static int dec_child(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "ChildValue"))) return rc;
    gq_child *c = gh_arena_calloc(d->a, sizeof *c);
    if (!c) return nomem(d);
    c->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Name", false, "ChildValue", &c->name)) ||
        (rc = check_obj(d, v, "Position", false, "ChildValue", "ast.Position")))
        return rc;
    if ((rc = get_value(d, v, "Value", "ChildValue", &c->value))) return rc;
    *out = c;
    return 0;
}

static int dec_value(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "Value"))) return rc;
    if (!enter(d)) return d->e->code;
    gq_value *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->raw = (gh_str){"", 0};
    const val_t *k = member(v, "Kind", false);
    if (!is_null(k)) {
        int64_t kind;
        if (val_kind_of(k) != VAL_NUMBER || !val_is_int(k)) {
            if (val_kind_of(k) != VAL_NUMBER) return bad(d, k, "Value", "Kind", "ast.ValueKind");
            char *what =
                d->quiet ? NULL : gh_arena_printf(d->a, "number %s", val_to_json(d->a, k, 0));
            return bad_as(d, what ? what : "number", "Value", "Kind", "ast.ValueKind");
        }
        kind = k->u.i;
        if (kind < 0 || kind >= GQ_NKINDS) {
            if (d->quiet) return GH_EINVAL;
            d->e->code = GH_EINVAL;
            d->e->msg = gh_arena_printf(d->a, "unknown value kind %lld", (long long)kind);
            return GH_EINVAL;
        }
        x->kind = (int)kind;
    }
    if ((rc = get_str(d, v, "Raw", false, "Value", &x->raw)) ||
        (rc = get_list(d, v, "Children", false, "Value", "ast.ChildValueList", dec_child,
                       &x->children)) ||
        (rc = check_obj(d, v, "Position", false, "Value", "ast.Position")) ||
        (rc = check_obj(d, v, "Definition", false, "Value", "ast.Definition")) ||
        (rc = check_obj(d, v, "VariableDefinition", false, "Value", "ast.VariableDefinition")) ||
        (rc = check_obj(d, v, "ExpectedType", false, "Value", "ast.Type")))
        return rc;
    d->depth--;
    *out = x;
    return 0;
}

static int get_value(dec *d, const val_t *o, const char *name, const char *st, gq_value **out) {
    const val_t *v = member(o, name, false);
    if (is_null(v)) return 0;
    if (val_kind_of(v) != VAL_OBJECT) return bad(d, v, st, name, "ast.Value");
    push_path(d, st, name);
    int rc = dec_value(d, v, (void **)out);
    pop_path(d);
    return rc;
}

static int dec_arg(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "Argument"))) return rc;
    gq_arg *a = gh_arena_calloc(d->a, sizeof *a);
    if (!a) return nomem(d);
    a->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Name", false, "Argument", &a->name)) ||
        (rc = get_value(d, v, "Value", "Argument", &a->value)) ||
        (rc = check_obj(d, v, "Position", false, "Argument", "ast.Position")))
        return rc;
    *out = a;
    return 0;
}

static int dec_dir(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "Directive"))) return rc;
    gq_dir *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    gh_str loc = {"", 0};
    x->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Name", false, "Directive", &x->name)) ||
        (rc = get_list(d, v, "Arguments", false, "Directive", "ast.ArgumentList", dec_arg,
                       &x->args)) ||
        (rc = get_str_as(d, v, "Location", false, "Directive", "ast.DirectiveLocation", &loc)) ||
        (rc = check_obj(d, v, "Position", false, "Directive", "ast.Position")) ||
        (rc = check_obj(d, v, "ParentDefinition", false, "Directive", "ast.Definition")) ||
        (rc = check_obj(d, v, "Definition", false, "Directive", "ast.DirectiveDefinition")))
        return rc;
    if (loc.n && !(x->location = gh_arena_strndup(d->a, loc.p, loc.n))) return nomem(d);
    *out = x;
    return 0;
}

static int get_dirs(dec *d, const val_t *o, bool exact, const char *st, gq_vec *outv) {
    return get_list(d, o, "Directives", exact, st, "ast.DirectiveList", dec_dir, outv);
}

static int dec_vardef(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "VariableDefinition"))) return rc;
    gq_vardef *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->var = (gh_str){"", 0};
    const char *st = "VariableDefinition";
    if ((rc = get_str(d, v, "Variable", false, st, &x->var)) ||
        (rc = get_type(d, v, st, &x->type)) ||
        (rc = get_value(d, v, "DefaultValue", st, &x->defval)) ||
        (rc = get_dirs(d, v, false, st, &x->dirs)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")) ||
        (rc = check_obj(d, v, "Definition", false, st, "ast.Definition")) ||
        (rc = get_bool(d, v, "Used", false, st, &x->used)))
        return rc;
    *out = x;
    return 0;
}

static int get_selections(dec *d, const val_t *o, gq_vec *outv);

/* One selection, as gqlparser's UnmarshalSelectionSet tries it: as a
 * field (exact member names), else a fragment spread (standard decoding),
 * else an inline fragment; *out stays NULL when all three fail. */
static int dec_selection(dec *d, const val_t *v, gq_sel **out) {
    *out = NULL;
    gq_sel *s = gh_arena_calloc(d->a, sizeof *s);
    if (!s) return nomem(d);
    bool quiet = d->quiet;
    int depth0 = d->depth;
    d->quiet = true;
    int rc = 0;
    s->alias = s->name = s->typecond = (gh_str){"", 0};
    if (is_null(v)) {
        s->kind = GQ_SEL_FIELD;
        goto done;
    }
    if (val_kind_of(v) != VAL_OBJECT || need_obj(d, v, "Field")) goto none;
    s->kind = GQ_SEL_FIELD;
    if (!get_str(d, v, "Alias", true, "Field", &s->alias) &&
        !get_str(d, v, "Name", true, "Field", &s->name) &&
        !get_list(d, v, "Arguments", true, "Field", "ast.ArgumentList", dec_arg, &s->args) &&
        !get_dirs(d, v, true, "Field", &s->dirs) &&
        !(rc = get_selections(d, member(v, "SelectionSet", true), &s->sel)) &&
        !check_obj(d, v, "Position", true, "Field", "ast.Position") &&
        !check_obj(d, v, "Definition", true, "Field", "ast.FieldDefinition") &&
        !check_obj(d, v, "ObjectDefinition", true, "Field", "ast.Definition"))
        goto done;
    if (d->e->code) goto fail;
    d->depth = depth0;
    memset(s, 0, sizeof *s);
    s->alias = s->name = s->typecond = (gh_str){"", 0};
    s->kind = GQ_SEL_SPREAD;
    if (!get_str(d, v, "Name", false, "FragmentSpread", &s->name) &&
        !get_dirs(d, v, false, "FragmentSpread", &s->dirs) &&
        !check_obj(d, v, "ObjectDefinition", false, "FragmentSpread", "ast.Definition") &&
        !check_obj(d, v, "Definition", false, "FragmentSpread", "ast.FragmentDefinition") &&
        !check_obj(d, v, "Position", false, "FragmentSpread", "ast.Position"))
        goto done;
    if (d->e->code) goto fail;
    d->depth = depth0;
    memset(s, 0, sizeof *s);
    s->alias = s->name = s->typecond = (gh_str){"", 0};
    s->kind = GQ_SEL_INLINE;
    if (!get_str(d, v, "TypeCondition", true, "InlineFragment", &s->typecond) &&
        !get_dirs(d, v, true, "InlineFragment", &s->dirs) &&
        !(rc = get_selections(d, member(v, "SelectionSet", true), &s->sel)) &&
        !check_obj(d, v, "ObjectDefinition", true, "InlineFragment", "ast.Definition") &&
        !check_obj(d, v, "Position", true, "InlineFragment", "ast.Position"))
        goto done;
    if (d->e->code) goto fail;
none:
    d->quiet = quiet;
    d->depth = depth0;
    return 0;
done:
    d->quiet = quiet;
    d->depth = depth0;
    *out = s;
    return 0;
fail:
    d->quiet = quiet;
    return d->e->code;
}

/* UnmarshalSelectionSet: the member must be an array (or absent/null);
 * undecodable items are dropped. */
static int get_selections(dec *d, const val_t *v, gq_vec *outv) {
    if (is_null(v)) return 0;
    if (val_kind_of(v) != VAL_ARRAY && val_kind_of(v) != VAL_SET)
        return bad(d, v, "SelectionSet", "", "[]json.RawMessage");
    if (!enter(d)) return d->e->code;
    uint32_t *order = val_kind_of(v) == VAL_SET ? val_sorted_order(d->a, v) : NULL;
    for (size_t i = 0; i < seq_len(v); i++) {
        gq_sel *s;
        int rc = dec_selection(d, seq_at(v, i, order), &s);
        if (rc) return rc;
        if (s && gq_push(d->a, outv, s)) return nomem(d);
    }
    d->depth--;
    return 0;
}

static int dec_op(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "OperationDefinition"))) return rc;
    gq_op *op = gh_arena_calloc(d->a, sizeof *op);
    if (!op) return nomem(d);
    op->op = op->name = (gh_str){"", 0};
    const char *st = "OperationDefinition";
    if ((rc = get_str_as(d, v, "Operation", true, st, "ast.Operation", &op->op)) ||
        (rc = get_str(d, v, "Name", true, st, &op->name)) ||
        (rc = get_list(d, v, "VariableDefinitions", true, st, "ast.VariableDefinitionList",
                       dec_vardef, &op->vars)) ||
        (rc = get_dirs(d, v, true, st, &op->dirs)) ||
        (rc = get_selections(d, member(v, "SelectionSet", true), &op->sel)) ||
        (rc = check_obj(d, v, "Position", true, st, "ast.Position")))
        return rc;
    *out = op;
    return 0;
}

static int dec_frag(dec *d, const val_t *v, void **out) {
    int rc;
    if ((rc = need_obj(d, v, "FragmentDefinition"))) return rc;
    gq_frag *f = gh_arena_calloc(d->a, sizeof *f);
    if (!f) return nomem(d);
    f->name = f->typecond = (gh_str){"", 0};
    const char *st = "FragmentDefinition";
    if ((rc = get_str(d, v, "Name", true, st, &f->name)) ||
        (rc = get_list(d, v, "VariableDefinition", true, st, "ast.VariableDefinitionList",
                       dec_vardef, &f->vars)) ||
        (rc = get_str(d, v, "TypeCondition", true, st, &f->typecond)) ||
        (rc = get_dirs(d, v, true, st, &f->dirs)) ||
        (rc = get_selections(d, member(v, "SelectionSet", true), &f->sel)) ||
        (rc = check_obj(d, v, "Definition", true, st, "ast.Definition")) ||
        (rc = check_obj(d, v, "Position", true, st, "ast.Position")))
        return rc;
    *out = f;
    return 0;
}

int gq_qdoc_from_val(gh_arena *a, const val_t *v, gq_qdoc **out, gq_error *e) {
    memset(e, 0, sizeof *e);
    dec d = {.a = a, .e = e};
    *out = NULL;
    gq_qdoc *q = gh_arena_calloc(a, sizeof *q);
    if (!q) return nomem(&d);
    int rc;
    if ((rc = need_obj(&d, v, "QueryDocument"))) return rc;
    d.boundary = "Operations";
    rc =
        get_list(&d, v, "Operations", false, "QueryDocument", "ast.OperationList", dec_op, &q->ops);
    d.boundary = "Fragments";
    if (!rc)
        rc = get_list(&d, v, "Fragments", false, "QueryDocument", "ast.FragmentDefinitionList",
                      dec_frag, &q->frags);
    d.boundary = NULL;
    if (rc || (rc = check_obj(&d, v, "Position", false, "QueryDocument", "ast.Position")))
        return rc;
    *out = q;
    return 0;
}

/* ---- schema documents -------------------------------------------------------------------- */

static int dec_argdef(dec *d, const val_t *v, void **out);

static int dec_argdef_as(dec *d, const val_t *v, void **out, bool field) {
    int rc;
    const char *st = field ? "FieldDefinition" : "ArgumentDefinition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_fielddef *f = gh_arena_calloc(d->a, sizeof *f);
    if (!f) return nomem(d);
    f->desc = f->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Description", false, st, &f->desc)) ||
        (rc = get_str(d, v, "Name", false, st, &f->name)) ||
        (rc = get_value(d, v, "DefaultValue", st, &f->defval)) ||
        (rc = get_type(d, v, st, &f->type)) || (rc = get_dirs(d, v, false, st, &f->dirs)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")))
        return rc;
    if (field && (rc = get_list(d, v, "Arguments", false, st, "ast.ArgumentDefinitionList",
                                dec_argdef, &f->args)))
        return rc;
    *out = f;
    return 0;
}

static int dec_argdef(dec *d, const val_t *v, void **out) {
    return dec_argdef_as(d, v, out, false);
}
static int dec_fielddef(dec *d, const val_t *v, void **out) {
    return dec_argdef_as(d, v, out, true);
}

static int dec_enumval(dec *d, const val_t *v, void **out) {
    int rc;
    const char *st = "EnumValueDefinition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_enumval *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->desc = x->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Description", false, st, &x->desc)) ||
        (rc = get_str(d, v, "Name", false, st, &x->name)) ||
        (rc = get_dirs(d, v, false, st, &x->dirs)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")))
        return rc;
    *out = x;
    return 0;
}

static int dec_def(dec *d, const val_t *v, void **out) {
    int rc;
    const char *st = "Definition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_def *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->kindname = x->desc = x->name = (gh_str){"", 0};
    if ((rc = get_str_as(d, v, "Kind", false, st, "ast.DefinitionKind", &x->kindname)) ||
        (rc = get_str(d, v, "Description", false, st, &x->desc)) ||
        (rc = get_str(d, v, "Name", false, st, &x->name)) ||
        (rc = get_dirs(d, v, false, st, &x->dirs)) ||
        (rc = get_names(d, v, "Interfaces", st, &x->ifaces)) ||
        (rc = get_list(d, v, "Fields", false, st, "ast.FieldList", dec_fielddef, &x->fields)) ||
        (rc = get_names(d, v, "Types", st, &x->types)) ||
        (rc = get_list(d, v, "EnumValues", false, st, "ast.EnumValueList", dec_enumval,
                       &x->enumvals)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")) ||
        (rc = get_bool(d, v, "BuiltIn", false, st, &x->builtin)))
        return rc;
    x->kind = gq_kind_code(x->kindname);
    *out = x;
    return 0;
}

static int dec_dirdef(dec *d, const val_t *v, void **out) {
    int rc;
    const char *st = "DirectiveDefinition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_dirdef *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->desc = x->name = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Description", false, st, &x->desc)) ||
        (rc = get_str(d, v, "Name", false, st, &x->name)) ||
        (rc = get_list(d, v, "Arguments", false, st, "ast.ArgumentDefinitionList", dec_argdef,
                       &x->args)) ||
        (rc = get_names(d, v, "Locations", st, &x->locs)) ||
        (rc = get_bool(d, v, "IsRepeatable", false, st, &x->repeatable)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")))
        return rc;
    *out = x;
    return 0;
}

static int dec_optype(dec *d, const val_t *v, void **out) {
    int rc;
    const char *st = "OperationTypeDefinition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_optype *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->op = x->type = (gh_str){"", 0};
    if ((rc = get_str_as(d, v, "Operation", false, st, "ast.Operation", &x->op)) ||
        (rc = get_str(d, v, "Type", false, st, &x->type)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")))
        return rc;
    *out = x;
    return 0;
}

static int dec_schemadef(dec *d, const val_t *v, void **out) {
    int rc;
    const char *st = "SchemaDefinition";
    if ((rc = need_obj(d, v, st))) return rc;
    gq_schemadef *x = gh_arena_calloc(d->a, sizeof *x);
    if (!x) return nomem(d);
    x->desc = (gh_str){"", 0};
    if ((rc = get_str(d, v, "Description", false, st, &x->desc)) ||
        (rc = get_dirs(d, v, false, st, &x->dirs)) ||
        (rc = get_list(d, v, "OperationTypes", false, st, "ast.OperationTypeDefinitionList",
                       dec_optype, &x->optypes)) ||
        (rc = check_obj(d, v, "Position", false, st, "ast.Position")))
        return rc;
    *out = x;
    return 0;
}

int gq_sdoc_from_val(gh_arena *a, const val_t *v, gq_sdoc **out, gq_error *e) {
    memset(e, 0, sizeof *e);
    dec d = {.a = a, .e = e};
    *out = NULL;
    gq_sdoc *s = gh_arena_calloc(a, sizeof *s);
    if (!s) return nomem(&d);
    const char *st = "SchemaDocument";
    int rc;
    if ((rc = need_obj(&d, v, st)) ||
        (rc = get_list(&d, v, "Schema", false, st, "ast.SchemaDefinitionList", dec_schemadef,
                       &s->schema)) ||
        (rc = get_list(&d, v, "SchemaExtension", false, st, "ast.SchemaDefinitionList",
                       dec_schemadef, &s->schemaext)) ||
        (rc = get_list(&d, v, "Directives", false, st, "ast.DirectiveDefinitionList", dec_dirdef,
                       &s->dirs)) ||
        (rc = get_list(&d, v, "Definitions", false, st, "ast.DefinitionList", dec_def, &s->defs)) ||
        (rc = get_list(&d, v, "Extensions", false, st, "ast.DefinitionList", dec_def, &s->exts)) ||
        (rc = check_obj(&d, v, "Position", false, st, "ast.Position")))
        return rc;
    *out = s;
    return 0;
}
