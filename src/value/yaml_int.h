/* yaml_int.h - private interface between the YAML loader (yaml.c) and its
 * scalar resolver (yaml_scalar.c). The resolver follows go-yaml v2 as used
 * by sigs.k8s.io/yaml (what OPA and kubectl run); docs/yaml.md has the rules.
 * Nothing here is visible outside src/value/. */
#ifndef GH_VALUE_YAML_INT_H
#define GH_VALUE_YAML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value/value.h"

/* What a scalar resolved to, in go-yaml's terms. YR_UINT is an integer that
 * only fits uint64 (go-yaml yields uint64, which JSON prints exactly but
 * sigs.k8s.io/yaml refuses as a map key). YR_COLL marks collections. */
typedef enum {
    YR_NULL,
    YR_BOOL,
    YR_INT,
    YR_UINT,
    YR_FLOAT,
    YR_STR,
    YR_COLL,
} yaml_rkind;

typedef struct yaml_scalar_res {
    yaml_rkind k;
    bool merge; /* usable as a merge key: the text "<<", plain or !!merge */
    int64_t i;  /* YR_INT; YR_BOOL as 0/1 */
    uint64_t u; /* YR_UINT */
    double d;   /* YR_FLOAT (may be +-inf or nan) */
    val_t *v;   /* the value; NULL only for non-finite floats (no JSON form) */
} yaml_scalar_res;

/* Resolve one libyaml scalar event: `tag` is the resolved tag or NULL,
 * `plain` libyaml's plain_implicit flag. Builds r->v in `a`. Returns 0,
 * GH_ENOMEM (arena exhausted) or GH_EPARSE with a message in msg (a tag the
 * text cannot satisfy, bad base64). */
int yaml_scalar_resolve(gh_arena *a, const char *tag, const char *s, size_t n, bool plain,
                        yaml_scalar_res *r, char *msg, size_t msgsz);

/* The JSON object key sigs.k8s.io/yaml makes of a resolved node: strings as
 * they are, ints in decimal, bools "true"/"false", floats as Go's
 * FormatFloat(f, 'g', -1, 32) (".inf", "-.inf", ".nan" for the specials).
 * null, uint64 and collection keys are refused (GH_EPARSE, message in msg),
 * as sigs.k8s.io/yaml refuses them. */
int yaml_key_string(gh_arena *a, const yaml_scalar_res *r, val_t **out, char *msg, size_t msgsz);

/* Go's FormatFloat(float32(d), 'g', -1, 32) into out (>= 32 bytes). */
void yaml_format_float32(char *out, size_t outsz, double d);

#endif
