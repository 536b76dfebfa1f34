/* cli.h - the gatehouse command line: one file per subcommand, each exposing
 * `int cli_<name>(int argc, char **argv)` that returns the process exit code
 * (0 ok, 1 policy failure / deny found, 2 usage or input error). Shared
 * helpers for loading input documents live in cli_input.c. No logic that
 * belongs to a module lives here. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include "base/base.h"
#include "value/value.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

int cli_parse(int argc, char **argv);
/* `gatehouse conformance DIR...`: OPA YAML conformance cases (cli_conformance.c). */
int cli_conformance(int argc, char **argv);

/* Input formats a file can be parsed as. */
typedef enum { CLI_FMT_AUTO, CLI_FMT_JSON, CLI_FMT_YAML } cli_format;

/* Parse a --parser name; returns -1 when unknown. */
int cli_format_from_name(const char *name);
/* Load `path` ("-" = stdin) as `fmt` (AUTO: by extension; stdin and unknown
 * extensions are YAML, which also reads JSON). A YAML stream with one
 * document yields that document, several yield an array of them, none
 * yields null. Errors carry file:line:col. */
int cli_load_document(gh_arena *a, const char *path, cli_format fmt, val_t **out, gh_err *e);
/* Print "gatehouse: <file:line:col: message>" on stderr. */
void cli_print_err(const gh_err *e);

#endif
