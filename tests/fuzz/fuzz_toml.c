/* fuzz_toml.c - libFuzzer target for pol_parse_toml (src/policy/parse_toml.c).
 * Parses each input into a budgeted arena; on success the value must
 * compare equal to itself and re-emit as JSON; on failure the error must
 * carry its code and a message. Replayed over tests/fuzz/corpus/toml/ by
 * the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gh_arena a;
    gh_err e;
    val_t *v = NULL;
    if (size > (1u << 20)) return 0;
    gh_arena_init(&a, 16u << 20);
    gh_err_clear(&e);
    int rc = pol_parse_toml(&a, (const char *)data, size, "fuzz", &v, &e);
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
