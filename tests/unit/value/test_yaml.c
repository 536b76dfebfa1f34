/* test_yaml.c - unit tests for val_yaml_load (src/value/yaml.c and
 * yaml_scalar.c): streams, Kubernetes-style resolution (YAML 1.1 booleans,
 * go-yaml numbers, tags, keys), anchors and merge keys, the alias budget,
 * depth limit, error positions, and every arena/heap failure point.
 * Expected results were checked against OPA 0.61 (`opa eval -i x.yaml input`). */
#include <stdio.h>
#include <string.h>

#include "../gh_test.h"

#include "value/value.h"

typedef struct {
    gh_arena a;
    gh_err e;
    val_t **docs;
    size_t ndocs;
} fx;

static int setup(void **state) {
    static fx f;
    memset(&f, 0, sizeof(f));
    gh_arena_init(&f.a, 0);
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    gh_arena_free(&f->a);
    return 0;
}

static int load(fx *f, const char *text, const val_yaml_opts *o) {
    gh_err_clear(&f->e);
    return val_yaml_load(&f->a, text, strlen(text), o, &f->docs, &f->ndocs, &f->e);
}

/* Loads text (one document expected) and compares with the JSON. */
static void check1(fx *f, const char *text, const char *json) {
    int rc = load(f, text, NULL);
    if (rc) fail_msg("load failed for %s: %d:%d: %s", text, f->e.line, f->e.col, f->e.msg);
    assert_int_equal(f->ndocs, 1);
    val_t *want;
    if (val_json_parse(&f->a, json, strlen(json), NULL, &want, &f->e))
        fail_msg("bad expected JSON %s: %s", json, f->e.msg);
    if (!val_equal(f->docs[0], want)) {
        char *got = val_to_json(&f->a, f->docs[0], VAL_JSON_SORTED);
        fail_msg("%s: got %s, want %s", text, got ? got : "?", json);
    }
}

/* Loads text, expects failure with code and a message containing `sub`. */
static void check_err(fx *f, const char *text, int code, int line, int col, const char *sub) {
    int rc = load(f, text, NULL);
    if (rc != code) fail_msg("%s: rc %d (want %d), msg %s", text, rc, code, f->e.msg);
    assert_null(f->docs);
    assert_int_equal(f->ndocs, 0);
    if (line && (f->e.line != line || f->e.col != col))
        fail_msg("%s: error at %d:%d (want %d:%d): %s", text, f->e.line, f->e.col, line, col,
                 f->e.msg);
    if (sub && !strstr(f->e.msg, sub)) fail_msg("%s: message '%s' lacks '%s'", text, f->e.msg, sub);
}

static void test_multi_doc(void **state) {
    fx *f = *state;
    assert_int_equal(load(f, "a: 1\n---\nb: 2\n--- 3\n", NULL), 0);
    assert_int_equal(f->ndocs, 3);
    assert_true(val_equal(val_obj_get_str(f->docs[0], "a", 1), val_int(&f->a, 1)));
    assert_true(val_equal(val_obj_get_str(f->docs[1], "b", 1), val_int(&f->a, 2)));
    assert_true(val_equal(f->docs[2], val_int(&f->a, 3)));
    /* empty documents are dropped, as kubectl does */
    assert_int_equal(load(f, "---\n---\na: 1", NULL), 0);
    assert_int_equal(f->ndocs, 1);
    assert_int_equal(load(f, "--- \n# only a comment\n...\n---\nx\n...\n---\n", NULL), 0);
    assert_int_equal(f->ndocs, 1);
    assert_string_equal(val_str_ptr(f->docs[0]), "x");
    /* an explicit null is a document */
    assert_int_equal(load(f, "--- null\n--- ~\n---\n", NULL), 0);
    assert_int_equal(f->ndocs, 2);
    assert_int_equal(val_kind_of(f->docs[0]), VAL_NULL);
    /* anchors do not cross documents */
    check_err(f, "--- &a 1\n--- *a\n", GH_EPARSE, 2, 5, "unknown anchor 'a'");
}

static void test_empty_stream(void **state) {
    fx *f = *state;
    const char *empties[] = {"", "\n\n", "# comment\n", "---\n", "---\n...\n", "--- \n---\n"};
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        assert_int_equal(load(f, empties[i], NULL), 0);
        assert_int_equal(f->ndocs, 0);
        assert_null(f->docs);
    }
    assert_int_equal(val_yaml_load(&f->a, NULL, 0, NULL, &f->docs, &f->ndocs, &f->e), 0);
    assert_int_equal(f->ndocs, 0);
}

static void test_k8s_manifest(void **state) {
    fx *f = *state;
    const char *m = "apiVersion: apps/v1\n"
                    "kind: Deployment\n"
                    "metadata:\n"
                    "  name: web\n"
                    "  labels: {app: web, tier: \"1\"}\n"
                    "  annotations:\n"
                    "    note: |\n"
                    "      line one\n"
                    "      line two\n"
                    "spec:\n"
                    "  replicas: 3\n"
                    "  template:\n"
                    "    spec:\n"
                    "      hostNetwork: false\n"
                    "      containers:\n"
                    "        - name: app\n"
                    "          image: 'nginx:1.25'\n"
                    "          ports:\n"
                    "            - containerPort: 8080\n"
                    "              protocol: TCP\n"
                    "          securityContext:\n"
                    "            runAsNonRoot: yes\n"
                    "            runAsUser: 0o1750\n"
                    "          args: [\"--port\", 8080, --debug, ~]\n"
                    "---\n"
                    "apiVersion: v1\n"
                    "kind: Service\n"
                    "metadata: {name: web}\n";
    assert_int_equal(load(f, m, NULL), 0);
    assert_int_equal(f->ndocs, 2);
    val_t *want;
    const char *j = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                    "\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\",\"tier\":\"1\"},"
                    "\"annotations\":{\"note\":\"line one\\nline two\\n\"}},"
                    "\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"hostNetwork\":false,"
                    "\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.25\","
                    "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],"
                    "\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":1000},"
                    "\"args\":[\"--port\",8080,\"--debug\",null]}]}}}}";
    assert_int_equal(val_json_parse(&f->a, j, strlen(j), NULL, &want, &f->e), 0);
    assert_true(val_equal(f->docs[0], want));
    assert_string_equal(val_str_ptr(val_obj_get_str(f->docs[1], "kind", 4)), "Service");
}

static void test_booleans_null(void **state) {
    fx *f = *state;
    check1(f,
           "[y, Y, yes, Yes, YES, true, True, TRUE, on, On, ON,"
           " n, N, no, No, NO, false, False, FALSE, off, Off, OFF]",
           "[true,true,true,true,true,true,true,true,true,true,true,"
           "false,false,false,false,false,false,false,false,false,false,false]");
    check1(f, "[yEs, tRUE, oN, nO, \"yes\", 'no', !!str on, !!bool yes]",
           "[\"yEs\",\"tRUE\",\"oN\",\"nO\",\"yes\",\"no\",\"on\",true]");
    check1(f, "[null, Null, NULL, ~, nULL, \"null\", !!null '']",
           "[null,null,null,null,\"nULL\",\"null\",null]");
    check1(f, "a:\nb: ''\n", "{\"a\":null,\"b\":\"\"}");
    /* bool keys become "true"/"false" (GitHub's `on:` lands as "true") */
    check1(f, "on: push\nno: 1\n", "{\"true\":\"push\",\"false\":1}");
}

static void test_numbers(void **state) {
    fx *f = *state;
    check1(f, "[0x1F, -0x1F, 0X1f, 0o17, 0O17, 017, -017, 0b101, 0B1, +1, 1_000, 0x_1F, 1_]",
           "[31,-31,31,15,15,15,-15,5,1,1,1000,31,1]");
    check1(f, "[08, 09, 0, -0, +0, 00, 0777, 0b-1, 0b+1]", "[8,9,0,0,0,0,511,-1,1]");
    check1(f, "[.5, +.5, -.5, 1., 1e3, 1E3, 1.5e3, .5e3, 1_0.5, 0.1_0, .5_0, 1e5_0]",
           "[0.5,0.5,-0.5,1,1000,1000,1500,500,10.5,0.1,0.5,1e50]");
    check1(f, "[1.0, 0.1, 3.141592653589793238, 1e-400, 2.5e-7]",
           "[1,0.1,3.141592653589793,0,2.5e-7]");
    check1(f,
           "[9223372036854775807, -9223372036854775808, 0xFFFFFFFFFFFFFFFF,"
           " 9223372036854775808, 99999999999999999999]",
           "[9223372036854775807,-9223372036854775808,18446744073709551615,"
           "9223372036854775808,100000000000000000000]");
    /* not numbers for go-yaml: strings */
    check1(f,
           "[1e, 0x, 0o8, 0B-1, ._5, .5_, 1:20, 1.5e400, 0x10000000000000000, -0b-1,"
           " 2001-12-14, .infinity, Infinity, NaN, 0x1p3, +-1, '12']",
           "[\"1e\",\"0x\",\"0o8\",\"0B-1\",\"._5\",\".5_\",\"1:20\",\"1.5e400\","
           "\"0x10000000000000000\",\"-0b-1\",\"2001-12-14\",\".infinity\",\"Infinity\","
           "\"NaN\",\"0x1p3\",\"+-1\",\"12\"]");
}

static void test_non_finite(void **state) {
    fx *f = *state;
    check_err(f, "a: 1\nb: .inf\n", GH_EPARSE, 2, 4, ".inf cannot be represented in JSON");
    check_err(f, "- -.Inf\n", GH_EPARSE, 1, 3, "-.inf");
    check_err(f, ".nan\n", GH_EPARSE, 1, 1, ".nan");
    check_err(f, "a: !!float .NaN", GH_EPARSE, 1, 4, ".nan");
    check_err(f, "x: &n .inf\ny: *n\n", GH_EPARSE, 1, 4, ".inf");
    /* as keys they are fine */
    check1(f, "{.inf: a, -.INF: b, .NaN: c, +.inf: d}",
           "{\".inf\":\"d\",\"-.inf\":\"b\",\".nan\":\"c\"}");
}

static void test_tags(void **state) {
    fx *f = *state;
    check1(f,
           "[!!str 1, !!int \"12\", !!float 1, !!float \"2.5\", !!bool yes, !!null '',"
           " !!binary aGVsbG8=, !foo 12, ! 12, !<tag:yaml.org,2002:int> '5',"
           " !!timestamp 2001-12-14, !!str , !!map , !!merge x]",
           "[\"1\",12,1,2.5,true,null,\"hello\",\"12\",\"12\",5,\"2001-12-14\",\"\",\"\",\"x\"]");
    /* collection tags are ignored, whatever they say */
    check1(f, "{a: !!str {x: 1}, b: !foo [1], c: !!set {p, q}, d: !!omap [x]}",
           "{\"a\":{\"x\":1},\"b\":[1],\"c\":{\"p\":null,\"q\":null},\"d\":[\"x\"]}");
    /* !!binary: newlines skipped; bytes that are not UTF-8 become U+FFFD */
    check1(f, "a: !!binary |\n  aGVs\n  bG8=\nb: !!binary /w==\n",
           "{\"a\":\"hello\",\"b\":\"\\ufffd\"}");
    check1(f, "%TAG !e! tag:yaml.org,2002:\n--- !e!int '7'\n", "7");
    check_err(f, "a: !!int 1.5", GH_EPARSE, 1, 4, "cannot decode !!float `1.5` as a !!int");
    check_err(f, "a: !!null x", GH_EPARSE, 1, 4, "cannot decode !!str `x` as a !!null");
    check_err(f, "a: !!float 0xFFFFFFFFFFFFFFFF", GH_EPARSE, 1, 4, "as a !!float");
    check_err(f, "a: !!binary aGVsbG8", GH_EPARSE, 1, 4, "invalid base64");
    check_err(f, "a: !!timestamp 2001-02-29", GH_EPARSE, 1, 4, "as a !!timestamp");
    check1(f, "[!!timestamp 2001-12-14t21:59:43.10-05:00, !!timestamp '2001-1-4 1:2:3.5']",
           "[\"2001-12-14t21:59:43.10-05:00\",\"2001-1-4 1:2:3.5\"]");
    check_err(f, "- !!timestamp 2001-12-14T21:59:43\n", GH_EPARSE, 1, 3, "!!timestamp");
}

static void test_keys(void **state) {
    fx *f = *state;
    check1(f,
           "{1: a, -2: b, 0x10: c, 1.5: d, 1.0e1: e, 1e6: f, 100000.0: g, 0.1: h,"
           " 3.14159265358979: i, 123456789.0: j, 1e-5: k, -0.0: l, yes: m, '7': o}",
           "{\"1\":\"a\",\"10\":\"e\",\"-2\":\"b\",\"16\":\"c\",\"1.5\":\"d\",\"1e+06\":\"f\","
           "\"100000\":\"g\",\"0.1\":\"h\",\"3.1415927\":\"i\",\"1.2345679e+08\":\"j\","
           "\"1e-05\":\"k\",\"-0\":\"l\",\"true\":\"m\",\"7\":\"o\"}");
    /* duplicate keys: the last one wins (sigs.k8s.io/yaml is not strict) */
    check1(f, "a: 1\nb: 2\na: 3\n", "{\"a\":3,\"b\":2}");
    check1(f, "1: a\n\"1\": b\n", "{\"1\":\"b\"}");
    check1(f, "&k x: 1\n*k : 2\n", "{\"x\":2}");
    check_err(f, "a: 1\n~: 2\n", GH_EPARSE, 2, 1, "null");
    check_err(f, "{0x8000000000000000: 1}", GH_EPARSE, 1, 2, "beyond int64");
    check_err(f, "a: 1\n[1]: 2\n", GH_EPARSE, 2, 1, "invalid map key");
    check_err(f, "? {a: 1}\n: b\n", GH_EPARSE, 1, 3, "invalid map key");
    check_err(f, "s: &s [1]\n*s : 2\n", GH_EPARSE, 2, 1, "invalid map key");
}

static void test_anchors_merge(void **state) {
    fx *f = *state;
    check1(f, "a: &x {p: 1}\nb: *x\nc: [*x, &y 2, *y]\n",
           "{\"a\":{\"p\":1},\"b\":{\"p\":1},\"c\":[{\"p\":1},2,2]}");
    /* aliases share the anchored value */
    assert_int_equal(load(f, "a: &x {p: [1, 2]}\nb: *x\n", NULL), 0);
    assert_ptr_equal(val_obj_get_str(f->docs[0], "a", 1), val_obj_get_str(f->docs[0], "b", 1));
    /* redefinition: the latest anchor wins */
    check1(f, "[&a 1, *a, &a 2, *a]", "[1,1,2,2]");

    const char *base = "base: &b {x: 1, w: 2}\nover: &o {x: 9, z: 3}\n";
    char buf[512];
    snprintf(buf, sizeof(buf), "%sc:\n  <<: *b\n  x: 0\n", base);
    check1(f, buf,
           "{\"base\":{\"x\":1,\"w\":2},\"over\":{\"x\":9,\"z\":3},\"c\":{\"x\":0,\"w\":2}}");
    /* go-yaml v2: a merge overrides keys written before it */
    snprintf(buf, sizeof(buf), "%sc:\n  x: 0\n  <<: *b\n  z: 5\n", base);
    check1(f, buf,
           "{\"base\":{\"x\":1,\"w\":2},\"over\":{\"x\":9,\"z\":3},"
           "\"c\":{\"x\":1,\"w\":2,\"z\":5}}");
    /* a sequence of maps: earlier maps take precedence */
    snprintf(buf, sizeof(buf), "%sc:\n  <<: [*b, *o]\n", base);
    check1(f, buf,
           "{\"base\":{\"x\":1,\"w\":2},\"over\":{\"x\":9,\"z\":3},"
           "\"c\":{\"x\":1,\"w\":2,\"z\":3}}");
    check1(f, "c: {<<: {a: 1}, !!merge <<: {b: 2}, \"<<\": 3, '<<': 4}",
           "{\"c\":{\"a\":1,\"b\":2,\"<<\":4}}");
    check1(f, "c: {<<: [], x: 1}\nd: [<<]\n", "{\"c\":{\"x\":1},\"d\":[\"<<\"]}");
    check_err(f, "c:\n  <<: 1\n", GH_EPARSE, 2, 7, "map merge requires map");
    check_err(f, "c:\n  <<: [1]\n", GH_EPARSE, 2, 7, "map merge requires map");
    check_err(f, "c:\n  <<:\n", GH_EPARSE, 0, 0, "map merge requires map");
    check_err(f, "s: &s [{a: 1}]\nc: {<<: *s}\n", GH_EPARSE, 2, 9, "map merge requires map");
    /* errors on anchors */
    check_err(f, "a: &x [1, *x]\n", GH_EPARSE, 1, 11, "anchor 'x' value contains itself");
    check_err(f, "a: *nope\n", GH_EPARSE, 1, 4, "unknown anchor 'nope' referenced");
}

static void test_billion_laughs(void **state) {
    fx *f = *state;
    const char *bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    int rc = load(f, bomb, NULL);
    assert_int_equal(rc, GH_ELIMIT);
    assert_non_null(strstr(f->e.msg, "billion-laughs"));
    assert_int_equal(f->e.line, 6);
    assert_null(f->docs);
    /* merge keys are aliases too */
    const char *mbomb = "a: &a {a0: 0, a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6, a7: 7}\n"
                        "b: &b {<<: [*a], b: {<<: *a}, c: {<<: *a}, d: {<<: *a}}\n"
                        "c: &c {b: *b, c: *b, d: *b, e: *b, f: *b, g: *b, h: *b}\n"
                        "d: &d {b: *c, c: *c, d: *c, e: *c, f: *c, g: *c, h: *c}\n";
    val_yaml_opts o = {.max_alias_nodes = 500};
    assert_int_equal(load(f, mbomb, &o), GH_ELIMIT);
    /* a small budget is per document and counts the logical expansion */
    assert_int_equal(
        load(f, "a: &a [1, 2, 3]\nb: [*a, *a]\n", &(val_yaml_opts){.max_alias_nodes = 8}), 0);
    assert_int_equal(
        load(f, "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", &(val_yaml_opts){.max_alias_nodes = 8}),
        GH_ELIMIT);
    assert_int_equal(load(f, "a: &a [1, 2, 3]\nb: [*a, *a]\n---\na: &a [1, 2, 3]\nb: [*a, *a]\n",
                          &(val_yaml_opts){.max_alias_nodes = 8}),
                     0);
    assert_int_equal(f->ndocs, 2);
}

static void test_errors_line_col(void **state) {
    fx *f = *state;
    check_err(f, "a: 1\nb: c: d\n", GH_EPARSE, 2, 5,
              "mapping values are not allowed in this context");
    check_err(f, "key: [1, 2\nother: 3\n", GH_EPARSE, 0, 0, "flow sequence");
    check_err(f, "a:\n  - 1\n  b: 2\n", GH_EPARSE, 3, 3, "did not find expected");
    check_err(f, "a: \"unterminated\n", GH_EPARSE, 0, 0, "quoted scalar");
    check_err(f, "\t- a\n", GH_EPARSE, 1, 1, NULL);
    check_err(f, "a: \"\\ud800\"\n", GH_EPARSE, 1, 7, "escape");
    check_err(f, "a: b\n\xff\n", GH_EPARSE, 2, 1, "invalid leading UTF-8 octet");
    check_err(f, "a: !!binary Zm9v=x\n", GH_EPARSE, 1, 4, "base64");
    /* the message reads as file:line:col once formatted */
    char out[700];
    load(f, "x: [\n", NULL);
    gh_err_set_file(&f->e, "in.yaml");
    assert_non_null(strstr(gh_err_format(&f->e, out, sizeof(out)), "in.yaml:2:1:"));
}

static void test_depth_limit(void **state) {
    fx *f = *state;
    char buf[4096];
    size_t n = 0;
    for (int i = 0; i < GH_MAX_DEPTH; i++)
        buf[n++] = '[';
    for (int i = 0; i < GH_MAX_DEPTH; i++)
        buf[n++] = ']';
    buf[n] = 0;
    assert_int_equal(load(f, buf, NULL), 0);
    memmove(buf + 1, buf, n + 1);
    buf[0] = '[';
    strcat(buf, "]");
    assert_int_equal(load(f, buf, NULL), GH_ELIMIT);
    assert_int_equal(f->e.line, 1);
    assert_int_equal(f->e.col, GH_MAX_DEPTH + 1);
    assert_non_null(strstr(f->e.msg, "nesting deeper than"));

    val_yaml_opts o = {.max_depth = 3};
    assert_int_equal(load(f, "a: {b: [1]}", &o), 0);
    assert_int_equal(load(f, "a: {b: [[1]]}", &o), GH_ELIMIT);
    /* an alias counts with the depth of what it stands for */
    assert_int_equal(load(f, "a: &x [[1]]\nb: *x\n", &o), 0);
    assert_int_equal(load(f, "a: &x [[1]]\nb: [*x]\n", &o), GH_ELIMIT);
    assert_int_equal(f->e.line, 2);
    assert_int_equal(f->e.col, 5);
    /* a very deep hostile input stops at the limit, without recursion */
    static char deep[200001];
    memset(deep, '[', 200000);
    deep[200000] = 0;
    assert_int_equal(load(f, deep, NULL), GH_ELIMIT);
    for (size_t i = 0; i < 200000; i += 2)
        memcpy(deep + i, "- ", 2);
    assert_int_equal(load(f, deep, NULL), GH_ELIMIT);
}

static const char *fault_doc = "a: &a {x: [1, 2.5, \"s\", yes], y: !!binary aGk=}\n"
                               "b: {<<: *a, z: *a, 1.5: q}\n"
                               "c: [*a, *a]\n"
                               "---\n"
                               "- 18446744073709551615\n"
                               "- {k: v}\n";

/* Every arena budget from tiny to sufficient fails cleanly or succeeds. */
static void test_arena_budget(void **state) {
    (void)state;
    gh_arena big;
    gh_err e;
    val_t **docs;
    size_t ndocs;
    gh_arena_init(&big, 0);
    assert_int_equal(val_yaml_load(&big, fault_doc, strlen(fault_doc), NULL, &docs, &ndocs, &e), 0);
    size_t need = gh_arena_used(&big);
    gh_arena_free(&big);
    int failures = 0, successes = 0;
    for (size_t budget = 64; budget <= need + 2 * GH_ARENA_CHUNK; budget += 64) {
        gh_arena a;
        gh_arena_init(&a, budget);
        a.chunk_size = 256; /* small chunks: the budget bites at many points */
        gh_err_clear(&e);
        int rc = val_yaml_load(&a, fault_doc, strlen(fault_doc), NULL, &docs, &ndocs, &e);
        if (rc == 0) {
            successes++;
            assert_int_equal(ndocs, 2);
        } else {
            failures++;
            assert_int_equal(rc, GH_ENOMEM);
            assert_null(docs);
            assert_int_equal(ndocs, 0);
            assert_non_null(strstr(e.msg, "memory"));
        }
        gh_arena_free(&a);
    }
    assert_true(failures > 0);
    assert_true(successes > 0);
}

/* Every heap allocation of the loader's scratch may fail (libyaml itself
 * allocates with malloc, out of our reach). */
static void test_heap_failures(void **state) {
    (void)state;
    int ok = 0;
    for (long n = 0; n < 400 && !ok; n++) {
        gh_arena a;
        gh_err e;
        val_t **docs;
        size_t ndocs;
        gh_arena_init(&a, 0);
        gh_alloc_fail_after(n);
        int rc = val_yaml_load(&a, fault_doc, strlen(fault_doc), NULL, &docs, &ndocs, &e);
        gh_alloc_fail_after(-1);
        if (rc == 0)
            ok = 1;
        else
            assert_int_equal(rc, GH_ENOMEM);
        gh_arena_free(&a);
    }
    assert_true(ok);
}

static void test_strings(void **state) {
    fx *f = *state;
    check1(f, "[\"a\\x41\\u00e9\\0b\", 'it''s', plain text here, \"\\t\"]",
           "[\"aA\\u00e9\\u0000b\",\"it's\",\"plain text here\",\"\\t\"]");
    check1(f, "a: >\n  folded\n  text\n\n  para\nb: |-\n  keep\n",
           "{\"a\":\"folded text\\npara\\n\",\"b\":\"keep\"}");
    assert_int_equal(load(f, "\"a\\0b\"", NULL), 0);
    assert_int_equal(val_str_len(f->docs[0]), 3);
    /* UTF-16 input with a BOM is decoded by libyaml */
    static const char u16[] = "\xff\xfe"
                              "a\0:\0 \0"
                              "1\0";
    assert_int_equal(val_yaml_load(&f->a, u16, sizeof(u16) - 1, NULL, &f->docs, &f->ndocs, &f->e),
                     0);
    assert_true(val_equal(val_obj_get_str(f->docs[0], "a", 1), val_int(&f->a, 1)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_multi_doc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_k8s_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_booleans_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_finite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anchors_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_line_col, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test(test_arena_budget),
        cmocka_unit_test(test_heap_failures),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
