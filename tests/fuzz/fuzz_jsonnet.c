/* fuzz_jsonnet.c - libFuzzer target for pol_parse_jsonnet (src/policy/parse_jsonnet.c).
 * The checks live in fuzz_parse_common.h. Inputs are capped at 4 KiB: a
 * Jsonnet program can ask for unbounded work (std.range over 1e9), which is
 * the evaluator's nature, not a parser bug. Replayed over
 * tests/fuzz/corpus/jsonnet/ by the shared replay_main.c. */
#include "fuzz_parse_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    return fuzz_parse_one(pol_parse_jsonnet, data, size);
}
