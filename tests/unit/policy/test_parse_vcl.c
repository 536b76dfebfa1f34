/* test_parse_vcl.c - unit tests of pol_parse_vcl (src/policy/parse_vcl.c):
 * go-vcl's map shape (top-level blocks by type and label, attributes, nested
 * blocks single or listed), its token rules (60s -> 60, '-' splits names),
 * statements that leave no trace, errors. */
#define PARSE pol_parse_vcl
#include "parse_test.h"

static void test_backends(void **state) {
    (void)state;
    assert_string_equal(
        J("acl purge {\n\t\"127.0.0.1\";\n\t\"localhost\";\n}\n\n"
          "backend default {\n    .host = \"127.0.0.1\";\n    .port = \"8080\";\n"
          "    .connect_timeout = 60s;\n    .max_connections = 800;\n"
          "    .probe = {\n        .url = \"/health\";\n        .interval = 5s;\n    }\n}\n"
          "backend other { .host = \"10.0.0.2\"; }\n"),
        "{\"acl\":{\"purge\":{}},\"backend\":{\"default\":{\".connect_timeout\":60,"
        "\".host\":\"127.0.0.1\",\".max_connections\":800,\".port\":\"8080\","
        "\".probe\":{\".interval\":5,\".url\":\"\\\"/"
        "health\"}},\"other\":{\".host\":\"10.0.0.2\"}}}");
}

static void test_labels_and_nesting(void **state) {
    (void)state;
    /* go-vcl's decoder tests: attributes and single blocks */
    assert_string_equal(J("x = hello;\ny = bye"), "{\"x\":\"hello\",\"y\":\"bye\"}");
    assert_string_equal(J("acl hello {x = \"test\"}"), "{\"acl\":{\"hello\":{\"x\":\"test\"}}}");
    assert_string_equal(J("acl hello {\n\tx = \"test\";\n}\n\nacl bye {\n\ty = \"keke\";\n}\n"),
                        "{\"acl\":{\"bye\":{\"y\":\"keke\"},\"hello\":{\"x\":\"test\"}}}");
    /* extra labels nest; several nested blocks of a type form a list */
    assert_string_equal(
        J("director my_dir random {\n .quorum = 50%;\n .retries = 3;\n"
          " { .backend = K_backend1; .weight = 1; }\n}\n"
          "table t { \"username\": \"keke\", \"n\": 5 }\n"
          "sub s { acl a x { v = 1 } acl b y { v = 2 } }\n"),
        "{\"director\":{\"my_dir\":{\"random\":{\".quorum\":\"50%\",\".retries\":3}}},"
        "\"sub\":{\"s\":{\"acl\":[{\"x\":{\"a\":{\"v\":1}}},{\"y\":{\"b\":{\"v\":2}}}]}},"
        "\"table\":{\"t\":{\"n\":null,\"username\":\"keke\"}}}");
}

static void test_sub_statements(void **state) {
    (void)state;
    /* set/if/return/call leave only what go-vcl's loose parse assigns */
    assert_string_equal(J("sub vcl_recv {\n    set req.grace = 2m;\n"
                          "    set req.http.X-Forwarded-For = client.ip;\n"
                          "    if (req.url ~ \"^/admin\") {\n        return (pass);\n    }\n"
                          "    call other;\n    /* block comment */\n    # hash comment\n"
                          "    return (lookup);\n}\n// trailing comment without newline"),
                        "{\"sub\":{\"vcl_recv\":{\"For\":\"client.ip\",\"req.grace\":2}}}");
    assert_string_equal(J(""), "{}");
}

static void test_errors(void **state) {
    (void)state;
    assert_null(J("backend {\n .host = \"h\";\n}\n")); /* top-level block without a name */
    assert_int_equal(E.code, GH_EPARSE);
    assert_int_equal(E.line, 1);
    assert_null(J("backend b"));
    J_ERR("x = (1 + 2);", GH_EPARSE, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_backends),
        GH_TEST_ARENA(test_labels_and_nesting),
        GH_TEST_ARENA(test_sub_statements),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
