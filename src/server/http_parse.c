/* http_parse.c - the transport's pure parsing pieces: HTTP/1.1 request
 * heads (RFC 9112), request-targets and percent-decoding, chunked bodies,
 * gzip bodies, bearer tokens. Called by http.c on a worker thread and by
 * unit tests; nothing here touches sockets or global state. Every length
 * is bounded by the caller's buffer or limit before anything is stored. */
#include "server/http_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* RFC 9110 tchar: the characters of a method or field name. */
static bool is_tchar(unsigned char c) {
    if (isalnum(c)) return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Does the comma-separated list v hold token tok (case-insensitive)? */
static bool list_has(const char *v, const char *tok) {
    size_t tl = strlen(tok);
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - s) == tl && strncasecmp(s, tok, tl) == 0) return true;
    }
    return false;
}

static int parse_request_line(char *line, srv_head *h) {
    char *p = line;
    h->method = p;
    while (is_tchar((unsigned char)*p))
        p++;
    if (p == line || *p != ' ') return 400;
    *p++ = '\0';
    h->target = p;
    while (*p && *p != ' ') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x21 || c == 0x7f) return 400;
        p++;
    }
    if (p == h->target || *p != ' ') return 400;
    *p++ = '\0';
    if (strncmp(p, "HTTP/", 5) != 0) return 400;
    p += 5;
    if (!isdigit((unsigned char)p[0]) || p[1] != '.' || !isdigit((unsigned char)p[2]) || p[3])
        return 400;
    if (p[0] != '1') return 505;
    h->minor = p[2] - '0';
    return 0;
}

int srv_head_parse(char *buf, size_t n, srv_head *h) {
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    /* the block must end with the empty line; lines end with CRLF */
    if (n < 4 || memcmp(buf + n - 4, "\r\n\r\n", 4) != 0) return 400;
    if (memchr(buf, '\0', n)) return 400;
    char *end = buf + n - 2; /* start of the final CRLF */
    char *line = buf;
    bool first = true;
    bool te = false;
    while (line < end) {
        char *cr = memchr(line, '\r', (size_t)(end - line) + 1);
        if (!cr || cr[1] != '\n') return 400;
        *cr = '\0';
        if (first) {
            int st = parse_request_line(line, h);
            if (st) return st;
            first = false;
        } else {
            if (*line == ' ' || *line == '\t') return 400; /* obsolete line folding */
            char *p = line;
            while (is_tchar((unsigned char)*p))
                p++;
            if (p == line || *p != ':') return 400;
            *p++ = '\0';
            while (*p == ' ' || *p == '\t')
                p++;
            char *v = p, *ve = cr;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *ve = '\0';
            for (char *q = v; q < ve; q++) {
                unsigned char c = (unsigned char)*q;
                if ((c < 0x20 && c != '\t') || c == 0x7f) return 400;
            }
            if (h->nhdr >= SRV_MAX_REQ_HEADERS) return 431;
            h->names[h->nhdr] = line;
            h->values[h->nhdr] = v;
            h->nhdr++;
            if (strcasecmp(line, "content-length") == 0) {
                int64_t cl = 0;
                if (!*v || strlen(v) > 18) return 400;
                for (char *q = v; *q; q++) {
                    if (!isdigit((unsigned char)*q)) return 400;
                    cl = cl * 10 + (*q - '0');
                }
                if (h->content_length >= 0 && h->content_length != cl) return 400;
                h->content_length = cl;
            } else if (strcasecmp(line, "transfer-encoding") == 0) {
                if (te || strcasecmp(v, "chunked") != 0) return 501;
                te = h->chunked = true;
            } else if (strcasecmp(line, "expect") == 0) {
                if (strcasecmp(v, "100-continue") == 0) h->expect_continue = true;
            } else if (strcasecmp(line, "host") == 0) {
                if (h->has_host) return 400;
                h->has_host = true;
            }
        }
        line = cr + 2;
    }
    if (first) return 400;
    /* a message with both framings is how requests are smuggled */
    if (h->chunked && h->content_length >= 0) return 400;
    if (h->minor >= 1 && !h->has_host) return 400;
    const char *conn = srv_head_get(h, "connection");
    if (h->minor >= 1)
        h->keep_alive = !(conn && list_has(conn, "close"));
    else
        h->keep_alive = conn && list_has(conn, "keep-alive") && !list_has(conn, "close");
    return 0;
}

const char *srv_head_get(const srv_head *h, const char *name) {
    for (int i = 0; i < h->nhdr; i++)
        if (strcasecmp(h->names[i], name) == 0) return h->values[i];
    return NULL;
}

int srv_target_split(char *target, char *out, size_t cap, const char **query) {
    *query = NULL;
    char *p = target;
    /* absolute-form: scheme "://" authority path */
    if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
        p = strstr(p, "://") + 3;
        p += strcspn(p, "/?");
        if (*p != '/') return -1;
    }
    if (*p != '/') return -1;
    char *q = strchr(p, '?');
    if (q) {
        *q = '\0';
        *query = q + 1;
    }
    char *hash = strchr(p, '#');
    if (hash) *hash = '\0';
    size_t o = 0;
    for (const char *s = p; *s; s++) {
        int c = (unsigned char)*s;
        if (c == '%') {
            int hi = srv_hexval((unsigned char)s[1]), lo = hi < 0 ? -1 : srv_hexval((unsigned char)s[2]);
            if (hi < 0 || lo < 0) return -1;
            c = hi * 16 + lo;
            if (c == 0) return -1;
            s += 2;
        }
        if (o + 1 >= cap) return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* chunked decoder states */
enum {
    CH_SIZE,
    CH_EXT,
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER,
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_END_LF
};

long srv_chunked_feed(srv_chunked *d, const char *p, size_t n, gh_buf *out, size_t max) {
    size_t i = 0;
    while (i < n && !d->done) {
        unsigned char c = (unsigned char)p[i];
        switch (d->state) {
        case CH_SIZE: {
            int v = srv_hexval(c);
            if (v >= 0) {
                if (++d->digits > 15) return -1;
                d->left = d->left * 16 + (uint64_t)v;
                i++;
                break;
            }
            if (d->digits == 0) return -1;
            if (c == ';' || c == ' ' || c == '\t')
                d->state = CH_EXT;
            else if (c == '\r')
                d->state = CH_SIZE_LF;
            else
                return -1;
            i++;
            break;
        }
        case CH_EXT: /* chunk extensions are ignored */
            if (c == '\r')
                d->state = CH_SIZE_LF;
            else if (c < 0x20 && c != '\t')
                return -1;
            i++;
            break;
        case CH_SIZE_LF:
            if (c != '\n') return -1;
            i++;
            if (d->left == 0) {
                d->state = CH_TRAILER;
            } else {
                if (out->len + d->left > max) return -2;
                d->state = CH_DATA;
            }
            break;
        case CH_DATA: {
            size_t take = n - i;
            if (take > d->left) take = (size_t)d->left;
            gh_buf_append(out, p + i, take);
            if (out->oom) return -2;
            d->left -= take;
            i += take;
            if (d->left == 0) d->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (c != '\r') return -1;
            d->state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            if (c != '\n') return -1;
            d->state = CH_SIZE;
            d->digits = 0;
            d->left = 0;
            i++;
            break;
        case CH_TRAILER: /* start of a trailer line or the final CRLF */
            if (c == '\r')
                d->state = CH_END_LF;
            else
                d->state = CH_TRAILER_LINE;
            i++;
            break;
        case CH_TRAILER_LINE:
            if (c == '\r') d->state = CH_TRAILER_LF;
            i++;
            break;
        case CH_TRAILER_LF:
            if (c != '\n') return -1;
            d->state = CH_TRAILER;
            i++;
            break;
        case CH_END_LF:
            if (c != '\n') return -1;
            d->done = true;
            i++;
            break;
        default: return -1;
        }
    }
    return (long)i;
}

int srv_gunzip(const char *in, size_t n, size_t max, gh_arena *a, char **out, size_t *outn) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* 32 + 15: detect a gzip or zlib header automatically */
    if (inflateInit2(&zs, 32 + 15) != Z_OK) return -3;
    size_t cap = n * 4 + 256;
    if (cap > max + 1) cap = max + 1;
    char *buf = gh_arena_alloc(a, cap + 1);
    if (!buf) {
        inflateEnd(&zs);
        return -3;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    size_t len = 0;
    int rc = Z_OK;
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                inflateEnd(&zs);
                return -2;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = gh_arena_realloc(a, buf, cap + 1, ncap + 1);
            if (!nb) {
                inflateEnd(&zs);
                return -3;
            }
            buf = nb;
            cap = ncap;
        }
        zs.next_out = (Bytef *)buf + len;
        zs.avail_out = (uInt)(cap - len);
        rc = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
            inflateEnd(&zs);
            return -1;
        }
        if (zs.avail_in == 0 && zs.avail_out != 0) { /* truncated stream */
            inflateEnd(&zs);
            return -1;
        }
    }
    inflateEnd(&zs);
    if (len > max) return -2;
    buf[len] = '\0';
    *out = buf;
    *outn = len;
    return 0;
}

const char *srv_status_text(int s) {
    switch (s) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return s < 300 ? "OK" : s < 500 ? "Bad Request" : "Internal Server Error";
    }
}

/* The SHA-256 of the token of "Bearer <token>" into d; NULL when authz is
 * not a bearer credential, else the token text inside authz. */
static const char *bearer_digest(const char *authz, unsigned char d[32]) {
    if (!authz) return NULL;
    if (strncasecmp(authz, "Bearer", 6) != 0 || (authz[6] != ' ' && authz[6] != '\t')) return NULL;
    const char *tok = authz + 7;
    while (*tok == ' ' || *tok == '\t')
        tok++;
    size_t n = strlen(tok);
    if (n == 0) return NULL;
    unsigned int dl = 0;
    if (!EVP_Digest(tok, n, d, &dl, EVP_sha256(), NULL) || dl != 32) return NULL;
    return tok;
}

bool srv_tokens_check_hex(char *const *hex, int n, const char *authz) {
    unsigned char d[32];
    if (n <= 0 || !bearer_digest(authz, d)) return false;
    int hit = 0;
    for (int i = 0; i < n; i++) {
        unsigned char want[32];
        int bad = strlen(hex[i]) != 64;
        for (int j = 0; j < 32 && !bad; j++) {
            int hi = srv_hexval(hex[i][2 * j]), lo = srv_hexval(hex[i][2 * j + 1]);
            bad = hi < 0 || lo < 0;
            want[j] = (unsigned char)(bad ? 0 : hi << 4 | lo);
        }
        hit |= !bad && CRYPTO_memcmp(d, want, 32) == 0;
        OPENSSL_cleanse(want, sizeof want);
    }
    OPENSSL_cleanse(d, sizeof d);
    return hit != 0;
}
