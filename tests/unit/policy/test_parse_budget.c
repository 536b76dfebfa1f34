/* test_parse_budget.c - the conftest-format parsers (parse_edn.c,
 * parse_hocon.c, parse_hcl1.c, parse_hcl2.c, parse_vcl.c, parse_spdx.c,
 * parse_cyclonedx.c, parse_cue.c) under every arena budget from tiny to enough: each run
 * either succeeds or fails with GH_ENOMEM (never another error, never a
 * crash or leak), and the first success gives the unbudgeted result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

typedef int (*parse_fn)(gh_arena *, const char *, size_t, const char *, val_t **, gh_err *);

static void sweep(parse_fn fn, const char *src) {
    gh_arena ref;
    gh_err e;
    val_t *v = NULL;
    gh_arena_init(&ref, 0);
    assert_int_equal(fn(&ref, src, strlen(src), "t", &v, &e), 0);
    const char *want = val_to_json(&ref, v, VAL_JSON_SORTED);
    assert_non_null(want);
    for (size_t budget = 128;; budget += 96) {
        gh_arena a;
        gh_arena_init(&a, budget);
        gh_err_clear(&e);
        int rc = fn(&a, src, strlen(src), "t", &v, &e);
        if (rc == 0) {
            gh_arena big;
            gh_arena_init(&big, 0);
            assert_string_equal(val_to_json(&big, v, VAL_JSON_SORTED), want);
            gh_arena_free(&big);
            gh_arena_free(&a);
            break;
        }
        if (rc != GH_ENOMEM) fail_msg("budget %zu: rc %d (%s)", budget, rc, e.msg);
        gh_arena_free(&a);
        assert_true(budget < (1u << 22));
    }
    gh_arena_free(&ref);
}

static void test_edn(void **state) {
    (void)state;
    sweep(pol_parse_edn,
          "{:a [1 2.5 \"s\" #{:x :y} (nil)] :t #inst \"2020-01-01T00:00:00Z\" {:k 1} :m}");
}
static void test_hocon(void **state) {
    (void)state;
    sweep(pol_parse_hocon, "a { b = 1, c = ${a.b} x, d = [1, {e = 2}], f.g = \"h i\" }\na.b = 3\n");
}
static void test_hcl1(void **state) {
    (void)state;
    sweep(pol_parse_hcl1,
          "resource \"a\" \"b\" { x = [1, {y = \"z\"}] }\nt { u = <<EOF\nv\nEOF\n}\n");
}
static void test_hcl2(void **state) {
    (void)state;
    sweep(pol_parse_hcl2,
          "resource \"a\" \"b\" {\n  x = [1, { y = \"z ${var.w}\" }]\n  c = f(1) + 2\n"
          "  h = <<-E\n    hi\n    E\n}\n");
}
static void test_vcl(void **state) {
    (void)state;
    sweep(pol_parse_vcl, "backend b { .host = \"h\"; .port = \"80\"; .probe = { .url = \"/\"; } }\n"
                         "sub s { set x = 1; if (a) { return (pass); } }\n");
}
static void test_spdx(void **state) {
    (void)state;
    sweep(pol_parse_spdx,
          "SPDXVersion: SPDX-2.3\nCreator: Tool: t\nPackageName: p\nFilesAnalyzed: false\n"
          "PackageChecksum: SHA1: ab\nFileName: f\nRelationship: A DESCRIBES B\n");
}
static void test_cue(void **state) {
    (void)state;
    sweep(pol_parse_cue,
          "a: b: {c: [1, \"x\", {d: *2 | 3}]}\na: b: e: 1.5\nf: \"\"\"\n  m\n  \"\"\"\n");
}
static void test_cyclonedx(void **state) {
    (void)state;
    sweep(pol_parse_cyclonedx,
          "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\" version=\"1\"><components>"
          "<component type=\"library\"><name>a</name><hashes><hash alg=\"MD5\">x</hash>"
          "</hashes></component></components></bom>");
    sweep(pol_parse_cyclonedx,
          "{\"bomFormat\": \"CycloneDX\", \"components\": [{\"name\": \"a\"}]}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edn),       cmocka_unit_test(test_hocon), cmocka_unit_test(test_hcl1),
        cmocka_unit_test(test_hcl2),      cmocka_unit_test(test_vcl),   cmocka_unit_test(test_spdx),
        cmocka_unit_test(test_cyclonedx), cmocka_unit_test(test_cue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
