/* h2.c - HTTP/2 for the server transport: one nghttp2 server session per
 * connection, without sockets. The caller feeds received bytes in
 * (srv_h2_feed), gets every complete request through its callback (on the
 * same thread, inside the feed), answers with srv_h2_respond (at once or
 * later), and drains the frames to send with srv_h2_flush. nghttp2 does the
 * framing, HPACK, flow control and HTTP/2 messaging checks (pseudo-headers,
 * connection-specific fields, content-length against DATA); this file
 * collects each stream's header fields and body within the configured
 * limits and answers what does not fit (431, 413) on the stream without
 * touching the others.
 * Memory: a stream owns one heap block for its header fields, one for its
 * body and one for its response, all freed when nghttp2 closes the stream;
 * the body bytes a connection holds at once are bounded (H2_CONN_BODY_MAX
 * request bodies), a stream beyond that is refused (REFUSED_STREAM, which
 * tells the client it may retry). */
#include "server/http_int.h"

#include <ctype.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H2_MAX_STREAMS 128          /* SETTINGS_MAX_CONCURRENT_STREAMS */
#define H2_STREAM_WINDOW (1u << 20) /* SETTINGS_INITIAL_WINDOW_SIZE */
#define H2_CONN_WINDOW (4u << 20)   /* connection-level receive window */
#define H2_CONN_BODY_MAX 4          /* request bodies of max_body_bytes held at once */

typedef struct h2_stream h2_stream;
struct h2_stream {
    int32_t id;
    gh_buf fields; /* "name\0value\0" pairs in arrival order (pseudo-fields first) */
    char *method, *path, *authority; /* inside `fields`, set when the block ends */
    size_t off_method, off_path, off_authority, off_length; /* value offset + 1; 0: absent */
    int nfields;        /* regular header fields in `fields` after the pseudo ones */
    size_t field_bytes; /* RFC 9113 6.5.2 accounting: name + value + 32 each */
    gh_buf body;
    int refuse;      /* status to answer instead of dispatching (413, 431), 0 none */
    bool dispatched; /* the request went to the callback (or was refused) */
    bool responded;
    char *resp; /* response body (heap) and how much was sent */
    size_t resp_len, resp_off;
    h2_stream *next; /* open streams of the session */
};

struct srv_h2 {
    nghttp2_session *ss;
    srv_h2_limits lim;
    srv_h2_req_cb cb;
    void *arg;
    h2_stream *streams;
    size_t body_bytes; /* request body bytes held by open streams */
    int incomplete;    /* streams whose request is still arriving */
    bool failed;       /* a connection error: nothing more is read */
};

/* ---- streams ------------------------------------------------------------------------ */

static h2_stream *stream_get(srv_h2 *h, int32_t id) {
    return nghttp2_session_get_stream_user_data(h->ss, id);
}

static void stream_free(srv_h2 *h, h2_stream *s) {
    for (h2_stream **pp = &h->streams; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    if (!s->dispatched) h->incomplete--;
    h->body_bytes -= s->body.len;
    gh_buf_free(&s->fields);
    gh_buf_free(&s->body);
    gh_free(s->resp);
    gh_free(s);
}

/* The request is complete (or refused): it no longer counts as arriving,
 * and its body no longer counts against the connection's budget once the
 * callback has run. */
static void stream_settle(srv_h2 *h, h2_stream *s) {
    if (!s->dispatched) {
        s->dispatched = true;
        h->incomplete--;
    }
}

static void refuse(srv_h2 *h, h2_stream *s, int status) {
    if (s->dispatched) return;
    s->refuse = status;
    h->body_bytes -= s->body.len;
    gh_buf_free(&s->body);
    stream_settle(h, s);
    if (h->lim.on_refused) {
        h->lim.on_refused(h, s->id, status, h->arg); /* answers with the caller's headers */
        return;
    }
    static const char *const nm[] = {"content-type"};
    static const char *const vl[] = {"application/json"};
    char body[96];
    int n = snprintf(body, sizeof body, "{\"code\":\"invalid_parameter\",\"message\":\"%s\"}",
                     srv_h2_refusal_text(status));
    srv_h2_respond(h, s->id, status, nm, vl, 1, body, n > 0 ? (size_t)n : 0, false);
}

const char *srv_h2_refusal_text(int status) {
    return status == 413 ? "request body too large" : "request header fields too large";
}

static void dispatch(srv_h2 *h, h2_stream *s) {
    if (s->dispatched) return;
    stream_settle(h, s);
    if (!s->method || !s->path) { /* nghttp2's messaging checks reject these first */
        nghttp2_submit_rst_stream(h->ss, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_PROTOCOL_ERROR);
        return;
    }
    const char *names[SRV_MAX_REQ_HEADERS], *values[SRV_MAX_REQ_HEADERS];
    int n = 0;
    const char *p = s->fields.p;
    const char *end = p ? p + s->fields.len : NULL;
    while (p && p < end) {
        const char *name = p;
        const char *value = name + strlen(name) + 1;
        p = value + strlen(value) + 1;
        if (name[0] == ':') continue;
        if (n < SRV_MAX_REQ_HEADERS) {
            names[n] = name;
            values[n] = value;
            n++;
        }
    }
    srv_h2_req rq = {
        .stream_id = s->id,
        .method = s->method,
        .path = s->path,
        .authority = s->authority,
        .names = names,
        .values = values,
        .nhdr = n,
        .body = s->body.p ? s->body.p : "",
        .body_len = s->body.len,
    };
    h->cb(h, &rq, h->arg);
    /* the body is not needed after the callback: release it early */
    h->body_bytes -= s->body.len;
    gh_buf_free(&s->body);
}

/* ---- nghttp2 callbacks ----------------------------------------------------------------- */

static int on_begin_headers(nghttp2_session *ss, const nghttp2_frame *f, void *ud) {
    srv_h2 *h = ud;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    h2_stream *s = gh_calloc(1, sizeof *s);
    if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets this stream only */
    s->id = f->hd.stream_id;
    gh_buf_init(&s->fields);
    gh_buf_init(&s->body);
    if (nghttp2_session_set_stream_user_data(ss, s->id, s) != 0) {
        gh_free(s);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    s->next = h->streams;
    h->streams = s;
    h->incomplete++;
    return 0;
}

static int on_header(nghttp2_session *ss, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud) {
    srv_h2 *h = ud;
    (void)flags;
    (void)ss;
    if (f->hd.type != NGHTTP2_HEADERS) return 0;
    h2_stream *s = stream_get(h, f->hd.stream_id);
    if (!s || s->refuse || s->dispatched) return 0;
    /* trailers (a HEADERS frame after the body) are accepted and ignored,
     * as HTTP/1.1 chunked trailers are */
    if (f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    s->field_bytes += namelen + valuelen + 32;
    if (s->field_bytes > h->lim.max_header_bytes || s->nfields >= SRV_MAX_REQ_HEADERS) {
        s->refuse = 431; /* answered when the header block ends */
        return 0;
    }
    /* a NUL inside a field would cut it short below: nghttp2's field
     * validation refuses NUL, CR and LF already, this is belt and braces */
    if (memchr(name, 0, namelen) || memchr(value, 0, valuelen)) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    /* nghttp2 hands both NUL-terminated: one append each, NUL included */
    gh_buf_append(&s->fields, name, namelen + 1);
    size_t voff = s->fields.len;
    gh_buf_append(&s->fields, value, valuelen + 1);
    if (s->fields.oom) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (name[0] == ':') {
        if (namelen == 7 && memcmp(name, ":method", 7) == 0)
            s->off_method = voff + 1;
        else if (namelen == 5 && memcmp(name, ":path", 5) == 0)
            s->off_path = voff + 1;
        else if (namelen == 10 && memcmp(name, ":authority", 10) == 0)
            s->off_authority = voff + 1;
    } else if (namelen == 14 && memcmp(name, "content-length", 14) == 0) {
        s->off_length = voff + 1;
    }
    if (name[0] != ':') s->nfields++;
    return 0;
}

/* Pointers to the pseudo-field values once the block is complete (the
 * buffer no longer moves for this stream: trailers are not stored). */
static void find_pseudo(h2_stream *s) {
    char *base = s->fields.p;
    if (!base) return;
    s->method = s->off_method ? base + s->off_method - 1 : NULL;
    s->path = s->off_path ? base + s->off_path - 1 : NULL;
    s->authority = s->off_authority ? base + s->off_authority - 1 : NULL;
}

static int on_frame_recv(nghttp2_session *ss, const nghttp2_frame *f, void *ud) {
    srv_h2 *h = ud;
    (void)ss;
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) return 0;
    h2_stream *s = stream_get(h, f->hd.stream_id);
    if (!s) return 0;
    if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
        if (s->refuse) {
            refuse(h, s, s->refuse);
            return 0;
        }
        find_pseudo(s);
        /* a declared body that cannot fit is refused before it is sent */
        if (s->off_length) {
            char *e = NULL;
            unsigned long long cl = strtoull(s->fields.p + s->off_length - 1, &e, 10);
            if (e && *e == '\0' && cl > h->lim.max_body_bytes) {
                refuse(h, s, 413);
                return 0;
            }
        }
    }
    if ((f->hd.flags & NGHTTP2_FLAG_END_STREAM) && !s->dispatched) dispatch(h, s);
    return 0;
}

static int on_data_chunk(nghttp2_session *ss, uint8_t flags, int32_t id, const uint8_t *data,
                         size_t len, void *ud) {
    srv_h2 *h = ud;
    (void)flags;
    h2_stream *s = stream_get(h, id);
    if (!s || s->dispatched) return 0; /* refused or answered: discarded */
    if (s->body.len + len > h->lim.max_body_bytes) {
        refuse(h, s, 413);
        return 0;
    }
    if (h->body_bytes + len > (size_t)H2_CONN_BODY_MAX * h->lim.max_body_bytes) {
        nghttp2_submit_rst_stream(ss, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
        return 0;
    }
    gh_buf_append(&s->body, data, len);
    if (s->body.oom) {
        nghttp2_submit_rst_stream(ss, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
        return 0;
    }
    h->body_bytes += len;
    return 0;
}

static int on_stream_close(nghttp2_session *ss, int32_t id, uint32_t code, void *ud) {
    srv_h2 *h = ud;
    (void)code;
    h2_stream *s = stream_get(h, id);
    if (!s) return 0;
    nghttp2_session_set_stream_user_data(ss, id, NULL);
    stream_free(h, s);
    return 0;
}

static ssize_t read_body(nghttp2_session *ss, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *ud) {
    (void)ss;
    (void)id;
    (void)ud;
    h2_stream *s = src->ptr;
    size_t left = s->resp_len - s->resp_off;
    if (len > left) len = left;
    if (len) memcpy(buf, s->resp + s->resp_off, len);
    s->resp_off += len;
    if (s->resp_off == s->resp_len) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)len;
}

/* ---- the session ------------------------------------------------------------------------ */

srv_h2 *srv_h2_new(const srv_h2_limits *lim, srv_h2_req_cb cb, void *arg) {
    srv_h2 *h = gh_calloc(1, sizeof *h);
    if (!h) return NULL;
    h->lim = *lim;
    h->cb = cb;
    h->arg = arg;
    nghttp2_session_callbacks *cbs = NULL;
    nghttp2_option *opt = NULL;
    if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0) goto fail;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    /* HPACK: the peer's dynamic table is bounded by our SETTINGS (4 KiB
     * default); ours for responses stays small too */
    nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
    int rc = nghttp2_session_server_new2(&h->ss, cbs, h, opt);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_option_del(opt);
    cbs = NULL;
    opt = NULL;
    if (rc != 0) goto fail;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)lim->max_header_bytes},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    };
    if (nghttp2_submit_settings(h->ss, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]) != 0 ||
        nghttp2_session_set_local_window_size(h->ss, NGHTTP2_FLAG_NONE, 0, H2_CONN_WINDOW) != 0)
        goto fail;
    return h;
fail:
    if (cbs) nghttp2_session_callbacks_del(cbs);
    if (opt) nghttp2_option_del(opt);
    srv_h2_free(h);
    return NULL;
}

void srv_h2_free(srv_h2 *h) {
    if (!h) return;
    if (h->ss) nghttp2_session_del(h->ss); /* closes streams through on_stream_close */
    while (h->streams)
        stream_free(h, h->streams);
    gh_free(h);
}

long srv_h2_feed(srv_h2 *h, const void *p, size_t n) {
    if (h->failed) return -1;
    ssize_t r = nghttp2_session_mem_recv(h->ss, p, n);
    if (r < 0) {
        h->failed = true;
        /* a protocol violation: tell the peer why before closing, when the
         * session can still send (a bad preface cannot) */
        if (r != NGHTTP2_ERR_BAD_CLIENT_MAGIC && r != NGHTTP2_ERR_NOMEM)
            nghttp2_session_terminate_session(h->ss, NGHTTP2_PROTOCOL_ERROR);
        return -1;
    }
    return (long)r;
}

int srv_h2_respond(srv_h2 *h, int32_t stream_id, int status, const char *const *names,
                   const char *const *values, int nhdr, const void *body, size_t len,
                   bool head_only) {
    h2_stream *s = stream_get(h, stream_id);
    if (!s || s->responded) return -1; /* the client reset it meanwhile */
    s->responded = true;
    stream_settle(h, s);
    if (nhdr > SRV_H2_MAX_RESP_FIELDS) nhdr = SRV_H2_MAX_RESP_FIELDS;
    nghttp2_nv nv[SRV_H2_MAX_RESP_FIELDS + 2];
    char st[4] = {(char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
                  (char)('0' + status % 10), '\0'};
    char cl[24];
    int k = 0;
    nv[k++] = (nghttp2_nv){(uint8_t *)":status", (uint8_t *)st, 7, 3, NGHTTP2_NV_FLAG_NONE};
    /* names must be lower case in HTTP/2: a copy, as one block */
    size_t nb = 0;
    for (int i = 0; i < nhdr; i++)
        nb += strlen(names[i]) + 1;
    char *lower = gh_malloc(nb + 1);
    if (!lower) return -1;
    char *q = lower;
    for (int i = 0; i < nhdr; i++) {
        size_t l = strlen(names[i]);
        for (size_t j = 0; j < l; j++)
            q[j] = (char)tolower((unsigned char)names[i][j]);
        q[l] = '\0';
        nv[k++] = (nghttp2_nv){(uint8_t *)q, (uint8_t *)values[i], l, strlen(values[i]),
                               NGHTTP2_NV_FLAG_NONE};
        q += l + 1;
    }
    bool has_body = status != 204 && status != 304;
    if (has_body) {
        int cn = snprintf(cl, sizeof cl, "%zu", len);
        nv[k++] = (nghttp2_nv){(uint8_t *)"content-length", (uint8_t *)cl, 14, (size_t)cn,
                               NGHTTP2_NV_FLAG_NONE};
    }
    if (head_only || !has_body) len = 0;
    nghttp2_data_provider prd;
    if (len) {
        s->resp = gh_malloc(len);
        if (!s->resp) {
            gh_free(lower);
            nghttp2_submit_rst_stream(h->ss, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
            return -1;
        }
        memcpy(s->resp, body, len);
        s->resp_len = len;
        prd.source.ptr = s;
        prd.read_callback = read_body;
    }
    int rc = nghttp2_submit_response(h->ss, stream_id, nv, (size_t)k, len ? &prd : NULL);
    gh_free(lower); /* nghttp2 copies the fields */
    return rc == 0 ? 0 : -1;
}

int srv_h2_flush(srv_h2 *h, int (*sink)(void *arg, const void *p, size_t n), void *arg) {
    for (;;) {
        const uint8_t *p = NULL;
        ssize_t n = nghttp2_session_mem_send(h->ss, &p);
        if (n < 0) {
            h->failed = true;
            return -1;
        }
        if (n == 0) return 0;
        if (sink(arg, p, (size_t)n) != 0) return -1;
    }
}

void srv_h2_shutdown(srv_h2 *h) {
    nghttp2_submit_goaway(h->ss, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(h->ss),
                          NGHTTP2_NO_ERROR, NULL, 0);
}

bool srv_h2_done(const srv_h2 *h) {
    return h->failed ? !nghttp2_session_want_write(h->ss)
                     : !nghttp2_session_want_read(h->ss) && !nghttp2_session_want_write(h->ss);
}

int srv_h2_arriving(const srv_h2 *h) { return h->incomplete; }

int srv_h2_preface(const void *p, size_t n) {
    _Static_assert(NGHTTP2_CLIENT_MAGIC_LEN == SRV_H2_PREFACE_LEN, "preface length");
    size_t k = n < NGHTTP2_CLIENT_MAGIC_LEN ? n : NGHTTP2_CLIENT_MAGIC_LEN;
    if (memcmp(p, NGHTTP2_CLIENT_MAGIC, k) != 0) return -1;
    return k == NGHTTP2_CLIENT_MAGIC_LEN ? 1 : 0;
}
