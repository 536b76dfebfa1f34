/* cli_test.c - `gatehouse test PATH...`, like `opa test`: loads modules and
 * data under the paths (cli_load.c), runs every rule named test_* (todo_test_*
 * are reported SKIPPED) module by module in file-name order, and reports
 * as OPA 0.61's pretty or JSON reporters do. A test passes when its rule is
 * defined and true; undefined or another value fails; an evaluation error is
 * ERROR. Rules defined more than once are renamed test_x#01, #02... as OPA
 * does (we rewrite the head name in the source before compiling). Exit 0
 * when all pass, 1 on any failure, error or skip (-z: skips are fine), 2 on
 * load/compile errors or bad usage. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { T_PASS, T_FAIL, T_ERROR, T_SKIP };

typedef struct test_case {
    const char *file; /* module name */
    rego_loc loc;     /* the rule */
    char *pkg;        /* "data.a.b" */
    char *name;       /* as shown: "test_x", "test_x#01", "p.test_y" */
    char *query;      /* "data.a.b.test_x" (internal name for renamed tests) */
    bool skip, func;
    int outcome;
    int64_t ns;
    gh_buf output;   /* print() lines */
    pol_errors errs; /* ERROR details */
    bool eval_error; /* a single evaluation error (else a list from compiling the query) */
} test_case;

typedef struct test_run {
    test_case *v;
    size_t n, cap;
    gh_arena a; /* parsed modules (scratch), strings */
} test_run;

static void test_usage(FILE *f) {
    fprintf(f, "usage: gatehouse test [flags] PATH...\n\n"
               "Run Rego tests (rules named test_*) found in .rego files under PATH, as\n"
               "`opa test` does; todo_test_* rules are reported as skipped.\n\n"
               "  -v, --verbose                 show every test, with its print() output\n"
               "  -r, --run REGEX               only tests whose name (data.pkg.test_x) matches\n"
               "  -f, --format pretty|json      output format (default pretty)\n"
               "      --timeout DURATION        per-test timeout (default 5s)\n"
               "  -z, --exit-zero-on-skipped    skipped tests do not fail the run\n"
               "      --v0-compatible           parse modules as Rego v0\n"
               "      --v1-compatible           parse modules as Rego v1 (the default)\n"
               "      --ignore GLOB             skip files and directories whose name matches\n"
               "                                GLOB while walking PATH (repeatable)\n\n"
               "exit status: 0 all passed, 1 a test failed, errored or was skipped,\n"
               "2 load/compile error or bad usage\n");
}

static char *heap_str(const char *s, size_t n) {
    char *p = gh_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static bool has_prefix(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* The last element of a rule's head ref, when it is a name (OPA's ruleName). */
static const char *rule_last_name(const rego_rule *r) {
    const rego_term *ref = r->ref;
    const rego_term *last = ref->u.list.items[ref->u.list.n - 1];
    if (ref->u.list.n == 1) return last->u.var.name;
    if (last->kind == REGO_T_SCALAR && val_is_str(last->u.value)) return val_str_ptr(last->u.value);
    return NULL;
}

static test_case *push_case(test_run *t) {
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        test_case *nv = gh_realloc(t->v, nc * sizeof *nv);
        if (!nv) return NULL;
        t->v = nv;
        t->cap = nc;
    }
    test_case *c = &t->v[t->n++];
    memset(c, 0, sizeof *c);
    gh_buf_init(&c->output);
    return c;
}

/* Count of earlier test rules with the same path (OPA's duplicate counter). */
typedef struct dup_ent {
    char *path;
    int count;
} dup_ent;

static int dup_next(dup_ent **v, size_t *n, const char *path) {
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].path, path)) return (*v)[i].count++;
    dup_ent *nv = gh_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return -1;
    *v = nv;
    nv[*n].path = heap_str(path, strlen(path));
    if (!nv[*n].path) return -1;
    nv[(*n)++].count = 1;
    return 0;
}

/* Parse every module (scratch) to find its test rules, in module-name order
 * and rule order; rename duplicates in the loaded source. */
static int discover(test_run *t, pol_loaded *l, const rego_parse_opts *po, pol_errors *errs) {
    size_t *order = gh_malloc((l->nmods + 1) * sizeof *order);
    dup_ent *dups = NULL;
    size_t ndups = 0;
    int rc = 0;
    if (!order) return -1;
    for (size_t i = 0; i < l->nmods; i++)
        order[i] = i;
    for (size_t i = 1; i < l->nmods; i++) /* insertion sort by name: few modules */
        for (size_t j = i; j > 0 && strcmp(l->mods[order[j - 1]].name, l->mods[order[j]].name) > 0;
             j--) {
            size_t x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    for (size_t oi = 0; oi < l->nmods && !rc; oi++) {
        pol_module *m = &l->mods[order[oi]];
        rego_module *mod = NULL;
        gh_err e;
        gh_err_clear(&e);
        rego_errors list = {0};
        rego_parse_opts mpo = po ? *po : (rego_parse_opts){0};
        mpo.errors = &list;
        if (rego_parse_module(&t->a, m->name, m->text, m->len, &mpo, &mod, &e)) {
            if (!e.kind && rego_err_code(&e, (char[64]){0}, 64) == NULL)
                gh_err_set_kind(&e, "rego_parse_error");
            if (!e.file[0]) gh_err_set_file(&e, m->name);
            /* every error OPA reports for the module */
            if (list.n)
                pol_errors_add_list(errs, &list, &e, m->text, m->len);
            else
                pol_errors_add_gh(errs, &e, m->text, m->len);
            rego_errors_free(&list);
            continue;
        }
        gh_buf pk;
        gh_buf_init(&pk);
        rego_term_print(&pk, mod->package);
        /* renames are applied back to front so earlier offsets stay valid */
        size_t nren = 0;
        struct {
            uint32_t off, len;
            char *with;
        } *ren = gh_calloc(mod->nrules + 1, sizeof *ren);
        if (!ren || pk.oom) rc = -1;
        for (uint32_t ri = 0; ri < mod->nrules && !rc; ri++) {
            const rego_rule *r = mod->rules[ri];
            const char *nm = rule_last_name(r);
            if (!nm) continue;
            bool todo = has_prefix(nm, "todo_test_");
            if (!todo && !has_prefix(nm, "test_")) continue;
            gh_buf ref;
            gh_buf_init(&ref);
            rego_term_print(&ref, r->ref);
            char *path = gh_arena_printf(&t->a, "%s.%s", pk.p, ref.p ? ref.p : "");
            int k = todo || !path ? 0 : dup_next(&dups, &ndups, path);
            test_case *c = push_case(t);
            if (!c || !path || k < 0 || ref.oom) {
                gh_buf_free(&ref);
                rc = -1;
                break;
            }
            c->file = m->name;
            c->loc = r->loc;
            c->skip = todo;
            c->func = r->kind == REGO_RULE_FUNC;
            c->pkg = heap_str(pk.p, pk.len);
            if (k > 0 && r->ref->u.list.n == 1) {
                /* test_x defined again: shown as test_x#NN, compiled as test_x__ghdupNN */
                const rego_term *v = r->ref->u.list.items[0];
                char shown[300], internal[300];
                snprintf(shown, sizeof shown, "%s#%02d", nm, k);
                snprintf(internal, sizeof internal, "%s__ghdup%02d", nm, k);
                c->name = heap_str(shown, strlen(shown));
                c->query = gh_malloc(pk.len + strlen(internal) + 2);
                if (c->query) sprintf(c->query, "%s.%s", pk.p, internal);
                ren[nren].off = v->loc.off;
                ren[nren].len = v->u.var.len;
                ren[nren++].with = gh_arena_strndup(&t->a, internal, strlen(internal));
            } else {
                c->name = heap_str(ref.p, ref.len);
                c->query = heap_str(path, strlen(path));
            }
            gh_buf_free(&ref);
            if (!c->pkg || !c->name || !c->query) rc = -1;
        }
        if (!rc && nren) {
            gh_buf nt;
            gh_buf_init(&nt);
            size_t at = 0;
            for (size_t i = 0; i < nren; i++) {
                gh_buf_append(&nt, m->text + at, ren[i].off - at);
                gh_buf_puts(&nt, ren[i].with ? ren[i].with : "");
                at = ren[i].off + ren[i].len;
            }
            gh_buf_append(&nt, m->text + at, m->len - at);
            if (nt.oom) {
                rc = -1;
                gh_buf_free(&nt);
            } else {
                gh_free(m->text);
                m->text = gh_buf_take(&nt, &m->len);
            }
        }
        gh_free(ren);
        gh_buf_free(&pk);
    }
    for (size_t i = 0; i < ndups; i++)
        gh_free(dups[i].path);
    gh_free(dups);
    gh_free(order);
    return rc;
}

static void on_print(void *ud, const char *line, size_t n) {
    gh_buf *b = ud;
    gh_buf_append(b, line, n);
    gh_buf_putc(b, '\n');
}

typedef struct first_res {
    bool any, pass;
} first_res;

static int on_result(void *ud, const rego_result *r) {
    first_res *f = ud;
    f->any = true;
    f->pass = r->nexprs > 0 && val_kind_of(r->exprs[0]) == VAL_BOOL && r->exprs[0]->u.b;
    return 1; /* the first solution decides */
}

static void run_case(test_case *c, const rego_policy *p, gh_arena *a, int64_t timeout_ns) {
    if (c->skip) {
        c->outcome = T_SKIP;
        return;
    }
    gh_err e;
    gh_err_clear(&e);
    if (c->func) {
        /* a function is no document: OPA's type checker rejects the query */
        c->outcome = T_ERROR;
        gh_err_set(&e, GH_ETYPE, "", 1, 1, "undefined ref: %s", c->query);
        gh_err_set_kind(&e, "rego_type_error");
        pol_errors_add_gh(&c->errs, &e, NULL, 0);
        return;
    }
    int64_t t0 = gh_mono_ns();
    rego_query *q = NULL;
    rego_parse_opts po = {0};
    first_res fr = {0};
    if (rego_query_prepare(p, a, c->query, strlen(c->query), &po, &q, &e)) {
        c->ns = gh_mono_ns() - t0;
        c->outcome = T_ERROR;
        size_t from = c->errs.n;
        pol_errors_add_gh(&c->errs, &e, c->query, strlen(c->query));
        for (size_t i = from; i < c->errs.n; i++)
            if (c->errs.v[i].file && !strcmp(c->errs.v[i].file, "query")) c->errs.v[i].file[0] = 0;
        return;
    }
    rego_eval_opts eo = {
        .timeout_ms = timeout_ns > 0 ? (timeout_ns + 999999) / 1000000 : 0,
        .print = on_print,
        .print_ud = &c->output,
    };
    int rc = rego_query_eval(q, a, &eo, on_result, &fr, &e);
    c->ns = gh_mono_ns() - t0;
    if (rc) {
        c->outcome = T_ERROR;
        c->eval_error = true;
        pol_errors_add_gh(&c->errs, &e, NULL, 0);
        if (c->errs.n && c->errs.v[0].file && !strcmp(c->errs.v[0].file, "query")) {
            gh_free(c->errs.v[0].file);
            c->errs.v[0].file = NULL;
            c->errs.v[0].text = heap_str(c->query, strlen(c->query));
        }
    } else {
        c->outcome = fr.any && fr.pass ? T_PASS : T_FAIL;
    }
}

/* ---- reporting ------------------------------------------------------------------------ */

static const char *outcome_name(int o) {
    return o == T_PASS ? "PASS" : o == T_FAIL ? "FAIL" : o == T_SKIP ? "SKIPPED" : "ERROR";
}

static void case_line(gh_buf *b, const test_case *c) {
    gh_buf_printf(b, "%s.%s: %s", c->pkg, c->name, outcome_name(c->outcome));
    if (c->outcome != T_SKIP) {
        gh_buf_puts(b, " (");
        cli_go_duration(b, c->ns);
        gh_buf_putc(b, ')');
    }
    gh_buf_putc(b, '\n');
}

/* The error as Go's %v prints it: one evaluation error, or a compile list. */
static void case_error(gh_buf *b, const test_case *c) {
    if (!c->errs.n) return;
    gh_buf_puts(b, "  ");
    if (c->eval_error) {
        pol_error_text(b, &c->errs.v[0]);
        gh_buf_putc(b, '\n');
    } else {
        pol_errors_text(b, &c->errs, "");
    }
}

static void hl(gh_buf *b) {
    for (int i = 0; i < 80; i++)
        gh_buf_putc(b, '-');
    gh_buf_putc(b, '\n');
}

static void report_pretty(gh_buf *b, const test_run *t, bool verbose) {
    size_t pass = 0, fail = 0, skip = 0, errs = 0;
    for (size_t i = 0; i < t->n; i++) {
        int o = t->v[i].outcome;
        pass += o == T_PASS, fail += o == T_FAIL, skip += o == T_SKIP, errs += o == T_ERROR;
    }
    if (fail && verbose) {
        /* OPA prints each failure's evaluation trace here; we have none to show */
        gh_buf_puts(b, "FAILURES\n");
        hl(b);
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].outcome == T_FAIL) {
                case_line(b, &t->v[i]);
                gh_buf_puts(b, "\n\n");
            }
        gh_buf_puts(b, "SUMMARY\n");
        hl(b);
    }
    bool dirty = false;
    const char *last = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const test_case *c = &t->v[i];
        if (verbose || c->outcome != T_PASS) {
            if (!last || strcmp(last, c->file)) {
                if (last) gh_buf_putc(b, '\n');
                gh_buf_printf(b, "%s:\n", c->file);
                last = c->file;
            }
            dirty = true;
            case_line(b, c);
            /* print() output, trimmed and indented by two spaces */
            const char *s = c->output.p;
            size_t n = c->output.len;
            while (n && strchr(" \t\n\r\v\f", *s))
                s++, n--;
            while (n && strchr(" \t\n\r\v\f", s[n - 1]))
                n--;
            if (n) {
                gh_buf_puts(b, "\n  ");
                for (size_t k = 0; k < n; k++) {
                    gh_buf_putc(b, s[k]);
                    if (s[k] == '\n') gh_buf_puts(b, "  ");
                }
                gh_buf_puts(b, "\n\n");
            }
        }
        if (c->outcome == T_ERROR) case_error(b, c);
    }
    if (dirty) hl(b);
    size_t total = pass + fail + skip + errs;
    if (pass) gh_buf_printf(b, "PASS: %zu/%zu\n", pass, total);
    if (fail) gh_buf_printf(b, "FAIL: %zu/%zu\n", fail, total);
    if (skip) gh_buf_printf(b, "SKIPPED: %zu/%zu\n", skip, total);
    if (errs) gh_buf_printf(b, "ERROR: %zu/%zu\n", errs, total);
}

static void base64(gh_buf *b, const unsigned char *s, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n) v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        gh_buf_putc(b, tab[v >> 18 & 63]);
        gh_buf_putc(b, tab[v >> 12 & 63]);
        gh_buf_putc(b, i + 1 < n ? tab[v >> 6 & 63] : '=');
        gh_buf_putc(b, i + 2 < n ? tab[v & 63] : '=');
    }
}

static void json_loc(gh_buf *b, const char *file, int row, int col, const char *ind) {
    gh_buf_printf(b, "{\n%s  \"file\": ", ind);
    cli_json_str(b, file, strlen(file));
    gh_buf_printf(b, ",\n%s  \"row\": %d,\n%s  \"col\": %d\n%s}", ind, row, ind, col, ind);
}

static void json_error(gh_buf *b, const pol_error *x, const char *ind) {
    gh_buf_printf(b, "{\n%s  \"code\": ", ind);
    cli_json_str(b, x->code ? x->code : "", x->code ? strlen(x->code) : 0);
    gh_buf_printf(b, ",\n%s  \"message\": ", ind);
    cli_json_str(b, x->message, strlen(x->message));
    if (x->file) {
        char in2[32];
        snprintf(in2, sizeof in2, "%s  ", ind);
        gh_buf_printf(b, ",\n%s  \"location\": ", ind);
        json_loc(b, x->file, x->row, x->col, in2);
    }
    gh_buf_printf(b, "\n%s}", ind);
}

static void report_json(gh_buf *b, const test_run *t) {
    if (!t->n) {
        gh_buf_puts(b, "[]\n");
        return;
    }
    gh_buf_putc(b, '[');
    for (size_t i = 0; i < t->n; i++) {
        const test_case *c = &t->v[i];
        gh_buf_puts(b, i ? ",\n  {\n    \"location\": " : "\n  {\n    \"location\": ");
        json_loc(b, c->file, (int)c->loc.line, (int)c->loc.col, "    ");
        gh_buf_puts(b, ",\n    \"package\": ");
        cli_json_str(b, c->pkg, strlen(c->pkg));
        gh_buf_puts(b, ",\n    \"name\": ");
        cli_json_str(b, c->name, strlen(c->name));
        if (c->outcome == T_FAIL) gh_buf_puts(b, ",\n    \"fail\": true");
        if (c->outcome == T_ERROR && c->errs.n) {
            gh_buf_puts(b, ",\n    \"error\": ");
            if (c->eval_error) {
                json_error(b, &c->errs.v[0], "    ");
            } else {
                gh_buf_putc(b, '[');
                for (size_t k = 0; k < c->errs.n; k++) {
                    gh_buf_puts(b, k ? ",\n      " : "\n      ");
                    json_error(b, &c->errs.v[k], "      ");
                }
                gh_buf_puts(b, "\n    ]");
            }
        }
        if (c->outcome == T_SKIP) gh_buf_puts(b, ",\n    \"skip\": true");
        gh_buf_printf(b, ",\n    \"duration\": %lld", (long long)c->ns);
        if (c->output.len) {
            gh_buf_puts(b, ",\n    \"output\": \"");
            base64(b, (const unsigned char *)c->output.p, c->output.len);
            gh_buf_putc(b, '"');
        }
        gh_buf_puts(b, "\n  }");
    }
    gh_buf_puts(b, "\n]\n");
}

/* ---- command ----------------------------------------------------------------------------- */

static void free_run(test_run *t) {
    for (size_t i = 0; i < t->n; i++) {
        gh_free(t->v[i].pkg);
        gh_free(t->v[i].name);
        gh_free(t->v[i].query);
        gh_buf_free(&t->v[i].output);
        pol_errors_free(&t->v[i].errs);
    }
    gh_free(t->v);
    gh_arena_free(&t->a);
}

static int print_errs_stderr(const pol_errors *errs, const char *what) {
    gh_buf b;
    gh_buf_init(&b);
    if (errs->oom)
        gh_buf_puts(&b, "gatehouse test: out of memory\n");
    else
        pol_errors_text(&b, errs, what);
    cli_flush(&b, stderr);
    gh_buf_free(&b);
    return CLI_USAGE;
}

static const char *const test_formats[] = {"pretty", "json", NULL};

int cli_test(int argc, char **argv) {
    enum { O_IGNORE = 256 };
    enum { MAX_IGNORE = 64 };
    static const struct option opts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"run", required_argument, NULL, 'r'},
        {"exit-zero-on-skipped", no_argument, NULL, 'z'},
        {"ignore", required_argument, NULL, O_IGNORE},
        {NULL, 0, NULL, 0},
    };
    cli_opts o = {.cmd = "test",
                  .take = CLI_O_FORMAT | CLI_O_TIMEOUT | CLI_O_VERSION,
                  .formats = test_formats,
                  .own = opts,
                  .own_short = "vr:z",
                  .usage = test_usage,
                  .own_first = true,
                  .timeout_ns = 5000000000LL};
    bool verbose = false, zero_skip = false;
    const char *run = NULL;
    char *ignore[MAX_IGNORE];
    size_t nignore = 0;
    int c;
    while ((c = cli_opts_next(&o, argc, argv)) > 0) {
        switch (c) {
        case 'v': verbose = true; break;
        case 'r': run = optarg; break;
        case 'z': zero_skip = true; break;
        case O_IGNORE:
            if (nignore == MAX_IGNORE) {
                fprintf(stderr, "gatehouse test: more than %d --ignore flags\n", MAX_IGNORE);
                return CLI_USAGE;
            }
            ignore[nignore++] = optarg;
            break;
        }
    }
    if (c < 0) return o.rc;
    bool json = o.fmt == 1;
    if (optind >= argc) {
        test_usage(stderr);
        return CLI_USAGE;
    }
    pcre2_code *re = NULL;
    pcre2_match_data *md = NULL;
    if (run) {
        int ec;
        PCRE2_SIZE eo;
        re = pcre2_compile((PCRE2_SPTR)run, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo, NULL);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            fprintf(stderr, "gatehouse test: error parsing regexp: %s at offset %zu: `%s`\n",
                    (const char *)msg, (size_t)eo, run);
            return CLI_USAGE;
        }
        md = pcre2_match_data_create_from_pattern(re, NULL);
        if (!md) {
            pcre2_code_free(re);
            fprintf(stderr, "gatehouse test: out of memory\n");
            return CLI_USAGE;
        }
    }

    int rc = CLI_OK;
    pol_errors errs = {0};
    pol_loaded l;
    pol_loaded_init(&l);
    l.ignore = ignore;
    l.nignore = nignore;
    test_run t;
    memset(&t, 0, sizeof t);
    gh_arena_init(&t.a, 0);
    gh_arena ea;
    gh_arena_init(&ea, 0);
    rego_policy *p = NULL;
    rego_parse_opts po = {.version = o.v0 ? REGO_V0 : REGO_V1};

    for (int i = optind; i < argc; i++)
        pol_load_path(&l, argv[i], &errs);
    if (errs.n || errs.oom) {
        rc = print_errs_stderr(&errs, " during loading");
        goto out;
    }
    if (discover(&t, &l, &po, &errs)) {
        fprintf(stderr, "gatehouse test: out of memory\n");
        rc = CLI_USAGE;
        goto out;
    }
    if (errs.n) {
        rc = print_errs_stderr(&errs, " during loading");
        goto out;
    }
    p = pol_loaded_compile(&l, &po, NULL, &errs);
    if (!p) {
        rc = print_errs_stderr(&errs, "");
        goto out;
    }
    /* --run filters on the full name, data.pkg.test_x */
    size_t kept = 0;
    for (size_t i = 0; i < t.n; i++) {
        test_case *tc = &t.v[i];
        bool keep = true;
        if (re) {
            char *full = gh_arena_printf(&t.a, "%s.%s", tc->pkg, tc->name);
            keep = full && pcre2_match(re, (PCRE2_SPTR)full, strlen(full), 0, 0, md, NULL) >= 0;
        }
        if (keep) {
            t.v[kept++] = *tc;
        } else {
            gh_free(tc->pkg);
            gh_free(tc->name);
            gh_free(tc->query);
            gh_buf_free(&tc->output);
            pol_errors_free(&tc->errs);
        }
    }
    t.n = kept;
    bool bad = false, skipped = false;
    for (size_t i = 0; i < t.n; i++) {
        run_case(&t.v[i], p, &ea, o.timeout_ns);
        gh_arena_reset(&ea);
        bad = bad || t.v[i].outcome == T_FAIL || t.v[i].outcome == T_ERROR;
        skipped = skipped || t.v[i].outcome == T_SKIP;
    }
    gh_buf b;
    gh_buf_init(&b);
    if (json)
        report_json(&b, &t);
    else
        report_pretty(&b, &t, verbose);
    rc = cli_flush(&b, stdout);
    gh_buf_free(&b);
    if (rc == CLI_OK && (bad || (skipped && !zero_skip))) rc = CLI_FAIL;
out:
    pol_errors_free(&errs);
    rego_policy_free(p);
    pol_loaded_free(&l);
    free_run(&t);
    gh_arena_free(&ea);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc;
}
