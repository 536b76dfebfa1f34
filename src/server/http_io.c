/* http_io.c - one connection's socket I/O for the HTTP workers, plain TCP
 * or TLS (OpenSSL on the raw fd), driven by the worker's event base. Writes
 * go straight to the socket; EV_WRITE is armed only for what the kernel
 * would not take, so a keep-alive request/response costs no epoll_ctl.
 * Reads are level-triggered: one socket read per event (TLS: OpenSSL reads
 * ahead, and what it holds is drained before waiting again), so no read
 * ends in EAGAIN. While corked (one event's worth of pipelined HTTP/1.1
 * requests or HTTP/2 frames), writes only queue, and uncorking sends them
 * together: one TLS record and one write(2) for many responses. Called
 * only by http.c on the owning worker thread. */
#include "server/http_int.h"

#include <errno.h>
#include <openssl/err.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IO_READ_CHUNK 16384
#define IO_MAX_READS 4 /* per event, so one connection cannot starve the others */

static void io_fire(srv_io *io, int what) { io->cb(io, what, io->arg); }

static void want_write(srv_io *io) { event_add(&io->wev, io->wtv); }

/* TLS handshake step: 1 done, 0 in progress, -1 failed. */
static int handshake(srv_io *io) {
    int r = SSL_do_handshake(io->ssl);
    if (r == 1) {
        io->hs_done = true;
        return 1;
    }
    int err = SSL_get_error(io->ssl, r);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) return 0;
    if (err == SSL_ERROR_WANT_WRITE) {
        want_write(io);
        return 0;
    }
    return -1;
}

/* Push queued output. Returns -1 on a broken connection. */
static int flush_out(srv_io *io) {
    while (evbuffer_get_length(io->out) > 0) {
        if (!io->ssl) {
            int n = evbuffer_write(io->out, io->fd);
            if (n > 0) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
            return -1;
        }
        size_t len = io->wpend;
        if (!len) {
            len = evbuffer_get_length(io->out);
            if (len > IO_READ_CHUNK) len = IO_READ_CHUNK;
        }
        unsigned char *p = evbuffer_pullup(io->out, (ev_ssize_t)len);
        int r = SSL_write(io->ssl, p, (int)len);
        if (r > 0) {
            evbuffer_drain(io->out, (size_t)r);
            io->wpend = 0;
            continue;
        }
        int err = SSL_get_error(io->ssl, r);
        ERR_clear_error();
        io->wpend = len; /* OpenSSL wants the same bytes again */
        if (err == SSL_ERROR_WANT_WRITE) break;
        if (err == SSL_ERROR_WANT_READ) {
            io->write_wants_read = true;
            break;
        }
        return -1;
    }
    if (evbuffer_get_length(io->out) > 0 && !io->write_wants_read) want_write(io);
    return 0;
}

/* Read what is there. Returns the SRV_IO_* flags to report. */
static int read_some(srv_io *io) {
    int what = 0;
    for (int i = 0; i < IO_MAX_READS; i++) {
        if (!io->ssl) {
            int n = evbuffer_read(io->in, io->fd, IO_READ_CHUNK * 4);
            if (n > 0) {
                what |= SRV_IO_READABLE;
                break; /* level-triggered: more will be reported */
            }
            if (n == 0) {
                what |= SRV_IO_EOF;
                break;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            what |= SRV_IO_ERROR;
            break;
        }
        struct evbuffer_iovec v;
        if (evbuffer_reserve_space(io->in, IO_READ_CHUNK, &v, 1) < 1) {
            what |= SRV_IO_ERROR;
            break;
        }
        int r = SSL_read(io->ssl, v.iov_base, (int)(v.iov_len > INT32_MAX ? INT32_MAX : v.iov_len));
        if (r > 0) {
            v.iov_len = (size_t)r;
            evbuffer_commit_space(io->in, &v, 1);
            what |= SRV_IO_READABLE;
            if (SSL_has_pending(io->ssl)) continue; /* bytes left inside OpenSSL */
            break;
        }
        evbuffer_commit_space(io->in, &v, 0);
        int err = SSL_get_error(io->ssl, r);
        ERR_clear_error();
        if (err == SSL_ERROR_WANT_READ) break;
        if (err == SSL_ERROR_WANT_WRITE) { /* rare: a key update to answer */
            want_write(io);
            break;
        }
        if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) {
            what |= SRV_IO_EOF;
            break;
        }
        what |= SRV_IO_ERROR;
        break;
    }
    /* records OpenSSL read ahead but we did not take (more than
     * IO_MAX_READS pipelined): the socket will not report them again */
    if (io->ssl && !(what & (SRV_IO_EOF | SRV_IO_ERROR)) && SSL_has_pending(io->ssl))
        event_active(&io->rev, EV_READ, 0);
    if (what & (SRV_IO_EOF | SRV_IO_ERROR)) {
        io->eof = true;
        if (io->reading) event_del(&io->rev);
        io->reading = false;
    }
    return what;
}

static void on_read(evutil_socket_t fd, short ev, void *arg) {
    srv_io *io = arg;
    (void)fd;
    (void)ev;
    int what = 0;
    if (!io->hs_done) {
        int h = handshake(io);
        if (h < 0) {
            io->failed = true;
            io_fire(io, SRV_IO_ERROR);
            return;
        }
        if (h == 0) return;
        if (evbuffer_get_length(io->out) > 0 && flush_out(io) < 0) {
            io->failed = true;
            io_fire(io, SRV_IO_ERROR);
            return;
        }
    }
    if (io->write_wants_read) {
        io->write_wants_read = false;
        if (flush_out(io) < 0) {
            io->failed = true;
            io_fire(io, SRV_IO_ERROR);
            return;
        }
        if (evbuffer_get_length(io->out) == 0) what |= SRV_IO_DRAINED;
    }
    what |= read_some(io);
    if (what & SRV_IO_ERROR) io->failed = true;
    if (what) io_fire(io, what);
}

static void on_write(evutil_socket_t fd, short ev, void *arg) {
    srv_io *io = arg;
    (void)fd;
    if (ev & EV_TIMEOUT) {
        io->failed = true;
        io_fire(io, SRV_IO_ERROR);
        return;
    }
    if (!io->hs_done) {
        int h = handshake(io);
        if (h < 0) {
            io->failed = true;
            io_fire(io, SRV_IO_ERROR);
            return;
        }
        if (h == 0) return;
    }
    size_t before = evbuffer_get_length(io->out);
    if (flush_out(io) < 0) {
        io->failed = true;
        io_fire(io, SRV_IO_ERROR);
        return;
    }
    if (before > 0 && evbuffer_get_length(io->out) == 0) io_fire(io, SRV_IO_DRAINED);
}

int srv_io_init(srv_io *io, struct event_base *base, int fd, SSL *ssl, const struct timeval *wtv,
                srv_io_cb cb, void *arg) {
    memset(io, 0, sizeof *io);
    io->fd = fd;
    io->wtv = wtv;
    io->cb = cb;
    io->arg = arg;
    io->in = evbuffer_new();
    io->out = evbuffer_new();
    if (!io->in || !io->out) {
        if (io->in) evbuffer_free(io->in);
        if (io->out) evbuffer_free(io->out);
        io->in = io->out = NULL;
        return -1;
    }
    if (ssl) {
        if (SSL_set_fd(ssl, fd) != 1) {
            evbuffer_free(io->in);
            evbuffer_free(io->out);
            io->in = io->out = NULL;
            return -1;
        }
        SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        SSL_set_accept_state(ssl);
        io->ssl = ssl;
    } else {
        io->hs_done = true;
    }
    event_assign(&io->rev, base, fd, EV_READ | EV_PERSIST, on_read, io);
    event_assign(&io->wev, base, fd, EV_WRITE, on_write, io);
    event_add(&io->rev, NULL);
    io->reading = true;
    return 0;
}

void srv_io_free(srv_io *io) {
    if (!io->in) return;
    event_del(&io->rev);
    event_del(&io->wev);
    if (io->ssl) {
        /* close_notify, best effort: the socket is non-blocking */
        if (io->hs_done && !io->failed) SSL_shutdown(io->ssl);
        ERR_clear_error();
        SSL_free(io->ssl);
        io->ssl = NULL;
    }
    close(io->fd);
    evbuffer_free(io->in);
    evbuffer_free(io->out);
    io->in = io->out = NULL;
}

int srv_io_write(srv_io *io, const void *p, size_t n) {
    if (io->failed) return -1;
    if (!n) return 0;
    const char *s = p;
    if (evbuffer_get_length(io->out) == 0 && io->hs_done && !io->corked) {
        size_t off = 0;
        if (!io->ssl) {
            while (off < n) {
                ssize_t k = send(io->fd, s + off, n - off, MSG_NOSIGNAL);
                if (k > 0) {
                    off += (size_t)k;
                    continue;
                }
                if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
                io->failed = true;
                return -1;
            }
        } else {
            while (off < n) {
                size_t len = n - off;
                int r = SSL_write(io->ssl, s + off, (int)(len > INT32_MAX ? INT32_MAX : len));
                if (r > 0) {
                    off += (size_t)r;
                    continue;
                }
                int err = SSL_get_error(io->ssl, r);
                ERR_clear_error();
                if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
                    io->wpend = len > INT32_MAX ? INT32_MAX : len; /* retried from `out` */
                    if (err == SSL_ERROR_WANT_READ) io->write_wants_read = true;
                    break;
                }
                io->failed = true;
                return -1;
            }
        }
        if (off == n) return 0;
        s += off;
        n -= off;
    }
    if (evbuffer_add(io->out, s, n) != 0) {
        io->failed = true;
        return -1;
    }
    if (io->hs_done && !io->write_wants_read && !io->corked) want_write(io);
    return 0;
}

int srv_io_cork(srv_io *io, bool on) {
    if (on) {
        io->corked = true;
        return 0;
    }
    if (!io->corked) return 0;
    io->corked = false;
    if (io->failed) return -1;
    if (!io->hs_done || io->write_wants_read || evbuffer_get_length(io->out) == 0) return 0;
    if (flush_out(io) < 0) {
        io->failed = true;
        return -1;
    }
    return 0;
}

void srv_io_read(srv_io *io, bool on) {
    if (on == io->reading || (on && io->eof)) return;
    if (on)
        event_add(&io->rev, NULL);
    else
        event_del(&io->rev);
    io->reading = on;
}

size_t srv_io_pending(const srv_io *io) { return io->out ? evbuffer_get_length(io->out) : 0; }
