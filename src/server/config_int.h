/* config_int.h - shared between config.c (defaults, gatehouse.yaml,
 * validation) and config_args.c (`gatehouse serve` / `opa run --server`
 * flags): the table of settings, which both the file and the flags set
 * through srv_cfg_set_text so one value means the same in both places.
 * Not used outside the configuration code. */
#ifndef GH_SRV_CONFIG_INT_H
#define GH_SRV_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "server/srv.h"

/* Largest gatehouse.yaml read (a config, not a data file). */
#define SRV_MAX_CONFIG_BYTES (1u << 20)
/* Entries in one list setting (paths, ignore globs, token hashes). */
#define SRV_MAX_LIST 1024

typedef enum srv_cfg_type {
    SRV_KT_STR,    /* char *; "" unsets */
    SRV_KT_ADDRS,  /* addrs[] / naddrs */
    SRV_KT_LIST,   /* char ** at off, int count at off_n */
    SRV_KT_TOKENS, /* like LIST; 64 hex digits each, stored lower-case, wiped on free */
    SRV_KT_BOOL,   /* bool */
    SRV_KT_INT,    /* int within [min, max] */
    SRV_KT_NUM,    /* double within [min, max] */
    SRV_KT_SIZE,   /* size_t: bytes or "4MiB" (gh_parse_size), within [min, max] */
    SRV_KT_DUR,    /* int milliseconds from a Go duration, within [min, max] ms */
    SRV_KT_DUR64,  /* int64_t milliseconds from a Go duration */
    SRV_KT_ENUM,   /* int index into names */
    SRV_KT_TLSVER, /* "1.2" / "1.3" -> tls_allow_12 */
} srv_cfg_type;

typedef struct srv_cfg_key {
    const char *name; /* dotted key in gatehouse.yaml */
    const char *flag; /* the matching flag, for messages */
    srv_cfg_type type;
    size_t off, off_n;
    const char *const *names; /* SRV_KT_ENUM */
    double min, max;
} srv_cfg_key;

/* Every leaf setting, ending with a NULL name. */
extern const srv_cfg_key srv_cfg_keys[];
const srv_cfg_key *srv_cfg_key_find(const char *name);
/* Levenshtein distance between short strings (SIZE_MAX past 64 bytes). */
size_t srv_cfg_edit_distance(const char *a, const char *b);
/* Edit distances below this count as a misspelling of a name this long. */
size_t srv_cfg_suggest_limit(const char *name);
/* The known key or section nearest to a misspelt one, or NULL. */
const char *srv_cfg_suggest(const char *name);
/* Set key k from text s (append: add to a list instead of replacing it).
 * Returns 0, or GH_EINVAL / GH_ELIMIT / GH_ENOMEM with *why a static reason
 * that never contains the value. */
int srv_cfg_set_text(srv_config *c, const srv_cfg_key *k, const char *s, bool append,
                     const char **why);
char *srv_cfg_strdup(const char *s);
/* A flag set key `name`: errors about it no longer point into the file. */
void srv_cfg_origin_forget(srv_config *c, const char *name);
int srv_cfg_list_add(char ***v, int *n, const char *s);
void srv_cfg_list_clear(char ***v, int *n, bool secret);

/* ---- ${NAME} substitution (config_env.c) ---- */
/* Longest variable name looked up; a longer one reads as unset. */
#define SRV_MAX_ENV_NAME 256
/* Told the name of each referenced variable that is unset (never a value). */
typedef void (*srv_cfg_env_unset_fn)(void *ud, const char *name);
/* Expand every ${NAME} in s as OPA does in its configuration files (unset:
 * "", reported through unset when non-NULL). *out: NULL when s holds no
 * "${" (use s as is), else the heap result, to be released with
 * gh_free_secret (values may be secrets). 0, GH_ENOMEM, or GH_ELIMIT when
 * the result would pass SRV_MAX_CONFIG_BYTES. */
int srv_cfg_env_expand(const char *s, char **out, srv_cfg_env_unset_fn unset, void *ud);

#endif
