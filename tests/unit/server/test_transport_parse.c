/* test_transport_parse.c - unit tests of the server transport's pure parts:
 * HTTP/1.1 request heads (framing, limits, smuggling defences), request
 * targets and percent-decoding, the chunked decoder fed byte by byte, gzip
 * bodies (limit and corruption), bearer-token checks and the per-client
 * token bucket, and the batched access-log lines (gh_log_append). No
 * sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <cmocka.h>

#include "server/http_int.h"

static int parse(const char *text, srv_head *h, char *buf, size_t cap) {
    size_t n = strlen(text);
    assert_true(n < cap);
    memcpy(buf, text, n + 1);
    return srv_head_parse(buf, n, h);
}

static void test_head_ok(void **state) {
    (void)state;
    char buf[1024];
    srv_head h;
    assert_int_equal(parse("POST /v1/data/x?pretty HTTP/1.1\r\nHost: a\r\nContent-Type:  "
                           "application/json \r\nContent-Length: 12\r\n\r\n",
                           &h, buf, sizeof buf),
                     0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.target, "/v1/data/x?pretty");
    assert_int_equal(h.minor, 1);
    assert_int_equal(h.nhdr, 3);
    assert_string_equal(srv_head_get(&h, "content-type"), "application/json");
    assert_int_equal(h.content_length, 12);
    assert_true(h.keep_alive);
    assert_false(h.chunked);
    assert_null(srv_head_get(&h, "accept"));

    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n", &h,
                           buf, sizeof buf),
                     0);
    assert_false(h.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &h, buf, sizeof buf), 0);
    assert_false(h.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &h, buf, sizeof buf),
                     0);
    assert_true(h.keep_alive);
    assert_int_equal(parse("PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: "
                           "100-continue\r\n\r\n",
                           &h, buf, sizeof buf),
                     0);
    assert_true(h.chunked);
    assert_true(h.expect_continue);
    assert_int_equal(h.content_length, -1);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", &h, buf, sizeof buf),
                     0);
    assert_string_equal(srv_head_get(&h, "x-empty"), "");
}

static void test_head_bad(void **state) {
    (void)state;
    char buf[1024];
    srv_head h;
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", 400}, /* no Host */
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n", 400},
        {"GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
         400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int got = parse(cases[i].text, &h, buf, sizeof buf);
        if (got != cases[i].want) fail_msg("case %zu: got %d want %d", i, got, cases[i].want);
    }
    /* too many header fields */
    char big[8192];
    size_t o = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < SRV_MAX_REQ_HEADERS + 1; i++)
        o += (size_t)snprintf(big + o, sizeof big - o, "X-%d: v\r\n", i);
    o += (size_t)snprintf(big + o, sizeof big - o, "\r\n");
    char copy[8192];
    assert_int_equal(parse(big, &h, copy, sizeof copy), 431);
    /* NUL byte inside the head */
    char nul[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    assert_int_equal(srv_head_parse(nul, sizeof nul - 1, &h), 400);
}

static void test_target(void **state) {
    (void)state;
    char out[64];
    const char *q;
    char t1[] = "/v1/data/a%20b/c?x=1&y=%41";
    assert_int_equal(srv_target_split(t1, out, sizeof out, &q), 0);
    assert_string_equal(out, "/v1/data/a b/c");
    assert_string_equal(q, "x=1&y=%41");
    char t2[] = "/v1/data";
    assert_int_equal(srv_target_split(t2, out, sizeof out, &q), 0);
    assert_null(q);
    char t3[] = "http://example.com:8181/health?bundles";
    assert_int_equal(srv_target_split(t3, out, sizeof out, &q), 0);
    assert_string_equal(out, "/health");
    assert_string_equal(q, "bundles");
    char t4[] = "/a%2";
    assert_int_equal(srv_target_split(t4, out, sizeof out, &q), -1);
    char t5[] = "/a%00b";
    assert_int_equal(srv_target_split(t5, out, sizeof out, &q), -1);
    char t6[] = "*";
    assert_int_equal(srv_target_split(t6, out, sizeof out, &q), -1);
    char t7[] =
        "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    assert_int_equal(srv_target_split(t7, out, sizeof out, &q), -1);
    char t8[] = "/a+b%2Fc";
    assert_int_equal(srv_target_split(t8, out, sizeof out, &q), 0);
    assert_string_equal(out, "/a+b/c");
}

static void test_chunked(void **state) {
    (void)state;
    static const char body[] = "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
                               "Trailer: x\r\n\r\nNEXT";
    /* whole */
    srv_chunked d;
    memset(&d, 0, sizeof d);
    gh_buf out;
    gh_buf_init(&out);
    long r = srv_chunked_feed(&d, body, sizeof body - 1, &out, 1000);
    assert_true(d.done);
    assert_int_equal(r, (long)(sizeof body - 1 - 4));
    assert_int_equal(out.len, 23);
    assert_memory_equal(out.p, "Wikipedia in\r\n\r\nchunks.", 23);
    /* one byte at a time */
    memset(&d, 0, sizeof d);
    gh_buf_reset(&out);
    size_t used = 0;
    for (size_t i = 0; i < sizeof body - 1 && !d.done; i++) {
        r = srv_chunked_feed(&d, body + i, 1, &out, 1000);
        assert_true(r >= 0);
        used += (size_t)r;
    }
    assert_true(d.done);
    assert_int_equal(used, sizeof body - 1 - 4);
    assert_int_equal(out.len, 23);
    /* limit */
    memset(&d, 0, sizeof d);
    gh_buf_reset(&out);
    assert_int_equal(srv_chunked_feed(&d, body, sizeof body - 1, &out, 10), -2);
    /* malformed */
    static const char *bad[] = {"x\r\n", "4\r\nWikiX\r\n", "\r\n", "4\n", "fffffffffffffffff\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&d, 0, sizeof d);
        gh_buf_reset(&out);
        assert_int_equal(srv_chunked_feed(&d, bad[i], strlen(bad[i]), &out, 1000), -1);
    }
    gh_buf_free(&out);
}

static size_t gz(const char *in, size_t n, unsigned char *out, size_t cap) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    return len;
}

static void test_gunzip(void **state) {
    (void)state;
    gh_arena a;
    gh_arena_init(&a, 0);
    static const char doc[] = "{\"input\": {\"user\": \"alice\", \"action\": \"read\"}}";
    unsigned char z[256];
    size_t zn = gz(doc, sizeof doc - 1, z, sizeof z);
    char *out;
    size_t on;
    assert_int_equal(srv_gunzip((char *)z, zn, 1000, &a, &out, &on), 0);
    assert_int_equal(on, sizeof doc - 1);
    assert_memory_equal(out, doc, on);
    /* decoded size limit */
    assert_int_equal(srv_gunzip((char *)z, zn, 10, &a, &out, &on), -2);
    /* a bomb: 1 MiB of zeros in ~1 KiB, limit 64 KiB */
    char *zeros = calloc(1, 1 << 20);
    unsigned char *bomb = malloc(1 << 16);
    size_t bn = gz(zeros, 1 << 20, bomb, 1 << 16);
    assert_true(bn < 4096);
    assert_int_equal(srv_gunzip((char *)bomb, bn, 1 << 16, &a, &out, &on), -2);
    assert_int_equal(srv_gunzip((char *)bomb, bn, 2 << 20, &a, &out, &on), 0);
    assert_int_equal(on, 1 << 20);
    free(zeros);
    free(bomb);
    /* corrupt and truncated */
    unsigned char bad[256];
    memcpy(bad, z, zn);
    bad[zn / 2] ^= 0xff;
    assert_int_equal(srv_gunzip((char *)bad, zn, 1000, &a, &out, &on), -1);
    assert_int_equal(srv_gunzip((char *)z, zn - 5, 1000, &a, &out, &on), -1);
    assert_int_equal(srv_gunzip("not gzip at all", 15, 1000, &a, &out, &on), -1);
    gh_arena_free(&a);
}

static void test_tokens(void **state) {
    (void)state;
    /* sha256("s3cret") */
    char *hex[] = {"7e3b1a1b8c1f3f9e3a1a0000000000000000000000000000000000000000000a",
                   "a3e5ed8b8b2b10e1fa7dd6e4d0b1b3a5a0ec58f2e3f0e9f6f2f7b0f0cb6a8d69"};
    /* compute the real digest of "s3cret" so the table holds it */
    unsigned char d[32];
    unsigned int dl;
    EVP_Digest("s3cret", 6, d, &dl, EVP_sha256(), NULL);
    char real[65];
    for (int i = 0; i < 32; i++)
        snprintf(real + 2 * i, 3, "%02X", d[i]);
    hex[1] = real;
    assert_true(srv_tokens_check_hex(hex, 2, "Bearer s3cret"));
    assert_true(srv_tokens_check_hex(hex, 2, "bearer   s3cret"));
    assert_false(srv_tokens_check_hex(hex, 2, "Bearer s3cret2"));
    assert_false(srv_tokens_check_hex(hex, 2, "Basic s3cret"));
    assert_false(srv_tokens_check_hex(hex, 2, "Bearers3cret"));
    assert_false(srv_tokens_check_hex(hex, 2, "Bearer "));
    assert_false(srv_tokens_check_hex(hex, 2, NULL));
    assert_false(srv_tokens_check_hex(hex, 0, "Bearer s3cret"));
    /* malformed digests never match (configuration validation refuses them) */
    char *bad[] = {"abc", "zz3b1a1b8c1f3f9e3a1a0000000000000000000000000000000000000000000a"};
    assert_false(srv_tokens_check_hex(bad, 2, "Bearer s3cret"));
}

static void test_ratelimit(void **state) {
    (void)state;
    srv_ratelimit *rl = srv_ratelimit_new(2.0, 3);
    assert_non_null(rl);
    int64_t t = 1000000000;
    int ra = 0;
    for (int i = 0; i < 3; i++)
        assert_true(srv_ratelimit_take(rl, "10.0.0.1", t, &ra));
    assert_false(srv_ratelimit_take(rl, "10.0.0.1", t, &ra));
    assert_int_equal(ra, 1);
    /* another client is unaffected */
    assert_true(srv_ratelimit_take(rl, "10.0.0.2", t, &ra));
    /* half a second later one token is back */
    assert_true(srv_ratelimit_take(rl, "10.0.0.1", t + 500000000, &ra));
    assert_false(srv_ratelimit_take(rl, "10.0.0.1", t + 500000000, &ra));
    /* many clients: the table recycles slots, and a fresh client always gets its burst */
    char name[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "192.168.%d.%d", i / 256, i % 256);
        assert_true(srv_ratelimit_take(rl, name, t + 600000000, &ra));
    }
    srv_ratelimit_free(rl);
    /* slow rates: Retry-After rounds up */
    rl = srv_ratelimit_new(0.1, 1);
    assert_true(srv_ratelimit_take(rl, "c", t, &ra));
    assert_false(srv_ratelimit_take(rl, "c", t, &ra));
    assert_int_equal(ra, 10);
    srv_ratelimit_free(rl);
    assert_null(srv_ratelimit_new(0, 5));
}

static void test_status_text(void **state) {
    (void)state;
    assert_string_equal(srv_status_text(200), "OK");
    assert_string_equal(srv_status_text(431), "Request Header Fields Too Large");
    assert_string_equal(srv_status_text(429), "Too Many Requests");
    assert_string_equal(srv_status_text(599), "Internal Server Error");
}

/* the access log's batched lines: gh_log's format, secrets redacted */
static void test_log_append(void **state) {
    (void)state;
    gh_buf b;
    gh_buf_init(&b);
    gh_log_setup(GH_LOG_INFO, GH_LOG_PLAIN);
    assert_int_equal(gh_log_append(&b, GH_LOG_DEBUG, "hidden", NULL), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(gh_log_append(&b, GH_LOG_INFO, "request", "path", "/v1/data", "authorization",
                                   "Bearer s3cret", "status", "200", NULL),
                     1);
    assert_non_null(
        strstr(b.p, " info  request path=/v1/data authorization=[REDACTED] status=200\n"));
    assert_null(strstr(b.p, "s3cret"));
    gh_buf_reset(&b);
    gh_log_setup(GH_LOG_INFO, GH_LOG_JSON);
    gh_log_append(&b, GH_LOG_WARN, "x\"y", "k", "v w", NULL);
    assert_non_null(strstr(b.p, "\"level\":\"warn\",\"msg\":\"x\\\"y\",\"k\":\"v w\"}\n"));
    gh_log_setup(GH_LOG_INFO, GH_LOG_PLAIN);
    gh_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_ok),    cmocka_unit_test(test_head_bad),
        cmocka_unit_test(test_target),     cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_gunzip),     cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_ratelimit),  cmocka_unit_test(test_status_text),
        cmocka_unit_test(test_log_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
