/* test_h2.c - unit tests of the server's HTTP/2 sessions (src/server/h2.c)
 * without sockets: a real nghttp2 client session talks to srv_h2 in memory
 * (pump() moves bytes both ways until both sides are quiet). Covers
 * requests with and without bodies, many concurrent streams, HEAD, the
 * header and body limits (431/413 on the stream, the connection goes on),
 * client resets, trailers, a response given later, GOAWAY and a bad
 * preface. */
#include "../gh_test.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_int.h"

#define MAXS 256

typedef struct got {
    int status;
    char body[512];
    size_t body_len;
    char ctype[64];
    char clen[16];
    bool closed;
    uint32_t close_code;
} got;

typedef struct pair {
    srv_h2 *srv;
    nghttp2_session *cli;
    got res[MAXS * 2 + 2]; /* by client stream id */
    bool goaway;
    /* what the server saw */
    int nreq;
    char last_method[16], last_path[128], last_body[512];
    size_t last_body_len;
    int last_nhdr;
    char last_hdr[128];
    int32_t deferred; /* stream of a /defer request, answered by the test */
    int refused[4];
    int nrefused;
} pair;

static pair P;

/* ---- the server side ------------------------------------------------------------ */

static void on_req(srv_h2 *h, const srv_h2_req *rq, void *arg) {
    pair *p = arg;
    p->nreq++;
    snprintf(p->last_method, sizeof p->last_method, "%s", rq->method);
    snprintf(p->last_path, sizeof p->last_path, "%s", rq->path);
    p->last_body_len = rq->body_len < sizeof p->last_body ? rq->body_len : sizeof p->last_body;
    memcpy(p->last_body, rq->body, p->last_body_len);
    p->last_nhdr = rq->nhdr;
    p->last_hdr[0] = '\0';
    for (int i = 0; i < rq->nhdr; i++)
        if (strcmp(rq->names[i], "x-test") == 0)
            snprintf(p->last_hdr, sizeof p->last_hdr, "%s", rq->values[i]);
    if (strcmp(rq->path, "/defer") == 0) {
        p->deferred = rq->stream_id;
        return;
    }
    static const char *const nm[] = {"Content-Type", "X-Extra"};
    static const char *const vl[] = {"text/plain", "1"};
    char body[160];
    int n = snprintf(body, sizeof body, "%s %s %zu", rq->method, rq->path, rq->body_len);
    bool head = strcmp(rq->method, "HEAD") == 0;
    assert_int_equal(srv_h2_respond(h, rq->stream_id, 200, nm, vl, 2, body, (size_t)n, head), 0);
}

static void on_refused(srv_h2 *h, int32_t id, int status, void *arg) {
    pair *p = arg;
    if (p->nrefused < 4) p->refused[p->nrefused++] = status;
    const char *msg = srv_h2_refusal_text(status);
    assert_int_equal(srv_h2_respond(h, id, status, NULL, NULL, 0, msg, strlen(msg), false), 0);
}

/* ---- the client side ------------------------------------------------------------- */

static got *res_of(int32_t id) {
    assert_true(id > 0 && id < (int32_t)(sizeof P.res / sizeof P.res[0]));
    return &P.res[id];
}

static int c_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                    const uint8_t *value, size_t vl, uint8_t flags, void *ud) {
    (void)s, (void)flags, (void)ud;
    if (f->hd.type != NGHTTP2_HEADERS) return 0;
    got *g = res_of(f->hd.stream_id);
    if (nl == 7 && memcmp(name, ":status", 7) == 0) g->status = atoi((const char *)value);
    if (nl == 12 && memcmp(name, "content-type", 12) == 0)
        snprintf(g->ctype, sizeof g->ctype, "%.*s", (int)vl, value);
    if (nl == 14 && memcmp(name, "content-length", 14) == 0)
        snprintf(g->clen, sizeof g->clen, "%.*s", (int)vl, value);
    return 0;
}

static int c_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                  void *ud) {
    (void)s, (void)flags, (void)ud;
    got *g = res_of(id);
    size_t room = sizeof g->body - g->body_len;
    if (len > room) len = room;
    memcpy(g->body + g->body_len, data, len);
    g->body_len += len;
    return 0;
}

static int c_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud) {
    (void)s, (void)ud;
    got *g = res_of(id);
    g->closed = true;
    g->close_code = code;
    return 0;
}

static int c_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud) {
    (void)s, (void)ud;
    if (f->hd.type == NGHTTP2_GOAWAY) P.goaway = true;
    return 0;
}

static int to_client(void *arg, const void *p, size_t n) {
    pair *pr = arg;
    ssize_t r = nghttp2_session_mem_recv(pr->cli, p, n);
    return r == (ssize_t)n ? 0 : -1;
}

/* Move bytes both ways until neither side has anything to send. Returns
 * -1 when the server refused the client's bytes. */
static int pump(void) {
    for (int round = 0; round < 1000; round++) {
        bool moved = false;
        const uint8_t *d;
        ssize_t n;
        while ((n = nghttp2_session_mem_send(P.cli, &d)) > 0) {
            moved = true;
            if (srv_h2_feed(P.srv, d, (size_t)n) != n) {
                srv_h2_flush(P.srv, to_client, &P);
                return -1;
            }
        }
        assert_true(n == 0);
        int rc = srv_h2_flush(P.srv, to_client, &P);
        assert_int_equal(rc, 0);
        if (!moved && !nghttp2_session_want_write(P.cli)) return 0;
    }
    fail_msg("pump did not settle");
    return -1;
}

typedef struct src_buf {
    const char *p;
    size_t len, off;
} src_buf;

static ssize_t c_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                      nghttp2_data_source *src, void *ud) {
    (void)s, (void)id, (void)ud;
    src_buf *b = src->ptr;
    size_t left = b->len - b->off;
    if (len > left) len = left;
    memcpy(buf, b->p + b->off, len);
    b->off += len;
    if (b->off == b->len) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)len;
}

#define NV(n, v)                                                                                   \
    { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

/* Submit a request; body NULL: none. Extra field x-test: xtest when set. */
static int32_t request(const char *method, const char *path, src_buf *body, const char *xtest,
                       bool with_length) {
    char cl[24];
    snprintf(cl, sizeof cl, "%zu", body ? body->len : 0);
    nghttp2_nv nv[7] = {NV(":method", method), NV(":path", path), NV(":scheme", "https"),
                        NV(":authority", "localhost")};
    size_t k = 4;
    if (xtest) nv[k++] = (nghttp2_nv)NV("x-test", xtest);
    if (body && with_length) nv[k++] = (nghttp2_nv)NV("content-length", cl);
    nghttp2_data_provider prd = {.source.ptr = body, .read_callback = c_read};
    int32_t id = nghttp2_submit_request(P.cli, NULL, nv, k, body ? &prd : NULL, NULL);
    assert_true(id > 0);
    return id;
}

static int setup(void **state) {
    (void)state;
    memset(&P, 0, sizeof P);
    srv_h2_limits lim = {.max_header_bytes = 1024, .max_body_bytes = 64, .on_refused = on_refused};
    P.srv = srv_h2_new(&lim, on_req, &P);
    assert_non_null(P.srv);
    nghttp2_session_callbacks *cb;
    assert_int_equal(nghttp2_session_callbacks_new(&cb), 0);
    nghttp2_session_callbacks_set_on_header_callback(cb, c_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, c_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, c_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, c_frame);
    assert_int_equal(nghttp2_session_client_new(&P.cli, cb, &P), 0);
    nghttp2_session_callbacks_del(cb);
    assert_int_equal(nghttp2_submit_settings(P.cli, NGHTTP2_FLAG_NONE, NULL, 0), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    nghttp2_session_del(P.cli);
    srv_h2_free(P.srv);
    return 0;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_get_and_post(void **state) {
    (void)state;
    int32_t a = request("GET", "/v1/data/x?pretty", NULL, "one", false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 200);
    assert_true(res_of(a)->closed);
    assert_string_equal(res_of(a)->body, "GET /v1/data/x?pretty 0");
    assert_string_equal(res_of(a)->ctype, "text/plain");
    assert_string_equal(res_of(a)->clen, "23");
    assert_string_equal(P.last_hdr, "one");
    src_buf b = {"{\"input\":1}", 11, 0};
    int32_t c = request("POST", "/v1/data", &b, NULL, true);
    assert_int_equal(pump(), 0);
    assert_string_equal(res_of(c)->body, "POST /v1/data 11");
    assert_int_equal((int)P.last_body_len, 11);
    assert_memory_equal(P.last_body, "{\"input\":1}", 11);
    /* a body without content-length (DATA frames only) */
    src_buf b2 = {"abc", 3, 0};
    int32_t d = request("PUT", "/p", &b2, NULL, false);
    assert_int_equal(pump(), 0);
    assert_string_equal(res_of(d)->body, "PUT /p 3");
    assert_int_equal(srv_h2_arriving(P.srv), 0);
    assert_false(srv_h2_done(P.srv));
}

static void test_many_streams(void **state) {
    (void)state;
    int32_t ids[100];
    for (int i = 0; i < 100; i++) {
        char path[32];
        snprintf(path, sizeof path, "/s/%d", i);
        ids[i] = request("GET", path, NULL, NULL, false);
    }
    assert_int_equal(pump(), 0);
    for (int i = 0; i < 100; i++) {
        char want[40];
        snprintf(want, sizeof want, "GET /s/%d 0", i);
        assert_int_equal(res_of(ids[i])->status, 200);
        assert_string_equal(res_of(ids[i])->body, want);
    }
    assert_int_equal(P.nreq, 100);
}

static void test_head(void **state) {
    (void)state;
    int32_t a = request("HEAD", "/h", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 200);
    assert_int_equal((int)res_of(a)->body_len, 0);
    assert_string_equal(res_of(a)->clen, "9"); /* what GET would carry */
}

static void test_header_limit(void **state) {
    (void)state;
    char big[1100];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int32_t a = request("GET", "/big", NULL, big, false);
    int32_t b = request("GET", "/small", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 431);
    assert_non_null(strstr(res_of(a)->body, "request header fields too large"));
    assert_int_equal(res_of(b)->status, 200);
    assert_int_equal(P.nreq, 1);
    assert_int_equal(P.nrefused, 1);
    assert_int_equal(P.refused[0], 431);
}

static void test_body_limit(void **state) {
    (void)state;
    char big[100];
    memset(big, 'x', sizeof big);
    src_buf b1 = {big, sizeof big, 0}, b2 = {big, sizeof big, 0};
    int32_t a = request("POST", "/declared", &b1, NULL, true);  /* refused on content-length */
    int32_t b = request("POST", "/streamed", &b2, NULL, false); /* refused on the data */
    int32_t c = request("GET", "/after", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 413);
    assert_int_equal(res_of(b)->status, 413);
    assert_non_null(strstr(res_of(b)->body, "request body too large"));
    assert_int_equal(res_of(c)->status, 200);
    assert_int_equal(P.nreq, 1);
    assert_int_equal(P.nrefused, 2);
    assert_int_equal(srv_h2_arriving(P.srv), 0);
}

/* A POST whose header block is sent without END_STREAM: the request stays
 * open (arriving) until the test ends or resets it. */
static int32_t open_post(const char *path) {
    nghttp2_nv nv[4] = {NV(":method", "POST"), NV(":path", path), NV(":scheme", "https"),
                        NV(":authority", "h")};
    int32_t id = nghttp2_submit_headers(P.cli, NGHTTP2_FLAG_NONE, -1, NULL, nv, 4, NULL);
    assert_true(id > 0);
    assert_int_equal(pump(), 0);
    assert_int_equal(srv_h2_arriving(P.srv), 1);
    return id;
}

static void test_client_reset(void **state) {
    (void)state;
    /* a reset before the request ends: nothing reaches the callback */
    int32_t id = open_post("/r");
    assert_int_equal(nghttp2_submit_rst_stream(P.cli, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL), 0);
    assert_int_equal(pump(), 0);
    assert_int_equal(srv_h2_arriving(P.srv), 0);
    assert_int_equal(P.nreq, 0);
    int32_t b = request("GET", "/ok", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(b)->status, 200);
}

static void test_trailers(void **state) {
    (void)state;
    int32_t id = open_post("/t");
    nghttp2_nv tr[1] = {NV("x-test", "trailer")};
    assert_int_equal(nghttp2_submit_headers(P.cli, NGHTTP2_FLAG_END_STREAM, id, NULL, tr, 1, NULL),
                     0);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(id)->status, 200);
    assert_string_equal(P.last_hdr, ""); /* trailer fields are not request fields */
}

static void test_deferred(void **state) {
    (void)state;
    int32_t a = request("GET", "/defer", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 0);
    assert_int_equal(P.deferred, a);
    static const char *const nm[] = {"Retry-After"};
    static const char *const vl[] = {"3"};
    assert_int_equal(srv_h2_respond(P.srv, a, 429, nm, vl, 1, "{}", 2, false), 0);
    assert_int_equal(srv_h2_respond(P.srv, a, 200, NULL, NULL, 0, "", 0, false), -1); /* once */
    assert_int_equal(srv_h2_respond(P.srv, 99, 200, NULL, NULL, 0, "", 0, false), -1);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 429);
    assert_string_equal(res_of(a)->body, "{}");
}

static void test_goaway(void **state) {
    (void)state;
    int32_t a = request("GET", "/a", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 200);
    srv_h2_shutdown(P.srv);
    assert_int_equal(pump(), 0);
    assert_true(P.goaway);
    assert_true(srv_h2_done(P.srv));
}

static void test_bad_preface(void **state) {
    (void)state;
    static const char h1[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(srv_h2_feed(P.srv, h1, sizeof h1 - 1), -1);
    assert_int_equal(srv_h2_feed(P.srv, "", 0), -1); /* stays failed */
    assert_int_equal(srv_h2_preface(h1, sizeof h1 - 1), -1);
    assert_int_equal(srv_h2_preface("PRI * HTTP/2", 12), 0);
    assert_int_equal(srv_h2_preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nxyz", 27), 1);
}

static void test_protocol_error(void **state) {
    (void)state;
    int32_t a = request("GET", "/a", NULL, NULL, false);
    assert_int_equal(pump(), 0);
    assert_int_equal(res_of(a)->status, 200);
    /* a DATA frame on stream 0 is a connection error: nghttp2 queues
     * GOAWAY(PROTOCOL_ERROR) itself; once it is out, the session is done */
    static const unsigned char bad[] = {0, 0, 1, 0 /* DATA */, 0, 0, 0, 0, 0, 'x'};
    srv_h2_feed(P.srv, bad, sizeof bad);
    assert_false(srv_h2_done(P.srv));
    assert_int_equal(srv_h2_flush(P.srv, to_client, &P), 0);
    assert_true(P.goaway);
    assert_true(srv_h2_done(P.srv));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_and_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
        cmocka_unit_test_setup_teardown(test_goaway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_preface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protocol_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
