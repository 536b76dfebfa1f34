/* test_opafmt.c - unit tests of the CLI's OPA-shaped helpers: Go durations
 * (print and parse), display width, tablewriter-style tables, error lists
 * in OPA's text and JSON forms (parse-error details, compiler-joined
 * errors), and the -d loader (OPA's data placement and merge rules, module
 * naming, prefixes). Expected strings were checked against OPA 0.61. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

static char *dur(int64_t ns) {
    static char out[64];
    gh_buf b;
    gh_buf_init(&b);
    cli_go_duration(&b, ns);
    snprintf(out, sizeof out, "%s", b.p);
    gh_buf_free(&b);
    return out;
}

static void test_duration_format(void **state) {
    (void)state;
    assert_string_equal(dur(0), "0s");
    assert_string_equal(dur(999), "999ns");
    assert_string_equal(dur(1000), "1µs");
    assert_string_equal(dur(167250), "167.25µs");
    assert_string_equal(dur(99452), "99.452µs");
    assert_string_equal(dur(1539269), "1.539269ms");
    assert_string_equal(dur(20000000), "20ms");
    assert_string_equal(dur(1000000000), "1s");
    assert_string_equal(dur(61500000000LL), "1m1.5s");
    assert_string_equal(dur(3600000000000LL), "1h0m0s");
    assert_string_equal(dur(-1500), "-1.5µs");
}

static void test_duration_parse(void **state) {
    (void)state;
    int64_t ns;
    assert_int_equal(cli_parse_duration("300ms", &ns), 0);
    assert_int_equal(ns, 300000000);
    assert_int_equal(cli_parse_duration("1.5h", &ns), 0);
    assert_int_equal(ns, 5400000000000LL);
    assert_int_equal(cli_parse_duration("2m3s", &ns), 0);
    assert_int_equal(ns, 123000000000LL);
    assert_int_equal(cli_parse_duration("0.2s", &ns), 0);
    assert_int_equal(ns, 200000000);
    assert_int_equal(cli_parse_duration("10µs", &ns), 0);
    assert_int_equal(ns, 10000);
    assert_int_equal(cli_parse_duration("0", &ns), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(cli_parse_duration("", &ns), -1);
    assert_int_equal(cli_parse_duration("5", &ns), -1);
    assert_int_equal(cli_parse_duration("1x", &ns), -1);
    assert_int_equal(cli_parse_duration("s", &ns), -1);
    assert_int_equal(cli_parse_duration("9999999999h", &ns), -1);
}

static void test_display_width(void **state) {
    (void)state;
    assert_int_equal(cli_display_width("abc", 3), 3);
    assert_int_equal(cli_display_width("ü", strlen("ü")), 1);
    assert_int_equal(cli_display_width("\"日本語 中文\"", strlen("\"日本語 中文\"")), 13);
}

static void test_table(void **state) {
    (void)state;
    const char *hdr[] = {"x", "y"};
    const char *cells[] = {
        "1",
        "\"hello world foo bar baz qux quux corge grault garply waldo fred plugh\"",
        "100",
        "\"a b\"",
    };
    gh_buf b;
    gh_buf_init(&b);
    cli_table(&b, hdr, 2, cells, 2);
    assert_string_equal(b.p, "+-----+--------------------------------+\n"
                             "|  x  |               y                |\n"
                             "+-----+--------------------------------+\n"
                             "| 1   | \"hello world foo bar baz qux   |\n"
                             "|     | quux corge grault garply waldo |\n"
                             "|     | fred plugh\"                    |\n"
                             "| 100 | \"a b\"                          |\n"
                             "+-----+--------------------------------+\n");
    gh_buf_reset(&b);
    const char *plain[] = {"samples", "52284", "ns/op", "     27142", "stddev", "        11.8"};
    cli_table_plain(&b, 2, plain, 3);
    assert_string_equal(b.p, "+---------+--------------+\n"
                             "| samples |        52284 |\n"
                             "| ns/op   |        27142 |\n"
                             "| stddev  |         11.8 |\n"
                             "+---------+--------------+\n");
    gh_buf_free(&b);
}

static void test_errors_text_json(void **state) {
    (void)state;
    pol_errors l = {0};
    gh_err e;
    gh_err_clear(&e);
    /* a parse error: details point at the last non-space char before col */
    const char *src = "x := ";
    gh_err_set(&e, GH_EPARSE, "", 1, 5, "rego_parse_error: unexpected eof token");
    pol_errors_add_gh(&l, &e, src, strlen(src));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].code, "rego_parse_error");
    assert_string_equal(l.v[0].message, "unexpected eof token");
    assert_string_equal(l.v[0].detail_line, "x := ");
    assert_int_equal(l.v[0].detail_idx, 3);
    gh_buf b;
    gh_buf_init(&b);
    pol_errors_text(&b, &l, "");
    assert_string_equal(b.p, "1 error occurred: 1:5: rego_parse_error: unexpected eof token\n"
                             "\tx := \n\t   ^\n");
    gh_buf_reset(&b);
    cli_errors_json(&b, &l);
    assert_string_equal(b.p, "{\n  \"errors\": [\n    {\n"
                             "      \"message\": \"unexpected eof token\",\n"
                             "      \"code\": \"rego_parse_error\",\n"
                             "      \"location\": {\n        \"file\": \"\",\n"
                             "        \"row\": 1,\n        \"col\": 5\n      },\n"
                             "      \"details\": {\n        \"line\": \"x := \",\n"
                             "        \"idx\": 3\n      }\n    }\n  ]\n}\n");
    pol_errors_free(&l);

    /* compiler-joined errors split into several; loader messages stay plain */
    gh_err_set(&e, GH_EINVAL, "b.rego", 3, 8,
               "var x is unsafe\nb.rego:4: rego_unsafe_var_error: var y is unsafe");
    gh_err_set_kind(&e, "rego_unsafe_var_error");
    pol_errors_add_gh(&l, &e, NULL, 0);
    pol_errors_addf(&l, "%s: merge error", "a/x.json");
    assert_int_equal(l.n, 3);
    assert_int_equal(l.v[1].row, 4);
    assert_string_equal(l.v[1].file, "b.rego");
    gh_buf_reset(&b);
    pol_errors_text(&b, &l, " during loading");
    assert_string_equal(b.p, "3 errors occurred during loading:\n"
                             "b.rego:3: rego_unsafe_var_error: var x is unsafe\n"
                             "b.rego:4: rego_unsafe_var_error: var y is unsafe\n"
                             "a/x.json: merge error\n");
    /* Go escapes <, > and & in JSON strings */
    gh_buf_reset(&b);
    cli_json_str(&b, "<a&b>", 5);
    assert_string_equal(b.p, "\"\\u003ca\\u0026b\\u003e\"");
    gh_buf_free(&b);
    pol_errors_free(&l);
}

/* ---- loader ------------------------------------------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *s = path + strlen(root) + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(path, 0755);
            *s = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_tree(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/gh_cli_load_XXXXXX");
    if (!mkdtemp(root)) return -1;
    put("d/a.rego", "package a\n\np := 1\n");
    put("d/data.json", "{\"top\": {\"k\": 1}}");
    put("d/sub/x.yaml", "k: v\n---\nignored: true\n");
    put("d/sub/deeper/y.json", "[1, 2]");
    put("d/notes.txt", "not loaded");
    put("d/top/more.json", "{\"j\": 2}");
    put("conflict/a/x.json", "{\"k\": 1}");
    put("conflict/a/y.json", "{\"k\": 2}");
    put("arr.json", "[1]");
    return 0;
}

static int teardown_tree(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_load_tree(void **state) {
    (void)state;
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/./d/", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 0);
    assert_int_equal(l.nmods, 1);
    char want[128];
    snprintf(want, sizeof want, "%s/d/a.rego", root);
    assert_string_equal(l.mods[0].name, want); /* walk paths are cleaned */
    assert_non_null(pol_loaded_module(&l, want));
    char *json = val_to_json(&l.arena, l.data, VAL_JSON_SORTED);
    assert_string_equal(json, "{\"sub\":{\"deeper\":[1,2],\"k\":\"v\"},\"top\":{\"j\":2,\"k\":1}}");

    /* a prefix puts a file under data.<prefix> */
    snprintf(path, sizeof path, "p.q:%s/arr.json", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 0);
    json = val_to_json(&l.arena, val_obj_get_str(l.data, "p", 1), VAL_JSON_SORTED);
    assert_string_equal(json, "{\"q\":[1]}");

    /* non-objects at the root, conflicting leaves and missing paths fail */
    snprintf(path, sizeof path, "%s/arr.json", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 1);
    assert_true(strstr(errs.v[0].message, "arr.json: bad document type") != NULL);
    snprintf(path, sizeof path, "%s/conflict", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 1);
    assert_true(strstr(errs.v[1].message, "conflict/a/y.json: merge error") != NULL);
    snprintf(path, sizeof path, "%s/nope", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 1);
    assert_true(strstr(errs.v[2].message, "no such file or directory") != NULL);
    pol_errors_free(&errs);

    /* compiling: parse errors carry OPA's details */
    rego_parse_opts po = {0};
    rego_policy *p = pol_loaded_compile(&l, &po, NULL, &errs);
    assert_non_null(p);
    rego_policy_free(p);
    pol_loaded_free(&l);

    pol_loaded_init(&l);
    put("bad/b.rego", "package b\n\np := \n");
    snprintf(path, sizeof path, "%s/bad", root);
    assert_int_equal(pol_load_path(&l, path, &errs), 0);
    assert_null(pol_loaded_compile(&l, &po, NULL, &errs));
    assert_true(errs.n >= 1);
    assert_string_equal(errs.v[0].code, "rego_parse_error");
    assert_int_equal(errs.v[0].row, 3);
    assert_non_null(errs.v[0].detail_line);
    assert_string_equal(errs.v[0].detail_line, "p := ");
    pol_errors_free(&errs);
    pol_loaded_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_duration_parse),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_errors_text_json),
        cmocka_unit_test_setup_teardown(test_load_tree, setup_tree, teardown_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
