/* test_json.c - the json family: json.filter, json.remove, json.patch and
 * the JSON Schema builtins (json.verify_schema, json.match_schema and the
 * validator in jsonschema*.c). Replays OPA 0.61's recorded answers
 * (tests/differential/json.expect), runs the jsonfilter cases of the OPA
 * 1.x conformance corpus, and checks what OPA cannot: hostile recursive
 * schemas end with an error instead of a stack overflow, and out-of-memory
 * paths report GH_ENOMEM. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_json, NULL};

static void expect(gh_arena *a, const char *line, const char *want) {
    bd_expect_text(a, tabs, line, VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC, want);
}

/* Deliberate differences from OPA 0.61. */
static const bd_known known[] = {
    {"json.verify_schema({\"$ref\": \"#/definitions/a\", \"definitions\": {\"a\": {\"$ref\": "
     "\"#/definitions/b\"}, \"b\": {\"$ref\": \"#/definitions/a\"}}})",
     "same answer; listed because OPA overflows its stack validating against it"},
    {NULL, NULL},
};

static void test_differential(void **state) {
    (void)state;
    bd_check("json", tabs, known, 201);
}

/* opa-conformance v1/jsonfilter (OPA 1.4). */
static void test_conformance(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": 9}, {\"a/b/c\"})",
           "{\"a\":{\"b\":{\"c\":7}}}");
    expect(&a, "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": 9}, {\"a/b/c\", \"e\"})",
           "{\"a\":{\"b\":{\"c\":7}},\"e\":9}");
    expect(&a,
           "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8}, \"e\": 9}}, {\"a/b/c\", \"a/e\"})",
           "{\"a\":{\"b\":{\"c\":7},\"e\":9}}");
    expect(&a, "json.filter({\"a\": {\"b\": 7}}, {\"a\", \"a/b\"})", "{\"a\":{\"b\":7}}");
    expect(&a, "json.filter({\"a\": 7}, set())", "{}");
    expect(&a, "json.filter({}, {\"a/b\"})", "{}");
    expect(&a, "json.filter({\"a\": [{\"b\": 7, \"c\": 8}, {\"d\": 9}]}, {\"a/0/b\", \"a/1\"})",
           "{\"a\":[{\"b\":7},{\"d\":9}]}");
    expect(&a,
           "json.filter({\"a\": [{\"1\": [\"b\", \"c\", \"d\"]}, {\"x\": \"y\"}]}, {\"a/0/1/2\"})",
           "{\"a\":[{\"1\":[\"d\"]}]}");
    expect(&a,
           "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": 9}, {[\"a\", \"b\", \"c\"], "
           "[\"e\"]})",
           "{\"a\":{\"b\":{\"c\":7}},\"e\":9}");
    expect(&a,
           "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8, \"x\": 0}}, \"e\": 9}, {\"a/b/d\", "
           "[\"a\", \"b\", \"c\"]})",
           "{\"a\":{\"b\":{\"c\":7,\"d\":8}}}");
    expect(&a,
           "json.patch({\"a\": {\"foo\": 1}}, [{\"op\": \"add\", \"path\": \"/a/bar\", \"value\": "
           "2}])",
           "{\"a\":{\"bar\":2,\"foo\":1}}");
    gh_arena_free(&a);
}

/* OPA 1.x answers where 0.61 differs: malformed patches are errors, and
 * removing the whole document is undefined (0.61 panics). */
static void test_patch_errors(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"bad\", \"path\": \"/a\"}])",
           "error: operand 2 must be an array of JSON-Patch objects");
    expect(&a, "json.patch({\"a\": 1}, [{\"path\": \"/a\"}])",
           "error: operand 2 patch is missing 'op' attribute");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"add\"}])",
           "error: operand 2 patch is missing 'path' attribute");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"add\", \"path\": \"/b\"}])",
           "error: operand 2 patch is missing 'value' attribute");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"move\", \"path\": \"/b\"}])",
           "error: operand 2 patch is missing 'from' attribute");
    expect(&a, "json.patch({\"a\": 1}, [1])",
           "error: operand 2 must be an array of JSON-Patch objects");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": 1, \"path\": \"/a\"}])",
           "error: operand 2 patch attribute 'op' must be a string");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"add\", \"path\": 1, \"value\": 1}])",
           "error: operand 2 must be one of {set, array} containing string paths or array of "
           "path segments but got number");
    expect(&a, "json.patch({\"a\": 1}, [{\"op\": \"remove\", \"path\": \"\"}])", "undefined");
    gh_arena_free(&a);
}

/* Schemas that recurse without consuming the document: OPA overflows its
 * stack; we stop with an error (or accept, for a pure $ref cycle). */
static void test_schema_recursion(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "json.match_schema(\"1\", {\"$ref\": \"#\"})", "[true,[]]");
    expect(&a,
           "json.match_schema(\"1\", {\"$ref\": \"#/definitions/a\", \"definitions\": {\"a\": "
           "{\"$ref\": \"#/definitions/b\"}, \"b\": {\"$ref\": \"#/definitions/a\"}}})",
           "[true,[]]");
    expect(&a, "json.match_schema(\"1\", {\"allOf\": [{\"$ref\": \"#\"}]})",
           "error: jsonschema: validation nested too deeply (recursive schema?)");
    expect(&a, "json.match_schema(\"1\", {\"not\": {\"anyOf\": [{\"$ref\": \"#\"}]}})",
           "error: jsonschema: validation nested too deeply (recursive schema?)");
    /* recursion that follows the document is fine however deep */
    size_t depth = 400;
    char *doc = malloc(depth * 8 + 16), *p = doc;
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "{\"x\":");
    p += sprintf(p, "1");
    for (size_t i = 0; i < depth; i++)
        *p++ = '}';
    *p = 0;
    val_t *args[2];
    args[0] = val_strc(&a, doc);
    args[1] = NULL;
    gh_err e;
    const char *schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#\"}}}";
    assert_int_equal(val_json_parse(&a, schema, strlen(schema), NULL, &args[1], &e), 0);
    rego_bctx c = {.a = &a, .err = &e};
    val_t *out;
    assert_int_equal(bd_find(tabs, "json.match_schema")->fn(&c, args, &out), RB_OK);
    assert_true(val_arr_at(out, 0) == VAL_FALSE);
    free(doc);
    gh_arena_free(&a);
}

static void test_schema_misc(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* remote references are never fetched */
    expect(&a, "json.verify_schema({\"$ref\": \"http://example.com/s.json\"})",
           "[false,\"jsonschema: Get \\\"http://example.com/s.json\\\": remote schema references "
           "are not supported\"]");
    /* a set in the schema is seen as its JSON array */
    expect(
        &a,
        "json.match_schema({\"a\": \"x\"}, {\"properties\": {\"a\": {\"enum\": {\"y\", \"x\"}}}})",
        "[true,[]]");
    /* huge multipleOf exactness */
    expect(&a, "json.match_schema(\"123456789012345678901234567890\", {\"multipleOf\": 10})",
           "[true,[]]");
    expect(&a, "json.match_schema(\"123456789012345678901234567891\", {\"multipleOf\": 10})",
           "[false,[{\"desc\":\"Must be a multiple of 10\",\"error\":\"(Root): Must be a multiple "
           "of 10\",\"field\":\"(Root)\",\"type\":\"multiple_of\"}]]");
    expect(&a, "json.match_schema(\"1e400\", {\"multipleOf\": 0.25})", "[true,[]]");
    gh_arena_free(&a);
}

static void test_oom(void **state) {
    (void)state;
    static const char *const lines[] = {
        "json.filter({\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": [1, 2]}, {\"a/b/c\", \"e/1\"})",
        "json.remove({\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": [1, 2]}, {\"a/b/c\", \"e/1\"})",
        "json.patch({\"a\": [1, {\"b\": {1, 2}}]}, [{\"op\": \"add\", \"path\": [\"a\", 1, \"b\", "
        "3], "
        "\"value\": 3}, {\"op\": \"move\", \"from\": \"/a/0\", \"path\": \"/c\"}])",
        "json.verify_schema({\"properties\": {\"a\": {\"$ref\": \"#/definitions/x\"}}, "
        "\"definitions\": {\"x\": {\"enum\": [1, 2]}}})",
        "json.match_schema({\"a\": [1, 1], \"b\": \"x\"}, {\"properties\": {\"a\": "
        "{\"uniqueItems\": "
        "true, \"items\": {\"type\": \"string\"}}}, \"required\": [\"c\"], \"anyOf\": "
        "[{\"minProperties\": "
        "5}, {\"maxProperties\": 1}]})",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        bd_oom_sweep(tabs, lines[i], (bd_budgets){64, 400000, 0}, RB_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_patch_errors), cmocka_unit_test(test_schema_recursion),
        cmocka_unit_test(test_schema_misc),  cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
