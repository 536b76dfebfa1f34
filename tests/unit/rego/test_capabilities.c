/* test_capabilities.c - unit tests of rego_compile_opts.allow_builtin (OPA
 * capabilities, src/rego/compile_lower2.c): calls of builtins the hook
 * rejects are "undefined function" compile errors, every one of them
 * reported; allowed builtins, user functions and queries prepared after the
 * compile are unaffected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rego/rego.h"

/* rejects the names listed in ctx (NULL-terminated) */
static bool deny_listed(void *ctx, const char *name, size_t n) {
    for (const char *const *d = ctx; *d; d++)
        if (strlen(*d) == n && !memcmp(*d, name, n)) return false;
    return true;
}

static int compile(const char *src, const char *const *denied, gh_err *e) {
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    gh_err_clear(e);
    int rc = rego_policy_add_module(p, "m.rego", src, strlen(src), NULL, e);
    rego_compile_opts co = {.allow_builtin = deny_listed, .allow_ctx = (void *)denied};
    if (!rc) rc = rego_policy_compile(p, &co, e);
    rego_policy_free(p);
    return rc;
}

static void test_rejected_calls_all_reported(void **state) {
    (void)state;
    static const char *const denied[] = {"http.send", "opa.runtime", NULL};
    gh_err e;
    const char *src = "package p\n"
                      "attack if {\n"
                      "  req := {\"url\": \"x\", \"body\": opa.runtime().env}\n"
                      "  http.send(req)\n"
                      "}\n"
                      "n := count([1])\n";
    assert_int_not_equal(compile(src, denied, &e), 0);
    assert_string_equal(e.kind, "rego_type_error");
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "undefined function opa.runtime"));
    assert_non_null(strstr(e.msg, "m.rego:4:3: rego_type_error: undefined function http.send"));
}

static void test_allowed_and_user_functions(void **state) {
    (void)state;
    static const char *const denied[] = {"http.send", NULL};
    gh_err e;
    const char *src = "package p\n"
                      "f(x) := upper(x)\n"
                      "y := f(\"a\") if count([1]) > 0\n";
    assert_int_equal(compile(src, denied, &e), 0);
}

static void test_operators_and_print(void **state) {
    (void)state;
    static const char *const denied[] = {"plus", "print", NULL};
    gh_err e;
    assert_int_not_equal(compile("package p\nx := 1 + 2\n", denied, &e), 0);
    assert_non_null(strstr(e.msg, "undefined function plus"));
    assert_int_not_equal(compile("package p\nx if print(1)\n", denied, &e), 0);
    assert_non_null(strstr(e.msg, "undefined function print"));
    assert_int_equal(compile("package p\nx := 3 * 2\n", denied, &e), 0);
}

static void test_queries_not_restricted(void **state) {
    (void)state;
    static const char *const denied[] = {"upper", NULL};
    gh_err e;
    gh_err_clear(&e);
    rego_policy *p = rego_policy_new();
    assert_non_null(p);
    const char *src = "package p\nx := 1\n";
    assert_int_equal(rego_policy_add_module(p, "m.rego", src, strlen(src), NULL, &e), 0);
    rego_compile_opts co = {.allow_builtin = deny_listed, .allow_ctx = (void *)denied};
    assert_int_equal(rego_policy_compile(p, &co, &e), 0);
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_query *q = NULL;
    const char *qs = "upper(\"a\")";
    assert_int_equal(rego_query_prepare(p, &a, qs, strlen(qs), NULL, &q, &e), 0);
    gh_arena_free(&a);
    rego_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejected_calls_all_reported),
        cmocka_unit_test(test_allowed_and_user_functions),
        cmocka_unit_test(test_operators_and_print),
        cmocka_unit_test(test_queries_not_restricted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
