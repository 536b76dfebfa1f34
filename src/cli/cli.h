/* cli.h - the gatehouse command line: one file per subcommand, each exposing
 * `int cli_<name>(int argc, char **argv)` that returns the process exit code
 * (0 ok, 1 policy failure / deny found, 2 usage or input error). Shared
 * helpers for loading input documents live in cli_input.c, the options
 * several commands share in cli_opts.c. No logic that
 * belongs to a module lives here. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include "base/base.h"
#include "value/value.h"
#include "rego/rego.h"
#include "policy/policy.h"

#include <getopt.h>
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
    CLI_FMT_XML,        /* policy/parse_xml.c (libxml2, mxj's shape) */
    CLI_FMT_JSONNET,    /* policy/parse_jsonnet.c (libjsonnet) */
    CLI_FMT_PROPERTIES, /* policy/parse_properties.c */
    CLI_FMT_DOTENV,     /* policy/parse_dotenv.c */
    CLI_FMT_HOCON,      /* policy/parse_hocon.c (go-akka's shape) */
    CLI_FMT_EDN,        /* policy/parse_edn.c */
    CLI_FMT_VCL,        /* policy/parse_vcl.c (go-vcl's map shape) */
    CLI_FMT_HCL1,       /* policy/parse_hcl1.c (hashicorp/hcl v1 shape) */
    CLI_FMT_SPDX,       /* policy/parse_spdx.c (tag-value -> SPDX 2.3 JSON) */
    CLI_FMT_CYCLONEDX,  /* policy/parse_cyclonedx.c (JSON as is, XML mapped) */
    CLI_FMT_HCL2,       /* policy/parse_hcl2.c (tmccombs/hcl2json's shape) */
    CLI_FMT_CUE,        /* policy/parse_cue.c (CUE data subset) */
    CLI_FMT_IGNORE,     /* policy/parse_ignore.c (.gitignore/.dockerignore) */
    CLI_FMT_GROOVY,     /* not available: no C library (error naming it) */
    CLI_FMT_TEXTPROTO,  /* not available */
} cli_format;

/* Parse a --parser name; returns -1 when unknown. */
int cli_format_from_name(const char *name);
/* conftest's choice of format by file name (extension, Dockerfile names);
 * -1 when the name says nothing (gatehouse check then asks for --parser). */
int cli_format_for_path(const char *path);
/* Parse text already read (`name` labels errors and resolves relative
 * imports) as fmt; AUTO picks by cli_format_for_path, else YAML. Errors
 * carry file:line:col. */
int cli_parse_text(gh_arena *a, const char *text, size_t len, const char *name, cli_format fmt,
                   val_t **out, gh_err *e);
/* Load `path` ("-" = stdin) as `fmt` (AUTO: by extension or a Dockerfile
 * name; stdin and unknown extensions are YAML, which also reads JSON). A YAML stream with one
 * document yields that document, several yield an array of them, none
 * yields null. Errors carry file:line:col. */
int cli_load_document(gh_arena *a, const char *path, cli_format fmt, val_t **out, gh_err *e);
/* Print "gatehouse: <file:line:col: message>" on stderr. */
void cli_print_err(const gh_err *e);
/* The query text of eval/bench: `arg` itself, or all of stdin when
 * from_stdin (OPA's --stdin). Heap, NUL-terminated, in *text / *len.
 * Prints the error and returns CLI_USAGE when it cannot be read. */
int cli_query_text(const char *arg, bool from_stdin, char **text, size_t *len);
/* Add a rego_query_prepare error to errs: every entry of list when it has
 * any (the engine's error list), else e, located in the query text (q,
 * qlen) when its file is "query", else in the module of l it names. list
 * may be NULL; it stays the caller's. */
void cli_query_err(const pol_loaded *l, pol_errors *errs, const rego_errors *list, const gh_err *e,
                   const char *q, size_t qlen);

/* ---- options several commands share (cli_opts.c) ---------------------------- */

/* A growable list of borrowed strings (argv entries, arena text). */
typedef struct cli_strv {
    const char **v;
    size_t n, cap;
} cli_strv;
/* Append x; -1 when out of memory. The owner frees v with gh_free. */
int cli_strv_push(cli_strv *s, const char *x);

/* The shared options a command may take (cli_opts.take). -h/--help is always taken. */
enum {
    CLI_O_DATA = 1u << 0,    /* -d, --data PATH (repeatable): data */
    CLI_O_BUNDLE = 1u << 1,  /* -b, --bundle PATH (repeatable): bundles */
    CLI_O_INPUT = 1u << 2,   /* -i, --input FILE / -I, --stdin-input ("-"): input_path */
    CLI_O_STDIN = 1u << 3,   /* --stdin: query_stdin */
    CLI_O_FORMAT = 1u << 4,  /* -f, --format NAME, one of formats: fmt is its index */
    CLI_O_VERSION = 1u << 5, /* --v0-compatible / --v1-compatible: v0 */
    CLI_O_TIMEOUT = 1u << 6, /* --timeout DURATION (Go syntax, >= 0): timeout_ns */
};
/* Most entries of the merged getopt table. */
enum { CLI_OPTS_MAX = 48 };

/* One command's option parsing: the shared options it takes plus its own.
 * The command fills the first block (and any defaults of the results),
 * then calls cli_opts_next until it returns 0 (or -1), and cli_opts_free
 * at the end when it takes -d or -b. */
typedef struct cli_opts {
    const char *cmd;            /* "eval": messages read "gatehouse eval: ..." */
    unsigned take;              /* CLI_O_* */
    const char *const *formats; /* with CLI_O_FORMAT: names, NULL-terminated */
    const struct option *own;   /* the command's long options, NULL-terminated, or NULL */
    const char *own_short;      /* its short options in getopt syntax, or "" */
    void (*usage)(FILE *f);     /* -h prints it on stdout, a bad option on stderr */
    size_t max_paths;           /* most -d and most -b paths (0: no limit) */
    bool own_first;             /* own options before the shared ones in the table: the
                                   order getopt lists an ambiguous abbreviation's options in */

    cli_strv data, bundles; /* -d and -b paths, in order */
    const char *input_path; /* -i FILE, or "-" for -I; NULL when neither */
    bool query_stdin, v0;
    int fmt; /* index into formats */
    int64_t timeout_ns;
    int rc; /* the exit code when cli_opts_next returned -1 */

    struct option table_[CLI_OPTS_MAX]; /* private: the merged tables */
    char short_[64];
} cli_opts;

/* The next option of argv that is the command's own (its getopt value,
 * optarg set), after handling any shared ones; 0 when the options are
 * done (optind at the first operand); -1 when the command should exit
 * with o->rc: after --help (CLI_OK, usage on stdout) or a bad option or
 * value (CLI_USAGE, message on stderr). Resets optind on the first call. */
int cli_opts_next(cli_opts *o, int argc, char **argv);
/* Release the path lists. */
void cli_opts_free(cli_opts *o);
/* Load what the shared options name: the -d paths, then the -b paths as
 * bundles, into l; then, when nothing failed, the input document (-i/-I)
 * into *input (allocated in a; NULL without one). Failures go to errs. */
void cli_opts_load(const cli_opts *o, pol_loaded *l, gh_arena *a, val_t **input, pol_errors *errs);

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

/* Error lists (pol_errors, pol_errors_text, ...) live in policy/policy.h
 * (section 4) so the server reports the same errors. */
/* OPA's JSON: {"errors": [{"message", "code", "location", "details"}]}
 * with two-space indent, plus a final newline. */
void cli_errors_json(gh_buf *b, const pol_errors *l);
/* Print errs on stdout: as cli_errors_json when json, else as text. */
void cli_print_errors(const pol_errors *errs, bool json);

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

/* ---- loading policies and data --------------------------------------------
 * `-d PATH` (eval, bench) and `test PATH...` use the policy module's loader:
 * pol_loaded / pol_load_path / pol_loaded_compile in policy/policy.h. */

/* `gatehouse verify PATH...`: gator-compatible Gatekeeper suites (cli_verify.c). */
int cli_verify(int argc, char **argv);
/* `gatehouse serve [--config FILE] [flags] [PATH...]`: the decision server,
 * also accepting `opa run --server`'s flags (cli_serve.c; server/srv.h). */
int cli_serve(int argc, char **argv);
/* `gatehouse run --server ...`: cli_serve under OPA's spelling; without
 * -s/--server a usage error (there is no REPL). */
int cli_run(int argc, char **argv);

/* ---- check output (cli_check_out.c) ---- */
typedef struct cli_check_totals {
    size_t fail, warn, exc, succ;
} cli_check_totals;
void cli_check_count(const pol_check_result *r, size_t nr, cli_check_totals *t);
/* conftest's trace (TRAC lines) of every result. */
void cli_check_trace(gh_buf *b, const pol_check_result *r, size_t nr, bool color);
/* The print() lines (PRNT) of every result, uncoloured. */
void cli_check_prints(gh_buf *b, const pol_check_result *r, size_t nr);
/* The report in the named output format (stdout when unknown: the caller
 * validated it); -1 when memory ran out. */
int cli_check_report(gh_buf *b, const char *output, const pol_check_result *r, size_t nr,
                     bool color, bool suppress_exceptions);

#endif
