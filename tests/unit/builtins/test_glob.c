/* test_glob.c - the glob family (glob.match, glob.quote_meta): replays OPA
 * 0.61's recorded answers (tests/differential/glob.expect, .rtexpect), the
 * regorus globmatch cases, gobwas/glob's corner cases that decide OPA's
 * answers, the exact NFA fallback on inputs that would make the reference
 * matcher exponential, delimiter-aware caching and out-of-memory paths. */
#include <stdlib.h>

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_glob, NULL};

static void test_differential(void **s) {
    (void)s;
    bd_stats st = {0, 0, 0};
    bd_run("glob", tabs, NULL, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= 110);
}

static const char *call(gh_arena *a, gh_err *e, const char *line) {
    char name[64];
    val_t *args[4];
    int n = rl_call(a, line, name, sizeof name, args, 4);
    assert_true(n >= 0);
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    assert_int_equal(b->arity, n);
    rego_bctx c = {.a = a, .err = e};
    val_t *out = NULL;
    gh_err_clear(e);
    int rc = b->fn(&c, args, &out);
    if (rc < 0) return gh_arena_printf(a, "ERR %d: %s", rc, e->msg);
    return val_to_json(a, out, VAL_JSON_NO_HTML_ESC);
}

static void expect(const char *line, const char *want) {
    gh_arena a;
    gh_err e;
    gh_arena_init(&a, 0);
    const char *got = call(&a, &e, line);
    if (strcmp(got, want)) print_error("%s\n  got:  %s\n  want: %s\n", line, got, want);
    assert_string_equal(got, want);
    gh_arena_free(&a);
}

static void test_regorus_cases(void **s) {
    (void)s;
    /* regorus-opa/v0/builtins/glob/globmatch.yaml (answers from OPA 0.61) */
    expect("glob.match(\"api://*/appId\", null, \"api://foo.com/appId\")", "true");
    expect("glob.match(\"*.github.com\", [], \"api.github.com\")", "true");
    expect("glob.match(\"*.github.com\", [], \"api.cdn.github.com\")", "false");
    expect("glob.match(\"*hub.com\", null, \"api.cdn.github.com\")", "true");
    expect("glob.match(\"*:github:com\", [\":\"], \"api:github:com\")", "true");
    expect("glob.match(\"api.**.com\", [], \"api.github.com\")", "true");
    expect("glob.match(\"api.**.com\", [], \"api.cdn.github.com\")", "true");
    expect("glob.match(\"?at\", [], \"cat\")", "true");
    expect("glob.match(\"?at\", [], \"at\")", "false");
    expect("glob.match(\"[abc]at\", [], \"bat\")", "true");
    expect("glob.match(\"[abc]at\", [], \"lat\")", "false");
    expect("glob.match(\"[!abc]at\", [], \"cat\")", "false");
    expect("glob.match(\"[!a-c]at\", [], \"lat\")", "true");
    expect("glob.match(\"{cat,bat,[fr]at}\", [], \"rat\")", "true");
    expect("glob.match(\"{cat,bat,[fr]at}\", [], \"at\")", "false");
}

static void test_gobwas_quirks(void **s) {
    (void)s;
    /* a lone '?' or [!x] also matches "" (its matcher decodes no rune) */
    expect("glob.match(\"?\", [], \"\")", "true");
    expect("glob.match(\"{[!a],b}\", [], \"\")", "true");
    /* {..} alternatives report the length of their last fixed-size branch */
    expect("glob.match(\"{**,a}b\", [], \"xxb\")", "false");
    /* multi-byte runes inside fixed-length rows are cut to one byte */
    expect("glob.match(\"é?\", [], \"éa\")", "false");
    /* several delimiters are searched as one substring by '?*' */
    expect("glob.match(\"?*\", [\".\", \":\"], \"a.b\")", "true");
    expect("glob.match(\"*\", [\".\", \":\"], \"a.b\")", "false");
    /* OPA panics here (slice bounds in gobwas/glob Row); we report an error */
    expect("glob.match(\"a{}\", [], \"a\")",
           "ERR -2: pattern not supported: OPA's glob matcher fails on this input (gobwas/glob "
           "slice bounds)");
    expect("glob.match(\"a{}\", [], \"ab\")", "false");
    /* NUL ends the pattern between tokens and is skipped inside text */
    expect("glob.match(\"a\\u0000b\", [], \"ab\")", "true");
    /* delimiters default to ["."] for [], none for null */
    expect("glob.match(\"*\", [], \"a.b\")", "false");
    expect("glob.match(\"*\", null, \"a.b\")", "true");
    expect("glob.match(\"a\", \"x\", \"a\")",
           "ERR -7: operand 2 must be one of {array, null} but got string");
    expect("glob.quote_meta(\"*?\\\\[]{}!,-a\")", "\"\\\\*\\\\?\\\\\\\\\\\\[\\\\]\\\\{\\\\}!,-a\"");
}

/* Patterns that make the reference matcher exponential finish through the
 * NFA; the same pattern with other delimiters is a different cache entry. */
static void test_budget_and_cache(void **s) {
    (void)s;
    gh_arena a;
    gh_err e;
    gh_arena_init(&a, 0);
    char *line = malloc(20000);
    char *text = malloc(10000);
    memset(text, 'a', 5000);
    text[5000] = '\0';
    snprintf(line, 20000, "glob.match(\"*a*a*a*a*a*a*a*a*a*a*b\", [], \"%s\")", text);
    assert_string_equal(call(&a, &e, line), "false");
    snprintf(line, 20000, "glob.match(\"*a*a*a*a*a*a*a*a*a*a*\", [], \"%s\")", text);
    assert_string_equal(call(&a, &e, line), "true");
    for (int i = 0; i < 3; i++) {
        assert_string_equal(call(&a, &e, "glob.match(\"*\", [\"b\"], \"a.b\")"), "false");
        assert_string_equal(call(&a, &e, "glob.match(\"*\", [\":\"], \"a.b\")"), "true");
        assert_string_equal(call(&a, &e, "glob.match(\"*\", null, \"a.b\")"), "true");
    }
    /* more distinct patterns than cache slots */
    for (int i = 0; i < 300; i++) {
        char l2[128];
        snprintf(l2, sizeof l2, "glob.match(\"x%d*\", [], \"x%dyz\")", i, i);
        assert_string_equal(call(&a, &e, l2), "true");
    }
    /* a long pattern beyond the reference port's bounds still answers exactly */
    size_t k = 0;
    k += (size_t)snprintf(line + k, 20000 - k, "glob.match(\"");
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(line + k, 20000 - k, "?x");
    k += (size_t)snprintf(line + k, 20000 - k, "\", [], \"");
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(line + k, 20000 - k, "ax");
    snprintf(line + k, 20000 - k, "\")");
    assert_string_equal(call(&a, &e, line), "true");
    free(line);
    free(text);
    gh_arena_free(&a);
}

static void test_out_of_memory(void **s) {
    (void)s;
    const char *lines[] = {
        "glob.match(\"{a*,b?}[!x]{c,d}**\", [\".\", \":\"], \"aaz.d:e\")",
        "glob.match(\"*.example.com\", [], \"api.example.com\")",
        "glob.quote_meta(\"{a}*\")",
    };
    for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
        for (long k = 0; k < 200; k++) {
            gh_arena parse, a;
            gh_arena_init(&parse, 0);
            gh_arena_init(&a, 0);
            char name[64];
            val_t *args[4];
            int n = rl_call(&parse, lines[l], name, sizeof name, args, 4);
            assert_true(n >= 0);
            const rego_builtin *b = bd_find(tabs, name);
            gh_err e;
            rego_bctx c = {.a = &a, .err = &e};
            val_t *out = NULL;
            /* vary the pattern so every attempt compiles (no cache hit) */
            char pat[64];
            snprintf(pat, sizeof pat, "%s%ld", val_str_ptr(args[0]), k);
            args[0] = val_strc(&parse, pat);
            gh_alloc_fail_after(k);
            int rc = b->fn(&c, args, &out);
            gh_alloc_fail_after(-1);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            gh_arena_free(&a);
            gh_arena_free(&parse);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),  cmocka_unit_test(test_regorus_cases),
        cmocka_unit_test(test_gobwas_quirks), cmocka_unit_test(test_budget_and_cache),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
