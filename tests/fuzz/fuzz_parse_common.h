/* fuzz_parse_common.h - the body shared by the libFuzzer targets of the
 * config-file parsers (fuzz_dockerfile.c, fuzz_ini.c, fuzz_toml.c), which
 * all have pol_parse_*'s signature. Each input is parsed into a budgeted
 * arena; on success the value must compare equal to itself and re-emit as
 * JSON; on failure the error must carry its code and a message. */
#ifndef GH_FUZZ_PARSE_COMMON_H
#define GH_FUZZ_PARSE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

typedef int (*fuzz_parse_fn)(gh_arena *a, const char *src, size_t len, const char *name,
                             val_t **out, gh_err *err);

/* Run one input through parse and abort() on a broken invariant. */
static inline int fuzz_parse_one(fuzz_parse_fn parse, const uint8_t *data, size_t size) {
    gh_arena a;
    gh_err e;
    val_t *v = NULL;
    if (size > (1u << 20)) return 0;
    gh_arena_init(&a, 16u << 20);
    gh_err_clear(&e);
    int rc = parse(&a, (const char *)data, size, "fuzz", &v, &e);
    if (rc == 0) {
        if (!v || !val_equal(v, v)) abort();
        (void)val_to_json(&a, v, VAL_JSON_SORTED); /* may run out of budget: fine */
    } else {
        if (e.code != rc || !e.msg[0]) abort();
        if (rc != GH_EPARSE && rc != GH_ELIMIT && rc != GH_ENOMEM) abort();
    }
    gh_arena_free(&a);
    return 0;
}

#endif
