/* test_parse_xml.c - unit tests of pol_parse_xml (src/policy/parse_xml.c):
 * the clbanning/mxj shape conftest gives XML (attributes "-name", text
 * "#text", repeated elements as arrays, prefixes dropped), no entity
 * expansion, errors with line:col. */
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
    if (pol_parse_xml(&A, src, strlen(src), "t.xml", &v, &E)) return NULL;
    return val_to_json(&A, v, VAL_JSON_SORTED);
}

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
    assert_null(J("<a>\n  <b></a>"));
    assert_int_equal(E.code, GH_EPARSE);
    assert_int_equal(E.line, 2);
    assert_null(J(""));
    assert_int_equal(E.code, GH_EPARSE);
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
        cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
