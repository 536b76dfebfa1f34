/* test_aws.c - providers.aws.sign_req: OPA 0.61's recorded answers
 * (tests/differential/aws.expect), OPA 1.x's disable_payload_signing
 * (expected signature computed independently from the SigV4 spec), and the
 * secret key never appearing in results or errors. */

#include "../gh_test.h"

#include "crypto_diff.h"

static void test_differential(void **state) {
    (void)state;
    static const bd_known known[] = {
        {"providers.aws.sign_req({\"method\":\"PUT\",\"url\":\"https://b.s3.amazonaws.com/k\"",
         "OPA 1.x disable_payload_signing (0.61 ignores it)"},
        {"providers.aws.sign_req({\"method\":\"GET\",\"url\":\"https://h/"
         "x\",\"cache_ignored_headers\"",
         "OPA 1.x http.send key cache_ignored_headers"},
        {NULL, NULL},
    };
    int passed, skipped;
    assert_int_equal(cd_replay("aws", known, &passed, &skipped), 0);
    assert_true(passed >= 17);
}

static void test_unsigned_payload(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *line =
        "providers.aws.sign_req({\"method\":\"PUT\",\"url\":\"https://b.s3.amazonaws.com/k\","
        "\"raw_body\":\"data\"}, {\"aws_access_key\":\"A\",\"aws_secret_access_key\":\"S\","
        "\"aws_service\":\"s3\",\"aws_region\":\"r\",\"disable_payload_signing\":true}, "
        "1700000000000000000)";
    const char *got = cd_run(&a, line, 0);
    assert_non_null(strstr(got, "\"x-amz-content-sha256\":\"UNSIGNED-PAYLOAD\""));
    assert_non_null(strstr(got,
                           "Signature=e0ee99590b9596f9b62c097b30db685709ba2c8503735f32ce12554ad2df"
                           "833a"));
    got = cd_run(&a,
                 "providers.aws.sign_req({\"method\":\"GET\",\"url\":\"https://h\"}, "
                 "{\"aws_access_key\":\"A\",\"aws_secret_access_key\":\"S\",\"aws_service\":\"s3\","
                 "\"aws_region\":\"r\",\"disable_payload_signing\":\"yes\"}, 0)",
                 0);
    assert_string_equal(got, "error: eval_type_error: operand 2 invalid value for "
                             "'disable_payload_signing' in AWS config");
    gh_arena_free(&a);
}

static void test_secret_not_leaked(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    static const char *const lines[] = {
        "providers.aws.sign_req({\"method\":\"GET\",\"url\":\"https://h/p\"}, "
        "{\"aws_access_key\":\"A\","
        "\"aws_secret_access_key\":\"TOPSECRETKEY\",\"aws_service\":\"sts\",\"aws_region\":\"r\"}, "
        "0)",
        "providers.aws.sign_req({\"method\":\"GET\",\"url\":\"https://h/%zz\"}, "
        "{\"aws_access_key\":\"A\","
        "\"aws_secret_access_key\":\"TOPSECRETKEY\",\"aws_service\":\"sts\",\"aws_region\":\"r\"}, "
        "0)",
        "providers.aws.sign_req({\"method\":\"GET\"}, {\"aws_access_key\":\"A\","
        "\"aws_secret_access_key\":\"TOPSECRETKEY\",\"aws_service\":\"sts\",\"aws_region\":\"r\"}, "
        "0)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        assert_null(strstr(cd_run(&a, lines[i], 0), "TOPSECRETKEY"));
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_unsigned_payload),
        cmocka_unit_test(test_secret_not_leaked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
