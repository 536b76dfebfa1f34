/* http_int.h - the transport's private interfaces (serve.c, http.c,
 * http_io.c, http_parse.c, tls.c, ratelimit.c, privdrop.c); nothing outside the
 * transport includes it. The HTTP/1.1 parser is pure (no sockets) so unit
 * tests drive it directly; worker threads own everything else. */
#ifndef GH_SRV_HTTP_INT_H
#define GH_SRV_HTTP_INT_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <time.h>
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

/* ==== TLS (tls.c) ============================================================ */

/* The server's SSL_CTX from the configured files (or the development
 * certificate when cert is NULL and dev_cert is set): TLS 1.3 only unless
 * c->tls_allow_12, HTTP/1.1 ALPN, client certificates verified against
 * tls_client_ca_file when set (required when authn is SRV_AUTHN_TLS). */
SSL_CTX *srv_tls_ctx_new(const srv_config *c, const char *cert, const char *key, gh_err *e);

/* Make sure a development CA and a server certificate signed by it exist in
 * dir (created 0700 when missing): dev-ca.crt, dev-server.crt and
 * dev-server.key (0600), ECDSA P-256, SANs localhost, 127.0.0.1, ::1 and the
 * host name; the CA is name-constrained to those and its private key is
 * never written (a dev-ca.key left by an earlier version is removed).
 * Existing files are reused while the server certificate has at least a
 * day left; then a new CA issues a new certificate. Paths (heap) go to
 * *cert, *key, *ca; *created tells whether new files were written. */
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
    bool hs_done, reading, eof, failed, write_wants_read, corked;
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
/* Cork: writes queue until uncorked, which writes them at once (-1 when
 * the connection is broken). */
int srv_io_cork(srv_io *io, bool on);
/* Pause or resume reading (backpressure; reading resumes at most once EOF). */
void srv_io_read(srv_io *io, bool on);
size_t srv_io_pending(const srv_io *io);

/* ==== HTTP/2 (h2.c) ==============================================================
 * One server session per connection on nghttp2, socket-free: bytes in
 * through srv_h2_feed, frames out through srv_h2_flush. Single-threaded
 * (the connection's worker). */
typedef struct srv_h2 srv_h2;

/* A complete request. Everything points into the stream's storage and is
 * valid during the callback only; path is writable (srv_target_split). */
typedef struct srv_h2_req {
    int32_t stream_id;
    const char *method;
    char *path;                               /* :path, the request-target */
    const char *authority;                    /* NULL when absent */
    const char *const *names, *const *values; /* regular fields, lower-case names */
    int nhdr;
    const char *body;
    size_t body_len;
} srv_h2_req;
typedef void (*srv_h2_req_cb)(srv_h2 *h, const srv_h2_req *rq, void *arg);

typedef struct srv_h2_limits {
    size_t max_header_bytes; /* field section size (names + values + 32 each) -> 431 */
    size_t max_body_bytes;   /* -> 413 */
    /* a stream refused for its size (status 431 or 413): the callback
     * answers it (srv_h2_respond, with srv_h2_refusal_text as the message);
     * when NULL, h2.c answers with a bare JSON error */
    void (*on_refused)(srv_h2 *h, int32_t stream_id, int status, void *arg);
} srv_h2_limits;

/* Most response header fields srv_h2_respond sends (besides :status and
 * content-length). */
#define SRV_H2_MAX_RESP_FIELDS 40

/* A session whose SETTINGS are queued; NULL on allocation failure. cb gets
 * every complete request, arg is passed to it. */
srv_h2 *srv_h2_new(const srv_h2_limits *lim, srv_h2_req_cb cb, void *arg);
void srv_h2_free(srv_h2 *h);
/* Bytes received (starting with the client preface). Returns how many were
 * taken (all, unless an error), or -1 on a connection error: a GOAWAY is
 * queued when one can be sent; flush, then close. */
long srv_h2_feed(srv_h2 *h, const void *p, size_t n);
/* Answer a stream: status, header fields (any case; lower-cased here),
 * body copied (not sent for HEAD, 204, 304; content-length is added).
 * -1 when the stream is gone (reset by the client) or on OOM. */
int srv_h2_respond(srv_h2 *h, int32_t stream_id, int status, const char *const *names,
                   const char *const *values, int nhdr, const void *body, size_t len,
                   bool head_only);
/* Hand every queued frame to sink (its bytes are valid during the call
 * only). -1 when the session failed or sink did. */
int srv_h2_flush(srv_h2 *h, int (*sink)(void *arg, const void *p, size_t n), void *arg);
/* Graceful close: GOAWAY naming the last stream taken; streams already
 * open finish. */
void srv_h2_shutdown(srv_h2 *h);
/* Nothing more to read or write (after GOAWAY both ways, or a failure
 * whose GOAWAY was flushed): the connection can close. */
bool srv_h2_done(const srv_h2 *h);
/* Requests whose header fields or body are still arriving. */
int srv_h2_arriving(const srv_h2 *h);
/* The error message for a refusal status (413, 431). */
const char *srv_h2_refusal_text(int status);
/* Does p[0..n) start with the HTTP/2 client connection preface? 1 yes,
 * -1 no, 0 not yet known (n is short and matches so far). */
int srv_h2_preface(const void *p, size_t n);
/* Length of that preface. */
#define SRV_H2_PREFACE_LEN 24

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

/* ==== worker internals (http.c: loops, connections, timers; http_req.c:
 * requests over HTTP/1.1 and HTTP/2) ============================================ */

/* connection phase (HTTP/1.1 framing; HTTP/2 connections stay in PH_HEAD
 * until PH_CLOSING) and timer kinds */
enum { PH_HEAD, PH_BODY, PH_CHUNKED, PH_CLOSING };
enum { T_NONE, T_READ, T_IDLE, T_LINGER };

typedef struct srv_conn srv_conn;
struct srv_conn {
    srv_http *w;
    srv_io io;
    srv_conn *prev, *next;
    struct event timer;
    int tkind;
    int phase;
    bool started; /* bytes of the current request have arrived */
    bool continue_sent;
    bool read_paused; /* backpressure: too much unsent output */
    bool principal_done;
    bool proto_known;     /* HTTP/1.1 or HTTP/2 decided (ALPN, or the h2c preface) */
    srv_h2 *h2;           /* HTTP/2 session; NULL: HTTP/1.1 */
    int32_t h2_sid;       /* the stream whose request is being handled */
    int busy;             /* inside process()/a timer: frees are deferred */
    bool dead;            /* the peer went away while busy */
    size_t scanned;       /* input bytes already searched for the end of the head */
    size_t hdr_len, need; /* PH_BODY: head length, head + body length */
    int64_t req_start_ns;
    char *chdr; /* PH_CHUNKED: copy of the head */
    size_t chdr_len;
    gh_buf cbody; /* PH_CHUNKED: decoded body */
    srv_chunked dec;
    char *principal;         /* verified client certificate subject (heap) */
    unsigned char *peer_der; /* its certificates as sent, DER (heap; authz input) */
    size_t peer_der_len;
    char peer[INET6_ADDRSTRLEN + 2];
};

struct srv_http {
    srv_worker pub; /* what handlers see (first: handlers get &pub) */
    srv_http_shared *sh;
    const srv_config *cfg;
    struct event_base *base;
    struct evconnlistener *lis[SRV_MAX_LISTEN];
    int nlis;
    int stop_pipe[2];
    struct event *stop_ev, *grace_ev;
    _Atomic int grace_ms;
    pthread_t th;
    bool started;
    srv_conn *conns;
    int nconns;
    bool draining;
    const struct timeval *tv_read, *tv_idle, *tv_linger;
    struct timeval tv_write;
    gh_arena arena;
    gh_buf body, out;
    gh_buf alog; /* access log lines not yet written */
    struct event *alog_ev;
    struct event *accept_ev; /* re-enables the listeners after EMFILE */
    char *hbuf, *pbuf;       /* head copy and decoded path, max_header_bytes + 1 each */
    size_t hcap;
    time_t date_t;
    char date[40];
};

/* http.c */
void srv_conn_timer(srv_conn *c, int kind);
/* Stop parsing, discard further input, free once the output is written. */
void srv_conn_close_after_write(srv_conn *c);
void srv_http_date(srv_http *w); /* refresh w->date (once per second) */
void srv_alog_done(srv_http *w); /* after an access-log line: write when enough gathered */
/* http_req.c */
/* Answer a transport-level error (OPA's error shape); an HTTP/1.1
 * connection closes unless keep. */
void srv_conn_reply_error(srv_conn *c, int status, const char *msg, bool keep, const char *xname,
                          const char *xval);
void srv_conn_h1_process(srv_conn *c); /* answer every complete HTTP/1.1 request read */
void srv_conn_h2_process(srv_conn *c); /* feed what was read to the HTTP/2 session */
void srv_conn_h2_pump(srv_conn *c);    /* send what it queued, close when over, timers */
/* HTTP/1.1 or HTTP/2 (ALPN, or the h2c preface): 1 decided, 0 more bytes
 * needed, -1 failed. */
int srv_conn_decide(srv_conn *c);

#endif
