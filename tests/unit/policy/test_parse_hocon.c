/* test_parse_hocon.c - unit tests of pol_parse_hocon (src/policy/parse_hocon.c):
 * objects, dotted keys and merging, substitutions (document, environment,
 * optional), concatenation, conftest's leaf typing and quoting, errors. */
#define PARSE pol_parse_hocon
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

/* The parse of src as sorted JSON, or NULL with E set. */
static const char *J(const char *src) {
    val_t *v = NULL;
    gh_err_clear(&E);
    if (PARSE(&A, src, strlen(src), "t", &v, &E)) return NULL;
    return val_to_json(&A, v, VAL_JSON_SORTED);
}

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
    assert_null(J("a = ${nowhere.at.all}"));
    assert_int_equal(E.code, GH_EPARSE);
    assert_int_equal(E.line, 1);
    assert_null(J("a {\n b = 1\n"));
    assert_int_equal(E.code, GH_EPARSE);
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
        cmocka_unit_test_setup_teardown(test_play_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_and_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
