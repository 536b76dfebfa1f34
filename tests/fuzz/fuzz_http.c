/* fuzz_http.c - libFuzzer target for the server transport's parsers
 * (src/server/http_parse.c): the first byte picks the parser, the rest is
 * its input. 'h': a request head (srv_head_parse, then srv_target_split on
 * the target it found); 'c': the chunked decoder, fed in pieces whose sizes
 * come from the input; 'z': gzip bodies with a 64 KiB limit; 't': bearer
 * token checks. Nothing may crash, read out of bounds or exceed its limit.
 * Replayed over tests/fuzz/corpus/http/ by the shared replay_main.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 20)) return 0;
    char mode = (char)data[0];
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    char *buf = malloc(n + 1);
    if (!buf) return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (mode == 'h') {
        srv_head h;
        if (srv_head_parse(buf, n, &h) == 0) {
            for (int i = 0; i < h.nhdr; i++)
                if (!h.names[i] || !h.values[i]) abort();
            (void)srv_head_get(&h, "content-type");
            char out[256];
            const char *q;
            if (srv_target_split(h.target, out, sizeof out, &q) == 0 && strlen(out) >= sizeof out)
                abort();
        }
    } else if (mode == 'c') {
        srv_chunked d;
        memset(&d, 0, sizeof d);
        gh_buf out;
        gh_buf_init(&out);
        size_t off = 0, step = 1;
        while (off < n && !d.done) {
            size_t take = step < n - off ? step : n - off;
            long r = srv_chunked_feed(&d, buf + off, take, &out, 4096);
            if (r < 0) break;
            if ((size_t)r > take || out.len > 4096) abort();
            off += (size_t)r;
            if (r == 0) break;
            step = (step * 7 + (unsigned char)buf[off - 1]) % 97 + 1;
        }
        gh_buf_free(&out);
    } else if (mode == 'z') {
        gh_arena a;
        gh_arena_init(&a, 8u << 20);
        char *out;
        size_t on;
        if (srv_gunzip(buf, n, 65536, &a, &out, &on) == 0 && on > 65536) abort();
        gh_arena_free(&a);
    } else if (mode == 't') {
        char *hex[] = {"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"};
        /* sha256("test"): only a bearer credential of exactly "test" matches */
        if (srv_tokens_check_hex(hex, 1, buf)) {
            const char *tok = buf + 7;
            while (*tok == ' ' || *tok == '\t')
                tok++;
            if (strcmp(tok, "test") != 0) abort();
        }
    }
    free(buf);
    return 0;
}
