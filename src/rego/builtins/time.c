/* time.c - the time.* builtins (rego_bi_time) and the Go-compatible civil
 * arithmetic shared with time_layout.c/time_zone.c. Timestamps are int64 ns
 * since the epoch as in OPA; calendar fields use Go's absolute-calendar
 * formulas with the same wrapping 64-bit arithmetic, so results match OPA
 * bit for bit, and results outside int64 ns are errors ("time outside of
 * valid range"). time.now_ns is the per-query clock in rego_bctx. */
#include <string.h>

#include "rego/builtins/builtins.h"
#include "rego/builtins/time_int.h"

#define SECS_PER_DAY 86400
#define DAYS_400Y 146097
#define DAYS_100Y 36524
#define DAYS_4Y 1461
#define ABS_ZERO_YEAR INT64_C(-292277022399)

static const int days_before[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

#define wadd gt_wadd
#define wsub gt_wsub
static int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

bool gt_is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int gt_days_in(int month, int64_t year) {
    if (month == 2 && gt_is_leap(year)) return 29;
    return days_before[month] - days_before[month - 1];
}

uint64_t gt_days_since_epoch(int64_t year) {
    uint64_t y = (uint64_t)wsub(year, ABS_ZERO_YEAR), n, d;
    n = y / 400;
    y -= 400 * n;
    d = DAYS_400Y * n;
    n = y / 100;
    y -= 100 * n;
    d += DAYS_100Y * n;
    n = y / 4;
    y -= 4 * n;
    d += DAYS_4Y * n;
    return d + 365 * y;
}

void gt_abs_date(uint64_t abs, int64_t *year, int *month, int *day, int *yday, bool full) {
    uint64_t d = abs / SECS_PER_DAY, n, y;
    n = d / DAYS_400Y;
    y = 400 * n;
    d -= DAYS_400Y * n;
    n = d / DAYS_100Y;
    n -= n >> 2; /* the last day of a 400-year cycle */
    y += 100 * n;
    d -= DAYS_100Y * n;
    n = d / DAYS_4Y;
    y += 4 * n;
    d -= DAYS_4Y * n;
    n = d / 365;
    n -= n >> 2; /* the last day of a leap year */
    y += n;
    d -= 365 * n;
    *year = wadd((int64_t)y, ABS_ZERO_YEAR);
    *yday = (int)d;
    if (!full) return;
    int dd = (int)d;
    if (gt_is_leap(*year)) {
        if (dd == 31 + 29 - 1) {
            *month = 2;
            *day = 29;
            return;
        }
        if (dd > 31 + 29 - 1) dd--;
    }
    int m = dd / 31, begin;
    if (dd >= days_before[m + 1]) {
        m++;
        begin = days_before[m];
    } else {
        begin = days_before[m];
    }
    *month = m + 1;
    *day = dd - begin + 1;
}

void gt_civil(const gtime *t, gcivil *c, tz_info *zone) {
    tz_info z;
    tz_lookup(t->loc, t->sec, &z);
    if (zone) *zone = z;
    uint64_t abs = (uint64_t)t->sec + (uint64_t)(int64_t)z.off + (uint64_t)GT_UNIX_TO_ABS;
    gt_abs_date(abs, &c->year, &c->month, &c->day, &c->yday, true);
    c->yday++;
    uint64_t s = abs % SECS_PER_DAY;
    c->hour = (int)(s / 3600);
    c->min = (int)(s % 3600 / 60);
    c->sec = (int)(s % 60);
    /* January 1 of the absolute year was a Monday */
    c->wday = (int)((abs + SECS_PER_DAY) % (7 * SECS_PER_DAY) / SECS_PER_DAY);
}

/* Go's norm: moves lo into [0, base) carrying into hi. */
static void norm(int64_t *hi, int64_t *lo, int64_t base) {
    if (*lo < 0) {
        int64_t n = (int64_t)(~(uint64_t)*lo) / base + 1; /* (-lo-1)/base + 1 */
        *hi = wsub(*hi, n);
        *lo = wadd(*lo, wmul(n, base));
    }
    if (*lo >= base) {
        int64_t n = *lo / base;
        *hi = wadd(*hi, n);
        *lo = wsub(*lo, wmul(n, base));
    }
}

gtime gt_date(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min, int64_t sec,
              int64_t nsec, const tz_loc *loc) {
    int64_t m = wsub(month, 1);
    norm(&year, &m, 12);
    month = m + 1;
    norm(&sec, &nsec, 1000000000);
    norm(&min, &sec, 60);
    norm(&hour, &min, 60);
    norm(&day, &hour, 24);
    uint64_t d = gt_days_since_epoch(year);
    d += (uint64_t)days_before[month - 1];
    if (gt_is_leap(year) && month >= 3) d++;
    d += (uint64_t)wsub(day, 1);
    uint64_t abs = d * SECS_PER_DAY + (uint64_t)(hour * 3600 + min * 60 + sec);
    int64_t unix = wsub((int64_t)abs, GT_UNIX_TO_ABS);
    tz_info z;
    tz_lookup(loc, unix, &z);
    if (z.off != 0) {
        int64_t utc = wsub(unix, z.off);
        int32_t off = z.off;
        if (utc < z.start || utc >= z.end) {
            tz_lookup(loc, utc, &z);
            off = z.off;
        }
        unix = wsub(unix, off);
    }
    return (gtime){unix, (int32_t)nsec, loc};
}

bool gt_ns_ok(const gtime *t) {
    /* Go compares internal seconds (Unix + 62135596800, wrapping) against
     * time.Unix(0, math.MinInt64) and time.Unix(0, math.MaxInt64) */
    int64_t i = wadd(t->sec, GT_UNIX_TO_INTERNAL);
    int64_t lo = INT64_C(-9223372037) + GT_UNIX_TO_INTERNAL;
    int64_t hi = INT64_C(9223372036) + GT_UNIX_TO_INTERNAL;
    if (i < lo || (i == lo && t->nsec < 145224192)) return false;
    if (i > hi || (i == hi && t->nsec > 854775807)) return false;
    return true;
}

int64_t gt_unix_nano(const gtime *t) { return wadd(wmul(t->sec, 1000000000), t->nsec); }

gtime gt_from_ns(int64_t ns, const tz_loc *loc) {
    int64_t s = ns / 1000000000, r = ns % 1000000000;
    if (r < 0) {
        r += 1000000000;
        s--;
    }
    return (gtime){s, (int32_t)r, loc};
}

/* ---- builtins ----------------------------------------------------------------- */

static const char TZ_WANT[] = "either number (ns) or [number (ns), string (tz)]";

/* OPA's tzTime: a number of ns, or [ns, tz] / [ns, tz, layout]. Operand
 * errors always name operand 1, as OPA's do. */
static int tz_time(rego_bctx *c, const val_t *x, gtime *t, const char **layout, size_t *ln) {
    const val_t *ns = x;
    const tz_loc *loc = &tz_utc;
    if (layout) *layout = NULL;
    if (val_kind_of(x) == VAL_ARRAY) {
        size_t n = val_arr_len(x);
        if (n == 0) return rb_type_err(c, 1, TZ_WANT, x);
        ns = val_arr_at(x, 0);
        if (val_kind_of(ns) != VAL_NUMBER) return rb_type_err(c, 1, "number", ns);
        if (n > 1) {
            const val_t *tz = val_arr_at(x, 1);
            if (!val_is_str(tz)) return rb_type_err(c, 1, "string", tz);
            char msg[GH_ERR_MSG];
            int rc = tz_load(val_str_ptr(tz), val_str_len(tz), &loc, msg, sizeof msg);
            if (rc == GH_ENOMEM) return rb_oom(c);
            if (rc) return rb_err(c, "%s", msg);
        }
        if (n > 2) {
            const val_t *l = val_arr_at(x, 2);
            if (!val_is_str(l)) return rb_type_err(c, 1, "string", l);
            if (layout) {
                *layout = val_str_ptr(l);
                *ln = val_str_len(l);
            }
        }
    } else if (val_kind_of(x) != VAL_NUMBER) {
        return rb_type_err(c, 1, TZ_WANT, x);
    }
    int64_t v;
    if (!val_num_to_int64(ns, &v)) return rb_err(c, "timestamp too big");
    *t = gt_from_ns(v, loc);
    return 0;
}

static int ret_ns(rego_bctx *c, const gtime *t, val_t **out) {
    if (!gt_ns_ok(t)) return rb_err(c, "time outside of valid range");
    *out = val_int(c->a, gt_unix_nano(t));
    return *out ? RB_OK : rb_oom(c);
}

static int ret_ints(rego_bctx *c, const int64_t *v, size_t n, val_t **out) {
    val_t *a = val_arr_new(c->a, n);
    if (!a) return rb_oom(c);
    for (size_t i = 0; i < n; i++) {
        val_t *x = val_int(c->a, v[i]);
        if (!x || val_arr_push(c->a, a, x)) return rb_oom(c);
    }
    *out = a;
    return RB_OK;
}

static int bi_now_ns(rego_bctx *c, val_t *const *args, val_t **out) {
    (void)args;
    *out = val_int(c->a, c->now_ns);
    return *out ? RB_OK : rb_oom(c);
}

static int parse_common(rego_bctx *c, const char *lay, size_t ln, const char *s, size_t n,
                        val_t **out) {
    gtime t;
    gh_buf msg;
    gh_buf_init(&msg);
    int rc = tl_parse(lay, ln, s, n, &t, &msg);
    if (rc) {
        rc = msg.oom ? rb_oom(c) : rb_err(c, "%s", msg.p ? msg.p : "");
        gh_buf_free(&msg);
        return rc;
    }
    gh_buf_free(&msg);
    return ret_ns(c, &t, out);
}

static int bi_parse_ns(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *lay, *s;
    size_t ln, n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &lay, &ln)) || (rc = rb_arg_str(c, args, 1, &s, &n)))
        return rc;
    return parse_common(c, lay, ln, s, n, out);
}

static const char RFC3339[] = "2006-01-02T15:04:05Z07:00";

static int bi_parse_rfc3339_ns(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) return rc;
    return parse_common(c, RFC3339, sizeof RFC3339 - 1, s, n, out);
}

static int bi_parse_duration_ns(rego_bctx *c, val_t *const *args, val_t **out) {
    const char *s;
    size_t n;
    int rc;
    if ((rc = rb_arg_str(c, args, 0, &s, &n))) return rc;
    gh_buf msg;
    gh_buf_init(&msg);
    int64_t ns;
    if (tl_parse_duration(s, n, &ns, &msg)) {
        rc = msg.oom ? rb_oom(c) : rb_err(c, "%s", msg.p ? msg.p : "");
        gh_buf_free(&msg);
        return rc;
    }
    gh_buf_free(&msg);
    *out = val_int(c->a, ns);
    return *out ? RB_OK : rb_oom(c);
}

/* The civil fields of a time operand (ns, or [ns, zone]). */
static int civil_arg(rego_bctx *c, const val_t *arg, gcivil *cv) {
    gtime t;
    int rc = tz_time(c, arg, &t, NULL, NULL);
    if (!rc) gt_civil(&t, cv, NULL);
    return rc;
}

static int bi_date(rego_bctx *c, val_t *const *args, val_t **out) {
    gcivil cv;
    int rc = civil_arg(c, args[0], &cv);
    if (rc) return rc;
    int64_t v[3] = {cv.year, cv.month, cv.day};
    return ret_ints(c, v, 3, out);
}

static int bi_clock(rego_bctx *c, val_t *const *args, val_t **out) {
    gcivil cv;
    int rc = civil_arg(c, args[0], &cv);
    if (rc) return rc;
    int64_t v[3] = {cv.hour, cv.min, cv.sec};
    return ret_ints(c, v, 3, out);
}

static int bi_weekday(rego_bctx *c, val_t *const *args, val_t **out) {
    gcivil cv;
    int rc = civil_arg(c, args[0], &cv);
    if (rc) return rc;
    *out = val_strc(c->a, tl_long_days[cv.wday]);
    return *out ? RB_OK : rb_oom(c);
}

/* OPA's IntOperand: an integer literal that fits int64 ("1.0" is not). */
static int int_operand(rego_bctx *c, val_t *const *args, int i, int64_t *v) {
    if (val_kind_of(args[i]) != VAL_NUMBER) return rb_type_err(c, i + 1, "number", args[i]);
    if (!val_is_int(args[i]))
        return gh_err_set(c->err, GH_ETYPE, NULL, 0, 0,
                          "operand %d must be integer number but got floating-point number", i + 1);
    *v = args[i]->u.i;
    return 0;
}

static int bi_add_date(rego_bctx *c, val_t *const *args, val_t **out) {
    gtime t;
    int64_t y, m, d;
    int rc;
    if ((rc = tz_time(c, args[0], &t, NULL, NULL)) || (rc = int_operand(c, args, 1, &y)) ||
        (rc = int_operand(c, args, 2, &m)) || (rc = int_operand(c, args, 3, &d)))
        return rc;
    gcivil cv;
    gt_civil(&t, &cv, NULL);
    gtime r = gt_date(wadd(cv.year, y), wadd(cv.month, m), wadd(cv.day, d), cv.hour, cv.min, cv.sec,
                      t.nsec, t.loc);
    return ret_ns(c, &r, out);
}

/* OPA's time.diff: calendar difference computed in the first operand's
 * zone, always non-negative, borrowing field by field. */
static int bi_diff(rego_bctx *c, val_t *const *args, val_t **out) {
    gtime t1, t2;
    int rc;
    if ((rc = tz_time(c, args[0], &t1, NULL, NULL)) || (rc = tz_time(c, args[1], &t2, NULL, NULL)))
        return rc;
    t2.loc = t1.loc;
    if (t1.sec > t2.sec || (t1.sec == t2.sec && t1.nsec > t2.nsec)) {
        gtime x = t1;
        t1 = t2;
        t2 = x;
    }
    gcivil a, b;
    gt_civil(&t1, &a, NULL);
    gt_civil(&t2, &b, NULL);
    int64_t year = b.year - a.year, month = b.month - a.month, day = b.day - a.day;
    int64_t hour = b.hour - a.hour, min = b.min - a.min, sec = b.sec - a.sec;
    if (sec < 0) {
        sec += 60;
        min--;
    }
    if (min < 0) {
        min += 60;
        hour--;
    }
    if (hour < 0) {
        hour += 24;
        day--;
    }
    if (day < 0) {
        day += gt_days_in(a.month, a.year);
        month--;
    }
    if (month < 0) {
        month += 12;
        year--;
    }
    int64_t v[6] = {year, month, day, hour, min, sec};
    return ret_ints(c, v, 6, out);
}

static int bi_format(rego_bctx *c, val_t *const *args, val_t **out) {
    static const struct {
        const char *name, *layout;
    } named[] = {
        {"ANSIC", "Mon Jan _2 15:04:05 2006"},
        {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
        {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
        {"RFC822", "02 Jan 06 15:04 MST"},
        {"RFC822Z", "02 Jan 06 15:04 -0700"},
        {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
        {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
        {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
        {"RFC3339", "2006-01-02T15:04:05Z07:00"},
        {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
    };
    gtime t;
    const char *lay;
    size_t ln = 0;
    int rc;
    if ((rc = tz_time(c, args[0], &t, &lay, &ln))) return rc;
    if (!lay || ln == 0) {
        lay = named[9].layout;
        ln = strlen(lay);
    } else {
        for (size_t i = 0; i < sizeof named / sizeof *named; i++)
            if (strlen(named[i].name) == ln && !memcmp(named[i].name, lay, ln)) {
                lay = named[i].layout;
                ln = strlen(lay);
                break;
            }
    }
    gh_buf b;
    gh_buf_init(&b);
    tl_format(&b, &t, lay, ln);
    if (b.oom) {
        gh_buf_free(&b);
        return rb_oom(c);
    }
    *out = val_str(c->a, b.p ? b.p : "", b.len);
    gh_buf_free(&b);
    return *out ? RB_OK : rb_oom(c);
}

#define TZ_ARG "number|<number, string>"

const rego_builtin rego_bi_time[] = {
    {"time.now_ns", 0, RB_NONDET | RB_NOCACHE, bi_now_ns, "() -> now: number", "time",
     "The current time in nanoseconds since the epoch, fixed for the whole query."},
    {"time.parse_ns", 2, 0, bi_parse_ns, "(layout: string, value: string) -> ns: number", "time",
     "Parses a time with a Go reference layout into nanoseconds since the epoch."},
    {"time.parse_rfc3339_ns", 1, 0, bi_parse_rfc3339_ns, "(value: string) -> ns: number", "time",
     "Parses an RFC 3339 time into nanoseconds since the epoch."},
    {"time.parse_duration_ns", 1, 0, bi_parse_duration_ns, "(duration: string) -> ns: number",
     "time", "Parses a Go duration such as \"1h30m\" into nanoseconds."},
    {"time.date", 1, 0, bi_date, "(x: " TZ_ARG ") -> date: <number, number, number>", "time",
     "The [year, month, day] of a timestamp, in UTC or the given zone."},
    {"time.clock", 1, 0, bi_clock, "(x: " TZ_ARG ") -> output: <number, number, number>", "time",
     "The [hour, minute, second] of a timestamp, in UTC or the given zone."},
    {"time.weekday", 1, 0, bi_weekday, "(x: " TZ_ARG ") -> day: string", "time",
     "The English weekday name of a timestamp, in UTC or the given zone."},
    {"time.add_date", 4, 0, bi_add_date,
     "(ns: number, years: number, months: number, days: number) -> output: number", "time",
     "Adds years, months and days to a timestamp, normalising out-of-range dates."},
    {"time.diff", 2, 0, bi_diff,
     "(ns1: " TZ_ARG ", ns2: " TZ_ARG
     ") -> output: <number, number, number, number, number, number>",
     "time", "The calendar difference [years, months, days, hours, minutes, seconds]."},
    {"time.format", 1, 0, bi_format,
     "(x: number|<number, string>|<number, string, string>) -> formatted_timestamp: string", "time",
     "Formats a timestamp with a Go layout (RFC 3339 with nanoseconds by default)."},
    {NULL, 0, 0, NULL, NULL, NULL, NULL},
};
