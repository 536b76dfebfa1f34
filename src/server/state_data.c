/* state_data.c - the document store behind PUT/PATCH/DELETE /v1/data: OPA's
 * in-memory store operations (read, add/remove/replace, MakeDir, NonEmpty)
 * over immutable values. Called by state.c with the writer mutex held.
 * Invariant: inputs are never modified; a write copies the objects/arrays
 * along the path into the arena and shares everything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/state_int.h"

static bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-_.~$&+,;=:@", c) != NULL;
}

const char *st_path_text(gh_arena *a, const val_t *path, size_t n) {
    gh_buf b;
    gh_buf_init(&b);
    if (n == 0) gh_buf_putc(&b, '/');
    for (size_t i = 0; i < n; i++) {
        const val_t *k = val_arr_at(path, i);
        gh_buf_putc(&b, '/');
        if (!val_is_str(k)) continue;
        const unsigned char *s = (const unsigned char *)val_str_ptr(k);
        for (size_t j = 0; j < val_str_len(k); j++) {
            if (unreserved(s[j]) && s[j])
                gh_buf_putc(&b, (char)s[j]);
            else
                gh_buf_printf(&b, "%%%02X", s[j]);
        }
    }
    char *out = b.oom ? NULL : gh_arena_strndup(a, b.p, b.len);
    gh_buf_free(&b);
    return out ? out : "/";
}

static int store_err(gh_err *e, int code, const char *kind, const val_t *path, size_t n,
                     const char *what) {
    gh_arena tmp;
    gh_arena_init(&tmp, 0);
    const char *p = st_path_text(&tmp, path, n);
    if (what)
        gh_err_set(e, code, NULL, 0, 0, "%s: %s: %s", kind, p, what);
    else
        gh_err_set(e, code, NULL, 0, 0, "%s: %s", kind, p);
    gh_arena_free(&tmp);
    gh_err_set_kind(e, kind);
    return code;
}

static int not_found(gh_err *e, const val_t *path, const char *hint) {
    return store_err(e, GH_ENOTFOUND, "storage_not_found_error", path, val_arr_len(path),
                     hint ? hint : "document does not exist");
}

static int invalid_patch(gh_err *e, const char *msg) {
    gh_err_set(e, GH_EINVAL, NULL, 0, 0, "storage_invalid_patch_error: %s", msg);
    gh_err_set_kind(e, "storage_invalid_patch_error");
    return GH_EINVAL;
}

/* Go's strconv.Atoi: optional sign, decimal digits, fits in int64. */
static bool go_atoi(const val_t *k, int64_t *out) {
    if (!val_is_str(k)) return false;
    const char *s = val_str_ptr(k);
    size_t n = val_str_len(k), i = 0;
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) neg = s[i++] == '-';
    if (i == n) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* OPA's ValidateArrayIndex. */
static int array_index(const val_t *arr, const val_t *key, const val_t *path, size_t *pos,
                       gh_err *e) {
    int64_t i;
    if (!go_atoi(key, &i)) return not_found(e, path, "array index must be integer");
    if (i < 0 || (uint64_t)i >= val_arr_len(arr))
        return not_found(e, path, "array index out of range");
    *pos = (size_t)i;
    return 0;
}

int st_data_read(const val_t *root, const val_t *path, const val_t **out, gh_err *e) {
    const val_t *node = root;
    *out = NULL;
    for (size_t i = 0; i < val_arr_len(path); i++) {
        const val_t *key = val_arr_at(path, i);
        if (val_kind_of(node) == VAL_OBJECT) {
            node = val_obj_get(node, key);
            if (!node) return not_found(e, path, NULL);
        } else if (val_kind_of(node) == VAL_ARRAY) {
            size_t pos;
            int rc = array_index(node, key, path, &pos, e);
            if (rc) return rc;
            node = val_arr_at(node, pos);
        } else {
            return not_found(e, path, NULL);
        }
    }
    *out = node;
    return 0;
}

/* A copy of object o with key set to v (v NULL: key removed). */
static val_t *obj_with(gh_arena *a, const val_t *o, val_t *key, val_t *v) {
    val_t *r = val_obj_new(a, val_obj_len(o) + 1);
    if (!r) return NULL;
    for (size_t i = 0; i < val_obj_len(o); i++) {
        val_t *k = val_obj_key_at(o, i);
        if (val_equal(k, key)) continue;
        if (val_obj_put(a, r, k, val_obj_val_at(o, i))) return NULL;
    }
    if (v && val_obj_put(a, r, key, v)) return NULL;
    return r;
}

/* A copy of array arr: mode 0 replaces pos with v, 1 inserts v before pos
 * (pos == len appends), 2 removes pos. */
static val_t *arr_with(gh_arena *a, const val_t *arr, size_t pos, val_t *v, int mode) {
    size_t n = val_arr_len(arr);
    val_t *r = val_arr_new(a, n + 1);
    if (!r) return NULL;
    for (size_t i = 0; i <= n; i++) {
        if (i == pos) {
            if (mode == 1 && val_arr_push(a, r, v)) return NULL;
            if (mode == 0) {
                if (val_arr_push(a, r, v)) return NULL;
                continue;
            }
            if (mode == 2) continue;
        }
        if (i < n && val_arr_push(a, r, val_arr_at(arr, i))) return NULL;
    }
    return r;
}

static int oom(gh_err *e) { return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory"); }

/* newUpdate of OPA's inmem store, rebuilding the path on the way back. */
static int update(gh_arena *a, const val_t *node, st_op op, const val_t *path, size_t idx,
                  val_t *value, val_t **out, gh_err *e) {
    size_t n = val_arr_len(path);
    val_t *key = val_arr_at(path, idx);
    bool last = idx + 1 == n;
    if (val_kind_of(node) == VAL_OBJECT) {
        val_t *cur = val_obj_get(node, key);
        if (last) {
            if ((op == ST_REPLACE || op == ST_REMOVE) && !cur) return not_found(e, path, NULL);
            *out = obj_with(a, node, key, op == ST_REMOVE ? NULL : value);
            return *out ? 0 : oom(e);
        }
        if (!cur) return not_found(e, path, NULL);
        val_t *nv;
        int rc = update(a, cur, op, path, idx + 1, value, &nv, e);
        if (rc) return rc;
        *out = obj_with(a, node, key, nv);
        return *out ? 0 : oom(e);
    }
    if (val_kind_of(node) == VAL_ARRAY) {
        size_t len = val_arr_len(node), pos;
        if (last) {
            bool append =
                val_is_str(key) && ((val_str_len(key) == 1 && val_str_ptr(key)[0] == '-'));
            if (!append && val_is_str(key)) {
                char tmp[24];
                int tn = snprintf(tmp, sizeof tmp, "%zu", len);
                append =
                    (size_t)tn == val_str_len(key) && !memcmp(tmp, val_str_ptr(key), (size_t)tn);
            }
            if (append) {
                if (op != ST_ADD) {
                    gh_arena tmp;
                    gh_arena_init(&tmp, 0);
                    gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                               "storage_invalid_patch_error: %s: invalid patch path",
                               st_path_text(&tmp, path, n));
                    gh_arena_free(&tmp);
                    gh_err_set_kind(e, "storage_invalid_patch_error");
                    return GH_EINVAL;
                }
                *out = arr_with(a, node, len, value, 1);
                return *out ? 0 : oom(e);
            }
            int rc = array_index(node, key, path, &pos, e);
            if (rc) return rc;
            *out = arr_with(a, node, pos, value, op == ST_ADD ? 1 : op == ST_REMOVE ? 2 : 0);
            return *out ? 0 : oom(e);
        }
        int rc = array_index(node, key, path, &pos, e);
        if (rc) return rc;
        val_t *nv;
        if ((rc = update(a, val_arr_at(node, pos), op, path, idx + 1, value, &nv, e))) return rc;
        *out = arr_with(a, node, pos, nv, 0);
        return *out ? 0 : oom(e);
    }
    return not_found(e, path, NULL);
}

int st_data_write(gh_arena *a, const val_t *root, st_op op, const val_t *path, const val_t *value,
                  val_t **out, gh_err *e) {
    *out = NULL;
    if (val_arr_len(path) == 0) {
        if (op == ST_REMOVE) return invalid_patch(e, "root cannot be removed");
        if (!value || val_kind_of(value) != VAL_OBJECT)
            return invalid_patch(e, "root must be object");
        *out = (val_t *)value;
        return 0;
    }
    return update(a, root, op, path, 0, (val_t *)value, out, e);
}

int st_data_mkdir(gh_arena *a, const val_t *root, const val_t *path, size_t n, val_t **out,
                  gh_err *e) {
    *out = (val_t *)root;
    if (n == 0) return 0;
    val_t *prefix = val_arr_new(a, n);
    if (!prefix) return oom(e);
    for (size_t i = 0; i < n; i++)
        if (val_arr_push(a, prefix, val_arr_at(path, i))) return oom(e);
    const val_t *node;
    gh_err ign;
    gh_err_clear(&ign);
    int rc = st_data_read(root, prefix, &node, &ign);
    if (rc == GH_ENOTFOUND) {
        val_t *r2;
        if ((rc = st_data_mkdir(a, root, path, n - 1, &r2, e))) return rc;
        val_t *empty = val_obj_new(a, 0);
        if (!empty) return oom(e);
        return st_data_write(a, r2, ST_ADD, prefix, empty, out, e);
    }
    if (rc) return rc;
    if (val_kind_of(node) == VAL_OBJECT) return 0;
    return store_err(e, GH_ECONFLICT, "storage_write_conflict_error", path, n, NULL);
}

bool st_data_nonempty(const val_t *root, val_t *const *keys, size_t n) {
    const val_t *node = root;
    for (size_t i = 0; i < n; i++) {
        if (val_kind_of(node) == VAL_OBJECT) {
            node = val_obj_get(node, keys[i]);
            if (!node) return false;
        } else if (val_kind_of(node) == VAL_ARRAY) {
            /* OPA reads the prefix: a non-object prefix makes the path non-empty */
            return true;
        } else {
            return true;
        }
    }
    return true;
}
