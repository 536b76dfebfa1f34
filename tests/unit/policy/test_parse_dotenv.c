/* test_parse_dotenv.c - unit tests of pol_parse_dotenv
 * (src/policy/parse_dotenv.c): export, quoting, escapes, inline comments and
 * variable expansion as joho/godotenv reads .env files. */
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

static const char *J(const char *src) {
    val_t *v = NULL;
    gh_err_clear(&E);
    if (pol_parse_dotenv(&A, src, strlen(src), "t.env", &v, &E)) return NULL;
    return val_to_json(&A, v, VAL_JSON_SORTED);
}

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
    assert_null(J("A=1\nB=\"open\n"));
    assert_int_equal(E.code, GH_EPARSE);
    assert_int_equal(E.line, 2);
    assert_non_null(strstr(E.msg, "unterminated"));
    assert_null(J("A=1\nBAD-NAME=2\n"));
    assert_int_equal(E.line, 2);
    assert_int_equal(E.col, 4);
    assert_null(J("NOVALUE\n"));
    assert_int_equal(E.code, GH_EPARSE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expansion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
