/* http.c - worker threads: one libevent event base each, accepting on its
 * own listening sockets, HTTP/1.1 keep-alive or HTTP/2 over plain TCP or
 * TLS (socket I/O in http_io.c, requests in http_req.c, HTTP/2 sessions in
 * h2.c). This file owns the loops, connections (accept, timers, corked
 * output per event, close) and the worker lifecycle (start, graceful stop).
 * Nothing here blocks and nothing takes a lock on the request path (the
 * rate limiter's per-slot flag excepted); a connection costs one
 * allocation (plus its HTTP/2 session). serve.c owns the workers. */
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

int64_t srv_now_ns(void) { return gh_mono_ns(); }

/* ---- connections ------------------------------------------------------------- */

static void conn_free(srv_conn *c) {
    srv_http *w = c->w;
    event_del(&c->timer);
    srv_io_free(&c->io);
    srv_h2_free(c->h2);
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

void srv_conn_timer(srv_conn *c, int kind) {
    srv_http *w = c->w;
    const struct timeval *tv = kind == T_READ   ? w->tv_read
                               : kind == T_IDLE ? w->tv_idle
                                                : w->tv_linger;
    c->tkind = kind;
    event_add(&c->timer, tv);
}

/* Start closing: stop parsing, discard further input, and free the
 * connection once the queued output has been written (see write_cb). */
void srv_conn_close_after_write(srv_conn *c) {
    c->phase = PH_CLOSING;
    if (c->read_paused) {
        c->read_paused = false;
        srv_io_read(&c->io, true);
    }
    srv_conn_timer(c, T_LINGER);
    if (srv_io_pending(&c->io) == 0) {
        /* nothing to send: half-close so the peer sees the end, then linger */
        if (c->io.eof)
            c->dead = true;
        else if (!c->io.ssl)
            shutdown(c->io.fd, SHUT_WR);
    }
}

void srv_http_date(srv_http *w) {
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

void srv_alog_done(srv_http *w) {
    if (w->alog.len >= 32768) alog_flush(w);
}

/* ---- connection events ------------------------------------------------------------ */

static void conn_read(srv_conn *c) {
    if (!c->proto_known) {
        int d = srv_conn_decide(c);
        if (d < 0) {
            c->dead = true;
            return;
        }
        if (d == 0) {
            if (c->tkind != T_READ) srv_conn_timer(c, T_READ);
            return;
        }
    }
    if (c->h2)
        srv_conn_h2_process(c);
    else
        srv_conn_h1_process(c);
}

/* The queued output has gone out. */
static void conn_drained(srv_conn *c) {
    if (c->phase == PH_CLOSING) {
        if (c->io.eof)
            c->dead = true;
        else if (!c->io.ssl)
            shutdown(c->io.fd, SHUT_WR); /* then linger or EOF */
    } else if (c->read_paused) {
        c->read_paused = false;
        srv_io_read(&c->io, true);
        conn_read(c);
    }
}

/* Everything the socket reported, handled in one go, with output corked:
 * the responses to everything read in this event leave in one write.
 * Frees requested while busy (a failed write) happen on the way out. */
static void conn_io_cb(srv_io *io, int what, void *arg) {
    srv_conn *c = arg;
    if (what & SRV_IO_ERROR) {
        if (c->busy)
            c->dead = true;
        else
            conn_free(c);
        return;
    }
    c->busy++;
    srv_io_cork(io, true);
    if (what & SRV_IO_READABLE) conn_read(c);
    if ((what & SRV_IO_DRAINED) && !c->dead) conn_drained(c);
    if ((what & SRV_IO_EOF) && !c->dead) {
        if (srv_io_pending(&c->io) == 0)
            c->dead = true;
        else if (c->phase != PH_CLOSING)
            srv_conn_close_after_write(c); /* answer first */
    }
    bool queued = srv_io_pending(io) > 0;
    if (srv_io_cork(io, false) != 0)
        c->dead = true;
    else if (queued && srv_io_pending(io) == 0 && !c->dead)
        conn_drained(c);
    c->busy--;
    if (c->dead && c->busy == 0) conn_free(c);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg) {
    srv_conn *c = arg;
    (void)fd;
    (void)what;
    switch (c->tkind) {
    case T_READ:
        if (c->started && c->phase != PH_CLOSING && !c->h2) {
            c->tkind = T_NONE;
            c->busy++;
            srv_conn_reply_error(c, 408, "request timeout", false, NULL, NULL);
            c->busy--;
            if (c->dead) conn_free(c);
            return;
        }
        conn_free(c); /* connected but sent nothing (or no handshake) in time */
        return;
    case T_IDLE:
        if (c->h2 && c->phase != PH_CLOSING) {
            /* tell an idle HTTP/2 client why (GOAWAY), then close */
            c->busy++;
            srv_h2_shutdown(c->h2);
            srv_conn_h2_pump(c);
            c->busy--;
            if (c->dead) conn_free(c);
            return;
        }
        conn_free(c);
        return;
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
    srv_conn *c = gh_calloc(1, sizeof *c);
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
    srv_conn_timer(c, T_READ);
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
    for (srv_conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        if (c->h2) { /* GOAWAY: open streams finish, no new ones */
            c->busy++;
            srv_h2_shutdown(c->h2);
            srv_conn_h2_pump(c);
            c->busy--;
            if (c->dead) conn_free(c);
        } else if (c->phase == PH_HEAD && !c->started && srv_io_pending(&c->io) == 0) {
            conn_free(c);
        }
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
        event_add(w->alog_ev, &alog_tv) != 0) { /* the access log may be turned on by reload */
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
