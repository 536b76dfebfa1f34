/* jsonschema.c - compiling a JSON Schema document into the js_node tree the
 * validator walks (see jsonschema.h). Keyword checks run in gojsonschema's
 * order so the first problem reported is the one OPA reports, with its
 * wording ("Invalid type. Expected: boolean/Valid Schema, given:
 * additionalProperties", quirks included). $ref resolves JSON pointers and
 * $id/id names inside the document; targets are cached by reference string
 * before they are parsed, so recursive schemas compile to cyclic trees. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/jsonschema.h"
#include "rego/builtins/regex_int.h"

const char *const js_type_names[JT_COUNT] = {"array", "boolean", "integer", "number",
                                             "null",  "object",  "string"};

typedef struct jref {
    const char *key;
    size_t n;
    js_node *node;
} jref;

typedef struct jid {
    const char *id; /* resolved */
    size_t n;
    const val_t *doc;
} jid;

typedef struct jsc {
    gh_arena *a;
    rb_sb *msg;
    const val_t *root;
    int draft;
    const char *base; /* root id, resolved; "" when none */
    jref *refs;
    size_t nrefs, caprefs;
    jid *ids;
    size_t nids, capids;
    int oom;
} jsc;

#define FAIL 1 /* a schema error, message in C->msg (GH_ENOMEM is -1) */

static int fail(jsc *C, const char *fmt, ...) GH_PRINTF(2, 3);
static int fail(jsc *C, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    rb_sb_puts(C->msg, tmp);
    return FAIL;
}

static int invalid_type(jsc *C, const char *expected, const char *given) {
    return fail(C, "Invalid type. Expected: %s, given: %s", expected, given);
}

static int parse_error(jsc *C) { return fail(C, "Expected: Valid Schema, given: Invalid JSON"); }

static const val_t *get(const val_t *o, const char *k) { return val_obj_get_str(o, k, strlen(k)); }

static int get_string(jsc *C, const val_t *m, const char *key, const val_t **out) {
    const val_t *v = get(m, key);
    *out = NULL;
    if (!v) return 0;
    if (!val_is_str(v)) return invalid_type(C, "string", key);
    *out = v;
    return 0;
}

static int get_slice(jsc *C, const val_t *m, const char *key, const val_t **out) {
    const val_t *v = get(m, key);
    *out = NULL;
    if (!v) return 0;
    if (val_kind_of(v) != VAL_ARRAY) return fail(C, "%s must be of an array", key);
    *out = v;
    return 0;
}

static js_node *new_node(jsc *C) {
    js_node *n = gh_arena_calloc(C->a, sizeof *n);
    if (!n) {
        C->oom = 1;
        return NULL;
    }
    n->pass = -1;
    n->min_len = n->max_len = n->min_props = n->max_props = n->min_items = n->max_items = -1;
    return n;
}

/* gojsonschema's mustBeInteger: an integer literal that fits int64. */
static bool must_be_integer(const val_t *v, int64_t *out) {
    return val_kind_of(v) == VAL_NUMBER && val_is_int(v) && val_num_to_int64(v, out);
}

static int parse(jsc *C, const val_t *doc, js_node **out);

/* A keyword whose value is a sub-schema (object, or boolean from draft 6). */
static int sub_schema(jsc *C, const val_t *v, js_node **out) { return parse(C, v, out); }

static int schema_list(jsc *C, const val_t *m, const char *key, js_node ***out, size_t *n) {
    const val_t *arr;
    if (get_slice(C, m, key, &arr)) return FAIL;
    *n = 0;
    if (!arr || !val_arr_len(arr)) return 0;
    size_t k = val_arr_len(arr);
    js_node **list = gh_arena_alloc(C->a, k * sizeof *list);
    if (!list) return C->oom = 1, GH_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        int rc = sub_schema(C, val_arr_at(arr, i), &list[i]);
        if (rc) return rc;
    }
    *out = list;
    *n = k;
    return 0;
}

/* ---- ids and references -------------------------------------------------------------- */

static bool has_scheme(const char *s, size_t n) {
    if (!n || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c == ':') return true;
        if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '-' || c == '.'))
            return false;
    }
    return false;
}

/* Resolve reference r against base (RFC 3986, simplified: scheme-relative
 * and dot segments are not handled). Result in the arena. */
static const char *resolve(jsc *C, const char *base, const char *r, size_t rn, size_t *outn) {
    rb_sb b;
    rb_sb_init(&b, C->a, rn + strlen(base) + 2);
    size_t bn = strlen(base);
    const char *bh = memchr(base, '#', bn);
    if (bh) bn = (size_t)(bh - base);
    if (has_scheme(r, rn) || !bn) {
        rb_sb_put(&b, r, rn);
    } else if (rn && r[0] == '#') {
        rb_sb_put(&b, base, bn);
        rb_sb_put(&b, r, rn);
    } else if (rn && r[0] == '/') {
        const char *auth = strstr(base, "://");
        size_t keep = bn;
        if (auth) {
            const char *slash = memchr(auth + 3, '/', bn - (size_t)(auth + 3 - base));
            keep = slash ? (size_t)(slash - base) : bn;
        }
        rb_sb_put(&b, base, keep);
        rb_sb_put(&b, r, rn);
    } else {
        size_t keep = bn;
        while (keep && base[keep - 1] != '/')
            keep--;
        rb_sb_put(&b, base, keep);
        rb_sb_put(&b, r, rn);
    }
    rb_sb_putc(&b, '\0');
    if (b.oom) {
        C->oom = 1;
        return NULL;
    }
    *outn = b.len - 1;
    return b.p;
}

static int add_id(jsc *C, const val_t *idv, const val_t *doc) {
    size_t n;
    const char *id = resolve(C, C->base, val_str_ptr(idv), val_str_len(idv), &n);
    if (!id) return GH_ENOMEM;
    if (C->nids == C->capids) {
        size_t nc = C->capids ? C->capids * 2 : 8;
        jid *ni = gh_arena_realloc(C->a, C->ids, C->capids * sizeof *ni, nc * sizeof *ni);
        if (!ni) return C->oom = 1, GH_ENOMEM;
        C->ids = ni;
        C->capids = nc;
    }
    C->ids[C->nids++] = (jid){id, n, doc};
    return 0;
}

/* Register every $id / id string in the document (gojsonschema's pool). */
static int collect_ids(jsc *C, const val_t *v, int depth) {
    if (depth > GH_MAX_DEPTH) return 0;
    if (val_kind_of(v) == VAL_ARRAY) {
        for (size_t i = 0; i < val_arr_len(v); i++) {
            int rc = collect_ids(C, val_arr_at(v, i), depth + 1);
            if (rc) return rc;
        }
    } else if (val_kind_of(v) == VAL_OBJECT) {
        const val_t *id = get(v, C->draft == JS_DRAFT4 ? "id" : "$id");
        if (C->draft == JS_HYBRID && get(v, "id")) id = get(v, "id");
        if (id && val_is_str(id) && v != C->root) {
            int rc = add_id(C, id, v);
            if (rc) return rc;
        }
        for (size_t i = 0; i < val_obj_len(v); i++) {
            int rc = collect_ids(C, val_obj_val_at(v, i), depth + 1);
            if (rc) return rc;
        }
    }
    return 0;
}

static int hexv(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
    return -1;
}

/* One JSON pointer token: percent-decoded (it came from a URL fragment),
 * then ~1 -> / and ~0 -> ~. */
static const char *ptr_token(jsc *C, const char *s, size_t n, size_t *outn) {
    rb_sb b;
    rb_sb_init(&b, C->a, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
            rb_sb_putc(&b, (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2])));
            i += 2;
        } else {
            rb_sb_putc(&b, s[i]);
        }
    }
    rb_sb_putc(&b, '\0');
    if (b.oom) {
        C->oom = 1;
        return NULL;
    }
    /* ~1 then ~0, in place */
    char *p = b.p;
    size_t w = 0, len = b.len - 1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '~' && i + 1 < len && p[i + 1] == '1') {
            p[w++] = '/';
            i++;
        } else {
            p[w++] = p[i];
        }
    }
    len = w;
    w = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '~' && i + 1 < len && p[i + 1] == '0') {
            p[w++] = '~';
            i++;
        } else {
            p[w++] = p[i];
        }
    }
    p[w] = 0;
    *outn = w;
    return p;
}

static int walk_pointer(jsc *C, const val_t *doc, const char *f, size_t fn, const val_t **out) {
    const val_t *cur = doc;
    size_t i = 0;
    while (i < fn) {
        /* f[i] == '/' */
        size_t j = i + 1;
        while (j < fn && f[j] != '/')
            j++;
        size_t tn;
        const char *tok = ptr_token(C, f + i + 1, j - i - 1, &tn);
        if (!tok) return GH_ENOMEM;
        if (val_kind_of(cur) == VAL_OBJECT) {
            const val_t *next = val_obj_get_str(cur, tok, tn);
            if (!next) return fail(C, "Object has no key '%s'", tok);
            cur = next;
        } else if (val_kind_of(cur) == VAL_ARRAY) {
            char *end = NULL;
            long idx = tn ? strtol(tok, &end, 10) : -1;
            if (!tn || *end || tok[0] == '+' || tok[0] == ' ')
                return fail(C, "Invalid array index '%s'", tok);
            if (idx < 0 || (size_t)idx >= val_arr_len(cur))
                return fail(C, "Out of bound array[0,%zu] index '%ld'", val_arr_len(cur), idx);
            cur = val_arr_at(cur, (size_t)idx);
        } else {
            return fail(C, "Invalid token reference '%s'", tok);
        }
        i = j;
    }
    *out = cur;
    return 0;
}

static int parse_ref(jsc *C, const val_t *refv, js_node *node) {
    const char *r = val_str_ptr(refv);
    size_t rn = val_str_len(refv);
    size_t kn;
    const char *key = resolve(C, C->base, r, rn, &kn);
    if (!key) return GH_ENOMEM;
    for (size_t i = 0; i < C->nrefs; i++)
        if (C->refs[i].n == kn && !memcmp(C->refs[i].key, key, kn)) {
            node->ref = C->refs[i].node;
            return 0;
        }
    /* which document: the root, or a subtree named by $id */
    const char *hash = memchr(key, '#', kn);
    size_t un = hash ? (size_t)(hash - key) : kn;
    const val_t *doc = NULL;
    size_t basen = strlen(C->base);
    const char *bh = memchr(C->base, '#', basen);
    if (bh) basen = (size_t)(bh - C->base);
    if (un == 0 || (un == basen && !memcmp(key, C->base, un))) doc = C->root;
    for (size_t i = 0; !doc && i < C->nids; i++)
        if (C->ids[i].n == un && !memcmp(C->ids[i].id, key, un)) doc = C->ids[i].doc;
    if (!doc) {
        if (!has_scheme(key, un) || !strstr(key, "://"))
            return fail(C, "Reference %s%.*s must be canonical",
                        has_scheme(key, un) || key[0] == '/' ? "" : "/", (int)kn, key);
        return fail(C, "Get \"%.*s\": remote schema references are not supported", (int)un, key);
    }
    const val_t *target = doc;
    if (hash) {
        const char *f = hash + 1;
        size_t fn = kn - un - 1;
        if (fn && f[0] == '/') {
            int rc = walk_pointer(C, doc, f, fn, &target);
            if (rc) return rc;
        } else if (fn) { /* a plain-name fragment: an "$id": "#name" */
            for (size_t i = 0; i < C->nids; i++)
                if (C->ids[i].n == kn && !memcmp(C->ids[i].id, key, kn)) target = C->ids[i].doc;
        }
    }
    if (val_kind_of(target) != VAL_OBJECT && val_kind_of(target) != VAL_BOOL)
        return fail(C, "Valid Schema must be of type object");
    js_node *t = new_node(C);
    if (!t) return GH_ENOMEM;
    if (C->nrefs == C->caprefs) {
        size_t nc = C->caprefs ? C->caprefs * 2 : 8;
        jref *nr = gh_arena_realloc(C->a, C->refs, C->caprefs * sizeof *nr, nc * sizeof *nr);
        if (!nr) return C->oom = 1, GH_ENOMEM;
        C->refs = nr;
        C->caprefs = nc;
    }
    C->refs[C->nrefs++] = (jref){key, kn, t};
    node->ref = t;
    js_node *parsed;
    int rc = parse(C, target, &parsed);
    if (rc) return rc;
    *t = *parsed;
    return 0;
}

/* ---- keywords --------------------------------------------------------------------- */

static int add_type(jsc *C, js_node *n, const val_t *t) {
    const char *s = val_str_ptr(t);
    int k = -1;
    for (int i = 0; i < JT_COUNT; i++)
        if (!strcmp(s, js_type_names[i]) && strlen(js_type_names[i]) == val_str_len(t)) k = i;
    if (k < 0)
        return fail(C,
                    "has a primitive type that is NOT VALID -- given: /%s/ Expected valid values "
                    "are:[array boolean integer number null object string]",
                    s);
    for (size_t i = 0; i < n->ntypes; i++)
        if (n->types[i] == k) return fail(C, "%s type is duplicated", s);
    n->types[n->ntypes++] = (uint8_t)k;
    return 0;
}

static int int_keyword(jsc *C, const val_t *m, const char *key, int64_t *out) {
    const val_t *v = get(m, key);
    if (!v) return 0;
    int64_t i;
    if (!must_be_integer(v, &i)) return fail(C, "%s must be of an integer", key);
    if (i < 0) return fail(C, "%s must be greater than or equal to 0", key);
    *out = i;
    return 0;
}

/* exclusiveMinimum / exclusiveMaximum by draft. */
static int exclusive(jsc *C, const val_t *m, const char *key, const char *base_key,
                     const val_t **base, const val_t **excl) {
    const val_t *v = get(m, key);
    if (!v) return 0;
    bool is_bool = val_kind_of(v) == VAL_BOOL, is_num = val_kind_of(v) == VAL_NUMBER;
    if (C->draft == JS_DRAFT4 || (C->draft == JS_HYBRID && is_bool)) {
        if (!is_bool) return invalid_type(C, "boolean", key);
        if (!*base) return fail(C, "%s cannot be used without %s", key, base_key);
        if (v->u.b) {
            *excl = *base;
            *base = NULL;
        }
        return 0;
    }
    if (!is_num) return invalid_type(C, C->draft == JS_HYBRID ? "boolean/number" : "number", key);
    *excl = v;
    return 0;
}

static int parse_object(jsc *C, const val_t *m, js_node *n) {
    int rc;
    const val_t *v;
    /* id */
    const char *idkey = C->draft == JS_DRAFT4 ? "id" : "$id";
    if (C->draft == JS_HYBRID && get(m, "id")) idkey = "id";
    if ((rc = get_string(C, m, idkey, &v))) return rc;
    /* definitions */
    if ((v = get(m, "definitions"))) {
        if (val_kind_of(v) != VAL_OBJECT) return invalid_type(C, "Array Of Schemas", "definitions");
        for (size_t i = 0; i < val_obj_len(v); i++) {
            const val_t *d = val_obj_val_at(v, i);
            if (val_kind_of(d) != VAL_OBJECT && val_kind_of(d) != VAL_BOOL)
                return invalid_type(C, "Array Of Schemas", "definitions");
            js_node *ignored;
            if ((rc = parse(C, d, &ignored))) return rc;
        }
    }
    if ((rc = get_string(C, m, "title", &v))) return rc;
    if ((rc = get_string(C, m, "description", &v))) return rc;
    /* $ref: the rest of the object does not matter for validation */
    if ((rc = get_string(C, m, "$ref", &v))) return rc;
    if (v) {
        n->has_ref = true;
        return parse_ref(C, v, n);
    }
    /* type */
    if ((v = get(m, "type"))) {
        if (val_is_str(v)) {
            if ((rc = add_type(C, n, v))) return rc;
        } else if (val_kind_of(v) == VAL_ARRAY) {
            for (size_t i = 0; i < val_arr_len(v); i++) {
                const val_t *t = val_arr_at(v, i);
                if (!val_is_str(t)) return invalid_type(C, "type", "string/Array Of Strings");
                if ((rc = add_type(C, n, t))) return rc;
            }
        } else {
            return invalid_type(C, "type", "string/Array Of Strings");
        }
    }
    /* properties */
    if ((v = get(m, "properties"))) {
        if (val_kind_of(v) != VAL_OBJECT) return fail(C, "Properties must be of type object");
        size_t k = val_obj_len(v);
        n->prop_keys = gh_arena_alloc(C->a, (k ? k : 1) * sizeof *n->prop_keys);
        n->props = gh_arena_alloc(C->a, (k ? k : 1) * sizeof *n->props);
        if (!n->prop_keys || !n->props) return C->oom = 1, GH_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            n->prop_keys[i] = val_obj_key_at(v, i);
            if ((rc = sub_schema(C, val_obj_val_at(v, i), &n->props[i]))) return rc;
            n->nprops++;
        }
    }
    if ((v = get(m, "additionalProperties"))) {
        if (val_kind_of(v) == VAL_BOOL) {
            n->addl_props = v->u.b ? 2 : 1;
        } else if (val_kind_of(v) == VAL_OBJECT) {
            n->addl_props = 3;
            if ((rc = parse(C, v, &n->addl_props_s))) return rc;
        } else {
            return invalid_type(C, "boolean/Valid Schema", "additionalProperties");
        }
    }
    if ((v = get(m, "patternProperties"))) {
        if (val_kind_of(v) != VAL_OBJECT)
            return invalid_type(C, "Valid Schema", "patternProperties");
        size_t k = val_obj_len(v);
        n->pat_keys = gh_arena_alloc(C->a, (k ? k : 1) * sizeof *n->pat_keys);
        n->pats = gh_arena_alloc(C->a, (k ? k : 1) * sizeof *n->pats);
        if (!n->pat_keys || !n->pats) return C->oom = 1, GH_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            const val_t *pk = val_obj_key_at(v, i);
            gh_err e;
            gh_err_clear(&e);
            const rego_re *re;
            int rrc = rego_re_get(val_str_ptr(pk), val_str_len(pk), &re, &e);
            if (rrc == GH_ENOMEM) return C->oom = 1, GH_ENOMEM;
            if (rrc) return fail(C, "Invalid regex pattern '%s'", val_str_ptr(pk));
            n->pat_keys[i] = pk;
            if ((rc = sub_schema(C, val_obj_val_at(v, i), &n->pats[i]))) return rc;
            n->npat++;
        }
    }
    if ((v = get(m, "propertyNames")) && C->draft >= JS_DRAFT6) {
        if (val_kind_of(v) != VAL_OBJECT && val_kind_of(v) != VAL_BOOL)
            return invalid_type(C, "Valid Schema", "patternProperties");
        if ((rc = parse(C, v, &n->prop_names))) return rc;
    }
    if ((v = get(m, "dependencies"))) {
        if (val_kind_of(v) != VAL_OBJECT) return fail(C, "dependencies must be of type object");
        size_t k = val_obj_len(v);
        n->deps = gh_arena_calloc(C->a, (k ? k : 1) * sizeof *n->deps);
        if (!n->deps) return C->oom = 1, GH_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            const val_t *dv = val_obj_val_at(v, i);
            js_dep *d = &n->deps[n->ndeps];
            d->key = val_obj_key_at(v, i);
            if (val_kind_of(dv) == VAL_ARRAY) {
                size_t q = val_arr_len(dv);
                for (size_t j = 0; j < q; j++)
                    if (!val_is_str(val_arr_at(dv, j)))
                        return fail(C, "Dependency must be of type Schema Or Array Of Strings");
                if (!q) continue;
                d->strs = (const val_t **)dv->u.arr.items;
                d->nstr = q;
            } else if (val_kind_of(dv) == VAL_OBJECT || val_kind_of(dv) == VAL_BOOL) {
                if ((rc = parse(C, dv, &d->schema))) return rc;
            } else {
                return fail(C, "Dependency must be of type Schema Or Array Of Strings");
            }
            n->ndeps++;
        }
    }
    if ((v = get(m, "items"))) {
        if (val_kind_of(v) == VAL_ARRAY) {
            size_t k = val_arr_len(v);
            n->items = gh_arena_alloc(C->a, (k ? k : 1) * sizeof *n->items);
            if (!n->items) return C->oom = 1, GH_ENOMEM;
            for (size_t i = 0; i < k; i++) {
                const val_t *it = val_arr_at(v, i);
                if (val_kind_of(it) != VAL_OBJECT && val_kind_of(it) != VAL_BOOL)
                    return invalid_type(C, "Valid Schema/Array Of Schemas", "items");
                if ((rc = parse(C, it, &n->items[i]))) return rc;
                n->nitems++;
            }
        } else if (val_kind_of(v) == VAL_OBJECT || val_kind_of(v) == VAL_BOOL) {
            n->items = gh_arena_alloc(C->a, sizeof *n->items);
            if (!n->items) return C->oom = 1, GH_ENOMEM;
            if ((rc = parse(C, v, &n->items[0]))) return rc;
            n->nitems = 1;
            n->items_single = true;
        } else {
            return invalid_type(C, "Valid Schema/Array Of Schemas", "items");
        }
    }
    if ((v = get(m, "additionalItems"))) {
        if (val_kind_of(v) == VAL_BOOL) {
            n->addl_items = v->u.b ? 2 : 1;
        } else if (val_kind_of(v) == VAL_OBJECT) {
            n->addl_items = 3;
            if ((rc = parse(C, v, &n->addl_items_s))) return rc;
        } else {
            return invalid_type(C, "boolean/Valid Schema", "additionalItems");
        }
    }
    if ((v = get(m, "multipleOf"))) {
        if (val_kind_of(v) != VAL_NUMBER) return invalid_type(C, "Number", "multipleOf");
        if (val_compare(v, val_int(C->a, 0)) <= 0)
            return fail(C, "multipleOf must be strictly greater than 0");
        n->multiple_of = v;
    }
    if ((v = get(m, "minimum"))) {
        if (val_kind_of(v) != VAL_NUMBER) return fail(C, "minimum must be of a Number");
        n->minimum = v;
    }
    if ((rc = exclusive(C, m, "exclusiveMinimum", "minimum", &n->minimum, &n->excl_min))) return rc;
    if ((v = get(m, "maximum"))) {
        if (val_kind_of(v) != VAL_NUMBER) return fail(C, "maximum must be of a Number");
        n->maximum = v;
    }
    if ((rc = exclusive(C, m, "exclusiveMaximum", "maximum", &n->maximum, &n->excl_max))) return rc;
    if ((rc = int_keyword(C, m, "minLength", &n->min_len))) return rc;
    if ((rc = int_keyword(C, m, "maxLength", &n->max_len))) return rc;
    if (n->min_len >= 0 && n->max_len >= 0 && n->min_len > n->max_len)
        return fail(C, "minLength cannot be greater than maxLength");
    if ((rc = get_string(C, m, "pattern", &v))) return rc; /* checked, not enforced (OPA) */
    if ((rc = get_string(C, m, "format", &v))) return rc;
    if (v) n->format = val_str_ptr(v);
    if ((rc = int_keyword(C, m, "minProperties", &n->min_props))) return rc;
    if ((rc = int_keyword(C, m, "maxProperties", &n->max_props))) return rc;
    if (n->min_props >= 0 && n->max_props >= 0 && n->min_props > n->max_props)
        return fail(C, "minProperties cannot be greater than maxProperties");
    const val_t *req;
    if ((rc = get_slice(C, m, "required", &req))) return rc;
    if (req) {
        for (size_t i = 0; i < val_arr_len(req); i++) {
            const val_t *s = val_arr_at(req, i);
            if (!val_is_str(s)) return invalid_type(C, "string", "required");
            for (size_t j = 0; j < i; j++)
                if (val_equal(val_arr_at(req, j), s))
                    return fail(C, "required items must be unique");
        }
        n->req = (const val_t **)req->u.arr.items;
        n->nreq = val_arr_len(req);
    }
    if ((rc = int_keyword(C, m, "minItems", &n->min_items))) return rc;
    if ((rc = int_keyword(C, m, "maxItems", &n->max_items))) return rc;
    if ((v = get(m, "uniqueItems"))) {
        if (val_kind_of(v) != VAL_BOOL) return fail(C, "uniqueItems must be of a boolean");
        n->unique = v->u.b;
    }
    if ((v = get(m, "contains")) && C->draft >= JS_DRAFT6) {
        if ((rc = parse(C, v, &n->contains))) return rc;
    }
    if ((v = get(m, "const")) && C->draft >= JS_DRAFT6) {
        if (!(n->const_json = js_norm_json(C->a, v))) return C->oom = 1, GH_ENOMEM;
    }
    const val_t *en;
    if ((rc = get_slice(C, m, "enum", &en))) return rc;
    if (en && val_arr_len(en)) {
        size_t k = val_arr_len(en);
        n->enum_json = gh_arena_alloc(C->a, k * sizeof *n->enum_json);
        if (!n->enum_json) return C->oom = 1, GH_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            const char *s = js_norm_json(C->a, val_arr_at(en, i));
            if (!s) return C->oom = 1, GH_ENOMEM;
            for (size_t j = 0; j < i; j++)
                if (!strcmp(n->enum_json[j], s)) return fail(C, "enum items must be unique");
            n->enum_json[n->nenum++] = s;
        }
    }
    if ((rc = schema_list(C, m, "oneOf", &n->one_of, &n->n_one))) return rc;
    if ((rc = schema_list(C, m, "anyOf", &n->any_of, &n->n_any))) return rc;
    if ((rc = schema_list(C, m, "allOf", &n->all_of, &n->n_all))) return rc;
    if ((v = get(m, "not"))) {
        if (val_kind_of(v) != VAL_OBJECT && val_kind_of(v) != VAL_BOOL)
            return fail(C, "not must be of an object");
        if ((rc = parse(C, v, &n->not_))) return rc;
    }
    if (C->draft >= JS_DRAFT7) {
        static const char *const kw[] = {"if", "then", "else"};
        js_node **dst[] = {&n->if_, &n->then_, &n->else_};
        for (int i = 0; i < 3; i++) {
            if (!(v = get(m, kw[i]))) continue;
            if (val_kind_of(v) != VAL_OBJECT && val_kind_of(v) != VAL_BOOL)
                return fail(C, "%s must be of an object", kw[i]);
            if ((rc = parse(C, v, dst[i]))) return rc;
        }
    }
    return 0;
}

static int parse(jsc *C, const val_t *doc, js_node **out) {
    js_node *n = new_node(C);
    if (!n) return GH_ENOMEM;
    *out = n;
    if (C->draft >= JS_DRAFT6 && val_kind_of(doc) == VAL_BOOL) {
        n->pass = doc->u.b ? 1 : 0;
        return 0;
    }
    if (val_kind_of(doc) != VAL_OBJECT) return parse_error(C);
    int rc = parse_object(C, doc, n);
    return C->oom ? GH_ENOMEM : rc;
}

int js_compile(gh_arena *a, const val_t *schema, js_node **out, rb_sb *msg) {
    jsc C = {.a = a, .msg = msg, .root = schema, .draft = JS_HYBRID, .base = ""};
    if (val_kind_of(schema) == VAL_BOOL) {
        js_node *n = new_node(&C);
        if (!n) return GH_ENOMEM;
        n->pass = schema->u.b ? 1 : 0;
        *out = n;
        return 0;
    }
    if (val_kind_of(schema) != VAL_OBJECT) return fail(&C, "schema is invalid");
    const val_t *sv = get(schema, "$schema");
    if (sv) {
        if (!val_is_str(sv)) return fail(&C, "$schema must be of type string");
        size_t n = val_str_len(sv);
        const char *s = val_str_ptr(sv);
        if (n && s[n - 1] == '#') n--;
        static const struct {
            const char *url;
            int draft;
        } drafts[] = {{"http://json-schema.org/draft-04/schema", JS_DRAFT4},
                      {"http://json-schema.org/draft-06/schema", JS_DRAFT6},
                      {"http://json-schema.org/draft-07/schema", JS_DRAFT7}};
        for (size_t i = 0; i < 3; i++)
            if (strlen(drafts[i].url) == n && !memcmp(drafts[i].url, s, n))
                C.draft = drafts[i].draft;
    }
    const val_t *rid = get(schema, C.draft == JS_DRAFT4 ? "id" : "$id");
    if (C.draft == JS_HYBRID && get(schema, "id")) rid = get(schema, "id");
    if (rid && val_is_str(rid)) C.base = val_str_ptr(rid);
    int rc = collect_ids(&C, schema, 0);
    if (rc) return rc;
    rc = parse(&C, schema, out);
    if (C.oom || msg->oom) return GH_ENOMEM;
    return rc;
}
