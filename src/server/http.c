/* http.c - worker threads: one libevent event base each, accepting on its
 * own listening sockets, speaking HTTP/1.1 keep-alive over plain TCP or TLS
 * (socket I/O in http_io.c). A request is read completely (head <= max_header_bytes,
 * body <= max_body_bytes, both within read_timeout), handed to srv_dispatch
 * as a srv_req and answered on the same thread; nothing here blocks and
 * nothing takes a lock on the request path (the rate limiter's per-slot
 * flag excepted). Per-request memory is the worker's arena and reused
 * buffers; a connection costs one allocation. serve.c owns the workers. */
#include "server/http_int.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { PH_HEAD, PH_BODY, PH_CHUNKED, PH_CLOSING };
enum { T_NONE, T_READ, T_IDLE, T_LINGER };

typedef struct conn conn;
struct conn {
    srv_http *w;
    srv_io io;
    conn *prev, *next;
    struct event timer;
    int tkind;
    int phase;
    bool started; /* bytes of the current request have arrived */
    bool continue_sent;
    bool read_paused; /* backpressure: too much unsent output */
    bool principal_done;
    int busy;             /* inside process()/a timer: frees are deferred */
    bool dead;            /* the peer went away while busy */
    size_t scanned;       /* input bytes already searched for the end of the head */
    size_t hdr_len, need; /* PH_BODY: head length, head + body length */
    int64_t req_start_ns;
    char *chdr; /* PH_CHUNKED: copy of the head */
    size_t chdr_len;
    gh_buf cbody; /* PH_CHUNKED: decoded body */
    srv_chunked dec;
    char *principal; /* verified client certificate subject (heap) */
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
    conn *conns;
    int nconns;
    bool draining;
    const struct timeval *tv_read, *tv_idle, *tv_linger;
    struct timeval tv_write;
    gh_arena arena;
    gh_buf body, out;
    gh_buf alog; /* access log lines not yet written */
    struct event *alog_ev;
    struct event *accept_ev; /* re-enables the listeners after EMFILE */
    char *hbuf, *pbuf;
        /* head copy and decoded path, max_header_bytes + 1 each */ /* head copy and decoded path,
                                                                       max_header_bytes + 1 each */
    size_t hcap;
    time_t date_t;
    char date[40];
};

int64_t srv_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- connections ------------------------------------------------------------- */

static void conn_free(conn *c) {
    srv_http *w = c->w;
    event_del(&c->timer);
    srv_io_free(&c->io);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    w->nconns--;
    gh_free(c->chdr);
    gh_buf_free(&c->cbody);
    gh_free(c->principal);
    gh_free(c->peer_der);
    gh_free(c);
    if (w->draining && w->nconns == 0) event_base_loopexit(w->base, NULL);
}

static void timer_arm(conn *c, int kind) {
    srv_http *w = c->w;
    const struct timeval *tv = kind == T_READ   ? w->tv_read
                               : kind == T_IDLE ? w->tv_idle
                                                : w->tv_linger;
    c->tkind = kind;
    event_add(&c->timer, tv);
}

/* Start closing: stop parsing, discard further input, and free the
 * connection once the queued output has been written (see write_cb). */
static void conn_close_after_write(conn *c) {
    c->phase = PH_CLOSING;
    if (c->read_paused) {
        c->read_paused = false;
        srv_io_read(&c->io, true);
    }
    timer_arm(c, T_LINGER);
    if (srv_io_pending(&c->io) == 0) {
        /* nothing to send: half-close so the peer sees the end, then linger */
        if (c->io.eof)
            c->dead = true;
        else if (!c->io.ssl)
            shutdown(c->io.fd, SHUT_WR);
    }
}

static void update_date(srv_http *w) {
    time_t t = time(NULL);
    if (t == w->date_t) return;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    w->date_t = t;
}

/* Access log lines are batched per worker: written when 32 KiB have
 * gathered or by a 200 ms timer, so a request costs no write(2) and no
 * lock. */
static void alog_flush(srv_http *w) {
    if (w->alog.len && !w->alog.oom) gh_log_write(w->alog.p, w->alog.len);
    if (w->alog.oom || w->alog.cap > (1u << 20))
        gh_buf_free(&w->alog);
    else
        gh_buf_reset(&w->alog);
}

static void alog_timer_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    alog_flush(arg);
}

static void alog_done(srv_http *w) {
    if (w->alog.len >= 32768) alog_flush(w);
}

static const char SEC_HEADERS[] = "X-Content-Type-Options: nosniff\r\n"
                                  "Content-Security-Policy: default-src 'none'\r\n"
                                  "Cache-Control: no-store\r\n"
                                  "Referrer-Policy: no-referrer\r\n"
                                  "X-Frame-Options: DENY\r\n";
static const char HSTS[] = "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n";

static bool hdr_safe(const char *s) { return s && !strpbrk(s, "\r\n"); }

/* Queue one response. head_only: HEAD request (no body bytes). */
static void write_response(conn *c, int status, const char *ctype, const char *body, size_t n,
                           const srv_resp *rs, const char *extra_name, const char *extra_val,
                           bool keep_alive, bool http10, bool head_only) {
    srv_http *w = c->w;
    gh_buf *o = &w->out;
    gh_buf_reset(o);
    update_date(w);
    gh_buf_printf(o, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, srv_status_text(status), w->date);
    if (status != 204 && status != 304) {
        gh_buf_printf(o, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                      ctype ? ctype : "application/json", n);
    }
    gh_buf_append(o, SEC_HEADERS, sizeof SEC_HEADERS - 1);
    if (w->sh->ssl) gh_buf_append(o, HSTS, sizeof HSTS - 1);
    if (rs) {
        for (int i = 0; i < rs->nhdr && i < SRV_MAX_RESP_HEADERS; i++) {
            if (!hdr_safe(rs->hdr_name[i]) || !hdr_safe(rs->hdr_value[i])) continue;
            gh_buf_printf(o, "%s: %s\r\n", rs->hdr_name[i], rs->hdr_value[i]);
        }
    }
    if (extra_name) gh_buf_printf(o, "%s: %s\r\n", extra_name, extra_val);
    if (!keep_alive)
        gh_buf_puts(o, "Connection: close\r\n");
    else if (http10)
        gh_buf_puts(o, "Connection: keep-alive\r\n");
    gh_buf_puts(o, "\r\n");
    if (head_only || status == 204 || status == 304) n = 0;
    /* one write for small responses: one TLS record, one syscall */
    if (n && n <= 65536) {
        gh_buf_append(o, body, n);
        n = 0;
    }
    if (o->oom) {
        static const char fail[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n";
        if (srv_io_write(&c->io, fail, sizeof fail - 1) != 0) c->dead = true;
        gh_buf_free(o);
        return;
    }
    if (srv_io_write(&c->io, o->p, o->len) != 0 || (n && srv_io_write(&c->io, body, n) != 0))
        c->dead = true;
    if (o->cap > (1u << 20)) gh_buf_free(o);
}

static const char *err_code(int status) {
    switch (status) {
    case 408: return "request_timeout";
    case 429: return "too_many_requests";
    case 500: return "internal_error";
    case 503: return "unavailable";
    default: return "invalid_parameter";
    }
}

/* A transport-level error: OPA-shaped JSON body; the connection closes
 * unless keep is set. */
static void reply_error(conn *c, int status, const char *msg, bool keep, const char *xname,
                        const char *xval) {
    char body[320];
    int n =
        snprintf(body, sizeof body, "{\"code\":\"%s\",\"message\":\"%s\"}", err_code(status), msg);
    if (n < 0 || (size_t)n >= sizeof body) n = 0;
    write_response(c, status, NULL, body, (size_t)n, NULL, xname, xval, keep, false, false);
    srv_metrics_request(c->w->sh->ctx->metrics, c->w->pub.index, "transport", status,
                        c->started ? srv_now_ns() - c->req_start_ns : 0);
    if (c->w->cfg->access_log) {
        char sb[8];
        snprintf(sb, sizeof sb, "%d", status);
        gh_log_append(&c->w->alog, GH_LOG_INFO, "request", "client", c->peer, "status", sb, "error",
                      msg, NULL);
        alog_done(c->w);
    }
    if (!keep) conn_close_after_write(c);
}

static void reset_request(conn *c) {
    c->phase = PH_HEAD;
    c->started = false;
    c->continue_sent = false;
    c->scanned = 0;
    c->hdr_len = c->need = 0;
    gh_free(c->chdr);
    c->chdr = NULL;
    c->chdr_len = 0;
    c->tkind = T_NONE; /* the next request gets a fresh deadline */
    if (c->cbody.cap > (1u << 20))
        gh_buf_free(&c->cbody);
    else
        gh_buf_reset(&c->cbody);
    memset(&c->dec, 0, sizeof c->dec);
}

/* ---- one request --------------------------------------------------------------- */

static const char *status_str(int s, char buf[8]) {
    snprintf(buf, 8, "%d", s);
    return buf;
}

/* Run a parsed request (head h in w->hbuf, body bytes) through the router and
 * queue the response. Returns false when the connection is closing. */
static bool handle(conn *c, srv_head *h, const char *body, size_t body_len) {
    srv_http *w = c->w;
    const srv_config *cfg = w->cfg;
    srv_ctx *ctx = w->sh->ctx;
    bool keep = h->keep_alive && !w->draining;
    bool http10 = h->minor == 0;
    bool head_only = strcmp(h->method, "HEAD") == 0;

    gh_arena_reset(&w->arena); /* also after an earlier request that failed early */
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.start_ns = c->req_start_ns;
    rq.client = c->peer;
    rq.arena = &w->arena;
    rq.worker = &w->pub;
    rq.method = h->method;

    /* the raw target is kept for the access log and handlers */
    size_t tl = strlen(h->target);
    char *raw = gh_arena_strndup(&w->arena, h->target, tl);
    const char *query = NULL;
    if (!raw || srv_target_split(h->target, w->pbuf, w->hcap, &query) != 0) {
        reply_error(c, 400, "malformed request target", false, NULL, NULL);
        return false;
    }
    char *q = strchr(raw, '?');
    if (q) *q = '\0';
    rq.raw_path = raw;
    rq.path = w->pbuf;
    rq.query = query;

    if (w->sh->rl) {
        int retry = 1;
        if (!srv_ratelimit_take(w->sh->rl, c->peer, rq.start_ns, &retry)) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", retry);
            reply_error(c, 429, "rate limit exceeded", keep, "Retry-After", ra);
            if (!keep) return false;
            gh_arena_reset(&w->arena);
            return true;
        }
    }

    rq.content_type = srv_head_get(h, "content-type");
    rq.content_encoding = srv_head_get(h, "content-encoding");
    rq.accept_encoding = srv_head_get(h, "accept-encoding");
    rq.hdr_names = (const char *const *)h->names;
    rq.hdr_values = (const char *const *)h->values;
    rq.nhdrs = h->nhdr;
    rq.body = body;
    rq.body_len = body_len;

    const char *ce = rq.content_encoding;
    if (ce && body_len && strcasecmp(ce, "identity") != 0) {
        if (strcasecmp(ce, "gzip") == 0 || strcasecmp(ce, "x-gzip") == 0 ||
            strcasecmp(ce, "deflate") == 0) {
            char *plain = NULL;
            size_t pn = 0;
            int r = srv_gunzip(body, body_len, cfg->max_body_bytes, &w->arena, &plain, &pn);
            if (r == -2) {
                reply_error(c, 413, "request body too large", false, NULL, NULL);
                return false;
            }
            if (r != 0) {
                reply_error(c, 400, r == -3 ? "out of memory" : "malformed gzip body", false, NULL,
                            NULL);
                return false;
            }
            rq.body = plain;
            rq.body_len = pn;
        } else {
            reply_error(c, 415, "unsupported content encoding", keep, NULL, NULL);
            gh_arena_reset(&w->arena);
            return keep;
        }
    }

    /* authentication: a verified client certificate, or an accepted bearer token */
    if (w->sh->ssl && cfg->tls_client_ca_file) {
        if (!c->principal_done) {
            c->principal = srv_tls_peer_subject(c->io.ssl);
            /* OPA's authorization input carries the certificates (under
             * --authentication=tls); read them once per connection */
            if (c->principal && cfg->authz == SRV_AUTHZ_BASIC && cfg->authn == SRV_AUTHN_TLS)
                c->peer_der = srv_tls_peer_chain_der(c->io.ssl, &c->peer_der_len);
            c->principal_done = true;
        }
        if (c->principal) {
            rq.authenticated = true;
            rq.principal = c->principal;
            rq.peer_certs_der = c->peer_der;
            rq.peer_certs_der_len = c->peer_der_len;
        }
    }
    if (!rq.authenticated && w->sh->tokens.n > 0) {
        const char *authz = srv_head_get(h, "authorization");
        if (authz && srv_tokens_check(&w->sh->tokens, authz, NULL)) {
            rq.authenticated = true;
            rq.principal = "bearer-token";
        }
    }

    srv_resp rs;
    memset(&rs, 0, sizeof rs);
    rs.body = w->body;
    srv_dispatch(ctx, &rq, &rs);
    w->body = rs.body;
    int status = rs.status ? rs.status : 500;
    if (rs.body.oom) {
        gh_buf_free(&w->body);
        status = 500;
        static const char oom[] = "{\"code\":\"internal_error\",\"message\":\"out of memory\"}";
        write_response(c, status, NULL, oom, sizeof oom - 1, NULL, NULL, NULL, keep, http10,
                       head_only);
    } else {
        write_response(c, status, rs.content_type, w->body.p ? w->body.p : "", w->body.len, &rs,
                       NULL, NULL, keep, http10, head_only);
    }
    int64_t lat = srv_now_ns() - rq.start_ns;
    srv_metrics_request(ctx->metrics, w->pub.index, rs.route ? rs.route : "other", status, lat);
    if (cfg->access_log) {
        char sb[8], lb[24], bb[24];
        snprintf(lb, sizeof lb, "%lld", (long long)(lat / 1000));
        snprintf(bb, sizeof bb, "%zu", w->body.len);
        gh_log_append(&w->alog, GH_LOG_INFO, "request", "client", c->peer, "method", rq.method,
                      "path", rq.raw_path, "status", status_str(status, sb), "bytes", bb,
                      "duration_us", lb, "principal", rq.principal ? rq.principal : "",
                      "decision_id", rs.decision_id ? rs.decision_id : "", NULL);
        alog_done(w);
    }
    if (w->body.cap > (4u << 20))
        gh_buf_free(&w->body);
    else
        gh_buf_reset(&w->body);
    gh_arena_reset(&w->arena);
    if (!keep) {
        conn_close_after_write(c);
        return false;
    }
    return true;
}

/* Copy and parse the head of the current request (the first hdr_len bytes
 * of src) into w->hbuf. Returns 0 or the status to answer. */
static int parse_head(srv_http *w, const char *src_copy, struct evbuffer *in, size_t hdr_len,
                      srv_head *h) {
    if (src_copy)
        memcpy(w->hbuf, src_copy, hdr_len);
    else
        evbuffer_copyout(in, w->hbuf, hdr_len);
    w->hbuf[hdr_len] = '\0';
    return srv_head_parse(w->hbuf, hdr_len, h);
}

static const char *head_error_msg(int st) {
    switch (st) {
    case 431: return "request header fields too large";
    case 501: return "unsupported transfer encoding";
    case 505: return "HTTP version not supported";
    default: return "malformed request";
    }
}

/* Parse and answer every complete request in the input buffer. */
static void process_inner(conn *c) {
    srv_http *w = c->w;
    const srv_config *cfg = w->cfg;
    struct evbuffer *in = c->io.in;
    for (;;) {
        if (c->phase == PH_CLOSING) {
            evbuffer_drain(in, evbuffer_get_length(in));
            return;
        }
        if (c->read_paused) return;
        size_t len = evbuffer_get_length(in);
        if (len == 0) break;
        if (!c->started) {
            c->started = true;
            c->req_start_ns = srv_now_ns();
        }
        if (c->phase == PH_HEAD) {
            /* tolerate empty lines before a request (RFC 9112 2.2) */
            if (c->scanned == 0) {
                unsigned char b[2];
                while (evbuffer_copyout(in, b, 1) == 1 && (b[0] == '\r' || b[0] == '\n'))
                    evbuffer_drain(in, 1);
                len = evbuffer_get_length(in);
                if (len == 0) break;
            }
            struct evbuffer_ptr start;
            evbuffer_ptr_set(in, &start, c->scanned > 3 ? c->scanned - 3 : 0, EVBUFFER_PTR_SET);
            struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, &start);
            if (end.pos < 0) {
                if (len > cfg->max_header_bytes) {
                    reply_error(c, 431, "request header fields too large", false, NULL, NULL);
                    return;
                }
                c->scanned = len;
                if (c->tkind != T_READ) timer_arm(c, T_READ);
                return;
            }
            size_t hdr_len = (size_t)end.pos + 4;
            if (hdr_len > cfg->max_header_bytes) {
                reply_error(c, 431, "request header fields too large", false, NULL, NULL);
                return;
            }
            srv_head h;
            int st = parse_head(w, NULL, in, hdr_len, &h);
            if (st) {
                reply_error(c, st, head_error_msg(st), false, NULL, NULL);
                return;
            }
            if (h.chunked) {
                c->chdr = gh_malloc(hdr_len);
                if (!c->chdr) {
                    reply_error(c, 503, "out of memory", false, NULL, NULL);
                    return;
                }
                evbuffer_remove(in, c->chdr, hdr_len);
                c->chdr_len = hdr_len;
                c->phase = PH_CHUNKED;
                if (h.expect_continue && evbuffer_get_length(in) == 0) {
                    srv_io_write(&c->io, "HTTP/1.1 100 Continue\r\n\r\n", 25);
                    c->continue_sent = true;
                }
                continue;
            }
            uint64_t cl = h.content_length > 0 ? (uint64_t)h.content_length : 0;
            if (cl > cfg->max_body_bytes) {
                reply_error(c, 413, "request body too large", false, NULL, NULL);
                return;
            }
            if (len < hdr_len + cl) {
                c->phase = PH_BODY;
                c->hdr_len = hdr_len;
                c->need = hdr_len + (size_t)cl;
                if (h.expect_continue && len == hdr_len && !c->continue_sent) {
                    srv_io_write(&c->io, "HTTP/1.1 100 Continue\r\n\r\n", 25);
                    c->continue_sent = true;
                }
                if (c->tkind != T_READ) timer_arm(c, T_READ);
                return;
            }
            const char *body =
                cl ? (const char *)evbuffer_pullup(in, (ev_ssize_t)(hdr_len + cl)) + hdr_len : "";
            bool alive = handle(c, &h, body, (size_t)cl);
            if (!alive || c->dead) return;
            evbuffer_drain(in, hdr_len + (size_t)cl);
            reset_request(c);
        } else if (c->phase == PH_BODY) {
            if (len < c->need) {
                if (c->tkind != T_READ) timer_arm(c, T_READ);
                return;
            }
            srv_head h;
            int st = parse_head(w, NULL, in, c->hdr_len, &h);
            if (st) { /* cannot happen: it parsed before */
                reply_error(c, 400, "malformed request", false, NULL, NULL);
                return;
            }
            size_t need = c->need, hl = c->hdr_len;
            const char *body = (const char *)evbuffer_pullup(in, (ev_ssize_t)need) + hl;
            bool alive = handle(c, &h, body, need - hl);
            if (!alive || c->dead) return;
            evbuffer_drain(in, need);
            reset_request(c);
        } else { /* PH_CHUNKED */
            struct evbuffer_iovec v[8];
            int nv = evbuffer_peek(in, -1, NULL, v, 8);
            size_t used = 0;
            for (int i = 0; i < nv && i < 8 && !c->dec.done; i++) {
                long r = srv_chunked_feed(&c->dec, v[i].iov_base, v[i].iov_len, &c->cbody,
                                          cfg->max_body_bytes);
                if (r == -2) {
                    reply_error(c, 413, "request body too large", false, NULL, NULL);
                    return;
                }
                if (r < 0) {
                    reply_error(c, 400, "malformed chunked body", false, NULL, NULL);
                    return;
                }
                used += (size_t)r;
            }
            evbuffer_drain(in, used);
            if (!c->dec.done) {
                if (c->tkind != T_READ) timer_arm(c, T_READ);
                if (used == 0) return;
                continue;
            }
            srv_head h;
            int st = parse_head(w, c->chdr, NULL, c->chdr_len, &h);
            if (st) {
                reply_error(c, 400, "malformed request", false, NULL, NULL);
                return;
            }
            bool alive = handle(c, &h, c->cbody.p ? c->cbody.p : "", c->cbody.len);
            if (!alive || c->dead) return;
            reset_request(c);
        }
        /* backpressure: a client that pipelines without reading waits */
        if (srv_io_pending(&c->io) > (4u << 20)) {
            c->read_paused = true;
            srv_io_read(&c->io, false);
            return;
        }
    }
    /* between requests the idle timeout runs, within one the read timeout */
    if (c->phase == PH_HEAD && !c->started) {
        if (w->draining) {
            conn_close_after_write(c);
            return;
        }
        timer_arm(c, T_IDLE);
    } else if (c->tkind != T_READ) {
        timer_arm(c, T_READ);
    }
}

/* Everything the socket reported, handled in one go. Frees requested
 * while busy (a failed write inside process_inner) happen on the way out. */
static void conn_io_cb(srv_io *io, int what, void *arg) {
    conn *c = arg;
    (void)io;
    if (what & SRV_IO_ERROR) {
        if (c->busy)
            c->dead = true;
        else
            conn_free(c);
        return;
    }
    c->busy++;
    if (what & SRV_IO_READABLE) process_inner(c);
    if ((what & SRV_IO_DRAINED) && !c->dead) {
        if (c->phase == PH_CLOSING) {
            if (c->io.eof)
                c->dead = true;
            else if (!c->io.ssl)
                shutdown(c->io.fd, SHUT_WR); /* then linger or EOF */
        } else if (c->read_paused) {
            c->read_paused = false;
            srv_io_read(&c->io, true);
            process_inner(c);
        }
    }
    if ((what & SRV_IO_EOF) && !c->dead) {
        if (srv_io_pending(&c->io) == 0)
            c->dead = true;
        else if (c->phase != PH_CLOSING)
            conn_close_after_write(c); /* answer first */
    }
    c->busy--;
    if (c->dead && c->busy == 0) conn_free(c);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg) {
    conn *c = arg;
    (void)fd;
    (void)what;
    switch (c->tkind) {
    case T_READ:
        if (c->started && c->phase != PH_CLOSING) {
            c->tkind = T_NONE;
            c->busy++;
            reply_error(c, 408, "request timeout", false, NULL, NULL);
            c->busy--;
            if (c->dead) conn_free(c);
            return;
        }
        conn_free(c); /* connected but sent nothing (or no handshake) in time */
        return;
    case T_IDLE:
    case T_LINGER:
    default: conn_free(c); return;
    }
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg) {
    srv_http *w = arg;
    (void)l;
    (void)salen;
    if (w->draining || (w->cfg->max_connections > 0 && w->nconns >= w->cfg->max_connections)) {
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn *c = gh_calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->w = w;
    gh_buf_init(&c->cbody);
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, c->peer, sizeof c->peer);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, c->peer, sizeof c->peer);
    else
        strcpy(c->peer, "unknown");
    SSL *ssl = NULL;
    if (w->sh->ssl && !(ssl = SSL_new(w->sh->ssl))) {
        close(fd);
        gh_free(c);
        return;
    }
    if (srv_io_init(&c->io, w->base, fd, ssl, &w->tv_write, conn_io_cb, c) != 0) {
        SSL_free(ssl);
        close(fd);
        gh_free(c);
        return;
    }
    event_assign(&c->timer, w->base, -1, 0, conn_timer_cb, c);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    /* the first request (and the TLS handshake) must arrive within read_timeout */
    timer_arm(c, T_READ);
}

/* Out of descriptors (EMFILE/ENFILE): stop accepting for 100 ms instead of
 * spinning on a listener that stays readable. */
static void accept_resume_cb(evutil_socket_t fd, short what, void *arg) {
    srv_http *w = arg;
    (void)fd;
    (void)what;
    if (w->draining) return;
    for (int i = 0; i < w->nlis; i++)
        if (w->lis[i]) evconnlistener_enable(w->lis[i]);
}

static void accept_error_cb(struct evconnlistener *l, void *arg) {
    srv_http *w = arg;
    (void)l;
    int err = EVUTIL_SOCKET_ERROR();
    if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) return;
    for (int i = 0; i < w->nlis; i++)
        if (w->lis[i]) evconnlistener_disable(w->lis[i]);
    struct timeval tv = {0, 100000};
    if (w->accept_ev) event_add(w->accept_ev, &tv);
}

/* ---- worker lifecycle -------------------------------------------------------------- */

static void grace_cb(evutil_socket_t fd, short what, void *arg) {
    srv_http *w = arg;
    (void)fd;
    (void)what;
    event_base_loopexit(w->base, NULL);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg) {
    srv_http *w = arg;
    (void)what;
    char b[16];
    while (read(fd, b, sizeof b) > 0) {
    }
    if (w->draining) return;
    w->draining = true;
    for (int i = 0; i < w->nlis; i++) {
        evconnlistener_free(w->lis[i]);
        w->lis[i] = NULL;
    }
    w->nlis = 0;
    /* idle connections go now; busy ones finish their request (which then
     * carries Connection: close) */
    for (conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        if (c->phase == PH_HEAD && !c->started && srv_io_pending(&c->io) == 0) conn_free(c);
    }
    if (w->nconns == 0) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    int ms = atomic_load(&w->grace_ms);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    w->grace_ev = evtimer_new(w->base, grace_cb, w);
    if (w->grace_ev) evtimer_add(w->grace_ev, &tv);
}

static void ms_tv(struct timeval *tv, int ms, int dflt) {
    if (ms <= 0) ms = dflt;
    tv->tv_sec = ms / 1000;
    tv->tv_usec = (ms % 1000) * 1000;
}

srv_http *srv_http_new(srv_http_shared *sh, int index, const int *fds, int nfds, gh_err *e) {
    const srv_config *cfg = sh->ctx->cfg;
    if (nfds > SRV_MAX_LISTEN) nfds = SRV_MAX_LISTEN;
    srv_http *w = gh_calloc(1, sizeof *w);
    if (!w) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    w->pub.index = index;
    if (RAND_bytes((unsigned char *)&w->pub.rng, sizeof w->pub.rng) != 1)
        w->pub.rng = (uint64_t)srv_now_ns() ^ ((uint64_t)index << 48) ^ (uint64_t)(uintptr_t)w;
    w->pub.rng |= 1;
    w->sh = sh;
    w->cfg = cfg;
    w->stop_pipe[0] = w->stop_pipe[1] = -1;
    gh_buf_init(&w->body);
    gh_buf_init(&w->out);
    gh_buf_init(&w->alog);
    size_t budget = cfg->eval_mem_bytes ? cfg->eval_mem_bytes + 2 * cfg->max_body_bytes : 0;
    gh_arena_init(&w->arena, budget);
    w->hcap = cfg->max_header_bytes + 1;
    w->hbuf = gh_malloc(w->hcap);
    w->pbuf = gh_malloc(w->hcap);
    struct event_config *ec = event_config_new();
    if (ec) {
        /* one thread per base: no internal locking */
        event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
        w->base = event_base_new_with_config(ec);
        event_config_free(ec);
    }
    if (!w->hbuf || !w->pbuf || !w->base || pipe2(w->stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "worker %d: cannot create its event loop", index);
        srv_http_free(w);
        return NULL;
    }
    struct timeval tv;
    ms_tv(&tv, cfg->read_timeout_ms, 10000);
    w->tv_read = event_base_init_common_timeout(w->base, &tv);
    ms_tv(&tv, cfg->idle_timeout_ms, 60000);
    w->tv_idle = event_base_init_common_timeout(w->base, &tv);
    ms_tv(&tv, 2000, 2000);
    w->tv_linger = event_base_init_common_timeout(w->base, &tv);
    ms_tv(&w->tv_write, cfg->write_timeout_ms, 10000);
    w->stop_ev = event_new(w->base, w->stop_pipe[0], EV_READ | EV_PERSIST, stop_cb, w);
    w->alog_ev = event_new(w->base, -1, EV_PERSIST, alog_timer_cb, w);
    struct timeval alog_tv = {0, 200000};
    if (!w->stop_ev || event_add(w->stop_ev, NULL) != 0 || !w->alog_ev ||
        (cfg->access_log && event_add(w->alog_ev, &alog_tv) != 0)) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "worker %d: cannot create its stop event", index);
        srv_http_free(w);
        return NULL;
    }
    for (int i = 0; i < nfds; i++) {
        evutil_make_socket_nonblocking(fds[i]);
        struct evconnlistener *l = evconnlistener_new(
            w->base, accept_cb, w, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fds[i]);
        if (!l) {
            for (int j = i; j < nfds; j++)
                close(fds[j]);
            gh_err_set(e, GH_EIO, NULL, 0, 0, "worker %d: cannot listen", index);
            srv_http_free(w);
            return NULL;
        }
        evconnlistener_set_error_cb(l, accept_error_cb);
        w->lis[w->nlis++] = l;
    }
    w->accept_ev = evtimer_new(w->base, accept_resume_cb, w);
    return w;
}

static void *worker_main(void *arg) {
    srv_http *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

int srv_http_start(srv_http *h, gh_err *e) {
    int rc = pthread_create(&h->th, NULL, worker_main, h);
    if (rc != 0)
        return gh_err_set(e, GH_EIO, NULL, 0, 0, "cannot start worker %d: %s", h->pub.index,
                          strerror(rc));
    h->started = true;
    return 0;
}

void srv_http_stop(srv_http *h, int grace_ms) {
    atomic_store(&h->grace_ms, grace_ms);
    if (h->stop_pipe[1] >= 0) {
        ssize_t r = write(h->stop_pipe[1], "x", 1);
        (void)r;
    }
}

void srv_http_free(srv_http *w) {
    if (!w) return;
    if (w->started) pthread_join(w->th, NULL);
    while (w->conns) {
        w->draining = false; /* no loopexit from conn_free now */
        conn_free(w->conns);
    }
    for (int i = 0; i < w->nlis; i++)
        if (w->lis[i]) evconnlistener_free(w->lis[i]);
    if (w->grace_ev) event_free(w->grace_ev);
    if (w->alog_ev) event_free(w->alog_ev);
    if (w->accept_ev) event_free(w->accept_ev);
    alog_flush(w);
    gh_buf_free(&w->alog);
    if (w->stop_ev) event_free(w->stop_ev);
    if (w->base) event_base_free(w->base);
    if (w->stop_pipe[0] >= 0) close(w->stop_pipe[0]);
    if (w->stop_pipe[1] >= 0) close(w->stop_pipe[1]);
    srv_state_worker_done(&w->pub); /* its snapshot reference and query cache */
    gh_arena_free(&w->arena);
    gh_buf_free(&w->body);
    gh_buf_free(&w->out);
    gh_free(w->hbuf);
    gh_free(w->pbuf);
    gh_free(w);
}
