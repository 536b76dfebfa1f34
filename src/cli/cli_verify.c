/* cli_verify.c - `gatehouse verify PATH...`, compatible with `gator verify`:
 * finds Suite files (test.gatekeeper.sh/v1alpha1, kind Suite) under the
 * paths, loads each test's template and constraint into a pol_gk, reviews
 * every case's object with its inventory and checks the assertions
 * (violations yes/no/N, optional message regex). Paths in a suite are
 * relative to the suite file. Exit 1 when anything failed. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "policy/policy.h"

typedef struct vctx {
    bool quiet;
    long passed, failed, skipped;
    gh_buf out;
} vctx;

/* Every YAML document of a file. */
static int load_docs(gh_arena *a, const char *path, val_t ***docs, size_t *n, gh_err *e) {
    char *text;
    size_t len;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, e);
    if (rc) return rc;
    rc = val_yaml_load(a, text, len, NULL, docs, n, e);
    gh_free(text);
    if (rc) gh_err_set_file(e, path);
    return rc;
}

/* Exactly one object from a file. */
static int load_one(gh_arena *a, const char *path, const val_t **out, gh_err *e) {
    val_t **docs;
    size_t n;
    int rc = load_docs(a, path, &docs, &n, e);
    if (rc) return rc;
    if (n != 1 || val_kind_of(docs[0]) != VAL_OBJECT)
        return gh_err_set(e, GH_EINVAL, path, 0, 0, "expected exactly one object, found %zu "
                          "document(s)", n);
    *out = docs[0];
    return 0;
}

static const char *join(gh_arena *a, const char *dir, const char *rel) {
    if (rel[0] == '/') return rel;
    return gh_arena_printf(a, "%s/%s", dir, rel);
}

static const char *vstr(const val_t *o, const char *k) {
    const val_t *v = o && val_kind_of(o) == VAL_OBJECT ? val_obj_get_str(o, k, strlen(k)) : NULL;
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}
static const val_t *vget(const val_t *o, const char *k) {
    return o && val_kind_of(o) == VAL_OBJECT ? val_obj_get_str(o, k, strlen(k)) : NULL;
}
static bool vtrue(const val_t *o, const char *k) {
    const val_t *v = vget(o, k);
    return v && val_kind_of(v) == VAL_BOOL && v->u.b;
}

/* Check one assertion against the results; NULL when it holds, else a
 * reason in `a`. */
static const char *check_assertion(gh_arena *a, const val_t *as, const pol_gk_result *res) {
    const char *msg_re = vstr(as, "message");
    const val_t *want = vget(as, "violations");
    pcre2_code *re = NULL;
    if (msg_re) {
        int err;
        PCRE2_SIZE off;
        re = pcre2_compile((PCRE2_SPTR)msg_re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
        if (!re) return gh_arena_printf(a, "invalid message regex %s", msg_re);
    }
    long matching = 0;
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    for (size_t i = 0; i < res->n; i++) {
        if (!re) {
            matching++;
            continue;
        }
        if (md && pcre2_match(re, (PCRE2_SPTR)res->v[i].msg, strlen(res->v[i].msg), 0, 0, md,
                              NULL) >= 0)
            matching++;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    /* violations: yes (default) | no | N; YAML may give yes/no as booleans */
    long exact = -1;
    bool yes = true;
    if (want) {
        int64_t n;
        if (val_kind_of(want) == VAL_BOOL) yes = want->u.b;
        else if (val_is_str(want) && !strcmp(val_str_ptr(want), "yes")) yes = true;
        else if (val_is_str(want) && !strcmp(val_str_ptr(want), "no")) yes = false;
        else if (val_kind_of(want) == VAL_NUMBER && val_num_to_int64(want, &n) && n >= 0)
            exact = (long)n;
        else if (val_is_str(want) && strspn(val_str_ptr(want), "0123456789") == val_str_len(want) &&
                 val_str_len(want) > 0)
            exact = atol(val_str_ptr(want));
        else
            return "assertion: violations must be yes, no or a number";
    }
    const char *what = msg_re ? gh_arena_printf(a, " matching message %s", msg_re) : "";
    if (exact >= 0 && matching != exact)
        return gh_arena_printf(a, "got %ld violations%s, want %ld", matching, what, exact);
    if (exact < 0 && yes && matching == 0)
        return gh_arena_printf(a, "got 0 violations%s, want at least 1", what);
    if (exact < 0 && !yes && matching != 0)
        return gh_arena_printf(a, "got %ld violations%s, want none", matching, what);
    return NULL;
}

static void list_violations(gh_buf *b, const pol_gk_result *res) {
    for (size_t i = 0; i < res->n && i < 10; i++)
        gh_buf_printf(b, "\n        [%s] %s", res->v[i].constraint_name, res->v[i].msg);
}

/* Run one case; returns the failure text (in a) or NULL. */
static const char *run_case(pol_gk *g, gh_arena *a, const char *dir, const val_t *cs) {
    gh_err e = {0};
    const char *objp = vstr(cs, "object");
    if (!objp) return "case has no object";
    pol_gk_clear_inventory(g);
    const val_t *inv = vget(cs, "inventory");
    for (size_t i = 0; inv && val_kind_of(inv) == VAL_ARRAY && i < val_arr_len(inv); i++) {
        const val_t *p = val_arr_at(inv, i);
        if (!val_is_str(p)) return "inventory entries must be file paths";
        val_t **docs;
        size_t n;
        if (load_docs(a, join(a, dir, val_str_ptr(p)), &docs, &n, &e)) goto err;
        for (size_t j = 0; j < n; j++) {
            if (val_kind_of(docs[j]) != VAL_OBJECT) continue;
            const val_t *items = vget(docs[j], "items");
            const char *k = vstr(docs[j], "kind");
            if (k && strlen(k) > 4 && !strcmp(k + strlen(k) - 4, "List") && items &&
                val_kind_of(items) == VAL_ARRAY) {
                for (size_t m = 0; m < val_arr_len(items); m++)
                    if (pol_gk_add_inventory(g, val_arr_at(items, m), &e)) goto err;
            } else if (pol_gk_add_inventory(g, docs[j], &e)) {
                goto err;
            }
        }
    }
    const val_t *obj;
    if (load_one(a, join(a, dir, objp), &obj, &e)) goto err;
    pol_gk_result res;
    if (pol_gk_review(g, a, obj, NULL, &res, &e)) goto err;
    const val_t *asserts = vget(cs, "assertions");
    for (size_t i = 0; asserts && val_kind_of(asserts) == VAL_ARRAY && i < val_arr_len(asserts);
         i++) {
        const char *why = check_assertion(a, val_arr_at(asserts, i), &res);
        if (why) {
            gh_buf b;
            gh_buf_init(&b);
            gh_buf_printf(&b, "assertion %zu: %s", i + 1, why);
            list_violations(&b, &res);
            gh_buf_putc(&b, 0);
            const char *s = b.p ? gh_arena_strndup(a, b.p, b.len) : "out of memory";
            gh_buf_free(&b);
            return s ? s : "out of memory";
        }
    }
    return NULL;
err:;
    char buf[GH_ERR_MSG + GH_ERR_FILE + 32];
    gh_err_format(&e, buf, sizeof buf);
    const char *s = gh_arena_strndup(a, buf, strlen(buf));
    return s ? s : "out of memory";
}

/* Load a test's template and constraint; returns NULL or the error text. */
static const char *load_test(pol_gk *g, gh_arena *a, const char *dir, const val_t *t,
                             bool *constraint_failed) {
    gh_err e = {0};
    *constraint_failed = false;
    const char *tp = vstr(t, "template"), *cp = vstr(t, "constraint");
    if (!tp) return "test has no template";
    const val_t *tmpl, *con;
    const char *path = join(a, dir, tp);
    if (load_one(a, path, &tmpl, &e) || pol_gk_add_template(g, tmpl, path, &e)) goto err;
    if (cp) {
        path = join(a, dir, cp);
        if (load_one(a, path, &con, &e)) goto err;
        if (pol_gk_add_constraint(g, con, path, &e)) {
            *constraint_failed = true;
            goto err;
        }
    }
    return NULL;
err:;
    char buf[GH_ERR_MSG + GH_ERR_FILE + 32];
    gh_err_format(&e, buf, sizeof buf);
    const char *s = gh_arena_strndup(a, buf, strlen(buf));
    return s ? s : "out of memory";
}

static void dur(gh_buf *b, int64_t ns) { cli_go_duration(b, ns); }

/* Start a test of a suite or one of its cases (indent "" or "    "): its
 * SKIP line and NULL when it is skipped, else its RUN line and its name. */
static const char *begin_item(vctx *v, const val_t *item, const char *indent) {
    const char *name = vstr(item, "name");
    if (!name) name = "";
    if (vtrue(item, "skip")) {
        if (!v->quiet) gh_buf_printf(&v->out, "%s=== SKIP  %s\n", indent, name);
        v->skipped++;
        return NULL;
    }
    if (!v->quiet) gh_buf_printf(&v->out, "%s=== RUN   %s\n", indent, name);
    return name;
}

static int run_suite(vctx *v, const char *path, const val_t *suite) {
    char *dirbuf = strdup(path);
    if (!dirbuf) return GH_ENOMEM;
    char *slash = strrchr(dirbuf, '/');
    const char *dir = ".";
    if (slash) {
        *slash = 0;
        dir = dirbuf[0] ? dirbuf : "/";
    }
    int64_t t0 = gh_mono_ns();
    bool suite_failed = false;
    const val_t *tests = vget(suite, "tests");
    gh_buf *o = &v->out;
    gh_arena a;
    gh_arena_init(&a, 0);
    for (size_t i = 0; tests && val_kind_of(tests) == VAL_ARRAY && i < val_arr_len(tests); i++) {
        const val_t *t = val_arr_at(tests, i);
        int64_t ts = gh_mono_ns();
        const char *tname = begin_item(v, t, "");
        if (!tname) continue;
        pol_gk *g = pol_gk_new();
        bool cfail = false;
        gh_arena_reset(&a);
        const char *err = g ? load_test(g, &a, dir, t, &cfail) : "out of memory";
        bool invalid = vtrue(t, "invalid");
        bool test_failed = false, load_failed = false;
        if (invalid) {
            /* The constraint is expected to be rejected by the template. */
            if (!cfail) {
                err = err ? err : "constraint was expected to be invalid but was accepted";
                test_failed = load_failed = true;
            } else {
                err = NULL;
            }
        } else if (err) {
            test_failed = load_failed = true;
        }
        const val_t *cases = vget(t, "cases");
        for (size_t j = 0; !load_failed && !invalid && cases && val_kind_of(cases) == VAL_ARRAY &&
                           j < val_arr_len(cases);
             j++) {
            const val_t *cs = val_arr_at(cases, j);
            int64_t cs0 = gh_mono_ns();
            const char *cname = begin_item(v, cs, "    ");
            if (!cname) continue;
            gh_arena_reset(&a);
            const char *why = run_case(g, &a, dir, cs);
            if (why) {
                gh_buf_printf(o, "    --- FAIL: %s\t(", cname);
                dur(o, gh_mono_ns() - cs0);
                gh_buf_printf(o, ")\n        %s\n", why);
                v->failed++;
                test_failed = true;
            } else {
                if (!v->quiet) {
                    gh_buf_printf(o, "    --- PASS: %s\t(", cname);
                    dur(o, gh_mono_ns() - cs0);
                    gh_buf_puts(o, ")\n");
                }
                v->passed++;
            }
        }
        if (invalid && !test_failed) v->passed++;
        if (test_failed) {
            gh_buf_printf(o, "--- FAIL: %s\t(", tname);
            dur(o, gh_mono_ns() - ts);
            gh_buf_puts(o, ")\n");
            if (err) {
                gh_buf_printf(o, "    %s\n", err);
                v->failed++;
            }
            suite_failed = true;
        } else if (!v->quiet) {
            gh_buf_printf(o, "--- PASS: %s\t(", tname);
            dur(o, gh_mono_ns() - ts);
            gh_buf_puts(o, ")\n");
        }
        pol_gk_free(g);
    }
    gh_arena_free(&a);
    gh_buf_printf(o, "%s\t%s\t", suite_failed ? "FAIL" : "ok", path);
    dur(o, gh_mono_ns() - t0);
    gh_buf_putc(o, '\n');
    free(dirbuf);
    fwrite(o->p ? o->p : "", 1, o->len, stdout);
    fflush(stdout);
    gh_buf_reset(o);
    return 0;
}

/* A file is a suite when it parses to apiVersion test.gatekeeper.sh/... kind Suite. */
static int visit_file(vctx *v, const char *path) {
    size_t n = strlen(path);
    if (!(n > 5 && !strcmp(path + n - 5, ".yaml")) && !(n > 4 && !strcmp(path + n - 4, ".yml")))
        return 0;
    char *text;
    size_t len;
    gh_err e = {0};
    if (gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, &e)) {
        cli_print_err(&e);
        return GH_EIO;
    }
    bool maybe = memmem(text, len, "Suite", 5) && memmem(text, len, "test.gatekeeper.sh", 18);
    int rc = 0;
    if (maybe) {
        gh_arena a;
        gh_arena_init(&a, 0);
        val_t **docs;
        size_t nd;
        if (val_yaml_load(&a, text, len, NULL, &docs, &nd, &e) != 0) {
            /* a file naming a Suite that does not parse is a failure, not a skip */
            gh_err_set_file(&e, path);
            char buf[GH_ERR_MSG + GH_ERR_FILE + 32];
            printf("FAIL\t%s\n    %s\n", path, gh_err_format(&e, buf, sizeof buf));
            v->failed++;
        } else {
            for (size_t i = 0; i < nd; i++) {
                const char *k = vstr(docs[i], "kind"), *av = vstr(docs[i], "apiVersion");
                if (k && av && !strcmp(k, "Suite") && !strncmp(av, "test.gatekeeper.sh/", 19))
                    rc = run_suite(v, path, docs[i]);
            }
        }
        gh_arena_free(&a);
    }
    gh_free(text);
    return rc;
}

static int walk(vctx *v, const char *path, int depth) {
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "gatehouse verify: %s: no such file or directory\n", path);
        return GH_EIO;
    }
    if (!S_ISDIR(st.st_mode)) return visit_file(v, path);
    if (depth > 64) return 0;
    char **names;
    size_t n;
    int rc = gh_dir_names(path, &names, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        size_t pl = strlen(path);
        char *full = gh_malloc(pl + strlen(names[i]) + 2);
        if (!full) {
            rc = GH_ENOMEM;
            break;
        }
        sprintf(full, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", names[i]);
        int r = walk(v, full, depth + 1);
        if (r == GH_ENOMEM) rc = r;
        gh_free(full);
    }
    gh_dir_names_free(names, n);
    return rc;
}

int cli_verify(int argc, char **argv) {
    vctx v = {0};
    gh_buf_init(&v.out);
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: gatehouse verify [-q] PATH...\n\n"
                   "Run gator-style suites (suite.yaml, kind Suite) found under PATHs: each\n"
                   "test loads a ConstraintTemplate and a Constraint, each case reviews an\n"
                   "object (or AdmissionReview) with its inventory and checks the assertions.\n"
                   "  -q, --quiet   print only failures and one line per suite\n"
                   "Exit status: 0 all passed, 1 a test failed, 2 usage error.\n");
            return CLI_OK;
        }
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            v.quiet = true;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gatehouse verify: unknown option %s\n", argv[i]);
            return CLI_USAGE;
        }
        npaths++;
    }
    if (!npaths) {
        fprintf(stderr, "usage: gatehouse verify [-q] PATH...\n");
        return CLI_USAGE;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        int r = walk(&v, argv[i], 0);
        if (r) rc = r;
    }
    gh_buf_free(&v.out);
    printf("%s\n%ld passed, %ld failed", v.failed || rc ? "FAIL" : "PASS", v.passed, v.failed);
    if (v.skipped) printf(", %ld skipped", v.skipped);
    printf("\n");
    if (rc) return CLI_USAGE; /* missing path, unreadable file, out of memory */
    return v.failed ? CLI_FAIL : CLI_OK;
}
