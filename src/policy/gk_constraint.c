/* gk_constraint.c - Constraints: kind lookup, parameter validation against
 * the template schema, enforcement actions. Called by the CLI and the
 * server when loading constraints into a pol_gk. */
#include <stdio.h>
#include <string.h>

#include "policy/gk_int.h"

const char *pol_gk_action_name(pol_gk_action a) {
    switch (a) {
    case POL_GK_DRYRUN: return "dryrun";
    case POL_GK_WARN: return "warn";
    default: return "deny";
    }
}

int pol_gk_add_constraint(pol_gk *g, const val_t *c, const char *file, gh_err *e) {
    const char *apiv = gk_get_str(c, "apiVersion"), *kind = gk_get_str(c, "kind");
    const char *name = gk_get_str(gk_get_obj(c, "metadata"), "name");
    if (!apiv || !kind)
        return gh_err_set(e, GH_EINVAL, file, 0, 0, "constraint: missing apiVersion or kind");
    if (!name || !*name)
        return gh_err_set(e, GH_EINVAL, file, 0, 0, "constraint %s: missing metadata.name", kind);
    if (strncmp(apiv, "constraints.gatekeeper.sh/", 26))
        return gh_err_set(e, GH_EINVAL, file, 0, 0,
                          "constraint %s/%s: apiVersion must be constraints.gatekeeper.sh/*, "
                          "got %s", kind, name, apiv);
    gk_template *t = NULL;
    for (size_t i = 0; i < g->nt && !t; i++)
        if (!strcmp(g->t[i]->kind, kind)) t = g->t[i];
    if (!t)
        return gh_err_set(e, GH_ENOTFOUND, file, 0, 0,
                          "constraint %s/%s: no ConstraintTemplate defines kind %s", kind, name,
                          kind);
    const val_t *spec = gk_get(c, "spec");
    if (spec && val_kind_of(spec) != VAL_OBJECT && val_kind_of(spec) != VAL_NULL)
        return gh_err_set(e, GH_EINVAL, file, 0, 0, "constraint %s/%s: spec must be an object",
                          kind, name);
    pol_gk_action action = POL_GK_DENY;
    const val_t *ea = gk_get(spec, "enforcementAction");
    if (ea) {
        const char *s = val_is_str(ea) ? val_str_ptr(ea) : "";
        if (!strcmp(s, "deny")) action = POL_GK_DENY;
        else if (!strcmp(s, "dryrun")) action = POL_GK_DRYRUN;
        else if (!strcmp(s, "warn")) action = POL_GK_WARN;
        else
            return gh_err_set(e, GH_EINVAL, file, 0, 0,
                              "constraint %s/%s: spec.enforcementAction must be deny, dryrun "
                              "or warn", kind, name);
    }
    const val_t *params = gk_get(spec, "parameters");
    if (params && t->schema) {
        int rc = gk_schema_check(t->schema, params, "spec.parameters", e);
        if (rc) {
            char msg[GH_ERR_MSG];
            snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
            return gh_err_set(e, rc, file, 0, 0, "constraint %s/%s: %s", kind, name, msg);
        }
    }
    int mrc = gk_match_check(gk_get(spec, "match"), e);
    if (mrc) {
        char msg[GH_ERR_MSG];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        return gh_err_set(e, mrc, file, 0, 0, "constraint %s/%s: %s", kind, name, msg);
    }
    if (g->nc == g->capc) {
        size_t ncap = g->capc ? g->capc * 2 : 8;
        gk_constraint *nc = gh_realloc(g->c, ncap * sizeof *nc);
        if (!nc) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        g->c = nc;
        g->capc = ncap;
    }
    gk_constraint *k = &g->c[g->nc];
    memset(k, 0, sizeof *k);
    k->obj = val_copy(&g->arena, c);
    k->kind = t->kind;
    k->name = gh_arena_strndup(&g->arena, name, strlen(name));
    if (!k->obj || !k->name) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    k->params = gk_get(gk_get(k->obj, "spec"), "parameters");
    k->action = action;
    k->t = t;
    /* Same kind and name replaces the earlier constraint. */
    for (size_t i = 0; i < g->nc; i++)
        if (!strcmp(g->c[i].kind, k->kind) && !strcmp(g->c[i].name, k->name)) {
            g->c[i] = *k;
            return 0;
        }
    g->nc++;
    return 0;
}
