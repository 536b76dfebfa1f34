/* fuzz_yaml.c - libFuzzer target for val_yaml_load (src/value/yaml.c).
 * Loads each input into a budgeted arena with small limits, so hostile
 * inputs reach the depth, alias and memory guards quickly; then checks
 * invariants on success: every document re-emits as JSON and equals itself.
 * Replayed over tests/fuzz/corpus/yaml/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gh_arena a;
    gh_err e;
    val_t **docs;
    size_t ndocs;
    val_yaml_opts o = {.max_depth = 64, .max_alias_nodes = 10000};
    if (size > (1u << 20)) return 0;
    gh_arena_init(&a, 8u << 20);
    int rc = val_yaml_load(&a, (const char *)data, size, &o, &docs, &ndocs, &e);
    if (rc == 0) {
        for (size_t i = 0; i < ndocs; i++) {
            if (!docs[i] || !val_equal(docs[i], docs[i])) abort();
            (void)val_to_json(&a, docs[i], VAL_JSON_SORTED); /* may run out of budget: fine */
        }
    } else {
        if (docs || ndocs || e.code != rc || !e.msg[0]) abort();
        if (rc != GH_EPARSE && rc != GH_ELIMIT && rc != GH_ENOMEM) abort();
    }
    gh_arena_free(&a);
    return 0;
}
