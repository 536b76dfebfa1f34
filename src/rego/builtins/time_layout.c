/* time_layout.c - Go reference layouts ("2006-01-02T15:04:05Z07:00") for the
 * time builtins: the layout tokenizer, Time.Format, time.Parse with Go's
 * exact acceptance rules and error texts (as OPA surfaces them), and
 * time.ParseDuration. Behaviour follows Go 1.19, the toolchain of the OPA
 * release gatehouse is checked against. Called from time.c and the
 * fuzz_time_layout fuzzer; pure functions, no global state. */
#include <string.h>

#include "rego/builtins/time_int.h"

/* Layout elements. The NEED_* bits say which fields an element prints. */
enum {
    NEED_DATE = 1 << 8,
    NEED_CLOCK = 1 << 9,
    STD_MASK = 0xff,
};
enum {
    S_NONE = 0,
    S_LONG_MONTH = 1 | NEED_DATE, /* January */
    S_MONTH,                      /* Jan */
    S_NUM_MONTH,                  /* 1 */
    S_ZERO_MONTH,                 /* 01 */
    S_LONG_WEEKDAY,               /* Monday */
    S_WEEKDAY,                    /* Mon */
    S_DAY,                        /* 2 */
    S_UNDER_DAY,                  /* _2 */
    S_ZERO_DAY,                   /* 02 */
    S_UNDER_YDAY,                 /* __2 */
    S_ZERO_YDAY,                  /* 002 */
    S_HOUR = 12 | NEED_CLOCK,     /* 15 */
    S_HOUR12,                     /* 3 */
    S_ZERO_HOUR12,                /* 03 */
    S_MINUTE,                     /* 4 */
    S_ZERO_MINUTE,                /* 04 */
    S_SECOND,                     /* 5 */
    S_ZERO_SECOND,                /* 05 */
    S_LONG_YEAR = 19 | NEED_DATE, /* 2006 */
    S_YEAR,                       /* 06 */
    S_PM = 21 | NEED_CLOCK,       /* PM */
    S_PM_LOWER,                   /* pm */
    S_TZ = 23,                    /* MST */
    S_ISO_TZ,                     /* Z0700 */
    S_ISO_SECS_TZ,                /* Z070000 */
    S_ISO_SHORT_TZ,               /* Z07 */
    S_ISO_COLON_TZ,               /* Z07:00 */
    S_ISO_COLON_SECS_TZ,          /* Z07:00:00 */
    S_NUM_TZ,                     /* -0700 */
    S_NUM_SECS_TZ,                /* -070000 */
    S_NUM_SHORT_TZ,               /* -07 */
    S_NUM_COLON_TZ,               /* -07:00 */
    S_NUM_COLON_SECS_TZ,          /* -07:00:00 */
    S_FRAC0,                      /* .000 (digits kept) */
    S_FRAC9,                      /* .999 (trailing zeros dropped) */
};

typedef struct {
    int std;    /* S_* or S_NONE when the layout has no more elements */
    int digits; /* fractional digits (Go keeps them modulo 4096) */
    char sep;   /* '.' or ',' for fractions */
    size_t pre; /* bytes of literal text before the element */
    size_t len; /* bytes of the element itself */
} chunk;

/* How each numeric zone element (S_ISO_TZ..S_NUM_COLON_SECS_TZ) spells an
 * offset; the formatter and the parser both read it. */
typedef struct {
    bool z_out; /* prints "Z" for UTC (the ISO forms) */
    bool z_in;  /* accepts "Z" for UTC (Go 1.19: only Z0700, Z07 and Z07:00) */
    bool colon; /* ':' between hours, minutes and seconds */
    bool mins;  /* minutes are written (all but the short forms) */
    bool secs;  /* seconds are written */
} tz_shape;

static const tz_shape tz_shapes[] = {
    [S_ISO_TZ - S_ISO_TZ] = {true, true, false, true, false},
    [S_ISO_SECS_TZ - S_ISO_TZ] = {true, false, false, true, true},
    [S_ISO_SHORT_TZ - S_ISO_TZ] = {true, true, false, false, false},
    [S_ISO_COLON_TZ - S_ISO_TZ] = {true, true, true, true, false},
    [S_ISO_COLON_SECS_TZ - S_ISO_TZ] = {true, false, true, true, true},
    [S_NUM_TZ - S_ISO_TZ] = {false, false, false, true, false},
    [S_NUM_SECS_TZ - S_ISO_TZ] = {false, false, false, true, true},
    [S_NUM_SHORT_TZ - S_ISO_TZ] = {false, false, false, false, false},
    [S_NUM_COLON_TZ - S_ISO_TZ] = {false, false, true, true, false},
    [S_NUM_COLON_SECS_TZ - S_ISO_TZ] = {false, false, true, true, true},
};

/* The shape of a numeric zone element; NULL for any other element. */
static const tz_shape *tz_shape_of(int std) {
    return std >= S_ISO_TZ && std <= S_NUM_COLON_SECS_TZ ? &tz_shapes[std - S_ISO_TZ] : NULL;
}

static const char *const long_months[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const short_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char *const tl_long_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};
static const char *const short_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

static bool has(const char *s, size_t n, size_t i, const char *lit) {
    size_t k = strlen(lit);
    return n - i >= k && !memcmp(s + i, lit, k);
}

static bool is_digit_at(const char *s, size_t n, size_t i) {
    return i < n && s[i] >= '0' && s[i] <= '9';
}

static bool lower_at(const char *s, size_t n, size_t i) {
    return i < n && s[i] >= 'a' && s[i] <= 'z';
}

/* Go's nextStdChunk: the first layout element of s[0..n). */
static chunk next_chunk(const char *s, size_t n) {
    static const int zero_x[] = {S_ZERO_MONTH,  S_ZERO_DAY,    S_ZERO_HOUR12,
                                 S_ZERO_MINUTE, S_ZERO_SECOND, S_YEAR};
    for (size_t i = 0; i < n; i++) {
#define RET(code, l)                                                                               \
    return (chunk) { (code), 0, 0, i, (l) }
        switch (s[i]) {
        case 'J':
            if (has(s, n, i, "Jan")) {
                if (has(s, n, i, "January")) RET(S_LONG_MONTH, 7);
                if (!lower_at(s, n, i + 3)) RET(S_MONTH, 3);
            }
            break;
        case 'M':
            if (has(s, n, i, "Mon")) {
                if (has(s, n, i, "Monday")) RET(S_LONG_WEEKDAY, 6);
                if (!lower_at(s, n, i + 3)) RET(S_WEEKDAY, 3);
            }
            if (has(s, n, i, "MST")) RET(S_TZ, 3);
            break;
        case '0':
            if (i + 1 < n && s[i + 1] >= '1' && s[i + 1] <= '6') RET(zero_x[s[i + 1] - '1'], 2);
            if (has(s, n, i, "002")) RET(S_ZERO_YDAY, 3);
            break;
        case '1':
            if (i + 1 < n && s[i + 1] == '5') RET(S_HOUR, 2);
            RET(S_NUM_MONTH, 1);
        case '2':
            if (has(s, n, i, "2006")) RET(S_LONG_YEAR, 4);
            RET(S_DAY, 1);
        case '_':
            if (i + 1 < n && s[i + 1] == '2') {
                /* "_2006" is a literal '_' followed by the year */
                if (has(s, n, i + 1, "2006")) return (chunk){S_LONG_YEAR, 0, 0, i + 1, 4};
                RET(S_UNDER_DAY, 2);
            }
            if (has(s, n, i, "__2")) RET(S_UNDER_YDAY, 3);
            break;
        case '3': RET(S_HOUR12, 1);
        case '4': RET(S_MINUTE, 1);
        case '5': RET(S_SECOND, 1);
        case 'P':
            if (i + 1 < n && s[i + 1] == 'M') RET(S_PM, 2);
            break;
        case 'p':
            if (i + 1 < n && s[i + 1] == 'm') RET(S_PM_LOWER, 2);
            break;
        case '-':
            if (has(s, n, i, "-070000")) RET(S_NUM_SECS_TZ, 7);
            if (has(s, n, i, "-07:00:00")) RET(S_NUM_COLON_SECS_TZ, 9);
            if (has(s, n, i, "-0700")) RET(S_NUM_TZ, 5);
            if (has(s, n, i, "-07:00")) RET(S_NUM_COLON_TZ, 6);
            if (has(s, n, i, "-07")) RET(S_NUM_SHORT_TZ, 3);
            break;
        case 'Z':
            if (has(s, n, i, "Z070000")) RET(S_ISO_SECS_TZ, 7);
            if (has(s, n, i, "Z07:00:00")) RET(S_ISO_COLON_SECS_TZ, 9);
            if (has(s, n, i, "Z0700")) RET(S_ISO_TZ, 5);
            if (has(s, n, i, "Z07:00")) RET(S_ISO_COLON_TZ, 6);
            if (has(s, n, i, "Z07")) RET(S_ISO_SHORT_TZ, 3);
            break;
        case '.':
        case ',':
            if (i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '9')) {
                char ch = s[i + 1];
                size_t j = i + 1;
                while (j < n && s[j] == ch)
                    j++;
                if (!is_digit_at(s, n, j)) /* a run of one digit kind, then no digit */
                    return (chunk){ch == '0' ? S_FRAC0 : S_FRAC9, (int)((j - i - 1) & 0xfff), s[i],
                                   i, j - i};
            }
            break;
        default: break;
        }
#undef RET
    }
    return (chunk){S_NONE, 0, 0, n, 0};
}

/* ---- formatting --------------------------------------------------------------- */

/* Go's appendInt: optional '-', then at least `width` digits. */
static void put_int(gh_buf *b, int64_t x, int width) {
    uint64_t u = (uint64_t)x;
    if (x < 0) {
        gh_buf_putc(b, '-');
        u = 0 - u;
    }
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int i = k; i < width; i++)
        gh_buf_putc(b, '0');
    while (k)
        gh_buf_putc(b, tmp[--k]);
}

static void put_nano(gh_buf *b, int32_t ns, const chunk *c) {
    bool trim = c->std == S_FRAC9;
    if (trim && (c->digits == 0 || ns == 0)) return;
    char tmp[16];
    size_t k = 0;
    tmp[k++] = c->sep;
    int32_t v = ns;
    for (int i = 8; i >= 0; i--) {
        tmp[k + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    k += 9;
    if (c->digits < 9) k = k - 9 + (size_t)c->digits;
    if (trim) {
        while (k > 0 && tmp[k - 1] == '0')
            k--;
        if (k > 0 && tmp[k - 1] == c->sep) k--;
    }
    gh_buf_append(b, tmp, k);
}

/* A numeric zone offset (seconds east of UTC) as tz spells it. */
static void put_offset(gh_buf *b, const tz_shape *tz, int off) {
    if (off == 0 && tz->z_out) {
        gh_buf_putc(b, 'Z');
        return;
    }
    int zone = off / 60, absoff = off;
    if (zone < 0) {
        gh_buf_putc(b, '-');
        zone = -zone;
        absoff = -absoff;
    } else {
        gh_buf_putc(b, '+');
    }
    put_int(b, zone / 60, 2);
    if (tz->mins) {
        if (tz->colon) gh_buf_putc(b, ':');
        put_int(b, zone % 60, 2);
    }
    if (tz->secs) {
        if (tz->colon) gh_buf_putc(b, ':');
        put_int(b, absoff % 60, 2);
    }
}

void tl_format(gh_buf *b, const gtime *t, const char *layout, size_t n) {
    gcivil cv;
    tz_info z;
    gt_civil(t, &cv, &z);
    while (n) {
        chunk c = next_chunk(layout, n);
        if (c.pre) gh_buf_append(b, layout, c.pre);
        if (c.std == S_NONE) break;
        layout += c.pre + c.len;
        n -= c.pre + c.len;
        int hr;
        switch (c.std) {
        case S_YEAR: {
            int64_t y = cv.year < 0 ? -cv.year : cv.year;
            put_int(b, y % 100, 2);
            break;
        }
        case S_LONG_YEAR: put_int(b, cv.year, 4); break;
        case S_MONTH: gh_buf_puts(b, short_months[cv.month - 1]); break;
        case S_LONG_MONTH: gh_buf_puts(b, long_months[cv.month - 1]); break;
        case S_NUM_MONTH: put_int(b, cv.month, 0); break;
        case S_ZERO_MONTH: put_int(b, cv.month, 2); break;
        case S_WEEKDAY: gh_buf_puts(b, short_days[cv.wday]); break;
        case S_LONG_WEEKDAY: gh_buf_puts(b, tl_long_days[cv.wday]); break;
        case S_DAY: put_int(b, cv.day, 0); break;
        case S_UNDER_DAY:
            if (cv.day < 10) gh_buf_putc(b, ' ');
            put_int(b, cv.day, 0);
            break;
        case S_ZERO_DAY: put_int(b, cv.day, 2); break;
        case S_UNDER_YDAY:
            if (cv.yday < 100) gh_buf_puts(b, cv.yday < 10 ? "  " : " ");
            put_int(b, cv.yday, 0);
            break;
        case S_ZERO_YDAY: put_int(b, cv.yday, 3); break;
        case S_HOUR: put_int(b, cv.hour, 2); break;
        case S_HOUR12:
        case S_ZERO_HOUR12:
            hr = cv.hour % 12;
            put_int(b, hr ? hr : 12, c.std == S_ZERO_HOUR12 ? 2 : 0);
            break;
        case S_MINUTE: put_int(b, cv.min, 0); break;
        case S_ZERO_MINUTE: put_int(b, cv.min, 2); break;
        case S_SECOND: put_int(b, cv.sec, 0); break;
        case S_ZERO_SECOND: put_int(b, cv.sec, 2); break;
        case S_PM: gh_buf_puts(b, cv.hour >= 12 ? "PM" : "AM"); break;
        case S_PM_LOWER: gh_buf_puts(b, cv.hour >= 12 ? "pm" : "am"); break;
        case S_TZ:
            if (z.name[0]) {
                gh_buf_puts(b, z.name);
                break;
            }
            {
                int zone = z.off / 60;
                if (zone < 0) {
                    gh_buf_putc(b, '-');
                    zone = -zone;
                } else {
                    gh_buf_putc(b, '+');
                }
                put_int(b, zone / 60, 2);
                put_int(b, zone % 60, 2);
            }
            break;
        case S_FRAC0:
        case S_FRAC9: put_nano(b, t->nsec, &c); break;
        default: {
            const tz_shape *tz = tz_shape_of(c.std);
            if (tz) put_offset(b, tz, z.off);
            break;
        }
        }
    }
}

/* ---- parsing ------------------------------------------------------------------- */

void tl_quote(gh_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    gh_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < ' ') {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            gh_buf_append(b, e, 4);
        } else {
            if (c == '"' || c == '\\') gh_buf_putc(b, '\\');
            gh_buf_putc(b, (char)c);
        }
    }
    gh_buf_putc(b, '"');
}

typedef struct {
    const char *p;
    size_t n;
} str;

static str adv(str s, size_t k) { return (str){s.p + k, s.n - k}; }

/* Go's leadingInt: [0-9]* into a uint64 up to 1<<63; false on overflow. */
static bool leading_int(str s, uint64_t *x, str *rem) {
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
        if (v > (UINT64_C(1) << 63) / 10) return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > UINT64_C(1) << 63) return false;
    }
    *x = v;
    *rem = adv(s, i);
    return true;
}

/* Go's atoi (time package): optional sign, digits, nothing else. */
static bool go_atoi(str s, int64_t *out) {
    bool neg = false;
    if (s.n && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        s = adv(s, 1);
    }
    uint64_t q;
    str rem;
    if (!leading_int(s, &q, &rem) || rem.n) return false;
    *out = neg ? -(int64_t)q : (int64_t)q;
    return true;
}

static bool getnum(str *s, bool fixed, int *out) {
    if (!is_digit_at(s->p, s->n, 0)) return false;
    if (!is_digit_at(s->p, s->n, 1)) {
        if (fixed) return false;
        *out = s->p[0] - '0';
        *s = adv(*s, 1);
        return true;
    }
    *out = (s->p[0] - '0') * 10 + (s->p[1] - '0');
    *s = adv(*s, 2);
    return true;
}

static bool getnum3(str *s, bool fixed, int *out) {
    int v = 0;
    size_t i = 0;
    for (; i < 3 && is_digit_at(s->p, s->n, i); i++)
        v = v * 10 + (s->p[i] - '0');
    if (i == 0 || (fixed && i != 3)) return false;
    *out = v;
    *s = adv(*s, i);
    return true;
}

static bool name_match(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c1 = (unsigned char)a[i], c2 = (unsigned char)b[i];
        if (c1 != c2) {
            c1 |= 'a' - 'A';
            c2 |= 'a' - 'A';
            if (c1 != c2 || c1 < 'a' || c1 > 'z') return false;
        }
    }
    return true;
}

static int lookup(const char *const *tab, int ntab, str *s) {
    for (int i = 0; i < ntab; i++) {
        size_t k = strlen(tab[i]);
        if (s->n >= k && name_match(s->p, tab[i], k)) {
            *s = adv(*s, k);
            return i;
        }
    }
    return -1;
}

static bool comma_or_period(char c) { return c == '.' || c == ','; }

/* Go's parseNanoseconds: value starts with the separator; nbytes counts it.
 * Returns 0 ok, 1 syntax error, 2 out of range. */
static int parse_nanos(str v, size_t nbytes, int32_t *ns) {
    if (!comma_or_period(v.p[0])) return 1;
    if (nbytes > 10) nbytes = 10;
    int64_t x;
    if (!go_atoi((str){v.p + 1, nbytes - 1}, &x)) return 1;
    if (x < 0) return 2;
    for (size_t i = 0; i < 10 - nbytes; i++)
        x *= 10;
    *ns = (int32_t)x;
    return 0;
}

/* Go's parseSignedOffset: "+hh"/"-hh" with hh <= 23; length or 0. */
static size_t signed_offset(str v) {
    if (v.p[0] != '-' && v.p[0] != '+') return 0;
    uint64_t x;
    str rem;
    if (!leading_int(adv(v, 1), &x, &rem) || rem.n == v.n - 1 || x > 23) return 0;
    return v.n - rem.n;
}

/* Go's parseTimeZone: length of a zone abbreviation at the start of v. */
static size_t zone_len(str v) {
    if (v.n < 3) return 0;
    if (v.n >= 4 && (!memcmp(v.p, "ChST", 4) || !memcmp(v.p, "MeST", 4))) return 4;
    if (!memcmp(v.p, "GMT", 3)) return v.n == 3 ? 3 : 3 + signed_offset(adv(v, 3));
    if (v.p[0] == '+' || v.p[0] == '-') return signed_offset(v);
    size_t up = 0;
    while (up < 6 && up < v.n && v.p[up] >= 'A' && v.p[up] <= 'Z')
        up++;
    switch (up) {
    case 3: return 3;
    case 4: return v.p[3] == 'T' || !memcmp(v.p, "WITA", 4) ? 4 : 0;
    case 5: return v.p[4] == 'T' ? 5 : 0;
    default: return 0;
    }
}

/* Go's skip: match the literal prefix, where a space matches any run of
 * spaces (at least one unless the value is exhausted). */
static bool skip_lit(str *v, str pre) {
    while (pre.n) {
        if (pre.p[0] == ' ') {
            if (v->n && v->p[0] != ' ') return false;
            while (pre.n && pre.p[0] == ' ')
                pre = adv(pre, 1);
            while (v->n && v->p[0] == ' ')
                *v = adv(*v, 1);
            continue;
        }
        if (!v->n || v->p[0] != pre.p[0]) return false;
        pre = adv(pre, 1);
        *v = adv(*v, 1);
    }
    return true;
}

static int perr_cannot(gh_buf *m, str lay, str val, str lay_el, str val_el) {
    gh_buf_puts(m, "parsing time ");
    tl_quote(m, val.p, val.n);
    gh_buf_puts(m, " as ");
    tl_quote(m, lay.p, lay.n);
    gh_buf_puts(m, ": cannot parse ");
    tl_quote(m, val_el.p, val_el.n);
    gh_buf_puts(m, " as ");
    tl_quote(m, lay_el.p, lay_el.n);
    return GH_EINVAL;
}

static int perr_msg(gh_buf *m, str val, const char *msg, const str *extra) {
    gh_buf_puts(m, "parsing time ");
    tl_quote(m, val.p, val.n);
    gh_buf_puts(m, msg);
    if (extra) tl_quote(m, extra->p, extra->n);
    return GH_EINVAL;
}

/* A numeric zone offset spelt as tz says, at the start of *v: on success
 * *v moves past it and *off (seconds east) or *utc is set. False when v
 * does not hold one (*v moves unless it was too short). */
static bool parse_offset(str *v, const tz_shape *tz, int64_t *off, bool *utc) {
    if (tz->z_in && v->n >= 1 && v->p[0] == 'Z') {
        *v = adv(*v, 1);
        *utc = true;
        return true;
    }
    size_t need = 3 + (tz->mins ? 2u + tz->colon : 0) + (tz->secs ? 2u + tz->colon : 0);
    if (v->n < need) return false;
    if (tz->colon && (v->p[3] != ':' || (tz->secs && v->p[6] != ':'))) return false;
    const char *p = v->p;
    str hh = {p + 1, 2}, mm = {"00", 2}, ss = {"00", 2};
    size_t at = 3 + tz->colon;
    if (tz->mins) {
        mm = (str){p + at, 2};
        at += 2 + tz->colon;
    }
    if (tz->secs) ss = (str){p + at, 2};
    *v = adv(*v, need);
    int h = 0, mi = 0, se = 0;
    bool ok = getnum(&hh, true, &h) && getnum(&mm, true, &mi) && getnum(&ss, true, &se);
    *off = ((int64_t)h * 60 + mi) * 60 + se;
    if (p[0] == '-')
        *off = -*off;
    else if (p[0] != '+')
        ok = false;
    return ok;
}

static const int days_before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

int tl_parse(const char *layout, size_t ln, const char *value, size_t vn, gtime *out, gh_buf *msg) {
    const str alay = {layout, ln}, aval = {value, vn};
    str lay = alay, v = aval;
    const char *range_err = NULL;
    bool am = false, pm = false, utc = false;
    int64_t year = 0;
    int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0;
    int32_t nsec = 0;
    int64_t zone_off = -1;
    str zone_name = {"", 0};

    for (;;) {
        chunk c = next_chunk(lay.p, lay.n);
        str prefix = {lay.p, c.pre}, stdstr = {lay.p + c.pre, c.len};
        if (!skip_lit(&v, prefix)) return perr_cannot(msg, alay, aval, prefix, v);
        if (c.std == S_NONE) {
            if (v.n) return perr_msg(msg, aval, ": extra text: ", &v);
            break;
        }
        lay = adv(lay, c.pre + c.len);
        bool bad = false;
        int k, r;
        switch (c.std) {
        case S_YEAR:
            if (v.n < 2) {
                bad = true;
                break;
            }
            bad = !go_atoi((str){v.p, 2}, &year);
            if (!bad) { /* Go puts the value back when the two bytes are no number */
                v = adv(v, 2);
                year += year >= 69 ? 1900 : 2000;
            }
            break;
        case S_LONG_YEAR:
            if (v.n < 4 || !is_digit_at(v.p, v.n, 0)) {
                bad = true;
                break;
            }
            bad = !go_atoi((str){v.p, 4}, &year);
            v = adv(v, 4);
            break;
        case S_MONTH:
            month = lookup(short_months, 12, &v) + 1;
            bad = month == 0;
            break;
        case S_LONG_MONTH:
            month = lookup(long_months, 12, &v) + 1;
            bad = month == 0;
            break;
        case S_NUM_MONTH:
        case S_ZERO_MONTH:
            bad = !getnum(&v, c.std == S_ZERO_MONTH, &month);
            if (!bad && (month <= 0 || month > 12)) range_err = "month";
            break;
        case S_WEEKDAY: bad = lookup(short_days, 7, &v) < 0; break;
        case S_LONG_WEEKDAY: bad = lookup(tl_long_days, 7, &v) < 0; break;
        case S_DAY:
        case S_UNDER_DAY:
        case S_ZERO_DAY:
            if (c.std == S_UNDER_DAY && v.n && v.p[0] == ' ') v = adv(v, 1);
            bad = !getnum(&v, c.std == S_ZERO_DAY, &day);
            break;
        case S_UNDER_YDAY:
        case S_ZERO_YDAY:
            for (int i = 0; i < 2; i++)
                if (c.std == S_UNDER_YDAY && v.n && v.p[0] == ' ') v = adv(v, 1);
            bad = !getnum3(&v, c.std == S_ZERO_YDAY, &yday);
            break;
        case S_HOUR:
            k = 0;
            bad = !getnum(&v, false, &k);
            hour = bad ? 0 : k;
            if (hour >= 24) range_err = "hour";
            break;
        case S_HOUR12:
        case S_ZERO_HOUR12:
            k = 0;
            bad = !getnum(&v, c.std == S_ZERO_HOUR12, &k);
            hour = bad ? 0 : k;
            if (hour > 12) range_err = "hour";
            break;
        case S_MINUTE:
        case S_ZERO_MINUTE:
            k = 0;
            bad = !getnum(&v, c.std == S_ZERO_MINUTE, &k);
            min = bad ? 0 : k;
            if (min >= 60) range_err = "minute";
            break;
        case S_SECOND:
        case S_ZERO_SECOND:
            k = 0;
            bad = !getnum(&v, c.std == S_ZERO_SECOND, &k);
            sec = bad ? 0 : k;
            if (bad) break;
            if (sec >= 60) {
                range_err = "second";
                break;
            }
            /* a fraction in the value that the layout does not spell out */
            if (v.n >= 2 && comma_or_period(v.p[0]) && is_digit_at(v.p, v.n, 1)) {
                chunk nx = next_chunk(lay.p, lay.n);
                if (nx.std == S_FRAC0 || nx.std == S_FRAC9) break;
                size_t nb = 2;
                while (is_digit_at(v.p, v.n, nb))
                    nb++;
                r = parse_nanos(v, nb, &nsec);
                if (r == 2) range_err = "fractional second";
                bad = r == 1;
                v = adv(v, nb);
            }
            break;
        case S_PM:
        case S_PM_LOWER:
            if (v.n < 2) {
                bad = true;
                break;
            }
            if (!memcmp(v.p, c.std == S_PM ? "PM" : "pm", 2))
                pm = true;
            else if (!memcmp(v.p, c.std == S_PM ? "AM" : "am", 2))
                am = true;
            else
                bad = true;
            v = adv(v, 2);
            break;
        case S_TZ: {
            if (v.n >= 3 && !memcmp(v.p, "UTC", 3)) {
                utc = true;
                v = adv(v, 3);
                break;
            }
            size_t zl = zone_len(v);
            if (!zl) {
                bad = true;
                break;
            }
            zone_name = (str){v.p, zl};
            v = adv(v, zl);
            break;
        }
        case S_FRAC0: {
            size_t nd = 1 + (size_t)c.digits;
            if (v.n < nd) {
                bad = true;
                break;
            }
            r = parse_nanos(v, nd, &nsec);
            if (r == 2) range_err = "fractional second";
            bad = r == 1;
            v = adv(v, nd);
            break;
        }
        case S_FRAC9: {
            if (v.n < 2 || !comma_or_period(v.p[0]) || !is_digit_at(v.p, v.n, 1)) break;
            size_t i = 0;
            while (is_digit_at(v.p, v.n, i + 1))
                i++;
            r = parse_nanos(v, 1 + i, &nsec);
            if (r == 2) range_err = "fractional second";
            bad = r == 1;
            v = adv(v, 1 + i);
            break;
        }
        default: {
            const tz_shape *tz = tz_shape_of(c.std);
            if (tz) bad = !parse_offset(&v, tz, &zone_off, &utc);
            break;
        }
        }
        if (range_err) {
            gh_buf_puts(msg, "parsing time ");
            tl_quote(msg, aval.p, aval.n);
            gh_buf_printf(msg, ": %s out of range", range_err);
            return GH_EINVAL;
        }
        if (bad) return perr_cannot(msg, alay, aval, stdstr, v);
    }
    if (pm && hour < 12)
        hour += 12;
    else if (am && hour == 12)
        hour = 0;

    if (yday >= 0) {
        int d = 0, m = 0;
        if (gt_is_leap(year)) {
            if (yday == 31 + 29) {
                m = 2;
                d = 29;
            } else if (yday > 31 + 29) {
                yday--;
            }
        }
        if (yday < 1 || yday > 365) return perr_msg(msg, aval, ": day-of-year out of range", NULL);
        if (m == 0) {
            m = (yday - 1) / 31 + 1;
            if (days_before[m] < yday) m++;
            d = yday - days_before[m - 1];
        }
        if (month >= 0 && month != m)
            return perr_msg(msg, aval, ": day-of-year does not match month", NULL);
        month = m;
        if (day >= 0 && day != d)
            return perr_msg(msg, aval, ": day-of-year does not match day", NULL);
        day = d;
    } else {
        if (month < 0) month = 1;
        if (day < 0) day = 1;
    }
    if (day < 1 || day > gt_days_in(month, year))
        return perr_msg(msg, aval, ": day out of range", NULL);

    *out = gt_date(year, month, day, hour, min, sec, nsec, &tz_utc);
    if (utc) return 0;
    if (zone_off != -1) {
        out->sec = (int64_t)((uint64_t)out->sec - (uint64_t)zone_off);
        return 0;
    }
    if (zone_name.n) {
        /* a known abbreviation of the local zone fixes the offset; an unknown
         * one is recorded by Go with offset zero, leaving the instant as UTC */
        int32_t off;
        if (tz_lookup_name(tz_local(), zone_name.p, zone_name.n, out->sec, &off))
            out->sec = (int64_t)((uint64_t)out->sec - (uint64_t)(int64_t)off);
    }
    return 0;
}

/* ---- durations ----------------------------------------------------------------- */

static int dur_err(gh_buf *m, const char *what, str orig) {
    gh_buf_puts(m, what);
    tl_quote(m, orig.p, orig.n);
    return GH_EINVAL;
}

int tl_parse_duration(const char *sp, size_t sn, int64_t *ns, gh_buf *msg) {
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
        {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", UINT64_C(60000000000)},
        {"h", UINT64_C(3600000000000)},
    };
    const uint64_t lim = UINT64_C(1) << 63;
    str orig = {sp, sn}, s = orig;
    uint64_t d = 0;
    bool neg = false;
    if (s.n && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        s = adv(s, 1);
    }
    if (s.n == 1 && s.p[0] == '0') {
        *ns = 0;
        return 0;
    }
    if (!s.n) return dur_err(msg, "time: invalid duration ", orig);
    while (s.n) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!(s.p[0] == '.' || (s.p[0] >= '0' && s.p[0] <= '9')))
            return dur_err(msg, "time: invalid duration ", orig);
        size_t pl = s.n;
        str rem;
        if (!leading_int(s, &v, &rem)) return dur_err(msg, "time: invalid duration ", orig);
        s = rem;
        bool pre = pl != s.n, post = false;
        if (s.n && s.p[0] == '.') {
            s = adv(s, 1);
            pl = s.n;
            bool over = false;
            size_t i = 0;
            for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
                if (over) continue;
                if (f > (lim - 1) / 10) {
                    over = true;
                    continue;
                }
                uint64_t y = f * 10 + (uint64_t)(s.p[i] - '0');
                if (y > lim) {
                    over = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            s = adv(s, i);
            post = pl != s.n;
        }
        if (!pre && !post) return dur_err(msg, "time: invalid duration ", orig);
        size_t i = 0;
        while (i < s.n && s.p[i] != '.' && !(s.p[i] >= '0' && s.p[i] <= '9'))
            i++;
        if (i == 0) return dur_err(msg, "time: missing unit in duration ", orig);
        str u = {s.p, i};
        s = adv(s, i);
        uint64_t unit = 0;
        for (size_t k = 0; k < sizeof units / sizeof *units; k++)
            if (strlen(units[k].name) == u.n && !memcmp(units[k].name, u.p, u.n))
                unit = units[k].ns;
        if (!unit) {
            gh_buf_puts(msg, "time: unknown unit ");
            tl_quote(msg, u.p, u.n);
            gh_buf_puts(msg, " in duration ");
            tl_quote(msg, orig.p, orig.n);
            return GH_EINVAL;
        }
        if (v > lim / unit) return dur_err(msg, "time: invalid duration ", orig);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > lim) return dur_err(msg, "time: invalid duration ", orig);
        }
        d += v;
        if (d > lim) return dur_err(msg, "time: invalid duration ", orig);
    }
    if (neg) {
        *ns = (int64_t)(0 - d);
        return 0;
    }
    if (d > lim - 1) return dur_err(msg, "time: invalid duration ", orig);
    *ns = (int64_t)d;
    return 0;
}
