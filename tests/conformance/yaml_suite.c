/* yaml_suite.c - runs the yaml-test-suite (../shared/corpora/yaml-test-suite)
 * through val_yaml_load. Usage: yaml_suite DIR [SKIPFILE]
 * Each case dir (or its 00, 01, ... subdirs) holds in.yaml and either in.json
 * (the expected documents, possibly several concatenated) or an `error`
 * marker (must be rejected). Cases with neither must load without error.
 * SKIPFILE lines are "<case-id> <reason>"; skipped cases still run, and a
 * skipped case that would pass is reported as a stale skip (a failure), so
 * the list stays true. Prints every skip and failure, then
 * "N passed, N failed, N skipped"; exits 1 on any failure.
 *
 * Comparison: documents whose value is null are left out on both sides,
 * because the loader drops empty documents (as kubectl does) while the
 * suite's JSON writes them as null; everything else compares with val_equal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "value/value.h"

#define MAX_CASES 2048

typedef struct skip {
    char id[64];
    char reason[256];
    int used;
} skip;

static skip skips[MAX_CASES];
static int nskips;

static int exists(const char *dir, const char *name) {
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) return 0;
    return stat(path, &st) == 0;
}

/* Sorted subdirectory names of dir (free with gh_dir_names_free); returns
 * the count, or -1 when dir cannot be read. */
static int list_dirs(const char *dir, char ***out) {
    char **v;
    size_t n, k = 0;
    if (gh_dir_names(dir, &v, &n)) return -1;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof(path), "%s/%s", dir, v[i]) >= (int)sizeof(path) ||
            stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
            gh_free(v[i]);
            continue;
        }
        v[k++] = v[i];
    }
    if (!k) {
        gh_free(v);
        v = NULL;
    }
    *out = v;
    return (int)k;
}

static void free_list(char **v, int n) { gh_dir_names_free(v, n > 0 ? (size_t)n : 0); }

static int load_skips(const char *path) {
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) {
        fprintf(stderr, "yaml_suite: cannot open %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        line[strcspn(line, "\n")] = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#') continue;
        if (nskips == MAX_CASES) break;
        size_t idn = strcspn(p, " \t");
        skip *s = &skips[nskips++];
        snprintf(s->id, sizeof(s->id), "%.*s", (int)idn, p);
        p += idn;
        while (*p == ' ' || *p == '\t')
            p++;
        snprintf(s->reason, sizeof(s->reason), "%s", p);
        if (!*s->reason) {
            fprintf(stderr, "yaml_suite: skip %s has no reason\n", s->id);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static skip *find_skip(const char *id) {
    for (int i = 0; i < nskips; i++)
        if (strcmp(skips[i].id, id) == 0) return &skips[i];
    return NULL;
}

/* Split concatenated JSON texts and parse each; nulls are dropped. */
static int parse_expected(gh_arena *a, const char *p, size_t n, val_t ***out, size_t *nout,
                          gh_err *e) {
    size_t cap = 8, k = 0, i = 0;
    val_t **v = gh_arena_alloc(a, cap * sizeof(val_t *));
    if (!v) return GH_ENOMEM;
    for (;;) {
        while (i < n && strchr(" \t\r\n", p[i]))
            i++;
        if (i >= n) break;
        size_t start = i;
        if (p[i] == '{' || p[i] == '[') {
            int depth = 0, instr = 0;
            for (; i < n; i++) {
                char c = p[i];
                if (instr) {
                    if (c == '\\')
                        i++;
                    else if (c == '"')
                        instr = 0;
                } else if (c == '"') {
                    instr = 1;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        i++;
                        break;
                    }
                }
            }
        } else if (p[i] == '"') {
            for (i++; i < n && p[i] != '"'; i++)
                if (p[i] == '\\') i++;
            i++;
        } else {
            while (i < n && !strchr(" \t\r\n{[\"", p[i]))
                i++;
        }
        if (i > n) i = n;
        val_t *doc;
        int rc = val_json_parse(a, p + start, i - start, NULL, &doc, e);
        if (rc) return rc;
        if (val_kind_of(doc) == VAL_NULL) continue;
        if (k == cap) {
            v = gh_arena_realloc(a, v, cap * sizeof(val_t *), cap * 2 * sizeof(val_t *));
            if (!v) return GH_ENOMEM;
            cap *= 2;
        }
        v[k++] = doc;
    }
    *out = v;
    *nout = k;
    return 0;
}

/* Runs one case; returns 1 pass, 0 fail (why in msg). */
static int run_case(const char *dir, char *msg, size_t msgsz) {
    char path[4096], *yaml = NULL, *json = NULL;
    size_t ylen, jlen;
    gh_err e;
    gh_arena a;
    int ok = 0;
    gh_err_clear(&e);
    gh_arena_init(&a, 256u << 20);
    if (snprintf(path, sizeof(path), "%s/in.yaml", dir) >= (int)sizeof(path)) {
        snprintf(msg, msgsz, "path too long");
        goto out;
    }
    if (gh_read_file(path, 1u << 26, &yaml, &ylen, &e)) {
        snprintf(msg, msgsz, "cannot read in.yaml: %s", e.msg);
        goto out;
    }
    val_t **docs;
    size_t ndocs;
    int rc = val_yaml_load(&a, yaml, ylen, NULL, &docs, &ndocs, &e);
    char ebuf[700];
    gh_err_format(&e, ebuf, sizeof(ebuf));
    if (exists(dir, "error")) {
        if (rc == 0)
            snprintf(msg, msgsz, "accepted YAML the suite says is invalid");
        else
            ok = 1;
        goto out;
    }
    if (rc != 0) {
        snprintf(msg, msgsz, "rejected: %s", ebuf);
        goto out;
    }
    if (!exists(dir, "in.json")) {
        ok = 1; /* no JSON form in the suite: loading without error is the test */
        goto out;
    }
    if (snprintf(path, sizeof(path), "%s/in.json", dir) >= (int)sizeof(path)) {
        snprintf(msg, msgsz, "path too long");
        goto out;
    }
    if (gh_read_file(path, 1u << 26, &json, &jlen, &e)) {
        snprintf(msg, msgsz, "cannot read in.json: %s", e.msg);
        goto out;
    }
    val_t **want;
    size_t nwant, ngot = 0;
    if (parse_expected(&a, json, jlen, &want, &nwant, &e)) {
        snprintf(msg, msgsz, "cannot parse in.json: %s", e.msg);
        goto out;
    }
    val_t **got = gh_arena_alloc(&a, (ndocs + 1) * sizeof(val_t *));
    for (size_t i = 0; got && i < ndocs; i++)
        if (val_kind_of(docs[i]) != VAL_NULL) got[ngot++] = docs[i];
    if (!got) {
        snprintf(msg, msgsz, "out of memory");
        goto out;
    }
    if (ngot != nwant) {
        snprintf(msg, msgsz, "%zu non-null documents, expected %zu", ngot, nwant);
        goto out;
    }
    for (size_t i = 0; i < ngot; i++) {
        if (!val_equal(got[i], want[i])) {
            char *g = val_to_json(&a, got[i], VAL_JSON_SORTED);
            char *w = val_to_json(&a, want[i], VAL_JSON_SORTED);
            snprintf(msg, msgsz, "document %zu: got %.200s, expected %.200s", i + 1, g ? g : "?",
                     w ? w : "?");
            goto out;
        }
    }
    ok = 1;
out:
    gh_free(yaml);
    gh_free(json);
    gh_arena_free(&a);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: yaml_suite DIR [SKIPFILE]\n");
        return 2;
    }
    if (argc == 3 && load_skips(argv[2])) return 2;
    char **names;
    int nnames = list_dirs(argv[1], &names);
    if (nnames <= 0) {
        fprintf(stderr, "yaml_suite: no cases in %s\n", argv[1]);
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < nnames; i++) {
        char dir[4096];
        if (snprintf(dir, sizeof(dir), "%s/%s", argv[1], names[i]) >= (int)sizeof(dir)) continue;
        char **subs = NULL;
        int nsubs = 0;
        if (!exists(dir, "in.yaml")) {
            nsubs = list_dirs(dir, &subs);
            if (nsubs <= 0) continue; /* not a case (e.g. License) */
        }
        for (int j = 0; j < (nsubs ? nsubs : 1); j++) {
            char id[128], cdir[4096], msg[1024] = "";
            if (nsubs) {
                if (snprintf(id, sizeof(id), "%s/%s", names[i], subs[j]) >= (int)sizeof(id) ||
                    snprintf(cdir, sizeof(cdir), "%s/%s", dir, subs[j]) >= (int)sizeof(cdir) ||
                    !exists(cdir, "in.yaml"))
                    continue;
            } else {
                if (snprintf(id, sizeof(id), "%s", names[i]) >= (int)sizeof(id)) continue;
                memcpy(cdir, dir, sizeof(dir));
            }
            int ok = run_case(cdir, msg, sizeof(msg));
            skip *s = find_skip(id);
            if (s) {
                s->used = 1;
                if (ok) {
                    printf("STALE %s: skipped (%s) but passes; remove it from the skip list\n", id,
                           s->reason);
                    failed++;
                } else {
                    printf("SKIP %s: %s\n", id, s->reason);
                    skipped++;
                }
            } else if (ok) {
                passed++;
            } else {
                printf("FAIL %s: %s\n", id, msg);
                failed++;
            }
        }
        free_list(subs, nsubs);
    }
    free_list(names, nnames);
    for (int i = 0; i < nskips; i++) {
        if (!skips[i].used) {
            printf("UNKNOWN skip entry %s (no such case)\n", skips[i].id);
            failed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
