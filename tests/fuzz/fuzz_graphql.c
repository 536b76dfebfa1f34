/* fuzz_graphql.c - libFuzzer target for the graphql.* builtins: the GraphQL
 * lexer and parser (queries and SDL), schema checks, query validation and
 * the AST object decoder. The input splits at its first NUL into a query
 * and a schema. Invariants: results are only RB_OK or a GH_E* code with a
 * message; graphql.is_valid agrees with graphql.parse_and_verify and with
 * graphql.parse succeeding; every AST graphql.parse_query and
 * graphql.parse_schema return is accepted back (the schema AST validates
 * exactly when its text does). Replayed over tests/fuzz/corpus/graphql/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const char *name) {
    for (const rego_builtin *b = rego_bi_graphql; b->name; b++)
        if (!strcmp(b->name, name)) return b;
    abort();
}

static int call(gh_arena *a, const char *name, val_t *x, val_t *y, val_t **out) {
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e};
    val_t *args[2] = {x, y};
    *out = NULL;
    int rc = find(name)->fn(&c, args, out);
    if (rc == RB_OK && !*out) abort();
    if (rc < 0 && (!e.msg[0] || e.code != rc)) abort();
    if (rc != RB_OK && rc != GH_EINVAL && rc != GH_ETYPE && rc != GH_ENOMEM) abort();
    return rc;
}

static bool truth(const val_t *v) { return v && val_kind_of(v) == VAL_BOOL && v->u.b; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 16)) return 0;
    gh_arena a;
    gh_arena_init(&a, 64u << 20);
    const char *p = (const char *)data;
    const char *nul = memchr(p, 0, size);
    size_t qn = nul ? (size_t)(nul - p) : size;
    val_t *q = val_str(&a, p, qn);
    val_t *s = nul ? val_str(&a, nul + 1, size - qn - 1) : val_strc(&a, "type Query { a: Int }");
    if (!q || !s) goto out;
    val_t *valid, *verified, *parsed, *qast, *sast, *again;
    int rv = call(&a, "graphql.is_valid", q, s, &valid);
    int rp = call(&a, "graphql.parse_and_verify", q, s, &verified);
    int rq = call(&a, "graphql.parse", q, s, &parsed);
    if (rv == GH_ENOMEM || rp == GH_ENOMEM || rq == GH_ENOMEM) goto out;
    if (rv || rp) abort();
    bool ok = truth(valid);
    if (ok != truth(val_arr_at(verified, 0)) || ok != (rq == RB_OK)) abort();
    if (call(&a, "graphql.parse_query", q, NULL, &qast) == RB_OK) {
        if (call(&a, "graphql.is_valid", qast, s, &again) == GH_ENOMEM) goto out;
        if (ok && !memmem(p, qn, "...", 3) && !truth(again)) abort();
    }
    if (call(&a, "graphql.parse_schema", s, NULL, &sast) == RB_OK) {
        val_t *v1, *v2;
        if (call(&a, "graphql.schema_is_valid", s, NULL, &v1) ||
            call(&a, "graphql.schema_is_valid", sast, NULL, &v2))
            goto out;
        /* positions are lost, not validity */
        if (truth(v1) != truth(v2)) abort();
    }
out:
    gh_arena_free(&a);
    return 0;
}
