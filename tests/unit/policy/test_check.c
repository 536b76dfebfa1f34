/* test_check.c - unit tests of the conftest-style checker (src/policy/check.c):
 * rule selection (deny/violation/warn with _suffix), success counting per
 * rule definition, string and object results with metadata, exceptions,
 * multi-document arrays, namespace globs and errors for bad results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "rego/rego.h"

static gh_arena A;
static gh_err E;
static rego_policy *P;
static pol_check *C;

static const char *MOD_MAIN =
    "package main\n"
    "deny contains msg if { input.kind == \"Deployment\"; msg := \"no deployments\" }\n"
    "deny contains msg if { input.root; msg := \"no root\" }\n"
    "warn contains {\"msg\": \"a warning\", \"severity\": \"low\"} if input.kind == \"Service\"\n"
    "violation_labels contains msg if { not input.labels; msg := \"labels missing\" }\n"
    "deny_run_as_root contains \"root in pod\" if input.pod_root\n"
    "exception contains [\"run_as_root\"] if input.name == \"allowed\"\n"
    "denyx := 1\n"
    "not_a_rule contains \"x\" if true\n";
static const char *MOD_OTHER = "package other.sub\n"
                               "deny contains \"other\" if true\n"
                               "bad contains \"x\" if true\n";
static const char *MOD_BAD = "package badmsg\n"
                             "deny contains {\"message\": \"no msg key\"} if true\n";

static int setup(void **state) {
    (void)state;
    gh_arena_init(&A, 0);
    P = rego_policy_new();
    assert_non_null(P);
    const char *mods[] = {MOD_MAIN, MOD_OTHER, MOD_BAD};
    const char *names[] = {"main.rego", "other.rego", "bad.rego"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rego_policy_add_module(P, names[i], mods[i], strlen(mods[i]), NULL, &E),
                         0);
    assert_int_equal(rego_policy_compile(P, NULL, &E), 0);
    C = pol_check_new(P);
    assert_non_null(C);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pol_check_add_module(C, names[i], mods[i], strlen(mods[i]), NULL, &E), 0);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    pol_check_free(C);
    rego_policy_free(P);
    gh_arena_free(&A);
    return 0;
}

static val_t *J(const char *s) {
    val_t *v = NULL;
    assert_int_equal(val_json_parse(&A, s, strlen(s), NULL, &v, NULL), 0);
    return v;
}

static pol_check_result R(const char *ns, const char *input) {
    pol_check_result r;
    memset(&r, 0, sizeof r);
    r.file = "f";
    r.ns = ns;
    gh_err_clear(&E);
    assert_int_equal(pol_check_eval(C, &A, ns, J(input), &r, &E), 0);
    return r;
}

static void test_namespaces(void **state) {
    (void)state;
    assert_int_equal(pol_check_nnamespaces(C), 3);
    assert_string_equal(pol_check_namespace(C, 0), "badmsg");
    assert_string_equal(pol_check_namespace(C, 1), "main");
    assert_string_equal(pol_check_namespace(C, 2), "other.sub");
    assert_true(pol_check_ns_match("main", "main"));
    assert_false(pol_check_ns_match("mai", "main"));
    assert_true(pol_check_ns_match("*", "other.sub"));
    assert_true(pol_check_ns_match("o*b", "other.sub"));
    assert_true(pol_check_ns_match("m?in", "main"));
    assert_false(pol_check_ns_match("c*", "main"));
}

static void test_counts(void **state) {
    (void)state;
    /* 2 deny definitions + warn + violation_labels + deny_run_as_root = 5 */
    pol_check_result r = R("main", "{\"kind\": \"Pod\", \"labels\": {}}");
    assert_int_equal(r.successes, 5);
    assert_int_equal(r.nfailures + r.nwarnings + r.nexceptions, 0);
    r = R("main", "{\"kind\": \"Deployment\"}");
    assert_int_equal(r.nfailures, 2); /* no deployments, labels missing */
    assert_string_equal(r.failures[0].msg, "no deployments");
    assert_string_equal(r.failures[1].msg, "labels missing");
    assert_int_equal(r.successes, 3); /* the second deny, warn, deny_run_as_root */
    r = R("main", "{\"kind\": \"Service\", \"labels\": 1}");
    assert_int_equal(r.nwarnings, 1);
    assert_string_equal(r.warnings[0].msg, "a warning");
    const char *meta = val_to_json(&A, r.warnings[0].metadata, VAL_JSON_SORTED);
    assert_string_equal(meta, "{\"query\":\"data.main.warn\",\"severity\":\"low\"}");
}

static void test_exceptions_and_arrays(void **state) {
    (void)state;
    pol_check_result r = R("main", "{\"pod_root\": true, \"labels\": 1}");
    assert_int_equal(r.nfailures, 1);
    assert_string_equal(r.failures[0].msg, "root in pod");
    r = R("main", "{\"pod_root\": true, \"labels\": 1, \"name\": \"allowed\"}");
    assert_int_equal(r.nfailures, 0);
    assert_int_equal(r.nexceptions, 1);
    assert_string_equal(r.exceptions[0].msg, "data.main.exception[_][_] == \"run_as_root\"");
    /* an array input is evaluated per element and aggregated */
    r = R("main", "[{\"kind\": \"Deployment\", \"labels\": 1}, {\"root\": true, \"labels\": 1}]");
    assert_int_equal(r.nfailures, 2);
    assert_int_equal(r.successes, 8);
    /* absent namespace: no tests */
    r = R("nothere", "{}");
    assert_int_equal(r.successes + r.nfailures, 0);
    r = R("other.sub", "{}");
    assert_int_equal(r.nfailures, 1);
}

static void test_bad_result(void **state) {
    (void)state;
    pol_check_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(pol_check_eval(C, &A, "badmsg", J("{}"), &r, &E), GH_EINVAL);
    assert_non_null(strstr(E.msg, "\"msg\" field must be present and a string"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exceptions_and_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_result, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
