/* test_parse_ignore.c - unit tests of pol_parse_ignore
 * (src/policy/parse_ignore.c): one {Kind, Value, Original} entry per line of
 * a .gitignore/.dockerignore file, as conftest's ignore parser gives them. */
#define PARSE pol_parse_ignore
#define PARSE_FILE ".gitignore"
#include "parse_test.h"

static void test_conftest_sample(void **state) {
    (void)state;
    /* conftest's own unit test input: three entries, the first negated */
    assert_string_equal(J("!bar\n\n# Test"),
                        "[{\"Kind\":\"NegatedPath\",\"Original\":\"!bar\",\"Value\":\"bar\"},"
                        "{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"},"
                        "{\"Kind\":\"Comment\",\"Original\":\"# Test\",\"Value\":\"Test\"}]");
}

static void test_paths_and_trailing_newline(void **state) {
    (void)state;
    assert_string_equal(J("foo\n  qux/  \n"),
                        "[{\"Kind\":\"Path\",\"Original\":\"foo\",\"Value\":\"foo\"},"
                        "{\"Kind\":\"Path\",\"Original\":\"  qux/  \",\"Value\":\"qux/\"},"
                        "{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"}]");
    assert_string_equal(J(""), "[{\"Kind\":\"Empty\",\"Original\":\"\",\"Value\":\"\"}]");
    assert_string_equal(J(" \t"), "[{\"Kind\":\"Empty\",\"Original\":\" \\t\",\"Value\":\"\"}]");
    assert_string_equal(J("#"), "[{\"Kind\":\"Comment\",\"Original\":\"#\",\"Value\":\"\"}]");
    assert_string_equal(J("!"), "[{\"Kind\":\"NegatedPath\",\"Original\":\"!\",\"Value\":\"\"}]");
}

static void test_crlf_and_bad_utf8(void **state) {
    (void)state;
    assert_string_equal(J("a\r\nb"), "[{\"Kind\":\"Path\",\"Original\":\"a\\r\",\"Value\":\"a\"},"
                                     "{\"Kind\":\"Path\",\"Original\":\"b\",\"Value\":\"b\"}]");
    assert_string_equal(JN("x\xff\0y", 4),
                        "[{\"Kind\":\"Path\",\"Original\":\"x\xef\xbf\xbd\\u0000y\","
                        "\"Value\":\"x\xef\xbf\xbd\\u0000y\"}]");
    assert_string_equal(J("\xc3\xa9t\xc3\xa9"),
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
        GH_TEST_ARENA(test_conftest_sample),
        GH_TEST_ARENA(test_paths_and_trailing_newline),
        GH_TEST_ARENA(test_crlf_and_bad_utf8),
        GH_TEST_ARENA(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
