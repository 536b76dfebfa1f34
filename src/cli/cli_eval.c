/* cli_eval.c - `gatehouse eval`, compatible with `opa eval`: loads -d paths
 * (cli_load.c), compiles, evaluates one query with an optional input and
 * prints the result set in OPA's formats (json, values, bindings, pretty,
 * raw), byte for byte as OPA 0.61 prints them. Errors (loading, parsing,
 * compiling, evaluating) print in the chosen format and exit 2; --fail and
 * --fail-defined turn an undefined / defined result into exit 1. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rego/builtins/builtins.h"

enum { FMT_JSON, FMT_VALUES, FMT_BINDINGS, FMT_PRETTY, FMT_RAW };

/* Most -d paths accepted. */
enum { EVAL_MAX_PATHS = 256 };

typedef struct eval_res { /* one solution, copied out of the callback */
    val_t **exprs;
    uint32_t nexprs;
    const char **names;
    val_t **values;
    uint32_t nvars;
} eval_res;

typedef struct eval_state {
    gh_arena *a;
    eval_res *res;
    size_t n, cap;
    int oom;
} eval_state;

static void eval_usage(FILE *f) {
    fprintf(f, "usage: gatehouse eval [flags] <query>\n\n"
               "Evaluate a Rego query, as `opa eval` does.\n\n"
               "  -d, --data PATH             policy or data file or directory (repeatable;\n"
               "                              \"a.b:PATH\" loads under data.a.b)\n"
               "  -b, --bundle PATH           bundle directory (with a .manifest) or .tar.gz\n"
               "                              archive (repeatable)\n"
               "  -i, --input FILE            input document (JSON or YAML)\n"
               "  -I, --stdin-input           read the input document from stdin\n"
               "      --stdin                 read the query from stdin\n"
               "  -f, --format FMT            json (default), values, bindings, pretty, raw\n"
               "      --fail                  exit 1 when the result is undefined\n"
               "      --fail-defined          exit 1 when the result is defined\n"
               "      --v0-compatible         parse modules and query as Rego v0\n"
               "      --v1-compatible         parse as Rego v1 (the default)\n"
               "  -S, --strict                compile in strict mode\n"
               "      --strict-builtin-errors treat the first builtin error as fatal\n"
               "      --timeout DURATION      stop evaluation after DURATION (e.g. 500ms, 2s)\n"
               "      --allow-net[=PREFIX]    let http.send reach the network (any http(s) URL,\n"
               "                              or only URLs/hosts given; repeatable)\n\n"
               "exit status: 0 ok, 1 --fail/--fail-defined triggered, 2 error\n");
}

static int on_result(void *ud, const rego_result *r) {
    eval_state *s = ud;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        eval_res *nv = gh_arena_realloc(s->a, s->res, s->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv) goto oom;
        s->res = nv;
        s->cap = nc;
    }
    eval_res *x = &s->res[s->n];
    x->nexprs = r->nexprs;
    x->nvars = r->nvars;
    x->exprs = gh_arena_alloc(s->a, (r->nexprs + 1) * sizeof *x->exprs);
    x->names = gh_arena_alloc(s->a, (r->nvars + 1) * sizeof *x->names);
    x->values = gh_arena_alloc(s->a, (r->nvars + 1) * sizeof *x->values);
    if (!x->exprs || !x->names || !x->values) goto oom;
    if (r->nexprs) memcpy(x->exprs, r->exprs, r->nexprs * sizeof *x->exprs);
    if (r->nvars) {
        memcpy(x->names, r->names, r->nvars * sizeof *x->names);
        memcpy(x->values, r->values, r->nvars * sizeof *x->values);
    }
    s->n++;
    return 0;
oom:
    s->oom = 1;
    return 1;
}

/* ---- output --------------------------------------------------------------------------- */

enum { JFLAGS = VAL_JSON_PRETTY | VAL_JSON_SORTED };

static void out_json(gh_buf *b, const eval_state *s, const rego_body *body, const char *q) {
    if (!s->n) {
        gh_buf_puts(b, "{}\n");
        return;
    }
    gh_buf_puts(b, "{\n  \"result\": [");
    for (size_t i = 0; i < s->n; i++) {
        const eval_res *r = &s->res[i];
        gh_buf_puts(b,
                    i ? ",\n    {\n      \"expressions\": [" : "\n    {\n      \"expressions\": [");
        for (uint32_t j = 0; j < r->nexprs; j++) {
            gh_buf_puts(b, j ? ",\n        {\n          \"value\": "
                             : "\n        {\n          \"value\": ");
            val_json_emit_indent(b, r->exprs[j], JFLAGS, 5);
            const rego_expr *x = j < body->n ? body->exprs[j] : NULL;
            gh_buf_puts(b, ",\n          \"text\": ");
            if (x)
                cli_json_str(b, q + x->loc.off, x->loc.end - x->loc.off);
            else
                gh_buf_puts(b, "\"\"");
            gh_buf_printf(b,
                          ",\n          \"location\": {\n            \"row\": %u,\n"
                          "            \"col\": %u\n          }\n        }",
                          x ? x->loc.line : 0, x ? x->loc.col : 0);
        }
        gh_buf_puts(b, r->nexprs ? "\n      ]" : "]");
        if (r->nvars) {
            gh_buf_puts(b, ",\n      \"bindings\": {");
            for (uint32_t j = 0; j < r->nvars; j++) {
                gh_buf_puts(b, j ? ",\n        " : "\n        ");
                cli_json_str(b, r->names[j], strlen(r->names[j]));
                gh_buf_puts(b, ": ");
                val_json_emit_indent(b, r->values[j], JFLAGS, 4);
            }
            gh_buf_puts(b, "\n      }");
        }
        gh_buf_puts(b, "\n    }");
    }
    gh_buf_puts(b, "\n  ]\n}\n");
}

static void out_values(gh_buf *b, const eval_state *s) {
    for (size_t i = 0; i < s->n; i++) {
        const eval_res *r = &s->res[i];
        if (!r->nexprs) {
            gh_buf_puts(b, "[]\n");
            continue;
        }
        gh_buf_putc(b, '[');
        for (uint32_t j = 0; j < r->nexprs; j++) {
            gh_buf_puts(b, j ? ",\n  " : "\n  ");
            val_json_emit_indent(b, r->exprs[j], JFLAGS, 1);
        }
        gh_buf_puts(b, "\n]\n");
    }
}

static void out_bindings(gh_buf *b, const eval_state *s) {
    for (size_t i = 0; i < s->n; i++) {
        const eval_res *r = &s->res[i];
        if (!r->nvars) {
            gh_buf_puts(b, "{}\n");
            continue;
        }
        gh_buf_putc(b, '{');
        for (uint32_t j = 0; j < r->nvars; j++) {
            gh_buf_puts(b, j ? ",\n  " : "\n  ");
            cli_json_str(b, r->names[j], strlen(r->names[j]));
            gh_buf_puts(b, ": ");
            val_json_emit_indent(b, r->values[j], JFLAGS, 1);
        }
        gh_buf_puts(b, "\n}\n");
    }
}

static void out_raw(gh_buf *b, const eval_state *s) {
    for (size_t i = 0; i < s->n; i++) {
        const eval_res *r = &s->res[i];
        for (uint32_t j = 0; j < r->nexprs; j++) {
            const val_t *v = r->exprs[j];
            if (val_is_str(v))
                gh_buf_append(b, val_str_ptr(v), val_str_len(v));
            else
                val_json_emit(b, v, VAL_JSON_SORTED);
            gh_buf_putc(b, j + 1 >= r->nexprs ? '\n' : ' ');
        }
    }
}

static bool is_bool(const val_t *v) { return val_kind_of(v) == VAL_BOOL; }

static const val_t *binding(const eval_res *r, const char *name) {
    for (uint32_t i = 0; i < r->nvars; i++)
        if (!strcmp(r->names[i], name)) return r->values[i];
    return NULL;
}

/* OPA's prettyResult: one solution without bindings whose expressions are
 * one value (or all booleans) prints as JSON; else a table of the bindings
 * (sorted by name) then the non-boolean expressions (all of them when there
 * are no bindings), keyed by the first solution. */
static void out_pretty(gh_buf *b, const eval_state *s, const rego_body *body, const char *q,
                       gh_arena *a) {
    if (!s->n) {
        gh_buf_puts(b, "undefined\n");
        return;
    }
    const eval_res *r0 = &s->res[0];
    if (s->n == 1 && !r0->nvars && r0->nexprs) {
        bool all = true;
        for (uint32_t j = 0; j < r0->nexprs; j++)
            all = all && is_bool(r0->exprs[j]);
        if (r0->nexprs == 1 || all) {
            val_json_emit_indent(b, r0->exprs[0], JFLAGS, 0);
            gh_buf_putc(b, '\n');
            return;
        }
    }
    size_t ncols = 0;
    const char **hdr = gh_arena_alloc(a, (r0->nvars + r0->nexprs + 1) * sizeof *hdr);
    int *col_expr = gh_arena_alloc(a, (r0->nvars + r0->nexprs + 1) * sizeof *col_expr);
    if (!hdr || !col_expr) {
        b->oom = 1;
        return;
    }
    for (uint32_t j = 0; j < r0->nvars; j++) {
        hdr[ncols] = r0->names[j];
        col_expr[ncols++] = -1;
    }
    for (uint32_t j = 0; j < r0->nexprs; j++) {
        if (is_bool(r0->exprs[j]) && r0->nvars) continue;
        const rego_expr *x = j < body->n ? body->exprs[j] : NULL;
        hdr[ncols] = x ? gh_arena_strndup(a, q + x->loc.off, x->loc.end - x->loc.off) : "";
        col_expr[ncols++] = (int)j;
    }
    if (!ncols) return;
    const char **cells = gh_arena_alloc(a, s->n * ncols * sizeof *cells);
    if (!cells) {
        b->oom = 1;
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        const eval_res *r = &s->res[i];
        for (size_t c = 0; c < ncols; c++) {
            const val_t *v = col_expr[c] < 0                     ? binding(r, hdr[c])
                             : (uint32_t)col_expr[c] < r->nexprs ? r->exprs[col_expr[c]]
                                                                 : NULL;
            cells[i * ncols + c] = v ? val_to_json(a, v, VAL_JSON_SORTED) : "null";
            if (!cells[i * ncols + c]) cells[i * ncols + c] = "";
        }
    }
    cli_table(b, hdr, ncols, cells, s->n);
}

/* The text of the query expression holding row:col (OPA locates eval
 * errors in the query by their expression text). */
static void locate_in_query(pol_errors *errs, size_t from, const rego_body *body, const char *q) {
    for (size_t i = from; i < errs->n; i++) {
        pol_error *x = &errs->v[i];
        if (!x->file || strcmp(x->file, "query")) continue;
        x->file[0] = 0;
        if (!body || !x->code || !strncmp(x->code, "rego_", 5)) continue;
        for (uint32_t j = 0; j < body->n; j++) {
            const rego_expr *e = body->exprs[j];
            if ((int)e->loc.line == x->row && (int)e->loc.col == x->col) {
                size_t n = e->loc.end - e->loc.off;
                x->text = gh_malloc(n + 1);
                if (x->text) {
                    memcpy(x->text, q + e->loc.off, n);
                    x->text[n] = 0;
                }
                break;
            }
        }
    }
}

static const char *const eval_formats[] = {"json", "values", "bindings", "pretty", "raw", NULL};

static int eval_main(cli_opts *o, int argc, char **argv) {
    enum { O_FAIL = 256, O_FAIL_DEF, O_SBE, O_NET };
    static const struct option opts[] = {
        {"fail", no_argument, NULL, O_FAIL},
        {"fail-defined", no_argument, NULL, O_FAIL_DEF},
        {"strict", no_argument, NULL, 'S'},
        {"strict-builtin-errors", no_argument, NULL, O_SBE},
        {"allow-net", optional_argument, NULL, O_NET},
        {NULL, 0, NULL, 0},
    };
    o->own = opts;
    o->own_short = "S";
    const char *net_allow[EVAL_MAX_PATHS]; /* --allow-net: http.send destinations */
    size_t nnet = 0;
    bool net = false, fail = false, fail_def = false, strict = false, sbe = false;
    int c;
    while ((c = cli_opts_next(o, argc, argv)) > 0) {
        switch (c) {
        case O_FAIL: fail = true; break;
        case O_FAIL_DEF: fail_def = true; break;
        case 'S': strict = true; break;
        case O_SBE: sbe = true; break;
        case O_NET:
            net = true;
            if (optarg && nnet == EVAL_MAX_PATHS) {
                fprintf(stderr, "gatehouse eval: too many --allow-net values\n");
                return CLI_USAGE;
            }
            if (optarg) net_allow[nnet++] = optarg;
            break;
        }
    }
    if (c < 0) return o->rc;
    if (fail && fail_def) {
        fprintf(stderr, "gatehouse eval: specify --fail or --fail-defined but not both\n");
        return CLI_USAGE;
    }
    int nargs = argc - optind;
    if ((o->query_stdin && nargs != 0) || (!o->query_stdin && nargs != 1)) {
        fprintf(stderr, nargs > 1 ? "gatehouse eval: extra arguments\n"
                                  : "gatehouse eval: specify query argument or --stdin\n");
        return CLI_USAGE;
    }
    if (o->query_stdin && o->input_path && !strcmp(o->input_path, "-")) {
        fprintf(stderr, "gatehouse eval: specify --stdin or --stdin-input but not both\n");
        return CLI_USAGE;
    }

    int rc = CLI_OK;
    char *qtext = NULL;
    size_t qlen = 0;
    gh_err e;
    gh_err_clear(&e);
    pol_errors errs = {0};
    pol_loaded l;
    pol_loaded_init(&l);
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_policy *p = NULL;
    rego_body *body = NULL;

    rc = cli_query_text(o->query_stdin ? NULL : argv[optind], o->query_stdin, &qtext, &qlen);
    if (rc) goto out;

    val_t *input;
    cli_opts_load(o, &l, &a, &input, &errs);
    if (errs.n) goto errors;

    rego_parse_opts po = {.version = o->v0 ? REGO_V0 : REGO_V1};
    rego_compile_opts co = {.strict = strict};
    p = pol_loaded_compile(&l, &po, &co, &errs);
    if (!p) goto errors;

    /* our own parse of the query gives each expression's text and location */
    gh_err_clear(&e);
    if (rego_parse_query(&a, "", qtext, qlen, &po, &body, &e)) {
        if (!e.kind && !strstr(e.msg, "rego_parse_error")) gh_err_set_kind(&e, "rego_parse_error");
        pol_errors_add_gh(&errs, &e, qtext, qlen);
        goto errors;
    }
    rego_query *q = NULL;
    gh_err_clear(&e);
    rego_errors qerrs = {0};
    rego_parse_opts qpo = po;
    qpo.errors = &qerrs;
    if (rego_query_prepare(p, &a, qtext, qlen, &qpo, &q, &e)) {
        size_t from = errs.n;
        cli_query_err(&l, &errs, &qerrs, &e, qtext, qlen);
        rego_errors_free(&qerrs);
        locate_in_query(&errs, from, body, qtext);
        goto errors;
    }
    rego_eval_opts eo = {
        .input = input,
        .strict_builtin_errors = sbe,
        .timeout_ms = o->timeout_ns > 0 ? (o->timeout_ns + 999999) / 1000000 : 0,
    };
    /* http.send is off unless asked for; the CLI user trusts local files */
    struct rego_http_policy http = {.allow = net_allow,
                                    .nallow = nnet,
                                    .max_retry_attempts = 10,
                                    .allow_insecure_tls = true,
                                    .allow_local_files = true};
    if (net) eo.http = &http;
    eval_state st = {.a = &a};
    gh_err_clear(&e);
    if (rego_query_eval(q, &a, &eo, on_result, &st, &e)) {
        size_t from = errs.n;
        pol_loaded_add_err(&l, &errs, &e);
        locate_in_query(&errs, from, body, qtext);
        goto errors;
    }
    if (st.oom) {
        fprintf(stderr, "gatehouse eval: out of memory\n");
        rc = CLI_USAGE;
        goto out;
    }

    gh_buf b;
    gh_buf_init(&b);
    switch (o->fmt) {
    case FMT_JSON: out_json(&b, &st, body, qtext); break;
    case FMT_VALUES: out_values(&b, &st); break;
    case FMT_BINDINGS: out_bindings(&b, &st); break;
    case FMT_PRETTY: out_pretty(&b, &st, body, qtext, &a); break;
    case FMT_RAW: out_raw(&b, &st); break;
    }
    rc = cli_flush(&b, stdout);
    gh_buf_free(&b);
    if (rc == CLI_OK && ((fail && !st.n) || (fail_def && st.n))) rc = CLI_FAIL;
    goto out;

errors:
    if (errs.oom) {
        fprintf(stderr, "gatehouse eval: out of memory\n");
        rc = CLI_USAGE;
    } else {
        cli_print_errors(&errs, o->fmt == FMT_JSON);
        rc = CLI_USAGE;
    }
out:
    pol_errors_free(&errs);
    rego_policy_free(p);
    pol_loaded_free(&l);
    gh_arena_free(&a);
    gh_free(qtext);
    return rc;
}

int cli_eval(int argc, char **argv) {
    cli_opts o = {.cmd = "eval",
                  .take = CLI_O_DATA | CLI_O_BUNDLE | CLI_O_INPUT | CLI_O_STDIN | CLI_O_FORMAT |
                          CLI_O_VERSION | CLI_O_TIMEOUT,
                  .formats = eval_formats,
                  .usage = eval_usage,
                  .max_paths = EVAL_MAX_PATHS,
                  .fmt = FMT_JSON};
    int rc = eval_main(&o, argc, argv);
    cli_opts_free(&o);
    return rc;
}
