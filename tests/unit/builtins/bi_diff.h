/* bi_diff.h - test helper: replay tests/differential/<family>.expect (OPA
 * 0.61's recorded answers, see gen_expect.sh) against builtin tables by
 * calling each builtin directly. Lines OPA's type checker rejected at
 * compile time take their runtime answer from <family>.rtexpect; calls whose
 * arguments are not literals (other than json.unmarshal("<json>"), which is
 * decoded here) are skipped and counted. Also the per-family pieces every
 * builtin test repeats (bd_check, bd_call*, bd_expect*, bd_text; they need
 * cmocka.h * included first). Header-only, shared by the builtin family tests
 * (test_numbers.c, test_aggregates.c, ...). */
#ifndef GH_TEST_BI_DIFF_H
#define GH_TEST_BI_DIFF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego_lit.h"

typedef struct bd_stats {
    int pass, fail, skip;
} bd_stats;

/* Known, deliberate differences from OPA 0.61: expression -> reason. */
typedef struct bd_known {
    const char *expr;
    const char *why;
} bd_known;

static const rego_builtin *bd_find(const rego_builtin *const *tabs, const char *name) {
    for (size_t t = 0; tabs[t]; t++)
        for (const rego_builtin *b = tabs[t]; b->name; b++)
            if (!strcmp(b->name, name)) return b;
    return NULL;
}

/* Copy of line with every json.unmarshal("<json>") replaced by <json>. */
static char *bd_unwrap(gh_arena *a, const char *line) {
    static const char pre[] = "json.unmarshal(";
    size_t n = strlen(line);
    char *out = gh_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (!strncmp(line + i, pre, sizeof pre - 1) && line[i + sizeof pre - 1] == '"') {
            rl_in in = {line + i + sizeof pre - 1, line + n, a, false};
            val_t *s = rl_term(&in);
            if (!s || in.bad || s->kind != VAL_STRING || in.p >= in.end || *in.p != ')')
                return NULL;
            memcpy(out + k, val_str_ptr(s), val_str_len(s));
            k += val_str_len(s);
            i = (size_t)(in.p + 1 - line);
            continue;
        }
        out[k++] = line[i++];
    }
    out[k] = '\0';
    return out;
}

static char *bd_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    size_t got = fread(buf, 1, (size_t)sz, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static const char *bd_str(const val_t *o, const char *key) {
    val_t *v = val_obj_get_str(o, key, strlen(key));
    return v && v->kind == VAL_STRING ? val_str_ptr(v) : NULL;
}

/* The .rtexpect line for expr, parsed into a (NULL when none). */
static val_t *bd_rt(gh_arena *a, const char *rt, const char *expr) {
    if (!rt) return NULL;
    for (const char *p = rt; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        val_t *o = NULL;
        gh_err err;
        if (len && !val_json_parse(a, p, len, NULL, &o, &err)) {
            const char *x = bd_str(o, "expr");
            if (x && !strcmp(x, expr)) return o;
        }
        p += len + (e ? 1 : 0);
    }
    return NULL;
}

/* Runs one family; prints each mismatch. */
static void bd_run(const char *family, const rego_builtin *const *tabs, const bd_known *known,
                   bd_stats *st) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/differential/%s.expect", GH_SOURCE_DIR, family);
    char *text = bd_slurp(path);
    if (!text) {
        printf("bi_diff: cannot read %s\n", path);
        st->fail++;
        return;
    }
    snprintf(path, sizeof path, "%s/tests/differential/%s.rtexpect", GH_SOURCE_DIR, family);
    char *rt = bd_slurp(path);
    gh_arena a;
    gh_arena_init(&a, 0);
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_arena_reset(&a);
        val_t *o = NULL;
        gh_err err;
        gh_err_clear(&err);
        if (len == 0 || val_json_parse(&a, p, len, NULL, &o, &err)) {
            if (len) st->skip++; /* e.g. a number too long for our values */
            p += len + (e ? 1 : 0);
            continue;
        }
        p += len + (e ? 1 : 0);
        const char *expr = bd_str(o, "expr");
        const char *code = bd_str(o, "error_code");
        bool is_known = false;
        for (const bd_known *k = known; k && k->expr; k++)
            if (!strcmp(k->expr, expr)) is_known = true;
        if (is_known) {
            st->skip++;
            continue;
        }
        if (code && !strcmp(code, "rego_type_error")) {
            o = bd_rt(&a, rt, expr);
            if (!o) {
                st->skip++;
                continue;
            }
            code = bd_str(o, "error_code");
        }
        if (code && strcmp(code, "eval_type_error") && strcmp(code, "eval_builtin_error")) {
            st->skip++;
            continue;
        }
        char *line = bd_unwrap(&a, expr);
        char name[128];
        val_t *args[8];
        int n = line ? rl_call(&a, line, name, sizeof name, args, 8) : -1;
        const rego_builtin *b = n >= 0 ? bd_find(tabs, name) : NULL;
        if (!b || b->arity != n) {
            st->skip++;
            continue;
        }
        gh_err cerr;
        gh_err_clear(&cerr);
        rego_bctx c = {.a = &a, .err = &cerr};
        val_t *out = NULL;
        int rc = b->fn(&c, args, &out);
        char got[2048], want[2048];
        if (rc == RB_UNDEF)
            snprintf(got, sizeof got, "undefined");
        else if (rc < 0)
            snprintf(got, sizeof got, "%s: %s: %s",
                     rc == GH_ETYPE    ? "eval_type_error"
                     : rc == GH_EINVAL ? "eval_builtin_error"
                                       : "other_error",
                     name, cerr.msg);
        else
            snprintf(got, sizeof got, "%s", val_to_json(&a, out, VAL_JSON_SORTED));
        val_t *wv = val_obj_get_str(o, "value", 5);
        if (code)
            snprintf(want, sizeof want, "%s: %s", code, bd_str(o, "error"));
        else if (wv)
            snprintf(want, sizeof want, "%s", val_to_json(&a, wv, VAL_JSON_SORTED));
        else
            snprintf(want, sizeof want, "undefined");
        if (strcmp(got, want)) {
            st->fail++;
            printf("MISMATCH %s\n   got:  %.300s\n   want: %.300s\n", expr, got, want);
        } else {
            st->pass++;
        }
    }
    gh_arena_free(&a);
    free(text);
    free(rt);
    printf("differential %s: %d passed, %d failed, %d skipped\n", family, st->pass, st->fail,
           st->skip);
}

#ifdef assert_true
/* Replays family's differential file and asserts no mismatch and at least
 * min_pass passing lines. */
static inline void bd_check(const char *family, const rego_builtin *const *tabs,
                            const bd_known *known, int min_pass) {
    bd_stats st = {0};
    bd_run(family, tabs, known, &st);
    assert_int_equal(st.fail, 0);
    assert_true(st.pass >= min_pass);
}

/* Calls the builtin of tabs named in line on its literal arguments (at most
 * 4) in context c; asserts the call parses, names a builtin of tabs and has
 * its arity. Returns the builtin's code with its result in *out. */
static inline int bd_call_ctx(rego_bctx *c, const rego_builtin *const *tabs, const char *line,
                              val_t **out) {
    char name[64];
    val_t *args[4];
    int n = rl_call(c->a, line, name, sizeof name, args, 4);
    assert_true(n >= 0);
    const rego_builtin *b = bd_find(tabs, name);
    assert_non_null(b);
    assert_int_equal(b->arity, n);
    *out = NULL;
    return b->fn(c, args, out);
}

/* bd_call_ctx with query time now_ns; returns its code and the result as
 * sorted JSON, "undefined" or the error message in *res. */
static inline int bd_call(gh_arena *a, const rego_builtin *const *tabs, int64_t now_ns,
                          const char *line, const char **res) {
    static gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e, .now_ns = now_ns};
    val_t *out;
    int rc = bd_call_ctx(&c, tabs, line, &out);
    *res = rc == 0 ? val_to_json(a, out, VAL_JSON_SORTED) : rc == RB_UNDEF ? "undefined" : e.msg;
    return rc;
}

/* The answer to line as one text: "undefined", "error: <message>" or the
 * result as JSON emitted with json_flags (VAL_JSON_*). */
static inline const char *bd_text(gh_arena *a, const rego_builtin *const *tabs, const char *line,
                                  int json_flags) {
    gh_err e;
    gh_err_clear(&e);
    rego_bctx c = {.a = a, .err = &e};
    val_t *out;
    int rc = bd_call_ctx(&c, tabs, line, &out);
    if (rc == RB_UNDEF) return "undefined";
    if (rc < 0) return gh_arena_printf(a, "error: %s", e.msg);
    return val_to_json(a, out, json_flags);
}

/* Asserts bd_text(...) is want (printing both when not). */
static inline void bd_expect_text(gh_arena *a, const rego_builtin *const *tabs, const char *line,
                                  int json_flags, const char *want) {
    const char *got = bd_text(a, tabs, line, json_flags);
    if (strcmp(got, want)) printf("%s\n   got:  %s\n   want: %s\n", line, got, want);
    assert_string_equal(got, want);
}

/* bd_call, asserting its code is want_rc and its text want (printed when not). */
static inline void bd_expect(gh_arena *a, const rego_builtin *const *tabs, int64_t now_ns,
                             const char *line, int want_rc, const char *want) {
    const char *got;
    int rc = bd_call(a, tabs, now_ns, line, &got);
    if (rc != want_rc || strcmp(got, want)) printf("%s: got %d %s\n", line, rc, got);
    assert_int_equal(rc, want_rc);
    assert_string_equal(got, want);
}
/* A unit case of a family test: a builtin call, the code it returns and
 * its text (as bd_call gives it). */
typedef struct bd_case {
    const char *line;
    int rc;
    const char *want;
} bd_case;

/* bd_expect on every case at query time now_ns, in one arena. */
static inline void bd_expect_cases(const rego_builtin *const *tabs, int64_t now_ns,
                                   const bd_case *cases, size_t n) {
    gh_arena a;
    gh_arena_init(&a, 0);
    for (size_t i = 0; i < n; i++)
        bd_expect(&a, tabs, now_ns, cases[i].line, cases[i].rc, cases[i].want);
    gh_arena_free(&a);
}

/* The test program of a family that has only OPA's recorded answers (at
 * least min_pass of them pass) and a bd_case table: defines
 * test_differential, test_cases and main. */
#define BD_FAMILY_TEST(family, tabs, min_pass, cases)                                              \
    static void test_differential(void **state) {                                                  \
        (void)state;                                                                               \
        bd_check(family, tabs, NULL, min_pass);                                                    \
    }                                                                                              \
    static void test_cases(void **state) {                                                         \
        (void)state;                                                                               \
        bd_expect_cases(tabs, 0, cases, sizeof cases / sizeof *cases);                             \
    }                                                                                              \
    int main(void) {                                                                               \
        const struct CMUnitTest tests[] = {                                                        \
            cmocka_unit_test(test_differential),                                                   \
            cmocka_unit_test(test_cases),                                                          \
        };                                                                                         \
        return cmocka_run_group_tests(tests, NULL, NULL);                                          \
    }

/* Arena budgets to try: from first while below limit, step bytes more each
 * time (step 0: half as much again each time). */
typedef struct bd_budgets {
    size_t first, limit, step;
} bd_budgets;

/* Calls line's builtin (of tabs, with its arity) in an arena of each
 * budget of b; every call must succeed, run out of memory (GH_ENOMEM) or
 * return also_ok. Arguments are built in an unbounded arena. */
static inline void bd_oom_sweep(const rego_builtin *const *tabs, const char *line, bd_budgets b,
                                int also_ok) {
    for (size_t budget = b.first; budget < b.limit; budget += b.step ? b.step : budget / 2) {
        gh_arena big, small;
        gh_arena_init(&big, 0);
        char name[64];
        val_t *args[4];
        int n = rl_call(&big, line, name, sizeof name, args, 4);
        assert_true(n >= 0);
        const rego_builtin *fn = bd_find(tabs, name);
        assert_non_null(fn);
        assert_int_equal(n, fn->arity);
        gh_arena_init(&small, budget);
        gh_err e;
        gh_err_clear(&e);
        rego_bctx c = {.a = &small, .err = &e};
        val_t *out = NULL;
        int rc = fn->fn(&c, args, &out);
        assert_true(rc == RB_OK || rc == GH_ENOMEM || rc == also_ok);
        gh_arena_free(&small);
        gh_arena_free(&big);
    }
}
#endif

#endif
