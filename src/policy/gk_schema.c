/* gk_schema.c - checks a Constraint's spec.parameters against its template's
 * openAPIV3Schema: type, enum, required, properties, additionalProperties,
 * items, nullable, x-kubernetes-int-or-string. Unknown fields are accepted
 * (Gatekeeper templates are usually not structural). Called by
 * pol_gk_add_constraint; errors name the field path. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

#define GK_SCHEMA_MAX_DEPTH 64

static const char *kind_word(const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_NULL: return "null";
    case VAL_BOOL: return "boolean";
    case VAL_NUMBER: return val_num_is_integral(v) ? "integer" : "number";
    case VAL_STRING: return "string";
    case VAL_ARRAY: return "array";
    default: return "object";
    }
}

static bool type_ok(const char *type, const val_t *v) {
    val_kind k = val_kind_of(v);
    if (!strcmp(type, "string")) return k == VAL_STRING;
    if (!strcmp(type, "integer")) return k == VAL_NUMBER && val_num_is_integral(v);
    if (!strcmp(type, "number")) return k == VAL_NUMBER;
    if (!strcmp(type, "boolean")) return k == VAL_BOOL;
    if (!strcmp(type, "array")) return k == VAL_ARRAY;
    if (!strcmp(type, "object")) return k == VAL_OBJECT;
    return true; /* unknown type names are not ours to judge */
}

static int check(const val_t *s, const val_t *v, char *path, size_t plen, size_t cap, int depth,
                 gh_err *e) {
    if (!s || val_kind_of(s) != VAL_OBJECT) return 0;
    if (depth > GK_SCHEMA_MAX_DEPTH)
        return gh_err_set(e, GH_ELIMIT, NULL, 0, 0, "%s: schema nested too deeply", path);
    const val_t *b = gk_get(s, "nullable");
    if (val_kind_of(v) == VAL_NULL && b && val_kind_of(b) == VAL_BOOL && b->u.b) return 0;
    b = gk_get(s, "x-kubernetes-int-or-string");
    bool int_or_str = b && val_kind_of(b) == VAL_BOOL && b->u.b;
    const char *type = gk_get_str(s, "type");
    if (int_or_str) {
        if (!val_is_str(v) && !(val_kind_of(v) == VAL_NUMBER && val_num_is_integral(v)))
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "%s: expected integer or string, got %s",
                              path, kind_word(v));
    } else if (type && !type_ok(type, v)) {
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "%s: expected %s, got %s", path, type,
                          kind_word(v));
    }
    const val_t *en = gk_get_arr(s, "enum");
    if (en) {
        bool found = false;
        for (size_t i = 0; i < val_arr_len(en) && !found; i++)
            found = val_equal(val_arr_at(en, i), v);
        if (!found) {
            gh_buf list;
            gh_buf_init(&list);
            for (size_t i = 0; i < val_arr_len(en); i++) {
                if (i) gh_buf_puts(&list, ", ");
                val_json_emit(&list, val_arr_at(en, i), 0);
            }
            gh_buf_putc(&list, 0);
            int rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0, "%s: value not in enum [%s]", path,
                                list.p ? list.p : "");
            gh_buf_free(&list);
            return rc;
        }
    }
    if (val_kind_of(v) == VAL_OBJECT) {
        const val_t *req = gk_get_arr(s, "required");
        for (size_t i = 0; req && i < val_arr_len(req); i++) {
            const val_t *k = val_arr_at(req, i);
            if (val_is_str(k) && !val_obj_get(v, k))
                return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "%s.%s: required field missing",
                                  path, val_str_ptr(k));
        }
        const val_t *props = gk_get_obj(s, "properties");
        const val_t *addl = gk_get_obj(s, "additionalProperties");
        for (size_t i = 0; i < val_obj_len(v); i++) {
            const val_t *k = val_obj_key_at(v, i);
            if (!val_is_str(k)) continue;
            const val_t *sub = props ? val_obj_get(props, k) : NULL;
            if (!sub) sub = addl;
            if (!sub) continue;
            int n = snprintf(path + plen, cap - plen, ".%s", val_str_ptr(k));
            size_t nl = n < 0 ? plen : plen + (size_t)n >= cap ? cap - 1 : plen + (size_t)n;
            int rc = check(sub, val_obj_val_at(v, i), path, nl, cap, depth + 1, e);
            path[plen] = 0;
            if (rc) return rc;
        }
    } else if (val_kind_of(v) == VAL_ARRAY) {
        const val_t *items = gk_get_obj(s, "items");
        for (size_t i = 0; items && i < val_arr_len(v); i++) {
            int n = snprintf(path + plen, cap - plen, "[%zu]", i);
            size_t nl = n < 0 ? plen : plen + (size_t)n >= cap ? cap - 1 : plen + (size_t)n;
            int rc = check(items, val_arr_at(v, i), path, nl, cap, depth + 1, e);
            path[plen] = 0;
            if (rc) return rc;
        }
    }
    return 0;
}

int gk_schema_check(const val_t *schema, const val_t *v, const char *path, gh_err *e) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    return check(schema, v, buf, strlen(buf), sizeof buf, 0, e);
}
