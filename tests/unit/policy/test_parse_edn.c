/* test_parse_edn.c - unit tests of pol_parse_edn (src/policy/parse_edn.c):
 * conftest's EDN shape (keys and non-string scalars as Go %v text, vectors
 * and lists as arrays), tags, discards, comments, errors with line:col. */
#define PARSE pol_parse_edn
#include "parse_test.h"

static void test_conftest_cases(void **state) {
    (void)state;
    /* the two cases of conftest's parser/edn test */
    assert_string_equal(J("{:sample true}"), "{\":sample\":\"true\"}");
    assert_string_equal(
        J("{;; This is a comment and should be ignored by the parser\n"
          ":sample1 \"my-username\",\n:sample2 false,\n:sample3 5432}"),
        "{\":sample1\":\"my-username\",\":sample2\":\"false\",\":sample3\":\"5432\"}");
}

static void test_scalars(void **state) {
    (void)state;
    assert_string_equal(
        J("[nil 1.5 1000000.0 0.00001 123456.0 -7 +3 \\a \\newline sym :k/w 12N 0.5M]"),
        "[\"\\u003cnil\\u003e\",\"1.5\",\"1e+06\",\"1e-05\",\"123456\",\"-7\",\"3\",\"97\",\"10\","
        "\"sym\",\":k/w\",\"12\",\"0.5\"]");
    assert_string_equal(J("\"only a string\""), "\"only a string\"");
    assert_string_equal(J("\"esc \\\"q\\\" \\u00e9\\n\""), "\"esc \\\"q\\\" \u00e9\\n\"");
}

static void test_collections(void **state) {
    (void)state;
    /* sets and maps that are values are printed as Go maps, keys sorted */
    assert_string_equal(
        J("{:f #{:b :a} :l (1 [2 \"x\"]) 5 {:in 1}}"),
        "{\"5\":{\":in\":\"1\"},\":f\":\"map[:a:true :b:true]\",\":l\":[\"1\",[\"2\",\"x\"]]}");
    assert_string_equal(J("{[1 2] :v {:a 1} :m}"), "{\"[1 2]\":\":v\",\"map[:a:1]\":\":m\"}");
    assert_string_equal(J("{:a #_ :skipped :b}"), "{\":a\":\":b\"}");
    assert_string_equal(J("{:k 1} {:ignored 2}"), "{\":k\":\"1\"}");
}

static void test_tags(void **state) {
    (void)state;
    assert_string_equal(
        J("{:t #inst \"2032-01-01T12:20:50.52Z\" :o #inst \"2020-05-01T10:00:00+02:00\"}"),
        "{\":o\":\"2020-05-01 10:00:00 +0200 +0200\","
        "\":t\":\"2032-01-01 12:20:50.52 +0000 UTC\"}");
    assert_string_equal(J("[#duration \"20m\" #n 5 #base64 \"aGk=\"]"),
                        "[\"#duration 20m\",\"#n %!s(int64=5)\",\"[104 105]\"]");
}

static void test_sample_config(void **state) {
    (void)state;
    const char *src =
        ";; Sample configuration for myapp.\n"
        "{:db {:user \"u\" :port 5432}\n"
        " :myapp {:features #{:admin-panel :keyboard-shortcuts} #_:all\n"
        "         :foo {:api-keys [\"key1\" \"key2\"] :recheck-frequency #duration \"20m\"}}\n"
        " :log :debug\n :env :production}\n";
    assert_string_equal(J(src),
                        "{\":db\":{\":port\":\"5432\",\":user\":\"u\"},\":env\":\":production\","
                        "\":log\":\":debug\",\":myapp\":{\":features\":\"map[:admin-panel:true "
                        ":keyboard-shortcuts:true]\",\":foo\":{\":api-keys\":[\"key1\",\"key2\"],"
                        "\":recheck-frequency\":\"#duration 20m\"}}}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("{:a 1", GH_EPARSE, 0);
    J_ERR("{:a 1 :b}", GH_EPARSE, 0);
    assert_null(J("\n\n  \"open"));
    assert_int_equal(E.line, 3);
    assert_null(J("[1 2)"));
    assert_null(J(""));
    assert_null(J("#inst \"yesterday\""));
    assert_null(J("99999999999999999999"));
    /* nesting beyond the limit is refused, not a crash */
    size_t n = 3 * 1000;
    char *deep = malloc(n + 1);
    assert_non_null(deep);
    memset(deep, '[', n);
    deep[n] = 0;
    J_ERR(deep, GH_ELIMIT, 0);
    free(deep);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_conftest_cases), GH_TEST_ARENA(test_scalars),
        GH_TEST_ARENA(test_collections),    GH_TEST_ARENA(test_tags),
        GH_TEST_ARENA(test_sample_config),  GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
