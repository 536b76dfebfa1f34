/* policy.h - policy frameworks built on the Rego engine: public API.
 *
 * Contents (a table of contents; each owner appends its own section):
 *   1. Gatekeeper model: ConstraintTemplates, Constraints, matching, reviews
 *      (gk_template.c, gk_constraint.c, gk_match.c, gk_review.c, gk_schema.c,
 *      gk_load.c)
 *   2. Gatekeeper admission: AdmissionReview request -> response (gk_admit.c)
 *   3. conftest-style check: namespaces, deny/warn rules, input parsers
 *      (check.c, parse_dockerfile.c, parse_toml.c, parse_ini.c, parse_edn.c,
 *      parse_hocon.c, parse_hcl1.c, parse_hcl2.c, parse_vcl.c, parse_spdx.c,
 *      parse_cyclonedx.c, parse_cue.c)
 *   4. loading policies and data as OPA's loader does, with OPA-shaped
 *      error lists (load.c, load_errors.c)
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
/* Parse EDN as conftest does (olympos.io/encoding/edn + its cleanup): maps
 * become objects keyed by the Go %v text of each key (":key" for keywords),
 * vectors/lists become arrays, strings stay strings and every other value
 * becomes its Go %v text ("true", "5432", ":debug", "<nil>", a set as
 * "map[:a:true :b:true]", #inst as Go's time text). Only the first value
 * is read. (parse_edn.c) Errors: GH_EPARSE with line:col, GH_ELIMIT. */
int pol_parse_edn(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e);
/* Parse HOCON as conftest does (go-akka/configuration, then every leaf
 * through its String() and typed back): objects (dotted keys, merging of
 * repeated object keys, last value wins otherwise), substitutions ${a.b}
 * and ${?a.b} resolved against the document and then the environment
 * (optional ones that resolve to nothing leave the earlier value), value
 * concatenation. Leaves that read as numbers/booleans become numbers/
 * booleans; other leaves are strings, quoted when they hold a space or tab
 * ("\"75 seconds\""), arrays as their HOCON text ("[1,2]"); top-level
 * non-object values give {}. `include` is an error. (parse_hocon.c)
 * Errors: GH_EPARSE with line:col (syntax, unresolved substitution,
 * include), GH_ELIMIT. */
int pol_parse_hocon(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                    gh_err *e);
/* Parse HCL 1 as conftest does (hashicorp/hcl v1 decoded into `any`): an
 * object; `key = value` attributes (numbers, strings with "${...}" kept
 * as text, heredocs, bools, lists, objects); blocks and object values
 * become lists of objects, labels nest as further single-key lists:
 * resource "a" "b" {x = 1} -> {"resource": [{"a": [{"b": [{"x": 1}]}]}]};
 * repeated blocks append. (parse_hcl1.c) Errors: GH_EPARSE with line:col,
 * GH_ELIMIT. */
int pol_parse_hcl1(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e);
/* Parse HCL2 native syntax (Terraform .tf/.tfvars/.hcl) into the JSON shape
 * of tmccombs/hcl2json, which conftest uses: attributes by name; blocks as
 * type -> label -> ... -> [body, ...] (repeated blocks append); numbers,
 * bools, null, strings, tuples and objects as JSON; templates as strings
 * with interpolations kept as "${<expr source>}" (a string that is only
 * "${expr}" converts as expr); operators on literals evaluated (-5, !true);
 * source starting with a type keyword (list(string)) kept as written; every
 * other expression (references, calls, operators, conditionals,
 * for-expressions, splats) as "${<source>}".
 * Heredocs (<<EOT, <<-EOT) become strings. Expressions are delimited, not
 * evaluated. (parse_hcl2.c) Errors: GH_EPARSE with line:col, GH_ELIMIT. */
int pol_parse_hcl2(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e);
/* Parse the concrete-data subset of CUE into the JSON conftest's cue parser
 * exports: structs (chained labels a: b: 1, repeated fields unified),
 * lists, strings (also multi-line), numbers (with _ separators, 0x/0o/0b
 * and K/Ki... multipliers), bools, null, and the default of a disjunction
 * (*x | y). Definitions (#X), hidden (_x) and optional (x?) fields are left
 * out. References, types, constraints, interpolation, comprehensions and
 * imports need CUE's evaluator: they are GH_EPARSE errors naming the
 * construct. (parse_cue.c) Errors: GH_EPARSE with line:col, GH_ELIMIT. */
int pol_parse_cue(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e);
/* Parse Varnish VCL as conftest does (KeisukeYamashita/go-vcl decoded into
 * a map): top-level attributes by name; top-level blocks as
 * {type: {label: body}} (further labels nest); within a body attributes
 * (".port" = "8080") and nested blocks by type (one block: its body; more:
 * a list of bodies wrapped in their labels). Statements that are not
 * assignments (set/if/return/...) and bare values in acl lists are not part
 * of that shape. Integer values are numbers, others strings.
 * (parse_vcl.c) Errors: GH_EPARSE with line:col, GH_ELIMIT. */
int pol_parse_vcl(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e);
/* Parse an SPDX 2.x tag-value document into the JSON shape of SPDX 2.3
 * (what conftest gives through spdx/tools-golang): spdxVersion (2.1/2.2
 * become "SPDX-2.3"), dataLicense, SPDXID, name, documentNamespace,
 * creationInfo, packages (with their files), files, relationships,
 * hasExtractedLicensingInfos, annotations, snippets. <text>...</text>
 * values may span lines. (parse_spdx.c) Errors: GH_EPARSE with line:col
 * (line without "Tag: value", unknown tag, tag out of place). */
int pol_parse_spdx(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                   gh_err *e);
/* Parse a CycloneDX BOM as conftest does: valid JSON is returned as it is
 * (it must be an object); otherwise the text is read as a CycloneDX XML BOM
 * (libxml2) and mapped to the JSON shape of the CycloneDX schema (wrapper
 * elements like <components> become arrays, attributes become fields,
 * <hash alg>…</hash> -> {"alg","content"}, licenses, properties,
 * dependencies -> {"ref","dependsOn"}), with bomFormat "CycloneDX" and
 * specVersion from the xmlns. (parse_cyclonedx.c) Errors: GH_EPARSE with
 * line:col, GH_ELIMIT. */
int pol_parse_cyclonedx(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                        gh_err *e);

/* Parse XML as conftest does (clbanning/mxj): the root element becomes a
 * one-key object; an element holding only text becomes that text, an
 * empty one ""; attributes become "-name" keys and text beside attributes
 * or children "#text"; repeated children become arrays; namespace
 * prefixes are dropped (declarations are attributes: "-xmlns", "-xsi");
 * values stay strings. No DTD loading, no entity
 * expansion beyond the predefined ones, no network. Errors: GH_EPARSE with
 * line:col, GH_ELIMIT (nesting beyond GH_MAX_DEPTH). (parse_xml.c) */
int pol_parse_xml(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                  gh_err *e);
/* Evaluate Jsonnet (libjsonnet) and parse the JSON it yields. `file`
 * names the snippet; imports resolve relative to its directory and read
 * only local files (no network). Errors: GH_EPARSE with the evaluator's
 * message (which carries file:line:col). (parse_jsonnet.c) */
int pol_parse_jsonnet(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                      gh_err *e);
/* Parse a Java .properties file as conftest does (magiconair/properties):
 * an object of key -> string value; `key=value`, `key: value` or
 * `key value`; `#`/`!` comment lines; a trailing odd backslash continues
 * the line; \t \n \r \f \uXXXX escapes; ${key} expands from earlier or
 * later keys of the file (a cycle is an error). Errors: GH_EPARSE with
 * line:col. (parse_properties.c) */
int pol_parse_properties(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                         gh_err *e);
/* Parse a .env file as conftest does (joho/godotenv): an object of
 * NAME -> string; optional `export `; `=` or `:` separators; single quotes
 * keep text as written; double quotes process \n \r \t \" \\ and expand
 * ${VAR}/$VAR from keys defined earlier in the file; unquoted values end at
 * ` #` and are trimmed, and expand variables too. Errors: GH_EPARSE with
 * line:col. (parse_dotenv.c) */
int pol_parse_dotenv(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                     gh_err *e);
/* Parse a .gitignore/.dockerignore file as conftest's "ignore" parser does
 * (shteou/go-ignore): an array with one object per line (lines split at
 * '\n'; a final newline gives a last Empty entry) holding "Kind", "Value"
 * and "Original" (the line as written). Kind is "Empty" (blank line; Value
 * ""), "Comment" (`#`; Value the text after it, trimmed), "NegatedPath"
 * (`!`; Value the rest) or "Path" (Value the trimmed line). Bytes that are
 * not UTF-8 become U+FFFD. Never fails but on memory (GH_ENOMEM).
 * (parse_ignore.c) */
int pol_parse_ignore(gh_arena *a, const char *text, size_t n, const char *file, val_t **out,
                     gh_err *e);

typedef struct pol_check pol_check;

/* One query evaluated by pol_check_eval, kept when tracing is on or when
 * it printed (conftest's QueryResult). Strings live in the result arena. */
typedef struct pol_check_query {
    const char *query;    /* e.g. "data.main.deny" */
    const char **trace;   /* PrettyTrace lines (tracing on), without newline */
    size_t ntrace, capt;
    const char **outputs; /* print() lines, "file:row: text" */
    size_t noutputs, capo;
} pol_check_query;

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
    pol_check_query *queries; /* see pol_check_query */
    size_t nqueries, capq;
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
/* Record OPA's pretty trace of every query (conftest's --trace) in the
 * results' queries. */
void pol_check_set_trace(pol_check *c, bool on);

/* ---- conftest's builtins (check_builtins.c) -------------------------------
 * parse_config(parser, content), parse_config_file(path) and
 * parse_combined_config_files(paths) let policies parse configuration
 * themselves. Parsing is the host's: the checker calls `fn` with the
 * parser's name (NULL: choose by the path's file name) and the text; paths
 * are relative to the directory of the policy file that calls the builtin,
 * as conftest resolves them. parse_combined_config_files gives conftest's
 * combined shape [{"path", "contents"}] (multi-document files give one
 * entry per document). */
typedef int (*pol_parse_hook)(void *ud, gh_arena *a, const char *parser, const char *path,
                              const char *text, size_t n, val_t **out, gh_err *e);
void pol_check_set_parser(pol_check *c, pol_parse_hook fn, void *ud);
/* Register the three builtins with the engine (rego_builtin_register); call
 * before compiling policies that use them. Idempotent. */
int pol_check_register_builtins(gh_err *e);

/* ==== 4. loading policies and data ==========================================
 * What `opa eval -d PATH`, `opa test PATH...` and `opa run PATH...` load, used
 * by the CLI and by the server's snapshots (load.c), and the error list those
 * report into (load_errors.c). Reentrant: nothing is shared between
 * pol_loaded values, so several threads may each load their own. */
struct rego_compile_opts;

/* One error as OPA shows it. Loader errors have only a message (code NULL);
 * engine errors have an OPA code, a location and, for parse errors, the
 * offending source line. All strings are heap-owned by the list. */
typedef struct pol_error {
    char *message;
    const char *code; /* static, e.g. "rego_parse_error"; NULL for loader errors */
    char *file;       /* NULL: no location */
    int row, col;
    char *text;        /* for eval errors in a query: the expression text (CLI) */
    char *detail_line; /* parse errors: the source line, else NULL */
    int detail_idx;    /* the error's offset in detail_line */
    char *details;     /* other errors (type errors): OPA's "details" object as
                          JSON text, else NULL */
    char *detail_text; /* with details: the lines OPA prints under the error
                          ('\n'-separated, not indented), or NULL */
} pol_error;

typedef struct pol_errors {
    pol_error *v;
    size_t n, cap;
    int oom; /* an allocation failed: some error was dropped */
} pol_errors;

/* Append a loader-style error (message only). */
void pol_errors_addf(pol_errors *l, const char *fmt, ...) GH_PRINTF(2, 3);
/* Append an engine error: the code is rego_err_code(e), a leading "<code>: "
 * is cut from the message, and extra "\nfile:row: code: msg" lines that the
 * compiler joins into one gh_err become errors of their own. `src`/`srclen`
 * is the text the error's file was parsed from (NULL when unknown); it gives
 * parse errors OPA's details line. Errors without a file get file "" (OPA
 * shows them as row:col). A gh_err that is not an engine error becomes a
 * loader-style error holding gh_err_format's text. */
void pol_errors_add_gh(pol_errors *l, const gh_err *e, const char *src, size_t srclen);
/* Append an engine error list (rego_errors, from rego_policy_compile or
 * rego_query_prepare), or one entry of one: each entry as it is, details
 * included. `src` as for
 * pol_errors_add_gh (parse errors' details line; NULL when unknown). When
 * r is empty, e (the call's gh_err) is added as pol_errors_add_gh does. */
struct rego_errors;
struct rego_error;
void pol_errors_add_rego(pol_errors *l, const struct rego_error *x, const char *src,
                         size_t srclen);
void pol_errors_add_list(pol_errors *l, const struct rego_errors *r, const gh_err *e,
                         const char *src, size_t srclen);
void pol_errors_free(pol_errors *l);
/* OPA's text form: "1 error occurred: X" or "N errors occurred<what>:\nX\nY",
 * each error "file:row: code: message" (or "row:col: ...", or the query
 * expression text) with parse-error detail lines. `what` is "" or e.g.
 * " during loading". Appends to b with a final newline. */
void pol_errors_text(gh_buf *b, const pol_errors *l, const char *what);
/* One error's text (as above, without the count prefix or newline). */
void pol_error_text(gh_buf *b, const pol_error *x);
/* The list as OPA's REST API answers compile errors: an array (allocated
 * in a) of objects {"code", "message", "location": {"file", "row", "col"}}
 * plus "details": {"line", "idx"} for parse errors or the error's own
 * details (type errors: {"have", "want"}, {"a", "b"}); a loader error (no code)
 * becomes {"code": "internal_error", "message"}. NULL when a ran out. */
val_t *pol_errors_to_value(gh_arena *a, const pol_errors *l);
/* Summarise the list into one gh_err (code GH_EPARSE when any error is a
 * rego_parse_error, else GH_EINVAL; the message is OPA's text form without
 * the final newline, cut to fit GH_ERR_MSG; no file/line of its own since
 * the text names them; kind is the first error's code).
 * Returns that code (GH_ENOMEM when l->oom; 0 for an empty list). */
int pol_errors_to_err(const pol_errors *l, gh_err *e);

/* The loader. Directories are walked recursively in lexical order; .rego
 * files are modules, .json/.yaml/.yml files are data merged at the path of
 * their directory relative to the root given (a file given directly merges
 * at data, or at `prefix` for "a.b:PATH"); other walked files are skipped.
 * Data at the root must be an object; two files defining the same leaf are
 * a "merge error". Module names are the cleaned walk paths ("./p" ->
 * "p/a.rego"), or the path as given for files; a module loaded twice under
 * one name keeps the latest text. Limits: files beyond GH_MAX_DOC_BYTES and
 * directories nested beyond 64 levels are errors.
 * Bundle directories: when `bundle` is set (as `opa run -b`), a directory
 * holding a .manifest is read as an OPA bundle: only .rego files and files
 * named data.json / data.yaml / data.yml load, and every module package and
 * data path must lie under one of the manifest's "roots" (an error names
 * the file otherwise).
 * Bundle archives: a path given explicitly that ends in .tar.gz is always an
 * OPA bundle archive (as `opa run`/`opa eval -d` treat it; walked ones are
 * skipped): gzip-compressed tar (ustar/pax/GNU) whose /.manifest, data.json /
 * data.yaml / data.yml and .rego entries load as for bundle directories.
 * Module names are "<path as given>/<entry path without its leading />" (as
 * OPA's GET /v1/policies shows them). Errors name the entry: ".." segments,
 * links or special files, more than the entry or byte limits (declared sizes
 * are checked before anything is decompressed or allocated), a corrupt or
 * non-gzip stream, .wasm / plan.json entries (not supported), and a
 * .signatures.json entry unless skip_verify is set (signatures are never
 * verified). Every bundle loaded (directory or archive) is recorded in
 * bundles[] with its manifest revision, for the server's provenance. A
 * manifest's rego_version is not applied (OPA 0.61 ignores it as well):
 * modules parse with the caller's version. */
typedef struct pol_module {
    char *name; /* heap */
    char *text; /* heap, NUL-terminated */
    size_t len;
} pol_module;

/* One loaded bundle: its name (the path as given, as OPA names bundles
 * loaded from disk) and its manifest's revision ("" when none). Heap. */
typedef struct pol_bundle_info {
    char *name;
    char *revision;
} pol_bundle_info;

typedef struct pol_loaded {
    gh_arena arena; /* owns data */
    val_t *data;    /* merged base documents (an object) */
    pol_module *mods;
    size_t nmods, cap;
    /* --ignore globs (caller-owned, set after init): a walked file or
     * directory whose base name matches one (fnmatch) is skipped, as OPA's
     * loader does; paths given explicitly are never ignored. */
    char *const *ignore;
    size_t nignore;
    bool bundle; /* read directories holding a .manifest as bundles (set after init) */
    /* bundle archives (set after init; 0 = the defaults GH_MAX_BUNDLE_BYTES,
     * GH_MAX_BUNDLE_ENTRIES): bytes after decompression, entries */
    size_t bundle_max_bytes, bundle_max_entries;
    bool skip_verify;         /* load signed bundles without verifying (opa --skip-verify) */
    pol_bundle_info *bundles; /* heap, in load order */
    size_t nbundles;
} pol_loaded;

void pol_loaded_init(pol_loaded *l);
/* Frees modules, data and the arena (the ignore globs are the caller's). */
void pol_loaded_free(pol_loaded *l);
/* Load one path (with an optional "prefix:" as OPA's -d accepts). Errors are
 * appended to errs (loading continues with the next file); returns the
 * number of errors added. */
int pol_load_path(pol_loaded *l, const char *path, pol_errors *errs);
/* Load an in-memory bundle archive (gzip-compressed tar) named `name` (the
 * path as given: it prefixes module names and names the bundle), with the
 * rules above. For pol_load_path and the fuzzer. Returns errors added. */
int pol_load_bundle_archive(pol_loaded *l, const char *name, const void *buf, size_t n,
                            pol_errors *errs);
/* The source text of a loaded module by name, or NULL. */
const pol_module *pol_loaded_module(const pol_loaded *l, const char *name);
/* Build and compile a policy from everything loaded (modules in name order,
 * then the data). Returns a new policy the caller frees with
 * rego_policy_free, or NULL with errs filled (parse errors of every module,
 * then compile errors). po/co may be NULL (defaults). */
struct rego_policy *pol_loaded_compile(const pol_loaded *l, const struct rego_parse_opts *po,
                                       const struct rego_compile_opts *co, pol_errors *errs);
/* Add gh_err e to errs, with the module source for parse-error details when
 * e names a loaded module. */
void pol_loaded_add_err(const pol_loaded *l, pol_errors *errs, const gh_err *e);

#endif
