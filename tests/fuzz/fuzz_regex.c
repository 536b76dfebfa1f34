/* fuzz_regex.c - libFuzzer target for the RE2 parser/translator (re2.c,
 * re2_emit.c) and the regex builtins (regex.c). Input: pattern, a NUL byte,
 * subject. Every pattern must either be rejected with Go's "error parsing
 * regexp" text or translate into a pattern PCRE2 accepts (anything else is
 * a translation bug and aborts); then the builtins run on the subject and
 * must return a value, a builtin error or out of memory. The same bytes
 * feed regex.globs_match. Replayed over tests/fuzz/corpus/regex/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/regex_int.h"
#include "value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rego_builtin *find(const char *name) {
    for (const rego_builtin *b = rego_bi_regex; b->name; b++)
        if (!strcmp(b->name, name)) return b;
    abort();
}

static void run(rego_bctx *c, const char *name, val_t **args) {
    val_t *out = NULL;
    int rc = find(name)->fn(c, args, &out);
    if (rc == RB_OK) {
        if (!out) abort();
    } else if (rc != GH_EINVAL && rc != GH_ENOMEM && rc != GH_ETYPE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 8192) return 0;
    const char *p = (const char *)data;
    const char *nul = memchr(p, '\0', size);
    size_t pn = nul ? (size_t)(nul - p) : size;
    const char *s = nul ? nul + 1 : "";
    size_t sn = nul ? size - pn - 1 : 0;

    rego_re2 tr;
    gh_buf msg;
    gh_buf_init(&msg);
    int rc = rego_re2_translate(p, pn, &tr, &msg);
    if (rc == GH_EINVAL && (!msg.p || strncmp(msg.p, "error parsing regexp: ", 22))) abort();
    if (rc == 0 && (!tr.pcre.p || tr.capmap == NULL)) abort();
    rego_re2_free(&tr);
    gh_buf_free(&msg);

    const rego_re *re;
    gh_err e;
    rc = rego_re_get(p, pn, &re, &e);
    if (rc == GH_EINTERNAL) abort(); /* PCRE2 rejected a translation */
    if (rc == 0) {
        ptrdiff_t ov[2 * 8];
        int m = rego_re_exec(re, s, sn, 0, ov, 8, &e);
        if (m == 1 && (ov[0] < 0 || ov[1] < ov[0] || (size_t)ov[1] > sn)) abort();
        if (m == 1 && rego_re_test(re, s, sn, &e) == 0) abort(); /* a match exists */
    }

    gh_arena a;
    gh_arena_init(&a, 4u << 20);
    rego_bctx c = {.a = &a, .err = &e};
    val_t *args[4];
    args[0] = val_str(&a, p, pn);
    args[1] = val_str(&a, s, sn);
    args[2] = val_int(&a, -1);
    if (args[0] && args[1] && args[2]) {
        run(&c, "regex.match", args);
        run(&c, "regex.is_valid", args);
        run(&c, "regex.split", args);
        run(&c, "regex.find_n", args);
        run(&c, "regex.find_all_string_submatch_n", args);
        run(&c, "regex.globs_match", args);
        val_t *rargs[3] = {args[1], args[0], val_strc(&a, "<$1${2}$$>")};
        if (rargs[2]) run(&c, "regex.replace", rargs);
        val_t *targs[4] = {args[0], args[1], val_strc(&a, "{"), val_strc(&a, "}")};
        if (targs[2] && targs[3]) run(&c, "regex.template_match", targs);
    }
    gh_arena_free(&a);
    return 0;
}
