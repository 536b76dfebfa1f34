/* gourl.c - Go's net/url as crypto/x509 and OPA use it: url.Parse (scheme,
 * opaque, userinfo, host with port and IPv6 zone rules, path with RawPath,
 * raw query, fragment with RawFragment), URL.String(), EscapedPath(), and
 * the url.URL struct as encoding/json prints it. Error texts are Go's
 * ("invalid URL escape \"%zz\"", "missing protocol scheme", ...). Used for
 * certificate URI SANs (x509_ext.c) and SigV4 canonical paths (aws.c). */
#include <string.h>

#include "rego/builtins/crypto_int.h"
#include "rego/builtins/strutil.h"

/* ---- Go net/url ------------------------------------------------------------------------------ */

enum { ENC_PATH = 1, ENC_HOST, ENC_ZONE, ENC_USERPASS, ENC_FRAGMENT };

static bool is_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool should_escape(unsigned char c, int mode) {
    if (is_alnum(c)) return false;
    if (mode == ENC_HOST || mode == ENC_ZONE) {
        if (strchr("!$&'()*+,;=:[]<>\"", c) && c) return false;
    }
    if (c && strchr("-_.~", c)) return false;
    if (c && strchr("$&+,/:;=?@", c)) {
        switch (mode) {
        case ENC_PATH: return c == '?';
        case ENC_USERPASS: return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_FRAGMENT: return false;
        default: break;
        }
    }
    if (mode == ENC_FRAGMENT && c && strchr("!()*", c)) return false;
    return true;
}

static int hexv(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

typedef struct urlerr {
    char msg[256];
} urlerr;

static void quote_into(gh_arena *a, char *dst, size_t dsz, const char *s, size_t n) {
    rb_sb b;
    rb_sb_init(&b, a, n + 8);
    rb_go_quote_sb(&b, s, n, false);
    snprintf(dst, dsz, "%.*s", b.oom ? 0 : (int)b.len, b.oom ? "" : b.p);
}

/* net/url unescape; the result goes to the arena. */
static bool url_unescape(gh_arena *a, const char *s, size_t n, int mode, char **out, size_t *outn,
                         urlerr *err) {
    size_t pct = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            pct++;
            if (i + 2 >= n || hexv((unsigned char)s[i + 1]) < 0 ||
                hexv((unsigned char)s[i + 2]) < 0) {
                char q[32];
                quote_into(a, q, sizeof q, s + i, n - i > 3 ? 3 : n - i);
                snprintf(err->msg, sizeof err->msg, "invalid URL escape %s", q);
                return false;
            }
            bool is25 = s[i + 1] == '2' && s[i + 2] == '5';
            if (mode == ENC_HOST && hexv((unsigned char)s[i + 1]) < 8 && !is25) {
                char q[32];
                quote_into(a, q, sizeof q, s + i, 3);
                snprintf(err->msg, sizeof err->msg, "invalid URL escape %s", q);
                return false;
            }
            if (mode == ENC_ZONE) {
                unsigned v =
                    (unsigned)(hexv((unsigned char)s[i + 1]) << 4 | hexv((unsigned char)s[i + 2]));
                if (!is25 && v != ' ' && should_escape((unsigned char)v, ENC_HOST)) {
                    char q[32];
                    quote_into(a, q, sizeof q, s + i, 3);
                    snprintf(err->msg, sizeof err->msg, "invalid URL escape %s", q);
                    return false;
                }
            }
            i += 3;
        } else {
            if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
                char q[16];
                quote_into(a, q, sizeof q, s + i, 1);
                snprintf(err->msg, sizeof err->msg, "invalid character %s in host name", q);
                return false;
            }
            i++;
        }
    }
    char *o = gh_arena_alloc(a, n + 1);
    if (!o) return false;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '%') {
            o[k++] = (char)(hexv((unsigned char)s[i + 1]) << 4 | hexv((unsigned char)s[i + 2]));
            i += 3;
        } else {
            o[k++] = s[i++];
        }
    }
    o[k] = 0;
    (void)pct;
    *out = o;
    *outn = k;
    return true;
}

static void url_escape(rb_sb *b, const char *s, size_t n, int mode) {
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (should_escape(c, mode)) {
            char e[3] = {'%', hx[c >> 4], hx[c & 15]};
            rb_sb_put(b, e, 3);
        } else {
            rb_sb_putc(b, (char)c);
        }
    }
}

static bool escape_equals(gh_arena *a, const char *s, size_t n, const char *raw, size_t rn,
                          int mode) {
    rb_sb b;
    rb_sb_init(&b, a, n + 8);
    url_escape(&b, s, n, mode);
    return !b.oom && b.len == rn && !memcmp(b.p, raw, rn);
}

static bool valid_encoded(const char *s, size_t n, int mode) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (strchr("!$&'()*+,;=:@[]%", c) && c) continue;
        if (should_escape(c, mode)) return false;
    }
    return true;
}

typedef rb_gourl gourl;

static bool valid_port(const char *p, size_t n) {
    if (n == 0) return true;
    if (p[0] != ':') return false;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

static const char *mem_rchr(const char *s, size_t n, char c) {
    while (n--)
        if (s[n] == c) return s + n;
    return NULL;
}

static bool parse_host(gh_arena *a, const char *h, size_t n, gourl *u, urlerr *err) {
    if (n && h[0] == '[') {
        const char *rb = mem_rchr(h, n, ']');
        if (!rb) {
            snprintf(err->msg, sizeof err->msg, "missing ']' in host");
            return false;
        }
        size_t i = (size_t)(rb - h);
        if (!valid_port(rb + 1, n - i - 1)) {
            char q[64];
            quote_into(a, q, sizeof q, rb + 1, n - i - 1);
            snprintf(err->msg, sizeof err->msg, "invalid port %s after host", q);
            return false;
        }
        const char *zone = memmem(h, i, "%25", 3);
        if (zone) {
            char *p1, *p2, *p3;
            size_t n1, n2, n3;
            size_t zi = (size_t)(zone - h);
            if (!url_unescape(a, h, zi, ENC_HOST, &p1, &n1, err) ||
                !url_unescape(a, zone, i - zi, ENC_ZONE, &p2, &n2, err) ||
                !url_unescape(a, h + i, n - i, ENC_HOST, &p3, &n3, err))
                return false;
            char *all = gh_arena_alloc(a, n1 + n2 + n3 + 1);
            if (!all) return false;
            memcpy(all, p1, n1);
            memcpy(all + n1, p2, n2);
            memcpy(all + n1 + n2, p3, n3);
            all[n1 + n2 + n3] = 0;
            u->host = all;
            u->hostn = n1 + n2 + n3;
            return true;
        }
    } else {
        const char *colon = mem_rchr(h, n, ':');
        if (colon && !valid_port(colon, n - (size_t)(colon - h))) {
            char q[64];
            quote_into(a, q, sizeof q, colon, n - (size_t)(colon - h));
            snprintf(err->msg, sizeof err->msg, "invalid port %s after host", q);
            return false;
        }
    }
    char *o;
    size_t on;
    if (!url_unescape(a, h, n, ENC_HOST, &o, &on, err)) return false;
    u->host = o;
    u->hostn = on;
    return true;
}

static bool valid_userinfo(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_alnum(c)) continue;
        if (c && strchr("-._:~!$&'()*+,;=%@", c)) continue;
        return false;
    }
    return true;
}

/* Go's url.Parse. Returns false with err->msg (the inner error). */
static bool url_parse(gh_arena *a, const char *raw, size_t rawn, gourl *u, urlerr *err) {
    memset(u, 0, sizeof *u);
    u->scheme = u->opaque = u->host = u->path = u->rawpath = u->rawquery = u->frag = u->rawfrag =
        "";
    const char *hash = memchr(raw, '#', rawn);
    size_t n = hash ? (size_t)(hash - raw) : rawn;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)raw[i] < ' ' || raw[i] == 0x7f) {
            snprintf(err->msg, sizeof err->msg, "net/url: invalid control character in URL");
            return false;
        }
    const char *rest = raw;
    size_t rn = n;
    if (n == 1 && raw[0] == '*') {
        u->path = "*";
        u->pathn = 1;
        goto frag;
    }
    for (size_t i = 0; i < n; i++) { /* getScheme */
        unsigned char c = (unsigned char)raw[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                snprintf(err->msg, sizeof err->msg, "missing protocol scheme");
                return false;
            }
            char *sc = gh_arena_strndup(a, raw, i);
            if (!sc) return false;
            for (size_t j = 0; j < i; j++)
                if (sc[j] >= 'A' && sc[j] <= 'Z') sc[j] = (char)(sc[j] - 'A' + 'a');
            u->scheme = sc;
            u->schemen = i;
            rest = raw + i + 1;
            rn = n - i - 1;
        }
        break;
    }
    size_t qcount = 0;
    for (size_t i = 0; i < rn; i++)
        qcount += rest[i] == '?';
    if (rn && rest[rn - 1] == '?' && qcount == 1) {
        u->force_query = true;
        rn--;
    } else {
        const char *q = memchr(rest, '?', rn);
        if (q) {
            u->rawquery = q + 1;
            u->rawqueryn = rn - (size_t)(q - rest) - 1;
            rn = (size_t)(q - rest);
        }
    }
    if (!(rn && rest[0] == '/')) {
        if (u->schemen) {
            u->opaque = rest;
            u->opaquen = rn;
            goto frag;
        }
        const char *sl = memchr(rest, '/', rn);
        size_t segn = sl ? (size_t)(sl - rest) : rn;
        if (memchr(rest, ':', segn)) {
            snprintf(err->msg, sizeof err->msg, "first path segment in URL cannot contain colon");
            return false;
        }
    }
    if ((u->schemen || !(rn >= 3 && !memcmp(rest, "///", 3))) && rn >= 2 &&
        !memcmp(rest, "//", 2)) {
        const char *auth = rest + 2;
        size_t an = rn - 2;
        const char *sl = memchr(auth, '/', an);
        rest = sl ? sl : auth + an;
        rn = sl ? an - (size_t)(sl - auth) : 0;
        if (sl) an = (size_t)(sl - auth);
        const char *at = mem_rchr(auth, an, '@');
        const char *hs = at ? at + 1 : auth;
        if (!parse_host(a, hs, an - (size_t)(hs - auth), u, err)) return false;
        if (at) {
            size_t uin = (size_t)(at - auth);
            if (!valid_userinfo(auth, uin)) {
                snprintf(err->msg, sizeof err->msg, "net/url: invalid userinfo");
                return false;
            }
            u->has_user = true;
            const char *colon = memchr(auth, ':', uin);
            size_t un = colon ? (size_t)(colon - auth) : uin;
            if (!url_unescape(a, auth, un, ENC_USERPASS, &u->user, &u->usern, err)) return false;
            if (colon) {
                u->user_pw = true;
                if (!url_unescape(a, colon + 1, uin - un - 1, ENC_USERPASS, &u->pw, &u->pwn, err))
                    return false;
            }
        }
    } else if (u->schemen && rn && rest[0] == '/') {
        u->omit_host = true;
    }
    {
        char *p;
        size_t pn;
        if (!url_unescape(a, rest, rn, ENC_PATH, &p, &pn, err)) return false;
        u->path = p;
        u->pathn = pn;
        if (!escape_equals(a, p, pn, rest, rn, ENC_PATH)) {
            u->rawpath = rest;
            u->rawpathn = rn;
        }
    }
frag:
    if (hash && rawn - n - 1 > 0) {
        const char *f = hash + 1;
        size_t fn = rawn - n - 1;
        char *fr;
        size_t frn;
        if (!url_unescape(a, f, fn, ENC_FRAGMENT, &fr, &frn, err)) return false;
        u->frag = fr;
        u->fragn = frn;
        if (!escape_equals(a, fr, frn, f, fn, ENC_FRAGMENT)) {
            u->rawfrag = f;
            u->rawfragn = fn;
        }
    }
    return true;
}

/* EscapedPath / EscapedFragment. */
static void escaped_part(gh_arena *a, rb_sb *b, const char *v, size_t vn, const char *raw,
                         size_t rn, int mode) {
    if (rn && valid_encoded(raw, rn, mode)) {
        char *p;
        size_t pn;
        urlerr e;
        if (url_unescape(a, raw, rn, mode, &p, &pn, &e) && pn == vn && !memcmp(p, v, vn)) {
            rb_sb_put(b, raw, rn);
            return;
        }
    }
    if (mode == ENC_PATH && vn == 1 && v[0] == '*') {
        rb_sb_putc(b, '*');
        return;
    }
    url_escape(b, v, vn, mode);
}

/* Go's URL.String(). */
val_t *rb_go_url_string(gh_arena *a, const rb_gourl *u) {
    rb_sb b;
    rb_sb_init(&b, a, 64);
    if (u->schemen) {
        rb_sb_put(&b, u->scheme, u->schemen);
        rb_sb_putc(&b, ':');
    }
    if (u->opaquen) {
        rb_sb_put(&b, u->opaque, u->opaquen);
    } else {
        if (u->schemen || u->hostn || u->has_user) {
            if (!(u->omit_host && !u->hostn && !u->has_user)) {
                if (u->hostn || u->pathn || u->has_user) rb_sb_puts(&b, "//");
                if (u->has_user) {
                    url_escape(&b, u->user, u->usern, ENC_USERPASS);
                    if (u->user_pw) {
                        rb_sb_putc(&b, ':');
                        url_escape(&b, u->pw, u->pwn, ENC_USERPASS);
                    }
                    rb_sb_putc(&b, '@');
                }
                if (u->hostn) url_escape(&b, u->host, u->hostn, ENC_HOST);
            }
        }
        rb_sb pb;
        rb_sb_init(&pb, a, u->pathn + 8);
        escaped_part(a, &pb, u->path, u->pathn, u->rawpath, u->rawpathn, ENC_PATH);
        if (pb.oom) return NULL;
        if (pb.len && pb.p[0] != '/' && u->hostn) rb_sb_putc(&b, '/');
        if (b.len == 0) {
            const char *sl = memchr(pb.p, '/', pb.len);
            size_t segn = sl ? (size_t)(sl - pb.p) : pb.len;
            if (memchr(pb.p, ':', segn)) rb_sb_puts(&b, "./");
        }
        rb_sb_put(&b, pb.p, pb.len);
    }
    if (u->force_query || u->rawqueryn) {
        rb_sb_putc(&b, '?');
        rb_sb_put(&b, u->rawquery, u->rawqueryn);
    }
    if (u->fragn) {
        rb_sb_putc(&b, '#');
        escaped_part(a, &b, u->frag, u->fragn, u->rawfrag, u->rawfragn, ENC_FRAGMENT);
    }
    return rb_sb_finish(&b);
}

/* The url.URL struct as encoding/json prints it. */
val_t *rb_go_url_value(gh_arena *a, const rb_gourl *u) {
    val_t *o = val_obj_new(a, 12);
    bool ok = rb_put(a, o, "Scheme", val_str(a, u->scheme, u->schemen)) &&
              rb_put(a, o, "Opaque", val_str(a, u->opaque, u->opaquen)) &&
              rb_put(a, o, "User", u->has_user ? val_obj_new(a, 0) : VAL_NULLV) &&
              rb_put(a, o, "Host", val_str(a, u->host, u->hostn)) &&
              rb_put(a, o, "Path", val_str(a, u->path, u->pathn)) &&
              rb_put(a, o, "RawPath", val_str(a, u->rawpath, u->rawpathn)) &&
              rb_put(a, o, "OmitHost", val_bool(u->omit_host)) &&
              rb_put(a, o, "ForceQuery", val_bool(u->force_query)) &&
              rb_put(a, o, "RawQuery", val_str(a, u->rawquery, u->rawqueryn)) &&
              rb_put(a, o, "Fragment", val_str(a, u->frag, u->fragn)) &&
              rb_put(a, o, "RawFragment", val_str(a, u->rawfrag, u->rawfragn));
    return ok ? o : NULL;
}

bool rb_go_url_parse(gh_arena *a, const char *s, size_t n, rb_gourl *u, char *err, size_t errsz) {
    urlerr e;
    e.msg[0] = 0;
    if (url_parse(a, s, n, u, &e)) return true;
    snprintf(err, errsz, "%s", e.msg);
    return false;
}

val_t *rb_go_url_escaped_path(gh_arena *a, const rb_gourl *u) {
    rb_sb b;
    rb_sb_init(&b, a, u->pathn + 8);
    escaped_part(a, &b, u->path, u->pathn, u->rawpath, u->rawpathn, ENC_PATH);
    return rb_sb_finish(&b);
}
