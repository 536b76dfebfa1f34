/* cli.h - the gatehouse command line: one file per subcommand, each exposing
 * `int cli_<name>(int argc, char **argv)` that returns the process exit code
 * (0 ok, 1 policy failure / deny found, 2 usage or input error). Shared
 * helpers for loading input documents live in cli_input.c. No logic that
 * belongs to a module lives here. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include "base/base.h"
#include "value/value.h"
#include "rego/rego.h"

#include <stdio.h>

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
typedef enum {
    CLI_FMT_AUTO,
    CLI_FMT_JSON,
    CLI_FMT_YAML,
    CLI_FMT_DOCKERFILE, /* policy/parse_dockerfile.c (conftest's shape) */
    CLI_FMT_TOML,
    CLI_FMT_INI,
} cli_format;

/* Parse a --parser name; returns -1 when unknown. */
int cli_format_from_name(const char *name);
/* Load `path` ("-" = stdin) as `fmt` (AUTO: by extension or a Dockerfile
 * name; stdin and unknown extensions are YAML, which also reads JSON). A YAML stream with one
 * document yields that document, several yield an array of them, none
 * yields null. Errors carry file:line:col. */
int cli_load_document(gh_arena *a, const char *path, cli_format fmt, val_t **out, gh_err *e);
/* Print "gatehouse: <file:line:col: message>" on stderr. */
void cli_print_err(const gh_err *e);

/* ---- commands in cli_eval.c, cli_test.c, cli_bench.c ------------------------ */
/* `gatehouse eval`: like `opa eval` (-d, -i/-I, -f json|values|bindings|pretty|raw). */
int cli_eval(int argc, char **argv);
/* `gatehouse test PATH...`: like `opa test` (test_* rules, todo_test_* skipped). */
int cli_test(int argc, char **argv);
/* `gatehouse bench QUERY`: like `opa bench` (ns/op, B/op, allocs/op, phase timers). */
int cli_bench(int argc, char **argv);
/* `gatehouse capabilities` (cli_capabilities.c). */
int cli_capabilities(int argc, char **argv);
/* `gatehouse check FILE...`: like `conftest test` (cli_check.c). */
int cli_check(int argc, char **argv);

/* ---- OPA-shaped output helpers (cli_opafmt.c) ------------------------------- */

/* One error as OPA's CLI shows it. Loader errors have only a message; engine
 * errors have an OPA code, a location and, for parse errors, the offending
 * source line. All strings are owned (heap) by the list. */
typedef struct cli_error {
    char *message;
    const char *code; /* static, e.g. "rego_parse_error"; NULL for loader errors */
    char *file;       /* NULL: no location */
    int row, col;
    char *text;        /* for eval errors in the query: the expression text */
    char *detail_line; /* parse errors: the source line, else NULL */
    int detail_idx;
} cli_error;

typedef struct cli_errors {
    cli_error *v;
    size_t n, cap;
    int oom;
} cli_errors;

/* Append a loader-style error (message only). */
void cli_errors_addf(cli_errors *l, const char *fmt, ...) GH_PRINTF(2, 3);
/* Append an engine error: the code is rego_err_code(e), a leading "<code>: "
 * is cut from the message, and extra "\nfile:row: code: msg" lines that the
 * compiler joins into one gh_err become errors of their own. `src`/`srclen`
 * is the text the error's file was parsed from (NULL when unknown); it gives
 * parse errors OPA's details line. Errors without a file get file "" (OPA
 * shows them as row:col). */
void cli_errors_add_gh(cli_errors *l, const gh_err *e, const char *src, size_t srclen);
void cli_errors_free(cli_errors *l);
/* OPA's text form: "1 error occurred: X" or "N errors occurred<what>:\nX\nY",
 * each error "file:row: code: message" (or "row:col: ...", or the query
 * expression text) with parse-error detail lines. `what` is "" or e.g.
 * " during loading". Appends to b with a final newline. */
void cli_errors_text(gh_buf *b, const cli_errors *l, const char *what);
/* One error's text (as above, without the count prefix). */
void cli_error_text(gh_buf *b, const cli_error *x);
/* OPA's JSON: {"errors": [{"message", "code", "location", "details"}]}
 * with two-space indent, plus a final newline. */
void cli_errors_json(gh_buf *b, const cli_errors *l);

/* A Go-encoded JSON string literal (escapes <, >, & and U+2028/9 as Go does). */
void cli_json_str(gh_buf *b, const char *s, size_t n);
/* Go's time.Duration.String(): "1.5s", "250.123µs", "2m0.5s", "0s". */
void cli_go_duration(gh_buf *b, int64_t ns);
/* Go's time.ParseDuration ("300ms", "1.5h", "2m3s"); -1 when malformed. */
int cli_parse_duration(const char *s, int64_t *ns);
/* Terminal columns of UTF-8 text (East Asian wide characters count 2). */
size_t cli_display_width(const char *s, size_t n);
/* Render a table as OPA's CLI does (olekukonko/tablewriter: borders, header
 * centred, cells left-aligned, cells wrapped at spaces to 30 columns).
 * cells is nrows*ncols strings, row-major. */
void cli_table(gh_buf *b, const char *const *header, size_t ncols, const char *const *cells,
               size_t nrows);
/* The same without a header row and with tablewriter's default alignment
 * (numbers right-aligned, other text left), as `opa bench` prints. */
void cli_table_plain(gh_buf *b, size_t ncols, const char *const *cells, size_t nrows);
/* Write the buffer to stdout; returns CLI_OK, or CLI_USAGE when the buffer
 * ran out of memory or the write failed (message on stderr). */
int cli_flush(gh_buf *b, FILE *f);

/* ---- loading policies and data (cli_load.c) --------------------------------- */

/* What `-d PATH` (eval, bench) and `test PATH...` load, as OPA's loader does:
 * directories are walked recursively in lexical order; .rego files are
 * modules, .json/.yaml/.yml files are data merged at the path of their
 * directory relative to the root given (a file given directly merges at
 * data, or at `prefix` for "a.b:PATH"). Data at the root must be an object;
 * two files defining the same leaf are a "merge error". Module names are the
 * cleaned walk paths ("./p" -> "p/a.rego"), or the path as given for files;
 * a module loaded twice under one name is kept once. */
typedef struct cli_module {
    char *name; /* heap */
    char *text; /* heap, NUL-terminated */
    size_t len;
} cli_module;

typedef struct cli_loaded {
    gh_arena arena; /* owns data */
    val_t *data;    /* merged base documents (an object) */
    cli_module *mods;
    size_t nmods, cap;
    /* --ignore globs (caller-owned, set after init): a walked file or
     * directory whose base name matches one is skipped, as OPA's loader does;
     * paths given explicitly are never ignored. */
    char *const *ignore;
    size_t nignore;
} cli_loaded;

void cli_loaded_init(cli_loaded *l);
void cli_loaded_free(cli_loaded *l);
/* Load one path (with an optional "prefix:" as OPA's -d accepts). Errors are
 * appended to errs (loading continues with the next file); returns the
 * number of errors added. */
int cli_load_path(cli_loaded *l, const char *path, cli_errors *errs);
/* The source text of a loaded module by name, or NULL. */
const cli_module *cli_loaded_module(const cli_loaded *l, const char *name);
/* Build and compile a policy from everything loaded. Returns NULL and fills
 * errs (parse errors of every module, then compile errors) on failure. */
rego_policy *cli_loaded_compile(const cli_loaded *l, const rego_parse_opts *po,
                                const rego_compile_opts *co, cli_errors *errs);
/* Add gh_err e to errs, with the module source for parse-error details when
 * e names a loaded module. */
void cli_loaded_add_err(const cli_loaded *l, cli_errors *errs, const gh_err *e);

/* `gatehouse verify PATH...`: gator-compatible Gatekeeper suites (cli_verify.c). */
int cli_verify(int argc, char **argv);

#endif
