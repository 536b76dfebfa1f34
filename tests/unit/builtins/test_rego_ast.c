/* test_rego_ast.c - rego.parse_module: replays OPA 0.61's recorded answers
 * (tests/differential/rego_ast.expect; every module there imports rego.v1 so
 * 0.61's v0 parser reads it as v1 does), then checks OPA 1.x behaviour that
 * 0.61 cannot show (v1 syntax without the import, the back-compat head key
 * of `p[x] := v if`), error text details, and that running out of arena
 * memory fails cleanly. Standalone (no bi_diff.h): module ASTs are longer
 * than its fixed-size comparison buffers. */

#include "../gh_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/rego.h"
#include "rego_lit.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    size_t got = buf ? fread(buf, 1, (size_t)sz, f) : 0;
    if (buf) buf[got] = '\0';
    fclose(f);
    return buf;
}

static const char *jstr(const val_t *o, const char *key) {
    val_t *v = val_obj_get_str(o, key, strlen(key));
    return v && v->kind == VAL_STRING ? val_str_ptr(v) : NULL;
}

/* Replays every line of rego_ast.expect, comparing whole values (module
 * ASTs are long, so no text truncation) and whole error messages. Lines
 * OPA's type checker rejected (rego_type_error) are skipped. */
static void test_differential(void **state) {
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/tests/differential/rego_ast.expect", GH_SOURCE_DIR);
    char *text = slurp(path);
    assert_non_null(text);
    int pass = 0, fail = 0, skip = 0;
    gh_arena a;
    gh_arena_init(&a, 0);
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_arena_reset(&a);
        val_t *o = NULL;
        gh_err err;
        gh_err_clear(&err);
        int prc = len ? val_json_parse(&a, p, len, NULL, &o, &err) : -1;
        p += len + (e ? 1 : 0);
        if (prc) continue;
        const char *expr = jstr(o, "expr"), *code = jstr(o, "error_code");
        if (code && strcmp(code, "eval_builtin_error")) {
            skip++;
            continue;
        }
        char name[64];
        val_t *args[4];
        int n = rl_call(&a, expr, name, sizeof name, args, 4);
        assert_int_equal(n, 2);
        gh_err cerr;
        gh_err_clear(&cerr);
        rego_bctx c = {.a = &a, .err = &cerr};
        val_t *out = NULL;
        int rc = rego_bi_rego[0].fn(&c, args, &out);
        bool ok;
        if (code) {
            const char *want = jstr(o, "error");
            const char *got = gh_arena_printf(&a, "%s: %s", name, cerr.msg);
            ok = rc == GH_EINVAL && want && !strcmp(got, want);
            if (!ok) printf("MISMATCH %s\n   got:  %s\n   want: %s\n", expr, got, want);
        } else {
            val_t *want = val_obj_get_str(o, "value", 5);
            ok = rc == RB_OK && want && val_equal(out, want);
            if (!ok)
                printf("MISMATCH %s\n   got:  %.2000s\n   want: %.2000s\n", expr,
                       rc == RB_OK ? val_to_json(&a, out, VAL_JSON_SORTED) : cerr.msg,
                       want ? val_to_json(&a, want, VAL_JSON_SORTED) : "?");
        }
        if (ok)
            pass++;
        else
            fail++;
    }
    gh_arena_free(&a);
    free(text);
    printf("differential rego_ast: %d passed, %d failed, %d skipped\n", pass, fail, skip);
    assert_int_equal(fail, 0);
    assert_true(pass >= 38);
}

/* Calls the builtin on literal arguments; returns the result (or the error
 * message) as JSON text with sorted keys. */
static const char *run(gh_arena *a, const char *line, int *rc_out) {
    char name[64];
    val_t *args[4];
    int n = rl_call(a, line, name, sizeof name, args, 4);
    assert_int_equal(n, 2);
    assert_string_equal(name, "rego.parse_module");
    const rego_builtin *b = &rego_bi_rego[0];
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e};
    val_t *out = NULL;
    int rc = b->fn(&c, args, &out);
    if (rc_out) *rc_out = rc;
    if (rc < 0) return gh_arena_printf(a, "error: %s", e.msg);
    return val_to_json(a, out, VAL_JSON_SORTED);
}

static void expect_has(gh_arena *a, const char *line, const char *want) {
    int rc;
    const char *got = run(a, line, &rc);
    if (!strstr(got, want)) printf("%s\n  got: %s\n  want substring: %s\n", line, got, want);
    assert_non_null(strstr(got, want));
}

static void expect_lacks(gh_arena *a, const char *line, const char *nope) {
    const char *got = run(a, line, NULL);
    if (strstr(got, nope)) printf("%s\n  got: %s\n  unwanted: %s\n", line, got, nope);
    assert_null(strstr(got, nope));
}

static void test_v1(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* v1 needs no import; future.keywords imports are allowed and kept */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\np if input.x\")",
               "\"rules\":[{\"body\":[{\"index\":0,\"terms\":{\"type\":\"ref\"");
    expect_lacks(&a, "rego.parse_module(\"x.rego\", \"package a\\np if input.x\")", "imports");
    expect_has(&a,
               "rego.parse_module(\"x.rego\", \"package a\\nimport rego.v1\\n"
               "import future.keywords.in\\np if 1 in [1]\")",
               "{\"type\":\"string\",\"value\":\"in\"}");
    /* `p[x] := v if ...`: OPA 1.x keeps the var as the head key, with the name */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\nr[k] := 1 if k := 2\")",
               "\"head\":{\"assign\":true,\"key\":{\"type\":\"var\",\"value\":\"k\"},\"name\":\"r\"");
    /* `p[x] if ...`: key x, generated value true, no name */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\nl[x] if x := 1\")",
               "\"head\":{\"key\":{\"type\":\"var\",\"value\":\"x\"},\"ref\":");
    expect_lacks(&a, "rego.parse_module(\"x.rego\", \"package a\\nl[x] if x := 1\")", "\"name\"");
    /* v0 syntax is an error in v1 */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\np[x] { x := 1 }\")",
               "error: 1 error occurred: x.rego:2: rego_parse_error: ");
    /* METADATA is not processed (a broken block is no error) */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\n# METADATA\\n# title: [\\np := 1\")",
               "\"Text\":\"IE1FVEFEQVRB\"");
    /* wildcards number across the module like OPA's parser */
    expect_has(&a, "rego.parse_module(\"x.rego\", \"package a\\np if input[_]\\nq if input[_]\")",
               "{\"type\":\"var\",\"value\":\"$1\"}");
    gh_arena_free(&a);
}

static void test_errors(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    int rc;
    const char *got =
        run(&a, "rego.parse_module(\"x.rego\", \"package a\\np if {\\n\\t\\tx := }\")", &rc);
    assert_int_equal(rc, GH_EINVAL);
    assert_string_equal(got, "error: 1 error occurred: x.rego:3: rego_parse_error: unexpected } "
                             "token\n\tx := }\n\t     ^");
    got = run(&a, "rego.parse_module(\"x.rego\", \"\")", &rc);
    assert_string_equal(got, "error: x.rego:0: rego_parse_error: empty module");
    got = run(&a, "rego.parse_module(\"x.rego\", 1)", &rc);
    assert_int_equal(rc, GH_ETYPE);
    gh_arena_free(&a);
}

static void test_oom(void **state) {
    (void)state;
    static const char line[] =
        "rego.parse_module(\"x.rego\", \"package a\\np := {1, [2], {\\\"a\\\": {x | x := 1}}}"
        " if { every k, v in input { k == v }; some y in input; y > 1 with input as 2 } # c\")";
    gh_arena big;
    gh_arena_init(&big, 0);
    const char *want = run(&big, line, NULL);
    /* every budget below what the call needs fails with OOM, never crashes */
    for (size_t budget = 4096; budget < (1u << 20); budget += budget / 4) {
        gh_arena a;
        gh_arena_init(&a, budget);
        char name[64];
        val_t *args[4];
        int n = rl_call(&a, line, name, sizeof name, args, 4);
        if (n != 2) {
            gh_arena_free(&a);
            continue;
        }
        gh_err e;
        gh_err_clear(&e);
        rego_bctx c = {.a = &a, .err = &e};
        val_t *out = NULL;
        int rc = rego_bi_rego[0].fn(&c, args, &out);
        if (rc == 0) {
            assert_string_equal(val_to_json(&big, out, VAL_JSON_SORTED), want);
            gh_arena_free(&a);
            break;
        }
        assert_true(rc == GH_ENOMEM || rc == GH_ELIMIT);
        gh_arena_free(&a);
    }
    gh_arena_free(&big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_v1),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
