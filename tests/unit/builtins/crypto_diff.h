/* crypto_diff.h - test helper for the crypto and JWT families: replays
 * tests/differential/<family>.expect (OPA 0.61's answers) calling the
 * builtins directly with the query clock set to the real time (OPA ran the
 * lines at the wall clock; certificate chains depend on it), a call()
 * helper for hand-written cases and cd_fixture for the key and certificate
 * files. Lines listed as known deviations (OPA 1.x semantics or deliberate
 * security rules) are skipped and counted. */
#ifndef GH_TEST_CRYPTO_DIFF_H
#define GH_TEST_CRYPTO_DIFF_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bi_diff.h"
#include "rego/builtins/crypto_int.h"

#ifdef GH_TEST_H
/* The text of fixture `name` of tests/data/crypto/, in the group arena A
 * (gh_test.h); asserts it can be read. */
static inline const char *cd_fixture(const char *name) {
    char path[512];
    snprintf(path, sizeof path, GH_SOURCE_DIR "/tests/data/crypto/%s", name);
    char *buf;
    size_t n;
    gh_err e;
    assert_int_equal(gh_read_file(path, 1 << 20, &buf, &n, &e), 0);
    char *s = gh_arena_strndup(&A, buf, n);
    gh_free(buf);
    return s;
}
#endif

/* bd_run is for the generic families; keep it referenced. */
static inline void cd_unused(void) { (void)bd_run; }

static int64_t cd_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run builtin `name` on args; *out / err as the builtin left them. */
static int cd_call(gh_arena *a, const char *name, val_t **args, val_t **out, gh_err *err,
                   int64_t now) {
    const rego_builtin *b = rego_builtin_find(name, strlen(name));
    if (!b) {
        printf("unknown builtin %s\n", name);
        return GH_EINTERNAL;
    }
    gh_err_clear(err);
    rego_bctx c = {.a = a, .err = err, .now_ns = now};
    *out = NULL;
    return b->fn(&c, args, out);
}

/* "name(args)" with Rego literal arguments, as JSON text of the result,
 * "undefined" or "error: <code>: <message>". */
static const char *cd_run(gh_arena *a, const char *line, int64_t now) {
    char name[96];
    val_t *args[8];
    int n = rl_call(a, line, name, sizeof name, args, 8);
    if (n < 0) return "unparsable";
    val_t *out;
    gh_err e;
    int rc = cd_call(a, name, args, &out, &e, now);
    if (rc == RB_UNDEF) return "undefined";
    if (rc < 0)
        return gh_arena_printf(a, "error: %s: %s",
                               rc == GH_ETYPE    ? "eval_type_error"
                               : rc == GH_EINVAL ? "eval_builtin_error"
                                                 : "other_error",
                               e.msg);
    return val_to_json(a, out, VAL_JSON_SORTED);
}

/* Replay <family>.expect; returns the number of mismatches. */
static int cd_replay(const char *family, const bd_known *known, int *passed, int *skipped) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/differential/%s.expect", GH_SOURCE_DIR, family);
    char *text = bd_slurp(path);
    if (!text) {
        printf("cannot read %s\n", path);
        return 1;
    }
    gh_arena a;
    gh_arena_init(&a, 0);
    int fail = 0;
    *passed = *skipped = 0;
    int64_t now = cd_now();
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_arena_reset(&a);
        val_t *o = NULL;
        gh_err err;
        int prc = len ? val_json_parse(&a, p, len, NULL, &o, &err) : -1;
        p += len + (e ? 1 : 0);
        if (prc) continue;
        const char *expr = bd_str(o, "expr"), *code = bd_str(o, "error_code");
        bool skip = false;
        for (const bd_known *k = known; k && k->expr; k++)
            if (!strncmp(expr, k->expr, strlen(k->expr))) skip = true;
        if (skip ||
            (code && strcmp(code, "eval_type_error") && strcmp(code, "eval_builtin_error"))) {
            (*skipped)++;
            continue;
        }
        const char *got = cd_run(&a, expr, now);
        const char *want;
        val_t *wv = val_obj_get_str(o, "value", 5);
        if (code)
            want = gh_arena_printf(&a, "error: %s: %s", code, bd_str(o, "error"));
        else if (wv)
            want = val_to_json(&a, wv, VAL_JSON_SORTED);
        else
            want = "undefined";
        /* OPA's message carries the builtin name: "<name>: <detail>" */
        if (code) {
            const char *colon = strchr(bd_str(o, "error"), ':');
            if (colon) want = gh_arena_printf(&a, "error: %s: %s", code, colon + 2);
        }
        if (strcmp(got, want)) {
            fail++;
            printf("MISMATCH %.160s\n   got:  %.300s\n   want: %.300s\n", expr, got, want);
        } else {
            (*passed)++;
        }
    }
    gh_arena_free(&a);
    free(text);
    printf("differential %s: %d passed, %d failed, %d skipped\n", family, *passed, fail, *skipped);
    return fail;
}

#endif
