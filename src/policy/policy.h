/* policy.h - policy frameworks built on the Rego engine: public API.
 *
 * Contents (a table of contents; each owner appends its own section):
 *   1. Gatekeeper model: ConstraintTemplates, Constraints, matching, reviews
 *      (gk_template.c, gk_constraint.c, gk_match.c, gk_review.c, gk_schema.c,
 *      gk_load.c)
 *   2. Gatekeeper admission: AdmissionReview request -> response (gk_admit.c)
 *   3. conftest-style check: namespaces, deny/warn rules, input parsers
 *      (check.c, parse_dockerfile.c, parse_toml.c, parse_ini.c)
 *
 * Ownership: a pol_gk owns copies of everything added to it (templates,
 * constraints, inventory) and one compiled rego_policy per template. Callers
 * may free their input values after an add call returns. Nothing here prints. */
#ifndef GH_POLICY_H
#define GH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "value/value.h"

/* ==== 1. Gatekeeper model ===================================================
 * A pol_gk holds ConstraintTemplates (templates.gatekeeper.sh v1/v1beta1,
 * target admission.k8s.gatekeeper.sh), Constraints (kind = a template's
 * crd.spec.names.kind) and inventory objects (data.inventory). Each template
 * with Rego is compiled once (v0 Rego plus its libs) into its own policy.
 * Reviews are evaluated against every matching constraint. Not thread-safe
 * while adding; pol_gk_review may run concurrently once loading is done
 * (each call uses its own arena). */
typedef struct pol_gk pol_gk;

/* Enforcement actions of a constraint (spec.enforcementAction). */
typedef enum pol_gk_action {
    POL_GK_DENY = 0,
    POL_GK_DRYRUN = 1,
    POL_GK_WARN = 2,
} pol_gk_action;

/* A new empty model; NULL on allocation failure. */
pol_gk *pol_gk_new(void);
void pol_gk_free(pol_gk *g);

/* Add a ConstraintTemplate object. `file` names it in errors (may be NULL).
 * Errors: GH_EINVAL for a malformed template (message names the field),
 * GH_EPARSE / compile errors from the Rego (located in "<template>/rego" or
 * "<template>/libs[i]"), GH_EINVAL with "CEL engine not supported" for a
 * CEL-only template (code[].engine K8sNativeValidation without Rego). A template of the same name replaces
 * the earlier one (and drops its constraints). */
int pol_gk_add_template(pol_gk *g, const val_t *tmpl, const char *file, gh_err *e);

/* Add a Constraint object. Its kind must name a loaded template; its
 * spec.parameters are validated against the template's openAPIV3Schema
 * (the error names the field path, e.g. "spec.parameters.labels[0].key:
 * expected string, got number"). */
int pol_gk_add_constraint(pol_gk *g, const val_t *c, const char *file, gh_err *e);

/* Add one object to data.inventory (cluster-scoped objects, i.e. without
 * metadata.namespace, go to inventory.cluster[apiVersion][kind][name];
 * namespaced ones to inventory.namespace[ns][apiVersion][kind][name]).
 * Namespace objects also serve spec.match.namespaceSelector. */
int pol_gk_add_inventory(pol_gk *g, const val_t *obj, gh_err *e);
/* Forget every inventory object. */
void pol_gk_clear_inventory(pol_gk *g);
/* Forget every constraint (templates stay compiled). */
void pol_gk_clear_constraints(pol_gk *g);

/* Load every ConstraintTemplate, then every Constraint, found in the
 * .yaml/.yml/.json files under `path` (a file or a directory walked
 * recursively in lexical order); other objects are ignored. Stops at the
 * first error (file:line:col or the object's file). The counts (may be NULL)
 * say how many templates and constraints were added. (gk_load.c) */
int pol_gk_load_path(pol_gk *g, const char *path, size_t *ntemplates, size_t *nconstraints,
                     gh_err *e);

/* Number of templates / constraints currently loaded. */
size_t pol_gk_ntemplates(const pol_gk *g);
size_t pol_gk_nconstraints(const pol_gk *g);

/* How a review is built (all optional). */
typedef struct pol_gk_review_opts {
    const char *operation;      /* for plain objects; NULL: "" as gator sends it */
    const val_t *old_object;    /* review.oldObject, or NULL */
    const val_t *user_info;     /* review.userInfo, or NULL ({}) */
    const val_t *namespace_obj; /* the Namespace object for namespaceSelector when not
                                   in the inventory, or NULL */
    int64_t timeout_ms;         /* per constraint evaluation; 0: none */
} pol_gk_review_opts;

/* One violation. Strings live in the result arena. */
typedef struct pol_gk_violation {
    const char *constraint_kind;
    const char *constraint_name;
    pol_gk_action action;
    const char *msg;
    const val_t *details; /* NULL when the rule gave none */
} pol_gk_violation;

typedef struct pol_gk_result {
    pol_gk_violation *v;
    size_t n;
    size_t nmatched; /* constraints whose match selected the object */
} pol_gk_result;

/* Evaluate `obj` (a Kubernetes object, or an AdmissionReview whose
 * request is used) against every constraint whose spec.match selects it.
 * Violations are allocated in `a` (reset by the caller between reviews).
 * Errors: engine errors (kind eval_*), GH_EINVAL for an object without
 * apiVersion/kind, GH_ENOMEM. */
int pol_gk_review(const pol_gk *g, gh_arena *a, const val_t *obj, const pol_gk_review_opts *o,
                  pol_gk_result *out, gh_err *e);

/* Whether constraint `c` (a Constraint object) selects `obj` (a Kubernetes
 * object) in namespace `ns` (NULL: obj's metadata.namespace; the API server
 * may leave it out of objects on CREATE, then the request's namespace is
 * passed) whose Namespace object is `ns_obj` (or NULL when unknown: a
 * namespaceSelector then does not select namespaced objects). When it does
 * not, *why (may be NULL) names the failing clause (a static string). */
bool pol_gk_match(const val_t *c, const val_t *obj, const char *ns, const val_t *ns_obj,
                  const char **why);

/* The action name ("deny", "dryrun", "warn"). */
const char *pol_gk_action_name(pol_gk_action a);

/* ==== 2. Gatekeeper admission ===============================================
 * pol_admit turns an AdmissionReview (admission.k8s.io/v1 or v1beta1)
 * request into the AdmissionReview response Gatekeeper would send: the
 * apiVersion/kind are echoed, response.uid echoes request.uid, deny
 * violations give allowed=false with status.code 403 and a message of one
 * "[constraint-name] msg" line per violation, warn violations give
 * response.warnings, dryrun violations never deny. Engine errors deny with
 * status.code 500 unless fail_open is set. */
typedef struct pol_admit_opts {
    bool fail_open;          /* allow when evaluation fails (default: deny) */
    int64_t timeout_ms;      /* per constraint evaluation; 0: none */
} pol_admit_opts;

/* Build the response into `a`. Returns 0 with *out set; GH_EINVAL (e says
 * why) when `req` is not an AdmissionReview with a request holding an object
 * or oldObject — callers answer HTTP 400 then; GH_ENOMEM when `a` ran out
 * while building the review or the response (answer 500). Evaluation errors do not fail the call; they become
 * the response (fail-closed or fail-open) and are described in e when e is
 * non-NULL and *errored (may be NULL) is set true. */
int pol_admit(const pol_gk *g, gh_arena *a, const val_t *req, const pol_admit_opts *o,
              val_t **out, bool *errored, gh_err *e);

/* ==== 3. conftest-style check ===============================================
 * `gatehouse check` evaluates configuration files the way `conftest test`
 * does (check.c): every Rego package is a namespace; its rules named deny,
 * violation or warn (optionally with _suffix, e.g. deny_root) produce
 * failures/warnings from string results or objects with a string "msg";
 * `exception[_][_] == "<rule name without deny_/violation_>"` excepts a
 * rule. Input parsers for the formats JSON/YAML do not cover live in
 * parse_*.c. Results live in the caller's arena. */
struct rego_policy;
struct rego_parse_opts;

/* Parse a Dockerfile into conftest's shape: [[{Cmd, SubCmd, JSON, Flags,
 * Value, Stage, Original}...]] (one array of instructions wrapped in an
 * outer array). Comments before an instruction become {"Cmd": "comment"}
 * entries; parser directives (# syntax=, # escape=) are read, not listed.
 * Handles line continuations, JSON-form arguments, heredocs (<<EOF), ONBUILD
 * sub-commands and stage numbering by FROM. Errors: GH_EPARSE with line:col
 * (unknown instruction, unterminated heredoc), GH_ELIMIT, GH_ENOMEM. */
int pol_parse_dockerfile(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e);
/* Parse TOML 1.0 into an object (integers and floats as numbers, dates and
 * times as their RFC 3339 text). Errors: GH_EPARSE with line:col (syntax,
 * redefined keys or tables), GH_ELIMIT (nesting beyond GH_MAX_DEPTH). */
int pol_parse_toml(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e);
/* Parse INI as conftest does: an object of sections (keys before any
 * section go to "DEFAULT", which is left out), each an object of key ->
 * value, where values that read as YAML scalars become numbers/booleans
 * (3000, true) and everything else stays a string. `;`/`#` start comments;
 * values may be quoted. Errors: GH_EPARSE with line:col. */
int pol_parse_ini(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e);

typedef struct pol_check pol_check;

/* One failure, warning or exception. metadata is an object: the result
 * object's keys other than "msg", plus "query" (e.g. "data.main.deny"). */
typedef struct pol_check_msg {
    const char *msg;
    val_t *metadata;
} pol_check_msg;

/* What one file gave in one namespace (conftest's CheckResult). */
typedef struct pol_check_result {
    const char *file;
    const char *ns;
    size_t successes;
    pol_check_msg *failures, *warnings, *exceptions;
    size_t nfailures, nwarnings, nexceptions;
    size_t capf, capw, capx;
} pol_check_result;

/* A checker over a compiled policy (borrowed: it must outlive the
 * checker). NULL on allocation failure. */
pol_check *pol_check_new(const struct rego_policy *p);
void pol_check_free(pol_check *c);
/* Tell the checker about one module of the policy (parsed again to find its
 * package and rule names). Errors as rego_parse_module. */
int pol_check_add_module(pol_check *c, const char *file, const char *src, size_t n,
                         const struct rego_parse_opts *o, gh_err *e);
/* Number of namespaces (package paths without "data.", sorted) and the i-th. */
size_t pol_check_nnamespaces(const pol_check *c);
const char *pol_check_namespace(const pol_check *c, size_t i);
/* Whether namespace `ns` matches a conftest --namespace pattern (a glob:
 * `*` any run, `?` one character; otherwise literal). */
bool pol_check_ns_match(const char *pattern, const char *ns);

/* Evaluate one document against the rules of namespace `ns`, adding to *r
 * (which the caller zeroes and fills with file/ns first). A document that
 * is an array is evaluated element by element, as conftest does for
 * multi-document files. Messages are allocated in `a`. Errors: engine
 * errors (kind eval_*), GH_EINVAL for an object result without a string
 * "msg", GH_ENOMEM. */
int pol_check_eval(pol_check *c, gh_arena *a, const char *ns, const val_t *input,
                   pol_check_result *r, gh_err *e);
/* Make builtin errors fail the evaluation (conftest's --show-builtin-errors;
 * default: a failing builtin call is undefined, as OPA does). */
void pol_check_set_strict_builtins(pol_check *c, bool on);

#endif
