/* test_time.c - the time family: OPA 0.61's recorded answers
 * (tests/differential/time.expect + .rtexpect), the OPA conformance cases
 * for time builtins, layout round trips, TZif parsing of crafted files
 * (malformed, version 1, POSIX footers), zone caching across threads and
 * out-of-memory behaviour. */
#include <pthread.h>
#include <stdlib.h>

#include "../gh_test.h"

#include "bi_diff.h"
#include "rego/builtins/time_int.h"

static const rego_builtin *const tabs[] = {rego_bi_time, NULL};

static void test_differential(void **state) {
    (void)state;
    bd_check("time", tabs, NULL, 330);
}

/* The query time the unit cases run at. */
#define NOW_NS 1700000000123456789

static void expect(gh_arena *a, const char *line, int want_rc, const char *want) {
    bd_expect(a, tabs, NOW_NS, line, want_rc, want);
}

static void test_cases(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    /* now_ns is the query's clock */
    expect(&a, "time.now_ns()", 0, "1700000000123456789");
    /* zone names with NUL bytes, huge names, Go's name checks */
    expect(&a, "time.date([0, \"UTC\\u0000\"])", GH_EINVAL, "invalid argument");
    expect(&a, "time.date([0, \"\\\\x\"])", GH_EINVAL, "time: invalid location name");
    expect(&a, "time.date([0, \"a..b\"])", GH_EINVAL, "time: invalid location name");
    expect(&a, "time.date([0, \"Etc/GMT+3\"])", 0, "[1969,12,31]");
    expect(&a, "time.clock([0, \"Etc/GMT-14\"])", 0, "[14,0,0]");
    /* cached zones give the same answers */
    for (int i = 0; i < 3; i++)
        expect(&a, "time.format([1720000000000000000, \"Europe/Paris\", \"15:04 MST\"])", 0,
               "\"11:46 CEST\"");
    /* far future: the POSIX footer of the zone decides */
    expect(&a, "time.format([9000000000000000000, \"Europe/Paris\", \"2006-01-02 15:04 MST\"])", 0,
           "\"2255-03-14 17:00 CET\"");
    expect(&a, "time.format([9100000000000000000, \"Europe/Paris\", \"2006-01-02 15:04 MST\"])", 0,
           "\"2258-05-15 03:46 CEST\"");
    /* OPA's diff ignores nanoseconds */
    expect(&a, "time.diff(999999999, 1000000000)", 0, "[0,0,0,0,0,1]");
    gh_arena_free(&a);
}

/* The time cases of the regorus corpus (answers recorded from OPA 0.61):
 * each module line `name := time.f(literal args)` is called directly and
 * compared with x.name of the wanted result (absent = error/undefined in
 * non-strict mode) or with the wanted error. Returns the number checked. */
static int corpus_file(const char *path, bd_stats *st) {
    char *text = bd_slurp(path);
    if (!text) return -1;
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t **docs = NULL;
    size_t nd = 0;
    gh_err e;
    int checked = 0;
    if (val_yaml_load(&a, text, strlen(text), NULL, &docs, &nd, &e) || nd != 1) {
        free(text);
        gh_arena_free(&a);
        return -1;
    }
    val_t *cases = val_obj_get_str(docs[0], "cases", 5);
    for (size_t i = 0; cases && i < val_arr_len(cases); i++) {
        val_t *cs = val_arr_at(cases, i), *mods = val_obj_get_str(cs, "modules", 7);
        val_t *want = val_obj_get_str(cs, "want_result", 11);
        const char *code = bd_str(cs, "want_error_code"), *werr = bd_str(cs, "want_error");
        if (!mods || val_arr_len(mods) != 1 || (code && strncmp(code, "eval_", 5))) continue;
        val_t *x =
            want && val_arr_len(want) == 1 ? val_obj_get_str(val_arr_at(want, 0), "x", 1) : NULL;
        if (!x && !code) continue;
        const char *m = val_str_ptr(val_arr_at(mods, 0));
        for (const char *ln = m; *ln;) {
            const char *eol = strchr(ln, '\n');
            size_t len = eol ? (size_t)(eol - ln) : strlen(ln);
            char line[512], name[64], fn[64];
            snprintf(line, sizeof line, "%.*s", (int)len, ln);
            ln += len + (eol ? 1 : 0);
            char *as = strstr(line, " := ");
            if (!as || strncmp(as + 4, "time.", 5) || line[0] == ' ' || line[0] == '\t')
                continue; /* only top-level rules `name := time.f(...)` */
            snprintf(name, sizeof name, "%.*s", (int)(as - line), line);
            val_t *args[4];
            int n = rl_call(&a, as + 4, fn, sizeof fn, args, 4);
            const rego_builtin *b = n >= 0 ? bd_find(tabs, fn) : NULL;
            if (!b || b->arity != n) {
                st->skip++;
                continue;
            }
            gh_err ce;
            gh_err_clear(&ce);
            rego_bctx c = {.a = &a, .err = &ce};
            val_t *out = NULL;
            int rc = b->fn(&c, args, &out);
            bool ok;
            if (code) {
                char full[700];
                snprintf(full, sizeof full, "%s: %s", fn, ce.msg);
                ok = rc < 0 && (!werr || !strcmp(full, werr));
            } else {
                val_t *w = val_obj_get_str(x, name, strlen(name));
                ok = w ? rc == 0 && val_equal(out, w) : rc != 0;
            }
            checked++;
            if (ok) {
                st->pass++;
            } else {
                st->fail++;
                printf("CORPUS MISMATCH %s: %s -> rc %d %s\n", path, as + 4, rc,
                       rc == 0 ? val_to_json(&a, out, 0) : ce.msg);
            }
        }
    }
    free(text);
    gh_arena_free(&a);
    return checked;
}

static void test_corpus(void **state) {
    (void)state;
    static const char *const files[] = {
        "add_date",         "clock",  "date", "diff", "format", "parse_duration_ns", "parse_ns",
        "parse_rfc3339_ns", "weekday"};
    bd_stats st = {0};
    int total = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/corpora/regorus-opa/v0/builtins/time/%s.yaml",
                 GH_SHARED_DIR, files[i]);
        int k = corpus_file(path, &st);
        if (k < 0) {
            printf("corpus: cannot read %s (skipped)\n", path);
            continue;
        }
        total += k;
    }
    printf("regorus time corpus: %d checked: %d passed, %d failed, %d skipped\n", total, st.pass,
           st.fail, st.skip);
    assert_int_equal(st.fail, 0);
}

/* Format then parse gives the instant back, for many instants and zones. */
static void test_round_trip(void **state) {
    (void)state;
    static const char *const zones[] = {"UTC", "America/New_York", "Asia/Kathmandu",
                                        "Australia/Lord_Howe", "America/St_Johns"};
    static const char lay[] = "2006-01-02T15:04:05.999999999-07:00:00";
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ns = (int64_t)(x % UINT64_C(18000000000000000000) - UINT64_C(9000000000000000000));
        const tz_loc *loc;
        char err[256];
        assert_int_equal(tz_load(zones[i % 5], strlen(zones[i % 5]), &loc, err, sizeof err), 0);
        gtime t = gt_from_ns(ns, loc), back;
        gh_buf b, m;
        gh_buf_init(&b);
        gh_buf_init(&m);
        tl_format(&b, &t, lay, sizeof lay - 1);
        int rc = tl_parse(lay, sizeof lay - 1, b.p, b.len, &back, &m);
        if (rc || gt_unix_nano(&back) != ns) printf("%s: %s\n", b.p, m.p ? m.p : "");
        assert_int_equal(rc, 0);
        assert_true(gt_unix_nano(&back) == ns);
        /* the civil fields agree with Date() in the same zone */
        gcivil cv;
        gt_civil(&t, &cv, NULL);
        gtime d = gt_date(cv.year, cv.month, cv.day, cv.hour, cv.min, cv.sec, t.nsec, loc);
        tz_info z1, z2;
        tz_lookup(loc, t.sec, &z1);
        tz_lookup(loc, d.sec, &z2);
        if (z1.off == z2.off) assert_true(d.sec == t.sec);
        gh_buf_free(&b);
        gh_buf_free(&m);
    }
}

/* A TZif file built by hand: version 2 with two zones and a footer. */
static size_t put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
    return 4;
}

static size_t make_tzif(uint8_t *buf, const char *footer, char ver) {
    size_t k = 0;
    /* v1 header: no data */
    memcpy(buf, "TZif", 4);
    buf[4] = (uint8_t)ver;
    memset(buf + 5, 0, 15);
    k = 20;
    uint32_t c1[6] = {0, 0, 0, 1, 2, 8}; /* utcl, stdw, leap, time, type, char */
    if (ver == 0) {
        for (int i = 0; i < 6; i++)
            k += put32(buf + k, c1[i]);
        k += put32(buf + k, (uint32_t)-100000); /* one 32-bit transition */
        buf[k++] = 1;
        k += put32(buf + k, (uint32_t)-18000), buf[k++] = 0, buf[k++] = 0;
        k += put32(buf + k, 3600), buf[k++] = 1, buf[k++] = 4;
        memcpy(buf + k, "AAA\0BBB\0", 8), k += 8;
        return k;
    }
    for (int i = 0; i < 6; i++)
        k += put32(buf + k, 0);
    memcpy(buf + k, "TZif", 4);
    buf[k + 4] = (uint8_t)ver;
    memset(buf + k + 5, 0, 15);
    k += 20;
    for (int i = 0; i < 6; i++)
        k += put32(buf + k, c1[i]);
    k += put32(buf + k, 0xffffffffu), k += put32(buf + k, (uint32_t)-100000);
    buf[k++] = 1;
    k += put32(buf + k, (uint32_t)-18000), buf[k++] = 0, buf[k++] = 0;
    k += put32(buf + k, 3600), buf[k++] = 1, buf[k++] = 4;
    memcpy(buf + k, "AAA\0BBB\0", 8), k += 8;
    size_t fl = strlen(footer);
    buf[k++] = '\n';
    memcpy(buf + k, footer, fl), k += fl;
    buf[k++] = '\n';
    return k;
}

static void test_tzif(void **state) {
    (void)state;
    uint8_t buf[512];
    tz_loc *l;
    tz_info z;
    size_t n = make_tzif(buf, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", '2');
    assert_int_equal(tz_from_tzif("Test/Zone", buf, n, &l), 0);
    assert_string_equal(l->name, "Test/Zone");
    tz_lookup(l, -200000, &z);
    assert_string_equal(z.name, "AAA");
    assert_int_equal(z.off, -18000);
    /* after the only transition the footer rules apply (-03 / -02) */
    tz_lookup(l, 1700000000, &z); /* November */
    assert_string_equal(z.name, "-03");
    assert_int_equal(z.off, -3 * 3600);
    tz_lookup(l, 1688000000, &z); /* June */
    assert_string_equal(z.name, "-02");
    assert_true(z.dst);
    int32_t off;
    assert_true(tz_lookup_name(l, "AAA", 3, -300000, &off));
    assert_int_equal(off, -18000);
    assert_false(tz_lookup_name(l, "CCC", 3, 0, &off));
    tz_free(l);
    /* bad footers are ignored: the last zone stays in effect */
    static const char *const bad[] = {"AB3",           "ABC",         "ABC3DEF,M13.1.0,M1.1.0",
                                      "ABC3DEF,J0,J5", "<ABC3",       "ABC3DEF,M3.2.0",
                                      "ABC+200",       "ABC3DEF2,x,y"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        n = make_tzif(buf, bad[i], '3');
        assert_int_equal(tz_from_tzif("T", buf, n, &l), 0);
        tz_lookup(l, 1700000000, &z);
        assert_string_equal(z.name, "BBB");
        tz_free(l);
    }
    /* Julian and day-of-year rules, and the southern-hemisphere swap */
    n = make_tzif(buf, "XST-10XDT,J300,J60/3", '2');
    assert_int_equal(tz_from_tzif("T", buf, n, &l), 0);
    tz_lookup(l, 1704067200, &z); /* 1 Jan 2024: DST (after day 300, before day 60) */
    assert_string_equal(z.name, "XDT");
    assert_int_equal(z.off, 11 * 3600);
    tz_lookup(l, 1719792000, &z); /* July */
    assert_string_equal(z.name, "XST");
    tz_free(l);
    n = make_tzif(buf, "XST5XDT,100,200", '2');
    assert_int_equal(tz_from_tzif("T", buf, n, &l), 0);
    tz_lookup(l, 1719792000, &z);
    assert_string_equal(z.name, "XDT");
    assert_int_equal(z.off, -4 * 3600);
    tz_free(l);
    /* version 1 files use 32-bit times and no footer */
    n = make_tzif(buf, "", 0);
    assert_int_equal(tz_from_tzif("T", buf, n, &l), 0);
    tz_lookup(l, 0, &z);
    assert_string_equal(z.name, "BBB");
    tz_free(l);
    /* malformed: every truncation, a bad magic, a bad version, bad indexes */
    n = make_tzif(buf, "EST5", '2');
    for (size_t cut = 0; cut < n - 6; cut++) {
        int rc = tz_from_tzif("T", buf, cut, &l);
        if (rc == 0) tz_free(l);
        assert_int_equal(rc, cut < n - 6 ? GH_EPARSE : 0);
    }
    uint8_t bad2[512];
    memcpy(bad2, buf, n);
    bad2[0] = 'X';
    assert_int_equal(tz_from_tzif("T", bad2, n, &l), GH_EPARSE);
    memcpy(bad2, buf, n);
    bad2[4] = '9';
    assert_int_equal(tz_from_tzif("T", bad2, n, &l), GH_EPARSE);
    memcpy(bad2, buf, n);
    bad2[44 + 24 + 8] = 7; /* transition -> zone 7 of 2 */
    assert_int_equal(tz_from_tzif("T", bad2, n, &l), GH_EPARSE);
}

static void *zone_thread(void *arg) {
    (void)arg;
    static const char *const zones[] = {"Europe/Berlin", "Asia/Tokyo", "America/Chicago",
                                        "Africa/Lagos", "Pacific/Auckland"};
    for (int i = 0; i < 200; i++) {
        const tz_loc *l;
        char err[256];
        const char *z = zones[i % 5];
        if (tz_load(z, strlen(z), &l, err, sizeof err) || strcmp(l->name, z)) return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, zone_thread, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    const tz_loc *a, *b;
    char err[256];
    assert_int_equal(tz_load("Asia/Tokyo", 10, &a, err, sizeof err), 0);
    assert_int_equal(tz_load("Asia/Tokyo", 10, &b, err, sizeof err), 0);
    assert_ptr_equal(a, b);
}

/* Tiny arena budgets: every builtin fails cleanly with GH_ENOMEM. */
static void test_oom(void **state) {
    (void)state;
    static const char *const lines[] = {
        "time.format([1700000000123456789, \"America/New_York\", \"Monday 2006\"])",
        "time.diff(0, 1000000000000000000)",
        "time.date(1700000000123456789)",
        "time.parse_ns(\"2006\", \"x\")",
        "time.parse_duration_ns(\"1x\")",
        "time.weekday(0)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        bd_oom_sweep(tabs, lines[i], (bd_budgets){1, 4096, 37}, GH_EINVAL);
}

int main(void) {
    /* answers recorded with OPA on a UTC machine: make "Local" (and zone
     * abbreviations in time.parse_ns, resolved against it) UTC here too */
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential), cmocka_unit_test(test_cases),
        cmocka_unit_test(test_corpus),       cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tzif),         cmocka_unit_test(test_threads),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
