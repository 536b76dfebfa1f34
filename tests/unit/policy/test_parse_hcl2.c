/* test_parse_hcl2.c - unit tests of pol_parse_hcl2 (src/policy/parse_hcl2.c):
 * tmccombs/hcl2json's shape for blocks and labels, literals, templates,
 * heredocs, collections, expressions kept as "${source}", errors. */
#define PARSE pol_parse_hcl2
#include "parse_test.h"

static void test_blocks(void **state) {
    (void)state;
    assert_string_equal(
        J("resource \"aws_alb_listener\" \"my-alb-listener\" {\n  port     = \"80\"\n"
          "  protocol = \"HTTP\"\n}\n\nresource \"aws_db_security_group\" \"my-group\" {\n\n}\n"
          "resource \"azurerm_managed_disk\" \"source\" {\n  encryption_settings {\n"
          "    enabled = false\n  }\n}\n"),
        "{\"resource\":{\"aws_alb_listener\":{\"my-alb-listener\":[{\"port\":\"80\","
        "\"protocol\":\"HTTP\"}]},\"aws_db_security_group\":{\"my-group\":[{}]},"
        "\"azurerm_managed_disk\":{\"source\":[{\"encryption_settings\":[{\"enabled\":false}]}]}}"
        "}");
    assert_string_equal(J("b \"one\" \"two\" { x = 1 }\nb \"one\" \"three\" { x = 2 }\nb \"one\" "
                          "\"two\" { x = 3 }\n"
                          "single {}\nsingle { a = 1 }\n"),
                        "{\"b\":{\"one\":{\"three\":[{\"x\":2}],\"two\":[{\"x\":1},{\"x\":3}]}},"
                        "\"single\":[{},{\"a\":1}]}");
}

static void test_expressions(void **state) {
    (void)state;
    assert_string_equal(
        J("a = var.x\nb = \"hi ${var.name}!\"\nc = \"${ var.only }\"\nd = upper(\"x\")\n"
          "e = var.a ? \"y\" : \"n\"\nf = [for s in var.l : upper(s) if s != \"\"]\n"
          "g = 1 + 2 * 3\nh = -5\ni = !var.b\nj = var.l[0].name\nk = var.l[*].id\n"
          "l = \"${true}\"\nm = provider::aws::arn_parse(\"x\")\n"),
        "{\"a\":\"${var.x}\",\"b\":\"hi ${var.name}!\",\"c\":\"${var.only}\","
        "\"d\":\"${upper(\\\"x\\\")}\",\"e\":\"${var.a ? \\\"y\\\" : \\\"n\\\"}\","
        "\"f\":\"${[for s in var.l : upper(s) if s != \\\"\\\"]}\",\"g\":\"${1 + 2 * 3}\","
        "\"h\":-5,\"i\":\"${!var.b}\",\"j\":\"${var.l[0].name}\",\"k\":\"${var.l[*].id}\","
        "\"l\":true,\"m\":\"${provider::aws::arn_parse(\\\"x\\\")}\"}");
}

static void test_literals(void **state) {
    (void)state;
    assert_string_equal(
        J("n = null\nf = 1.5\nt = \"esc \\\"q\\\" \\\\ \\n \\u00e9\"\n"
          "q = \"$${lit} %%{x}\"\nl = [\n  1,\n  \"two\",\n]\n"
          "o = { \"quoted key\" = 1, bare = 2, (var.k) = 3\n  nl = 4 }\n"
          "h = <<EOT\nhello ${var.w}\n  world\nEOT\n"
          "i = <<-EOT\n    a\n      b\n    EOT\n"
          "v = merge(\n  var.a,\n  { x = 1 }\n)\n"),
        "{\"f\":1.5,\"h\":\"hello ${var.w}\\n  world\\n\",\"i\":\"a\\n  b\\n\","
        "\"l\":[1,\"two\"],\"n\":null,\"o\":{\"${(var.k)}\":3,\"bare\":2,\"nl\":4,"
        "\"quoted key\":1},\"q\":\"${lit} %{x}\",\"t\":\"esc \\\"q\\\" \\\\ \\n \u00e9\","
        "\"v\":\"${merge(\\n  var.a,\\n  { x = 1 }\\n)}\"}");
    assert_string_equal(J("# only comments\n/* and */ // more\n"), "{}");
    /* hcl2json: operators on literals are evaluated, type expressions kept */
    assert_string_equal(J("variable \"v\" {\n  type = list(string)\n  t2 = string\n}\n"
                          "a = !true\nb = - 2.5\nc = -var.x\nd = mapping.x\n"),
                        "{\"a\":false,\"b\":-2.5,\"c\":\"${-var.x}\",\"d\":\"mapping.x\","
                        "\"variable\":{\"v\":[{\"t2\":\"string\",\"type\":\"list(string)\"}]}}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a = \n", GH_EPARSE, 1);
    assert_null(J("a = \"open\n"));
    assert_null(J("b {\n a = 1\n"));
    assert_int_equal(E.line, 3);
    assert_null(J("a = 1 b = 2\n"));
    assert_null(J("a = [1 2]\n"));
    assert_null(J("h = <<EOT\nnever closed\n"));
    assert_null(J("a = (1\n"));
    assert_null(J("x = 1\nx \"l\" {}\n"));         /* labels under an attribute */
    assert_null(J("a = 1\nb { a = 2 }\na = 3\n")); /* attribute redefined */
    assert_int_equal(E.line, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_blocks),
        GH_TEST_ARENA(test_expressions),
        GH_TEST_ARENA(test_literals),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
