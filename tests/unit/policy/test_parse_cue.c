/* test_parse_cue.c - unit tests of pol_parse_cue (src/policy/parse_cue.c):
 * CUE data (chained labels, unification, lists, strings, numbers,
 * defaults), fields left out of the export, and the errors for what needs
 * CUE's evaluator. */
#define PARSE pol_parse_cue
#include "parse_test.h"

static void test_deployment(void **state) {
    (void)state;
    assert_string_equal(
        J("package kube\n\napiVersion: \"apps/v1\"\nkind:       \"Deployment\"\n"
          "metadata: name: \"hello\"\nspec: {\n\treplicas: 3\n"
          "\ttemplate: spec: containers: [{\n\t\tname: \"c\"\n"
          "\t\tports: [{containerPort: 8081}]\n\t}]\n}\n"),
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"hello\"},"
        "\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
        "\"ports\":[{\"containerPort\":8081}]}]}}}}");
}

static void test_values(void **state) {
    (void)state;
    assert_string_equal(
        J("// comment\na: {x: 1}\na: {y: 2}\na: x: 1\nb: 1_000\nc: 0x1F\nd: 2Ki\ne: 1.5\n"
          "f: *\"dflt\" | \"other\"\ng: null\nh: true, i: false\n\"quoted key\": [1, 2,]\n"
          "#Def: {z: 1}\n_hidden: 2\nopt?: 3\nj: \"esc \\\"q\\\" \\u00e9\"\nk: 5 & 5\n"
          "m: \"\"\"\n    two\n      lines\n    \"\"\"\nn: -4 @attr(x)\n"),
        "{\"a\":{\"x\":1,\"y\":2},\"b\":1000,\"c\":31,\"d\":2048,\"e\":1.5,\"f\":\"dflt\","
        "\"g\":null,\"h\":true,\"i\":false,\"j\":\"esc \\\"q\\\" \u00e9\",\"k\":5,"
        "\"m\":\"two\\n  lines\",\"n\":-4,\"quoted key\":[1,2]}");
    assert_string_equal(J(""), "{}");
    assert_string_equal(J("[1, {a: 2}]"), "[1,{\"a\":2}]");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a: 1\na: 2\n", GH_EPARSE, 0);
    assert_non_null(strstr(E.msg, "conflicting"));
    assert_null(J("a: string\n"));
    assert_non_null(strstr(E.msg, "not concrete"));
    assert_int_equal(E.line, 1);
    assert_int_equal(E.col, 4);
    assert_null(J("x: 1\ny: x + 1\n"));
    assert_null(J("a: \"v\\(x)\"\n"));
    assert_null(J("import \"strings\"\n"));
    assert_null(J("a: 1 | 2\n"));
    assert_null(J("a: {b: 1\n"));
    assert_null(J("a: [1 2]\n"));
    assert_null(J("a b: 1\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_deployment),
        GH_TEST_ARENA(test_values),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
