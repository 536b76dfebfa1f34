/* test_load.c - the policy/data loader (src/policy/load.c) beyond what the
 * CLI tests cover: OPA bundle directories (.manifest roots, data.json only),
 * a .tar.gz that is no archive (tests/unit/policy/test_bundle.c has the rest), and the error list as OPA's REST error objects
 * (pol_errors_to_value) and as one gh_err (pol_errors_to_err), type-error
 * details carried through from the engine's list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "rego/rego.h"

static char root[64];

static void put(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/gh_test_load_XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *rel) {
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    return p;
}

static void test_bundle_dir(void **state) {
    (void)state;
    put("b1/.manifest", "{\"roots\": [\"acme\", \"shared/x\"]}");
    put("b1/acme/authz/policy.rego", "package acme.authz\nallow := true\n");
    put("b1/acme/data.json", "{\"users\": [\"alice\"]}");
    put("b1/shared/data.yaml", "x: {z: 1}\n");
    put("b1/acme/other.json", "{\"ignored\": true}"); /* not data.json: skipped in bundles */
    pol_loaded l;
    pol_loaded_init(&l);
    l.bundle = true;
    pol_errors errs = {0};
    int n = pol_load_path(&l, path_of("b1"), &errs);
    if (n) fail_msg("%s", errs.v[0].message);
    assert_int_equal(l.nmods, 1);
    gh_arena a;
    gh_arena_init(&a, 0);
    char *json = val_to_json(&a, l.data, VAL_JSON_SORTED);
    assert_string_equal(json, "{\"acme\":{\"users\":[\"alice\"]},\"shared\":{\"x\":{\"z\":1}}}");
    rego_policy *p = pol_loaded_compile(&l, NULL, NULL, &errs);
    assert_non_null(p);
    rego_policy_free(p);
    /* without bundle mode the same directory loads every JSON file */
    pol_loaded_free(&l);
    pol_loaded_init(&l);
    assert_int_equal(pol_load_path(&l, path_of("b1"), &errs), 0);
    json = val_to_json(&a, l.data, VAL_JSON_SORTED);
    assert_non_null(strstr(json, "\"ignored\":true"));
    gh_arena_free(&a);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

static void test_bundle_roots_enforced(void **state) {
    (void)state;
    put("b2/.manifest", "{\"roots\": [\"acme\"]}");
    put("b2/evil/data.json", "{\"k\": 1}");
    put("b2/p.rego", "package other\nx := 1\n");
    pol_loaded l;
    pol_loaded_init(&l);
    l.bundle = true;
    pol_errors errs = {0};
    assert_int_equal(pol_load_path(&l, path_of("b2"), &errs), 2);
    assert_string_equal(errs.v[0].message,
                        "manifest roots [acme] do not permit data at path '/evil' (hint: check "
                        "bundle directory structure)");
    assert_non_null(strstr(errs.v[1].message, "do not permit 'data.other' in module"));
    /* nothing of a refused bundle is merged */
    assert_int_equal(val_obj_len(l.data), 0);
    pol_loaded_free(&l);
    pol_errors_free(&errs);

    put("b3/.manifest", "[1]");
    pol_loaded_init(&l);
    l.bundle = true;
    assert_int_equal(pol_load_path(&l, path_of("b3"), &errs), 1);
    assert_non_null(strstr(errs.v[0].message, "manifest must be an object"));
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

static void test_tar_gz_not_an_archive(void **state) {
    (void)state;
    put("bundle.tar.gz", "not really");
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_int_equal(pol_load_path(&l, path_of("bundle.tar.gz"), &errs), 1);
    assert_non_null(strstr(errs.v[0].message, "not a bundle archive (gzip-compressed tar)"));
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

static void test_errors_as_values(void **state) {
    (void)state;
    put("bad/p.rego", "package p\n\nx := \n");
    put("bad/q.rego", "package q\ny := z\n");
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_int_equal(pol_load_path(&l, path_of("bad"), &errs), 0);
    assert_null(pol_loaded_compile(&l, NULL, NULL, &errs));
    assert_true(errs.n >= 1);
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *v = pol_errors_to_value(&a, &errs);
    assert_non_null(v);
    const char *json = val_to_json(&a, val_arr_at(v, 0), VAL_JSON_SORTED);
    char want[512];
    snprintf(want, sizeof want,
             "{\"code\":\"rego_parse_error\",\"details\":{\"idx\":2,\"line\":\"x := \"},"
             "\"location\":{\"col\":3,\"file\":\"%s/bad/p.rego\",\"row\":3},",
             root);
    if (strncmp(json, want, strlen(want))) fail_msg("%s\nwant prefix %s", json, want);
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(pol_errors_to_err(&errs, &e), GH_EPARSE);
    assert_string_equal(e.kind, "rego_parse_error");
    assert_non_null(strstr(e.msg, "1 error occurred: "));
    /* loader errors have no code: internal_error */
    pol_errors le = {0};
    pol_errors_addf(&le, "%s: merge error", "x.json");
    v = pol_errors_to_value(&a, &le);
    assert_string_equal(val_to_json(&a, v, VAL_JSON_SORTED),
                        "[{\"code\":\"internal_error\",\"message\":\"x.json: merge error\"}]");
    gh_err_clear(&e);
    assert_int_equal(pol_errors_to_err(&le, &e), GH_EINVAL);
    assert_string_equal(e.msg, "1 error occurred: x.json: merge error");
    pol_errors_free(&le);
    assert_int_equal(pol_errors_to_err(&le, &e), 0);
    gh_arena_free(&a);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

/* Type errors keep their details through the loader: as OPA's error
 * objects ({"have","want"}), in the text form (indented detail lines), and
 * every error of a long list (ten and OPA's limit marker). */
static void test_type_error_details(void **state) {
    (void)state;
    char src[1024];
    size_t n = (size_t)snprintf(src, sizeof src, "package ty\n");
    for (int i = 1; i <= 12; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, "p%d := count(%d)\n", i, i);
    put("ty/p.rego", src);
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    assert_int_equal(pol_load_path(&l, path_of("ty"), &errs), 0);
    assert_null(pol_loaded_compile(&l, NULL, NULL, &errs));
    assert_int_equal(errs.n, 11);
    assert_string_equal(errs.v[10].message, "error limit reached");
    assert_null(errs.v[10].file);
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *v = pol_errors_to_value(&a, &errs);
    assert_non_null(v);
    const char *json = val_to_json(&a, val_obj_get_str(val_arr_at(v, 0), "details", 7),
                                   VAL_JSON_SORTED);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"have\":[{\"type\":\"number\"},null]"));
    assert_non_null(strstr(json, "{\"name\":\"n\",\"type\":\"number\"}]}"));
    assert_string_equal(val_to_json(&a, val_arr_at(v, 10), VAL_JSON_SORTED),
                        "{\"code\":\"rego_compile_error\",\"message\":\"error limit reached\"}");
    gh_buf b;
    gh_buf_init(&b);
    pol_error_text(&b, &errs.v[0]);
    assert_non_null(b.p);
    assert_non_null(strstr(b.p, "rego_type_error: count: invalid argument(s)\n"
                                "\thave: (number, ?\?\?)\n"
                                "\twant: (collection: any<string, array[any], object[any: any], "
                                "set[any]>, n: number)"));
    gh_buf_reset(&b);
    pol_error_text(&b, &errs.v[10]);
    assert_string_equal(b.p, "rego_compile_error: error limit reached");
    gh_buf_free(&b);
    gh_arena_free(&a);
    pol_loaded_free(&l);
    pol_errors_free(&errs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_error_details),
        cmocka_unit_test(test_bundle_dir),
        cmocka_unit_test(test_bundle_roots_enforced),
        cmocka_unit_test(test_tar_gz_not_an_archive),
        cmocka_unit_test(test_errors_as_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
