/* gk_match.c - Gatekeeper's spec.match: kinds, namespaces,
 * excludedNamespaces (with prefix/suffix `*` globs), labelSelector,
 * namespaceSelector, scope and name. Called by pol_gk_review for each
 * constraint; pure functions over values (no allocation). gk_match_check
 * validates a constraint's spec.match when it is added. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

static bool str_in(const val_t *arr, const char *s, bool glob) {
    for (size_t i = 0; arr && i < val_arr_len(arr); i++) {
        const val_t *v = val_arr_at(arr, i);
        if (!val_is_str(v)) continue;
        if (!strcmp(val_str_ptr(v), "*")) return true;
        if (glob ? gk_glob(val_str_ptr(v), s) : !strcmp(val_str_ptr(v), s)) return true;
    }
    return false;
}

static bool kinds_match(const val_t *kinds, const char *group, const char *kind) {
    if (!kinds || val_arr_len(kinds) == 0) return true;
    for (size_t i = 0; i < val_arr_len(kinds); i++) {
        const val_t *k = val_arr_at(kinds, i);
        const val_t *groups = gk_get_arr(k, "apiGroups"), *ks = gk_get_arr(k, "kinds");
        bool g_ok = !groups || val_arr_len(groups) == 0 || str_in(groups, group, false);
        bool k_ok = !ks || val_arr_len(ks) == 0 || str_in(ks, kind, false);
        if (g_ok && k_ok) return true;
    }
    return false;
}

/* Kubernetes label selector over a labels object (NULL = no labels). */
static bool selector_match(const val_t *sel, const val_t *labels) {
    const val_t *ml = gk_get_obj(sel, "matchLabels");
    for (size_t i = 0; ml && i < val_obj_len(ml); i++) {
        const val_t *have = labels ? val_obj_get(labels, val_obj_key_at(ml, i)) : NULL;
        if (!have || !val_equal(have, val_obj_val_at(ml, i))) return false;
    }
    const val_t *me = gk_get_arr(sel, "matchExpressions");
    for (size_t i = 0; me && i < val_arr_len(me); i++) {
        const val_t *x = val_arr_at(me, i);
        const char *key = gk_get_str(x, "key"), *op = gk_get_str(x, "operator");
        const val_t *vals = gk_get_arr(x, "values");
        if (!key || !op) return false;
        const val_t *have = labels ? val_obj_get_str(labels, key, strlen(key)) : NULL;
        const char *hs = have && val_is_str(have) ? val_str_ptr(have) : NULL;
        if (!strcmp(op, "In")) {
            if (!hs || !str_in(vals, hs, false)) return false;
        } else if (!strcmp(op, "NotIn")) {
            if (hs && str_in(vals, hs, false)) return false;
        } else if (!strcmp(op, "Exists")) {
            if (!have) return false;
        } else if (!strcmp(op, "DoesNotExist")) {
            if (have) return false;
        } else {
            return false; /* unknown operator selects nothing, as in apimachinery */
        }
    }
    return true;
}

bool pol_gk_match(const val_t *c, const val_t *obj, const char *ns_in, const val_t *ns_obj,
                  const char **why) {
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    const val_t *match = gk_get_obj(gk_get_obj(c, "spec"), "match");
    const char *apiv = gk_get_str(obj, "apiVersion"), *kind = gk_get_str(obj, "kind");
    const val_t *md = gk_get_obj(obj, "metadata");
    const char *name = gk_get_str(md, "name"), *ns = ns_in ? ns_in : gk_get_str(md, "namespace");
    if (!apiv) apiv = "";
    if (!kind) kind = "";
    if (!name) name = gk_get_str(md, "generateName");
    if (!name) name = "";
    char group[256] = "";
    const char *slash = strchr(apiv, '/');
    if (slash && (size_t)(slash - apiv) < sizeof group) {
        memcpy(group, apiv, (size_t)(slash - apiv));
        group[slash - apiv] = 0;
    }
    bool is_ns = !strcmp(kind, "Namespace") && !slash;
    if (ns && !*ns) ns = NULL;
    /* A Namespace is matched by namespaces/excludedNamespaces on its own name. */
    const char *ns_for_match = is_ns ? name : ns;
    if (!match) return true;
    if (!kinds_match(gk_get_arr(match, "kinds"), group, kind)) {
        *why = "kind";
        return false;
    }
    const char *scope = gk_get_str(match, "scope");
    if (scope && !strcmp(scope, "Cluster") && ns) {
        *why = "scope";
        return false;
    }
    if (scope && !strcmp(scope, "Namespaced") && !ns) {
        *why = "scope";
        return false;
    }
    const char *mname = gk_get_str(match, "name");
    if (mname && *mname && !gk_glob(mname, name)) {
        *why = "name";
        return false;
    }
    const val_t *nss = gk_get_arr(match, "namespaces");
    if (nss && ns_for_match && !str_in(nss, ns_for_match, true)) {
        *why = "namespaces";
        return false;
    }
    const val_t *ex = gk_get_arr(match, "excludedNamespaces");
    if (ex && ns_for_match && str_in(ex, ns_for_match, true)) {
        *why = "excludedNamespaces";
        return false;
    }
    const val_t *ls = gk_get_obj(match, "labelSelector");
    if (ls && !selector_match(ls, gk_get_obj(md, "labels"))) {
        *why = "labelSelector";
        return false;
    }
    const val_t *nsel = gk_get_obj(match, "namespaceSelector");
    if (nsel) {
        if (is_ns) {
            if (!selector_match(nsel, gk_get_obj(md, "labels"))) {
                *why = "namespaceSelector";
                return false;
            }
        } else if (ns) {
            if (!ns_obj) {
                *why = "namespaceSelector (Namespace object unknown)";
                return false;
            }
            if (!selector_match(nsel, gk_get_obj(gk_get_obj(ns_obj, "metadata"), "labels"))) {
                *why = "namespaceSelector";
                return false;
            }
        }
        /* cluster-scoped objects other than Namespaces are not filtered */
    }
    return true;
}

/* ---- validation of spec.match (as the constraint CRD's schema does) ------- */

static int want_str_array(const val_t *m, const char *key, const char *path, gh_err *e) {
    const val_t *v = gk_get(m, key);
    if (!v) return 0;
    if (val_kind_of(v) != VAL_ARRAY)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "%s.%s: expected array of strings", path, key);
    for (size_t i = 0; i < val_arr_len(v); i++)
        if (!val_is_str(val_arr_at(v, i)))
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "%s.%s[%zu]: expected string", path, key,
                              i);
    return 0;
}

static int check_selector(const val_t *m, const char *key, gh_err *e) {
    const val_t *s = gk_get(m, key);
    if (!s) return 0;
    if (val_kind_of(s) != VAL_OBJECT)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "spec.match.%s: expected object", key);
    const val_t *ml = gk_get(s, "matchLabels");
    if (ml && val_kind_of(ml) != VAL_OBJECT)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "spec.match.%s.matchLabels: expected object",
                          key);
    for (size_t i = 0; ml && i < val_obj_len(ml); i++)
        if (!val_is_str(val_obj_val_at(ml, i)))
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0,
                              "spec.match.%s.matchLabels.%s: expected string", key,
                              val_is_str(val_obj_key_at(ml, i)) ? val_str_ptr(val_obj_key_at(ml, i))
                                                                : "?");
    const val_t *me = gk_get(s, "matchExpressions");
    if (me && val_kind_of(me) != VAL_ARRAY)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0,
                          "spec.match.%s.matchExpressions: expected array", key);
    for (size_t i = 0; me && i < val_arr_len(me); i++) {
        const val_t *x = val_arr_at(me, i);
        const char *op = gk_get_str(x, "operator");
        if (!gk_get_str(x, "key"))
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                              "spec.match.%s.matchExpressions[%zu].key: required string", key, i);
        if (!op || (strcmp(op, "In") && strcmp(op, "NotIn") && strcmp(op, "Exists") &&
                    strcmp(op, "DoesNotExist")))
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                              "spec.match.%s.matchExpressions[%zu].operator: must be In, NotIn, "
                              "Exists or DoesNotExist", key, i);
        char path[96];
        snprintf(path, sizeof path, "spec.match.%s.matchExpressions[%zu]", key, i);
        int rc = want_str_array(x, "values", path, e);
        if (rc) return rc;
    }
    return 0;
}

int gk_match_check(const val_t *m, gh_err *e) {
    if (!m) return 0;
    if (val_kind_of(m) != VAL_OBJECT)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "spec.match: expected object");
    const val_t *kinds = gk_get(m, "kinds");
    if (kinds && val_kind_of(kinds) != VAL_ARRAY)
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "spec.match.kinds: expected array");
    for (size_t i = 0; kinds && i < val_arr_len(kinds); i++) {
        const val_t *k = val_arr_at(kinds, i);
        char path[48];
        snprintf(path, sizeof path, "spec.match.kinds[%zu]", i);
        if (val_kind_of(k) != VAL_OBJECT)
            return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "%s: expected object", path);
        int rc = want_str_array(k, "apiGroups", path, e);
        if (!rc) rc = want_str_array(k, "kinds", path, e);
        if (rc) return rc;
    }
    int rc = want_str_array(m, "namespaces", "spec.match", e);
    if (!rc) rc = want_str_array(m, "excludedNamespaces", "spec.match", e);
    if (!rc) rc = check_selector(m, "labelSelector", e);
    if (!rc) rc = check_selector(m, "namespaceSelector", e);
    if (rc) return rc;
    const val_t *scope = gk_get(m, "scope");
    if (scope && (!val_is_str(scope) || (strcmp(val_str_ptr(scope), "*") &&
                                         strcmp(val_str_ptr(scope), "Cluster") &&
                                         strcmp(val_str_ptr(scope), "Namespaced"))))
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "spec.match.scope: must be \"*\", Cluster or Namespaced");
    const val_t *name = gk_get(m, "name");
    if (name && !val_is_str(name))
        return gh_err_set(e, GH_ETYPE, NULL, 0, 0, "spec.match.name: expected string");
    return 0;
}
