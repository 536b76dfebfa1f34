/* cli_conformance.c - `gatehouse conformance`: runs OPA's YAML conformance
 * cases (and the regorus corpus in the same format) through the engine.
 * Walks the given directories for .yaml files in sorted order; a `v0/` path
 * segment selects Rego v0. Results compare like OPA's own runner: want_result
 * is a list of binding sets (order-insensitive), sort_bindings sorts array
 * bindings, want_error_code / want_error (substring of "file:row: code:
 * message") for errors. A skip list names cases not expected to pass yet
 * (`path<TAB>note<TAB>reason`, path relative to the corpus root's parent);
 * nothing is skipped silently. Ends with `N passed, N failed, N skipped`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "rego/rego.h"

typedef struct skip_ent {
    char *path, *note, *reason;
    bool used;
} skip_ent;

typedef struct conf {
    int verbose;
    const char *run;       /* only cases whose note contains this */
    const char *write_skips;
    skip_ent *skips;
    size_t nskips, capskips;
    long passed, failed, skipped;
    /* failures collected for --write-skips */
    skip_ent *fails;
    size_t nfails, capfails;
    const char *argv0;
} conf;

/* ---- small helpers ------------------------------------------------------------- */

static val_t *vget(const val_t *o, const char *k) {
    if (!o || val_kind_of(o) != VAL_OBJECT) return NULL;
    return val_obj_get_str(o, k, strlen(k));
}

static const char *vstr(const val_t *o, const char *k) {
    val_t *v = vget(o, k);
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}

static bool vbool(const val_t *o, const char *k) {
    val_t *v = vget(o, k);
    return v && val_kind_of(v) == VAL_BOOL && v->u.b;
}

static int add_ent(skip_ent **v, size_t *n, size_t *cap, const char *path, const char *note,
                   const char *reason) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        skip_ent *nv = gh_realloc(*v, nc * sizeof *nv);
        if (!nv) return -1;
        *v = nv;
        *cap = nc;
    }
    skip_ent *s = &(*v)[(*n)++];
    s->path = gh_strndup(path, strlen(path));
    s->note = gh_strndup(note, strlen(note));
    s->reason = gh_strndup(reason, strlen(reason));
    s->used = false;
    return s->path && s->note && s->reason ? 0 : -1;
}

static void free_ents(skip_ent *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        gh_free(v[i].path);
        gh_free(v[i].note);
        gh_free(v[i].reason);
    }
    gh_free(v);
}

static int load_skips(conf *c, const char *file) {
    char *text;
    size_t n;
    gh_err e;
    if (gh_read_file(file, 16u << 20, &text, &n, &e)) {
        cli_print_err(&e);
        return -1;
    }
    char *line = text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (*line && *line != '#') {
            char *t1 = strchr(line, '\t');
            char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
            if (t1 && t2) {
                *t1 = *t2 = 0;
                if (add_ent(&c->skips, &c->nskips, &c->capskips, line, t1 + 1, t2 + 1)) {
                    gh_free(text);
                    return -1;
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    gh_free(text);
    return 0;
}

static skip_ent *find_skip(conf *c, const char *path, const char *note) {
    for (size_t i = 0; i < c->nskips; i++)
        if (!strcmp(c->skips[i].path, path) && !strcmp(c->skips[i].note, note)) return &c->skips[i];
    return NULL;
}

/* Results as JSON would show them: sets become sorted arrays, non-string
 * object keys become their JSON text. */
static val_t *jsonish(gh_arena *a, const val_t *v) {
    switch (val_kind_of(v)) {
    case VAL_ARRAY: {
        val_t *r = val_arr_new(a, val_arr_len(v));
        for (size_t i = 0; r && i < val_arr_len(v); i++) {
            val_t *x = jsonish(a, val_arr_at(v, i));
            if (!x || val_arr_push(a, r, x)) return NULL;
        }
        return r;
    }
    case VAL_SET: {
        uint32_t *ord = val_sorted_order(a, v);
        val_t *r = val_arr_new(a, val_set_len(v));
        for (size_t i = 0; r && i < val_set_len(v); i++) {
            val_t *x = jsonish(a, val_set_at(v, ord ? ord[i] : i));
            if (!x || val_arr_push(a, r, x)) return NULL;
        }
        return r;
    }
    case VAL_OBJECT: {
        val_t *r = val_obj_new(a, val_obj_len(v));
        for (size_t i = 0; r && i < val_obj_len(v); i++) {
            val_t *k = val_obj_key_at(v, i);
            if (!val_is_str(k)) {
                char *txt = val_to_json(a, k, 0);
                k = txt ? val_strc(a, txt) : NULL;
            }
            val_t *x = jsonish(a, val_obj_val_at(v, i));
            if (!k || !x || val_obj_put(a, r, k, x)) return NULL;
        }
        return r;
    }
    default:
        return (val_t *)v;
    }
}

static val_t *sorted_array(gh_arena *a, val_t *v) {
    if (val_kind_of(v) != VAL_ARRAY) return v;
    uint32_t *ord = val_sorted_order(a, v);
    if (!ord) return v;
    val_t *r = val_arr_new(a, val_arr_len(v));
    for (size_t i = 0; r && i < val_arr_len(v); i++)
        if (val_arr_push(a, r, val_arr_at(v, ord[i]))) return NULL;
    return r;
}

static val_t *sort_bindings(gh_arena *a, val_t *b) {
    if (val_kind_of(b) != VAL_OBJECT) return b;
    val_t *r = val_obj_new(a, val_obj_len(b));
    for (size_t i = 0; r && i < val_obj_len(b); i++) {
        val_t *x = sorted_array(a, val_obj_val_at(b, i));
        if (!x || val_obj_put(a, r, val_obj_key_at(b, i), x)) return NULL;
    }
    return r;
}

/* ---- running one case -------------------------------------------------------------- */

typedef struct collect {
    gh_arena *a;
    val_t *list;
    int oom;
} collect;

static int on_result(void *ud, const rego_result *r) {
    collect *c = ud;
    val_t *o = val_obj_new(c->a, r->nvars);
    for (uint32_t i = 0; o && i < r->nvars; i++) {
        val_t *k = val_strc(c->a, r->names[i]);
        val_t *v = jsonish(c->a, r->values[i]);
        if (v) v = val_copy(c->a, v); /* results must outlive the policy */
        if (!k || !v || val_obj_put(c->a, o, k, v)) o = NULL;
    }
    if (!o || val_arr_push(c->a, c->list, o)) {
        c->oom = 1;
        return 1;
    }
    return 0;
}

static void print_sink(void *ud, const char *line, size_t n) {
    int verbose = *(int *)ud;
    if (verbose > 1) fprintf(stdout, "    print: %.*s\n", (int)n, line);
}

typedef struct outcome {
    bool err;
    char code[64];
    char text[GH_ERR_MSG + GH_ERR_FILE + 96]; /* "file:row: code: message" */
    val_t *results;                            /* array of binding objects */
} outcome;

static void set_err(outcome *o, const gh_err *e) {
    char codebuf[64];
    const char *code = e->kind ? e->kind : rego_err_code(e, codebuf, sizeof codebuf);
    if (!code) code = "";
    o->err = true;
    snprintf(o->code, sizeof o->code, "%s", code);
    const char *msg = e->msg;
    size_t cl = strlen(code);
    bool prefixed = cl && !strncmp(msg, code, cl) && msg[cl] == ':';
    char loc[GH_ERR_FILE + 32] = "";
    if (e->file[0])
        snprintf(loc, sizeof loc, "%s:%d: ", e->file, e->line);
    else if (e->line)
        snprintf(loc, sizeof loc, "%d:%d: ", e->line, e->col);
    if (prefixed)
        snprintf(o->text, sizeof o->text, "%s%s", loc, msg);
    else
        snprintf(o->text, sizeof o->text, "%s%s: %s", loc, code, msg);
}

static void run_case(conf *c, gh_arena *a, const char *file, const val_t *cs, rego_version ver,
                     outcome *out) {
    memset(out, 0, sizeof *out);
    gh_err e;
    gh_err_clear(&e);
    rego_parse_opts po = {.version = ver};
    rego_policy *p = rego_policy_new();
    if (!p) {
        snprintf(out->text, sizeof out->text, "out of memory");
        out->err = true;
        return;
    }
    val_t *mods = vget(cs, "modules");
    if (mods && val_kind_of(mods) == VAL_ARRAY) {
        for (size_t i = 0; i < val_arr_len(mods); i++) {
            val_t *m = val_arr_at(mods, i);
            if (!val_is_str(m)) continue;
            char name[32];
            snprintf(name, sizeof name, "test-%zu.rego", i);
            if (rego_policy_add_module(p, name, val_str_ptr(m), val_str_len(m), &po, &e)) {
                set_err(out, &e);
                goto done;
            }
        }
    }
    val_t *data = vget(cs, "data");
    if (data && val_kind_of(data) == VAL_OBJECT && rego_policy_add_data(p, data, &e)) {
        set_err(out, &e);
        goto done;
    }
    if (rego_policy_compile(p, NULL, &e)) {
        set_err(out, &e);
        goto done;
    }
    const char *qtext = vstr(cs, "query");
    if (!qtext) qtext = "true";
    rego_query *q = NULL;
    if (rego_query_prepare(p, a, qtext, strlen(qtext), &po, &q, &e)) {
        set_err(out, &e);
        goto done;
    }
    val_t *input = vget(cs, "input");
    const char *iterm = vstr(cs, "input_term");
    if (iterm) {
        rego_term *t = NULL;
        if (rego_parse_term(a, iterm, strlen(iterm), &po, &t, &e) ||
            rego_term_to_value(a, t, &input, &e)) {
            set_err(out, &e);
            goto done;
        }
    }
    rego_eval_opts eo = {
        .input = input,
        .strict_builtin_errors = vbool(cs, "strict_error"),
        .max_steps = 50000000,
        .timeout_ms = 20000,
        .print = print_sink,
        .print_ud = &c->verbose,
    };
    collect col = {a, val_arr_new(a, 4), 0};
    if (!col.list || rego_query_eval(q, a, &eo, on_result, &col, &e)) {
        if (!col.list) gh_err_set(&e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        set_err(out, &e);
        goto done;
    }
    out->results = col.list;
done:
    (void)file;
    rego_policy_free(p);
}

static bool results_match(gh_arena *a, val_t *want, val_t *got, bool sorted) {
    size_t nw = want && val_kind_of(want) == VAL_ARRAY ? val_arr_len(want) : 0;
    size_t ng = val_arr_len(got);
    if (nw != ng) return false;
    bool *used = gh_arena_calloc(a, ng + 1);
    if (!used) return false;
    for (size_t i = 0; i < nw; i++) {
        val_t *w = val_arr_at(want, i);
        if (sorted) w = sort_bindings(a, w);
        bool found = false;
        for (size_t j = 0; j < ng && !found; j++) {
            if (used[j]) continue;
            val_t *g = val_arr_at(got, j);
            if (sorted) g = sort_bindings(a, g);
            if (w && g && val_equal(w, g)) used[j] = found = true;
        }
        if (!found) return false;
    }
    return true;
}

static const char *reason_for(gh_arena *a, const outcome *o, const char *expect) {
    if (o->err) {
        const char *u = strstr(o->text, "undefined function ");
        if (u && !strstr(o->text, "undefined function data.")) {
            u += strlen("undefined function ");
            size_t n = strcspn(u, " \n");
            return gh_arena_printf(a, "builtin %.*s is not provided by this build", (int)n, u);
        }
        return gh_arena_printf(a, "fails: got error %.150s (want %.100s)", o->text, expect);
    }
    char *got = val_to_json(a, o->results, 0);
    return gh_arena_printf(a, "fails: got %.150s (want %.100s)", got ? got : "?", expect);
}

static void one_case(conf *c, const char *path, const char *rel, const val_t *cs, rego_version ver) {
    const char *note = vstr(cs, "note");
    if (!note) note = "";
    if (c->run && !strstr(note, c->run)) return;
    skip_ent *sk = c->write_skips ? NULL : find_skip(c, rel, note);
    if (sk) {
        sk->used = true;
        c->skipped++;
        if (c->verbose > 1) printf("SKIP %s: %s (%s)\n", rel, note, sk->reason);
        return;
    }
    if (vbool(cs, "skip")) {
        c->skipped++;
        return;
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    outcome o;
    run_case(c, &a, path, cs, ver, &o);
    const char *want_code = vstr(cs, "want_error_code");
    const char *want_err = vstr(cs, "want_error");
    val_t *want_defined = vget(cs, "want_defined");
    bool ok;
    char expect[512];
    if (want_code || want_err) {
        ok = o.err && (!want_code || !strcmp(o.code, want_code)) &&
             (!want_err || strstr(o.text, want_err));
        snprintf(expect, sizeof expect, "error %s: %s", want_code ? want_code : "*",
                 want_err ? want_err : "*");
    } else if (o.err) {
        ok = false;
        val_t *wr = vget(cs, "want_result");
        char *wj = wr ? val_to_json(&a, wr, 0) : NULL;
        snprintf(expect, sizeof expect, "%.400s", wj ? wj : "undefined");
    } else if (want_defined && val_kind_of(want_defined) == VAL_BOOL) {
        ok = (val_arr_len(o.results) > 0) == want_defined->u.b;
        snprintf(expect, sizeof expect, "defined=%s", want_defined->u.b ? "true" : "false");
    } else {
        val_t *wr = vget(cs, "want_result");
        ok = results_match(&a, wr, o.results, vbool(cs, "sort_bindings"));
        char *wj = wr ? val_to_json(&a, wr, 0) : NULL;
        snprintf(expect, sizeof expect, "%.400s", wj ? wj : "undefined");
    }
    if (ok) {
        c->passed++;
        if (c->verbose > 1) printf("PASS %s: %s\n", rel, note);
    } else {
        c->failed++;
        if (c->verbose) {
            char *got = o.err ? o.text : val_to_json(&a, o.results, 0);
            printf("FAIL %s: %s\n  want: %s\n  got:  %s%s\n  rerun: %s conformance -vv --run '%s' %s\n",
                   rel, note, expect, o.err ? "error " : "", got ? got : "?", c->argv0, note,
                   path);
        }
        if (c->write_skips &&
            add_ent(&c->fails, &c->nfails, &c->capfails, rel, note, reason_for(&a, &o, expect)))
            fprintf(stderr, "gatehouse: out of memory\n");
    }
    gh_arena_free(&a);
}

static void run_file(conf *c, const char *path, const char *rel) {
    char *text;
    size_t n;
    gh_err e;
    if (gh_read_file(path, 64u << 20, &text, &n, &e)) {
        cli_print_err(&e);
        c->failed++;
        return;
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t **docs = NULL;
    size_t ndocs = 0;
    if (val_yaml_load(&a, text, n, NULL, &docs, &ndocs, &e)) {
        gh_err_set_file(&e, path);
        cli_print_err(&e);
        c->failed++;
    } else if (ndocs) {
        val_t *cases = vget(docs[0], "cases");
        rego_version ver = strstr(rel, "/v0/") || !strncmp(rel, "v0/", 3) ? REGO_V0 : REGO_V1;
        for (size_t i = 0; cases && val_kind_of(cases) == VAL_ARRAY && i < val_arr_len(cases); i++)
            one_case(c, path, rel, val_arr_at(cases, i), ver);
    }
    gh_arena_free(&a);
    gh_free(text);
}

static bool has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* Walk `path` (file or directory); `rel` is its name relative to the root's parent. */
static void walk(conf *c, const char *path, const char *rel) {
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "gatehouse: %s: cannot stat\n", path);
        c->failed++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (has_suffix(path, ".yaml") || has_suffix(path, ".yml")) run_file(c, path, rel);
        return;
    }
    char **names;
    size_t n;
    if (gh_dir_names(path, &names, &n)) return;
    for (size_t i = 0; i < n; i++) {
        size_t lp = strlen(path) + strlen(names[i]) + 2, lr = strlen(rel) + strlen(names[i]) + 2;
        char *sub = gh_malloc(lp), *subrel = gh_malloc(lr);
        if (sub && subrel) {
            snprintf(sub, lp, "%s/%s", path, names[i]);
            snprintf(subrel, lr, "%s/%s", rel, names[i]);
            walk(c, sub, subrel);
        }
        gh_free(sub);
        gh_free(subrel);
    }
    gh_dir_names_free(names, n);
}

static int write_skips(conf *c) {
    FILE *f = fopen(c->write_skips, "w");
    if (!f) {
        fprintf(stderr, "gatehouse: cannot write %s\n", c->write_skips);
        return -1;
    }
    fprintf(f, "# Conformance cases not expected to pass yet: path<TAB>note<TAB>reason.\n"
               "# Regenerate with `gatehouse conformance --write-skips FILE DIR...` and keep\n"
               "# hand-written reasons; the list may only shrink.\n");
    for (size_t i = 0; i < c->nfails; i++) {
        skip_ent *old = find_skip(c, c->fails[i].path, c->fails[i].note);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = !strcmp(c->fails[j].path, c->fails[i].path) &&
                  !strcmp(c->fails[j].note, c->fails[i].note);
        if (dup) continue;
        const char *reason = old && strncmp(old->reason, "fails: ", 7) ? old->reason : c->fails[i].reason;
        /* keep the file one line per entry */
        char *r = gh_strndup(reason, strlen(reason));
        for (char *q = r; q && *q; q++)
            if (*q == '\n' || *q == '\t') *q = ' ';
        fprintf(f, "%s\t%s\t%s\n", c->fails[i].path, c->fails[i].note, r ? r : "");
        gh_free(r);
    }
    fclose(f);
    return 0;
}

static void usage(FILE *f) {
    fprintf(f, "usage: gatehouse conformance [-v|-vv] [--run NOTE] [--skips FILE]\n"
               "                             [--write-skips FILE] DIR|FILE...\n"
               "Runs OPA YAML conformance cases; prints failures (-v) and\n"
               "`N passed, N failed, N skipped`. Exit 1 when a case fails.\n");
}

int cli_conformance(int argc, char **argv) {
    conf c = {0};
    c.argv0 = "gatehouse"; /* re-run hints name the installed command */
    const char *skips = NULL;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "-v")) {
            c.verbose = 1;
        } else if (!strcmp(a, "-vv")) {
            c.verbose = 2;
        } else if (!strcmp(a, "--run") && i + 1 < argc) {
            c.run = argv[++i];
        } else if (!strcmp(a, "--skips") && i + 1 < argc) {
            skips = argv[++i];
        } else if (!strcmp(a, "--write-skips") && i + 1 < argc) {
            c.write_skips = argv[++i];
        } else if (a[0] == '-') {
            usage(stderr);
            return CLI_USAGE;
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (skips && load_skips(&c, skips)) return CLI_USAGE;
    for (; i < argc; i++) {
        char *root = gh_strndup(argv[i], strlen(argv[i]));
        if (!root) return CLI_USAGE;
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/') root[--n] = 0;
        const char *base = strrchr(root, '/');
        base = base ? base + 1 : root;
        walk(&c, root, base);
        gh_free(root);
    }
    if (c.write_skips && write_skips(&c)) return CLI_USAGE;
    printf("%ld passed, %ld failed, %ld skipped\n", c.passed, c.failed, c.skipped);
    free_ents(c.skips, c.nskips);
    free_ents(c.fails, c.nfails);
    return c.failed ? CLI_FAIL : CLI_OK;
}
