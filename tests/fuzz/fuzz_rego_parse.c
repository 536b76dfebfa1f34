/* fuzz_rego_parse.c - libFuzzer target for the Rego front end. Byte 0 picks
 * the mode (low 2 bits: v1 module, v0 module, v1 query, v0 query; seeds in
 * corpus/rego_parse/ start with '0'..'3'), the rest is source. Checks: errors
 * carry a known code and no result; parsed text prints, re-parses and prints
 * the same. Replayed in ctest by replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/rego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const gh_err *e) {
    if (rc != GH_EPARSE && rc != GH_ELIMIT && rc != GH_ENOMEM) abort();
    if (e->code != rc || !e->msg[0]) abort();
}

static void module_roundtrip(gh_arena *a, const char *src, size_t n, rego_parse_opts *o) {
    rego_module *m = NULL;
    gh_err e;
    int rc = rego_parse_module(a, "f.rego", src, n, o, &m, &e);
    if (rc) {
        check_err(rc, &e);
        if (m) abort();
        return;
    }
    gh_buf b1, b2;
    gh_buf_init(&b1);
    gh_buf_init(&b2);
    rego_module_print(&b1, m);
    /* the printer may add parentheses: allow the re-parse more recursion */
    rego_parse_opts o2 = *o;
    o2.max_depth = o->max_depth * 3;
    rego_module *m2 = NULL;
    rc =
        b1.oom ? GH_ENOMEM : rego_parse_module(a, "f.rego", b1.p ? b1.p : "", b1.len, &o2, &m2, &e);
    if (rc == GH_EPARSE) abort(); /* printed text must parse */
    if (!rc) {
        rego_module_print(&b2, m2);
        if (!b1.oom && !b2.oom && (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len))) abort();
        if (m2->nrules != m->nrules) abort();
    }
    gh_buf_free(&b1);
    gh_buf_free(&b2);
}

static void query_roundtrip(gh_arena *a, const char *src, size_t n, rego_parse_opts *o) {
    rego_body *b = NULL;
    gh_err e;
    int rc = rego_parse_query(a, "q", src, n, o, &b, &e);
    if (rc) {
        if (rc != GH_EPARSE && rc != GH_ELIMIT && rc != GH_ENOMEM) abort();
        if (b) abort();
        return;
    }
    gh_buf b1, b2;
    gh_buf_init(&b1);
    gh_buf_init(&b2);
    rego_body_print(&b1, b);
    rego_parse_opts o2 = *o;
    o2.max_depth = o->max_depth * 3;
    rego_body *bb = NULL;
    rc = b1.oom ? GH_ENOMEM : rego_parse_query(a, "q", b1.p ? b1.p : "", b1.len, &o2, &bb, &e);
    if (rc == GH_EPARSE) abort();
    if (!rc) {
        rego_body_print(&b2, bb);
        if (!b1.oom && !b2.oom && (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len))) abort();
    }
    gh_buf_free(&b1);
    gh_buf_free(&b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (256u << 10)) return 0;
    int mode = data[0] & 3;
    const char *src = (const char *)data + 1;
    size_t n = size - 1;
    gh_arena a;
    gh_arena_init(&a, 32u << 20);
    rego_parse_opts o = {.version = (mode & 1) ? REGO_V0 : REGO_V1, .max_depth = 100};
    if (mode < 2)
        module_roundtrip(&a, src, n, &o);
    else
        query_roundtrip(&a, src, n, &o);
    gh_arena_free(&a);
    return 0;
}
