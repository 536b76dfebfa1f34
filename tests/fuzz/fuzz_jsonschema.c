/* fuzz_jsonschema.c - libFuzzer target for the JSON/YAML builtins that
 * parse untrusted text: json.match_schema / json.verify_schema (schema
 * compiler and validator), json.unmarshal (Go-compatible scanner), and
 * yaml.unmarshal / yaml.marshal / yaml.is_valid. The first byte picks the
 * mode; for schemas the rest splits at the first NUL into schema and
 * document. Invariants: only RB_OK / RB_UNDEF / GH_E* results, errors carry
 * a message, yaml.is_valid agrees with yaml.unmarshal, and yaml.marshal
 * output always loads back. Replayed over tests/fuzz/corpus/jsonschema/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const char *name) {
    const rego_builtin *const tabs[] = {rego_bi_json, rego_bi_encoding};
    for (size_t t = 0; t < 2; t++)
        for (const rego_builtin *b = tabs[t]; b->name; b++)
            if (!strcmp(b->name, name)) return b;
    abort();
}

static int call(gh_arena *a, const char *name, val_t **args, val_t **out) {
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e};
    *out = NULL;
    int rc = find(name)->fn(&c, args, out);
    if (rc == RB_OK && !*out) abort();
    if (rc < 0 && (!e.msg[0] || e.code != rc)) abort();
    if (rc != RB_OK && rc != RB_UNDEF && rc != GH_EINVAL && rc != GH_ETYPE && rc != GH_ENOMEM &&
        rc != GH_ELIMIT)
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 16)) return 0;
    gh_arena a;
    gh_arena_init(&a, 16u << 20);
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    val_t *out, *args[2];
    switch (data[0] % 3) {
    case 0: { /* schema NUL document */
        const char *nul = memchr(p, 0, n);
        size_t sn = nul ? (size_t)(nul - p) : n;
        args[0] = val_str(&a, nul ? nul + 1 : "", nul ? n - sn - 1 : 0);
        args[1] = val_str(&a, p, sn);
        if (!args[0] || !args[1]) break;
        call(&a, "json.match_schema", args, &out);
        call(&a, "json.verify_schema", &args[1], &out);
        break;
    }
    case 1: { /* JSON text: unmarshal, then yaml.marshal and back */
        args[0] = val_str(&a, p, n);
        if (!args[0] || call(&a, "json.unmarshal", args, &out) != RB_OK) break;
        val_t *y;
        if (call(&a, "yaml.marshal", &out, &y) != RB_OK) break;
        val_t *back;
        int rc = call(&a, "yaml.unmarshal", &y, &back);
        if (rc != RB_OK && rc != GH_ENOMEM) abort();
        break;
    }
    default: { /* YAML text */
        args[0] = val_str(&a, p, n);
        if (!args[0]) break;
        int rc = call(&a, "yaml.unmarshal", args, &out);
        val_t *valid;
        if (call(&a, "yaml.is_valid", args, &valid) != RB_OK) abort();
        if (rc != GH_ENOMEM && (rc == RB_OK) != (valid == VAL_TRUE)) abort();
        if (rc == RB_OK) {
            val_t *y;
            call(&a, "yaml.marshal", &out, &y);
        }
        break;
    }
    }
    gh_arena_free(&a);
    return 0;
}
