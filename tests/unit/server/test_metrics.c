/* test_metrics.c - unit tests of the server's Prometheus metrics (metrics.c):
 * counts summed over worker shards (own shards and the shared overflow shard,
 * from concurrent threads), histogram bucket edges and cumulative output,
 * status-code classes, route interning and its "other" overflow, label
 * escaping, and a checker of the text exposition format 0.0.4 (HELP/TYPE
 * before samples, one block per family, well-formed sample lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "server/srv_int.h"

static char *render(srv_metrics *m) {
    gh_buf b;
    gh_buf_init(&b);
    srv_metrics_render(m, &b);
    assert_false(b.oom);
    size_t n;
    return gh_buf_take(&b, &n);
}

/* Value of the sample line that starts with `prefix` followed by a space; -1 when absent. */
static double sample(const char *text, const char *prefix) {
    size_t pl = strlen(prefix);
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (strncmp(p, prefix, pl) == 0 && p[pl] == ' ') return strtod(p + pl + 1, NULL);
        p = eol ? eol + 1 : NULL;
    }
    return -1;
}

static bool is_name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* Checks the exposition format line by line; returns the number of samples. */
static int check_format(const char *text) {
    char family[128] = "", type[32] = "";
    char seen[64][128];
    int nseen = 0, nsamples = 0;
    bool help_seen = false;
    assert_true(strlen(text) > 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        size_t n = (size_t)(eol - p);
        char line[1024];
        assert_true(n < sizeof line);
        memcpy(line, p, n);
        line[n] = 0;
        p = eol + 1;
        if (strncmp(line, "# HELP ", 7) == 0) {
            char name[128];
            assert_int_equal(sscanf(line + 7, "%127s", name), 1);
            for (int i = 0; i < nseen; i++)
                assert_string_not_equal(seen[i], name);
            assert_true(nseen < 64);
            strcpy(seen[nseen++], name);
            strcpy(family, name);
            help_seen = true;
            type[0] = 0;
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128];
            assert_true(help_seen);
            assert_int_equal(sscanf(line + 7, "%127s %31s", name, type), 2);
            assert_string_equal(name, family);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                        strcmp(type, "histogram") == 0);
            continue;
        }
        assert_int_not_equal(line[0], '#');
        assert_true(type[0] != 0); /* a sample only after its TYPE line */
        /* metric name */
        size_t i = 0;
        while (is_name_char(line[i], i == 0))
            i++;
        assert_true(i > 0);
        char name[128];
        memcpy(name, line, i);
        name[i] = 0;
        if (strcmp(type, "histogram") == 0) {
            size_t fl = strlen(family);
            assert_int_equal(strncmp(name, family, fl), 0);
            const char *suf = name + fl;
            assert_true(strcmp(suf, "_bucket") == 0 || strcmp(suf, "_sum") == 0 ||
                        strcmp(suf, "_count") == 0);
        } else {
            assert_string_equal(name, family);
        }
        if (line[i] == '{') {
            i++;
            for (;;) {
                size_t s = i;
                while (is_name_char(line[i], i == s))
                    i++;
                assert_true(i > s);
                assert_int_equal(line[i++], '=');
                assert_int_equal(line[i++], '"');
                while (line[i] != '"') {
                    assert_int_not_equal(line[i], 0);
                    assert_int_not_equal(line[i], '\n');
                    if (line[i] == '\\') {
                        i++;
                        assert_true(line[i] == '\\' || line[i] == '"' || line[i] == 'n');
                    }
                    i++;
                }
                i++;
                if (line[i] == ',') {
                    i++;
                    continue;
                }
                assert_int_equal(line[i++], '}');
                break;
            }
        }
        assert_int_equal(line[i++], ' ');
        char *end;
        strtod(line + i, &end);
        assert_true(end != line + i);
        assert_int_equal(*end, 0);
        nsamples++;
    }
    return nsamples;
}

static void test_empty_render(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    assert_non_null(m);
    char *t = render(m);
    check_format(t);
    assert_non_null(strstr(t, "# TYPE gatehouse_http_requests_total counter\n"));
    assert_non_null(strstr(t, "# TYPE gatehouse_http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(t, "# TYPE gatehouse_policy_revision gauge\n"));
    assert_non_null(strstr(t, "# TYPE process_start_time_seconds gauge\n"));
    assert_true(sample(t, "gatehouse_decisions_total{result=\"true\"}") == 0);
    assert_true(sample(t, "gatehouse_reloads_total{result=\"error\"}") == 0);
    assert_true(sample(t, "process_start_time_seconds") > 1.7e9);
    assert_non_null(strstr(t, "gatehouse_build_info{version=\"" GH_VERSION "\""));
    assert_null(strstr(t, "decision_log_dropped"));
    gh_free(t);
    srv_metrics_free(m);
}

static void test_counts_and_codes(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    srv_metrics_request(m, 0, "v1_data", 200, 1000);
    srv_metrics_request(m, 1, "v1_data", 200, 1000);
    srv_metrics_request(m, -1, "v1_data", 200, 1000);  /* overflow shard */
    srv_metrics_request(m, 500, "v1_data", 404, 1000); /* overflow shard */
    char dyn[16];
    strcpy(dyn, "v1_data"); /* same text, other pointer: same series */
    srv_metrics_request(m, 2, dyn, 200, 1000);
    srv_metrics_request(m, 0, "health", 299, 1000);
    srv_metrics_request(m, 0, "health", 999, 1000);
    srv_metrics_request(m, 0, "health", 599, 1000);
    srv_metrics_request(m, 0, NULL, 500, 1000);
    srv_metrics_decision(m, 0, "true");
    srv_metrics_decision(m, 3, "true");
    srv_metrics_decision(m, -7, "undefined");
    srv_metrics_decision(m, 0, "weird");
    srv_metrics_decision(m, 0, NULL);
    srv_metrics_reload(m, true, 7);
    srv_metrics_reload(m, false, 9);
    char *t = render(m);
    check_format(t);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"v1_data\",code=\"200\"}") == 4);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"v1_data\",code=\"404\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"health\",code=\"2xx\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"health\",code=\"other\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"health\",code=\"5xx\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"unknown\",code=\"500\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"v1_data\",code=\"500\"}") == -1);
    assert_true(sample(t, "gatehouse_decisions_total{result=\"true\"}") == 2);
    assert_true(sample(t, "gatehouse_decisions_total{result=\"undefined\"}") == 1);
    assert_true(sample(t, "gatehouse_decisions_total{result=\"other\"}") == 2);
    assert_true(sample(t, "gatehouse_policy_revision") == 7); /* the failed reload kept 7 */
    assert_true(sample(t, "gatehouse_reloads_total{result=\"success\"}") == 1);
    assert_true(sample(t, "gatehouse_reloads_total{result=\"error\"}") == 1);
    gh_free(t);
    srv_metrics_free(m);
}

static void test_histogram(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    srv_metrics_request(m, 0, "r", 200, 50000);       /* exactly 50 us: first bucket */
    srv_metrics_request(m, 0, "r", 200, 50001);       /* just above: 100 us */
    srv_metrics_request(m, 0, "r", 200, 1000000);     /* 1 ms */
    srv_metrics_request(m, 0, "r", 200, 20000000000); /* 20 s: +Inf only */
    srv_metrics_request(m, 0, "r", 200, -5);          /* clock went backwards: 0 */
    char *t = render(m);
    check_format(t);
#define B(le) sample(t, "gatehouse_http_request_duration_seconds_bucket{route=\"r\",le=\"" le "\"}")
    assert_true(B("5e-05") == 2);
    assert_true(B("0.0001") == 3);
    assert_true(B("0.0005") == 3);
    assert_true(B("0.001") == 4);
    assert_true(B("10") == 4);
    assert_true(B("+Inf") == 5);
#undef B
    assert_true(sample(t, "gatehouse_http_request_duration_seconds_count{route=\"r\"}") == 5);
    double sum = sample(t, "gatehouse_http_request_duration_seconds_sum{route=\"r\"}");
    assert_true(sum > 20.0010 && sum < 20.0012);
    /* buckets appear in increasing order of le */
    const char *a = strstr(t, "le=\"5e-05\""), *b = strstr(t, "le=\"0.0001\""),
               *c = strstr(t, "le=\"+Inf\"");
    assert_true(a && b && c && a < b && b < c);
    gh_free(t);
    srv_metrics_free(m);
}

static void test_escaping_and_route_overflow(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    srv_metrics_request(m, 0, "we\"ird\\route\nx", 200, 10);
    char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "route%d", i);
        srv_metrics_request(m, 0, names[i], 200, 10);
    }
    char *t = render(m);
    check_format(t);
    assert_non_null(strstr(t, "{route=\"we\\\"ird\\\\route\\nx\",code=\"200\"} 1\n"));
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"route0\",code=\"200\"}") == 1);
    /* 32 slots: 1 + 30 named routes, the rest (10) count as "other" */
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"route29\",code=\"200\"}") == 1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"route30\",code=\"200\"}") == -1);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"other\",code=\"200\"}") == 10);
    gh_free(t);
    gh_buf b;
    gh_buf_init(&b);
    srv_metrics_escape_label(&b, "a\\b\"c\nd");
    assert_string_equal(b.p, "a\\\\b\\\"c\\nd");
    gh_buf_free(&b);
    srv_metrics_free(m);
}

typedef struct {
    srv_metrics *m;
    int worker;
    int n;
} th_arg;

static void *hammer(void *p) {
    th_arg *a = p;
    for (int i = 0; i < a->n; i++) {
        srv_metrics_request(a->m, a->worker, (i & 1) ? "v1_data" : "health", 200, i * 1000);
        srv_metrics_decision(a->m, a->worker, (i & 1) ? "true" : "false");
    }
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    enum { NT = 6, N = 20000 };
    pthread_t th[NT];
    th_arg args[NT];
    for (int i = 0; i < NT; i++) {
        /* four own shards, two threads sharing the overflow shard */
        args[i] = (th_arg){m, i < 4 ? i : (i == 4 ? -1 : SRV_METRICS_MAX_WORKERS + 3), N};
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
    }
    /* render while they run: must not crash or see torn lines */
    for (int k = 0; k < 20; k++) {
        char *t = render(m);
        check_format(t);
        gh_free(t);
    }
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    char *t = render(m);
    check_format(t);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"v1_data\",code=\"200\"}") ==
                NT * N / 2);
    assert_true(sample(t, "gatehouse_http_requests_total{route=\"health\",code=\"200\"}") ==
                NT * N / 2);
    assert_true(sample(t, "gatehouse_decisions_total{result=\"true\"}") == NT * N / 2);
    assert_true(sample(t, "gatehouse_http_request_duration_seconds_count{route=\"health\"}") ==
                NT * N / 2);
    gh_free(t);
    srv_metrics_free(m);
}

static void test_declog_attached(void **state) {
    (void)state;
    srv_metrics *m = srv_metrics_new();
    gh_err e;
    gh_err_clear(&e);
    srv_declog *d = srv_declog_open(NULL, &e);
    assert_non_null(d);
    srv_metrics_attach_declog(m, d);
    char *t = render(m);
    check_format(t);
    assert_true(sample(t, "gatehouse_decision_log_dropped_total") == 0);
    gh_free(t);
    srv_declog_close(d);
    srv_metrics_free(m);
    /* NULL metrics: every call is a no-op */
    srv_metrics_request(NULL, 0, "x", 200, 1);
    srv_metrics_decision(NULL, 0, "true");
    srv_metrics_reload(NULL, true, 1);
}

static void test_alloc_failures(void **state) {
    (void)state;
    for (long n = 0; n < 2; n++) {
        gh_alloc_fail_after(n);
        srv_metrics *m = srv_metrics_new();
        gh_alloc_fail_after(-1);
        assert_null(m);
    }
    /* rendering into a buffer that cannot grow sets oom, never crashes */
    srv_metrics *m = srv_metrics_new();
    srv_metrics_request(m, 0, "v1_data", 200, 10);
    gh_buf b;
    gh_buf_init(&b);
    gh_alloc_fail_after(0);
    srv_metrics_render(m, &b);
    gh_alloc_fail_after(-1);
    assert_true(b.oom);
    gh_buf_free(&b);
    srv_metrics_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_render),   cmocka_unit_test(test_counts_and_codes),
        cmocka_unit_test(test_histogram),      cmocka_unit_test(test_escaping_and_route_overflow),
        cmocka_unit_test(test_concurrent),     cmocka_unit_test(test_declog_attached),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
