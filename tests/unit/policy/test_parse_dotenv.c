/* test_parse_dotenv.c - unit tests of pol_parse_dotenv
 * (src/policy/parse_dotenv.c): export, quoting, escapes, inline comments and
 * variable expansion as joho/godotenv reads .env files. */
#define PARSE pol_parse_dotenv
#define PARSE_FILE "t.env"
#include "parse_test.h"

static void test_basic(void **state) {
    (void)state;
    assert_string_equal(J("APP_NAME=test\nMYSQL_USER=user2\n"),
                        "{\"APP_NAME\":\"test\",\"MYSQL_USER\":\"user2\"}");
    assert_string_equal(J("# comment\n  export  A = 1 \nB: yaml\n\n  C=x # note\nD=a#b\n"),
                        "{\"A\":\"1\",\"B\":\"yaml\",\"C\":\"x\",\"D\":\"a#b\"}");
    assert_string_equal(J("EMPTY=\nNEXT=1"), "{\"EMPTY\":\"\",\"NEXT\":\"1\"}");
    assert_string_equal(J("dotted.name=1\nexport=2"), "{\"dotted.name\":\"1\",\"export\":\"2\"}");
    assert_string_equal(J(""), "{}");
}

static void test_quotes(void **state) {
    (void)state;
    assert_string_equal(J("S='raw $X \\n'\nD=\"a\\nb\\tc\\\"q\"\n"),
                        "{\"D\":\"a\\nbtc\\\"q\",\"S\":\"raw $X \\\\n\"}");
    assert_string_equal(J("M=\"line1\nline2\" # c\nN=1"), "{\"M\":\"line1\\nline2\",\"N\":\"1\"}");
    assert_string_equal(J("Q=\"x\" R=2\n"), "{\"Q\":\"x\",\"R\":\"2\"}");
}

static void test_expansion(void **state) {
    (void)state;
    assert_string_equal(J("A=1\nB=${A}2\nC=\"$A-$B\"\nD='$A'\nE=\\$A\nF=${lower}\nG=$UNSET."),
                        "{\"A\":\"1\",\"B\":\"12\",\"C\":\"1-12\",\"D\":\"$A\",\"E\":\"$A\","
                        "\"F\":\"${lower}\",\"G\":\".\"}");
    assert_string_equal(J("B=${A}\nA=1"), "{\"A\":\"1\",\"B\":\"\"}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("A=1\nB=\"open\n", GH_EPARSE, 2);
    assert_non_null(strstr(E.msg, "unterminated"));
    assert_null(J("A=1\nBAD-NAME=2\n"));
    assert_int_equal(E.line, 2);
    assert_int_equal(E.col, 4);
    J_ERR("NOVALUE\n", GH_EPARSE, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_basic),
        GH_TEST_ARENA(test_quotes),
        GH_TEST_ARENA(test_expansion),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
