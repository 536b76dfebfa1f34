/* cli_check.c - `gatehouse check FILE...`, compatible with `conftest test`:
 * loads policies (-p, default ./policy) and data (-d), parses each input
 * (every format of cli_input.c; by extension or --parser), evaluates
 * the deny/violation/warn rules of the selected namespaces through
 * policy/check.c and prints conftest's stdout, json, tap, table, junit,
 * github, sarif or azuredevops output. Exit: 0 ok, 1 failures (or any error), with --fail-on-warn 2
 * for failures and 1 for warnings only; --no-fail always 0 for results. */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "policy/policy.h"

/* Parse one input: the --parser choice (AUTO: by file name; stdin: YAML). */
static int load_input(gh_arena *a, const char *path, cli_format p, val_t **out, gh_err *e) {
    if (p == CLI_FMT_AUTO && strcmp(path, "-")) {
        int f = cli_format_for_path(path);
        if (f < 0)
            return gh_err_set(e, GH_EINVAL, path, 0, 0,
                              "unknown file type: use --parser to choose one");
        p = (cli_format)f;
    }
    return cli_load_document(a, path, p, out, e);
}

/* conftest's parse_config* builtins: parse with a named parser, or by the
 * path's file name. */
static int parse_hook(void *ud, gh_arena *a, const char *parser, const char *path, const char *text,
                      size_t n, val_t **out, gh_err *e) {
    (void)ud;
    cli_format f = CLI_FMT_AUTO;
    if (parser) {
        int k = cli_format_from_name(parser);
        if (k < 0) return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "unknown parser \"%s\"", parser);
        f = (cli_format)k;
    } else {
        int k = cli_format_for_path(path ? path : "");
        if (k < 0)
            return gh_err_set(e, GH_EINVAL, path, 0, 0, "unknown file type: no parser for %s",
                              path ? path : "");
        f = (cli_format)k;
    }
    return cli_parse_text(a, text, n, path ? path : "<parse_config>", f, out, e);
}

/* --capabilities FILE (OPA's capabilities JSON): the builtins a policy may
 * call are the names of its "builtins" array; conftest's own parse_config*
 * builtins stay available. The names live in the command's arena. */
typedef struct caps {
    const val_t *names; /* array of strings */
} caps;

static bool caps_allow(void *ctx, const char *name, size_t n) {
    const caps *c = ctx;
    static const char *const host[] = {"parse_config", "parse_config_file",
                                       "parse_combined_config_files"};
    for (size_t i = 0; i < sizeof host / sizeof *host; i++)
        if (strlen(host[i]) == n && !memcmp(host[i], name, n)) return true;
    for (size_t i = 0; i < val_arr_len(c->names); i++) {
        const val_t *s = val_arr_at(c->names, i);
        if (val_str_len(s) == n && !memcmp(val_str_ptr(s), name, n)) return true;
    }
    return false;
}

static int caps_load(gh_arena *a, const char *path, caps *out, gh_err *e) {
    char *text = NULL;
    size_t len = 0;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, e);
    if (rc) return rc;
    val_t *doc = NULL;
    rc = val_json_parse(a, text, len, NULL, &doc, e);
    gh_free(text);
    if (rc) {
        if (!e->file[0]) gh_err_set_file(e, path);
        return rc;
    }
    val_t *bis = doc->kind == VAL_OBJECT ? val_obj_get_str(doc, "builtins", 8) : NULL;
    if (!bis || bis->kind != VAL_ARRAY)
        return gh_err_set(e, GH_EINVAL, path, 0, 0,
                          "capabilities: expected an object with a \"builtins\" array");
    val_t *names = val_arr_new(a, val_arr_len(bis));
    if (!names) return gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory");
    for (size_t i = 0; i < val_arr_len(bis); i++) {
        const val_t *b = val_arr_at(bis, i);
        val_t *nm = b->kind == VAL_OBJECT ? val_obj_get_str(b, "name", 4) : NULL;
        if (!nm || !val_is_str(nm))
            return gh_err_set(e, GH_EINVAL, path, 0, 0,
                              "capabilities: builtins[%zu] has no string \"name\"", i);
        if (val_arr_push(a, names, nm))
            return gh_err_set(e, GH_ENOMEM, path, 0, 0, "out of memory");
    }
    out->names = names;
    return 0;
}

/* Directories are walked in lexical order for files with a known parser;
 * symbolic links are followed (conftest does), up to WALK_MAX_DEPTH levels so
 * that a link cycle ends in an error. */
#define WALK_MAX_DEPTH 64
static int walk(const char *dir, const regex_t *ignore, cli_strv *files, gh_arena *a, int depth) {
    if (depth > WALK_MAX_DEPTH) return -1;
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) return -1;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (!rc && strcmp(nm, ".") && strcmp(nm, "..")) {
            size_t dl = strlen(dir);
            char *p = gh_arena_printf(a, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", nm);
            struct stat st;
            if (!p) {
                rc = -1;
            } else if (ignore && regexec(ignore, p, 0, NULL, 0) == 0) {
                /* skipped by --ignore */
            } else if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                rc = walk(p, ignore, files, a, depth + 1);
            } else if (cli_format_for_path(p) >= 0) {
                if (cli_strv_push(files, p)) rc = -1;
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* ---- conftest.toml ---------------------------------------------------------
 * Settings a configuration file may hold, named like the flags; flags given
 * on the command line win. */
static int cfg_strs(gh_arena *a, const val_t *cfg, const char *key, cli_strv *dst) {
    const val_t *v = val_obj_get_str(cfg, key, strlen(key));
    if (!v || dst->n) return 0; /* absent, or set by a flag */
    size_t n = val_kind_of(v) == VAL_ARRAY ? val_arr_len(v) : 1;
    for (size_t i = 0; i < n; i++) {
        const val_t *x = val_kind_of(v) == VAL_ARRAY ? val_arr_at(v, i) : v;
        if (!val_is_str(x)) return 1;
        char *str = gh_arena_strndup(a, val_str_ptr(x), val_str_len(x));
        if (!str || cli_strv_push(dst, str)) return -1;
    }
    return 0;
}

static int cfg_str(gh_arena *a, const val_t *cfg, const char *key, const char **dst) {
    const val_t *v = val_obj_get_str(cfg, key, strlen(key));
    if (!v || *dst) return 0;
    if (!val_is_str(v)) return 1;
    *dst = gh_arena_strndup(a, val_str_ptr(v), val_str_len(v));
    return *dst ? 0 : -1;
}

static void cfg_bool(const val_t *cfg, const char *key, bool *dst) {
    const val_t *v = val_obj_get_str(cfg, key, strlen(key));
    if (v && val_kind_of(v) == VAL_BOOL) *dst = *dst || v == VAL_TRUE;
}

/* ---- the command ----------------------------------------------------------- */

static void check_usage(FILE *f) {
    fprintf(
        f, "usage: gatehouse check [options] FILE|DIR|- ...\n\n"
           "Test configuration files against Rego policies, like `conftest test`: the rules\n"
           "deny, violation and warn (and deny_*, violation_*, warn_*) of each namespace\n"
           "(package) give failures and warnings; exception[_] lists rule names to except.\n\n"
           "  -p, --policy PATH       policy file or directory (repeatable; default: policy)\n"
           "  -n, --namespace NS      namespace to test, glob allowed (repeatable; default: main)\n"
           "      --all-namespaces    test every namespace of the policies\n"
           "  -d, --data PATH         data files or directories (repeatable)\n"
           "      --combine           evaluate all files as one input [{path, contents}]\n"
           "      --parser NAME       yaml, json, dockerfile, toml, ini, hcl2, hcl1, xml,\n"
           "                          jsonnet, properties, dotenv, hocon, edn, vcl, spdx,\n"
           "                          cyclonedx, cue, ignore (default: by file name;\n"
           "                          stdin: yaml)\n"
           "      --ignore REGEX      skip files whose path matches, when walking directories\n"
           "      --fail-on-warn      exit 1 on warnings, 2 on failures\n"
           "      --no-fail           exit 0 even when policies fail\n"
           "  -o, --output FORMAT     stdout, json, tap, table, junit, github, azuredevops,\n"
           "                          sarif\n"
           "                          (default: stdout)\n"
           "      --no-color          no colours in stdout output\n"
           "      --suppress-exceptions  leave EXCP lines out of stdout output\n"
           "      --quiet             print nothing when every test passes\n"
           "      --strict            OPA's strict compile mode (unused vars, imports...)\n"
           "      --show-builtin-errors  builtin errors fail the run (else undefined)\n"
           "      --capabilities FILE OPA capabilities JSON: only its builtins may be called\n"
           "      --trace             print OPA's evaluation trace of every query (with an\n"
           "                          output other than stdout, on stderr)\n");
}

enum {
    O_ALLNS = 256,
    O_COMBINE,
    O_PARSER,
    O_FAILWARN,
    O_NOFAIL,
    O_IGNORE,
    O_NOCOLOR,
    O_SUPPRESS,
    O_QUIET,
    O_STRICT,
    O_BUILTINERR,
    O_CONFIG,
    O_REGOVER,
    O_TRACE,
    O_CAPS,
};

int cli_check(int argc, char **argv) {
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"namespace", required_argument, NULL, 'n'},
        {"all-namespaces", no_argument, NULL, O_ALLNS},
        {"combine", no_argument, NULL, O_COMBINE},
        {"parser", required_argument, NULL, O_PARSER},
        {"ignore", required_argument, NULL, O_IGNORE},
        {"fail-on-warn", no_argument, NULL, O_FAILWARN},
        {"no-fail", no_argument, NULL, O_NOFAIL},
        {"output", required_argument, NULL, 'o'},
        {"no-color", no_argument, NULL, O_NOCOLOR},
        {"suppress-exceptions", no_argument, NULL, O_SUPPRESS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"strict", no_argument, NULL, O_STRICT},
        {"show-builtin-errors", no_argument, NULL, O_BUILTINERR},
        {"config-file", required_argument, NULL, 'c'},
        {"rego-version", required_argument, NULL, O_REGOVER},
        {"trace", no_argument, NULL, O_TRACE},
        {"capabilities", required_argument, NULL, O_CAPS},
        {NULL, 0, NULL, 0},
    };
    cli_opts opt = {.cmd = "check",
                    .take = CLI_O_DATA,
                    .own = opts,
                    .own_short = "p:n:o:c:",
                    .usage = check_usage};
    cli_strv policies = {0}, nss = {0}, files = {0}, sel = {0};
    bool allns = false, combine = false, failwarn = false, nofail = false, color = true;
    bool suppress = false, quiet = false, builtin_errors = false, trace = false;
    rego_compile_opts co = {0};
    rego_parse_opts po = {0};
    cli_format parser = CLI_FMT_AUTO;
    const char *output = NULL, *ignore_re = NULL, *config = NULL, *parser_name = NULL;
    const char *caps_file = NULL;
    caps capset = {0};
    int c, rc = CLI_FAIL;
    regex_t ignore;
    bool have_ignore = false;
    pol_loaded l;
    pol_loaded_init(&l);
    pol_errors errs = {0};
    rego_policy *pol = NULL;
    pol_check *chk = NULL;
    gh_arena a;
    gh_arena_init(&a, 0);
    pol_check_result *res = NULL;
    size_t nres = 0, capres = 0;
    gh_buf b;
    gh_buf_init(&b);
    gh_err e;
    gh_err_clear(&e);

    while ((c = cli_opts_next(&opt, argc, argv)) > 0) {
        int bad = 0;
        switch (c) {
        case 'p': bad = cli_strv_push(&policies, optarg); break;
        case 'n': bad = cli_strv_push(&nss, optarg); break;
        case 'o': output = optarg; break;
        case O_ALLNS: allns = true; break;
        case O_COMBINE: combine = true; break;
        case O_FAILWARN: failwarn = true; break;
        case O_NOFAIL: nofail = true; break;
        case O_NOCOLOR: color = false; break;
        case O_SUPPRESS: suppress = true; break;
        case O_QUIET: quiet = true; break;
        case O_STRICT: co.strict = true; break;
        case O_TRACE: trace = true; break;
        case O_CAPS: caps_file = optarg; break;
        case O_BUILTINERR: builtin_errors = true; break;
        case 'c': config = optarg; break;
        case O_REGOVER:
            if (!strcmp(optarg, "v0")) {
                po.version = REGO_V0;
            } else if (!strcmp(optarg, "v1")) {
                po.version = REGO_V1;
            } else {
                fprintf(stderr, "Error: --rego-version must be v0 or v1\n");
                rc = CLI_USAGE;
                goto out;
            }
            break;
        case O_IGNORE: ignore_re = optarg; break;
        case O_PARSER: {
            int f = cli_format_from_name(optarg);
            if (f < 0) {
                fprintf(stderr, "Error: unknown parser \"%s\" (see gatehouse check --help)\n",
                        optarg);
                rc = CLI_USAGE;
                goto out;
            }
            parser = (cli_format)f;
            break;
        }
        }
        if (bad) goto oom;
    }
    if (c < 0) {
        rc = opt.rc;
        goto out;
    }
    /* conftest.toml: -c FILE, else ./conftest.toml when present */
    if (config || access("conftest.toml", R_OK) == 0) {
        const char *cpath = config ? config : "conftest.toml";
        val_t *cfg = NULL;
        if (cli_load_document(&a, cpath, CLI_FMT_TOML, &cfg, &e)) {
            cli_print_err(&e);
            goto out;
        }
        int bad = cfg_strs(&a, cfg, "policy", &policies);
        if (!bad) bad = cfg_strs(&a, cfg, "namespace", &nss);
        if (!bad) bad = cfg_strs(&a, cfg, "data", &opt.data);
        if (!bad) bad = cfg_str(&a, cfg, "output", &output);
        if (!bad) bad = cfg_str(&a, cfg, "ignore", &ignore_re);
        if (!bad) bad = cfg_str(&a, cfg, "capabilities", &caps_file);
        if (!bad && parser == CLI_FMT_AUTO) bad = cfg_str(&a, cfg, "parser", &parser_name);
        if (bad < 0) goto oom;
        if (bad) {
            fprintf(stderr,
                    "Error: %s: a setting has the wrong type (strings, lists of strings "
                    "or booleans)\n",
                    cpath);
            rc = CLI_USAGE;
            goto out;
        }
        if (parser_name) {
            int f = cli_format_from_name(parser_name);
            if (f < 0) {
                fprintf(stderr, "Error: %s: unknown parser \"%s\"\n", cpath, parser_name);
                rc = CLI_USAGE;
                goto out;
            }
            parser = (cli_format)f;
        }
        cfg_bool(cfg, "all-namespaces", &allns);
        cfg_bool(cfg, "combine", &combine);
        cfg_bool(cfg, "fail-on-warn", &failwarn);
        cfg_bool(cfg, "no-fail", &nofail);
        cfg_bool(cfg, "suppress-exceptions", &suppress);
        cfg_bool(cfg, "quiet", &quiet);
        cfg_bool(cfg, "strict", &co.strict);
        cfg_bool(cfg, "show-builtin-errors", &builtin_errors);
        cfg_bool(cfg, "trace", &trace);
        bool nocolor = !color;
        cfg_bool(cfg, "no-color", &nocolor);
        color = !nocolor;
    }
    if (!output) output = "stdout";
    if (strcmp(output, "stdout") && strcmp(output, "json") && strcmp(output, "tap") &&
        strcmp(output, "table") && strcmp(output, "github") && strcmp(output, "junit") &&
        strcmp(output, "sarif") && strcmp(output, "azuredevops")) {
        fprintf(stderr,
                "Error: output format \"%s\" is not supported (stdout, json, tap, table, junit, "
                "github, azuredevops, sarif)\n",
                output);
        rc = CLI_USAGE;
        goto out;
    }
    if (ignore_re) {
        int r = regcomp(&ignore, ignore_re, REG_EXTENDED | REG_NOSUB);
        if (r) {
            fprintf(stderr, "Error: invalid --ignore regular expression \"%s\"\n", ignore_re);
            rc = CLI_USAGE;
            goto out;
        }
        have_ignore = true;
    }
    if (!policies.n && cli_strv_push(&policies, "policy")) goto oom;
    if (!nss.n && cli_strv_push(&nss, "main")) goto oom;
    for (int i = optind; i < argc; i++) {
        if (!argv[i][0]) continue; /* conftest ignores blank file names */
        struct stat st;
        if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (walk(argv[i], have_ignore ? &ignore : NULL, &files, &a, 0)) {
                fprintf(stderr,
                        "Error: cannot read directory %s (or nested deeper than %d "
                        "levels: a symbolic link cycle?)\n",
                        argv[i], WALK_MAX_DEPTH);
                goto out;
            }
        } else if (cli_strv_push(&files, argv[i])) {
            goto oom;
        }
    }
    if (!files.n) {
        fprintf(stderr, "Error: no files to test (see gatehouse check --help)\n");
        rc = CLI_USAGE;
        goto out;
    }

    /* policies and data */
    for (size_t i = 0; i < policies.n; i++) {
        struct stat st;
        if (stat(policies.v[i], &st) != 0) {
            fprintf(stderr, "Error: policy path %s does not exist\n", policies.v[i]);
            goto out;
        }
        pol_load_path(&l, policies.v[i], &errs);
    }
    for (size_t i = 0; i < opt.data.n; i++)
        pol_load_path(&l, opt.data.v[i], &errs);
    if (errs.oom) goto oom;
    if (!errs.n && !l.nmods) {
        fprintf(stderr, "Error: no policies found in");
        for (size_t i = 0; i < policies.n; i++)
            fprintf(stderr, " %s", policies.v[i]);
        fprintf(stderr, "\n");
        goto out;
    }
    /* conftest's parse_config* builtins, known to policies compiled from here on */
    if (pol_check_register_builtins(&e)) {
        cli_print_err(&e);
        goto out;
    }
    if (caps_file) {
        if (caps_load(&a, caps_file, &capset, &e)) {
            cli_print_err(&e);
            goto out;
        }
        co.allow_builtin = caps_allow;
        co.allow_ctx = &capset;
    }
    if (!errs.n) pol = pol_loaded_compile(&l, &po, &co, &errs);
    if (errs.n || !pol) {
        pol_errors_text(&b, &errs, " during loading");
        fprintf(stderr, "Error: %s", b.p ? b.p : "out of memory\n");
        goto out;
    }
    chk = pol_check_new(pol);
    if (!chk) goto oom;
    pol_check_set_strict_builtins(chk, builtin_errors);
    pol_check_set_trace(chk, trace);
    pol_check_set_parser(chk, parse_hook, NULL);
    for (size_t i = 0; i < l.nmods; i++)
        if (pol_check_add_module(chk, l.mods[i].name, l.mods[i].text, l.mods[i].len, &po, &e)) {
            cli_print_err(&e);
            goto out;
        }
    /* namespaces: literal names as given, globs expanded over the policies' */
    if (allns) {
        for (size_t i = 0; i < pol_check_nnamespaces(chk); i++)
            if (cli_strv_push(&sel, pol_check_namespace(chk, i))) goto oom;
    } else {
        for (size_t i = 0; i < nss.n; i++) {
            const char *pat = nss.v[i];
            if (!strpbrk(pat, "*?")) {
                bool dup = false;
                for (size_t k = 0; k < sel.n; k++)
                    dup |= !strcmp(sel.v[k], pat);
                if (!dup && cli_strv_push(&sel, pat)) goto oom;
                continue;
            }
            for (size_t j = 0; j < pol_check_nnamespaces(chk); j++) {
                const char *ns = pol_check_namespace(chk, j);
                bool dup = false;
                for (size_t k = 0; k < sel.n; k++)
                    dup |= !strcmp(sel.v[k], ns);
                if (!dup && pol_check_ns_match(pat, ns) && cli_strv_push(&sel, ns)) goto oom;
            }
        }
    }

    /* inputs */
    val_t **docs = gh_arena_calloc(&a, files.n * sizeof *docs);
    if (!docs) goto oom;
    for (size_t i = 0; i < files.n; i++)
        if (load_input(&a, files.v[i], parser, &docs[i], &e)) {
            if (!e.file[0]) gh_err_set_file(&e, files.v[i]);
            cli_print_err(&e);
            goto out;
        }
    size_t nunits = combine ? 1 : files.n;
    for (size_t u = 0; u < nunits; u++) {
        const val_t *input = docs[u];
        const char *fname = files.v[u];
        if (combine) {
            /* [{path, contents}], multi-document files give one entry per document */
            val_t *arr = val_arr_new(&a, files.n);
            if (!arr) goto oom;
            for (size_t i = 0; i < files.n; i++) {
                val_t *d = docs[i];
                size_t nd = val_kind_of(d) == VAL_ARRAY ? val_arr_len(d) : 1;
                for (size_t k = 0; k < nd; k++) {
                    val_t *o = val_obj_new(&a, 2), *pk = val_strc(&a, "path"),
                          *pv = val_strc(&a, files.v[i]), *ck = val_strc(&a, "contents");
                    val_t *cv = val_kind_of(d) == VAL_ARRAY ? val_arr_at(d, k) : d;
                    if (!o || !pk || !pv || !ck || val_obj_put(&a, o, pk, pv) ||
                        val_obj_put(&a, o, ck, cv) || val_arr_push(&a, arr, o))
                        goto oom;
                }
            }
            val_t *wrap = val_arr_new(&a, 1); /* evaluated as one document */
            if (!wrap || val_arr_push(&a, wrap, arr)) goto oom;
            input = wrap;
            fname = "Combined";
        }
        for (size_t s = 0; s < sel.n; s++) {
            if (nres == capres) {
                size_t nc = capres ? capres * 2 : 8;
                pol_check_result *nr = gh_realloc(res, nc * sizeof *nr);
                if (!nr) goto oom;
                res = nr, capres = nc;
            }
            pol_check_result *r = &res[nres++];
            memset(r, 0, sizeof *r);
            r->file = fname;
            r->ns = sel.v[s];
            if (pol_check_eval(chk, &a, sel.v[s], input, r, &e)) {
                char msg[GH_ERR_MSG + GH_ERR_FILE + 64];
                /* conftest (--show-builtin-errors) reports "built-in error: ..." */
                bool bierr = e.kind && !strcmp(e.kind, "eval_builtin_error");
                fprintf(stderr, "Error: running test against %s: %s%s%s%s\n", fname,
                        bierr ? "built-in error: " : "", e.kind ? e.kind : "", e.kind ? ": " : "",
                        gh_err_format(&e, msg, sizeof msg));
                goto out;
            }
        }
    }

    gh_buf_reset(&b);
    cli_check_totals t;
    cli_check_count(res, nres, &t);
    bool is_stdout = !strcmp(output, "stdout");
    if (trace) { /* conftest: the trace replaces stdout's report, else goes to stderr */
        gh_buf tb;
        gh_buf_init(&tb);
        cli_check_trace(&tb, res, nres, is_stdout && color);
        int frc = cli_flush(&tb, is_stdout ? stdout : stderr);
        gh_buf_free(&tb);
        if (frc != CLI_OK) goto out;
        if (is_stdout) goto done;
    }
    if (!is_stdout) { /* print() output has no place in machine formats: stderr */
        gh_buf pb;
        gh_buf_init(&pb);
        cli_check_prints(&pb, res, nres);
        int frc = cli_flush(&pb, stderr);
        gh_buf_free(&pb);
        if (frc != CLI_OK) goto out;
    }
    if (quiet && !t.fail && !t.warn && !t.exc) goto done;
    if (cli_check_report(&b, output, res, nres, color, suppress)) goto oom;
    if (cli_flush(&b, stdout) != CLI_OK) goto out;
done:
    if (nofail)
        rc = CLI_OK;
    else if (failwarn)
        rc = t.fail ? 2 : t.warn ? 1 : 0;
    else
        rc = t.fail ? 1 : 0;
    goto out;
oom:
    fprintf(stderr, "Error: out of memory\n");
    rc = CLI_FAIL;
out:
    if (have_ignore) regfree(&ignore);
    gh_buf_free(&b);
    gh_free(res);
    pol_check_free(chk);
    if (pol) rego_policy_free(pol);
    pol_errors_free(&errs);
    pol_loaded_free(&l);
    gh_arena_free(&a);
    gh_free(policies.v);
    gh_free(nss.v);
    cli_opts_free(&opt);
    gh_free(files.v);
    gh_free(sel.v);
    return rc;
}
