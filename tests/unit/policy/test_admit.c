/* test_admit.c - unit tests of pol_admit (src/policy/gk_admit.c): a real
 * API-server AdmissionReview (vectors/admissionreview-pod.json) and the
 * gatekeeper-library AdmissionReview samples; deny/warn/dryrun actions,
 * uid/apiVersion echo, 403 message lines, fail-closed and fail-open. */
#include "../gh_test.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#define LIB GH_SHARED_DIR "/corpora/gatekeeper-library"

static val_t *load(const char *path) {
    char *text;
    size_t len;
    gh_err e = {0};
    assert_int_equal(gh_read_file(path, 1 << 24, &text, &len, &e), 0);
    val_t **docs;
    size_t n;
    assert_int_equal(val_yaml_load(&A, text, len, NULL, &docs, &n, &e), 0);
    gh_free(text);
    assert_int_equal(n, 1);
    return docs[0];
}

static val_t *yaml(const char *text) {
    val_t **docs;
    size_t n;
    gh_err e = {0};
    assert_int_equal(val_yaml_load(&A, text, strlen(text), NULL, &docs, &n, &e), 0);
    return docs[0];
}

static const val_t *get(const val_t *o, const char *k) {
    return o && val_kind_of(o) == VAL_OBJECT ? val_obj_get_str(o, k, strlen(k)) : NULL;
}
static const char *gets(const val_t *o, const char *k) {
    const val_t *v = get(o, k);
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}

/* The allowedrepos template with its sample constraint, whose action is set. */
static pol_gk *repos_model(const char *action) {
    pol_gk *g = pol_gk_new();
    gh_err e = {0};
    assert_int_equal(pol_gk_add_template(g, load(LIB "/general/allowedrepos/template.yaml"), NULL,
                                         &e),
                     0);
    char buf[1024];
    snprintf(buf, sizeof buf,
             "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\n"
             "metadata: {name: repo-is-openpolicyagent}\n"
             "spec:\n  enforcementAction: %s\n  match:\n    kinds: [{apiGroups: [''], kinds: "
             "[Pod]}]\n    namespaces: [default]\n  parameters: {repos: [openpolicyagent/]}\n",
             action);
    assert_int_equal(pol_gk_add_constraint(g, yaml(buf), NULL, &e), 0);
    return g;
}

static void test_vector_denied(void **state) {
    (void)state;
    pol_gk *g = repos_model("deny");
    val_t *req = load(GH_SHARED_DIR "/vectors/admissionreview-pod.json");
    val_t *out;
    bool errored = true;
    gh_err e = {0};
    assert_int_equal(pol_admit(g, &A, req, NULL, &out, &errored, &e), 0);
    assert_false(errored);
    assert_string_equal(gets(out, "apiVersion"), "admission.k8s.io/v1");
    assert_string_equal(gets(out, "kind"), "AdmissionReview");
    const val_t *resp = get(out, "response");
    assert_string_equal(gets(resp, "uid"), "39b56036-a356-4014-9117-cf64aadbb3f4");
    assert_true(get(resp, "allowed") == VAL_FALSE);
    const val_t *st = get(resp, "status");
    int64_t code = 0;
    assert_true(val_num_to_int64(get(st, "code"), &code));
    assert_int_equal(code, 403);
    const char *msg = gets(st, "message");
    assert_non_null(msg);
    assert_true(!strncmp(msg, "[repo-is-openpolicyagent] container <debug> has an invalid image "
                              "repo <alpine:3.10>",
                         70));
    assert_null(get(resp, "warnings"));
    pol_gk_free(g);
}

static void test_warn_and_dryrun(void **state) {
    (void)state;
    val_t *req = load(GH_SHARED_DIR "/vectors/admissionreview-pod.json");
    val_t *out;
    gh_err e = {0};
    pol_gk *g = repos_model("warn");
    assert_int_equal(pol_admit(g, &A, req, NULL, &out, NULL, &e), 0);
    const val_t *resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_TRUE);
    assert_null(get(resp, "status"));
    const val_t *w = get(resp, "warnings");
    assert_non_null(w);
    assert_int_equal(val_arr_len(w), 1);
    assert_true(!strncmp(val_str_ptr(val_arr_at(w, 0)), "[repo-is-openpolicyagent] ", 26));
    pol_gk_free(g);
    g = repos_model("dryrun");
    assert_int_equal(pol_admit(g, &A, req, NULL, &out, NULL, &e), 0);
    resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_TRUE);
    assert_null(get(resp, "warnings"));
    pol_gk_free(g);
}

/* Gatekeeper library AdmissionReview sample: psp volume types on UPDATE is
 * not checked (the template skips updates), and the same object as CREATE is. */
static void test_library_admission_review(void **state) {
    (void)state;
    const char *dir = LIB "/pod-security-policy/volumes";
    pol_gk *g = pol_gk_new();
    gh_err e = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/template.yaml", dir);
    assert_int_equal(pol_gk_add_template(g, load(path), NULL, &e), 0);
    snprintf(path, sizeof path, "%s/samples/psp-volume-types/constraint.yaml", dir);
    assert_int_equal(pol_gk_add_constraint(g, load(path), NULL, &e), 0);
    snprintf(path, sizeof path, "%s/samples/psp-volume-types/update.yaml", dir);
    val_t *rev = load(path);
    val_t *out;
    assert_int_equal(pol_admit(g, &A, rev, NULL, &out, NULL, &e), 0);
    const val_t *resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_TRUE);
    assert_string_equal(gets(out, "apiVersion"), "admission.k8s.io/v1beta1");
    assert_string_equal(gets(resp, "uid"), "");
    /* as CREATE the hostPath volume is refused */
    val_t *reqobj = (val_t *)get(rev, "request");
    assert_int_equal(val_obj_put(&A, reqobj, val_strc(&A, "operation"), val_strc(&A, "CREATE")),
                     0);
    assert_int_equal(pol_admit(g, &A, rev, NULL, &out, NULL, &e), 0);
    resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_FALSE);
    assert_non_null(strstr(gets(get(resp, "status"), "message"), "[psp-volume-types] "));
    pol_gk_free(g);
}

static void test_bad_requests_and_errors(void **state) {
    (void)state;
    pol_gk *g = pol_gk_new();
    gh_err e = {0};
    val_t *out;
    assert_int_equal(pol_admit(g, &A, yaml("apiVersion: v1\nkind: Pod\n"), NULL, &out, NULL, &e),
                     GH_EINVAL);
    assert_int_equal(pol_admit(g, &A,
                               yaml("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"),
                               NULL, &out, NULL, &e),
                     GH_EINVAL);
    assert_int_equal(pol_admit(g, &A,
                               yaml("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"
                                    "request: {uid: u1}\n"),
                               NULL, &out, NULL, &e),
                     GH_EINVAL);
    /* no constraints: allowed */
    const char *rq = "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"
                     "request:\n  uid: u2\n  operation: CREATE\n  namespace: ns\n"
                     "  object: {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n";
    assert_int_equal(pol_admit(g, &A, yaml(rq), NULL, &out, NULL, &e), 0);
    assert_true(get(get(out, "response"), "allowed") == VAL_TRUE);
    /* a template whose evaluation fails (conflicting values for a function) */
    const char *tmpl =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8sbroken}\n"
        "spec:\n  crd: {spec: {names: {kind: K8sBroken}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n"
        "      package k8sbroken\n"
        "      f(x) = 1 { true }\n"
        "      f(x) = 2 { true }\n"
        "      violation[{\"msg\": \"m\"}] { f(1) == 1 }\n";
    assert_int_equal(pol_gk_add_template(g, yaml(tmpl), NULL, &e), 0);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\n"
                                                "kind: K8sBroken\nmetadata: {name: b}\n"),
                                           NULL, &e),
                     0);
    bool errored = false;
    assert_int_equal(pol_admit(g, &A, yaml(rq), NULL, &out, &errored, &e), 0);
    assert_true(errored);
    const val_t *resp = get(out, "response");
    assert_string_equal(gets(resp, "uid"), "u2");
    assert_true(get(resp, "allowed") == VAL_FALSE);
    int64_t code = 0;
    assert_true(val_num_to_int64(get(get(resp, "status"), "code"), &code));
    assert_int_equal(code, 500);
    pol_admit_opts o = {.fail_open = true};
    assert_int_equal(pol_admit(g, &A, yaml(rq), &o, &out, &errored, &e), 0);
    assert_true(errored);
    resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_TRUE);
    assert_non_null(get(resp, "warnings"));
    pol_gk_free(g);
}

/* The whole pod-security-policy + general library loaded from disk. */
static void test_load_path(void **state) {
    (void)state;
    pol_gk *g = pol_gk_new();
    gh_err e = {0};
    size_t nt = 0, nc = 0;
    int rc = pol_gk_load_path(g, LIB "/general", &nt, &nc, &e);
    if (rc) fprintf(stderr, "%s:%d: %s\n", e.file, e.line, e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(nt, 24);
    assert_true(nc >= nt);
    assert_int_equal(pol_gk_ntemplates(g), 24);
    val_t *req = load(GH_SHARED_DIR "/vectors/admissionreview-pod.json");
    val_t *out;
    assert_int_equal(pol_admit(g, &A, req, NULL, &out, NULL, &e), 0);
    const val_t *resp = get(out, "response");
    assert_true(get(resp, "allowed") == VAL_FALSE);
    assert_non_null(strstr(gets(get(resp, "status"), "message"), "[repo-is-openpolicyagent] "));
    assert_int_equal(pol_gk_load_path(g, "/nonexistent/gh", NULL, NULL, &e), GH_EIO);
    rc = pol_gk_load_path(g, LIB "/pod-security-policy", &nt, &nc, &e);
    if (rc) fprintf(stderr, "%s:%d: %s\n", e.file, e.line, e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(nt, 16);
    pol_gk_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_denied),
        cmocka_unit_test(test_warn_and_dryrun),
        cmocka_unit_test(test_library_admission_review),
        cmocka_unit_test(test_bad_requests_and_errors),
        cmocka_unit_test(test_load_path),
    };
    return GH_TEST_RUN_GROUP(tests);
}
