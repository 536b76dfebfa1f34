/* test_json_parse.c - unit tests of val_json_parse (src/value/json_parse.c):
 * error messages and line:col, depth and size limits, exact numbers, duplicate
 * keys, escapes and surrogates, strict UTF-8, the BOM, arena budget and heap
 * failure injection (GH_ENOMEM, never a crash), and agreement of parsed
 * values (and their hashes) with values built by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gh_test.h"

#include "value/value.h"

static val_t *parse_ok(const char *s) {
    val_t *v = NULL;
    gh_err e;
    int rc = val_json_parse(&A, s, strlen(s), NULL, &v, &e);
    if (rc) fail_msg("parse of %s failed: %d:%d: %s", s, e.line, e.col, e.msg);
    assert_non_null(v);
    return v;
}

static const char *emit(const val_t *v) { return val_to_json(&A, v, 0); }

/* Expect failure with code, position and exact message. */
static void expect_err_n(const char *s, size_t n, int code, int line, int col, const char *msg) {
    val_t *v = (val_t *)1;
    gh_err e;
    int rc = val_json_parse(&A, s, n, NULL, &v, &e);
    if (rc != code || e.code != code || e.line != line || e.col != col || strcmp(e.msg, msg))
        fail_msg("input %s: got rc %d code %d at %d:%d '%s'; want %d at %d:%d '%s'", s, rc, e.code,
                 e.line, e.col, e.msg, code, line, col, msg);
    assert_null(v);
}
static void expect_err(const char *s, int code, int line, int col, const char *msg) {
    expect_err_n(s, strlen(s), code, line, col, msg);
}

static void test_errors(void **state) {
    (void)state;
    expect_err("{\"a\":1,\"b\":2,}", GH_EPARSE, 1, 14,
               "invalid character '}' looking for beginning of object key string");
    expect_err("[1,\n  2,\n  x]", GH_EPARSE, 3, 3,
               "invalid character 'x' looking for beginning of value");
    expect_err("{\"a\" 1}", GH_EPARSE, 1, 6, "invalid character '1' after object key");
    expect_err("{\"a\":1 \"b\":2}", GH_EPARSE, 1, 8,
               "invalid character '\"' after object key:value pair");
    expect_err("[1 2]", GH_EPARSE, 1, 4, "invalid character '2' after array element");
    expect_err("[1,]", GH_EPARSE, 1, 4, "invalid character ']' looking for beginning of value");
    expect_err("\"abc", GH_EPARSE, 1, 5, "unexpected end of JSON input");
    expect_err("", GH_EPARSE, 1, 1, "unexpected end of JSON input");
    expect_err("  \n ", GH_EPARSE, 2, 2, "unexpected end of JSON input");
    expect_err("1 2", GH_EPARSE, 1, 3, "invalid character '2' after top-level value");
    expect_err("[01]", GH_EPARSE, 1, 3,
               "invalid character '1' in numeric literal (leading zeros are not allowed)");
    expect_err("[NaN]", GH_EPARSE, 1, 2, "invalid character 'N' looking for beginning of value");
    expect_err("Infinity", GH_EPARSE, 1, 1, "invalid character 'I' looking for beginning of value");
    expect_err("-Infinity", GH_EPARSE, 1, 2, "invalid character 'I' in numeric literal");
    expect_err("1.", GH_EPARSE, 1, 3, "unexpected end of JSON input");
    expect_err("[1.e3]", GH_EPARSE, 1, 4,
               "invalid character 'e' after decimal point in numeric literal");
    expect_err("1e+x", GH_EPARSE, 1, 4, "invalid character 'x' in exponent of numeric literal");
    expect_err("// c\n{}", GH_EPARSE, 1, 1, "invalid character '/' looking for beginning of value");
    expect_err("{} /* c */", GH_EPARSE, 1, 4, "invalid character '/' after top-level value");
    expect_err("tru", GH_EPARSE, 1, 4, "unexpected end of JSON input");
    expect_err("[nul]", GH_EPARSE, 1, 5, "invalid character ']' in literal null (expecting 'l')");
    expect_err("{'a':1}", GH_EPARSE, 1, 2,
               "invalid character '\\'' looking for beginning of object key string");
    expect_err("\"a\tb\"", GH_EPARSE, 1, 3, "invalid character '\\t' in string literal");
    expect_err("\"\\x41\"", GH_EPARSE, 1, 3, "invalid character 'x' in string escape code");
    expect_err("\"\\u12G4\"", GH_EPARSE, 1, 6,
               "invalid character 'G' in \\u hexadecimal character escape");
    /* columns count code points, not bytes */
    expect_err("{\"\xc3\xa9\xe2\x82\xac\":x}", GH_EPARSE, 1, 7,
               "invalid character 'x' looking for beginning of value");
    expect_err("[\"\xc3\xa9\"]\xe2\x82\xac", GH_EPARSE, 1, 6,
               "invalid character '\xe2\x82\xac' after top-level value");
    expect_err_n("[1,\0]", 5, GH_EPARSE, 1, 4,
                 "invalid character '\\x00' looking for beginning of value");
}

static void test_error_details(void **state) {
    (void)state;
    /* e may be NULL; out is cleared on failure */
    val_t *v = (val_t *)1;
    assert_int_equal(val_json_parse(&A, "[", 1, NULL, &v, NULL), GH_EPARSE);
    assert_null(v);
    gh_err e;
    assert_int_equal(val_json_parse(NULL, "1", 1, NULL, &v, &e), GH_EINVAL);
    assert_int_equal(val_json_parse(&A, NULL, 1, NULL, &v, &e), GH_EINVAL);
    assert_int_equal(val_json_parse(&A, "1", 1, NULL, NULL, &e), GH_EINVAL);
    /* a previous error in e does not leak into a success */
    assert_int_equal(val_json_parse(&A, "[1]", 3, NULL, &v, &e), 0);
    assert_int_equal(e.code, 0);
    /* the file name is the caller's; gh_err_format shows it all */
    assert_int_equal(val_json_parse(&A, "{\n\"a\":}", 7, NULL, &v, &e), GH_EPARSE);
    gh_err_set_file(&e, "data.json");
    char buf[600];
    assert_string_equal(gh_err_format(&e, buf, sizeof buf),
                        "data.json:2:5: invalid character '}' looking for beginning of value");
}

static void test_depth_limit(void **state) {
    (void)state;
    val_json_opts o = {.max_depth = 3};
    val_t *v;
    gh_err e;
    assert_int_equal(val_json_parse(&A, "[[{\"a\":1}]]", 11, &o, &v, &e), 0);
    assert_int_equal(val_json_parse(&A, "[[{\"a\":[]}]]", 12, &o, &v, &e), GH_ELIMIT);
    assert_int_equal(e.code, GH_ELIMIT);
    assert_int_equal(e.line, 1);
    assert_int_equal(e.col, 8);
    assert_string_equal(e.msg, "JSON nesting deeper than the limit of 3 levels");

    /* default GH_MAX_DEPTH: 512 levels parse, 513 do not */
    size_t n = 100000;
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    memset(s, '[', GH_MAX_DEPTH);
    memset(s + GH_MAX_DEPTH, ']', GH_MAX_DEPTH);
    assert_int_equal(val_json_parse(&A, s, 2 * GH_MAX_DEPTH, NULL, &v, &e), 0);
    int depth = 0;
    for (val_t *w = v; val_kind_of(w) == VAL_ARRAY; w = val_arr_len(w) ? val_arr_at(w, 0) : NULL) {
        depth++;
        if (!val_arr_len(w)) break;
    }
    assert_int_equal(depth, GH_MAX_DEPTH);
    memset(s, '[', GH_MAX_DEPTH + 1);
    memset(s + GH_MAX_DEPTH + 1, ']', GH_MAX_DEPTH + 1);
    assert_int_equal(val_json_parse(&A, s, 2 * GH_MAX_DEPTH + 2, NULL, &v, &e), GH_ELIMIT);
    assert_int_equal(e.col, GH_MAX_DEPTH + 1);
    /* a hostile 100000-deep document is refused, not a stack overflow */
    memset(s, '[', n);
    assert_int_equal(val_json_parse(&A, s, n, NULL, &v, &e), GH_ELIMIT);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 2 ? '[' : '{';
    assert_int_equal(val_json_parse(&A, s, n, NULL, &v, &e), GH_EPARSE); /* '{[' is bad */
    for (size_t i = 0; i < n / 6; i++)
        memcpy(s + 6 * i, "{\"a\":[", 6);
    assert_int_equal(val_json_parse(&A, s, n / 6 * 6, NULL, &v, &e), GH_ELIMIT);
    free(s);
}

static void test_size_limit(void **state) {
    (void)state;
    val_json_opts o = {.max_bytes = 10};
    val_t *v;
    gh_err e;
    assert_int_equal(val_json_parse(&A, "[1,2,3,44]", 10, &o, &v, &e), 0);
    assert_int_equal(val_json_parse(&A, "[1,2,3,444]", 11, &o, &v, &e), GH_ELIMIT);
    assert_int_equal(e.code, GH_ELIMIT);
    assert_string_equal(e.msg, "JSON document of 11 bytes is larger than the limit of 10 bytes");
    /* the default limit applies without options */
    assert_int_equal(val_json_parse(&A, "[]", (size_t)GH_MAX_DOC_BYTES + 1, NULL, &v, &e),
                     GH_ELIMIT);
}

static void test_numbers(void **state) {
    (void)state;
    assert_string_equal(emit(parse_ok("1e400")), "1e400");
    assert_string_equal(emit(parse_ok("123456789012345678901234567890")),
                        "123456789012345678901234567890");
    assert_string_equal(emit(parse_ok("[-0,0.10,1E+2,-1.5e-7,0,-5]")),
                        "[-0,0.10,1E+2,-1.5e-7,0,-5]");
    val_t *v = parse_ok("123456789012345678");
    assert_true(val_is_int(v));
    assert_int_equal(v->u.i, 123456789012345678LL);
    v = parse_ok("9223372036854775807");
    assert_true(val_is_int(v));
    assert_int_equal(v->u.i, INT64_MAX);
    v = parse_ok("-9223372036854775808");
    assert_true(val_is_int(v));
    assert_true(v->u.i == INT64_MIN);
    v = parse_ok("9223372036854775808");
    assert_false(val_is_int(v));
    assert_string_equal(emit(v), "9223372036854775808");
    v = parse_ok("-123456789012345678");
    assert_true(val_is_int(v));
    assert_int_equal(v->u.i, -123456789012345678LL);
    /* equal numbers, different spellings */
    assert_true(val_equal(parse_ok("100"), parse_ok("1e2")));
    assert_true(val_hash(parse_ok("100")) == val_hash(parse_ok("1.00e2")));
    assert_true(val_equal(parse_ok("[1e400]"), parse_ok("[10e399]")));
    /* the number length limit */
    char big[GH_MAX_NUMBER_CHARS + 3];
    memset(big, '7', sizeof big);
    big[0] = '[';
    big[sizeof big - 1] = ']';
    val_t *out;
    gh_err e;
    assert_int_equal(val_json_parse(&A, big, sizeof big, NULL, &out, &e), GH_ELIMIT);
    assert_int_equal(e.col, 2);
    assert_non_null(strstr(e.msg, "longer than the limit of 4096 characters"));
    big[GH_MAX_NUMBER_CHARS + 1] = ']'; /* exactly at the limit */
    assert_int_equal(val_json_parse(&A, big, GH_MAX_NUMBER_CHARS + 2, NULL, &out, &e), 0);
    assert_int_equal(strlen(val_to_json(&A, out, 0)), GH_MAX_NUMBER_CHARS + 2);
    /* an exponent beyond exact range is refused with a position */
    expect_err("[1, 1e99999999999999999999]", GH_ELIMIT, 1, 5,
               "number exponent out of range: \"1e99999999999999999999\"");
}

static void test_duplicate_keys(void **state) {
    (void)state;
    val_t *v = parse_ok("{\"a\":1,\"b\":2,\"a\":3}");
    assert_int_equal(val_obj_len(v), 2);
    assert_int_equal(val_obj_get_str(v, "a", 1)->u.i, 3);
    assert_string_equal(emit(v), "{\"a\":3,\"b\":2}");
    /* beyond the linear-scan size, through the hash index */
    v = parse_ok(
        "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,"
        "\"k9\":9,\"k1\":10,\"k9\":11}");
    assert_int_equal(val_obj_len(v), 10);
    assert_int_equal(val_obj_get_str(v, "k1", 2)->u.i, 10);
    assert_int_equal(val_obj_get_str(v, "k9", 2)->u.i, 11);
    /* the same key written differently is the same key */
    v = parse_ok("{\"\\u0061\":1,\"a\":2}");
    assert_int_equal(val_obj_len(v), 1);
    /* the hash matches an object built without the duplicate */
    assert_true(val_equal(v, parse_ok("{\"a\":2}")));
    assert_true(val_hash(v) == val_hash(parse_ok("{\"a\":2}")));
}

static void test_strings(void **state) {
    (void)state;
    val_t *v = parse_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
    assert_int_equal(val_str_len(v), 8);
    assert_memory_equal(val_str_ptr(v), "\"\\/\b\f\n\r\t", 8);
    /* \u0000 inside strings keeps its byte, and the length counts it */
    v = parse_ok("\"a\\u0000b\"");
    assert_int_equal(val_str_len(v), 3);
    assert_memory_equal(val_str_ptr(v), "a\0b", 4);
    assert_string_equal(emit(v), "\"a\\u0000b\"");
    /* keys too */
    v = parse_ok("{\"k\\u0000\":1}");
    assert_non_null(val_obj_get_str(v, "k\0", 2));
    assert_null(val_obj_get_str(v, "k", 1));
    /* BMP escapes and raw UTF-8 */
    v = parse_ok("\"\\u00e9\\u20AC\xe2\x82\xac\"");
    assert_string_equal(val_str_ptr(v), "\xc3\xa9\xe2\x82\xac\xe2\x82\xac");
    /* long strings cross the 8-byte scan in every alignment */
    char buf[200];
    for (int k = 0; k < 40; k++) {
        snprintf(buf, sizeof buf, "[\"%.*s\\n%.*s\"]", k,
                 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", k % 9, "123456789");
        v = parse_ok(buf);
        assert_int_equal(val_str_len(val_arr_at(v, 0)), k + 1 + k % 9);
    }
    assert_true(parse_ok("\"\"") == parse_ok("\"\""));
    assert_int_equal(val_hash(parse_ok("\"abc\"")), val_hash(val_strc(&A, "abc")));
}

static void test_surrogates(void **state) {
    (void)state;
    val_t *v = parse_ok("\"\\ud83d\\ude00\"");
    assert_string_equal(val_str_ptr(v), "\xf0\x9f\x98\x80");
    v = parse_ok("\"\\uD834\\uDD1E\"");
    assert_string_equal(val_str_ptr(v), "\xf0\x9d\x84\x9e");
    /* invalid surrogates become U+FFFD (Go's encoding/json does the same) */
    assert_string_equal(val_str_ptr(parse_ok("\"\\ud800\"")), "\xef\xbf\xbd");
    assert_string_equal(val_str_ptr(parse_ok("\"\\udc00x\"")), "\xef\xbf\xbdx");
    assert_string_equal(val_str_ptr(parse_ok("\"\\ud800\\u0041\"")), "\xef\xbf\xbd"
                                                                     "A");
    assert_string_equal(val_str_ptr(parse_ok("\"\\ude00\\ud83d\"")), "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(val_str_ptr(parse_ok("\"\\ud83d\\ud83d\\ude00\"")),
                        "\xef\xbf\xbd\xf0\x9f\x98\x80");
    assert_string_equal(val_str_ptr(parse_ok("\"\\ud83d\\n\"")), "\xef\xbf\xbd\n");
    /* a pair's second half must be well formed */
    expect_err("\"\\ud83d\\u12\"", GH_EPARSE, 1, 12,
               "invalid character '\"' in \\u hexadecimal character escape");
}

static void test_invalid_utf8(void **state) {
    (void)state;
    static const struct {
        const char *s;
        int col;
        const char *msg;
    } cases[] = {
        {"\"\xc0\x80\"", 2, "invalid UTF-8 in string literal (byte 0xc0)"},         /* overlong */
        {"\"\xe0\x80\xaf\"", 2, "invalid UTF-8 in string literal (byte 0xe0)"},     /* overlong */
        {"\"\xed\xa0\x80\"", 2, "invalid UTF-8 in string literal (byte 0xed)"},     /* surrogate */
        {"\"\xf4\x90\x80\x80\"", 2, "invalid UTF-8 in string literal (byte 0xf4)"}, /* > 10FFFF */
        {"\"ab\xe2\x82\"", 4, "invalid UTF-8 in string literal (byte 0xe2)"},       /* truncated */
        {"[\"\x80\"]", 3, "invalid UTF-8 in string literal (byte 0x80)"},           /* lone cont. */
        {"\"\xff\"", 2, "invalid UTF-8 in string literal (byte 0xff)"},
        {"\"\xf8\x88\x80\x80\x80\"", 2, "invalid UTF-8 in string literal (byte 0xf8)"},
        {"{\"\xc3\xa9\":\"x\xe9y\"}", 8, "invalid UTF-8 in string literal (byte 0xe9)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_err(cases[i].s, GH_EPARSE, 1, cases[i].col, cases[i].msg);
    /* truncated at the very end of input */
    expect_err_n("\"\xe2\x82", 3, GH_EPARSE, 1, 2, "invalid UTF-8 in string literal (byte 0xe2)");
    /* the largest valid code points are fine */
    assert_int_equal(val_str_len(parse_ok("\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\xed\x9f\xbf\"")), 10);
}

static void test_bom(void **state) {
    (void)state;
    val_t *v = parse_ok("\xef\xbb\xbf{\"a\":1}");
    assert_int_equal(val_obj_len(v), 1);
    assert_string_equal(emit(parse_ok("\xef\xbb\xbf 7")), "7");
    expect_err("\xef\xbb\xbf", GH_EPARSE, 1, 2, "unexpected end of JSON input");
    expect_err("\xef\xbb\xbf\xef\xbb\xbf{}", GH_EPARSE, 1, 2,
               "invalid character '\xef\xbb\xbf' looking for beginning of value");
    expect_err("[\xef\xbb\xbf]", GH_EPARSE, 1, 2,
               "invalid character '\xef\xbb\xbf' looking for beginning of value");
    expect_err("\xef\xbb{}", GH_EPARSE, 1, 1,
               "invalid character '\\xef' looking for beginning of value");
}

/* val_json_opts.consumed: the first value only, as Go's json.Decoder reads. */
static void test_first_value_only(void **state) {
    (void)state;
    size_t used = 99;
    val_json_opts o = {.consumed = &used};
    val_t *v = NULL;
    gh_err e;
    const char *t = " {\"a\":[1]}} trailing";
    assert_int_equal(val_json_parse(&A, t, strlen(t), &o, &v, &e), 0);
    assert_string_equal(emit(v), "{\"a\":[1]}");
    assert_int_equal(used, 10);
    assert_int_equal(val_json_parse(&A, "[1,2]x", 6, &o, &v, &e), 0);
    assert_int_equal(used, 5);
    /* errors inside the value are still errors */
    assert_int_equal(val_json_parse(&A, "{\"a\":}", 6, &o, &v, &e), GH_EPARSE);
    assert_null(v);
    /* without the option the trailing text is an error */
    assert_int_equal(val_json_parse(&A, t, strlen(t), NULL, &v, &e), GH_EPARSE);
}

static void test_structure_and_hash(void **state) {
    (void)state;
    val_t *v = parse_ok(" {\"a\" : [1, \"x\", null, true, false, {}, []],\r\n\t\"b\":{\"c\":-2}} ");
    val_t *arr = val_arr_new(&A, 0), *o = val_obj_new(&A, 0), *b = val_obj_new(&A, 0);
    val_arr_push(&A, arr, val_int(&A, 1));
    val_arr_push(&A, arr, val_strc(&A, "x"));
    val_arr_push(&A, arr, VAL_NULLV);
    val_arr_push(&A, arr, VAL_TRUE);
    val_arr_push(&A, arr, VAL_FALSE);
    val_arr_push(&A, arr, val_obj_new(&A, 0));
    val_arr_push(&A, arr, val_arr_new(&A, 0));
    val_obj_put(&A, b, val_strc(&A, "c"), val_int(&A, -2));
    val_obj_put(&A, o, val_strc(&A, "a"), arr);
    val_obj_put(&A, o, val_strc(&A, "b"), b);
    assert_true(val_equal(v, o));
    assert_true(val_hash(v) == val_hash(o));
    assert_true(val_hash(val_obj_get_str(v, "a", 1)) == val_hash(arr));
    assert_string_equal(emit(v), "{\"a\":[1,\"x\",null,true,false,{},[]],\"b\":{\"c\":-2}}");
    /* a parsed array still accepts pushes (no spare capacity is assumed) */
    val_t *pa = val_obj_get_str(v, "a", 1);
    assert_int_equal(val_arr_push(&A, pa, val_int(&A, 9)), 0);
    assert_int_equal(val_arr_len(pa), 8);
    /* scalars at top level */
    assert_true(parse_ok("null") == VAL_NULLV);
    assert_true(parse_ok(" true ") == VAL_TRUE);
    assert_true(parse_ok("false\n") == VAL_FALSE);
}

static void test_large_containers(void **state) {
    (void)state;
    /* more children and levels than the parser keeps on its own stack */
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "{\"list\":[");
    for (int i = 0; i < 5000; i++)
        gh_buf_printf(&b, "%s{\"i\":%d,\"s\":\"v%d\"}", i ? "," : "", i, i);
    gh_buf_puts(&b, "],\"deep\":");
    for (int i = 0; i < 100; i++)
        gh_buf_puts(&b, "[{\"x\":");
    gh_buf_puts(&b, "0");
    for (int i = 0; i < 100; i++)
        gh_buf_puts(&b, "}]");
    gh_buf_puts(&b, "}");
    assert_false(b.oom);
    val_t *v;
    gh_err e;
    assert_int_equal(val_json_parse(&A, b.p, b.len, NULL, &v, &e), 0);
    val_t *list = val_obj_get_str(v, "list", 4);
    assert_int_equal(val_arr_len(list), 5000);
    assert_int_equal(val_obj_get_str(val_arr_at(list, 4321), "i", 1)->u.i, 4321);
    char *txt = val_to_json(&A, v, 0);
    assert_string_equal(txt, b.p);
    /* heap failures while growing the parser's stacks give GH_ENOMEM */
    int saw_oom = 0;
    for (long k = 0; k < 6; k++) {
        gh_alloc_fail_after(k);
        gh_arena a;
        gh_arena_init(&a, 0);
        int rc = val_json_parse(&a, b.p, b.len, NULL, &v, &e);
        gh_alloc_fail_after(-1);
        assert_true(rc == 0 || rc == GH_ENOMEM);
        if (rc) {
            saw_oom = 1;
            assert_int_equal(e.code, GH_ENOMEM);
            assert_null(v);
        }
        gh_arena_free(&a);
    }
    assert_true(saw_oom);
    gh_buf_free(&b);
}

static void test_key_cache(void **state) {
    (void)state;
    /* repeated short keys are shared between objects; values are not */
    val_t *v = parse_ok("[{\"name\":\"a\"},{\"name\":\"a\"},{\"n\\u0061me\":\"a\"}]");
    val_t *o0 = val_arr_at(v, 0), *o1 = val_arr_at(v, 1), *o2 = val_arr_at(v, 2);
    assert_true(val_obj_key_at(o0, 0) == val_obj_key_at(o1, 0));
    assert_true(val_obj_val_at(o0, 0) != val_obj_val_at(o1, 0));
    assert_true(val_equal(val_obj_key_at(o0, 0), val_obj_key_at(o2, 0)));
    assert_true(val_equal(o0, o2));
    /* many distinct keys (more than the cache has slots) of equal and
     * different lengths, several times over: every lookup still finds its own */
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_putc(&b, '[');
    for (int r = 0; r < 3; r++) {
        gh_buf_printf(&b, "%s{", r ? "," : "");
        for (int i = 0; i < 1000; i++)
            gh_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i + r);
        gh_buf_putc(&b, '}');
    }
    gh_buf_putc(&b, ']');
    assert_false(b.oom);
    gh_err e;
    assert_int_equal(val_json_parse(&A, b.p, b.len, NULL, &v, &e), 0);
    for (int r = 0; r < 3; r++) {
        val_t *o = val_arr_at(v, (size_t)r);
        assert_int_equal(val_obj_len(o), 1000);
        for (int i = 0; i < 1000; i++) {
            char k[16];
            int n = snprintf(k, sizeof k, "k%d", i);
            val_t *x = val_obj_get_str(o, k, (size_t)n);
            assert_non_null(x);
            assert_int_equal(x->u.i, i + r);
        }
    }
    gh_buf_free(&b);
}

static void test_arena_budget(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    gh_buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < 3000; i++)
        gh_buf_printf(&b, "%s{\"name\":\"pod-%d\",\"n\":%d,\"big\":1e%d,\"esc\":\"\\u00e9%d\"}",
                      i ? "," : "", i, i * 1000, i, i);
    gh_buf_puts(&b, "]}");
    val_t *v;
    gh_err e;
    /* every budget either suffices or fails cleanly with GH_ENOMEM */
    int ok = 0, nomem = 0;
    for (size_t budget = 1024; budget < (8u << 20); budget = budget * 3 / 2) {
        gh_arena a;
        gh_arena_init(&a, budget);
        int rc = val_json_parse(&a, b.p, b.len, NULL, &v, &e);
        if (rc == 0) {
            ok++;
            assert_int_equal(val_arr_len(val_obj_get_str(v, "items", 5)), 3000);
        } else {
            nomem++;
            assert_int_equal(rc, GH_ENOMEM);
            assert_int_equal(e.code, GH_ENOMEM);
            assert_true(e.line >= 1 && e.col >= 1);
            assert_null(v);
        }
        gh_arena_free(&a);
    }
    assert_true(ok > 0);
    assert_true(nomem > 0);
    gh_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_details),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_first_value_only),
        cmocka_unit_test(test_structure_and_hash),
        cmocka_unit_test(test_large_containers),
        cmocka_unit_test(test_key_cache),
        cmocka_unit_test(test_arena_budget),
    };
    return GH_TEST_RUN_GROUP(tests);
}
