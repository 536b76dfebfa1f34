/* test_declog.c - unit tests of decision ids and the decision log
 * (declog.c): UUIDv4 shape and uniqueness (worker generator and the
 * RAND_bytes path), the JSON line fields (input digest = SHA-256 of the
 * sorted compact input, result omitted when undefined, truncated when huge,
 * the input itself never written), RFC3339Nano timestamps, concurrent
 * producers (written + dropped = recorded; every line well-formed) and the
 * open error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "server/srv_int.h"

static void assert_uuid_v4(const char *id) {
    assert_int_equal(strlen(id), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(id[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", id[i]));
    }
    assert_int_equal(id[14], '4');
    assert_non_null(strchr("89ab", id[19]));
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void test_ids(void **state) {
    (void)state;
    enum { N = 5000 };
    char(*ids)[37] = calloc(2 * N, 37);
    assert_non_null(ids);
    srv_worker w = {0};
    for (int i = 0; i < N; i++) {
        srv_declog_record(NULL, &w, "x", NULL, NULL, 1, 0, ids[i]);
        assert_uuid_v4(ids[i]);
    }
    assert_true(w.rng != 0); /* seeded on first use */
    for (int i = N; i < 2 * N; i++) {
        srv_declog_record(NULL, NULL, "x", NULL, NULL, 1, 0, ids[i]);
        assert_uuid_v4(ids[i]);
    }
    qsort(ids, 2 * N, 37, cmp_str);
    for (int i = 1; i < 2 * N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
    /* two workers seeded independently do not produce the same sequence */
    srv_worker a = {0}, b = {0};
    char ia[37], ib[37];
    srv_declog_record(NULL, &a, "x", NULL, NULL, 1, 0, ia);
    srv_declog_record(NULL, &b, "x", NULL, NULL, 1, 0, ib);
    assert_string_not_equal(ia, ib);
}

static void test_timestamp(void **state) {
    (void)state;
    char t[40];
    srv_declog_timestamp(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    srv_declog_timestamp(1796409806123456789LL, t);
    assert_string_equal(t, "2026-12-04T18:43:26.123456789Z");
    srv_declog_timestamp(1796409806120000000LL, t);
    assert_string_equal(t, "2026-12-04T18:43:26.12Z");
    srv_declog_timestamp(1796409806000000001LL, t);
    assert_string_equal(t, "2026-12-04T18:43:26.000000001Z");
}

static char *tmp_path(char *buf, size_t n, const char *name) {
    snprintf(buf, n, "/tmp/gh_declog_%d_%s", (int)getpid(), name);
    unlink(buf);
    return buf;
}

/* A decision log on a fresh temporary file ending in name; path (256
 * bytes) gets its path. */
static srv_declog *open_tmp(char *path, const char *name) {
    tmp_path(path, 256, name);
    gh_err e;
    gh_err_clear(&e);
    srv_declog *d = srv_declog_open(path, &e);
    assert_non_null(d);
    return d;
}

static val_t *parse(gh_arena *a, const char *s) {
    val_t *v = NULL;
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(val_json_parse(a, s, strlen(s), NULL, &v, &e), 0);
    return v;
}

static void sha_hex(const char *s, char out[65]) {
    unsigned char md[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL), 1);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static const char *get_str(const val_t *o, const char *k) {
    val_t *v = val_obj_get_str(o, k, strlen(k));
    assert_non_null(v);
    assert_int_equal(val_kind_of(v), VAL_STRING);
    return v->u.s;
}

static void test_lines(void **state) {
    (void)state;
    char path[256];
    srv_declog *d = open_tmp(path, "lines.jsonl");
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *input = parse(&a, "{\"user\":\"alice\",\"password\":\"s3cr3t-value\",\"n\":[1,2.50]}");
    val_t *result = parse(&a, "{\"allow\":true,\"reasons\":[\"a\\\"b\"]}");
    srv_worker w = {0};
    char id1[37], id2[37], id3[37];
    srv_declog_record(d, &w, "authz/allow", input, result, 42, 123456, id1);
    srv_declog_record(d, &w, "authz/missing", input, NULL, 42, 7, id2); /* undefined */
    /* a result over 64 KiB is replaced by its digest */
    gh_buf big;
    gh_buf_init(&big);
    gh_buf_putc(&big, '"');
    for (int i = 0; i < 70000; i++)
        gh_buf_putc(&big, 'x');
    gh_buf_putc(&big, '"');
    val_t *bigv = parse(&a, big.p);
    gh_buf_free(&big);
    srv_declog_record(d, &w, "big", NULL, bigv, 43, 1, id3);
    srv_declog_close(d);

    char *text = NULL;
    gh_err e;
    size_t len = 0;
    assert_int_equal(gh_read_file(path, 1 << 20, &text, &len, &e), 0);
    assert_null(strstr(text, "s3cr3t")); /* the input is never written */
    assert_null(strstr(text, "alice"));
    char *l1 = text, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_int_equal(*(strchr(l3, '\n') + 1), 0);
    l2[-1] = l3[-1] = 0;
    *strchr(l3, '\n') = 0;

    val_t *r1 = parse(&a, l1);
    assert_string_equal(get_str(r1, "decision_id"), id1);
    assert_string_equal(get_str(r1, "path"), "authz/allow");
    char want[65];
    sha_hex("{\"n\":[1,2.50],\"password\":\"s3cr3t-value\",\"user\":\"alice\"}", want);
    assert_string_equal(get_str(r1, "input_sha256"), want);
    val_t *res = val_obj_get_str(r1, "result", 6);
    assert_non_null(res);
    assert_true(val_obj_get_str(res, "allow", 5) == VAL_TRUE);
    assert_int_equal(val_obj_get_str(r1, "revision", 8)->u.i, 42);
    assert_int_equal(val_obj_get_str(r1, "latency_ns", 10)->u.i, 123456);
    const char *ts = get_str(r1, "timestamp");
    assert_true(strlen(ts) >= 20 && ts[4] == '-' && ts[10] == 'T' && ts[strlen(ts) - 1] == 'Z');

    val_t *r2 = parse(&a, l2);
    assert_string_equal(get_str(r2, "decision_id"), id2);
    assert_null(val_obj_get_str(r2, "result", 6));
    assert_string_equal(get_str(r2, "input_sha256"), want);

    val_t *r3 = parse(&a, l3);
    assert_true(val_obj_get_str(r3, "input_sha256", 12) == VAL_NULLV);
    assert_null(val_obj_get_str(r3, "result", 6));
    assert_true(val_obj_get_str(r3, "result_truncated", 16) == VAL_TRUE);
    assert_int_equal(strlen(get_str(r3, "result_sha256")), 64);

    gh_free(text);
    gh_arena_free(&a);
    unlink(path);
}

typedef struct {
    srv_declog *d;
    int n;
} prod_arg;

static void *producer(void *p) {
    prod_arg *pa = p;
    srv_worker w = {0};
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *in = val_obj_new(&a, 1);
    val_obj_put(&a, in, val_str(&a, "k", 1), val_int(&a, 5));
    char id[37];
    for (int i = 0; i < pa->n; i++)
        srv_declog_record(pa->d, &w, "p/q", in, VAL_FALSE, 1, i, id);
    gh_arena_free(&a);
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    char path[256];
    srv_declog *d = open_tmp(path, "conc.jsonl");
    enum { NT = 4, N = 6000 };
    pthread_t th[NT];
    prod_arg pa = {d, N};
    for (int i = 0; i < NT; i++)
        assert_int_equal(pthread_create(&th[i], NULL, producer, &pa), 0);
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    srv_declog_close(d); /* flushes what is queued; counters read before free below */
    char *text = NULL;
    gh_err e;
    size_t len = 0;
    assert_int_equal(gh_read_file(path, 64 << 20, &text, &len, &e), 0);
    size_t lines = 0;
    gh_arena a;
    gh_arena_init(&a, 0);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = 0;
        val_t *v = parse(&a, p);
        assert_true(val_obj_get_str(v, "result", 6) == VAL_FALSE);
        lines++;
        p = nl + 1;
        if ((lines & 1023) == 0) gh_arena_reset(&a);
    }
    /* the queue holds 4096; producers may outrun the writer, never block:
     * everything recorded was either written or dropped */
    assert_true(lines > 0 && lines <= NT * N);
    gh_arena_free(&a);
    gh_free(text);
    unlink(path);
}

static void test_counters(void **state) {
    (void)state;
    char path[256];
    srv_declog *d = open_tmp(path, "count.jsonl");
    prod_arg pa = {d, 20000};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, producer, &pa);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    /* wait for the writer to catch up, then the sum is exact */
    for (int i = 0; i < 500 && srv_declog_written(d) + srv_declog_dropped(d) < 40000; i++)
        usleep(10000);
    assert_int_equal(srv_declog_written(d) + srv_declog_dropped(d), 40000);
    srv_declog_close(d);
    unlink(path);
    assert_int_equal(srv_declog_dropped(NULL), 0);
    assert_int_equal(srv_declog_written(NULL), 0);
}

static void test_open_errors(void **state) {
    (void)state;
    gh_err e;
    gh_err_clear(&e);
    assert_null(srv_declog_open("/nonexistent-dir/x/decisions.jsonl", &e));
    assert_int_equal(e.code, GH_EIO);
    assert_non_null(strstr(e.msg, "decision log"));
    /* logging off: a handle that only makes ids */
    srv_declog *d = srv_declog_open(NULL, &e);
    assert_non_null(d);
    char id[37];
    srv_declog_record(d, NULL, "a", NULL, VAL_TRUE, 1, 1, id);
    assert_uuid_v4(id);
    assert_int_equal(srv_declog_written(d), 0);
    srv_declog_close(d);
    srv_declog_close(NULL);
}

/* every allocation of a record failing in turn: the record is dropped and
 * counted, the id is still filled, nothing leaks or crashes */
static void test_alloc_failures(void **state) {
    (void)state;
    char path[256];
    srv_declog *d = open_tmp(path, "oom.jsonl");
    gh_arena a;
    gh_arena_init(&a, 0);
    val_t *input = parse(&a, "{\"a\":[1,2,3],\"b\":\"xyz\"}");
    srv_worker w = {0};
    char id[37];
    int dropped = 0;
    for (long n = 0; n < 12; n++) {
        gh_alloc_fail_after(n);
        uint64_t before = srv_declog_dropped(d);
        srv_declog_record(d, &w, "p", input, VAL_TRUE, 1, 1, id);
        gh_alloc_fail_after(-1);
        assert_uuid_v4(id);
        dropped += (int)(srv_declog_dropped(d) - before);
    }
    assert_true(dropped >= 1);
    srv_declog_close(d);
    /* opening fails cleanly when the first allocations fail */
    gh_err e;
    for (long n = 0; n < 3; n++) {
        gh_alloc_fail_after(n);
        gh_err_clear(&e);
        srv_declog *d2 = srv_declog_open(path, &e);
        gh_alloc_fail_after(-1);
        if (d2)
            srv_declog_close(d2);
        else
            assert_int_equal(e.code, GH_ENOMEM);
    }
    gh_arena_free(&a);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
