/* fuzz_jwt.c - libFuzzer target for the io.jwt builtins (src/rego/builtins/
 * jwt.c, jwk.c). The input is a token; when it contains a NUL byte, the
 * bytes after it are key material (PEM / JWK / JWK set text) instead of
 * the fixed keys. Runs io.jwt.decode, decode_verify (secret, PEM key, JWK
 * set constraints) and verify_hs256/rs256/es256/eddsa. Every call must
 * return a value of the documented shape or a builtin error with a message
 * (or out of memory), and an "alg": "none" token must never verify.
 * Replayed over tests/fuzz/corpus/jwt/ by replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char RSA_PEM[] = /* tests/data/crypto/root_pub.pem */
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqdzYUmn4e28XaKZmSwYz\n"
    "cyBzkewYjBMuMu5x/IV7ULueBOdU51ju7b9Lbl4FwNhjyzB5XuKDgwN17O+BZQ6V\n"
    "fU+op5pu99YUeGOui9WNmRtgbIma5lEowVtvX5jvm3KZxXKXMImy04+5ncF6kLLs\n"
    "uzZz11daBmiteG8ZPxUKp5kGncAOZ9cgraQPVNAGZ66M6LCgm30INzBCfPA2BboM\n"
    "16H1RMy7iYTMhjIaSWIvwCzOuaN7/Cfl9LVBChMVKrnA1jvtWkYgAe12CoLMsw1N\n"
    "ZSKlRqGm7KaWZxt4IqWvktsIUoer82B/1s1gpdKTEBdFmt/Gb+rpQHd9pfABNLfs\n"
    "qQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char JWKS[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":"
                           "\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}]}";
static const char SECRET[] = "0123456789abcdef0123456789abcdef";

static const rego_builtin *find(const char *name) {
    const rego_builtin *b = rego_builtin_find(name, strlen(name));
    if (!b) abort();
    return b;
}

/* Call and check the outcome; returns the result or NULL on error. */
static val_t *run(gh_arena *a, const char *name, val_t **args, val_kind want) {
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e, .now_ns = 1700000000000000000LL};
    val_t *out = NULL;
    int rc = find(name)->fn(&c, args, &out);
    if (rc == RB_OK) {
        if (!out || val_kind_of(out) != want) abort();
        return out;
    }
    if (rc != GH_EINVAL && rc != GH_ENOMEM) abort();
    if (!e.msg[0]) abort();
    return NULL;
}

static bool header_is_none(val_t *hdr) {
    val_t *alg = val_obj_get_str(hdr, "alg", 3);
    return alg && val_is_str(alg) && val_str_len(alg) == 4 && !memcmp(val_str_ptr(alg), "none", 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t tn = nul ? (size_t)(nul - data) : size;
    gh_arena a;
    gh_arena_init(&a, 16u << 20);
    val_t *tok = val_str(&a, (const char *)data, tn);
    val_t *key = nul ? val_str(&a, (const char *)nul + 1, size - tn - 1) : NULL;
    if (!tok || (nul && !key)) abort();
    val_t *args[2] = {tok, NULL};
    val_t *dec = run(&a, "io.jwt.decode", args, VAL_ARRAY);
    if (dec && val_arr_len(dec) != 3) abort();

    const char *keys[3] = {RSA_PEM, JWKS, NULL};
    size_t nkeys = 2;
    if (key) {
        keys[0] = val_str_ptr(key);
        nkeys = 1;
    }
    for (size_t i = 0; i < nkeys; i++) {
        val_t *k = key ? key : val_strc(&a, keys[i]);
        val_t *cons = val_obj_new(&a, 2);
        if (!k || !cons || val_obj_put(&a, cons, val_strc(&a, "cert"), k)) abort();
        args[1] = cons;
        val_t *r = run(&a, "io.jwt.decode_verify", args, VAL_ARRAY);
        if (r && (val_arr_len(r) != 3 ||
                  (val_arr_at(r, 0) == VAL_TRUE && header_is_none(val_arr_at(r, 1)))))
            abort();
        args[1] = k;
        run(&a, "io.jwt.verify_rs256", args, VAL_BOOL);
        run(&a, "io.jwt.verify_es256", args, VAL_BOOL);
        run(&a, "io.jwt.verify_eddsa", args, VAL_BOOL);
    }
    val_t *cons = val_obj_new(&a, 3);
    if (!cons || val_obj_put(&a, cons, val_strc(&a, "secret"), val_strc(&a, SECRET)) ||
        val_obj_put(&a, cons, val_strc(&a, "aud"), val_strc(&a, "gatehouse")))
        abort();
    args[1] = cons;
    val_t *r = run(&a, "io.jwt.decode_verify", args, VAL_ARRAY);
    if (r && val_arr_at(r, 0) == VAL_TRUE && header_is_none(val_arr_at(r, 1))) abort();
    args[1] = val_strc(&a, SECRET);
    run(&a, "io.jwt.verify_hs256", args, VAL_BOOL);
    gh_arena_free(&a);
    return 0;
}
