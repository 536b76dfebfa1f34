/* test_parse_ignore.c - unit tests of pol_parse_ignore
 * (src/policy/parse_ignore.c): one {Kind, Value, Original} entry per line of
 * a .gitignore/.dockerignore file, as conftest's ignore parser gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

static gh_arena A;
static gh_err E;

static int setup(void **state) {
    (void)state;
    gh_arena_init(&A, 0);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    gh_arena_free(&A);
    return 0;
}

static const char *J(const char *src, size_t n) {
    val_t *v = NULL;
    gh_err_clear(&E);
    if (pol_parse_ignore(&A, src, n, ".gitignore", &v, &E)) return NULL;
    return val_to_json(&A, v, VAL_JSON_SORTED);
}
#define JS(s) J(s, strlen(s))

static void test_conftest_sample(void **state) {
    (void)state;
    /* conftest's own unit test input: three entries, the first negated */
    assert_string_equal(JS("!bar\n\n# Test"),
                        "[{\"Kind\":\"NegatedPath\",\"Original\":\"!bar\",\"Value\":\"bar\"},"
                        "{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"},"
                        "{\"Kind\":\"Comment\",\"Original\":\"# Test\",\"Value\":\"Test\"}]");
}

static void test_paths_and_trailing_newline(void **state) {
    (void)state;
    assert_string_equal(JS("foo\n  qux/  \n"),
                        "[{\"Kind\":\"Path\",\"Original\":\"foo\",\"Value\":\"foo\"},"
                        "{\"Kind\":\"Path\",\"Original\":\"  qux/  \",\"Value\":\"qux/\"},"
                        "{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"}]");
    assert_string_equal(JS(""), "[{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"}]");
    assert_string_equal(JS(" \t"), "[{\"Kind\":\"Empty\",\"Original\":\" \\t\",\"Value\":\"\"}]");
    assert_string_equal(JS("#"), "[{\"Kind\":\"Comment\",\"Original\":\"#\",\"Value\":\"\"}]");
    assert_string_equal(JS("!"), "[{\"Kind\":\"NegatedPath\",\"Original\":\"!\",\"Value\":\"\"}]");
}

static void test_crlf_and_bad_utf8(void **state) {
    (void)state;
    assert_string_equal(JS("a\r\nb"), "[{\"Kind\":\"Path\",\"Original\":\"a\\r\",\"Value\":\"a\"},"
                                      "{\"Kind\":\"Path\",\"Original\":\"b\",\"Value\":\"b\"}]");
    assert_string_equal(J("x\xff\0y", 4),
                        "[{\"Kind\":\"Path\",\"Original\":\"x\xef\xbf\xbd\\u0000y\","
                        "\"Value\":\"x\xef\xbf\xbd\\u0000y\"}]");
    assert_string_equal(JS("\xc3\xa9t\xc3\xa9"),
                        "[{\"Kind\":\"Path\",\"Original\":\"\xc3\xa9t\xc3\xa9\","
                        "\"Value\":\"\xc3\xa9t\xc3\xa9\"}]");
}

static void test_budget(void **state) {
    (void)state;
    gh_arena small;
    gh_arena_init(&small, 4096);
    char big[8192];
    memset(big, '\n', sizeof big);
    val_t *v = NULL;
    gh_err_clear(&E);
    assert_int_equal(pol_parse_ignore(&small, big, sizeof big, "x", &v, &E), GH_ENOMEM);
    gh_arena_free(&small);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conftest_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_and_trailing_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf_and_bad_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
