/* test_parse_spdx.c - unit tests of pol_parse_spdx (src/policy/parse_spdx.c):
 * tag-value SPDX into the SPDX 2.3 JSON shape (document, creation info,
 * packages with their files, relationships, licenses, annotations,
 * snippets), <text> values over lines, version conversion, errors. */
#define PARSE pol_parse_spdx
#include "parse_test.h"

static void test_conftest_case(void **state) {
    (void)state;
    /* conftest's parser/spdx test document */
    assert_string_equal(
        J("SPDXVersion: SPDX-2.2\nDataLicense: conftest-demo\nSPDXID: SPDXRef-DOCUMENT\n"
          "DocumentName: hello\n"
          "DocumentNamespace: https://swinslow.net/spdx-examples/example1/hello-v3\n"
          "Creator: Person: Steve Winslow (steve@swinslow.net)\n"
          "Creator: Tool: github.com/spdx/tools-golang/builder\n"
          "Created: 2021-08-26T01:46:00Z\n"),
        "{\"SPDXID\":\"SPDXRef-DOCUMENT\",\"creationInfo\":{\"created\":\"2021-08-26T01:46:00Z\","
        "\"creators\":[\"Person: Steve Winslow (steve@swinslow.net)\","
        "\"Tool: github.com/spdx/tools-golang/builder\"]},\"dataLicense\":\"conftest-demo\","
        "\"documentNamespace\":\"https://swinslow.net/spdx-examples/example1/hello-v3\","
        "\"name\":\"hello\",\"spdxVersion\":\"SPDX-2.3\"}");
}

static void test_sections(void **state) {
    (void)state;
    const char *src =
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n"
        "DocumentNamespace: https://x/d\nCreator: Tool: t\nCreated: 2021-01-01T00:00:00Z\n"
        "DocumentComment: <text>two\nlines</text>\n\n## a comment\n"
        "PackageName: p\nSPDXID: SPDXRef-p\nPackageVersion: 1.0\nPackageDownloadLocation: "
        "NOASSERTION\n"
        "PackageVerificationCode: abc (excludes: ./x.spdx)\nPackageChecksum: SHA1: 85ed\n"
        "PackageLicenseConcluded: MIT\nPackageLicenseInfoFromFiles: MIT\nPackageCopyrightText: "
        "NONE\n"
        "ExternalRef: SECURITY cpe23Type cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\nExternalRefComment: c\n"
        "FileName: ./f.c\nSPDXID: SPDXRef-f\nFileType: SOURCE\nFileChecksum: SHA1: 2029\n"
        "LicenseConcluded: MIT\nLicenseInfoInFile: MIT\nFileCopyrightText: NONE\n"
        "PackageName: q\nSPDXID: SPDXRef-q\nFilesAnalyzed: false\nPackageDownloadLocation: NONE\n"
        "PackageCopyrightText: NONE\n"
        "Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-p\nRelationshipComment: r\n"
        "LicenseID: LicenseRef-x\nExtractedText: <text>Some\nlicense</text>\nLicenseName: X\n"
        "Annotator: Person: Jane\nAnnotationDate: 2010-01-29T18:30:22Z\nAnnotationType: OTHER\n"
        "SPDXREF: SPDXRef-DOCUMENT\nAnnotationComment: ok\n";
    assert_string_equal(
        J(src),
        "{\"SPDXID\":\"SPDXRef-DOCUMENT\",\"annotations\":[{\"annotationDate\":\"2010-01-29T18:30:"
        "22Z\","
        "\"annotationType\":\"OTHER\",\"annotator\":\"Person: Jane\",\"comment\":\"ok\"}],"
        "\"comment\":\"two\\nlines\",\"creationInfo\":{\"created\":\"2021-01-01T00:00:00Z\","
        "\"creators\":[\"Tool: "
        "t\"]},\"dataLicense\":\"CC0-1.0\",\"documentNamespace\":\"https://x/d\","
        "\"hasExtractedLicensingInfos\":[{\"extractedText\":\"Some\\nlicense\",\"licenseId\":"
        "\"LicenseRef-x\","
        "\"name\":\"X\"}],\"name\":\"d\",\"packages\":[{\"SPDXID\":\"SPDXRef-p\",\"checksums\":[{"
        "\"algorithm\":\"SHA1\",\"checksumValue\":\"85ed\"}],\"copyrightText\":\"NONE\","
        "\"downloadLocation\":\"NOASSERTION\",\"externalRefs\":[{\"comment\":\"c\","
        "\"referenceCategory\":"
        "\"SECURITY\",\"referenceLocator\":\"cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\",\"referenceType\":"
        "\"cpe23Type\"}],"
        "\"files\":[{\"SPDXID\":\"SPDXRef-f\",\"checksums\":[{\"algorithm\":\"SHA1\","
        "\"checksumValue\":\"2029\"}],"
        "\"copyrightText\":\"NONE\",\"fileName\":\"./"
        "f.c\",\"fileTypes\":[\"SOURCE\"],\"licenseConcluded\":"
        "\"MIT\",\"licenseInfoInFiles\":[\"MIT\"]}],\"filesAnalyzed\":true,\"licenseConcluded\":"
        "\"MIT\","
        "\"licenseInfoFromFiles\":[\"MIT\"],\"name\":\"p\",\"packageVerificationCode\":{"
        "\"packageVerificationCodeExcludedFiles\":[\"./"
        "x.spdx\"],\"packageVerificationCodeValue\":\"abc\"},"
        "\"versionInfo\":\"1.0\"},{\"SPDXID\":\"SPDXRef-q\",\"copyrightText\":\"NONE\","
        "\"downloadLocation\":"
        "\"NONE\",\"name\":\"q\"}],\"relationships\":[{\"comment\":\"r\",\"relatedSpdxElement\":"
        "\"SPDXRef-p\","
        "\"relationshipType\":\"DESCRIBES\",\"spdxElementId\":\"SPDXRef-DOCUMENT\"}],"
        "\"spdxVersion\":\"SPDX-2.3\"}");
}

static void test_snippets(void **state) {
    (void)state;
    assert_string_equal(
        J("SPDXVersion: SPDX-2.3\nSnippetSPDXID: SPDXRef-s\nSnippetFromFileSPDXID: SPDXRef-f\n"
          "SnippetByteRange: 310:420\nSnippetLineRange: 5:23\nSnippetLicenseConcluded: MIT\n"
          "SnippetCopyrightText: NONE\n"),
        "{\"SPDXID\":\"\",\"creationInfo\":{\"created\":\"\",\"creators\":null},"
        "\"dataLicense\":\"\",\"documentNamespace\":\"\",\"name\":\"\",\"snippets\":[{"
        "\"SPDXID\":\"SPDXRef-s\",\"copyrightText\":\"NONE\",\"licenseConcluded\":\"MIT\","
        "\"ranges\":[{\"endPointer\":{\"offset\":420,\"reference\":\"SPDXRef-f\"},"
        "\"startPointer\":{\"offset\":310,\"reference\":\"SPDXRef-f\"}},{\"endPointer\":{"
        "\"lineNumber\":23,\"reference\":\"SPDXRef-f\"},\"startPointer\":{\"lineNumber\":5,"
        "\"reference\":\"SPDXRef-f\"}}],\"snippetFromFile\":\"SPDXRef-f\"}],"
        "\"spdxVersion\":\"SPDX-2.3\"}");
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("SPDXVersion: SPDX-2.3\nNotATag: x\n", GH_EPARSE, 2);
    assert_null(J("SPDXVersion: SPDX-2.3\nno colon here\n"));
    assert_int_equal(E.line, 2);
    assert_null(J("DataLicense: CC0-1.0\n")); /* no version */
    assert_null(J("SPDXVersion: SPDX-9.9\n"));
    assert_null(J("SPDXVersion: SPDX-2.3\nDocumentComment: <text>never closed\n"));
    assert_null(J("SPDXVersion: SPDX-2.3\nRelationship: only-two WORDS\n"));
    assert_null(J("SPDXVersion: SPDX-2.3\nPackageName: p\nPackageChecksum: nocolon\n"));
    assert_int_equal(E.line, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_conftest_case),
        GH_TEST_ARENA(test_sections),
        GH_TEST_ARENA(test_snippets),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
