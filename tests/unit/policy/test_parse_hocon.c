/* test_parse_hocon.c - unit tests of pol_parse_hocon (src/policy/parse_hocon.c):
 * objects, dotted keys and merging, substitutions (document, environment,
 * optional), concatenation, conftest's leaf typing and quoting, errors. */
#define PARSE pol_parse_hocon
#include "parse_test.h"

static void test_play_example(void **state) {
    (void)state;
    /* the shape of conftest's examples/hocon/hocon.conf */
    const char *src =
        "# comment\nplay {\n  server {\n    dir = ${?user.dir}\n    http {\n"
        "      port = 9001\n      port = ${?GH_TEST_UNSET_PORT}\n"
        "      address = \"0.0.0.0\"\n      idleTimeout = 75 seconds\n    }\n"
        "    https {\n      idleTimeout = ${play.server.http.idleTimeout}\n"
        "      keyStore { password = \"\" }\n"
        "      trustStore { noCaVerification = false }\n    }\n"
        "    pidfile.path = ${play.server.dir}/RUNNING_PID\n"
        "    websocket { frame.maxLength = 64k }\n  }\n  editor = ${?GH_TEST_UNSET}\n}";
    assert_string_equal(
        J(src),
        "{\"play\":{\"server\":{\"http\":{\"address\":\"0.0.0.0\","
        "\"idleTimeout\":\"\\\"75 seconds\\\"\",\"port\":9001},\"https\":{"
        "\"idleTimeout\":\"\\\"75 seconds\\\"\",\"keyStore\":{\"password\":\"\\\"\\\"\"},"
        "\"trustStore\":{\"noCaVerification\":false}},\"pidfile\":{\"path\":\"/RUNNING_PID\"},"
        "\"websocket\":{\"frame\":{\"maxLength\":\"64k\"}}}}}");
}

static void test_merge_and_paths(void **state) {
    (void)state;
    assert_string_equal(J("a.b.c = 1\na.b { d = 2 }\na { b.e = 3, b.c = 4 }\n"),
                        "{\"a\":{\"b\":{\"c\":4,\"d\":2,\"e\":3}}}");
    /* a value replaces an object, an object after a value replaces it */
    assert_string_equal(J("a { x { y = 1 } }\na.x = 5\nb { v = 1 }\nb.v { w = 2 }"),
                        "{\"a\":{\"x\":5},\"b\":{\"v\":{\"w\":2}}}");
    assert_string_equal(J("{ \"quoted.key\" : { k : yes } }"), "{\"quoted.key\":{\"k\":\"yes\"}}");
    /* top-level values that are not objects read as {} (conftest) */
    assert_string_equal(J("top = 5\nobj { k = 1 }"), "{\"obj\":{\"k\":1},\"top\":{}}");
}

static void test_values(void **state) {
    (void)state;
    setenv("GH_HOCON_TEST_ENV", "from-env", 1);
    assert_string_equal(
        J("o {\n n = 1.5e3\n t = true\n y = yes\n one = 1\n nul = null\n"
          " e = ${GH_HOCON_TEST_ENV}\n q = \"a\\tb\\u0041\"\n c = ${o.t}-x\n"
          " l = [1, 2, \"a b\"]\n tq = \"\"\"raw \"q\" \\n\"\"\"\n"
          " ap = [1]\n ap += 2\n}"),
        "{\"o\":{\"ap\":\"[1,2]\",\"c\":\"true-x\",\"e\":\"from-env\",\"l\":\"[1,2,\\\"a b\\\"]\","
        "\"n\":1.5e3,\"nul\":\"\\\"\\\"\",\"one\":1,\"q\":\"\\\"a\\tbA\\\"\",\"t\":true,"
        "\"tq\":\"\\\"raw \\\"q\\\" \\\\n\\\"\",\"y\":\"yes\"}}");
    /* object substitution and arrays of objects as text */
    assert_string_equal(
        J("base { k = 1 }\nx { copy = ${base}, objs = [{a = 1}] }"),
        "{\"base\":{\"k\":1},\"x\":{\"copy\":{\"k\":1},\"objs\":\"[{\\r\\n    a : 1\\r\\n  }]\"}}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a = ${nowhere.at.all}", GH_EPARSE, 1);
    J_ERR("a {\n b = 1\n", GH_EPARSE, 0);
    assert_null(J("include \"other.conf\""));
    assert_non_null(strstr(E.msg, "include"));
    assert_null(J("a = ${b}\nb = ${a}"));
    assert_non_null(strstr(E.msg, "cycle"));
    assert_null(J("a = \"open\n"));
    assert_null(J("a b c\n"));
    assert_null(J("[1, 2]"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_play_example),
        GH_TEST_ARENA(test_merge_and_paths),
        GH_TEST_ARENA(test_values),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
