/* http_req.c - one request on a worker: HTTP/1.1 framing (heads, bodies of
 * known length or chunked, pipelining), the HTTP/2 glue (a session per
 * connection from h2.c, each complete stream a request), and what both
 * share: handle() runs a request through authentication, rate limit and
 * srv_dispatch, and writes the response with the security headers in the
 * connection's protocol. Runs on the connection's worker thread; memory
 * per request is the worker's arena and buffers (http.c owns them). */
#include "server/http_int.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Sent on every response, HTTP/1.1 and HTTP/2 alike. */
#define SEC_FIELDS(X)                                                                              \
    X("X-Content-Type-Options", "nosniff")                                                         \
    X("Content-Security-Policy", "default-src 'none'")                                             \
    X("Cache-Control", "no-store")                                                                 \
    X("Referrer-Policy", "no-referrer")                                                            \
    X("X-Frame-Options", "DENY")
#define SEC_NAME(n, v) n,
#define SEC_VALUE(n, v) v,
#define SEC_LINE(n, v) n ": " v "\r\n"
static const char *const SEC_NAMES[] = {SEC_FIELDS(SEC_NAME)};
static const char *const SEC_VALUES[] = {SEC_FIELDS(SEC_VALUE)};
static const char SEC_BLOCK[] = SEC_FIELDS(SEC_LINE); /* the same, as HTTP/1.1 lines */
#define NSEC ((int)(sizeof SEC_NAMES / sizeof SEC_NAMES[0]))
#define HSTS_NAME "Strict-Transport-Security"
#define HSTS_VALUE "max-age=63072000; includeSubDomains"

static bool hdr_safe(const char *s) { return s && !strpbrk(s, "\r\n"); }

/* HTTP/2 fields a response must not carry (RFC 9113 8.2.2). */
static bool h2_forbidden(const char *name) {
    return strcasecmp(name, "connection") == 0 || strcasecmp(name, "keep-alive") == 0 ||
           strcasecmp(name, "transfer-encoding") == 0 || strcasecmp(name, "upgrade") == 0 ||
           strcasecmp(name, "proxy-connection") == 0;
}

/* The same response on the current HTTP/2 stream. */
static void write_response_h2(srv_conn *c, int status, const char *ctype, const char *body,
                              size_t n, const srv_resp *rs, const char *extra_name,
                              const char *extra_val, bool head_only) {
    srv_http *w = c->w;
    const char *nm[SRV_H2_MAX_RESP_FIELDS], *vl[SRV_H2_MAX_RESP_FIELDS];
    int k = 0;
    srv_http_date(w);
    nm[k] = "date";
    vl[k++] = w->date;
    if (status != 204 && status != 304) {
        nm[k] = "content-type";
        vl[k++] = ctype ? ctype : "application/json";
    }
    for (int i = 0; i < NSEC; i++) {
        nm[k] = SEC_NAMES[i];
        vl[k++] = SEC_VALUES[i];
    }
    if (w->sh->ssl) {
        nm[k] = HSTS_NAME;
        vl[k++] = HSTS_VALUE;
    }
    for (int i = 0; rs && i < rs->nhdr && i < SRV_MAX_RESP_HEADERS; i++) {
        if (k >= SRV_H2_MAX_RESP_FIELDS - 1) break;
        if (!hdr_safe(rs->hdr_name[i]) || !hdr_safe(rs->hdr_value[i])) continue;
        if (h2_forbidden(rs->hdr_name[i])) continue;
        nm[k] = rs->hdr_name[i];
        vl[k++] = rs->hdr_value[i];
    }
    if (extra_name) {
        nm[k] = extra_name;
        vl[k++] = extra_val;
    }
    /* -1: the client reset the stream meanwhile; nothing to do */
    srv_h2_respond(c->h2, c->h2_sid, status, nm, vl, k, body, n, head_only);
}

/* Queue one response. head_only: HEAD request (no body bytes). */
static void write_response(srv_conn *c, int status, const char *ctype, const char *body, size_t n,
                           const srv_resp *rs, const char *extra_name, const char *extra_val,
                           bool keep_alive, bool http10, bool head_only) {
    if (c->h2) {
        write_response_h2(c, status, ctype, body, n, rs, extra_name, extra_val, head_only);
        return;
    }
    srv_http *w = c->w;
    gh_buf *o = &w->out;
    gh_buf_reset(o);
    srv_http_date(w);
    /* appends, not printf: this runs for every response */
    char num[24];
    int nl = snprintf(num, sizeof num, "%d ", status);
    gh_buf_puts(o, "HTTP/1.1 ");
    gh_buf_append(o, num, (size_t)nl);
    gh_buf_puts(o, srv_status_text(status));
    gh_buf_puts(o, "\r\nDate: ");
    gh_buf_puts(o, w->date);
    gh_buf_puts(o, "\r\n");
    if (status != 204 && status != 304) {
        gh_buf_puts(o, "Content-Type: ");
        gh_buf_puts(o, ctype ? ctype : "application/json");
        gh_buf_puts(o, "\r\nContent-Length: ");
        nl = snprintf(num, sizeof num, "%zu\r\n", n);
        gh_buf_append(o, num, (size_t)nl);
    }
    gh_buf_append(o, SEC_BLOCK, sizeof SEC_BLOCK - 1);
    if (w->sh->ssl) gh_buf_puts(o, HSTS_NAME ": " HSTS_VALUE "\r\n");
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
/* Is the access log on in the configuration in force (a SIGHUP reload may
 * turn it on or off)? The worker's snapshot carries that configuration. */
static bool access_log_on(srv_http *w) {
    srv_ctx *ctx = w->sh->ctx;
    srv_snapshot *s = ctx->state ? srv_state_get(ctx->state, &w->pub) : NULL;
    const srv_config *cfg = srv_snap_cfg(ctx, s);
    return cfg && cfg->access_log;
}

void srv_conn_reply_error(srv_conn *c, int status, const char *msg, bool keep, const char *xname,
                          const char *xval) {
    char body[320];
    int n =
        snprintf(body, sizeof body, "{\"code\":\"%s\",\"message\":\"%s\"}", err_code(status), msg);
    if (n < 0 || (size_t)n >= sizeof body) n = 0;
    write_response(c, status, NULL, body, (size_t)n, NULL, xname, xval, keep, false, false);
    srv_metrics_request(c->w->sh->ctx->metrics, c->w->pub.index, "transport", status,
                        c->started ? srv_now_ns() - c->req_start_ns : 0);
    if (access_log_on(c->w)) {
        char sb[8];
        snprintf(sb, sizeof sb, "%d", status);
        gh_log_append(&c->w->alog, GH_LOG_INFO, "request", "client", c->peer, "status", sb, "error",
                      msg, NULL);
        srv_alog_done(c->w);
    }
    if (!keep && !c->h2) srv_conn_close_after_write(c);
}

static void reset_request(srv_conn *c) {
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
static bool handle(srv_conn *c, srv_head *h, const char *body, size_t body_len) {
    srv_http *w = c->w;
    const srv_config *cfg = w->cfg;
    srv_ctx *ctx = w->sh->ctx;
    /* HTTP/2 closes by GOAWAY, never after a response */
    bool keep = c->h2 ? true : h->keep_alive && !w->draining;
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
        srv_conn_reply_error(c, 400, "malformed request target", false, NULL, NULL);
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
            srv_conn_reply_error(c, 429, "rate limit exceeded", keep, "Retry-After", ra);
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
                srv_conn_reply_error(c, 413, "request body too large", false, NULL, NULL);
                return false;
            }
            if (r != 0) {
                srv_conn_reply_error(c, 400, r == -3 ? "out of memory" : "malformed gzip body",
                                     false, NULL, NULL);
                return false;
            }
            rq.body = plain;
            rq.body_len = pn;
        } else {
            srv_conn_reply_error(c, 415, "unsupported content encoding", keep, NULL, NULL);
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
    /* bearer tokens: checked by srv_dispatch against the configuration in force */

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
    if (access_log_on(w)) {
        char sb[8], lb[24], bb[24];
        snprintf(lb, sizeof lb, "%lld", (long long)(lat / 1000));
        snprintf(bb, sizeof bb, "%zu", w->body.len);
        gh_log_append(&w->alog, GH_LOG_INFO, "request", "client", c->peer, "method", rq.method,
                      "path", rq.raw_path, "status", status_str(status, sb), "bytes", bb,
                      "duration_us", lb, "principal", rq.principal ? rq.principal : "",
                      "decision_id", rs.decision_id ? rs.decision_id : "", NULL);
        srv_alog_done(w);
    }
    if (w->body.cap > (4u << 20))
        gh_buf_free(&w->body);
    else
        gh_buf_reset(&w->body);
    gh_arena_reset(&w->arena);
    if (!keep) {
        srv_conn_close_after_write(c);
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
void srv_conn_h1_process(srv_conn *c) {
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
                    srv_conn_reply_error(c, 431, "request header fields too large", false, NULL,
                                         NULL);
                    return;
                }
                c->scanned = len;
                if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
                return;
            }
            size_t hdr_len = (size_t)end.pos + 4;
            if (hdr_len > cfg->max_header_bytes) {
                srv_conn_reply_error(c, 431, "request header fields too large", false, NULL, NULL);
                return;
            }
            srv_head h;
            int st = parse_head(w, NULL, in, hdr_len, &h);
            if (st) {
                srv_conn_reply_error(c, st, head_error_msg(st), false, NULL, NULL);
                return;
            }
            if (h.chunked) {
                c->chdr = gh_malloc(hdr_len);
                if (!c->chdr) {
                    srv_conn_reply_error(c, 503, "out of memory", false, NULL, NULL);
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
                srv_conn_reply_error(c, 413, "request body too large", false, NULL, NULL);
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
                if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
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
                if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
                return;
            }
            srv_head h;
            int st = parse_head(w, NULL, in, c->hdr_len, &h);
            if (st) { /* cannot happen: it parsed before */
                srv_conn_reply_error(c, 400, "malformed request", false, NULL, NULL);
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
                    srv_conn_reply_error(c, 413, "request body too large", false, NULL, NULL);
                    return;
                }
                if (r < 0) {
                    srv_conn_reply_error(c, 400, "malformed chunked body", false, NULL, NULL);
                    return;
                }
                used += (size_t)r;
            }
            evbuffer_drain(in, used);
            if (!c->dec.done) {
                if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
                if (used == 0) return;
                continue;
            }
            srv_head h;
            int st = parse_head(w, c->chdr, NULL, c->chdr_len, &h);
            if (st) {
                srv_conn_reply_error(c, 400, "malformed request", false, NULL, NULL);
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
            srv_conn_close_after_write(c);
            return;
        }
        srv_conn_timer(c, T_IDLE);
    } else if (c->tkind != T_READ) {
        srv_conn_timer(c, T_READ);
    }
}

/* ---- HTTP/2 connections --------------------------------------------------------- */

static int h2_sink(void *arg, const void *p, size_t n) {
    srv_conn *c = arg;
    return srv_io_write(&c->io, p, n);
}

/* A complete HTTP/2 request: through the same handle() as HTTP/1.1. */
static void h2_on_request(srv_h2 *h, const srv_h2_req *r, void *arg) {
    srv_conn *c = arg;
    (void)h;
    if (c->dead) return;
    srv_head hd;
    memset(&hd, 0, sizeof hd);
    hd.method = (char *)r->method;
    hd.target = r->path;
    hd.minor = 1;
    for (int i = 0; i < r->nhdr && i < SRV_MAX_REQ_HEADERS; i++) {
        hd.names[hd.nhdr] = (char *)r->names[i];
        hd.values[hd.nhdr++] = (char *)r->values[i];
    }
    hd.content_length = (int64_t)r->body_len;
    hd.keep_alive = true;
    hd.has_host = true;
    c->h2_sid = r->stream_id;
    c->req_start_ns = srv_now_ns();
    handle(c, &hd, r->body, r->body_len);
}

/* A stream too large to take: answered like HTTP/1.1's 431/413 (security
 * headers, metrics, access log), on that stream only. */
static void h2_on_refused(srv_h2 *h, int32_t stream_id, int status, void *arg) {
    srv_conn *c = arg;
    (void)h;
    c->h2_sid = stream_id;
    c->started = false; /* no request start to time */
    srv_conn_reply_error(c, status, srv_h2_refusal_text(status), true, NULL, NULL);
}

/* Send what the session has queued (unless too much is already waiting
 * for the socket: then reading pauses until it drains), close when the
 * session is over, and arm the right timer. */
void srv_conn_h2_pump(srv_conn *c) {
    if (c->dead || c->phase == PH_CLOSING) return;
    if (srv_io_pending(&c->io) > (4u << 20)) {
        c->read_paused = true;
        srv_io_read(&c->io, false);
        return;
    }
    if (srv_h2_flush(c->h2, h2_sink, c) != 0) {
        if (c->io.failed) {
            c->dead = true;
            return;
        }
    }
    if (srv_h2_done(c->h2)) {
        srv_conn_close_after_write(c);
        return;
    }
    /* a request whose fields or body are still arriving must complete
     * within read_timeout; otherwise the idle timeout runs */
    if (srv_h2_arriving(c->h2) > 0) {
        if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
    } else {
        srv_conn_timer(c, T_IDLE);
    }
}

void srv_conn_h2_process(srv_conn *c) {
    struct evbuffer *in = c->io.in;
    while (evbuffer_get_length(in) > 0 && c->phase != PH_CLOSING && !c->dead && !c->read_paused) {
        struct evbuffer_iovec v[8];
        int nv = evbuffer_peek(in, -1, NULL, v, 8);
        size_t used = 0;
        bool bad = false;
        for (int i = 0; i < nv && i < 8; i++) {
            long r = srv_h2_feed(c->h2, v[i].iov_base, v[i].iov_len);
            if (r < 0) {
                bad = true;
                break;
            }
            used += (size_t)r;
        }
        evbuffer_drain(in, bad ? evbuffer_get_length(in) : used);
        if (bad) break; /* the GOAWAY goes out below, then the connection closes */
        if (srv_io_pending(&c->io) > (4u << 20)) break;
    }
    if (c->phase == PH_CLOSING) evbuffer_drain(in, evbuffer_get_length(in));
    srv_conn_h2_pump(c);
}

/* HTTP/1.1 or HTTP/2: ALPN decides on TLS; on plain listeners with h2c on,
 * the client preface does. 1 decided, 0 more bytes needed, -1 failed. */
int srv_conn_decide(srv_conn *c) {
    bool h2 = false;
    if (c->io.ssl) {
        const unsigned char *p = NULL;
        unsigned int n = 0;
        SSL_get0_alpn_selected(c->io.ssl, &p, &n);
        h2 = n == 2 && memcmp(p, "h2", 2) == 0;
    } else if (c->w->cfg->h2c) {
        unsigned char b[SRV_H2_PREFACE_LEN];
        ev_ssize_t n = evbuffer_copyout(c->io.in, b, sizeof b);
        int pf = srv_h2_preface(b, n > 0 ? (size_t)n : 0);
        if (pf == 0) return 0;
        h2 = pf == 1;
    }
    c->proto_known = true;
    if (!h2) return 1;
    srv_h2_limits lim = {c->w->cfg->max_header_bytes, c->w->cfg->max_body_bytes, h2_on_refused};
    c->h2 = srv_h2_new(&lim, h2_on_request, c);
    return c->h2 ? 1 : -1;
}
