/* test_parse_toml.c - unit tests of pol_parse_toml (src/policy/parse_toml.c):
 * keys (bare, quoted, dotted), tables and arrays of tables, every string
 * form, integers in all bases, floats, date-times, inline tables, and the
 * redefinition / syntax errors TOML 1.0 requires, with line numbers. */
#define PARSE pol_parse_toml
#define PARSE_FILE "t.toml"
#define PARSE_JSON (VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC)
#include "parse_test.h"

static void test_keys_tables(void **state) {
    (void)state;
    assert_string_equal(
        J("a = 1\nb.c = 2\n\"q k\" = 3\n[t]\nx = true\n[t.u]\ny = false\n"),
        "{\"a\":1,\"b\":{\"c\":2},\"q k\":3,\"t\":{\"u\":{\"y\":false},\"x\":true}}");
    assert_string_equal(J("[[p]]\nn = 1\n[[p]]\nn = 2\n[p.sub]\nz = 0\n"),
                        "{\"p\":[{\"n\":1},{\"n\":2,\"sub\":{\"z\":0}}]}");
    assert_string_equal(J("x = {a = 1, b.c = [1, 2]}\n"), "{\"x\":{\"a\":1,\"b\":{\"c\":[1,2]}}}");
    assert_string_equal(J("arr = [\n  1, # one\n  2,\n]\nmix = [\"a\", 1.5, [true]]\n"),
                        "{\"arr\":[1,2],\"mix\":[\"a\",1.5,[true]]}");
}

static void test_strings(void **state) {
    (void)state;
    assert_string_equal(J("s = \"a\\tb\\u00e9\\\"\"\nl = 'C:\\path'\n"),
                        "{\"l\":\"C:\\\\path\",\"s\":\"a\\tb\xc3\xa9\\\"\"}");
    assert_string_equal(J("m = \"\"\"\nline1\nline2 \\\n   cont\"\"\"\n"),
                        "{\"m\":\"line1\\nline2 cont\"}");
    assert_string_equal(J("r = '''\nraw \\n '' ''' \n"), "{\"r\":\"raw \\\\n '' \"}");
    assert_string_equal(J("q = \"\"\"a\"\"\"\"\"\n"), "{\"q\":\"a\\\"\\\"\"}");
}

static void test_numbers_dates(void **state) {
    (void)state;
    assert_string_equal(
        J("a = 1_000\nb = -17\nc = 0xff\nd = 0o17\ne = 0b101\nf = +3.5e2\ng = 0.1\n"),
        "{\"a\":1000,\"b\":-17,\"c\":255,\"d\":15,\"e\":5,\"f\":350,\"g\":0.1}");
    assert_string_equal(J("d = 1979-05-27T07:32:00Z\ne = 1979-05-27 07:32:00\nf = 1979-05-27\n"
                          "g = 07:32:00\n"),
                        "{\"d\":\"1979-05-27T07:32:00Z\",\"e\":\"1979-05-27T07:32:00\","
                        "\"f\":\"1979-05-27\",\"g\":\"07:32:00\"}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a = 1\na = 2\n", GH_EPARSE, 2);
    assert_null(J("[t]\n[t]\n"));
    assert_int_equal(E.line, 2);
    assert_null(J("x = {a = 1}\n[x]\n"));
    assert_null(J("a = 1 b = 2\n"));
    assert_null(J("a = \"open\n"));
    assert_null(J("a = 012\n"));
    assert_null(J("a = 1__0\n"));
    assert_null(J("a = inf\n"));
    assert_null(J("a = [1,\n"));
    assert_null(J("= 1\n"));
    assert_null(J("a = \"\\q\"\n"));
    assert_null(J("a.b = 1\na = 2\n"));
}

static void test_depth(void **state) {
    (void)state;
    char buf[4000];
    size_t n = 0;
    n += (size_t)snprintf(buf, sizeof buf, "a = ");
    for (int i = 0; i < 1000; i++)
        buf[n++] = '[';
    buf[n] = 0;
    J_ERR(buf, GH_ELIMIT, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_keys_tables),   GH_TEST_ARENA(test_strings),
        GH_TEST_ARENA(test_numbers_dates), GH_TEST_ARENA(test_errors),
        GH_TEST_ARENA(test_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
