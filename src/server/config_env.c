/* config_env.c - ${NAME} substitution in gatehouse.yaml values, with OPA's
 * rules for its configuration files: NAME is everything between "${" and
 * the next "}" on the same line, looked up verbatim in the environment
 * ("${env.X}" looks up a variable named "env.X"); an unset variable gives
 * "". There is no escape; "$NAME" and an unclosed "${" stay as written.
 * Called by config.c on each string scalar after YAML parsing (OPA expands
 * the raw text, so there a value could add YAML structure; here it cannot).
 * Invariant: the expansion may hold secrets, so it is allocated once at its
 * final size (no realloc leaves copies) and the caller wipes it on free. */
#include <stdlib.h>
#include <string.h>

#include "server/config_int.h"

/* The "}" closing a reference whose "${" is at s, or NULL (not one). */
static const char *ref_end(const char *s) {
    for (const char *p = s + 2; *p && *p != '\n'; p++)
        if (*p == '}') return p;
    return NULL;
}

/* The variable of the reference [s, end] (NUL-terminated copy in name),
 * NULL when unset. Names too long for name are looked up as "" (unset). */
static const char *lookup(const char *s, const char *end, char *name, size_t cap) {
    size_t n = (size_t)(end - s - 2);
    if (n >= cap) n = 0;
    memcpy(name, s + 2, n);
    name[n] = '\0';
    return n ? getenv(name) : NULL;
}

int srv_cfg_env_expand(const char *s, char **out, srv_cfg_env_unset_fn unset, void *ud) {
    *out = NULL;
    if (!strstr(s, "${")) return 0;
    char name[SRV_MAX_ENV_NAME + 1];
    /* pass 1: the size of the result */
    size_t len = 0;
    for (const char *p = s; *p;) {
        const char *end = p[0] == '$' && p[1] == '{' ? ref_end(p) : NULL;
        if (!end) {
            len++, p++;
            continue;
        }
        const char *v = lookup(p, end, name, sizeof name);
        len += v ? strlen(v) : 0;
        if (len > SRV_MAX_CONFIG_BYTES) return GH_ELIMIT;
        p = end + 1;
    }
    if (len > SRV_MAX_CONFIG_BYTES) return GH_ELIMIT;
    char *r = gh_malloc(len + 1);
    if (!r) return GH_ENOMEM;
    /* pass 2: copy (the environment does not change in between: nothing in
     * the server calls setenv) */
    size_t at = 0;
    for (const char *p = s; *p;) {
        const char *end = p[0] == '$' && p[1] == '{' ? ref_end(p) : NULL;
        if (!end) {
            r[at++] = *p++;
            continue;
        }
        const char *v = lookup(p, end, name, sizeof name);
        size_t vl = v ? strlen(v) : 0;
        if (at + vl > len) vl = len - at; /* defensive: never past the buffer */
        if (v)
            memcpy(r + at, v, vl);
        else if (unset)
            unset(ud, name);
        at += vl;
        p = end + 1;
    }
    r[at] = '\0';
    *out = r;
    return 0;
}
