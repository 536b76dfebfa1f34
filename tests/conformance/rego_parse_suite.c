/* rego_parse_suite.c - parse conformance of the Rego front end. Usage:
 * rego_parse_suite [-v] [--v0|--v1] PATH... Walks OPA conformance YAML (every
 * module/query/input_term must parse unless the case wants rego_parse_error;
 * `v0/` paths are v0), Gatekeeper ConstraintTemplates (targets[].rego/libs,
 * code[].source, v0 unless version v1) and .rego files; each parsed module
 * must print, re-parse and print identically. Ends with `N passed, N failed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rego/rego.h"
#include "value/value.h"

static int verbose, force_v0;
static long passed, failed, msg_mismatch;

static bool is_v0_path(const char *path) {
    return force_v0 || strstr(path, "/v0/") != NULL || !strncmp(path, "v0/", 3);
}

static const char *vstr(const val_t *o, const char *k) {
    if (!o || val_kind_of(o) != VAL_OBJECT) return NULL;
    val_t *v = val_obj_get_str(o, k, strlen(k));
    return v && val_is_str(v) ? val_str_ptr(v) : NULL;
}

static val_t *vget(const val_t *o, const char *k) {
    if (!o || val_kind_of(o) != VAL_OBJECT) return NULL;
    return val_obj_get_str(o, k, strlen(k));
}

/* Parse a module; on success check the print/parse/print round trip.
 * Returns 0 parsed, 1 parse error (err filled), 2 round-trip failure. */
static int parse_module_rt(const char *name, const char *src, size_t n, rego_version ver,
                           gh_err *err, char *detail, size_t dsz) {
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_parse_opts o = {.version = ver};
    rego_module *m = NULL;
    int rc = rego_parse_module(&a, name, src, n, &o, &m, err);
    if (rc) {
        gh_arena_free(&a);
        return 1;
    }
    gh_buf b1, b2;
    gh_buf_init(&b1);
    gh_buf_init(&b2);
    rego_module_print(&b1, m);
    rego_module *m2 = NULL;
    gh_err e2;
    int res = 0;
    if (rego_parse_module(&a, name, b1.p ? b1.p : "", b1.len, &o, &m2, &e2)) {
        char fm[700];
        snprintf(detail, dsz, "round trip: printed text does not parse: %s\n--- printed:\n%s",
                 gh_err_format(&e2, fm, sizeof fm), b1.p ? b1.p : "");
        res = 2;
    } else {
        rego_module_print(&b2, m2);
        if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len)) {
            snprintf(detail, dsz,
                     "round trip: second print differs\n--- first:\n%s\n--- second:\n%s",
                     b1.p ? b1.p : "", b2.p ? b2.p : "");
            res = 2;
        }
    }
    gh_buf_free(&b1);
    gh_buf_free(&b2);
    gh_arena_free(&a);
    return res;
}

static int parse_query_rt(const char *src, size_t n, rego_version ver, gh_err *err, char *detail,
                          size_t dsz) {
    gh_arena a;
    gh_arena_init(&a, 0);
    rego_parse_opts o = {.version = ver};
    rego_body *b = NULL;
    int rc = rego_parse_query(&a, "query", src, n, &o, &b, err);
    int res = rc ? 1 : 0;
    if (!rc) {
        gh_buf b1, b2;
        gh_buf_init(&b1);
        gh_buf_init(&b2);
        rego_body_print(&b1, b);
        rego_body *bb = NULL;
        gh_err e2;
        if (rego_parse_query(&a, "query", b1.p ? b1.p : "", b1.len, &o, &bb, &e2)) {
            snprintf(detail, dsz, "query round trip does not parse: %s (text %s)", e2.msg,
                     b1.p ? b1.p : "");
            res = 2;
        } else {
            rego_body_print(&b2, bb);
            if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len)) {
                snprintf(detail, dsz, "query round trip differs: %s vs %s", b1.p, b2.p ? b2.p : "");
                res = 2;
            }
        }
        gh_buf_free(&b1);
        gh_buf_free(&b2);
    }
    gh_arena_free(&a);
    return res;
}

static void fail(const char *where, const char *fmt, const char *a1, const char *a2) {
    failed++;
    printf("FAIL %s: ", where);
    printf(fmt, a1 ? a1 : "", a2 ? a2 : "");
    printf("\n");
}

static void run_case(const char *file, const val_t *c, rego_version ver) {
    const char *note = vstr(c, "note");
    char where[1024];
    snprintf(where, sizeof where, "%s [%s] (%s)", file, note ? note : "?",
             ver == REGO_V0 ? "v0" : "v1");
    const char *want = vstr(c, "want_error_code");
    bool want_parse_err = want && !strcmp(want, "rego_parse_error");
    const char *want_msg = vstr(c, "want_error");
    int nerr = 0;
    char firstmsg[GH_ERR_MSG + 64] = "";
    char detail[8192];
    bool rt_fail = false;
    val_t *mods = vget(c, "modules");
    if (mods && val_kind_of(mods) == VAL_ARRAY) {
        for (size_t i = 0; i < val_arr_len(mods); i++) {
            val_t *m = val_arr_at(mods, i);
            if (!val_is_str(m)) continue;
            char name[32];
            snprintf(name, sizeof name, "module%zu.rego", i);
            gh_err e;
            detail[0] = 0;
            int r = parse_module_rt(name, val_str_ptr(m), val_str_len(m), ver, &e, detail,
                                    sizeof detail);
            if (r == 1) {
                if (!nerr++) gh_err_format(&e, firstmsg, sizeof firstmsg);
            } else if (r == 2) {
                rt_fail = true;
                fail(where, "%s%s", detail, NULL);
            }
        }
    }
    const char *q = vstr(c, "query");
    if (q) {
        gh_err e;
        detail[0] = 0;
        int r = parse_query_rt(q, strlen(q), ver, &e, detail, sizeof detail);
        if (r == 1) {
            if (!nerr++) gh_err_format(&e, firstmsg, sizeof firstmsg);
        } else if (r == 2) {
            rt_fail = true;
            fail(where, "%s%s", detail, NULL);
        }
    }
    const char *it = vstr(c, "input_term");
    if (it) {
        gh_arena a;
        gh_arena_init(&a, 0);
        rego_parse_opts o = {.version = ver};
        rego_term *t;
        gh_err e;
        if (rego_parse_term(&a, it, strlen(it), &o, &t, &e) && !nerr++)
            gh_err_format(&e, firstmsg, sizeof firstmsg);
        gh_arena_free(&a);
    }
    if (rt_fail) return;
    if (want_parse_err && !nerr) {
        fail(where, "expected a parse error (%s), everything parsed", want_msg ? want_msg : "",
             NULL);
        return;
    }
    if (!want_parse_err && nerr) {
        fail(where, "unexpected parse error: %s%s", firstmsg, NULL);
        return;
    }
    if (want_parse_err && want_msg && !strstr(firstmsg, want_msg)) {
        msg_mismatch++;
        if (verbose)
            printf("NOTE %s: message differs: want %s, got %s\n", where, want_msg, firstmsg);
    }
    passed++;
    if (verbose > 1) printf("ok %s\n", where);
}

static void check_rego_text(const char *where, const char *src, size_t n, rego_version ver) {
    gh_err e;
    char detail[8192];
    detail[0] = 0;
    int r = parse_module_rt(where, src, n, ver, &e, detail, sizeof detail);
    if (r == 1) {
        char m[GH_ERR_MSG + 64];
        fail(where, "parse error: %s%s", gh_err_format(&e, m, sizeof m), NULL);
    } else if (r == 2) {
        fail(where, "%s%s", detail, NULL);
    } else {
        passed++;
        if (verbose > 1) printf("ok %s\n", where);
    }
}

static void check_libs(const char *where, const val_t *libs, rego_version ver) {
    if (!libs || val_kind_of(libs) != VAL_ARRAY) return;
    for (size_t i = 0; i < val_arr_len(libs); i++) {
        val_t *l = val_arr_at(libs, i);
        if (!val_is_str(l)) continue;
        char w[1100];
        snprintf(w, sizeof w, "%s lib %zu", where, i);
        check_rego_text(w, val_str_ptr(l), val_str_len(l), ver);
    }
}

static void run_template(const char *file, const val_t *doc) {
    val_t *targets = vget(vget(doc, "spec"), "targets");
    if (!targets || val_kind_of(targets) != VAL_ARRAY) return;
    for (size_t i = 0; i < val_arr_len(targets); i++) {
        val_t *t = val_arr_at(targets, i);
        char w[1024];
        const char *rego = vstr(t, "rego");
        if (rego) {
            snprintf(w, sizeof w, "%s targets[%zu].rego", file, i);
            check_rego_text(w, rego, strlen(rego), REGO_V0);
        }
        snprintf(w, sizeof w, "%s targets[%zu]", file, i);
        check_libs(w, vget(t, "libs"), REGO_V0);
        val_t *code = vget(t, "code");
        if (!code || val_kind_of(code) != VAL_ARRAY) continue;
        for (size_t j = 0; j < val_arr_len(code); j++) {
            val_t *cd = val_arr_at(code, j);
            const char *engine = vstr(cd, "engine");
            if (!engine || strcmp(engine, "Rego")) continue;
            val_t *srcv = vget(cd, "source");
            const char *ver = vstr(srcv, "version");
            rego_version rv = ver && !strcmp(ver, "v1") ? REGO_V1 : REGO_V0;
            const char *r = vstr(srcv, "rego");
            if (r) {
                snprintf(w, sizeof w, "%s targets[%zu].code[%zu].source.rego", file, i, j);
                check_rego_text(w, r, strlen(r), rv);
            }
            snprintf(w, sizeof w, "%s targets[%zu].code[%zu].source", file, i, j);
            check_libs(w, vget(srcv, "libs"), rv);
        }
    }
}

static void run_yaml(const char *path) {
    char *src;
    size_t n;
    gh_err e;
    if (gh_read_file(path, 64u << 20, &src, &n, &e)) {
        fail(path, "cannot read: %s%s", e.msg, NULL);
        return;
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t **docs;
    size_t nd;
    if (val_yaml_load(&a, src, n, NULL, &docs, &nd, &e)) {
        /* not every YAML file under a corpus is ours to judge */
        if (verbose) printf("skip %s: YAML error %s\n", path, e.msg);
        free(src);
        gh_arena_free(&a);
        return;
    }
    for (size_t d = 0; d < nd; d++) {
        val_t *doc = docs[d];
        val_t *cases = vget(doc, "cases");
        if (cases && val_kind_of(cases) == VAL_ARRAY) {
            rego_version ver = is_v0_path(path) ? REGO_V0 : REGO_V1;
            for (size_t i = 0; i < val_arr_len(cases); i++)
                run_case(path, val_arr_at(cases, i), ver);
        }
        const char *kind = vstr(doc, "kind");
        if (kind && !strcmp(kind, "ConstraintTemplate")) run_template(path, doc);
    }
    free(src);
    gh_arena_free(&a);
}

static void run_rego(const char *path) {
    char *src;
    size_t n;
    gh_err e;
    if (gh_read_file(path, 64u << 20, &src, &n, &e)) {
        fail(path, "cannot read: %s%s", e.msg, NULL);
        return;
    }
    check_rego_text(path, src, n, is_v0_path(path) ? REGO_V0 : REGO_V1);
    free(src);
}

static bool ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static void walk(const char *path) {
    struct stat st;
    if (stat(path, &st)) {
        fail(path, "cannot stat%s%s", NULL, NULL);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
            run_yaml(path);
        else if (ends_with(path, ".rego"))
            run_rego(path);
        return;
    }
    char **names;
    size_t nn;
    if (gh_dir_names(path, &names, &nn)) return;
    for (size_t i = 0; i < nn; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
        walk(sub);
    }
    gh_dir_names_free(names, nn);
}

int main(int argc, char **argv) {
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose++;
        } else if (!strcmp(argv[i], "--v0")) {
            force_v0 = 1;
        } else if (!strcmp(argv[i], "--v1")) {
            force_v0 = 0;
        } else {
            walk(argv[i]);
            npaths++;
        }
    }
    if (!npaths) {
        fprintf(stderr, "usage: rego_parse_suite [-v] [--v0|--v1] PATH...\n");
        return 2;
    }
    if (msg_mismatch)
        printf("(%ld expected parse errors with a different message; -v lists them)\n",
               msg_mismatch);
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
