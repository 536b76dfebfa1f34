/* fuzz_ignore.c - libFuzzer target for pol_parse_ignore (src/policy/parse_ignore.c).
 * The checks live in fuzz_parse_common.h. Replayed over tests/fuzz/corpus/ignore/
 * by the shared replay_main.c. */
#include "fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_parse_one(pol_parse_ignore, data, size);
}
