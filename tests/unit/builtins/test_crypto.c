/* test_crypto.c - the crypto family: OPA 0.61's recorded answers
 * (tests/differential/crypto.expect: hashes, HMAC, certificates, keys,
 * key pairs, CSRs, chain verification), the OPA 1.x
 * parse_and_verify_certificates_with_options (absent from 0.61, expected
 * values from OPA's documented semantics), SPIFFE IDs in URI SANs, random
 * and truncated DER, and arena exhaustion. Fixtures: tests/data/crypto. */

#include "../gh_test.h"

#include "crypto_diff.h"

#define T_NOW 1700000000000000000LL

static val_t *J(const char *json) {
    val_t *v;
    gh_err e;
    assert_int_equal(val_json_parse(&A, json, strlen(json), NULL, &v, &e), 0);
    return v;
}

static void test_differential(void **state) {
    (void)state;
    int passed, skipped;
    assert_int_equal(cd_replay("crypto", NULL, &passed, &skipped), 0);
    assert_true(passed >= 70);
}

/* with_options(chain, options) -> "valid:<n certs>" / "invalid" / "error: msg" */
static const char *verify_opts(const char *chain, const char *opts) {
    val_t *args[2] = {val_strc(&A, chain), J(opts)}, *out;
    gh_err e;
    int rc = cd_call(&A, "crypto.x509.parse_and_verify_certificates_with_options", args, &out, &e,
                     T_NOW);
    if (rc) return gh_arena_printf(&A, "error: %s", e.msg);
    if (val_arr_at(out, 0) != VAL_TRUE) return "invalid";
    return gh_arena_printf(&A, "valid:%zu", val_arr_len(val_arr_at(out, 1)));
}

static void test_verify_with_options(void **state) {
    (void)state;
    const char *root = cd_fixture("root.pem"), *inter = cd_fixture("inter.pem");
    const char *chain = gh_arena_printf(&A, "%s%s%s", root, inter, cd_fixture("leaf.pem"));
    const char *client = gh_arena_printf(&A, "%s%s%s", root, inter, cd_fixture("client.pem"));
    const char *expired = gh_arena_printf(&A, "%s%s%s", root, inter, cd_fixture("expired.pem"));
    assert_string_equal(verify_opts(chain, "{}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"web.prod.example.org\"}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"a.svc.example.org\"}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"a.b.svc.example.org\"}"), "invalid");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"other.example.org\"}"), "invalid");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"10.1.2.3\"}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"DNSName\":\"10.1.2.4\"}"), "invalid");
    /* the client certificate only allows clientAuth: Go's default usage is
     * ServerAuth */
    assert_string_equal(verify_opts(client, "{}"), "invalid");
    assert_string_equal(verify_opts(client, "{\"KeyUsages\":[\"KeyUsageClientAuth\"]}"), "valid:3");
    assert_string_equal(verify_opts(client, "{\"KeyUsages\":[\"KeyUsageAny\"]}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"KeyUsages\":[\"KeyUsageCodeSigning\"]}"), "invalid");
    /* time: the expired leaf was valid in 2020 */
    assert_string_equal(verify_opts(expired, "{}"), "invalid");
    assert_string_equal(verify_opts(expired, "{\"CurrentTime\":1590000000000000000}"), "valid:3");
    assert_string_equal(verify_opts(chain, "{\"CurrentTime\":1500000000000000000}"), "invalid");
    assert_string_equal(verify_opts(chain, "{\"MaxConstraintComparisons\":10}"), "valid:3");
    /* order: root first, leaf last; an intermediate as the anchor works */
    const char *rev = gh_arena_printf(&A, "%s%s%s", cd_fixture("leaf.pem"), inter, root);
    assert_string_equal(verify_opts(rev, "{}"), "invalid");
    assert_string_equal(verify_opts(gh_arena_printf(&A, "%s%s", inter, cd_fixture("leaf.pem")), "{}"),
                        "valid:2");
    /* option errors (OPA's messages) */
    assert_string_equal(verify_opts(chain, "{\"DNSName\":1}"),
                        "error: 'DNSName' should be a string");
    assert_string_equal(verify_opts(chain, "{\"CurrentTime\":\"x\"}"),
                        "error: 'CurrentTime' should be a number");
    assert_string_equal(verify_opts(chain, "{\"CurrentTime\":1.5}"),
                        "error: 'CurrentTime' should be a valid int64 number");
    assert_string_equal(verify_opts(chain, "{\"KeyUsages\":\"x\"}"),
                        "error: 'KeyUsages' should be an Array or Set");
    assert_string_equal(verify_opts(chain, "{\"KeyUsages\":[\"Nope\",\"KeyUsageAny\",\"Bad\"]}"),
                        "error: invalid entries for 'KeyUsages' found: [Nope Bad]");
    assert_string_equal(verify_opts(chain, "{\"Bogus\":1}"), "error: invalid key option");
    /* a chain that does not parse is invalid before options are read */
    assert_string_equal(verify_opts("junk", "{\"Bogus\":1}"), "invalid");
    /* no URIStrings on this variant, as OPA */
    val_t *args[2] = {val_strc(&A, chain), J("{}")}, *out;
    gh_err e;
    assert_int_equal(cd_call(&A, "crypto.x509.parse_and_verify_certificates_with_options", args,
                             &out, &e, T_NOW),
                     RB_OK);
    val_t *leaf = val_arr_at(val_arr_at(out, 1), 0);
    assert_null(val_obj_get_str(leaf, "URIStrings", 10));
}

static void test_spiffe(void **state) {
    (void)state;
    val_t *args[1] = {val_strc(&A, cd_fixture("leaf.pem"))}, *out;
    gh_err e;
    assert_int_equal(cd_call(&A, "crypto.x509.parse_certificates", args, &out, &e, T_NOW), RB_OK);
    val_t *c = val_arr_at(out, 0);
    assert_string_equal(val_to_json(&A, val_obj_get_str(c, "URIStrings", 10), 0),
                        "[\"spiffe://example.org/ns/prod/sa/web\"]");
    val_t *u = val_arr_at(val_obj_get_str(c, "URIs", 4), 0);
    assert_string_equal(val_to_json(&A, u, VAL_JSON_SORTED),
                        "{\"ForceQuery\":false,\"Fragment\":\"\",\"Host\":\"example.org\","
                        "\"OmitHost\":false,\"Opaque\":\"\",\"Path\":\"/ns/prod/sa/web\","
                        "\"RawFragment\":\"\",\"RawPath\":\"\",\"RawQuery\":\"\","
                        "\"Scheme\":\"spiffe\",\"User\":null}");
    assert_string_equal(val_to_json(&A, val_obj_get_str(c, "IPAddresses", 11), 0),
                        "[\"10.1.2.3\",\"2001:db8::7\"]");
    assert_string_equal(val_to_json(&A, val_obj_get_str(c, "ExtKeyUsage", 11), 0), "[1,2]");
    assert_string_equal(val_to_json(&A, val_obj_get_str(c, "SerialNumber", 12), 0),
                        "20988295479420645121");
}

/* Deterministic xorshift for the garbage tests. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_garbage(void **state) {
    (void)state;
    const char *pem = cd_fixture("leaf.pem");
    /* the DER of the leaf, then truncations and bit flips of it */
    gh_err e;
    rb_pem blk;
    size_t rest;
    assert_true(rb_pem_decode(&A, pem, strlen(pem), &blk, &rest));
    static const char *const fns[] = {
        "crypto.x509.parse_certificates", "crypto.x509.parse_and_verify_certificates",
        "crypto.x509.parse_certificate_request", "crypto.parse_private_keys"};
    gh_arena scratch;
    gh_arena_init(&scratch, 0);
    for (int round = 0; round < 600; round++) {
        gh_arena_reset(&scratch);
        size_t n = blk.der_len;
        unsigned char *d = gh_arena_alloc(&scratch, n);
        memcpy(d, blk.der, n);
        if (round % 3 == 0)
            n = next_rand() % n;
        else
            for (int k = 0; k < 1 + round % 4; k++)
                d[next_rand() % n] ^= (unsigned char)(1 << (next_rand() % 8));
        size_t bn;
        char *b64 = rb_b64_encode(&scratch, d, n, false, true, &bn);
        val_t *args[1] = {val_str(&scratch, b64, bn)}, *out;
        for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
            int rc = cd_call(&scratch, fns[f], args, &out, &e, T_NOW);
            if (!(rc == RB_OK || rc == GH_EINVAL)) printf("%s: rc %d: %s\n", fns[f], rc, e.msg);
            assert_true(rc == RB_OK || rc == GH_EINVAL);
        }
    }
    gh_arena_free(&scratch);
}

static void test_exhaustion(void **state) {
    (void)state;
    const char *chain = gh_arena_printf(&A, "%s%s%s", cd_fixture("root.pem"), cd_fixture("inter.pem"),
                                        cd_fixture("leaf.pem"));
    for (size_t budget = 2048; budget < 192 * 1024; budget += 6144) {
        gh_arena small;
        gh_arena_init(&small, budget);
        small.chunk_size = 1024;
        val_t *args[1] = {val_strc(&small, chain)}, *out;
        if (args[0]) {
            gh_err e;
            int rc =
                cd_call(&small, "crypto.x509.parse_and_verify_certificates", args, &out, &e, T_NOW);
            if (!(rc == RB_OK || rc == GH_ENOMEM))
                printf("budget %zu: rc %d: %s\n", budget, rc, e.msg);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            rc = cd_call(&small, "crypto.x509.parse_certificates", args, &out, &e, T_NOW);
            if (!(rc == RB_OK || rc == GH_ENOMEM))
                printf("budget %zu: rc %d: %s\n", budget, rc, e.msg);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
        }
        gh_arena_free(&small);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_verify_with_options),
        cmocka_unit_test(test_spiffe),       cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_exhaustion),
    };
    return GH_TEST_RUN_GROUP(tests);
}
