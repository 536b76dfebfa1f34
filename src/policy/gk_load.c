/* gk_load.c - loads a directory (or file) of Gatekeeper objects into a
 * pol_gk: every .yaml/.yml/.json file is read (recursively, in lexical
 * order), ConstraintTemplates are added first, then Constraints; other
 * objects (samples, suites, kustomizations) are ignored. Used by the server
 * and the CLI to set up admission. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/gk_int.h"

#define GK_LOAD_MAX_DEPTH 32

typedef struct gk_doc {
    const val_t *v;
    const char *file;
} gk_doc;

typedef struct loader {
    gh_arena a;
    gk_doc *docs;
    size_t n, cap;
} loader;

static bool has_ext(const char *p) {
    size_t n = strlen(p);
    return (n > 5 && !strcmp(p + n - 5, ".yaml")) || (n > 4 && !strcmp(p + n - 4, ".yml")) ||
           (n > 5 && !strcmp(p + n - 5, ".json"));
}

static int load_file(loader *l, const char *path, gh_err *e) {
    char *text;
    size_t len;
    int rc = gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, e);
    if (rc) return rc;
    val_t **docs;
    size_t nd;
    rc = val_yaml_load(&l->a, text, len, NULL, &docs, &nd, e);
    gh_free(text);
    if (rc) {
        gh_err_set_file(e, path);
        return rc;
    }
    const char *file = gh_arena_strndup(&l->a, path, strlen(path));
    if (!file) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nd; i++) {
        if (l->n == l->cap) {
            size_t ncap = l->cap ? l->cap * 2 : 32;
            gk_doc *nd2 = gh_realloc(l->docs, ncap * sizeof *nd2);
            if (!nd2) return gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
            l->docs = nd2;
            l->cap = ncap;
        }
        l->docs[l->n++] = (gk_doc){docs[i], file};
    }
    return 0;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int walk(loader *l, const char *path, int depth, bool top, gh_err *e) {
    struct stat st;
    if (stat(path, &st))
        return gh_err_set(e, GH_EIO, path, 0, 0, "no such file or directory");
    if (!S_ISDIR(st.st_mode)) return top || has_ext(path) ? load_file(l, path, e) : 0;
    if (depth > GK_LOAD_MAX_DEPTH)
        return gh_err_set(e, GH_ELIMIT, path, 0, 0, "directories nested too deeply");
    DIR *d = opendir(path);
    if (!d) return gh_err_set(e, GH_EIO, path, 0, 0, "cannot open directory");
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = gh_realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            names = nn;
        }
        char *full = gh_arena_printf(&l->a, "%s/%s", path, de->d_name);
        if (!full) rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        else names[n++] = full;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; !rc && i < n; i++) rc = walk(l, names[i], depth + 1, false, e);
    gh_free(names);
    return rc;
}

int pol_gk_load_path(pol_gk *g, const char *path, size_t *ntemplates, size_t *nconstraints,
                     gh_err *e) {
    loader l = {0};
    gh_arena_init(&l.a, 0);
    size_t nt = 0, nc = 0;
    int rc = walk(&l, path, 0, true, e);
    for (int pass = 0; !rc && pass < 2; pass++) {
        for (size_t i = 0; !rc && i < l.n; i++) {
            const val_t *v = l.docs[i].v;
            const char *kind = gk_get_str(v, "kind"), *apiv = gk_get_str(v, "apiVersion");
            if (!kind || !apiv) continue;
            if (pass == 0 && !strcmp(kind, "ConstraintTemplate") &&
                !strncmp(apiv, "templates.gatekeeper.sh/", 24)) {
                rc = pol_gk_add_template(g, v, l.docs[i].file, e);
                nt++;
            } else if (pass == 1 && !strncmp(apiv, "constraints.gatekeeper.sh/", 26)) {
                rc = pol_gk_add_constraint(g, v, l.docs[i].file, e);
                nc++;
            }
        }
    }
    gh_free(l.docs);
    gh_arena_free(&l.a);
    if (ntemplates) *ntemplates = nt;
    if (nconstraints) *nconstraints = nc;
    return rc;
}
