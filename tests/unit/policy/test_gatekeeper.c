/* test_gatekeeper.c - unit tests of the Gatekeeper model (src/policy/gk_*.c):
 * template loading (rego/libs, code: engine Rego, CEL-only refusal), constraint
 * parameter validation against the schema, spec.match clauses, inventory,
 * enforcement actions, and a gatekeeper-library template from the corpus. */
#include "../gh_test.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static val_t *yaml(const char *text) {
    val_t **docs;
    size_t n;
    gh_err e = {0};
    int rc = val_yaml_load(&A, text, strlen(text), NULL, &docs, &n, &e);
    if (rc) fprintf(stderr, "yaml: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 1);
    return docs[0];
}

static val_t *yaml_file(const char *path) {
    char *text;
    size_t len;
    gh_err e = {0};
    assert_int_equal(gh_read_file(path, 1 << 24, &text, &len, &e), 0);
    val_t **docs;
    size_t n;
    assert_int_equal(val_yaml_load(&A, text, len, NULL, &docs, &n, &e), 0);
    gh_free(text);
    assert_true(n >= 1);
    return docs[0];
}

static const char *TMPL =
    "apiVersion: templates.gatekeeper.sh/v1\n"
    "kind: ConstraintTemplate\n"
    "metadata: {name: k8srequiredlabels}\n"
    "spec:\n"
    "  crd:\n"
    "    spec:\n"
    "      names: {kind: K8sRequiredLabels}\n"
    "      validation:\n"
    "        openAPIV3Schema:\n"
    "          type: object\n"
    "          properties:\n"
    "            labels: {type: array, items: {type: string}}\n"
    "            mode: {type: string, enum: [strict, lax]}\n"
    "            limits:\n"
    "              type: object\n"
    "              required: [max]\n"
    "              properties: {max: {type: integer}}\n"
    "  targets:\n"
    "  - target: admission.k8s.gatekeeper.sh\n"
    "    rego: |\n"
    "      package k8srequiredlabels\n"
    "      import data.lib.helpers.labels_of\n"
    "      violation[{\"msg\": msg, \"details\": {\"missing\": missing}}] {\n"
    "        provided := {l | labels_of(input.review.object)[l]}\n"
    "        required := {l | l := input.parameters.labels[_]}\n"
    "        missing := required - provided\n"
    "        count(missing) > 0\n"
    "        msg := sprintf(\"you must provide labels: %v\", [missing])\n"
    "      }\n"
    "    libs:\n"
    "    - |\n"
    "      package lib.helpers\n"
    "      labels_of(obj) = l { l := obj.metadata.labels }\n"
    "      labels_of(obj) = {} { not obj.metadata.labels }\n";

static const char *POD =
    "apiVersion: v1\nkind: Pod\n"
    "metadata: {name: web, namespace: prod, labels: {app: web}}\n"
    "spec: {containers: [{name: c, image: nginx}]}\n";

static pol_gk *model_with(const char *constraint) {
    pol_gk *g = pol_gk_new();
    assert_non_null(g);
    gh_err e = {0};
    int rc = pol_gk_add_template(g, yaml(TMPL), "t.yaml", &e);
    if (rc) fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    if (constraint) {
        rc = pol_gk_add_constraint(g, yaml(constraint), "c.yaml", &e);
        if (rc) fprintf(stderr, "%s\n", e.msg);
        assert_int_equal(rc, 0);
    }
    return g;
}

#define CON(spec)                                                                        \
    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\n"           \
    "metadata: {name: need-owner}\nspec:\n" spec

static void test_template_and_review(void **state) {
    (void)state;
    pol_gk *g = model_with(CON("  parameters: {labels: [owner, app]}\n"));
    assert_int_equal(pol_gk_ntemplates(g), 1);
    assert_int_equal(pol_gk_nconstraints(g), 1);
    pol_gk_result r;
    gh_err e = {0};
    assert_int_equal(pol_gk_review(g, &A, yaml(POD), NULL, &r, &e), 0);
    assert_int_equal(r.nmatched, 1);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.v[0].constraint_name, "need-owner");
    assert_string_equal(r.v[0].constraint_kind, "K8sRequiredLabels");
    assert_int_equal(r.v[0].action, POL_GK_DENY);
    assert_non_null(strstr(r.v[0].msg, "owner"));
    assert_non_null(r.v[0].details);
    /* satisfied */
    assert_int_equal(pol_gk_review(g, &A,
                                   yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: x, labels: "
                                        "{owner: me, app: a}}\n"),
                                   NULL, &r, &e),
                     0);
    assert_int_equal(r.n, 0);
    /* object without apiVersion/kind */
    assert_int_not_equal(pol_gk_review(g, &A, yaml("metadata: {name: x}\n"), NULL, &r, &e), 0);
    pol_gk_free(g);
}

static void test_code_engine_forms(void **state) {
    (void)state;
    gh_err e = {0};
    pol_gk *g = pol_gk_new();
    /* Rego under code: [{engine: Rego, source: {rego}}], next to a CEL engine */
    const char *both =
        "apiVersion: templates.gatekeeper.sh/v1beta1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8sdenyall}\n"
        "spec:\n  crd: {spec: {names: {kind: K8sDenyAll}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n"
        "    - engine: K8sNativeValidation\n      source: {validations: [{expression: 'false'}]}\n"
        "    - engine: Rego\n      source:\n        rego: |\n          package k8sdenyall\n"
        "          violation[{\"msg\": \"denied\"}] { true }\n";
    assert_int_equal(pol_gk_add_template(g, yaml(both), NULL, &e), 0);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\n"
                                                "kind: K8sDenyAll\nmetadata: {name: all}\n"),
                                           NULL, &e),
                     0);
    pol_gk_result r;
    assert_int_equal(pol_gk_review(g, &A, yaml(POD), NULL, &r, &e), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.v[0].msg, "denied");
    /* source.version v1: Rego v1 syntax */
    const char *v1 =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8sv1}\n"
        "spec:\n  crd: {spec: {names: {kind: K8sV1}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n"
        "    - engine: Rego\n      source:\n        version: v1\n        rego: |\n"
        "          package k8sv1\n"
        "          violation contains {\"msg\": \"v1\"} if input.review.kind.kind == \"Pod\"\n";
    assert_int_equal(pol_gk_add_template(g, yaml(v1), NULL, &e), 0);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\n"
                                                "kind: K8sV1\nmetadata: {name: v}\n"),
                                           NULL, &e),
                     0);
    assert_int_equal(pol_gk_review(g, &A, yaml(POD), NULL, &r, &e), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(pol_gk_ntemplates(g), 2);
    /* CEL only: refused with a clear message */
    const char *cel =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8scel}\n"
        "spec:\n  crd: {spec: {names: {kind: K8sCel}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n"
        "    - engine: K8sNativeValidation\n      source: {validations: [{expression: 'true'}]}\n";
    assert_int_equal(pol_gk_add_template(g, yaml(cel), NULL, &e), GH_EINVAL);
    assert_non_null(strstr(e.msg, "CEL engine not supported"));
    /* name must be the lowercase kind; target required; Rego errors located */
    const char *badname =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: other}\nspec:\n  crd: {spec: {names: {kind: K8sX}}}\n"
        "  targets: [{target: admission.k8s.gatekeeper.sh, rego: 'package x'}]\n";
    assert_int_equal(pol_gk_add_template(g, yaml(badname), NULL, &e), GH_EINVAL);
    const char *notarget =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8sx}\nspec:\n  crd: {spec: {names: {kind: K8sX}}}\n"
        "  targets: [{target: other, rego: 'package x'}]\n";
    assert_int_equal(pol_gk_add_template(g, yaml(notarget), NULL, &e), GH_EINVAL);
    const char *badrego =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8sx}\nspec:\n  crd: {spec: {names: {kind: K8sX}}}\n"
        "  targets: [{target: admission.k8s.gatekeeper.sh, rego: \"package x\\nviolation[{\"}]\n";
    assert_int_not_equal(pol_gk_add_template(g, yaml(badrego), NULL, &e), 0);
    assert_non_null(strstr(e.file, "k8sx/rego"));
    assert_int_equal(pol_gk_ntemplates(g), 2);
    pol_gk_free(g);
}

static void test_parameter_schema(void **state) {
    (void)state;
    pol_gk *g = model_with(NULL);
    gh_err e = {0};
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  parameters: {labels: [a, 1]}\n")),
                                           NULL, &e),
                     GH_ETYPE);
    assert_non_null(strstr(e.msg, "spec.parameters.labels[1]: expected string, got integer"));
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  parameters: {mode: loose}\n")), NULL,
                                           &e),
                     GH_EINVAL);
    assert_non_null(strstr(e.msg, "spec.parameters.mode: value not in enum"));
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  parameters: {limits: {}}\n")), NULL,
                                           &e),
                     GH_EINVAL);
    assert_non_null(strstr(e.msg, "spec.parameters.limits.max: required field missing"));
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  parameters: {limits: {max: 1.5}}\n")),
                                           NULL, &e),
                     GH_ETYPE);
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  enforcementAction: block\n")), NULL,
                                           &e),
                     GH_EINVAL);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\n"
                                                "kind: Unknown\nmetadata: {name: u}\n"),
                                           NULL, &e),
                     GH_ENOTFOUND);
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  match: {kinds: [{kinds: Pod}]}\n")),
                                           NULL, &e),
                     GH_ETYPE);
    assert_non_null(strstr(e.msg, "spec.match.kinds[0].kinds: expected array of strings"));
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  match: {scope: Global}\n")), NULL,
                                           &e),
                     GH_EINVAL);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml(CON("  match: {labelSelector: {matchExpressions: "
                                                    "[{key: a, operator: Is}]}}\n")),
                                           NULL, &e),
                     GH_EINVAL);
    assert_non_null(strstr(e.msg, "matchExpressions[0].operator"));
    assert_int_equal(pol_gk_add_constraint(g, yaml(CON("  match: {namespaces: [1]}\n")), NULL,
                                           &e),
                     GH_ETYPE);
    assert_int_equal(pol_gk_nconstraints(g), 0);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml(CON("  enforcementAction: warn\n  parameters: "
                                                    "{labels: [x], mode: strict, limits: {max: "
                                                    "3}}\n")),
                                           NULL, &e),
                     0);
    pol_gk_result r;
    assert_int_equal(pol_gk_review(g, &A, yaml(POD), NULL, &r, &e), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.v[0].action, POL_GK_WARN);
    assert_string_equal(pol_gk_action_name(POL_GK_DRYRUN), "dryrun");
    pol_gk_free(g);
}

static bool m(const char *match, const char *obj, const char *ns_obj) {
    char buf[2048];
    snprintf(buf, sizeof buf,
             "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K\nmetadata: {name: n}\n"
             "spec:\n  match:\n%s",
             match);
    return pol_gk_match(yaml(buf), yaml(obj), NULL, ns_obj ? yaml(ns_obj) : NULL, NULL);
}

static void test_match(void **state) {
    (void)state;
    const char *deploy = "apiVersion: apps/v1\nkind: Deployment\n"
                         "metadata: {name: api-1, namespace: kube-system, labels: {tier: be}}\n";
    const char *ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {env: prod}}\n";
    const char *role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                       "metadata: {name: admin}\n";
    /* kinds */
    assert_true(m("    kinds: [{apiGroups: [apps], kinds: [Deployment]}]\n", deploy, NULL));
    assert_false(m("    kinds: [{apiGroups: [''], kinds: [Pod]}]\n", deploy, NULL));
    assert_true(m("    kinds: [{apiGroups: ['*'], kinds: ['*']}]\n", deploy, NULL));
    assert_true(m("    kinds: [{apiGroups: [''], kinds: [Pod]}, {apiGroups: [apps], kinds: "
                  "[Deployment]}]\n",
                  deploy, NULL));
    /* namespaces / excludedNamespaces with globs */
    assert_true(m("    namespaces: [kube-*]\n", deploy, NULL));
    assert_false(m("    namespaces: [prod]\n", deploy, NULL));
    assert_false(m("    excludedNamespaces: ['*-system']\n", deploy, NULL));
    assert_true(m("    excludedNamespaces: [default]\n", deploy, NULL));
    assert_false(m("    excludedNamespaces: [team-a]\n", ns, NULL)); /* a Namespace by name */
    assert_true(m("    namespaces: [other]\n", role, NULL));           /* cluster-scoped */
    /* scope */
    assert_false(m("    scope: Cluster\n", deploy, NULL));
    assert_true(m("    scope: Cluster\n", role, NULL));
    assert_true(m("    scope: Namespaced\n", deploy, NULL));
    assert_false(m("    scope: Namespaced\n", ns, NULL));
    assert_true(m("    scope: '*'\n", ns, NULL));
    /* name */
    assert_true(m("    name: api-*\n", deploy, NULL));
    assert_false(m("    name: web\n", deploy, NULL));
    /* labelSelector */
    assert_true(m("    labelSelector: {matchLabels: {tier: be}}\n", deploy, NULL));
    assert_false(m("    labelSelector: {matchLabels: {tier: fe}}\n", deploy, NULL));
    assert_true(m("    labelSelector: {matchExpressions: [{key: tier, operator: In, values: "
                  "[be, fe]}]}\n",
                  deploy, NULL));
    assert_false(m("    labelSelector: {matchExpressions: [{key: tier, operator: NotIn, values: "
                   "[be]}]}\n",
                   deploy, NULL));
    assert_true(m("    labelSelector: {matchExpressions: [{key: tier, operator: Exists}]}\n",
                  deploy, NULL));
    assert_false(m("    labelSelector: {matchExpressions: [{key: tier, operator: "
                   "DoesNotExist}]}\n",
                   deploy, NULL));
    assert_true(m("    labelSelector: {matchExpressions: [{key: x, operator: DoesNotExist}]}\n",
                  deploy, NULL));
    /* namespaceSelector: needs the Namespace; a Namespace matches itself */
    const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team-a}\n";
    assert_true(m("    namespaceSelector: {matchLabels: {env: prod}}\n", pod, ns));
    assert_false(m("    namespaceSelector: {matchLabels: {env: dev}}\n", pod, ns));
    assert_false(m("    namespaceSelector: {matchLabels: {env: prod}}\n", pod, NULL));
    assert_true(m("    namespaceSelector: {matchLabels: {env: prod}}\n", ns, NULL));
    assert_true(m("    namespaceSelector: {matchLabels: {env: prod}}\n", role, NULL));
}

static void test_inventory_and_namespace_selector(void **state) {
    (void)state;
    gh_err e = {0};
    pol_gk *g = pol_gk_new();
    const char *tmpl =
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        "metadata: {name: k8suniquename}\n"
        "spec:\n  crd: {spec: {names: {kind: K8sUniqueName}}}\n"
        "  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n"
        "      package k8suniquename\n"
        "      violation[{\"msg\": msg}] {\n"
        "        other := data.inventory.namespace[ns][\"v1\"][\"Service\"][name]\n"
        "        name == input.review.object.metadata.name\n"
        "        ns != input.review.namespace\n"
        "        msg := sprintf(\"name %v also used in %v\", [name, ns])\n"
        "      }\n"
        "      violation[{\"msg\": \"cluster\"}] {\n"
        "        data.inventory.cluster[\"v1\"][\"Namespace\"][input.review.namespace]\n"
        "        input.review.kind.kind == \"Service\"\n"
        "      }\n";
    assert_int_equal(pol_gk_add_template(g, yaml(tmpl), NULL, &e), 0);
    assert_int_equal(pol_gk_add_constraint(g,
                                           yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\n"
                                                "kind: K8sUniqueName\nmetadata: {name: u}\n"
                                                "spec: {match: {namespaceSelector: {matchLabels: "
                                                "{env: prod}}}}\n"),
                                           NULL, &e),
                     0);
    const char *svc = "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: a}\n";
    pol_gk_result r;
    /* Namespace unknown: the namespaceSelector does not select the object */
    assert_int_equal(pol_gk_review(g, &A, yaml(svc), NULL, &r, &e), 0);
    assert_int_equal(r.nmatched, 0);
    assert_int_equal(pol_gk_add_inventory(g,
                                          yaml("apiVersion: v1\nkind: Namespace\nmetadata: "
                                               "{name: a, labels: {env: prod}}\n"),
                                          &e),
                     0);
    assert_int_equal(pol_gk_add_inventory(g,
                                          yaml("apiVersion: v1\nkind: Service\nmetadata: {name: "
                                               "db, namespace: b}\n"),
                                          &e),
                     0);
    assert_int_equal(pol_gk_review(g, &A, yaml(svc), NULL, &r, &e), 0);
    assert_int_equal(r.nmatched, 1);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.v[0].msg, "cluster");
    assert_string_equal(r.v[1].msg, "name db also used in b");
    assert_int_equal(pol_gk_add_inventory(g, yaml("kind: X\n"), &e), GH_EINVAL);
    pol_gk_clear_inventory(g);
    assert_int_equal(pol_gk_review(g, &A, yaml(svc), NULL, &r, &e), 0);
    assert_int_equal(r.nmatched, 0);
    /* namespace_obj given directly */
    pol_gk_review_opts o = {.namespace_obj = yaml("apiVersion: v1\nkind: Namespace\nmetadata: "
                                                  "{name: a, labels: {env: prod}}\n")};
    assert_int_equal(pol_gk_review(g, &A, yaml(svc), &o, &r, &e), 0);
    assert_int_equal(r.nmatched, 1);
    assert_int_equal(r.n, 0);
    pol_gk_clear_constraints(g);
    assert_int_equal(pol_gk_nconstraints(g), 0);
    pol_gk_free(g);
}

/* A real template and samples from the gatekeeper-library corpus. */
static void test_library_template(void **state) {
    (void)state;
    const char *dir = GH_SHARED_DIR "/corpora/gatekeeper-library/general/allowedrepos";
    char path[512];
    gh_err e = {0};
    pol_gk *g = pol_gk_new();
    snprintf(path, sizeof path, "%s/template.yaml", dir);
    assert_int_equal(pol_gk_add_template(g, yaml_file(path), path, &e), 0);
    snprintf(path, sizeof path, "%s/samples/repo-must-be-openpolicyagent/constraint.yaml", dir);
    assert_int_equal(pol_gk_add_constraint(g, yaml_file(path), path, &e), 0);
    pol_gk_result r;
    snprintf(path, sizeof path,
             "%s/samples/repo-must-be-openpolicyagent/example_disallowed_both.yaml", dir);
    assert_int_equal(pol_gk_review(g, &A, yaml_file(path), NULL, &r, &e), 0);
    assert_true(r.n >= 1);
    snprintf(path, sizeof path, "%s/samples/repo-must-be-openpolicyagent/example_allowed.yaml",
             dir);
    assert_int_equal(pol_gk_review(g, &A, yaml_file(path), NULL, &r, &e), 0);
    assert_int_equal(r.n, 0);
    pol_gk_free(g);
}

/* Reviews and admission under tight arena budgets fail cleanly (never crash)
 * and succeed once the budget is enough. */
static void test_arena_budget(void **state) {
    (void)state;
    pol_gk *g = model_with(CON("  parameters: {labels: [owner]}\n"));
    val_t *pod = yaml(POD);
    bool ok = false;
    for (size_t budget = 256; budget <= (1u << 20) && !ok; budget += budget / 4) {
        gh_arena small;
        gh_arena_init(&small, budget);
        pol_gk_result r;
        gh_err e = {0};
        int rc = pol_gk_review(g, &small, pod, NULL, &r, &e);
        if (rc == 0) {
            ok = true;
            assert_int_equal(r.n, 1);
        } else {
            assert_true(rc < 0);
        }
        gh_arena_free(&small);
    }
    assert_true(ok);
    pol_gk_free(g);
}

/* Injected heap failures while building the inventory and reviewing: every
 * call fails cleanly or succeeds; the model stays usable afterwards. */
static void test_alloc_failures(void **state) {
    (void)state;
    pol_gk *g = model_with(CON("  parameters: {labels: [owner]}\n"));
    val_t *ns = yaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n");
    val_t *cm = yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\n");
    val_t *pod = yaml(POD);
    for (long n = 0; n < 40; n++) {
        gh_arena ra;
        gh_arena_init(&ra, 0);
        gh_err e = {0};
        pol_gk_result r;
        gh_alloc_fail_after(n);
        pol_gk_clear_inventory(g);
        int rc = pol_gk_add_inventory(g, ns, &e);
        if (!rc) rc = pol_gk_add_inventory(g, cm, &e);
        if (!rc) rc = pol_gk_review(g, &ra, pod, NULL, &r, &e);
        gh_alloc_fail_after(-1);
        assert_true(rc <= 0);
        gh_arena_reset(&ra);
        pol_gk_clear_inventory(g);
        assert_int_equal(pol_gk_add_inventory(g, ns, &e), 0);
        assert_int_equal(pol_gk_review(g, &ra, pod, NULL, &r, &e), 0);
        assert_int_equal(r.n, 1);
        gh_arena_free(&ra);
    }
    pol_gk_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_and_review),
        cmocka_unit_test(test_code_engine_forms),
        cmocka_unit_test(test_parameter_schema),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_inventory_and_namespace_selector),
        cmocka_unit_test(test_library_template),
        cmocka_unit_test(test_arena_budget),
        cmocka_unit_test(test_alloc_failures),
    };
    return GH_TEST_RUN_GROUP(tests);
}
