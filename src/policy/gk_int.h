/* gk_int.h - private structures of the Gatekeeper model (src/policy/gk_*.c).
 * A pol_gk owns one arena for templates/constraints (values copied in) and a
 * separate arena for the inventory so it can be reset between test cases.
 * Invariant: every constraint's `t` points at a live template of its kind. */
#ifndef GH_POLICY_GK_INT_H
#define GH_POLICY_GK_INT_H

#include "policy/policy.h"
#include "rego/rego.h"

typedef struct gk_template {
    const char *name;      /* metadata.name */
    const char *kind;      /* spec.crd.spec.names.kind */
    const char *pkg;       /* "data.<package>" of the template's Rego */
    const val_t *schema;   /* openAPIV3Schema (or NULL) */
    rego_policy *pol;      /* compiled Rego (CEL-only templates are refused) */
    rego_query *query;     /* violation query prepared in the model's arena */
} gk_template;

typedef struct gk_constraint {
    const char *kind;
    const char *name;
    const val_t *obj;      /* the whole Constraint */
    const val_t *params;   /* spec.parameters or NULL */
    pol_gk_action action;
    gk_template *t;
} gk_constraint;

struct pol_gk {
    gh_arena arena;        /* templates, constraints, prepared queries */
    gk_template **t;
    size_t nt, capt;
    gk_constraint *c;
    size_t nc, capc;
    gh_arena inv_arena;    /* the inventory document */
    val_t *inv;            /* {"cluster": {...}, "namespace": {...}} */
    val_t *ns_objs;        /* Namespace objects by name (in inv_arena) */
};

/* Small readers over values (NULL when absent or of another kind). */
const val_t *gk_get(const val_t *obj, const char *key);
const char *gk_get_str(const val_t *obj, const char *key);
const val_t *gk_get_obj(const val_t *obj, const char *key);
const val_t *gk_get_arr(const val_t *obj, const char *key);
/* obj at a dotted path of object keys ("spec.crd.spec.names"). */
const val_t *gk_path(const val_t *obj, const char *dotted);

/* Split an apiVersion into group and version (arena strings). */
void gk_split_api_version(gh_arena *a, const char *apiv, const char **group,
                          const char **version);

/* Validate `v` against an openAPIV3 schema; `path` names v in errors. */
int gk_schema_check(const val_t *schema, const val_t *v, const char *path, gh_err *e);

/* Validate spec.match's shape (NULL is fine); errors name the field. */
int gk_match_check(const val_t *match, gh_err *e);

/* Gatekeeper's glob: exact, or a single leading/trailing `*`. */
bool gk_glob(const char *pat, const char *s);

#endif
