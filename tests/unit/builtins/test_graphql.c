/* test_graphql.c - the graphql family (graphql.c and its parser, schema,
 * validator and AST conversion files). Replays OPA 0.61's recorded answers
 * (tests/differential/graphql.expect), then checks what the differential
 * lines cannot express: AST objects fed back in, the cases where OPA 0.61
 * crashes, hostile nesting and fragment chains that must end in an error
 * rather than a stack overflow or a hang, and out-of-memory paths. */
#include <time.h>

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_graphql, NULL};

static int call(gh_arena *a, const char *name, val_t **args, val_t **out, gh_err *e) {
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    gh_err_clear(e);
    rego_bctx c = {.a = a, .err = e};
    *out = NULL;
    int rc = b->fn(&c, args, out);
    if (rc == RB_OK) assert_non_null(*out);
    if (rc < 0) assert_true(e->msg[0] != '\0');
    return rc;
}

static val_t *S(gh_arena *a, const char *s) { return val_strc(a, s); }

static val_t *J(gh_arena *a, const char *json) {
    val_t *v = NULL;
    gh_err e;
    assert_int_equal(val_json_parse(a, json, strlen(json), NULL, &v, &e), 0);
    return v;
}

/* Result of name(args...) as JSON, or "error: <msg>". */
static const char *run(gh_arena *a, const char *name, val_t *x, val_t *y) {
    val_t *args[2] = {x, y}, *out;
    gh_err e;
    int rc = call(a, name, args, &out, &e);
    if (rc == RB_UNDEF) return "undefined";
    if (rc < 0) return gh_arena_printf(a, "error: %s", e.msg);
    return val_to_json(a, out, VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC);
}

/* Deliberate differences from OPA 0.61 among the recorded lines. */
static const bd_known known[] = {
    {NULL, NULL},
};

static void test_differential(void **state) {
    (void)state;
    bd_stats st = {0};
    bd_run("graphql", tabs, known, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass > 400);
}

static const char *schema_text =
    "schema { query: Query mutation: Mutation }\n"
    "interface Node { id: ID! }\n"
    "type User implements Node { id: ID! name: String friends(first: Int = 10): [User] }\n"
    "type Query { user(id: ID!): User node(id: ID!): Node }\n"
    "type Mutation { rename(id: ID!, name: String!): User }\n";

/* The AST objects the builtins return are accepted back as inputs. */
static void test_ast_round_trip(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *q = "query Q($id: ID!) { user(id: $id) { ...F friends(first: 2) { name } } }\n"
                    "fragment F on User { id name }";
    val_t *qs = S(&a, q), *ss = S(&a, schema_text), *qa, *sa, *out;
    gh_err e;
    val_t *args[2] = {qs, NULL};
    assert_int_equal(call(&a, "graphql.parse_query", args, &qa, &e), RB_OK);
    args[0] = ss;
    assert_int_equal(call(&a, "graphql.parse_schema", args, &sa, &e), RB_OK);
    /* text and objects give the same answer */
    const char *by_text = run(&a, "graphql.parse", qs, ss);
    assert_string_equal(run(&a, "graphql.parse", qs, sa), by_text);
    assert_string_equal(run(&a, "graphql.is_valid", qs, sa), "true");
    assert_string_equal(run(&a, "graphql.schema_is_valid", sa, NULL), "true");
    /* the parsed schema AST is what graphql.parse returns as its second item */
    args[0] = qs;
    args[1] = ss;
    assert_int_equal(call(&a, "graphql.parse", args, &out, &e), RB_OK);
    assert_true(val_equal(val_arr_at(out, 0), qa));
    assert_true(val_equal(val_arr_at(out, 1), sa));
    /* gqlparser decodes every selection object as a field, so a query AST
     * with fragment spreads does not validate (OPA 0.61 crashes on it; the
     * error has no location since decoded ASTs carry none) */
    assert_string_equal(run(&a, "graphql.is_valid", qa, ss), "false");
    const char *err = run(&a, "graphql.parse", qa, ss);
    assert_non_null(strstr(err, "Cannot query field \"F\" on type \"User\""));
    assert_non_null(strstr(err, "in GraphQL query string"));
    assert_null(strstr(err, "at location"));
    assert_string_equal(run(&a, "graphql.parse_and_verify", qa, ss), "[false,{},{}]");
    /* a fragment-free query AST validates */
    args[0] = S(&a, "{ user(id: 1) { name friends { id } } }");
    assert_int_equal(call(&a, "graphql.parse_query", args, &qa, &e), RB_OK);
    assert_string_equal(run(&a, "graphql.is_valid", qa, sa), "true");
    /* member names match case-insensitively outside operations/selections */
    assert_string_equal(
        run(&a, "graphql.schema_is_valid",
            J(&a, "{\"definitions\":[{\"kind\":\"OBJECT\",\"name\":\"Query\",\"fields\":"
                  "[{\"name\":\"a\",\"type\":{\"namedType\":\"Int\"}}]}]}"),
            NULL),
        "true");
    gh_arena_free(&a);
}

/* Cases where OPA 0.61 crashes (nil positions in AST objects): we answer. */
static void test_positionless_errors(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *s =
        J(&a, "{\"Definitions\":[{\"Kind\":\"OBJECT\",\"Name\":\"Query\",\"Fields\":"
              "[{\"Name\":\"a\",\"Type\":{\"NamedType\":\"Int\"}}],\"Interfaces\":[\"X\"]}]}");
    assert_string_equal(run(&a, "graphql.schema_is_valid", s, NULL), "false");
    assert_string_equal(run(&a, "graphql.parse", S(&a, "{ a }"), s),
                        "error: Error in gqlparser SchemaDocument to Schema conversion: input: "
                        "Undefined type \"X\".");
    val_t *q = J(&a, "{\"Operations\":[{\"Operation\":\"query\",\"SelectionSet\":[{\"Name\":\"a\","
                     "\"Alias\":\"a\",\"Arguments\":[{\"Name\":\"x\",\"Value\":{\"Kind\":7,"
                     "\"Raw\":\"b\"}}]}]}]}");
    val_t *ok = S(&a, "type Query { a: Int }");
    assert_string_equal(run(&a, "graphql.is_valid", q, ok), "false");
    assert_string_equal(
        run(&a, "graphql.parse", q, ok),
        "error: Unknown argument \"x\" on field \"Query.a\" in GraphQL query string");
    /* unknown operation types and value kinds are errors, not crashes */
    q = J(&a, "{\"Operations\":[{\"Operation\":\"fetch\",\"SelectionSet\":[{\"Name\":\"a\"}]}]}");
    assert_string_equal(run(&a, "graphql.is_valid", q, ok), "false");
    q = J(&a, "{\"Operations\":[{\"SelectionSet\":[{\"Name\":\"a\",\"Arguments\":[{\"Name\":\"x\","
              "\"Value\":{\"Kind\":42}}]}]}]}");
    assert_string_equal(run(&a, "graphql.is_valid", q, ok), "false");
    gh_arena_free(&a);
}

static char *repeat(gh_arena *a, const char *pre, const char *mid, const char *post, int n) {
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    char *s = gh_arena_alloc(a, lp * (size_t)n + lm + lq * (size_t)n + 1), *p = s;
    for (int i = 0; i < n; i++)
        memcpy(p, pre, lp), p += lp;
    memcpy(p, mid, lm), p += lm;
    for (int i = 0; i < n; i++)
        memcpy(p, post, lq), p += lq;
    *p = '\0';
    return s;
}

/* Hostile inputs end in an error (or a bounded answer), never a crash. */
static void test_limits(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *sch = S(&a, "type Query { a(x: [Int]): Query b: Int }");
    /* nesting beyond GQ_MAX_DEPTH */
    const char *r = run(&a, "graphql.parse_query", S(&a, repeat(&a, "{a", "", "}", 100000)), NULL);
    assert_non_null(strstr(r, "nests deeper than"));
    r = run(&a, "graphql.parse_query",
            S(&a, repeat(&a, "{ a(x: ", repeat(&a, "[", "1", "]", 5000), ") }", 1)), NULL);
    assert_non_null(strstr(r, "nests deeper than"));
    r = run(&a, "graphql.parse_schema",
            S(&a, repeat(&a, "type Query { a: ", repeat(&a, "[", "Int", "]", 5000), " }", 1)),
            NULL);
    assert_non_null(strstr(r, "nests deeper than"));
    assert_string_equal(
        run(&a, "graphql.is_valid", S(&a, repeat(&a, "{ a ", "{ b }", "}", 600)), sch), "false");
    /* just inside the limit works */
    assert_string_equal(
        run(&a, "graphql.is_valid", S(&a, repeat(&a, "{ a ", "{ b }", "}", 300)), sch), "true");
    /* a long chain of fragments: validation follows it without overflowing */
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "{ ...F0 }\n");
    for (int i = 0; i < 5000; i++)
        gh_buf_printf(&b, "fragment F%d on Query { a { ...F%d } }\n", i, i + 1);
    gh_buf_puts(&b, "fragment F5000 on Query { b }\n");
    r = run(&a, "graphql.parse", S(&a, b.p), sch);
    assert_non_null(strstr(r, "error: "));
    gh_buf_reset(&b);
    /* exponential overlapping-field comparisons stop at the work budget */
    clock_t t0 = clock();
    gh_buf_puts(&b, "{ ");
    for (int i = 0; i < 40; i++)
        gh_buf_puts(&b, "a { ");
    for (int i = 0; i < 40; i++)
        gh_buf_puts(&b, "b } a { ");
    gh_buf_puts(&b, "b");
    for (int i = 0; i < 41; i++)
        gh_buf_puts(&b, " }");
    r = run(&a, "graphql.is_valid", S(&a, b.p), sch);
    assert_true(!strcmp(r, "true") || !strcmp(r, "false"));
    gh_buf_reset(&b);
    gh_buf_puts(&b, "{ ");
    for (int i = 0; i < 3000; i++)
        gh_buf_puts(&b, "a { b } ");
    gh_buf_puts(&b, "}");
    r = run(&a, "graphql.parse", S(&a, b.p), sch);
    assert_true(!strncmp(r, "error: ", 7) || r[0] == '[');
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0);
    /* fragment cycles are reported, not followed forever */
    r = run(&a, "graphql.parse",
            S(&a, "{ ...A } fragment A on Query { a { ...B } } fragment B on Query { ...A }"), sch);
    assert_non_null(strstr(r, "Cannot spread fragment \"A\" within itself via \"B\""));
    gh_buf_free(&b);
    /* deeply nested AST objects */
    gh_arena_reset(&a);
    char *deep = repeat(&a, "{\"NamedType\":\"\",\"Elem\":", "{\"NamedType\":\"Int\"}", "}", 2000);
    char *doc = gh_arena_printf(&a,
                                "{\"Definitions\":[{\"Kind\":\"OBJECT\",\"Name\":\"Query\","
                                "\"Fields\":[{\"Name\":\"a\",\"Type\":%s}]}]}",
                                deep);
    val_t *v = NULL;
    gh_err e;
    val_json_opts o = {.max_depth = 100000};
    assert_int_equal(val_json_parse(&a, doc, strlen(doc), &o, &v, &e), 0);
    assert_string_equal(run(&a, "graphql.schema_is_valid", v, NULL), "false");
    gh_arena_free(&a);
}

/* Every builtin survives arena exhaustion at any point. */
static void test_oom(void **state) {
    (void)state;
    const char *q = "query Q($v: Int = 1) { user(id: \"x\") { ... on User { name } ...F } }\n"
                    "fragment F on User { friends(first: $v) { id } }";
    const char *names[] = {"graphql.parse",        "graphql.parse_and_verify",
                           "graphql.is_valid",     "graphql.parse_query",
                           "graphql.parse_schema", "graphql.schema_is_valid"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        bool ok = false;
        for (size_t budget = 1024; budget < (4u << 20) && !ok; budget += budget / 4) {
            gh_arena a;
            gh_arena_init(&a, budget);
            val_t *args[2] = {val_strc(&a, q), val_strc(&a, schema_text)};
            if (!args[0] || !args[1]) {
                gh_arena_free(&a);
                continue;
            }
            if (!strcmp(names[k], "graphql.parse_schema") ||
                !strcmp(names[k], "graphql.schema_is_valid"))
                args[0] = args[1];
            val_t *out;
            gh_err e;
            int rc = call(&a, names[k], args, &out, &e);
            assert_true(rc == RB_OK || rc == GH_ENOMEM);
            ok = rc == RB_OK;
            gh_arena_free(&a);
        }
        assert_true(ok);
    }
}

/* Introspection fields and __typename resolve through the prelude. */
static void test_introspection(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *s = S(&a, schema_text);
    assert_string_equal(
        run(&a, "graphql.is_valid",
            S(&a, "{ __typename __schema { types { name kind fields(includeDeprecated: true) { "
                  "name args { defaultValue } type { ofType { name } } } } directives { name "
                  "locations isRepeatable } } __type(name: \"User\") { specifiedByURL } }"),
            s),
        "true");
    const char *r =
        run(&a, "graphql.parse", S(&a, "{ __type(name: \"User\") { specifiedBy } }"), s);
    assert_string_equal(r, "error: Cannot query field \"specifiedBy\" on type \"__Type\". Did you "
                           "mean \"specifiedByURL\"?\n in GraphQL query string at location 1:26");
    assert_string_equal(
        run(&a, "graphql.is_valid", S(&a, "mutation { __schema { types { name } } }"), s), "false");
    gh_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_ast_round_trip),
        cmocka_unit_test(test_positionless_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_introspection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
