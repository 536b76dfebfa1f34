/* test_encoding.c - the encoding family (base64, base64url, hex, urlquery,
 * json.marshal and marshal_with_options, json.unmarshal, json.is_valid,
 * yaml.*). Replays OPA 0.61's recorded answers (tests/differential/encoding.expect + .rtexpect),
 * runs the jsonbuiltins cases of the OPA 1.x conformance corpus (including
 * json.marshal_with_options, absent from 0.61), checks round trips on
 * generated data and out-of-memory behaviour under tiny arena budgets. */

#include "../gh_test.h"

#include "bi_diff.h"

static const rego_builtin *const tabs[] = {rego_bi_encoding, NULL};

/* Call "name(args...)" (Rego literal arguments); returns the rc, fills out
 * and err. */
static int call(gh_arena *a, const char *line, val_t **out, gh_err *err) {
    gh_err_clear(err);
    rego_bctx c = {.a = a, .err = err};
    return bd_call_ctx(&c, tabs, line, out);
}

static void expect(gh_arena *a, const char *line, const char *want) {
    bd_expect_text(a, tabs, line, VAL_JSON_SORTED | VAL_JSON_NO_HTML_ESC, want);
}

/* Results holding invalid UTF-8: OPA's ast.String keeps the raw bytes as we
 * do, and its JSON output shows U+FFFD for them, which is what .expect
 * recorded; the bytes are checked in test_conformance instead. */
static const bd_known known[] = {
    {"base64.decode(\"/w==\")", "raw 0xFF byte"},
    {"base64url.decode(\"_w\")", "raw 0xFF byte"},
    {"hex.decode(\"61FF\")", "raw 0xFF byte"},
    {"urlquery.decode(\"%41%42%e9\")", "raw 0xE9 byte"},
    {NULL, NULL},
};

static void test_differential(void **state) {
    (void)state;
    bd_check("encoding", tabs, known, 191);
}

/* bd_run reads json.unmarshal("...") as a literal; replay those lines here. */
static void test_differential_unmarshal(void **state) {
    (void)state;
    char *text = bd_slurp(GH_SOURCE_DIR "/tests/differential/encoding.expect");
    assert_non_null(text);
    gh_arena a;
    gh_arena_init(&a, 0);
    int pass = 0, fail = 0;
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_arena_reset(&a);
        val_t *o = NULL;
        gh_err err;
        int prc = val_json_parse(&a, p, len, NULL, &o, &err);
        p += len + (e ? 1 : 0);
        if (prc) continue;
        const char *expr = bd_str(o, "expr");
        static const char pre[] = "json.unmarshal(\"";
        const char *code = bd_str(o, "error_code");
        if (strncmp(expr, pre, sizeof pre - 2) || (code && !strcmp(code, "rego_type_error")))
            continue;
        rl_in in = {expr + sizeof pre - 2, expr + strlen(expr), &a, false};
        val_t *arg = rl_term(&in);
        if (!arg || in.bad || strcmp(in.p, ")")) continue;
        gh_err cerr;
        gh_err_clear(&cerr);
        rego_bctx c = {.a = &a, .err = &cerr};
        val_t *out = NULL;
        int rc = bd_find(tabs, "json.unmarshal")->fn(&c, &arg, &out);
        const char *got = rc < 0 ? gh_arena_printf(&a, "json.unmarshal: %s", cerr.msg)
                                 : val_to_json(&a, out, VAL_JSON_SORTED);
        val_t *wv = val_obj_get_str(o, "value", 5);
        const char *want = wv ? val_to_json(&a, wv, VAL_JSON_SORTED) : bd_str(o, "error");
        if (strcmp(got, want)) {
            fail++;
            printf("MISMATCH %s\n   got:  %s\n   want: %s\n", expr, got, want);
        } else {
            pass++;
        }
    }
    printf("json.unmarshal lines: %d passed, %d failed\n", pass, fail);
    gh_arena_free(&a);
    free(text);
    assert_int_equal(fail, 0);
    assert_true(pass > 55);
}

/* opa-conformance v1/jsonbuiltins (OPA 1.4): json.marshal_with_options and
 * friends. The arithmetic of the original queries is folded into literals. */
static void test_conformance(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    const char *arr = "[1234567890, 2000000, 1000000000]";
    char q[256];
    snprintf(q, sizeof q, "json.marshal_with_options(%s, {\"indent\": \"  \"})", arr);
    expect(&a, q, "\"[\\n  1234567890,\\n  2000000,\\n  1000000000\\n]\"");
    snprintf(q, sizeof q, "json.marshal_with_options(%s, {})", arr);
    expect(&a, q, "\"[1234567890,2000000,1000000000]\"");
    snprintf(q, sizeof q, "json.marshal_with_options(%s, {\"pretty\": true})", arr);
    expect(&a, q, "\"[\\n\\t1234567890,\\n\\t2000000,\\n\\t1000000000\\n]\"");
    snprintf(q, sizeof q,
             "json.marshal_with_options(%s, {\"pretty\": false, \"prefix\": \"NO!\", \"indent\": "
             "\"BAD!\"})",
             arr);
    expect(&a, q, "\"[1234567890,2000000,1000000000]\"");
    snprintf(q, sizeof q, "json.marshal_with_options(%s, {\"prefix\": \"JSON => \"})", arr);
    expect(&a, q,
           "\"JSON => [\\nJSON => \\t1234567890,\\nJSON => \\t2000000,\\nJSON => "
           "\\t1000000000\\nJSON => ]\"");
    expect(&a,
           "json.marshal_with_options({\"foo\": \"bar\", \"bar\": \"baz\"}, {\"prefix\": \"JSON => "
           "\"})",
           "\"JSON => {\\nJSON => \\t\\\"bar\\\": \\\"baz\\\",\\nJSON => \\t\\\"foo\\\": "
           "\\\"bar\\\"\\nJSON => }\"");
    expect(&a, "json.marshal_with_options([], {\"indent\": \"    \", \"prefix\": \"---\"})",
           "\"---[]\"");
    expect(&a, "json.marshal_with_options([[[[]]]], {\"indent\": \" \"})",
           "\"[\\n [\\n  [\\n   []\\n  ]\\n ]\\n]\"");
    expect(&a,
           "json.marshal_with_options([], {\"indent\": \"    \", "
           "\"include_winning_lottery_numbers\": true})",
           "error: operand 2 object contained unknown key \"include_winning_lottery_numbers\"");
    expect(&a, "json.marshal_with_options({\"a\": [1, {}], \"b\": \"<\"}, null)",
           "\"{\\\"a\\\":[1,{}],\\\"b\\\":\\\"\\\\u003c\\\"}\"");
    expect(&a, "json.marshal_with_options(1, 2)",
           "error: operand 2 must be one of {object, null} but got number");
    expect(&a, "json.marshal_with_options(1, {\"pretty\": 1})",
           "error: operand 2 key \"pretty\" failed cast to bool");
    expect(&a, "json.marshal_with_options(1, {\"indent\": \"x\", \"prefix\": 1})",
           "error: operand 2 key \"prefix\" failed cast to string: operand 1 must be string but "
           "got number");
    expect(&a, "json.marshal_with_options({\"a\": 1}, {\"prefix\": null, \"indent\": null})",
           "\"{\\\"a\\\":1}\"");
    expect(&a, "json.marshal([{\"foo\": {1, 2, 3}}])", "\"[{\\\"foo\\\":[1,2,3]}]\"");
    expect(&a, "json.unmarshal(\"[{\\\"foo\\\":[1,2,3]}]\")", "[{\"foo\":[1,2,3]}]");
    expect(&a, "json.unmarshal(1)", "error: operand 1 must be string but got number");
    expect(&a, "json.is_valid(\"plainstring\")", "false");
    expect(&a, "json.is_valid(\"{\\\"json\\\": \\\"ok\\\"}\")", "true");
    expect(&a, "json.is_valid(1)", "false");
    expect(&a, "yaml.is_valid(\"foo:\\n   - qux: bar\\n   - baz: 2\")", "true");
    expect(&a, "yaml.is_valid(\"foo:\\n   - qux: bar\\n   - baz: {\")", "false");
    expect(&a, "yaml.is_valid(1)", "false");
    val_t *out;
    gh_err e;
    assert_int_equal(call(&a, "hex.decode(\"61FF\")", &out, &e), RB_OK);
    assert_int_equal(val_str_len(out), 2);
    assert_memory_equal(val_str_ptr(out), "a\xff", 2);
    assert_int_equal(call(&a, "base64.decode(\"/w==\")", &out, &e), RB_OK);
    assert_memory_equal(val_str_ptr(out), "\xff", 2);
    assert_int_equal(call(&a, "urlquery.decode(\"%41%42%e9\")", &out, &e), RB_OK);
    assert_memory_equal(val_str_ptr(out), "AB\xe9", 4);
    expect(&a, "yaml.unmarshal(\"[1,2,3\")",
           "error: yaml: line 1: did not find expected ',' or ']'");
    gh_arena_free(&a);
}

/* Random byte strings survive base64 / base64url / hex / urlquery. */
static void test_roundtrips(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    uint64_t seed = 0x1234567;
    static const char *const pairs[][2] = {{"base64.encode", "base64.decode"},
                                           {"base64url.encode", "base64url.decode"},
                                           {"base64url.encode_no_pad", "base64url.decode"},
                                           {"hex.encode", "hex.decode"},
                                           {"urlquery.encode", "urlquery.decode"}};
    for (int round = 0; round < 300; round++) {
        char buf[64];
        size_t n = (size_t)(round % 40);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            buf[i] = (char)(seed >> 56);
        }
        val_t *in = val_str(&a, buf, n);
        for (size_t p = 0; p < 5; p++) {
            const rego_builtin *enc = bd_find(tabs, pairs[p][0]);
            const rego_builtin *dec = bd_find(tabs, pairs[p][1]);
            gh_err e;
            rego_bctx c = {.a = &a, .err = &e};
            val_t *mid, *back;
            assert_int_equal(enc->fn(&c, &in, &mid), RB_OK);
            assert_int_equal(dec->fn(&c, &mid, &back), RB_OK);
            assert_true(val_equal(in, back));
        }
        gh_arena_reset(&a);
    }
    gh_arena_free(&a);
}

/* yaml.marshal output reads back as the same value (strings that look
 * like other types are quoted, multi-line text uses block scalars). */
static void test_yaml_roundtrip(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    static const char *const docs[] = {
        "{\"a\": [1, 2, {\"b\": null}], \"c\": \"yes\", \"d\": \"1\", \"e\": \"null\", "
        "\"f\": \"\", \"g\": \"a: b\", \"h\": \"multi\\nline\\n\", \"i\": [\"\", \" \", \"#\"]}",
        "[\"2006-01-02\", \"0x1F\", \"1_000\", \"-\", \"- a\", \"? x\", \"'q'\", \"\\\"d\\\"\", "
        "\"a\\tb\", \"\\u00e9\\u4e2d\", \"trailing \", \" leading\", \"\\n\\nx\", \"x\\n\\n\"]",
        "{\"nested\": {\"deep\": [[[], {}], [{\"k\": [1.5, -2, 1e21]}]]}}",
        "[\"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp "
        "qqqq rrrr ssss tttt uuuu vvvv wwww xxxx yyyy zzzz aaaa bbbb cccc dddd eeee ffff gggg\"]",
    };
    const rego_builtin *m = bd_find(tabs, "yaml.marshal"), *u = bd_find(tabs, "yaml.unmarshal");
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        val_t *v, *y, *back;
        gh_err e;
        assert_int_equal(val_json_parse(&a, docs[i], strlen(docs[i]), NULL, &v, &e), 0);
        rego_bctx c = {.a = &a, .err = &e};
        assert_int_equal(m->fn(&c, &v, &y), RB_OK);
        int rc = u->fn(&c, &y, &back);
        if (rc) printf("%s\n%s\n", val_str_ptr(y), e.msg);
        assert_int_equal(rc, RB_OK);
        if (!val_equal(v, back)) printf("%s\n", val_str_ptr(y));
        assert_true(val_equal(v, back));
    }
    gh_arena_free(&a);
}

/* Hostile or large inputs: no crash, sensible answers. */
static void test_limits(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* deep JSON beyond our nesting limit: an error, not a crash */
    size_t depth = 20000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[depth * 2] = 0;
    val_t *s = val_str(&a, deep, depth * 2), *out;
    gh_err e;
    rego_bctx c = {.a = &a, .err = &e};
    int rc = bd_find(tabs, "json.unmarshal")->fn(&c, &s, &out);
    assert_true(rc == GH_EINVAL);
    assert_int_equal(bd_find(tabs, "json.is_valid")->fn(&c, &s, &out), RB_OK);
    assert_true(out == VAL_FALSE); /* beyond Go's 10000 levels too */
    rc = bd_find(tabs, "yaml.unmarshal")->fn(&c, &s, &out);
    assert_true(rc < 0);
    free(deep);
    /* billion laughs: the loader's alias budget stops it */
    const char *lol =
        "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
    s = val_strc(&a, lol);
    rc = bd_find(tabs, "yaml.unmarshal")->fn(&c, &s, &out);
    assert_true(rc < 0);
    gh_arena_free(&a);
}

/* Tiny arena budgets: every builtin reports GH_ENOMEM (or succeeds). */
static void test_oom(void **state) {
    (void)state;
    static const char *const lines[] = {
        "base64.encode(\"hello world, hello world, hello world\")",
        "base64.decode(\"aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk\")",
        "base64url.decode(\"aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk\")",
        "hex.encode(\"hello world, hello world\")",
        "hex.decode(\"68656c6c6f20776f726c64\")",
        "urlquery.encode_object({\"b\": \"1 2\", \"a\": [\"x\", \"y\"], \"c\": {\"z\", \"w\"}})",
        "urlquery.decode_object(\"a=1&b=2&a=3&c=%41\")",
        "json.marshal({\"b\": 1, \"a\": [true, false, null]})",
        "json.marshal_with_options({\"b\": 1, \"a\": [true]}, {\"prefix\": \"P\"})",
        "json.unmarshal(\"{\\\"a\\\": [1, 2, {\\\"b\\\": \\\"\\\\ud800\\\"}]} null\")",
        "yaml.marshal({\"a\": [1, 2, {\"b\": null}], \"c\": \"yes\", \"h\": \"multi\\nline\"})",
        "yaml.unmarshal(\"a: [1, 2]\\nb: {c: d}\\n---\\nx: 1\")",
        "yaml.unmarshal(\"a: [1, 2\")",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        bd_oom_sweep(tabs, lines[i], (bd_budgets){64, 200000, 0}, GH_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_differential_unmarshal),
        cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_roundtrips),
        cmocka_unit_test(test_yaml_roundtrip),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
