/* test_parse_cyclonedx.c - unit tests of pol_parse_cyclonedx
 * (src/policy/parse_cyclonedx.c): JSON BOMs unchanged, XML BOMs mapped to
 * the CycloneDX JSON shape (wrappers as arrays, hashes, licenses,
 * properties, dependencies), no entity expansion, errors. */
#define PARSE pol_parse_cyclonedx
#include "parse_test.h"

static void test_json(void **state) {
    (void)state;
    assert_string_equal(
        J("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\", \"version\": 1,"
          " \"metadata\": {\"component\": {\"version\": \"sha256:d7ec\", \"hashes\": []}},"
          " \"components\": []}"),
        "{\"bomFormat\":\"CycloneDX\",\"components\":[],\"metadata\":{\"component\":{"
        "\"hashes\":[],\"version\":\"sha256:d7ec\"}},\"specVersion\":\"1.3\",\"version\":1}");
    J_ERR("[1, 2]", GH_EPARSE, 0);
}

static void test_xml(void **state) {
    (void)state;
    const char *src =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<bom xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "serialNumber=\"urn:uuid:b073\" "
        "version=\"1\" xmlns=\"http://cyclonedx.org/schema/bom/1.3\">\n"
        "  <metadata>\n    <timestamp>2021-11-26T07:47:14Z</timestamp>\n"
        "    <tools>\n      <tool>\n        <vendor>anchore</vendor>\n        <name>syft</name>\n"
        "        <hashes />\n      </tool>\n    </tools>\n"
        "    <component type=\"container\">\n      <name>busybox</name>\n"
        "      <version>sha256:d7ec</version>\n      <hashes />\n      <components />\n"
        "    </component>\n  </metadata>\n"
        "  <components>\n    <component type=\"library\" bom-ref=\"pkg:npm/a@1\">\n"
        "      <name>a</name>\n      <hashes><hash alg=\"SHA-256\">abc</hash></hashes>\n"
        "      <licenses><license><id>MIT</id></license><expression>MIT OR "
        "X</expression></licenses>\n"
        "      <properties><property name=\"p\">v</property></properties>\n"
        "      <externalReferences><reference type=\"vcs\"><url>https://g</url></reference>"
        "</externalReferences>\n    </component>\n  </components>\n"
        "  <dependencies><dependency ref=\"pkg:npm/a@1\"><dependency ref=\"pkg:npm/b@1\"/>"
        "</dependency></dependencies>\n</bom>\n";
    assert_string_equal(
        J(src),
        "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"bom-ref\":\"pkg:npm/"
        "a@1\",\"externalReferences\":[{"
        "\"type\":\"vcs\",\"url\":\"https://"
        "g\"}],\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"abc\"}],"
        "\"licenses\":[{\"license\":{\"id\":\"MIT\"}},{\"expression\":\"MIT OR "
        "X\"}],\"name\":\"a\","
        "\"properties\":[{\"name\":\"p\",\"value\":\"v\"}],\"type\":\"library\"}],\"dependencies\":"
        "[{"
        "\"dependsOn\":[\"pkg:npm/b@1\"],\"ref\":\"pkg:npm/a@1\"}],\"metadata\":{\"component\":{"
        "\"name\":\"busybox\",\"type\":\"container\",\"version\":\"sha256:d7ec\"},\"timestamp\":"
        "\"2021-11-26T07:47:14Z\",\"tools\":[{\"name\":\"syft\",\"vendor\":\"anchore\"}]},"
        "\"serialNumber\":\"urn:uuid:b073\",\"specVersion\":\"1.3\",\"version\":1}");
    /* 1.5 tools hold components; repeated plain children become arrays */
    assert_string_equal(
        J("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" version=\"2\"><metadata>"
          "<tools><components><component type=\"application\"><name>t</name></component>"
          "</components></tools><supplier><url>a</url><url>b</url></supplier></metadata></bom>"),
        "{\"bomFormat\":\"CycloneDX\",\"metadata\":{\"supplier\":{\"url\":[\"a\",\"b\"]},"
        "\"tools\":{\"components\":[{\"name\":\"t\",\"type\":\"application\"}]}},"
        "\"specVersion\":\"1.5\",\"version\":2}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("<bom", GH_EPARSE, 1);
    assert_null(J("<notabom/>"));
    assert_null(J("neither json nor xml"));
    /* external entities are not loaded */
    const char *j =
        J("<!DOCTYPE b [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><bom><a>&e;</a></bom>");
    assert_non_null(j);
    assert_null(strstr(j, "root:"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_json),
        GH_TEST_ARENA(test_xml),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
