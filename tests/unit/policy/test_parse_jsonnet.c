/* test_parse_jsonnet.c - unit tests of pol_parse_jsonnet
 * (src/policy/parse_jsonnet.c): evaluation through libjsonnet, imports
 * relative to the file, errors carrying the evaluator message. */
#define PARSE pol_parse_jsonnet
#define PARSE_FILE "t.jsonnet"
#include "parse_test.h"

#include <unistd.h>

static void test_eval(void **state) {
    (void)state;
    assert_string_equal(
        J("{ a: [1, 2] + [3], b: 'x' + 1, c: self.a[0] * 2, d: 'foo' in {foo: 1} }"),
        "{\"a\":[1,2,3],\"b\":\"x1\",\"c\":2,\"d\":true}");
    assert_string_equal(J("local f(x) = x * x; [f(3), std.length('abc')]"), "[9,3]");
}

static void test_import(void **state) {
    (void)state;
    char dir[] = "/tmp/gh_jsonnet_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char lib[256], main[256];
    snprintf(lib, sizeof lib, "%s/lib.libsonnet", dir);
    snprintf(main, sizeof main, "%s/main.jsonnet", dir);
    FILE *f = fopen(lib, "w");
    assert_non_null(f);
    fputs("{ port: 8080 }", f);
    fclose(f);
    const char *src = "local l = import 'lib.libsonnet'; { port: l.port }";
    val_t *v = NULL;
    assert_int_equal(pol_parse_jsonnet(&A, src, strlen(src), main, &v, &E), 0);
    assert_string_equal(val_to_json(&A, v, VAL_JSON_SORTED), "{\"port\":8080}");
    remove(lib);
    rmdir(dir);
}

static void test_errors(void **state) {
    (void)state;
    J_ERR("{ a: }", GH_EPARSE, 0);
    assert_non_null(strstr(E.msg, "t.jsonnet"));
    assert_null(J("error 'boom'"));
    assert_non_null(strstr(E.msg, "boom"));
    assert_null(J("local f(x) = f(x + 1); f(0)")); /* stack limit, not a crash */
    assert_int_equal(E.code, GH_EPARSE);
    assert_null(J("import 'no/such/file.jsonnet'"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        GH_TEST_ARENA(test_eval),
        GH_TEST_ARENA(test_import),
        GH_TEST_ARENA(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
