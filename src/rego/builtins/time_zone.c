/* time_zone.c - IANA zones for the time builtins: a TZif (RFC 8536) reader,
 * POSIX TZ footer rules, Go's Location.lookup/lookupName and LoadLocation
 * search ($ZONEINFO, then /usr/share/zoneinfo...). Loaded zones are cached
 * for the life of the process behind a mutex and are immutable, so callers
 * keep pointers to them. Never touches the process's TZ (no localtime_r):
 * thread-safe. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rego/builtins/time_int.h"

#define SECS_PER_DAY 86400
#define TZ_ALPHA INT64_MIN
#define TZ_OMEGA INT64_MAX
#define TZ_MAX_FILE (10 << 20) /* Go refuses zone files above 10 MiB */

const tz_loc tz_utc = {"UTC", NULL, 0, NULL, 0, "", {"", ""}};

static const char *const zone_dirs[] = {
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
};

/* ---- POSIX TZ rules (the TZif footer) ------------------------------------- */

typedef struct {
    const char *s, *e;
} span;

static bool tzs_name(span *s, const char **nm, size_t *nn) {
    if (s->s >= s->e) return false;
    if (*s->s == '<') {
        for (const char *q = s->s + 1; q < s->e; q++)
            if (*q == '>') {
                *nm = s->s + 1;
                *nn = (size_t)(q - s->s - 1);
                s->s = q + 1;
                return true;
            }
        return false;
    }
    const char *q = s->s;
    while (q < s->e && !((*q >= '0' && *q <= '9') || *q == ',' || *q == '-' || *q == '+'))
        q++;
    if (q - s->s < 3) return false;
    *nm = s->s;
    *nn = (size_t)(q - s->s);
    s->s = q;
    return true;
}

static bool tzs_num(span *s, int min, int max, int *out) {
    int v = 0;
    const char *q = s->s;
    while (q < s->e && *q >= '0' && *q <= '9') {
        v = v * 10 + (*q - '0');
        if (v > max) return false;
        q++;
    }
    if (q == s->s || v < min) return false;
    s->s = q;
    *out = v;
    return true;
}

static bool tzs_offset(span *s, int *out) {
    if (s->s >= s->e) return false;
    bool neg = false;
    if (*s->s == '+' || *s->s == '-') neg = *s->s++ == '-';
    int h, mi, se, off;
    if (!tzs_num(s, 0, 24 * 7, &h)) return false;
    off = h * 3600;
    if (s->s < s->e && *s->s == ':') {
        s->s++;
        if (!tzs_num(s, 0, 59, &mi)) return false;
        off += mi * 60;
        if (s->s < s->e && *s->s == ':') {
            s->s++;
            if (!tzs_num(s, 0, 59, &se)) return false;
            off += se;
        }
    }
    *out = neg ? -off : off;
    return true;
}

enum { RULE_JULIAN, RULE_DOY, RULE_MWD };
typedef struct {
    int kind, day, week, mon, time;
} tz_rule;

static bool tzs_rule(span *s, tz_rule *r) {
    if (s->s >= s->e) return false;
    if (*s->s == 'J') {
        s->s++;
        if (!tzs_num(s, 1, 365, &r->day)) return false;
        r->kind = RULE_JULIAN;
    } else if (*s->s == 'M') {
        s->s++;
        if (!tzs_num(s, 1, 12, &r->mon) || s->s >= s->e || *s->s++ != '.') return false;
        if (!tzs_num(s, 1, 5, &r->week) || s->s >= s->e || *s->s++ != '.') return false;
        if (!tzs_num(s, 0, 6, &r->day)) return false;
        r->kind = RULE_MWD;
    } else {
        if (!tzs_num(s, 0, 365, &r->day)) return false;
        r->kind = RULE_DOY;
    }
    r->time = 2 * 3600;
    if (s->s < s->e && *s->s == '/') {
        s->s++;
        return tzs_offset(s, &r->time);
    }
    return true;
}

static const int days_before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

/* Seconds after the start of `year` (local standard time `off`) at which
 * rule r fires. */
static int64_t rule_time(int64_t year, const tz_rule *r, int off) {
    int64_t s = 0;
    switch (r->kind) {
    case RULE_JULIAN:
        s = (int64_t)(r->day - 1) * SECS_PER_DAY;
        if (gt_is_leap(year) && r->day >= 60) s += SECS_PER_DAY;
        break;
    case RULE_DOY: s = (int64_t)r->day * SECS_PER_DAY; break;
    default: {
        /* weekday of the first day of the month (Zeller's congruence) */
        int m1 = (r->mon + 9) % 12 + 1;
        int64_t yy0 = r->mon <= 2 ? year - 1 : year;
        int64_t yy1 = yy0 / 100, yy2 = yy0 % 100;
        int64_t dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
        if (dow < 0) dow += 7;
        int64_t d = r->day - dow;
        if (d < 0) d += 7;
        for (int i = 1; i < r->week; i++) {
            if (d + 7 >= gt_days_in(r->mon, year)) break;
            d += 7;
        }
        d += days_before[r->mon - 1];
        if (gt_is_leap(year) && r->mon > 2) d++;
        s = d * SECS_PER_DAY;
    }
    }
    return s + r->time - off;
}

/* Go's tzset: the zone the rule string gives at `sec`, or false when the
 * string is malformed. The zone's name is reported as which of the rule's
 * two names applies (the location keeps NUL-terminated copies). */
typedef struct {
    int which; /* 0: the rule's first (standard) name, 1: its second (daylight) name */
    int off;
    int64_t start, end;
    bool dst;
} tzs_res;

static bool tz_rule_eval(const char *str, int64_t last_tx, int64_t sec, tzs_res *o) {
    span s = {str, str + strlen(str)};
    const char *stdn, *dstn;
    size_t stdnn, dstnn;
    int stdoff, dstoff;
    if (!tzs_name(&s, &stdn, &stdnn) || !tzs_offset(&s, &stdoff)) return false;
    stdoff = -stdoff;
    if (s.s == s.e || *s.s == ',') {
        *o = (tzs_res){0, stdoff, last_tx, TZ_OMEGA, false};
        return true;
    }
    if (!tzs_name(&s, &dstn, &dstnn)) return false;
    if (s.s == s.e || *s.s == ',') {
        dstoff = stdoff + 3600;
    } else {
        if (!tzs_offset(&s, &dstoff)) return false;
        dstoff = -dstoff;
    }
    static const char dflt[] = ",M3.2.0,M11.1.0";
    if (s.s == s.e) s = (span){dflt, dflt + sizeof dflt - 1};
    if (*s.s != ',' && *s.s != ';') return false;
    s.s++;
    tz_rule r1, r2;
    if (!tzs_rule(&s, &r1) || s.s >= s.e || *s.s != ',') return false;
    s.s++;
    if (!tzs_rule(&s, &r2) || s.s != s.e) return false;

    int64_t year;
    int mo, dd, yday;
    gt_abs_date((uint64_t)sec + (uint64_t)GT_UNIX_TO_ABS, &year, &mo, &dd, &yday, false);
    int64_t ysec = (int64_t)yday * SECS_PER_DAY + sec % SECS_PER_DAY;
    int64_t abs = gt_wsub((int64_t)(gt_days_since_epoch(year) * SECS_PER_DAY), GT_UNIX_TO_ABS);
    int64_t st = rule_time(year, &r1, stdoff), en = rule_time(year, &r2, dstoff);
    bool dst_is = true, std_is = false;
    int stdw = 0, dstw = 1;
    if (en < st) { /* southern hemisphere: swap the roles, keeping Go's labels */
        int64_t t = st;
        st = en;
        en = t;
        stdw = 1;
        dstw = 0;
        int to = stdoff;
        stdoff = dstoff;
        dstoff = to;
        dst_is = false;
        std_is = true;
    }
    if (ysec < st)
        *o = (tzs_res){stdw, stdoff, abs, gt_wadd(st, abs), std_is};
    else if (ysec >= en)
        *o = (tzs_res){stdw, stdoff, gt_wadd(en, abs), gt_wadd(abs, 365 * SECS_PER_DAY), std_is};
    else
        *o = (tzs_res){dstw, dstoff, gt_wadd(st, abs), gt_wadd(en, abs), dst_is};
    return true;
}

/* ---- TZif ----------------------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
    bool bad;
} rd;

static const uint8_t *rd_take(rd *r, size_t n) {
    if (r->bad || n > r->n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->n -= n;
    return p;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

int tz_from_tzif(const char *name, const uint8_t *p, size_t n, tz_loc **out) {
    enum { N_UTCLOCAL, N_STDWALL, N_LEAP, N_TIME, N_ZONE, N_CHAR };
    rd r = {p, n, false};
    *out = NULL;
    const uint8_t *m = rd_take(&r, 4);
    if (!m || memcmp(m, "TZif", 4)) return GH_EPARSE;
    const uint8_t *ver = rd_take(&r, 16);
    if (!ver || (ver[0] != 0 && ver[0] != '2' && ver[0] != '3')) return GH_EPARSE;
    size_t cnt[6];
    for (int i = 0; i < 6; i++) {
        const uint8_t *c = rd_take(&r, 4);
        if (!c) return GH_EPARSE;
        cnt[i] = be32(c);
    }
    size_t tsize = 4;
    if (ver[0] != 0) {
        /* skip the 32-bit block and the second header's magic and version */
        size_t skip = cnt[N_TIME] * 5 + cnt[N_ZONE] * 6 + cnt[N_CHAR] + cnt[N_LEAP] * 8 +
                      cnt[N_STDWALL] + cnt[N_UTCLOCAL] + 20;
        if (!rd_take(&r, skip)) return GH_EPARSE;
        for (int i = 0; i < 6; i++) {
            const uint8_t *c = rd_take(&r, 4);
            if (!c) return GH_EPARSE;
            cnt[i] = be32(c);
        }
        tsize = 8;
    }
    const uint8_t *times = rd_take(&r, cnt[N_TIME] * tsize);
    const uint8_t *idx = rd_take(&r, cnt[N_TIME]);
    const uint8_t *zdata = rd_take(&r, cnt[N_ZONE] * 6);
    const uint8_t *abbr = rd_take(&r, cnt[N_CHAR]);
    rd_take(&r, cnt[N_LEAP] * (tsize + 4));
    rd_take(&r, cnt[N_STDWALL]);
    rd_take(&r, cnt[N_UTCLOCAL]);
    if (r.bad || cnt[N_ZONE] == 0) return GH_EPARSE;
    const char *ext = "";
    size_t extn = 0;
    if (r.n > 2 && r.p[0] == '\n' && r.p[r.n - 1] == '\n') {
        ext = (const char *)r.p + 1;
        extn = r.n - 2;
    }
    /* the footer's zone names, kept NUL-terminated for lookups */
    span sp = {ext, ext + extn};
    const char *fn[2] = {"", ""};
    size_t fl[2] = {0, 0};
    int foff;
    if (tzs_name(&sp, &fn[0], &fl[0]) && tzs_offset(&sp, &foff) && sp.s < sp.e && *sp.s != ',' &&
        !tzs_name(&sp, &fn[1], &fl[1]))
        fl[1] = 0;
    for (size_t i = 0; i < cnt[N_ZONE]; i++)
        if (zdata[i * 6 + 5] >= cnt[N_CHAR]) return GH_EPARSE;
    for (size_t i = 0; i < cnt[N_TIME]; i++)
        if (idx[i] >= cnt[N_ZONE]) return GH_EPARSE;

    size_t ntx = cnt[N_TIME] ? cnt[N_TIME] : 1, nz = cnt[N_ZONE], namen = strlen(name);
    size_t total = sizeof(tz_loc) + ntx * sizeof(tz_trans) + nz * sizeof(tz_zone) + cnt[N_CHAR] +
                   1 + namen + 1 + extn + 1 + fl[0] + 1 + fl[1] + 1;
    char *blk = gh_malloc(total);
    if (!blk) return GH_ENOMEM;
    tz_loc *l = (tz_loc *)blk;
    tz_trans *tx = (tz_trans *)(blk + sizeof(tz_loc));
    tz_zone *zones = (tz_zone *)(tx + ntx);
    char *chars = (char *)(zones + nz);
    memcpy(chars, abbr, cnt[N_CHAR]);
    chars[cnt[N_CHAR]] = '\0';
    char *nm = chars + cnt[N_CHAR] + 1;
    memcpy(nm, name, namen + 1);
    char *ex = nm + namen + 1;
    memcpy(ex, ext, extn);
    ex[extn] = '\0';
    char *en = ex + extn + 1;
    for (int i = 0; i < 2; i++) {
        memcpy(en, fn[i], fl[i]);
        en[fl[i]] = '\0';
        l->ext_name[i] = en;
        en += fl[i] + 1;
    }
    for (size_t i = 0; i < nz; i++) {
        const uint8_t *z = zdata + i * 6;
        zones[i].off = (int32_t)be32(z);
        zones[i].dst = z[4] != 0;
        zones[i].name = chars + z[5];
    }
    if (cnt[N_TIME] == 0) {
        tx[0].when = TZ_ALPHA; /* fixed zones such as Etc/GMT+3: one zone for all time */
        tx[0].idx = 0;
    }
    for (size_t i = 0; i < cnt[N_TIME]; i++) {
        tx[i].when = tsize == 8 ? (int64_t)be64(times + i * 8) : (int32_t)be32(times + i * 4);
        tx[i].idx = idx[i];
    }
    l->name = nm;
    l->zones = zones;
    l->nzones = nz;
    l->tx = tx;
    l->ntx = ntx;
    l->extend = ex;
    *out = l;
    return 0;
}

void tz_free(tz_loc *l) { gh_free(l); }

/* ---- lookup ------------------------------------------------------------------ */

static size_t first_zone(const tz_loc *l) {
    bool used = false;
    for (size_t i = 0; i < l->ntx && !used; i++)
        used = l->tx[i].idx == 0;
    if (!used) return 0;
    if (l->ntx > 0 && l->zones[l->tx[0].idx].dst)
        for (int zi = (int)l->tx[0].idx - 1; zi >= 0; zi--)
            if (!l->zones[zi].dst) return (size_t)zi;
    for (size_t zi = 0; zi < l->nzones; zi++)
        if (!l->zones[zi].dst) return zi;
    return 0;
}

void tz_lookup(const tz_loc *l, int64_t sec, tz_info *o) {
    if (l->nzones == 0) {
        *o = (tz_info){"UTC", 0, TZ_ALPHA, TZ_OMEGA, false};
        return;
    }
    if (l->ntx == 0 || sec < l->tx[0].when) {
        const tz_zone *z = &l->zones[first_zone(l)];
        *o = (tz_info){z->name, z->off, TZ_ALPHA, l->ntx ? l->tx[0].when : TZ_OMEGA, z->dst};
        return;
    }
    size_t lo = 0, hi = l->ntx;
    int64_t end = TZ_OMEGA;
    while (hi - lo > 1) {
        size_t m = lo + (hi - lo) / 2;
        if (sec < l->tx[m].when) {
            end = l->tx[m].when;
            hi = m;
        } else {
            lo = m;
        }
    }
    const tz_zone *z = &l->zones[l->tx[lo].idx];
    *o = (tz_info){z->name, z->off, l->tx[lo].when, end, z->dst};
    if (lo == l->ntx - 1 && l->extend[0]) {
        tzs_res r;
        if (tz_rule_eval(l->extend, o->start, sec, &r))
            *o = (tz_info){l->ext_name[r.which], r.off, r.start, r.end, r.dst};
    }
}

bool tz_lookup_name(const tz_loc *l, const char *name, size_t n, int64_t unix, int32_t *off) {
    for (size_t i = 0; i < l->nzones; i++) {
        const tz_zone *z = &l->zones[i];
        if (strlen(z->name) == n && !memcmp(z->name, name, n)) {
            tz_info in;
            tz_lookup(l, gt_wsub(unix, z->off), &in);
            if (!strcmp(in.name, z->name)) {
                *off = in.off;
                return true;
            }
        }
    }
    for (size_t i = 0; i < l->nzones; i++) {
        const tz_zone *z = &l->zones[i];
        if (strlen(z->name) == n && !memcmp(z->name, name, n)) {
            *off = z->off;
            return true;
        }
    }
    return false;
}

/* ---- loading ---------------------------------------------------------------- */

static void errno_msg(int en, char *err, size_t errsz) {
    char tmp[128];
    const char *m = strerror_r(en, tmp, sizeof tmp);
    snprintf(err, errsz, "%s", m);
    if (err[0] >= 'A' && err[0] <= 'Z' && !(err[1] >= 'A' && err[1] <= 'Z'))
        err[0] = (char)(err[0] - 'A' + 'a'); /* Go's errno strings are lower case */
}

/* Reads path and parses it. GH_ENOTFOUND when the file does not exist
 * (the search goes on), other codes with a message. */
static int load_file(const char *path, const char *name, tz_loc **out, char *err, size_t errsz) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return GH_ENOTFOUND;
        errno_msg(errno, err, errsz);
        return GH_EIO;
    }
    gh_buf b;
    gh_buf_init(&b);
    int rc = 0;
    for (;;) {
        if (gh_buf_reserve(&b, 4096)) {
            rc = GH_ENOMEM;
            snprintf(err, errsz, "out of memory");
            break;
        }
        ssize_t k = read(fd, b.p + b.len, 4096);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            errno_msg(errno, err, errsz);
            rc = GH_EIO;
            break;
        }
        if (k == 0) break;
        b.len += (size_t)k;
        if (b.len > TZ_MAX_FILE) {
            snprintf(err, errsz, "time: file %s is too large", path);
            rc = GH_ELIMIT;
            break;
        }
    }
    close(fd);
    if (!rc) {
        rc = tz_from_tzif(name, (const uint8_t *)b.p, b.len, out);
        if (rc == GH_EPARSE) snprintf(err, errsz, "malformed time zone information");
        if (rc == GH_ENOMEM) snprintf(err, errsz, "out of memory");
    }
    gh_buf_free(&b);
    return rc;
}

/* Go's loadLocation over a list of directories: the first success wins;
 * otherwise the first error that is not "file not found"; otherwise
 * "unknown time zone NAME". */
static int load_from(const char *name, const char *const *dirs, size_t ndirs, tz_loc **out,
                     char *err, size_t errsz) {
    int first = 0;
    char tmp[GH_ERR_MSG];
    gh_buf path;
    gh_buf_init(&path);
    for (size_t i = 0; i < ndirs; i++) {
        gh_buf_reset(&path);
        gh_buf_puts(&path, dirs[i]);
        if (dirs[i][0]) gh_buf_putc(&path, '/');
        gh_buf_puts(&path, name);
        if (path.oom) {
            gh_buf_free(&path);
            snprintf(err, errsz, "out of memory");
            return GH_ENOMEM;
        }
        int rc = load_file(path.p, name, out, tmp, sizeof tmp);
        if (rc == 0) {
            gh_buf_free(&path);
            return 0;
        }
        if (rc == GH_ENOMEM) {
            gh_buf_free(&path);
            snprintf(err, errsz, "%s", tmp);
            return rc;
        }
        if (rc != GH_ENOTFOUND && !first) {
            first = rc;
            snprintf(err, errsz, "%s", tmp);
        }
    }
    gh_buf_free(&path);
    if (first) return first;
    snprintf(err, errsz, "unknown time zone %s", name);
    return GH_ENOTFOUND;
}

static tz_loc local_fallback = {"UTC", NULL, 0, NULL, 0, "", {"", ""}};
static const tz_loc *local_loc = &local_fallback;
static pthread_once_t local_once = PTHREAD_ONCE_INIT;

static void local_init(void) {
    char err[GH_ERR_MSG];
    tz_loc *l = NULL;
    const char *tz = getenv("TZ");
    if (!tz) {
        static const char *const etc[] = {"/etc"};
        if (load_from("localtime", etc, 1, &l, err, sizeof err) == 0) {
            l->name = "Local";
            local_loc = l;
        }
        return;
    }
    if (tz[0] == ':') tz++;
    if (tz[0] == '/') {
        static const char *const none[] = {""};
        if (load_from(tz, none, 1, &l, err, sizeof err) == 0) {
            if (!strcmp(tz, "/etc/localtime")) l->name = "Local";
            local_loc = l;
        }
    } else if (tz[0] && strcmp(tz, "UTC")) {
        if (load_from(tz, zone_dirs, sizeof zone_dirs / sizeof *zone_dirs, &l, err, sizeof err) ==
            0)
            local_loc = l;
    }
}

const tz_loc *tz_local(void) {
    pthread_once(&local_once, local_init);
    return local_loc;
}

/* Process-wide cache of loaded locations by name (as OPA keeps them). */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static tz_loc **cache;
static size_t ncache, capcache;

int tz_load(const char *name, size_t n, const tz_loc **out, char *err, size_t errsz) {
    if (n == 0 || (n == 3 && !memcmp(name, "UTC", 3))) {
        *out = &tz_utc;
        return 0;
    }
    if (n == 5 && !memcmp(name, "Local", 5)) {
        *out = tz_local();
        return 0;
    }
    bool dotdot = false;
    for (size_t i = 0; i + 1 < n; i++)
        dotdot |= name[i] == '.' && name[i + 1] == '.';
    if (dotdot || name[0] == '/' || name[0] == '\\') {
        snprintf(err, errsz, "time: invalid location name");
        return GH_EINVAL;
    }
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++)
        if (strlen(cache[i]->name) == n && !memcmp(cache[i]->name, name, n)) {
            *out = cache[i];
            pthread_mutex_unlock(&cache_mu);
            return 0;
        }
    pthread_mutex_unlock(&cache_mu);
    if (memchr(name, '\0', n)) { /* Go's open refuses NUL bytes */
        snprintf(err, errsz, "invalid argument");
        return GH_EINVAL;
    }
    char *nm = gh_malloc(n + 1);
    if (!nm) {
        snprintf(err, errsz, "out of memory");
        return GH_ENOMEM;
    }
    memcpy(nm, name, n);
    nm[n] = '\0';
    tz_loc *l = NULL;
    int rc = GH_ENOTFOUND;
    const char *zi = getenv("ZONEINFO");
    if (zi && zi[0]) {
        const char *const d[] = {zi};
        char tmp[GH_ERR_MSG];
        rc = load_from(nm, d, 1, &l, tmp, sizeof tmp);
        if (rc == GH_ENOMEM) {
            gh_free(nm);
            snprintf(err, errsz, "%s", tmp);
            return rc;
        }
        if (rc != 0 && rc != GH_ENOTFOUND) {
            /* keep this first error unless the system directories succeed */
            tz_loc *l2 = NULL;
            char tmp2[GH_ERR_MSG];
            if (load_from(nm, zone_dirs, 3, &l2, tmp2, sizeof tmp2) == 0) {
                l = l2;
                rc = 0;
            } else {
                snprintf(err, errsz, "%s", tmp);
            }
        }
    }
    if (!l && rc == GH_ENOTFOUND)
        rc = load_from(nm, zone_dirs, sizeof zone_dirs / sizeof *zone_dirs, &l, err, errsz);
    gh_free(nm);
    if (rc) return rc;
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < ncache; i++) /* another thread may have won the race */
        if (!strcmp(cache[i]->name, l->name)) {
            *out = cache[i];
            pthread_mutex_unlock(&cache_mu);
            tz_free(l);
            return 0;
        }
    if (ncache == capcache) {
        size_t nc = capcache ? capcache * 2 : 16;
        tz_loc **c = gh_realloc(cache, nc * sizeof *c);
        if (!c) {
            pthread_mutex_unlock(&cache_mu);
            tz_free(l);
            snprintf(err, errsz, "out of memory");
            return GH_ENOMEM;
        }
        cache = c;
        capcache = nc;
    }
    cache[ncache++] = l;
    pthread_mutex_unlock(&cache_mu);
    *out = l;
    return 0;
}
