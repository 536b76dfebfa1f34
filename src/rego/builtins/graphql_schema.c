/* graphql_schema.c - turns a schema document into the validated schema the
 * query validator uses, as gqlparser's ValidateSchemaDocument does after
 * OPA merges its built-in prelude (scalars, @include/@skip/@deprecated/
 * @specifiedBy, introspection types) in front of the caller's document:
 * extensions are applied, possible types recorded, every type and
 * directive checked in name order, root operation types resolved, and
 * __schema/__type added to the query type. Called by graphql.c. The prelude
 * is parsed once (pthread_once) and never modified: the schema holds
 * per-call copies of definitions, so extensions never touch shared data. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/graphql_int.h"
#include "rego/builtins/strutil.h"

/* ---- name map ------------------------------------------------------------------ */

void *gq_map_get(const gq_map *m, gh_str k) {
    if (!m->nslots) return NULL;
    uint32_t mask = m->nslots - 1, i = (uint32_t)gh_hash(k.p, k.n) & mask;
    while (m->slots[i]) {
        uint32_t e = m->slots[i] - 1;
        if (gq_eq(m->keys[e], k)) return m->vals[e];
        i = (i + 1) & mask;
    }
    return NULL;
}

static int map_grow(gh_arena *a, gq_map *m) {
    uint32_t cap = m->cap ? m->cap * 2 : 16;
    gh_str *keys = gh_arena_alloc(a, cap * sizeof *keys);
    void **vals = gh_arena_alloc(a, cap * sizeof *vals);
    uint32_t nslots = cap * 2;
    uint32_t *slots = gh_arena_calloc(a, nslots * sizeof *slots);
    if (!keys || !vals || !slots) return GH_ENOMEM;
    if (m->n) {
        memcpy(keys, m->keys, m->n * sizeof *keys);
        memcpy(vals, m->vals, m->n * sizeof *vals);
    }
    for (uint32_t e = 0; e < m->n; e++) {
        uint32_t i = (uint32_t)gh_hash(keys[e].p, keys[e].n) & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = e + 1;
    }
    m->keys = keys;
    m->vals = vals;
    m->slots = slots;
    m->cap = cap;
    m->nslots = nslots;
    return 0;
}

int gq_map_put(gh_arena *a, gq_map *m, gh_str k, void *v) {
    if (m->nslots) {
        uint32_t mask = m->nslots - 1, i = (uint32_t)gh_hash(k.p, k.n) & mask;
        while (m->slots[i]) {
            uint32_t e = m->slots[i] - 1;
            if (gq_eq(m->keys[e], k)) {
                m->vals[e] = v;
                return 0;
            }
            i = (i + 1) & mask;
        }
    }
    if (m->n == m->cap && map_grow(a, m)) return GH_ENOMEM;
    uint32_t e = m->n++;
    m->keys[e] = k;
    m->vals[e] = v;
    uint32_t mask = m->nslots - 1, i = (uint32_t)gh_hash(k.p, k.n) & mask;
    while (m->slots[i])
        i = (i + 1) & mask;
    m->slots[i] = e + 1;
    return 0;
}

/* ---- the prelude --------------------------------------------------------------------
 * The definitions gqlparser implicitly adds to every schema (its
 * prelude.graphql as vendored by OPA 0.61): the five built-in scalars, the
 * four built-in directives and the introspection types. Field order
 * matters (it orders "Did you mean" suggestions); descriptions do not. */
static const char prelude_src[] =
    "scalar Int\n"
    "scalar Float\n"
    "scalar String\n"
    "scalar Boolean\n"
    "scalar ID\n"
    "directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @deprecated(reason: String = \"No longer supported\")\n"
    "  on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE\n"
    "directive @specifiedBy(url: String!) on SCALAR\n"
    "type __Schema {\n"
    "  description: String\n"
    "  types: [__Type!]!\n"
    "  queryType: __Type!\n"
    "  mutationType: __Type\n"
    "  subscriptionType: __Type\n"
    "  directives: [__Directive!]!\n"
    "}\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields: [__InputValue!]\n"
    "  ofType: __Type\n"
    "  specifiedByURL: String\n"
    "}\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args: [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "  defaultValue: String\n"
    "}\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args: [__InputValue!]!\n"
    "  isRepeatable: Boolean!\n"
    "}\n"
    "enum __DirectiveLocation {\n"
    "  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT\n"
    "  VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE\n"
    "  UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION\n"
    "}\n";

static gh_arena prelude_arena;
static const gq_sdoc *prelude_doc;
static pthread_once_t prelude_once = PTHREAD_ONCE_INIT;

static void prelude_init(void) {
    gh_arena_init(&prelude_arena, 0);
    gq_sdoc *doc = NULL;
    gq_error e;
    if (gq_parse_schema(&prelude_arena, prelude_src, sizeof prelude_src - 1, true, &doc, &e) == 0)
        prelude_doc = doc;
}

const gq_sdoc *gq_prelude(void) {
    pthread_once(&prelude_once, prelude_init);
    return prelude_doc;
}

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct ctx {
    gh_arena *a;
    gq_schema *s;
    gq_error *e;
} ctx;

static int fail(ctx *c, gq_pos pos, const char *fmt, ...) GH_PRINTF(3, 4);
static int fail(ctx *c, gq_pos pos, const char *fmt, ...) {
    rb_sb b;
    rb_sb_init(&b, c->a, 128);
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
    rb_sb_put(&b, tmp, (size_t)n);
    rb_sb_putc(&b, '\0');
    c->e->code = b.oom ? GH_ENOMEM : GH_EINVAL;
    c->e->pos = pos;
    c->e->msg = b.oom ? NULL : b.p;
    return c->e->code;
}

static int oom(ctx *c) {
    c->e->code = GH_ENOMEM;
    c->e->msg = NULL;
    return GH_ENOMEM;
}

/* Go's strconv.Quote of a name, NUL-terminated in the arena. */
static const char *quote(ctx *c, gh_str s) {
    rb_sb b;
    rb_sb_init(&b, c->a, s.n + 8);
    rb_go_quote_sb(&b, s.p, s.n, false);
    rb_sb_putc(&b, '\0');
    return b.oom ? "\"\"" : b.p;
}

#define S(x) (int)(x).n, (x).p

int gq_kind_code(gh_str k) {
    static const char *const names[] = {"SCALAR", "OBJECT", "INTERFACE",
                                        "UNION",  "ENUM",   "INPUT_OBJECT"};
    for (int i = 0; i < 6; i++)
        if (gq_eqc(k, names[i])) return i + 1;
    return GQ_K_OTHER;
}

gh_str gq_type_name(const gq_type *t) {
    while (t) {
        if (t->named.n || !t->elem) return t->named;
        t = t->elem;
    }
    return (gh_str){"", 0};
}

static void type_str(rb_sb *b, const gq_type *t, int depth) {
    if (!t) return;
    if (t->named.n || !t->elem || depth > GQ_MAX_DEPTH) {
        rb_sb_put(b, t->named.p, t->named.n);
    } else {
        rb_sb_putc(b, '[');
        type_str(b, t->elem, depth + 1);
        rb_sb_putc(b, ']');
    }
    if (t->nonnull) rb_sb_putc(b, '!');
}

void gq_type_put(rb_sb *b, const gq_type *t) { type_str(b, t, 0); }

char *gq_type_str(gh_arena *a, const gq_type *t) {
    rb_sb b;
    rb_sb_init(&b, a, 32);
    type_str(&b, t, 0);
    rb_sb_putc(&b, '\0');
    return b.oom ? NULL : b.p;
}

bool gq_type_compatible(const gq_type *t, const gq_type *other) {
    for (int depth = 0; t && other && depth <= GQ_MAX_DEPTH; depth++) {
        if (!gq_eq(t->named, other->named)) return false;
        if (t->elem && !other->elem) return false;
        if (t->elem && !gq_type_compatible(t->elem, other->elem)) return false;
        if (other->nonnull) return t->nonnull;
        return true;
    }
    return t == other;
}

static int push(ctx *c, gq_vec *v, void *item) { return gq_push(c->a, v, item) ? oom(c) : 0; }

/* a ++ b as a new vector (a's storage may be shared with the prelude). */
static int concat(ctx *c, gq_vec *a, const gq_vec *b) {
    if (!b->n) return 0;
    gq_vec out = {0};
    for (uint32_t i = 0; i < a->n; i++)
        if (push(c, &out, a->v[i])) return GH_ENOMEM;
    for (uint32_t i = 0; i < b->n; i++)
        if (push(c, &out, b->v[i])) return GH_ENOMEM;
    *a = out;
    return 0;
}

const gq_vec *gq_possible(const gq_schema *s, const gq_def *d) {
    static const gq_vec none = {0};
    const gq_vec *v = gq_map_get(&s->possible, d->name);
    return v ? v : &none;
}

static int add_possible(ctx *c, gh_str name, gq_def *d) {
    gq_vec *v = gq_map_get(&c->s->possible, name);
    if (!v) {
        v = gh_arena_calloc(c->a, sizeof *v);
        if (!v || gq_map_put(c->a, &c->s->possible, name, v)) return oom(c);
    }
    return push(c, v, d);
}

static gq_fielddef *field_named(const gq_vec *fields, gh_str name) {
    for (uint32_t i = 0; i < fields->n; i++) {
        gq_fielddef *f = fields->v[i];
        if (gq_eq(f->name, name)) return f;
    }
    return NULL;
}

/* ---- checks ------------------------------------------------------------------------- */

static int check_name(ctx *c, gq_pos pos, gh_str name) {
    if (name.n >= 2 && name.p[0] == '_' && name.p[1] == '_')
        return fail(c, pos,
                    "Name \"%.*s\" must not begin with \"__\", which is reserved by GraphQL "
                    "introspection.",
                    S(name));
    return 0;
}

static int check_type_ref(ctx *c, const gq_type *t) {
    gh_str n = gq_type_name(t);
    if (!gq_map_get(&c->s->types, n))
        return fail(c, t ? t->pos : (gq_pos){0, 0}, "Undefined type %.*s.", S(n));
    return 0;
}

static int check_directives(ctx *c, const gq_vec *dirs, const char *loc, gh_str locn,
                            const gq_dirdef *current) {
    for (uint32_t i = 0; i < dirs->n; i++) {
        gq_dir *d = dirs->v[i];
        int rc;
        if ((rc = check_name(c, d->pos, d->name))) return rc;
        if (current && gq_eq(d->name, current->name))
            return fail(c, d->pos, "Directive %.*s cannot refer to itself.", S(current->name));
        gq_dirdef *def = gq_map_get(&c->s->dirs, d->name);
        if (!def) return fail(c, d->pos, "Undefined directive %.*s.", S(d->name));
        bool ok = false;
        for (uint32_t k = 0; k < def->locs.n && !ok; k++) {
            gh_str *l = def->locs.v[k];
            ok = loc ? gq_eqc(*l, loc) : gq_eq(*l, locn);
        }
        if (!ok) {
            if (loc) locn = (gh_str){loc, strlen(loc)};
            return fail(c, d->pos, "Directive %.*s is not applicable on %.*s.", S(d->name),
                        S(locn));
        }
    }
    return 0;
}

static bool is_input_kind(int k) { return k == GQ_K_SCALAR || k == GQ_K_ENUM || k == GQ_K_INPUT; }

static int check_args(ctx *c, const gq_vec *args, const gq_dirdef *current) {
    for (uint32_t i = 0; i < args->n; i++) {
        gq_fielddef *arg = args->v[i];
        int rc;
        if ((rc = check_name(c, arg->pos, arg->name))) return rc;
        if ((rc = check_type_ref(c, arg->type))) return rc;
        gq_def *def = gq_map_get(&c->s->types, gq_type_name(arg->type));
        if (!is_input_kind(def->kind)) {
            char *ts = gq_type_str(c->a, arg->type);
            if (!ts) return oom(c);
            return fail(c, arg->pos,
                        "cannot use %s as argument %.*s because %.*s is not a valid input type", ts,
                        S(arg->name), S(def->kindname));
        }
        if ((rc = check_directives(c, &arg->dirs, "ARGUMENT_DEFINITION", (gh_str){0}, current)))
            return rc;
    }
    return 0;
}

static bool covariant(ctx *c, const gq_type *req, const gq_type *act, int depth) {
    if (!req || !act || depth > GQ_MAX_DEPTH) return false;
    if (req->nonnull && !act->nonnull) return false;
    if (req->named.n) {
        if (gq_eq(req->named, act->named)) return true;
        const gq_vec *pt = gq_map_get(&c->s->possible, req->named);
        for (uint32_t i = 0; pt && i < pt->n; i++) {
            gq_def *d = pt->v[i];
            if (d && gq_eq(d->name, act->named)) return true;
        }
        return false;
    }
    if (req->elem && !act->elem) return false;
    return covariant(c, req->elem, act->elem, depth + 1);
}

static bool has_str(const gq_vec *v, gh_str s) {
    for (uint32_t i = 0; i < v->n; i++)
        if (gq_eq(*(gh_str *)v->v[i], s)) return true;
    return false;
}

static int check_implements(ctx *c, const gq_def *def, gh_str iname) {
    gq_def *intf = gq_map_get(&c->s->types, iname);
    if (!intf) return fail(c, def->pos, "Undefined type %s.", quote(c, iname));
    if (intf->kind != GQ_K_INTERFACE)
        return fail(c, def->pos, "%s is a non interface type %.*s.", quote(c, iname),
                    S(intf->kindname));
    for (uint32_t i = 0; i < intf->fields.n; i++) {
        gq_fielddef *req = intf->fields.v[i];
        gq_fielddef *found = field_named(&def->fields, req->name);
        if (!found)
            return fail(c, def->pos, "For %.*s to implement %.*s it must have a field called %.*s.",
                        S(def->name), S(intf->name), S(req->name));
        if (!covariant(c, req->type, found->type, 0)) {
            char *ts = gq_type_str(c->a, req->type);
            if (!ts) return oom(c);
            return fail(c, found->pos,
                        "For %.*s to implement %.*s the field %.*s must have type %s.",
                        S(def->name), S(intf->name), S(req->name), ts);
        }
        for (uint32_t k = 0; k < req->args.n; k++) {
            gq_fielddef *ra = req->args.v[k];
            gq_fielddef *fa = field_named(&found->args, ra->name);
            if (!fa)
                return fail(c, found->pos,
                            "For %.*s to implement %.*s the field %.*s must have the same "
                            "arguments but it is missing %.*s.",
                            S(def->name), S(intf->name), S(req->name), S(ra->name));
            if (!gq_type_compatible(ra->type, fa->type))
                return fail(c, fa->pos,
                            "For %.*s to implement %.*s the field %.*s must have the same "
                            "arguments but %.*s has the wrong type.",
                            S(def->name), S(intf->name), S(req->name), S(ra->name));
        }
        for (uint32_t k = 0; k < found->args.n; k++) {
            gq_fielddef *fa = found->args.v[k];
            if (!field_named(&req->args, fa->name) && fa->type && fa->type->nonnull && !fa->defval)
                return fail(c, fa->pos,
                            "For %.*s to implement %.*s any additional arguments on %.*s must be "
                            "optional or have a default value but %.*s is required.",
                            S(def->name), S(intf->name), S(found->name), S(fa->name));
        }
    }
    for (uint32_t i = 0; i < intf->ifaces.n; i++) {
        gh_str t = *(gh_str *)intf->ifaces.v[i];
        if (has_str(&def->ifaces, t)) continue;
        if (gq_eq(t, def->name))
            return fail(c, def->pos,
                        "Type %.*s cannot implement %.*s because it would create a circular "
                        "reference.",
                        S(def->name), S(iname));
        return fail(c, def->pos, "Type %.*s must implement %.*s because it is implemented by %.*s.",
                    S(def->name), S(t), S(iname));
    }
    return 0;
}

/* The first pair of same-named fields in gqlparser's nested-loop order:
 * the earliest field having a later namesake, and its first namesake. */
static gq_fielddef *duplicate_field(ctx *c, const gq_vec *fields) {
    if (fields->n < 2) return NULL;
    if (fields->n <= 16) {
        for (uint32_t i = 0; i < fields->n; i++)
            for (uint32_t j = i + 1; j < fields->n; j++)
                if (gq_eq(((gq_fielddef *)fields->v[i])->name, ((gq_fielddef *)fields->v[j])->name))
                    return fields->v[j];
        return NULL;
    }
    gq_map first = {0};
    gq_fielddef *best = NULL;
    uint32_t best_i = UINT32_MAX;
    for (uint32_t j = 0; j < fields->n; j++) {
        gq_fielddef *f = fields->v[j];
        uintptr_t i = (uintptr_t)gq_map_get(&first, f->name);
        if (!i) {
            if (gq_map_put(c->a, &first, f->name, (void *)(uintptr_t)(j + 1))) return NULL;
        } else if (i - 1 < best_i) {
            best_i = (uint32_t)(i - 1);
            best = f;
        }
    }
    return best;
}

static int check_definition(ctx *c, gq_def *def) {
    int rc;
    for (uint32_t i = 0; i < def->fields.n; i++) {
        gq_fielddef *f = def->fields.v[i];
        if ((rc = check_name(c, f->pos, f->name))) return rc;
        if ((rc = check_type_ref(c, f->type))) return rc;
        if ((rc = check_args(c, &f->args, NULL))) return rc;
        const char *loc = def->kind == GQ_K_INPUT ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION";
        if ((rc = check_directives(c, &f->dirs, loc, (gh_str){0}, NULL))) return rc;
    }
    for (uint32_t i = 0; i < def->types.n; i++) {
        gh_str t = *(gh_str *)def->types.v[i];
        gq_def *td = gq_map_get(&c->s->types, t);
        if (!td) return fail(c, def->pos, "Undefined type %s.", quote(c, t));
        if (td->kind != GQ_K_OBJECT)
            return fail(c, def->pos, "%.*s type %s must be OBJECT.", S(def->kindname), quote(c, t));
    }
    for (uint32_t i = 0; i < def->ifaces.n; i++)
        if ((rc = check_implements(c, def, *(gh_str *)def->ifaces.v[i]))) return rc;
    switch (def->kind) {
    case GQ_K_OBJECT:
    case GQ_K_INTERFACE:
        if (!def->fields.n)
            return fail(c, def->pos, "%.*s %.*s: must define one or more fields.", S(def->kindname),
                        S(def->name));
        for (uint32_t i = 0; i < def->fields.n; i++) {
            gq_fielddef *f = def->fields.v[i];
            gq_def *t = gq_map_get(&c->s->types, gq_type_name(f->type));
            if (t && (t->kind == GQ_K_OTHER || t->kind == GQ_K_INPUT))
                return fail(c, f->pos,
                            "%.*s %.*s: field must be one of SCALAR, OBJECT, INTERFACE, UNION, "
                            "ENUM.",
                            S(def->kindname), S(def->name));
        }
        break;
    case GQ_K_ENUM:
        if (!def->enumvals.n)
            return fail(c, def->pos, "%.*s %.*s: must define one or more unique enum values.",
                        S(def->kindname), S(def->name));
        for (uint32_t i = 0; i < def->enumvals.n; i++) {
            gq_enumval *v = def->enumvals.v[i];
            if (gq_eqc(v->name, "true") || gq_eqc(v->name, "false") || gq_eqc(v->name, "null"))
                return fail(c, def->pos, "%.*s %.*s: non-enum value %.*s.", S(def->kindname),
                            S(def->name), S(v->name));
        }
        break;
    case GQ_K_INPUT:
        if (!def->fields.n)
            return fail(c, def->pos, "%.*s %.*s: must define one or more input fields.",
                        S(def->kindname), S(def->name));
        for (uint32_t i = 0; i < def->fields.n; i++) {
            gq_fielddef *f = def->fields.v[i];
            gq_def *t = gq_map_get(&c->s->types, gq_type_name(f->type));
            if (t && !is_input_kind(t->kind))
                return fail(c, f->pos,
                            "%.*s %.*s: field must be one of SCALAR, ENUM, INPUT_OBJECT.",
                            S(t->kindname), S(f->name));
        }
        break;
    default: break;
    }
    gq_fielddef *dup = duplicate_field(c, &def->fields);
    if (c->a->oom) return oom(c);
    if (dup)
        return fail(c, dup->pos, "Field %.*s.%.*s can only be defined once.", S(def->name),
                    S(dup->name));
    if (!def->builtin && (rc = check_name(c, def->pos, def->name))) return rc;
    return check_directives(c, &def->dirs, NULL, def->kindname, NULL);
}

static int cmp_str(const void *x, const void *y) {
    const gh_str *a = x, *b = y;
    size_t n = a->n < b->n ? a->n : b->n;
    int r = n ? memcmp(a->p, b->p, n) : 0;
    if (r) return r;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* Keys of m sorted as Go's sort.Strings sorts (bytewise). */
static gh_str *sorted_keys(ctx *c, const gq_map *m) {
    gh_str *k = gh_arena_alloc(c->a, (m->n ? m->n : 1) * sizeof *k);
    if (!k) return NULL;
    if (m->n) memcpy(k, m->keys, m->n * sizeof *k);
    qsort(k, m->n, sizeof *k, cmp_str);
    return k;
}

static int set_root(ctx *c, const gq_optype *o) {
    gq_def *def = gq_map_get(&c->s->types, o->type);
    if (!def)
        return fail(c, o->pos, "Schema root %.*s refers to a type %.*s that does not exist.",
                    S(o->op), S(o->type));
    if (gq_eqc(o->op, "query"))
        c->s->query = def;
    else if (gq_eqc(o->op, "mutation"))
        c->s->mutation = def;
    else if (gq_eqc(o->op, "subscription"))
        c->s->subscription = def;
    return 0;
}

static bool builtin_directive(gh_str n) {
    return gq_eqc(n, "include") || gq_eqc(n, "skip") || gq_eqc(n, "deprecated") ||
           gq_eqc(n, "specifiedBy");
}

static int add_defs(ctx *c, const gq_vec *src, gq_vec *defs) {
    for (uint32_t i = 0; i < src->n; i++) {
        const gq_def *d = src->v[i];
        if (gq_map_get(&c->s->types, d->name))
            return fail(c, d->pos, "Cannot redeclare type %.*s.", S(d->name));
        gq_def *copy = gh_arena_alloc(c->a, sizeof *copy);
        if (!copy) return oom(c);
        *copy = *d;
        if (gq_map_put(c->a, &c->s->types, d->name, copy) || push(c, defs, copy)) return oom(c);
    }
    return 0;
}

static int apply_extensions(ctx *c, const gq_vec *exts, gq_vec *defs) {
    for (uint32_t i = 0; i < exts->n; i++) {
        const gq_def *x = exts->v[i];
        gq_def *def = gq_map_get(&c->s->types, x->name);
        if (!def) {
            def = gh_arena_calloc(c->a, sizeof *def);
            if (!def) return oom(c);
            def->kindname = x->kindname;
            def->kind = x->kind;
            def->name = x->name;
            def->desc = (gh_str){"", 0};
            def->pos = x->pos;
            if (gq_map_put(c->a, &c->s->types, x->name, def) || push(c, defs, def)) return oom(c);
        }
        if (!gq_eq(def->kindname, x->kindname))
            return fail(c, x->pos,
                        "Cannot extend type %.*s because the base type is a %.*s, not %.*s.",
                        S(x->name), S(def->kindname), S(x->kindname));
        if (concat(c, &def->dirs, &x->dirs) || concat(c, &def->ifaces, &x->ifaces) ||
            concat(c, &def->fields, &x->fields) || concat(c, &def->types, &x->types) ||
            concat(c, &def->enumvals, &x->enumvals))
            return GH_ENOMEM;
    }
    return 0;
}

static int add_directives(ctx *c, const gq_vec *dirs) {
    for (uint32_t i = 0; i < dirs->n; i++) {
        gq_dirdef *d = dirs->v[i];
        if (gq_map_get(&c->s->dirs, d->name) && !builtin_directive(d->name))
            return fail(c, d->pos, "Cannot redeclare directive %.*s.", S(d->name));
        if (gq_map_put(c->a, &c->s->dirs, d->name, d)) return oom(c);
    }
    return 0;
}

static gq_fielddef *meta_field(ctx *c, const char *name, const char *type, bool nonnull) {
    gq_fielddef *f = gh_arena_calloc(c->a, sizeof *f);
    gq_type *t = gh_arena_calloc(c->a, sizeof *t);
    if (!f || !t) return NULL;
    f->name = (gh_str){name, strlen(name)};
    f->desc = (gh_str){"", 0};
    t->named = (gh_str){type, strlen(type)};
    t->nonnull = nonnull;
    f->type = t;
    return f;
}

int gq_schema_build(gh_arena *a, const gq_sdoc *doc, gq_schema **out, gq_error *e) {
    memset(e, 0, sizeof *e);
    *out = NULL;
    const gq_sdoc *pre = gq_prelude();
    gq_schema *s = gh_arena_calloc(a, sizeof *s);
    ctx c = {a, s, e};
    if (!pre || !s) return oom(&c);
    gq_vec defs = {0};
    int rc;
    if ((rc = add_defs(&c, &pre->defs, &defs)) || (rc = add_defs(&c, &doc->defs, &defs)) ||
        (rc = apply_extensions(&c, &pre->exts, &defs)) ||
        (rc = apply_extensions(&c, &doc->exts, &defs)))
        return rc;
    for (uint32_t i = 0; i < defs.n; i++) {
        gq_def *d = defs.v[i];
        if (d->kind == GQ_K_UNION) {
            for (uint32_t k = 0; k < d->types.n; k++) {
                gh_str t = *(gh_str *)d->types.v[k];
                if ((rc = add_possible(&c, d->name, gq_map_get(&s->types, t)))) return rc;
            }
        } else if (d->kind == GQ_K_OBJECT || d->kind == GQ_K_INPUT || d->kind == GQ_K_INTERFACE) {
            for (uint32_t k = 0; k < d->ifaces.n; k++)
                if ((rc = add_possible(&c, *(gh_str *)d->ifaces.v[k], d))) return rc;
            if (d->kind != GQ_K_INTERFACE && (rc = add_possible(&c, d->name, d))) return rc;
        }
    }
    if ((rc = add_directives(&c, &pre->dirs)) || (rc = add_directives(&c, &doc->dirs))) return rc;
    uint32_t nschema = pre->schema.n + doc->schema.n;
    if (nschema > 1) {
        const gq_schemadef *second = doc->schema.v[1];
        return fail(&c, second->pos,
                    "Cannot have multiple schema entry points, consider schema extensions "
                    "instead.");
    }
    if (doc->schema.n == 1) {
        const gq_schemadef *sd = doc->schema.v[0];
        for (uint32_t i = 0; i < sd->optypes.n; i++)
            if ((rc = set_root(&c, sd->optypes.v[i]))) return rc;
    }
    for (uint32_t k = 0; k < doc->schemaext.n; k++) {
        const gq_schemadef *sd = doc->schemaext.v[k];
        for (uint32_t i = 0; i < sd->optypes.n; i++)
            if ((rc = set_root(&c, sd->optypes.v[i]))) return rc;
    }
    gh_str *names = sorted_keys(&c, &s->types);
    if (!names) return oom(&c);
    for (uint32_t i = 0; i < s->types.n; i++)
        if ((rc = check_definition(&c, gq_map_get(&s->types, names[i])))) return rc;
    names = sorted_keys(&c, &s->dirs);
    if (!names) return oom(&c);
    for (uint32_t i = 0; i < s->dirs.n; i++) {
        gq_dirdef *d = gq_map_get(&s->dirs, names[i]);
        if ((rc = check_name(&c, d->pos, d->name)) || (rc = check_args(&c, &d->args, d))) return rc;
    }
    if (nschema == 0) {
        if (!s->query) s->query = gq_map_get(&s->types, (gh_str){"Query", 5});
        if (!s->mutation) s->mutation = gq_map_get(&s->types, (gh_str){"Mutation", 8});
        if (!s->subscription) s->subscription = gq_map_get(&s->types, (gh_str){"Subscription", 12});
    }
    if (s->query) {
        gq_fielddef *fs = meta_field(&c, "__schema", "__Schema", true);
        gq_fielddef *ft = meta_field(&c, "__type", "__Type", false);
        gq_fielddef *fn = meta_field(&c, "name", "String", true);
        gq_vec extra = {0};
        if (!fs || !ft || !fn || push(&c, &ft->args, fn) || push(&c, &extra, fs) ||
            push(&c, &extra, ft) || concat(&c, &s->query->fields, &extra))
            return oom(&c);
    }
    *out = s;
    return 0;
}
