/* fuzz_rego_eval.c - libFuzzer target for the Rego compiler and evaluator.
 * Byte 0 picks the syntax (bit 0: v0) and strict builtin errors (bit 1);
 * the rest is one module. It is compiled and `x := data` is evaluated with
 * an input document and tight step/memory/time/stack budgets. Checks: every
 * failure carries an OPA error kind and a message, and nothing crashes or
 * leaks. Seeds in corpus/rego_eval/; replayed in ctest by replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/rego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_result(void *ud, const rego_result *r) {
    (void)r;
    return ++*(int *)ud >= 16;
}

static void check_err(int rc, const gh_err *e) {
    if (rc >= 0 || !e->msg[0]) abort();
    if (rc != GH_ENOMEM && !e->kind) abort();
}

static void sink(void *ud, const char *line, size_t n) {
    (void)ud;
    (void)line;
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (64u << 10)) return 0;
    int mode = data[0];
    gh_err e;
    gh_err_clear(&e);
    rego_policy *p = rego_policy_new();
    if (!p) return 0;
    rego_parse_opts po = {.version = (mode & 1) ? REGO_V0 : REGO_V1, .max_depth = 64};
    int rc = rego_policy_add_module(p, "f.rego", (const char *)data + 1, size - 1, &po, &e);
    if (!rc) rc = rego_policy_compile(p, NULL, &e);
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_query *q = NULL;
    if (!rc) rc = rego_query_prepare(p, &a, "x := data", 9, NULL, &q, &e);
    if (!rc) {
        val_t *in = NULL;
        static const char input[] = "{\"a\": [1, 2, {\"b\": \"c\"}], \"kind\": \"Pod\", \"n\": 3}";
        if (val_json_parse(&a, input, sizeof input - 1, NULL, &in, &e)) abort();
        rego_eval_opts o = {.input = in, .max_steps = 200000, .mem_budget = 32u << 20,
                            .timeout_ms = 2000, .max_stack = 1u << 20,
                            .strict_builtin_errors = (mode & 2) != 0, .print = sink, .now_ns = 1,
                            .seed = 1};
        int n = 0;
        rc = rego_query_eval(q, &a, &o, on_result, &n, &e);
    }
    if (rc) check_err(rc, &e);
    gh_arena_free(&a);
    rego_policy_free(p);
    return 0;
}
