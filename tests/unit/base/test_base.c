/* test_base.c - unit tests of the base module: arena (alignment, reset,
 * budget, realloc), gh_buf (growth, printf, injected allocation failures),
 * whole-file reads, sorted directory listings, gh_err formatting, SipHash-1-3 (checked against an independent reference
 * implementation validated on the published SipHash-2-4 vectors), log key
 * redaction and JSON quoting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../gh_test.h"

#include "base/base.h"

#define ALIGN _Alignof(max_align_t)

/* ---- arena --------------------------------------------------------------------- */
static void test_arena_alignment(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    static const size_t sizes[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 70000, 5, 2};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        unsigned char *p = gh_arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % ALIGN, 0);
        memset(p, 0xAB, sizes[i]); /* ASan catches overruns of the chunk */
    }
    assert_non_null(gh_arena_alloc(&a, 0));
    char *z = gh_arena_calloc(&a, 64);
    for (int i = 0; i < 64; i++) assert_int_equal(z[i], 0);
    char *s = gh_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    char *f = gh_arena_printf(&a, "%s-%d", "x", 42);
    assert_string_equal(f, "x-42");
    gh_arena_free(&a);
}

static void test_arena_reset(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    for (int i = 0; i < 1000; i++) assert_non_null(gh_arena_alloc(&a, 200));
    assert_non_null(gh_arena_alloc(&a, 200000)); /* a big one-off chunk */
    assert_true(gh_arena_used(&a) >= 1000 * 200 + 200000);
    size_t before = a.total;
    gh_arena_reset(&a);
    assert_int_equal(gh_arena_used(&a), 0);
    assert_true(a.total < before);
    assert_true(a.total <= a.chunk_size + 64); /* only the first-size chunk kept */
    assert_int_equal(a.oom, 0);
    char *p = gh_arena_alloc(&a, 32);
    assert_non_null(p);
    memset(p, 1, 32);
    gh_arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_arena_budget(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 8192); /* smaller than one default chunk */
    void *p = gh_arena_alloc(&a, 100);
    assert_non_null(p); /* a small budget still allows small allocations */
    size_t got = 0;
    while (gh_arena_alloc(&a, 256)) got++;
    assert_true(got > 10);
    assert_true(a.oom);
    assert_true(a.total <= 8192);
    /* sticky: even a tiny request fails now, and realloc too */
    assert_null(gh_arena_alloc(&a, 1));
    assert_null(gh_arena_realloc(&a, p, 100, 200));
    assert_null(gh_arena_strndup(&a, "x", 1));
    assert_null(gh_arena_printf(&a, "%d", 1));
    /* absurd sizes fail cleanly */
    gh_arena b;
    gh_arena_init(&b, 0);
    assert_null(gh_arena_alloc(&b, SIZE_MAX - 8));
    assert_true(b.oom);
    gh_arena_free(&b);
    gh_arena_reset(&a);
    assert_int_equal(a.oom, 0);
    assert_non_null(gh_arena_alloc(&a, 64));
    gh_arena_free(&a);
}

static void test_arena_realloc(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    char *p = gh_arena_alloc(&a, 16);
    memcpy(p, "0123456789abcdef", 16);
    char *q = gh_arena_realloc(&a, p, 16, 100);
    assert_ptr_equal(p, q); /* last allocation grows in place */
    assert_memory_equal(q, "0123456789abcdef", 16);
    assert_ptr_equal(gh_arena_realloc(&a, q, 100, 50), q); /* shrinking keeps p */
    char *other = gh_arena_alloc(&a, 8);
    assert_non_null(other);
    char *r = gh_arena_realloc(&a, q, 100, 200);
    assert_ptr_not_equal(r, q); /* no longer last: copied */
    assert_memory_equal(r, "0123456789abcdef", 16);
    assert_int_equal((uintptr_t)r % ALIGN, 0);
    char *n = gh_arena_realloc(&a, NULL, 0, 10);
    assert_non_null(n);
    /* growing past the chunk moves the data to a new chunk */
    char *big = gh_arena_alloc(&a, 32);
    memcpy(big, "abc", 4);
    char *moved = gh_arena_realloc(&a, big, 32, 3 * GH_ARENA_CHUNK);
    assert_non_null(moved);
    assert_string_equal(moved, "abc");
    gh_arena_free(&a);
}

static void test_arena_fault_injection(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    gh_alloc_fail_after(0);
    assert_null(gh_arena_alloc(&a, 10));
    assert_true(a.oom);
    gh_alloc_fail_after(-1);
    gh_arena_reset(&a);
    assert_non_null(gh_arena_alloc(&a, 10));
    gh_arena_free(&a);
}

/* ---- buffers ------------------------------------------------------------------------ */
static void test_buf_growth(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    for (int i = 0; i < 5000; i++) gh_buf_append(&b, "ab", 2);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.p[b.len], '\0');
    assert_int_equal(strspn(b.p, "ab"), 10000);
    gh_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    gh_buf_putc(&b, 'x');
    gh_buf_puts(&b, "yz");
    gh_buf_printf(&b, "-%d-%s-%05.1f", 7, "seven", 3.14159);
    assert_string_equal(b.p, "xyz-7-seven-003.1");
    char longs[300];
    memset(longs, 'q', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    gh_buf_printf(&b, "%s", longs);
    assert_int_equal(b.len, 17 + 299);
    assert_int_equal(b.p[b.len], '\0');
    size_t len;
    char *t = gh_buf_take(&b, &len);
    assert_int_equal(len, 316);
    assert_null(b.p);
    gh_free(t);
    /* take from an empty buffer gives "" */
    t = gh_buf_take(&b, &len);
    assert_non_null(t);
    assert_int_equal(len, 0);
    assert_string_equal(t, "");
    gh_free(t);
    /* a size that would wrap is refused, not trusted */
    gh_buf_init(&b);
    gh_buf_putc(&b, 'a');
    assert_int_equal(gh_buf_reserve(&b, SIZE_MAX), GH_ENOMEM);
    assert_true(b.oom);
    gh_buf_free(&b);
}

static void test_buf_oom(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    gh_alloc_fail_after(0);
    gh_buf_puts(&b, "hello");
    gh_alloc_fail_after(-1);
    assert_true(b.oom);
    assert_int_equal(b.len, 0);
    gh_buf_puts(&b, "more"); /* ignored after oom */
    gh_buf_putc(&b, 'c');
    gh_buf_printf(&b, "%d", 1);
    assert_int_equal(b.len, 0);
    gh_buf_free(&b);

    /* failure in the middle of growth keeps what was written */
    gh_buf_init(&b);
    gh_buf_puts(&b, "abc");
    gh_alloc_fail_after(0);
    char big[200];
    memset(big, 'z', sizeof big);
    gh_buf_append(&b, big, sizeof big);
    gh_alloc_fail_after(-1);
    assert_true(b.oom);
    assert_string_equal(b.p, "abc");
    gh_buf_putc(&b, 'd'); /* still ignored even though there is room */
    assert_string_equal(b.p, "abc");
    gh_buf_free(&b);

    /* the n+1-th allocation fails */
    gh_alloc_fail_after(2);
    void *x = gh_malloc(8), *y = gh_malloc(8), *z = gh_malloc(8);
    gh_alloc_fail_after(-1);
    assert_non_null(x);
    assert_non_null(y);
    assert_null(z);
    gh_free(x);
    gh_free(y);
}

static void test_read_file(void **state) {
    (void)state;
    char path[] = "/tmp/gh_test_base_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    char *data;
    size_t len;
    gh_err e;
    gh_err_clear(&e);
    assert_int_equal(gh_read_file(path, 100, &data, &len, &e), 0);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    gh_free(data);
    assert_int_equal(gh_read_file(path, 5, &data, &len, &e), GH_ELIMIT);
    assert_int_equal(e.code, GH_ELIMIT);
    /* an empty file reads as "" */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(gh_read_file(path, 100, &data, &len, &e), 0);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    gh_free(data);
    unlink(path);
    assert_int_equal(gh_read_file(path, 100, &data, &len, &e), GH_EIO);
    assert_string_equal(e.file, path);
}

static void test_dir_names(void **state) {
    (void)state;
    char dir[] = "/tmp/gh_test_dir_XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const char *const files[] = {"b", "a.rego", ".hidden", "B", "a"};
    char path[128];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);
        assert_true(fd >= 0);
        close(fd);
    }
    char **names;
    size_t n;
    assert_int_equal(gh_dir_names(dir, &names, &n), 0);
    /* bytewise order, dot entries left out */
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "B");
    assert_string_equal(names[1], "a");
    assert_string_equal(names[2], "a.rego");
    assert_string_equal(names[3], "b");
    gh_dir_names_free(names, n);
    /* every allocation failing: GH_ENOMEM and nothing returned */
    for (long k = 0; k < 6; k++) {
        gh_alloc_fail_after(k);
        int rc = gh_dir_names(dir, &names, &n);
        gh_alloc_fail_after(-1);
        if (rc) {
            assert_int_equal(rc, GH_ENOMEM);
            assert_null(names);
            assert_int_equal(n, 0);
        } else {
            gh_dir_names_free(names, n);
        }
    }
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    assert_int_equal(gh_dir_names(dir, &names, &n), GH_EIO);
}

/* ---- errors ------------------------------------------------------------------------- */
static void test_err_format(void **state) {
    (void)state;
    gh_err e;
    char out[600];
    gh_err_clear(&e);
    assert_int_equal(gh_err_set(&e, GH_EPARSE, "a.json", 3, 7, "bad %s", "thing"), GH_EPARSE);
    assert_string_equal(gh_err_format(&e, out, sizeof out), "a.json:3:7: bad thing");
    gh_err_set(&e, GH_EIO, "b.txt", 0, 0, "cannot open");
    assert_string_equal(gh_err_format(&e, out, sizeof out), "b.txt: cannot open");
    gh_err_set(&e, GH_EPARSE, NULL, 2, 5, "oops");
    assert_string_equal(gh_err_format(&e, out, sizeof out), "2:5: oops");
    gh_err_set_file(&e, "late.rego");
    assert_string_equal(gh_err_format(&e, out, sizeof out), "late.rego:2:5: oops");
    gh_err_set_file(&e, "other.rego"); /* does not overwrite */
    assert_string_equal(e.file, "late.rego");
    gh_err_set(&e, GH_ELIMIT, NULL, 0, 0, "too big");
    assert_string_equal(gh_err_format(&e, out, sizeof out), "too big");
    gh_err_set(&e, GH_ENOMEM, NULL, 0, 0, "%s", "");
    assert_string_equal(gh_err_format(&e, out, sizeof out), "out of memory");
    assert_string_equal(gh_err_format(NULL, out, sizeof out), "unknown error");
    char tiny[8];
    gh_err_set(&e, GH_EPARSE, "file.json", 10, 20, "long message here");
    assert_string_equal(gh_err_format(&e, tiny, sizeof tiny), "file.js");
    /* long messages are truncated, never overflowed */
    char longmsg[2000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    gh_err_set(&e, GH_EPARSE, NULL, 0, 0, "%s", longmsg);
    assert_int_equal(strlen(e.msg), GH_ERR_MSG - 1);
    assert_int_equal(gh_err_set(NULL, GH_EINVAL, NULL, 0, 0, "x"), GH_EINVAL);
    assert_string_equal(gh_strerror(GH_ETYPE), "type error");
    assert_string_equal(gh_strerror(12345), "unknown error");
}

/* ---- hashing -------------------------------------------------------------------------- */
#define RROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
/* Independent SipHash-c-d written from the paper (not from hash.c). */
static uint64_t ref_siphash(int c, int d, uint64_t k0, uint64_t k1, const uint8_t *m, size_t n) {
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                     k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
#define ROUND()                                                                                    \
    do {                                                                                           \
        v[0] += v[1];                                                                              \
        v[2] += v[3];                                                                              \
        v[1] = RROTL(v[1], 13);                                                                    \
        v[3] = RROTL(v[3], 16);                                                                    \
        v[1] ^= v[0];                                                                              \
        v[3] ^= v[2];                                                                              \
        v[0] = RROTL(v[0], 32);                                                                    \
        v[2] += v[1];                                                                              \
        v[0] += v[3];                                                                              \
        v[1] = RROTL(v[1], 17);                                                                    \
        v[3] = RROTL(v[3], 21);                                                                    \
        v[1] ^= v[2];                                                                              \
        v[3] ^= v[0];                                                                              \
        v[2] = RROTL(v[2], 32);                                                                    \
    } while (0)
    size_t blocks = n / 8 + 1;
    for (size_t b = 0; b < blocks; b++) {
        uint64_t w = 0;
        for (size_t j = 0; j < 8; j++) {
            size_t i = b * 8 + j;
            uint64_t byte = i < n ? m[i] : 0;
            if (b == blocks - 1 && j == 7) byte = (uint64_t)(n & 0xff); /* length byte */
            w |= byte << (8 * j);
        }
        v[3] ^= w;
        for (int r = 0; r < c; r++) ROUND();
        v[0] ^= w;
    }
    v[2] ^= 0xff;
    for (int r = 0; r < d; r++) ROUND();
#undef ROUND
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void test_siphash(void **state) {
    (void)state;
    uint8_t msg[64];
    for (int i = 0; i < 64; i++) msg[i] = (uint8_t)i;
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    /* The reference is right: published SipHash-2-4 vectors (key 00..0f). */
    assert_true(ref_siphash(2, 4, k0, k1, msg, 0) == 0x726fdb47dd0e0e31ull);
    assert_true(ref_siphash(2, 4, k0, k1, msg, 1) == 0x74f839c593dc67fdull);
    assert_true(ref_siphash(2, 4, k0, k1, msg, 15) == 0xa129ca6149be45e5ull);
    /* gh_siphash13 agrees with it at every length and tail size. */
    for (size_t n = 0; n <= 64; n++) {
        assert_true(gh_siphash13(k0, k1, msg, n) == ref_siphash(1, 3, k0, k1, msg, n));
        assert_true(gh_siphash13(1, 2, msg, n) == ref_siphash(1, 3, 1, 2, msg, n));
    }
}

static void test_hash_seed(void **state) {
    (void)state;
    gh_hash_seed(1, 2);
    uint64_t h1 = gh_hash("abc", 3), h2 = gh_hash("abc", 3);
    assert_true(h1 == h2);
    assert_true(h1 == gh_siphash13(1, 2, "abc", 3));
    assert_true(gh_hash("abd", 3) != h1);
    assert_true(gh_hash("ab", 2) != h1);
    assert_true(gh_hash("", 0) != gh_hash("\0", 1));
    uint64_t x = 0x1122334455667788ull;
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(x >> (8 * i));
    assert_true(gh_hash_u64(x) == gh_siphash13(1, 2, le, 8));
    gh_hash_seed(3, 4);
    assert_true(gh_hash("abc", 3) != h1); /* the key matters */
    gh_hash_seed(1, 2);
    assert_true(gh_hash("abc", 3) == h1);
    /* mix is order dependent */
    assert_true(gh_hash_mix(gh_hash_mix(0, 1), 2) != gh_hash_mix(gh_hash_mix(0, 2), 1));
}

/* ---- logging helpers ------------------------------------------------------------------ */
static void test_log_secret_keys(void **state) {
    (void)state;
    assert_true(gh_log_key_is_secret("password"));
    assert_true(gh_log_key_is_secret("Authorization"));
    assert_true(gh_log_key_is_secret("api_key"));
    assert_true(gh_log_key_is_secret("X-Api-Key"));
    assert_true(gh_log_key_is_secret("db_password_file"));
    assert_true(gh_log_key_is_secret("client_secret"));
    assert_true(gh_log_key_is_secret("SESSION"));
    assert_true(gh_log_key_is_secret("key"));
    assert_true(gh_log_key_is_secret("signing_key"));
    /* every word, anywhere in the key */
    static const char *const words[] = {"password", "passwd", "secret", "token",
                                        "authorization", "cookie", "private", "apikey",
                                        "api_key", "api-key", "credential", "session",
                                        "signature", "bearer"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char k[64];
        snprintf(k, sizeof k, "x_%s_y", words[i]);
        assert_true(gh_log_key_is_secret(k));
        snprintf(k, sizeof k, "%.*s", (int)strlen(words[i]) - 1, words[i]);
        assert_false(gh_log_key_is_secret(k)); /* a word cut short is not one */
    }
    assert_true(gh_log_key_is_secret("ttoken"));
    assert_true(gh_log_key_is_secret("tokeN_"));
    assert_false(gh_log_key_is_secret("name"));
    assert_false(gh_log_key_is_secret("user"));
    assert_false(gh_log_key_is_secret("keyspace"));
    assert_false(gh_log_key_is_secret(""));
    char longkey[400];
    memset(longkey, 'a', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    assert_false(gh_log_key_is_secret(longkey));
}

static void test_json_quote(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    static const char in[] = "a\"b\\c\nd\re\tf\x01g\x1fh";
    gh_json_quote(&b, in, sizeof in - 1);
    assert_string_equal(b.p, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\"");
    gh_buf_reset(&b);
    gh_json_quote(&b, "", 0);
    assert_string_equal(b.p, "\"\"");
    gh_buf_reset(&b);
    gh_json_quote(&b, "x\0y", 3); /* embedded NUL */
    assert_string_equal(b.p, "\"x\\u0000y\"");
    gh_buf_reset(&b);
    gh_json_quote(&b, "caf\xc3\xa9", 5); /* UTF-8 passes through */
    assert_string_equal(b.p, "\"caf\xc3\xa9\"");
    gh_buf_free(&b);
}

static void test_str(void **state) {
    (void)state;
    gh_str s = gh_str_c("hello");
    assert_int_equal(s.n, 5);
    assert_true(gh_str_eq(s, GH_STR("hello")));
    assert_false(gh_str_eq(s, GH_STR("hell")));
    assert_true(gh_str_eqc(GH_STR(""), ""));
    assert_int_equal(gh_str_c(NULL).n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment), cmocka_unit_test(test_arena_reset),
        cmocka_unit_test(test_arena_budget),    cmocka_unit_test(test_arena_realloc),
        cmocka_unit_test(test_arena_fault_injection),
        cmocka_unit_test(test_buf_growth),      cmocka_unit_test(test_buf_oom),
        cmocka_unit_test(test_read_file),       cmocka_unit_test(test_dir_names),
        cmocka_unit_test(test_err_format),
        cmocka_unit_test(test_siphash),         cmocka_unit_test(test_hash_seed),
        cmocka_unit_test(test_log_secret_keys), cmocka_unit_test(test_json_quote),
        cmocka_unit_test(test_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
