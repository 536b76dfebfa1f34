/* fuzz_xml.c - libFuzzer target for pol_parse_xml (src/policy/parse_xml.c).
 * The checks live in fuzz_parse_common.h. Replayed over tests/fuzz/corpus/xml/
 * by the shared replay_main.c. */
#include "fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_parse_one(pol_parse_xml, data, size);
}
