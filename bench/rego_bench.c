/* rego_bench.c - evaluation speed of the Rego engine: compiles a policy
 * once, prepares a query once, then evaluates it N times (a fresh arena
 * reset per evaluation, as the server does) and prints nanoseconds per
 * evaluation. It uses only rego.h, so it times the engine without the CLI;
 * bench/rego.sh compares `gatehouse bench` with `opa bench`.
 * Usage: rego_bench [-n N] -d POLICY.rego [-d ...] [--data DATA.json]
 *                   [-i INPUT.json] QUERY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rego/rego.h"

static int count_cb(void *ud, const rego_result *r) {
    (void)r;
    (*(long *)ud)++;
    return 0;
}

static val_t *load_json(gh_arena *a, const char *path) {
    char *text;
    size_t n;
    gh_err e;
    val_t *v = NULL;
    if (gh_read_file(path, 1u << 30, &text, &n, &e) || val_json_parse(a, text, n, NULL, &v, &e)) {
        fprintf(stderr, "rego_bench: %s: %s\n", path, e.msg);
        exit(2);
    }
    gh_free(text);
    return v;
}

int main(int argc, char **argv) {
    long iters = 10000;
    const char *mods[32];
    int nmods = 0;
    const char *data = NULL, *input = NULL, *query = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "-d") && i + 1 < argc && nmods < 32)
            mods[nmods++] = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            input = argv[++i];
        else
            query = argv[i];
    }
    if (!query || !nmods) {
        fprintf(stderr, "usage: rego_bench [-n N] -d POLICY.rego... [--data F] [-i F] QUERY\n");
        return 2;
    }
    gh_arena pa;
    gh_arena_init(&pa, 0);
    gh_err e;
    rego_policy *p = rego_policy_new();
    for (int i = 0; i < nmods; i++) {
        char *src;
        size_t n;
        if (gh_read_file(mods[i], 1u << 26, &src, &n, &e) ||
            rego_policy_add_module(p, mods[i], src, n, NULL, &e)) {
            fprintf(stderr, "rego_bench: %s: %s\n", mods[i], e.msg);
            return 2;
        }
        gh_free(src);
    }
    if (data && rego_policy_add_data(p, load_json(&pa, data), &e)) {
        fprintf(stderr, "rego_bench: data: %s\n", e.msg);
        return 2;
    }
    if (rego_policy_compile(p, NULL, &e)) {
        fprintf(stderr, "rego_bench: compile: %s:%d: %s\n", e.file, e.line, e.msg);
        return 2;
    }
    rego_query *q;
    if (rego_query_prepare(p, &pa, query, strlen(query), NULL, &q, &e)) {
        fprintf(stderr, "rego_bench: query: %s\n", e.msg);
        return 2;
    }
    rego_eval_opts o = {.input = input ? load_json(&pa, input) : NULL, .now_ns = 1};
    gh_arena ea;
    gh_arena_init(&ea, 0);
    long results = 0;
    /* warm up */
    for (long i = 0; i < iters / 10 + 1; i++) {
        if (rego_query_eval(q, &ea, &o, count_cb, &results, &e)) {
            fprintf(stderr, "rego_bench: eval: %s\n", e.msg);
            return 1;
        }
        gh_arena_reset(&ea);
    }
    results = 0;
    int64_t t0 = gh_mono_ns();
    for (long i = 0; i < iters; i++) {
        rego_query_eval(q, &ea, &o, count_cb, &results, &e);
        gh_arena_reset(&ea);
    }
    int64_t dt = gh_mono_ns() - t0;
    printf("%.0f ns/op (%ld iterations, %ld results each)\n", (double)dt / (double)iters, iters,
           results / (iters ? iters : 1));
    gh_arena_free(&ea);
    rego_policy_free(p);
    gh_arena_free(&pa);
    return 0;
}
