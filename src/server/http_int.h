/* http_int.h - the transport's private interfaces (serve.c, http.c,
 * http_io.c, http_parse.c, tls.c, ratelimit.c, privdrop.c); nothing outside the
 * transport includes it. The HTTP/1.1 parser is pure (no sockets) so unit
 * tests drive it directly; worker threads own everything else. */
#ifndef GH_SRV_HTTP_INT_H
#define GH_SRV_HTTP_INT_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/srv_int.h"

/* ==== HTTP/1.1 request head parsing (http_parse.c) ========================= */

/* Most header fields one request may carry; more is answered 431. */
#define SRV_MAX_REQ_HEADERS 100

typedef struct srv_head {
    char *method; /* NUL-terminated, inside the parsed block */
    char *target; /* request-target as received */
    int minor;    /* HTTP/1.<minor> */
    char *names[SRV_MAX_REQ_HEADERS];
    char *values[SRV_MAX_REQ_HEADERS];
    int nhdr;
    /* derived */
    int64_t content_length; /* -1 when absent */
    bool chunked;
    bool expect_continue;
    bool keep_alive; /* after Connection and the HTTP version */
    bool has_host;
} srv_head;

/* Parse a complete request head (request line + header fields, ending with
 * the empty line) held in buf[0..n) in place: CRLFs become NULs. Returns the
 * HTTP status to answer when the head is unacceptable (400 malformed, 431
 * too many fields, 501 unknown transfer coding, 505 version) or 0. */
int srv_head_parse(char *buf, size_t n, srv_head *h);
/* Case-insensitive header lookup; NULL when absent. */
const char *srv_head_get(const srv_head *h, const char *name);

/* Split a request-target into the percent-decoded path (into out, cap
 * bytes, NUL-terminated) and the raw query (after '?', NULL when none;
 * points into target, whose '?' is replaced by NUL). Absolute-form targets
 * ("http://host/p") are reduced to their path. Returns 0, or -1 for a
 * malformed target (bad escape, NUL byte, not starting with '/', too long). */
int srv_target_split(char *target, char *out, size_t cap, const char **query);

/* Chunked body decoder, incremental: feed bytes, it appends chunk data to
 * out. Returns the number of bytes consumed (>= 0; the body is complete when
 * dec->done), or -1 on malformed framing, -2 when the decoded body would
 * exceed max. */
typedef struct srv_chunked {
    int state;
    uint64_t left; /* bytes left in the current chunk */
    int digits;
    bool done;
} srv_chunked;
long srv_chunked_feed(srv_chunked *dec, const char *p, size_t n, gh_buf *out, size_t max);

/* Inflate a gzip (or zlib) body into the arena, at most max bytes.
 * Returns 0 and sets *out and *outn, -1 when the data is corrupt, -2 when the
 * decoded body exceeds max, -3 when the arena ran out. */
int srv_gunzip(const char *in, size_t n, size_t max, gh_arena *a, char **out, size_t *outn);

/* Reason phrase of a status code ("OK", "Not Found", ...). */
const char *srv_status_text(int status);

/* ==== authentication (http_parse.c) =========================================
 * Accepted bearer tokens as raw SHA-256 digests, decoded once at start. */
typedef struct srv_tokens {
    unsigned char (*sha)[32];
    int n;
} srv_tokens;

/* Decode hex SHA-256 strings (64 hex digits, either case). GH_EINVAL
 * naming the bad entry. */
int srv_tokens_init(srv_tokens *t, char *const *hex, int n, gh_err *e);
void srv_tokens_free(srv_tokens *t);
/* Does the header value "Bearer <token>" carry an accepted token? The
 * comparison is constant time over every configured digest. On a match
 * *token_out points at the token text inside authz. */
bool srv_tokens_check(const srv_tokens *t, const char *authz, const char **token_out);

/* ==== TLS (tls.c) ============================================================ */

/* The server's SSL_CTX from the configured files (or the development
 * certificate when cert is NULL and dev_cert is set): TLS 1.3 only unless
 * c->tls_allow_12, HTTP/1.1 ALPN, client certificates verified against
 * tls_client_ca_file when set (required when authn is SRV_AUTHN_TLS). */
SSL_CTX *srv_tls_ctx_new(const srv_config *c, const char *cert, const char *key, gh_err *e);

/* Make sure a development CA and a server certificate signed by it exist in
 * dir (created 0700 when missing): dev-ca.crt, dev-ca.key, dev-server.crt,
 * dev-server.key (keys 0600), ECDSA P-256, SANs localhost, 127.0.0.1, ::1
 * and the host name. Existing files are reused while the server
 * certificate has at least a day left. Paths (heap) go to *cert, *key,
 * *ca; *created tells whether new files were written. */
int srv_tls_devcert(const char *dir, char **cert, char **key, char **ca, bool *created, gh_err *e);

/* Certificate reload (SIGHUP): srv_tls_live_new hooks the start-up context
 * base (which must outlive it) so new handshakes use the context most
 * recently loaded by srv_tls_live_reload (same settings, the files read
 * again); on error the previous certificate stays in use. Thread-safe. */
typedef struct srv_tls_live srv_tls_live;
srv_tls_live *srv_tls_live_new(SSL_CTX *base);
int srv_tls_live_reload(srv_tls_live *l, const srv_config *c, const char *cert, const char *key,
                        gh_err *e);
void srv_tls_live_free(srv_tls_live *l);

/* Subject of the verified client certificate of ssl as text (heap, caller
 * frees), NULL when none or unverified. */
char *srv_tls_peer_subject(SSL *ssl);
/* The verified client's certificates as it sent them (leaf first, then its
 * chain: Go's tls.ConnectionState.PeerCertificates), concatenated DER (heap,
 * caller frees; *n its length); NULL when none, unverified or on OOM. */
unsigned char *srv_tls_peer_chain_der(SSL *ssl, size_t *n);

/* ==== per-client rate limit (ratelimit.c) =====================================
 * Token buckets keyed by client address in a fixed table shared by all
 * workers; each slot has its own tiny spin flag, so only requests from
 * the same client (or a colliding slot) ever wait on each other. */
typedef struct srv_ratelimit srv_ratelimit;

srv_ratelimit *srv_ratelimit_new(double rps, int burst);
void srv_ratelimit_free(srv_ratelimit *rl);
/* Take one token for client at time now_ns. true: allowed. false: refused,
 * *retry_after_s (>= 1) says when a token will be available. */
bool srv_ratelimit_take(srv_ratelimit *rl, const char *client, int64_t now_ns, int *retry_after_s);

/* ==== privileges (privdrop.c) ================================================= */

/* When running as root: switch to user (its uid, gid and no supplementary
 * groups; "nobody" when NULL) and check that root cannot be regained. In
 * every case set PR_SET_NO_NEW_PRIVS. *dropped tells whether ids changed. */
int srv_privdrop(const char *user, bool *dropped, gh_err *e);

/* ==== connection I/O (http_io.c) ==============================================
 * A connection's socket, plain or TLS, on one worker's event base, without
 * bufferevents: responses are written at once (SSL_write/send) and only
 * what the kernel does not take waits for EV_WRITE, so a keep-alive request
 * costs one epoll wait, one read and one write. Input accumulates in `in`
 * (the HTTP parser reads it there); unsent output in `out`. */
enum {
    SRV_IO_READABLE = 1, /* new bytes in io->in */
    SRV_IO_DRAINED = 2,  /* io->out became empty after a delayed write */
    SRV_IO_EOF = 4,      /* the peer closed its side (reading stops) */
    SRV_IO_ERROR = 8,    /* the connection is broken (or the write timed out) */
};
typedef struct srv_io srv_io;
typedef void (*srv_io_cb)(srv_io *io, int what, void *arg);
struct srv_io {
    int fd;
    SSL *ssl; /* NULL: plain TCP */
    struct evbuffer *in, *out;
    struct event rev, wev;
    const struct timeval *wtv; /* write timeout */
    size_t wpend;              /* bytes of an SSL_write to retry (0: none) */
    bool hs_done, reading, eof, failed, write_wants_read;
    srv_io_cb cb;
    void *arg;
};

/* Take over fd (and ssl, already SSL_new'ed; NULL for plain) and start
 * reading (the TLS handshake first). 0, or -1 on allocation failure (fd and
 * ssl are then still the caller's). The callback runs on the event loop,
 * once per event, with every flag that applies; it may free the io. */
int srv_io_init(srv_io *io, struct event_base *base, int fd, SSL *ssl, const struct timeval *wtv,
                srv_io_cb cb, void *arg);
/* Close (TLS close_notify when possible) and free everything. */
void srv_io_free(srv_io *io);
/* Write now what the socket takes, queue the rest. -1 when the connection
 * is broken (io->failed; no callback is made from inside this call). */
int srv_io_write(srv_io *io, const void *p, size_t n);
/* Pause or resume reading (backpressure; reading resumes at most once EOF). */
void srv_io_read(srv_io *io, bool on);
size_t srv_io_pending(const srv_io *io);

/* ==== workers (http.c) ========================================================= */

typedef struct srv_http srv_http;

/* Listening sockets per worker: every configured address, and every
 * address a configured host name resolves to. */
#define SRV_MAX_LISTEN (SRV_MAX_ADDRS * 4)

/* What every worker shares, read-only while serving. */
typedef struct srv_http_shared {
    srv_ctx *ctx;
    SSL_CTX *ssl;      /* NULL: plain HTTP */
    srv_ratelimit *rl; /* NULL: no rate limit */
    srv_tokens tokens;
} srv_http_shared;

/* A worker: its own event base and, for every configured address, its own
 * listening socket (SO_REUSEPORT) or a duplicate of a shared one. fds are
 * taken over (closed by srv_http_free). */
srv_http *srv_http_new(srv_http_shared *sh, int index, const int *fds, int nfds, gh_err *e);
/* Start the worker thread. */
int srv_http_start(srv_http *h, gh_err *e);
/* Ask the worker to stop accepting, finish in-flight requests (up to
 * grace_ms), close its connections and leave its loop; thread-safe. */
void srv_http_stop(srv_http *h, int grace_ms);
/* Join the thread (after srv_http_stop) and free the worker. */
void srv_http_free(srv_http *h);

/* Monotonic clock in ns. */
int64_t srv_now_ns(void);

#endif
