/* test_parse_hcl1.c - unit tests of pol_parse_hcl1 (src/policy/parse_hcl1.c):
 * hashicorp/hcl v1's decoding into `any` (blocks and object values as lists
 * of objects, labels nested, repeated keys appended), literals, heredocs,
 * comments, errors with line:col. */
#define PARSE pol_parse_hcl1
#include "parse_test.h"

static void test_blocks(void **state) {
    (void)state;
    assert_string_equal(
        J("resource \"aws_instance\" \"web\" {\n  ami = \"ami-1\"\n  count = 2\n}\n"
          "terraform { required_version = \">= 0.12\" }\n"),
        "{\"resource\":[{\"aws_instance\":[{\"web\":[{\"ami\":\"ami-1\",\"count\":2}]}]}],"
        "\"terraform\":[{\"required_version\":\"\\u003e= 0.12\"}]}");
    /* several blocks of one type: one list entry per block */
    assert_string_equal(
        J("resource \"a\" \"x\" { v = 1 }\nresource \"a\" \"y\" { v = 2 }\n"
          "resource \"b\" \"z\" {}\n"),
        "{\"resource\":[{\"a\":[{\"x\":[{\"v\":1}]}]},{\"a\":[{\"y\":[{\"v\":2}]}]},"
        "{\"b\":[{\"z\":[{}]}]}]}");
    /* repeated unlabelled blocks and lists append, values are replaced */
    assert_string_equal(J("t { x = 1 }\nt { y = 2 }\nl = [1]\nl = [2]\na = 1\na = 2\n"),
                        "{\"a\":2,\"l\":[1,2],\"t\":[{\"x\":1},{\"y\":2}]}");
}

static void test_values(void **state) {
    (void)state;
    assert_string_equal(
        J("s = \"hi ${var.x} \\\"q\\\" ${lookup(m, \"k\")}\"\nf = 1.5\nh = 0x1F\n"
          "o = 010\nn = -3\nb = true\nl = [1, \"a\", [2], {k = 1},]\n"
          "obj = { a = 1, b = { c = 2 } }\n"),
        "{\"b\":true,\"f\":1.5,\"h\":31,\"l\":[1,\"a\",[2],{\"k\":1}],\"n\":-3,\"o\":8,"
        "\"obj\":[{\"a\":1,\"b\":[{\"c\":2}]}],"
        "\"s\":\"hi ${var.x} \\\"q\\\" ${lookup(m, \\\"k\\\")}\"}");
    assert_string_equal(J("# c1\n// c2\n/* c3\n c3 */\nh = <<EOF\nline1\n  line2\nEOF\n"
                          "i = <<-EOT\n    a\n      b\n    EOT\n"),
                        "{\"h\":\"line1\\n  line2\\n\",\"i\":\"a\\n  b\\n\"}");
    assert_string_equal(J(""), "{}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a \"b\" = 1\n", GH_EPARSE, 1);
    assert_null(J("a = [1 2]\n"));
    assert_null(J("a {\n b = 1\n"));
    assert_int_equal(E.line, 3);
    assert_null(J("a = \"open\n"));
    assert_null(J("h = <<EOF\nno end\n"));
    assert_null(J("a = 99999999999999999999999\n"));
    assert_null(J("a \"x\" { }\na { }\n")); /* labelled and unlabelled blocks of one name */
    assert_null(J("a = @\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_blocks),
        GH_TEST_ARENA(test_values),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
