/* fuzz_glob.c - libFuzzer target for glob.match (glob.c lexer/parser/NFA,
 * glob_gobwas.c matcher port) and glob.quote_meta. Input: pattern, NUL,
 * text, NUL, delimiter runes. glob.match runs with [], null and the given
 * delimiters and must answer, fail with a builtin error or run out of
 * memory; a quote_meta'd text (valid UTF-8 without NUL or U+FFFD, which the
 * glob lexer treats specially) must match itself. Replayed over
 * tests/fuzz/corpus/glob/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/strutil.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const char *name) {
    for (const rego_builtin *b = rego_bi_glob; b->name; b++)
        if (!strcmp(b->name, name)) return b;
    abort();
}

static val_t *run(rego_bctx *c, const char *name, val_t **args) {
    val_t *out = NULL;
    int rc = find(name)->fn(c, args, &out);
    if (rc == RB_OK && !out) abort();
    if (rc != RB_OK && rc != GH_EINVAL && rc != GH_ENOMEM) abort();
    return rc == RB_OK ? out : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    const char *p = (const char *)data, *end = p + size;
    const char *n1 = memchr(p, '\0', size);
    const char *t = n1 ? n1 + 1 : end;
    const char *n2 = t < end ? memchr(t, '\0', (size_t)(end - t)) : NULL;
    const char *d = n2 ? n2 + 1 : end;
    size_t pn = (size_t)((n1 ? n1 : end) - p), tn = (size_t)((n2 ? n2 : end) - t);

    gh_arena a;
    gh_arena_init(&a, 4u << 20);
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    val_t *args[3];
    args[0] = val_str(&a, p, pn);
    args[2] = val_str(&a, t, tn);
    val_t *delims = val_arr_new(&a, 4);
    for (const char *q = d; q < end && delims;) {
        int w;
        rb_u8_decode(q, (size_t)(end - q), &w);
        val_t *r = val_str(&a, q, (size_t)w);
        if (!r || val_arr_push(&a, delims, r)) delims = NULL;
        q += w;
    }
    if (args[0] && args[2] && delims) {
        val_t *empty = val_arr_new(&a, 0);
        val_t *choices[3] = {empty, VAL_NULLV, delims};
        for (int i = 0; i < 3; i++) {
            if (!choices[i]) continue;
            args[1] = choices[i];
            run(&c, "glob.match", args);
        }
        /* quote_meta(text) matches text literally */
        val_t *q = run(&c, "glob.quote_meta", &args[2]);
        bool plain =
            rb_u8_valid(t, tn) && !memchr(t, '\0', tn) && !memmem(t, tn, "\xef\xbf\xbd", 3);
        if (q && plain && empty) {
            val_t *qa[3] = {q, empty, args[2]};
            val_t *m = run(&c, "glob.match", qa);
            if (m && m != VAL_TRUE) abort();
        }
    }
    gh_arena_free(&a);
    return 0;
}
