/* test_parse_xml.c - unit tests of pol_parse_xml (src/policy/parse_xml.c):
 * the clbanning/mxj shape conftest gives XML (attributes "-name", text
 * "#text", repeated elements as arrays, prefixes dropped), no entity
 * expansion, errors with line:col. */
#define PARSE pol_parse_xml
#define PARSE_FILE "t.xml"
#include "parse_test.h"

static void test_shape(void **state) {
    (void)state;
    assert_string_equal(J("<?xml version=\"1.0\"?>\n<project xmlns=\"urn:x\" xmlns:xsi=\"urn:y\" "
                          "xsi:schemaLocation=\"s\">\n  <version> 1.0 </version>\n  <empty/>\n"
                          "  <plugins><plugin><id>a</id></plugin><plugin><id>b</id>"
                          "</plugin></plugins>\n</project>\n"),
                        "{\"project\":{\"-schemaLocation\":\"s\",\"-xmlns\":\"urn:x\","
                        "\"-xsi\":\"urn:y\",\"empty\":\"\",\"plugins\":"
                        "{\"plugin\":[{\"id\":\"a\"},{\"id\":\"b\"}]},\"version\":\"1.0\"}}");
    assert_string_equal(J("<a x=\"1\">text<!-- c --><b>2</b><![CDATA[ [cd] ]]></a>"),
                        "{\"a\":{\"#text\":\"text [cd]\",\"-x\":\"1\",\"b\":\"2\"}}");
    assert_string_equal(J("<r><i>1</i><j/><i>2</i><i>3</i></r>"),
                        "{\"r\":{\"i\":[\"1\",\"2\",\"3\"],\"j\":\"\"}}");
    assert_string_equal(J("<r>&apos;&#65;</r>"), "{\"r\":\"'A\"}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("<a>\n  <b></a>", GH_EPARSE, 2);
    J_ERR("", GH_EPARSE, 0);
    /* entities are never expanded (no billion laughs) and DTDs never fetched */
    const char *lol = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
                      "<r>&b;</r>";
    const char *j = J(lol);
    assert_non_null(j);
    assert_null(strstr(j, "aaaa"));
    assert_non_null(J("<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><r>1</r>"));
    /* nesting beyond the limit */
    char *deep = malloc(20 * (GH_MAX_DEPTH + 10));
    size_t n = 0;
    for (int i = 0; i < GH_MAX_DEPTH + 5; i++)
        n += (size_t)sprintf(deep + n, "<a>");
    for (int i = 0; i < GH_MAX_DEPTH + 5; i++)
        n += (size_t)sprintf(deep + n, "</a>");
    assert_null(J(deep)); /* libxml2's own depth limit may come first */
    assert_true(E.code == GH_ELIMIT || E.code == GH_EPARSE);
    free(deep);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_shape),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
