/* test_opts.c - the shared option parser of the CLI (src/cli/cli_opts.c):
 * shared and own options interleaved, only the shared options a command
 * takes are accepted, -f by table index, the -d limit, --timeout values,
 * --help, and the exit codes it leaves in cli_opts.rc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"

static int usage_calls;
static void usage(FILE *f) {
    (void)f;
    usage_calls++;
}

static const char *const formats[] = {"json", "pretty", NULL};
static const struct option own[] = {
    {"fail", no_argument, NULL, 256},
    {"strict", no_argument, NULL, 'S'},
    {NULL, 0, NULL, 0},
};

static cli_opts opts_for(unsigned take) {
    return (cli_opts){.cmd = "t",
                      .take = take,
                      .formats = formats,
                      .own = own,
                      .own_short = "S",
                      .usage = usage,
                      .max_paths = 2};
}

/* Run the parser over a NULL-terminated list of words (argv[0] is "t");
 * returns the last cli_opts_next code and the own options seen. */
static int parse(cli_opts *o, const char **words, char *seen, size_t seen_cap) {
    char *argv[16] = {"t"};
    int argc = 1;
    for (; words[argc - 1]; argc++)
        argv[argc] = (char *)words[argc - 1];
    size_t k = 0;
    int c;
    while ((c = cli_opts_next(o, argc, argv)) > 0)
        if (k + 1 < seen_cap) seen[k++] = c == 256 ? 'F' : (char)c;
    seen[k] = 0;
    return c;
}

static void test_shared_and_own(void **state) {
    (void)state;
    cli_opts o = opts_for(CLI_O_DATA | CLI_O_INPUT | CLI_O_FORMAT | CLI_O_VERSION | CLI_O_STDIN);
    char seen[8];
    const char *w[] = {"-d",     "a.rego", "--fail",          "--data=b", "-I", "-f",
                       "pretty", "-S",     "--v0-compatible", "--stdin",  "q",  NULL};
    assert_int_equal(parse(&o, w, seen, sizeof seen), 0);
    assert_string_equal(seen, "FS");
    assert_int_equal(o.data.n, 2);
    assert_string_equal(o.data.v[0], "a.rego");
    assert_string_equal(o.data.v[1], "b");
    assert_string_equal(o.input_path, "-");
    assert_int_equal(o.fmt, 1);
    assert_true(o.v0);
    assert_true(o.query_stdin);
    assert_int_equal(optind, 11); /* the operand "q" */
    cli_opts_free(&o);
}

static void test_errors(void **state) {
    (void)state;
    char seen[8];
    /* a shared option the command does not take is unknown */
    cli_opts o = opts_for(CLI_O_DATA);
    usage_calls = 0;
    const char *w1[] = {"-b", "x", NULL};
    assert_int_equal(parse(&o, w1, seen, sizeof seen), -1);
    assert_int_equal(o.rc, CLI_USAGE);
    assert_int_equal(usage_calls, 1);
    cli_opts_free(&o);
    /* the -d limit */
    o = opts_for(CLI_O_DATA);
    const char *w2[] = {"-d", "1", "-d", "2", "-d", "3", NULL};
    assert_int_equal(parse(&o, w2, seen, sizeof seen), -1);
    assert_int_equal(o.rc, CLI_USAGE);
    assert_int_equal(o.data.n, 2);
    cli_opts_free(&o);
    /* formats outside the table, bad and negative durations */
    o = opts_for(CLI_O_FORMAT | CLI_O_TIMEOUT);
    const char *w3[] = {"--format", "yaml", NULL};
    assert_int_equal(parse(&o, w3, seen, sizeof seen), -1);
    assert_int_equal(o.rc, CLI_USAGE);
    o = opts_for(CLI_O_FORMAT | CLI_O_TIMEOUT);
    const char *w4[] = {"--timeout", "-1s", NULL};
    assert_int_equal(parse(&o, w4, seen, sizeof seen), -1);
    o = opts_for(CLI_O_FORMAT | CLI_O_TIMEOUT);
    const char *w5[] = {"--timeout", "1.5s", NULL};
    assert_int_equal(parse(&o, w5, seen, sizeof seen), 0);
    assert_int_equal(o.timeout_ns, 1500000000LL);
}

static void test_help(void **state) {
    (void)state;
    char seen[8];
    cli_opts o = opts_for(0);
    usage_calls = 0;
    const char *w[] = {"-S", "--help", "--fail", NULL};
    assert_int_equal(parse(&o, w, seen, sizeof seen), -1);
    assert_string_equal(seen, "S");
    assert_int_equal(o.rc, CLI_OK);
    assert_int_equal(usage_calls, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_and_own),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
