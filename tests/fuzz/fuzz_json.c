/* fuzz_json.c - libFuzzer target for val_json_parse (src/value/json_parse.c).
 * Parses each input into a budgeted arena with a small depth limit, so
 * hostile inputs reach the depth and memory guards quickly. On success the
 * value is emitted, re-parsed and must equal itself (and emit the same text
 * again); on failure the error must be one of the documented codes, with a
 * message and a position. Replayed over tests/fuzz/corpus/json/ by the shared
 * replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gh_arena a;
    gh_err e;
    val_t *v = (val_t *)1;
    val_json_opts o = {.max_depth = 128};
    if (size > (1u << 20)) return 0;
    gh_arena_init(&a, 16u << 20);
    int rc = val_json_parse(&a, (const char *)data, size, &o, &v, &e);
    if (rc == 0) {
        if (!v || e.code) abort();
        char *txt = val_to_json(&a, v, 0); /* NULL when the budget runs out: fine */
        if (txt) {
            val_t *w;
            gh_err e2;
            int rc2 = val_json_parse(&a, txt, strlen(txt), &o, &w, &e2);
            if (rc2 == 0) {
                if (!val_equal(v, w) || val_hash(v) != val_hash(w)) abort();
                char *txt2 = val_to_json(&a, w, 0);
                if (txt2 && strcmp(txt, txt2)) abort();
            } else if (rc2 != GH_ENOMEM) {
                abort(); /* our own output must parse */
            }
        }
    } else {
        if (v || e.code != rc || !e.msg[0] || e.line < 1 || e.col < 1) abort();
        if (rc != GH_EPARSE && rc != GH_ELIMIT && rc != GH_ENOMEM) abort();
    }
    gh_arena_free(&a);
    return 0;
}
