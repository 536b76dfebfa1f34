/* test_check_trace.c - unit tests of the checker's conftest extras
 * (src/policy/check.c, check_builtins.c): --trace lines and print() output
 * kept per query, and the host builtins parse_config, parse_config_file and
 * parse_combined_config_files reaching a parser hook with paths relative to
 * the calling policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "rego/rego.h"

static char DIR_[64];
static char POLFILE[128];

/* the test's parser hook: properties by name or by the .properties suffix */
static int hook(void *ud, gh_arena *a, const char *parser, const char *path, const char *text,
                size_t n, val_t **out, gh_err *e) {
    (*(int *)ud)++;
    bool props =
        parser ? !strcmp(parser, "properties")
               : (path && strlen(path) > 11 && !strcmp(path + strlen(path) - 11, ".properties"));
    if (parser && !strcmp(parser, "dotenv")) return pol_parse_dotenv(a, text, n, path, out, e);
    if (!props) return gh_err_set(e, GH_EINVAL, path, 0, 0, "no parser");
    return pol_parse_properties(a, text, n, path, out, e);
}

static const char *MOD =
    "package main\n"
    "import rego.v1\n"
    "deny contains msg if {\n"
    "  print(\"kind\", input.kind)\n"
    "  cfg := parse_config(\"properties\", \"a=1\\nb=${a}2\")\n"
    "  f := parse_config_file(\"conf.properties\")\n"
    "  c := parse_combined_config_files([\"conf.properties\", \"conf.properties\"])\n"
    "  msg := sprintf(\"%s %s %d %s\", [cfg.b, f.port, count(c), c[0].path])\n"
    "}\n"
    "warn contains \"dotenv\" if parse_config(\"dotenv\", \"X=1\").X == \"1\"\n";

static void test_trace_print_builtins(void **state) {
    (void)state;
    gh_err e;
    snprintf(DIR_, sizeof DIR_, "/tmp/gh_chk_XXXXXX");
    assert_non_null(mkdtemp(DIR_));
    char conf[160];
    snprintf(conf, sizeof conf, "%s/conf.properties", DIR_);
    snprintf(POLFILE, sizeof POLFILE, "%s/p.rego", DIR_);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs("port = 8080\n", f);
    fclose(f);

    assert_int_equal(pol_check_register_builtins(&e), 0);
    rego_policy *p = rego_policy_new();
    assert_int_equal(rego_policy_add_module(p, POLFILE, MOD, strlen(MOD), NULL, &e), 0);
    assert_int_equal(rego_policy_compile(p, NULL, &e), 0);
    pol_check *c = pol_check_new(p);
    assert_int_equal(pol_check_add_module(c, POLFILE, MOD, strlen(MOD), NULL, &e), 0);
    int calls = 0;
    pol_check_set_parser(c, hook, &calls);
    pol_check_set_trace(c, true);

    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *in = NULL;
    assert_int_equal(val_json_parse(&a, "{\"kind\":\"K\"}", 12, NULL, &in, &e), 0);
    pol_check_result r;
    memset(&r, 0, sizeof r);
    r.file = "in.json";
    r.ns = "main";
    assert_int_equal(pol_check_eval(c, &a, "main", in, &r, &e), 0);
    assert_int_equal(r.nfailures, 1);
    char want[256];
    snprintf(want, sizeof want, "12 8080 2 %s", conf);
    assert_string_equal(r.failures[0].msg, want);
    assert_int_equal(r.nwarnings, 1);
    assert_true(calls >= 5);
    /* four queries (exception + rule for deny and warn), each traced */
    assert_int_equal(r.nqueries, 4);
    bool saw_print = false, saw_enter = false;
    for (size_t i = 0; i < r.nqueries; i++) {
        assert_true(r.queries[i].ntrace > 0);
        for (size_t k = 0; k < r.queries[i].ntrace; k++)
            saw_enter |= !strcmp(r.queries[i].trace[k], "| Enter data.main.deny");
        for (size_t k = 0; k < r.queries[i].noutputs; k++) {
            char pw[200];
            snprintf(pw, sizeof pw, "%s:4: kind K", POLFILE);
            saw_print |= !strcmp(r.queries[i].outputs[k], pw);
        }
    }
    assert_true(saw_enter);
    assert_true(saw_print);

    /* without tracing only queries that printed are kept */
    pol_check_set_trace(c, false);
    memset(&r, 0, sizeof r);
    assert_int_equal(pol_check_eval(c, &a, "main", in, &r, &e), 0);
    assert_int_equal(r.nqueries, 1);
    assert_int_equal(r.queries[0].ntrace, 0);
    assert_int_equal(r.queries[0].noutputs, 1);

    /* no parser hook: the builtins fail (undefined, or an error when strict) */
    pol_check_set_parser(c, NULL, NULL);
    pol_check_set_strict_builtins(c, true);
    memset(&r, 0, sizeof r);
    assert_int_not_equal(pol_check_eval(c, &a, "main", in, &r, &e), 0);
    assert_non_null(strstr(e.msg, "gatehouse check"));

    gh_arena_free(&a);
    pol_check_free(c);
    rego_policy_free(p);
    remove(conf);
    rmdir(DIR_);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_print_builtins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
