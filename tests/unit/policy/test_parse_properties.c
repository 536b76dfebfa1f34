/* test_parse_properties.c - unit tests of pol_parse_properties
 * (src/policy/parse_properties.c): separators, comments, continuation
 * lines, escapes, ${key} expansion and its errors, as magiconair/properties. */
#define PARSE pol_parse_properties
#define PARSE_FILE "t.properties"
#include "parse_test.h"

static void test_pairs(void **state) {
    (void)state;
    assert_string_equal(J("a=1\nb: two\nc three\n  d   =  4 \n"),
                        "{\"a\":\"1\",\"b\":\"two\",\"c\":\"three\",\"d\":\"4 \"}");
    assert_string_equal(J("# c\n! c\n\n   \nk=v\nempty=\nonly\n"),
                        "{\"empty\":\"\",\"k\":\"v\",\"only\":\"\"}");
    assert_string_equal(J("a=b=c\nx:y:z\n"), "{\"a\":\"b=c\",\"x\":\"y:z\"}");
    assert_string_equal(J("k=1\nk=2\n"), "{\"k\":\"2\"}");
    assert_string_equal(J(""), "{}");
}

static void test_escapes_continuation(void **state) {
    (void)state;
    assert_string_equal(J("long = one, \\\n     two, \\\r\n  three\nnext=x"),
                        "{\"long\":\"one, two, three\",\"next\":\"x\"}");
    assert_string_equal(J("t=a\\tb\\nc\\\\d\\qe"), "{\"t\":\"a\\tb\\nc\\\\dqe\"}");
    assert_string_equal(J("u=\\u00e9\\u20AC"), "{\"u\":\"\xC3\xA9\xE2\x82\xAC\"}");
    assert_string_equal(J("key\\ with\\:sep\\=s = v"), "{\"key with:sep=s\":\"v\"}");
    assert_string_equal(J("odd=x\\\\\neven=y"), "{\"even\":\"y\",\"odd\":\"x\\\\\"}");
}

static void test_expansion(void **state) {
    (void)state;
    assert_string_equal(J("host=example.com\nurl=https://${host}/${path}\npath=p${n}\nn=1"),
                        "{\"host\":\"example.com\",\"n\":\"1\",\"path\":\"p1\","
                        "\"url\":\"https://example.com/p1\"}");
    setenv("GH_PROPS_TEST_VAR", "envval", 1);
    assert_string_equal(J("e=${GH_PROPS_TEST_VAR}|${GH_PROPS_UNSET_VAR}|$x"),
                        "{\"e\":\"envval||$x\"}");
    J_ERR("a=${b}\nb=${a}", GH_EPARSE, 0);
    assert_non_null(strstr(E.msg, "circular"));
    assert_null(J("a=${b"));
    assert_non_null(strstr(E.msg, "malformed"));
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("a=1\nb=\\u12x4", GH_EPARSE, 2);
    /* exponential ${a}${a} growth is capped */
    assert_null(J("a0=xxxxxxxxxxxxxxxx\na1=${a0}${a0}\na2=${a1}${a1}\na3=${a2}${a2}\n"
                  "a4=${a3}${a3}\na5=${a4}${a4}\na6=${a5}${a5}\na7=${a6}${a6}\na8=${a7}${a7}\n"
                  "a9=${a8}${a8}\nb0=${a9}${a9}\nb1=${b0}${b0}\nb2=${b1}${b1}\nb3=${b2}${b2}\n"
                  "b4=${b3}${b3}\nb5=${b4}${b4}\nb6=${b5}${b5}\nb7=${b6}${b6}\nb8=${b7}${b7}\n"
                  "b9=${b8}${b8}\nc0=${b9}${b9}\nc1=${c0}${c0}\nc2=${c1}${c1}\n"));
    assert_int_equal(E.code, GH_ELIMIT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_pairs),
        GH_TEST_ARENA(test_escapes_continuation),
        GH_TEST_ARENA(test_expansion),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
