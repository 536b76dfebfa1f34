/* fuzz_x509.c - libFuzzer target for the certificate and key parsers of
 * the crypto builtins (src/rego/builtins/x509.c, x509_ext.c, crypto.c,
 * crypto_util.c). The input is used as given (PEM text or base64) and,
 * base64-encoded, as DER: crypto.x509.parse_certificates,
 * parse_and_verify_certificates, parse_certificate_request,
 * crypto.parse_private_keys, parse_rsa_private_key and parse_keypair.
 * Every call must return the documented shape or a builtin error with a
 * message (or out of memory). Replayed over tests/fuzz/corpus/x509/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/crypto_int.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(gh_arena *a, const char *name, val_t **args) {
    const rego_builtin *b = rego_builtin_find(name, strlen(name));
    if (!b) abort();
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e, .now_ns = 1700000000000000000LL};
    val_t *out = NULL;
    int rc = b->fn(&c, args, &out);
    if (rc == RB_OK) {
        if (!out) abort();
        if (!strcmp(name, "crypto.x509.parse_certificates") && val_kind_of(out) != VAL_ARRAY)
            abort();
        if (!strcmp(name, "crypto.x509.parse_and_verify_certificates") &&
            (val_kind_of(out) != VAL_ARRAY || val_arr_len(out) != 2))
            abort();
        return;
    }
    if (rc != GH_EINVAL && rc != GH_ENOMEM) abort();
    if (!e.msg[0]) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    static const char *const fns[] = {
        "crypto.x509.parse_certificates", "crypto.x509.parse_and_verify_certificates",
        "crypto.x509.parse_certificate_request", "crypto.parse_private_keys",
        "crypto.x509.parse_rsa_private_key"};
    gh_arena a;
    gh_arena_init(&a, 32u << 20);
    size_t bn;
    char *b64 = rb_b64_encode(&a, data, size, false, true, &bn);
    val_t *raw = val_str(&a, (const char *)data, size);
    val_t *der = b64 ? val_str(&a, b64, bn) : NULL;
    if (!raw || !der) abort();
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        val_t *args[1] = {raw};
        run(&a, fns[i], args);
        args[0] = der;
        run(&a, fns[i], args);
    }
    val_t *pair[2] = {raw, raw};
    run(&a, "crypto.x509.parse_keypair", pair);
    gh_arena_free(&a);
    return 0;
}
