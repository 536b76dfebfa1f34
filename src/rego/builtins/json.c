/* json.c - the builtins that reshape or check JSON documents: json.filter,
 * json.remove, json.patch (RFC 6902 as OPA implements it, sets included:
 * a set element is its own path segment) and the JSON Schema pair
 * json.verify_schema / json.match_schema (jsonschema*.c). Called by the
 * evaluator through rego_bi_json. Results share unchanged sub-values of
 * the arguments; only the spine along each touched path is rebuilt. */
#include <stdio.h>
#include <string.h>

#include "rego/builtins/encoding_int.h"
#include "rego/builtins/jsonschema.h"
#include "rego/builtins/strutil.h"

/* ---- paths --------------------------------------------------------------------------- */

typedef struct jpath {
    val_t **seg;
    size_t n;
} jpath;

static int path_type_err(rego_bctx *c, const val_t *p) {
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                      "operand 2 must be one of {set, array} containing string paths or array of "
                      "path segments but got %s",
                      val_kind_name(val_kind_of(p)));
}

/* OPA's parsePath: "a/b/0" (leading slashes dropped, ~1 and ~0 unescaped)
 * or an array of segments; "" is the empty path. */
static int parse_path(rego_bctx *c, const val_t *p, jpath *out) {
    out->n = 0;
    out->seg = NULL;
    if (val_kind_of(p) == VAL_ARRAY) {
        out->seg = p->u.arr.items;
        out->n = val_arr_len(p);
        return 0;
    }
    if (!val_is_str(p)) return path_type_err(c, p);
    const char *s = val_str_ptr(p);
    size_t n = val_str_len(p);
    if (!n) return 0;
    while (n && *s == '/')
        s++, n--;
    size_t parts = 1;
    for (size_t i = 0; i < n; i++)
        parts += s[i] == '/';
    out->seg = gh_arena_alloc(c->a, parts * sizeof *out->seg);
    if (!out->seg) return rb_oom(c);
    size_t st = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '/') continue;
        rb_sb b;
        rb_sb_init(&b, c->a, i - st + 1);
        for (size_t k = st; k < i; k++) { /* ~1 -> / first, then ~0 -> ~ */
            if (s[k] == '~' && k + 1 < i && s[k + 1] == '1') {
                rb_sb_putc(&b, '/');
                k++;
            } else {
                rb_sb_putc(&b, s[k]);
            }
        }
        size_t w = 0;
        for (size_t k = 0; k < b.len; k++) {
            if (b.p[k] == '~' && k + 1 < b.len && b.p[k + 1] == '0') {
                b.p[w++] = '~';
                k++;
            } else {
                b.p[w++] = b.p[k];
            }
        }
        b.len = w;
        val_t *seg = rb_sb_finish(&b);
        if (!seg) return rb_oom(c);
        out->seg[out->n++] = seg;
        st = i + 1;
    }
    return 0;
}

/* getJSONPaths + pathsToObject: the paths as a tree of objects whose
 * leaves are null; a shorter path wins over a longer one below it. */
static int paths_tree(rego_bctx *c, const val_t *paths, val_t **out) {
    size_t n;
    bool set = val_kind_of(paths) == VAL_SET;
    if (set)
        n = val_set_len(paths);
    else if (val_kind_of(paths) == VAL_ARRAY)
        n = val_arr_len(paths);
    else
        return rb_type_err(c, 2, "{set, array}", paths);
    uint32_t *ord = set && n ? val_sorted_order(c->a, paths) : NULL;
    if (set && n && !ord) return rb_oom(c);
    val_t *root = val_obj_new(c->a, 4);
    if (!root) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        jpath p;
        int rc = parse_path(c, set ? val_set_at(paths, ord[i]) : val_arr_at(paths, i), &p);
        if (rc) return rc;
        if (!p.n) continue;
        val_t *node = root;
        bool done = false;
        for (size_t k = 0; k + 1 < p.n && !done; k++) {
            val_t *child = val_obj_get(node, p.seg[k]);
            if (!child) {
                val_t *o = val_obj_new(c->a, 2);
                if (!o || val_obj_put(c->a, node, p.seg[k], o)) return rb_oom(c);
                node = o;
            } else if (val_kind_of(child) == VAL_NULL) {
                done = true;
            } else {
                node = child;
            }
        }
        if (!done && val_obj_put(c->a, node, p.seg[p.n - 1], VAL_NULLV)) return rb_oom(c);
    }
    *out = root;
    return 0;
}

static val_t *index_key(gh_arena *a, size_t i) {
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%zu", i);
    return val_str(a, buf, (size_t)n);
}

/* ast.Object.Filter's filterObject. */
static int filter(rego_bctx *c, val_t *o, const val_t *f, val_t **out) {
    if (val_kind_of(f) == VAL_NULL) {
        *out = o;
        return 0;
    }
    switch (val_kind_of(o)) {
    case VAL_ARRAY: {
        val_t *arr = val_arr_new(c->a, val_obj_len(f));
        if (!arr) return rb_oom(c);
        for (size_t i = 0; i < val_arr_len(o); i++) {
            val_t *k = index_key(c->a, i);
            if (!k) return rb_oom(c);
            const val_t *sf = val_obj_get(f, k);
            if (!sf) continue;
            val_t *v;
            int rc = filter(c, val_arr_at(o, i), sf, &v);
            if (rc) return rc;
            if (val_arr_push(c->a, arr, v)) return rb_oom(c);
        }
        *out = arr;
        return 0;
    }
    case VAL_SET: {
        val_t *set = val_set_new(c->a, val_obj_len(f));
        if (!set) return rb_oom(c);
        for (size_t i = 0; i < val_set_len(o); i++) {
            val_t *e = val_set_at(o, i);
            const val_t *sf = val_obj_get(f, e);
            if (!sf) continue;
            val_t *v;
            int rc = filter(c, e, sf, &v);
            if (rc) return rc;
            if (val_set_add(c->a, set, v, NULL)) return rb_oom(c);
        }
        *out = set;
        return 0;
    }
    case VAL_OBJECT: {
        val_t *obj = val_obj_new(c->a, val_obj_len(f));
        if (!obj) return rb_oom(c);
        for (size_t i = 0; i < val_obj_len(o); i++) {
            val_t *k = val_obj_key_at(o, i);
            const val_t *sf = val_obj_get(f, k);
            if (!sf) continue;
            val_t *v;
            int rc = filter(c, val_obj_val_at(o, i), sf, &v);
            if (rc) return rc;
            if (val_obj_put(c->a, obj, k, v)) return rb_oom(c);
        }
        *out = obj;
        return 0;
    }
    default: *out = o; return 0;
    }
}

/* jsonRemove: *out NULL when the value itself is removed. */
static int jremove(rego_bctx *c, val_t *a, const val_t *b, val_t **out) {
    if (!b || val_kind_of(b) != VAL_OBJECT) {
        *out = b && val_kind_of(b) == VAL_NULL ? NULL : a;
        return 0;
    }
    switch (val_kind_of(a)) {
    case VAL_OBJECT: {
        val_t *obj = val_obj_new(c->a, val_obj_len(a));
        if (!obj) return rb_oom(c);
        for (size_t i = 0; i < val_obj_len(a); i++) {
            val_t *k = val_obj_key_at(a, i), *v;
            int rc = jremove(c, val_obj_val_at(a, i), val_obj_get(b, k), &v);
            if (rc) return rc;
            if (v && val_obj_put(c->a, obj, k, v)) return rb_oom(c);
        }
        *out = obj;
        return 0;
    }
    case VAL_SET: {
        val_t *set = val_set_new(c->a, val_set_len(a));
        if (!set) return rb_oom(c);
        for (size_t i = 0; i < val_set_len(a); i++) {
            val_t *e = val_set_at(a, i), *v;
            int rc = jremove(c, e, val_obj_get(b, e), &v);
            if (rc) return rc;
            if (v && val_set_add(c->a, set, v, NULL)) return rb_oom(c);
        }
        *out = set;
        return 0;
    }
    case VAL_ARRAY: {
        val_t *arr = val_arr_new(c->a, val_arr_len(a));
        if (!arr) return rb_oom(c);
        for (size_t i = 0; i < val_arr_len(a); i++) {
            val_t *k = index_key(c->a, i), *v;
            if (!k) return rb_oom(c);
            int rc = jremove(c, val_arr_at(a, i), val_obj_get(b, k), &v);
            if (rc) return rc;
            if (v && val_arr_push(c->a, arr, v)) return rb_oom(c);
        }
        *out = arr;
        return 0;
    }
    default: *out = a; return 0;
    }
}

static int bi_json_filter(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    val_t *f;
    if (rc || (rc = paths_tree(c, args[1], &f))) return rc;
    return filter(c, args[0], f, out);
}

static int bi_json_remove(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 0, VAL_OBJECT);
    val_t *f;
    if (rc || (rc = paths_tree(c, args[1], &f))) return rc;
    if ((rc = jremove(c, args[0], f, out))) return rc;
    return *out ? RB_OK : RB_UNDEF;
}

/* ---- json.patch -------------------------------------------------------------------------- */

/* OPA's toIndex: an integer number, "-" (the end), or a decimal string
 * without leading zeros. Returns false when the key cannot index. */
static bool to_index(const val_t *arr, const val_t *key, int64_t *idx) {
    if (val_kind_of(key) == VAL_NUMBER) return val_is_int(key) && val_num_to_int64(key, idx);
    if (!val_is_str(key)) return false;
    const char *s = val_str_ptr(key);
    size_t n = val_str_len(key);
    if (n == 1 && s[0] == '-') {
        *idx = (int64_t)val_arr_len(arr);
        return true;
    }
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == n) return false;
    int64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (v > (INT64_MAX - (s[i] - '0')) / 10) return false;
        v = v * 10 + (s[i] - '0');
    }
    if (n > 1 && s[0] == '0') return false; /* leading zeros */
    *idx = neg ? -v : v;
    return true;
}

enum { OP_GET, OP_ADD, OP_REMOVE };

/* jsonPatchTraverse + the workers: returns the rebuilt target (NULL when
 * the operation fails) and, for OP_GET/OP_REMOVE, the value found. */
static int traverse(rego_bctx *c, val_t *target, const jpath *p, size_t k, int op, val_t *value,
                    val_t **updated, val_t **result) {
    *updated = NULL;
    val_t *key = p->seg[k];
    bool last = k + 1 == p->n;
    switch (val_kind_of(target)) {
    case VAL_OBJECT: {
        if (last && op == OP_GET) {
            *updated = target;
            *result = val_obj_get(target, key);
            if (!*result) *updated = NULL;
            return 0;
        }
        val_t *obj = val_obj_new(c->a, val_obj_len(target) + 1);
        if (!obj) return rb_oom(c);
        bool ok = false;
        for (size_t i = 0; i < val_obj_len(target); i++) {
            val_t *kk = val_obj_key_at(target, i), *v = val_obj_val_at(target, i);
            if (!val_equal(kk, key)) {
                if (val_obj_put(c->a, obj, kk, v)) return rb_oom(c);
                continue;
            }
            if (last) { /* OP_ADD replaces, OP_REMOVE drops */
                if (op == OP_REMOVE) *result = v;
                continue;
            }
            val_t *nv;
            int rc = traverse(c, v, p, k + 1, op, value, &nv, result);
            if (rc) return rc;
            if (nv) {
                if (val_obj_put(c->a, obj, kk, nv)) return rb_oom(c);
                ok = true;
            }
        }
        if (last) {
            if (op == OP_ADD && val_obj_put(c->a, obj, key, value)) return rb_oom(c);
            *updated = obj;
            return 0;
        }
        if (ok) *updated = obj;
        return 0;
    }
    case VAL_ARRAY: {
        int64_t idx;
        size_t n = val_arr_len(target);
        if (!to_index(target, key, &idx)) return 0;
        if (last) {
            if (op == OP_GET) {
                if (idx < 0 || (uint64_t)idx >= n) return 0; /* Elem out of range: nil */
                *result = val_arr_at(target, (size_t)idx);
                *updated = target;
                return 0;
            }
            if (idx < 0 || (uint64_t)idx > n || (op == OP_REMOVE && (uint64_t)idx == n)) return 0;
            val_t *arr = val_arr_new(c->a, n + 1);
            if (!arr) return rb_oom(c);
            for (size_t i = 0; i <= n; i++) {
                if (i == (size_t)idx) {
                    if (op == OP_ADD && val_arr_push(c->a, arr, value)) return rb_oom(c);
                    if (op == OP_REMOVE) {
                        *result = val_arr_at(target, i);
                        continue;
                    }
                }
                if (i < n && val_arr_push(c->a, arr, val_arr_at(target, i))) return rb_oom(c);
            }
            *updated = arr;
            return 0;
        }
        val_t *arr = val_arr_new(c->a, n);
        if (!arr) return rb_oom(c);
        bool ok = false;
        for (size_t i = 0; i < n; i++) {
            val_t *v = val_arr_at(target, i);
            if ((int64_t)i == idx) {
                val_t *nv;
                int rc = traverse(c, v, p, k + 1, op, value, &nv, result);
                if (rc) return rc;
                if (!nv) continue;
                v = nv;
                ok = true;
            }
            if (val_arr_push(c->a, arr, v)) return rb_oom(c);
        }
        if (ok) *updated = arr;
        return 0;
    }
    case VAL_SET: {
        if (last) {
            if (op == OP_GET) {
                if (!val_set_has(target, key)) return 0;
                *result = key;
                *updated = target;
                return 0;
            }
            if (op == OP_ADD && !val_equal(key, value)) return 0;
            val_t *set = val_set_new(c->a, val_set_len(target) + 1);
            if (!set) return rb_oom(c);
            for (size_t i = 0; i < val_set_len(target); i++) {
                val_t *e = val_set_at(target, i);
                if (op == OP_REMOVE && val_equal(e, key)) {
                    *result = e;
                    continue;
                }
                if (val_set_add(c->a, set, e, NULL)) return rb_oom(c);
            }
            if (op == OP_ADD && val_set_add(c->a, set, key, NULL)) return rb_oom(c);
            *updated = set;
            return 0;
        }
        val_t *set = val_set_new(c->a, val_set_len(target));
        if (!set) return rb_oom(c);
        bool ok = false;
        for (size_t i = 0; i < val_set_len(target); i++) {
            val_t *e = val_set_at(target, i);
            if (val_equal(e, key)) {
                val_t *nv;
                int rc = traverse(c, e, p, k + 1, op, value, &nv, result);
                if (rc) return rc;
                if (!nv) continue;
                e = nv;
                ok = true;
            }
            if (val_set_add(c->a, set, e, NULL)) return rb_oom(c);
        }
        if (ok) *updated = set;
        return 0;
    }
    default: return 0;
    }
}

static int patch_get(rego_bctx *c, val_t *target, const jpath *p, val_t **out) {
    *out = NULL;
    if (!p->n) {
        *out = target;
        return 0;
    }
    val_t *upd, *res = NULL;
    int rc = traverse(c, target, p, 0, OP_GET, NULL, &upd, &res);
    if (!rc && upd) *out = res;
    return rc;
}

static int patch_add(rego_bctx *c, val_t *target, const jpath *p, val_t *value, val_t **out) {
    if (!p->n) {
        *out = value;
        return 0;
    }
    val_t *res = NULL;
    return traverse(c, target, p, 0, OP_ADD, value, out, &res);
}

static int patch_remove(rego_bctx *c, val_t *target, const jpath *p, val_t **out, val_t **removed) {
    *out = *removed = NULL;
    if (!p->n) return 0;
    val_t *res = NULL, *upd;
    int rc = traverse(c, target, p, 0, OP_REMOVE, NULL, &upd, &res);
    if (!rc && upd && res) {
        *out = upd;
        *removed = res;
    }
    return rc;
}

static int patch_err(rego_bctx *c, const char *fmt, const char *arg) {
    return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0, fmt, arg);
}

static int bi_json_patch(rego_bctx *c, val_t *const *args, val_t **out) {
    int rc = rb_arg_kind(c, args, 1, VAL_ARRAY);
    if (rc) return rc;
    val_t *target = args[0];
    const val_t *ops = args[1];
    for (size_t i = 0; i < val_arr_len(ops); i++) {
        const val_t *o = val_arr_at(ops, i);
        if (val_kind_of(o) != VAL_OBJECT)
            return patch_err(c, "operand 2 must be an array of JSON-Patch objects%s", "");
        const val_t *opv = val_obj_get_str(o, "op", 2);
        if (!opv) return patch_err(c, "operand 2 patch is missing '%s' attribute", "op");
        if (!val_is_str(opv))
            return patch_err(c, "operand 2 patch attribute 'op' must be a string%s", "");
        const val_t *pathv = val_obj_get_str(o, "path", 4);
        if (!pathv) return patch_err(c, "operand 2 patch is missing '%s' attribute", "path");
        jpath path, from;
        if ((rc = parse_path(c, pathv, &path))) return rc;
        const char *op = val_str_ptr(opv);
        bool need_value = !strcmp(op, "add") || !strcmp(op, "replace") || !strcmp(op, "test");
        bool need_from = !strcmp(op, "move") || !strcmp(op, "copy");
        if (!need_value && !need_from && strcmp(op, "remove"))
            return patch_err(c, "operand 2 must be an array of JSON-Patch objects%s", "");
        val_t *value = NULL;
        if (need_value && !(value = val_obj_get_str(o, "value", 5)))
            return patch_err(c, "operand 2 patch is missing '%s' attribute", "value");
        if (need_from) {
            const val_t *fromv = val_obj_get_str(o, "from", 4);
            if (!fromv) return patch_err(c, "operand 2 patch is missing '%s' attribute", "from");
            if ((rc = parse_path(c, fromv, &from))) return rc;
        }
        val_t *next = NULL, *tmp;
        if (!strcmp(op, "add")) {
            rc = patch_add(c, target, &path, value, &next);
        } else if (!strcmp(op, "remove")) {
            rc = patch_remove(c, target, &path, &next, &tmp);
        } else if (!strcmp(op, "replace")) {
            if (!path.n)
                next = value;
            else if (!(rc = patch_remove(c, target, &path, &tmp, &next)) && tmp)
                rc = patch_add(c, tmp, &path, value, &next);
            else
                next = NULL;
        } else if (!strcmp(op, "move")) {
            val_t *removed;
            if (!(rc = patch_remove(c, target, &from, &tmp, &removed)) && tmp)
                rc = patch_add(c, tmp, &path, removed, &next);
        } else if (!strcmp(op, "copy")) {
            if (!(rc = patch_get(c, target, &from, &tmp)) && tmp)
                rc = patch_add(c, target, &path, tmp, &next);
        } else { /* test */
            if (!(rc = patch_get(c, target, &path, &tmp)) && tmp && val_equal(tmp, value))
                next = target;
        }
        if (rc) return rc;
        if (!next) return RB_UNDEF; /* patches apply atomically */
        target = next;
    }
    *out = target;
    return RB_OK;
}

/* ---- JSON Schema ----------------------------------------------------------------------- */

/* OPA's astValueToJSONSchemaLoader: a JSON string, or an object (seen as
 * its JSON text: keys sorted, sets as arrays). *msg set on failure. */
static int schema_doc(rego_bctx *c, const val_t *v, val_t **doc, const char **msg) {
    *msg = NULL;
    if (val_is_str(v)) {
        if (!rb_gojson_valid(val_str_ptr(v), val_str_len(v))) {
            *msg = "invalid JSON string";
            return 0;
        }
        return rb_gojson_decode(c, val_str_ptr(v), val_str_len(v), doc);
    }
    if (val_kind_of(v) != VAL_OBJECT) {
        *msg = "wrong type, expected string or object";
        return 0;
    }
    char *t = val_to_json(c->a, v, VAL_JSON_SORTED);
    if (!t) return rb_oom(c);
    gh_err e;
    gh_err_clear(&e);
    int rc = val_json_parse(c->a, t, strlen(t), NULL, doc, &e);
    if (rc == GH_ENOMEM) return rb_oom(c);
    if (rc) return rb_err(c, "%s", e.msg);
    return 0;
}

static int pair(rego_bctx *c, val_t *first, val_t *second, val_t **out) {
    val_t *arr = val_arr_new(c->a, 2);
    if (!arr || !second || val_arr_push(c->a, arr, first) || val_arr_push(c->a, arr, second))
        return rb_oom(c);
    *out = arr;
    return RB_OK;
}

static int bi_json_verify_schema(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *doc;
    const char *msg;
    int rc = schema_doc(c, args[0], &doc, &msg);
    if (rc) return rc;
    rb_sb m;
    rb_sb_init(&m, c->a, 64);
    rb_sb_puts(&m, "jsonschema: ");
    if (msg) {
        rb_sb_puts(&m, msg);
    } else {
        js_node *s;
        rc = js_compile(c->a, doc, &s, &m);
        if (rc == GH_ENOMEM) return rb_oom(c);
        if (!rc) return pair(c, VAL_TRUE, VAL_NULLV, out);
    }
    return pair(c, VAL_FALSE, rb_sb_finish(&m), out);
}

static int bi_json_match_schema(rego_bctx *c, val_t *const *args, val_t **out) {
    val_t *doc, *schema;
    const char *msg;
    int rc = schema_doc(c, args[0], &doc, &msg);
    if (rc) return rc;
    if (msg) return rb_err(c, "%s", msg);
    if ((rc = schema_doc(c, args[1], &schema, &msg))) return rc;
    if (msg) return rb_err(c, "%s", msg);
    rb_sb m;
    rb_sb_init(&m, c->a, 64);
    js_node *s;
    rc = js_compile(c->a, schema, &s, &m);
    if (rc == GH_ENOMEM || m.oom) return rb_oom(c);
    if (rc) return rb_err(c, "%.*s", (int)m.len, m.p);
    val_t *errs;
    rc = js_validate(c->a, s, doc, &errs, &m);
    if (rc == GH_ENOMEM || m.oom) return rb_oom(c);
    if (rc) return rb_err(c, "%.*s", (int)m.len, m.p);
    return pair(c, val_bool(val_arr_len(errs) == 0), errs, out);
}

/* ---- table ---------------------------------------------------------------------------------- */

#define PATHS "array[string|array[any]]|set[string|array[any]]"
const rego_builtin rego_bi_json[] = {
    {"json.filter", 2, 0, bi_json_filter,
     "(object: object[any: any], paths: " PATHS ") -> filtered: any", "object",
     "Keeps only the given paths of an object."},
    {"json.remove", 2, 0, bi_json_remove,
     "(object: object[any: any], paths: " PATHS ") -> output: any", "object",
     "Removes the given paths from an object."},
    {"json.patch", 2, 0, bi_json_patch,
     "(object: any, patches: array[{op: string, path: any, any: any}]) -> output: any", "object",
     "Applies RFC 6902 JSON patch operations, atomically."},
    {"json.verify_schema", 1, 0, bi_json_verify_schema,
     "(schema: string|object[any: any]) -> output: <boolean, null|string>", "object",
     "Checks that a value is a valid JSON Schema; [valid, error]."},
    {"json.match_schema", 2, 0, bi_json_match_schema,
     "(document: string|object[any: any], schema: string|object[any: any]) -> output: "
     "<boolean, array[{error: string, type: string, field: string, desc: string}]>",
     "object", "Validates a document against a JSON Schema; [match, errors]."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
