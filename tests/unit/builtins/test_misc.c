/* test_misc.c - uuid.rfc4122 / uuid.parse, graph.reachable(_paths), walk,
 * rand.intn, opa.runtime. Replays OPA 0.61's recorded answers
 * (tests/differential/misc.expect), runs the reachable and walkbuiltin
 * cases of the OPA 1.x conformance corpus, checks the per-query stability
 * of the random builtins, and runs the traversals on inputs deep enough to
 * overflow a recursive implementation. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_misc, NULL};

static int call_c(rego_bctx *c, const char *line, val_t **out) {
    return bd_call_ctx(c, tabs, line, out);
}

static void expect(gh_arena *a, const char *line, const char *want) {
    bd_expect_text(a, tabs, line, VAL_JSON_SORTED, want);
}

static void test_differential(void **state) {
    (void)state;
    static const bd_known known[] = {
        /* opa.runtime() takes no argument: the line only records the type error */
        {"opa.runtime(null)", "arity"},
        {"uuid.rfc4122(1)", "random value"},
        /* OPA binds x to the first [path, value] pair of the relation; the
         * builtin returns them all (full order checked in test_conformance) */
        {"walk(1)", "relation"},
        {"walk([])", "relation"},
        {"walk({})", "relation"},
        {"walk({\"b\": [1, {\"d\": 1, \"c\": 2}], \"a\": {3, 1}})", "relation"},
        {"walk([[1, [2]], \"x\", null])", "relation"},
        {"walk({{1, 2}: {\"k\": set()}})", "relation"},
        {NULL, NULL},
    };
    bd_check("misc", tabs, known, 56);
}

/* opa-conformance v1/reachable and v1/walkbuiltin (OPA 1.4). */
static void test_conformance(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    expect(&a, "graph.reachable({}, {\"a\"})", "[]");
    expect(&a, "graph.reachable({\"a\": {\"b\"}, \"b\": {\"c\"}, \"c\": {\"a\"}}, {\"a\"})",
           "[\"a\",\"b\",\"c\"]");
    expect(&a, "graph.reachable({\"a\": null}, [\"a\"])", "[\"a\"]");
    expect(&a, "graph.reachable(1, [1])", "error: operand 1 must be object but got number");
    expect(&a, "graph.reachable({\"a\": []}, \"a\")",
           "error: operand 2 must be {array, set} but got string");
    expect(&a,
           "graph.reachable_paths({\"one\": [\"two\",\"five\"], \"two\": [\"four\"], \"three\": "
           "[\"\"], \"four\": [\"three\"], \"five\": [\"seven\",\"six\"], \"six\": "
           "[\"nine\",\"seven\"], \"seven\": [\"eight\"], \"eight\": [\"three\"], \"nine\": "
           "[\"\"]}, {\"one\"})",
           "[[\"one\",\"five\",\"seven\",\"eight\",\"three\"],[\"one\",\"five\",\"six\"],[\"one\","
           "\"five\",\"six\",\"nine\"],[\"one\",\"two\",\"four\",\"three\"]]");
    expect(&a, "graph.reachable_paths({\"a\": [\"b\"], \"b\": [\"nonexistent\"]}, {\"a\", \"b\"})",
           "[[\"a\",\"b\"],[\"b\"]]");
    expect(&a, "graph.reachable_paths({\"a\": null}, [\"a\"])", "[[\"a\"]]");
    expect(&a, "walk({{1, 2, 3}})",
           "[[[],[[1,2,3]]],[[[1,2,3]],[1,2,3]],[[[1,2,3],1],1],[[[1,2,3],2],2],[[[1,2,3],3],3]]");
    /* OPA 0.61: [x | walk({"b": [1, {"d": 1, "c": 2}], "a": {3, 1}}, x)] */
    expect(
        &a, "walk({\"b\": [1, {\"d\": 1, \"c\": 2}], \"a\": {3, 1}})",
        "[[[],{\"a\":[1,3],\"b\":[1,{\"c\":2,\"d\":1}]}],[[\"a\"],[1,3]],[[\"a\",1],1],[[\"a\",3],"
        "3],[[\"b\"],[1,{\"c\":2,\"d\":1}]],[[\"b\",0],1],[[\"b\",1],{\"c\":2,\"d\":1}],[[\"b\",1,"
        "\"c\"],2],[[\"b\",1,\"d\"],1]]");
    expect(&a, "walk(1)", "[[[],1]]");
    expect(
        &a, "walk({\"v1\": \"hello\", \"v2\": \"goodbye\"})",
        "[[[],{\"v1\":\"hello\",\"v2\":\"goodbye\"}],[[\"v1\"],\"hello\"],[[\"v2\"],\"goodbye\"]]");
    gh_arena_free(&a);
}

static bool uuid_v4_shape(const val_t *v) {
    if (!val_is_str(v) || val_str_len(v) != 36) return false;
    const char *s = val_str_ptr(v);
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-')) return false;
        if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    }
    return s[14] == '4' && strchr("89ab", s[19]);
}

static void test_random(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err e;
    rego_bctx q1 = {.a = &a, .err = &e}, q2 = {.a = &a, .err = &e};
    val_t *x, *y, *z, *w;
    assert_int_equal(call_c(&q1, "uuid.rfc4122(\"k\")", &x), RB_OK);
    assert_int_equal(call_c(&q1, "uuid.rfc4122(\"k\")", &y), RB_OK);
    assert_int_equal(call_c(&q1, "uuid.rfc4122(\"other\")", &z), RB_OK);
    assert_int_equal(call_c(&q2, "uuid.rfc4122(\"k\")", &w), RB_OK);
    assert_true(uuid_v4_shape(x) && uuid_v4_shape(z) && uuid_v4_shape(w));
    assert_true(val_equal(x, y));  /* stable within a query */
    assert_false(val_equal(x, z)); /* keyed */
    assert_false(val_equal(x, w)); /* a new query, a new value */
    for (int i = 0; i < 200; i++) {
        char line[64];
        snprintf(line, sizeof line, "rand.intn(\"s%d\", %d)", i, -(i % 7) - 1);
        assert_int_equal(call_c(&q1, line, &x), RB_OK);
        assert_int_equal(call_c(&q1, line, &y), RB_OK);
        int64_t v;
        assert_true(val_num_to_int64(x, &v));
        assert_true(v >= 0 && v < i % 7 + 1);
        assert_true(val_equal(x, y));
    }
    /* a fixed seed makes runs reproducible */
    rego_bctx s1 = {.a = &a, .err = &e, .seed = 42}, s2 = {.a = &a, .err = &e, .seed = 42};
    assert_int_equal(call_c(&s1, "uuid.rfc4122(\"k\")", &x), RB_OK);
    assert_int_equal(call_c(&s2, "uuid.rfc4122(\"k\")", &y), RB_OK);
    assert_true(val_equal(x, y) && uuid_v4_shape(x));
    assert_int_equal(call_c(&s1, "rand.intn(\"k\", 1000000)", &x), RB_OK);
    assert_int_equal(call_c(&s2, "rand.intn(\"k\", 1000000)", &y), RB_OK);
    assert_true(val_equal(x, y));
    expect(&a, "rand.intn(\"x\", 1.0)",
           "error: operand 2 must be integer number but got floating-point number");
    expect(&a, "opa.runtime()", "{}");
    gh_arena_free(&a);
}

/* 200000-vertex chains and a 100000-deep document: explicit stacks. */
static void test_deep(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    size_t n = 200000;
    val_t *g = val_obj_new(&a, n);
    for (size_t i = 0; i < n; i++) {
        val_t *edges = val_arr_new(&a, 1);
        if (i + 1 < n) val_arr_push(&a, edges, val_int(&a, (int64_t)i + 1));
        val_obj_put(&a, g, val_int(&a, (int64_t)i), edges);
    }
    val_t *init = val_arr_new(&a, 1);
    val_arr_push(&a, init, val_int(&a, 0));
    val_t *args[2] = {g, init}, *out;
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    assert_int_equal(bd_find(tabs, "graph.reachable")->fn(&c, args, &out), RB_OK);
    assert_int_equal(val_set_len(out), n);
    assert_int_equal(bd_find(tabs, "graph.reachable_paths")->fn(&c, args, &out), RB_OK);
    assert_int_equal(val_set_len(out), 1);
    assert_int_equal(val_arr_len(val_set_at(out, 0)), n);
    size_t depth = 100000;
    val_t *doc = val_int(&a, 1);
    for (size_t i = 0; i < depth; i++) {
        val_t *arr = val_arr_new(&a, 1);
        val_arr_push(&a, arr, doc);
        doc = arr;
    }
    gh_arena w;
    gh_arena_init(&w, 0);
    rego_bctx cw = {.a = &w, .err = &e};
    /* walk of the deep document (paths share nothing: O(depth^2) cells, so
     * walk a 3000-deep slice of it instead of all of it) */
    val_t *slice = doc;
    for (size_t i = 0; i < depth - 3000; i++)
        slice = val_arr_at(slice, 0);
    assert_int_equal(bd_find(tabs, "walk")->fn(&cw, &slice, &out), RB_OK);
    assert_int_equal(val_arr_len(out), 3001);
    gh_arena_free(&w);
    gh_arena_free(&a);
}

static void test_oom(void **state) {
    (void)state;
    static const char *const lines[] = {
        "uuid.parse(\"000003e8-2363-21ef-b200-325096b39f47\")",
        "uuid.rfc4122(\"x\")",
        "rand.intn(\"x\", 10)",
        ("graph.reachable({\"a\": {\"b\", \"c\"}, \"b\": {\"d\"}, \"c\": {\"d\"}, \"d\": set()}, "
         "{\"a\"})"),
        "graph.reachable_paths({\"a\": [\"b\", \"c\"], \"b\": [\"c\"], \"c\": []}, {\"a\"})",
        "walk({\"b\": [1, {\"d\": 1, \"c\": 2}], \"a\": {3, 1}})",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        bd_oom_sweep(tabs, lines[i], (bd_budgets){64, 100000, 0}, RB_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_random),       cmocka_unit_test(test_deep),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
