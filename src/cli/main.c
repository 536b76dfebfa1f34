/* main.c - gatehouse entry point: dispatches to the subcommand table below.
 * Only real subcommands appear in the table; `help` and `--version` are
 * handled here. Exit codes: 0 ok, 1 policy failure, 2 usage/input error. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"parse", cli_parse, "print input files (JSON, YAML) as the JSON documents policies see"},
    {"conformance", cli_conformance, "run OPA YAML conformance cases: N passed, N failed, N skipped"},
    {"eval", cli_eval, "evaluate a Rego query against policies and data, like `opa eval`"},
    {"test", cli_test, "run Rego unit tests (test_* rules), like `opa test`"},
    {"capabilities", cli_capabilities, "print the builtins and their types, like `opa capabilities`"},
    {"bench", cli_bench, "benchmark a Rego query (ns/op, B/op, allocs/op), like `opa bench`"},
    {"check", cli_check, "test configuration files against policies, like `conftest test`"},
    {"verify", cli_verify, "run Gatekeeper suites (suite.yaml) like `gator verify`"},
    {"serve", cli_serve, "serve decisions over OPA's REST API, admission and metrics (HTTPS)"},
    {"run", cli_run, "`run --server`: serve, spelt as `opa run --server` (flags accepted)"},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *f) {
    fprintf(f, "gatehouse %s - security control plane for internal developer platforms\n\n"
               "usage: gatehouse <command> [options] [args]\n\ncommands:\n",
            GH_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-13s %s\n", "help", "show this help, or a command's help: help <command>");
    fprintf(f, "\noptions:\n  --version    print the version and exit\n"
               "\nexit status: 0 ok, 1 policy failure, 2 usage or input error\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("gatehouse %s\n", GH_VERSION);
        return CLI_OK;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2) {
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *hargv[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, hargv);
                }
            fprintf(stderr, "gatehouse: unknown command %s\n", argv[2]);
            return CLI_USAGE;
        }
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "gatehouse: unknown command \"%s\" (see gatehouse help)\n", cmd);
    return CLI_USAGE;
}
