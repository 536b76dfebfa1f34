/* fuzz_properties.c - libFuzzer target for pol_parse_properties (src/policy/parse_properties.c).
 * The checks live in fuzz_parse_common.h. Replayed over tests/fuzz/corpus/properties/
 * by the shared replay_main.c. */
#include "fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_parse_one(pol_parse_properties, data, size);
}
