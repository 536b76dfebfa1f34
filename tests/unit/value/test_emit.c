/* test_emit.c - unit tests of JSON output: compact and pretty forms, key
 * order (insertion / canonical), Go encoding/json string escapes, invalid
 * UTF-8, non-string keys, sets as sorted arrays. Expected texts were taken
 * from `opa eval -f raw` / `-f json` (OPA 0.61.0) for the same values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "value/value.h"

static val_t *I(int64_t i) { return val_int(&A, i); }
static val_t *S(const char *s) { return val_strc(&A, s); }
static val_t *N(const char *lit) { return val_num_parse(&A, lit, strlen(lit), NULL); }
static val_t *arr(int n, ...) {
    val_t *a = val_arr_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) val_arr_push(&A, a, va_arg(ap, val_t *));
    va_end(ap);
    return a;
}
static val_t *obj(int n, ...) {
    val_t *o = val_obj_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        val_t *k = va_arg(ap, val_t *), *v = va_arg(ap, val_t *);
        val_obj_put(&A, o, k, v);
    }
    va_end(ap);
    return o;
}
static val_t *set(int n, ...) {
    val_t *s = val_set_new(&A, 0);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) val_set_add(&A, s, va_arg(ap, val_t *), NULL);
    va_end(ap);
    return s;
}

static void out(const val_t *v, int flags, const char *want) {
    char *got = val_to_json(&A, v, flags);
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* {"z": {3,1,2}, "a": [{"b": null, "a": true}, "<&>", 1.50, -0, "é😀"],
 *  "m": {}, "e": [], "s": {[2], [1,2], "x", 1.0, {"k": 1}, set(), {"q"}}} */
static val_t *sample(void) {
    return obj(5, S("z"), set(3, I(3), I(1), I(2)), S("a"),
               arr(5, obj(2, S("b"), VAL_NULLV, S("a"), VAL_TRUE), S("<&>"), N("1.50"), N("-0"),
                   S("\xc3\xa9\xf0\x9f\x98\x80")),
               S("m"), obj(0), S("e"), arr(0), S("s"),
               set(7, arr(1, I(2)), arr(2, I(1), I(2)), S("x"), N("1.0"), obj(1, S("k"), I(1)),
                   set(0), set(1, S("q"))));
}

static void test_compact(void **state) {
    (void)state;
    out(VAL_NULLV, 0, "null");
    out(VAL_TRUE, 0, "true");
    out(VAL_FALSE, 0, "false");
    out(I(-42), 0, "-42");
    out(N("1e400"), 0, "1e400");
    out(S(""), 0, "\"\"");
    out(arr(0), 0, "[]");
    out(obj(0), 0, "{}");
    out(set(0), 0, "[]");
    out(obj(2, S("a"), I(1), S("b"), arr(2, I(1), I(2))), 0, "{\"a\":1,\"b\":[1,2]}");
    /* insertion order unless sorted */
    val_t *o = obj(3, S("b"), I(1), S("a"), I(2), S("c"), I(3));
    out(o, 0, "{\"b\":1,\"a\":2,\"c\":3}");
    out(o, VAL_JSON_SORTED, "{\"a\":2,\"b\":1,\"c\":3}");
    /* the reference document, as `opa eval -f raw` prints it */
    out(sample(), VAL_JSON_SORTED,
        "{\"a\":[{\"a\":true,\"b\":null},\"\\u003c\\u0026\\u003e\",1.50,-0,\"\xc3\xa9\xf0\x9f\x98"
        "\x80\"],\"e\":[],\"m\":{},\"s\":[1.0,\"x\",[1,2],[2],{\"k\":1},[],[\"q\"]],\"z\":[1,2,"
        "3]}");
}

static void test_pretty(void **state) {
    (void)state;
    out(arr(0), VAL_JSON_PRETTY, "[]");
    out(obj(0), VAL_JSON_PRETTY, "{}");
    out(I(1), VAL_JSON_PRETTY, "1");
    out(obj(3, S("a"), arr(0), S("b"), obj(0), S("c"), set(0)), VAL_JSON_PRETTY,
        "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": []\n}");
    /* as `opa eval -f json` prints the value (its 10-space indent removed) */
    out(sample(), VAL_JSON_PRETTY | VAL_JSON_SORTED,
        "{\n"
        "  \"a\": [\n"
        "    {\n"
        "      \"a\": true,\n"
        "      \"b\": null\n"
        "    },\n"
        "    \"\\u003c\\u0026\\u003e\",\n"
        "    1.50,\n"
        "    -0,\n"
        "    \"\xc3\xa9\xf0\x9f\x98\x80\"\n"
        "  ],\n"
        "  \"e\": [],\n"
        "  \"m\": {},\n"
        "  \"s\": [\n"
        "    1.0,\n"
        "    \"x\",\n"
        "    [\n"
        "      1,\n"
        "      2\n"
        "    ],\n"
        "    [\n"
        "      2\n"
        "    ],\n"
        "    {\n"
        "      \"k\": 1\n"
        "    },\n"
        "    [],\n"
        "    [\n"
        "      \"q\"\n"
        "    ]\n"
        "  ],\n"
        "  \"z\": [\n"
        "    1,\n"
        "    2,\n"
        "    3\n"
        "  ]\n"
        "}");
    /* a starting indent shifts every following line */
    gh_buf b;
    gh_buf_init(&b);
    val_json_emit_indent(&b, arr(1, obj(1, S("k"), I(1))), VAL_JSON_PRETTY, 2);
    assert_string_equal(b.p, "[\n      {\n        \"k\": 1\n      }\n    ]");
    gh_buf_reset(&b);
    val_json_emit(&b, arr(2, I(1), I(2)), 0);
    val_json_emit(&b, S("x"), 0); /* appends */
    assert_string_equal(b.p, "[1,2]\"x\"");
    gh_buf_free(&b);
}

static void test_escapes(void **state) {
    (void)state;
    /* quote, backslash, \n \r \t, other controls as \u00XX (\b \f too, as
     * OPA 0.61 prints them), DEL raw, HTML characters, line separators */
    static const char raw[] =
        "\"\\\n\r\t\x01\x08\x0c\x1f\x7f<>&\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9";
    val_t *s = val_str(&A, raw, sizeof raw - 1);
    out(s, 0,
        "\"\\\"\\\\\\n\\r\\t\\u0001\\u0008\\u000c\\u001f\x7f\\u003c\\u003e\\u0026\\u2028\\u2029"
        "\xc3\xa9\"");
    out(s, VAL_JSON_NO_HTML_ESC,
        "\"\\\"\\\\\\n\\r\\t\\u0001\\u0008\\u000c\\u001f\x7f<>&\\u2028\\u2029\xc3\xa9\"");
    out(val_str(&A, "a\0b", 3), 0, "\"a\\u0000b\"");
    out(obj(1, val_str(&A, "a\0b", 3), I(1)), 0, "{\"a\\u0000b\":1}");
    /* ASCII-only output: non-ASCII as \u escapes, astral planes as pairs */
    out(S("\xc3\xa9\xf0\x9f\x98\x80z"), VAL_JSON_ASCII, "\"\\u00e9\\ud83d\\ude00z\"");
    out(S("\xe2\x82\xac"), VAL_JSON_ASCII | VAL_JSON_NO_HTML_ESC, "\"\\u20ac\"");
    /* invalid UTF-8: each bad byte becomes \ufffd, as Go does */
    out(S("\xff\xe2\x82"), 0, "\"\\ufffd\\ufffd\\ufffd\"");
    out(S("a\xed\xa0\x80z"), 0, "\"a\\ufffd\\ufffd\\ufffdz\""); /* surrogate */
    out(S("\xc0\x80"), 0, "\"\\ufffd\\ufffd\"");                 /* overlong NUL */
    out(S("\xe0\x80\xaf"), 0, "\"\\ufffd\\ufffd\\ufffd\"");     /* overlong '/' */
    out(S("\xf4\x90\x80\x80"), 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
    out(S("\xf0\x9f\x98"), 0, "\"\\ufffd\\ufffd\\ufffd\"");             /* truncated */
    out(S("\xef\xbf\xbd"), 0, "\"\xef\xbf\xbd\"");                       /* U+FFFD itself */
    out(S("\xf4\x8f\xbf\xbf"), 0, "\"\xf4\x8f\xbf\xbf\"");               /* U+10FFFF */
    out(S("\xff"), VAL_JSON_ASCII, "\"\\ufffd\"");
}

static void test_nonstring_keys(void **state) {
    (void)state;
    out(obj(2, I(1), I(2), arr(1, I(1)), I(3)), 0, "{\"1\":2,\"[1]\":3}");
    /* OPA: keys are the compact JSON text (HTML-escaped, sets sorted), and
     * output is sorted by that text */
    val_t *o = obj(9, set(1, S("<")), I(1), arr(1, S("a")), I(2), VAL_NULLV, I(3), VAL_TRUE, I(4),
                   N("1.5"), I(5), obj(1, S("k"), I(1)), I(6), S("b"), I(7), I(2), I(8), S("2"),
                   I(9));
    out(o, VAL_JSON_SORTED,
        "{\"1.5\":5,\"2\":9,\"[\\\"\\\\u003c\\\"]\":1,\"[\\\"a\\\"]\":2,\"b\":7,\"null\":3,"
        "\"true\":4,\"{\\\"k\\\":1}\":6}");
    /* unsorted: insertion order, the colliding key 2 is still dropped */
    out(o, 0,
        "{\"[\\\"\\\\u003c\\\"]\":1,\"[\\\"a\\\"]\":2,\"null\":3,\"true\":4,\"1.5\":5,"
        "\"{\\\"k\\\":1}\":6,\"b\":7,\"2\":9}");
    out(o, VAL_JSON_SORTED | VAL_JSON_PRETTY,
        "{\n  \"1.5\": 5,\n  \"2\": 9,\n  \"[\\\"\\\\u003c\\\"]\": 1,\n  \"[\\\"a\\\"]\": 2,\n"
        "  \"b\": 7,\n  \"null\": 3,\n  \"true\": 4,\n  \"{\\\"k\\\":1}\": 6\n}");
    /* same text from a number and a string: the string (greater) wins,
     * whatever the insertion order */
    out(obj(2, I(1), S("x"), S("1"), S("y")), VAL_JSON_SORTED, "{\"1\":\"y\"}");
    out(obj(2, S("1"), S("y"), I(1), S("x")), VAL_JSON_SORTED, "{\"1\":\"y\"}");
    out(obj(2, S("1"), S("y"), I(1), S("x")), 0, "{\"1\":\"y\"}");
    /* nested object keys are sorted inside the key text */
    out(obj(1, obj(2, S("b"), I(1), S("a"), I(2)), I(0)), 0, "{\"{\\\"a\\\":2,\\\"b\\\":1}\":0}");
    /* html escaping of the outer string follows the flags */
    out(obj(1, arr(1, S("&")), I(0)), VAL_JSON_NO_HTML_ESC, "{\"[\\\"\\\\u0026\\\"]\":0}");
}

static void test_sets_and_large(void **state) {
    (void)state;
    out(set(3, I(3), I(1), I(2)), 0, "[1,2,3]");
    out(set(5, S("b"), arr(0), VAL_NULLV, I(2), VAL_FALSE), 0, "[null,false,2,\"b\",[]]");
    /* > 32 entries: heap scratch for sorting */
    val_t *o = val_obj_new(&A, 0), *s = val_set_new(&A, 0);
    char k[16];
    for (int i = 99; i >= 0; i--) {
        snprintf(k, sizeof k, "k%02d", i);
        val_obj_put(&A, o, S(k), I(i));
        val_set_add(&A, s, I(i), NULL);
    }
    char *t = val_to_json(&A, o, VAL_JSON_SORTED);
    assert_true(strncmp(t, "{\"k00\":0,\"k01\":1,", 17) == 0);
    assert_non_null(strstr(t, "\"k98\":98,\"k99\":99}"));
    t = val_to_json(&A, o, 0);
    assert_true(strncmp(t, "{\"k99\":99,\"k98\":98,", 19) == 0);
    t = val_to_json(&A, s, 0);
    assert_true(strncmp(t, "[0,1,2,3,", 9) == 0);
    /* heap failure while sorting: the buffer reports oom, nothing crashes */
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_reserve(&b, 100000);
    gh_alloc_fail_after(0);
    val_json_emit(&b, o, VAL_JSON_SORTED);
    gh_alloc_fail_after(-1);
    assert_true(b.oom);
    gh_buf_free(&b);
    gh_alloc_fail_after(0);
    assert_null(val_to_json(&A, S("x"), 0));
    gh_alloc_fail_after(-1);
    /* mixed keys under heap failure */
    gh_buf_init(&b);
    gh_buf_reserve(&b, 1000);
    gh_alloc_fail_after(0);
    val_json_emit(&b, obj(1, I(1), I(2)), 0);
    gh_alloc_fail_after(-1);
    assert_true(b.oom);
    gh_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact),         cmocka_unit_test(test_pretty),
        cmocka_unit_test(test_escapes),         cmocka_unit_test(test_nonstring_keys),
        cmocka_unit_test(test_sets_and_large),
    };
    return GH_TEST_RUN_GROUP(tests);
}
