/* serve.c - srv_serve: the server's life from start to clean exit. Loads
 * the state, metrics and decision log; resolves and binds every configured
 * address (one SO_REUSEPORT socket per worker); chooses TLS (configured
 * certificate, else the development certificate on non-loopback addresses,
 * else plain HTTP on loopback); drops root; starts the workers; then the
 * calling thread waits for signals: SIGHUP reloads on a background thread
 * (gatehouse.yaml, policies and data as one snapshot, then log level, rate
 * limit, decision log and TLS files), SIGINT/SIGTERM stop gracefully. Signals are blocked in every
 * thread the server creates, so only this thread sees them. */
#include "server/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SRV_MAX_WORKERS
#define SRV_MAX_WORKERS 256
#endif

typedef struct bound_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    bool loopback;
    char host[256]; /* as configured, for messages */
    char port[16];
    int spec; /* index of the configured address it came from */
    int fds[SRV_MAX_WORKERS];
    int nfds;
} bound_addr;

/* "host:port", "[v6]:port", ":port" -> host ("" = every address), port */
static int split_addr(const char *a, char *host, size_t hn, char *port, size_t pn, gh_err *e) {
    const char *colon;
    if (a[0] == '[') {
        const char *rb = strchr(a, ']');
        if (!rb || rb[1] != ':') goto bad;
        if ((size_t)(rb - a - 1) >= hn) goto bad;
        memcpy(host, a + 1, (size_t)(rb - a - 1));
        host[rb - a - 1] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(a, ':');
        if (!colon || (size_t)(colon - a) >= hn) goto bad;
        memcpy(host, a, (size_t)(colon - a));
        host[colon - a] = '\0';
        if (strchr(host, ':')) goto bad; /* bare IPv6 needs brackets */
    }
    if (!colon[1] || strlen(colon + 1) >= pn ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        goto bad;
    strcpy(port, colon + 1);
    if (atoi(port) > 65535) goto bad;
    return 0;
bad:
    return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                      "addr: \"%s\" is not host:port (e.g. 127.0.0.1:8181, [::1]:8181, :8181)", a);
}

static bool sa_loopback(const struct sockaddr *sa) {
    if (sa->sa_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        return (ip >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a6)) return true;
        if (IN6_IS_ADDR_V4MAPPED(a6)) return a6->s6_addr[12] == 127;
    }
    return false;
}

static bool ipv6_usable(void) {
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    close(fd);
    return true;
}

/* Resolve one configured address into out[*n...]: a host name gets every
 * distinct address it has (clients of "localhost" may try ::1 or 127.0.0.1
 * first); the empty host gets one wildcard socket (IPv6 with IPv4 mapped
 * when the kernel has IPv6). */
static int resolve(const char *spec, int spec_idx, bound_addr *out, int *n, int max, gh_err *e) {
    char host[256], port[16];
    int rc = split_addr(spec, host, sizeof host, port, sizeof port, e);
    if (rc) return rc;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (g != 0 || !res)
        return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "addr: cannot resolve \"%s\": %s", spec,
                          gai_strerror(g));
    bool v6 = ipv6_usable();
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        if (ai->ai_family == AF_INET6 && !v6) continue;
        if (!host[0] && v6 && ai->ai_family != AF_INET6) continue; /* :: covers IPv4 */
        bool dup = false;
        for (int i = 0; i < *n; i++)
            if (out[i].len == ai->ai_addrlen &&
                memcmp(&out[i].ss, ai->ai_addr, ai->ai_addrlen) == 0)
                dup = true;
        if (dup) continue;
        if (*n >= max) {
            freeaddrinfo(res);
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0, "addr: more than %d listen addresses", max);
        }
        bound_addr *b = &out[(*n)++];
        memset(b, 0, sizeof *b);
        memcpy(&b->ss, ai->ai_addr, ai->ai_addrlen);
        b->len = ai->ai_addrlen;
        b->loopback = host[0] && sa_loopback(ai->ai_addr);
        b->spec = spec_idx;
        snprintf(b->host, sizeof b->host, "%s", host);
        snprintf(b->port, sizeof b->port, "%s", port);
        if (!host[0]) break;
    }
    freeaddrinfo(res);
    return 0;
}

static int sa_port(const struct sockaddr_storage *ss) {
    return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
                                          : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void sa_set_port(struct sockaddr_storage *ss, int port) {
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int make_listener(bound_addr *b, bool reuseport, gh_err *e) {
    int fd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return gh_err_set(e, GH_EIO, NULL, 0, 0, "socket: %s", strerror(errno));
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        close(fd);
        return -2;
    }
    if (b->ss.ss_family == AF_INET6) /* the wildcard serves IPv4 too */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, b->host[0] ? &one : &zero, sizeof one);
    if (bind(fd, (struct sockaddr *)&b->ss, b->len) != 0) {
        int err = errno;
        close(fd);
        if (reuseport && b->nfds > 0) return -2;
        return gh_err_set(e, GH_EIO, NULL, 0, 0, "cannot listen on %s:%s: %s", b->host, b->port,
                          strerror(err));
    }
    if (listen(fd, 1024) != 0) {
        int err = errno;
        close(fd);
        return gh_err_set(e, GH_EIO, NULL, 0, 0, "listen %s:%s: %s", b->host, b->port,
                          strerror(err));
    }
    if (b->nfds == 0) { /* ":0" -> the port the kernel chose, for the other workers */
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0) {
            if (got.ss_family == AF_INET)
                ((struct sockaddr_in *)&b->ss)->sin_port = ((struct sockaddr_in *)&got)->sin_port;
            else if (got.ss_family == AF_INET6)
                ((struct sockaddr_in6 *)&b->ss)->sin6_port =
                    ((struct sockaddr_in6 *)&got)->sin6_port;
        }
    }
    b->fds[b->nfds++] = fd;
    return 0;
}

/* One listening socket per worker (SO_REUSEPORT spreads connections over
 * them in the kernel), or duplicates of one socket where that fails. */
static int bind_all(bound_addr *b, int workers, gh_err *e) {
    /* SO_REUSEPORT would let a second server (same user) silently share a
     * port in use: first claim the address without it, as a plain bind */
    int probe = socket(b->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return gh_err_set(e, GH_EIO, NULL, 0, 0, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (b->ss.ss_family == AF_INET6 && b->host[0])
        setsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(probe, (struct sockaddr *)&b->ss, b->len) != 0) {
        int err = errno;
        close(probe);
        return gh_err_set(e, GH_EIO, NULL, 0, 0, "cannot listen on %s:%s: %s", b->host, b->port,
                          strerror(err));
    }
    close(probe);
    int rc = make_listener(b, true, e);
    if (rc == -2) rc = make_listener(b, false, e);
    if (rc) return rc;
    bool reuse = true;
    while (b->nfds < workers) {
        if (reuse) {
            rc = make_listener(b, true, e);
            if (rc == 0) continue;
            if (rc != -2) return rc;
            reuse = false;
        }
        int fd = fcntl(b->fds[0], F_DUPFD_CLOEXEC, 0);
        if (fd < 0) return gh_err_set(e, GH_EIO, NULL, 0, 0, "dup: %s", strerror(errno));
        b->fds[b->nfds++] = fd;
    }
    return 0;
}

static void addr_text(const bound_addr *b, char *out, size_t n) {
    char ip[INET6_ADDRSTRLEN] = "";
    int port = 0;
    if (b->ss.ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)&b->ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        port = ntohs(s->sin_port);
        snprintf(out, n, "%s:%d", ip, port);
    } else {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&b->ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        port = ntohs(s->sin6_port);
        snprintf(out, n, "[%s]:%d", ip, port);
    }
}

/* ---- reload thread -----------------------------------------------------------
 * One SIGHUP: gatehouse.yaml read again (when the server has one), then the
 * policies and data under the resulting configuration, published together
 * as one snapshot (srv_state_apply), then the settings outside the state
 * (log level, rate limit, decision log file, TLS files). Counted as one
 * reload in /metrics: ok only when every part succeeded. */

typedef struct reloader {
    srv_ctx *ctx;
    srv_ratelimit *rl;
    srv_tls_live *tls;              /* NULL: plain HTTP */
    const char *dev_cert, *dev_key; /* the development certificate (NULL: none) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool pending, quit;
    pthread_t th;
} reloader;

static void log_err(const char *what, gh_err *err) {
    char msg[GH_ERR_MSG + GH_ERR_FILE + 32];
    gh_log(GH_LOG_ERROR, what, "error", gh_err_format(err, msg, sizeof msg), NULL);
}

/* Read gatehouse.yaml again: *next is the new configuration (running values
 * kept for what needs a restart), NULL when there is no file or it failed. */
static bool reread_config(const srv_config *run, srv_config **next) {
    *next = NULL;
    if (!run->config_file) return true;
    gh_err err;
    gh_err_clear(&err);
    if (srv_config_reread(run, next, &err)) {
        log_err("configuration reload failed; keeping the running configuration", &err);
        return false;
    }
    const char *keys[64];
    size_t n = srv_config_keep_restart(run, *next, keys, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        gh_log(GH_LOG_WARN,
               "setting changed; restart needed for it to take effect (keeping the "
               "running value)",
               "setting", keys[i], "file", run->config_file, NULL);
    return true;
}

/* Settings outside the snapshot, from the configuration now in force. */
static bool apply_outside(reloader *r, const srv_config *old, const srv_config *c) {
    bool ok = true;
    gh_log_setup((gh_log_level)c->log_level, (gh_log_format)c->log_format);
    srv_ratelimit_set(r->rl, c->rate_limit_rps, c->rate_limit_burst);
    gh_err err;
    gh_err_clear(&err);
    const char *was = old->decision_log_file, *now = c->decision_log_file;
    if (old != c && (!was != !now || (was && now && strcmp(was, now)))) {
        if (srv_declog_reopen(r->ctx->declog, c->decision_log_file, &err) == 0) {
            gh_log(GH_LOG_INFO,
                   c->decision_log_file ? "decision log file changed"
                                        : "decision logging turned off",
                   "file", c->decision_log_file ? c->decision_log_file : "", NULL);
        } else {
            log_err("decision log reopen failed; logging to the previous file", &err);
            ok = false;
        }
    }
    if (r->tls) { /* rotated certificates (cert-manager, ACME) take effect */
        const char *cert = c->tls_cert_file ? c->tls_cert_file : r->dev_cert;
        const char *key = c->tls_cert_file ? c->tls_key_file : r->dev_key;
        gh_err_clear(&err);
        if (cert && srv_tls_live_reload(r->tls, c, cert, key, &err) == 0) {
            gh_log(GH_LOG_INFO, "reloaded the TLS certificate", "cert", cert, NULL);
        } else if (cert) {
            log_err("TLS certificate reload failed; keeping the previous one", &err);
            ok = false;
        }
    }
    return ok;
}

static void reload_once(reloader *r) {
    srv_state *st = r->ctx->state;
    srv_snapshot *before = srv_state_acquire(st);
    const srv_config *run = srv_snap_cfg(r->ctx, before);
    srv_config *next = NULL;
    bool ok = reread_config(run, &next);
    bool had_next = next != NULL;

    gh_arena a;
    gh_arena_init(&a, 0);
    gh_err err;
    gh_err_clear(&err);
    srv_change ch;
    memset(&ch, 0, sizeof ch);
    ch.kind = SRV_CH_RELOAD;
    ch.cfg = next; /* taken over */
    int rc = srv_state_apply(st, &ch, &a, NULL, &err);
    uint64_t rev = srv_state_revision(st);
    char revs[24];
    snprintf(revs, sizeof revs, "%llu", (unsigned long long)rev);
    if (rc == 0) {
        gh_log(GH_LOG_INFO,
               had_next ? "reloaded the configuration, policies and data"
                        : "reloaded policies and data",
               "revision", revs, NULL);
    } else {
        char msg[GH_ERR_MSG + GH_ERR_FILE + 32];
        gh_log(GH_LOG_ERROR,
               had_next ? "reload failed; keeping the previous configuration, policies and data"
                        : "reload failed; keeping the previous policies",
               "revision", revs, "error", gh_err_format(&err, msg, sizeof msg), NULL);
        ok = false;
    }
    gh_arena_free(&a);
    srv_snapshot *now = srv_state_acquire(st);
    if (!apply_outside(r, run, srv_snap_cfg(r->ctx, now))) ok = false;
    srv_snapshot_release(now);
    srv_snapshot_release(before);
    srv_metrics_reload(r->ctx->metrics, ok, rev);
}

static void *reload_main(void *arg) {
    reloader *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->pending && !r->quit)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->quit) break;
        r->pending = false;
        pthread_mutex_unlock(&r->mu);
        reload_once(r);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* ---- srv_serve ------------------------------------------------------------------- */

/* SIGTERM with a wait period (opa run --shutdown-wait-period): keep serving
 * for ms while load balancers take the endpoint out; a second SIGINT or
 * SIGTERM ends the wait early. SIGHUP is left pending for later. */
static void wait_before_shutdown(int ms) {
    char v[24];
    snprintf(v, sizeof v, "%dms", ms);
    gh_log(GH_LOG_INFO, "waiting before shutdown", "wait", v, NULL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int64_t end = srv_now_ns() + (int64_t)ms * 1000000;
    for (;;) {
        int64_t left = end - srv_now_ns();
        if (left <= 0) return;
        struct timespec ts = {(time_t)(left / 1000000000), (long)(left % 1000000000)};
        int sig = sigtimedwait(&stop, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) return;
        /* EINTR or EAGAIN (time is up): the loop checks the clock */
    }
}

static void make_instance_id(char out[40]) {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        uint64_t x = (uint64_t)srv_now_ns() * 0x9e3779b97f4a7c15ull;
        memcpy(b, &x, 8);
        memcpy(b + 8, &x, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

int srv_serve(const srv_config *c, gh_err *e) {
    int rc = 0;
    srv_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.cfg = c;
    ctx.version = GH_VERSION;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    ctx.started_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
    make_instance_id(ctx.instance_id);

    srv_http_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.ctx = &ctx;
    srv_http *workers[SRV_MAX_WORKERS] = {0};
    int nworkers = c->workers > 0 ? c->workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nworkers < 1) nworkers = 1;
    if (nworkers > SRV_MAX_WORKERS) nworkers = SRV_MAX_WORKERS;
    bound_addr *addrs = NULL;
    int nbound = 0;
    char *dev_cert = NULL, *dev_key = NULL, *dev_ca = NULL;
    reloader rl;
    memset(&rl, 0, sizeof rl);
    bool reload_started = false;
    srv_tls_live *tls_live = NULL;
    const char *cert = NULL, *key = NULL;

    /* signals: only the thread in sigwait below sees them */
    sigset_t sigs, oldsigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, &oldsigs);
    struct sigaction ign, oldpipe;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &oldpipe);

    if (c->naddrs <= 0) {
        rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0, "addr: no listen address configured");
        goto out;
    }
    if (c->max_header_bytes < 256 || c->max_body_bytes == 0) {
        rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                        "limits: max_header_bytes must be >= 256 and max_body_bytes > 0");
        goto out;
    }
    if ((c->tls_cert_file == NULL) != (c->tls_key_file == NULL)) {
        rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                        c->tls_cert_file ? "tls.key_file: needed with tls.cert_file"
                                         : "tls.cert_file: needed with tls.key_file");
        goto out;
    }
    addrs = gh_calloc(SRV_MAX_LISTEN, sizeof *addrs);
    if (!addrs) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    bool public_addr = false;
    for (int i = 0; i < c->naddrs; i++)
        if ((rc = resolve(c->addrs[i], i, addrs, &nbound, SRV_MAX_LISTEN, e)) != 0) goto out;
    for (int i = 0; i < nbound; i++)
        if (!addrs[i].loopback) public_addr = true;

    /* policies first: a bad policy fails before anything is bound */
    ctx.metrics = srv_metrics_new();
    if (!ctx.metrics) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    gh_err_clear(e);
    /* a writer even when off, so that a reload can turn the log on */
    ctx.declog = srv_declog_open_live(c->decision_log_file, e);
    if (!ctx.declog) {
        rc = e && e->code ? e->code : GH_EIO;
        goto out;
    }
    ctx.state = srv_state_new(c, e);
    if (!ctx.state) {
        rc = e && e->code ? e->code : GH_EINTERNAL;
        goto out;
    }
    /* /metrics reads the served revision and the decision log's drops */
    srv_metrics_attach_state(ctx.metrics, ctx.state);
    srv_metrics_attach_declog(ctx.metrics, ctx.declog);
    /* bearer tokens are checked by the router against the configuration in
     * force (srv_tokens_check_hex), so that a reload can change them */

    /* TLS: configured files; else the development certificate when any
     * address is reachable from other hosts; else plain HTTP on loopback */
    cert = c->tls_cert_file;
    key = c->tls_key_file;
    if (!cert && public_addr && !c->insecure_http) {
        bool created = false;
        if ((rc = srv_tls_devcert(c->data_dir, &dev_cert, &dev_key, &dev_ca, &created, e)) != 0)
            goto out;
        cert = dev_cert;
        key = dev_key;
        char hint[GH_ERR_FILE + 160];
        snprintf(hint, sizeof hint,
                 "clients must trust %s (curl --cacert %s https://localhost:PORT/health); "
                 "configure tls.cert_file and tls.key_file for production",
                 dev_ca, dev_ca);
        gh_log(GH_LOG_WARN,
               created ? "generated a development certificate (no tls.cert_file configured)"
                       : "using the development certificate (no tls.cert_file configured)",
               "ca", dev_ca, "cert", dev_cert, "hint", hint, NULL);
    } else if (!cert && c->insecure_http && public_addr) {
        gh_log(GH_LOG_WARN, "serving plain HTTP on a non-loopback address (--insecure-http)", NULL);
    }
    if (!cert && c->tls_client_ca_file) {
        rc = gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                        "tls.client_ca_file: client certificates need TLS (tls.cert_file)");
        goto out;
    }
    if (cert && !(sh.ssl = srv_tls_ctx_new(c, cert, key, e))) {
        rc = e && e->code ? e->code : GH_EIO;
        goto out;
    }
    if (sh.ssl && !(tls_live = srv_tls_live_new(sh.ssl))) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    /* made even when off: a reload may turn it on */
    if (!(sh.rl = srv_ratelimit_new_adjustable(c->rate_limit_rps, c->rate_limit_burst))) {
        rc = gh_err_set(e, GH_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }

    /* every worker may hold max_connections sockets: raise the soft limit on
     * descriptors as far as the hard limit allows */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    for (int i = 0; i < nbound; i++) {
        /* "localhost:0": every address of one name shares the port chosen first */
        for (int j = 0; j < i; j++)
            if (addrs[j].spec == addrs[i].spec && sa_port(&addrs[i].ss) == 0)
                sa_set_port(&addrs[i].ss, sa_port(&addrs[j].ss));
        if ((rc = bind_all(&addrs[i], nworkers, e)) != 0) goto out;
    }

    bool dropped = false;
    if ((rc = srv_privdrop(c->run_as_user, &dropped, e)) != 0) goto out;
    if (dropped)
        gh_log(GH_LOG_INFO, "dropped privileges", "user",
               c->run_as_user ? c->run_as_user : "nobody", NULL);

    for (int w = 0; w < nworkers; w++) {
        int fds[SRV_MAX_LISTEN];
        for (int i = 0; i < nbound; i++) {
            fds[i] = addrs[i].fds[w];
            addrs[i].fds[w] = -1;
        }
        workers[w] = srv_http_new(&sh, w, fds, nbound, e);
        if (!workers[w]) {
            rc = e && e->code ? e->code : GH_EINTERNAL;
            goto out;
        }
    }
    for (int w = 0; w < nworkers; w++)
        if ((rc = srv_http_start(workers[w], e)) != 0) goto out;

    rl.ctx = &ctx;
    rl.rl = sh.rl;
    rl.tls = tls_live;
    rl.dev_cert = dev_cert;
    rl.dev_key = dev_key;
    pthread_mutex_init(&rl.mu, NULL);
    pthread_cond_init(&rl.cv, NULL);
    if (pthread_create(&rl.th, NULL, reload_main, &rl) != 0) {
        rc = gh_err_set(e, GH_EIO, NULL, 0, 0, "cannot start the reload thread");
        goto out;
    }
    reload_started = true;

    char nworkers_s[16];
    snprintf(nworkers_s, sizeof nworkers_s, "%d", nworkers);
    for (int i = 0; i < nbound; i++) {
        char at[300], msg[340];
        addr_text(&addrs[i], at, sizeof at);
        snprintf(msg, sizeof msg, "listening on %s://%s", sh.ssl ? "https" : "http", at);
        gh_log(GH_LOG_INFO, msg, "workers", nworkers_s, "tls",
               sh.ssl ? (c->tls_allow_12 ? "1.2+" : "1.3") : "off", NULL);
    }

    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig == SIGHUP) {
            gh_log(GH_LOG_INFO, "SIGHUP: reloading", NULL);
            pthread_mutex_lock(&rl.mu);
            rl.pending = true;
            pthread_cond_signal(&rl.cv);
            pthread_mutex_unlock(&rl.mu);
            continue;
        }
        gh_log(GH_LOG_INFO, sig == SIGINT ? "SIGINT: shutting down" : "SIGTERM: shutting down",
               NULL);
        if (c->shutdown_wait_ms > 0) wait_before_shutdown(c->shutdown_wait_ms);
        break;
    }
    rc = 0;

out : {
    /* graceful: every worker stops accepting and finishes what it has
     * within the grace period */
    for (int w = 0; w < nworkers; w++)
        if (workers[w]) srv_http_stop(workers[w], c->shutdown_grace_ms);
    for (int w = 0; w < nworkers; w++)
        srv_http_free(workers[w]);
}
    if (reload_started) {
        pthread_mutex_lock(&rl.mu);
        rl.quit = true;
        pthread_cond_signal(&rl.cv);
        pthread_mutex_unlock(&rl.mu);
        pthread_join(rl.th, NULL);
        pthread_mutex_destroy(&rl.mu);
        pthread_cond_destroy(&rl.cv);
    }
    if (addrs) {
        for (int i = 0; i < nbound; i++)
            for (int j = 0; j < addrs[i].nfds; j++)
                if (addrs[i].fds[j] >= 0) close(addrs[i].fds[j]);
        gh_free(addrs);
    }
    srv_tls_live_free(tls_live);
    if (sh.ssl) SSL_CTX_free(sh.ssl);
    srv_ratelimit_free(sh.rl);
    if (ctx.state) srv_state_free(ctx.state);
    if (ctx.declog) srv_declog_close(ctx.declog);
    if (ctx.metrics) srv_metrics_free(ctx.metrics);
    gh_free(dev_cert);
    gh_free(dev_key);
    gh_free(dev_ca);
    if (rc == 0) gh_log(GH_LOG_INFO, "stopped", NULL);
    sigaction(SIGPIPE, &oldpipe, NULL);
    pthread_sigmask(SIG_SETMASK, &oldsigs, NULL);
    return rc;
}
