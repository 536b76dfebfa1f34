/* policy_bench.c - Gatekeeper review throughput: loads every template and
 * constraint under a gatekeeper-library tree with pol_gk_load_path, collects
 * the sample objects (samples/<case>/example_*.yaml, inventory files left
 * out), then times pol_gk_review over all samples, once on one thread and
 * once on N threads sharing the compiled model (pol_gk_review is safe to run
 * concurrently after loading). Each review gets a freshly reset arena.
 * Usage: policy_bench [-t SECONDS] [-j THREADS] LIBRARY_DIR  (bench/policy.sh) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"

typedef struct samples {
    gh_arena a; /* owns every sample value and path */
    const val_t **v;
    size_t n, cap, nfiles;
} samples;

typedef struct worker {
    const pol_gk *g;
    const samples *s;
    double seconds;
    pthread_barrier_t *start;
    unsigned long long reviews, passes, violations, errors;
    double elapsed, cpu; /* wall and thread CPU seconds */
} worker;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_sample_file(samples *s, const char *path) {
    char *text;
    size_t len;
    gh_err e;
    val_t **docs;
    size_t nd;
    if (gh_read_file(path, GH_MAX_DOC_BYTES, &text, &len, &e)) {
        fprintf(stderr, "policy_bench: %s: %s\n", path, e.msg);
        return -1;
    }
    int rc = val_yaml_load(&s->a, text, len, NULL, &docs, &nd, &e);
    gh_free(text);
    if (rc) {
        fprintf(stderr, "policy_bench: %s:%d:%d: %s\n", path, e.line, e.col, e.msg);
        return -1;
    }
    s->nfiles++;
    for (size_t i = 0; i < nd; i++) {
        if (!docs[i] || val_kind_of(docs[i]) != VAL_OBJECT) continue;
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 64;
            const val_t **nv = realloc(s->v, ncap * sizeof *nv);
            if (!nv) return -1;
            s->v = nv;
            s->cap = ncap;
        }
        s->v[s->n++] = docs[i];
    }
    return 0;
}

/* Walks `path` in lexical order; files named example_*.yaml whose parent's
 * parent is a "samples" directory are samples unless their name says
 * "inventory". */
static int collect(samples *s, const char *path, int depth) {
    if (depth > 16) return 0;
    char **names;
    size_t n;
    int rc = gh_dir_names(path, &names, &n);
    if (rc == GH_EIO) return 0;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (size_t i = 0; i < n; i++) {
        char *full = NULL;
        if (!rc && asprintf(&full, "%s/%s", path, names[i]) < 0) full = NULL;
        struct stat st;
        if (!rc && full && !stat(full, &st)) {
            if (S_ISDIR(st.st_mode)) {
                rc = collect(s, full, depth + 1);
            } else {
                /* path = .../samples/<case>; check the grandparent name */
                size_t plen = (size_t)(base - path);
                bool in_samples = plen >= 9 && !strncmp(path + plen - 9, "/samples/", 9);
                size_t nl = strlen(names[i]);
                if (in_samples && !strncmp(names[i], "example_", 8) && nl > 5 &&
                    !strcmp(names[i] + nl - 5, ".yaml") && !strstr(names[i], "inventory"))
                    rc = add_sample_file(s, full);
            }
        }
        free(full);
    }
    gh_dir_names_free(names, n);
    return rc ? -1 : 0;
}

/* One pass over every sample; adds to w's counters. */
static void one_pass(worker *w, gh_arena *a) {
    for (size_t i = 0; i < w->s->n; i++) {
        pol_gk_result r;
        gh_err e;
        gh_arena_reset(a);
        if (pol_gk_review(w->g, a, w->s->v[i], NULL, &r, &e))
            w->errors++;
        else
            w->violations += r.n;
        w->reviews++;
    }
    w->passes++;
}

static void *run_worker(void *ud) {
    worker *w = ud;
    gh_arena a;
    gh_arena_init(&a, 0);
    if (w->start) pthread_barrier_wait(w->start);
    double t0 = now_s(), c0 = cpu_s(), t;
    do {
        one_pass(w, &a);
        t = now_s();
    } while (t - t0 < w->seconds);
    w->elapsed = t - t0;
    w->cpu = cpu_s() - c0;
    gh_arena_free(&a);
    return NULL;
}

int main(int argc, char **argv) {
    double seconds = 2.0;
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            nthreads = atol(argv[++i]);
        else
            dir = argv[i];
    }
    if (!dir || seconds <= 0) {
        fprintf(stderr, "usage: policy_bench [-t SECONDS] [-j THREADS] LIBRARY_DIR\n");
        return 2;
    }
    if (nthreads < 1) nthreads = 1;
    if (nthreads > 256) nthreads = 256;

    pol_gk *g = pol_gk_new();
    if (!g) return 2;
    size_t nt = 0, nc = 0;
    gh_err e;
    double t0 = now_s();
    if (pol_gk_load_path(g, dir, &nt, &nc, &e)) {
        fprintf(stderr, "policy_bench: load %s: %s:%d:%d: %s\n", dir, e.file, e.line, e.col, e.msg);
        pol_gk_free(g);
        return 1;
    }
    double tload = now_s() - t0;
    samples s = {0};
    gh_arena_init(&s.a, 0);
    int rc = collect(&s, dir, 0);
    if (rc || !s.n) {
        fprintf(stderr, "policy_bench: no samples under %s\n", dir);
        free(s.v);
        gh_arena_free(&s.a);
        pol_gk_free(g);
        return 1;
    }
    printf("policy_bench: %s\n", dir);
    printf("  templates %zu (loaded %zu), constraints %zu (loaded %zu), load %.1f ms\n", nt,
           pol_gk_ntemplates(g), nc, pol_gk_nconstraints(g), tload * 1e3);
    printf("  samples %zu objects from %zu files\n", s.n, s.nfiles);

    worker w1 = {.g = g, .s = &s, .seconds = seconds};
    run_worker(&w1);
    double rps1 = (double)w1.reviews / w1.elapsed;
    printf("  1 thread:   %10.0f reviews/s  %8.2f us/review  %8.2f cpu-us/review  (%llu passes, "
           "%llu violations and %llu errors per pass)\n",
           rps1, 1e6 / rps1, 1e6 * w1.cpu / (double)w1.reviews, w1.passes,
           w1.violations / w1.passes, w1.errors / w1.passes);

    worker *ws = calloc((size_t)nthreads, sizeof *ws);
    pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
    pthread_barrier_t bar;
    if (!ws || !tids || pthread_barrier_init(&bar, NULL, (unsigned)nthreads)) {
        fprintf(stderr, "policy_bench: out of memory\n");
        return 2;
    }
    long started = 0;
    for (long i = 0; i < nthreads; i++) {
        ws[i] = (worker){.g = g, .s = &s, .seconds = seconds, .start = &bar};
        if (i > 0 && pthread_create(&tids[i], NULL, run_worker, &ws[i])) break;
        started++;
    }
    if (started < nthreads) {
        fprintf(stderr, "policy_bench: could only start %ld threads\n", started);
        return 2; /* the barrier would never open */
    }
    run_worker(&ws[0]);
    unsigned long long total = ws[0].reviews, viol = ws[0].violations, passes = ws[0].passes;
    unsigned long long errs = ws[0].errors;
    double elapsed = ws[0].elapsed, cpu = ws[0].cpu;
    for (long i = 1; i < nthreads; i++) {
        pthread_join(tids[i], NULL);
        total += ws[i].reviews;
        viol += ws[i].violations;
        passes += ws[i].passes;
        errs += ws[i].errors;
        cpu += ws[i].cpu;
        if (ws[i].elapsed > elapsed) elapsed = ws[i].elapsed;
    }
    double rpsn = (double)total / elapsed;
    printf("  %ld threads: %10.0f reviews/s  %8.2f us/review/thread  %8.2f cpu-us/review  "
           "scaling %.2fx  (%llu passes, %llu violations and %llu errors per pass)\n",
           nthreads, rpsn, 1e6 * (double)nthreads / rpsn, 1e6 * cpu / (double)total, rpsn / rps1,
           passes, viol / passes, errs / passes);
    /* cpu-us/review counts thread CPU time: when it is well below the wall
     * us/review, other load on the machine took the cores, not the engine. */
    FILE *la = fopen("/proc/loadavg", "r");
    char lbuf[64] = "";
    if (la) {
        if (!fgets(lbuf, sizeof lbuf, la)) lbuf[0] = 0;
        fclose(la);
    }
    if (lbuf[0]) printf("  loadavg: %s", lbuf);
    int bad = viol / passes != w1.violations / w1.passes;
    if (bad) fprintf(stderr, "policy_bench: threads disagree on violations per pass\n");
    pthread_barrier_destroy(&bar);
    free(ws);
    free(tids);
    free(s.v);
    gh_arena_free(&s.a);
    pol_gk_free(g);
    return bad;
}
