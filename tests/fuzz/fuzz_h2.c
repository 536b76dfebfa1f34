/* fuzz_h2.c - libFuzzer target for the server's HTTP/2 sessions
 * (src/server/h2.c over nghttp2): the input, after the client preface, is
 * fed in pieces whose sizes come from its first byte; every complete request
 * is answered (some with a body, some HEAD-like), the output is flushed to
 * nowhere after each piece, and a GOAWAY ends the session. Limits are small
 * so the 431/413 paths run. Nothing may crash, leak or read out of bounds.
 * Replayed over tests/fuzz/corpus/h2/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_req(srv_h2 *h, const srv_h2_req *rq, void *arg) {
    (void)arg;
    static const char *const nm[] = {"Content-Type", "Connection-Free"};
    static const char *const vl[] = {"application/json", "yes"};
    size_t n = rq->body_len < 64 ? rq->body_len : 64;
    srv_h2_respond(h, rq->stream_id, (rq->nhdr & 1) ? 404 : 200, nm, vl, 2, rq->body, n,
                   rq->method[0] == 'H');
}

static int sink(void *arg, const void *p, size_t n) {
    (void)arg;
    (void)p;
    (void)n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 20)) return 0;
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;
    srv_h2_limits lim = {.max_header_bytes = 512, .max_body_bytes = 256, .on_refused = NULL};
    srv_h2 *h = srv_h2_new(&lim, on_req, NULL);
    if (!h) return 0;
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    if (srv_h2_feed(h, preface, SRV_H2_PREFACE_LEN) == SRV_H2_PREFACE_LEN) {
        for (size_t off = 0; off < size;) {
            size_t n = size - off < piece ? size - off : piece;
            long r = srv_h2_feed(h, data + off, n);
            if (srv_h2_flush(h, sink, NULL) != 0 || r < 0) break;
            off += n;
        }
        (void)srv_h2_arriving(h);
        srv_h2_shutdown(h);
        srv_h2_flush(h, sink, NULL);
        (void)srv_h2_done(h);
    }
    srv_h2_free(h);
    return 0;
}
