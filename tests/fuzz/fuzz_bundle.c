/* fuzz_bundle.c - libFuzzer target for bundle archives
 * (pol_load_bundle_archive, src/policy/load_archive.c): any bytes must load
 * or give errors, never crash, leak or read past the limits (lowered here so
 * a run stays fast). Replayed over tests/fuzz/corpus/bundle/ by the shared
 * replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pol_loaded l;
    pol_loaded_init(&l);
    l.bundle_max_bytes = 1u << 20;
    l.bundle_max_entries = 256;
    pol_errors errs = {0};
    int n = pol_load_bundle_archive(&l, "fuzz.tar.gz", data, size, &errs);
    /* a bundle is recorded exactly when no error was reported */
    if (n > 0 && l.nbundles) abort();
    if (n == 0 && !errs.oom && l.nbundles != 1) abort();
    pol_errors_free(&errs);
    pol_loaded_free(&l);
    return 0;
}
