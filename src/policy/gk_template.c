/* gk_template.c - the Gatekeeper model's life cycle, ConstraintTemplates and
 * the inventory. Called by the CLI (`gatehouse verify`) and the admission
 * path. Each template's Rego (v0, plus libs) compiles once into its own
 * rego_policy; the violation query runs with data.inventory bound per review. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

#define GK_TARGET "admission.k8s.gatekeeper.sh"
/* The query every template answers; the inventory and the real input are
 * bound with `with` so the compiled policy stays shared between reviews. */
#define GK_QUERY_FMT "%s.violation with data.inventory as input.inventory with input as input.input"

const val_t *gk_get(const val_t *obj, const char *key) {
    if (!obj || val_kind_of(obj) != VAL_OBJECT) return NULL;
    return val_obj_get_str(obj, key, strlen(key));
}

const char *gk_get_str(const val_t *obj, const char *key) {
    const val_t *v = gk_get(obj, key);
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}

const val_t *gk_get_obj(const val_t *obj, const char *key) {
    const val_t *v = gk_get(obj, key);
    return v && val_kind_of(v) == VAL_OBJECT ? v : NULL;
}

const val_t *gk_get_arr(const val_t *obj, const char *key) {
    const val_t *v = gk_get(obj, key);
    return v && val_kind_of(v) == VAL_ARRAY ? v : NULL;
}

const val_t *gk_path(const val_t *obj, const char *dotted) {
    char key[128];
    const char *p = dotted;
    while (obj && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key) return NULL;
        memcpy(key, p, n);
        key[n] = 0;
        obj = gk_get(obj, key);
        p += n + (dot ? 1 : 0);
    }
    return obj;
}

void gk_split_api_version(gh_arena *a, const char *apiv, const char **group,
                          const char **version) {
    const char *slash = apiv ? strchr(apiv, '/') : NULL;
    if (!apiv) {
        *group = "";
        *version = "";
    } else if (!slash) {
        *group = "";
        *version = apiv;
    } else {
        *group = gh_arena_strndup(a, apiv, (size_t)(slash - apiv));
        *version = slash + 1;
        if (!*group) *group = "";
    }
}

bool gk_glob(const char *pat, const char *s) {
    size_t pn = strlen(pat), sn = strlen(s);
    if (pn && pat[pn - 1] == '*') /* prefix match: "kube-*" */
        return sn >= pn - 1 && !strncmp(pat, s, pn - 1);
    if (pn && pat[0] == '*') /* suffix match: "*-system" */
        return sn >= pn - 1 && !strcmp(pat + 1, s + sn - (pn - 1));
    return !strcmp(pat, s);
}

static int inv_reset(pol_gk *g) {
    gh_arena_reset(&g->inv_arena);
    g->inv = g->ns_objs = NULL;
    g->inv = val_obj_new(&g->inv_arena, 2);
    g->ns_objs = val_obj_new(&g->inv_arena, 4);
    val_t *cl = val_obj_new(&g->inv_arena, 4), *ns = val_obj_new(&g->inv_arena, 4);
    if (!g->inv || !g->ns_objs || !cl || !ns ||
        val_obj_put(&g->inv_arena, g->inv, val_strc(&g->inv_arena, "cluster"), cl) ||
        val_obj_put(&g->inv_arena, g->inv, val_strc(&g->inv_arena, "namespace"), ns)) {
        g->inv = g->ns_objs = NULL; /* never half-built */
        return GH_ENOMEM;
    }
    return 0;
}

pol_gk *pol_gk_new(void) {
    pol_gk *g = gh_calloc(1, sizeof *g);
    if (!g) return NULL;
    gh_arena_init(&g->arena, 0);
    gh_arena_init(&g->inv_arena, 0);
    if (inv_reset(g)) {
        pol_gk_free(g);
        return NULL;
    }
    return g;
}

void pol_gk_free(pol_gk *g) {
    if (!g) return;
    for (size_t i = 0; i < g->nt; i++) rego_policy_free(g->t[i]->pol);
    gh_free(g->t);
    gh_free(g->c);
    gh_arena_free(&g->arena);
    gh_arena_free(&g->inv_arena);
    gh_free(g);
}

size_t pol_gk_ntemplates(const pol_gk *g) { return g->nt; }
size_t pol_gk_nconstraints(const pol_gk *g) { return g->nc; }

void pol_gk_clear_constraints(pol_gk *g) { g->nc = 0; }

void pol_gk_clear_inventory(pol_gk *g) { (void)inv_reset(g); }

/* Get-or-create child object `key` of `parent` in the inventory arena. */
static val_t *inv_child(pol_gk *g, val_t *parent, const char *key) {
    if (!parent) return NULL; /* an allocation above failed */
    val_t *v = val_obj_get_str(parent, key, strlen(key));
    if (v) return v;
    v = val_obj_new(&g->inv_arena, 4);
    val_t *k = val_strc(&g->inv_arena, key);
    if (!v || !k || val_obj_put(&g->inv_arena, parent, k, v)) return NULL;
    return v;
}

int pol_gk_add_inventory(pol_gk *g, const val_t *obj, gh_err *e) {
    const char *apiv = gk_get_str(obj, "apiVersion"), *kind = gk_get_str(obj, "kind");
    const val_t *md = gk_get_obj(obj, "metadata");
    const char *name = gk_get_str(md, "name"), *ns = gk_get_str(md, "namespace");
    if (!apiv || !kind || !name)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                          "inventory object needs apiVersion, kind and metadata.name");
    if (!g->inv && inv_reset(g)) /* an earlier reset ran out of memory */
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    gh_arena *a = &g->inv_arena;
    val_t *copy = val_copy(a, obj);
    if (!copy) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    val_t *at;
    if (ns && *ns)
        at = inv_child(g, inv_child(g, val_obj_get_str(g->inv, "namespace", 9), ns), apiv);
    else
        at = inv_child(g, val_obj_get_str(g->inv, "cluster", 7), apiv);
    at = at ? inv_child(g, at, kind) : NULL;
    val_t *k = val_strc(a, name);
    if (!at || !k || val_obj_put(a, at, k, copy))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    if (!strcmp(kind, "Namespace") && !strcmp(apiv, "v1") &&
        val_obj_put(a, g->ns_objs, k, copy))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

/* The package ref ("data.x.y") of a Rego module. */
static const char *module_package(gh_arena *a, const char *file, const char *src,
                                  rego_version ver, gh_err *e) {
    gh_arena tmp;
    gh_arena_init(&tmp, 0);
    rego_parse_opts po = {.version = ver};
    rego_module *m = NULL;
    const char *out = NULL;
    if (rego_parse_module(&tmp, file, src, strlen(src), &po, &m, e) == 0) {
        const char *d = rego_ref_dotted(&tmp, m->package);
        if (d) out = gh_arena_strndup(a, d, strlen(d));
        if (!out) gh_err_set(e, GH_ENOMEM, file, 0, 0, "out of memory");
    }
    gh_arena_free(&tmp);
    return out;
}

/* Find the Rego source and libs of the admission target: `rego`/`libs`, or
 * `code: [{engine: Rego, source: {rego, libs}}]`. *has_cel says a
 * K8sNativeValidation engine is present. */
static void find_rego(const val_t *target, const char **rego, const val_t **libs, bool *has_cel,
                      rego_version *ver) {
    *rego = gk_get_str(target, "rego");
    *libs = gk_get_arr(target, "libs");
    *has_cel = false;
    *ver = REGO_V0;
    const val_t *code = gk_get_arr(target, "code");
    for (size_t i = 0; code && i < val_arr_len(code); i++) {
        const val_t *c = val_arr_at(code, i);
        const char *engine = gk_get_str(c, "engine");
        if (!engine) continue;
        if (!strcmp(engine, "K8sNativeValidation")) *has_cel = true;
        if (!strcmp(engine, "Rego") && !*rego) {
            const val_t *src = gk_get_obj(c, "source");
            *rego = gk_get_str(src, "rego");
            *libs = gk_get_arr(src, "libs");
            /* Gatekeeper 3.19+: source.version "v1" selects Rego v1 syntax */
            const char *v = gk_get_str(src, "version");
            if (v && !strcmp(v, "v1")) *ver = REGO_V1;
        }
    }
}

static int compile_template(pol_gk *g, gk_template *t, const char *rego, const val_t *libs,
                            rego_version ver, gh_err *e) {
    char file[256];
    snprintf(file, sizeof file, "%s/rego", t->name);
    t->pkg = module_package(&g->arena, file, rego, ver, e);
    if (!t->pkg) return e && e->code ? e->code : GH_EPARSE;
    t->pol = rego_policy_new();
    if (!t->pol) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    rego_parse_opts po = {.version = ver};
    int rc = rego_policy_add_module(t->pol, file, rego, strlen(rego), &po, e);
    for (size_t i = 0; !rc && libs && i < val_arr_len(libs); i++) {
        const val_t *l = val_arr_at(libs, i);
        snprintf(file, sizeof file, "%s/libs[%zu]", t->name, i);
        if (!val_is_str(l))
            return gh_err_set(e, GH_EINVAL, file, 0, 0, "template lib must be a string");
        rc = rego_policy_add_module(t->pol, file, val_str_ptr(l), val_str_len(l), &po, e);
    }
    if (!rc) rc = rego_policy_compile(t->pol, NULL, e);
    if (rc) return rc;
    const char *q = gh_arena_printf(&g->arena, GK_QUERY_FMT, t->pkg);
    if (!q) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    return rego_query_prepare(t->pol, &g->arena, q, strlen(q), NULL, &t->query, e);
}

static void drop_template(pol_gk *g, size_t i) {
    gk_template *t = g->t[i];
    size_t k = 0;
    for (size_t j = 0; j < g->nc; j++)
        if (g->c[j].t != t) g->c[k++] = g->c[j];
    g->nc = k;
    rego_policy_free(t->pol);
    memmove(g->t + i, g->t + i + 1, (g->nt - i - 1) * sizeof *g->t);
    g->nt--;
}

int pol_gk_add_template(pol_gk *g, const val_t *tmpl, const char *file, gh_err *e) {
    const char *apiv = gk_get_str(tmpl, "apiVersion"), *kind = gk_get_str(tmpl, "kind");
    if (!kind || strcmp(kind, "ConstraintTemplate") || !apiv ||
        strncmp(apiv, "templates.gatekeeper.sh/", 24))
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "not a ConstraintTemplate (apiVersion templates.gatekeeper.sh/v1 "
                          "or v1beta1, kind ConstraintTemplate)");
    const char *name = gk_get_str(gk_get_obj(tmpl, "metadata"), "name");
    if (!name || !*name)
        return gh_err_set(e, GH_EINVAL, file, 0, 0, "ConstraintTemplate: missing metadata.name");
    const val_t *spec = gk_get_obj(tmpl, "spec");
    const char *ckind = gk_get_str(gk_path(spec, "crd.spec.names"), "kind");
    if (!ckind || !*ckind)
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "ConstraintTemplate %s: missing spec.crd.spec.names.kind", name);
    char lower[256];
    size_t kn = strlen(ckind);
    if (kn >= sizeof lower)
        return gh_err_set(e, GH_ELIMIT, file, 0, 0, "ConstraintTemplate %s: kind too long", name);
    for (size_t i = 0; i <= kn; i++)
        lower[i] = (char)(ckind[i] >= 'A' && ckind[i] <= 'Z' ? ckind[i] + 32 : ckind[i]);
    if (strcmp(lower, name))
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "ConstraintTemplate %s: metadata.name must be the lowercase of "
                          "spec.crd.spec.names.kind (%s)", name, lower);
    const val_t *targets = gk_get_arr(spec, "targets"), *target = NULL;
    for (size_t i = 0; targets && i < val_arr_len(targets); i++) {
        const char *tn = gk_get_str(val_arr_at(targets, i), "target");
        if (tn && !strcmp(tn, GK_TARGET)) target = val_arr_at(targets, i);
    }
    if (!target)
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "ConstraintTemplate %s: no spec.targets entry for " GK_TARGET, name);
    const char *rego;
    const val_t *libs;
    bool has_cel;
    rego_version ver;
    find_rego(target, &rego, &libs, &has_cel, &ver);
    if (!rego && has_cel)
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "ConstraintTemplate %s: CEL engine not supported (the template has "
                          "only K8sNativeValidation code; gatehouse runs Rego)", name);
    if (!rego)
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "ConstraintTemplate %s: target has no rego source", name);

    gk_template *t = gh_arena_calloc(&g->arena, sizeof *t);
    if (!t) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    t->name = gh_arena_strndup(&g->arena, name, strlen(name));
    t->kind = gh_arena_strndup(&g->arena, ckind, kn);
    const val_t *schema = gk_path(spec, "crd.spec.validation.openAPIV3Schema");
    if (schema) t->schema = val_copy(&g->arena, schema);
    if (!t->name || !t->kind || (schema && !t->schema))
        return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = compile_template(g, t, rego, libs, ver, e);
    if (rc) {
        rego_policy_free(t->pol);
        return rc;
    }
    for (size_t i = 0; i < g->nt; i++)
        if (!strcmp(g->t[i]->name, name) || !strcmp(g->t[i]->kind, ckind)) {
            drop_template(g, i);
            break;
        }
    if (g->nt == g->capt) {
        size_t ncap = g->capt ? g->capt * 2 : 8;
        gk_template **nt = gh_realloc(g->t, ncap * sizeof *nt);
        if (!nt) {
            rego_policy_free(t->pol);
            return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        }
        g->t = nt;
        g->capt = ncap;
    }
    g->t[g->nt++] = t;
    return 0;
}
