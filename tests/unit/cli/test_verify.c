/* test_verify.c - `gatehouse verify` (src/cli/cli_verify.c) on suites written
 * to a temporary directory: passing and failing assertions (yes/no/N,
 * message regex), inventory files, AdmissionReview objects, `invalid`
 * constraints, skips, and exit codes (0 pass, 1 fail, 2 missing path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

static char dir[64];

static void put(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int verify(const char *suite) {
    put("suite.yaml", suite);
    char path[128];
    snprintf(path, sizeof path, "%s", dir);
    char *argv[] = {"verify", "-q", path, NULL};
    fflush(stdout);
    return cli_verify(3, argv);
}

#define SUITE_HEAD                                                                       \
    "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata: {name: s}\n"        \
    "tests:\n- name: t\n  template: template.yaml\n  constraint: constraint.yaml\n"

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-verify-XXXXXX");
    assert_non_null(mkdtemp(dir));
    put("template.yaml",
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8snoname}\n"
        "spec:\n  crd:\n    spec:\n      names: {kind: K8sNoName}\n"
        "      validation: {openAPIV3Schema: {type: object, properties: {name: {type: string}}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n"
        "      package k8snoname\n"
        "      violation[{\"msg\": sprintf(\"name %v is taken\", [n])}] {\n"
        "        n := input.review.object.metadata.name\n"
        "        n == input.parameters.name\n"
        "      }\n"
        "      violation[{\"msg\": \"duplicate in inventory\"}] {\n"
        "        data.inventory.namespace[_][\"v1\"][\"ConfigMap\"][input.review.name]\n"
        "      }\n");
    put("constraint.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNoName\n"
                           "metadata: {name: no-foo}\nspec: {parameters: {name: foo}}\n");
    put("bad_constraint.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNoName\n"
                               "metadata: {name: bad}\nspec: {parameters: {name: 3}}\n");
    put("foo.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: foo, namespace: a}\n");
    put("bar.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bar, namespace: a}\n");
    put("inv.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bar, namespace: b}\n---\n"
                    "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
    put("review.yaml", "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"
                       "request:\n  operation: UPDATE\n  object: {apiVersion: v1, kind: ConfigMap,"
                       " metadata: {name: foo, namespace: a}}\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *names[] = {"template.yaml", "constraint.yaml", "bad_constraint.yaml", "foo.yaml",
                           "bar.yaml", "inv.yaml", "review.yaml", "suite.yaml"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static void test_passing(void **state) {
    (void)state;
    assert_int_equal(verify(SUITE_HEAD
                            "  cases:\n"
                            "  - name: taken\n    object: foo.yaml\n"
                            "    assertions: [{violations: yes}, {violations: 1}, "
                            "{message: 'name .* taken', violations: 1}, "
                            "{message: nomatch, violations: no}]\n"
                            "  - name: free\n    object: bar.yaml\n"
                            "    assertions: [{violations: no}]\n"
                            "  - name: inventory\n    object: bar.yaml\n    inventory: [inv.yaml]\n"
                            "    assertions: [{violations: 1, message: duplicate}]\n"
                            "  - name: review\n    object: review.yaml\n"
                            "    assertions: [{violations: \"1\"}]\n"
                            "  - name: skipped\n    skip: true\n    object: missing.yaml\n"),
                     CLI_OK);
    assert_int_equal(verify("kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\n"
                            "tests:\n- name: invalid\n  template: template.yaml\n"
                            "  constraint: bad_constraint.yaml\n  invalid: true\n"),
                     CLI_OK);
}

static void test_failing(void **state) {
    (void)state;
    assert_int_equal(verify(SUITE_HEAD "  cases:\n  - name: c\n    object: foo.yaml\n"
                                       "    assertions: [{violations: no}]\n"),
                     CLI_FAIL);
    assert_int_equal(verify(SUITE_HEAD "  cases:\n  - name: c\n    object: foo.yaml\n"
                                       "    assertions: [{violations: 2}]\n"),
                     CLI_FAIL);
    assert_int_equal(verify(SUITE_HEAD "  cases:\n  - name: c\n    object: foo.yaml\n"
                                       "    assertions: [{message: other}]\n"),
                     CLI_FAIL);
    assert_int_equal(verify(SUITE_HEAD "  cases:\n  - name: c\n    object: missing.yaml\n"),
                     CLI_FAIL);
    assert_int_equal(verify("kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\n"
                            "tests:\n- name: t\n  template: template.yaml\n"
                            "  constraint: bad_constraint.yaml\n"),
                     CLI_FAIL);
    assert_int_equal(verify("kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\n"
                            "tests: [\n"),
                     CLI_FAIL);
    char *argv[] = {"verify", "/nonexistent/gh-verify", NULL};
    assert_int_equal(cli_verify(2, argv), CLI_USAGE);
    char *argv2[] = {"verify", NULL};
    assert_int_equal(cli_verify(1, argv2), CLI_USAGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passing),
        cmocka_unit_test(test_failing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
