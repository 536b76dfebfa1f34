/* test_parse_ini.c - unit tests of pol_parse_ini (src/policy/parse_ini.c):
 * sections to objects, DEFAULT dropped, numbers and booleans typed as
 * conftest's INI parser gives them, quotes, comments, errors with line. */
#define PARSE pol_parse_ini
#define PARSE_FILE "t.ini"
#include "parse_test.h"

static void test_sections(void **state) {
    (void)state;
    assert_string_equal(J("top = 1\n[server]\nprotocol = http\nhttp_port = 3000\n"
                          "[auth.basic]\nenabled = true\noff = false\nratio=0.5\n"),
                        "{\"auth.basic\":{\"enabled\":true,\"off\":false,\"ratio\":0.5},"
                        "\"server\":{\"http_port\":3000,\"protocol\":\"http\"}}");
}

static void test_comments_quotes(void **state) {
    (void)state;
    assert_string_equal(J("; c\n# c\n[s]\na = \"x ; y\"\nb = v ; cut\nc =\nd: 'q'\ne = \"1\"\n"),
                        "{\"s\":{\"a\":\"x ; y\",\"b\":\"v\",\"c\":\"\",\"d\":\"q\",\"e\":\"1\"}}");
}

static void test_repeat_and_default(void **state) {
    (void)state;
    assert_string_equal(J("[DEFAULT]\nx=1\n[a]\nk=1\n[b]\n[a]\nk=2\nurl = %(p)s://h/\n"),
                        "{\"a\":{\"k\":2,\"url\":\"%(p)s://h/\"},\"b\":{}}");
    assert_string_equal(J(""), "{}");
    assert_string_equal(J("\xEF\xBB\xBF[a]\r\nk = v\r\n"), "{\"a\":{\"k\":\"v\"}}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("[a]\nnot a pair\n", GH_EPARSE, 2);
    assert_null(J("[unclosed\n"));
    assert_int_equal(E.line, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_sections),
        GH_TEST_ARENA(test_comments_quotes),
        GH_TEST_ARENA(test_repeat_and_default),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
