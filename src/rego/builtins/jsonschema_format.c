/* jsonschema_format.c - the "format" keyword checkers of gojsonschema, each
 * reproducing the Go library call it is built on: time.Parse layouts for
 * date/time/date-time, net/mail.ParseAddress for email, net.ParseIP for
 * ipv4/ipv6, url.Parse for uri and friends, plus its regular expressions
 * for hostname, uuid and JSON pointers. Called by jsonschema_validate.c.
 * Unknown formats and non-string values pass, as in gojsonschema. */
#include <arpa/inet.h>
#include <string.h>

#include "rego/builtins/jsonschema.h"
#include "rego/builtins/regex_int.h"

static bool dig(char c) { return c >= '0' && c <= '9'; }
static bool alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static bool hexd(char c) { return dig(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* ---- time.Parse --------------------------------------------------------------------- */

typedef struct tp {
    const char *s;
    size_t n, i;
} tp;

/* Go's getnum: one or two digits (exactly two when fixed). */
static int getnum(tp *t, bool fixed) {
    if (t->i >= t->n || !dig(t->s[t->i])) return -1;
    if (t->i + 1 >= t->n || !dig(t->s[t->i + 1])) {
        if (fixed) return -1;
        return t->s[t->i++] - '0';
    }
    int v = (t->s[t->i] - '0') * 10 + (t->s[t->i + 1] - '0');
    t->i += 2;
    return v;
}

static bool lit(tp *t, char c) {
    if (t->i < t->n && t->s[t->i] == c) {
        t->i++;
        return true;
    }
    return false;
}

/* "2006-01-02" */
static bool p_date(tp *t) {
    if (t->n - t->i < 4) return false;
    for (int k = 0; k < 4; k++)
        if (!dig(t->s[t->i + (size_t)k])) return false;
    const char *y = t->s + t->i;
    int year = (y[0] - '0') * 1000 + (y[1] - '0') * 100 + (y[2] - '0') * 10 + (y[3] - '0');
    t->i += 4;
    if (!lit(t, '-')) return false;
    int mon = getnum(t, true);
    if (mon < 1 || mon > 12 || !lit(t, '-')) return false;
    int day = getnum(t, true);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = mdays[mon - 1] + (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
    return day >= 1 && day <= dim;
}

/* "15:04:05", with the fractional seconds Go accepts after the seconds. */
static bool p_time(tp *t) {
    int h = getnum(t, false);
    if (h < 0 || h > 23 || !lit(t, ':')) return false;
    int m = getnum(t, true);
    if (m < 0 || m > 59 || !lit(t, ':')) return false;
    int s = getnum(t, true);
    if (s < 0 || s > 59) return false;
    if (t->i + 1 < t->n && (t->s[t->i] == '.' || t->s[t->i] == ',') && dig(t->s[t->i + 1])) {
        t->i++;
        while (t->i < t->n && dig(t->s[t->i]))
            t->i++;
    }
    return true;
}

/* "Z07:00" */
static bool p_zone(tp *t) {
    if (lit(t, 'Z')) return true;
    if (t->n - t->i < 6) return false;
    const char *z = t->s + t->i;
    if ((z[0] != '+' && z[0] != '-') || z[3] != ':' || !dig(z[1]) || !dig(z[2]) || !dig(z[4]) ||
        !dig(z[5]))
        return false;
    t->i += 6; /* Go 1.21 does not range-check the offset */
    return true;
}

static bool layout_ok(const char *s, size_t n, bool date, bool time, bool zone) {
    tp t = {s, n, 0};
    if (date && !p_date(&t)) return false;
    if (date && time && !lit(&t, 'T')) return false;
    if (time && !p_time(&t)) return false;
    if (zone && !p_zone(&t)) return false;
    return t.i == n;
}

static bool f_date_time(const char *s, size_t n) {
    return layout_ok(s, n, false, true, false) || layout_ok(s, n, false, true, true) ||
           layout_ok(s, n, true, false, false) || layout_ok(s, n, true, true, true);
}
static bool f_date(const char *s, size_t n) { return layout_ok(s, n, true, false, false); }
static bool f_time(const char *s, size_t n) {
    return layout_ok(s, n, false, true, true) || layout_ok(s, n, false, true, false);
}

/* ---- net/mail.ParseAddress ------------------------------------------------------------- */

typedef struct mp {
    const char *s;
    size_t n, i;
} mp;

static bool m_skip_cfws(mp *p) {
    for (;;) {
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' ||
                               p->s[p->i] == '\n'))
            p->i++;
        if (p->i >= p->n || p->s[p->i] != '(') return true;
        int depth = 0;
        do {
            char c = p->s[p->i++];
            if (c == '\\' && p->i < p->n)
                p->i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
        } while (depth > 0 && p->i < p->n);
        if (depth) return false;
    }
}

static bool m_atext(unsigned char c, bool dot, bool permissive) {
    if (c >= 0x80) return true;
    switch (c) {
    case '.': return dot;
    case '(':
    case ')':
    case '[':
    case ']':
    case ';':
    case '@':
    case '\\':
    case ',': return permissive;
    case '<':
    case '>':
    case '"':
    case ':': return false;
    }
    return c >= '!' && c <= '~';
}

static bool m_atom(mp *p, bool dot, bool permissive) {
    size_t st = p->i;
    while (p->i < p->n && m_atext((unsigned char)p->s[p->i], dot, permissive))
        p->i++;
    size_t len = p->i - st;
    if (!len) return false;
    if (!permissive) {
        const char *a = p->s + st;
        if (a[0] == '.' || a[len - 1] == '.') return false;
        for (size_t k = 0; k + 1 < len; k++)
            if (a[k] == '.' && a[k + 1] == '.') return false;
    }
    return true;
}

static bool m_quoted(mp *p) {
    if (p->i >= p->n || p->s[p->i] != '"') return false;
    p->i++;
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"') return true;
        if (c == '\\') {
            if (p->i >= p->n) return false;
            p->i++;
        } else if ((unsigned char)c < 0x20 && c != '\t') {
            return false;
        }
    }
    return false;
}

static bool m_addr_spec(mp *p) {
    if (p->i < p->n && p->s[p->i] == '"') {
        if (!m_quoted(p)) return false;
    } else if (!m_atom(p, true, false)) {
        return false;
    }
    if (!m_skip_cfws(p) || p->i >= p->n || p->s[p->i] != '@') return false;
    p->i++;
    if (!m_skip_cfws(p) || p->i >= p->n) return false;
    return m_atom(p, true, false); /* Go 1.21 has no domain literals */
}

static bool f_email(const char *s, size_t n) {
    mp p = {s, n, 0};
    if (!m_skip_cfws(&p)) return false;
    size_t start = p.i;
    if (m_addr_spec(&p) && m_skip_cfws(&p) && p.i == n) return true;
    p.i = start;
    /* display-name phrase, then <addr-spec> */
    size_t words = 0;
    while (p.i < n && p.s[p.i] != '<') {
        if (p.s[p.i] == '"') {
            if (!m_quoted(&p)) return false;
        } else if (!m_atom(&p, true, true)) {
            return false;
        }
        words++;
        if (!m_skip_cfws(&p)) return false;
    }
    (void)words;
    if (p.i >= n || p.s[p.i] != '<') return false;
    p.i++;
    if (!m_skip_cfws(&p) || !m_addr_spec(&p) || !m_skip_cfws(&p)) return false;
    if (p.i >= n || p.s[p.i] != '>') return false;
    p.i++;
    return m_skip_cfws(&p) && p.i == n;
}

/* ---- net.ParseIP ------------------------------------------------------------------------ */

static bool parse_ip(const char *s, size_t n) {
    char buf[64];
    unsigned char out[16];
    if (!n || n >= sizeof buf || memchr(s, '%', n)) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    return inet_pton(AF_INET, buf, out) == 1 || inet_pton(AF_INET6, buf, out) == 1;
}

/* ---- url.Parse ----------------------------------------------------------------------------- */

static bool escapes_ok(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] == '%') {
            if (i + 2 >= n || !hexd(s[i + 1]) || !hexd(s[i + 2])) return false;
            i += 2;
        }
    return true;
}

static bool port_ok(const char *s, size_t n) {
    if (!n) return true;
    if (s[0] != ':') return false;
    for (size_t i = 1; i < n; i++)
        if (!dig(s[i])) return false;
    return true;
}

static bool host_ok(const char *h, size_t n) {
    if (n && h[0] == '[') {
        const char *close = NULL;
        for (size_t i = n; i-- > 0;)
            if (h[i] == ']') {
                close = h + i;
                break;
            }
        if (!close) return false;
        size_t ci = (size_t)(close - h);
        if (!port_ok(close + 1, n - ci - 1)) return false;
    } else {
        for (size_t i = n; i-- > 0;)
            if (h[i] == ':') {
                if (!port_ok(h + i, n - i)) return false;
                break;
            }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '%') {
            if (i + 2 >= n || !hexd(h[i + 1]) || !hexd(h[i + 2])) return false;
            int hv = dig(h[i + 1]) ? h[i + 1] - '0' : (h[i + 1] | 0x20) - 'a' + 10;
            if (hv < 8 && memcmp(h + i, "%25", 3)) return false;
            i += 2;
            continue;
        }
        if (c >= 0x80 || alpha((char)c) || dig((char)c)) continue;
        if (strchr("!$&'()*+,;=:[]<>\"-_.~", c)) continue;
        return false;
    }
    return true;
}

static bool userinfo_ok(const char *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (alpha(c) || dig(c) || (c && strchr("-._:~!$&'()*+,;=%@", c))) continue;
        return false;
    }
    return escapes_ok(u, n);
}

/* url.Parse: returns whether it succeeds; *scheme_len and the path (as
 * written, still escaped) for the callers' extra checks. */
static bool url_parse(const char *s, size_t n, size_t *scheme_len, const char **path,
                      size_t *path_len) {
    const char *hash = memchr(s, '#', n);
    size_t un = hash ? (size_t)(hash - s) : n;
    if (hash && !escapes_ok(hash + 1, n - un - 1)) return false;
    for (size_t i = 0; i < un; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) return false;
    *path = "";
    *path_len = 0;
    *scheme_len = 0;
    if (un == 1 && s[0] == '*') return true;
    size_t i = 0;
    for (; i < un; i++) {
        char c = s[i];
        if (alpha(c)) continue;
        if (dig(c) || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) return false; /* missing protocol scheme */
            *scheme_len = i;
        }
        break;
    }
    const char *rest = *scheme_len ? s + *scheme_len + 1 : s;
    size_t rn = *scheme_len ? un - *scheme_len - 1 : un;
    const char *q = memchr(rest, '?', rn);
    if (q) rn = (size_t)(q - rest);
    if (!rn || rest[0] != '/') {
        if (*scheme_len) return true; /* opaque */
        const char *slash = memchr(rest, '/', rn);
        size_t seg = slash ? (size_t)(slash - rest) : rn;
        if (memchr(rest, ':', seg)) return false;
    }
    if (rn >= 2 && rest[0] == '/' && rest[1] == '/' &&
        (*scheme_len || !(rn >= 3 && rest[2] == '/'))) {
        const char *auth = rest + 2;
        size_t an = rn - 2;
        const char *slash = memchr(auth, '/', an);
        size_t alen = slash ? (size_t)(slash - auth) : an;
        const char *at = NULL;
        for (size_t k = alen; k-- > 0;)
            if (auth[k] == '@') {
                at = auth + k;
                break;
            }
        if (at) {
            if (!userinfo_ok(auth, (size_t)(at - auth))) return false;
            if (!host_ok(at + 1, alen - (size_t)(at - auth) - 1)) return false;
        } else if (!host_ok(auth, alen)) {
            return false;
        }
        rest = auth + alen;
        rn = an - alen;
    }
    if (!escapes_ok(rest, rn)) return false;
    *path = rest;
    *path_len = rn;
    return true;
}

static bool f_uri(const char *s, size_t n, bool need_scheme) {
    size_t sl, pn;
    const char *path;
    if (memchr(s, '\\', n) || !url_parse(s, n, &sl, &path, &pn)) return false;
    return !need_scheme || sl > 0;
}

static bool f_uri_template(const char *s, size_t n) {
    size_t sl, pn;
    const char *path;
    if (memchr(s, '\\', n) || !url_parse(s, n, &sl, &path, &pn)) return false;
    /* ^([^{]*({[^}]*})?)*$ on the path: every '{' has a later '}' */
    for (size_t i = 0; i < pn; i++) {
        if (path[i] != '{') continue;
        const char *close = memchr(path + i, '}', pn - i);
        if (!close) return false;
        i = (size_t)(close - path);
    }
    return true;
}

/* ---- regular-expression formats ----------------------------------------------------------- */

static bool f_hostname(const char *s, size_t n) {
    if (!n || n >= 256) return false;
    size_t i = 0;
    for (;;) {
        size_t st = i;
        while (i < n && (alpha(s[i]) || dig(s[i]) || s[i] == '-'))
            i++;
        size_t len = i - st;
        if (len < 1 || len > 63 || s[st] == '-' || s[i - 1] == '-') return false;
        if (i == n) return true;
        if (s[i] != '.') return false;
        i++;
    }
}

static bool f_uuid(const char *s, size_t n) {
    if (n != 36) return false;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!hexd(s[i])) {
            return false;
        }
    }
    return true;
}

/* (?:/(?:[^~/]|~0|~1)*)* from position i to the end */
static bool pointer_tail(const char *s, size_t n, size_t i) {
    if (i < n && s[i] != '/') return false;
    for (; i < n; i++)
        if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
    return true;
}

static bool f_json_pointer(const char *s, size_t n) { return pointer_tail(s, n, 0); }

static bool f_rel_json_pointer(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && dig(s[i]))
            i++;
    else
        return false;
    if (i < n && s[i] == '#') return i + 1 == n;
    return pointer_tail(s, n, i);
}

static bool f_regex(const char *s, size_t n) {
    if (!n) return true;
    gh_err e;
    gh_err_clear(&e);
    const rego_re *re;
    int rc = rego_re_get(s, n, &re, &e);
    return rc == 0 || rc == GH_ENOMEM;
}

bool js_format_ok(const char *format, const val_t *v) {
    if (!val_is_str(v)) return true;
    const char *s = val_str_ptr(v);
    size_t n = val_str_len(v);
    if (!strcmp(format, "date-time")) return f_date_time(s, n);
    if (!strcmp(format, "date")) return f_date(s, n);
    if (!strcmp(format, "time")) return f_time(s, n);
    if (!strcmp(format, "email") || !strcmp(format, "idn-email")) return f_email(s, n);
    if (!strcmp(format, "ipv4")) return parse_ip(s, n) && memchr(s, '.', n);
    if (!strcmp(format, "ipv6")) return parse_ip(s, n) && memchr(s, ':', n);
    if (!strcmp(format, "uri") || !strcmp(format, "iri")) return f_uri(s, n, true);
    if (!strcmp(format, "uri-reference") || !strcmp(format, "iri-reference"))
        return f_uri(s, n, false);
    if (!strcmp(format, "uri-template")) return f_uri_template(s, n);
    if (!strcmp(format, "hostname")) return f_hostname(s, n);
    if (!strcmp(format, "uuid")) return f_uuid(s, n);
    if (!strcmp(format, "regex")) return f_regex(s, n);
    if (!strcmp(format, "json-pointer")) return f_json_pointer(s, n);
    if (!strcmp(format, "relative-json-pointer")) return f_rel_json_pointer(s, n);
    return true;
}
