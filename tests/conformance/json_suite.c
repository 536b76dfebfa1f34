/* json_suite.c - runs JSONTestSuite's test_parsing files through
 * val_json_parse: y_ files must parse, n_ files must be rejected with a
 * positioned message, i_ files must do what json_i_choices.txt records.
 * Every accepted file also goes parse -> val_to_json -> parse -> val_equal.
 * Usage: json_suite DIR [CHOICES] (CHOICES defaults to
 * tests/conformance/json_i_choices.txt, relative to the working directory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/value.h"

#define MAX_CHOICES 256

typedef struct choice {
    char file[128];
    int accept;
    int seen;
} choice;

static choice choices[MAX_CHOICES];
static int nchoices;

static int load_choices(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "json_suite: cannot open %s\n", path);
        return -1;
    }
    char line[512];
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n') continue;
        char name[128], verdict[16];
        if (sscanf(line, "%127s %15s", name, verdict) != 2 ||
            (strcmp(verdict, "accept") && strcmp(verdict, "reject")) || nchoices == MAX_CHOICES) {
            fprintf(stderr, "json_suite: %s:%d: expected '<file> accept|reject <reason>'\n", path,
                    ln);
            fclose(f);
            return -1;
        }
        snprintf(choices[nchoices].file, sizeof choices[nchoices].file, "%s", name);
        choices[nchoices].accept = !strcmp(verdict, "accept");
        nchoices++;
    }
    fclose(f);
    return 0;
}

static choice *find_choice(const char *name) {
    for (int i = 0; i < nchoices; i++)
        if (!strcmp(choices[i].file, name)) return &choices[i];
    return NULL;
}

/* Parse, and on success check the emit/reparse round trip. Returns the
 * parse status; *why describes a round-trip failure (NULL when fine). */
static int run_one(const char *buf, size_t n, gh_err *e, const char **why) {
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *v;
    *why = NULL;
    int rc = val_json_parse(&a, buf, n, NULL, &v, e);
    if (rc == 0) {
        char *txt = val_to_json(&a, v, 0);
        val_t *w;
        gh_err e2;
        if (!txt)
            *why = "val_to_json failed";
        else if (val_json_parse(&a, txt, strlen(txt), NULL, &w, &e2))
            *why = "re-parse of output failed";
        else if (!val_equal(v, w))
            *why = "re-parsed value differs";
    } else if (!e->msg[0] || e->line <= 0 || e->col <= 0) {
        *why = "error without message or position";
    }
    gh_arena_free(&a);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: json_suite DIR [CHOICES]\n");
        return 2;
    }
    const char *dir = argv[1];
    if (load_choices(argc == 3 ? argv[2] : "tests/conformance/json_i_choices.txt")) return 2;
    char **names;
    size_t nnames;
    if (gh_dir_names(dir, &names, &nnames)) {
        fprintf(stderr, "json_suite: cannot open %s\n", dir);
        return 2;
    }

    int passed = 0, failed = 0, acc_y = 0, rej_n = 0, acc_i = 0, rej_i = 0;
    for (size_t i = 0; i < nnames; i++) {
        const char *nm = names[i];
        if (strlen(nm) < 3 || nm[1] != '_' || !strchr("yni", nm[0])) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        char *buf;
        size_t n;
        gh_err e;
        if (gh_read_file(path, 64u << 20, &buf, &n, &e)) {
            printf("FAIL %s: cannot read: %s\n", nm, e.msg);
            failed++;
            continue;
        }
        const char *why;
        gh_err_clear(&e);
        int rc = run_one(buf, n, &e, &why);
        gh_free(buf);
        int want_accept;
        const char *kind;
        if (nm[0] == 'y') {
            want_accept = 1;
            kind = "y_ must parse";
        } else if (nm[0] == 'n') {
            want_accept = 0;
            kind = "n_ must be rejected";
        } else {
            choice *c = find_choice(nm);
            if (!c) {
                printf("FAIL %s: no entry in the i_ choices table (parser %s it)\n", nm,
                       rc == 0 ? "accepts" : "rejects");
                failed++;
                continue;
            }
            c->seen = 1;
            want_accept = c->accept;
            kind = c->accept ? "i_ recorded as accept" : "i_ recorded as reject";
        }
        if ((rc == 0) != want_accept) {
            if (rc == 0)
                printf("FAIL %s: %s, but it parsed\n", nm, kind);
            else
                printf("FAIL %s: %s, but: %d:%d: %s\n", nm, kind, e.line, e.col, e.msg);
            failed++;
        } else if (why) {
            printf("FAIL %s: %s\n", nm, why);
            failed++;
        } else {
            passed++;
            if (nm[0] == 'y')
                acc_y++;
            else if (nm[0] == 'n')
                rej_n++;
            else if (rc == 0)
                acc_i++;
            else
                rej_i++;
        }
    }
    for (int i = 0; i < nchoices; i++)
        if (!choices[i].seen)
            printf("note: choices table names missing file %s\n", choices[i].file);
    gh_dir_names_free(names, nnames);
    printf("y_ parsed %d, n_ rejected %d, i_ accepted %d, i_ rejected %d\n", acc_y, rej_n, acc_i,
           rej_i);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
